//! The command line: `sandbank serve` and `sandbank validate`, every flag also readable from a
//! `SANDBANK_…` environment variable.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use clap::{Args, Parser, Subcommand};

use crate::clock::ClockMode;
use crate::engine::EngineConfig;
use crate::scenario::{self, KeyPath, Problem, Scenario, ScenarioError, Segment};
use crate::server::{self, ServerConfig};

/// A local Basiq and Meld sandbox, scripted by TOML scenarios.
#[derive(Debug, Parser)]
#[command(name = "sandbank", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// What to do.
#[derive(Debug, Subcommand)]
// Parsed once per process: the size of `serve`'s arguments costs nothing worth boxing for.
#[allow(clippy::large_enum_variant)]
pub enum Command {
    /// Serve Basiq and Meld from a scenario (the embedded default when none is given).
    Serve(ServeArgs),
    /// Check scenario files; exits non-zero naming file, line:column and key path of each problem.
    Validate(ValidateArgs),
    /// Check that a server answers `GET /__admin/health` (exit 0) or not (exit 1), e.g. as a
    /// container's HEALTHCHECK, with no curl needed.
    Health(HealthArgs),
    /// Print the JSON Schema of the scenario format (also in scenarios/schema.json).
    Schema(SchemaArgs),
}

/// `sandbank schema`.
#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Print the reference of every key as Markdown tables instead (as in docs/scenarios.md).
    #[arg(long)]
    pub markdown: bool,
}

/// `sandbank health`.
#[derive(Debug, Args)]
pub struct HealthArgs {
    /// The server's base URL (either listener).
    #[arg(default_value = "http://127.0.0.1:4010", value_name = "URL")]
    pub url: String,
    /// Seconds to wait for the answer.
    #[arg(long, default_value_t = 5)]
    pub timeout: u64,
}

