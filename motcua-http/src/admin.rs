//! Administration of staff accounts: an agency administrator manages the staff of their own
//! agency; a system administrator those of every agency at or below theirs. New accounts and
//! reset passwords are one-time passwords, to be changed at the next login.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::Utc;
use motcua_core::procedure::Role;
use motcua_store::{Grant, StoreError, User};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::{Session, hash_password, random_hex};
use crate::error::json_body;
use crate::{ApiError, AppState, Tenant};

/// The agency, if the session may administer it.
fn administered(s: &AppState, session: &Session, agency: &str) -> Result<(), ApiError> {
    if s.directory.get(agency).is_none() {
        return Err(ApiError::not_found("Không có cơ quan này."));
    }
    if !session.can_administer(agency, &s.directory) {
        return Err(ApiError::forbidden(
            "Chỉ quản trị của cơ quan mới quản lý được tài khoản cán bộ.",
        ));
    }
    Ok(())
}

/// Checks role names; only a system administrator may grant `system-admin`.
fn roles(
    s: &AppState,
    session: &Session,
    agency: &str,
    names: &[String],
) -> Result<Vec<String>, ApiError> {
    let mut out = Vec::new();
    for name in names {
        let role = Role::parse(name).ok_or_else(|| {
            ApiError::bad_request(
                "unknown_role",
                format!(
                    "Không có vai trò '{name}'. Các vai trò: {}.",
                    Role::ALL.map(Role::as_str).join(", ")
                ),
            )
        })?;
        if role == Role::SystemAdmin && !session.is_system_admin_for(agency, &s.directory) {
            return Err(ApiError::forbidden(
                "Chỉ quản trị hệ thống mới cấp được vai trò quản trị hệ thống.",
            ));
        }
        if !out.contains(&role.as_str().to_string()) {
            out.push(role.as_str().to_string());
        }
    }
    Ok(out)
}

fn account(user: &User, grants: &[Grant], agency: &str) -> Value {
    json!({
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "phone": user.phone,
        "must_change_password": user.must_change_password,
        "roles": grants.iter().filter(|g| g.agency_id == agency).map(|g| &g.role).collect::<Vec<_>>(),
    })
}

/// `GET /api/v1/tenant`: the agency of this site (from the host name or `/t/{agency}`).
pub(crate) async fn tenant(
    State(s): State<AppState>,
    Tenant(tenant): Tenant,
) -> Result<Json<Value>, ApiError> {
    let a = tenant
        .as_deref()
        .and_then(|t| s.directory.get(t))
        .ok_or_else(|| ApiError {
            status: StatusCode::NOT_FOUND,
            code: "no_tenant".into(),
            message: "Địa chỉ này không thuộc cơ quan nào; dùng tên miền của cơ quan hoặc /t/{mã cơ quan}.".into(),
        })?;
    Ok(Json(json!({ "agency": a })))
}

/// `GET /api/v1/agencies/{agency}/users`: the staff of an agency and their roles there.
pub(crate) async fn list(
    State(s): State<AppState>,
    session: Session,
    Path(agency): Path<String>,
) -> Result<Json<Value>, ApiError> {
    administered(&s, &session, &agency)?;
    let users: Vec<Value> = s
        .store
        .users_at(&agency)
        .await?
        .iter()
        .map(|(u, g)| account(u, g, &agency))
        .collect();
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

/// `POST /api/v1/agencies/{agency}/users`: a new staff account with roles at the agency and
/// a one-time password (returned once).
pub(crate) async fn create(
    State(s): State<AppState>,
    session: Session,
    Path(agency): Path<String>,
    b: Result<Json<Value>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    administered(&s, &session, &agency)?;
    let b: NewStaff = json_body(b, crate::limits::STAFF)?;
    crate::auth::check_account_id(&b.id)?;
    if b.name.trim().is_empty() {
        return Err(ApiError::bad_request("missing_name", "Cần nhập họ tên."));
    }
    let roles = roles(&s, &session, &agency, &b.roles)?;
    if roles.is_empty() {
        return Err(ApiError::bad_request(
            "missing_roles",
            "Cần ít nhất một vai trò.",
        ));
    }
    let password = random_hex(8);
    let user = User {
        id: b.id.clone(),
        kind: "staff".into(),
        name: b.name.trim().into(),
        email: b.email,
        phone: b.phone,
        password_hash: hash_password(&password)?,
        must_change_password: true,
        created_at: Utc::now(),
        home_agency: Some(agency.clone()),
    };
    let grants: Vec<Grant> = roles
        .iter()
        .map(|r| Grant {
            agency_id: agency.clone(),
            role: r.clone(),
        })
        .collect();
    match s.store.create_user(&user, &grants, &session.user.id).await {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => {
            return Err(ApiError {
                status: StatusCode::CONFLICT,
                code: "account_exists".into(),
                message: "Tên đăng nhập đã được dùng.".into(),
            });
        }
        Err(e) => return Err(e.into()),
    }
    tracing::info!(admin = %session.user.id, user = %user.id, %agency, ?roles, "staff account created");
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": user.id, "roles": roles, "one_time_password": password })),
    ))
}

