//! Account pages: log in, register, log out, the profile, password changes, and what to do
//! about a forgotten password. Forms post `application/x-www-form-urlencoded` with their
//! token (see `viewer.rs`); a wrong or missing token is refused and changes nothing.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use std::collections::HashMap;

use super::{Layout, Viewer, error_page, page_for, see_other};
use crate::app::{AppError, Code, accounts as uc};
use crate::session::ClientAddress;
use crate::{AppState, Tenant};

/// A field's error, shown in the summary and beside the field.
pub(crate) struct FieldError {
    pub field: &'static str,
    pub message: String,
}

/// Which field an error of the catalogue is about.
fn field_of(code: Code) -> &'static str {
    match code {
        Code::InvalidAccountId | Code::AccountExists => "id",
        Code::MissingName => "name",
        Code::InvalidEmail => "email",
        Code::InvalidPhone => "phone",
        Code::WrongPassword => "current",
        Code::SamePassword => "new",
        _ => "password",
    }
}

fn errors_of(e: AppError, field_for_weak: &'static str) -> Vec<FieldError> {
    let (field, message) = match e.code {
        // The rule itself is the field's hint: the error says only what is wrong.
        Code::WeakPassword => (
            field_for_weak,
            e.message
                .split_once(". ")
                .map_or(e.message.clone(), |(first, _)| format!("{first}.")),
        ),
        c => (field_of(c), e.message),
    };
    vec![FieldError { field, message }]
}

fn find<'a>(errors: &'a [FieldError], field: &str) -> Option<&'a str> {
    errors
        .iter()
        .find(|e| e.field == field)
        .map(|e| e.message.as_str())
}

pub(super) fn forged() -> AppError {
    AppError::with(
        Code::CsrfTokenInvalid,
        "Biểu mẫu đã hết hạn hoặc không gửi từ trang này; vui lòng tải lại trang và gửi lại.",
    )
}

/// A `tiep` (next) address is followed only when it is a path of this site.
fn next_of(v: Option<&String>) -> String {
    local_path(v).unwrap_or_else(|| "/tai-khoan".into())
}

fn local_path(v: Option<&String>) -> Option<String> {
    v.filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.contains('\\'))
        .cloned()
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    layout: Layout,
    notice: Option<String>,
    errors: Vec<FieldError>,
    id: String,
    next: String,
}

impl LoginPage {
    fn err(&self, field: &str) -> Option<&str> {
        find(&self.errors, field)
    }
}

/// `GET /dang-nhap[?tiep=]`.
pub(crate) async fn login_form(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let notice = if q.contains_key("da-doi") {
        Some("Đã đổi mật khẩu. Vui lòng đăng nhập lại bằng mật khẩu mới.".to_string())
    } else if viewer.expired {
        Some(format!(
            "Phiên đăng nhập đã hết hạn (mỗi phiên dài {} giờ) hoặc đã kết thúc ở nơi khác. Những gì bạn đã lưu vẫn còn; trang vừa gửi chưa được lưu. Đăng nhập lại để tiếp tục.",
            uc::SESSION_HOURS
        ))
    } else {
        None
    };
    let view = LoginPage {
        layout: Layout::new(&app, tenant.as_deref(), "login", &viewer).await,
        notice,
        errors: Vec::new(),
        id: String::new(),
        next: next_of(q.get("tiep")),
    };
    page_for(&viewer, StatusCode::OK, &view)
}

/// `POST /dang-nhap`: a cookie session, then the page asked for (or the password change a
/// first login requires).
pub(crate) async fn login(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    ClientAddress(address): ClientAddress,
    viewer: Viewer,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let t = tenant.as_deref();
    if !viewer.accepts(f.get("csrf").map(String::as_str)) {
        return error_page(&app, t, &viewer, forged()).await;
    }
    let id = f
        .get("id")
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    let password = f.get("password").cloned().unwrap_or_default();
    let next = next_of(f.get("tiep"));
    let result = if id.is_empty() || password.is_empty() {
        Err(AppError::with(
            Code::WrongCredentials,
            "Nhập tên đăng nhập và mật khẩu.",
        ))
    } else {
        uc::login(&app, address, &id, &password).await
    };
    match result {
        Ok(done) => {
            // Staff asked for no page in particular start at their queue.
            let staff_home = f
                .get("tiep")
                .is_none_or(|t| t.is_empty() || t == "/tai-khoan")
                && app
                    .store
                    .user(&id)
                    .await
                    .is_ok_and(|(u, _)| u.kind == "staff");
            let to = if done.must_change_password {
                "/doi-mat-khau".to_string()
            } else if staff_home {
                "/can-bo".to_string()
            } else {
                next
            };
            see_other(&to, &[crate::json::accounts::session_cookie(&done.token)])
        }
        Err(e) if e.status() < 500 => {
            let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST);
            let errors = if id.is_empty() {
                vec![FieldError {
                    field: "id",
                    message: "Nhập tên đăng nhập.".into(),
                }]
            } else {
                vec![FieldError {
                    field: "password",
                    message: e.message,
                }]
            };
            let view = LoginPage {
                layout: Layout::new(&app, t, "login", &viewer).await,
                notice: None,
                errors,
                id,
                next,
            };
            page_for(&viewer, status, &view)
        }
        Err(e) => error_page(&app, t, &viewer, e).await,
    }
}

