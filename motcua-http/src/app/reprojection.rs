//! Calendar changes and the deadlines of dossiers in flight (docs/calendar.md, "Calendar
//! changes and deadlines in flight"), on the application layer.
//!
//! Each agency's working calendar is the deployment's calendar with the layers of the agency
//! and of those above it, at the versions in force ([`super::config::CalendarParts`]); every
//! instant a command computes records that version. A change of any of those calendars is
//! first stored as pending and previewed: which agencies' calendars change, and which open
//! dossiers' deadlines would move, from what to what, because of which days. Applying it
//! brings the pending versions into force at one instant and records the change; then every
//! open dossier concerned is reprojected — by the job ([`run_pending`]: in `motcua serve`
//! under the scheduled jobs' lease, or `motcua calendar apply`), or by the first command that
//! reaches it, whichever comes first. Each dossier is reprojected in its own transaction or in
//! a batch with others, so that it is either before or after the change; reprojecting it again
//! changes nothing; closed dossiers are never touched.

use chrono::{DateTime, Utc};
use motcua_core::calendar::{CalendarSpec, DEFAULT_YEARS, Layer, WorkingCalendar, default_windows};
use motcua_core::dossier::reproject::preview as preview_one;
use motcua_core::dossier::{Actor, Ctx, Dossier, MovedDeadline};
use motcua_store::{
    CalendarChange, CalendarShift, FeedbackDue, ReprojectRequest, Reprojected, StoreError,
};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use super::config::{
    AGENCY_LAYER, CALENDAR, CONFIRMED_YEARS, CalendarParts, CalendarSet, Config, ConfirmedYear,
    holidays_with,
};
use super::{AppError, Code, Principal};
use crate::AppState;

/// The account the re-projection of dossiers is recorded under.
pub const SYSTEM_ACTOR: &str = "motcua-lich";

fn config_error(e: impl std::fmt::Display) -> AppError {
    AppError::from(StoreError::Config(e.to_string()))
}

/// The calendar of a stored calendar version (what a dossier's deadlines were computed with),
/// compiled from the stored versions it names; kept with the configuration reading.
pub async fn calendar_of_version(
    app: &AppState,
    config: &Config,
    version: &str,
) -> Result<Arc<WorkingCalendar>, AppError> {
    if let Some(c) = config.compiled(version) {
        return Ok(c);
    }
    let parts = CalendarParts::parse(version)
        .ok_or_else(|| config_error(format!("`{version}` is not a calendar version")))?;
    let mut spec: CalendarSpec = if parts.national == 0 {
        CalendarSpec::national(default_windows())
    } else {
        serde_json::from_str(&app.store.calendar_version(CALENDAR, parts.national).await?)
            .map_err(config_error)?
    };
    let confirmed: Vec<ConfirmedYear> = if parts.confirmed == 0 {
        Vec::new()
    } else {
        serde_json::from_str(
            &app.store
                .calendar_version(CONFIRMED_YEARS, parts.confirmed)
                .await?,
        )
        .map_err(config_error)?
    };
    let holidays = holidays_with(&confirmed)?;
    for (agency, v) in &parts.layers {
        let layer: Layer = serde_json::from_str(
            &app.store
                .calendar_version(&format!("{AGENCY_LAYER}{agency}"), *v)
                .await?,
        )
        .map_err(config_error)?;
        spec.layers.push(layer);
    }
    let compiled = Arc::new(
        WorkingCalendar::compile(&spec, &holidays, DEFAULT_YEARS)
            .map_err(config_error)?
            .with_version(version),
    );
    config.keep_compiled(version, compiled.clone());
    Ok(compiled)
}

/// The calendar version a dossier's deadlines were computed with: the one its events
/// record, or, for a dossier from before versions were recorded, the version its agency had
/// before the first change applied to it (the agency's current one when none was).
fn version_of(config: &Config, d: &Dossier) -> Option<String> {
    d.calendar_version.clone().or_else(|| {
        config
            .calendar_changes
            .iter()
            .flat_map(|c| &c.agencies)
            .find(|s| s.agency == d.agency.as_str())
            .map(|s| s.before.clone())
    })
}

