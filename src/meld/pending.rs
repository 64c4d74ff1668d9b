//! What becomes of transactions at a connection's aggregations after they appear: each pending
//! one is due a seeded number of business days after its transaction date (1 to 5 unless the
//! scenario's `[meld.pending]` says otherwise); at the first aggregation after that it posts
//! (`POSTED`, `postedDate` the day it was due) or, for a seeded few, expires (`EXPIRED`, its
//! amount given back to the balances, which counted it while it was pending). And what keeps a
//! refreshed account's balance from drifting without bound: a deposit account that falls low
//! is paid, a card or loan that runs up is paid down.

use chrono::{DateTime, Utc};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::model::{Account, FinancialAccount};
use crate::clock::business_days_after;
use crate::ids::rng_for;
use crate::value::{Money, Timestamp};

/// What settled on one account at an aggregation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settled {
    /// Pending transactions that posted.
    pub posted: usize,
    /// Ids of pending transactions that expired.
    pub expired: Vec<String>,
}

/// Whether money owed grows with a positive amount (cards and loans) rather than the balance
/// shrinking.
pub fn owed(fa: &FinancialAccount) -> bool {
    matches!(fa.kind.as_str(), "CREDIT" | "LOAN")
}

/// How a transaction of `amount` (positive: money out) moves the account's balances: less
/// money, or more owed.
pub fn movement(fa: &FinancialAccount, amount: Money) -> i64 {
    if owed(fa) { amount.0 } else { -amount.0 }
}

/// Moves the current and available balances by a transaction of `amount`.
pub fn book(fa: &mut FinancialAccount, amount: Money) {
    let moved = movement(fa, amount);
    fa.balances.current_amount = Money(fa.balances.current_amount.0.saturating_add(moved));
    if let Some(a) = fa.balances.available_amount.as_mut() {
        a.0 = a.0.saturating_add(moved);
    }
}

/// Settles the pending transactions of `accounts` that are due by `at`; one entry per account,
/// in the order given.
pub fn settle(
    account: &mut Account,
    seed: u64,
    at: DateTime<Utc>,
    accounts: &[String],
) -> Vec<Settled> {
    let mut out = vec![Settled::default(); accounts.len()];
    let rules = account.rules.pending;
    if !rules.settle {
        return out;
    }
    let (low, high) = (rules.min_days, rules.max_days.max(rules.min_days));
    let mut given_back = vec![0i64; accounts.len()];
    for t in account
        .transactions
        .iter_mut()
        .filter(|t| t.status == "PENDING")
    {
        let Some(i) = accounts.iter().position(|a| *a == t.financial_account_id) else {
            continue;
        };
        let mut rng = rng_for(seed, &format!("meld pending {}", t.id));
        let days = rng.random_range(low..=high);
        let Some(due) = business_days_after(t.transaction_date.at, days) else {
            continue;
        };
        if due > at {
            continue;
        }
        if rng.random_range(0..100u32) < rules.expire_percent {
            t.status = "EXPIRED".to_owned();
            out[i].expired.push(t.id.clone());
            given_back[i] += t.amount.0;
        } else {
            t.status = "POSTED".to_owned();
            t.posted_date = Some(Timestamp::seconds(due));
            out[i].posted += 1;
        }
    }
    for (id, amount) in accounts.iter().zip(given_back) {
        if amount == 0 {
            continue;
        }
        if let Some(fa) = account.financial_accounts.iter_mut().find(|f| f.id == *id) {
            // Given back: booked as the opposite transaction.
            book(fa, Money(-amount));
        }
    }
    out
}

/// A deposit account below this ($500, in cents) is paid at its next aggregation.
const LOW_BALANCE: i64 = 50_000;
/// A card or loan owing more than this ($2,000, in cents) is paid down at its next aggregation.
const HIGH_OWED: i64 = 200_000;

/// The credit that brings `fa` back into its usual range, if it has left it: a payroll deposit
/// of $1,500–$3,000 into a deposit account under $500, or a payment of what a card owes over
/// $2,000 (loans are repaid by their own entries). Its description, category and amount (negative: money in).
pub fn top_up(
    fa: &FinancialAccount,
    rng: &mut ChaCha8Rng,
) -> Option<(&'static str, &'static str, Money)> {
    let current = fa.balances.current_amount.0;
    if fa.kind == "LOAN" {
        None
    } else if owed(fa) {
        (current > HIGH_OWED).then(|| ("PAYMENT - THANK YOU", "TRANSFER", Money(-current)))
    } else {
        (current < LOW_BALANCE).then(|| {
            let pay = rng.random_range(150_000..=300_000);
            ("PAYROLL DIRECT DEPOSIT", "INCOME", Money(-pay))
        })
    }
}
