//! The Basiq API v3, served on its own listener so clients keep Basiq's paths.
//!
//! Each handler is a visible pipeline: authorize (header, token, expiry, scope, user), check
//! path ids, look the resource up, render. Every failure returns Basiq's error envelope with a
//! fresh correlation id; no framework default body ever reaches a client.
//!
//! Besides the routes ([`users`], [`connections`], [`consents`], [`data`], [`statements`],
//! [`events`], [`webhooks`], [`catalog`], the [`consent_ui`] stand-in) with their [`auth`],
//! [`body`], [`filter`], [`error`] and [`wire`] helpers: the `[basiq]` scenario section
//! ([`scenario`]), its checks ([`check`]) and building the application from it ([`build`], with
//! the sandbox [`personas`]); the [`model`]; [`jobs`] and [`deadlines`] on the server clock; the
//! application as a part of a world ([`part`]) and as the core sees Basiq ([`surface`]); where
//! webhook messages go and how they are signed ([`delivery`]); Basiq's admin routes ([`admin`]).

pub mod admin;
pub mod auth;
pub mod body;
pub mod build;
pub mod catalog;
pub mod cdr;
pub mod check;
pub mod connections;
pub mod consent_ui;
pub mod consents;
pub mod data;
pub mod deadlines;
pub mod delivery;
pub mod enrich;
pub mod error;
pub mod events;
pub mod filter;
pub mod jobs;
pub mod model;
pub mod part;
pub mod personas;
pub mod refresh;
pub mod row;
pub mod scenario;
pub mod statements;
pub mod surface;
pub mod users;
pub mod webhooks;
pub mod wire;

use axum::Router;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};

use self::auth::{Access, authorize, authorize_known};
use self::error::BasiqError;
use self::filter::Op;
use self::model::Scope;
use self::wire::ConnectionView;
use chrono::{DateTime, Utc};

use crate::engine::Engine;
use crate::scenario::check::valid_id;
use crate::world::World;
use crate::{answer, http};

/// The Basiq router.
pub fn router(engine: Engine) -> Router {
    Router::new()
        .route("/token", post(auth::token))
        .route("/users", post(users::create))
        .route(
            "/users/{user}",
            get(users::get).post(users::update).delete(users::delete),
        )
        .route(
            "/users/{user}/connections",
            get(list_connections).post(connections::create),
        )
        .route(
            "/users/{user}/connections/refresh",
            post(connections::refresh_all),
        )
        .route(
            "/users/{user}/connections/{connection}",
            get(get_connection)
                .post(connections::update)
                .delete(connections::delete),
        )
        .route(
            "/users/{user}/connections/{connection}/refresh",
            post(connections::refresh),
        )
        .route(
            "/users/{user}/connections/{connection}/purge",
            post(connections::purge),
        )
        .route("/users/{user}/jobs", get(jobs::list))
        .route("/jobs/{job}", get(jobs::get))
        .route("/jobs/{job}/mfa", post(jobs::answer))
        .route("/events", get(events::list))
        .route("/events/types", get(events::types))
        .route("/events/types/{id}", get(events::event_type))
        .route("/events/{id}", get(events::get))
        .route(
            "/notifications/webhooks",
            get(webhooks::list).post(webhooks::create),
        )
        .route(
            "/notifications/webhooks/{webhook}",
            get(webhooks::get)
                .post(webhooks::update)
                .delete(webhooks::delete),
        )
        .route(
            "/notifications/webhooks/{webhook}/messages",
            get(webhooks::messages),
        )
        .route(
            "/notifications/webhooks/{webhook}/messages/{message}",
            get(webhooks::message),
        )
        .route("/notifications/messages/test", post(webhooks::test_message))
        .route("/users/{user}/consents", get(consents::list))
        .route(
            "/users/{user}/consents/{consent}",
            axum::routing::delete(consents::delete),
        )
        .route(
            "/users/{user}/auth_link",
            get(consents::get_auth_link)
                .post(consents::create_auth_link)
                .delete(consents::delete_auth_link),
        )
        .route(
            "/consent/home",
            get(consent_ui::home).post(consent_ui::step),
        )
        .route("/consent/home/job", get(consent_ui::job))
        .route("/users/{user}/statements", post(statements::upload))
        .route("/users/{user}/identities", get(consents::identities))
        .route(
            "/users/{user}/identities/{identity}",
            get(consents::identity_by_id),
        )
        .route("/connectors", get(catalog::connectors))
        .route(
            "/connectors/{connector}/{method}",
            get(catalog::connector_by_id),
        )
        .route("/public/connectors", get(catalog::public_connectors))
        .route(
            "/public/connectors/{connector}/{method}",
            get(catalog::public_connector_by_id),
        )
        .route("/institutions", get(catalog::institutions))
        .route(
            "/institutions/{institution}",
            get(catalog::institution_by_id),
        )
        .route("/public/institutions", get(catalog::public_institutions))
        .route("/users/{user}/accounts", get(data::list_accounts))
        .route("/users/{user}/accounts/{account}", get(data::get_account))
        .route("/users/{user}/transactions", get(data::list_transactions))
        .route(
            "/users/{user}/transactions/{transaction}",
            get(data::get_transaction),
        )
        .fallback(|State(engine): State<Engine>| async move {
            BasiqError::RouteNotFound.response(engine.next_uuid())
        })
        .method_not_allowed_fallback(|State(engine): State<Engine>| async move {
            BasiqError::MethodNotAllowed.response(engine.next_uuid())
        })
        .with_state(engine)
}

