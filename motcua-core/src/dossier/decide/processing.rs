//! Processing through the workflow: hand-overs, assignment, drafts, approval, the signed result, the end of processing.

use super::*;

pub(super) fn decide(d: &Dossier, command: &Command, ctx: &Ctx<'_>) -> Decided {
    let (p, now) = (ctx.procedure, ctx.now);
    match command {
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
        other => wrong_phase(d, other),
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
    let step_due = match d.clock.appointment {
        Some(day_end) if p.catalogue.immediate => day_end.max(ctx.now),
        _ => ctx
            .calendar
            .due(ctx.now, next.allowance)
            .map_err(calendar)?,
    };
    let result = Timeliness::classify(ctx.now, current_row_due(d).unwrap_or(ctx.now));
    let mut events = vec![Event::HandedOver {
        from: from.to_string(),
        to: to.to_string(),
        action,
        instructions,
        assignee,
        step_due,
        result,
        calendar: version(ctx),
    }];
    if let Some(effect) = &transition.effect {
        events.extend(extras(run(effect, d, &req, ctx, "effect")?));
    }
    Ok(events)
}
