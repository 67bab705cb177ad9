//! Administration, the setting up of a deployment: agencies (this file), and the calendar.
//! The rules are in `app::agencies` and `app::calendar`; these pages only read forms and
//! render answers.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use std::collections::HashMap;

use super::accounts::forged;
use super::{Layout, Viewer, error_page, page_for, see_other};
use crate::app::agencies::{self as uc, AgencyInput};
use crate::app::drafts::{Problem, Refused};
use crate::app::{AppError, Principal};
use crate::{AppState, Tenant};

struct AgencyRow {
    depth: usize,
    id: String,
    name: String,
    level: &'static str,
    hosts: String,
    contact: String,
}

#[derive(Template)]
#[template(path = "admin_agencies.html")]
struct AgenciesPage {
    layout: Layout,
    notice: Option<String>,
    problems: Vec<Problem>,
    rows: Vec<AgencyRow>,
    /// Editing one agency (else: the list and the form to add one).
    editing: bool,
    /// Whether every field may be changed (else the contact details only).
    full: bool,
    /// Whether "no parent" is offered (the agency is the top of the tree).
    top: bool,
    levels: Vec<(&'static str, String)>,
    parents: Vec<(String, String)>,
    form: HashMap<String, String>,
}

impl AgenciesPage {
    fn err(&self, field: &str) -> Option<&str> {
        super::submit::find(&self.problems, field)
    }

    fn value(&self, field: &str) -> &str {
        self.form.get(field).map_or("", String::as_str)
    }
}

fn form_of(i: &AgencyInput) -> HashMap<String, String> {
    [
        ("id", &i.id),
        ("name", &i.name),
        ("level", &i.level),
        ("parent_id", &i.parent_id),
        ("host_names", &i.host_names),
        ("address", &i.address),
        ("hotline", &i.hotline),
        ("email", &i.email),
        ("hours", &i.hours),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.clone()))
    .collect()
}

fn input_of(f: &HashMap<String, String>) -> AgencyInput {
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    AgencyInput {
        id: get("id"),
        name: get("name"),
        level: get("level"),
        parent_id: get("parent_id"),
        host_names: get("host_names"),
        address: get("address"),
        hotline: get("hotline"),
        email: get("email"),
        hours: get("hours"),
    }
}

struct View<'a> {
    editing: Option<&'a str>,
    notice: Option<String>,
    problems: Vec<Problem>,
    form: Option<HashMap<String, String>>,
}

async fn agencies_page(
    app: &AppState,
    tenant: Option<&str>,
    viewer: &Viewer,
    p: &Principal,
    v: View<'_>,
) -> Response {
    let scope = match uc::in_scope(app, p).await {
        Ok(s) => s,
        Err(e) => return error_page(app, tenant, viewer, e).await,
    };
    let config = match app.config().await {
        Ok(c) => c,
        Err(e) => return error_page(app, tenant, viewer, e).await,
    };
    let dir = &config.directory;
    let editing = v
        .editing
        .and_then(|id| scope.iter().find(|(_, a)| a.id == id));
    if v.editing.is_some() && editing.is_none() {
        return error_page(
            app,
            tenant,
            viewer,
            AppError::not_found("Không có cơ quan này."),
        )
        .await;
    }
    let (full, top, form) = match editing {
        Some((_, a)) => (
            uc::may_configure(p, &a.id, dir),
            a.parent_id.is_none(),
            v.form.unwrap_or_else(|| form_of(&AgencyInput::of(a))),
        ),
        None => (true, false, v.form.unwrap_or_default()),
    };
    // Parents offered: agencies the principal configures, not the edited one or below it.
    let parents = scope
        .iter()
        .filter(|(_, a)| uc::may_configure(p, &a.id, dir) && a.level != "commune")
        .filter(|(_, a)| editing.is_none_or(|(_, e)| !dir.is_within(&a.id, &e.id)))
        .map(|(d, a)| {
            (
                a.id.clone(),
                format!("{}{} ({})", "— ".repeat(*d), a.name, a.id),
            )
        })
        .collect();
    let view = AgenciesPage {
        layout: Layout::new(app, tenant, "office", viewer).await,
        notice: v.notice,
        problems: v.problems,
        rows: scope
            .iter()
            .map(|(depth, a)| AgencyRow {
                depth: (*depth).min(3),
                id: a.id.clone(),
                name: a.name.clone(),
                level: uc::level_vi(&a.level),
                hosts: a.host_names.join(", "),
                contact: [&a.contact.address, &a.contact.hotline, &a.contact.email]
                    .into_iter()
                    .flatten()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(" · "),
            })
            .collect(),
        editing: editing.is_some(),
        full,
        top,
        levels: uc::LEVELS
            .iter()
            .map(|l| (*l, super::text::capitalised(uc::level_vi(l))))
            .collect(),
        parents,
        form,
    };
    page_for(viewer, super::submit::status_of(&view.problems), &view)
}

