//! Webhook delivery to a local receiver: Meld's and Basiq's signatures (checked here with
//! HMAC code of the test's own), retries on the server clock with the vendors' headers, the
//! attempts on Basiq messages and in the admin log, order per connection.

use std::sync::{Arc, Mutex};
use std::time::Duration as StdDuration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE};
use chrono::Duration;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::meld_connect::{Meld, PLATYPUS};
use crate::support::*;

/// One request the receiver got.
#[derive(Debug, Clone)]
pub(crate) struct Received {
    path: String,
    headers: HeaderMap,
    body: Bytes,
}

impl Received {
    pub(crate) fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub(crate) fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

#[derive(Clone, Default)]
pub(crate) struct Inbox {
    got: Arc<Mutex<Vec<Received>>>,
    /// Statuses to answer with, in order; 200 once they run out.
    script: Arc<Mutex<Vec<u16>>>,
}

impl Inbox {
    fn all(&self) -> Vec<Received> {
        self.got.lock().map(|g| g.clone()).unwrap_or_default()
    }

    /// Waits (in real time) until at least `n` requests arrived.
    pub(crate) async fn wait_for(&self, n: usize) -> Vec<Received> {
        for _ in 0..250 {
            let all = self.all();
            if all.len() >= n {
                return all;
            }
            tokio::time::sleep(StdDuration::from_millis(20)).await;
        }
        panic!(
            "expected {n} deliveries, got {}: {:?}",
            self.all().len(),
            self.all()
        );
    }
}

async fn receive(
    State(inbox): State<Inbox>,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    if let Ok(mut got) = inbox.got.lock() {
        got.push(Received {
            path: uri.path().to_owned(),
            headers,
            body,
        });
    }
    let code = inbox
        .script
        .lock()
        .ok()
        .and_then(|mut s| (!s.is_empty()).then(|| s.remove(0)))
        .unwrap_or(200);
    StatusCode::from_u16(code).unwrap_or(StatusCode::OK)
}

/// A receiver on a free port; returns its base URL.
pub(crate) async fn receiver(script: &[u16]) -> (String, Inbox) {
    let inbox = Inbox::default();
    if let Ok(mut s) = inbox.script.lock() {
        s.extend_from_slice(script);
    }
    let app = Router::new()
        .route("/{*path}", post(receive))
        .with_state(inbox.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("receiver binds");
    let addr = listener.local_addr().expect("receiver address");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}"), inbox)
}

fn hmac(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("any key length");
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

/// Meld: URL-safe Base64 (padded) of HMAC(secret, timestamp.url.body).
pub(crate) fn meld_signature_ok(r: &Received, url: &str, secret: &str) -> bool {
    let mut message = format!("{}.{url}.", r.header("meld-signature-timestamp")).into_bytes();
    message.extend_from_slice(&r.body);
    URL_SAFE.encode(hmac(secret.as_bytes(), &message)) == r.header("meld-signature")
}

/// Basiq: `v1,` + Base64 of HMAC(base64-decoded secret, id.timestamp.body).
pub(crate) fn basiq_signature_ok(r: &Received, secret: &str) -> bool {
    let key = STANDARD
        .decode(secret.trim_start_matches("whsec_"))
        .unwrap_or_default();
    let mut message = format!(
        "{}.{}.",
        r.header("webhook-id"),
        r.header("webhook-timestamp")
    )
    .into_bytes();
    message.extend_from_slice(&r.body);
    let expected = format!("v1,{}", STANDARD.encode(hmac(&key, &message)));
    r.header("webhook-signature")
        .split(' ')
        .any(|s| s == expected)
}

/// Waits (in real time) until the server logged at least `n` attempts; returns the log.
async fn attempts_logged(base: &str, n: usize) -> Vec<Value> {
    for _ in 0..250 {
        let log = send(base, "GET", "/__admin/webhooks", &[], b"")
            .await
            .json();
        let attempts = log["attempts"].as_array().cloned().unwrap_or_default();
        if attempts.len() >= n {
            return attempts;
        }
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }
    panic!("expected {n} logged attempts");
}

async fn admin(m: &Meld, method: &str, path: &str, body: Value) -> Exchange {
    send(
        m.server.meld_url(),
        method,
        path,
        &[("content-type", "application/json")],
        body.to_string().as_bytes(),
    )
    .await
}

/// A connect flow's events reach the Meld profile in order, signed; a receiver that fails
/// first gets the retry a minute of server clock later with Meld's retry headers.
#[tokio::test]
async fn meld_events_are_delivered_signed_and_retried() {
    let (base, inbox) = receiver(&[500]).await;
    let url = format!("{base}/meld/hooks");
    let m = Meld::new().await;
    let set = admin(
        &m,
        "PUT",
        "/__admin/meld/webhook",
        json!({ "url": url, "secret": "s3cret" }),
    )
    .await;
    assert_eq!(set.status, 200, "{}", set.render());
    let profile = set.json()["profileId"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(profile.len(), 22);

    let id = m
        .connect("hooked", PLATYPUS, "user_good", "pass_good")
        .await;
    // The first attempt (COMPLETED) fails with 500; nothing else of this connection goes
    // before it is delivered.
    let first = inbox.wait_for(1).await;
    tokio::time::sleep(StdDuration::from_millis(200)).await;
    assert_eq!(inbox.all().len(), 1, "in order per connection");
    assert_eq!(first[0].path, "/meld/hooks");
    assert_eq!(first[0].header("content-type"), "application/json");
    assert!(first[0].header("meld-retry-count").is_empty());
    let body = first[0].json();
    assert_eq!(body["eventType"], "BANK_LINKING_CONNECTION_COMPLETED");
    assert_eq!(body["profileId"], profile.as_str());
    assert_eq!(body["payload"]["connectionId"], id.as_str());
    assert!(
        !std::str::from_utf8(&first[0].body)
            .unwrap_or_default()
            .contains(": "),
        "compact JSON"
    );

    // A minute of server clock later: the retry, then the rest in order.
    attempts_logged(m.server.meld_url(), 1).await;
    m.advance(60);
    let got = inbox.wait_for(3).await;
    assert_eq!(got[1].header("meld-retry-count"), "1");
    assert_eq!(got[1].header("meld-retry-reason"), "HTTP error: 500");
    assert_eq!(got[1].body, got[0].body, "same event");
    m.advance(2);
    let got = inbox.wait_for(7).await;
    let types: Vec<String> = got[1..]
        .iter()
        .map(|r| {
            r.json()["eventType"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    assert_eq!(
        types,
        [
            "BANK_LINKING_CONNECTION_COMPLETED",
            "BANK_LINKING_CONNECTION_STATUS_CHANGE",
            "BANK_LINKING_ACCOUNTS_UPDATING",
            "BANK_LINKING_ACCOUNTS_UPDATED",
            "BANK_LINKING_TRANSACTIONS_AGGREGATED",
            "BANK_LINKING_HISTORICAL_TRANSACTIONS_AGGREGATED",
        ]
    );
    for r in &got {
        assert!(meld_signature_ok(r, &url, "s3cret"), "{r:?}");
        assert!(!meld_signature_ok(r, &url, "other"));
    }

    // The dashboard's test send: only a requestId, profileId null.
    let test = admin(&m, "POST", "/__admin/meld/webhook/test", json!({})).await;
    assert_eq!(test.status, 202);
    let got = inbox.wait_for(8).await;
    let test = got[7].json();
    assert_eq!(test["eventType"], "WEBHOOK_TEST");
    assert_eq!(test["profileId"], Value::Null);
    assert_eq!(
        test["payload"]
            .as_object()
            .map(|p| p.keys().cloned().collect::<Vec<_>>()),
        Some(vec!["requestId".to_owned()])
    );

    let log = send(
        m.server.meld_url(),
        "GET",
        "/__admin/webhooks?vendor=meld",
        &[],
        b"",
    )
    .await;
    let log = log.json();
    let attempts = log["attempts"].as_array().cloned().unwrap_or_default();
    assert_eq!(attempts.len(), 8);
    assert_eq!(attempts[0]["statusCode"], 500);
    assert_eq!(attempts[0]["delivered"], false);
    assert_eq!(attempts[0]["error"], "HTTP error: 500");
    assert_eq!(attempts[1]["attempt"], 2);
    assert_eq!(attempts[1]["delivered"], true);
    assert_eq!(attempts[1]["url"], url.as_str());
    assert_eq!(log["pending"], 0);
}

/// A dead receiver costs only its own retries; requests are answered meanwhile.
#[tokio::test]
async fn meld_dead_receiver_does_not_block_requests() {
    let m = Meld::new().await;
    let set = admin(
        &m,
        "PUT",
        "/__admin/meld/webhook",
        json!({ "url": "http://127.0.0.1:9/nobody", "secret": "x" }),
    )
    .await;
    assert_eq!(set.status, 200);
    m.connect("lonely", PLATYPUS, "user_good", "pass_good")
        .await;
    let log = async || {
        send(m.server.meld_url(), "GET", "/__admin/webhooks", &[], b"")
            .await
            .json()
    };
    let attempts = attempts_logged(m.server.meld_url(), 1).await;
    assert_eq!(attempts[0]["error"], "Could not connect");
    assert_eq!(attempts[0]["statusCode"], Value::Null);
    // Three days of server clock: retries doubling to hourly, then Meld gives up on the event
    // and the connection's next one goes.
    let first = attempts[0]["id"].clone();
    let tries = async |log: &Value| {
        log["attempts"]
            .as_array()
            .map(|a| a.iter().filter(|x| x["id"] == first).count())
            .unwrap_or(0)
    };
    let mut seen = 1;
    for _ in 0..75 {
        m.server.engine().clock().advance(Duration::hours(1));
        for _ in 0..50 {
            let now = tries(&log().await).await;
            if now > seen {
                seen = now;
                break;
            }
            tokio::time::sleep(StdDuration::from_millis(10)).await;
        }
    }
    let log = log().await;
    let attempts: Vec<&Value> = log["attempts"]
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    let of_first = attempts.iter().filter(|a| a["id"] == first).count();
    // The clock moves an hour at a time, so every step makes one retry due: attempts from
    // 09:00 on the first day to 09:00 three days later, then Meld gives up.
    assert_eq!(of_first, 73);
    let times: Vec<&str> = attempts
        .iter()
        .filter(|a| a["id"] == first)
        .filter_map(|a| a["time"].as_str())
        .collect();
    assert_eq!(times.first(), Some(&"2026-01-15T09:00:00.000Z"));
    assert_eq!(times.last(), Some(&"2026-01-18T09:00:00.000Z"));
    assert!(attempts.iter().all(|a| a["delivered"] == false));
    assert!(
        attempts.iter().any(|a| a["id"] != first),
        "the next event went after it"
    );
}

/// Basiq: a message per subscribed event, `webhook-id`/`-timestamp`/`-signature` headers, the
/// §12.7 retry 5 s later, attempts listed on the message.
#[tokio::test]
async fn basiq_messages_are_delivered_signed_and_retried() {
    let (base, inbox) = receiver(&[503]).await;
    let server = default_server().await;
    let token = server_token(&server).await;
    let auth = format!("Bearer {token}");
    let headers = [
        ("authorization", auth.as_str()),
        ("content-type", "application/json"),
        ("basiq-version", "3.0"),
    ];
    let created = send(
        server.basiq_url(),
        "POST",
        "/notifications/webhooks",
        &headers,
        json!({ "url": format!("{base}/basiq"), "subscribedEvents": ["user.created"] })
            .to_string()
            .as_bytes(),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.render());
    let hook = created.json();
    let secret = hook["secret"].as_str().unwrap_or_default().to_owned();
    let hook_id = hook["id"].as_str().unwrap_or_default().to_owned();
    let user = send(
        server.basiq_url(),
        "POST",
        "/users",
        &headers,
        json!({ "email": "hooked@example.com" })
            .to_string()
            .as_bytes(),
    )
    .await;
    assert_eq!(user.status, 201, "{}", user.render());
    let user_id = user.json()["id"].as_str().unwrap_or_default().to_owned();

    let got = inbox.wait_for(1).await;
    let body = got[0].json();
    assert_eq!(body["eventTypeId"], "user.created");
    let event = body["eventId"].as_str().unwrap_or_default();
    assert_eq!(
        body["links"]["event"],
        format!("https://au-api.basiq.io/events/{event}")
    );
    assert_eq!(
        body["links"]["eventEntity"],
        format!("https://au-api.basiq.io/users/{user_id}")
    );
    // Signed at the real time of the attempt, so verifiers with a 5-minute tolerance take it
    // whatever the server clock says; the payload's dates are the server clock's.
    let stamp: i64 = got[0].header("webhook-timestamp").parse().unwrap_or(0);
    assert!(
        (stamp - chrono::Utc::now().timestamp()).abs() < 300,
        "{stamp}"
    );
    attempts_logged(server.basiq_url(), 1).await;
    server.engine().clock().advance(Duration::seconds(5));
    let got = inbox.wait_for(2).await;
    assert_eq!(got[0].header("webhook-id"), got[1].header("webhook-id"));
    assert_eq!(got[0].body, got[1].body);
    for r in &got {
        assert!(basiq_signature_ok(r, &secret), "{r:?}");
    }

    // The message lists both attempts, newest state included.
    let mut attempts = Vec::new();
    for _ in 0..50 {
        let messages = get(
            server.basiq_url(),
            &format!("/notifications/webhooks/{hook_id}/messages"),
            &headers,
        )
        .await;
        attempts = messages.json()["data"][0]["attempts"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        if attempts.len() == 2 {
            break;
        }
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }
    assert_eq!(attempts.len(), 2);
    assert_eq!(attempts[0]["status"], "Failed");
    assert_eq!(attempts[0]["responseStatusCode"], 503);
    assert_eq!(attempts[0]["response"], "Service Unavailable");
    assert_eq!(attempts[1]["status"], "Success");
    assert_eq!(attempts[1]["responseStatusCode"], 200);
    assert_eq!(attempts[1]["url"], format!("{base}/basiq"));
}

/// A profile from the scenario works without the admin API; a bad one is reported.
#[tokio::test]
async fn meld_profile_from_the_scenario() {
    let (base, inbox) = receiver(&[]).await;
    let scenario = format!(
        "version = 1\n[meld]\napiKeys = [\"k\"]\nwebhook = {{ url = \"{base}/x\", secret = \"abc\", profileId = \"WQ9hookProfi1eAbCdEfGh\" }}\n[[meld.customers]]\nexternalId = \"e\"\n[[meld.customers.connections]]\nstatus = \"ACTIVE\"\ntransitions = [{{ after = \"1h\", status = \"RECONNECT_REQUIRED\", statusReason = \"LOGIN_REQUIRED\" }}]\n"
    );
    let server = server(&scenario).await;
    server.engine().clock().advance(Duration::hours(1));
    let got = inbox.wait_for(1).await;
    let body = got[0].json();
    assert_eq!(body["eventType"], "BANK_LINKING_CONNECTION_STATUS_CHANGE");
    assert_eq!(body["profileId"], "WQ9hookProfi1eAbCdEfGh");
    assert_eq!(body["payload"]["newStatus"], "RECONNECT_REQUIRED");
    assert!(meld_signature_ok(&got[0], &format!("{base}/x"), "abc"));
}

/// Several profiles each receive every event at their own `version`, with their own
/// `profileId` and secret; only a legacy-version profile gets the legacy event types. The
/// admin API lists, adds and removes profiles.
#[tokio::test]
async fn meld_profiles_each_have_their_version() {
    let (base, inbox) = receiver(&[]).await;
    let scenario = format!(
        r#"
version = 1
[meld]
apiKeys = ["k"]
webhooks = [
  {{ url = "{base}/old", secret = "s1", profileId = "WQ9hookProfi1eAbCdEfGh", version = "2022-11-10" }},
  {{ url = "{base}/new", secret = "s2", profileId = "WQ9hookProfi1eNewVersn", version = "2023-12-19" }},
]
[[meld.customers]]
externalId = "e"
[[meld.customers.connections]]
status = "ACTIVE"
transitions = [{{ after = "1h", status = "RECONNECT_REQUIRED", statusReason = "LOGIN_REQUIRED" }}]
"#
    );
    let server = server(&scenario).await;
    server.engine().clock().advance(Duration::hours(1));
    let got = inbox.wait_for(3).await;
    tokio::time::sleep(StdDuration::from_millis(100)).await;
    assert_eq!(inbox.all().len(), 3);
    let to = |path: &str| -> Vec<&Received> { got.iter().filter(|r| r.path == path).collect() };
    let (old, new) = (to("/old"), to("/new"));
    let kinds = |list: &[&Received]| -> Vec<String> {
        list.iter()
            .map(|r| {
                r.json()["eventType"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect()
    };
    assert_eq!(
        kinds(&old),
        [
            "BANK_LINKING_CONNECTION_STATUS_CHANGE",
            "BANK_LINKING_CUSTOMER_ACTION_REQUIRED"
        ]
    );
    assert_eq!(kinds(&new), ["BANK_LINKING_CONNECTION_STATUS_CHANGE"]);
    for (list, path, secret, profile, version) in [
        (&old, "/old", "s1", "WQ9hookProfi1eAbCdEfGh", "2022-11-10"),
        (&new, "/new", "s2", "WQ9hookProfi1eNewVersn", "2023-12-19"),
    ] {
        for r in list.iter() {
            let body = r.json();
            assert_eq!(
                (body["profileId"].as_str(), body["version"].as_str()),
                (Some(profile), Some(version))
            );
            assert!(meld_signature_ok(r, &format!("{base}{path}"), secret));
        }
    }
    assert_eq!(
        old[0].json()["eventId"],
        new[0].json()["eventId"],
        "one event"
    );

    let url = server.meld_url();
    let json_header = [("content-type", "application/json")];
    let listed = get(url, "/__admin/meld/webhooks", &[]).await.json();
    assert_eq!(listed["profiles"].as_array().map(Vec::len), Some(2));
    assert_eq!(listed["profiles"][1]["version"], "2023-12-19");
    assert_eq!(listed["profiles"][0].get("secret"), None);
    let added = send(
        url,
        "POST",
        "/__admin/meld/webhooks",
        &json_header,
        json!({"url": format!("{base}/third"), "secret": "s3"})
            .to_string()
            .as_bytes(),
    )
    .await;
    assert_eq!(added.status, 201, "{}", added.render());
    let third = added.json()["profileId"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let bad = send(
        url,
        "POST",
        "/__admin/meld/webhooks",
        &json_header,
        json!({"url": format!("{base}/x"), "secret": "s", "version": "soon"})
            .to_string()
            .as_bytes(),
    )
    .await;
    assert_eq!(bad.status, 400);
    // Removed once; the second time there is nothing to remove.
    for expected in [204, 404] {
        let removed = send(
            url,
            "DELETE",
            &format!("/__admin/meld/webhooks/{third}"),
            &[],
            b"",
        )
        .await;
        assert_eq!(removed.status, expected);
    }

    let bad = "[meld]\nwebhooks = [{ url = \"ftp://x\", secret = \"\", version = \"v2\", profileId = \"P\" }, { url = \"http://y\", secret = \"s\", profileId = \"P\" }]\n";
    let problems = match sandbank::scenario::parse("hooks.toml", bad) {
        Err(e) => e.to_string(),
        Ok(_) => String::new(),
    };
    for expected in [
        "meld.webhooks[0].url: `ftp://x` is not an http(s) URL",
        "meld.webhooks[0].secret: the signing secret must not be empty",
        "meld.webhooks[0].version: `v2` is not a date YYYY-MM-DD",
        "meld.webhooks[1].profileId: duplicate profile `P`",
    ] {
        assert!(problems.contains(expected), "{expected} in {problems}");
    }
}

/// Deleting a Basiq webhook stops the retries of its messages.
#[tokio::test]
async fn basiq_deleted_webhook_gets_no_retries() {
    let (base, inbox) = receiver(&[503]).await;
    let server = default_server().await;
    let auth = format!("Bearer {}", server_token(&server).await);
    let headers = [
        ("authorization", auth.as_str()),
        ("content-type", "application/json"),
        ("basiq-version", "3.0"),
    ];
    let created = send(
        server.basiq_url(),
        "POST",
        "/notifications/webhooks",
        &headers,
        json!({ "url": format!("{base}/gone"), "subscribedEvents": ["user.created"] })
            .to_string()
            .as_bytes(),
    )
    .await;
    let hook = created.json()["id"].as_str().unwrap_or_default().to_owned();
    send(
        server.basiq_url(),
        "POST",
        "/users",
        &headers,
        json!({ "email": "gone@example.com" })
            .to_string()
            .as_bytes(),
    )
    .await;
    inbox.wait_for(1).await;
    attempts_logged(server.basiq_url(), 1).await;
    let deleted = send(
        server.basiq_url(),
        "DELETE",
        &format!("/notifications/webhooks/{hook}"),
        &headers,
        b"",
    )
    .await;
    assert_eq!(deleted.status, 204);
    server.engine().clock().advance(Duration::seconds(5));
    tokio::time::sleep(StdDuration::from_millis(300)).await;
    assert_eq!(inbox.all().len(), 1);
    let log = get(server.basiq_url(), "/__admin/webhooks", &[])
        .await
        .json();
    assert_eq!(log["pending"], 0);
}

/// On the legacy webhook version (up to 2022-11-10) a connection that needs the customer also
/// produces `CUSTOMER_ACTION_REQUIRED` (with its reason) and `NEW_ACCOUNTS_AVAILABLE`.
#[tokio::test]
async fn legacy_version_events() {
    let scenario = "version = 1\n[meld]\napiKeys = [\"k\"]\ndefaultVersion = \"2022-11-10\"\n[[meld.customers]]\nexternalId = \"e\"\n[[meld.customers.connections]]\nid = \"WQ5CwCxDxXhYuA4fVHGk3o\"\nstatus = \"ACTIVE\"\ntransitions = [{ after = \"1h\", status = \"RECONNECT_REQUIRED\", statusReason = \"LOGIN_REQUIRED\" }, { after = \"1h\", status = \"ACTIVE\", statusReason = \"NEW_ACCOUNTS_AVAILABLE\" }]\n";
    let server = server(scenario).await;
    server.engine().clock().advance(Duration::hours(2));
    let events: Vec<(String, Value, String)> = server.engine().with_world(|w| {
        w.meld
            .events
            .iter()
            .map(|e| {
                (
                    e.event_type.to_owned(),
                    e.body["payload"]["reason"].clone(),
                    e.body["version"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect()
    });
    let v = "2022-11-10".to_owned();
    assert_eq!(
        events,
        [
            (
                "BANK_LINKING_CONNECTION_STATUS_CHANGE".to_owned(),
                Value::Null,
                v.clone()
            ),
            (
                "BANK_LINKING_CUSTOMER_ACTION_REQUIRED".to_owned(),
                json!("LOGIN_REQUIRED"),
                v.clone()
            ),
            (
                "BANK_LINKING_CONNECTION_STATUS_CHANGE".to_owned(),
                Value::Null,
                v.clone()
            ),
            (
                "BANK_LINKING_NEW_ACCOUNTS_AVAILABLE".to_owned(),
                Value::Null,
                v.clone()
            ),
        ]
    );
}

/// After the server clock jumps ten days, Meld's signature timestamp is still the real time of
/// the attempt (standard verifiers allow five minutes either way) while the event's own
/// `timestamp` is the server clock's; the signature verifies over that real timestamp.
#[tokio::test]
async fn signature_timestamps_are_real_time() {
    let (base, inbox) = receiver(&[]).await;
    let url = format!("{base}/meld/hooks");
    let m = Meld::new().await;
    let set = admin(
        &m,
        "PUT",
        "/__admin/meld/webhook",
        json!({ "url": url, "secret": "s3cret" }),
    )
    .await;
    assert_eq!(set.status, 200);
    m.server.engine().clock().advance(Duration::days(10));
    let test = admin(&m, "POST", "/__admin/meld/webhook/test", json!({})).await;
    assert_eq!(test.status, 202);
    // The scenario's own transitions of those ten days are delivered too; find the test event.
    let mut n = 1;
    let test = loop {
        let got = inbox.wait_for(n).await;
        if let Some(r) = got.iter().find(|r| r.json()["eventType"] == "WEBHOOK_TEST") {
            break r.clone();
        }
        n = got.len() + 1;
    };
    for r in inbox.wait_for(n).await {
        let stamp = chrono::DateTime::parse_from_rfc3339(r.header("meld-signature-timestamp"))
            .expect("an RFC 3339 timestamp");
        let skew = (stamp.timestamp() - chrono::Utc::now().timestamp()).abs();
        assert!(skew < 300, "{skew} s from real time");
        assert!(meld_signature_ok(&r, &url, "s3cret"));
    }
    let payload_time = test.json()["timestamp"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(payload_time.starts_with("2026-01-25"), "{payload_time}");
}
