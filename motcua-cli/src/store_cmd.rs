//! `motcua migrate | backup | restore | verify`: database administration.

use anyhow::Context;
use clap::Args;
use motcua_store::{Backend, Options, Store};
use std::io::BufReader;
use std::path::PathBuf;

use crate::CliError;

/// The database used when none is named.
pub const DEFAULT_DATABASE: &str = "sqlite://motcua.db";

/// The database to work on.
#[derive(Args, Clone)]
pub struct DatabaseArg {
    /// A SQLite (sqlite://FILE) or PostgreSQL (postgres://...) URL.
    #[arg(
        long,
        env = "MOTCUA_DATABASE_URL",
        default_value = "sqlite://motcua.db"
    )]
    pub database: String,
}

#[derive(Args)]
pub struct MigrateArgs {
    #[command(flatten)]
    db: DatabaseArg,
    /// Then rebuild every dossier's projection from its event log (after verifying the
    /// chain); a projection that already matches its log is left as it is.
    #[arg(long)]
    rebuild_projections: bool,
}

#[derive(Args)]
pub struct BackupArgs {
    #[command(flatten)]
    db: DatabaseArg,
    /// The file to write; it must not exist.
    #[arg(long)]
    to: PathBuf,
    /// Write the portable JSON-lines export (any backend) instead of a SQLite file copy.
    #[arg(long)]
    export: bool,
}

#[derive(Args)]
pub struct RestoreArgs {
    #[command(flatten)]
    db: DatabaseArg,
    /// A JSON-lines export written by `motcua backup --export`.
    #[arg(long)]
    from: PathBuf,
}

pub fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")
        .map_err(CliError::Failure)
}

pub async fn open(db: &DatabaseArg) -> Result<Store, CliError> {
    let store = Store::connect(&db.database, Options::default())
        .await
        .map_err(|e| CliError::BadInput(anyhow::anyhow!("{e}")))?;
    store
        .migrate()
        .await
        .context("applying migrations")
        .map_err(CliError::Failure)?;
    Ok(store)
}

fn fail(e: motcua_store::StoreError) -> CliError {
    CliError::Failure(anyhow::anyhow!("{e}"))
}

pub fn migrate(args: MigrateArgs) -> Result<(), CliError> {
    let db = args.db;
    runtime()?.block_on(async {
        let store = Store::connect(&db.database, Options::default())
            .await
            .map_err(|e| CliError::BadInput(anyhow::anyhow!("{e}")))?;
        let applied = store.migrate().await.map_err(fail)?;
        if applied.is_empty() {
            println!("{}: up to date", motcua_store::redact(&db.database));
        } else {
            println!(
                "{}: applied migrations {applied:?}",
                motcua_store::redact(&db.database)
            );
        }
        if args.rebuild_projections {
            let r = store.rebuild_projections().await.map_err(fail)?;
            println!(
                "rebuilt projections: {} dossiers read, {} rewritten, {} problem(s)",
                r.dossiers,
                r.changed,
                r.problems.len()
            );
            for (id, why) in &r.problems {
                println!("  {id}: {why}");
            }
            if !r.problems.is_empty() {
                return Err(CliError::Failure(anyhow::anyhow!(
                    "{} dossier(s) were left as they were",
                    r.problems.len()
                )));
            }
        }
        Ok(())
    })
}

pub fn backup(args: BackupArgs) -> Result<(), CliError> {
    runtime()?.block_on(async {
        let store = open(&args.db).await?;
        if args.export {
            if args.to.exists() {
                return Err(CliError::BadInput(anyhow::anyhow!(
                    "{} already exists",
                    args.to.display()
                )));
            }
            let file = std::fs::File::create(&args.to)
                .with_context(|| format!("creating {}", args.to.display()))
                .map_err(CliError::Failure)?;
            let mut w = std::io::BufWriter::new(file);
            let summary = store.export(&mut w).await.map_err(fail)?;
            for (table, n) in summary.tables {
                println!("{table}: {n}");
            }
        } else {
            if store.backend() != Backend::Sqlite {
                return Err(CliError::BadInput(anyhow::anyhow!(
                    "file backups are for SQLite; use --export (or pg_dump) for PostgreSQL"
                )));
            }
            store
                .backup_sqlite(&args.to)
                .await
                .map_err(|e| CliError::BadInput(anyhow::anyhow!("{e}")))?;
            println!("wrote {}", args.to.display());
        }
        Ok(())
    })
}

pub fn restore(args: RestoreArgs) -> Result<(), CliError> {
    runtime()?.block_on(async {
        let file = std::fs::File::open(&args.from)
            .with_context(|| format!("opening {}", args.from.display()))
            .map_err(CliError::BadInput)?;
        let store = open(&args.db).await?;
        let summary = store
            .import(BufReader::new(file))
            .await
            .map_err(|e| CliError::BadInput(anyhow::anyhow!("{e}")))?;
        for (table, n) in summary.tables {
            println!("{table}: {n}");
        }
        check_chains(&store).await
    })
}

/// Verifies every hash chain, prints each problem and a summary, and fails if any.
async fn check_chains(store: &Store) -> Result<(), CliError> {
    let report = store.verify_all().await.map_err(fail)?;
    for (id, problem) in &report.problems {
        println!("{id}: {problem}");
    }
    println!(
        "verified {} dossiers, {} events: {} problem(s)",
        report.dossiers,
        report.events,
        report.problems.len()
    );
    if report.problems.is_empty() {
        Ok(())
    } else {
        Err(CliError::Failure(anyhow::anyhow!(
            "some hash chains do not verify"
        )))
    }
}

pub fn verify(db: DatabaseArg) -> Result<(), CliError> {
    runtime()?.block_on(async {
        let store = open(&db).await?;
        check_chains(&store).await
    })
}
