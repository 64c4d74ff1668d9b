//! Scripted transitions: chains armed one after another, fired by the server clock (`after`,
//! `at`, `every`), by the Nth matching request, or by a refresh whose outcome they decide —
//! each seen through the vendor API and the webhooks it sends.

use serde_json::{Value, json};

use crate::support::*;
use crate::webhooks::{basiq_signature_ok, meld_signature_ok, receiver};

/// The shipped scenario of the README.
const BREAKS: &str = include_str!("../../scenarios/breaks-and-repairs.toml");
const MELD_CONNECTION: &str = "WQ5CwCxDxXhYuA4fVHGk3o";

async fn admin(base: &str, path: &str, body: Value) -> Exchange {
    let ex = send(
        base,
        if path.ends_with("webhook") {
            "PUT"
        } else {
            "POST"
        },
        path,
        &[("content-type", "application/json")],
        body.to_string().as_bytes(),
    )
    .await;
    assert_eq!(ex.status, 200, "{}", ex.render());
    ex
}

async fn advance(base: &str, seconds: i64) {
    admin(
        base,
        "/__admin/clock/advance",
        json!({ "seconds": seconds }),
    )
    .await;
}

/// A Basiq call with a token minted now (the clock moves by hours here; tokens last one).
async fn basiq(server: &sandbank::RunningServer, method: &str, path: &str) -> Exchange {
    let auth = format!("Bearer {}", server_token(server).await);
    send(
        server.basiq_url(),
        method,
        path,
        &[
            ("authorization", &auth),
            ("content-type", "application/json"),
        ],
        b"",
    )
    .await
}

async fn basiq_status(server: &sandbank::RunningServer, connection: &str) -> Value {
    let ex = basiq(
        server,
        "GET",
        &format!("/users/b1f5a0/connections/{connection}"),
    )
    .await;
    assert_eq!(ex.status, 200, "{}", ex.render());
    ex.json()["status"].clone()
}

/// How many Basiq events of `entity`.`kind` `GET /events` lists.
async fn basiq_events(server: &sandbank::RunningServer, entity: &str, kind: &str) -> usize {
    let events = basiq(server, "GET", "/events").await.json();
    events["data"]
        .as_array()
        .map(|d| {
            d.iter()
                .filter(|e| e["entity"] == entity && e["eventType"] == kind)
                .count()
        })
        .unwrap_or(0)
}

/// The README's scenario, at Meld: nothing for two hours; then RECONNECT_REQUIRED with its
/// signed STATUS_CHANGE webhook; the next refresh is accepted and its aggregation brings the
/// connection back to ACTIVE, announced the same way, with fresh aggregation events.
#[tokio::test]
async fn meld_connection_breaks_after_two_hours_and_repairs_on_refresh() {
    let (hook, inbox) = receiver(&[]).await;
    let server = server(BREAKS).await;
    let url = format!("{hook}/meld");
    admin(
        server.meld_url(),
        "/__admin/meld/webhook",
        json!({ "url": url, "secret": "s3cret" }),
    )
    .await;
    let path = format!("/bank-linking/connections/{MELD_CONNECTION}");

    advance(server.meld_url(), 7199).await;
    let before = meld_call(&server, "GET", &path, None).await.json();
    assert_eq!(before["status"], "ACTIVE");

    advance(server.meld_url(), 1).await;
    let broken = meld_call(&server, "GET", &path, None).await.json();
    assert_eq!(broken["status"], "RECONNECT_REQUIRED");
    assert_eq!(broken["statusReason"], "LOGIN_REQUIRED");
    let got = inbox.wait_for(1).await;
    let change = got[0].json();
    assert_eq!(change["eventType"], "BANK_LINKING_CONNECTION_STATUS_CHANGE");
    assert_eq!(change["payload"]["oldStatus"], "ACTIVE");
    assert_eq!(change["payload"]["newStatus"], "RECONNECT_REQUIRED");
    assert_eq!(change["payload"]["newStatusReason"], "LOGIN_REQUIRED");
    assert_eq!(change["timestamp"], "2026-01-15T11:00:00.000000Z");
    assert!(meld_signature_ok(&got[0], &url, "s3cret"));

    // Meld would refuse this refresh (409); the scenario scripts it.
    let refresh = meld_call(&server, "POST", &format!("{path}/refresh"), None).await;
    assert_eq!(refresh.status, 202, "{}", refresh.render());
    advance(server.meld_url(), 2).await;
    let repaired = meld_call(&server, "GET", &path, None).await.json();
    assert_eq!(repaired["status"], "ACTIVE");
    assert_eq!(repaired["statusReason"], Value::Null);
    assert_eq!(repaired["successfullyAggregatedAt"], "2026-01-15T11:00:02Z");

    let got = inbox.wait_for(5).await;
    let types: Vec<String> = got
        .iter()
        .skip(1)
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
            "BANK_LINKING_CONNECTION_STATUS_CHANGE",
            "BANK_LINKING_ACCOUNTS_UPDATING",
            "BANK_LINKING_ACCOUNTS_UPDATED",
            "BANK_LINKING_TRANSACTIONS_AGGREGATED",
        ]
    );
    let back = got[1].json();
    assert_eq!(back["payload"]["oldStatus"], "RECONNECT_REQUIRED");
    assert_eq!(back["payload"]["newStatus"], "ACTIVE");
    assert!(got.iter().all(|r| meld_signature_ok(r, &url, "s3cret")));

    // The chain is spent: the next refresh is an ordinary one.
    advance(server.meld_url(), 3600).await;
    let again = meld_call(&server, "POST", &format!("{path}/refresh"), None).await;
    assert_eq!(again.status, 202, "{}", again.render());
    advance(server.meld_url(), 2).await;
    let status = meld_call(&server, "GET", &path, None).await.json()["status"].clone();
    assert_eq!(status, "ACTIVE");
}

