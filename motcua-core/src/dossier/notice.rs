//! The notices the law requires the applicant to receive (DOMAIN.md §4, §8): acceptance with
//! the appointment, return for completion with what is missing, refusal with its reason,
//! supplement and payment requests, extensions and apologies with the new appointment, the
//! result ready, a stop. The engine adds them to the events of the command that causes them,
//! so that they are written to the outbox in the command's transaction.
//!
//! Dates are written `dd/MM/yyyy HH:mm` (local time), lists one item per line.

use super::event::{DeliveryChannel, Notification, Recipient};
use super::{Dossier, Event, Outcome};
use crate::calendar::to_local_vi;
use crate::text::thousands;

fn list(items: &[String]) -> String {
    items
        .iter()
        .map(|i| format!("– {i}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// How a dossier is named to its applicant: its code once it has one, else the procedure
/// and the date it was sent.
fn named(d: &Dossier) -> String {
    match &d.code {
        Some(c) => format!("Hồ sơ {c}"),
        None => match d.submitted_at {
            Some(t) => format!("Hồ sơ gửi lúc {} (mã tạm {})", to_local_vi(t), d.id),
            None => format!("Hồ sơ {}", d.id),
        },
    }
}

/// The notice an event requires, if any; `d` is the dossier after the event.
pub(super) fn notice(d: &Dossier, event: &Event) -> Option<Notification> {
    let message = match event {
        Event::Accepted {
            code, appointment, ..
        } => format!(
            "Hồ sơ {code} đã được tiếp nhận. Ngày hẹn trả kết quả: {}. Tra cứu tình trạng hồ sơ tại /tra-cuu/{code}.",
            to_local_vi(*appointment)
        ),
        Event::ReturnedForCompletion { missing, note, .. } => {
            let mut m = format!(
                "{} chưa đủ thành phần để tiếp nhận. Đề nghị hoàn thiện:\n{}",
                named(d),
                list(missing)
            );
            if !note.trim().is_empty() {
                m += &format!("\nHướng dẫn: {}", note.trim());
            }
            m
        }
        Event::Refused { reason, .. } => {
            format!("{} không được tiếp nhận. Lý do: {reason}", named(d))
        }
        Event::SupplementRequested {
            reason,
            items,
            round,
            ..
        } => format!(
            "{} cần bổ sung (lần {round}). Lý do: {reason}\nNội dung cần bổ sung:\n{}",
            named(d),
            list(items)
        ),
        Event::PaymentRequested { amount_vnd, reason } => format!(
            "{} cần thực hiện nghĩa vụ tài chính: {reason}. Số tiền: {} đồng.",
            named(d),
            thousands(*amount_vnd)
        ),
        Event::ExtensionGranted { appointment, .. } => format!(
            "{} được gia hạn thời gian giải quyết. Ngày hẹn trả kết quả mới: {}.",
            named(d),
            to_local_vi(*appointment)
        ),
        Event::Apologised {
            reason,
            appointment,
            ..
        } => format!(
            "Cơ quan xin lỗi vì {} chưa có kết quả đúng hẹn. Lý do: {reason}\nNgày hẹn trả kết quả mới: {}.",
            named(d).replacen("Hồ sơ", "hồ sơ", 1),
            to_local_vi(*appointment)
        ),
        Event::ProcessingFinished { outcome, .. } => match outcome {
            Outcome::Granted => format!(
                "{} đã có kết quả. Mời ông/bà nhận kết quả tại Bộ phận Một cửa (hoặc theo hình thức đã đăng ký).",
                named(d)
            ),
            Outcome::Rejected { reason } => format!(
                "{} đã được xem xét và không được giải quyết. Lý do: {reason}\nMời ông/bà nhận văn bản trả lời tại Bộ phận Một cửa.",
                named(d)
            ),
        },
        Event::Stopped { reason } => {
            format!("{} đã dừng xử lý. Lý do: {reason}", named(d))
        }
        Event::ProcedureMigrated {
            appointment: Some(after),
            to_version,
            ..
        } => format!(
            "{} được giải quyết theo quy trình mới của thủ tục (phiên bản {to_version}). Ngày hẹn trả kết quả mới: {}.",
            named(d),
            to_local_vi(*after)
        ),
        Event::DeadlinesReprojected { moved, because, .. } => {
            // The applicant is told when the appointment they were given moves (Điều 14.3.đ);
            // other deadlines are the agency's own.
            let moved = moved
                .iter()
                .find(|m| m.deadline == super::Deadline::Appointment)?;
            let mut m = format!(
                "{} có ngày hẹn trả kết quả mới do lịch làm việc của cơ quan thay đổi: {} (trước đây {}).",
                named(d),
                to_local_vi(moved.after),
                to_local_vi(moved.before)
            );
            if !because.is_empty() {
                m += &format!("\nNgày thay đổi:\n{}", list(because));
            }
            m
        }
        _ => return None,
    };
    // Every channel the applicant can be reached by.
    Some(Notification::new(
        Recipient::Applicant,
        DeliveryChannel::ALL,
        message,
    ))
}

#[cfg(test)]
mod tests {
    use crate::text::thousands;

    #[test]
    fn amounts_are_grouped_by_thousands() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(100), "100");
        assert_eq!(thousands(1000), "1.000");
        assert_eq!(thousands(1_500_000), "1.500.000");
    }
}
