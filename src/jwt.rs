//! Compact HS256 JSON Web Tokens: what Basiq access tokens look like on the wire, and what
//! Meld connect tokens are.
//!
//! Tokens are self-contained: the claims say who the bearer is and when the token expires, and
//! the signature (keyed by the engine's secret: random per process unless configured) says
//! sandbank issued them.
//! Nothing is stored per token, so minting is free and validation is one HMAC.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::Sha256;

const HEADER: &str = r#"{"typ":"JWT","alg":"HS256"}"#;

/// Signs `claims` into `header.claims.signature`.
pub fn sign(secret: &[u8], claims: &impl Serialize) -> String {
    let claims = serde_json::to_vec(claims).unwrap_or_default();
    let mut token = URL_SAFE_NO_PAD.encode(HEADER);
    token.push('.');
    token.push_str(&URL_SAFE_NO_PAD.encode(claims));
    let signature = mac(secret, token.as_bytes());
    token.push('.');
    token.push_str(&URL_SAFE_NO_PAD.encode(signature));
    token
}

/// Verifies the signature and decodes the claims; `None` for anything not issued with `secret`.
pub fn verify<T: DeserializeOwned>(secret: &[u8], token: &str) -> Option<T> {
    let (signed, signature) = token.rsplit_once('.')?;
    let (_, claims) = signed.split_once('.')?;
    let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
    let mut check = <Hmac<Sha256>>::new_from_slice(secret).ok()?;
    check.update(signed.as_bytes());
    check.verify_slice(&signature).ok()?;
    let claims = URL_SAFE_NO_PAD.decode(claims).ok()?;
    serde_json::from_slice(&claims).ok()
}

/// HMAC-SHA256 of `message` under `secret`.
pub fn mac(secret: &[u8], message: &[u8]) -> Vec<u8> {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256>>::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize, serde::Deserialize, PartialEq, Debug)]
    struct Claims {
        sub: String,
        exp: i64,
    }

    #[test]
    fn round_trip_and_tamper() {
        let claims = Claims {
            sub: "a".into(),
            exp: 5,
        };
        let token = sign(b"k", &claims);
        assert_eq!(verify::<Claims>(b"k", &token), Some(claims));
        assert_eq!(verify::<Claims>(b"other", &token), None);
        let mut tampered = token.clone();
        tampered.insert(token.find('.').unwrap_or(0) + 2, 'x');
        assert_eq!(verify::<Claims>(b"k", &tampered), None);
        assert_eq!(verify::<Claims>(b"k", "garbage"), None);
    }
}
