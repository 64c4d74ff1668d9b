//! Investment data behind an investment account: holdings whose values add up to the
//! account's balance, and the trades, dividends and deposit that led there, generated from
//! the seed so every run sees the same portfolio.
//!
//! The account's balance is split into a cash position and two to four securities; each
//! security was bought once, funds and stocks pay quarterly dividends, and an opening deposit
//! makes the running `cashBalance` start at zero and end at the cash position.

use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use rand::seq::SliceRandom;

use super::model::{Account, FinancialAccount, Holding, InvestmentTransaction};
use crate::ids::{base58_id, rng_for};
use crate::value::{Money, Timestamp};

/// A listed security: symbol, name, holding type, price in cents, CUSIP, ISIN.
struct Security {
    symbol: &'static str,
    name: &'static str,
    kind: &'static str,
    price: i64,
    cusip: Option<&'static str>,
    isin: Option<&'static str>,
}

const SECURITIES: &[Security] = &[
    Security {
        symbol: "VTI",
        name: "Vanguard Total Stock Market ETF",
        kind: "ETF",
        price: 28_450,
        cusip: Some("922908769"),
        isin: Some("US9229087690"),
    },
    Security {
        symbol: "VFIAX",
        name: "Vanguard 500 Index Fund Admiral Shares",
        kind: "MUTUALFUND",
        price: 52_310,
        cusip: Some("922908710"),
        isin: Some("US9229087104"),
    },
    Security {
        symbol: "BND",
        name: "Vanguard Total Bond Market ETF",
        kind: "ETF",
        price: 7_250,
        cusip: Some("921937835"),
        isin: Some("US9219378356"),
    },
    Security {
        symbol: "AAPL",
        name: "Apple Inc.",
        kind: "STOCK",
        price: 22_980,
        cusip: Some("037833100"),
        isin: Some("US0378331005"),
    },
    Security {
        symbol: "MSFT",
        name: "Microsoft Corporation",
        kind: "STOCK",
        price: 41_520,
        cusip: Some("594918104"),
        isin: Some("US5949181045"),
    },
    Security {
        symbol: "SPY",
        name: "SPDR S&P 500 ETF Trust",
        kind: "ETF",
        price: 57_190,
        cusip: Some("78462F103"),
        isin: Some("US78462F1030"),
    },
    Security {
        symbol: "BTC",
        name: "Bitcoin",
        kind: "DIGITALASSET",
        price: 6_512_000,
        cusip: None,
        isin: None,
    },
];

/// Thousandths in one unit of quantity.
pub const QUANTITY_SCALE: i64 = 1000;

/// Products that make a connection aggregate investment data.
pub const PRODUCTS: &[&str] = &["INVESTMENT_HOLDINGS", "INVESTMENT_TRANSACTIONS"];

/// Gives investment account `fa_id` its portfolio unless it has one; returns how many
/// investment transactions were added.
pub fn attach(account: &mut Account, seed: u64, fa_id: &str, at: DateTime<Utc>) -> usize {
    if account
        .holdings
        .iter()
        .any(|h| h.financial_account_id == fa_id)
    {
        return 0;
    }
    let Some(fa) = account
        .financial_accounts
        .iter()
        .find(|f| f.id == fa_id && f.kind == "INVESTMENT")
    else {
        return 0;
    };
    let (holdings, transactions) = generate(seed, fa, at);
    let added = transactions.len();
    account.holdings.extend(holdings);
    account.investment_transactions.extend(transactions);
    added
}

/// Generates the holdings and investment transactions of `fa`, valued at `at`.
pub fn generate(
    seed: u64,
    fa: &FinancialAccount,
    at: DateTime<Utc>,
) -> (Vec<Holding>, Vec<InvestmentTransaction>) {
    let mut rng = rng_for(seed, &format!("meld portfolio {}", fa.id));
    let balance = fa.balances.current_amount.0.max(0);
    let currency = fa.balances.currency.clone();
    let updated_at = Timestamp::seconds(at);
    let mut picks: Vec<&Security> = SECURITIES
        .iter()
        .filter(|s| s.kind != "DIGITALASSET" || fa.subtype == "BROKERAGE")
        .collect();
    picks.shuffle(&mut rng);
    picks.truncate(rng.random_range(2..=4));
    let cash_target = balance * rng.random_range(2..=10) / 100;
    let weights: Vec<i64> = picks.iter().map(|_| rng.random_range(1..=10)).collect();
    let total_weight: i64 = weights.iter().sum();
    let holding = |rng: &mut rand_chacha::ChaCha8Rng, s: Option<&Security>, quantity: i64| {
        let price = s.map_or(100, |s| s.price);
        let value = quantity * price / QUANTITY_SCALE;
        Holding {
            id: base58_id(rng),
            financial_account_id: fa.id.clone(),
            customer_id: fa.customer_id.clone(),
            connection_ids: fa.connection_ids.clone(),
            kind: s.map_or("CASH", |s| s.kind).to_owned(),
            symbol: s.map(|s| s.symbol.to_owned()),
            description: s.map_or("U S Dollar", |s| s.name).to_owned(),
            quantity,
            close_price: Money(price),
            current_value: Some(Money(value)),
            cost_basis: Some(Money(match s {
                Some(_) => value * rng.random_range(70..=110) / 100,
                None => value,
            })),
            currency: currency.clone(),
            cusip: s.and_then(|s| s.cusip.map(str::to_owned)),
            isin: s.and_then(|s| s.isin.map(str::to_owned)),
            updated_at,
        }
    };
    let mut holdings = Vec::new();
    for (s, w) in picks.iter().zip(&weights) {
        let target = (balance - cash_target) * w / total_weight;
        let quantity = target * QUANTITY_SCALE / s.price;
        if quantity > 0 {
            holdings.push(holding(&mut rng, Some(s), quantity));
        }
    }
    let invested: i64 = holdings
        .iter()
        .filter_map(|h| h.current_value.map(|v| v.0))
        .sum();
    let cash = balance - invested;
    holdings.push(holding(&mut rng, None, cash * QUANTITY_SCALE / 100));
    let transactions = history(&mut rng, fa, &holdings, cash, at);
    (holdings, transactions)
}

