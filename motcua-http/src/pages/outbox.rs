//! The notifications sent, for system administrators (docs/notifications.md): the
//! deliveries by state with the dead letters first, each dead one sent again with one button
//! (`/can-bo/gui-thong-bao`), and the notice templates, each kind with its current text, a
//! form for a new version and the versions before it (`/can-bo/mau-thong-bao`). The rules
//! (who may, what a template may say) are `app::notifications`'.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use std::collections::HashMap;

use super::accounts::forged;
use super::{Layout, Viewer, error_page, page_for, see_other};
use crate::app::drafts::Problem;
use crate::app::notifications::{self as uc, PLACEHOLDERS};
use crate::app::{AppError, Code};
use crate::{AppState, Tenant};
use motcua_core::calendar::to_local_vi;

/// The states as the page names them: (query value, stored state, tab label).
const STATES: [(&str, &str, &str); 4] = [
    ("khong-gui-duoc", "dead", "Không gửi được"),
    ("dang-cho", "pending", "Đang chờ gửi"),
    ("da-gui", "sent", "Đã gửi"),
    ("bo-qua", "skipped", "Không có kênh gửi"),
];

struct DeliveryRow {
    id: i64,
    channel: String,
    recipient: String,
    title: String,
    subject: String,
    attempts: i64,
    error: String,
    at: String,
}

#[derive(Template)]
#[template(path = "office_deliveries.html")]
struct DeliveriesPage {
    layout: Layout,
    /// (query value, label, count shown, current).
    tabs: Vec<(String, String, bool)>,
    state_label: String,
    dead: bool,
    notice: Option<String>,
    rows: Vec<DeliveryRow>,
}

fn channel_vi(c: &str) -> String {
    match c {
        "email" => "Thư điện tử".into(),
        "sms" => "Tin nhắn SMS".into(),
        other => other.into(),
    }
}

/// `GET /can-bo/gui-thong-bao[?trang-thai=khong-gui-duoc|dang-cho|da-gui|bo-qua]`.
pub(crate) async fn deliveries(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let t = tenant.as_deref();
    let p = match super::office::signed_in(&app, t, &viewer, "/can-bo/gui-thong-bao").await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let asked = q.get("trang-thai").map_or("khong-gui-duoc", String::as_str);
    let Some(&(value, state, label)) = STATES.iter().find(|(v, _, _)| *v == asked) else {
        return error_page(
            &app,
            t,
            &viewer,
            AppError::with(
                Code::InvalidQuery,
                "Trạng thái phải là khong-gui-duoc, dang-cho, da-gui hoặc bo-qua.",
            ),
        )
        .await;
    };
    let list = match uc::deliveries(&app, &p, state).await {
        Ok(l) => l,
        Err(e) => return error_page(&app, t, &viewer, e).await,
    };
    let notice = q
        .get("da-gui-lai")
        .map(|id| format!("Đã đưa thông báo số {id} vào hàng chờ gửi lại."));
    let view = DeliveriesPage {
        layout: Layout::new(&app, t, "office", &viewer).await,
        tabs: STATES
            .iter()
            .map(|(v, _, l)| (v.to_string(), l.to_string(), *v == value))
            .collect(),
        state_label: label.to_string(),
        dead: state == "dead",
        notice,
        rows: list
            .into_iter()
            .map(|d| DeliveryRow {
                id: d.id,
                channel: channel_vi(&d.channel),
                recipient: d.recipient,
                title: d.title,
                subject: d.subject_id,
                attempts: d.attempts,
                error: d.last_error.unwrap_or_default(),
                at: to_local_vi(d.sent_at.unwrap_or(d.next_at)),
            })
            .collect(),
    };
    page_for(&viewer, StatusCode::OK, &view)
}

/// The officer who posted a form of `here`, if signed in and the form is theirs.
async fn posted(
    app: &AppState,
    tenant: Option<&str>,
    viewer: &Viewer,
    form: &HashMap<String, String>,
    here: &str,
) -> Result<crate::app::Principal, Response> {
    let p = super::office::signed_in(app, tenant, viewer, here).await?;
    if !viewer.accepts(form.get("csrf").map(String::as_str)) {
        return Err(error_page(app, tenant, viewer, forged()).await);
    }
    Ok(p)
}

/// `POST /can-bo/gui-thong-bao/{id}/gui-lai`: a dead delivery pending again.
pub(crate) async fn retry(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    Path(id): Path<String>,
    axum::Form(f): axum::Form<HashMap<String, String>>,
) -> Response {
    let t = tenant.as_deref();
    let p = match posted(&app, t, &viewer, &f, "/can-bo/gui-thong-bao").await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let Ok(n) = id.parse::<i64>() else {
        return error_page(&app, t, &viewer, AppError::new(Code::NotFound)).await;
    };
    match uc::retry(&app, &p, n).await {
        Ok(()) => see_other(&format!("/can-bo/gui-thong-bao?da-gui-lai={n}"), &[]),
        Err(e) => error_page(&app, t, &viewer, e).await,
    }
}

