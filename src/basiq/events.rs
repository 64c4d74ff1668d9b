//! Events: every change Basiq reports (users created, updated, deleted; connections created,
//! activated, invalidated, deleted; transactions updated) is recorded here with a snapshot of
//! the resource, and read through `GET /events[/{id}]` and `GET /events/types[/{id}]`.
//!
//! Snapshots are stored with a placeholder base URL and rendered on the base URL of the
//! request that reads them, like every other link.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::auth::{Access, authorize};
use super::error::BasiqError;
use super::filter::{self, Op};
use super::model::{Application, Consent, User};
use super::{base, param, query_param, reply, wire};
use crate::engine::Engine;
use crate::http;
use crate::ids::hex;
use crate::value::Timestamp;

/// Stands for the base URL inside stored snapshots.
pub const BASE: &str = "{{sandbank-base-url}}";

/// The event types `GET /events/types` lists, in its (alphabetical) order, with Basiq's
/// descriptions.
pub const TYPES: &[(&str, &str)] = &[
    ("account.updated", "when an account is updated"),
    ("connection.activated", "when a connection is activated"),
    ("connection.created", "when a connection is created"),
    ("connection.deleted", "when a connection is deleted"),
    ("connection.invalidated", "when a connection is invalidated"),
    ("consent.created", "when a consent is created"),
    ("consent.expired", "when a consent is expired"),
    (
        "consent.reminder",
        "when a consent has been active for 90 days since the last update",
    ),
    ("consent.revoked", "when a consent is revoked"),
    ("consent.updated", "when a consent is updated"),
    ("consent.warning", "when a consent is about to expire"),
    ("transactions.updated", "when transactions are updated"),
    ("user.created", "when an user is created"),
    ("user.deleted", "when an user is deleted"),
    ("user.updated", "when an user is updated"),
];

/// Events are listed for a week.
const LISTED_FOR: Duration = Duration::days(7);
/// Events kept at most: the newest, within [`LISTED_FOR`]. Older ones are dropped as new ones
/// are recorded, so a repeat firing every second for a week of server clock keeps memory and
/// `GET /events` bounded.
pub const EVENT_LIMIT: usize = 10_000;

/// A recorded event.
#[derive(Debug, Clone)]
pub struct Event {
    pub id: String,
    pub created: DateTime<Utc>,
    pub entity: &'static str,
    pub event_type: &'static str,
    pub user: String,
    /// Path of the affected resource (base URL added when read).
    pub data_ref: String,
    /// Snapshot of the resource, links on [`BASE`].
    pub data: Value,
}

impl Event {
    /// `entity.eventType`, the id of its type.
    pub fn type_id(&self) -> String {
        format!("{}.{}", self.entity, self.event_type)
    }
}

/// Records an event.
pub fn record(
    app: &mut Application,
    seed: u64,
    now: DateTime<Utc>,
    (entity, event_type): (&'static str, &'static str),
    user: &str,
    data_ref: String,
    data: Value,
) {
    let mut digest = Sha256::new();
    digest.update(seed.to_le_bytes());
    digest.update(app.events_recorded.to_le_bytes());
    if app.id_salt != 0 {
        digest.update(app.id_salt.to_le_bytes());
    }
    app.events_recorded += 1;
    digest.update(data_ref.as_bytes());
    let event = Event {
        id: hex(&digest.finalize()),
        created: now,
        entity,
        event_type,
        user: user.to_owned(),
        data_ref,
        data,
    };
    super::webhooks::enqueue(app, seed, &event);
    app.events.push(event);
    prune(&mut app.events, now);
}

/// Drops events past the listing window and beyond [`EVENT_LIMIT`], oldest first. Events are
/// recorded in time order (give or take steps settled in one pass), so the old ones are at the
/// front; they are dropped in batches, which keeps recording linear.
fn prune(events: &mut Vec<Event>, now: DateTime<Utc>) {
    if events.len() <= EVENT_LIMIT + EVENT_LIMIT / 4
        && events
            .first()
            .is_none_or(|e| now - e.created < LISTED_FOR + LISTED_FOR)
    {
        return;
    }
    let stale = events
        .iter()
        .take_while(|e| now - e.created >= LISTED_FOR)
        .count();
    let over = events.len().saturating_sub(EVENT_LIMIT);
    events.drain(..stale.max(over));
}