/// `sandbank serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Scenario file to load; repeat to combine files that describe different vendors.
    #[arg(
        long = "scenario",
        value_name = "FILE",
        env = "SANDBANK_SCENARIO",
        value_delimiter = ','
    )]
    pub scenarios: Vec<PathBuf>,
    /// Address of the Basiq listener (port 0 picks a free port).
    #[arg(
        long,
        value_name = "ADDR",
        env = "SANDBANK_BASIQ_ADDR",
        default_value = "127.0.0.1:4010",
        value_parser = parse_addr
    )]
    pub basiq_addr: SocketAddr,
    /// Address of the Meld listener (port 0 picks a free port).
    #[arg(
        long,
        value_name = "ADDR",
        env = "SANDBANK_MELD_ADDR",
        default_value = "127.0.0.1:4020",
        value_parser = parse_addr
    )]
    pub meld_addr: SocketAddr,
    /// Base URL for links in Basiq responses (default: http://<Host header>).
    #[arg(long, value_name = "URL", env = "SANDBANK_BASIQ_PUBLIC_URL")]
    pub basiq_public_url: Option<String>,
    /// Open the admin API (`/__admin`) to any caller that sends `Authorization: Bearer <TOKEN>`
    /// (without it, only loopback callers may use it; `/__admin/health` answers anyone).
    #[arg(long, value_name = "TOKEN", env = "SANDBANK_ADMIN_TOKEN")]
    pub admin_token: Option<String>,
    /// Server clock: `real`, `real@<RFC 3339>` (running from that instant) or
    /// `frozen@<RFC 3339>` (standing still). Overrides the scenario's `[clock]`.
    #[arg(long, value_name = "MODE", env = "SANDBANK_CLOCK", value_parser = parse_clock)]
    pub clock: Option<ClockMode>,
    /// Requests the journal (`GET /__admin/requests`) keeps; older ones are dropped.
    #[arg(
        long,
        value_name = "N",
        env = "SANDBANK_JOURNAL_SIZE",
        default_value_t = crate::journal::DEFAULT_LIMIT
    )]
    pub journal_size: usize,

    /// Largest request body, in bytes, a vendor route accepts; larger ones get 413 in the
    /// vendor's error envelope.
    #[arg(
        long,
        value_name = "BYTES",
        env = "SANDBANK_MAX_BODY_BYTES",
        default_value_t = crate::limits::DEFAULT_BODY_LIMIT
    )]
    pub max_body_bytes: usize,

    /// Give every well-formed API key the scenario does not list a private copy of the
    /// scenario on first use (a Basiq application per key id, a Meld account per key).
    #[arg(long, env = "SANDBANK_TENANT_PER_KEY")]
    pub tenant_per_key: bool,

    /// Tenants kept at most per vendor, holding at most 2,000,000 users, accounts and
    /// transactions together; keys beyond are refused as unknown keys.
    #[arg(
        long,
        value_name = "N",
        env = "SANDBANK_MAX_TENANTS",
        default_value_t = crate::tenants::DEFAULT_MAX_TENANTS
    )]
    pub max_tenants: usize,

    /// Connections each listener serves at once; further clients wait to be accepted. A request
    /// head must arrive within 10 s (an idle kept-alive connection is closed after 10 s) and a
    /// body within 30 s.
    #[arg(
        long,
        value_name = "N",
        env = "SANDBANK_MAX_CONNECTIONS",
        default_value_t = crate::conn::DEFAULT_MAX_CONNECTIONS
    )]
    pub max_connections: usize,

    /// Hosts webhooks may be delivered to, as `host` or `host:port` (repeat or separate with
    /// commas); others are logged as "Not allowed by --webhook-allow" (default: any host).
    #[arg(
        long,
        value_name = "HOST[:PORT]",
        env = "SANDBANK_WEBHOOK_ALLOW",
        value_delimiter = ','
    )]
    pub webhook_allow: Vec<String>,

    /// Mint the same ids while serving (request, job, event and webhook ids) on every run and
    /// after every reset, for snapshot tests (default: ids differ from run to run, so receivers
    /// that de-duplicate on them never drop a new event).
    #[arg(long, env = "SANDBANK_REPRODUCIBLE_IDS")]
    pub reproducible_ids: bool,

    /// What to log on stderr: `info` (one line per request, webhook attempt, transition and
    /// scenario load), `warn`, `off`, or any `RUST_LOG` filter (default: `RUST_LOG`, else
    /// `info`).
    #[arg(long, value_name = "FILTER", env = "SANDBANK_LOG")]
    pub log_level: Option<String>,

    /// How log lines are written.
    #[arg(
        long,
        value_name = "FORMAT",
        env = "SANDBANK_LOG_FORMAT",
        value_enum,
        default_value_t = crate::logging::LogFormat::Text
    )]
    pub log_format: crate::logging::LogFormat,

    /// Key that signs the tokens the server issues, so that tokens stay valid across restarts
    /// (default: a random key per process; tokens cannot be minted outside the server).
    #[arg(
        long,
        value_name = "SECRET",
        env = "SANDBANK_TOKEN_SECRET",
        hide_env_values = true
    )]
    pub token_secret: Option<String>,
}

