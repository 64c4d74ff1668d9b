//! Statement uploads: `POST /users/{userId}/statements` (`multipart/form-data` with
//! `institutionId` and the `statement` file) → 202 and a job whose steps read the file
//! (`verify-credentials`), then add what it holds to the user (`retrieve-accounts`,
//! `retrieve-transactions`).
//!
//! A CSV whose header row names `date`, `description` and `amount` (`balance` optional; dates
//! `YYYY-MM-DD` or `DD/MM/YYYY`) becomes one account with exactly those transactions; a PDF
//! becomes one transaction account with 90 days of generated history. An empty file, a CSV that
//! lacks a column or has an unreadable value, and anything else fail the job's first step with
//! the statement codes Basiq documents. The sandbox banks take no statements (400
//! `institution-not-supported`), as at Basiq.

use std::borrow::Cow;

use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use bytes::Bytes;
use chrono::{DateTime, NaiveDate, Utc};

use super::auth::Access;
use super::error::BasiqError;
use super::jobs::{Job, job_ref};
use super::model::{Connection, Profile};
use super::personas::Failure;
use super::scenario::{BasiqAccountSpec, BasiqClassSpec, BasiqTransactionSpec};
use super::{base, on_user, param};
use crate::engine::Engine;
use crate::http;
use crate::scenario::check::valid_id;
use crate::value::{Money, Timestamp};

const NOT_VALID: &str = "Statement is not valid.";
/// The most rows a CSV statement may hold.
const MAX_ROWS: usize = 100_000;

const EMPTY_FILE: Failure = statement_failure(
    "empty-file",
    "Empty file.",
    "The uploaded statement is empty.",
);
const MISSING_FIELD: Failure = statement_failure(
    "missing-required-field",
    "Missing required field.",
    "The CSV header must name the columns date, description and amount.",
);
const INVALID_VALUE: Failure = statement_failure(
    "invalid-field-value",
    "Invalid field value.",
    "A row holds a date or an amount that cannot be read.",
);
const TOO_MANY_ROWS: Failure = statement_failure(
    "row-count-exceeded",
    "Row count exceeded.",
    "The CSV holds more rows than a statement may.",
);
const NOT_SUPPORTED: Failure = statement_failure(
    "bank-statement-not-supported",
    "Statement not supported.",
    "Statement is not currently supported for this institution - check statement uploaded against correct bank.",
);

const fn statement_failure(
    code: &'static str,
    title: &'static str,
    detail: &'static str,
) -> Failure {
    Failure {
        step: "verify-credentials",
        code,
        title,
        detail: Cow::Borrowed(detail),
        invalidates: false,
    }
}

/// One part of a `multipart/form-data` body.
struct Part<'a> {
    name: String,
    filename: Option<String>,
    data: &'a [u8],
}

/// The longest boundary RFC 2046 allows.
const MAX_BOUNDARY: usize = 70;

/// The parts of a `multipart/form-data` body, or `None` when it is not one. The boundary is at
/// most 70 characters (RFC 2046) and each search runs in linear time, so the body's size alone
/// bounds the work.
fn multipart<'a>(content_type: &str, body: &'a [u8]) -> Option<Vec<Part<'a>>> {
    let boundary = content_type
        .split(';')
        .map(str::trim)
        .find_map(|p| p.strip_prefix("boundary="))?
        .trim_matches('"');
    if boundary.is_empty() || boundary.len() > MAX_BOUNDARY {
        return None;
    }
    let delimiter = format!("--{boundary}");
    let mut parts = Vec::new();
    let mut rest = body;
    // Skip the preamble up to the first delimiter.
    let at = find(rest, delimiter.as_bytes())?;
    rest = &rest[at + delimiter.len()..];
    loop {
        if rest.starts_with(b"--") {
            return Some(parts);
        }
        rest = rest.strip_prefix(b"\r\n")?;
        let head_end = find(rest, b"\r\n\r\n")?;
        let head = std::str::from_utf8(&rest[..head_end]).ok()?;
        let content = &rest[head_end + 4..];
        let end = find(content, format!("\r\n{delimiter}").as_bytes())?;
        let disposition = head
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("content-disposition:"))?;
        let attribute = |key: &str| {
            disposition.split(';').map(str::trim).find_map(|p| {
                p.strip_prefix(key)
                    .and_then(|v| v.strip_prefix('='))
                    .map(|v| v.trim_matches('"').to_owned())
            })
        };
        parts.push(Part {
            name: attribute("name")?,
            filename: attribute("filename"),
            data: &content[..end],
        });
        rest = &content[end + 2 + delimiter.len()..];
    }
}

