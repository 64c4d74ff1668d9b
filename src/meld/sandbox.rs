//! What the providers' sandboxes do with the credentials typed into the connect widget, and
//! the accounts a successful login finds.
//!
//! - Plaid `user_good` / `pass_good`: Plaid's standard sandbox accounts (Alberta Bobbeth
//!   Charleson's checking, savings, CD, credit card, money market, IRA, 401k, student loan and
//!   mortgage).
//! - Finicity FinBank `demo` / `go`: the five "Finbank Profiles - A" accounts Meld's sandbox
//!   returns; `demo` with password `123`, `125`, `127`, `128` or `130` fails with that code;
//!   `invalid_user` fails as invalid credentials.
//! - MX `mxuser` (any password) and Akoya `mikomo_N` (password = username): a checking and a
//!   savings account (plus a brokerage account for `mikomo_7`, which has every data element).
//! - Magic usernames (password `pass_good`): `user_login_required` connects, then needs a
//!   reconnect at its next refresh; `user_degraded` and `user_partial` connect and end their
//!   first aggregation `DEGRADED` / `PARTIALLY_ACTIVE`, and `user_degraded`'s refreshes keep
//!   failing (`DEGRADED`; the third failure in a row leaves it `UNRECOVERABLE`); `user_account_closed` connects with
//!   `user_good`'s accounts and, at each refresh, the provider stops reporting the newest one
//!   (`BANK_LINKING_ACCOUNTS_REMOVED`) while more than one is left.
//!
//! Anything else is refused like a wrong password: the widget shows an error and the
//! connection's status does not change.

use rand::Rng;

use super::model::Owner;
use super::scenario::MeldAccountSpec;
use crate::generate::{self, Person};
use crate::ids::rng_for;
use crate::scenario::model::HistorySpec;
use crate::value::Money;

/// What a login attempt in the widget leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Login {
    /// Signed in.
    Connected,
    /// Refused; the widget shows the error, the connection stays as it was.
    Refused {
        reason: &'static str,
        details: String,
    },
}

/// Checks widget credentials.
pub fn login(username: &str, password: &str) -> Login {
    let refused = |reason, details: &str| Login::Refused {
        reason,
        details: details.to_owned(),
    };
    match (username, password) {
        ("user_good", "pass_good")
        | ("user_login_required", "pass_good")
        | ("user_degraded", "pass_good")
        | ("user_partial", "pass_good")
        | ("user_account_closed", "pass_good")
        | ("demo", "go") => Login::Connected,
        ("demo", code @ ("123" | "125" | "127" | "128" | "130")) => Login::Refused {
            reason: "INSTITUTION_ERROR",
            details: format!("The institution returned error {code}."),
        },
        ("mxuser", _) => Login::Connected,
        (user, pass) if mikomo(user) && user == pass => Login::Connected,
        ("", _) | (_, "") => refused("INVALID_CREDENTIALS", "Enter a username and a password."),
        _ => refused(
            "INVALID_CREDENTIALS",
            "The credentials you entered were incorrect. Please try again.",
        ),
    }
}