/// The instant a dossier's calendar was replaced: the change that moved its agency off
/// `version`, else the latest change concerning the agency.
fn replaced_at(config: &Config, agency: &str, version: &str) -> Option<DateTime<Utc>> {
    config
        .calendar_changes
        .iter()
        .find(|c| {
            c.agencies
                .iter()
                .any(|s| s.agency == agency && s.before == version)
        })
        .or_else(|| {
            config
                .calendar_changes
                .iter()
                .rev()
                .find(|c| c.agencies.iter().any(|s| s.agency == agency))
        })
        .map(|c| c.effective_at)
}

/// A dossier's calendar now: the calendar in force for its agency, and, when its deadlines
/// were computed with another version, that calendar and the instant the change counts from.
pub struct DossierCalendar {
    /// The calendar in force for the dossier's agency.
    pub current: Arc<WorkingCalendar>,
    /// The calendar its deadlines were computed with, when it is another, and since when it
    /// was replaced.
    pub behind: Option<(Arc<WorkingCalendar>, DateTime<Utc>)>,
}

/// The calendar of a dossier (see [`DossierCalendar`]).
pub async fn calendar_of(
    app: &AppState,
    config: &Config,
    d: &Dossier,
) -> Result<DossierCalendar, AppError> {
    let current = config.calendar_for(&d.agency)?;
    let now_version = current.version().unwrap_or_default().to_string();
    let was = version_of(config, d).unwrap_or_else(|| now_version.clone());
    if d.state.is_closed() || was == now_version {
        return Ok(DossierCalendar {
            current,
            behind: None,
        });
    }
    let previous = calendar_of_version(app, config, &was).await?;
    let since = replaced_at(config, &d.agency, &was).unwrap_or_else(|| app.now());
    Ok(DossierCalendar {
        current,
        behind: Some((previous, since)),
    })
}

/// Brings a dossier's deadlines under its agency's calendar before a command runs on it, when
/// a change of calendar applied since has not reached it yet. Answers the dossier as it now
/// is, and its calendar.
pub async fn bring_up_to_date(
    app: &AppState,
    config: &Config,
    d: Dossier,
) -> Result<(Dossier, Arc<WorkingCalendar>), AppError> {
    let cal = calendar_of(app, config, &d).await?;
    let Some((previous, since)) = cal.behind else {
        return Ok((d, cal.current));
    };
    let system = Actor::system(SYSTEM_ACTOR);
    let done = app
        .store
        .reproject(
            std::slice::from_ref(&d.id),
            &ReprojectRequest {
                calendar: &cal.current,
                effective_at: since,
                actor: &system,
                now: app.now(),
            },
            &|_| Some(previous.clone()),
            &|code, version| config.version_of(code, version).cloned(),
        )
        .await?;
    if done.moved == 0 {
        return Ok((d, cal.current));
    }
    Ok((app.store.dossier(&d.id).await?, cal.current))
}

/// What the pending calendar versions would change, per agency.
#[derive(Clone, Debug, Default)]
pub struct PendingChange {
    /// The pending versions: (name, version, stored at).
    pub calendars: Vec<(String, i64, DateTime<Utc>)>,
    /// Each agency whose calendar changes, with its calendar version before and after.
    pub shifts: Vec<CalendarShift>,
}

