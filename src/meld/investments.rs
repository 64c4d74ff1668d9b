//! Investment holdings and investment transactions:
//! `GET /bank-linking/investments/holdings[/{id}]` and
//! `GET /bank-linking/investments/transactions[/{id}]`.
//!
//! Holdings are readable while a live connection of their account has `INVESTMENT_HOLDINGS`,
//! investment transactions while one has `INVESTMENT_TRANSACTIONS`. Holdings list by account,
//! then symbol; investment transactions by account, then newest first. Quantities are written
//! with three decimals, money with two.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use super::data::{Scope, account_prefix, amount, has_product, linked, number, provider, within};
use super::error::MeldError;
use super::model::{Account, Holding, InvestmentTransaction};
use super::page::{Kind, Paging};
use super::portfolio::QUANTITY_SCALE;
use super::{Call, date_param, enum_list, path_id, query_pairs, version};
use crate::engine::Engine;
use crate::http;

/// Page size default and maximum of both lists.
const LIMITS: (usize, usize) = (100, 1000);

fn quantity(thousandths: i64) -> Value {
    let sign = if thousandths < 0 { "-" } else { "" };
    let abs = thousandths.unsigned_abs();
    let scale = QUANTITY_SCALE.unsigned_abs();
    number(&format!("{sign}{}.{:03}", abs / scale, abs % scale))
}

fn holding_position(account: &Account, h: &Holding) -> Vec<u8> {
    // Symbols ascending in a list sorted descending: padded, then every byte inverted.
    let mut symbol = [0u8; 16];
    let text = h.symbol.as_deref().unwrap_or("\u{7f}");
    for (slot, b) in symbol.iter_mut().zip(text.bytes()) {
        *slot = b;
    }
    let mut pos = account_prefix(account, &h.financial_account_id);
    pos.extend(symbol.iter().map(|b| !b));
    pos.extend(h.id.bytes());
    pos
}

fn transaction_position(account: &Account, t: &InvestmentTransaction) -> Vec<u8> {
    let mut pos = account_prefix(account, &t.financial_account_id);
    pos.extend(super::page::position(
        t.transaction_date.at.timestamp_millis(),
        &t.id,
    ));
    pos
}

fn visible(account: &Account, connection_ids: &[String], product: &str) -> bool {
    linked(account, connection_ids) && has_product(account, connection_ids, product)
}

fn external_id(account: &Account, customer_id: &str) -> Option<String> {
    account.customer(customer_id).map(|c| c.external_id.clone())
}

fn holding_body(account: &Account, h: &Holding) -> Value {
    json!({
        "id": h.id,
        "key": super::page::key(Kind::Holding, &holding_position(account, h)),
        "accountId": account.id,
        "customerId": h.customer_id,
        "externalCustomerId": external_id(account, &h.customer_id),
        "financialAccountId": h.financial_account_id,
        "connectionIds": h.connection_ids,
        "symbol": h.symbol,
        "description": h.description,
        "type": h.kind,
        "quantity": quantity(h.quantity),
        "closePrice": amount(h.close_price),
        "currentValue": h.current_value.map(amount),
        "costBasis": h.cost_basis.map(amount),
        "currency": h.currency,
        "cusip": h.cusip,
        "isin": h.isin,
        "updatedAt": h.updated_at.to_string(),
        "serviceProviderDetails": [{
            "serviceProvider": provider(account, &h.connection_ids),
            "updatedAt": h.updated_at.to_string(),
        }],
    })
}

fn transaction_body(account: &Account, t: &InvestmentTransaction) -> Value {
    json!({
        "id": t.id,
        "key": super::page::key(Kind::InvestmentTransaction, &transaction_position(account, t)),
        "accountId": account.id,
        "customerId": t.customer_id,
        "externalCustomerId": external_id(account, &t.customer_id),
        "financialAccountId": t.financial_account_id,
        "connectionIds": t.connection_ids,
        "type": t.kind,
        "status": t.status,
        "amount": amount(t.amount),
        "currency": t.currency,
        "description": t.description,
        "symbol": t.symbol,
        "quantity": quantity(t.quantity),
        "costBasis": t.cost_basis.map(amount),
        "cashBalance": t.cash_balance.map(amount),
        "transactionDate": t.transaction_date.to_string(),
        "postedDate": t.posted_date.map(|d| d.to_string()),
        "serviceProviderDetails": [{
            "serviceProvider": provider(account, &t.connection_ids),
            "updatedAt": t.posted_date.unwrap_or(t.transaction_date).to_string(),
        }],
    })
}

