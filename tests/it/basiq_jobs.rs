//! Basiq jobs and the sandbox personas: connection create, MFA, refresh, delete, purge — with
//! the server clock moved by hand, so every step is deterministic.

use serde_json::json;

use crate::snap;
use crate::support::*;

/// A happy persona: the job moves one step per second; the connection turns active and the
/// persona's accounts (their documented numbers and holders) and transactions appear.
#[tokio::test]
async fn happy_persona_connects() {
    let b = Basiq::start().await;
    let job = b.connect("Wentworth-Smith", "whislter", "AU00000").await;
    let mut seen = vec![b.job(&job).await];
    assert_eq!(b.connection_of(&job).await["status"], "pending");
    for _ in 0..3 {
        b.advance(1);
        seen.push(b.job(&job).await);
    }
    let progress: Vec<Vec<String>> = seen.iter().map(statuses).collect();
    assert_eq!(
        progress,
        [
            ["in-progress", "pending", "pending"],
            ["success", "in-progress", "pending"],
            ["success", "success", "in-progress"],
            ["success", "success", "success"],
        ]
    );
    let connection = b.connection_of(&job).await;
    assert_eq!(connection["status"], "active");
    assert_eq!(connection["profile"]["fullName"], "Max Wentworth-Smith");
    let numbers: Vec<&str> = connection["accounts"]["data"]
        .as_array()
        .map(|a| a.iter().filter_map(|x| x["accountNo"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        numbers,
        [
            "45678945678901",
            "23456723456789",
            "34567834567890",
            "12345612345678"
        ]
    );
    // Only the shared mortgage carries both holders' names.
    let holders: Vec<String> = b
        .get("/users/ea3a81/accounts?filter=institution.id.eq('AU00000')")
        .await
        .json()["data"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|x| x["accountNo"] == "12345612345678")
                .filter_map(|x| x["accountHolder"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(holders, ["Max Wentworth-Smith & Paul Wentworth-Smith"]);
    let id = connection["id"].as_str().unwrap_or_default();
    let txns = b
        .get(&format!(
            "/users/ea3a81/transactions?filter=connection.id.eq('{id}')&limit=1"
        ))
        .await
        .json();
    assert!(
        txns["size"].as_u64().unwrap_or(0) > 1000,
        "two years of history: {}",
        txns["size"]
    );
    snap!(
        "basiq_job_progress",
        seen.iter()
            .map(|j| serde_json::to_string_pretty(j).unwrap_or_default())
            .collect::<Vec<_>>()
            .join("\n----\n")
    );
}

/// Pied Piper Bank always asks for MFA: the job waits at `mfa-challenge` until the right
/// answer arrives on `POST /jobs/{id}/mfa` with a CLIENT token.
#[tokio::test]
async fn mfa_challenge_waits_for_the_answer() {
    let b = Basiq::start().await;
    let job = b.connect("Whistler", "ShowBox", "AU00002").await;
    b.advance(5);
    let waiting = b.job(&job).await;
    assert_eq!(
        statuses(&waiting),
        ["success", "in-progress", "pending", "pending"]
    );
    assert_eq!(
        waiting["steps"][1]["result"]["input"],
        json!([
            "What's your favourite company?",
            "What's the ID of this institution?"
        ])
    );
    let path = format!("/jobs/{job}/mfa");
    let wrong = b
        .post(
            &b.client_auth,
            &path,
            json!({"mfa-response": ["Hooli", "AU00000"]}),
        )
        .await;
    let server = b
        .post(
            &b.server_auth,
            &path,
            json!({"mfa-response": ["Basiq", "AU00000"]}),
        )
        .await;
    let malformed = b
        .post(&b.client_auth, &path, json!({"answer": "Basiq"}))
        .await;
    let right = b
        .post(
            &b.client_auth,
            &path,
            json!({"mfa-response": ["Basiq", "AU00002"]}),
        )
        .await;
    assert_eq!(
        (wrong.status, server.status, malformed.status, right.status),
        (400, 403, 400, 202)
    );
    let late = b
        .post(
            &b.client_auth,
            &path,
            json!({"mfa-response": ["Basiq", "AU00002"]}),
        )
        .await;
    assert_eq!(late.status, 400, "the challenge is answered");
    b.advance(2);
    assert_eq!(
        statuses(&b.job(&job).await),
        ["success", "success", "success", "success"]
    );
    assert_eq!(b.connection_of(&job).await["mfaEnabled"], true);
    snap!("basiq_mfa", render_all(&[wrong, server, malformed, right]));
}

/// An unanswered challenge expires after its `expiryMs` and invalidates the connection.
#[tokio::test]
async fn mfa_challenge_expires() {
    let b = Basiq::start().await;
    let job = b.connect("jared", "django", "AU00002").await;
    b.advance(1 + 119);
    assert_eq!(statuses(&b.job(&job).await)[1], "in-progress");
    b.advance(2);
    let expired = b.job(&job).await;
    assert_eq!(
        statuses(&expired),
        ["success", "failed", "pending", "pending"]
    );
    assert_eq!(
        expired["steps"][1]["result"]["code"],
        "user-action-required"
    );
    assert_eq!(b.connection_of(&job).await["status"], "invalid");
}

/// Nucleus Bank asks for MFA half the time, the same way on every run.
#[tokio::test]
async fn nucleus_bank_asks_sometimes() {
    let mut runs = Vec::new();
    for _ in 0..2 {
        let b = Basiq::start().await;
        let mut asked = Vec::new();
        for login in [
            "gavinBelson",
            "Gilfoyle",
            "jared",
            "richard",
            "Whistler",
            "ashMann",
            "laurieBream",
            "Wentworth-Smith",
        ] {
            let password = match login {
                "gavinBelson" => "hooli2016",
                "Gilfoyle" => "PiedPiper",
                "jared" => "django",
                "richard" => "tabsnotspaces",
                "Whistler" => "ShowBox",
                "ashMann" => "hooli2024",
                "laurieBream" => "business2024",
                _ => "whislter",
            };
            let job = b.connect(login, password, "AU00003").await;
            asked.push(steps(&b.job(&job).await).len() == 4);
        }
        runs.push(asked);
    }
    assert_eq!(runs[0], runs[1], "deterministic");
    assert!(
        runs[0].contains(&true) && runs[0].contains(&false),
        "{:?}",
        runs[0]
    );
}

/// Unhappy personas fail at their step with their code; wrong credentials fail verification.
#[tokio::test]
async fn unhappy_personas_fail_at_their_step() {
    let b = Basiq::start().await;
    let mut table = String::new();
    for (login, password) in [
        ("bighead", "password"),
        ("erlich", "aviato"),
        ("jianYang", "nothotdog"),
        ("Wentworth-Smith", "wrong"),
    ] {
        let job = b.connect(login, password, "AU00000").await;
        b.advance(3);
        let body = b.job(&job).await;
        let failed = body["steps"]
            .as_array()
            .and_then(|s| s.iter().find(|s| s["status"] == "failed"))
            .cloned()
            .unwrap_or_default();
        let connection = b.connection_of(&job).await;
        table.push_str(&format!(
            "{login:<16} {:?}\n  failed {} {}\n  connection {}\n",
            statuses(&body),
            failed["title"],
            failed["result"],
            connection["status"]
        ));
    }
    snap!("basiq_unhappy_personas", table);
}

/// Refresh: 202 with a job, 200 with the same job while it runs, 400 on an invalid connection;
/// refresh-all answers one job per connection.
#[tokio::test]
async fn refresh() {
    let b = Basiq::start().await;
    let first = b
        .post(
            &b.server_auth,
            "/users/ea3a81/connections/8fce3b/refresh",
            json!({}),
        )
        .await;
    let again = b
        .post(
            &b.server_auth,
            "/users/ea3a81/connections/8fce3b/refresh",
            json!({}),
        )
        .await;
    assert_eq!((first.status, again.status), (202, 200));
    assert_eq!(first.json()["id"], again.json()["id"]);
    b.advance(3);
    let job = first.json()["id"].as_str().unwrap_or_default().to_owned();
    assert_eq!(
        statuses(&b.job(&job).await),
        ["success", "success", "success"]
    );
    assert_eq!(
        b.get("/users/ea3a81/connections/8fce3b").await.json()["lastUsed"],
        "2026-01-15T09:00:01Z"
    );
    assert_eq!(
        b.post(
            &b.server_auth,
            "/users/ea3a81/connections/8fce3b/refresh",
            json!({})
        )
        .await
        .status,
        202
    );

    let bad = b.connect("bighead", "password", "AU00000").await;
    b.advance(3);
    let id = b.connection_of(&bad).await["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let refused = b
        .post(
            &b.server_auth,
            &format!("/users/ea3a81/connections/{id}/refresh"),
            json!({}),
        )
        .await;
    assert_eq!(refused.status, 400);
    let all = b
        .post(
            &b.server_auth,
            "/users/ea3a81/connections/refresh",
            json!({}),
        )
        .await;
    assert_eq!(all.status, 202);
    // Refresh-all refreshes the active connection only, not the invalid one.
    assert_eq!(all.json()["data"].as_array().map(Vec::len), Some(1));
    let of_bad = b
        .get(&format!(
            "/users/ea3a81/jobs?filter=connection.id.eq('{id}')"
        ))
        .await
        .json();
    assert_eq!(of_bad["size"], 1, "only the job that created it");
    let list = b.get("/users/ea3a81/jobs").await.json();
    assert_eq!(list["size"], 4);
    let filtered = b
        .get("/users/ea3a81/jobs?filter=connection.id.eq('8fce3b')")
        .await
        .json();
    assert_eq!(filtered["size"], 3);
    assert_eq!(filtered["data"][0]["institution"]["id"], "AU00000");
    snap!("basiq_refresh", render_all(&[first, again, refused, all]));
}

/// New credentials on an invalid connection: the job runs with them and the connection recovers.
#[tokio::test]
async fn update_credentials_recovers() {
    let b = Basiq::start().await;
    let job = b.connect("Wentworth-Smith", "wrong", "AU00000").await;
    b.advance(3);
    let id = b.connection_of(&job).await["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let path = format!("/users/ea3a81/connections/{id}");
    assert_eq!(b.get(&path).await.json()["status"], "invalid");
    let missing = b.post(&b.server_auth, &path, json!({})).await;
    assert_eq!(missing.status, 400);
    let updated = b
        .post(&b.server_auth, &path, json!({"password": "whislter"}))
        .await;
    assert_eq!(updated.status, 202);
    b.advance(3);
    assert_eq!(b.get(&path).await.json()["status"], "active");
}

/// Creation errors; a second create with the same login while the first runs answers 200.
#[tokio::test]
async fn create_errors() {
    let b = Basiq::start().await;
    let path = "/users/ea3a81/connections";
    let cases = [
        json!({"password": "x", "institution": {"id": "AU00000"}}),
        json!({"loginId": "x", "institution": {"id": "AU00000"}}),
        json!({"loginId": "x", "password": "y"}),
        json!({"loginId": "x", "password": "y", "institution": {"id": "AU99999"}}),
        json!({"loginId": 5}),
    ];
    let mut exchanges = Vec::new();
    for body in cases {
        let ex = b.post(&b.server_auth, path, body).await;
        assert_eq!(ex.status, 400);
        exchanges.push(ex);
    }
    let first = b
        .post(
            &b.client_auth,
            path,
            json!({"loginId": "jared", "password": "django", "institution": {"id": "AU00000"}}),
        )
        .await;
    let second = b
        .post(
            &b.client_auth,
            path,
            json!({"loginId": "jared", "password": "django", "institution": {"id": "AU00000"}}),
        )
        .await;
    assert_eq!((first.status, second.status), (202, 200));
    assert_eq!(first.json()["id"], second.json()["id"]);
    snap!("basiq_create_errors", render_all(&exchanges));
}

/// Delete keeps accounts and transactions; purge removes them and keeps the connection.
#[tokio::test]
async fn delete_and_purge() {
    let b = Basiq::start().await;
    let url = b.server.basiq_url();
    let h = [("authorization", b.server_auth.as_str())];
    let purged = send(
        url,
        "POST",
        "/users/ea3a81/connections/8fce3b/purge",
        &h,
        b"",
    )
    .await;
    assert_eq!(purged.status, 204);
    assert_eq!(
        b.get("/users/ea3a81/accounts").await.json()["data"],
        json!([])
    );
    assert_eq!(b.get("/users/ea3a81/connections/8fce3b").await.status, 200);

    let job = b.connect("Gilfoyle", "PiedPiper", "AU00000").await;
    b.advance(3);
    let id = b.connection_of(&job).await["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let deleted = send(
        url,
        "DELETE",
        &format!("/users/ea3a81/connections/{id}"),
        &h,
        b"",
    )
    .await;
    assert_eq!(deleted.status, 204);
    assert_eq!(
        b.get(&format!("/users/ea3a81/connections/{id}"))
            .await
            .status,
        404
    );
    let accounts = b.get("/users/ea3a81/accounts").await.json();
    assert_eq!(
        accounts["data"].as_array().map(Vec::len),
        Some(3),
        "Gilfoyle's accounts stay"
    );
    let again = send(
        url,
        "DELETE",
        &format!("/users/ea3a81/connections/{id}"),
        &h,
        b"",
    )
    .await;
    assert_eq!(again.status, 404);

    let bad = b.connect("bighead", "password", "AU00000").await;
    b.advance(3);
    let id = b.connection_of(&bad).await["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let refused = send(
        url,
        "POST",
        &format!("/users/ea3a81/connections/{id}/purge"),
        &h,
        b"",
    )
    .await;
    assert_eq!(refused.status, 400);
}
