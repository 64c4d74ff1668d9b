//! The HMAC-SHA256 both vendors' webhook signatures are made of; each vendor's scheme
//! (`crate::basiq::delivery`, `crate::meld::delivery`) says what is signed and how it is
//! written.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// HMAC-SHA256 under `key` of `parts` joined by `.`.
pub fn mac(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
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
