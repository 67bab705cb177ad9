//! Accounts and sessions: registration, login (held back after repeated failures, see
//! `throttle.rs`; staff logins audited), the first-login password change for staff, and
//! what each user may reach. Password hashing and the password rule are in `password.rs`.
//!
//! Two kinds of session share one token store: programs send `Authorization: Bearer
//! <token>`; browsers get the token in an `HttpOnly; Secure; SameSite=Lax` cookie and must
//! send the session's CSRF token in `X-CSRF-Token` with every change (any method other than
//! GET, HEAD, OPTIONS). The CSRF token is a keyed hash of the session token, so it needs no
//! storage and dies with the session.

use axum::Json;
use axum::extract::{FromRef, FromRequestParts, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use chrono::{TimeDelta, Utc};
use motcua_core::dossier::{Actor, ActorKind};
use motcua_core::procedure::Role;
use motcua_store::{Grant, StoreError, User};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::error::json_body;
use crate::password::{check_password, dummy_hash, verify_password};
pub use crate::password::{hash_password, random_hex};
use crate::{ApiError, AppState};

/// How long a session lasts.
const SESSION_HOURS: i64 = 12;
/// The browser session cookie.
pub(crate) const COOKIE: &str = "motcua_session";

/// Roles that reach the agencies below the one where they are held (reading dossiers,
/// queues and reports; acting stays with the agency's own staff).
const OVERSIGHT: [&str; 3] = ["supervisor", "agency-leader", "system-admin"];

/// Compares two secrets in time independent of where they differ.
pub(crate) fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The CSRF token of a session.
pub(crate) fn csrf_token(session_token: &str) -> String {
    motcua_store::sha256_hex(format!("motcua-csrf:{session_token}").as_bytes())
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
    /// The session token (to end the session).
    pub token: String,
    /// Whether it came in the browser cookie (rather than a bearer header).
    pub via_cookie: bool,
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

    /// Whether the user may read `agency`'s dossiers, queues and reports: staff of the agency,
    /// or holders of an oversight role at an agency above it.
    pub fn can_read_at(&self, agency: &str, directory: &crate::Directory) -> bool {
        self.user.kind == "staff"
            && self.grants.iter().any(|g| {
                g.agency_id == agency
                    || (OVERSIGHT.contains(&g.role.as_str())
                        && directory.is_within(agency, &g.agency_id))
            })
    }

    /// Whether the user may manage `agency`'s staff accounts: its administrator, or a system
    /// administrator at or above it.
    pub fn can_administer(&self, agency: &str, directory: &crate::Directory) -> bool {
        self.user.kind == "staff"
            && self.grants.iter().any(|g| {
                (g.role == "agency-admin" && g.agency_id == agency)
                    || (g.role == "system-admin" && directory.is_within(agency, &g.agency_id))
            })
    }

    /// Whether the user is a system administrator at or above `agency`.
    pub fn is_system_admin_for(&self, agency: &str, directory: &crate::Directory) -> bool {
        self.grants
            .iter()
            .any(|g| g.role == "system-admin" && directory.is_within(agency, &g.agency_id))
    }
}

/// The value of one cookie of a request.
fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Any logged-in user, even one who must still change the password.
pub struct AnySession(pub Session);

async fn session_from(parts: &Parts, state: &AppState) -> Result<Session, ApiError> {
    let bearer = parts
        .headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let (token, via_cookie) = match (bearer, cookie(parts, COOKIE).filter(|t| !t.is_empty())) {
        (Some(t), _) => (t.to_string(), false),
        (None, Some(t)) => (t.to_string(), true),
        (None, None) => return Err(unauthenticated()),
    };
    // A browser sends the cookie with any request, including one forged by another site: a
    // change must also carry the session's CSRF token, which other sites cannot read.
    if via_cookie && !parts.method.is_safe() {
        let sent = parts
            .headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok());
        match sent {
            None => {
                return Err(ApiError {
                    status: StatusCode::FORBIDDEN,
                    code: "csrf_token_missing".into(),
                    message: "Thiếu mã chống giả mạo yêu cầu (X-CSRF-Token).".into(),
                });
            }
            Some(sent) if !same_secret(sent, &csrf_token(&token)) => {
                return Err(ApiError {
                    status: StatusCode::FORBIDDEN,
                    code: "csrf_token_invalid".into(),
                    message: "Mã chống giả mạo yêu cầu không đúng.".into(),
                });
            }
            Some(_) => {}
        }
    }
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
        via_cookie,
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

/// Login names: 3–64 characters a-z, 0-9, `.`, `_`, `-`.
pub(crate) fn check_account_id(id: &str) -> Result<(), ApiError> {
    let ok = (3..=64).contains(&id.len())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c));
    if ok {
        Ok(())
    } else {
        Err(ApiError::bad_request(
            "invalid_account_id",
            "Tên đăng nhập gồm 3–64 ký tự a-z, 0-9, dấu chấm, gạch ngang hoặc gạch dưới.",
        ))
    }
}

