//! Statement uploads: the documented refusals, and jobs that read a CSV, a PDF or a bad file.

use serde_json::json;

use crate::snap;
use crate::support::*;

const BOUNDARY: &str = "sandbankBoundary7";

fn multipart(fields: &[(&str, Option<&str>, &str)]) -> Vec<u8> {
    let mut body = String::new();
    for (name, filename, content) in fields {
        body.push_str(&format!("--{BOUNDARY}\r\n"));
        match filename {
            Some(f) => body.push_str(&format!(
                "Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )),
            None => body.push_str(&format!(
                "Content-Disposition: form-data; name=\"{name}\"\r\n\r\n"
            )),
        }
        body.push_str(content);
        body.push_str("\r\n");
    }
    body.push_str(&format!("--{BOUNDARY}--\r\n"));
    body.into_bytes()
}

async fn upload(server: &sandbank::RunningServer, content_type: &str, body: &[u8]) -> Exchange {
    let auth = format!("Bearer {}", server_token(server).await);
    send(
        server.basiq_url(),
        "POST",
        "/users/ea3a81/statements",
        &[
            ("authorization", auth.as_str()),
            ("content-type", content_type),
        ],
        body,
    )
    .await
}

const CSV: &str = "Date,Description,Amount,Balance\n2026-01-02,SALARY ACME PTY LTD,2500.00,2600.00\n03/01/2026,WOOLWORTHS 1234 SYDNEY,-84.15,2515.85\n";

/// Sandbox banks take no statements; a missing institution or file, a body that is not
/// multipart and a wrong content type are refused in Basiq's envelope; nothing is created.
#[tokio::test]
async fn refusals() {
    let server = default_server().await;
    let form = format!("multipart/form-data; boundary={BOUNDARY}");
    let cases = [
        upload(
            &server,
            &form,
            &multipart(&[
                ("institutionId", None, "AU00000"),
                ("statement", Some("s.csv"), CSV),
            ]),
        )
        .await,
        upload(
            &server,
            &form,
            &multipart(&[("statement", Some("s.csv"), CSV)]),
        )
        .await,
        upload(
            &server,
            &form,
            &multipart(&[("institutionId", None, "AU01001")]),
        )
        .await,
        upload(&server, &form, b"not multipart at all").await,
        upload(&server, "application/json", b"{}").await,
    ];
    snap!("basiq_statement_refusals", render_all(&cases));
    let auth = format!("Bearer {}", server_token(&server).await);
    let jobs = get(
        server.basiq_url(),
        "/users/ea3a81/jobs",
        &[("authorization", &auth)],
    )
    .await;
    assert_eq!(jobs.json()["data"].as_array().map(Vec::len), Some(0));
}

/// A CSV statement's job adds one account with exactly its rows; a PDF adds a generated
/// history; an empty file and a CSV without an amount column fail the first step.
#[tokio::test]
async fn jobs_read_the_file() {
    let server = default_server().await;
    let form = format!("multipart/form-data; boundary={BOUNDARY}");
    let auth = format!("Bearer {}", server_token(&server).await);
    let h = [("authorization", auth.as_str())];
    let accepted = upload(
        &server,
        &form,
        &multipart(&[
            ("institutionId", None, "AU01001"),
            ("statement", Some("jan.csv"), CSV),
        ]),
    )
    .await;
    assert_eq!(accepted.status, 202, "{}", accepted.render());
    let job = accepted.json()["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let before = get(server.basiq_url(), "/users/ea3a81/accounts", &h)
        .await
        .json();
    let count = before["data"].as_array().map_or(0, Vec::len);
    server
        .engine()
        .clock()
        .advance(chrono::Duration::seconds(10));
    let done = get(server.basiq_url(), &format!("/jobs/{job}"), &h).await;
    snap!("basiq_statement_job", done.render());
    let after = get(
        server.basiq_url(),
        "/users/ea3a81/accounts?filter=institution.id.eq('AU01001')",
        &h,
    )
    .await
    .json();
    assert_eq!(after["data"].as_array().map_or(0, Vec::len), 1);
    assert_eq!(after["data"][0]["balance"], "2515.85");
    let account = after["data"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let txns = get(
        server.basiq_url(),
        &format!("/users/ea3a81/transactions?filter=account.id.eq('{account}')"),
        &h,
    )
    .await
    .json();
    let rows: Vec<(String, String)> = txns["data"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| {
            (
                t["postDate"].as_str().unwrap_or_default().to_owned(),
                t["amount"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("2026-01-03T00:00:00Z".to_owned(), "-84.15".to_owned()),
            ("2026-01-02T00:00:00Z".to_owned(), "2500.00".to_owned()),
        ]
    );

    let pdf = upload(
        &server,
        &form,
        &multipart(&[
            ("institutionId", None, "AU01002"),
            ("statement", Some("s.pdf"), "%PDF-1.7 …"),
        ]),
    )
    .await;
    let empty = upload(
        &server,
        &form,
        &multipart(&[
            ("institutionId", None, "AU01003"),
            ("statement", Some("e.csv"), ""),
        ]),
    )
    .await;
    let no_amount = upload(
        &server,
        &form,
        &multipart(&[
            ("institutionId", None, "AU01004"),
            (
                "statement",
                Some("x.csv"),
                "date,description\n2026-01-02,X\n",
            ),
        ]),
    )
    .await;
    server
        .engine()
        .clock()
        .advance(chrono::Duration::seconds(10));
    let mut outcomes = Vec::new();
    for ex in [&pdf, &empty, &no_amount] {
        let id = ex.json()["id"].as_str().unwrap_or_default().to_owned();
        let job = get(server.basiq_url(), &format!("/jobs/{id}"), &h)
            .await
            .json();
        outcomes.push((
            job["steps"][0]["status"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            job["steps"][0]["result"]["code"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            job["steps"][2]["status"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        ));
    }
    let s = |t: &str| t.to_owned();
    assert_eq!(
        outcomes,
        [
            (s("success"), s(""), s("success")),
            (s("failed"), s("empty-file"), s("pending")),
            (s("failed"), s("missing-required-field"), s("pending")),
        ]
    );
    let pdf_account = get(
        server.basiq_url(),
        "/users/ea3a81/accounts?filter=institution.id.eq('AU01002')",
        &h,
    )
    .await
    .json();
    let pdf_account = pdf_account["data"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let history = get(
        server.basiq_url(),
        &format!("/users/ea3a81/transactions?filter=account.id.eq('{pdf_account}')"),
        &h,
    )
    .await
    .json();
    assert!(
        history["size"].as_u64().unwrap_or(0) > 50,
        "{}",
        history["size"]
    );
    let total = get(server.basiq_url(), "/users/ea3a81/accounts", &h)
        .await
        .json();
    assert_eq!(total["data"].as_array().map_or(0, Vec::len), count + 2);
}

/// A read statement adds a `csv` (or `pdf`) connection with its account, and
/// `transactions.updated` counts its rows against that connection, which the API serves; such a
/// connection is not refreshed ("Connection type is not Web"), nor by refresh-all.
#[tokio::test]
async fn an_upload_is_a_connection_announced_with_transactions_updated() {
    let server = default_server().await;
    let form = format!("multipart/form-data; boundary={BOUNDARY}");
    let auth = format!("Bearer {}", server_token(&server).await);
    let h = [
        ("authorization", auth.as_str()),
        ("content-type", "application/json"),
    ];
    let identities = async || {
        get(server.basiq_url(), "/users/ea3a81/identities", &h)
            .await
            .json()["count"]
            .clone()
    };
    let identities_before = identities().await;
    let accepted = upload(
        &server,
        &form,
        &multipart(&[
            ("institutionId", None, "AU01001"),
            ("statement", Some("jan.csv"), CSV),
        ]),
    )
    .await;
    assert_eq!(accepted.status, 202, "{}", accepted.render());
    server
        .engine()
        .clock()
        .advance(chrono::Duration::seconds(10));
    assert_eq!(
        identities().await,
        identities_before,
        "a statement has no identity"
    );
    let events = get(
        server.basiq_url(),
        "/events?filter=event.type.eq('updated')",
        &h,
    )
    .await
    .json();
    let event = &events["data"][0];
    assert_eq!(event["entity"], "transactions");
    assert_eq!(event["data"]["count"], "2");
    let link = event["data"]["connection"]["links"]["self"]
        .as_str()
        .unwrap_or_default()
        .replace("https://au-api.basiq.io", "");
    let connection = get(server.basiq_url(), &link, &h).await;
    assert_eq!(connection.status, 200, "{}", connection.render());
    let c = connection.json();
    assert_eq!(
        (&c["method"], &c["status"]),
        (&json!("csv"), &json!("active"))
    );
    assert_eq!(c["institution"]["id"], "AU01001");
    let id = c["id"].as_str().unwrap_or_default().to_owned();
    let accounts = get(
        server.basiq_url(),
        &format!("/users/ea3a81/accounts?filter=connection.id.eq('{id}')"),
        &h,
    )
    .await
    .json();
    assert_eq!(accounts["data"][0]["balance"], "2515.85");

    let refresh = send(
        server.basiq_url(),
        "POST",
        &format!("/users/ea3a81/connections/{id}/refresh"),
        &h,
        b"{}",
    )
    .await;
    assert_eq!(refresh.status, 400, "{}", refresh.render());
    assert_eq!(
        refresh.json()["data"][0]["detail"],
        "Connection type is not Web"
    );
    let all = send(
        server.basiq_url(),
        "POST",
        "/users/ea3a81/connections/refresh",
        &h,
        b"{}",
    )
    .await;
    assert_eq!(all.status, 202);
    for job in ids(&all.json()) {
        let job = get(server.basiq_url(), &format!("/jobs/{job}"), &h)
            .await
            .json();
        assert_ne!(
            job["links"]["source"],
            json!(format!(
                "https://au-api.basiq.io/users/ea3a81/connections/{id}"
            ))
        );
    }
}
