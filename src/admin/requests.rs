//! `GET /__admin/requests[?vendor=&method=&path=]`: the request journal, oldest first.
//! `path` matches as a prefix; `dropped` counts entries pushed out of the ring.

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::engine::Engine;

/// The handler.
pub(super) async fn list(State(engine): State<Engine>, RawQuery(query): RawQuery) -> Response {
    let pairs: Vec<(String, String)> = query
        .as_deref()
        .unwrap_or("")
        .split('&')
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (k.to_owned(), crate::http::decode_or_raw(v)))
        .collect();
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let (vendor, method, path) = (get("vendor"), get("method"), get("path"));
    let (entries, dropped) = engine.journal().read(|e| {
        vendor.is_none_or(|v| e.vendor == v)
            && method.is_none_or(|m| e.line.method().eq_ignore_ascii_case(m))
            && path.is_none_or(|p| e.line.path().starts_with(p))
    });
    let list: Vec<Value> = entries.iter().map(|e| e.to_json()).collect();
    Json(json!({
        "requests": list,
        "dropped": dropped,
        "limit": engine.journal().limit(),
    }))
    .into_response()
}
