//! The `sandbank` binary: `validate` exit codes and messages, `serve` start-up lines, env
//! fallbacks and graceful shutdown.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use clap::CommandFactory;

use crate::snap;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_sandbank"))
}

/// The rest of a child's stdout.
type Rest = std::io::Lines<BufReader<std::process::ChildStdout>>;

/// `sandbank serve` with `args` and environment `env` (stderr as `stderr` says): the child, its
/// two listening lines as they are printed, and the rest of its stdout.
fn serve(args: &[&str], env: &[(&str, &str)], stderr: Stdio) -> (Child, [String; 2], Rest) {
    let mut child = bin()
        .arg("serve")
        .args(args)
        .envs(env.iter().copied())
        .env_remove("RUST_LOG")
        .env_remove("SANDBANK_LOG")
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .expect("spawns");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let first = lines.next().and_then(Result::ok).unwrap_or_default();
    let second = lines.next().and_then(Result::ok).unwrap_or_default();
    (child, [first, second], lines)
}

/// Sends SIGTERM to `child` and waits for it; whether it stopped cleanly.
fn terminate(child: &mut Child) -> std::process::ExitStatus {
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    child.wait().expect("exits")
}

/// The clap definition is consistent (no conflicting names or defaults).
#[test]
fn command_definition_is_consistent() {
    sandbank::cli::Cli::command().debug_assert();
}

/// `validate` succeeds on good files and fails, naming each problem, on bad ones.
#[test]
fn validate_exit_codes_and_messages() {
    let manifest = env!("CARGO_MANIFEST_DIR");
    let ok = bin()
        .current_dir(manifest)
        .args(["validate", "scenarios/default.toml"])
        .output()
        .expect("runs");
    assert!(ok.status.success());
    assert_eq!(
        String::from_utf8_lossy(&ok.stdout),
        "scenarios/default.toml: ok\n"
    );

    let bad = bin()
        .current_dir(manifest)
        .args([
            "validate",
            "tests/it/fixtures/broken.toml",
            "scenarios/default.toml",
        ])
        .output()
        .expect("runs");
    assert_eq!(bad.status.code(), Some(1));
    snap!(
        "cli_validate_broken",
        String::from_utf8_lossy(&bad.stderr).into_owned()
    );

    let missing = bin()
        .current_dir(manifest)
        .args(["validate", "nope.toml"])
        .output()
        .expect("runs");
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).starts_with("nope.toml: cannot read"));
}

/// `serve` prints one line per listener, answers, and exits cleanly on SIGTERM; addresses come
/// from the environment when no flag is given.
#[test]
fn serve_prints_listeners_and_stops_on_sigterm() {
    // SANDBANK_BASIQ_ADDR stands in for the missing flag.
    let (mut child, [first, second], mut lines) = serve(
        &["--meld-addr", "127.0.0.1:0"],
        &[("SANDBANK_BASIQ_ADDR", "127.0.0.1:0")],
        Stdio::piped(),
    );
    assert!(
        first.starts_with("basiq listening on http://127.0.0.1:"),
        "{first}"
    );
    assert!(
        second.starts_with("meld listening on http://127.0.0.1:"),
        "{second}"
    );
    let port: u16 = first
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    assert_ne!(port, 0);

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let ex = rt.block_on(crate::support::get(
        &format!("http://127.0.0.1:{port}"),
        "/users/ea3a81",
        &[],
    ));
    assert_eq!(ex.status, 403);

    let status = terminate(&mut child);
    assert!(status.success(), "{status:?}");
    assert!(lines.next().is_none(), "nothing else printed on stdout");
}

/// A SIGTERM sent the moment the listening lines are read stops the server gracefully every
/// time (the handler is installed before they are printed); a listener may be named by host.
#[test]
fn sigterm_right_after_start_is_graceful() {
    for _ in 0..20 {
        let args = ["--basiq-addr", "localhost:0", "--meld-addr", "127.0.0.1:0"];
        let (mut child, [first, _], _) = serve(&args, &[], Stdio::null());
        assert!(
            first.starts_with("basiq listening on http://127.0.0.1:"),
            "{first}"
        );
        let status = terminate(&mut child);
        assert!(status.success(), "{status:?}");
    }
}

