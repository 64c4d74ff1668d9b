//! Connection lifecycle: create (`POST /users/{id}/connections`, the v2 endpoint kept as the way
//! to make connections without a browser), update credentials, refresh one or all, delete,
//! purge. Creation and refresh start jobs (see `jobs`); the sandbox personas decide outcomes.

use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use rand::Rng;
use serde::Deserialize;

use super::auth::Access;
use super::deadlines::Deadline;
use super::error::BasiqError;
use super::jobs::{Job, job_ref};
use super::model::{Address, Application, Connection, Profile, User};
use super::personas::{self, Failure, Mfa, Persona};
use super::scenario::BasiqAccountSpec;
use super::{base, body, on_user, param, params};
use crate::engine::Engine;
use crate::http;
use crate::ids::rng_for;
use crate::scenario::model::HistorySpec;
use crate::value::Timestamp;
use crate::world::{Target, World};

/// How Basiq names a connection id in its errors.
const CONNECTION_ID: super::IdName = ("connectionId", "Connection ID");

/// The user's connection `id`, or Basiq's 404 for whichever of the two is missing.
pub(crate) fn find<'a>(
    app: &'a Application,
    user: &str,
    id: &str,
) -> Result<&'a Connection, BasiqError> {
    let u = app.user(user).ok_or(BasiqError::UserNotFound)?;
    u.connection(id).ok_or(BasiqError::ResourceNotFound {
        parameter: "connectionId",
    })
}

/// Sandbox connections an application may hold.
const CONNECTION_LIMIT: usize = 500;

/// Whether the application holds as many connections as the sandbox allows.
fn at_connection_limit(app: &Application) -> bool {
    app.users.iter().map(|u| u.connections.len()).sum::<usize>() >= CONNECTION_LIMIT
}

/// Days of history a persona's accounts come with.
const PERSONA_HISTORY_DAYS: u32 = 730;

