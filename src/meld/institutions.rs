//! Institutions: the ones sandbank's Meld knows without being told (one test institution per
//! provider sandbox, under the names those sandboxes use, then the large US banks and Plaid's
//! other test banks, which Plaid's sandbox reaches with its test logins), and
//! `GET /institutions[/{id}]` (note: not under `/bank-linking`) with the documented filters and
//! key pagination.
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
    /// One of the providers' sandbox test institutions (`isTest`), not a real bank.
    pub is_test: bool,
}

const ALL: &[&str] = model::PRODUCTS;

/// Institution types sandbank knows (Meld does not document the list).
pub const TYPES: &[&str] = &["BANK"];

/// Built-in institutions: each provider's test institution first (the Finicity one carries the
/// id recorded from Meld's sandbox), then well-known banks by popularity.
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
        is_test: true,
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
        is_test: true,
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
        is_test: true,
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
        is_test: true,
    },
    Institution {
        id: "WVUcPR8i7ySkEZSD3y5m2B",
        name: "Chase",
        sub_name: None,
        aliases: &["JPMorgan Chase", "Chase Bank"],
        domain: Some("chase.com"),
        rank: 5,
        providers: &["PLAID"],
        provider_ids: &["ins_56"],
        products: ALL,
        regions: &["US"],
        is_test: false,
    },
    Institution {
        id: "WhzXmJTEjM3kme3jxkWoJ8",
        name: "Bank of America",
        sub_name: None,
        aliases: &["BofA", "BOA"],
        domain: Some("bankofamerica.com"),
        rank: 6,
        providers: &["PLAID"],
        provider_ids: &["ins_127989"],
        products: ALL,
        regions: &["US"],
        is_test: false,
    },
    Institution {
        id: "W8JwBGGx1YF3AeGbiYDe74",
        name: "Wells Fargo",
        sub_name: None,
        aliases: &[],
        domain: Some("wellsfargo.com"),
        rank: 7,
        providers: &["PLAID"],
        provider_ids: &["ins_127991"],
        products: ALL,
        regions: &["US"],
        is_test: false,
    },
    Institution {
        id: "WvBtBMHhYLEzXHrfPk6xnF",
        name: "Citibank",
        sub_name: None,
        aliases: &["Citi"],
        domain: Some("citi.com"),
        rank: 8,
        providers: &["PLAID"],
        provider_ids: &["ins_5"],
        products: ALL,
        regions: &["US"],
        is_test: false,
    },
    Institution {
        id: "WrkexP3AdKcisHzJPixkGV",
        name: "U.S. Bank",
        sub_name: None,
        aliases: &["US Bank", "USBank"],
        domain: Some("usbank.com"),
        rank: 9,
        providers: &["PLAID"],
        provider_ids: &["ins_127990"],
        products: ALL,
        regions: &["US"],
        is_test: false,
    },
    Institution {
        id: "WhU4ouzkuZup6pCfuqWyxS",
        name: "Capital One",
        sub_name: None,
        aliases: &[],
        domain: Some("capitalone.com"),
        rank: 10,
        providers: &["PLAID"],
        provider_ids: &["ins_128026"],
        products: ALL,
        regions: &["US"],
        is_test: false,
    },
    Institution {
        id: "WQTuqmiuxXNj7Y8uU5XpNm",
        name: "First Gingham Credit Union",
        sub_name: None,
        aliases: &[],
        domain: None,
        rank: 11,
        providers: &["PLAID"],
        provider_ids: &["ins_109509"],
        products: ALL,
        regions: &["US"],
        is_test: true,
    },
    Institution {
        id: "WAtm9dDSYU9jh3Es1Yvudf",
        name: "Tattersall Federal Credit Union",
        sub_name: None,
        aliases: &[],
        domain: None,
        rank: 12,
        providers: &["PLAID"],
        provider_ids: &["ins_109510"],
        products: ALL,
        regions: &["US"],
        is_test: true,
    },
    Institution {
        id: "WxP5c2bCRCDWKYMV4iaA5c",
        name: "Tartan Bank",
        sub_name: None,
        aliases: &[],
        domain: None,
        rank: 13,
        providers: &["PLAID"],
        provider_ids: &["ins_109511"],
        products: ALL,
        regions: &["US"],
        is_test: true,
    },
    Institution {
        id: "W4UrG8K7tDQkLsoWPsGSJG",
        name: "Houndstooth Bank",
        sub_name: None,
        aliases: &[],
        domain: None,
        rank: 14,
        providers: &["PLAID"],
        provider_ids: &["ins_109512"],
        products: ALL,
        regions: &["US"],
        is_test: true,
    },
];

/// How many of [`BUILT_IN`], from the first, are the providers' own test institutions (one per
/// provider).
pub const PROVIDER_TESTS: usize = 4;

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
        "isTest": i.is_test,
        // sandbank has no logos to link.
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
