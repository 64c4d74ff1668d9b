//! Jobs: what connection creation and refresh start, polled through `GET /jobs/{id}`.
//!
//! A job's steps (`verify-credentials`, [`mfa-challenge`], `retrieve-accounts`,
//! `retrieve-transactions`) run one after another, each taking the application's step
//! duration on the server clock; `mfa-challenge` waits for `POST /jobs/{id}/mfa` (or expires).
//! Step states are computed from the clock when read, and each step's effect on the world
//! (connection activated or invalidated, accounts and transactions retrieved) is applied by
//! [`advance`] once the step has ended, so advancing the clock moves jobs exactly as waiting
//! would.

use std::sync::Arc;

use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use bytes::Bytes;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::auth::{Access, authorize};
use super::error::BasiqError;
use super::filter::{self, Op};
use super::model::{Account, Application, Transaction};
use super::personas::{Challenge, Failure};
use super::{base, body, check_id, on_user, param, query_param, reply};
use crate::engine::Engine;
use crate::http;
use crate::value::{Money, Timestamp};
use crate::world::World;

/// How long an MFA challenge waits for its answer.
pub const MFA_EXPIRY_MS: i64 = 120_000;

/// A job.
#[derive(Debug, Clone)]
pub struct Job {
    pub id: String,
    pub user: String,
    pub connection: String,
    pub institution: String,
    pub created: DateTime<Utc>,
    pub step_duration: Duration,
    /// Step titles, in order.
    pub steps: Vec<&'static str>,
    /// Where and how the job fails, if it does.
    pub failure: Option<Failure>,
    /// The MFA challenge, when there is an `mfa-challenge` step.
    pub challenge: Option<Arc<Challenge>>,
    /// When the right MFA answer arrived.
    pub mfa_answered: Option<DateTime<Utc>>,
    /// What a creation job retrieves: accounts, then transactions.
    pub retrieved: Option<(Vec<Account>, Vec<Transaction>)>,
    /// Whether the job is a refresh (not a creation, credential update or statement upload).
    pub refresh: bool,
    /// A statement upload's connection (method `csv` or `pdf`): the user gains it with the
    /// accounts the upload read.
    pub statement: Option<Box<super::model::Connection>>,
    /// How many steps' effects have been applied to the world.
    pub applied: usize,
}

/// A step's state at some instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Pending,
    InProgress,
    Success,
    Failed,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::InProgress => "in-progress",
            Status::Success => "success",
            Status::Failed => "failed",
        }
    }
}

/// One step at an instant: status, when it started and when it ended.
#[derive(Debug, Clone, Copy)]
pub struct StepState {
    pub title: &'static str,
    pub status: Status,
    pub started: Option<DateTime<Utc>>,
    pub ended: Option<DateTime<Utc>>,
    /// Failed because the MFA challenge expired unanswered.
    pub expired: bool,
}

impl Job {
    /// The steps as they stand at `now`.
    pub fn states(&self, now: DateTime<Utc>) -> Vec<StepState> {
        let mut out = Vec::with_capacity(self.steps.len());
        let mut next_start = Some(self.created);
        for &title in &self.steps {
            let pending = StepState {
                title,
                status: Status::Pending,
                started: None,
                ended: None,
                expired: false,
            };
            let Some(start) = next_start.filter(|s| *s <= now) else {
                out.push(pending);
                next_start = None;
                continue;
            };
            let (status, ended, expired) = if title == "mfa-challenge" {
                let deadline = start + Duration::milliseconds(MFA_EXPIRY_MS);
                match self.mfa_answered {
                    Some(at) if at <= now => (Status::Success, Some(at.max(start)), false),
                    _ if now >= deadline => (Status::Failed, Some(deadline), true),
                    _ => (Status::InProgress, None, false),
                }
            } else {
                let end = start + self.step_duration;
                if now < end {
                    (Status::InProgress, None, false)
                } else if self.failure.as_ref().is_some_and(|f| f.step == title) {
                    (Status::Failed, Some(end), false)
                } else {
                    (Status::Success, Some(end), false)
                }
            };
            next_start = if status == Status::Success {
                ended
            } else {
                None
            };
            out.push(StepState {
                title,
                status,
                started: Some(start),
                ended,
                expired,
            });
        }
        out
    }

