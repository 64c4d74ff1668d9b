//! Consents (`GET /users/{id}/consents`, `DELETE /users/{id}/consents/{id}`), auth links
//! (`POST|GET|DELETE /users/{id}/auth_link`) and identities (`GET /users/{id}/identities[/{id}]`).
//!
//! A user holds one consent from its first connection on; deleting it deletes the user's
//! connections. Identities are the data-sharer profiles of the user's connections.

use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use bytes::Bytes;
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;
use serde_json::{Value, json};

use super::auth::Access;
use super::error::BasiqError;
use super::model::{Application, AuthLink, Connection, Consent, User};
use super::{base, body, deadlines, events, on_user, param, params};
use crate::engine::Engine;
use crate::http;
use crate::ids::{rng_for, uuid_v4};
use crate::scenario::check::plausible_mobile;
use crate::value::Timestamp;

/// How long a consent lasts.
pub(crate) const CONSENT_TERM: Duration = Duration::days(365);
/// How long an auth link lasts.
const AUTH_LINK_TERM: Duration = Duration::days(7);

/// The consent a user's first connection implies (none if the user already has one).
pub fn ensure_consent(app: &mut Application, seed: u64, user: &str, at: DateTime<Utc>) {
    if app.user(user).is_none_or(|u| !u.consents.is_empty()) {
        return;
    }
    // A consent given after a revoked one is a new consent, with an id of its own.
    let label = match app.user(user).map_or(0, |u| u.consents_revoked) {
        0 => format!("consent {user}"),
        n => format!("consent {user} {n}"),
    };
    let Some(u) = app.user_mut(user) else { return };
    let id = uuid_v4(&mut rng_for(seed, &label));
    let at = Timestamp::seconds(at);
    let consent = Consent {
        id: id.clone(),
        created: at,
        updated: at,
        expiry: Timestamp::seconds(at.at + CONSENT_TERM),
    };
    let due = deadlines::of_consent(user, &consent);
    u.consents.push(consent.clone());
    for d in due {
        app.queue(d);
    }
    events::consent_event(app, seed, at.at, "created", user, &consent);
}

fn permission(scope: &str, entity: &str, name: &str, description: &str) -> Value {
    json!({
        "scope": scope,
        "required": true,
        "consented": true,
        "entity": entity,
        "information": { "name": name, "description": description, "attributeList": [] },
        "purpose": { "title": name, "description": description },
    })
}

/// A consent as `GET /users/{id}/consents` lists it at `now`.
pub(crate) fn consent_body(user: &str, c: &Consent, base: &str, now: DateTime<Utc>) -> Value {
    json!({
        "type": "consent",
        "id": c.id,
        "created": c.created.to_string(),
        "updated": c.updated.to_string(),
        "expiryDate": c.expiry.to_string(),
        "origin": "user",
        "status": if c.active(now) { "active" } else { "expired" },
        "purpose": {
            "primary": {
                "title": "Share your financial data",
                "description": "We need to connect to your bank to collect some information about your finances",
            },
            "other": null,
        },
        "data": {
            "retainData": true,
            "initialRetrievalDays": 730,
            "organisation": null,
            "permissions": [
                permission("account.basic", "account", "Account name, type and balance", "This allows access to a list of your accounts and their current balance."),
                permission("account.detail", "account", "Account numbers and features", "This allows access to your account numbers and product details."),
                permission("transaction.detail", "transaction", "Transaction details", "This allows access to your transaction history."),
                permission("customer.person.detail", "connection", "Contact details", "This allows access to your name, phone, email and address."),
            ],
        },
        "links": {
            "self": format!("{base}/users/{user}/consents/{}", c.id),
            "consentPolicy": format!("{base}/policies/{}", c.id),
            "latestConsentPolicy": format!("{base}/policies/{}", c.id),
        },
    })
}

