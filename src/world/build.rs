//! Building a [`World`] from a scenario: every object listed is kept as written, and every
//! field or object left out is generated from the scenario's seed.
//!
//! What is generated when left out:
//! - ids (Basiq: UUID v4; Meld: 22-character base58), names, emails, phones, addresses;
//! - a Basiq connection's profile (from its user) and its accounts (two: everyday and savings);
//! - a Meld connection's financial accounts (checking and savings) once it has been aggregated;
//! - 90 days of transactions on every account that lists none (`history` sets the length);
//! - dates, spread over the year before the scenario `epoch`.
//!
//! Each object draws from its own stream (`ids::rng_for(seed, key path)`), so adding an object
//! never changes what is generated for another.

use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::timeline::{Step, Timeline};
use super::{Target, World};
use crate::basiq::deadlines::{self, Deadline};
use crate::basiq::model as bq;
use crate::basiq::personas::Sandbox;
use crate::generate::history::{self, Entry, Flavor, Kind, Plan};
use crate::generate::{self, AuAddress, Person, places};
use crate::ids::{base58_id, rng_for, uuid_v4};
use crate::meld::model as md;
use crate::meld::{institutions, portfolio};
use crate::scenario::check::basiq_application_of;
use crate::scenario::model::*;
use crate::value::{Money, Precision, Timestamp};

/// Where generated histories end when a scenario sets no `epoch`.
pub const DEFAULT_EPOCH: &str = "2025-06-30T00:00:00Z";

/// Meld version used when a scenario sets no `defaultVersion`.
pub const DEFAULT_MELD_VERSION: &str = "2023-12-19";

/// Days of transactions generated on an account that lists none.
const DEFAULT_HISTORY_DAYS: u32 = 90;
/// The longest history `history = { transactions = N }` grows to (40 years).
pub const MAX_HISTORY_DAYS: u32 = 40 * 366;

/// Builds the world a scenario describes; transitions count from `start`.
pub fn build(scenario: &Scenario, start: DateTime<Utc>) -> World {
    let epoch = scenario
        .epoch
        .or_else(|| Timestamp::parse(DEFAULT_EPOCH))
        .map(|t| t.at)
        .unwrap_or(start);
    let ctx = Ctx {
        seed: scenario.seed,
        epoch,
        start,
    };
    let mut world = World {
        seed: scenario.seed,
        ..World::default()
    };
    let default_basiq = BasiqSpec::default();
    ctx.basiq(
        scenario.basiq.as_ref().unwrap_or(&default_basiq),
        &mut world,
    );
    let default_meld = MeldSpec::default();
    ctx.meld(scenario.meld.as_ref().unwrap_or(&default_meld), &mut world);
    world
}

/// Accounts (and their histories) a connection retrieves while the server runs: histories end
/// at `now`, and values come from the seed and `label`.
pub fn basiq_accounts(
    seed: u64,
    now: DateTime<Utc>,
    label: &str,
    connection: &bq::Connection,
    specs: &[BasiqAccountSpec],
) -> (Vec<bq::Account>, Vec<bq::Transaction>) {
    let ctx = Ctx {
        seed,
        epoch: now,
        start: now,
    };
    let mut accounts = Vec::new();
    let mut transactions = Vec::new();
    for (i, spec) in specs.iter().enumerate() {
        let (a, t) = ctx.basiq_account(&format!("{label}.accounts[{i}]"), spec, connection);
        accounts.push(a);
        transactions.extend(t);
    }
    transactions.sort_by_key(|t| t.transaction_date.or(t.post_date).map(|d| d.at));
    (accounts, transactions)
}

/// Accounts (and their histories) a Meld aggregation finds while the server runs: histories
/// end at the connection's `successfullyAggregatedAt`; values come from the seed and `label`.
pub fn meld_accounts(
    seed: u64,
    now: DateTime<Utc>,
    label: &str,
    connection: &md::Connection,
    specs: &[MeldAccountSpec],
) -> Vec<(md::FinancialAccount, Vec<md::Transaction>)> {
    let ctx = Ctx {
        seed,
        epoch: now,
        start: now,
    };
    specs
        .iter()
        .enumerate()
        .map(|(i, spec)| ctx.meld_account(&format!("{label}.accounts[{i}]"), spec, connection))
        .collect()
}

