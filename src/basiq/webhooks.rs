//! Webhook management (`/notifications/webhooks…`) and webhook messages.
//!
//! A message is created for every event a webhook subscribes to, the moment the event is
//! recorded; `attempts` lists its delivery attempts as [`crate::delivery`] makes them.

use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use rand::Rng;
use serde::Deserialize;
use serde_json::{Value, json};

use super::auth::{Access, authorize};
use super::error::BasiqError;
use super::events::{Event, TYPES};
use super::filter::{self, Op};
use super::model::Application;
use super::{base, body, param, params, query_param, reply, wire};
use crate::engine::Engine;
use crate::http;
use crate::ids::{rng_for, uuid_v4};
use crate::scenario::check::valid_id;
use crate::value::Timestamp;

/// A webhook of the application.
#[derive(Debug, Clone)]
pub struct Webhook {
    pub id: String,
    pub name: String,
    pub description: String,
    pub url: String,
    pub secret: String,
    pub subscribed: Vec<String>,
    /// When it was created, on the server clock (its deliveries start a cool-off after).
    pub created: DateTime<Utc>,
}

/// One delivery attempt of a message.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub id: String,
    pub url: String,
    pub response: String,
    pub status_code: u16,
    pub at: DateTime<Utc>,
    pub success: bool,
}

/// A message: one event for one webhook.
#[derive(Debug, Clone)]
pub struct Message {
    pub id: String,
    pub webhook: String,
    pub event_id: String,
    pub event_type: String,
    /// Path of the resource the event is about.
    pub entity: String,
    pub created: DateTime<Utc>,
    pub attempts: Vec<Attempt>,
}

/// The label a test message's event id is drawn from (salted unless ids are reproducible).
fn test_label(n: usize, salt: u64) -> String {
    match salt {
        0 => format!("test {n}"),
        salt => format!("test {n} {salt}"),
    }
}

/// Creates a message on every webhook subscribed to `event`'s type.
pub fn enqueue(app: &mut Application, seed: u64, event: &Event) {
    let type_id = event.type_id();
    let targets: Vec<String> = app
        .webhooks
        .iter()
        .filter(|w| w.subscribed.contains(&type_id))
        .map(|w| w.id.clone())
        .collect();
    for webhook in targets {
        let mut rng = rng_for(
            seed,
            &format!("message {} {}", app.messages.len(), event.id),
        );
        app.messages.push(Message {
            id: uuid_v4(&mut rng),
            webhook,
            event_id: event.id.clone(),
            event_type: type_id.clone(),
            entity: event.data_ref.clone(),
            created: event.created,
            attempts: Vec::new(),
        });
    }
}

/// What create and update read. `subscribedEvents` may be a list or (as Basiq's examples show)
/// a single string.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WebhookInput {
    name: Option<String>,
    description: Option<String>,
    url: Option<String>,
    subscribed_events: Option<OneOrMany>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }
    }
}

const INVALID_REQUEST: &str = "Posted request not valid.";

fn webhook_body(w: &Webhook, base: &str, with_secret: bool) -> Value {
    let mut body = json!({
        "type": "webhook",
        "id": w.id,
        "name": w.name,
        "description": w.description,
        "url": w.url,
        "status": "active",
        "subscribedEvents": w.subscribed,
        "links": { "self": format!("{base}/notifications/webhooks/{}", w.id) },
    });
    if with_secret {
        body["secret"] = json!(w.secret);
    }
    body
}

/// Checks a webhook as it would be stored, against the application's other webhooks.
fn validate(app: &Application, w: &Webhook) -> Result<(), BasiqError> {
    let url_ok = (w.url.starts_with("https://") || w.url.starts_with("http://"))
        && w.url.len() > "https://".len();
    if !url_ok {
        return Err(BasiqError::BodyInvalid(INVALID_REQUEST));
    }
    if w.subscribed.is_empty()
        || !w
            .subscribed
            .iter()
            .all(|e| TYPES.iter().any(|(t, _)| t == e))
    {
        return Err(BasiqError::BodyInvalid(
            "Posted subscribedEvents contains unsupported event types.",
        ));
    }
    let others = app.webhooks.iter().filter(|o| o.id != w.id);
    if others.clone().any(|o| o.url == w.url) {
        return Err(BasiqError::WebhookUrlExists);
    }
    if others
        .flat_map(|o| &o.subscribed)
        .any(|e| w.subscribed.contains(e))
    {
        return Err(BasiqError::EventAlreadySubscribed);
    }
    Ok(())
}

