//! Request forms the vendors' gateways accept although their documents show another: sandbank
//! accepts them too, because a mock stricter than the vendor breaks working clients.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

use crate::support::*;

/// The scope (and user) a token carries.
fn claims(token_body: &Value) -> (String, Option<String>) {
    let token = token_body["access_token"].as_str().unwrap_or_default();
    let part = token.split('.').nth(1).unwrap_or_default();
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap_or_default())
        .unwrap_or_default();
    (
        claims["scope"].as_str().unwrap_or_default().to_owned(),
        claims["userid"].as_str().map(str::to_owned),
    )
}

/// `POST /token` takes a JSON body (Basiq's Python SDK sends `{}`), an empty body, and a form
/// body without `Content-Type` (a Go client sends one); a form body is still read for `scope`
/// and `userId` whatever it is declared as.
#[tokio::test]
async fn token_bodies_in_every_form_clients_send() {
    let server = default_server().await;
    let key = format!("Basic {BASIQ_KEY}");
    let cases: [(&str, Option<&str>, &str, &str); 6] = [
        ("json {}", Some("application/json"), "{}", "SERVER_ACCESS"),
        (
            "json client",
            Some("application/json"),
            r#"{"scope": "CLIENT_ACCESS", "userId": "ea3a81"}"#,
            "CLIENT_ACCESS",
        ),
        ("empty, no type", None, "", "SERVER_ACCESS"),
        (
            "form, no type",
            None,
            "scope=CLIENT_ACCESS&userId=ea3a81",
            "CLIENT_ACCESS",
        ),
        (
            "form as text/plain",
            Some("text/plain"),
            "scope=CLIENT_ACCESS&userId=ea3a81",
            "CLIENT_ACCESS",
        ),
        (
            "json, no type",
            None,
            r#"{"scope":"SERVER_ACCESS"}"#,
            "SERVER_ACCESS",
        ),
    ];
    for (name, content_type, body, scope) in cases {
        let mut headers = vec![("authorization", key.as_str()), ("basiq-version", "3.0")];
        if let Some(t) = content_type {
            headers.push(("content-type", t));
        }
        let ex = send(
            server.basiq_url(),
            "POST",
            "/token",
            &headers,
            body.as_bytes(),
        )
        .await;
        assert_eq!(ex.status, 200, "{name}: {}", ex.render());
        let (got, user) = claims(&ex.json());
        assert_eq!(got, scope, "{name}");
        if scope == "CLIENT_ACCESS" {
            assert_eq!(user.as_deref(), Some("ea3a81"), "{name}");
        }
    }
    // What is neither a form nor JSON is still refused as Basiq refuses a bad body.
    let ex = send(
        server.basiq_url(),
        "POST",
        "/token",
        &[
            ("authorization", key.as_str()),
            ("basiq-version", "3.0"),
            ("content-type", "application/json"),
        ],
        b"{not json",
    )
    .await;
    assert_eq!(ex.status, 400, "{}", ex.render());
}