#[derive(Debug, Default, Deserialize)]
struct InstitutionInput {
    id: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ConnectionInput {
    login_id: Option<String>,
    password: Option<String>,
    #[allow(dead_code)]
    security_code: Option<String>,
    #[allow(dead_code)]
    secondary_login_id: Option<String>,
    institution: Option<InstitutionInput>,
}

const INVALID_CONNECTION: &str = "Posted connection is not in valid format.";

fn missing(value: &Option<String>, detail: &'static str) -> Result<String, BasiqError> {
    match value.as_deref().map(str::trim) {
        Some(v) if !v.is_empty() => Ok(v.to_owned()),
        _ => Err(BasiqError::FieldMissing { detail }),
    }
}

/// Builds the job a connection runs now: creation (with what it retrieves) or refresh.
fn plan_job(
    app: &Application,
    seed: u64,
    id: String,
    user: &str,
    connection: &Connection,
    now: DateTime<Utc>,
    retrieved: Option<(Vec<super::model::Account>, Vec<super::model::Transaction>)>,
) -> Job {
    let institution = app.sandbox.institution(&connection.institution);
    // `None` for a connection without a login (one a scenario spells out).
    let login = connection
        .login
        .as_ref()
        .map(|(l, p)| app.sandbox.login(&connection.institution, l, p));
    let open_banking = institution.is_some_and(|i| i.open_banking);
    // A connection a scenario spells out has no login: it fails while it is invalid.
    let failure: Option<Failure> = match login {
        Some(persona) => personas::outcome(persona, open_banking),
        None => (connection.status == "invalid").then_some(personas::INVALID_CREDENTIALS),
    };
    let persona = login.flatten();
    let jobs_so_far = app
        .jobs
        .iter()
        .filter(|j| j.connection == connection.id)
        .count();
    let mfa = match institution.map(|i| i.mfa) {
        Some(Mfa::Always) => true,
        Some(Mfa::Sometimes) => {
            rng_for(seed, &format!("mfa {} {jobs_so_far}", connection.id)).random_bool(0.5)
        }
        _ => false,
    };
    // A login that fails at verify-credentials never reaches a challenge.
    let challenge = (mfa
        && failure
            .as_ref()
            .is_none_or(|f| f.step != "verify-credentials"))
    .then(|| persona.map_or_else(personas::otp, |p| p.challenge.clone()));
    let mut steps = vec!["verify-credentials"];
    if challenge.is_some() {
        steps.push("mfa-challenge");
    }
    steps.extend(["retrieve-accounts", "retrieve-transactions"]);
    Job {
        id,
        user: user.to_owned(),
        connection: connection.id.clone(),
        institution: connection.institution.clone(),
        created: now,
        step_duration: app.step_duration,
        steps,
        failure,
        challenge,
        mfa_answered: None,
        retrieved,
        applied: 0,
        refresh: false,
        statement: None,
    }
}

/// The refresh job of a connection, with the outcome its scenario scripts for this refresh
/// (which also arms the scenario's next step); `None` if the connection is gone.
fn scripted_job(w: &mut World, id: String, target: &Target, now: DateTime<Utc>) -> Option<Job> {
    let (user, connection) = super::part::user_connection(target)?;
    let c = w.basiq.user(user)?.connection(connection)?;
    let mut job = plan_job(&w.basiq, w.seed, id, user, c, now, None);
    job.refresh = true;
    if let Some(script) = w.take_refresh(target, now) {
        job.failure = script.fail.as_deref().and_then(personas::failure);
    }
    Some(job)
}

/// The profile a persona with names shares.
fn persona_profile(p: &Persona) -> Option<Profile> {
    let full_name = p.full_name()?;
    Some(Profile {
        full_name,
        first_name: p.spec.first_name.clone().unwrap_or_default(),
        last_name: p.spec.last_name.clone().unwrap_or_default(),
        middle_name: String::new(),
        phone_numbers: p.spec.phone.iter().cloned().collect(),
        email_addresses: p.spec.email.iter().cloned().collect(),
        physical_addresses: p.spec.address.as_deref().map(address).into_iter().collect(),
    })
}

/// An address written `street, locality STATE postcode`.
fn address(text: &str) -> Address {
    let (line1, locality) = text.rsplit_once(", ").unwrap_or(("", text));
    let words: Vec<&str> = locality.split_whitespace().collect();
    let (city, state, postcode) = match words.len() {
        n if n >= 3 => (
            words[..n - 2].join(" "),
            words[n - 2].to_owned(),
            words[n - 1].to_owned(),
        ),
        _ => (locality.to_owned(), String::new(), String::new()),
    };
    Address {
        address_line1: (!line1.is_empty()).then(|| line1.to_owned()),
        address_line2: None,
        address_line3: None,
        postcode: Some(postcode),
        city: Some(city),
        state: Some(state),
        country: Some("Australia".to_owned()),
        country_code: Some("AU".to_owned()),
        formatted_address: Some(format!("{text}, Australia")),
    }
}

fn user_profile(user: &User) -> Profile {
    Profile {
        full_name: format!("{} {}", user.first_name, user.last_name)
            .trim()
            .to_owned(),
        first_name: user.first_name.clone(),
        last_name: user.last_name.clone(),
        middle_name: user.middle_name.clone(),
        phone_numbers: Some(user.mobile.clone())
            .filter(|m| !m.is_empty())
            .into_iter()
            .collect(),
        email_addresses: Some(user.email.clone())
            .filter(|e| !e.is_empty())
            .into_iter()
            .collect(),
        physical_addresses: Vec::new(),
    }
}

/// What a persona's accounts are made from: its own specs, with years of history and the
/// profile's name as holder unless they say otherwise.
fn persona_accounts(p: &Persona, holder: &str) -> Vec<BasiqAccountSpec> {
    p.spec
        .accounts
        .iter()
        .map(|a| BasiqAccountSpec {
            account_holder: a.account_holder.clone().or_else(|| Some(holder.to_owned())),
            history: a.history.or_else(|| {
                a.transactions
                    .is_empty()
                    .then_some(HistorySpec::days(PERSONA_HISTORY_DAYS))
            }),
            ..a.clone()
        })
        .collect()
}

/// Refreshes an open-banking connection may start in 24 hours (§14).
const OPEN_BANKING_REFRESHES_PER_DAY: usize = 20;

/// Whether `connection` is open banking and has used its refreshes of the last 24 hours.
fn refresh_limit_reached(w: &World, connection: &Connection, now: DateTime<Utc>) -> bool {
    if connection.method != "open-banking" {
        return false;
    }
    let since = now - chrono::Duration::days(1);
    let refreshes = w
        .basiq
        .jobs
        .iter()
        .filter(|j| j.refresh && j.connection == connection.id && j.created > since)
        .count();
    refreshes >= OPEN_BANKING_REFRESHES_PER_DAY
}

/// Whether a refresh must wait for the user: the credentials are known bad (`invalid`), or an
/// open-banking authorisation was never finished (`pre-init` with no job running).
fn needs_login(connection: &Connection) -> bool {
    matches!(connection.status.as_str(), "invalid" | "pre-init")
}

fn running_job<'a>(w: &'a World, connection: &str, now: DateTime<Utc>) -> Option<&'a Job> {
    w.basiq
        .jobs
        .iter()
        .rev()
        .find(|j| j.connection == connection && j.running(now))
}

