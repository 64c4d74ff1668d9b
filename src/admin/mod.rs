//! The admin API, under `/__admin` on both listeners: health, reset and the server clock here;
//! replacing the scenario in [`scenario`]; fault rules in [`faults`]; the delivery log in
//! [`webhooks`]; forced status changes in [`transitions`]; the request journal in
//! [`requests`]. Each vendor adds its own routes ([`crate::vendor::Vendor::admin_routes`]).
//!
//! It is sandbank's own contract (not a vendor's), answered in plain JSON. Callers must be on
//! loopback, unless the server was started with an admin token; then they must send
//! `Authorization: Bearer <token>` from anywhere.

use std::net::{IpAddr, SocketAddr};

use axum::Router;
use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, Json, Request, State};
use axum::http::header::ORIGIN;
use axum::http::{Extensions, HeaderMap, StatusCode};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
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

/// The admin routes, behind [`guard`], in the tenant a `Sandbank-Tenant` header names.
pub fn router(engine: Engine) -> Router {
    let vendors = crate::vendors::ALL
        .into_iter()
        .fold(Router::new(), |routes, vendor| {
            routes.merge(vendor.admin_routes())
        });
    vendors
        .route("/__admin/health", get(health))
        .route("/__admin/reset", post(reset))
        .route("/__admin/scenario", post(scenario::load))
        .route("/__admin/clock", get(clock))
        .route("/__admin/clock/advance", post(advance))
        .route("/__admin/clock/set", post(set))
        .route("/__admin/webhooks", get(webhooks::log))
        .route("/__admin/transitions", post(transitions::apply))
        .route("/__admin/requests", get(requests::list))
        .route("/__admin/faults", get(faults::list).post(faults::add))
        .route("/__admin/faults/{id}", delete(faults::remove))
        .with_state(engine.clone())
        .layer(from_fn_with_state(
            engine.clone(),
            crate::tenants::admin_layer,
        ))
        .layer(from_fn_with_state(engine, guard))
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
    #[error(
        "the admin API answers requests addressed to localhost or a loopback address only; start the server with --admin-token to open it"
    )]
    NotLoopbackHost,
    #[error("the admin API does not answer web pages (the request has an Origin header)")]
    FromWebPage,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let status = match self {
            Refusal::TokenRequired => StatusCode::UNAUTHORIZED,
            Refusal::NotLoopback | Refusal::NotLoopbackHost | Refusal::FromWebPage => {
                StatusCode::FORBIDDEN
            }
        };
        error(status, &self.to_string())
    }
}

/// The middleware in front of every admin route but health (which reveals nothing and answers
/// anyone, so that a container's health can be probed from outside it). It runs before a
/// `Sandbank-Tenant` header is looked at, so a refused caller learns nothing about tenants.
async fn guard(State(engine): State<Engine>, request: Request, next: Next) -> Response {
    if request.uri().path() == "/__admin/health" {
        return next.run(request).await;
    }
    match admit(&engine, request.extensions(), request.headers()) {
        Ok(()) => next.run(request).await,
        Err(refusal) => refusal.into_response(),
    }
}

/// Admits loopback callers that address the server by a loopback name, or anyone with the admin
/// token when one is configured; never a request a web page sent (it carries `Origin`), so a
/// page in a developer's browser cannot reset or replace the scenario, whether it posts across
/// origins or rebinds its own name to 127.0.0.1.
fn admit(engine: &Engine, peer: &Extensions, headers: &HeaderMap) -> Result<(), Refusal> {
    if headers.contains_key(ORIGIN) {
        return Err(Refusal::FromWebPage);
    }
    if let Some(token) = engine
        .config()
        .admin_token
        .as_deref()
        .filter(|t| !t.is_empty())
    {
        let sent = http::header(headers, "authorization")
            .and_then(|v| v.trim().split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, credential)| credential.trim());
        return match sent {
            Some(sent) if same_secret(sent.as_bytes(), token.as_bytes()) => Ok(()),
            _ => Err(Refusal::TokenRequired),
        };
    }
    let loopback_peer = peer
        .get::<ConnectInfo<SocketAddr>>()
        .is_some_and(|ConnectInfo(p)| p.ip().is_loopback());
    if !loopback_peer {
        return Err(Refusal::NotLoopback);
    }
    match http::header(headers, "host") {
        Some(host) if !is_loopback_host(host) => Err(Refusal::NotLoopbackHost),
        _ => Ok(()),
    }
}