/// `serve` logs one line per vendor request on stderr (JSON with `--log-format json`), with
/// vendor, method, path, status, duration and tenant, and never a key, token or query.
#[test]
fn serve_logs_one_line_per_request_without_secrets() {
    let args = [
        "--basiq-addr",
        "127.0.0.1:0",
        "--meld-addr",
        "127.0.0.1:0",
        "--log-format",
        "json",
    ];
    let (mut child, [basiq, meld], _) = serve(&args, &[], Stdio::piped());
    let url = |line: &str| line.rsplit(' ').next().unwrap_or_default().to_owned();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let token = crate::support::get(
            &url(&basiq),
            "/users/ea3a81?token=query-secret",
            &[("authorization", "Bearer header-secret")],
        )
        .await;
        assert_eq!(token.status, 401);
        let list = crate::support::get(
            &url(&meld),
            "/bank-linking/connections",
            &[("authorization", "BASIC sk_sb_sandbank")],
        )
        .await;
        assert_eq!(list.status, 200);
    });
    let mut stderr_pipe = child.stderr.take().expect("stderr");
    assert!(terminate(&mut child).success());
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut stderr_pipe, &mut stderr).expect("stderr read");
    for secret in [
        "query-secret",
        "header-secret",
        "sk_sb_sandbank",
        "c2FuZGJhbms6c2FuZGJveA==",
    ] {
        assert!(!stderr.contains(secret), "{secret} logged: {stderr}");
    }
    let requests: Vec<serde_json::Value> = stderr
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|l| l["message"] == "request")
        .collect();
    assert_eq!(requests.len(), 2, "{stderr}");
    assert_eq!(requests[0]["vendor"], "basiq");
    assert_eq!(requests[0]["method"], "GET");
    assert_eq!(requests[0]["path"], "/users/ea3a81");
    assert_eq!(requests[0]["status"], 401);
    assert!(requests[0]["micros"].is_u64());
    assert_eq!(requests[0]["tenant"], "-");
    assert_eq!(requests[1]["vendor"], "meld");
    assert_eq!(requests[1]["status"], 200);
    assert!(
        stderr.lines().any(|l| l.contains("scenario loaded")),
        "{stderr}"
    );
}

/// The Rust embedding program of docs/embedding.md is the crate's doctest, which `cargo test`
/// compiles and runs.
#[test]
fn documented_embedding_example_is_the_doctest() {
    let readme = include_str!("../../docs/embedding.md");
    let lib = include_str!("../../src/lib.rs");
    let start = readme.find("```rust\n").expect("a rust block") + "```rust\n".len();
    let end = start + readme[start..].find("```").expect("its end");
    let shown = &readme[start..end];
    let doc: String = lib
        .lines()
        .skip_while(|l| *l != "//! ```")
        .skip(1)
        .take_while(|l| *l != "//! ```")
        .map(|l| {
            format!(
                "{}\n",
                l.strip_prefix("//! ")
                    .unwrap_or(l.trim_start_matches("//!"))
            )
        })
        .collect();
    assert_eq!(shown, doc);
}

/// `sandbank health URL` exits 0 when the server answers its health probe, 1 otherwise.
#[test]
fn health_subcommand() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let server = rt.block_on(crate::support::default_server());
    let ok = bin()
        .args(["health", server.meld_url()])
        .output()
        .expect("runs");
    assert!(ok.status.success(), "{ok:?}");
    let down = bin()
        .args(["health", "http://127.0.0.1:9", "--timeout", "2"])
        .output()
        .expect("runs");
    assert_eq!(down.status.code(), Some(1));
    drop(server);
}

/// A scenario that describes no vendor is valid but gets a warning: serving it answers no key.
#[test]
fn validate_warns_about_a_scenario_without_vendors() {
    let dir = std::env::temp_dir().join(format!("sandbank-novendor-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("empty.toml");
    std::fs::write(&file, "seed = 3\n").expect("written");
    let out = bin()
        .args(["validate", &file.display().to_string()])
        .output()
        .expect("runs");
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning: no [basiq] or [meld] section"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
