//! Feedback and Q&A (Điều 18-19): send feedback (logged in, or with a contact), follow it
//! and its answer, and browse and search the answers published.
//! Addresses: `/phan-anh` (form), `/phan-anh/{id}`, `/phan-anh/cua-toi`, `/hoi-dap?q=`.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_core::calendar::to_local_vi;
use std::collections::HashMap;

use super::accounts::{forged, to_login};
use super::submit::find;
use super::{Layout, Viewer, error_page, page_for, see_other, text};
use crate::app::drafts::Problem;
use crate::app::{Code, dossiers, feedback as uc};
use crate::{AppState, Tenant};

#[derive(Template)]
#[template(path = "feedback_form.html")]
struct FormPage {
    layout: Layout,
    problems: Vec<Problem>,
    agencies: Vec<(String, String)>,
    dossiers: Vec<(String, String)>,
    agency: String,
    dossier: String,
    subject: String,
    body: String,
    contact: String,
    logged_in: bool,
}

impl FormPage {
    fn err(&self, field: &str) -> Option<&str> {
        find(&self.problems, field)
    }
}

async fn form_page(
    app: &AppState,
    tenant: Option<&str>,
    viewer: &Viewer,
    f: &HashMap<String, String>,
    problems: Vec<Problem>,
) -> Response {
    let config = match app.config().await {
        Ok(c) => c,
        Err(e) => return error_page(app, tenant, viewer, e).await,
    };
    let agencies: Vec<(String, String)> = config
        .directory
        .all()
        .into_iter()
        .map(|a| (a.id.clone(), a.name.clone()))
        .collect();
    let dossiers = match &viewer.principal {
        Some(p) => dossiers::mine(app, p)
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|d| {
                let name = config
                    .newest_of(&d.procedure)
                    .map_or(d.procedure.clone(), |p| p.catalogue.name.clone());
                (
                    d.id.clone(),
                    format!("{} – {}", d.code.unwrap_or(d.id), name),
                )
            })
            .collect(),
        None => Vec::new(),
    };
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let dossier = get("ho-so").max(get("dossier"));
    // The dossier's agency, else the site's.
    let agency = match (get("agency"), &viewer.principal) {
        (a, _) if !a.is_empty() => a,
        (_, Some(p)) if !dossier.is_empty() => dossiers::visible(app, p, &dossier)
            .await
            .map(|d| d.agency.to_string())
            .unwrap_or_default(),
        _ => tenant.unwrap_or("").to_string(),
    };
    let status = if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let view = FormPage {
        layout: Layout::new(app, tenant, "feedback", viewer).await,
        problems,
        agencies,
        dossiers,
        agency,
        dossier,
        subject: get("subject"),
        body: get("body"),
        contact: get("contact"),
        logged_in: viewer.principal.is_some(),
    };
    page_for(viewer, status, &view)
}

/// `GET /phan-anh[?ho-so=]`.
pub(crate) async fn form(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    form_page(&app, tenant.as_deref(), &viewer, &q, Vec::new()).await
}

/// `POST /phan-anh`.
pub(crate) async fn send(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let t = tenant.as_deref();
    if !viewer.accepts(f.get("csrf").map(String::as_str)) {
        return error_page(&app, t, &viewer, forged()).await;
    }
    let get = |k: &str| f.get(k).map(|v| v.trim().to_string()).unwrap_or_default();
    let mut problems = Vec::new();
    let mut need = |field: &str, message: &str| {
        problems.push(Problem {
            field: field.into(),
            message: message.into(),
        });
    };
    if get("subject").is_empty() {
        need("subject", "Nhập tiêu đề.");
    }
    if get("body").is_empty() {
        need("body", "Nhập nội dung phản ánh.");
    }
    if viewer.principal.is_none() && get("contact").is_empty() {
        need(
            "contact",
            "Nhập họ tên và số điện thoại hoặc thư điện tử để nhận câu trả lời.",
        );
    }
    for (field, max) in [("subject", 200), ("body", 5000), ("contact", 300)] {
        if get(field).chars().count() > max {
            need(field, &format!("Tối đa {max} ký tự."));
        }
    }
    if !problems.is_empty() {
        return form_page(&app, t, &viewer, &f, problems).await;
    }
    let dossier = Some(get("dossier")).filter(|d| !d.is_empty());
    let filed = uc::file(
        &app,
        viewer.principal.as_ref(),
        uc::NewFeedback {
            agency: get("agency"),
            dossier_id: dossier,
            subject: get("subject"),
            body: get("body"),
            contact: Some(get("contact")),
        },
    )
    .await;
    match filed {
        Ok(done) => see_other(&format!("/phan-anh/{}?moi=1", done.id), &[]),
        Err(e) if e.status() < 500 => {
            let field = match e.code {
                Code::UnknownAgency => "agency",
                Code::UnknownDossier | Code::Unauthenticated => "dossier",
                _ => "subject",
            };
            let problems = vec![Problem {
                field: field.into(),
                message: e.message,
            }];
            form_page(&app, t, &viewer, &f, problems).await
        }
        Err(e) => error_page(&app, t, &viewer, e).await,
    }
}

