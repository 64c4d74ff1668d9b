//! The connection lifecycle (§8 of the digest) as state changes on a Meld [`Account`]:
//! status changes with their webhook events, widget completion (first connect and repair),
//! aggregation finishing on the server clock, duplicates, and deletion.
//!
//! Every function here is a pure step on the account at a given instant; handlers and the
//! world's settling call them, so the same rules apply whether a request, a scenario
//! transition or the clock drives the change.

use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use serde_json::Map;

use super::events::{self, AccountNote};
use super::model::{
    Account, Aggregation, AggregationKind, Customer, FinancialAccount, Transaction,
};
use super::{pending, portfolio, sandbox};
use crate::ids::{base58_id, rng_for};
use crate::value::{Money, Timestamp};

/// Statuses after which nothing happens to a connection any more.
pub fn is_final(status: &str) -> bool {
    matches!(status, "DELETED" | "EXPIRED")
}

/// Sets a connection's status and reason; announces a change with
/// `BANK_LINKING_CONNECTION_STATUS_CHANGE`. Returns whether anything changed.
pub fn set_status(
    account: &mut Account,
    seed: u64,
    at: DateTime<Utc>,
    id: &str,
    status: &str,
    reason: Option<&str>,
) -> bool {
    let Some(c) = account.connection_mut(id) else {
        return false;
    };
    if c.status == status && c.status_reason.as_deref() == reason {
        return false;
    }
    let old = std::mem::replace(&mut c.status, status.to_owned());
    let old_reason = std::mem::replace(&mut c.status_reason, reason.map(str::to_owned));
    if is_final(status) {
        c.open_tokens.clear();
        account.pending.retain(|p| p.connection_id != id);
    }
    events::status_change(account, seed, at, id, &old, old_reason.as_deref());
    true
}

/// The customer with this external id, created (with only that id) when there is none.
pub fn customer_for(
    account: &mut Account,
    external: &str,
    at: DateTime<Utc>,
    new_id: impl FnOnce() -> String,
) -> String {
    if let Some(c) = account.customers.iter().find(|c| c.external_id == external) {
        return c.id.clone();
    }
    let id = new_id();
    account
        .customers
        .push(Customer::new(id.clone(), external.to_owned(), at));
    id
}

/// Where a completed widget leads.
pub struct Completion<'a> {
    pub institution_id: &'a str,
    pub institution_name: &'a str,
    pub service_provider: &'a str,
    pub login: &'a str,
}

/// The customer finished the widget (connect or repair): the connection becomes `ACTIVE`,
/// `COMPLETED` and `STATUS_CHANGE` are sent, and aggregation starts.
pub fn complete(account: &mut Account, seed: u64, at: DateTime<Utc>, id: &str, done: Completion) {
    let Some(c) = account.connection_mut(id) else {
        return;
    };
    let repair = c.status != "IN_PROGRESS";
    c.open_tokens.clear();
    c.login = Some(done.login.to_owned());
    if !repair {
        c.institution_id = Some(done.institution_id.to_owned());
        c.institution_name = Some(done.institution_name.to_owned());
        c.service_provider = done.service_provider.to_owned();
        c.service_provider_details
            .insert("serviceProvider".into(), done.service_provider.into());
    }
    let (old, old_reason) = (c.status.clone(), c.status_reason.clone());
    c.status = "ACTIVE".to_owned();
    c.status_reason = None;
    c.failed_aggregations = 0;
    if !repair {
        link_duplicate(account, seed, at, id);
    }
    events::record(
        account,
        seed,
        at,
        "BANK_LINKING_CONNECTION_COMPLETED",
        id,
        Map::new(),
    );
    events::status_change(account, seed, at, id, &old, old_reason.as_deref());
    let kind = if repair {
        AggregationKind::Repair
    } else {
        AggregationKind::Connect
    };
    schedule(account, at, id, kind);
}

/// Starts an aggregation that finishes after the configured delay.
pub fn schedule(account: &mut Account, at: DateTime<Utc>, id: &str, kind: AggregationKind) {
    schedule_ending(account, at, id, kind, None);
}

