//! Hooli Bank in open-banking mode (`scenarios/hooli-ob.toml`, digest §13.5): CDR consents
//! authorised with member number 374829 and one-time password 227470, `pre-init` → `active`,
//! an `expiryDate`, 20 refreshes a day, expiry and re-authorisation.

use serde_json::json;

use crate::snap;
use crate::support::*;

const HOOLI_OB: &str = include_str!("../../scenarios/hooli-ob.toml");

fn form(token: &str, rest: &str) -> Vec<u8> {
    format!("token={token}&state=s&{rest}").into_bytes()
}

async fn post_form(b: &Basiq, body: &[u8]) -> Exchange {
    send(
        b.server.basiq_url(),
        "POST",
        "/consent/home",
        &[("content-type", "application/x-www-form-urlencoded")],
        body,
    )
    .await
}

fn text(ex: &Exchange) -> String {
    String::from_utf8_lossy(&ex.body).into_owned()
}

fn job_of(location: &str) -> String {
    location
        .rsplit_once("jobId=")
        .map(|(_, j)| j.to_owned())
        .unwrap_or_default()
}

/// The connector of an open-banking bank has method `openbanking` and answers to both of
/// Basiq's spellings; its web connector is gone.
#[tokio::test]
async fn the_connector_is_open_banking() {
    let b = Basiq::on(HOOLI_OB, "u1").await;
    let list = b.get("/connectors").await.json();
    assert_eq!(list["data"][0]["method"], "openbanking");
    assert_eq!(
        list["data"][0]["links"]["self"],
        "https://au-api.basiq.io/connectors/AU00000/openbanking"
    );
    let filtered = b
        .get("/connectors?filter=connector.method.eq('openbanking')")
        .await
        .json();
    assert_eq!(ids(&filtered), ["AU00000"]);
    for (path, status) in [
        ("/connectors/AU00000/openbanking", 200),
        ("/connectors/AU00000/open-banking", 200),
        ("/connectors/AU00000/web", 404),
        ("/connectors/AU00002/web", 200),
    ] {
        assert_eq!(b.get(path).await.status, status, "{path}");
    }
}