/// `POST /users/{userId}/connections` (SERVER, or CLIENT for its own user): 202 with the job.
pub async fn create(
    State(engine): State<Engine>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    bytes: Result<Bytes, BytesRejection>,
) -> Response {
    let user = param(&path);
    on_user(
        &engine,
        &headers,
        Access::ServerOrOwnClient,
        user,
        &[],
        |w, now| {
            let input: ConnectionInput = body::json_typed(&headers, bytes, INVALID_CONNECTION)?;
            let institution = missing(
                &input.institution.as_ref().and_then(|i| i.id.clone()),
                "Institution ID  parameter is required.",
            )?;
            let login_id = missing(&input.login_id, "Login ID parameter is required.")?;
            let password = missing(&input.password, "Password parameter is required.")?;
            let login = Login {
                institution,
                login_id,
                password,
                accounts: None,
            };
            let (status, job) = start(&engine, w, now, user, login)?;
            let body = http::to_bytes(&job_ref(&base(&engine, &headers), &job));
            Ok(http::json(status, body))
        },
    )
}

/// What a new connection logs in with.
#[derive(Debug, Clone)]
pub(crate) struct Login {
    pub institution: String,
    /// A login id, or at an open-banking institution a member number.
    pub login_id: String,
    /// A password, or at an open-banking institution the one-time password.
    pub password: String,
    /// Which of the persona's accounts (by position) the user consented to share (open banking
    /// through the Consent UI); all of them when `None`.
    pub accounts: Option<Vec<usize>>,
}

/// A new connection of `user` at `bank`: `pending` (web) or `pre-init` (open banking), with the
/// user's own profile until a persona's replaces it.
fn new_connection(
    engine: &Engine,
    now: DateTime<Utc>,
    bank: &personas::Institution,
    user: &User,
) -> Connection {
    let (status, method) = if bank.open_banking {
        ("pre-init", "open-banking")
    } else {
        ("pending", "web")
    };
    Connection {
        id: engine.next_uuid(),
        status: status.to_owned(),
        method: method.to_owned(),
        mfa_enabled: bank.mfa != Mfa::Never,
        created_date: Timestamp::seconds(now),
        last_used: None,
        expiry_date: None,
        institution: bank.id.clone(),
        profile: user_profile(user),
        login: None,
    }
}

/// The open-banking connection at `institution` whose authorisation `user` abandoned: `pre-init`
/// and never given a login.
fn abandoned<'a>(user: &'a User, institution: &str) -> Option<&'a Connection> {
    user.connections.iter().find(|c| {
        c.institution == institution
            && c.method == "open-banking"
            && c.status == "pre-init"
            && c.login.is_none()
    })
}

