//! `motcua scenario run`: a scripted dossier lifecycle against a procedure, in memory.

use anyhow::Context;
use clap::Subcommand;
use motcua_core::calendar::{WorkingCalendar, default_windows};
use motcua_core::procedure::Procedure;
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
    /// Replays a scenario into a database through the store (demo data, tests). Files the
    /// scenario names are uploaded as small placeholders. Exits with 1 when a step does not
    /// behave as the scenario expects.
    Load {
        /// The scenario file (TOML).
        file: PathBuf,
        /// The dossier identifier to use (default: the file name).
        #[arg(long)]
        id: Option<String>,
        #[command(flatten)]
        db: crate::store_cmd::DatabaseArg,
    },
}

fn read(file: &PathBuf) -> Result<(scenario::Scenario, PathBuf, String), CliError> {
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("reading {}", file.display()))
        .map_err(CliError::BadInput)?;
    let s = scenario::parse(&text)
        .map_err(|e| bad_input(anyhow::anyhow!("{}: {e}", file.display())))?;
    let procedure_path = file
        .parent()
        .map(|dir| dir.join(&s.procedure))
        .unwrap_or_else(|| PathBuf::from(&s.procedure));
    let source = std::fs::read_to_string(&procedure_path)
        .with_context(|| format!("reading {}", procedure_path.display()))
        .map_err(CliError::BadInput)?;
    Ok((s, procedure_path, source))
}

pub fn run(cmd: ScenarioCommand) -> Result<(), CliError> {
    let (file, json) = match cmd {
        ScenarioCommand::Run { file, json } => (file, json),
        ScenarioCommand::Load { file, id, db } => return load(file, id, db),
    };
    let (s, procedure_path, _) = read(&file)?;
    let procedure = procedure_cmd::load(&procedure_path)?;
    let calendar = Arc::new(
        WorkingCalendar::national(default_windows()).context("building the national calendar")?,
    );
    // A `publish` step names another version's file, relative to the scenario file.
    let base = file.parent().map(PathBuf::from).unwrap_or_default();
    let versions = |name: &str| {
        let path = base.join(name);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| scenario::ScenarioError(format!("{}: {e}", path.display())))?;
        Procedure::load(&path.display().to_string(), &text)
            .map(|(p, _)| p)
            .map_err(|r| scenario::ScenarioError(r.to_string()))
    };
    let timeline = scenario::run_with(&s, &procedure, &calendar, &versions)
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

fn load(
    file: PathBuf,
    id: Option<String>,
    db: crate::store_cmd::DatabaseArg,
) -> Result<(), CliError> {
    let (s, procedure_path, source) = read(&file)?;
    if s.has_own_calendar()
        || s.steps
            .iter()
            .any(|st| st.dossier.is_some() || !matches!(st.action, scenario::Action::Command(_)))
    {
        return Err(bad_input(anyhow::anyhow!(
            "{}: only a scenario of one dossier and commands can be loaded into a database; `motcua scenario run` runs this one",
            file.display()
        )));
    }
    let procedure = procedure_cmd::load(&procedure_path)?;
    s.actors()
        .map_err(|e| bad_input(anyhow::anyhow!("{}: {e}", file.display())))?;
    let calendar = Arc::new(
        WorkingCalendar::national(default_windows()).context("building the national calendar")?,
    );
    let id = id.unwrap_or_else(|| {
        file.file_stem()
            .map(|x| x.to_string_lossy().to_string())
            .unwrap_or_else(|| "scenario".into())
    });
    crate::store_cmd::runtime()?.block_on(async {
        let store = crate::store_cmd::open(&db).await?;
        // An agency already set up (the demo's, a province's own) is kept as it is; only a
        // missing one is created, at the procedure's first level and without a parent.
        let level = procedure
            .catalogue
            .agency_levels
            .first()
            .map_or("district", |l| l.as_str())
            .to_string();
        let created = store
            .ensure_agency(&motcua_store::Agency {
                id: s.agency.to_string(),
                name: s.agency.to_string(),
                level: level.clone(),
                parent_id: None,
                host_names: vec![],
                contact: Default::default(),
            })
            .await
            .map_err(|e| CliError::Failure(anyhow::anyhow!("{e}")))?;
        if created {
            println!(
                "agency {} was not in the database: created it at {level} level, named by its identifier, without a parent",
                s.agency
            );
        }
        store
            .put_procedure(&source, &procedure)
            .await
            .map_err(|e| CliError::Failure(anyhow::anyhow!("{e}")))?;
        store
            .assign_procedure(&procedure.catalogue.code, &s.agency)
            .await
            .map_err(|e| CliError::Failure(anyhow::anyhow!("{e}")))?;
        let (d, unexpected) = store
            .replay(&s, &id, &procedure, &calendar)
            .await
            .map_err(|e| CliError::Failure(anyhow::anyhow!("{e}")))?;
        for n in &unexpected {
            println!("step {n} did not behave as expected");
        }
        if store
            .staff_count()
            .await
            .map_err(|e| CliError::Failure(anyhow::anyhow!("{e}")))?
            == 0
        {
            println!(
                "the database has no staff account: `motcua init --database URL` creates the first system administrator"
            );
        }
        println!(
            "{id}: {} · state {} · national status {} · {} events",
            d.code
                .as_ref()
                .map(|c| c.to_string())
                .unwrap_or_else(|| "no code".into()),
            d.state,
            d.national_status(),
            d.version
        );
        if unexpected.is_empty() {
            Ok(())
        } else {
            Err(CliError::Failure(anyhow::anyhow!(
                "the scenario did not run as expected"
            )))
        }
    })
}
