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
            world.timelines.iter().map(|t| t.steps.len()).sum::<usize>(),
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

/// Type errors and unknown keys stop parsing and are located too.
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
