//! The data budget of a scenario: how many accounts and transactions it asks to be built,
//! generated and spelled out together, and how many transactions one scripted firing may add.
//! A scenario over budget is refused by `validate` (and by `POST /__admin/scenario`) at the
//! first place that takes it over, instead of exhausting the machine's memory when it loads.
//!
//! Generated histories are counted at [`HISTORY_PER_DAY`] transactions a day, more than the
//! generator makes on average, so what passes the check fits.

use super::KeyPath;
use super::model::*;

/// Accounts a scenario may hold in all.
pub const MAX_ACCOUNTS: u64 = 1_000_000;
/// Transactions a scenario may hold in all, generated and spelled out.
pub const MAX_TRANSACTIONS: u64 = 10_000_000;
/// Transactions one firing of a transition may add to each account of its connection.
pub const MAX_ADDED_PER_FIRING: u32 = 10_000;
/// Transactions a day of generated history is counted as.
pub const HISTORY_PER_DAY: u64 = 3;
/// Days of history an account that lists no transactions gets (as the world builder does).
const DEFAULT_DAYS: u64 = 90;

/// Running totals, and where they first went over.
#[derive(Default)]
struct Totals {
    accounts: u64,
    transactions: u64,
    over: Option<KeyPath>,
}

impl Totals {
    fn add(&mut self, path: &KeyPath, accounts: u64, transactions: u64) {
        self.accounts = self.accounts.saturating_add(accounts);
        self.transactions = self.transactions.saturating_add(transactions);
        if self.over.is_none()
            && (self.accounts > MAX_ACCOUNTS || self.transactions > MAX_TRANSACTIONS)
        {
            self.over = Some(path.clone());
        }
    }
}

/// Transactions an account of this history and list holds, at most.
fn estimate(history: Option<HistorySpec>, listed: usize) -> u64 {
    let generated = match history {
        Some(HistorySpec {
            days,
            transactions: Some(n),
        }) => u64::from(n).min(days.map_or(u64::MAX, |d| u64::from(d) * HISTORY_PER_DAY)),
        Some(HistorySpec {
            days: Some(d),
            transactions: None,
        }) => u64::from(d) * HISTORY_PER_DAY,
        Some(HistorySpec {
            days: None,
            transactions: None,
        }) => 0,
        None if listed == 0 => DEFAULT_DAYS * HISTORY_PER_DAY,
        None => 0,
    };
    generated + listed as u64
}

/// A scenario's budget as its sections are counted: each vendor adds its crowds and
/// connections ([`Budget::add`], [`Budget::connection`]); [`Budget::finish`] says what is over.
#[derive(Default)]
pub struct Budget {
    totals: Totals,
    found: Vec<(KeyPath, String)>,
}

impl Budget {
    /// Counts `accounts` accounts holding `transactions` transactions in all, at `path`.
    pub fn add(&mut self, path: &KeyPath, accounts: u64, transactions: u64) {
        self.totals.add(path, accounts, transactions);
    }

    /// Counts a connection at `path`: what its transitions add at a firing, and its accounts,
    /// each as its history and the number of transactions it lists (`None`: the two accounts
    /// of default history a connection gets when it lists none).
    pub fn connection(
        &mut self,
        path: &KeyPath,
        transitions: &[TransitionSpec],
        accounts: Option<Vec<(Option<HistorySpec>, usize)>>,
    ) {
        for (t, tr) in transitions.iter().enumerate() {
            if tr
                .add_transactions
                .is_some_and(|n| n > MAX_ADDED_PER_FIRING)
            {
                self.found.push((
                    path.key("transitions").index(t).key("addTransactions"),
                    format!("at most {MAX_ADDED_PER_FIRING} transactions a firing"),
                ));
            }
        }
        match accounts {
            Some(accounts) => {
                for (a, (history, listed)) in accounts.into_iter().enumerate() {
                    let account = path.key("accounts").index(a);
                    self.totals.add(&account, 1, estimate(history, listed));
                }
            }
            None => self.totals.add(path, 2, 2 * estimate(None, 0)),
        }
    }

    /// The budget's problems: one per transition that adds too much at a firing, then at most
    /// one for the totals, located where they went over.
    pub fn finish(mut self) -> Vec<(KeyPath, String)> {
        if let Some(path) = self.totals.over {
            self.found.push((
                path,
                format!(
                    "the scenario asks for more than {MAX_ACCOUNTS} accounts or {MAX_TRANSACTIONS} \
                     transactions in all (generated history counts {HISTORY_PER_DAY} a day); \
                     this is where it goes over"
                ),
            ));
        }
        self.found
    }
}

/// The budget's problems (see [`Budget::finish`]).
pub fn check(scenario: &Scenario) -> Vec<(KeyPath, String)> {
    let mut budget = Budget::default();
    let root = KeyPath::default();
    if let Some(basiq) = &scenario.basiq {
        crate::basiq::check::budget(basiq, &root.key("basiq"), &mut budget);
    }
    if let Some(meld) = &scenario.meld {
        crate::meld::check::budget(meld, &root.key("meld"), &mut budget);
    }
    budget.finish()
}
