//! The Consent UI stand-in: the pages Basiq hosts at `consent.basiq.io/home`, served on the
//! Basiq listener at `/consent/home`.
//!
//! `GET /consent/home?token=<CLIENT_ACCESS token>` (or `?authLink=<id>`, where an auth link's
//! `links.public` points, after the 6-digit code of the link's SMS) with optional `action`,
//! `state` and `institutionId` opens the flow: the consent screen, the institution picker
//! (skipped when `institutionId` names one), the credentials form (at an open-banking bank: the
//! member number, the one-time password and the accounts to share; the connection is `pre-init`
//! from the moment the bank's pages open, and stays so if the user leaves them), then
//! `GET /consent/home/job`, which follows the job as the hosted page does — "connecting" while
//! `verify-credentials` runs, the MFA prompt while `mfa-challenge` waits, the failure and a way
//! back when the login fails. With `connectionId` (one of the user's web
//! connections) the flow opens on that institution's credentials form and gives the connection
//! the new login, as `POST /users/{id}/connections/{id}` does; an open-banking connection is
//! re-authorised instead, with a new expiry. Once the credentials (and any MFA answer) are
//! accepted, the user is sent to the application's redirect URL with `?jobIds=…&state=…`, or,
//! without one, shown the job ids. Connections, jobs and MFA answers go through the same code as
//! `POST /users/{id}/connections` and `POST /jobs/{id}/mfa`, so the API sees the same results.
//!
//! With `action=manage` it shows the user's consent and connected banks instead: each bank can be
//! disconnected and the consent revoked, through the same code as the API's deletes. With
//! `action=extend`, or `update` (which falls back to `extend` while the consent policy is
//! unchanged, as sandbank's always is), it offers the active consent another term.
//!
//! Every page carries the flow's parameters forward in its links and hidden fields; the only thing
//! kept between requests is that an auth link's code was entered.

use axum::extract::rejection::BytesRejection;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use bytes::Bytes;
use chrono::{DateTime, Utc};

use super::auth::Claims;
use super::connections::Login;
use super::jobs::{Status, answer_mfa};
use super::model::{AuthLink, Scope};
use super::personas::Sandbox;
use super::query_param;
use crate::engine::Engine;
use crate::html::{self, escape, page, page_with_head};
use crate::jwt;
use crate::world::World;

/// The flow's parameters, carried from page to page.
#[derive(Debug, Default, Clone)]
struct Flow {
    token: Option<String>,
    auth_link: Option<String>,
    action: Option<String>,
    state: Option<String>,
    institution: Option<String>,
    /// A web connection whose credentials the flow updates.
    connection: Option<String>,
}

impl Flow {
    fn read(text: Option<&str>) -> Flow {
        let get = |name| query_param(text, name).filter(|v| !v.is_empty());
        Flow {
            token: get("token"),
            auth_link: get("authLink"),
            action: get("action"),
            state: get("state"),
            institution: get("institutionId"),
            connection: get("connectionId"),
        }
    }

    /// The parameters as a query string (without `?`).
    fn query(&self) -> String {
        let pairs = [
            ("token", &self.token),
            ("authLink", &self.auth_link),
            ("action", &self.action),
            ("state", &self.state),
            ("institutionId", &self.institution),
            ("connectionId", &self.connection),
        ];
        let mut query = String::new();
        for (name, value) in pairs {
            if let Some(v) = value {
                if !query.is_empty() {
                    query.push('&');
                }
                query.push_str(name);
                query.push('=');
                query.push_str(&encode(v));
            }
        }
        query
    }

    /// Where the page of `job` is, with the flow's parameters.
    fn job_url(&self, job: &str) -> String {
        format!("/consent/home/job?{}&jobId={}", self.query(), encode(job))
    }

    /// The preselected institution as a hidden form field (none when there is none).
    fn institution_field(&self) -> String {
        self.institution
            .as_ref()
            .map(|i| {
                format!(
                    r#"<input type="hidden" name="institutionId" value="{}">"#,
                    escape(i)
                )
            })
            .unwrap_or_default()
    }

