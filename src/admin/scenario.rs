//! `POST /__admin/scenario`: replaces the loaded scenario with the TOML in the body — world,
//! clock and journal start afresh, as if the server had been started with it. A scenario with
//! problems changes nothing and answers 400 with every problem, located as `sandbank
//! validate` reports them.

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde_json::json;

use super::{error, now_body};
use crate::engine::Engine;
use crate::scenario;

/// The name problems are located in.
const FILE: &str = "scenario.toml";

/// `POST /__admin/scenario` with a TOML body.
pub async fn load(State(engine): State<Engine>, body: Result<Bytes, BytesRejection>) -> Response {
    let body = match body {
        Ok(body) => body,
        Err(rejection) => return error(rejection.status(), &rejection.body_text()),
    };
    let Ok(text) = std::str::from_utf8(&body) else {
        return error(StatusCode::BAD_REQUEST, "the scenario must be UTF-8 TOML");
    };
    // Parsing and building a large scenario takes a while: off the async workers.
    let (text, loader) = (text.to_owned(), engine.clone());
    let loaded = tokio::task::spawn_blocking(move || {
        let parsed = scenario::parse(FILE, &text)?;
        let name = parsed.name.clone();
        loader.load(parsed);
        Ok::<_, scenario::ScenarioError>(name)
    })
    .await;
    let loaded = match loaded {
        Ok(loaded) => loaded,
        Err(_) => {
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "loading the scenario failed",
            );
        }
    };
    match loaded {
        Ok(name) => {
            let mut body = now_body(&engine);
            body["name"] = json!(name);
            Json(body).into_response()
        }
        Err(e) => (
            StatusCode::BAD_REQUEST,
            Json(json!({
                "error": "the scenario has problems; nothing was changed",
                "problems": e.problems().iter().map(ToString::to_string).collect::<Vec<_>>(),
            })),
        )
            .into_response(),
    }
}
