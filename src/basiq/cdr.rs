//! What open-banking (CDR) accounts carry beyond a web connection's: the unmasked BSB and
//! number, the masked number, the creation date and current rates, and `meta` with the
//! product's fees, rates, features and, for cards and loans, what is due — derived from the
//! account's class, balances and dates when it is written.

use chrono::{Datelike, Months, NaiveDate};
use serde::Serialize;
use serde_json::{Value, json};

use super::model::Account;
use crate::value::Money;

/// The CDR fields of one account, flattened into its body.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Cdr {
    #[serde(skip_serializing_if = "Option::is_none")]
    bsb: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    unmasked_acc_num: Option<String>,
    masked_number: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    creation_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    deposit_rate: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lending_rate: Option<&'static str>,
    meta: Value,
}

/// The rates a Hooli product pays or charges, as CDR writes them (a fraction, not a percent).
fn rates(class: &str) -> (Option<&'static str>, Option<&'static str>) {
    match class {
        "savings" => (Some("0.0450"), None),
        "term-deposit" => (Some("0.0425"), None),
        "credit-card" => (None, Some("0.2074")),
        "mortgage" => (None, Some("0.0629")),
        "loan" => (None, Some("0.0949")),
        _ => (None, None),
    }
}

fn day(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// `amount` × `per_10k` / 10,000, rounded to the cent (a repayment from a rate).
fn share(amount: i64, per_10k: i64) -> Money {
    Money(amount.saturating_mul(per_10k) / 10_000)
}

/// An account number masked as CDR masks it: all but the last four digits replaced, a card
/// number in groups of four.
fn masked(number: &str, card: bool) -> String {
    let digits: Vec<char> = number.chars().collect();
    let keep = digits.len().saturating_sub(4);
    let tail: String = digits[keep..].iter().collect();
    if card {
        format!("xxxx xxxx xxxx {tail}")
    } else {
        format!("{}{tail}", "x".repeat(keep))
    }
}

/// The CDR fields of `a`.
pub fn of(a: &Account) -> Cdr {
    let class = a.class_type.as_str();
    let card = class == "credit-card";
    // A deposit account's number is its six-digit BSB and the account number.
    let deposit = matches!(class, "transaction" | "savings" | "term-deposit");
    let split = deposit && a.account_no.len() > 6 && a.account_no.is_ascii();
    let (bsb, number) = if split {
        let (b, n) = a.account_no.split_at(6);
        (Some(b.to_owned()), n.to_owned())
    } else {
        (None, a.account_no.clone())
    };
    let (deposit_rate, lending_rate) = rates(class);
    let today = a.last_updated.at.date_naive();
    let opened = a.history_from.unwrap_or(today);
    let owed = a.balance.map_or(0, |b| b.0.saturating_neg().max(0));
    let mut meta = json!({
        "fees": fees(class),
        "depositRates": deposit_rate.map_or_else(Vec::new, |rate| vec![json!({
            "depositRateType": "VARIABLE",
            "rate": rate,
            "calculationFrequency": "P1D",
            "applicationFrequency": "P1M",
        })]),
        "lendingRates": lending_rate.map_or_else(Vec::new, |rate| vec![json!({
            "lendingRateType": if card { "PURCHASE" } else { "VARIABLE" },
            "rate": rate,
            "calculationFrequency": "P1D",
            "applicationFrequency": "P1M",
            "interestPaymentDue": "IN_ARREARS",
        })]),
        "features": features(class),
    });
    let next_month = today
        .checked_add_months(Months::new(1))
        .and_then(|d| d.with_day(1))
        .unwrap_or(today);
    match class {
        "credit-card" => {
            let minimum = if owed == 0 {
                Money(0)
            } else {
                Money(share(owed, 200).0.max(2_500).min(owed))
            };
            meta["creditCard"] = json!({
                "minPaymentAmount": minimum.to_string(),
                "paymentDueAmount": Money(owed).to_string(),
                "paymentCurrency": a.currency,
                "paymentDueDate": day(today + chrono::Duration::days(25)),
            });
        }
        "mortgage" | "loan" => {
            let mortgage = class == "mortgage";
            let lent = a.credit_limit.map_or(owed, |l| l.0);
            let years = if mortgage { 30 } else { 5 };
            let redraw = if mortgage {
                a.available_funds.unwrap_or_default()
            } else {
                Money(0)
            };
            meta["loan"] = json!({
                "startDate": day(opened),
                "endDate": day(opened.checked_add_months(Months::new(12 * years)).unwrap_or(opened)),
                "repaymentType": "PRINCIPAL_AND_INTEREST",
                "originalLoanAmount": Money(lent).to_string(),
                "originalLoanCurrency": a.currency,
                "nextInstalmentDate": day(next_month),
                "minInstalmentAmount": share(lent, if mortgage { 62 } else { 210 }).to_string(),
                "minInstalmentCurrency": a.currency,
                "maxRedraw": redraw.to_string(),
                "maxRedrawCurrency": a.currency,
                "repaymentFrequency": "P1M",
                "offsetAccountEnabled": false,
                "offsetAccountIds": [],
            });
        }
        "term-deposit" => {
            let matures = opened.checked_add_months(Months::new(12)).unwrap_or(opened);
            meta["termDeposit"] = json!([{
                "lodgementDate": day(opened),
                "maturityDate": day(matures),
                "maturityCurrency": a.currency,
                "maturityInstructions": "ROLLED_OVER",
            }]);
        }
        _ => {}
    }
    Cdr {
        bsb,
        unmasked_acc_num: (!card).then(|| number.clone()),
        masked_number: masked(&number, card),
        creation_date: Some(day(opened)),
        deposit_rate,
        lending_rate,
        meta,
    }
}

fn fees(class: &str) -> Value {
    match class {
        "transaction" => json!([{
            "name": "Monthly account fee",
            "feeType": "PERIODIC",
            "amount": "5.00",
            "accrualFrequency": "P1M",
            "currency": "AUD",
        }]),
        "credit-card" => json!([
            {"name": "Annual fee", "feeType": "PERIODIC", "amount": "99.00", "accrualFrequency": "P1Y", "currency": "AUD"},
            {"name": "Late payment fee", "feeType": "EVENT", "amount": "15.00", "currency": "AUD"},
        ]),
        "mortgage" => json!([{
            "name": "Annual package fee",
            "feeType": "PERIODIC",
            "amount": "395.00",
            "accrualFrequency": "P1Y",
            "currency": "AUD",
        }]),
        _ => json!([]),
    }
}

fn features(class: &str) -> Value {
    let types: &[&str] = match class {
        "transaction" => &["CARD_ACCESS", "DIGITAL_WALLET", "NPP_ENABLED", "NPP_PAYID"],
        "savings" => &["NPP_ENABLED", "DIGITAL_BANKING"],
        "credit-card" => &["DIGITAL_WALLET", "FRAUD_PROTECTION", "INTEREST_FREE"],
        "mortgage" => &["REDRAW", "EXTRA_REPAYMENTS"],
        "loan" => &["EXTRA_REPAYMENTS"],
        _ => &[],
    };
    Value::Array(
        types
            .iter()
            .map(|t| match *t {
                "INTEREST_FREE" => json!({"featureType": t, "additionalValue": "P55D"}),
                _ => json!({"featureType": t}),
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_masked_as_cdr_masks_them() {
        assert_eq!(masked("062000123456", false), "xxxxxxxx3456");
        assert_eq!(masked("4622000012345678", true), "xxxx xxxx xxxx 5678");
        assert_eq!(masked("12", false), "12");
    }
}
