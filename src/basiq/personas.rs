//! The test institutions and the logins that connect to them, with the outcome each login
//! produces: Basiq's own sandbox (digest §13, kept in `sandbox.toml`) plus whatever a scenario
//! adds under `[[basiq.institutions]]` and `[[basiq.personas]]`.

use std::borrow::Cow;
use std::sync::{Arc, LazyLock};

use serde::Deserialize;

use super::scenario::{BasiqChallengeSpec, BasiqInstitutionSpec, BasiqPersonaSpec};

/// A test institution.
#[derive(Debug, Clone)]
pub struct Institution {
    pub id: String,
    pub name: String,
    pub short_name: String,
    /// How often it asks for MFA.
    pub mfa: Mfa,
    /// Connections are CDR consents (member number and one-time password), not web logins.
    pub open_banking: bool,
}

/// Whether a scenario's `method` names open banking (either of Basiq's spellings).
pub fn is_open_banking(method: Option<&str>) -> bool {
    matches!(method, Some("open-banking" | "openbanking"))
}

/// When an institution presents an `mfa-challenge` step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mfa {
    Never,
    Always,
    /// Half the time, decided deterministically per connection.
    Sometimes,
}

/// Spellings of [`Mfa`] in scenario files.
pub const MFA_SPELLINGS: &[&str] = &["never", "always", "sometimes"];

impl Mfa {
    fn parse(text: Option<&str>) -> Mfa {
        match text {
            Some("always") => Mfa::Always,
            Some("sometimes") => Mfa::Sometimes,
            _ => Mfa::Never,
        }
    }
}

/// An MFA challenge and its accepted answers, as a scenario spells it.
pub type Challenge = BasiqChallengeSpec;

impl Challenge {
    /// Whether `response` is one of the accepted answer lists.
    pub fn accepts(&self, response: &[String]) -> bool {
        self.answers.iter().any(|a| a == response)
    }
}

/// The one-time-password challenge of logins that name none.
static OTP: LazyLock<Arc<Challenge>> = LazyLock::new(|| {
    Arc::new(BasiqChallengeSpec {
        method: "token".to_owned(),
        description: "A SMS code has been sent to your device, please enter valid number"
            .to_owned(),
        input: vec!["OTP Password".to_owned()],
        answers: vec![vec!["1234".to_owned()]],
    })
});

/// The one-time-password challenge (`1234`), for logins without a challenge of their own.
pub fn otp() -> Arc<Challenge> {
    OTP.clone()
}

/// Where a job fails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// `verify-credentials` or `retrieve-accounts`.
    pub step: &'static str,
    pub code: &'static str,
    pub title: &'static str,
    pub detail: Cow<'static, str>,
    /// Whether the failure makes the connection `invalid`.
    pub invalidates: bool,
}

/// Wrong credentials: the failure every unknown login produces.
pub const INVALID_CREDENTIALS: Failure = Failure {
    step: "verify-credentials",
    code: "invalid-credentials",
    title: "Cannot login to target institution, check credentials.",
    detail: Cow::Borrowed(
        "Cannot login to target institution using supplied credentials. Please check credentials and try again.",
    ),
    invalidates: true,
};

/// An open-banking authorisation the bank refused: the failure of every unknown member number
/// and one-time password (§7.2's OB example).
pub const AUTHORIZATION_FAILED: Failure = Failure {
    step: "verify-credentials",
    code: "authorization-failed",
    title: "Authorization failed",
    detail: Cow::Borrowed("access_denied"),
    invalidates: true,
};

/// The failures a login or a scripted refresh can meet, by code.
const FAILURES: &[Failure] = &[
    INVALID_CREDENTIALS,
    AUTHORIZATION_FAILED,
    Failure {
        step: "retrieve-accounts",
        code: "account-not-accessible-requires-user-action",
        title: "Account not accessible.",
        detail: Cow::Borrowed(
            "An action is required from end-user before account details can be returned.",
        ),
        invalidates: true,
    },
    Failure {
        step: "retrieve-accounts",
        code: "service-unavailable",
        title: "Service unavailable.",
        detail: Cow::Borrowed("Service is currently unavailable. Please try again later."),
        invalidates: false,
    },
];

