//! What a refresh of a connection brings, on the server clock (Basiq's pending-transactions
//! page, API.md §8.2): every pending transaction of the connection is deleted and imported
//! afresh — with a new id, posted once it is due (3 to 5 business days after its transaction
//! date unless `[basiq.pending]` says otherwise) — and each day since the account's last
//! activity brings that day's salary, bills and card purchases (`[basiq.activity]`), card
//! purchases pending until they are due. Balances follow Basiq's rule: a pending transaction
//! moves `availableFunds` only, a posted one `balance` too. Everything is drawn from the seed,
//! the account and the day, so the same refreshes at the same instants bring the same data.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rand::Rng;

use super::build::{basiq_flavor, generated, locality, owner_of};
use super::model::{Account, Application, Transaction, TxnId};
use crate::clock::business_days_after;
use crate::generate::fill::midnight;
use crate::generate::history::{self, Anchors, Flavor, Kind, Plan};
use crate::generate::{self, places};
use crate::ids::{rng_for, uuid_v4_bytes};
use crate::value::Money;

/// The most days of activity one refresh brings (older days are skipped).
pub const MAX_DAYS: i64 = 31;

/// A user holding this many transactions gains no more activity from refreshes (re-imports
/// still happen), so repeated refreshes cannot grow a world without bound.
pub const MAX_USER_TRANSACTIONS: usize = 200_000;

/// How refreshes change transactions (see `BasiqPendingSpec`, `BasiqActivitySpec`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    /// Whether pending transactions post once due.
    pub settle: bool,
    /// Business days after the transaction date before a pending one is due, at least and at
    /// most.
    pub min_days: u32,
    pub max_days: u32,
    /// Whether the days since the last activity bring new transactions.
    pub daily: bool,
    /// Percent of a usual day's card purchases each day brings.
    pub rate: u32,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            settle: true,
            min_days: 3,
            max_days: 5,
            daily: true,
            rate: 100,
        }
    }
}

/// A transaction a refresh imports, and whether it is new to the account (not a pending one
/// imported again).
struct Import {
    txn: Transaction,
    new: bool,
}

/// Re-imports the connection's pending transactions and brings each account's new days, at
/// `at`; returns how many transactions were imported (0: nothing changed).
pub fn refresh(
    app: &mut Application,
    seed: u64,
    at: DateTime<Utc>,
    user_id: &str,
    connection_id: &str,
) -> usize {
    let rules = app.refresh;
    let Some(user) = app.user_mut(user_id) else {
        return 0;
    };
    let locality = user
        .connection(connection_id)
        .map(|c| locality(&c.profile))
        .unwrap_or_default();
    let stamp = at.timestamp_micros();
    // Imports arrive after everything the user held, the re-imported ones included.
    let first = user.transactions.last().map_or(0, |t| t.seq + 1);
    let mut imports = Vec::new();
    let all = std::mem::take(&mut user.transactions);
    user.transactions.reserve(all.len());
    for mut txn in all {
        if txn.status() != "pending" || txn.connection() != connection_id {
            user.transactions.push(txn);
            continue;
        }
        let label = format!("basiq reimport {} {stamp}", txn.id);
        txn.id = TxnId::Uuid(uuid_v4_bytes(&mut rng_for(seed, &label)));
        if rules.settle
            && let Some(due) = due(seed, &rules, &txn)
            && due <= at
        {
            post(&mut txn, due);
        }
        imports.push(Import { txn, new: false });
    }
    if rules.daily && user.transactions.len() < MAX_USER_TRANSACTIONS {
        for account in user
            .accounts
            .iter_mut()
            .filter(|a| a.connection == connection_id)
        {
            let Some(through) = account.activity_through else {
                continue;
            };
            let today = at.date_naive();
            if through >= today {
                continue;
            }
            let from = (through + Duration::days(1)).max(today - Duration::days(MAX_DAYS - 1));
            let calendar = calendar(seed, account, &user.transactions);
            let days = from.iter_days().take_while(|d| *d <= today);
            for day in days {
                for txn in activity(seed, &rules, account, &calendar, &locality, day, at) {
                    imports.push(Import { txn, new: true });
                }
            }
            account.activity_through = Some(today);
        }
    }
    imports.sort_by_key(|i| i.txn.post_date().or(i.txn.transaction_date()).map(|d| d.at));
    let count = imports.len();
    for (seq, Import { mut txn, new }) in (first..).zip(imports) {
        if let Some(account) = user.accounts.iter_mut().find(|a| *a.id == *txn.account()) {
            book(account, &mut txn, new);
        }
        txn.seq = seq;
        user.transactions.push(txn);
    }
    count
}