/// An input of a form, with what the user last typed.
pub(crate) struct Input {
    pub name: String,
    pub label: String,
    pub hint: String,
    pub kind: &'static str,
    pub autocomplete: &'static str,
    pub value: String,
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage {
    layout: Layout,
    errors: Vec<FieldError>,
    fields: Vec<Input>,
    /// Where to go once registered (empty: the new account's page).
    next: String,
}

impl RegisterPage {
    fn err(&self, field: &str) -> Option<&str> {
        find(&self.errors, field)
    }
}

fn registration_fields(f: &HashMap<String, String>) -> Vec<Input> {
    let v = |k: &str| f.get(k).cloned().unwrap_or_default();
    vec![
        Input {
            name: "name".into(),
            label: "Họ và tên".into(),
            hint: String::new(),
            kind: "text",
            autocomplete: "name",
            value: v("name"),
        },
        Input {
            name: "id".into(),
            label: "Tên đăng nhập".into(),
            hint: "3–64 ký tự: chữ thường không dấu, số, dấu chấm, gạch ngang hoặc gạch dưới"
                .into(),
            kind: "text",
            autocomplete: "username",
            value: v("id"),
        },
        Input {
            name: "email".into(),
            label: "Thư điện tử (không bắt buộc)".into(),
            hint: String::new(),
            kind: "email",
            autocomplete: "email",
            value: v("email"),
        },
        Input {
            name: "phone".into(),
            label: "Số điện thoại (không bắt buộc)".into(),
            hint: String::new(),
            kind: "tel",
            autocomplete: "tel",
            value: v("phone"),
        },
        Input {
            name: "password".into(),
            label: "Mật khẩu".into(),
            hint: crate::password::RULE_VI.to_string(),
            kind: "password",
            autocomplete: "new-password",
            value: String::new(),
        },
    ]
}

/// `GET /dang-ky[?tiep=]`.
pub(crate) async fn register_form(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let view = RegisterPage {
        layout: Layout::new(&app, tenant.as_deref(), "register", &viewer).await,
        errors: Vec::new(),
        fields: registration_fields(&HashMap::new()),
        next: local_path(q.get("tiep")).unwrap_or_default(),
    };
    page_for(&viewer, StatusCode::OK, &view)
}

/// `POST /dang-ky`: the account, then a session, then the page asked for (else the new
/// account's page).
pub(crate) async fn register(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    ClientAddress(address): ClientAddress,
    viewer: Viewer,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let t = tenant.as_deref();
    if !viewer.accepts(f.get("csrf").map(String::as_str)) {
        return error_page(&app, t, &viewer, forged()).await;
    }
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let id = get("id").trim().to_string();
    let password = get("password");
    let registered = uc::register(
        &app,
        address,
        uc::Registration {
            id: id.clone(),
            name: get("name"),
            password: password.clone(),
            email: Some(get("email")),
            phone: Some(get("phone")),
        },
    )
    .await;
    let result = match registered {
        Ok(_) => uc::login(&app, address, &id, &password).await,
        Err(e) => Err(e),
    };
    let next = local_path(f.get("tiep"));
    match result {
        Ok(done) => see_other(
            next.as_deref().unwrap_or("/tai-khoan?moi=1"),
            &[crate::json::accounts::session_cookie(&done.token)],
        ),
        Err(e) if e.status() < 500 => {
            let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST);
            let view = RegisterPage {
                layout: Layout::new(&app, t, "register", &viewer).await,
                errors: errors_of(e, "password"),
                fields: registration_fields(&f),
                next: next.unwrap_or_default(),
            };
            page_for(&viewer, status, &view)
        }
        Err(e) => error_page(&app, t, &viewer, e).await,
    }
}

/// `POST /dang-xuat`.
pub(crate) async fn logout(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    if !viewer.accepts(f.get("csrf").map(String::as_str)) {
        return error_page(&app, tenant.as_deref(), &viewer, forged()).await;
    }
    if let Some(token) = &viewer.token
        && let Err(e) = uc::logout(&app, token).await
    {
        return error_page(&app, tenant.as_deref(), &viewer, e).await;
    }
    see_other("/", &[crate::json::accounts::cleared_cookie()])
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    layout: Layout,
    notice: Option<String>,
    errors: Vec<FieldError>,
    login: String,
    fields: Vec<Input>,
}

impl AccountPage {
    fn err(&self, field: &str) -> Option<&str> {
        find(&self.errors, field)
    }
}

