//! The Vietnamese lunar calendar, computed astronomically at UTC+7.
//!
//! This is Hồ Ngọc Đức's algorithm (the one Vietnamese almanacs use): new moons from Meeus'
//! series, the sun's longitude for the winter solstice month and the leap month, all reckoned
//! in Vietnamese local time (UTC+7). Reckoning at UTC+8, as the Chinese calendar does, moves
//! Tết in 1985, 2007, 2030 and 2053, so no table from a Chinese-calendar library is used.
//!
//! Historical note: North Vietnam adopted UTC+7 reckoning in 1968; printed calendars before
//! then followed UTC+8. motcua reckons every year at UTC+7, which is what deadlines need.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::f64::consts::PI;

/// Vietnamese time zone offset in hours, the meridian of the lunar reckoning.
const TIME_ZONE: f64 = 7.0;

/// The Julian day number of 0001-01-01 minus one: `num_days_from_ce` + this = JDN.
const JDN_CE_OFFSET: i64 = 1_721_425;

/// A date of the Vietnamese lunar calendar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LunarDate {
    /// The lunar year number, as the solar year in which it mostly falls (Tết 2026 starts 2026).
    pub year: i32,
    /// Month 1..=12 (a leap month carries the number of the month it follows).
    pub month: u32,
    /// Day 1..=30.
    pub day: u32,
    /// Whether this is the leap (intercalary) month.
    pub leap: bool,
}

/// Why a lunar date could not be converted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LunarError {
    /// The month number is not 1..=12 or the day not 1..=30.
    #[error("lunar month must be 1..=12 and day 1..=30, got month {month} day {day}")]
    OutOfBounds {
        /// The month asked for.
        month: u32,
        /// The day asked for.
        day: u32,
    },
    /// The year has no leap month with that number.
    #[error("lunar year {year} has no leap month {month}")]
    NoSuchLeapMonth {
        /// The lunar year.
        year: i32,
        /// The month asked for as leap.
        month: u32,
    },
    /// The month has only 29 days.
    #[error("lunar month {month}{leap} of {year} has only {len} days", leap = if *.leap { " (leap)" } else { "" })]
    NoSuchDay {
        /// The lunar year.
        year: i32,
        /// The month.
        month: u32,
        /// Whether the leap month was asked for.
        leap: bool,
        /// Days in that month.
        len: u32,
    },
    /// The year lies outside the range the algorithm is trusted for.
    #[error("lunar year {0} is outside the supported range 1800..=2199")]
    YearOutOfRange(i32),
}

/// The supported solar years (the astronomical series are accurate well beyond 1900–2100).
pub const SUPPORTED_YEARS: std::ops::RangeInclusive<i32> = 1800..=2199;

fn jdn(date: NaiveDate) -> i64 {
    i64::from(date.num_days_from_ce()) + JDN_CE_OFFSET
}

fn from_jdn(jd: i64) -> NaiveDate {
    // Every JDN we produce comes from a date in the supported range, so it fits an i32 and a date.
    NaiveDate::from_num_days_from_ce_opt((jd - JDN_CE_OFFSET) as i32).unwrap_or(NaiveDate::MIN)
}

/// The instant (Julian day, fractional, UT) of the k-th new moon after 1900-01-01.
fn new_moon(k: i64) -> f64 {
    let k = k as f64;
    let t = k / 1236.85;
    let t2 = t * t;
    let t3 = t2 * t;
    let dr = PI / 180.0;
    let mut jd1 = 2_415_020.759_33 + 29.530_588_68 * k + 0.000_117_8 * t2 - 0.000_000_155 * t3;
    jd1 += 0.000_33 * ((166.56 + 132.87 * t - 0.009_173 * t2) * dr).sin();
    let m = 359.2242 + 29.105_356_08 * k - 0.000_033_3 * t2 - 0.000_003_47 * t3;
    let mpr = 306.0253 + 385.816_918_06 * k + 0.010_730_6 * t2 + 0.000_012_36 * t3;
    let f = 21.2964 + 390.670_506_46 * k - 0.001_652_8 * t2 - 0.000_002_39 * t3;
    let mut c1 = (0.1734 - 0.000_393 * t) * (m * dr).sin() + 0.0021 * (2.0 * dr * m).sin();
    c1 = c1 - 0.4068 * (mpr * dr).sin() + 0.0161 * (dr * 2.0 * mpr).sin();
    c1 -= 0.0004 * (dr * 3.0 * mpr).sin();
    c1 = c1 + 0.0104 * (dr * 2.0 * f).sin() - 0.0051 * (dr * (m + mpr)).sin();
    c1 = c1 - 0.0074 * (dr * (m - mpr)).sin() + 0.0004 * (dr * (2.0 * f + m)).sin();
    c1 = c1 - 0.0004 * (dr * (2.0 * f - m)).sin() - 0.0006 * (dr * (2.0 * f + mpr)).sin();
    c1 = c1 + 0.0010 * (dr * (2.0 * f - mpr)).sin() + 0.0005 * (dr * (2.0 * mpr + m)).sin();
    let deltat = if t < -11.0 {
        0.001 + 0.000_839 * t + 0.000_226_1 * t2 - 0.000_008_45 * t3 - 0.000_000_081 * t * t3
    } else {
        -0.000_278 + 0.000_265 * t + 0.000_262 * t2
    };
    jd1 + c1 - deltat
}

