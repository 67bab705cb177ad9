//! The staff back office, first part: the officer's queue, the dossier workspace, desk
//! intake and the feedback inbox.
//!
//! `/can-bo` is the queue of the officer's agency, most urgent first, with counts (overdue,
//! due today, due this week), filters by role and due, and search by code, name or ID
//! number without diacritics. `/can-bo/ho-so/{id}` is the workspace: the applicant and the
//! form, the files (images shown in the page, PDFs opened in the browser), what the agency
//! asked, the appointment, the timeline and the process-control slip, and one form for each
//! command the engine says this officer may run now, with exactly the fields that command
//! needs (`motcua_core::dossier::fields_of`). Every form posts to `/can-bo/ho-so/{id}/lenh`,
//! which runs the command through the application layer; no rule is decided here.

use askama::Template;
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Utc};
use motcua_core::calendar::to_local_vi;
use motcua_core::dossier::{Available, Dossier, Field, State as DState};
use motcua_core::procedure::{Procedure, Role};
use serde_json::{Map, Value, json};
use std::collections::HashMap;

use super::accounts::{forged, to_login};
use super::timeline;
use super::{Layout, Viewer, error_page, page_for, see_other, text};
use crate::app::drafts::Problem;
use crate::app::{AppError, Code, Principal, dossiers};
use crate::{AppState, Tenant};

const PER_PAGE: usize = 20;

/// The officer on a back-office page: logged in (else the login page, coming back), the
/// first password changed, and a staff account (else a refusal).
#[allow(clippy::result_large_err)] // an answer, built once, never propagated far
fn officer<'a>(viewer: &'a Viewer, here: &str) -> Result<&'a Principal, Option<Response>> {
    match &viewer.principal {
        None => Err(Some(to_login(here))),
        Some(p) if p.user.must_change_password => Err(Some(see_other("/doi-mat-khau", &[]))),
        Some(p) if p.is_staff() => Ok(p),
        Some(_) => Err(None),
    }
}

/// The agency an officer works at on this site: the site's where they hold a role there,
/// else their first.
pub(super) fn agency_of(p: &Principal, tenant: Option<&str>) -> String {
    tenant
        .filter(|a| p.grants.iter().any(|g| g.agency_id == *a))
        .map(str::to_string)
        .or_else(|| p.grants.first().map(|g| g.agency_id.clone()))
        .unwrap_or_default()
}

/// The officer of a back-office page, or the answer to give instead: the login page
/// (coming back to `here`), the password change, or the refusal for a non-staff account.
pub(super) async fn signed_in(
    app: &AppState,
    tenant: Option<&str>,
    viewer: &Viewer,
    here: &str,
) -> Result<Principal, Response> {
    match officer(viewer, here) {
        Ok(p) => Ok(p.clone()),
        Err(Some(r)) => Err(r),
        Err(None) => Err(error_page(app, tenant, viewer, staff_only()).await),
    }
}

/// An agency's name, or its id when the configuration does not know it.
pub(super) fn agency_name(config: &crate::app::config::Config, id: &str) -> String {
    config
        .directory
        .get(id)
        .map_or_else(|| id.to_string(), |a| a.name.clone())
}

fn staff_only() -> AppError {
    AppError::forbidden("Trang này dành cho cán bộ, công chức của cơ quan.")
}

fn local_date(t: DateTime<Utc>) -> NaiveDate {
    (t + TimeDelta::seconds(i64::from(motcua_core::calendar::VN_OFFSET_SECS))).date_naive()
}

struct QueueRow {
    id: String,
    code: String,
    procedure: String,
    applicant: String,
    step: String,
    state: String,
    due: String,
    /// `late`, `today`, `week` or empty: how urgent, for the tag and its colour.
    urgency: &'static str,
}

#[derive(Template)]
#[template(path = "office_queue.html")]
struct QueuePage {
    layout: Layout,
    agency: String,
    /// Whether the officer administers the system (the procedures' page is theirs).
    admin: bool,
    /// Whether the officer administers their agency's staff accounts.
    staff_admin: bool,
    q: String,
    roles: Vec<(String, String, bool)>,
    due: String,
    procedures: Vec<(String, String, bool)>,
    fields: Vec<(String, String, bool)>,
    channel: String,
    overdue: usize,
    today: usize,
    week: usize,
    total: usize,
    summary: String,
    error: Option<String>,
    rows: Vec<QueueRow>,
    page: usize,
    pages: usize,
    prev: Option<String>,
    next: Option<String>,
    /// Unread notifications and reminders in the officer's inbox.
    unread: i64,
}

fn queue_link(filters: &[(&str, &str)], page: usize) -> String {
    let mut parts = Vec::new();
    for (k, v) in filters.iter().copied() {
        if !v.is_empty() {
            parts.push(format!("{k}={}", super::public::encode(v)));
        }
    }
    if page > 1 {
        parts.push(format!("trang={page}"));
    }
    if parts.is_empty() {
        "/can-bo".into()
    } else {
        format!("/can-bo?{}", parts.join("&"))
    }
}

fn choices_of(options: &[(String, String)], chosen: &str) -> Vec<(String, String, bool)> {
    options
        .iter()
        .map(|(v, l)| (v.clone(), l.clone(), v == chosen))
        .collect()
}

