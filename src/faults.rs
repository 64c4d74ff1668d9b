//! Fault injection: rules set through `/__admin/faults` that make matching vendor requests
//! slow, fail with a status in the vendor's own error envelope (`429` with `Retry-After`), or
//! lose their connection without an answer — each at most `times` times.
//!
//! [`apply`] runs in the vendor gate (`crate::gate`) before any handler, so a failed request
//! changes no state. The oldest rule that matches and has firings left applies. A reset clears the rules.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::engine::Engine;
use crate::vendor::{Refusal, Vendor};
use crate::world::timeline::path_matches;

/// Rules kept at most.
pub const MAX_RULES: usize = 1000;
/// The longest delay a rule may add.
pub const MAX_DELAY_MS: u64 = 300_000;
/// `Retry-After` seconds sent with an injected 429 unless the rule says otherwise.
const DEFAULT_RETRY_AFTER: u64 = 60;

/// A rule as the admin API takes it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// `basiq` or `meld`; both when absent.
    pub vendor: Option<String>,
    /// Any method when absent.
    pub method: Option<String>,
    /// Exact path, `*` standing for one segment; any path when absent.
    pub path: Option<String>,
    /// Answer with this status (400–599) in the vendor's envelope.
    pub status: Option<u16>,
    /// Wait this long (real time) before answering.
    pub delay_ms: Option<u64>,
    /// Fire at most this many times (for ever when absent).
    pub times: Option<u32>,
    /// Close the connection without answering.
    pub drop: Option<bool>,
    /// `Retry-After` of an injected 429, in seconds.
    pub retry_after: Option<u64>,
}

/// Why a rule was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FaultError {
    #[error("vendor must be \"basiq\" or \"meld\"")]
    Vendor,
    #[error("status must be an error status, 400 to 599")]
    Status,
    #[error("delay_ms must be at most {MAX_DELAY_MS}")]
    Delay,
    #[error("times counts firings, from 1")]
    Times,
    #[error("path must start with /")]
    Path,
    #[error("a rule needs something to do: status, delay_ms or drop")]
    Nothing,
    #[error("drop closes the connection: it cannot also answer with a status")]
    DropAndStatus,
    #[error("retry_after goes with status 429")]
    RetryAfter,
    #[error("at most {MAX_RULES} rules; delete some first")]
    Full,
}

/// What a firing rule does to a request.
#[derive(Debug, Clone, Copy)]
pub struct Action {
    pub delay: Duration,
    pub status: Option<StatusCode>,
    pub drop: bool,
    pub retry_after: u64,
}

#[derive(Debug, Clone)]
struct Rule {
    id: String,
    spec: Spec,
    fired: u32,
}

impl Rule {
    fn live(&self) -> bool {
        self.spec.times.is_none_or(|t| self.fired < t)
    }

    fn matches(&self, vendor: &str, method: &str, path: &str) -> bool {
        self.spec.vendor.as_deref().is_none_or(|v| v == vendor)
            && self
                .spec
                .method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method))
            && self
                .spec
                .path
                .as_deref()
                .is_none_or(|p| path_matches(p, path))
    }

    fn to_json(&self) -> Value {
        let s = &self.spec;
        json!({
            "id": self.id,
            "vendor": s.vendor,
            "method": s.method,
            "path": s.path,
            "status": s.status,
            "delay_ms": s.delay_ms,
            "times": s.times,
            "drop": s.drop.unwrap_or(false),
            "retry_after": s.retry_after,
            "fired": self.fired,
        })
    }
}

/// The rules in force.
#[derive(Debug, Default)]
pub struct Faults {
    rules: Mutex<(Vec<Rule>, u64)>,
    /// Rules with firings left, so requests skip the lock when there are none.
    live: AtomicUsize,
}

impl Faults {
    fn with<R>(&self, f: impl FnOnce(&mut (Vec<Rule>, u64)) -> R) -> R {
        let mut guard = self.rules.lock().unwrap_or_else(|e| e.into_inner());
        let out = f(&mut guard);
        let live = guard.0.iter().filter(|r| r.live()).count();
        self.live.store(live, Ordering::Relaxed);
        out
    }

