//! Meld connecting and the connection lifecycle: connect/start and its token, the widget
//! stand-in, aggregation with its webhook events, refresh, update, repair, delete, expiry,
//! duplicates, and the status × reason table.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Duration;
use sandbank::RunningServer;
use serde_json::{Value, json};

use crate::snap;
use crate::support::*;

pub(crate) const RECONNECT: &str = "WQ6RcQ8hZb2kPm4nTx7vYs";
pub(crate) const ACTIVE: &str = "WQ5CwCxDxXhYuA4fVHGk3o";
pub(crate) const PLATYPUS: &str = "WQ7mPh3yLsXbRt9cKdNe2A";
pub(crate) const FINBANK: &str = "W9kgBBLULSJFSKTwCpb5Gf";
const MX_BANK: &str = "WQ8nTq4zMuYcSv2dLeFf3B";

pub(crate) struct Meld {
    pub(crate) server: RunningServer,
}

impl Meld {
    pub(crate) async fn new() -> Meld {
        Meld {
            server: default_server().await,
        }
    }

    pub(crate) async fn with(scenario: &str) -> Meld {
        Meld {
            server: server(scenario).await,
        }
    }

    pub(crate) async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Exchange {
        meld_call(&self.server, method, path, body).await
    }

    pub(crate) async fn start(&self, external: &str, products: &[&str]) -> (String, String) {
        let ex = self
            .call(
                "POST",
                "/bank-linking/connect/start",
                Some(json!({ "externalCustomerId": external, "products": products, "regions": ["US"] })),
            )
            .await;
        assert_eq!(ex.status, 201, "{}", ex.render());
        let body = ex.json();
        (
            body["id"].as_str().unwrap_or_default().to_owned(),
            body["connectToken"].as_str().unwrap_or_default().to_owned(),
        )
    }

    pub(crate) async fn complete(
        &self,
        token: &str,
        institution: &str,
        user: &str,
        pass: &str,
    ) -> Exchange {
        let body = json!({ "connectToken": token, "institutionId": institution, "username": user, "password": pass });
        send(
            self.server.meld_url(),
            "POST",
            "/connect/complete",
            &[("content-type", "application/json")],
            body.to_string().as_bytes(),
        )
        .await
    }

    /// Starts and completes a connection; returns its id.
    pub(crate) async fn connect(
        &self,
        external: &str,
        institution: &str,
        user: &str,
        pass: &str,
    ) -> String {
        self.connect_with(
            external,
            institution,
            user,
            pass,
            &["BALANCES", "TRANSACTIONS", "OWNERS"],
        )
        .await
    }

    /// Starts and completes a connection for `products`; returns its id.
    pub(crate) async fn connect_with(
        &self,
        external: &str,
        institution: &str,
        user: &str,
        pass: &str,
        products: &[&str],
    ) -> String {
        let (id, token) = self.start(external, products).await;
        let ex = self.complete(&token, institution, user, pass).await;
        assert_eq!(ex.status, 200, "{}", ex.render());
        id
    }

    pub(crate) async fn connection(&self, id: &str) -> Value {
        let ex = self
            .call("GET", &format!("/bank-linking/connections/{id}"), None)
            .await;
        assert_eq!(ex.status, 200, "{}", ex.render());
        ex.json()
    }

    pub(crate) async fn status(&self, id: &str) -> (String, Value) {
        let c = self.connection(id).await;
        (
            c["status"].as_str().unwrap_or_default().to_owned(),
            c["statusReason"].clone(),
        )
    }

    pub(crate) fn advance(&self, seconds: i64) {
        self.server
            .engine()
            .clock()
            .advance(Duration::seconds(seconds));
    }

    /// Every webhook event produced so far.
    pub(crate) fn events(&self) -> Vec<Value> {
        self.server
            .engine()
            .with_world(|w| w.meld.events.iter().map(|e| e.body.clone()).collect())
    }

