//! `motcua scenario run`: a scripted dossier lifecycle against a procedure, in memory.

use anyhow::Context;
use clap::Subcommand;
use motcua_core::calendar::{WorkingCalendar, default_windows};
use motcua_core::scenario;
use std::path::PathBuf;
use std::sync::Arc;

use crate::{CliError, bad_input, procedure_cmd};

#[derive(Subcommand)]
pub enum ScenarioCommand {
    /// Runs a scenario and prints its timeline. Exits with 1 when a step does not behave as
    /// the scenario expects.
    Run {
        /// The scenario file (TOML).
        file: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(cmd: ScenarioCommand) -> Result<(), CliError> {
    let ScenarioCommand::Run { file, json } = cmd;
    let text = std::fs::read_to_string(&file)
        .with_context(|| format!("reading {}", file.display()))
        .map_err(CliError::BadInput)?;
    let s = scenario::parse(&text)
        .map_err(|e| bad_input(anyhow::anyhow!("{}: {e}", file.display())))?;
    let procedure_path = file
        .parent()
        .map(|dir| dir.join(&s.procedure))
        .unwrap_or_else(|| PathBuf::from(&s.procedure));
    let procedure = procedure_cmd::load(&procedure_path)?;
    let calendar = Arc::new(
        WorkingCalendar::national(default_windows()).context("building the national calendar")?,
    );
    let timeline = scenario::run(&s, &procedure, &calendar)
        .map_err(|e| bad_input(anyhow::anyhow!("{}: {e}", file.display())))?;
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&timeline).context("writing JSON")?
        );
    } else {
        print!("{timeline}");
    }
    if timeline.passed() {
        Ok(())
    } else {
        Err(CliError::Failure(anyhow::anyhow!(
            "the scenario did not run as expected"
        )))
    }
}
