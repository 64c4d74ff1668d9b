//! What Basiq refreshes bring over days of server clock: pending transactions deleted and
//! imported afresh (new ids) at every refresh, posting 3–5 business days after their date;
//! each day's activity; balances that follow; `transactions.updated`; the scenario knobs.

use std::collections::{BTreeMap, HashSet};

use chrono::{Datelike, NaiveDate, Weekday};
use serde_json::{Value, json};

use crate::support::*;

/// A user with an everyday account and a credit card whose histories are generated, last
/// refreshed an hour before the test clock; `extra` goes into the `[basiq]` section.
fn scenario(extra: &str) -> String {
    format!(
        r#"
version = 1
seed = 7
[basiq]
apiKeys = ["{BASIQ_KEY}"]
{extra}
[[basiq.users]]
id = "u1"
email = "u1@example.com"
[[basiq.users.connections]]
id = "c1"
institution = "AU00000"
status = "active"
lastUsed = "2026-01-15T08:00:00Z"
[[basiq.users.connections.accounts]]
id = "acc001"
class = {{ type = "transaction" }}
history = {{ days = 120 }}
[[basiq.users.connections.accounts]]
id = "acc002"
class = {{ type = "credit-card" }}
history = {{ days = 120 }}
"#
    )
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Txn {
    id: String,
    status: String,
    account: String,
    description: String,
    amount: i64,
    date: NaiveDate,
    posted: Option<NaiveDate>,
}

impl Txn {
    /// What stays the same when a pending transaction is imported again.
    fn content(&self) -> (String, String, i64, NaiveDate) {
        (
            self.account.clone(),
            self.description.clone(),
            self.amount,
            self.date,
        )
    }
}

fn day(v: &Value) -> Option<NaiveDate> {
    v.as_str()
        .and_then(|s| s.get(..10))
        .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
}

/// Every transaction of `u1`, following `links.next`.
async fn transactions(b: &Basiq) -> Vec<Txn> {
    let mut out = Vec::new();
    let mut path = "/users/u1/transactions?limit=500".to_owned();
    loop {
        let page = b.get(&path).await.json();
        for t in page["data"].as_array().into_iter().flatten() {
            out.push(Txn {
                id: t["id"].as_str().unwrap_or_default().to_owned(),
                status: t["status"].as_str().unwrap_or_default().to_owned(),
                account: t["account"].as_str().unwrap_or_default().to_owned(),
                description: t["description"].as_str().unwrap_or_default().to_owned(),
                amount: cents(&t["amount"]),
                date: day(&t["transactionDate"]).expect("a transaction date"),
                posted: day(&t["postDate"]),
            });
        }
        match page["links"]["next"].as_str() {
            Some(next) => path = next.replace("https://au-api.basiq.io", ""),
            None => return out,
        }
    }
}

/// `(balance, availableFunds)` in cents of each of `u1`'s accounts.
async fn balances(b: &Basiq) -> BTreeMap<String, (i64, i64)> {
    let list = b.get("/users/u1/accounts").await.json();
    list["data"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|a| {
            (
                a["id"].as_str().unwrap_or_default().to_owned(),
                (cents(&a["balance"]), cents(&a["availableFunds"])),
            )
        })
        .collect()
}

/// Refreshes `c1` (with a fresh token, the clock may have moved hours) and lets the job end.
async fn refresh(b: &mut Basiq) {
    b.new_server_token().await;
    let started = b
        .post(
            &b.server_auth,
            "/users/u1/connections/c1/refresh",
            json!({}),
        )
        .await;
    assert_eq!(started.status, 202, "{}", started.render());
    b.advance(4);
    let job = started.json()["id"].as_str().unwrap_or_default().to_owned();
    assert_eq!(
        statuses(&b.job(&job).await),
        ["success", "success", "success"]
    );
}

/// The `count` of the newest event, if it is a `transactions.updated` one.
async fn newest_transactions_updated(b: &Basiq) -> Option<usize> {
    let events = b.get("/events").await.json();
    let newest = &events["data"][0];
    if newest["entity"] != "transactions" || newest["eventType"] != "updated" {
        return None;
    }
    let id = newest["id"].as_str().unwrap_or_default();
    let event = b.get(&format!("/events/{id}")).await.json();
    event["data"]["count"].as_str().and_then(|c| c.parse().ok())
}

fn pending(list: &[Txn]) -> Vec<&Txn> {
    list.iter().filter(|t| t.status == "pending").collect()
}

/// Business days (Monday to Friday) from `from` to `to`.
fn business_days(from: NaiveDate, to: NaiveDate) -> i64 {
    from.iter_days()
        .skip(1)
        .take_while(|d| *d <= to)
        .filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
        .count() as i64
}

/// Pending amounts reduce `availableFunds` but not `balance` (the everyday account's funds are
/// its balance plus its pending amounts).
fn assert_available_counts_pending(list: &[Txn], balances: &BTreeMap<String, (i64, i64)>) {
    let (balance, available) = balances["acc001"];
    let pending: i64 = pending(list)
        .iter()
        .filter(|t| t.account == "acc001")
        .map(|t| t.amount)
        .sum();
    assert_eq!(available - balance, pending, "{balances:?}");
}

/// Refreshes over eleven days of server clock: each re-imports every pending transaction with
/// a new id, brings the days since the last one, and posts what is due, moving the balances by
/// exactly what posted.
#[tokio::test]
async fn refreshes_reimport_pending_post_what_is_due_and_bring_each_day() {
    let mut b = Basiq::on(&scenario(""), "u1").await;
    let start = transactions(&b).await;
    let before = balances(&b).await;
    let pending0 = pending(&start);
    assert!(!pending0.is_empty(), "the last day's purchases are pending");
    assert_available_counts_pending(&start, &before);

    // The same day: the pending transactions come back with new ids, nothing else changes.
    refresh(&mut b).await;
    let same_day = transactions(&b).await;
    let posted =
        |l: &[Txn]| -> Vec<Txn> { l.iter().filter(|t| t.status == "posted").cloned().collect() };
    assert_eq!(posted(&same_day), posted(&start));
    let content = |l: &[&Txn]| {
        let mut c: Vec<_> = l.iter().map(|t| t.content()).collect();
        c.sort();
        c
    };
    let pending1 = pending(&same_day);
    assert_eq!(content(&pending1), content(&pending0));
    let old_ids: HashSet<&str> = pending0.iter().map(|t| t.id.as_str()).collect();
    assert!(pending1.iter().all(|t| !old_ids.contains(t.id.as_str())));
    assert_eq!(balances(&b).await, before);
    assert_eq!(newest_transactions_updated(&b).await, Some(pending0.len()));

    // Two days later (a Saturday): the two days' activity, card purchases pending.
    b.advance(2 * 86_400);
    refresh(&mut b).await;
    let saturday = transactions(&b).await;
    let jan = |d: u32| NaiveDate::from_ymd_opt(2026, 1, d).expect("a date");
    let new: Vec<&Txn> = saturday.iter().filter(|t| t.date > jan(15)).collect();
    assert!(new.iter().any(|t| t.date == jan(16)) && new.iter().any(|t| t.date == jan(17)));
    assert!(saturday.iter().all(|t| t.date <= jan(17)));
    assert!(
        new.iter()
            .any(|t| t.status == "pending" && t.account == "acc002"),
        "the card's purchases are pending"
    );
    // Nothing is due yet: the 15th's pending transactions post on the 20th at the earliest.
    let still: Vec<&Txn> = pending(&saturday)
        .into_iter()
        .filter(|t| t.date <= jan(15))
        .collect();
    assert_eq!(content(&still), content(&pending1));
    let on_saturday = balances(&b).await;
    assert_available_counts_pending(&saturday, &on_saturday);
    let posted_new: i64 = new
        .iter()
        .filter(|t| t.status == "posted" && t.account == "acc001")
        .map(|t| t.amount)
        .sum();
    assert_eq!(on_saturday["acc001"].0 - before["acc001"].0, posted_new);
    let imported = new.len() + pending1.len();
    assert_eq!(newest_transactions_updated(&b).await, Some(imported));

    // Ten days on: everything from before the 20th has posted, 3 to 5 business days after its
    // date, and the balance moved by exactly what posted since Saturday.
    b.advance(10 * 86_400);
    refresh(&mut b).await;
    let later = transactions(&b).await;
    assert!(later.iter().any(|t| t.date == jan(27)));
    assert!(
        pending(&later).iter().all(|t| t.date >= jan(20)),
        "{:?}",
        pending(&later)
    );
    let was_pending: HashSet<_> = pending(&saturday).iter().map(|t| t.content()).collect();
    let mut settled = 0;
    for t in later.iter().filter(|t| was_pending.contains(&t.content())) {
        if t.status == "posted" {
            let waited = business_days(t.date, t.posted.expect("a posted date"));
            assert!((3..=5).contains(&waited), "{t:?} waited {waited}");
            settled += 1;
        }
    }
    assert_eq!(
        settled,
        was_pending.len(),
        "everything pending on Saturday posted"
    );
    let saturday_posted: HashSet<&str> = saturday
        .iter()
        .filter(|t| t.status == "posted")
        .map(|t| t.id.as_str())
        .collect();
    let after = balances(&b).await;
    for account in ["acc001", "acc002"] {
        let moved: i64 = later
            .iter()
            .filter(|t| {
                t.account == account
                    && t.status == "posted"
                    && !saturday_posted.contains(t.id.as_str())
            })
            .map(|t| t.amount)
            .sum();
        assert_eq!(
            after[account].0 - on_saturday[account].0,
            moved,
            "{account}"
        );
    }
    assert_available_counts_pending(&later, &after);
}

/// The same refreshes at the same instants bring the same transactions, ids included; the
/// scenario can keep pending transactions pending, stop new days, or thin out purchases.
#[tokio::test]
async fn refreshes_are_deterministic_and_tunable() {
    async fn run(extra: &str) -> (Vec<Txn>, Vec<Txn>) {
        let mut b = Basiq::on(&scenario(extra), "u1").await;
        let start = transactions(&b).await;
        b.advance(10 * 86_400);
        refresh(&mut b).await;
        (start, transactions(&b).await)
    }
    let (_, one) = run("").await;
    let (_, two) = run("").await;
    assert_eq!(one, two);

    let (start, kept) = run("pending = { settle = false }\nactivity = { daily = false }").await;
    assert_eq!(kept.len(), start.len(), "no new days");
    let content = |l: &[Txn]| {
        let mut c: Vec<_> = pending(l).iter().map(|t| t.content()).collect();
        c.sort();
        c
    };
    assert_eq!(content(&kept), content(&start), "still pending");
    assert!(
        pending(&kept)
            .iter()
            .all(|t| pending(&start).iter().all(|s| s.id != t.id))
    );

    let (start, quiet) = run("activity = { rate = 0 }").await;
    let cards = |l: &[Txn]| {
        l.iter()
            .filter(|t| t.date > NaiveDate::from_ymd_opt(2026, 1, 15).expect("a date"))
            .filter(|t| t.account == "acc002" && t.amount < 0)
            .count()
    };
    assert_eq!(cards(&quiet), 0, "no card purchases at rate 0");
    assert!(quiet.len() > start.len(), "bills and salary still come");
    assert!(cards(&one) > 0);
}

/// Scenario checks on the knobs.
#[tokio::test]
async fn refresh_knobs_are_checked() {
    let text = scenario("pending = { minDays = 6, maxDays = 40 }\nactivity = { rate = 101 }");
    let problems = match sandbank::scenario::parse("t.toml", &text) {
        Ok(_) => panic!("accepted"),
        Err(e) => e.to_string(),
    };
    for wanted in [
        "basiq.pending.maxDays: at most 30 business days",
        "basiq.activity.rate: a percentage, 0 to 100",
    ] {
        assert!(problems.contains(wanted), "{problems}");
    }
}