/// `POST /api/v1/accounts`: an applicant registers.
pub async fn register(
    State(s): State<AppState>,
    ClientAddress(address): ClientAddress,
    body: Result<Json<Value>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    if !crate::throttle::registration_allowed(&s.store, address, Utc::now()).await? {
        return Err(ApiError {
            status: StatusCode::TOO_MANY_REQUESTS,
            code: "too_many_registrations".into(),
            message: "Quá nhiều lần đăng ký từ địa chỉ này; vui lòng thử lại sau một giờ.".into(),
        });
    }
    let r: Register = json_body(body, crate::limits::ACCOUNT)?;
    check_account_id(&r.id)?;
    if r.name.trim().is_empty() {
        return Err(ApiError::bad_request("missing_name", "Cần nhập họ tên."));
    }
    check_password(&r.password, &r.id, &r.name)?;
    let user = User {
        id: r.id.clone(),
        kind: "applicant".into(),
        name: r.name.trim().into(),
        email: r.email,
        phone: r.phone,
        password_hash: hash_password(&r.password)?,
        must_change_password: false,
        created_at: Utc::now(),
        home_agency: None,
    };
    match s.store.create_user(&user, &[], &user.id).await {
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
    /// A browser session: the token goes in a cookie, the answer carries the CSRF token.
    #[serde(default)]
    cookie: bool,
}

/// The client's address, when the server knows it (not in `oneshot` tests): the TCP peer,
/// or, when the peer is a trusted proxy, the last address in `X-Forwarded-For` that is not
/// a trusted proxy (earlier entries can be forged by the client).
pub struct ClientAddress(pub Option<std::net::IpAddr>);

impl<S> FromRequestParts<S> for ClientAddress
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip());
        let Some(peer) = peer else {
            return Ok(ClientAddress(None));
        };
        if !state.trusted_proxies.contains(&peer) {
            return Ok(ClientAddress(Some(peer)));
        }
        let forwarded = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|a| a.trim().parse::<std::net::IpAddr>().ok())
            .collect::<Vec<_>>();
        let client = forwarded
            .into_iter()
            .rev()
            .find(|a| !state.trusted_proxies.contains(a))
            .unwrap_or(peer);
        Ok(ClientAddress(Some(client)))
    }
}

