//! Webhook signatures as each vendor computes them.
//!
//! - Meld: `base64url-with-padding(HMAC-SHA256(secret as UTF-8, timestamp + "." + url + "." +
//!   body))` in `meld-signature`, the ISO-8601 timestamp in `meld-signature-timestamp`.
//! - Basiq (Standard Webhooks): `v1,` + `base64(HMAC-SHA256(key, id + "." + unix seconds + "." +
//!   body))`, where the key is the Base64 after `whsec_` in the webhook's secret.

use base64::Engine as _;
use base64::alphabet;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD, URL_SAFE};
use hmac::{Hmac, Mac};
use sha2::Sha256;

fn mac(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    // HMAC takes keys of any length.
    let Ok(mut m) = Hmac::<Sha256>::new_from_slice(key) else {
        return Vec::new();
    };
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            m.update(b".");
        }
        m.update(part);
    }
    m.finalize().into_bytes().to_vec()
}

/// The `meld-signature` header value.
pub fn meld(secret: &str, timestamp: &str, url: &str, body: &[u8]) -> String {
    URL_SAFE.encode(mac(
        secret.as_bytes(),
        &[timestamp.as_bytes(), url.as_bytes(), body],
    ))
}

/// The HMAC key of a Basiq `whsec_…` secret (lenient about padding, as Basiq's examples are).
pub fn basiq_key(secret: &str) -> Vec<u8> {
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
pub fn basiq(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> String {
    let ts = timestamp.to_string();
    let sig = STANDARD.encode(mac(
        &basiq_key(secret),
        &[id.as_bytes(), ts.as_bytes(), body],
    ));
    format!("v1,{sig}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meld_documented_vector() {
        let body = r#"{"eventType":"WEBHOOK_TEST","eventId":"GDtv8pQgwzc9HuFFBQFrww","timestamp":"2022-05-26T20:23:45.908400Z","accountId":"W9jpQc1HKvwscqMPcLmzUS","profileId":null,"version":"2021-10-27","payload":{"requestId":"7aWW1GXTjWCCtNubzvVX7V"}}"#;
        assert_eq!(
            meld(
                "42m4NMLS34WQ6BbMfo1KFKqMv4hy",
                "2022-05-26T20:25:17.682818Z",
                "https://example.meld.io/webhooks",
                body.as_bytes()
            ),
            "O4bN5E0U9s88l2DFc0kjt-0w3LLA3Zkv8hXhafc22Hg="
        );
    }

    #[test]
    fn basiq_vector() {
        let body = r#"{"eventId":"dbe633fd76d4eaea0c759e7b0a6fe7c9bc62087787d080b28400014cd4b3a998","eventTypeId":"transactions.updated","links":{"event":"https://au-api.basiq.io/events/dbe633fd76d4eaea0c759e7b0a6fe7c9bc62087787d080b28400014cd4b3a998","eventEntity":"https://au-api.basiq.io/users/1e25009f-f208-47ea-8843-399cde5abbf2/transactions?filter=connection.id.eq('ee01356a-6ecb-4929-9c2d-87b961bb46d2')"}}"#;
        assert_eq!(
            basiq(
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
            basiq_key("whsec_MA4V6bD7rB0Hcm2aw8ghgDeQ5UAak24DwnX0rX6").len(),
            29
        );
    }
}