/// When a pending transaction is due to post: a seeded number of business days after its
/// transaction date, the same for every import of it.
fn due(seed: u64, rules: &Rules, txn: &Transaction) -> Option<DateTime<Utc>> {
    let date = txn.transaction_date()?.at;
    let label = format!(
        "basiq pending {} {} {} {}",
        txn.account(),
        date.timestamp(),
        txn.amount.0,
        txn.description()
    );
    let (low, high) = (rules.min_days, rules.max_days.max(rules.min_days));
    let days = rng_for(seed, &label).random_range(low..=high);
    business_days_after(date, days)
}

/// Marks a transaction posted on the day it was due.
fn post(txn: &mut Transaction, due: DateTime<Utc>) {
    txn.set_status("posted");
    txn.set_post_date(Some(midnight(due.date_naive())));
}

/// Moves the account's balances by what `txn` brings and gives a posted one its running
/// balance: a new pending transaction moves `availableFunds`; a posted one moves `balance`, and
/// `availableFunds` too unless it was already counted there while pending. Personal loans keep
/// their available funds (none); a mortgage's redraw follows what it owes.
fn book(account: &mut Account, txn: &mut Transaction, new: bool) {
    let amount = txn.amount.0;
    let moves_available = new
        && (basiq_flavor(&account.class_type) != Flavor::Loan || account.class_type == "mortgage");
    if moves_available && let Some(f) = account.available_funds.as_mut() {
        f.0 = f.0.saturating_add(amount);
    }
    if txn.status() == "posted"
        && let Some(b) = account.balance.as_mut()
    {
        b.0 = b.0.saturating_add(amount);
        txn.set_balance(Some(*b));
    }
}

/// The account's calendar: its rent, bill and subscription days from the seed, and its pay day
/// and salary from its latest salary, if it was ever paid. Also who pays it.
struct Calendar {
    anchors: Anchors,
    employer: String,
}

fn calendar(seed: u64, account: &Account, transactions: &[Transaction]) -> Calendar {
    let mut rng = rng_for(seed, &format!("basiq activity {}", account.id));
    let mut anchors = Anchors::random(&mut rng);
    let salary = transactions
        .iter()
        .filter(|t| *t.account() == *account.id && t.tags().contains(&"income:salary"))
        .filter_map(|t| Some((t.transaction_date()?.at.date_naive(), t)))
        .max_by_key(|(date, t)| (*date, t.seq));
    let employer = match salary {
        Some((date, t)) => {
            anchors.pay = Some((date, t.amount));
            let description = t.description();
            let name = description.strip_prefix("SALARY ").unwrap_or(&description);
            name.to_owned()
        }
        None => generate::company(&mut rng),
    };
    Calendar { anchors, employer }
}

/// Whether a transaction of this kind is a card purchase: pending until it posts. Salaries,
/// bills paid by direct debit, transfers, fees and interest post on their day.
fn by_card(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Groceries | Kind::Dining | Kind::Transport | Kind::Shopping | Kind::Health
    )
}

/// The transactions `day` brings to the account, as of `at`.
fn activity(
    seed: u64,
    rules: &Rules,
    account: &Account,
    calendar: &Calendar,
    locality: &str,
    day: NaiveDate,
    at: DateTime<Utc>,
) -> Vec<Transaction> {
    let mut rng = rng_for(seed, &format!("basiq activity {} {day}", account.id));
    let flavor = basiq_flavor(&account.class_type);
    let plan = Plan {
        flavor,
        days: 1,
        end: day,
        end_balance: account.balance.unwrap_or_default(),
        merchants: &places::AU_MERCHANTS,
        employer: &calendar.employer,
        locality,
        recurring: &account.recurring,
    };
    let owner = owner_of(account, locality);
    let owed = account.balance.map_or(0, |b| (-b.0).max(0));
    let mut out = Vec::new();
    for mut e in history::day(&mut rng, &plan, &calendar.anchors, day) {
        if by_card(e.kind) && rng.random_range(0..100u32) >= rules.rate {
            continue;
        }
        // A card's monthly payment clears what it owes; a loan repayment never overpays.
        if e.amount.0 > 0 && matches!(flavor, Flavor::Credit | Flavor::Loan) {
            let paid = match flavor {
                Flavor::Credit => owed,
                _ => e.amount.0.min(owed),
            };
            if paid == 0 {
                continue;
            }
            e.amount = Money(paid);
        }
        let card = by_card(e.kind);
        let mut txn = generated(e, TxnId::Uuid(uuid_v4_bytes(&mut rng)), &owner);
        if card {
            txn.set_status("pending");
            txn.set_post_date(None);
            if rules.settle
                && let Some(due) = due(seed, rules, &txn)
                && due <= at
            {
                post(&mut txn, due);
            }
        }
        out.push(txn);
    }
    out
}
