//! Meld bank linking, served on its own listener so clients keep Meld's paths.
//!
//! Every response carries `Meld-Version` (the version applied) and `X-Request-ID`; errors carry
//! the same id as `requestId`. Handlers run the same pipeline: request id, version, API key,
//! parameters, lookup, render.
//!
//! Modules: [`connect`] (connect/start, repair, the widget stand-in), [`actions`] (refresh,
//! update, delete), [`import`] (Plaid and Akoya connections), [`processor`] (processor tokens),
//! [`lifecycle`] (status changes, aggregation, duplicates), [`events`] (webhook payloads),
//! [`delivery`] (where events go, signatures, retries), [`sandbox`] (widget credentials and the
//! accounts behind them), [`data`] (financial accounts and transactions), [`investments`]
//! (holdings and investment transactions) with [`portfolio`] (where they come from),
//! [`customers`], [`institutions`], [`body`] (request bodies), [`page`] (keys), [`version`],
//! [`error`], [`model`], [`wire`]; the `[meld]` scenario section ([`scenario`]), its checks
//! ([`check`]) and building the account from it ([`build`]); the account as a part of a world
//! ([`part`]) and as the core sees Meld ([`surface`]); Meld's admin routes ([`admin`]).
//!
pub mod actions;
pub mod admin;
pub mod body;
pub mod build;
pub mod check;
pub mod connect;
pub mod customers;
pub mod data;
pub mod delivery;
pub mod error;
pub mod events;
pub mod import;
pub mod institutions;
pub mod investments;
pub mod lifecycle;
pub mod model;
pub mod page;
pub mod part;
pub mod pending;
pub mod portfolio;
pub mod processor;
pub mod sandbox;
pub mod scenario;
pub mod surface;
pub mod version;
pub mod wire;

use axum::Router;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use chrono::{DateTime, Utc};

use self::error::MeldError;
use self::page::{Kind, Paging};
use crate::engine::Engine;
use crate::scenario::check::valid_date;
use crate::value::{Precision, Timestamp};
use crate::{answer, http};

/// The Meld router.
pub fn router(engine: Engine) -> Router {
    Router::new()
        .route("/bank-linking/connect/start", post(connect::start))
        .route("/bank-linking/connect/repair", post(connect::repair))
        .route("/bank-linking/connections", get(search_connections))
        .route(
            "/bank-linking/connections/{connection}",
            get(get_connection).delete(actions::delete),
        )
        .route("/bank-linking/connections/import", post(import::import))
        .route(
            "/bank-linking/connections/{connection}/refresh",
            post(actions::refresh),
        )
        .route(
            "/bank-linking/connections/{connection}/update",
            post(actions::update),
        )
        .route(
            "/accounts/customers",
            get(customers::search).post(customers::create),
        )
        .route(
            "/accounts/customers/{customer}",
            get(customers::get)
                .patch(customers::update)
                .delete(customers::delete),
        )
        .route("/institutions", get(institutions::search))
        .route("/institutions/{institution}", get(institutions::get))
        .route("/connect", get(connect::widget))
        .route("/connect/complete", post(connect::complete))
        .route("/bank-linking/accounts", get(data::search_accounts))
        .route("/bank-linking/accounts/{account}", get(data::get_account))
        .route(
            "/bank-linking/accounts/{account}/processors/create-token",
            post(processor::create_token),
        )
        .route("/bank-linking/transactions", get(data::search_transactions))
        .route(
            "/bank-linking/transactions/{transaction}",
            get(data::get_transaction),
        )
        .route(
            "/bank-linking/investments/holdings",
            get(investments::search_holdings),
        )
        .route(
            "/bank-linking/investments/holdings/{holding}",
            get(investments::get_holding),
        )
        .route(
            "/bank-linking/investments/transactions",
            get(investments::search_transactions),
        )
        .route(
            "/bank-linking/investments/transactions/{transaction}",
            get(investments::get_transaction),
        )
        .fallback(
            |State(engine): State<Engine>, headers: HeaderMap| async move {
                let call = Call::begin(&engine, &headers, version::CONNECTIONS);
                call.finish(&engine, Err(MeldError::RouteNotFound))
            },
        )
        .method_not_allowed_fallback(
            |State(engine): State<Engine>, headers: HeaderMap| async move {
                let call = Call::begin(&engine, &headers, version::CONNECTIONS);
                call.finish(&engine, Err(MeldError::MethodNotAllowed))
            },
        )
        .with_state(engine)
}

