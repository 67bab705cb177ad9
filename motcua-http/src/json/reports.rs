//! Reports over HTTP: the statistics table as JSON or CSV, and the national-portal feed.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};

use super::{Params, params};
use crate::app::reports::{self as uc, Period};
use crate::app::{AppError, Code};
use crate::openapi::ErrorBody;
use crate::session::Session;
use crate::{AppState, Tenant};
use serde::Serialize;

/// `GET /api/v1/reports/statistics?agency=&from=&to=[&format=json|csv|xlsx][&sheets=one|agency]`: the section 9 table
/// for an agency and those below it, for its staff. `from` and `to` are local dates, both
/// included (`from=2026-04-01&to=2026-04-30` is April). Every answer carries the definition
/// of each column (docs/statistics.md).
#[utoipa::path(get, path = "/api/v1/reports/statistics", tag = "reports",
    summary = "The section 9 statistics table for an agency and those below it, as JSON or CSV",
    security(("bearer" = [])),
    params(("agency" = Option<String>, Query, description = "default: the site's agency"),
           ("from" = chrono::NaiveDate, Query, description = "first local day, included"),
           ("to" = chrono::NaiveDate, Query, description = "last local day, included"),
           ("format" = Option<String>, Query, pattern = "^(json|csv|xlsx)$"),
           ("sheets" = Option<String>, Query, pattern = "^(one|agency)$", description = "xlsx: one sheet, or one per agency below")),
    responses((status = 200, body = uc::Report, content(
                  (uc::Report = "application/json"), (String = "text/csv"),
                  (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
              (status = 400, description = "invalid_query, invalid_date, invalid_period, invalid_format", body = ErrorBody)))]
pub(crate) async fn statistics(
    State(s): State<AppState>,
    Tenant(tenant): Tenant,
    session: Session,
    q: Params,
) -> Result<Response, AppError> {
    let q = params(q)?;
    let format = format_of(
        &q,
        &["json", "csv", "xlsx"],
        "Định dạng báo cáo phải là json, csv hoặc xlsx.",
    )?;
    let per_agency = match q.get("sheets").map(String::as_str) {
        None | Some("one") => false,
        Some("agency") => true,
        Some(_) => {
            return Err(AppError::with(
                Code::InvalidQuery,
                "Tham số sheets phải là one hoặc agency.",
            ));
        }
    };
    let (agency, period) = agency_and_period(&q, tenant)?;
    if format == "xlsx" {
        let (bytes, filename) =
            uc::statistics_xlsx(&s, &session.principal, &agency, period, per_agency).await?;
        return Ok(crate::files::attachment(
            crate::files::XLSX,
            &filename,
            bytes,
        ));
    }
    let report = uc::statistics(&s, &session.principal, &agency, period).await?;
    if format == "csv" {
        let filename = format!("thong-ke-{agency}-{}-{}.csv", period.from, period.to);
        return Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{filename}\""),
                ),
            ],
            statistics_csv(&report.statistics),
        )
            .into_response());
    }
    Ok(Json(report).into_response())
}