struct Ctx {
    seed: u64,
    epoch: DateTime<Utc>,
    start: DateTime<Utc>,
}

fn or_gen<T>(value: &Option<T>, generate: impl FnOnce() -> T) -> T
where
    T: Clone,
{
    match value {
        Some(v) => v.clone(),
        None => generate(),
    }
}

/// A second-precision instant `days_back` (fractional) before `from`.
fn before(rng: &mut ChaCha8Rng, from: DateTime<Utc>, min_days: i64, max_days: i64) -> Timestamp {
    let secs = rng.random_range(min_days * 86_400..max_days * 86_400);
    Timestamp::seconds(from - Duration::seconds(secs))
}

impl Ctx {
    fn rng(&self, label: &str) -> ChaCha8Rng {
        rng_for(self.seed, label)
    }

    fn schedule(&self, world: &mut World, target: Target, transitions: &[TransitionSpec]) {
        if transitions.is_empty() {
            return;
        }
        let steps = transitions.iter().map(Step::from_spec).collect();
        world
            .timelines
            .push(Timeline::new(target, steps, self.start));
    }

    // ------------------------------------------------------------------------------------------
    // Basiq

    fn basiq(&self, spec: &BasiqSpec, world: &mut World) {
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
        app.id = spec
            .api_keys
            .first()
            .and_then(|k| basiq_application_of(k))
            .unwrap_or_else(|| "sandbank".to_owned());
        let mut transitions = Vec::new();
        for (u, user_spec) in spec.users.iter().enumerate() {
            let label = format!("basiq.users[{u}]");
            let user = self.basiq_user(&label, user_spec, &mut transitions);
            world.basiq.users.push(user);
        }
        if let Some(crowd) = spec.generated {
            let listed = spec.users.len();
            let users = (0..crowd.users).map(|i| crowd_member(crowd, i));
            for (u, user_spec) in users.enumerate() {
                let label = format!("basiq.users[{}]", listed + u);
                let user = self.basiq_user(&label, &user_spec, &mut transitions);
                world.basiq.users.push(user);
            }
        }
        for (target, list) in transitions {
            self.schedule(world, target, &list);
        }
        // Arrangements that end while serving turn their connections invalid then; the
        // scenario's status holds for those that ended before it starts.
        let mut deadlines = Vec::new();
        for user in &world.basiq.users {
            for c in &user.connections {
                if let Some(at) = c.expiry_date.filter(|t| t.at > self.start)
                    && c.method == "open-banking"
                {
                    deadlines.push(Deadline::arrangement(at, &user.id, &c.id));
                }
            }
        }
        // Users who have connections gave a consent when they made the first one.
        for user in &mut world.basiq.users {
            if let Some(first) = user
                .connections
                .iter()
                .map(|c| c.created_date)
                .min_by_key(|t| t.at)
            {
                // Renewed as of the server start, so it is current whatever day the run is.
                let renewed = Timestamp::seconds(self.start);
                let consent = bq::Consent {
                    id: uuid_v4(&mut self.rng(&format!("consent {}", user.id))),
                    created: first,
                    updated: renewed,
                    expiry: Timestamp::seconds(self.start + Duration::days(365)),
                };
                deadlines.extend(deadlines::of_consent(&user.id, &consent));
                user.consents.push(consent);
            }
        }
        world.basiq.queue_all(deadlines);
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
            .sort_by_key(|t| t.transaction_date.or(t.post_date).map(|d| d.at));
        for (seq, t) in user.transactions.iter_mut().enumerate() {
            t.seq = seq as u64;
        }
        user.transactions.shrink_to_fit();
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
        let credit_limit = spec.credit_limit.or_else(|| {
            matches!(flavor, Flavor::Credit)
                .then(|| Money(rng.random_range(20..200) * 100_000 / 10))
        });
        let available_funds = spec
            .available_funds
            .unwrap_or(match (flavor, credit_limit) {
                (Flavor::Credit, Some(limit)) => Money(limit.0 + balance.0),
                (Flavor::Loan, _) => Money(0),
                _ => Money(balance.0.max(0)),
            });
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
        };
        let default_days = if spec.transactions.is_empty() {
            DEFAULT_HISTORY_DAYS
        } else {
            0
        };
        let locality = connection
            .profile
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
            .unwrap_or_default();
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
            },
        );
        // Shared by every transaction of the account.
        let account_id: Arc<str> = account.id.as_str().into();
        let connection_id: Arc<str> = connection.id.as_str().into();
        let institution: Arc<str> = connection.institution.as_str().into();
        let currency: Arc<str> = account.currency.as_str().into();
        let mut txns: Vec<bq::Transaction> = entries
            .into_iter()
            .map(|e| {
                let class = basiq_class(e.kind);
                bq::Transaction {
                    id: uuid_v4(&mut rng),
                    account: account_id.clone(),
                    connection: connection_id.clone(),
                    institution: institution.clone(),
                    status: if e.pending { "pending" } else { "posted" },
                    sub_class: (class == "payment")
                        .then(|| places::anzsic(e.kind, &e.description))
                        .flatten(),
                    cleaned: true,
                    tags: tags(e.kind),
                    description: {
                        let mut d = e.description;
                        d.shrink_to_fit();
                        d
                    },
                    reference: Box::default(),
                    amount: e.amount,
                    currency: currency.clone(),
                    balance: e.balance,
                    class,
                    post_date: (!e.pending).then(|| midnight(e.date)),
                    transaction_date: Some(midnight(e.date)),
                    seq: 0,
                }
            })
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
            txns.push(bq::Transaction {
                id: or_gen(&txn.id, || uuid_v4(&mut rng)),
                account: account_id.clone(),
                connection: connection_id.clone(),
                institution: institution.clone(),
                description: or_gen(&txn.description, || {
                    describe(&mut rng, txn.amount, &places::AU_MERCHANTS)
                }),
                reference: Box::default(),
                amount: txn.amount,
                currency: currency.clone(),
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
            });
        }
        let mut account = account;
        account.history_from = txns
            .iter()
            .filter_map(|t| t.transaction_date.or(t.post_date))
            .map(|t| t.at.date_naive())
            .min();
        (account, txns)
    }

    // ------------------------------------------------------------------------------------------
    // Meld

    fn meld(&self, spec: &MeldSpec, world: &mut World) {
        let mut rng = self.rng("meld");
        let account = &mut world.meld;
        account.id = or_gen(&spec.account_id, || base58_id(&mut rng));
        account.api_keys = spec.api_keys.clone();
        account.default_version = spec
            .default_version
            .clone()
            .unwrap_or_else(|| DEFAULT_MELD_VERSION.to_owned());
        if let Some(delay) = spec.aggregation_delay {
            account.rules.aggregation_delay = delay.0;
        }
        if let Some(hook) = &spec.webhook {
            account.webhook_profile_id = Some(or_gen(&hook.profile_id, || base58_id(&mut rng)));
            account.webhook = Some(md::WebhookProfile {
                url: hook.url.clone(),
                secret: hook.secret.clone(),
            });
        }
        if let Some(list) = &spec.refreshable_statuses {
            account.rules.refreshable = list.clone();
        }
        if let Some(list) = &spec.repairable_statuses {
            account.rules.repairable = list.clone();
        }
        let mut transitions = Vec::new();
        for (c, customer_spec) in spec.customers.iter().enumerate() {
            let label = format!("meld.customers[{c}]");
            let customer = self.meld_customer(&label, customer_spec);
            for (n, conn_spec) in customer_spec.connections.iter().enumerate() {
                let label = format!("{label}.connections[{n}]");
                let connection = self.meld_connection(&label, conn_spec, &customer);
                let generate_accounts =
                    !matches!(connection.status.as_str(), "IN_PROGRESS" | "EXPIRED");
                let accounts = match &conn_spec.accounts {
                    Some(list) => list.clone(),
                    None if generate_accounts => vec![
                        MeldAccountSpec::default(),
                        MeldAccountSpec {
                            subtype: Some("SAVINGS".to_owned()),
                            kind: Some("DEPOSITORY".to_owned()),
                            ..MeldAccountSpec::default()
                        },
                    ],
                    None => Vec::new(),
                };
                let wants_investments = connection
                    .products
                    .iter()
                    .chain(&connection.optional_products)
                    .any(|p| portfolio::PRODUCTS.contains(&p.as_str()));
                for (a, account_spec) in accounts.iter().enumerate() {
                    let label = format!("{label}.accounts[{a}]");
                    let (fa, txns) = self.meld_account(&label, account_spec, &connection);
                    let fa_id = fa.id.clone();
                    world.meld.financial_accounts.push(fa);
                    world.meld.transactions.extend(txns);
                    if wants_investments {
                        let at = connection
                            .successfully_aggregated_at
                            .map_or(self.epoch, |t| t.at);
                        portfolio::attach(&mut world.meld, self.seed, &fa_id, at);
                    }
                }
                if !conn_spec.transitions.is_empty() {
                    transitions.push((
                        crate::meld::part::target(&connection.id),
                        conn_spec.transitions.clone(),
                    ));
                }
                world.meld.connections.push(connection);
            }
            world.meld.customers.push(customer);
        }
        link_duplicates(spec, &mut world.meld);
        for (target, list) in transitions {
            self.schedule(world, target, &list);
        }
    }

    fn meld_customer(&self, label: &str, spec: &MeldCustomerSpec) -> md::Customer {
        let mut rng = self.rng(label);
        let person = Person::random(&mut rng);
        let name = spec.name.clone().unwrap_or_default();
        let named = Person {
            first_name: name.first_name.unwrap_or(person.first_name),
            last_name: name.last_name.unwrap_or(person.last_name),
        };
        md::Customer {
            id: or_gen(&spec.id, || base58_id(&mut rng)),
            external_id: or_gen(&spec.external_id, || {
                format!("customer-{}", generate::digits(&mut rng, 6))
            }),
            email: Some(or_gen(&spec.email, || {
                named.email(&mut rng, &["gmail.com", "yahoo.com", "outlook.com"])
            })),
            phone: Some(or_gen(&spec.phone, || generate::us_phone(&mut rng))),
            first_name: Some(named.first_name),
            last_name: Some(named.last_name),
            date_of_birth: None,
            status: "ACTIVE".to_owned(),
            created_at: before(&mut rng, self.epoch, 400, 500),
        }
    }

    fn meld_connection(
        &self,
        label: &str,
        spec: &MeldConnectionSpec,
        customer: &md::Customer,
    ) -> md::Connection {
        let mut rng = self.rng(label);
        let status = spec.status.clone().unwrap_or_else(|| "ACTIVE".to_owned());
        let pending = matches!(status.as_str(), "IN_PROGRESS" | "EXPIRED");
        let built_in = match &spec.institution_id {
            Some(id) => institutions::find(id),
            None if pending => None,
            None => {
                Some(&institutions::BUILT_IN[rng.random_range(0..institutions::BUILT_IN.len())])
            }
        };
        let institution_id = spec
            .institution_id
            .clone()
            .or_else(|| built_in.map(|i| i.id.to_owned()));
        let institution_name =
            spec.institution_name
                .clone()
                .or_else(|| match (built_in, &institution_id) {
                    (Some(i), _) => Some(i.name.to_owned()),
                    (None, Some(_)) => Some(format!("{} Bank", generate::company(&mut rng))),
                    (None, None) => None,
                });
        let service_provider = spec
            .service_provider
            .clone()
            .or_else(|| {
                built_in
                    .and_then(|i| i.providers.first())
                    .map(|p| (*p).to_owned())
            })
            .unwrap_or_else(|| "PLAID".to_owned());
        let mut details = serde_json::Map::new();
        details.insert(
            "serviceProvider".to_owned(),
            service_provider.clone().into(),
        );
        if let Some(extra) = &spec.service_provider_details {
            for (k, v) in extra {
                details.insert(k.clone(), toml_to_json(v));
            }
        }
        let created_at = or_gen(&spec.created_at, || before(&mut rng, self.epoch, 10, 300));
        let successfully_aggregated_at = spec.successfully_aggregated_at.or_else(|| {
            (!pending).then(|| {
                Timestamp::seconds(created_at.at + Duration::seconds(rng.random_range(60..600)))
            })
        });
        md::Connection {
            id: or_gen(&spec.id, || base58_id(&mut rng)),
            customer_id: customer.id.clone(),
            institution_id,
            institution_name,
            status,
            status_reason: spec.status_reason.clone(),
            products: spec
                .products
                .clone()
                .unwrap_or_else(|| vec!["BALANCES".to_owned(), "TRANSACTIONS".to_owned()]),
            optional_products: spec.optional_products.clone().unwrap_or_default(),
            regions: spec
                .regions
                .clone()
                .unwrap_or_else(|| vec!["US".to_owned()]),
            service_provider,
            service_provider_details: details,
            created_at,
            successfully_aggregated_at,
            duplicate_connection_ids: None,
            active_duplicate_connection_id: None,
            login: None,
            open_tokens: Vec::new(),
            last_forced_refresh: None,
        }
    }

    fn meld_account(
        &self,
        label: &str,
        spec: &MeldAccountSpec,
        connection: &md::Connection,
    ) -> (md::FinancialAccount, Vec<md::Transaction>) {
        let mut rng = self.rng(label);
        let kind = spec.kind.clone().unwrap_or_else(|| "DEPOSITORY".to_owned());
        let subtype = spec.subtype.clone().unwrap_or_else(|| {
            md::ACCOUNT_TYPES
                .iter()
                .find(|(t, _)| *t == kind)
                .map(|(_, subs)| subs[0].to_owned())
                .unwrap_or_else(|| "OTHER".to_owned())
        });
        let flavor = meld_flavor(&kind, &subtype);
        // Meld balances are positive for every type; on credit and loans they are what is owed.
        let current = spec
            .current_amount
            .unwrap_or_else(|| Money(random_balance(&mut rng, flavor).0.abs()));
        let available = spec.available_amount.or(match flavor {
            Flavor::Everyday => Some(Money(
                current.0 - rng.random_range(0..current.0.clamp(1, 50_000)),
            )),
            Flavor::Savings => Some(current),
            Flavor::Credit | Flavor::Loan => None,
        });
        let updated_at = connection
            .successfully_aggregated_at
            .unwrap_or_else(|| Timestamp::seconds(self.epoch));
        let fa = md::FinancialAccount {
            id: or_gen(&spec.id, || base58_id(&mut rng)),
            customer_id: connection.customer_id.clone(),
            connection_ids: vec![connection.id.clone()],
            institution_id: connection.institution_id.clone(),
            institution_name: connection.institution_name.clone(),
            status: spec.status.clone().unwrap_or_else(|| "ACTIVE".to_owned()),
            name: or_gen(&spec.name, || title_case(&subtype)),
            truncated_account_number: or_gen(&spec.truncated_account_number, || {
                generate::digits(&mut rng, 4)
            }),
            balances: md::Balances {
                currency: spec.currency.clone().unwrap_or_else(|| "USD".to_owned()),
                current_amount: current,
                available_amount: available,
                updated_at,
            },
            created_at: connection.created_at,
            owner: None,
            kind,
            subtype,
        };
        let wants_transactions = connection
            .products
            .iter()
            .chain(&connection.optional_products)
            .any(|p| p == "TRANSACTIONS");
        let default_days =
            if wants_transactions && fa.kind != "INVESTMENT" && spec.transactions.is_empty() {
                DEFAULT_HISTORY_DAYS
            } else {
                0
            };
        let employer = generate::company(&mut rng);
        let end_balance = match flavor {
            Flavor::Credit | Flavor::Loan => Money(-current.0),
            _ => current,
        };
        let entries = history_for(
            &mut rng,
            spec.history,
            Plan {
                flavor,
                days: default_days,
                end: updated_at.at.date_naive(),
                end_balance,
                merchants: &places::US_MERCHANTS,
                employer: &employer,
                locality: "",
            },
        );
        let currency = fa.balances.currency.clone();
        let mut txns: Vec<md::Transaction> = entries
            .into_iter()
            .map(|e| md::Transaction {
                id: base58_id(&mut rng),
                financial_account_id: fa.id.clone(),
                customer_id: fa.customer_id.clone(),
                connection_ids: fa.connection_ids.clone(),
                amount: Money(-e.amount.0),
                currency: currency.clone(),
                description: e.description.trim().to_owned(),
                status: if e.pending { "PENDING" } else { "POSTED" }.to_owned(),
                category: meld_category(e.kind).to_owned(),
                transaction_date: midnight(e.date),
                posted_date: (!e.pending).then(|| midnight(e.date)),
            })
            .collect();
        for (t, txn) in spec.transactions.iter().enumerate() {
            let mut rng = self.rng(&format!("{label}.transactions[{t}]"));
            let status = txn.status.clone().unwrap_or_else(|| "POSTED".to_owned());
            let date = txn.transaction_date.unwrap_or(updated_at);
            txns.push(md::Transaction {
                id: or_gen(&txn.id, || base58_id(&mut rng)),
                financial_account_id: fa.id.clone(),
                customer_id: fa.customer_id.clone(),
                connection_ids: fa.connection_ids.clone(),
                amount: txn.amount,
                currency: currency.clone(),
                description: or_gen(&txn.description, || {
                    describe(&mut rng, Money(-txn.amount.0), &places::US_MERCHANTS)
                }),
                category: txn
                    .category
                    .clone()
                    .unwrap_or_else(|| "UNCATEGORIZED".to_owned()),
                posted_date: if status == "PENDING" {
                    None
                } else {
                    Some(txn.posted_date.unwrap_or(date))
                },
                transaction_date: date,
                status,
            });
        }
        (fa, txns)
    }
}

