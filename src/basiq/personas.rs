//! Basiq's sandbox: the test institutions and the personas that log in to them, with the
//! outcome each produces (Basiq testing pages; digest §13).

/// A test institution.
pub struct Institution {
    pub id: &'static str,
    pub name: &'static str,
    pub short_name: &'static str,
    /// How often it asks for MFA.
    pub mfa: Mfa,
}

/// When an institution presents an `mfa-challenge` step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mfa {
    Never,
    Always,
    /// Half the time, decided deterministically per connection.
    Sometimes,
}

/// The sandbox institutions.
pub const INSTITUTIONS: &[Institution] = &[
    Institution {
        id: "AU00000",
        name: "Hooli Bank",
        short_name: "Hooli",
        mfa: Mfa::Never,
    },
    Institution {
        id: "AU00002",
        name: "Pied Piper Bank",
        short_name: "Pied Piper",
        mfa: Mfa::Always,
    },
    Institution {
        id: "AU00003",
        name: "Nucleus Bank",
        short_name: "Nucleus",
        mfa: Mfa::Sometimes,
    },
    Institution {
        id: "AU00004",
        name: "HooliGov Bank",
        short_name: "HooliGov",
        mfa: Mfa::Never,
    },
];

/// The institution with this id.
pub fn institution(id: &str) -> Option<&'static Institution> {
    INSTITUTIONS.iter().find(|i| i.id == id)
}

/// An MFA challenge and its accepted answers.
#[derive(Debug)]
pub struct Challenge {
    /// `token` or `security-questions`.
    pub method: &'static str,
    pub description: &'static str,
    pub input: &'static [&'static str],
    /// Accepted answer lists (one entry per `input`).
    pub answers: &'static [&'static [&'static str]],
}

const OTP: Challenge = Challenge {
    method: "token",
    description: "A SMS code has been sent to your device, please enter valid number",
    input: &["OTP Password"],
    answers: &[&["1234"]],
};

const FIRST_COMPANY: Challenge = Challenge {
    method: "security-questions",
    description: "Please answer the security question",
    input: &["What's your first company?"],
    answers: &[&["Hooli"]],
};

const TWO_QUESTIONS: Challenge = Challenge {
    method: "security-questions",
    description: "Please answer the security questions",
    input: &[
        "What's your favourite company?",
        "What's the ID of this institution?",
    ],
    answers: &[
        &["Basiq", "AU00000"],
        &["Basiq", "AU00002"],
        &["Basiq", "AU00003"],
    ],
};

/// An account a persona holds: class, product, name, number.
pub type PersonaAccount = (&'static str, &'static str, &'static str, &'static str);

/// A happy-path persona.
pub struct Persona {
    pub login_id: &'static str,
    pub password: &'static str,
    pub first_name: &'static str,
    pub last_name: &'static str,
    pub phone: &'static str,
    pub email: &'static str,
    pub address: &'static str,
    /// Joint holders' names, when the mortgage is shared.
    pub holder: Option<&'static str>,
    pub accounts: &'static [PersonaAccount],
    pub challenge: &'static Challenge,
}

