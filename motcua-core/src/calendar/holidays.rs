//! National public holidays: the announced (confirmed) years and rule-based proposals.
//!
//! The Labour Code fixes which days are holidays, but every year the government announces the
//! exact days off of the state sector: which weekdays compensate Tết days falling on a weekend,
//! which adjacent day goes with National Day, and swaps of a bridge day for a make-up Saturday.
//! Announced years ship as data (`data/vn-national-holidays.toml`); any other year gets a
//! proposal computed from the rules, marked [`YearStatus::Proposed`] wherever it is shown.

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

use super::CalendarError;
use super::lunar;
use super::model::{Exception, ExceptionKind};

const BUILTIN: &str = include_str!("../../data/vn-national-holidays.toml");

/// Whether a year's national holidays were announced or only proposed from the rules.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum YearStatus {
    /// The government's calendar for the year, as announced.
    Confirmed {
        /// The main announcement for the year.
        announced: String,
    },
    /// Computed from the Labour Code rules; the government has not announced it (or it has
    /// not been entered yet). An administrator must confirm it.
    Proposed,
}

impl YearStatus {
    /// Whether the year was announced.
    pub fn is_confirmed(&self) -> bool {
        matches!(self, YearStatus::Confirmed { .. })
    }
}

/// One year of national holidays.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HolidayYear {
    /// The solar year.
    pub year: i32,
    /// Confirmed or proposed.
    #[serde(flatten)]
    pub status: YearStatus,
    /// Days off and make-up working days, in date order.
    pub days: Vec<Exception>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DataFile {
    format: u32,
    #[serde(default)]
    year: Vec<DataYear>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DataYear {
    year: i32,
    announced: String,
    days: Vec<Exception>,
}

/// The national holidays: confirmed years from data, proposals for the rest.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NationalHolidays {
    confirmed: BTreeMap<i32, HolidayYear>,
}

impl NationalHolidays {
    /// The calendars shipped with motcua (announced years 2019–2026).
    pub fn builtin() -> Result<NationalHolidays, CalendarError> {
        NationalHolidays::from_toml(BUILTIN)
    }

    /// Reads confirmed years from a TOML document in the format of the shipped data file.
    pub fn from_toml(text: &str) -> Result<NationalHolidays, CalendarError> {
        let file: DataFile =
            toml::from_str(text).map_err(|e| CalendarError::InvalidData(e.to_string()))?;
        if file.format != 1 {
            return Err(CalendarError::InvalidData(format!(
                "unsupported holiday data format {}",
                file.format
            )));
        }
        let mut holidays = NationalHolidays::default();
        for y in file.year {
            holidays.confirm(y.year, y.announced, y.days)?;
        }
        Ok(holidays)
    }

    /// Records a year as announced, replacing any earlier confirmation of it. Every day must
    /// belong to that year and appear once.
    pub fn confirm(
        &mut self,
        year: i32,
        announced: String,
        mut days: Vec<Exception>,
    ) -> Result<(), CalendarError> {
        days.sort_by_key(|d| d.date);
        for d in &days {
            if d.date.year() != year {
                return Err(CalendarError::InvalidData(format!(
                    "{} is listed under year {year}",
                    d.date
                )));
            }
        }
        if let Some(pair) = days.windows(2).find(|p| p[0].date == p[1].date) {
            return Err(CalendarError::InvalidData(format!(
                "{} is listed twice in year {year}",
                pair[0].date
            )));
        }
        self.confirmed.insert(
            year,
            HolidayYear {
                year,
                status: YearStatus::Confirmed { announced },
                days,
            },
        );
        Ok(())
    }

    /// The years that were announced.
    pub fn confirmed_years(&self) -> impl Iterator<Item = i32> + '_ {
        self.confirmed.keys().copied()
    }

    /// The holidays of `year`: the announced calendar if confirmed, else the rule-based proposal.
    pub fn year(&self, year: i32) -> Result<HolidayYear, CalendarError> {
        if let Some(y) = self.confirmed.get(&year) {
            return Ok(y.clone());
        }
        Ok(HolidayYear {
            year,
            status: YearStatus::Proposed,
            days: propose_year(year)?,
        })
    }
}

