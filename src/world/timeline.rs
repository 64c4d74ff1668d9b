//! Scripted transitions: per connection, the chain of changes its scenario lists, each armed
//! once the one before it has fired and fired by its trigger — a duration or an instant of the
//! server clock, the Nth request matching a method and path, or the connection's next refresh
//! (whose outcome it then decides). A repeating step fires every so often, `times` times or
//! for ever.
//!
//! Time triggers fire in [`World::settle`], dated at their due instant, so advancing the clock
//! by a day replays the day's firings in order. Request triggers fire as the matching request
//! arrives, before it is handled, so that request already sees the change. Refresh triggers are
//! taken by the vendor's refresh handlers ([`World::take_refresh`]).

use std::collections::VecDeque;

use chrono::{DateTime, Duration, Utc};

use super::{Target, World};
use crate::scenario::model::TransitionSpec;
use crate::value::Money;

/// Firings one settle applies at most; the rest wait for the next settle, so a clock moved
/// years ahead of a one-second repeat cannot stall a request.
const FIRINGS_PER_SETTLE: usize = 10_000;
/// Transactions (per account) scripted firings add in one settle at most; a firing that would
/// go past it waits for the next settle.
const ADDED_PER_SETTLE: u64 = 20_000;
/// Transactions (per account) scripted firings add over a world's life at most: past it, a
/// firing still changes statuses and balances but adds no transactions, so a repeat left
/// running for years of server clock cannot use up the machine's memory.
pub const MAX_SCRIPTED_TRANSACTIONS: u64 = 250_000;

/// What makes a step fire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trigger {
    /// This long after the step was armed.
    After(Duration),
    /// At this instant, or when armed if that is later.
    At(DateTime<Utc>),
    /// On the `nth` request matching `method` (any when `None`) and `path` since arming.
    Request {
        method: Option<String>,
        path: String,
        nth: u32,
    },
    /// On the next refresh of the connection.
    Refresh,
}

/// What a step changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Change {
    pub status: Option<String>,
    pub status_reason: Option<String>,
    /// Basiq refresh outcome: the job fails with this code.
    pub fail: Option<String>,
    /// New transactions on each of the connection's accounts.
    pub add_transactions: u32,
    /// An account of the connection and its new balance.
    pub balance: Option<(String, Money)>,
    /// An account of the connection and its new status.
    pub account_status: Option<(String, String)>,
}

/// One scripted step.
#[derive(Debug, Clone)]
pub struct Step {
    pub trigger: Trigger,
    /// Fires again this long after each firing.
    pub every: Option<Duration>,
    /// Firings left for a repeating step (`None`: for ever).
    pub times: Option<u32>,
    pub change: Change,
}

impl Step {
    /// The step a scenario transition describes (already validated).
    pub fn from_spec(spec: &TransitionSpec) -> Step {
        let every = spec.every.map(|s| s.0);
        let trigger = match (spec.after, spec.at, spec.on.as_deref()) {
            (Some(after), _, _) => Trigger::After(after.0),
            (_, Some(at), _) => Trigger::At(at.at),
            (_, _, Some("refresh")) => Trigger::Refresh,
            (_, _, Some(_)) => Trigger::Request {
                method: spec.method.clone(),
                path: spec.path.clone().unwrap_or_default(),
                nth: spec.nth.unwrap_or(1).max(1),
            },
            _ => Trigger::After(every.unwrap_or_else(Duration::zero)),
        };
        Step {
            trigger,
            every,
            times: spec.times,
            change: Change {
                status: spec.status.clone(),
                status_reason: spec.status_reason.clone(),
                fail: spec.fail.clone(),
                add_transactions: spec.add_transactions.unwrap_or(0),
                balance: spec.account.clone().zip(spec.balance),
                account_status: spec.account.clone().zip(spec.account_status.clone()),
            },
        }
    }
}

