//! Accounts and transactions: `GET /users/{id}/accounts[/{id}]` and
//! `GET /users/{id}/transactions[/{id}]`, with Basiq's filters and transaction paging.
//!
//! Transactions are ordered by account, pending first, then newest first. A page's
//! `links.next` carries an opaque cursor holding the position of the last item returned (plus
//! the filter and limit), so paging stays correct while new transactions arrive.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use super::auth::Access;
use super::error::BasiqError;
use super::filter::{self, Op, Statement};
use super::model::{Transaction, User};
use super::{base, on_user, param, params, query_param, wire};
use crate::engine::Engine;
use crate::http;
use crate::scenario::check::valid_date;

/// Fields and operators the accounts list filters on.
const ACCOUNT_FILTERS: &[(&str, &[Op])] = &[
    ("account.id", &[Op::Eq, Op::Ne]),
    ("connection.id", &[Op::Eq, Op::Ne]),
    ("institution.id", &[Op::Eq, Op::Ne]),
];

/// Fields and operators the transactions list filters on.
const TRANSACTION_FILTERS: &[(&str, &[Op])] = &[
    ("account.id", &[Op::Eq]),
    ("connection.id", &[Op::Eq]),
    ("institution.id", &[Op::Eq]),
    ("transaction.status", &[Op::Eq]),
    ("transaction.direction", &[Op::Eq]),
    ("transaction.class", &[Op::Eq]),
    (
        "transaction.postDate",
        &[Op::Eq, Op::Gt, Op::Gteq, Op::Lt, Op::Lteq, Op::Bt],
    ),
];

/// Page size when `limit` is absent, and its maximum.
const MAX_LIMIT: usize = 500;

/// Longest `next` cursor decoded: an issued one holds an account id, two numbers and a filter
/// that fits in a request line.
const MAX_CURSOR_LEN: usize = 16 * 1024;

/// `GET /users/{userId}/accounts` (SERVER).
pub async fn list_accounts(
    State(engine): State<Engine>,
    path: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
    request: Request,
) -> Response {
    let headers = request.headers();
    let user = param(&path);
    on_user(&engine, headers, Access::Server, user, &[], |w, _| {
        let statements = match query_param(query.as_deref(), "filter") {
            Some(text) => {
                filter::parse_allowed(&text, ACCOUNT_FILTERS).ok_or(BasiqError::FilterInvalid)?
            }
            None => Vec::new(),
        };
        let u = w.basiq.user(user).ok_or(BasiqError::UserNotFound)?;
        let base = base(&engine, headers);
        let data: Vec<_> = u
            .accounts
            .iter()
            .filter(|a| {
                statements.iter().all(|s| match s.path.as_str() {
                    "account.id" => s.matches(&a.id),
                    "connection.id" => s.matches(&a.connection),
                    _ => s.matches(&a.institution),
                })
            })
            .map(|a| wire::account(&base, u, a))
            .collect();
        let body = wire::list(format!("{base}/users/{user}/accounts"), data);
        Ok(http::json(StatusCode::OK, http::to_bytes(&body)))
    })
}

/// `GET /users/{userId}/accounts/{accountId}` (SERVER).
pub async fn get_account(
    State(engine): State<Engine>,
    path: Result<Path<(String, String)>, PathRejection>,
    request: Request,
) -> Response {
    let headers = request.headers();
    let (user, account) = params(&path);
    on_user(
        &engine,
        headers,
        Access::Server,
        user,
        &[(account, ("accountId", "Account ID"))],
        |w, _| {
            let u = w.basiq.user(user).ok_or(BasiqError::UserNotFound)?;
            let a = u.account(account).ok_or(BasiqError::ResourceNotFound {
                parameter: "accountId",
            })?;
            let body = wire::account(&base(&engine, headers), u, a);
            Ok(http::json(StatusCode::OK, http::to_bytes(&body)))
        },
    )
}

