//! Transaction histories that look like a real person's account and add up.
//!
//! A history is generated day by day (salary every second week, rent and bills monthly,
//! groceries, coffee, fuel, shopping on random days), then one opening transfer is added on the
//! first day so that the running balance ends exactly at the account's balance. Entries dated
//! on the last day are pending and do not count towards the balance, as with both vendors.

use chrono::{Datelike, Duration, NaiveDate};
use rand::Rng;

use std::borrow::Cow;
use std::sync::Arc;

use super::places::Merchants;
use super::recurring::Recurring;
use crate::scenario::model::BpaySpec;
use crate::value::Money;

/// What kind of account the history belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// A transaction account: salary in, living costs out.
    Everyday,
    /// A savings account: regular deposits, interest, the odd withdrawal.
    Savings,
    /// A credit card: purchases, a monthly repayment.
    Credit,
    /// A loan or mortgage: monthly repayments and interest.
    Loan,
}

/// What a transaction was for; each vendor maps it to its own classes or categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Salary,
    Groceries,
    Dining,
    Transport,
    Utilities,
    Rent,
    Shopping,
    Subscription,
    Health,
    Transfer,
    Fee,
    Interest,
    Cash,
    LoanRepayment,
    LoanInterest,
    /// A government benefit (Centrelink).
    Benefit,
    /// Rent received from a tenant.
    RentalIncome,
    /// A buy-now-pay-later instalment.
    Bnpl,
    Gambling,
    /// A purchase on a cryptocurrency exchange.
    Crypto,
}

/// One generated transaction.
#[derive(Debug, Clone)]
pub struct Entry {
    pub date: NaiveDate,
    /// Static when it is one of the fixed texts, so that none is allocated for those.
    pub description: Cow<'static, str>,
    /// Signed from the account holder's side: negative = money out.
    pub amount: Money,
    pub kind: Kind,
    pub pending: bool,
    /// Balance after this entry (`None` for pending entries).
    pub balance: Option<Money>,
    /// The BPAY biller and reference, for a payment made by BPAY.
    pub bpay: Option<Arc<BpaySpec>>,
}

/// Parameters of one history.
pub struct Plan<'a> {
    pub flavor: Flavor,
    pub days: u32,
    /// The last day of the history.
    pub end: NaiveDate,
    /// Balance after the last posted entry.
    pub end_balance: Money,
    pub merchants: &'a Merchants,
    /// Who pays the salary.
    pub employer: &'a str,
    /// Suffix for card purchases, e.g. `DEE WHY NSW`.
    pub locality: &'a str,
    /// The account's own recurring payments.
    pub recurring: &'a [Recurring],
}

impl Plan<'_> {
    /// Whether the account's own income replaces the generated salary.
    fn own_income(&self) -> bool {
        self.recurring.iter().any(Recurring::is_income)
    }

    /// Whether the account's own housing cost replaces the generated rent.
    fn own_housing(&self) -> bool {
        self.recurring.iter().any(Recurring::is_housing)
    }
}

/// Generates the history, oldest first.
pub fn generate(rng: &mut impl Rng, plan: &Plan<'_>) -> Vec<Entry> {
    if plan.days == 0 {
        return Vec::new();
    }
    let start = plan.end - Duration::days(i64::from(plan.days) - 1);
    let mut entries = Vec::new();
    let pay_offset = rng.random_range(0..14);
    let rent_day = rng.random_range(1..28);
    let bill_days: Vec<u32> = (0..3).map(|_| rng.random_range(1..28)).collect();
    let sub_day = rng.random_range(1..28);
    let mut day = start;
    let mut index = 0u32;
    while day <= plan.end {
        match plan.flavor {
            Flavor::Everyday => everyday(
                rng,
                plan,
                day,
                index,
                pay_offset,
                rent_day,
                &bill_days,
                sub_day,
                &mut entries,
            ),
            Flavor::Savings => savings(rng, day, &mut entries),
            Flavor::Credit => credit(rng, plan, day, sub_day, &mut entries),
            Flavor::Loan => loan(rng, day, rent_day, &mut entries),
        }
        recurring(rng, plan, day, &mut entries);
        match day.succ_opt() {
            Some(next) => day = next,
            None => break,
        }
        index += 1;
    }
    if plan.flavor == Flavor::Everyday {
        if plan.own_income() {
            sweep(plan, &mut entries);
        } else {
            balance_salary(&mut entries);
        }
    }
    for e in entries.iter_mut() {
        e.pending = e.date == plan.end
            && !matches!(e.kind, Kind::Salary | Kind::Benefit | Kind::RentalIncome)
            && plan.days > 1;
    }
    settle(rng, plan, start, &mut entries);
    entries
}

