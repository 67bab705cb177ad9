//! Reports: the section 9 statistics table for an agency and those below it, and the change
//! feed for the national public service portal.

use chrono::{DateTime, NaiveDate, Utc};
use motcua_core::calendar::vn_offset;
use motcua_store::{COLUMNS, Column, Statistics};
use serde::Serialize;

use super::{AppError, Code, Principal, policy};
use crate::AppState;

/// A period of whole local days, both included.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Period {
    /// The first day.
    pub from: NaiveDate,
    /// The last day.
    pub to: NaiveDate,
}

impl Period {
    /// Reads `from` and `to` (`YYYY-MM-DD`).
    pub fn parse(from: &str, to: &str) -> Result<Period, AppError> {
        let date = |t: &str| {
            NaiveDate::parse_from_str(t, "%Y-%m-%d").map_err(|_| AppError::new(Code::InvalidDate))
        };
        let p = Period {
            from: date(from)?,
            to: date(to)?,
        };
        if p.to < p.from {
            return Err(AppError::new(Code::InvalidPeriod));
        }
        Ok(p)
    }

    fn day_start(d: NaiveDate) -> Result<DateTime<Utc>, AppError> {
        d.and_hms_opt(0, 0, 0)
            .and_then(|t| t.and_local_timezone(vn_offset()).single())
            .map(|t| t.to_utc())
            .ok_or_else(|| AppError::new(Code::InvalidDate))
    }

    /// The instants it covers: from the first day's midnight to the midnight after the last.
    pub fn instants(&self) -> Result<(DateTime<Utc>, DateTime<Utc>), AppError> {
        let after = self
            .to
            .succ_opt()
            .ok_or_else(|| AppError::new(Code::InvalidDate))?;
        Ok((Period::day_start(self.from)?, Period::day_start(after)?))
    }
}

/// The statistics table with its period and the definition of every column.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Report {
    /// The table.
    #[serde(flatten)]
    pub statistics: Statistics,
    /// The period.
    pub period: Period,
    /// What each column counts.
    pub columns: &'static [Column],
}

/// The table for `agency` (the site's when absent) and those below it, for those who may
/// read its reports.
pub async fn statistics(
    app: &AppState,
    p: &Principal,
    agency: &str,
    period: Period,
) -> Result<Report, AppError> {
    let config = app.config().await?;
    if !policy::may_read_agency(p, agency, &config.directory) {
        return Err(AppError::new(Code::Forbidden));
    }
    let (from, to) = period.instants()?;
    let statistics = app.store.statistics(agency, from, to, app.now()).await?;
    Ok(Report {
        statistics,
        period,
        columns: COLUMNS,
    })
}

/// The statistics as an Excel workbook: the agency with those below it on the first sheet,
/// and with `per_agency` one sheet for each agency below it (each with its own subtree).
pub async fn statistics_xlsx(
    app: &AppState,
    p: &Principal,
    agency: &str,
    period: Period,
    per_agency: bool,
) -> Result<(Vec<u8>, String), AppError> {
    let config = app.config().await?;
    if !policy::may_read_agency(p, agency, &config.directory) {
        return Err(AppError::new(Code::Forbidden));
    }
    let name = |a: &str| {
        config
            .directory
            .get(a)
            .map_or(a.to_string(), |x| x.name.clone())
    };
    let (from, to) = period.instants()?;
    let now = app.now();
    let mut sheets = vec![(
        name(agency),
        app.store.statistics(agency, from, to, now).await?,
    )];
    if per_agency {
        for a in config.directory.all() {
            if a.id != agency && config.directory.is_within(&a.id, agency) {
                sheets.push((
                    a.name.clone(),
                    app.store.statistics(&a.id, from, to, now).await?,
                ));
            }
        }
    }
    let label = format!(
        "Kỳ báo cáo: từ ngày {} đến ngày {}",
        period.from.format("%d/%m/%Y"),
        period.to.format("%d/%m/%Y")
    );
    let bytes = super::spreadsheet::statistics_workbook(&sheets, &label)?;
    Ok((
        bytes,
        format!("thong-ke-{agency}-{}-{}.xlsx", period.from, period.to),
    ))
}

/// One change for the national portal, identifying the dossier before it has a code.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct FeedItem {
    /// Pass the last one back to continue.
    pub cursor: i64,
    /// The dossier's identifier (always present).
    pub dossier_id: String,
    /// Its code, once accepted.
    pub dossier_code: Option<String>,
    /// The agency.
    pub agency: String,
    /// The procedure's code.
    pub procedure: String,
    /// National status after the change.
    pub status: i64,
    /// `yyyyMMddHHmmss`, local time.
    pub time: String,
    /// What happened (the event's type).
    pub event: Option<String>,
}

/// Changes after a cursor, at most 500, and the cursor to continue from.
pub async fn feed(app: &AppState, cursor: i64) -> Result<(Vec<FeedItem>, i64), AppError> {
    let items = app.store.feed(cursor, 500).await?;
    let next = items.last().map_or(cursor, |i| i.cursor);
    let list = items
        .into_iter()
        .map(|i| FeedItem {
            cursor: i.cursor,
            dossier_id: i.dossier_id,
            dossier_code: i.code,
            agency: i.agency,
            procedure: i.procedure,
            status: i.national_status,
            time: i
                .event
                .at
                .with_timezone(&vn_offset())
                .format("%Y%m%d%H%M%S")
                .to_string(),
            event: serde_json::to_value(&i.event.event)
                .ok()
                .and_then(|v| v.get("type").and_then(|t| t.as_str().map(str::to_string))),
        })
        .collect();
    Ok((list, next))
}