/// The failure a scenario names by its code.
pub fn failure(code: &str) -> Option<Failure> {
    FAILURES.iter().find(|f| f.code == code).cloned()
}

/// Codes [`failure`] knows.
pub const FAILURE_CODES: &[&str] = &[
    "invalid-credentials",
    "authorization-failed",
    "account-not-accessible-requires-user-action",
    "service-unavailable",
];

/// A login and what connecting with it leads to: its spec, with the challenge and failure it
/// names resolved.
#[derive(Debug, Clone)]
pub struct Persona {
    pub spec: BasiqPersonaSpec,
    pub challenge: Arc<Challenge>,
    /// The failure every job of this login meets.
    pub fail: Option<Failure>,
}

impl Persona {
    fn from_spec(spec: &BasiqPersonaSpec) -> Persona {
        let fail = spec.fail.as_deref().and_then(failure).map(|f| Failure {
            detail: spec.fail_detail.clone().map_or(f.detail, Cow::Owned),
            ..f
        });
        Persona {
            spec: spec.clone(),
            challenge: spec.challenge.clone().map_or_else(otp, Arc::new),
            fail,
        }
    }

    /// `first last`, when the persona has names.
    pub fn full_name(&self) -> Option<String> {
        let first = self.spec.first_name.as_deref()?;
        Some(match self.spec.last_name.as_deref() {
            Some(last) => format!("{first} {last}"),
            None => first.to_owned(),
        })
    }
}

/// The institutions and logins one Basiq world knows.
#[derive(Debug)]
pub struct Sandbox {
    institutions: Vec<Institution>,
    personas: Vec<Persona>,
}

/// Basiq's own sandbox, as `sandbox.toml` spells it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SandboxSpec {
    pub institutions: Vec<BasiqInstitutionSpec>,
    pub personas: Vec<BasiqPersonaSpec>,
}

/// The text of Basiq's own sandbox.
pub const SANDBOX_TOML: &str = include_str!("sandbox.toml");

static BUILT_IN: LazyLock<Arc<Sandbox>> = LazyLock::new(|| {
    // The file is part of the build and a unit test parses it.
    let spec: SandboxSpec = toml::from_str(SANDBOX_TOML).expect("sandbox.toml parses");
    Arc::new(Sandbox::from_specs(&spec.institutions, &spec.personas))
});

fn institution_from(spec: &BasiqInstitutionSpec) -> Institution {
    Institution {
        id: spec.id.clone(),
        name: spec.name.clone(),
        short_name: spec.short_name.clone().unwrap_or_else(|| spec.name.clone()),
        mfa: Mfa::parse(spec.mfa.as_deref()),
        open_banking: is_open_banking(spec.method.as_deref()),
    }
}

impl Sandbox {
    fn from_specs(institutions: &[BasiqInstitutionSpec], personas: &[BasiqPersonaSpec]) -> Sandbox {
        Sandbox {
            institutions: institutions.iter().map(institution_from).collect(),
            personas: personas.iter().map(Persona::from_spec).collect(),
        }
    }

    /// Basiq's own sandbox.
    pub fn built_in() -> Arc<Sandbox> {
        BUILT_IN.clone()
    }

    /// Basiq's sandbox with a scenario's institutions and personas: an institution with a
    /// sandbox bank's id replaces it, others follow in order; the scenario's personas are
    /// matched first.
    pub fn with(
        institutions: &[BasiqInstitutionSpec],
        personas: &[BasiqPersonaSpec],
    ) -> Arc<Sandbox> {
        if institutions.is_empty() && personas.is_empty() {
            return Self::built_in();
        }
        let own = Sandbox::from_specs(institutions, personas);
        let mut all: Vec<Institution> = BUILT_IN
            .institutions
            .iter()
            .map(|b| own.institution(&b.id).unwrap_or(b).clone())
            .collect();
        all.extend(
            own.institutions
                .iter()
                .filter(|i| BUILT_IN.institution(&i.id).is_none())
                .cloned(),
        );
        let mut logins = own.personas;
        logins.extend(BUILT_IN.personas.iter().cloned());
        Arc::new(Sandbox {
            institutions: all,
            personas: logins,
        })
    }

