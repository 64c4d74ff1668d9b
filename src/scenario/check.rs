//! Checks on a parsed scenario that its types cannot express: vendor enum spellings, id and
//! key formats, duplicate ids and references between objects.
//!
//! Each check yields a key path and a message; `scenario::parse` turns them into located
//! problems. All problems are reported, not just the first.

use std::collections::HashSet;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::KeyPath;
use super::model::*;
use crate::generate::fill::MAX_HISTORY_DAYS;
use crate::{basiq, meld};

type Found = Vec<(KeyPath, String)>;

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
        check_basiq(b, &root.key("basiq"), &mut found);
    }
    if let Some(m) = &scenario.meld {
        check_meld(m, &root.key("meld"), &mut found);
    }
    found
}

fn one_of(found: &mut Found, path: KeyPath, value: &str, allowed: &[&str]) {
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

fn quote_list(items: &[&str]) -> String {
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn unique(found: &mut Found, seen: &mut HashSet<String>, path: KeyPath, id: &Option<String>) {
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

/// Ids that can sit in a URL path segment unescaped.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The application id a Basiq API key carries (`None` when the key is not Base64 of `id:secret`).
pub fn basiq_application_of(key: &str) -> Option<String> {
    let decoded = STANDARD.decode(key.trim()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (app, secret) = text.split_once(':')?;
    (!app.is_empty() && !secret.is_empty()).then(|| app.to_owned())
}

fn check_basiq(spec: &BasiqSpec, path: &KeyPath, found: &mut Found) {
    let mut apps = HashSet::new();
    for (i, key) in spec.api_keys.iter().enumerate() {
        match basiq_application_of(key) {
            Some(app) => {
                apps.insert(app);
            }
            None => found.push((
                path.key("apiKeys").index(i),
                "a Basiq API key is Base64 of `<applicationId>:<secret>`".to_owned(),
            )),
        }
    }
    if apps.len() > 1 {
        found.push((
            path.key("apiKeys"),
            "all keys must belong to one application (same id before the colon)".to_owned(),
        ));
    }
    check_generated(spec, path, found);
    if let Some(url) = &spec.redirect_url
        && !(url.starts_with("http://") || url.starts_with("https://"))
    {
        found.push((
            path.key("redirectUrl"),
            format!("`{url}` is not an http:// or https:// URL"),
        ));
    }
    if let Some(code) = &spec.auth_link_code
        && !(code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()))
    {
        found.push((
            path.key("authLinkCode"),
            format!("`{code}` is not 6 digits, as an auth link's SMS code is"),
        ));
    }
    let mut ids = HashSet::new();
    for (u, user) in spec.users.iter().enumerate() {
        let up = path.key("users").index(u);
        unique(found, &mut ids, up.key("id"), &user.id);
        if let Some(email) = &user.email
            && !email.is_empty()
            && !plausible_email(email)
        {
            found.push((
                up.key("email"),
                format!("`{email}` is not an email address"),
            ));
        }
        if let Some(mobile) = &user.mobile
            && !mobile.is_empty()
            && !plausible_mobile(mobile)
        {
            found.push((
                up.key("mobile"),
                format!("`{mobile}` is not in international format, e.g. +61410888999"),
            ));
        }
        if let Some(t) = &user.business_id_no_type {
            one_of(found, up.key("businessIdNoType"), t, &["ABN", "ACN"]);
        }
        for (c, conn) in user.connections.iter().enumerate() {
            let cp = up.key("connections").index(c);
            unique(found, &mut ids, cp.key("id"), &conn.id);
            if let Some(inst) = &conn.institution
                && !basiq_institution_id(inst)
            {
                found.push((cp.key("institution"), institution_format(inst)));
            }
            if let Some(s) = &conn.status {
                one_of(
                    found,
                    cp.key("status"),
                    s,
                    basiq::model::CONNECTION_STATUSES,
                );
            }
            if let Some(m) = &conn.method {
                one_of(found, cp.key("method"), m, basiq::model::CONNECTION_METHODS);
            }
            let accounts: Vec<&str> = conn
                .accounts
                .iter()
                .flatten()
                .filter_map(|a| a.id.as_deref())
                .collect();
            for (t, tr) in conn.transitions.iter().enumerate() {
                let tp = cp.key("transitions").index(t);
                check_transition(tr, &tp, (Vendor::Basiq, &accounts), found);
            }
            for (a, account) in conn.accounts.iter().flatten().enumerate() {
                let ap = cp.key("accounts").index(a);
                check_account(account, &ap, Some(&mut ids), found);
            }
        }
    }
    check_sandbox(spec, path, found);
}

/// A Basiq account. With `ids`, its ids must be new; without, it is a template (a persona's)
/// that gets fresh ids each time it is used, so it may not name any.
fn check_account(
    account: &BasiqAccountSpec,
    path: &KeyPath,
    mut ids: Option<&mut HashSet<String>>,
    found: &mut Found,
) {
    let mut id = |found: &mut Found, at: KeyPath, id: &Option<String>| match ids.as_deref_mut() {
        Some(ids) => unique(found, ids, at, id),
        None if id.is_some() => {
            found.push((at, "ids are minted per connection; leave it out".to_owned()))
        }
        None => {}
    };
    id(found, path.key("id"), &account.id);
    if let Some(class) = &account.class {
        one_of(
            found,
            path.key("class").key("type"),
            &class.kind,
            basiq::model::ACCOUNT_CLASSES,
        );
    }
    if let Some(s) = &account.status {
        one_of(found, path.key("status"), s, basiq::model::ACCOUNT_STATUSES);
    }
    check_history(account.history, path, found);
    for (t, txn) in account.transactions.iter().enumerate() {
        let tp = path.key("transactions").index(t);
        id(found, tp.key("id"), &txn.id);
        if let Some(s) = &txn.status {
            one_of(
                found,
                tp.key("status"),
                s,
                basiq::model::TRANSACTION_STATUSES,
            );
        }
        if let Some(c) = &txn.class {
            one_of(found, tp.key("class"), c, basiq::model::TRANSACTION_CLASSES);
        }
    }
}

/// A scenario's own test institutions and personas.
fn check_sandbox(spec: &BasiqSpec, path: &KeyPath, found: &mut Found) {
    let mut banks = HashSet::new();
    for (i, bank) in spec.institutions.iter().enumerate() {
        let ip = path.key("institutions").index(i);
        if !basiq_institution_id(&bank.id) {
            found.push((ip.key("id"), institution_format(&bank.id)));
        } else if !banks.insert(bank.id.as_str()) {
            found.push((ip.key("id"), format!("duplicate institution `{}`", bank.id)));
        }
        if bank.name.trim().is_empty() {
            found.push((ip.key("name"), "an institution needs a name".to_owned()));
        }
        if let Some(m) = &bank.mfa {
            one_of(found, ip.key("mfa"), m, basiq::personas::MFA_SPELLINGS);
        }
        if let Some(m) = &bank.method {
            one_of(found, ip.key("method"), m, basiq::model::CONNECTION_METHODS);
        }
    }
    let known = |id: &str| {
        banks.contains(id)
            || basiq::personas::Sandbox::built_in()
                .institution(id)
                .is_some()
    };
    let mut logins = HashSet::new();
    for (i, persona) in spec.personas.iter().enumerate() {
        let pp = path.key("personas").index(i);
        if persona.login_id.trim().is_empty() {
            found.push((pp.key("loginId"), "a login id may not be empty".to_owned()));
        }
        if persona.password.is_empty() {
            found.push((pp.key("password"), "a password may not be empty".to_owned()));
        }
        let login = (&persona.login_id, &persona.password, &persona.institution);
        if !logins.insert(login) {
            found.push((
                pp.key("loginId"),
                format!(
                    "`{}` with this password is already a persona",
                    persona.login_id
                ),
            ));
        }
        if let Some(bank) = &persona.institution
            && !known(bank)
        {
            found.push((
                pp.key("institution"),
                format!("no institution `{bank}`: neither a sandbox bank nor in `institutions`"),
            ));
        }
        if let Some(m) = &persona.method {
            one_of(found, pp.key("method"), m, basiq::model::CONNECTION_METHODS);
        }
        if let Some(c) = &persona.challenge {
            let cp = pp.key("challenge");
            one_of(
                found,
                cp.key("method"),
                &c.method,
                &["token", "security-questions"],
            );
            if c.input.is_empty() {
                found.push((
                    cp.key("input"),
                    "a challenge asks for at least one answer".to_owned(),
                ));
            }
            if c.answers.is_empty() {
                found.push((
                    cp.key("answers"),
                    "give at least one accepted answer list".to_owned(),
                ));
            }
            for (a, answer) in c.answers.iter().enumerate() {
                if answer.len() != c.input.len() {
                    found.push((
                        cp.key("answers").index(a),
                        format!(
                            "needs one entry per input ({}), has {}",
                            c.input.len(),
                            answer.len()
                        ),
                    ));
                }
            }
        }
        match &persona.fail {
            Some(code) => {
                one_of(found, pp.key("fail"), code, basiq::personas::FAILURE_CODES);
                if !persona.accounts.is_empty() {
                    found.push((
                        pp.key("accounts"),
                        "a persona whose jobs fail retrieves no accounts".to_owned(),
                    ));
                }
            }
            None if persona.fail_detail.is_some() => {
                found.push((pp.key("failDetail"), "`failDetail` needs `fail`".to_owned()))
            }
            None => {}
        }
        for (a, account) in persona.accounts.iter().enumerate() {
            check_account(account, &pp.key("accounts").index(a), None, found);
        }
    }
}

/// The most users and transactions a generated crowd may ask for.
const MAX_GENERATED_USERS: u32 = 100_000;
const MAX_GENERATED_TRANSACTIONS: u64 = 10_000_000;
/// The most transactions one account's generated history may hold.
const MAX_HISTORY_TRANSACTIONS: u32 = 1_000_000;

fn check_generated(spec: &BasiqSpec, path: &KeyPath, found: &mut Found) {
    let Some(crowd) = spec.generated else {
        return;
    };
    let gp = path.key("generated");
    if crowd.users > MAX_GENERATED_USERS {
        found.push((
            gp.key("users"),
            format!("at most {MAX_GENERATED_USERS} generated users"),
        ));
    }
    if crowd.transactions > MAX_GENERATED_TRANSACTIONS {
        found.push((
            gp.key("transactions"),
            format!("at most {MAX_GENERATED_TRANSACTIONS} generated transactions"),
        ));
    }
    if crowd.users == 0 && crowd.transactions > 0 {
        found.push((
            gp.key("transactions"),
            "transactions need at least one generated user".to_owned(),
        ));
    }
}

fn check_history(history: Option<HistorySpec>, path: &KeyPath, found: &mut Found) {
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

fn institution_format(id: &str) -> String {
    format!("institution id `{id}` must look like AU00000 (two letters, five digits)")
}

/// Whether `id` has the shape of a Basiq institution id: two capital letters, five digits.
pub fn basiq_institution_id(id: &str) -> bool {
    let b = id.as_bytes();
    b.len() == 7
        && b[..2].iter().all(u8::is_ascii_uppercase)
        && b[2..].iter().all(u8::is_ascii_digit)
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

fn check_meld(spec: &MeldSpec, path: &KeyPath, found: &mut Found) {
    if let Some(hook) = &spec.webhook {
        if !(hook.url.starts_with("http://") || hook.url.starts_with("https://")) {
            found.push((
                path.key("webhook").key("url"),
                format!("`{}` is not an http(s) URL", hook.url),
            ));
        }
        if hook.secret.is_empty() {
            found.push((
                path.key("webhook").key("secret"),
                "the signing secret must not be empty".to_owned(),
            ));
        }
    }
    if let Some(v) = &spec.default_version
        && !valid_date(v)
    {
        found.push((
            path.key("defaultVersion"),
            format!("`{v}` is not a date YYYY-MM-DD"),
        ));
    }
    for (i, s) in spec.refreshable_statuses.iter().flatten().enumerate() {
        one_of(
            found,
            path.key("refreshableStatuses").index(i),
            s,
            meld::model::STATUSES,
        );
    }
    for (i, entry) in spec.repairable_statuses.iter().flatten().enumerate() {
        let at = path.key("repairableStatuses").index(i);
        let (status, reason) = match entry.split_once('/') {
            Some((s, r)) => (s, Some(r)),
            None => (entry.as_str(), None),
        };
        one_of(found, at.clone(), status, meld::model::STATUSES);
        if let Some(r) = reason {
            one_of(found, at, r, meld::model::STATUS_REASONS);
        }
    }
    for (i, key) in spec.api_keys.iter().enumerate() {
        if key.is_empty() || key.contains(char::is_whitespace) {
            found.push((
                path.key("apiKeys").index(i),
                "an API key is one word".to_owned(),
            ));
        }
    }
    let mut ids = HashSet::new();
    unique(found, &mut ids, path.key("accountId"), &spec.account_id);
    let mut connection_ids = HashSet::new();
    for customer in &spec.customers {
        for conn in &customer.connections {
            if let Some(id) = &conn.id {
                connection_ids.insert(id.clone());
            }
        }
    }
    let mut externals = HashSet::new();
    for (c, customer) in spec.customers.iter().enumerate() {
        let cp = path.key("customers").index(c);
        unique(found, &mut ids, cp.key("id"), &customer.id);
        if let Some(ext) = &customer.external_id
            && !externals.insert(ext.clone())
        {
            found.push((
                cp.key("externalId"),
                format!("duplicate externalId `{ext}`"),
            ));
        }
        for (n, conn) in customer.connections.iter().enumerate() {
            let np = cp.key("connections").index(n);
            unique(found, &mut ids, np.key("id"), &conn.id);
            if let Some(s) = &conn.status {
                one_of(found, np.key("status"), s, meld::model::STATUSES);
            }
            if let Some(r) = &conn.status_reason {
                one_of(
                    found,
                    np.key("statusReason"),
                    r,
                    meld::model::STATUS_REASONS,
                );
            }
            check_products(conn, &np, found);
            if let Some(p) = &conn.service_provider {
                one_of(
                    found,
                    np.key("serviceProvider"),
                    p,
                    meld::model::SERVICE_PROVIDERS,
                );
            }
            if let Some(d) = &conn.duplicate_of
                && (!connection_ids.contains(d) || conn.id.as_deref() == Some(d.as_str()))
            {
                found.push((
                    np.key("duplicateOf"),
                    format!("`{d}` is not the id of another connection in this file"),
                ));
            }
            let accounts: Vec<&str> = conn
                .accounts
                .iter()
                .flatten()
                .filter_map(|a| a.id.as_deref())
                .collect();
            for (t, tr) in conn.transitions.iter().enumerate() {
                let tp = np.key("transitions").index(t);
                check_transition(tr, &tp, (Vendor::Meld, &accounts), found);
            }
            for (a, account) in conn.accounts.iter().flatten().enumerate() {
                let ap = np.key("accounts").index(a);
                unique(found, &mut ids, ap.key("id"), &account.id);
                check_account_type(account, &ap, found);
                check_history(account.history, &ap, found);
                if let Some(s) = &account.status {
                    one_of(found, ap.key("status"), s, meld::model::ACCOUNT_STATUSES);
                }
                for (t, txn) in account.transactions.iter().enumerate() {
                    let tp = ap.key("transactions").index(t);
                    unique(found, &mut ids, tp.key("id"), &txn.id);
                    if let Some(s) = &txn.status {
                        one_of(
                            found,
                            tp.key("status"),
                            s,
                            meld::model::TRANSACTION_STATUSES,
                        );
                    }
                    if let Some(c) = &txn.category {
                        one_of(found, tp.key("category"), c, meld::model::CATEGORIES);
                    }
                }
            }
        }
    }
}

fn check_products(conn: &MeldConnectionSpec, path: &KeyPath, found: &mut Found) {
    for (field, list) in [
        ("products", &conn.products),
        ("optionalProducts", &conn.optional_products),
    ] {
        for (i, p) in list.iter().flatten().enumerate() {
            one_of(found, path.key(field).index(i), p, meld::model::PRODUCTS);
        }
    }
    if let Some(products) = &conn.products {
        if products.is_empty() {
            found.push((
                path.key("products"),
                "must contain at least one product".to_owned(),
            ));
        }
        for p in conn.optional_products.iter().flatten() {
            if products.contains(p) {
                found.push((
                    path.key("optionalProducts"),
                    format!("`{p}` is also in products; a product may be in only one list"),
                ));
            }
        }
    }
}

fn check_account_type(account: &MeldAccountSpec, path: &KeyPath, found: &mut Found) {
    let types: Vec<&str> = meld::model::ACCOUNT_TYPES.iter().map(|(t, _)| *t).collect();
    if let Some(kind) = &account.kind {
        one_of(found, path.key("type"), kind, &types);
        if let (Some(sub), Some((_, subs))) = (
            &account.subtype,
            meld::model::ACCOUNT_TYPES.iter().find(|(t, _)| t == kind),
        ) {
            one_of(found, path.key("subtype"), sub, subs);
        }
    } else if account.subtype.is_some() {
        found.push((path.key("subtype"), "a subtype needs its `type`".to_owned()));
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Vendor {
    Basiq,
    Meld,
}

/// Methods a request trigger may count.
const METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE"];

const NOTHING_TO_DO: &str =
    "a transition needs something to do: `status`, `addTransactions` or `balance`";

/// A transition has one trigger, does something, and uses only the keys its trigger and vendor
/// give a meaning to; a `balance` names one of its connection's `accounts` (the ids this file
/// spells).
fn check_transition(
    tr: &TransitionSpec,
    path: &KeyPath,
    (vendor, accounts): (Vendor, &[&str]),
    found: &mut Found,
) {
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
    match (&tr.balance, &tr.account) {
        (Some(_), _) if refresh => say("balance", "a refresh sets balances of its own"),
        (Some(_), None) => say(
            "account",
            "`balance` needs the `account` (an `id` of this connection's accounts) it sets",
        ),
        (None, Some(_)) => say("account", "`account` goes with `balance`"),
        (Some(_), Some(a)) if !accounts.contains(&a.as_str()) => say(
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
    let does_something =
        tr.status.is_some() || tr.add_transactions.is_some() || tr.balance.is_some();
    match vendor {
        Vendor::Basiq => {
            if let Some(s) = &tr.status {
                if refresh {
                    say(
                        "status",
                        "a Basiq refresh's job sets the status; use `fail` to make it fail",
                    );
                } else {
                    one_of(
                        found,
                        path.key("status"),
                        s,
                        basiq::model::CONNECTION_STATUSES,
                    );
                }
            }
            if tr.status_reason.is_some() {
                found.push((
                    path.key("statusReason"),
                    "Basiq connections have no statusReason".to_owned(),
                ));
            }
            match &tr.fail {
                Some(_) if !refresh => found.push((
                    path.key("fail"),
                    "`fail` decides the outcome of a refresh: use it with `on = \"refresh\"`"
                        .to_owned(),
                )),
                Some(code) => one_of(
                    found,
                    path.key("fail"),
                    code,
                    basiq::personas::FAILURE_CODES,
                ),
                None => {}
            }
            if !does_something && !refresh {
                found.push((path.key("status"), NOTHING_TO_DO.to_owned()));
            }
        }
        Vendor::Meld => {
            match &tr.status {
                Some(s) => one_of(found, path.key("status"), s, meld::model::STATUSES),
                None if !does_something || refresh => {
                    found.push((path.key("status"), NOTHING_TO_DO.to_owned()))
                }
                None => {}
            }
            if let Some(r) = &tr.status_reason {
                if tr.status.is_none() {
                    found.push((
                        path.key("statusReason"),
                        "`statusReason` goes with `status`".to_owned(),
                    ));
                }
                one_of(
                    found,
                    path.key("statusReason"),
                    r,
                    meld::model::STATUS_REASONS,
                );
            }
            if tr.fail.is_some() {
                found.push((
                    path.key("fail"),
                    "Meld refresh outcomes are statuses: set `status` (and `statusReason`)"
                        .to_owned(),
                ));
            }
        }
    }
}