/// The calendars in force with the pending versions laid over them, and what changes.
pub async fn pending(
    app: &AppState,
    config: &Config,
) -> Result<(CalendarSet, PendingChange), AppError> {
    let mut set = config.calendars.clone();
    let mut change = PendingChange::default();
    for (name, version, json, at) in app.store.pending_calendars().await? {
        if name == CALENDAR {
            set.national = (version, serde_json::from_str(&json).map_err(config_error)?);
        } else if name == CONFIRMED_YEARS {
            let years: Vec<ConfirmedYear> = serde_json::from_str(&json).map_err(config_error)?;
            set.confirmed = version;
            set.holidays = holidays_with(&years)?;
        } else if let Some(agency) = name.strip_prefix(AGENCY_LAYER) {
            let layer: Layer = serde_json::from_str(&json).map_err(config_error)?;
            set.layers.insert(agency.to_string(), (version, layer));
        } else {
            continue;
        }
        change.calendars.push((name, version, at));
    }
    for agency in config.directory.ids() {
        let before = config
            .calendars
            .parts(&config.directory, agency)
            .to_string();
        let after = set.parts(&config.directory, agency).to_string();
        if before != after {
            change.shifts.push(CalendarShift {
                agency: agency.to_string(),
                before,
                after,
            });
        }
    }
    Ok((set, change))
}

/// One open dossier whose deadlines a pending change would move.
#[derive(Clone, Debug)]
pub struct DossierMoves {
    /// The dossier.
    pub id: String,
    /// Its code, once accepted.
    pub code: Option<String>,
    /// The applicant's name.
    pub applicant: String,
    /// Each deadline that would move.
    pub moved: Vec<MovedDeadline>,
    /// The days that make them move.
    pub because: Vec<String>,
}

/// The preview of the pending change for one agency.
#[derive(Clone, Debug)]
pub struct AgencyPreview {
    /// The agency and its calendar version before and after.
    pub shift: CalendarShift,
    /// Open dossiers examined.
    pub examined: u64,
    /// Those whose deadlines would move (at most `limit` listed; `moving` counts them all).
    pub dossiers: Vec<DossierMoves>,
    /// How many would move.
    pub moving: u64,
    /// Unanswered feedback to the agency whose 3-working-day answer due would move (all).
    pub feedback: Vec<FeedbackMove>,
}

/// An unanswered feedback item whose answer due a pending change would move.
#[derive(Clone, Debug)]
pub struct FeedbackMove {
    /// The feedback.
    pub id: String,
    /// Its subject.
    pub subject: String,
    /// The due before and after.
    pub due: FeedbackDue,
}

/// The unanswered feedback of `agency` whose due moves from `old` to `new` for a change in
/// force from `now`. A due is counted from the feedback's arrival and carries no pause, so it
/// moves by the same rule as a dossier's deadline (`calendar::reproject`).
async fn feedback_moves(
    app: &AppState,
    agency: &str,
    old: &WorkingCalendar,
    new: &WorkingCalendar,
    now: DateTime<Utc>,
) -> Result<Vec<FeedbackMove>, AppError> {
    let mut out = Vec::new();
    for f in app.store.unanswered_feedback_to(agency).await? {
        let Ok(Some(after)) = motcua_core::calendar::reproject(old, new, now, f.due_at) else {
            continue;
        };
        out.push(FeedbackMove {
            id: f.id.clone(),
            subject: f.subject.clone(),
            due: FeedbackDue {
                id: f.id,
                before: f.due_at,
                after,
            },
        });
    }
    Ok(out)
}

