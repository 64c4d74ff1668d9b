//! Meld webhook events: the documented envelope (`eventType`, `eventId`, `timestamp`,
//! `accountId`, `profileId`, `version`, `payload`) and a builder per bank-linking event type.
//!
//! Events are produced at the moments Meld sends them (widget completed, status changed,
//! aggregation steps, deletion) and kept in order on the account, so tests and the delivery
//! engine read the same sequence. The log is bounded: past [`EVENT_LIMIT`] the oldest go.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use super::model::{Account, Connection};
use crate::ids::{base58_id, hex_id, rng_for};
use crate::value::{Precision, Timestamp};

/// Most events kept on an account.
pub const EVENT_LIMIT: usize = 10_000;

/// One webhook event.
#[derive(Debug, Clone)]
pub struct Event {
    /// The connection it is about (events are delivered in order per connection).
    pub connection_id: Option<String>,
    pub event_type: &'static str,
    /// The whole envelope, as it goes on the wire, but for `profileId` and `version`, which
    /// are each receiving profile's.
    pub body: Value,
    /// Addressed to a profile (`profileId` set), unlike a dashboard test (`null`).
    pub addressed: bool,
    /// One of the legacy types only profiles of version `2022-11-10` or older receive.
    pub legacy: bool,
}

/// An account entry of an aggregation event.
#[derive(Debug, Clone)]
pub struct AccountNote {
    pub id: String,
    pub name: String,
    pub truncated_account_number: String,
    pub new_account: bool,
    pub transactions_added: usize,
    /// Pending transactions that posted.
    pub transactions_updated: usize,
    /// Pending transactions that expired.
    pub transactions_removed: Vec<String>,
    pub investment_transactions_added: usize,
    /// Key of the oldest transaction added (where a client resumes reading).
    pub oldest_key: Option<String>,
}

/// Records an event about connection `c` with the common payload fields plus `extra`.
pub fn record(
    account: &mut Account,
    seed: u64,
    at: DateTime<Utc>,
    event_type: &'static str,
    connection: &str,
    extra: Map<String, Value>,
) {
    let Some(c) = account.connection(connection) else {
        return;
    };
    let mut payload = common(account, c, seed, account.events_emitted);
    payload.extend(extra);
    push(
        account,
        seed,
        at,
        event_type,
        Some(connection.to_owned()),
        true,
        payload,
    );
}

/// `WEBHOOK_TEST`, as the dashboard's test button sends it: only a `requestId`, and
/// `profileId` null.
pub fn webhook_test(account: &mut Account, seed: u64, at: DateTime<Utc>) {
    let mut rng = rng_for(
        seed,
        &format!("meld event request {}", account.events_emitted),
    );
    let mut payload = Map::new();
    payload.insert("requestId".into(), json!(base58_id(&mut rng)));
    push(account, seed, at, "WEBHOOK_TEST", None, false, payload);
}

/// `BANK_LINKING_CONNECTION_STATUS_CHANGE` from (`old`, `old_reason`) to the connection's
/// current status.
pub fn status_change(
    account: &mut Account,
    seed: u64,
    at: DateTime<Utc>,
    connection: &str,
    old: &str,
    old_reason: Option<&str>,
) {
    let Some(c) = account.connection(connection) else {
        return;
    };
    let mut extra = Map::new();
    extra.insert("oldStatus".into(), json!(old));
    extra.insert("oldStatusReason".into(), json!(old_reason));
    extra.insert("newStatus".into(), json!(c.status));
    extra.insert("newStatusReason".into(), json!(c.status_reason));
    extra.insert(
        "activeDuplicateConnectionId".into(),
        json!(c.active_duplicate_connection_id),
    );
    let (status, reason) = (c.status.clone(), c.status_reason.clone());
    record(
        account,
        seed,
        at,
        "BANK_LINKING_CONNECTION_STATUS_CHANGE",
        connection,
        extra,
    );
    // Profiles on the legacy webhook version also get the older, narrower events.
    if account.wants_legacy_events() {
        if status == "RECONNECT_REQUIRED" {
            let mut extra = Map::new();
            extra.insert("reason".into(), json!(reason));
            record(
                account,
                seed,
                at,
                "BANK_LINKING_CUSTOMER_ACTION_REQUIRED",
                connection,
                extra,
            );
        }
        if reason.as_deref() == Some("NEW_ACCOUNTS_AVAILABLE") {
            record(
                account,
                seed,
                at,
                "BANK_LINKING_NEW_ACCOUNTS_AVAILABLE",
                connection,
                Map::new(),
            );
        }
    }
}