/// An account's own calendar for the days after its history: its pay day and salary (salary
/// every second week), and its rent (or loan repayment), bill and subscription days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchors {
    /// A day the account was paid, and how much, when it is paid at all.
    pub pay: Option<(NaiveDate, Money)>,
    pub rent_day: u32,
    pub bill_days: [u32; 3],
    pub sub_day: u32,
}

impl Anchors {
    /// Rent, bill and subscription days drawn from `rng`; no pay.
    pub fn random(rng: &mut impl Rng) -> Anchors {
        Anchors {
            pay: None,
            rent_day: rng.random_range(1..28),
            bill_days: [
                rng.random_range(1..28),
                rng.random_range(1..28),
                rng.random_range(1..28),
            ],
            sub_day: rng.random_range(1..28),
        }
    }
}

/// What one `day` after the history brings to the account (none of it pending, no running
/// balances): the same kinds of entries [`generate`] books, on the account's own calendar.
pub fn day(rng: &mut impl Rng, plan: &Plan<'_>, anchors: &Anchors, day: NaiveDate) -> Vec<Entry> {
    let mut entries = Vec::new();
    match plan.flavor {
        Flavor::Everyday => {
            // Salary falls on days a multiple of 14 after the pay day; 14 never matches.
            let (index, offset) = match anchors.pay {
                Some((paid, _)) => ((day - paid).num_days().rem_euclid(14) as u32, 0),
                None => (0, 14),
            };
            everyday(
                rng,
                plan,
                day,
                index,
                offset,
                anchors.rent_day,
                &anchors.bill_days,
                anchors.sub_day,
                &mut entries,
            );
            if let Some((_, pay)) = anchors.pay {
                for e in entries.iter_mut().filter(|e| e.kind == Kind::Salary) {
                    e.amount = pay;
                }
            }
        }
        Flavor::Savings => savings(rng, day, &mut entries),
        Flavor::Credit => credit(rng, plan, day, anchors.sub_day, &mut entries),
        Flavor::Loan => loan(rng, day, anchors.rent_day, &mut entries),
    }
    recurring(rng, plan, day, &mut entries);
    entries
}

/// Books the account's recurring payments that fall on `day`.
fn recurring(rng: &mut impl Rng, plan: &Plan<'_>, day: NaiveDate, entries: &mut Vec<Entry>) {
    for r in plan.recurring.iter().filter(|r| r.falls_on(day)) {
        let amount = r.amount_on(rng, day);
        if amount.0 != 0 {
            push(entries, day, r.description.clone(), amount.0, r.kind);
            if let Some(e) = entries.last_mut() {
                e.bpay = r.bpay.clone();
            }
        }
    }
}

/// Moves what an account kept of each month's own income to savings on the month's last day,
/// so that its balance stays level while income covers spending and falls once it does not.
fn sweep(plan: &Plan<'_>, entries: &mut Vec<Entry>) {
    let mut kept: Vec<(NaiveDate, i64)> = Vec::new();
    for e in entries.iter() {
        let Some(last) = last_of_month(e.date) else {
            continue;
        };
        match kept.last_mut() {
            Some((month, net)) if *month == last => *net = net.saturating_add(e.amount.0),
            _ => kept.push((last, e.amount.0)),
        }
    }
    for (last, net) in kept {
        let whole = net / 100 * 100;
        if whole > 0 && last < plan.end {
            push(entries, last, "TRANSFER TO SAVINGS", -whole, Kind::Transfer);
        }
    }
}

fn last_of_month(date: NaiveDate) -> Option<NaiveDate> {
    let (y, m) = if date.month() == 12 {
        (date.year().checked_add(1)?, 1)
    } else {
        (date.year(), date.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1)?.pred_opt()
}

fn push(
    entries: &mut Vec<Entry>,
    date: NaiveDate,
    description: impl Into<Cow<'static, str>>,
    cents: i64,
    kind: Kind,
) {
    entries.push(Entry {
        date,
        description: description.into(),
        amount: Money(cents),
        kind,
        pending: false,
        balance: None,
        bpay: None,
    });
}

fn pick<'a>(rng: &mut impl Rng, list: &[&'a str]) -> &'a str {
    list[rng.random_range(0..list.len())]
}

