//! Meld state as sandbank holds it: the account that owns the API key, its customers,
//! connections, financial accounts and transactions.
//!
//! Objects are kept flat and linked by id, as Meld links them: an account can belong to several
//! connections, and a deleted connection stays readable with status `DELETED`.

use chrono::{DateTime, Duration, Utc};

use super::events::Event;
use crate::value::{Money, Timestamp};

/// Connection statuses (current and legacy).
pub const STATUSES: &[&str] = &[
    "IN_PROGRESS",
    "ACTIVE",
    "PARTIALLY_ACTIVE",
    "DEGRADED",
    "RECONNECT_REQUIRED",
    "UNRECOVERABLE",
    "UNDETERMINED",
    "DELETED",
    "EXPIRED",
];

/// Connection status reasons.
pub const STATUS_REASONS: &[&str] = &[
    "ACCESS_EXPIRING_SOON",
    "NEW_ACCOUNTS_AVAILABLE",
    "PARTIAL_AGGREGATION_SUCCESS",
    "INACTIVE_DUPLICATE",
    "INSTITUTION_CURRENTLY_UNAVAILABLE",
    "INSTITUTION_ACTION_REQUIRED",
    "SERVICE_PROVIDER_CURRENTLY_UNAVAILABLE",
    "INTERACTIVE_REFRESH",
    "LOGIN_REQUIRED",
    "REPAIRING_INSTITUTION",
    "TOKEN_EXPIRED",
    "OTHER",
    "CONTINUED_AGGREGATION_FAILURES",
];

/// Products a connection can be asked for.
pub const PRODUCTS: &[&str] = &[
    "BALANCES",
    "IDENTIFIERS",
    "INVESTMENT_HOLDINGS",
    "INVESTMENT_TRANSACTIONS",
    "OWNERS",
    "TRANSACTIONS",
];

/// Bank-linking service providers.
pub const SERVICE_PROVIDERS: &[&str] = &[
    "AKOYA",
    "FINICITY",
    "MX",
    "PLAID",
    "SALTEDGE",
    "SALTEDGEPARTNERS",
    "YODLEE",
    "MESH",
];

/// Processors a processor token can be made for.
pub const PROCESSORS: &[&str] = &[
    "ACHQ",
    "ADP_ROLL",
    "ALLOY",
    "ALPACA",
    "APEX",
    "ASTRA",
    "ATOMIC",
    "AYDEN",
    "BAKKT",
    "BOND",
    "CHECK",
    "CHECKBOOK",
    "CHECKOUT",
    "CIRCLE",
    "DRIVEWEALTH",
    "DWOLLA",
    "FINIX",
    "FORTRESS_TRUST",
    "GALILEO",
    "GEMINI",
    "GUSTO",
    "HIGHNOTE",
    "I2C",
    "KNOT",
    "LITHIC",
    "MARQETA",
    "MODERN_TREASURY",
    "MOOV",
    "OCROLUS",
    "PRIME_TRUST",
    "RISKIFIED",
    "RIZE",
    "SARDINE",
    "SILA_MONEY",
    "SILICON_VALLEY_BANK",
    "SOLID",
    "STRIPE",
    "TABA_PAY",
    "TEAL",
    "TREASURY_PRIME",
    "UNIT",
    "UTB",
    "VESTA",
    "VOPAY",
    "WEPAY",
    "WYRE",
    "ZERO_HASH",
];

/// Financial account types and their subtypes.
pub const ACCOUNT_TYPES: &[(&str, &[&str])] = &[
    (
        "DEPOSITORY",
        &["CHECKING", "SAVINGS", "MONEY_MARKET", "CD", "OTHER"],
    ),
    ("CREDIT", &["CREDIT_CARD", "LINE_OF_CREDIT", "OTHER"]),
    (
        "LOAN",
        &["MORTGAGE", "AUTO", "STUDENT", "PERSONAL", "OTHER"],
    ),
    ("INVESTMENT", &["BROKERAGE", "IRA", "ROTH", "401K", "OTHER"]),
    ("OTHER", &["OTHER"]),
];

/// Financial account statuses.
pub const ACCOUNT_STATUSES: &[&str] = &["ACTIVE", "INACTIVE"];

/// Transaction statuses.
pub const TRANSACTION_STATUSES: &[&str] = &["PENDING", "POSTED", "SHADOW", "EXPIRED"];

