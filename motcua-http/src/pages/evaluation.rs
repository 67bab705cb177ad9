//! The scoring tool in the back office: `/can-bo/theo-doi/danh-gia`, each agency's nine
//! indicators over a period (this quarter by default) with how each was found, the service
//! center's form for what the system cannot know, and the workbook. The numbers come from
//! `app::evaluation`.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::{Datelike, NaiveDate, TimeDelta};
use std::collections::HashMap;

use super::accounts::forged;
use super::{Layout, Viewer, error_page, page_for, see_other, text};
use crate::app::drafts::Problem;
use crate::app::evaluation::{self as uc, EvaluationReport};
use crate::app::reports::Period;
use crate::app::{AppError, Code, Principal, policy};
use crate::{AppState, Tenant};
use motcua_core::evaluation::Inputs;

/// One agency's row of the summary table.
struct Row {
    id: String,
    name: String,
    dossiers: u64,
    /// Each indicator's points as shown: the self-assessment, and the appraisal after it.
    cells: Vec<(String, String)>,
    total: String,
    classification: String,
}

/// The chosen agency's indicators in full.
struct Detail {
    number: u8,
    name: String,
    points: String,
    appraised: String,
    basis: String,
}

#[derive(Template)]
#[template(path = "office_evaluation.html")]
struct EvaluationPage {
    layout: Layout,
    agency: String,
    agency_id: String,
    agencies: Vec<(String, String)>,
    from: String,
    to: String,
    from_vi: String,
    to_vi: String,
    presets: Vec<(String, String)>,
    notice: Option<String>,
    problems: Vec<Problem>,
    rows: Vec<Row>,
    details: Vec<Detail>,
    bands: String,
    xlsx: String,
    entered: Option<String>,
    /// Whether this officer may enter the service center's inputs.
    may_enter: bool,
    /// The form's values (as sent back after a problem, or as stored).
    publicity: String,
    complaints: String,
    appraised: Vec<(u8, String, String)>,
    note: String,
}

impl EvaluationPage {
    fn err(&self, field: &str) -> Option<&str> {
        super::submit::find(&self.problems, field)
    }
}

fn shown(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.2}").replace('.', ","))
        .unwrap_or_default()
}

