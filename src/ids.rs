//! Deterministic identifiers and randomness.
//!
//! Every id sandbank hands out comes from a ChaCha stream seeded by the scenario's `seed`, so
//! the same scenario yields the same ids on every run. Objects loaded from a scenario draw from
//! a stream derived from their own position in the file ([`rng_for`]), which keeps one object's
//! generated values stable when another object is added elsewhere.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sha2::{Digest, Sha256};

/// The base58 alphabet Meld ids are drawn from.
const BASE58: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/// A random stream derived from the scenario seed and a label (usually a key path).
pub fn rng_for(seed: u64, label: &str) -> ChaCha8Rng {
    let mut hasher = Sha256::new();
    hasher.update(seed.to_le_bytes());
    hasher.update(label.as_bytes());
    let digest = hasher.finalize();
    let mut bytes = [0u8; 32];
    bytes.copy_from_slice(&digest);
    ChaCha8Rng::from_seed(bytes)
}

/// A lowercase UUID v4, as Basiq uses for users, connections, accounts and jobs.
pub fn uuid_v4(rng: &mut impl Rng) -> String {
    uuid_text(&uuid_v4_bytes(rng))
}

/// The 16 bytes of a UUID v4: [`uuid_v4`] before it is written out.
pub fn uuid_v4_bytes(rng: &mut impl Rng) -> [u8; 16] {
    let mut b: [u8; 16] = rng.random();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    b
}

/// A 22-character base58 id, the shape of current Meld ids.
pub fn base58_id(rng: &mut impl Rng) -> String {
    (0..22)
        .map(|_| BASE58[rng.random_range(0..BASE58.len())] as char)
        .collect()
}

/// `n` random bytes as lowercase hex (Meld request ids are 16 bytes, 32 characters).
pub fn hex_id(rng: &mut impl Rng, n: usize) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(n * 2);
    for _ in 0..n {
        let b: u8 = rng.random();
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 0x0f) as usize] as char);
    }
    out
}

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 0x0f) as usize] as char);
    }
    out
}

/// Base58 encoding of arbitrary bytes (big-endian number), used for opaque pagination keys.
pub fn base58_encode(bytes: &[u8]) -> String {
    let zeros = bytes.iter().take_while(|b| **b == 0).count();
    let mut digits: Vec<u8> = Vec::with_capacity(bytes.len() * 138 / 100 + 1);
    for &byte in &bytes[zeros..] {
        let mut carry = byte as u32;
        for d in digits.iter_mut() {
            carry += (*d as u32) << 8;
            *d = (carry % 58) as u8;
            carry /= 58;
        }
        while carry > 0 {
            digits.push((carry % 58) as u8);
            carry /= 58;
        }
    }
    let mut out = String::with_capacity(zeros + digits.len());
    out.extend(std::iter::repeat_n('1', zeros));
    out.extend(digits.iter().rev().map(|d| BASE58[*d as usize] as char));
    out
}

/// Inverse of [`base58_encode`]; `None` on any character outside the alphabet.
pub fn base58_decode(text: &str) -> Option<Vec<u8>> {
    let zeros = text.bytes().take_while(|c| *c == b'1').count();
    let mut bytes: Vec<u8> = Vec::with_capacity(text.len());
    for c in text.bytes().skip(zeros) {
        let mut carry = BASE58.iter().position(|a| *a == c)? as u32;
        for b in bytes.iter_mut() {
            carry += (*b as u32) * 58;
            *b = (carry & 0xff) as u8;
            carry >>= 8;
        }
        while carry > 0 {
            bytes.push((carry & 0xff) as u8);
            carry >>= 8;
        }
    }
    let mut out = vec![0u8; zeros];
    out.extend(bytes.iter().rev());
    Some(out)
}

const UUID_DIGITS: &[u8; 16] = b"0123456789abcdef";

/// Where the hyphens of a canonical UUID stand.
fn hyphen(i: usize) -> bool {
    matches!(i, 8 | 13 | 18 | 23)
}

/// The 16 bytes of a UUID written in canonical form: 36 characters, lowercase hex digits,
/// hyphens after the 8th, 12th, 16th and 20th. Other spellings stay text, so they print back
/// as written.
pub fn parse_uuid(text: &str) -> Option<[u8; 16]> {
    let text = text.as_bytes();
    if text.len() != 36 {
        return None;
    }
    let digit = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    };
    let mut bytes = [0u8; 16];
    let mut n = 0;
    let mut high: Option<u8> = None;
    for (i, &c) in text.iter().enumerate() {
        if hyphen(i) {
            if c != b'-' {
                return None;
            }
            continue;
        }
        let d = digit(c)?;
        match high.take() {
            None => high = Some(d),
            Some(h) => {
                bytes[n] = (h << 4) | d;
                n += 1;
            }
        }
    }
    Some(bytes)
}

pub fn write_uuid<'a>(bytes: &[u8; 16], buf: &'a mut [u8; 36]) -> &'a str {
    let mut digits = bytes.iter().flat_map(|b| {
        [
            UUID_DIGITS[usize::from(b >> 4)],
            UUID_DIGITS[usize::from(b & 0x0f)],
        ]
    });
    for (i, slot) in buf.iter_mut().enumerate() {
        *slot = if hyphen(i) {
            b'-'
        } else {
            digits.next().unwrap_or(b'0')
        };
    }
    // Hex digits and hyphens only.
    std::str::from_utf8(buf).unwrap_or_default()
}

/// A UUID's canonical text.
pub fn uuid_text(bytes: &[u8; 16]) -> String {
    let mut buf = [0u8; 36];
    write_uuid(bytes, &mut buf).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base58_round_trips() {
        for input in [&b""[..], b"\0\0ab", b"hello world", &[255, 0, 1, 2]] {
            let encoded = base58_encode(input);
            assert_eq!(base58_decode(&encoded).as_deref(), Some(input));
        }
        assert_eq!(base58_encode(b"hello world"), "StV1DL6CwTryKyV");
        assert_eq!(base58_decode("0OIl"), None);
    }

    #[test]
    fn ids_have_vendor_shapes() {
        let mut rng = rng_for(7, "x");
        let u = uuid_v4(&mut rng);
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        let m = base58_id(&mut rng);
        assert_eq!(m.len(), 22);
        assert!(m.bytes().all(|c| BASE58.contains(&c)));
        assert_eq!(hex_id(&mut rng, 16).len(), 32);
    }
}
