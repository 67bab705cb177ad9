//! The public handlers: health, catalogue, lookup, calendar and deadlines.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use motcua_store::Agency;
use serde::Serialize;

use super::{Params, params};
use crate::app::{AppError, Code, catalogue};
use crate::openapi::ErrorBody;
use crate::{AppState, Tenant};

#[utoipa::path(get, path = "/healthz", tag = "system", summary = "Liveness",
    responses((status = 200, description = "ok", content_type = "text/plain", body = String)))]
pub(crate) async fn healthz() -> &'static str {
    "ok"
}

#[utoipa::path(get, path = "/readyz", tag = "system", summary = "Readiness (the database answers)",
    responses(
        (status = 200, description = "ready", content_type = "text/plain", body = String),
        (status = 503, description = "database unavailable", content_type = "text/plain", body = String)))]
pub(crate) async fn readyz(State(s): State<AppState>) -> impl IntoResponse {
    match s.store.ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(e) => {
            tracing::warn!(error = %e, "database not ready");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}

/// Agencies.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct AgencyList {
    agencies: Vec<Agency>,
}

/// Procedures.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct ProcedureList {
    procedures: Vec<catalogue::ProcedureItem>,
}

/// An agency level.
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "kebab-case")]
#[allow(dead_code)]
pub(crate) enum Level {
    Province,
    District,
    Commune,
}

/// `GET /api/v1/agencies?level=`.
#[utoipa::path(get, path = "/api/v1/agencies", tag = "catalogue", summary = "Agencies, optionally of one level",
    params(("level" = Option<Level>, Query)),
    responses((status = 200, body = AgencyList),
              (status = 400, description = "invalid_level, invalid_query", body = ErrorBody)))]
pub(crate) async fn agencies(
    State(s): State<AppState>,
    q: Params,
) -> Result<Json<AgencyList>, AppError> {
    let q = params(q)?;
    let agencies = catalogue::agencies(&s, q.get("level").map(String::as_str)).await?;
    Ok(Json(AgencyList { agencies }))
}

/// `GET /api/v1/procedures?q=&field=&level=&agency=&service_level=`: the catalogue. With an
/// agency (given, or the request's tenant), the procedures assigned to it.
#[utoipa::path(get, path = "/api/v1/procedures", tag = "catalogue",
    summary = "The catalogue: the newest version of each procedure, searched by name or code without regard to diacritics",
    params(
        ("q" = Option<String>, Query, description = "words of the name, or the code"),
        ("field" = Option<String>, Query, description = "the field (lĩnh vực)"),
        ("level" = Option<Level>, Query),
        ("agency" = Option<motcua_core::dossier::AgencyId>, Query, description = "only what this agency handles (default: the site's agency)"),
        ("service_level" = Option<String>, Query, pattern = "^(1|2|3|4|full|partial|none)$",
            description = "1–4 (Decree 43/2011) or full, partial, none (Decree 42/2022)")),
    responses((status = 200, body = ProcedureList),
              (status = 400, description = "unknown_agency, invalid_level, invalid_service_level", body = ErrorBody)))]
pub(crate) async fn procedures(
    State(s): State<AppState>,
    Tenant(tenant): Tenant,
    q: Params,
) -> Result<Json<ProcedureList>, AppError> {
    let mut q = params(q)?;
    let query = catalogue::CatalogueQuery {
        text: q.remove("q"),
        field: q.remove("field"),
        level: q.remove("level"),
        agency: q.remove("agency").or(tenant),
        service_level: q.remove("service_level"),
    };
    let procedures = catalogue::procedures(&s, &query).await?;
    Ok(Json(ProcedureList { procedures }))
}

/// `GET /api/v1/procedures/{code}`.
#[utoipa::path(get, path = "/api/v1/procedures/{code}", tag = "catalogue",
    summary = "Every catalogue field of a procedure",
    params(("code" = String, Path)),
    responses((status = 200, body = catalogue::ProcedureDetail), (status = 404, body = ErrorBody)))]
pub(crate) async fn procedure(
    State(s): State<AppState>,
    Path(code): Path<String>,
) -> Result<Json<catalogue::ProcedureDetail>, AppError> {
    Ok(Json(catalogue::procedure(&s, &code).await?))
}

/// `GET /api/v1/lookup/{code}`: status only, no personal data (Điều 17).
#[utoipa::path(get, path = "/api/v1/lookup/{code}", tag = "catalogue",
    summary = "Public lookup by dossier code: status, national status, appointment, current step; no personal data",
    params(("code" = motcua_core::dossier::DossierCode, Path)),
    responses((status = 200, body = catalogue::Lookup),
              (status = 400, description = "invalid_code", body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub(crate) async fn lookup(
    State(s): State<AppState>,
    Path(code): Path<String>,
) -> Result<Json<catalogue::Lookup>, AppError> {
    Ok(Json(catalogue::lookup(&s, &code).await?))
}

/// `GET /api/v1/calendar/{year}`.
#[utoipa::path(get, path = "/api/v1/calendar/{year}", tag = "catalogue",
    summary = "The non-working and make-up working days of a year, with their sources, confirmed or proposed",
    params(("year" = i32, Path, minimum = 1970, maximum = 2199)),
    responses((status = 200, body = motcua_core::calendar::YearReport),
              (status = 400, description = "invalid_year, year_out_of_range", body = ErrorBody)))]
pub(crate) async fn calendar_year(
    State(s): State<AppState>,
    Path(year): Path<String>,
) -> Result<Json<motcua_core::calendar::YearReport>, AppError> {
    Ok(Json(catalogue::calendar_year(&s, &year).await?))
}

/// `GET /api/v1/deadline?from=&add=&cutoff=`.
#[utoipa::path(get, path = "/api/v1/deadline", tag = "catalogue",
    summary = "The due instant of a time limit (as `motcua deadline`)",
    params(
        ("from" = chrono::DateTime<chrono::Utc>, Query),
        ("add" = String, Query, pattern = "^[1-9][0-9]{0,3}(m|wh|wd|cd)$", example = "15wd"),
        ("cutoff" = Option<String>, Query, pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$", example = "15:00")),
    responses((status = 200, body = catalogue::Deadline),
              (status = 400, description = "invalid_query, invalid_instant, invalid_duration, invalid_cutoff, out_of_range", body = ErrorBody)))]
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
    Ok(Json(
        catalogue::deadline(&s, from, add, q.get("cutoff").map(String::as_str)).await?,
    ))
}
