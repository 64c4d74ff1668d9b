//! Payments that come back on a calendar: a salary, a benefit, rent received, a loan or a
//! buy-now-pay-later instalment. A scenario lists them on an account (`recurring`); its
//! history and every day a refresh brings later book each on its days, in place of the
//! generated salary (when one of them is income) and the generated rent (when one is rent or a
//! mortgage).

use chrono::{Datelike, NaiveDate};
use rand::Rng;

use super::history::Kind;
use std::sync::Arc;

use crate::scenario::model::{BpaySpec, RecurringSpec};
use crate::value::{Money, Span};

/// How often a recurring payment comes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Every {
    Week,
    Fortnight,
    Month,
    /// Once, on the day it starts.
    Once,
}

/// Spellings of [`Every`] in scenario files.
pub const EVERY_SPELLINGS: &[&str] = &["week", "fortnight", "month", "once"];

impl Every {
    /// The cadence a scenario spells (`None` for a spelling not in [`EVERY_SPELLINGS`]).
    pub fn parse(text: &str) -> Option<Every> {
        Some(match text {
            "week" => Every::Week,
            "fortnight" => Every::Fortnight,
            "month" => Every::Month,
            "once" => Every::Once,
            _ => return None,
        })
    }

    /// How many days a scenario's `day` may count: the days of the week or fortnight (0 is a
    /// Monday), or of a month (1 to 28, so every month has it).
    pub fn days(self) -> std::ops::RangeInclusive<u32> {
        match self {
            Every::Week => 0..=6,
            Every::Fortnight => 0..=13,
            Every::Month => 1..=28,
            Every::Once => 0..=0,
        }
    }
}

/// What a recurring payment is for, as scenarios spell it.
pub const KIND_SPELLINGS: &[&str] = &[
    "salary",
    "benefit",
    "rental-income",
    "transfer",
    "rent",
    "mortgage",
    "loan-repayment",
    "bnpl",
    "gambling",
    "crypto",
    "fee",
    "cash",
];

/// The kind a scenario spells (`None` for a spelling not in [`KIND_SPELLINGS`]).
pub fn kind(text: &str) -> Option<Kind> {
    Some(match text {
        "salary" => Kind::Salary,
        "benefit" => Kind::Benefit,
        "rental-income" => Kind::RentalIncome,
        "transfer" => Kind::Transfer,
        "rent" => Kind::Rent,
        "mortgage" | "loan-repayment" => Kind::LoanRepayment,
        "bnpl" => Kind::Bnpl,
        "gambling" => Kind::Gambling,
        "crypto" => Kind::Crypto,
        "fee" => Kind::Fee,
        "cash" => Kind::Cash,
        _ => return None,
    })
}

/// Percent a year a recurring amount may rise (or, negative, fall) at most.
pub const MAX_RISE: i32 = 100;

/// One recurring payment of an account, its dates resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recurring {
    pub description: String,
    pub kind: Kind,
    /// Rent or a mortgage: replaces the generated rent.
    pub housing: bool,
    pub every: Every,
    /// The amount on `reference`, signed from the holder's side (negative: money out).
    pub amount: Money,
    /// Day of the week or fortnight (0 is a Monday) or of the month.
    pub day: u32,
    /// Percent a year the amount grows (negative: shrinks), in a straight line from
    /// `reference`.
    pub rise: i32,
    /// Percent each payment differs from the amount, at most, either way.
    pub vary: u32,
    /// The first day it comes (for [`Every::Once`], the day).
    pub first: Option<NaiveDate>,
    /// The last day it comes.
    pub last: Option<NaiveDate>,
    /// The day `amount` is the amount: the end of the history it was written for.
    pub reference: NaiveDate,
    /// The BPAY biller and reference of each payment, when paid by BPAY.
    pub bpay: Option<Arc<BpaySpec>>,
}

impl Recurring {
    /// A scenario's recurring payment on a history that ends on `end`; a `day` it leaves out
    /// is drawn from `rng`. `None` when its cadence or kind is not one a checked scenario
    /// holds.
    pub fn of(spec: &RecurringSpec, end: NaiveDate, rng: &mut impl Rng) -> Option<Recurring> {
        let every = Every::parse(&spec.every)?;
        let ago = |span: Option<Span>| span.and_then(|s| end.checked_sub_signed(s.0));
        Some(Recurring {
            description: spec.description.clone(),
            kind: kind(&spec.kind)?,
            housing: matches!(spec.kind.as_str(), "rent" | "mortgage"),
            every,
            amount: spec.amount,
            day: spec.day.unwrap_or_else(|| rng.random_range(every.days())),
            rise: spec.rise.unwrap_or(0),
            vary: spec.vary.unwrap_or(0),
            first: ago(spec.starts_ago),
            last: ago(spec.ends_ago),
            reference: end,
            bpay: spec.bpay.clone().map(Arc::new),
        })
    }

