//! A deliberately naive `due`: walks day by day through the compiled calendar's windows.
//!
//! It exists as a reference for tests (an independent path to the same answer) and as the
//! baseline the benchmarks compare `WorkingCalendar::due` against, through the calendar's
//! public API only. It is not part of the library: included with `#[path]` by
//! `tests/calendar_props.rs` and `benches/calendar.rs`.

use chrono::{DateTime, Days, NaiveTime, TimeDelta, Utc};

use motcua_core::calendar::{CalendarError, WorkingCalendar, WorkingTime, vn_offset};

/// `start` plus `budget` of working time, found by walking day by day.
pub fn naive_due(
    calendar: &WorkingCalendar,
    start: DateTime<Utc>,
    budget: WorkingTime,
) -> Result<DateTime<Utc>, CalendarError> {
    let start = start - TimeDelta::nanoseconds(i64::from(start.timestamp_subsec_nanos()));
    let mut remaining = budget.secs();
    if remaining <= 0 {
        return Ok(start);
    }
    let local = start.with_timezone(&vn_offset()).naive_local();
    let mut date = local.date();
    let mut from = local.time();
    loop {
        for (s, e) in calendar.windows_on(date)? {
            let s = s.max(from);
            if s >= e {
                continue;
            }
            let len = (e - s).num_seconds();
            if remaining <= len {
                let end = date.and_time(s) + TimeDelta::seconds(remaining);
                return Ok((end - TimeDelta::seconds(7 * 3600)).and_utc());
            }
            remaining -= len;
        }
        date = date
            .checked_add_days(Days::new(1))
            .ok_or(CalendarError::DateOutOfRange(date))?;
        from = NaiveTime::MIN;
    }
}
