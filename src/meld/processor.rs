//! `POST /bank-linking/accounts/{financialAccountId}/processors/create-token`: a token a
//! payment processor uses to reach the account through its provider.
//!
//! Only Plaid and MX issue processor tokens; an account reached through another provider gets
//! `400 NOT_SUPPORTED`. `serviceProvider` picks the provider when the account is linked through
//! more than one. Tokens never expire, so nothing is kept.

use axum::extract::rejection::BytesRejection;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use bytes::Bytes;
use serde_json::json;

use super::error::MeldError;
use super::{Call, body, lifecycle, model, path_id, version};
use crate::engine::Engine;
use crate::http;

/// Providers that issue processor tokens.
const ISSUERS: &[&str] = &["PLAID", "MX"];

/// The handler.
pub async fn create_token(
    State(engine): State<Engine>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let call = Call::begin(&engine, &headers, version::ACCOUNTS);
    let outcome = (|| {
        call.authenticate(&engine, &headers)?;
        let mut f = body::read(&headers, body, false)?;
        let processor = f.choice("processor", true, model::PROCESSORS);
        let asked = f.choice("serviceProvider", false, model::SERVICE_PROVIDERS);
        f.finish()?;
        let id = path_id(path);
        let provider = engine.with_world(|w| {
            let a = &w.meld;
            let fa = a
                .financial_accounts
                .iter()
                .find(|f| f.id == id)
                .ok_or(MeldError::NotFound("Financial account"))?;
            let mut providers: Vec<&str> = fa
                .connection_ids
                .iter()
                .filter_map(|c| a.connection(c))
                .filter(|c| !lifecycle::is_final(&c.status))
                .map(|c| c.service_provider.as_str())
                .collect();
            providers.sort_unstable();
            providers.dedup();
            let provider = match (asked.as_deref(), providers.as_slice()) {
                (_, []) => {
                    return Err(MeldError::Conflict(
                        "The financial account has no live connection".to_owned(),
                    ));
                }
                (Some(p), list) if !list.contains(&p) => {
                    return Err(MeldError::BadRequest(vec![format!(
                        "[serviceProvider] `{p}` does not serve this financial account"
                    )]));
                }
                (Some(p), _) => p.to_owned(),
                (None, [only]) => (*only).to_owned(),
                (None, _) => {
                    return Err(MeldError::BadRequest(vec![
                        "[serviceProvider] must not be blank when the financial account is reached through more than one service provider"
                            .to_owned(),
                    ]));
                }
            };
            if !ISSUERS.contains(&provider.as_str()) {
                return Err(MeldError::NotSupported(format!(
                    "{provider} does not issue processor tokens; only {} do",
                    ISSUERS.join(" and ")
                )));
            }
            Ok(provider)
        })?;
        // Plaid's sandbox processor tokens are `processor-sandbox-<uuid>`; MX's are opaque.
        let token = match provider.as_str() {
            "PLAID" => format!("processor-sandbox-{}", engine.next_uuid()),
            _ => engine.next_hex(),
        };
        let out = json!({ "processor": processor, "serviceProvider": provider, "token": token });
        Ok((StatusCode::OK, http::to_bytes(&out)))
    })();
    call.finish(&engine, outcome)
}
