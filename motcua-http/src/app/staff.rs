//! Administration of staff accounts: an agency administrator manages the staff of their own
//! agency; a system administrator those of every agency at or below theirs. New accounts and
//! reset passwords are one-time passwords, to be changed at the next login.

use motcua_core::procedure::Role;
use motcua_store::{Agency, AuditEntry, Grant, StoreError, User};
use serde::Serialize;

use super::config::Config;
use super::{AppError, Code, Principal, policy};
use crate::AppState;
use crate::password::{hash_password, random_hex};

/// The agency of a site (from its host name or `/t/{agency}`).
pub async fn tenant(app: &AppState, tenant: Option<&str>) -> Result<Agency, AppError> {
    let config = app.config().await?;
    tenant
        .and_then(|t| config.directory.get(t))
        .cloned()
        .ok_or_else(|| AppError::new(Code::NoTenant))
}

/// A staff account as administrators see it at one agency.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Account {
    /// Login name.
    pub id: String,
    /// Full name.
    pub name: String,
    /// Email.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Whether the one-time password is still to be changed.
    pub must_change_password: bool,
    /// Roles at the agency.
    pub roles: Vec<String>,
    /// Whether the account may log in (false once deactivated).
    pub active: bool,
}

fn account(user: &User, grants: &[Grant], agency: &str) -> Account {
    Account {
        id: user.id.clone(),
        name: user.name.clone(),
        email: user.email.clone(),
        phone: user.phone.clone(),
        must_change_password: user.must_change_password,
        active: user.deactivated_at.is_none(),
        roles: grants
            .iter()
            .filter(|g| g.agency_id == agency)
            .map(|g| g.role.clone())
            .collect(),
    }
}

/// The configuration, if the principal administers `agency`.
async fn administered(
    app: &AppState,
    p: &Principal,
    agency: &str,
) -> Result<std::sync::Arc<Config>, AppError> {
    let config = app.config().await?;
    if config.directory.get(agency).is_none() {
        return Err(AppError::not_found("Không có cơ quan này."));
    }
    if !policy::may_administer(p, agency, &config.directory) {
        return Err(AppError::forbidden(
            "Chỉ quản trị của cơ quan mới quản lý được tài khoản cán bộ.",
        ));
    }
    Ok(config)
}

/// Role names checked and without repeats; only a system administrator grants
/// `system-admin`.
fn roles(
    config: &Config,
    p: &Principal,
    agency: &str,
    names: &[String],
) -> Result<Vec<String>, AppError> {
    let mut out = Vec::new();
    for name in names {
        let role = Role::parse(name).ok_or_else(|| {
            AppError::with(
                Code::UnknownRole,
                format!(
                    "Không có vai trò '{name}'. Các vai trò: {}.",
                    Role::ALL.map(Role::as_str).join(", ")
                ),
            )
        })?;
        if !policy::may_grant(p, agency, role.as_str(), &config.directory) {
            return Err(AppError::forbidden(
                "Chỉ quản trị hệ thống mới cấp được vai trò quản trị hệ thống.",
            ));
        }
        if !out.contains(&role.as_str().to_string()) {
            out.push(role.as_str().to_string());
        }
    }
    Ok(out)
}

/// The staff of an agency and their roles there.
pub async fn list(app: &AppState, p: &Principal, agency: &str) -> Result<Vec<Account>, AppError> {
    administered(app, p, agency).await?;
    Ok(app
        .store
        .users_at(agency)
        .await?
        .iter()
        .map(|(u, g)| account(u, g, agency))
        .collect())
}

/// What a new staff account says.
#[derive(Clone, Debug, Default)]
pub struct NewStaff {
    /// Login name.
    pub id: String,
    /// Full name.
    pub name: String,
    /// Email.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Roles at the agency.
    pub roles: Vec<String>,
}

/// A new account and its one-time password (shown once).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Created {
    /// Login name.
    pub id: String,
    /// Roles granted.
    pub roles: Vec<String>,
    /// To be changed at the first login.
    pub one_time_password: String,
}

/// Creates a staff account with roles at the agency and a one-time password.
pub async fn create(
    app: &AppState,
    p: &Principal,
    agency: &str,
    s: NewStaff,
) -> Result<Created, AppError> {
    let config = administered(app, p, agency).await?;
    super::accounts::check_account_id(&s.id)?;
    if s.name.trim().is_empty() {
        return Err(AppError::new(Code::MissingName));
    }
    let roles = roles(&config, p, agency, &s.roles)?;
    if roles.is_empty() {
        return Err(AppError::new(Code::MissingRoles));
    }
    let password = random_hex(8);
    let user = User {
        id: s.id.clone(),
        kind: "staff".into(),
        name: s.name.trim().into(),
        email: s.email,
        phone: s.phone,
        password_hash: hash_password(&password)?,
        must_change_password: true,
        created_at: app.now(),
        home_agency: Some(agency.to_string()),
        deactivated_at: None,
    };
    let grants: Vec<Grant> = roles
        .iter()
        .map(|r| Grant {
            agency_id: agency.to_string(),
            role: r.clone(),
        })
        .collect();
    match app.store.create_user(&user, &grants, &p.user.id).await {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => return Err(AppError::new(Code::AccountExists)),
        Err(e) => return Err(e.into()),
    }
    tracing::info!(admin = %p.user.id, user = %user.id, %agency, ?roles, "staff account created");
    Ok(Created {
        id: user.id,
        roles,
        one_time_password: password,
    })
}

