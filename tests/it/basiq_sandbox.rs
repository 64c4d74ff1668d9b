//! Institutions and personas a scenario defines (`scenarios/own-bank.toml`): listed with
//! Basiq's sandbox banks, connected to with the same jobs, MFA and failures.

use serde_json::json;

use crate::snap;
use crate::support::*;

const OWN_BANK: &str = include_str!("../../scenarios/own-bank.toml");

/// The scenario's bank is a connector and an institution beside the sandbox banks.
#[tokio::test]
async fn own_institution_is_listed() {
    let b = Basiq::on(OWN_BANK, "u1").await;
    let list = b.get("/connectors").await.json();
    let ids: Vec<&str> = list["data"]
        .as_array()
        .map(|d| d.iter().filter_map(|c| c["id"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(ids, ["AU00000", "AU00002", "AU00003", "AU00004", "AU99001"]);
    let filtered = b
        .get("/connectors?filter=connector.authorization.type.eq('user-mfa')")
        .await
        .json();
    assert_eq!(filtered["totalCount"], 2, "Pied Piper and Wonderland");
    let connector = b.get("/connectors/AU99001/web").await;
    let institution = b.get("/institutions/AU99001").await;
    assert_eq!((connector.status, institution.status), (200, 200));
    snap!(
        "basiq_own_institution",
        render_all(&[connector, institution])
    );
}

/// A scenario persona: its own challenge, profile and accounts, at its own bank only.
#[tokio::test]
async fn own_persona_connects_with_its_challenge_and_accounts() {
    let b = Basiq::on(OWN_BANK, "u1").await;
    let job = b.connect_user("u1", "alice", "wonderland", "AU99001").await;
    b.advance(1);
    let waiting = b.job(&job).await;
    assert_eq!(
        statuses(&waiting),
        ["success", "in-progress", "pending", "pending"]
    );
    assert_eq!(
        waiting["steps"][1]["result"]["input"],
        json!(["What is your cat's name?"])
    );
    let path = format!("/jobs/{job}/mfa");
    let sandbox_answer = b
        .post(&b.client_auth, &path, json!({"mfa-response": ["1234"]}))
        .await;
    assert_eq!(sandbox_answer.status, 400, "{}", sandbox_answer.render());
    let right = b
        .post(&b.client_auth, &path, json!({"mfa-response": ["Dinah"]}))
        .await;
    assert_eq!(right.status, 202, "{}", right.render());
    b.advance(3);
    assert_eq!(
        statuses(&b.job(&job).await),
        ["success", "success", "success", "success"]
    );
    let connection = b.connection_of(&job).await;
    assert_eq!(connection["status"], "active");
    assert_eq!(connection["mfaEnabled"], true);
    assert_eq!(connection["profile"]["fullName"], "Alice Liddell");
    assert_eq!(
        connection["profile"]["physicalAddresses"][0]["formattedAddress"],
        "1 Rabbit Hole, Oxford NSW 2000, Australia"
    );
    let accounts = b.get("/users/u1/accounts").await.json();
    let account = &accounts["data"][0];
    assert_eq!(accounts["data"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        (
            &account["accountNo"],
            &account["balance"],
            &account["accountHolder"],
            &account["class"]
        ),
        (
            &json!("062000123456"),
            &json!("1234.56"),
            &json!("Alice Liddell"),
            &json!({"type": "savings", "product": "Wonder Saver"})
        )
    );
    let transactions = b.get("/users/u1/transactions").await.json();
    assert_eq!(transactions["size"], 5);

    // Elsewhere the login is nobody's: wrong credentials.
    let elsewhere = b.connect_user("u1", "alice", "wonderland", "AU00000").await;
    b.advance(1);
    let failed = b.job(&elsewhere).await;
    assert_eq!(failed["steps"][0]["status"], "failed");
    assert_eq!(failed["steps"][0]["result"]["code"], "invalid-credentials");
}

/// A scenario persona with a sandbox persona's credentials replaces it: gavinBelson's jobs
/// now fail at retrieve-accounts with the scenario's detail, and the connection stays valid.
#[tokio::test]
async fn own_outcome_replaces_a_sandbox_persona() {
    let b = Basiq::on(OWN_BANK, "u1").await;
    let job = b
        .connect_user("u1", "gavinBelson", "hooli2016", "AU00000")
        .await;
    b.advance(5);
    let done = b.job(&job).await;
    assert_eq!(statuses(&done), ["success", "failed", "pending"]);
    assert_eq!(
        done["steps"][1]["result"],
        json!({
            "code": "service-unavailable",
            "title": "Service unavailable.",
            "detail": "Hooli is down for maintenance."
        })
    );
    let connection = b.connection_of(&job).await;
    assert_ne!(connection["status"], "invalid");
    assert_eq!(
        b.get("/users/u1/accounts").await.json()["data"],
        json!([]),
        "nothing retrieved"
    );
    // Other sandbox personas are untouched.
    let jared = b.connect_user("u1", "jared", "django", "AU00000").await;
    b.advance(5);
    assert_eq!(
        statuses(&b.job(&jared).await),
        ["success", "success", "success"]
    );
}