/// `GET /users/{userId}/transactions/{transactionId}` (SERVER).
pub async fn get_transaction(
    State(engine): State<Engine>,
    path: Result<Path<(String, String)>, PathRejection>,
    request: Request,
) -> Response {
    let headers = request.headers();
    let (user, transaction) = params(&path);
    on_user(
        &engine,
        headers,
        Access::Server,
        user,
        &[(transaction, ("transactionId", "Transaction ID"))],
        |w, _| {
            let u = w.basiq.user(user).ok_or(BasiqError::UserNotFound)?;
            let t = u
                .transaction(transaction)
                .ok_or(BasiqError::ResourceNotFound {
                    parameter: "transactionId",
                })?;
            let base = base(&engine, headers);
            let body = wire::transaction(&base, user, t, w.basiq.enrich);
            Ok(http::json(StatusCode::OK, http::to_bytes(&body)))
        },
    )
}

/// Where a page ends, and the query it belongs to.
#[derive(Serialize, Deserialize)]
struct Cursor {
    /// Account of the last item.
    a: String,
    /// 0 for pending, 1 for posted.
    p: u8,
    /// Date of the last item (seconds).
    d: i64,
    /// Arrival order of the last item.
    s: u64,
    /// The filter of the first page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    f: Option<String>,
    /// The limit of the first page.
    l: usize,
}

impl Cursor {
    fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    /// A cursor sandbank could have issued, or `None`: the text is client input, so every
    /// field is checked before it positions a page (a limit within 1..=500, a known rank, a
    /// date whose negation exists) and an overlong text is refused before it is decoded.
    fn decode(text: &str) -> Option<Cursor> {
        if text.len() > MAX_CURSOR_LEN {
            return None;
        }
        let cursor: Cursor = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(text).ok()?).ok()?;
        let valid = (1..=MAX_LIMIT).contains(&cursor.l)
            && cursor.p <= 1
            && cursor.d.checked_neg().is_some();
        valid.then_some(cursor)
    }
}

/// Whether `text` decodes to a cursor sandbank would follow (an entry point for fuzzing).
#[doc(hidden)]
pub fn cursor_is_valid(text: &str) -> bool {
    Cursor::decode(text).is_some()
}

/// Sort position: account order, pending first, newest first, latest arrival first.
type Position = (usize, u8, i64, u64);

fn position(user: &User, t: &Transaction) -> Position {
    let account = user
        .accounts
        .iter()
        .position(|a| *a.id == *t.account())
        .unwrap_or(usize::MAX);
    (account, rank(t), -date_secs(t), u64::MAX - t.seq)
}

fn rank(t: &Transaction) -> u8 {
    if t.status() == "pending" { 0 } else { 1 }
}

/// The date a transaction is sorted and filtered by: posting date, or for pending ones the
/// date it was made.
fn date_secs(t: &Transaction) -> i64 {
    t.post_date()
        .or(t.transaction_date())
        .map(|d| d.at.timestamp())
        .unwrap_or(0)
}

/// `YYYY-MM-DD` of the date a transaction is sorted by (`0000-00-00` when it has none), on the
/// stack: filters compare it for every transaction of the user.
fn day(t: &Transaction) -> [u8; 10] {
    let mut text = *b"0000-00-00";
    if let Some(d) = t.post_date().or(t.transaction_date()) {
        use chrono::Datelike as _;
        let d = d.at.date_naive();
        let mut put = |at: usize, width: usize, mut n: u32| {
            for i in (at..at + width).rev() {
                text[i] = b'0' + (n % 10) as u8;
                n /= 10;
            }
        };
        put(0, 4, d.year().clamp(0, 9999) as u32);
        put(5, 2, d.month());
        put(8, 2, d.day());
    }
    text
}

