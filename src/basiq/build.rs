//! Building Basiq's part of a world from the scenario's `[basiq]` section: the application,
//! its institutions and personas, users with their profiles, connections, accounts and
//! transactions, and a generated crowd. Everything left out is generated from the seed.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::check::basiq_application_of;
use super::deadlines::{self, Deadline};
use super::model::{self as bq, NewTransaction, TxnId};
use super::personas::Sandbox;
use super::scenario::*;
use crate::generate::fill::{
    DEFAULT_HISTORY_DAYS, before, describe, history_for, midnight, or_gen, random_balance,
};
use crate::generate::history::{Entry, Flavor, Kind, Plan};
use crate::generate::recurring::Recurring;
use crate::generate::{self, AuAddress, Person, places};
use crate::ids::{rng_for, uuid_v4, uuid_v4_bytes};
use crate::scenario::model::*;
use crate::value::{Money, Timestamp};
use crate::world::build::Ctx;
use crate::world::{Target, World};

/// Accounts (and their histories) a connection retrieves while the server runs: histories end
/// at `now`, and values come from the seed and `label`.
pub fn accounts(
    seed: u64,
    now: DateTime<Utc>,
    label: &str,
    connection: &bq::Connection,
    specs: &[BasiqAccountSpec],
) -> (Vec<bq::Account>, Vec<bq::Transaction>) {
    let ctx = Ctx::at(seed, now);
    let mut accounts = Vec::new();
    let mut transactions = Vec::new();
    for (i, spec) in specs.iter().enumerate() {
        let (a, t) = ctx.basiq_account(&format!("{label}.accounts[{i}]"), spec, connection);
        accounts.push(a);
        transactions.extend(t);
    }
    transactions.sort_by_key(|t| t.transaction_date().or(t.post_date()).map(|d| d.at));
    (accounts, transactions)
}

/// What a fresh application dates from the server's start at `start`: each user with
/// connections gives a consent when the first was made, renewed as of `start` (so it is current
/// whatever day the run is), and what falls due after `start` is queued (arrangements that end
/// while serving turn their connections invalid then; the scenario's status holds for those that
/// ended before). Run again on a copy of a fresh world, it re-dates the copy as if built at
/// `start`.
pub(crate) fn start(app: &mut bq::Application, seed: u64, start: DateTime<Utc>) {
    let mut deadlines = Vec::new();
    for user in &app.users {
        for c in &user.connections {
            if let Some(at) = c.expiry_date.filter(|t| t.at > start)
                && c.method == "open-banking"
            {
                deadlines.push(Deadline::arrangement(at, &user.id, &c.id));
            }
        }
    }
    for user in &mut app.users {
        if let Some(first) = user
            .connections
            .iter()
            .map(|c| c.created_date)
            .min_by_key(|t| t.at)
        {
            let consent = bq::Consent {
                id: uuid_v4(&mut rng_for(seed, &format!("consent {}", user.id))),
                created: first,
                updated: Timestamp::seconds(start),
                expiry: Timestamp::seconds(start + Duration::days(365)),
            };
            deadlines.extend(deadlines::of_consent(&user.id, &consent));
            user.consents = vec![consent];
        }
    }
    app.deadlines.clear();
    app.queue_all(deadlines);
}