/// `GET /users/{userId}/consents` (SERVER).
pub async fn list(
    State(engine): State<Engine>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Response {
    let user = param(&path);
    on_user(&engine, &headers, Access::Server, user, &[], |w, now| {
        let u = w.basiq.user(user).ok_or(BasiqError::UserNotFound)?;
        let base = base(&engine, &headers);
        let data: Vec<Value> = u
            .consents
            .iter()
            .map(|c| consent_body(user, c, &base, now))
            .collect();
        let body = json!({ "type": "list", "size": data.len(), "data": data, "links": { "self": format!("{base}/users/{user}/consents") } });
        Ok(http::json(StatusCode::OK, http::to_bytes(&body)))
    })
}

/// `DELETE /users/{userId}/consents/{consentId}` (SERVER): 204; the consent and the user's
/// connections are deleted.
pub async fn delete(
    State(engine): State<Engine>,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
) -> Response {
    let (user, id) = params(&path);
    on_user(
        &engine,
        &headers,
        Access::Server,
        user,
        &[(id, ("consentId", "Consent ID"))],
        |w, now| {
            revoke(w, now, user, id)?;
            Ok(http::empty(StatusCode::NO_CONTENT))
        },
    )
}

/// Revokes a user's consent, as `DELETE /users/{id}/consents/{id}` and the Consent UI's
/// "Revoke" do: every connection of the user is deleted, then the consent (`consent.revoked`).
pub(crate) fn revoke(
    w: &mut crate::world::World,
    now: DateTime<Utc>,
    user: &str,
    id: &str,
) -> Result<(), BasiqError> {
    let u = w.basiq.user(user).ok_or(BasiqError::UserNotFound)?;
    let Some(consent) = u.consents.iter().find(|c| c.id == id).cloned() else {
        return Err(BasiqError::ResourceNotFound {
            parameter: "consentId",
        });
    };
    let connections: Vec<String> = u.connections.iter().map(|c| c.id.clone()).collect();
    for c in &connections {
        super::connections::remove(w, now, user, c);
    }
    if let Some(u) = w.basiq.user_mut(user) {
        u.consents.retain(|c| c.id != id);
        u.consents_revoked += 1;
    }
    events::consent_event(&mut w.basiq, w.seed, now, "revoked", user, &consent);
    w.changed();
    Ok(())
}

/// Extends a user's active consent by another term from `now`, as the Consent UI's
/// `action=extend` (and `update`, the policy being unchanged) does: `updated` now, a new
/// `expiryDate` with its own reminder, warning and expiry, `consent.updated`, and the same new
/// end for the arrangements of the user's active open-banking connections. False (and nothing
/// changed) without an active consent.
pub(crate) fn extend(w: &mut crate::world::World, now: DateTime<Utc>, user: &str) -> bool {
    let Some(u) = w.basiq.user_mut(user) else {
        return false;
    };
    let Some(consent) = u.consents.iter_mut().find(|c| c.active(now)) else {
        return false;
    };
    consent.updated = Timestamp::seconds(now);
    consent.expiry = Timestamp::seconds(now + CONSENT_TERM);
    let extended = consent.clone();
    let expiry = consent.expiry;
    let mut due = deadlines::of_consent(user, consent).to_vec();
    for c in &mut u.connections {
        if c.method == "open-banking" && c.status == "active" && c.expiry_date.is_some() {
            c.expiry_date = Some(expiry);
            due.push(deadlines::Deadline::arrangement(expiry, user, &c.id));
        }
    }
    for d in due {
        w.basiq.queue(d);
    }
    events::consent_event(&mut w.basiq, w.seed, now, "updated", user, &extended);
    w.changed();
    true
}

#[derive(Debug, Default, Deserialize)]
struct AuthLinkInput {
    mobile: Option<String>,
}

fn auth_link_body(user: &str, link: &AuthLink, base: &str, with_id: bool) -> Value {
    let mut body = json!({ "type": "auth_link" });
    if with_id {
        body["id"] = json!(link.id);
    }
    body["userId"] = json!(user);
    body["expiresAt"] = json!(link.expires.to_string());
    body["mobile"] = json!(link.mobile);
    body["links"] = json!({
        "self": format!("{base}/users/{user}/auth_link"),
        "public": format!("{base}/consent/home?authLink={}", link.id),
    });
    body
}

/// `POST /users/{userId}/auth_link` (SERVER): 201; the body's mobile, else the user's.
pub async fn create_auth_link(
    State(engine): State<Engine>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    bytes: Result<Bytes, BytesRejection>,
) -> Response {
    let user = param(&path);
    on_user(&engine, &headers, Access::Server, user, &[], |w, now| {
        let u = w.basiq.user(user).ok_or(BasiqError::UserNotFound)?;
        // The body is optional; an empty one means "use the user's mobile".
        let input: AuthLinkInput = match &bytes {
            Ok(b) if b.iter().all(u8::is_ascii_whitespace) => AuthLinkInput::default(),
            _ => body::json(bytes, "Posted auth link is not in valid format.")?,
        };
        let mobile = input
            .mobile
            .filter(|m| !m.is_empty())
            .unwrap_or_else(|| u.mobile.clone());
        if mobile.is_empty() {
            return Err(BasiqError::FieldMissing {
                detail: "Mobile number is required to create an auth link.",
            });
        }
        if !plausible_mobile(&mobile) {
            return Err(BasiqError::FieldInvalid {
                pointer: "auth_link/mobile",
                detail: "Provided mobile is in bad format.",
            });
        }
        let link = AuthLink {
            id: engine.next_uuid(),
            mobile,
            expires: Timestamp::seconds(now + AUTH_LINK_TERM),
            deleted: false,
            code_entered: false,
        };
        let body = auth_link_body(user, &link, &base(&engine, &headers), false);
        if let Some(u) = w.basiq.user_mut(user) {
            u.auth_link = Some(link);
        }
        w.changed();
        Ok(http::json(StatusCode::CREATED, http::to_bytes(&body)))
    })
}

fn current_link(u: &User, now: DateTime<Utc>) -> Result<&AuthLink, BasiqError> {
    match &u.auth_link {
        None => Err(BasiqError::ResourceNotFound {
            parameter: "userId",
        }),
        Some(l) if l.deleted || l.expires.at <= now => Err(BasiqError::NoLongerAvailable),
        Some(l) => Ok(l),
    }
}

/// `GET /users/{userId}/auth_link` (SERVER): the latest link; 410 once expired or deleted.
pub async fn get_auth_link(
    State(engine): State<Engine>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Response {
    let user = param(&path);
    on_user(&engine, &headers, Access::Server, user, &[], |w, now| {
        let u = w.basiq.user(user).ok_or(BasiqError::UserNotFound)?;
        let link = current_link(u, now)?;
        Ok(http::json(
            StatusCode::OK,
            http::to_bytes(&auth_link_body(user, link, &base(&engine, &headers), true)),
        ))
    })
}

/// `DELETE /users/{userId}/auth_link` (SERVER, or CLIENT for its own user): 204; 404 when there
/// is no live link (none made, deleted or expired).
pub async fn delete_auth_link(
    State(engine): State<Engine>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Response {
    let user = param(&path);
    on_user(
        &engine,
        &headers,
        Access::ServerOrOwnClient,
        user,
        &[],
        |w, now| {
            let u = w.basiq.user(user).ok_or(BasiqError::UserNotFound)?;
            // Basiq documents 410 for reading a spent link only; deleting one that is gone
            // answers its documented 404.
            current_link(u, now).map_err(|e| match e {
                BasiqError::NoLongerAvailable => BasiqError::ResourceNotFound {
                    parameter: "userId",
                },
                other => other,
            })?;
            if let Some(link) = w.basiq.user_mut(user).and_then(|u| u.auth_link.as_mut()) {
                link.deleted = true;
            }
            w.changed();
            Ok(http::empty(StatusCode::NO_CONTENT))
        },
    )
}

fn identity_id(seed: u64, connection: &str) -> String {
    uuid_v4(&mut rng_for(seed, &format!("identity {connection}")))
}

fn identity(seed: u64, user: &str, c: &Connection, base: &str) -> Value {
    let id = identity_id(seed, &c.id);
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let addresses: Vec<Value> = c
        .profile
        .physical_addresses
        .iter()
        .map(|a| {
            json!({
                "type": "postal",
                "addressLine1": text(&a.address_line1),
                "addressLine2": text(&a.address_line2),
                "addressLine3": text(&a.address_line3),
                "postcode": text(&a.postcode),
                "city": text(&a.city),
                "state": text(&a.state),
                "country": text(&a.country),
                "countryCode": text(&a.country_code),
                "formattedAddress": text(&a.formatted_address),
            })
        })
        .collect();
    json!({
        "type": "identity",
        "id": id,
        "created": c.created_date.to_string(),
        "updated": c.last_used.unwrap_or(c.created_date).to_string(),
        "connectionID": c.id,
        "institutionID": c.institution,
        "source": if c.method == "web" { "web" } else { "openbanking" },
        "fullName": c.profile.full_name,
        "firstName": c.profile.first_name,
        "lastName": c.profile.last_name,
        "middleName": c.profile.middle_name,
        "phoneNumbers": c.profile.phone_numbers,
        "emailAddresses": c.profile.email_addresses,
        "physicalAddresses": addresses,
        "links": {
            "self": format!("{base}/users/{user}/identities/{id}"),
            "job": format!("{base}/users/{user}/connections/{}", c.id),
        },
    })
}

/// `GET /users/{userId}/identities` (SERVER, or CLIENT for its own user, as in Basiq's v2 scope
/// table): one identity per active bank connection (a statement upload has none).
pub async fn identities(
    State(engine): State<Engine>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Response {
    let user = param(&path);
    on_user(
        &engine,
        &headers,
        Access::ServerOrOwnClient,
        user,
        &[],
        |w, _| {
            let u = w.basiq.user(user).ok_or(BasiqError::UserNotFound)?;
            let base = base(&engine, &headers);
            let data: Vec<Value> = u
                .connections
                .iter()
                .filter(|c| c.status == "active" && !c.uploaded())
                .map(|c| identity(w.seed, user, c, &base))
                .collect();
            let body = json!({ "type": "list", "count": data.len(), "data": data });
            Ok(http::json(StatusCode::OK, http::to_bytes(&body)))
        },
    )
}

/// `GET /users/{userId}/identities/{identityId}` (SERVER, or CLIENT for its own user).
pub async fn identity_by_id(
    State(engine): State<Engine>,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
) -> Response {
    let (user, id) = params(&path);
    on_user(
        &engine,
        &headers,
        Access::ServerOrOwnClient,
        user,
        &[(id, ("identityId", "Identity ID"))],
        |w, _| {
            let u = w.basiq.user(user).ok_or(BasiqError::UserNotFound)?;
            let c = u
                .connections
                .iter()
                .find(|c| c.status == "active" && !c.uploaded() && identity_id(w.seed, &c.id) == id)
                .ok_or(BasiqError::ResourceNotFound {
                    parameter: "identityId",
                })?;
            Ok(http::json(
                StatusCode::OK,
                http::to_bytes(&identity(w.seed, user, c, &base(&engine, &headers))),
            ))
        },
    )
}
