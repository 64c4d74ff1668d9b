//! Financial accounts and their transactions: `GET /bank-linking/accounts[/{id}]` and
//! `GET /bank-linking/transactions[/{id}]`, with search filters and key pagination.
//!
//! Money is written as a JSON number with exactly two decimals (`11001.00`), as Meld does.
//! `balances`, `identifiers` and `owners` appear only when the connection has the product;
//! accounts answered at a version before 2023-12-19 carry a single `connectionId`.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use super::error::MeldError;
use super::model::{Account, FinancialAccount, Transaction};
use super::page::{Kind, Paging};
use super::{Call, date_param, enum_list, model, param, query_pairs, version};
use crate::engine::Engine;
use crate::generate;
use crate::http;
use crate::ids::rng_for;
use crate::value::Money;

/// Money as a fixed-scale JSON number. serde_json keeps a number's text as written
/// (`arbitrary_precision`), so `11001.00` stays `11001.00` on the wire.
pub(crate) fn amount(m: Money) -> Value {
    number(&m.to_string())
}

/// A JSON number written exactly as `text`.
pub(crate) fn number(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or(Value::Null)
}

/// Whether any of these connections has `product`.
pub(crate) fn has_product(account: &Account, connection_ids: &[String], product: &str) -> bool {
    connection_ids
        .iter()
        .filter_map(|id| account.connection(id))
        .any(|c| {
            c.products
                .iter()
                .chain(&c.optional_products)
                .any(|p| p == product)
        })
}

fn has(account: &Account, fa: &FinancialAccount, product: &str) -> bool {
    has_product(account, &fa.connection_ids, product)
}

/// Whether any of these connections is still live (not deleted).
pub(crate) fn linked(account: &Account, connection_ids: &[String]) -> bool {
    connection_ids.iter().any(|id| {
        account
            .connection(id)
            .is_some_and(|c| c.status != "DELETED")
    })
}

/// The provider data comes through: the first linked connection's.
pub(crate) fn provider(account: &Account, connection_ids: &[String]) -> String {
    connection_ids
        .first()
        .and_then(|id| account.connection(id))
        .map(|c| c.service_provider.clone())
        .unwrap_or_else(|| "PLAID".to_owned())
}

/// The owner filters of a search: customer (or external customer), account and connection.
pub(crate) struct Scope<'q> {
    customer: Option<&'q str>,
    external: Option<&'q str>,
    account: Option<&'q str>,
    connection: Option<&'q str>,
}

impl<'q> Scope<'q> {
    /// Reads the filters; with `exclusive`, `customerId` and `externalCustomerId` together are
    /// an error, otherwise `customerId` wins.
    pub(crate) fn from_query(
        pairs: &'q [(String, String)],
        exclusive: bool,
        errors: &mut Vec<String>,
    ) -> Scope<'q> {
        let customer = param(pairs, "customerId");
        let mut external = param(pairs, "externalCustomerId");
        if customer.is_some() && external.is_some() {
            if exclusive {
                errors
                    .push("[customerId] must not be combined with [externalCustomerId]".to_owned());
            }
            external = None;
        }
        Scope {
            customer,
            external,
            account: param(pairs, "financialAccountId"),
            connection: param(pairs, "connectionId"),
        }
    }

    /// The same filters without `financialAccountId`.
    pub(crate) fn without_account(self) -> Scope<'q> {
        Scope {
            account: None,
            ..self
        }
    }

    /// Whether an item of this customer, account and connections passes the filters.
    pub(crate) fn admits(
        &self,
        a: &Account,
        customer_id: &str,
        account_id: &str,
        connection_ids: &[String],
    ) -> bool {
        self.customer.is_none_or(|c| customer_id == c)
            && self
                .external
                .is_none_or(|e| a.customer(customer_id).is_some_and(|c| c.external_id == e))
            && self.account.is_none_or(|f| account_id == f)
            && self
                .connection
                .is_none_or(|c| connection_ids.iter().any(|x| x == c))
    }
}