impl Ctx {
    pub(crate) fn basiq(&self, spec: &BasiqSpec, world: &mut World) {
        let app = &mut world.basiq;
        app.api_keys = spec.api_keys.clone();
        app.disabled = spec.disabled;
        app.enrich = spec.enrich.unwrap_or(true);
        app.redirect_url = spec.redirect_url.clone();
        if let Some(code) = &spec.auth_link_code {
            app.auth_link_code = code.clone();
        }
        app.sandbox = Sandbox::with(&spec.institutions, &spec.personas);
        if let Some(d) = spec.job_step_duration {
            app.step_duration = d.0;
        }
        if let Some(d) = spec.webhook_cool_off {
            app.webhook_cool_off = d.0;
        }
        let rules = &mut app.refresh;
        if let Some(p) = spec.pending {
            rules.settle = p.settle.unwrap_or(rules.settle);
            rules.min_days = p.min_days.unwrap_or(rules.min_days);
            rules.max_days = p.max_days.unwrap_or(rules.max_days);
        }
        if let Some(a) = spec.activity {
            rules.daily = a.daily.unwrap_or(rules.daily);
            rules.rate = a.rate.unwrap_or(rules.rate);
        }
        app.id = spec
            .api_keys
            .first()
            .and_then(|k| basiq_application_of(k))
            .unwrap_or_else(|| "sandbank".to_owned());
        let mut transitions = Vec::new();
        let generated = spec.generated.map_or(0, |crowd| crowd.users as usize);
        world
            .basiq
            .users
            .reserve_exact(spec.users.len() + generated);
        for (u, user_spec) in spec.users.iter().enumerate() {
            let label = format!("basiq.users[{u}]");
            let user = self.basiq_user(&label, user_spec, &mut transitions);
            world.basiq.users.push(user);
        }
        if let Some(crowd) = spec.generated {
            let (users, scheduled) = self.crowd(crowd, spec.users.len());
            world.basiq.users.extend(users);
            transitions.extend(scheduled);
        }
        for (target, list) in transitions {
            self.schedule(world, target, &list);
        }
    }