/// Whether a `Host` header names this machine: `localhost` (or a name under it, RFC 6761) or a
/// loopback address, with or without a port.
fn is_loopback_host(host: &str) -> bool {
    let host = host.trim();
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split_once(']').map_or(v6, |(address, _)| address),
        None => host.rsplit_once(':').map_or(host, |(name, _)| name),
    };
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name == "localhost"
        || name.ends_with(".localhost")
        || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Compares two secrets in time that depends only on their lengths.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |d, (x, y)| d | (x ^ y)) == 0
}

/// The answer to an admin body that is not the JSON a route expects: 415 naming the header when
/// the request did not say it sends JSON, 400 with the expected shape otherwise.
pub(crate) fn bad_json(rejection: &JsonRejection, expected: &str) -> Response {
    match rejection {
        JsonRejection::MissingJsonContentType(_) => error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            &format!("send Content-Type: application/json with {expected}"),
        ),
        _ => error(StatusCode::BAD_REQUEST, &format!("expected {expected}")),
    }
}

fn now_body(engine: &Engine) -> serde_json::Value {
    let now = Timestamp::new(engine.now(), Precision::Millis).to_string();
    json!({ "now": now, "frozen": engine.clock().is_frozen() })
}

/// `GET /__admin/health` → `{"status":"ok"}`, to any caller; it never waits on the world.
async fn health() -> Response {
    Json(json!({ "status": "ok" })).into_response()
}

/// `POST /__admin/reset`: back to the loaded scenario's initial state and clock.
async fn reset(State(engine): State<Engine>) -> Response {
    // Rebuilding the world is the longest thing the server does: off the async workers, so the
    // requests of other clients (and health probes) keep being answered meanwhile.
    let rebuilt = engine.clone();
    if tokio::task::spawn_blocking(move || rebuilt.reset())
        .await
        .is_err()
    {
        return error(StatusCode::INTERNAL_SERVER_ERROR, "the reset failed");
    }
    Json(now_body(&engine)).into_response()
}

/// `GET /__admin/clock` → `{"now": "<RFC 3339>", "frozen": bool}`.
async fn clock(State(engine): State<Engine>) -> Response {
    Json(now_body(&engine)).into_response()
}

#[derive(Deserialize)]
struct Advance {
    seconds: i64,
}

/// `POST /__admin/clock/advance` `{"seconds": N}`: makes N seconds pass at once.
async fn advance(
    State(engine): State<Engine>,
    body: Result<Json<Advance>, JsonRejection>,
) -> Response {
    let Json(Advance { seconds }) = match body {
        Ok(body) => body,
        Err(rejection) => return bad_json(&rejection, "{\"seconds\": <integer>}"),
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
async fn set(State(engine): State<Engine>, body: Result<Json<Set>, JsonRejection>) -> Response {
    const EXPECTED: &str = "{\"now\": \"<RFC 3339 instant>\"}";
    let parsed = match body {
        Ok(Json(Set { now })) => DateTime::parse_from_rfc3339(&now)
            .ok()
            .map(|d| d.with_timezone(&Utc)),
        Err(rejection) => return bad_json(&rejection, EXPECTED),
    };
    let Some(at) = parsed else {
        return error(StatusCode::BAD_REQUEST, &format!("expected {EXPECTED}"));
    };
    match engine.clock().try_set(at) {
        Ok(()) => Json(now_body(&engine)).into_response(),
        Err(e) => error(StatusCode::BAD_REQUEST, &e.to_string()),
    }
}
