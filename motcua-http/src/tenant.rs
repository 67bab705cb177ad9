//! Tenants: one deployment serves many agencies, each on its own host name (DOMAIN.md
//! section 1: `motcua.<agency>.<province>.gov.vn`, `<commune>.<district>.<province>.gov.vn`).
//!
//! The agency a request is for comes from the `Host` header when it is one of an agency's
//! configured host names, and from a `/t/{agency}` path prefix otherwise (for a deployment
//! behind one host name, and for tests). The prefix is removed before routing, so every
//! endpoint exists under it. Handlers read the result with the [`Tenant`] extractor.
//!
//! The agency directory (names, parents, host names) is the live configuration's: an agency
//! added or given a host name is served without a restart.

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::convert::Infallible;

use crate::AppState;
use crate::app::{AppError, Code};

/// The agency this request is for, if the host name or path named one.
#[derive(Clone, Debug, Default)]
pub struct Tenant(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for Tenant {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Tenant, Infallible> {
        Ok(parts
            .extensions
            .get::<Tenant>()
            .cloned()
            .unwrap_or_default())
    }
}

/// Middleware run before routing: resolves the tenant and removes a `/t/{agency}` prefix.
pub(crate) async fn resolve(State(s): State<AppState>, mut req: Request, next: Next) -> Response {
    let config = match s.config().await {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let by_host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| req.uri().host())
        .and_then(|h| config.directory.by_host(h))
        .map(str::to_string);
    let mut by_path = None;
    if let Some(rest) = req.uri().path().strip_prefix("/t/") {
        let (agency, tail) = rest.split_once('/').unwrap_or((rest, ""));
        if config.directory.get(agency).is_none() {
            return AppError::new(Code::UnknownTenant).into_response();
        }
        let path_and_query = match req.uri().query() {
            Some(q) => format!("/{tail}?{q}"),
            None => format!("/{tail}"),
        };
        let Ok(uri) = path_and_query.parse::<Uri>() else {
            return AppError::new(Code::InvalidPath).into_response();
        };
        by_path = Some(agency.to_string());
        *req.uri_mut() = uri;
    }
    let tenant = match (by_host, by_path) {
        (Some(h), Some(p)) if h != p => {
            return AppError::new(Code::TenantMismatch).into_response();
        }
        (h, p) => h.or(p),
    };
    req.extensions_mut().insert(Tenant(tenant));
    next.run(req).await
}