/// What applying the pending change now would do: for each agency concerned, the open
/// dossiers whose deadlines would move. At most `limit` dossiers are listed per agency (all
/// are counted). Nothing is stored.
pub async fn preview(
    app: &AppState,
    p: &Principal,
    limit: usize,
) -> Result<(PendingChange, Vec<AgencyPreview>), AppError> {
    if !super::calendar::may_manage(p) {
        return Err(AppError::forbidden(
            "Chỉ quản trị hệ thống được xem trước thay đổi lịch làm việc.",
        ));
    }
    let config = app.config().await?;
    let (set, change) = pending(app, &config).await?;
    let now = app.now();
    let system = Actor::system(SYSTEM_ACTOR);
    let mut out = Vec::new();
    let mut previous: HashMap<String, Arc<WorkingCalendar>> = HashMap::new();
    for shift in &change.shifts {
        let after = Arc::new(
            set.compile(&config.directory, &shift.agency)
                .map_err(AppError::from)?,
        );
        let before = config.calendar_for(&shift.agency)?;
        let mut agency = AgencyPreview {
            shift: shift.clone(),
            examined: 0,
            dossiers: Vec::new(),
            moving: 0,
            feedback: feedback_moves(app, &shift.agency, &before, &after, now).await?,
        };
        let mut cursor = String::new();
        loop {
            let batch = app
                .store
                .open_dossiers_of(&shift.agency, &cursor, 500)
                .await?;
            let Some(last) = batch.last() else { break };
            cursor = last.id.clone();
            for d in batch {
                agency.examined += 1;
                let was = version_of(&config, &d).unwrap_or_else(|| shift.before.clone());
                let old = match previous.get(&was) {
                    Some(c) => c.clone(),
                    None => {
                        let c = calendar_of_version(app, &config, &was).await?;
                        previous.insert(was.clone(), c.clone());
                        c
                    }
                };
                let Some(procedure) = config.version_of(&d.procedure, &d.procedure_version) else {
                    continue;
                };
                let ctx = Ctx {
                    now,
                    actor: &system,
                    procedure,
                    calendar: &after,
                };
                let Ok(r) = preview_one(&d, &old, &ctx, now) else {
                    continue;
                };
                if r.moved.is_empty() {
                    continue;
                }
                agency.moving += 1;
                if agency.dossiers.len() < limit {
                    agency.dossiers.push(DossierMoves {
                        id: d.id.clone(),
                        code: d.code.as_ref().map(ToString::to_string),
                        applicant: d.applicant.name.clone(),
                        moved: r.moved,
                        because: r.because,
                    });
                }
            }
        }
        out.push(agency);
    }
    Ok((change, out))
}

/// Brings the pending calendar versions into force now and records the change; the open
/// dossiers concerned are then reprojected by [`run_pending`] (or by their next command).
/// Answers the change's number.
pub async fn apply(app: &AppState, p: &Principal) -> Result<i64, AppError> {
    if !super::calendar::may_manage(p) {
        return Err(AppError::forbidden(
            "Chỉ quản trị hệ thống được áp dụng thay đổi lịch làm việc.",
        ));
    }
    let config = app.config().await?;
    let (set, change) = pending(app, &config).await?;
    if change.calendars.is_empty() {
        return Err(AppError::new(Code::NoCalendarChange));
    }
    // Every agency's calendar must still compile with the change; the feedback dues that
    // move come into force with it.
    let now = app.now();
    let mut feedback = Vec::new();
    for shift in &change.shifts {
        let after = set
            .compile(&config.directory, &shift.agency)
            .map_err(AppError::from)?;
        let before = config.calendar_for(&shift.agency)?;
        for m in feedback_moves(app, &shift.agency, &before, &after, now).await? {
            feedback.push(m.due);
        }
    }
    let versions: Vec<(String, i64)> = change
        .calendars
        .iter()
        .map(|(n, v, _)| (n.clone(), *v))
        .collect();
    let id = app
        .store
        .apply_calendars(&versions, now, &p.user.id, &change.shifts, &feedback)
        .await?;
    app.config_changed().await?;
    Ok(id)
}

/// Drops the pending calendar versions: nothing was in force, nothing changes.
pub async fn discard(app: &AppState, p: &Principal) -> Result<usize, AppError> {
    if !super::calendar::may_manage(p) {
        return Err(AppError::forbidden(
            "Chỉ quản trị hệ thống được bỏ thay đổi lịch làm việc.",
        ));
    }
    let mut n = 0;
    for (name, ..) in app.store.pending_calendars().await? {
        if app.store.discard_pending_calendar(&name).await? {
            n += 1;
        }
    }
    app.config_changed().await?;
    Ok(n)
}

fn add(report: &mut Reprojected, r: &Reprojected) {
    report.examined += r.examined;
    report.moved += r.moved;
    report.unchanged += r.unchanged;
}

