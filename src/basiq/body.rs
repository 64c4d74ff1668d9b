//! Reading JSON request bodies the way Basiq does: wrong content type → 415
//! `unsupported-content-type`, unparsable or mistyped JSON → 400 `invalid-content` with the
//! endpoint's own detail, too large → 413 — never a framework default body.

use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode};
use bytes::Bytes;
use serde::de::DeserializeOwned;

use super::error::BasiqError;
use crate::http;

/// Parses a JSON body; `invalid` is the endpoint's detail for a body it cannot read.
pub fn json<T: DeserializeOwned>(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
    invalid: &'static str,
) -> Result<T, BasiqError> {
    let body = bytes(body, invalid)?;
    let content_type = http::header(headers, "content-type").unwrap_or("");
    let media = content_type.split(';').next().unwrap_or("").trim();
    if !media.eq_ignore_ascii_case("application/json") {
        let shown = if content_type.is_empty() {
            "(none)"
        } else {
            content_type
        };
        return Err(BasiqError::ContentTypeUnsupported(shown.to_owned()));
    }
    // Read as a value first, so that a key written twice counts once (the last one), as Basiq's
    // gateway and Meld's read it, instead of failing the typed read.
    serde_json::from_slice::<serde_json::Value>(&body)
        .and_then(serde_json::from_value)
        .map_err(|_| BasiqError::BodyInvalid(invalid))
}

/// The body's bytes: too large → 413, unreadable → 400 `invalid-content` with `invalid`.
pub fn bytes(
    body: Result<Bytes, BytesRejection>,
    invalid: &'static str,
) -> Result<Bytes, BasiqError> {
    match body {
        Ok(body) => Ok(body),
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            Err(BasiqError::BodyTooLarge)
        }
        Err(_) => Err(BasiqError::BodyInvalid(invalid)),
    }
}
