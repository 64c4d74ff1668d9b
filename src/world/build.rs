//! Building a [`World`] from a scenario: the scenario's seed, epoch and start instant
//! ([`Ctx`]), each vendor's part built from its section by the methods `crate::basiq::build`
//! and `crate::meld::build` add to [`Ctx`], and the scenario's transitions armed as timelines.
//!
//! What is generated when left out (each vendor's builder says the details):
//! - ids (Basiq: UUID v4; Meld: 22-character base58), names, emails, phones, addresses;
//! - a Basiq connection's profile (from its user) and its accounts (two: everyday and savings);
//! - a Meld connection's financial accounts (checking and savings) once it has been aggregated;
//! - 90 days of transactions on every account that lists none (`history` sets the length);
//! - dates, spread over the year before the scenario `epoch`.
//!
//! Each object draws from its own stream (`ids::rng_for(seed, key path)`), so adding an object
//! never changes what is generated for another.

use chrono::{DateTime, Utc};
use rand_chacha::ChaCha8Rng;

use super::timeline::{Step, Timeline};
use super::{Target, World};
use crate::ids::rng_for;
use crate::scenario::model::{BasiqSpec, MeldSpec, Scenario, TransitionSpec};
use crate::value::Timestamp;

/// Where generated histories end when a scenario sets no `epoch`.
pub const DEFAULT_EPOCH: &str = "2025-06-30T00:00:00Z";

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
    world.start_at(start);
    world
}

/// What every object is built with: the scenario's seed, where generated histories end, and
/// when transitions start counting.
pub struct Ctx {
    pub(crate) seed: u64,
    pub(crate) epoch: DateTime<Utc>,
    pub(crate) start: DateTime<Utc>,
}

impl Ctx {
    /// A context for objects made while serving: histories end, and transitions count, from `now`.
    pub(crate) fn at(seed: u64, now: DateTime<Utc>) -> Ctx {
        Ctx {
            seed,
            epoch: now,
            start: now,
        }
    }

    pub(crate) fn rng(&self, label: &str) -> ChaCha8Rng {
        rng_for(self.seed, label)
    }

    pub(crate) fn schedule(
        &self,
        world: &mut World,
        target: Target,
        transitions: &[TransitionSpec],
    ) {
        if transitions.is_empty() {
            return;
        }
        let steps = transitions.iter().map(Step::from_spec).collect();
        world
            .timelines
            .push(Timeline::new(target, steps, self.start));
    }
}
