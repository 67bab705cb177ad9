//! Accounts and sessions: argon2 password hashes, bearer tokens, lockout after repeated
//! failures, and the first-login password change for staff.
//!
//! Browser sessions by cookie with CSRF protection are not built yet; programs and `curl`
//! use `Authorization: Bearer <token>`.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::Json;
use axum::extract::{FromRef, FromRequestParts, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use chrono::{TimeDelta, Utc};
use motcua_core::dossier::{Actor, ActorKind};
use motcua_core::procedure::Role;
use motcua_store::{Grant, StoreError, User};
use password_hash::rand_core::{OsRng, RngCore};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::error::json_body;
use crate::{ApiError, AppState};

/// Failed logins per account before it is locked, and for how long.
const MAX_FAILURES: u32 = 5;
const LOCKOUT: Duration = Duration::from_secs(15 * 60);
/// How long a session lasts.
const SESSION_HOURS: i64 = 12;

/// Failed login attempts, per account, in this process.
#[derive(Default)]
pub struct Lockout {
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

impl Lockout {
    fn locked(&self, id: &str) -> bool {
        let Ok(map) = self.failures.lock() else {
            return true;
        };
        map.get(id)
            .is_some_and(|(n, since)| *n >= MAX_FAILURES && since.elapsed() < LOCKOUT)
    }

    fn fail(&self, id: &str) {
        if let Ok(mut map) = self.failures.lock() {
            let e = map.entry(id.to_string()).or_insert((0, Instant::now()));
            if e.1.elapsed() >= LOCKOUT {
                *e = (0, Instant::now());
            }
            e.0 += 1;
            e.1 = Instant::now();
        }
    }

    fn clear(&self, id: &str) {
        if let Ok(mut map) = self.failures.lock() {
            map.remove(id);
        }
    }
}

/// Hashes a password with argon2id and a random salt.
pub fn hash_password(password: &str) -> Result<String, ApiError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| {
            tracing::error!(error = %e, "password hashing failed");
            internal()
        })
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A random one-time password or token, hex.
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    OsRng.fill_bytes(&mut buf);
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

fn internal() -> ApiError {
    ApiError {
        status: StatusCode::INTERNAL_SERVER_ERROR,
        code: "internal".into(),
        message: "Hệ thống gặp sự cố; vui lòng thử lại sau.".into(),
    }
}

fn unauthenticated() -> ApiError {
    ApiError {
        status: StatusCode::UNAUTHORIZED,
        code: "unauthenticated".into(),
        message: "Cần đăng nhập.".into(),
    }
}

/// A request from a logged-in user.
pub struct Session {
    /// The account.
    pub user: User,
    /// Roles held.
    pub grants: Vec<Grant>,
    /// The bearer token (to end the session).
    pub token: String,
}

impl Session {
    /// The engine's actor for this user at `agency`: staff with the roles held there, or an
    /// applicant.
    pub fn actor_at(&self, agency: &str) -> Actor {
        if self.user.kind == "staff" {
            let roles = self
                .grants
                .iter()
                .filter(|g| g.agency_id == agency)
                .filter_map(|g| Role::parse(&g.role))
                .collect();
            Actor {
                id: self.user.id.clone(),
                kind: ActorKind::Staff {
                    agency: agency.into(),
                    roles,
                },
            }
        } else {
            Actor {
                id: self.user.id.clone(),
                kind: ActorKind::Applicant,
            }
        }
    }

    /// Whether the user is staff at `agency`.
    pub fn is_staff_at(&self, agency: &str) -> bool {
        self.user.kind == "staff" && self.grants.iter().any(|g| g.agency_id == agency)
    }
}

/// Any logged-in user, even one who must still change the password.
pub struct AnySession(pub Session);

async fn session_from(parts: &Parts, state: &AppState) -> Result<Session, ApiError> {
    let token = parts
        .headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(unauthenticated)?
        .to_string();
    let user_id = match state.store.session_user(&token, Utc::now()).await {
        Ok(u) => u,
        Err(StoreError::NotFound(_)) => return Err(unauthenticated()),
        Err(e) => return Err(e.into()),
    };
    let (user, grants) = state.store.user(&user_id).await?;
    Ok(Session {
        user,
        grants,
        token,
    })
}

impl<S> FromRequestParts<S> for AnySession
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        session_from(parts, &AppState::from_ref(state))
            .await
            .map(AnySession)
    }
}

impl<S> FromRequestParts<S> for Session
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let s = session_from(parts, &AppState::from_ref(state)).await?;
        if s.user.must_change_password {
            return Err(ApiError {
                status: StatusCode::FORBIDDEN,
                code: "password_change_required".into(),
                message: "Cần đổi mật khẩu trước khi tiếp tục (lần đăng nhập đầu tiên).".into(),
            });
        }
        Ok(s)
    }
}

