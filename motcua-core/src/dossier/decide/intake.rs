//! Submission and intake: submit, resubmit, return for completion, refusal, acceptance.

use super::*;

pub(super) fn decide(d: &Dossier, command: &Command, ctx: &Ctx<'_>) -> Decided {
    let (p, now) = (ctx.procedure, ctx.now);
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
                if !p.accepts_online() {
                    return reject(
                        "invalid_channel",
                        "Thủ tục này chưa cung cấp dịch vụ công trực tuyến; vui lòng nộp tại Bộ phận Một cửa hoặc qua bưu chính.",
                        "the procedure is not offered online",
                    );
                }
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
                version: p.catalogue.version.to_string(),
                agency: d.agency.clone(),
                channel: *channel,
                applicant: applicant.clone(),
                owner,
                form: form.clone(),
                components: components.clone(),
                files: files.clone(),
                intake_due,
                calendar: version(ctx),
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
                calendar: version(ctx),
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
            let agency = d.agency.clone();
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
            // Within the working day, every step shares the day: a step with no allowance
            // of its own is due with the result, not the instant it begins.
            let step_due = if p.catalogue.immediate {
                appointment
            } else {
                ctx.calendar.due(start, first.allowance).map_err(calendar)?
            };
            Ok(vec![Event::Accepted {
                code,
                counting_start: start,
                appointment,
                step: first.id.clone(),
                step_due,
                intake: intake(d, now),
                calendar: version(ctx),
            }])
        }
        other => wrong_phase(d, other),
    }
}