/// Whether the day of `at` lies within the optional inclusive `yyyy-mm-dd` bounds.
pub(crate) fn within(
    at: chrono::DateTime<chrono::Utc>,
    start: Option<&String>,
    end: Option<&String>,
) -> bool {
    let day = at.format("%Y-%m-%d").to_string();
    start.is_none_or(|s| day >= *s) && end.is_none_or(|e| day <= *e)
}

/// An account's position: creation order, oldest first.
fn account_position(fa: &FinancialAccount) -> Vec<u8> {
    super::page::position(-fa.created_at.at.timestamp_millis(), &fa.id)
}

fn account_body(
    seed: u64,
    account: &Account,
    fa: &FinancialAccount,
    version: &str,
    listed: bool,
) -> Value {
    let key = super::page::key(Kind::Account, &account_position(fa));
    let external = account
        .customer(&fa.customer_id)
        .map(|c| c.external_id.clone());
    let current = version >= version::CONNECTION_IDS_FROM;
    let mut rng = rng_for(seed, &format!("account details {}", fa.id));
    let number = format!(
        "{}{}",
        generate::digits(&mut rng, 6),
        fa.truncated_account_number
    );
    let routing = format!("0{}", generate::digits(&mut rng, 8));
    let mut body =
        json!({ "key": key, "id": fa.id, "accountId": account.id, "customerId": fa.customer_id });
    // The older single-account form left these empty on GET by id.
    body["externalCustomerId"] = if current || listed {
        json!(external)
    } else {
        Value::Null
    };
    body["institutionId"] = json!(fa.institution_id);
    body["institutionName"] = json!(fa.institution_name);
    if current {
        body["connectionIds"] = json!(fa.connection_ids);
    } else {
        body["connectionId"] = if listed {
            json!(fa.connection_ids.first())
        } else {
            Value::Null
        };
    }
    body["status"] = json!(fa.status);
    body["type"] = json!(fa.kind);
    body["subtype"] = json!(fa.subtype);
    body["name"] = json!(fa.name);
    body["truncatedAccountNumber"] = json!(fa.truncated_account_number);
    if current {
        body["historicalAggregationSucceeded"] = json!(has(account, fa, "TRANSACTIONS"));
    }
    body["identifiers"] = if has(account, fa, "IDENTIFIERS") && fa.kind == "DEPOSITORY" {
        json!({ "ach": { "accountNumber": number, "routingNumber": routing }, "eft": null, "international": null, "bacs": null })
    } else {
        json!({ "ach": null, "eft": null, "international": null, "bacs": null })
    };
    body["balances"] = if has(account, fa, "BALANCES") {
        json!({
            "currency": fa.balances.currency,
            "currentAmount": amount(fa.balances.current_amount),
            "availableAmount": fa.balances.available_amount.map(amount),
            "updatedAt": fa.balances.updated_at.to_string(),
        })
    } else {
        Value::Null
    };
    body["owners"] = if has(account, fa, "OWNERS") {
        owners(account, fa, &mut rng)
    } else {
        Value::Null
    };
    let provider = provider(account, &fa.connection_ids);
    body["serviceProviderDetails"] =
        json!([{ "serviceProvider": provider, "updatedAt": fa.balances.updated_at.to_string() }]);
    body
}

/// A transaction's pagination key (what `oldestTransactionUpdatedSearchKey` names).
pub(crate) fn transaction_key(account: &Account, t: &Transaction) -> String {
    super::page::key(Kind::Transaction, &transaction_position(account, t))
}

/// Position of an account among the accounts (creation order): the prefix of the positions
/// of everything listed per account.
pub(crate) fn account_prefix(account: &Account, fa_id: &str) -> Vec<u8> {
    let created = account
        .financial_accounts
        .iter()
        .find(|a| a.id == fa_id)
        .map(|a| a.created_at.at.timestamp_millis())
        .unwrap_or(0);
    super::page::position(-created, fa_id)
}

