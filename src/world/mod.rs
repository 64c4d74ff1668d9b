//! The world: all vendor state one scenario describes, plus what is scheduled to happen to it.
//!
//! A [`World`] is built once from a scenario ([`build`]) and then mutated by requests and by
//! the clock. Scheduled transitions are applied lazily: before any request reads the world,
//! [`World::settle`] applies every transition that is due at the current server time, in
//! order. That keeps the outcome a pure function of (scenario, requests, clock); the webhook
//! delivery task settles the world the same way before it looks for due deliveries, so
//! time-driven changes reach receivers without waiting for a request.
//!
//! The world also holds a cache of rendered response bodies. Any mutation clears it, so a
//! cached body is always what rendering the current state would produce.

pub mod build;
pub mod part;
pub mod timeline;

pub use part::{Part, StatusChange, Target};

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;

use bytes::Bytes;
use chrono::{DateTime, Utc};

use crate::{basiq, meld};

thread_local! {
    /// Scratch space for cache keys.
    static KEY: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Most rendered bodies kept at once.
const CACHE_LIMIT: usize = 4096;
/// Most bytes of keys and bodies the cache holds; a body larger than this is not kept.
const CACHE_BYTES: usize = 32 * 1024 * 1024;

/// A status change due at an instant of the server clock.
#[derive(Debug, Clone)]
pub struct Scheduled {
    pub due: DateTime<Utc>,
    pub target: Target,
    pub status: String,
    pub status_reason: Option<String>,
    /// Applies only if the target still has this status (an unfinished connection expiring).
    pub only_from: Option<String>,
}

/// All state of one scenario.
#[derive(Debug, Default, Clone)]
pub struct World {
    /// The Basiq application.
    pub basiq: basiq::model::Application,
    /// The Meld account.
    pub meld: meld::model::Account,
    /// The scenario seed, for what is generated while serving.
    pub seed: u64,
    /// Pending transitions, earliest first.
    pub scheduled: Vec<Scheduled>,
    /// The scenario's scripted transitions still to fire, per connection.
    pub timelines: Vec<timeline::Timeline>,
    /// Webhook deliveries waiting and the attempts made.
    pub outbox: crate::delivery::Outbox,
    /// Transactions scripted firings have added (per account), against
    /// [`timeline::MAX_SCRIPTED_TRANSACTIONS`].
    pub scripted_added: u64,
    /// Rendered bodies by cache key (bytes: a key may hold a header's raw value); cleared on
    /// every change.
    cache: HashMap<Box<[u8]>, Bytes, foldhash::fast::RandomState>,
    /// Bytes of the cache's keys and bodies.
    cache_bytes: usize,
}

impl World {
    /// Each vendor's part, and the outbox beside them: the one place a world lists its
    /// vendors.
    fn parts_and_outbox(&mut self) -> ([&mut dyn Part; 2], &mut crate::delivery::Outbox) {
        let World {
            basiq,
            meld,
            outbox,
            ..
        } = self;
        ([basiq, meld], outbox)
    }

    fn parts_mut(&mut self) -> [&mut dyn Part; 2] {
        self.parts_and_outbox().0
    }

    fn parts(&self) -> [&dyn Part; 2] {
        [&self.basiq, &self.meld]
    }

    /// The part of the vendor a target names.
    fn part_mut(&mut self, vendor: &str) -> Option<&mut dyn Part> {
        self.parts_mut().into_iter().find(|p| p.vendor() == vendor)
    }

    /// Applies every scheduled transition due at `now`.
    pub fn settle(&mut self, now: DateTime<Utc>) {
        let seed = self.seed;
        let mut moved = false;
        for part in self.parts_mut() {
            moved |= part.settle(seed, now);
        }
        if moved {
            self.changed();
        }
        let fired = self.fire_due(now);
        let due = self.scheduled.iter().take_while(|s| s.due <= now).count();
        if due == 0 {
            if fired {
                self.changed();
            }
            return;
        }
        let applied: Vec<Scheduled> = self.scheduled.drain(..due).collect();
        for change in applied {
            self.apply(&change);
        }
        self.changed();
    }

    fn apply(&mut self, change: &Scheduled) {
        let status = StatusChange {
            status: &change.status,
            reason: change.status_reason.as_deref(),
            only_from: change.only_from.as_deref(),
        };
        self.set_status(&change.target, status, change.due);
    }

    /// Sets a connection's status with the event its vendor sends for the change.
    fn set_status(&mut self, target: &Target, change: StatusChange, at: DateTime<Utc>) {
        let seed = self.seed;
        if let Some(part) = self.part_mut(target.vendor) {
            part.set_status(seed, at, target, change);
        }
    }

    /// Carries out a scripted change at `at` (a refresh's outcome excepted: the refresh
    /// carries that out when it ends).
    fn enact(&mut self, target: &Target, change: &timeline::Change, at: DateTime<Utc>) {
        if let Some(status) = &change.status {
            let status = StatusChange {
                status,
                reason: change.status_reason.as_deref(),
                only_from: None,
            };
            self.set_status(target, status, at);
        }
        let seed = self.seed;
        if let Some((account, balance)) = &change.balance
            && let Some(part) = self.part_mut(target.vendor)
        {
            part.set_balance(seed, at, target, account, *balance);
        }
        if let Some((account, status)) = &change.account_status
            && let Some(part) = self.part_mut(target.vendor)
        {
            part.set_account_status(seed, at, target, account, status);
        }
        let room = timeline::MAX_SCRIPTED_TRANSACTIONS.saturating_sub(self.scripted_added);
        let n = u64::from(change.add_transactions).min(room) as u32;
        if n == 0 {
            return;
        }
        self.scripted_added += u64::from(n);
        if let Some(part) = self.part_mut(target.vendor) {
            part.add_transactions(seed, at, target, n);
        }
    }

    /// Applies a transition now (its `due` is the instant it is dated), with the events it
    /// implies.
    pub fn apply_now(&mut self, change: &Scheduled) {
        self.apply(change);
        self.changed();
    }

    /// The target a connection id names at `vendor`.
    pub fn connection_target(&self, vendor: &str, id: &str) -> Option<Target> {
        self.parts()
            .into_iter()
            .find(|p| p.vendor() == vendor)?
            .target(id)
    }

    /// A connection's status and status reason (`None`s when it does not exist).
    pub fn connection_status(&self, target: &Target) -> (Option<String>, Option<String>) {
        self.parts()
            .into_iter()
            .find(|p| p.vendor() == target.vendor)
            .map_or((None, None), |p| p.status(target))
    }

    /// Queues the webhook deliveries of what happened since the last look, and drops queued
    /// ones that have nowhere to go any more. `bases` holds each vendor's public URL.
    pub fn collect_deliveries(&mut self, now: DateTime<Utc>, bases: &[(&'static str, String)]) {
        let (mut parts, outbox) = self.parts_and_outbox();
        for part in parts.iter_mut() {
            let vendor = part.vendor();
            let base = bases
                .iter()
                .find(|(name, _)| *name == vendor)
                .map_or("", |(_, url)| url.as_str());
            let (seen, deliveries) = part.deliveries(outbox.seen(vendor), now, base);
            outbox.set_seen(vendor, seen);
            for d in deliveries {
                outbox.push(d);
            }
        }
        outbox.retain(|d| {
            parts
                .iter()
                .all(|p| p.vendor() != d.scheme.vendor() || p.wants(d))
        });
    }

    /// Records a finished webhook attempt with its vendor, where the vendor lists attempts.
    pub fn record_attempt(&mut self, attempt: &crate::delivery::Attempt, response: &str) {
        let seed = self.seed;
        let changed = self
            .part_mut(attempt.vendor)
            .is_some_and(|p| p.record_attempt(seed, attempt, response));
        if changed {
            self.changed();
        }
    }

    /// Schedules a transition, keeping the list in time order.
    pub fn schedule(&mut self, change: Scheduled) {
        let index = self.scheduled.partition_point(|s| s.due <= change.due);
        self.scheduled.insert(index, change);
    }

    /// Dates what a fresh world counts from the server's start at `start`: each timeline's
    /// first step is armed then and each vendor's part dates its own (see [`Part::start_at`]).
    /// A copy of a fresh world re-dated this way is the world its scenario builds at `start`.
    pub fn start_at(&mut self, start: DateTime<Utc>) {
        for timeline in &mut self.timelines {
            timeline.arm(start);
        }
        let seed = self.seed;
        for part in self.parts_mut() {
            part.start_at(seed, start);
        }
    }

    /// Mixes `salt` into the ids the vendors mint while serving (0: reproducible ids).
    pub fn salt_ids(&mut self, salt: u64) {
        for part in self.parts_mut() {
            part.salt_ids(salt);
        }
    }

    /// Users, accounts and transactions of every vendor: what the world's size grows with.
    pub fn rows(&self) -> usize {
        self.parts().into_iter().map(|p| p.rows()).sum()
    }

    /// Records that state changed: cached renderings are stale.
    pub fn changed(&mut self) {
        self.cache.clear();
        self.cache_bytes = 0;
    }

    /// The cached body for `key`, rendering and caching it on a miss. The key is formatted
    /// into a reused buffer, so a hit allocates nothing.
    pub fn cached(
        &mut self,
        key: fmt::Arguments<'_>,
        render: impl FnOnce(&World) -> Bytes,
    ) -> Bytes {
        self.cached_with(
            |buf| {
                // Writing into memory cannot fail.
                let _ = std::io::Write::write_fmt(buf, key);
            },
            render,
        )
    }

    /// [`World::cached`] with the key written as the concatenation of `parts`, which costs
    /// less than formatting on the hottest reads.
    pub fn cached_parts(&mut self, parts: &[&[u8]], render: impl FnOnce(&World) -> Bytes) -> Bytes {
        self.cached_with(
            |buf| {
                for part in parts {
                    buf.extend_from_slice(part);
                }
            },
            render,
        )
    }

    fn cached_with(
        &mut self,
        key: impl FnOnce(&mut Vec<u8>),
        render: impl FnOnce(&World) -> Bytes,
    ) -> Bytes {
        KEY.with_borrow_mut(|buf| {
            buf.clear();
            key(buf);
            if let Some(body) = self.cache.get(buf.as_slice()) {
                return body.clone();
            }
            let body = render(self);
            // Keys include the Host a client sent; bounds on entries and bytes keep odd Host
            // headers and large pages from growing the cache without limit.
            let size = buf.len() + body.len();
            if size > CACHE_BYTES {
                return body;
            }
            if self.cache.len() >= CACHE_LIMIT || self.cache_bytes + size > CACHE_BYTES {
                self.changed();
            }
            self.cache_bytes += size;
            self.cache.insert(buf.as_slice().into(), body.clone());
            body
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_render_cache_is_bounded_by_bytes() {
        let mut world = World::default();
        let body = Bytes::from(vec![b'x'; 1024 * 1024]);
        for i in 0..100 {
            let got = world.cached(format_args!("page {i}"), |_| body.clone());
            assert_eq!(got.len(), body.len());
            assert!(world.cache_bytes <= CACHE_BYTES, "{}", world.cache_bytes);
        }
        assert!(!world.cache.is_empty());
        let huge = Bytes::from(vec![b'x'; CACHE_BYTES + 1]);
        world.cached(format_args!("huge"), |_| huge.clone());
        assert!(!world.cache.contains_key(&b"huge"[..]));
    }
}
