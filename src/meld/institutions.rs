//! Institutions: the ones sandbank's Meld knows without being told (one test institution per
//! provider sandbox, under the names those sandboxes use), and `GET /institutions[/{id}]`
//! (note: not under `/bank-linking`) with the documented filters and key pagination.
//!
//! Institutions are listed by `rank`, most popular first, as Meld orders its picker.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::error::MeldError;
use super::page::{self, Kind, Paging};
use super::{Call, enum_list, model, param, query_pairs, version};
use crate::engine::Engine;
use crate::http;

/// A built-in institution.
pub struct Institution {
    pub id: &'static str,
    pub name: &'static str,
    pub sub_name: Option<&'static str>,
    pub aliases: &'static [&'static str],
    pub domain: Option<&'static str>,
    /// Popularity; 1 is listed first.
    pub rank: i64,
    /// Providers and the institution's id at each.
    pub providers: &'static [&'static str],
    pub provider_ids: &'static [&'static str],
    /// Products its providers can aggregate.
    pub products: &'static [&'static str],
    /// Countries it serves.
    pub regions: &'static [&'static str],
}

const ALL: &[&str] = model::PRODUCTS;

/// Institution types sandbank knows (Meld does not document the list).
pub const TYPES: &[&str] = &["BANK"];

/// Built-in institutions. The Finicity one carries the id recorded from Meld's sandbox.
pub const BUILT_IN: &[Institution] = &[
    Institution {
        id: "W9kgBBLULSJFSKTwCpb5Gf",
        name: "Finbank Profiles - A",
        sub_name: None,
        aliases: &["FinBank"],
        domain: None,
        rank: 2,
        providers: &["FINICITY"],
        provider_ids: &["102105"],
        // Finicity's sandbox returns no investment data.
        products: &["BALANCES", "IDENTIFIERS", "OWNERS", "TRANSACTIONS"],
        regions: &["US"],
    },
    Institution {
        id: "WQ7mPh3yLsXbRt9cKdNe2A",
        name: "Platypus Bank",
        sub_name: None,
        aliases: &["First Platypus Bank"],
        domain: None,
        rank: 1,
        providers: &["PLAID"],
        provider_ids: &["ins_109508"],
        products: ALL,
        regions: &["US"],
    },
    Institution {
        id: "WQ8nTq4zMuYcSv2dLeFf3B",
        name: "MX Bank",
        sub_name: None,
        aliases: &[],
        domain: None,
        rank: 3,
        providers: &["MX"],
        provider_ids: &["mxbank"],
        products: ALL,
        regions: &["US"],
    },
    Institution {
        id: "WQ9pUr5aNvZdTw3eMgGh4C",
        name: "Mikomo Financial",
        sub_name: None,
        aliases: &[],
        domain: None,
        rank: 4,
        providers: &["AKOYA"],
        provider_ids: &["mikomo"],
        products: ALL,
        regions: &["US"],
    },
];

/// The built-in institution with this id.
pub fn find(id: &str) -> Option<&'static Institution> {
    BUILT_IN.iter().find(|i| i.id == id)
}

fn position(i: &Institution) -> Vec<u8> {
    page::position(-i.rank, i.id)
}

fn body(i: &Institution) -> Value {
    let mut providers = Map::new();
    for (p, id) in i.providers.iter().zip(i.provider_ids) {
        providers.insert(
            (*p).to_owned(),
            json!({ "institutionId": id, "products": i.products }),
        );
    }
    json!({
        "id": i.id,
        "key": page::key(Kind::Institution, &position(i)),
        "name": i.name,
        "subName": i.sub_name,
        "aliases": i.aliases,
        "domain": i.domain,
        "type": "BANK",
        "rank": i.rank,
        "isTest": true,
        // Sandbox test institutions have no logos.
        "images": { "icon": null, "tile": null, "wide": null },
        "providers": providers,
    })
}

/// `GET /institutions`: `name` (partial, any case, aliases too), `type`, `regions`,
/// `serviceProviders`, `before`/`after`/`limit` (10, max 1000).
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
        let kinds = enum_list(&pairs, "type", TYPES, &mut errors);
        let providers = enum_list(
            &pairs,
            "serviceProviders",
            model::SERVICE_PROVIDERS,
            &mut errors,
        );
        let paging = Paging::from_query(Kind::Institution, &pairs, (10, 1000), &mut errors);
        if !errors.is_empty() {
            return Err(MeldError::BadRequest(errors));
        }
        let name = param(&pairs, "name").map(str::to_lowercase);
        let regions: Option<Vec<&str>> = param(&pairs, "regions").map(|r| {
            r.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect()
        });
        let items: Vec<(Vec<u8>, &Institution)> = BUILT_IN
            .iter()
            .filter(|i| {
                name.as_ref().is_none_or(|n| {
                    std::iter::once(i.name)
                        .chain(i.aliases.iter().copied())
                        .any(|x| x.to_lowercase().contains(n.as_str()))
                })
            })
            .filter(|_| kinds.as_ref().is_none_or(|k| k.iter().any(|k| k == "BANK")))
            .filter(|i| {
                regions.as_ref().is_none_or(|rs| {
                    rs.iter()
                        .any(|r| i.regions.contains(&r.split('-').next().unwrap_or("")))
                })
            })
            .filter(|i| {
                providers
                    .as_ref()
                    .is_none_or(|ps| ps.iter().any(|p| i.providers.contains(&p.as_str())))
            })
            .map(|i| (position(i), i))
            .collect();
        Ok(paging.respond("institutions", items, |_, i| body(i)))
    })();
    call.finish(&engine, outcome)
}

/// `GET /institutions/{institutionId}`.
pub async fn get(
    State(engine): State<Engine>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    let call = Call::begin(&engine, &headers, version::CONNECTIONS);
    let outcome = (|| {
        call.authenticate(&engine, &headers)?;
        let id = path.map(|p| p.0).unwrap_or_default();
        let i = find(&id).ok_or(MeldError::NotFound("Institution"))?;
        Ok((StatusCode::OK, http::to_bytes(&body(i))))
    })();
    call.finish(&engine, outcome)
}