    /// The generated users, numbered on from the `listed` ones. Each is made from its own
    /// seeded generator, so they are made on as many threads as the machine has (up to
    /// [`CROWD_THREADS`]) and come out the same, in the same order, whatever that number.
    fn crowd(&self, crowd: GeneratedUsersSpec, listed: usize) -> (Vec<bq::User>, Transitions) {
        let make = |range: std::ops::Range<u32>| {
            let mut transitions = Vec::new();
            let users: Vec<bq::User> = range
                .map(|i| {
                    let label = format!("basiq.users[{}]", listed + i as usize);
                    self.basiq_user(&label, &crowd_member(crowd, i), &mut transitions)
                })
                .collect();
            (users, transitions)
        };
        let threads = std::thread::available_parallelism()
            .map_or(1, std::num::NonZeroUsize::get)
            .min(CROWD_THREADS)
            .min((crowd.users / CROWD_USERS_PER_THREAD).max(1) as usize)
            as u32;
        if threads <= 1 {
            return make(0..crowd.users);
        }
        let chunk = crowd.users.div_ceil(threads);
        let parts: Vec<(Vec<bq::User>, Transitions)> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..threads)
                .map(|t| {
                    let start = t.saturating_mul(chunk).min(crowd.users);
                    let end = start.saturating_add(chunk).min(crowd.users);
                    // A thread the system refuses leaves its share to this one.
                    std::thread::Builder::new()
                        .spawn_scoped(s, move || make(start..end))
                        .map_err(|_| start..end)
                })
                .collect();
            handles
                .into_iter()
                .map(|h| match h {
                    Ok(h) => h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)),
                    Err(range) => make(range),
                })
                .collect()
        });
        let mut users = Vec::with_capacity(crowd.users as usize);
        let mut transitions = Vec::new();
        for (u, t) in parts {
            users.extend(u);
            transitions.extend(t);
        }
        (users, transitions)
    }

    fn basiq_user(
        &self,
        label: &str,
        spec: &BasiqUserSpec,
        transitions: &mut Vec<(Target, Vec<TransitionSpec>)>,
    ) -> bq::User {
        let mut rng = self.rng(label);
        let person = Person::random(&mut rng);
        let first_name = or_gen(&spec.first_name, || person.first_name.clone());
        let last_name = or_gen(&spec.last_name, || person.last_name.clone());
        let named = Person {
            first_name: first_name.clone(),
            last_name: last_name.clone(),
        };
        let mut user = bq::User {
            id: or_gen(&spec.id, || uuid_v4(&mut rng)),
            email: or_gen(&spec.email, || {
                named.email(
                    &mut rng,
                    &["gmail.com", "outlook.com", "bigpond.com", "hooli.com"],
                )
            }),
            mobile: or_gen(&spec.mobile, || generate::au_mobile(&mut rng)),
            name: spec.name.clone().unwrap_or_default(),
            first_name,
            middle_name: spec.middle_name.clone().unwrap_or_default(),
            last_name,
            business_name: spec.business_name.clone(),
            business_id_no: spec.business_id_no.clone(),
            business_id_no_type: spec.business_id_no_type.clone(),
            ..bq::User::default()
        };
        for (c, conn_spec) in spec.connections.iter().enumerate() {
            let label = format!("{label}.connections[{c}]");
            let connection = self.basiq_connection(&label, conn_spec, &user);
            for (a, account_spec) in accounts_or_default(conn_spec).iter().enumerate() {
                let label = format!("{label}.accounts[{a}]");
                let (account, txns) = self.basiq_account(&label, account_spec, &connection);
                user.accounts.push(account);
                user.transactions.extend(txns);
            }
            if !conn_spec.transitions.is_empty() {
                transitions.push((
                    crate::basiq::part::target(&user.id, &connection.id),
                    conn_spec.transitions.clone(),
                ));
            }
            user.connections.push(connection);
        }
        // Oldest first, so that a larger seq is always a later arrival.
        user.transactions
            .sort_by_key(|t| t.transaction_date().or(t.post_date()).map(|d| d.at));
        for (seq, t) in user.transactions.iter_mut().enumerate() {
            t.seq = seq as u64;
        }
        // Held for the whole run, by as many users as a scenario generates: no room to spare.
        user.transactions.shrink_to_fit();
        user.accounts.shrink_to_fit();
        user.connections.shrink_to_fit();
        user
    }

    fn basiq_connection(
        &self,
        label: &str,
        spec: &BasiqConnectionSpec,
        user: &bq::User,
    ) -> bq::Connection {
        let mut rng = self.rng(label);
        let id = or_gen(&spec.id, || uuid_v4(&mut rng));
        let created_date = or_gen(&spec.created_date, || before(&mut rng, self.epoch, 30, 400));
        let last_used = spec.last_used.or_else(|| {
            let span = (self.epoch - created_date.at).num_seconds().max(1);
            Some(Timestamp::seconds(
                created_date.at + Duration::seconds(rng.random_range(0..span)),
            ))
        });
        let method = match spec.method.as_deref() {
            Some("openbanking") => "open-banking".to_owned(),
            Some(m) => m.to_owned(),
            None => "web".to_owned(),
        };
        let expiry_date = spec.expiry_date.or_else(|| {
            (method == "open-banking")
                .then(|| Timestamp::seconds(created_date.at + Duration::days(365)))
        });
        let profile = self.basiq_profile(&mut rng, spec.profile.as_ref(), user);
        bq::Connection {
            id,
            status: spec.status.clone().unwrap_or_else(|| "active".to_owned()),
            method,
            mfa_enabled: spec.mfa_enabled.unwrap_or(false),
            created_date,
            last_used,
            expiry_date,
            institution: spec
                .institution
                .clone()
                .unwrap_or_else(|| "AU00000".to_owned()),
            profile,
            login: None,
        }
    }

    fn basiq_profile(
        &self,
        rng: &mut ChaCha8Rng,
        spec: Option<&BasiqProfileSpec>,
        user: &bq::User,
    ) -> bq::Profile {
        let default = BasiqProfileSpec::default();
        let spec = spec.unwrap_or(&default);
        let first_name = spec
            .first_name
            .clone()
            .unwrap_or_else(|| user.first_name.clone());
        let last_name = spec
            .last_name
            .clone()
            .unwrap_or_else(|| user.last_name.clone());
        let full_name = spec
            .full_name
            .clone()
            .unwrap_or_else(|| format!("{first_name} {last_name}").trim().to_owned());
        let physical_addresses = match &spec.physical_addresses {
            Some(list) => list.iter().map(address_as_written).collect(),
            None => {
                let a = AuAddress::random(rng);
                vec![bq::Address {
                    address_line1: Some(a.line1.clone()),
                    address_line2: None,
                    address_line3: None,
                    postcode: Some(a.postcode.clone()),
                    city: Some(a.suburb.clone()),
                    state: Some(a.state.clone()),
                    country: Some("Australia".to_owned()),
                    country_code: Some("AU".to_owned()),
                    formatted_address: Some(a.formatted()),
                }]
            }
        };
        bq::Profile {
            full_name,
            first_name,
            last_name,
            middle_name: spec
                .middle_name
                .clone()
                .unwrap_or_else(|| user.middle_name.clone()),
            phone_numbers: spec
                .phone_numbers
                .clone()
                .unwrap_or_else(|| local_phone(&user.mobile).into_iter().collect()),
            email_addresses: spec.email_addresses.clone().unwrap_or_else(|| {
                Some(user.email.clone())
                    .filter(|e| !e.is_empty())
                    .into_iter()
                    .collect()
            }),
            physical_addresses,
        }
    }

    fn basiq_account(
        &self,
        label: &str,
        spec: &BasiqAccountSpec,
        connection: &bq::Connection,
    ) -> (bq::Account, Vec<bq::Transaction>) {
        let mut rng = self.rng(label);
        let (class_type, product) = match &spec.class {
            Some(c) => (
                c.kind.clone(),
                c.product
                    .clone()
                    .unwrap_or_else(|| default_product(&connection.institution, &c.kind)),
            ),
            None => (
                "transaction".to_owned(),
                default_product(&connection.institution, "transaction"),
            ),
        };
        let flavor = basiq_flavor(&class_type);
        let balance = spec
            .balance
            .unwrap_or_else(|| random_balance(&mut rng, flavor));
        // A card's limit; a loan's or mortgage's the amount lent, in tens of thousands above
        // what is owed.
        let credit_limit = spec.credit_limit.or_else(|| match flavor {
            Flavor::Credit => Some(Money(rng.random_range(20..200) * 100_000 / 10)),
            Flavor::Loan => {
                let owed = balance.0.saturating_neg().max(0);
                let lent = owed.saturating_add(owed / 100 * rng.random_range(5..40));
                let tens = lent / 1_000_000 + i64::from(lent % 1_000_000 != 0);
                Some(Money(tens.saturating_mul(1_000_000)))
            }
            _ => None,
        });
        // Counted once the transactions are known (pending ones reduce it).
        let available_funds = spec.available_funds.unwrap_or_default();
        let last_updated = spec
            .last_updated
            .or(connection.last_used)
            .unwrap_or_else(|| Timestamp::seconds(self.epoch));
        let account = bq::Account {
            id: or_gen(&spec.id, || uuid_v4(&mut rng)),
            connection: connection.id.clone(),
            institution: connection.institution.clone(),
            account_no: or_gen(&spec.account_no, || generate::digits(&mut rng, 12)),
            name: or_gen(&spec.name, || default_account_name(&class_type)),
            currency: spec.currency.clone().unwrap_or_else(|| "AUD".to_owned()),
            balance: Some(balance),
            available_funds: Some(available_funds),
            credit_limit,
            last_updated,
            class_type,
            product,
            status: spec
                .status
                .clone()
                .unwrap_or_else(|| "available".to_owned()),
            account_holder: spec
                .account_holder
                .clone()
                .or_else(|| Some(connection.profile.full_name.clone())),
            history_from: None,
            activity_through: spec
                .transactions
                .is_empty()
                .then(|| last_updated.at.date_naive()),
            recurring: spec
                .recurring
                .iter()
                .enumerate()
                .filter_map(|(i, r)| {
                    let mut rng = self.rng(&format!("{label}.recurring[{i}]"));
                    Recurring::of(r, last_updated.at.date_naive(), &mut rng)
                })
                .collect(),
        };
        let default_days = if spec.transactions.is_empty() {
            DEFAULT_HISTORY_DAYS
        } else {
            0
        };
        let locality = locality(&connection.profile);
        let employer = generate::company(&mut rng);
        let entries = history_for(
            &mut rng,
            spec.history,
            Plan {
                flavor,
                days: default_days,
                end: account.last_updated.at.date_naive(),
                end_balance: balance,
                merchants: &places::AU_MERCHANTS,
                employer: &employer,
                locality: &locality,
                recurring: &account.recurring,
            },
        );
        let owner = owner_of(&account, &locality);
        let mut txns: Vec<bq::Transaction> = entries
            .into_iter()
            .map(|e| generated(e, TxnId::Uuid(uuid_v4_bytes(&mut rng)), &owner))
            .collect();
        for (t, txn) in spec.transactions.iter().enumerate() {
            let mut rng = self.rng(&format!("{label}.transactions[{t}]"));
            let status = if txn.status.as_deref() == Some("pending") {
                "pending"
            } else {
                "posted"
            };
            let date = txn
                .transaction_date
                .or(txn.post_date)
                .unwrap_or(account.last_updated);
            let new = NewTransaction {
                id: match &txn.id {
                    Some(id) => TxnId::new(id),
                    None => TxnId::Uuid(uuid_v4_bytes(&mut rng)),
                },
                description: or_gen(&txn.description, || {
                    describe(&mut rng, txn.amount, &places::AU_MERCHANTS)
                })
                .into(),
                reference: Box::default(),
                amount: txn.amount,
                balance: None,
                sub_class: None,
                cleaned: false,
                tags: &[],
                seq: 0,
                class: match &txn.class {
                    Some(class) => bq::transaction_class(class),
                    None if txn.amount.0 < 0 => "payment",
                    None => "transfer",
                },
                post_date: if status == "pending" {
                    None
                } else {
                    Some(txn.post_date.unwrap_or(date))
                },
                transaction_date: Some(date),
                status,
                bpay: None,
            };
            txns.push(bq::Transaction::new(&owner, new));
        }
        let mut account = account;
        if spec.available_funds.is_none() {
            let pending = txns
                .iter()
                .filter(|t| t.status() == "pending")
                .fold(0i64, |sum, t| sum.saturating_add(t.amount.0));
            account.available_funds = Some(available(
                flavor,
                &account.class_type,
                credit_limit,
                balance,
                pending,
            ));
        }
        account.history_from = txns
            .iter()
            .filter_map(|t| t.transaction_date().or(t.post_date()))
            .map(|t| t.at.date_naive())
            .min();
        (account, txns)
    }
}

