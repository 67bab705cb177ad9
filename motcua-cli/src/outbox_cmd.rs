//! `motcua outbox`: the outbox worker as its own process, and what administrators look at:
//! the deliveries in a state (the dead letters first of all) and a retry.

use anyhow::Context;
use clap::Subcommand;
use std::sync::Arc;

use crate::serve_cmd::OutboxArgs;
use crate::store_cmd::DatabaseArg;
use crate::{CliError, bad_input};

#[derive(Subcommand)]
pub enum OutboxCommand {
    /// Runs the outbox worker (as `motcua serve` does unless --no-outbox-worker): raises the
    /// alerts, dispatches new notifications and sends what is due, until stopped; with
    /// --once, one pass.
    Run {
        #[command(flatten)]
        db: DatabaseArg,
        #[command(flatten)]
        outbox: OutboxArgs,
        /// One pass, then exit (prints what it did).
        #[arg(long)]
        once: bool,
    },
    /// Lists deliveries in a state: pending, sent, dead or skipped (newest first).
    List {
        #[command(flatten)]
        db: DatabaseArg,
        /// The state.
        #[arg(long, default_value = "dead")]
        state: String,
    },
    /// Sends a dead delivery again.
    Retry {
        #[command(flatten)]
        db: DatabaseArg,
        /// The delivery's number (`motcua outbox list`).
        id: i64,
    },
}

async fn app(db: &DatabaseArg) -> Result<motcua_http::AppState, CliError> {
    let store = crate::store_cmd::open(db).await?;
    let calendar = Arc::new(
        motcua_core::calendar::WorkingCalendar::national(motcua_core::calendar::default_windows())
            .context("building the national calendar")
            .map_err(CliError::Failure)?,
    );
    motcua_http::AppState::load(store, calendar)
        .await
        .map_err(|e| CliError::Failure(anyhow::anyhow!("loading the configuration: {e}")))
}

pub fn run(c: OutboxCommand) -> Result<(), CliError> {
    crate::store_cmd::runtime()?.block_on(async move {
        match c {
            OutboxCommand::Run { db, outbox, once } => {
                let worker = outbox.worker()?;
                let app = app(&db).await?;
                if once {
                    let raised = worker
                        .alerts(&app)
                        .await
                        .map_err(|e| CliError::Failure(anyhow::anyhow!(e)))?;
                    match raised {
                        Some(n) => println!("raised {n} alerts"),
                        None => println!("another server runs the alerts"),
                    }
                    let (d, s, f) = worker
                        .pass(&app)
                        .await
                        .map_err(|e| CliError::Failure(anyhow::anyhow!(e)))?;
                    println!("dispatched {d} notifications, sent {s}, failed {f}");
                    return Ok(());
                }
                tracing_subscriber::fmt()
                    .with_target(false)
                    .with_writer(std::io::stderr)
                    .init();
                tokio::select! {
                    () = worker.run(app) => Ok(()),
                    _ = tokio::signal::ctrl_c() => Ok(()),
                }
            }
            OutboxCommand::List { db, state } => {
                if !matches!(state.as_str(), "pending" | "sent" | "dead" | "skipped") {
                    return Err(bad_input(anyhow::anyhow!(
                        "--state is pending, sent, dead or skipped, not `{state}`"
                    )));
                }
                let store = crate::store_cmd::open(&db).await?;
                let list = store
                    .deliveries(&state, 200)
                    .await
                    .map_err(|e| CliError::Failure(anyhow::anyhow!("{e}")))?;
                for d in &list {
                    println!(
                        "{:>6}  {:<5}  {:<28}  {:<22}  attempts {}  {}",
                        d.id,
                        d.channel,
                        d.recipient,
                        d.subject_id,
                        d.attempts,
                        d.last_error.as_deref().unwrap_or("")
                    );
                }
                println!("{} {state} deliveries", list.len());
                Ok(())
            }
            OutboxCommand::Retry { db, id } => {
                let store = crate::store_cmd::open(&db).await?;
                let done = store
                    .retry_delivery(id, chrono::Utc::now())
                    .await
                    .map_err(|e| CliError::Failure(anyhow::anyhow!("{e}")))?;
                if !done {
                    return Err(bad_input(anyhow::anyhow!("no dead delivery numbered {id}")));
                }
                println!("delivery {id} will be sent again");
                Ok(())
            }
        }
    })
}
