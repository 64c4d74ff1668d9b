//! Meld: connection get and search, auth, versions, paging, errors.

use std::collections::BTreeSet;

use chrono::Duration;
use serde_json::Value;

use crate::snap;
use crate::support::*;

const ACTIVE: &str = "WQ5CwCxDxXhYuA4fVHGk3o";
const RECONNECT: &str = "WQ6RcQ8hZb2kPm4nTx7vYs";
const IN_PROGRESS: &str = "WQ7dTe9iAc3mQn5pUy8wZt";

fn key() -> String {
    format!("BASIC {MELD_KEY}")
}

/// The 17 documented fields, in the reference page's order.
const FIELDS: [&str; 17] = [
    "accountId",
    "activeDuplicateConnectionId",
    "createdAt",
    "customerId",
    "duplicateConnectionIds",
    "externalCustomerId",
    "id",
    "institutionId",
    "institutionName",
    "key",
    "optionalProducts",
    "products",
    "regions",
    "serviceProviderDetails",
    "status",
    "statusReason",
    "successfullyAggregatedAt",
];

/// Each default connection, with all 17 documented fields and the Meld headers.
#[tokio::test]
async fn get_connection_has_every_documented_field() {
    let server = default_server().await;
    let auth = key();
    let mut exchanges = Vec::new();
    for id in [ACTIVE, RECONNECT, IN_PROGRESS] {
        let ex = get(
            server.meld_url(),
            &format!("/bank-linking/connections/{id}"),
            &[("authorization", &auth)],
        )
        .await;
        assert_eq!(ex.status, 200);
        let body = ex.json();
        let keys: Vec<&str> = body
            .as_object()
            .map(|o| o.keys().map(String::as_str).collect())
            .unwrap_or_default();
        assert_eq!(keys, FIELDS);
        let request_id = ex.header("x-request-id").unwrap_or_default();
        assert_eq!(request_id.len(), 32);
        assert!(request_id.bytes().all(|b| b.is_ascii_hexdigit()));
        exchanges.push(ex);
    }
    assert_eq!(exchanges[0].json()["status"], "ACTIVE");
    assert_eq!(exchanges[1].json()["statusReason"], "LOGIN_REQUIRED");
    assert_eq!(exchanges[2].json()["institutionId"], Value::Null);
    snap!("meld_connections", render_all(&exchanges));
}

/// `Authorization: BASIC <key>`; anything else is a 401 in Meld's envelope.
#[tokio::test]
async fn auth_matrix() {
    let server = default_server().await;
    let path = format!("/bank-linking/connections/{ACTIVE}");
    let cases: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("BASIC key", vec![("authorization", "BASIC sk_sb_sandbank")]),
        (
            "Basic key (scheme any case)",
            vec![("authorization", "Basic sk_sb_sandbank")],
        ),
        (
            "basic base64(key)",
            vec![("authorization", "basic c2tfc2Jfc2FuZGJhbms=")],
        ),
        ("no header", vec![]),
        ("bearer", vec![("authorization", "Bearer sk_sb_sandbank")]),
        ("key only", vec![("authorization", "sk_sb_sandbank")]),
        ("unknown key", vec![("authorization", "BASIC sk_sb_other")]),
        (
            "key in wrong case",
            vec![("authorization", "BASIC SK_SB_SANDBANK")],
        ),
    ];
    let mut table = String::new();
    let mut errors = String::new();
    for (name, headers) in cases {
        let ex = get(server.meld_url(), &path, &headers).await;
        table.push_str(&format!("{name:<30} {}\n", ex.status));
        if ex.status != 200 {
            let body = ex.json();
            assert_eq!(
                body["requestId"].as_str(),
                ex.header("x-request-id"),
                "requestId = X-Request-ID"
            );
            assert!(ex.header("meld-version").is_some());
            errors.push_str(&format!("## {name}\n{}\n", ex.render()));
        }
    }
    snap!("meld_auth_matrix", table);
    snap!("meld_auth_errors", errors);
}

