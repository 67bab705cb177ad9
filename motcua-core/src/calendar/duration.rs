//! Durations with explicit units: working minutes, hours and days, and calendar days.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use super::CalendarError;

/// Seconds in one working hour.
pub(crate) const HOUR: i64 = 3600;
/// One working day is 8 working hours, as every Vietnamese system counts it.
pub(crate) const WORKING_DAY: i64 = 8 * HOUR;

/// The unit of a time limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Unit {
    /// Working minutes (`m`).
    WorkingMinutes,
    /// Working hours (`wh`).
    WorkingHours,
    /// Working days of 8 working hours (`wd`).
    WorkingDays,
    /// Calendar days (`cd`): elapsed days; an end on a non-working day rolls forward.
    CalendarDays,
}

impl Unit {
    /// The suffix used in `15wd`.
    pub fn suffix(self) -> &'static str {
        match self {
            Unit::WorkingMinutes => "m",
            Unit::WorkingHours => "wh",
            Unit::WorkingDays => "wd",
            Unit::CalendarDays => "cd",
        }
    }
}

/// A time limit: a whole number of some unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Duration {
    /// How many units.
    pub amount: u32,
    /// Which unit.
    pub unit: Unit,
}

impl Duration {
    /// The OpenAPI schema of a duration as it is serialized: `{amount, unit}` (utoipa takes
    /// a type named `Duration` for a string otherwise).
    #[cfg(feature = "openapi")]
    pub fn schema() -> utoipa::openapi::schema::Object {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .property(
                "amount",
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .minimum(Some(0)),
            )
            .property(
                "unit",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some([
                        "working-minutes",
                        "working-hours",
                        "working-days",
                        "calendar-days",
                    ])),
            )
            .required("amount")
            .required("unit")
            .build()
    }

    /// The schema of an optional duration: `{amount, unit}` or `null`.
    #[cfg(feature = "openapi")]
    pub fn schema_or_null() -> utoipa::openapi::schema::Schema {
        use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Schema, Type};
        Schema::OneOf(
            OneOfBuilder::new()
                .item(ObjectBuilder::new().schema_type(Type::Null))
                .item(Duration::schema())
                .build(),
        )
    }

    /// `n` working minutes.
    pub fn working_minutes(n: u32) -> Duration {
        Duration {
            amount: n,
            unit: Unit::WorkingMinutes,
        }
    }

    /// `n` working hours.
    pub fn working_hours(n: u32) -> Duration {
        Duration {
            amount: n,
            unit: Unit::WorkingHours,
        }
    }

    /// `n` working days (8 working hours each).
    pub fn working_days(n: u32) -> Duration {
        Duration {
            amount: n,
            unit: Unit::WorkingDays,
        }
    }

    /// `n` calendar days.
    pub fn calendar_days(n: u32) -> Duration {
        Duration {
            amount: n,
            unit: Unit::CalendarDays,
        }
    }

    /// The working time this duration stands for, or `None` for calendar days.
    pub fn working_time(self) -> Option<WorkingTime> {
        let n = i64::from(self.amount);
        match self.unit {
            Unit::WorkingMinutes => Some(WorkingTime::from_secs(n * 60)),
            Unit::WorkingHours => Some(WorkingTime::from_secs(n * HOUR)),
            Unit::WorkingDays => Some(WorkingTime::from_secs(n * WORKING_DAY)),
            Unit::CalendarDays => None,
        }
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.amount, self.unit.suffix())
    }
}

impl FromStr for Duration {
    type Err = CalendarError;

    /// Parses `30m`, `8wh`, `15wd`, `30cd`.
    fn from_str(text: &str) -> Result<Duration, CalendarError> {
        let bad = || CalendarError::InvalidDuration(text.to_string());
        let t = text.trim();
        let split = t.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
        let (digits, suffix) = t.split_at(split);
        let amount: u32 = digits.parse().map_err(|_| bad())?;
        let unit = match suffix {
            "m" => Unit::WorkingMinutes,
            "wh" => Unit::WorkingHours,
            "wd" => Unit::WorkingDays,
            "cd" => Unit::CalendarDays,
            _ => return Err(bad()),
        };
        Ok(Duration { amount, unit })
    }
}

/// A duration written as text (`"5wd"`) in serialized commands and requests: the form people
/// and forms type, parsed on the way in.
pub(crate) mod as_text {
    use super::Duration;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.collect_str(d),
            None => s.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Duration>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|t| t.parse().map_err(serde::de::Error::custom))
            .transpose()
    }
}

/// An amount of working time, counted in seconds.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkingTime(i64);

impl WorkingTime {
    /// Working time of `secs` seconds (may be negative for a reversed interval).
    pub fn from_secs(secs: i64) -> WorkingTime {
        WorkingTime(secs)
    }

    /// Whole seconds.
    pub fn secs(self) -> i64 {
        self.0
    }

    /// Whole minutes, rounded towards zero.
    pub fn minutes(self) -> i64 {
        self.0 / 60
    }
}

impl std::ops::Add for WorkingTime {
    type Output = WorkingTime;
    fn add(self, rhs: WorkingTime) -> WorkingTime {
        WorkingTime(self.0 + rhs.0)
    }
}

impl fmt::Display for WorkingTime {
    /// `2wd 3wh 15m` (working days of 8 hours), `0m` for nothing.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let s = self.0.unsigned_abs();
        let (d, h, m, sec) = (
            s / WORKING_DAY as u64,
            s % WORKING_DAY as u64 / 3600,
            s % 3600 / 60,
            s % 60,
        );
        let mut parts = Vec::new();
        if d > 0 {
            parts.push(format!("{d}wd"));
        }
        if h > 0 {
            parts.push(format!("{h}wh"));
        }
        if m > 0 || (parts.is_empty() && sec == 0) {
            parts.push(format!("{m}m"));
        }
        if sec > 0 {
            parts.push(format!("{sec}s"));
        }
        write!(f, "{sign}{}", parts.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_unit_and_rejects_the_rest() {
        let ok = [
            ("30m", Duration::working_minutes(30)),
            ("8wh", Duration::working_hours(8)),
            ("15wd", Duration::working_days(15)),
            ("0cd", Duration::calendar_days(0)),
        ];
        for (text, want) in ok {
            assert_eq!(text.parse::<Duration>(), Ok(want), "{text}");
            assert_eq!(want.to_string(), text);
        }
        for bad in [
            "",
            "15",
            "wd",
            "15 wd",
            "-1wd",
            "1.5wd",
            "15WD",
            "15d",
            "99999999999wd",
        ] {
            assert!(bad.parse::<Duration>().is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn working_time_display() {
        assert_eq!(WorkingTime::from_secs(0).to_string(), "0m");
        assert_eq!(
            WorkingTime::from_secs(WORKING_DAY * 2 + 3600 + 60).to_string(),
            "2wd 1wh 1m"
        );
        assert_eq!(WorkingTime::from_secs(-90).to_string(), "-1m 30s");
    }
}
