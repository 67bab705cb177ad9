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
    b: Result<Json<Value>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let b: NewFeedback = json_body(b, crate::limits::FEEDBACK)?;
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
    b: Result<Json<Value>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let b: Answer = json_body(b, crate::limits::ANSWER)?;
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

fn local_date(text: &str) -> Result<NaiveDate, ApiError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| ApiError::bad_request("invalid_date", "Ngày phải có dạng YYYY-MM-DD."))
}

fn local_day_start(d: NaiveDate) -> Result<DateTime<Utc>, ApiError> {
    d.and_hms_opt(0, 0, 0)
        .and_then(|t| t.and_local_timezone(vn_offset()).single())
        .map(|t| t.to_utc())
        .ok_or_else(|| ApiError::bad_request("invalid_date", "Ngày không hợp lệ."))
}

/// `GET /api/v1/reports/statistics?agency=&from=&to=[&format=json|csv]`: the section 9 table
/// for an agency and those below it, for its staff. `from` and `to` are local dates, both
/// included (`from=2026-04-01&to=2026-04-30` is April). Every answer carries the definition
/// of each column (docs/statistics.md).
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
    let format = q.get("format").map_or("json", String::as_str);
    if !matches!(format, "json" | "csv") {
        return Err(ApiError::bad_request(
            "invalid_format",
            "Định dạng báo cáo phải là json hoặc csv.",
        ));
    }
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
    let (first, last) = (local_date(get("from")?)?, local_date(get("to")?)?);
    if last < first {
        return Err(ApiError::bad_request(
            "invalid_period",
            "Ngày kết thúc không được trước ngày bắt đầu.",
        ));
    }
    let after = last
        .succ_opt()
        .ok_or_else(|| ApiError::bad_request("invalid_date", "Ngày không hợp lệ."))?;
    let st = s
        .store
        .statistics(
            &agency,
            local_day_start(first)?,
            local_day_start(after)?,
            Utc::now(),
        )
        .await?;
    if format == "csv" {
        let filename = format!("thong-ke-{agency}-{first}-{last}.csv");
        return Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{filename}\""),
                ),
            ],
            statistics_csv(&st),
        )
            .into_response());
    }
    let mut body = serde_json::to_value(&st).unwrap_or(Value::Null);
    body["period"] = json!({ "from": first.to_string(), "to": last.to_string() });
    body["columns"] = serde_json::to_value(motcua_store::COLUMNS).unwrap_or(Value::Null);
    Ok(Json(body).into_response())
}

/// The table as CSV for spreadsheets: a UTF-8 byte-order mark (without it Excel reads the
/// Vietnamese as Windows-1252), the form's headers with the totals it has, one row per field
/// and the totals, then a note defining every column.
fn statistics_csv(st: &motcua_store::Statistics) -> String {
    use motcua_store::COLUMNS;
    let quote = |t: &str| format!("\"{}\"", t.replace('"', "\"\""));
    fn header(key: &str) -> &str {
        motcua_store::COLUMNS
            .iter()
            .find(|c| c.key == key)
            .map_or(key, |c| c.header_vi)
    }
    let (received, resolved, in_progress) = (
        "Số hồ sơ nhận giải quyết - Tổng số",
        "Số hồ sơ đã giải quyết - Tổng số",
        "Số hồ sơ đang giải quyết - Tổng số",
    );
    // The form's order: each group's total before its parts.
    let layout: Vec<&str> = vec![
        received,
        "carried_over",
        "new_online",
        "new_direct_or_post",
        resolved,
        "resolved_early",
        "resolved_on_time",
        "resolved_late",
        in_progress,
        "in_progress_within_time",
        "in_progress_overdue",
        "supplement_requested",
        "refused",
        "returned_for_completion",
        "withdrawn",
        "stopped",
    ];
    let mut csv = String::from("\u{feff}");
    let heads: Vec<String> = std::iter::once("Lĩnh vực")
        .chain(layout.iter().map(|k| header(k)))
        .map(quote)
        .collect();
    csv += &heads.join(",");
    csv += "\r\n";
    let rows = st
        .by_field
        .iter()
        .map(|(k, v)| (k.as_str(), v))
        .chain([("Tổng cộng", &st.total)]);
    for (field, f) in rows {
        let cells: Vec<String> = std::iter::once(quote(field))
            .chain(layout.iter().map(|k| {
                let v = match *k {
                    k if k == received => f.received(),
                    k if k == resolved => f.resolved(),
                    k if k == in_progress => f.in_progress(),
                    k => f.get(k).unwrap_or(0),
                };
                v.to_string()
            }))
            .collect();
        csv += &cells.join(",");
        csv += "\r\n";
    }
    csv += "\r\n";
    csv += &quote("Ghi chú");
    csv += "\r\n";
    for c in COLUMNS {
        csv += &format!("{},{}\r\n", quote(c.header_vi), quote(c.definition_vi));
    }
    csv
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