/// `Meld-Version` resolves to the newest endpoint version not newer than the request.
#[tokio::test]
async fn versions_resolve_per_endpoint() {
    let server = default_server().await;
    let auth = key();
    let path = format!("/bank-linking/connections/{ACTIVE}");
    let mut seen = Vec::new();
    for requested in [
        None,
        Some("2021-01-01"),
        Some("2022-11-10"),
        Some("2023-06-01"),
        Some("2026-05-01"),
    ] {
        let mut headers = vec![("authorization", auth.as_str())];
        if let Some(v) = requested {
            headers.push(("meld-version", v));
        }
        let ex = get(server.meld_url(), &path, &headers).await;
        assert_eq!(ex.status, 200);
        seen.push(ex.header("meld-version").unwrap_or_default().to_owned());
    }
    assert_eq!(
        seen,
        [
            "2023-12-19",
            "2022-11-10",
            "2022-11-10",
            "2022-11-10",
            "2023-12-19"
        ]
    );
    let bad = get(
        server.meld_url(),
        &path,
        &[("authorization", &auth), ("meld-version", "latest")],
    )
    .await;
    assert_eq!(bad.status, 400);
    snap!("meld_bad_version", bad.render());
}

async fn search(server: &sandbank::RunningServer, query: &str) -> Exchange {
    get(
        server.meld_url(),
        &format!("/bank-linking/connections{query}"),
        &[("authorization", &key())],
    )
    .await
}

