//! The institutions a client can connect to: `GET /connectors[/{id}/{method}]` (v3) and the
//! legacy `GET /institutions[/{id}]` that v3 payloads still link to, plus their tokenless
//! `/public/…` twins. Sandbank knows Basiq's sandbox banks.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use super::auth::{Access, authorize};
use super::error::BasiqError;
use super::filter::{self, Op};
use std::sync::Arc;

use super::check::basiq_institution_id;
use super::personas::{Institution, Mfa, Sandbox};
use super::{base, param, params, query_param, reply};
use crate::engine::Engine;
use crate::http;

const LOGO: &str = "https://d388vpyfrt4zrj.cloudfront.net";

fn authorization_type(i: &Institution) -> &'static str {
    match i.mfa {
        Mfa::Never => "user",
        Mfa::Always => "user-mfa",
        Mfa::Sometimes => "user-mfa-intermittent",
    }
}

/// The connector `method` (the schema's spelling) and path segment of an institution.
fn connector_method(i: &Institution) -> &'static str {
    if i.open_banking { "openbanking" } else { "web" }
}

fn logo(i: &Institution) -> Value {
    json!({
        "type": "image",
        "links": { "full": format!("{LOGO}/{}-full.svg", i.id), "square": format!("{LOGO}/{}.svg", i.id) },
    })
}

fn stats() -> Value {
    json!({ "averageDurationMs": { "verifyCredentials": 8154, "retrieveAccounts": 3820, "retrieveMeta": 12487, "retrieveTransactions": 7127, "total": 31588 } })
}

fn connector(i: &Institution, base: &str) -> Value {
    json!({
        "type": "connector",
        "id": i.id,
        "method": connector_method(i),
        "stage": "live",
        "status": "operational",
        "institution": {
            "type": "Test Bank",
            "name": i.name,
            "shortName": i.short_name,
            "tier": "4",
            "country": "Australia",
            "logo": logo(i),
        },
        "scopes": ["account.basic", "account.detail", "transaction.detail", "customer.person.detail"],
        "authorization": {
            "type": authorization_type(i),
            "meta": {
                "login_id_caption": "Login",
                "password_caption": "Password",
                "secondary_login_id_caption": "",
                "security_code_caption": "",
                "forgotten_password_url": "",
            },
        },
        "stats": stats(),
        "links": { "self": format!("{base}/connectors/{}/{}", i.id, connector_method(i)) },
    })
}

fn institution(i: &Institution, base: &str) -> Value {
    json!({
        "type": "institution",
        "id": i.id,
        "name": i.name,
        "shortName": i.short_name,
        "institutionType": "Test Bank",
        "country": "Australia",
        "serviceName": "Personal Online Banking",
        "serviceType": "Test",
        "tier": "4",
        "authorization": authorization_type(i),
        "stage": "live",
        "status": "operational",
        "loginIdCaption": "Login",
        "passwordCaption": "Password",
        "links": { "self": format!("{base}/institutions/{}", i.id) },
        "logo": logo(i),
        "stats": stats(),
    })
}

/// The filterable fields of a connector (or institution, under `institution.`).
fn field<'a>(i: &'a Institution, path: &str) -> Option<&'a str> {
    Some(match path {
        "connector.id" | "institution.id" => &i.id,
        "connector.method" => connector_method(i),
        "connector.status" | "institution.status" => "operational",
        "connector.stage" | "institution.stage" => "live",
        "connector.institution.country" | "institution.country" => "Australia",
        "connector.institution.tier" | "institution.tier" => "4",
        "connector.institution.type" | "institution.institutionType" => "Test Bank",
        "institution.serviceType" => "Test",
        "connector.authorization.type" | "institution.authorization" => authorization_type(i),
        _ => return None,
    })
}

/// An institution to ask [`field`] which paths exist.
const PROBE: Institution = Institution {
    id: String::new(),
    name: String::new(),
    short_name: String::new(),
    mfa: Mfa::Never,
    open_banking: false,
};

fn filtered<'a>(
    sandbox: &'a Sandbox,
    query: Option<&str>,
    prefix: &str,
) -> Result<Vec<&'a Institution>, BasiqError> {
    let Some(text) = query_param(query, "filter") else {
        return Ok(sandbox.institutions().iter().collect());
    };
    let statements = filter::parse(&text).ok_or(BasiqError::FilterInvalid)?;
    let supported = statements.iter().all(|s| {
        s.path.starts_with(prefix)
            && matches!(s.op, Op::Eq | Op::Ne | Op::In)
            && field(&PROBE, &s.path).is_some()
    });
    if !supported {
        return Err(BasiqError::FilterInvalid);
    }
    Ok(sandbox
        .institutions()
        .iter()
        .filter(|i| {
            statements
                .iter()
                .all(|s| field(i, &s.path).is_some_and(|v| s.matches(v)))
        })
        .collect())
}

