//! The Consent UI stand-in without a browser: who may open it, and what a failing login shows.
//! (The clicked-through happy and MFA flows are in `browser`.)

use crate::support::*;

fn form(token: &str, rest: &str) -> Vec<u8> {
    format!("token={token}&state=s&{rest}").into_bytes()
}

async fn post(server: &sandbank::RunningServer, body: &[u8]) -> Exchange {
    send(
        server.basiq_url(),
        "POST",
        "/consent/home",
        &[("content-type", "application/x-www-form-urlencoded")],
        body,
    )
    .await
}

fn error_text(ex: &Exchange) -> String {
    let text = String::from_utf8_lossy(&ex.body);
    text.split_once(r#"id="error" class="error">"#)
        .and_then(|(_, rest)| rest.split_once("</p>"))
        .map(|(e, _)| e.to_owned())
        .unwrap_or_default()
}

/// Tokens that are not a live CLIENT_ACCESS token of this application, auth links that are not
/// current, and `action=extend` without a consent are turned away with a 401 page, before any
/// step runs.
#[tokio::test]
async fn who_may_open_it() {
    let server = default_server().await;
    let base = server.basiq_url();
    let client = basiq_token(&server, "scope=CLIENT_ACCESS&userId=ea3a81").await;
    let server_scope = server_token(&server).await;
    let cases = [
        (
            "/consent/home".to_owned(),
            "This link needs a CLIENT_ACCESS token or an auth link.",
        ),
        (
            format!("/consent/home?token={server_scope}"),
            "The token is not valid for this application, or is not a CLIENT_ACCESS token bound to a user.",
        ),
        (
            "/consent/home?token=abc.def.ghi".to_owned(),
            "The token is not valid for this application, or is not a CLIENT_ACCESS token bound to a user.",
        ),
        (
            "/consent/home?authLink=nope".to_owned(),
            "This auth link is not valid: it expired, was replaced, deleted or used.",
        ),
    ];
    for (path, expected) in cases {
        let ex = get(base, &path, &[]).await;
        assert_eq!(ex.status, 401, "{path}");
        assert_eq!(ex.header("content-type"), Some("text/html; charset=utf-8"));
        assert_eq!(error_text(&ex), expected, "{path}");
    }
    // A user with no consent cannot extend one.
    let made = send(
        base,
        "POST",
        "/users",
        &[
            ("authorization", &format!("Bearer {server_scope}")),
            ("content-type", "application/json"),
        ],
        br#"{"email":"new@example.com"}"#,
    )
    .await;
    let fresh = made.json()["id"].as_str().unwrap_or_default().to_owned();
    let token = basiq_token(&server, &format!("scope=CLIENT_ACCESS&userId={fresh}")).await;
    for action in ["extend", "update"] {
        let ex = get(
            base,
            &format!("/consent/home?token={token}&action={action}"),
            &[],
        )
        .await;
        assert_eq!(
            (ex.status, error_text(&ex).as_str()),
            (401, "There is no consent to extend."),
            "{action}"
        );
    }
    // An hour later the token has expired.
    let ex = get(base, &format!("/consent/home?token={client}"), &[]).await;
    assert_eq!(ex.status, 200);
    server
        .engine()
        .clock()
        .advance(chrono::Duration::seconds(3600));
    let ex = get(base, &format!("/consent/home?token={client}"), &[]).await;
    assert_eq!(
        (ex.status, error_text(&ex).as_str()),
        (401, "The token has expired.")
    );
}

/// Missing credentials stay on the form; a failing persona (bighead, locked) starts its job,
/// whose page then shows the failure and a way back to the form; the API sees the same job.
#[tokio::test]
async fn a_failing_login() {
    let server = default_server().await;
    let base = server.basiq_url();
    let token = basiq_token(&server, "scope=CLIENT_ACCESS&userId=ea3a81").await;
    let empty = post(
        &server,
        &form(
            &token,
            "step=credentials&institutionId=AU00000&loginId=&password=",
        ),
    )
    .await;
    assert_eq!(
        (empty.status, error_text(&empty).as_str()),
        (200, "Enter your login id and password.")
    );

    let sent = post(
        &server,
        &form(
            &token,
            "step=credentials&institutionId=AU00000&loginId=bighead&password=password",
        ),
    )
    .await;
    assert_eq!(sent.status, 303);
    let location = sent.header("location").unwrap_or_default().to_owned();
    assert!(
        location.starts_with("/consent/home/job?token="),
        "{location}"
    );
    let connecting = get(base, &location, &[]).await;
    let page = String::from_utf8_lossy(&connecting.body).into_owned();
    assert!(
        page.contains(r#"<meta http-equiv="refresh" content="1">"#),
        "{page}"
    );
    assert!(page.contains("Connecting to Hooli Bank…"), "{page}");
    server
        .engine()
        .clock()
        .advance(chrono::Duration::seconds(1));
    let failed = get(base, &location, &[]).await;
    assert_eq!(error_text(&failed), "Account is locked");
    assert!(String::from_utf8_lossy(&failed.body).contains(r#"id="again""#));

    let job = location
        .rsplit_once("jobId=")
        .map(|(_, j)| j)
        .unwrap_or_default();
    let server_scope = server_token(&server).await;
    let api = get(
        base,
        &format!("/jobs/{job}"),
        &[("authorization", &format!("Bearer {server_scope}"))],
    )
    .await
    .json();
    assert_eq!(api["steps"][0]["status"], "failed");
    assert_eq!(api["steps"][0]["result"]["code"], "invalid-credentials");
}

/// `connectionId` opens the credential update of one of the user's web connections: the form of
/// its bank, then a job with the new login on the same connection, which turns active again. A
/// connection that is not the user's is turned away.
#[tokio::test]
async fn credential_update_of_an_invalid_connection() {
    let b = Basiq::start().await;
    let base = b.server.basiq_url();
    let token = basiq_token(&b.server, "scope=CLIENT_ACCESS&userId=ea3a81").await;
    let locked = b.connect("bighead", "password", "AU00000").await;
    b.advance(1);
    let connection = b.connection_of(&locked).await;
    assert_eq!(connection["status"], "invalid");
    let id = connection["id"].as_str().unwrap_or_default().to_owned();
    let count = |v: serde_json::Value| v["data"].as_array().map_or(0, Vec::len);
    let before = count(b.get("/users/ea3a81/connections").await.json());

    let opened = get(
        base,
        &format!("/consent/home?token={token}&state=s&connectionId={id}"),
        &[],
    )
    .await;
    let page = String::from_utf8_lossy(&opened.body).into_owned();
    assert_eq!(opened.status, 200);
    assert!(page.contains("<title>Hooli Bank"), "{page}");
    assert!(
        page.contains(&format!(r#"name="connectionId" value="{id}""#)),
        "{page}"
    );

    let sent = post(
        &b.server,
        &form(
            &token,
            &format!(
                "connectionId={id}&step=credentials&institutionId=AU00000&loginId=gavinBelson&password=hooli2016"
            ),
        ),
    )
    .await;
    assert_eq!(sent.status, 303, "{}", sent.render());
    let location = sent.header("location").unwrap_or_default().to_owned();
    let job = location
        .rsplit_once("jobId=")
        .map(|(_, j)| j.to_owned())
        .unwrap_or_default();
    b.advance(5);
    assert_eq!(
        statuses(&b.job(&job).await),
        ["success", "success", "success"]
    );
    let renewed = b.connection_of(&job).await;
    assert_eq!(
        (renewed["id"].as_str(), &renewed["status"]),
        (Some(id.as_str()), &serde_json::json!("active"))
    );
    assert_eq!(
        count(b.get("/users/ea3a81/connections").await.json()),
        before,
        "no new connection"
    );

    let foreign = get(
        base,
        &format!("/consent/home?token={token}&connectionId=not-hers"),
        &[],
    )
    .await;
    assert_eq!(
        (foreign.status, error_text(&foreign).as_str()),
        (401, "The connection to update is not one of the user's.")
    );
}

/// An auth link opens on the SMS code page: every step waits for the scenario's code (a wrong
/// one is refused on the page), then the flow goes on as from a token.
#[tokio::test]
async fn auth_link_asks_for_the_sms_code() {
    let server = server(
        "[basiq]\napiKeys = [\"c2FuZGJhbms6c2FuZGJveA==\"]\nauthLinkCode = \"246810\"\n\
         [[basiq.users]]\nid = \"u1\"\nmobile = \"+61410888999\"\n",
    )
    .await;
    let base = server.basiq_url();
    let auth = format!("Bearer {}", server_token(&server).await);
    let made = send(
        base,
        "POST",
        "/users/u1/auth_link",
        &[("authorization", &auth)],
        b"",
    )
    .await;
    assert_eq!(made.status, 201, "{}", made.render());
    let public = made.json()["links"]["public"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let link = public
        .rsplit_once("authLink=")
        .map(|(_, l)| l.to_owned())
        .unwrap_or_default();
    let opened = get(base, &format!("/consent/home?authLink={link}"), &[]).await;
    let text = String::from_utf8_lossy(&opened.body).into_owned();
    assert_eq!(opened.status, 200);
    assert!(text.contains("<title>Verify your mobile"), "{text}");
    assert!(text.contains("mobile ending in 999"), "{text}");
    let form = |rest: &str| format!("authLink={link}&{rest}").into_bytes();
    // Skipping the code does not get past it.
    let skipped = post(&server, &form("step=consent&institutionId=AU00000")).await;
    assert!(String::from_utf8_lossy(&skipped.body).contains(r#"<form id="sms""#));
    let wrong = post(&server, &form("step=sms&code=123456")).await;
    assert_eq!(
        error_text(&wrong),
        "That code is not correct. Check the SMS and try again."
    );
    let right = post(&server, &form("step=sms&code=246810")).await;
    assert_eq!(right.status, 303);
    assert_eq!(
        right.header("location"),
        Some(format!("/consent/home?authLink={link}").as_str())
    );
    let consent = get(base, &format!("/consent/home?authLink={link}"), &[]).await;
    assert!(String::from_utf8_lossy(&consent.body).contains(r#"<form id="consent""#));
    let bank = post(&server, &form("step=consent&institutionId=AU00000")).await;
    assert!(String::from_utf8_lossy(&bank.body).contains(r#"<form id="credentials""#));
}

/// `action=manage`: the consent's expiry and the connected banks; "Disconnect" deletes one
/// connection as the API does, "Revoke consent" deletes the consent and every connection, then
/// the user goes back with only `state`. Without a consent there is nothing to manage.
#[tokio::test]
async fn manage_disconnects_and_revokes() {
    let b = Basiq::start().await;
    let base = b.server.basiq_url();
    let token = basiq_token(&b.server, "scope=CLIENT_ACCESS&userId=ea3a81").await;
    let connections = ids(&b.get("/users/ea3a81/connections").await.json());
    let consent = b.get("/users/ea3a81/consents").await.json();
    let opened = get(
        base,
        &format!("/consent/home?token={token}&action=manage&state=m"),
        &[],
    )
    .await;
    let page = String::from_utf8_lossy(&opened.body).into_owned();
    assert_eq!(opened.status, 200);
    assert!(page.contains("<title>Manage your consent"), "{page}");
    assert!(
        page.contains(&format!(
            r#"<span id="expiry">{}</span>"#,
            consent["data"][0]["expiryDate"].as_str().unwrap_or("?")
        )),
        "{page}"
    );
    for id in &connections {
        assert!(page.contains(&format!(r#"id="disconnect-{id}""#)), "{page}");
    }
    let manage = |rest: &str| format!("token={token}&action=manage&state=m&{rest}").into_bytes();
    let unknown = post(&b.server, &manage("step=disconnect&disconnect=nope")).await;
    assert_eq!(unknown.status, 200);
    assert_eq!(
        ids(&b.get("/users/ea3a81/connections").await.json()),
        connections
    );
    let first = connections.first().cloned().unwrap_or_default();
    let gone = post(
        &b.server,
        &manage(&format!("step=disconnect&disconnect={first}")),
    )
    .await;
    assert!(String::from_utf8_lossy(&gone.body).contains("The bank was disconnected."));
    assert_eq!(
        ids(&b.get("/users/ea3a81/connections").await.json()),
        connections[1..]
    );
    let revoked = post(&b.server, &manage("step=revoke")).await;
    assert_eq!(revoked.status, 200, "{}", revoked.render());
    assert_eq!(
        String::from_utf8_lossy(&revoked.body)
            .split_once(r#"<code id="result">"#)
            .and_then(|(_, r)| r.split_once("</code>"))
            .map(|(q, _)| q.to_owned()),
        Some("state=m".to_owned())
    );
    assert_eq!(
        b.get("/users/ea3a81/connections").await.json()["data"],
        serde_json::json!([])
    );
    assert_eq!(b.get("/users/ea3a81/consents").await.json()["size"], 0);
    let events = b.get("/events?filter=user.id.eq('ea3a81')").await.json();
    let kinds = event_kinds(&events);
    let mut expected = vec!["consent.revoked".to_owned()];
    expected.extend(std::iter::repeat_n(
        "connection.deleted".to_owned(),
        connections.len(),
    ));
    assert_eq!(kinds, expected, "newest first");
    let again = get(
        base,
        &format!("/consent/home?token={token}&action=manage"),
        &[],
    )
    .await;
    assert_eq!(
        (again.status, error_text(&again).as_str()),
        (401, "There is no consent to manage.")
    );
    // A connection made after the revocation comes with a new consent, not the revoked one.
    b.connect("gavinBelson", "hooli2016", "AU00000").await;
    let renewed = b.get("/users/ea3a81/consents").await.json();
    assert_eq!(renewed["size"], 1);
    assert_ne!(renewed["data"][0]["id"], consent["data"][0]["id"]);
}

/// `action=extend`, and `update` (the consent policy never changes, so it falls back to
/// `extend`): the page shows the consent's end and the new one; agreeing moves `expiryDate` a
/// term on from now and `updated` to now, records `consent.updated`, and sends the user back
/// with `state` only.
#[tokio::test]
async fn extend_and_update_renew_the_consent() {
    let mut b = Basiq::start().await;
    let base = b.server.basiq_url().to_owned();
    let base = base.as_str();
    for (day, action) in [(10, "extend"), (20, "update")] {
        b.advance(10 * 86_400);
        b.new_server_token().await;
        let before = b.get("/users/ea3a81/consents").await.json();
        let token = basiq_token(&b.server, "scope=CLIENT_ACCESS&userId=ea3a81").await;
        let opened = get(
            base,
            &format!("/consent/home?token={token}&action={action}&state=x"),
            &[],
        )
        .await;
        let page = String::from_utf8_lossy(&opened.body).into_owned();
        assert_eq!(opened.status, 200, "{page}");
        let now = b.server.engine().clock().now();
        let extended = (now + chrono::Duration::days(365))
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string();
        assert!(
            page.contains(&format!(
                r#"<span id="expiry">{}</span>"#,
                before["data"][0]["expiryDate"].as_str().unwrap_or("?")
            )) && page.contains(&format!(r#"<span id="extended">{extended}</span>"#)),
            "{page}"
        );
        let agreed = post(
            &b.server,
            format!("token={token}&action={action}&state=x&step=extend").as_bytes(),
        )
        .await;
        assert_eq!(
            String::from_utf8_lossy(&agreed.body)
                .split_once(r#"<code id="result">"#)
                .and_then(|(_, r)| r.split_once("</code>"))
                .map(|(q, _)| q.to_owned()),
            Some("state=x".to_owned()),
            "day {day}"
        );
        let after = b.get("/users/ea3a81/consents").await.json();
        let consent = &after["data"][0];
        assert_eq!(consent["id"], before["data"][0]["id"]);
        assert_eq!(consent["expiryDate"], extended.as_str());
        assert_eq!(
            consent["updated"],
            now.format("%Y-%m-%dT%H:%M:%SZ").to_string().as_str()
        );
        assert_eq!(consent["status"], "active");
        let events = b.get("/events?filter=user.id.eq('ea3a81')").await.json();
        assert_eq!(
            event_kinds(&events).first().map(String::as_str),
            Some("consent.updated"),
            "day {day}"
        );
    }
}
