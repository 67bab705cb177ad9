//! The compiled calendar: cumulative working seconds per day, answering deadline questions
//! with binary searches.
//!
//! For each local day `i` of the compiled range we keep `cum[i]`, the working seconds from the
//! start of the range to the start of day `i`, and the index of that day's window pattern.
//! The working position of an instant is `cum[day] + worked-so-far-that-day`; a due instant
//! is found by a binary search for the first day whose cumulative total reaches the target,
//! then a walk over that day's few windows. Nothing walks day by day and nothing has an
//! iteration cap: the only limit is the compiled range, reported as an error when crossed.

use chrono::{
    DateTime, Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Timelike, Utc,
    Weekday,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::ops::RangeInclusive;

use super::duration::{Duration, WorkingTime};
use super::holidays::{NationalHolidays, YearStatus};
use super::model::{CalendarSpec, Exception, ExceptionKind, WeeklySchedule, Window};
use super::{CalendarError, VN_OFFSET_SECS, lunar};

/// Whether something finished early, on time or late against its due instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Timeliness {
    /// Finished on a local date before the due date.
    Early,
    /// Finished on the due date, not after the due instant.
    OnTime,
    /// Finished after the due instant.
    Late,
}

impl Timeliness {
    /// Classifies `finished` against `due` (DOMAIN.md section 5).
    pub fn classify(finished: DateTime<Utc>, due: DateTime<Utc>) -> Timeliness {
        if finished > due {
            Timeliness::Late
        } else if local_date(finished) < local_date(due) {
            Timeliness::Early
        } else {
            Timeliness::OnTime
        }
    }

    /// The Vietnamese words used on the process-control slip.
    pub fn label_vi(self) -> &'static str {
        match self {
            Timeliness::Early => "trước hạn",
            Timeliness::OnTime => "đúng hạn",
            Timeliness::Late => "quá hạn",
        }
    }
}

fn local(instant: DateTime<Utc>) -> NaiveDateTime {
    instant.naive_utc() + TimeDelta::seconds(i64::from(VN_OFFSET_SECS))
}

fn local_date(instant: DateTime<Utc>) -> NaiveDate {
    local(instant).date()
}

fn from_local(local: NaiveDateTime) -> DateTime<Utc> {
    (local - TimeDelta::seconds(i64::from(VN_OFFSET_SECS))).and_utc()
}

/// A dated exception as it was resolved in the compiled calendar, with who set it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DayInfo {
    /// The exception itself (date, kind, name, source).
    #[serde(flatten)]
    pub exception: Exception,
    /// The layer it came from (e.g. "Quốc gia").
    pub layer: String,
    /// True when it comes from a rule-based proposal rather than an announcement.
    pub proposed: bool,
}

/// Why a day has no working time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "kebab-case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum DayReason {
    /// The weekly schedule has no windows that weekday (normally Saturday and Sunday).
    WeeklyRest {
        /// The weekday.
        weekday: String,
    },
    /// A dated exception: holiday, compensatory day or swapped day.
    DayOff(DayInfo),
}

/// A year as `motcua calendar show` presents it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct YearReport {
    /// The solar year.
    pub year: i32,
    /// Whether the national holidays of the year were announced.
    pub status: YearStatus,
    /// Exceptions that make a day non-working (including holidays falling on a weekend).
    pub days_off: Vec<DayInfo>,
    /// Make-up working days.
    pub working_days: Vec<DayInfo>,
    /// Number of days with working time.
    pub working_day_count: u32,
    /// Total working time of the year.
    pub working_time: WorkingTime,
}

/// A day's windows as seconds after local midnight, and their total.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Pattern {
    windows: Vec<(u32, u32)>,
    total: i64,
}

/// A calendar compiled for a range of years; cheap to query, immutable, `Send + Sync`.
#[derive(Clone, Debug)]
pub struct WorkingCalendar {
    base: NaiveDate,
    /// `cum[i]` = working seconds before day `i`; one longer than the number of days.
    cum: Vec<i64>,
    day_pattern: Vec<u16>,
    patterns: Vec<Pattern>,
    info: BTreeMap<NaiveDate, DayInfo>,
    years: BTreeMap<i32, YearStatus>,
    roll_calendar_days: bool,
    /// Which stored calendar this was compiled from, as the layer above names it (e.g.
    /// `calendar@3;agency:000.20.31.H53@2`); recorded with every instant computed with it.
    version: Option<String>,
}