/// Member `i` of a generated crowd: one `AU00000` connection with a transaction and a savings
/// account sharing the member's part of the crowd's transactions (parts differ by at most one).
/// Most threads generated users are made on.
const CROWD_THREADS: usize = 8;

/// Fewest generated users worth a thread of their own.
const CROWD_USERS_PER_THREAD: u32 = 500;

/// Connections' scripted transitions, as users are made.
type Transitions = Vec<(Target, Vec<TransitionSpec>)>;

fn crowd_member(crowd: GeneratedUsersSpec, i: u32) -> BasiqUserSpec {
    let users = u64::from(crowd.users.max(1));
    let own = crowd.transactions / users + u64::from(u64::from(i) < crowd.transactions % users);
    let account = |class: &str, n: u64| BasiqAccountSpec {
        class: Some(BasiqClassSpec {
            kind: class.to_owned(),
            product: None,
        }),
        history: Some(HistorySpec {
            days: None,
            transactions: Some(u32::try_from(n).unwrap_or(u32::MAX)),
        }),
        ..BasiqAccountSpec::default()
    };
    BasiqUserSpec {
        connections: vec![BasiqConnectionSpec {
            accounts: Some(vec![
                account("transaction", own - own / 2),
                account("savings", own / 2),
            ]),
            ..BasiqConnectionSpec::default()
        }],
        ..BasiqUserSpec::default()
    }
}

