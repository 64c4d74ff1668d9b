//! Isolation per API key: with `--tenant-per-key`, unknown well-formed keys get private copies
//! of the scenario that never see each other; keys the scenario lists keep its own world;
//! tenants are bounded, reachable from the admin API, and dropped by a reset.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use crate::support::*;

async fn tenant_server(max: usize) -> sandbank::RunningServer {
    let scenario = sandbank::scenario::parse("default", sandbank::scenario::DEFAULT_SCENARIO)
        .expect("default scenario");
    let mut config = sandbank::ServerConfig::ephemeral(scenario);
    config.engine.clock = Some(sandbank::clock::ClockMode::Frozen { at: frozen_at() });
    config.engine.tenant_per_key = true;
    config.engine.max_tenants = Some(max);
    sandbank::start(config).await.expect("server starts")
}

fn basiq_key(app: &str) -> String {
    STANDARD.encode(format!("{app}:secret-of-{app}"))
}

async fn token_for(server: &sandbank::RunningServer, key: &str) -> Exchange {
    send(
        server.basiq_url(),
        "POST",
        "/token",
        &[
            ("authorization", &format!("Basic {key}")),
            ("basiq-version", "3.0"),
            ("content-type", "application/x-www-form-urlencoded"),
        ],
        b"scope=SERVER_ACCESS",
    )
    .await
}

/// A call with an `Authorization` header and a JSON body (empty when `None`).
async fn call(base: &str, auth: &str, method: &str, path: &str, body: Option<Value>) -> Exchange {
    let text = body.map(|b| b.to_string()).unwrap_or_default();
    let headers = [
        ("authorization", auth),
        ("content-type", "application/json"),
    ];
    send(base, method, path, &headers, text.as_bytes()).await
}

