//! Feedback (with its 3-working-day answer clock), the statistics report (JSON and CSV), and
//! the change feed for the national public service portal.

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use motcua_core::calendar::{Duration, to_local_rfc3339, vn_offset};
use motcua_store::Feedback;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;

use crate::auth::{Session, random_hex};
use crate::error::json_body;
use crate::{ApiError, AppState, Tenant};

#[derive(Deserialize)]
pub(crate) struct NewFeedback {
    agency: String,
    #[serde(default)]
    dossier_id: Option<String>,
    subject: String,
    body: String,
}

/// `POST /api/v1/feedback`: a logged-in user files feedback; the answer is due in 3 working
/// days (Điều 19).
pub(crate) async fn file(
    State(s): State<AppState>,
    session: Session,
    b: Result<Json<NewFeedback>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let b = json_body(b)?;
    if b.subject.trim().is_empty() || b.body.trim().is_empty() {
        return Err(ApiError::bad_request(
            "missing_field",
            "Cần nêu tiêu đề và nội dung phản ánh.",
        ));
    }
    if s.directory.get(&b.agency).is_none() {
        return Err(ApiError::bad_request(
            "unknown_agency",
            "Không có cơ quan này.",
        ));
    }
    // Feedback about a dossier names one the author may see (their own, or their agency's).
    if let Some(id) = &b.dossier_id {
        let visible = match s.store.dossier(id).await {
            Ok(d) => {
                (d.owner.as_deref() == Some(session.user.id.as_str())
                    && session.user.kind == "applicant")
                    || session.can_read_at(&d.agency, &s.directory)
            }
            Err(motcua_store::StoreError::NotFound(_)) => false,
            Err(e) => return Err(e.into()),
        };
        if !visible {
            return Err(ApiError::bad_request(
                "unknown_dossier",
                "Không tìm thấy hồ sơ được phản ánh.",
            ));
        }
    }
    let now = Utc::now();
    let due = s
        .calendar
        .due(now, Duration::working_days(3))
        .map_err(|_| ApiError::bad_request("out_of_range", "Ngoài phạm vi lịch."))?;
    let f = Feedback {
        id: format!("pa-{}", random_hex(6)),
        agency_id: b.agency,
        dossier_id: b.dossier_id,
        author: session.user.id.clone(),
        subject: b.subject,
        body: b.body,
        created_at: now,
        due_at: due,
        answer: None,
        answered_at: None,
        published: false,
    };
    s.store.put_feedback(&f).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": f.id, "answer_due": to_local_rfc3339(due) })),
    ))
}

#[derive(Deserialize)]
pub(crate) struct Answer {
    answer: String,
    #[serde(default = "yes")]
    publish: bool,
}

fn yes() -> bool {
    true
}

/// `POST /api/v1/feedback/{id}/answer`: staff of the addressed agency answer once.
pub(crate) async fn answer(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    b: Result<Json<Answer>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let b = json_body(b)?;
    let f = s.store.feedback(&id).await?;
    if !session.is_staff_at(&f.agency_id) {
        return Err(ApiError::forbidden(
            "Không có quyền thực hiện thao tác này.",
        ));
    }
    if b.answer.trim().is_empty() {
        return Err(ApiError::bad_request(
            "missing_field",
            "Cần nội dung trả lời.",
        ));
    }
    let now = Utc::now();
    s.store
        .answer_feedback(&id, &b.answer, now, b.publish)
        .await
        .map_err(|e| match e {
            motcua_store::StoreError::Conflict(_) => ApiError {
                status: StatusCode::CONFLICT,
                code: "already_answered".into(),
                message: "Phản ánh đã được trả lời.".into(),
            },
            other => other.into(),
        })?;
    Ok(Json(json!({ "id": id, "on_time": now <= f.due_at })))
}

/// `GET /api/v1/feedback`: published answers (public).
pub(crate) async fn published(State(s): State<AppState>) -> Result<Json<Value>, ApiError> {
    let list: Vec<Value> = s
        .store
        .published_feedback(100)
        .await?
        .into_iter()
        .map(|f| {
            json!({ "id": f.id, "agency": f.agency_id, "subject": f.subject, "body": f.body,
                          "answer": f.answer, "answered_at": f.answered_at.map(to_local_rfc3339) })
        })
        .collect();
    Ok(Json(json!({ "feedback": list })))
}

fn local_day_start(text: &str) -> Result<DateTime<Utc>, ApiError> {
    let d = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| ApiError::bad_request("invalid_date", "Ngày phải có dạng YYYY-MM-DD."))?;
    d.and_hms_opt(0, 0, 0)
        .and_then(|t| t.and_local_timezone(vn_offset()).single())
        .map(|t| t.to_utc())
        .ok_or_else(|| ApiError::bad_request("invalid_date", "Ngày không hợp lệ."))
}

