//! The applicant's portal inbox: `/thong-bao`, every notification sent to the account,
//! newest first, unread ones marked, each with a button that marks it read (a form, so it
//! works without JavaScript).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_core::calendar::to_local_vi;
use std::collections::HashMap;

use super::accounts::{forged, to_login};
use super::{Layout, Viewer, error_page, page_for, see_other};
use crate::app::notifications as uc;
use crate::{AppState, Tenant};

struct Entry {
    id: i64,
    title: String,
    lines: Vec<String>,
    at: String,
    unread: bool,
    /// The dossier's page, when it is about one.
    dossier: Option<String>,
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    layout: Layout,
    /// Where "back" goes: the queue for staff, My dossiers for applicants.
    back: (&'static str, &'static str),
    entries: Vec<Entry>,
    unread: i64,
    /// The channels chosen: (email, SMS).
    email: bool,
    sms: bool,
    notice: Option<String>,
}

/// `GET /thong-bao[?da-luu=1]`.
pub(crate) async fn page(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    axum::extract::Query(q): axum::extract::Query<HashMap<String, String>>,
) -> Response {
    let t = tenant.as_deref();
    let Some(p) = &viewer.principal else {
        return to_login("/thong-bao");
    };
    let inbox = match uc::inbox(&app, p).await {
        Ok(i) => i,
        Err(e) => return error_page(&app, t, &viewer, e).await,
    };
    let chosen = match uc::channels(&app, p).await {
        Ok(c) => c,
        Err(e) => return error_page(&app, t, &viewer, e).await,
    };
    let staff = p.is_staff();
    let view = InboxPage {
        back: if staff {
            ("/can-bo", "Hồ sơ cần xử lý")
        } else {
            ("/ho-so", "Hồ sơ của tôi")
        },
        layout: Layout::new(&app, t, if staff { "office" } else { "mine" }, &viewer).await,
        email: chosen.email,
        sms: chosen.sms,
        notice: q
            .contains_key("da-luu")
            .then(|| "Đã lưu cách nhận thông báo.".to_string()),
        unread: inbox.unread,
        entries: inbox
            .entries
            .into_iter()
            .map(|e| Entry {
                id: e.id,
                title: e.title,
                lines: e.body.lines().map(str::to_string).collect(),
                at: to_local_vi(e.created_at),
                unread: e.read_at.is_none(),
                dossier: (!e.subject_id.starts_with("feedback:"))
                    .then(|| format!("/ho-so/{}", e.subject_id)),
            })
            .collect(),
    };
    page_for(&viewer, StatusCode::OK, &view)
}

/// `POST /thong-bao/{id}`: marks it read.
pub(crate) async fn read(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<HashMap<String, String>>,
) -> Response {
    let t = tenant.as_deref();
    let Some(p) = &viewer.principal else {
        return to_login("/thong-bao");
    };
    if !viewer.accepts(f.get("csrf").map(String::as_str)) {
        return error_page(&app, t, &viewer, forged()).await;
    }
    match uc::read(&app, p, id).await {
        Ok(()) => see_other(&format!("/thong-bao#tb-{id}"), &[]),
        Err(e) => error_page(&app, t, &viewer, e).await,
    }
}

/// `POST /thong-bao/kenh`: the channels chosen (checkboxes).
pub(crate) async fn choose(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    axum::Form(f): axum::Form<HashMap<String, String>>,
) -> Response {
    let t = tenant.as_deref();
    let Some(p) = &viewer.principal else {
        return to_login("/thong-bao");
    };
    if !viewer.accepts(f.get("csrf").map(String::as_str)) {
        return error_page(&app, t, &viewer, forged()).await;
    }
    let c = uc::Channels {
        email: f.get("email").is_some_and(|v| !v.is_empty()),
        sms: f.get("sms").is_some_and(|v| !v.is_empty()),
    };
    match uc::set_channels(&app, p, c).await {
        Ok(_) => see_other("/thong-bao?da-luu=1", &[]),
        Err(e) => error_page(&app, t, &viewer, e).await,
    }
}
