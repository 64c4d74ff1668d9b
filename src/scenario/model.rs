//! The scenario file format, version 1, as serde types: the top level, the clock, and what
//! every vendor's section shares (transitions, histories). Each vendor's section is its own
//! (`crate::basiq::scenario`, `crate::meld::scenario`).
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

pub use crate::basiq::scenario::BasiqSpec;
pub use crate::meld::scenario::MeldSpec;
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

impl Scenario {
    /// The scenario with `vendor`'s section only (the other vendors' dropped).
    pub fn only(&self, vendor: &str) -> Scenario {
        let mut copy = self.clone();
        if vendor != crate::basiq::part::VENDOR {
            copy.basiq = None;
        }
        if vendor != crate::meld::part::VENDOR {
            copy.meld = None;
        }
        copy
    }
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
    /// Basiq: the new `status` (`available` or `unavailable`) of the connection's account
    /// `account`, announced with `account.updated`.
    pub account_status: Option<String>,
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

/// A payment that comes back on a calendar: a salary, a benefit, a loan repayment. The
/// generated history and the days refreshes bring book it on its days; income replaces the
/// generated salary, rent or a mortgage the generated rent.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RecurringSpec {
    /// As statements show it, e.g. `SALARY HOOLI PTY LTD`.
    pub description: String,
    /// What it is for: `salary`, `benefit`, `rental-income`, `transfer`, `rent`, `mortgage`,
    /// `loan-repayment`, `bnpl`, `gambling`, `crypto`, `fee` or `cash`.
    pub kind: String,
    /// `week`, `fortnight`, `month` or `once` (on the day it starts).
    pub every: String,
    /// Signed from the holder's side (negative: money out), as on the history's last day.
    pub amount: Money,
    /// The day it comes: of the week or fortnight (0, a Monday, to 6 or 13) or of the month
    /// (1 to 28); drawn from the seed when absent.
    pub day: Option<u32>,
    /// Percent a year the amount grows (negative: shrinks), -100 to 100.
    pub rise: Option<i32>,
    /// Percent each payment differs from the amount, at most, either way (0 to 100).
    pub vary: Option<u32>,
    /// How long before the history ends it starts (for `once`, required: the day).
    pub starts_ago: Option<Span>,
    /// How long before the history ends it stops.
    pub ends_ago: Option<Span>,
    /// Paid by BPAY: the biller and reference each payment carries (Basiq sends them as
    /// `paymentDetails.bpay`).
    pub bpay: Option<BpaySpec>,
}

/// A BPAY payment's biller and customer reference.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, serde::Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BpaySpec {
    pub biller_code: String,
    pub biller_name: String,
    /// The customer reference number.
    pub crn: String,
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