/// Renders a handler's outcome, errors in the Basiq envelope.
pub(crate) fn reply(engine: &Engine, outcome: Result<Response, BasiqError>) -> Response {
    outcome.unwrap_or_else(|e| e.response(engine.next_uuid()))
}

/// The single path parameter, or `""` when the path could not be read (then `check_id`
/// refuses it with the vendor's error).
pub(crate) fn param(path: &Result<Path<String>, PathRejection>) -> &str {
    path.as_ref().map(|p| p.0.as_str()).unwrap_or("")
}

/// Both path parameters, or `("", "")` when the path could not be read.
pub(crate) fn params(path: &Result<Path<(String, String)>, PathRejection>) -> (&str, &str) {
    match path {
        Ok(Path((a, b))) => (a.as_str(), b.as_str()),
        Err(_) => ("", ""),
    }
}

pub(crate) fn check_id(
    id: &str,
    parameter: &'static str,
    label: &'static str,
) -> Result<(), BasiqError> {
    if valid_id(id) {
        Ok(())
    } else {
        Err(BasiqError::IdInvalid { parameter, label })
    }
}

/// A path id's error names: the parameter and its label (`connectionId`, `Connection ID`).
pub(crate) type IdName = (&'static str, &'static str);

/// Answers a request on one user's resources as every such Basiq route does: the token checked
/// for `access` on `user`, then the user id and the other path `ids` checked in order, then `f`
/// inside the world at the server clock; any error becomes Basiq's envelope.
pub(crate) fn on_user(
    engine: &Engine,
    headers: &HeaderMap,
    access: Access,
    user: &str,
    ids: &[(&str, IdName)],
    f: impl FnOnce(&mut World, DateTime<Utc>) -> Result<Response, BasiqError>,
) -> Response {
    let outcome = engine.with_world_at(|w, now| {
        authorize(w, now, engine.secret(), headers, access, Some(user))?;
        check_id(user, "userId", "User ID")?;
        for &(id, (parameter, label)) in ids {
            check_id(id, parameter, label)?;
        }
        f(w, now)
    });
    reply(engine, outcome)
}

pub(crate) fn base(engine: &Engine, headers: &HeaderMap) -> String {
    http::base_url(headers, engine.config().basiq_public_url.as_deref())
}

/// The first value of a query parameter, decoded.
pub(crate) fn query_param(query: Option<&str>, name: &str) -> Option<String> {
    query?
        .split('&')
        .filter_map(|pair| pair.split_once('=').or(Some((pair, ""))))
        .find(|(k, _)| http::decode_or_raw(k) == name)
        .map(|(_, v)| http::decode_or_raw(v))
}

