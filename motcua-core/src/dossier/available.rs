//! What an actor may do to a dossier now: each command the engine would accept from them at
//! this instant, with the fields it needs and, for hand-overs, the steps it may go to.
//! Pages and the API show exactly these; everything else the engine would refuse.
//!
//! Each command is tried with `decide` on well-formed arguments (nothing changes); what it
//! accepts is listed. A command whose acceptance depends on what the user will write (the
//! reason, the items) is listed when its state, role and rules allow it.

use chrono::TimeDelta;
use serde::Serialize;

use super::{Attachment, Command, Ctx, Dossier, Outcome, State, decide};
use crate::procedure::Action;

/// A field a command needs from the user.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Field {
    /// Its name in the command (`reason`, `items`, `new_appointment`).
    pub name: &'static str,
    /// `text`, `list` (one item per line), `instant`, `duration`, `number`, `file`,
    /// `step`, `bool`, `outcome`, `score`, `indicators` (the Circular 01/2018 ones, 0-2 each).
    pub kind: &'static str,
    /// Whether it must be given.
    pub required: bool,
    /// Its label, Vietnamese.
    pub label_vi: &'static str,
}

const fn f(
    name: &'static str,
    kind: &'static str,
    required: bool,
    label_vi: &'static str,
) -> Field {
    Field {
        name,
        kind,
        required,
        label_vi,
    }
}

/// A command the actor may run now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Available {
    /// The command's name (`accept`, `forward`).
    pub command: &'static str,
    /// Its label, Vietnamese.
    pub label_vi: &'static str,
    /// The fields it needs.
    pub fields: &'static [Field],
    /// For `forward`, `send-back` and `approve`: the steps it may go to. For
    /// `answer-consultation`: `consultation/agency` pairs still unanswered.
    pub targets: Vec<String>,
}

const REASON: Field = f("reason", "text", true, "Lý do");

/// The fields of each command, as a form asks for them.
pub fn fields_of(command: &str) -> &'static [Field] {
    match command {
        "resubmit" => {
            const {
                &[
                    f("form", "text", false, "Thông tin tờ khai"),
                    f("files", "file", false, "Tệp bổ sung"),
                ]
            }
        }
        "return-for-completion" => {
            const {
                &[
                    f(
                        "missing",
                        "list",
                        true,
                        "Thành phần còn thiếu (mỗi dòng một mục)",
                    ),
                    f("note", "text", false, "Hướng dẫn hoàn thiện"),
                ]
            }
        }
        "refuse" | "stop" => const { &[REASON] },
        "forward" => {
            const {
                &[
                    f("to", "step", true, "Chuyển đến bước"),
                    f("assignee", "text", false, "Cán bộ được giao"),
                ]
            }
        }
        "assign" => const { &[f("officer", "text", true, "Cán bộ được phân công")] },
        "attach-draft" => const { &[f("attachment", "file", true, "Dự thảo kết quả")] },
        "attach-signed-result" => {
            const { &[f("attachment", "file", true, "Kết quả đã ký số (PDF)")] }
        }
        "send-back" => {
            const {
                &[
                    f("to", "step", true, "Trả về bước"),
                    f("instructions", "text", true, "Hướng dẫn xử lý lại"),
                ]
            }
        }
        "approve" => const { &[f("to", "step", true, "Chuyển đến bước")] },
        "request-supplement" => {
            const {
                &[
                    REASON,
                    f(
                        "items",
                        "list",
                        true,
                        "Nội dung cần bổ sung (mỗi dòng một mục)",
                    ),
                    f("applicant_fault", "bool", false, "Do lỗi của người nộp"),
                ]
            }
        }
        "receive-supplement" => {
            const {
                &[
                    f("items", "list", false, "Nội dung đã bổ sung"),
                    f("files", "file", false, "Tệp bổ sung"),
                ]
            }
        }
        "open-consultation" => {
            const {
                &[
                    f("id", "text", true, "Mã đợt lấy ý kiến"),
                    f(
                        "agencies",
                        "list",
                        true,
                        "Cơ quan được lấy ý kiến (mỗi dòng một cơ quan)",
                    ),
                    f("content", "text", true, "Nội dung lấy ý kiến"),
                    f("deadline", "instant", true, "Hạn trả lời"),
                ]
            }
        }
        "answer-consultation" => {
            const {
                &[
                    f("id", "text", true, "Mã đợt lấy ý kiến"),
                    f("agency", "text", true, "Cơ quan trả lời"),
                    f("answer", "text", true, "Nội dung trả lời"),
                ]
            }
        }
        "schedule-verification" => {
            const {
                &[
                    f("time", "instant", true, "Thời gian"),
                    f("place", "text", true, "Địa điểm"),
                    f(
                        "participants",
                        "list",
                        true,
                        "Thành phần tham gia (mỗi dòng một người)",
                    ),
                    f("content", "text", true, "Nội dung xác minh"),
                ]
            }
        }
        "request-extension" => {
            const {
                &[
                    REASON,
                    f("extra", "duration", false, "Thời gian gia hạn (ví dụ 5wd)"),
                    f("new_appointment", "instant", false, "Hoặc ngày hẹn mới"),
                ]
            }
        }
        "apologise" => {
            const {
                &[
                    f("reason", "text", true, "Lý do chậm trễ"),
                    f("new_appointment", "instant", true, "Ngày hẹn mới"),
                ]
            }
        }
        "request-payment" => {
            const { &[f("amount_vnd", "number", true, "Số tiền (đồng)"), REASON] }
        }
        "request-withdrawal" => const { &[f("reason", "text", false, "Lý do rút hồ sơ")] },
        "request-postal-delivery" => {
            const {
                &[
                    f("address", "text", true, "Địa chỉ nhận kết quả"),
                    f("phone", "text", true, "Số điện thoại người nhận"),
                ]
            }
        }
        "mark-finished" => {
            const {
                &[
                    f("outcome", "outcome", true, "Kết quả giải quyết"),
                    f("reason", "text", false, "Lý do không giải quyết"),
                ]
            }
        }
        "rate" => {
            const {
                &[
                    f("score", "score", true, "Mức hài lòng (1–5)"),
                    f("comment", "text", false, "Ý kiến"),
                    f(
                        "indicators",
                        "indicators",
                        false,
                        "Tiêu chí đánh giá theo Thông tư 01/2018/TT-VPCP",
                    ),
                ]
            }
        }
        _ => const { &[] },
    }
}