async fn basiq_as(
    server: &sandbank::RunningServer,
    key: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> Exchange {
    let token = token_for(server, key).await.json()["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let auth = format!("Bearer {token}");
    call(server.basiq_url(), &auth, method, path, body).await
}

async fn meld_as(
    server: &sandbank::RunningServer,
    key: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> Exchange {
    call(
        server.meld_url(),
        &format!("BASIC {key}"),
        method,
        path,
        body,
    )
    .await
}

/// Two Basiq applications and two Meld keys each start from the scenario's data and see only
/// what they made; the scenario's own keys see neither.
#[tokio::test]
async fn tenants_do_not_see_each_other() {
    let server = tenant_server(10).await;
    let (a, b) = (basiq_key("job-a"), basiq_key("job-b"));
    let made = basiq_as(
        &server,
        &a,
        "POST",
        "/users",
        Some(json!({"email": "only-a@example.com"})),
    )
    .await;
    assert_eq!(made.status, 201, "{}", made.render());
    let id = made.json()["id"].as_str().unwrap_or_default().to_owned();
    let path = format!("/users/{id}");
    assert_eq!(basiq_as(&server, &a, "GET", &path, None).await.status, 200);
    assert_eq!(basiq_as(&server, &b, "GET", &path, None).await.status, 404);
    assert_eq!(
        basiq_as(&server, BASIQ_KEY, "GET", &path, None)
            .await
            .status,
        404
    );
    // Each copy starts with the scenario's users.
    for key in [&a, &b] {
        assert_eq!(
            basiq_as(&server, key, "GET", "/users/ea3a81", None)
                .await
                .status,
            200
        );
    }
    // The scenario's own world is untouched by the tenants.
    let deleted = basiq_as(&server, &a, "DELETE", "/users/ea3a81", None).await;
    assert_eq!(deleted.status, 204);
    assert_eq!(
        basiq_as(&server, BASIQ_KEY, "GET", "/users/ea3a81", None)
            .await
            .status,
        200
    );
    assert_eq!(
        basiq_as(&server, &b, "GET", "/users/ea3a81", None)
            .await
            .status,
        200
    );

    let created = meld_as(
        &server,
        "sk_job_a",
        "POST",
        "/accounts/customers",
        Some(json!({"externalId": "a-only"})),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.render());
    let search = "/accounts/customers?externalId=a-only";
    let count = |v: Value| v["customers"].as_array().map(Vec::len).unwrap_or(0);
    assert_eq!(
        count(
            meld_as(&server, "sk_job_a", "GET", search, None)
                .await
                .json()
        ),
        1
    );
    assert_eq!(
        count(
            meld_as(&server, "sk_job_b", "GET", search, None)
                .await
                .json()
        ),
        0
    );
    assert_eq!(
        count(meld_as(&server, MELD_KEY, "GET", search, None).await.json()),
        0
    );
    assert_eq!(server.engine().tenants().len(), 4);
}

/// Without the flag an unknown key is refused as the vendor refuses it; with it, keys beyond
/// the bound are refused the same way.
#[tokio::test]
async fn unknown_keys_without_room_are_refused() {
    let plain = default_server().await;
    assert_eq!(token_for(&plain, &basiq_key("job-a")).await.status, 404);
    assert_eq!(
        meld_as(&plain, "sk_job_a", "GET", "/accounts/customers", None)
            .await
            .status,
        401
    );

    let server = tenant_server(1).await;
    assert_eq!(
        meld_as(&server, "sk_job_a", "GET", "/accounts/customers", None)
            .await
            .status,
        200
    );
    assert_eq!(
        meld_as(&server, "sk_job_b", "GET", "/accounts/customers", None)
            .await
            .status,
        401
    );
    // The bound is per vendor: Meld tenants do not use up Basiq's.
    assert_eq!(token_for(&server, &basiq_key("job-c")).await.status, 200);
    assert_eq!(token_for(&server, &basiq_key("job-d")).await.status, 404);
    // A malformed key never makes a tenant.
    assert_eq!(
        meld_as(&server, "sk job", "GET", "/accounts/customers", None)
            .await
            .status,
        401
    );
    assert_eq!(server.engine().tenants().len(), 2);
}

/// `Sandbank-Tenant` points admin calls at a tenant; a reset drops the tenants.
#[tokio::test]
async fn admin_calls_reach_a_tenant() {
    let server = tenant_server(10).await;
    let connection = "/bank-linking/connections/WQ5CwCxDxXhYuA4fVHGk3o";
    assert_eq!(
        meld_as(&server, "sk_job_a", "GET", connection, None)
            .await
            .status,
        200
    );
    let body = r#"{"vendor":"meld","connection":"WQ5CwCxDxXhYuA4fVHGk3o","status":"RECONNECT_REQUIRED","statusReason":"LOGIN_REQUIRED"}"#;
    let applied = send(
        server.meld_url(),
        "POST",
        "/__admin/transitions",
        &[
            ("content-type", "application/json"),
            ("sandbank-tenant", "sk_job_a"),
        ],
        body.as_bytes(),
    )
    .await;
    assert_eq!(applied.status, 200, "{}", applied.render());
    let status = |ex: Exchange| ex.json()["status"].clone();
    assert_eq!(
        status(meld_as(&server, "sk_job_a", "GET", connection, None).await),
        "RECONNECT_REQUIRED"
    );
    assert_eq!(
        status(meld_as(&server, MELD_KEY, "GET", connection, None).await),
        "ACTIVE"
    );

    send(server.meld_url(), "POST", "/__admin/reset", &[], b"").await;
    let gone = send(
        server.meld_url(),
        "POST",
        "/__admin/transitions",
        &[
            ("content-type", "application/json"),
            ("sandbank-tenant", "sk_job_a"),
        ],
        body.as_bytes(),
    )
    .await;
    assert_eq!(gone.status, 404, "{}", gone.render());
    // A fresh copy after the reset.
    assert_eq!(
        status(meld_as(&server, "sk_job_a", "GET", connection, None).await),
        "ACTIVE"
    );
}

/// A world of `users` empty Basiq users: `users` rows.
fn world(users: usize) -> sandbank::world::World {
    let mut world = sandbank::world::World::default();
    world.basiq.users = vec![sandbank::basiq::model::User::default(); users];
    world
}

#[test]
fn tenants_are_bounded_per_vendor_and_by_rows() {
    let tenants = sandbank::tenants::Tenants::default();
    assert!(tenants.get_or_create("meld:a", 1, || world(1)).is_some());
    assert!(tenants.get_or_create("meld:b", 1, || world(1)).is_none());
    assert!(tenants.get_or_create("basiq:a", 1, || world(1)).is_some());
    let half = sandbank::tenants::TENANT_ROWS / 2;
    assert!(
        tenants
            .get_or_create("basiq:b", 10, || world(half))
            .is_some()
    );
    assert!(
        tenants
            .get_or_create("basiq:c", 10, || world(half))
            .is_none()
    );
    assert_eq!(tenants.len(), 3);
    // An existing tenant is found whatever the bounds.
    assert!(tenants.get_or_create("basiq:b", 0, || world(0)).is_some());
}
