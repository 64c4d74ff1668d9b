//! Enrich's `merchant`, `location` and `category` for well-known Australian merchants: a small
//! embedded table (trading name, ABN, website, ANZSIC class) matched against the start of a
//! transaction's description, and, for a card purchase in a known suburb, where it was made.
//! Derived when a transaction is written, never stored.

use serde::Serialize;

use crate::generate::places;

/// An ANZSIC 2006 class with the levels above it, each `(code, title)`.
struct Anzsic {
    division: (&'static str, &'static str),
    subdivision: (&'static str, &'static str),
    group: (&'static str, &'static str),
    class: (&'static str, &'static str),
}

const RETAIL: (&str, &str) = ("G", "Retail Trade");
const OTHER_STORES: (&str, &str) = ("42", "Other Store-Based Retailing");
const UTILITIES: (&str, &str) = ("D", "Electricity, Gas, Water and Waste Services");
const TELECOMS: (&str, &str) = ("J", "Information Media and Telecommunications");

const SUPERMARKETS: Anzsic = Anzsic {
    division: RETAIL,
    subdivision: ("41", "Food Retailing"),
    group: ("411", "Supermarket and Grocery Stores"),
    class: ("4110", "Supermarket and Grocery Stores"),
};
const TAKEAWAY: Anzsic = Anzsic {
    division: ("H", "Accommodation and Food Services"),
    subdivision: ("45", "Food and Beverage Services"),
    group: ("451", "Cafes, Restaurants and Takeaway Food Services"),
    class: ("4512", "Takeaway Food Services"),
};
const FUEL: Anzsic = Anzsic {
    division: RETAIL,
    subdivision: ("40", "Fuel Retailing"),
    group: ("400", "Fuel Retailing"),
    class: ("4000", "Fuel Retailing"),
};
const WIRED: Anzsic = Anzsic {
    division: TELECOMS,
    subdivision: ("58", "Telecommunications Services"),
    group: ("580", "Telecommunications Services"),
    class: ("5801", "Wired Telecommunications Network Operation"),
};
const OTHER_TELECOMS: Anzsic = Anzsic {
    class: ("5802", "Other Telecommunications Network Operation"),
    ..WIRED
};
const ELECTRICITY: Anzsic = Anzsic {
    division: UTILITIES,
    subdivision: ("26", "Electricity Supply"),
    group: (
        "264",
        "On Selling Electricity and Electricity Market Operation",
    ),
    class: (
        "2640",
        "On Selling Electricity and Electricity Market Operation",
    ),
};
const WATER: Anzsic = Anzsic {
    division: UTILITIES,
    subdivision: ("28", "Water Supply, Sewerage and Drainage Services"),
    group: ("281", "Water Supply, Sewerage and Drainage Services"),
    class: ("2811", "Water Supply"),
};
const HARDWARE: Anzsic = Anzsic {
    division: RETAIL,
    subdivision: OTHER_STORES,
    group: ("423", "Hardware, Building and Garden Supplies Retailing"),
    class: ("4231", "Hardware and Building Supplies Retailing"),
};
const DEPARTMENT_STORES: Anzsic = Anzsic {
    division: RETAIL,
    subdivision: OTHER_STORES,
    group: ("426", "Department Stores"),
    class: ("4260", "Department Stores"),
};
const ELECTRICAL: Anzsic = Anzsic {
    division: RETAIL,
    subdivision: OTHER_STORES,
    group: ("422", "Electrical and Electronic Goods Retailing"),
    class: ("4221", "Electrical, Electronic and Gas Appliance Retailing"),
};
const HEALTH_INSURANCE: Anzsic = Anzsic {
    division: ("K", "Financial and Insurance Services"),
    subdivision: ("63", "Insurance and Superannuation Funds"),
    group: ("632", "Health and General Insurance"),
    class: ("6321", "Health Insurance"),
};

/// A merchant Enrich knows.
struct Merchant {
    /// How its transactions' descriptions start (a whole word or words).
    prefix: &'static str,
    id: &'static str,
    business_name: &'static str,
    abn: &'static str,
    website: &'static str,
    category: &'static Anzsic,
}