/// The local day number on which the k-th new moon falls.
fn new_moon_day(k: i64) -> i64 {
    (new_moon(k) + 0.5 + TIME_ZONE / 24.0).floor() as i64
}

/// The sun's apparent longitude in radians at Julian day `jdn` (UT).
fn sun_longitude_rad(jdn: f64) -> f64 {
    let t = (jdn - 2_451_545.0) / 36_525.0;
    let t2 = t * t;
    let dr = PI / 180.0;
    let m = 357.529_10 + 35_999.050_30 * t - 0.000_155_9 * t2 - 0.000_000_48 * t * t2;
    let l0 = 280.466_45 + 36_000.769_83 * t + 0.000_303_2 * t2;
    let mut dl = (1.914_600 - 0.004_817 * t - 0.000_014 * t2) * (dr * m).sin();
    dl += (0.019_993 - 0.000_101 * t) * (dr * 2.0 * m).sin() + 0.000_290 * (dr * 3.0 * m).sin();
    let l = (l0 + dl) * dr;
    l - PI * 2.0 * (l / (PI * 2.0)).floor()
}

/// Which of the 12 major solar terms (0..=11, 30° each) the sun is in at the start of local day `day`.
fn sun_sector(day: i64) -> i64 {
    (sun_longitude_rad(day as f64 - 0.5 - TIME_ZONE / 24.0) / PI * 6.0).floor() as i64
}

/// The day number on which the 11th lunar month (the one containing the winter solstice)
/// begins, for the solstice of solar year `year`.
fn month11_start(year: i32) -> i64 {
    let dec31 = NaiveDate::from_ymd_opt(year, 12, 31).map(jdn).unwrap_or(0);
    let off = dec31 - 2_415_021;
    let k = (off as f64 / 29.530_588_853).floor() as i64;
    let nm = new_moon_day(k);
    if sun_sector(nm) >= 9 {
        new_moon_day(k - 1)
    } else {
        nm
    }
}

/// The index (1-based, counted from month 11) of the leap month in a 13-month year starting at `a11`.
fn leap_month_offset(a11: i64) -> i64 {
    let k = ((a11 as f64 - 2_415_021.076_998_695) / 29.530_588_853 + 0.5).floor() as i64;
    let mut i = 1;
    let mut arc = sun_sector(new_moon_day(k + i));
    loop {
        let last = arc;
        i += 1;
        arc = sun_sector(new_moon_day(k + i));
        if arc == last || i >= 14 {
            break;
        }
    }
    i - 1
}

/// Converts a solar (Gregorian) date to the Vietnamese lunar date.
pub fn to_lunar(date: NaiveDate) -> Result<LunarDate, LunarError> {
    let yy = date.year();
    if !SUPPORTED_YEARS.contains(&yy) {
        return Err(LunarError::YearOutOfRange(yy));
    }
    let day_number = jdn(date);
    // The mean-month estimate of k can be one off near a new moon (the published version of
    // the algorithm only steps back once and returns day 0 for e.g. 2054-05-07), so search
    // until new_moon_day(k + 1) <= day < new_moon_day(k + 2).
    let mut k = ((day_number as f64 - 2_415_021.076_998_695) / 29.530_588_853).floor() as i64;
    let mut month_start = new_moon_day(k + 1);
    while month_start > day_number {
        k -= 1;
        month_start = new_moon_day(k + 1);
    }
    while new_moon_day(k + 2) <= day_number {
        k += 1;
        month_start = new_moon_day(k + 1);
    }
    let mut a11 = month11_start(yy);
    let mut b11 = a11;
    let mut lunar_year;
    if a11 >= month_start {
        lunar_year = yy;
        a11 = month11_start(yy - 1);
    } else {
        lunar_year = yy + 1;
        b11 = month11_start(yy + 1);
    }
    let lunar_day = (day_number - month_start + 1) as u32;
    let diff = ((month_start - a11) as f64 / 29.0).floor() as i64;
    let mut leap = false;
    let mut lunar_month = diff + 11;
    if b11 - a11 > 365 {
        let leap_diff = leap_month_offset(a11);
        if diff >= leap_diff {
            lunar_month = diff + 10;
            leap = diff == leap_diff;
        }
    }
    if lunar_month > 12 {
        lunar_month -= 12;
    }
    if lunar_month >= 11 && diff < 4 {
        lunar_year -= 1;
    }
    Ok(LunarDate {
        year: lunar_year,
        month: lunar_month as u32,
        day: lunar_day,
        leap,
    })
}