/// Through the API: the connection is `pre-init` until the job verifies the authorisation,
/// then `active`, with method `open-banking`, the consent's expiry and the user's own profile.
#[tokio::test]
async fn member_number_and_otp_authorise_a_consent() {
    let b = Basiq::on(HOOLI_OB, "u1").await;
    let job = b.connect_user("u1", "374829", "227470", "AU00000").await;
    let connections = b.get("/users/u1/connections").await.json();
    assert_eq!(connections["data"][0]["status"], "pre-init");
    b.advance(3);
    assert_eq!(
        statuses(&b.job(&job).await),
        ["success", "success", "success"]
    );
    let connection = b.connection_of(&job).await;
    assert_eq!(connection["status"], "active");
    assert_eq!(connection["method"], "open-banking");
    assert_eq!(connection["profile"]["fullName"], "Olive Banks");
    let consents = b.get("/users/u1/consents").await.json();
    assert_eq!(connection["expiryDate"], consents["data"][0]["expiryDate"]);
    assert_ne!(connection["expiryDate"], "");
    let accounts = b.get("/users/u1/accounts").await.json();
    let classes: Vec<&str> = accounts["data"]
        .as_array()
        .map(|d| {
            d.iter()
                .filter_map(|a| a["class"]["type"].as_str())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(classes, ["transaction", "savings", "credit-card"]);
    snap!("basiq_open_banking_connection", {
        let mut c = connection.clone();
        c["accounts"] = json!("[checked above]");
        serde_json::to_string_pretty(&c).unwrap_or_default()
    });
}

/// Open-banking accounts carry the CDR fields: BSB and unmasked number for deposit accounts,
/// the masked number, creation date, rates, and `meta` (fees, rates, features; what a card
/// owes); web accounts do not.
#[tokio::test]
async fn open_banking_accounts_carry_the_cdr_fields() {
    let b = Basiq::on(HOOLI_OB, "u1").await;
    b.connect_user("u1", "374829", "227470", "AU00000").await;
    b.advance(3);
    let accounts = b.get("/users/u1/accounts").await;
    let list = accounts.json();
    let by_class = |class: &str| {
        list["data"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|a| a["class"]["type"] == class)
            .cloned()
            .unwrap_or_default()
    };
    let everyday = by_class("transaction");
    let number = everyday["accountNo"].as_str().unwrap_or_default();
    assert_eq!(everyday["bsb"].as_str(), number.get(..6));
    assert_eq!(everyday["unmaskedAccNum"].as_str(), number.get(6..));
    assert_eq!(everyday["meta"]["fees"][0]["feeType"], "PERIODIC");
    let savings = by_class("savings");
    assert_eq!(
        savings["meta"]["depositRates"][0]["rate"],
        savings["depositRate"]
    );
    let card = by_class("credit-card");
    assert!(
        card["maskedNumber"]
            .as_str()
            .is_some_and(|m| m.starts_with("xxxx xxxx xxxx "))
    );
    assert_eq!(
        card.get("unmaskedAccNum"),
        None,
        "a card number is never unmasked"
    );
    let owed = card["balance"]
        .as_str()
        .unwrap_or_default()
        .trim_start_matches('-');
    assert_eq!(card["meta"]["creditCard"]["paymentDueAmount"], owed);
    snap!("basiq_open_banking_accounts", accounts.render());

    let web = Basiq::start().await;
    let accounts = web.get("/users/ea3a81/accounts").await.json();
    assert!(
        accounts["data"]
            .as_array()
            .into_iter()
            .flatten()
            .all(|a| a.get("meta").is_none() && a.get("bsb").is_none())
    );
}

/// A wrong one-time password, and a web login, are refused by the bank: `verify-credentials`
/// fails with `authorization-failed` and nothing is retrieved.
#[tokio::test]
async fn other_logins_fail_authorisation() {
    let b = Basiq::on(HOOLI_OB, "u1").await;
    for (login, password) in [("374829", "000000"), ("gavinBelson", "hooli2016")] {
        let job = b.connect_user("u1", login, password, "AU00000").await;
        b.advance(1);
        let body = b.job(&job).await;
        assert_eq!(statuses(&body), ["failed", "pending", "pending"], "{login}");
        assert_eq!(
            body["steps"][0]["result"],
            json!({"code": "authorization-failed", "title": "Authorization failed", "detail": "access_denied"}),
            "{login}"
        );
    }
    let accounts = b.get("/users/u1/accounts").await.json();
    assert_eq!(accounts["data"], json!([]));
}

/// Twenty refreshes in 24 hours; the 21st gets 403, and a day later refreshing works again.
#[tokio::test]
async fn twenty_refreshes_a_day() {
    let mut b = Basiq::on(HOOLI_OB, "u1").await;
    let job = b.connect_user("u1", "374829", "227470", "AU00000").await;
    b.advance(3);
    let id = b.connection_of(&job).await["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let path = format!("/users/u1/connections/{id}/refresh");
    for n in 1..=20 {
        let ex = b.post(&b.server_auth, &path, json!({})).await;
        assert_eq!(ex.status, 202, "refresh {n}: {}", ex.render());
        b.advance(3);
    }
    let refused = b.post(&b.server_auth, &path, json!({})).await;
    assert_eq!(refused.status, 403);
    let all = b
        .post(&b.server_auth, "/users/u1/connections/refresh", json!({}))
        .await;
    assert_eq!(
        (all.status, &all.json()["data"]),
        (202, &json!([])),
        "refresh-all leaves it out"
    );
    snap!("basiq_open_banking_refresh_limit", refused.render());
    b.advance(24 * 3600);
    b.new_server_token().await;
    let again = b.post(&b.server_auth, &path, json!({})).await;
    assert_eq!(again.status, 202, "{}", again.render());
}

/// A connection the scenario spells out (no creation job) gets the same 20 refreshes.
#[tokio::test]
async fn a_scenario_connection_counts_only_refreshes() {
    let scenario = format!(
        "{HOOLI_OB}\n[[basiq.users.connections]]\nid = \"0b0b0b\"\nmethod = \"open-banking\"\n"
    );
    let b = Basiq::on(&scenario, "u1").await;
    let path = "/users/u1/connections/0b0b0b/refresh";
    for n in 1..=20 {
        let ex = b.post(&b.server_auth, path, json!({})).await;
        assert_eq!(ex.status, 202, "refresh {n}: {}", ex.render());
        b.advance(3);
    }
    let refused = b.post(&b.server_auth, path, json!({})).await;
    assert_eq!(refused.status, 403, "{}", refused.render());
}

/// At its `expiryDate` the connection turns `invalid` (with `connection.invalidated`) and
/// refreshes are refused; re-authorising through the Consent UI (`connectionId`) gives it a
/// new expiry and makes it `active` again.
#[tokio::test]
async fn expiry_and_reauthorisation() {
    let mut b = Basiq::on(HOOLI_OB, "u1").await;
    let job = b.connect_user("u1", "374829", "227470", "AU00000").await;
    b.advance(3);
    let connection = b.connection_of(&job).await;
    let id = connection["id"].as_str().unwrap_or_default().to_owned();
    let expiry = connection["expiryDate"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    b.advance(365 * 24 * 3600);
    b.new_server_token().await;
    let expired = b.get(&format!("/users/u1/connections/{id}")).await.json();
    assert_eq!(expired["status"], "invalid");
    let events = b
        .get("/events?filter=event.entity.eq('connection'),event.type.eq('invalidated')")
        .await
        .json();
    assert_eq!(events["data"].as_array().map(Vec::len), Some(1));
    assert_eq!(events["data"][0]["createdDate"], json!(expiry));
    let refresh = b
        .post(
            &b.server_auth,
            &format!("/users/u1/connections/{id}/refresh"),
            json!({}),
        )
        .await;
    assert_eq!(refresh.status, 400);
    // The API's credential update is for web connections only.
    let update = b
        .post(
            &b.server_auth,
            &format!("/users/u1/connections/{id}"),
            json!({"password": "227470"}),
        )
        .await;
    assert_eq!(
        (update.status, &update.json()["data"][0]["detail"]),
        (400, &json!("Connection type is not Web"))
    );

    let token = basiq_token(&b.server, "scope=CLIENT_ACCESS&userId=u1").await;
    let opened = get(
        b.server.basiq_url(),
        &format!("/consent/home?token={token}&action=reauthorise&connectionId={id}"),
        &[],
    )
    .await;
    assert!(text(&opened).contains("Member number"), "{}", text(&opened));
    let rest = format!("action=reauthorise&connectionId={id}&institutionId=AU00000");
    let accounts_page = post_form(
        &b,
        &form(
            &token,
            &format!("{rest}&step=otp&loginId=374829&password=227470"),
        ),
    )
    .await;
    assert!(text(&accounts_page).contains(r#"id="authorise""#));
    let sent = post_form(
        &b,
        &form(
            &token,
            &format!("{rest}&step=authorise&loginId=374829&password=227470&account=0"),
        ),
    )
    .await;
    assert_eq!(sent.status, 303, "{}", sent.render());
    let renewal = job_of(sent.header("location").unwrap_or_default());
    b.advance(3);
    let renewed = b.connection_of(&renewal).await;
    assert_eq!(
        (renewed["id"].as_str(), &renewed["status"]),
        (Some(id.as_str()), &json!("active"))
    );
    assert!(
        renewed["expiryDate"].as_str() > Some(expiry.as_str()),
        "{} after {expiry}",
        renewed["expiryDate"]
    );
}

/// The Consent UI's open-banking pages: member number, one-time password (a wrong one stays
/// on the bank's page), the account choice, then the job and the redirect; only the accounts
/// ticked are shared.
#[tokio::test]
async fn consent_ui_shares_the_accounts_chosen() {
    let b = Basiq::on(HOOLI_OB, "u1").await;
    let token = basiq_token(&b.server, "scope=CLIENT_ACCESS&userId=u1").await;
    let member = post_form(&b, &form(&token, "step=institution&institutionId=AU00000")).await;
    assert!(
        text(&member).contains(r#"<form id="member""#),
        "{}",
        text(&member)
    );
    let otp = post_form(
        &b,
        &form(
            &token,
            "step=credentials&institutionId=AU00000&loginId=374829",
        ),
    )
    .await;
    assert!(text(&otp).contains(r#"<form id="otp""#), "{}", text(&otp));
    let wrong = post_form(
        &b,
        &form(
            &token,
            "step=otp&institutionId=AU00000&loginId=374829&password=111111",
        ),
    )
    .await;
    assert!(
        text(&wrong).contains("The member number or one-time password is not correct."),
        "{}",
        text(&wrong)
    );
    let none = post_form(
        &b,
        &form(
            &token,
            "step=authorise&institutionId=AU00000&loginId=374829&password=227470",
        ),
    )
    .await;
    assert!(text(&none).contains("Choose at least one account to share."));
    let opened = b.get("/users/u1/connections").await.json();
    assert_eq!(
        values(&opened, "status"),
        ["pre-init"],
        "the bank's pages opened the connection"
    );
    assert_eq!(
        b.get("/users/u1/accounts").await.json()["data"],
        json!([]),
        "nothing is shared before the authorisation"
    );
    let sent = post_form(
        &b,
        &form(
            &token,
            "step=authorise&institutionId=AU00000&loginId=374829&password=227470&account=1",
        ),
    )
    .await;
    assert_eq!(sent.status, 303, "{}", sent.render());
    let location = sent.header("location").unwrap_or_default().to_owned();
    b.advance(3);
    let done = get(b.server.basiq_url(), &location, &[]).await;
    assert_eq!(done.status, 303);
    assert_eq!(
        done.header("location"),
        Some(
            format!(
                "https://app.example/basiq/done?jobIds={}&state=s",
                job_of(&location)
            )
            .as_str()
        )
    );
    let accounts = b.get("/users/u1/accounts").await.json();
    assert_eq!(accounts["data"].as_array().map(Vec::len), Some(1));
    assert_eq!(accounts["data"][0]["class"]["type"], "savings");
    let connections = b.get("/users/u1/connections").await.json();
    assert_eq!(
        ids(&connections),
        ids(&opened),
        "the opened connection was authorised"
    );
    assert_eq!(values(&connections, "status"), ["active"]);
}

/// A user who leaves the bank's pages leaves a `pre-init` connection behind: no expiry, no data,
/// `connection.created` only; a refresh is refused and refresh-all leaves it out; the next
/// flow at that bank takes it up instead of opening another.
#[tokio::test]
async fn an_abandoned_authorisation_stays_pre_init() {
    let b = Basiq::on(HOOLI_OB, "u1").await;
    let token = basiq_token(&b.server, "scope=CLIENT_ACCESS&userId=u1").await;
    post_form(&b, &form(&token, "step=institution&institutionId=AU00000")).await;
    b.advance(600);
    let listed = b.get("/users/u1/connections").await;
    let left = listed.json();
    let id = left["data"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    snap!("basiq_open_banking_abandoned", listed.render());
    assert_eq!(b.get("/users/u1/accounts").await.json()["data"], json!([]));
    let events = b.get("/events?filter=user.id.eq('u1')").await.json();
    assert!(
        event_kinds(&events).contains(&"connection.created".to_owned())
            && !event_kinds(&events).contains(&"connection.activated".to_owned()),
        "{events}"
    );
    let path = format!("/users/u1/connections/{id}/refresh");
    let refused = b.post(&b.server_auth, &path, json!({})).await;
    assert_eq!(refused.status, 400, "{}", refused.render());
    assert_eq!(refused.json()["data"][0]["code"], "invalid-credentials");
    let all = b
        .post(&b.server_auth, "/users/u1/connections/refresh", json!({}))
        .await;
    assert_eq!((all.status, &all.json()["data"]), (202, &json!([])));
    post_form(&b, &form(&token, "step=institution&institutionId=AU00000")).await;
    let sent = post_form(
        &b,
        &form(
            &token,
            "step=authorise&institutionId=AU00000&loginId=374829&password=227470&account=0",
        ),
    )
    .await;
    assert_eq!(sent.status, 303, "{}", sent.render());
    b.advance(3);
    let connections = b.get("/users/u1/connections").await.json();
    assert_eq!(ids(&connections), [id]);
    assert_eq!(values(&connections, "status"), ["active"]);
}

/// Extending the consent (Consent UI `action=extend`) extends the arrangement of an active
/// open-banking connection with it: the old expiry passes and the connection stays `active`.
#[tokio::test]
async fn extending_the_consent_extends_the_arrangement() {
    let mut b = Basiq::on(HOOLI_OB, "u1").await;
    let job = b.connect_user("u1", "374829", "227470", "AU00000").await;
    b.advance(3);
    let first = b.connection_of(&job).await["expiryDate"].clone();
    b.advance(100 * 86_400);
    let token = basiq_token(&b.server, "scope=CLIENT_ACCESS&userId=u1").await;
    let extended = post_form(
        &b,
        &format!("token={token}&action=extend&step=extend").into_bytes(),
    )
    .await;
    assert_eq!(extended.status, 303, "{}", extended.render());
    b.new_server_token().await;
    let consent = b.get("/users/u1/consents").await.json()["data"][0].clone();
    let connection = b.connection_of(&job).await;
    assert_eq!(connection["expiryDate"], consent["expiryDate"]);
    assert!(connection["expiryDate"].as_str() > first.as_str());
    b.advance(300 * 86_400);
    b.new_server_token().await;
    assert_eq!(
        b.connection_of(&job).await["status"],
        "active",
        "past {first}"
    );
}
