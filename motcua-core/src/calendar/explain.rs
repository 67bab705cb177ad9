//! Explanations of computed deadlines: what was counted, and why each skipped day was skipped.

use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use serde::Serialize;
use std::fmt;

use super::compiled::{DayInfo, DayReason, WorkingCalendar, local_date_of, weekday_en};
use super::duration::{Duration, WorkingTime};
use super::{CalendarError, ExceptionKind, to_local_rfc3339};

/// A non-working day between the start and the due instant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SkippedDay {
    /// The local date.
    pub date: NaiveDate,
    /// Why it has no working time.
    #[serde(flatten)]
    pub reason: DayReason,
}

/// How a due instant was computed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Explanation {
    /// Where counting was asked to start.
    pub start: DateTime<Utc>,
    /// The time limit.
    pub duration: Duration,
    /// The result.
    pub due: DateTime<Utc>,
    /// For working units: when time actually starts accruing, if later than `start`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counting_from: Option<DateTime<Utc>>,
    /// For calendar days: the raw end, when it fell on a non-working day and rolled forward.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rolled_forward_from: Option<DateTime<Utc>>,
    /// Working time between `start` and `due`.
    pub working_time: WorkingTime,
    /// The calendar between the start date and the due date.
    #[serde(flatten)]
    pub days: DaysBetween,
}

/// What the calendar says about the days between two instants.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct DaysBetween {
    /// Non-working days, in order, each with its reason.
    pub skipped: Vec<SkippedDay>,
    /// Make-up working days (worked weekend days).
    pub make_up_days: Vec<DayInfo>,
    /// Years touched whose national holidays are only a rule-based proposal.
    pub proposed_years: Vec<i32>,
}

impl WorkingCalendar {
    /// Computes `due(start, duration)` and explains it: the non-working days skipped between the
    /// start and the due date, each with the rule or source that made it non-working.
    pub fn explain(
        &self,
        start: DateTime<Utc>,
        duration: Duration,
    ) -> Result<Explanation, CalendarError> {
        let start =
            start - chrono::TimeDelta::nanoseconds(i64::from(start.timestamp_subsec_nanos()));
        let (due, counting_from, rolled) = match duration.working_time() {
            Some(budget) => {
                let due = self.add_working_time(start, budget)?;
                let from = if budget.secs() > 0 {
                    Some(self.next_working_instant(start)?).filter(|f| *f != start)
                } else {
                    None
                };
                (due, from, None)
            }
            None => {
                let (due, rolled) = self.add_calendar_days(start, duration.amount)?;
                (due, None, rolled)
            }
        };
        let days = self.days_between(start, due)?;
        Ok(Explanation {
            start,
            duration,
            due,
            counting_from,
            rolled_forward_from: rolled,
            working_time: self.working_time(start, due)?,
            days,
        })
    }

    /// The non-working days (with their reasons), the make-up working days and the proposed
    /// years from the local date of `from` to that of `to`, both included.
    pub fn days_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<DaysBetween, CalendarError> {
        let (first, last) = (local_date_of(from), local_date_of(to));
        let mut days = DaysBetween::default();
        let mut date = first;
        // Explanations are for people, not a hot path: walking the days here is fine.
        while date <= last {
            if let Some(reason) = self.non_working_reason(date)? {
                days.skipped.push(SkippedDay { date, reason });
            } else if let Some(info) = self.day_info(date)
                && matches!(info.exception.kind, ExceptionKind::WorkingDay { .. })
            {
                days.make_up_days.push(info.clone());
            }
            date = date
                .checked_add_days(Days::new(1))
                .ok_or(CalendarError::DateOutOfRange(date))?;
        }
        days.proposed_years = (first.year()..=last.year())
            .filter(|y| self.year_status(*y).is_some_and(|s| !s.is_confirmed()))
            .collect();
        Ok(days)
    }
}

fn day(date: NaiveDate) -> String {
    format!(
        "{} {}",
        date.format("%Y-%m-%d"),
        &weekday_en(date.weekday())[..3]
    )
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "due {} = {} + {}",
            to_local_rfc3339(self.due),
            to_local_rfc3339(self.start),
            self.duration
        )?;
        match self.duration.working_time() {
            Some(budget) => writeln!(
                f,
                "budget: {} = {} working minutes (1 working day = 8 working hours)",
                self.duration,
                budget.minutes()
            )?,
            None => writeln!(
                f,
                "budget: {} calendar days; working time in between: {}",
                self.duration.amount, self.working_time
            )?,
        }
        if let Some(from) = self.counting_from {
            writeln!(
                f,
                "counting starts at {}: the start is outside working hours",
                to_local_rfc3339(from)
            )?;
        }
        if let Some(raw) = self.rolled_forward_from {
            writeln!(
                f,
                "rolled forward from {}: it falls on a non-working day",
                to_local_rfc3339(raw)
            )?;
        }
        let counted = if self.duration.working_time().is_some() {
            "skipped"
        } else {
            "in between (calendar days count them)"
        };
        self.days.render(f, counted)
    }
}

impl DaysBetween {
    /// Writes the days as text; `counted` says what happened to the non-working days.
    pub fn render(&self, f: &mut impl fmt::Write, counted: &str) -> fmt::Result {
        if self.skipped.is_empty() {
            writeln!(f, "no non-working days {counted}")?;
        } else {
            writeln!(f, "non-working days {counted}: {}", self.skipped.len())?;
        }
        // Group consecutive non-working days into intervals; name every dated exception.
        let mut i = 0;
        while i < self.skipped.len() {
            let mut j = i;
            while j + 1 < self.skipped.len()
                && self.skipped[j + 1].date == self.skipped[j].date + Days::new(1)
            {
                j += 1;
            }
            let run = &self.skipped[i..=j];
            let (a, b) = (run[0].date, run[run.len() - 1].date);
            let span = if a == b {
                format!("  {}", day(a))
            } else {
                format!("  {} .. {} ({} days)", day(a), day(b), run.len())
            };
            let rests: Vec<&str> = run
                .iter()
                .filter_map(|s| match &s.reason {
                    DayReason::WeeklyRest { weekday } => Some(weekday.as_str()),
                    DayReason::DayOff(_) => None,
                })
                .collect();
            if rests.len() == run.len() {
                writeln!(
                    f,
                    "{span}: weekly rest (no working windows on {})",
                    rests.join(", ")
                )?;
            } else {
                writeln!(f, "{span}:")?;
                for s in run {
                    match &s.reason {
                        DayReason::WeeklyRest { weekday } => writeln!(
                            f,
                            "    {}  weekly rest (no working windows on {weekday})",
                            day(s.date)
                        )?,
                        DayReason::DayOff(info) => writeln!(
                            f,
                            "    {}  {} [{}{}; {}]",
                            day(s.date),
                            info.exception.name,
                            info.layer,
                            if info.proposed { ", proposed" } else { "" },
                            info.exception.source
                        )?,
                    }
                }
            }
            i = j + 1;
        }
        if !self.make_up_days.is_empty() {
            writeln!(
                f,
                "make-up working days counted: {}",
                self.make_up_days.len()
            )?;
        }
        for m in &self.make_up_days {
            writeln!(
                f,
                "  {}  {} [{}; {}]",
                day(m.exception.date),
                m.exception.name,
                m.layer,
                m.exception.source
            )?;
        }
        for y in &self.proposed_years {
            writeln!(
                f,
                "warning: the national calendar of {y} is a rule-based proposal, not yet announced; this due may change"
            )?;
        }
        Ok(())
    }
}