/// `GET /can-bo[?q=&vai-tro=&han=&thu-tuc=&linh-vuc=&kenh=&trang=]`: the officer's queue.
pub(crate) async fn queue(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let t = tenant.as_deref();
    let p = match signed_in(&app, t, &viewer, "/can-bo").await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let p = &p;
    let get = |k: &str| q.get(k).map(|s| s.trim().to_string()).unwrap_or_default();
    let (text_q, role, due) = (get("q"), get("vai-tro"), get("han"));
    let (procedure, field, channel) = (get("thu-tuc"), get("linh-vuc"), get("kenh"));
    let some = |v: &String| (!v.is_empty()).then(|| v.clone());
    let page_no: usize = q
        .get("trang")
        .and_then(|p| p.parse().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1);
    let config = match app.config().await {
        Ok(c) => c,
        Err(e) => return error_page(&app, t, &viewer, e).await,
    };
    let agency_id = agency_of(p, t);
    let agency = agency_name(&config, &agency_id);
    // The counts from the queue's index; then what the filters and the search keep.
    let (overdue, due_today, due_week, total) =
        match dossiers::queue_counts(&app, p, &agency_id).await {
            Ok(c) => (c.0 as usize, c.1 as usize, c.2 as usize, c.3 as usize),
            Err(e) => return error_page(&app, t, &viewer, e).await,
        };
    let mut error = None;
    let unfiltered = role.is_empty()
        && due.is_empty()
        && procedure.is_empty()
        && field.is_empty()
        && channel.is_empty();
    let listed = if !text_q.is_empty() {
        match dossiers::search(&app, p, &text_q, Some(&agency_id)).await {
            Ok(found) => found,
            Err(e) if e.status() < 500 => {
                error = Some(e.message);
                Vec::new()
            }
            Err(e) => return error_page(&app, t, &viewer, e).await,
        }
    } else {
        let filtered = dossiers::queue(
            &app,
            p,
            t,
            dossiers::QueueQuery {
                agency: Some(agency_id.clone()),
                role: (!role.is_empty()).then(|| role.clone()),
                due: match due.as_str() {
                    "qua-han" => Some("overdue".into()),
                    "sap-den-han" => Some("due-soon".into()),
                    _ => None,
                },
                procedure: some(&procedure),
                field: some(&field),
                channel: some(&channel),
                // Unfiltered, the counts give the number of pages: read up to this page only.
                limit: unfiltered.then_some((page_no * PER_PAGE) as u32),
                ..Default::default()
            },
        )
        .await;
        match filtered {
            Ok(list) => list,
            Err(e) if e.status() < 500 => {
                error = Some(e.message);
                Vec::new()
            }
            Err(e) => return error_page(&app, t, &viewer, e).await,
        }
    };
    let now = app.now();
    let today = local_date(now);
    let week_end = today + TimeDelta::days(i64::from(7 - today.weekday().num_days_from_monday()));
    let urgency = |due: Option<DateTime<Utc>>| match due {
        Some(d) if d < now => "late",
        Some(d) if local_date(d) == today => "today",
        Some(d) if local_date(d) < week_end => "week",
        _ => "",
    };
    let pages = if unfiltered && text_q.is_empty() {
        total.min(dossiers::QUEUE_LIMIT as usize)
    } else {
        listed.len()
    }
    .div_ceil(PER_PAGE)
    .max(1);
    let page_no = page_no.min(pages);
    let rows = listed
        .iter()
        .skip((page_no - 1) * PER_PAGE)
        .take(PER_PAGE)
        .map(|d| {
            let procedure = config.newest_of(&d.procedure);
            QueueRow {
                id: d.id.clone(),
                code: d
                    .code
                    .clone()
                    .unwrap_or_else(|| format!("{} (chưa tiếp nhận)", d.id)),
                procedure: procedure.map_or(d.procedure.clone(), |p| p.catalogue.name.clone()),
                applicant: d.applicant_name.clone(),
                step: d
                    .step
                    .as_deref()
                    .map(|s| {
                        procedure
                            .and_then(|p| p.step(s))
                            .map_or(s.to_string(), |s| s.name.clone())
                    })
                    .unwrap_or_else(|| "Chờ tiếp nhận".into()),
                state: text::state(&d.state),
                due: d
                    .due
                    .map_or_else(|| "Tạm dừng tính thời gian".into(), to_local_vi),
                urgency: urgency(d.due),
            }
        })
        .collect();
    let mut held: Vec<&str> = p
        .grants
        .iter()
        .filter(|g| g.agency_id == agency_id)
        .map(|g| g.role.as_str())
        .collect();
    held.sort_unstable();
    held.dedup();
    let roles = held
        .into_iter()
        .filter_map(|r| {
            Role::parse(r).map(|x| (r.to_string(), text::capitalised(x.label_vi()), r == role))
        })
        .collect();
    let kept = [
        ("q", text_q.as_str()),
        ("vai-tro", role.as_str()),
        ("han", due.as_str()),
        ("thu-tuc", procedure.as_str()),
        ("linh-vuc", field.as_str()),
        ("kenh", channel.as_str()),
    ];
    let mut handled: Vec<(String, String)> = config
        .latest()
        .into_iter()
        .filter(|x| config.handles(&agency_id, &x.catalogue.code))
        .map(|x| (x.catalogue.code.clone(), x.catalogue.name.clone()))
        .collect();
    handled.sort_by(|a, b| a.1.cmp(&b.1));
    let mut fields_handled: Vec<(String, String)> = config
        .latest()
        .into_iter()
        .filter(|x| config.handles(&agency_id, &x.catalogue.code))
        .map(|x| (x.catalogue.field.clone(), x.catalogue.field.clone()))
        .collect();
    fields_handled.sort();
    fields_handled.dedup();
    let summary = match (listed.len(), text_q.is_empty()) {
        (0, false) => format!("Không tìm thấy hồ sơ nào cho “{text_q}”."),
        (0, true) => "Không có hồ sơ nào đang chờ.".to_string(),
        (n, false) => format!("Tìm thấy {n} hồ sơ cho “{text_q}”."),
        (n, true) => format!("{n} hồ sơ."),
    };
    let unread = match crate::app::notifications::unread(&app, p).await {
        Ok(n) => n,
        Err(e) => return error_page(&app, t, &viewer, e).await,
    };
    let view = QueuePage {
        unread,
        layout: Layout::new(&app, t, "office", &viewer).await,
        agency,
        admin: crate::app::procedures::may_publish(p),
        staff_admin: p
            .grants
            .iter()
            .any(|g| matches!(g.role.as_str(), "agency-admin" | "system-admin")),
        prev: (page_no > 1).then(|| queue_link(&kept, page_no - 1)),
        next: (page_no < pages).then(|| queue_link(&kept, page_no + 1)),
        procedures: choices_of(&handled, &procedure),
        fields: choices_of(&fields_handled, &field),
        channel: channel.clone(),
        q: text_q,
        roles,
        due,
        overdue,
        today: due_today,
        week: due_week,
        total,
        summary,
        error,
        rows,
        page: page_no,
        pages,
    };
    page_for(&viewer, StatusCode::OK, &view)
}

/// One input of a command's form.
struct Input {
    /// The form field's name (`f.reason`).
    name: String,
    label: &'static str,
    /// `text`, `textarea`, `datetime-local`, `number`, `select`, `checkbox`, `outcome`,
    /// `file`, `components`.
    kind: &'static str,
    required: bool,
    options: Vec<(String, String)>,
}

