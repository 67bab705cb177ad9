//! What moves the legal clock: supplements, payments, extensions, apologies.

use super::*;

pub(super) fn decide(d: &Dossier, command: &Command, ctx: &Ctx<'_>) -> Decided {
    let (p, now) = (ctx.procedure, ctx.now);
    match command {
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
                applicant_fault: *applicant_fault,
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
                    // Within the working day: counted again from the new start, due at the
                    // close of that day, every step with it (as at acceptance).
                    if p.catalogue.immediate {
                        let a = ctx.calendar.close_of_day(start).map_err(calendar)?;
                        (a, a, a)
                    } else {
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
                calendar: version(ctx),
            }])
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
                calendar: version(ctx),
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
            if extra.is_none() == new_appointment.is_none() {
                return reject(
                    "missing_field",
                    "Cần nêu hoặc thời gian gia hạn, hoặc ngày hẹn mới (một trong hai).",
                    "give either `extra` or `new_appointment`, not both or neither",
                );
            }
            Ok(vec![Event::ExtensionRequested {
                reason: reason.clone(),
                // The event keeps the text it has always carried (`5wd`).
                extra: extra.map(|e| e.to_string()),
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
                calendar: version(ctx),
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
        other => wrong_phase(d, other),
    }
}