/// Opens an open-banking connection as the Consent UI sends `user` to the bank's pages:
/// `pre-init`, with no login and no expiry until the bank authorises it (`start` then takes it
/// over), the consent and `connection.created`. A flow the user abandons leaves it behind, as
/// Basiq's does; the next flow at that bank takes the abandoned one up again.
pub(crate) fn open(
    engine: &Engine,
    w: &mut World,
    now: DateTime<Utc>,
    user: &str,
    institution: &str,
) -> Result<String, BasiqError> {
    let bank = w
        .basiq
        .sandbox
        .institution(institution)
        .filter(|b| b.open_banking)
        .ok_or(BasiqError::InstitutionUnknown)?
        .clone();
    let u = w.basiq.user(user).ok_or(BasiqError::UserNotFound)?;
    if let Some(c) = abandoned(u, institution) {
        return Ok(c.id.clone());
    }
    if at_connection_limit(&w.basiq) {
        return Err(BasiqError::TooManyConnections);
    }
    let connection = new_connection(engine, now, &bank, u);
    let id = connection.id.clone();
    super::consents::ensure_consent(&mut w.basiq, w.seed, user, now);
    if let Some(u) = w.basiq.user_mut(user) {
        u.connections.push(connection);
    }
    super::events::connection_event(&mut w.basiq, w.seed, now, "created", user, &id);
    w.changed();
    Ok(id)
}

