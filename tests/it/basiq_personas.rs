//! The sandbox personas' financial profiles over their two years of history, as Basiq's
//! testing page describes them: who pays them, how often, how it changes.

use chrono::{Datelike, NaiveDate, Weekday};
use serde_json::Value;

use crate::support::*;

/// One transaction of a persona, as the API sends it.
#[derive(Debug, Clone)]
struct Txn {
    account: String,
    description: String,
    amount: i64,
    date: NaiveDate,
    class: String,
    tags: Vec<String>,
    /// The running balance after it (posted ones).
    balance: Option<i64>,
}

/// Connects `login` for the default scenario's user; the server and the connection's id.
async fn connected(login: &str, password: &str) -> (Basiq, String) {
    let b = Basiq::start().await;
    let job = b.connect(login, password, "AU00000").await;
    b.advance(4);
    assert_eq!(
        statuses(&b.job(&job).await),
        ["success", "success", "success"]
    );
    let connection = b.connection_of(&job).await["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    (b, connection)
}

/// Every transaction of `connection`, oldest first.
async fn transactions(b: &Basiq, connection: &str) -> Vec<Txn> {
    let mut out = Vec::new();
    let mut path =
        format!("/users/ea3a81/transactions?limit=500&filter=connection.id.eq('{connection}')");
    loop {
        let page = b.get(&path).await.json();
        for t in page["data"].as_array().into_iter().flatten() {
            let date = t["transactionDate"].as_str().and_then(|s| s.get(..10));
            out.push(Txn {
                account: t["account"].as_str().unwrap_or_default().to_owned(),
                description: t["description"].as_str().unwrap_or_default().to_owned(),
                amount: cents(&t["amount"]),
                date: date
                    .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                    .expect("a transaction date"),
                class: t["class"].as_str().unwrap_or_default().to_owned(),
                balance: Some(cents(&t["balance"])).filter(|_| t["status"] == "posted"),
                tags: t["enrich"]["tags"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|tag| tag.as_str().map(str::to_owned))
                    .collect(),
            });
        }
        match page["links"]["next"].as_str() {
            Some(next) => path = next.replace("https://au-api.basiq.io", ""),
            None => break,
        }
    }
    out.sort_by_key(|t| t.date);
    out
}

/// Connects `login` and reads every transaction of the new connection, oldest first, with the
/// server clock's day.
async fn persona(login: &str, password: &str) -> (Vec<Txn>, NaiveDate) {
    let (b, connection) = connected(login, password).await;
    let today = b.server.engine().clock().now().date_naive();
    (transactions(&b, &connection).await, today)
}

/// The transactions whose description is `description`, oldest first.
fn named<'a>(txns: &'a [Txn], description: &str) -> Vec<&'a Txn> {
    txns.iter()
        .filter(|t| t.description == description)
        .collect()
}

fn gaps(txns: &[&Txn]) -> Vec<i64> {
    txns.windows(2)
        .map(|w| (w[1].date - w[0].date).num_days())
        .collect()
}

#[tokio::test]
async fn gavin_belson_earns_a_rising_monthly_salary_and_weekly_tutoring() {
    let (txns, _) = persona("gavinBelson", "hooli2016").await;
    let salary = named(&txns, "SALARY HOOLI");
    assert!(
        (23..=25).contains(&salary.len()),
        "{} salaries",
        salary.len()
    );
    assert!(salary.iter().all(|t| t.date.day() == 25));
    assert!(salary.windows(2).all(|w| w[0].amount <= w[1].amount));
    let (first, last) = (salary[0].amount, salary[salary.len() - 1].amount);
    assert!(
        last * 100 > first * 113,
        "{first} → {last}: no rise over two years"
    );
    assert!(salary.iter().all(|t| t.class == "direct-credit"));
    assert!(salary.iter().all(|t| t.tags == ["income:salary"]));

    let tutoring = named(&txns, "TUTORING PAYMENT");
    assert!((103..=105).contains(&tutoring.len()), "{}", tutoring.len());
    assert!(tutoring.iter().all(|t| t.date.weekday() == Weekday::Sun));
    assert!(gaps(&tutoring).iter().all(|g| *g == 7));
    let mut amounts: Vec<i64> = tutoring.iter().map(|t| t.amount).collect();
    assert!(amounts.iter().all(|a| (7_200..=28_800).contains(a)));
    amounts.sort_unstable();
    amounts.dedup();
    assert!(amounts.len() > 50, "tutoring income is not volatile");

    // The profile's income replaces the generated salary; the loan is repaid monthly.
    let salaries = txns
        .iter()
        .filter(|t| t.tags.contains(&"income:salary".to_owned()));
    assert!(salaries.clone().all(|t| t.description == "SALARY HOOLI"));
    let loan = named(&txns, "HOOLI PERSONAL LOAN REPAYMENT 000001002955");
    assert!(loan.len() >= 23 && loan.iter().all(|t| t.amount == -42_000));
}

