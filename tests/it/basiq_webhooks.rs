//! Basiq webhook management and messages.

use serde_json::{Value, json};

use crate::snap;
use crate::support::*;

async fn post(server: &sandbank::RunningServer, auth: &str, path: &str, body: Value) -> Exchange {
    let h = [
        ("authorization", auth),
        ("content-type", "application/json"),
    ];
    send(
        server.basiq_url(),
        "POST",
        path,
        &h,
        body.to_string().as_bytes(),
    )
    .await
}

/// Create, read, list, update, delete; events the webhook subscribes to become its messages.
#[tokio::test]
async fn webhook_lifecycle_and_messages() {
    let server = default_server().await;
    let auth = format!("Bearer {}", server_token(&server).await);
    let h = [("authorization", auth.as_str())];
    let created = post(&server, &auth, "/notifications/webhooks", json!({"name": "hooks", "url": "https://example.com/hook", "subscribedEvents": ["user.created", "connection.created"]})).await;
    assert_eq!(created.status, 201);
    let hook = created.json();
    let id = hook["id"].as_str().unwrap_or_default().to_owned();
    assert!(
        hook["secret"]
            .as_str()
            .is_some_and(|s| s.starts_with("whsec_") && s.len() == 6 + 44)
    );

    let got = get(
        server.basiq_url(),
        &format!("/notifications/webhooks/{id}"),
        &h,
    )
    .await;
    assert_eq!(got.status, 200);
    assert!(
        got.json().get("secret").is_none(),
        "secrets are shown on create and update only"
    );
    let listed = get(server.basiq_url(), "/notifications/webhooks", &h)
        .await
        .json();
    assert_eq!(
        (listed["size"].as_u64(), listed["count"].as_u64()),
        (Some(1), Some(1))
    );

    post(&server, &auth, "/users", json!({"email": "a@b.co"})).await;
    post(
        &server,
        &auth,
        "/users/ea3a81",
        json!({"firstName": "Maxwell"}),
    )
    .await;
    let messages = get(
        server.basiq_url(),
        &format!("/notifications/webhooks/{id}/messages"),
        &h,
    )
    .await;
    let body = messages.json();
    assert_eq!(body["size"], 1, "user.updated is not subscribed");
    assert_eq!(body["data"][0]["eventTypeId"], "user.created");
    let message_id = body["data"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let one = get(
        server.basiq_url(),
        &format!("/notifications/webhooks/{id}/messages/{message_id}"),
        &h,
    )
    .await;
    assert_eq!(one.status, 200);

    let updated = post(
        &server,
        &auth,
        &format!("/notifications/webhooks/{id}"),
        json!({"subscribedEvents": "user.updated"}),
    )
    .await;
    assert_eq!(updated.status, 200);
    assert_eq!(updated.json()["subscribedEvents"], json!(["user.updated"]));

    let test = post(
        &server,
        &auth,
        "/notifications/messages/test",
        json!({"eventTypeId": "user.deleted", "Text": "hi"}),
    )
    .await;
    assert_eq!(test.status, 201);
    let after = get(
        server.basiq_url(),
        &format!("/notifications/webhooks/{id}/messages?limit=1"),
        &h,
    )
    .await
    .json();
    assert_eq!(
        (after["size"].as_u64(), after["count"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(after["data"][0]["eventTypeId"], "user.deleted");

    let deleted = send(
        server.basiq_url(),
        "DELETE",
        &format!("/notifications/webhooks/{id}"),
        &h,
        b"",
    )
    .await;
    assert_eq!(deleted.status, 204);
    assert_eq!(
        get(
            server.basiq_url(),
            &format!("/notifications/webhooks/{id}"),
            &h
        )
        .await
        .status,
        404
    );
    snap!("basiq_webhook", render_all(&[got, one]));
}

/// Each documented refusal.
#[tokio::test]
async fn webhook_errors() {
    let server = default_server().await;
    let auth = format!("Bearer {}", server_token(&server).await);
    let h = [("authorization", auth.as_str())];
    let test_first = post(
        &server,
        &auth,
        "/notifications/messages/test",
        json!({"eventTypeId": "user.created"}),
    )
    .await;
    assert_eq!(test_first.status, 400);
    assert_eq!(
        post(
            &server,
            &auth,
            "/notifications/webhooks",
            json!({"url": "https://a.example/h", "subscribedEvents": ["user.created"]})
        )
        .await
        .status,
        201
    );
    let cases = vec![
        test_first,
        post(
            &server,
            &auth,
            "/notifications/webhooks",
            json!({"subscribedEvents": ["user.created"]}),
        )
        .await,
        post(
            &server,
            &auth,
            "/notifications/webhooks",
            json!({"url": "https://b.example/h", "subscribedEvents": ["user.exploded"]}),
        )
        .await,
        post(
            &server,
            &auth,
            "/notifications/webhooks",
            json!({"url": "https://b.example/h", "subscribedEvents": ["user.created"]}),
        )
        .await,
        post(
            &server,
            &auth,
            "/notifications/webhooks",
            json!({"url": "https://a.example/h", "subscribedEvents": ["user.deleted"]}),
        )
        .await,
        post(
            &server,
            &auth,
            "/notifications/messages/test",
            json!({"eventTypeId": "user.exploded"}),
        )
        .await,
        get(server.basiq_url(), "/notifications/webhooks/bad%20id", &h).await,
        get(
            server.basiq_url(),
            "/notifications/webhooks/00000000-0000-4000-8000-000000000000",
            &h,
        )
        .await,
    ];
    let statuses: Vec<u16> = cases.iter().map(|e| e.status).collect();
    assert_eq!(statuses, [400, 400, 400, 400, 409, 400, 400, 404]);
    snap!("basiq_webhook_errors", render_all(&cases));
}

/// Webhook messages honour `filter` on event type, event, date and status (bare or under
/// `message.`); a filter Basiq would not take is its 400.
#[tokio::test]
async fn webhook_messages_filter() {
    let server = default_server().await;
    let auth = format!("Bearer {}", server_token(&server).await);
    let h = [("authorization", auth.as_str())];
    let created = post(&server, &auth, "/notifications/webhooks", json!({"url": "http://127.0.0.1:9/nobody", "subscribedEvents": ["user.created", "user.updated"]})).await;
    let id = created.json()["id"].as_str().unwrap_or_default().to_owned();
    post(&server, &auth, "/users", json!({"email": "a@b.co"})).await;
    post(
        &server,
        &auth,
        "/users/ea3a81",
        json!({"firstName": "Maxwell"}),
    )
    .await;
    let list = async |filter: &str| {
        get(
            server.basiq_url(),
            &format!("/notifications/webhooks/{id}/messages?filter={filter}"),
            &h,
        )
        .await
    };
    let types = |ex: &Exchange| values(&ex.json(), "eventTypeId");
    assert_eq!(
        types(&list("eventTypeId.eq('user.updated')").await),
        ["user.updated"]
    );
    assert_eq!(
        types(&list("message.eventTypeId.eq('user.created')").await),
        ["user.created"]
    );
    let all = list("date.eq('2026-01-15')").await;
    assert_eq!(types(&all).len(), 2, "{}", all.render());
    assert!(types(&list("date.gt('2026-01-15')").await).is_empty());
    let event = all.json()["data"][0]["eventId"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(
        types(&list(&format!("eventId.eq('{event}')")).await).len(),
        1
    );
    // A message's status moves while deliveries are tried (the receiver refuses), so the two
    // filtered reads are repeated until no attempt lands between them.
    let mut split = 0;
    for _ in 0..50 {
        split = types(&list("status.eq('failed')").await).len()
            + types(&list("status.eq('pending')").await).len();
        if split == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(split, 2, "every message is failed or pending");
    assert!(types(&list("status.eq('success')").await).is_empty());
    let bad = list("colour.eq('blue')").await;
    assert_eq!(bad.status, 400, "{}", bad.render());
    assert_eq!(bad.json()["data"][0]["code"], "parameter-not-valid");
}

/// `webhookCoolOff`: a new webhook's messages are listed without attempts until the cool-off
/// has passed on the server clock, then delivered.
#[tokio::test]
async fn deliveries_wait_for_the_webhook_cool_off() {
    let scenario = sandbank::scenario::DEFAULT_SCENARIO.replacen(
        "[basiq]\n",
        "[basiq]\nwebhookCoolOff = \"15m\"\n",
        1,
    );
    assert!(scenario.contains("webhookCoolOff"));
    let server = crate::support::server(&scenario).await;
    let auth = format!("Bearer {}", server_token(&server).await);
    let h = [("authorization", auth.as_str())];
    let created = post(
        &server,
        &auth,
        "/notifications/webhooks",
        json!({"url": "http://127.0.0.1:9/nobody", "subscribedEvents": ["user.created"]}),
    )
    .await;
    let id = created.json()["id"].as_str().unwrap_or_default().to_owned();
    post(&server, &auth, "/users", json!({"email": "a@b.co"})).await;
    let attempts = async || {
        let ex = get(
            server.basiq_url(),
            &format!("/notifications/webhooks/{id}/messages"),
            &h,
        )
        .await;
        ex.json()["data"][0]["attempts"]
            .as_array()
            .map_or(0, Vec::len)
    };
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(attempts().await, 0, "no attempt within the cool-off");
    server
        .engine()
        .clock()
        .advance(chrono::Duration::minutes(15));
    let mut seen = 0;
    for _ in 0..100 {
        seen = attempts().await;
        if seen > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(seen > 0, "delivered once the cool-off passed");
}
