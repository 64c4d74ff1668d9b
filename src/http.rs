//! Small HTTP helpers both vendors use: JSON responses, the base URL links are built on,
//! reading headers leniently, decoding query and form text, and JSON strings written from their
//! parts without a `String` made for them ([`Shown`], [`Joined`]).

use axum::http::header::{ACCEPT, AUTHORIZATION, CONTENT_LENGTH, HOST};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use bytes::Bytes;

/// `application/json`, the only content type either vendor answers with.
pub const JSON: HeaderValue = HeaderValue::from_static("application/json");

/// A response with a JSON body.
pub fn json(status: StatusCode, body: Bytes) -> Response {
    crate::answer::into_router(crate::answer::json(status, body))
}

/// An empty response (204).
pub fn empty(status: StatusCode) -> Response {
    let mut response = Response::new(axum::body::Body::empty());
    *response.status_mut() = status;
    response
}

/// Serializes a wire value. Wire types are plain data, so this cannot fail in practice.
pub fn to_bytes(value: &impl serde::Serialize) -> Bytes {
    Bytes::from(serde_json::to_vec(value).unwrap_or_default())
}

/// A value serialized as the JSON string its `Display` writes, escaped as it is written.
pub struct Shown<T>(pub T);

impl<T: std::fmt::Display> serde::Serialize for Shown<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

/// Text written as its parts one after another (a link's base URL, path and ids), then `T`.
pub struct Joined<'a, const N: usize, T = &'static str>(pub [&'a str; N], pub T);

impl<const N: usize, T: std::fmt::Display> std::fmt::Display for Joined<'_, N, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.iter().try_for_each(|part| f.write_str(part))?;
        self.1.fmt(f)
    }
}

/// A value's `Display`, or nothing when there is none.
pub struct OrEmpty<T>(pub Option<T>);

impl<T: std::fmt::Display> std::fmt::Display for OrEmpty<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Some(value) => value.fmt(f),
            None => Ok(()),
        }
    }
}

/// The base URL links point at: the configured public URL, else `http://<Host>`.
pub fn base_url(headers: &HeaderMap, public: Option<&str>) -> String {
    if let Some(public) = public {
        return public.trim_end_matches('/').to_owned();
    }
    let host = header(headers, HOST).unwrap_or("localhost");
    format!("http://{host}")
}

/// A header as text, if present and visible ASCII (as `HeaderValue::to_str` reads it), trimmed.
pub fn header(headers: &HeaderMap, name: impl axum::http::header::AsHeaderName) -> Option<&str> {
    text(headers.get(name)?)
}

/// The standard headers the gate and the hot reads consult, found in one pass over the map:
/// the first value of each, as [`HeaderMap::get`] gives it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Known<'a> {
    pub accept: Option<&'a HeaderValue>,
    pub authorization: Option<&'a HeaderValue>,
    pub content_length: Option<&'a HeaderValue>,
    pub host: Option<&'a HeaderValue>,
}

impl<'a> Known<'a> {
    pub fn of(headers: &'a HeaderMap) -> Known<'a> {
        let mut known = Known::default();
        for (name, value) in headers {
            let slot = if name == ACCEPT {
                &mut known.accept
            } else if name == AUTHORIZATION {
                &mut known.authorization
            } else if name == CONTENT_LENGTH {
                &mut known.content_length
            } else if name == HOST {
                &mut known.host
            } else {
                continue;
            };
            slot.get_or_insert(value);
        }
        known
    }
}

/// Longest header value [`text`] checks a byte at a time (hosts, media types); longer ones
/// (tokens) are checked many bytes at a time.
const SHORT_TEXT: usize = 64;

/// A header value as text, if visible ASCII (as `HeaderValue::to_str` reads it), trimmed.
pub fn text(value: &HeaderValue) -> Option<&str> {
    let bytes = value.as_bytes();
    if bytes.len() <= SHORT_TEXT {
        return value.to_str().ok().map(str::trim);
    }
    // What `HeaderValue::to_str` admits (visible ASCII and tabs), checked without stopping
    // early so that long values (tokens) are checked many bytes at a time.
    let visible = bytes.iter().fold(true, |ok, &b| {
        ok & (b == b'\t' || (0x20..0x7f).contains(&b))
    });
    if !visible {
        return None;
    }
    std::str::from_utf8(bytes).ok().map(str::trim)
}

/// Whether an `Accept` header admits JSON (absent, `*/*`, `application/*` or
/// `application/json`, with or without parameters).
pub fn accepts_json(accept: Option<&HeaderValue>) -> Result<(), String> {
    let Some(accept) = accept.and_then(text) else {
        return Ok(());
    };
    if accept.is_empty() {
        return Ok(());
    }
    let ok = accept.split(',').any(|part| {
        let media = part.split(';').next().unwrap_or("").trim();
        ["*/*", "application/*", "application/json"]
            .iter()
            .any(|json| media.eq_ignore_ascii_case(json))
    });
    if ok { Ok(()) } else { Err(accept.to_owned()) }
}

/// Decodes `application/x-www-form-urlencoded` text (`+` is a space).
pub fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = text.get(i + 1..i + 3)?;
                if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return None;
                }
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// A query value decoded, or as written when it is not valid percent-encoding: a malformed
/// value must not vanish (a dropped `filter` would answer with the unfiltered list), so it
/// reaches the parameter's own check, which refuses it as that vendor does.
pub fn decode_or_raw(text: &str) -> String {
    percent_decode(text).unwrap_or_else(|| text.to_owned())
}

/// The bytes of a body that is already complete (as every body built here is); a body that
/// would still have to wait reads as empty.
pub fn ready_bytes(body: axum::body::Body) -> Bytes {
    let mut collecting = std::pin::pin!(http_body_util::BodyExt::collect(body));
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match collecting.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(Ok(collected)) => collected.to_bytes(),
        _ => Bytes::new(),
    }
}