#[tokio::test]
async fn gilfoyle_loses_his_salary_lives_on_benefits_and_owes_more_and_more() {
    let (txns, today) = persona("Gilfoyle", "PiedPiper").await;
    let salary = named(&txns, "SALARY PIED PIPER INC");
    assert!(salary.len() > 40, "{} salaries", salary.len());
    assert!(gaps(&salary).iter().all(|g| *g == 14));
    let last_pay = salary[salary.len() - 1].date;
    assert!((today - last_pay).num_days() >= 120, "paid on {last_pay}");

    let benefits = named(&txns, "CENTRELINK JOBSEEKER PAYMENT");
    assert!((7..=8).contains(&benefits.len()), "{}", benefits.len());
    assert!(
        benefits
            .iter()
            .all(|t| t.date > last_pay && t.amount == 76_270)
    );
    assert!(gaps(&benefits).iter().all(|g| *g == 14));
    assert!(
        benefits
            .iter()
            .all(|t| t.tags == ["governmentPayment:centrelink"])
    );

    let bnpl = named(&txns, "AFTERPAY");
    assert!(bnpl.len() > 20, "{}", bnpl.len());
    assert!(bnpl.windows(2).all(|w| w[1].amount <= w[0].amount));
    assert!(bnpl[bnpl.len() - 1].amount < bnpl[2].amount * 3);
    assert!(bnpl.iter().all(|t| t.tags == ["liability:afterpay"]));

    let everyday: Vec<(NaiveDate, i64)> = txns
        .iter()
        .filter(|t| t.account == salary[0].account)
        .filter_map(|t| Some((t.date, t.balance?)))
        .collect();
    // Level while paid, falling since.
    let at = |day: NaiveDate| {
        everyday
            .iter()
            .rev()
            .find(|(d, _)| *d <= day)
            .map_or(0, |(_, b)| *b)
    };
    let (now, stopped) = (at(today), at(last_pay));
    assert!(
        stopped > 3 * now,
        "{stopped} when the salary stopped, {now} now"
    );
    assert!(everyday.iter().all(|(_, b)| *b > 0));
    let fees = named(&txns, "LATE PAYMENT FEE");
    assert_eq!(fees.len(), 1);
    assert_eq!(
        (fees[0].amount, fees[0].class.as_str()),
        (-1_500, "bank-fee")
    );
    assert_ne!(fees[0].account, salary[0].account, "the fee is on the card");
}

#[tokio::test]
async fn wentworth_smith_has_two_salaries_and_pays_a_mortgage_and_a_car_loan() {
    let (txns, _) = persona("Wentworth-Smith", "whislter").await;
    let monthly = named(&txns, "SALARY MICR0SOFT AUSTRALIA");
    let fortnightly = named(&txns, "SALARY HOOLI PAUL WENTWORTH-SMITH");
    assert!((23..=25).contains(&monthly.len()), "{}", monthly.len());
    assert!(
        (51..=53).contains(&fortnightly.len()),
        "{}",
        fortnightly.len()
    );
    assert!(
        monthly
            .iter()
            .all(|t| t.amount == 785_000 && t.date.day() == 15)
    );
    assert!(fortnightly.iter().all(|t| t.amount == 264_000));
    assert!(gaps(&fortnightly).iter().all(|g| *g == 14));
    assert_eq!(monthly[0].account, fortnightly[0].account);

    let everyday: Vec<i64> = txns
        .iter()
        .filter(|t| t.account == monthly[0].account)
        .filter_map(|t| t.balance)
        .collect();
    assert!(
        everyday.iter().all(|b| (1_000_000..6_000_000).contains(b)),
        "what the salaries leave over goes to savings: the balance stays level"
    );
    let mortgage = named(&txns, "HOOLI HOME LOAN REPAYMENT 12345612345678");
    let car = named(&txns, "TOYOTA FINANCE CAR LOAN");
    assert!(mortgage.len() >= 23 && car.len() >= 23);
    assert!(mortgage.iter().all(|t| t.account == monthly[0].account));
    assert!(
        mortgage
            .iter()
            .all(|t| t.class == "loan-repayment" && t.tags == ["loan:loan repayment"])
    );
    // A mortgage holder pays no rent.
    assert!(
        !txns
            .iter()
            .any(|t| t.description.starts_with("RAY WHITE RENTAL"))
    );
}

#[tokio::test]
async fn whistler_gambles_pays_by_instalments_and_sends_jared_a_large_transfer() {
    let (txns, today) = persona("Whistler", "ShowBox").await;
    let transfer = named(&txns, "TRANSFER TO JARED DUNN");
    assert_eq!(transfer.len(), 1);
    assert_eq!(transfer[0].amount, -450_000);
    assert_eq!((today - transfer[0].date).num_days(), 40);
    let bets = named(&txns, "SPORTSBET");
    assert!(bets.len() > 100 && bets.iter().all(|t| t.date.weekday() == Weekday::Sat));
    assert!(bets.iter().all(|t| t.amount < 0));
    let salary = named(&txns, "SALARY PIED PIPER INC");
    assert!((51..=53).contains(&salary.len()), "{}", salary.len());
}