fn check_webhook_id(id: &str) -> Result<(), BasiqError> {
    if valid_id(id) {
        Ok(())
    } else {
        Err(BasiqError::PathParameterInvalid {
            parameter: "webhookId",
            detail: "Webhook ID value is not valid",
        })
    }
}

const NO_WEBHOOK: BasiqError = BasiqError::NotFound {
    detail: "Webhook with provided id doesn't exist.",
};

/// `POST /notifications/webhooks` (SERVER): 201 with the webhook and its signing secret.
pub async fn create(
    State(engine): State<Engine>,
    headers: HeaderMap,
    bytes: Result<Bytes, BytesRejection>,
) -> Response {
    let outcome = engine.with_world_at(|w, now| {
        authorize(w, now, engine.secret(), &headers, Access::Server, None)?;
        let input: WebhookInput = body::json(bytes, INVALID_REQUEST)?;
        let mut rng = rng_for(w.seed, &format!("webhook {}", w.basiq.webhooks.len()));
        let secret: [u8; 32] = rng.random();
        let webhook = Webhook {
            id: engine.next_uuid(),
            name: input.name.unwrap_or_default(),
            description: input.description.unwrap_or_default(),
            url: input.url.ok_or(BasiqError::BodyInvalid(INVALID_REQUEST))?,
            secret: format!("whsec_{}", STANDARD.encode(secret)),
            subscribed: input
                .subscribed_events
                .map(OneOrMany::into_vec)
                .unwrap_or_default(),
            created: now,
        };
        validate(&w.basiq, &webhook)?;
        let body = webhook_body(&webhook, &base(&engine, &headers), true);
        w.basiq.webhooks.push(webhook);
        Ok(http::json(StatusCode::CREATED, http::to_bytes(&body)))
    });
    reply(&engine, outcome)
}

/// `GET /notifications/webhooks` (SERVER).
pub async fn list(State(engine): State<Engine>, headers: HeaderMap) -> Response {
    let outcome = engine.with_world_at(|w, now| {
        authorize(w, now, engine.secret(), &headers, Access::Server, None)?;
        let base = base(&engine, &headers);
        let data: Vec<Value> = w
            .basiq
            .webhooks
            .iter()
            .map(|h| webhook_body(h, &base, false))
            .collect();
        let body = wire::counted_list(format!("{base}/notifications/webhooks"), data);
        Ok(http::json(StatusCode::OK, http::to_bytes(&body)))
    });
    reply(&engine, outcome)
}

