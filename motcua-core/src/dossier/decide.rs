//! `decide`: every command checked against actor, agency, state, step and the procedure's
//! rules, answered with events or a refusal that changes nothing.

use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::BTreeMap;

use super::code::{AgencyId, DossierCode};
use super::{
    ActorKind, Channel, Command, ComponentFile, Ctx, Dossier, Event, Outcome, Rejection, State,
};
use crate::calendar::{CalendarError, Duration, Timeliness, WorkingTime, to_local_rfc3339};
use crate::procedure::{Action, Role, SupplementPolicy};
use crate::script::{Decision, Script};

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
    let p = ctx.procedure;
    let now = ctx.now;
    let open_processing = [
        State::InProgress,
        State::AwaitingSupplement,
        State::AwaitingPayment,
    ];
    match command {
        Command::Submit {
            channel,
            applicant,
            owner,
            form,
            components,
            files,
        } => {
            state_in(d, &[State::New], command)?;
            check_files(files)?;
            check_components(
                p,
                components
                    .iter()
                    .map(String::as_str)
                    .chain(files.iter().map(|f| f.component.as_str())),
            )?;
            nonempty(
                &applicant.name,
                "họ tên người nộp hồ sơ",
                "the applicant's name",
            )?;
            // The channel rule: applicants submit online; a reception officer registers
            // what came to the desk or by post (the one place it is decided).
            let owner = match (&ctx.actor.kind, channel) {
                (ActorKind::Applicant, Channel::Online) => Some(ctx.actor.id.clone()),
                (ActorKind::Applicant, _) => {
                    return reject(
                        "invalid_channel",
                        "Người nộp chỉ nộp trực tuyến; hồ sơ trực tiếp hoặc qua bưu chính do cán bộ tiếp nhận đăng ký.",
                        "applicants submit online; desk and post dossiers are registered by a reception officer",
                    );
                }
                (ActorKind::Staff { .. }, Channel::Online) => {
                    return reject(
                        "invalid_channel",
                        "Cán bộ đăng ký hồ sơ nhận trực tiếp hoặc qua bưu chính; hồ sơ trực tuyến do người nộp gửi.",
                        "staff register desk and post dossiers; online dossiers are sent by their applicants",
                    );
                }
                _ => {
                    staff_with(ctx, d, &[Role::ReceptionOfficer])?;
                    owner.clone()
                }
            };
            if *channel == Channel::Online {
                complete(p, form, components, files)?;
            }
            let intake_due = if *channel == Channel::Online {
                Some(
                    ctx.calendar
                        .due(now, p.policy.intake_limit)
                        .map_err(calendar)?,
                )
            } else {
                None
            };
            Ok(vec![Event::Submitted {
                procedure: p.catalogue.code.clone(),
                version: p.catalogue.version.clone(),
                agency: d.agency.clone(),
                channel: *channel,
                applicant: applicant.clone(),
                owner,
                form: form.clone(),
                components: components.clone(),
                files: files.clone(),
                intake_due,
            }])
        }
        Command::Resubmit {
            form,
            components,
            files,
        } => {
            state_in(d, &[State::ReturnedForCompletion], command)?;
            owner(ctx, d)?;
            if d.channel != Some(Channel::Online) {
                return reject(
                    "invalid_channel",
                    "Chỉ hồ sơ nộp trực tuyến được người nộp hoàn thiện và gửi lại; hồ sơ giấy nộp lại tại bộ phận một cửa.",
                    "only an online dossier can be completed and sent again by its applicant",
                );
            }
            check_files(files)?;
            let names: Vec<&str> = components
                .iter()
                .map(String::as_str)
                .chain(files.iter().map(|f| f.component.as_str()))
                .collect();
            check_components(p, names.iter().copied())?;
            // What was sent before counts: the applicant completes, not starts again.
            let mut all_form = d.form.clone();
            all_form.extend(form.iter().map(|(k, v)| (k.clone(), v.clone())));
            let mut all_components = d.components.clone();
            for c in components {
                if !all_components.contains(c) {
                    all_components.push(c.clone());
                }
            }
            let mut all_files = d.files.clone();
            all_files.extend(files.iter().cloned());
            complete(p, &all_form, &all_components, &all_files)?;
            let intake_due = ctx
                .calendar
                .due(now, p.policy.intake_limit)
                .map_err(calendar)?;
            Ok(vec![Event::Resubmitted {
                form: all_form,
                components: all_components,
                files: files.clone(),
                intake_due,
            }])
        }
        Command::ReturnForCompletion { missing, note } => {
            state_in(d, &[State::Submitted], command)?;
            staff_with(ctx, d, &[Role::ReceptionOfficer])?;
            if missing.is_empty() {
                return reject(
                    "missing_field",
                    "Cần nêu các thành phần hồ sơ còn thiếu.",
                    "list what is missing",
                );
            }
            Ok(vec![Event::ReturnedForCompletion {
                missing: missing.clone(),
                note: note.clone(),
                intake: intake(d, now),
            }])
        }
        Command::Refuse { reason } => {
            state_in(d, &[State::Submitted], command)?;
            staff_with(ctx, d, &[Role::ReceptionOfficer])?;
            nonempty(reason, "lý do từ chối", "the reason")?;
            Ok(vec![Event::Refused {
                reason: reason.clone(),
                intake: intake(d, now),
            }])
        }
        Command::Accept { sequence } => {
            state_in(d, &[State::Submitted], command)?;
            staff_with(ctx, d, &[Role::ReceptionOfficer])?;
            let agency = AgencyId::parse(&d.agency).map_err(|e| {
                Rejection::new("invalid_agency", "Mã cơ quan không hợp lệ.", e.to_string())
            })?;
            let local_date = now
                .with_timezone(&crate::calendar::vn_offset())
                .date_naive();
            let code = DossierCode::new(agency, local_date, *sequence).map_err(|e| {
                Rejection::new(
                    "invalid_sequence",
                    "Số thứ tự hồ sơ không hợp lệ.",
                    e.to_string(),
                )
            })?;
            let cutoff = match d.channel {
                Some(Channel::Online) => None,
                _ => p.policy.cutoff,
            };
            let start = ctx.calendar.counting_start(now, cutoff).map_err(calendar)?;
            let appointment = if p.catalogue.immediate {
                // "Trả kết quả ngay trong ngày": due at the close of the counting day.
                ctx.calendar.close_of_day(start).map_err(calendar)?
            } else {
                ctx.calendar
                    .due(start, p.catalogue.time_limit)
                    .map_err(calendar)?
            };
            let first = p.start();
            let step_due = ctx.calendar.due(start, first.allowance).map_err(calendar)?;
            Ok(vec![Event::Accepted {
                code,
                counting_start: start,
                appointment,
                step: first.id.clone(),
                step_due,
                intake: intake(d, now),
            }])
        }
        Command::Forward { to, assignee } => {
            move_step(d, command, ctx, to, Action::Forward, None, assignee.clone())
        }
        Command::SendBack { to, instructions } => {
            nonempty(instructions, "hướng dẫn xử lý lại", "the instructions")?;
            move_step(
                d,
                command,
                ctx,
                to,
                Action::SendBack,
                Some(instructions.clone()),
                None,
            )
        }
        Command::Approve { to } => move_step(d, command, ctx, to, Action::Approve, None, None),
        Command::Assign { officer } => {
            state_in(d, &[State::InProgress], command)?;
            nonempty(officer, "cán bộ được phân công", "the officer")?;
            let role = d.step.as_deref().and_then(|s| p.step(s)).map(|s| s.role);
            let mut allowed = vec![Role::DepartmentHead];
            allowed.extend(role);
            staff_with(ctx, d, &allowed)?;
            Ok(vec![Event::Assigned {
                officer: officer.clone(),
            }])
        }
        Command::AttachDraft { attachment } => {
            state_in(d, &[State::InProgress], command)?;
            step_actor(ctx, d)?;
            Ok(vec![Event::DraftAttached {
                attachment: attachment.clone(),
            }])
        }
        Command::AttachSignedResult { attachment } => {
            state_in(d, &[State::InProgress], command)?;
            staff_with(ctx, d, &[Role::Clerk])?;
            Ok(vec![Event::SignedResultAttached {
                attachment: attachment.clone(),
            }])
        }
        Command::RequestSupplement {
            reason,
            items,
            applicant_fault,
        } => {
            state_in(d, &[State::InProgress], command)?;
            let step_role = d.step.as_deref().and_then(|s| p.step(s)).map(|s| s.role);
            let mut allowed = vec![Role::ReceptionOfficer];
            allowed.extend(step_role);
            staff_with(ctx, d, &allowed)?;
            nonempty(reason, "lý do yêu cầu bổ sung", "the reason")?;
            if items.is_empty() {
                return reject(
                    "missing_field",
                    "Cần nêu các nội dung cần bổ sung.",
                    "list the items to supplement",
                );
            }
            #[derive(Serialize)]
            struct Req<'a> {
                reason: &'a str,
                items: &'a [String],
                applicant_fault: bool,
            }
            let decision = run(
                &p.rules.supplement,
                d,
                &Req {
                    reason,
                    items,
                    applicant_fault: *applicant_fault,
                },
                ctx,
                "supplement",
            )?;
            let mut events = vec![Event::SupplementRequested {
                reason: reason.clone(),
                items: items.clone(),
                round: d.supplement_rounds + 1,
            }];
            events.extend(extras(decision));
            Ok(events)
        }
        Command::ReceiveSupplement { items, files } => {
            state_in(d, &[State::AwaitingSupplement], command)?;
            applicant_or(ctx, d, &[Role::ReceptionOfficer])?;
            check_files(files)?;
            check_components(p, files.iter().map(|f| f.component.as_str()))?;
            let (since, _) = d.clock.paused.ok_or_else(|| {
                Rejection::new(
                    "wrong_state",
                    "Hồ sơ không chờ bổ sung.",
                    "the clock is not paused",
                )
            })?;
            let waited = ctx.calendar.working_time(since, now).map_err(calendar)?;
            let (appointment, original, step_due) = match p.policy.supplement {
                SupplementPolicy::Restart => {
                    let start = ctx
                        .calendar
                        .counting_start(now, p.policy.cutoff)
                        .map_err(calendar)?;
                    let a = ctx
                        .calendar
                        .due(start, p.catalogue.time_limit)
                        .map_err(calendar)?;
                    let step = d
                        .step
                        .as_deref()
                        .and_then(|s| p.step(s))
                        .map(|s| s.allowance);
                    let sd = ctx
                        .calendar
                        .due(start, step.unwrap_or(Duration::working_hours(0)))
                        .map_err(calendar)?;
                    (a, a, sd)
                }
                SupplementPolicy::Pause => {
                    let cur = d.clock.appointment.unwrap_or(now);
                    let orig = d.clock.original_appointment.unwrap_or(cur);
                    let sd = current_row_due(d).unwrap_or(now);
                    (
                        shift(ctx, cur, waited)?,
                        shift(ctx, orig, waited)?,
                        shift(ctx, sd, waited)?,
                    )
                }
            };
            Ok(vec![Event::SupplementReceived {
                items: items.clone(),
                files: files.clone(),
                policy: p.policy.supplement,
                waited,
                appointment,
                original_appointment: original,
                step_due,
            }])
        }
        Command::OpenConsultation {
            id,
            agencies,
            content,
            deadline,
        } => {
            state_in(d, &[State::InProgress], command)?;
            step_actor(ctx, d)?;
            nonempty(id, "mã lấy ý kiến", "the consultation id")?;
            nonempty(content, "nội dung lấy ý kiến", "the content")?;
            if agencies.is_empty() {
                return reject(
                    "missing_field",
                    "Cần nêu các cơ quan được lấy ý kiến.",
                    "list the agencies consulted",
                );
            }
            if d.consultations.iter().any(|c| &c.id == id) {
                return reject(
                    "duplicate",
                    "Mã lấy ý kiến đã tồn tại.",
                    format!("consultation `{id}` already exists"),
                );
            }
            if *deadline <= now {
                return reject(
                    "invalid_deadline",
                    "Hạn trả lời phải sau thời điểm hiện tại.",
                    "the deadline must be in the future",
                );
            }
            Ok(vec![Event::ConsultationOpened {
                id: id.clone(),
                agencies: agencies.clone(),
                content: content.clone(),
                deadline: *deadline,
            }])
        }
        Command::AnswerConsultation { id, agency, answer } => {
            state_in(d, &open_processing, command)?;
            staff_with(
                ctx,
                d,
                &[
                    Role::Specialist,
                    Role::DepartmentHead,
                    Role::ReceptionOfficer,
                    Role::Clerk,
                ],
            )?;
            let Some(c) = d.consultations.iter().find(|c| &c.id == id) else {
                return reject(
                    "unknown_consultation",
                    "Không có đợt lấy ý kiến này.",
                    format!("no consultation `{id}`"),
                );
            };
            if !c.agencies.contains(agency) {
                return reject(
                    "unknown_consultation",
                    "Cơ quan này không được lấy ý kiến.",
                    format!("`{agency}` was not consulted in `{id}`"),
                );
            }
            if c.answers.contains_key(agency) {
                return reject(
                    "duplicate",
                    "Cơ quan đã trả lời.",
                    format!("`{agency}` already answered `{id}`"),
                );
            }
            nonempty(answer, "nội dung trả lời", "the answer")?;
            Ok(vec![Event::ConsultationAnswered {
                id: id.clone(),
                agency: agency.clone(),
                answer: answer.clone(),
                late: now > c.deadline,
            }])
        }
        Command::ScheduleVerification {
            time,
            place,
            participants,
            content,
        } => {
            state_in(d, &[State::InProgress], command)?;
            step_actor(ctx, d)?;
            nonempty(place, "địa điểm xác minh", "the place")?;
            nonempty(content, "nội dung xác minh", "the content")?;
            if participants.is_empty() {
                return reject(
                    "missing_field",
                    "Cần nêu thành phần tham gia.",
                    "list the participants",
                );
            }
            Ok(vec![Event::VerificationScheduled {
                time: *time,
                place: place.clone(),
                participants: participants.clone(),
                content: content.clone(),
            }])
        }
        Command::RequestExtension {
            reason,
            extra,
            new_appointment,
        } => {
            state_in(d, &[State::InProgress], command)?;
            step_actor(ctx, d)?;
            nonempty(reason, "lý do gia hạn", "the reason")?;
            if d.pending_extension.is_some() {
                return reject(
                    "duplicate",
                    "Đã có đề nghị gia hạn đang chờ duyệt.",
                    "an extension request is already pending",
                );
            }
            if let Some(e) = extra {
                e.parse::<Duration>().map_err(|err| {
                    Rejection::new(
                        "invalid_duration",
                        "Thời gian gia hạn không hợp lệ.",
                        err.to_string(),
                    )
                })?;
            }
            if extra.is_none() == new_appointment.is_none() {
                return reject(
                    "missing_field",
                    "Cần nêu hoặc thời gian gia hạn, hoặc ngày hẹn mới (một trong hai).",
                    "give either `extra` or `new_appointment`, not both or neither",
                );
            }
            Ok(vec![Event::ExtensionRequested {
                reason: reason.clone(),
                extra: extra.clone(),
                new_appointment: *new_appointment,
            }])
        }
        Command::GrantExtension => {
            state_in(d, &[State::InProgress], command)?;
            staff_with(ctx, d, &[Role::AgencyLeader, Role::Supervisor])?;
            let Some((reason, extra, new_appointment)) = &d.pending_extension else {
                return reject(
                    "nothing_pending",
                    "Không có đề nghị gia hạn nào đang chờ.",
                    "no extension request is pending",
                );
            };
            #[derive(Serialize)]
            struct Req<'a> {
                reason: &'a str,
                approver: &'a str,
                extra: Option<&'a str>,
                new_appointment: Option<String>,
            }
            let decision = run(
                &p.rules.extension,
                d,
                &Req {
                    reason,
                    approver: &ctx.actor.id,
                    extra: extra.as_deref(),
                    new_appointment: new_appointment.map(to_local_rfc3339),
                },
                ctx,
                "extension",
            )?;
            let appointment = script_instant(&decision, "extension")?;
            let before = d.clock.appointment.unwrap_or(now);
            let mut events = vec![Event::ExtensionGranted {
                approver: ctx.actor.id.clone(),
                before,
                appointment,
            }];
            events.extend(extras(decision));
            Ok(events)
        }
        Command::Apologise {
            reason,
            new_appointment,
        } => {
            state_in(d, &[State::InProgress, State::Finished], command)?;
            staff_with(ctx, d, &[Role::ReceptionOfficer, Role::AgencyLeader])?;
            nonempty(reason, "lý do chậm trễ", "the reason for the delay")?;
            #[derive(Serialize)]
            struct Req<'a> {
                reason: &'a str,
                new_appointment: String,
            }
            let decision = run(
                &p.rules.apology,
                d,
                &Req {
                    reason,
                    new_appointment: to_local_rfc3339(*new_appointment),
                },
                ctx,
                "apology",
            )?;
            let appointment = script_instant(&decision, "apology")?;
            let mut events = vec![Event::Apologised {
                reason: reason.clone(),
                before: d.clock.appointment.unwrap_or(now),
                appointment,
            }];
            events.extend(extras(decision));
            Ok(events)
        }
        Command::RequestPayment { amount_vnd, reason } => {
            state_in(d, &[State::InProgress], command)?;
            let step_role = d.step.as_deref().and_then(|s| p.step(s)).map(|s| s.role);
            let mut allowed = vec![Role::ReceptionOfficer];
            allowed.extend(step_role);
            staff_with(ctx, d, &allowed)?;
            nonempty(reason, "nghĩa vụ tài chính cần thực hiện", "the reason")?;
            if *amount_vnd == 0 {
                return reject(
                    "invalid_amount",
                    "Số tiền phải lớn hơn 0.",
                    "the amount must be positive",
                );
            }
            Ok(vec![Event::PaymentRequested {
                amount_vnd: *amount_vnd,
                reason: reason.clone(),
            }])
        }
        Command::RecordPayment => {
            state_in(d, &[State::AwaitingPayment], command)?;
            staff_with(ctx, d, &[Role::ReceptionOfficer])?;
            let (since, _) = d.clock.paused.ok_or_else(|| {
                Rejection::new(
                    "wrong_state",
                    "Hồ sơ không chờ nộp tiền.",
                    "the clock is not paused",
                )
            })?;
            let waited = ctx.calendar.working_time(since, now).map_err(calendar)?;
            let cur = d.clock.appointment.unwrap_or(now);
            let orig = d.clock.original_appointment.unwrap_or(cur);
            let sd = current_row_due(d).unwrap_or(now);
            Ok(vec![Event::PaymentRecorded {
                amount_vnd: d.payment_due.unwrap_or(0),
                waited,
                appointment: shift(ctx, cur, waited)?,
                original_appointment: shift(ctx, orig, waited)?,
                step_due: shift(ctx, sd, waited)?,
            }])
        }
        Command::RequestWithdrawal { reason } => {
            state_in(
                d,
                &[
                    State::Submitted,
                    State::InProgress,
                    State::AwaitingSupplement,
                    State::AwaitingPayment,
                    State::Finished,
                ],
                command,
            )?;
            owner(ctx, d)?;
            if d.withdrawal_requested.is_some() {
                return reject(
                    "duplicate",
                    "Đã có yêu cầu rút hồ sơ.",
                    "a withdrawal is already requested",
                );
            }
            Ok(vec![Event::WithdrawalRequested {
                reason: reason.clone(),
            }])
        }
        Command::ConfirmWithdrawal => {
            staff_with(ctx, d, &[Role::ReceptionOfficer])?;
            if d.withdrawal_requested.is_none() {
                return reject(
                    "nothing_pending",
                    "Người nộp chưa yêu cầu rút hồ sơ.",
                    "no withdrawal was requested",
                );
            }
            Ok(vec![Event::Withdrawn])
        }
        Command::Stop { reason } => {
            state_in(
                d,
                &[
                    State::Submitted,
                    State::InProgress,
                    State::AwaitingSupplement,
                    State::AwaitingPayment,
                ],
                command,
            )?;
            staff_with(ctx, d, &[Role::AgencyLeader])?;
            nonempty(reason, "lý do dừng xử lý", "the reason")?;
            Ok(vec![Event::Stopped {
                reason: reason.clone(),
            }])
        }
        Command::MarkFinished { outcome } => {
            state_in(d, &[State::InProgress], command)?;
            step_actor(ctx, d)?;
            let step = d.step.as_deref().and_then(|s| p.step(s));
            if !step.is_some_and(|s| s.end) {
                return reject(
                    "not_an_end_step",
                    "Chỉ kết thúc xử lý ở bước cuối của quy trình.",
                    format!(
                        "step `{}` is not an end step",
                        d.step.as_deref().unwrap_or("")
                    ),
                );
            }
            match outcome {
                Outcome::Granted if d.signed_result.is_none() && !p.catalogue.immediate => {
                    return reject(
                        "missing_result",
                        "Chưa có kết quả đã ký số; văn thư cần đính kèm kết quả trước khi kết thúc.",
                        "a granted outcome needs the signed result attached first",
                    );
                }
                Outcome::Rejected { reason } => {
                    nonempty(reason, "lý do không giải quyết", "the rejection reason")?
                }
                Outcome::Granted => {}
            }
            let result = Timeliness::classify(now, current_row_due(d).unwrap_or(now));
            Ok(vec![Event::ProcessingFinished {
                outcome: outcome.clone(),
                result,
            }])
        }
        Command::ReturnResult => {
            state_in(d, &[State::Finished], command)?;
            staff_with(ctx, d, &[Role::ReceptionOfficer])?;
            let original = d.clock.original_appointment.unwrap_or(now);
            Ok(vec![Event::ResultReturned {
                timeliness: Timeliness::classify(now, original),
            }])
        }
        Command::Rate { score, comment } => {
            if !d.state.is_closed() {
                return reject(
                    "wrong_state",
                    "Chỉ đánh giá khi hồ sơ đã kết thúc.",
                    "only a closed dossier can be rated",
                );
            }
            owner(ctx, d)?;
            if d.rating.is_some() {
                return reject(
                    "duplicate",
                    "Hồ sơ đã được đánh giá.",
                    "the dossier was already rated",
                );
            }
            if !(1..=5).contains(score) {
                return reject(
                    "invalid_score",
                    "Mức đánh giá từ 1 đến 5.",
                    "the score must be 1 to 5",
                );
            }
            Ok(vec![Event::Rated {
                score: *score,
                comment: comment.clone(),
            }])
        }
    }
}