fn date_vi(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

fn quarter_of(d: NaiveDate) -> (NaiveDate, NaiveDate) {
    let start = NaiveDate::from_ymd_opt(d.year(), d.month0() / 3 * 3 + 1, 1).unwrap_or(d);
    let next = start
        .checked_add_months(chrono::Months::new(3))
        .unwrap_or(start);
    (start, next.pred_opt().unwrap_or(next))
}

/// The form's values sent back after a problem.
struct Sent {
    publicity: String,
    complaints: String,
    appraised: HashMap<u8, String>,
    note: String,
}

impl Sent {
    fn of(inputs: &Inputs) -> Sent {
        Sent {
            publicity: inputs.publicity.map(|p| p.to_string()).unwrap_or_default(),
            complaints: inputs
                .attitude_complaints
                .map(|c| c.to_string())
                .unwrap_or_default(),
            appraised: inputs
                .appraised
                .iter()
                .map(|(k, v)| (*k, v.to_string()))
                .collect(),
            note: inputs.note.clone(),
        }
    }

    fn from_form(f: &HashMap<String, String>) -> Sent {
        let get = |k: &str| f.get(k).map(|s| s.trim().to_string()).unwrap_or_default();
        Sent {
            publicity: get("cong-khai"),
            complaints: get("phan-anh-thai-do"),
            appraised: (1..=9u8)
                .map(|i| (i, get(&format!("tham-dinh-{i}"))))
                .filter(|(_, v)| !v.is_empty())
                .collect(),
            note: get("ghi-chu"),
        }
    }

    /// The inputs, or the problems of each field.
    fn parse(&self) -> Result<Inputs, Vec<Problem>> {
        let mut problems = Vec::new();
        let points = |v: &str, field: &str, problems: &mut Vec<Problem>| -> Option<u8> {
            if v.is_empty() {
                return None;
            }
            match v.parse::<u8>() {
                Ok(p) if p <= 2 => Some(p),
                _ => {
                    problems.push(Problem {
                        field: field.to_string(),
                        message: "Chọn 0, 1 hoặc 2 điểm.".to_string(),
                    });
                    None
                }
            }
        };
        let publicity = points(&self.publicity, "cong-khai", &mut problems);
        let attitude_complaints = if self.complaints.is_empty() {
            None
        } else {
            match self.complaints.parse::<u32>() {
                Ok(n) => Some(n),
                Err(_) => {
                    problems.push(Problem {
                        field: "phan-anh-thai-do".to_string(),
                        message: "Số phản ánh về thái độ phải là số nguyên không âm.".to_string(),
                    });
                    None
                }
            }
        };
        let mut appraised = std::collections::BTreeMap::new();
        for (i, v) in &self.appraised {
            if let Some(p) = points(v, &format!("tham-dinh-{i}"), &mut problems) {
                appraised.insert(*i, p);
            }
        }
        if self.note.chars().count() > 2000 {
            problems.push(Problem {
                field: "ghi-chu".to_string(),
                message: "Ghi chú dài quá 2000 ký tự.".to_string(),
            });
        }
        if problems.is_empty() {
            Ok(Inputs {
                publicity,
                attitude_complaints,
                appraised,
                note: self.note.clone(),
            })
        } else {
            Err(problems)
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn render(
    app: &AppState,
    tenant: Option<&str>,
    viewer: &Viewer,
    p: &Principal,
    agency_id: String,
    period: Period,
    notice: Option<String>,
    problems: Vec<Problem>,
    sent: Option<Sent>,
) -> Response {
    let r: EvaluationReport = match uc::report(app, p, &agency_id, period).await {
        Ok(r) => r,
        Err(e) => return error_page(app, tenant, viewer, e).await,
    };
    let config = match app.config().await {
        Ok(c) => c,
        Err(e) => return error_page(app, tenant, viewer, e).await,
    };
    let readable = match crate::app::monitoring::agencies(app, p).await {
        Ok(a) => a,
        Err(e) => return error_page(app, tenant, viewer, e).await,
    };
    let name = |id: &str| super::office::agency_name(&config, id);
    let today = (app.now() + TimeDelta::hours(7)).date_naive();
    let (q_start, q_end) = quarter_of(today);
    let (lq_start, lq_end) = quarter_of(q_start.pred_opt().unwrap_or(q_start));
    let year = (
        NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today),
        NaiveDate::from_ymd_opt(today.year(), 12, 31).unwrap_or(today),
    );
    let link = |a: NaiveDate, b: NaiveDate| {
        format!(
            "/can-bo/theo-doi/danh-gia?co-quan={}&tu={a}&den={b}",
            super::public::encode(&agency_id)
        )
    };
    let top = r.agencies.first();
    let sent = sent.unwrap_or_else(|| Sent::of(top.map_or(&Inputs::default(), |a| &a.inputs)));
    let view = EvaluationPage {
        layout: Layout::new(app, tenant, "office", viewer).await,
        agency: name(&agency_id),
        agencies: readable.iter().map(|a| (a.clone(), name(a))).collect(),
        from: period.from.to_string(),
        to: period.to.to_string(),
        from_vi: date_vi(period.from),
        to_vi: date_vi(period.to),
        presets: vec![
            ("Quý này".into(), link(q_start, q_end)),
            ("Quý trước".into(), link(lq_start, lq_end)),
            ("Năm nay".into(), link(year.0, year.1)),
        ],
        notice,
        problems,
        rows: r
            .agencies
            .iter()
            .map(|a| Row {
                id: a.agency.clone(),
                name: a.name.clone(),
                dossiers: a.tally.dossiers,
                cells: a
                    .score
                    .indicators
                    .iter()
                    .map(|i| (shown(i.points), shown(i.appraised)))
                    .collect(),
                total: a
                    .score
                    .total
                    .map_or_else(|| "Chưa đủ".to_string(), |t| shown(Some(t))),
                classification: a.score.classification.clone().unwrap_or_else(|| {
                    format!(
                        "Thiếu chỉ số {}",
                        a.score
                            .missing
                            .iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                }),
            })
            .collect(),
        details: top
            .map(|a| {
                a.score
                    .indicators
                    .iter()
                    .map(|i| Detail {
                        number: i.number,
                        name: i.name.clone(),
                        points: shown(i.points),
                        appraised: shown(i.appraised),
                        basis: i.basis.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        bands: r
            .rules
            .bands
            .iter()
            .map(|b| {
                format!(
                    "{} ({} {} điểm)",
                    b.label,
                    if b.exclusive { "trên" } else { "từ" },
                    shown(Some(b.min))
                )
            })
            .collect::<Vec<_>>()
            .join("; "),
        xlsx: format!(
            "/can-bo/theo-doi/danh-gia.xlsx?co-quan={}&tu={}&den={}",
            super::public::encode(&agency_id),
            period.from,
            period.to
        ),
        entered: top.and_then(|a| {
            a.entered_by.as_ref().map(|by| {
                format!(
                    "Trung tâm đã nhập lúc {} (tài khoản {by}).",
                    a.entered_at
                        .map(|t| text::instant(&t.to_rfc3339()))
                        .unwrap_or_default()
                )
            })
        }),
        may_enter: policy::may_appraise(p, &agency_id, &config.directory),
        publicity: sent.publicity,
        complaints: sent.complaints,
        appraised: uc::names()
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let k = i as u8 + 1;
                (
                    k,
                    n.to_string(),
                    sent.appraised.get(&k).cloned().unwrap_or_default(),
                )
            })
            .collect(),
        note: sent.note,
        agency_id,
    };
    page_for(viewer, super::submit::status_of(&view.problems), &view)
}

fn period_of(q: &HashMap<String, String>, today: NaiveDate) -> Result<Period, AppError> {
    let (start, end) = quarter_of(today);
    let get = |k: &str, d: NaiveDate| {
        q.get(k)
            .filter(|s| !s.is_empty())
            .cloned()
            .unwrap_or_else(|| d.to_string())
    };
    Period::parse(&get("tu", start), &get("den", end))
}

/// The officer, the period (this quarter by default) and the agency a GET of the page or
/// its workbook asks for; or the answer to give instead.
async fn asked(
    app: &AppState,
    tenant: Option<&str>,
    viewer: &Viewer,
    q: &HashMap<String, String>,
) -> Result<(Principal, Period, String), Response> {
    let p = super::office::signed_in(app, tenant, viewer, "/can-bo/theo-doi/danh-gia").await?;
    let today = (app.now() + TimeDelta::hours(7)).date_naive();
    let period = match period_of(q, today) {
        Ok(period) => period,
        Err(e) => return Err(error_page(app, tenant, viewer, e).await),
    };
    let agency = super::admin::chosen_agency(q.get("co-quan"), &p, tenant);
    Ok((p, period, agency))
}

/// `GET /can-bo/theo-doi/danh-gia[?co-quan=&tu=&den=]`: the agency's evaluation (this
/// quarter by default) and those below it.
pub(crate) async fn page(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let t = tenant.as_deref();
    let (p, period, agency) = match asked(&app, t, &viewer, &q).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let notice = q
        .contains_key("da-luu")
        .then(|| "Đã lưu nội dung Trung tâm nhập cho kỳ này.".to_string());
    render(
        &app,
        t,
        &viewer,
        &p,
        agency,
        period,
        notice,
        Vec::new(),
        None,
    )
    .await
}

/// `POST /can-bo/theo-doi/danh-gia`: the service center's inputs for the agency and period.
pub(crate) async fn enter(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    axum::Form(f): axum::Form<HashMap<String, String>>,
) -> Response {
    let t = tenant.as_deref();
    let p = match super::office::signed_in(&app, t, &viewer, "/can-bo/theo-doi/danh-gia").await {
        Ok(p) => p,
        Err(r) => return r,
    };
    if !viewer.accepts(f.get("csrf").map(String::as_str)) {
        return error_page(&app, t, &viewer, forged()).await;
    }
    let today = (app.now() + TimeDelta::hours(7)).date_naive();
    let period = match period_of(&f, today) {
        Ok(p) => p,
        Err(e) => return error_page(&app, t, &viewer, e).await,
    };
    let agency = f.get("co-quan").cloned().unwrap_or_default();
    if agency.is_empty() {
        return error_page(&app, t, &viewer, AppError::new(Code::MissingAgency)).await;
    }
    let sent = Sent::from_form(&f);
    let inputs = match sent.parse() {
        Ok(i) => i,
        Err(problems) => {
            return render(
                &app,
                t,
                &viewer,
                &p,
                agency,
                period,
                None,
                problems,
                Some(sent),
            )
            .await;
        }
    };
    match uc::enter(&app, &p, &agency, period, inputs).await {
        Ok(()) => see_other(
            &format!(
                "/can-bo/theo-doi/danh-gia?co-quan={}&tu={}&den={}&da-luu=1",
                super::public::encode(&agency),
                period.from,
                period.to
            ),
            &[],
        ),
        Err(e) if e.code == Code::InvalidEvaluation => {
            let problems = vec![Problem {
                field: "cong-khai".to_string(),
                message: e.message,
            }];
            render(
                &app,
                t,
                &viewer,
                &p,
                agency,
                period,
                None,
                problems,
                Some(sent),
            )
            .await
        }
        Err(e) => error_page(&app, t, &viewer, e).await,
    }
}

/// `GET /can-bo/theo-doi/danh-gia.xlsx?co-quan=&tu=&den=`: the evaluation as a workbook.
pub(crate) async fn xlsx(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let t = tenant.as_deref();
    let (p, period, agency) = match asked(&app, t, &viewer, &q).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    match uc::report_xlsx(&app, &p, &agency, period).await {
        Ok((bytes, name)) => crate::files::attachment(crate::files::XLSX, &name, bytes),
        Err(e) => error_page(&app, t, &viewer, e).await,
    }
}
