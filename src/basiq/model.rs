//! Basiq state as sandbank holds it: the application, its users and everything under them.
//!
//! The tree follows Basiq's own (application → users → connections, accounts, transactions).
//! Accounts and transactions hang off the user, not the connection, because Basiq keeps them
//! when a connection is deleted. Nothing here knows about HTTP or JSON; see `wire`.

use std::sync::Arc;

use crate::value::{Money, Timestamp};

/// Connection statuses of the v3 spec enum.
pub const CONNECTION_STATUSES: &[&str] = &["active", "pending", "invalid", "pre-init"];

/// Connection methods: `open-banking` is emitted; `openbanking` is accepted as a spelling.
pub const CONNECTION_METHODS: &[&str] = &["web", "open-banking", "openbanking"];

/// Account class types.
pub const ACCOUNT_CLASSES: &[&str] = &[
    "transaction",
    "savings",
    "credit-card",
    "mortgage",
    "loan",
    "investment",
    "term-deposit",
    "insurance",
    "foreign",
    "unknown",
];

/// Account statuses.
pub const ACCOUNT_STATUSES: &[&str] = &["available", "unavailable"];

/// Transaction statuses.
pub const TRANSACTION_STATUSES: &[&str] = &["posted", "pending"];

/// Transaction classes.
pub const TRANSACTION_CLASSES: &[&str] = &[
    "bank-fee",
    "payment",
    "cash-withdrawal",
    "transfer",
    "loan-interest",
    "refund",
    "direct-credit",
    "interest",
    "loan-repayment",
];

/// The static spelling of a transaction class (`payment` for one not in the list, which a
/// checked scenario never holds).
pub fn transaction_class(class: &str) -> &'static str {
    TRANSACTION_CLASSES
        .iter()
        .find(|c| **c == class)
        .copied()
        .unwrap_or("payment")
}

/// Scopes a token can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Scope {
    #[serde(rename = "SERVER_ACCESS")]
    Server,
    #[serde(rename = "CLIENT_ACCESS")]
    Client,
}

/// The Basiq application of a scenario.
#[derive(Debug, Clone)]
pub struct Application {
    /// Application id (the part of the API key before the colon).
    pub id: String,
    /// API keys, as sent after `Basic `.
    pub api_keys: Vec<String>,
    /// Whether the partner account is disabled (`/token` answers 403).
    pub disabled: bool,
    /// Whether transactions carry `enrich` data.
    pub enrich: bool,
    /// Where the Consent UI sends the user when they finish.
    pub redirect_url: Option<String>,
    /// The code of every auth link's SMS.
    pub auth_link_code: String,
    /// The institutions clients can connect to and the logins that work there.
    pub sandbox: Arc<super::personas::Sandbox>,
    /// Users by insertion order.
    pub users: Vec<User>,
    /// Webhooks, in creation order.
    pub webhooks: Vec<super::webhooks::Webhook>,
    /// How long after a webhook is created its deliveries start.
    pub webhook_cool_off: chrono::Duration,
    /// Webhook messages, oldest first.
    pub messages: Vec<super::webhooks::Message>,
    /// Events, oldest first.
    pub events: Vec<super::events::Event>,
    /// Events recorded over the application's life, pruned ones included (event ids count on
    /// it, so an id is never given twice).
    pub events_recorded: u64,
    /// Mixed into the ids of events minted while serving, so they (and the webhook messages
    /// carrying them) differ from one run (and reset) to the next; 0 when ids are to be
    /// reproducible.
    pub id_salt: u64,
    /// Jobs, oldest first.
    pub jobs: Vec<super::jobs::Job>,
    /// How many of the oldest jobs are settled (a settled job stays so, and jobs are only
    /// added at the end), so settling looks at the jobs after them only.
    pub jobs_settled: usize,
    /// How long each job step takes on the server clock.
    pub step_duration: chrono::Duration,
    /// What falls due on the server clock, earliest first (see `deadlines`).
    pub deadlines: Vec<super::deadlines::Deadline>,
    /// What refreshes bring: pending transactions settling, each day's activity.
    pub refresh: super::refresh::Rules,
    /// Tokens whose signature has been checked, so a token is verified once, not per request.
    /// Expiry is still checked on every use.
    pub verified: super::auth::Verified,
}

impl Default for Application {
    fn default() -> Self {
        Application {
            id: String::new(),
            api_keys: Vec::new(),
            disabled: false,
            enrich: true,
            redirect_url: None,
            auth_link_code: DEFAULT_AUTH_LINK_CODE.to_owned(),
            sandbox: super::personas::Sandbox::built_in(),
            users: Vec::new(),
            jobs: Vec::new(),
            jobs_settled: 0,
            events: Vec::new(),
            events_recorded: 0,
            id_salt: 0,
            webhooks: Vec::new(),
            webhook_cool_off: chrono::Duration::zero(),
            messages: Vec::new(),
            step_duration: chrono::Duration::seconds(1),
            deadlines: Vec::new(),
            refresh: super::refresh::Rules::default(),
            verified: Default::default(),
        }
    }
}

impl Application {
    /// The user with this id.
    pub fn user(&self, id: &str) -> Option<&User> {
        self.users.iter().find(|u| u.id == id)
    }

    /// The user with this id, mutably.
    pub fn user_mut(&mut self, id: &str) -> Option<&mut User> {
        self.users.iter_mut().find(|u| u.id == id)
    }
}

