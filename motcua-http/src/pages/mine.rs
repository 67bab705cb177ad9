//! My dossiers: the applicant's list (with drafts not yet submitted) and each dossier's
//! page: its state, what the agency asks of the applicant, the forms to answer (supplement,
//! completion, withdrawal, postal delivery, rating), the result to download, the timeline
//! and the process-control slip. Every form posts to `/ho-so/{id}/thao-tac`, which runs one
//! engine command through the application layer.

use askama::Template;
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_core::calendar::to_local_vi;
use motcua_core::dossier::{
    Available, Command, Dossier, Event, RatingIndicators, RecordedEvent, State as DState,
};
use motcua_core::procedure::Procedure;
use std::collections::HashMap;

use super::accounts::{forged, to_login};
use super::submit::find;
use super::timeline::{self, Entry};
use super::{Layout, Viewer, error_page, page_for, see_other, text};
use crate::app::drafts::Problem;
use crate::app::{AppError, Code, dossiers};
use crate::{AppState, Tenant};

struct Row {
    id: String,
    code: String,
    procedure: String,
    state: String,
    national: &'static str,
    appointment: String,
    overdue: bool,
}

struct DraftRow {
    href: String,
    procedure: String,
    agency: String,
    saved: String,
}

#[derive(Template)]
#[template(path = "mine.html")]
struct MinePage {
    layout: Layout,
    dossiers: Vec<Row>,
    drafts: Vec<DraftRow>,
    /// Notifications not yet read in the portal inbox.
    unread: i64,
}

/// `GET /ho-so`.
pub(crate) async fn list(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
) -> Response {
    let t = tenant.as_deref();
    let Some(p) = &viewer.principal else {
        return to_login("/ho-so");
    };
    let (mine, drafts) = match (
        dossiers::mine(&app, p).await,
        app.store.open_drafts(&p.user.id, 50).await,
    ) {
        (Ok(m), Ok(d)) => (m, d),
        (Err(e), _) => return error_page(&app, t, &viewer, e).await,
        (_, Err(e)) => return error_page(&app, t, &viewer, e.into()).await,
    };
    let config = match app.config().await {
        Ok(c) => c,
        Err(e) => return error_page(&app, t, &viewer, e).await,
    };
    let name_of = |code: &str| {
        config
            .newest_of(code)
            .map_or_else(|| code.to_string(), |p| p.catalogue.name.clone())
    };
    let now = app.now();
    let dossiers = mine
        .into_iter()
        .map(|d| {
            let closed =
                serde_json::from_value::<DState>(serde_json::Value::String(d.state.clone()))
                    .is_ok_and(|s| s.is_closed() || s == DState::Finished);
            Row {
                code: d
                    .code
                    .clone()
                    .unwrap_or_else(|| format!("Số hồ sơ {}", d.id)),
                procedure: name_of(&d.procedure),
                state: text::state(&d.state),
                national: text::national_status(d.national_status),
                appointment: d.appointment.map_or_else(|| "Chưa có".into(), to_local_vi),
                overdue: !closed && d.appointment.is_some_and(|a| a < now),
                id: d.id,
            }
        })
        .collect();
    let drafts = drafts
        .into_iter()
        .map(|d| DraftRow {
            href: format!("/nop/{}/kiem-tra", d.id),
            procedure: name_of(&d.procedure),
            agency: config
                .directory
                .get(&d.agency)
                .map_or_else(|| d.agency.clone(), |a| a.name.clone()),
            saved: to_local_vi(d.updated_at),
        })
        .collect();
    let unread = match crate::app::notifications::unread(&app, p).await {
        Ok(n) => n,
        Err(e) => return error_page(&app, t, &viewer, e).await,
    };
    let view = MinePage {
        layout: Layout::new(&app, t, "mine", &viewer).await,
        dossiers,
        drafts,
        unread,
    };
    page_for(&viewer, StatusCode::OK, &view)
}

struct Request_ {
    title: String,
    lines: Vec<String>,
    items: Vec<String>,
}

struct Action {
    command: &'static str,
    title: &'static str,
    intro: String,
    button: &'static str,
}