/// A refresh weeks later brings the profile's payments of the days since, on their calendar:
/// the salary on the 25th, risen, the tutoring on Sundays, and no generated salary.
#[tokio::test]
async fn a_refresh_brings_gavin_belsons_next_salary_and_tutoring() {
    let (mut b, connection) = connected("gavinBelson", "hooli2016").await;
    let before = transactions(&b, &connection).await;
    let last_salary = named(&before, "SALARY HOOLI")
        .last()
        .map(|t| (t.date, t.amount));
    let (paid, pay) = last_salary.expect("a salary");
    b.advance(35 * 86_400);
    b.new_server_token().await;
    let started = b
        .post(
            &b.server_auth,
            &format!("/users/ea3a81/connections/{connection}/refresh"),
            serde_json::json!({}),
        )
        .await;
    assert_eq!(started.status, 202, "{}", started.render());
    b.advance(4);
    let after = transactions(&b, &connection).await;
    let salaries = named(&after, "SALARY HOOLI");
    let new: Vec<_> = salaries.iter().filter(|t| t.date > paid).collect();
    assert!(!new.is_empty() && new.len() <= 2, "{new:?}");
    assert!(new.iter().all(|t| t.date.day() == 25 && t.amount >= pay));
    let tutoring = named(&after, "TUTORING PAYMENT");
    assert!(tutoring.len() >= named(&before, "TUTORING PAYMENT").len() + 4);
    assert!(tutoring.iter().all(|t| t.date.weekday() == Weekday::Sun));
    let generated_salary = after
        .iter()
        .any(|t| t.description.starts_with("SALARY ") && t.description != "SALARY HOOLI");
    assert!(!generated_salary);
}

/// Wentworth-Smith's accounts carry the balances Basiq's sandbox showed: the card's limit, and
/// the mortgage's amount lent with its redraw as `availableFunds`; pending purchases come off
/// what is available.
#[tokio::test]
async fn wentworth_smiths_card_and_mortgage_carry_their_limits() {
    let (b, connection) = connected("Wentworth-Smith", "whislter").await;
    let txns = transactions(&b, &connection).await;
    let accounts = b
        .get(&format!(
            "/users/ea3a81/accounts?filter=connection.id.eq('{connection}')"
        ))
        .await
        .json();
    let by_name = |name: &str| {
        accounts["data"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|a| a["name"] == name)
            .cloned()
            .unwrap_or_default()
    };
    for (name, balance, limit) in [
        ("Credit Card 13000", -608_150, 2_000_000),
        ("Mortgage 746833", -29_929_225, 40_000_000),
    ] {
        let account = by_name(name);
        assert_eq!(cents(&account["balance"]), balance, "{name}");
        assert_eq!(cents(&account["creditLimit"]), limit, "{name}");
        let id = account["id"].as_str().unwrap_or_default();
        let pending: i64 = txns
            .iter()
            .filter(|t| t.account == id && t.balance.is_none())
            .map(|t| t.amount)
            .sum();
        assert_eq!(
            cents(&account["availableFunds"]),
            limit + balance + pending,
            "{name}"
        );
    }
    assert_eq!(cents(&by_name("Transaction 14000")["balance"]), 3_407_600);
    assert_eq!(by_name("Savings 123890")["creditLimit"], Value::Null);
}

/// A recurring payment made by BPAY carries its biller and reference as `paymentDetails.bpay`;
/// other transactions have no `paymentDetails`.
#[tokio::test]
async fn a_bpay_payment_carries_its_payment_details() {
    let scenario = format!(
        r#"
version = 1
seed = 3
[basiq]
apiKeys = ["{BASIQ_KEY}"]
[[basiq.users]]
id = "u1"
email = "u1@example.com"
[[basiq.users.connections]]
id = "c1"
institution = "AU00000"
status = "active"
lastUsed = "2026-01-15T08:00:00Z"
[[basiq.users.connections.accounts]]
id = "a1"
class = {{ type = "transaction" }}
history = {{ days = 70 }}
[[basiq.users.connections.accounts.recurring]]
description = "BPAY TELSTRA"
kind = "transfer"
every = "month"
amount = "-89.00"
day = 10
bpay = {{ billerCode = "23796", billerName = "Telstra", crn = "3000123456" }}
"#
    );
    let b = Basiq::on(&scenario, "u1").await;
    let page = b.get("/users/u1/transactions?limit=500").await.json();
    let all = page["data"].as_array().cloned().unwrap_or_default();
    let bpay: Vec<_> = all
        .iter()
        .filter(|t| t["description"] == "BPAY TELSTRA")
        .collect();
    assert!(bpay.len() >= 2, "{}", bpay.len());
    for t in &bpay {
        assert_eq!(
            t["paymentDetails"],
            serde_json::json!({"bpay": {"billerCode": "23796", "billerName": "Telstra", "crn": "3000123456"}})
        );
    }
    assert!(
        all.iter()
            .filter(|t| t["description"] != "BPAY TELSTRA")
            .all(|t| t.get("paymentDetails").is_none())
    );
}
