//! Meld customers (`/accounts/customers`), the shared customer resource bank linking hangs off:
//! create-or-return by `externalId`, search sorted by external id, get, partial update, and
//! delete — of the whole customer with its connections and accounts, or, with
//! `serviceProviders`, of its provider-side customers only.

use axum::extract::rejection::BytesRejection;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use bytes::Bytes;
use serde_json::{Map, Value, json};

use super::body::{self, Fields};
use super::error::MeldError;
use super::lifecycle;
use super::model::{Account, Customer};
use super::page::{Kind, Paging};
use super::{Call, enum_list, model, param, path_id, query_pairs, version};
use crate::engine::Engine;
use crate::http;
use crate::ids::{base58_id, rng_for};
use crate::scenario::check::{plausible_email, valid_date};
use crate::value::Timestamp;

/// Customer statuses sandbank accepts (Meld shows `ACTIVE`; the list is not documented).
pub const STATUSES: &[&str] = &["ACTIVE", "INACTIVE"];

/// Sort position: external id ascending (bytes inverted, since lists run high to low), then id.
fn position(c: &Customer) -> Vec<u8> {
    let mut pos: Vec<u8> = c.external_id.bytes().map(|b| 255 - b).collect();
    pos.push(255);
    pos.extend_from_slice(c.id.as_bytes());
    pos
}

fn render(seed: u64, account: &Account, c: &Customer) -> Value {
    // One provider-side customer per provider the customer has connected through.
    let mut providers: Vec<(&str, Timestamp)> = Vec::new();
    for conn in account
        .connections
        .iter()
        .filter(|x| x.customer_id == c.id && x.institution_id.is_some())
    {
        match providers
            .iter_mut()
            .find(|(p, _)| *p == conn.service_provider)
        {
            Some((_, at)) if conn.created_at.at < at.at => *at = conn.created_at,
            Some(_) => {}
            None => providers.push((&conn.service_provider, conn.created_at)),
        }
    }
    let provider_customers: Vec<Value> = providers
        .iter()
        .map(|(p, at)| {
            json!({
                "id": base58_id(&mut rng_for(seed, &format!("provider customer {} {p}", c.id))),
                "customerId": c.id,
                "createdAt": at.to_string(),
                "deletedAt": null,
                "status": "ACTIVE",
                "kyc": null,
                "serviceProviderAccessProfileId": null,
                "serviceProviderDetails": { "type": p, "customerType": null },
                "wallets": [],
            })
        })
        .collect();
    json!({
        "id": c.id,
        "key": super::page::key(Kind::Customer, &position(c)),
        "accountId": account.id,
        "externalId": c.external_id,
        "name": { "firstName": c.first_name, "lastName": c.last_name },
        "email": c.email,
        "phone": c.phone,
        "dateOfBirth": c.date_of_birth,
        "addresses": [],
        "serviceProviderCustomers": provider_customers,
        "previouslyUsedOnramps": [],
        "status": c.status,
    })
}

/// Reads the writable fields; `id_field` is `externalId` on create, `externalCustomerId` on
/// update.
struct Changes {
    external_id: Option<String>,
    first_name: Option<Option<String>>,
    last_name: Option<Option<String>>,
    email: Option<String>,
    phone: Option<String>,
    date_of_birth: Option<String>,
    status: Option<String>,
}

fn changes(f: &mut Fields, id_field: &str, required: bool) -> Changes {
    let external_id = f.string(id_field, required);
    let first_name = f.nested_string("name", "firstName");
    let last_name = f.nested_string("name", "lastName");
    let email = f.string("email", false);
    if let Some(e) = &email
        && !plausible_email(e)
    {
        f.errors
            .push("[email] must be a well-formed email address".to_owned());
    }
    let phone = f.string("phone", false);
    let date_of_birth = f.string("dateOfBirth", false);
    if let Some(d) = &date_of_birth
        && !valid_date(d)
    {
        f.errors
            .push("[dateOfBirth] must be a date in the format yyyy-MM-dd".to_owned());
    }
    let status = f.string("status", false);
    if let Some(s) = &status
        && !STATUSES.contains(&s.as_str())
    {
        f.errors.push(format!(
            "[status] `{s}` is not one of {}",
            STATUSES.join(", ")
        ));
    }
    Changes {
        external_id,
        first_name,
        last_name,
        email,
        phone,
        date_of_birth,
        status,
    }
}