/// The user snapshot events carry (the short user).
pub fn user_data(user: &User) -> Value {
    serde_json::to_value(wire::short_user(BASE, user)).unwrap_or_default()
}

/// Records a consent event (`created`, `updated`, `revoked`, `reminder`, `warning`, `expired`)
/// with the consent's snapshot as `GET /users/{id}/consents` lists it then; a revoked one is
/// `revoked`, with the time.
pub fn consent_event(
    app: &mut Application,
    seed: u64,
    at: DateTime<Utc>,
    kind: &'static str,
    user: &str,
    consent: &Consent,
) {
    let mut data = super::consents::consent_body(user, consent, BASE, at);
    if kind == "revoked" {
        data["status"] = json!("revoked");
        data["revoked"] = json!(Timestamp::seconds(at).to_string());
    }
    record(
        app,
        seed,
        at,
        ("consent", kind),
        user,
        format!("/users/{user}/consents/{}", consent.id),
        data,
    );
}

/// Records a connection event with the connection's snapshot.
pub fn connection_event(
    app: &mut Application,
    seed: u64,
    now: DateTime<Utc>,
    kind: &'static str,
    user: &str,
    connection: &str,
) {
    let Some(u) = app.user(user) else { return };
    let Some(c) = u.connection(connection) else {
        return;
    };
    let data = serde_json::to_value(wire::connection(
        BASE,
        u,
        c,
        wire::ConnectionView::ListItem,
        true,
    ))
    .unwrap_or_default();
    record(
        app,
        seed,
        now,
        ("connection", kind),
        user,
        format!("/users/{user}/connections/{connection}"),
        data,
    );
}

/// Records `account.updated` with the account's snapshot: the account as the API sends it, its
/// `connection` an object, as Basiq's example shows.
pub fn account_event(
    app: &mut Application,
    seed: u64,
    now: DateTime<Utc>,
    user: &str,
    account: &str,
) {
    let Some(u) = app.user(user) else { return };
    let Some(a) = u.accounts.iter().find(|a| a.id == account) else {
        return;
    };
    let mut data = serde_json::to_value(wire::account(BASE, u, a)).unwrap_or_default();
    data["connection"] = json!({
        "id": a.connection,
        "type": "connection",
        "links": {"self": format!("{BASE}/users/{user}/connections/{}", a.connection)},
    });
    record(
        app,
        seed,
        now,
        ("account", "updated"),
        user,
        format!("/users/{user}/accounts/{account}"),
        data,
    );
}

/// Records `transactions.updated` for `count` new transactions on a connection.
pub fn transactions_event(
    app: &mut Application,
    seed: u64,
    now: DateTime<Utc>,
    user: &str,
    connection: &str,
    count: usize,
) {
    let data = json!({
        "type": "transactions",
        "count": count.to_string(),
        "connection": {
            "id": connection,
            "type": "connection",
            "links": { "self": format!("{BASE}/users/{user}/connections/{connection}") },
        },
        "links": { "self": format!("{BASE}/users/{user}/transactions?filter=connection.id.eq('{connection}')") },
    });
    record(
        app,
        seed,
        now,
        ("transactions", "updated"),
        user,
        format!("/users/{user}/transactions?filter=connection.id.eq('{connection}')"),
        data,
    );
}

fn on_base(value: &Value, base: &str) -> Value {
    let text = serde_json::to_string(value)
        .unwrap_or_default()
        .replace(BASE, base);
    serde_json::from_str(&text).unwrap_or_default()
}

fn body(event: &Event, base: &str) -> Value {
    json!({
        "type": "event",
        "id": event.id,
        "createdDate": Timestamp::seconds(event.created).to_string(),
        "entity": event.entity,
        "eventType": event.event_type,
        "userId": event.user,
        "dataRef": format!("{base}{}", event.data_ref),
        "data": on_base(&event.data, base),
        "links": { "self": format!("{base}/events/{}", event.id) },
    })
}