/// The trades behind `holdings`, oldest first, with a running cash balance that ends at `cash`.
fn history(
    rng: &mut impl Rng,
    fa: &FinancialAccount,
    holdings: &[Holding],
    cash: i64,
    at: DateTime<Utc>,
) -> Vec<InvestmentTransaction> {
    // Trades are dated, not timed: midnight UTC of the day.
    let day = |days_ago: i64| {
        (at - Duration::days(days_ago))
            .date_naive()
            .and_time(chrono::NaiveTime::MIN)
            .and_utc()
    };
    let entry = |date: DateTime<Utc>, kind: &str, description: String, symbol: Option<String>| {
        InvestmentTransaction {
            id: String::new(),
            financial_account_id: fa.id.clone(),
            customer_id: fa.customer_id.clone(),
            connection_ids: fa.connection_ids.clone(),
            kind: kind.to_owned(),
            status: "POSTED".to_owned(),
            amount: Money(0),
            currency: fa.balances.currency.clone(),
            description,
            symbol,
            quantity: 0,
            cost_basis: None,
            cash_balance: None,
            transaction_date: Timestamp::seconds(date),
            posted_date: None,
        }
    };
    let mut entries = Vec::new();
    for h in holdings.iter().filter(|h| h.symbol.is_some()) {
        let bought = rng.random_range(300..600);
        let symbol = h.symbol.clone().unwrap_or_default();
        entries.push(InvestmentTransaction {
            amount: h.cost_basis.unwrap_or(Money(0)),
            quantity: h.quantity,
            cost_basis: h.cost_basis,
            ..entry(
                day(bought),
                "BUY",
                format!("BUY {symbol}"),
                h.symbol.clone(),
            )
        });
        if h.kind == "DIGITALASSET" {
            continue;
        }
        let dividend = h.current_value.map_or(0, |v| v.0) * rng.random_range(3..=6) / 1000;
        let mut paid = bought - 90;
        while paid > 0 && dividend > 0 {
            entries.push(InvestmentTransaction {
                amount: Money(-dividend),
                ..entry(
                    day(paid),
                    "CASH",
                    format!("DIVIDEND {symbol}"),
                    h.symbol.clone(),
                )
            });
            paid -= 91;
        }
    }
    // The opening deposit funds every purchase; dividends add to the cash.
    let spent: i64 = entries.iter().map(|e| e.amount.0).sum();
    entries.push(InvestmentTransaction {
        amount: Money(-(cash + spent).max(0)),
        ..entry(
            day(rng.random_range(610..700)),
            "TRANSFER",
            "DEPOSIT".to_owned(),
            None,
        )
    });
    entries.sort_by_key(|e| e.transaction_date.at);
    let mut running = 0;
    for e in entries.iter_mut() {
        running -= e.amount.0;
        let date = e.transaction_date.at;
        let pending = at - date < Duration::days(3);
        e.id = base58_id(rng);
        e.cash_balance = Some(Money(running));
        if pending {
            e.status = "PENDING".to_owned();
        } else {
            e.posted_date = Some(Timestamp::seconds(date + Duration::days(1)));
        }
    }
    entries
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meld::model::Balances;

    fn account(balance: i64) -> FinancialAccount {
        let at = Timestamp::seconds(DateTime::<Utc>::UNIX_EPOCH);
        FinancialAccount {
            id: "WQ4tBpyyBoHiaFaezfTe4A".to_owned(),
            customer_id: "c".to_owned(),
            connection_ids: vec!["x".to_owned()],
            institution_id: None,
            institution_name: None,
            status: "ACTIVE".to_owned(),
            kind: "INVESTMENT".to_owned(),
            subtype: "BROKERAGE".to_owned(),
            name: "Brokerage".to_owned(),
            truncated_account_number: "1010".to_owned(),
            balances: Balances {
                currency: "USD".to_owned(),
                current_amount: Money(balance),
                available_amount: None,
                updated_at: at,
            },
            created_at: at,
            owner: None,
        }
    }

    #[test]
    fn holdings_add_up_to_the_balance_and_cash_runs_to_the_cash_position() {
        for seed in 0..20 {
            let fa = account(10_000_000 + seed as i64 * 12_345);
            let now = DateTime::<Utc>::UNIX_EPOCH + Duration::days(3000);
            let (holdings, txns) = generate(seed, &fa, now);
            let total: i64 = holdings
                .iter()
                .filter_map(|h| h.current_value)
                .map(|v| v.0)
                .sum();
            assert_eq!(total, fa.balances.current_amount.0, "seed {seed}");
            let cash = holdings
                .iter()
                .find(|h| h.kind == "CASH")
                .map(|h| h.current_value);
            assert_eq!(cash.flatten(), txns.last().and_then(|t| t.cash_balance));
            assert!(
                txns.windows(2)
                    .all(|w| w[0].transaction_date.at <= w[1].transaction_date.at)
            );
            assert_eq!(txns.first().map(|t| t.kind.as_str()), Some("TRANSFER"));
            for h in holdings.iter().filter(|h| h.kind != "CASH") {
                let bought = txns
                    .iter()
                    .find(|t| t.kind == "BUY" && t.symbol == h.symbol);
                assert_eq!(bought.map(|t| t.quantity), Some(h.quantity));
            }
        }
    }
}