/// Starts an aggregation that, when `outcome` is given, leaves the connection in that status
/// (and reason): an active one after aggregating, any other instead of aggregating.
pub fn schedule_ending(
    account: &mut Account,
    at: DateTime<Utc>,
    id: &str,
    kind: AggregationKind,
    outcome: Option<(String, Option<String>)>,
) {
    let due = at + account.rules.aggregation_delay;
    let index = account.pending.partition_point(|p| p.due <= due);
    account.pending.insert(
        index,
        Aggregation {
            due,
            connection_id: id.to_owned(),
            kind,
            outcome,
        },
    );
}

/// Finishes every aggregation due at `now`. Returns whether anything changed.
pub fn advance(account: &mut Account, seed: u64, now: DateTime<Utc>) -> bool {
    let due = account.pending.partition_point(|p| p.due <= now);
    if due == 0 {
        return false;
    }
    let finished: Vec<Aggregation> = account.pending.drain(..due).collect();
    for job in finished {
        let script = Script {
            outcome: job.outcome,
            transactions: None,
        };
        aggregate(account, seed, job.due, &job.connection_id, job.kind, script);
    }
    true
}

/// New transactions on each of a connection's accounts now, reported as an aggregation does
/// (a scripted transition).
pub fn add_transactions(account: &mut Account, seed: u64, at: DateTime<Utc>, id: &str, n: u32) {
    let script = Script {
        outcome: None,
        transactions: Some(n as usize),
    };
    aggregate(account, seed, at, id, AggregationKind::Refresh, script);
}

/// A connection's financial account takes a new current balance at `at` (a scripted
/// transition): the available amount moves by as much, `balances.updatedAt` is then, and the
/// update is announced as an aggregation of the `BALANCES` product is
/// (`…_ACCOUNTS_UPDATING`, `…_ACCOUNTS_UPDATED`). A connection that has ended takes none.
pub fn set_balance(
    account: &mut Account,
    seed: u64,
    at: DateTime<Utc>,
    (connection, id): (&str, &str),
    balance: Money,
) {
    if account
        .connection(connection)
        .is_none_or(|c| is_final(&c.status))
    {
        return;
    }
    let Some(fa) = account
        .financial_accounts
        .iter_mut()
        .find(|fa| fa.id == id && fa.connection_ids.iter().any(|c| c == connection))
    else {
        return;
    };
    let delta = balance.0 - fa.balances.current_amount.0;
    fa.balances.current_amount = balance;
    fa.balances.available_amount = fa.balances.available_amount.map(|a| Money(a.0 + delta));
    fa.balances.updated_at = Timestamp::seconds(at);
    let note = events::AccountNote {
        id: fa.id.clone(),
        name: fa.name.clone(),
        truncated_account_number: fa.truncated_account_number.clone(),
        new_account: false,
        transactions_added: 0,
        transactions_updated: 0,
        transactions_removed: Vec::new(),
        investment_transactions_added: 0,
        oldest_key: None,
    };
    let products = ["BALANCES".to_owned()];
    events::accounts(
        account,
        seed,
        at,
        "BANK_LINKING_ACCOUNTS_UPDATING",
        connection,
        std::slice::from_ref(&note),
        None,
    );
    events::accounts(
        account,
        seed,
        at,
        "BANK_LINKING_ACCOUNTS_UPDATED",
        connection,
        &[note],
        Some(&products),
    );
}

/// What a scenario decides about an aggregation instead of the sandbox logins.
#[derive(Debug, Default)]
struct Script {
    /// The status (and reason) it ends in.
    outcome: Option<(String, Option<String>)>,
    /// Transactions found on each account.
    transactions: Option<usize>,
}

/// Statuses a scripted refresh aggregates before reaching.
fn aggregates_into(status: &str) -> bool {
    matches!(status, "ACTIVE" | "PARTIALLY_ACTIVE")
}