/// `GET /notifications/webhooks/{webhookId}` (SERVER).
pub async fn get(
    State(engine): State<Engine>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Response {
    let id = param(&path);
    let outcome = engine.with_world_at(|w, now| {
        authorize(w, now, engine.secret(), &headers, Access::Server, None)?;
        check_webhook_id(id)?;
        let hook = w
            .basiq
            .webhooks
            .iter()
            .find(|h| h.id == id)
            .ok_or(NO_WEBHOOK)?;
        Ok(http::json(
            StatusCode::OK,
            http::to_bytes(&webhook_body(hook, &base(&engine, &headers), false)),
        ))
    });
    reply(&engine, outcome)
}

/// `POST /notifications/webhooks/{webhookId}` (SERVER): fields given replace the stored ones.
pub async fn update(
    State(engine): State<Engine>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    bytes: Result<Bytes, BytesRejection>,
) -> Response {
    let id = param(&path);
    let outcome = engine.with_world_at(|w, now| {
        authorize(w, now, engine.secret(), &headers, Access::Server, None)?;
        check_webhook_id(id)?;
        let mut hook = w
            .basiq
            .webhooks
            .iter()
            .find(|h| h.id == id)
            .cloned()
            .ok_or(NO_WEBHOOK)?;
        let input: WebhookInput = body::json(bytes, INVALID_REQUEST)?;
        hook.name = input.name.unwrap_or(hook.name);
        hook.description = input.description.unwrap_or(hook.description);
        hook.url = input.url.unwrap_or(hook.url);
        if let Some(events) = input.subscribed_events {
            hook.subscribed = events.into_vec();
        }
        validate(&w.basiq, &hook)?;
        let body = webhook_body(&hook, &base(&engine, &headers), true);
        if let Some(stored) = w.basiq.webhooks.iter_mut().find(|h| h.id == id) {
            *stored = hook;
        }
        Ok(http::json(StatusCode::OK, http::to_bytes(&body)))
    });
    reply(&engine, outcome)
}

/// `DELETE /notifications/webhooks/{webhookId}` (SERVER): 204.
pub async fn delete(
    State(engine): State<Engine>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Response {
    let id = param(&path);
    let outcome = engine.with_world_at(|w, now| {
        authorize(w, now, engine.secret(), &headers, Access::Server, None)?;
        check_webhook_id(id)?;
        let before = w.basiq.webhooks.len();
        w.basiq.webhooks.retain(|h| h.id != id);
        if w.basiq.webhooks.len() == before {
            return Err(NO_WEBHOOK);
        }
        Ok(http::empty(StatusCode::NO_CONTENT))
    });
    reply(&engine, outcome)
}

fn message_body(m: &Message, base: &str) -> Value {
    let attempts: Vec<Value> = m
        .attempts
        .iter()
        .map(|a| {
            json!({
                "id": a.id,
                "url": a.url,
                "response": a.response,
                "responseStatusCode": a.status_code,
                "timestamp": Timestamp::seconds(a.at).to_string(),
                "status": if a.success { "Success" } else { "Failed" },
            })
        })
        .collect();
    json!({
        "id": m.id,
        "webhookId": m.webhook,
        "eventTypeId": m.event_type,
        "eventId": m.event_id,
        "payload": {
            "eventTypeId": m.event_type,
            "eventId": m.event_id,
            "links": {
                "event": format!("{base}/events/{}", m.event_id),
                "eventEntity": format!("{base}{}", m.entity),
            },
        },
        "attempts": attempts,
        "links": {
            "self": format!("{base}/notifications/webhooks/{}/messages/{}", m.webhook, m.id),
            "webhook": format!("{base}/notifications/webhooks/{}", m.webhook),
            "event": format!("{base}/events/{}", m.event_id),
        },
    })
}

/// The fields a messages `filter` may name — Basiq lists "date, status, eventTypeId, webhookId,
/// eventId" without their paths, so each is taken bare and under `message.`. Dates compare as
/// `YYYY-MM-DD` text.
const MESSAGE_FILTERS: &[(&str, &[Op])] = &[
    ("date", DATE_OPS),
    ("message.date", DATE_OPS),
    ("status", &[Op::Eq, Op::Ne]),
    ("message.status", &[Op::Eq, Op::Ne]),
    ("eventTypeId", &[Op::Eq, Op::Ne, Op::In]),
    ("message.eventTypeId", &[Op::Eq, Op::Ne, Op::In]),
    ("webhookId", &[Op::Eq]),
    ("message.webhookId", &[Op::Eq]),
    ("eventId", &[Op::Eq, Op::In]),
    ("message.eventId", &[Op::Eq, Op::In]),
];
const DATE_OPS: &[Op] = &[Op::Eq, Op::Gt, Op::Gteq, Op::Lt, Op::Lteq, Op::Bt];

/// A message's status: that of its last attempt (`Success` or `Failed`), `Pending` before any.
fn message_status(m: &Message) -> &'static str {
    match m.attempts.last() {
        Some(a) if a.success => "Success",
        Some(_) => "Failed",
        None => "Pending",
    }
}

fn message_matches(m: &Message, s: &filter::Statement) -> bool {
    match s.path.trim_start_matches("message.") {
        "date" => s.matches(&m.created.format("%Y-%m-%d").to_string()),
        // Statuses compare without regard to case (`success`, `Success`).
        "status" => {
            let lower = filter::Statement {
                args: s.args.iter().map(|a| a.to_ascii_lowercase()).collect(),
                ..s.clone()
            };
            lower.matches(&message_status(m).to_ascii_lowercase())
        }
        "eventTypeId" => s.matches(&m.event_type),
        "webhookId" => s.matches(&m.webhook),
        _ => s.matches(&m.event_id),
    }
}

/// `GET /notifications/webhooks/{webhookId}/messages` (SERVER): newest first, `limit` ≤ 500,
/// `filter` on date, status, event type, webhook and event.
pub async fn messages(
    State(engine): State<Engine>,
    path: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let id = param(&path);
    let outcome = engine.with_world_at(|w, now| {
        authorize(w, now, engine.secret(), &headers, Access::Server, None)?;
        check_webhook_id(id)?;
        w.basiq
            .webhooks
            .iter()
            .find(|h| h.id == id)
            .ok_or(NO_WEBHOOK)?;
        let limit = match query_param(query.as_deref(), "limit") {
            None => 500,
            Some(t) => match t.parse::<i64>() {
                Ok(n) if n > 500 => return Err(BasiqError::LimitTooLarge),
                Ok(n) if n >= 1 => n as usize,
                _ => return Err(BasiqError::LimitInvalid),
            },
        };
        let statements = match query_param(query.as_deref(), "filter") {
            Some(text) => {
                filter::parse_allowed(&text, MESSAGE_FILTERS).ok_or(BasiqError::FilterInvalid)?
            }
            None => Vec::new(),
        };
        let base = base(&engine, &headers);
        let all: Vec<&Message> = w
            .basiq
            .messages
            .iter()
            .rev()
            .filter(|m| m.webhook == id)
            .filter(|m| statements.iter().all(|s| message_matches(m, s)))
            .collect();
        let data: Vec<Value> = all
            .iter()
            .take(limit)
            .map(|m| message_body(m, &base))
            .collect();
        let body = json!({
            "type": "list",
            "size": all.len(),
            "count": data.len(),
            "data": data,
            "links": { "self": format!("{base}/notifications/webhooks/{id}/messages") },
        });
        Ok(http::json(StatusCode::OK, http::to_bytes(&body)))
    });
    reply(&engine, outcome)
}

/// `GET /notifications/webhooks/{webhookId}/messages/{messageId}` (SERVER).
pub async fn message(
    State(engine): State<Engine>,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
) -> Response {
    let (hook, id) = params(&path);
    let outcome = engine.with_world_at(|w, now| {
        authorize(w, now, engine.secret(), &headers, Access::Server, None)?;
        check_webhook_id(hook)?;
        w.basiq
            .webhooks
            .iter()
            .find(|h| h.id == hook)
            .ok_or(NO_WEBHOOK)?;
        let m = w
            .basiq
            .messages
            .iter()
            .find(|m| m.webhook == hook && m.id == id)
            .ok_or(BasiqError::NotFound {
                detail: "Message not found.",
            })?;
        Ok(http::json(
            StatusCode::OK,
            http::to_bytes(&message_body(m, &base(&engine, &headers))),
        ))
    });
    reply(&engine, outcome)
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TestInput {
    event_type_id: Option<String>,
    #[serde(rename = "Text")]
    #[allow(dead_code)]
    text: Option<String>,
}

/// `POST /notifications/messages/test` (SERVER): a test message of the given type to every
/// webhook of the application; 201.
pub async fn test_message(
    State(engine): State<Engine>,
    headers: HeaderMap,
    bytes: Result<Bytes, BytesRejection>,
) -> Response {
    let outcome = engine.with_world_at(|w, now| {
        authorize(w, now, engine.secret(), &headers, Access::Server, None)?;
        let input: TestInput = body::json(bytes, INVALID_REQUEST)?;
        let type_id = input
            .event_type_id
            .ok_or(BasiqError::BodyInvalid(INVALID_REQUEST))?;
        if w.basiq.webhooks.is_empty() {
            return Err(BasiqError::NoWebhooks(w.basiq.id.clone()));
        }
        let (entity, event_type) = TYPES
            .iter()
            .find(|(t, _)| *t == type_id)
            .and_then(|(t, _)| t.split_once('.'))
            .ok_or(BasiqError::BodyInvalid(
                "Posted eventTypeId doesn't exists.",
            ))?;
        // A test is a message only: it is not an event of the application.
        let test = Event {
            id: crate::ids::hex(
                &rng_for(w.seed, &test_label(w.basiq.messages.len(), w.basiq.id_salt))
                    .random::<[u8; 32]>(),
            ),
            created: now,
            entity,
            event_type,
            user: String::new(),
            data_ref: "/".to_owned(),
            data: json!({}),
        };
        let targets: Vec<String> = w.basiq.webhooks.iter().map(|h| h.id.clone()).collect();
        for webhook in targets {
            let mut rng = rng_for(
                w.seed,
                &format!("message {} {}", w.basiq.messages.len(), test.id),
            );
            w.basiq.messages.push(Message {
                id: uuid_v4(&mut rng),
                webhook,
                event_id: test.id.clone(),
                event_type: type_id.clone(),
                entity: test.data_ref.clone(),
                created: now,
                attempts: Vec::new(),
            });
        }
        Ok(http::empty(StatusCode::CREATED))
    });
    reply(&engine, outcome)
}
