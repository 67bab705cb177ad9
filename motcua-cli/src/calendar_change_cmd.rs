//! `motcua calendar confirm|set|except|preview|apply|reproject`: the stored calendars of a
//! database changed from the command line, as the back office changes them: each change is
//! stored as pending, previewed, then applied; applying reprojects the deadlines of the
//! dossiers in flight it concerns, with a progress bar (docs/calendar.md).

use anyhow::Context;
use chrono::NaiveDate;
use clap::Args;
use motcua_http::app::Principal;
use motcua_http::app::drafts::Refused;
use std::path::PathBuf;
use std::sync::Arc;

use crate::store_cmd::DatabaseArg;
use crate::{CliError, bad_input};

/// Whom the changes are recorded under.
const OPERATOR: &str = "motcua-cli";

/// `motcua calendar confirm`.
#[derive(Args)]
pub struct ConfirmArgs {
    /// The year.
    pub year: i32,
    /// The announcement the days come from (e.g. "Thông báo số 6150/TB-BNV ngày 02/11/2026").
    #[arg(long)]
    pub announced: String,
    /// A file of the year's national days, one a line: `2027-02-05; nghỉ; Tết Nguyên đán[;
    /// source]` (`nghỉ` or `làm bù`); `-` reads standard input. Without it, the days the
    /// calendar now has for the year are confirmed as they are.
    #[arg(long)]
    pub days: Option<PathBuf>,
    #[command(flatten)]
    pub db: DatabaseArg,
}

/// `motcua calendar set`.
#[derive(Args)]
pub struct SetArgs {
    /// The agency whose own calendar changes (it and the agencies below it); without it, the
    /// deployment's calendar.
    #[arg(long)]
    pub agency: Option<String>,
    /// The Monday-to-Friday working windows, e.g. `07:30-11:30,13:00-17:00`.
    #[arg(long)]
    pub windows: String,
    /// From this date on (YYYY-MM-DD); without it, for every date.
    #[arg(long)]
    pub from: Option<String>,
    #[command(flatten)]
    pub db: DatabaseArg,
}