struct Version {
    version: i64,
    by: String,
    at: String,
    title: String,
    body: String,
}

struct Kind {
    kind: String,
    description: String,
    /// The title and text in the form: what was sent back after a problem, else the newest
    /// version, else empty (the system's own text applies).
    title: String,
    body: String,
    default_title: String,
    versions: Vec<Version>,
    problems: Vec<Problem>,
}

#[derive(Template)]
#[template(path = "office_templates.html")]
struct TemplatesPage {
    layout: Layout,
    notice: Option<String>,
    placeholders: Vec<(String, String)>,
    kinds: Vec<Kind>,
    /// Every problem of the form sent, for the summary at the top.
    problems: Vec<Problem>,
}

async fn templates_page(
    app: &AppState,
    tenant: Option<&str>,
    viewer: &Viewer,
    p: &crate::app::Principal,
    notice: Option<String>,
    sent: Option<(String, String, String, Vec<String>)>,
) -> Response {
    let entries = match uc::templates(app, p).await {
        Ok(e) => e,
        Err(e) => return error_page(app, tenant, viewer, e).await,
    };
    let mut all = Vec::new();
    let kinds = entries
        .into_iter()
        .map(|e| {
            let newest = e.versions.first();
            let (title, body, problems) = match &sent {
                Some((kind, title, body, problems)) if *kind == e.kind => {
                    let problems: Vec<Problem> = problems
                        .iter()
                        .map(|m| Problem {
                            field: if m.starts_with("Tiêu đề") {
                                format!("tieu-de-{}", e.kind)
                            } else {
                                format!("noi-dung-{}", e.kind)
                            },
                            message: m.clone(),
                        })
                        .collect();
                    all.extend(problems.iter().cloned());
                    (title.clone(), body.clone(), problems)
                }
                _ => (
                    newest.map(|v| v.title.clone()).unwrap_or_default(),
                    newest.map(|v| v.body.clone()).unwrap_or_default(),
                    Vec::new(),
                ),
            };
            Kind {
                description: e.description,
                title,
                body,
                default_title: e.default_title,
                versions: e
                    .versions
                    .into_iter()
                    .map(|v| Version {
                        version: v.version,
                        by: v.created_by,
                        at: to_local_vi(v.created_at),
                        title: v.title,
                        body: v.body,
                    })
                    .collect(),
                problems,
                kind: e.kind,
            }
        })
        .collect();
    let view = TemplatesPage {
        layout: Layout::new(app, tenant, "office", viewer).await,
        notice,
        placeholders: PLACEHOLDERS
            .iter()
            .map(|(k, v)| (format!("{{{k}}}"), v.to_string()))
            .collect(),
        kinds,
        problems: all.clone(),
    };
    let status = if all.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    page_for(viewer, status, &view)
}

/// `GET /can-bo/mau-thong-bao`.
pub(crate) async fn templates(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let t = tenant.as_deref();
    let p = match super::office::signed_in(&app, t, &viewer, "/can-bo/mau-thong-bao").await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let notice = q.get("da-luu").map(|k| {
        let d = uc::TEMPLATE_KINDS
            .iter()
            .find(|(kind, _)| kind == k)
            .map_or(k.as_str(), |(_, d)| d);
        format!("Đã lưu phiên bản mới của mẫu “{d}”; thông báo từ nay dùng mẫu này.")
    });
    templates_page(&app, t, &viewer, &p, notice, None).await
}

/// `POST /can-bo/mau-thong-bao`: a new version of one kind's template.
pub(crate) async fn save_template(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    axum::Form(f): axum::Form<HashMap<String, String>>,
) -> Response {
    let t = tenant.as_deref();
    let p = match posted(&app, t, &viewer, &f, "/can-bo/mau-thong-bao").await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let kind = get("loai");
    let (title, body) = (get("tieu-de"), get("noi-dung"));
    match uc::set_template(&app, &p, &kind, &title, &body).await {
        Ok(_) => see_other(
            &format!(
                "/can-bo/mau-thong-bao?da-luu={}#mau-{}",
                super::public::encode(&kind),
                super::public::encode(&kind)
            ),
            &[],
        ),
        Err(e) if e.code == Code::InvalidTemplate => {
            let problems = uc::template_problems(&kind, &title, &body);
            templates_page(
                &app,
                t,
                &viewer,
                &p,
                None,
                Some((kind, title, body, problems)),
            )
            .await
        }
        Err(e) => error_page(&app, t, &viewer, e).await,
    }
}
