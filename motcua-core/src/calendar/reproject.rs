//! Re-projection: how an instant computed under one calendar moves when another calendar
//! comes into force, and which days made it move.
//!
//! The rule (docs/calendar.md, "Calendar changes and deadlines in flight"): a calendar change
//! in force from the instant `from` keeps the working time already counted before `from` as
//! it was counted, and preserves the working time still to run. For an instant `d` computed
//! under `old`, let `b` be the working time from `from` to `d` under `old`; the instant under
//! `new` is the earliest at which `b` has accrued from `from` under `new`. An instant at or
//! before `from` has passed and never moves; an instant the change does not concern (the same
//! earliest instant under both calendars) stays exactly as it is, even one a person chose
//! outside working hours.
//!
//! Consequences, held by property tests: nothing moves to before `from`; re-projecting back
//! to `old` restores every instant the engine computed; and for a change that leaves the days
//! before `from` as they were, a re-projected due equals the due computed from scratch under
//! `new`.

use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::compiled::local_date_of as local_date;
use super::{CalendarError, DayInfo, WorkingCalendar, WorkingTime};

/// Where `instant`, computed under `old`, lies under `new` for a change in force from `from`;
/// `None` when it does not move.
pub fn reproject(
    old: &WorkingCalendar,
    new: &WorkingCalendar,
    from: DateTime<Utc>,
    instant: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, CalendarError> {
    if instant <= from {
        return Ok(None);
    }
    let left = old.working_time(from, instant)?;
    let under_old = old.add_working_time(from, left)?;
    let under_new = new.add_working_time(from, left)?;
    Ok((under_new != under_old).then_some(under_new))
}

/// A local date whose working time differs between two calendars.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangedDay {
    /// The date.
    pub date: NaiveDate,
    /// Its working time under the calendar before.
    pub before: WorkingTime,
    /// Its working time under the calendar after.
    pub after: WorkingTime,
    /// The exception that made the difference: the one the new calendar has that day, else
    /// the one the old calendar had (a day off removed).
    pub exception: Option<DayInfo>,
}

impl ChangedDay {
    /// One line a person can read: `2026-12-24: nghỉ, Nghỉ lễ địa phương (Quyết định 12/QĐ-UBND)`.
    pub fn describe(&self) -> String {
        let what = if self.after.secs() == 0 {
            "nghỉ"
        } else if self.before.secs() == 0 {
            "làm việc"
        } else {
            "đổi giờ làm việc"
        };
        match &self.exception {
            Some(i) => format!(
                "{}: {what}, {} ({})",
                self.date, i.exception.name, i.exception.source
            ),
            None => format!("{}: {what}", self.date),
        }
    }
}

/// The dates from `first` to `last` (both included) whose working time differs between `old`
/// and `new`.
pub fn changed_days(
    old: &WorkingCalendar,
    new: &WorkingCalendar,
    first: NaiveDate,
    last: NaiveDate,
) -> Result<Vec<ChangedDay>, CalendarError> {
    let mut out = Vec::new();
    let mut date = first;
    while date <= last {
        let before = day_total(old, date)?;
        let after = day_total(new, date)?;
        if before != after || old.windows_on(date)? != new.windows_on(date)? {
            out.push(ChangedDay {
                date,
                before,
                after,
                exception: new.day_info(date).or_else(|| old.day_info(date)).cloned(),
            });
        }
        date = date
            .checked_add_days(Days::new(1))
            .ok_or(CalendarError::DateOutOfRange(date))?;
    }
    Ok(out)
}

fn day_total(cal: &WorkingCalendar, date: NaiveDate) -> Result<WorkingTime, CalendarError> {
    Ok(WorkingTime::from_secs(
        cal.windows_on(date)?
            .iter()
            .map(|(s, e)| (*e - *s).num_seconds())
            .sum(),
    ))
}

/// The local date of an instant (UTC+7), for callers that bound [`changed_days`].
pub fn date_of(instant: DateTime<Utc>) -> NaiveDate {
    local_date(instant)
}
