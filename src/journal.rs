//! The request journal: every request a vendor listener answered (vendor, method, path, query,
//! status, server time), newest last, in a ring of fixed size so memory never grows with
//! traffic. Admin calls are not journaled. `GET /__admin/requests` reads it; a reset empties it.

use std::borrow::Cow;
use std::collections::VecDeque;
use std::sync::Mutex;

use axum::http::{Method, StatusCode};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::engine::Engine;
use crate::value::{Precision, Timestamp};

/// Entries kept unless configured otherwise.
pub const DEFAULT_LIMIT: usize = 1000;

/// Most bytes of a request's path, and of its query, an entry keeps: a ring of many entries
/// stays small whatever request lines clients send. A longer one is cut at a character
/// boundary and ends with `…`.
pub const MAX_LINE_PART: usize = 2048;

/// One answered request.
#[derive(Debug, Clone)]
pub struct Entry {
    pub vendor: &'static str,
    pub line: RequestLine,
    /// `None` when a fault rule dropped the connection unanswered.
    pub status: Option<u16>,
    /// The server time the request arrived at.
    pub at: DateTime<Utc>,
}

impl Entry {
    /// The admin API's JSON for it.
    pub fn to_json(&self) -> Value {
        json!({
            "vendor": self.vendor,
            "method": self.line.method(),
            "path": self.line.path(),
            "query": self.line.query(),
            "status": self.status,
            "time": Timestamp::new(self.at, Precision::Millis).to_string(),
        })
    }
}

/// The ring of entries.
#[derive(Debug)]
pub struct Journal {
    limit: usize,
    entries: Mutex<(VecDeque<Entry>, u64)>,
}

impl Journal {
    /// An empty journal keeping `limit` entries.
    pub fn new(limit: usize) -> Journal {
        Journal {
            limit,
            entries: Mutex::new((VecDeque::new(), 0)),
        }
    }

    fn with<R>(&self, f: impl FnOnce(&mut (VecDeque<Entry>, u64)) -> R) -> R {
        match self.entries.lock() {
            Ok(mut g) => f(&mut g),
            Err(poisoned) => f(&mut poisoned.into_inner()),
        }
    }

    /// Adds an entry, dropping the oldest when full.
    pub fn record(&self, entry: Entry) {
        if self.limit == 0 {
            return;
        }
        self.with(|(entries, dropped)| {
            if entries.len() >= self.limit {
                entries.pop_front();
                *dropped += 1;
            }
            entries.push_back(entry);
        });
    }

    /// Entries passing `keep`, oldest first, and how many were dropped for room.
    pub fn read(&self, keep: impl Fn(&Entry) -> bool) -> (Vec<Entry>, u64) {
        self.with(|(entries, dropped)| {
            (
                entries.iter().filter(|e| keep(e)).cloned().collect(),
                *dropped,
            )
        })
    }

    /// Empties the journal.
    pub fn clear(&self) {
        self.with(|(entries, dropped)| {
            entries.clear();
            *dropped = 0;
        });
    }

    /// How many entries it keeps.
    pub fn limit(&self) -> usize {
        self.limit
    }
}

/// Journals a request that arrived at `at` with the status it was answered with (`None` for a
/// dropped connection).
pub fn record(
    engine: &Engine,
    vendor: &'static str,
    line: RequestLine,
    status: Option<StatusCode>,
    at: DateTime<Utc>,
) {
    engine.journal().record(Entry {
        vendor,
        line,
        status: status.map(|s| s.as_u16()),
        at,
    });
}

/// Method, path and query of a request, each part at most [`MAX_LINE_PART`] bytes, held in one
/// allocation, or in none when they are short (and the method is a standard one).
#[derive(Debug, Clone)]
pub struct RequestLine {
    method: Method,
    /// The path, then the query when there is one.
    text: LineText,
    path_len: usize,
    has_query: bool,
}

impl RequestLine {
    pub fn method(&self) -> &str {
        self.method.as_str()
    }

    pub fn path(&self) -> &str {
        &self.text.as_str()[..self.path_len]
    }

    pub fn query(&self) -> Option<&str> {
        self.has_query.then(|| &self.text.as_str()[self.path_len..])
    }
}

/// Bytes of path and query kept inside the entry itself.
const INLINE_LINE: usize = 62;

/// A request line's text: inside the entry when it is short, on the heap otherwise.
#[derive(Debug, Clone)]
enum LineText {
    Inline { len: u8, bytes: [u8; INLINE_LINE] },
    Heap(Box<str>),
}

impl LineText {
    fn new(parts: [&str; 2]) -> LineText {
        let len = parts[0].len() + parts[1].len();
        if len <= INLINE_LINE {
            let mut bytes = [0; INLINE_LINE];
            bytes[..parts[0].len()].copy_from_slice(parts[0].as_bytes());
            bytes[parts[0].len()..len].copy_from_slice(parts[1].as_bytes());
            // At most INLINE_LINE (62), so it fits.
            let len = len as u8;
            return LineText::Inline { len, bytes };
        }
        LineText::Heap(parts.concat().into_boxed_str())
    }

    fn as_str(&self) -> &str {
        match self {
            // Whole strings copied byte for byte: always UTF-8.
            LineText::Inline { len, bytes } => {
                std::str::from_utf8(&bytes[..usize::from(*len)]).unwrap_or_default()
            }
            LineText::Heap(text) => text,
        }
    }
}

/// The request line an entry keeps.
pub fn line_of<B>(request: &axum::http::Request<B>) -> RequestLine {
    let uri = request.uri();
    let path = bounded(uri.path());
    let query = uri.query().map(bounded);
    RequestLine {
        method: request.method().clone(),
        text: LineText::new([&path, query.as_deref().unwrap_or("")]),
        path_len: path.len(),
        has_query: query.is_some(),
    }
}

/// `text`, or its first [`MAX_LINE_PART`] bytes (cut at a character boundary) and `…`.
fn bounded(text: &str) -> Cow<'_, str> {
    if text.len() <= MAX_LINE_PART {
        return Cow::Borrowed(text);
    }
    let mut end = MAX_LINE_PART - '…'.len_utf8();
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    Cow::Owned(format!("{}…", &text[..end]))
}
