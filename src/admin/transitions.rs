//! `POST /__admin/transitions`: a connection's status changed now, as a scenario transition
//! would change it, with the vendor's events (and so its webhooks).
//!
//! Body `{"vendor": "basiq"|"meld", "connection": "<id>", "status": "…", "statusReason": …}`;
//! `statusReason` is Meld's and optional. Answers 200 with the connection's status before and
//! after, 404 for an unknown connection, 400 for anything else that is wrong.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Json, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::{bad_json, error};
use crate::engine::Engine;
use crate::world::Scheduled;

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct Transition {
    vendor: String,
    connection: String,
    status: String,
    status_reason: Option<String>,
}

/// The handler.
pub(super) async fn apply(
    State(engine): State<Engine>,
    body: Result<Json<Transition>, JsonRejection>,
) -> Response {
    let Json(t) = match body {
        Ok(body) => body,
        Err(rejection) => {
            return bad_json(
                &rejection,
                "{\"vendor\": \"basiq\"|\"meld\", \"connection\": \"<id>\", \"status\": \"…\", \"statusReason\": \"…\"|null}",
            );
        }
    };
    let Some(vendor) = crate::vendors::named(&t.vendor) else {
        return error(
            StatusCode::BAD_REQUEST,
            &format!("vendor `{}` is not basiq or meld", t.vendor),
        );
    };
    let (statuses, reasons) = vendor.connection_statuses();
    if !statuses.contains(&t.status.as_str()) {
        return error(
            StatusCode::BAD_REQUEST,
            &format!(
                "status `{}` is not one of {}",
                t.status,
                statuses.join(", ")
            ),
        );
    }
    if let Some(r) = &t.status_reason
        && !reasons.contains(&r.as_str())
    {
        return error(
            StatusCode::BAD_REQUEST,
            &format!("statusReason `{r}` is not a {} status reason", t.vendor),
        );
    }
    let outcome = engine.with_world_at(|w, now| {
        let target = w.connection_target(vendor.name(), &t.connection)?;
        let before = w.connection_status(&target);
        w.apply_now(&Scheduled {
            due: now,
            target: target.clone(),
            status: t.status.clone(),
            status_reason: t.status_reason.clone(),
            only_from: None,
        });
        Some((before, w.connection_status(&target)))
    });
    match outcome {
        Some((before, after)) => Json(json!({
            "vendor": t.vendor,
            "connection": t.connection,
            "before": { "status": before.0, "statusReason": before.1 },
            "after": { "status": after.0, "statusReason": after.1 },
        }))
        .into_response(),
        None => error(
            StatusCode::NOT_FOUND,
            &format!("no {} connection `{}`", t.vendor, t.connection),
        ),
    }
}