/// Member `i` of a generated crowd: one `AU00000` connection with a transaction and a savings
/// account sharing the member's part of the crowd's transactions (parts differ by at most one).
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

fn basiq_flavor(class: &str) -> Flavor {
    match class {
        "transaction" => Flavor::Everyday,
        "credit-card" => Flavor::Credit,
        "mortgage" | "loan" => Flavor::Loan,
        _ => Flavor::Savings,
    }
}

fn meld_flavor(kind: &str, subtype: &str) -> Flavor {
    match (kind, subtype) {
        ("DEPOSITORY", "CHECKING") => Flavor::Everyday,
        ("CREDIT", _) => Flavor::Credit,
        ("LOAN", _) => Flavor::Loan,
        _ => Flavor::Savings,
    }
}

fn random_balance(rng: &mut ChaCha8Rng, flavor: Flavor) -> Money {
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
fn history_for(rng: &mut ChaCha8Rng, spec: Option<HistorySpec>, mut plan: Plan) -> Vec<Entry> {
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

fn basiq_class(kind: Kind) -> &'static str {
    match kind {
        Kind::Salary => "direct-credit",
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
        Kind::Rent => &["expense:rent"],
        Kind::LoanRepayment => &["loan:loan repayment"],
        Kind::Cash => &["cash:withdrawal"],
        _ => &[],
    }
}

fn meld_category(kind: Kind) -> &'static str {
    match kind {
        Kind::Salary | Kind::Interest => "INCOME",
        Kind::Groceries | Kind::Dining => "FOOD_AND_DRINK",
        Kind::Transport => "TRANSPORTATION",
        Kind::Utilities => "BILLS",
        Kind::Rent => "HOME",
        Kind::Shopping => "SHOPPING",
        Kind::Subscription => "ENTERTAINMENT",
        Kind::Health => "HEALTH",
        Kind::Transfer => "TRANSFER",
        Kind::Fee => "FEE",
        Kind::Cash => "OTHER",
        Kind::LoanRepayment | Kind::LoanInterest => "LOAN",
    }
}