fn transaction_position(account: &Account, t: &Transaction) -> Vec<u8> {
    // By account (creation order), then newest first, then id.
    let mut pos = account_prefix(account, &t.financial_account_id);
    pos.extend(super::page::position(
        t.transaction_date.at.timestamp_millis(),
        &t.id,
    ));
    pos
}

/// The holders of an account: as the provider reported them, else the customer.
fn owners(account: &Account, fa: &FinancialAccount, rng: &mut impl rand::Rng) -> Value {
    let (names, address, email, phone) = match (&fa.owner, account.customer(&fa.customer_id)) {
        (Some(o), _) => (
            o.names.clone(),
            o.address.clone(),
            o.email.clone(),
            o.phone.clone(),
        ),
        (None, Some(c)) => {
            let name = [c.first_name.as_deref(), c.last_name.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ")
                .to_uppercase();
            (
                vec![name],
                generate::us_address(rng),
                c.email.clone(),
                c.phone.clone(),
            )
        }
        (None, None) => return Value::Null,
    };
    json!([{
        "addresses": [{ "data": { "street": null, "city": null, "region": null, "postalCode": null, "country": null, "full": address }, "primary": "UNKNOWN" }],
        "emails": email.map(|e| json!([{ "data": e, "primary": true, "type": "PERSONAL" }])),
        "names": names,
        "phoneNumbers": phone.map(|p| json!([{ "data": p, "primary": true, "type": "MOBILE" }])),
    }])
}

/// A transaction's `recurringStatus`. Only Plaid and MX tell (Meld's reference: every other
/// provider gives `UNKNOWN`); there what is paid or received on a schedule — salaries and
/// interest, bills, rent, subscriptions, loan repayments — is `RECURRING`, the rest
/// `NOT_RECURRING`.
fn recurring_status(provider: &str, category: &str) -> &'static str {
    if !matches!(provider, "PLAID" | "MX") {
        return "UNKNOWN";
    }
    match category {
        "INCOME" | "BILLS" | "HOME" | "ENTERTAINMENT" | "LOAN" => "RECURRING",
        _ => "NOT_RECURRING",
    }
}

fn transaction_body(account: &Account, t: &Transaction) -> Value {
    let key = super::page::key(Kind::Transaction, &transaction_position(account, t));
    let external = account
        .customer(&t.customer_id)
        .map(|c| c.external_id.clone());
    let provider = provider(account, &t.connection_ids);
    json!({
        "id": t.id,
        "key": key,
        "accountId": account.id,
        "customerId": t.customer_id,
        "externalCustomerId": external,
        "financialAccountId": t.financial_account_id,
        "connectionIds": t.connection_ids,
        "amount": amount(t.amount),
        "currency": t.currency,
        "description": t.description,
        "status": t.status,
        "category": t.category,
        "recurringStatus": recurring_status(&provider, &t.category),
        "transactionDate": t.transaction_date.to_string(),
        "postedDate": t.posted_date.map(|d| d.to_string()),
        "serviceProviderDetails": [{ "serviceProvider": provider, "updatedAt": t.posted_date.unwrap_or(t.transaction_date).to_string() }],
    })
}

/// `GET /bank-linking/accounts`: `customerId` or `externalCustomerId`, `institutionId`,
/// `connectionId`; `before`/`after`/`limit` (10, max 100).
pub async fn search_accounts(
    State(engine): State<Engine>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let call = Call::begin(&engine, &headers, version::ACCOUNTS);
    let outcome = (|| {
        call.authenticate(&engine, &headers)?;
        let pairs = query_pairs(query.as_deref());
        let mut errors = Vec::new();
        // Accounts are searched by owner and connection, not by their own id.
        let scope = Scope::from_query(&pairs, true, &mut errors).without_account();
        let paging = Paging::from_query(Kind::Account, &pairs, (10, 100), &mut errors);
        if !errors.is_empty() {
            return Err(MeldError::BadRequest(errors));
        }
        let institution = param(&pairs, "institutionId");
        engine.with_world(|w| {
            let a = &w.meld;
            let items: Vec<(Vec<u8>, &FinancialAccount)> = a
                .financial_accounts
                .iter()
                .filter(|f| scope.admits(a, &f.customer_id, &f.id, &f.connection_ids))
                .filter(|f| institution.is_none_or(|i| f.institution_id.as_deref() == Some(i)))
                .filter(|f| linked(a, &f.connection_ids))
                .map(|f| (account_position(f), f))
                .collect();
            Ok(paging.respond("financialAccounts", items, |_, f| {
                account_body(w.seed, a, f, call.version, true)
            }))
        })
    })();
    call.finish(&engine, outcome)
}

