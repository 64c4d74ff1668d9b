//! Meld's part of the admin API: the webhook profile (Meld keeps it in its dashboard, so it
//! has no API route there) and the dashboard's test send.
//!
//! - `PUT /__admin/meld/webhook` `{"url", "secret"}` → `{"profileId", "url"}`; events from then
//!   on are delivered there, signed with the secret.
//! - `POST /__admin/meld/webhook/test` → 202; a `WEBHOOK_TEST` event goes to the profile.

use axum::Router;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Json, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{post, put};
use serde::Deserialize;
use serde_json::json;

use super::model::WebhookProfile;
use crate::admin::{bad_json, error};
use crate::engine::Engine;

/// The routes.
pub fn routes() -> Router<Engine> {
    Router::new()
        .route("/__admin/meld/webhook", put(set_meld_profile))
        .route("/__admin/meld/webhook/test", post(meld_test))
}

#[derive(Deserialize)]
struct Profile {
    url: String,
    secret: String,
}

/// `PUT /__admin/meld/webhook`.
async fn set_meld_profile(
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
        super::delivery::skip_backlog(w);
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
async fn meld_test(State(engine): State<Engine>) -> Response {
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
