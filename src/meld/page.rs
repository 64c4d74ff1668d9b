//! Meld key pagination: every item carries a `key` for its position; `after=<key>` and
//! `before=<key>` page from there; responses say `count` (this page) and `remaining` (beyond
//! it, in the direction of travel).
//!
//! A key is the base58 encoding of a kind tag plus the item's sort position, so it stays valid
//! for the item's whole life (even if the item itself goes away) and a key from another list is
//! refused. Lists are ordered by position, descending (newest first).

use super::error::MeldError;
use crate::ids::{base58_decode, base58_encode};

const KEY_VERSION: u8 = 1;

/// Which list a key belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Kind {
    Connection = 1,
    Account = 2,
    Transaction = 3,
    Institution = 4,
    Customer = 5,
    Holding = 6,
    InvestmentTransaction = 7,
}

/// A sortable position: a timestamp in milliseconds, then the id.
pub fn position(millis: i64, id: &str) -> Vec<u8> {
    let mut pos = Vec::with_capacity(8 + id.len());
    // Flip the sign bit so byte order equals numeric order.
    pos.extend_from_slice(&((millis as u64) ^ (1 << 63)).to_be_bytes());
    pos.extend_from_slice(id.as_bytes());
    pos
}

/// The `key` of an item at `pos` in a list of `kind`.
pub fn key(kind: Kind, pos: &[u8]) -> String {
    let mut bytes = vec![KEY_VERSION, kind as u8];
    bytes.extend_from_slice(pos);
    base58_encode(&bytes)
}

/// Longest key decoded. Keys hold a tag, a timestamp and an id of at most 64 characters:
/// 74 bytes, 102 base58 characters. Anything longer is refused before decoding, whose cost
/// grows with the square of the length.
pub const MAX_KEY_LEN: usize = 128;

fn decode(kind: Kind, key: &str, field: &str) -> Result<Vec<u8>, MeldError> {
    let decoded = (key.len() <= MAX_KEY_LEN)
        .then(|| base58_decode(key))
        .flatten();
    match decoded {
        Some(bytes) if bytes.len() > 2 && bytes[0] == KEY_VERSION && bytes[1] == kind as u8 => {
            Ok(bytes[2..].to_vec())
        }
        _ => Err(MeldError::BadRequest(vec![format!(
            "[{field}] is not a valid key"
        )])),
    }
}

/// Paging parameters of a request.
#[derive(Debug, Clone)]
pub struct Paging {
    before: Option<Vec<u8>>,
    after: Option<Vec<u8>>,
    limit: usize,
}

impl Paging {
    /// Reads `before`, `after` and `limit`, adding one message per problem to `errors`.
    pub fn parse(
        kind: Kind,
        before: Option<&str>,
        after: Option<&str>,
        limit: Option<&str>,
        (default, max): (usize, usize),
        errors: &mut Vec<String>,
    ) -> Paging {
        if before.is_some() && after.is_some() {
            errors.push("[before] must not be combined with [after]".to_owned());
        }
        let mut decoded =
            |value: Option<&str>, field: &str| match value.map(|k| decode(kind, k, field)) {
                Some(Ok(pos)) => Some(pos),
                Some(Err(MeldError::BadRequest(mut e))) => {
                    errors.append(&mut e);
                    None
                }
                _ => None,
            };
        let before = decoded(before, "before");
        let after = decoded(after, "after");
        let limit = match limit.map(str::parse::<usize>) {
            None => default,
            Some(Ok(n)) if (1..=max).contains(&n) => n,
            Some(_) => {
                errors.push(format!("[limit] must be between 1 and {max}"));
                default
            }
        };
        Paging {
            before,
            after,
            limit,
        }
    }

    /// One page of `items`, which must be sorted by position descending; returns the page and
    /// how many items remain beyond it.
    pub fn apply<'a, T>(&self, items: &'a [(Vec<u8>, T)]) -> (Vec<&'a (Vec<u8>, T)>, usize) {
        if let Some(before) = &self.before {
            // Items positioned before the key come first in the list: the ones with larger positions.
            let end = items.partition_point(|(pos, _)| pos > before);
            let start = end.saturating_sub(self.limit);
            return (items[start..end].iter().collect(), start);
        }
        let start = match &self.after {
            Some(after) => items.partition_point(|(pos, _)| pos >= after),
            None => 0,
        };
        let end = (start + self.limit).min(items.len());
        (items[start..end].iter().collect(), items.len() - end)
    }
}