/// `GET /can-bo/co-quan[?da-luu=]`: the agencies in the administrator's scope and the form to
/// add one.
pub(crate) async fn agencies(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let t = tenant.as_deref();
    let p = match super::office::signed_in(&app, t, &viewer, "/can-bo/co-quan").await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let notice = q
        .get("da-luu")
        .map(|id| format!("Đã lưu cơ quan {id}. Thay đổi có hiệu lực ngay trên mọi máy chủ."));
    let v = View {
        editing: None,
        notice,
        problems: Vec::new(),
        form: None,
    };
    agencies_page(&app, t, &viewer, &p, v).await
}

/// `GET /can-bo/co-quan/{id}`: the form to edit one agency.
pub(crate) async fn agency(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Response {
    let t = tenant.as_deref();
    let p = match super::office::signed_in(&app, t, &viewer, "/can-bo/co-quan").await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let v = View {
        editing: Some(&id),
        notice: None,
        problems: Vec::new(),
        form: None,
    };
    agencies_page(&app, t, &viewer, &p, v).await
}

/// `POST /can-bo/co-quan`: creates an agency, or saves one (`sua=1`).
pub(crate) async fn save_agency(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    axum::Form(f): axum::Form<HashMap<String, String>>,
) -> Response {
    let t = tenant.as_deref();
    let p = match super::office::signed_in(&app, t, &viewer, "/can-bo/co-quan").await {
        Ok(p) => p,
        Err(r) => return r,
    };
    if !viewer.accepts(f.get("csrf").map(String::as_str)) {
        return error_page(&app, t, &viewer, forged()).await;
    }
    let editing = f.contains_key("sua");
    let input = input_of(&f);
    match uc::save(&app, &p, !editing, &input).await {
        Ok(a) => see_other(
            &format!("/can-bo/co-quan?da-luu={}", super::public::encode(&a.id)),
            &[],
        ),
        Err(Refused::Fields(problems)) => {
            let id = input.id.trim().to_string();
            let v = View {
                editing: editing.then_some(id.as_str()),
                notice: None,
                problems,
                form: Some(form_of(&input)),
            };
            let mut r = agencies_page(&app, t, &viewer, &p, v).await;
            if r.status() == StatusCode::OK {
                *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            }
            r
        }
        Err(Refused::App(e)) => error_page(&app, t, &viewer, e).await,
    }
}

struct DayRow {
    date: String,
    iso: String,
    kind: &'static str,
    name: String,
    source: String,
    layer: String,
    proposed: bool,
}

fn day_row(e: &motcua_core::calendar::Exception, layer: &str, proposed: bool) -> DayRow {
    DayRow {
        date: format!("{} {}", weekday_vi(e.date), e.date.format("%d/%m/%Y")),
        iso: e.date.to_string(),
        kind: kind_vi(&e.kind),
        name: e.name.clone(),
        source: e.source.clone(),
        layer: layer.to_string(),
        proposed,
    }
}

fn kind_vi(k: &motcua_core::calendar::ExceptionKind) -> &'static str {
    match k {
        motcua_core::calendar::ExceptionKind::DayOff => "Nghỉ",
        motcua_core::calendar::ExceptionKind::WorkingDay { .. } => "Làm bù",
    }
}

fn weekday_vi(d: chrono::NaiveDate) -> &'static str {
    use chrono::{Datelike, Weekday};
    match d.weekday() {
        Weekday::Mon => "Thứ Hai",
        Weekday::Tue => "Thứ Ba",
        Weekday::Wed => "Thứ Tư",
        Weekday::Thu => "Thứ Năm",
        Weekday::Fri => "Thứ Sáu",
        Weekday::Sat => "Thứ Bảy",
        Weekday::Sun => "Chủ nhật",
    }
}

