//! Meld financial accounts and transactions.

use std::collections::HashSet;

use serde_json::Value;

use crate::snap;
use crate::support::*;

const CHECKING: &str = "WQ4tBpyyBoHiaFaezfTe4A";

async fn meld(server: &sandbank::RunningServer, path: &str, version: Option<&str>) -> Exchange {
    let mut headers = vec![("authorization", "BASIC sk_sb_sandbank")];
    if let Some(v) = version {
        headers.push(("meld-version", v));
    }
    get(server.meld_url(), path, &headers).await
}

fn ids(body: &Value, field: &str) -> Vec<String> {
    body[field]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Accounts: products decide what is filled; money keeps two decimals on the wire.
#[tokio::test]
async fn accounts() {
    let server = default_server().await;
    let all = meld(&server, "/bank-linking/accounts", None).await;
    let body = all.json();
    assert_eq!(
        body["count"], 4,
        "two per connection that has been aggregated"
    );
    let text = String::from_utf8_lossy(&all.body).into_owned();
    assert!(
        text.contains("\"currentAmount\":22327.30"),
        "fixed scale: {text}"
    );
    assert!(text.contains("\"currentAmount\":9357.24"));
    let checking = meld(&server, &format!("/bank-linking/accounts/{CHECKING}"), None).await;
    let c = checking.json();
    assert_eq!(c["connectionIds"][0], "WQ5CwCxDxXhYuA4fVHGk3o");
    assert!(
        c["owners"].is_array(),
        "OWNERS is an optional product of the connection"
    );
    assert!(c["identifiers"]["ach"].is_null(), "no IDENTIFIERS product");
    let by_connection = meld(
        &server,
        "/bank-linking/accounts?connectionId=WQ6RcQ8hZb2kPm4nTx7vYs",
        None,
    )
    .await
    .json();
    assert_eq!(by_connection["count"], 2);
    assert!(
        by_connection["financialAccounts"][0]["identifiers"]["ach"]["routingNumber"].is_string()
    );
    assert!(by_connection["financialAccounts"][0]["owners"].is_null());
    let both = meld(
        &server,
        "/bank-linking/accounts?customerId=a&externalCustomerId=b",
        None,
    )
    .await;
    assert_eq!(both.status, 400);
    assert_eq!(
        meld(&server, "/bank-linking/accounts/nope", None)
            .await
            .status,
        404
    );
    snap!("meld_account", checking.render());
}

/// Before 2023-12-19 an account carries one `connectionId` (null on GET by id, as recorded).
#[tokio::test]
async fn accounts_by_version() {
    let server = default_server().await;
    let old = meld(
        &server,
        &format!("/bank-linking/accounts/{CHECKING}"),
        Some("2022-11-10"),
    )
    .await;
    assert_eq!(old.header("meld-version"), Some("2022-09-21"));
    let body = old.json();
    assert!(
        body.get("connectionIds").is_none() && body.get("historicalAggregationSucceeded").is_none()
    );
    assert!(body["connectionId"].is_null() && body["externalCustomerId"].is_null());
    let listed = meld(&server, "/bank-linking/accounts", Some("2022-11-10"))
        .await
        .json();
    assert!(listed["financialAccounts"][0]["connectionId"].is_string());
    let new = meld(
        &server,
        &format!("/bank-linking/accounts/{CHECKING}"),
        Some("2024-01-01"),
    )
    .await;
    assert_eq!(new.header("meld-version"), Some("2023-12-19"));
    assert!(new.json()["connectionIds"].is_array());
}

/// Transactions: newest first per account; walking `after` pages and `before` pages gives the
/// full set; filters narrow it.
#[tokio::test]
async fn transactions() {
    let server = default_server().await;
    let all = meld(&server, "/bank-linking/transactions?limit=1000", None)
        .await
        .json();
    let full = ids(&all, "financialAccountTransactions");
    assert_eq!(all["remaining"], 0);
    assert!(full.len() > 150, "{}", full.len());
    assert_eq!(full.iter().collect::<HashSet<_>>().len(), full.len());
    let dates: Vec<(String, String)> = all["financialAccountTransactions"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|t| {
                    (
                        t["financialAccountId"].as_str().unwrap_or("").to_owned(),
                        t["transactionDate"].as_str().unwrap_or("").to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert!(
        dates
            .windows(2)
            .all(|w| w[0].0 != w[1].0 || w[0].1 >= w[1].1),
        "newest first within an account"
    );

    let mut walked = Vec::new();
    let mut query = "?limit=37".to_owned();
    loop {
        let body = meld(&server, &format!("/bank-linking/transactions{query}"), None)
            .await
            .json();
        let page = ids(&body, "financialAccountTransactions");
        walked.extend(page);
        if body["remaining"] == 0 {
            break;
        }
        let key = body["financialAccountTransactions"]
            .as_array()
            .and_then(|a| a.last())
            .map(|t| t["key"].clone())
            .unwrap_or_default();
        query = format!("?limit=37&after={}", key.as_str().unwrap_or_default());
    }
    assert_eq!(walked, full);

    let pending = meld(
        &server,
        "/bank-linking/transactions?status=PENDING&limit=1000",
        None,
    )
    .await
    .json();
    assert!(
        pending["financialAccountTransactions"]
            .as_array()
            .is_some_and(|a| !a.is_empty()
                && a.iter()
                    .all(|t| t["status"] == "PENDING" && t["postedDate"].is_null()))
    );
    let food = meld(&server, &format!("/bank-linking/transactions?financialAccountId={CHECKING}&category=FOOD_AND_DRINK&startDate=2024-04-01&endDate=2024-04-30"), None).await.json();
    assert!(
        food["financialAccountTransactions"]
            .as_array()
            .is_some_and(|a| !a.is_empty()
                && a.iter().all(|t| {
                    t["category"] == "FOOD_AND_DRINK"
                        && t["transactionDate"]
                            .as_str()
                            .is_some_and(|d| d.starts_with("2024-04"))
                }))
    );
    let one_id = full[0].clone();
    let one = meld(
        &server,
        &format!("/bank-linking/transactions/{one_id}"),
        None,
    )
    .await;
    assert_eq!(one.status, 200);
    let errors = [
        meld(&server, "/bank-linking/transactions?limit=1001", None).await,
        meld(
            &server,
            "/bank-linking/transactions?status=CLEARED&category=PETS",
            None,
        )
        .await,
        meld(&server, "/bank-linking/transactions/nope", None).await,
    ];
    assert_eq!(
        errors.iter().map(|e| e.status).collect::<Vec<_>>(),
        [400, 400, 404]
    );
    snap!("meld_transaction", one.render());
    snap!("meld_transaction_errors", render_all(&errors));
}
