//! What a reset returns to: the loaded scenario, the clock mode it started in and, for a world
//! small enough to be held twice, a copy of that world as its scenario built it. A reset clones
//! the copy and re-dates it to the new start ([`World::start_at`]) instead of generating every
//! history again; a larger world is built again, so that holding it costs its memory once.

use chrono::{DateTime, Utc};

use crate::clock::ClockMode;
use crate::scenario::Scenario;
use crate::world::{World, build};

/// Rows (users, accounts, transactions) of the largest world kept as a copy.
pub const MAX_KEPT_ROWS: usize = 200_000;

/// The scenario a server runs and how to start it again.
pub struct Origin {
    pub scenario: Scenario,
    pub mode: ClockMode,
    /// The world fresh from the scenario (ids unsalted), when it has at most
    /// [`MAX_KEPT_ROWS`] rows.
    kept: Option<World>,
}

impl Origin {
    /// Builds the scenario's world at `start`, keeping a copy when it is small enough.
    pub fn new(scenario: Scenario, mode: ClockMode, start: DateTime<Utc>) -> (Origin, World) {
        let world = build::build(&scenario, start);
        let kept = (world.rows() <= MAX_KEPT_ROWS).then(|| world.clone());
        (
            Origin {
                scenario,
                mode,
                kept,
            },
            world,
        )
    }

    /// The scenario's world as built at `start`.
    pub fn world_at(&self, start: DateTime<Utc>) -> World {
        match &self.kept {
            Some(kept) => {
                let mut world = kept.clone();
                world.start_at(start);
                world
            }
            None => build::build(&self.scenario, start),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;
    use crate::scenario::{self, DEFAULT_SCENARIO};

    /// Everything a world holds, as text: equal texts are equal worlds.
    fn text(world: &World) -> String {
        format!("{world:?}")
    }

    /// Checks the scenario's kept world re-dated against the worlds built; whether the re-dated
    /// world differs from the first (it does where something counts from the start).
    fn check(name: &str, toml: &str) -> bool {
        let scenario = scenario::parse(name, toml).expect("the scenario parses");
        let first = DateTime::parse_from_rfc3339("2025-01-01T00:00:00Z")
            .expect("a valid instant")
            .with_timezone(&Utc);
        let (origin, built) = Origin::new(scenario.clone(), ClockMode::default(), first);
        assert!(origin.kept.is_some(), "{name}: small worlds are kept");
        assert_eq!(text(&origin.world_at(first)), text(&built), "{name}");
        // Years on, arrangements have ended and consents are renewed: the copy re-dated must be
        // the world built then.
        let later = first + Duration::days(3 * 365);
        let again = origin.world_at(later);
        assert_eq!(
            text(&again),
            text(&build::build(&scenario, later)),
            "{name}"
        );
        text(&again) != text(&built)
    }

    #[test]
    fn a_kept_world_re_dated_is_the_world_built_at_the_new_start() {
        assert!(
            check("default", DEFAULT_SCENARIO),
            "the default world has consents and timelines, dated from the start"
        );
        for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios"))
            .expect("the scenarios folder")
        {
            let path = entry.expect("an entry").path();
            if path.extension().is_some_and(|e| e == "toml") && !path.ends_with("crowd.toml") {
                let toml = std::fs::read_to_string(&path).expect("a readable scenario");
                check(&path.display().to_string(), &toml);
            }
        }
    }
}
