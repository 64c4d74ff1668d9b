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