struct DifferenceView {
    same: usize,
    /// (date, in the calendar, in the announcement).
    rows: Vec<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "admin_calendar.html")]
struct CalendarPage {
    layout: Layout,
    notice: Option<String>,
    problems: Vec<Problem>,
    year: i32,
    announced: Option<String>,
    confirmed_here: Option<(String, String)>,
    working_days: u32,
    working_hours: i64,
    version: String,
    /// The agency whose calendar this is, and its name (`None`: the deployment's).
    agency: Option<(String, String)>,
    /// Every agency, for the choice of whose calendar to see: (id, name, chosen).
    agencies: Vec<(String, String, bool)>,
    /// The query that keeps the agency in links (`&co-quan=…`, or empty).
    scope: String,
    /// The calendars with a change waiting to be applied, as people name them.
    pending: Vec<String>,
    days: Vec<DayRow>,
    local: Vec<DayRow>,
    week: Vec<(String, String)>,
    seasons: Vec<(String, String, String)>,
    difference: Option<DifferenceView>,
    form: HashMap<String, String>,
}

impl CalendarPage {
    fn err(&self, field: &str) -> Option<&str> {
        super::submit::find(&self.problems, field)
    }

    fn value(&self, field: &str) -> &str {
        self.form.get(field).map_or("", String::as_str)
    }
}

fn admin_only(p: &Principal) -> Option<AppError> {
    (!crate::app::calendar::may_manage(p))
        .then(|| AppError::forbidden("Trang này dành cho quản trị hệ thống."))
}

/// How a stored calendar is named to an administrator.
fn calendar_name(config: &crate::app::config::Config, name: &str) -> String {
    use crate::app::config::{AGENCY_LAYER, CALENDAR, CONFIRMED_YEARS};
    match name {
        CALENDAR => "Lịch chung của hệ thống".into(),
        CONFIRMED_YEARS => "Các năm nghỉ lễ đã xác nhận".into(),
        other => match other.strip_prefix(AGENCY_LAYER) {
            Some(id) => format!(
                "Lịch riêng của {}",
                config.directory.get(id).map_or(id, |a| a.name.as_str())
            ),
            None => other.to_string(),
        },
    }
}

#[allow(clippy::too_many_arguments)]
async fn calendar_page(
    app: &AppState,
    tenant: Option<&str>,
    viewer: &Viewer,
    year: i32,
    notice: Option<String>,
    problems: Vec<Problem>,
    difference: Option<DifferenceView>,
    mut form: HashMap<String, String>,
) -> Response {
    let agency = form.get("co-quan").filter(|a| !a.is_empty()).cloned();
    let y = match crate::app::calendar::year(app, year, agency.as_deref()).await {
        Ok(y) => y,
        Err(e) => return error_page(app, tenant, viewer, e).await,
    };
    if !form.contains_key("ngay") {
        match crate::app::calendar::national_days_text(app, year).await {
            Ok(t) => {
                form.insert("ngay".into(), t);
            }
            Err(e) => return error_page(app, tenant, viewer, e).await,
        }
    }
    let mut days: Vec<DayRow> = y
        .days_off
        .iter()
        .chain(&y.working_days)
        .map(|d| day_row(&d.exception, &d.layer, d.proposed))
        .collect();
    days.sort_by(|a, b| a.iso.cmp(&b.iso));
    let config = match app.config().await {
        Ok(c) => c,
        Err(e) => return error_page(app, tenant, viewer, e).await,
    };
    let agency = y.agency.as_ref().map(|id| {
        (
            id.clone(),
            config
                .directory
                .get(id)
                .map_or_else(|| id.clone(), |a| a.name.clone()),
        )
    });
    let agencies = config
        .directory
        .all()
        .iter()
        .map(|a| {
            (
                a.id.clone(),
                a.name.clone(),
                y.agency.as_deref() == Some(&a.id),
            )
        })
        .collect();
    let pending = y
        .pending
        .iter()
        .map(|n| calendar_name(&config, n))
        .collect();
    let view = CalendarPage {
        layout: Layout::new(app, tenant, "office", viewer).await,
        notice,
        problems,
        year,
        announced: y.announced,
        confirmed_here: y
            .confirmed_here
            .map(|(who, at)| (who, super::text::instant(&at))),
        working_days: y.working_day_count,
        working_hours: y.working_hours,
        version: y.version,
        scope: agency
            .as_ref()
            .map(|(id, _)| format!("&co-quan={id}"))
            .unwrap_or_default(),
        agency,
        agencies,
        pending,
        days,
        local: y
            .local
            .iter()
            .map(|e| day_row(e, crate::app::calendar::LOCAL_LAYER, false))
            .collect(),
        week: y.week,
        seasons: y.seasons,
        difference,
        form,
    };
    page_for(viewer, super::submit::status_of(&view.problems), &view)
}

