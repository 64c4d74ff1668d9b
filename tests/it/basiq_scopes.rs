//! The scope matrix (digest §2.2, §2.3, §16): every Basiq route called with a SERVER token, a
//! CLIENT token bound to the user in the path, and a CLIENT token bound to another user.
//! Wrong scope → 403 `forbidden-access`; CLIENT on another user's resource → 401
//! `unauthorized-access`; anything else is past authorisation.

use serde_json::json;

use crate::support::*;

/// Who may call a route.
#[derive(Clone, Copy)]
enum Rule {
    /// SERVER only.
    Server,
    /// SERVER, or CLIENT for its own user (Basiq's v2 scope table).
    OwnClient,
    /// SERVER or any CLIENT.
    AnyClient,
    /// CLIENT only, for its own user (`POST /jobs/{id}/mfa`).
    ClientOnly,
}

use Rule::*;

/// Every token-protected route; `{job}` is a job of `ea3a81`.
const ROUTES: &[(&str, &str, Rule)] = &[
    ("POST", "/users", Server),
    ("GET", "/users/ea3a81", OwnClient),
    ("POST", "/users/ea3a81", Server),
    ("DELETE", "/users/ea3a81", Server),
    ("GET", "/users/ea3a81/consents", Server),
    ("DELETE", "/users/ea3a81/consents/c0", Server),
    ("POST", "/users/ea3a81/auth_link", Server),
    ("GET", "/users/ea3a81/auth_link", Server),
    ("DELETE", "/users/ea3a81/auth_link", OwnClient),
    ("GET", "/users/ea3a81/jobs", Server),
    ("GET", "/jobs/{job}", OwnClient),
    ("POST", "/jobs/{job}/mfa", ClientOnly),
    ("GET", "/events", Server),
    ("GET", "/events/e0", Server),
    ("GET", "/events/types", Server),
    ("GET", "/events/types/user.created", Server),
    ("GET", "/users/ea3a81/accounts", Server),
    ("GET", "/users/ea3a81/accounts/s55bf3", Server),
    ("GET", "/users/ea3a81/transactions", Server),
    ("GET", "/users/ea3a81/transactions/t0", Server),
    ("GET", "/users/ea3a81/connections", Server),
    ("GET", "/users/ea3a81/connections/8fce3b", OwnClient),
    ("POST", "/users/ea3a81/connections/refresh", Server),
    ("POST", "/users/ea3a81/connections/8fce3b/refresh", Server),
    ("DELETE", "/users/ea3a81/connections/8fce3b", Server),
    ("POST", "/users/ea3a81/connections/8fce3b/purge", Server),
    ("POST", "/users/ea3a81/statements", OwnClient),
    ("GET", "/connectors", AnyClient),
    ("GET", "/connectors/AU00000/web", AnyClient),
    ("GET", "/users/ea3a81/identities", OwnClient),
    ("GET", "/users/ea3a81/identities/i0", OwnClient),
    ("POST", "/notifications/webhooks", Server),
    ("GET", "/notifications/webhooks", Server),
    ("GET", "/notifications/webhooks/w0", Server),
    ("POST", "/notifications/webhooks/w0", Server),
    ("DELETE", "/notifications/webhooks/w0", Server),
    ("GET", "/notifications/webhooks/w0/messages", Server),
    ("GET", "/notifications/webhooks/w0/messages/m0", Server),
    ("POST", "/notifications/messages/test", Server),
    ("POST", "/users/ea3a81/connections", OwnClient),
    ("POST", "/users/ea3a81/connections/8fce3b", OwnClient),
    ("GET", "/institutions", AnyClient),
    ("GET", "/institutions/AU00000", AnyClient),
];

const ALLOWED: &str = "allowed";
const FORBIDDEN: &str = "403 forbidden-access";
const NOT_YOURS: &str = "401 unauthorized-access";

/// What SERVER, CLIENT (own user) and CLIENT (other user) get under `rule`.
fn expected(rule: Rule) -> [&'static str; 3] {
    match rule {
        Server => [ALLOWED, FORBIDDEN, FORBIDDEN],
        OwnClient => [ALLOWED, ALLOWED, NOT_YOURS],
        AnyClient => [ALLOWED, ALLOWED, ALLOWED],
        ClientOnly => [FORBIDDEN, ALLOWED, NOT_YOURS],
    }
}

/// How far a request got: refused by the token (with its status and code) or past it.
fn outcome(ex: &Exchange) -> String {
    if ex.status != 401 && ex.status != 403 {
        return ALLOWED.to_owned();
    }
    let code = ex.json()["data"][0]["code"]
        .as_str()
        .unwrap_or("(no code)")
        .to_owned();
    format!("{} {code}", ex.status)
}

/// Each route on a fresh server, so that what one call changes cannot decide another's outcome;
/// the CLIENT calls go first, so an allowed SERVER call cannot remove what they reach.
#[tokio::test]
async fn every_route_by_scope_and_user() {
    let mut mismatches = Vec::new();
    for &(method, path, rule) in ROUTES {
        let b = Basiq::start().await;
        let other = b
            .server
            .engine()
            .with_world(|w| w.basiq.users[1].id.clone());
        assert_ne!(other, "ea3a81");
        let other_auth = format!(
            "Bearer {}",
            basiq_token(&b.server, &format!("scope=CLIENT_ACCESS&userId={other}")).await
        );
        let path = if path.contains("{job}") {
            path.replace(
                "{job}",
                &b.connect("gavinBelson", "hooli2016", "AU00000").await,
            )
        } else {
            path.to_owned()
        };
        let mut got = [String::new(), String::new(), String::new()];
        for (i, auth) in [(2, &other_auth), (1, &b.client_auth), (0, &b.server_auth)] {
            let headers = [
                ("authorization", auth.as_str()),
                ("content-type", "application/json"),
            ];
            let ex = send(
                b.server.basiq_url(),
                method,
                &path,
                &headers,
                json!({}).to_string().as_bytes(),
            )
            .await;
            got[i] = outcome(&ex);
        }
        if got != expected(rule) {
            mismatches.push(format!(
                "{method} {path}: expected {:?}, got {got:?}",
                expected(rule)
            ));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

/// The matrix covers every route the router serves with a token: the 40 v3 operations but
/// `POST /token`, and the legacy connection and institution routes.
#[test]
fn the_matrix_covers_every_protected_route() {
    let v3_without_token = 40 - 1;
    let legacy = 2 + 2;
    assert_eq!(ROUTES.len(), v3_without_token + legacy);
    let mut seen = std::collections::HashSet::new();
    for (method, path, _) in ROUTES {
        assert!(seen.insert((method, path)), "{method} {path} twice");
    }
}
