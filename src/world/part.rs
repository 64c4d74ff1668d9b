//! What a world needs from each vendor's state, and how it names a vendor's connection.
//!
//! The world holds one [`Part`] per vendor and reaches it only through this trait: settling
//! what is due on the clock, finding the connection a transition names, changing a
//! connection's status or an account's balance, adding scripted transactions, handing webhook
//! deliveries to the outbox, counting rows, salting minted ids.

use chrono::{DateTime, Utc};

use crate::delivery::{Attempt, Delivery};
use crate::value::Money;

/// A connection of one vendor, as transitions, timelines and refresh scripts name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The vendor's name.
    pub vendor: &'static str,
    /// What owns the connection, where the vendor nests connections (a Basiq user).
    pub owner: Option<String>,
    /// The connection's id.
    pub connection: String,
}

/// One vendor's state in a world.
pub trait Part: Send {
    /// The vendor's name (as in [`Target::vendor`]).
    fn vendor(&self) -> &'static str;

    /// Carries out what is due at `now` (jobs, deadlines, lifecycles); whether anything
    /// changed.
    fn settle(&mut self, seed: u64, now: DateTime<Utc>) -> bool;

    /// The connection with this id.
    fn target(&self, connection: &str) -> Option<Target>;

    /// A connection's status and status reason (`None` when it does not exist).
    fn status(&self, target: &Target) -> (Option<String>, Option<String>);

    /// Sets a connection's status, with the events the vendor sends for the change; does
    /// nothing when `only_from` is given and the connection's status is another.
    fn set_status(&mut self, seed: u64, at: DateTime<Utc>, target: &Target, change: StatusChange);

    /// An account of the connection takes a new balance.
    fn set_balance(
        &mut self,
        seed: u64,
        at: DateTime<Utc>,
        target: &Target,
        account: &str,
        balance: Money,
    );

    /// An account of the connection takes a new status, announced as the vendor does (vendors
    /// whose accounts have no status ignore it; their checks refuse it).
    fn set_account_status(
        &mut self,
        _seed: u64,
        _at: DateTime<Utc>,
        _target: &Target,
        _account: &str,
        _status: &str,
    ) {
    }

    /// `n` new transactions on each of the connection's accounts, announced as the vendor does.
    fn add_transactions(&mut self, seed: u64, at: DateTime<Utc>, target: &Target, n: u32);

    /// Webhook deliveries of what happened since `seen` (a position the vendor counts), and the
    /// new position. Payload links start with `base`, the vendor's public URL.
    fn deliveries(&self, seen: u64, now: DateTime<Utc>, base: &str) -> (u64, Vec<Delivery>);

    /// Whether a queued delivery still has somewhere to go.
    fn wants(&self, _delivery: &Delivery) -> bool {
        true
    }

    /// Records a finished attempt where the vendor lists attempts; whether state changed.
    fn record_attempt(&mut self, _seed: u64, _attempt: &Attempt, _response: &str) -> bool {
        false
    }

    /// Users, accounts and transactions held: what the world's size grows with.
    fn rows(&self) -> usize;

    /// Mixes `salt` into the ids minted while serving (0: reproducible ids).
    fn salt_ids(&mut self, salt: u64);

    /// Dates what a fresh part (as its scenario built it) counts from the server's start at
    /// `start`; run on a copy of a fresh part, it re-dates the copy as if built at `start`.
    fn start_at(&mut self, _seed: u64, _start: DateTime<Utc>) {}
}

/// A status to set.
#[derive(Debug, Clone, Copy)]
pub struct StatusChange<'a> {
    pub status: &'a str,
    pub reason: Option<&'a str>,
    /// Applies only if the connection still has this status.
    pub only_from: Option<&'a str>,
}