/// Transaction categories.
pub const CATEGORIES: &[&str] = &[
    "INCOME",
    "BILLS",
    "LOAN",
    "EDUCATION",
    "ENTERTAINMENT",
    "FOOD_AND_DRINK",
    "FEE",
    "FAMILY",
    "HEALTH",
    "HOME",
    "TRANSPORTATION",
    "TRAVEL",
    "TRANSFER",
    "MEDICAL",
    "INVESTMENTS",
    "SHOPPING",
    "TAXES",
    "OTHER",
    "UNCATEGORIZED",
];

/// The Meld account that owns the API key(s).
#[derive(Debug, Clone, Default)]
pub struct Account {
    pub id: String,
    pub api_keys: Vec<String>,
    pub default_version: String,
    pub customers: Vec<Customer>,
    pub connections: Vec<Connection>,
    pub financial_accounts: Vec<FinancialAccount>,
    pub transactions: Vec<Transaction>,
    pub holdings: Vec<Holding>,
    pub investment_transactions: Vec<InvestmentTransaction>,
    /// Webhook events produced so far, oldest first (bounded; see [`super::events`]).
    pub events: std::collections::VecDeque<Event>,
    /// The webhook profiles events are delivered to, each with its own version (Meld keeps
    /// them in its dashboard); at most [`MAX_WEBHOOK_PROFILES`].
    pub webhooks: Vec<WebhookProfile>,
    /// Events ever produced, for deterministic event ids.
    pub events_emitted: u64,
    /// Mixed into the ids of events minted while serving, so they differ from one run (and
    /// reset) to the next; 0 when ids are to be reproducible.
    pub id_salt: u64,
    /// Aggregations started and not yet finished, earliest first.
    pub pending: Vec<Aggregation>,
    /// How rules of the connection lifecycle are configured.
    pub rules: Rules,
}

/// A webhook profile (set in Meld's dashboard; here in the scenario or the admin API).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookProfile {
    /// Sent as `profileId`.
    pub id: String,
    pub url: String,
    pub secret: String,
    /// The version of the events it receives (their `version`; `2022-11-10` and older also
    /// get the legacy event types).
    pub version: String,
}

/// Webhook profiles an account may have.
pub const MAX_WEBHOOK_PROFILES: usize = 10;

impl Account {
    /// Whether some profile (or, with none, the account's default version) still takes the
    /// legacy event types.
    pub fn wants_legacy_events(&self) -> bool {
        let legacy = |v: &str| v <= super::events::LEGACY_UNTIL;
        match self.webhooks.as_slice() {
            [] => legacy(&self.default_version),
            profiles => profiles.iter().any(|p| legacy(&p.version)),
        }
    }
}

/// Lifecycle settings a scenario may change.
#[derive(Debug, Clone)]
pub struct Rules {
    /// Time from a completed widget (or a refresh) to the end of aggregation.
    pub aggregation_delay: Duration,
    /// Statuses a forced refresh is allowed from.
    pub refreshable: Vec<String>,
    /// `STATUS` or `STATUS/REASON` entries a repair is allowed from.
    pub repairable: Vec<String>,
    /// Lifetime of a connect token, and of an unfinished connection before it expires.
    pub connect_token_lifetime: Duration,
    /// How pending transactions settle.
    pub pending: Pending,
}

/// How pending transactions settle at aggregations (see `MeldPendingSpec`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pending {
    /// Whether they settle at all.
    pub settle: bool,
    /// Business days after the transaction date before one is due, at least and at most.
    pub min_days: u32,
    pub max_days: u32,
    /// Percent of due ones that expire instead of posting.
    pub expire_percent: u32,
}

impl Default for Pending {
    fn default() -> Self {
        Pending {
            settle: true,
            min_days: 1,
            max_days: 5,
            expire_percent: 5,
        }
    }
}

/// Refresh is allowed from these statuses unless the scenario says otherwise.
pub const DEFAULT_REFRESHABLE: &[&str] =
    &["ACTIVE", "PARTIALLY_ACTIVE", "DEGRADED", "UNDETERMINED"];

/// Repair is allowed from these statuses (or status/reason pairs) unless the scenario says
/// otherwise.
pub const DEFAULT_REPAIRABLE: &[&str] = &[
    "RECONNECT_REQUIRED",
    "DEGRADED",
    "UNRECOVERABLE",
    "UNDETERMINED",
    "PARTIALLY_ACTIVE",
    "ACTIVE/ACCESS_EXPIRING_SOON",
    "ACTIVE/NEW_ACCOUNTS_AVAILABLE",
];

