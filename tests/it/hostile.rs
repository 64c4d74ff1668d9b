//! Hostile and buggy input: every case here once crashed, froze or misled the server. Each
//! answers with the vendor's own error envelope, and the server keeps answering afterwards.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::support::*;

/// The `next` cursor of the first page of `ea3a81`'s transactions at `limit`, decoded.
async fn first_cursor(server: &sandbank::RunningServer, auth: &str) -> Value {
    let page = get(
        server.basiq_url(),
        "/users/ea3a81/transactions?limit=2",
        &[("authorization", auth)],
    )
    .await
    .json();
    let next = page["links"]["next"].as_str().expect("a next link");
    let text = next.rsplit("next=").next().unwrap_or_default();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(text).expect("cursor is base64url"))
        .expect("cursor is JSON")
}

/// A cursor is client input: limits outside 1..=500, unknown ranks, dates that cannot be
/// negated and overlong texts are refused as Basiq refuses a bad `next`, never a panic or a
/// page larger than the cap.
#[tokio::test]
async fn forged_transaction_cursors_are_refused() {
    let server = default_server().await;
    let auth = format!("Bearer {}", server_token(&server).await);
    let cursor = first_cursor(&server, &auth).await;
    let h = [("authorization", auth.as_str())];
    let forged = [
        ("l", json!(u64::MAX)),
        ("l", json!(usize::MAX / 2 + 1)),
        ("l", json!(501)),
        ("l", json!(0)),
        ("p", json!(7)),
        ("d", json!(i64::MIN)),
    ];
    for (field, value) in forged {
        let mut c = cursor.clone();
        c[field] = value.clone();
        let text = URL_SAFE_NO_PAD.encode(c.to_string());
        let ex = get(
            server.basiq_url(),
            &format!("/users/ea3a81/transactions?next={text}"),
            &h,
        )
        .await;
        assert_eq!(ex.status, 400, "{field} = {value}: {}", ex.render());
        assert_eq!(
            ex.json()["data"][0]["detail"],
            "Next value is not valid",
            "{field} = {value}"
        );
    }
    let long = "A".repeat(20_000);
    let ex = get(
        server.basiq_url(),
        &format!("/users/ea3a81/transactions?next={long}"),
        &h,
    )
    .await;
    assert_eq!(ex.status, 400, "{}", ex.render());
    // The untouched cursor still pages.
    let text = URL_SAFE_NO_PAD.encode(cursor.to_string());
    let ex = get(
        server.basiq_url(),
        &format!("/users/ea3a81/transactions?next={text}"),
        &h,
    )
    .await;
    assert_eq!(ex.status, 200, "{}", ex.render());
    assert_eq!(ex.json()["data"].as_array().map(Vec::len), Some(2));
}