/// `sandbank validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Scenario files to check.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// A scenario could not be loaded.
    #[error("{0}")]
    Scenario(#[from] ScenarioError),
    /// A listener could not be started.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The log filter is not one.
    #[error("{0}")]
    Log(#[from] crate::logging::LogFilterError),
}

/// A listener address: `IP:PORT`, or `HOST:PORT` with a name the machine resolves
/// (`localhost:4010`; its IPv4 address when it has one).
fn parse_addr(text: &str) -> Result<SocketAddr, String> {
    if let Ok(addr) = text.parse() {
        return Ok(addr);
    }
    let found: Vec<SocketAddr> = std::net::ToSocketAddrs::to_socket_addrs(text)
        .map_err(|e| format!("`{text}` is not an address (HOST:PORT or IP:PORT): {e}"))?
        .collect();
    found
        .iter()
        .find(|a| a.is_ipv4())
        .or(found.first())
        .copied()
        .ok_or_else(|| format!("`{text}` resolves to no address"))
}

fn parse_clock(text: &str) -> Result<ClockMode, String> {
    let instant = |t: &str| -> Result<DateTime<Utc>, String> {
        DateTime::parse_from_rfc3339(t)
            .map(|d| d.with_timezone(&Utc))
            .map_err(|e| format!("`{t}` is not an RFC 3339 instant: {e}"))
    };
    match text.split_once('@') {
        None if text == "real" => Ok(ClockMode::Running { start: None }),
        Some(("real", at)) => Ok(ClockMode::Running {
            start: Some(instant(at)?),
        }),
        Some(("frozen", at)) => Ok(ClockMode::Frozen { at: instant(at)? }),
        _ => Err("expected `real`, `real@<RFC 3339>` or `frozen@<RFC 3339>`".to_owned()),
    }
}

/// Loads the scenario files of `serve` (the embedded default when there are none) and combines
/// them: each vendor may be described by one file only.
pub fn load_scenarios(files: &[PathBuf]) -> Result<Scenario, ScenarioError> {
    if files.is_empty() {
        return scenario::parse(scenario::DEFAULT_SCENARIO_NAME, scenario::DEFAULT_SCENARIO);
    }
    let mut combined: Option<Scenario> = None;
    let mut problems = Vec::new();
    let mut owners: Vec<(&str, String)> = Vec::new();
    for file in files {
        let next = scenario::load_file(file)?;
        let name = file.display().to_string();
        for (vendor, present) in [
            ("basiq", next.basiq.is_some()),
            ("meld", next.meld.is_some()),
        ] {
            if !present {
                continue;
            }
            if let Some((_, owner)) = owners.iter().find(|(v, _)| *v == vendor) {
                problems.push(Problem {
                    file: name.clone(),
                    line: 1,
                    column: 1,
                    path: KeyPath(vec![Segment::Key(vendor.to_owned())]),
                    message: format!("{vendor} is already described by {owner}"),
                });
            } else {
                owners.push((vendor, name.clone()));
            }
        }
        combined = Some(match combined {
            None => next,
            Some(mut acc) => {
                acc.basiq = acc.basiq.or(next.basiq);
                acc.meld = acc.meld.or(next.meld);
                acc
            }
        });
    }
    if !problems.is_empty() {
        return Err(ScenarioError::Invalid(problems));
    }
    Ok(combined.unwrap_or_default())
}

/// Runs a command to completion.
pub async fn run(cli: Cli) -> Result<ExitCode, CliError> {
    match cli.command {
        Command::Validate(args) => Ok(validate(&args.files)),
        Command::Health(args) => Ok(health(&args).await),
        Command::Schema(args) => {
            if args.markdown {
                print!("{}", scenario::reference());
            } else {
                print!("{}", scenario::json_schema());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve(args) => serve(args).await,
    }
}

async fn health(args: &HealthArgs) -> ExitCode {
    let url = format!("{}/__admin/health", args.url.trim_end_matches('/'));
    let limit = std::time::Duration::from_secs(args.timeout);
    match tokio::time::timeout(limit, get_status(&url)).await {
        Ok(Ok(200)) => {
            println!("{url}: ok");
            ExitCode::SUCCESS
        }
        Ok(Ok(status)) => {
            eprintln!("{url}: answered {status}");
            ExitCode::FAILURE
        }
        Ok(Err(e)) => {
            eprintln!("{url}: {e}");
            ExitCode::FAILURE
        }
        Err(_) => {
            eprintln!("{url}: no answer within {} s", args.timeout);
            ExitCode::FAILURE
        }
    }
}

/// The status of a plain HTTP/1.1 `GET`.
async fn get_status(url: &str) -> Result<u16, String> {
    let uri: hyper::Uri = url.parse().map_err(|e| format!("not a URL: {e}"))?;
    if uri.scheme_str() != Some("http") {
        return Err("only http:// URLs".to_owned());
    }
    let host = uri
        .host()
        .ok_or("no host")?
        .trim_matches(['[', ']'])
        .to_owned();
    let port = uri.port_u16().unwrap_or(80);
    let stream = tokio::net::TcpStream::connect((host.as_str(), port))
        .await
        .map_err(|e| e.to_string())?;
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .map_err(|e| e.to_string())?;
    tokio::spawn(connection);
    let authority = uri.authority().map_or(host.clone(), |a| a.to_string());
    let request = hyper::Request::get(uri.path())
        .header("host", authority)
        .body(http_body_util::Empty::<bytes::Bytes>::new())
        .map_err(|e| e.to_string())?;
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| e.to_string())?;
    Ok(response.status().as_u16())
}

fn validate(files: &[PathBuf]) -> ExitCode {
    let mut failed = false;
    for file in files {
        match scenario::load_file(file) {
            Ok(s) if s.basiq.is_none() && s.meld.is_none() => {
                println!("{}: ok", file.display());
                eprintln!(
                    "{}: warning: no [basiq] or [meld] section; serving it answers no vendor's keys",
                    file.display()
                );
            }
            Ok(_) => println!("{}: ok", file.display()),
            Err(e) => {
                failed = true;
                eprintln!("{e}");
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

async fn serve(args: ServeArgs) -> Result<ExitCode, CliError> {
    let filter = args
        .log_level
        .clone()
        .or_else(|| std::env::var("RUST_LOG").ok())
        .unwrap_or_else(|| "info".to_owned());
    crate::logging::init(&filter, args.log_format)?;
    let scenario = load_scenarios(&args.scenarios)?;
    tracing::info!(
        name = scenario.name.as_deref().unwrap_or("-"),
        seed = scenario.seed,
        files = args.scenarios.len(),
        "scenario loaded"
    );
    let config = ServerConfig {
        scenario,
        basiq_addr: args.basiq_addr,
        meld_addr: args.meld_addr,
        engine: EngineConfig {
            basiq_public_url: args.basiq_public_url,
            clock: args.clock,
            // An empty token (`SANDBANK_ADMIN_TOKEN=` in a CI file) means none was given.
            admin_token: args.admin_token.filter(|t| !t.trim().is_empty()),
            journal_limit: Some(args.journal_size),
            body_limit: Some(args.max_body_bytes),
            tenant_per_key: args.tenant_per_key,
            max_tenants: Some(args.max_tenants),
            token_secret: args
                .token_secret
                .filter(|s| !s.is_empty())
                .map(String::into_bytes),
            webhook_allow: (!args.webhook_allow.is_empty()).then_some(args.webhook_allow),
            reproducible_ids: args.reproducible_ids,
        },
        connections: crate::conn::ConnectionLimits {
            max_connections: args.max_connections,
            ..crate::conn::ConnectionLimits::default()
        },
    };
    // The handlers are in place before the listening lines are printed: a script that sends
    // SIGTERM as soon as it reads them gets a graceful stop, not the default disposition.
    let stop = shutdown_signal()?;
    let running = server::start(config).await?;
    println!("basiq listening on {}", running.basiq_url());
    println!("meld listening on {}", running.meld_url());
    running.serve_until(stop).await?;
    Ok(ExitCode::SUCCESS)
}

/// Ctrl-C or SIGTERM, with both handlers installed when this is called (not when the future is
/// first polled).
#[cfg(unix)]
fn shutdown_signal() -> std::io::Result<impl Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
    })
}

/// Ctrl-C.
#[cfg(not(unix))]
fn shutdown_signal() -> std::io::Result<impl Future<Output = ()>> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}