/// An account's roles are managed only by those who administer the agency it belongs to: an
/// agency administrator cannot give roles to another agency's staff (nor to a system
/// administrator of the province above). An account without one is a system
/// administrator's to manage.
fn belongs(s: &AppState, session: &Session, user: &User) -> Result<(), ApiError> {
    let ok = match user.home_agency.as_deref() {
        Some(home) => session.can_administer(home, &s.directory),
        None => s
            .directory
            .ids()
            .into_iter()
            .any(|a| session.is_system_admin_for(a, &s.directory)),
    };
    if ok {
        Ok(())
    } else {
        Err(ApiError {
            status: StatusCode::FORBIDDEN,
            code: "account_of_another_agency".into(),
            message: "Tài khoản này thuộc cơ quan khác; chỉ quản trị của cơ quan đó (hoặc quản trị hệ thống) mới cấp vai trò hoặc đặt lại mật khẩu được.".into(),
        })
    }
}

#[derive(Deserialize)]
pub(crate) struct Move {
    agency: String,
}

/// `PUT /api/v1/users/{user}/agency`: a system administrator moves a staff account to
/// another agency (both within their reach); its roles stay until changed.
pub(crate) async fn move_account(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    b: Result<Json<Value>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let b: Move = json_body(b, crate::limits::MOVE)?;
    if s.directory.get(&b.agency).is_none() {
        return Err(ApiError::bad_request(
            "unknown_agency",
            "Không có cơ quan này.",
        ));
    }
    let (user, _) = staff_member(&s, &id).await?;
    let reach = |a: &str| session.is_system_admin_for(a, &s.directory);
    if !reach(&b.agency) || !user.home_agency.as_deref().is_none_or(reach) {
        return Err(ApiError::forbidden(
            "Chỉ quản trị hệ thống quản lý cả hai cơ quan mới chuyển được tài khoản.",
        ));
    }
    s.store
        .move_user(&id, &b.agency, &session.user.id, Utc::now())
        .await?;
    tracing::info!(admin = %session.user.id, user = %id, to = %b.agency, "staff account moved");
    Ok(Json(json!({ "id": id, "agency": b.agency })))
}

/// `GET /api/v1/agencies/{agency}/audit`: the newest audit entries of an agency (logins of
/// its staff, roles granted and revoked there, passwords reset, accounts moved), for its
/// administrators.
pub(crate) async fn audit(
    State(s): State<AppState>,
    session: Session,
    Path(agency): Path<String>,
) -> Result<Json<Value>, ApiError> {
    administered(&s, &session, &agency)?;
    let entries = s.store.audit_of(&[agency], 500).await?;
    Ok(Json(json!({ "entries": entries })))
}

/// A staff account, for changes by an administrator of `agency`.
async fn staff_member(s: &AppState, id: &str) -> Result<(User, Vec<Grant>), ApiError> {
    match s.store.user(id).await {
        Ok((u, g)) if u.kind == "staff" => Ok((u, g)),
        Ok(_) | Err(StoreError::NotFound(_)) => {
            Err(ApiError::not_found("Không có tài khoản cán bộ này."))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub(crate) struct Roles {
    roles: Vec<String>,
}

/// `PUT /api/v1/agencies/{agency}/users/{user}/roles`: replaces a staff member's roles at
/// the agency (an empty list removes them from it).
pub(crate) async fn set_roles(
    State(s): State<AppState>,
    session: Session,
    Path((agency, id)): Path<(String, String)>,
    b: Result<Json<Value>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    administered(&s, &session, &agency)?;
    let b: Roles = json_body(b, crate::limits::STAFF)?;
    let (user, before) = staff_member(&s, &id).await?;
    belongs(&s, &session, &user)?;
    let roles = roles(&s, &session, &agency, &b.roles)?;
    // Taking away a system administrator's role is for a system administrator.
    if before
        .iter()
        .any(|g| g.agency_id == agency && g.role == "system-admin")
        && !roles.iter().any(|r| r == "system-admin")
        && !session.is_system_admin_for(&agency, &s.directory)
    {
        return Err(ApiError::forbidden(
            "Chỉ quản trị hệ thống mới thu hồi được vai trò quản trị hệ thống.",
        ));
    }
    s.store
        .set_roles(&id, &agency, &roles, &session.user.id, Utc::now())
        .await?;
    tracing::info!(admin = %session.user.id, user = %id, %agency, ?roles, "staff roles set");
    let (_, grants) = s.store.user(&id).await?;
    Ok(Json(account(&user, &grants, &agency)))
}

/// `POST /api/v1/agencies/{agency}/users/{user}/password-reset`: a new one-time password for
/// a staff member of the agency; their sessions end.
pub(crate) async fn reset_password(
    State(s): State<AppState>,
    session: Session,
    Path((agency, id)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    administered(&s, &session, &agency)?;
    let (user, grants) = staff_member(&s, &id).await?;
    if !grants.iter().any(|g| g.agency_id == agency) && user.home_agency.as_deref() != Some(&agency)
    {
        return Err(ApiError::not_found("Không có tài khoản cán bộ này."));
    }
    belongs(&s, &session, &user)?;
    // Whoever resets a password can log in as that person: only over an account whose every
    // role is in agencies this administrator manages.
    if !grants
        .iter()
        .all(|g| session.can_administer(&g.agency_id, &s.directory))
    {
        return Err(ApiError::forbidden(
            "Tài khoản này có vai trò ở cơ quan khác; cần quản trị quản lý được các cơ quan đó.",
        ));
    }
    let password = random_hex(8);
    s.store
        .reset_password(
            &id,
            &hash_password(&password)?,
            &session.user.id,
            Utc::now(),
        )
        .await?;
    s.store.end_sessions_of(&id).await?;
    tracing::info!(admin = %session.user.id, user = %id, %agency, "staff password reset");
    Ok(Json(json!({ "id": id, "one_time_password": password })))
}