/// The names of the parts of a `multipart/form-data` body and what its statement holds, if it
/// can be read (an entry point for fuzzing).
#[doc(hidden)]
pub fn read_multipart(content_type: &str, body: &[u8]) -> Option<(Vec<String>, bool)> {
    let parts = multipart(content_type, body)?;
    let statement = parts
        .iter()
        .find(|p| p.name == "statement")
        .is_some_and(|p| read_statement(p.filename.as_deref(), p.data).is_ok());
    Some((parts.into_iter().map(|p| p.name).collect(), statement))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(haystack, needle)
}

/// What an upload's body says, read before the world is locked: a large statement must not
/// hold up every other request while it is parsed.
struct Upload {
    institution: String,
    /// What the `statement` part holds, or why it cannot be read; `None` when the body has no
    /// such part.
    statement: Option<Result<Statement, Failure>>,
}

/// Reads a `multipart/form-data` upload, with the errors Basiq gives a body it cannot use.
fn read_upload(
    body: Result<Bytes, BytesRejection>,
    content_type: &str,
) -> Result<Upload, BasiqError> {
    let body = super::body::bytes(body, NOT_VALID)?;
    let media = content_type.split(';').next().unwrap_or("").trim();
    // This endpoint documents no 415: a body of another type is not a valid statement.
    if !media.eq_ignore_ascii_case("multipart/form-data") {
        return Err(BasiqError::BodyInvalid(NOT_VALID));
    }
    let parts = multipart(content_type, &body).ok_or(BasiqError::BodyInvalid(NOT_VALID))?;
    let field = |name: &str| parts.iter().find(|p| p.name == name);
    let institution = field("institutionId")
        .and_then(|p| std::str::from_utf8(p.data).ok())
        .map(str::trim)
        .filter(|i| !i.is_empty())
        .ok_or(BasiqError::BodyInvalid("InstitutionID not provided"))?
        .to_owned();
    if !valid_id(&institution) {
        return Err(BasiqError::InstitutionUnknown);
    }
    let statement = field("statement").map(|p| read_statement(p.filename.as_deref(), p.data));
    Ok(Upload {
        institution,
        statement,
    })
}

/// A statement that could be read: the connection method it comes by (`csv` or `pdf`, as
/// Basiq's connectors name them) and the account it adds.
pub struct Statement {
    method: &'static str,
    account: BasiqAccountSpec,
}

/// What a statement file holds: the account to add, or why it cannot be read.
fn read_statement(filename: Option<&str>, data: &[u8]) -> Result<Statement, Failure> {
    if data.iter().all(u8::is_ascii_whitespace) {
        return Err(EMPTY_FILE);
    }
    let statement_account = |transactions| BasiqAccountSpec {
        name: Some("Statement account".to_owned()),
        class: Some(BasiqClassSpec {
            kind: "transaction".to_owned(),
            product: None,
        }),
        transactions,
        ..BasiqAccountSpec::default()
    };
    if data.starts_with(b"%PDF") {
        return Ok(Statement {
            method: "pdf",
            account: statement_account(Vec::new()),
        });
    }
    let is_csv = filename.is_some_and(|f| f.to_ascii_lowercase().ends_with(".csv"));
    let text = std::str::from_utf8(data).map_err(|_| NOT_SUPPORTED)?;
    if !is_csv && !text.lines().next().is_some_and(|l| l.contains(',')) {
        return Err(NOT_SUPPORTED);
    }
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header: Vec<String> = lines
        .next()
        .map(|h| {
            h.split(',')
                .map(|c| c.trim().to_ascii_lowercase())
                .collect()
        })
        .unwrap_or_default();
    let column = |name: &str| header.iter().position(|c| c == name);
    let (Some(date), Some(description), Some(amount)) =
        (column("date"), column("description"), column("amount"))
    else {
        return Err(MISSING_FIELD);
    };
    let balance = column("balance");
    let mut transactions = Vec::new();
    let mut last_balance = None;
    for line in lines {
        if transactions.len() == MAX_ROWS {
            return Err(TOO_MANY_ROWS);
        }
        let cells: Vec<&str> = line.split(',').map(str::trim).collect();
        let cell = |i: usize| cells.get(i).copied().unwrap_or("");
        let day = parse_date(cell(date)).ok_or(INVALID_VALUE)?;
        let value = Money::parse(cell(amount)).ok_or(INVALID_VALUE)?;
        if let Some(b) = balance {
            last_balance = Some(Money::parse(cell(b)).ok_or(INVALID_VALUE)?);
        }
        let at = Timestamp::seconds(day.and_hms_opt(0, 0, 0).ok_or(INVALID_VALUE)?.and_utc());
        transactions.push(BasiqTransactionSpec {
            description: Some(cell(description).to_owned()),
            amount: value,
            post_date: Some(at),
            transaction_date: Some(at),
            ..BasiqTransactionSpec::default()
        });
    }
    let total = Money(
        transactions
            .iter()
            .fold(0i64, |sum, t| sum.saturating_add(t.amount.0)),
    );
    let mut account = statement_account(transactions);
    account.balance = Some(last_balance.unwrap_or(total));
    Ok(Statement {
        method: "csv",
        account,
    })
}

