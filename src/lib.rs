//! sandbank: a local sandbox that answers like the Basiq (API v3) and Meld (bank linking) APIs,
//! driven by TOML scenario files, so client code can be integration-tested without a network.
//!
//! Embed it in tests with [`server::start`] on port 0 and point a client at
//! [`RunningServer::basiq_url`] / [`RunningServer::meld_url`] (`docs/embedding.md` shows this
//! program; a test keeps the two the same):
//!
//! ```
//! use std::error::Error;
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Box<dyn Error>> {
//!     let toml = sandbank::scenario::DEFAULT_SCENARIO; // or your own scenario's text
//!     let scenario = sandbank::scenario::parse("test.toml", toml)?;
//!     let server = sandbank::start(sandbank::ServerConfig::ephemeral(scenario)).await?;
//!     // Point the client under test at these instead of the vendors' base URLs.
//!     println!("{} {}", server.basiq_url(), server.meld_url());
//!     // Make two hours of server time pass: tokens expire, jobs finish, transitions fire.
//!     server.engine().clock().advance(chrono::Duration::hours(2));
//!     server.shutdown().await?;
//!     Ok(())
//! }
//! ```
//!
//! # Layout
//!
//! - [`admin`] — `/__admin` on both listeners: health, reset, the server clock, scenario
//!   replacement, faults, transitions, webhooks, the journal.
//! - [`cli`] — `sandbank serve` / `validate` (clap), env fallbacks, combining scenario files.
//! - [`server`] — binds one listener per vendor, graceful shutdown, [`RunningServer`].
//! - [`conn`] — what a client connection may cost: header and body timeouts, the connection cap.
//! - [`unparsed`] — the vendor's envelope in the answers to requests whose head cannot be parsed.
//! - [`engine`] — the shared handle: world, server clock, deterministic runtime ids.
//! - [`clock`] — the server clock (real, started at an instant, or frozen; advanceable).
//! - [`scenario`] — the TOML format ([`scenario::model`]), loading, located validation.
//! - [`world`] — in-memory state built from a scenario, scripted transitions
//!   ([`world::timeline`]), render cache.
//! - [`gate`] — the one middleware every vendor request passes: [`tenants`] (a world per
//!   unknown key), scripted request triggers, [`limits`] (body size), [`faults`], [`journal`].
//! - [`generate`] — realistic fill-in data: people, addresses, merchants, histories.
//! - [`basiq`] — Basiq routes, token auth, error envelope, wire shapes, filters; the Consent UI
//!   stand-in.
//! - [`meld`] — Meld routes, key auth, versions, pagination, error envelope, wire shapes; the
//!   connect widget stand-in, the connection lifecycle and its webhook events.
//! - [`delivery`] — webhook delivery for both vendors: signing, retries on the server clock,
//!   the attempt log, and the background task that sends.
//! - [`journal`] — the bounded log of requests the vendor listeners answered.
//! - [`logging`] — the stderr log `serve` writes: requests, webhook attempts, transitions,
//!   scenario loads.
//! - [`ids`], [`value`], [`jwt`], [`http`], [`html`] — seeded ids, money/timestamps/durations,
//!   HS256 tokens, response helpers, the hosted-page stand-ins' HTML.

pub mod admin;
pub mod basiq;
pub mod cli;
pub mod clock;
pub mod conn;
pub mod delivery;
pub mod engine;
pub mod faults;
pub mod gate;
pub mod generate;
pub mod html;
pub mod http;
pub mod ids;
pub mod journal;
pub mod jwt;
pub mod limits;
pub mod logging;
pub mod meld;
pub mod scenario;
pub mod server;
pub mod tenants;
pub mod unparsed;
pub mod value;
pub mod vendor;
pub mod vendors;
pub mod world;

pub use engine::{Engine, EngineConfig};
pub use server::{RunningServer, ServerConfig, start};
