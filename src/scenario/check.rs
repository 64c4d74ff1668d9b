//! Checks on a parsed scenario that its types cannot express, and the helpers every vendor's
//! checks use: enum spellings, id formats, duplicate ids, histories, and the parts of a
//! transition that mean the same at every vendor. Each vendor checks its own section
//! (`crate::basiq::check`, `crate::meld::check`).
//!
//! Each check yields a key path and a message; `scenario::parse` turns them into located
//! problems. All problems are reported, not just the first.

use std::collections::HashSet;

use super::KeyPath;
use super::model::*;
use crate::generate::fill::MAX_HISTORY_DAYS;

/// Problems found: where, and what is wrong.
pub type Found = Vec<(KeyPath, String)>;

/// The most transactions one account's generated history may hold.
const MAX_HISTORY_TRANSACTIONS: u32 = 1_000_000;

/// Every problem found in `scenario`.
pub fn check(scenario: &Scenario) -> Found {
    let mut found = Found::new();
    let root = KeyPath::default();
    if let Some(v) = scenario.version
        && v != 1
    {
        found.push((
            root.key("version"),
            format!("unsupported format version {v}; only 1 exists"),
        ));
    }
    if let Some(b) = &scenario.basiq {
        crate::basiq::check::check(b, &root.key("basiq"), &mut found);
    }
    if let Some(m) = &scenario.meld {
        crate::meld::check::check(m, &root.key("meld"), &mut found);
    }
    found
}

pub fn one_of(found: &mut Found, path: KeyPath, value: &str, allowed: &[&str]) {
    if !allowed.contains(&value) {
        found.push((
            path,
            format!(
                "unknown value `{value}`, expected one of {}",
                quote_list(allowed)
            ),
        ));
    }
}

