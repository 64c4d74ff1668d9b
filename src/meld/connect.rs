//! Connecting and repairing: `POST /bank-linking/connect/start` and `/connect/repair`, which
//! hand out connect tokens, and the widget stand-in the token's `widgetUrl` opens —
//! `GET /connect?connectToken=…` (institution picker, then a credentials form) and
//! `POST /connect/complete` (form fields or JSON), which finishes the connection as Meld's
//! widget does.
//!
//! Connect tokens are HS256 JWTs with the claims recorded from Meld's sandbox (`iss`,
//! `connection`, `customer`, `account`, `products`, `regions`, `redirect`, `routingProfile`,
//! `iat`, `exp`), valid for four hours and usable once. A connection whose widget is not
//! finished within that time becomes `EXPIRED`.

use axum::extract::rejection::BytesRejection;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::body::{self, Fields};
use super::error::MeldError;
use super::institutions::{self, Institution};
use super::lifecycle::{self, Completion};
use super::model::{self, Connection};
use super::sandbox::{self, Login};
use super::{Call, param, query_pairs, version};
use crate::engine::Engine;
use crate::html::{escape, page};
use crate::http;
use crate::ids::{base58_id, rng_for};
use crate::world::{Scheduled, World};

/// Claims of a connect token, in the order Meld writes them.
#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub connection: String,
    pub customer: String,
    pub account: String,
    pub products: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regions: Option<Vec<String>>,
    pub redirect: bool,
    #[serde(rename = "routingProfile")]
    pub routing_profile: String,
    pub iat: i64,
    pub exp: i64,
}

/// Issues a connect token for `c` and remembers it as open.
fn issue(
    engine: &Engine,
    w: &mut World,
    now: DateTime<Utc>,
    id: &str,
    redirect: bool,
) -> Option<String> {
    let seed = w.seed;
    let lifetime = w.meld.rules.connect_token_lifetime;
    let account = w.meld.id.clone();
    let c = w.meld.connection_mut(id)?;
    let claims = Claims {
        iss: "meld.io".to_owned(),
        connection: c.id.clone(),
        customer: c.customer_id.clone(),
        account,
        products: c.products.clone(),
        regions: (!c.regions.is_empty()).then(|| c.regions.clone()),
        redirect,
        routing_profile: base58_id(&mut rng_for(seed, "meld routing profile")),
        iat: now.timestamp(),
        exp: (now + lifetime).timestamp(),
    };
    let token = crate::jwt::sign(engine.secret(), &claims);
    c.open_tokens.push(token.clone());
    w.changed();
    Some(token)
}

fn widget_url(headers: &HeaderMap, token: &str) -> String {
    format!(
        "{}/connect?connectToken={token}",
        http::base_url(headers, None)
    )
}

/// ISO 3166-1 alpha-2, or ISO 3166-2 (`US-NY`).
fn valid_region(r: &str) -> bool {
    let (country, sub) = match r.split_once('-') {
        Some((c, s)) => (c, Some(s)),
        None => (r, None),
    };
    country.len() == 2
        && country.bytes().all(|b| b.is_ascii_uppercase())
        && sub.is_none_or(|s| {
            (1..=3).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric())
        })
}

/// Whether an institution can serve these products and regions.
fn serves(i: &Institution, products: &[String], regions: &[String]) -> bool {
    products.iter().all(|p| i.products.contains(&p.as_str()))
        && (regions.is_empty()
            || regions
                .iter()
                .any(|r| i.regions.iter().any(|ir| r.split('-').next() == Some(ir))))
}

