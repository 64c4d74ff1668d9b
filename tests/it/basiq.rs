//! Basiq: the reference connection, tokens, the auth matrix and the read routes.

use chrono::Duration;
use serde_json::{Value, json};

use crate::snap;
use crate::support::*;

/// The connection of Basiq's "Retrieve a connection" page comes back field for field, plus the
/// three fields the v3 schema requires that the page predates.
#[tokio::test]
async fn reference_connection_matches_the_vendor_page() {
    let server = default_server().await;
    let token = server_token(&server).await;
    let auth = format!("Bearer {token}");
    let ex = get(
        server.basiq_url(),
        "/users/ea3a81/connections/8fce3b",
        &[("authorization", &auth)],
    )
    .await;
    assert_eq!(ex.status, 200);
    assert_eq!(ex.header("content-type"), Some("application/json"));

    let page: Value =
        serde_json::from_str(include_str!("fixtures/basiq-retrieve-a-connection.json"))
            .expect("fixture is JSON");
    let mut expected = page.clone();
    // The page hides the address behind an anti-spam placeholder; the scenario picks one.
    expected["profile"]["emailAddresses"] = json!(["maxjames@hooli.com"]);
    expected["method"] = json!("web");
    expected["expiryDate"] = json!("");
    expected["links"]["user"] = json!("https://au-api.basiq.io/users/ea3a81");
    assert_eq!(ex.json(), expected);

    // Field for field: every key and value of the page is present, in the page's order.
    let body = ex.json();
    let keys: Vec<&String> = body
        .as_object()
        .map(|o| o.keys().collect())
        .unwrap_or_default();
    let page_keys: Vec<&String> = page
        .as_object()
        .map(|o| o.keys().collect())
        .unwrap_or_default();
    let kept: Vec<&&String> = keys.iter().filter(|k| page_keys.contains(k)).collect();
    assert_eq!(kept.len(), page_keys.len());
    assert!(
        kept.iter().zip(&page_keys).all(|(a, b)| **a == *b),
        "order: {keys:?}"
    );
    assert!(body.get("loginId").is_none() && body.get("password").is_none());
    snap!("basiq_reference_connection", ex.render());
}

/// A named `/token` request: headers and form body.
type TokenCase<'a> = (&'a str, Vec<(&'a str, &'a str)>, &'a str);

/// `POST /token`: the success shape and every documented failure.
#[tokio::test]
async fn token_success_and_errors() {
    let server = default_server().await;
    let url = server.basiq_url();
    let basic = format!("Basic {BASIQ_KEY}");
    let form = ("content-type", "application/x-www-form-urlencoded");
    let v3 = ("basiq-version", "3.0");
    let double = format!("Basic {}", "YzJGdVpHSmhibXM2YzJGdVpHSnZlQT09");
    let unknown = format!("Basic {}", "b3RoZXI6a2V5"); // other:key
    let cases: Vec<TokenCase<'_>> = vec![
        (
            "server token",
            vec![("authorization", &basic), v3, form],
            "scope=SERVER_ACCESS",
        ),
        (
            "scope defaults to SERVER_ACCESS",
            vec![("authorization", &basic), v3],
            "",
        ),
        (
            "client token",
            vec![("authorization", &basic), v3, form],
            "scope=CLIENT_ACCESS&userId=ea3a81",
        ),
        (
            "no basiq-version",
            vec![("authorization", &basic), form],
            "scope=SERVER_ACCESS",
        ),
        (
            "old version",
            vec![("authorization", &basic), ("basiq-version", "0.9"), form],
            "scope=SERVER_ACCESS",
        ),
        ("no authorization", vec![v3, form], "scope=SERVER_ACCESS"),
        (
            "bearer instead of basic",
            vec![("authorization", "Bearer abc"), v3, form],
            "scope=SERVER_ACCESS",
        ),
        (
            "key encoded twice",
            vec![("authorization", &double), v3, form],
            "scope=SERVER_ACCESS",
        ),
        (
            "key not base64",
            vec![("authorization", "Basic %%%"), v3, form],
            "scope=SERVER_ACCESS",
        ),
        (
            "unknown key",
            vec![("authorization", &unknown), v3, form],
            "scope=SERVER_ACCESS",
        ),
        (
            "bad scope",
            vec![("authorization", &basic), v3, form],
            "scope=EVERYTHING",
        ),
        (
            "client without user",
            vec![("authorization", &basic), v3, form],
            "scope=CLIENT_ACCESS",
        ),
        (
            "json body",
            vec![
                ("authorization", &basic),
                v3,
                ("content-type", "application/json"),
            ],
            "{\"scope\":\"SERVER_ACCESS\"}",
        ),
    ];
    let mut rendered = String::new();
    for (name, headers, body) in cases {
        let ex = send(url, "POST", "/token", &headers, body.as_bytes()).await;
        rendered.push_str(&format!("## {name}\n{}\n", ex.render()));
    }
    snap!("basiq_token", rendered);

    let ok = send(
        url,
        "POST",
        "/token",
        &[("authorization", &basic), v3, form],
        b"scope=SERVER_ACCESS",
    )
    .await;
    let body = ok.json();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    assert_eq!(body.as_object().map(|o| o.len()), Some(3));
}

