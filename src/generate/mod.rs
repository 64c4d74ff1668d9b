//! Realistic data for whatever a scenario leaves out, drawn from a seeded stream.
//!
//! People and companies come from `fake`; Australian and US addresses and merchants come from
//! the small tables in [`places`]; transaction histories come from [`history`]. Every function
//! takes the random stream as an argument, so callers decide what is reproducible with what.

pub mod fill;
pub mod history;
pub mod places;
pub mod recurring;

use fake::Fake;
use fake::faker::address::en::{BuildingNumber, CityName, StateAbbr, StreetName};
use fake::faker::company::en::CompanyName;
use fake::faker::name::en::{FirstName, LastName};
use rand::Rng;

/// A generated person.
#[derive(Debug, Clone)]
pub struct Person {
    pub first_name: String,
    pub last_name: String,
}

impl Person {
    /// A random person.
    pub fn random(rng: &mut impl Rng) -> Person {
        Person {
            first_name: FirstName().fake_with_rng(rng),
            last_name: LastName().fake_with_rng(rng),
        }
    }

    /// A plausible address for this person at one of the given mail domains.
    pub fn email(&self, rng: &mut impl Rng, domains: &[&str]) -> String {
        let domain = domains[rng.random_range(0..domains.len())];
        let local = format!("{}.{}", self.first_name, self.last_name)
            .to_lowercase()
            .replace(|c: char| !c.is_ascii_alphanumeric() && c != '.', "");
        format!("{local}{}@{domain}", rng.random_range(1..100))
    }
}

/// An Australian mobile in international format: `+614XXXXXXXX`.
pub fn au_mobile(rng: &mut impl Rng) -> String {
    format!("+614{:08}", rng.random_range(0..100_000_000u32))
}

/// A US phone number in E.164 form.
pub fn us_phone(rng: &mut impl Rng) -> String {
    format!(
        "+1{}{:03}{:04}",
        rng.random_range(201..990),
        rng.random_range(200..1000),
        rng.random_range(0..10_000)
    )
}

/// A company name (employers, payers).
pub fn company(rng: &mut impl Rng) -> String {
    CompanyName().fake_with_rng(rng)
}

/// An Australian street address.
#[derive(Debug, Clone)]
pub struct AuAddress {
    pub line1: String,
    pub suburb: String,
    pub state: String,
    pub postcode: String,
}

impl AuAddress {
    /// A random address in a real suburb.
    pub fn random(rng: &mut impl Rng) -> AuAddress {
        let suburb = places::AU_SUBURBS[rng.random_range(0..places::AU_SUBURBS.len())];
        let street: String = StreetName().fake_with_rng(rng);
        let suffix = places::AU_STREET_TYPES[rng.random_range(0..places::AU_STREET_TYPES.len())];
        AuAddress {
            line1: format!("{} {street} {suffix}", rng.random_range(1..300)),
            suburb: suburb.name.to_owned(),
            state: suburb.state.to_owned(),
            postcode: suburb.postcode.to_owned(),
        }
    }

    /// `13/91 Fisher Rd, Dee Why NSW 2099, Australia`
    pub fn formatted(&self) -> String {
        format!(
            "{}, {} {} {}, Australia",
            self.line1, self.suburb, self.state, self.postcode
        )
    }
}

/// A US street address, in the one-line form providers report.
pub fn us_address(rng: &mut impl Rng) -> String {
    let number: String = BuildingNumber().fake_with_rng(rng);
    let street: String = StreetName().fake_with_rng(rng);
    let city: String = CityName().fake_with_rng(rng);
    let state: String = StateAbbr().fake_with_rng(rng);
    let zip = digits(rng, 5);
    format!("{number} {street} {city}, {state} {zip}").to_uppercase()
}

/// `n` random decimal digits.
pub fn digits(rng: &mut impl Rng, n: usize) -> String {
    (0..n)
        .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
        .collect()
}
