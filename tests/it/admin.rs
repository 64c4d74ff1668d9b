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

/// With an admin token, callers must send it; without one, only loopback callers get in.
#[tokio::test]
async fn who_may_call() {
    let scenario =
        sandbank::scenario::parse("default", sandbank::scenario::DEFAULT_SCENARIO).expect("valid");
    let mut config = sandbank::ServerConfig::ephemeral(scenario.clone());
    config.engine.admin_token = Some("s3cret".to_owned());
    let guarded = sandbank::start(config).await.expect("starts");
    assert_eq!(
        get(guarded.basiq_url(), "/__admin/health", &[])
            .await
            .status,
        401
    );
    assert_eq!(
        get(
            guarded.basiq_url(),
            "/__admin/health",
            &[("authorization", "Bearer wrong")]
        )
        .await
        .status,
        401
    );
    assert_eq!(
        get(
            guarded.basiq_url(),
            "/__admin/health",
            &[("authorization", "Bearer s3cret")]
        )
        .await
        .status,
        200
    );

    let engine = sandbank::Engine::new(&scenario, sandbank::EngineConfig::default());
    let router = sandbank::admin::router(engine);
    for (peer, status) in [("10.1.2.3:5000", 403), ("127.0.0.1:5000", 200)] {
        let mut request = axum::http::Request::get("/__admin/health")
            .body(axum::body::Body::empty())
            .expect("request");
        let peer: SocketAddr = peer.parse().expect("address");
        request
            .extensions_mut()
            .insert(axum::extract::ConnectInfo(peer));
        let response = tower::ServiceExt::oneshot(router.clone(), request)
            .await
            .expect("infallible");
        assert_eq!(response.status().as_u16(), status, "{peer}");
    }
}
