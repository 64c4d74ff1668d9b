//! What falls due on the server clock without a request: open-banking arrangements that end
//! (the connection turns `invalid`, §6.4) and the consent's timed events (§5.2:
//! `consent.reminder` 90 days after its last update, `consent.warning` 7 days before it expires,
//! `consent.expired` when it does).
//!
//! Each deadline is queued when the thing it belongs to is made or renewed, earliest first, and
//! checked again when it falls due: an arrangement renewed or a consent extended since has a
//! later deadline of its own, and the stale one passes silently.

use chrono::{DateTime, Duration, Utc};

use super::model::{Application, Consent};
use crate::value::Timestamp;

/// How long before a consent's expiry `consent.warning` fires.
const WARNING_BEFORE: Duration = Duration::days(7);
/// How long after a consent's last update `consent.reminder` fires.
const REMINDER_AFTER: Duration = Duration::days(90);

/// What a deadline is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Due {
    /// An open-banking connection's arrangement ends.
    Arrangement { connection: String },
    /// A consent's reminder, warning or expiry.
    Consent {
        consent: String,
        event: &'static str,
    },
}

/// A deadline: when, whose, what.
#[derive(Debug, Clone)]
pub struct Deadline {
    pub at: Timestamp,
    pub user: String,
    pub due: Due,
}

impl Deadline {
    /// When the arrangement of `user`'s open-banking `connection` ends.
    pub fn arrangement(at: Timestamp, user: &str, connection: &str) -> Deadline {
        Deadline {
            at,
            user: user.to_owned(),
            due: Due::Arrangement {
                connection: connection.to_owned(),
            },
        }
    }
}

/// The deadlines of a consent as it stands: its reminder, warning and expiry.
pub fn of_consent(user: &str, consent: &Consent) -> [Deadline; 3] {
    let at = |t: DateTime<Utc>, event| Deadline {
        at: Timestamp::seconds(t),
        user: user.to_owned(),
        due: Due::Consent {
            consent: consent.id.clone(),
            event,
        },
    };
    [
        at(consent.updated.at + REMINDER_AFTER, "reminder"),
        at(consent.expiry.at - WARNING_BEFORE, "warning"),
        at(consent.expiry.at, "expired"),
    ]
}

impl Application {
    /// Queues a deadline in order.
    pub fn queue(&mut self, deadline: Deadline) {
        let i = self
            .deadlines
            .partition_point(|d| d.at.at <= deadline.at.at);
        self.deadlines.insert(i, deadline);
    }

    /// Queues many deadlines at once (a scenario's), sorting once.
    pub fn queue_all(&mut self, deadlines: impl IntoIterator<Item = Deadline>) {
        self.deadlines.extend(deadlines);
        self.deadlines.sort_by_key(|d| d.at.at);
        self.deadlines.shrink_to_fit();
    }
}

/// Carries out the deadlines that fell due by `now`, each dated at its own time; true if any
/// changed something.
pub fn settle(app: &mut Application, seed: u64, now: DateTime<Utc>) -> bool {
    let due = app.deadlines.partition_point(|d| d.at.at <= now);
    if due == 0 {
        return false;
    }
    let mut changed = false;
    let passed: Vec<Deadline> = app.deadlines.drain(..due).collect();
    for d in passed {
        changed |= match &d.due {
            Due::Arrangement { connection } => end_arrangement(app, seed, &d, connection),
            Due::Consent { consent, event } => timed_consent_event(app, seed, &d, consent, event),
        };
    }
    changed
}

/// The arrangement of an open-banking connection ends: `invalid`, with `connection.invalidated`.
fn end_arrangement(app: &mut Application, seed: u64, d: &Deadline, id: &str) -> bool {
    let Some(c) = app
        .user_mut(&d.user)
        .and_then(|u| u.connections.iter_mut().find(|c| c.id == id))
    else {
        return false;
    };
    if c.expiry_date != Some(d.at) || c.status == "invalid" {
        return false;
    }
    c.status = "invalid".to_owned();
    super::events::connection_event(app, seed, d.at.at, "invalidated", &d.user, id);
    true
}

/// A consent's timed event, if the consent still has this deadline (it was not extended or
/// revoked since).
fn timed_consent_event(
    app: &mut Application,
    seed: u64,
    d: &Deadline,
    id: &str,
    event: &'static str,
) -> bool {
    let current = app
        .user(&d.user)
        .and_then(|u| u.consents.iter().find(|c| c.id == id))
        .filter(|c| {
            // A reminder is for a consent still active then.
            (event != "reminder" || c.expiry.at > d.at.at)
                && of_consent(&d.user, c)
                    .iter()
                    .any(|mine| mine.due == d.due && mine.at == d.at)
        })
        .cloned();
    let Some(consent) = current else {
        return false;
    };
    super::events::consent_event(app, seed, d.at.at, event, &d.user, &consent);
    true
}
