//! Webhook delivery mechanics for every vendor: what is waiting to be sent, retries on the
//! server clock, and the log of every attempt.
//!
//! The [`Outbox`] lives in the world, so a reset (or a fresh tenant) starts with an empty one.
//! Each vendor's part of the world hands it new deliveries (`crate::world::Part::deliveries`)
//! with the vendor's [`Scheme`] — when an answer counts as delivered, when to retry, how to
//! sign — and the outbox hands due deliveries to the [`worker`], which sends them without
//! holding the world and reports back. Deliveries are
//! at-least-once and in order per key (a Meld connection, a Basiq webhook): a key's next
//! delivery waits until the one before it succeeded or gave up. Retries are due on the server
//! clock, so advancing the clock makes them happen at once.
//!
//! Bounds: at most [`QUEUE_LIMIT`] deliveries wait (the oldest are dropped past it) and the log
//! keeps the last [`LOG_LIMIT`] attempts.

pub mod sign;
pub mod worker;

use std::collections::VecDeque;

use bytes::Bytes;
use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use crate::value::{Precision, Timestamp};
use crate::world::World;

/// Most deliveries waiting at once.
pub const QUEUE_LIMIT: usize = 10_000;
/// Most attempts kept in the log.
pub const LOG_LIMIT: usize = 10_000;
/// How long a receiver has to answer.
pub const TIMEOUT_SECONDS: u64 = 10;

/// A vendor's webhook rules.
pub trait Scheme: std::fmt::Debug + std::marker::Send + Sync + 'static {
    /// The vendor's name.
    fn vendor(&self) -> &'static str;

    /// Whether a receiver's answer with this status counts as delivered.
    fn succeeded(&self, status: u16) -> bool;

    /// Delay before the next attempt after `attempts` failures, `since_first` after the first
    /// attempt; `None` when the vendor gives up.
    fn retry_delay(&self, attempts: u32, since_first: Duration) -> Option<Duration>;

    /// The headers of an attempt at `d` made at `now` (signature included), besides
    /// `content-type`.
    fn headers(&self, d: &Delivery, now: DateTime<Utc>) -> Vec<(&'static str, String)>;
}

/// One message on its way to one receiver.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// Basiq: the message id (`webhook-id`); Meld: the event id.
    pub id: String,
    /// The vendor's rules.
    pub scheme: &'static dyn Scheme,
    /// Deliveries with the same key go out in order.
    pub key: String,
    pub url: String,
    pub secret: String,
    pub event: String,
    pub body: Bytes,
    /// Attempts made so far.
    pub attempts: u32,
    pub first_attempt: Option<DateTime<Utc>>,
    pub due: DateTime<Utc>,
    /// Why the previous attempt failed (Meld sends it with the retry).
    pub last_failure: Option<String>,
    in_flight: bool,
}

impl Delivery {
    /// A delivery of `body` (announcing `event`) to `url`, due at `now`, after those of its key
    /// already queued.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        scheme: &'static dyn Scheme,
        id: String,
        key: String,
        url: String,
        secret: String,
        event: String,
        body: Bytes,
        now: DateTime<Utc>,
    ) -> Delivery {
        Delivery {
            id,
            scheme,
            key,
            url,
            secret,
            event,
            body,
            attempts: 0,
            first_attempt: None,
            due: now,
            last_failure: None,
            in_flight: false,
        }
    }
}

/// What one attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The receiver answered with this status and reason phrase.
    Answered(u16, String),
    /// No answer within [`TIMEOUT_SECONDS`].
    Timeout,
    /// No connection (or not an `http://` URL).
    CouldNotConnect,
    /// The receiver's host is not on the server's webhook allow-list (`--webhook-allow`).
    NotAllowed,
}

impl Outcome {
    fn succeeded(&self, scheme: &dyn Scheme) -> bool {
        match self {
            Outcome::Answered(code, _) => scheme.succeeded(*code),
            _ => false,
        }
    }

