//! Accounts and sessions over JSON: register, log in (a bearer token for programs, or a
//! cookie and a CSRF token for browsers), log out, the profile, password changes.

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::app::AppError;
use crate::app::accounts::{self as uc, SESSION_HOURS};
use crate::error::json_body;
use crate::session::{AnySession, COOKIE, ClientAddress, Session, csrf_token};

#[derive(Deserialize)]
pub(crate) struct Register {
    id: String,
    name: String,
    password: String,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    phone: Option<String>,
}

/// `POST /api/v1/accounts`: an applicant registers.
pub(crate) async fn register(
    State(s): State<AppState>,
    ClientAddress(address): ClientAddress,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), AppError> {
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
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))))
}

#[derive(Deserialize)]
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

/// `POST /api/v1/sessions`: log in.
pub(crate) async fn login(
    State(s): State<AppState>,
    ClientAddress(address): ClientAddress,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<Response, AppError> {
    let l: Login = json_body(body, crate::limits::LOGIN)?;
    let done = uc::login(&s, address, &l.id, &l.password).await?;
    if l.cookie {
        return Ok((
            StatusCode::CREATED,
            [(axum::http::header::SET_COOKIE, session_cookie(&done.token))],
            Json(json!({
                "csrf_token": csrf_token(&done.token),
                "must_change_password": done.must_change_password,
                "expires_in_hours": SESSION_HOURS,
            })),
        )
            .into_response());
    }
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "token": done.token,
            "must_change_password": done.must_change_password,
            "expires_in_hours": SESSION_HOURS,
        })),
    )
        .into_response())
}

/// `DELETE /api/v1/sessions/current`: log out (and clear the browser cookie).
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

/// `GET /api/v1/me`: the account, its roles, and (for a browser session) its CSRF token.
pub(crate) async fn me(AnySession(session): AnySession) -> Json<Value> {
    let mut v = serde_json::to_value(uc::me(&session.principal)).unwrap_or(Value::Null);
    v["csrf_token"] = json!(session.via_cookie.then(|| csrf_token(&session.token)));
    Json(v)
}

#[derive(Deserialize)]
pub(crate) struct Profile {
    name: String,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    phone: Option<String>,
}

/// `PUT /api/v1/me`: change one's name and contact details.
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

#[derive(Deserialize)]
pub(crate) struct ChangePassword {
    current: String,
    new: String,
}

/// `POST /api/v1/me/password`: change the password; every session of the account ends.
pub(crate) async fn change_password(
    State(s): State<AppState>,
    AnySession(session): AnySession,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<StatusCode, AppError> {
    let c: ChangePassword = json_body(body, crate::limits::PASSWORD)?;
    uc::change_password(&s, &session.principal, &c.current, &c.new).await?;
    Ok(StatusCode::NO_CONTENT)
}
