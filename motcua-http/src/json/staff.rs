//! Staff administration over JSON: the site's agency, staff accounts, roles, password
//! resets, moves between agencies, the audit log.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use motcua_store::{Agency, AuditEntry};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::app::{AppError, staff as uc};
use crate::error::json_body;
use crate::openapi::ErrorBody;
use crate::session::Session;
use crate::{AppState, Tenant};

/// The agency of a site.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct TenantView {
    agency: Agency,
}

/// `GET /api/v1/tenant`: the agency of this site.
#[utoipa::path(get, path = "/api/v1/tenant", tag = "staff",
    summary = "The agency of this site (its host name, or /t/{agency})",
    responses((status = 200, body = TenantView), (status = 404, description = "no_tenant", body = ErrorBody)))]
pub(crate) async fn tenant(
    State(s): State<AppState>,
    Tenant(tenant): Tenant,
) -> Result<Json<TenantView>, AppError> {
    let agency = uc::tenant(&s, tenant.as_deref()).await?;
    Ok(Json(TenantView { agency }))
}

/// Staff accounts.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct UserList {
    users: Vec<uc::Account>,
}

/// `GET /api/v1/agencies/{agency}/users`.
#[utoipa::path(get, path = "/api/v1/agencies/{agency}/users", tag = "staff",
    summary = "The staff of an agency and their roles there (its administrators)",
    security(("bearer" = [])), params(("agency" = String, Path)),
    responses((status = 200, body = UserList), (status = 404, body = ErrorBody)))]
pub(crate) async fn list(
    State(s): State<AppState>,
    session: Session,
    Path(agency): Path<String>,
) -> Result<Json<UserList>, AppError> {
    let users = uc::list(&s, &session.principal, &agency).await?;
    Ok(Json(UserList { users }))
}

/// A new staff account.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewStaff {
    id: String,
    name: String,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    phone: Option<String>,
    #[schema(value_type = Vec<motcua_core::procedure::Role>)]
    roles: Vec<String>,
}

/// `POST /api/v1/agencies/{agency}/users`: a new staff account (its one-time password is
/// in the answer, once).
#[utoipa::path(post, path = "/api/v1/agencies/{agency}/users", tag = "staff",
    summary = "A new staff account with roles and a one-time password (shown once)",
    security(("bearer" = [])), params(("agency" = String, Path)), request_body = NewStaff,
    responses((status = 201, body = uc::Created),
              (status = 400, description = "invalid_account_id, missing_name, missing_roles, unknown_role", body = ErrorBody),
              (status = 404, body = ErrorBody),
              (status = 409, description = "account_exists", body = ErrorBody)))]
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

/// The agency an account moves to.
#[derive(Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Move {
    agency: String,
}

/// An account moved.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Moved {
    id: String,
    agency: String,
}

/// `PUT /api/v1/users/{user}/agency`: a system administrator moves a staff account.
#[utoipa::path(put, path = "/api/v1/users/{user}/agency", tag = "staff",
    summary = "A system administrator moves a staff account to another agency",
    security(("bearer" = [])), params(("user" = String, Path)), request_body = Move,
    responses((status = 200, body = Moved),
              (status = 400, description = "unknown_agency", body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub(crate) async fn move_account(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    b: Result<Json<Value>, JsonRejection>,
) -> Result<Json<Moved>, AppError> {
    let b: Move = json_body(b, crate::limits::MOVE)?;
    uc::move_account(&s, &session.principal, &id, &b.agency).await?;
    Ok(Json(Moved {
        id,
        agency: b.agency,
    }))
}

/// Audit entries.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct AuditList {
    entries: Vec<AuditEntry>,
}

/// `GET /api/v1/agencies/{agency}/audit`.
#[utoipa::path(get, path = "/api/v1/agencies/{agency}/audit", tag = "staff",
    summary = "The newest audit entries of an agency: staff logins, roles, password resets, moves",
    security(("bearer" = [])), params(("agency" = String, Path)),
    responses((status = 200, body = AuditList), (status = 404, body = ErrorBody)))]
pub(crate) async fn audit(
    State(s): State<AppState>,
    session: Session,
    Path(agency): Path<String>,
) -> Result<Json<AuditList>, AppError> {
    let entries = uc::audit(&s, &session.principal, &agency).await?;
    Ok(Json(AuditList { entries }))
}

/// The roles an account is to hold at an agency.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Roles {
    #[schema(value_type = Vec<motcua_core::procedure::Role>)]
    roles: Vec<String>,
}

/// `PUT /api/v1/agencies/{agency}/users/{user}/roles`.
#[utoipa::path(put, path = "/api/v1/agencies/{agency}/users/{user}/roles", tag = "staff",
    summary = "Replace a staff member's roles at the agency (an empty list removes them)",
    security(("bearer" = [])), params(("agency" = String, Path), ("user" = String, Path)),
    request_body = Roles,
    responses((status = 200, body = uc::Account), (status = 404, body = ErrorBody)))]
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

/// A new one-time password.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Reset {
    id: String,
    one_time_password: String,
}

/// `POST /api/v1/agencies/{agency}/users/{user}/password-reset`.
#[utoipa::path(post, path = "/api/v1/agencies/{agency}/users/{user}/password-reset", tag = "staff",
    summary = "A new one-time password for a staff member (their sessions end)",
    security(("bearer" = [])), params(("agency" = String, Path), ("user" = String, Path)),
    responses((status = 200, body = Reset), (status = 404, body = ErrorBody)))]
pub(crate) async fn reset_password(
    State(s): State<AppState>,
    session: Session,
    Path((agency, id)): Path<(String, String)>,
) -> Result<Json<Reset>, AppError> {
    let one_time_password = uc::reset_password(&s, &session.principal, &agency, &id).await?;
    Ok(Json(Reset {
        id,
        one_time_password,
    }))
}

/// Whether an account may log in.
#[derive(Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Activity {
    active: bool,
}

/// `PUT /api/v1/agencies/{agency}/users/{user}/active`.
#[utoipa::path(put, path = "/api/v1/agencies/{agency}/users/{user}/active", tag = "staff",
    summary = "Deactivate (false) or reactivate (true) a staff account; history is kept, a deactivated account's sessions end",
    security(("bearer" = [])), params(("agency" = String, Path), ("user" = String, Path)),
    request_body = Activity,
    responses((status = 200, body = Activity), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn set_active(
    State(s): State<AppState>,
    session: Session,
    Path((agency, id)): Path<(String, String)>,
    b: Result<Json<Value>, JsonRejection>,
) -> Result<Json<Activity>, AppError> {
    let b: Activity = json_body(b, crate::limits::STAFF)?;
    let active = b.active;
    uc::set_active(&s, &session.principal, &agency, &id, active).await?;
    Ok(Json(Activity { active }))
}