/// `GET /api/v1/reports/register?agency=&from=&to=[&format=pdf|xlsx]`: the register (sổ theo
/// dõi hồ sơ) of an agency for a period as PDF: every dossier it accepted, in order. `from`
/// and `to` are local days, both included.
#[utoipa::path(get, path = "/api/v1/reports/register", tag = "reports",
    summary = "The register of dossiers received (sổ theo dõi hồ sơ), as PDF",
    security(("bearer" = [])),
    params(("agency" = Option<String>, Query, description = "default: the site's agency"),
           ("from" = chrono::NaiveDate, Query, description = "first local day, included"),
           ("to" = chrono::NaiveDate, Query, description = "last local day, included"),
           ("format" = Option<String>, Query, pattern = "^(pdf|xlsx)$")),
    responses((status = 200, description = "the register", content((Vec<u8> = "application/pdf"),
                  (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
              (status = 400, description = "invalid_query, invalid_date, invalid_period, invalid_format, unknown_agency, too_many_items", body = ErrorBody),
              (status = 403, body = ErrorBody)))]
pub(crate) async fn register(
    State(s): State<AppState>,
    Tenant(tenant): Tenant,
    session: Session,
    q: Params,
) -> Result<Response, AppError> {
    let q = params(q)?;
    let format = format_of(
        &q,
        &["pdf", "xlsx"],
        "Sổ theo dõi hồ sơ xuất được dạng pdf hoặc xlsx.",
    )?;
    let (agency, period) = agency_and_period(&q, tenant)?;
    if format == "xlsx" {
        let r = crate::app::forms::register_xlsx(&s, &session.principal, &agency, period).await?;
        return Ok(crate::files::attachment(
            crate::files::XLSX,
            &r.file_name,
            r.pdf,
        ));
    }
    let r = crate::app::forms::register(&s, &session.principal, &agency, period).await?;
    Ok(crate::files::download(
        &r.file_name,
        "application/pdf",
        r.pdf,
        false,
    ))
}

/// The `format` a report was asked in: one of `offered` (the first when absent), else
/// `invalid_format` with `refusal`.
fn format_of<'a>(
    q: &'a std::collections::HashMap<String, String>,
    offered: &[&'static str],
    refusal: &str,
) -> Result<&'a str, AppError> {
    match q.get("format") {
        None => Ok(offered[0]),
        Some(f) if offered.contains(&f.as_str()) => Ok(f.as_str()),
        Some(_) => Err(AppError::with(Code::InvalidFormat, refusal)),
    }
}

/// A report's `agency` (the request's tenant when absent) and `from`/`to` period.
fn agency_and_period(
    q: &std::collections::HashMap<String, String>,
    tenant: Option<String>,
) -> Result<(String, Period), AppError> {
    let get = |k: &str| {
        q.get(k)
            .ok_or_else(|| AppError::with(Code::InvalidQuery, format!("Thiếu tham số {k}.")))
    };
    let agency = match (q.get("agency"), tenant) {
        (Some(a), _) => a.clone(),
        (None, Some(t)) => t,
        (None, None) => get("agency")?.clone(),
    };
    Ok((agency, Period::parse(get("from")?, get("to")?)?))
}

/// The table as CSV for spreadsheets: a UTF-8 byte-order mark (without it Excel reads the
/// Vietnamese as Windows-1252), the form's headers with the totals it has, one row per field
/// and the totals, then a note defining every column.
pub(crate) fn statistics_csv(st: &motcua_store::Statistics) -> String {
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
/// service portal, with national status codes and `yyyyMMddHHmmss` local timestamps; each
/// item names its dossier by id (before it has a code), agency and procedure. Authenticated
/// by the token in `MOTCUA_FEED_TOKEN` (the feed is off without one).
#[utoipa::path(get, path = "/api/v1/integration/feed", tag = "reports",
    summary = "Changes after a cursor, for the national public service portal (token in MOTCUA_FEED_TOKEN)",
    security(("bearer" = [])),
    params(("cursor" = Option<i64>, Query, minimum = 0)),
    responses((status = 200, body = FeedPage),
              (status = 400, description = "invalid_cursor", body = ErrorBody),
              (status = 404, description = "feed_disabled", body = ErrorBody)))]
pub(crate) async fn feed(
    State(s): State<AppState>,
    headers: HeaderMap,
    q: Params,
) -> Result<Json<FeedPage>, AppError> {
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let unauthenticated = || AppError::with(Code::Unauthenticated, "Cần mã truy cập tích hợp.");
    let Some(given) = given else {
        return Err(unauthenticated());
    };
    let expected = s
        .feed_token
        .as_deref()
        .ok_or_else(|| AppError::new(Code::FeedDisabled))?;
    if !crate::session::same_secret(given, expected) {
        return Err(unauthenticated());
    }
    let q = params(q)?;
    let cursor: i64 = match q.get("cursor") {
        Some(c) => c.parse().map_err(|_| AppError::new(Code::InvalidCursor))?,
        None => 0,
    };
    let (items, next_cursor) = uc::feed(&s, cursor).await?;
    Ok(Json(FeedPage { items, next_cursor }))
}

