//! The institutions sandbank's Meld knows without being told: one test institution per
//! provider sandbox, under the names those sandboxes use.

/// A built-in institution.
pub struct Institution {
    pub id: &'static str,
    pub name: &'static str,
    pub providers: &'static [&'static str],
    /// Products its providers can aggregate.
    pub products: &'static [&'static str],
    /// Countries it serves.
    pub regions: &'static [&'static str],
}

const ALL: &[&str] = &[
    "BALANCES",
    "IDENTIFIERS",
    "INVESTMENT_HOLDINGS",
    "INVESTMENT_TRANSACTIONS",
    "OWNERS",
    "TRANSACTIONS",
];

/// Built-in institutions. The Finicity one carries the id recorded from Meld's sandbox.
pub const BUILT_IN: &[Institution] = &[
    Institution {
        id: "W9kgBBLULSJFSKTwCpb5Gf",
        name: "Finbank Profiles - A",
        providers: &["FINICITY"],
        // Finicity's sandbox returns no investment data.
        products: &["BALANCES", "IDENTIFIERS", "OWNERS", "TRANSACTIONS"],
        regions: &["US"],
    },
    Institution {
        id: "WQ7mPh3yLsXbRt9cKdNe2A",
        name: "Platypus Bank",
        providers: &["PLAID"],
        products: ALL,
        regions: &["US"],
    },
    Institution {
        id: "WQ8nTq4zMuYcSv2dLeFf3B",
        name: "MX Bank",
        providers: &["MX"],
        products: ALL,
        regions: &["US"],
    },
    Institution {
        id: "WQ9pUr5aNvZdTw3eMgGh4C",
        name: "Mikomo Financial",
        providers: &["AKOYA"],
        products: ALL,
        regions: &["US"],
    },
];

/// The built-in institution with this id.
pub fn find(id: &str) -> Option<&'static Institution> {
    BUILT_IN.iter().find(|i| i.id == id)
}