    /// Whether every step has reached its end (nothing more will change).
    pub fn settled(&self) -> bool {
        self.applied >= self.steps.len()
    }

    /// Whether the job is still queued or running at `now`.
    pub fn running(&self, now: DateTime<Utc>) -> bool {
        let states = self.states(now);
        !states.iter().any(|s| s.status == Status::Failed)
            && states.iter().any(|s| s.status != Status::Success)
    }

    /// The last change before `now`.
    fn updated(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        self.states(now)
            .iter()
            .flat_map(|s| [s.started, s.ended])
            .flatten()
            .filter(|t| *t <= now)
            .max()
            .unwrap_or(self.created)
    }
}

/// Applies the effects of every step that has ended by `now`; true if anything changed.
pub fn advance(app: &mut Application, seed: u64, now: DateTime<Utc>) -> bool {
    let mut changed = false;
    for j in app.jobs_settled..app.jobs.len() {
        if app.jobs[j].settled() {
            continue;
        }
        let states = app.jobs[j].states(now);
        while app.jobs[j].applied < states.len() {
            let state = states[app.jobs[j].applied];
            if !matches!(state.status, Status::Success | Status::Failed) {
                break;
            }
            apply(app, seed, j, state);
            app.jobs[j].applied += 1;
            changed = true;
            if state.status == Status::Failed {
                // Later steps never run.
                app.jobs[j].applied = app.jobs[j].steps.len();
            }
        }
    }
    while app.jobs.get(app.jobs_settled).is_some_and(Job::settled) {
        app.jobs_settled += 1;
    }
    changed
}

fn apply(app: &mut Application, seed: u64, j: usize, state: StepState) {
    let job = &mut app.jobs[j];
    let (user_id, connection_id) = (job.user.clone(), job.connection.clone());
    let invalidates = state.expired
        || job
            .failure
            .as_ref()
            .is_some_and(|f| f.invalidates && f.step == state.title);
    let retrieved = if state.status == Status::Success && state.title == "retrieve-accounts" {
        job.retrieved
            .as_mut()
            .map(|(accounts, _)| std::mem::take(accounts))
    } else {
        None
    };
    let new_transactions =
        if state.status == Status::Success && state.title == "retrieve-transactions" {
            job.retrieved.as_mut().map(|(_, t)| std::mem::take(t))
        } else {
            None
        };
    let ended = state.ended.map(Timestamp::seconds);
    let at = state.ended.unwrap_or(job.created);
    if job.refresh && state.status == Status::Success && state.title == "retrieve-transactions" {
        let imported = super::refresh::refresh(app, seed, at, &user_id, &connection_id);
        super::events::connection_event(app, seed, at, "updated", &user_id, &connection_id);
        if imported > 0 {
            super::events::transactions_event(app, seed, at, &user_id, &connection_id, imported);
        }
        return;
    }
    let Some(user) = app.user_mut(&user_id) else {
        return;
    };
    if connection_id.is_empty() {
        // A statement upload: the user gains its connection with the accounts, then the
        // transactions, announced as any new connection's are.
        let source = app.jobs[j].statement.as_deref().cloned();
        let Some(user) = app.user_mut(&user_id) else {
            return;
        };
        match (state.title, state.status, source) {
            ("retrieve-accounts", Status::Success, source) => {
                if let Some(c) = source
                    && !user.connections.iter().any(|have| have.id == c.id)
                {
                    user.connections.push(c);
                }
                user.accounts.extend(retrieved.unwrap_or_default());
            }
            ("retrieve-transactions", Status::Success, Some(c)) => {
                let added = push_transactions(user, new_transactions.unwrap_or_default());
                if added > 0 {
                    super::events::transactions_event(app, seed, at, &user_id, &c.id, added);
                }
            }
            _ => {}
        }
        return;
    }
    let Some(connection) = user.connections.iter_mut().find(|c| c.id == connection_id) else {
        return;
    };
    let mut event = None;
    let mut added = 0;
    match (state.title, state.status) {
        ("verify-credentials", Status::Success) => {
            if connection.status != "active" {
                event = Some("activated");
            }
            connection.status = "active".to_owned();
            connection.last_used = ended;
        }
        (_, Status::Failed) if invalidates => {
            if connection.status != "invalid" {
                event = Some("invalidated");
            }
            connection.status = "invalid".to_owned();
        }
        ("retrieve-accounts", Status::Success) => {
            if let Some(at) = ended {
                for a in user
                    .accounts
                    .iter_mut()
                    .filter(|a| a.connection == connection_id)
                {
                    a.last_updated = at;
                }
            }
            user.accounts.extend(retrieved.unwrap_or_default());
        }
        ("retrieve-transactions", Status::Success) => {
            // The job has brought the connection up to date, and last used it then (Basiq's
            // §12.1 example).
            connection.last_used = ended;
            added = push_transactions(user, new_transactions.unwrap_or_default());
            event = Some("updated");
        }
        _ => {}
    }
    if let Some(kind) = event {
        super::events::connection_event(app, seed, at, kind, &user_id, &connection_id);
    }
    if added > 0 {
        super::events::transactions_event(app, seed, at, &user_id, &connection_id, added);
    }
}

