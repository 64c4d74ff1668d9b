//! Meld's part of the scenario format: the `[meld]` section — the account, its rules and
//! webhook, customers, connections, financial accounts and transactions — as serde types.
//! Located checks on it are in [`super::check`].

use schemars::JsonSchema;
use serde::Deserialize;

use crate::scenario::model::{HistorySpec, TransitionSpec};
use crate::value::{Money, Span, Timestamp};

/// The Meld account (the owner of the API key) and its customers.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MeldSpec {
    /// Your Meld account id (`accountId` on every object).
    pub account_id: Option<String>,
    /// API keys accepted after `BASIC `.
    #[serde(default)]
    pub api_keys: Vec<String>,
    /// The account's default `Meld-Version`, used when a request sends none.
    pub default_version: Option<String>,
    /// From a completed widget or a refresh to the end of aggregation (default `2s`).
    pub aggregation_delay: Option<Span>,
    /// Statuses a forced refresh is accepted from (default: `ACTIVE`, `PARTIALLY_ACTIVE`,
    /// `DEGRADED`, `UNDETERMINED`); others answer 409.
    pub refreshable_statuses: Option<Vec<String>>,
    /// `STATUS` or `STATUS/REASON` entries a repair is accepted from (default:
    /// `RECONNECT_REQUIRED`, `DEGRADED`, `UNRECOVERABLE`, `UNDETERMINED`, `PARTIALLY_ACTIVE`,
    /// `ACTIVE/ACCESS_EXPIRING_SOON`, `ACTIVE/NEW_ACCOUNTS_AVAILABLE`); others answer 409.
    pub repairable_statuses: Option<Vec<String>>,
    /// The webhook profile events are delivered to (Meld sets it in its dashboard).
    pub webhook: Option<MeldWebhookSpec>,
    /// More webhook profiles (after `webhook`), each receiving every event at its own
    /// version; at most 10 in all.
    #[serde(default)]
    pub webhooks: Vec<MeldWebhookSpec>,
    /// What becomes of pending transactions at the aggregations after they appear.
    pub pending: Option<MeldPendingSpec>,
    #[serde(default)]
    pub customers: Vec<MeldCustomerSpec>,
}

/// How pending transactions settle. At each aggregation of a connection (a refresh, or a
/// scripted one), every pending transaction of its accounts that is due by then posts (status
/// `POSTED`, `postedDate` the day it was due) or expires (status `EXPIRED`, its amount given
/// back to the balances, which counted it while it was pending), and the aggregation's
/// `BANK_LINKING_TRANSACTIONS_AGGREGATED` event counts them (`numTransactionsUpdated`,
/// `transactionIdsRemoved`).
#[derive(Debug, Clone, Copy, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MeldPendingSpec {
    /// `false`: pending transactions stay pending (default `true`).
    pub settle: Option<bool>,
    /// Business days after its transaction date before a pending transaction is due, at least
    /// (default 1).
    pub min_days: Option<u32>,
    /// … and at most (default 5); each transaction's delay is drawn from the seed.
    pub max_days: Option<u32>,
    /// Percent of due pending transactions that expire instead of posting (default 5).
    pub expire_percent: Option<u32>,
}

/// A Meld webhook profile.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MeldWebhookSpec {
    /// Sent as `profileId` on every event.
    pub profile_id: Option<String>,
    pub url: String,
    /// The signing secret.
    pub secret: String,
    /// The version of the events it receives, `YYYY-MM-DD` (the account's `defaultVersion`
    /// when absent); `2022-11-10` and older also receive the legacy event types.
    pub version: Option<String>,
}

/// A customer's name.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MeldNameSpec {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
}

/// A Meld customer.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MeldCustomerSpec {
    pub id: Option<String>,
    /// Your id for the customer (`externalCustomerId` on connections).
    pub external_id: Option<String>,
    pub name: Option<MeldNameSpec>,
    pub email: Option<String>,
    pub phone: Option<String>,
    #[serde(default)]
    pub connections: Vec<MeldConnectionSpec>,
}

/// A Meld institution connection.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MeldConnectionSpec {
    pub id: Option<String>,
    /// Institution id; may be left out for `IN_PROGRESS` (then `null` until one is picked).
    pub institution_id: Option<String>,
    pub institution_name: Option<String>,
    /// `ACTIVE` when absent.
    pub status: Option<String>,
    pub status_reason: Option<String>,
    pub products: Option<Vec<String>>,
    pub optional_products: Option<Vec<String>>,
    pub regions: Option<Vec<String>>,
    /// `PLAID`, `FINICITY`, `MX`, `AKOYA`, …; `PLAID` when absent.
    pub service_provider: Option<String>,
    /// Extra provider fields merged into `serviceProviderDetails`.
    #[schemars(with = "Option<serde_json::Map<String, serde_json::Value>>")]
    pub service_provider_details: Option<toml::Table>,
    pub created_at: Option<Timestamp>,
    pub successfully_aggregated_at: Option<Timestamp>,
    /// Id of another connection this one duplicates (same login at the same provider).
    pub duplicate_of: Option<String>,
    /// Financial accounts (generated for `ACTIVE`-like connections when absent).
    pub accounts: Option<Vec<MeldAccountSpec>>,
    #[serde(default)]
    pub transitions: Vec<TransitionSpec>,
}

/// A Meld financial account.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MeldAccountSpec {
    pub id: Option<String>,
    pub name: Option<String>,
    /// `DEPOSITORY`, `CREDIT`, `LOAN`, `INVESTMENT`, `OTHER`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub subtype: Option<String>,
    pub truncated_account_number: Option<String>,
    pub currency: Option<String>,
    pub current_amount: Option<Money>,
    pub available_amount: Option<Money>,
    /// `ACTIVE` | `INACTIVE`.
    pub status: Option<String>,
    pub history: Option<HistorySpec>,
    #[serde(default)]
    pub transactions: Vec<MeldTransactionSpec>,
}

/// A Meld financial-account transaction.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MeldTransactionSpec {
    pub id: Option<String>,
    pub description: Option<String>,
    /// Positive = money left the account (Meld's sign convention).
    pub amount: Money,
    pub status: Option<String>,
    pub category: Option<String>,
    pub transaction_date: Option<Timestamp>,
    pub posted_date: Option<Timestamp>,
}
