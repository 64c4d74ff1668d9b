//! Basiq users: create, read, partial update, cascade delete, and body errors.

use serde_json::json;

use crate::snap;
use crate::support::*;

fn json_post(auth: &str) -> Vec<(&str, &str)> {
    vec![
        ("authorization", auth),
        ("content-type", "application/json"),
    ]
}

/// Create → read → update → read → delete → 404; the created user is what was posted.
#[tokio::test]
async fn user_lifecycle() {
    let server = default_server().await;
    let url = server.basiq_url();
    let auth = format!("Bearer {}", server_token(&server).await);
    let h = json_post(&auth);
    let created = send(
        url,
        "POST",
        "/users",
        &h,
        br#"{"email":"gavin@hooli.com","mobile":"+61410888666","firstName":"Gavin"}"#,
    )
    .await;
    assert_eq!(created.status, 201);
    let id = created.json()["id"].as_str().unwrap_or_default().to_owned();
    assert_eq!(id.len(), 36, "a UUID");
    let read = get(url, &format!("/users/{id}"), &[("authorization", &auth)]).await;
    assert_eq!(read.json()["firstName"], "Gavin");
    assert_eq!(
        read.json()["connections"],
        json!({"type": "list", "count": 0, "data": []})
    );

    let updated = send(
        url,
        "POST",
        &format!("/users/{id}"),
        &h,
        br#"{"lastName":"Belson","mobile":""}"#,
    )
    .await;
    assert_eq!(updated.status, 200);
    let read = get(url, &format!("/users/{id}"), &[("authorization", &auth)])
        .await
        .json();
    assert_eq!(
        (read["firstName"].as_str(), read["lastName"].as_str()),
        (Some("Gavin"), Some("Belson"))
    );
    assert_eq!(
        (read["email"].as_str(), read["mobile"].as_str()),
        (Some("gavin@hooli.com"), Some(""))
    );

    let deleted = send(
        url,
        "DELETE",
        &format!("/users/{id}"),
        &[("authorization", &auth)],
        b"",
    )
    .await;
    assert_eq!(deleted.status, 204);
    assert!(deleted.body.is_empty());
    assert_eq!(
        get(url, &format!("/users/{id}"), &[("authorization", &auth)])
            .await
            .status,
        404
    );
    assert_eq!(
        send(
            url,
            "DELETE",
            &format!("/users/{id}"),
            &[("authorization", &auth)],
            b""
        )
        .await
        .status,
        404
    );
    snap!("basiq_user_lifecycle", render_all(&[created, updated]));
}

/// Deleting a user removes its connections, accounts and transactions.
#[tokio::test]
async fn delete_cascades() {
    let server = default_server().await;
    let url = server.basiq_url();
    let auth = format!("Bearer {}", server_token(&server).await);
    let h = [("authorization", auth.as_str())];
    assert_eq!(
        send(url, "DELETE", "/users/ea3a81", &h, b"").await.status,
        204
    );
    for path in [
        "/users/ea3a81/connections/8fce3b",
        "/users/ea3a81/accounts/s55bf3",
        "/users/ea3a81/transactions",
    ] {
        let ex = get(url, path, &h).await;
        assert_eq!(ex.status, 404, "{path}");
        assert_eq!(
            ex.json()["data"][0]["detail"],
            "Requested user does not exist."
        );
    }
}

/// A request: method, path, headers, body.
type Case<'a> = (&'a str, &'a str, Vec<(&'a str, &'a str)>, &'a [u8]);

/// Bad bodies get Basiq's envelope and change nothing (a body's declared type is not one of its
/// problems: see `lenient`).
#[tokio::test]
async fn user_body_errors() {
    let server = default_server().await;
    let url = server.basiq_url();
    let auth = format!("Bearer {}", server_token(&server).await);
    let client = format!(
        "Bearer {}",
        basiq_token(&server, "scope=CLIENT_ACCESS&userId=ea3a81").await
    );
    let h = json_post(&auth);
    let cases: Vec<Case<'_>> = vec![
        ("POST", "/users", h.clone(), b"{not json"),
        ("POST", "/users", h.clone(), b""),
        ("POST", "/users", h.clone(), br#"{"email": 5}"#),
        ("POST", "/users", h.clone(), b"{}"),
        ("POST", "/users", h.clone(), br#"{"email":"not-an-email"}"#),
        ("POST", "/users", h.clone(), br#"{"mobile":"0410888999"}"#),
        (
            "POST",
            "/users",
            h.clone(),
            br#"{"email":"a@b.co","businessIdNo":"16 7645 892"}"#,
        ),
        (
            "POST",
            "/users",
            json_post(&client),
            br#"{"email":"a@b.co"}"#,
        ),
        (
            "POST",
            "/users/ea3a81",
            h.clone(),
            br#"{"email":"","mobile":""}"#,
        ),
        ("POST", "/users/nobody", h.clone(), br#"{"firstName":"X"}"#),
    ];
    let mut exchanges = Vec::new();
    for (method, path, headers, body) in cases {
        exchanges.push(send(url, method, path, &headers, body).await);
    }
    let statuses: Vec<u16> = exchanges.iter().map(|e| e.status).collect();
    assert_eq!(statuses, [400, 400, 400, 400, 400, 400, 400, 403, 400, 404]);
    // The refused update left the user as it was.
    let user = get(url, "/users/ea3a81", &[("authorization", &auth)])
        .await
        .json();
    assert_eq!(user["email"], "maxjames@hooli.com");
    assert_eq!(user["mobile"], "+61410888991");
    snap!("basiq_user_errors", render_all(&exchanges));
}
