//! Basiq authentication: `POST /token` mints bearer tokens from an API key, and [`authorize`]
//! checks them on every other route, in Basiq's order (header, token, expiry, scope, user).
//!
//! Tokens are HS256 JWTs signed with the engine secret, carrying the application, scope, bound
//! user and expiry. They expire 3600 s after minting, measured on the server clock.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::check::basiq_application_of;
use super::error::BasiqError;
use super::model::Scope;
use crate::engine::Engine;
use crate::http::{self, percent_decode};
use crate::jwt;
use crate::world::World;

/// Token lifetime in seconds, as `expires_in` says.
pub const TOKEN_LIFETIME: i64 = 3600;

/// Versions `/token` accepts in `basiq-version`.
const VERSIONS: &[&str] = &["2.0", "2.1", "3.0"];

/// What a token says about its bearer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    #[serde(rename = "partnerid")]
    pub application: String,
    pub scope: Scope,
    #[serde(rename = "userid", skip_serializing_if = "Option::is_none", default)]
    pub user: Option<String>,
    pub version: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
}

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// `SERVER_ACCESS` only.
    Server,
    /// `SERVER_ACCESS`, or `CLIENT_ACCESS` bound to the user in the path.
    ServerOrOwnClient,
}

#[derive(Serialize)]
struct TokenResponse<'a> {
    access_token: &'a str,
    token_type: &'static str,
    expires_in: i64,
}

/// `POST /token`.
pub async fn token(
    State(engine): State<Engine>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let minted = match body {
        Ok(body) => mint(&engine, &headers, &body),
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            Err(BasiqError::BodyTooLarge)
        }
        Err(_) => Err(BasiqError::ContentInvalid),
    };
    match minted {
        Ok(token) => {
            let body = http::to_bytes(&TokenResponse {
                access_token: &token,
                token_type: "Bearer",
                expires_in: TOKEN_LIFETIME,
            });
            http::json(StatusCode::OK, body)
        }
        Err(e) => e.response(engine.next_uuid()),
    }
}

fn mint(engine: &Engine, headers: &HeaderMap, body: &[u8]) -> Result<String, BasiqError> {
    // Version header first, as Basiq reports it before anything else.
    let version = match http::header(headers, "basiq-version") {
        None | Some("") => return Err(BasiqError::VersionMissing),
        Some(v) if !VERSIONS.contains(&v) => {
            return Err(BasiqError::VersionUnsupported(v.to_owned()));
        }
        Some(v) => v.to_owned(),
    };
    let key = api_key(headers)?;
    let (application, disabled) = engine.with_world(|w| {
        let app = &w.basiq;
        (
            app.api_keys
                .iter()
                .any(|k| k == &key)
                .then(|| app.id.clone()),
            app.disabled,
        )
    });
    let application = application.ok_or(BasiqError::UnknownApiKey)?;
    if disabled {
        return Err(BasiqError::AccountDisabled);
    }
    let form = form_fields(headers, body)?;
    let scope = match form
        .iter()
        .find(|(k, _)| k == "scope")
        .map(|(_, v)| v.as_str())
    {
        None | Some("") | Some("SERVER_ACCESS") => Scope::Server,
        Some("CLIENT_ACCESS") => Scope::Client,
        Some(other) => return Err(BasiqError::ScopeInvalid(other.to_owned())),
    };
    let user = form
        .iter()
        .find(|(k, _)| k == "userId")
        .map(|(_, v)| v.clone())
        .filter(|v| !v.is_empty());
    if scope == Scope::Client && user.is_none() {
        return Err(BasiqError::UserIdMissing);
    }
    let now = engine.now().timestamp();
    let claims = Claims {
        application,
        scope,
        user: if scope == Scope::Client { user } else { None },
        version,
        iat: now,
        exp: now + TOKEN_LIFETIME,
        jti: format!("{:016x}", engine.next_nonce()),
    };
    Ok(jwt::sign(engine.secret(), &claims))
}

