//! The working calendar of the deployment, as system administrators keep it: a year with
//! every day off and make-up working day and its source; a proposed year confirmed against
//! the government's announcement (after seeing how the two differ); local days off and
//! make-up days with their source; the weekly working windows and seasons.
//!
//! The deployment's calendar serves every agency; an agency may lay its own days, windows
//! and seasons over it (for itself and the agencies below it). Each change is stored as a
//! pending version: nothing changes until an administrator has previewed it and applied it
//! ([`super::reprojection`]), which brings it into force for new deadlines and for the
//! dossiers in flight at one instant.

use chrono::{Datelike, NaiveDate};
use motcua_core::calendar::{
    CalendarSpec, DEFAULT_YEARS, DayInfo, Exception, ExceptionKind, Layer, MonthDay, Period,
    Season, WeeklySchedule, WorkingCalendar, default_windows, parse_windows,
};

use super::config::{CALENDAR, CONFIRMED_YEARS, ConfirmedYear, agency_layer, holidays_with};
use super::drafts::{Problem, Refused};
use super::{AppError, Code, Principal};
use crate::AppState;

/// The name of the layer that holds the deployment's own days and windows.
pub const LOCAL_LAYER: &str = "Địa phương";

/// Whether the principal keeps the calendar: a system administrator.
pub fn may_manage(p: &Principal) -> bool {
    super::procedures::may_publish(p)
}

fn forbidden() -> AppError {
    AppError::forbidden("Chỉ quản trị hệ thống được thay đổi lịch làm việc.")
}

fn problem(field: &str, message: impl Into<String>) -> Problem {
    Problem {
        field: field.into(),
        message: message.into(),
    }
}

/// One year of the calendar as the page shows it.
pub struct YearView {
    pub year: i32,
    /// The announcement, when the year's national holidays were announced or confirmed.
    pub announced: Option<String>,
    /// Who confirmed it in this deployment, and when, if it was confirmed here.
    pub confirmed_here: Option<(String, String)>,
    pub days_off: Vec<DayInfo>,
    pub working_days: Vec<DayInfo>,
    pub working_day_count: u32,
    pub working_hours: i64,
    /// The calendar's version (`national@2;confirmed-years@1;agency:…@3`).
    pub version: String,
    /// The agency whose calendar this is (`None`: the deployment's).
    pub agency: Option<String>,
    /// The calendars with a version waiting to be applied, by name.
    pub pending: Vec<String>,
    /// The windows of each weekday, e.g. `Thứ Hai: 07:00-11:30, 13:30-17:00`.
    pub week: Vec<(String, String)>,
    /// The seasons: (name, period, windows).
    pub seasons: Vec<(String, String, String)>,
    /// The local exceptions of the year (removable).
    pub local: Vec<Exception>,
}