/// `n` card purchases that just appeared on `account` at `at` (pending), drawn from the seed
/// and `label`.
pub fn basiq_purchases(
    seed: u64,
    label: &str,
    account: &bq::Account,
    at: DateTime<Utc>,
    n: u32,
) -> Vec<bq::Transaction> {
    let mut rng = rng_for(seed, label);
    let account_id: Arc<str> = account.id.as_str().into();
    let connection_id: Arc<str> = account.connection.as_str().into();
    let institution: Arc<str> = account.institution.as_str().into();
    let currency: Arc<str> = account.currency.as_str().into();
    (0..n)
        .map(|_| {
            let amount = Money(-rng.random_range(300..9_000));
            let description = describe(&mut rng, amount, &places::AU_MERCHANTS);
            bq::Transaction {
                id: uuid_v4(&mut rng),
                account: account_id.clone(),
                connection: connection_id.clone(),
                institution: institution.clone(),
                status: "pending",
                sub_class: places::anzsic(Kind::Shopping, &description),
                cleaned: true,
                tags: &[],
                description,
                reference: Box::default(),
                amount,
                currency: currency.clone(),
                balance: None,
                class: "payment",
                post_date: None,
                transaction_date: Some(Timestamp::seconds(at)),
                seq: 0,
            }
        })
        .collect()
}