/// `GET /bank-linking/accounts/{financialAccountId}`.
pub async fn get_account(
    State(engine): State<Engine>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    let call = Call::begin(&engine, &headers, version::ACCOUNTS);
    let outcome = (|| {
        call.authenticate(&engine, &headers)?;
        let id = path.as_ref().map(|p| p.0.as_str()).unwrap_or("");
        engine.with_world(|w| {
            let a = &w.meld;
            let fa = a
                .financial_accounts
                .iter()
                .find(|f| f.id == id)
                .ok_or(MeldError::NotFound("Financial account"))?;
            Ok((
                StatusCode::OK,
                http::to_bytes(&account_body(w.seed, a, fa, call.version, false)),
            ))
        })
    })();
    call.finish(&engine, outcome)
}

/// `GET /bank-linking/transactions`: customer (id wins over external id), account, connection,
/// `status`, `category`, `startDate`/`endDate` on `transactionDate`; paging (100, max 1000).
/// Only transactions of connections with the `TRANSACTIONS` product are listed.
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
        let statuses = enum_list(&pairs, "status", &["PENDING", "POSTED"], &mut errors);
        let categories = enum_list(&pairs, "category", model::CATEGORIES, &mut errors);
        let start = date_param(&pairs, "startDate", &mut errors);
        let end = date_param(&pairs, "endDate", &mut errors);
        let scope = Scope::from_query(&pairs, false, &mut errors);
        let paging = Paging::from_query(Kind::Transaction, &pairs, (100, 1000), &mut errors);
        if !errors.is_empty() {
            return Err(MeldError::BadRequest(errors));
        }
        engine.with_world(|w| {
            let a = &w.meld;
            let items: Vec<(Vec<u8>, &Transaction)> = a
                .transactions
                .iter()
                .filter(|t| {
                    scope.admits(
                        a,
                        &t.customer_id,
                        &t.financial_account_id,
                        &t.connection_ids,
                    )
                })
                .filter(|t| has_product(a, &t.connection_ids, "TRANSACTIONS"))
                .filter(|t| statuses.as_ref().is_none_or(|s| s.contains(&t.status)))
                .filter(|t| categories.as_ref().is_none_or(|s| s.contains(&t.category)))
                .filter(|t| within(t.transaction_date.at, start.as_ref(), end.as_ref()))
                .map(|t| (transaction_position(a, t), t))
                .collect();
            Ok(
                paging.respond("financialAccountTransactions", items, |_, t| {
                    transaction_body(a, t)
                }),
            )
        })
    })();
    call.finish(&engine, outcome)
}

/// `GET /bank-linking/transactions/{transactionId}` (404 unless a connection of its account has
/// the `TRANSACTIONS` product).
pub async fn get_transaction(
    State(engine): State<Engine>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    let call = Call::begin(&engine, &headers, version::TRANSACTIONS);
    let outcome = (|| {
        call.authenticate(&engine, &headers)?;
        let id = path.as_ref().map(|p| p.0.as_str()).unwrap_or("");
        engine.with_world(|w| {
            let a = &w.meld;
            let t = a
                .transactions
                .iter()
                .find(|t| t.id == id)
                .filter(|t| has_product(a, &t.connection_ids, "TRANSACTIONS"))
                .ok_or(MeldError::NotFound("Transaction"))?;
            Ok((StatusCode::OK, http::to_bytes(&transaction_body(a, t))))
        })
    })();
    call.finish(&engine, outcome)
}