    /// The parameters as hidden form fields.
    fn hidden(&self) -> String {
        let pairs = [
            ("token", &self.token),
            ("authLink", &self.auth_link),
            ("action", &self.action),
            ("state", &self.state),
            ("connectionId", &self.connection),
        ];
        pairs
            .iter()
            .filter_map(|(name, value)| {
                value.as_ref().map(|v| {
                    format!(
                        r#"<input type="hidden" name="{name}" value="{}">"#,
                        escape(v)
                    )
                })
            })
            .collect()
    }
}

/// Why the flow cannot start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
enum Refused {
    #[error("This link needs a CLIENT_ACCESS token or an auth link.")]
    Missing,
    #[error(
        "The token is not valid for this application, or is not a CLIENT_ACCESS token bound to a user."
    )]
    TokenInvalid,
    #[error("The token has expired.")]
    TokenExpired,
    #[error("This auth link is not valid: it expired, was replaced, deleted or used.")]
    LinkUnavailable,
    #[error("The user no longer exists.")]
    UserGone,
    #[error("There is no consent to extend.")]
    NothingToExtend,
    #[error("There is no consent to manage.")]
    NothingToManage,
    #[error("The connection to update is not one of the user's.")]
    NoSuchConnection,
}

/// The user the flow acts for, from its token or auth link.
fn user_of(engine: &Engine, w: &World, now: DateTime<Utc>, flow: &Flow) -> Result<String, Refused> {
    let user = if let Some(token) = &flow.token {
        let claims: Claims = jwt::verify(engine.secret(), token).ok_or(Refused::TokenInvalid)?;
        if claims.application != w.basiq.id || claims.scope != Scope::Client {
            return Err(Refused::TokenInvalid);
        }
        if claims.exp <= now.timestamp() {
            return Err(Refused::TokenExpired);
        }
        claims.user.ok_or(Refused::TokenInvalid)?
    } else if let Some(link) = &flow.auth_link {
        w.basiq
            .users
            .iter()
            .find(|u| {
                u.auth_link
                    .as_ref()
                    .is_some_and(|l| l.id == *link && !l.deleted && l.expires.at > now)
            })
            .map(|u| u.id.clone())
            .ok_or(Refused::LinkUnavailable)?
    } else {
        return Err(Refused::Missing);
    };
    let u = w.basiq.user(&user).ok_or(Refused::UserGone)?;
    if extending(flow) && !u.consents.iter().any(|c| c.active(now)) {
        return Err(Refused::NothingToExtend);
    }
    if flow.action.as_deref() == Some("manage") && u.consents.is_empty() {
        return Err(Refused::NothingToManage);
    }
    if let Some(c) = &flow.connection
        && u.connection(c).is_none()
    {
        return Err(Refused::NoSuchConnection);
    }
    Ok(user)
}

/// Whether the flow extends the consent: `action=extend`, or `update`, which falls back to
/// `extend` while the consent policy is unchanged (sandbank's never changes).
fn extending(flow: &Flow) -> bool {
    matches!(flow.action.as_deref(), Some("extend" | "update")) && flow.connection.is_none()
}

/// The auth link the flow came through, when its SMS code has not been entered yet.
fn code_pending<'a>(w: &'a World, user: &str, flow: &Flow) -> Option<&'a AuthLink> {
    let link = flow.auth_link.as_ref()?;
    w.basiq
        .user(user)?
        .auth_link
        .as_ref()
        .filter(|l| l.id == *link && !l.code_entered)
}