/// The arrival number the user's next transaction takes. A user's transactions are kept in
/// arrival order (built oldest first, added after the last), so the last one has the largest.
fn next_seq(user: &super::model::User) -> u64 {
    user.transactions.last().map_or(0, |t| t.seq + 1)
}

/// Adds transactions a job retrieved, after every transaction the user has; returns how many.
fn push_transactions(user: &mut super::model::User, new: Vec<Transaction>) -> usize {
    let first = next_seq(user);
    let added = new.len();
    for (seq, mut t) in (first..).zip(new) {
        t.seq = seq;
        user.transactions.push(t);
    }
    added
}

/// `n` new transactions on each of a connection's accounts at `at`, balances moved by them,
/// announced with `transactions.updated` (a scripted transition).
pub fn add_transactions(
    app: &mut Application,
    seed: u64,
    at: DateTime<Utc>,
    user_id: &str,
    connection_id: &str,
    n: u32,
) {
    let Some(user) = app.user_mut(user_id) else {
        return;
    };
    let mut seq = next_seq(user);
    let mut added = Vec::new();
    for a in user
        .accounts
        .iter_mut()
        .filter(|a| a.connection == connection_id)
    {
        let label = format!("basiq script {} {}", a.id, at.timestamp_micros());
        let new = super::build::purchases(seed, &label, a, at, n);
        let spent: i64 = new.iter().map(|t| t.amount.0).sum();
        a.balance = a
            .balance
            .map(|b| crate::value::Money(b.0.saturating_add(spent)));
        a.available_funds = a
            .available_funds
            .map(|b| crate::value::Money(b.0.saturating_add(spent)));
        a.last_updated = Timestamp::seconds(at);
        added.extend(new);
    }
    let count = added.len();
    for mut t in added {
        t.seq = seq;
        seq += 1;
        user.transactions.push(t);
    }
    if count > 0 {
        super::events::transactions_event(app, seed, at, user_id, connection_id, count);
    }
}

/// The account of a connection a transition names.
fn scripted_account<'a>(
    app: &'a mut Application,
    (user, connection, account): (&str, &str, &str),
) -> Option<&'a mut super::model::Account> {
    app.user_mut(user)?
        .accounts
        .iter_mut()
        .find(|a| a.id == account && a.connection == connection)
}

/// A connection's account takes a new balance at `at` (a scripted transition):
/// `availableFunds` moves by as much, `lastUpdated` is then. No event: Basiq announces account
/// changes other than the balance (`account.updated`) only.
pub fn set_balance(
    app: &mut Application,
    at: DateTime<Utc>,
    (user, connection, account): (&str, &str, &str),
    balance: Money,
) {
    let Some(a) = scripted_account(app, (user, connection, account)) else {
        return;
    };
    if let Some(before) = a.balance {
        let moved = balance.0.saturating_sub(before.0);
        a.available_funds = a.available_funds.map(|f| Money(f.0.saturating_add(moved)));
    }
    a.balance = Some(balance);
    a.last_updated = Timestamp::seconds(at);
}

/// A scripted account status: the account takes it and, when it changed, `account.updated`
/// announces the account.
pub fn set_account_status(
    app: &mut Application,
    seed: u64,
    at: DateTime<Utc>,
    (user, connection, account): (&str, &str, &str),
    status: &str,
) {
    let Some(a) = scripted_account(app, (user, connection, account)) else {
        return;
    };
    if a.status == status {
        return;
    }
    a.status = status.to_owned();
    a.last_updated = Timestamp::seconds(at);
    super::events::account_event(app, seed, at, user, account);
}

