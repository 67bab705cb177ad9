//! Tenants: one deployment serves many agencies, each on its own host name (DOMAIN.md
//! section 1: `motcua.<agency>.<province>.gov.vn`, `<commune>.<district>.<province>.gov.vn`).
//!
//! The agency a request is for comes from the `Host` header when it is one of an agency's
//! configured host names, and from a `/t/{agency}` path prefix otherwise (for a deployment
//! behind one host name, and for tests). The prefix is removed before routing, so every
//! endpoint exists under it. Handlers read the result with the [`Tenant`] extractor.
//!
//! The agency directory (names, parents, host names) is read once at start: restart the
//! server after changing agencies.

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use motcua_store::Agency;
use std::collections::HashMap;
use std::convert::Infallible;

use crate::{ApiError, AppState};

/// The agencies, with their host names and parents.
#[derive(Debug, Default)]
pub struct Directory {
    agencies: HashMap<String, Agency>,
    by_host: HashMap<String, String>,
}

impl Directory {
    /// Builds the directory; host names are matched case-insensitively.
    pub fn new(agencies: Vec<Agency>) -> Directory {
        let mut by_host = HashMap::new();
        for a in &agencies {
            for h in &a.host_names {
                by_host.insert(h.to_ascii_lowercase(), a.id.clone());
            }
        }
        Directory {
            agencies: agencies.into_iter().map(|a| (a.id.clone(), a)).collect(),
            by_host,
        }
    }

    /// Every agency id, sorted.
    pub fn ids(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.agencies.keys().map(String::as_str).collect();
        v.sort_unstable();
        v
    }

    /// The agency with this id.
    pub fn get(&self, id: &str) -> Option<&Agency> {
        self.agencies.get(id)
    }

    /// The agency whose site this host name is (a port is ignored).
    pub fn by_host(&self, host: &str) -> Option<&str> {
        let name = host.rsplit_once(':').map_or(host, |(name, port)| {
            if port.bytes().all(|b| b.is_ascii_digit()) {
                name
            } else {
                host
            }
        });
        self.by_host
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }

    /// Whether `agency` is `ancestor` or below it.
    pub fn is_within(&self, agency: &str, ancestor: &str) -> bool {
        let mut current = Some(agency);
        // The depth bound guards against a cycle in stored data.
        for _ in 0..16 {
            match current {
                Some(id) if id == ancestor => return true,
                Some(id) => current = self.get(id).and_then(|a| a.parent_id.as_deref()),
                None => return false,
            }
        }
        false
    }
}

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
    let by_host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| req.uri().host())
        .and_then(|h| s.directory.by_host(h))
        .map(str::to_string);
    let mut by_path = None;
    if let Some(rest) = req.uri().path().strip_prefix("/t/") {
        let (agency, tail) = rest.split_once('/').unwrap_or((rest, ""));
        if s.directory.get(agency).is_none() {
            return ApiError {
                status: StatusCode::NOT_FOUND,
                code: "unknown_tenant".into(),
                message: "Không có cơ quan này.".into(),
            }
            .into_response();
        }
        let path_and_query = match req.uri().query() {
            Some(q) => format!("/{tail}?{q}"),
            None => format!("/{tail}"),
        };
        let Ok(uri) = path_and_query.parse::<Uri>() else {
            return ApiError::bad_request("invalid_path", "Địa chỉ không hợp lệ.").into_response();
        };
        by_path = Some(agency.to_string());
        *req.uri_mut() = uri;
    }
    let tenant = match (by_host, by_path) {
        (Some(h), Some(p)) if h != p => {
            return ApiError::bad_request(
                "tenant_mismatch",
                "Tên miền và đường dẫn chỉ hai cơ quan khác nhau.",
            )
            .into_response();
        }
        (h, p) => h.or(p),
    };
    req.extensions_mut().insert(Tenant(tenant));
    next.run(req).await
}
