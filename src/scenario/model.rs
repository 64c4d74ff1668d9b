//! The scenario file format, version 1, as serde types.
//!
//! The tree mirrors the vendors' own state: Basiq users own connections, connections list the
//! accounts they retrieved, accounts carry their transactions; Meld customers own connections,
//! connections own financial accounts, accounts carry transactions. Keys are spelled as the
//! vendor spells the field (`createdDate`, `statusReason`, `optionalProducts`), so a scenario
//! reads like the JSON it produces. Unknown keys are errors everywhere.
//!
//! Every `Option` here means "generate it from the seed when absent"; see `crate::world` for
//! what is generated and how.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::value::{Money, Span, Timestamp};

/// A whole scenario file.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Scenario {
    /// Format version; only `1` exists.
    pub version: Option<u32>,
    /// Free text shown in logs.
    pub name: Option<String>,
    /// Seed of every generated value and id (same file + same seed ⇒ same responses).
    #[serde(default)]
    pub seed: u64,
    /// Instant at which generated histories end and before which generated dates fall.
    /// Fixed by default so that generated data does not depend on the day it is run.
    pub epoch: Option<Timestamp>,
    /// Where the server clock starts.
    pub clock: Option<ClockSpec>,
    /// The Basiq application and its data.
    pub basiq: Option<BasiqSpec>,
    /// The Meld account and its data.
    pub meld: Option<MeldSpec>,
}

/// Server clock settings.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ClockSpec {
    /// The instant the clock shows when the server starts (real time when absent).
    pub start: Option<Timestamp>,
    /// Keep the clock still until it is advanced.
    #[serde(default)]
    pub frozen: bool,
}

/// One scripted change of a connection, with what makes it happen.
///
/// The transitions of one connection form a chain: each is armed once the one before it has
/// fired (the first when the server starts), and fires on its trigger — `after` a duration
/// counted from when it was armed, `at` an instant, or `on` an operation: `"refresh"` (the next
/// refresh of this connection, whose outcome it decides) or `"request"` (the `nth` request to
/// `method` `path` on the connection's vendor). With neither, `every` sets the first firing.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TransitionSpec {
    /// Fires this long after it is armed.
    pub after: Option<Span>,
    /// Fires at this instant of the server clock (at once when armed later).
    pub at: Option<Timestamp>,
    /// `refresh` or `request`.
    pub on: Option<String>,
    /// `on = "request"`: the HTTP method to count (any method when absent).
    pub method: Option<String>,
    /// `on = "request"`: the path to count; `*` stands for one whole segment.
    pub path: Option<String>,
    /// `on = "request"`: fires on this matching request (1 when absent), counted from arming.
    pub nth: Option<u32>,
    /// Fires again this long after each firing.
    pub every: Option<Span>,
    /// With `every`: how many times it fires in all (unbounded when absent).
    pub times: Option<u32>,
    /// The new status (vendor spelling: `invalid` for Basiq, `RECONNECT_REQUIRED` for Meld).
    pub status: Option<String>,
    /// Meld only: the new `statusReason` (`null` when absent).
    pub status_reason: Option<String>,
    /// Basiq, `on = "refresh"`: the refresh job fails with this error code (it succeeds when
    /// absent, whatever the connection's status).
    pub fail: Option<String>,
    /// New transactions on each of the connection's accounts, with the events they raise.
    pub add_transactions: Option<u32>,
    /// The new balance of the connection's account `account`.
    pub balance: Option<Money>,
    /// With `balance`: the id of the account (as this file spells it) whose balance changes.
    pub account: Option<String>,
}

/// How much transaction history to generate on an account: `days` of it, or exactly
/// `transactions` entries (the newest of a history long enough to hold them), or the newest
/// `transactions` of `days`.
#[derive(Debug, Clone, Copy, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct HistorySpec {
    /// Days of history, ending at the account's `lastUpdated` (or the epoch).
    pub days: Option<u32>,
    /// How many transactions to keep, newest first.
    pub transactions: Option<u32>,
}

impl HistorySpec {
    /// `days` of history.
    pub const fn days(days: u32) -> Self {
        Self {
            days: Some(days),
            transactions: None,
        }
    }
}

