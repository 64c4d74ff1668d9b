//! Operations on an existing connection: forced refresh, adding products, and deletion.
//!
//! Each checks the connection's status against the lifecycle rules first and answers the
//! documented refusal (404 unknown, 409 not allowed in this status, 429 over the provider's
//! forced-refresh limit, 400 for products the connection cannot take); the state change itself
//! is [`super::lifecycle`]'s.

use axum::extract::rejection::BytesRejection;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use bytes::Bytes;
use chrono::Duration;
use serde_json::json;

use super::body;
use super::error::MeldError;
use super::lifecycle;
use super::model::{self, AggregationKind};
use super::{Call, path_id, version};
use crate::engine::Engine;
use crate::http;

/// Providers and the shortest time between two forced refreshes they accept.
const REFRESH_LIMITS: &[(&str, i64)] = &[("MX", 3 * 3600)];

/// Providers whose connections cannot take more products after connecting.
const NO_UPDATES: &[&str] = &["YODLEE", "SALTEDGE", "SALTEDGEPARTNERS", "MESH"];

fn describe(c: &model::Connection) -> String {
    match &c.status_reason {
        Some(r) => format!("{} ({r})", c.status),
        None => c.status.clone(),
    }
}

/// `POST /bank-linking/connections/{id}/refresh`, body optionally `{"products": […]}`.
pub async fn refresh(
    State(engine): State<Engine>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let call = Call::begin(&engine, &headers, version::CONNECTIONS);
    let outcome = (|| {
        call.authenticate(&engine, &headers)?;
        let mut f = body::read(&headers, body, true)?;
        let products = f.strings("products", Some(model::PRODUCTS));
        f.finish()?;
        let id = path_id(path);
        engine.with_world_at(|w, now| {
            let c = w
                .meld
                .connection(&id)
                .ok_or(MeldError::NotFound("Connection"))?;
            let errors: Vec<String> = products
                .iter()
                .flatten()
                .filter(|p| !c.products.contains(p) && !c.optional_products.contains(p))
                .map(|p| format!("[products] `{p}` is not a product of this connection"))
                .collect();
            if !errors.is_empty() {
                return Err(MeldError::BadRequest(errors));
            }
            let target = super::part::target(&id);
            if !w.meld.rules.can_refresh(c) && !w.refresh_scripted(&target) {
                return Err(MeldError::Conflict(format!(
                    "A connection with status {} cannot be refreshed",
                    describe(c)
                )));
            }
            if let Some((_, seconds)) = REFRESH_LIMITS
                .iter()
                .find(|(p, _)| *p == c.service_provider)
                && c.last_forced_refresh
                    .is_some_and(|last| now < last + Duration::seconds(*seconds))
            {
                return Err(MeldError::TooManyRequests(format!(
                    "{} allows one forced refresh every {} hours",
                    c.service_provider,
                    seconds / 3600
                )));
            }
            let details = c.service_provider_details.clone();
            let seed = w.seed;
            if let Some(c) = w.meld.connection_mut(&id) {
                c.last_forced_refresh = Some(now);
            }
            let outcome = w
                .take_refresh(&target, now)
                .and_then(|s| s.status.map(|status| (status, s.status_reason)));
            lifecycle::promote(&mut w.meld, seed, now, &id);
            lifecycle::schedule_ending(&mut w.meld, now, &id, AggregationKind::Refresh, outcome);
            w.changed();
            let body = json!({ "requestId": call.request_id, "serviceProviderDetails": details });
            Ok((StatusCode::ACCEPTED, http::to_bytes(&body)))
        })
    })();
    call.finish(&engine, outcome)
}

/// `POST /bank-linking/connections/{id}/update` `{"products": […]}`: adds optional products
/// and refreshes with them.
pub async fn update(
    State(engine): State<Engine>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let call = Call::begin(&engine, &headers, version::CONNECTIONS);
    let outcome = (|| {
        call.authenticate(&engine, &headers)?;
        let mut f = body::read(&headers, body, false)?;
        let products = f
            .strings("products", Some(model::PRODUCTS))
            .unwrap_or_default();
        if products.is_empty() && f.errors.is_empty() {
            f.errors
                .push("[products] Must contain at least one product".to_owned());
        }
        f.finish()?;
        let id = path_id(path);
        engine.with_world_at(|w, now| {
            let c = w
                .meld
                .connection(&id)
                .ok_or(MeldError::NotFound("Connection"))?;
            if lifecycle::is_final(&c.status) {
                return Err(MeldError::Conflict(format!(
                    "A connection with status {} cannot be updated",
                    c.status
                )));
            }
            let mut errors = Vec::new();
            for p in &products {
                if c.products.contains(p) || c.optional_products.contains(p) {
                    errors.push(format!("[products] `{p}` is already on this connection"));
                }
            }
            if NO_UPDATES.contains(&c.service_provider.as_str()) {
                errors.push(format!(
                    "[products] {} connections cannot add products",
                    c.service_provider
                ));
            }
            if !errors.is_empty() {
                return Err(MeldError::BadRequest(errors));
            }
            let in_progress = c.status == "IN_PROGRESS";
            if let Some(c) = w.meld.connection_mut(&id) {
                for p in products {
                    if !c.optional_products.contains(&p) {
                        c.optional_products.push(p);
                    }
                }
            }
            if !in_progress {
                lifecycle::schedule(&mut w.meld, now, &id, AggregationKind::Refresh);
            }
            w.changed();
            let body = json!({ "requestId": call.request_id });
            Ok((StatusCode::ACCEPTED, http::to_bytes(&body)))
        })
    })();
    call.finish(&engine, outcome)
}

/// `DELETE /bank-linking/connections/{id}`: 204; the connection stays readable as `DELETED`.
pub async fn delete(
    State(engine): State<Engine>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    let call = Call::begin(&engine, &headers, version::CONNECTIONS);
    let outcome = (|| {
        call.authenticate(&engine, &headers)?;
        let id = path_id(path);
        engine.with_world_at(|w, now| {
            let c = w
                .meld
                .connection(&id)
                .ok_or(MeldError::NotFound("Connection"))?;
            if c.status == "DELETED" {
                return Err(MeldError::Conflict(
                    "The connection is already deleted".to_owned(),
                ));
            }
            let seed = w.seed;
            lifecycle::delete(&mut w.meld, seed, now, &id);
            w.changed();
            Ok((StatusCode::NO_CONTENT, Bytes::new()))
        })
    })();
    call.finish(&engine, outcome)
}
