//! `/__admin/faults`: add (`POST`, → 201 `{"id"}`), list (`GET`) and delete
//! (`DELETE /__admin/faults/{id}`, → 204) the fault rules of [`crate::faults`].

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::error;
use crate::engine::Engine;
use crate::faults::Spec;

/// `POST /__admin/faults`.
pub async fn add(
    State(engine): State<Engine>,
    body: Result<Json<Spec>, JsonRejection>,
) -> Response {
    let spec = match body {
        Ok(Json(spec)) => spec,
        Err(JsonRejection::MissingJsonContentType(_)) => {
            return error(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "send Content-Type: application/json with the fault rule",
            );
        }
        Err(rejection) => return error(StatusCode::BAD_REQUEST, &rejection.body_text()),
    };
    match engine.faults().add(spec) {
        Ok(id) => (StatusCode::CREATED, Json(json!({ "id": id }))).into_response(),
        Err(e) => error(StatusCode::BAD_REQUEST, &e.to_string()),
    }
}

/// `GET /__admin/faults` → `{"faults": [...]}`, oldest first.
pub async fn list(State(engine): State<Engine>) -> Response {
    Json(json!({ "faults": engine.faults().list() })).into_response()
}

/// `DELETE /__admin/faults/{id}`.
pub async fn remove(State(engine): State<Engine>, Path(id): Path<String>) -> Response {
    if engine.faults().remove(&id) {
        StatusCode::NO_CONTENT.into_response()
    } else {
        error(StatusCode::NOT_FOUND, &format!("no fault rule {id}"))
    }
}