/// A Basiq user.
#[derive(Debug, Clone, Default)]
pub struct User {
    pub id: String,
    pub email: String,
    pub mobile: String,
    pub name: String,
    pub first_name: String,
    pub middle_name: String,
    pub last_name: String,
    pub business_name: Option<String>,
    pub business_id_no: Option<String>,
    pub business_id_no_type: Option<String>,
    pub business_address: Option<serde_json::Map<String, serde_json::Value>>,
    pub verification_status: Option<bool>,
    pub verification_date: Option<String>,
    pub connections: Vec<Connection>,
    pub accounts: Vec<Account>,
    pub transactions: Vec<Transaction>,
    pub consents: Vec<Consent>,
    /// Consents revoked so far (a consent given after one is a new consent with an id of its
    /// own).
    pub consents_revoked: u32,
    /// The latest auth link, if one was ever created.
    pub auth_link: Option<AuthLink>,
}

/// The auth link SMS code when a scenario names none (Basiq's sandbox code is undocumented).
pub const DEFAULT_AUTH_LINK_CODE: &str = "123456";

/// A consent the user gave (through the Consent UI, or implied by a connection).
#[derive(Debug, Clone)]
pub struct Consent {
    pub id: String,
    pub created: Timestamp,
    pub updated: Timestamp,
    pub expiry: Timestamp,
}

impl Consent {
    /// Whether it is still in force at `now` (not yet expired).
    pub fn active(&self, now: chrono::DateTime<chrono::Utc>) -> bool {
        self.expiry.at > now
    }
}

/// An auth link: a hosted consent URL for the user's mobile, valid for 7 days.
#[derive(Debug, Clone)]
pub struct AuthLink {
    pub id: String,
    pub mobile: String,
    pub expires: Timestamp,
    /// Deleted links answer 410 until a new one is made.
    pub deleted: bool,
    /// Whether the SMS code was entered: the Consent UI opens from the link only then.
    pub code_entered: bool,
}

impl User {
    /// The connection with this id.
    pub fn connection(&self, id: &str) -> Option<&Connection> {
        self.connections.iter().find(|c| c.id == id)
    }

    /// The account with this id.
    pub fn account(&self, id: &str) -> Option<&Account> {
        self.accounts.iter().find(|a| a.id == id)
    }

    /// The transaction with this id.
    pub fn transaction(&self, id: &str) -> Option<&Transaction> {
        let id = TxnId::new(id);
        self.transactions.iter().find(|t| t.id == id)
    }
}

/// A connection to an institution.
#[derive(Debug, Clone)]
pub struct Connection {
    pub id: String,
    pub status: String,
    pub method: String,
    pub mfa_enabled: bool,
    pub created_date: Timestamp,
    pub last_used: Option<Timestamp>,
    pub expiry_date: Option<Timestamp>,
    pub institution: String,
    pub profile: Profile,
    /// The credentials the connection was made with (never returned); `None` for connections a
    /// scenario spells out, whose refreshes succeed.
    pub login: Option<(String, String)>,
}

impl Connection {
    /// Whether it came by a statement upload (`csv`, `pdf`): nothing to log in to, so no
    /// refreshes, no new credentials and no identity from the bank.
    pub fn uploaded(&self) -> bool {
        matches!(self.method.as_str(), "csv" | "pdf")
    }
}

/// The data-sharer profile of a connection.
#[derive(Debug, Clone, Default)]
pub struct Profile {
    pub full_name: String,
    pub first_name: String,
    pub last_name: String,
    pub middle_name: String,
    pub phone_numbers: Vec<String>,
    pub email_addresses: Vec<String>,
    pub physical_addresses: Vec<Address>,
}

/// An address as the institution reports it; unknown parts are `None` (JSON `null`).
#[derive(Debug, Clone, Default)]
pub struct Address {
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

/// An account retrieved through a connection.
#[derive(Debug, Clone)]
pub struct Account {
    pub id: String,
    pub connection: String,
    pub institution: String,
    pub account_no: String,
    pub name: String,
    pub currency: String,
    pub balance: Option<Money>,
    pub available_funds: Option<Money>,
    pub credit_limit: Option<Money>,
    pub last_updated: Timestamp,
    pub class_type: String,
    pub product: String,
    pub status: String,
    pub account_holder: Option<String>,
    /// First day of transaction data (`transactionIntervals[0].from`).
    pub history_from: Option<chrono::NaiveDate>,
    /// The last day whose activity the account holds, for accounts whose history is generated
    /// (a refresh brings the days after it); `None` for accounts that change only as scripted.
    pub activity_through: Option<chrono::NaiveDate>,
    /// Payments that come back on a calendar, booked in the days refreshes bring.
    pub recurring: Arc<[crate::generate::recurring::Recurring]>,
}

pub use super::row::{NewTransaction, Owner, Transaction, TxnId};

/// Enrich's clean description: the payee without card numbers and places, in title case.
pub fn clean_description(description: &str) -> String {
    let description = description.strip_prefix("SALARY ").unwrap_or(description);
    let mut clean = String::with_capacity(description.len());
    let payee = description
        .split_whitespace()
        .take_while(|w| !w.chars().all(|c| c.is_ascii_digit()) && *w != "REF" && *w != "DIRECT");
    for word in payee {
        if !clean.is_empty() {
            clean.push(' ');
        }
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            clean.extend(first.to_uppercase());
            clean.extend(chars.flat_map(char::to_lowercase));
        }
    }
    clean
}