pub fn quote_list(items: &[&str]) -> String {
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn unique(found: &mut Found, seen: &mut HashSet<String>, path: KeyPath, id: &Option<String>) {
    if let Some(id) = id {
        if !valid_id(id) {
            found.push((
                path,
                format!("id `{id}` must be 1-64 characters of letters, digits, `-` or `_`"),
            ));
        } else if !seen.insert(id.clone()) {
            found.push((path, format!("duplicate id `{id}`")));
        }
    }
}

/// The longest a pending transaction may wait to settle, in business days.
pub const MAX_PENDING_DAYS: u32 = 30;

/// Problems with the business days a pending transaction waits, `minDays` and `maxDays` under
/// `path` (`defaults` for what is absent): at most [`MAX_PENDING_DAYS`], the least no more than
/// the most.
pub fn check_pending_days(
    path: &KeyPath,
    (min_days, max_days): (Option<u32>, Option<u32>),
    defaults: (u32, u32),
    found: &mut Found,
) {
    let (min, max) = (
        min_days.unwrap_or(defaults.0),
        max_days.unwrap_or(defaults.1),
    );
    if max > MAX_PENDING_DAYS {
        found.push((
            path.key("maxDays"),
            format!("at most {MAX_PENDING_DAYS} business days"),
        ));
    }
    if min > max {
        let key = if min_days.is_some() {
            "minDays"
        } else {
            "maxDays"
        };
        found.push((
            path.key(key),
            format!("`minDays` ({min}) is more than `maxDays` ({max})"),
        ));
    }
}

/// A percentage (0 to 100) under `path`, if given.
pub fn check_percent(path: KeyPath, value: Option<u32>, found: &mut Found) {
    if value.is_some_and(|v| v > 100) {
        found.push((path, "a percentage, 0 to 100".to_owned()));
    }
}

/// Ids that can sit in a URL path segment unescaped.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

pub fn check_history(history: Option<HistorySpec>, path: &KeyPath, found: &mut Found) {
    let Some(h) = history else {
        return;
    };
    let hp = path.key("history");
    if h.days.is_none() && h.transactions.is_none() {
        found.push((hp, "give `days`, `transactions` or both".to_owned()));
        return;
    }
    if h.days.is_some_and(|d| d > MAX_HISTORY_DAYS) {
        found.push((
            hp.key("days"),
            format!("at most {MAX_HISTORY_DAYS} days of history"),
        ));
    }
    if h.transactions.is_some_and(|n| n > MAX_HISTORY_TRANSACTIONS) {
        found.push((
            hp.key("transactions"),
            format!("at most {MAX_HISTORY_TRANSACTIONS} transactions on one account"),
        ));
    }
}

/// Recurring payments an account may list, at most.
pub const MAX_RECURRING: usize = 32;

/// An account's recurring payments: known cadences and kinds, days, rises and variations in
/// range, a day for a payment that comes once.
pub fn check_recurring(recurring: &[RecurringSpec], path: &KeyPath, found: &mut Found) {
    use crate::generate::recurring::{EVERY_SPELLINGS, Every, KIND_SPELLINGS, MAX_RISE};
    if recurring.len() > MAX_RECURRING {
        found.push((
            path.key("recurring"),
            format!("at most {MAX_RECURRING} recurring payments on one account"),
        ));
    }
    for (i, r) in recurring.iter().enumerate() {
        let rp = path.key("recurring").index(i);
        if r.description.trim().is_empty() || r.description.len() > 200 {
            found.push((rp.key("description"), "1 to 200 characters".to_owned()));
        }
        one_of(found, rp.key("kind"), &r.kind, KIND_SPELLINGS);
        one_of(found, rp.key("every"), &r.every, EVERY_SPELLINGS);
        if r.amount.0 == 0 {
            found.push((
                rp.key("amount"),
                "a payment of nothing never shows".to_owned(),
            ));
        }
        if let (Some(every), Some(day)) = (Every::parse(&r.every), r.day) {
            let days = every.days();
            if !days.contains(&day) {
                found.push((
                    rp.key("day"),
                    format!("a day from {} to {}", days.start(), days.end()),
                ));
            }
        }
        if r.rise.is_some_and(|p| !(-MAX_RISE..=MAX_RISE).contains(&p)) {
            found.push((
                rp.key("rise"),
                format!("a percentage from -{MAX_RISE} to {MAX_RISE}"),
            ));
        }
        check_percent(rp.key("vary"), r.vary, found);
        if let Some(b) = &r.bpay {
            let digits = |text: &str, most: usize| {
                (1..=most).contains(&text.len()) && text.bytes().all(|c| c.is_ascii_digit())
            };
            let bp = rp.key("bpay");
            if !digits(&b.biller_code, 10) {
                found.push((
                    bp.key("billerCode"),
                    "a biller code is 1 to 10 digits".to_owned(),
                ));
            }
            if !digits(&b.crn, 20) {
                found.push((
                    bp.key("crn"),
                    "a customer reference is 1 to 20 digits".to_owned(),
                ));
            }
            if b.biller_name.trim().is_empty() || b.biller_name.len() > 100 {
                found.push((bp.key("billerName"), "1 to 100 characters".to_owned()));
            }
        }
        if r.every == "once" && r.starts_ago.is_none() {
            found.push((
                rp.key("startsAgo"),
                "a payment that comes once needs the day it comes".to_owned(),
            ));
        }
    }
}

pub fn plausible_email(email: &str) -> bool {
    match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        }
        None => false,
    }
}