/// The remaining steps of one connection.
#[derive(Debug, Clone)]
pub struct Timeline {
    pub target: Target,
    steps: VecDeque<Step>,
    /// When the first remaining step was armed.
    armed: DateTime<Utc>,
    /// When the first remaining step fires, if a time trigger drives it: kept as the steps
    /// and the arming change, so settling reads it instead of working it out.
    due: Option<DateTime<Utc>>,
    /// Matching requests counted since arming (request triggers).
    pub seen: u32,
}

impl Timeline {
    /// A timeline whose first step is armed at `start`.
    pub fn new(target: Target, steps: Vec<Step>, start: DateTime<Utc>) -> Timeline {
        let mut timeline = Timeline {
            target,
            steps: steps.into(),
            armed: start,
            due: None,
            seen: 0,
        };
        timeline.due = timeline.first_due();
        timeline
    }

    /// Arms the first step at `start` anew, as [`Timeline::new`] does (for a fresh timeline
    /// whose server starts at another instant).
    pub fn arm(&mut self, start: DateTime<Utc>) {
        self.armed = start;
        self.seen = 0;
        self.due = self.first_due();
    }

    /// How many steps remain.
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    /// When the first step fires, if a time trigger drives it.
    fn due(&self) -> Option<DateTime<Utc>> {
        self.due
    }

    /// Works out [`Timeline::due`]. A step whose instant cannot be written (past the end of
    /// time) never fires.
    fn first_due(&self) -> Option<DateTime<Utc>> {
        match &self.steps.front()?.trigger {
            Trigger::After(d) => self.armed.checked_add_signed(*d),
            Trigger::At(at) => Some((*at).max(self.armed)),
            _ => None,
        }
    }

    /// The first step has fired at `at`: it repeats or the next one is armed.
    fn fired(&mut self, at: DateTime<Utc>) -> Option<Change> {
        let step = self.steps.front_mut()?;
        let change = step.change.clone();
        self.armed = at;
        self.seen = 0;
        let again = match (step.every, step.times.as_mut()) {
            (Some(_), Some(left)) => {
                *left = left.saturating_sub(1);
                *left > 0
            }
            (Some(_), None) => true,
            _ => false,
        };
        match (again, step.every) {
            (true, Some(every)) => step.trigger = Trigger::After(every),
            _ => {
                self.steps.pop_front();
            }
        }
        self.due = self.first_due();
        Some(change)
    }

    /// Whether no step remains.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }
}

/// The log line of a scripted transition that fires.
fn log_firing(target: &Target, change: &Change, at: DateTime<Utc>) {
    let (vendor, connection) = (target.vendor, target.connection.as_str());
    tracing::info!(
        vendor,
        connection,
        at = %crate::value::Timestamp::seconds(at),
        status = change.status.as_deref().unwrap_or("-"),
        transactions = change.add_transactions,
        "transition fired"
    );
}

/// Whether `path` matches `pattern`, `*` standing for one whole segment.
pub(crate) fn path_matches(pattern: &str, path: &str) -> bool {
    let mut p = pattern.split('/');
    let mut q = path.split('/');
    loop {
        match (p.next(), q.next()) {
            (None, None) => return true,
            (Some("*"), Some(s)) if !s.is_empty() => {}
            (Some(a), Some(b)) if a == b => {}
            _ => return false,
        }
    }
}

impl World {
    /// Fires every time-triggered step due at `now`, earliest first across connections.
    /// Returns whether anything fired.
    pub(super) fn fire_due(&mut self, now: DateTime<Utc>) -> bool {
        let mut fired = 0;
        let mut added = 0u64;
        while fired < FIRINGS_PER_SETTLE {
            let next = self
                .timelines
                .iter()
                .enumerate()
                .filter_map(|(i, t)| t.due().filter(|d| *d <= now).map(|d| (d, i)))
                .min();
            let Some((at, i)) = next else { break };
            let adds = self.timelines[i]
                .steps
                .front()
                .map_or(0, |s| u64::from(s.change.add_transactions));
            if adds > 0 && added > 0 && added + adds > ADDED_PER_SETTLE {
                break;
            }
            added += adds;
            if let Some(change) = self.timelines[i].fired(at) {
                let target = self.timelines[i].target.clone();
                log_firing(&target, &change, at);
                self.enact(&target, &change, at);
            }
            fired += 1;
        }
        // Only a firing empties a timeline.
        if fired > 0 {
            self.timelines.retain(|t| !t.is_empty());
        }
        fired > 0
    }