/// The page that asks for the 6-digit code the auth link's SMS carried.
fn code_page(flow: &Flow, link: &AuthLink, error: Option<&str>) -> Response {
    let digits: String = link.mobile.chars().filter(char::is_ascii_digit).collect();
    let ending = &digits[digits.len().saturating_sub(3)..];
    page(
        StatusCode::OK,
        "Verify your mobile",
        &format!(
            r#"{error}<p>Enter the 6-digit code we sent by SMS to your mobile ending in {ending}.</p>
<form id="sms" method="post" action="/consent/home">{hidden}
<input type="hidden" name="step" value="sms">{institution}
<label>Code <input id="code" name="code" inputmode="numeric" autocomplete="one-time-code"></label>
<button id="verify" type="submit">Verify</button>
</form>"#,
            error = html::error(error),
            ending = escape(ending),
            hidden = flow.hidden(),
            institution = flow.institution_field(),
        ),
    )
}

fn refused(reason: Refused) -> Response {
    page(
        StatusCode::UNAUTHORIZED,
        "Link unavailable",
        &html::error(Some(&reason.to_string())),
    )
}

/// `GET /consent/home`: the consent screen, or with `connectionId` the credentials form of
/// that connection's institution (the credential update of a web connection).
pub async fn home(State(engine): State<Engine>, RawQuery(query): RawQuery) -> Response {
    let mut flow = Flow::read(query.as_deref());
    engine.with_world_at(|w, now| {
        let user = match user_of(&engine, w, now, &flow) {
            Ok(u) => u,
            Err(reason) => return refused(reason),
        };
        if let Some(link) = code_pending(w, &user, &flow) {
            return code_page(&flow, link, None);
        }
        if flow.action.as_deref() == Some("manage") && flow.connection.is_none() {
            return manage(w, &user, &flow, None);
        }
        if extending(&flow) {
            return extend_page(w, now, &user, &flow);
        }
        if let Some(c) = &flow.connection {
            let institution = w
                .basiq
                .user(&user)
                .and_then(|u| u.connection(c))
                .map(|c| c.institution.clone())
                .unwrap_or_default();
            flow.institution = Some(institution.clone());
            return credentials(&w.basiq.sandbox, &flow, &institution, None);
        }
        page(
            StatusCode::OK,
            "Share your financial data",
            &format!(
                r#"<p>{app} is asking to see your accounts, balances and transactions, and the
details the bank holds about you, for the next 12 months.</p>
<form id="consent" method="post" action="/consent/home">{hidden}
<input type="hidden" name="step" value="consent">{institution}
<button id="agree" type="submit">I agree</button>
</form>"#,
                app = escape(&w.basiq.id),
                hidden = flow.hidden(),
                institution = flow.institution_field(),
            ),
        )
    })
}

