//! The working-time calendar: Vietnamese holidays, lunar Tết, working windows and deadlines.
//!
//! People describe a calendar as a [`CalendarSpec`] (weekly windows, seasons, dated exceptions,
//! layered national → province → agency). [`WorkingCalendar::compile`] turns it into tables of
//! cumulative working seconds per day, so that [`WorkingCalendar::due`] and
//! [`WorkingCalendar::working_time`] are binary searches, whatever the horizon.
//!
//! Instants are UTC ([`chrono::DateTime<Utc>`]); days and windows are Vietnamese local time
//! (UTC+7, no daylight saving). Instants are handled to the second.

mod compiled;
mod duration;
pub(crate) use duration::as_text as duration_text;
mod explain;
pub mod holidays;
pub mod lunar;
mod model;
mod reproject;

pub use compiled::{DEFAULT_YEARS, DayInfo, DayReason, Timeliness, WorkingCalendar, YearReport};
pub use duration::{Duration, Unit, WorkingTime};
pub use explain::{DaysBetween, Explanation, SkippedDay};
pub use holidays::{HolidayYear, NationalHolidays, YearStatus};
pub use model::{
    CalendarSpec, Exception, ExceptionKind, Layer, MonthDay, Period, Season, WeeklySchedule,
    Window, default_windows, parse_windows,
};
pub use reproject::{ChangedDay, changed_days, date_of, reproject};

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

/// Vietnam's offset from UTC in seconds (UTC+7, Asia/Ho_Chi_Minh).
pub const VN_OFFSET_SECS: i32 = 7 * 3600;

const VN_OFFSET: FixedOffset = match FixedOffset::east_opt(VN_OFFSET_SECS) {
    Some(offset) => offset,
    None => panic!("UTC+7 is a valid offset"),
};

/// The Vietnamese local offset.
pub fn vn_offset() -> FixedOffset {
    VN_OFFSET
}

/// Shows an instant in Vietnamese local time, RFC 3339 with `+07:00`.
pub fn to_local_rfc3339(instant: DateTime<Utc>) -> String {
    instant
        .with_timezone(&vn_offset())
        .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false)
}

/// Shows an instant as Vietnamese people write it: `dd/MM/yyyy HH:mm`, local time.
pub fn to_local_vi(instant: DateTime<Utc>) -> String {
    instant
        .with_timezone(&vn_offset())
        .format("%d/%m/%Y %H:%M")
        .to_string()
}

/// Why a calendar question could not be answered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CalendarError {
    /// Working windows that are malformed, reversed or overlapping.
    #[error("invalid working windows: {0}")]
    InvalidWindows(String),
    /// A calendar specification that cannot be compiled.
    #[error("invalid calendar: {0}")]
    InvalidSpec(String),
    /// Holiday data that cannot be read.
    #[error("invalid holiday data: {0}")]
    InvalidData(String),
    /// A duration that cannot be parsed, e.g. an unknown unit.
    #[error(
        "invalid duration `{0}`: expected a whole number followed by m, wh, wd or cd (e.g. 15wd)"
    )]
    InvalidDuration(String),
    /// A lunar date that does not exist or cannot be computed.
    #[error(transparent)]
    Lunar(#[from] lunar::LunarError),
    /// A year outside what the calendar was compiled for.
    #[error("year {0} is outside the supported range")]
    YearOutOfRange(i32),
    /// A date outside what the calendar was compiled for.
    #[error("date {0} is outside the compiled calendar")]
    DateOutOfRange(NaiveDate),
}
