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
//! A vendor-neutral core, one folder per vendor, and the few places that compose them.
//!
//! **Core** (names no vendor):
//! - [`engine`] — the shared handle: the world, the server clock, deterministic runtime ids,
//!   tenants; [`clock`] — the server clock (real, started at an instant, or frozen).
//! - [`vendor`] — the interface through which the core reaches a vendor: its name, routes,
//!   error envelope for refused requests, tenants, admin routes.
//! - [`gate`] — the one middleware every vendor request passes: [`tenants`] (a world per
//!   unknown key), scripted request triggers, [`limits`] (body size), [`faults`], [`journal`];
//!   [`answer`] — the response body vendor listeners answer with (a hot read's bytes unboxed)
//!   and the small answer the gate hands on before it is written.
//! - [`admin`] — `/__admin` on both listeners: health, reset, the clock, scenario replacement,
//!   faults, transitions, the webhook attempt log, the journal (each vendor adds its own routes).
//! - [`delivery`] — webhook delivery mechanics: the queue, per-key order, retries on the server
//!   clock, the attempt log, the sending task; each vendor's [`delivery::Scheme`] decides the rest.
//! - [`conn`] — what a client connection may cost: header and body timeouts, the connection cap;
//!   [`drain`] — closing connections once their requests are answered when a listener stops;
//!   [`unparsed`] — the vendor's envelope in the answers to requests whose head cannot be parsed.
//! - [`generate`] — realistic fill-in data both vendors use: people, addresses, merchants,
//!   histories, balances.
//! - [`logging`] — the stderr log `serve` writes; [`ids`], [`value`], [`jwt`], [`http`],
//!   [`html`] — seeded ids, money/timestamps/durations, HS256 tokens, response helpers, the
//!   hosted-page stand-ins' HTML.
//!
//! **Vendors** ([`basiq`], [`meld`]; neither imports the other). Each owns its section of the
//! scenario format (`scenario`) and its located checks (`check`), building its state from it
//! (`build`), its state model (`model`), what it does when the clock moves and what transitions
//! do to it (`part`, a [`world::Part`]), its routes, wire types, errors and auth, its hosted
//! pages, its webhook payloads and signing (`delivery`), how the core sees it (`surface`, a
//! [`vendor::Vendor`]) and its admin routes (`admin`).
//!
//! **Composition**:
//! - [`vendors`] — the list of vendors.
//! - [`scenario`] — the TOML format's top level, the clock and what sections share
//!   ([`scenario::model`]), loading, located problems, the data budget; each vendor's section
//!   and checks come from its folder.
//! - [`world`] — the state one scenario describes: each vendor's part, scripted transitions
//!   ([`world::timeline`]), the outbox, the render cache; [`world::build`] builds it;
//!   [`origin`] — what a reset returns to (a small world's copy, cloned and re-dated).
//! - [`server`] — binds one listener per vendor, graceful shutdown, [`RunningServer`];
//!   [`cli`] — `sandbank serve` / `validate` / `schema` / `health` (clap).

pub mod admin;
pub mod answer;
pub mod basiq;
pub mod cli;
pub mod clock;
pub mod conn;
pub mod delivery;
pub mod drain;
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
pub mod origin;
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