fn card(rng: &mut impl Rng, plan: &Plan<'_>, list: &[&str]) -> String {
    let merchant = pick(rng, list);
    let number = rng.random_range(1000..9999u32);
    // Written out by hand: the most frequent description of all.
    let mut text = String::with_capacity(merchant.len() + plan.locality.len() + 6);
    text.push_str(merchant);
    text.push(' ');
    for div in [1000, 100, 10, 1] {
        text.push(char::from(b'0' + (number / div % 10) as u8));
    }
    text.push(' ');
    text.push_str(plan.locality);
    text
}

#[allow(clippy::too_many_arguments)]
fn everyday(
    rng: &mut impl Rng,
    plan: &Plan<'_>,
    day: NaiveDate,
    index: u32,
    pay_offset: u32,
    rent_day: u32,
    bill_days: &[u32],
    sub_day: u32,
    entries: &mut Vec<Entry>,
) {
    let m = plan.merchants;
    if index % 14 == pay_offset && !plan.own_income() {
        // The amount is set later, once the costs it has to cover are known.
        push(
            entries,
            day,
            format!("SALARY {}", plan.employer.to_uppercase()),
            0,
            Kind::Salary,
        );
    }
    if day.day() == rent_day && !plan.own_housing() {
        push(
            entries,
            day,
            format!("{} REF {}", m.landlord, rng.random_range(100000..999999)),
            -rng.random_range(150_000..260_000),
            Kind::Rent,
        );
    }
    for (i, d) in bill_days.iter().enumerate() {
        if day.day() == *d {
            let who = m.utilities[(i + bill_days.len()) % m.utilities.len()];
            push(
                entries,
                day,
                format!("{who} DIRECT DEBIT"),
                -rng.random_range(4_500..32_000),
                Kind::Utilities,
            );
        }
    }
    if day.day() == sub_day {
        push(
            entries,
            day,
            pick(rng, m.subscriptions),
            -rng.random_range(999..2_299),
            Kind::Subscription,
        );
    }
    if rng.random_bool(0.3) {
        push(
            entries,
            day,
            card(rng, plan, m.groceries),
            -rng.random_range(1_200..22_000),
            Kind::Groceries,
        );
    }
    if rng.random_bool(0.55) {
        push(
            entries,
            day,
            card(rng, plan, m.dining),
            -rng.random_range(450..6_500),
            Kind::Dining,
        );
    }
    if rng.random_bool(0.4) {
        push(
            entries,
            day,
            card(rng, plan, m.transport),
            -rng.random_range(350..9_000),
            Kind::Transport,
        );
    }
    if rng.random_bool(0.12) {
        push(
            entries,
            day,
            card(rng, plan, m.shopping),
            -rng.random_range(1_500..35_000),
            Kind::Shopping,
        );
    }
    if rng.random_bool(0.04) {
        push(
            entries,
            day,
            card(rng, plan, m.health),
            -rng.random_range(800..9_000),
            Kind::Health,
        );
    }
    if rng.random_bool(0.05) {
        push(
            entries,
            day,
            format!("{} {}", m.atm, plan.locality),
            -rng.random_range(2..12) * 1_000,
            Kind::Cash,
        );
    }
    if day.day() == 28 && rng.random_bool(0.3) {
        push(entries, day, "MONTHLY ACCOUNT FEE", -500, Kind::Fee);
    }
}

fn savings(rng: &mut impl Rng, day: NaiveDate, entries: &mut Vec<Entry>) {
    if day.day() == 1 {
        push(
            entries,
            day,
            "TRANSFER FROM EVERYDAY ACCOUNT",
            rng.random_range(5_000..80_000),
            Kind::Transfer,
        );
    }
    if day.day() == 28 {
        push(
            entries,
            day,
            "CREDIT INTEREST",
            rng.random_range(5..2_500),
            Kind::Interest,
        );
    }
    if rng.random_bool(0.02) {
        push(
            entries,
            day,
            "TRANSFER TO EVERYDAY ACCOUNT",
            -rng.random_range(5_000..60_000),
            Kind::Transfer,
        );
    }
}

fn credit(
    rng: &mut impl Rng,
    plan: &Plan<'_>,
    day: NaiveDate,
    pay_day: u32,
    entries: &mut Vec<Entry>,
) {
    let m = plan.merchants;
    if rng.random_bool(0.35) {
        push(
            entries,
            day,
            card(rng, plan, m.dining),
            -rng.random_range(600..9_000),
            Kind::Dining,
        );
    }
    if rng.random_bool(0.2) {
        push(
            entries,
            day,
            card(rng, plan, m.shopping),
            -rng.random_range(1_500..45_000),
            Kind::Shopping,
        );
    }
    if day.day() == pay_day {
        push(
            entries,
            day,
            "PAYMENT RECEIVED - THANK YOU",
            rng.random_range(30_000..150_000),
            Kind::Transfer,
        );
    }
}

