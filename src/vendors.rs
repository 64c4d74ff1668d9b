//! The vendors sandbank impersonates: the one place they are listed. A new vendor is a folder
//! implementing [`crate::vendor::Vendor`] and a line here.

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
