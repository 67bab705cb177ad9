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