/// One aggregation at `at`: accounts found or updated, transactions added, events sent in
/// Meld's order (accounts updating → updated → transactions → historical transactions).
fn aggregate(
    account: &mut Account,
    seed: u64,
    at: DateTime<Utc>,
    id: &str,
    kind: AggregationKind,
    script: Script,
) {
    let Some(c) = account.connection(id) else {
        return;
    };
    if is_final(&c.status) || c.status == "IN_PROGRESS" {
        return;
    }
    let scripted = script.outcome.is_some() || script.transactions.is_some();
    let sandbox_outcome = sandbox::on_refresh(c.login.as_deref())
        .filter(|_| kind == AggregationKind::Refresh && !scripted)
        .map(|(s, r)| (s.to_owned(), Some(r.to_owned())));
    let login = c.login.clone();
    let provider = c.service_provider.clone();
    let mut products: Vec<String> = c.products.clone();
    products.extend(c.optional_products.iter().cloned());
    if let Some((status, reason)) = script.outcome.or(sandbox_outcome) {
        end_aggregation(account, seed, at, id, &status, reason.as_deref());
        if !(scripted && aggregates_into(&status)) {
            return;
        }
    }
    if kind == AggregationKind::Refresh
        && !scripted
        && sandbox::closes_account_on_refresh(login.as_deref())
    {
        let mut linked: Vec<(Timestamp, String)> = account
            .financial_accounts
            .iter()
            .filter(|fa| fa.connection_ids.iter().any(|x| x == id))
            .map(|fa| (fa.created_at, fa.id.clone()))
            .collect();
        linked.sort_by(|(a, x), (b, y)| (a.at, x).cmp(&(b.at, y)));
        if linked.len() > 1
            && let Some((_, newest)) = linked.pop()
        {
            remove_accounts(account, seed, at, id, &[newest]);
        }
    }
    let has_accounts = account
        .financial_accounts
        .iter()
        .any(|fa| fa.connection_ids.iter().any(|x| x == id));
    // What this aggregation adds goes after every transaction already held: a new account's
    // transactions are all at or after `first`, so reading them costs what was added, not
    // everything the Meld account holds.
    let first = account.transactions.len();
    let mut notes = if kind == AggregationKind::Connect || !has_accounts {
        find_accounts(
            account,
            seed,
            at,
            id,
            login.as_deref().unwrap_or("user_good"),
        )
    } else {
        add_recent(account, seed, at, id, script.transactions)
    };
    // Finicity's sandbox returns no investment data.
    if provider != "FINICITY"
        && products
            .iter()
            .any(|p| portfolio::PRODUCTS.contains(&p.as_str()))
    {
        for n in notes.iter_mut() {
            n.investment_transactions_added = portfolio::attach(account, seed, &n.id, at);
        }
    }
    if let Some(c) = account.connection_mut(id) {
        c.successfully_aggregated_at = Some(Timestamp::seconds(at));
    }
    for h in account
        .holdings
        .iter_mut()
        .filter(|h| h.connection_ids.iter().any(|x| x == id))
    {
        h.updated_at = Timestamp::seconds(at);
    }
    for fa in account
        .financial_accounts
        .iter_mut()
        .filter(|fa| fa.connection_ids.iter().any(|x| x == id))
    {
        fa.balances.updated_at = Timestamp::seconds(at);
    }
    for event_type in [
        "BANK_LINKING_ACCOUNTS_UPDATING",
        "BANK_LINKING_ACCOUNTS_UPDATED",
    ] {
        let products = (event_type == "BANK_LINKING_ACCOUNTS_UPDATED").then_some(&products[..]);
        events::accounts(account, seed, at, event_type, id, &notes, products);
    }
    if products
        .iter()
        .any(|p| p == "TRANSACTIONS" || p == "INVESTMENT_TRANSACTIONS")
    {
        let window = at - Duration::days(sandbox::initial_window_days(&provider));
        let first_load = kind != AggregationKind::Refresh && notes.iter().any(|n| n.new_account);
        if first_load {
            let (recent, historical) = split_history(account, first, &notes, window);
            events::transactions(
                account,
                seed,
                at,
                "BANK_LINKING_TRANSACTIONS_AGGREGATED",
                id,
                &recent,
            );
            events::transactions(
                account,
                seed,
                at,
                "BANK_LINKING_HISTORICAL_TRANSACTIONS_AGGREGATED",
                id,
                &historical,
            );
        } else {
            events::transactions(
                account,
                seed,
                at,
                "BANK_LINKING_TRANSACTIONS_AGGREGATED",
                id,
                &notes,
            );
        }
    }
    match sandbox::after_connect(login.as_deref()).filter(|_| kind == AggregationKind::Connect) {
        Some((status, reason)) => end_aggregation(account, seed, at, id, status, Some(reason)),
        None => {
            if let Some(c) = account.connection_mut(id) {
                c.failed_aggregations = 0;
            }
        }
    }
}