impl Default for Rules {
    fn default() -> Self {
        Rules {
            aggregation_delay: Duration::seconds(2),
            refreshable: DEFAULT_REFRESHABLE
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
            repairable: DEFAULT_REPAIRABLE.iter().map(|s| (*s).to_owned()).collect(),
            connect_token_lifetime: Duration::hours(4),
            pending: Pending::default(),
        }
    }
}

impl Rules {
    /// Whether a forced refresh is allowed for this connection's status.
    pub fn can_refresh(&self, c: &Connection) -> bool {
        self.refreshable.contains(&c.status)
    }

    /// Whether a repair is allowed for this connection's status and reason.
    pub fn can_repair(&self, c: &Connection) -> bool {
        self.repairable
            .iter()
            .any(|entry| match entry.split_once('/') {
                Some((status, reason)) => {
                    status == c.status && c.status_reason.as_deref() == Some(reason)
                }
                None => *entry == c.status,
            })
    }
}

/// What an aggregation was started by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AggregationKind {
    /// The widget completed for a new connection: accounts and two years of history.
    Connect,
    /// The repair widget completed.
    Repair,
    /// A forced refresh or a product update.
    Refresh,
}

/// An aggregation due to finish at `due`.
#[derive(Debug, Clone)]
pub struct Aggregation {
    pub due: DateTime<Utc>,
    pub connection_id: String,
    pub kind: AggregationKind,
    /// The status (and reason) a scripted refresh ends in.
    pub outcome: Option<(String, Option<String>)>,
}

impl Account {
    /// The connection with this id (deleted ones included).
    pub fn connection(&self, id: &str) -> Option<&Connection> {
        self.connections.iter().find(|c| c.id == id)
    }

    /// The customer with this id.
    pub fn customer(&self, id: &str) -> Option<&Customer> {
        self.customers.iter().find(|c| c.id == id)
    }

    /// The connection with this id, to change it.
    pub fn connection_mut(&mut self, id: &str) -> Option<&mut Connection> {
        self.connections.iter_mut().find(|c| c.id == id)
    }
}

/// A Meld customer.
#[derive(Debug, Clone)]
pub struct Customer {
    pub id: String,
    pub external_id: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// `yyyy-MM-dd`.
    pub date_of_birth: Option<String>,
    /// `ACTIVE` or `INACTIVE`.
    pub status: String,
    pub created_at: Timestamp,
}

impl Customer {
    /// A customer known only by its ids: `ACTIVE`, created at `now`.
    pub fn new(id: String, external_id: String, now: DateTime<Utc>) -> Customer {
        Customer {
            id,
            external_id,
            first_name: None,
            last_name: None,
            email: None,
            phone: None,
            date_of_birth: None,
            status: "ACTIVE".to_owned(),
            created_at: Timestamp::seconds(now),
        }
    }
}

/// An institution connection.
#[derive(Debug, Clone)]
pub struct Connection {
    pub id: String,
    pub customer_id: String,
    pub institution_id: Option<String>,
    pub institution_name: Option<String>,
    pub status: String,
    pub status_reason: Option<String>,
    pub products: Vec<String>,
    pub optional_products: Vec<String>,
    pub regions: Vec<String>,
    pub service_provider: String,
    /// `serviceProviderDetails`, provider name included.
    pub service_provider_details: serde_json::Map<String, serde_json::Value>,
    pub created_at: Timestamp,
    pub successfully_aggregated_at: Option<Timestamp>,
    pub duplicate_connection_ids: Option<Vec<String>>,
    pub active_duplicate_connection_id: Option<String>,
    /// The username the customer signed in with (decides sandbox behaviour and duplicates).
    pub login: Option<String>,
    /// Connect tokens issued for this connection and not yet used.
    pub open_tokens: Vec<String>,
    /// When the last forced refresh was accepted (providers limit how often).
    pub last_forced_refresh: Option<DateTime<Utc>>,
    /// Aggregations that failed in a row since the last one that did not.
    pub failed_aggregations: u32,
}

