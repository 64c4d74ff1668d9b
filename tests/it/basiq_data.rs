//! Basiq accounts and transactions: shapes, filters, paging and its errors.

use std::collections::HashSet;

use serde_json::{Value, json};

use crate::snap;
use crate::support::*;

async fn auth(server: &sandbank::RunningServer) -> String {
    format!("Bearer {}", server_token(server).await)
}

fn generated_user(server: &sandbank::RunningServer) -> String {
    server.engine().with_world(|w| w.basiq.users[1].id.clone())
}

/// Accounts: the list, one account, filters and errors.
#[tokio::test]
async fn accounts() {
    let server = default_server().await;
    let a = auth(&server).await;
    let h = [("authorization", a.as_str())];
    let url = server.basiq_url();
    let cases = [
        ("/users/ea3a81/accounts", 200),
        ("/users/ea3a81/accounts/s55bf3", 200),
        ("/users/ea3a81/accounts?filter=account.id.eq('ar36y2')", 200),
        (
            "/users/ea3a81/accounts?filter=account.id.ne('ar36y2'),institution.id.eq('AU00000')",
            200,
        ),
        (
            "/users/ea3a81/accounts?filter=connection.id.eq('other')",
            200,
        ),
        ("/users/ea3a81/accounts?filter=account.id.gt('a')", 400),
        ("/users/ea3a81/accounts/nope", 404),
        ("/users/ea3a81/accounts/no%20pe", 400),
    ];
    let mut exchanges = Vec::new();
    for (path, status) in cases {
        let ex = get(url, path, &h).await;
        assert_eq!(ex.status, status, "{path}");
        exchanges.push(ex);
    }
    assert_eq!(ids(&exchanges[2].json()), ["ar36y2"]);
    assert_eq!(ids(&exchanges[3].json()), ["s55bf3"]);
    assert_eq!(ids(&exchanges[4].json()), Vec::<String>::new());
    snap!("basiq_accounts", render_all(&exchanges));
}

/// Walking `links.next` with a small limit yields the full list, once, in Basiq's order.
#[tokio::test]
async fn transaction_paging_walks_the_whole_list() {
    let server = default_server().await;
    let a = auth(&server).await;
    let h = [("authorization", a.as_str())];
    let user = generated_user(&server);
    let full = get(
        server.basiq_url(),
        &format!("/users/{user}/transactions"),
        &h,
    )
    .await
    .json();
    let all = ids(&full);
    let size = full["size"].as_u64().unwrap_or(0) as usize;
    assert_eq!(all.len(), size.min(500));
    assert!(size > 500, "two years of everyday spending: {size}");

    let mut walked = Vec::new();
    let mut path = format!("/users/{user}/transactions?limit=97");
    loop {
        let body = get(server.basiq_url(), &path, &h).await.json();
        assert_eq!(body["size"], size);
        assert_eq!(
            body["count"].as_u64().map(|c| c as usize),
            Some(ids(&body).len())
        );
        walked.extend(ids(&body));
        match body["links"]["next"].as_str() {
            Some(next) => {
                path = next
                    .trim_start_matches("https://au-api.basiq.io")
                    .to_owned()
            }
            None => break,
        }
    }
    assert_eq!(walked.len(), size);
    assert_eq!(
        walked.iter().collect::<HashSet<_>>().len(),
        size,
        "no duplicates"
    );
    assert_eq!(walked[..500], all[..], "pages continue the first page");

    // Order: by account, pending first, then newest first.
    let order = server.engine().with_world(|w| {
        let u = &w.basiq.users[1];
        walked
            .iter()
            .filter_map(|id| u.transaction(id))
            .map(|t| {
                let account = u
                    .accounts
                    .iter()
                    .position(|a| *a.id == *t.account())
                    .unwrap_or(99);
                let posted = t.status() == "posted";
                let date = t
                    .post_date()
                    .or(t.transaction_date())
                    .map(|d| d.at.timestamp())
                    .unwrap_or(0);
                (account, posted, -date)
            })
            .collect::<Vec<_>>()
    });
    assert!(
        order.windows(2).all(|w| w[0] <= w[1]),
        "sorted by account, pending first, newest first"
    );
}

/// A cursor stays correct when a newer transaction arrives between pages.
#[tokio::test]
async fn cursor_survives_new_transactions() {
    let server = default_server().await;
    let a = auth(&server).await;
    let h = [("authorization", a.as_str())];
    let user = generated_user(&server);
    let before = ids(&get(
        server.basiq_url(),
        &format!("/users/{user}/transactions?limit=500"),
        &h,
    )
    .await
    .json());

    let first = get(
        server.basiq_url(),
        &format!("/users/{user}/transactions?limit=50"),
        &h,
    )
    .await
    .json();
    let next = first["links"]["next"]
        .as_str()
        .unwrap_or_default()
        .replace("https://au-api.basiq.io", "");
    server.engine().with_world(|w| {
        let u = &mut w.basiq.users[1];
        let mut newest = u.transactions[u.transactions.len() - 1].clone();
        newest.id = "new-arrival".to_owned().into();
        newest.set_status("pending");
        newest.seq = u.transactions.len() as u64;
        u.transactions.push(newest);
        w.changed();
    });
    let second = get(server.basiq_url(), &next, &h).await.json();
    let mut walked = ids(&first);
    walked.extend(ids(&second));
    assert_eq!(walked[..], before[..100], "no item skipped or repeated");
    let arrived = get(
        server.basiq_url(),
        &format!("/users/{user}/transactions/new-arrival"),
        &h,
    )
    .await;
    assert_eq!(arrived.status, 200);
}

