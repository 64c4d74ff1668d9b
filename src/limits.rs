//! The request body limit: a vendor route answers a body over the limit with 413 in its
//! vendor's envelope, before any handler runs — whether or not the route reads bodies.
//!
//! A declared `Content-Length` over the limit is refused here; a chunked body is cut off at
//! the limit by the body extractors (`DefaultBodyLimit`), which handlers turn into the same
//! 413.

use axum::extract::DefaultBodyLimit;
use axum::response::Response;

use crate::engine::Engine;
use crate::vendor::{Head, Refusal, Vendor};

/// Bytes a request body may have unless configured otherwise (2 MiB).
pub const DEFAULT_BODY_LIMIT: usize = 2 * 1024 * 1024;

/// The extractor limit matching the configured one, when it is not the extractors' own
/// default (which equals [`DEFAULT_BODY_LIMIT`]).
pub fn extractor_limit(engine: &Engine) -> Option<DefaultBodyLimit> {
    let limit = body_limit(engine);
    (limit != DEFAULT_BODY_LIMIT).then(|| DefaultBodyLimit::max(limit))
}

fn body_limit(engine: &Engine) -> usize {
    engine.config().body_limit.unwrap_or(DEFAULT_BODY_LIMIT)
}

/// The vendor's 413 for a request that declares a body over the limit.
pub fn refuse(engine: &Engine, vendor: &dyn Vendor, head: &Head<'_>) -> Option<Response> {
    let declared = head
        .known
        .content_length
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())?;
    (declared > body_limit(engine) as u64)
        .then(|| vendor.refusal(engine, head.headers, Refusal::BodyTooLarge))
}