#[derive(Deserialize)]
pub struct Register {
    id: String,
    name: String,
    password: String,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    phone: Option<String>,
}

fn check_password(p: &str) -> Result<(), ApiError> {
    if p.chars().count() < 10 {
        return Err(ApiError::bad_request(
            "weak_password",
            "Mật khẩu cần ít nhất 10 ký tự.",
        ));
    }
    Ok(())
}

/// `POST /api/v1/accounts`: an applicant registers.
pub async fn register(
    State(s): State<AppState>,
    body: Result<Json<Register>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let r = json_body(body)?;
    let id_ok = (3..=64).contains(&r.id.len())
        && r.id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c));
    if !id_ok {
        return Err(ApiError::bad_request(
            "invalid_account_id",
            "Tên đăng nhập gồm 3–64 ký tự a-z, 0-9, dấu chấm, gạch ngang hoặc gạch dưới.",
        ));
    }
    if r.name.trim().is_empty() {
        return Err(ApiError::bad_request("missing_name", "Cần nhập họ tên."));
    }
    check_password(&r.password)?;
    let user = User {
        id: r.id.clone(),
        kind: "applicant".into(),
        name: r.name.trim().into(),
        email: r.email,
        phone: r.phone,
        password_hash: hash_password(&r.password)?,
        must_change_password: false,
        created_at: Utc::now(),
    };
    match s.store.create_user(&user, &[]).await {
        Ok(()) => Ok((StatusCode::CREATED, Json(json!({ "id": user.id })))),
        Err(StoreError::Conflict(_)) => Err(ApiError {
            status: StatusCode::CONFLICT,
            code: "account_exists".into(),
            message: "Tên đăng nhập đã được dùng.".into(),
        }),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct Login {
    id: String,
    password: String,
}

/// `POST /api/v1/sessions`: log in, get a bearer token.
pub async fn login(
    State(s): State<AppState>,
    body: Result<Json<Login>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let l = json_body(body)?;
    if s.lockout.locked(&l.id) {
        return Err(ApiError {
            status: StatusCode::TOO_MANY_REQUESTS,
            code: "account_locked".into(),
            message: "Đăng nhập sai quá nhiều lần; vui lòng thử lại sau 15 phút.".into(),
        });
    }
    let wrong = || ApiError {
        status: StatusCode::UNAUTHORIZED,
        code: "wrong_credentials".into(),
        message: "Tên đăng nhập hoặc mật khẩu không đúng.".into(),
    };
    let user = match s.store.user(&l.id).await {
        Ok((u, _)) => u,
        Err(StoreError::NotFound(_)) => {
            s.lockout.fail(&l.id);
            return Err(wrong());
        }
        Err(e) => return Err(e.into()),
    };
    if !verify_password(&l.password, &user.password_hash) {
        s.lockout.fail(&l.id);
        tracing::info!(user = %l.id, "failed login");
        return Err(wrong());
    }
    s.lockout.clear(&l.id);
    let token = random_hex(32);
    let now = Utc::now();
    s.store
        .create_session(&token, &user.id, now, now + TimeDelta::hours(SESSION_HOURS))
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(
            json!({ "token": token, "must_change_password": user.must_change_password, "expires_in_hours": SESSION_HOURS }),
        ),
    ))
}

/// `DELETE /api/v1/sessions/current`: log out.
pub async fn logout(
    State(s): State<AppState>,
    AnySession(session): AnySession,
) -> Result<StatusCode, ApiError> {
    s.store.end_session(&session.token).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v1/me`.
pub async fn me(AnySession(session): AnySession) -> Json<Value> {
    Json(json!({
        "id": session.user.id,
        "kind": session.user.kind,
        "name": session.user.name,
        "must_change_password": session.user.must_change_password,
        "roles": session.grants,
    }))
}

#[derive(Deserialize)]
pub struct ChangePassword {
    current: String,
    new: String,
}

/// `POST /api/v1/me/password`: change the password (required at a staff member's first
/// login); every session of the account ends.
pub async fn change_password(
    State(s): State<AppState>,
    AnySession(session): AnySession,
    body: Result<Json<ChangePassword>, axum::extract::rejection::JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let c = json_body(body)?;
    if !verify_password(&c.current, &session.user.password_hash) {
        return Err(ApiError {
            status: StatusCode::FORBIDDEN,
            code: "wrong_credentials".into(),
            message: "Mật khẩu hiện tại không đúng.".into(),
        });
    }
    check_password(&c.new)?;
    if c.new == c.current {
        return Err(ApiError::bad_request(
            "same_password",
            "Mật khẩu mới phải khác mật khẩu cũ.",
        ));
    }
    s.store
        .set_password(&session.user.id, &hash_password(&c.new)?, false)
        .await?;
    s.store.end_sessions_of(&session.user.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Shared lockout state for the router.
pub fn lockout() -> Arc<Lockout> {
    Arc::new(Lockout::default())
}