/// Aggregations that fail in a row before a connection is `UNRECOVERABLE`: Meld's reason
/// `CONTINUED_AGGREGATION_FAILURES` is "aggregation failed at least three times".
pub const FAILURES_BEFORE_UNRECOVERABLE: u32 = 3;

/// Whether an aggregation that ends in `status` failed.
fn failed(status: &str) -> bool {
    matches!(status, "DEGRADED" | "UNDETERMINED")
}

/// Ends an aggregation in `status` (and `reason`): a failure counts towards
/// [`FAILURES_BEFORE_UNRECOVERABLE`], the last of which leaves the connection `UNRECOVERABLE`
/// instead; an aggregation that gets data (`ACTIVE`, `PARTIALLY_ACTIVE`) starts the count again.
fn end_aggregation(
    account: &mut Account,
    seed: u64,
    at: DateTime<Utc>,
    id: &str,
    status: &str,
    reason: Option<&str>,
) {
    let Some(c) = account.connection_mut(id) else {
        return;
    };
    let (status, reason) = if failed(status) {
        c.failed_aggregations = c.failed_aggregations.saturating_add(1);
        if c.failed_aggregations >= FAILURES_BEFORE_UNRECOVERABLE {
            ("UNRECOVERABLE", Some("CONTINUED_AGGREGATION_FAILURES"))
        } else {
            (status, reason)
        }
    } else {
        if aggregates_into(status) {
            c.failed_aggregations = 0;
        }
        (status, reason)
    };
    set_status(account, seed, at, id, status, reason);
}

/// The accounts behind the login: new ones created with two years of history, ones the
/// customer already has at this institution (a duplicate login) linked to this connection too.
fn find_accounts(
    account: &mut Account,
    seed: u64,
    at: DateTime<Utc>,
    id: &str,
    login: &str,
) -> Vec<AccountNote> {
    let Some(c) = account.connection(id).cloned() else {
        return Vec::new();
    };
    let label = format!("meld aggregation {id}");
    let (specs, owner) = sandbox::profile(seed, &label, login);
    let mut c_at = c.clone();
    c_at.successfully_aggregated_at = Some(Timestamp::seconds(at));
    let found = super::build::accounts(seed, at, &label, &c_at, &specs);
    let first = account.transactions.len();
    let mut notes = Vec::new();
    for (n, (mut fa, txns)) in found.into_iter().enumerate() {
        let existing = account.financial_accounts.iter_mut().find(|e| {
            e.customer_id == fa.customer_id
                && e.institution_id == fa.institution_id
                && e.truncated_account_number == fa.truncated_account_number
                && e.name == fa.name
        });
        if let Some(e) = existing {
            let account_id = e.id.clone();
            link_account(account, &account_id, id);
            notes.push(note(account, &account_id, false, 0));
            continue;
        }
        // Accounts list in the order the provider reported them.
        fa.created_at = Timestamp::new(
            at + Duration::milliseconds(n as i64),
            crate::value::Precision::Millis,
        );
        fa.owner = Some(owner.clone());
        let fa_id = fa.id.clone();
        account.financial_accounts.push(fa);
        let added = txns.len();
        account.transactions.extend(txns);
        notes.push(note(account, &fa_id, true, added));
    }
    // The oldest added transaction's key, now that every account has its place.
    for n in notes.iter_mut().filter(|n| n.transactions_added > 0) {
        n.oldest_key = oldest_key(account, first, &n.id, None);
    }
    notes
}

