//! Basiq as the core sees it ([`crate::vendor::Vendor`]): its routes, its error envelope for
//! refused requests, and its tenants — an application, named by the id inside an API key at
//! `/token` and by the `partnerid` of the tokens minted with it.

use axum::http::HeaderMap;
use axum::response::Response;
use chrono::{DateTime, Utc};

use super::auth::Claims;
use super::check::basiq_application_of;
use super::error::BasiqError;
use crate::engine::Engine;
use crate::http;
use crate::scenario::Scenario;
use crate::scenario::model::BasiqSpec;
use crate::vendor::{Head, Refusal, TenantClaim, Vendor};

/// Basiq.
pub struct Basiq;

impl Vendor for Basiq {
    fn name(&self) -> &'static str {
        super::part::VENDOR
    }

    fn router(&self, engine: Engine) -> axum::Router {
        super::router(engine)
    }

    fn admin_routes(&self) -> axum::Router<Engine> {
        super::admin::routes()
    }

    fn connection_statuses(&self) -> (&'static [&'static str], &'static [&'static str]) {
        (super::model::CONNECTION_STATUSES, &[])
    }

    fn refusal(&self, engine: &Engine, _headers: &HeaderMap, why: Refusal) -> Response {
        let error = match why {
            Refusal::BodyTooLarge => BasiqError::BodyTooLarge,
            Refusal::Status(status) => BasiqError::Injected(status),
        };
        error.response(engine.next_uuid())
    }

    fn tenant_of(&self, engine: &Engine, request: &Head<'_>) -> Option<TenantClaim> {
        let auth = http::header(request.headers, axum::http::header::AUTHORIZATION)?.trim();
        let (scheme, credential) = auth.split_once(' ')?;
        let credential = credential.trim();
        let (app, key) = if scheme.eq_ignore_ascii_case("basic") && request.uri.path() == "/token" {
            (
                basiq_application_of(credential)?,
                Some(credential.to_owned()),
            )
        } else if scheme.eq_ignore_ascii_case("bearer") {
            let claims: Claims = crate::jwt::verify(engine.secret(), credential)?;
            (claims.application, None)
        } else {
            return None;
        };
        if engine.with_own_world(|w| w.basiq.id == app) {
            // The scenario's application: its own world answers (and refuses a wrong secret).
            return None;
        }
        Some(TenantClaim {
            name: format!("basiq:{app}"),
            key,
        })
    }

    fn admin_tenant(&self, key: &str) -> Option<String> {
        basiq_application_of(key).map(|app| format!("basiq:{app}"))
    }

    /// `GET /users/{user}/connections/{connection}`.
    fn hot(
        &self,
        engine: &Engine,
        request: &Head<'_>,
        now: DateTime<Utc>,
    ) -> Option<crate::answer::Quick> {
        if request.method != axum::http::Method::GET {
            return None;
        }
        let [user, connections, connection] =
            crate::vendor::hot_segments::<3>(request.uri.path(), "/users/", &[])?;
        // `/users/{user}/connections/refresh` is a route of its own.
        if connections != "connections" || connection == "refresh" {
            return None;
        }
        Some(super::connection_answer(
            engine,
            request.headers,
            &request.known,
            user,
            connection,
            now,
        ))
    }

    fn tenant_scenario(&self, scenario: &Scenario, key: &str) -> Scenario {
        let mut copy = scenario.only(super::part::VENDOR);
        copy.basiq.get_or_insert_with(BasiqSpec::default).api_keys = vec![key.to_owned()];
        copy
    }
}
