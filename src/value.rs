//! Value types both vendors share: money in cents, timestamps that remember their precision,
//! and the human durations scenario files use ("90m", "1h30m", "2d").
//!
//! Vendors are picky about how these look on the wire (Basiq sends `"10.00"` as a string, Meld
//! sends `11001.00` as a number with its trailing zeros; Basiq's example keeps milliseconds on one
//! timestamp and not on the next), so each type keeps what it needs to print itself exactly.

use std::fmt;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer};

/// An amount in minor units (cents). Prints with exactly two decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money(pub i64);

/// The largest amount, in cents, a scenario or a request may write (1,000,000,000.00 either
/// way). Sums of as many amounts as a world may hold stay far inside `i64`, so adding up
/// balances cannot overflow.
pub const MAX_CENTS: i64 = 100_000_000_000;

impl Money {
    /// An amount within [`MAX_CENTS`].
    fn bounded(cents: i64) -> Option<Money> {
        (cents.checked_abs()? <= MAX_CENTS).then_some(Money(cents))
    }

    /// Parses `"-10.09"`, `"10"`, `"10.5"`; at most two decimals and [`MAX_CENTS`].
    pub fn parse(text: &str) -> Option<Money> {
        let text = text.trim();
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.strip_prefix('+').unwrap_or(text)),
        };
        let (whole, frac) = match digits.split_once('.') {
            Some((w, f)) => (w, f),
            None => (digits, ""),
        };
        if whole.is_empty()
            || !whole.bytes().all(|b| b.is_ascii_digit())
            || frac.len() > 2
            || !frac.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let whole: i64 = whole.parse().ok()?;
        let frac: i64 = match frac.len() {
            0 => 0,
            1 => frac.parse::<i64>().ok()? * 10,
            _ => frac.parse().ok()?,
        };
        let cents = whole.checked_mul(100)?.checked_add(frac)?;
        Money::bounded(if negative { -cents } else { cents })
    }

    /// From a float as written in a TOML number; rounds to the cent.
    pub fn from_f64(value: f64) -> Option<Money> {
        if !value.is_finite() || value.abs() > 1e15 {
            return None;
        }
        Money::bounded((value * 100.0).round() as i64)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Text(String),
            Int(i64),
            Float(f64),
        }
        let parsed = match Raw::deserialize(de)? {
            Raw::Text(t) => Money::parse(&t),
            Raw::Int(i) => i.checked_mul(100).and_then(Money::bounded),
            Raw::Float(f) => Money::from_f64(f),
        };
        parsed.ok_or_else(|| {
            serde::de::Error::custom(
                "expected an amount such as \"10.00\" or 10.5 (two decimals at most, within ±1000000000.00)",
            )
        })
    }
}

/// How many fractional-second digits a timestamp prints with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Precision {
    /// `2020-10-02T05:53:05Z`
    #[default]
    Seconds,
    /// `2017-09-28T11:15:09.756Z`
    Millis,
    /// `2022-05-26T20:23:45.908400Z`
    Micros,
}

/// A UTC instant that prints back the way it was written (or the way a vendor writes it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Timestamp {
    /// The instant.
    pub at: DateTime<Utc>,
    /// How it prints.
    pub precision: Precision,
}

impl Timestamp {
    /// An instant printed at the given precision.
    pub fn new(at: DateTime<Utc>, precision: Precision) -> Self {
        Timestamp { at, precision }
    }

    /// Second precision, the usual Basiq form.
    pub fn seconds(at: DateTime<Utc>) -> Self {
        Timestamp::new(at, Precision::Seconds)
    }

