//! `POST /bank-linking/connections/import`: connections a customer already made directly
//! with Plaid or Akoya, brought under Meld.
//!
//! Body `{"connections": [{"serviceProvider", "accessToken", "externalCustomerId",
//! "institutionId"?, "products"?}]}`. Each item becomes a connection of the customer with that
//! external id (created if new) that completes at once, as a widget completion would: `ACTIVE`,
//! `CONNECTION_COMPLETED` and `STATUS_CHANGE`, then the usual aggregation and its webhooks. The
//! answer is `202 {"requestId"}`.
//!
//! The providers' sandboxes decide which tokens are good: Plaid's sandbox access tokens start
//! with `access-sandbox-`; an Akoya token starting with `invalid` is refused. A refused token
//! answers the provider's `401` and nothing is imported.

use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use bytes::Bytes;
use serde_json::json;

use super::error::MeldError;
use super::institutions;
use super::lifecycle::{self, Completion};
use super::model::{self, Connection};
use super::{Call, body, version};
use crate::engine::Engine;
use crate::http;

/// Providers whose connections can be imported.
const IMPORTABLE: &[&str] = &["PLAID", "AKOYA"];

/// One connection to import, checked.
struct Item {
    provider: String,
    external: String,
    institution: &'static institutions::Institution,
    products: Vec<String>,
    token: String,
}

/// The sandbox login whose accounts an imported token brings.
fn login(provider: &str) -> &'static str {
    match provider {
        "AKOYA" => "mikomo_1",
        _ => "user_good",
    }
}

/// Whether the provider accepts `token`.
fn accepted(provider: &str, token: &str) -> bool {
    match provider {
        "PLAID" => token.starts_with("access-sandbox-"),
        _ => !token.starts_with("invalid"),
    }
}

fn read(f: &mut body::Fields) -> Vec<Item> {
    let mut items = Vec::new();
    let list = f.objects("connections").unwrap_or_default();
    if list.is_empty() && !f.errors.iter().any(|e| e.starts_with("[connections")) {
        f.errors
            .push("[connections] must contain at least one connection".to_owned());
    }
    for (i, mut item) in list.into_iter().enumerate() {
        let provider = item.choice("serviceProvider", true, model::SERVICE_PROVIDERS);
        let token = item.string("accessToken", true);
        let external = item.string("externalCustomerId", true);
        let institution = item.string("institutionId", false);
        let products = item.strings("products", Some(model::PRODUCTS));
        f.absorb(&mut item);
        let Some(provider) = provider else { continue };
        if !IMPORTABLE.contains(&provider.as_str()) {
            f.errors.push(format!(
                "[connections[{i}].serviceProvider] only {} connections can be imported",
                IMPORTABLE.join(" and ")
            ));
            continue;
        }
        let found = match &institution {
            Some(id) => institutions::find(id),
            None => institutions::BUILT_IN
                .iter()
                .find(|b| b.providers.contains(&provider.as_str())),
        };
        let Some(found) = found.filter(|b| b.providers.contains(&provider.as_str())) else {
            f.errors.push(format!(
                "[connections[{i}].institutionId] `{}` is not an institution {provider} serves",
                institution.unwrap_or_default()
            ));
            continue;
        };
        if let (Some(token), Some(external)) = (token, external) {
            items.push(Item {
                provider,
                external,
                institution: found,
                products: products
                    .filter(|p| !p.is_empty())
                    .unwrap_or_else(|| vec!["BALANCES".to_owned(), "TRANSACTIONS".to_owned()]),
                token,
            });
        }
    }
    items
}

/// The handler.
pub async fn import(
    State(engine): State<Engine>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let call = Call::begin(&engine, &headers, version::CONNECTIONS);
    let outcome = (|| {
        call.authenticate(&engine, &headers)?;
        let mut f = body::read(&headers, body, false)?;
        let items = read(&mut f);
        f.finish()?;
        if let Some(bad) = items.iter().find(|i| !accepted(&i.provider, &i.token)) {
            return Err(MeldError::ProviderUnauthorized(format!(
                "{} refused the access token",
                bad.provider
            )));
        }
        engine.with_world_at(|w, now| {
            let seed = w.seed;
            for item in items {
                let customer = lifecycle::customer_for(&mut w.meld, &item.external, now, || {
                    engine.next_base58()
                });
                let id = engine.next_base58();
                w.meld.connections.push(Connection::started(
                    id.clone(),
                    customer,
                    Some((item.institution.id, item.institution.name)),
                    &item.provider,
                    (item.products, Vec::new(), vec!["US".to_owned()]),
                    now,
                ));
                lifecycle::complete(
                    &mut w.meld,
                    seed,
                    now,
                    &id,
                    Completion {
                        institution_id: item.institution.id,
                        institution_name: item.institution.name,
                        service_provider: &item.provider,
                        login: login(&item.provider),
                    },
                );
            }
            w.changed();
            let out = json!({ "requestId": call.request_id });
            Ok((StatusCode::ACCEPTED, http::to_bytes(&out)))
        })
    })();
    call.finish(&engine, outcome)
}