struct ItemView {
    id: String,
    agency: String,
    subject: String,
    body: String,
    created: String,
    due: String,
    answer: Option<String>,
}

#[derive(Template)]
#[template(path = "feedback_item.html")]
struct ItemPage {
    layout: Layout,
    f: ItemView,
    new: bool,
    logged_in: bool,
}

async fn agency_name(app: &AppState, id: &str) -> String {
    match app.config().await {
        Ok(c) => c
            .directory
            .get(id)
            .map_or_else(|| id.to_string(), |a| a.name.clone()),
        Err(_) => id.to_string(),
    }
}

/// `GET /phan-anh/{id}`: one's feedback and its answer.
pub(crate) async fn item(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let t = tenant.as_deref();
    let f = match uc::follow(&app, viewer.principal.as_ref(), &id).await {
        Ok(f) => f,
        Err(e) => return error_page(&app, t, &viewer, e).await,
    };
    let view = ItemPage {
        layout: Layout::new(&app, t, "feedback", &viewer).await,
        f: ItemView {
            agency: agency_name(&app, &f.agency_id).await,
            id: f.id,
            subject: f.subject,
            body: f.body,
            created: to_local_vi(f.created_at),
            due: to_local_vi(f.due_at),
            answer: f.answer,
        },
        new: q.contains_key("moi"),
        logged_in: viewer.principal.is_some(),
    };
    page_for(&viewer, StatusCode::OK, &view)
}

#[derive(Template)]
#[template(path = "feedback_mine.html")]
struct MinePage {
    layout: Layout,
    items: Vec<ItemView>,
}

/// `GET /phan-anh/cua-toi`.
pub(crate) async fn mine(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
) -> Response {
    let t = tenant.as_deref();
    let Some(p) = &viewer.principal else {
        return to_login("/phan-anh/cua-toi");
    };
    let items = match uc::mine(&app, p).await {
        Ok(i) => i,
        Err(e) => return error_page(&app, t, &viewer, e).await,
    };
    let mut views = Vec::new();
    for f in items {
        views.push(ItemView {
            agency: agency_name(&app, &f.agency_id).await,
            id: f.id,
            subject: f.subject,
            body: f.body,
            created: to_local_vi(f.created_at),
            due: to_local_vi(f.due_at),
            answer: f.answer,
        });
    }
    let view = MinePage {
        layout: Layout::new(&app, t, "feedback", &viewer).await,
        items: views,
    };
    page_for(&viewer, StatusCode::OK, &view)
}

struct AnswerView {
    agency: String,
    subject: String,
    body: String,
    answer: String,
    answered: String,
}

#[derive(Template)]
#[template(path = "answers.html")]
struct AnswersPage {
    layout: Layout,
    q: String,
    items: Vec<AnswerView>,
    logged_in: bool,
}

/// `GET /hoi-dap?q=`: published answers, searched without regard to diacritics or case.
pub(crate) async fn answers(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let t = tenant.as_deref();
    let query: String = q
        .get("q")
        .map(|s| s.trim().chars().take(200).collect())
        .unwrap_or_default();
    let found = match uc::search_published(&app, &query).await {
        Ok(f) => f,
        Err(e) => return error_page(&app, t, &viewer, e).await,
    };
    let mut items = Vec::new();
    for f in found.into_iter().take(50) {
        items.push(AnswerView {
            agency: agency_name(&app, &f.agency).await,
            subject: f.subject,
            body: f.body,
            answer: f.answer.unwrap_or_default(),
            answered: f
                .answered_at
                .as_deref()
                .map(text::instant)
                .unwrap_or_default(),
        });
    }
    let view = AnswersPage {
        layout: Layout::new(&app, t, "feedback", &viewer).await,
        q: query,
        items,
        logged_in: viewer.principal.is_some(),
    };
    page_for(&viewer, StatusCode::OK, &view)
}
