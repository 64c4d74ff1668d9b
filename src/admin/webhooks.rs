//! Webhook administration: the Meld webhook profile (Meld keeps it in its dashboard, so it has
//! no API route there), the dashboard's test send, and the log of delivery attempts.
//!
//! - `PUT /__admin/meld/webhook` `{"url", "secret"}` → `{"profileId", "url"}`; events from then
//!   on are delivered there, signed with the secret.
//! - `POST /__admin/meld/webhook/test` → 202; a `WEBHOOK_TEST` event goes to the profile.
//! - `GET /__admin/webhooks[?vendor=basiq|meld]` → `{"attempts": [...], "pending": n}`.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Json, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{bad_json, error};
use crate::engine::Engine;
use crate::meld::model::WebhookProfile;

#[derive(Deserialize)]
pub(super) struct Profile {
    url: String,
    secret: String,
}

/// `PUT /__admin/meld/webhook`.
pub(super) async fn set_meld_profile(
    State(engine): State<Engine>,
    body: Result<Json<Profile>, JsonRejection>,
) -> Response {
    let Json(Profile { url, secret }) = match body {
        Ok(body) => body,
        Err(rejection) => {
            return bad_json(&rejection, "{\"url\": \"http://…\", \"secret\": \"…\"}");
        }
    };
    if !(url.starts_with("http://") || url.starts_with("https://")) || secret.is_empty() {
        return error(
            StatusCode::BAD_REQUEST,
            "url must be an http(s) URL and secret must not be empty",
        );
    }
    let id = engine.with_world(|w| {
        // Events from before the profile existed are not sent to it.
        crate::delivery::skip_meld_backlog(w);
        w.meld.webhook = Some(WebhookProfile {
            url: url.clone(),
            secret,
        });
        w.meld
            .webhook_profile_id
            .get_or_insert_with(|| engine.next_base58())
            .clone()
    });
    Json(json!({ "profileId": id, "url": url })).into_response()
}

/// `POST /__admin/meld/webhook/test`: the dashboard's "send test" button.
pub(super) async fn meld_test(State(engine): State<Engine>) -> Response {
    let sent = engine.with_world_at(|w, now| {
        if w.meld.webhook.is_none() {
            return false;
        }
        crate::meld::events::webhook_test(&mut w.meld, w.seed, now);
        true
    });
    if sent {
        (StatusCode::ACCEPTED, Json(json!({ "queued": true }))).into_response()
    } else {
        error(
            StatusCode::CONFLICT,
            "no Meld webhook profile: PUT /__admin/meld/webhook first",
        )
    }
}

/// `GET /__admin/webhooks`: every delivery attempt, oldest first.
pub(super) async fn log(State(engine): State<Engine>, RawQuery(query): RawQuery) -> Response {
    let vendor = query
        .as_deref()
        .unwrap_or("")
        .split('&')
        .find_map(|p| p.strip_prefix("vendor="))
        .map(str::to_owned);
    let (attempts, pending): (Vec<Value>, usize) = engine.with_world(|w| {
        (
            w.outbox
                .log()
                .map(|a| a.to_json())
                .filter(|a| vendor.as_ref().is_none_or(|v| a["vendor"] == v.as_str()))
                .collect(),
            w.outbox.pending(),
        )
    });
    Json(json!({ "attempts": attempts, "pending": pending })).into_response()
}
