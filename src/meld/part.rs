//! Meld's state as a part of a world ([`crate::world::Part`]): connection lifecycles on the
//! clock, and what transitions do to a connection.

use chrono::{DateTime, Utc};

use super::lifecycle;
use super::model::Account;
use crate::delivery::Delivery;
use crate::value::Money;
use crate::world::{Part, StatusChange, Target};

/// The vendor's name.
pub const VENDOR: &str = "meld";

/// The target naming a connection.
pub fn target(connection: &str) -> Target {
    Target {
        vendor: VENDOR,
        owner: None,
        connection: connection.to_owned(),
    }
}

/// The connection a target names, when it is Meld's.
fn connection_of(target: &Target) -> Option<&str> {
    (target.vendor == VENDOR).then_some(target.connection.as_str())
}

impl Part for Account {
    fn vendor(&self) -> &'static str {
        VENDOR
    }

    fn settle(&mut self, seed: u64, now: DateTime<Utc>) -> bool {
        // Checked here first, so that a quiet account costs one comparison.
        self.pending.first().is_some_and(|p| p.due <= now) && lifecycle::advance(self, seed, now)
    }

    fn target(&self, connection: &str) -> Option<Target> {
        self.connection(connection).map(|c| target(&c.id))
    }

    fn status(&self, target: &Target) -> (Option<String>, Option<String>) {
        connection_of(target)
            .and_then(|id| self.connection(id))
            .map_or((None, None), |c| {
                (Some(c.status.clone()), c.status_reason.clone())
            })
    }

    fn set_status(&mut self, seed: u64, at: DateTime<Utc>, target: &Target, change: StatusChange) {
        let Some(id) = connection_of(target) else {
            return;
        };
        let Some(c) = self.connection(id) else {
            return;
        };
        if change.only_from.is_some_and(|s| s != c.status) || c.status == "DELETED" {
            return;
        }
        lifecycle::set_status(self, seed, at, id, change.status, change.reason);
    }

    fn set_balance(
        &mut self,
        seed: u64,
        at: DateTime<Utc>,
        target: &Target,
        account: &str,
        balance: Money,
    ) {
        if let Some(id) = connection_of(target) {
            lifecycle::set_balance(self, seed, at, (id, account), balance);
        }
    }

    fn add_transactions(&mut self, seed: u64, at: DateTime<Utc>, target: &Target, n: u32) {
        if let Some(id) = connection_of(target) {
            lifecycle::add_transactions(self, seed, at, id, n);
        }
    }

    fn deliveries(&self, seen: u64, now: DateTime<Utc>, _base: &str) -> (u64, Vec<Delivery>) {
        super::delivery::deliveries(self, seen, now)
    }

    fn rows(&self) -> usize {
        self.financial_accounts.len()
            + self.transactions.len()
            + self.holdings.len()
            + self.investment_transactions.len()
    }

    fn salt_ids(&mut self, salt: u64) {
        self.id_salt = salt;
    }
}