/// The Vietnamese label of a command.
pub fn label_vi(command: &str) -> &'static str {
    match command {
        "submit" => "Nộp hồ sơ",
        "resubmit" => "Hoàn thiện và gửi lại hồ sơ",
        "return-for-completion" => "Trả lại để hoàn thiện",
        "refuse" => "Từ chối tiếp nhận",
        "accept" => "Tiếp nhận hồ sơ",
        "forward" => "Chuyển bước",
        "assign" => "Phân công",
        "attach-draft" => "Đính kèm dự thảo",
        "send-back" => "Trả lại bước trước",
        "approve" => "Phê duyệt",
        "attach-signed-result" => "Đính kèm kết quả đã ký",
        "request-supplement" => "Yêu cầu bổ sung",
        "receive-supplement" => "Nhận hồ sơ bổ sung",
        "open-consultation" => "Lấy ý kiến",
        "answer-consultation" => "Ghi nhận ý kiến trả lời",
        "schedule-verification" => "Hẹn xác minh",
        "request-extension" => "Đề nghị gia hạn",
        "grant-extension" => "Duyệt gia hạn",
        "apologise" => "Xin lỗi và hẹn lại",
        "request-payment" => "Yêu cầu thực hiện nghĩa vụ tài chính",
        "record-payment" => "Xác nhận đã nộp tiền",
        "request-withdrawal" => "Xin rút hồ sơ",
        "confirm-withdrawal" => "Xác nhận rút hồ sơ",
        "request-postal-delivery" => "Nhận kết quả qua bưu chính",
        "stop" => "Dừng xử lý",
        "mark-finished" => "Kết thúc xử lý",
        "return-result" => "Trả kết quả",
        "rate" => "Đánh giá",
        _ => "",
    }
}