/// `GET /can-bo/lich[?nam=&da-luu=]`: a year of the calendar and the forms that change it.
pub(crate) async fn calendar(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let t = tenant.as_deref();
    let p = match super::office::signed_in(&app, t, &viewer, "/can-bo/lich").await {
        Ok(p) => p,
        Err(r) => return r,
    };
    if let Some(e) = admin_only(&p) {
        return error_page(&app, t, &viewer, e).await;
    }
    let this_year = {
        use chrono::Datelike;
        (app.now() + chrono::TimeDelta::hours(7)).year()
    };
    let year = match q.get("nam").map(|y| y.parse::<i32>()) {
        None => this_year,
        Some(Ok(y)) => y,
        Some(Err(_)) => {
            return error_page(
                &app,
                t,
                &viewer,
                AppError::new(crate::app::Code::InvalidYear),
            )
            .await;
        }
    };
    let notice = q.get("da-luu").map(|what| match what.as_str() {
        "xac-nhan" => format!(
            "Đã lưu lịch nghỉ lễ năm {year} theo thông báo, chờ áp dụng. Chưa có thời hạn nào thay đổi: hãy xem trước ảnh hưởng rồi áp dụng."
        ),
        "ap-dung" => "Đã áp dụng thay đổi lịch làm việc. Thời hạn của các hồ sơ đang giải quyết chịu ảnh hưởng được tính lại và ghi vào lịch sử của từng hồ sơ; các thời hạn tính từ bây giờ dùng lịch mới.".to_string(),
        "bo" => "Đã bỏ các thay đổi chờ áp dụng; lịch đang dùng không đổi.".to_string(),
        _ => "Đã lưu thay đổi, chờ áp dụng. Chưa có thời hạn nào thay đổi: hãy xem trước ảnh hưởng rồi áp dụng.".to_string(),
    });
    let mut form = HashMap::new();
    if let Some(a) = q.get("co-quan").filter(|a| !a.is_empty()) {
        form.insert("co-quan".to_string(), a.clone());
    }
    calendar_page(&app, t, &viewer, year, notice, Vec::new(), None, form).await
}

