//! Fixed tables behind generated data: real Australian suburbs and postcodes, and the
//! merchants people in each market actually pay.

/// A real suburb: its state, postcode and the centre it is mapped at.
#[derive(Debug, Clone, Copy)]
pub struct Suburb {
    pub name: &'static str,
    pub state: &'static str,
    pub postcode: &'static str,
    pub lat: &'static str,
    pub lng: &'static str,
}

/// Suburbs generated addresses are in.
pub const AU_SUBURBS: &[Suburb] = &[
    Suburb {
        name: "Dee Why",
        state: "NSW",
        postcode: "2099",
        lat: "-33.7510",
        lng: "151.2880",
    },
    Suburb {
        name: "Manly",
        state: "NSW",
        postcode: "2095",
        lat: "-33.7969",
        lng: "151.2840",
    },
    Suburb {
        name: "Parramatta",
        state: "NSW",
        postcode: "2150",
        lat: "-33.8150",
        lng: "151.0011",
    },
    Suburb {
        name: "Newtown",
        state: "NSW",
        postcode: "2042",
        lat: "-33.8980",
        lng: "151.1790",
    },
    Suburb {
        name: "Chatswood",
        state: "NSW",
        postcode: "2067",
        lat: "-33.7969",
        lng: "151.1833",
    },
    Suburb {
        name: "Fitzroy",
        state: "VIC",
        postcode: "3065",
        lat: "-37.7980",
        lng: "144.9780",
    },
    Suburb {
        name: "Richmond",
        state: "VIC",
        postcode: "3121",
        lat: "-37.8180",
        lng: "145.0010",
    },
    Suburb {
        name: "St Kilda",
        state: "VIC",
        postcode: "3182",
        lat: "-37.8676",
        lng: "144.9809",
    },
    Suburb {
        name: "Fortitude Valley",
        state: "QLD",
        postcode: "4006",
        lat: "-27.4570",
        lng: "153.0340",
    },
    Suburb {
        name: "Southport",
        state: "QLD",
        postcode: "4215",
        lat: "-27.9670",
        lng: "153.4000",
    },
    Suburb {
        name: "Fremantle",
        state: "WA",
        postcode: "6160",
        lat: "-32.0569",
        lng: "115.7439",
    },
    Suburb {
        name: "Subiaco",
        state: "WA",
        postcode: "6008",
        lat: "-31.9490",
        lng: "115.8270",
    },
    Suburb {
        name: "Glenelg",
        state: "SA",
        postcode: "5045",
        lat: "-34.9800",
        lng: "138.5150",
    },
    Suburb {
        name: "Sandy Bay",
        state: "TAS",
        postcode: "7005",
        lat: "-42.9050",
        lng: "147.3250",
    },
    Suburb {
        name: "Braddon",
        state: "ACT",
        postcode: "2612",
        lat: "-35.2710",
        lng: "149.1360",
    },
    Suburb {
        name: "Parap",
        state: "NT",
        postcode: "0820",
        lat: "-12.4310",
        lng: "130.8420",
    },
];

/// The suburb a card purchase's locality names (`DEE WHY NSW`), when it is one of [`AU_SUBURBS`].
pub fn suburb_of(locality: &str) -> Option<&'static Suburb> {
    AU_SUBURBS.iter().find(|s| {
        locality
            .strip_suffix(s.state)
            .map(str::trim_end)
            .is_some_and(|name| name.eq_ignore_ascii_case(s.name))
    })
}

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

/// The ANZSIC group (code, title) of a payment to an Australian merchant, by what it was for
/// and who was paid.
pub fn anzsic(
    kind: super::history::Kind,
    description: &str,
) -> Option<&'static (&'static str, &'static str)> {
    use super::history::Kind;
    let has = |words: &[&str]| words.iter().any(|w| description.contains(w));
    Some(match kind {
        Kind::Groceries => &("411", "Supermarket and Grocery Stores"),
        Kind::Dining => &("451", "Cafes, Restaurants and Takeaway Food Services"),
        Kind::Transport if has(&["AMPOL", "BP ", "FUEL", "SHELL", "CHEVRON"]) => {
            &("400", "Fuel Retailing")
        }
        Kind::Transport => &("462", "Road Passenger Transport"),
        Kind::Utilities if has(&["TELSTRA", "OPTUS", "VERIZON", "AT&T", "COMCAST"]) => {
            &("580", "Telecommunications Services")
        }
        Kind::Utilities if has(&["WATER"]) => {
            &("281", "Water Supply, Sewerage and Drainage Services")
        }
        Kind::Utilities => &(
            "264",
            "On Selling Electricity and Electricity Market Operation",
        ),
        Kind::Rent => &("671", "Property Operators"),
        Kind::Shopping if has(&["BUNNINGS", "HOME DEPOT"]) => {
            &("423", "Hardware, Building and Garden Supplies Retailing")
        }
        Kind::Shopping if has(&["JB HI-FI", "BEST BUY"]) => {
            &("422", "Electrical and Electronic Goods Retailing")
        }
        Kind::Shopping if has(&["AMAZON"]) => &("431", "Non-Store Retailing"),
        Kind::Shopping if has(&["MYER", "TARGET", "KMART"]) => &("426", "Department Stores"),
        Kind::Shopping => &("427", "Other Store-Based Retailing"),
        Kind::Subscription => &("551", "Motion Picture and Video Activities"),
        Kind::Health if has(&["MEDIBANK"]) => &("632", "Health and General Insurance"),
        Kind::Health => &("427", "Other Store-Based Retailing"),
        Kind::Gambling => &("920", "Gambling Activities"),
        Kind::Bnpl => &("623", "Non-Depository Financing"),
        _ => return None,
    })
}
