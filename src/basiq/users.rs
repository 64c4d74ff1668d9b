//! Users: `POST /users`, `GET|POST|DELETE /users/{userId}`.
//!
//! Create and update take JSON; an update is partial (fields left out are unchanged). Either
//! an email or a mobile is required, each format-checked. Deleting a user removes everything
//! under it: connections, accounts, transactions.

use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use bytes::Bytes;
use serde::Deserialize;

use super::auth::{Access, authorize};
use super::error::BasiqError;
use super::model::User;
use super::{base, body, events, on_user, param, reply, wire};
use crate::engine::Engine;
use crate::http;
use crate::scenario::check::{plausible_email, plausible_mobile};

/// What create and update read from the body. Unknown fields are ignored, as Basiq does.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct UserInput {
    email: Option<String>,
    mobile: Option<String>,
    first_name: Option<String>,
    middle_name: Option<String>,
    last_name: Option<String>,
    business_name: Option<String>,
    business_id_no: Option<String>,
    business_id_no_type: Option<String>,
    business_address: Option<serde_json::Map<String, serde_json::Value>>,
    verification_status: Option<bool>,
    verification_date: Option<String>,
}

const INVALID_USER: &str = "Posted user is not in valid format.";

impl UserInput {
    /// Applies the fields given to `user`.
    fn apply(self, user: &mut User) {
        let set = |field: &mut String, value: Option<String>| {
            if let Some(v) = value {
                *field = v;
            }
        };
        set(&mut user.email, self.email);
        set(&mut user.mobile, self.mobile);
        set(&mut user.first_name, self.first_name);
        set(&mut user.middle_name, self.middle_name);
        set(&mut user.last_name, self.last_name);
        user.business_name = self.business_name.or(user.business_name.take());
        user.business_id_no = self.business_id_no.or(user.business_id_no.take());
        user.business_id_no_type = self.business_id_no_type.or(user.business_id_no_type.take());
        user.business_address = self.business_address.or(user.business_address.take());
        user.verification_status = self.verification_status.or(user.verification_status);
        user.verification_date = self.verification_date.or(user.verification_date.take());
    }
}

/// Basiq's checks on a user as it would be stored.
fn validate(user: &User) -> Result<(), BasiqError> {
    if user.email.is_empty() && user.mobile.is_empty() {
        return Err(BasiqError::FieldMissing {
            detail: "One of 'email' or 'mobile' is required.",
        });
    }
    if !user.email.is_empty() && !plausible_email(&user.email) {
        return Err(BasiqError::FieldInvalid {
            pointer: "users/email",
            detail: "Provided email is in bad format.",
        });
    }
    if !user.mobile.is_empty() && !plausible_mobile(&user.mobile) {
        return Err(BasiqError::FieldInvalid {
            pointer: "users/mobile",
            detail: "Provided mobile is in bad format.",
        });
    }
    if user
        .business_id_no
        .as_deref()
        .is_some_and(|n| !n.is_empty())
        && user.business_name.as_deref().is_none_or(str::is_empty)
    {
        return Err(BasiqError::FieldMissing {
            detail: "Business name is required when business number is provided.",
        });
    }
    if let Some(t) = user.business_id_no_type.as_deref()
        && t != "ABN"
        && t != "ACN"
    {
        return Err(BasiqError::FieldInvalid {
            pointer: "users/businessIdNoType",
            detail: "Business ID number type must be ABN or ACN.",
        });
    }
    Ok(())
}

/// `GET /users/{userId}` (SERVER, or CLIENT for its own user).
pub async fn get(
    State(engine): State<Engine>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Response {
    let user = param(&path);
    let host = http::header(&headers, "host").unwrap_or("");
    on_user(
        &engine,
        &headers,
        Access::ServerOrOwnClient,
        user,
        &[],
        |w, _| {
            if w.basiq.user(user).is_none() {
                return Err(BasiqError::UserNotFound);
            }
            let body = w.cached(format_args!("basiq user {user} {host}"), |w| {
                match w.basiq.user(user) {
                    Some(u) => http::to_bytes(&wire::user(&base(&engine, &headers), u)),
                    None => Default::default(),
                }
            });
            Ok(http::json(StatusCode::OK, body))
        },
    )
}

/// `POST /users` (SERVER): 201 with the short user.
pub async fn create(
    State(engine): State<Engine>,
    headers: HeaderMap,
    bytes: Result<Bytes, BytesRejection>,
) -> Response {
    let outcome = engine.with_world_at(|w, now| {
        authorize(w, now, engine.secret(), &headers, Access::Server, None)?;
        let input: UserInput = body::json(bytes, INVALID_USER)?;
        let mut user = User {
            id: engine.next_uuid(),
            ..User::default()
        };
        input.apply(&mut user);
        validate(&user)?;
        let body = http::to_bytes(&wire::short_user(&base(&engine, &headers), &user));
        let data = events::user_data(&user);
        let path = format!("/users/{}", user.id);
        let id = user.id.clone();
        w.basiq.users.push(user);
        events::record(
            &mut w.basiq,
            w.seed,
            now,
            ("user", "created"),
            &id,
            path,
            data,
        );
        w.changed();
        Ok(http::json(StatusCode::CREATED, body))
    });
    reply(&engine, outcome)
}

/// `POST /users/{userId}` (SERVER): partial update, 200 with the short user.
pub async fn update(
    State(engine): State<Engine>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    bytes: Result<Bytes, BytesRejection>,
) -> Response {
    let id = param(&path);
    on_user(&engine, &headers, Access::Server, id, &[], |w, now| {
        let current = w.basiq.user(id).ok_or(BasiqError::UserNotFound)?;
        let input: UserInput = body::json(bytes, INVALID_USER)?;
        // Validate a copy, so that a refused update changes nothing.
        let mut updated = current.clone();
        input.apply(&mut updated);
        validate(&updated)?;
        let body = http::to_bytes(&wire::short_user(&base(&engine, &headers), &updated));
        let data = events::user_data(&updated);
        if let Some(user) = w.basiq.user_mut(id) {
            *user = updated;
        }
        events::record(
            &mut w.basiq,
            w.seed,
            now,
            ("user", "updated"),
            id,
            format!("/users/{id}"),
            data,
        );
        w.changed();
        Ok(http::json(StatusCode::OK, body))
    })
}

/// `DELETE /users/{userId}` (SERVER): 204; everything under the user goes with it.
pub async fn delete(
    State(engine): State<Engine>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Response {
    let id = param(&path);
    on_user(&engine, &headers, Access::Server, id, &[], |w, now| {
        let data = events::user_data(w.basiq.user(id).ok_or(BasiqError::UserNotFound)?);
        w.basiq.users.retain(|u| u.id != id);
        events::record(
            &mut w.basiq,
            w.seed,
            now,
            ("user", "deleted"),
            id,
            format!("/users/{id}"),
            data,
        );
        w.forget(|t| super::part::user_connection(t).is_some_and(|(user, _)| user == id));
        w.changed();
        Ok(http::empty(StatusCode::NO_CONTENT))
    })
}
