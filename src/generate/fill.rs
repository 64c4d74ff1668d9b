//! Filling in what a scenario leaves out, for every vendor: balances, histories of the length
//! a scenario asks for, merchant descriptions, dates. Each value is drawn from a stream the
//! caller seeds, so the same scenario always fills in the same values.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::history::{self, Entry, Flavor, Plan};
use super::places;
use crate::scenario::model::HistorySpec;
use crate::value::{Money, Precision, Timestamp};

/// Days of transactions generated on an account that lists none.
pub const DEFAULT_HISTORY_DAYS: u32 = 90;
/// The longest history `history = { transactions = N }` grows to (40 years).
pub const MAX_HISTORY_DAYS: u32 = 40 * 366;

pub fn or_gen<T>(value: &Option<T>, generate: impl FnOnce() -> T) -> T
where
    T: Clone,
{
    match value {
        Some(v) => v.clone(),
        None => generate(),
    }
}

/// A second-precision instant `days_back` (fractional) before `from`.
pub fn before(
    rng: &mut ChaCha8Rng,
    from: DateTime<Utc>,
    min_days: i64,
    max_days: i64,
) -> Timestamp {
    let secs = rng.random_range(min_days * 86_400..max_days * 86_400);
    Timestamp::seconds(from - Duration::seconds(secs))
}

pub fn random_balance(rng: &mut ChaCha8Rng, flavor: Flavor) -> Money {
    Money(match flavor {
        Flavor::Everyday => rng.random_range(5_000..900_000),
        Flavor::Savings => rng.random_range(100_000..5_000_000),
        Flavor::Credit => -rng.random_range(0..800_000),
        Flavor::Loan => -rng.random_range(1_000_000..60_000_000),
    })
}

/// The history a spec asks for, oldest first: `days` of it (the plan's days when the spec gives
/// none), cut to the newest `transactions` entries; with `transactions` alone, the history is
/// made long enough to hold them (up to [`MAX_HISTORY_DAYS`]).
pub fn history_for(rng: &mut ChaCha8Rng, spec: Option<HistorySpec>, mut plan: Plan) -> Vec<Entry> {
    let HistorySpec { days, transactions } = spec.unwrap_or_default();
    let Some(wanted) = transactions.map(|n| n as usize) else {
        plan.days = days.unwrap_or(plan.days);
        return history::generate(rng, &plan);
    };
    plan.days = days.unwrap_or_else(|| (wanted as u32).clamp(1, MAX_HISTORY_DAYS));
    loop {
        let mut entries = history::generate(rng, &plan);
        if entries.len() >= wanted || days.is_some() || plan.days >= MAX_HISTORY_DAYS {
            entries.drain(..entries.len().saturating_sub(wanted));
            return entries;
        }
        plan.days = plan.days.saturating_mul(2).min(MAX_HISTORY_DAYS);
    }
}

pub fn describe(rng: &mut ChaCha8Rng, amount: Money, merchants: &places::Merchants) -> String {
    if amount.0 < 0 {
        merchants.shopping[rng.random_range(0..merchants.shopping.len())].to_owned()
    } else {
        "TRANSFER IN".to_owned()
    }
}

pub fn midnight(date: NaiveDate) -> Timestamp {
    Timestamp::new(
        date.and_time(chrono::NaiveTime::MIN).and_utc(),
        Precision::Seconds,
    )
}

pub fn title_case(word: &str) -> String {
    let lower = word.replace('_', " ").to_lowercase();
    let mut chars = lower.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

pub fn toml_to_json(value: &toml::Value) -> serde_json::Value {
    match value {
        toml::Value::String(s) => s.clone().into(),
        toml::Value::Integer(i) => (*i).into(),
        toml::Value::Float(f) => {
            serde_json::Number::from_f64(*f).map_or(serde_json::Value::Null, Into::into)
        }
        toml::Value::Boolean(b) => (*b).into(),
        toml::Value::Datetime(d) => d.to_string().into(),
        toml::Value::Array(a) => a.iter().map(toml_to_json).collect(),
        toml::Value::Table(t) => t
            .iter()
            .map(|(k, v)| (k.clone(), toml_to_json(v)))
            .collect(),
    }
}
