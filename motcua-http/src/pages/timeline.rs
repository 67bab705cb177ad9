//! A dossier's events as its applicant reads them: what happened, in Vietnamese, without
//! the agency's internal notes (drafts, assignments, scripts' flags and notices).

use motcua_core::calendar::to_local_vi;
use motcua_core::dossier::{Event, Outcome, RecordedEvent};
use motcua_core::procedure::Procedure;

use super::text;

/// One line of the timeline.
pub(crate) struct Entry {
    pub at: String,
    pub what: String,
    pub detail: String,
}

fn step_name(p: Option<&Procedure>, id: &str) -> String {
    p.and_then(|p| p.step(id))
        .map_or_else(|| id.to_string(), |s| s.name.clone())
}

/// The entries an applicant sees, oldest first.
pub(crate) fn for_applicant(events: &[RecordedEvent], p: Option<&Procedure>) -> Vec<Entry> {
    events
        .iter()
        .filter_map(|e| {
            let (what, detail) = describe(&e.event, p)?;
            Some(Entry {
                at: to_local_vi(e.at),
                what,
                detail,
            })
        })
        .collect()
}

fn list(items: &[String]) -> String {
    items.join("; ")
}

fn describe(e: &Event, p: Option<&Procedure>) -> Option<(String, String)> {
    let s = |v: &str| v.to_string();
    Some(match e {
        Event::Submitted { channel, .. } => {
            (s("Nộp hồ sơ"), format!("Kênh: {}", channel_vi(*channel)))
        }
        Event::Resubmitted { intake_due, .. } => (
            s("Gửi lại hồ sơ đã hoàn thiện"),
            format!("Hạn tiếp nhận: {}", to_local_vi(*intake_due)),
        ),
        Event::ReturnedForCompletion { missing, note, .. } => (
            s("Hồ sơ chưa đủ, cần hoàn thiện"),
            [format!("Còn thiếu: {}", list(missing)), note.clone()]
                .into_iter()
                .filter(|x| !x.is_empty())
                .collect::<Vec<_>>()
                .join(". "),
        ),
        Event::Refused { reason, .. } => (s("Từ chối tiếp nhận hồ sơ"), reason.clone()),
        Event::Accepted {
            code, appointment, ..
        } => (
            s("Tiếp nhận hồ sơ"),
            format!(
                "Mã hồ sơ {code}; hẹn trả kết quả {}",
                to_local_vi(*appointment)
            ),
        ),
        Event::HandedOver { to, .. } => (s("Chuyển xử lý"), step_name(p, to)),
        Event::SignedResultAttached { .. } => (s("Kết quả đã được ký"), String::new()),
        Event::SupplementRequested { reason, items, .. } => (
            s("Yêu cầu bổ sung hồ sơ"),
            format!("{reason}. Cần bổ sung: {}", list(items)),
        ),
        Event::SupplementReceived { appointment, .. } => (
            s("Đã nhận hồ sơ bổ sung"),
            format!("Hẹn trả kết quả {}", to_local_vi(*appointment)),
        ),
        Event::ConsultationOpened { .. } => (s("Lấy ý kiến cơ quan liên quan"), String::new()),
        Event::VerificationScheduled { time, place, .. } => (
            s("Hẹn xác minh"),
            format!("{} tại {place}", to_local_vi(*time)),
        ),
        Event::ProcedureMigrated {
            to_version,
            step,
            appointment,
            ..
        } => (
            s("Chuyển sang quy trình mới của thủ tục"),
            format!(
                "Phiên bản {to_version}{}{}",
                step.as_deref()
                    .map(|st| format!("; bước hiện tại: {}", step_name(p, st)))
                    .unwrap_or_default(),
                appointment
                    .map(|a| format!("; hẹn trả kết quả mới {}", to_local_vi(a)))
                    .unwrap_or_default()
            ),
        ),
        Event::DeadlinesReprojected { moved, because, .. } => (
            s("Thời hạn được tính lại theo lịch làm việc mới"),
            format!(
                "{}. Vì: {}",
                moved
                    .iter()
                    .map(|m| format!(
                        "{}: {} → {}",
                        m.deadline.label_vi(),
                        to_local_vi(m.before),
                        to_local_vi(m.after)
                    ))
                    .collect::<Vec<_>>()
                    .join("; "),
                list(because)
            ),
        ),
        Event::ExtensionGranted { appointment, .. } => (
            s("Gia hạn giải quyết"),
            format!("Hẹn trả kết quả mới {}", to_local_vi(*appointment)),
        ),
        Event::Apologised {
            reason,
            appointment,
            ..
        } => (
            s("Thư xin lỗi và hẹn lại"),
            format!(
                "{reason}. Hẹn trả kết quả mới {}",
                to_local_vi(*appointment)
            ),
        ),
        Event::PaymentRequested { amount_vnd, reason } => (
            s("Yêu cầu thực hiện nghĩa vụ tài chính"),
            format!("{}: {reason}", text::money(*amount_vnd)),
        ),
        Event::PaymentRecorded { amount_vnd, .. } => {
            (s("Đã nộp nghĩa vụ tài chính"), text::money(*amount_vnd))
        }
        Event::WithdrawalRequested { reason } => (s("Xin rút hồ sơ"), reason.clone()),
        Event::Withdrawn => (s("Đã rút hồ sơ"), String::new()),
        Event::Stopped { reason } => (s("Dừng xử lý hồ sơ"), reason.clone()),
        Event::ProcessingFinished { outcome, .. } => (
            s("Có kết quả giải quyết"),
            match outcome {
                // The applicant's promise is the appointment (told when the result is
                // returned); how the last internal step did is the officers' business.
                Outcome::Granted => s("Đồng ý giải quyết; kết quả chờ trả"),
                Outcome::Rejected { reason } => format!("Không giải quyết: {reason}"),
            },
        ),
        Event::ResultReturned { timeliness } => (
            s("Đã trả kết quả"),
            text::timeliness(*timeliness).to_string(),
        ),
        Event::Rated { score, .. } => (s("Đánh giá mức độ hài lòng"), satisfaction(*score).into()),
        Event::PostalDeliveryRequested { delivery } => (
            s("Đăng ký nhận kết quả qua bưu chính"),
            format!("{} (điện thoại {})", delivery.address, delivery.phone),
        ),
        Event::ExtensionRequested { .. }
        | Event::ConsultationAnswered { .. }
        | Event::DraftAttached { .. }
        | Event::Assigned { .. }
        | Event::Notified { .. }
        | Event::Flagged { .. } => return None,
        #[allow(unreachable_patterns)]
        _ => return None,
    })
}