/// `GET /bank-linking/investments/holdings`: `customerId` or `externalCustomerId`,
/// `financialAccountId`, `connectionId`; paging (100, max 1000).
pub async fn search_holdings(
    State(engine): State<Engine>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let call = Call::begin(&engine, &headers, version::TRANSACTIONS);
    let outcome = (|| {
        call.authenticate(&engine, &headers)?;
        let pairs = query_pairs(query.as_deref());
        let mut errors = Vec::new();
        let scope = Scope::from_query(&pairs, true, &mut errors);
        let paging = Paging::from_query(Kind::Holding, &pairs, LIMITS, &mut errors);
        if !errors.is_empty() {
            return Err(MeldError::BadRequest(errors));
        }
        engine.with_world(|w| {
            let a = &w.meld;
            let items: Vec<(Vec<u8>, &Holding)> = a
                .holdings
                .iter()
                .filter(|h| visible(a, &h.connection_ids, "INVESTMENT_HOLDINGS"))
                .filter(|h| {
                    scope.admits(
                        a,
                        &h.customer_id,
                        &h.financial_account_id,
                        &h.connection_ids,
                    )
                })
                .map(|h| (holding_position(a, h), h))
                .collect();
            Ok(paging.respond("investmentHoldings", items, |_, h| holding_body(a, h)))
        })
    })();
    call.finish(&engine, outcome)
}

/// `GET /bank-linking/investments/holdings/{investmentHoldingId}`.
pub async fn get_holding(
    State(engine): State<Engine>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    let call = Call::begin(&engine, &headers, version::TRANSACTIONS);
    let outcome = (|| {
        call.authenticate(&engine, &headers)?;
        let id = path_id(path);
        engine.with_world(|w| {
            let a = &w.meld;
            let h = a
                .holdings
                .iter()
                .find(|h| h.id == id && visible(a, &h.connection_ids, "INVESTMENT_HOLDINGS"))
                .ok_or(MeldError::NotFound("Investment holding"))?;
            Ok((StatusCode::OK, http::to_bytes(&holding_body(a, h))))
        })
    })();
    call.finish(&engine, outcome)
}

/// `GET /bank-linking/investments/transactions`: owner filters as holdings, `statuses`
/// (`PENDING,POSTED`), `startDate`/`endDate` on `transactionDate`; paging (100, max 1000).
pub async fn search_transactions(
    State(engine): State<Engine>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let call = Call::begin(&engine, &headers, version::TRANSACTIONS);
    let outcome = (|| {
        call.authenticate(&engine, &headers)?;
        let pairs = query_pairs(query.as_deref());
        let mut errors = Vec::new();
        let scope = Scope::from_query(&pairs, true, &mut errors);
        let statuses = enum_list(&pairs, "statuses", &["PENDING", "POSTED"], &mut errors);
        let start = date_param(&pairs, "startDate", &mut errors);
        let end = date_param(&pairs, "endDate", &mut errors);
        let paging = Paging::from_query(Kind::InvestmentTransaction, &pairs, LIMITS, &mut errors);
        if !errors.is_empty() {
            return Err(MeldError::BadRequest(errors));
        }
        engine.with_world(|w| {
            let a = &w.meld;
            let items: Vec<(Vec<u8>, &InvestmentTransaction)> = a
                .investment_transactions
                .iter()
                .filter(|t| visible(a, &t.connection_ids, "INVESTMENT_TRANSACTIONS"))
                .filter(|t| {
                    scope.admits(
                        a,
                        &t.customer_id,
                        &t.financial_account_id,
                        &t.connection_ids,
                    )
                })
                .filter(|t| statuses.as_ref().is_none_or(|s| s.contains(&t.status)))
                .filter(|t| within(t.transaction_date.at, start.as_ref(), end.as_ref()))
                .map(|t| (transaction_position(a, t), t))
                .collect();
            Ok(paging.respond("investmentTransactions", items, |_, t| {
                transaction_body(a, t)
            }))
        })
    })();
    call.finish(&engine, outcome)
}

/// `GET /bank-linking/investments/transactions/{investmentTransactionId}`.
pub async fn get_transaction(
    State(engine): State<Engine>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    let call = Call::begin(&engine, &headers, version::TRANSACTIONS);
    let outcome = (|| {
        call.authenticate(&engine, &headers)?;
        let id = path_id(path);
        engine.with_world(|w| {
            let a = &w.meld;
            let t = a
                .investment_transactions
                .iter()
                .find(|t| t.id == id && visible(a, &t.connection_ids, "INVESTMENT_TRANSACTIONS"))
                .ok_or(MeldError::NotFound("Investment transaction"))?;
            Ok((StatusCode::OK, http::to_bytes(&transaction_body(a, t))))
        })
    })();
    call.finish(&engine, outcome)
}
