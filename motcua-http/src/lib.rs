//! motcua-http: the HTTP server of motcua.
//!
//! Served so far: health and readiness; the catalogue of agencies and procedures; the public
//! lookup of a dossier by its code (no personal data); the working calendar and deadlines;
//! accounts (argon2, bearer-token sessions, lockout, first-login password change); online
//! submission, reading and listing dossiers, staff queues, every engine command, attachment
//! upload (multipart) and download; the OpenAPI document of exactly these endpoints. Cookie
//! sessions with CSRF, tenants by host name, feedback and reports endpoints, the national
//! feed, metrics and the portal pages are not built yet.
//!
//! `router(state)` builds the whole application; tests call it without a socket.

mod api;
mod auth;
pub mod demo;
mod dossiers;
mod error;
mod more;
mod observe;
mod openapi;

pub use auth::hash_password;
pub use error::ApiError;

use axum::Router;
use axum::routing::{delete, get, post};
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
    /// Failed logins, for the lockout.
    lockout: Arc<auth::Lockout>,
    /// The national-portal feed's token; the feed is off without one.
    pub feed_token: Option<String>,
    /// Request metrics.
    metrics: Arc<observe::Metrics>,
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
        Ok(AppState {
            store,
            calendar,
            procedures: Arc::new(procedures),
            lockout: auth::lockout(),
            feed_token: None,
            metrics: Arc::default(),
        })
    }
}

/// The application: every route, with its state.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(api::healthz))
        .route("/readyz", get(api::readyz))
        .route("/api/v1/openapi.json", get(openapi::document))
        .route("/api/v1/agencies", get(api::agencies))
        .route("/api/v1/procedures", get(api::procedures))
        .route("/api/v1/procedures/{code}", get(api::procedure))
        .route("/api/v1/lookup/{code}", get(api::lookup))
        .route("/api/v1/calendar/{year}", get(api::calendar_year))
        .route("/api/v1/deadline", get(api::deadline))
        .route("/api/v1/accounts", post(auth::register))
        .route("/api/v1/sessions", post(auth::login))
        .route("/api/v1/sessions/current", delete(auth::logout))
        .route("/api/v1/me", get(auth::me))
        .route("/api/v1/me/password", post(auth::change_password))
        .route("/api/v1/me/dossiers", get(dossiers::mine))
        .route("/api/v1/queue", get(dossiers::queue))
        .route("/api/v1/dossiers", post(dossiers::submit))
        .route("/api/v1/dossiers/{id}", get(dossiers::read))
        .route("/api/v1/dossiers/{id}/commands", post(dossiers::command))
        .route(
            "/api/v1/dossiers/{id}/attachments",
            post(dossiers::upload).layer(axum::extract::DefaultBodyLimit::max(25 * 1024 * 1024)),
        )
        .route(
            "/api/v1/dossiers/{id}/attachments/{sha256}",
            get(dossiers::download),
        )
        .route("/api/v1/feedback", post(more::file).get(more::published))
        .route("/api/v1/feedback/{id}/answer", post(more::answer))
        .route("/api/v1/reports/statistics", get(more::statistics))
        .route("/api/v1/integration/feed", get(more::feed))
        .route("/metrics", get(observe::metrics))
        .fallback(api::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            observe::track,
        ))
        .with_state(state)
}

/// Serves `router(state)` on `listener` until Ctrl-C or SIGTERM, then finishes the requests
/// in flight.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    axum::serve(listener, router(state))
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
