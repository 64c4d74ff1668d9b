//! The `sandbank` binary: parses the command line and hands over to [`sandbank::cli::run`].

use std::process::ExitCode;

use clap::Parser;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = sandbank::cli::Cli::parse();
    match sandbank::cli::run(cli).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
