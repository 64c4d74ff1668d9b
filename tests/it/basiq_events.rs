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
            "connection.updated",
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
    // The job brought the connection up to date: §12.1's connection.updated, with the
    // connection as the list shows it plus `mfaEnabled`.
    let updated = &events["data"][1]["data"];
    assert_eq!(
        (&updated["status"], &updated["mfaEnabled"]),
        (&json!("active"), &json!(false))
    );
    assert_eq!(updated["lastUsed"], events["data"][1]["createdDate"]);
    let one = get(
        url,
        &format!(
            "/events/{}",
            events["data"][8]["id"].as_str().unwrap_or_default()
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

/// A scripted account status is `account.updated`, its snapshot the account with its
/// connection as an object; a balance alone announces nothing.
#[tokio::test]
async fn an_account_status_change_is_account_updated() {
    let scenario = r#"
seed = 1
[basiq]
apiKeys = ["c2FuZGJhbms6c2FuZGJveA=="]
[[basiq.users]]
id = "u1"
email = "u1@example.com"
[[basiq.users.connections]]
id = "c1"
transitions = [
  { after = "1h", account = "a1", balance = "250.00" },
  { after = "1h", account = "a1", accountStatus = "unavailable" },
]
[[basiq.users.connections.accounts]]
id = "a1"
name = "Everyday"
balance = "100.00"
history = { days = 3 }
"#;
    let server = server(scenario).await;
    server.engine().clock().advance(Duration::minutes(59));
    let auth = format!("Bearer {}", server_token(&server).await);
    let h = [("authorization", auth.as_str())];
    server.engine().clock().advance(Duration::minutes(1));
    let events = get(server.basiq_url(), "/events", &h).await.json();
    assert_eq!(event_kinds(&events), Vec::<String>::new());
    server.engine().clock().advance(Duration::minutes(60));
    let auth = format!("Bearer {}", server_token(&server).await);
    let h = [("authorization", auth.as_str())];
    let events = get(server.basiq_url(), "/events", &h).await.json();
    assert_eq!(event_kinds(&events), ["account.updated"]);
    let id = events["data"][0]["id"].as_str().unwrap_or_default();
    let one = get(server.basiq_url(), &format!("/events/{id}"), &h).await;
    let account = &one.json()["data"];
    assert_eq!(
        (&account["status"], &account["balance"]),
        (&json!("unavailable"), &json!("250.00"))
    );
    assert_eq!(account["connection"]["id"], "c1");
    snap!("basiq_event_account_updated", one.render());
    let read = get(server.basiq_url(), "/users/u1/accounts/a1", &h).await;
    assert_eq!(read.json()["status"], "unavailable");
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

/// `(entity.eventType, createdDate)` of a user's consent events listed now (the last 7 days),
/// oldest first.
async fn consent_events(b: &Basiq, user: &str) -> Vec<(String, String)> {
    let events = b
        .get(&format!("/events?filter=user.id.eq('{user}')"))
        .await
        .json();
    let mut found: Vec<(String, String)> = event_kinds(&events)
        .into_iter()
        .zip(values(&events, "createdDate"))
        .filter(|(kind, _)| kind.starts_with("consent."))
        .collect();
    found.reverse();
    found
}

/// A consent's timed events on the server clock: `consent.reminder` 90 days after its last
/// update, `consent.warning` 7 days before it expires, `consent.expired` when it does, each dated
/// then. Extending it moves all three: the old dates pass silently.
#[tokio::test]
async fn consent_reminder_warning_and_expiry() {
    let mut b = Basiq::start().await;
    let start = b.server.engine().clock().now();
    let day = |n: i64| {
        (start + Duration::days(n))
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string()
    };
    let event = |kind: &str, n: i64| (kind.to_owned(), day(n));
    // Moves the clock to day `n` of the run and lists the consent events of the last 7 days.
    let mut today = 0;
    let mut on_day = async |b: &mut Basiq, n: i64| {
        b.advance((n - today) * 86_400);
        today = n;
        b.new_server_token().await;
        consent_events(b, "ea3a81").await
    };
    assert_eq!(on_day(&mut b, 91).await, [event("consent.reminder", 90)]);
    // Extended on day 100 through the Consent UI: a year on from then.
    assert_eq!(on_day(&mut b, 100).await, []);
    let token = basiq_token(&b.server, "scope=CLIENT_ACCESS&userId=ea3a81").await;
    let extended = send(
        b.server.basiq_url(),
        "POST",
        "/consent/home",
        &[("content-type", "application/x-www-form-urlencoded")],
        format!("token={token}&action=extend&step=extend").as_bytes(),
    )
    .await;
    assert_eq!(extended.status, 200, "{}", extended.render());
    assert_eq!(
        consent_events(&b, "ea3a81").await,
        [event("consent.updated", 100)]
    );
    assert_eq!(on_day(&mut b, 191).await, [event("consent.reminder", 190)]);
    // The first year's warning (day 358) and expiry (day 365) no longer apply.
    assert_eq!(on_day(&mut b, 364).await, []);
    assert_eq!(on_day(&mut b, 366).await, []);
    assert_eq!(
        b.get("/users/ea3a81/consents").await.json()["data"][0]["status"],
        "active"
    );
    assert_eq!(on_day(&mut b, 459).await, [event("consent.warning", 458)]);
    assert_eq!(on_day(&mut b, 466).await, [event("consent.expired", 465)]);
    assert_eq!(
        b.get("/users/ea3a81/consents").await.json()["data"][0]["status"],
        "expired"
    );
}

/// Consent events carry the consent as the consents list shows it: `consent.updated` the new
/// expiry, `consent.expired` the `expired` status, `consent.revoked` the `revoked` status and
/// when.
#[tokio::test]
async fn consent_events_carry_the_consents_snapshot() {
    let mut b = Basiq::start().await;
    let listed = b.get("/users/ea3a81/consents").await.json()["data"][0].clone();
    let id = listed["id"].as_str().unwrap_or_default().to_owned();
    b.advance(86_400);
    b.new_server_token().await;
    let revoked = send(
        b.server.basiq_url(),
        "DELETE",
        &format!("/users/ea3a81/consents/{id}"),
        &[("authorization", &b.server_auth)],
        b"",
    )
    .await;
    assert_eq!(revoked.status, 204, "{}", revoked.render());
    let events = b
        .get("/events?filter=event.entity.eq('consent')")
        .await
        .json();
    let event = events["data"][0].clone();
    assert_eq!(event["eventType"], "revoked");
    let data = &event["data"];
    assert_eq!(
        (&data["id"], &data["status"]),
        (&json!(id), &json!("revoked"))
    );
    assert_eq!(data["expiryDate"], listed["expiryDate"]);
    assert_eq!(data["data"]["permissions"], listed["data"]["permissions"]);
    let one = b
        .get(&format!(
            "/events/{}",
            event["id"].as_str().unwrap_or_default()
        ))
        .await;
    snap!("basiq_event_consent_revoked", one.render());
}
