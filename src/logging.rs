//! What `serve` logs on stderr, through `tracing`: one line per vendor request (vendor, method,
//! path, status, duration in microseconds, tenant), each webhook attempt, each scripted transition that fires,
//! and each scenario load. The listening lines on stdout are not log lines and never change.
//!
//! Nothing secret is logged: paths without their query (Consent UI and widget tokens travel in
//! queries), webhook URLs without theirs, tenants by a fingerprint of their name (a Meld tenant
//! is named by its API key), and never a header.

use std::fmt::Write as _;

use sha2::{Digest, Sha256};

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// `2026-01-15T09:00:00.000Z  INFO request: vendor="basiq" …`
    Text,
    /// One JSON object per line.
    Json,
}

/// Why logging could not be set up.
#[derive(Debug, thiserror::Error)]
#[error("invalid log filter `{filter}`: {reason}")]
pub struct LogFilterError {
    filter: String,
    reason: String,
}

/// Installs the stderr logger with `filter` (`info`, `warn`, `sandbank=debug`, … as `RUST_LOG`
/// spells them). A logger already installed (an embedding program's) is left in place.
pub fn init(filter: &str, format: LogFormat) -> Result<(), LogFilterError> {
    let filter = tracing_subscriber::EnvFilter::try_new(filter).map_err(|e| LogFilterError {
        filter: filter.to_owned(),
        reason: e.to_string(),
    })?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_target(false);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
    Ok(())
}

/// A short, stable stand-in for a tenant's name, which may hold an API key.
pub fn fingerprint(name: &str) -> String {
    let digest = Sha256::digest(name.as_bytes());
    let mut out = String::with_capacity(8);
    for b in &digest[..4] {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// A URL without its query and fragment.
pub fn without_query(url: &str) -> &str {
    url.split(['?', '#']).next().unwrap_or(url)
}
