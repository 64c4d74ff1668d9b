//! Basiq events: recorded on every change, read through /events and /events/types.

use chrono::Duration;
use serde_json::json;

use crate::snap;
use crate::support::*;

/// A user's life and a persona's connection leave the documented events, newest first.
#[tokio::test]
async fn changes_are_recorded() {
    let server = default_server().await;
    let url = server.basiq_url();
    let auth = format!("Bearer {}", server_token(&server).await);
    let h = [
        ("authorization", auth.as_str()),
        ("content-type", "application/json"),
    ];
    let created = send(url, "POST", "/users", &h, br#"{"email":"gavin@hooli.com"}"#)
        .await
        .json();
    let id = created["id"].as_str().unwrap_or_default().to_owned();
    send(
        url,
        "POST",
        &format!("/users/{id}"),
        &h,
        br#"{"firstName":"Gavin"}"#,
    )
    .await;
    let body =
        json!({"loginId": "Gilfoyle", "password": "PiedPiper", "institution": {"id": "AU00000"}});
    send(
        url,
        "POST",
        &format!("/users/{id}/connections"),
        &h,
        body.to_string().as_bytes(),
    )
    .await;
    let body =
        json!({"loginId": "bighead", "password": "password", "institution": {"id": "AU00000"}});
    send(
        url,
        "POST",
        &format!("/users/{id}/connections"),
        &h,
        body.to_string().as_bytes(),
    )
    .await;
    server.engine().clock().advance(Duration::seconds(3));
    let events = get(url, &format!("/events?filter=user.id.eq('{id}')"), &h)
        .await
        .json();
    assert_eq!(
        event_kinds(&events),
        [
            "transactions.updated",
            "connection.invalidated",
            "connection.activated",
            "connection.created",
            "connection.created",
            "consent.created",
            "user.updated",
            "user.created",
        ]
    );
    let transactions = &events["data"][0];
    assert!(
        transactions["data"]["count"]
            .as_str()
            .is_some_and(|c| c.parse::<u32>().unwrap_or(0) > 100)
    );
    let one = get(
        url,
        &format!(
            "/events/{}",
            events["data"][7]["id"].as_str().unwrap_or_default()
        ),
        &h,
    )
    .await;
    assert_eq!(one.status, 200);
    assert_eq!(one.json()["data"]["email"], "gavin@hooli.com");
    snap!("basiq_event_user_created", one.render());

    send(url, "DELETE", &format!("/users/{id}"), &h, b"").await;
    let deleted = get(url, "/events?filter=event.type.eq('deleted')", &h)
        .await
        .json();
    assert_eq!(event_kinds(&deleted), ["user.deleted"]);
    let by_entity = get(url, "/events?filter=event.entity.eq('user')", &h)
        .await
        .json();
    assert_eq!(
        event_kinds(&by_entity),
        ["user.deleted", "user.updated", "user.created"]
    );
}

/// A transition written in the scenario is an event too.
#[tokio::test]
async fn transitions_are_recorded() {
    let scenario = "seed = 1\n[basiq]\napiKeys = [\"c2FuZGJhbms6c2FuZGJveA==\"]\n[[basiq.users]]\nid = \"u1\"\n[[basiq.users.connections]]\nid = \"c1\"\ntransitions = [{ after = \"1h\", status = \"invalid\" }]\n";
    let server = server(scenario).await;
    server.engine().clock().advance(Duration::hours(1));
    let auth = format!("Bearer {}", server_token(&server).await);
    let events = get(server.basiq_url(), "/events", &[("authorization", &auth)])
        .await
        .json();
    assert_eq!(event_kinds(&events), ["connection.invalidated"]);
    assert_eq!(events["data"][0]["data"]["status"], "invalid");
    assert_eq!(events["data"][0]["createdDate"], "2026-01-15T10:00:00Z");
}

/// The 15 event types, one type, and the errors.
#[tokio::test]
async fn event_types() {
    let server = default_server().await;
    let url = server.basiq_url();
    let auth = format!("Bearer {}", server_token(&server).await);
    let h = [("authorization", auth.as_str())];
    let all = get(url, "/events/types", &h).await;
    assert_eq!(all.json()["size"], 15);
    let exchanges = vec![
        all,
        get(url, "/events/types/user.created", &h).await,
        get(url, "/events/types/user.exploded", &h).await,
        get(url, "/events/types/not_a_type", &h).await,
        get(url, "/events/abc", &h).await,
        get(url, &format!("/events/{}", "0".repeat(64)), &h).await,
        get(url, "/events?filter=event.colour.eq('red')", &h).await,
    ];
    let statuses: Vec<u16> = exchanges.iter().map(|e| e.status).collect();
    assert_eq!(statuses, [200, 200, 404, 400, 400, 404, 400]);
    snap!("basiq_event_types", render_all(&exchanges));
}