/// A page of the feed.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct FeedPage {
    items: Vec<uc::FeedItem>,
    /// Pass it back as `cursor` to continue.
    next_cursor: i64,
}

/// `GET /api/v1/reports/evaluation?agency=&from=&to=[&format=json|xlsx]`: the Circular
/// 01/2018 scoring tool for an agency and each agency below it over a period
/// (docs/evaluation.md): the nine indicators self-assessed from the system's data and the
/// service center's entries, the appraisals, the total and the classification.
#[utoipa::path(get, path = "/api/v1/reports/evaluation", tag = "reports",
    summary = "The scoring tool (9 indicators, 18 points) for an agency and those below it",
    security(("bearer" = [])),
    params(("agency" = Option<String>, Query, description = "default: the site's agency"),
           ("from" = chrono::NaiveDate, Query, description = "first local day, included"),
           ("to" = chrono::NaiveDate, Query, description = "last local day, included"),
           ("format" = Option<String>, Query, pattern = "^(json|xlsx)$")),
    responses((status = 200, body = crate::app::evaluation::EvaluationReport, content(
                  (crate::app::evaluation::EvaluationReport = "application/json"),
                  (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
              (status = 400, description = "invalid_query, invalid_date, invalid_period, invalid_format, unknown_agency", body = ErrorBody),
              (status = 403, body = ErrorBody)))]
pub(crate) async fn evaluation(
    State(s): State<AppState>,
    Tenant(tenant): Tenant,
    session: Session,
    q: Params,
) -> Result<Response, AppError> {
    let q = params(q)?;
    let format = format_of(
        &q,
        &["json", "xlsx"],
        "Kết quả đánh giá xuất được dạng json hoặc xlsx.",
    )?;
    let (agency, period) = agency_and_period(&q, tenant)?;
    if format == "xlsx" {
        let (bytes, filename) =
            crate::app::evaluation::report_xlsx(&s, &session.principal, &agency, period).await?;
        return Ok(crate::files::attachment(
            crate::files::XLSX,
            &filename,
            bytes,
        ));
    }
    Ok(
        Json(crate::app::evaluation::report(&s, &session.principal, &agency, period).await?)
            .into_response(),
    )
}

/// `PUT /api/v1/reports/evaluation/inputs?agency=&from=&to=`: the service center enters, for
/// an agency and exactly this period, what the system cannot know (publicity, complaints
/// about attitude found true) and its appraisals; it replaces what was entered before.
#[utoipa::path(put, path = "/api/v1/reports/evaluation/inputs", tag = "reports",
    summary = "The service center's inputs and appraisals for an agency and a period",
    security(("bearer" = [])),
    params(("agency" = Option<String>, Query, description = "default: the site's agency"),
           ("from" = chrono::NaiveDate, Query, description = "first local day, included"),
           ("to" = chrono::NaiveDate, Query, description = "last local day, included")),
    request_body = motcua_core::evaluation::Inputs,
    responses((status = 204, description = "stored"),
              (status = 400, description = "invalid_query, invalid_body, invalid_date, invalid_period, invalid_evaluation, unknown_agency, too_long", body = ErrorBody),
              (status = 403, body = ErrorBody)))]
pub(crate) async fn evaluation_inputs(
    State(s): State<AppState>,
    Tenant(tenant): Tenant,
    session: Session,
    q: Params,
    b: Result<Json<serde_json::Value>, axum::extract::rejection::JsonRejection>,
) -> Result<axum::http::StatusCode, AppError> {
    let q = params(q)?;
    let (agency, period) = agency_and_period(&q, tenant)?;
    let inputs: motcua_core::evaluation::Inputs =
        crate::error::json_body(b, crate::limits::EVALUATION_INPUTS)?;
    crate::app::evaluation::enter(&s, &session.principal, &agency, period, inputs).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// `GET /api/v1/reports/evaluation/rules`: the thresholds and classification bands in force.
#[utoipa::path(get, path = "/api/v1/reports/evaluation/rules", tag = "reports",
    summary = "The scoring tool's thresholds and classification bands",
    security(("bearer" = [])),
    responses((status = 200, body = motcua_core::evaluation::Rules),
              (status = 401, body = ErrorBody)))]
