//! The admin API: health, clock, reset, and who may call it.

use std::net::SocketAddr;

use serde_json::json;

use crate::support::*;

async fn admin(
    base: &str,
    method: &str,
    path: &str,
    body: &str,
    extra: &[(&str, &str)],
) -> Exchange {
    let mut headers = vec![("content-type", "application/json")];
    headers.extend_from_slice(extra);
    send(base, method, path, &headers, body.as_bytes()).await
}

/// Health answers on both listeners.
#[tokio::test]
async fn health_on_both_listeners() {
    let server = default_server().await;
    for base in [server.basiq_url(), server.meld_url()] {
        let ex = get(base, "/__admin/health", &[]).await;
        assert_eq!((ex.status, ex.json()), (200, json!({"status": "ok"})));
    }
}

/// The clock: read, advance, set; a token expires when an hour is made to pass over HTTP.
#[tokio::test]
async fn clock_over_http() {
    let server = default_server().await;
    let url = server.basiq_url();
    assert_eq!(
        get(url, "/__admin/clock", &[]).await.json(),
        json!({"now": "2026-01-15T09:00:00.000Z", "frozen": true})
    );
    let auth = format!("Bearer {}", server_token(&server).await);
    let advanced = admin(
        url,
        "POST",
        "/__admin/clock/advance",
        r#"{"seconds": 3600}"#,
        &[],
    )
    .await;
    assert_eq!(advanced.json()["now"], "2026-01-15T10:00:00.000Z");
    assert_eq!(
        get(url, "/users/ea3a81", &[("authorization", &auth)])
            .await
            .status,
        403
    );
    let set = admin(
        server.meld_url(),
        "POST",
        "/__admin/clock/set",
        r#"{"now": "2030-01-01T00:00:00Z"}"#,
        &[],
    )
    .await;
    assert_eq!(set.json()["now"], "2030-01-01T00:00:00.000Z");
    for (path, body) in [
        ("/__admin/clock/advance", r#"{"seconds": -5}"#),
        ("/__admin/clock/advance", r#"{"minutes": 5}"#),
        ("/__admin/clock/set", r#"{"now": "tomorrow"}"#),
        ("/__admin/clock/set", "not json"),
    ] {
        let ex = admin(url, "POST", path, body, &[]).await;
        assert_eq!(ex.status, 400, "{path} {body}");
        assert!(ex.json()["error"].is_string());
    }
}

/// Reset puts the scenario's state and clock back.
#[tokio::test]
async fn reset_restores_the_scenario() {
    let server = default_server().await;
    let url = server.basiq_url();
    let auth = format!("Bearer {}", server_token(&server).await);
    let h = [
        ("authorization", auth.as_str()),
        ("content-type", "application/json"),
    ];
    assert_eq!(
        send(url, "DELETE", "/users/ea3a81", &h, b"").await.status,
        204
    );
    admin(
        url,
        "POST",
        "/__admin/clock/advance",
        r#"{"seconds": 60}"#,
        &[],
    )
    .await;
    let reset = admin(url, "POST", "/__admin/reset", "", &[]).await;
    assert_eq!(reset.json()["now"], "2026-01-15T09:00:00.000Z");
    assert_eq!(
        get(url, "/users/ea3a81", &h).await.status,
        200,
        "tokens minted before a reset stay valid"
    );
}

/// With an admin token, callers must send it (scheme in any case); without one, only loopback
/// callers that address the server by a loopback name get in. Health answers anyone; nothing
/// answers a web page (a request with `Origin`); an empty token counts as none; a refused caller
/// learns nothing about tenants.
#[tokio::test]
async fn who_may_call() {
    let scenario =
        sandbank::scenario::parse("default", sandbank::scenario::DEFAULT_SCENARIO).expect("valid");
    let mut config = sandbank::ServerConfig::ephemeral(scenario.clone());
    config.engine.admin_token = Some("s3cret".to_owned());
    let guarded = sandbank::start(config).await.expect("starts");
    let status = async |path: &str, headers: &[(&str, &str)]| {
        get(guarded.basiq_url(), path, headers).await.status
    };
    assert_eq!(status("/__admin/health", &[]).await, 200);
    assert_eq!(status("/__admin/clock", &[]).await, 401);
    assert_eq!(
        status("/__admin/clock", &[("authorization", "Bearer wrong")]).await,
        401
    );
    for scheme in ["Bearer", "bearer", "BEARER"] {
        let auth = format!("{scheme} s3cret");
        assert_eq!(
            status("/__admin/clock", &[("authorization", &auth)]).await,
            200,
            "{scheme}"
        );
    }
    assert_eq!(
        status(
            "/__admin/clock",
            &[
                ("authorization", "Bearer s3cret"),
                ("origin", "https://evil.example")
            ]
        )
        .await,
        403
    );
    // The tenant lookup comes after the token check: an unknown tenant is not revealed.
    assert_eq!(
        status("/__admin/requests", &[("sandbank-tenant", "sk_sb_nobody")]).await,
        401
    );

    let mut empty = sandbank::ServerConfig::ephemeral(scenario.clone());
    empty.engine.admin_token = Some(String::new());
    let open = sandbank::start(empty).await.expect("starts");
    assert_eq!(
        get(open.basiq_url(), "/__admin/clock", &[]).await.status,
        200
    );

    let engine = sandbank::Engine::new(&scenario, sandbank::EngineConfig::default());
    let router = sandbank::admin::router(engine);
    let cases = [
        (
            "/__admin/health",
            "10.1.2.3:5000",
            "sandbank.test",
            None,
            200,
        ),
        (
            "/__admin/clock",
            "10.1.2.3:5000",
            "127.0.0.1:4010",
            None,
            403,
        ),
        (
            "/__admin/clock",
            "127.0.0.1:5000",
            "127.0.0.1:4010",
            None,
            200,
        ),
        (
            "/__admin/clock",
            "127.0.0.1:5000",
            "localhost:4010",
            None,
            200,
        ),
        ("/__admin/clock", "127.0.0.1:5000", "[::1]:4010", None, 200),
        (
            "/__admin/clock",
            "127.0.0.1:5000",
            "api.localhost",
            None,
            200,
        ),
        // A page whose name was rebound to 127.0.0.1.
        (
            "/__admin/clock",
            "127.0.0.1:5000",
            "rebound.example:4010",
            None,
            403,
        ),
        (
            "/__admin/clock",
            "127.0.0.1:5000",
            "localhost:4010",
            Some("http://localhost:3000"),
            403,
        ),
    ];
    for (path, peer, host, origin, status) in cases {
        let mut request = axum::http::Request::get(path).header("host", host);
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        let mut request = request.body(axum::body::Body::empty()).expect("request");
        let peer: SocketAddr = peer.parse().expect("address");
        request
            .extensions_mut()
            .insert(axum::extract::ConnectInfo(peer));
        let response = tower::ServiceExt::oneshot(router.clone(), request)
            .await
            .expect("infallible");
        assert_eq!(
            response.status().as_u16(),
            status,
            "{path} from {peer} to {host} ({origin:?})"
        );
    }
}

/// An admin body without `Content-Type: application/json` is refused with a message that names
/// the header, and changes nothing.
#[tokio::test]
async fn admin_bodies_name_the_missing_content_type() {
    let server = default_server().await;
    for (path, body) in [
        ("/__admin/clock/advance", r#"{"seconds": 60}"#),
        ("/__admin/clock/set", r#"{"now": "2030-01-01T00:00:00Z"}"#),
        ("/__admin/faults", r#"{"status": 500}"#),
    ] {
        let ex = send(server.basiq_url(), "POST", path, &[], body.as_bytes()).await;
        assert_eq!(ex.status, 415, "{path}: {}", ex.render());
        let message = ex.json()["error"].as_str().unwrap_or_default().to_owned();
        assert!(
            message.contains("Content-Type: application/json"),
            "{message}"
        );
    }
    let clock = get(server.basiq_url(), "/__admin/clock", &[]).await.json();
    assert_eq!(clock["now"], "2026-01-15T09:00:00.000Z");
    let faults = get(server.basiq_url(), "/__admin/faults", &[]).await.json();
    assert_eq!(faults["faults"], serde_json::json!([]));
}

/// Forced transitions: a Meld connection breaks now (with its STATUS_CHANGE event), a Basiq
/// connection is invalidated (with `connection.invalidated`); mistakes are refused and change
/// nothing.
#[tokio::test]
async fn forced_transitions() {
    let server = default_server().await;
    let meld = admin(
        server.meld_url(),
        "POST",
        "/__admin/transitions",
        r#"{"vendor":"meld","connection":"WQ5CwCxDxXhYuA4fVHGk3o","status":"RECONNECT_REQUIRED","statusReason":"LOGIN_REQUIRED"}"#,
        &[],
    )
    .await;
    assert_eq!(
        (meld.status, meld.json()),
        (
            200,
            json!({
                "vendor": "meld",
                "connection": "WQ5CwCxDxXhYuA4fVHGk3o",
                "before": { "status": "ACTIVE", "statusReason": null },
                "after": { "status": "RECONNECT_REQUIRED", "statusReason": "LOGIN_REQUIRED" },
            })
        )
    );
    let c = meld_call(
        &server,
        "GET",
        "/bank-linking/connections/WQ5CwCxDxXhYuA4fVHGk3o",
        None,
    )
    .await;
    assert_eq!(c.json()["status"], "RECONNECT_REQUIRED");
    let changes = server.engine().with_world(|w| {
        w.meld
            .events
            .iter()
            .filter(|e| e.event_type == "BANK_LINKING_CONNECTION_STATUS_CHANGE")
            .map(|e| e.body["payload"]["newStatusReason"].clone())
            .collect::<Vec<_>>()
    });
    assert_eq!(changes, [json!("LOGIN_REQUIRED")]);

    let basiq = admin(
        server.basiq_url(),
        "POST",
        "/__admin/transitions",
        r#"{"vendor":"basiq","connection":"8fce3b","status":"invalid"}"#,
        &[],
    )
    .await;
    assert_eq!(basiq.status, 200, "{}", basiq.render());
    assert_eq!(basiq.json()["after"]["status"], "invalid");
    let events = server.engine().with_world(|w| {
        w.basiq
            .events
            .iter()
            .map(|e| e.type_id())
            .collect::<Vec<_>>()
    });
    assert!(
        events.contains(&"connection.invalidated".to_owned()),
        "{events:?}"
    );

    let refusals = [
        (
            r#"{"vendor":"plaid","connection":"x","status":"ACTIVE"}"#,
            400,
        ),
        (
            r#"{"vendor":"meld","connection":"nope","status":"ACTIVE"}"#,
            404,
        ),
        (
            r#"{"vendor":"meld","connection":"WQ5CwCxDxXhYuA4fVHGk3o","status":"BROKEN"}"#,
            400,
        ),
        (
            r#"{"vendor":"basiq","connection":"8fce3b","status":"active","statusReason":"OTHER"}"#,
            400,
        ),
        (r#"{"vendor":"meld"}"#, 400),
    ];
    for (body, status) in refusals {
        let ex = admin(
            server.basiq_url(),
            "POST",
            "/__admin/transitions",
            body,
            &[],
        )
        .await;
        assert_eq!(ex.status, status, "{body}: {}", ex.render());
        assert!(ex.json()["error"].is_string());
    }
    let c = meld_call(
        &server,
        "GET",
        "/bank-linking/connections/WQ5CwCxDxXhYuA4fVHGk3o",
        None,
    )
    .await;
    assert_eq!(
        c.json()["status"],
        "RECONNECT_REQUIRED",
        "refusals change nothing"
    );
}

/// The request journal: vendor requests with their status (admin calls left out), filters, a
/// bounded ring that says how much it dropped, emptied by a reset.
#[tokio::test]
async fn request_journal() {
    let scenario = sandbank::scenario::parse("test.toml", sandbank::scenario::DEFAULT_SCENARIO)
        .expect("default scenario");
    let mut config = sandbank::ServerConfig::ephemeral(scenario);
    config.engine.clock = Some(sandbank::clock::ClockMode::Frozen { at: frozen_at() });
    config.engine.journal_limit = Some(3);
    let server = sandbank::start(config).await.expect("server starts");
    meld_call(&server, "GET", "/bank-linking/connections/nope", None).await;
    meld_call(&server, "GET", "/bank-linking/connections?limit=1", None).await;
    get(server.basiq_url(), "/users/ea3a81", &[]).await;
    get(server.basiq_url(), "/__admin/health", &[]).await;
    let read = async |query: &str| {
        get(server.meld_url(), &format!("/__admin/requests{query}"), &[])
            .await
            .json()
    };
    assert_eq!(
        read("").await,
        json!({
            "requests": [
                { "vendor": "meld", "method": "GET", "path": "/bank-linking/connections/nope", "query": null, "status": 404, "time": "2026-01-15T09:00:00.000Z" },
                { "vendor": "meld", "method": "GET", "path": "/bank-linking/connections", "query": "limit=1", "status": 200, "time": "2026-01-15T09:00:00.000Z" },
                { "vendor": "basiq", "method": "GET", "path": "/users/ea3a81", "query": null, "status": 403, "time": "2026-01-15T09:00:00.000Z" },
            ],
            "dropped": 0,
            "limit": 3,
        })
    );
    let only = read("?vendor=meld&method=get&path=%2Fbank-linking%2Fconnections%2F").await;
    assert_eq!(only["requests"].as_array().map(Vec::len), Some(1));
    assert_eq!(only["requests"][0]["status"], 404);
    get(server.basiq_url(), "/users/ea3a81/accounts", &[]).await;
    let full = read("").await;
    assert_eq!(full["dropped"], 1);
    assert_eq!(full["requests"][0]["path"], "/bank-linking/connections");
    assert_eq!(full["requests"][2]["path"], "/users/ea3a81/accounts");
    admin(server.meld_url(), "POST", "/__admin/reset", "", &[]).await;
    assert_eq!(read("").await["requests"], json!([]));
}

/// `POST /__admin/scenario` replaces the world, the clock and the journal; a reset returns to
/// the new scenario; a scenario with problems answers 400 with them, located, and changes
/// nothing.
#[tokio::test]
async fn scenario_replaced_over_http() {
    let server = default_server().await;
    let url = server.meld_url();
    let meld = |path: &'static str| {
        let auth = format!("BASIC {MELD_KEY}");
        async move { get(url, path, &[("authorization", &auth)]).await }
    };
    assert_eq!(
        meld("/accounts/customers/WQ5CwFZAT79JWX27hk8ARS")
            .await
            .status,
        200
    );

    let bad = admin(
        url,
        "POST",
        "/__admin/scenario",
        "[meld]\napiKeys = [\"sk_sb_sandbank\"]\ncolour = 1\n[[meld.customers]]\nid = \"no spaces\"\n",
        &[],
    )
    .await;
    assert_eq!(bad.status, 400);
    crate::snap!("admin_scenario_problems", bad.render());
    assert_eq!(
        meld("/accounts/customers/WQ5CwFZAT79JWX27hk8ARS")
            .await
            .status,
        200
    );

    let text = "name = \"small\"\nclock = { start = \"2030-06-01T00:00:00Z\", frozen = true }\n[meld]\napiKeys = [\"sk_sb_sandbank\"]\n[[meld.customers]]\nid = \"WQ9newCustomer00000000A\"\nexternalId = \"fresh\"\n";
    let loaded = admin(url, "POST", "/__admin/scenario", text, &[]).await;
    assert_eq!(loaded.status, 200, "{}", loaded.render());
    // The server was started with a frozen clock of its own; that setting stays.
    assert_eq!(
        loaded.json(),
        json!({"now": "2026-01-15T09:00:00.000Z", "frozen": true, "name": "small"})
    );
    assert_eq!(
        meld("/accounts/customers/WQ5CwFZAT79JWX27hk8ARS")
            .await
            .status,
        404
    );
    assert_eq!(
        meld("/accounts/customers/WQ9newCustomer00000000A")
            .await
            .status,
        200
    );
    let journal = get(url, "/__admin/requests", &[]).await.json();
    assert_eq!(
        journal["requests"].as_array().map(Vec::len),
        Some(2),
        "{journal}"
    );

    admin(
        url,
        "POST",
        "/__admin/clock/advance",
        r#"{"seconds": 60}"#,
        &[],
    )
    .await;
    admin(url, "POST", "/__admin/reset", "", &[]).await;
    assert_eq!(
        meld("/accounts/customers/WQ9newCustomer00000000A")
            .await
            .status,
        200
    );
    assert_eq!(
        get(url, "/__admin/clock", &[]).await.json()["now"],
        "2026-01-15T09:00:00.000Z"
    );
}