impl Connection {
    /// A connection just started (`IN_PROGRESS`): products, optional products and regions as
    /// asked, institution and provider as known so far.
    pub fn started(
        id: String,
        customer_id: String,
        institution: Option<(&str, &str)>,
        provider: &str,
        (products, optional_products, regions): (Vec<String>, Vec<String>, Vec<String>),
        now: DateTime<Utc>,
    ) -> Connection {
        let mut details = serde_json::Map::new();
        details.insert("serviceProvider".into(), provider.into());
        Connection {
            id,
            customer_id,
            institution_id: institution.map(|i| i.0.to_owned()),
            institution_name: institution.map(|i| i.1.to_owned()),
            status: "IN_PROGRESS".to_owned(),
            status_reason: None,
            products,
            optional_products,
            regions,
            service_provider: provider.to_owned(),
            service_provider_details: details,
            created_at: Timestamp::seconds(now),
            successfully_aggregated_at: None,
            duplicate_connection_ids: None,
            active_duplicate_connection_id: None,
            login: None,
            open_tokens: Vec::new(),
            last_forced_refresh: None,
            failed_aggregations: 0,
        }
    }
}

/// Balances of a financial account.
#[derive(Debug, Clone)]
pub struct Balances {
    pub currency: String,
    pub current_amount: Money,
    pub available_amount: Option<Money>,
    pub updated_at: Timestamp,
}

/// A financial account.
#[derive(Debug, Clone)]
pub struct FinancialAccount {
    pub id: String,
    pub customer_id: String,
    pub connection_ids: Vec<String>,
    pub institution_id: Option<String>,
    pub institution_name: Option<String>,
    pub status: String,
    pub kind: String,
    pub subtype: String,
    pub name: String,
    pub truncated_account_number: String,
    pub balances: Balances,
    pub created_at: Timestamp,
    /// The holder as the provider reports it; `None` means the customer's own details.
    pub owner: Option<Owner>,
}

/// An account holder as a provider reports it.
#[derive(Debug, Clone)]
pub struct Owner {
    pub names: Vec<String>,
    pub address: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// A financial-account transaction.
#[derive(Debug, Clone)]
pub struct Transaction {
    pub id: String,
    pub financial_account_id: String,
    pub customer_id: String,
    pub connection_ids: Vec<String>,
    /// Positive = money out.
    pub amount: Money,
    pub currency: String,
    pub description: String,
    pub status: String,
    pub category: String,
    pub transaction_date: Timestamp,
    pub posted_date: Option<Timestamp>,
}

/// A position held in an investment account. Quantities are in thousandths of a unit.
#[derive(Debug, Clone)]
pub struct Holding {
    pub id: String,
    pub financial_account_id: String,
    pub customer_id: String,
    pub connection_ids: Vec<String>,
    /// `STOCK`, `MUTUALFUND`, `CASH`, `ETF`, `DIGITALASSET`, …
    pub kind: String,
    pub symbol: Option<String>,
    pub description: String,
    pub quantity: i64,
    pub close_price: Money,
    pub current_value: Option<Money>,
    pub cost_basis: Option<Money>,
    pub currency: String,
    pub cusip: Option<String>,
    pub isin: Option<String>,
    pub updated_at: Timestamp,
}

/// A trade, dividend or transfer in an investment account. Quantities are in thousandths.
#[derive(Debug, Clone)]
pub struct InvestmentTransaction {
    pub id: String,
    pub financial_account_id: String,
    pub customer_id: String,
    pub connection_ids: Vec<String>,
    /// `BUY`, `SELL`, `CANCEL`, `CASH`, `OTHER`, `TRANSFER`.
    pub kind: String,
    /// `PENDING` or `POSTED`.
    pub status: String,
    /// Positive = money left the account's cash.
    pub amount: Money,
    pub currency: String,
    pub description: String,
    pub symbol: Option<String>,
    pub quantity: i64,
    pub cost_basis: Option<Money>,
    pub cash_balance: Option<Money>,
    pub transaction_date: Timestamp,
    pub posted_date: Option<Timestamp>,
}

/// Holding types.
pub const HOLDING_TYPES: &[&str] = &[
    "STOCK",
    "MUTUALFUND",
    "CASH",
    "OTHER",
    "REALESTATE",
    "ETF",
    "DERIVATIVE",
    "DIGITALASSET",
];

/// Investment transaction types.
pub const INVESTMENT_TRANSACTION_TYPES: &[&str] =
    &["SELL", "BUY", "CANCEL", "CASH", "OTHER", "TRANSFER"];