/// Whether a route needs a token: the `/public/…` twins do not.
#[derive(Clone, Copy)]
pub enum Gate {
    Token,
    Public,
}

/// Checks the token where the route needs one; the institutions the world knows.
fn gate(engine: &Engine, headers: &HeaderMap, gate: Gate) -> Result<Arc<Sandbox>, BasiqError> {
    engine.with_world_at(|w, now| {
        if let Gate::Token = gate {
            authorize(
                w,
                now,
                engine.secret(),
                headers,
                Access::ServerOrOwnClient,
                None,
            )?;
        }
        Ok(w.basiq.sandbox.clone())
    })
}

/// The two lists of the same banks: v3's connectors and the legacy institutions.
#[derive(Clone, Copy)]
enum Catalog {
    Connectors,
    Institutions,
}

impl Catalog {
    /// The filter prefix and the list's path.
    fn names(self) -> (&'static str, &'static str) {
        match self {
            Catalog::Connectors => ("connector.", "connectors"),
            Catalog::Institutions => ("institution.", "institutions"),
        }
    }

    fn item(self, i: &Institution, base: &str) -> Value {
        match self {
            Catalog::Connectors => connector(i, base),
            Catalog::Institutions => institution(i, base),
        }
    }
}

async fn list_with(
    engine: Engine,
    headers: HeaderMap,
    query: Option<String>,
    g: Gate,
    catalog: Catalog,
) -> Response {
    let outcome = (|| {
        let sandbox = gate(&engine, &headers, g)?;
        let base = base(&engine, &headers);
        let (prefix, path) = catalog.names();
        let data: Vec<Value> = filtered(&sandbox, query.as_deref(), prefix)?
            .into_iter()
            .map(|i| catalog.item(i, &base))
            .collect();
        let body = json!({ "type": "list", "totalCount": data.len(), "data": data, "links": { "self": format!("{base}/{path}") } });
        Ok(http::json(StatusCode::OK, http::to_bytes(&body)))
    })();
    reply(&engine, outcome)
}

async fn connector_with(
    engine: Engine,
    headers: HeaderMap,
    path: Result<Path<(String, String)>, PathRejection>,
    g: Gate,
) -> Response {
    let (id, method) = params(&path);
    let outcome = (|| {
        let sandbox = gate(&engine, &headers, g)?;
        if !basiq_institution_id(id) {
            return Err(BasiqError::IdInvalid {
                parameter: "connectorId",
                label: "Connector ID",
            });
        }
        // Open-banking connectors answer to both of Basiq's spellings.
        let wanted = if method == "open-banking" {
            "openbanking"
        } else {
            method
        };
        let i = sandbox
            .institution(id)
            .filter(|i| connector_method(i) == wanted)
            .ok_or(BasiqError::NotFound {
                detail: "Requested connector does not exist.",
            })?;
        Ok(http::json(
            StatusCode::OK,
            http::to_bytes(&connector(i, &base(&engine, &headers))),
        ))
    })();
    reply(&engine, outcome)
}

/// `GET /connectors` (SERVER or CLIENT).
pub async fn connectors(
    State(engine): State<Engine>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    list_with(engine, headers, query, Gate::Token, Catalog::Connectors).await
}

/// `GET /public/connectors` (no token).
pub async fn public_connectors(
    State(engine): State<Engine>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    list_with(engine, headers, query, Gate::Public, Catalog::Connectors).await
}

/// `GET /connectors/{connectorId}/{method}` (SERVER or CLIENT).
pub async fn connector_by_id(
    State(engine): State<Engine>,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
) -> Response {
    connector_with(engine, headers, path, Gate::Token).await
}

/// `GET /public/connectors/{connectorId}/{method}` (no token).
pub async fn public_connector_by_id(
    State(engine): State<Engine>,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
) -> Response {
    connector_with(engine, headers, path, Gate::Public).await
}

/// `GET /institutions` (SERVER or CLIENT).
pub async fn institutions(
    State(engine): State<Engine>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    list_with(engine, headers, query, Gate::Token, Catalog::Institutions).await
}

/// `GET /public/institutions` (no token).
pub async fn public_institutions(
    State(engine): State<Engine>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    list_with(engine, headers, query, Gate::Public, Catalog::Institutions).await
}

/// `GET /institutions/{institutionId}` (SERVER or CLIENT).
pub async fn institution_by_id(
    State(engine): State<Engine>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Response {
    let id = param(&path);
    let outcome = (|| {
        let sandbox = gate(&engine, &headers, Gate::Token)?;
        let i = sandbox.institution(id).ok_or(BasiqError::NotFound {
            detail: "Requested institution does not exist.",
        })?;
        Ok(http::json(
            StatusCode::OK,
            http::to_bytes(&institution(i, &base(&engine, &headers))),
        ))
    })();
    reply(&engine, outcome)
}
