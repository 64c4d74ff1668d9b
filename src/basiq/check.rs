//! Located checks on the `[basiq]` section that its types cannot express: key and id formats,
//! duplicate ids, enum spellings, personas and institutions, crowds, and what a Basiq
//! transition may do.

use std::collections::HashSet;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::scenario::*;
use crate::scenario::KeyPath;
use crate::scenario::budget::Budget;
use crate::scenario::check::*;
use crate::scenario::model::*;

/// The application id a Basiq API key carries (`None` when the key is not Base64 of `id:secret`).
pub fn basiq_application_of(key: &str) -> Option<String> {
    let decoded = STANDARD.decode(key.trim()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (app, secret) = text.split_once(':')?;
    (!app.is_empty() && !secret.is_empty()).then(|| app.to_owned())
}

pub fn check(spec: &BasiqSpec, path: &KeyPath, found: &mut Found) {
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
    if let Some(p) = spec.pending {
        let d = super::refresh::Rules::default();
        let defaults = (d.min_days, d.max_days);
        check_pending_days(
            &path.key("pending"),
            (p.min_days, p.max_days),
            defaults,
            found,
        );
    }
    if let Some(a) = spec.activity {
        check_percent(path.key("activity").key("rate"), a.rate, found);
    }
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
                    super::model::CONNECTION_STATUSES,
                );
            }
            if let Some(m) = &conn.method {
                one_of(found, cp.key("method"), m, super::model::CONNECTION_METHODS);
            }
            let accounts: Vec<&str> = conn
                .accounts
                .iter()
                .flatten()
                .filter_map(|a| a.id.as_deref())
                .collect();
            for (t, tr) in conn.transitions.iter().enumerate() {
                let tp = cp.key("transitions").index(t);
                check_basiq_transition(tr, &tp, &accounts, found);
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
            super::model::ACCOUNT_CLASSES,
        );
    }
    if let Some(s) = &account.status {
        one_of(found, path.key("status"), s, super::model::ACCOUNT_STATUSES);
    }
    check_history(account.history, path, found);
    check_recurring(&account.recurring, path, found);
    for (t, txn) in account.transactions.iter().enumerate() {
        let tp = path.key("transactions").index(t);
        id(found, tp.key("id"), &txn.id);
        if let Some(s) = &txn.status {
            one_of(
                found,
                tp.key("status"),
                s,
                super::model::TRANSACTION_STATUSES,
            );
        }
        if let Some(c) = &txn.class {
            one_of(found, tp.key("class"), c, super::model::TRANSACTION_CLASSES);
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
            one_of(found, ip.key("mfa"), m, super::personas::MFA_SPELLINGS);
        }
        if let Some(m) = &bank.method {
            one_of(found, ip.key("method"), m, super::model::CONNECTION_METHODS);
        }
    }
    let known = |id: &str| {
        banks.contains(id)
            || super::personas::Sandbox::built_in()
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
            one_of(found, pp.key("method"), m, super::model::CONNECTION_METHODS);
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
                one_of(found, pp.key("fail"), code, super::personas::FAILURE_CODES);
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

/// A Basiq transition: on top of the shared checks, its status is a Basiq connection status (a
/// refresh's comes from its job, made to fail with `fail`), and it has no status reason.
fn check_basiq_transition(
    tr: &TransitionSpec,
    path: &KeyPath,
    accounts: &[&str],
    found: &mut Found,
) {
    let TransitionShape {
        refresh,
        does_something,
    } = check_transition(tr, path, accounts, found);
    if let Some(s) = &tr.status {
        if refresh {
            found.push((
                path.key("status"),
                "a Basiq refresh's job sets the status; use `fail` to make it fail".to_owned(),
            ));
        } else {
            one_of(
                found,
                path.key("status"),
                s,
                super::model::CONNECTION_STATUSES,
            );
        }
    }
    if tr.status_reason.is_some() {
        found.push((
            path.key("statusReason"),
            "Basiq connections have no statusReason".to_owned(),
        ));
    }
    if let Some(s) = &tr.account_status {
        one_of(
            found,
            path.key("accountStatus"),
            s,
            super::model::ACCOUNT_STATUSES,
        );
    }
    match &tr.fail {
        Some(_) if !refresh => found.push((
            path.key("fail"),
            "`fail` decides the outcome of a refresh: use it with `on = \"refresh\"`".to_owned(),
        )),
        Some(code) => one_of(
            found,
            path.key("fail"),
            code,
            super::personas::FAILURE_CODES,
        ),
        None => {}
    }
    if !does_something && !refresh {
        found.push((path.key("status"), NOTHING_TO_DO.to_owned()));
    }
}

/// Counts the section toward the scenario's data budget: its crowd (two accounts a member)
/// and its users' connections.
pub fn budget(spec: &BasiqSpec, path: &KeyPath, budget: &mut Budget) {
    if let Some(crowd) = spec.generated {
        budget.add(
            &path.key("generated"),
            u64::from(crowd.users) * 2,
            crowd.transactions,
        );
    }
    for (u, user) in spec.users.iter().enumerate() {
        for (c, connection) in user.connections.iter().enumerate() {
            let cp = path.key("users").index(u).key("connections").index(c);
            let accounts = connection.accounts.as_ref().map(|list| {
                list.iter()
                    .map(|a| (a.history, a.transactions.len()))
                    .collect()
            });
            budget.connection(&cp, &connection.transitions, accounts);
        }
    }
}