    /// `eventType`s of the events about one connection, in order.
    pub(crate) fn event_types(&self, id: &str) -> Vec<String> {
        self.events()
            .iter()
            .filter(|e| e["payload"]["connectionId"] == id)
            .map(|e| e["eventType"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    pub(crate) async fn accounts_of(&self, id: &str) -> Vec<Value> {
        let ex = self
            .call(
                "GET",
                &format!("/bank-linking/accounts?connectionId={id}&limit=100"),
                None,
            )
            .await;
        assert_eq!(ex.status, 200, "{}", ex.render());
        ex.json()["financialAccounts"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    pub(crate) async fn transactions_of(&self, id: &str) -> Vec<Value> {
        self.transactions_matching(&format!("connectionId={id}"))
            .await
    }

    /// Up to 1000 transactions matching `query` (`financialAccountId=…`, …).
    pub(crate) async fn transactions_matching(&self, query: &str) -> Vec<Value> {
        let path = format!("/bank-linking/transactions?{query}&limit=1000");
        let ex = self.call("GET", &path, None).await;
        assert_eq!(ex.status, 200, "{}", ex.render());
        ex.json()["financialAccountTransactions"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// `POST /bank-linking/connections/{id}/refresh`.
    pub(crate) async fn refresh(&self, id: &str) -> Exchange {
        let path = format!("/bank-linking/connections/{id}/refresh");
        self.call("POST", &path, None).await
    }
}

fn claims(token: &str) -> Value {
    let part = token.split('.').nth(1).unwrap_or_default();
    let bytes = URL_SAFE_NO_PAD.decode(part).expect("claims are base64url");
    serde_json::from_slice(&bytes).expect("claims are JSON")
}

/// The whole happy path: start → widget → ACTIVE → aggregation → accounts and transactions,
/// with the webhook events in Meld's order.
#[tokio::test]
async fn start_complete_and_aggregate() {
    let m = Meld::new().await;
    let ex = m
        .call(
            "POST",
            "/bank-linking/connect/start",
            Some(json!({
                "externalCustomerId": "user-777",
                "products": ["BALANCES", "TRANSACTIONS"],
                "optionalProducts": ["OWNERS"],
                "regions": ["US"],
            })),
        )
        .await;
    assert_eq!(ex.status, 201);
    let body = ex.json();
    let id = body["id"].as_str().unwrap_or_default().to_owned();
    let token = body["connectToken"].as_str().unwrap_or_default().to_owned();
    let keys: Vec<&str> = body
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    assert_eq!(
        keys,
        [
            "id",
            "connectToken",
            "customerId",
            "externalCustomerId",
            "widgetUrl"
        ]
    );
    assert_eq!(id.len(), 22);
    assert_eq!(
        body["widgetUrl"],
        format!("{}/connect?connectToken={token}", m.server.meld_url())
    );
    // The token: HS256, the recorded claims in their order, four hours.
    let header = URL_SAFE_NO_PAD
        .decode(token.split('.').next().unwrap_or_default())
        .unwrap_or_default();
    assert_eq!(header, br#"{"typ":"JWT","alg":"HS256"}"#);
    let c = claims(&token);
    let claim_keys: Vec<&str> = c
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    assert_eq!(
        claim_keys,
        [
            "iss",
            "connection",
            "customer",
            "account",
            "products",
            "regions",
            "redirect",
            "routingProfile",
            "iat",
            "exp"
        ]
    );
    assert_eq!(c["iss"], "meld.io");
    assert_eq!(c["connection"], id.as_str());
    assert_eq!(c["customer"], body["customerId"]);
    assert_eq!(c["account"], "WQ4CqwjgjkbizsMGa4Ff3R");
    assert_eq!(c["products"], json!(["BALANCES", "TRANSACTIONS"]));
    assert_eq!(c["redirect"], true);
    assert_eq!(c["iat"], frozen_at().timestamp());
    assert_eq!(
        c["exp"].as_i64().unwrap_or(0) - c["iat"].as_i64().unwrap_or(0),
        14_400
    );

    let before = m.connection(&id).await;
    assert_eq!(before["status"], "IN_PROGRESS");
    assert_eq!(before["institutionId"], Value::Null);
    assert_eq!(before["externalCustomerId"], "user-777");

    let done = m.complete(&token, PLATYPUS, "user_good", "pass_good").await;
    let mut connected = m.connection(&id).await;
    assert_eq!(connected["status"], "ACTIVE");
    assert_eq!(connected["institutionName"], "Platypus Bank");
    assert_eq!(connected["successfullyAggregatedAt"], Value::Null);
    assert_eq!(
        m.event_types(&id),
        [
            "BANK_LINKING_CONNECTION_COMPLETED",
            "BANK_LINKING_CONNECTION_STATUS_CHANGE"
        ]
    );
    assert!(m.accounts_of(&id).await.is_empty());

    // Aggregation ends after the default two seconds of server clock.
    m.advance(2);
    let accounts = m.accounts_of(&id).await;
    let names: Vec<&str> = accounts.iter().filter_map(|a| a["name"].as_str()).collect();
    assert_eq!(
        names,
        [
            "Plaid Checking",
            "Plaid Saving",
            "Plaid CD",
            "Plaid Credit Card",
            "Plaid Money Market",
            "Plaid IRA",
            "Plaid 401k",
            "Plaid Student Loan",
            "Plaid Mortgage"
        ]
    );
    assert_eq!(
        accounts[0]["balances"]["currentAmount"].to_string(),
        "110.00"
    );
    assert_eq!(
        accounts[0]["owners"][0]["names"],
        json!(["Alberta Bobbeth Charleson"])
    );
    assert_eq!(
        m.event_types(&id),
        [
            "BANK_LINKING_CONNECTION_COMPLETED",
            "BANK_LINKING_CONNECTION_STATUS_CHANGE",
            "BANK_LINKING_ACCOUNTS_UPDATING",
            "BANK_LINKING_ACCOUNTS_UPDATED",
            "BANK_LINKING_TRANSACTIONS_AGGREGATED",
            "BANK_LINKING_HISTORICAL_TRANSACTIONS_AGGREGATED"
        ]
    );
    connected = m.connection(&id).await;
    assert_eq!(
        connected["successfullyAggregatedAt"],
        "2026-01-15T09:00:02Z"
    );

    // Transactions: the two events together announce every transaction of the checking account,
    // and the oldest key of the recent window points at a real transaction.
    let checking = accounts[0]["id"].as_str().unwrap_or_default().to_owned();
    let ex = m
        .call(
            "GET",
            &format!("/bank-linking/transactions?financialAccountId={checking}&limit=1000"),
            None,
        )
        .await;
    let page_body = ex.json();
    let total = (page_body["count"].as_u64().unwrap_or(0)
        + page_body["remaining"].as_u64().unwrap_or(0)) as usize;
    assert!(total > 100, "two years of checking history, got {total}");
    let events = m.events();
    let count = |t: &str| {
        events
            .iter()
            .filter(|e| e["eventType"] == t && e["payload"]["connectionId"] == id.as_str())
            .flat_map(|e| {
                e["payload"]["financialAccounts"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
            })
            .filter(|a| a["id"] == checking.as_str())
            .map(|a| a["numTransactionsAdded"].as_u64().unwrap_or(0))
            .sum::<u64>()
    };
    assert_eq!(
        count("BANK_LINKING_TRANSACTIONS_AGGREGATED")
            + count("BANK_LINKING_HISTORICAL_TRANSACTIONS_AGGREGATED"),
        total as u64
    );
    let recent = events
        .iter()
        .find(|e| e["eventType"] == "BANK_LINKING_TRANSACTIONS_AGGREGATED")
        .map(|e| e["payload"]["financialAccounts"][0]["oldestTransactionUpdatedSearchKey"].clone())
        .unwrap_or_default();
    let page = m
        .call(
            "GET",
            &format!(
                "/bank-linking/transactions?financialAccountId={checking}&before={}&limit=1",
                recent.as_str().unwrap_or_default()
            ),
            None,
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.render());

    // The widget's message, and the envelope and payloads of the first events.
    let mut shown: Vec<Value> = events
        .iter()
        .filter(|e| e["payload"]["connectionId"] == id.as_str())
        .take(4)
        .cloned()
        .collect();
    for e in &mut shown {
        redact(e);
        e["eventId"] = json!("[event-id]");
        let payload = &mut e["payload"];
        payload["customerId"] = json!("[customer-id]");
        payload["connectionId"] = json!("[connection-id]");
        let listed = payload
            .get_mut("financialAccounts")
            .and_then(Value::as_array_mut);
        for a in listed.into_iter().flatten() {
            a["id"] = json!("[account-id]");
        }
    }
    snap!(
        "meld_connect_happy_path",
        format!(
            "{}\n----\n\n{}",
            done.render(),
            serde_json::to_string_pretty(&shown).unwrap_or_default()
        )
    );
}

/// Refresh (202, events), the MX limit (429), delete (204, DELETED stays readable, 409 the
/// second time, accounts gone), and refusals on a deleted connection.
#[tokio::test]
async fn refresh_then_delete() {
    let m = Meld::new().await;
    let id = m
        .connect("user-1", PLATYPUS, "user_good", "pass_good")
        .await;
    m.advance(2);
    let refresh = m
        .call(
            "POST",
            &format!("/bank-linking/connections/{id}/refresh"),
            None,
        )
        .await;
    assert_eq!(refresh.status, 202);
    assert_eq!(
        refresh.json()["requestId"].as_str(),
        refresh.header("x-request-id")
    );
    let before = m.events().len();
    m.advance(2);
    let after: Vec<String> = m.events()[before..]
        .iter()
        .map(|e| e["eventType"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(
        after,
        [
            "BANK_LINKING_ACCOUNTS_UPDATING",
            "BANK_LINKING_ACCOUNTS_UPDATED",
            "BANK_LINKING_TRANSACTIONS_AGGREGATED"
        ]
    );
    assert_eq!(
        m.connection(&id).await["successfullyAggregatedAt"],
        "2026-01-15T09:00:04Z"
    );
    let bad_product = m
        .call(
            "POST",
            &format!("/bank-linking/connections/{id}/refresh"),
            Some(json!({ "products": ["INVESTMENT_HOLDINGS"] })),
        )
        .await;

    // MX accepts one forced refresh every three hours.
    let mx = m.connect("user-2", MX_BANK, "mxuser", "any").await;
    m.advance(2);
    let first = m
        .call(
            "POST",
            &format!("/bank-linking/connections/{mx}/refresh"),
            None,
        )
        .await;
    let limited = m
        .call(
            "POST",
            &format!("/bank-linking/connections/{mx}/refresh"),
            None,
        )
        .await;
    assert_eq!((first.status, limited.status), (202, 429));
    m.advance(3 * 3600);
    let again = m
        .call(
            "POST",
            &format!("/bank-linking/connections/{mx}/refresh"),
            None,
        )
        .await;
    assert_eq!(again.status, 202);

    let delete = m
        .call("DELETE", &format!("/bank-linking/connections/{id}"), None)
        .await;
    assert_eq!(delete.status, 204);
    assert!(delete.body.is_empty());
    assert_eq!(delete.header("content-type"), None);
    assert!(delete.header("meld-version").is_some());
    let deleted = m.connection(&id).await;
    assert_eq!(deleted["status"], "DELETED");
    assert_eq!(deleted["statusReason"], Value::Null);
    assert!(m.accounts_of(&id).await.is_empty());
    assert_eq!(
        m.event_types(&id).last().map(String::as_str),
        Some("BANK_LINKING_CONNECTION_DELETED")
    );
    let events_then = m.events().len();
    let twice = m
        .call("DELETE", &format!("/bank-linking/connections/{id}"), None)
        .await;
    let refresh_deleted = m
        .call(
            "POST",
            &format!("/bank-linking/connections/{id}/refresh"),
            None,
        )
        .await;
    let repair_deleted = m
        .call(
            "POST",
            "/bank-linking/connect/repair",
            Some(json!({ "connectionId": id })),
        )
        .await;
    let update_deleted = m
        .call(
            "POST",
            &format!("/bank-linking/connections/{id}/update"),
            Some(json!({ "products": ["IDENTIFIERS"] })),
        )
        .await;
    assert_eq!(m.events().len(), events_then, "refusals send no events");
    snap!(
        "meld_refresh_delete_refusals",
        render_all(&[
            bad_product,
            limited,
            twice,
            refresh_deleted,
            repair_deleted,
            update_deleted
        ])
        .replace(&id, "[connection-id]")
        .replace(&mx, "[mx-connection-id]")
    );
}

/// Repairing the default scenario's broken connection: a token that opens the credentials
/// form straight away, and a completed repair that makes the connection ACTIVE again.
#[tokio::test]
async fn repair_of_the_default_reconnect_required_connection() {
    let m = Meld::new().await;
    let ex = m
        .call(
            "POST",
            "/bank-linking/connect/repair",
            Some(json!({ "connectionId": RECONNECT })),
        )
        .await;
    assert_eq!(ex.status, 201, "{}", ex.render());
    let body = ex.json();
    assert_eq!(body["id"], RECONNECT);
    assert_eq!(body["institutionId"], FINBANK);
    let token = body["connectToken"].as_str().unwrap_or_default().to_owned();
    assert_eq!(claims(&token)["connection"], RECONNECT);
    let page = get(
        m.server.meld_url(),
        &format!("/connect?connectToken={token}"),
        &[],
    )
    .await;
    let html = String::from_utf8_lossy(&page.body).to_string();
    assert_eq!(page.status, 200);
    assert!(html.contains(r#"<form id="credentials""#), "{html}");
    assert!(!html.contains("institutions"), "a repair skips the picker");
    // Status is unchanged until the customer finishes.
    assert_eq!(m.status(RECONNECT).await.0, "RECONNECT_REQUIRED");
    let done = m.complete(&token, "", "demo", "go").await;
    assert_eq!(done.status, 200, "{}", done.render());
    assert_eq!(
        m.status(RECONNECT).await,
        ("ACTIVE".to_owned(), Value::Null)
    );
    let change = m
        .events()
        .into_iter()
        .find(|e| e["eventType"] == "BANK_LINKING_CONNECTION_STATUS_CHANGE")
        .unwrap_or_default();
    assert_eq!(change["payload"]["oldStatus"], "RECONNECT_REQUIRED");
    assert_eq!(change["payload"]["oldStatusReason"], "LOGIN_REQUIRED");
    assert_eq!(change["payload"]["newStatus"], "ACTIVE");
    // Aggregation refreshes the accounts the connection already had.
    let accounts_before = m.accounts_of(RECONNECT).await.len();
    m.advance(2);
    assert_eq!(m.accounts_of(RECONNECT).await.len(), accounts_before);
    assert_eq!(
        m.connection(RECONNECT).await["successfullyAggregatedAt"],
        "2026-01-15T09:00:02Z"
    );
    // The token was single use; plain ACTIVE cannot be repaired.
    let reused = m.complete(&token, "", "demo", "go").await;
    assert_eq!(reused.status, 401);
    assert_eq!(reused.json()["reason"], "CONNECT_TOKEN_USED");
    let again = m
        .call(
            "POST",
            "/bank-linking/connect/repair",
            Some(json!({ "connectionId": RECONNECT })),
        )
        .await;
    assert_eq!(again.status, 409);
}

/// An unfinished connection expires four hours after it was started, and its token with it.
#[tokio::test]
async fn unfinished_connection_expires() {
    let m = Meld::new().await;
    let (id, token) = m.start("user-5", &["BALANCES"]).await;
    m.advance(4 * 3600 - 1);
    assert_eq!(m.status(&id).await.0, "IN_PROGRESS");
    let open = get(
        m.server.meld_url(),
        &format!("/connect?connectToken={token}"),
        &[],
    )
    .await;
    assert_eq!(open.status, 200);
    m.advance(1);
    assert_eq!(m.status(&id).await.0, "EXPIRED");
    let change = m.events().pop().unwrap_or_default();
    assert_eq!(change["eventType"], "BANK_LINKING_CONNECTION_STATUS_CHANGE");
    assert_eq!(change["payload"]["newStatus"], "EXPIRED");
    assert_eq!(change["timestamp"], "2026-01-15T13:00:00.000000Z");
    let page = get(
        m.server.meld_url(),
        &format!("/connect?connectToken={token}"),
        &[],
    )
    .await;
    assert_eq!(page.status, 401);
    assert!(String::from_utf8_lossy(&page.body).contains("CONNECT_TOKEN_EXPIRED"));
    let late = m.complete(&token, PLATYPUS, "user_good", "pass_good").await;
    assert_eq!(late.json()["reason"], "CONNECT_TOKEN_EXPIRED");
    assert_eq!(m.status(&id).await.0, "EXPIRED");
}

/// Errors inside the widget are shown there; the connection's status does not change.
#[tokio::test]
async fn widget_errors_leave_the_status_alone() {
    let m = Meld::new().await;
    let (id, token) = m
        .start("user-6", &["BALANCES", "INVESTMENT_HOLDINGS"])
        .await;
    let wrong = m.complete(&token, PLATYPUS, "user_good", "wrong").await;
    let finicity = m.complete(&token, PLATYPUS, "demo", "125").await;
    // Finbank's sandbox has no investment data, so the picker does not offer it.
    let not_offered = m.complete(&token, FINBANK, "demo", "go").await;
    let garbage = m
        .complete("not-a-token", PLATYPUS, "user_good", "pass_good")
        .await;
    let missing = send(
        m.server.meld_url(),
        "POST",
        "/connect/complete",
        &[("content-type", "application/json")],
        br#"{"username":"user_good"}"#,
    )
    .await;
    assert_eq!(m.status(&id).await.0, "IN_PROGRESS");
    assert!(m.event_types(&id).is_empty());
    snap!(
        "meld_widget_errors",
        render_all(&[wrong, finicity, not_offered, garbage, missing])
    );
    let picker = get(
        m.server.meld_url(),
        &format!("/connect?connectToken={token}"),
        &[],
    )
    .await;
    let html = String::from_utf8_lossy(&picker.body).to_string();
    assert!(html.contains(&format!("institution-{PLATYPUS}")));
    assert!(!html.contains(&format!("institution-{FINBANK}")));
}

/// Every documented refusal of connect/start and connect/repair, in Meld's envelope.
#[tokio::test]
async fn start_and_repair_errors() {
    let m = Meld::new().await;
    let url = m.server.meld_url();
    let auth = format!("BASIC {MELD_KEY}");
    let json_headers = [
        ("authorization", auth.as_str()),
        ("content-type", "application/json"),
    ];
    let mut exchanges = Vec::new();
    for body in [
        r#"{}"#,
        r#"{"externalCustomerId":" ","products":[]}"#,
        r#"{"externalCustomerId":"u","products":["BALANCES","HISTORICAL_TRANSACTIONS"],"optionalProducts":["BALANCES"]}"#,
        r#"{"externalCustomerId":"u","products":"BALANCES","regions":["usa"]}"#,
        r#"{"externalCustomerId":"u","products":["BALANCES"],"institutionId":"nope"}"#,
        r#"{"externalCustomerId":"u","products":["INVESTMENT_HOLDINGS"],"institutionId":"W9kgBBLULSJFSKTwCpb5Gf"}"#,
        r#"{"externalCustomerId":"u","products":["BALANCES"],"accountPreferenceOverride":{"allowRedirect":"no"}}"#,
        r#"{"externalCustomerId":"u","products":["BALANCES""#,
        r#"[1,2]"#,
    ] {
        exchanges.push(
            send(
                url,
                "POST",
                "/bank-linking/connect/start",
                &json_headers,
                body.as_bytes(),
            )
            .await,
        );
    }
    exchanges.push(
        send(
            url,
            "POST",
            "/bank-linking/connect/start",
            &[
                ("authorization", auth.as_str()),
                ("content-type", "text/plain"),
            ],
            br#"{"externalCustomerId":"u","products":["BALANCES"]}"#,
        )
        .await,
    );
    exchanges.push(
        send(
            url,
            "POST",
            "/bank-linking/connect/start",
            &[("content-type", "application/json")],
            br#"{"externalCustomerId":"u","products":["BALANCES"]}"#,
        )
        .await,
    );
    for body in [
        r#"{}"#.to_owned(),
        r#"{"connectionId":"unknown"}"#.to_owned(),
        format!(r#"{{"connectionId":"{ACTIVE}"}}"#),
    ] {
        exchanges.push(
            send(
                url,
                "POST",
                "/bank-linking/connect/repair",
                &json_headers,
                body.as_bytes(),
            )
            .await,
        );
    }
    let customers = m.server.engine().with_world(|w| w.meld.customers.len());
    let connections = m.server.engine().with_world(|w| w.meld.connections.len());
    assert_eq!(
        (customers, connections),
        (1, 3),
        "refused requests change nothing"
    );
    snap!("meld_connect_errors", render_all(&exchanges));
}

/// The status × reason table: refresh and repair allowed or refused with 409, row by row.
#[tokio::test]
async fn lifecycle_table() {
    // (status, reason, refresh allowed, repair allowed) — the defaults.
    const ROWS: &[(&str, Option<&str>, bool, bool)] = &[
        ("IN_PROGRESS", None, false, false),
        ("EXPIRED", None, false, false),
        ("ACTIVE", None, true, false),
        ("ACTIVE", Some("ACCESS_EXPIRING_SOON"), true, true),
        ("ACTIVE", Some("NEW_ACCOUNTS_AVAILABLE"), true, true),
        (
            "PARTIALLY_ACTIVE",
            Some("PARTIAL_AGGREGATION_SUCCESS"),
            true,
            true,
        ),
        (
            "DEGRADED",
            Some("INSTITUTION_CURRENTLY_UNAVAILABLE"),
            true,
            true,
        ),
        ("DEGRADED", Some("INSTITUTION_ACTION_REQUIRED"), true, true),
        (
            "DEGRADED",
            Some("SERVICE_PROVIDER_CURRENTLY_UNAVAILABLE"),
            true,
            true,
        ),
        ("DEGRADED", Some("INTERACTIVE_REFRESH"), true, true),
        ("RECONNECT_REQUIRED", Some("LOGIN_REQUIRED"), false, true),
        (
            "RECONNECT_REQUIRED",
            Some("REPAIRING_INSTITUTION"),
            false,
            true,
        ),
        ("RECONNECT_REQUIRED", Some("TOKEN_EXPIRED"), false, true),
        ("RECONNECT_REQUIRED", Some("OTHER"), false, true),
        (
            "UNRECOVERABLE",
            Some("CONTINUED_AGGREGATION_FAILURES"),
            false,
            true,
        ),
        ("UNDETERMINED", None, true, true),
        ("DELETED", None, false, false),
    ];
    const LETTERS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    let id = |n: usize| format!("Row{}{}", "x".repeat(18), LETTERS[n] as char);
    let mut scenario = String::from(
        "[meld]\napiKeys = [\"sk_sb_sandbank\"]\n[[meld.customers]]\nexternalId = \"table\"\n",
    );
    for (n, (status, reason, _, _)) in ROWS.iter().enumerate() {
        scenario.push_str(&format!(
            "[[meld.customers.connections]]\nid = \"{}\"\ninstitutionId = \"{PLATYPUS}\"\nstatus = \"{status}\"\n",
            id(n)
        ));
        if let Some(r) = reason {
            scenario.push_str(&format!("statusReason = \"{r}\"\n"));
        }
    }
    let m = Meld::with(&scenario).await;
    for (n, (status, reason, refresh, repair)) in ROWS.iter().enumerate() {
        let row = format!("{status} / {reason:?}");
        let r = m
            .call(
                "POST",
                &format!("/bank-linking/connections/{}/refresh", id(n)),
                None,
            )
            .await;
        assert_eq!(r.status, if *refresh { 202 } else { 409 }, "refresh {row}");
        let p = m
            .call(
                "POST",
                "/bank-linking/connect/repair",
                Some(json!({ "connectionId": id(n) })),
            )
            .await;
        assert_eq!(p.status, if *repair { 201 } else { 409 }, "repair {row}");
    }
    // Both sets come from the scenario when it says so.
    let custom = scenario.replace(
        "[meld]\n",
        "[meld]\nrefreshableStatuses = [\"RECONNECT_REQUIRED\"]\nrepairableStatuses = [\"ACTIVE\"]\n",
    );
    let m = Meld::with(&custom).await;
    let reconnect = ROWS
        .iter()
        .position(|r| r.0 == "RECONNECT_REQUIRED")
        .unwrap_or(0);
    let active = ROWS.iter().position(|r| r.0 == "ACTIVE").unwrap_or(0);
    let refreshed = m
        .call(
            "POST",
            &format!("/bank-linking/connections/{}/refresh", id(reconnect)),
            None,
        )
        .await;
    let refused = m
        .call(
            "POST",
            &format!("/bank-linking/connections/{}/refresh", id(active)),
            None,
        )
        .await;
    let repaired = m
        .call(
            "POST",
            "/bank-linking/connect/repair",
            Some(json!({ "connectionId": id(active) })),
        )
        .await;
    assert_eq!(
        (refreshed.status, refused.status, repaired.status),
        (202, 409, 201)
    );
}

/// A second login to the same institution with the same username is a duplicate: the new one
/// is active, the old one inactive; accounts are shared; refresh and delete move the roles.
#[tokio::test]
async fn duplicates_from_the_widget() {
    let m = Meld::new().await;
    let first = m.connect("dup", PLATYPUS, "user_good", "pass_good").await;
    m.advance(2);
    let second = m.connect("dup", PLATYPUS, "user_good", "pass_good").await;
    m.advance(2);
    let a = m.connection(&first).await;
    let b = m.connection(&second).await;
    assert_eq!(
        (a["status"].as_str(), a["statusReason"].as_str()),
        (Some("PARTIALLY_ACTIVE"), Some("INACTIVE_DUPLICATE"))
    );
    assert_eq!(b["status"], "ACTIVE");
    assert_eq!(b["duplicateConnectionIds"], json!([second, first]));
    assert_eq!(a["activeDuplicateConnectionId"], second.as_str());
    let shared = m.accounts_of(&second).await;
    assert_eq!(
        shared.len(),
        9,
        "the duplicate found the same nine accounts"
    );
    assert_eq!(shared[0]["connectionIds"], json!([second, first]));
    // Refreshing the inactive one promotes it.
    let r = m
        .call(
            "POST",
            &format!("/bank-linking/connections/{first}/refresh"),
            None,
        )
        .await;
    assert_eq!(r.status, 202);
    assert_eq!(m.status(&first).await.0, "ACTIVE");
    assert_eq!(
        m.status(&second).await,
        ("PARTIALLY_ACTIVE".to_owned(), json!("INACTIVE_DUPLICATE"))
    );
    // Deleting the active one promotes the other; shared accounts stay.
    let d = m
        .call(
            "DELETE",
            &format!("/bank-linking/connections/{first}"),
            None,
        )
        .await;
    assert_eq!(d.status, 204);
    let left = m.connection(&second).await;
    assert_eq!(left["status"], "ACTIVE");
    assert_eq!(left["duplicateConnectionIds"], Value::Null);
    assert_eq!(left["activeDuplicateConnectionId"], Value::Null);
    let kept = m.accounts_of(&second).await;
    assert_eq!(kept.len(), 9);
    assert_eq!(kept[0]["connectionIds"], json!([second]));
}

/// Products added later land in `optionalProducts` and trigger a refresh.
#[tokio::test]
async fn update_adds_products() {
    let m = Meld::new().await;
    let id = m.connect("upd", PLATYPUS, "user_good", "pass_good").await;
    m.advance(2);
    let ok = m
        .call(
            "POST",
            &format!("/bank-linking/connections/{id}/update"),
            Some(json!({ "products": ["IDENTIFIERS"] })),
        )
        .await;
    assert_eq!(ok.status, 202);
    assert_eq!(ok.json(), json!({ "requestId": ok.header("x-request-id") }));
    let c = m.connection(&id).await;
    assert_eq!(c["optionalProducts"], json!(["IDENTIFIERS"]));
    m.advance(2);
    let accounts = m.accounts_of(&id).await;
    assert!(accounts[0]["identifiers"]["ach"]["routingNumber"].is_string());
    let again = m
        .call(
            "POST",
            &format!("/bank-linking/connections/{id}/update"),
            Some(json!({ "products": ["IDENTIFIERS", "BALANCES"] })),
        )
        .await;
    let empty = m
        .call(
            "POST",
            &format!("/bank-linking/connections/{id}/update"),
            Some(json!({ "products": [] })),
        )
        .await;
    snap!(
        "meld_update_errors",
        render_all(&[again, empty]).replace(&id, "[connection-id]")
    );
}

/// Magic usernames: a connection that needs a reconnect at its next refresh (and repairs),
/// one that ends its first aggregation degraded.
#[tokio::test]
async fn magic_usernames() {
    let m = Meld::new().await;
    let id = m
        .connect("magic", PLATYPUS, "user_login_required", "pass_good")
        .await;
    m.advance(2);
    assert_eq!(m.status(&id).await.0, "ACTIVE");
    m.call(
        "POST",
        &format!("/bank-linking/connections/{id}/refresh"),
        None,
    )
    .await;
    m.advance(2);
    assert_eq!(
        m.status(&id).await,
        ("RECONNECT_REQUIRED".to_owned(), json!("LOGIN_REQUIRED"))
    );
    let repair = m
        .call(
            "POST",
            "/bank-linking/connect/repair",
            Some(json!({ "connectionId": id })),
        )
        .await;
    let token = repair.json()["connectToken"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let done = m.complete(&token, "", "user_good", "pass_good").await;
    assert_eq!(done.status, 200);
    assert_eq!(m.status(&id).await, ("ACTIVE".to_owned(), Value::Null));

    let degraded = m
        .connect("magic-2", PLATYPUS, "user_degraded", "pass_good")
        .await;
    m.advance(2);
    assert_eq!(
        m.status(&degraded).await,
        (
            "DEGRADED".to_owned(),
            json!("INSTITUTION_CURRENTLY_UNAVAILABLE")
        )
    );
}

/// `GET /institutions` (rank order, filters, key paging) and `GET /institutions/{id}`.
#[tokio::test]
async fn institutions() {
    let m = Meld::new().await;
    let first = m.call("GET", "/institutions?limit=2", None).await;
    let body = first.json();
    let names: Vec<&str> = body["institutions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["name"].as_str())
        .collect();
    assert_eq!(names, ["Platypus Bank", "Finbank Profiles - A"]);
    assert_eq!(
        (body["count"].as_u64(), body["remaining"].as_u64()),
        (Some(2), Some(12))
    );
    let last_key = body["institutions"][1]["key"].as_str().unwrap_or_default();
    let next = m
        .call(
            "GET",
            &format!("/institutions?limit=2&after={last_key}"),
            None,
        )
        .await
        .json();
    let rest: Vec<&str> = next["institutions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["name"].as_str())
        .collect();
    assert_eq!(rest, ["MX Bank", "Mikomo Financial"]);
    let count = |path: &'static str| {
        let m = &m;
        async move { m.call("GET", path, None).await.json()["count"].as_u64() }
    };
    assert_eq!(count("/institutions?name=platyp").await, Some(1));
    assert_eq!(
        count("/institutions?name=finbank").await,
        Some(1),
        "aliases match too"
    );
    assert_eq!(
        count("/institutions?serviceProviders=MX,AKOYA").await,
        Some(2)
    );
    assert_eq!(
        count("/institutions?regions=US-NY&limit=100").await,
        Some(14)
    );
    // A picker test finds the big banks by name or alias, and Plaid's other test banks.
    for (search, name) in [
        ("chase", "Chase"),
        ("bofa", "Bank of America"),
        ("wells", "Wells Fargo"),
        ("citi", "Citibank"),
        ("usbank", "U.S. Bank"),
        ("capital", "Capital One"),
        ("gingham", "First Gingham Credit Union"),
        ("houndstooth", "Houndstooth Bank"),
    ] {
        let found = m
            .call(
                "GET",
                &format!("/institutions?name={}", search.replace(' ', "%20")),
                None,
            )
            .await
            .json();
        assert_eq!(found["institutions"][0]["name"], name, "{search}");
        assert_eq!(found["count"], 1, "{search}");
    }
    let chase = m.call("GET", "/institutions?name=chase", None).await.json();
    assert_eq!(chase["institutions"][0]["isTest"], false);
    assert_eq!(
        chase["institutions"][0]["providers"]["PLAID"]["institutionId"],
        "ins_56"
    );
    assert_eq!(count("/institutions?regions=CA").await, Some(0));
    let one = m
        .call("GET", &format!("/institutions/{PLATYPUS}"), None)
        .await;
    let bad = m
        .call(
            "GET",
            "/institutions?type=ATM&serviceProviders=NOPE&limit=0",
            None,
        )
        .await;
    let missing = m.call("GET", "/institutions/unknown", None).await;
    snap!("meld_institutions", render_all(&[one, bad, missing]));
}

/// The pending transactions of a connection's accounts: id, account and amount.
fn pending_of(m: &Meld, id: &str) -> Vec<(String, String, i64)> {
    m.server.engine().with_world(|w| {
        w.meld
            .transactions
            .iter()
            .filter(|t| t.status == "PENDING" && t.connection_ids.iter().any(|c| c == id))
            .map(|t| (t.id.clone(), t.financial_account_id.clone(), t.amount.0))
            .collect()
    })
}

/// Refreshes `id` and lets the aggregation finish; the `BANK_LINKING_TRANSACTIONS_AGGREGATED`
/// event it sent.
async fn refreshed(m: &Meld, id: &str) -> Value {
    let refresh = m.refresh(id).await;
    assert_eq!(refresh.status, 202, "{}", refresh.render());
    let before = m.events().len();
    m.advance(2);
    m.events()[before..]
        .iter()
        .find(|e| e["eventType"] == "BANK_LINKING_TRANSACTIONS_AGGREGATED")
        .cloned()
        .expect("a transactions event")
}

/// Pending transactions are due 1–5 business days after they appear: at the first aggregation
/// after that each posts (with its posted date) or expires (listed in `transactionIdsRemoved`,
/// its amount given back to the balances); the event counts them, and ones not yet due stay
/// pending. A refresh in the same week changes none of them.
#[tokio::test]
async fn pending_transactions_post_or_expire_at_later_aggregations() {
    let m = Meld::new().await;
    let id = m
        .connect("user-1", PLATYPUS, "user_good", "pass_good")
        .await;
    m.advance(2);
    let early = refreshed(&m, &id).await;
    let none_settled = early["payload"]["financialAccounts"]
        .as_array()
        .expect("accounts")
        .iter()
        .all(|a| a["numTransactionsUpdated"] == 0 && a["transactionIdsRemoved"] == json!([]));
    assert!(none_settled, "{early}");
    let waiting = pending_of(&m, &id);
    assert!(
        !waiting.is_empty(),
        "the history and the refresh leave pending transactions"
    );
    let balances = |accounts: &[Value]| -> Vec<(String, i64)> {
        accounts
            .iter()
            .map(|a| {
                let cents = a["balances"]["currentAmount"].as_f64().unwrap_or_default() * 100.0;
                (
                    a["id"].as_str().unwrap_or_default().to_owned(),
                    cents.round() as i64,
                )
            })
            .collect()
    };
    let before = balances(&m.accounts_of(&id).await);
    // Eight days: every transaction pending now is due (five business days at most).
    m.advance(8 * 86_400);
    let event = refreshed(&m, &id).await;
    let entries = event["payload"]["financialAccounts"]
        .as_array()
        .cloned()
        .expect("accounts");
    let posted: u64 = entries
        .iter()
        .map(|a| a["numTransactionsUpdated"].as_u64().unwrap_or_default())
        .sum();
    let removed: Vec<String> = entries
        .iter()
        .flat_map(|a| {
            a["transactionIdsRemoved"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    assert_eq!(posted as usize + removed.len(), waiting.len(), "{event}");
    assert!(
        posted > 0 && !removed.is_empty(),
        "both outcomes occur: {event}"
    );
    // What was pending is now posted (with a posted date) or expired; only this refresh's new
    // transactions are pending.
    let now_pending: Vec<String> = pending_of(&m, &id).into_iter().map(|t| t.0).collect();
    for (txn, _, _) in &waiting {
        assert!(!now_pending.contains(txn), "{txn} still pending");
        let (status, posted_date) = m.server.engine().with_world(|w| {
            let t = w
                .meld
                .transactions
                .iter()
                .find(|t| &t.id == txn)
                .expect("kept");
            (t.status.clone(), t.posted_date.is_some())
        });
        if removed.contains(txn) {
            assert_eq!(status, "EXPIRED");
        } else {
            assert_eq!((status.as_str(), posted_date), ("POSTED", true), "{txn}");
        }
    }
    // Balances moved by this refresh's new transactions and by what expired, nothing else.
    let accounts_after = m.accounts_of(&id).await;
    let after = balances(&accounts_after);
    let added = m.server.engine().with_world(|w| {
        let at = w
            .meld
            .transactions
            .iter()
            .map(|t| t.transaction_date.at)
            .max();
        w.meld
            .transactions
            .iter()
            .filter(|t| Some(t.transaction_date.at) == at && t.connection_ids.contains(&id))
            .map(|t| (t.financial_account_id.clone(), t.amount.0))
            .collect::<Vec<_>>()
    });
    for ((account, was), (same, now)) in before.iter().zip(&after) {
        assert_eq!(account, same);
        let owed = m.accounts_of(&id).await.iter().any(|a| {
            a["id"] == account.as_str() && matches!(a["type"].as_str(), Some("CREDIT" | "LOAN"))
        });
        let sign = if owed { 1 } else { -1 };
        let new: i64 = added
            .iter()
            .filter(|(a, _)| a == account)
            .map(|(_, c)| sign * c)
            .sum();
        let back: i64 = waiting
            .iter()
            .filter(|(t, a, _)| a == account && removed.contains(t))
            .map(|(_, _, c)| -sign * c)
            .sum();
        assert_eq!(*now, was + new + back, "{account}");
    }
}

/// `[meld.pending] settle = false` keeps pending transactions pending however long it waits.
#[tokio::test]
async fn pending_transactions_can_be_kept_pending() {
    let scenario = sandbank::scenario::DEFAULT_SCENARIO
        .replace("[meld]\n", "[meld]\npending = { settle = false }\n");
    assert!(scenario.contains("pending = { settle = false }"));
    let m = Meld::with(&scenario).await;
    let id = m
        .connect("user-1", PLATYPUS, "user_good", "pass_good")
        .await;
    m.advance(2);
    let waiting = pending_of(&m, &id);
    assert!(!waiting.is_empty());
    m.advance(30 * 86_400);
    let event = refreshed(&m, &id).await;
    let untouched = event["payload"]["financialAccounts"]
        .as_array()
        .expect("accounts")
        .iter()
        .all(|a| a["numTransactionsUpdated"] == 0 && a["transactionIdsRemoved"] == json!([]));
    assert!(untouched, "{event}");
    let still: Vec<String> = pending_of(&m, &id).into_iter().map(|t| t.0).collect();
    assert!(waiting.iter().all(|(t, _, _)| still.contains(t)));
}

/// `recurringStatus` comes from Plaid and MX only: there salaries, bills, rent, subscriptions
/// and loan repayments are `RECURRING` and card purchases `NOT_RECURRING`; every other
/// provider's transactions are `UNKNOWN`.
#[tokio::test]
async fn recurring_status_comes_from_plaid_and_mx_only() {
    let m = Meld::new().await;
    let mx = m.connect("user-1", MX_BANK, "user_good", "pass_good").await;
    let plaid = m
        .connect("user-1", PLATYPUS, "user_good", "pass_good")
        .await;
    let other = m.connect("user-1", FINBANK, "user_good", "pass_good").await;
    m.advance(2);
    let statuses = async |id: &str| -> Vec<(String, String)> {
        m.transactions_of(id)
            .await
            .iter()
            .map(|t| {
                let s = |k: &str| t[k].as_str().unwrap_or_default().to_owned();
                (s("category"), s("recurringStatus"))
            })
            .collect()
    };
    let provider = |id: &str| {
        m.server.engine().with_world(|w| {
            w.meld
                .connection(id)
                .map(|c| c.service_provider.clone())
                .unwrap_or_default()
        })
    };
    assert_eq!(provider(&mx), "MX");
    assert_eq!(provider(&plaid), "PLAID");
    assert_ne!(provider(&other), "MX");
    assert_ne!(provider(&other), "PLAID");
    let mut at_mx = statuses(&mx).await;
    at_mx.extend(statuses(&plaid).await);
    assert!(!at_mx.is_empty());
    for (category, status) in &at_mx {
        let expected = match category.as_str() {
            "INCOME" | "BILLS" | "HOME" | "ENTERTAINMENT" | "LOAN" => "RECURRING",
            _ => "NOT_RECURRING",
        };
        assert_eq!(status, expected, "{category}");
    }
    assert!(at_mx.iter().any(|(_, s)| s == "RECURRING"));
    assert!(at_mx.iter().any(|(_, s)| s == "NOT_RECURRING"));
    let elsewhere = statuses(&other).await;
    assert!(!elsewhere.is_empty());
    assert!(
        elsewhere.iter().all(|(_, s)| s == "UNKNOWN"),
        "{elsewhere:?}"
    );
}

/// A connection without `TRANSACTIONS` has no transactions and gets no transaction events,
/// at its first aggregation or at a refresh.
#[tokio::test]
async fn balances_only_connection_has_no_transactions() {
    let m = Meld::new().await;
    let id = m
        .connect_with(
            "balances",
            PLATYPUS,
            "user_good",
            "pass_good",
            &["BALANCES"],
        )
        .await;
    m.advance(2);
    let refresh = m.refresh(&id).await;
    assert_eq!(refresh.status, 202, "{}", refresh.render());
    m.advance(2);
    assert!(!m.accounts_of(&id).await.is_empty());
    assert!(m.transactions_of(&id).await.is_empty());
    let types = m.event_types(&id);
    assert!(types.iter().any(|t| t == "BANK_LINKING_ACCOUNTS_UPDATED"));
    assert!(
        types.iter().all(|t| !t.contains("TRANSACTIONS")),
        "{types:?}"
    );
}

/// Three failed aggregations in a row leave a connection `UNRECOVERABLE`
/// (`CONTINUED_AGGREGATION_FAILURES`), which refuses refreshes; a repair makes it `ACTIVE` and
/// starts the count again.
#[tokio::test]
async fn three_failed_aggregations_leave_a_connection_unrecoverable() {
    let m = Meld::new().await;
    let id = m
        .connect("failing", PLATYPUS, "user_degraded", "pass_good")
        .await;
    m.advance(2);
    let degraded = (
        "DEGRADED".to_owned(),
        json!("INSTITUTION_CURRENTLY_UNAVAILABLE"),
    );
    assert_eq!(m.status(&id).await, degraded, "failure 1");
    let refresh = || m.refresh(&id);
    assert_eq!(refresh().await.status, 202);
    m.advance(2);
    assert_eq!(m.status(&id).await, degraded, "failure 2");
    assert_eq!(refresh().await.status, 202);
    m.advance(2);
    assert_eq!(
        m.status(&id).await,
        (
            "UNRECOVERABLE".to_owned(),
            json!("CONTINUED_AGGREGATION_FAILURES")
        ),
        "failure 3"
    );
    let refused = refresh().await;
    assert_eq!(refused.status, 409, "{}", refused.render());
    let changes: Vec<Value> = m
        .events()
        .into_iter()
        .filter(|e| {
            e["payload"]["connectionId"] == id.as_str()
                && e["eventType"] == "BANK_LINKING_CONNECTION_STATUS_CHANGE"
        })
        .collect();
    assert_eq!(
        changes
            .last()
            .map(|e| e["payload"]["newStatusReason"].clone()),
        Some(json!("CONTINUED_AGGREGATION_FAILURES")),
        "{changes:?}"
    );

    let repair = m
        .call(
            "POST",
            "/bank-linking/connect/repair",
            Some(json!({ "connectionId": id })),
        )
        .await;
    assert_eq!(repair.status, 201, "{}", repair.render());
    let token = repair.json()["connectToken"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let done = m.complete(&token, "", "user_degraded", "pass_good").await;
    assert_eq!(done.status, 200, "{}", done.render());
    m.advance(2);
    assert_ne!(m.status(&id).await.0, "UNRECOVERABLE");
    assert_eq!(refresh().await.status, 202);
    m.advance(2);
    assert_eq!(m.status(&id).await, degraded, "the count started again");
}

/// A loan's refresh brings interest and a repayment (posted, category `LOAN`), never card
/// purchases; a repayment never pays more than the loan owes.
#[tokio::test]
async fn loans_are_charged_interest_and_repaid() {
    let m = Meld::new().await;
    let id = m
        .connect("borrower", PLATYPUS, "user_good", "pass_good")
        .await;
    m.advance(2);
    let loans: Vec<String> = m
        .accounts_of(&id)
        .await
        .iter()
        .filter(|a| a["type"] == "LOAN")
        .filter_map(|a| a["id"].as_str().map(str::to_owned))
        .collect();
    assert!(!loans.is_empty());
    let of_loans = |list: Vec<Value>| -> Vec<Value> {
        list.into_iter()
            .filter(|t| loans.iter().any(|l| t["financialAccountId"] == l.as_str()))
            .collect()
    };
    let mut before = Vec::new();
    for loan in &loans {
        before.extend(of_loans(
            m.transactions_matching(&format!("financialAccountId={loan}"))
                .await,
        ));
    }
    refreshed(&m, &id).await;
    let mut after = Vec::new();
    for loan in &loans {
        after.extend(of_loans(
            m.transactions_matching(&format!("financialAccountId={loan}"))
                .await,
        ));
    }
    let on_loans: Vec<&Value> = after.iter().filter(|t| !before.contains(t)).collect();
    assert!(!on_loans.is_empty());
    let descriptions: Vec<&str> = on_loans
        .iter()
        .filter_map(|t| t["description"].as_str())
        .collect();
    for loan in &loans {
        let of = |d: &str| {
            on_loans
                .iter()
                .filter(|t| t["financialAccountId"] == loan.as_str() && t["description"] == d)
                .count()
        };
        assert_eq!(
            (of("INTEREST CHARGED"), of("LOAN PAYMENT")),
            (1, 1),
            "{loan}"
        );
    }
    for t in &on_loans {
        if matches!(
            t["description"].as_str(),
            Some("INTEREST CHARGED" | "LOAN PAYMENT")
        ) {
            assert_eq!(
                (&t["status"], &t["category"]),
                (&json!("POSTED"), &json!("LOAN"))
            );
        }
    }
    for merchant in ["STARBUCKS", "AMAZON.COM", "SHELL OIL", "UBER TRIP"] {
        assert!(!descriptions.contains(&merchant), "{descriptions:?}");
    }
}
