//! Accounts and sessions: registration, login (held back after repeated failures; staff
//! logins audited), logout, the profile, password changes. A session is a random token; the
//! faces carry it (a bearer header, a cookie).

use chrono::TimeDelta;
use motcua_store::{Grant, StoreError, User};
use serde::Serialize;
use std::net::IpAddr;

use super::{AppError, Code, Principal};
use crate::AppState;
use crate::password::{check_password, dummy_hash, hash_password, random_hex, verify_password};

/// How long a session lasts.
pub const SESSION_HOURS: i64 = 12;

/// The principal a session token belongs to.
pub async fn authenticate(app: &AppState, token: &str) -> Result<Principal, AppError> {
    authenticate_session(app, token).await.map(|(p, _)| p)
}

/// The user of a live session and when the session ends.
pub async fn authenticate_session(
    app: &AppState,
    token: &str,
) -> Result<(Principal, chrono::DateTime<chrono::Utc>), AppError> {
    let (user_id, ends) = match app.store.session_user(token, app.now()).await {
        Ok(u) => u,
        Err(StoreError::NotFound(_)) => return Err(AppError::new(Code::Unauthenticated)),
        Err(e) => return Err(e.into()),
    };
    let (user, grants) = app.store.user(&user_id).await?;
    Ok((Principal { user, grants }, ends))
}

/// Login names: 3–64 characters a-z, 0-9, `.`, `_`, `-`.
pub fn check_account_id(id: &str) -> Result<(), AppError> {
    let ok = (3..=64).contains(&id.len())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c));
    if ok {
        Ok(())
    } else {
        Err(AppError::new(Code::InvalidAccountId))
    }
}

/// What a registration says.
#[derive(Clone, Debug, Default)]
pub struct Registration {
    /// Login name.
    pub id: String,
    /// Full name.
    pub name: String,
    /// Password.
    pub password: String,
    /// Email.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
}

/// An applicant registers.
pub async fn register(
    app: &AppState,
    address: Option<IpAddr>,
    r: Registration,
) -> Result<String, AppError> {
    let now = app.now();
    if !crate::throttle::registration_allowed(&app.store, address, now).await? {
        return Err(AppError::new(Code::TooManyRegistrations));
    }
    check_account_id(&r.id)?;
    if r.name.trim().is_empty() {
        return Err(AppError::new(Code::MissingName));
    }
    let (email, phone) = contacts(r.email, r.phone)?;
    check_password(&r.password, &r.id, &r.name)?;
    let user = User {
        id: r.id.clone(),
        kind: "applicant".into(),
        name: r.name.trim().into(),
        email,
        phone,
        password_hash: hash_password(&r.password)?,
        must_change_password: false,
        created_at: now,
        home_agency: None,
        deactivated_at: None,
    };
    match app.store.create_user(&user, &[], &user.id).await {
        Ok(()) => Ok(user.id),
        Err(StoreError::Conflict(_)) => Err(AppError::new(Code::AccountExists)),
        Err(e) => Err(e.into()),
    }
}

/// A new session.
#[derive(Clone, Debug)]
pub struct LoggedIn {
    /// The session token.
    pub token: String,
    /// Whether the password must be changed before anything else.
    pub must_change_password: bool,
}

