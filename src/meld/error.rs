//! Meld errors and their envelope `{code, message, errors, requestId, timestamp}`.
//!
//! The envelope's fields are documented; bank-linking codes are not, so the codes here are the
//! digest's proposal (`BAD_REQUEST`, `UNAUTHORIZED`, `NOT_FOUND`, …) and clients should rely on
//! the status. `errors` holds one `[field] message` entry per problem.

use axum::http::StatusCode;
use serde::Serialize;

/// A Meld error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MeldError {
    /// No usable `Authorization: BASIC <key>` header, or an unknown key.
    #[error("unauthorized: {0}")]
    Unauthorized(&'static str),
    /// Request problems, one `[field] message` per entry.
    #[error("bad request: {0:?}")]
    BadRequest(Vec<String>),
    /// An id nobody has.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The operation is not allowed in the object's current state.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The provider's limit on forced refreshes was reached.
    #[error("too many requests: {0}")]
    TooManyRequests(String),
    /// The operation exists but the provider behind the object does not offer it.
    #[error("not supported: {0}")]
    NotSupported(String),
    /// The provider refused the credentials it was given (its `401`, passed on).
    #[error("service provider refused: {0}")]
    ProviderUnauthorized(String),
    /// A request body over the size limit.
    #[error("request body too large")]
    TooLarge,
    /// A path no route serves.
    #[error("route not found")]
    RouteNotFound,
    /// A route that exists, with a method it does not take.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// A status injected by a fault rule (`/__admin/faults`), in Meld's envelope.
    #[error("injected {0}")]
    Injected(StatusCode),
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Envelope<'a> {
    code: &'static str,
    message: String,
    errors: &'a [String],
    request_id: &'a str,
    timestamp: String,
}

impl MeldError {
    /// HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            MeldError::Unauthorized(_) | MeldError::ProviderUnauthorized(_) => {
                StatusCode::UNAUTHORIZED
            }
            MeldError::BadRequest(_) | MeldError::NotSupported(_) => StatusCode::BAD_REQUEST,
            MeldError::NotFound(_) | MeldError::RouteNotFound => StatusCode::NOT_FOUND,
            MeldError::Conflict(_) => StatusCode::CONFLICT,
            MeldError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            MeldError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            MeldError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            MeldError::Injected(status) => *status,
        }
    }

    /// The envelope body.
    pub fn body(&self, request_id: &str, timestamp: String) -> bytes::Bytes {
        let none: &[String] = &[];
        let (code, message, errors) = match self {
            MeldError::Unauthorized(why) => ("UNAUTHORIZED", (*why).to_owned(), none),
            MeldError::BadRequest(errors) => {
                ("BAD_REQUEST", "Bad request".to_owned(), errors.as_slice())
            }
            MeldError::NotFound(what) => ("NOT_FOUND", format!("{what} not found"), none),
            MeldError::RouteNotFound => ("NOT_FOUND", "No such endpoint".to_owned(), none),
            MeldError::Conflict(why) => ("CONFLICT", why.clone(), none),
            MeldError::NotSupported(why) => ("NOT_SUPPORTED", why.clone(), none),
            MeldError::ProviderUnauthorized(why) => ("SERVICE_PROVIDER_ERROR", why.clone(), none),
            MeldError::TooManyRequests(why) => ("TOO_MANY_REQUESTS", why.clone(), none),
            MeldError::TooLarge => (
                "PAYLOAD_TOO_LARGE",
                "Request body is too large".to_owned(),
                none,
            ),
            MeldError::MethodNotAllowed => (
                "METHOD_NOT_ALLOWED",
                "Method not allowed on this endpoint".to_owned(),
                none,
            ),
            MeldError::Injected(status) => {
                let (code, message) = injected(*status);
                (code, message.to_owned(), none)
            }
        };
        crate::http::to_bytes(&Envelope {
            code,
            message,
            errors,
            request_id,
            timestamp,
        })
    }
}

/// Meld's code and message for an injected status (the digest's §4.2 table).
fn injected(status: StatusCode) -> (&'static str, &'static str) {
    match status.as_u16() {
        401 => ("UNAUTHORIZED", "Unauthorized"),
        403 => ("FORBIDDEN", "Forbidden"),
        404 => ("NOT_FOUND", "Not found"),
        405 => ("METHOD_NOT_ALLOWED", "Method not allowed on this endpoint"),
        409 => ("CONFLICT", "Conflict"),
        413 => ("PAYLOAD_TOO_LARGE", "Request body is too large"),
        429 => ("TOO_MANY_REQUESTS", "Too many requests"),
        502 => ("SERVICE_PROVIDER_ERROR", "Service provider error"),
        500..=599 => ("UNKNOWN", "Unknown Error"),
        _ => ("BAD_REQUEST", "Bad request"),
    }
}
