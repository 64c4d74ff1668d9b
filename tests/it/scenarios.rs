//! Scenario files: every shipped scenario loads, and problems are reported with file,
//! line:column and key path.

use sandbank::scenario::{self, ScenarioError};

use crate::snap;

fn problems(name: &str, text: &str) -> String {
    match scenario::parse(name, text) {
        Ok(_) => "ok".to_owned(),
        Err(e) => e.to_string(),
    }
}

/// Every file under `scenarios/` is valid and builds a world; one snapshot per file summarises it.
#[test]
fn shipped_scenarios_load() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    let _guard = settings.bind_to_scope();
    insta::glob!("../../scenarios", "*.toml", |path| {
        let text = std::fs::read_to_string(path).expect("readable");
        let parsed = scenario::parse(&path.display().to_string(), &text).expect("valid scenario");
        let world = sandbank::world::build::build(&parsed, support_start());
        let b = &world.basiq;
        let m = &world.meld;
        let summary = format!(
            "basiq: {} users, {} connections, {} accounts, {} transactions\n\
             meld: {} customers, {} connections, {} accounts, {} transactions\n\
             scheduled transitions: {}\n",
            b.users.len(),
            b.users.iter().map(|u| u.connections.len()).sum::<usize>(),
            b.users.iter().map(|u| u.accounts.len()).sum::<usize>(),
            b.users.iter().map(|u| u.transactions.len()).sum::<usize>(),
            m.customers.len(),
            m.connections.len(),
            m.financial_accounts.len(),
            m.transactions.len(),
            world.timelines.iter().map(|t| t.len()).sum::<usize>(),
        );
        insta::assert_snapshot!("scenario_summary", summary);
    });
}

fn support_start() -> chrono::DateTime<chrono::Utc> {
    crate::support::frozen_at()
}

/// All semantic problems of a file are reported at once, each located.
#[test]
fn validation_reports_every_problem_located() {
    let text = include_str!("fixtures/broken.toml");
    let rendered = problems("broken.toml", text);
    snap!("scenario_problems", rendered);
    let count = match scenario::parse("broken.toml", text) {
        Err(ScenarioError::Invalid(p)) => p.len(),
        _ => 0,
    };
    assert!(count >= 10, "{count} problems");
}

/// A scenario's own institutions and personas are checked like the rest: formats, spellings,
/// references, challenge shapes, and account templates that may not fix ids.
#[test]
fn sandbox_problems_are_located() {
    let text = r#"
[basiq]
authLinkCode = "12ab"
[[basiq.institutions]]
id = "BANK1"
name = ""
mfa = "often"

[[basiq.institutions]]
id = "AU99001"
name = "Wonderland"
method = "cdr"

[[basiq.institutions]]
id = "AU99001"
name = "Wonderland again"

[[basiq.personas]]
loginId = "alice"
password = ""
institution = "AU12345"
challenge = { method = "sms", description = "?", input = ["code", "pin"], answers = [["1"]] }
accounts = [{ id = "a1", class = { type = "chequing" }, transactions = [{ id = "t1", amount = "1.00" }] }]

[[basiq.personas]]
loginId = "bob"
password = "pw"
method = "oauth"
fail = "locked-out"
accounts = [{ name = "Savings" }]

[[basiq.personas]]
loginId = "bob"
password = "pw"
failDetail = "Locked"
challenge = { method = "token", description = "Code", input = [], answers = [] }
"#;
    snap!("scenario_sandbox_problems", problems("sandbox.toml", text));
}

/// Recurring payments are checked: kinds, cadences, days, rises, variations, a payment that
/// comes once without its day.
#[test]
fn recurring_problems_are_located() {
    let text = r#"
[basiq]
[[basiq.users]]
id = "u1"
email = "u1@example.com"
[[basiq.users.connections]]
institution = "AU00000"
[[basiq.users.connections.accounts]]
recurring = [
  { description = "SALARY", kind = "wages", every = "daily", amount = "100.00" },
  { description = "", kind = "rent", every = "month", amount = "0.00", day = 31 },
  { description = "TUTORING", kind = "transfer", every = "week", amount = "50.00", day = 7, rise = 500, vary = 101 },
  { description = "BONUS", kind = "salary", every = "once", amount = "900.00" },
  { description = "BONUS", kind = "salary", every = "once", amount = "900.00", startsAgo = "30d" },
  { description = "BPAY", kind = "transfer", every = "month", amount = "-9.00", bpay = { billerCode = "12a", billerName = "", crn = "123456789012345678901" } },
]
"#;
    snap!(
        "scenario_recurring_problems",
        problems("recurring.toml", text)
    );
}

