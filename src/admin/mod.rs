//! The admin API, under `/__admin` on both listeners: health, reset and the server clock here;
//! replacing the scenario in [`scenario`]; fault rules in [`faults`];
//! the Meld webhook profile and the delivery log in [`webhooks`]; forced status changes in
//! [`transitions`]; the request journal in [`requests`]; the list of Basiq users here.
//!
//! It is sandbank's own contract (not a vendor's), answered in plain JSON. Callers must be on
//! loopback, unless the server was started with an admin token; then they must send
//! `Authorization: Bearer <token>` from anywhere.

use std::net::SocketAddr;

use axum::Router;
use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, Json, State};
use axum::http::{Extensions, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;
use serde_json::json;

mod faults;
mod requests;
mod scenario;
mod transitions;
mod webhooks;

use crate::engine::Engine;
use crate::http;
use crate::value::{Precision, Timestamp};

/// The admin routes.
pub fn router(engine: Engine) -> Router {
    Router::new()
        .route("/__admin/health", get(health))
        .route("/__admin/reset", post(reset))
        .route("/__admin/scenario", post(scenario::load))
        .route("/__admin/clock", get(clock))
        .route("/__admin/clock/advance", post(advance))
        .route("/__admin/clock/set", post(set))
        .route("/__admin/meld/webhook", put(webhooks::set_meld_profile))
        .route("/__admin/meld/webhook/test", post(webhooks::meld_test))
        .route("/__admin/webhooks", get(webhooks::log))
        .route("/__admin/transitions", post(transitions::apply))
        .route("/__admin/requests", get(requests::list))
        .route("/__admin/basiq/users", get(basiq_users))
        .route("/__admin/faults", get(faults::list).post(faults::add))
        .route("/__admin/faults/{id}", delete(faults::remove))
        .with_state(engine)
}

pub(crate) fn error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}

/// Why a caller is turned away.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum Refusal {
    #[error("send Authorization: Bearer <admin token>")]
    TokenRequired,
    #[error(
        "the admin API answers loopback callers only; start the server with --admin-token to open it"
    )]
    NotLoopback,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let status = match self {
            Refusal::TokenRequired => StatusCode::UNAUTHORIZED,
            Refusal::NotLoopback => StatusCode::FORBIDDEN,
        };
        error(status, &self.to_string())
    }
}

/// Admits loopback callers, or anyone with the admin token when one is configured.
pub(crate) fn admit(engine: &Engine, peer: Extensions, headers: &HeaderMap) -> Result<(), Refusal> {
    match &engine.config().admin_token {
        Some(token) => {
            let sent =
                http::header(headers, "authorization").and_then(|v| v.strip_prefix("Bearer "));
            if sent.map(str::trim) == Some(token.as_str()) {
                Ok(())
            } else {
                Err(Refusal::TokenRequired)
            }
        }
        None if peer
            .get::<ConnectInfo<SocketAddr>>()
            .is_some_and(|ConnectInfo(p)| p.ip().is_loopback()) =>
        {
            Ok(())
        }
        None => Err(Refusal::NotLoopback),
    }
}

fn now_body(engine: &Engine) -> serde_json::Value {
    let now = Timestamp::new(engine.now(), Precision::Millis).to_string();
    json!({ "now": now, "frozen": engine.clock().is_frozen() })
}

/// `GET /__admin/health` → `{"status":"ok"}`.
async fn health(State(engine): State<Engine>, peer: Extensions, headers: HeaderMap) -> Response {
    match admit(&engine, peer, &headers) {
        Ok(()) => Json(json!({ "status": "ok" })).into_response(),
        Err(e) => e.into_response(),
    }
}

/// `POST /__admin/reset`: back to the loaded scenario's initial state and clock.
async fn reset(State(engine): State<Engine>, peer: Extensions, headers: HeaderMap) -> Response {
    if let Err(e) = admit(&engine, peer, &headers) {
        return e.into_response();
    }
    engine.reset();
    Json(now_body(&engine)).into_response()
}

/// `GET /__admin/clock` → `{"now": "<RFC 3339>", "frozen": bool}`.
async fn clock(State(engine): State<Engine>, peer: Extensions, headers: HeaderMap) -> Response {
    match admit(&engine, peer, &headers) {
        Ok(()) => Json(now_body(&engine)).into_response(),
        Err(e) => e.into_response(),
    }
}

/// `GET /__admin/basiq/users` → `{"users": [{"id", "connections", "accounts", "transactions"}]}`:
/// every Basiq user, listed ones and generated ones, in scenario order (Basiq has no API that
/// lists users).
async fn basiq_users(
    State(engine): State<Engine>,
    peer: Extensions,
    headers: HeaderMap,
) -> Response {
    if let Err(e) = admit(&engine, peer, &headers) {
        return e.into_response();
    }
    let users = engine.with_world_at(|w, _| {
        w.basiq
            .users
            .iter()
            .map(|u| {
                json!({
                    "id": u.id,
                    "connections": u.connections.len(),
                    "accounts": u.accounts.len(),
                    "transactions": u.transactions.len(),
                })
            })
            .collect::<Vec<_>>()
    });
    Json(json!({ "users": users })).into_response()
}

#[derive(Deserialize)]
struct Advance {
    seconds: i64,
}

/// `POST /__admin/clock/advance` `{"seconds": N}`: makes N seconds pass at once.
async fn advance(
    State(engine): State<Engine>,
    peer: Extensions,
    headers: HeaderMap,
    body: Result<Json<Advance>, JsonRejection>,
) -> Response {
    if let Err(e) = admit(&engine, peer, &headers) {
        return e.into_response();
    }
    let Ok(Json(Advance { seconds })) = body else {
        return error(StatusCode::BAD_REQUEST, "expected {\"seconds\": <integer>}");
    };
    let Some(by) = Duration::try_seconds(seconds).filter(|_| seconds >= 0) else {
        return error(
            StatusCode::BAD_REQUEST,
            "seconds must be a non-negative integer",
        );
    };
    match engine.clock().try_advance(by) {
        Ok(()) => Json(now_body(&engine)).into_response(),
        Err(e) => error(StatusCode::BAD_REQUEST, &e.to_string()),
    }
}

#[derive(Deserialize)]
struct Set {
    now: String,
}

/// `POST /__admin/clock/set` `{"now": "<RFC 3339>"}`.
async fn set(
    State(engine): State<Engine>,
    peer: Extensions,
    headers: HeaderMap,
    body: Result<Json<Set>, JsonRejection>,
) -> Response {
    if let Err(e) = admit(&engine, peer, &headers) {
        return e.into_response();
    }
    let parsed = body
        .ok()
        .and_then(|Json(Set { now })| DateTime::parse_from_rfc3339(&now).ok())
        .map(|d| d.with_timezone(&Utc));
    let Some(at) = parsed else {
        return error(
            StatusCode::BAD_REQUEST,
            "expected {\"now\": \"<RFC 3339 instant>\"}",
        );
    };
    match engine.clock().try_set(at) {
        Ok(()) => Json(now_body(&engine)).into_response(),
        Err(e) => error(StatusCode::BAD_REQUEST, &e.to_string()),
    }
}