/// What every Meld response needs from its request: the request id and the applied version.
pub(crate) struct Call {
    pub(crate) request_id: String,
    pub(crate) version: &'static str,
    /// A version-header problem, reported after authentication.
    version_error: Result<(), MeldError>,
}

/// The version header, asked for and answered.
const MELD_VERSION: HeaderName = HeaderName::from_static("meld-version");
/// The request id every answer carries.
const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

impl Call {
    pub(crate) fn begin(
        engine: &Engine,
        headers: &HeaderMap,
        versions: &'static [&'static str],
    ) -> Call {
        let asked = http::header(headers, &MELD_VERSION);
        let (version, version_error) =
            engine.read_world(|w| version::negotiate(asked, &w.meld.default_version, versions));
        Call {
            request_id: engine.next_hex(),
            version,
            version_error,
        }
    }

    /// Checks the API key, then the version header.
    pub(crate) fn authenticate(
        &self,
        engine: &Engine,
        headers: &HeaderMap,
    ) -> Result<(), MeldError> {
        let value = match http::header(headers, axum::http::header::AUTHORIZATION) {
            None | Some("") => {
                return Err(MeldError::Unauthorized(
                    "Missing Authorization header. Send `Authorization: BASIC <api key>`",
                ));
            }
            Some(v) => v,
        };
        let key = match value.split_once(' ') {
            Some((scheme, key)) if scheme.eq_ignore_ascii_case("basic") => key.trim(),
            _ => {
                return Err(MeldError::Unauthorized(
                    "Malformed Authorization header. Send `Authorization: BASIC <api key>`",
                ));
            }
        };
        let listed = |key: &str| engine.read_world(|w| w.meld.api_keys.iter().any(|k| k == key));
        // Some integrations Base64-encode the key; accept that form as well.
        let known = listed(key)
            || STANDARD
                .decode(key)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .is_some_and(|decoded| listed(&decoded));
        if !known {
            return Err(MeldError::Unauthorized("Invalid API key"));
        }
        self.version_error.clone()
    }

    pub(crate) fn finish(
        self,
        engine: &Engine,
        outcome: Result<(StatusCode, Bytes), MeldError>,
    ) -> Response {
        answer::into_router(self.answer(engine, outcome))
    }

    /// Like [`Call::finish`], as a listener's answer (its body unboxed).
    pub(crate) fn answer(
        self,
        engine: &Engine,
        outcome: Result<(StatusCode, Bytes), MeldError>,
    ) -> answer::Answer {
        let (status, body) = match outcome {
            Ok(ok) => ok,
            Err(e) => {
                let at = Timestamp::new(engine.now(), Precision::Micros).to_string();
                (e.status(), e.body(&self.request_id, at))
            }
        };
        let mut response = if status == StatusCode::NO_CONTENT {
            answer::from_router(http::empty(status))
        } else {
            answer::json(status, body)
        };
        let headers = response.headers_mut();
        headers.insert(MELD_VERSION, HeaderValue::from_static(self.version));
        if let Ok(id) = HeaderValue::from_str(&self.request_id) {
            headers.insert(REQUEST_ID, id);
        }
        response
    }
}

/// The id from a `{…}` path segment; a missing or undecodable one (invalid UTF-8) reads as
/// empty, and is then not found, in Meld's envelope.
pub(crate) fn path_id(path: Result<Path<String>, PathRejection>) -> String {
    path.map(|p| p.0).unwrap_or_default()
}

/// Query parameters, decoded, in order.
pub(crate) fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    query
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (http::decode_or_raw(k), http::decode_or_raw(v))
        })
        .collect()
}

pub(crate) fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// A comma-separated enum list; unknown values are reported.
pub(crate) fn enum_list(
    pairs: &[(String, String)],
    name: &str,
    allowed: &[&str],
    errors: &mut Vec<String>,
) -> Option<Vec<String>> {
    let raw = param(pairs, name)?;
    let values: Vec<String> = raw
        .split(',')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    for v in &values {
        if !allowed.contains(&v.as_str()) {
            errors.push(format!(
                "[{name}] `{v}` is not one of {}",
                allowed.join(", ")
            ));
        }
    }
    Some(values)
}