fn matches(t: &Transaction, s: &Statement) -> bool {
    match s.path.as_str() {
        "account.id" => s.matches(t.account()),
        "connection.id" => s.matches(t.connection()),
        "institution.id" => s.matches(t.institution()),
        "transaction.status" => s.matches(t.status()),
        "transaction.direction" => s.matches(if t.amount.0 < 0 { "debit" } else { "credit" }),
        "transaction.class" => s.matches(t.class()),
        _ => s.matches(std::str::from_utf8(&day(t)).unwrap_or_default()),
    }
}

fn parse_limit(text: Option<String>) -> Result<Option<usize>, BasiqError> {
    match text {
        None => Ok(None),
        Some(t) => match t.trim().parse::<i64>() {
            Ok(n) if n > MAX_LIMIT as i64 => Err(BasiqError::LimitTooLarge),
            Ok(n) if n >= 1 => Ok(Some(n as usize)),
            _ => Err(BasiqError::LimitInvalid),
        },
    }
}

/// `GET /users/{userId}/transactions` (SERVER): filter, limit, next.
pub async fn list_transactions(
    State(engine): State<Engine>,
    path: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
    request: Request,
) -> Response {
    let headers = request.headers();
    let user = param(&path);
    on_user(&engine, headers, Access::Server, user, &[], |w, _| {
        let query = query.as_deref();
        let cursor = match query_param(query, "next") {
            Some(text) => Some(Cursor::decode(&text).ok_or(BasiqError::NextInvalid)?),
            None => None,
        };
        // A `next` request keeps its first page's filter and limit unless it names new ones.
        let filter_text =
            query_param(query, "filter").or_else(|| cursor.as_ref().and_then(|c| c.f.clone()));
        let limit = parse_limit(query_param(query, "limit"))?
            .or(cursor.as_ref().map(|c| c.l))
            .unwrap_or(MAX_LIMIT);
        let statements = match &filter_text {
            Some(text) => {
                filter::parse_allowed(text, TRANSACTION_FILTERS).ok_or(BasiqError::FilterInvalid)?
            }
            None => Vec::new(),
        };
        for s in statements
            .iter()
            .filter(|s| s.path == "transaction.postDate")
        {
            if !s.args.iter().all(|a| valid_date(a)) {
                return Err(BasiqError::PostDateInvalid);
            }
        }
        let u = w.basiq.user(user).ok_or(BasiqError::UserNotFound)?;
        let after: Option<Position> = match &cursor {
            Some(c) => {
                let account = u
                    .accounts
                    .iter()
                    .position(|a| a.id == c.a)
                    .ok_or(BasiqError::NextInvalid)?;
                Some((account, c.p, -c.d, u64::MAX - c.s))
            }
            None => None,
        };
        let mut items: Vec<(Position, &Transaction)> = u
            .transactions
            .iter()
            .filter(|t| statements.iter().all(|s| matches(t, s)))
            .map(|t| (position(u, t), t))
            .collect();
        items.sort_by_key(|(p, _)| *p);
        let size = items.len();
        let start = match after {
            Some(pos) => items.partition_point(|(p, _)| *p <= pos),
            None => 0,
        };
        let end = start.saturating_add(limit).min(size);
        let base = base(&engine, headers);
        let next = (end < size && end > start).then(|| {
            let last = items[end - 1].1;
            let cursor = Cursor {
                a: last.account().to_string(),
                p: rank(last),
                d: date_secs(last),
                s: last.seq,
                f: filter_text.clone(),
                l: limit,
            };
            format!("{base}/users/{user}/transactions?next={}", cursor.encode())
        });
        let data: Vec<_> = items[start..end]
            .iter()
            .map(|(_, t)| wire::transaction(&base, user, t, w.basiq.enrich))
            .collect();
        let body = wire::transaction_page(
            format!("{base}/users/{user}/transactions"),
            data,
            size,
            next,
        );
        Ok(http::json(StatusCode::OK, http::to_bytes(&body)))
    })
}