// ----------------------------------------------------------------------------------------------
// Basiq

/// The Basiq application (one per scenario) and its users.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BasiqSpec {
    /// API keys as the dashboard issues them: Base64 of `<applicationId>:<secret>`.
    #[serde(default)]
    pub api_keys: Vec<String>,
    /// A disabled partner account cannot mint tokens.
    #[serde(default)]
    pub disabled: bool,
    /// How long each job step takes on the server clock (default `1s`).
    pub job_step_duration: Option<Span>,
    /// Whether the application has Enrich: transactions carry an `enrich` object (default) or
    /// `"enrich": null`.
    pub enrich: Option<bool>,
    /// Where the Consent UI sends the user when they finish, with `?jobIds=…&state=…` (the
    /// application's redirect URL in Basiq's dashboard). Without one, the last page lists the
    /// job ids.
    pub redirect_url: Option<String>,
    /// The 6-digit code an auth link's SMS carries, asked before the Consent UI opens from the
    /// link (`123456` when absent).
    pub auth_link_code: Option<String>,
    /// Test institutions besides Basiq's sandbox banks (one with a sandbox bank's id replaces
    /// it).
    #[serde(default)]
    pub institutions: Vec<BasiqInstitutionSpec>,
    /// Logins besides Basiq's sandbox personas, checked before them (so one with a sandbox
    /// persona's credentials replaces it).
    #[serde(default)]
    pub personas: Vec<BasiqPersonaSpec>,
    /// Users of the application.
    #[serde(default)]
    pub users: Vec<BasiqUserSpec>,
    /// More users, generated: each with one active `AU00000` connection.
    pub generated: Option<GeneratedUsersSpec>,
}

/// A test institution clients can connect to: listed by `/connectors` and `/institutions`,
/// offered by the Consent UI.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BasiqInstitutionSpec {
    /// Two capital letters and five digits, like `AU00000`.
    pub id: String,
    pub name: String,
    /// `name` when absent.
    pub short_name: Option<String>,
    /// When jobs present an `mfa-challenge` step: `never` (default), `always`, or `sometimes`
    /// (half the jobs, decided by the seed).
    pub mfa: Option<String>,
    /// How clients connect: `web` (default, a login and password) or `open-banking` (a CDR
    /// consent: member number and one-time password, as Basiq's "Hooli OB").
    pub method: Option<String>,
}

/// A login and what connecting with it leads to: the profile and accounts a job retrieves, the
/// MFA challenge it answers to, or the step failure it always meets.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BasiqPersonaSpec {
    pub login_id: String,
    pub password: String,
    /// The institution the login works at (every test institution when absent).
    pub institution: Option<String>,
    /// `web` (default): a login and password at web institutions; `open-banking`: a member
    /// number (`loginId`) and one-time password (`password`) at open-banking institutions.
    pub method: Option<String>,
    /// The connection's profile; without names it is made from the user's own details.
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// One line, `street, locality STATE postcode`.
    pub address: Option<String>,
    /// The challenge of its `mfa-challenge` step (a one-time password, `1234`, when absent).
    pub challenge: Option<BasiqChallengeSpec>,
    /// The job fails with this code, at the step that code belongs to: `invalid-credentials`
    /// or `authorization-failed` (`verify-credentials`),
    /// `account-not-accessible-requires-user-action` or `service-unavailable`
    /// (`retrieve-accounts`).
    pub fail: Option<String>,
    /// The failure's `detail` (the code's usual one when absent).
    pub fail_detail: Option<String>,
    /// The accounts a job retrieves (730 days of history each unless given; the persona's
    /// name is the holder unless given). Ids are minted per connection.
    #[serde(default)]
    pub accounts: Vec<BasiqAccountSpec>,
}

/// An MFA challenge: what the job's step shows and the answers it accepts.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BasiqChallengeSpec {
    /// `token` or `security-questions`.
    pub method: String,
    pub description: String,
    /// The prompts, one per answer.
    pub input: Vec<String>,
    /// Accepted answer lists, each with one entry per `input`.
    pub answers: Vec<Vec<String>>,
}

