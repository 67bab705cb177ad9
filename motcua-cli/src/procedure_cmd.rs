//! `motcua procedure`: check procedure files and draw their workflows.

use anyhow::Context;
use clap::{Subcommand, ValueEnum};
use motcua_core::procedure::Procedure;
use std::path::PathBuf;

use crate::{CliError, bad_input};

#[derive(Subcommand)]
pub enum ProcedureCommand {
    /// Validates procedure files and reports every problem with its line and column.
    /// Exits with 1 when any file has an error.
    Check {
        /// Procedure files (TOML).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Draws a procedure's internal workflow.
    Graph {
        /// The procedure file.
        file: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
        format: GraphFormat,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum GraphFormat {
    /// Graphviz dot.
    Dot,
    /// Mermaid flowchart.
    Mermaid,
}

/// Reads and loads a procedure file, mapping a bad file to exit code 2 with its report.
pub fn load(path: &PathBuf) -> Result<Procedure, CliError> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading {}", path.display()))
        .map_err(CliError::BadInput)?;
    match Procedure::load(&path.display().to_string(), &text) {
        Ok((p, _)) => Ok(p),
        Err(report) => Err(bad_input(anyhow::anyhow!("{report}"))),
    }
}

pub fn run(cmd: ProcedureCommand) -> Result<(), CliError> {
    match cmd {
        ProcedureCommand::Check { files } => {
            let mut failed = false;
            for path in &files {
                let text = match std::fs::read_to_string(path) {
                    Ok(t) => t,
                    Err(e) => {
                        println!("{}: error: cannot read: {e}", path.display());
                        failed = true;
                        continue;
                    }
                };
                let report = match Procedure::load(&path.display().to_string(), &text) {
                    Ok((_, report)) => report,
                    Err(report) => report,
                };
                failed |= report.has_errors();
                print!("{report}");
            }
            if failed {
                return Err(CliError::Failure(anyhow::anyhow!(
                    "some procedure files have errors"
                )));
            }
            Ok(())
        }
        ProcedureCommand::Graph { file, format } => {
            let p = load(&file)?;
            match format {
                GraphFormat::Dot => print!("{}", p.to_dot()),
                GraphFormat::Mermaid => print!("{}", p.to_mermaid()),
            }
            Ok(())
        }
    }
}
