//! `decide`: every command checked against actor, agency, state, step and the procedure's
//! rules, answered with events or a refusal that changes nothing. The checks shared by every
//! command are here; each lifecycle phase decides its own commands: `intake` (submit,
//! resubmit, return, refuse, accept), `processing` (the workflow), `clock` (supplements,
//! payments, extensions, apologies), `consult` (consultations, verifications) and
//! `closing` (withdrawal, stop, return of the result, rating).

use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::BTreeMap;

use super::code::DossierCode;
use super::{
    ActorKind, Channel, Command, ComponentFile, Ctx, Dossier, Event, Outcome, PostalDelivery,
    Rejection, State,
};
use crate::calendar::{CalendarError, Duration, Timeliness, WorkingTime, to_local_rfc3339};
use crate::procedure::{Action, Role, SupplementPolicy};
use crate::script::{Decision, Script};

mod clock;
mod closing;
mod consult;
mod intake;
mod processing;

/// States in which a dossier is being processed (with its clock running or paused).
const OPEN_PROCESSING: [State; 3] = [
    State::InProgress,
    State::AwaitingSupplement,
    State::AwaitingPayment,
];

/// A command sent to the wrong phase's decision (never, by the dispatch in [`decide`]).
fn wrong_phase(d: &Dossier, command: &Command) -> Decided {
    state_in(d, &[], command).map(|()| Vec::new())
}

type Decided = Result<Vec<Event>, Rejection>;

fn reject<T>(code: &str, vi: impl Into<String>, en: impl Into<String>) -> Result<T, Rejection> {
    Err(Rejection::new(code, vi, en))
}

fn calendar(e: CalendarError) -> Rejection {
    Rejection::new(
        "calendar_error",
        "Không tính được thời hạn theo lịch làm việc.",
        format!("the working calendar cannot answer: {e}"),
    )
}

fn state_in(d: &Dossier, allowed: &[State], command: &Command) -> Result<(), Rejection> {
    if allowed.contains(&d.state) {
        return Ok(());
    }
    reject(
        "wrong_state",
        format!(
            "Không thể thực hiện thao tác này khi hồ sơ ở trạng thái “{}”.",
            d.state.label_vi()
        ),
        format!(
            "`{}` is not allowed while the dossier is {}",
            command.name(),
            d.state
        ),
    )
}

fn staff_with(ctx: &Ctx<'_>, d: &Dossier, roles: &[Role]) -> Result<(), Rejection> {
    if matches!(ctx.actor.kind, ActorKind::System) {
        return Ok(());
    }
    if roles.iter().any(|r| ctx.actor.has_role(&d.agency, *r)) {
        return Ok(());
    }
    let names: Vec<&str> = roles.iter().map(|r| r.label_vi()).collect();
    let en: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
    reject(
        "forbidden",
        format!(
            "Chỉ {} của cơ quan tiếp nhận hồ sơ được thực hiện thao tác này.",
            names.join(" hoặc ")
        ),
        format!(
            "actor `{}` is not {} at agency {}",
            ctx.actor.id,
            en.join(" or "),
            d.agency
        ),
    )
}

/// The current step's role must act (the step allows it).
fn step_actor(ctx: &Ctx<'_>, d: &Dossier) -> Result<Role, Rejection> {
    let step = d
        .step
        .as_deref()
        .and_then(|s| ctx.procedure.step(s))
        .ok_or_else(|| {
            Rejection::new(
                "no_step",
                "Hồ sơ chưa ở bước xử lý nào.",
                "the dossier is at no workflow step",
            )
        })?;
    staff_with(ctx, d, &[step.role])?;
    Ok(step.role)
}

fn owner(ctx: &Ctx<'_>, d: &Dossier) -> Result<(), Rejection> {
    match (&ctx.actor.kind, &d.owner) {
        (ActorKind::System, _) => Ok(()),
        (ActorKind::Applicant, Some(o)) if *o == ctx.actor.id => Ok(()),
        _ => reject(
            "forbidden",
            "Chỉ người nộp hồ sơ được thực hiện thao tác này.",
            format!("actor `{}` does not own dossier {}", ctx.actor.id, d.id),
        ),
    }
}

fn applicant_or(ctx: &Ctx<'_>, d: &Dossier, roles: &[Role]) -> Result<(), Rejection> {
    if matches!(ctx.actor.kind, ActorKind::Applicant) {
        owner(ctx, d)
    } else {
        staff_with(ctx, d, roles)
    }
}

