//! Who is looking at a page: the browser session from its cookie, if any, and the form
//! token that every form of the page carries (CSRF).
//!
//! A logged-in browser's forms carry the session's CSRF token (the same keyed hash the JSON
//! API takes in `X-CSRF-Token`). Forms before login (log in, register) carry the value of a
//! `motcua_form` cookie set with the page (a double-submitted token): another site can make
//! a browser post, but cannot read either value.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use std::convert::Infallible;

use crate::AppState;
use crate::app::{Principal, accounts};
use crate::session::{COOKIE, cookie, csrf_token, same_secret};

/// The cookie that carries the form token of a browser without a session.
pub(crate) const FORM_COOKIE: &str = "motcua_form";

/// The viewer of a page.
pub(crate) struct Viewer {
    /// The logged-in user, if the session cookie is valid.
    pub principal: Option<Principal>,
    /// The session token, when logged in.
    pub token: Option<String>,
    /// The form token pages must carry in their forms.
    pub form_token: String,
    /// Whether the form token is new (the answer must set its cookie).
    pub new_form_cookie: bool,
    /// When the session ends, when logged in.
    pub session_ends: Option<chrono::DateTime<chrono::Utc>>,
    /// Whether the browser holds a session that has ended (expired, or ended elsewhere).
    pub expired: bool,
    /// Whether the browser takes gzip-compressed answers.
    pub gzip: bool,
}

/// Whether an `Accept-Encoding` value names gzip (and not with `q=0`).
fn takes_gzip(accept: &str) -> bool {
    accept.split(',').any(|part| {
        let mut it = part.split(';');
        let name = it.next().unwrap_or("").trim();
        let refused = it.any(|p| {
            let p = p.trim();
            p == "q=0" || p == "q=0.0" || p == "q=0.00" || p == "q=0.000"
        });
        (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
    })
}

impl Viewer {
    /// Whether a posted form's token is this viewer's.
    pub fn accepts(&self, sent: Option<&str>) -> bool {
        !self.new_form_cookie && sent.is_some_and(|s| same_secret(s, &self.form_token))
    }

    /// The `Set-Cookie` value for a new form token, if the answer must set one.
    pub fn set_cookie(&self) -> Option<String> {
        self.new_form_cookie.then(|| {
            format!(
                "{FORM_COOKIE}={}; Path=/; HttpOnly; Secure; SameSite=Lax",
                self.form_token
            )
        })
    }
}

impl<S> FromRequestParts<S> for Viewer
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Infallible> {
        let app = AppState::from_ref(state);
        let token = cookie(parts, COOKIE)
            .filter(|t| !t.is_empty())
            .map(str::to_string);
        let session = match &token {
            Some(t) => accounts::authenticate_session(&app, t).await.ok(),
            None => None,
        };
        let expired = token.is_some() && session.is_none();
        let (principal, session_ends) = match session {
            Some((p, ends)) => (Some(p), Some(ends)),
            None => (None, None),
        };
        let token = token.filter(|_| principal.is_some());
        let (form_token, new_form_cookie) = match &token {
            Some(t) => (csrf_token(t), false),
            None => match cookie(parts, FORM_COOKIE).filter(|v| v.len() == 32) {
                Some(v) => (v.to_string(), false),
                None => (crate::password::random_hex(16), true),
            },
        };
        Ok(Viewer {
            principal,
            token,
            form_token,
            new_form_cookie,
            session_ends,
            expired,
            gzip: parts
                .headers
                .get(axum::http::header::ACCEPT_ENCODING)
                .and_then(|v| v.to_str().ok())
                .is_some_and(takes_gzip),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::takes_gzip;

    #[test]
    fn gzip_is_taken_when_named_and_not_refused() {
        assert!(takes_gzip("gzip, deflate, br"));
        assert!(takes_gzip("br;q=1.0, GZIP;q=0.5"));
        assert!(takes_gzip("*"));
        assert!(!takes_gzip("gzip;q=0"));
        assert!(!takes_gzip("br, deflate"));
        assert!(!takes_gzip("x-gzip-not"));
        assert!(!takes_gzip(""));
    }
}
