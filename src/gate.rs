//! The gate every vendor request passes, as a plain function around the vendor's router: the
//! world it runs in (its tenant's, [`crate::tenants`]), the scripted transitions waiting for
//! it, the body limit ([`crate::limits`]), fault rules ([`crate::faults`]), then its handler
//! (a hot read straight from the vendor, [`crate::vendor::Vendor::hot`], anything else
//! through the router), then the request journal ([`crate::journal`]) and the request's log line
//! ([`crate::logging`]). Admin calls do not pass it.

use axum::http::Request;
use axum::response::Response;

use crate::engine::Engine;
use crate::vendor::{Head, Vendor};
use crate::{faults, journal, limits, tenants};

/// Passes `request` through the gate to `handler`; its body is not touched on the way.
pub async fn serve<B, F, Fut>(
    engine: Engine,
    vendor: &'static dyn Vendor,
    request: Request<B>,
    handler: F,
) -> Response
where
    F: FnOnce(Request<B>) -> Fut,
    Fut: Future<Output = Response>,
{
    if engine.config().tenant_per_key {
        let (name, world) = tenants::world_of(&engine, vendor, &request).await.unzip();
        return tenants::CURRENT
            .scope(world, pass(engine, vendor, name, request, handler))
            .await;
    }
    pass(engine, vendor, None, request, handler).await
}

async fn pass<B, F, Fut>(
    engine: Engine,
    vendor: &'static dyn Vendor,
    tenant: Option<String>,
    request: Request<B>,
    handler: F,
) -> Response
where
    F: FnOnce(Request<B>) -> Fut,
    Fut: Future<Output = Response>,
{
    // Timed only for the log line, when it is written.
    let started = tracing::enabled!(tracing::Level::INFO).then(std::time::Instant::now);
    let name = vendor.name();
    let now = engine.now();
    let line = journal::line_of(&request);
    engine.count_request(name, request.method().as_str(), request.uri().path());
    let response = match limits::refuse(&engine, vendor, request.headers()) {
        Some(refused) => refused,
        None => {
            let lane = |request: Request<B>| async {
                match vendor.hot(&engine, &Head::of(&request), now) {
                    Some(answered) => answered,
                    None => handler(request).await,
                }
            };
            faults::apply(&engine, vendor, request, lane).await
        }
    };
    tracing::info!(
        vendor = name,
        method = %line.method(),
        path = %line.path(),
        status = response.status().as_u16(),
        micros = started.map_or(0, |s| s.elapsed().as_micros() as u64),
        tenant = %tenant.as_deref().map_or_else(|| "-".to_owned(), crate::logging::fingerprint),
        "request"
    );
    journal::record(&engine, name, line, &response, now);
    response
}