struct Action {
    command: &'static str,
    title: String,
    button: &'static str,
    inputs: Vec<Input>,
}

fn input_of(f: &Field, a: &Available, p: Option<&Procedure>) -> Input {
    let kind = match f.kind {
        "list" => "textarea",
        "text"
            if matches!(
                f.name,
                "reason" | "note" | "instructions" | "content" | "answer"
            ) =>
        {
            "textarea"
        }
        "instant" => "datetime-local",
        "number" => "number",
        "step" => "select",
        "bool" => "checkbox",
        "outcome" => "outcome",
        "file" if f.name == "files" => "components",
        "file" => "file",
        _ => "text",
    };
    let options = match f.kind {
        "step" => a
            .targets
            .iter()
            .map(|s| {
                let name = p
                    .and_then(|p| p.step(s))
                    .map_or(s.clone(), |x| x.name.clone());
                (s.clone(), name)
            })
            .collect(),
        _ => Vec::new(),
    };
    Input {
        name: format!("f.{}", f.name),
        label: f.label_vi,
        kind,
        required: f.required,
        options,
    }
}

struct FileRow {
    href: String,
    name: String,
    component: String,
    image: bool,
}

#[derive(Template)]
#[template(path = "office_dossier.html")]
struct WorkspacePage {
    layout: Layout,
    id: String,
    version: u64,
    title: String,
    notice: Option<String>,
    problems: Vec<Problem>,
    facts: Vec<(String, String)>,
    why: Vec<String>,
    applicant: Vec<(String, String)>,
    form: Vec<(String, String)>,
    files: Vec<FileRow>,
    results: Vec<FileRow>,
    components: Vec<String>,
    actions: Vec<Action>,
    timeline: Vec<timeline::Entry>,
    slip: Vec<(String, String, String, String, String)>,
    max_mb: usize,
    consultations: Vec<ConsultationView>,
    /// (when, where), in order.
    verifications: Vec<(String, String)>,
    /// The legal forms it can print now: (key, "Mẫu số 01 – title").
    forms: Vec<(String, String)>,
    /// The form the action just run produced, to print now.
    print_now: Option<(String, String)>,
    /// Once the result is returned, the scoring tool's indicators read from the dossier:
    /// (indicator, points).
    score: Vec<(String, u8)>,
}

/// A consultation as the workspace shows it.
struct ConsultationView {
    id: String,
    content: String,
    deadline: String,
    /// Past its deadline with agencies still silent.
    late: bool,
    /// (agency, its answer or what is awaited, answered late).
    answers: Vec<(String, String, bool)>,
}

impl WorkspacePage {
    fn err(&self, field: &str) -> Option<&str> {
        super::submit::find(&self.problems, field)
    }
}

/// Why the appointment is the date it is, in words: the time limit, when counting began,
/// the days without working time in between with their sources, and whether a year's
/// holidays are still only proposed.
fn why_this_date(d: &Dossier, calendar: &motcua_core::calendar::WorkingCalendar) -> Vec<String> {
    use motcua_core::calendar::DayReason;
    let (Some(limit), Some(start), Some(end)) =
        (d.clock.limit, d.clock.counting_start, d.clock.appointment)
    else {
        return Vec::new();
    };
    let mut lines = vec![
        format!("Thời hạn giải quyết: {}.", text::duration(&limit)),
        format!("Bắt đầu tính từ {}.", to_local_vi(start)),
    ];
    if d.supplement_rounds > 0 {
        lines.push(format!(
            "Đã yêu cầu bổ sung {} lần; thời gian chờ bổ sung không tính vào thời hạn.",
            d.supplement_rounds
        ));
    }
    if d.extensions_used > 0 {
        lines.push(format!("Đã gia hạn {} lần.", d.extensions_used));
    }
    if let Ok(days) = calendar.days_between(start, end.max(start)) {
        let weekly = days
            .skipped
            .iter()
            .filter(|s| matches!(s.reason, DayReason::WeeklyRest { .. }))
            .count();
        if weekly > 0 {
            lines.push(format!(
                "Không tính {weekly} ngày nghỉ hằng tuần (thứ Bảy, Chủ nhật)."
            ));
        }
        for s in &days.skipped {
            if let DayReason::DayOff(info) = &s.reason {
                lines.push(format!(
                    "Không tính ngày {}: {} ({}{}).",
                    s.date.format("%d/%m/%Y"),
                    info.exception.name,
                    info.exception.source,
                    if info.proposed { ", dự kiến" } else { "" }
                ));
            }
        }
        for w in &days.make_up_days {
            lines.push(format!(
                "Tính ngày {} là ngày làm việc bù: {} ({}).",
                w.exception.date.format("%d/%m/%Y"),
                w.exception.name,
                w.exception.source
            ));
        }
        for y in &days.proposed_years {
            lines.push(format!(
                "Lịch nghỉ lễ năm {y} chưa được công bố chính thức; ngày hẹn tính theo lịch dự kiến và được tính lại khi có công bố."
            ));
        }
    }
    lines
}

fn or_dash(s: &str) -> String {
    if s.trim().is_empty() {
        "—".into()
    } else {
        s.to_string()
    }
}

fn file_row(id: &str, a: &motcua_core::dossier::Attachment, component: &str) -> FileRow {
    let lower = a.name.to_lowercase();
    FileRow {
        href: format!("/can-bo/ho-so/{id}/tep/{}", a.sha256),
        name: a.name.clone(),
        component: component.to_string(),
        image: lower.ends_with(".png") || lower.ends_with(".jpg") || lower.ends_with(".jpeg"),
    }
}

async fn workspace_page(
    app: &AppState,
    tenant: Option<&str>,
    viewer: &Viewer,
    p: &Principal,
    id: &str,
    notice: Option<String>,
    problems: Vec<Problem>,
) -> Response {
    workspace_page_after(app, tenant, viewer, p, id, notice, problems, None).await
}

