//! Monitoring for leaders and the service center: `/can-bo/theo-doi`, with the statistics
//! table drawn as a chart on the server and exported as CSV. The numbers come from
//! `app::monitoring`.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{Datelike, NaiveDate, TimeDelta};
use std::collections::HashMap;

use super::{Layout, Viewer, error_page, page_for, text};
use crate::app::reports::Period;
use crate::app::{AppError, Code, monitoring as uc};
use crate::{AppState, Tenant};

struct OverdueRow {
    id: String,
    code: String,
    procedure: String,
    applicant: String,
    agency: String,
    step: String,
    appointment: String,
}

#[derive(Template)]
#[template(path = "office_monitor.html")]
struct MonitorPage {
    layout: Layout,
    agency: String,
    agency_id: String,
    agency_count: usize,
    agencies: Vec<(String, String)>,
    from: String,
    to: String,
    from_vi: String,
    to_vi: String,
    presets: Vec<(String, String)>,
    /// The chart's legend: (label, colour).
    legend: &'static [(&'static str, &'static str)],
    judged_at: String,
    csv: String,
    /// The statistics as a workbook.
    xlsx: String,
    /// The register of the period (PDF).
    register: String,
    chart: String,
    by_state: Vec<(String, i64)>,
    /// (field, the eleven numbers), the total last.
    table: Vec<(String, Vec<i64>)>,
    overdue: Vec<OverdueRow>,
    limit: usize,
    /// (dossier id, code, what was asked, agencies silent, deadline).
    late: Vec<(String, String, String, String, String)>,
}

/// The bars of the chart: (label, colour) in the order drawn.
const SEGMENTS: [(&str, &str); 5] = [
    ("Trước hạn", "#1d6b2f"),
    ("Đúng hạn", "#0b4f8a"),
    ("Quá hạn", "#a50e0e"),
    ("Đang giải quyết trong hạn", "#8c8c8c"),
    ("Đang giải quyết quá hạn", "#8a4b00"),
];

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Horizontal stacked bars, one per field under its name: the resolved (early, on time,
/// late) and those in progress (within time, overdue), each with its number when it fits.
/// Narrow enough to stay readable on a phone; the legend is HTML, beside it.
pub(crate) fn chart_svg(rows: &[(String, [i64; 5])]) -> String {
    const BAR: i64 = 340;
    const ROW: i64 = 52;
    let width = BAR + 60;
    let height = ROW * rows.len().max(1) as i64 + 4;
    let max = rows
        .iter()
        .map(|(_, v)| v.iter().sum::<i64>())
        .max()
        .unwrap_or(0)
        .max(1);
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-labelledby=\"bieu-do-tieu-de\">\
         <title id=\"bieu-do-tieu-de\">Biểu đồ hồ sơ theo lĩnh vực và kết quả giải quyết</title>"
    );
    for (i, (name, values)) in rows.iter().enumerate() {
        let y = i as i64 * ROW;
        let short: String = name.chars().take(48).collect();
        let short = if name.chars().count() > 48 {
            format!("{short}…")
        } else {
            short
        };
        out += &format!(
            "<text x=\"0\" y=\"{}\" font-size=\"14\" fill=\"#1b1b1b\">{}</text>",
            y + 16,
            escape(&short)
        );
        let mut at = 0;
        for (k, v) in values.iter().enumerate() {
            if *v == 0 {
                continue;
            }
            let w = (v * BAR / max).max(3);
            out += &format!(
                "<rect x=\"{at}\" y=\"{}\" width=\"{w}\" height=\"24\" fill=\"{}\"><title>{}: {v}</title></rect>",
                y + 22,
                SEGMENTS[k].1,
                SEGMENTS[k].0
            );
            if w >= 26 {
                out += &format!(
                    "<text x=\"{}\" y=\"{}\" font-size=\"13\" fill=\"#ffffff\" text-anchor=\"middle\">{v}</text>",
                    at + w / 2,
                    y + 39
                );
            }
            at += w;
        }
        out += &format!(
            "<text x=\"{}\" y=\"{}\" font-size=\"14\" font-weight=\"700\" fill=\"#1b1b1b\">{}</text>",
            at + 6,
            y + 39,
            values.iter().sum::<i64>()
        );
    }
    out += "</svg>";
    out
}