const MERCHANTS: &[Merchant] = &[
    Merchant {
        prefix: "WOOLWORTHS",
        id: "6125b6e2-4b89-553d-8d16-fc6026a7e4f5",
        business_name: "Woolworths",
        abn: "88000014675",
        website: "https://www.woolworths.com.au",
        category: &SUPERMARKETS,
    },
    Merchant {
        prefix: "COLES",
        id: "789dd424-564f-5a93-bdc7-b1445bc6d2df",
        business_name: "Coles",
        abn: "45004189708",
        website: "https://www.coles.com.au",
        category: &SUPERMARKETS,
    },
    Merchant {
        prefix: "MCDONALDS",
        id: "e3ef616a-78b0-5a20-8462-60d3e4c04ab6",
        business_name: "McDonald's",
        abn: "43008496928",
        website: "https://mcdonalds.com.au",
        category: &TAKEAWAY,
    },
    Merchant {
        prefix: "AMPOL",
        id: "0f3eea82-aea2-5943-8bb7-b32221059d90",
        business_name: "Ampol",
        abn: "40004201307",
        website: "https://www.ampol.com.au",
        category: &FUEL,
    },
    Merchant {
        prefix: "BP",
        id: "0e01f85e-d09e-5842-b8df-6a4332ff6216",
        business_name: "BP",
        abn: "53004085616",
        website: "https://www.bp.com.au",
        category: &FUEL,
    },
    Merchant {
        prefix: "TELSTRA",
        id: "f882e8c7-b8db-582b-97a4-81ae251ea9a2",
        business_name: "Telstra",
        abn: "33051775556",
        website: "https://www.telstra.com.au",
        category: &WIRED,
    },
    Merchant {
        prefix: "OPTUS",
        id: "58be63f0-e01f-539e-b09a-fe6c0ccbdc60",
        business_name: "Optus",
        abn: "90052833208",
        website: "https://www.optus.com.au",
        category: &OTHER_TELECOMS,
    },
    Merchant {
        prefix: "AGL ENERGY",
        id: "164ed3bb-0a07-5fd8-9d9c-1bf62e621125",
        business_name: "AGL",
        abn: "74115061375",
        website: "https://www.agl.com.au",
        category: &ELECTRICITY,
    },
    Merchant {
        prefix: "ORIGIN ENERGY",
        id: "a97afa6d-d110-5505-91f6-d1febf32034c",
        business_name: "Origin Energy",
        abn: "30000051696",
        website: "https://www.originenergy.com.au",
        category: &ELECTRICITY,
    },
    Merchant {
        prefix: "SYDNEY WATER",
        id: "624e9e5e-65ff-5e67-be37-09d53f95d680",
        business_name: "Sydney Water",
        abn: "49776225038",
        website: "https://www.sydneywater.com.au",
        category: &WATER,
    },
    Merchant {
        prefix: "BUNNINGS WAREHOUSE",
        id: "d04e9c8d-3dac-54db-9434-fc442ee0ec8b",
        business_name: "Bunnings Warehouse",
        abn: "26008672179",
        website: "https://www.bunnings.com.au",
        category: &HARDWARE,
    },
    Merchant {
        prefix: "KMART",
        id: "de0a454d-16c4-540e-b794-3013a322981d",
        business_name: "Kmart",
        abn: "73004700485",
        website: "https://www.kmart.com.au",
        category: &DEPARTMENT_STORES,
    },
    Merchant {
        prefix: "TARGET",
        id: "4cd17411-f402-52eb-96a9-72abfee3ff7f",
        business_name: "Target",
        abn: "75004250944",
        website: "https://www.target.com.au",
        category: &DEPARTMENT_STORES,
    },
    Merchant {
        prefix: "JB HI-FI",
        id: "c595edca-7189-5aca-bbf4-3724a3c7a52f",
        business_name: "JB Hi-Fi",
        abn: "80093220136",
        website: "https://www.jbhifi.com.au",
        category: &ELECTRICAL,
    },
    Merchant {
        prefix: "MEDIBANK PRIVATE",
        id: "b2ed9ece-9cda-5cfb-9454-cc66bf8385b7",
        business_name: "Medibank",
        abn: "47080890259",
        website: "https://www.medibank.com.au",
        category: &HEALTH_INSURANCE,
    },
];

