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
    version: i64,
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
    let y = match crate::app::calendar::year(app, year).await {
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
            "Đã xác nhận lịch nghỉ lễ năm {year}. Các thời hạn tính từ bây giờ dùng lịch này; thời hạn đã tính của hồ sơ đang giải quyết không thay đổi."
        ),
        _ => "Đã lưu lịch. Các thời hạn tính từ bây giờ dùng lịch mới; thời hạn đã tính của hồ sơ đang giải quyết không thay đổi.".to_string(),
    });
    calendar_page(
        &app,
        t,
        &viewer,
        year,
        notice,
        Vec::new(),
        None,
        HashMap::new(),
    )
    .await
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
    let done = |what: &str| see_other(&format!("/can-bo/lich?nam={year}&da-luu={what}"), &[]);
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
            &get("ngay-rieng"),
            &get("loai"),
            &get("ten-ngay"),
            &get("nguon"),
        )
        .await
        .map(|_| "ngay"),
        "xoa-ngay" => cal::remove_day(&app, &p, &get("ngay-rieng"))
            .await
            .map(|()| "ngay"),
        "gio-lam" => cal::set_windows(&app, &p, &get("gio-lam"))
            .await
            .map(|()| "gio"),
        "mua" => cal::add_season(
            &app,
            &p,
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
