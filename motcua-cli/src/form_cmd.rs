//! `motcua form`: the legal forms of the packs, and a dossier's form printed to a PDF file.

use anyhow::Context;
use clap::Subcommand;
use std::path::PathBuf;
use std::sync::Arc;

use crate::store_cmd::DatabaseArg;
use crate::{CliError, bad_input};

#[derive(Subcommand)]
pub enum FormCommand {
    /// Lists each pack's forms: key, number, title.
    List,
    /// Prints a dossier's form as PDF.
    Render {
        #[command(flatten)]
        db: DatabaseArg,
        /// The dossier's code (000.00.12.H53-261202-0001).
        #[arg(long)]
        code: String,
        /// The form's key (`motcua form list`).
        #[arg(long)]
        form: String,
        /// Where to write the PDF.
        #[arg(long)]
        out: PathBuf,
    },
}

fn list() {
    for pack in motcua_http::app::forms::packs() {
        println!(
            "{} ({}; dossiers received from {}; procedures under {})",
            pack.key,
            pack.name,
            pack.in_force_from,
            pack.rule_packs.join(", ")
        );
        for f in &pack.forms {
            let also = if f.also.is_empty() {
                String::new()
            } else {
                format!(" (also {})", f.also.join(", "))
            };
            println!("  {:<20} {}  {}{also}", f.key, f.number, f.title);
        }
    }
}

async fn render(db: DatabaseArg, code: String, form: String, out: PathBuf) -> Result<(), CliError> {
    let store = crate::store_cmd::open(&db).await?;
    let calendar = Arc::new(
        motcua_core::calendar::WorkingCalendar::national(motcua_core::calendar::default_windows())
            .context("building the national calendar")
            .map_err(CliError::Failure)?,
    );
    let app = motcua_http::AppState::load(store, calendar)
        .await
        .map_err(|e| CliError::Failure(anyhow::anyhow!("loading the configuration: {e}")))?;
    let rendered = match motcua_http::app::forms::render_by_code(&app, &code, &form).await {
        Ok(r) => r,
        Err(e) if e.status() < 500 => {
            return Err(bad_input(anyhow::anyhow!(
                "{code} {form}: {} ({})",
                e.code.meaning_en(),
                e.code.as_str()
            )));
        }
        Err(e) => {
            return Err(CliError::Failure(anyhow::anyhow!(
                "{}",
                e.code.meaning_en()
            )));
        }
    };
    std::fs::write(&out, &rendered.pdf)
        .with_context(|| format!("writing {}", out.display()))
        .map_err(CliError::Failure)?;
    println!(
        "{}: {form} of {code} ({} bytes)",
        out.display(),
        rendered.pdf.len()
    );
    Ok(())
}

pub fn run(cmd: FormCommand) -> Result<(), CliError> {
    match cmd {
        FormCommand::List => {
            list();
            Ok(())
        }
        FormCommand::Render {
            db,
            code,
            form,
            out,
        } => {
            // The application layer logs the cause of a failure and answers only its code:
            // show the log on stderr, or "(logged)" would point nowhere.
            let _ = tracing_subscriber::fmt()
                .with_target(false)
                .with_writer(std::io::stderr)
                .with_max_level(tracing_subscriber::filter::LevelFilter::WARN)
                .try_init();
            crate::store_cmd::runtime()?.block_on(render(db, code, form, out))
        }
    }
}