/// The workspace after the command `done` (its form offered first).
#[allow(clippy::too_many_arguments)]
async fn workspace_page_after(
    app: &AppState,
    tenant: Option<&str>,
    viewer: &Viewer,
    p: &Principal,
    id: &str,
    notice: Option<String>,
    problems: Vec<Problem>,
    done: Option<&str>,
) -> Response {
    let view = match dossiers::read(app, p, id).await {
        Ok(v) => v,
        Err(e) => return error_page(app, tenant, viewer, e).await,
    };
    let config = match app.config().await {
        Ok(c) => c,
        Err(e) => return error_page(app, tenant, viewer, e).await,
    };
    let d: &Dossier = &view.dossier;
    let proc = config.version_of(&d.procedure, &d.procedure_version);
    let mut facts = vec![
        (
            "Mã hồ sơ".to_string(),
            d.code.as_ref().map_or_else(
                || format!("Chưa tiếp nhận (số {})", d.id),
                ToString::to_string,
            ),
        ),
        ("Tình trạng".into(), text::capitalised(d.state.label_vi())),
        (
            "Kênh nộp".into(),
            text::capitalised(d.channel.map_or("—", timeline::channel_vi)),
        ),
    ];
    if let Some(step) = &d.step {
        let name = proc
            .and_then(|p| p.step(step))
            .map_or(step.clone(), |s| s.name.clone());
        facts.push(("Đang ở bước".into(), name));
    }
    if let Some(a) = &d.assignee {
        facts.push(("Cán bộ được giao".into(), a.clone()));
    }
    if let Some(t) = d.submitted_at {
        facts.push(("Ngày nộp".into(), to_local_vi(t)));
    }
    if d.state == DState::Submitted
        && let Some(t) = d.intake_due
    {
        facts.push(("Hạn tiếp nhận (8 giờ làm việc)".into(), to_local_vi(t)));
    }
    if let Some(t) = d.accepted_at {
        facts.push(("Ngày tiếp nhận".into(), to_local_vi(t)));
    }
    if let Some(t) = d.clock.original_appointment {
        facts.push(("Ngày hẹn theo quy định".into(), to_local_vi(t)));
    }
    if let Some(t) = d.clock.appointment
        && Some(t) != d.clock.original_appointment
    {
        facts.push(("Ngày hẹn hiện tại".into(), to_local_vi(t)));
    }
    if let Some(x) = &d.postal_delivery {
        facts.push((
            "Trả kết quả qua bưu chính".into(),
            format!("{} (điện thoại {})", x.address, x.phone),
        ));
    }
    if d.withdrawal_requested.is_some() {
        facts.push(("Yêu cầu của người nộp".into(), "Xin rút hồ sơ".into()));
    }
    let a = &d.applicant;
    let applicant = vec![
        ("Họ và tên".to_string(), or_dash(&a.name)),
        ("Số định danh cá nhân".into(), or_dash(&a.id_number)),
        ("Địa chỉ".into(), or_dash(&a.address)),
        ("Số điện thoại".into(), or_dash(&a.phone)),
        ("Thư điện tử".into(), or_dash(&a.email)),
    ];
    let form = match proc {
        Some(p) => p
            .form_fields
            .iter()
            .map(|f| {
                (
                    f.label.clone(),
                    or_dash(d.form.get(&f.key).map_or("", String::as_str)),
                )
            })
            .collect(),
        None => d.form.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
    };
    let files = d
        .files
        .iter()
        .map(|f| file_row(id, &f.attachment, &f.component))
        .collect();
    let mut results: Vec<FileRow> = d
        .drafts
        .iter()
        .map(|a| file_row(id, a, "Dự thảo kết quả"))
        .collect();
    if let Some(r) = &d.signed_result {
        results.push(file_row(id, r, "Kết quả đã ký số"));
    }
    let actions = view
        .available
        .iter()
        .map(|a| Action {
            command: a.command,
            title: a.label_vi.to_string(),
            button: if matches!(a.command, "refuse" | "stop" | "return-for-completion") {
                "Xác nhận"
            } else {
                "Thực hiện"
            },
            inputs: a.fields.iter().map(|f| input_of(f, a, proc)).collect(),
        })
        .collect();
    let title = proc.map_or(d.procedure.clone(), |p| p.catalogue.name.clone());
    let forms: Vec<(String, String)> = proc
        .map(|proc| crate::app::forms::offered(d, proc, &view.events))
        .unwrap_or_default()
        .into_iter()
        .map(|f| (f.key, format!("Mẫu số {} – {}", f.number, f.title)))
        .collect();
    let print_now = done
        .and_then(crate::app::forms::produced_by)
        .and_then(|key| forms.iter().find(|(k, _)| k == key).cloned());
    let view_model = WorkspacePage {
        layout: Layout::new(app, tenant, "office", viewer).await,
        id: id.to_string(),
        version: d.version,
        title,
        notice,
        problems,
        // Explained with the calendar the dossier's deadlines were computed with.
        why: why_this_date(
            d,
            &d.calendar_version
                .as_deref()
                .and_then(|v| config.compiled(v))
                .or_else(|| config.calendar_for(&d.agency).ok())
                .unwrap_or_else(|| config.calendar.clone()),
        ),
        facts,
        applicant,
        form,
        files,
        results,
        components: proc
            .map(|p| p.components.iter().map(|c| c.name.clone()).collect())
            .unwrap_or_default(),
        actions,
        timeline: timeline::for_applicant(&view.events, proc),
        slip: timeline::slip(d, proc),
        max_mb: crate::limits::FILE_BYTES / (1024 * 1024),
        consultations: d
            .consultations
            .iter()
            .map(|c| {
                let answers: Vec<(String, String, bool)> = c
                    .agencies
                    .iter()
                    .map(|a| match c.answers.get(a) {
                        Some((answer, late)) => (agency_name(&config, a), answer.clone(), *late),
                        None => (agency_name(&config, a), "Chưa trả lời".to_string(), false),
                    })
                    .collect();
                ConsultationView {
                    id: c.id.clone(),
                    content: c.content.clone(),
                    deadline: to_local_vi(c.deadline),
                    late: c.deadline < app.now()
                        && c.agencies.iter().any(|a| !c.answers.contains_key(a)),
                    answers,
                }
            })
            .collect(),
        verifications: d
            .verifications
            .iter()
            .map(|(at, place)| (to_local_vi(*at), place.clone()))
            .collect(),
        forms,
        print_now,
        score: motcua_core::evaluation::score(d)
            .map(|s| {
                [0usize, 1, 2, 3, 4, 6]
                    .iter()
                    .zip(s.values())
                    .map(|(i, v)| {
                        (
                            format!("{}. {}", i + 1, motcua_core::evaluation::INDICATORS[*i]),
                            v,
                        )
                    })
                    .collect()
            })
            .unwrap_or_default(),
    };
    page_for(
        viewer,
        super::submit::status_of(&view_model.problems),
        &view_model,
    )
}