    /// Parses RFC 3339; the precision follows the number of fractional digits written.
    pub fn parse(text: &str) -> Option<Timestamp> {
        let at = DateTime::parse_from_rfc3339(text).ok()?.with_timezone(&Utc);
        let frac = text
            .split_once('.')
            .map(|(_, rest)| rest.bytes().take_while(u8::is_ascii_digit).count())
            .unwrap_or(0);
        let precision = match frac {
            0 => Precision::Seconds,
            1..=3 => Precision::Millis,
            _ => Precision::Micros,
        };
        Some(Timestamp { at, precision })
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let format = match self.precision {
            Precision::Seconds => SecondsFormat::Secs,
            Precision::Millis => SecondsFormat::Millis,
            Precision::Micros => SecondsFormat::Micros,
        };
        // Instants derived from a clock near the ends of its range (a consent's expiry a
        // year past 9999-12-31, say) still print as RFC 3339, which has four-digit years.
        let at = self
            .at
            .clamp(crate::clock::earliest(), crate::clock::latest());
        match rfc3339(at, self.precision) {
            Some((bytes, len)) => {
                // ASCII digits and separators only.
                f.write_str(std::str::from_utf8(&bytes[..len]).map_err(|_| fmt::Error)?)
            }
            None => f.write_str(&at.to_rfc3339_opts(format, true)),
        }
    }
}

/// `at` as RFC 3339 in UTC (`Z`), written into a buffer as chrono writes it, or `None` for a
/// leap second (which chrono writes). `at` is within years 0000–9999.
fn rfc3339(at: DateTime<Utc>, precision: Precision) -> Option<([u8; 30], usize)> {
    use chrono::{Datelike, Timelike};
    let nanos = at.nanosecond();
    if nanos >= 1_000_000_000 {
        return None;
    }
    let year = u32::try_from(at.year()).ok().filter(|y| *y <= 9999)?;
    let mut out = [0u8; 30];
    let mut len = 0;
    let mut put = |value: u32, digits: u32, after: u8| {
        for i in (0..digits).rev() {
            out[len] = b'0' + ((value / 10u32.pow(i)) % 10) as u8;
            len += 1;
        }
        out[len] = after;
        len += 1;
    };
    put(year, 4, b'-');
    put(at.month(), 2, b'-');
    put(at.day(), 2, b'T');
    put(at.hour(), 2, b':');
    put(at.minute(), 2, b':');
    match precision {
        Precision::Seconds => put(at.second(), 2, b'Z'),
        Precision::Millis => {
            put(at.second(), 2, b'.');
            put(nanos / 1_000_000, 3, b'Z');
        }
        Precision::Micros => {
            put(at.second(), 2, b'.');
            put(nanos / 1_000, 6, b'Z');
        }
    }
    Some((out, len))
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        // Scenario authors may quote the instant or write a TOML datetime literal.
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Text(String),
            Toml(toml::value::Datetime),
        }
        let text = match Raw::deserialize(de)? {
            Raw::Text(t) => t,
            Raw::Toml(d) => d.to_string(),
        };
        Timestamp::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "invalid timestamp `{text}`: expected RFC 3339 with an offset, e.g. 2020-10-02T05:53:05Z"
            ))
        })
    }
}

/// A span of time written as `<n><unit>` parts: `s`, `m`, `h`, `d`, `w` (e.g. `1h30m`), at most
/// [`MAX_SPAN_DAYS`] days long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span(pub Duration);

/// The longest span a scenario may write (a century): added to any instant of the server
/// clock's range it stays far inside what instants can hold, so no sum of an instant and a
/// span can overflow.
pub const MAX_SPAN_DAYS: i64 = 36_500;

impl Span {
    /// Parses `"90s"`, `"1h30m"`, `"2d"`; `None` for anything else or anything longer than
    /// [`MAX_SPAN_DAYS`].
    pub fn parse(text: &str) -> Option<Span> {
        let mut total = Duration::zero();
        let mut number = String::new();
        let mut seen_unit = false;
        for c in text.trim().chars() {
            if c.is_ascii_digit() {
                number.push(c);
                continue;
            }
            let n: i64 = number.parse().ok()?;
            number.clear();
            let part = match c {
                's' => Duration::try_seconds(n)?,
                'm' => Duration::try_minutes(n)?,
                'h' => Duration::try_hours(n)?,
                'd' => Duration::try_days(n)?,
                'w' => Duration::try_weeks(n)?,
                _ => return None,
            };
            total = total.checked_add(&part)?;
            seen_unit = true;
        }
        let bounded = total <= Duration::days(MAX_SPAN_DAYS);
        (number.is_empty() && seen_unit && bounded).then_some(Span(total))
    }
}