fn accounts_or_default(spec: &BasiqConnectionSpec) -> Vec<BasiqAccountSpec> {
    match &spec.accounts {
        Some(list) => list.clone(),
        None => vec![
            BasiqAccountSpec::default(),
            BasiqAccountSpec {
                class: Some(BasiqClassSpec {
                    kind: "savings".to_owned(),
                    product: None,
                }),
                ..BasiqAccountSpec::default()
            },
        ],
    }
}

fn address_as_written(a: &BasiqAddressSpec) -> bq::Address {
    let formatted_address = a.formatted_address.clone().or_else(|| {
        let locality = [a.city.as_deref(), a.state.as_deref(), a.postcode.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        let parts: Vec<&str> = [
            a.address_line1.as_deref(),
            Some(locality.as_str()),
            a.country.as_deref(),
        ]
        .into_iter()
        .flatten()
        .filter(|p| !p.is_empty())
        .collect();
        (!parts.is_empty()).then(|| parts.join(", "))
    });
    bq::Address {
        address_line1: a.address_line1.clone(),
        address_line2: a.address_line2.clone(),
        address_line3: a.address_line3.clone(),
        postcode: a.postcode.clone(),
        city: a.city.clone(),
        state: a.state.clone(),
        country: a.country.clone(),
        country_code: a.country_code.clone(),
        formatted_address,
    }
}

/// `+61410888991` → `0410 888 991`, the way Australian banks print a mobile.
fn local_phone(mobile: &str) -> Option<String> {
    let rest = mobile.strip_prefix("+61")?;
    if rest.len() != 9 {
        return Some(mobile.to_owned());
    }
    Some(format!("0{} {} {}", &rest[..3], &rest[3..6], &rest[6..]))
}

fn default_product(institution: &str, class: &str) -> String {
    let brand = if institution == "AU00000" {
        "Hooli "
    } else {
        ""
    };
    let product = match class {
        "transaction" => "Transaction",
        "savings" => "Saver",
        "credit-card" => "Visa",
        "mortgage" => "Home Loan",
        "loan" => "Personal Loan",
        "term-deposit" => "Term Deposit",
        "investment" => "Investment",
        _ => "Account",
    };
    format!("{brand}{product}")
}

fn default_account_name(class: &str) -> String {
    match class {
        "transaction" => "Everyday Account",
        "savings" => "Savings Account",
        "credit-card" => "Credit Card",
        "mortgage" => "Home Loan",
        "loan" => "Personal Loan",
        "term-deposit" => "Term Deposit",
        _ => "Account",
    }
    .to_owned()
}

/// What an account has available when its scenario does not say: a card's unused limit, a
/// mortgage's redraw (what was repaid beyond the schedule: the amount lent less what is
/// owed), a deposit account's balance (never below zero), nothing on a personal loan; pending
/// transactions (`pending`, their sum) reduce it but not the balance, as Basiq's
/// pending-transactions page says.
fn available(
    flavor: Flavor,
    class: &str,
    credit_limit: Option<Money>,
    balance: Money,
    pending: i64,
) -> Money {
    let after = balance.0.saturating_add(pending);
    Money(match (flavor, credit_limit) {
        (Flavor::Credit, Some(limit)) => limit.0.saturating_add(after),
        (Flavor::Loan, Some(limit)) if class == "mortgage" => limit.0.saturating_add(after).max(0),
        (Flavor::Loan, _) => 0,
        _ => after.max(0),
    })
}

/// The kind of history an account of this class has.
pub(crate) fn basiq_flavor(class: &str) -> Flavor {
    match class {
        "transaction" => Flavor::Everyday,
        "credit-card" => Flavor::Credit,
        "mortgage" | "loan" => Flavor::Loan,
        _ => Flavor::Savings,
    }
}

fn basiq_class(kind: Kind) -> &'static str {
    match kind {
        Kind::Salary | Kind::Benefit | Kind::RentalIncome => "direct-credit",
        Kind::Crypto => "transfer",
        Kind::Transfer => "transfer",
        Kind::Fee => "bank-fee",
        Kind::Interest => "interest",
        Kind::Cash => "cash-withdrawal",
        Kind::LoanRepayment => "loan-repayment",
        Kind::LoanInterest => "loan-interest",
        _ => "payment",
    }
}