fn apply(c: &mut Customer, ch: Changes) {
    if let Some(x) = ch.external_id {
        c.external_id = x;
    }
    if let Some(x) = ch.first_name {
        c.first_name = x;
    }
    if let Some(x) = ch.last_name {
        c.last_name = x;
    }
    if let Some(x) = ch.email {
        c.email = Some(x);
    }
    if let Some(x) = ch.phone {
        c.phone = Some(x);
    }
    if let Some(x) = ch.date_of_birth {
        c.date_of_birth = Some(x);
    }
    if let Some(x) = ch.status {
        c.status = x;
    }
}

/// `POST /accounts/customers`: 201 with a new customer, 200 with the one that already has this
/// `externalId` (unchanged).
pub async fn create(
    State(engine): State<Engine>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let call = Call::begin(&engine, &headers, version::CONNECTIONS);
    let outcome = (|| {
        call.authenticate(&engine, &headers)?;
        let mut f = body::read(&headers, body, false)?;
        let ch = changes(&mut f, "externalId", true);
        f.finish()?;
        let external = ch.external_id.clone().unwrap_or_default();
        engine.with_world_at(|w, now| {
            let seed = w.seed;
            if let Some(c) = w.meld.customers.iter().find(|c| c.external_id == external) {
                return Ok((StatusCode::OK, http::to_bytes(&render(seed, &w.meld, c))));
            }
            let mut c = Customer::new(engine.next_base58(), external, now);
            apply(&mut c, ch);
            let out = http::to_bytes(&render(seed, &w.meld, &c));
            w.meld.customers.push(c);
            w.changed();
            Ok((StatusCode::CREATED, out))
        })
    })();
    call.finish(&engine, outcome)
}

/// `GET /accounts/customers`: `customerIds`, `externalId`, `email`, `phone`, `status`;
/// `before`/`after`/`limit` (10 or the number of ids given, max 100); by external id.
pub async fn search(
    State(engine): State<Engine>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let call = Call::begin(&engine, &headers, version::CONNECTIONS);
    let outcome = (|| {
        call.authenticate(&engine, &headers)?;
        let pairs = query_pairs(query.as_deref());
        let mut errors = Vec::new();
        let statuses = enum_list(&pairs, "status", STATUSES, &mut errors);
        let ids: Option<Vec<&str>> = param(&pairs, "customerIds").map(|v| {
            v.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect()
        });
        let default_limit = ids.as_ref().map_or(10, |i| i.len().clamp(1, 100));
        let paging = Paging::from_query(Kind::Customer, &pairs, (default_limit, 100), &mut errors);
        if !errors.is_empty() {
            return Err(MeldError::BadRequest(errors));
        }
        let external = param(&pairs, "externalId");
        let email = param(&pairs, "email");
        let phone = param(&pairs, "phone");
        engine.with_world(|w| {
            let items: Vec<(Vec<u8>, &Customer)> = w
                .meld
                .customers
                .iter()
                .filter(|c| ids.as_ref().is_none_or(|ids| ids.contains(&c.id.as_str())))
                .filter(|c| external.is_none_or(|e| c.external_id == e))
                .filter(|c| email.is_none_or(|e| c.email.as_deref() == Some(e)))
                .filter(|c| phone.is_none_or(|p| c.phone.as_deref() == Some(p)))
                .filter(|c| statuses.as_ref().is_none_or(|s| s.contains(&c.status)))
                .map(|c| (position(c), c))
                .collect();
            Ok(paging.respond("customers", items, |_, c| render(w.seed, &w.meld, c)))
        })
    })();
    call.finish(&engine, outcome)
}

