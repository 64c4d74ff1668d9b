//! Same scenario + same seed ⇒ byte-identical responses, ids included, and tokens too when the
//! servers share a token secret; another seed ⇒ other generated data. Without a configured
//! secret each server signs with its own random key, so no token can be forged from the seed.

use crate::support::*;

async fn transcript(server: &sandbank::RunningServer) -> Vec<bytes::Bytes> {
    let token = server_token(server).await;
    let auth = format!("Bearer {token}");
    let generated = server.engine().with_world(|w| w.basiq.users[1].id.clone());
    let mut bodies = vec![bytes::Bytes::from(token.clone())];
    for path in [
        "/users/ea3a81".to_owned(),
        "/users/ea3a81/connections/8fce3b".to_owned(),
        format!("/users/{generated}"),
        format!("/users/{generated}/connections"),
        "/users/nobody".to_owned(),
    ] {
        bodies.push(
            get(server.basiq_url(), &path, &[("authorization", &auth)])
                .await
                .body,
        );
    }
    for path in [
        "/bank-linking/connections",
        "/bank-linking/connections/nope",
    ] {
        bodies.push(
            get(
                server.meld_url(),
                path,
                &[("authorization", "BASIC sk_sb_sandbank")],
            )
            .await
            .body,
        );
    }
    bodies
}

/// The default scenario with a frozen clock, reproducible ids and the token secret `secret`.
async fn with_secret(secret: Option<&str>) -> sandbank::RunningServer {
    started(secret, true).await
}

/// The default scenario with a frozen clock, the token secret `secret`, and ids minted while
/// serving reproducible or not.
async fn started(secret: Option<&str>, reproducible: bool) -> sandbank::RunningServer {
    let scenario = sandbank::scenario::parse("test.toml", sandbank::scenario::DEFAULT_SCENARIO)
        .expect("default scenario");
    let mut config = sandbank::ServerConfig::ephemeral(scenario);
    config.engine.clock = Some(sandbank::clock::ClockMode::Frozen { at: frozen_at() });
    config.engine.basiq_public_url = Some("https://au-api.basiq.io".to_owned());
    config.engine.token_secret = secret.map(|s| s.as_bytes().to_vec());
    config.engine.reproducible_ids = reproducible;
    sandbank::start(config).await.expect("server starts")
}

/// Two servers from the same scenario and token secret answer the same requests with the same
/// bytes.
#[tokio::test]
async fn same_seed_same_bytes() {
    let a = transcript(&with_secret(Some("shared")).await).await;
    let b = transcript(&with_secret(Some("shared")).await).await;
    assert_eq!(a.len(), b.len());
    for (i, (x, y)) in a.iter().zip(&b).enumerate() {
        assert_eq!(x, y, "exchange {i} differs");
    }
}

/// A different seed generates different people and ids; what the scenario spells out stays.
#[tokio::test]
async fn other_seed_other_data() {
    let reseeded = sandbank::scenario::DEFAULT_SCENARIO.replace("seed = 20201002", "seed = 7");
    let a = default_server().await;
    let b = server(&reseeded).await;
    let pick = |s: &sandbank::RunningServer| {
        s.engine().with_world(|w| {
            (
                w.basiq.users[1].id.clone(),
                w.basiq.users[1].email.clone(),
                w.basiq.users[0].id.clone(),
            )
        })
    };
    let (id_a, email_a, seed_user_a) = pick(&a);
    let (id_b, email_b, seed_user_b) = pick(&b);
    assert_ne!(id_a, id_b);
    assert_ne!(email_a, email_b);
    assert_eq!(seed_user_a, seed_user_b);
}

/// The seed of a public scenario decides no token: two servers of the same scenario sign with
/// different keys, and neither accepts the other's token.
#[tokio::test]
async fn tokens_are_not_derived_from_the_scenario() {
    let a = with_secret(None).await;
    let b = with_secret(None).await;
    let token_a = server_token(&a).await;
    let token_b = server_token(&b).await;
    assert_ne!(token_a, token_b);
    let on_b = get(
        b.basiq_url(),
        "/users/ea3a81",
        &[("authorization", &format!("Bearer {token_a}"))],
    )
    .await;
    assert_eq!(on_b.status, 401, "{}", on_b.render());
    let on_a = get(
        a.basiq_url(),
        "/users/ea3a81",
        &[("authorization", &format!("Bearer {token_a}"))],
    )
    .await;
    assert_eq!(on_a.status, 200, "{}", on_a.render());
}

/// Ids minted while serving — a created user's id, the event it raises and that event's
/// webhook message, Meld request ids — differ between two runs and after a reset by default,
/// so receivers that de-duplicate on them never drop a new event; with reproducible ids they
/// are the same.
#[tokio::test]
async fn minted_ids_differ_across_runs_unless_reproducible() {
    async fn minted(server: &sandbank::RunningServer) -> Vec<String> {
        let auth = format!("Bearer {}", server_token(server).await);
        let h = [
            ("authorization", auth.as_str()),
            ("content-type", "application/json"),
        ];
        let created = send(
            server.basiq_url(),
            "POST",
            "/users",
            &h,
            br#"{"email": "same@example.com"}"#,
        )
        .await;
        let events = get(server.basiq_url(), "/events", &h).await.json();
        let request = meld_call(server, "GET", "/bank-linking/connections", None).await;
        vec![
            created.json()["id"].as_str().unwrap_or_default().to_owned(),
            events["data"][0]["id"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            request
                .header("x-request-id")
                .unwrap_or_default()
                .to_owned(),
        ]
    }
    let a = minted(&started(Some("k"), false).await).await;
    let b = minted(&started(Some("k"), false).await).await;
    for (x, y) in a.iter().zip(&b) {
        assert!(!x.is_empty());
        assert_ne!(x, y, "an id repeated across runs");
    }
    let server = started(Some("k"), false).await;
    let before = minted(&server).await;
    server.engine().reset();
    let after = minted(&server).await;
    for (x, y) in before.iter().zip(&after) {
        assert_ne!(x, y, "an id repeated after a reset");
    }
    let c = minted(&started(Some("k"), true).await).await;
    let d = minted(&started(Some("k"), true).await).await;
    assert_eq!(c, d);
}