fn windows_text(w: &[motcua_core::calendar::Window]) -> String {
    if w.is_empty() {
        return "nghỉ".into();
    }
    w.iter()
        .map(|w| w.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn effective_week(spec: &CalendarSpec) -> WeeklySchedule {
    spec.layers
        .iter()
        .rev()
        .find_map(|l| l.schedule.clone())
        .unwrap_or_default()
}

/// The stored specification, or the server's default one.
fn spec_of(config: &super::config::Config) -> CalendarSpec {
    config
        .calendar_spec
        .as_ref()
        .map(|(_, s)| s.clone())
        .unwrap_or_else(|| CalendarSpec::national(default_windows()))
}

fn local_layer(spec: &mut CalendarSpec) -> &mut Layer {
    if !spec.layers.iter().any(|l| l.name == LOCAL_LAYER) {
        spec.layers.push(Layer {
            name: LOCAL_LAYER.into(),
            schedule: None,
            seasons: Vec::new(),
            national_holidays: false,
            exceptions: Vec::new(),
        });
    }
    spec.layers
        .iter_mut()
        .find(|l| l.name == LOCAL_LAYER)
        .expect("just added")
}

/// A year of the calendar in force, the deployment's or `agency`'s (anyone may read it; the
/// page is for administrators).
pub async fn year(app: &AppState, year: i32, agency: Option<&str>) -> Result<YearView, AppError> {
    if !(2000..=2199).contains(&year) {
        return Err(AppError::new(Code::YearOutOfRange));
    }
    let config = app.config().await?;
    let calendar = match agency {
        Some(a) if config.directory.get(a).is_some() => config.calendar_for(a)?,
        Some(_) => return Err(AppError::new(Code::UnknownAgency)),
        None => config.calendar.clone(),
    };
    let report = calendar
        .year_report(year)
        .map_err(|_| AppError::new(Code::YearOutOfRange))?;
    let mut spec = spec_of(&config);
    if let Some(a) = agency {
        for up in config.directory.chain(a) {
            if let Some((_, layer)) = config.calendars.layers.get(&up.id) {
                spec.layers.push(layer.clone());
            }
        }
    }
    let own = agency.map(|a| {
        config
            .calendars
            .layers
            .get(a)
            .map(|(_, l)| l.name.clone())
            .unwrap_or_default()
    });
    let pending = app
        .store
        .pending_calendars()
        .await?
        .into_iter()
        .map(|(name, ..)| name)
        .collect();
    let week = effective_week(&spec);
    let names = [
        ("Thứ Hai", &week.monday),
        ("Thứ Ba", &week.tuesday),
        ("Thứ Tư", &week.wednesday),
        ("Thứ Năm", &week.thursday),
        ("Thứ Sáu", &week.friday),
        ("Thứ Bảy", &week.saturday),
        ("Chủ nhật", &week.sunday),
    ];
    let seasons = spec
        .layers
        .iter()
        .flat_map(|l| l.seasons.iter())
        .map(|s| {
            let period = match &s.period {
                Period::Annual { from, to } => format!(
                    "hằng năm từ {:02}/{:02} đến {:02}/{:02}",
                    from.day, from.month, to.day, to.month
                ),
                Period::Dates { from, to } => format!(
                    "từ {} đến {}",
                    from.format("%d/%m/%Y"),
                    to.format("%d/%m/%Y")
                ),
            };
            (
                s.name.clone(),
                period,
                windows_text(s.schedule.standard_day()),
            )
        })
        .collect();
    // The days this page removes: the deployment's own, or the agency's own.
    let local = spec
        .layers
        .iter()
        .filter(|l| match &own {
            Some(name) => &l.name == name,
            None => l.name == LOCAL_LAYER,
        })
        .flat_map(|l| l.exceptions.iter())
        .filter(|e| e.date.year() == year)
        .cloned()
        .collect();
    let confirmed_here = config
        .confirmed_years
        .1
        .iter()
        .find(|y| y.year == year)
        .map(|y| (y.confirmed_by.clone(), y.confirmed_at.clone()));
    Ok(YearView {
        year,
        announced: match &report.status {
            motcua_core::calendar::YearStatus::Confirmed { announced } => Some(announced.clone()),
            motcua_core::calendar::YearStatus::Proposed => None,
        },
        confirmed_here,
        days_off: report.days_off,
        working_days: report.working_days,
        working_day_count: report.working_day_count,
        working_hours: report.working_time.secs() / 3600,
        version: calendar.version().unwrap_or_default().to_string(),
        agency: agency.map(str::to_string),
        pending,
        week: names
            .iter()
            .map(|(n, w)| (n.to_string(), windows_text(w)))
            .collect(),
        seasons,
        local,
    })
}

/// The national days of a year as the calendar now has them (announced or proposed), one
/// per line in the form the confirmation reads: `2027-02-05; nghỉ; Tết Nguyên đán …`.
pub async fn national_days_text(app: &AppState, year: i32) -> Result<String, AppError> {
    let config = app.config().await?;
    let y = config
        .holidays
        .year(year)
        .map_err(|_| AppError::new(Code::YearOutOfRange))?;
    Ok(y.days.iter().map(line_of).collect::<Vec<_>>().join("\n"))
}

fn line_of(e: &Exception) -> String {
    let kind = match e.kind {
        ExceptionKind::DayOff => "nghỉ",
        ExceptionKind::WorkingDay { .. } => "làm bù",
    };
    format!("{}; {kind}; {}", e.date, e.name)
}

/// How an announcement differs from what the calendar had for the year.
#[derive(Debug, Default)]
pub struct Difference {
    /// Days in the announcement only.
    pub added: Vec<Exception>,
    /// Days in the calendar only.
    pub removed: Vec<Exception>,
    /// Days in both whose kind differs.
    pub changed: Vec<(Exception, Exception)>,
    /// Days in both, the same.
    pub same: usize,
}

/// Reads the lines of an announcement: `YYYY-MM-DD; nghỉ|làm bù; tên[; nguồn]`; the source
/// defaults to the announcement.
fn parse_days(year: i32, text: &str, announced: &str) -> Result<Vec<Exception>, Vec<Problem>> {
    let mut days: Vec<Exception> = Vec::new();
    let mut problems = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        let at = |m: String| problem("ngay", format!("Dòng {}: {m}", n + 1));
        let parts: Vec<&str> = line.split(';').map(str::trim).collect();
        if parts.len() < 3 {
            problems.push(at(
                "cần dạng “2027-02-05; nghỉ; Tết Nguyên đán” (ngày; nghỉ hoặc làm bù; tên).".into(),
            ));
            continue;
        }
        let Ok(date) = NaiveDate::parse_from_str(parts[0], "%Y-%m-%d") else {
            problems.push(at(format!(
                "“{}” không phải ngày dạng YYYY-MM-DD.",
                parts[0]
            )));
            continue;
        };
        if date.year() != year {
            problems.push(at(format!("ngày {date} không thuộc năm {year}.")));
            continue;
        }
        let kind = match parts[1].to_lowercase().as_str() {
            "nghỉ" | "nghi" => ExceptionKind::DayOff,
            "làm bù" | "lam bu" | "làm" | "lam" => ExceptionKind::WorkingDay { windows: None },
            other => {
                problems.push(at(format!("“{other}” phải là “nghỉ” hoặc “làm bù”.")));
                continue;
            }
        };
        if parts[2].is_empty() {
            problems.push(at("cần tên của ngày (ví dụ Tết Nguyên đán).".into()));
            continue;
        }
        if days.iter().any(|d| d.date == date) {
            problems.push(at(format!("ngày {date} đã có ở dòng trước.")));
            continue;
        }
        let source = parts
            .get(3)
            .filter(|s| !s.is_empty())
            .map_or_else(|| announced.to_string(), |s| s.to_string());
        days.push(Exception {
            date,
            kind,
            name: parts[2].to_string(),
            source,
        });
    }
    if days.is_empty() && problems.is_empty() {
        problems.push(problem(
            "ngay",
            "Cần ít nhất một ngày nghỉ của năm theo thông báo.",
        ));
    }
    if problems.is_empty() {
        days.sort_by_key(|d| d.date);
        Ok(days)
    } else {
        Err(problems)
    }
}

/// Checks an announcement of `year` and compares it with what the calendar has; nothing is
/// stored.
pub async fn compare(
    app: &AppState,
    p: &Principal,
    year: i32,
    announced: &str,
    text: &str,
) -> Result<(Vec<Exception>, Difference), Refused> {
    if !may_manage(p) {
        return Err(forbidden().into());
    }
    if !(2000..=2199).contains(&year) {
        return Err(AppError::new(Code::YearOutOfRange).into());
    }
    let announced = announced.trim();
    let mut problems = Vec::new();
    if announced.is_empty() {
        problems.push(problem(
            "thong-bao",
            "Cần nêu văn bản công bố (ví dụ Thông báo số …/TB-BNV của Bộ Nội vụ).",
        ));
    }
    let days = match parse_days(year, text, announced) {
        Ok(d) => d,
        Err(mut more) => {
            problems.append(&mut more);
            Vec::new()
        }
    };
    if !problems.is_empty() {
        return Err(Refused::Fields(problems));
    }
    let config = app.config().await?;
    let had = config
        .holidays
        .year(year)
        .map_err(|_| AppError::new(Code::YearOutOfRange))?
        .days;
    let mut diff = Difference::default();
    for d in &days {
        match had.iter().find(|h| h.date == d.date) {
            None => diff.added.push(d.clone()),
            Some(h) if h.kind != d.kind => diff.changed.push((h.clone(), d.clone())),
            Some(_) => diff.same += 1,
        }
    }
    diff.removed = had
        .iter()
        .filter(|h| !days.iter().any(|d| d.date == h.date))
        .cloned()
        .collect();
    Ok((days, diff))
}

/// Confirms `year` as announced: its national days become the lines given (checked as in
/// [`compare`]). Deadlines computed from now on use them.
pub async fn confirm(
    app: &AppState,
    p: &Principal,
    year: i32,
    announced: &str,
    text: &str,
) -> Result<Difference, Refused> {
    let (days, diff) = compare(app, p, year, announced, text).await?;
    let config = app.config().await?;
    // Over the latest list, pending or in force, so that several years can wait together.
    let latest: Vec<ConfirmedYear> = match latest(app, CONFIRMED_YEARS).await? {
        Some(json) => serde_json::from_str(&json)
            .map_err(|e| AppError::from(motcua_store::StoreError::Config(e.to_string())))?,
        None => config.confirmed_years.1.clone(),
    };
    let mut years: Vec<ConfirmedYear> = latest.into_iter().filter(|y| y.year != year).collect();
    years.push(ConfirmedYear {
        year,
        announced: announced.trim().to_string(),
        confirmed_by: p.user.id.clone(),
        confirmed_at: app.now().to_rfc3339(),
        days,
    });
    years.sort_by_key(|y| y.year);
    // The whole calendar must still compile with it.
    let holidays = holidays_with(&years).map_err(AppError::from)?;
    WorkingCalendar::compile(&spec_of(&config), &holidays, DEFAULT_YEARS).map_err(|e| {
        Refused::Fields(vec![problem(
            "ngay",
            format!("Lịch không dựng được với các ngày này: {e}"),
        )])
    })?;
    let json = serde_json::to_string(&years)
        .map_err(|e| AppError::from(motcua_store::StoreError::Config(e.to_string())))?;
    app.store.propose_calendar(CONFIRMED_YEARS, &json).await?;
    app.config_changed().await?;
    Ok(diff)
}

/// The latest version of a stored calendar, pending or in force: its JSON.
async fn latest(app: &AppState, name: &str) -> Result<Option<String>, AppError> {
    if let Some((.., json, _)) = app
        .store
        .pending_calendars()
        .await?
        .into_iter()
        .find(|(n, ..)| n == name)
    {
        return Ok(Some(json));
    }
    match app.store.calendar(name).await {
        Ok((_, json)) => Ok(Some(json)),
        Err(motcua_store::StoreError::NotFound(_)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Changes the days, windows or seasons of the deployment's own layer (`agency` = `None`) or
/// of an agency's, over the latest version (pending or in force), checks that the calendar
/// still compiles, and stores the result as pending.
async fn edit_layer(
    app: &AppState,
    agency: Option<&str>,
    field: &str,
    change: impl FnOnce(&mut Layer) -> Result<(), Refused>,
) -> Result<(), Refused> {
    let config = app.config().await?;
    let refused = |e: String| {
        Refused::Fields(vec![problem(
            field,
            format!("Lịch không dựng được với thay đổi này: {e}"),
        )])
    };
    let json_error =
        |e: serde_json::Error| AppError::from(motcua_store::StoreError::Config(e.to_string()));
    match agency {
        None => {
            let mut spec: CalendarSpec = match latest(app, CALENDAR).await? {
                Some(json) => serde_json::from_str(&json).map_err(json_error)?,
                None => spec_of(&config),
            };
            change(local_layer(&mut spec))?;
            WorkingCalendar::compile(&spec, &config.holidays, DEFAULT_YEARS)
                .map_err(|e| refused(e.to_string()))?;
            let json = serde_json::to_string(&spec).map_err(json_error)?;
            app.store.propose_calendar(CALENDAR, &json).await?;
        }
        Some(a) => {
            let Some(found) = config.directory.get(a) else {
                return Err(AppError::new(Code::UnknownAgency).into());
            };
            let name = agency_layer(a);
            let mut layer: Layer = match latest(app, &name).await? {
                Some(json) => serde_json::from_str(&json).map_err(json_error)?,
                None => Layer {
                    name: found.name.clone(),
                    schedule: None,
                    seasons: Vec::new(),
                    national_holidays: false,
                    exceptions: Vec::new(),
                },
            };
            change(&mut layer)?;
            let mut set = config.calendars.clone();
            set.layers.insert(a.to_string(), (0, layer.clone()));
            set.compile(&config.directory, a)
                .map_err(|e| refused(e.to_string()))?;
            let json = serde_json::to_string(&layer).map_err(json_error)?;
            app.store.propose_calendar(&name, &json).await?;
        }
    }
    app.config_changed().await?;
    Ok(())
}

/// Adds a local day off or make-up working day with its source (replacing one of the same
/// date); `kind` is `nghi` or `lam-bu`.
pub async fn add_day(
    app: &AppState,
    p: &Principal,
    agency: Option<&str>,
    date: &str,
    kind: &str,
    name: &str,
    source: &str,
) -> Result<NaiveDate, Refused> {
    if !may_manage(p) {
        return Err(forbidden().into());
    }
    let mut problems = Vec::new();
    let date = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d")
        .ok()
        .filter(|d| (2000..=2199).contains(&d.year()));
    if date.is_none() {
        problems.push(problem("ngay-rieng", "Chọn ngày (dạng YYYY-MM-DD)."));
    }
    let kind = match kind {
        "nghi" => Some(ExceptionKind::DayOff),
        "lam-bu" => Some(ExceptionKind::WorkingDay { windows: None }),
        _ => {
            problems.push(problem("loai-nghi", "Chọn ngày nghỉ hoặc ngày làm bù."));
            None
        }
    };
    if name.trim().is_empty() {
        problems.push(problem(
            "ten-ngay",
            "Cần tên của ngày (ví dụ Lễ hội Oóc Om Bóc).",
        ));
    }
    if source.trim().is_empty() {
        problems.push(problem(
            "nguon",
            "Cần nêu văn bản quyết định (số, ngày, cơ quan ban hành).",
        ));
    }
    let (Some(date), Some(kind), true) = (date, kind, problems.is_empty()) else {
        return Err(Refused::Fields(problems));
    };
    edit_layer(app, agency, "ngay-rieng", |layer| {
        layer.exceptions.retain(|e| e.date != date);
        layer.exceptions.push(Exception {
            date,
            kind,
            name: name.trim().to_string(),
            source: source.trim().to_string(),
        });
        layer.exceptions.sort_by_key(|e| e.date);
        Ok(())
    })
    .await?;
    Ok(date)
}

/// Removes a local day (one added here; national days are changed by confirming the year).
pub async fn remove_day(
    app: &AppState,
    p: &Principal,
    agency: Option<&str>,
    date: &str,
) -> Result<(), Refused> {
    if !may_manage(p) {
        return Err(forbidden().into());
    }
    let date = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d")
        .map_err(|_| AppError::new(Code::InvalidDate))?;
    edit_layer(app, agency, "ngay-rieng", |layer| {
        let before = layer.exceptions.len();
        layer.exceptions.retain(|e| e.date != date);
        if layer.exceptions.len() == before {
            return Err(AppError::not_found("Không có ngày riêng này trong lịch.").into());
        }
        Ok(())
    })
    .await
}

/// Sets the working windows of Monday to Friday (e.g. `07:00-11:30, 13:30-17:00`); from a
/// date when `from` is given (a season from that date on), else for every date.
pub async fn set_windows(
    app: &AppState,
    p: &Principal,
    agency: Option<&str>,
    text: &str,
    from: Option<NaiveDate>,
) -> Result<(), Refused> {
    if !may_manage(p) {
        return Err(forbidden().into());
    }
    let windows = parse_windows(text).map_err(|_| {
        Refused::Fields(vec![problem(
            "gio-lam",
            "Giờ làm việc có dạng 07:00-11:30, 13:30-17:00: các khoảng theo thứ tự, không chồng nhau.",
        )])
    })?;
    if windows.is_empty() {
        return Err(Refused::Fields(vec![problem(
            "gio-lam",
            "Cần ít nhất một khoảng giờ làm việc.",
        )]));
    }
    edit_layer(app, agency, "gio-lam", |layer| {
        let week = WeeklySchedule::office_week(windows);
        match from {
            None => layer.schedule = Some(week),
            Some(from) => {
                let name = format!("Giờ làm việc từ {}", from.format("%d/%m/%Y"));
                layer.seasons.retain(|s| s.name != name);
                layer.seasons.insert(
                    0,
                    Season {
                        name,
                        period: Period::Dates {
                            from,
                            to: NaiveDate::from_ymd_opt(2199, 12, 31).unwrap_or(from),
                        },
                        schedule: week,
                    },
                );
            }
        }
        Ok(())
    })
    .await
}

fn month_day(s: &str) -> Option<MonthDay> {
    let (d, m) = s.trim().split_once('/')?;
    let (day, month) = (d.trim().parse().ok()?, m.trim().parse().ok()?);
    NaiveDate::from_ymd_opt(2024, month, day).map(|_| MonthDay { month, day })
}

/// Adds a season: Monday-to-Friday windows every year between two days (`dd/mm`), e.g.
/// winter hours; one of the same name is replaced.
pub async fn add_season(
    app: &AppState,
    p: &Principal,
    agency: Option<&str>,
    name: &str,
    from: &str,
    to: &str,
    windows: &str,
) -> Result<(), Refused> {
    if !may_manage(p) {
        return Err(forbidden().into());
    }
    let mut problems = Vec::new();
    if name.trim().is_empty() {
        problems.push(problem("ten-mua", "Cần tên (ví dụ Giờ làm việc mùa đông)."));
    }
    let (from, to) = (month_day(from), month_day(to));
    if from.is_none() {
        problems.push(problem(
            "tu-ngay",
            "Ngày bắt đầu có dạng ngày/tháng, ví dụ 01/10.",
        ));
    }
    if to.is_none() {
        problems.push(problem(
            "den-ngay",
            "Ngày kết thúc có dạng ngày/tháng, ví dụ 31/03.",
        ));
    }
    let windows = match parse_windows(windows) {
        Ok(w) if !w.is_empty() => Some(w),
        _ => {
            problems.push(problem(
                "gio-mua",
                "Giờ làm việc có dạng 07:30-11:30, 13:00-17:00.",
            ));
            None
        }
    };
    let (Some(from), Some(to), Some(windows), true) = (from, to, windows, problems.is_empty())
    else {
        return Err(Refused::Fields(problems));
    };
    let name = name.trim().to_string();
    edit_layer(app, agency, "ten-mua", |layer| {
        layer.seasons.retain(|s| s.name != name);
        layer.seasons.push(Season {
            name,
            period: Period::Annual { from, to },
            schedule: WeeklySchedule::office_week(windows),
        });
        Ok(())
    })
    .await
}