/// Years compiled by [`WorkingCalendar::national`].
pub const DEFAULT_YEARS: RangeInclusive<i32> = 1970..=2199;

impl WorkingCalendar {
    /// The same calendar, labelled with the stored version it was compiled from. Events
    /// record the label with every instant computed with the calendar, so that a later change
    /// of calendar knows which dossiers' deadlines were computed under which version.
    pub fn with_version(mut self, version: impl Into<String>) -> WorkingCalendar {
        self.version = Some(version.into());
        self
    }

    /// The label given by [`WorkingCalendar::with_version`], if any.
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// The national calendar with the given windows, Monday–Friday, shipped holidays,
    /// compiled for [`DEFAULT_YEARS`].
    pub fn national(windows: Vec<Window>) -> Result<WorkingCalendar, CalendarError> {
        WorkingCalendar::compile(
            &CalendarSpec::national(windows),
            &NationalHolidays::builtin()?,
            DEFAULT_YEARS,
        )
    }

    /// Compiles `spec` for the solar years in `years`, taking national holidays from `holidays`.
    pub fn compile(
        spec: &CalendarSpec,
        holidays: &NationalHolidays,
        years: RangeInclusive<i32>,
    ) -> Result<WorkingCalendar, CalendarError> {
        spec.check()?;
        let (first, last) = (*years.start(), *years.end());
        for y in [first, last] {
            if !lunar::SUPPORTED_YEARS.contains(&y) {
                return Err(CalendarError::YearOutOfRange(y));
            }
        }
        if first > last {
            return Err(CalendarError::InvalidSpec(format!(
                "empty year range {first}..={last}"
            )));
        }
        let base = ymd(first, 1, 1)?;
        let end = ymd(last, 12, 31)?;

        // Resolve exceptions: a lower layer wins; within a layer, explicit exceptions win over
        // the national holidays it carries.
        let mut info: BTreeMap<NaiveDate, DayInfo> = BTreeMap::new();
        let mut year_status = BTreeMap::new();
        for layer in &spec.layers {
            let mut own: BTreeMap<NaiveDate, DayInfo> = BTreeMap::new();
            if layer.national_holidays {
                for y in years.clone() {
                    let hy = holidays.year(y)?;
                    let proposed = !hy.status.is_confirmed();
                    year_status.insert(y, hy.status);
                    for e in hy.days {
                        own.insert(
                            e.date,
                            DayInfo {
                                exception: e,
                                layer: layer.name.clone(),
                                proposed,
                            },
                        );
                    }
                }
            }
            for e in &layer.exceptions {
                own.insert(
                    e.date,
                    DayInfo {
                        exception: e.clone(),
                        layer: layer.name.clone(),
                        proposed: false,
                    },
                );
            }
            info.extend(own.into_iter().filter(|(d, _)| (base..=end).contains(d)));
        }
        if year_status.is_empty() {
            // No layer carries national holidays: every year is what the spec says it is.
            for y in years.clone() {
                year_status.insert(
                    y,
                    YearStatus::Confirmed {
                        announced: "no national holidays in this calendar".into(),
                    },
                );
            }
        }

        let n = (end - base).num_days() as usize + 1;
        let mut cum = Vec::with_capacity(n + 1);
        let mut day_pattern = Vec::with_capacity(n);
        let mut patterns: Vec<Pattern> = Vec::new();
        let mut total = 0i64;
        let mut date = base;
        for _ in 0..n {
            let schedule = schedule_for(spec, date);
            let windows: &[Window] = match info.get(&date).map(|i| &i.exception.kind) {
                Some(ExceptionKind::DayOff) => &[],
                Some(ExceptionKind::WorkingDay { windows: Some(w) }) => w,
                Some(ExceptionKind::WorkingDay { windows: None }) => schedule.standard_day(),
                None => schedule.day(date.weekday()),
            };
            let id = match patterns.iter().position(|p| {
                p.windows.len() == windows.len()
                    && p.windows
                        .iter()
                        .zip(windows)
                        .all(|(a, w)| *a == (w.start_secs(), w.end_secs()))
            }) {
                Some(i) => i,
                None => {
                    let ws: Vec<(u32, u32)> = windows
                        .iter()
                        .map(|w| (w.start_secs(), w.end_secs()))
                        .collect();
                    let t = ws.iter().map(|(s, e)| i64::from(e - s)).sum();
                    patterns.push(Pattern {
                        windows: ws,
                        total: t,
                    });
                    patterns.len() - 1
                }
            };
            let id = u16::try_from(id).map_err(|_| {
                CalendarError::InvalidSpec("more than 65535 distinct day schedules".into())
            })?;
            cum.push(total);
            day_pattern.push(id);
            total += patterns[usize::from(id)].total;
            date = date.succ_opt().ok_or(CalendarError::DateOutOfRange(date))?;
        }
        cum.push(total);
        Ok(WorkingCalendar {
            base,
            cum,
            day_pattern,
            patterns,
            info,
            years: year_status,
            roll_calendar_days: true,
            version: None,
        })
    }