/// `POST /consent/home` (form): one step of the flow, named by the `step` field.
pub async fn step(State(engine): State<Engine>, bytes: Result<Bytes, BytesRejection>) -> Response {
    let text = bytes
        .ok()
        .and_then(|b| String::from_utf8(b.to_vec()).ok())
        .unwrap_or_default();
    let form = Some(text.as_str());
    let flow = Flow::read(form);
    let field = |name: &str| query_param(form, name).unwrap_or_default();
    engine.with_world_at(|w, now| {
        let user = match user_of(&engine, w, now, &flow) {
            Ok(u) => u,
            Err(reason) => return refused(reason),
        };
        if field("step") == "sms" {
            let right = field("code").trim() == w.basiq.auth_link_code;
            let link = w
                .basiq
                .user_mut(&user)
                .and_then(|u| u.auth_link.as_mut())
                .filter(|l| Some(&l.id) == flow.auth_link.as_ref());
            return match link {
                Some(l) if right => {
                    l.code_entered = true;
                    w.changed();
                    see_other(&format!("/consent/home?{}", flow.query()))
                }
                Some(l) => {
                    let l = l.clone();
                    code_page(
                        &flow,
                        &l,
                        Some("That code is not correct. Check the SMS and try again."),
                    )
                }
                None => see_other(&format!("/consent/home?{}", flow.query())),
            };
        }
        if let Some(link) = code_pending(w, &user, &flow) {
            return code_page(&flow, link, None);
        }
        match field("step").as_str() {
            "disconnect" => {
                let id = field("disconnect");
                if w.basiq
                    .user(&user)
                    .and_then(|u| u.connection(&id))
                    .is_none()
                {
                    return manage(w, &user, &flow, None);
                }
                super::connections::remove(w, now, &user, &id);
                manage(w, &user, &flow, Some("The bank was disconnected."))
            }
            "revoke" => {
                let consent = w
                    .basiq
                    .user(&user)
                    .and_then(|u| u.consents.first())
                    .map(|c| c.id.clone())
                    .unwrap_or_default();
                match super::consents::revoke(w, now, &user, &consent) {
                    Ok(()) => back_to_app(w, &flow, None),
                    Err(e) => manage(w, &user, &flow, Some(&e.to_string())),
                }
            }
            "done" => back_to_app(w, &flow, None),
            "extend" if extending(&flow) => {
                if super::consents::extend(w, now, &user) {
                    back_to_app(w, &flow, None)
                } else {
                    refused(Refused::NothingToExtend)
                }
            }
            "consent" | "institution" => {
                let Some(bank) = flow
                    .institution
                    .as_deref()
                    .and_then(|i| w.basiq.sandbox.institution(i))
                    .cloned()
                else {
                    return picker(&w.basiq.sandbox, &flow);
                };
                // Sending the user to an open-banking bank's pages opens the connection.
                let opened = match &flow.connection {
                    None if bank.open_banking => {
                        super::connections::open(&engine, w, now, &user, &bank.id).err()
                    }
                    _ => None,
                };
                let error = opened.map(|e| e.to_string());
                credentials(&w.basiq.sandbox, &flow, &bank.id, error.as_deref())
            }
            "credentials"
                if flow
                    .institution
                    .as_deref()
                    .and_then(|i| w.basiq.sandbox.institution(i))
                    .is_some_and(|i| i.open_banking) =>
            {
                let institution = flow.institution.clone().unwrap_or_default();
                let member = field("loginId").trim().to_owned();
                if member.is_empty() {
                    return credentials(
                        &w.basiq.sandbox,
                        &flow,
                        &institution,
                        Some("Enter your member number."),
                    );
                }
                one_time_password(&w.basiq.sandbox, &flow, &institution, &member, None)
            }
            "otp" | "authorise" => {
                let institution = flow.institution.clone().unwrap_or_default();
                let (member, code) = (field("loginId"), field("password"));
                let sandbox = w.basiq.sandbox.clone();
                let Some(persona) = sandbox.login(&institution, &member, &code) else {
                    return one_time_password(
                        &sandbox,
                        &flow,
                        &institution,
                        &member,
                        Some("The member number or one-time password is not correct."),
                    );
                };
                let chosen: Vec<usize> = query_values(form, "account")
                    .iter()
                    .filter_map(|a| a.parse().ok())
                    .collect();
                let accounts = persona.spec.accounts.len();
                if field("step") == "otp" && accounts > 0 {
                    return choose_accounts(&sandbox, &flow, &institution, &member, &code, None);
                }
                if accounts > 0 && chosen.is_empty() {
                    return choose_accounts(
                        &sandbox,
                        &flow,
                        &institution,
                        &member,
                        &code,
                        Some("Choose at least one account to share."),
                    );
                }
                let login = Login {
                    institution,
                    login_id: member,
                    password: code,
                    accounts: (accounts > 0).then_some(chosen),
                };
                connect(&engine, w, now, &user, &flow, login, true)
            }
            "credentials" => {
                let Some(institution) = flow.institution.clone() else {
                    return picker(&w.basiq.sandbox, &flow);
                };
                let (login, password) = (field("loginId"), field("password"));
                if login.trim().is_empty() || password.is_empty() {
                    return credentials(
                        &w.basiq.sandbox,
                        &flow,
                        &institution,
                        Some("Enter your login id and password."),
                    );
                }
                let login = Login {
                    institution,
                    login_id: login.trim().to_owned(),
                    password,
                    accounts: None,
                };
                connect(&engine, w, now, &user, &flow, login, false)
            }
            "mfa" => {
                let job = field("jobId");
                let Some(index) = w
                    .basiq
                    .jobs
                    .iter()
                    .position(|j| j.id == job && j.user == user)
                else {
                    return picker(&w.basiq.sandbox, &flow);
                };
                let inputs = w.basiq.jobs[index]
                    .challenge
                    .as_ref()
                    .map_or(0, |c| c.input.len());
                let answers: Vec<String> =
                    (0..inputs).map(|i| field(&format!("answer{i}"))).collect();
                match answer_mfa(w, now, index, &answers) {
                    Ok(()) => see_other(&flow.job_url(&job)),
                    Err(e) => job_page(w, now, &flow, index, Some(&e.to_string())),
                }
            }
            _ => picker(&w.basiq.sandbox, &flow),
        }
    })
}

