//! Accounts and sessions over JSON: register, log in (a bearer token for programs, or a
//! cookie and a CSRF token for browsers), log out, the profile, password changes.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::AppState;
use crate::app::accounts::{self as uc, SESSION_HOURS};
use crate::app::{AppError, Code};
use crate::error::json_body;
use crate::openapi::ErrorBody;
use crate::session::{AnySession, COOKIE, ClientAddress, Session, csrf_token};

/// A new applicant account.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Register {
    /// 3–64 characters a-z, 0-9, `.`, `_`, `-`.
    #[schema(pattern = "^[a-z0-9._-]{3,64}$")]
    id: String,
    #[schema(min_length = 1, pattern = "\\S")]
    name: String,
    /// At least 10 characters, not guessable (the password rule: docs/operations.md).
    #[schema(min_length = 10)]
    password: String,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    phone: Option<String>,
}

/// An account created.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Registered {
    id: String,
}

/// `POST /api/v1/accounts`: an applicant registers.
#[utoipa::path(post, path = "/api/v1/accounts", tag = "accounts", summary = "An applicant registers",
    request_body = Register,
    responses((status = 201, body = Registered),
              (status = 400, description = "invalid_account_id, missing_name, weak_password, invalid_email, invalid_phone", body = ErrorBody),
              (status = 409, description = "account_exists", body = ErrorBody),
              (status = 429, description = "too_many_registrations", body = ErrorBody)))]
pub(crate) async fn register(
    State(s): State<AppState>,
    ClientAddress(address): ClientAddress,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<(StatusCode, Json<Registered>), AppError> {
    let r: Register = json_body(body, crate::limits::ACCOUNT)?;
    let id = uc::register(
        &s,
        address,
        uc::Registration {
            id: r.id,
            name: r.name,
            password: r.password,
            email: r.email,
            phone: r.phone,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(Registered { id })))
}

/// Credentials.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Login {
    id: String,
    password: String,
    /// A browser session: the token goes in a cookie, the answer carries the CSRF token.
    #[serde(default)]
    cookie: bool,
}

/// The `Set-Cookie` value of a browser session.
pub(crate) fn session_cookie(token: &str) -> String {
    format!(
        "{COOKIE}={token}; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age={}",
        SESSION_HOURS * 3600
    )
}

/// The `Set-Cookie` value that ends a browser session.
pub(crate) fn cleared_cookie() -> String {
    format!("{COOKIE}=; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=0")
}

/// A new session: a bearer token for programs, or (with `cookie`) the cookie and the
/// session's CSRF token for browsers.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct LoggedIn {
    #[serde(skip_serializing_if = "Option::is_none")]
    token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    csrf_token: Option<String>,
    must_change_password: bool,
    expires_in_hours: i64,
}

/// `POST /api/v1/sessions`: log in.
#[utoipa::path(post, path = "/api/v1/sessions", tag = "accounts", summary = "Log in",
    request_body = Login,
    responses((status = 201, body = LoggedIn),
              (status = 401, description = "wrong_credentials", body = ErrorBody),
              (status = 429, description = "too_many_attempts", body = ErrorBody)))]
pub(crate) async fn login(
    State(s): State<AppState>,
    ClientAddress(address): ClientAddress,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<Response, AppError> {
    let l: Login = json_body(body, crate::limits::LOGIN)?;
    let done = uc::login(&s, address, &l.id, &l.password).await?;
    let answer = LoggedIn {
        token: (!l.cookie).then(|| done.token.clone()),
        csrf_token: l.cookie.then(|| csrf_token(&done.token)),
        must_change_password: done.must_change_password,
        expires_in_hours: SESSION_HOURS,
    };
    if l.cookie {
        return Ok((
            StatusCode::CREATED,
            [(axum::http::header::SET_COOKIE, session_cookie(&done.token))],
            Json(answer),
        )
            .into_response());
    }
    Ok((StatusCode::CREATED, Json(answer)).into_response())
}

/// `DELETE /api/v1/sessions/current`: log out (and clear the browser cookie).
#[utoipa::path(delete, path = "/api/v1/sessions/current", tag = "accounts", summary = "Log out",
    security(("bearer" = [])), responses((status = 204, description = "logged out")))]