/// The API key from `Authorization: Basic <key>`; the key must be Base64 of `id:secret`.
fn api_key(headers: &HeaderMap) -> Result<String, BasiqError> {
    let value = match http::header(headers, axum::http::header::AUTHORIZATION) {
        None | Some("") => return Err(BasiqError::AuthorizationMissing),
        Some(v) => v,
    };
    let (scheme, key) = value
        .split_once(' ')
        .ok_or(BasiqError::AuthorizationInvalid)?;
    let key = key.trim();
    if !scheme.eq_ignore_ascii_case("basic") || basiq_application_of(key).is_none() {
        return Err(BasiqError::AuthorizationInvalid);
    }
    Ok(key.to_owned())
}

/// The fields of the body (`scope`, `userId`), read as leniently as Basiq's gateway reads
/// them: form-encoded as documented, whatever the `Content-Type` says (clients send forms with
/// none), or a JSON object when it is declared as JSON or looks like one (Basiq's own SDKs send
/// `{}`); an empty body has none. Only a body that is neither is refused.
fn form_fields(headers: &HeaderMap, body: &[u8]) -> Result<Vec<(String, String)>, BasiqError> {
    let trimmed = body.trim_ascii();
    if trimmed.is_empty() {
        return Ok(Vec::new());
    }
    let content_type = http::header(headers, "content-type").unwrap_or("");
    let media = content_type.split(';').next().unwrap_or("").trim();
    let declared_json = media.eq_ignore_ascii_case("application/json")
        || media.to_ascii_lowercase().ends_with("+json");
    let form_declared = media.eq_ignore_ascii_case("application/x-www-form-urlencoded");
    if declared_json || (!form_declared && trimmed.starts_with(b"{")) {
        return json_fields(trimmed).ok_or(BasiqError::ContentInvalid);
    }
    serde_urlencoded_pairs(body).ok_or(BasiqError::ContentInvalid)
}

/// The string, number and boolean members of a JSON object body, as text.
fn json_fields(body: &[u8]) -> Option<Vec<(String, String)>> {
    let serde_json::Value::Object(map) = serde_json::from_slice(body).ok()? else {
        return None;
    };
    Some(
        map.into_iter()
            .filter_map(|(k, v)| match v {
                serde_json::Value::String(s) => Some((k, s)),
                serde_json::Value::Number(n) => Some((k, n.to_string())),
                serde_json::Value::Bool(b) => Some((k, b.to_string())),
                _ => None,
            })
            .collect(),
    )
}

fn serde_urlencoded_pairs(body: &[u8]) -> Option<Vec<(String, String)>> {
    let text = std::str::from_utf8(body).ok()?;
    text.trim()
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            Some((percent_decode(k)?, percent_decode(v)?))
        })
        .collect()
}

/// Most verified tokens remembered at once.
const VERIFIED_LIMIT: usize = 10_000;
/// Longest token remembered: issued tokens are a few hundred bytes, longer ones (a huge
/// `userId` minted into one) are verified on every use instead, so the cache stays within
/// `VERIFIED_LIMIT` × ~2 KiB.
const VERIFIED_TOKEN_BYTES: usize = 1024;

/// Tokens verified before and their claims, keyed by their last [`TAIL`] bytes (the end of
/// the signature, which differs between tokens), so a lookup hashes a few bytes and compares
/// the whole token once.
pub type Verified = HashMap<Box<[u8]>, (Box<[u8]>, Arc<Claims>), foldhash::fast::RandomState>;

/// Bytes at a token's end its [`Verified`] key is made of.
const TAIL: usize = 16;

/// The last [`TAIL`] bytes of `token` (all of it when shorter).
fn tail(token: &[u8]) -> &[u8] {
    &token[token.len().saturating_sub(TAIL)..]
}

