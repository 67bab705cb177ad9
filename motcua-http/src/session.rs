//! Who a request is from: the session token (a bearer header for programs, an `HttpOnly`
//! cookie for browsers), the CSRF check on cookie-authenticated changes, and the client's
//! address. The application layer decides what the [`Principal`] may do.
//!
//! Browsers must send the session's CSRF token in `X-CSRF-Token` with every change (any
//! method other than GET, HEAD, OPTIONS). The CSRF token is a keyed hash of the session
//! token, so it needs no storage and dies with the session.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;

use crate::AppState;
use crate::app::{AppError, Code, Principal, accounts};

/// The browser session cookie.
pub(crate) const COOKIE: &str = "motcua_session";

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

/// A request from a logged-in user who has changed any one-time password.
pub struct Session {
    /// Who.
    pub principal: Principal,
    /// The session token (to end the session).
    pub token: String,
    /// Whether it came in the browser cookie (rather than a bearer header).
    pub via_cookie: bool,
}

/// Any logged-in user, even one who must still change the password.
pub struct AnySession(pub Session);

/// The value of one cookie of a request.
pub(crate) fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
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

async fn session_from(parts: &Parts, state: &AppState) -> Result<Session, AppError> {
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
        (None, None) => return Err(AppError::new(Code::Unauthenticated)),
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
                return Err(AppError::with(
                    Code::CsrfTokenMissing,
                    "Thiếu mã chống giả mạo yêu cầu (X-CSRF-Token).",
                ));
            }
            Some(sent) if !same_secret(sent, &csrf_token(&token)) => {
                return Err(AppError::new(Code::CsrfTokenInvalid));
            }
            Some(_) => {}
        }
    }
    let principal = accounts::authenticate(state, &token).await?;
    Ok(Session {
        principal,
        token,
        via_cookie,
    })
}

impl<S> FromRequestParts<S> for AnySession
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
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
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let s = session_from(parts, &AppState::from_ref(state)).await?;
        if s.principal.user.must_change_password {
            return Err(AppError::new(Code::PasswordChangeRequired));
        }
        Ok(s)
    }
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