    /// Whether a calendar-day limit that ends on a non-working day rolls forward to the next
    /// working instant (the default) or stays where it ends.
    pub fn with_calendar_day_roll(mut self, roll: bool) -> WorkingCalendar {
        self.roll_calendar_days = roll;
        self
    }

    /// The first and last local dates the calendar answers for.
    pub fn range(&self) -> RangeInclusive<NaiveDate> {
        self.base..=self.base + Days::new(self.day_pattern.len() as u64 - 1)
    }

    fn day_index(&self, date: NaiveDate) -> Result<usize, CalendarError> {
        let i = (date - self.base).num_days();
        if i < 0 || i as usize >= self.day_pattern.len() {
            return Err(CalendarError::DateOutOfRange(date));
        }
        Ok(i as usize)
    }

    fn pattern(&self, day: usize) -> &Pattern {
        &self.patterns[usize::from(self.day_pattern[day])]
    }

    fn date_of(&self, day: usize) -> NaiveDate {
        self.base + Days::new(day as u64)
    }

    fn instant_at(&self, day: usize, secs: u32) -> DateTime<Utc> {
        from_local(self.date_of(day).and_time(NaiveTime::MIN) + TimeDelta::seconds(i64::from(secs)))
    }

    /// Day index and seconds after local midnight, to the whole second.
    fn locate(&self, instant: DateTime<Utc>) -> Result<(usize, u32), CalendarError> {
        let l = local(instant);
        Ok((
            self.day_index(l.date())?,
            l.time().num_seconds_from_midnight(),
        ))
    }

    /// Working seconds from the start of the compiled range to `instant`.
    fn position(&self, instant: DateTime<Utc>) -> Result<i64, CalendarError> {
        let (day, secs) = self.locate(instant)?;
        let worked: i64 = self
            .pattern(day)
            .windows
            .iter()
            .map(|&(s, e)| i64::from(secs.clamp(s, e) - s))
            .sum();
        Ok(self.cum[day] + worked)
    }

    /// The instant at working position `target` (> the position of the range start): the
    /// earliest instant at which that much working time has accrued.
    fn instant_at_position(&self, target: i64) -> Result<DateTime<Utc>, CalendarError> {
        let day = self.cum[1..].partition_point(|&c| c < target);
        if day >= self.day_pattern.len() {
            let last = *self.range().end();
            return Err(CalendarError::DateOutOfRange(last + Days::new(1)));
        }
        let mut rest = target - self.cum[day];
        for &(s, e) in &self.pattern(day).windows {
            let len = i64::from(e - s);
            if rest <= len {
                return Ok(self.instant_at(day, s + rest as u32));
            }
            rest -= len;
        }
        // cum[day + 1] >= target guarantees the day's windows hold `rest`.
        Err(CalendarError::InvalidSpec(
            "inconsistent compiled calendar".into(),
        ))
    }

    /// The due instant of `duration` counted from `start`: the earliest instant at which the
    /// working time accrued since `start` equals the budget (for working units); for calendar
    /// days, `start` plus that many days, rolled forward to the next working instant when it
    /// lands on a non-working day.
    pub fn due(
        &self,
        start: DateTime<Utc>,
        duration: Duration,
    ) -> Result<DateTime<Utc>, CalendarError> {
        let start = truncate(start);
        match duration.working_time() {
            Some(budget) => self.add_working_time(start, budget),
            None => self
                .add_calendar_days(start, duration.amount)
                .map(|(due, _)| due),
        }
    }