/// Enrich's `merchant` object. The table has no logos, so both logo links are empty.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MerchantBody {
    id: &'static str,
    business_name: &'static str,
    #[serde(rename = "ABN")]
    abn: &'static str,
    website: &'static str,
    logo_master: &'static str,
    logo_thumb: &'static str,
}

#[derive(Debug, Serialize)]
pub struct Geometry {
    lat: &'static str,
    lng: &'static str,
}

/// Enrich's `location`: the suburb a card purchase was made in.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LocationBody {
    postal_code: &'static str,
    suburb: &'static str,
    state: &'static str,
    country: &'static str,
    formatted_address: String,
    geometry: Geometry,
}

#[derive(Debug, Serialize)]
pub struct Level {
    code: &'static str,
    title: &'static str,
}

impl Level {
    fn of((code, title): (&'static str, &'static str)) -> Level {
        Level { code, title }
    }
}

#[derive(Debug, Serialize)]
pub struct AnzsicBody {
    division: Level,
    subdivision: Level,
    group: Level,
    class: Level,
    /// Basiq's six-digit level: the class, `00` appended (as in its `451100` example).
    subclass: Subclass,
}

#[derive(Debug, Serialize)]
pub struct Subclass {
    code: String,
    title: &'static str,
}

/// Enrich's `category` for a merchant it matched in full.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CategoryBody {
    match_type: &'static str,
    match_score: &'static str,
    anzsic: AnzsicBody,
}

/// What Enrich adds to a transaction with this description: the merchant, where a card
/// purchase was made, and the merchant's category; all `None` for a payee it does not know.
pub fn enrich(
    description: &str,
) -> (
    Option<MerchantBody>,
    Option<LocationBody>,
    Option<CategoryBody>,
) {
    let Some(m) = MERCHANTS.iter().find(|m| {
        description
            .strip_prefix(m.prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(' '))
    }) else {
        return (None, None, None);
    };
    let merchant = MerchantBody {
        id: m.id,
        business_name: m.business_name,
        abn: m.abn,
        website: m.website,
        logo_master: "",
        logo_thumb: "",
    };
    let c = m.category;
    let category = CategoryBody {
        match_type: "merchantFull",
        match_score: "1.0",
        anzsic: AnzsicBody {
            division: Level::of(c.division),
            subdivision: Level::of(c.subdivision),
            group: Level::of(c.group),
            class: Level::of(c.class),
            subclass: Subclass {
                code: format!("{}00", c.class.0),
                title: c.class.1,
            },
        },
    };
    (
        Some(merchant),
        location(&description[m.prefix.len()..]),
        Some(category),
    )
}

/// Where a card purchase was made: its description after the merchant reads
/// `<terminal number> <SUBURB> <STATE>`.
fn location(rest: &str) -> Option<LocationBody> {
    let (terminal, locality) = rest.trim_start().split_once(' ')?;
    if !terminal.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let s = places::suburb_of(locality)?;
    Some(LocationBody {
        postal_code: s.postcode,
        suburb: s.name,
        state: s.state,
        country: "Australia",
        formatted_address: format!("{} {} {}, Australia", s.name, s.state, s.postcode),
        geometry: Geometry {
            lat: s.lat,
            lng: s.lng,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_merchants_are_matched_by_whole_words() {
        let (merchant, location, category) = enrich("WOOLWORTHS 4821 DEE WHY NSW");
        assert_eq!(merchant.map(|m| m.abn), Some("88000014675"));
        let location = location.expect("a suburb in the table");
        assert_eq!((location.suburb, location.postal_code), ("Dee Why", "2099"));
        assert_eq!(category.map(|c| c.anzsic.class.code), Some("4110"));
        assert!(enrich("BPAY BANKWEST CREDIT CARD").0.is_none());
        assert!(
            enrich("BP 1234 SYDNEY NSW").1.is_none(),
            "not a suburb in the table"
        );
        assert!(enrich("AGL ENERGY DIRECT DEBIT").1.is_none());
        assert!(enrich("NETFLIX.COM").0.is_none());
    }
}
