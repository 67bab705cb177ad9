//! Staff administration over JSON: the site's agency, staff accounts, roles, password
//! resets, moves between agencies, the audit log.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::app::{AppError, staff as uc};
use crate::error::json_body;
use crate::session::Session;
use crate::{AppState, Tenant};

/// `GET /api/v1/tenant`: the agency of this site.
pub(crate) async fn tenant(
    State(s): State<AppState>,
    Tenant(tenant): Tenant,
) -> Result<Json<Value>, AppError> {
    let a = uc::tenant(&s, tenant.as_deref()).await?;
    Ok(Json(json!({ "agency": a })))
}

/// `GET /api/v1/agencies/{agency}/users`.
pub(crate) async fn list(
    State(s): State<AppState>,
    session: Session,
    Path(agency): Path<String>,
) -> Result<Json<Value>, AppError> {
    let users = uc::list(&s, &session.principal, &agency).await?;
    Ok(Json(json!({ "users": users })))
}

#[derive(Deserialize)]
pub(crate) struct NewStaff {
    id: String,
    name: String,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    phone: Option<String>,
    roles: Vec<String>,
}

/// `POST /api/v1/agencies/{agency}/users`: a new staff account (its one-time password is
/// in the answer, once).
pub(crate) async fn create(
    State(s): State<AppState>,
    session: Session,
    Path(agency): Path<String>,
    b: Result<Json<Value>, JsonRejection>,
) -> Result<(StatusCode, Json<uc::Created>), AppError> {
    let b: NewStaff = json_body(b, crate::limits::STAFF)?;
    let created = uc::create(
        &s,
        &session.principal,
        &agency,
        uc::NewStaff {
            id: b.id,
            name: b.name,
            email: b.email,
            phone: b.phone,
            roles: b.roles,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[derive(Deserialize)]
pub(crate) struct Move {
    agency: String,
}

/// `PUT /api/v1/users/{user}/agency`: a system administrator moves a staff account.
pub(crate) async fn move_account(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    b: Result<Json<Value>, JsonRejection>,
) -> Result<Json<Value>, AppError> {
    let b: Move = json_body(b, crate::limits::MOVE)?;
    uc::move_account(&s, &session.principal, &id, &b.agency).await?;
    Ok(Json(json!({ "id": id, "agency": b.agency })))
}

/// `GET /api/v1/agencies/{agency}/audit`.
pub(crate) async fn audit(
    State(s): State<AppState>,
    session: Session,
    Path(agency): Path<String>,
) -> Result<Json<Value>, AppError> {
    let entries = uc::audit(&s, &session.principal, &agency).await?;
    Ok(Json(json!({ "entries": entries })))
}

#[derive(Deserialize)]
pub(crate) struct Roles {
    roles: Vec<String>,
}

/// `PUT /api/v1/agencies/{agency}/users/{user}/roles`.
pub(crate) async fn set_roles(
    State(s): State<AppState>,
    session: Session,
    Path((agency, id)): Path<(String, String)>,
    b: Result<Json<Value>, JsonRejection>,
) -> Result<Json<uc::Account>, AppError> {
    let b: Roles = json_body(b, crate::limits::STAFF)?;
    Ok(Json(
        uc::set_roles(&s, &session.principal, &agency, &id, &b.roles).await?,
    ))
}

/// `POST /api/v1/agencies/{agency}/users/{user}/password-reset`.
pub(crate) async fn reset_password(
    State(s): State<AppState>,
    session: Session,
    Path((agency, id)): Path<(String, String)>,
) -> Result<Json<Value>, AppError> {
    let password = uc::reset_password(&s, &session.principal, &agency, &id).await?;
    Ok(Json(json!({ "id": id, "one_time_password": password })))
}
