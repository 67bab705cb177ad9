//! The `motcua` command: calendar and deadline tools (more commands come with the server).
//!
//! Exit codes: 0 success, 1 failure, 2 bad input (usage errors, malformed instants, unknown
//! units, impossible dates).

mod calendar_cmd;
mod deadline_cmd;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// motcua: the one-stop administrative procedure engine.
#[derive(Parser)]
#[command(name = "motcua", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Calendars: holidays of a year, lunar and solar dates.
    #[command(subcommand)]
    Calendar(calendar_cmd::CalendarCommand),
    /// Computes due instants in working time.
    Deadline(deadline_cmd::DeadlineArgs),
}

/// An error and whether it is the user's input (exit 2) or a failure (exit 1).
pub enum CliError {
    /// The input was wrong; nothing was done.
    BadInput(anyhow::Error),
    /// Something failed.
    Failure(anyhow::Error),
}

impl From<anyhow::Error> for CliError {
    fn from(e: anyhow::Error) -> Self {
        CliError::Failure(e)
    }
}

/// Marks an error as bad input.
pub fn bad_input(e: impl Into<anyhow::Error>) -> CliError {
    CliError::BadInput(e.into())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Calendar(c) => calendar_cmd::run(c),
        Command::Deadline(d) => deadline_cmd::run(d),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(CliError::BadInput(e)) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
        Err(CliError::Failure(e)) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}