/// The first day (as a day number) of a lunar month, or an error if there is no such month.
fn month_start_day(year: i32, month: u32, leap: bool) -> Result<i64, LunarError> {
    if !(1..=12).contains(&month) {
        return Err(LunarError::OutOfBounds { month, day: 1 });
    }
    if !SUPPORTED_YEARS.contains(&year) {
        return Err(LunarError::YearOutOfRange(year));
    }
    let (a11, b11) = if month < 11 {
        (month11_start(year - 1), month11_start(year))
    } else {
        (month11_start(year), month11_start(year + 1))
    };
    let k = (0.5 + (a11 as f64 - 2_415_021.076_998_695) / 29.530_588_853).floor() as i64;
    let mut off = i64::from(month) - 11;
    if off < 0 {
        off += 12;
    }
    if b11 - a11 > 365 {
        let leap_off = leap_month_offset(a11);
        let mut leap_month = leap_off - 2;
        if leap_month < 0 {
            leap_month += 12;
        }
        if leap && i64::from(month) != leap_month {
            return Err(LunarError::NoSuchLeapMonth { year, month });
        }
        if leap || off >= leap_off {
            off += 1;
        }
    } else if leap {
        return Err(LunarError::NoSuchLeapMonth { year, month });
    }
    Ok(new_moon_day(k + off))
}

/// Converts a Vietnamese lunar date to the solar date, rejecting dates that do not exist
/// (a leap month the year does not have, or day 30 of a 29-day month).
pub fn to_solar(lunar: LunarDate) -> Result<NaiveDate, LunarError> {
    let LunarDate {
        year,
        month,
        day,
        leap,
    } = lunar;
    if !(1..=30).contains(&day) || !(1..=12).contains(&month) {
        return Err(LunarError::OutOfBounds { month, day });
    }
    let start = month_start_day(year, month, leap)?;
    if day == 30 {
        // The month is 30 days long exactly when day start+29 still belongs to it.
        let next = to_lunar(from_jdn(start + 29))?;
        if next.day != 30 {
            return Err(LunarError::NoSuchDay {
                year,
                month,
                leap,
                len: 29,
            });
        }
    }
    Ok(from_jdn(start + i64::from(day) - 1))
}

/// Tết Nguyên Đán (lunar 1/1) of solar year `year`.
pub fn tet(year: i32) -> Result<NaiveDate, LunarError> {
    to_solar(LunarDate {
        year,
        month: 1,
        day: 1,
        leap: false,
    })
}

/// Hùng Kings' Commemoration Day (lunar 10/3) of solar year `year`.
pub fn hung_kings_day(year: i32) -> Result<NaiveDate, LunarError> {
    to_solar(LunarDate {
        year,
        month: 3,
        day: 10,
        leap: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
    }

    #[test]
    fn known_tet_days_from_domain() {
        for (year, date) in [
            (2025, d(2025, 1, 29)),
            (2026, d(2026, 2, 17)),
            (2027, d(2027, 2, 6)),
            // Years where Vietnamese (UTC+7) and Chinese (UTC+8) reckoning differ.
            (1985, d(1985, 1, 21)),
            (2007, d(2007, 2, 17)),
            (2030, d(2030, 2, 2)),
            (2053, d(2053, 2, 18)),
        ] {
            assert_eq!(tet(year), Ok(date), "Tết {year}");
        }
        assert_eq!(hung_kings_day(2025), Ok(d(2025, 4, 7)));
        assert_eq!(hung_kings_day(2026), Ok(d(2026, 4, 26)));
    }

    #[test]
    fn leap_month_round_trip_and_rejections() {
        // 2023 had a leap 2nd month (22 March – 19 April 2023).
        let l = to_lunar(d(2023, 3, 22)).expect("in range");
        assert_eq!(
            l,
            LunarDate {
                year: 2023,
                month: 2,
                day: 1,
                leap: true
            }
        );
        assert_eq!(to_solar(l), Ok(d(2023, 3, 22)));
        assert!(matches!(
            to_solar(LunarDate {
                year: 2024,
                month: 2,
                day: 1,
                leap: true
            }),
            Err(LunarError::NoSuchLeapMonth { .. })
        ));
        assert!(matches!(
            to_solar(LunarDate {
                year: 2024,
                month: 1,
                day: 31,
                leap: false
            }),
            Err(LunarError::OutOfBounds { .. })
        ));
    }

    #[test]
    fn day_thirty_exists_only_in_long_months() {
        // Every lunar month of 2020–2030: day 30 converts iff day 1 of the next month is 30 days later.
        for year in 2020..=2030 {
            for month in 1..=12 {
                let one = to_solar(LunarDate {
                    year,
                    month,
                    day: 1,
                    leap: false,
                })
                .expect("month exists");
                let thirty = to_solar(LunarDate {
                    year,
                    month,
                    day: 30,
                    leap: false,
                });
                let day30 = one + chrono::Days::new(29);
                let is_long = to_lunar(day30).expect("in range").day == 30;
                assert_eq!(thirty.is_ok(), is_long, "{year}-{month}");
            }
        }
    }
}
