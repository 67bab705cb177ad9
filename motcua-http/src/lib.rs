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
//! The citizen portal's public pages (home, catalogue, procedure detail, lookup) are served
//! at `/`, `/thu-tuc`, `/thu-tuc/{code}`, `/tra-cuu` and `/tra-cuu/{code}`.
//!
//! The rules live in the application layer ([`app`]); the JSON handlers (`json/`) are
//! adapters over it.
//!
//! `router(state)` builds the whole application; tests call it without a socket.

pub mod app;
pub mod bootstrap;
pub mod delivery;
pub mod demo;
mod error;
mod files;
mod json;
pub mod limits;
mod observe;
mod openapi;
mod pages;
mod password;
mod security;
mod session;
mod state;
mod tenant;
mod throttle;

pub use app::config::Directory;
pub use app::{AppError, Code};
pub use error::ApiError;
pub use password::hash_password;
pub use state::{
    AppState, Clock, Ids, ManualClock, OffsetClock, RandomIds, SequentialIds, SystemClock,
};
pub use tenant::Tenant;

use axum::Router;
use axum::routing::{MethodRouter, delete, get, post};
use tower_http::compression::predicate::Predicate as _;

/// Every route: path and handlers. The router is built from this table, and the OpenAPI
/// test compares the document with [`route_paths`].
fn routes() -> Vec<(&'static str, MethodRouter<AppState>)> {
    use axum::routing::put;
    vec![
        ("/healthz", get(json::public::healthz)),
        ("/readyz", get(json::public::readyz)),
        ("/metrics", get(observe::metrics)),
        ("/api/v1/openapi.json", get(openapi::document)),
        ("/api/v1/tenant", get(json::staff::tenant)),
        ("/api/v1/agencies", get(json::public::agencies)),
        (
            "/api/v1/agencies/{agency}/users",
            get(json::staff::list).post(json::staff::create),
        ),
        (
            "/api/v1/agencies/{agency}/users/{user}/roles",
            put(json::staff::set_roles),
        ),
        (
            "/api/v1/agencies/{agency}/users/{user}/password-reset",
            post(json::staff::reset_password),
        ),
        (
            "/api/v1/agencies/{agency}/users/{user}/active",
            put(json::staff::set_active),
        ),
        ("/api/v1/agencies/{agency}/audit", get(json::staff::audit)),
        (
            "/api/v1/users/{user}/agency",
            put(json::staff::move_account),
        ),
        ("/api/v1/procedures", get(json::public::procedures)),
        ("/api/v1/procedures/{code}", get(json::public::procedure)),
        ("/api/v1/lookup/{code}", get(json::public::lookup)),
        ("/api/v1/calendar/{year}", get(json::public::calendar_year)),
        ("/api/v1/deadline", get(json::public::deadline)),
        ("/api/v1/accounts", post(json::accounts::register)),
        ("/api/v1/sessions", post(json::accounts::login)),
        ("/api/v1/sessions/current", delete(json::accounts::logout)),
        (
            "/api/v1/me",
            get(json::accounts::me).put(json::accounts::update_profile),
        ),
        (
            "/api/v1/me/notifications",
            get(json::accounts::notifications),
        ),
        (
            "/api/v1/me/channels",
            get(json::accounts::channels).put(json::accounts::set_channels),
        ),
        (
            "/api/v1/me/notifications/{id}/read",
            post(json::accounts::read_notification),
        ),
        ("/api/v1/deliveries", get(json::accounts::deliveries)),
        (
            "/api/v1/notification-templates",
            get(json::accounts::templates),
        ),
        (
            "/api/v1/notification-templates/{kind}",
            axum::routing::put(json::accounts::set_template),
        ),
        (
            "/api/v1/deliveries/{id}/retry",
            post(json::accounts::retry_delivery),
        ),
        ("/api/v1/me/password", post(json::accounts::change_password)),
        ("/api/v1/me/dossiers", get(json::dossiers::mine)),
        ("/api/v1/queue", get(json::dossiers::queue)),
        ("/api/v1/search", get(json::dossiers::search)),
        (
            "/api/v1/dossiers",
            post(json::dossiers::submit).layer(upload_limit()),
        ),
        ("/api/v1/dossiers/{id}", get(json::dossiers::read)),
        (
            "/api/v1/dossiers/{id}/commands",
            post(json::dossiers::command),
        ),
        (
            "/api/v1/dossiers/{id}/attachments",
            post(json::dossiers::upload).layer(upload_limit()),
        ),
        (
            "/api/v1/dossiers/{id}/attachments/{sha256}",
            get(json::dossiers::download),
        ),
        ("/api/v1/dossiers/{id}/forms", get(json::dossiers::forms)),
        (
            "/api/v1/dossiers/{id}/evaluation",
            get(json::dossiers::evaluation),
        ),
        (
            "/api/v1/dossiers/{id}/forms/{form}",
            get(json::dossiers::form),
        ),
        (
            "/api/v1/feedback",
            post(json::feedback::file).get(json::feedback::published),
        ),
        ("/api/v1/feedback/{id}/answer", post(json::feedback::answer)),
        ("/api/v1/reports/statistics", get(json::reports::statistics)),
        ("/api/v1/reports/register", get(json::reports::register)),
        ("/api/v1/reports/evaluation", get(json::reports::evaluation)),
        (
            "/api/v1/reports/evaluation/inputs",
            put(json::reports::evaluation_inputs),
        ),
        (
            "/api/v1/reports/evaluation/rules",
            get(json::reports::evaluation_rules).put(json::reports::set_evaluation_rules),
        ),
        ("/api/v1/integration/feed", get(json::reports::feed)),
        (
            "/api/v1/integration/sms/inbound",
            post(json::reports::sms_inbound),
        ),
    ]
}

/// Routes that take files accept every file of a request and the multipart framing around
/// them; every other body is bounded by [`limits::JSON_BYTES`].
pub(crate) fn upload_limit() -> axum::extract::DefaultBodyLimit {
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
        .merge(pages::routes())
        .fallback(pages::not_found)
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
        // Pages and large JSON answers, gzip for browsers that ask; answers under 1 KiB
        // (the public lookup, most JSON) are not worth the time.
        .layer(
            tower_http::compression::CompressionLayer::new()
                .quality(tower_http::CompressionLevel::Fastest)
                .compress_when(
                    tower_http::compression::predicate::DefaultPredicate::new()
                        .and(tower_http::compression::predicate::SizeAbove::new(1024)),
                ),
        )
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