pub(crate) async fn logout(
    State(s): State<AppState>,
    AnySession(session): AnySession,
) -> Result<Response, AppError> {
    uc::logout(&s, &session.token).await?;
    Ok((
        StatusCode::NO_CONTENT,
        [(axum::http::header::SET_COOKIE, cleared_cookie())],
    )
        .into_response())
}

/// The account, and for a browser session its CSRF token.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct MeView {
    #[serde(flatten)]
    me: uc::Me,
    csrf_token: Option<String>,
}

/// `GET /api/v1/me`: the account, its roles, and (for a browser session) its CSRF token.
#[utoipa::path(get, path = "/api/v1/me", tag = "accounts", summary = "My account and roles",
    security(("bearer" = [])), responses((status = 200, body = MeView)))]
pub(crate) async fn me(AnySession(session): AnySession) -> Json<MeView> {
    Json(MeView {
        me: uc::me(&session.principal),
        csrf_token: session.via_cookie.then(|| csrf_token(&session.token)),
    })
}

/// A name and contact details.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Profile {
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    name: String,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    phone: Option<String>,
}

/// `PUT /api/v1/me`: change one's name and contact details.
#[utoipa::path(put, path = "/api/v1/me", tag = "accounts", summary = "Change my name and contact details",
    security(("bearer" = [])), request_body = Profile,
    responses((status = 200, body = uc::Profile),
              (status = 400, description = "missing_name, invalid_email, invalid_phone", body = ErrorBody)))]
pub(crate) async fn update_profile(
    State(s): State<AppState>,
    session: Session,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<Json<uc::Profile>, AppError> {
    let p: Profile = json_body(body, crate::limits::PROFILE)?;
    Ok(Json(
        uc::update_profile(&s, &session.principal, &p.name, p.email, p.phone).await?,
    ))
}

/// The current password and the new one.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ChangePassword {
    current: String,
    /// At least 10 characters, not guessable, not the current one.
    #[schema(min_length = 10)]
    new: String,
}

/// `POST /api/v1/me/password`: change the password; every session of the account ends.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "accounts", summary = "Change my password (every session ends)",
    security(("bearer" = [])), request_body = ChangePassword,
    responses((status = 204, description = "changed"),
              (status = 400, description = "weak_password, same_password", body = ErrorBody),
              (status = 403, description = "wrong_password", body = ErrorBody)))]