fn date_vi(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// `GET /can-bo/theo-doi[?co-quan=&tu=&den=]`: the agency's monitoring (this month by
/// default).
pub(crate) async fn page(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let t = tenant.as_deref();
    let p = match super::office::signed_in(&app, t, &viewer, "/can-bo/theo-doi").await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let today = (app.now() + TimeDelta::hours(7)).date_naive();
    let month_start = today.with_day(1).unwrap_or(today);
    let from = q
        .get("tu")
        .filter(|s| !s.is_empty())
        .cloned()
        .unwrap_or_else(|| month_start.to_string());
    let to = q
        .get("den")
        .filter(|s| !s.is_empty())
        .cloned()
        .unwrap_or_else(|| today.to_string());
    let period = match Period::parse(&from, &to) {
        Ok(p) => p,
        Err(e) => return error_page(&app, t, &viewer, e).await,
    };
    let agency_id = super::admin::chosen_agency(q.get("co-quan"), &p, t);
    let m = match uc::monitor(&app, &p, &agency_id, period).await {
        Ok(m) => m,
        Err(e) => return error_page(&app, t, &viewer, e).await,
    };
    let config = match app.config().await {
        Ok(c) => c,
        Err(e) => return error_page(&app, t, &viewer, e).await,
    };
    let readable = match uc::agencies(&app, &p).await {
        Ok(a) => a,
        Err(e) => return error_page(&app, t, &viewer, e).await,
    };
    let name = |id: &str| super::office::agency_name(&config, id);
    let st = &m.report.statistics;
    let row = |f: &motcua_store::FieldStats| {
        vec![
            f.received(),
            f.carried_over,
            f.new_online,
            f.new_direct_or_post,
            f.resolved(),
            f.resolved_early,
            f.resolved_on_time,
            f.resolved_late,
            f.in_progress(),
            f.in_progress_within_time,
            f.in_progress_overdue,
        ]
    };
    let mut table: Vec<(String, Vec<i64>)> = st
        .by_field
        .iter()
        .map(|(k, v)| (k.clone(), row(v)))
        .collect();
    table.push(("Tổng cộng".into(), row(&st.total)));
    let bars: Vec<(String, [i64; 5])> = st
        .by_field
        .iter()
        .map(|(k, f)| {
            (
                k.clone(),
                [
                    f.resolved_early,
                    f.resolved_on_time,
                    f.resolved_late,
                    f.in_progress_within_time,
                    f.in_progress_overdue,
                ],
            )
        })
        .collect();
    let link = |a: NaiveDate, b: NaiveDate| {
        format!(
            "/can-bo/theo-doi?co-quan={}&tu={a}&den={b}",
            super::public::encode(&agency_id)
        )
    };
    let quarter_start = NaiveDate::from_ymd_opt(today.year(), (today.month0() / 3) * 3 + 1, 1)
        .unwrap_or(month_start);
    let year_start = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(month_start);
    let view = MonitorPage {
        layout: Layout::new(&app, t, "office", &viewer).await,
        agency: name(&agency_id),
        agency_count: m.agencies.len(),
        agencies: readable.iter().map(|a| (a.clone(), name(a))).collect(),
        from_vi: date_vi(period.from),
        to_vi: date_vi(period.to),
        presets: vec![
            ("Tháng này".into(), link(month_start, today)),
            ("Quý này".into(), link(quarter_start, today)),
            ("Năm nay".into(), link(year_start, today)),
        ],
        judged_at: text::instant(&st.judged_at.to_rfc3339()),
        csv: format!(
            "/can-bo/theo-doi/thong-ke.csv?co-quan={}&tu={}&den={}",
            super::public::encode(&agency_id),
            period.from,
            period.to
        ),
        xlsx: format!(
            "/can-bo/theo-doi/thong-ke.xlsx?co-quan={}&tu={}&den={}",
            super::public::encode(&agency_id),
            period.from,
            period.to
        ),
        register: format!(
            "/can-bo/theo-doi/so-theo-doi.pdf?co-quan={}&tu={}&den={}",
            super::public::encode(&agency_id),
            period.from,
            period.to
        ),
        chart: chart_svg(&bars),
        legend: &SEGMENTS,
        by_state: m
            .by_state
            .iter()
            .map(|(s, n)| (text::state(s), *n))
            .collect(),
        table,
        overdue: m
            .overdue
            .iter()
            .map(|d| OverdueRow {
                id: d.id.clone(),
                code: d.code.clone().unwrap_or_else(|| d.id.clone()),
                procedure: config
                    .newest_of(&d.procedure)
                    .map_or(d.procedure.clone(), |x| x.catalogue.name.clone()),
                applicant: d.applicant_name.clone(),
                agency: name(&d.agency),
                step: config
                    .newest_of(&d.procedure)
                    .and_then(|x| {
                        x.steps
                            .iter()
                            .find(|s| Some(&s.id) == d.step.as_ref())
                            .map(|s| s.name.clone())
                    })
                    .unwrap_or_else(|| text::state(&d.state)),
                appointment: d
                    .appointment
                    .map(|a| text::instant(&a.to_rfc3339()))
                    .unwrap_or_default(),
            })
            .collect(),
        limit: uc::LIST_LIMIT as usize,
        late: m
            .late_consultations
            .iter()
            .map(|c| {
                (
                    c.dossier_id.clone(),
                    c.code.clone().unwrap_or_else(|| c.dossier_id.clone()),
                    c.content.clone(),
                    c.silent
                        .iter()
                        .map(|a| name(a))
                        .collect::<Vec<_>>()
                        .join("; "),
                    text::instant(&c.deadline.to_rfc3339()),
                )
            })
            .collect(),
        agency_id,
        from: period.from.to_string(),
        to: period.to.to_string(),
    };
    page_for(&viewer, StatusCode::OK, &view)
}

/// What the monitoring page exports for its agency and period.
#[derive(Clone, Copy)]
enum Export {
    /// The statistics table as CSV (UTF-8 with a byte-order mark, the form's headers).
    Csv,
    /// The statistics as an Excel workbook, one sheet or one per agency below.
    Xlsx { per_agency: bool },
    /// The register of dossiers received, as PDF.
    Register,
}

/// An export of `/can-bo/theo-doi?co-quan=&tu=&den=`: the officer signed in, the period and
/// the agency read, the file made by the application layer, or the error page.
async fn export(
    app: AppState,
    tenant: Option<String>,
    viewer: Viewer,
    q: HashMap<String, String>,
    kind: Export,
) -> Response {
    let t = tenant.as_deref();
    let p = match super::office::signed_in(&app, t, &viewer, "/can-bo/theo-doi").await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let get = |k: &str| q.get(k).cloned().unwrap_or_default();
    let period = match Period::parse(&get("tu"), &get("den")) {
        Ok(p) => p,
        Err(e) => return error_page(&app, t, &viewer, e).await,
    };
    let agency = get("co-quan");
    if agency.is_empty() {
        return error_page(&app, t, &viewer, AppError::new(Code::MissingAgency)).await;
    }
    let made = match kind {
        Export::Csv => crate::app::reports::statistics(&app, &p, &agency, period)
            .await
            .map(|report| {
                crate::files::attachment(
                    "text/csv; charset=utf-8",
                    &format!("thong-ke-{agency}-{}-{}.csv", period.from, period.to),
                    crate::json::reports::statistics_csv(&report.statistics).into_bytes(),
                )
            }),
        Export::Xlsx { per_agency } => {
            crate::app::reports::statistics_xlsx(&app, &p, &agency, period, per_agency)
                .await
                .map(|(bytes, name)| crate::files::attachment(crate::files::XLSX, &name, bytes))
        }
        Export::Register => crate::app::forms::register(&app, &p, &agency, period)
            .await
            .map(|r| crate::files::download(&r.file_name, "application/pdf", r.pdf, true)),
    };
    match made {
        Ok(response) => response,
        Err(e) => error_page(&app, t, &viewer, e).await,
    }
}

/// `GET /can-bo/theo-doi/thong-ke.csv?co-quan=&tu=&den=`: the statistics table as CSV.
pub(crate) async fn csv(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    export(app, tenant, viewer, q, Export::Csv).await
}

/// `GET /can-bo/theo-doi/thong-ke.xlsx?co-quan=&tu=&den=[&theo=co-quan]`: the statistics as
/// an Excel workbook (one sheet per agency below with `theo=co-quan`).
pub(crate) async fn xlsx(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let per_agency = q.get("theo").is_some_and(|v| v == "co-quan");
    export(app, tenant, viewer, q, Export::Xlsx { per_agency }).await
}

/// `GET /can-bo/theo-doi/so-theo-doi.pdf?co-quan=&tu=&den=`: the agency's register of
/// dossiers received in the period, as PDF.
pub(crate) async fn register(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    export(app, tenant, viewer, q, Export::Register).await
}