// ----------------------------------------------------------------------------------------------
// Wire

#[derive(Serialize)]
struct JobRef {
    #[serde(rename = "type")]
    kind: &'static str,
    id: String,
    links: Value,
}

/// `{"type":"job","id":…,"links":{"self":…}}`, what starting a job answers.
pub fn job_ref(base: &str, id: &str) -> impl Serialize + use<> {
    JobRef {
        kind: "job",
        id: id.to_owned(),
        links: json!({ "self": format!("{base}/jobs/{id}") }),
    }
}

fn step_result(job: &Job, state: &StepState, base: &str) -> Value {
    let user = &job.user;
    let inst = &job.institution;
    match state.status {
        Status::Pending => Value::Null,
        Status::InProgress if state.title == "mfa-challenge" => challenge(job, base),
        Status::InProgress => Value::Null,
        Status::Success if state.title == "mfa-challenge" => challenge(job, base),
        Status::Success => {
            let url = match state.title {
                // A statement upload has no connection to point at.
                "verify-credentials" if job.connection.is_empty() => return Value::Null,
                "verify-credentials" => format!("/users/{user}/connections/{}", job.connection),
                "retrieve-accounts" => {
                    format!("/users/{user}/accounts?filter=institution.id.eq('{inst}')")
                }
                _ => format!("/users/{user}/transactions?filter=institution.id.eq('{inst}')"),
            };
            json!({ "type": "link", "url": url })
        }
        Status::Failed if state.expired => json!({
            "code": "user-action-required",
            "title": "MFA challenge expired.",
            "detail": "The MFA challenge was not answered in time.",
        }),
        Status::Failed => match &job.failure {
            Some(f) => json!({ "code": f.code, "title": f.title, "detail": f.detail }),
            None => Value::Null,
        },
    }
}

fn challenge(job: &Job, base: &str) -> Value {
    match &job.challenge {
        Some(c) => json!({
            "type": "mfa",
            "method": c.method,
            "description": c.description,
            "input": c.input,
            "expiryMs": MFA_EXPIRY_MS,
            "links": { "response": format!("{base}/jobs/{}/mfa", job.id) },
        }),
        None => Value::Null,
    }
}

/// A job as `GET /jobs/{id}` shows it; `listed` adds the list item's `institution`.
pub fn job_body(job: &Job, base: &str, now: DateTime<Utc>, listed: bool) -> Value {
    let steps: Vec<Value> = job
        .states(now)
        .iter()
        .map(|s| json!({ "title": s.title, "status": s.status.as_str(), "result": step_result(job, s, base) }))
        .collect();
    let mut body = json!({
        "type": "job",
        "id": job.id,
        "created": Timestamp::seconds(job.created).to_string(),
        "updated": Timestamp::seconds(job.updated(now)).to_string(),
        "jobType": "connection",
    });
    if listed {
        body["institution"] = json!({
            "type": "institution",
            "id": job.institution,
            "links": { "self": format!("{base}/institutions/{}", job.institution) },
        });
    }
    body["steps"] = Value::Array(steps);
    body["links"] = json!({ "self": format!("{base}/jobs/{}", job.id) });
    // Statement jobs have no source.
    if !job.connection.is_empty() {
        body["links"]["source"] = json!(format!(
            "{base}/users/{}/connections/{}",
            job.user, job.connection
        ));
    }
    body
}

// ----------------------------------------------------------------------------------------------
// Routes