const LABOUR_CODE_2019: &str = "Bộ luật Lao động 2019, Điều 112";
const LABOUR_CODE_2012: &str = "Bộ luật Lao động 2012, Điều 115";
const PROPOSAL: &str = "đề xuất theo quy tắc, chưa có thông báo chính thức";

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Builds one proposed year: holidays plus compensatory days, keeping names and sources.
struct Proposal {
    off: BTreeMap<NaiveDate, Exception>,
}

impl Proposal {
    fn add(&mut self, date: NaiveDate, name: String, source: String) {
        self.off.insert(
            date,
            Exception {
                date,
                kind: ExceptionKind::DayOff,
                name,
                source,
            },
        );
    }

    /// The first weekday strictly after (or before, `forward == false`) `from` that is not off.
    fn free_weekday(&self, from: NaiveDate, forward: bool) -> Option<NaiveDate> {
        let mut d = from;
        loop {
            d = if forward {
                d.checked_add_days(Days::new(1))?
            } else {
                d.checked_sub_days(Days::new(1))?
            };
            if !is_weekend(d) && !self.off.contains_key(&d) {
                return Some(d);
            }
        }
    }

    fn compensate(&mut self, holiday: NaiveDate, forward: bool, name: &str, source: &str) {
        if let Some(d) = self.free_weekday(holiday, forward) {
            self.add(d, format!("Nghỉ bù {name}"), source.to_string());
        }
    }
}