fn mikomo(user: &str) -> bool {
    user.strip_prefix("mikomo_")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// The status (and reason) a login's first aggregation ends in, when it is not `ACTIVE`.
pub fn after_connect(login: Option<&str>) -> Option<(&'static str, &'static str)> {
    match login? {
        "user_degraded" => Some(("DEGRADED", "INSTITUTION_CURRENTLY_UNAVAILABLE")),
        "user_partial" => Some(("PARTIALLY_ACTIVE", "PARTIAL_AGGREGATION_SUCCESS")),
        _ => None,
    }
}

/// The status (and reason) a refresh ends in instead of aggregating.
pub fn on_refresh(login: Option<&str>) -> Option<(&'static str, &'static str)> {
    match login? {
        "user_login_required" => Some(("RECONNECT_REQUIRED", "LOGIN_REQUIRED")),
        "user_degraded" => Some(("DEGRADED", "INSTITUTION_CURRENTLY_UNAVAILABLE")),
        _ => None,
    }
}

/// Whether each refresh of this login loses an account at the provider.
pub fn closes_account_on_refresh(login: Option<&str>) -> bool {
    login == Some("user_account_closed")
}

/// Days of transactions the first aggregation reports before the historical load, per provider.
pub fn initial_window_days(provider: &str) -> i64 {
    match provider {
        "FINICITY" => 180,
        "MX" => 90,
        _ => 30,
    }
}

/// The accounts (and holder) behind a login; `seed_label` makes generated values stable.
pub fn profile(seed: u64, seed_label: &str, login: &str) -> (Vec<MeldAccountSpec>, Owner) {
    const TWO_YEARS: Option<HistorySpec> = Some(HistorySpec::days(730));
    let fixed =
        |name: &str, kind: &str, subtype: &str, mask: &str, cur: i64, avail: Option<i64>| {
            MeldAccountSpec {
                name: Some(name.to_owned()),
                kind: Some(kind.to_owned()),
                subtype: Some(subtype.to_owned()),
                truncated_account_number: Some(mask.to_owned()),
                current_amount: Some(Money(cur)),
                available_amount: avail.map(Money),
                history: TWO_YEARS,
                ..MeldAccountSpec::default()
            }
        };
    match login {
        "demo" => (
            vec![
                fixed(
                    "Checking",
                    "DEPOSITORY",
                    "CHECKING",
                    "1111",
                    935_724,
                    Some(723_419),
                ),
                fixed(
                    "Savings",
                    "DEPOSITORY",
                    "SAVINGS",
                    "2203",
                    2_232_730,
                    Some(2_332_730),
                ),
                fixed("ROTH", "INVESTMENT", "ROTH", "2323", 1_100_100, None),
                fixed("My 401k", "INVESTMENT", "OTHER", "1212", 26_500_000, None),
                fixed(
                    "Personal Investments",
                    "INVESTMENT",
                    "OTHER",
                    "1010",
                    10_000_000,
                    None,
                ),
            ],
            Owner {
                names: vec!["PATRICK & LORRAINE PURCHASER".to_owned()],
                address: "7195 BELMONT ST. PARLIN, NJ 08859".to_owned(),
                email: None,
                phone: None,
            },
        ),
        "mxuser" => generated(seed, seed_label, false),
        user if mikomo(user) => generated(seed, seed_label, user == "mikomo_7"),
        _ => (
            vec![
                fixed(
                    "Plaid Checking",
                    "DEPOSITORY",
                    "CHECKING",
                    "0000",
                    11_000,
                    Some(10_000),
                ),
                fixed(
                    "Plaid Saving",
                    "DEPOSITORY",
                    "SAVINGS",
                    "1111",
                    21_000,
                    Some(20_000),
                ),
                fixed("Plaid CD", "DEPOSITORY", "CD", "2222", 100_000, None),
                fixed(
                    "Plaid Credit Card",
                    "CREDIT",
                    "CREDIT_CARD",
                    "3333",
                    41_000,
                    None,
                ),
                fixed(
                    "Plaid Money Market",
                    "DEPOSITORY",
                    "MONEY_MARKET",
                    "4444",
                    4_320_000,
                    Some(4_320_000),
                ),
                fixed("Plaid IRA", "INVESTMENT", "IRA", "5555", 32_076, None),
                fixed("Plaid 401k", "INVESTMENT", "401K", "6666", 2_363_198, None),
                fixed(
                    "Plaid Student Loan",
                    "LOAN",
                    "STUDENT",
                    "7777",
                    6_526_200,
                    None,
                ),
                fixed(
                    "Plaid Mortgage",
                    "LOAN",
                    "MORTGAGE",
                    "8888",
                    5_630_206,
                    None,
                ),
            ],
            Owner {
                names: vec!["Alberta Bobbeth Charleson".to_owned()],
                address: "2992 Cameron Road, Malakoff, NY 14236".to_owned(),
                email: Some("accountholder0@example.com".to_owned()),
                phone: Some("1112223333".to_owned()),
            },
        ),
    }
}

fn generated(seed: u64, label: &str, brokerage: bool) -> (Vec<MeldAccountSpec>, Owner) {
    let mut rng = rng_for(seed, &format!("{label} holder"));
    let person = Person::random(&mut rng);
    let account = |kind: &str, subtype: &str| MeldAccountSpec {
        kind: Some(kind.to_owned()),
        subtype: Some(subtype.to_owned()),
        history: Some(HistorySpec::days(730)),
        ..MeldAccountSpec::default()
    };
    let mut accounts = vec![
        account("DEPOSITORY", "CHECKING"),
        account("DEPOSITORY", "SAVINGS"),
    ];
    if brokerage {
        accounts.push(account("INVESTMENT", "BROKERAGE"));
    }
    let phone = generate::us_phone(&mut rng);
    let owner = Owner {
        names: vec![format!("{} {}", person.first_name, person.last_name).to_uppercase()],
        address: generate::us_address(&mut rng),
        email: Some(person.email(&mut rng, &["example.com"])),
        phone: Some(phone).filter(|_| rng.random_bool(0.9)),
    };
    (accounts, owner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials() {
        assert_eq!(login("user_good", "pass_good"), Login::Connected);
        assert_eq!(login("demo", "go"), Login::Connected);
        assert_eq!(login("mxuser", "anything"), Login::Connected);
        assert_eq!(login("mikomo_3", "mikomo_3"), Login::Connected);
        assert!(matches!(login("mikomo_3", "x"), Login::Refused { .. }));
        assert!(matches!(
            login("user_good", "pass_bad"),
            Login::Refused { .. }
        ));
        assert!(matches!(
            login("demo", "125"),
            Login::Refused {
                reason: "INSTITUTION_ERROR",
                ..
            }
        ));
        assert!(matches!(
            login("invalid_user", "go"),
            Login::Refused {
                reason: "INVALID_CREDENTIALS",
                ..
            }
        ));
    }
}