fn move_step(
    d: &Dossier,
    command: &Command,
    ctx: &Ctx<'_>,
    to: &str,
    action: Action,
    instructions: Option<String>,
    assignee: Option<String>,
) -> Decided {
    state_in(d, &[State::InProgress], command)?;
    let role = step_actor(ctx, d)?;
    let from = d.step.as_deref().unwrap_or_default();
    let p = ctx.procedure;
    let Some(transition) = p.transition(from, to, action) else {
        let allowed: Vec<String> = p
            .transitions
            .iter()
            .filter(|t| t.from == from)
            .map(|t| format!("{} → {}", t.action.as_str(), t.to))
            .collect();
        return reject(
            "no_such_transition",
            format!(
                "Quy trình không cho phép chuyển từ bước “{from}” sang “{to}” bằng thao tác này."
            ),
            format!(
                "the workflow has no `{}` from `{from}` to `{to}` (allowed: {})",
                action.as_str(),
                if allowed.is_empty() {
                    "none".to_string()
                } else {
                    allowed.join(", ")
                }
            ),
        );
    };
    if action == Action::Approve && !role.can_approve() {
        return reject(
            "forbidden",
            "Chỉ lãnh đạo được phê duyệt.",
            "only a head or leader can approve",
        );
    }
    if action == Action::Approve && d.drafts.is_empty() && d.signed_result.is_none() {
        return reject(
            "missing_result",
            "Chưa có dự thảo kết quả để phê duyệt.",
            "there is no draft result to approve",
        );
    }
    #[derive(Serialize)]
    struct Req<'a> {
        from: &'a str,
        to: &'a str,
        action: &'a str,
        actor: &'a str,
    }
    let req = Req {
        from,
        to,
        action: action.as_str(),
        actor: &ctx.actor.id,
    };
    if let Some(guard) = &transition.guard {
        run(guard, d, &req, ctx, "guard")?;
    }
    let next = p.step(to).ok_or_else(|| {
        Rejection::new("no_step", "Bước không tồn tại.", format!("no step `{to}`"))
    })?;
    let step_due = ctx
        .calendar
        .due(ctx.now, next.allowance)
        .map_err(calendar)?;
    let result = Timeliness::classify(ctx.now, current_row_due(d).unwrap_or(ctx.now));
    let mut events = vec![Event::HandedOver {
        from: from.to_string(),
        to: to.to_string(),
        action,
        instructions,
        assignee,
        step_due,
        result,
    }];
    if let Some(effect) = &transition.effect {
        events.extend(extras(run(effect, d, &req, ctx, "effect")?));
    }
    Ok(events)
}
