//! A change of calendar coming into force for a dossier in flight: which of its deadlines
//! move, from what to what and because of which days; decided like a command (nothing changes
//! on a refusal) and sealed into the chain like one.
//!
//! The deadlines a change can move are those still running: an online dossier's intake due,
//! the current and the original appointment (results are classified against the original one,
//! recomputed under the calendar in force), the current step's due, and the answer deadlines
//! of consultations not fully answered. Deadlines of steps already left, and everything of a
//! closed dossier, are history and never move. Each instant moves by
//! [`calendar::reproject`](crate::calendar::reproject): working time counted before the
//! change stays as counted, the working time still to run is kept.

use chrono::{DateTime, Utc};

use super::event::{Deadline, MovedDeadline};
use super::{Ctx, Dossier, Event, RecordedEvent, Rejection, State};
use crate::calendar::{CalendarError, WorkingCalendar, changed_days, date_of, reproject};

/// What a change of calendar does to one dossier, without changing it: the deadlines that
/// move and the days that make them move (the preview an administrator reads before
/// applying a change).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reprojection {
    /// The calendar version the dossier's deadlines were computed with.
    pub calendar_before: Option<String>,
    /// The version now in force.
    pub calendar_after: String,
    /// The instant the change counts from.
    pub effective_at: DateTime<Utc>,
    /// Each deadline that moves.
    pub moved: Vec<MovedDeadline>,
    /// The days that differ between the two calendars, from the change to the latest
    /// deadline concerned, one line each.
    pub because: Vec<String>,
}

fn failed(e: CalendarError) -> Rejection {
    Rejection::new(
        "calendar_error",
        "Không tính được thời hạn theo lịch làm việc.",
        format!("the working calendar cannot answer: {e}"),
    )
}

/// The deadlines of `dossier` that move when `ctx.calendar` (labelled with its version) comes
/// into force in place of `previous`, counted from `effective_at`. Refused for a closed
/// dossier and for a calendar without a version; an empty list when nothing moves.
pub fn preview(
    dossier: &Dossier,
    previous: &WorkingCalendar,
    ctx: &Ctx<'_>,
    effective_at: DateTime<Utc>,
) -> Result<Reprojection, Rejection> {
    if dossier.state.is_closed() {
        return Err(Rejection::new(
            "closed",
            "Hồ sơ đã kết thúc; thời hạn của hồ sơ không được tính lại.",
            format!(
                "the dossier is closed ({}); its deadlines are never reprojected",
                dossier.state
            ),
        ));
    }
    let after = ctx.calendar.version().ok_or_else(|| {
        Rejection::new(
            "calendar_error",
            "Lịch làm việc mới chưa có phiên bản.",
            "the calendar coming into force has no version label",
        )
    })?;
    let mut running: Vec<(Deadline, DateTime<Utc>)> = Vec::new();
    if dossier.state == State::Submitted
        && let Some(d) = dossier.intake_due
    {
        running.push((Deadline::IntakeDue, d));
    }
    if dossier.accepted_at.is_some() {
        if let Some(a) = dossier.clock.appointment {
            running.push((Deadline::Appointment, a));
        }
        if let Some(a) = dossier.clock.original_appointment {
            running.push((Deadline::OriginalAppointment, a));
        }
        if let Some(row) = dossier.slip.last().filter(|r| r.left_at.is_none()) {
            running.push((
                Deadline::StepDue {
                    step: row.step.clone(),
                },
                row.due,
            ));
        }
        for c in &dossier.consultations {
            if c.agencies.iter().any(|a| !c.answers.contains_key(a)) {
                running.push((
                    Deadline::ConsultationDeadline { id: c.id.clone() },
                    c.deadline,
                ));
            }
        }
    }
    let mut moved = Vec::new();
    let mut latest = effective_at;
    for (deadline, before) in running {
        if let Some(after) =
            reproject(previous, ctx.calendar, effective_at, before).map_err(failed)?
        {
            latest = latest.max(before).max(after);
            moved.push(MovedDeadline {
                deadline,
                before,
                after,
            });
        }
    }
    let because = if moved.is_empty() {
        Vec::new()
    } else {
        changed_days(
            previous,
            ctx.calendar,
            date_of(effective_at),
            date_of(latest),
        )
        .map_err(failed)?
        .iter()
        .map(|d| d.describe())
        .collect()
    };
    Ok(Reprojection {
        calendar_before: dossier.calendar_version.clone(),
        calendar_after: after.to_string(),
        effective_at,
        moved,
        because,
    })
}

/// Applies a change of calendar to a dossier in flight: appends one `deadlines reprojected`
/// event (and the notice to the applicant when the appointment moves) when any deadline
/// moves, and nothing otherwise. Idempotent: once the dossier's deadlines are under
/// `ctx.calendar`'s version, applying it again finds nothing to move.
pub fn apply_change(
    dossier: &mut Dossier,
    previous: &WorkingCalendar,
    ctx: &Ctx<'_>,
    effective_at: DateTime<Utc>,
) -> Result<Vec<RecordedEvent>, Rejection> {
    if dossier.calendar_version.as_deref() == ctx.calendar.version() {
        return Ok(Vec::new());
    }
    let r = preview(dossier, previous, ctx, effective_at)?;
    if r.moved.is_empty() {
        return Ok(Vec::new());
    }
    Ok(super::seal_all(
        dossier,
        vec![Event::DeadlinesReprojected {
            calendar_before: r.calendar_before,
            calendar_after: r.calendar_after,
            effective_at: r.effective_at,
            moved: r.moved,
            because: r.because,
        }],
        ctx,
    ))
}