/// The same scenario at Basiq: `connection.invalidated` after two hours (a refresh now would
/// be refused with 400), then the scripted refresh runs a job that succeeds and
/// `connection.activated` follows; both reach a subscribed webhook, signed.
#[tokio::test]
async fn basiq_connection_breaks_after_two_hours_and_repairs_on_refresh() {
    let (hook, inbox) = receiver(&[]).await;
    let server = server(BREAKS).await;
    let token = server_token(&server).await;
    let auth = format!("Bearer {token}");
    let created = send(
        server.basiq_url(),
        "POST",
        "/notifications/webhooks",
        &[("authorization", &auth), ("content-type", "application/json")],
        json!({ "url": format!("{hook}/basiq"), "subscribedEvents": ["connection.invalidated", "connection.activated"] })
            .to_string()
            .as_bytes(),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.render());
    let secret = created.json()["secret"]
        .as_str()
        .unwrap_or_default()
        .to_owned();

    advance(server.basiq_url(), 7200).await;
    assert_eq!(basiq_status(&server, "c0ffee").await, "invalid");
    let got = inbox.wait_for(1).await;
    assert_eq!(got[0].json()["eventTypeId"], "connection.invalidated");
    assert!(basiq_signature_ok(&got[0], &secret));
    // The other connection is untouched.
    assert_eq!(basiq_status(&server, "d00dad").await, "active");

    let refresh = basiq(&server, "POST", "/users/b1f5a0/connections/c0ffee/refresh").await;
    assert_eq!(refresh.status, 202, "{}", refresh.render());
    let job = refresh.json()["id"].as_str().unwrap_or_default().to_owned();
    advance(server.basiq_url(), 10).await;
    let job = basiq(&server, "GET", &format!("/jobs/{job}")).await.json();
    let steps: Vec<&Value> = job["steps"]
        .as_array()
        .map(|s| s.iter().map(|s| &s["status"]).collect())
        .unwrap_or_default();
    assert!(steps.iter().all(|s| *s == "success"), "{job}");
    assert_eq!(basiq_status(&server, "c0ffee").await, "active");
    let got = inbox.wait_for(2).await;
    assert_eq!(got[1].json()["eventTypeId"], "connection.activated");
    assert!(basiq_signature_ok(&got[1], &secret));

    // Spent: invalid again would need a new script; a refresh of the active one is ordinary.
    let again = basiq(&server, "POST", "/users/b1f5a0/connections/c0ffee/refresh").await;
    assert_eq!(again.status, 202, "{}", again.render());
}