/// The commands `ctx.actor` may run on `d` at `ctx.now`. A new dossier (not yet submitted)
/// offers nothing: submission is its own form.
pub fn available(d: &Dossier, ctx: &Ctx<'_>) -> Vec<Available> {
    if d.state == State::New {
        return Vec::new();
    }
    let p = ctx.procedure;
    let later = ctx.now + TimeDelta::days(1);
    let x = || "x".to_string();
    let file = || Attachment {
        name: "x.pdf".into(),
        sha256: "0".repeat(64),
    };
    let accepts = |c: &Command| decide(d, c, ctx).is_ok();
    let mut out = Vec::new();
    let mut push = |command: &Command, targets: Vec<String>| {
        let name = command.name();
        if !out.iter().any(|a: &Available| a.command == name) {
            out.push(Available {
                command: name,
                label_vi: label_vi(name),
                fields: fields_of(name),
                targets,
            });
        }
    };
    let simple = [
        Command::Accept { sequence: 1 },
        Command::ReturnForCompletion {
            missing: vec![x()],
            note: String::new(),
        },
        Command::Refuse { reason: x() },
        Command::Assign { officer: x() },
        Command::AttachDraft { attachment: file() },
        Command::AttachSignedResult { attachment: file() },
        Command::RequestSupplement {
            reason: x(),
            items: vec![x()],
            applicant_fault: false,
        },
        Command::ReceiveSupplement {
            items: vec![],
            files: vec![],
        },
        Command::OpenConsultation {
            id: format!("yk-{}", d.consultations.len() + 1),
            agencies: vec![x()],
            content: x(),
            deadline: later,
        },
        Command::ScheduleVerification {
            time: later,
            place: x(),
            participants: vec![x()],
            content: x(),
        },
        Command::RequestExtension {
            reason: x(),
            extra: Some(crate::calendar::Duration::working_days(1)),
            new_appointment: None,
        },
        Command::GrantExtension,
        Command::Apologise {
            reason: x(),
            new_appointment: later.max(d.clock.appointment.unwrap_or(later) + TimeDelta::days(1)),
        },
        Command::RequestPayment {
            amount_vnd: 1,
            reason: x(),
        },
        Command::RecordPayment,
        Command::RequestWithdrawal { reason: x() },
        Command::ConfirmWithdrawal,
        Command::RequestPostalDelivery {
            address: x(),
            phone: "0912345678".into(),
        },
        Command::Stop { reason: x() },
        Command::ReturnResult,
        Command::Rate {
            score: 5,
            comment: String::new(),
            indicators: Default::default(),
        },
    ];
    // A returned dossier is completed with what the form will add: listed when its
    // applicant may send it again, whatever is still missing.
    let resubmit = Command::Resubmit {
        form: Default::default(),
        components: vec![],
        files: vec![],
    };
    match decide(d, &resubmit, ctx) {
        Ok(_) => push(&resubmit, vec![]),
        Err(r) if r.code == "incomplete" => push(&resubmit, vec![]),
        Err(_) => {}
    }
    let from = d.step.clone().unwrap_or_default();
    for (action, make) in [
        (Action::Forward, 0u8),
        (Action::SendBack, 1),
        (Action::Approve, 2),
    ] {
        let mut targets = Vec::new();
        let mut example = None;
        for t in p
            .transitions
            .iter()
            .filter(|t| t.from == from && t.action == action)
        {
            let c = match make {
                0 => Command::Forward {
                    to: t.to.clone(),
                    assignee: None,
                },
                1 => Command::SendBack {
                    to: t.to.clone(),
                    instructions: x(),
                },
                _ => Command::Approve { to: t.to.clone() },
            };
            if accepts(&c) {
                targets.push(t.to.clone());
                example = Some(c);
            }
        }
        if let Some(c) = example {
            push(&c, targets);
        }
    }
    for c in &simple {
        if accepts(c) {
            push(c, vec![]);
        }
    }
    let mut pairs = Vec::new();
    let mut example = None;
    for c in &d.consultations {
        for a in c.agencies.iter().filter(|a| !c.answers.contains_key(*a)) {
            let cmd = Command::AnswerConsultation {
                id: c.id.clone(),
                agency: a.clone(),
                answer: x(),
            };
            if accepts(&cmd) {
                pairs.push(format!("{}/{a}", c.id));
                example = Some(cmd);
            }
        }
    }
    if let Some(c) = example {
        push(&c, pairs);
    }
    for outcome in [Outcome::Granted, Outcome::Rejected { reason: x() }] {
        let c = Command::MarkFinished { outcome };
        if accepts(&c) {
            push(&c, vec![]);
        }
    }
    out
}
