//! Closing: withdrawal, stop, returning the result, the rating.

use super::*;

/// From submission until the result is handed over: while a withdrawal or a postal
/// delivery can still be asked for.
const UNTIL_HANDED_OVER: &[State] = &[
    State::Submitted,
    State::InProgress,
    State::AwaitingSupplement,
    State::AwaitingPayment,
    State::Finished,
];

pub(super) fn decide(d: &Dossier, command: &Command, ctx: &Ctx<'_>) -> Decided {
    let now = ctx.now;
    match command {
        Command::RequestWithdrawal { reason } => {
            state_in(d, UNTIL_HANDED_OVER, command)?;
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
        Command::RequestPostalDelivery { address, phone } => {
            // Until the result is handed over: afterwards there is nothing left to post.
            state_in(d, UNTIL_HANDED_OVER, command)?;
            owner(ctx, d)?;
            nonempty(address, "địa chỉ nhận kết quả", "the address")?;
            let digits = phone.chars().filter(char::is_ascii_digit).count();
            let phone_ok = (8..=15).contains(&digits)
                && phone
                    .chars()
                    .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '.' | '-'));
            if !phone_ok {
                return reject(
                    "invalid_phone",
                    "Số điện thoại nhận bưu phẩm gồm 8–15 chữ số.",
                    "the phone number must have 8 to 15 digits",
                );
            }
            let delivery = PostalDelivery {
                address: address.trim().to_string(),
                phone: phone.trim().to_string(),
            };
            if d.postal_delivery.as_ref() == Some(&delivery) {
                return reject(
                    "duplicate",
                    "Đã ghi nhận yêu cầu gửi kết quả qua bưu chính đến địa chỉ này.",
                    "the same postal delivery is already requested",
                );
            }
            Ok(vec![Event::PostalDeliveryRequested { delivery }])
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
        Command::Rate {
            score,
            comment,
            indicators,
        } => {
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
            let points = [
                indicators.came_back,
                indicators.bodies_contacted,
                indicators.attitude,
            ];
            if points.into_iter().flatten().any(|p| p > 2) {
                return reject(
                    "invalid_score",
                    "Điểm mỗi tiêu chí là 0, 1 hoặc 2.",
                    "each indicator is scored 0, 1 or 2",
                );
            }
            Ok(vec![Event::Rated {
                score: *score,
                comment: comment.clone(),
                indicators: indicators.clone(),
            }])
        }
        other => wrong_phase(d, other),
    }
}