/// Without its scripted step, an invalid Basiq connection's refresh is refused as Basiq does.
#[tokio::test]
async fn unscripted_refresh_of_an_invalid_connection_is_refused() {
    let scenario = "seed = 1\n[basiq]\napiKeys = [\"c2FuZGJhbms6c2FuZGJveA==\"]\n[[basiq.users]]\nid = \"b1f5a0\"\n[[basiq.users.connections]]\nid = \"c0ffee\"\ntransitions = [{ after = \"2h\", status = \"invalid\" }]\n";
    let server = server(scenario).await;
    advance(server.basiq_url(), 7200).await;
    let refused = basiq(&server, "POST", "/users/b1f5a0/connections/c0ffee/refresh").await;
    assert_eq!(refused.status, 400, "{}", refused.render());
    assert_eq!(basiq_status(&server, "c0ffee").await, "invalid");
}

/// "This refresh fails with service-unavailable; the second succeeds": the first refresh job
/// fails at retrieve-accounts with Basiq's code and the connection stays active; the second
/// job succeeds.
#[tokio::test]
async fn refresh_outcomes_in_order() {
    let scenario = "seed = 1\n[basiq]\napiKeys = [\"c2FuZGJhbms6c2FuZGJveA==\"]\n[[basiq.users]]\nid = \"b1f5a0\"\n[[basiq.users.connections]]\nid = \"c0ffee\"\ntransitions = [{ on = \"refresh\", fail = \"service-unavailable\" }, { on = \"refresh\" }]\n";
    let server = server(scenario).await;
    let mut outcomes = Vec::new();
    for _ in 0..2 {
        let refresh = basiq(&server, "POST", "/users/b1f5a0/connections/c0ffee/refresh").await;
        assert_eq!(refresh.status, 202, "{}", refresh.render());
        let job = refresh.json()["id"].as_str().unwrap_or_default().to_owned();
        advance(server.basiq_url(), 10).await;
        let job = basiq(&server, "GET", &format!("/jobs/{job}")).await.json();
        let steps: Vec<(String, String, String)> = job["steps"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|s| {
                (
                    s["title"].as_str().unwrap_or_default().to_owned(),
                    s["status"].as_str().unwrap_or_default().to_owned(),
                    s["result"]["code"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect();
        outcomes.push((steps, basiq_status(&server, "c0ffee").await));
    }
    let step = |t: &str, s: &str, c: &str| (t.to_owned(), s.to_owned(), c.to_owned());
    assert_eq!(
        outcomes[0].0,
        [
            step("verify-credentials", "success", ""),
            step("retrieve-accounts", "failed", "service-unavailable"),
            step("retrieve-transactions", "pending", ""),
        ]
    );
    assert_eq!(outcomes[0].1, "active");
    assert!(outcomes[1].0.iter().all(|(_, s, _)| s == "success"));
    assert_eq!(outcomes[1].1, "active");
}

/// The Nth request trigger fires as that request arrives: the third GET of the accounts list
/// already sees the connection invalid; the requests before it do not.
#[tokio::test]
async fn nth_request_trigger() {
    let scenario = "seed = 1\n[basiq]\napiKeys = [\"c2FuZGJhbms6c2FuZGJveA==\"]\n[[basiq.users]]\nid = \"b1f5a0\"\n[[basiq.users.connections]]\nid = \"c0ffee\"\ntransitions = [{ on = \"request\", method = \"GET\", path = \"/users/*/accounts\", nth = 3, status = \"invalid\" }]\n";
    let server = server(scenario).await;
    let mut seen = Vec::new();
    for _ in 0..3 {
        // Other requests do not count.
        basiq(&server, "GET", "/users/b1f5a0").await;
        let list = basiq(&server, "GET", "/users/b1f5a0/accounts").await;
        assert_eq!(list.status, 200, "{}", list.render());
        seen.push(basiq_status(&server, "c0ffee").await);
    }
    assert_eq!(seen, ["active", "active", "invalid"]);
    let invalidated = basiq_events(&server, "connection", "invalidated").await;
    assert_eq!(invalidated, 1);
}

/// `every` with `times`: three new transactions per account per day, twice, each announced
/// with `transactions.updated`; `at` fires at its instant and arms the next step.
#[tokio::test]
async fn repeats_and_instants() {
    let scenario = "seed = 1\n[basiq]\napiKeys = [\"c2FuZGJhbms6c2FuZGJveA==\"]\n[[basiq.users]]\nid = \"b1f5a0\"\n[[basiq.users.connections]]\nid = \"c0ffee\"\ntransitions = [{ every = \"24h\", times = 2, addTransactions = 3 }, { at = \"2026-01-20T00:00:00Z\", status = \"invalid\" }]\n";
    let server = server(scenario).await;
    let count = |v: Value| v["size"].as_u64().unwrap_or(0);
    let path = "/users/b1f5a0/transactions";
    let pending = count(basiq(&server, "GET", path).await.json());
    advance(server.basiq_url(), 3 * 86_400).await;
    let after = basiq(&server, "GET", path).await.json();
    // Two accounts (generated), three each, twice.
    assert_eq!(count(after.clone()) - pending, 12, "{after}");
    let newest = &after["data"][0];
    assert_eq!(newest["status"], "pending");
    assert_eq!(newest["class"], "payment");
    assert!(
        newest["amount"]
            .as_str()
            .is_some_and(|a| a.starts_with('-'))
    );
    assert_eq!(basiq_status(&server, "c0ffee").await, "active");
    advance(server.basiq_url(), 2 * 86_400).await;
    assert_eq!(basiq_status(&server, "c0ffee").await, "invalid");
    let updates = basiq_events(&server, "transactions", "updated").await;
    assert_eq!(updates, 2);
}

/// Meld `addTransactions`: new transactions on each account, reported as an aggregation.
#[tokio::test]
async fn meld_new_transactions_on_schedule() {
    let scenario = "version = 1\n[meld]\napiKeys = [\"sk_sb_sandbank\"]\n[[meld.customers]]\nexternalId = \"e\"\n[[meld.customers.connections]]\nid = \"WQ5CwCxDxXhYuA4fVHGk3o\"\nstatus = \"ACTIVE\"\ntransitions = [{ after = \"1h\", addTransactions = 2 }]\n";
    let server = server(scenario).await;
    // Through the API: the newest transaction (first page) is one of the new ones.
    let list = "/bank-linking/transactions?connectionId=WQ5CwCxDxXhYuA4fVHGk3o&limit=1";
    let total = |s: &sandbank::RunningServer| s.engine().with_world(|w| w.meld.transactions.len());
    let before = total(&server);
    server.engine().clock().advance(chrono::Duration::hours(1));
    let after = total(&server);
    let newest = meld_call(&server, "GET", list, None).await.json();
    assert_eq!(
        newest["financialAccountTransactions"][0]["transactionDate"], "2026-01-15T10:00:00Z",
        "{newest}"
    );
    assert_eq!(
        newest["financialAccountTransactions"][0]["status"],
        "PENDING"
    );
    let accounts = server
        .engine()
        .with_world(|w| w.meld.financial_accounts.len());
    assert_eq!(after - before, 2 * accounts);
    let types: Vec<String> = server.engine().with_world(|w| {
        w.meld
            .events
            .iter()
            .map(|e| e.body["eventType"].as_str().unwrap_or_default().to_owned())
            .collect()
    });
    assert_eq!(
        types,
        [
            "BANK_LINKING_ACCOUNTS_UPDATING",
            "BANK_LINKING_ACCOUNTS_UPDATED",
            "BANK_LINKING_TRANSACTIONS_AGGREGATED",
        ]
    );
}

/// `balance` with `account`: that account's balance at the transition's moment. Basiq moves
/// `availableFunds` by as much and sends no event (it announces account changes other than the
/// balance only); Meld moves the available amount and reports a `BALANCES` aggregation.
#[tokio::test]
async fn scripted_balances() {
    let scenario = r#"
[basiq]
apiKeys = ["c2FuZGJhbms6c2FuZGJveA=="]
[[basiq.users]]
id = "b1f5a0"
[[basiq.users.connections]]
id = "c0ffee"
transitions = [{ after = "1h", balance = "-20.50", account = "everyday" }]
[[basiq.users.connections.accounts]]
id = "everyday"
balance = "100.00"
availableFunds = "150.00"
history = { transactions = 0 }
[[basiq.users.connections.accounts]]
id = "savings"
balance = "500.00"
history = { transactions = 0 }

[meld]
apiKeys = ["sk_sb_sandbank"]
[[meld.customers]]
externalId = "e"
[[meld.customers.connections]]
id = "WQ5CwCxDxXhYuA4fVHGk3o"
status = "ACTIVE"
transitions = [{ after = "1h", balance = "250.00", account = "checking" }]
[[meld.customers.connections.accounts]]
id = "checking"
type = "DEPOSITORY"
currentAmount = "100.00"
availableAmount = "90.00"
"#;
    let server = server(scenario).await;
    let account = |id: &'static str| {
        let server = &server;
        async move {
            basiq(server, "GET", &format!("/users/b1f5a0/accounts/{id}"))
                .await
                .json()
        }
    };
    assert_eq!(account("everyday").await["balance"], "100.00");
    advance(server.basiq_url(), 3600).await;
    let everyday = account("everyday").await;
    assert_eq!(
        (
            &everyday["balance"],
            &everyday["availableFunds"],
            &everyday["lastUpdated"]
        ),
        (
            &json!("-20.50"),
            &json!("29.50"),
            &json!("2026-01-15T10:00:00Z")
        )
    );
    assert_eq!(account("savings").await["balance"], "500.00");
    for (entity, kind) in [("account", "updated"), ("transactions", "updated")] {
        assert_eq!(
            basiq_events(&server, entity, kind).await,
            0,
            "{entity}.{kind}"
        );
    }
    let checking = meld_call(&server, "GET", "/bank-linking/accounts/checking", None)
        .await
        .json();
    assert_eq!(
        checking["balances"].to_string(),
        r#"{"currency":"USD","currentAmount":250.00,"availableAmount":240.00,"updatedAt":"2026-01-15T10:00:00Z"}"#,
        "{checking}"
    );
    let events: Vec<Value> = server
        .engine()
        .with_world(|w| w.meld.events.iter().map(|e| e.body.clone()).collect());
    let types: Vec<&str> = events
        .iter()
        .map(|e| e["eventType"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        types,
        [
            "BANK_LINKING_ACCOUNTS_UPDATING",
            "BANK_LINKING_ACCOUNTS_UPDATED",
        ]
    );
    let updated = &events[1]["payload"]["financialAccounts"];
    assert_eq!(updated[0]["id"], "checking", "{updated}");
    assert_eq!(updated[0]["products"], json!(["BALANCES"]));
}

/// Transitions that cannot work are reported where they are written.
#[test]
fn bad_transitions_are_located() {
    let text = "[basiq]\napiKeys = [\"c2FuZGJhbms6c2FuZGJveA==\"]\n[[basiq.users]]\n[[basiq.users.connections]]\ntransitions = [\n  { after = \"1h\", at = \"2026-01-01T00:00:00Z\", status = \"invalid\" },\n  { on = \"refresh\", status = \"active\" },\n  { on = \"request\", status = \"invalid\" },\n  { on = \"soon\", status = \"invalid\" },\n  { after = \"1h\", fail = \"service-unavailable\" },\n  { every = \"0s\", addTransactions = 1 },\n  { after = \"1h\", times = 2, status = \"invalid\" },\n  { on = \"refresh\", fail = \"on-fire\" },\n  { after = \"1h\" },\n  { after = \"1h\", balance = \"1.00\" },\n  { after = \"1h\", account = \"a\" },\n  { after = \"1h\", balance = \"1.00\", account = \"nope\" },\n  { on = \"refresh\", balance = \"1.00\", account = \"a\" },\n]\n[meld]\napiKeys = [\"k\"]\n[[meld.customers]]\n[[meld.customers.connections]]\nstatus = \"ACTIVE\"\ntransitions = [\n  { on = \"refresh\" },\n  { on = \"request\", path = \"/x\", method = \"FETCH\", nth = 0, status = \"ACTIVE\" },\n  { after = \"1h\", path = \"/x\", status = \"ACTIVE\" },\n]\n";
    let problems = match sandbank::scenario::parse("bad.toml", text) {
        Ok(_) => String::from("(no problems)"),
        Err(e) => e.to_string(),
    };
    crate::snap!("scenario_bad_transitions", problems);
}