/// Type errors and unknown keys are located too.
#[test]
fn type_errors_and_unknown_keys_are_located() {
    let cases = [
        ("unknown top-level key", "seed = 1\ncolour = \"blue\"\n"),
        (
            "unknown nested key",
            "[basiq]\napiKeys = []\n[[basiq.users]]\nid = \"u\"\nemial = \"x@y.z\"\n",
        ),
        ("wrong type", "[meld]\napiKeys = \"one\"\n"),
        (
            "bad duration",
            "[[basiq.users]]\n[[basiq.users.connections]]\ntransitions = [{ after = \"soon\", status = \"invalid\" }]\n",
        ),
        (
            "bad timestamp",
            "[[basiq.users]]\n[[basiq.users.connections]]\ncreatedDate = \"yesterday\"\n",
        ),
        (
            "bad amount",
            "[[basiq.users]]\n[[basiq.users.connections]]\n[[basiq.users.connections.accounts]]\nbalance = \"10.001\"\n",
        ),
        ("syntax error", "[basiq\napiKeys = []\n"),
        (
            "datetime literal accepted",
            "[[basiq.users]]\n[[basiq.users.connections]]\ncreatedDate = 2020-10-02T05:53:05Z\n",
        ),
    ];
    let rendered: String = cases
        .iter()
        .map(|(name, text)| format!("## {name}\n{}\n", problems("case.toml", text)))
        .collect();
    snap!("scenario_parse_errors", rendered);
}