/// The claims of a token verified before, when the `Authorization` header is `Bearer` and such a
/// token (spaces and tabs around it allowed): read from the header's bytes, as a token that
/// matches one verified before is visible ASCII throughout. Anything else takes the full path.
fn verified_bearer<'a>(
    verified: &'a Verified,
    authorization: Option<&HeaderValue>,
) -> Option<&'a Arc<Claims>> {
    let value = authorization?.as_bytes();
    let (scheme, token) = value.split_at_checked(BEARER.len())?;
    if !scheme.eq_ignore_ascii_case(BEARER) {
        return None;
    }
    let blank = |b: &u8| *b == b' ' || *b == b'\t';
    let start = token.iter().position(|b| !blank(b))?;
    let end = token.iter().rposition(|b| !blank(b))? + 1;
    let token = &token[start..end];
    let (whole, claims) = verified.get(tail(token))?;
    (**whole == *token).then_some(claims)
}

/// The scheme and the space that follows it, as the fast path reads them.
const BEARER: &[u8] = b"bearer ";

/// Checks the bearer token for a route that acts on `user` (if any) and returns its claims.
pub fn authorize(
    world: &mut World,
    now: DateTime<Utc>,
    secret: &[u8],
    headers: &HeaderMap,
    access: Access,
    user: Option<&str>,
) -> Result<Arc<Claims>, BasiqError> {
    let known = http::Known::of(headers);
    authorize_known(world, now, secret, &known, access, user)
}

/// [`authorize`] on headers already looked up.
pub fn authorize_known(
    world: &mut World,
    now: DateTime<Utc>,
    secret: &[u8],
    headers: &http::Known<'_>,
    access: Access,
    user: Option<&str>,
) -> Result<Arc<Claims>, BasiqError> {
    let app = &mut world.basiq;
    let claims = match verified_bearer(&app.verified, headers.authorization) {
        Some(claims) => claims.clone(),
        None => {
            let value = match headers.authorization.and_then(http::text) {
                None | Some("") => return Err(BasiqError::TokenMissing),
                Some(v) => v,
            };
            let token = match value.split_once(' ') {
                Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
                _ => return Err(BasiqError::TokenInvalid),
            };
            let claims: Claims = jwt::verify(secret, token).ok_or(BasiqError::TokenInvalid)?;
            if claims.application != app.id {
                return Err(BasiqError::TokenInvalid);
            }
            let claims = Arc::new(claims);
            if token.len() <= VERIFIED_TOKEN_BYTES {
                if app.verified.len() >= VERIFIED_LIMIT {
                    app.verified.clear();
                }
                let token = token.as_bytes();
                app.verified
                    .insert(tail(token).into(), (token.into(), claims.clone()));
            }
            claims
        }
    };
    if claims.exp <= now.timestamp() {
        return Err(BasiqError::TokenExpired);
    }
    if claims.scope == Scope::Client {
        if access == Access::Server {
            return Err(BasiqError::ScopeForbidden);
        }
        if user.is_some() && claims.user.as_deref() != user {
            return Err(BasiqError::UserMismatch);
        }
    }
    http::accepts_json(headers.accept).map_err(BasiqError::AcceptUnsupported)?;
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims() -> Arc<Claims> {
        Arc::new(Claims {
            application: "app".to_owned(),
            scope: Scope::Server,
            user: None,
            version: "3.0".to_owned(),
            iat: 0,
            exp: 1,
            jti: "j".to_owned(),
        })
    }

    #[test]
    fn a_remembered_token_is_found_only_by_its_whole_text() {
        let token = b"header.payload.signature-ending-in-these-16bytes";
        let mut verified = Verified::default();
        verified.insert(tail(token).into(), (token[..].into(), claims()));
        let header = |t: &str| HeaderValue::from_str(t).ok();
        let whole = header("Bearer  header.payload.signature-ending-in-these-16bytes ");
        assert!(verified_bearer(&verified, whole.as_ref()).is_some());
        // Same last bytes, other token: not taken for the one verified.
        let forged = header("Bearer forged.payload.signature-ending-in-these-16bytes");
        assert!(verified_bearer(&verified, forged.as_ref()).is_none());
        let basic = header("Basic header.payload.signature-ending-in-these-16bytes");
        assert!(verified_bearer(&verified, basic.as_ref()).is_none());
    }
}
