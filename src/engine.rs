//! The engine: one cheap-to-clone handle over everything a request handler may touch — the
//! world, the server clock, and the deterministic stream runtime ids are drawn from.
//!
//! Vendor modules only reach state through [`Engine::with_world`], which settles scheduled
//! transitions at the current server time before handing the world over. The world lives
//! behind a std mutex: handlers never await while holding it, and critical sections are short
//! (a lookup and, on a cache miss, one rendering).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::clock::{Clock, ClockMode};
use crate::faults::Faults;
use crate::ids::{hex_id, rng_for, uuid_v4};
use crate::journal::{DEFAULT_LIMIT, Journal};
use crate::origin::Origin;
use crate::scenario::Scenario;
use crate::tenants::{SharedWorld, Tenants};
use crate::vendor::Vendor;
use crate::world::{World, build};

/// Settings the engine needs beyond the scenario.
#[derive(Debug, Clone, Default)]
pub struct EngineConfig {
    /// Overrides the base URL of Basiq links (otherwise taken from the request's `Host`).
    pub basiq_public_url: Option<String>,
    /// Overrides the scenario's clock settings.
    pub clock: Option<ClockMode>,
    /// When set, `/__admin` requires `Authorization: Bearer <token>` instead of a loopback caller.
    pub admin_token: Option<String>,
    /// Requests the journal keeps (default [`crate::journal::DEFAULT_LIMIT`]).
    pub journal_limit: Option<usize>,
    /// Largest request body a vendor route accepts (default
    /// [`crate::limits::DEFAULT_BODY_LIMIT`]).
    pub body_limit: Option<usize>,
    /// Give each well-formed unknown API key a private copy of the scenario.
    pub tenant_per_key: bool,
    /// Tenants kept at most (default [`crate::tenants::DEFAULT_MAX_TENANTS`]).
    pub max_tenants: Option<usize>,
    /// Key that signs the tokens sandbank issues. Without one, each process draws a random key
    /// from the operating system, so no token can be minted outside the server (the scenario,
    /// whose seed may be public, never decides it).
    pub token_secret: Option<Vec<u8>>,
    /// Receivers webhooks may go to (`host` or `host:port`); any receiver when `None`.
    pub webhook_allow: Option<Vec<String>>,
    /// Mint the same ids while serving (request, correlation, job and event ids, webhook ids)
    /// on every run and after every reset, for snapshot tests. Off by default: ids then differ
    /// from run to run, so receivers that de-duplicate on them never drop a new event.
    pub reproducible_ids: bool,
}

/// Shared handle; clones share state.
#[derive(Clone)]
pub struct Engine {
    shared: Arc<Shared>,
}

struct Shared {
    world: Mutex<World>,
    /// The scenario the world was built from, the clock mode it started in and (when small)
    /// the world as built, for resets; replaced by [`Engine::load`].
    origin: Mutex<Arc<Origin>>,
    clock: Clock,
    /// Ids minted while serving (tokens, correlation and request ids), seeded like the data
    /// and, unless ids are reproducible, by [`Shared::salt`].
    runtime: Mutex<ChaCha8Rng>,
    /// What this run (since start or the last reset) mixes into the ids it mints; 0 when ids
    /// are reproducible.
    salt: std::sync::atomic::AtomicU64,
    /// Key that signs Basiq access tokens and Meld connect tokens ([`EngineConfig::token_secret`]).
    secret: Vec<u8>,
    config: EngineConfig,
    /// Requests answered, newest last.
    journal: Journal,
    /// Fault rules in force.
    faults: Faults,
    /// Private worlds of unknown keys (`--tenant-per-key`).
    tenants: Tenants,
    /// Whether a scripted transition waits for a request, so that counting costs nothing when
    /// none does.
    watching: AtomicBool,
}

impl Engine {
    /// Builds the scenario's world with the clock the scenario or config asks for.
    pub fn new(scenario: &Scenario, config: EngineConfig) -> Engine {
        let mode = config.clock.unwrap_or_else(|| clock_mode_of(scenario));
        let clock = Clock::new(mode);
        let salt = draw_salt(&config);
        let (origin, mut world) = Origin::new(scenario.clone(), mode, clock.now());
        world.salt_ids(salt);
        let world_watches = world.watches_requests();
        let secret = match &config.token_secret {
            Some(key) => key.clone(),
            None => rand::rng().random::<[u8; 32]>().to_vec(),
        };
        Engine {
            shared: Arc::new(Shared {
                world: Mutex::new(world),
                origin: Mutex::new(Arc::new(origin)),
                clock,
                runtime: Mutex::new(runtime_rng(scenario.seed, salt)),
                salt: std::sync::atomic::AtomicU64::new(salt),
                secret,
                journal: Journal::new(config.journal_limit.unwrap_or(DEFAULT_LIMIT)),
                watching: AtomicBool::new(world_watches),
                faults: Faults::default(),
                tenants: Tenants::default(),
                config,
            }),
        }
    }

