//! Basiq consents, auth links, identities, connectors and institutions.

use chrono::Duration;
use serde_json::json;

use crate::snap;
use crate::support::*;

/// The default user's consent; deleting it deletes its connections and records the events.
#[tokio::test]
async fn consents() {
    let server = default_server().await;
    let url = server.basiq_url();
    let auth = format!("Bearer {}", server_token(&server).await);
    let h = [("authorization", auth.as_str())];
    let list = get(url, "/users/ea3a81/consents", &h).await;
    let body = list.json();
    assert_eq!(body["size"], 1);
    assert_eq!(body["data"][0]["status"], "active");
    let id = body["data"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(
        send(url, "DELETE", "/users/ea3a81/consents/nope", &h, b"")
            .await
            .status,
        404
    );
    assert_eq!(
        send(
            url,
            "DELETE",
            &format!("/users/ea3a81/consents/{id}"),
            &h,
            b""
        )
        .await
        .status,
        204
    );
    assert_eq!(
        get(url, "/users/ea3a81/connections", &h).await.json()["data"],
        json!([])
    );
    assert_eq!(
        get(url, "/users/ea3a81/consents", &h).await.json()["size"],
        0
    );
    let events = get(url, "/events", &h).await.json();
    assert_eq!(
        event_kinds(&events),
        ["consent.revoked", "connection.deleted"]
    );
    snap!("basiq_consents", list.render());
}

/// Auth links: create (body mobile wins), read with id, 410 after delete or expiry, 404 never made.
#[tokio::test]
async fn auth_links() {
    let server = default_server().await;
    let url = server.basiq_url();
    let auth = format!("Bearer {}", server_token(&server).await);
    let h = [
        ("authorization", auth.as_str()),
        ("content-type", "application/json"),
    ];
    assert_eq!(get(url, "/users/ea3a81/auth_link", &h).await.status, 404);
    let created = send(
        url,
        "POST",
        "/users/ea3a81/auth_link",
        &h,
        br#"{"mobile":"+61400000001"}"#,
    )
    .await;
    assert_eq!(created.status, 201);
    assert!(
        created.json().get("id").is_none(),
        "the create response has no id"
    );
    assert_eq!(created.json()["mobile"], "+61400000001");
    let read = get(url, "/users/ea3a81/auth_link", &h).await;
    assert_eq!(read.status, 200);
    assert!(read.json()["id"].is_string());
    assert_eq!(
        get(url, "/users/ea3a81", &h).await.json()["links"]["auth_link"],
        "https://au-api.basiq.io/users/ea3a81/auth_link"
    );
    assert_eq!(
        send(url, "DELETE", "/users/ea3a81/auth_link", &h, b"")
            .await
            .status,
        204
    );
    let gone = get(url, "/users/ea3a81/auth_link", &h).await;
    assert_eq!(gone.status, 410);
    // Once deleted, the user links no auth link, and deleting it again is not found.
    assert_eq!(
        get(url, "/users/ea3a81", &h).await.json()["links"]["auth_link"],
        serde_json::Value::Null
    );
    let again = send(url, "DELETE", "/users/ea3a81/auth_link", &h, b"").await;
    assert_eq!(again.status, 404, "{}", again.render());
    assert_eq!(again.json()["data"][0]["code"], "resource-not-found");
    let own_mobile = send(url, "POST", "/users/ea3a81/auth_link", &h, b"").await;
    assert_eq!(own_mobile.json()["mobile"], "+61410888991");
    server.engine().clock().advance(Duration::days(7));
    let fresh = format!("Bearer {}", server_token(&server).await);
    assert_eq!(
        get(url, "/users/ea3a81/auth_link", &[("authorization", &fresh)])
            .await
            .status,
        410
    );
    let expired = send(
        url,
        "DELETE",
        "/users/ea3a81/auth_link",
        &[("authorization", &fresh)],
        b"",
    )
    .await;
    assert_eq!(expired.status, 404, "{}", expired.render());
    snap!("basiq_auth_link", render_all(&[created, read, gone]));
}

/// Identities come from the profiles of active connections.
#[tokio::test]
async fn identities() {
    let server = default_server().await;
    let url = server.basiq_url();
    let auth = format!("Bearer {}", server_token(&server).await);
    let h = [("authorization", auth.as_str())];
    let list = get(url, "/users/ea3a81/identities", &h).await;
    let body = list.json();
    assert_eq!(body["count"], 1);
    assert_eq!(body["data"][0]["fullName"], "Max James");
    assert_eq!(body["data"][0]["physicalAddresses"][0]["city"], "");
    let id = body["data"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(
        get(url, &format!("/users/ea3a81/identities/{id}"), &h)
            .await
            .json(),
        body["data"][0]
    );
    assert_eq!(
        get(url, "/users/ea3a81/identities/nope", &h).await.status,
        404
    );
    snap!("basiq_identities", list.render());
}

/// Connectors and institutions, with and without a token, filtered.
#[tokio::test]
async fn connectors_and_institutions() {
    let server = default_server().await;
    let url = server.basiq_url();
    let auth = format!("Bearer {}", server_token(&server).await);
    let h = [("authorization", auth.as_str())];
    let all = get(url, "/connectors", &h).await;
    assert_eq!(all.json()["totalCount"], 4);
    let mfa = get(
        url,
        "/connectors?filter=connector.authorization.type.in('user-mfa','user-mfa-intermittent')",
        &h,
    )
    .await
    .json();
    assert_eq!(mfa["totalCount"], 2);
    assert_eq!(get(url, "/public/connectors", &[]).await.status, 200);
    assert_eq!(get(url, "/connectors", &[]).await.status, 403);
    let one = get(url, "/connectors/AU00000/web", &h).await;
    assert_eq!(one.json()["institution"]["name"], "Hooli Bank");
    assert_eq!(get(url, "/connectors/AU99999/web", &h).await.status, 404);
    assert_eq!(get(url, "/connectors/hooli/web", &h).await.status, 400);
    // Seven bytes, but a character straddles the letters: still just a bad id.
    assert_eq!(
        get(url, "/connectors/a%C3%A94567/web", &h).await.status,
        400
    );
    assert_eq!(
        get(url, "/connectors?filter=connector.colour.eq('red')", &h)
            .await
            .status,
        400
    );
    let institution = get(url, "/institutions/AU00002", &h).await;
    assert_eq!(institution.json()["authorization"], "user-mfa");
    assert_eq!(
        get(url, "/public/institutions", &[]).await.json()["totalCount"],
        4
    );
    assert_eq!(
        get(url, "/institutions/AU99999", &h).await.json()["data"][0]["detail"],
        "Requested institution does not exist."
    );
    snap!("basiq_connector", render_all(&[one, institution]));
}
