//! Located checks on the `[meld]` section that its types cannot express: id formats,
//! duplicate ids and duplicates of connections, enum spellings, products and account types,
//! and what a Meld transition may do.

use std::collections::HashSet;

use super::scenario::*;
use crate::scenario::KeyPath;
use crate::scenario::budget::Budget;
use crate::scenario::check::*;
use crate::scenario::model::*;

/// Problems in the `[meld]` section.
pub fn check(spec: &MeldSpec, path: &KeyPath, found: &mut Found) {
    let hooks = spec.webhook.iter().map(|h| (path.key("webhook"), h)).chain(
        spec.webhooks
            .iter()
            .enumerate()
            .map(|(i, h)| (path.key("webhooks").index(i), h)),
    );
    let mut ids = std::collections::HashSet::new();
    for (hp, hook) in hooks {
        if !(hook.url.starts_with("http://") || hook.url.starts_with("https://")) {
            found.push((
                hp.key("url"),
                format!("`{}` is not an http(s) URL", hook.url),
            ));
        }
        if hook.secret.is_empty() {
            found.push((
                hp.key("secret"),
                "the signing secret must not be empty".to_owned(),
            ));
        }
        if let Some(v) = &hook.version
            && !valid_date(v)
        {
            found.push((hp.key("version"), format!("`{v}` is not a date YYYY-MM-DD")));
        }
        if let Some(id) = &hook.profile_id
            && !ids.insert(id.as_str())
        {
            found.push((hp.key("profileId"), format!("duplicate profile `{id}`")));
        }
    }
    let profiles = usize::from(spec.webhook.is_some()) + spec.webhooks.len();
    if profiles > super::model::MAX_WEBHOOK_PROFILES {
        found.push((
            path.key("webhooks"),
            format!(
                "at most {} webhook profiles",
                super::model::MAX_WEBHOOK_PROFILES
            ),
        ));
    }
    if let Some(p) = spec.pending {
        let pp = path.key("pending");
        let d = super::model::Pending::default();
        check_pending_days(
            &pp,
            (p.min_days, p.max_days),
            (d.min_days, d.max_days),
            found,
        );
        check_percent(pp.key("expirePercent"), p.expire_percent, found);
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
            super::model::STATUSES,
        );
    }
    for (i, entry) in spec.repairable_statuses.iter().flatten().enumerate() {
        let at = path.key("repairableStatuses").index(i);
        let (status, reason) = match entry.split_once('/') {
            Some((s, r)) => (s, Some(r)),
            None => (entry.as_str(), None),
        };
        one_of(found, at.clone(), status, super::model::STATUSES);
        if let Some(r) = reason {
            one_of(found, at, r, super::model::STATUS_REASONS);
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
                one_of(found, np.key("status"), s, super::model::STATUSES);
            }
            if let Some(r) = &conn.status_reason {
                one_of(
                    found,
                    np.key("statusReason"),
                    r,
                    super::model::STATUS_REASONS,
                );
            }
            check_products(conn, &np, found);
            if let Some(p) = &conn.service_provider {
                one_of(
                    found,
                    np.key("serviceProvider"),
                    p,
                    super::model::SERVICE_PROVIDERS,
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
                check_meld_transition(tr, &tp, &accounts, found);
            }
            for (a, account) in conn.accounts.iter().flatten().enumerate() {
                let ap = np.key("accounts").index(a);
                unique(found, &mut ids, ap.key("id"), &account.id);
                check_account_type(account, &ap, found);
                check_history(account.history, &ap, found);
                if let Some(s) = &account.status {
                    one_of(found, ap.key("status"), s, super::model::ACCOUNT_STATUSES);
                }
                for (t, txn) in account.transactions.iter().enumerate() {
                    let tp = ap.key("transactions").index(t);
                    unique(found, &mut ids, tp.key("id"), &txn.id);
                    if let Some(s) = &txn.status {
                        one_of(
                            found,
                            tp.key("status"),
                            s,
                            super::model::TRANSACTION_STATUSES,
                        );
                    }
                    if let Some(c) = &txn.category {
                        one_of(found, tp.key("category"), c, super::model::CATEGORIES);
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
            one_of(found, path.key(field).index(i), p, super::model::PRODUCTS);
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
    let types: Vec<&str> = super::model::ACCOUNT_TYPES
        .iter()
        .map(|(t, _)| *t)
        .collect();
    if let Some(kind) = &account.kind {
        one_of(found, path.key("type"), kind, &types);
        if let (Some(sub), Some((_, subs))) = (
            &account.subtype,
            super::model::ACCOUNT_TYPES.iter().find(|(t, _)| t == kind),
        ) {
            one_of(found, path.key("subtype"), sub, subs);
        }
    } else if account.subtype.is_some() {
        found.push((path.key("subtype"), "a subtype needs its `type`".to_owned()));
    }
}

/// A Meld transition: on top of the shared checks, its status and status reason are Meld's,
/// and a refresh's outcome is a status.
fn check_meld_transition(
    tr: &TransitionSpec,
    path: &KeyPath,
    accounts: &[&str],
    found: &mut Found,
) {
    let TransitionShape {
        refresh,
        does_something,
    } = check_transition(tr, path, accounts, found);
    match &tr.status {
        Some(s) => one_of(found, path.key("status"), s, super::model::STATUSES),
        None if !does_something || refresh => {
            found.push((path.key("status"), NOTHING_TO_DO.to_owned()))
        }
        None => {}
    }
    if tr.account_status.is_some() {
        found.push((
            path.key("accountStatus"),
            "Meld accounts have no status of their own; set the connection's `status`".to_owned(),
        ));
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
            super::model::STATUS_REASONS,
        );
    }
    if tr.fail.is_some() {
        found.push((
            path.key("fail"),
            "Meld refresh outcomes are statuses: set `status` (and `statusReason`)".to_owned(),
        ));
    }
}

/// Counts the section toward the scenario's data budget: its customers' connections.
pub fn budget(spec: &MeldSpec, path: &KeyPath, budget: &mut Budget) {
    for (c, customer) in spec.customers.iter().enumerate() {
        for (n, connection) in customer.connections.iter().enumerate() {
            let cp = path.key("customers").index(c).key("connections").index(n);
            let accounts = connection.accounts.as_ref().map(|list| {
                list.iter()
                    .map(|a| (a.history, a.transactions.len()))
                    .collect()
            });
            budget.connection(&cp, &connection.transitions, accounts);
        }
    }
}