/// `POST /can-bo/lich` (`viec` = `so-sanh`, `xac-nhan`, `them-ngay`, `xoa-ngay`, `gio-lam`,
/// `mua`): compares an announcement, confirms a year, adds or removes a local day, sets the
/// windows, adds a season.
pub(crate) async fn calendar_change(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    axum::Form(f): axum::Form<HashMap<String, String>>,
) -> Response {
    use crate::app::calendar as cal;
    let t = tenant.as_deref();
    let p = match super::office::signed_in(&app, t, &viewer, "/can-bo/lich").await {
        Ok(p) => p,
        Err(r) => return r,
    };
    if !viewer.accepts(f.get("csrf").map(String::as_str)) {
        return error_page(&app, t, &viewer, forged()).await;
    }
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let Ok(year) = get("nam").parse::<i32>() else {
        return error_page(
            &app,
            t,
            &viewer,
            AppError::new(crate::app::Code::InvalidYear),
        )
        .await;
    };
    let agency = f.get("co-quan").filter(|a| !a.is_empty()).cloned();
    let scope = agency.as_deref();
    let done = |what: &str| {
        let agency = agency
            .as_deref()
            .map(|a| format!("&co-quan={a}"))
            .unwrap_or_default();
        see_other(
            &format!("/can-bo/lich?nam={year}&da-luu={what}{agency}"),
            &[],
        )
    };
    let result = match get("viec").as_str() {
        "so-sanh" => match cal::compare(&app, &p, year, &get("thong-bao"), &get("ngay")).await {
            Ok((_, diff)) => {
                let row = |e: &motcua_core::calendar::Exception| {
                    format!("{}: {}", kind_vi(&e.kind), e.name)
                };
                let mut rows: Vec<(String, String, String)> = diff
                    .added
                    .iter()
                    .map(|d| (d.date.to_string(), "—".to_string(), row(d)))
                    .chain(
                        diff.removed
                            .iter()
                            .map(|d| (d.date.to_string(), row(d), "—".to_string())),
                    )
                    .chain(
                        diff.changed
                            .iter()
                            .map(|(a, b)| (a.date.to_string(), row(a), row(b))),
                    )
                    .collect();
                rows.sort();
                let rows = rows
                    .into_iter()
                    .map(|(iso, a, b)| {
                        let date = chrono::NaiveDate::parse_from_str(&iso, "%Y-%m-%d")
                            .map(|d| format!("{} {}", weekday_vi(d), d.format("%d/%m/%Y")))
                            .unwrap_or(iso);
                        (date, a, b)
                    })
                    .collect();
                let view = DifferenceView {
                    same: diff.same,
                    rows,
                };
                return calendar_page(
                    &app,
                    t,
                    &viewer,
                    year,
                    None,
                    Vec::new(),
                    Some(view),
                    f.clone(),
                )
                .await;
            }
            Err(e) => Err(e),
        },
        "xac-nhan" => cal::confirm(&app, &p, year, &get("thong-bao"), &get("ngay"))
            .await
            .map(|_| "xac-nhan"),
        "them-ngay" => cal::add_day(
            &app,
            &p,
            scope,
            &get("ngay-rieng"),
            &get("loai"),
            &get("ten-ngay"),
            &get("nguon"),
        )
        .await
        .map(|_| "ngay"),
        "xoa-ngay" => cal::remove_day(&app, &p, scope, &get("ngay-rieng"))
            .await
            .map(|()| "ngay"),
        "gio-lam" => {
            let from = get("tu-ngay-gio");
            let from = if from.trim().is_empty() {
                Ok(None)
            } else {
                chrono::NaiveDate::parse_from_str(from.trim(), "%Y-%m-%d")
                    .map(Some)
                    .map_err(|_| {
                        Refused::Fields(vec![Problem {
                            field: "tu-ngay-gio".into(),
                            message: "Ngày áp dụng có dạng YYYY-MM-DD, hoặc để trống.".into(),
                        }])
                    })
            };
            match from {
                Ok(from) => cal::set_windows(&app, &p, scope, &get("gio-lam"), from)
                    .await
                    .map(|()| "gio"),
                Err(e) => Err(e),
            }
        }
        "mua" => cal::add_season(
            &app,
            &p,
            scope,
            &get("ten-mua"),
            &get("tu-ngay"),
            &get("den-ngay"),
            &get("gio-mua"),
        )
        .await
        .map(|()| "mua"),
        _ => Err(AppError::with(crate::app::Code::InvalidBody, "Không rõ thay đổi nào.").into()),
    };
    match result {
        Ok(what) => done(what),
        Err(Refused::Fields(problems)) => {
            calendar_page(&app, t, &viewer, year, None, problems, None, f).await
        }
        Err(Refused::App(e)) => error_page(&app, t, &viewer, e).await,
    }
}

/// One dossier on the preview: its code (or id) and applicant, each deadline that moves.
struct MoveRow {
    id: String,
    name: String,
    applicant: String,
    /// (deadline, before, after).
    moved: Vec<(String, String, String)>,
    because: Vec<String>,
}

struct AgencyMoves {
    name: String,
    before: String,
    after: String,
    examined: u64,
    moving: u64,
    rows: Vec<MoveRow>,
    /// Unanswered feedback whose answer due moves: (id, subject, before, after).
    feedback: Vec<(String, String, String, String)>,
}

#[derive(Template)]
#[template(path = "admin_calendar_preview.html")]
struct PreviewPage {
    layout: Layout,
    pending: Vec<(String, String)>,
    agencies: Vec<AgencyMoves>,
    listed: usize,
}

