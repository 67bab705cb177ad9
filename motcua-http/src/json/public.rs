//! The public handlers: health, catalogue, lookup, calendar and deadlines.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde_json::{Value, json};

use super::{Params, params};
use crate::app::{AppError, Code, catalogue};
use crate::{AppState, Tenant};

pub(crate) async fn healthz() -> &'static str {
    "ok"
}

pub(crate) async fn readyz(State(s): State<AppState>) -> impl IntoResponse {
    match s.store.ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(e) => {
            tracing::warn!(error = %e, "database not ready");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}

pub(crate) async fn not_found() -> AppError {
    AppError::not_found("Không có địa chỉ này.")
}

/// `GET /api/v1/agencies?level=`.
pub(crate) async fn agencies(
    State(s): State<AppState>,
    q: Params,
) -> Result<Json<Value>, AppError> {
    let q = params(q)?;
    let list = catalogue::agencies(&s, q.get("level").map(String::as_str)).await?;
    Ok(Json(json!({ "agencies": list })))
}

/// `GET /api/v1/procedures?q=&field=&level=&agency=&service_level=`: the catalogue. With an
/// agency (given, or the request's tenant), the procedures assigned to it.
pub(crate) async fn procedures(
    State(s): State<AppState>,
    Tenant(tenant): Tenant,
    q: Params,
) -> Result<Json<Value>, AppError> {
    let mut q = params(q)?;
    let query = catalogue::CatalogueQuery {
        text: q.remove("q"),
        field: q.remove("field"),
        level: q.remove("level"),
        agency: q.remove("agency").or(tenant),
        service_level: q.remove("service_level"),
    };
    let list = catalogue::procedures(&s, &query).await?;
    Ok(Json(json!({ "procedures": list })))
}

/// `GET /api/v1/procedures/{code}`.
pub(crate) async fn procedure(
    State(s): State<AppState>,
    Path(code): Path<String>,
) -> Result<Json<catalogue::ProcedureDetail>, AppError> {
    Ok(Json(catalogue::procedure(&s, &code).await?))
}

/// `GET /api/v1/lookup/{code}`: status only, no personal data (Điều 17).
pub(crate) async fn lookup(
    State(s): State<AppState>,
    Path(code): Path<String>,
) -> Result<Json<catalogue::Lookup>, AppError> {
    Ok(Json(catalogue::lookup(&s, &code).await?))
}

/// `GET /api/v1/calendar/{year}`.
pub(crate) async fn calendar_year(
    State(s): State<AppState>,
    Path(year): Path<String>,
) -> Result<Json<Value>, AppError> {
    let report = catalogue::calendar_year(&s, &year)?;
    Ok(Json(serde_json::to_value(report).unwrap_or(Value::Null)))
}

/// `GET /api/v1/deadline?from=&add=&cutoff=`.
pub(crate) async fn deadline(
    State(s): State<AppState>,
    q: Params,
) -> Result<Json<catalogue::Deadline>, AppError> {
    let q = params(q)?;
    let (Some(from), Some(add)) = (q.get("from"), q.get("add")) else {
        return Err(AppError::with(
            Code::InvalidQuery,
            "Cần tham số from (RFC 3339) và add (ví dụ 15wd).",
        ));
    };
    Ok(Json(catalogue::deadline(
        &s,
        from,
        add,
        q.get("cutoff").map(String::as_str),
    )?))
}
