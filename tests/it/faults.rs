//! Fault rules: injected statuses in each vendor's envelope (429 with `Retry-After`), delays,
//! dropped connections, `times`, and that a failed request changes nothing.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::*;

async fn add_rule(base: &str, rule: Value) -> Exchange {
    send(
        base,
        "POST",
        "/__admin/faults",
        &[("content-type", "application/json")],
        rule.to_string().as_bytes(),
    )
    .await
}

/// A Basiq 503 twice, in Basiq's envelope, then the real answer; the rule's firings are listed.
#[tokio::test]
async fn basiq_status_fault_fires_times_then_stops() {
    let server = default_server().await;
    let auth = format!("Bearer {}", server_token(&server).await);
    let added = add_rule(
        server.basiq_url(),
        json!({"vendor": "basiq", "method": "GET", "path": "/users/*", "status": 503, "times": 2}),
    )
    .await;
    assert_eq!(added.status, 201, "{}", added.render());
    assert_eq!(added.json(), json!({"id": "fault-1"}));
    let mut statuses = Vec::new();
    let mut first = None;
    for _ in 0..3 {
        let ex = get(
            server.basiq_url(),
            "/users/ea3a81",
            &[("authorization", &auth)],
        )
        .await;
        statuses.push(ex.status);
        first.get_or_insert(ex);
    }
    assert_eq!(statuses, [503, 503, 200]);
    if let Some(ex) = first {
        crate::snap!("fault_basiq_503", ex.render());
    }
    // Other paths and the other vendor are not matched.
    let other = get(
        server.basiq_url(),
        "/users/ea3a81/accounts",
        &[("authorization", &auth)],
    )
    .await;
    assert_eq!(other.status, 200);
    let listed = get(server.basiq_url(), "/__admin/faults", &[]).await.json();
    assert_eq!(listed["faults"][0]["fired"], 2);
    assert_eq!(listed["faults"][0]["times"], 2);
}

/// Meld 429 with `Retry-After`, in Meld's envelope with its request id; an injected failure
/// of a POST changes nothing.
#[tokio::test]
async fn meld_429_with_retry_after_changes_nothing() {
    let server = default_server().await;
    let added = add_rule(
        server.meld_url(),
        json!({"vendor": "meld", "method": "POST", "path": "/accounts/customers", "status": 429, "retry_after": 30}),
    )
    .await;
    assert_eq!(added.status, 201, "{}", added.render());
    let customers = |s: &sandbank::RunningServer| s.engine().with_world(|w| w.meld.customers.len());
    let before = customers(&server);
    let ex = meld_call(
        &server,
        "POST",
        "/accounts/customers",
        Some(json!({"externalId": "new-one"})),
    )
    .await;
    assert_eq!(ex.status, 429);
    assert_eq!(ex.header("retry-after"), Some("30"));
    assert_eq!(ex.json()["requestId"].as_str(), ex.header("x-request-id"));
    crate::snap!("fault_meld_429", ex.render());
    assert_eq!(customers(&server), before);
    // The Basiq listener does not match a Meld rule.
    let auth = format!("Bearer {}", server_token(&server).await);
    assert_eq!(
        get(
            server.basiq_url(),
            "/users/ea3a81",
            &[("authorization", &auth)]
        )
        .await
        .status,
        200
    );
}

/// A delay holds the answer back, then the handler answers as usual.
#[tokio::test]
async fn delay_fault_holds_the_answer() {
    let server = default_server().await;
    add_rule(
        server.meld_url(),
        json!({"path": "/institutions", "delay_ms": 300, "times": 1}),
    )
    .await;
    let started = Instant::now();
    let slow = meld_call(&server, "GET", "/institutions", None).await;
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(slow.status, 200, "{}", slow.render());
}

/// `drop` closes the connection without a byte of response; the journal shows it unanswered.
#[tokio::test]
async fn drop_fault_closes_the_connection() {
    let server = default_server().await;
    add_rule(
        server.basiq_url(),
        json!({"path": "/token", "drop": true, "times": 1}),
    )
    .await;
    let authority = server.basiq_url().trim_start_matches("http://").to_owned();
    let stream = tokio::net::TcpStream::connect(&authority)
        .await
        .expect("connect");
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .expect("handshake");
    tokio::spawn(conn);
    let request = hyper::Request::builder()
        .method("POST")
        .uri("/token")
        .header("host", &authority)
        .body(http_body_util::Empty::<bytes::Bytes>::new())
        .expect("request");
    let answer = tokio::time::timeout(Duration::from_secs(5), sender.send_request(request)).await;
    match answer {
        Ok(Err(e)) => assert!(e.is_incomplete_message() || e.is_canceled(), "{e:?}"),
        other => panic!("expected the connection to close unanswered, got {other:?}"),
    }
    // The next request is answered.
    server_token(&server).await;
    let journal = get(server.basiq_url(), "/__admin/requests", &[])
        .await
        .json();
    let statuses: Vec<&Value> = journal["requests"]
        .as_array()
        .map(|r| r.iter().map(|e| &e["status"]).collect())
        .unwrap_or_default();
    assert_eq!(statuses, [&Value::Null, &json!(200)]);
}

