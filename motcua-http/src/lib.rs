//! motcua-http: the HTTP server of motcua.
//!
//! Served: health and readiness, Prometheus metrics; the catalogue of agencies and
//! procedures; the public lookup of a dossier by its code (no personal data); the working
//! calendar and deadlines; accounts (argon2, bearer tokens for programs, cookie sessions with
//! CSRF tokens for browsers, failed logins held back per account and address and per
//! address (counters in the database), audited staff logins, first-login
//! password change, administrators managing their agency's staff); online submission,
//! reading and listing dossiers, staff queues, every engine command, attachment upload
//! (multipart) and download; feedback, the statistics report, the national-portal feed;
//! tenants by host name or `/t/{agency}`; the OpenAPI document of exactly these endpoints.
//! The portal pages are not built yet.
//!
//! `router(state)` builds the whole application; tests call it without a socket.

mod admin;
mod api;
mod auth;
pub mod bootstrap;
pub mod demo;
mod dossiers;
mod error;
mod files;
pub mod limits;
mod more;
mod observe;
mod openapi;
mod password;
mod security;
mod tenant;
mod throttle;

pub use auth::hash_password;
pub use error::ApiError;
pub use tenant::{Directory, Tenant};

use axum::Router;
use axum::routing::{MethodRouter, delete, get, post};
use motcua_core::calendar::WorkingCalendar;
use motcua_core::procedure::Procedure;
use motcua_store::Store;
use std::sync::Arc;

/// What every request can reach.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// The national calendar (agency calendars come with the administration screens).
    pub calendar: Arc<WorkingCalendar>,
    /// Procedures loaded from the database, parsed once at start.
    pub procedures: Arc<Vec<Procedure>>,
    /// The national-portal feed's token; the feed is off without one.
    pub feed_token: Option<String>,
    /// Reverse proxies whose `X-Forwarded-For` names the client (for the login limit).
    pub trusted_proxies: Arc<Vec<std::net::IpAddr>>,
    /// Request metrics.
    metrics: Arc<observe::Metrics>,
    /// The agencies: host names for tenants, parents for oversight.
    pub directory: Arc<tenant::Directory>,
    /// Whether clients reach the server over TLS (through a proxy): responses then carry
    /// `Strict-Transport-Security`.
    pub behind_tls: bool,
}

impl AppState {
    /// Loads and parses every stored procedure version. A stored file that no longer loads
    /// is an error: the server does not start on a catalogue it cannot read.
    pub async fn load(store: Store, calendar: Arc<WorkingCalendar>) -> Result<AppState, String> {
        let mut procedures = Vec::new();
        for (code, version, source) in store.procedures().await.map_err(|e| e.to_string())? {
            let (p, _) = Procedure::load(&format!("{code}@{version}"), &source)
                .map_err(|r| r.to_string())?;
            procedures.push(p);
        }
        let directory = tenant::Directory::new(store.agencies().await.map_err(|e| e.to_string())?);
        Ok(AppState {
            directory: Arc::new(directory),
            store,
            calendar,
            procedures: Arc::new(procedures),
            feed_token: None,
            trusted_proxies: Arc::default(),
            metrics: Arc::default(),
            behind_tls: false,
        })
    }
}

/// Every route: path and handlers. The router is built from this table, and the OpenAPI
/// test compares the document with [`route_paths`].
fn routes() -> Vec<(&'static str, MethodRouter<AppState>)> {
    use axum::routing::put;
    vec![
        ("/healthz", get(api::healthz)),
        ("/readyz", get(api::readyz)),
        ("/metrics", get(observe::metrics)),
        ("/api/v1/openapi.json", get(openapi::document)),
        ("/api/v1/tenant", get(admin::tenant)),
        ("/api/v1/agencies", get(api::agencies)),
        (
            "/api/v1/agencies/{agency}/users",
            get(admin::list).post(admin::create),
        ),
        (
            "/api/v1/agencies/{agency}/users/{user}/roles",
            put(admin::set_roles),
        ),
        (
            "/api/v1/agencies/{agency}/users/{user}/password-reset",
            post(admin::reset_password),
        ),
        ("/api/v1/agencies/{agency}/audit", get(admin::audit)),
        ("/api/v1/users/{user}/agency", put(admin::move_account)),
        ("/api/v1/procedures", get(api::procedures)),
        ("/api/v1/procedures/{code}", get(api::procedure)),
        ("/api/v1/lookup/{code}", get(api::lookup)),
        ("/api/v1/calendar/{year}", get(api::calendar_year)),
        ("/api/v1/deadline", get(api::deadline)),
        ("/api/v1/accounts", post(auth::register)),
        ("/api/v1/sessions", post(auth::login)),
        ("/api/v1/sessions/current", delete(auth::logout)),
        ("/api/v1/me", get(auth::me).put(auth::update_profile)),
        ("/api/v1/me/password", post(auth::change_password)),
        ("/api/v1/me/dossiers", get(dossiers::mine)),
        ("/api/v1/queue", get(dossiers::queue)),
        ("/api/v1/search", get(dossiers::search)),
        (
            "/api/v1/dossiers",
            post(dossiers::submit).layer(upload_limit()),
        ),
        ("/api/v1/dossiers/{id}", get(dossiers::read)),
        ("/api/v1/dossiers/{id}/commands", post(dossiers::command)),
        (
            "/api/v1/dossiers/{id}/attachments",
            post(dossiers::upload).layer(upload_limit()),
        ),
        (
            "/api/v1/dossiers/{id}/attachments/{sha256}",
            get(dossiers::download),
        ),
        ("/api/v1/feedback", post(more::file).get(more::published)),
        ("/api/v1/feedback/{id}/answer", post(more::answer)),
        ("/api/v1/reports/statistics", get(more::statistics)),
        ("/api/v1/integration/feed", get(more::feed)),
    ]
}

/// Routes that take files accept every file of a request and the multipart framing around
/// them; every other body is bounded by [`limits::JSON_BYTES`].
fn upload_limit() -> axum::extract::DefaultBodyLimit {
    axum::extract::DefaultBodyLimit::max(limits::REQUEST_BYTES + 64 * 1024)
}

/// The paths the router serves (without the `/t/{agency}` tenant prefix).
pub fn route_paths() -> Vec<&'static str> {
    routes().into_iter().map(|(p, _)| p).collect()
}

/// The application: every route, with its state.
pub fn router(state: AppState) -> Router {
    let app = routes()
        .into_iter()
        .fold(Router::new(), |r, (path, handlers)| r.route(path, handlers))
        .fallback(api::not_found)
        .layer(axum::extract::DefaultBodyLimit::max(limits::JSON_BYTES))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            observe::track,
        ))
        .with_state(state.clone());
    // The tenant is resolved before routing, so that a `/t/{agency}` prefix can be removed.
    Router::new()
        .fallback_service(app)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            tenant::resolve,
        ))
        .layer(axum::middleware::from_fn(move |req, next| {
            security::headers(state.behind_tls, req, next)
        }))
}

/// Serves `router(state)` on `listener` until Ctrl-C or SIGTERM, then finishes the requests
/// in flight.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown())
    .await
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