    /// Whether some armed step waits for a request (checked before counting one).
    pub fn watches_requests(&self) -> bool {
        self.timelines.iter().any(
            |t| matches!(t.steps.front(), Some(s) if matches!(s.trigger, Trigger::Request { .. })),
        )
    }

    /// Counts a request to `vendor` (its name); fires the steps it completes.
    pub fn on_request(&mut self, vendor: &str, method: &str, path: &str, now: DateTime<Utc>) {
        let mut fired = Vec::new();
        for t in &mut self.timelines {
            if t.target.vendor != vendor {
                continue;
            }
            let Some(Trigger::Request {
                method: m,
                path: p,
                nth,
            }) = t.steps.front().map(|s| &s.trigger)
            else {
                continue;
            };
            if m.as_deref().is_some_and(|m| m != method) || !path_matches(p, path) {
                continue;
            }
            t.seen += 1;
            if t.seen >= *nth {
                let target = t.target.clone();
                if let Some(change) = t.fired(now) {
                    log_firing(&target, &change, now);
                    fired.push((target, change));
                }
            }
        }
        if fired.is_empty() {
            return;
        }
        for (target, change) in fired {
            self.enact(&target, &change, now);
        }
        self.timelines.retain(|t| !t.is_empty());
        self.changed();
    }

    /// The timeline of `target` whose armed step waits for a refresh.
    fn refresh_armed(&self, target: &Target) -> Option<usize> {
        self.timelines.iter().position(|t| {
            &t.target == target
                && matches!(t.steps.front(), Some(s) if s.trigger == Trigger::Refresh)
        })
    }

    /// Whether the connection's next refresh is scripted.
    pub fn refresh_scripted(&self, target: &Target) -> bool {
        self.refresh_armed(target).is_some()
    }

    /// Takes the scripted outcome of a refresh of `target` starting at `now`, arming the step
    /// after it. The caller applies the outcome when the refresh ends.
    pub fn take_refresh(&mut self, target: &Target, now: DateTime<Utc>) -> Option<Change> {
        let i = self.refresh_armed(target)?;
        let change = self.timelines[i].fired(now);
        self.timelines.retain(|t| !t.is_empty());
        change
    }

    /// Drops the scripted and scheduled changes of targets `gone` selects (deleted objects).
    pub fn forget(&mut self, gone: impl Fn(&Target) -> bool) {
        self.timelines.retain(|t| !gone(&t.target));
        self.scheduled.retain(|s| !gone(&s.target));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_stand_for_one_segment() {
        assert!(path_matches("/users/*/accounts", "/users/ea3a81/accounts"));
        assert!(!path_matches(
            "/users/*/accounts",
            "/users/ea3a81/accounts/x"
        ));
        assert!(!path_matches("/users/*", "/users/"));
        assert!(path_matches("/token", "/token"));
        assert!(!path_matches("/token", "/tokens"));
    }

    #[test]
    fn repeats_count_down_then_arm_the_next_step() {
        let start = DateTime::UNIX_EPOCH;
        let repeat = Step {
            trigger: Trigger::After(Duration::hours(1)),
            every: Some(Duration::hours(24)),
            times: Some(2),
            change: Change::default(),
        };
        let last = Step {
            trigger: Trigger::Refresh,
            every: None,
            times: None,
            change: Change::default(),
        };
        let mut t = Timeline::new(
            Target {
                vendor: "meld",
                owner: None,
                connection: "c".into(),
            },
            vec![repeat, last],
            start,
        );
        assert_eq!(t.due(), Some(start + Duration::hours(1)));
        t.fired(start + Duration::hours(1));
        assert_eq!(t.due(), Some(start + Duration::hours(25)));
        t.fired(start + Duration::hours(25));
        assert_eq!(t.due(), None);
        assert_eq!(t.steps.front().map(|s| &s.trigger), Some(&Trigger::Refresh));
    }
}
