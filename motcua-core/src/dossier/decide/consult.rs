//! Consultations of other agencies and verifications with the applicant.

use super::*;

pub(super) fn decide(d: &Dossier, command: &Command, ctx: &Ctx<'_>) -> Decided {
    let now = ctx.now;
    match command {
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
            state_in(d, &OPEN_PROCESSING, command)?;
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
        other => wrong_phase(d, other),
    }
}