pub(crate) async fn change_password(
    State(s): State<AppState>,
    AnySession(session): AnySession,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<StatusCode, AppError> {
    let c: ChangePassword = json_body(body, crate::limits::PASSWORD)?;
    uc::change_password(&s, &session.principal, &c.current, &c.new).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v1/me/notifications`: my portal inbox, newest first, with the number unread.
#[utoipa::path(get, path = "/api/v1/me/notifications", tag = "accounts",
    summary = "My notifications (the portal inbox)",
    security(("bearer" = [])),
    responses((status = 200, body = crate::app::notifications::Inbox),
              (status = 401, body = ErrorBody)))]
pub(crate) async fn notifications(
    State(s): State<AppState>,
    session: Session,
) -> Result<Json<crate::app::notifications::Inbox>, AppError> {
    Ok(Json(
        crate::app::notifications::inbox(&s, &session.principal).await?,
    ))
}

/// `POST /api/v1/me/notifications/{id}/read`: marks one read.
#[utoipa::path(post, path = "/api/v1/me/notifications/{id}/read", tag = "accounts",
    summary = "Mark a notification read",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 204, description = "read"),
              (status = 404, body = ErrorBody)))]
pub(crate) async fn read_notification(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::new(Code::NotFound))?;
    crate::app::notifications::read(&s, &session.principal, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v1/deliveries?state=dead`: the deliveries in a state (`pending`, `sent`,
/// `dead`, `skipped`), newest first, for a system administrator at the top.
#[utoipa::path(get, path = "/api/v1/deliveries", tag = "staff",
    summary = "Deliveries of notifications in a state (the dead letters by default)",
    security(("bearer" = [])),
    params(("state" = Option<String>, Query, pattern = "^(pending|sent|dead|skipped)$")),
    responses((status = 200, body = Vec<motcua_store::Delivery>),
              (status = 400, body = ErrorBody),
              (status = 403, body = ErrorBody)))]
pub(crate) async fn deliveries(
    State(s): State<AppState>,
    session: Session,
    q: super::Params,
) -> Result<Json<Vec<motcua_store::Delivery>>, AppError> {
    let q = super::params(q)?;
    let state = q.get("state").map_or("dead", String::as_str);
    Ok(Json(
        crate::app::notifications::deliveries(&s, &session.principal, state).await?,
    ))
}

/// `POST /api/v1/deliveries/{id}/retry`: sends a dead delivery again.
#[utoipa::path(post, path = "/api/v1/deliveries/{id}/retry", tag = "staff",
    summary = "Send a dead delivery again",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 204, description = "pending again"),
              (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub(crate) async fn retry_delivery(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::new(Code::NotFound))?;
    crate::app::notifications::retry(&s, &session.principal, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v1/me/channels`: the channels my notifications come through besides the
/// portal inbox.
#[utoipa::path(get, path = "/api/v1/me/channels", tag = "accounts",
    summary = "My notification channels",
    security(("bearer" = [])),
    responses((status = 200, body = crate::app::notifications::Channels),
              (status = 401, body = ErrorBody)))]
pub(crate) async fn channels(
    State(s): State<AppState>,
    session: Session,
) -> Result<Json<crate::app::notifications::Channels>, AppError> {
    Ok(Json(
        crate::app::notifications::channels(&s, &session.principal).await?,
    ))
}

/// `PUT /api/v1/me/channels`: choose them (`{"email": true, "sms": false}`).
#[utoipa::path(put, path = "/api/v1/me/channels", tag = "accounts",
    summary = "Choose my notification channels",
    security(("bearer" = [])),
    request_body = crate::app::notifications::Channels,
    responses((status = 200, body = crate::app::notifications::Channels),
              (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody)))]
pub(crate) async fn set_channels(
    State(s): State<AppState>,
    session: Session,
    b: Result<Json<Value>, JsonRejection>,
) -> Result<Json<crate::app::notifications::Channels>, AppError> {
    let c: crate::app::notifications::Channels = json_body(b, &[])?;
    Ok(Json(
        crate::app::notifications::set_channels(&s, &session.principal, c).await?,
    ))
}

/// `GET /api/v1/notification-templates`: every notice kind, what causes it, and its
/// templates, newest first (docs/notifications.md), for a system administrator at the top.
#[utoipa::path(get, path = "/api/v1/notification-templates", tag = "staff",
    summary = "The notices' templates, every version",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<crate::app::notifications::TemplateEntry>),
              (status = 403, body = ErrorBody)))]
pub(crate) async fn templates(
    State(s): State<AppState>,
    session: Session,
) -> Result<Json<Vec<crate::app::notifications::TemplateEntry>>, AppError> {
    Ok(Json(
        crate::app::notifications::templates(&s, &session.principal).await?,
    ))
}

/// A template's text.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct TemplateText {
    /// The title (the mail's subject), with placeholders such as `{ma_ho_so}`.
    title: String,
    /// The text, with placeholders.
    body: String,
}

/// `PUT /api/v1/notification-templates/{kind}`: a new version of a notice's template; the
/// notices dispatched from then on use it.
#[utoipa::path(put, path = "/api/v1/notification-templates/{kind}", tag = "staff",
    summary = "Write a new version of a notice's template",
    security(("bearer" = [])),
    params(("kind" = String, Path)),
    request_body = TemplateText,
    responses((status = 200, body = motcua_store::NoticeTemplate),
              (status = 400, description = "invalid_body, invalid_template, too_long", body = ErrorBody),
              (status = 403, body = ErrorBody)))]
pub(crate) async fn set_template(
    State(s): State<AppState>,
    session: Session,
    Path(kind): Path<String>,
    b: Result<Json<Value>, JsonRejection>,
) -> Result<Json<motcua_store::NoticeTemplate>, AppError> {
    let t: TemplateText = json_body(b, crate::limits::TEMPLATE)?;
    Ok(Json(
        crate::app::notifications::set_template(&s, &session.principal, &kind, &t.title, &t.body)
            .await?,
    ))
}
