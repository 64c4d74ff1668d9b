//! Basiq's part of the admin API: the list of users (Basiq has no API that lists them).

use axum::Router;
use axum::extract::{Json, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;

use crate::engine::Engine;

/// The routes.
pub fn routes() -> Router<Engine> {
    Router::new().route("/__admin/basiq/users", get(basiq_users))
}

/// `GET /__admin/basiq/users` → `{"users": [{"id", "connections", "accounts", "transactions"}]}`:
/// every Basiq user, listed ones and generated ones, in scenario order (Basiq has no API that
/// lists users).
async fn basiq_users(State(engine): State<Engine>) -> Response {
    let users = engine.with_world_at(|w, _| {
        w.basiq
            .users
            .iter()
            .map(|u| {
                json!({
                    "id": u.id,
                    "connections": u.connections.len(),
                    "accounts": u.accounts.len(),
                    "transactions": u.transactions.len(),
                })
            })
            .collect::<Vec<_>>()
    });
    Json(json!({ "users": users })).into_response()
}