fn nonempty(text: &str, what_vi: &str, what_en: &str) -> Result<(), Rejection> {
    if text.trim().is_empty() {
        return reject(
            "missing_field",
            format!("Cần nêu {what_vi}."),
            format!("{what_en} must not be empty"),
        );
    }
    Ok(())
}

/// Every component named (in the list or by a file) must be one of the procedure's.
fn check_components<'a>(
    p: &crate::procedure::Procedure,
    names: impl IntoIterator<Item = &'a str>,
) -> Result<(), Rejection> {
    for name in names {
        if !p.components.iter().any(|c| c.name == name) {
            return reject(
                "unknown_component",
                format!("Thủ tục không có thành phần hồ sơ “{name}”."),
                format!("the procedure has no component `{name}`"),
            );
        }
    }
    Ok(())
}

/// Files must name their component and carry a SHA-256 (the store checks the bytes exist).
fn check_files(files: &[ComponentFile]) -> Result<(), Rejection> {
    if files.len() > 100 {
        return reject(
            "too_many_files",
            "Mỗi lần nộp tối đa 100 tệp.",
            "at most 100 files per command",
        );
    }
    for f in files {
        nonempty(
            &f.component,
            "tên thành phần hồ sơ của tệp",
            "a file's component",
        )?;
        let hex = f.attachment.sha256.len() == 64
            && f.attachment.sha256.bytes().all(|b| b.is_ascii_hexdigit());
        if !hex {
            return reject(
                "invalid_attachment",
                "Tệp đính kèm không hợp lệ.",
                "a file's sha256 must be 64 hex digits",
            );
        }
    }
    Ok(())
}

/// An online dossier must carry every required component (listed or with a file) and every
/// required form field; every missing one is named at once.
fn complete(
    p: &crate::procedure::Procedure,
    form: &BTreeMap<String, String>,
    components: &[String],
    files: &[ComponentFile],
) -> Result<(), Rejection> {
    let mut missing: Vec<String> = Vec::new();
    for f in p.form_fields.iter().filter(|f| f.required) {
        if form.get(&f.key).is_none_or(|v| v.trim().is_empty()) {
            missing.push(f.label.clone());
        }
    }
    for c in p.components.iter().filter(|c| c.required) {
        let given = components.contains(&c.name) || files.iter().any(|f| f.component == c.name);
        if !given {
            missing.push(c.name.clone());
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    let list: Vec<String> = missing.iter().map(|m| format!("– {m}")).collect();
    Err(Rejection::new(
        "incomplete",
        format!("Hồ sơ còn thiếu:\n{}", list.join("\n")),
        format!("the dossier lacks {}", missing.join("; ")),
    )
    .with_missing(missing))
}

/// What scripts see of a dossier.
#[derive(Serialize)]
struct View<'a> {
    id: &'a str,
    code: String,
    state: String,
    channel: Option<Channel>,
    step: Option<&'a str>,
    submitted_at: Option<String>,
    accepted_at: Option<String>,
    appointment: Option<String>,
    original_appointment: Option<String>,
    overdue: bool,
    supplement_rounds: u32,
    max_supplement_rounds: u32,
    extensions_used: u32,
    max_extensions: u32,
    form: &'a BTreeMap<String, String>,
}

fn view<'a>(d: &'a Dossier, ctx: &Ctx<'_>) -> View<'a> {
    let rfc = |t: Option<DateTime<Utc>>| t.map(to_local_rfc3339);
    View {
        id: &d.id,
        code: d.code.as_ref().map(ToString::to_string).unwrap_or_default(),
        state: d.state.to_string(),
        channel: d.channel,
        step: d.step.as_deref(),
        submitted_at: rfc(d.submitted_at),
        accepted_at: rfc(d.accepted_at),
        appointment: rfc(d.clock.appointment),
        original_appointment: rfc(d.clock.original_appointment),
        overdue: d.clock.appointment.is_some_and(|a| ctx.now > a),
        supplement_rounds: d.supplement_rounds,
        max_supplement_rounds: ctx.procedure.policy.max_supplement_rounds,
        extensions_used: d.extensions_used,
        max_extensions: ctx.procedure.policy.max_extensions,
        form: &d.form,
    }
}

fn run(
    script: &Script,
    d: &Dossier,
    request: &impl Serialize,
    ctx: &Ctx<'_>,
    what: &str,
) -> Result<Decision, Rejection> {
    let decision = script
        .run(&view(d, ctx), request, ctx.now, ctx.calendar)
        .map_err(|e| {
            Rejection::new(
                "script_failed",
                "Quy tắc của thủ tục không thực hiện được; hồ sơ không thay đổi.",
                format!("the {what} script failed: {e}"),
            )
        })?;
    if !decision.allow {
        let reason = if decision.reason.is_empty() {
            "Quy tắc của thủ tục không cho phép thao tác này.".to_string()
        } else {
            decision.reason.clone()
        };
        return reject(
            "denied_by_rule",
            reason.clone(),
            format!("the {what} rule refused: {reason}"),
        );
    }
    Ok(decision)
}

fn script_instant(decision: &Decision, what: &str) -> Result<DateTime<Utc>, Rejection> {
    let text = decision.appointment.as_deref().ok_or_else(|| {
        Rejection::new(
            "script_failed",
            "Quy tắc của thủ tục không trả về ngày hẹn mới.",
            format!("the {what} script returned no appointment"),
        )
    })?;
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.to_utc())
        .map_err(|_| {
            Rejection::new(
                "script_failed",
                "Quy tắc của thủ tục trả về ngày hẹn không hợp lệ.",
                format!("the {what} script returned `{text}`, not an RFC 3339 instant"),
            )
        })
}