/// Bad rules are refused with the reason; rules can be deleted; a reset removes them; the
/// admin API itself is never faulted.
#[tokio::test]
async fn rules_are_checked_listed_deleted_and_reset() {
    let server = default_server().await;
    let url = server.meld_url();
    let refused: Vec<(u16, Value)> = post_each(
        vec![
            json!({"status": 200}),
            json!({"vendor": "plaid", "status": 500}),
            json!({"drop": true, "status": 500}),
            json!({"path": "institutions", "status": 500}),
            json!({"times": 0, "status": 500}),
            json!({"method": "GET"}),
            json!({"status": 500, "retry_after": 5}),
            json!({"delay_ms": 3_600_000}),
            json!({"status": 500, "colour": "red"}),
        ],
        url,
    )
    .await;
    crate::snap!(
        "fault_rules_refused",
        refused
            .iter()
            .map(|(s, b)| format!("{s} {b}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    let id = add_rule(url, json!({"status": 500})).await.json()["id"].clone();
    assert_eq!(
        meld_call(&server, "GET", "/institutions", None)
            .await
            .status,
        500
    );
    assert_eq!(get(url, "/__admin/health", &[]).await.status, 200);
    let path = format!("/__admin/faults/{}", id.as_str().unwrap_or_default());
    assert_eq!(send(url, "DELETE", &path, &[], b"").await.status, 204);
    assert_eq!(send(url, "DELETE", &path, &[], b"").await.status, 404);
    assert_eq!(
        meld_call(&server, "GET", "/institutions", None)
            .await
            .status,
        200
    );

    add_rule(url, json!({"status": 500})).await;
    send(url, "POST", "/__admin/reset", &[], b"").await;
    assert_eq!(
        get(url, "/__admin/faults", &[]).await.json(),
        json!({"faults": []})
    );
    assert_eq!(
        meld_call(&server, "GET", "/institutions", None)
            .await
            .status,
        200
    );
}

/// Posts each rule in turn; returns status and body of each answer.
async fn post_each(rules: Vec<Value>, url: &str) -> Vec<(u16, Value)> {
    let mut out = Vec::new();
    for rule in rules {
        let ex = add_rule(url, rule).await;
        out.push((ex.status, ex.json()));
    }
    out
}

/// A body over the configured limit gets 413 in the vendor's envelope on every route that
/// takes a body — also on routes that never read it — and changes nothing.
#[tokio::test]
async fn oversized_bodies_get_413_everywhere() {
    let scenario = sandbank::scenario::parse("default", sandbank::scenario::DEFAULT_SCENARIO)
        .expect("default scenario");
    let mut config = sandbank::ServerConfig::ephemeral(scenario);
    config.engine.clock = Some(sandbank::clock::ClockMode::Frozen { at: frozen_at() });
    config.engine.body_limit = Some(1024);
    let server = sandbank::start(config).await.expect("server starts");
    let auth = format!("Bearer {}", server_token(&server).await);
    let big = format!("{{\"email\": \"{}@example.com\"}}", "x".repeat(2000));
    let basiq_routes = [
        ("POST", "/token"),
        ("POST", "/users"),
        ("POST", "/users/ea3a81"),
        ("POST", "/users/ea3a81/connections"),
        ("POST", "/users/ea3a81/connections/8fce3b/refresh"),
        ("POST", "/users/ea3a81/connections/refresh"),
        ("POST", "/notifications/webhooks"),
        ("POST", "/users/ea3a81/auth_link"),
    ];
    let mut seen = Vec::new();
    for (method, path) in basiq_routes {
        let ex = send(
            server.basiq_url(),
            method,
            path,
            &[
                ("authorization", &auth),
                ("content-type", "application/json"),
            ],
            big.as_bytes(),
        )
        .await;
        assert_eq!(
            ex.json()["data"][0]["code"],
            "request-not-valid",
            "{}",
            ex.render()
        );
        seen.push((path, ex.status));
    }
    let meld_routes = [
        ("POST", "/bank-linking/connect/start"),
        (
            "POST",
            "/bank-linking/connections/WQ5CwCxDxXhYuA4fVHGk3o/refresh",
        ),
        ("POST", "/accounts/customers"),
        ("PATCH", "/accounts/customers/WQ5CwFZAT79JWX27hk8ARS"),
        ("POST", "/connect/complete"),
    ];
    let meld_auth = format!("BASIC {MELD_KEY}");
    for (method, path) in meld_routes {
        let ex = send(
            server.meld_url(),
            method,
            path,
            &[
                ("authorization", &meld_auth),
                ("content-type", "application/json"),
            ],
            big.as_bytes(),
        )
        .await;
        assert_eq!(ex.json()["code"], "PAYLOAD_TOO_LARGE", "{}", ex.render());
        seen.push((path, ex.status));
    }
    assert!(seen.iter().all(|(_, s)| *s == 413), "{seen:?}");
    let jobs = server.engine().with_world(|w| w.basiq.jobs.len());
    assert_eq!(jobs, 0, "a refused refresh started a job");
}