fn profile_fields(name: &str, email: &str, phone: &str) -> Vec<Input> {
    vec![
        Input {
            name: "name".into(),
            label: "Họ và tên".into(),
            hint: String::new(),
            kind: "text",
            autocomplete: "name",
            value: name.into(),
        },
        Input {
            name: "email".into(),
            label: "Thư điện tử".into(),
            hint: "Để nhận thông báo về hồ sơ".into(),
            kind: "email",
            autocomplete: "email",
            value: email.into(),
        },
        Input {
            name: "phone".into(),
            label: "Số điện thoại".into(),
            hint: "Để nhận tin nhắn về hồ sơ".into(),
            kind: "tel",
            autocomplete: "tel",
            value: phone.into(),
        },
    ]
}

/// The address of the login page that comes back here.
pub(super) fn to_login(here: &str) -> Response {
    see_other(&format!("/dang-nhap?tiep={here}"), &[])
}

/// `GET /tai-khoan`: the profile.
pub(crate) async fn account(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let Some(p) = &viewer.principal else {
        return to_login("/tai-khoan");
    };
    if p.user.must_change_password {
        return see_other("/doi-mat-khau", &[]);
    }
    let u = &p.user;
    let view = AccountPage {
        layout: Layout::new(&app, tenant.as_deref(), "account", &viewer).await,
        notice: q
            .contains_key("moi")
            .then(|| "Đã tạo tài khoản và đăng nhập.".to_string()),
        errors: Vec::new(),
        login: u.id.clone(),
        fields: profile_fields(
            &u.name,
            u.email.as_deref().unwrap_or(""),
            u.phone.as_deref().unwrap_or(""),
        ),
    };
    page_for(&viewer, StatusCode::OK, &view)
}

/// `POST /tai-khoan`: saves the name and contact details.
pub(crate) async fn save_account(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let t = tenant.as_deref();
    let Some(p) = &viewer.principal else {
        return to_login("/tai-khoan");
    };
    if !viewer.accepts(f.get("csrf").map(String::as_str)) {
        return error_page(&app, t, &viewer, forged()).await;
    }
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let saved = uc::update_profile(
        &app,
        p,
        &get("name"),
        Some(get("email")),
        Some(get("phone")),
    )
    .await;
    let (status, notice, errors) = match saved {
        Ok(_) => (StatusCode::OK, Some("Đã lưu.".to_string()), Vec::new()),
        Err(e) if e.status() < 500 => (
            StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST),
            None,
            errors_of(e, "name"),
        ),
        Err(e) => return error_page(&app, t, &viewer, e).await,
    };
    // The header shows the name as it now stands.
    let viewer = Viewer {
        principal: viewer.principal.clone().map(|mut p| {
            if errors.is_empty() {
                p.user.name = get("name").trim().to_string();
            }
            p
        }),
        token: viewer.token.clone(),
        form_token: viewer.form_token.clone(),
        new_form_cookie: false,
        session_ends: viewer.session_ends,
        expired: false,
        gzip: viewer.gzip,
    };
    let view = AccountPage {
        layout: Layout::new(&app, t, "account", &viewer).await,
        notice,
        errors,
        login: p.user.id.clone(),
        fields: profile_fields(&get("name"), &get("email"), &get("phone")),
    };
    page_for(&viewer, status, &view)
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    layout: Layout,
    must: bool,
    rule: &'static str,
    errors: Vec<FieldError>,
}

impl PasswordPage {
    fn err(&self, field: &str) -> Option<&str> {
        find(&self.errors, field)
    }
}

/// `GET /doi-mat-khau`.
pub(crate) async fn password_form(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
) -> Response {
    let Some(p) = &viewer.principal else {
        return to_login("/doi-mat-khau");
    };
    let view = PasswordPage {
        must: p.user.must_change_password,
        layout: Layout::new(&app, tenant.as_deref(), "account", &viewer).await,
        rule: crate::password::RULE_VI,
        errors: Vec::new(),
    };
    page_for(&viewer, StatusCode::OK, &view)
}

/// `POST /doi-mat-khau`: every session of the account ends; log in again.
pub(crate) async fn change_password(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let t = tenant.as_deref();
    let Some(p) = &viewer.principal else {
        return to_login("/doi-mat-khau");
    };
    if !viewer.accepts(f.get("csrf").map(String::as_str)) {
        return error_page(&app, t, &viewer, forged()).await;
    }
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    match uc::change_password(&app, p, &get("current"), &get("new")).await {
        Ok(()) => see_other(
            "/dang-nhap?da-doi=1",
            &[crate::json::accounts::cleared_cookie()],
        ),
        Err(e) if e.status() < 500 => {
            let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST);
            let view = PasswordPage {
                must: p.user.must_change_password,
                layout: Layout::new(&app, t, "account", &viewer).await,
                rule: crate::password::RULE_VI,
                errors: errors_of(e, "new"),
            };
            page_for(&viewer, status, &view)
        }
        Err(e) => error_page(&app, t, &viewer, e).await,
    }
}

#[derive(Template)]
#[template(path = "forgot.html")]
struct ForgotPage {
    layout: Layout,
}

/// `GET /quen-mat-khau`: says plainly what can be done today.
pub(crate) async fn forgot(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
) -> Response {
    let view = ForgotPage {
        layout: Layout::new(&app, tenant.as_deref(), "login", &viewer).await,
    };
    page_for(&viewer, StatusCode::OK, &view)
}