/// JSON bodies are read without `Content-Type` (and with another declared type where Basiq
/// documents no 415); creating and updating connections keep their documented 415 for a
/// declared wrong type.
#[tokio::test]
async fn json_bodies_without_content_type() {
    let b = Basiq::start().await;
    let auth = b.server_auth.clone();
    let user = |mobile: &str| {
        format!(r#"{{"email": "x{mobile}@example.com", "mobile": "+6141{mobile}"}}"#)
    };
    for (content_type, mobile) in [(None, "0000001"), (Some("text/plain"), "0000002")] {
        let mut headers = vec![("authorization", auth.as_str())];
        if let Some(t) = content_type {
            headers.push(("content-type", t));
        }
        let body = user(mobile);
        let ex = send(
            b.server.basiq_url(),
            "POST",
            "/users",
            &headers,
            body.as_bytes(),
        )
        .await;
        assert_eq!(ex.status, 201, "{content_type:?}: {}", ex.render());
    }
    let connect =
        r#"{"loginId": "gavinBelson", "password": "hooli2016", "institution": {"id": "AU00000"}}"#;
    let ex = send(
        b.server.basiq_url(),
        "POST",
        "/users/ea3a81/connections",
        &[("authorization", auth.as_str())],
        connect.as_bytes(),
    )
    .await;
    assert_eq!(ex.status, 202, "{}", ex.render());
    let ex = send(
        b.server.basiq_url(),
        "POST",
        "/users/ea3a81/connections",
        &[
            ("authorization", auth.as_str()),
            ("content-type", "text/plain"),
        ],
        connect.as_bytes(),
    )
    .await;
    assert_eq!(ex.status, 415, "{}", ex.render());
    assert_eq!(ex.json()["data"][0]["code"], "unsupported-content-type");
}

/// A trailing slash answers as the route without it, at both vendors.
#[tokio::test]
async fn trailing_slashes_answer_as_the_route() {
    let b = Basiq::start().await;
    let ex = send(
        b.server.basiq_url(),
        "POST",
        "/users/",
        &[
            ("authorization", b.server_auth.as_str()),
            ("content-type", "application/json"),
        ],
        br#"{"email": "slash@example.com"}"#,
    )
    .await;
    assert_eq!(ex.status, 201, "{}", ex.render());
    let ex = b.get("/users/ea3a81/connections/8fce3b/").await;
    assert_eq!(ex.status, 200, "{}", ex.render());
    let ex = b.get("/users/ea3a81/transactions/?limit=1").await;
    assert_eq!(ex.status, 200, "{}", ex.render());
    assert_eq!(ex.json()["data"].as_array().map(Vec::len), Some(1));
    let meld = meld_call(&b.server, "GET", "/bank-linking/connections/", None).await;
    assert_eq!(meld.status, 200, "{}", meld.render());
}

/// Meld's connect/start takes an empty `products` when `optionalProducts` names at least one;
/// with neither it is still refused.
#[tokio::test]
async fn meld_start_with_optional_products_only() {
    let server = default_server().await;
    let body = serde_json::json!({
        "externalCustomerId": "opt-only",
        "products": [],
        "optionalProducts": ["BALANCES"],
        "regions": ["US"],
    });
    let ex = meld_call(&server, "POST", "/bank-linking/connect/start", Some(body)).await;
    assert_eq!(ex.status, 201, "{}", ex.render());
    let neither = serde_json::json!({ "externalCustomerId": "none", "products": [] });
    let ex = meld_call(
        &server,
        "POST",
        "/bank-linking/connect/start",
        Some(neither),
    )
    .await;
    assert_eq!(ex.status, 400, "{}", ex.render());
}

/// The most frequent reads are answered without routing; a percent-encoded id goes through
/// the router instead. Both answer the same bytes, and fault rules and the journal see both.
#[tokio::test]
async fn hot_reads_answer_as_their_routes() {
    let server = default_server().await;
    let auth = format!("Bearer {}", server_token(&server).await);
    let basiq = [("authorization", auth.as_str())];
    let plain = get(
        server.basiq_url(),
        "/users/ea3a81/connections/8fce3b",
        &basiq,
    )
    .await;
    let encoded = get(
        server.basiq_url(),
        "/users/ea3a%381/connections/8fce%33b",
        &basiq,
    )
    .await;
    assert_eq!(plain.status, 200, "{}", plain.render());
    assert_eq!(plain.body, encoded.body);
    let meld_auth = format!("BASIC {MELD_KEY}");
    let meld = [("authorization", meld_auth.as_str())];
    let id = "WQ5CwCxDxXhYuA4fVHGk3o";
    let plain = get(
        server.meld_url(),
        &format!("/bank-linking/connections/{id}"),
        &meld,
    )
    .await;
    let encoded = get(
        server.meld_url(),
        "/bank-linking/connections/WQ5%43wCxDxXhYuA4fVHGk3o",
        &meld,
    )
    .await;
    assert_eq!(plain.status, 200, "{}", plain.render());
    assert_eq!(plain.body, encoded.body);
    assert_eq!(plain.header("meld-version"), encoded.header("meld-version"));
    // GET on the static routes beside the parameter is not a read of them.
    let import = get(server.meld_url(), "/bank-linking/connections/import", &meld).await;
    assert_eq!(import.status, 405, "{}", import.render());
    let refresh = get(
        server.basiq_url(),
        "/users/ea3a81/connections/refresh",
        &basiq,
    )
    .await;
    assert_eq!(refresh.status, 405, "{}", refresh.render());

    // A fault rule on the hot path applies, and the journal records the read.
    let rule = send(
        server.basiq_url(),
        "POST",
        "/__admin/faults",
        &[("content-type", "application/json")],
        br#"{"vendor":"basiq","path":"/users/ea3a81/connections/8fce3b","status":503}"#,
    )
    .await;
    assert!(rule.status < 300, "{}", rule.render());
    let faulted = get(
        server.basiq_url(),
        "/users/ea3a81/connections/8fce3b",
        &basiq,
    )
    .await;
    assert_eq!(faulted.status, 503);
    let journal = get(
        server.basiq_url(),
        "/__admin/requests?path=/users/ea3a81/connections/8fce3b",
        &[],
    )
    .await
    .json();
    let statuses: Vec<u64> = journal["requests"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["status"].as_u64())
        .collect();
    assert_eq!(statuses, [200, 503]);
}
