//! The vendors sandbank impersonates. A new vendor is a folder that implements
//! [`crate::vendor::Vendor`] (how the core sees it), [`crate::world::Part`] (its state in a world)
//! and [`crate::delivery::Scheme`] (its webhooks), listed here, beside the others' sections in
//! [`crate::scenario::model::Scenario`] and their parts in [`crate::world::World`].

use crate::vendor::Vendor;

/// Basiq (API v3).
pub const BASIQ: &dyn Vendor = &crate::basiq::surface::Basiq;
/// Meld (bank linking).
pub const MELD: &dyn Vendor = &crate::meld::surface::Meld;

/// Every vendor.
pub const ALL: [&dyn Vendor; 2] = [BASIQ, MELD];

/// The vendor with this name.
pub fn named(name: &str) -> Option<&'static dyn Vendor> {
    ALL.into_iter().find(|v| v.name() == name)
}
