//! Meld's part of the admin API: the webhook profiles (Meld keeps them in its dashboard, so
//! they have no API route there) and the dashboard's test send.
//!
//! - `PUT /__admin/meld/webhook` `{"url", "secret", "version"?}` → `{"profileId", "url",
//!   "version"}`: the first profile, created or changed (its id kept); events from then on are
//!   delivered there, signed with the secret.
//! - `POST /__admin/meld/webhooks` (same body) → 201: one more profile (at most 10), which
//!   receives every event too, at its own version.
//! - `GET /__admin/meld/webhooks` → `{"profiles": [{"profileId", "url", "version"}]}`;
//!   `DELETE /__admin/meld/webhooks/{profileId}` → 204.
//! - `POST /__admin/meld/webhook/test` → 202; a `WEBHOOK_TEST` event goes to every profile.

use axum::Router;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Json, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, post, put};
use serde::Deserialize;
use serde_json::json;

use super::model::{MAX_WEBHOOK_PROFILES, WebhookProfile};
use crate::admin::{bad_json, error};
use crate::engine::Engine;

/// The routes.
pub fn routes() -> Router<Engine> {
    Router::new()
        .route("/__admin/meld/webhook", put(set_meld_profile))
        .route(
            "/__admin/meld/webhooks",
            post(add_meld_profile).get(list_meld_profiles),
        )
        .route("/__admin/meld/webhooks/{id}", delete(delete_meld_profile))
        .route("/__admin/meld/webhook/test", post(meld_test))
}

#[derive(Deserialize)]
struct Profile {
    url: String,
    secret: String,
    version: Option<String>,
}

const EXPECTED: &str =
    "{\"url\": \"http://…\", \"secret\": \"…\", \"version\": \"YYYY-MM-DD\" (optional)}";

/// The profile a request body describes, or the answer refusing it.
fn read(body: Result<Json<Profile>, JsonRejection>) -> Result<Profile, Box<Response>> {
    let Json(profile) = body.map_err(|rejection| Box::new(bad_json(&rejection, EXPECTED)))?;
    if !(profile.url.starts_with("http://") || profile.url.starts_with("https://"))
        || profile.secret.is_empty()
    {
        return Err(Box::new(error(
            StatusCode::BAD_REQUEST,
            "url must be an http(s) URL and secret must not be empty",
        )));
    }
    if let Some(v) = &profile.version
        && !crate::scenario::check::valid_date(v)
    {
        return Err(Box::new(error(
            StatusCode::BAD_REQUEST,
            "version must be a date YYYY-MM-DD",
        )));
    }
    Ok(profile)
}

fn described(p: &WebhookProfile) -> serde_json::Value {
    json!({ "profileId": p.id, "url": p.url, "version": p.version })
}

/// The profile a request describes, with the id it keeps or takes; its version the account's
/// default unless given. Events from before it are not sent to it.
fn make(w: &mut crate::world::World, id: String, profile: Profile) -> WebhookProfile {
    super::delivery::skip_backlog(w);
    WebhookProfile {
        id,
        url: profile.url,
        secret: profile.secret,
        version: profile
            .version
            .unwrap_or_else(|| w.meld.default_version.clone()),
    }
}

/// `PUT /__admin/meld/webhook`.
async fn set_meld_profile(
    State(engine): State<Engine>,
    body: Result<Json<Profile>, JsonRejection>,
) -> Response {
    let profile = match read(body) {
        Ok(p) => p,
        Err(refused) => return *refused,
    };
    let set = engine.with_world(|w| {
        let id = match w.meld.webhooks.first() {
            Some(first) => first.id.clone(),
            None => engine.next_base58(),
        };
        let set = make(w, id, profile);
        let described = described(&set);
        match w.meld.webhooks.first_mut() {
            Some(first) => *first = set,
            None => w.meld.webhooks.push(set),
        }
        described
    });
    Json(set).into_response()
}

/// `POST /__admin/meld/webhooks`.
async fn add_meld_profile(
    State(engine): State<Engine>,
    body: Result<Json<Profile>, JsonRejection>,
) -> Response {
    let profile = match read(body) {
        Ok(p) => p,
        Err(refused) => return *refused,
    };
    let added = engine.with_world(|w| {
        if w.meld.webhooks.len() >= MAX_WEBHOOK_PROFILES {
            return None;
        }
        let added = make(w, engine.next_base58(), profile);
        let described = described(&added);
        w.meld.webhooks.push(added);
        Some(described)
    });
    match added {
        Some(added) => (StatusCode::CREATED, Json(added)).into_response(),
        None => error(
            StatusCode::CONFLICT,
            &format!("at most {MAX_WEBHOOK_PROFILES} webhook profiles"),
        ),
    }
}

/// `GET /__admin/meld/webhooks`.
async fn list_meld_profiles(State(engine): State<Engine>) -> Response {
    let profiles = engine.with_world(|w| w.meld.webhooks.iter().map(described).collect::<Vec<_>>());
    Json(json!({ "profiles": profiles })).into_response()
}

/// `DELETE /__admin/meld/webhooks/{profileId}`.
async fn delete_meld_profile(State(engine): State<Engine>, Path(id): Path<String>) -> Response {
    let removed = engine.with_world(|w| {
        let before = w.meld.webhooks.len();
        w.meld.webhooks.retain(|p| p.id != id);
        before != w.meld.webhooks.len()
    });
    if removed {
        StatusCode::NO_CONTENT.into_response()
    } else {
        error(StatusCode::NOT_FOUND, "no such Meld webhook profile")
    }
}

/// `POST /__admin/meld/webhook/test`: the dashboard's "send test" button.
async fn meld_test(State(engine): State<Engine>) -> Response {
    let sent = engine.with_world_at(|w, now| {
        if w.meld.webhooks.is_empty() {
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
