//! Webhook delivery for both vendors: what is waiting to be sent, the retry schedules, and the
//! log of every attempt.
//!
//! The [`Outbox`] lives in the world, so a reset (or a fresh tenant) starts with an empty one.
//! It picks up new Meld events (when a webhook profile is configured) and new Basiq webhook
//! messages, signs them as the vendor does ([`sign`]) and hands due deliveries to the
//! [`worker`], which sends them without holding the world and reports back. Deliveries are
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

/// Which vendor's rules a delivery follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vendor {
    Basiq,
    Meld,
}

impl Vendor {
    fn name(self) -> &'static str {
        match self {
            Vendor::Basiq => "basiq",
            Vendor::Meld => "meld",
        }
    }
}

/// One message on its way to one receiver.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// Basiq: the message id (`webhook-id`); Meld: the event id.
    pub id: String,
    pub vendor: Vendor,
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
    fn succeeded(&self, vendor: Vendor) -> bool {
        match (self, vendor) {
            // Meld counts only a 200 as delivered; Basiq any 2xx.
            (Outcome::Answered(code, _), Vendor::Meld) => *code == 200,
            (Outcome::Answered(code, _), Vendor::Basiq) => (200..300).contains(code),
            _ => false,
        }
    }

    /// Meld's `Meld-Retry-Reason` wording.
    fn reason(&self) -> String {
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
    pub vendor: Vendor,
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
            "vendor": self.vendor.name(),
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

/// Deliveries waiting, the attempt log and how far the vendors' events have been read.
#[derive(Debug, Default)]
pub struct Outbox {
    queue: VecDeque<Delivery>,
    log: VecDeque<Attempt>,
    /// Meld events already considered (a count of events emitted).
    meld_seen: u64,
    /// Basiq messages already considered.
    basiq_seen: usize,
}

/// Delay before the next attempt after `attempts` failures, or `None` when the vendor gives up.
fn retry_delay(vendor: Vendor, attempts: u32, since_first: Duration) -> Option<Duration> {
    match vendor {
        // Basiq §12.7: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h; eight attempts in all.
        Vendor::Basiq => {
            const DELAYS: [i64; 7] = [5, 300, 1800, 7200, 18_000, 36_000, 36_000];
            DELAYS
                .get(attempts as usize - 1)
                .map(|s| Duration::seconds(*s))
        }
        // Meld: 1 min, doubling up to an hour, then hourly for up to three days.
        Vendor::Meld => {
            let minutes = 1i64 << (attempts - 1).min(6);
            let delay = Duration::minutes(minutes.min(60));
            (since_first + delay <= Duration::days(3)).then_some(delay)
        }
    }
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

    fn push(&mut self, d: Delivery) {
        if self.queue.len() >= QUEUE_LIMIT {
            self.queue.pop_front();
        }
        self.queue.push_back(d);
    }
}

/// Takes up new Meld events and Basiq messages, then returns the deliveries due at `now` (at
/// most one per key), marked as being sent. Basiq payload links start with `basiq_base`.
pub fn due(world: &mut World, now: DateTime<Utc>, basiq_base: &str) -> Vec<Send> {
    collect(world, now, basiq_base);
    // Deliveries to a Basiq webhook that was deleted stop.
    let hooks = &world.basiq.webhooks;
    world.outbox.queue.retain(|d| {
        d.in_flight || d.vendor != Vendor::Basiq || hooks.iter().any(|h| h.id == d.key)
    });
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
    let delivered = outcome.succeeded(d.vendor);
    let (code, phrase) = match &outcome {
        Outcome::Answered(code, phrase) => (Some(*code), phrase.clone()),
        Outcome::Timeout => (None, "Timeout".to_owned()),
        Outcome::CouldNotConnect => (None, "Could not connect".to_owned()),
        Outcome::NotAllowed => (None, "Not allowed".to_owned()),
    };
    let attempt = Attempt {
        vendor: d.vendor,
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
        vendor = d.vendor.name(),
        event = %d.event,
        url = %crate::logging::without_query(&d.url),
        attempt = d.attempts,
        status = ?code,
        delivered,
        "webhook attempt"
    );
    let vendor = d.vendor;
    let next = (!delivered)
        .then(|| retry_delay(vendor, d.attempts, now - first))
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
    if vendor == Vendor::Basiq {
        record_basiq_attempt(world, &attempt, code, phrase);
    }
}

/// Basiq lists attempts on the message itself.
fn record_basiq_attempt(world: &mut World, a: &Attempt, code: Option<u16>, phrase: String) {
    let n = world
        .basiq
        .messages
        .iter()
        .map(|m| m.attempts.len())
        .sum::<usize>();
    let Some(m) = world.basiq.messages.iter_mut().find(|m| m.id == a.id) else {
        return;
    };
    let mut rng = crate::ids::rng_for(world.seed, &format!("attempt {n}"));
    m.attempts.push(crate::basiq::webhooks::Attempt {
        id: crate::ids::hex_id(&mut rng, 5),
        url: a.url.clone(),
        response: phrase,
        status_code: code.unwrap_or(0),
        at: a.at,
        success: a.delivered,
    });
    world.changed();
}

/// Marks every Meld event produced so far as seen, so a profile configured now receives only
/// what happens next.
pub fn skip_meld_backlog(world: &mut World) {
    world.outbox.meld_seen = world.meld.events_emitted;
}

/// Queues what happened since the last look.
fn collect(world: &mut World, now: DateTime<Utc>, base: &str) {
    let emitted = world.meld.events_emitted;
    let fresh = (emitted - world.outbox.meld_seen.min(emitted)) as usize;
    world.outbox.meld_seen = emitted;
    if let Some(profile) = world.meld.webhook.clone() {
        let start = world.meld.events.len().saturating_sub(fresh);
        let events: Vec<_> = world.meld.events.iter().skip(start).cloned().collect();
        for e in events {
            let id = e.body["eventId"].as_str().unwrap_or_default().to_owned();
            world.outbox.push(Delivery {
                id,
                vendor: Vendor::Meld,
                key: e
                    .connection_id
                    .clone()
                    .unwrap_or_else(|| "account".to_owned()),
                url: profile.url.clone(),
                secret: profile.secret.clone(),
                event: e.event_type.to_owned(),
                body: crate::http::to_bytes(&e.body),
                attempts: 0,
                first_attempt: None,
                due: now,
                last_failure: None,
                in_flight: false,
            });
        }
    }
    let messages = world.basiq.messages.len();
    let start = world.outbox.basiq_seen.min(messages);
    world.outbox.basiq_seen = messages;
    for i in start..messages {
        let m = &world.basiq.messages[i];
        let Some(hook) = world.basiq.webhooks.iter().find(|h| h.id == m.webhook) else {
            continue;
        };
        let body = json!({
            "eventId": m.event_id,
            "eventTypeId": m.event_type,
            "links": {
                "event": format!("{base}/events/{}", m.event_id),
                "eventEntity": format!("{base}{}", m.entity),
            },
        });
        let d = Delivery {
            id: m.id.clone(),
            vendor: Vendor::Basiq,
            key: hook.id.clone(),
            url: hook.url.clone(),
            secret: hook.secret.clone(),
            event: m.event_type.clone(),
            body: crate::http::to_bytes(&body),
            attempts: 0,
            first_attempt: None,
            due: now,
            last_failure: None,
            in_flight: false,
        };
        world.outbox.push(d);
    }
}

/// Headers and body of an attempt, signed for `now`.
/// The request of one attempt. Its signature timestamp is the real time of the attempt, not the
/// server clock's: receivers' verifiers refuse timestamps more than a few minutes from their own
/// clock, and the server clock may have been moved days ahead. Payload dates stay on the
/// server clock.
fn prepare(d: &Delivery) -> Send {
    let now = Utc::now();
    let mut headers = vec![("content-type", "application/json".to_owned())];
    match d.vendor {
        Vendor::Meld => {
            let ts = Timestamp::new(now, Precision::Micros).to_string();
            headers.push((
                "meld-signature",
                sign::meld(&d.secret, &ts, &d.url, &d.body),
            ));
            headers.push(("meld-signature-timestamp", ts));
            if d.attempts > 0 {
                headers.push(("meld-retry-count", d.attempts.to_string()));
                if let Some(reason) = &d.last_failure {
                    headers.push(("meld-retry-reason", reason.clone()));
                }
            }
        }
        Vendor::Basiq => {
            let ts = now.timestamp();
            headers.push(("webhook-id", d.id.clone()));
            headers.push(("webhook-timestamp", ts.to_string()));
            headers.push((
                "webhook-signature",
                sign::basiq(&d.secret, &d.id, ts, &d.body),
            ));
        }
    }
    Send {
        id: d.id.clone(),
        url: d.url.clone(),
        body: d.body.clone(),
        headers,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basiq_schedule_is_eight_attempts() {
        let delays: Vec<i64> = (1..=8)
            .map_while(|n| retry_delay(Vendor::Basiq, n, Duration::zero()))
            .map(|d| d.num_seconds())
            .collect();
        assert_eq!(delays, [5, 300, 1800, 7200, 18_000, 36_000, 36_000]);
        // Three failures then success: about 35 min 5 s after the first attempt.
        assert_eq!(delays[..3].iter().sum::<i64>(), 35 * 60 + 5);
    }

    #[test]
    fn meld_schedule_doubles_to_an_hour_for_three_days() {
        let mut since = Duration::zero();
        let mut delays = Vec::new();
        let mut n = 1;
        while let Some(d) = retry_delay(Vendor::Meld, n, since) {
            delays.push(d.num_minutes());
            since += d;
            n += 1;
        }
        assert_eq!(&delays[..8], &[1, 2, 4, 8, 16, 32, 60, 60]);
        assert!(since <= Duration::days(3) && since > Duration::days(3) - Duration::hours(1));
    }
}