/// `GET /can-bo/ho-so/{id}[?xong=command]`.
pub(crate) async fn workspace(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let t = tenant.as_deref();
    let p = match signed_in(&app, t, &viewer, &format!("/can-bo/ho-so/{id}")).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let notice = q.get("xong").map(|c| {
        format!(
            "Đã thực hiện: {}. Hồ sơ dưới đây là tình trạng sau thao tác.",
            motcua_core::dossier::label_vi(c)
        )
    });
    let done = q.get("xong").map(String::as_str);
    workspace_page_after(&app, t, &viewer, &p, &id, notice, Vec::new(), done).await
}

/// `GET /can-bo/ho-so/{id}/bieu-mau/{form}`: a legal form of the dossier as PDF, shown in
/// the browser to print.
pub(crate) async fn form(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    Path((id, form)): Path<(String, String)>,
) -> Response {
    let t = tenant.as_deref();
    let p = match signed_in(&app, t, &viewer, &format!("/can-bo/ho-so/{id}")).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    match crate::app::forms::render(&app, &p, &id, &form).await {
        Ok(r) => crate::files::download(&r.file_name, "application/pdf", r.pdf, true),
        Err(e) => error_page(&app, t, &viewer, e).await,
    }
}

/// `GET /can-bo/ho-so/{id}/tep/{sha256}[?xem=1]`: a file of the dossier, in the browser
/// (`xem`) or downloaded.
pub(crate) async fn file(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    Path((id, sha)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let t = tenant.as_deref();
    let p = match signed_in(&app, t, &viewer, &format!("/can-bo/ho-so/{id}")).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    match dossiers::attachment(&app, &p, &id, &sha).await {
        Ok((name, content_type, bytes)) => {
            crate::files::download(&name, &content_type, bytes, q.contains_key("xem"))
        }
        Err(e) => error_page(&app, t, &viewer, e).await,
    }
}

/// The command a workspace form asks for, as the engine's JSON, with the files it carries.
/// Each field is read by its kind; what the engine refuses is its to say.
fn command_json(
    name: &str,
    fields: &HashMap<String, String>,
) -> Result<Map<String, Value>, Vec<Problem>> {
    let mut m = Map::new();
    m.insert("command".into(), json!(name));
    let mut problems = Vec::new();
    let mut rejected_reason = None;
    for f in motcua_core::dossier::fields_of(name) {
        let raw = fields
            .get(&format!("f.{}", f.name))
            .map(|s| s.trim().to_string())
            .unwrap_or_default();
        let value = match f.kind {
            "list" => {
                let items: Vec<&str> = raw
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .collect();
                if items.is_empty() && !f.required {
                    continue;
                }
                json!(items)
            }
            "bool" => json!(!raw.is_empty()),
            "number" => match raw.replace(['.', ' '], "").parse::<u64>() {
                Ok(n) => json!(n),
                Err(_) if raw.is_empty() && !f.required => continue,
                Err(_) => {
                    problems.push(Problem {
                        field: format!("{name}.{}", f.name),
                        message: format!("{}: nhập một số nguyên, ví dụ 500000.", f.label_vi),
                    });
                    continue;
                }
            },
            "instant" => {
                if raw.is_empty() {
                    if f.required {
                        problems.push(Problem {
                            field: format!("{name}.{}", f.name),
                            message: format!("Chọn {}.", f.label_vi.to_lowercase()),
                        });
                    }
                    continue;
                }
                // A browser's datetime-local is local time without seconds.
                let with_seconds = if raw.len() == 16 {
                    format!("{raw}:00")
                } else {
                    raw
                };
                json!(format!("{with_seconds}+07:00"))
            }
            "outcome" => {
                if raw == "rejected" {
                    rejected_reason = Some(
                        fields
                            .get("f.reason")
                            .map(|s| s.trim().to_string())
                            .unwrap_or_default(),
                    );
                    json!({"kind": "rejected", "reason": ""})
                } else {
                    json!({"kind": "granted"})
                }
            }
            "file" => continue,
            "duration" => {
                if raw.is_empty() && !f.required {
                    continue;
                }
                if raw.parse::<motcua_core::calendar::Duration>().is_err() {
                    problems.push(Problem {
                        field: format!("{name}.{}", f.name),
                        message: format!(
                            "{}: nhập một số kèm đơn vị: wd (ngày làm việc), wh (giờ làm việc), cd (ngày), ví dụ 5wd.",
                            f.label_vi
                        ),
                    });
                    continue;
                }
                json!(raw)
            }
            _ => {
                if raw.is_empty() && !f.required {
                    continue;
                }
                json!(raw)
            }
        };
        m.insert(f.name.into(), value);
    }
    if name == "mark-finished" {
        // The reason belongs to a rejected outcome, not to the command.
        m.remove("reason");
        if let Some(reason) = rejected_reason {
            m.insert(
                "outcome".into(),
                json!({"kind": "rejected", "reason": reason}),
            );
        }
    }
    if problems.is_empty() {
        Ok(m)
    } else {
        Err(problems)
    }
}

/// `POST /can-bo/ho-so/{id}/lenh` (multipart): one command from the workspace.
pub(crate) async fn act(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    Path(id): Path<String>,
    req: Request,
) -> Response {
    let t = tenant.as_deref();
    let p = match signed_in(&app, t, &viewer, &format!("/can-bo/ho-so/{id}")).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let read = match Multipart::from_request(req, &app).await {
        Ok(m) => crate::files::read_form(m).await,
        Err(_) => Err(AppError::with(
            Code::InvalidBody,
            "Không đọc được biểu mẫu đã gửi; vui lòng thử lại.",
        )),
    };
    let problem = |message: String| {
        vec![Problem {
            field: "loi-tieu-de".into(),
            message,
        }]
    };
    let (fields, uploads) = match read {
        Ok(x) => x,
        Err(e) if e.status() < 500 && e.code != Code::InvalidBody => {
            return workspace_page(&app, t, &viewer, &p, &id, None, problem(e.message)).await;
        }
        Err(e) => return error_page(&app, t, &viewer, e).await,
    };
    if !viewer.accepts(fields.get("csrf").map(String::as_str)) {
        return error_page(&app, t, &viewer, forged()).await;
    }
    let name = fields.get("lenh").cloned().unwrap_or_default();
    let mut body = match command_json(&name, &fields) {
        Ok(m) => m,
        Err(problems) => return workspace_page(&app, t, &viewer, &p, &id, None, problems).await,
    };
    // Files: one for a draft or the signed result, else by component.
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
    let mut attachments = Vec::new();
    if matches!(name.as_str(), "attach-draft" | "attach-signed-result") {
        let Some((_, upload)) = uploads.into_iter().find(|(k, _)| k == "f.attachment") else {
            return workspace_page(
                &app,
                t,
                &viewer,
                &p,
                &id,
                None,
                vec![Problem {
                    field: format!("{name}.attachment"),
                    message: "Chọn tệp cần đính kèm.".into(),
                }],
            )
            .await;
        };
        if name == "attach-signed-result" && upload.content_type != "application/pdf" {
            return workspace_page(
                &app,
                t,
                &viewer,
                &p,
                &id,
                None,
                vec![Problem {
                    field: format!("{name}.attachment"),
                    message: "Kết quả đã ký số phải là tệp PDF.".into(),
                }],
            )
            .await;
        }
        body.insert(
            "attachment".into(),
            json!({"name": upload.name, "sha256": motcua_store::sha256_hex(&upload.bytes)}),
        );
        attachments.push(motcua_store::NewAttachment {
            bytes: upload.bytes,
            content_type: upload.content_type,
        });
    } else if motcua_core::dossier::fields_of(&name)
        .iter()
        .any(|f| f.name == "files")
    {
        let named = uploads
            .into_iter()
            .filter_map(|(input, upload)| {
                let c = input
                    .strip_prefix("component.")
                    .and_then(|i| i.parse::<usize>().ok())
                    .and_then(|i| components.get(i))?;
                Some((c.clone(), upload))
            })
            .collect();
        let (files, new) = dossiers::component_files(named);
        body.insert("files".into(), json!(files));
        attachments = new;
    }
    let command = match crate::json::dossiers::command_from_client(Value::Object(body), true) {
        Ok(c) => c,
        Err(e) => return workspace_page(&app, t, &viewer, &p, &id, None, problem(e.message)).await,
    };
    let expected = fields.get("phien-ban").and_then(|v| v.parse().ok());
    match dossiers::run(&app, &p, &id, command, expected, attachments).await {
        Ok(_) => see_other(&format!("/can-bo/ho-so/{id}?xong={name}"), &[]),
        Err(e) if e.status() < 500 && e.status() != 404 => {
            let message = if e.status() == 409 {
                "Hồ sơ vừa được người khác thay đổi; trang dưới đây là tình trạng mới nhất, hãy xem lại rồi thực hiện lại.".to_string()
            } else {
                e.message
            };
            workspace_page(&app, t, &viewer, &p, &id, None, problem(message)).await
        }
        Err(e) => error_page(&app, t, &viewer, e).await,
    }
}

struct FeedbackRow {
    id: String,
    subject: String,
    body: String,
    from: String,
    dossier: Option<String>,
    created: String,
    due: String,
    overdue: bool,
    answer: Option<String>,
    published: bool,
}

#[derive(Template)]
#[template(path = "office_feedback.html")]
struct FeedbackPage {
    layout: Layout,
    agency: String,
    notice: Option<String>,
    problems: Vec<Problem>,
    open: Vec<FeedbackRow>,
    answered: Vec<FeedbackRow>,
}

impl FeedbackPage {
    fn err(&self, field: &str) -> Option<&str> {
        super::submit::find(&self.problems, field)
    }
}

async fn feedback_page(
    app: &AppState,
    tenant: Option<&str>,
    viewer: &Viewer,
    p: &Principal,
    notice: Option<String>,
    problems: Vec<Problem>,
) -> Response {
    let agency_id = agency_of(p, tenant);
    let items = match crate::app::feedback::inbox(app, p, &agency_id).await {
        Ok(items) => items,
        Err(e) => return error_page(app, tenant, viewer, e).await,
    };
    let agency = match app.config().await {
        Ok(c) => agency_name(&c, &agency_id),
        Err(e) => return error_page(app, tenant, viewer, e).await,
    };
    let now = app.now();
    let (open, answered): (Vec<_>, Vec<_>) = items
        .into_iter()
        .map(|f| FeedbackRow {
            overdue: f.answer.is_none() && f.due_at < now,
            from: if f.author.is_empty() {
                format!(
                    "Không có tài khoản; liên hệ: {}",
                    f.contact.clone().unwrap_or_default()
                )
            } else {
                format!("Tài khoản {}", f.author)
            },
            id: f.id,
            subject: f.subject,
            body: f.body,
            dossier: f.dossier_id,
            created: to_local_vi(f.created_at),
            due: to_local_vi(f.due_at),
            answer: f.answer,
            published: f.published,
        })
        .partition(|f| f.answer.is_none());
    let view = FeedbackPage {
        layout: Layout::new(app, tenant, "office", viewer).await,
        agency,
        notice,
        problems,
        open,
        answered,
    };
    page_for(viewer, super::submit::status_of(&view.problems), &view)
}

/// `GET /can-bo/phan-anh[?da-tra-loi=1]`: the agency's feedback, the unanswered first with
/// their 3-working-day due (Điều 19), each with its answer form.
pub(crate) async fn feedback_inbox(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let t = tenant.as_deref();
    let p = match signed_in(&app, t, &viewer, "/can-bo/phan-anh").await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let notice = q
        .contains_key("da-tra-loi")
        .then(|| "Đã gửi câu trả lời đến người phản ánh.".to_string());
    feedback_page(&app, t, &viewer, &p, notice, Vec::new()).await
}

/// `POST /can-bo/phan-anh/{id}`: the answer, published or not.
pub(crate) async fn answer_feedback(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    Path(id): Path<String>,
    axum::Form(f): axum::Form<HashMap<String, String>>,
) -> Response {
    let t = tenant.as_deref();
    let p = match signed_in(&app, t, &viewer, "/can-bo/phan-anh").await {
        Ok(p) => p,
        Err(r) => return r,
    };
    if !viewer.accepts(f.get("csrf").map(String::as_str)) {
        return error_page(&app, t, &viewer, forged()).await;
    }
    let answer = f
        .get("answer")
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    let publish = f.get("publish").is_some_and(|v| !v.is_empty());
    match crate::app::feedback::answer(&app, &p, &id, &answer, publish).await {
        Ok(_) => see_other("/can-bo/phan-anh?da-tra-loi=1", &[]),
        Err(e) if e.status() < 500 && e.status() != 404 => {
            let problems = vec![Problem {
                field: format!("tra-loi-{id}"),
                message: e.message,
            }];
            feedback_page(&app, t, &viewer, &p, None, problems).await
        }
        Err(e) => error_page(&app, t, &viewer, e).await,
    }
}

struct IntakeComponent {
    index: usize,
    name: String,
    copies: String,
    required: bool,
    ticked: bool,
}

#[derive(Template)]
#[template(path = "office_intake.html")]
struct IntakePage {
    layout: Layout,
    agency: String,
    procedures: Vec<(String, String, bool)>,
    code: String,
    name: String,
    /// The id the dossier will have: sending the page twice registers it once.
    id: String,
    channel: String,
    problems: Vec<Problem>,
    applicant: Vec<super::accounts::Input>,
    form: Vec<super::accounts::Input>,
    components: Vec<IntakeComponent>,
    note: String,
    max_mb: usize,
}

impl IntakePage {
    fn err(&self, field: &str) -> Option<&str> {
        super::submit::find(&self.problems, field)
    }
}

fn text_input(name: &str, label: &str, hint: &str, value: &str) -> super::accounts::Input {
    super::accounts::Input {
        name: name.into(),
        label: label.into(),
        hint: hint.into(),
        kind: "text",
        autocomplete: "off",
        value: value.into(),
    }
}

#[allow(clippy::too_many_arguments)] // the page's whole state, once
async fn intake_page(
    app: &AppState,
    tenant: Option<&str>,
    viewer: &Viewer,
    p: &Principal,
    code: &str,
    id: Option<String>,
    sent: &HashMap<String, String>,
    problems: Vec<Problem>,
) -> Response {
    let config = match app.config().await {
        Ok(c) => c,
        Err(e) => return error_page(app, tenant, viewer, e).await,
    };
    let agency_id = agency_of(p, tenant);
    let agency = agency_name(&config, &agency_id);
    let mut handled: Vec<&Procedure> = config
        .latest()
        .into_iter()
        .filter(|x| config.handles(&agency_id, &x.catalogue.code))
        .collect();
    handled.sort_by(|a, b| a.catalogue.name.cmp(&b.catalogue.name));
    let chosen = handled.iter().find(|x| x.catalogue.code == code).copied();
    let get = |k: &str| sent.get(k).cloned().unwrap_or_default();
    let view = IntakePage {
        layout: Layout::new(app, tenant, "office", viewer).await,
        agency,
        procedures: handled
            .iter()
            .map(|x| {
                (
                    x.catalogue.code.clone(),
                    x.catalogue.name.clone(),
                    x.catalogue.code == code,
                )
            })
            .collect(),
        code: chosen.map_or_else(String::new, |x| x.catalogue.code.clone()),
        name: chosen.map_or_else(String::new, |x| x.catalogue.name.clone()),
        id: id.unwrap_or_else(|| app.ids.next("hs")),
        channel: if get("kenh") == "post" {
            "post".into()
        } else {
            "direct".into()
        },
        applicant: vec![
            text_input("name", "Họ và tên người nộp", "", &get("name")),
            text_input(
                "id_number",
                "Số định danh cá nhân (không bắt buộc)",
                "12 chữ số",
                &get("id_number"),
            ),
            text_input("phone", "Số điện thoại (không bắt buộc)", "", &get("phone")),
            text_input("email", "Thư điện tử (không bắt buộc)", "", &get("email")),
            text_input("address", "Địa chỉ (không bắt buộc)", "", &get("address")),
        ],
        form: chosen
            .map(|x| {
                x.form_fields
                    .iter()
                    .map(|f| {
                        let name = format!("form.{}", f.key);
                        let label = if f.required {
                            f.label.clone()
                        } else {
                            format!("{} (không bắt buộc)", f.label)
                        };
                        text_input(&name, &label, &f.hint, &get(&name))
                    })
                    .collect()
            })
            .unwrap_or_default(),
        components: chosen
            .map(|x| {
                x.components
                    .iter()
                    .enumerate()
                    .map(|(i, c)| IntakeComponent {
                        index: i,
                        name: c.name.clone(),
                        copies: super::submit::copies_of(c),
                        required: c.required,
                        ticked: sent.contains_key(&format!("co.{i}")),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        note: get("note"),
        problems,
        max_mb: crate::limits::FILE_BYTES / (1024 * 1024),
    };
    page_for(viewer, super::submit::status_of(&view.problems), &view)
}

/// `GET /can-bo/tiep-nhan[?thu-tuc=CODE]`: desk intake of a dossier brought in person or
/// by post: the procedure, then the applicant, the form, the components received and
/// their scans on one page.
pub(crate) async fn intake_form(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let t = tenant.as_deref();
    let p = match signed_in(&app, t, &viewer, "/can-bo/tiep-nhan").await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let code = q.get("thu-tuc").cloned().unwrap_or_default();
    intake_page(&app, t, &viewer, &p, &code, None, &q, Vec::new()).await
}

/// `POST /can-bo/tiep-nhan` (multipart): registers the dossier (direct or post) with what
/// was received, then accepts it or returns it for completion with guidance, as the
/// officer chose. Sending the page again finds the dossier registered and goes to it.
pub(crate) async fn intake(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    req: Request,
) -> Response {
    let t = tenant.as_deref();
    let p = match signed_in(&app, t, &viewer, "/can-bo/tiep-nhan").await {
        Ok(p) => p,
        Err(r) => return r,
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
        Err(e) => return error_page(&app, t, &viewer, e).await,
    };
    if !viewer.accepts(fields.get("csrf").map(String::as_str)) {
        return error_page(&app, t, &viewer, forged()).await;
    }
    let get = |k: &str| {
        fields
            .get(k)
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    };
    let (code, id) = (get("thu-tuc"), get("ma"));
    let valid_id = id.starts_with("hs-")
        && id.len() <= 40
        && id[3..].chars().all(|c| c.is_ascii_alphanumeric());
    if !valid_id {
        return error_page(
            &app,
            t,
            &viewer,
            AppError::with(
                Code::InvalidBody,
                "Biểu mẫu không hợp lệ; vui lòng mở lại trang tiếp nhận.",
            ),
        )
        .await;
    }
    // Sent twice (a second click, the back button): the dossier is there already.
    if dossiers::visible(&app, &p, &id).await.is_ok() {
        return see_other(&format!("/can-bo/ho-so/{id}"), &[]);
    }
    let config = match app.config().await {
        Ok(c) => c,
        Err(e) => return error_page(&app, t, &viewer, e).await,
    };
    let Some(proc) = config.latest_of(&code) else {
        let problems = vec![Problem {
            field: "thu-tuc".into(),
            message: "Chọn thủ tục.".into(),
        }];
        return intake_page(&app, t, &viewer, &p, "", Some(id), &fields, problems).await;
    };
    let ticked: Vec<(usize, String)> = proc
        .components
        .iter()
        .enumerate()
        .filter(|(i, _)| fields.contains_key(&format!("co.{i}")))
        .map(|(i, c)| (i, c.name.clone()))
        .collect();
    let mut problems = Vec::new();
    if get("name").is_empty() {
        problems.push(Problem {
            field: "name".into(),
            message: "Nhập họ và tên người nộp.".into(),
        });
    }
    let returning = get("quyet-dinh") == "tra-lai";
    let missing: Vec<String> = proc
        .components
        .iter()
        .enumerate()
        .filter(|(i, c)| c.required && !ticked.iter().any(|(t, _)| t == i))
        .map(|(_, c)| c.name.clone())
        .collect();
    if returning && missing.is_empty() && get("note").is_empty() {
        problems.push(Problem {
            field: "note".into(),
            message: "Hồ sơ đủ thành phần: ghi hướng dẫn hoàn thiện, hoặc chọn tiếp nhận.".into(),
        });
    }
    if !problems.is_empty() {
        return intake_page(&app, t, &viewer, &p, &code, Some(id), &fields, problems).await;
    }
    let named: Vec<(String, dossiers::Upload)> = uploads
        .into_iter()
        .filter_map(|(input, upload)| {
            let i = input.strip_prefix("component.")?.parse::<usize>().ok()?;
            Some((proc.components.get(i)?.name.clone(), upload))
        })
        .collect();
    let form = proc
        .form_fields
        .iter()
        .filter_map(|f| {
            let v = get(&format!("form.{}", f.key));
            (!v.is_empty()).then(|| (f.key.clone(), v))
        })
        .collect();
    let submitted = dossiers::submit(
        &app,
        &p,
        Some(&agency_of(&p, t)),
        dossiers::SubmitRequest {
            id: Some(id.clone()),
            procedure: code.clone(),
            agency: Some(agency_of(&p, t)),
            applicant: motcua_core::dossier::Applicant {
                name: get("name"),
                id_number: get("id_number"),
                address: get("address"),
                phone: get("phone"),
                email: get("email"),
            },
            form,
            components: ticked.into_iter().map(|(_, n)| n).collect(),
            files: Vec::new(),
            channel: Some(if get("kenh") == "post" {
                motcua_core::dossier::Channel::Post
            } else {
                motcua_core::dossier::Channel::Direct
            }),
            owner: None,
        },
        named,
    )
    .await;
    if let Err(e) = submitted {
        if e.status() < 500 {
            let problems = vec![Problem {
                field: "loi-tieu-de".into(),
                message: e.message,
            }];
            return intake_page(&app, t, &viewer, &p, &code, Some(id), &fields, problems).await;
        }
        return error_page(&app, t, &viewer, e).await;
    }
    // Then the decision, on the dossier now registered.
    let (name, command) = if returning {
        (
            "return-for-completion",
            motcua_core::dossier::Command::ReturnForCompletion {
                missing: if missing.is_empty() {
                    vec![get("note")]
                } else {
                    missing
                },
                note: get("note"),
            },
        )
    } else {
        (
            "accept",
            motcua_core::dossier::Command::Accept { sequence: 0 },
        )
    };
    match dossiers::run(&app, &p, &id, command, None, Vec::new()).await {
        Ok(_) => see_other(&format!("/can-bo/ho-so/{id}?xong={name}"), &[]),
        Err(e) if e.status() < 500 => {
            // Registered but not decided: the workspace says why and offers the decision.
            let problems = vec![Problem {
                field: "loi-tieu-de".into(),
                message: format!(
                    "Đã ghi nhận hồ sơ nhưng chưa {}: {}",
                    motcua_core::dossier::label_vi(name).to_lowercase(),
                    e.message
                ),
            }];
            workspace_page(&app, t, &viewer, &p, &id, None, problems).await
        }
        Err(e) => error_page(&app, t, &viewer, e).await,
    }
}

struct PostalRow {
    id: String,
    code: String,
    applicant: String,
    address: String,
    phone: String,
    state: String,
    ready: bool,
    appointment: String,
}

#[derive(Template)]
#[template(path = "office_postal.html")]
struct PostalPage {
    layout: Layout,
    agency: String,
    rows: Vec<PostalRow>,
}

/// `GET /can-bo/buu-chinh`: the results to hand to the public postal service (Điều 9.2):
/// the ready ones first, with the address and phone to send them to.
pub(crate) async fn postal(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
) -> Response {
    let t = tenant.as_deref();
    let p = match signed_in(&app, t, &viewer, "/can-bo/buu-chinh").await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let agency_id = agency_of(&p, t);
    let list = match dossiers::postal_requests(&app, &p, &agency_id).await {
        Ok(l) => l,
        Err(e) => return error_page(&app, t, &viewer, e).await,
    };
    let agency = match app.config().await {
        Ok(c) => agency_name(&c, &agency_id),
        Err(e) => return error_page(&app, t, &viewer, e).await,
    };
    let rows = list
        .into_iter()
        .filter_map(|d| {
            let post = d.postal_delivery.clone()?;
            Some(PostalRow {
                code: d
                    .code
                    .as_ref()
                    .map_or_else(|| format!("{} (chưa tiếp nhận)", d.id), ToString::to_string),
                applicant: d.applicant.name.clone(),
                address: post.address,
                phone: post.phone,
                state: text::capitalised(d.state.label_vi()),
                ready: d.state == DState::Finished,
                appointment: d.clock.appointment.map_or_else(|| "—".into(), to_local_vi),
                id: d.id.clone(),
            })
        })
        .collect();
    let view = PostalPage {
        layout: Layout::new(&app, t, "office", &viewer).await,
        agency,
        rows,
    };
    page_for(&viewer, StatusCode::OK, &view)
}