/// `POST /bank-linking/connect/start`.
pub async fn start(
    State(engine): State<Engine>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let call = Call::begin(&engine, &headers, version::CONNECTIONS);
    let outcome = (|| {
        call.authenticate(&engine, &headers)?;
        let mut f = body::read(&headers, body, false)?;
        let external = f.string("externalCustomerId", true);
        let products = f.strings("products", Some(model::PRODUCTS));
        let optional = f.strings("optionalProducts", Some(model::PRODUCTS));
        let regions = f.strings("regions", None).unwrap_or_default();
        let institution = f.string("institutionId", false);
        f.string("institutionSearchString", false);
        let redirect = f
            .nested_bool("accountPreferenceOverride", "allowRedirect")
            .unwrap_or(true);
        let previous = f.string("previousConnectionId", false);
        let products = products.unwrap_or_default();
        let optional = optional.unwrap_or_default();
        // Meld's API reference takes an empty `products` when `optionalProducts` names one.
        if products.is_empty()
            && optional.is_empty()
            && !f.errors.iter().any(|e| e.starts_with("[products]"))
        {
            f.errors
                .push("[products] Must contain at least one product".to_owned());
        }
        for p in optional.iter().filter(|p| products.contains(p)) {
            f.errors.push(format!(
                "[optionalProducts] `{p}` must not also be in products"
            ));
        }
        for r in regions.iter().filter(|r| !valid_region(r)) {
            f.errors.push(format!(
                "[regions] `{r}` is not an ISO 3166-1 alpha-2 or ISO 3166-2 code"
            ));
        }
        let built_in = institution.as_deref().map(institutions::find);
        if let (Some(id), Some(None)) = (&institution, built_in) {
            f.errors
                .push(format!("[institutionId] `{id}` is not a known institution"));
        }
        if let Some(Some(i)) = built_in
            && !serves(i, &products, &regions)
        {
            f.errors.push(format!(
                "[institutionId] `{}` does not support every requested product and region",
                i.id
            ));
        }
        f.finish()?;
        if let Some(previous) = previous {
            return repair_connection(&engine, &headers, &previous);
        }
        let external = external.unwrap_or_default();
        engine.with_world_at(|w, now| {
            let customer_id =
                lifecycle::customer_for(&mut w.meld, &external, now, || engine.next_base58());
            let id = engine.next_base58();
            let institution = built_in.flatten();
            let provider = institution
                .and_then(|i| i.providers.first())
                .copied()
                .unwrap_or("PLAID");
            w.meld.connections.push(Connection::started(
                id.clone(),
                customer_id.clone(),
                institution.map(|i| (i.id, i.name)),
                provider,
                (products, optional, regions),
                now,
            ));
            let due = now + w.meld.rules.connect_token_lifetime;
            w.schedule(Scheduled {
                due,
                target: super::part::target(&id),
                status: "EXPIRED".to_owned(),
                status_reason: None,
                only_from: Some("IN_PROGRESS".to_owned()),
            });
            let token = issue(&engine, w, now, &id, redirect).unwrap_or_default();
            let body = json!({
                "id": id,
                "connectToken": token,
                "customerId": customer_id,
                "externalCustomerId": external,
                "widgetUrl": widget_url(&headers, &token),
            });
            Ok((StatusCode::CREATED, http::to_bytes(&body)))
        })
    })();
    call.finish(&engine, outcome)
}

/// `POST /bank-linking/connect/repair` `{"connectionId": …}`.
pub async fn repair(
    State(engine): State<Engine>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let call = Call::begin(&engine, &headers, version::CONNECTIONS);
    let outcome = (|| {
        call.authenticate(&engine, &headers)?;
        let mut f = body::read(&headers, body, false)?;
        let id = f.string("connectionId", true);
        f.finish()?;
        repair_connection(&engine, &headers, &id.unwrap_or_default())
    })();
    call.finish(&engine, outcome)
}

fn repair_connection(
    engine: &Engine,
    headers: &HeaderMap,
    id: &str,
) -> Result<(StatusCode, Bytes), MeldError> {
    engine.with_world_at(|w, now| {
        let c = w
            .meld
            .connection(id)
            .ok_or(MeldError::NotFound("Connection"))?;
        if !w.meld.rules.can_repair(c) {
            return Err(MeldError::Conflict(format!(
                "A connection with status {}{} cannot be repaired",
                c.status,
                c.status_reason
                    .as_deref()
                    .map(|r| format!(" ({r})"))
                    .unwrap_or_default()
            )));
        }
        let institution = c.institution_id.clone();
        let token = issue(engine, w, now, id, true).unwrap_or_default();
        let body = json!({
            "id": id,
            "connectToken": token,
            "institutionId": institution,
            "widgetUrl": widget_url(headers, &token),
        });
        Ok((StatusCode::CREATED, http::to_bytes(&body)))
    })
}

/// Why a connect token cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TokenProblem {
    Invalid,
    Expired,
    Used,
}

impl TokenProblem {
    fn reason(self) -> &'static str {
        match self {
            TokenProblem::Invalid => "INVALID_CONNECT_TOKEN",
            TokenProblem::Expired => "CONNECT_TOKEN_EXPIRED",
            TokenProblem::Used => "CONNECT_TOKEN_USED",
        }
    }

    fn details(self) -> &'static str {
        match self {
            TokenProblem::Invalid => "This link is not valid.",
            TokenProblem::Expired => "This link has expired. Start again from the app.",
            TokenProblem::Used => "This link has already been used.",
        }
    }
}

