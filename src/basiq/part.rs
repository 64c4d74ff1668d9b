//! Basiq's state as a part of a world ([`crate::world::Part`]): jobs and deadlines on the
//! clock, and what transitions do to a user's connection.

use chrono::{DateTime, Utc};

use super::model::Application;
use crate::delivery::{Attempt, Delivery};
use crate::value::Money;
use crate::world::{Part, StatusChange, Target};

/// The vendor's name.
pub const VENDOR: &str = "basiq";

/// The target naming a user's connection.
pub fn target(user: &str, connection: &str) -> Target {
    Target {
        vendor: VENDOR,
        owner: Some(user.to_owned()),
        connection: connection.to_owned(),
    }
}

/// The user and connection a target names, when it is Basiq's.
pub fn user_connection(target: &Target) -> Option<(&str, &str)> {
    (target.vendor == VENDOR)
        .then(|| Some((target.owner.as_deref()?, target.connection.as_str())))
        .flatten()
}

impl Part for Application {
    fn vendor(&self) -> &'static str {
        VENDOR
    }

    fn settle(&mut self, seed: u64, now: DateTime<Utc>) -> bool {
        // Checked here first, so that a quiet application costs two comparisons.
        let jobs = self.jobs_settled < self.jobs.len() && super::jobs::advance(self, seed, now);
        let deadlines = self.deadlines.first().is_some_and(|d| d.at.at <= now)
            && super::deadlines::settle(self, seed, now);
        jobs | deadlines
    }

    fn target(&self, connection: &str) -> Option<Target> {
        self.users.iter().find_map(|u| {
            u.connections
                .iter()
                .any(|c| c.id == connection)
                .then(|| target(&u.id, connection))
        })
    }

    fn status(&self, target: &Target) -> (Option<String>, Option<String>) {
        let status = user_connection(target).and_then(|(user, connection)| {
            self.users
                .iter()
                .find(|u| u.id == user)
                .and_then(|u| u.connections.iter().find(|c| c.id == connection))
                .map(|c| c.status.clone())
        });
        (status, None)
    }

    fn set_status(&mut self, seed: u64, at: DateTime<Utc>, target: &Target, change: StatusChange) {
        let Some((user, connection)) = user_connection(target) else {
            return;
        };
        let status = change.status;
        let before = self
            .user_mut(user)
            .and_then(|u| u.connections.iter_mut().find(|c| c.id == connection))
            .map(|c| std::mem::replace(&mut c.status, status.to_owned()));
        let kind = match status {
            "active" => Some("activated"),
            "invalid" => Some("invalidated"),
            _ => None,
        };
        if let (Some(before), Some(kind)) = (before, kind)
            && before != status
        {
            super::events::connection_event(self, seed, at, kind, user, connection);
        }
    }

    fn set_balance(
        &mut self,
        _seed: u64,
        at: DateTime<Utc>,
        target: &Target,
        account: &str,
        balance: Money,
    ) {
        if let Some((user, connection)) = user_connection(target) {
            super::jobs::set_balance(self, at, (user, connection, account), balance);
        }
    }

    fn set_account_status(
        &mut self,
        seed: u64,
        at: DateTime<Utc>,
        target: &Target,
        account: &str,
        status: &str,
    ) {
        if let Some((user, connection)) = user_connection(target) {
            super::jobs::set_account_status(self, seed, at, (user, connection, account), status);
        }
    }

    fn add_transactions(&mut self, seed: u64, at: DateTime<Utc>, target: &Target, n: u32) {
        if let Some((user, connection)) = user_connection(target) {
            super::jobs::add_transactions(self, seed, at, user, connection, n);
        }
    }

    fn deliveries(&self, seen: u64, now: DateTime<Utc>, base: &str) -> (u64, Vec<Delivery>) {
        super::delivery::deliveries(self, seen, now, base)
    }

    fn wants(&self, delivery: &Delivery) -> bool {
        super::delivery::wanted(self, delivery)
    }

    fn record_attempt(&mut self, seed: u64, attempt: &Attempt, response: &str) -> bool {
        super::delivery::record_attempt(self, seed, attempt, response)
    }

    fn rows(&self) -> usize {
        self.users
            .iter()
            .map(|u| 1 + u.accounts.len() + u.transactions.len())
            .sum()
    }

    fn salt_ids(&mut self, salt: u64) {
        self.id_salt = salt;
    }

    fn start_at(&mut self, seed: u64, start: DateTime<Utc>) {
        super::build::start(self, seed, start);
    }
}