    /// `start` plus `budget` of working time (earliest-instant semantics).
    pub fn add_working_time(
        &self,
        start: DateTime<Utc>,
        budget: WorkingTime,
    ) -> Result<DateTime<Utc>, CalendarError> {
        let start = truncate(start);
        if budget.secs() <= 0 {
            return Ok(start);
        }
        let target = self.position(start)? + budget.secs();
        self.instant_at_position(target)
    }

    /// Calendar-day arithmetic; also returns the raw end when it was rolled forward.
    pub(crate) fn add_calendar_days(
        &self,
        start: DateTime<Utc>,
        days: u32,
    ) -> Result<(DateTime<Utc>, Option<DateTime<Utc>>), CalendarError> {
        let raw = start
            .checked_add_days(Days::new(u64::from(days)))
            .ok_or(CalendarError::DateOutOfRange(local_date(start)))?;
        let (day, _) = self.locate(raw)?;
        if self.roll_calendar_days && self.pattern(day).total == 0 {
            Ok((self.next_working_instant(raw)?, Some(raw)))
        } else {
            Ok((raw, None))
        }
    }

    /// Working time between two instants (negative when `b` is before `a`).
    pub fn working_time(
        &self,
        a: DateTime<Utc>,
        b: DateTime<Utc>,
    ) -> Result<WorkingTime, CalendarError> {
        Ok(WorkingTime::from_secs(
            self.position(b)? - self.position(a)?,
        ))
    }

    /// Whether `instant` lies inside a working window (windows include their start, not their end).
    pub fn is_working_instant(&self, instant: DateTime<Utc>) -> Result<bool, CalendarError> {
        let (day, secs) = self.locate(instant)?;
        Ok(self
            .pattern(day)
            .windows
            .iter()
            .any(|&(s, e)| (s..e).contains(&secs)))
    }

    /// `instant` itself when it is working time, else the start of the next working window.
    pub fn next_working_instant(
        &self,
        instant: DateTime<Utc>,
    ) -> Result<DateTime<Utc>, CalendarError> {
        let instant = truncate(instant);
        if self.is_working_instant(instant)? {
            return Ok(instant);
        }
        // The first working second after `instant` ends one second after the next window opens.
        let due = self.instant_at_position(self.position(instant)? + 1)?;
        Ok(due - TimeDelta::seconds(1))
    }

    /// The close of the working day at or after `instant`: the end of the last window of the
    /// day on which the next working instant falls. Used for results due "within the day".
    pub fn close_of_day(&self, instant: DateTime<Utc>) -> Result<DateTime<Utc>, CalendarError> {
        let next = self.next_working_instant(instant)?;
        let (day, _) = self.locate(next)?;
        let close = self.pattern(day).windows.last().map_or(0, |w| w.1);
        Ok(self.instant_at(day, close))
    }

    /// When counting starts for something received at `received`: with a cut-off time (e.g.
    /// 15:00 for paper dossiers), anything received at or after it on its local day counts
    /// from the first working window of the next working day.
    pub fn counting_start(
        &self,
        received: DateTime<Utc>,
        cutoff: Option<NaiveTime>,
    ) -> Result<DateTime<Utc>, CalendarError> {
        let received = truncate(received);
        match cutoff {
            Some(c) if local(received).time() >= c => {
                let (day, _) = self.locate(received)?;
                let after = self.cum[day + 1];
                // cum[j] > cum[day + 1] first holds at j = e + 1 for the next working day e.
                let j = self.cum.partition_point(|&x| x <= after);
                if j > self.day_pattern.len() {
                    let last = *self.range().end();
                    return Err(CalendarError::DateOutOfRange(last + Days::new(1)));
                }
                let next = j - 1;
                let open = self.pattern(next).windows.first().map_or(0, |w| w.0);
                Ok(self.instant_at(next, open))
            }
            _ => Ok(received),
        }
    }