/// The connection a token opens, if the token is still usable.
fn open<'w>(
    engine: &Engine,
    w: &'w World,
    now: DateTime<Utc>,
    token: &str,
) -> Result<&'w Connection, TokenProblem> {
    let claims: Claims = crate::jwt::verify(engine.secret(), token).ok_or(TokenProblem::Invalid)?;
    if claims.iss != "meld.io" || claims.account != w.meld.id {
        return Err(TokenProblem::Invalid);
    }
    if now.timestamp() >= claims.exp {
        return Err(TokenProblem::Expired);
    }
    let c = w
        .meld
        .connection(&claims.connection)
        .ok_or(TokenProblem::Invalid)?;
    if !c.open_tokens.iter().any(|t| t == token) {
        return Err(TokenProblem::Used);
    }
    Ok(c)
}

/// Institutions the picker offers for a token.
fn choices(c: &Connection) -> Vec<&'static Institution> {
    institutions::BUILT_IN
        .iter()
        .filter(|i| serves(i, &c.products, &c.regions))
        .collect()
}

/// The institution a widget session signs in to: the connection's own (given at start, or
/// being repaired), else the one picked.
#[derive(Debug, Clone)]
struct Bank {
    id: String,
    name: String,
    provider: String,
}

fn bank_for(c: &Connection, chosen: Option<&str>) -> Option<Bank> {
    if let Some(id) = &c.institution_id {
        return Some(Bank {
            id: id.clone(),
            name: c.institution_name.clone().unwrap_or_else(|| id.clone()),
            provider: c.service_provider.clone(),
        });
    }
    let i = institutions::find(chosen?).filter(|i| choices(c).iter().any(|x| x.id == i.id))?;
    Some(Bank {
        id: i.id.to_owned(),
        name: i.name.to_owned(),
        provider: i.providers.first().copied().unwrap_or("PLAID").to_owned(),
    })
}

/// `GET /connect?connectToken=…[&institutionId=…]`: the widget stand-in.
pub async fn widget(State(engine): State<Engine>, RawQuery(query): RawQuery) -> Response {
    let pairs = query_pairs(query.as_deref());
    let token = param(&pairs, "connectToken").unwrap_or("").to_owned();
    let chosen = param(&pairs, "institutionId").map(str::to_owned);
    engine.with_world_at(|w, now| {
        let c = match open(&engine, w, now, &token) {
            Ok(c) => c,
            Err(problem) => {
                return page(
                    StatusCode::UNAUTHORIZED,
                    "Link unavailable",
                    &format!(
                        r#"<p id="error" data-reason="{}">{}</p>"#,
                        problem.reason(),
                        problem.details()
                    ),
                );
            }
        };
        match bank_for(c, chosen.as_deref()) {
            Some(bank) => page(
                StatusCode::OK,
                &bank.name,
                &credentials_form(&token, &bank, None),
            ),
            None => page(StatusCode::OK, "Select your bank", &picker(&token, c)),
        }
    })
}

