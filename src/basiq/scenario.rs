//! Basiq's part of the scenario format: the `[basiq]` section — the application, its
//! institutions and personas, users, connections, accounts and transactions, and a generated
//! crowd — as serde types. Located checks on it are in [`super::check`].

use schemars::JsonSchema;
use serde::Deserialize;

use crate::scenario::model::{HistorySpec, RecurringSpec, TransitionSpec};
use crate::value::{Money, Span, Timestamp};

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
    /// How long after a webhook is created its messages start to be delivered (Basiq: "up to
    /// 15 minutes"; default `0s`). Messages wait, listed with no attempts, until then.
    pub webhook_cool_off: Option<Span>,
    /// What becomes of pending transactions at the refreshes after they appear.
    pub pending: Option<BasiqPendingSpec>,
    /// What each day between refreshes brings to accounts whose history is generated.
    pub activity: Option<BasiqActivitySpec>,
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

/// How pending transactions settle. As Basiq documents, each refresh of a connection deletes
/// its pending transactions and imports them afresh, with new ids; one that is due by then (a
/// number of business days after its transaction date, drawn from the seed) comes back posted,
/// `postDate` the day it was due. The refresh's `transactions.updated` event counts what it
/// imported.
#[derive(Debug, Clone, Copy, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BasiqPendingSpec {
    /// `false`: pending transactions stay pending, imported afresh at each refresh (default
    /// `true`).
    pub settle: Option<bool>,
    /// Business days after its transaction date before a pending transaction is due, at least
    /// (default 3).
    pub min_days: Option<u32>,
    /// … and at most (default 5).
    pub max_days: Option<u32>,
}

/// New activity. A refresh brings each account whose history is generated (not one whose
/// transactions the scenario spells out) the days since its last activity, at most the 31
/// latest: salary every second week, rent, bills, subscriptions and card purchases, card
/// purchases pending until due. A user holding 200,000 transactions gains no more.
#[derive(Debug, Clone, Copy, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BasiqActivitySpec {
    /// `false`: refreshes bring no new days (default `true`).
    pub daily: Option<bool>,
    /// Percent of a usual day's card purchases a day brings, 0 to 100 (default 100).
    pub rate: Option<u32>,
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
    /// Payments that come back on a calendar, booked in the generated history and in the
    /// days refreshes bring.
    #[serde(default)]
    pub recurring: Vec<RecurringSpec>,
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