#[derive(Clone, Copy)]
struct Indicator {
    name: &'static str,
    label: &'static str,
    options: [(u8, &'static str); 3],
}

struct DossierView {
    id: String,
    code: Option<String>,
    procedure: String,
    agency: String,
    state: String,
    national: &'static str,
    overdue: bool,
    facts: Vec<(String, String)>,
    requests: Vec<Request_>,
    result: Option<(String, String)>,
    actions: Vec<Action>,
    components: Vec<String>,
    max_mb: usize,
    postal_address: String,
    postal_phone: String,
    timeline: Vec<Entry>,
    slip: Vec<(String, String, String, String, String)>,
    files: Vec<(String, String, String)>,
    /// The forms addressed to the applicant it can print: (key, "Mẫu số 01 – title").
    letters: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "dossier.html")]
struct DossierPage {
    layout: Layout,
    v: DossierView,
    notice: Option<String>,
    problems: Vec<Problem>,
    satisfaction: Vec<(u8, &'static str)>,
    indicators: Vec<Indicator>,
}

impl DossierPage {
    fn err(&self, field: &str) -> Option<&str> {
        find(&self.problems, field)
    }
}

/// The indicators of Circular 01/2018 an applicant can judge, as the rating form asks them.
const INDICATORS: [Indicator; 3] = [
    Indicator {
        name: "came_back",
        label: "Số lần bạn phải đi lại để bổ sung, hoàn thiện hồ sơ (kể cả trực tuyến)",
        options: [
            (2, "Không lần nào"),
            (1, "Một lần"),
            (0, "Nhiều hơn một lần"),
        ],
    },
    Indicator {
        name: "bodies_contacted",
        label: "Số cơ quan bạn phải liên hệ",
        options: [
            (2, "Chỉ Bộ phận Một cửa"),
            (
                1,
                "Bộ phận Một cửa và nơi pháp luật yêu cầu (xác minh, hội đồng)",
            ),
            (0, "Nhiều cơ quan khác"),
        ],
    },
    Indicator {
        name: "attitude",
        label: "Thái độ của cán bộ",
        options: [
            (2, "Tận tình, chu đáo"),
            (1, "Đúng mực"),
            (0, "Gây phiền hà, sách nhiễu"),
        ],
    },
];

fn action_of(a: &Available, d: &Dossier) -> Option<Action> {
    Some(match a.command {
        "receive-supplement" => Action {
            command: "receive-supplement",
            title: "Gửi hồ sơ bổ sung",
            intro: "Tải lên giấy tờ được yêu cầu bổ sung ở trên.".into(),
            button: "Gửi bổ sung",
        },
        "resubmit" => Action {
            command: "resubmit",
            title: "Hoàn thiện và gửi lại hồ sơ",
            intro: "Tải lên giấy tờ còn thiếu; những gì đã gửi trước được giữ nguyên.".into(),
            button: "Gửi lại hồ sơ",
        },
        "request-postal-delivery" => Action {
            command: "request-postal-delivery",
            title: if d.postal_delivery.is_some() {
                "Đổi địa chỉ nhận kết quả qua bưu chính"
            } else {
                "Nhận kết quả qua bưu chính"
            },
            intro: "Kết quả được gửi qua dịch vụ bưu chính công ích; cước do người nhận trả theo giá của bưu chính.".into(),
            button: "Đăng ký nhận qua bưu chính",
        },
        "request-withdrawal" => Action {
            command: "request-withdrawal",
            title: "Rút hồ sơ",
            intro: "Bộ phận Một cửa xác nhận việc rút hồ sơ; hồ sơ đã rút không được xử lý tiếp.".into(),
            button: "Gửi yêu cầu rút hồ sơ",
        },
        "rate" => Action {
            command: "rate",
            title: "Đánh giá việc giải quyết hồ sơ",
            intro: "Ý kiến của bạn được dùng để đánh giá chất lượng phục vụ (Thông tư 01/2018/TT-VPCP).".into(),
            button: "Gửi đánh giá",
        },
        _ => return None,
    })
}

fn last<'a, T>(events: &'a [RecordedEvent], pick: impl Fn(&'a Event) -> Option<T>) -> Option<T> {
    events.iter().rev().find_map(|e| pick(&e.event))
}

fn view_of(
    d: &Dossier,
    events: &[RecordedEvent],
    available: &[Available],
    p: Option<&Procedure>,
    agency: String,
) -> DossierView {
    let mut facts = Vec::new();
    if let Some(t) = d.submitted_at {
        facts.push(("Ngày nộp".into(), to_local_vi(t)));
    }
    if d.state == DState::Submitted
        && let Some(t) = d.intake_due
    {
        facts.push(("Hạn tiếp nhận hồ sơ".into(), to_local_vi(t)));
    }
    if let Some(t) = d.accepted_at {
        facts.push(("Ngày tiếp nhận".into(), to_local_vi(t)));
    }
    if let Some(t) = d.clock.appointment {
        facts.push(("Ngày hẹn trả kết quả".into(), to_local_vi(t)));
    }
    if let Some(step) = &d.step
        && !d.state.is_closed()
    {
        let name = p
            .and_then(|p| p.step(step))
            .map_or(step.clone(), |s| s.name.clone());
        facts.push(("Đang ở bước".into(), name));
    }
    facts.push((
        "Nhận kết quả".into(),
        match &d.postal_delivery {
            Some(x) => format!("Qua bưu chính: {} (điện thoại {})", x.address, x.phone),
            None => "Tại Bộ phận Một cửa".into(),
        },
    ));
    if let Some(r) = d.rating {
        facts.push(("Bạn đã đánh giá".into(), timeline::satisfaction(r).into()));
    }

    let mut requests = Vec::new();
    match d.state {
        DState::AwaitingSupplement => {
            if let Some((reason, items)) = last(events, |e| match e {
                Event::SupplementRequested { reason, items, .. } => {
                    Some((reason.clone(), items.clone()))
                }
                _ => None,
            }) {
                requests.push(Request_ {
                    title: "Cơ quan yêu cầu bổ sung hồ sơ".into(),
                    lines: vec![
                        reason,
                        "Thời gian chờ bổ sung không tính vào thời hạn giải quyết.".into(),
                    ],
                    items,
                });
            }
        }
        DState::ReturnedForCompletion => {
            if let Some((missing, note)) = last(events, |e| match e {
                Event::ReturnedForCompletion { missing, note, .. } => {
                    Some((missing.clone(), note.clone()))
                }
                _ => None,
            }) {
                let mut lines = vec!["Hồ sơ chưa đủ để tiếp nhận. Cần hoàn thiện:".to_string()];
                if !note.is_empty() {
                    lines.push(note);
                }
                requests.push(Request_ {
                    title: "Hồ sơ cần hoàn thiện".into(),
                    lines,
                    items: missing,
                });
            }
        }
        DState::AwaitingPayment => {
            if let Some(amount) = d.payment_due {
                let reason = last(events, |e| match e {
                    Event::PaymentRequested { reason, .. } => Some(reason.clone()),
                    _ => None,
                })
                .unwrap_or_default();
                requests.push(Request_ {
                    title: "Thực hiện nghĩa vụ tài chính".into(),
                    lines: vec![
                        format!("Số tiền: {}. {reason}", text::money(amount)),
                        "Nộp tại cơ quan thuế hoặc ngân hàng theo thông báo; thời gian chờ không tính vào thời hạn giải quyết.".into(),
                    ],
                    items: Vec::new(),
                });
            }
        }
        _ => {}
    }
    for (time, place) in &d.verifications {
        requests.push(Request_ {
            title: "Lịch hẹn xác minh".into(),
            lines: vec![format!("{} tại {place}", to_local_vi(*time))],
            items: Vec::new(),
        });
    }
    if let Some(reason) = &d.withdrawal_requested
        && !d.state.is_closed()
    {
        requests.push(Request_ {
            title: "Đã gửi yêu cầu rút hồ sơ".into(),
            lines: vec![if reason.is_empty() {
                "Chờ Bộ phận Một cửa xác nhận.".into()
            } else {
                format!("Lý do: {reason}. Chờ Bộ phận Một cửa xác nhận.")
            }],
            items: Vec::new(),
        });
    }

    let issued = matches!(d.state, DState::Finished | DState::Returned);
    let result = d
        .signed_result
        .as_ref()
        .filter(|_| issued)
        .map(|a| (a.sha256.clone(), a.name.clone()));
    DossierView {
        id: d.id.clone(),
        code: d.code.as_ref().map(ToString::to_string),
        procedure: p.map_or_else(|| d.procedure.clone(), |p| p.catalogue.name.clone()),
        agency,
        state: text::capitalised(d.state.label_vi()),
        national: text::national_status(i64::from(d.national_status())),
        // Set by the caller, which knows the time.
        overdue: false,
        facts,
        requests,
        result,
        actions: available.iter().filter_map(|a| action_of(a, d)).collect(),
        components: p
            .map(|p| p.components.iter().map(|c| c.name.clone()).collect())
            .unwrap_or_default(),
        max_mb: crate::limits::FILE_BYTES / (1024 * 1024),
        postal_address: d
            .postal_delivery
            .as_ref()
            .map_or_else(|| d.applicant.address.clone(), |x| x.address.clone()),
        postal_phone: d
            .postal_delivery
            .as_ref()
            .map_or_else(|| d.applicant.phone.clone(), |x| x.phone.clone()),
        timeline: timeline::for_applicant(events, p),
        slip: timeline::slip(d, p),
        letters: p
            .map(|p| crate::app::forms::offered(d, p, events))
            .unwrap_or_default()
            .into_iter()
            .filter(|f| f.to_applicant)
            .map(|f| (f.key, format!("Mẫu số {} – {}", f.number, f.title)))
            .collect(),
        files: d
            .files
            .iter()
            .map(|f| {
                (
                    f.attachment.sha256.clone(),
                    f.attachment.name.clone(),
                    f.component.clone(),
                )
            })
            .collect(),
    }
}

async fn dossier_page(
    app: &AppState,
    tenant: Option<&str>,
    viewer: &Viewer,
    id: &str,
    notice: Option<String>,
    problems: Vec<Problem>,
) -> Response {
    let Some(p) = &viewer.principal else {
        return to_login(&format!("/ho-so/{id}"));
    };
    let read = match dossiers::read(app, p, id).await {
        Ok(r) => r,
        Err(e) => return error_page(app, tenant, viewer, e).await,
    };
    let config = match app.config().await {
        Ok(c) => c,
        Err(e) => return error_page(app, tenant, viewer, e).await,
    };
    let d = &read.dossier;
    let procedure = config.version_of(&d.procedure, &d.procedure_version);
    let agency = config
        .directory
        .get(&d.agency)
        .map_or_else(|| d.agency.to_string(), |a| a.name.clone());
    let mut v = view_of(d, &read.events, &read.available, procedure, agency);
    let now = app.now();
    v.overdue = !(d.state.is_closed() || d.state == DState::Finished)
        && d.clock.paused.is_none()
        && d.clock.appointment.is_some_and(|a| a < now);
    let status = if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let view = DossierPage {
        layout: Layout::new(app, tenant, "mine", viewer).await,
        v,
        notice,
        problems,
        satisfaction: (1..=5)
            .rev()
            .map(|s| (s, timeline::satisfaction(s)))
            .collect(),
        indicators: INDICATORS.to_vec(),
    };
    page_for(viewer, status, &view)
}

/// `GET /ho-so/{id}[?xong=lenh]`.
pub(crate) async fn show(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let notice = q.get("xong").map(|c| {
        match c.as_str() {
            "receive-supplement" => "Đã gửi hồ sơ bổ sung.",
            "resubmit" => "Đã gửi lại hồ sơ.",
            "request-withdrawal" => "Đã gửi yêu cầu rút hồ sơ.",
            "request-postal-delivery" => "Đã đăng ký nhận kết quả qua bưu chính.",
            "rate" => "Cảm ơn bạn đã đánh giá.",
            _ => "Đã ghi nhận.",
        }
        .to_string()
    });
    dossier_page(&app, tenant.as_deref(), &viewer, &id, notice, Vec::new()).await
}

/// The command a dossier page's form asks for.
fn command_of(
    name: &str,
    f: &HashMap<String, String>,
    files: Vec<motcua_core::dossier::ComponentFile>,
) -> Result<Command, Vec<Problem>> {
    let get = |k: &str| f.get(k).map(|v| v.trim().to_string()).unwrap_or_default();
    let problem = |field: &str, message: &str| {
        vec![Problem {
            field: field.into(),
            message: message.into(),
        }]
    };
    let point = |k: &str| get(k).parse::<u8>().ok();
    Ok(match name {
        "receive-supplement" | "resubmit" if files.is_empty() => {
            return Err(problem("loi-tieu-de", "Chọn ít nhất một tệp để gửi."));
        }
        "receive-supplement" => Command::ReceiveSupplement {
            items: files.iter().map(|f| f.component.clone()).collect(),
            files,
        },
        "resubmit" => Command::Resubmit {
            form: Default::default(),
            components: Vec::new(),
            files,
        },
        "request-withdrawal" => Command::RequestWithdrawal {
            reason: get("reason"),
        },
        "request-postal-delivery" => Command::RequestPostalDelivery {
            address: get("address"),
            phone: get("phone"),
        },
        "rate" => {
            let Some(score) = point("score").filter(|s| (1..=5).contains(s)) else {
                return Err(problem("score", "Chọn mức độ hài lòng."));
            };
            Command::Rate {
                score,
                comment: get("comment"),
                indicators: RatingIndicators {
                    came_back: point("came_back"),
                    bodies_contacted: point("bodies_contacted"),
                    attitude: point("attitude"),
                },
            }
        }
        _ => return Err(problem("loi-tieu-de", "Không có thao tác này.")),
    })
}

/// Which field of the page an engine refusal is about.
fn field_of(code: Code) -> &'static str {
    match code {
        Code::InvalidPhone => "phone",
        Code::MissingField => "address",
        Code::InvalidScore => "score",
        _ => "loi-tieu-de",
    }
}

/// `POST /ho-so/{id}/thao-tac` (multipart): one command from the dossier page.
pub(crate) async fn act(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    Path(id): Path<String>,
    req: Request,
) -> Response {
    let t = tenant.as_deref();
    let Some(p) = viewer.principal.clone() else {
        return to_login(&format!("/ho-so/{id}"));
    };
    let read = match Multipart::from_request(req, &app).await {
        Ok(m) => crate::files::read_form(m).await,
        Err(_) => Err(AppError::with(
            Code::InvalidBody,
            "Không đọc được biểu mẫu đã gửi; vui lòng thử lại.",
        )),
    };
    let (fields, uploads) = match read {
        Ok(x) => x,
        Err(e) if e.status() < 500 && e.code != Code::InvalidBody => {
            let problems = vec![Problem {
                field: "loi-tieu-de".into(),
                message: e.message,
            }];
            return dossier_page(&app, t, &viewer, &id, None, problems).await;
        }
        Err(e) => return error_page(&app, t, &viewer, e).await,
    };
    if !viewer.accepts(fields.get("csrf").map(String::as_str)) {
        return error_page(&app, t, &viewer, forged()).await;
    }
    let name = fields.get("lenh").cloned().unwrap_or_default();
    // Files name their component by its position in the procedure.
    let d = match dossiers::visible(&app, &p, &id).await {
        Ok(d) => d,
        Err(e) => return error_page(&app, t, &viewer, e).await,
    };
    let config = match app.config().await {
        Ok(c) => c,
        Err(e) => return error_page(&app, t, &viewer, e).await,
    };
    let components: Vec<String> = config
        .version_of(&d.procedure, &d.procedure_version)
        .map(|p| p.components.iter().map(|c| c.name.clone()).collect())
        .unwrap_or_default();
    let mut named = Vec::new();
    for (input, upload) in uploads {
        let Some(c) = input
            .strip_prefix("component.")
            .and_then(|i| i.parse::<usize>().ok())
            .and_then(|i| components.get(i))
        else {
            continue;
        };
        named.push((c.clone(), upload));
    }
    let (files, attachments) = dossiers::component_files(named);
    let command = match command_of(&name, &fields, files) {
        Ok(c) => c,
        Err(problems) => return dossier_page(&app, t, &viewer, &id, None, problems).await,
    };
    match dossiers::run(&app, &p, &id, command, Some(d.version), attachments).await {
        Ok(_) => see_other(&format!("/ho-so/{id}?xong={name}"), &[]),
        Err(e) if e.status() < 500 && e.status() != 404 => {
            let problems = vec![Problem {
                field: field_of(e.code).into(),
                message: e.message,
            }];
            dossier_page(&app, t, &viewer, &id, None, problems).await
        }
        Err(e) => error_page(&app, t, &viewer, e).await,
    }
}

/// `GET /ho-so/{id}/tep/{sha256}`: a file of the dossier (what was sent; the signed result
/// once issued).
/// `GET /ho-so/{id}/bieu-mau/{form}`: a form addressed to the applicant (the receipt, a
/// request, a refusal, a letter), as PDF.
pub(crate) async fn form(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    Path((id, form)): Path<(String, String)>,
) -> Response {
    let Some(p) = &viewer.principal else {
        return to_login(&format!("/ho-so/{id}"));
    };
    match crate::app::forms::render(&app, p, &id, &form).await {
        Ok(r) => crate::files::download(&r.file_name, "application/pdf", r.pdf, true),
        Err(e) => error_page(&app, tenant.as_deref(), &viewer, e).await,
    }
}

pub(crate) async fn file(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    Path((id, sha)): Path<(String, String)>,
) -> Response {
    let Some(p) = &viewer.principal else {
        return to_login(&format!("/ho-so/{id}"));
    };
    match dossiers::attachment(&app, p, &id, &sha).await {
        Ok((name, content_type, bytes)) => {
            crate::files::download(&name, &content_type, bytes, false)
        }
        Err(e) => error_page(&app, tenant.as_deref(), &viewer, e).await,
    }
}
