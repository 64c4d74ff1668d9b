//! The request body limit: a vendor route answers a body over the limit with 413 in its
//! vendor's envelope, before any handler runs — whether or not the route reads bodies.
//!
//! A declared `Content-Length` over the limit is refused here; a chunked body is cut off at
//! the limit by the body extractors (`DefaultBodyLimit`), which handlers turn into the same
//! 413.

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::header::CONTENT_LENGTH;
use axum::middleware::Next;
use axum::response::Response;

use crate::basiq::error::BasiqError;
use crate::engine::Engine;
use crate::meld::error::MeldError;
use crate::meld::{Call, version};

/// Bytes a request body may have unless configured otherwise (2 MiB).
pub const DEFAULT_BODY_LIMIT: usize = 2 * 1024 * 1024;

/// The extractor limit matching the configured one.
pub fn extractor_limit(engine: &Engine) -> DefaultBodyLimit {
    DefaultBodyLimit::max(body_limit(engine))
}

fn body_limit(engine: &Engine) -> usize {
    engine.config().body_limit.unwrap_or(DEFAULT_BODY_LIMIT)
}

/// Middleware for a vendor router: 413 for a declared body over the limit.
pub async fn layer(
    State((engine, vendor)): State<(Engine, &'static str)>,
    request: Request,
    next: Next,
) -> Response {
    let declared = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let over = declared.is_some_and(|n| n > body_limit(&engine) as u64);
    if !over || request.uri().path().starts_with("/__admin") {
        return next.run(request).await;
    }
    if vendor == "meld" {
        Call::begin(&engine, request.headers(), version::CONNECTIONS)
            .finish(&engine, Err(MeldError::TooLarge))
    } else {
        BasiqError::BodyTooLarge.response(engine.next_uuid())
    }
}