    /// The server clock.
    pub fn clock(&self) -> &Clock {
        &self.shared.clock
    }

    /// The current server time.
    pub fn now(&self) -> DateTime<Utc> {
        self.shared.clock.now()
    }

    /// Runs `f` on the world after applying every transition due now.
    pub fn with_world<R>(&self, f: impl FnOnce(&mut World) -> R) -> R {
        self.with_world_at(|world, _| f(world))
    }

    /// Like [`Engine::with_world`], also handing over the instant the world was settled at, so
    /// a request sees one consistent "now" under one lock.
    ///
    /// The world is the request's tenant's when it has one ([`crate::tenants::CURRENT`]), the
    /// scenario's own otherwise.
    pub fn with_world_at<R>(&self, f: impl FnOnce(&mut World, DateTime<Utc>) -> R) -> R {
        let now = self.now();
        self.with_world_as_of(now, |world| f(world, now))
    }

    /// Like [`Engine::with_world`], the world settled at `now`: the instant a request arrived,
    /// read once for the request's handler and its journal entry.
    pub fn with_world_as_of<R>(&self, now: DateTime<Utc>, f: impl FnOnce(&mut World) -> R) -> R {
        let tenant = current_tenant();
        let mut world = match &tenant {
            Some(w) => lock(w),
            None => lock(&self.shared.world),
        };
        world.settle(now);
        let out = f(&mut world);
        if tenant.is_none() {
            self.shared
                .watching
                .store(world.watches_requests(), Ordering::Relaxed);
        }
        out
    }

    /// Reads the request's world (its tenant's, else the scenario's own) as it stands, without
    /// settling it: for settings no transition changes (keys, versions).
    pub fn read_world<R>(&self, f: impl FnOnce(&World) -> R) -> R {
        match current_tenant() {
            Some(w) => f(&lock(&w)),
            None => f(&lock(&self.shared.world)),
        }
    }

    /// Runs `f` on the scenario's own world as it stands (no settling), whatever the tenant.
    pub fn with_own_world<R>(&self, f: impl FnOnce(&World) -> R) -> R {
        f(&lock(&self.shared.world))
    }

    /// Counts a request arriving at a vendor listener toward the scripted transitions that wait
    /// for it, firing those it completes before the request is handled.
    pub fn count_request(&self, vendor: &str, method: &str, path: &str) {
        if self.shared.watching.load(Ordering::Relaxed) || current_tenant().is_some() {
            self.with_world_at(|w, now| w.on_request(vendor, method, path, now));
        }
    }

    /// The tenants.
    pub fn tenants(&self) -> &Tenants {
        &self.shared.tenants
    }

    /// The world of tenant `name` for `key` of `vendor`, made on first use from the loaded
    /// scenario; `None` when `vendor` has its most tenants or the tenants' row budget is spent.
    pub fn tenant_or_create(
        &self,
        name: &str,
        vendor: &dyn Vendor,
        key: &str,
    ) -> Option<SharedWorld> {
        let max = self
            .shared
            .config
            .max_tenants
            .unwrap_or(crate::tenants::DEFAULT_MAX_TENANTS);
        self.shared.tenants.get_or_create(name, max, || {
            let origin = Arc::clone(&lock(&self.shared.origin));
            let scenario = vendor.tenant_scenario(&origin.scenario, key);
            let mut world = build::build(&scenario, self.now());
            world.salt_ids(self.shared.salt.load(Ordering::Relaxed));
            world
        })
    }

    /// Every world: the scenario's own (`None`) and each tenant's.
    pub fn worlds(&self) -> Vec<Option<SharedWorld>> {
        std::iter::once(None)
            .chain(self.shared.tenants.all().into_iter().map(Some))
            .collect()
    }

    /// Runs `f` with `world` as the current world (see [`Engine::worlds`]).
    pub fn in_world<R>(&self, world: Option<SharedWorld>, f: impl FnOnce() -> R) -> R {
        crate::tenants::CURRENT.sync_scope(world, f)
    }