impl Paging {
    /// The list response for `items` (item positions and items, any order): sorted newest
    /// first, this request's page taken, each item rendered (it is handed its position).
    pub fn respond<T>(
        &self,
        name: &'static str,
        mut items: Vec<(Vec<u8>, T)>,
        render: impl Fn(&[u8], &T) -> serde_json::Value,
    ) -> (axum::http::StatusCode, bytes::Bytes) {
        items.sort_by(|x, y| y.0.cmp(&x.0));
        let (page, remaining) = self.apply(&items);
        let list: Vec<serde_json::Value> =
            page.iter().map(|(pos, item)| render(pos, item)).collect();
        (axum::http::StatusCode::OK, envelope(name, &list, remaining))
    }
}

/// A list response: `{ "<name>": [...], "count": n, "remaining": m }`.
pub fn envelope<T: serde::Serialize>(
    name: &'static str,
    items: &[T],
    remaining: usize,
) -> bytes::Bytes {
    struct Envelope<'a, T> {
        name: &'static str,
        items: &'a [T],
        remaining: usize,
    }
    impl<T: serde::Serialize> serde::Serialize for Envelope<'_, T> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            use serde::ser::SerializeMap;
            let mut map = s.serialize_map(Some(3))?;
            map.serialize_entry(self.name, self.items)?;
            map.serialize_entry("count", &self.items.len())?;
            map.serialize_entry("remaining", &self.remaining)?;
            map.end()
        }
    }
    crate::http::to_bytes(&Envelope {
        name,
        items,
        remaining,
    })
}

impl Paging {
    /// Reads `before`, `after` and `limit` from a request's query pairs.
    pub fn from_query(
        kind: Kind,
        pairs: &[(String, String)],
        bounds: (usize, usize),
        errors: &mut Vec<String>,
    ) -> Paging {
        let get = |name: &str| super::param(pairs, name);
        Paging::parse(
            kind,
            get("before"),
            get("after"),
            get("limit"),
            bounds,
            errors,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(n: i64) -> Vec<(Vec<u8>, i64)> {
        (0..n).rev().map(|i| (position(i, "x"), i)).collect()
    }

    #[test]
    fn walking_forward_and_back_covers_everything_once() {
        let items = list(25);
        let mut errors = Vec::new();
        let mut seen = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let paging = Paging::parse(
                Kind::Connection,
                None,
                after.as_deref(),
                Some("10"),
                (10, 100),
                &mut errors,
            );
            let (page, remaining) = paging.apply(&items);
            seen.extend(page.iter().map(|(_, v)| *v));
            if remaining == 0 {
                break;
            }
            after = page.last().map(|(p, _)| key(Kind::Connection, p));
        }
        assert_eq!(seen, (0..25).rev().collect::<Vec<_>>());
        let mut back = Vec::new();
        let mut before = Some(key(Kind::Connection, &items[24].0));
        back.push(items[24].1);
        loop {
            let paging = Paging::parse(
                Kind::Connection,
                before.as_deref(),
                None,
                Some("7"),
                (10, 100),
                &mut errors,
            );
            let (page, remaining) = paging.apply(&items);
            back.splice(0..0, page.iter().map(|(_, v)| *v));
            if remaining == 0 {
                break;
            }
            before = page.first().map(|(p, _)| key(Kind::Connection, p));
        }
        assert_eq!(back, seen);
        assert!(errors.is_empty());
    }

    #[test]
    fn bad_keys_and_limits_are_reported() {
        let mut errors = Vec::new();
        Paging::parse(
            Kind::Connection,
            Some("0OIl"),
            Some("abc"),
            Some("0"),
            (10, 100),
            &mut errors,
        );
        assert_eq!(errors.len(), 4, "{errors:?}");
    }
}
