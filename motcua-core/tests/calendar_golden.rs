//! Golden tests: lunar dates and the confirmed national calendars against independent data.
//!
//! The files in `tests/data/` were produced by public Python packages (`vnlunar`, `holidays`);
//! their headers say how. They are the independent reference, not motcua's own output.

use chrono::{Datelike, Days, NaiveDate, Weekday};
use motcua_core::calendar::{WorkingCalendar, default_windows, lunar};

fn data_rows(text: &str) -> impl Iterator<Item = Vec<&str>> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .skip_while(|l| l.starts_with("year"))
        .map(|l| l.split([',', ' ']).collect())
}

fn date(s: &str) -> NaiveDate {
    s.parse().expect("golden file holds valid dates")
}

#[test]
fn tet_and_hung_kings_day_1970_to_2100() {
    let text = include_str!("data/tet-hung-1970-2100.csv");
    let mut n = 0;
    for row in data_rows(text) {
        let year: i32 = row[0].parse().expect("year");
        assert_eq!(lunar::tet(year), Ok(date(row[1])), "Tết {year}");
        assert_eq!(
            lunar::hung_kings_day(year),
            Ok(date(row[2])),
            "Hùng Kings {year}"
        );
        n += 1;
    }
    assert_eq!(n, 131, "the golden file covers 1970..=2100");
}

#[test]
fn years_where_vietnam_and_china_differ() {
    let text = include_str!("data/tet-vn-vs-cn.csv");
    let rows: Vec<_> = data_rows(text).collect();
    assert!(rows.iter().any(|r| r[0] == "2030"), "2030 is one of them");
    for row in rows {
        let year: i32 = row[0].parse().expect("year");
        let tet = lunar::tet(year).expect("in range");
        assert_eq!(tet, date(row[1]), "Vietnamese Tết {year}");
        assert_ne!(
            tet,
            date(row[2]),
            "motcua must not follow the Chinese calendar in {year}"
        );
        // The day before Tết is the last day of the old lunar year, never day 1.
        let eve = lunar::to_lunar(tet.pred_opt().expect("in range")).expect("in range");
        assert!(eve.month == 12 && eve.day >= 29, "{year}: {eve:?}");
    }
}

#[test]
fn confirmed_calendars_2019_to_2026_day_by_day() {
    let text = include_str!("data/vn-state-calendar-2019-2026.txt");
    let mut off = std::collections::BTreeSet::new();
    let mut work = std::collections::BTreeSet::new();
    for row in data_rows(text) {
        match row[1] {
            "off" => off.insert(date(row[0])),
            "work" => work.insert(date(row[0])),
            other => panic!("unknown marker {other}"),
        };
    }
    let cal = WorkingCalendar::national(default_windows()).expect("national calendar");
    let mut day = date("2019-01-01");
    let mut checked = 0;
    while day <= date("2026-12-31") {
        let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
        let expected = if weekend {
            work.contains(&day)
        } else {
            !off.contains(&day)
        };
        assert_eq!(cal.is_working_day(day), Ok(expected), "{day}");
        checked += 1;
        day = day + Days::new(1);
    }
    assert_eq!(checked, 2922);
    for year in 2019..=2026 {
        assert!(
            cal.year_status(year).is_some_and(|s| s.is_confirmed()),
            "{year} ships confirmed"
        );
    }
    assert!(cal.year_status(2027).is_some_and(|s| !s.is_confirmed()));
}

#[test]
fn lunar_round_trip_every_day_1900_to_2100() {
    let mut day = date("1900-01-01");
    let end = date("2100-12-31");
    let mut last = lunar::to_lunar(day).expect("in range");
    while day < end {
        let next = day + Days::new(1);
        let l = lunar::to_lunar(next).expect("in range");
        assert_eq!(lunar::to_solar(l), Ok(next), "{next}: {l:?}");
        // Consecutive days either advance the lunar day or start a new month at day 1.
        assert!(
            l.day == last.day + 1 || (l.day == 1 && (29..=30).contains(&last.day)),
            "{next}: {last:?} -> {l:?}"
        );
        last = l;
        day = next;
    }
}