/// `GET /api/v1/reports/statistics?agency=&from=&to=[&format=csv]`: the section 9 table for
/// an agency and those below it over `[from, to)` (local dates), for its staff.
pub(crate) async fn statistics(
    State(s): State<AppState>,
    Tenant(tenant): Tenant,
    session: Session,
    q: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Result<Response, ApiError> {
    let q = q
        .map(|Query(m)| m)
        .map_err(|_| ApiError::bad_request("invalid_query", "Tham số truy vấn không hợp lệ."))?;
    let get = |k: &str| {
        q.get(k)
            .ok_or_else(|| ApiError::bad_request("invalid_query", format!("Thiếu tham số {k}.")))
    };
    let agency = match (q.get("agency"), tenant) {
        (Some(a), _) => a.clone(),
        (None, Some(t)) => t,
        (None, None) => get("agency")?.clone(),
    };
    if !session.can_read_at(&agency, &s.directory) {
        return Err(ApiError::forbidden(
            "Không có quyền thực hiện thao tác này.",
        ));
    }
    let (from, to) = (local_day_start(get("from")?)?, local_day_start(get("to")?)?);
    if to <= from {
        return Err(ApiError::bad_request(
            "invalid_period",
            "Ngày kết thúc phải sau ngày bắt đầu.",
        ));
    }
    let st = s.store.statistics(&agency, from, to).await?;
    if q.get("format").map(String::as_str) == Some("csv") {
        let mut csv = String::from(
            "linh_vuc,ton_ky_truoc,truc_tuyen,truc_tiep_buu_chinh,truoc_han,dung_han,qua_han,dang_giai_quyet_trong_han,dang_giai_quyet_qua_han,yeu_cau_bo_sung,tu_choi\n",
        );
        let rows = st
            .by_field
            .iter()
            .map(|(k, v)| (k.as_str(), v))
            .chain([("Tổng", &st.total)]);
        for (field, f) in rows {
            csv += &format!(
                "\"{}\",{},{},{},{},{},{},{},{},{},{}\n",
                field.replace('"', "\"\""),
                f.carried_over,
                f.new_online,
                f.new_direct_or_post,
                f.resolved_early,
                f.resolved_on_time,
                f.resolved_late,
                f.in_progress_within_time,
                f.in_progress_overdue,
                f.supplement_requested,
                f.refused
            );
        }
        return Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], csv).into_response());
    }
    Ok(Json(serde_json::to_value(&st).unwrap_or(Value::Null)).into_response())
}

/// `GET /api/v1/integration/feed?cursor=N`: changes after a cursor for the national public
/// service portal, with national status codes and `yyyyMMddHHmmss` local timestamps.
/// Authenticated by the token in `MOTCUA_FEED_TOKEN` (the feed is off without one).
pub(crate) async fn feed(
    State(s): State<AppState>,
    headers: HeaderMap,
    q: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let expected = s.feed_token.as_deref().ok_or_else(|| ApiError {
        status: StatusCode::NOT_FOUND,
        code: "feed_disabled".into(),
        message: "Nguồn dữ liệu tích hợp chưa được bật trên máy chủ này.".into(),
    })?;
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if !given.is_some_and(|g| crate::auth::same_secret(g, expected)) {
        return Err(ApiError {
            status: StatusCode::UNAUTHORIZED,
            code: "unauthenticated".into(),
            message: "Cần mã truy cập tích hợp.".into(),
        });
    }
    let q = q
        .map(|Query(m)| m)
        .map_err(|_| ApiError::bad_request("invalid_query", "Tham số truy vấn không hợp lệ."))?;
    let cursor: i64 = match q.get("cursor") {
        Some(c) => c
            .parse()
            .map_err(|_| ApiError::bad_request("invalid_cursor", "Con trỏ phải là số nguyên."))?,
        None => 0,
    };
    let items = s.store.feed(cursor, 500).await?;
    let next = items.last().map_or(cursor, |i| i.cursor);
    let list: Vec<Value> = items
        .into_iter()
        .map(|i| {
            json!({
                "cursor": i.cursor,
                "dossier_code": i.code,
                "status": i.national_status,
                "time": i.event.at.with_timezone(&vn_offset()).format("%Y%m%d%H%M%S").to_string(),
                "event": serde_json::to_value(&i.event.event).ok().and_then(|v| v.get("type").cloned()),
            })
        })
        .collect();
    Ok(Json(json!({ "items": list, "next_cursor": next })))
}
