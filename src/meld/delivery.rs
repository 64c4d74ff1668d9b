//! Meld's webhooks: events go to the account's webhook profile, one line per connection,
//! signed `base64url-with-padding(HMAC-SHA256(secret as UTF-8, timestamp + "." + url + "." +
//! body))` in `meld-signature` with the ISO-8601 timestamp in `meld-signature-timestamp`;
//! only a 200 counts as delivered, and failures are retried after 1 minute, doubling up to an
//! hour, then hourly for up to three days, with `meld-retry-count` and `meld-retry-reason`.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE;
use chrono::{DateTime, Duration, Utc};

use super::model::Account;
use crate::delivery::sign::mac;
use crate::delivery::{Delivery, Scheme};
use crate::value::{Precision, Timestamp};

/// Meld's rules.
#[derive(Debug)]
pub struct MeldWebhooks;

/// The scheme, for deliveries to point at.
pub static SCHEME: MeldWebhooks = MeldWebhooks;

/// The `meld-signature` header value.
pub fn sign(secret: &str, timestamp: &str, url: &str, body: &[u8]) -> String {
    URL_SAFE.encode(mac(
        secret.as_bytes(),
        &[timestamp.as_bytes(), url.as_bytes(), body],
    ))
}

impl Scheme for MeldWebhooks {
    fn vendor(&self) -> &'static str {
        super::part::VENDOR
    }

    fn succeeded(&self, status: u16) -> bool {
        status == 200
    }

    fn retry_delay(&self, attempts: u32, since_first: Duration) -> Option<Duration> {
        let minutes = 1i64 << (attempts - 1).min(6);
        let delay = Duration::minutes(minutes.min(60));
        (since_first + delay <= Duration::days(3)).then_some(delay)
    }

    fn headers(&self, d: &Delivery, now: DateTime<Utc>) -> Vec<(&'static str, String)> {
        let ts = Timestamp::new(now, Precision::Micros).to_string();
        let mut headers = vec![
            ("meld-signature", sign(&d.secret, &ts, &d.url, &d.body)),
            ("meld-signature-timestamp", ts),
        ];
        if d.attempts > 0 {
            headers.push(("meld-retry-count", d.attempts.to_string()));
            if let Some(reason) = &d.last_failure {
                headers.push(("meld-retry-reason", reason.clone()));
            }
        }
        headers
    }
}

/// The events emitted since `seen` (a count of events emitted), as deliveries to each webhook
/// profile (none without one) with its `profileId` and `version` — legacy event types only to
/// profiles of a legacy version —, and the new count. The first profile's deliveries are
/// logged under the event id, another's as `<eventId>:<profileId>`; each profile keeps its own
/// order per connection.
pub fn deliveries(account: &Account, seen: u64, now: DateTime<Utc>) -> (u64, Vec<Delivery>) {
    let emitted = account.events_emitted;
    let fresh = (emitted - seen.min(emitted)) as usize;
    let start = account.events.len().saturating_sub(fresh);
    let mut out = Vec::new();
    for e in account.events.iter().skip(start) {
        let event_id = e.body["eventId"].as_str().unwrap_or_default();
        let line = e.connection_id.as_deref().unwrap_or("account");
        for (i, profile) in account.webhooks.iter().enumerate() {
            if e.legacy && profile.version.as_str() > super::events::LEGACY_UNTIL {
                continue;
            }
            let mut body = e.body.clone();
            if e.addressed {
                body["profileId"] = serde_json::json!(profile.id);
            }
            body["version"] = serde_json::json!(profile.version);
            let id = match i {
                0 => event_id.to_owned(),
                _ => format!("{event_id}:{}", profile.id),
            };
            out.push(Delivery::new(
                &SCHEME,
                id,
                format!("{}:{line}", profile.id),
                profile.url.clone(),
                profile.secret.clone(),
                e.event_type.to_owned(),
                crate::http::to_bytes(&body),
                now,
            ));
        }
    }
    (emitted, out)
}

/// Marks every event produced so far as delivered, so a profile configured now receives only
/// what happens next.
pub fn skip_backlog(world: &mut crate::world::World) {
    let emitted = world.meld.events_emitted;
    world.outbox.set_seen(super::part::VENDOR, emitted);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meld_documented_vector() {
        let body = r#"{"eventType":"WEBHOOK_TEST","eventId":"GDtv8pQgwzc9HuFFBQFrww","timestamp":"2022-05-26T20:23:45.908400Z","accountId":"W9jpQc1HKvwscqMPcLmzUS","profileId":null,"version":"2021-10-27","payload":{"requestId":"7aWW1GXTjWCCtNubzvVX7V"}}"#;
        assert_eq!(
            sign(
                "42m4NMLS34WQ6BbMfo1KFKqMv4hy",
                "2022-05-26T20:25:17.682818Z",
                "https://example.meld.io/webhooks",
                body.as_bytes()
            ),
            "O4bN5E0U9s88l2DFc0kjt-0w3LLA3Zkv8hXhafc22Hg="
        );
    }

    #[test]
    fn meld_schedule_doubles_to_an_hour_for_three_days() {
        let mut since = Duration::zero();
        let mut delays = Vec::new();
        let mut n = 1;
        while let Some(d) = SCHEME.retry_delay(n, since) {
            delays.push(d.num_minutes());
            since += d;
            n += 1;
        }
        assert_eq!(&delays[..8], &[1, 2, 4, 8, 16, 32, 60, 60]);
        assert!(since <= Duration::days(3) && since > Duration::days(3) - Duration::hours(1));
    }
}