/// Two files may describe different vendors, not the same one.
#[test]
fn combining_files() {
    let dir = std::env::temp_dir().join(format!("sandbank-combine-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let basiq = dir.join("basiq.toml");
    let meld = dir.join("meld.toml");
    let more_basiq = dir.join("more-basiq.toml");
    std::fs::write(
        &basiq,
        "seed = 7\n[basiq]\napiKeys = [\"c2FuZGJhbms6c2FuZGJveA==\"]\n",
    )
    .expect("write");
    std::fs::write(&meld, "[meld]\napiKeys = [\"k\"]\n").expect("write");
    std::fs::write(&more_basiq, "[basiq]\n").expect("write");
    let combined = sandbank::cli::load_scenarios(&[basiq.clone(), meld.clone()]).expect("combines");
    assert!(combined.basiq.is_some() && combined.meld.is_some());
    assert_eq!(combined.seed, 7);
    let err = sandbank::cli::load_scenarios(&[basiq, more_basiq])
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("basiq is already described by"), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}

/// A generated crowd: every member has one active AU00000 connection with a transaction and a
/// savings account, the transactions are spread so that parts differ by at most one, and the
/// admin API lists the members with their counts; the API serves them like listed users.
#[tokio::test]
async fn generated_crowd_is_spread_and_served() {
    let server = crate::support::server(
        "seed = 3\n[basiq]\napiKeys = [\"c2FuZGJhbms6c2FuZGJveA==\"]\n\
         [[basiq.users]]\nid = \"listed\"\n\
         [basiq.generated]\nusers = 3\ntransactions = 301\n",
    )
    .await;
    let listed = crate::support::get(server.basiq_url(), "/__admin/basiq/users", &[]).await;
    assert_eq!(listed.status, 200);
    let users = listed.json()["users"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let counts: Vec<(i64, i64, i64)> = users
        .iter()
        .map(|u| {
            (
                u["connections"].as_i64().unwrap_or(-1),
                u["accounts"].as_i64().unwrap_or(-1),
                u["transactions"].as_i64().unwrap_or(-1),
            )
        })
        .collect();
    assert_eq!(users[0]["id"], "listed");
    assert_eq!(counts, [(0, 0, 0), (1, 2, 101), (1, 2, 100), (1, 2, 100)]);

    let token = crate::support::server_token(&server).await;
    let auth = format!("Bearer {token}");
    let member = users[1]["id"].as_str().unwrap_or_default();
    let conns = crate::support::get(
        server.basiq_url(),
        &format!("/users/{member}/connections"),
        &[("authorization", &auth)],
    )
    .await
    .json();
    assert_eq!(conns["data"][0]["status"], "active");
    assert_eq!(conns["data"][0]["institution"]["id"], "AU00000");
    let accounts = crate::support::get(
        server.basiq_url(),
        &format!("/users/{member}/accounts"),
        &[("authorization", &auth)],
    )
    .await
    .json();
    let classes: Vec<&str> = accounts["data"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a["class"]["type"].as_str())
        .collect();
    assert_eq!(classes, ["transaction", "savings"]);
    let page = crate::support::get(
        server.basiq_url(),
        &format!("/users/{member}/transactions?limit=500"),
        &[("authorization", &auth)],
    )
    .await
    .json();
    assert_eq!(page["size"], 101);
    assert_eq!(page["count"], 101);
}

/// `history = { transactions = N }` gives exactly N (growing the history as needed);
/// with `days` too, the newest N of those days.
#[test]
fn history_by_count() {
    let text = "seed = 5\n[basiq]\n[[basiq.users]]\n[[basiq.users.connections]]\n\
                [[basiq.users.connections.accounts]]\nclass = { type = \"savings\" }\nhistory = { transactions = 400 }\n\
                [[basiq.users.connections.accounts]]\nhistory = { days = 60, transactions = 5 }\n\
                [[basiq.users.connections.accounts]]\nhistory = { days = 1, transactions = 500 }\n";
    let parsed = scenario::parse("count.toml", text).expect("valid scenario");
    let world = sandbank::world::build::build(&parsed, crate::support::frozen_at());
    let user = &world.basiq.users[0];
    let per_account: Vec<usize> = user
        .accounts
        .iter()
        .map(|a| {
            user.transactions
                .iter()
                .filter(|t| *t.account() == *a.id)
                .count()
        })
        .collect();
    assert_eq!(per_account[..2], [400, 5]);
    assert!(per_account[2] < 500, "one day holds fewer: {per_account:?}");
    // The savings history had to reach back well beyond the default 90 days.
    let oldest = user.accounts[0].history_from.expect("has history");
    assert!(
        (user.accounts[0].last_updated.at.date_naive() - oldest).num_days() > 365,
        "{oldest}"
    );
}

/// Bounds and shapes of generated data are checked, each problem located.
#[test]
fn generated_data_bounds() {
    let text = "[basiq]\n[basiq.generated]\nusers = 200000\ntransactions = 20000000\n\
                [[basiq.users]]\n[[basiq.users.connections]]\n\
                [[basiq.users.connections.accounts]]\nhistory = {}\n\
                [[basiq.users.connections.accounts]]\nhistory = { days = 20000, transactions = 2000000 }\n";
    snap!("scenario_generated_bounds", problems("crowd.toml", text));
}

/// `scenarios/schema.json` is what `sandbank schema` prints from the types (regenerate it with
/// `cargo run -- schema > scenarios/schema.json`), and every shipped scenario points editors at
/// it.
#[test]
fn the_committed_schema_is_current_and_referenced() {
    let committed = include_str!("../../scenarios/schema.json");
    assert!(
        committed == scenario::json_schema(),
        "scenarios/schema.json is stale: cargo run -- schema > scenarios/schema.json"
    );
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    for entry in std::fs::read_dir(&dir).expect("scenarios/") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "toml") {
            let text = std::fs::read_to_string(&path).expect("readable");
            assert!(
                text.starts_with("#:schema ./schema.json\n"),
                "{} has no #:schema directive",
                path.display()
            );
        }
    }
}

/// Unknown keys, type errors and semantic problems are all reported in one run, in file order;
/// a key removed to read on does not show up again as a missing one.
#[test]
fn every_problem_is_reported_in_one_run() {
    let text = include_str!("fixtures/many-problems.toml");
    snap!("scenario_many_problems", problems("many.toml", text));
    let count = match scenario::parse("many.toml", text) {
        Err(e) => e.problems().len(),
        Ok(_) => 0,
    };
    assert_eq!(count, 8);
}

/// `docs/scenarios.md` holds the key reference as `sandbank schema --markdown` prints it.
#[test]
fn the_scenario_reference_is_current() {
    let page = include_str!("../../docs/scenarios.md");
    let start = page
        .find("<!-- generated: sandbank schema --markdown -->\n")
        .expect("the generated part's start")
        + "<!-- generated: sandbank schema --markdown -->\n".len();
    let end = page
        .find("<!-- end of generated -->")
        .expect("the generated part's end");
    assert!(
        page[start..end] == scenario::reference(),
        "docs/scenarios.md is stale: regenerate its Keys part with `cargo run -- schema --markdown`"
    );
}