pub fn plausible_mobile(mobile: &str) -> bool {
    mobile.strip_prefix('+').is_some_and(|digits| {
        (8..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
    })
}

/// Whether `text` is a calendar date `YYYY-MM-DD`.
pub fn valid_date(text: &str) -> bool {
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok() && text.len() == 10
}

/// Methods a request trigger may count.
const METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE"];

pub const NOTHING_TO_DO: &str =
    "a transition needs something to do: `status`, `addTransactions`, `balance` or `accountStatus`";

/// A transition has one trigger and uses only the keys its trigger gives a meaning to; a
/// `balance` names one of its connection's `accounts` (the ids this file spells). What is left
/// to its vendor to check — its statuses, and whether it does something — is returned.
pub fn check_transition(
    tr: &TransitionSpec,
    path: &KeyPath,
    accounts: &[&str],
    found: &mut Found,
) -> TransitionShape {
    let mut say = |key: &str, message: &str| found.push((path.key(key), message.to_owned()));
    let triggers = [tr.after.is_some(), tr.at.is_some(), tr.on.is_some()];
    if triggers.iter().filter(|t| **t).count() > 1 {
        say("on", "a transition has one trigger: `after`, `at` or `on`");
    }
    if !triggers.contains(&true) && tr.every.is_none() {
        say(
            "after",
            "a transition needs a trigger: `after`, `at`, `on` or `every`",
        );
    }
    let on = tr.on.as_deref();
    if let Some(o) = on
        && !["refresh", "request"].contains(&o)
    {
        say(
            "on",
            &format!("unknown trigger `{o}`, expected `refresh` or `request`"),
        );
    }
    if on == Some("request") {
        if tr.path.as_deref().is_none_or(|p| !p.starts_with('/')) {
            say(
                "path",
                "`on = \"request\"` needs the `path` to count, starting with `/`",
            );
        }
        if tr.nth == Some(0) {
            say("nth", "requests are counted from 1");
        }
    } else {
        for (key, set) in [
            ("method", tr.method.is_some()),
            ("path", tr.path.is_some()),
            ("nth", tr.nth.is_some()),
        ] {
            if set {
                say(key, "only `on = \"request\"` counts requests");
            }
        }
    }
    if let Some(m) = &tr.method
        && !METHODS.contains(&m.as_str())
    {
        say(
            "method",
            &format!(
                "unknown method `{m}`, expected one of {}",
                quote_list(METHODS)
            ),
        );
    }
    if let Some(every) = tr.every {
        if on.is_some() {
            say("every", "only time triggers (`after`, `at`) repeat");
        }
        if every.0 < chrono::Duration::seconds(1) {
            say("every", "repeats must be at least `1s` apart");
        }
    }
    if tr.times == Some(0) || (tr.times.is_some() && tr.every.is_none()) {
        say(
            "times",
            "`times` counts the firings of a repeating (`every`) transition, from 1",
        );
    }
    let refresh = on == Some("refresh");
    if tr.add_transactions.is_some() && refresh {
        say("addTransactions", "a refresh adds transactions of its own");
    }
    if tr.account_status.is_some() && refresh {
        say(
            "accountStatus",
            "a refresh retrieves accounts as they are; change one with a time or request trigger",
        );
    }
    let sets_account = tr.balance.is_some() || tr.account_status.is_some();
    match (sets_account, &tr.account) {
        (true, _) if refresh && tr.balance.is_some() => {
            say("balance", "a refresh sets balances of its own")
        }
        (true, None) => say(
            "account",
            "`balance` and `accountStatus` need the `account` (an `id` of this connection's accounts) they set",
        ),
        (false, Some(_)) => say(
            "account",
            "`account` goes with `balance` or `accountStatus`",
        ),
        (true, Some(a)) if !accounts.contains(&a.as_str()) => say(
            "account",
            &format!(
                "`{a}` is not the `id` of one of this connection's accounts{}",
                if accounts.is_empty() {
                    String::new()
                } else {
                    format!(", expected one of {}", quote_list(accounts))
                }
            ),
        ),
        _ => {}
    }
    let does_something = tr.status.is_some()
        || tr.add_transactions.is_some()
        || tr.balance.is_some()
        || tr.account_status.is_some();
    TransitionShape {
        refresh,
        does_something,
    }
}

/// What a vendor's own transition checks need to know of a transition.
#[derive(Debug, Clone, Copy)]
pub struct TransitionShape {
    /// Its trigger is the connection's next refresh.
    pub refresh: bool,
    /// It changes a status, adds transactions, sets a balance or an account's status.
    pub does_something: bool,
}