/// A crowd of generated Basiq users, for load and scale tests.
#[derive(Debug, Clone, Copy, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GeneratedUsersSpec {
    /// How many users.
    pub users: u32,
    /// Transactions across all of them, spread evenly over their accounts (a transaction and a
    /// savings account each).
    #[serde(default)]
    pub transactions: u64,
}

/// A Basiq user.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BasiqUserSpec {
    pub id: Option<String>,
    pub email: Option<String>,
    pub mobile: Option<String>,
    pub name: Option<String>,
    pub first_name: Option<String>,
    pub middle_name: Option<String>,
    pub last_name: Option<String>,
    pub business_name: Option<String>,
    pub business_id_no: Option<String>,
    pub business_id_no_type: Option<String>,
    /// The user's connections (none when absent).
    #[serde(default)]
    pub connections: Vec<BasiqConnectionSpec>,
}

/// A Basiq connection to an institution.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BasiqConnectionSpec {
    pub id: Option<String>,
    /// Institution id, `AU00000` when absent.
    pub institution: Option<String>,
    /// `active` | `pending` | `invalid` | `pre-init`; `active` when absent.
    pub status: Option<String>,
    /// `web` | `open-banking`; `web` when absent.
    pub method: Option<String>,
    pub mfa_enabled: Option<bool>,
    pub created_date: Option<Timestamp>,
    pub last_used: Option<Timestamp>,
    /// Open-banking consent expiry; web connections send `""`.
    pub expiry_date: Option<Timestamp>,
    pub profile: Option<BasiqProfileSpec>,
    /// Accounts retrieved through this connection (two are generated when absent).
    pub accounts: Option<Vec<BasiqAccountSpec>>,
    #[serde(default)]
    pub transitions: Vec<TransitionSpec>,
}

/// The data-sharer profile of a connection.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BasiqProfileSpec {
    pub full_name: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub middle_name: Option<String>,
    pub phone_numbers: Option<Vec<String>>,
    pub email_addresses: Option<Vec<String>>,
    pub physical_addresses: Option<Vec<BasiqAddressSpec>>,
}

/// A physical address as the institution reports it. Parts left out are `null`, as the vendor
/// sends them; `formattedAddress` is composed from the parts when left out.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BasiqAddressSpec {
    pub address_line1: Option<String>,
    pub address_line2: Option<String>,
    pub address_line3: Option<String>,
    pub postcode: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub country: Option<String>,
    pub country_code: Option<String>,
    pub formatted_address: Option<String>,
}

/// Account class: `{ type, product }`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BasiqClassSpec {
    #[serde(rename = "type")]
    pub kind: String,
    pub product: Option<String>,
}

/// A Basiq account.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BasiqAccountSpec {
    pub id: Option<String>,
    pub account_no: Option<String>,
    pub name: Option<String>,
    pub currency: Option<String>,
    pub balance: Option<Money>,
    pub available_funds: Option<Money>,
    pub credit_limit: Option<Money>,
    pub last_updated: Option<Timestamp>,
    pub class: Option<BasiqClassSpec>,
    /// `available` | `unavailable`.
    pub status: Option<String>,
    pub account_holder: Option<String>,
    /// Generated history (90 days when neither this nor `transactions` is given).
    pub history: Option<HistorySpec>,
    /// Transactions spelled out one by one (added to any generated history).
    #[serde(default)]
    pub transactions: Vec<BasiqTransactionSpec>,
}

/// A Basiq transaction.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BasiqTransactionSpec {
    pub id: Option<String>,
    pub description: Option<String>,
    pub amount: Money,
    /// `posted` | `pending`; `posted` when absent.
    pub status: Option<String>,
    pub post_date: Option<Timestamp>,
    pub transaction_date: Option<Timestamp>,
    /// Transaction class, e.g. `payment`, `transfer`, `bank-fee`.
    pub class: Option<String>,
}

// ----------------------------------------------------------------------------------------------
// Meld

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
    #[serde(default)]
    pub customers: Vec<MeldCustomerSpec>,
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