/// The rule-based proposal for a year (Labour Code 2019 Art. 112, weekend compensation as the
/// government has applied it every year since 2014):
///
/// * Tết: the last day of the lunar year and the first four days of the new one (three before
///   2013); a Tết day on a Saturday is compensated on the weekday before the block, one on a
///   Sunday on the weekday after it.
/// * 1 January, Hùng Kings' day (lunar 10/3, from 2007), 30 April, 1 May, 2 September,
///   24 November (from 2026): on a weekend, the next free weekday is off.
/// * From 2021, a day adjacent to 2 September, on the side the government has chosen for
///   that weekday in every announcement so far.
pub fn propose_year(year: i32) -> Result<Vec<Exception>, CalendarError> {
    let mut p = Proposal {
        off: BTreeMap::new(),
    };
    let code = if year >= 2021 {
        LABOUR_CODE_2019
    } else {
        LABOUR_CODE_2012
    };
    let src = |law: &str| format!("{law} ({PROPOSAL})");
    let tet = lunar::tet(year)?;
    let eve = tet.pred_opt().ok_or(CalendarError::DateOutOfRange(tet))?;
    let eve_day = lunar::to_lunar(eve)?.day;
    let mut tet_days = vec![(eve, format!("Tết Nguyên đán ({eve_day} tháng Chạp)"))];
    let after = if year >= 2013 { 4 } else { 3 };
    for i in 0..after {
        tet_days.push((
            tet + Days::new(i),
            format!("Tết Nguyên đán (mùng {} tháng Giêng)", i + 1),
        ));
    }
    for (d, name) in &tet_days {
        p.add(*d, name.clone(), src(code));
    }
    let (first, last) = (tet_days[0].0, tet_days[tet_days.len() - 1].0);
    for (d, _) in &tet_days {
        match d.weekday() {
            Weekday::Sat => p.compensate(first, false, "Tết Nguyên đán", &src(code)),
            Weekday::Sun => p.compensate(last, true, "Tết Nguyên đán", &src(code)),
            _ => {}
        }
    }

    let ymd = |m, d| NaiveDate::from_ymd_opt(year, m, d).ok_or(CalendarError::YearOutOfRange(year));
    let mut fixed = vec![
        (ymd(1, 1)?, "Tết Dương lịch"),
        (ymd(4, 30)?, "Ngày Chiến thắng (30/4)"),
        (ymd(5, 1)?, "Ngày Quốc tế Lao động (1/5)"),
        (ymd(9, 2)?, "Quốc khánh (2/9)"),
    ];
    if year >= 2007 {
        fixed.push((
            lunar::hung_kings_day(year)?,
            "Giỗ Tổ Hùng Vương (10/3 âm lịch)",
        ));
    }
    if year >= 2026 {
        fixed.push((ymd(11, 24)?, "Ngày Văn hóa Việt Nam (24/11)"));
    }
    fixed.sort();
    // Days already taken by another holiday need compensation too (e.g. Hùng Kings on 30/4).
    let mut taken: BTreeSet<NaiveDate> = p.off.keys().copied().collect();
    let mut needs_comp = Vec::new();
    for (d, name) in &fixed {
        if is_weekend(*d) || !taken.insert(*d) {
            needs_comp.push((*d, *name));
        }
        if !p.off.contains_key(d) {
            p.add(*d, name.to_string(), src(code));
        }
    }
    if year >= 2021 {
        let sep2 = ymd(9, 2)?;
        let adjacent = match sep2.weekday() {
            Weekday::Mon | Weekday::Thu | Weekday::Sun => sep2.succ_opt(),
            _ => sep2.pred_opt(),
        }
        .ok_or(CalendarError::DateOutOfRange(sep2))?;
        p.add(
            adjacent,
            "Quốc khánh (ngày liền kề 2/9)".to_string(),
            src(LABOUR_CODE_2019),
        );
    }
    for (d, name) in needs_comp {
        let base = name.split(" (").next().unwrap_or(name);
        p.compensate(d, true, base, &src(code));
    }
    Ok(p.off.into_values().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn off_weekdays(days: &[Exception]) -> Vec<NaiveDate> {
        days.iter()
            .filter(|d| d.kind == ExceptionKind::DayOff && !is_weekend(d.date))
            .map(|d| d.date)
            .collect()
    }

    fn date(s: &str) -> NaiveDate {
        s.parse().expect("valid test date")
    }

    #[test]
    fn builtin_data_loads_with_confirmed_2019_to_2026() {
        let h = NationalHolidays::builtin().expect("shipped data parses");
        assert_eq!(
            h.confirmed_years().collect::<Vec<_>>(),
            (2019..=2026).collect::<Vec<_>>()
        );
        assert!(!h.year(2027).expect("proposal").status.is_confirmed());
    }

    /// The proposal rules must reproduce every announced year exactly, except for the swaps
    /// (a bridge day off for a make-up Saturday) which no rule can foresee.
    #[test]
    fn proposals_match_announced_years_except_swaps() {
        let h = NationalHolidays::builtin().expect("shipped data parses");
        for year in 2019..=2026 {
            let announced = h.year(year).expect("confirmed");
            let swapped: Vec<NaiveDate> = announced
                .days
                .iter()
                .filter(|d| d.name.starts_with("Nghỉ hoán đổi"))
                .map(|d| d.date)
                .collect();
            let mut expected = off_weekdays(&announced.days);
            expected.retain(|d| !swapped.contains(d));
            let proposed = off_weekdays(&propose_year(year).expect("proposal"));
            assert_eq!(proposed, expected, "year {year}");
        }
    }

    #[test]
    fn proposal_2027_tet_on_saturday() {
        // Tết 2027 is Saturday 6 February: the block is Fri 5 – Tue 9, compensated Thu 4 and Wed 10.
        let days = propose_year(2027).expect("proposal");
        let off = off_weekdays(&days);
        for d in [
            "2027-02-04",
            "2027-02-05",
            "2027-02-08",
            "2027-02-09",
            "2027-02-10",
        ] {
            assert!(off.contains(&date(d)), "{d} should be off");
        }
        assert!(!off.contains(&date("2027-02-11")));
        // 1 May 2027 is a Saturday: Monday 3 May is off.
        assert!(off.contains(&date("2027-05-03")));
    }

    #[test]
    fn confirm_rejects_days_outside_the_year_and_duplicates() {
        let mut h = NationalHolidays::default();
        let e = |d: &str| Exception {
            date: date(d),
            kind: ExceptionKind::DayOff,
            name: "x".into(),
            source: "y".into(),
        };
        assert!(h.confirm(2030, "a".into(), vec![e("2031-01-01")]).is_err());
        assert!(
            h.confirm(2030, "a".into(), vec![e("2030-01-01"), e("2030-01-01")])
                .is_err()
        );
        assert!(h.confirm(2030, "a".into(), vec![e("2030-01-01")]).is_ok());
        assert!(h.year(2030).expect("confirmed").status.is_confirmed());
    }
}