/// Starts connecting `user` to an institution with a login, as `POST /users/{id}/connections`
/// and the Consent UI do: the connection (`pending`, or `pre-init` with the consent's expiry
/// at an open-banking institution, taking up one `open` left), its job, the consent and the
/// event. The same login already being connected gives 200 and that job; otherwise 202 and the
/// new one.
pub(crate) fn start(
    engine: &Engine,
    w: &mut World,
    now: DateTime<Utc>,
    user: &str,
    login: Login,
) -> Result<(StatusCode, String), BasiqError> {
    let Login {
        institution,
        login_id,
        password,
        accounts: consented,
    } = login;
    let sandbox = w.basiq.sandbox.clone();
    let bank = sandbox
        .institution(&institution)
        .ok_or(BasiqError::InstitutionUnknown)?;
    let u = w.basiq.user(user).ok_or(BasiqError::UserNotFound)?;
    // The same login already being connected: Basiq answers 200 with that job.
    let same = w.basiq.jobs.iter().rev().find(|j| {
        j.user == user
            && j.institution == institution
            && j.running(now)
            && u.connection(&j.connection)
                .and_then(|c| c.login.as_ref())
                .is_some_and(|(l, _)| *l == login_id)
    });
    if let Some(job) = same {
        return Ok((StatusCode::OK, job.id.clone()));
    }
    let taken_up = abandoned(u, &institution).cloned();
    if taken_up.is_none() && at_connection_limit(&w.basiq) {
        return Err(BasiqError::TooManyConnections);
    }
    let persona = sandbox.login(&institution, &login_id, &password);
    let is_new = taken_up.is_none();
    let mut connection = taken_up.unwrap_or_else(|| new_connection(engine, now, bank, u));
    if let Some(profile) = persona.and_then(persona_profile) {
        connection.profile = profile;
    }
    connection.login = Some((login_id, password));
    let retrieved = match persona {
        Some(p) if p.fail.is_none() => Some(super::build::accounts(
            w.seed,
            now,
            &format!("basiq.connection.{}", connection.id),
            &connection,
            &persona_accounts(p, &connection.profile.full_name)
                .into_iter()
                .enumerate()
                .filter(|(i, _)| consented.as_ref().is_none_or(|chosen| chosen.contains(i)))
                .map(|(_, a)| a)
                .collect::<Vec<_>>(),
        )),
        _ => None,
    };
    let job = plan_job(
        &w.basiq,
        w.seed,
        engine.next_uuid(),
        user,
        &connection,
        now,
        retrieved,
    );
    let job_id = job.id.clone();
    let connection_id = connection.id.clone();
    super::consents::ensure_consent(&mut w.basiq, w.seed, user, now);
    if bank.open_banking {
        // The CDR arrangement lasts as long as the consent.
        connection.expiry_date = w
            .basiq
            .user(user)
            .and_then(|u| u.consents.first())
            .map(|c| c.expiry);
    }
    let expiry = connection.expiry_date;
    if let Some(u) = w.basiq.user_mut(user) {
        match u.connections.iter_mut().find(|c| c.id == connection_id) {
            Some(left) => *left = connection,
            None => u.connections.push(connection),
        }
    }
    if let Some(at) = expiry {
        w.basiq
            .queue(Deadline::arrangement(at, user, &connection_id));
    }
    if is_new {
        super::events::connection_event(&mut w.basiq, w.seed, now, "created", user, &connection_id);
    }
    w.basiq.jobs.push(job);
    w.changed();
    Ok((StatusCode::ACCEPTED, job_id))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CredentialsInput {
    password: Option<String>,
}

/// `POST /users/{userId}/connections/{connectionId}` (v2; SERVER, or CLIENT for its own user):
/// new credentials, then a job with them.
pub async fn update(
    State(engine): State<Engine>,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
    bytes: Result<Bytes, BytesRejection>,
) -> Response {
    let (user, id) = params(&path);
    on_user(
        &engine,
        &headers,
        Access::ServerOrOwnClient,
        user,
        &[(id, CONNECTION_ID)],
        |w, now| {
            let input: CredentialsInput = body::json_typed(&headers, bytes, INVALID_CONNECTION)?;
            let password = missing(&input.password, "Password parameter is required.")?;
            let (status, job) = renew(&engine, w, now, user, id, (None, password), false)?;
            let body = http::to_bytes(&job_ref(&base(&engine, &headers), &job));
            Ok(http::json(status, body))
        },
    )
}

/// Gives a web connection new credentials, as `POST /users/{id}/connections/{id}` and the
/// Consent UI's credential update do, or with `reauthorise` an open-banking connection a new
/// authorisation (the Consent UI's re-authorisation, which also renews its expiry): 200 and the
/// job already running, or 202 and a job with them. The login id (`login.0`) replaces the
/// stored one when given (the API sends only a password).
pub(crate) fn renew(
    engine: &Engine,
    w: &mut World,
    now: DateTime<Utc>,
    user: &str,
    id: &str,
    login: (Option<String>, String),
    reauthorise: bool,
) -> Result<(StatusCode, String), BasiqError> {
    let (login_id, password) = login;
    let connection = find(&w.basiq, user, id)?;
    let open_banking = connection.method == "open-banking";
    if open_banking != reauthorise || connection.uploaded() {
        return Err(BasiqError::ConnectionNotWeb);
    }
    if let Some(job) = running_job(w, id, now) {
        return Ok((StatusCode::OK, job.id.clone()));
    }
    let mut updated = connection.clone();
    let login_id = login_id.or_else(|| updated.login.as_ref().map(|(l, _)| l.clone()));
    updated.login = login_id.map(|l| (l, password));
    if open_banking {
        // A new authorisation starts a new arrangement, as long as a new consent.
        let expiry = Timestamp::seconds(now + super::consents::CONSENT_TERM);
        updated.expiry_date = Some(expiry);
        w.basiq.queue(Deadline::arrangement(expiry, user, id));
    } else if updated.status == "invalid" {
        // New credentials get a fresh chance: the job decides the status again.
        updated.status = "pending".to_owned();
    }
    let job = plan_job(
        &w.basiq,
        w.seed,
        engine.next_uuid(),
        user,
        &updated,
        now,
        None,
    );
    let job_id = job.id.clone();
    if let Some(c) = w
        .basiq
        .user_mut(user)
        .and_then(|u| u.connections.iter_mut().find(|c| c.id == id))
    {
        *c = updated;
    }
    w.basiq.jobs.push(job);
    w.changed();
    Ok((StatusCode::ACCEPTED, job_id))
}

/// `POST /users/{userId}/connections/{connectionId}/refresh` (SERVER): 202 with a new job, or
/// 200 with the job already running.
pub async fn refresh(
    State(engine): State<Engine>,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
) -> Response {
    let (user, id) = params(&path);
    on_user(
        &engine,
        &headers,
        Access::Server,
        user,
        &[(id, CONNECTION_ID)],
        |w, now| {
            let connection = find(&w.basiq, user, id)?;
            if connection.uploaded() {
                return Err(BasiqError::ConnectionNotWeb);
            }
            let base = base(&engine, &headers);
            if let Some(job) = running_job(w, id, now) {
                return Ok(http::json(
                    StatusCode::OK,
                    http::to_bytes(&job_ref(&base, &job.id)),
                ));
            }
            let target = super::part::target(user, id);
            if needs_login(connection) && !w.refresh_scripted(&target) {
                return Err(BasiqError::CredentialsInvalid);
            }
            if refresh_limit_reached(w, connection, now) {
                return Err(BasiqError::RefreshLimit);
            }
            let job = scripted_job(w, engine.next_uuid(), &target, now).ok_or(
                BasiqError::ResourceNotFound {
                    parameter: "connectionId",
                },
            )?;
            let body = http::to_bytes(&job_ref(&base, &job.id));
            w.basiq.jobs.push(job);
            w.changed();
            Ok(http::json(StatusCode::ACCEPTED, body))
        },
    )
}

/// `POST /users/{userId}/connections/refresh` (SERVER): 202 with one job per active connection
/// (and the running job of any connection that has one).
pub async fn refresh_all(
    State(engine): State<Engine>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Response {
    let user = param(&path);
    on_user(&engine, &headers, Access::Server, user, &[], |w, now| {
        let connections = w
            .basiq
            .user(user)
            .ok_or(BasiqError::UserNotFound)?
            .connections
            .clone();
        let base = base(&engine, &headers);
        let mut refs = Vec::new();
        for connection in &connections {
            if let Some(job) = running_job(w, &connection.id, now) {
                refs.push(job.id.clone());
                continue;
            }
            // Only active connections are refreshed: an invalid one needs its credentials
            // updated, a pre-init one its authorisation finished.
            if refresh_limit_reached(w, connection, now)
                || connection.status != "active"
                || connection.uploaded()
            {
                continue;
            }
            let target = super::part::target(user, &connection.id);
            let Some(job) = scripted_job(w, engine.next_uuid(), &target, now) else {
                continue;
            };
            refs.push(job.id.clone());
            w.basiq.jobs.push(job);
        }
        w.changed();
        let data: Vec<_> = refs.iter().map(|id| job_ref(&base, id)).collect();
        let body = serde_json::json!({ "type": "list", "data": data });
        Ok(http::json(StatusCode::ACCEPTED, http::to_bytes(&body)))
    })
}

/// `DELETE /users/{userId}/connections/{connectionId}` (SERVER): 204; accounts and transactions
/// stay with the user.
pub async fn delete(
    State(engine): State<Engine>,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
) -> Response {
    let (user, id) = params(&path);
    on_user(
        &engine,
        &headers,
        Access::Server,
        user,
        &[(id, CONNECTION_ID)],
        |w, now| {
            find(&w.basiq, user, id)?;
            remove(w, now, user, id);
            Ok(http::empty(StatusCode::NO_CONTENT))
        },
    )
}

/// Deletes a user's connection, as `DELETE /users/{id}/connections/{id}`, a revoked consent and
/// the Consent UI's "Disconnect" do: `connection.deleted`, then the connection and its scripted
/// transitions are gone; its accounts and transactions stay with the user.
pub(crate) fn remove(w: &mut World, now: DateTime<Utc>, user: &str, id: &str) {
    super::events::connection_event(&mut w.basiq, w.seed, now, "deleted", user, id);
    if let Some(u) = w.basiq.user_mut(user) {
        u.connections.retain(|c| c.id != id);
    }
    w.forget(|t| super::part::user_connection(t).is_some_and(|(_, connection)| connection == id));
    w.changed();
}

/// `POST /users/{userId}/connections/{connectionId}/purge` (SERVER): 204; the connection's
/// accounts and transactions are deleted, the connection stays. Active connections only.
pub async fn purge(
    State(engine): State<Engine>,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
) -> Response {
    let (user, id) = params(&path);
    on_user(
        &engine,
        &headers,
        Access::Server,
        user,
        &[(id, CONNECTION_ID)],
        |w, _| {
            if find(&w.basiq, user, id)?.status != "active" {
                return Err(BasiqError::ConnectionNotActive);
            }
            let u = w.basiq.user_mut(user).ok_or(BasiqError::UserNotFound)?;
            u.accounts.retain(|a| a.connection != id);
            u.transactions.retain(|t| t.connection() != id);
            w.changed();
            Ok(http::empty(StatusCode::NO_CONTENT))
        },
    )
}