    /// Whether a local date has any working time.
    pub fn is_working_day(&self, date: NaiveDate) -> Result<bool, CalendarError> {
        Ok(self.pattern(self.day_index(date)?).total > 0)
    }

    /// The working windows of a local date.
    pub fn windows_on(
        &self,
        date: NaiveDate,
    ) -> Result<Vec<(NaiveTime, NaiveTime)>, CalendarError> {
        let p = self.pattern(self.day_index(date)?);
        Ok(p.windows
            .iter()
            .map(|&(s, e)| (secs_to_time(s), secs_to_time(e)))
            .collect())
    }

    /// The exception in force on a date, if any.
    pub fn day_info(&self, date: NaiveDate) -> Option<&DayInfo> {
        self.info.get(&date)
    }

    /// Why a date has no working time, or `None` if it has some.
    pub fn non_working_reason(&self, date: NaiveDate) -> Result<Option<DayReason>, CalendarError> {
        if self.is_working_day(date)? {
            return Ok(None);
        }
        Ok(Some(match self.info.get(&date) {
            Some(i) if i.exception.kind == ExceptionKind::DayOff => DayReason::DayOff(i.clone()),
            _ => DayReason::WeeklyRest {
                weekday: weekday_en(date.weekday()).to_string(),
            },
        }))
    }

    /// Whether a year's national holidays were announced or only proposed.
    pub fn year_status(&self, year: i32) -> Option<&YearStatus> {
        self.years.get(&year)
    }

    /// The exceptions and totals of one year.
    pub fn year_report(&self, year: i32) -> Result<YearReport, CalendarError> {
        let first = self.day_index(ymd(year, 1, 1)?)?;
        let last = self.day_index(ymd(year, 12, 31)?)?;
        let status = self
            .years
            .get(&year)
            .cloned()
            .ok_or(CalendarError::YearOutOfRange(year))?;
        let (mut days_off, mut working_days) = (Vec::new(), Vec::new());
        for i in self
            .info
            .range(ymd(year, 1, 1)?..=ymd(year, 12, 31)?)
            .map(|(_, i)| i)
        {
            match i.exception.kind {
                ExceptionKind::DayOff => days_off.push(i.clone()),
                ExceptionKind::WorkingDay { .. } => working_days.push(i.clone()),
            }
        }
        let working_day_count = (first..=last)
            .filter(|&d| self.pattern(d).total > 0)
            .count() as u32;
        Ok(YearReport {
            year,
            status,
            days_off,
            working_days,
            working_day_count,
            working_time: WorkingTime::from_secs(self.cum[last + 1] - self.cum[first]),
        })
    }
}

fn schedule_for(spec: &CalendarSpec, date: NaiveDate) -> &WeeklySchedule {
    for layer in spec.layers.iter().rev() {
        if let Some(season) = layer.seasons.iter().find(|s| s.period.contains(date)) {
            return &season.schedule;
        }
        if let Some(s) = &layer.schedule {
            return s;
        }
    }
    // `CalendarSpec::check` guarantees the first layer has a schedule; this is never reached.
    static EMPTY: WeeklySchedule = WeeklySchedule {
        monday: Vec::new(),
        tuesday: Vec::new(),
        wednesday: Vec::new(),
        thursday: Vec::new(),
        friday: Vec::new(),
        saturday: Vec::new(),
        sunday: Vec::new(),
    };
    &EMPTY
}

fn ymd(y: i32, m: u32, d: u32) -> Result<NaiveDate, CalendarError> {
    NaiveDate::from_ymd_opt(y, m, d).ok_or(CalendarError::YearOutOfRange(y))
}

fn truncate(instant: DateTime<Utc>) -> DateTime<Utc> {
    instant - TimeDelta::nanoseconds(i64::from(instant.timestamp_subsec_nanos()))
}

fn secs_to_time(secs: u32) -> NaiveTime {
    NaiveTime::from_num_seconds_from_midnight_opt(secs, 0).unwrap_or(NaiveTime::MIN)
}

/// The English name of a weekday, as used in explanations.
pub(crate) fn weekday_en(w: Weekday) -> &'static str {
    match w {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

/// Local date of an instant (UTC+7).
pub(crate) fn local_date_of(instant: DateTime<Utc>) -> NaiveDate {
    local_date(instant)
}
