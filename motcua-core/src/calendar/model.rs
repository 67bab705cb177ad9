//! The calendar model as people write it: weekly windows, seasons, dated exceptions, layers.
//!
//! These are plain, serializable data. [`super::WorkingCalendar::compile`] turns a
//! [`CalendarSpec`] into the precomputed form that answers deadline questions.

use chrono::{Datelike, NaiveDate, NaiveTime, Timelike, Weekday};
use serde::{Deserialize, Serialize};
use std::fmt;

use super::CalendarError;

/// A working window within one local day: from `start` (inclusive) to `end` (exclusive).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Window {
    /// When work starts, local time.
    pub start: NaiveTime,
    /// When work stops, local time; after `start`.
    pub end: NaiveTime,
}

impl Window {
    /// A window from `start` to `end`; an error unless `start < end`.
    pub fn new(start: NaiveTime, end: NaiveTime) -> Result<Window, CalendarError> {
        if start >= end {
            return Err(CalendarError::InvalidWindows(format!(
                "window {}-{} ends before it starts",
                start.format("%H:%M"),
                end.format("%H:%M")
            )));
        }
        Ok(Window { start, end })
    }

    /// Parses `HH:MM-HH:MM`.
    pub fn parse(text: &str) -> Result<Window, CalendarError> {
        let bad =
            || CalendarError::InvalidWindows(format!("`{text}` is not a window like 07:00-11:30"));
        let (a, b) = text.trim().split_once('-').ok_or_else(bad)?;
        let a = NaiveTime::parse_from_str(a.trim(), "%H:%M").map_err(|_| bad())?;
        let b = NaiveTime::parse_from_str(b.trim(), "%H:%M").map_err(|_| bad())?;
        Window::new(a, b)
    }

    /// Start as seconds after local midnight.
    pub(crate) fn start_secs(&self) -> u32 {
        self.start.num_seconds_from_midnight()
    }

    /// End as seconds after local midnight.
    pub(crate) fn end_secs(&self) -> u32 {
        self.end.num_seconds_from_midnight()
    }
}

impl fmt::Display for Window {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}-{}",
            self.start.format("%H:%M"),
            self.end.format("%H:%M")
        )
    }
}

impl TryFrom<String> for Window {
    type Error = CalendarError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Window::parse(&value)
    }
}

impl From<Window> for String {
    fn from(w: Window) -> String {
        w.to_string()
    }
}

/// Parses a comma-separated list of windows, e.g. `07:00-11:30,13:30-17:00`, and checks that
/// they are in order and do not overlap.
pub fn parse_windows(text: &str) -> Result<Vec<Window>, CalendarError> {
    let windows = text
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(Window::parse)
        .collect::<Result<Vec<_>, _>>()?;
    check_windows(&windows)?;
    Ok(windows)
}

/// Checks that windows are sorted and disjoint.
pub(crate) fn check_windows(windows: &[Window]) -> Result<(), CalendarError> {
    for pair in windows.windows(2) {
        if pair[1].start < pair[0].end {
            return Err(CalendarError::InvalidWindows(format!(
                "windows {} and {} overlap or are out of order",
                pair[0], pair[1]
            )));
        }
    }
    Ok(())
}

/// Working windows for each day of the week.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WeeklySchedule {
    /// Monday's windows.
    #[serde(default)]
    pub monday: Vec<Window>,
    /// Tuesday's windows.
    #[serde(default)]
    pub tuesday: Vec<Window>,
    /// Wednesday's windows.
    #[serde(default)]
    pub wednesday: Vec<Window>,
    /// Thursday's windows.
    #[serde(default)]
    pub thursday: Vec<Window>,
    /// Friday's windows.
    #[serde(default)]
    pub friday: Vec<Window>,
    /// Saturday's windows (usually none).
    #[serde(default)]
    pub saturday: Vec<Window>,
    /// Sunday's windows (usually none).
    #[serde(default)]
    pub sunday: Vec<Window>,
}

impl WeeklySchedule {
    /// The same windows Monday to Friday, none at the weekend: how state agencies work.
    pub fn office_week(windows: Vec<Window>) -> WeeklySchedule {
        WeeklySchedule {
            monday: windows.clone(),
            tuesday: windows.clone(),
            wednesday: windows.clone(),
            thursday: windows.clone(),
            friday: windows,
            saturday: Vec::new(),
            sunday: Vec::new(),
        }
    }

    /// The windows of one weekday.
    pub fn day(&self, weekday: Weekday) -> &[Window] {
        match weekday {
            Weekday::Mon => &self.monday,
            Weekday::Tue => &self.tuesday,
            Weekday::Wed => &self.wednesday,
            Weekday::Thu => &self.thursday,
            Weekday::Fri => &self.friday,
            Weekday::Sat => &self.saturday,
            Weekday::Sun => &self.sunday,
        }
    }

    /// The windows a make-up working day gets when its exception names none: those of the
    /// first weekday (from Monday) that has any.
    pub fn standard_day(&self) -> &[Window] {
        [
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
            Weekday::Sat,
            Weekday::Sun,
        ]
        .into_iter()
        .map(|w| self.day(w))
        .find(|w| !w.is_empty())
        .unwrap_or(&[])
    }

