//! `Meld-Version`: which dated version of an endpoint answers a request.
//!
//! Rule (documented): the newest version of the endpoint not newer than the requested one; the
//! oldest if the request predates them all; the account's default when no header is sent. The
//! applied version is echoed on every response.

use super::error::MeldError;
use crate::scenario::check::valid_date;

/// Dated versions of the connection endpoints (2022-11-10 is what Meld's sandbox applies to
/// connect calls; 2023-12-19 is the current documentation tree).
pub const CONNECTIONS: &[&str] = &["2022-11-10", "2023-12-19"];

/// Versions of the financial-account endpoints (2022-09-21 was observed on Meld's sandbox;
/// 2023-12-19 replaced `connectionId` with `connectionIds`).
pub const ACCOUNTS: &[&str] = &["2022-09-21", "2023-12-19"];

/// Versions of the transaction endpoints.
pub const TRANSACTIONS: &[&str] = &["2022-11-10", "2023-12-19"];

/// The version from which financial accounts carry `connectionIds` (a list) instead of a single
/// `connectionId`, and `historicalAggregationSucceeded`.
pub const CONNECTION_IDS_FROM: &str = "2023-12-19";

/// Resolves `requested` against an endpoint's versions (sorted oldest first).
pub fn resolve(requested: &str, versions: &'static [&'static str]) -> &'static str {
    versions
        .iter()
        .rev()
        .find(|v| **v <= requested)
        .or(versions.first())
        .copied()
        .unwrap_or("2022-11-10")
}

/// The version for a request: its `Meld-Version` header, else the account default.
/// Returns the applied version even on error, so the error response can carry it.
pub fn negotiate(
    header: Option<&str>,
    default: &str,
    versions: &'static [&'static str],
) -> (&'static str, Result<(), MeldError>) {
    match header {
        Some(v) if !valid_date(v) => (
            resolve(default, versions),
            Err(MeldError::BadRequest(vec![
                "[Meld-Version] must be a date in the format yyyy-MM-dd".to_owned(),
            ])),
        ),
        Some(v) => (resolve(v, versions), Ok(())),
        None => (resolve(default, versions), Ok(())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_like_the_documented_example() {
        const V: &[&str] = &["2022-02-02", "2022-04-04"];
        assert_eq!(resolve("2022-01-01", V), "2022-02-02");
        assert_eq!(resolve("2022-03-03", V), "2022-02-02");
        assert_eq!(resolve("2022-04-04", V), "2022-04-04");
        assert_eq!(resolve("2022-05-05", V), "2022-04-04");
    }
}
