//! The citizen portal's pages: server-rendered Vietnamese HTML (askama templates in
//! `templates/`, compiled and checked at build time), one stylesheet embedded in the binary
//! under a content-hashed name, no JavaScript needed. Page handlers are adapters over the
//! application layer like the JSON ones: they read the request, call a use case, and turn
//! what it answers into a view model (strings ready to show: dates as `dd/MM/yyyy HH:mm`,
//! durations and levels in words) for the template.

mod accounts;
mod admin;
mod evaluation;
mod feedback;
mod gzip;
mod inbox;
mod mine;
mod monitor;
mod office;
mod outbox;
mod public;
mod setup;
mod submit;
pub(crate) mod text;
pub(crate) mod timeline;
mod viewer;

pub(crate) use viewer::Viewer;

use askama::Template;
use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::sync::OnceLock;

use crate::AppState;
use crate::app::AppError;

/// The stylesheet, as written.
const CSS: &str = include_str!("../../assets/site.css");

/// The stylesheet's address: its content's hash in the name, so it can be cached for a year
/// and a new version is fetched at once.
pub(crate) fn css_path() -> &'static str {
    static PATH: OnceLock<String> = OnceLock::new();
    PATH.get_or_init(|| {
        let hash = motcua_store::sha256_hex(CSS.as_bytes());
        format!("/assets/site.{}.css", &hash[..12])
    })
}

/// What every page's layout shows.
pub(crate) struct Layout {
    /// The site's name: the agency of the host name, else the top agency.
    pub site: String,
    /// The stylesheet.
    pub css: &'static str,
    /// Which navigation entry is this page's (`home`, `catalogue`, `lookup`, `account`).
    pub current: &'static str,
    /// The logged-in user's name, if any.
    pub user: Option<String>,
    /// Whether the user is staff (the back office's entry instead of "my dossiers").
    pub staff: bool,
    /// The token every form of the page carries.
    pub csrf: String,
    /// How to reach the site's agency (Điều 18.1), shown at the foot of every page.
    pub contact: Vec<ContactLine>,
    /// A warning that the session ends soon, before a form is lost to it.
    pub session_warning: Option<String>,
}

/// How long before the end of a session its pages warn.
const SESSION_WARNING_MINUTES: i64 = 30;

/// The warning for a session that ends within [`SESSION_WARNING_MINUTES`] of `now`.
fn session_warning(
    ends: Option<chrono::DateTime<chrono::Utc>>,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<String> {
    let ends = ends?;
    let left = (ends - now).num_minutes();
    (left < SESSION_WARNING_MINUTES).then(|| {
        format!(
            "Phiên đăng nhập của bạn sẽ hết hạn lúc {} (còn khoảng {} phút). Hãy lưu trang đang điền trước thời điểm đó; những gì đã lưu vẫn còn sau khi đăng nhập lại.",
            text::clock_time(ends),
            left.max(1)
        )
    })
}

/// One line of an agency's contact details: what, the text, and a link when it has one.
pub(crate) struct ContactLine {
    pub label: &'static str,
    pub text: String,
    pub href: Option<String>,
}

/// An agency's contact details as lines, the known ones only.
pub(crate) fn contact_lines(c: &motcua_store::AgencyContact) -> Vec<ContactLine> {
    let mut lines = Vec::new();
    if let Some(a) = &c.address {
        lines.push(ContactLine {
            label: "Địa chỉ",
            text: a.clone(),
            href: None,
        });
    }
    if let Some(h) = &c.hotline {
        let digits: String = h
            .chars()
            .filter(|ch| ch.is_ascii_digit() || *ch == '+')
            .collect();
        lines.push(ContactLine {
            label: "Đường dây nóng",
            text: h.clone(),
            href: Some(format!("tel:{digits}")),
        });
    }
    if let Some(e) = &c.email {
        lines.push(ContactLine {
            label: "Thư điện tử",
            text: e.clone(),
            href: Some(format!("mailto:{e}")),
        });
    }
    if let Some(h) = &c.hours {
        lines.push(ContactLine {
            label: "Giờ làm việc",
            text: h.clone(),
            href: None,
        });
    }
    lines
}

impl Layout {
    pub(crate) async fn new(
        app: &AppState,
        tenant: Option<&str>,
        current: &'static str,
        viewer: &Viewer,
    ) -> Layout {
        let site = match app.config().await {
            Ok(c) => tenant
                .and_then(|t| c.directory.get(t))
                .or_else(|| {
                    c.directory
                        .all()
                        .into_iter()
                        .find(|a| a.parent_id.is_none())
                })
                .map(|a| (a.name.clone(), contact_lines(&a.contact))),
            Err(_) => None,
        };
        let (site, contact) = site.unwrap_or_else(|| ("Cổng Dịch vụ công".into(), Vec::new()));
        Layout {
            site,
            contact,
            session_warning: session_warning(viewer.session_ends, app.now()),
            css: css_path(),
            current,
            user: viewer.principal.as_ref().map(|p| p.user.name.clone()),
            staff: viewer.principal.as_ref().is_some_and(|p| p.is_staff()),
            csrf: viewer.form_token.clone(),
        }
    }
}

/// A rendered page with its status, setting the viewer's form cookie when it is new.
pub(crate) fn page_for<T: Template>(viewer: &Viewer, status: StatusCode, t: &T) -> Response {
    let mut response = match t.render() {
        Ok(html) if viewer.gzip && html.len() >= gzip::MIN_SIZE => match gzip::page(html) {
            Ok(packed) => (
                status,
                [
                    (
                        header::CONTENT_TYPE,
                        HeaderValue::from_static("text/html; charset=utf-8"),
                    ),
                    (header::CONTENT_ENCODING, HeaderValue::from_static("gzip")),
                    (header::VARY, HeaderValue::from_static("accept-encoding")),
                ],
                packed,
            )
                .into_response(),
            Err(html) => html_answer(status, html),
        },
        Ok(html) => html_answer(status, html),
        Err(e) => render_failed(e),
    };
    if let Some(c) = viewer.set_cookie()
        && let Ok(v) = HeaderValue::from_str(&c)
    {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}

/// A redirect after a form (303: the browser follows with a GET).
pub(crate) fn see_other(to: &str, cookies: &[String]) -> Response {
    let mut response =
        (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response();
    for c in cookies {
        if let Ok(v) = HeaderValue::from_str(c) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    response
}

/// A rendered page with its status.
pub(crate) fn page<T: Template>(status: StatusCode, t: &T) -> Response {
    match t.render() {
        Ok(html) => html_answer(status, html),
        Err(e) => render_failed(e),
    }
}

fn html_answer(status: StatusCode, html: String) -> Response {
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        )],
        html,
    )
        .into_response()
}

fn render_failed(e: askama::Error) -> Response {
    tracing::error!(error = %e, "a page did not render");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        )],
        "Hệ thống gặp sự cố; vui lòng thử lại sau.",
    )
        .into_response()
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    layout: Layout,
    heading: String,
    message: String,
}

