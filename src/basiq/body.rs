//! Reading JSON request bodies the way Basiq does: a declared wrong content type → 415
//! `unsupported-content-type` where Basiq documents it (creating and updating connections),
//! unparsable or mistyped JSON → 400 `invalid-content` with the endpoint's own detail, too large
//! → 413 — never a framework default body. A body without `Content-Type`, and one with another
//! type where no 415 is documented, is read as JSON, as Basiq's gateway does.

use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode};
use bytes::Bytes;
use serde::de::DeserializeOwned;

use super::error::BasiqError;
use crate::http;

/// Parses a JSON body whatever its declared type; `invalid` is the endpoint's detail for a body
/// it cannot read.
pub fn json<T: DeserializeOwned>(
    body: Result<Bytes, BytesRejection>,
    invalid: &'static str,
) -> Result<T, BasiqError> {
    parse(bytes(body, invalid)?, invalid)
}

/// Parses a JSON body on an endpoint where Basiq documents 415 for a declared type other than
/// JSON (a body with no `Content-Type` is still read as JSON).
pub fn json_typed<T: DeserializeOwned>(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
    invalid: &'static str,
) -> Result<T, BasiqError> {
    let body = bytes(body, invalid)?;
    let content_type = http::header(headers, "content-type").unwrap_or("");
    let media = content_type.split(';').next().unwrap_or("").trim();
    if !media.is_empty() && !media.eq_ignore_ascii_case("application/json") {
        return Err(BasiqError::ContentTypeUnsupported(content_type.to_owned()));
    }
    parse(body, invalid)
}

fn parse<T: DeserializeOwned>(body: Bytes, invalid: &'static str) -> Result<T, BasiqError> {
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
