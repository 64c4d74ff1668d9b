//! Basiq's webhooks (Standard Webhooks): each message goes to its webhook, in order per
//! webhook, signed `v1,` + `base64(HMAC-SHA256(key, id + "." + unix seconds + "." + body))`
//! in `webhook-signature` (the key is the Base64 after `whsec_` in the webhook's secret), with
//! `webhook-id` and `webhook-timestamp`; any 2xx counts as delivered, and failures are retried
//! after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h (eight attempts in all, §12.7). Basiq lists
//! every attempt on its message, and a deleted webhook's deliveries stop.

use base64::Engine as _;
use base64::alphabet;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use chrono::{DateTime, Duration, Utc};
use serde_json::json;

use super::model::Application;
use crate::delivery::sign::mac;
use crate::delivery::{Attempt, Delivery, Scheme};

/// Basiq's rules.
#[derive(Debug)]
pub struct BasiqWebhooks;

/// The scheme, for deliveries to point at.
pub static SCHEME: BasiqWebhooks = BasiqWebhooks;

/// The HMAC key of a Basiq `whsec_…` secret (lenient about padding, as Basiq's examples are).
pub fn key(secret: &str) -> Vec<u8> {
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &alphabet::STANDARD,
        GeneralPurposeConfig::new()
            .with_decode_padding_mode(DecodePaddingMode::Indifferent)
            .with_decode_allow_trailing_bits(true),
    );
    let text = secret.strip_prefix("whsec_").unwrap_or(secret);
    LENIENT
        .decode(text)
        .unwrap_or_else(|_| text.as_bytes().to_vec())
}

/// The `webhook-signature` header value.
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> String {
    let ts = timestamp.to_string();
    let sig = STANDARD.encode(mac(&key(secret), &[id.as_bytes(), ts.as_bytes(), body]));
    format!("v1,{sig}")
}

impl Scheme for BasiqWebhooks {
    fn vendor(&self) -> &'static str {
        super::part::VENDOR
    }

    fn succeeded(&self, status: u16) -> bool {
        (200..300).contains(&status)
    }

    fn retry_delay(&self, attempts: u32, _since_first: Duration) -> Option<Duration> {
        const DELAYS: [i64; 7] = [5, 300, 1800, 7200, 18_000, 36_000, 36_000];
        DELAYS
            .get(attempts as usize - 1)
            .map(|s| Duration::seconds(*s))
    }

    fn headers(&self, d: &Delivery, now: DateTime<Utc>) -> Vec<(&'static str, String)> {
        let ts = now.timestamp();
        vec![
            ("webhook-id", d.id.clone()),
            ("webhook-timestamp", ts.to_string()),
            ("webhook-signature", sign(&d.secret, &d.id, ts, &d.body)),
        ]
    }
}

/// The messages recorded since `seen` (a count of messages), as deliveries to their webhooks,
/// and the new count. Payload links start with `base`.
pub fn deliveries(
    app: &Application,
    seen: u64,
    now: DateTime<Utc>,
    base: &str,
) -> (u64, Vec<Delivery>) {
    let messages = app.messages.len();
    let start = (seen as usize).min(messages);
    let mut out = Vec::new();
    for m in &app.messages[start..] {
        let Some(hook) = app.webhooks.iter().find(|h| h.id == m.webhook) else {
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
        // Deliveries start once the webhook's cool-off has passed.
        let starts = hook
            .created
            .checked_add_signed(app.webhook_cool_off)
            .unwrap_or(hook.created);
        out.push(Delivery::new(
            &SCHEME,
            m.id.clone(),
            hook.id.clone(),
            hook.url.clone(),
            hook.secret.clone(),
            m.event_type.clone(),
            crate::http::to_bytes(&body),
            now.max(starts),
        ));
    }
    (messages as u64, out)
}

/// Whether a queued delivery's webhook still exists.
pub fn wanted(app: &Application, d: &Delivery) -> bool {
    app.webhooks.iter().any(|h| h.id == d.key)
}

/// Lists an attempt on its message, as Basiq does; whether there was one to list it on.
pub fn record_attempt(app: &mut Application, seed: u64, a: &Attempt, response: &str) -> bool {
    let n = app.messages.iter().map(|m| m.attempts.len()).sum::<usize>();
    let Some(m) = app.messages.iter_mut().find(|m| m.id == a.id) else {
        return false;
    };
    let mut rng = crate::ids::rng_for(seed, &format!("attempt {n}"));
    m.attempts.push(super::webhooks::Attempt {
        id: crate::ids::hex_id(&mut rng, 5),
        url: a.url.clone(),
        response: response.to_owned(),
        status_code: a.status_code.unwrap_or(0),
        at: a.at,
        success: a.delivered,
    });
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basiq_vector() {
        let body = r#"{"eventId":"dbe633fd76d4eaea0c759e7b0a6fe7c9bc62087787d080b28400014cd4b3a998","eventTypeId":"transactions.updated","links":{"event":"https://au-api.basiq.io/events/dbe633fd76d4eaea0c759e7b0a6fe7c9bc62087787d080b28400014cd4b3a998","eventEntity":"https://au-api.basiq.io/users/1e25009f-f208-47ea-8843-399cde5abbf2/transactions?filter=connection.id.eq('ee01356a-6ecb-4929-9c2d-87b961bb46d2')"}}"#;
        assert_eq!(
            sign(
                "whsec_YmFzaXEtbW9jay13ZWJob29rLXNpZ25pbmcta2V5ISE=",
                "msg_2mJ8pZ3kQy0example",
                1_732_240_000,
                body.as_bytes()
            ),
            "v1,zrXLOCkjMqMbh6o3bMPBTCyfqwMedHcBy+dUeb6TuiE="
        );
    }

    #[test]
    fn basiq_example_secret_decodes_leniently() {
        // Basiq's documentation example is 39 characters, not valid padded Base64.
        assert_eq!(
            key("whsec_MA4V6bD7rB0Hcm2aw8ghgDeQ5UAak24DwnX0rX6").len(),
            29
        );
    }

    #[test]
    fn basiq_schedule_is_eight_attempts() {
        let delays: Vec<i64> = (1..=8)
            .map_while(|n| SCHEME.retry_delay(n, Duration::zero()))
            .map(|d| d.num_seconds())
            .collect();
        assert_eq!(delays, [5, 300, 1800, 7200, 18_000, 36_000, 36_000]);
        // Three failures then success: about 35 min 5 s after the first attempt.
        assert_eq!(delays[..3].iter().sum::<i64>(), 35 * 60 + 5);
    }
}