/// A staff account.
async fn staff_member(app: &AppState, id: &str) -> Result<(User, Vec<Grant>), AppError> {
    match app.store.user(id).await {
        Ok((u, g)) if u.kind == "staff" => Ok((u, g)),
        Ok(_) | Err(StoreError::NotFound(_)) => {
            Err(AppError::not_found("Không có tài khoản cán bộ này."))
        }
        Err(e) => Err(e.into()),
    }
}

fn of_another_agency() -> AppError {
    AppError::with(
        Code::AccountOfAnotherAgency,
        "Tài khoản này thuộc cơ quan khác; chỉ quản trị của cơ quan đó (hoặc quản trị hệ thống) mới cấp vai trò hoặc đặt lại mật khẩu được.",
    )
}

/// Replaces a staff member's roles at the agency (an empty list removes them from it).
pub async fn set_roles(
    app: &AppState,
    p: &Principal,
    agency: &str,
    id: &str,
    names: &[String],
) -> Result<Account, AppError> {
    let config = administered(app, p, agency).await?;
    let (user, before) = staff_member(app, id).await?;
    if !policy::may_manage_account(p, &user, &config.directory) {
        return Err(of_another_agency());
    }
    let roles = roles(&config, p, agency, names)?;
    // Taking away a system administrator's role is for a system administrator.
    let had_system_admin = before
        .iter()
        .any(|g| g.agency_id == agency && g.role == "system-admin");
    if had_system_admin
        && !roles.iter().any(|r| r == "system-admin")
        && !policy::may_grant(p, agency, "system-admin", &config.directory)
    {
        return Err(AppError::forbidden(
            "Chỉ quản trị hệ thống mới thu hồi được vai trò quản trị hệ thống.",
        ));
    }
    app.store
        .set_roles(id, agency, &roles, &p.user.id, app.now())
        .await?;
    tracing::info!(admin = %p.user.id, user = %id, %agency, ?roles, "staff roles set");
    let (_, grants) = app.store.user(id).await?;
    Ok(account(&user, &grants, agency))
}

/// A new one-time password for a staff member of the agency; their sessions end.
pub async fn reset_password(
    app: &AppState,
    p: &Principal,
    agency: &str,
    id: &str,
) -> Result<String, AppError> {
    let config = administered(app, p, agency).await?;
    let (user, grants) = staff_member(app, id).await?;
    if !grants.iter().any(|g| g.agency_id == agency) && user.home_agency.as_deref() != Some(agency)
    {
        return Err(AppError::not_found("Không có tài khoản cán bộ này."));
    }
    if !policy::may_manage_account(p, &user, &config.directory) {
        return Err(of_another_agency());
    }
    if !policy::may_reset_password(p, &grants, &config.directory) {
        return Err(AppError::forbidden(
            "Tài khoản này có vai trò ở cơ quan khác; cần quản trị quản lý được các cơ quan đó.",
        ));
    }
    let password = random_hex(8);
    app.store
        .reset_password(id, &hash_password(&password)?, &p.user.id, app.now())
        .await?;
    app.store.end_sessions_of(id).await?;
    tracing::info!(admin = %p.user.id, user = %id, %agency, "staff password reset");
    Ok(password)
}

/// Deactivates (`active = false`) or reactivates a staff member of the agency: a deactivated
/// account cannot log in and its sessions end; its roles, its history and the dossiers it
/// handled stay. Nobody deactivates their own account. Answers whether anything changed.
pub async fn set_active(
    app: &AppState,
    p: &Principal,
    agency: &str,
    id: &str,
    active: bool,
) -> Result<bool, AppError> {
    let config = administered(app, p, agency).await?;
    let (user, grants) = staff_member(app, id).await?;
    if !grants.iter().any(|g| g.agency_id == agency) && user.home_agency.as_deref() != Some(agency)
    {
        return Err(AppError::not_found("Không có tài khoản cán bộ này."));
    }
    if !policy::may_manage_account(p, &user, &config.directory)
        || !policy::may_reset_password(p, &grants, &config.directory)
    {
        return Err(of_another_agency());
    }
    if user.id == p.user.id {
        return Err(AppError::forbidden(
            "Không tự ngừng tài khoản của chính mình được.",
        ));
    }
    let changed = app
        .store
        .set_active(id, active, &p.user.id, app.now())
        .await?;
    tracing::info!(admin = %p.user.id, user = %id, %agency, active, "staff account activity set");
    Ok(changed)
}

/// A system administrator moves a staff account to another agency (both within their
/// reach); its roles stay until changed.
pub async fn move_account(
    app: &AppState,
    p: &Principal,
    id: &str,
    to: &str,
) -> Result<(), AppError> {
    let config = app.config().await?;
    if config.directory.get(to).is_none() {
        return Err(AppError::new(Code::UnknownAgency));
    }
    let (user, _) = staff_member(app, id).await?;
    if !policy::may_move_account(p, user.home_agency.as_deref(), to, &config.directory) {
        return Err(AppError::forbidden(
            "Chỉ quản trị hệ thống quản lý cả hai cơ quan mới chuyển được tài khoản.",
        ));
    }
    app.store.move_user(id, to, &p.user.id, app.now()).await?;
    tracing::info!(admin = %p.user.id, user = %id, %to, "staff account moved");
    Ok(())
}

/// The newest audit entries of an agency, for its administrators.
pub async fn audit(
    app: &AppState,
    p: &Principal,
    agency: &str,
) -> Result<Vec<AuditEntry>, AppError> {
    administered(app, p, agency).await?;
    Ok(app.store.audit_of(&[agency.to_string()], 500).await?)
}
