//! The interface through which the core reaches a vendor. The gate, fault rules, the body
//! limit, the answers to unparseable requests, tenants and the listeners know a vendor only as
//! a [`Vendor`]: its name, its routes, its error envelope for a request refused before any
//! handler, and how its requests map to tenants. The vendors are listed in
//! [`crate::vendors`].

use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use crate::engine::Engine;
use crate::scenario::Scenario;

/// Why a vendor request is refused before its handler runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Its declared body is over the body limit (413).
    BodyTooLarge,
    /// A fault rule injects this status, or the request head could not be parsed.
    Status(StatusCode),
}

/// The tenant a request with a key the scenario does not list belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantClaim {
    /// `<vendor>:<id>`, unique across vendors.
    pub name: String,
    /// The key to build the tenant with, when this request may create it (`None`: it may only
    /// use a tenant that exists).
    pub key: Option<String>,
}

/// What the gate and a vendor read of a request before its body: method, URI and headers.
#[derive(Debug, Clone, Copy)]
pub struct Head<'a> {
    pub method: &'a axum::http::Method,
    pub uri: &'a axum::http::Uri,
    pub headers: &'a HeaderMap,
    /// The standard headers among them the hot reads consult.
    pub known: crate::http::Known<'a>,
}

impl<'a> Head<'a> {
    /// The head of `request`, whatever its body.
    pub fn of<B>(request: &'a axum::http::Request<B>) -> Head<'a> {
        Head {
            method: request.method(),
            uri: request.uri(),
            headers: request.headers(),
            known: crate::http::Known::of(request.headers()),
        }
    }
}

/// One vendor, as the core sees it.
pub trait Vendor: Send + Sync + 'static {
    /// The name fault rules, the journal and the log know it by (`basiq`, `meld`).
    fn name(&self) -> &'static str;

    /// Its routes, on the listener it answers.
    fn router(&self, engine: Engine) -> axum::Router;

    /// Its part of the admin API (under `/__admin`, on both listeners).
    fn admin_routes(&self) -> axum::Router<Engine>;

    /// The statuses a transition may give its connections, and their status reasons (none
    /// where the vendor has no reasons).
    fn connection_statuses(&self) -> (&'static [&'static str], &'static [&'static str]);

    /// Its error envelope (with its headers) for a request refused before its handler.
    fn refusal(&self, engine: &Engine, headers: &HeaderMap, why: Refusal) -> Response;

    /// The tenant of a request under `--tenant-per-key`; `None` for the scenario's own world
    /// (a key the scenario lists, or no usable credential).
    fn tenant_of(&self, engine: &Engine, request: &Head<'_>) -> Option<TenantClaim>;

    /// The tenant an admin `Sandbank-Tenant: <key>` names at this vendor.
    fn admin_tenant(&self, key: &str) -> Option<String>;

    /// The scenario a new tenant's world is built from: the loaded one, reduced to this vendor,
    /// with `key` as its only key.
    fn tenant_scenario(&self, scenario: &Scenario, key: &str) -> Scenario;

    /// The answer to one of the vendor's most frequent reads, given by the same code as its
    /// route, without routing: `None` for any other request (the router answers it). Called
    /// inside the gate, so tenants, faults, limits and the journal apply as to any request;
    /// `now` is the server time the request arrived at, which the journal records too.
    fn hot(
        &self,
        _engine: &Engine,
        _request: &Head<'_>,
        _now: chrono::DateTime<chrono::Utc>,
    ) -> Option<crate::answer::Quick> {
        None
    }
}

/// The path parameter segments of `path` after `prefix`: `n` non-empty segments, none
/// percent-encoded (the router decodes those) and none of `reserved` (static routes beside the
/// parameter).
pub fn hot_segments<'a, const N: usize>(
    path: &'a str,
    prefix: &str,
    reserved: &[&str],
) -> Option<[&'a str; N]> {
    let mut rest = path.strip_prefix(prefix)?;
    let mut out = [""; N];
    for (i, slot) in out.iter_mut().enumerate() {
        // One pass over the bytes: the segment ends at `/`, and may not hold `%`.
        let end = rest.bytes().position(|b| b == b'/' || b == b'%');
        let (part, next) = match end {
            Some(at) if rest.as_bytes()[at] == b'%' => return None,
            Some(at) if i + 1 < N => (&rest[..at], &rest[at + 1..]),
            Some(_) => return None,
            None if i + 1 == N => (rest, ""),
            None => return None,
        };
        if part.is_empty() || reserved.contains(&part) {
            return None;
        }
        *slot = part;
        rest = next;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::hot_segments;

    #[test]
    fn hot_segments_are_whole_plain_and_counted() {
        let p = "/users/";
        assert_eq!(
            hot_segments::<3>("/users/u1/connections/c1", p, &[]),
            Some(["u1", "connections", "c1"])
        );
        assert_eq!(
            hot_segments::<3>("/users/u1/connections/c1/refresh", p, &[]),
            None
        );
        assert_eq!(hot_segments::<3>("/users/u1/connections", p, &[]), None);
        assert_eq!(hot_segments::<3>("/users//connections/c1", p, &[]), None);
        assert_eq!(
            hot_segments::<3>("/users/u%31/connections/c1", p, &[]),
            None
        );
        assert_eq!(hot_segments::<1>("/x/import", "/x/", &["import"]), None);
    }
}