fn extras(decision: Decision) -> Vec<Event> {
    let mut out: Vec<Event> = decision
        .notify
        .into_iter()
        .map(|n| Event::Notified { notification: n })
        .collect();
    if let Some(flag) = decision.flag {
        out.push(Event::Flagged { flag });
    }
    out
}

/// The version of the calendar instants are computed with, recorded with them.
fn version(ctx: &Ctx<'_>) -> Option<String> {
    ctx.calendar.version().map(str::to_string)
}

fn intake(d: &Dossier, now: DateTime<Utc>) -> Option<Timeliness> {
    d.intake_due.map(|due| Timeliness::classify(now, due))
}

fn current_row_due(d: &Dossier) -> Option<DateTime<Utc>> {
    d.slip.last().map(|r| r.due)
}

/// Shifts an instant by the working time the dossier waited.
fn shift(ctx: &Ctx<'_>, t: DateTime<Utc>, waited: WorkingTime) -> Result<DateTime<Utc>, Rejection> {
    ctx.calendar.add_working_time(t, waited).map_err(calendar)
}

pub(super) fn decide(d: &Dossier, command: &Command, ctx: &Ctx<'_>) -> Decided {
    let reopens =
        d.state == State::ReturnedForCompletion && matches!(command, Command::Resubmit { .. });
    if d.state.is_closed() && !matches!(command, Command::Rate { .. }) && !reopens {
        return reject(
            "closed",
            "Hồ sơ đã kết thúc; chỉ có thể đánh giá.",
            format!(
                "the dossier is closed ({}); only a rating is accepted",
                d.state
            ),
        );
    }
    match command {
        Command::Submit { .. }
        | Command::Resubmit { .. }
        | Command::ReturnForCompletion { .. }
        | Command::Refuse { .. }
        | Command::Accept { .. } => intake::decide(d, command, ctx),
        Command::Forward { .. }
        | Command::SendBack { .. }
        | Command::Approve { .. }
        | Command::Assign { .. }
        | Command::AttachDraft { .. }
        | Command::AttachSignedResult { .. }
        | Command::MarkFinished { .. } => processing::decide(d, command, ctx),
        Command::RequestSupplement { .. }
        | Command::ReceiveSupplement { .. }
        | Command::RequestPayment { .. }
        | Command::RecordPayment
        | Command::RequestExtension { .. }
        | Command::GrantExtension
        | Command::Apologise { .. } => clock::decide(d, command, ctx),
        Command::OpenConsultation { .. }
        | Command::AnswerConsultation { .. }
        | Command::ScheduleVerification { .. } => consult::decide(d, command, ctx),
        Command::RequestWithdrawal { .. }
        | Command::ConfirmWithdrawal
        | Command::RequestPostalDelivery { .. }
        | Command::Stop { .. }
        | Command::ReturnResult
        | Command::Rate { .. } => closing::decide(d, command, ctx),
    }
}