    /// Whether it comes on `day`.
    pub fn falls_on(&self, day: NaiveDate) -> bool {
        if self.first.is_some_and(|f| day < f) || self.last.is_some_and(|l| day > l) {
            return false;
        }
        // 0001-01-01, day 1 of the common era, was a Monday.
        let monday_based = i64::from(day.num_days_from_ce()) - 1;
        match self.every {
            Every::Week => monday_based.rem_euclid(7) == i64::from(self.day),
            Every::Fortnight => monday_based.rem_euclid(14) == i64::from(self.day),
            Every::Month => day.day() == self.day,
            Every::Once => self.first == Some(day),
        }
    }

    /// What it amounts to on `day`: risen (or fallen) since `reference`, varied by `rng`, and
    /// never crossing zero (a shrinking payment ends at nothing).
    pub fn amount_on(&self, rng: &mut impl Rng, day: NaiveDate) -> Money {
        let cents = i128::from(self.amount.0);
        let days = i128::from((day - self.reference).num_days());
        let rise = i128::from(self.rise.clamp(-MAX_RISE, MAX_RISE));
        let mut risen = cents + cents * rise * days / (100 * 365);
        if risen.signum() != cents.signum() {
            risen = 0;
        }
        if self.vary > 0 {
            let vary = i128::from(self.vary.min(100));
            risen = risen * (100 + rng.random_range(-vary..=vary)) / 100;
        }
        Money(i64::try_from(risen).unwrap_or(if cents < 0 { i64::MIN } else { i64::MAX }))
    }

    /// Whether it is income, which replaces the generated salary.
    pub fn is_income(&self) -> bool {
        self.amount.0 > 0
    }

    /// Whether it is a housing cost, which replaces the generated rent.
    pub fn is_housing(&self) -> bool {
        self.housing && self.amount.0 < 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::rng_for;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    fn weekly(day: u32) -> Recurring {
        Recurring {
            description: "UBER BV".to_owned(),
            kind: Kind::Salary,
            housing: false,
            every: Every::Week,
            amount: Money(30_000),
            day,
            rise: 0,
            vary: 0,
            first: None,
            last: None,
            reference: date(2025, 6, 30),
            bpay: None,
        }
    }

    #[test]
    fn cadences_fall_on_their_days() {
        // 2025-06-30 was a Monday.
        assert!(weekly(0).falls_on(date(2025, 6, 30)));
        assert!(weekly(2).falls_on(date(2025, 7, 2)));
        assert!(!weekly(2).falls_on(date(2025, 7, 3)));
        let fortnight = Recurring {
            every: Every::Fortnight,
            ..weekly(3)
        };
        let days: Vec<_> = (0..42)
            .map(|d| date(2025, 6, 1) + chrono::Duration::days(d))
            .filter(|d| fortnight.falls_on(*d))
            .collect();
        assert_eq!(days.len(), 3);
        assert!(days.windows(2).all(|w| (w[1] - w[0]).num_days() == 14));
        let once = Recurring {
            every: Every::Once,
            first: Some(date(2025, 5, 5)),
            ..weekly(0)
        };
        assert!(once.falls_on(date(2025, 5, 5)));
        assert!(!once.falls_on(date(2025, 5, 12)));
    }

    #[test]
    fn amounts_rise_in_a_straight_line_and_never_cross_zero() {
        let mut rng = rng_for(1, "t");
        let rising = Recurring {
            rise: 10,
            ..weekly(0)
        };
        assert_eq!(rising.amount_on(&mut rng, date(2025, 6, 30)), Money(30_000));
        assert_eq!(rising.amount_on(&mut rng, date(2024, 6, 30)), Money(27_000));
        let falling = Recurring {
            rise: -100,
            ..weekly(0)
        };
        assert_eq!(falling.amount_on(&mut rng, date(2027, 6, 30)), Money(0));
        let varied = Recurring {
            vary: 50,
            ..weekly(0)
        };
        let amounts: Vec<_> = (0..20)
            .map(|_| varied.amount_on(&mut rng, date(2025, 6, 30)).0)
            .collect();
        assert!(amounts.iter().all(|a| (15_000..=45_000).contains(a)));
        assert!(amounts.iter().any(|a| *a != amounts[0]));
    }
}
