//! `motcua procedure`: check procedure files, draw their workflows, publish them to a
//! database as new versions and assign them to the agencies that receive them.

use anyhow::Context;
use clap::{Subcommand, ValueEnum};
use motcua_core::procedure::Procedure;
use std::path::PathBuf;

use crate::store_cmd::DatabaseArg;
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
    /// Publishes a procedure file as a new version (checked first; a published version never
    /// changes: the same code and version with other content is refused). Running servers
    /// pick it up within seconds.
    Publish {
        /// The procedure file.
        file: PathBuf,
        #[command(flatten)]
        db: DatabaseArg,
        /// Check and say what would be done, change nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Assigns a published procedure to an agency that receives and handles it.
    Assign {
        /// The procedure's code.
        code: String,
        /// The agency's id.
        #[arg(long)]
        agency: String,
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Imports the catalogue of many procedures from CSV or JSON (the columns are in
    /// docs/procedure-format.md): each becomes a procedure with a default workflow, marked as
    /// such. Every row is checked first; nothing is published unless all are right.
    Import {
        /// The catalogue file (CSV with a header row, or a JSON array).
        file: PathBuf,
        #[command(flatten)]
        db: DatabaseArg,
        /// Check and say what would be done, change nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Migrates the open dossiers of older versions of a procedure to a published version,
    /// on purpose: `--dry-run` first lists, for each, its current step, the step it maps to
    /// and the deadlines that move, and those that cannot be migrated and why.
    Migrate {
        /// The procedure's code.
        code: String,
        /// The version to migrate to.
        #[arg(long)]
        to: String,
        /// A step of the old versions and the step of the new one it becomes (`old=new`;
        /// repeat it). A step the new version still has becomes itself unless mapped.
        #[arg(long = "map")]
        map: Vec<String>,
        /// Say what would be done, change nothing.
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Retires a procedure version: new dossiers no longer use it; those received under it
    /// keep it.
    Retire {
        /// The procedure's code.
        code: String,
        /// The version to retire.
        #[arg(long)]
        version: String,
        #[command(flatten)]
        db: DatabaseArg,
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

fn app_error(e: motcua_http::app::AppError) -> CliError {
    let text = anyhow::anyhow!(
        "{} ({}: {})",
        e.message,
        e.code.as_str(),
        e.code.meaning_en()
    );
    if e.status() < 500 {
        CliError::BadInput(text)
    } else {
        CliError::Failure(text)
    }
}

async fn migrate(
    code: String,
    to: String,
    map: Vec<String>,
    dry_run: bool,
    db: DatabaseArg,
) -> Result<(), CliError> {
    use motcua_core::calendar::to_local_vi;
    let store = crate::store_cmd::open(&db).await?;
    let calendar = std::sync::Arc::new(
        motcua_core::calendar::WorkingCalendar::national(motcua_core::calendar::default_windows())
            .context("building the national calendar")
            .map_err(CliError::Failure)?,
    );
    let app = motcua_http::AppState::load(store, calendar)
        .await
        .map_err(|e| CliError::Failure(anyhow::anyhow!("loading the configuration: {e}")))?;
    let p = motcua_http::app::Principal::operator("motcua-cli");
    let mapping = motcua_http::app::migration::parse_mapping(&map).map_err(app_error)?;
    let plan = motcua_http::app::migration::dry_run(&app, &p, &code, &to, &mapping)
        .await
        .map_err(app_error)?;
    for d in &plan.dossiers {
        let name = d.code.as_deref().unwrap_or(&d.id);
        match &d.outcome {
            Ok(m) => {
                let step = m
                    .step
                    .as_ref()
                    .map(|(a, b)| format!("step {a} → {b}"))
                    .unwrap_or_else(|| "not accepted yet".into());
                println!(
                    "{name} ({}): version {} → {}, {step}",
                    d.applicant, m.from_version, m.to_version
                );
                for (what, moved) in [
                    ("step due", m.step_due),
                    ("appointment", m.appointment),
                    ("legal appointment", m.original_appointment),
                ] {
                    if let Some((a, b)) = moved {
                        println!("  {what}: {} → {}", to_local_vi(a), to_local_vi(b));
                    }
                }
            }
            Err(why) => println!("{name} ({}): cannot be migrated: {why}", d.applicant),
        }
    }
    println!(
        "{} open dossier(s) of other versions: {} can be migrated, {} cannot",
        plan.dossiers.len(),
        plan.migratable(),
        plan.dossiers.len() - plan.migratable()
    );
    if dry_run {
        return Ok(());
    }
    let done = motcua_http::app::migration::apply(&app, &p, &code, &to, &mapping)
        .await
        .map_err(app_error)?;
    println!(
        "migrated {} dossier(s) to version {to} (one event each); {} left as they were",
        done.migrated,
        done.refused.len()
    );
    Ok(())
}

/// What publishing a version would do given what is stored.
enum Publication {
    New,
    Same,
    Conflict,
}

async fn publish(file: PathBuf, db: DatabaseArg, dry_run: bool) -> Result<(), CliError> {
    let text = std::fs::read_to_string(&file)
        .with_context(|| format!("reading {}", file.display()))
        .map_err(CliError::BadInput)?;
    let p = match Procedure::load(&file.display().to_string(), &text) {
        Ok((p, report)) => {
            print!("{report}");
            p
        }
        Err(report) => return Err(bad_input(anyhow::anyhow!("{report}"))),
    };
    let store = crate::store_cmd::open(&db).await?;
    let c = &p.catalogue;
    let stored = store
        .procedures()
        .await
        .map_err(|e| CliError::Failure(anyhow::anyhow!("{e}")))?;
    let sha = motcua_store::sha256_hex(text.as_bytes());
    let state = match stored
        .iter()
        .find(|(code, version, _)| *code == c.code && *version == c.version)
    {
        None => Publication::New,
        Some((_, _, source)) if motcua_store::sha256_hex(source.as_bytes()) == sha => {
            Publication::Same
        }
        Some(_) => Publication::Conflict,
    };
    let versions: Vec<&str> = stored
        .iter()
        .filter(|(code, _, _)| *code == c.code)
        .map(|(_, v, _)| v.as_str())
        .collect();
    match state {
        Publication::Conflict => Err(bad_input(anyhow::anyhow!(
            "{} version {} is already published with other content; a published version never changes: give the file a new version",
            c.code,
            c.version
        ))),
        Publication::Same => {
            println!(
                "{} version {} is already published, identical; nothing to do",
                c.code, c.version
            );
            Ok(())
        }
        Publication::New if dry_run => {
            println!(
                "would publish {} version {} ({}); versions already published: {}",
                c.code,
                c.version,
                c.name,
                if versions.is_empty() {
                    "none".to_string()
                } else {
                    versions.join(", ")
                }
            );
            Ok(())
        }
        Publication::New => {
            store
                .put_procedure(&text, &p)
                .await
                .map_err(|e| CliError::Failure(anyhow::anyhow!("{e}")))?;
            println!(
                "published {} version {} ({}); assign it with: motcua procedure assign {} --agency ID",
                c.code, c.version, c.name, c.code
            );
            Ok(())
        }
    }
}

async fn assign(code: String, agency: String, db: DatabaseArg) -> Result<(), CliError> {
    let store = crate::store_cmd::open(&db).await?;
    match store.assign_procedure(&code, &agency).await {
        Ok(true) => {
            println!("{code} is now received and handled by {agency}");
            Ok(())
        }
        Ok(false) => {
            println!("{code} was already assigned to {agency}; nothing to do");
            Ok(())
        }
        Err(motcua_store::StoreError::NotFound(what)) => {
            let hint = if what.starts_with("procedure") {
                "publish it first with motcua procedure publish FILE"
            } else {
                "the agencies are listed at /api/v1/agencies"
            };
            Err(bad_input(anyhow::anyhow!("{what} does not exist ({hint})")))
        }
        Err(e) => Err(CliError::Failure(anyhow::anyhow!("{e}"))),
    }
}

async fn import(file: PathBuf, db: DatabaseArg, dry_run: bool) -> Result<(), CliError> {
    let text = std::fs::read_to_string(&file)
        .with_context(|| format!("reading {}", file.display()))
        .map_err(bad_input)?;
    let store = crate::store_cmd::open(&db).await?;
    let fail = |e: motcua_store::StoreError| CliError::Failure(anyhow::anyhow!("{e}"));
    let stored = store.procedures().await.map_err(fail)?;
    let agencies = store.agencies().await.map_err(fail)?;
    let rows = match motcua_http::app::import::check_with(&text, &stored, |id| {
        agencies.iter().any(|a| a.id == id)
    }) {
        Ok(rows) => rows,
        Err(problems) => {
            for p in &problems {
                let column = p
                    .column
                    .as_deref()
                    .map_or(String::new(), |c| format!(" [{c}]"));
                eprintln!(
                    "{}:{}{column}: error: {}",
                    file.display(),
                    p.line,
                    p.message
                );
            }
            return Err(bad_input(anyhow::anyhow!(
                "{} problems; nothing imported",
                problems.len()
            )));
        }
    };
    let (mut published, mut unchanged, mut assigned) = (0, 0, 0);
    for r in &rows {
        let c = &r.procedure.catalogue;
        let what = if r.publication == "new" {
            "new"
        } else {
            "unchanged"
        };
        println!(
            "{}:{}: {} {} ({what})",
            file.display(),
            r.line,
            c.code,
            c.version
        );
        if dry_run {
            continue;
        }
        if r.publication == "new" {
            store
                .put_procedure(&r.source, &r.procedure)
                .await
                .map_err(fail)?;
            published += 1;
        } else {
            unchanged += 1;
        }
        for a in &r.assign_to {
            if store.assign_procedure(&c.code, a).await.map_err(fail)? {
                assigned += 1;
            }
        }
    }
    if dry_run {
        println!(
            "dry run: {} procedures checked, nothing changed",
            rows.len()
        );
    } else {
        println!(
            "{published} published, {unchanged} unchanged, {assigned} assignments; their workflow is the default one until replaced"
        );
    }
    Ok(())
}

async fn retire(code: String, version: String, db: DatabaseArg) -> Result<(), CliError> {
    let store = crate::store_cmd::open(&db).await?;
    match store.retire_procedure(&code, &version).await {
        Ok(true) => {
            println!(
                "{code} version {version} retired: new dossiers use the newest version still in force"
            );
            Ok(())
        }
        Ok(false) => {
            println!("{code} version {version} was already retired; nothing to do");
            Ok(())
        }
        Err(motcua_store::StoreError::NotFound(what)) => {
            Err(bad_input(anyhow::anyhow!("{what} does not exist")))
        }
        Err(e) => Err(CliError::Failure(anyhow::anyhow!("{e}"))),
    }
}

pub fn run(cmd: ProcedureCommand) -> Result<(), CliError> {
    match cmd {
        ProcedureCommand::Migrate {
            code,
            to,
            map,
            dry_run,
            db,
        } => crate::store_cmd::runtime()?.block_on(migrate(code, to, map, dry_run, db)),
        ProcedureCommand::Import { file, db, dry_run } => {
            crate::store_cmd::runtime()?.block_on(import(file, db, dry_run))
        }
        ProcedureCommand::Retire { code, version, db } => {
            crate::store_cmd::runtime()?.block_on(retire(code, version, db))
        }
        ProcedureCommand::Publish { file, db, dry_run } => {
            crate::store_cmd::runtime()?.block_on(publish(file, db, dry_run))
        }
        ProcedureCommand::Assign { code, agency, db } => {
            crate::store_cmd::runtime()?.block_on(assign(code, agency, db))
        }
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
