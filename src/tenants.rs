//! Isolation per API key (`--tenant-per-key`): a well-formed key the scenario does not list
//! gets, on first use, a private world built from the loaded scenario with that key as its
//! only key, so parallel test jobs sharing one server never see each other's data.
//!
//! A Basiq tenant is an application (the id inside the key, then the `partnerid` of the tokens
//! minted with it); a Meld tenant is an API key. The world a request works on travels with
//! the request's task ([`CURRENT`]), so handlers reach it through `Engine::with_world` as
//! usual. Keys the scenario lists use the scenario's own world. Tenants are bounded
//! (`--max-tenants`); a reset or a new scenario drops them all.
//!
//! Admin calls pick a tenant with `Sandbank-Tenant: <API key>`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;

use crate::engine::Engine;
use crate::http;
use crate::vendor::{TenantClaim, Vendor};
use crate::world::World;

/// Tenants kept at most unless configured otherwise.
pub const DEFAULT_MAX_TENANTS: usize = 100;

/// A tenant's world, shared by its requests.
pub type SharedWorld = Arc<Mutex<World>>;

tokio::task_local! {
    /// The tenant world of the request being handled (`None`: the scenario's own world).
    pub static CURRENT: Option<SharedWorld>;
}

/// Most rows (users, accounts and transactions of both vendors) all tenant worlds hold
/// together: copies of a large scenario stop at this budget rather than at the machine's
/// memory. A key beyond it is refused as an unknown key.
pub const TENANT_ROWS: usize = 2_000_000;

/// The tenant worlds by name (`basiq:<application>` or `meld:<key>`), with the rows each holds.
#[derive(Debug, Default)]
pub struct Tenants {
    worlds: Mutex<HashMap<String, (SharedWorld, usize)>>,
}

impl Tenants {
    fn with<R>(&self, f: impl FnOnce(&mut HashMap<String, (SharedWorld, usize)>) -> R) -> R {
        f(&mut self.worlds.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// The tenant's world, if it exists.
    pub fn get(&self, name: &str) -> Option<SharedWorld> {
        self.with(|w| w.get(name).map(|(world, _)| world.clone()))
    }

    /// The tenant's world, built by `make` on first use; `None` when `max` tenants of the same
    /// vendor exist or the world would take the tenants past [`TENANT_ROWS`]. The world is
    /// built without holding the tenant map, so other tenants' requests do not wait for it.
    pub fn get_or_create(
        &self,
        name: &str,
        max: usize,
        make: impl FnOnce() -> World,
    ) -> Option<SharedWorld> {
        let vendor = name.split(':').next().unwrap_or_default();
        let room = |w: &HashMap<String, (SharedWorld, usize)>, rows: usize| {
            let same_vendor = w.keys().filter(|k| k.split(':').next() == Some(vendor));
            let used: usize = w.values().map(|(_, r)| r).sum();
            same_vendor.count() < max && used.saturating_add(rows) <= TENANT_ROWS
        };
        let existing = self.with(|w| match w.get(name) {
            Some((world, _)) => Ok(Some(world.clone())),
            None if room(w, 0) => Ok(None),
            None => Err(()),
        });
        match existing {
            Ok(Some(world)) => return Some(world),
            Ok(None) => {}
            Err(()) => return None,
        }
        let world = make();
        let rows = world.rows();
        self.with(|w| {
            if let Some((world, _)) = w.get(name) {
                return Some(world.clone());
            }
            if !room(w, rows) {
                return None;
            }
            let world = Arc::new(Mutex::new(world));
            w.insert(name.to_owned(), (world.clone(), rows));
            Some(world)
        })
    }

    /// Every tenant world (for the webhook delivery task).
    pub fn all(&self) -> Vec<SharedWorld> {
        self.with(|w| w.values().map(|(world, _)| world.clone()).collect())
    }

    /// How many tenants exist.
    pub fn len(&self) -> usize {
        self.with(|w| w.len())
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Drops every tenant.
    pub fn clear(&self) {
        self.with(HashMap::clear);
    }
}

/// The tenant a vendor request runs in (`None`: the scenario's own world) — its name and its
/// world, made on first use on a blocking thread, so that building a large world holds up no
/// async worker.
pub fn world_of<B>(
    engine: &Engine,
    vendor: &'static dyn Vendor,
    request: &axum::http::Request<B>,
) -> impl Future<Output = Option<(String, SharedWorld)>> + Send + 'static {
    let found = vendor.tenant_of(engine, &crate::vendor::Head::of(request));
    let engine = engine.clone();
    async move {
        let TenantClaim { name, key } = found?;
        if let Some(world) = engine.tenants().get(&name) {
            return Some((name, world));
        }
        let key = key?;
        let made = name.clone();
        let world =
            tokio::task::spawn_blocking(move || engine.tenant_or_create(&made, vendor, &key))
                .await
                .ok()
                .flatten()?;
        tracing::info!(vendor = vendor.name(), tenant = %crate::logging::fingerprint(&name), "tenant created");
        Some((name, world))
    }
}

/// Middleware for the admin router: `Sandbank-Tenant: <API key>` selects a tenant's world.
pub async fn admin_layer(State(engine): State<Engine>, request: Request, next: Next) -> Response {
    let Some(key) = http::header(request.headers(), "sandbank-tenant").map(str::trim) else {
        return next.run(request).await;
    };
    let world = crate::vendors::ALL
        .into_iter()
        .find_map(|vendor| engine.tenants().get(&vendor.admin_tenant(key)?));
    match world {
        Some(world) => CURRENT.scope(Some(world), next.run(request)).await,
        None => crate::admin::error(StatusCode::NOT_FOUND, "no tenant has this key yet"),
    }
}