/// Logs in. Failures are held back per account and address and per address; a staff
/// login, failed or not, is audited.
pub async fn login(
    app: &AppState,
    address: Option<IpAddr>,
    id: &str,
    password: &str,
) -> Result<LoggedIn, AppError> {
    let now = app.now();
    if let Some(until) = crate::throttle::login_held_until(&app.store, id, address, now).await? {
        let wait = (until - now).num_seconds().max(1);
        tracing::warn!(user = %id, ip = ?address, "login held back after repeated failures");
        return Err(AppError::with(
            Code::TooManyAttempts,
            format!("Đăng nhập sai nhiều lần từ địa chỉ này; vui lòng thử lại sau {wait} giây."),
        ));
    }
    let user = match app.store.user(id).await {
        Ok((u, _)) => u,
        Err(StoreError::NotFound(_)) => {
            // Take as long as a wrong password would, so that timing does not tell which
            // accounts exist.
            verify_password(password, dummy_hash());
            crate::throttle::login_failed(&app.store, id, address, now).await?;
            return Err(AppError::new(Code::WrongCredentials));
        }
        Err(e) => return Err(e.into()),
    };
    let ok = verify_password(password, &user.password_hash);
    let deactivated = user.deactivated_at.is_some();
    if user.kind == "staff" {
        app.store
            .audit(&motcua_store::AuditEntry {
                at: now,
                actor: user.id.clone(),
                action: match (ok, deactivated) {
                    (true, false) => "login_succeeded",
                    (true, true) => "login_refused_deactivated",
                    (false, _) => "login_failed",
                }
                .into(),
                account: user.id.clone(),
                agency: user.home_agency.clone(),
                address: address.map(|a| a.to_string()),
                detail: String::new(),
            })
            .await?;
    }
    if !ok {
        crate::throttle::login_failed(&app.store, id, address, now).await?;
        tracing::info!(user = %id, "failed login");
        return Err(AppError::new(Code::WrongCredentials));
    }
    if deactivated {
        // Said only to whoever knows the password.
        return Err(AppError::new(Code::AccountDeactivated));
    }
    crate::throttle::login_succeeded(&app.store, id, address).await?;
    let token = random_hex(32);
    app.store
        .create_session(&token, &user.id, now, now + TimeDelta::hours(SESSION_HOURS))
        .await?;
    Ok(LoggedIn {
        token,
        must_change_password: user.must_change_password,
    })
}

/// Ends a session.
pub async fn logout(app: &AppState, token: &str) -> Result<(), AppError> {
    Ok(app.store.end_session(token).await?)
}

/// The account as its owner sees it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Me {
    /// Login name.
    pub id: String,
    /// `applicant` or `staff`.
    pub kind: String,
    /// Full name.
    pub name: String,
    /// Email.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Whether the password must be changed first.
    pub must_change_password: bool,
    /// Roles held.
    pub roles: Vec<Grant>,
}

/// The account of the principal.
pub fn me(p: &Principal) -> Me {
    Me {
        id: p.user.id.clone(),
        kind: p.user.kind.clone(),
        name: p.user.name.clone(),
        email: p.user.email.clone(),
        phone: p.user.phone.clone(),
        must_change_password: p.user.must_change_password,
        roles: p.grants.clone(),
    }
}

/// Cleans and checks contact details: empty means none.
pub(crate) fn contacts(
    email: Option<String>,
    phone: Option<String>,
) -> Result<(Option<String>, Option<String>), AppError> {
    let clean = |v: Option<String>| v.map(|t| t.trim().to_string()).filter(|t| !t.is_empty());
    let (email, phone) = (clean(email), clean(phone));
    if email
        .as_deref()
        .is_some_and(|e| !e.contains('@') || e.len() > 254)
    {
        return Err(AppError::new(Code::InvalidEmail));
    }
    if phone.as_deref().is_some_and(|t| {
        !(8..=15).contains(&t.len()) || !t.bytes().all(|b| b.is_ascii_digit() || b == b'+')
    }) {
        return Err(AppError::new(Code::InvalidPhone));
    }
    Ok((email, phone))
}

/// The profile after a change.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Profile {
    /// Login name.
    pub id: String,
    /// Full name.
    pub name: String,
    /// Email.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
}

/// Changes one's name and contact details.
pub async fn update_profile(
    app: &AppState,
    p: &Principal,
    name: &str,
    email: Option<String>,
    phone: Option<String>,
) -> Result<Profile, AppError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(AppError::with(
            Code::MissingName,
            "Cần nhập họ tên (tối đa 200 ký tự).",
        ));
    }
    let (email, phone) = contacts(email, phone)?;
    app.store
        .update_profile(&p.user.id, name, email.as_deref(), phone.as_deref())
        .await?;
    Ok(Profile {
        id: p.user.id.clone(),
        name: name.into(),
        email,
        phone,
    })
}

/// Changes the password (required at a staff member's first login); every session of the
/// account ends.
pub async fn change_password(
    app: &AppState,
    p: &Principal,
    current: &str,
    new: &str,
) -> Result<(), AppError> {
    if !verify_password(current, &p.user.password_hash) {
        return Err(AppError::new(Code::WrongPassword));
    }
    check_password(new, &p.user.id, &p.user.name)?;
    if new == current {
        return Err(AppError::new(Code::SamePassword));
    }
    app.store
        .set_password(&p.user.id, &hash_password(new)?, false)
        .await?;
    app.store.end_sessions_of(&p.user.id).await?;
    Ok(())
}
