//! The gate every vendor request passes, as one middleware on each vendor router: the world it
//! runs in (its tenant's, [`crate::tenants`]), the scripted transitions waiting for it, the
//! body limit ([`crate::limits`]), fault rules ([`crate::faults`]), then its handler, then the
//! request journal ([`crate::journal`]) and the request's log line ([`crate::logging`]). Admin
//! calls pass straight through.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::engine::Engine;
use crate::vendor::Vendor;
use crate::{faults, journal, limits, tenants};

/// The middleware; its state names the vendor.
pub async fn layer(
    State((engine, vendor)): State<(Engine, &'static dyn Vendor)>,
    request: Request,
    next: Next,
) -> Response {
    if request.uri().path().starts_with("/__admin") {
        return next.run(request).await;
    }
    if engine.config().tenant_per_key {
        let (name, world) = tenants::world_of(&engine, vendor, &request).await.unzip();
        return tenants::CURRENT
            .scope(world, pass(engine, vendor, name, request, next))
            .await;
    }
    pass(engine, vendor, None, request, next).await
}

async fn pass(
    engine: Engine,
    vendor: &'static dyn Vendor,
    tenant: Option<String>,
    request: Request,
    next: Next,
) -> Response {
    let started = std::time::Instant::now();
    let name = vendor.name();
    let line = journal::line_of(&request);
    engine.count_request(name, request.method().as_str(), request.uri().path());
    let response = match limits::refuse(&engine, vendor, &request) {
        Some(refused) => refused,
        None => faults::apply(&engine, vendor, request, next).await,
    };
    tracing::info!(
        vendor = name,
        method = %line.0,
        path = %line.1,
        status = response.status().as_u16(),
        micros = started.elapsed().as_micros() as u64,
        tenant = %tenant.as_deref().map_or_else(|| "-".to_owned(), crate::logging::fingerprint),
        "request"
    );
    journal::record(&engine, name, line, &response);
    response
}