/// Links account `fa_id` and everything recorded on it to connection `id` as well.
fn link_account(account: &mut Account, fa_id: &str, id: &str) {
    let link = |owner: &str, ids: &mut Vec<String>| {
        if owner == fa_id && !ids.iter().any(|x| x == id) {
            ids.insert(0, id.to_owned());
        }
    };
    for fa in account.financial_accounts.iter_mut() {
        link(&fa.id, &mut fa.connection_ids);
    }
    for t in account.transactions.iter_mut() {
        link(&t.financial_account_id, &mut t.connection_ids);
    }
    for h in account.holdings.iter_mut() {
        link(&h.financial_account_id, &mut h.connection_ids);
    }
    for t in account.investment_transactions.iter_mut() {
        link(&t.financial_account_id, &mut t.connection_ids);
    }
}

/// A refresh of known accounts: `count` new transactions each (up to three when `None`) since
/// the last aggregation, with balances moved by them.
fn add_recent(
    account: &mut Account,
    seed: u64,
    at: DateTime<Utc>,
    id: &str,
    count: Option<usize>,
) -> Vec<AccountNote> {
    let n = account.events_emitted;
    let mut rng = rng_for(seed, &format!("meld refresh {id} {n}"));
    let ids: Vec<(String, String)> = account
        .financial_accounts
        .iter()
        .filter(|fa| fa.connection_ids.iter().any(|x| x == id))
        .map(|fa| (fa.id.clone(), fa.kind.clone()))
        .collect();
    let merchants = [
        ("STARBUCKS", "FOOD_AND_DRINK"),
        ("AMAZON.COM", "SHOPPING"),
        ("SHELL OIL", "TRANSPORTATION"),
        ("WHOLE FOODS MARKET", "FOOD_AND_DRINK"),
        ("UBER TRIP", "TRAVEL"),
        ("CVS PHARMACY", "HEALTH"),
    ];
    let fa_ids: Vec<String> = ids.iter().map(|(fa_id, _)| fa_id.clone()).collect();
    let settled = pending::settle(account, seed, at, &fa_ids);
    let mut notes = Vec::new();
    for ((fa_id, kind), settled) in ids.into_iter().zip(settled) {
        let (investment, loan) = (kind == "INVESTMENT", kind == "LOAN");
        // Investment accounts move through their own trades, not card payments; a loan
        // accrues interest and is repaid (two entries at an aggregation unless scripted).
        let count = match (investment, loan, count) {
            (true, _, _) => 0,
            (false, _, Some(n)) => n,
            (false, true, None) => 2,
            (false, false, None) => rng.random_range(0..=3usize),
        };
        let Some(fa) = account
            .financial_accounts
            .iter_mut()
            .find(|f| f.id == fa_id)
        else {
            continue;
        };
        // (description, category, amount, id, posted)
        let mut added = Vec::new();
        for i in 0..count {
            let (name, category, amount, posted) = if loan {
                loan_entry(fa, &mut rng, i)
            } else {
                let (name, category) = merchants[rng.random_range(0..merchants.len())];
                (name, category, Money(rng.random_range(300..9_000)), false)
            };
            pending::book(fa, amount);
            added.push((name, category, amount, base58_id(&mut rng), posted));
        }
        // A deposit account that ran low is paid, a card that ran up is paid down (posted).
        if !investment && let Some((name, category, amount)) = pending::top_up(fa, &mut rng) {
            pending::book(fa, amount);
            added.push((name, category, amount, base58_id(&mut rng), true));
        }
        let (customer, connections, currency) = (
            fa.customer_id.clone(),
            fa.connection_ids.clone(),
            fa.balances.currency.clone(),
        );
        let n_added = added.len();
        for (name, category, amount, txn_id, posted) in added {
            account.transactions.push(Transaction {
                id: txn_id,
                financial_account_id: fa_id.clone(),
                customer_id: customer.clone(),
                connection_ids: connections.clone(),
                amount,
                currency: currency.clone(),
                description: name.to_owned(),
                status: if posted { "POSTED" } else { "PENDING" }.to_owned(),
                category: category.to_owned(),
                transaction_date: Timestamp::seconds(at),
                posted_date: posted.then(|| Timestamp::seconds(at)),
            });
        }
        let mut entry = note(account, &fa_id, false, n_added);
        entry.transactions_updated = settled.posted;
        entry.transactions_removed = settled.expired;
        if n_added > 0 {
            entry.oldest_key = oldest_key(account, 0, &fa_id, Some(at));
        }
        notes.push(entry);
    }
    notes
}