/// Reprojects, in batches, every open dossier that a change applied and not yet finished
/// concerns, then marks the change done. `progress(done, total)` is called after each batch.
/// Resumable: dossiers already under the new calendar are not read again.
pub async fn run_pending(
    app: &AppState,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<Reprojected, AppError> {
    let config = app.config().await?;
    let mut report = Reprojected::default();
    let unfinished: Vec<&CalendarChange> = config
        .calendar_changes
        .iter()
        .filter(|c| c.done_at.is_none())
        .collect();
    if unfinished.is_empty() {
        return Ok(report);
    }
    // Every agency a change concerns, at the version now in force for it.
    let mut agencies: BTreeMap<String, Arc<WorkingCalendar>> = BTreeMap::new();
    for c in &unfinished {
        for s in &c.agencies {
            if !agencies.contains_key(&s.agency) && config.directory.get(&s.agency).is_some() {
                agencies.insert(s.agency.clone(), config.calendar_for(&s.agency)?);
            }
        }
    }
    let mut total = 0;
    for (agency, cal) in &agencies {
        total += app
            .store
            .count_behind_calendar(agency, cal.version().unwrap_or_default())
            .await?;
    }
    let system = Actor::system(SYSTEM_ACTOR);
    let mut done = 0;
    progress(0, total);
    for (agency, cal) in &agencies {
        let version = cal.version().unwrap_or_default().to_string();
        let mut cursor = String::new();
        loop {
            let batch = app
                .store
                .dossiers_behind_calendar(agency, &version, &cursor, 200)
                .await?;
            let Some((last, _)) = batch.last() else { break };
            cursor = last.clone();
            // The calendars the batch's dossiers were computed with, compiled beforehand.
            let mut previous: HashMap<Option<String>, Arc<WorkingCalendar>> = HashMap::new();
            for (_, was) in &batch {
                if previous.contains_key(was) {
                    continue;
                }
                let version_text = was.clone().or_else(|| {
                    config
                        .calendar_changes
                        .iter()
                        .flat_map(|c| &c.agencies)
                        .find(|s| &s.agency == agency)
                        .map(|s| s.before.clone())
                });
                if let Some(v) = version_text {
                    previous.insert(was.clone(), calendar_of_version(app, &config, &v).await?);
                }
            }
            let since: HashMap<Option<String>, DateTime<Utc>> = previous
                .keys()
                .map(|was| {
                    let v = was.clone().unwrap_or_default();
                    (
                        was.clone(),
                        replaced_at(&config, agency, &v).unwrap_or_else(|| app.now()),
                    )
                })
                .collect();
            // Dossiers are written in groups that share the instant their calendar was replaced.
            let mut groups: BTreeMap<DateTime<Utc>, Vec<String>> = BTreeMap::new();
            for (id, was) in &batch {
                if let Some(at) = since.get(was) {
                    groups.entry(*at).or_default().push(id.clone());
                }
            }
            for (at, ids) in groups {
                let req = ReprojectRequest {
                    calendar: cal,
                    effective_at: at,
                    actor: &system,
                    now: app.now(),
                };
                let previous_of =
                    |was: Option<&str>| previous.get(&was.map(str::to_string)).cloned();
                let procedure_of =
                    |code: &str, version: &str| config.version_of(code, version).cloned();
                match app
                    .store
                    .reproject(&ids, &req, &previous_of, &procedure_of)
                    .await
                {
                    Ok(r) => add(&mut report, &r),
                    // A command changed one of them meanwhile (and brought it under the new
                    // calendar first, on its own path): the others, one at a time.
                    Err(StoreError::Conflict(_)) => {
                        for id in &ids {
                            match app
                                .store
                                .reproject(
                                    std::slice::from_ref(id),
                                    &req,
                                    &previous_of,
                                    &procedure_of,
                                )
                                .await
                            {
                                Ok(r) => add(&mut report, &r),
                                Err(StoreError::Conflict(what)) => {
                                    tracing::info!(%what, "re-projection met a concurrent command");
                                    report.unchanged += 1;
                                }
                                Err(e) => return Err(e.into()),
                            }
                        }
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            done += batch.len() as u64;
            progress(done.min(total), total);
        }
    }
    for c in unfinished {
        app.store.finish_calendar_change(c.id, app.now()).await?;
    }
    app.config_changed().await?;
    Ok(report)
}