/// How a dossier came in, in words.
pub(crate) fn channel_vi(c: motcua_core::dossier::Channel) -> &'static str {
    use motcua_core::dossier::Channel;
    match c {
        Channel::Direct => "trực tiếp tại Bộ phận Một cửa",
        Channel::Online => "trực tuyến",
        Channel::Post => "qua bưu chính",
    }
}

/// The five satisfaction levels.
pub(crate) fn satisfaction(score: u8) -> &'static str {
    match score {
        5 => "Rất hài lòng",
        4 => "Hài lòng",
        3 => "Bình thường",
        2 => "Không hài lòng",
        _ => "Rất không hài lòng",
    }
}

/// The process-control slip's rows: step, received, due, handed on (or still there), how
/// it did.
pub(crate) fn slip(
    d: &motcua_core::dossier::Dossier,
    p: Option<&Procedure>,
) -> Vec<(String, String, String, String, String)> {
    d.slip
        .iter()
        .map(|r| {
            (
                p.and_then(|p| p.step(&r.step))
                    .map_or(r.step.clone(), |s| s.name.clone()),
                to_local_vi(r.received_at),
                to_local_vi(r.due),
                r.left_at.map_or_else(|| "Đang xử lý".into(), to_local_vi),
                r.result.map_or("", super::text::timeliness).to_string(),
            )
        })
        .collect()
}