fn ids(ex: &Exchange) -> Vec<String> {
    ex.json()["connections"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|c| c["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Filters narrow the search; results are newest first.
#[tokio::test]
async fn search_filters() {
    let server = default_server().await;
    let cases = [
        ("", vec![IN_PROGRESS, ACTIVE, RECONNECT]),
        (
            "?statuses=ACTIVE,RECONNECT_REQUIRED",
            vec![ACTIVE, RECONNECT],
        ),
        (
            "?customerId=WQ5CwFZAT79JWX27hk8ARS",
            vec![IN_PROGRESS, ACTIVE, RECONNECT],
        ),
        (
            "?externalCustomerId=user-123&serviceProviders=FINICITY",
            vec![RECONNECT],
        ),
        ("?externalCustomerId=nobody", vec![]),
        ("?institutionId=WQ7mPh3yLsXbRt9cKdNe2A", vec![ACTIVE]),
        ("?institutionName=finbank", vec![RECONNECT]),
        ("?startDate=2024-05-01&endDate=2024-06-01", vec![ACTIVE]),
    ];
    for (query, expected) in cases {
        let ex = search(&server, query).await;
        assert_eq!(ex.status, 200, "{query}");
        assert_eq!(ids(&ex), expected, "{query}");
        assert_eq!(ex.json()["count"], expected.len(), "{query}");
    }
    snap!("meld_search_all", search(&server, "").await.render());
}

/// Walking the pages forward with `after` and back with `before` yields the full set once.
#[tokio::test]
async fn paging_walks_both_ways() {
    let mut scenario =
        String::from("seed = 3\n[meld]\napiKeys = [\"sk_sb_sandbank\"]\n[[meld.customers]]\n");
    for _ in 0..23 {
        scenario.push_str("[[meld.customers.connections]]\n");
    }
    let server = server(&scenario).await;
    let all = ids(&search(&server, "?limit=100").await);
    assert_eq!(all.len(), 23);
    assert_eq!(all.iter().collect::<BTreeSet<_>>().len(), 23);

    let mut forward = Vec::new();
    let mut query = "?limit=5".to_owned();
    loop {
        let ex = search(&server, &query).await;
        let body = ex.json();
        forward.extend(ids(&ex));
        assert_eq!(body["remaining"], all.len() - forward.len());
        let Some(last) = body["connections"]
            .as_array()
            .and_then(|a| a.last())
            .map(|c| c["key"].clone())
        else {
            break;
        };
        if body["remaining"] == 0 {
            break;
        }
        query = format!("?limit=5&after={}", last.as_str().unwrap_or_default());
    }
    assert_eq!(forward, all);

    let last_key = search(&server, "?limit=100").await.json()["connections"][22]["key"].clone();
    let mut backward = vec![all[22].clone()];
    let mut query = format!("?limit=4&before={}", last_key.as_str().unwrap_or_default());
    loop {
        let ex = search(&server, &query).await;
        let body = ex.json();
        let mut page = ids(&ex);
        page.append(&mut backward);
        backward = page;
        if body["remaining"] == 0 {
            break;
        }
        let first = body["connections"][0]["key"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        query = format!("?limit=4&before={first}");
    }
    assert_eq!(backward, all);
}

/// Bad search parameters: one `[field] message` per problem.
#[tokio::test]
async fn search_errors() {
    let server = default_server().await;
    let queries = [
        "?limit=0",
        "?limit=101",
        "?limit=ten",
        "?after=abc&before=def",
        "?after=0OIl",
        "?statuses=ACTIVE,BROKEN&serviceProviders=BANK",
        "?startDate=01/05/2024",
    ];
    let mut exchanges = Vec::new();
    for q in queries {
        let ex = search(&server, q).await;
        assert_eq!(ex.status, 400, "{q}");
        exchanges.push(ex);
    }
    let both = exchanges[3].json();
    assert_eq!(both["errors"].as_array().map(Vec::len), Some(3), "{both}");
    snap!("meld_search_errors", render_all(&exchanges));
}

/// Unknown ids and routes are 404 in Meld's envelope, with the Meld headers.
#[tokio::test]
async fn not_found() {
    let server = default_server().await;
    let auth = key();
    let a = get(
        server.meld_url(),
        "/bank-linking/connections/nope",
        &[("authorization", &auth)],
    )
    .await;
    let b = get(
        server.meld_url(),
        "/bank-linking/nothing",
        &[("authorization", &auth)],
    )
    .await;
    assert_eq!((a.status, b.status), (404, 404));
    snap!("meld_not_found", render_all(&[a, b]));
}

/// The unfinished connection expires after 4 hours of server time, as the scenario says.
#[tokio::test]
async fn in_progress_connection_expires_after_four_hours() {
    let server = default_server().await;
    let path = format!("/bank-linking/connections/{IN_PROGRESS}");
    let status = |ex: Exchange| ex.json()["status"].as_str().unwrap_or_default().to_owned();
    let clock = server.engine().clock();
    clock.advance(Duration::hours(4) - Duration::seconds(1));
    assert_eq!(
        status(get(server.meld_url(), &path, &[("authorization", &key())]).await),
        "IN_PROGRESS"
    );
    clock.advance(Duration::seconds(1));
    assert_eq!(
        status(get(server.meld_url(), &path, &[("authorization", &key())]).await),
        "EXPIRED"
    );
}

/// Duplicates: the most recently aggregated connection is active, the other is demoted.
#[tokio::test]
async fn duplicates_are_linked() {
    let scenario = r#"
seed = 4
[meld]
apiKeys = ["sk_sb_sandbank"]
[[meld.customers]]
[[meld.customers.connections]]
id = "WQaaaaaaaaaaaaaaaaaaaa"
successfullyAggregatedAt = "2024-01-01T00:00:00Z"
[[meld.customers.connections]]
id = "WQbbbbbbbbbbbbbbbbbbbb"
duplicateOf = "WQaaaaaaaaaaaaaaaaaaaa"
successfullyAggregatedAt = "2024-02-01T00:00:00Z"
"#;
    let server = server(scenario).await;
    let older = get(
        server.meld_url(),
        "/bank-linking/connections/WQaaaaaaaaaaaaaaaaaaaa",
        &[("authorization", &key())],
    )
    .await;
    let body = older.json();
    assert_eq!(body["status"], "PARTIALLY_ACTIVE");
    assert_eq!(body["statusReason"], "INACTIVE_DUPLICATE");
    assert_eq!(
        body["activeDuplicateConnectionId"],
        "WQbbbbbbbbbbbbbbbbbbbb"
    );
    assert_eq!(
        body["duplicateConnectionIds"],
        serde_json::json!(["WQbbbbbbbbbbbbbbbbbbbb", "WQaaaaaaaaaaaaaaaaaaaa"])
    );
}
