//! Closing: withdrawal, stop, returning the result, the rating.

use super::*;

pub(super) fn decide(d: &Dossier, command: &Command, ctx: &Ctx<'_>) -> Decided {
    let now = ctx.now;
    match command {
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
        other => wrong_phase(d, other),
    }
}
