//! The log of webhook delivery attempts:
//! `GET /__admin/webhooks[?vendor=basiq|meld]` → `{"attempts": [...], "pending": n}`.

use axum::extract::{Json, RawQuery, State};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::engine::Engine;

/// `GET /__admin/webhooks`: every delivery attempt, oldest first.
pub(super) async fn log(State(engine): State<Engine>, RawQuery(query): RawQuery) -> Response {
    let vendor = query
        .as_deref()
        .unwrap_or("")
        .split('&')
        .find_map(|p| p.strip_prefix("vendor="))
        .map(str::to_owned);
    let (attempts, pending): (Vec<Value>, usize) = engine.with_world(|w| {
        (
            w.outbox
                .log()
                .map(|a| a.to_json())
                .filter(|a| vendor.as_ref().is_none_or(|v| a["vendor"] == v.as_str()))
                .collect(),
            w.outbox.pending(),
        )
    });
    Json(json!({ "attempts": attempts, "pending": pending })).into_response()
}