/// A predicate every item of a filtered list must satisfy.
type Check = Box<dyn Fn(&Value) -> bool>;

/// The date a transaction is filtered by: `postDate`, or `transactionDate` while pending.
fn day(t: &Value) -> String {
    t["postDate"]
        .as_str()
        .or(t["transactionDate"].as_str())
        .unwrap_or_default()
        .to_owned()
}

/// Filters narrow the list; each statement is checked against the result.
#[tokio::test]
async fn transaction_filters() {
    let server = default_server().await;
    let a = auth(&server).await;
    let h = [("authorization", a.as_str())];
    let user = generated_user(&server);
    let checks: Vec<(&str, Check)> = vec![
        (
            "transaction.status.eq('pending')",
            Box::new(|t: &Value| t["status"] == "pending"),
        ),
        (
            "transaction.direction.eq('credit')",
            Box::new(|t: &Value| t["direction"] == "credit"),
        ),
        (
            "transaction.class.eq('payment')",
            Box::new(|t: &Value| t["class"] == "payment" && t["subClass"]["code"].is_string()),
        ),
        (
            "transaction.postDate.bt('2025-01-01','2025-01-31')",
            Box::new(|t: &Value| ("2025-01-01".."2025-02-01").contains(&day(t).as_str())),
        ),
        (
            "transaction.postDate.gteq('2025-04-01'),transaction.direction.eq('debit')",
            Box::new(|t: &Value| t["direction"] == "debit" && day(t).as_str() >= "2025-04-01"),
        ),
    ];
    for (filter, check) in checks {
        let body = get(
            server.basiq_url(),
            &format!("/users/{user}/transactions?filter={filter}"),
            &h,
        )
        .await
        .json();
        let data = body["data"].as_array().cloned().unwrap_or_default();
        assert!(!data.is_empty(), "{filter} matched nothing");
        assert!(data.iter().all(&check), "{filter}");
        assert_eq!(body["count"].as_u64(), Some(data.len() as u64), "{filter}");
        assert!(body["size"].as_u64() >= Some(data.len() as u64), "{filter}");
    }
}

/// Paging and filter errors, each with Basiq's documented detail.
#[tokio::test]
async fn transaction_errors() {
    let server = default_server().await;
    let a = auth(&server).await;
    let h = [("authorization", a.as_str())];
    let url = server.basiq_url();
    let queries = [
        "limit=501",
        "limit=0",
        "limit=ten",
        "next=not-a-cursor",
        "filter=transaction.nope.eq('x')",
        "filter=transaction.postDate.eq('2020/01/01')",
        "filter=account.id.ne('s55bf3')",
    ];
    let mut exchanges = Vec::new();
    for q in queries {
        let ex = get(url, &format!("/users/ea3a81/transactions?{q}"), &h).await;
        assert_eq!(ex.status, 400, "{q}");
        exchanges.push(ex);
    }
    exchanges.push(get(url, "/users/ea3a81/transactions/nope", &h).await);
    assert_eq!(exchanges[7].status, 404);
    snap!("basiq_transaction_errors", render_all(&exchanges));
}

/// One transaction of each kind, whole; and the balances of every account add up.
#[tokio::test]
async fn transaction_shapes_and_balances() {
    let server = default_server().await;
    let a = auth(&server).await;
    let h = [("authorization", a.as_str())];
    let user = generated_user(&server);
    let mut exchanges = Vec::new();
    for filter in [
        "transaction.class.eq('payment')",
        "transaction.class.eq('direct-credit')",
        "transaction.status.eq('pending')",
    ] {
        let body = get(
            server.basiq_url(),
            &format!("/users/{user}/transactions?filter={filter}&limit=1"),
            &h,
        )
        .await
        .json();
        let id = body["data"][0]["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        exchanges.push(
            get(
                server.basiq_url(),
                &format!("/users/{user}/transactions/{id}"),
                &h,
            )
            .await,
        );
    }
    snap!("basiq_transactions", render_all(&exchanges));

    let accounts = get(server.basiq_url(), &format!("/users/{user}/accounts"), &h)
        .await
        .json();
    for account in accounts["data"].as_array().cloned().unwrap_or_default() {
        let id = account["id"].as_str().unwrap_or_default();
        let body = get(
            server.basiq_url(),
            &format!("/users/{user}/transactions?filter=account.id.eq('{id}'),transaction.status.eq('posted')&limit=1"),
            &h,
        )
        .await
        .json();
        assert_eq!(
            body["data"][0]["balance"], account["balance"],
            "account {id}"
        );
    }
}

/// An application without Enrich sends `"enrich": null`.
#[tokio::test]
async fn enrich_can_be_off() {
    let scenario = "seed = 2\n[basiq]\napiKeys = [\"c2FuZGJhbms6c2FuZGJveA==\"]\nenrich = false\n[[basiq.users]]\nid = \"u\"\n[[basiq.users.connections]]\n";
    let server = server(scenario).await;
    let a = auth(&server).await;
    let body = get(
        server.basiq_url(),
        "/users/u/transactions?limit=1",
        &[("authorization", &a)],
    )
    .await
    .json();
    assert_eq!(body["data"][0]["enrich"], json!(null));
}