    /// Why the attempt failed, as Meld words it in `Meld-Retry-Reason` and the log shows it.
    pub fn reason(&self) -> String {
        match self {
            Outcome::Answered(code, _) => format!("HTTP error: {code}"),
            Outcome::Timeout => "Timeout".to_owned(),
            Outcome::CouldNotConnect => "Could not connect".to_owned(),
            Outcome::NotAllowed => "Not allowed by --webhook-allow".to_owned(),
        }
    }
}

/// An attempt as the admin API lists it.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub vendor: &'static str,
    pub id: String,
    pub url: String,
    pub event: String,
    pub attempt: u32,
    pub status_code: Option<u16>,
    pub delivered: bool,
    pub error: Option<String>,
    pub at: DateTime<Utc>,
}

impl Attempt {
    /// The admin API's JSON for it.
    pub fn to_json(&self) -> Value {
        json!({
            "vendor": self.vendor,
            "id": self.id,
            "url": self.url,
            "event": self.event,
            "attempt": self.attempt,
            "statusCode": self.status_code,
            "delivered": self.delivered,
            "error": self.error,
            "time": Timestamp::new(self.at, Precision::Millis).to_string(),
        })
    }
}

/// Whether a receiver at `host` and `port` may be sent to: every receiver when the allow-list
/// is `None`, otherwise one whose host (any port) or `host:port` is listed. Hosts compare
/// without regard to case; IPv6 addresses are written in brackets (`[::1]:9000`).
pub fn allowed(list: Option<&[String]>, host: &str, port: u16) -> bool {
    let Some(list) = list else { return true };
    let host = host.trim_matches(['[', ']']);
    list.iter().any(|entry| {
        let (name, wanted) = split_host_port(entry.trim());
        name.eq_ignore_ascii_case(host) && wanted.is_none_or(|p| p == port)
    })
}

/// `host`, `host:port`, `[v6]` or `[v6]:port` (a bare IPv6 address has no port).
fn split_host_port(entry: &str) -> (&str, Option<u16>) {
    if let Some(rest) = entry.strip_prefix('[') {
        let (address, after) = rest.split_once(']').unwrap_or((rest, ""));
        return (
            address,
            after.strip_prefix(':').and_then(|p| p.parse().ok()),
        );
    }
    match entry.split_once(':') {
        Some((name, port)) if !port.contains(':') => (name, port.parse().ok()),
        _ => (entry, None),
    }
}

#[cfg(test)]
mod allow_tests {
    use super::allowed;

    #[test]
    fn hosts_ports_and_brackets() {
        let list = [
            "receiver".to_owned(),
            "127.0.0.1:9000".to_owned(),
            "[::1]:80".to_owned(),
        ];
        let list = Some(&list[..]);
        assert!(allowed(None, "anything", 1));
        assert!(allowed(list, "RECEIVER", 1234));
        assert!(allowed(list, "127.0.0.1", 9000));
        assert!(!allowed(list, "127.0.0.1", 9001));
        assert!(allowed(list, "[::1]", 80));
        assert!(!allowed(list, "[::1]", 81));
        assert!(!allowed(list, "169.254.169.254", 80));
    }
}

/// A delivery handed to the worker: what to send and how.
#[derive(Debug, Clone)]
pub struct Send {
    pub id: String,
    pub url: String,
    pub body: Bytes,
    pub headers: Vec<(&'static str, String)>,
}

/// Deliveries waiting, the attempt log and how far each vendor's events have been read.
#[derive(Debug, Default, Clone)]
pub struct Outbox {
    queue: VecDeque<Delivery>,
    log: VecDeque<Attempt>,
    /// Per vendor, the position (the vendor's own count) up to which it has been read.
    seen: Vec<(&'static str, u64)>,
}

impl Outbox {
    /// The attempts logged, oldest first.
    pub fn log(&self) -> impl Iterator<Item = &Attempt> {
        self.log.iter()
    }

    /// Deliveries still waiting.
    pub fn pending(&self) -> usize {
        self.queue.len()
    }

    /// How far `vendor`'s events have been read.
    pub fn seen(&self, vendor: &str) -> u64 {
        self.seen
            .iter()
            .find(|(v, _)| *v == vendor)
            .map_or(0, |(_, n)| *n)
    }