    pub(crate) fn check(&self) -> Result<(), CalendarError> {
        for w in [
            &self.monday,
            &self.tuesday,
            &self.wednesday,
            &self.thursday,
            &self.friday,
            &self.saturday,
            &self.sunday,
        ] {
            check_windows(w)?;
        }
        Ok(())
    }
}

/// A day of a month, for periods that recur every year.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MonthDay {
    /// Month 1..=12.
    pub month: u32,
    /// Day 1..=31.
    pub day: u32,
}

impl MonthDay {
    fn of(date: NaiveDate) -> MonthDay {
        MonthDay {
            month: date.month(),
            day: date.day(),
        }
    }
}

/// When a seasonal schedule applies.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = SeasonPeriod))]
pub enum Period {
    /// Between two dates, both included.
    Dates {
        /// First day.
        from: NaiveDate,
        /// Last day.
        to: NaiveDate,
    },
    /// Every year between two days of the year, both included; may wrap over the new year
    /// (e.g. 1 October to 31 March).
    Annual {
        /// First day.
        from: MonthDay,
        /// Last day.
        to: MonthDay,
    },
}

impl Period {
    /// Whether `date` falls in the period.
    pub fn contains(&self, date: NaiveDate) -> bool {
        match self {
            Period::Dates { from, to } => (*from..=*to).contains(&date),
            Period::Annual { from, to } => {
                let md = MonthDay::of(date);
                if from <= to {
                    (*from..=*to).contains(&md)
                } else {
                    md >= *from || md <= *to
                }
            }
        }
    }
}

/// A schedule that replaces the layer's weekly schedule during a period (e.g. winter hours).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Season {
    /// A name people recognise, e.g. "Giờ làm việc mùa đông".
    pub name: String,
    /// When it applies.
    pub period: Period,
    /// The windows during that period.
    pub schedule: WeeklySchedule,
}

/// What an exception does to its date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ExceptionKind {
    /// No work that day (holiday, compensatory day, swapped day).
    DayOff,
    /// Work that day although the weekly schedule says otherwise (a make-up Saturday).
    WorkingDay {
        /// The windows worked; when absent, the schedule's standard day.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        windows: Option<Vec<Window>>,
    },
}

/// One dated exception to the weekly schedule, with where it comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Exception {
    /// The local date it applies to.
    pub date: NaiveDate,
    /// Day off or working day.
    #[serde(flatten)]
    pub kind: ExceptionKind,
    /// What the day is, in Vietnamese, e.g. "Tết Nguyên đán (mùng 1)".
    pub name: String,
    /// The law, decision or notice that makes it so.
    pub source: String,
}

/// One level of the calendar: national, province or agency. Lower layers override higher ones.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Layer {
    /// Whose calendar this is, e.g. "Quốc gia", "UBND tỉnh Sóc Trăng".
    pub name: String,
    /// The weekly windows; `None` inherits the layer above.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<WeeklySchedule>,
    /// Seasonal schedules; the first whose period contains a date wins over `schedule`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub seasons: Vec<Season>,
    /// Whether this layer carries the national public holidays (announced or proposed).
    #[serde(default)]
    pub national_holidays: bool,
    /// Dated exceptions; they win over the national holidays of the same layer.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exceptions: Vec<Exception>,
}

/// A whole calendar: layers from the most general (national) to the most specific (agency).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CalendarSpec {
    /// The layers, national first.
    pub layers: Vec<Layer>,
}

/// The windows of the national default: 07:00–11:30 and 13:30–17:00.
pub fn default_windows() -> Vec<Window> {
    // The literals are valid, so these cannot fail; fall back to nothing rather than panic.
    parse_windows("07:00-11:30,13:30-17:00").unwrap_or_default()
}

impl CalendarSpec {
    /// The national calendar of the state sector: Monday–Friday in the given windows, with the
    /// national holidays.
    pub fn national(windows: Vec<Window>) -> CalendarSpec {
        CalendarSpec {
            layers: vec![Layer {
                name: "Quốc gia".to_string(),
                schedule: Some(WeeklySchedule::office_week(windows)),
                seasons: Vec::new(),
                national_holidays: true,
                exceptions: Vec::new(),
            }],
        }
    }

    /// Adds a more specific layer (province, then agency).
    pub fn with_layer(mut self, layer: Layer) -> CalendarSpec {
        self.layers.push(layer);
        self
    }

    pub(crate) fn check(&self) -> Result<(), CalendarError> {
        if self.layers.is_empty() {
            return Err(CalendarError::InvalidSpec(
                "a calendar needs at least one layer".into(),
            ));
        }
        if self.layers[0].schedule.is_none() {
            return Err(CalendarError::InvalidSpec(format!(
                "the first layer `{}` must define a weekly schedule",
                self.layers[0].name
            )));
        }
        for layer in &self.layers {
            if let Some(s) = &layer.schedule {
                s.check()?;
            }
            for season in &layer.seasons {
                season.schedule.check()?;
            }
            for e in &layer.exceptions {
                if let ExceptionKind::WorkingDay { windows: Some(w) } = &e.kind {
                    check_windows(w)?;
                }
            }
        }
        Ok(())
    }
}
