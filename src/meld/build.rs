//! Building Meld's part of a world from the scenario's `[meld]` section: the account's rules
//! and keys, customers, connections (with duplicates linked), financial accounts, transactions
//! and investments. Everything left out is generated from the seed.

use chrono::{DateTime, Duration, Utc};
use rand::Rng;

use super::model as md;
use super::scenario::*;
use super::{institutions, portfolio};
use crate::generate::fill::{
    DEFAULT_HISTORY_DAYS, before, describe, history_for, midnight, or_gen, random_balance,
    title_case, toml_to_json,
};
use crate::generate::history::{Flavor, Kind, Plan};
use crate::generate::{self, Person, places};
use crate::ids::base58_id;
use crate::value::{Money, Timestamp};
use crate::world::World;
use crate::world::build::Ctx;

/// Meld version used when a scenario sets no `defaultVersion`.
pub const DEFAULT_MELD_VERSION: &str = "2023-12-19";

/// Accounts (and their histories) a Meld aggregation finds while the server runs: histories
/// end at the connection's `successfullyAggregatedAt`; values come from the seed and `label`.
pub fn accounts(
    seed: u64,
    now: DateTime<Utc>,
    label: &str,
    connection: &md::Connection,
    specs: &[MeldAccountSpec],
) -> Vec<(md::FinancialAccount, Vec<md::Transaction>)> {
    let ctx = Ctx::at(seed, now);
    specs
        .iter()
        .enumerate()
        .map(|(i, spec)| ctx.meld_account(&format!("{label}.accounts[{i}]"), spec, connection))
        .collect()
}

impl Ctx {
    pub(crate) fn meld(&self, spec: &MeldSpec, world: &mut World) {
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
        for hook in spec.webhook.iter().chain(&spec.webhooks) {
            account.webhooks.push(md::WebhookProfile {
                id: or_gen(&hook.profile_id, || base58_id(&mut rng)),
                url: hook.url.clone(),
                secret: hook.secret.clone(),
                version: hook
                    .version
                    .clone()
                    .unwrap_or_else(|| account.default_version.clone()),
            });
        }
        if let Some(list) = &spec.refreshable_statuses {
            account.rules.refreshable = list.clone();
        }
        if let Some(list) = &spec.repairable_statuses {
            account.rules.repairable = list.clone();
        }
        if let Some(p) = spec.pending {
            let pending = &mut account.rules.pending;
            pending.settle = p.settle.unwrap_or(pending.settle);
            pending.min_days = p.min_days.unwrap_or(pending.min_days);
            pending.max_days = p.max_days.unwrap_or(pending.max_days);
            pending.expire_percent = p.expire_percent.unwrap_or(pending.expire_percent);
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
                // A provider's own test institution, as a sandbox connection would be.
                let tests = &institutions::BUILT_IN[..institutions::PROVIDER_TESTS];
                Some(&tests[rng.random_range(0..tests.len())])
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
            failed_aggregations: 0,
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
                recurring: &[],
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

fn meld_flavor(kind: &str, subtype: &str) -> Flavor {
    match (kind, subtype) {
        ("DEPOSITORY", "CHECKING") => Flavor::Everyday,
        ("CREDIT", _) => Flavor::Credit,
        ("LOAN", _) => Flavor::Loan,
        _ => Flavor::Savings,
    }
}

fn meld_category(kind: Kind) -> &'static str {
    match kind {
        Kind::Salary | Kind::Interest | Kind::Benefit | Kind::RentalIncome => "INCOME",
        Kind::Groceries | Kind::Dining => "FOOD_AND_DRINK",
        Kind::Transport => "TRANSPORTATION",
        Kind::Utilities => "BILLS",
        Kind::Rent => "HOME",
        Kind::Shopping => "SHOPPING",
        Kind::Subscription => "ENTERTAINMENT",
        Kind::Health => "HEALTH",
        Kind::Transfer => "TRANSFER",
        Kind::Fee => "FEE",
        Kind::Cash | Kind::Gambling => "OTHER",
        Kind::Crypto => "TRANSFER",
        Kind::Bnpl => "LOAN",
        Kind::LoanRepayment | Kind::LoanInterest => "LOAN",
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