pub(crate) fn date_param(
    pairs: &[(String, String)],
    name: &str,
    errors: &mut Vec<String>,
) -> Option<String> {
    let raw = param(pairs, name)?;
    if valid_date(raw) {
        Some(raw.to_owned())
    } else {
        errors.push(format!("[{name}] must be a date in the format yyyy-MM-dd"));
        None
    }
}

/// `GET /bank-linking/connections`: search with filters and key pagination.
async fn search_connections(
    State(engine): State<Engine>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let call = Call::begin(&engine, &headers, version::CONNECTIONS);
    let outcome = (|| {
        call.authenticate(&engine, &headers)?;
        let pairs = query_pairs(query.as_deref());
        let mut errors = Vec::new();
        let statuses = enum_list(&pairs, "statuses", model::STATUSES, &mut errors);
        let providers = enum_list(
            &pairs,
            "serviceProviders",
            model::SERVICE_PROVIDERS,
            &mut errors,
        );
        let start = date_param(&pairs, "startDate", &mut errors);
        let end = date_param(&pairs, "endDate", &mut errors);
        let paging = Paging::from_query(Kind::Connection, &pairs, (10, 100), &mut errors);
        if !errors.is_empty() {
            return Err(MeldError::BadRequest(errors));
        }
        let customer = param(&pairs, "customerId");
        let external = param(&pairs, "externalCustomerId");
        let institution = param(&pairs, "institutionId");
        // `institutionName` is ignored when `institutionId` is given.
        let institution_name = param(&pairs, "institutionName").filter(|_| institution.is_none());
        engine.with_world(|w| {
            let account = &w.meld;
            let items: Vec<(Vec<u8>, &model::Connection)> = account
                .connections
                .iter()
                .filter(|c| customer.is_none_or(|id| c.customer_id == id))
                .filter(|c| {
                    external.is_none_or(|ext| {
                        account
                            .customer(&c.customer_id)
                            .is_some_and(|cu| cu.external_id == ext)
                    })
                })
                .filter(|c| institution.is_none_or(|id| c.institution_id.as_deref() == Some(id)))
                .filter(|c| {
                    institution_name.is_none_or(|name| {
                        c.institution_name
                            .as_deref()
                            .is_some_and(|n| n.to_lowercase().contains(&name.to_lowercase()))
                    })
                })
                .filter(|c| statuses.as_ref().is_none_or(|s| s.contains(&c.status)))
                .filter(|c| {
                    providers
                        .as_ref()
                        .is_none_or(|p| p.contains(&c.service_provider))
                })
                .filter(|c| data::within(c.created_at.at, start.as_ref(), end.as_ref()))
                .map(|c| (page::position(c.created_at.at.timestamp_millis(), &c.id), c))
                .collect();
            Ok(paging.respond("connections", items, |pos, c| {
                let key = page::key(Kind::Connection, pos);
                serde_json::to_value(wire::connection(account, c, &key))
                    .unwrap_or(serde_json::Value::Null)
            }))
        })
    })();
    call.finish(&engine, outcome)
}

/// `GET /bank-linking/connections/{connectionId}`.
async fn get_connection(
    State(engine): State<Engine>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    let id = path.map(|p| p.0).unwrap_or_default();
    answer::into_router(connection_answer(&engine, &headers, &id, engine.now()))
}

/// The answer to `GET /bank-linking/connections/{connectionId}`, for the route and the hot
/// lane.
pub(crate) fn connection_answer(
    engine: &Engine,
    headers: &HeaderMap,
    id: &str,
    now: DateTime<Utc>,
) -> answer::Answer {
    let call = Call::begin(engine, headers, version::CONNECTIONS);
    let outcome = (|| {
        call.authenticate(engine, headers)?;
        engine.with_world_as_of(now, |w| {
            w.meld
                .connection(id)
                .ok_or(MeldError::NotFound("Connection"))?;
            let body = w.cached_parts(&[b"meld connection ", id.as_bytes()], |w| {
                match w.meld.connection(id) {
                    Some(c) => {
                        let key = page::key(
                            Kind::Connection,
                            &page::position(c.created_at.at.timestamp_millis(), &c.id),
                        );
                        http::to_bytes(&wire::connection(&w.meld, c, &key))
                    }
                    None => Bytes::new(),
                }
            });
            Ok((StatusCode::OK, body))
        })
    })();
    call.answer(engine, outcome)
}
