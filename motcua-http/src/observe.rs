//! Request ids, request logs and Prometheus metrics.
//!
//! Every response carries `x-request-id` (the caller's, if it sent a sane one); every request
//! is logged with it, so an internal error answered without details can be found in the log.
//! `/metrics` counts requests by method, route and status, and sums their durations.

use axum::extract::{MatchedPath, Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Instant;

use crate::AppState;

/// (method, route pattern, status).
type Key = (String, String, u16);

/// Request counts and durations, per key.
#[derive(Default)]
pub struct Metrics {
    /// (requests, seconds spent) by key.
    by_key: Mutex<BTreeMap<Key, (u64, f64)>>,
}

impl Metrics {
    fn record(&self, method: &str, route: &str, status: u16, seconds: f64) {
        if let Ok(mut m) = self.by_key.lock() {
            let e = m
                .entry((method.to_string(), route.to_string(), status))
                .or_default();
            e.0 += 1;
            e.1 += seconds;
        }
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::from(
            "# HELP motcua_http_requests_total Requests answered, by method, route and status.\n\
             # TYPE motcua_http_requests_total counter\n",
        );
        let Ok(m) = self.by_key.lock() else {
            return out;
        };
        for ((method, route, status), (count, _)) in m.iter() {
            let _ = writeln!(
                out,
                "motcua_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {count}"
            );
        }
        out += "# HELP motcua_http_request_duration_seconds_sum Time spent answering, by method, route and status.\n\
                # TYPE motcua_http_request_duration_seconds_sum counter\n";
        for ((method, route, status), (_, seconds)) in m.iter() {
            let _ = writeln!(
                out,
                "motcua_http_request_duration_seconds_sum{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {seconds:.6}"
            );
        }
        out
    }
}

fn sane(id: &HeaderValue) -> Option<String> {
    let s = id.to_str().ok()?;
    (1..=64).contains(&s.len()).then_some(())?;
    s.chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        .then(|| s.to_string())
}

/// Adds the request id, logs the request, and counts it.
pub async fn track(State(s): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = request
        .headers()
        .get("x-request-id")
        .and_then(sane)
        .unwrap_or_else(|| crate::password::random_hex(8));
    let method = request.method().to_string();
    // Label by route pattern, never by raw path: codes and ids would explode the series.
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |m| m.as_str().to_string());
    let mut response = next.run(request).await;
    let status = response.status().as_u16();
    let seconds = started.elapsed().as_secs_f64();
    s.metrics.record(&method, &route, status, seconds);
    if status >= 500 {
        tracing::error!(request_id = %id, %method, %route, status, seconds, "request failed");
    } else {
        tracing::info!(request_id = %id, %method, %route, status, seconds, "request");
    }
    if let Ok(v) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", v);
    }
    response
}

/// `GET /metrics`.
#[utoipa::path(get, path = "/metrics", tag = "system",
    summary = "Prometheus metrics: requests and time spent, by method, route and status",
    responses((status = 200, description = "text exposition format", content_type = "text/plain", body = String)))]
pub async fn metrics(State(s): State<AppState>) -> impl IntoResponse {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4",
        )],
        s.metrics.render(),
    )
}