/// Enrich's tags for what a transaction was for.
fn tags(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Salary => &["income:salary"],
        Kind::Benefit => &["governmentPayment:centrelink"],
        Kind::Bnpl => &["liability:afterpay"],
        Kind::Rent => &["expense:rent"],
        Kind::LoanRepayment => &["loan:loan repayment"],
        Kind::Cash => &["cash:withdrawal"],
        _ => &[],
    }
}

/// `n` card purchases that just appeared on `account` at `at` (pending), drawn from the seed
/// and `label`.
pub fn purchases(
    seed: u64,
    label: &str,
    account: &bq::Account,
    at: DateTime<Utc>,
    n: u32,
) -> Vec<bq::Transaction> {
    let mut rng = rng_for(seed, label);
    let owner = owner_of(account, "");
    (0..n)
        .map(|_| {
            let amount = Money(-rng.random_range(300..9_000));
            let description = describe(&mut rng, amount, &places::AU_MERCHANTS);
            let new = NewTransaction {
                id: TxnId::Uuid(uuid_v4_bytes(&mut rng)),
                status: "pending",
                sub_class: places::anzsic(Kind::Shopping, &description),
                cleaned: true,
                tags: &[],
                description: description.into(),
                reference: Box::default(),
                amount,
                balance: None,
                class: "payment",
                post_date: None,
                transaction_date: Some(Timestamp::seconds(at)),
                seq: 0,
                bpay: None,
            };
            bq::Transaction::new(&owner, new)
        })
        .collect()
}