/// Connects with `login`, or with a `connectionId` gives that connection the login (re-authorises
/// it when `open_banking`), through the API's own code; then the job's page, or the bank's form
/// with the error.
fn connect(
    engine: &Engine,
    w: &mut World,
    now: DateTime<Utc>,
    user: &str,
    flow: &Flow,
    login: Login,
    open_banking: bool,
) -> Response {
    let institution = login.institution.clone();
    let started = match &flow.connection {
        Some(c) => super::connections::renew(
            engine,
            w,
            now,
            user,
            c,
            (Some(login.login_id), login.password),
            open_banking,
        ),
        None => super::connections::start(engine, w, now, user, login),
    };
    match started {
        Ok((_, job)) => see_other(&flow.job_url(&job)),
        Err(e) => credentials(&w.basiq.sandbox, flow, &institution, Some(&e.to_string())),
    }
}

/// `GET /consent/home/job?jobId=…`: where the job the credentials started stands.
pub async fn job(State(engine): State<Engine>, RawQuery(query): RawQuery) -> Response {
    let flow = Flow::read(query.as_deref());
    let job = query_param(query.as_deref(), "jobId").unwrap_or_default();
    engine.with_world_at(|w, now| {
        let user = match user_of(&engine, w, now, &flow) {
            Ok(u) => u,
            Err(reason) => return refused(reason),
        };
        if let Some(link) = code_pending(w, &user, &flow) {
            return code_page(&flow, link, None);
        }
        match w
            .basiq
            .jobs
            .iter()
            .position(|j| j.id == job && j.user == user)
        {
            Some(index) => job_page(w, now, &flow, index, None),
            None => picker(&w.basiq.sandbox, &flow),
        }
    })
}