    /// Every institution, sandbox banks first.
    pub fn institutions(&self) -> &[Institution] {
        &self.institutions
    }

    /// The institution with this id.
    pub fn institution(&self, id: &str) -> Option<&Institution> {
        self.institutions.iter().find(|i| i.id == id)
    }

    /// The persona these credentials log in as at `institution`, matched case-sensitively as
    /// Basiq's testing page writes them; `None` for any other login. Web personas log in at
    /// web institutions, open-banking ones (member number and one-time password) at
    /// open-banking institutions.
    pub fn login(&self, institution: &str, login_id: &str, password: &str) -> Option<&Persona> {
        let open_banking = self
            .institution(institution)
            .is_some_and(|i| i.open_banking);
        self.personas.iter().find(|p| {
            is_open_banking(p.spec.method.as_deref()) == open_banking
                && p.spec.login_id == login_id
                && p.spec.password == password
                && p.spec
                    .institution
                    .as_deref()
                    .is_none_or(|i| i == institution)
        })
    }
}

/// How a login's job fails: the persona's own failure, or for a login that is no persona wrong
/// credentials (web) or a refused authorisation (open banking).
pub fn outcome(persona: Option<&Persona>, open_banking: bool) -> Option<Failure> {
    match persona {
        Some(p) => p.fail.clone(),
        None if open_banking => Some(AUTHORIZATION_FAILED),
        None => Some(INVALID_CREDENTIALS),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_sandbox_parses_and_passes_the_scenario_checks() {
        let spec: SandboxSpec = toml::from_str(SANDBOX_TOML).unwrap();
        let scenario = crate::scenario::model::Scenario {
            basiq: Some(crate::scenario::model::BasiqSpec {
                institutions: spec.institutions,
                personas: spec.personas,
                ..Default::default()
            }),
            ..Default::default()
        };
        let found = crate::scenario::check::check(&scenario);
        assert!(found.is_empty(), "{found:?}");
        let sandbox = Sandbox::built_in();
        assert_eq!(sandbox.institutions().len(), 4);
        let gavin = sandbox
            .login("AU00000", "gavinBelson", "hooli2016")
            .unwrap();
        assert_eq!(gavin.spec.accounts.len(), 4);
        assert!(gavin.challenge.accepts(&["Hooli".to_owned()]));
        assert!(
            sandbox
                .login("AU00000", "gavinbelson", "hooli2016")
                .is_none()
        );
        let bighead = sandbox.login("AU00000", "bighead", "password").unwrap();
        assert_eq!(
            outcome(Some(bighead), false).map(|f| (f.code, f.detail)),
            Some(("invalid-credentials", "Account is locked".into()))
        );
        assert_eq!(outcome(None, false), Some(INVALID_CREDENTIALS));
        assert_eq!(outcome(None, true), Some(AUTHORIZATION_FAILED));
        // The open-banking member authorises only where the bank is in open-banking mode.
        assert!(sandbox.login("AU00000", "374829", "227470").is_none());
        let ob = Sandbox::with(
            &[BasiqInstitutionSpec {
                id: "AU00000".to_owned(),
                name: "Hooli Bank".to_owned(),
                method: Some("open-banking".to_owned()),
                ..Default::default()
            }],
            &[],
        );
        let member = ob.login("AU00000", "374829", "227470").unwrap();
        assert_eq!(member.spec.accounts.len(), 3);
        assert!(ob.login("AU00000", "gavinBelson", "hooli2016").is_none());
        assert!(ob.login("AU00002", "gavinBelson", "hooli2016").is_some());
    }
}