/// `GET /jobs/{jobId}` (SERVER, or CLIENT for its own user's jobs).
pub async fn get(
    State(engine): State<Engine>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Response {
    let id = param(&path);
    let outcome = engine.with_world_at(|w, now| {
        let claims = authorize(
            w,
            now,
            engine.secret(),
            &headers,
            Access::ServerOrOwnClient,
            None,
        )?;
        check_id(id, "jobId", "Job ID")?;
        let job = w
            .basiq
            .jobs
            .iter()
            .find(|j| j.id == id && w.basiq.user(&j.user).is_some())
            .ok_or(BasiqError::ResourceNotFound { parameter: "jobId" })?;
        if claims.user.as_deref().is_some_and(|u| u != job.user) {
            return Err(BasiqError::UserMismatch);
        }
        let body = job_body(job, &base(&engine, &headers), now, false);
        Ok(http::json(StatusCode::OK, http::to_bytes(&body)))
    });
    reply(&engine, outcome)
}

/// Jobs are listed for a week.
const LISTED_FOR: Duration = Duration::days(7);

/// `GET /users/{userId}/jobs` (SERVER), with `filter=connection.id.eq('…')`.
pub async fn list(
    State(engine): State<Engine>,
    path: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let user = param(&path);
    on_user(&engine, &headers, Access::Server, user, &[], |w, now| {
        let statements = match query_param(query.as_deref(), "filter") {
            Some(text) => filter::parse_allowed(&text, &[("connection.id", &[Op::Eq])])
                .ok_or(BasiqError::FilterInvalid)?,
            None => Vec::new(),
        };
        w.basiq.user(user).ok_or(BasiqError::UserNotFound)?;
        let base = base(&engine, &headers);
        let data: Vec<Value> = w
            .basiq
            .jobs
            .iter()
            .rev()
            .filter(|j| j.user == user && now - j.created < LISTED_FOR)
            .filter(|j| statements.iter().all(|s| s.matches(&j.connection)))
            .map(|j| job_body(j, &base, now, true))
            .collect();
        let body = json!({
            "type": "list",
            "size": data.len(),
            "data": data,
            "links": { "self": format!("{base}/users/{user}/jobs") },
        });
        Ok(http::json(StatusCode::OK, http::to_bytes(&body)))
    })
}

#[derive(Deserialize)]
struct MfaInput {
    #[serde(rename = "mfa-response")]
    response: Vec<String>,
}

/// `POST /jobs/{jobId}/mfa` (CLIENT, for its own user's job): answers the challenge; 202 with
/// the job reference when the answer is right.
pub async fn answer(
    State(engine): State<Engine>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    bytes: Result<Bytes, BytesRejection>,
) -> Response {
    let id = param(&path);
    let outcome = engine.with_world_at(|w, now| {
        let claims = authorize(
            w,
            now,
            engine.secret(),
            &headers,
            Access::ServerOrOwnClient,
            None,
        )?;
        if claims.scope == super::model::Scope::Server {
            return Err(BasiqError::ScopeForbidden);
        }
        check_id(id, "jobId", "Job ID")?;
        let index = w
            .basiq
            .jobs
            .iter()
            .position(|j| j.id == id)
            .ok_or(BasiqError::ResourceNotFound { parameter: "jobId" })?;
        if claims.user.as_deref() != Some(w.basiq.jobs[index].user.as_str()) {
            return Err(BasiqError::UserMismatch);
        }
        let input: MfaInput = body::json(bytes, "Posted MFA response is not in valid format.")?;
        answer_mfa(w, now, index, &input.response)?;
        let body = job_ref(&base(&engine, &headers), id);
        Ok(http::json(StatusCode::ACCEPTED, http::to_bytes(&body)))
    });
    reply(&engine, outcome)
}

/// Answers the MFA challenge job `index` waits for, as `POST /jobs/{id}/mfa` and the Consent UI
/// do: the step succeeds with a right answer; a wrong one, or a job not waiting, is refused and
/// changes nothing.
pub(crate) fn answer_mfa(
    w: &mut World,
    now: DateTime<Utc>,
    index: usize,
    response: &[String],
) -> Result<(), BasiqError> {
    let Some(job) = w.basiq.jobs.get_mut(index) else {
        return Err(BasiqError::ResourceNotFound { parameter: "jobId" });
    };
    let waiting = job
        .states(now)
        .iter()
        .any(|s| s.title == "mfa-challenge" && s.status == Status::InProgress);
    let right = job.challenge.as_ref().is_some_and(|c| c.accepts(response));
    if !waiting {
        return Err(BasiqError::FieldInvalid {
            pointer: "job/steps/mfa-challenge",
            detail: "The job is not waiting for an MFA response.",
        });
    }
    if !right {
        return Err(BasiqError::FieldInvalid {
            pointer: "mfa-response",
            detail: "MFA response is not valid.",
        });
    }
    job.mfa_answered = Some(now);
    w.changed();
    Ok(())
}