/// What the transactions made for `account` share with it (one allocation for all of them),
/// card purchases naming `locality`.
pub(crate) fn owner_of(account: &bq::Account, locality: &str) -> Arc<bq::Owner> {
    Arc::new(bq::Owner {
        account: account.id.clone(),
        connection: account.connection.clone(),
        institution: account.institution.clone(),
        currency: account.currency.clone(),
        locality: locality.to_owned(),
    })
}

/// A generated history entry as a Basiq transaction with this id: posted on its day (with its
/// running balance) unless pending.
pub(crate) fn generated(e: Entry, id: TxnId, owner: &Arc<bq::Owner>) -> bq::Transaction {
    let class = basiq_class(e.kind);
    let new = NewTransaction {
        id,
        status: if e.pending { "pending" } else { "posted" },
        sub_class: (class == "payment")
            .then(|| places::anzsic(e.kind, &e.description))
            .flatten(),
        cleaned: true,
        tags: tags(e.kind),
        description: e.description,
        reference: Box::default(),
        amount: e.amount,
        balance: e.balance,
        class,
        post_date: (!e.pending).then(|| midnight(e.date)),
        transaction_date: Some(midnight(e.date)),
        seq: 0,
        bpay: e.bpay,
    };
    bq::Transaction::new(owner, new)
}

/// Where a connection's holder lives, as card purchases name it (`DEE WHY NSW`).
pub(crate) fn locality(profile: &bq::Profile) -> String {
    profile
        .physical_addresses
        .first()
        .map(|a| {
            format!(
                "{} {}",
                a.city.clone().unwrap_or_default(),
                a.state.clone().unwrap_or_default()
            )
            .trim()
            .to_uppercase()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_users_come_out_as_if_made_one_by_one() {
        let ctx = Ctx {
            seed: 7,
            epoch: Utc::now(),
            start: Utc::now(),
        };
        let crowd = GeneratedUsersSpec {
            users: 1_200,
            transactions: 2_400,
        };
        let (users, _) = ctx.crowd(crowd, 2);
        assert_eq!(users.len(), 1_200);
        // Either side of where the threads' shares meet, and the ends.
        for i in [0u32, 399, 400, 599, 600, 799, 800, 1_199] {
            let label = format!("basiq.users[{}]", 2 + i as usize);
            let alone = ctx.basiq_user(&label, &crowd_member(crowd, i), &mut Vec::new());
            let made = &users[i as usize];
            assert_eq!(made.id, alone.id, "user {i}");
            assert_eq!(made.transactions.len(), alone.transactions.len());
            assert_eq!(
                made.transactions
                    .iter()
                    .map(|t| t.id.to_string())
                    .collect::<Vec<_>>(),
                alone
                    .transactions
                    .iter()
                    .map(|t| t.id.to_string())
                    .collect::<Vec<_>>()
            );
        }
    }
}
