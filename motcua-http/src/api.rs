//! The public handlers: health, catalogue, lookup, calendar and deadlines.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use chrono::{DateTime, NaiveTime};
use motcua_core::calendar::{Duration, to_local_rfc3339};
use motcua_core::dossier::DossierCode;
use motcua_core::text::fold;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;

use crate::{ApiError, AppState, Tenant};

type Params = Result<Query<HashMap<String, String>>, QueryRejection>;

fn params(q: Params) -> Result<HashMap<String, String>, ApiError> {
    q.map(|Query(m)| m)
        .map_err(|_| ApiError::bad_request("invalid_query", "Tham số truy vấn không hợp lệ."))
}

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

pub(crate) async fn not_found() -> ApiError {
    ApiError::not_found("Không có địa chỉ này.")
}

pub(crate) async fn agencies(
    State(s): State<AppState>,
    q: Params,
) -> Result<Json<Value>, ApiError> {
    let q = params(q)?;
    let level = q.get("level");
    if let Some(l) = level
        && !["province", "district", "commune"].contains(&l.as_str())
    {
        return Err(ApiError::bad_request(
            "invalid_level",
            "Cấp cơ quan phải là province, district hoặc commune.",
        ));
    }
    let list: Vec<_> = s
        .store
        .agencies()
        .await?
        .into_iter()
        .filter(|a| level.is_none_or(|l| &a.level == l))
        .collect();
    Ok(Json(json!({ "agencies": list })))
}

/// The newest version of each procedure code.
pub(crate) fn latest(s: &AppState) -> Vec<&motcua_core::procedure::Procedure> {
    let mut by_code: HashMap<&str, &motcua_core::procedure::Procedure> = HashMap::new();
    for p in s.procedures.iter() {
        let e = by_code.entry(&p.catalogue.code).or_insert(p);
        if p.catalogue.version > e.catalogue.version {
            *e = p;
        }
    }
    let mut v: Vec<_> = by_code.into_values().collect();
    v.sort_by(|a, b| a.catalogue.code.cmp(&b.catalogue.code));
    v
}

/// `GET /api/v1/procedures?q=&field=&level=&agency=&service_level=`: the catalogue. With an
/// agency (given, or the request's tenant), the procedures its level handles.
pub(crate) async fn procedures(
    State(s): State<AppState>,
    Tenant(tenant): Tenant,
    q: Params,
) -> Result<Json<Value>, ApiError> {
    let q = params(q)?;
    let needle = q.get("q").map(|t| fold(t));
    let field = q.get("field").map(|t| fold(t));
    let agency = q.get("agency").cloned().or(tenant);
    let level = match &agency {
        Some(a) => {
            let a = s
                .directory
                .get(a)
                .ok_or_else(|| ApiError::bad_request("unknown_agency", "Không có cơ quan này."))?;
            if q.get("level").is_some_and(|l| *l != a.level) {
                return Ok(Json(json!({ "procedures": [] })));
            }
            Some(a.level.clone())
        }
        None => q.get("level").cloned(),
    };
    // A legacy level (1–4, Decree 43/2011) or an online scheme (Decree 42/2022).
    let service_level = q.get("service_level").cloned();
    if let Some(v) = &service_level
        && !["1", "2", "3", "4", "full", "partial", "none"].contains(&v.as_str())
    {
        return Err(ApiError::bad_request(
            "invalid_service_level",
            "Mức độ dịch vụ công là 1–4, hoặc full, partial, none.",
        ));
    }
    let list: Vec<Value> = latest(&s)
        .into_iter()
        .filter(|p| {
            needle
                .as_ref()
                .is_none_or(|n| fold(&p.catalogue.name).contains(n.as_str()))
        })
        .filter(|p| {
            field
                .as_ref()
                .is_none_or(|f| fold(&p.catalogue.field) == *f)
        })
        .filter(|p| {
            level.as_ref().is_none_or(|l| {
                p.catalogue.agency_levels.iter().any(|a| {
                    serde_json::to_value(a)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .as_deref()
                        == Some(l.as_str())
                })
            })
        })
        .filter(|p| {
            service_level.as_ref().is_none_or(|want| {
                let sl = &p.catalogue.service_level;
                *want == sl.legacy.to_string() || *want == sl.online
            })
        })
        .map(|p| {
            json!({
                "code": p.catalogue.code,
                "version": p.catalogue.version,
                "name": p.catalogue.name,
                "field": p.catalogue.field,
                "agency_levels": p.catalogue.agency_levels,
                "service_level": p.catalogue.service_level,
                "time_limit": p.catalogue.time_limit.to_string(),
            })
        })
        .collect();
    Ok(Json(json!({ "procedures": list })))
}