fn job_page(
    w: &mut World,
    now: DateTime<Utc>,
    flow: &Flow,
    index: usize,
    error: Option<&str>,
) -> Response {
    let job = &w.basiq.jobs[index];
    let states = job.states(now);
    let institution = job.institution.clone();
    let bank = bank_name(&w.basiq.sandbox, &institution);
    let failed = states.iter().find(|s| s.status == Status::Failed);
    let step = |title: &str| states.iter().find(|s| s.title == title);
    if let Some(f) = failed
        && f.title != "retrieve-accounts"
        && f.title != "retrieve-transactions"
    {
        let detail = job
            .failure
            .as_ref()
            .map_or("The verification code was not entered in time.", |f| {
                &f.detail
            });
        return page(
            StatusCode::OK,
            "We couldn't connect",
            &format!(
                r#"{}
<form id="retry" method="post" action="/consent/home">{hidden}
<input type="hidden" name="step" value="institution">
<input type="hidden" name="institutionId" value="{id}">
<button id="again" type="submit">Try again</button>
</form>"#,
                html::error(Some(detail)),
                hidden = flow.hidden(),
                id = escape(&institution),
            ),
        );
    }
    if let (Some(challenge), Some(s)) = (&job.challenge, step("mfa-challenge"))
        && s.status == Status::InProgress
    {
        let mut inputs = String::new();
        for (i, label) in challenge.input.iter().enumerate() {
            inputs.push_str(&format!(
                r#"<label>{label} <input id="answer{i}" name="answer{i}" autocomplete="off"></label>"#,
                label = escape(label),
            ));
        }
        let error = html::error(error);
        return page(
            StatusCode::OK,
            bank,
            &format!(
                r#"{error}<p>{description}</p>
<form id="mfa" method="post" action="/consent/home">{hidden}
<input type="hidden" name="step" value="mfa">
<input type="hidden" name="jobId" value="{job}">
{inputs}
<button id="submit" type="submit">Submit</button>
</form>"#,
                description = escape(&challenge.description),
                hidden = flow.hidden(),
                job = escape(&job.id),
            ),
        );
    }
    let verified = step("verify-credentials").is_some_and(|s| s.status == Status::Success)
        && step("mfa-challenge").is_none_or(|s| s.status == Status::Success);
    if verified {
        return finish(w, flow, index);
    }
    page_with_head(
        StatusCode::OK,
        bank,
        r#"<meta http-equiv="refresh" content="1">"#,
        &format!(r#"<p id="connecting">Connecting to {}…</p>"#, escape(bank)),
    )
}

/// The end of the flow: the auth link is used up, and the user goes back to the application.
fn finish(w: &mut World, flow: &Flow, index: usize) -> Response {
    let job = w.basiq.jobs[index].id.clone();
    let user = w.basiq.jobs[index].user.clone();
    if let Some(link) = &flow.auth_link
        && let Some(l) = w
            .basiq
            .user_mut(&user)
            .and_then(|u| u.auth_link.as_mut())
            .filter(|l| l.id == *link)
    {
        l.deleted = true;
        w.changed();
    }
    back_to_app(w, flow, Some(&job))
}

/// Sends the user back to the application's redirect URL, with `jobIds` when the flow started
/// a job and `state` when it was given; without a redirect URL, shows that query.
fn back_to_app(w: &World, flow: &Flow, job: Option<&str>) -> Response {
    let mut pairs = Vec::new();
    if let Some(job) = job {
        pairs.push(format!("jobIds={}", encode(job)));
    }
    if let Some(state) = &flow.state {
        pairs.push(format!("state={}", encode(state)));
    }
    let query = pairs.join("&");
    match &w.basiq.redirect_url {
        Some(url) if query.is_empty() => see_other(url),
        Some(url) => {
            let joiner = if url.contains('?') { '&' } else { '?' };
            see_other(&format!("{url}{joiner}{query}"))
        }
        None => page(
            StatusCode::OK,
            "All done",
            &format!(
                r#"<p>{} The application receives <code id="result">{}</code>.</p>"#,
                if job.is_some() {
                    "Your bank is connected."
                } else {
                    "Your choices are saved."
                },
                escape(&query)
            ),
        ),
    }
}

/// `action=manage`: the user's consent and connected banks, each of which can be disconnected,
/// the consent revoked (which disconnects them all), or the user sent back.
fn manage(w: &World, user: &str, flow: &Flow, notice: Option<&str>) -> Response {
    let Some(u) = w.basiq.user(user) else {
        return refused(Refused::UserGone);
    };
    let mut banks = String::new();
    for c in &u.connections {
        let bank = bank_name(&w.basiq.sandbox, &c.institution);
        banks.push_str(&format!(
            r#"<li>{bank} ({status})<form method="post" action="/consent/home">{hidden}
<input type="hidden" name="step" value="disconnect">
<input type="hidden" name="disconnect" value="{id}">
<button class="disconnect" id="disconnect-{id}" type="submit">Disconnect</button></form></li>"#,
            bank = escape(bank),
            status = escape(&c.status),
            hidden = flow.hidden(),
            id = escape(&c.id),
        ));
    }
    if banks.is_empty() {
        banks.push_str("<li>No banks are connected.</li>");
    }
    let expiry = u
        .consents
        .first()
        .map(|c| c.expiry.to_string())
        .unwrap_or_default();
    let notice = notice
        .map(|n| format!(r#"<p id="notice">{}</p>"#, escape(n)))
        .unwrap_or_default();
    page(
        StatusCode::OK,
        "Manage your consent",
        &format!(
            r#"{notice}<p>You share your data with {app} until <span id="expiry">{expiry}</span>.</p>
<ul id="connections">{banks}</ul>
<form id="revoke" method="post" action="/consent/home">{hidden}
<input type="hidden" name="step" value="revoke">
<button id="revoke-consent" type="submit">Revoke consent</button>
</form>
<form id="done" method="post" action="/consent/home">{hidden}
<input type="hidden" name="step" value="done">
<button id="finish" type="submit">Done</button>
</form>"#,
            app = escape(&w.basiq.id),
            expiry = escape(&expiry),
            hidden = flow.hidden(),
        ),
    )
}

/// `action=extend` (or `update`): the consent's current end and the end it would have, with a
/// button that extends it.
fn extend_page(w: &World, now: DateTime<Utc>, user: &str, flow: &Flow) -> Response {
    let current = w
        .basiq
        .user(user)
        .and_then(|u| u.consents.iter().find(|c| c.active(now)))
        .map(|c| c.expiry.to_string())
        .unwrap_or_default();
    let extended = crate::value::Timestamp::seconds(now + super::consents::CONSENT_TERM);
    page(
        StatusCode::OK,
        "Keep sharing your data",
        &format!(
            r#"<p>You share your data with {app} until <span id="expiry">{current}</span>.</p>
<p>Extend it for another 12 months, until <span id="extended">{extended}</span>?</p>
<form id="extend" method="post" action="/consent/home">{hidden}
<input type="hidden" name="step" value="extend">
<button id="agree" type="submit">Extend</button>
</form>"#,
            app = escape(&w.basiq.id),
            current = escape(&current),
            hidden = flow.hidden(),
        ),
    )
}

/// An institution's name, or its id when the sandbox does not know it.
fn bank_name<'a>(sandbox: &'a Sandbox, institution: &'a str) -> &'a str {
    sandbox
        .institution(institution)
        .map_or(institution, |i| &i.name)
}

fn picker(sandbox: &Sandbox, flow: &Flow) -> Response {
    let mut items = String::new();
    for i in sandbox.institutions() {
        items.push_str(&format!(
            r#"<li><form method="post" action="/consent/home">{hidden}
<input type="hidden" name="step" value="institution">
<input type="hidden" name="institutionId" value="{id}">
<button class="institution" id="institution-{id}" type="submit">{name}</button></form></li>"#,
            hidden = flow.hidden(),
            id = escape(&i.id),
            name = escape(&i.name),
        ));
    }
    page(
        StatusCode::OK,
        "Select your bank",
        &format!(r#"<ul id="institutions">{items}</ul>"#),
    )
}

fn credentials(sandbox: &Sandbox, flow: &Flow, institution: &str, error: Option<&str>) -> Response {
    let bank = bank_name(sandbox, institution);
    let error = html::error(error);
    if sandbox
        .institution(institution)
        .is_some_and(|i| i.open_banking)
    {
        return page(
            StatusCode::OK,
            bank,
            &format!(
                r#"{error}<p>You are now with {bank_text}. Sign in to choose the accounts to share.</p>
<form id="member" method="post" action="/consent/home">{hidden}
<input type="hidden" name="step" value="credentials">
<input type="hidden" name="institutionId" value="{id}">
<label>Member number <input id="loginId" name="loginId" autocomplete="off"></label>
<button id="submit" type="submit">Continue</button>
</form>
<p class="hint">Sandbox member number: 374829.</p>"#,
                bank_text = escape(bank),
                hidden = flow.hidden(),
                id = escape(institution),
            ),
        );
    }
    page(
        StatusCode::OK,
        bank,
        &format!(
            r#"{error}<form id="credentials" method="post" action="/consent/home">{hidden}
<input type="hidden" name="step" value="credentials">
<input type="hidden" name="institutionId" value="{id}">
<label>Login id <input id="loginId" name="loginId" autocomplete="off"></label>
<label>Password <input id="password" name="password" type="password"></label>
<button id="submit" type="submit">Connect</button>
</form>
<p class="hint">Sandbox logins: gavinBelson / hooli2016 and the other test personas.</p>"#,
            hidden = flow.hidden(),
            id = escape(institution),
        ),
    )
}

/// The bank's one-time-password page of an open-banking authorisation.
fn one_time_password(
    sandbox: &Sandbox,
    flow: &Flow,
    institution: &str,
    member: &str,
    error: Option<&str>,
) -> Response {
    let bank = bank_name(sandbox, institution);
    page(
        StatusCode::OK,
        bank,
        &format!(
            r#"{error}<p>We sent a one-time password to the mobile of member {member}.</p>
<form id="otp" method="post" action="/consent/home">{hidden}
<input type="hidden" name="step" value="otp">
<input type="hidden" name="institutionId" value="{id}">
<input type="hidden" name="loginId" value="{member}">
<label>One-time password <input id="password" name="password" autocomplete="off"></label>
<button id="submit" type="submit">Continue</button>
</form>
<p class="hint">Sandbox one-time password: 227470.</p>"#,
            error = html::error(error),
            member = escape(member),
            hidden = flow.hidden(),
            id = escape(institution),
        ),
    )
}

/// The bank's account choice of an open-banking authorisation: only the accounts ticked are
/// shared.
fn choose_accounts(
    sandbox: &Sandbox,
    flow: &Flow,
    institution: &str,
    member: &str,
    code: &str,
    error: Option<&str>,
) -> Response {
    let bank = bank_name(sandbox, institution);
    let accounts = sandbox
        .login(institution, member, code)
        .map(|p| p.spec.accounts.as_slice())
        .unwrap_or_default();
    let mut items = String::new();
    for (i, a) in accounts.iter().enumerate() {
        let name = a
            .name
            .as_deref()
            .or(a.class.as_ref().and_then(|c| c.product.as_deref()))
            .unwrap_or("Account");
        let number = a.account_no.as_deref().unwrap_or_default();
        items.push_str(&format!(
            r#"<li><label><input type="checkbox" id="account{i}" name="account" value="{i}" checked> {name} {number}</label></li>"#,
            name = escape(name),
            number = escape(number),
        ));
    }
    page(
        StatusCode::OK,
        bank,
        &format!(
            r#"{error}<p>Choose the accounts to share.</p>
<form id="accounts" method="post" action="/consent/home">{hidden}
<input type="hidden" name="step" value="authorise">
<input type="hidden" name="institutionId" value="{id}">
<input type="hidden" name="loginId" value="{member}">
<input type="hidden" name="password" value="{code}">
<ul>{items}</ul>
<button id="authorise" type="submit">Authorise</button>
</form>"#,
            error = html::error(error),
            hidden = flow.hidden(),
            id = escape(institution),
            member = escape(member),
            code = escape(code),
        ),
    )
}

/// Every value of a repeated form field.
fn query_values(form: Option<&str>, name: &str) -> Vec<String> {
    form.unwrap_or_default()
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .filter(|(k, _)| crate::http::percent_decode(k).as_deref() == Some(name))
        .filter_map(|(_, v)| crate::http::percent_decode(v))
        .collect()
}

fn see_other(location: &str) -> Response {
    let mut response = Response::new(axum::body::Body::empty());
    *response.status_mut() = StatusCode::SEE_OTHER;
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// Percent-encodes everything but unreserved characters.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