fn picker(token: &str, c: &Connection) -> String {
    let mut items = String::new();
    for i in choices(c) {
        items.push_str(&format!(
            r#"<li><a class="institution" id="institution-{id}" href="/connect?connectToken={token}&amp;institutionId={id}">{name}</a></li>"#,
            id = i.id,
            name = escape(i.name),
        ));
    }
    if items.is_empty() {
        return r#"<p id="empty">No institution supports every product this connection asks for.</p>"#.to_owned();
    }
    format!(r#"<ul id="institutions">{items}</ul>"#)
}

fn credentials_form(token: &str, bank: &Bank, error: Option<&str>) -> String {
    let error = crate::html::error(error);
    format!(
        r#"{error}<form id="credentials" method="post" action="/connect/complete">
<input type="hidden" name="connectToken" value="{token}">
<input type="hidden" name="institutionId" value="{id}">
<label>Username <input id="username" name="username" autocomplete="off"></label>
<label>Password <input id="password" name="password" type="password"></label>
<button id="submit" type="submit">Connect</button>
</form>
<p class="hint">Sandbox credentials: user_good / pass_good.</p>"#,
        id = escape(&bank.id),
    )
}

/// What completing the widget led to: the browser message Meld's widget posts.
struct Outcome {
    status: StatusCode,
    message: serde_json::Value,
    /// For the HTML answer: the institution whose form to show again after an error.
    retry: Option<(Bank, String)>,
}

/// `POST /connect/complete`: `connectToken`, `institutionId`, `username`, `password`, as form
/// fields (the widget page) or JSON (scripts and tests).
pub async fn complete(
    State(engine): State<Engine>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let media = http::header(&headers, "content-type")
        .unwrap_or("")
        .to_ascii_lowercase();
    let form = media.starts_with("application/x-www-form-urlencoded");
    let fields = if form {
        match &body {
            Ok(bytes) => Ok(Fields::from_pairs(query_pairs(
                std::str::from_utf8(bytes).ok(),
            ))),
            Err(_) => Err(MeldError::TooLarge),
        }
    } else {
        body::read(&headers, body, false)
    };
    let outcome = match fields {
        Ok(mut f) => finish_widget(&engine, &mut f),
        Err(e) => Outcome {
            status: e.status(),
            message: widget_error("INVALID_REQUEST", &problems(&e)),
            retry: None,
        },
    };
    if !form {
        return http::json(outcome.status, http::to_bytes(&outcome.message));
    }
    let script = format!(
        "<script>const m={};(window.opener||window.parent).postMessage(m,'*');</script>",
        outcome.message
    );
    let body = match (&outcome.retry, outcome.message["eventName"].as_str()) {
        (_, Some("connect_complete")) => format!(
            r#"<p id="result">Connected to {}.</p>{script}"#,
            escape(outcome.message["institutionName"].as_str().unwrap_or(""))
        ),
        (Some((bank, token)), _) => format!(
            "{}{script}",
            credentials_form(token, bank, outcome.message["details"].as_str())
        ),
        (None, _) => format!(
            r#"<p id="error" class="error" data-reason="{}">{}</p>{script}"#,
            escape(outcome.message["reason"].as_str().unwrap_or("")),
            escape(outcome.message["details"].as_str().unwrap_or(""))
        ),
    };
    let title = if outcome.status.is_success() {
        "Connected"
    } else {
        "Could not connect"
    };
    page(outcome.status, title, &body)
}

/// A request error as one line for the widget.
fn problems(e: &MeldError) -> String {
    match e {
        MeldError::BadRequest(list) => list.join("; "),
        other => other.to_string(),
    }
}

fn widget_error(reason: &str, details: &str) -> serde_json::Value {
    json!({ "domain": "meld-connect", "eventName": "error", "reason": reason, "details": details })
}

fn finish_widget(engine: &Engine, f: &mut Fields) -> Outcome {
    let token = f.string("connectToken", true);
    let chosen = f.string("institutionId", false);
    let username = f.string("username", false).unwrap_or_default();
    let password = f.string("password", false).unwrap_or_default();
    if let Err(e) = f.finish() {
        return Outcome {
            status: StatusCode::BAD_REQUEST,
            message: widget_error("INVALID_REQUEST", &problems(&e)),
            retry: None,
        };
    }
    let token = token.unwrap_or_default();
    engine.with_world_at(|w, now| {
        let c = match open(engine, w, now, &token) {
            Ok(c) => c,
            Err(problem) => {
                return Outcome {
                    status: StatusCode::UNAUTHORIZED,
                    message: widget_error(problem.reason(), problem.details()),
                    retry: None,
                };
            }
        };
        let Some(bank) = bank_for(c, chosen.as_deref()) else {
            return Outcome {
                status: StatusCode::BAD_REQUEST,
                message: widget_error(
                    "INSTITUTION_NOT_AVAILABLE",
                    "Choose one of the institutions offered for this connection.",
                ),
                retry: None,
            };
        };
        if let Login::Refused { reason, details } = sandbox::login(&username, &password) {
            return Outcome {
                status: StatusCode::BAD_REQUEST,
                message: widget_error(reason, &details),
                retry: Some((bank, token.clone())),
            };
        }
        let id = c.id.clone();
        let seed = w.seed;
        lifecycle::complete(
            &mut w.meld,
            seed,
            now,
            &id,
            Completion {
                institution_id: &bank.id,
                institution_name: &bank.name,
                service_provider: &bank.provider,
                login: &username,
            },
        );
        w.changed();
        Outcome {
            status: StatusCode::OK,
            message: json!({
                "domain": "meld-connect",
                "eventName": "connect_complete",
                "institutionId": bank.id,
                "institutionName": bank.name,
                "accountCount": null,
                "accounts": null,
            }),
            retry: None,
        }
    })
}