/// Entry `i` of a loan's aggregation, posted: interest charged (even `i`) or a repayment (odd
/// `i`) of $200–$600, never more than the loan owes. Description, category, amount (positive:
/// more owed), posted.
fn loan_entry(
    fa: &FinancialAccount,
    rng: &mut impl Rng,
    i: usize,
) -> (&'static str, &'static str, Money, bool) {
    if i % 2 == 0 {
        let interest = rng.random_range(2_000..15_000);
        ("INTEREST CHARGED", "LOAN", Money(interest), true)
    } else {
        let owed = fa.balances.current_amount.0.max(0);
        let paid = rng.random_range(20_000..60_000).min(owed);
        ("LOAN PAYMENT", "LOAN", Money(-paid), true)
    }
}

/// An account's entry for the aggregation events; the oldest key is filled in by the caller.
fn note(account: &Account, fa_id: &str, new_account: bool, added: usize) -> AccountNote {
    let fa = account.financial_accounts.iter().find(|f| f.id == fa_id);
    AccountNote {
        id: fa_id.to_owned(),
        name: fa.map(|f| f.name.clone()).unwrap_or_default(),
        truncated_account_number: fa
            .map(|f| f.truncated_account_number.clone())
            .unwrap_or_default(),
        new_account,
        transactions_added: added,
        transactions_updated: 0,
        transactions_removed: Vec::new(),
        investment_transactions_added: 0,
        oldest_key: None,
    }
}

/// Key of an account's oldest transaction (dated `since` or later, when given) among the
/// transactions from index `from` on.
fn oldest_key(
    account: &Account,
    from: usize,
    fa_id: &str,
    since: Option<DateTime<Utc>>,
) -> Option<String> {
    account.transactions[from.min(account.transactions.len())..]
        .iter()
        .filter(|t| t.financial_account_id == fa_id)
        .filter(|t| since.is_none_or(|s| t.transaction_date.at >= s))
        // Compared by reference: an id copied per transaction made a large import quadratic in
        // allocations.
        .min_by(|a, b| (a.transaction_date.at, &a.id).cmp(&(b.transaction_date.at, &b.id)))
        .map(|t| super::data::transaction_key(account, t))
}