pub(crate) async fn evaluation_rules(
    State(s): State<AppState>,
    session: Session,
) -> Result<Json<motcua_core::evaluation::Rules>, AppError> {
    if !session.principal.is_staff() {
        return Err(AppError::new(Code::Forbidden));
    }
    Ok(Json(crate::app::evaluation::rules(&s).await?))
}

/// `PUT /api/v1/reports/evaluation/rules`: a system administrator at the top of the
/// directory sets the thresholds and bands for the whole deployment.
#[utoipa::path(put, path = "/api/v1/reports/evaluation/rules", tag = "reports",
    summary = "Set the scoring tool's thresholds and classification bands",
    security(("bearer" = [])),
    request_body = motcua_core::evaluation::Rules,
    responses((status = 200, body = motcua_core::evaluation::Rules),
              (status = 400, description = "invalid_body, invalid_evaluation, too_many_items", body = ErrorBody),
              (status = 403, body = ErrorBody)))]
pub(crate) async fn set_evaluation_rules(
    State(s): State<AppState>,
    session: Session,
    b: Result<Json<serde_json::Value>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<motcua_core::evaluation::Rules>, AppError> {
    let rules: motcua_core::evaluation::Rules =
        crate::error::json_body(b, crate::limits::EVALUATION_RULES)?;
    Ok(Json(
        crate::app::evaluation::set_rules(&s, &session.principal, rules).await?,
    ))
}

/// A message the SMS gateway received at the lookup number.
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct InboundSms {
    /// The sender's phone number.
    from: String,
    /// What they wrote, e.g. `MC 000.00.04.H53-261202-0001`.
    text: String,
}

/// `POST /api/v1/integration/sms/inbound`: the SMS gateway delivers a message sent to the
/// lookup number (Điều 17.1.b), authenticated by its token (`Authorization: Bearer`); the
/// answer (the status, national status and appointment, or how to write a lookup) goes
/// back by SMS through the outbox, and is also returned here.
#[utoipa::path(post, path = "/api/v1/integration/sms/inbound", tag = "reports",
    summary = "An SMS lookup: `MC <dossier code>` answered by SMS",
    security(("bearer" = [])),
    request_body = InboundSms,
    responses((status = 202, body = crate::app::notifications::SmsReply),
              (status = 400, description = "invalid_body, invalid_phone, too_long", body = ErrorBody),
              (status = 401, body = ErrorBody),
              (status = 404, description = "sms_inbound_disabled", body = ErrorBody),
              (status = 429, description = "too_many_lookups", body = ErrorBody)))]
pub(crate) async fn sms_inbound(
    State(s): State<AppState>,
    headers: HeaderMap,
    b: Result<Json<serde_json::Value>, axum::extract::rejection::JsonRejection>,
) -> Result<
    (
        axum::http::StatusCode,
        Json<crate::app::notifications::SmsReply>,
    ),
    AppError,
> {
    // As the feed does: no credentials is 401 whether or not lookups are on.
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let unauthenticated =
        || AppError::with(Code::Unauthenticated, "Cần mã truy cập của cổng tin nhắn.");
    let Some(given) = given else {
        return Err(unauthenticated());
    };
    let expected = s
        .sms_inbound_token
        .as_deref()
        .ok_or_else(|| AppError::new(Code::SmsInboundDisabled))?;
    if !crate::session::same_secret(given, expected) {
        return Err(unauthenticated());
    }
    let m: InboundSms = crate::error::json_body(b, crate::limits::SMS_INBOUND)?;
    let reply = crate::app::notifications::sms_lookup(&s, &m.from, &m.text).await?;
    Ok((axum::http::StatusCode::ACCEPTED, Json(reply)))
}
