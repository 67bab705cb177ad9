//! The `motcua` command: the server, and the calendar, deadline, form, procedure, scenario
//! and database tools.
//!
//! Exit codes: 0 success, 1 failure, 2 bad input (usage errors, malformed instants, unknown
//! units, impossible dates).

mod calendar_change_cmd;
mod calendar_cmd;
mod deadline_cmd;
mod form_cmd;
mod init_cmd;
mod outbox_cmd;
mod procedure_cmd;
mod scenario_cmd;
mod serve_cmd;
mod store_cmd;

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
    /// Runs the HTTP server (the JSON API); seeds a demo on an empty database.
    Serve(serve_cmd::ServeArgs),
    /// Calendars: holidays of a year, lunar and solar dates.
    #[command(subcommand)]
    Calendar(calendar_cmd::CalendarCommand),
    /// Computes due instants in working time.
    Deadline(deadline_cmd::DeadlineArgs),
    /// Procedure files: check them, draw their workflows.
    #[command(subcommand)]
    Procedure(procedure_cmd::ProcedureCommand),
    /// Legal forms: each pack's forms, a dossier's form printed to PDF.
    #[command(subcommand)]
    Form(form_cmd::FormCommand),
    /// Notifications: the outbox worker as its own process, the dead letters, retries.
    #[command(subcommand)]
    Outbox(outbox_cmd::OutboxCommand),
    /// Scenarios: scripted dossier lifecycles run in memory.
    #[command(subcommand)]
    Scenario(scenario_cmd::ScenarioCommand),
    /// Readies a database for a province's own setup: migrations and the first system
    /// administrator (its one-time password is printed once).
    Init(init_cmd::InitArgs),
    /// Applies the database migrations (and, with --rebuild-projections, rebuilds every
    /// dossier's projection from its event log).
    Migrate(store_cmd::MigrateArgs),
    /// Backs the database up: a SQLite file copy, or a portable export (--export).
    Backup(store_cmd::BackupArgs),
    /// Restores a portable export into an empty database (any backend).
    Restore(store_cmd::RestoreArgs),
    /// Checks every dossier's hash chain.
    Verify(store_cmd::DatabaseArg),
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
        Command::Serve(a) => serve_cmd::run(a),
        Command::Calendar(c) => calendar_cmd::run(c),
        Command::Deadline(d) => deadline_cmd::run(d),
        Command::Procedure(p) => procedure_cmd::run(p),
        Command::Form(f) => form_cmd::run(f),
        Command::Outbox(o) => outbox_cmd::run(o),
        Command::Scenario(s) => scenario_cmd::run(s),
        Command::Init(a) => init_cmd::run(a),
        Command::Migrate(db) => store_cmd::migrate(db),
        Command::Backup(a) => store_cmd::backup(a),
        Command::Restore(a) => store_cmd::restore(a),
        Command::Verify(db) => store_cmd::verify(db),
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
