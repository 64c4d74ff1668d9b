//! The gate every vendor request passes, as a plain function around the vendor's router: the
//! world it runs in (its tenant's, [`crate::tenants`]), the scripted transitions waiting for
//! it, the body limit ([`crate::limits`]), fault rules ([`crate::faults`]), then its handler,
//! then the request journal ([`crate::journal`]) and the request's log line
//! ([`crate::logging`]). Admin calls do not pass it.

use axum::extract::Request;
use axum::response::Response;

use crate::engine::Engine;
use crate::vendor::Vendor;
use crate::{faults, journal, limits, tenants};

/// Passes `request` through the gate to `handler`.
pub async fn serve<F, Fut>(
    engine: Engine,
    vendor: &'static dyn Vendor,
    request: Request,
    handler: F,
) -> Response
where
    F: FnOnce(Request) -> Fut,
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

async fn pass<F, Fut>(
    engine: Engine,
    vendor: &'static dyn Vendor,
    tenant: Option<String>,
    request: Request,
    handler: F,
) -> Response
where
    F: FnOnce(Request) -> Fut,
    Fut: Future<Output = Response>,
{
    let started = std::time::Instant::now();
    let name = vendor.name();
    let line = journal::line_of(&request);
    engine.count_request(name, request.method().as_str(), request.uri().path());
    let response = match limits::refuse(&engine, vendor, &request) {
        Some(refused) => refused,
        None => faults::apply(&engine, vendor, request, handler).await,
    };
    tracing::info!(
        vendor = name,
        method = %line.method(),
        path = %line.path(),
        status = response.status().as_u16(),
        micros = started.elapsed().as_micros() as u64,
        tenant = %tenant.as_deref().map_or_else(|| "-".to_owned(), crate::logging::fingerprint),
        "request"
    );
    journal::record(&engine, name, line, &response);
    response
}
