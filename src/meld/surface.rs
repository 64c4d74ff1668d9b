//! Meld as the core sees it ([`crate::vendor::Vendor`]): its routes, its error envelope (with
//! `Meld-Version` and `X-Request-ID`) for refused requests, and its tenants — one per API key.

use axum::http::HeaderMap;
use axum::response::Response;
use chrono::{DateTime, Utc};

use super::error::MeldError;
use super::{Call, version};
use crate::engine::Engine;
use crate::http;
use crate::scenario::Scenario;
use crate::scenario::model::MeldSpec;
use crate::vendor::{Head, Refusal, TenantClaim, Vendor};

/// Meld.
pub struct Meld;

/// Keys a tenant may be made for: 1 to 200 URL-safe characters.
fn plausible_key(key: &str) -> bool {
    (1..=200).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

impl Vendor for Meld {
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
        (super::model::STATUSES, super::model::STATUS_REASONS)
    }

    fn refusal(&self, engine: &Engine, headers: &HeaderMap, why: Refusal) -> Response {
        let error = match why {
            Refusal::BodyTooLarge => MeldError::TooLarge,
            Refusal::Status(status) => MeldError::Injected(status),
        };
        Call::begin(engine, headers, version::CONNECTIONS).finish(engine, Err(error))
    }

    fn tenant_of(&self, engine: &Engine, request: &Head<'_>) -> Option<TenantClaim> {
        let auth = http::header(request.headers, axum::http::header::AUTHORIZATION)?.trim();
        let (scheme, key) = auth.split_once(' ')?;
        let key = key.trim();
        if !scheme.eq_ignore_ascii_case("basic") || !plausible_key(key) {
            return None;
        }
        let listed = engine.with_own_world(|w| w.meld.api_keys.iter().any(|k| k == key));
        (!listed).then(|| TenantClaim {
            name: format!("meld:{key}"),
            key: Some(key.to_owned()),
        })
    }

    fn admin_tenant(&self, key: &str) -> Option<String> {
        Some(format!("meld:{key}"))
    }

    /// `GET /bank-linking/connections/{connectionId}`.
    fn hot(
        &self,
        engine: &Engine,
        request: &Head<'_>,
        now: DateTime<Utc>,
    ) -> Option<crate::answer::Quick> {
        if request.method != axum::http::Method::GET {
            return None;
        }
        // `/bank-linking/connections/import` is a route of its own.
        let [id] = crate::vendor::hot_segments::<1>(
            request.uri.path(),
            "/bank-linking/connections/",
            &["import"],
        )?;
        Some(super::connection_answer(engine, request.headers, id, now).into())
    }

    fn tenant_scenario(&self, scenario: &Scenario, key: &str) -> Scenario {
        let mut copy = scenario.only(super::part::VENDOR);
        copy.meld.get_or_insert_with(MeldSpec::default).api_keys = vec![key.to_owned()];
        copy
    }
}