/// The last webhook version that sent `BANK_LINKING_CUSTOMER_ACTION_REQUIRED` and
/// `BANK_LINKING_NEW_ACCOUNTS_AVAILABLE`.
pub const LEGACY_UNTIL: &str = "2022-11-10";

/// `BANK_LINKING_ACCOUNTS_UPDATING` / `_UPDATED` / `_REMOVED`: the accounts touched, with the
/// products refreshed on `_UPDATED` (never `TRANSACTIONS`).
pub fn accounts(
    account: &mut Account,
    seed: u64,
    at: DateTime<Utc>,
    event_type: &'static str,
    connection: &str,
    notes: &[AccountNote],
    products: Option<&[String]>,
) {
    let list: Vec<Value> = notes
        .iter()
        .map(|n| {
            if event_type == "BANK_LINKING_ACCOUNTS_REMOVED" {
                return json!({ "id": n.id });
            }
            let mut entry = json!({
                "id": n.id,
                "name": n.name,
                "truncatedAccountNumber": n.truncated_account_number,
                "newAccount": n.new_account,
            });
            if let Some(products) = products {
                entry["products"] = json!(
                    products
                        .iter()
                        .filter(|p| *p != "TRANSACTIONS")
                        .collect::<Vec<_>>()
                );
            }
            entry
        })
        .collect();
    let mut extra = Map::new();
    extra.insert("financialAccounts".into(), Value::Array(list));
    record(account, seed, at, event_type, connection, extra);
}

/// `BANK_LINKING_TRANSACTIONS_AGGREGATED` or `_HISTORICAL_TRANSACTIONS_AGGREGATED`.
pub fn transactions(
    account: &mut Account,
    seed: u64,
    at: DateTime<Utc>,
    event_type: &'static str,
    connection: &str,
    notes: &[AccountNote],
) {
    let list: Vec<Value> = notes
        .iter()
        .map(|n| {
            json!({
                "id": n.id,
                "numTransactionsAdded": n.transactions_added,
                "numTransactionsUpdated": n.transactions_updated,
                "transactionIdsRemoved": n.transactions_removed,
                "oldestTransactionUpdatedSearchKey": n.oldest_key,
                "numInvestmentTransactionsAdded": n.investment_transactions_added,
                "numInvestmentTransactionsUpdated": 0,
                "investmentTransactionIdsRemoved": [],
            })
        })
        .collect();
    let mut extra = Map::new();
    extra.insert("financialAccounts".into(), Value::Array(list));
    record(account, seed, at, event_type, connection, extra);
}

/// The fields every bank-linking payload carries.
fn common(account: &Account, c: &Connection, seed: u64, n: u64) -> Map<String, Value> {
    let mut rng = rng_for(seed, &format!("meld event request {n}"));
    let external = account.customer(&c.customer_id).map(|cu| &cu.external_id);
    let mut m = Map::new();
    m.insert("requestId".into(), json!(hex_id(&mut rng, 16)));
    m.insert("customerId".into(), json!(c.customer_id));
    m.insert("externalCustomerId".into(), json!(external));
    m.insert("connectionId".into(), json!(c.id));
    m.insert("institutionId".into(), json!(c.institution_id));
    m.insert("institutionName".into(), json!(c.institution_name));
    m.insert(
        "serviceProviderDetails".into(),
        json!({ "serviceProvider": c.service_provider }),
    );
    m
}

fn push(
    account: &mut Account,
    seed: u64,
    at: DateTime<Utc>,
    event_type: &'static str,
    connection_id: Option<String>,
    addressed: bool,
    payload: Map<String, Value>,
) {
    let n = account.events_emitted;
    account.events_emitted += 1;
    let mut rng = match account.id_salt {
        0 => rng_for(seed, &format!("meld event {n}")),
        salt => rng_for(seed, &format!("meld event {n} {salt}")),
    };
    let body = json!({
        "eventType": event_type,
        "eventId": base58_id(&mut rng),
        "timestamp": Timestamp::new(at, Precision::Micros).to_string(),
        "accountId": account.id,
        "profileId": null,
        "version": account.default_version,
        "payload": Value::Object(payload),
    });
    if account.events.len() >= EVENT_LIMIT {
        account.events.pop_front();
    }
    account.events.push_back(Event {
        connection_id,
        event_type,
        body,
        addressed,
        legacy: matches!(
            event_type,
            "BANK_LINKING_CUSTOMER_ACTION_REQUIRED" | "BANK_LINKING_NEW_ACCOUNTS_AVAILABLE"
        ),
    });
}