fn parse_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(text, "%d/%m/%Y"))
        .ok()
}

/// `POST /users/{userId}/statements` (SERVER, or CLIENT for its own user): 202 with the job.
pub async fn upload(
    State(engine): State<Engine>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    bytes: Result<Bytes, BytesRejection>,
) -> Response {
    let user = param(&path);
    let upload = read_upload(bytes, http::header(&headers, "content-type").unwrap_or(""));
    on_user(
        &engine,
        &headers,
        Access::ServerOrOwnClient,
        user,
        &[],
        |w, now| {
            let Upload {
                institution,
                statement,
            } = upload?;
            if w.basiq.sandbox.institution(&institution).is_some() {
                return Err(BasiqError::InstitutionNotSupported(institution));
            }
            let statement = statement.ok_or(BasiqError::BodyInvalid(NOT_VALID))?;
            w.basiq.user(user).ok_or(BasiqError::UserNotFound)?;
            let job = statement_job(&engine, w.seed, now, user, &institution, statement, w);
            let body = http::to_bytes(&job_ref(&base(&engine, &headers), &job.id));
            w.basiq.jobs.push(job);
            w.changed();
            Ok(http::json(StatusCode::ACCEPTED, body))
        },
    )
}

fn statement_job(
    engine: &Engine,
    seed: u64,
    now: DateTime<Utc>,
    user: &str,
    institution: &str,
    read: Result<Statement, Failure>,
    w: &crate::world::World,
) -> Job {
    let id = engine.next_uuid();
    // The accounts a statement adds come by a connection of the upload's own, which the user
    // gains with them: a `csv` or `pdf` connection, not refreshed as a web one is.
    let method = read.as_ref().map_or("csv", |s| s.method);
    let source = Connection {
        id: engine.next_uuid(),
        status: "active".to_owned(),
        method: method.to_owned(),
        mfa_enabled: false,
        created_date: Timestamp::seconds(now),
        last_used: Some(Timestamp::seconds(now)),
        expiry_date: None,
        institution: institution.to_owned(),
        profile: w
            .basiq
            .user(user)
            .map(|u| Profile {
                full_name: format!("{} {}", u.first_name, u.last_name)
                    .trim()
                    .to_owned(),
                ..Profile::default()
            })
            .unwrap_or_default(),
        login: None,
    };
    let (failure, retrieved) = match read {
        Ok(statement) => (
            None,
            Some(super::build::accounts(
                seed,
                now,
                &format!("basiq.statement.{id}"),
                &source,
                &[statement.account],
            )),
        ),
        Err(f) => (Some(f), None),
    };
    Job {
        id,
        user: user.to_owned(),
        connection: String::new(),
        institution: institution.to_owned(),
        created: now,
        step_duration: w.basiq.step_duration,
        steps: vec![
            "verify-credentials",
            "retrieve-accounts",
            "retrieve-transactions",
        ],
        failure,
        challenge: None,
        mfa_answered: None,
        retrieved,
        applied: 0,
        refresh: false,
        statement: Some(Box::new(source)),
    }
}