/// Fields and operators `GET /users/{id}/connections` filters on.
const CONNECTION_FILTERS: &[(&str, &[Op])] = &[
    ("id", &[Op::Eq]),
    ("connection.id", &[Op::Eq]),
    ("status", &[Op::Eq]),
    ("connection.status", &[Op::Eq]),
    ("institution.id", &[Op::Eq]),
];

/// `GET /users/{userId}/connections` (SERVER).
async fn list_connections(
    State(engine): State<Engine>,
    path: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
    request: Request,
) -> Response {
    let headers = request.headers();
    let user = param(&path);
    let base = base(&engine, headers);
    on_user(&engine, headers, Access::Server, user, &[], |w, _| {
        let filter = match query_param(query.as_deref(), "filter") {
            Some(text) => {
                filter::parse_allowed(&text, CONNECTION_FILTERS).ok_or(BasiqError::FilterInvalid)?
            }
            None => Vec::new(),
        };
        let u = w.basiq.user(user).ok_or(BasiqError::UserNotFound)?;
        let data: Vec<_> = u
            .connections
            .iter()
            .filter(|c| {
                filter.iter().all(|s| match s.path.as_str() {
                    "id" | "connection.id" => s.matches(&c.id),
                    "status" | "connection.status" => s.matches(&c.status),
                    _ => s.matches(&c.institution),
                })
            })
            .map(|c| wire::connection(&base, u, c, ConnectionView::ListItem, true))
            .collect();
        let body = wire::list(format!("{base}/users/{user}/connections"), data);
        Ok(http::json(StatusCode::OK, http::to_bytes(&body)))
    })
}

/// `GET /users/{userId}/connections/{connectionId}` (SERVER, or CLIENT for its own user).
async fn get_connection(
    State(engine): State<Engine>,
    path: Result<Path<(String, String)>, PathRejection>,
    request: Request,
) -> Response {
    let (user, connection) = params(&path);
    let headers = request.headers();
    let known = http::Known::of(headers);
    answer::into_router(
        connection_answer(&engine, headers, &known, user, connection, engine.now()).into_answer(),
    )
}

/// The answer to `GET /users/{user}/connections/{connection}`, for the route and the hot lane.
pub(crate) fn connection_answer(
    engine: &Engine,
    headers: &HeaderMap,
    known: &http::Known<'_>,
    user: &str,
    connection: &str,
    now: DateTime<Utc>,
) -> answer::Quick {
    // Raw: the key only tells hosts apart (the body reads the header itself).
    let host = known.host.map_or(&b""[..], |h| h.as_bytes());
    let outcome = engine.with_world_as_of(now, |w| {
        let claims = authorize_known(
            w,
            now,
            engine.secret(),
            known,
            Access::ServerOrOwnClient,
            Some(user),
        )?;
        check_id(user, "userId", "User ID")?;
        check_id(connection, "connectionId", "Connection ID")?;
        let server = claims.scope == Scope::Server;
        connections::find(&w.basiq, user, connection)?;
        let scope: &[u8] = if server { b" server " } else { b" client " };
        let key = [
            b"basiq connection ",
            user.as_bytes(),
            b" ",
            connection.as_bytes(),
            scope,
            host,
        ];
        let body = w.cached_parts(&key, |w| {
            match w
                .basiq
                .user(user)
                .and_then(|u| u.connection(connection).map(|c| (u, c)))
            {
                Some((u, c)) => {
                    let base = base(engine, headers);
                    http::to_bytes(&wire::connection(
                        &base,
                        u,
                        c,
                        ConnectionView::Single,
                        server,
                    ))
                }
                None => Default::default(),
            }
        });
        Ok(answer::Quick::Json(StatusCode::OK, body))
    });
    outcome
        .unwrap_or_else(|e: BasiqError| answer::from_router(e.response(engine.next_uuid())).into())
}