/// How many dossiers the preview lists per agency (all are counted).
const PREVIEW_LISTED: usize = 200;

/// `GET /can-bo/lich/xem-truoc`: what applying the pending calendar changes now would do to
/// the deadlines of the dossiers in flight, with the forms that apply or drop them.
pub(crate) async fn calendar_preview(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
) -> Response {
    let t = tenant.as_deref();
    let p = match super::office::signed_in(&app, t, &viewer, "/can-bo/lich/xem-truoc").await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let (change, agencies) = match crate::app::reprojection::preview(&app, &p, PREVIEW_LISTED).await
    {
        Ok(x) => x,
        Err(e) => return error_page(&app, t, &viewer, e).await,
    };
    let config = match app.config().await {
        Ok(c) => c,
        Err(e) => return error_page(&app, t, &viewer, e).await,
    };
    let view = PreviewPage {
        layout: Layout::new(&app, t, "office", &viewer).await,
        pending: change
            .calendars
            .iter()
            .map(|(name, _, at)| {
                (
                    calendar_name(&config, name),
                    super::text::instant(&at.to_rfc3339()),
                )
            })
            .collect(),
        listed: PREVIEW_LISTED,
        agencies: agencies
            .into_iter()
            .map(|a| AgencyMoves {
                name: config
                    .directory
                    .get(&a.shift.agency)
                    .map_or_else(|| a.shift.agency.clone(), |x| x.name.clone()),
                before: a.shift.before,
                after: a.shift.after,
                examined: a.examined,
                moving: a.moving,
                feedback: a
                    .feedback
                    .iter()
                    .map(|f| {
                        (
                            f.id.clone(),
                            f.subject.clone(),
                            super::text::instant(&f.due.before.to_rfc3339()),
                            super::text::instant(&f.due.after.to_rfc3339()),
                        )
                    })
                    .collect(),
                rows: a
                    .dossiers
                    .into_iter()
                    .map(|d| MoveRow {
                        name: d.code.clone().unwrap_or_else(|| d.id.clone()),
                        id: d.id,
                        applicant: d.applicant,
                        moved: d
                            .moved
                            .iter()
                            .map(|m| {
                                (
                                    m.deadline.label_vi(),
                                    super::text::instant(&m.before.to_rfc3339()),
                                    super::text::instant(&m.after.to_rfc3339()),
                                )
                            })
                            .collect(),
                        because: d.because,
                    })
                    .collect(),
            })
            .collect(),
    };
    page_for(&viewer, StatusCode::OK, &view)
}

/// `POST /can-bo/lich/ap-dung` (`viec` = `ap-dung` or `bo`): brings the pending calendar
/// changes into force (then reprojects the dossiers in flight they concern), or drops them.
pub(crate) async fn calendar_apply(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    axum::Form(f): axum::Form<HashMap<String, String>>,
) -> Response {
    let t = tenant.as_deref();
    let p = match super::office::signed_in(&app, t, &viewer, "/can-bo/lich/xem-truoc").await {
        Ok(p) => p,
        Err(r) => return r,
    };
    if !viewer.accepts(f.get("csrf").map(String::as_str)) {
        return error_page(&app, t, &viewer, forged()).await;
    }
    let result = match f.get("viec").map(String::as_str) {
        Some("ap-dung") => match crate::app::reprojection::apply(&app, &p).await {
            Ok(_) => {
                // The dossiers concerned are reprojected now, in the background (and by the
                // scheduled job, or by their next command, should this server stop).
                let background = app.clone();
                tokio::spawn(async move {
                    if let Err(e) =
                        crate::app::reprojection::run_pending(&background, &|_, _| {}).await
                    {
                        tracing::error!(error = %e.message, "re-projection after a calendar change failed");
                    }
                });
                Ok("ap-dung")
            }
            Err(e) => Err(e),
        },
        Some("bo") => crate::app::reprojection::discard(&app, &p)
            .await
            .map(|_| "bo"),
        _ => Err(AppError::with(
            crate::app::Code::InvalidBody,
            "Không rõ thay đổi nào.",
        )),
    };
    match result {
        Ok(what) => see_other(&format!("/can-bo/lich?da-luu={what}"), &[]),
        Err(e) => error_page(&app, t, &viewer, e).await,
    }
}