/// Splits a first load into the initial window and the historical rest. New accounts' transactions
/// are all at index `first` or later.
fn split_history(
    account: &Account,
    first: usize,
    notes: &[AccountNote],
    window: DateTime<Utc>,
) -> (Vec<AccountNote>, Vec<AccountNote>) {
    let mut recent = Vec::new();
    let mut historical = Vec::new();
    let added = &account.transactions[first.min(account.transactions.len())..];
    for n in notes {
        let txns = || added.iter().filter(move |t| t.financial_account_id == n.id);
        let (newer, older) = txns().fold((0, 0), |(a, b), t| {
            if t.transaction_date.at >= window {
                (a + 1, b)
            } else {
                (a, b + 1)
            }
        });
        let (newer, older) = if n.new_account {
            (newer, older)
        } else {
            (0, 0)
        };
        let older_investments = account
            .investment_transactions
            .iter()
            .filter(|t| t.financial_account_id == n.id && t.transaction_date.at < window)
            .count()
            .min(n.investment_transactions_added);
        let key_from = |since: Option<DateTime<Utc>>, until: Option<DateTime<Utc>>| {
            txns()
                .filter(|t| since.is_none_or(|s| t.transaction_date.at >= s))
                .filter(|t| until.is_none_or(|u| t.transaction_date.at < u))
                .min_by(|a, b| (a.transaction_date.at, &a.id).cmp(&(b.transaction_date.at, &b.id)))
                .map(|t| super::data::transaction_key(account, t))
        };
        recent.push(AccountNote {
            transactions_added: newer,
            investment_transactions_added: n.investment_transactions_added - older_investments,
            oldest_key: (newer > 0).then(|| key_from(Some(window), None)).flatten(),
            ..n.clone()
        });
        historical.push(AccountNote {
            transactions_added: older,
            investment_transactions_added: older_investments,
            oldest_key: (older > 0).then(|| key_from(None, Some(window))).flatten(),
            ..n.clone()
        });
    }
    (recent, historical)
}

/// A new connection for the same customer, institution, provider and login as live ones is
/// their duplicate: it becomes the active one, the others `PARTIALLY_ACTIVE` /
/// `INACTIVE_DUPLICATE`.
fn link_duplicate(account: &mut Account, seed: u64, at: DateTime<Utc>, id: &str) {
    let Some(c) = account.connection(id).cloned() else {
        return;
    };
    let mut others: Vec<(Option<DateTime<Utc>>, DateTime<Utc>, String)> = account
        .connections
        .iter()
        .filter(|o| {
            o.id != id
                && !is_final(&o.status)
                && o.status != "IN_PROGRESS"
                && o.customer_id == c.customer_id
                && o.institution_id == c.institution_id
                && o.service_provider == c.service_provider
                && o.login.is_some()
                && o.login == c.login
        })
        .map(|o| {
            (
                o.successfully_aggregated_at.map(|t| t.at),
                o.created_at.at,
                o.id.clone(),
            )
        })
        .collect();
    if others.is_empty() {
        return;
    }
    others.sort_by_key(|o| std::cmp::Reverse((o.0, o.1)));
    let mut group = vec![id.to_owned()];
    group.extend(others.into_iter().map(|o| o.2));
    regroup(account, &group);
    for other in group.iter().skip(1) {
        set_status(
            account,
            seed,
            at,
            other,
            "PARTIALLY_ACTIVE",
            Some("INACTIVE_DUPLICATE"),
        );
    }
}

/// Writes a duplicate group (active first) onto its members; a group of one is no group.
fn regroup(account: &mut Account, group: &[String]) {
    let alone = group.len() < 2;
    for c in account
        .connections
        .iter_mut()
        .filter(|c| group.contains(&c.id))
    {
        c.duplicate_connection_ids = (!alone).then(|| group.to_vec());
        c.active_duplicate_connection_id = (!alone).then(|| group[0].clone());
    }
}

/// Refreshing an inactive duplicate makes it the active one: it takes over the active
/// duplicate's status, and that one becomes `PARTIALLY_ACTIVE` / `INACTIVE_DUPLICATE`.
pub fn promote(account: &mut Account, seed: u64, at: DateTime<Utc>, id: &str) {
    let Some(c) = account.connection(id) else {
        return;
    };
    let (Some(group), Some(active)) = (
        c.duplicate_connection_ids.clone(),
        c.active_duplicate_connection_id.clone(),
    ) else {
        return;
    };
    if active == id {
        return;
    }
    let Some(previous) = account.connection(&active) else {
        return;
    };
    let (status, reason) = (previous.status.clone(), previous.status_reason.clone());
    let mut order = vec![id.to_owned()];
    order.extend(group.into_iter().filter(|g| g != id));
    regroup(account, &order);
    set_status(account, seed, at, id, &status, reason.as_deref());
    set_status(
        account,
        seed,
        at,
        &active,
        "PARTIALLY_ACTIVE",
        Some("INACTIVE_DUPLICATE"),
    );
}