pub(crate) async fn procedure(
    State(s): State<AppState>,
    Path(code): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let p = latest(&s)
        .into_iter()
        .find(|p| p.catalogue.code == code)
        .ok_or_else(|| ApiError::not_found(format!("Không có thủ tục mã {code}.")))?;
    let steps: Vec<Value> = p
        .steps
        .iter()
        .map(|st| json!({ "id": st.id, "name": st.name, "role": st.role, "allowance": st.allowance.to_string() }))
        .collect();
    Ok(Json(json!({
        "catalogue": p.catalogue,
        "time_limit": p.catalogue.time_limit.to_string(),
        "components": p.components,
        "steps": steps,
    })))
}

/// The public lookup: status only, no personal data (Điều 17).
pub(crate) async fn lookup(
    State(s): State<AppState>,
    Path(code): Path<String>,
) -> Result<Json<Value>, ApiError> {
    DossierCode::parse(&code).map_err(|_| {
        ApiError::bad_request(
            "invalid_code",
            "Mã hồ sơ không đúng dạng (ví dụ 000.00.12.H53-260302-0001).",
        )
    })?;
    // Columns only, no dossier body: the hot public path (Điều 17).
    let d = s.store.public_status(&code).await.map_err(|e| match e {
        motcua_store::StoreError::NotFound(_) => {
            ApiError::not_found("Không tìm thấy hồ sơ có mã này.")
        }
        other => other.into(),
    })?;
    let step_name = s
        .procedures
        .iter()
        .find(|p| p.catalogue.code == d.procedure && p.catalogue.version == d.procedure_version)
        .and_then(|p| d.step.as_deref().and_then(|st| p.step(st)))
        .map(|st| st.name.clone());
    Ok(Json(json!({
        "code": code,
        "procedure": d.procedure,
        "state": d.state,
        "state_vi": d.state.label_vi(),
        "national_status": d.national_status,
        "accepted_at": d.accepted_at.map(to_local_rfc3339),
        "appointment": d.appointment.map(to_local_rfc3339),
        "current_step": if d.state.is_closed() { None } else { step_name },
        "returned": d.timeliness,
    })))
}

pub(crate) async fn calendar_year(
    State(s): State<AppState>,
    Path(year): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let year: i32 = year
        .parse()
        .map_err(|_| ApiError::bad_request("invalid_year", "Năm không hợp lệ."))?;
    let report = s.calendar.year_report(year).map_err(|_| {
        ApiError::bad_request(
            "year_out_of_range",
            "Năm nằm ngoài phạm vi lịch (1970–2199).",
        )
    })?;
    Ok(Json(serde_json::to_value(report).unwrap_or(Value::Null)))
}

#[derive(Deserialize)]
pub(crate) struct DeadlineQuery {
    from: String,
    add: String,
    cutoff: Option<String>,
}

pub(crate) async fn deadline(
    State(s): State<AppState>,
    q: Result<Query<DeadlineQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(q) = q.map_err(|_| {
        ApiError::bad_request(
            "invalid_query",
            "Cần tham số from (RFC 3339) và add (ví dụ 15wd).",
        )
    })?;
    let from = DateTime::parse_from_rfc3339(&q.from)
        .map_err(|_| {
            ApiError::bad_request(
                "invalid_instant",
                "Thời điểm from không đúng dạng RFC 3339.",
            )
        })?
        .to_utc();
    let add: Duration = q.add.parse().map_err(|_| {
        ApiError::bad_request(
            "invalid_duration",
            "Thời hạn phải là số nguyên kèm đơn vị m, wh, wd hoặc cd.",
        )
    })?;
    let cutoff = match &q.cutoff {
        Some(c) => Some(NaiveTime::parse_from_str(c, "%H:%M").map_err(|_| {
            ApiError::bad_request("invalid_cutoff", "Giờ chốt phải có dạng HH:MM.")
        })?),
        None => None,
    };
    let out_of_range =
        |_| ApiError::bad_request("out_of_range", "Thời điểm nằm ngoài phạm vi lịch.");
    let start = s
        .calendar
        .counting_start(from, cutoff)
        .map_err(out_of_range)?;
    let due = s.calendar.due(start, add).map_err(out_of_range)?;
    let explanation = s.calendar.explain(start, add).map_err(out_of_range)?;
    Ok(Json(json!({
        "due": to_local_rfc3339(due),
        "counting_start": to_local_rfc3339(start),
        "proposed_years": explanation.days.proposed_years,
    })))
}