/// An oversized `/token` body gets Basiq's 413 envelope, not a framework body.
#[tokio::test]
async fn oversized_token_body() {
    let server = default_server().await;
    let body = vec![b'a'; 3 * 1024 * 1024];
    let ex = send(
        server.basiq_url(),
        "POST",
        "/token",
        &[
            ("authorization", &format!("Basic {BASIQ_KEY}")),
            ("basiq-version", "3.0"),
            ("content-type", "application/x-www-form-urlencoded"),
        ],
        &body,
    )
    .await;
    assert_eq!(ex.status, 413);
    snap!("basiq_token_too_large", ex.render());
}

/// A disabled partner account cannot mint tokens.
#[tokio::test]
async fn disabled_account_cannot_mint() {
    let server =
        server("[basiq]\napiKeys = [\"c2FuZGJhbms6c2FuZGJveA==\"]\ndisabled = true\n").await;
    let ex = send(
        server.basiq_url(),
        "POST",
        "/token",
        &[
            ("authorization", &format!("Basic {BASIQ_KEY}")),
            ("basiq-version", "3.0"),
        ],
        b"",
    )
    .await;
    assert_eq!(ex.status, 403);
    assert_eq!(ex.json()["data"][0]["code"], "access-denied");
}

/// Every auth failure of the digest's §2.3 on each route, in Basiq's envelope.
#[tokio::test]
async fn auth_matrix() {
    let server = default_server().await;
    let url = server.basiq_url();
    let server_tok = format!("Bearer {}", server_token(&server).await);
    let own_client = format!(
        "Bearer {}",
        basiq_token(&server, "scope=CLIENT_ACCESS&userId=ea3a81").await
    );
    let other_client = format!(
        "Bearer {}",
        basiq_token(&server, "scope=CLIENT_ACCESS&userId=someone-else").await
    );
    let routes = [
        "/users/ea3a81",
        "/users/ea3a81/connections",
        "/users/ea3a81/connections/8fce3b",
    ];
    let callers: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("no token", vec![]),
        (
            "garbage token",
            vec![("authorization", "Bearer not-a-token")],
        ),
        (
            "basic instead of bearer",
            vec![("authorization", "Basic c2FuZGJhbms6c2FuZGJveA==")],
        ),
        (
            "client token, own user",
            vec![("authorization", &own_client)],
        ),
        (
            "client token, another user",
            vec![("authorization", &other_client)],
        ),
        (
            "server token, html accepted only",
            vec![("authorization", &server_tok), ("accept", "text/html")],
        ),
    ];
    let mut table = String::new();
    let mut rendered = String::new();
    for route in routes {
        for (who, headers) in &callers {
            let ex = get(url, route, headers).await;
            let code = ex.json()["data"][0]["code"]
                .as_str()
                .unwrap_or("-")
                .to_owned();
            table.push_str(&format!("{route:<36} {who:<34} {} {code}\n", ex.status));
            if route == "/users/ea3a81" {
                rendered.push_str(&format!("## {who}\n{}\n", ex.render()));
            }
        }
    }
    snap!("basiq_auth_matrix", table);
    snap!("basiq_auth_errors", rendered);
}

/// Tokens live 3600 s of the server clock: valid one second before, expired at 3600 s.
#[tokio::test]
async fn tokens_expire_after_an_hour_of_server_time() {
    let server = default_server().await;
    let auth = format!("Bearer {}", server_token(&server).await);
    let clock = server.engine().clock();
    clock.advance(Duration::seconds(3599));
    assert_eq!(
        get(
            server.basiq_url(),
            "/users/ea3a81",
            &[("authorization", &auth)]
        )
        .await
        .status,
        200
    );
    clock.advance(Duration::seconds(1));
    let ex = get(
        server.basiq_url(),
        "/users/ea3a81",
        &[("authorization", &auth)],
    )
    .await;
    assert_eq!(ex.status, 403);
    snap!("basiq_token_expired", ex.render());
}