    /// Back to the scenario's initial state: world as built (see [`Origin`]), clock and id streams restarted,
    /// journal emptied, fault rules and tenants removed.
    pub fn reset(&self) {
        // Shared out so that no other lock is taken while the origin is held.
        let origin = Arc::clone(&lock(&self.shared.origin));
        self.shared.clock.reset(origin.mode);
        let world = origin.world_at(self.shared.clock.now());
        self.restart(world, origin.scenario.seed);
    }

    /// Serves `world`, fresh from a scenario with this seed: a new id salt, the runtime id
    /// stream restarted, journal, fault rules and tenants emptied.
    fn restart(&self, mut world: World, seed: u64) {
        let salt = draw_salt(&self.shared.config);
        self.shared.salt.store(salt, Ordering::Relaxed);
        world.salt_ids(salt);
        self.shared
            .watching
            .store(world.watches_requests(), Ordering::Relaxed);
        // The old world is freed off the lock and off the caller's path (a large one takes a
        // while): requests and the reset's answer wait only for the swap.
        let old = std::mem::replace(&mut *lock(&self.shared.world), world);
        *lock(&self.shared.runtime) = runtime_rng(seed, salt);
        self.shared.journal.clear();
        self.shared.faults.clear();
        self.shared.tenants.clear();
        free_later(old);
    }

    /// Replaces the scenario: its world, its clock (unless the server's configuration fixes
    /// the clock) and an empty journal, as if the server had started with it. Resets return
    /// to it from now on.
    pub fn load(&self, scenario: Scenario) {
        let mode = self
            .shared
            .config
            .clock
            .unwrap_or_else(|| clock_mode_of(&scenario));
        tracing::info!(
            name = scenario.name.as_deref().unwrap_or("-"),
            seed = scenario.seed,
            "scenario loaded"
        );
        self.shared.clock.reset(mode);
        let (origin, world) = Origin::new(scenario, mode, self.shared.clock.now());
        let seed = origin.scenario.seed;
        *lock(&self.shared.origin) = Arc::new(origin);
        self.restart(world, seed);
    }

    /// The fault rules.
    pub fn faults(&self) -> &Faults {
        &self.shared.faults
    }

    /// The request journal.
    pub fn journal(&self) -> &Journal {
        &self.shared.journal
    }

    /// Key that signs and verifies the tokens this server issues.
    pub(crate) fn secret(&self) -> &[u8] {
        &self.shared.secret
    }

    /// Engine settings.
    pub fn config(&self) -> &EngineConfig {
        &self.shared.config
    }

    /// A fresh UUID v4 (Basiq correlation ids).
    pub fn next_uuid(&self) -> String {
        uuid_v4(&mut *lock(&self.shared.runtime))
    }

    /// A fresh 32-hex-character id (Meld request ids).
    pub fn next_hex(&self) -> String {
        hex_id(&mut *lock(&self.shared.runtime), 16)
    }

    /// A fresh 22-character base58 id (Meld ids).
    pub fn next_base58(&self) -> String {
        crate::ids::base58_id(&mut *lock(&self.shared.runtime))
    }

    /// A fresh 64-bit nonce.
    pub fn next_nonce(&self) -> u64 {
        lock(&self.shared.runtime).random()
    }
}

/// The salt of a run's ids: 0 when they are to be reproducible, otherwise drawn from the
/// operating system (never 0).
fn draw_salt(config: &EngineConfig) -> u64 {
    if config.reproducible_ids {
        0
    } else {
        rand::rng().random::<u64>().max(1)
    }
}

/// The stream runtime ids are drawn from.
fn runtime_rng(seed: u64, salt: u64) -> ChaCha8Rng {
    match salt {
        0 => rng_for(seed, "runtime"),
        salt => rng_for(seed, &format!("runtime {salt}")),
    }
}

/// The tenant world of the running task, if any.
fn current_tenant() -> Option<SharedWorld> {
    crate::tenants::CURRENT
        .try_with(Clone::clone)
        .ok()
        .flatten()
}

fn clock_mode_of(scenario: &Scenario) -> ClockMode {
    match &scenario.clock {
        Some(c) if c.frozen => ClockMode::Frozen {
            at: c.start.map(|t| t.at).unwrap_or_else(Utc::now),
        },
        Some(c) => ClockMode::Running {
            start: c.start.map(|t| t.at),
        },
        None => ClockMode::default(),
    }
}

/// Drops `world` on a thread of its own; when no thread can be started, the refused closure
/// drops it here.
fn free_later(world: World) {
    let _ = std::thread::Builder::new()
        .name("sandbank-free".to_owned())
        .spawn(move || drop(world));
}

/// Locks a mutex, recovering the data if a panicking thread poisoned it: every mutation of
/// the world is completed before it can panic-free return, so the data stays usable.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}