    /// Marks `vendor`'s events as read up to `position`.
    pub fn set_seen(&mut self, vendor: &'static str, position: u64) {
        match self.seen.iter_mut().find(|(v, _)| *v == vendor) {
            Some((_, n)) => *n = position,
            None => self.seen.push((vendor, position)),
        }
    }

    /// Keeps only the queued deliveries `keep` wants (and those being sent).
    pub fn retain(&mut self, keep: impl Fn(&Delivery) -> bool) {
        self.queue.retain(|d| d.in_flight || keep(d));
    }

    /// Queues a delivery (dropping the oldest past [`QUEUE_LIMIT`]).
    pub fn push(&mut self, d: Delivery) {
        if self.queue.len() >= QUEUE_LIMIT {
            self.queue.pop_front();
        }
        self.queue.push_back(d);
    }
}

/// Takes up what the vendors have to send, then returns the deliveries due at `now` (at most
/// one per key), marked as being sent. `bases` holds each vendor's public base URL, which
/// payload links start with.
pub fn due(world: &mut World, now: DateTime<Utc>, bases: &[(&'static str, String)]) -> Vec<Send> {
    world.collect_deliveries(now, bases);
    let outbox = &mut world.outbox;
    let mut busy: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for d in outbox.queue.iter_mut() {
        if busy.contains(&d.key.as_str()) {
            continue;
        }
        if !d.in_flight && d.due <= now {
            d.in_flight = true;
            out.push(d.clone());
        }
        busy.push(&d.key);
    }
    out.into_iter().map(|d| prepare(&d)).collect()
}

/// Records how the attempt at delivery `id` went: success removes it, failure schedules the
/// next attempt or gives up.
pub fn finish(world: &mut World, id: &str, outcome: Outcome, now: DateTime<Utc>) {
    let outbox = &mut world.outbox;
    let Some(index) = outbox.queue.iter().position(|d| d.id == id && d.in_flight) else {
        return;
    };
    let d = &mut outbox.queue[index];
    d.in_flight = false;
    d.attempts += 1;
    let first = *d.first_attempt.get_or_insert(now);
    let delivered = outcome.succeeded(d.scheme);
    let (code, phrase) = match &outcome {
        Outcome::Answered(code, phrase) => (Some(*code), phrase.clone()),
        Outcome::Timeout => (None, "Timeout".to_owned()),
        Outcome::CouldNotConnect => (None, "Could not connect".to_owned()),
        Outcome::NotAllowed => (None, "Not allowed".to_owned()),
    };
    let attempt = Attempt {
        vendor: d.scheme.vendor(),
        id: d.id.clone(),
        url: d.url.clone(),
        event: d.event.clone(),
        attempt: d.attempts,
        status_code: code,
        delivered,
        error: (!delivered).then(|| outcome.reason()),
        at: now,
    };
    tracing::info!(
        vendor = d.scheme.vendor(),
        event = %d.event,
        url = %crate::logging::without_query(&d.url),
        attempt = d.attempts,
        status = ?code,
        delivered,
        "webhook attempt"
    );
    let next = (!delivered)
        .then(|| d.scheme.retry_delay(d.attempts, now - first))
        .flatten();
    match next {
        Some(delay) => {
            d.due = now + delay;
            d.last_failure = Some(outcome.reason());
        }
        None => {
            outbox.queue.remove(index);
        }
    }
    if outbox.log.len() >= LOG_LIMIT {
        outbox.log.pop_front();
    }
    outbox.log.push_back(attempt.clone());
    world.record_attempt(&attempt, &phrase);
}

/// The request of one attempt. Its signature timestamp is the real time of the attempt, not the
/// server clock's: receivers' verifiers refuse timestamps more than a few minutes from their own
/// clock, and the server clock may have been moved days ahead. Payload dates stay on the
/// server clock.
fn prepare(d: &Delivery) -> Send {
    let mut headers = vec![("content-type", "application/json".to_owned())];
    headers.extend(d.scheme.headers(d, Utc::now()));
    Send {
        id: d.id.clone(),
        url: d.url.clone(),
        body: d.body.clone(),
        headers,
    }
}