/// A client token reads its own user's connection without the SERVER-only fields.
#[tokio::test]
async fn client_token_sees_less_of_a_connection() {
    let server = default_server().await;
    let auth = format!(
        "Bearer {}",
        basiq_token(&server, "scope=CLIENT_ACCESS&userId=ea3a81").await
    );
    let ex = get(
        server.basiq_url(),
        "/users/ea3a81/connections/8fce3b",
        &[("authorization", &auth)],
    )
    .await;
    assert_eq!(ex.status, 200);
    let body = ex.json();
    for hidden in ["status", "createdDate", "lastUsed"] {
        assert!(
            body.get(hidden).is_none(),
            "{hidden} shown to a CLIENT token"
        );
    }
    assert_eq!(body["id"], "8fce3b");
}

/// The user, the connection list (with filters) and their errors.
#[tokio::test]
async fn user_and_connection_reads() {
    let server = default_server().await;
    let url = server.basiq_url();
    let auth = format!("Bearer {}", server_token(&server).await);
    let h = [("authorization", auth.as_str())];
    let paths = [
        "/users/ea3a81",
        "/users/ea3a81/connections",
        "/users/ea3a81/connections?filter=institution.id.eq('AU00000')",
        "/users/ea3a81/connections?filter=status.eq('invalid')",
        "/users/ea3a81/connections?filter=connection.id.eq(%278fce3b%27)",
        "/users/ea3a81/connections?filter=transaction.postDate.gt('2020-01-01')",
        "/users/ea3a81/connections?filter=institution.id.eq(AU00000)",
        "/users/00000000-0000-4000-8000-000000000000",
        "/users/00000000-0000-4000-8000-000000000000/connections",
        "/users/ea3a81/connections/00000000-0000-4000-8000-000000000000",
        "/users/ea3a81%20x",
        "/users/ea3a81/connections/8fce3b!",
        "/users/ea3a81/nothing-here",
    ];
    let mut exchanges = Vec::new();
    for path in paths {
        exchanges.push(get(url, path, &h).await);
    }
    exchanges.push(send(url, "DELETE", "/token", &h, b"").await);
    let statuses: Vec<u16> = exchanges.iter().map(|e| e.status).collect();
    assert_eq!(
        statuses,
        vec![
            200, 200, 200, 200, 200, 400, 400, 404, 404, 404, 400, 400, 404, 405
        ]
    );
    assert_eq!(exchanges[3].json()["data"], json!([]));
    snap!("basiq_reads", render_all(&exchanges));
}

/// Links follow the base URL the client called when no public URL is configured.
#[tokio::test]
async fn links_follow_the_host_called() {
    let scenario =
        sandbank::scenario::parse("default", sandbank::scenario::DEFAULT_SCENARIO).expect("valid");
    let running = sandbank::start(sandbank::ServerConfig::ephemeral(scenario))
        .await
        .expect("starts");
    let auth = format!("Bearer {}", server_token(&running).await);
    let ex = get(
        running.basiq_url(),
        "/users/ea3a81/connections/8fce3b",
        &[("authorization", &auth)],
    )
    .await;
    let expected = format!("{}/users/ea3a81/connections/8fce3b", running.basiq_url());
    assert_eq!(ex.json()["links"]["self"], json!(expected));
}

/// A transition written in the scenario changes the status once its time has come.
#[tokio::test]
async fn scheduled_transition_invalidates_a_connection() {
    let scenario = r#"
seed = 1
[basiq]
apiKeys = ["c2FuZGJhbms6c2FuZGJveA=="]
[[basiq.users]]
id = "u1"
[[basiq.users.connections]]
id = "c1"
transitions = [{ after = "1h", status = "invalid" }, { after = "2h", status = "active" }]
"#;
    let server = server(scenario).await;
    let clock = server.engine().clock();
    let mut seen = Vec::new();
    for step in [0, 3599, 1, 7200] {
        clock.advance(Duration::seconds(step));
        // A fresh token each time: the old one would expire as the clock moves on.
        let auth = format!("Bearer {}", server_token(&server).await);
        let ex = get(
            server.basiq_url(),
            "/users/u1/connections/c1",
            &[("authorization", &auth)],
        )
        .await;
        seen.push(ex.json()["status"].as_str().unwrap_or_default().to_owned());
    }
    assert_eq!(seen, ["active", "active", "invalid", "active"]);
}