/// `GET /events` (SERVER): the last 7 days, newest first; filters `user.id`, `event.entity`,
/// `event.type` with `eq`.
pub async fn list(
    State(engine): State<Engine>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let outcome = engine.with_world_at(|w, now| {
        authorize(w, now, engine.secret(), &headers, Access::Server, None)?;
        const FILTERS: &[(&str, &[Op])] = &[
            ("user.id", &[Op::Eq]),
            ("event.entity", &[Op::Eq]),
            ("event.type", &[Op::Eq]),
        ];
        let statements = match query_param(query.as_deref(), "filter") {
            Some(text) => filter::parse_allowed(&text, FILTERS).ok_or(BasiqError::FilterInvalid)?,
            None => Vec::new(),
        };
        let base = base(&engine, &headers);
        // Newest first by when they happened; steps of different jobs can settle in one pass,
        // so recording order alone is not time order.
        let mut listed: Vec<(usize, &Event)> = w.basiq.events.iter().enumerate().collect();
        listed.sort_by(|(i, a), (j, b)| b.created.cmp(&a.created).then(j.cmp(i)));
        let data: Vec<Value> = listed
            .into_iter()
            .map(|(_, e)| e)
            .filter(|e| now - e.created < LISTED_FOR)
            .filter(|e| {
                statements.iter().all(|s| match s.path.as_str() {
                    "user.id" => s.matches(&e.user),
                    "event.entity" => s.matches(e.entity),
                    _ => s.matches(e.event_type) || s.matches(&e.type_id()),
                })
            })
            .map(|e| body(e, &base))
            .collect();
        let out = wire::list(format!("{base}/events"), data);
        Ok(http::json(StatusCode::OK, http::to_bytes(&out)))
    });
    reply(&engine, outcome)
}

/// `GET /events/{id}` (SERVER).
pub async fn get(
    State(engine): State<Engine>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Response {
    let id = param(&path);
    let outcome = engine.with_world_at(|w, now| {
        authorize(w, now, engine.secret(), &headers, Access::Server, None)?;
        if id.len() != 64 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(BasiqError::PathParameterInvalid {
                parameter: "id",
                detail: "Event ID parameter is not valid",
            });
        }
        let event = w
            .basiq
            .events
            .iter()
            .find(|e| e.id == id)
            .ok_or(BasiqError::NotFound {
                detail: "Requested event does not exist.",
            })?;
        Ok(http::json(
            StatusCode::OK,
            http::to_bytes(&body(event, &base(&engine, &headers))),
        ))
    });
    reply(&engine, outcome)
}

fn type_body(id: &str, description: &str, base: &str) -> Value {
    json!({
        "type": "eventType",
        "id": id,
        "description": description,
        "links": { "self": format!("{base}/events/types/{id}") },
    })
}

/// `GET /events/types` (SERVER).
pub async fn types(State(engine): State<Engine>, headers: HeaderMap) -> Response {
    let outcome = engine.with_world_at(|w, now| {
        authorize(w, now, engine.secret(), &headers, Access::Server, None)?;
        let base = base(&engine, &headers);
        let data: Vec<Value> = TYPES
            .iter()
            .map(|(id, d)| type_body(id, d, &base))
            .collect();
        let out = wire::counted_list(format!("{base}/events/types/"), data);
        Ok(http::json(StatusCode::OK, http::to_bytes(&out)))
    });
    reply(&engine, outcome)
}

/// `GET /events/types/{id}` (SERVER).
pub async fn event_type(
    State(engine): State<Engine>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Response {
    let id = param(&path);
    let outcome = engine.with_world_at(|w, now| {
        authorize(w, now, engine.secret(), &headers, Access::Server, None)?;
        let well_formed = id.split_once('.').is_some_and(|(a, b)| {
            !a.is_empty()
                && !b.is_empty()
                && id.bytes().all(|c| c.is_ascii_alphabetic() || c == b'.')
        });
        if !well_formed {
            return Err(BasiqError::PathParameterInvalid {
                parameter: "eventTypeId",
                detail: "Event Type ID parameter is not valid",
            });
        }
        let (id, description) =
            TYPES
                .iter()
                .find(|(t, _)| *t == id)
                .ok_or(BasiqError::NotFound {
                    detail: "Requested event type does not exist.",
                })?;
        Ok(http::json(
            StatusCode::OK,
            http::to_bytes(&type_body(id, description, &base(&engine, &headers))),
        ))
    });
    reply(&engine, outcome)
}