/// `POST /api/v1/sessions`: log in; a bearer token for programs, or a cookie for browsers.
pub async fn login(
    State(s): State<AppState>,
    ClientAddress(address): ClientAddress,
    body: Result<Json<Value>, axum::extract::rejection::JsonRejection>,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    let l: Login = json_body(body, crate::limits::LOGIN)?;
    let now = Utc::now();
    if let Some(until) = crate::throttle::login_held_until(&s.store, &l.id, address, now).await? {
        let wait = (until - now).num_seconds().max(1);
        tracing::warn!(user = %l.id, ip = ?address, "login held back after repeated failures");
        return Err(ApiError {
            status: StatusCode::TOO_MANY_REQUESTS,
            code: "too_many_attempts".into(),
            message: format!(
                "Đăng nhập sai nhiều lần từ địa chỉ này; vui lòng thử lại sau {wait} giây."
            ),
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
            // Take as long as a wrong password would, so that timing does not tell which
            // accounts exist.
            verify_password(&l.password, dummy_hash());
            crate::throttle::login_failed(&s.store, &l.id, address, now).await?;
            return Err(wrong());
        }
        Err(e) => return Err(e.into()),
    };
    let ok = verify_password(&l.password, &user.password_hash);
    if user.kind == "staff" {
        s.store
            .audit(&motcua_store::AuditEntry {
                at: now,
                actor: user.id.clone(),
                action: if ok {
                    "login_succeeded"
                } else {
                    "login_failed"
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
        crate::throttle::login_failed(&s.store, &l.id, address, now).await?;
        tracing::info!(user = %l.id, "failed login");
        return Err(wrong());
    }
    crate::throttle::login_succeeded(&s.store, &l.id, address).await?;
    let token = random_hex(32);
    s.store
        .create_session(&token, &user.id, now, now + TimeDelta::hours(SESSION_HOURS))
        .await?;
    if l.cookie {
        let set = format!(
            "{COOKIE}={token}; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age={}",
            SESSION_HOURS * 3600
        );
        return Ok((
            StatusCode::CREATED,
            [(axum::http::header::SET_COOKIE, set)],
            Json(json!({
                "csrf_token": csrf_token(&token),
                "must_change_password": user.must_change_password,
                "expires_in_hours": SESSION_HOURS,
            })),
        )
            .into_response());
    }
    Ok((
        StatusCode::CREATED,
        Json(
            json!({ "token": token, "must_change_password": user.must_change_password, "expires_in_hours": SESSION_HOURS }),
        ),
    )
        .into_response())
}

/// `DELETE /api/v1/sessions/current`: log out (and clear the browser cookie).
pub async fn logout(
    State(s): State<AppState>,
    AnySession(session): AnySession,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    s.store.end_session(&session.token).await?;
    let clear = format!("{COOKIE}=; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=0");
    Ok((
        StatusCode::NO_CONTENT,
        [(axum::http::header::SET_COOKIE, clear)],
    )
        .into_response())
}

/// `GET /api/v1/me`: the account, its roles, and (for a browser session) its CSRF token.
pub async fn me(AnySession(session): AnySession) -> Json<Value> {
    Json(json!({
        "id": session.user.id,
        "kind": session.user.kind,
        "name": session.user.name,
        "email": session.user.email,
        "phone": session.user.phone,
        "must_change_password": session.user.must_change_password,
        "roles": session.grants,
        "csrf_token": session.via_cookie.then(|| csrf_token(&session.token)),
    }))
}

#[derive(Deserialize)]
pub struct Profile {
    name: String,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    phone: Option<String>,
}

/// `PUT /api/v1/me`: change one's name and contact details.
pub async fn update_profile(
    State(s): State<AppState>,
    session: Session,
    body: Result<Json<Value>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let p: Profile = json_body(body, crate::limits::PROFILE)?;
    let name = p.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(ApiError::bad_request(
            "missing_name",
            "Cần nhập họ tên (tối đa 200 ký tự).",
        ));
    }
    let clean = |v: Option<String>| v.map(|t| t.trim().to_string()).filter(|t| !t.is_empty());
    let (email, phone) = (clean(p.email), clean(p.phone));
    if email
        .as_deref()
        .is_some_and(|e| !e.contains('@') || e.len() > 254)
    {
        return Err(ApiError::bad_request(
            "invalid_email",
            "Địa chỉ thư điện tử không hợp lệ.",
        ));
    }
    if phone.as_deref().is_some_and(|t| {
        !(8..=15).contains(&t.len()) || !t.bytes().all(|b| b.is_ascii_digit() || b == b'+')
    }) {
        return Err(ApiError::bad_request(
            "invalid_phone",
            "Số điện thoại gồm 8–15 chữ số.",
        ));
    }
    s.store
        .update_profile(&session.user.id, name, email.as_deref(), phone.as_deref())
        .await?;
    Ok(Json(
        json!({ "id": session.user.id, "name": name, "email": email, "phone": phone }),
    ))
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
    body: Result<Json<Value>, axum::extract::rejection::JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let c: ChangePassword = json_body(body, crate::limits::PASSWORD)?;
    if !verify_password(&c.current, &session.user.password_hash) {
        return Err(ApiError {
            status: StatusCode::FORBIDDEN,
            code: "wrong_credentials".into(),
            message: "Mật khẩu hiện tại không đúng.".into(),
        });
    }
    check_password(&c.new, &session.user.id, &session.user.name)?;
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
