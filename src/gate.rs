//! The gate every vendor request passes, as plain functions around the vendor's router: the
//! world it runs in (its tenant's, [`crate::tenants`]), the scripted transitions waiting for
//! it, the body limit ([`crate::limits`]), fault rules ([`crate::faults`]), then its handler
//! (a hot read straight from the vendor, [`crate::vendor::Vendor::hot`], anything else
//! through the router), then the request journal ([`crate::journal`]) and the request's log line
//! ([`crate::logging`]). Admin calls do not pass it.
//!
//! [`enter`] runs the part that needs no waiting while the request is handed over: a request
//! refused at the gate or answered by a hot read leaves it answered, with nothing left to poll.
//! Anything else comes out [`Onward`], whose [`Onward::finish`] waits for a tenant's world, a
//! fault rule's delay or the router.

use std::time::Instant;

use axum::http::{Request, StatusCode};
use chrono::{DateTime, Utc};

use crate::answer::{self, Answer, Quick};
use crate::engine::Engine;
use crate::faults::Action;
use crate::journal::RequestLine;
use crate::vendor::{Head, Vendor};
use crate::{faults, journal, limits, tenants};

/// Where a request stands after [`enter`]. Matched as soon as it is returned, so its size
/// costs one move; boxing the request would cost an allocation instead.
#[allow(clippy::large_enum_variant)]
pub enum Entry<B> {
    /// Answered at the gate: journalled and logged.
    Answered(Quick),
    /// Still to be handled.
    Onward(Onward<B>),
}

/// A request the gate could not answer while handing it over.
pub struct Onward<B> {
    request: Request<B>,
    stage: Stage,
}

enum Stage {
    /// Its tenant's world is still to be found; nothing has been done with it yet.
    Tenant,
    /// Counted, checked and (when no fault rule matched) offered to the hot reads.
    Passing(Passing),
}

/// A request between the gate's checks and its journal entry.
struct Passing {
    /// When it arrived, timed only for the log line, when it is written.
    started: Option<Instant>,
    now: DateTime<Utc>,
    line: RequestLine,
    tenant: Option<String>,
    /// The fault rule it matched; `None` means the hot reads declined it already.
    fault: Option<Action>,
}

/// Starts `request` through the gate; its body is not touched on the way.
pub fn enter<B>(engine: &Engine, vendor: &'static dyn Vendor, request: Request<B>) -> Entry<B> {
    if engine.config().tenant_per_key {
        return Entry::Onward(Onward {
            request,
            stage: Stage::Tenant,
        });
    }
    match pass(engine, vendor, None, request) {
        Passed::Answered(response) => Entry::Answered(response),
        Passed::ToHandler(request, passing) => Entry::Onward(Onward {
            request,
            stage: Stage::Passing(passing),
        }),
    }
}

/// What the gate's checks leave of a request (sized like [`Entry`], for the same reason).
#[allow(clippy::large_enum_variant)]
enum Passed<B> {
    Answered(Quick),
    ToHandler(Request<B>, Passing),
}

/// The gate's checks, in the request's world: counted toward the transitions waiting for it,
/// refused when its declared body is too large, matched against the fault rules and, when none
/// matched, offered to the vendor's hot reads.
fn pass<B>(
    engine: &Engine,
    vendor: &'static dyn Vendor,
    tenant: Option<String>,
    request: Request<B>,
) -> Passed<B> {
    let started = tracing::enabled!(tracing::Level::INFO).then(Instant::now);
    let now = engine.now();
    let line = journal::line_of(&request);
    engine.count_request(
        vendor.name(),
        request.method().as_str(),
        request.uri().path(),
    );
    let mut passing = Passing {
        started,
        now,
        line,
        tenant,
        fault: None,
    };
    let head = Head::of(&request);
    if let Some(refused) = limits::refuse(engine, vendor, &head) {
        let refused = Quick::from(answer::from_router(refused));
        passing.close(engine, vendor, refused.status(), refused.drops());
        return Passed::Answered(refused);
    }
    passing.fault = engine.faults().take(
        vendor.name(),
        request.method().as_str(),
        request.uri().path(),
    );
    if passing.fault.is_none()
        && let Some(answered) = vendor.hot(engine, &head, now)
    {
        passing.close(engine, vendor, answered.status(), answered.drops());
        return Passed::Answered(answered);
    }
    Passed::ToHandler(request, passing)
}

impl<B> Onward<B> {
    /// The rest of the gate: the tenant's world, the fault rule, `handler`, the journal.
    pub async fn finish<F, Fut>(
        self,
        engine: Engine,
        vendor: &'static dyn Vendor,
        handler: F,
    ) -> Answer
    where
        F: FnOnce(Request<B>) -> Fut,
        Fut: Future<Output = axum::response::Response>,
    {
        match self.stage {
            Stage::Passing(passing) => passing.run(&engine, vendor, self.request, handler).await,
            Stage::Tenant => {
                let request = self.request;
                let (name, world) = tenants::world_of(&engine, vendor, &request).await.unzip();
                tenants::CURRENT
                    .scope(world, async {
                        match pass(&engine, vendor, name, request) {
                            Passed::Answered(response) => response.into_answer(),
                            Passed::ToHandler(request, passing) => {
                                passing.run(&engine, vendor, request, handler).await
                            }
                        }
                    })
                    .await
            }
        }
    }
}

impl Passing {
    /// Applies the fault rule it matched, if any, and hands it to its handler.
    async fn run<B, F, Fut>(
        mut self,
        engine: &Engine,
        vendor: &'static dyn Vendor,
        request: Request<B>,
        handler: F,
    ) -> Answer
    where
        F: FnOnce(Request<B>) -> Fut,
        Fut: Future<Output = axum::response::Response>,
    {
        let response = match self.fault.take() {
            None => answer::from_router(handler(request).await),
            Some(action) => {
                let now = self.now;
                let lane = |request: Request<B>| async move {
                    match vendor.hot(engine, &Head::of(&request), now) {
                        Some(answered) => answer::into_router(answered.into_answer()),
                        None => handler(request).await,
                    }
                };
                answer::from_router(faults::act(engine, vendor, action, request, lane).await)
            }
        };
        let dropped = faults::drops(&response);
        self.close(engine, vendor, response.status(), dropped);
        response
    }

    /// Logs and journals the request's answer: its status, or a dropped connection.
    fn close(
        self,
        engine: &Engine,
        vendor: &'static dyn Vendor,
        status: StatusCode,
        dropped: bool,
    ) {
        let name = vendor.name();
        let line = self.line;
        tracing::info!(
            vendor = name,
            method = %line.method(),
            path = %line.path(),
            status = status.as_u16(),
            micros = self.started.map_or(0, |s| s.elapsed().as_micros() as u64),
            tenant = %self.tenant.as_deref().map_or_else(|| "-".to_owned(), crate::logging::fingerprint),
            "request"
        );
        journal::record(engine, name, line, (!dropped).then_some(status), self.now);
    }
}