/// The happy-path personas of AU00000 (and the MFA banks).
pub const PERSONAS: &[Persona] = &[
    Persona {
        login_id: "Wentworth-Smith",
        password: "whislter",
        first_name: "Max",
        last_name: "Wentworth-Smith",
        phone: "0419000000",
        email: "maxsmith@micr0soft.com",
        address: "13/91 Fisher Rd, Dee Why NSW 2099",
        holder: Some("Max Wentworth-Smith & Paul Wentworth-Smith"),
        accounts: &[
            (
                "transaction",
                "Hooli Transaction",
                "Transaction 14000",
                "45678945678901",
            ),
            (
                "credit-card",
                "Hooli Visa",
                "Credit Card 13000",
                "23456723456789",
            ),
            ("savings", "Hooli Saver", "Savings 123890", "34567834567890"),
            (
                "mortgage",
                "Hooli Home Loan",
                "Mortgage 746833",
                "12345612345678",
            ),
        ],
        challenge: &TWO_QUESTIONS,
    },
    Persona {
        login_id: "Whistler",
        password: "ShowBox",
        first_name: "Whistler",
        last_name: "Smith",
        phone: "0405000000",
        email: "whistler@h0tmail.com",
        address: "201 Sussex St, Sydney NSW 2000",
        holder: None,
        accounts: &[(
            "transaction",
            "Hooli Transaction",
            "Transaction",
            "000001919644181",
        )],
        challenge: &TWO_QUESTIONS,
    },
    Persona {
        login_id: "Gilfoyle",
        password: "PiedPiper",
        first_name: "Gilfoyle",
        last_name: "Bertram",
        phone: "0405000000",
        email: "gilfoyle@mgail.com",
        address: "Dee Why NSW 2099",
        holder: None,
        accounts: &[
            (
                "transaction",
                "Hooli Transaction",
                "Transaction",
                "000001919644171",
            ),
            (
                "credit-card",
                "Hooli Visa",
                "Credit Card",
                "000001919644170",
            ),
            ("savings", "Hooli Saver", "Savings", "000001919644172"),
        ],
        challenge: &FIRST_COMPANY,
    },
    Persona {
        login_id: "gavinBelson",
        password: "hooli2016",
        first_name: "Gavin",
        last_name: "Belson",
        phone: "0490000000",
        email: "gavinbelson@h0tmail.com",
        address: "YARDARINO WA 6525",
        holder: None,
        accounts: &[
            (
                "transaction",
                "Hooli Transaction",
                "Transaction",
                "000001000002",
            ),
            ("credit-card", "Hooli Visa", "Credit Card", "000001004381"),
            ("savings", "Hooli Saver", "Savings", "000001002935"),
            (
                "loan",
                "Hooli Personal Loan",
                "Personal Loan",
                "000001002955",
            ),
        ],
        challenge: &FIRST_COMPANY,
    },
    Persona {
        login_id: "jared",
        password: "django",
        first_name: "Jared",
        last_name: "Dunn",
        phone: "0405000000",
        email: "Jared.D@h0tmail.com",
        address: "Tuggerah NSW 2259",
        holder: None,
        accounts: &[
            (
                "transaction",
                "Hooli Transaction",
                "Transaction",
                "000001023480",
            ),
            ("credit-card", "Hooli Visa", "Credit Card", "000001023483"),
            (
                "term-deposit",
                "Hooli Term Deposit",
                "Term Deposit",
                "000001023482",
            ),
        ],
        challenge: &OTP,
    },
    Persona {
        login_id: "richard",
        password: "tabsnotspaces",
        first_name: "Richard",
        last_name: "Birtles",
        phone: "0482000000",
        email: "r.birtles@tetlerjones.c0m.au",
        address: "51 Dabinett Rd, Ponde SA 5238",
        holder: None,
        accounts: &[
            (
                "transaction",
                "Hooli Transaction",
                "Transaction",
                "000001077380",
            ),
            ("credit-card", "Hooli Visa", "Credit Card", "000001077379"),
            ("mortgage", "Hooli Home Loan", "Mortgage", "000001077381"),
        ],
        challenge: &OTP,
    },
    Persona {
        login_id: "laurieBream",
        password: "business2024",
        first_name: "Laurie",
        last_name: "Bream",
        phone: "0490000000",
        email: "business@manlyaccountants.com.au",
        address: "21 Sydney Rd, Manly NSW 2095",
        holder: None,
        accounts: &[
            (
                "transaction",
                "Hooli Business Transaction",
                "Business Transaction",
                "062245684154861747642",
            ),
            (
                "credit-card",
                "Hooli Business Visa",
                "Business Credit Card",
                "772245684154861747642",
            ),
        ],
        challenge: &OTP,
    },
    Persona {
        login_id: "ashMann",
        password: "hooli2024",
        first_name: "Ash",
        last_name: "Mann",
        phone: "0497000000",
        email: "ashmann@gamil.com",
        address: "201 Sussex St, Sydney NSW 2000",
        holder: None,
        accounts: &[
            (
                "transaction",
                "Hooli Transaction",
                "Transaction",
                "090001077738",
            ),
            ("credit-card", "Hooli Visa", "Credit Card", "090001077779"),
        ],
        challenge: &OTP,
    },
];

/// Where a job fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failure {
    /// `verify-credentials` or `retrieve-accounts`.
    pub step: &'static str,
    pub code: &'static str,
    pub title: &'static str,
    pub detail: &'static str,
    /// Whether the failure makes the connection `invalid`.
    pub invalidates: bool,
}

/// Wrong credentials: the failure every unknown login produces.
pub const INVALID_CREDENTIALS: Failure = Failure {
    step: "verify-credentials",
    code: "invalid-credentials",
    title: "Cannot login to target institution, check credentials.",
    detail: "Cannot login to target institution using supplied credentials. Please check credentials and try again.",
    invalidates: true,
};

/// The unhappy-path personas: `(loginId, password, failure)`.
pub const UNHAPPY: &[(&str, &str, Failure)] = &[
    (
        "bighead",
        "password",
        Failure {
            step: "verify-credentials",
            code: "invalid-credentials",
            title: "Cannot login to target institution, check credentials.",
            detail: "Account is locked",
            invalidates: true,
        },
    ),
    (
        "erlich",
        "aviato",
        Failure {
            step: "retrieve-accounts",
            code: "account-not-accessible-requires-user-action",
            title: "Account not accessible.",
            detail: "An action is required from end-user before account details can be returned.",
            invalidates: true,
        },
    ),
    (
        "jianYang",
        "nothotdog",
        Failure {
            step: "retrieve-accounts",
            code: "service-unavailable",
            title: "Service unavailable.",
            detail: "Service is currently unavailable. Please try again later.",
            invalidates: false,
        },
    ),
];

/// The failure a scenario names by its code (a scripted refresh outcome).
pub fn failure(code: &str) -> Option<Failure> {
    std::iter::once(&INVALID_CREDENTIALS)
        .chain(UNHAPPY.iter().map(|(_, _, f)| f))
        .find(|f| f.code == code)
        .copied()
}

/// Codes [`failure`] knows.
pub const FAILURE_CODES: &[&str] = &[
    "invalid-credentials",
    "account-not-accessible-requires-user-action",
    "service-unavailable",
];

/// What logging in with these credentials leads to.
#[derive(Clone, Copy)]
pub enum Login {
    /// A happy persona.
    Persona(&'static Persona),
    /// A login that fails at a step.
    Fails(Failure),
}

/// Matches credentials case-sensitively, as written on Basiq's testing page.
pub fn login(login_id: &str, password: &str) -> Login {
    if let Some(p) = PERSONAS
        .iter()
        .find(|p| p.login_id == login_id && p.password == password)
    {
        return Login::Persona(p);
    }
    match UNHAPPY
        .iter()
        .find(|(l, p, _)| *l == login_id && *p == password)
    {
        Some((_, _, failure)) => Login::Fails(*failure),
        None => Login::Fails(INVALID_CREDENTIALS),
    }
}