impl<'de> Deserialize<'de> for Span {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        let text = String::deserialize(de)?;
        Span::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "invalid duration `{text}`: expected e.g. \"90s\", \"30m\", \"1h30m\", \"2d\", at most {MAX_SPAN_DAYS}d"
            ))
        })
    }
}

// How the value types look in the scenario format's JSON Schema (`sandbank schema`).

impl schemars::JsonSchema for Money {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Money".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "An amount with at most two decimals, within ±1000000000.00: \"10.00\", \"-84.15\", 10.5 or 10.",
            "anyOf": [
                { "type": "string", "pattern": "^[+-]?[0-9]+(\\.[0-9]{1,2})?$" },
                { "type": "number", "minimum": -1000000000, "maximum": 1000000000 }
            ]
        })
    }
}

impl schemars::JsonSchema for Timestamp {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Timestamp".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "An RFC 3339 instant with an offset (2020-10-02T05:53:05Z), quoted or as a TOML datetime; it prints back with the fractional digits written.",
            "type": "string",
            "format": "date-time"
        })
    }
}

impl schemars::JsonSchema for Span {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Span".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A duration of <n><unit> parts, units s, m, h, d, w (\"90s\", \"1h30m\", \"2d\"), at most 36500d.",
            "type": "string",
            "pattern": "^\\s*([0-9]+[smhdw])+\\s*$"
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_print_as_chrono_writes_them() {
        let instants = [
            "2017-09-21T00:00:00Z",
            "2022-05-26T20:23:45.908400Z",
            "2017-09-28T11:15:09.756Z",
            "0000-01-01T00:00:00Z",
            "9999-12-31T23:59:59.999999999Z",
            "2026-12-31T23:59:60.5Z",
            "1999-02-03T04:05:06.000007Z",
        ];
        for text in instants {
            let at = DateTime::parse_from_rfc3339(text)
                .map(|d| d.with_timezone(&Utc))
                .expect("instant");
            for (precision, format) in [
                (Precision::Seconds, SecondsFormat::Secs),
                (Precision::Millis, SecondsFormat::Millis),
                (Precision::Micros, SecondsFormat::Micros),
            ] {
                assert_eq!(
                    Timestamp::new(at, precision).to_string(),
                    at.to_rfc3339_opts(format, true),
                    "{text} at {precision:?}"
                );
            }
        }
    }

    #[test]
    fn money_prints_two_decimals() {
        assert_eq!(
            Money::parse("-10.09").map(|m| m.to_string()).as_deref(),
            Some("-10.09")
        );
        assert_eq!(
            Money::parse("10").map(|m| m.to_string()).as_deref(),
            Some("10.00")
        );
        assert_eq!(
            Money::parse("0.5").map(|m| m.to_string()).as_deref(),
            Some("0.50")
        );
        assert_eq!(
            Money::parse("-0.05").map(|m| m.to_string()).as_deref(),
            Some("-0.05")
        );
        assert_eq!(Money::parse("1.234"), None);
        assert_eq!(Money::parse("abc"), None);
        assert_eq!(
            Money::from_f64(11001.0).map(|m| m.to_string()).as_deref(),
            Some("11001.00")
        );
    }

    #[test]
    fn timestamps_keep_their_precision() {
        for text in [
            "2020-10-02T05:53:05Z",
            "2017-09-28T11:15:09.756Z",
            "2022-05-26T20:23:45.908400Z",
        ] {
            assert_eq!(
                Timestamp::parse(text).map(|t| t.to_string()).as_deref(),
                Some(text)
            );
        }
        assert_eq!(Timestamp::parse("2020-10-02"), None);
    }

    #[test]
    fn spans_parse_compound_units() {
        assert_eq!(Span::parse("1h30m"), Some(Span(Duration::minutes(90))));
        assert_eq!(Span::parse("2d"), Some(Span(Duration::days(2))));
        assert_eq!(Span::parse("90"), None);
        assert_eq!(Span::parse("5x"), None);
        assert_eq!(Span::parse(""), None);
    }
}