/// `motcua calendar except`.
#[derive(Args)]
pub struct ExceptArgs {
    /// The agency whose own calendar changes; without it, the deployment's.
    #[arg(long)]
    pub agency: Option<String>,
    /// The date, YYYY-MM-DD.
    #[arg(long)]
    pub date: String,
    /// `off` (a day off) or `makeup` (a make-up working day).
    #[arg(long)]
    pub kind: String,
    /// Its name.
    #[arg(long)]
    pub name: String,
    /// The decision it comes from.
    #[arg(long)]
    pub source: String,
    #[command(flatten)]
    pub db: DatabaseArg,
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

fn refused(e: Refused) -> CliError {
    match e {
        Refused::Fields(problems) => bad_input(anyhow::anyhow!(
            "{}",
            problems
                .iter()
                .map(|p| format!("{}: {}", p.field, p.message))
                .collect::<Vec<_>>()
                .join("\n")
        )),
        Refused::App(e) => app_error(e),
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

fn pending_hint() {
    println!(
        "stored as pending: nothing changes until it is applied; `motcua calendar preview` shows what it would move, `motcua calendar apply` applies it"
    );
}

/// Confirms a year's national days against the announcement (pending).
pub fn confirm(a: ConfirmArgs) -> Result<(), CliError> {
    crate::store_cmd::runtime()?.block_on(async {
        let app = app(&a.db).await?;
        let p = Principal::operator(OPERATOR);
        let text = match &a.days {
            None => motcua_http::app::calendar::national_days_text(&app, a.year)
                .await
                .map_err(app_error)?,
            Some(path) if path.as_os_str() == "-" => {
                std::io::read_to_string(std::io::stdin()).map_err(bad_input)?
            }
            Some(path) => std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))
                .map_err(CliError::BadInput)?,
        };
        let diff = motcua_http::app::calendar::confirm(&app, &p, a.year, &a.announced, &text)
            .await
            .map_err(refused)?;
        println!(
            "{}: {} day(s) as the calendar had them, {} added, {} removed, {} changed",
            a.year,
            diff.same,
            diff.added.len(),
            diff.removed.len(),
            diff.changed.len()
        );
        for d in &diff.added {
            println!("  + {} {}", d.date, d.name);
        }
        for d in &diff.removed {
            println!("  - {} {}", d.date, d.name);
        }
        for (was, now) in &diff.changed {
            println!("  ~ {} {} → {}", was.date, was.name, now.name);
        }
        pending_hint();
        Ok(())
    })
}

/// Sets working windows, from a date or for every date (pending).
pub fn set(a: SetArgs) -> Result<(), CliError> {
    let from = a
        .from
        .as_deref()
        .map(|d| {
            NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .map_err(|_| bad_input(anyhow::anyhow!("`{d}` is not a date YYYY-MM-DD")))
        })
        .transpose()?;
    crate::store_cmd::runtime()?.block_on(async {
        let app = app(&a.db).await?;
        let p = Principal::operator(OPERATOR);
        motcua_http::app::calendar::set_windows(&app, &p, a.agency.as_deref(), &a.windows, from)
            .await
            .map_err(refused)?;
        pending_hint();
        Ok(())
    })
}

/// Adds a day off or a make-up working day with its source (pending).
pub fn except(a: ExceptArgs) -> Result<(), CliError> {
    let kind = match a.kind.as_str() {
        "off" => "nghi",
        "makeup" => "lam-bu",
        other => {
            return Err(bad_input(anyhow::anyhow!(
                "--kind is `off` or `makeup`, not `{other}`"
            )));
        }
    };
    crate::store_cmd::runtime()?.block_on(async {
        let app = app(&a.db).await?;
        let p = Principal::operator(OPERATOR);
        motcua_http::app::calendar::add_day(
            &app,
            &p,
            a.agency.as_deref(),
            &a.date,
            kind,
            &a.name,
            &a.source,
        )
        .await
        .map_err(refused)?;
        pending_hint();
        Ok(())
    })
}

/// Prints what applying the pending changes now would do.
pub fn preview(db: DatabaseArg, limit: usize) -> Result<(), CliError> {
    crate::store_cmd::runtime()?.block_on(async {
        let app = app(&db).await?;
        let p = Principal::operator(OPERATOR);
        let (change, agencies) = motcua_http::app::reprojection::preview(&app, &p, limit)
            .await
            .map_err(app_error)?;
        if change.calendars.is_empty() {
            println!("no calendar change is pending");
            return Ok(());
        }
        for (name, version, _) in &change.calendars {
            println!("pending: {name} version {version}");
        }
        for a in &agencies {
            println!(
                "{}: {} → {}; {} open dossier(s), {} with deadlines that would move",
                a.shift.agency, a.shift.before, a.shift.after, a.examined, a.moving
            );
            if a.moving > a.dossiers.len() as u64 {
                println!("  (the first {} listed)", a.dossiers.len());
            }
            for d in &a.dossiers {
                println!("  {} ({})", d.code.as_deref().unwrap_or(&d.id), d.applicant);
                for m in &d.moved {
                    println!(
                        "    {}: {} → {}",
                        m.deadline.label_vi(),
                        motcua_core::calendar::to_local_vi(m.before),
                        motcua_core::calendar::to_local_vi(m.after)
                    );
                }
                for b in &d.because {
                    println!("    vì {b}");
                }
            }
            for f in &a.feedback {
                println!(
                    "  feedback {} ({}): answer due {} → {}",
                    f.id,
                    f.subject,
                    motcua_core::calendar::to_local_vi(f.due.before),
                    motcua_core::calendar::to_local_vi(f.due.after)
                );
            }
        }
        Ok(())
    })
}

/// Reprojects what the changes applied concern, with a progress bar on a terminal.
async fn run_job(app: &motcua_http::AppState) -> Result<(), CliError> {
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {pos}/{len} dossiers reprojected or checked ({per_sec}, {eta} left)",
        )
        .map_err(|e| CliError::Failure(anyhow::anyhow!("{e}")))?,
    );
    let r = motcua_http::app::reprojection::run_pending(app, &|done, total| {
        bar.set_length(total);
        bar.set_position(done);
    })
    .await
    .map_err(app_error)?;
    bar.finish_and_clear();
    println!(
        "{} open dossier(s) read: {} moved (one event each), {} unchanged",
        r.examined, r.moved, r.unchanged
    );
    Ok(())
}

/// Applies the pending changes, then reprojects the dossiers in flight they concern.
pub fn apply(db: DatabaseArg) -> Result<(), CliError> {
    crate::store_cmd::runtime()?.block_on(async {
        let app = app(&db).await?;
        let p = Principal::operator(OPERATOR);
        let id = motcua_http::app::reprojection::apply(&app, &p)
            .await
            .map_err(app_error)?;
        println!("calendar change {id} applied: in force for new deadlines from now");
        run_job(&app).await
    })
}

/// Finishes the re-projection of changes applied (after a crash, or from a separate process).
pub fn reproject(db: DatabaseArg) -> Result<(), CliError> {
    crate::store_cmd::runtime()?.block_on(async {
        let app = app(&db).await?;
        run_job(&app).await
    })
}