/// Deletes a connection: status `DELETED`, `BANK_LINKING_CONNECTION_DELETED` sent, accounts
/// no other live connection links removed (with their transactions), and the next duplicate
/// promoted when the active one goes.
pub fn delete(account: &mut Account, seed: u64, at: DateTime<Utc>, id: &str) {
    let Some(c) = account.connection_mut(id) else {
        return;
    };
    let group = c.duplicate_connection_ids.take();
    let was_active = c.active_duplicate_connection_id.take().as_deref() == Some(id);
    let (status, reason) = (c.status.clone(), c.status_reason.clone());
    c.status = "DELETED".to_owned();
    c.status_reason = None;
    c.open_tokens.clear();
    account.pending.retain(|p| p.connection_id != id);
    events::record(
        account,
        seed,
        at,
        "BANK_LINKING_CONNECTION_DELETED",
        id,
        Map::new(),
    );
    if let Some(group) = group {
        let rest: Vec<String> = group.into_iter().filter(|g| g != id).collect();
        regroup(account, &rest);
        if was_active && let Some(next) = rest.first() {
            set_status(account, seed, at, next, &status, reason.as_deref());
        }
    }
    let linked: Vec<String> = account
        .financial_accounts
        .iter()
        .filter(|fa| fa.connection_ids.iter().any(|x| x == id))
        .map(|fa| fa.id.clone())
        .collect();
    detach(account, id, &linked);
}

/// Unlinks accounts `fa_ids` (and everything recorded on them) from connection `id`; those no
/// other live connection links are removed.
fn detach(account: &mut Account, id: &str, fa_ids: &[String]) {
    let live = |cid: &String| {
        cid != id
            && account
                .connection(cid)
                .is_some_and(|c| !is_final(&c.status))
    };
    let orphaned: Vec<String> = account
        .financial_accounts
        .iter()
        .filter(|fa| fa_ids.contains(&fa.id))
        .filter(|fa| !fa.connection_ids.iter().any(live))
        .map(|fa| fa.id.clone())
        .collect();
    account
        .financial_accounts
        .retain(|fa| !orphaned.contains(&fa.id));
    account
        .transactions
        .retain(|t| !orphaned.contains(&t.financial_account_id));
    account
        .holdings
        .retain(|h| !orphaned.contains(&h.financial_account_id));
    account
        .investment_transactions
        .retain(|t| !orphaned.contains(&t.financial_account_id));
    let unlink = |owner: &String, ids: &mut Vec<String>| {
        if fa_ids.contains(owner) {
            ids.retain(|x| x != id);
        }
    };
    for fa in account.financial_accounts.iter_mut() {
        unlink(&fa.id, &mut fa.connection_ids);
    }
    for t in account.transactions.iter_mut() {
        unlink(&t.financial_account_id, &mut t.connection_ids);
    }
    for h in account.holdings.iter_mut() {
        unlink(&h.financial_account_id, &mut h.connection_ids);
    }
    for t in account.investment_transactions.iter_mut() {
        unlink(&t.financial_account_id, &mut t.connection_ids);
    }
}

/// The provider stopped reporting accounts `fa_ids` for connection `id`:
/// `BANK_LINKING_ACCOUNTS_REMOVED`, and the accounts leave the connection.
pub fn remove_accounts(
    account: &mut Account,
    seed: u64,
    at: DateTime<Utc>,
    id: &str,
    fa_ids: &[String],
) {
    if fa_ids.is_empty() {
        return;
    }
    let notes: Vec<AccountNote> = fa_ids
        .iter()
        .map(|fa| note(account, fa, false, 0))
        .collect();
    events::accounts(
        account,
        seed,
        at,
        "BANK_LINKING_ACCOUNTS_REMOVED",
        id,
        &notes,
        None,
    );
    detach(account, id, fa_ids);
}