fn loan(rng: &mut impl Rng, day: NaiveDate, due_day: u32, entries: &mut Vec<Entry>) {
    if day.day() == due_day {
        push(
            entries,
            day,
            "LOAN REPAYMENT",
            rng.random_range(150_000..320_000),
            Kind::LoanRepayment,
        );
    }
    if day.day() == 28 {
        push(
            entries,
            day,
            "INTEREST CHARGED",
            -rng.random_range(80_000..190_000),
            Kind::LoanInterest,
        );
    }
}

/// Sets the salary so that income covers spending, as a household budget roughly does.
fn balance_salary(entries: &mut [Entry]) {
    let spent: i64 = -entries
        .iter()
        .map(|e| e.amount.0)
        .filter(|a| *a < 0)
        .sum::<i64>();
    let pays = entries.iter().filter(|e| e.kind == Kind::Salary).count() as i64;
    if pays == 0 {
        return;
    }
    let pay = (spent / pays / 100 * 100).max(50_000);
    for e in entries.iter_mut().filter(|e| e.kind == Kind::Salary) {
        e.amount = Money(pay);
    }
}

/// Adds the opening transfer that makes the history end on the account's balance, then
/// computes running balances.
fn settle(rng: &mut impl Rng, plan: &Plan<'_>, start: NaiveDate, entries: &mut Vec<Entry>) {
    let posted: i64 = entries
        .iter()
        .filter(|e| !e.pending)
        .map(|e| e.amount.0)
        .sum();
    let opening = match plan.flavor {
        Flavor::Credit | Flavor::Loan => plan.end_balance.0.min(0) - rng.random_range(0..50_000),
        Flavor::Everyday | Flavor::Savings => rng.random_range(10_000..300_000),
    };
    // Balance before the history (opening) + opening transfer + posted flow = end balance.
    let transfer = plan.end_balance.0 - opening - posted;
    if transfer != 0 {
        let description = if transfer > 0 {
            "TRANSFER IN"
        } else {
            "TRANSFER OUT"
        };
        entries.insert(
            0,
            Entry {
                date: start,
                description: Cow::Borrowed(description),
                amount: Money(transfer),
                kind: Kind::Transfer,
                pending: false,
                balance: None,
                bpay: None,
            },
        );
    }
    entries.sort_by_key(|e| e.date);
    let mut running = opening;
    for e in entries.iter_mut() {
        if !e.pending {
            running += e.amount.0;
            e.balance = Some(Money(running));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::places::AU_MERCHANTS;
    use crate::ids::rng_for;

    fn plan(flavor: Flavor, end_balance: i64) -> Plan<'static> {
        Plan {
            flavor,
            days: 730,
            end: NaiveDate::from_ymd_opt(2025, 6, 30).unwrap_or_default(),
            end_balance: Money(end_balance),
            merchants: &AU_MERCHANTS,
            employer: "Hooli",
            locality: "DEE WHY NSW",
            recurring: &[],
        }
    }

    #[test]
    fn balances_add_up_to_the_account_balance() {
        for (flavor, end) in [
            (Flavor::Everyday, 1_000),
            (Flavor::Savings, -1_009),
            (Flavor::Credit, -608_150),
            (Flavor::Loan, -45_000_000),
        ] {
            let entries = generate(&mut rng_for(1, "t"), &plan(flavor, end));
            let last = entries.iter().rev().find_map(|e| e.balance);
            assert_eq!(last, Some(Money(end)), "{flavor:?}");
            assert!(entries.windows(2).all(|w| w[0].date <= w[1].date));
        }
    }

    #[test]
    fn two_years_of_everyday_spending_look_real() {
        let entries = generate(&mut rng_for(1, "t"), &plan(Flavor::Everyday, 1_000));
        assert!(entries.len() > 1_000, "{} entries", entries.len());
        let salaries = entries.iter().filter(|e| e.kind == Kind::Salary).count();
        assert!((50..=53).contains(&salaries), "{salaries} salaries");
        assert!(entries.iter().any(|e| e.pending));
        assert!(
            entries
                .iter()
                .any(|e| e.description.starts_with("WOOLWORTHS")
                    || e.description.starts_with("COLES"))
        );
    }

    #[test]
    fn same_seed_same_history() {
        let a = generate(&mut rng_for(9, "x"), &plan(Flavor::Everyday, 5));
        let b = generate(&mut rng_for(9, "x"), &plan(Flavor::Everyday, 5));
        assert_eq!(format!("{a:?}"), format!("{b:?}"));
    }
}
