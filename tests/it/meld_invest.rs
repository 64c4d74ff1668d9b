//! Meld investment data, processor tokens, imported connections and accounts a provider stops
//! reporting.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::meld_connect::{ACTIVE, FINBANK, Meld, PLATYPUS, RECONNECT};
use crate::snap;
use crate::support::*;

const INVESTING: &[&str] = &[
    "BALANCES",
    "TRANSACTIONS",
    "INVESTMENT_HOLDINGS",
    "INVESTMENT_TRANSACTIONS",
];

fn cents(v: &Value) -> i64 {
    // Money is written with exactly two decimals.
    let text = v.to_string();
    assert!(
        text.split_once('.').is_some_and(|(_, f)| f.len() == 2),
        "{text}"
    );
    text.replace('.', "").parse().unwrap_or(i64::MIN)
}

async fn list(m: &Meld, path: &str, field: &str) -> Vec<Value> {
    let ex = m.call("GET", path, None).await;
    assert_eq!(ex.status, 200, "{}", ex.render());
    ex.json()[field].as_array().cloned().unwrap_or_default()
}

/// Holdings add up to each investment account's balance; investment transactions list newest
/// first per account, filter by status and date, and page both ways; GET by id returns the
/// listed item.
#[tokio::test]
async fn holdings_and_investment_transactions() {
    let m = Meld::new().await;
    let id = m
        .connect_with("investor", PLATYPUS, "user_good", "pass_good", INVESTING)
        .await;
    m.advance(2);
    let accounts = m.accounts_of(&id).await;
    let holdings = list(
        &m,
        &format!("/bank-linking/investments/holdings?connectionId={id}&limit=1000"),
        "investmentHoldings",
    )
    .await;
    let mut by_account: BTreeMap<String, i64> = BTreeMap::new();
    for h in &holdings {
        *by_account
            .entry(
                h["financialAccountId"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
            .or_default() += cents(&h["currentValue"]);
    }
    let investment: BTreeMap<String, i64> = accounts
        .iter()
        .filter(|a| a["type"] == "INVESTMENT")
        .map(|a| {
            (
                a["id"].as_str().unwrap_or_default().to_owned(),
                cents(&a["balances"]["currentAmount"]),
            )
        })
        .collect();
    assert_eq!(by_account, investment, "Plaid IRA and 401k, valued in full");
    assert!(holdings.iter().any(|h| h["type"] == "CASH"));
    let first = &holdings[0];
    let one = m
        .call(
            "GET",
            &format!(
                "/bank-linking/investments/holdings/{}",
                first["id"].as_str().unwrap_or_default()
            ),
            None,
        )
        .await;
    assert_eq!(&one.json(), first);

    let all = list(
        &m,
        &format!("/bank-linking/investments/transactions?connectionId={id}&limit=1000"),
        "investmentTransactions",
    )
    .await;
    assert!(all.iter().any(|t| t["type"] == "BUY"));
    assert!(all.iter().any(|t| t["type"] == "CASH"));
    for pair in all.windows(2) {
        if pair[0]["financialAccountId"] == pair[1]["financialAccountId"] {
            assert!(pair[0]["transactionDate"].as_str() >= pair[1]["transactionDate"].as_str());
        }
    }
    // Forward in pages of 7, then back from the end, equals the whole list.
    let mut forward = Vec::new();
    let mut after = String::new();
    loop {
        let ex = m
            .call(
                "GET",
                &format!("/bank-linking/investments/transactions?connectionId={id}&limit=7{after}"),
                None,
            )
            .await;
        let body = ex.json();
        let page = body["investmentTransactions"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        forward.extend(page.iter().cloned());
        if body["remaining"] == 0 {
            break;
        }
        after = format!("&after={}", page[6]["key"].as_str().unwrap_or_default());
    }
    assert_eq!(forward, all);
    let mut backward: Vec<Value> = vec![all[all.len() - 1].clone()];
    let mut before = all[all.len() - 1]["key"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    loop {
        let ex = m
            .call(
                "GET",
                &format!(
                    "/bank-linking/investments/transactions?connectionId={id}&limit=5&before={before}"
                ),
                None,
            )
            .await;
        let body = ex.json();
        let page = body["investmentTransactions"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        backward.splice(0..0, page.iter().cloned());
        if body["remaining"] == 0 {
            break;
        }
        before = page[0]["key"].as_str().unwrap_or_default().to_owned();
    }
    assert_eq!(backward, all);

    let posted = list(
        &m,
        &format!(
            "/bank-linking/investments/transactions?connectionId={id}&statuses=POSTED&limit=1000"
        ),
        "investmentTransactions",
    )
    .await;
    assert!(posted.iter().all(|t| t["status"] == "POSTED"));
    let since = list(
        &m,
        &format!("/bank-linking/investments/transactions?connectionId={id}&startDate=2025-06-01&endDate=2025-12-31&limit=1000"),
        "investmentTransactions",
    )
    .await;
    assert!(!since.is_empty());
    assert!(since.iter().all(|t| {
        let day = &t["transactionDate"].as_str().unwrap_or_default()[..10];
        ("2025-06-01"..="2025-12-31").contains(&day)
    }));

    // The first aggregation counted them.
    let counted: u64 = m
        .events()
        .iter()
        .filter(|e| e["payload"]["connectionId"] == id.as_str())
        .filter(|e| {
            e["eventType"]
                .as_str()
                .is_some_and(|t| t.ends_with("TRANSACTIONS_AGGREGATED"))
        })
        .flat_map(|e| {
            e["payload"]["financialAccounts"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .map(|a| a["numInvestmentTransactionsAdded"].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(counted as usize, all.len());

    let page = m
        .call(
            "GET",
            &format!("/bank-linking/investments/holdings?connectionId={id}&limit=2"),
            None,
        )
        .await;
    let txn = m
        .call(
            "GET",
            &format!("/bank-linking/investments/transactions?connectionId={id}&limit=2"),
            None,
        )
        .await;
    snap!(
        "meld_investments",
        render_all(&[page, txn]).replace(&id, "[connection-id]")
    );
}

/// Investment data needs its products, and Finicity's sandbox has none; adding the product
/// with an update brings it at the next aggregation.
#[tokio::test]
async fn investment_data_follows_the_products() {
    let m = Meld::new().await;
    let plain = m
        .connect_with("plain", PLATYPUS, "user_good", "pass_good", &["BALANCES"])
        .await;
    let finicity = m
        .connect_with("finbank", FINBANK, "demo", "go", &["BALANCES"])
        .await;
    m.advance(2);
    for id in [&plain, &finicity] {
        let path = format!("/bank-linking/investments/holdings?connectionId={id}");
        assert!(list(&m, &path, "investmentHoldings").await.is_empty());
        let ex = m
            .call(
                "POST",
                &format!("/bank-linking/connections/{id}/update"),
                Some(json!({ "products": ["INVESTMENT_HOLDINGS"] })),
            )
            .await;
        assert_eq!(ex.status, 202, "{}", ex.render());
    }
    m.advance(2);
    let path = format!("/bank-linking/investments/holdings?connectionId={finicity}");
    assert!(list(&m, &path, "investmentHoldings").await.is_empty());
    let holdings = list(
        &m,
        &format!("/bank-linking/investments/holdings?connectionId={plain}"),
        "investmentHoldings",
    )
    .await;
    assert!(!holdings.is_empty());
    // Transactions were not asked for: none readable, by list or by id.
    let path = format!("/bank-linking/investments/transactions?connectionId={plain}");
    assert!(list(&m, &path, "investmentTransactions").await.is_empty());
    let hidden = m.server.engine().with_world(|w| {
        w.meld
            .investment_transactions
            .iter()
            .find(|t| t.connection_ids.contains(&plain))
            .map(|t| t.id.clone())
            .unwrap_or_default()
    });
    assert!(!hidden.is_empty(), "the transactions exist, only hidden");
    let gone = m
        .call(
            "GET",
            &format!("/bank-linking/investments/transactions/{hidden}"),
            None,
        )
        .await;
    assert_eq!(gone.status, 404, "{}", gone.render());
}

#[tokio::test]
async fn investment_errors() {
    let m = Meld::new().await;
    let both = m
        .call(
            "GET",
            "/bank-linking/investments/holdings?customerId=a&externalCustomerId=b&limit=0",
            None,
        )
        .await;
    let bad = m
        .call(
            "GET",
            "/bank-linking/investments/transactions?statuses=SETTLED&startDate=2024-13-01&after=garbled",
            None,
        )
        .await;
    let missing = m
        .call("GET", "/bank-linking/investments/holdings/nope", None)
        .await;
    snap!("meld_investment_errors", render_all(&[both, bad, missing]));
}

/// Processor tokens: Plaid accounts get one; Finicity ones are not supported; the body is
/// checked field by field.
#[tokio::test]
async fn processor_tokens() {
    let m = Meld::new().await;
    let plaid = m
        .server
        .engine()
        .with_world(|w| {
            w.meld
                .financial_accounts
                .iter()
                .find(|f| f.connection_ids.iter().any(|c| c == ACTIVE))
                .map(|f| f.id.clone())
        })
        .unwrap_or_default();
    let finicity = m
        .server
        .engine()
        .with_world(|w| {
            w.meld
                .financial_accounts
                .iter()
                .find(|f| f.connection_ids.iter().any(|c| c == RECONNECT))
                .map(|f| f.id.clone())
        })
        .unwrap_or_default();
    let path = |id: &str| format!("/bank-linking/accounts/{id}/processors/create-token");
    let ok = m
        .call(
            "POST",
            &path(&plaid),
            Some(json!({ "processor": "DWOLLA" })),
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.render());
    let body = ok.json();
    assert_eq!(body["processor"], "DWOLLA");
    assert_eq!(body["serviceProvider"], "PLAID");
    assert!(
        body["token"]
            .as_str()
            .is_some_and(|t| t.starts_with("processor-sandbox-") && t.len() == 54),
        "{body}"
    );
    let again = m
        .call(
            "POST",
            &path(&plaid),
            Some(json!({ "processor": "DWOLLA" })),
        )
        .await;
    assert_ne!(
        again.json()["token"],
        body["token"],
        "a fresh token each time"
    );
    let unsupported = m
        .call(
            "POST",
            &path(&finicity),
            Some(json!({ "processor": "STRIPE" })),
        )
        .await;
    let bad = m
        .call(
            "POST",
            &path(&plaid),
            Some(json!({ "processor": "VENMO", "serviceProvider": "BANK" })),
        )
        .await;
    let missing = m.call("POST", &path(&plaid), Some(json!({}))).await;
    let elsewhere = m
        .call(
            "POST",
            &path(&plaid),
            Some(json!({ "processor": "STRIPE", "serviceProvider": "MX" })),
        )
        .await;
    let unknown = m
        .call(
            "POST",
            &path("nope"),
            Some(json!({ "processor": "STRIPE" })),
        )
        .await;
    snap!(
        "meld_processor_token_errors",
        render_all(&[unsupported, bad, missing, elsewhere, unknown])
            .replace(&plaid, "[plaid-account]")
            .replace(&finicity, "[finicity-account]")
    );
}

/// Importing a Plaid connection: 202, then the connection is `ACTIVE` for the customer with
/// the usual webhooks and aggregation; refused tokens and unsupported providers import nothing.
#[tokio::test]
async fn import_connections() {
    let m = Meld::new().await;
    let ok = m
        .call(
            "POST",
            "/bank-linking/connections/import",
            Some(json!({ "connections": [{
                "serviceProvider": "PLAID",
                "accessToken": "access-sandbox-5cd6e1b1-1b5b-459d-9284-366e2da89755",
                "externalCustomerId": "imported-1",
            }] })),
        )
        .await;
    assert_eq!(ok.status, 202, "{}", ok.render());
    assert_eq!(ok.json(), json!({ "requestId": ok.header("x-request-id") }));
    let found = list(
        &m,
        "/bank-linking/connections?externalCustomerId=imported-1",
        "connections",
    )
    .await;
    assert_eq!(found.len(), 1);
    let id = found[0]["id"].as_str().unwrap_or_default().to_owned();
    assert_eq!(found[0]["status"], "ACTIVE");
    assert_eq!(found[0]["institutionName"], "Platypus Bank");
    assert_eq!(
        found[0]["serviceProviderDetails"]["serviceProvider"],
        "PLAID"
    );
    m.advance(2);
    assert_eq!(m.accounts_of(&id).await.len(), 9);
    assert_eq!(
        m.event_types(&id),
        [
            "BANK_LINKING_CONNECTION_COMPLETED",
            "BANK_LINKING_CONNECTION_STATUS_CHANGE",
            "BANK_LINKING_ACCOUNTS_UPDATING",
            "BANK_LINKING_ACCOUNTS_UPDATED",
            "BANK_LINKING_TRANSACTIONS_AGGREGATED",
            "BANK_LINKING_HISTORICAL_TRANSACTIONS_AGGREGATED",
        ]
    );

    let before = m.server.engine().with_world(|w| w.meld.connections.len());
    let refused = m
        .call(
            "POST",
            "/bank-linking/connections/import",
            Some(json!({ "connections": [
                { "serviceProvider": "AKOYA", "accessToken": "akoya-token", "externalCustomerId": "imported-2" },
                { "serviceProvider": "PLAID", "accessToken": "not-a-plaid-token", "externalCustomerId": "imported-2" },
            ] })),
        )
        .await;
    let invalid = m
        .call(
            "POST",
            "/bank-linking/connections/import",
            Some(json!({ "connections": [
                { "serviceProvider": "MX", "accessToken": "t", "externalCustomerId": "x" },
                { "serviceProvider": "PLAID", "accessToken": " " },
                { "serviceProvider": "AKOYA", "accessToken": "t", "externalCustomerId": "x", "institutionId": PLATYPUS },
                "not an object",
            ] })),
        )
        .await;
    let empty = m
        .call(
            "POST",
            "/bank-linking/connections/import",
            Some(json!({ "connections": [] })),
        )
        .await;
    let after = m.server.engine().with_world(|w| w.meld.connections.len());
    assert_eq!(before, after, "refused imports change nothing");
    snap!("meld_import_errors", render_all(&[refused, invalid, empty]));
}

/// `user_account_closed`: each refresh loses the newest account, announced with
/// `BANK_LINKING_ACCOUNTS_REMOVED`; the account and its transactions are gone.
#[tokio::test]
async fn accounts_removed_at_the_provider() {
    let m = Meld::new().await;
    let id = m
        .connect("closer", PLATYPUS, "user_account_closed", "pass_good")
        .await;
    m.advance(2);
    let accounts = m.accounts_of(&id).await;
    assert_eq!(accounts.len(), 9);
    // The provider reported the mortgage last: it is the newest account.
    let mortgage = accounts
        .iter()
        .find(|a| a["name"] == "Plaid Mortgage")
        .and_then(|a| a["id"].as_str())
        .unwrap_or_default()
        .to_owned();
    let ex = m
        .call(
            "POST",
            &format!("/bank-linking/connections/{id}/refresh"),
            None,
        )
        .await;
    assert_eq!(ex.status, 202, "{}", ex.render());
    m.advance(2);
    let removed: Vec<Value> = m
        .events()
        .into_iter()
        .filter(|e| e["eventType"] == "BANK_LINKING_ACCOUNTS_REMOVED")
        .collect();
    assert_eq!(removed.len(), 1);
    let gone = removed[0]["payload"]["financialAccounts"].clone();
    assert_eq!(gone.as_array().map(Vec::len), Some(1));
    let gone_id = mortgage.as_str();
    assert_eq!(gone, json!([{ "id": gone_id }]));
    let left = m.accounts_of(&id).await;
    assert_eq!(left.len(), 8);
    assert!(left.iter().all(|a| a["id"] != gone_id));
    let read = m
        .call("GET", &format!("/bank-linking/accounts/{gone_id}"), None)
        .await;
    assert_eq!(read.status, 404);
    let txns = list(
        &m,
        &format!("/bank-linking/transactions?financialAccountId={gone_id}"),
        "financialAccountTransactions",
    )
    .await;
    assert!(txns.is_empty());
    assert!(m.event_types(&id).ends_with(&[
        "BANK_LINKING_ACCOUNTS_REMOVED".to_owned(),
        "BANK_LINKING_ACCOUNTS_UPDATING".to_owned(),
        "BANK_LINKING_ACCOUNTS_UPDATED".to_owned(),
        "BANK_LINKING_TRANSACTIONS_AGGREGATED".to_owned(),
    ]));
}
