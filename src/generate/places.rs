//! Fixed tables behind generated data: real Australian suburbs and postcodes, and the
//! merchants people in each market actually pay.

/// `(suburb, state, postcode)`.
pub const AU_SUBURBS: &[(&str, &str, &str)] = &[
    ("Dee Why", "NSW", "2099"),
    ("Manly", "NSW", "2095"),
    ("Parramatta", "NSW", "2150"),
    ("Newtown", "NSW", "2042"),
    ("Chatswood", "NSW", "2067"),
    ("Fitzroy", "VIC", "3065"),
    ("Richmond", "VIC", "3121"),
    ("St Kilda", "VIC", "3182"),
    ("Fortitude Valley", "QLD", "4006"),
    ("Southport", "QLD", "4215"),
    ("Fremantle", "WA", "6160"),
    ("Subiaco", "WA", "6008"),
    ("Glenelg", "SA", "5045"),
    ("Sandy Bay", "TAS", "7005"),
    ("Braddon", "ACT", "2612"),
    ("Parap", "NT", "0820"),
];

/// Street types in their usual abbreviation.
pub const AU_STREET_TYPES: &[&str] = &["St", "Rd", "Ave", "Pde", "Cres", "Dr", "Pl"];

/// Merchants by spending kind, for one market.
pub struct Merchants {
    pub groceries: &'static [&'static str],
    pub dining: &'static [&'static str],
    pub transport: &'static [&'static str],
    pub utilities: &'static [&'static str],
    pub shopping: &'static [&'static str],
    pub subscriptions: &'static [&'static str],
    pub health: &'static [&'static str],
    pub landlord: &'static str,
    pub atm: &'static str,
}

/// Australian merchants.
pub const AU_MERCHANTS: Merchants = Merchants {
    groceries: &["WOOLWORTHS", "COLES", "ALDI STORES", "IGA"],
    dining: &[
        "MCDONALDS",
        "GUZMAN Y GOMEZ",
        "GRILL'D",
        "BOOST JUICE",
        "SUSHI HUB",
        "THE COFFEE CLUB",
    ],
    transport: &["OPAL TRAVEL", "UBER TRIP", "AMPOL", "BP", "7-ELEVEN FUEL"],
    utilities: &[
        "AGL ENERGY",
        "ORIGIN ENERGY",
        "TELSTRA",
        "OPTUS",
        "SYDNEY WATER",
    ],
    shopping: &[
        "KMART",
        "JB HI-FI",
        "BUNNINGS WAREHOUSE",
        "AMAZON AU",
        "TARGET",
        "MYER",
    ],
    subscriptions: &["NETFLIX.COM", "SPOTIFY", "STAN.COM.AU", "APPLE.COM/BILL"],
    health: &[
        "CHEMIST WAREHOUSE",
        "PRICELINE PHARMACY",
        "MEDIBANK PRIVATE",
    ],
    landlord: "RAY WHITE RENTAL",
    atm: "ATM WITHDRAWAL",
};

/// US merchants.
pub const US_MERCHANTS: Merchants = Merchants {
    groceries: &[
        "WALMART",
        "KROGER",
        "TRADER JOE'S",
        "WHOLE FOODS",
        "SAFEWAY",
    ],
    dining: &[
        "STARBUCKS",
        "CHIPOTLE",
        "MCDONALD'S",
        "PANERA BREAD",
        "SUBWAY",
        "DUNKIN",
    ],
    transport: &["SHELL OIL", "CHEVRON", "UBER", "LYFT", "MTA"],
    utilities: &[
        "CON EDISON",
        "VERIZON WIRELESS",
        "AT&T",
        "COMCAST XFINITY",
        "PG&E",
    ],
    shopping: &[
        "AMAZON.COM",
        "TARGET",
        "THE HOME DEPOT",
        "BEST BUY",
        "COSTCO",
    ],
    subscriptions: &["NETFLIX.COM", "SPOTIFY USA", "HULU", "APPLE.COM/BILL"],
    health: &["CVS PHARMACY", "WALGREENS", "RITE AID"],
    landlord: "ZELLE RENT PAYMENT",
    atm: "ATM WITHDRAWAL",
};
