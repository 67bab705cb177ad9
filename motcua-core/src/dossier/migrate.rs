//! A dossier in flight migrated on purpose to a new version of its procedure (DOMAIN.md §3):
//! a new version applies to dossiers received after it is published, and an administrator may
//! move open dossiers to it, with an explicit mapping of the old version's steps to the new
//! one's. Decided like a command (a dry run changes nothing and says, for a dossier that
//! cannot be migrated, why), sealed into the chain like one.
//!
//! What changes: the version the dossier follows (and with it the workflow, the rules and the
//! rule pack its forms print with); its current step, by the mapping (a step the new version
//! still has maps to itself unless mapped elsewhere); the current step's due when the new
//! step's allowance differs; the appointment and the legal appointment when the new version's
//! time limit differs. A due moves by the difference of the allowances or limits, the time
//! already added to it (the applicant's waits) kept: `due(start, new) + (old due − due(start,
//! old))` in working time. Steps already left keep their rows on the control slip.

use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

use super::{Ctx, Dossier, Event, RecordedEvent, Rejection};
use crate::calendar::{CalendarError, Duration, WorkingCalendar};
use crate::procedure::Procedure;

/// What migrating one dossier would do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Migration {
    /// The version the dossier follows.
    pub from_version: String,
    /// The version it would follow.
    pub to_version: String,
    /// Its current step, and the step it maps to (`None` before acceptance).
    pub step: Option<(String, String)>,
    /// The current step's due, before and after (when it moves).
    pub step_due: Option<(DateTime<Utc>, DateTime<Utc>)>,
    /// The appointment, before and after (when it moves).
    pub appointment: Option<(DateTime<Utc>, DateTime<Utc>)>,
    /// The legal appointment, before and after (when it moves).
    pub original_appointment: Option<(DateTime<Utc>, DateTime<Utc>)>,
}

fn failed(e: CalendarError) -> Rejection {
    Rejection::new(
        "calendar_error",
        "Không tính được thời hạn theo lịch làm việc.",
        format!("the working calendar cannot answer: {e}"),
    )
}

/// `old_due` computed from `start` with `old`, moved to `new`: the working time already
/// added to it kept.
fn moved(
    cal: &WorkingCalendar,
    start: DateTime<Utc>,
    old: Duration,
    new: Duration,
    old_due: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, Rejection> {
    if old == new {
        return Ok(None);
    }
    let base_old = cal.due(start, old).map_err(failed)?;
    let added = cal.working_time(base_old, old_due).map_err(failed)?;
    let base_new = cal.due(start, new).map_err(failed)?;
    let after = if added.secs() > 0 {
        cal.add_working_time(base_new, added).map_err(failed)?
    } else {
        base_new
    };
    Ok((after != old_due).then_some(after))
}

/// What migrating `dossier` from `from` (the version it follows) to `ctx.procedure` with
/// `mapping` (old step → new step) would do. Refused, with the reason, for a closed dossier,
/// another procedure, a version that is not newer in the caller's eyes (the same one), and a
/// current step the new version does not have and the mapping does not map, or maps to a
/// step that does not exist.
pub fn preview(
    dossier: &Dossier,
    from: &Procedure,
    mapping: &BTreeMap<String, String>,
    ctx: &Ctx<'_>,
) -> Result<Migration, Rejection> {
    let to = ctx.procedure;
    if dossier.state.is_closed() {
        return Err(Rejection::new(
            "closed",
            "Hồ sơ đã kết thúc; không chuyển sang phiên bản khác.",
            format!("the dossier is closed ({})", dossier.state),
        ));
    }
    if dossier.procedure != to.catalogue.code
        || from.catalogue.code != to.catalogue.code
        || dossier.procedure_version != from.catalogue.version
    {
        return Err(Rejection::new(
            "wrong_procedure",
            "Hồ sơ không thuộc thủ tục này.",
            format!(
                "the dossier follows {} version {}, not {} version {}",
                dossier.procedure,
                dossier.procedure_version,
                from.catalogue.code,
                from.catalogue.version
            ),
        ));
    }
    if from.catalogue.version == to.catalogue.version {
        return Err(Rejection::new(
            "same_version",
            "Hồ sơ đã theo phiên bản này.",
            format!(
                "the dossier already follows version {}",
                to.catalogue.version
            ),
        ));
    }
    for (old, new) in mapping {
        if to.step(new).is_none() {
            return Err(Rejection::new(
                "unknown_step",
                format!(
                    "Phiên bản {} không có bước “{new}” (ánh xạ từ bước “{old}”).",
                    to.catalogue.version
                ),
                format!(
                    "version {} has no step `{new}` (mapped from `{old}`)",
                    to.catalogue.version
                ),
            ));
        }
    }
    let mut m = Migration {
        from_version: from.catalogue.version.to_string(),
        to_version: to.catalogue.version.to_string(),
        step: None,
        step_due: None,
        appointment: None,
        original_appointment: None,
    };
    if let Some(step) = dossier.step.as_deref() {
        let target = match mapping.get(step) {
            Some(t) => t.clone(),
            None if to.step(step).is_some() => step.to_string(),
            None => {
                return Err(Rejection::new(
                    "unmapped_step",
                    format!(
                        "Hồ sơ đang ở bước “{step}”, phiên bản {} không còn bước này; cần chỉ định bước tương ứng.",
                        to.catalogue.version
                    ),
                    format!(
                        "the dossier is at step `{step}`, which version {} does not have, and no mapping names it",
                        to.catalogue.version
                    ),
                ));
            }
        };
        if let (Some(old_step), Some(new_step), Some(row)) = (
            from.step(step),
            to.step(&target),
            dossier.slip.last().filter(|r| r.left_at.is_none()),
        ) && let Some(after) = moved(
            ctx.calendar,
            row.received_at,
            old_step.allowance,
            new_step.allowance,
            row.due,
        )? {
            m.step_due = Some((row.due, after));
        }
        m.step = Some((step.to_string(), target));
    }
    if let Some(start) = dossier.clock.counting_start {
        let (old, new) = (from.catalogue.time_limit, to.catalogue.time_limit);
        if let Some(a) = dossier.clock.appointment
            && let Some(after) = moved(ctx.calendar, start, old, new, a)?
        {
            m.appointment = Some((a, after));
        }
        if let Some(a) = dossier.clock.original_appointment
            && let Some(after) = moved(ctx.calendar, start, old, new, a)?
        {
            m.original_appointment = Some((a, after));
        }
    }
    Ok(m)
}

/// Migrates `dossier` to `ctx.procedure` (see [`preview`]): one `procedure-migrated` event
/// recording both versions, the mapping and what moved, and the applicant's notice when the
/// appointment moves.
pub fn migrate(
    dossier: &mut Dossier,
    from: &Procedure,
    mapping: &BTreeMap<String, String>,
    ctx: &Ctx<'_>,
) -> Result<Vec<RecordedEvent>, Rejection> {
    let m = preview(dossier, from, mapping, ctx)?;
    Ok(super::seal_all(
        dossier,
        vec![Event::ProcedureMigrated {
            from_version: m.from_version,
            to_version: m.to_version,
            mapping: mapping.clone(),
            step: m.step.map(|(_, to)| to),
            step_due: m.step_due.map(|(_, after)| after),
            appointment: m.appointment.map(|(_, after)| after),
            original_appointment: m.original_appointment.map(|(_, after)| after),
            calendar: ctx.calendar.version().map(str::to_string),
        }],
        ctx,
    ))
}