    /// Adds a rule; returns its id.
    pub fn add(&self, spec: Spec) -> Result<String, FaultError> {
        check(&spec)?;
        self.with(|(rules, next)| {
            if rules.len() >= MAX_RULES {
                return Err(FaultError::Full);
            }
            *next += 1;
            let id = format!("fault-{next}");
            rules.push(Rule {
                id: id.clone(),
                spec,
                fired: 0,
            });
            Ok(id)
        })
    }

    /// Every rule, oldest first, with how often it fired.
    pub fn list(&self) -> Vec<Value> {
        self.with(|(rules, _)| rules.iter().map(Rule::to_json).collect())
    }

    /// Removes a rule; false if there is none with this id.
    pub fn remove(&self, id: &str) -> bool {
        self.with(|(rules, _)| {
            let before = rules.len();
            rules.retain(|r| r.id != id);
            rules.len() != before
        })
    }

    /// Removes every rule.
    pub fn clear(&self) {
        self.with(|(rules, next)| {
            rules.clear();
            *next = 0;
        });
    }

    /// Fires the first live rule matching the request, if any.
    pub fn take(&self, vendor: &str, method: &str, path: &str) -> Option<Action> {
        if self.live.load(Ordering::Relaxed) == 0 {
            return None;
        }
        self.with(|(rules, _)| {
            let rule = rules
                .iter_mut()
                .find(|r| r.live() && r.matches(vendor, method, path))?;
            rule.fired += 1;
            let s = &rule.spec;
            Some(Action {
                delay: Duration::from_millis(s.delay_ms.unwrap_or(0)),
                status: s.status.and_then(|c| StatusCode::from_u16(c).ok()),
                drop: s.drop.unwrap_or(false),
                retry_after: s.retry_after.unwrap_or(DEFAULT_RETRY_AFTER),
            })
        })
    }
}

fn check(spec: &Spec) -> Result<(), FaultError> {
    if spec
        .vendor
        .as_deref()
        .is_some_and(|v| crate::vendors::named(v).is_none())
    {
        return Err(FaultError::Vendor);
    }
    if spec.status.is_some_and(|s| !(400..=599).contains(&s)) {
        return Err(FaultError::Status);
    }
    if spec.delay_ms.is_some_and(|d| d > MAX_DELAY_MS) {
        return Err(FaultError::Delay);
    }
    if spec.times == Some(0) {
        return Err(FaultError::Times);
    }
    if spec.path.as_deref().is_some_and(|p| !p.starts_with('/')) {
        return Err(FaultError::Path);
    }
    let drop = spec.drop.unwrap_or(false);
    if drop && spec.status.is_some() {
        return Err(FaultError::DropAndStatus);
    }
    if !drop && spec.status.is_none() && spec.delay_ms.is_none() {
        return Err(FaultError::Nothing);
    }
    if spec.retry_after.is_some() && spec.status != Some(429) {
        return Err(FaultError::RetryAfter);
    }
    Ok(())
}

/// Marks a response whose connection the server closes instead of answering.
#[derive(Debug, Clone, Copy)]
pub struct DropConnection;

/// Whether `response` is marked [`DropConnection`].
pub fn drops<B>(response: &axum::http::Response<B>) -> bool {
    response.extensions().get::<DropConnection>().is_some()
}

/// The error the connection service returns for a [`DropConnection`] response, which makes
/// the HTTP/1.1 connection close without a response.
#[derive(Debug, thiserror::Error)]
#[error("connection dropped by a fault rule")]
pub struct Dropped;

/// Acts out the rule a request matched ([`Faults::take`]): its delay, then a dropped
/// connection, its status, or the request's own `handler`.
pub async fn act<B, F, Fut>(
    engine: &Engine,
    vendor: &dyn Vendor,
    action: Action,
    request: axum::http::Request<B>,
    handler: F,
) -> Response
where
    F: FnOnce(axum::http::Request<B>) -> Fut,
    Fut: Future<Output = Response>,
{
    if !action.delay.is_zero() {
        tokio::time::sleep(action.delay).await;
    }
    if action.drop {
        let mut response = Response::new(axum::body::Body::empty());
        response.extensions_mut().insert(DropConnection);
        return response;
    }
    let Some(status) = action.status else {
        return handler(request).await;
    };
    let mut response = vendor.refusal(engine, request.headers(), Refusal::Status(status));
    if status == StatusCode::TOO_MANY_REQUESTS {
        response
            .headers_mut()
            .insert("retry-after", HeaderValue::from(action.retry_after));
    }
    response
}