fn describe(rng: &mut ChaCha8Rng, amount: Money, merchants: &places::Merchants) -> String {
    if amount.0 < 0 {
        merchants.shopping[rng.random_range(0..merchants.shopping.len())].to_owned()
    } else {
        "TRANSFER IN".to_owned()
    }
}

fn midnight(date: NaiveDate) -> Timestamp {
    Timestamp::new(
        date.and_time(chrono::NaiveTime::MIN).and_utc(),
        Precision::Seconds,
    )
}

fn title_case(word: &str) -> String {
    let lower = word.replace('_', " ").to_lowercase();
    let mut chars = lower.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn toml_to_json(value: &toml::Value) -> serde_json::Value {
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

/// Fills in `duplicateConnectionIds` and `activeDuplicateConnectionId` for connections linked by
/// `duplicateOf`: the most recently aggregated one is active; the others, unless the scenario
/// gave them a status, become `PARTIALLY_ACTIVE` / `INACTIVE_DUPLICATE`.
fn link_duplicates(spec: &MeldSpec, account: &mut md::Account) {
    let mut groups: Vec<Vec<String>> = Vec::new();
    let mut explicit_status = std::collections::HashSet::new();
    for customer in &spec.customers {
        for conn in &customer.connections {
            if let (Some(id), Some(_)) = (&conn.id, &conn.status) {
                explicit_status.insert(id.clone());
            }
            let (Some(id), Some(of)) = (&conn.id, &conn.duplicate_of) else {
                continue;
            };
            match groups.iter_mut().find(|g| g.contains(of) || g.contains(id)) {
                Some(group) => {
                    for x in [of, id] {
                        if !group.contains(x) {
                            group.push(x.clone());
                        }
                    }
                }
                None => groups.push(vec![of.clone(), id.clone()]),
            }
        }
    }
    for group in groups {
        let mut members: Vec<(Option<Timestamp>, Timestamp, String)> = account
            .connections
            .iter()
            .filter(|c| group.contains(&c.id))
            .map(|c| (c.successfully_aggregated_at, c.created_at, c.id.clone()))
            .collect();
        members.sort_by(|a, b| (b.0.map(|t| t.at), b.1.at).cmp(&(a.0.map(|t| t.at), a.1.at)));
        let ids: Vec<String> = members.into_iter().map(|m| m.2).collect();
        let Some(active) = ids.first().cloned() else {
            continue;
        };
        for c in account
            .connections
            .iter_mut()
            .filter(|c| group.contains(&c.id))
        {
            c.duplicate_connection_ids = Some(ids.clone());
            c.active_duplicate_connection_id = Some(active.clone());
            if c.id != active && !explicit_status.contains(&c.id) {
                c.status = "PARTIALLY_ACTIVE".to_owned();
                c.status_reason = Some("INACTIVE_DUPLICATE".to_owned());
            }
        }
    }
}