/// `GET /accounts/customers/{customerId}`.
pub async fn get(
    State(engine): State<Engine>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    let call = Call::begin(&engine, &headers, version::CONNECTIONS);
    let outcome = (|| {
        call.authenticate(&engine, &headers)?;
        let id = path_id(path);
        engine.with_world(|w| {
            let c = w
                .meld
                .customer(&id)
                .ok_or(MeldError::NotFound("Customer"))?;
            Ok((StatusCode::OK, http::to_bytes(&render(w.seed, &w.meld, c))))
        })
    })();
    call.finish(&engine, outcome)
}

/// `PATCH /accounts/customers/{customerId}`: partial update.
pub async fn update(
    State(engine): State<Engine>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let call = Call::begin(&engine, &headers, version::CONNECTIONS);
    let outcome = (|| {
        call.authenticate(&engine, &headers)?;
        let mut f = body::read(&headers, body, false)?;
        let ch = changes(&mut f, "externalCustomerId", false);
        f.finish()?;
        let id = path_id(path);
        engine.with_world(|w| {
            if w.meld.customer(&id).is_none() {
                return Err(MeldError::NotFound("Customer"));
            }
            if let Some(ext) = &ch.external_id
                && w.meld
                    .customers
                    .iter()
                    .any(|c| c.id != id && &c.external_id == ext)
            {
                return Err(MeldError::BadRequest(vec![format!(
                    "[externalCustomerId] `{ext}` belongs to another customer"
                )]));
            }
            let seed = w.seed;
            let Some(c) = w.meld.customers.iter_mut().find(|c| c.id == id) else {
                return Err(MeldError::NotFound("Customer"));
            };
            apply(c, ch);
            w.changed();
            let c = w
                .meld
                .customer(&id)
                .ok_or(MeldError::NotFound("Customer"))?;
            Ok((StatusCode::OK, http::to_bytes(&render(seed, &w.meld, c))))
        })
    })();
    call.finish(&engine, outcome)
}

/// `DELETE /accounts/customers/{customerId}[?serviceProviders=A,B]`.
pub async fn delete(
    State(engine): State<Engine>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
) -> Response {
    let call = Call::begin(&engine, &headers, version::CONNECTIONS);
    let outcome = (|| {
        call.authenticate(&engine, &headers)?;
        let pairs = query_pairs(query.as_deref());
        let mut errors = Vec::new();
        let only = enum_list(
            &pairs,
            "serviceProviders",
            model::SERVICE_PROVIDERS,
            &mut errors,
        );
        if !errors.is_empty() {
            return Err(MeldError::BadRequest(errors));
        }
        let id = path_id(path);
        engine.with_world_at(|w, now| {
            if w.meld.customer(&id).is_none() {
                return Err(MeldError::NotFound("Customer"));
            }
            let seed = w.seed;
            let connections: Vec<(String, Option<String>, bool)> = w
                .meld
                .connections
                .iter()
                .filter(|c| c.customer_id == id)
                .map(|c| {
                    (
                        c.id.clone(),
                        c.institution_id
                            .as_ref()
                            .map(|_| c.service_provider.clone()),
                        lifecycle::is_final(&c.status),
                    )
                })
                .collect();
            let mut deleted = Map::new();
            for provider in connections.iter().filter_map(|c| c.1.as_ref()) {
                if only.as_ref().is_none_or(|o| o.contains(provider)) {
                    let provider_id = base58_id(&mut rng_for(
                        seed,
                        &format!("provider customer {id} {provider}"),
                    ));
                    deleted.insert(provider.clone(), Value::String(provider_id));
                }
            }
            let whole = only.is_none();
            if whole {
                for (cid, _, done) in &connections {
                    if !done {
                        lifecycle::delete(&mut w.meld, seed, now, cid);
                    }
                }
                w.meld.customers.retain(|c| c.id != id);
            }
            w.changed();
            let out =
                json!({ "id": id, "isDeleted": whole, "serviceProviderCustomersDeleted": deleted });
            Ok((StatusCode::OK, http::to_bytes(&out)))
        })
    })();
    call.finish(&engine, outcome)
}
