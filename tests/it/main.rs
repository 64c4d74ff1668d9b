//! sandbank's integration tests: one binary, one module per surface.

mod admin;
mod basiq;
mod basiq_data;
mod basiq_events;
mod basiq_jobs;
mod basiq_more;
mod basiq_sandbox;
mod basiq_scopes;
mod basiq_statements;
mod basiq_users;
mod basiq_webhooks;
mod browser;
mod cli;
mod consent_ui;
mod determinism;
mod faults;
mod meld;
mod meld_connect;
mod meld_customers;
mod meld_data;
mod meld_invest;
mod scenarios;
mod support;
mod tenants;
mod timelines;
mod webhooks;