/// An error as a page: 404 and 403 say so plainly, anything else is "try again later".
pub(crate) async fn error_page(
    app: &AppState,
    tenant: Option<&str>,
    viewer: &Viewer,
    e: AppError,
) -> Response {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let heading = match status {
        StatusCode::NOT_FOUND => "Không tìm thấy trang",
        StatusCode::FORBIDDEN => "Không có quyền truy cập",
        StatusCode::UNAUTHORIZED => "Cần đăng nhập",
        s if s.is_client_error() => "Yêu cầu chưa hợp lệ",
        _ => "Hệ thống gặp sự cố",
    };
    let message = if status.is_server_error() {
        "Hệ thống gặp sự cố; vui lòng thử lại sau ít phút.".to_string()
    } else {
        e.message
    };
    page(
        status,
        &ErrorPage {
            layout: Layout::new(app, tenant, "", viewer).await,
            heading: heading.into(),
            message,
        },
    )
}

/// The stylesheet, cached for a year under its hashed name.
async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        CSS,
    )
        .into_response()
}

/// The portal's routes (the stable addresses: `/`, `/thu-tuc`, `/thu-tuc/{code}`,
/// `/tra-cuu`, `/tra-cuu/{code}`).
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(public::home))
        .route("/thu-tuc", get(public::catalogue))
        .route("/thu-tuc/{code}", get(public::procedure))
        .route("/tra-cuu", get(public::lookup_form))
        .route("/tra-cuu/{code}", get(public::lookup))
        .route(
            "/dang-nhap",
            get(accounts::login_form).post(accounts::login),
        )
        .route(
            "/dang-ky",
            get(accounts::register_form).post(accounts::register),
        )
        .route("/dang-xuat", axum::routing::post(accounts::logout))
        .route(
            "/tai-khoan",
            get(accounts::account).post(accounts::save_account),
        )
        .route(
            "/doi-mat-khau",
            get(accounts::password_form).post(accounts::change_password),
        )
        .route("/quen-mat-khau", get(accounts::forgot))
        .route(
            "/thu-tuc/{code}/nop",
            get(submit::start_form).post(submit::start),
        )
        .route(
            "/nop/{id}/nguoi-nop",
            get(submit::applicant_form).post(submit::save_applicant),
        )
        .route(
            "/nop/{id}/to-khai",
            get(submit::form_form).post(submit::save_form),
        )
        .route(
            "/nop/{id}/giay-to",
            get(submit::files_form)
                .merge(axum::routing::post(submit::save_files).layer(crate::upload_limit())),
        )
        .route(
            "/nop/{id}/nhan-ket-qua",
            get(submit::delivery_form).post(submit::save_delivery),
        )
        .route(
            "/nop/{id}/kiem-tra",
            get(submit::check).post(submit::submit),
        )
        .route("/nop/{id}/da-nop", get(submit::done))
        .route("/ho-so", get(mine::list))
        .route("/thong-bao", get(inbox::page))
        .route("/thong-bao/kenh", axum::routing::post(inbox::choose))
        .route("/thong-bao/{id}", axum::routing::post(inbox::read))
        .route("/can-bo", get(office::queue))
        .route("/can-bo/ho-so/{id}", get(office::workspace))
        .route("/can-bo/phan-anh", get(office::feedback_inbox))
        .route("/can-bo/buu-chinh", get(office::postal))
        .route("/can-bo/thu-tuc", get(admin::list))
        .route(
            "/can-bo/co-quan",
            get(setup::agencies).post(setup::save_agency),
        )
        .route("/can-bo/co-quan/{id}", get(setup::agency))
        .route("/can-bo/theo-doi", get(monitor::page))
        .route("/can-bo/theo-doi/thong-ke.csv", get(monitor::csv))
        .route("/can-bo/theo-doi/thong-ke.xlsx", get(monitor::xlsx))
        .route("/can-bo/theo-doi/so-theo-doi.pdf", get(monitor::register))
        .route(
            "/can-bo/theo-doi/danh-gia",
            get(evaluation::page).post(evaluation::enter),
        )
        .route("/can-bo/theo-doi/danh-gia.xlsx", get(evaluation::xlsx))
        .route("/can-bo/tai-khoan/nhat-ky", get(admin::audit))
        .route("/can-bo/gui-thong-bao", get(outbox::deliveries))
        .route(
            "/can-bo/gui-thong-bao/{id}/gui-lai",
            axum::routing::post(outbox::retry),
        )
        .route(
            "/can-bo/mau-thong-bao",
            get(outbox::templates).post(outbox::save_template),
        )
        .route(
            "/can-bo/lich",
            get(setup::calendar).post(setup::calendar_change),
        )
        .route("/can-bo/lich/xem-truoc", get(setup::calendar_preview))
        .route(
            "/can-bo/lich/ap-dung",
            axum::routing::post(setup::calendar_apply),
        )
        .route(
            "/can-bo/tai-khoan",
            get(admin::staff).post(admin::staff_change),
        )
        .route(
            "/can-bo/thu-tuc/kiem-tra",
            axum::routing::post(admin::check).layer(crate::upload_limit()),
        )
        .route(
            "/can-bo/thu-tuc/cong-bo",
            axum::routing::post(admin::publish).layer(crate::upload_limit()),
        )
        .route("/can-bo/thu-tuc/giao", axum::routing::post(admin::assign))
        .route("/can-bo/thu-tuc/ngung", axum::routing::post(admin::retire))
        .route(
            "/can-bo/thu-tuc/chuyen",
            get(admin::migration).post(admin::migrate),
        )
        .route(
            "/can-bo/thu-tuc/nhap",
            axum::routing::post(admin::import).layer(crate::upload_limit()),
        )
        .route(
            "/can-bo/tiep-nhan",
            get(office::intake_form)
                .merge(axum::routing::post(office::intake).layer(crate::upload_limit())),
        )
        .route(
            "/can-bo/phan-anh/{id}",
            axum::routing::post(office::answer_feedback),
        )
        .route("/can-bo/ho-so/{id}/tep/{sha256}", get(office::file))
        .route("/can-bo/ho-so/{id}/bieu-mau/{form}", get(office::form))
        .route(
            "/can-bo/ho-so/{id}/lenh",
            axum::routing::post(office::act).layer(crate::upload_limit()),
        )
        .route("/phan-anh", get(feedback::form).post(feedback::send))
        .route("/phan-anh/cua-toi", get(feedback::mine))
        .route("/phan-anh/{id}", get(feedback::item))
        .route("/hoi-dap", get(feedback::answers))
        .route("/ho-so/{id}", get(mine::show))
        .route(
            "/ho-so/{id}/thao-tac",
            axum::routing::post(mine::act).layer(crate::upload_limit()),
        )
        .route("/ho-so/{id}/tep/{sha256}", get(mine::file))
        .route("/ho-so/{id}/bieu-mau/{form}", get(mine::form))
        .route(css_path(), get(stylesheet))
}

/// The answer to an address that is not routed: a page, except under `/api`.
pub(crate) async fn not_found(
    axum::extract::State(app): axum::extract::State<AppState>,
    crate::Tenant(tenant): crate::Tenant,
    viewer: Viewer,
    uri: axum::http::Uri,
) -> Response {
    let e = AppError::not_found("Không có địa chỉ này.");
    if uri.path().starts_with("/api/") {
        return e.into_response();
    }
    error_page(&app, tenant.as_deref(), &viewer, e).await
}
