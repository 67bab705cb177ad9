//! Table-driven tests of the calendar model: windows, layers, seasons, exceptions, cut-off,
//! classification and explanations.

use chrono::{DateTime, NaiveTime, Utc};
use motcua_core::calendar::{
    CalendarSpec, Duration, Exception, ExceptionKind, Layer, MonthDay, NationalHolidays, Period,
    Season, Timeliness, WeeklySchedule, WorkingCalendar, default_windows, parse_windows,
    to_local_rfc3339,
};

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("valid instant")
        .to_utc()
}

fn national() -> WorkingCalendar {
    WorkingCalendar::national(default_windows()).expect("national calendar")
}

/// Checks `due(from, add)` for each row, shown in local time.
fn check(cal: &WorkingCalendar, rows: &[(&str, &str, &str)]) {
    for (from, add, want) in rows {
        let d: Duration = add.parse().expect("duration");
        let due = cal.due(at(from), d).expect("due");
        assert_eq!(to_local_rfc3339(due), *want, "{from} + {add}");
    }
}

#[test]
fn earliest_instant_semantics_on_the_national_calendar() {
    check(
        &national(),
        &[
            // A budget that runs out at 11:30 is due at 11:30, not 13:30.
            (
                "2026-03-02T07:00:00+07:00",
                "270m",
                "2026-03-02T11:30:00+07:00",
            ),
            (
                "2026-03-02T07:00:00+07:00",
                "271m",
                "2026-03-02T13:31:00+07:00",
            ),
            // One working day from the opening is the close of the same day.
            (
                "2026-03-02T07:00:00+07:00",
                "1wd",
                "2026-03-02T17:00:00+07:00",
            ),
            // Outside working hours nothing accrues until the next window.
            (
                "2026-03-02T19:00:00+07:00",
                "1wh",
                "2026-03-03T08:00:00+07:00",
            ),
            (
                "2026-03-02T12:00:00+07:00",
                "30m",
                "2026-03-02T14:00:00+07:00",
            ),
            // Friday afternoon over a weekend.
            (
                "2026-03-06T16:00:00+07:00",
                "2wh",
                "2026-03-09T08:00:00+07:00",
            ),
            // Zero is the start itself.
            (
                "2026-03-07T10:00:00+07:00",
                "0wd",
                "2026-03-07T10:00:00+07:00",
            ),
            // UTC input is shown in local time.
            ("2026-03-02T00:00:00Z", "1wh", "2026-03-02T08:00:00+07:00"),
            // Tết 2026 (Mon 16 – Fri 20 February) and the weekends around it.
            (
                "2026-02-13T16:00:00+07:00",
                "8wh",
                "2026-02-23T16:00:00+07:00",
            ),
            // The make-up Saturday 22 August 2026 is worked, Monday 31 August is not.
            (
                "2026-08-21T17:00:00+07:00",
                "1wd",
                "2026-08-22T17:00:00+07:00",
            ),
            (
                "2026-08-28T17:00:00+07:00",
                "1wh",
                "2026-09-03T08:00:00+07:00",
            ),
            // Vietnam Culture Day, Tuesday 24 November 2026.
            (
                "2026-11-23T17:00:00+07:00",
                "1wd",
                "2026-11-25T17:00:00+07:00",
            ),
            // Calendar days roll forward off non-working days.
            (
                "2026-02-06T10:00:00+07:00",
                "10cd",
                "2026-02-23T07:00:00+07:00",
            ),
            (
                "2026-03-02T10:00:00+07:00",
                "3cd",
                "2026-03-05T10:00:00+07:00",
            ),
            // A ten-year horizon is no problem (the 2500th working day from 5 January 2026,
            // counted independently with the Python `holidays` package: 2036-01-18).
            (
                "2026-01-05T07:00:00+07:00",
                "2500wd",
                "2036-01-18T17:00:00+07:00",
            ),
        ],
    );
}

#[test]
fn other_windows_and_seasons_and_layers() {
    let holidays = NationalHolidays::builtin().expect("shipped data");
    let winter = Season {
        name: "Giờ làm việc mùa đông".into(),
        period: Period::Annual {
            from: MonthDay { month: 10, day: 1 },
            to: MonthDay { month: 3, day: 31 },
        },
        schedule: WeeklySchedule::office_week(
            parse_windows("07:30-12:00,13:00-16:30").expect("windows"),
        ),
    };
    let province = Layer {
        name: "UBND tỉnh".into(),
        schedule: Some(WeeklySchedule::office_week(
            parse_windows("07:00-11:00,13:00-17:00").expect("windows"),
        )),
        seasons: vec![winter],
        national_holidays: false,
        exceptions: vec![Exception {
            date: "2026-06-01".parse().expect("date"),
            kind: ExceptionKind::DayOff,
            name: "Nghỉ theo quyết định của tỉnh".into(),
            source: "Quyết định 1/QĐ-UBND (ví dụ)".into(),
        }],
    };
    let agency = Layer {
        name: "Sở X".into(),
        schedule: None,
        seasons: Vec::new(),
        national_holidays: false,
        exceptions: vec![Exception {
            // The agency works the province's day off, but only in the morning.
            date: "2026-06-01".parse().expect("date"),
            kind: ExceptionKind::WorkingDay {
                windows: Some(parse_windows("07:00-11:00").expect("windows")),
            },
            name: "Trực tiếp nhận hồ sơ".into(),
            source: "Thông báo của Sở X (ví dụ)".into(),
        }],
    };
    let province_only = WorkingCalendar::compile(
        &CalendarSpec::national(default_windows()).with_layer(province.clone()),
        &holidays,
        2025..=2027,
    )
    .expect("compiles");
    check(
        &province_only,
        &[
            // Summer: the province's 07:00-11:00, 13:00-17:00.
            (
                "2026-05-04T07:00:00+07:00",
                "4wh",
                "2026-05-04T11:00:00+07:00",
            ),
            // Winter (annual period wrapping the new year): 07:30-12:00, 13:00-16:30.
            (
                "2026-11-02T07:00:00+07:00",
                "4wh",
                "2026-11-02T11:30:00+07:00",
            ),
            (
                "2026-01-05T07:00:00+07:00",
                "5wh",
                "2026-01-05T13:30:00+07:00",
            ),
            // National holidays still apply below a layer that does not carry them.
            (
                "2026-04-29T17:00:00+07:00",
                "1wh",
                "2026-05-04T08:00:00+07:00",
            ),
            // The province's own day off.
            (
                "2026-05-29T17:00:00+07:00",
                "1wh",
                "2026-06-02T08:00:00+07:00",
            ),
        ],
    );
    let with_agency = WorkingCalendar::compile(
        &CalendarSpec::national(default_windows())
            .with_layer(province)
            .with_layer(agency),
        &holidays,
        2025..=2027,
    )
    .expect("compiles");
    check(
        &with_agency,
        &[(
            "2026-05-29T17:00:00+07:00",
            "5wh",
            "2026-06-02T08:00:00+07:00",
        )],
    );
}

#[test]
fn cut_off_counts_late_arrivals_from_the_next_working_day() {
    let cal = national();
    let cutoff = NaiveTime::from_hms_opt(15, 0, 0);
    for (received, want) in [
        ("2026-03-02T14:59:00+07:00", "2026-03-02T14:59:00+07:00"),
        ("2026-03-02T15:00:00+07:00", "2026-03-03T07:00:00+07:00"),
        ("2026-03-06T16:00:00+07:00", "2026-03-09T07:00:00+07:00"),
        // Friday 13 February 2026 after 15:00: Tết and the weekend follow.
        ("2026-02-13T15:30:00+07:00", "2026-02-23T07:00:00+07:00"),
    ] {
        let start = cal.counting_start(at(received), cutoff).expect("in range");
        assert_eq!(to_local_rfc3339(start), want, "{received}");
    }
    assert_eq!(
        cal.counting_start(at("2026-03-02T16:00:00+07:00"), None),
        Ok(at("2026-03-02T16:00:00+07:00"))
    );
}

#[test]
fn classification_against_the_due_instant() {
    let due = at("2026-03-05T11:30:00+07:00");
    for (finished, want) in [
        ("2026-03-04T16:59:00+07:00", Timeliness::Early),
        ("2026-03-05T07:00:00+07:00", Timeliness::OnTime),
        ("2026-03-05T11:30:00+07:00", Timeliness::OnTime),
        ("2026-03-05T11:30:01+07:00", Timeliness::Late),
        // Local dates decide, not UTC dates: 2026-03-04T23:30+07:00 is still 4 March locally.
        ("2026-03-04T16:30:00Z", Timeliness::Early),
    ] {
        assert_eq!(Timeliness::classify(at(finished), due), want, "{finished}");
    }
}

#[test]
fn bad_specs_and_ranges_are_errors_not_panics() {
    assert!(parse_windows("11:30-07:00").is_err());
    assert!(parse_windows("07:00-12:00,11:00-17:00").is_err());
    assert!(parse_windows("7h-11h").is_err());
    let holidays = NationalHolidays::builtin().expect("shipped data");
    let empty = CalendarSpec { layers: Vec::new() };
    assert!(WorkingCalendar::compile(&empty, &holidays, 2026..=2026).is_err());
    assert!(
        WorkingCalendar::compile(
            &CalendarSpec::national(default_windows()),
            &holidays,
            1500..=2026
        )
        .is_err()
    );
    let cal = WorkingCalendar::compile(
        &CalendarSpec::national(default_windows()),
        &holidays,
        2026..=2026,
    )
    .expect("compiles");
    // Past the compiled range is an error, never a silent stop.
    assert!(
        cal.due(at("2026-12-31T10:00:00+07:00"), Duration::working_days(5))
            .is_err()
    );
    assert!(
        cal.due(at("2025-12-31T10:00:00+07:00"), Duration::working_days(1))
            .is_err()
    );
}

#[test]
fn explain_snapshots() {
    let cal = national();
    for (name, from, add) in [
        ("tet_2026_8wh", "2026-02-13T16:00:00+07:00", "8wh"),
        ("swap_2024_15wd", "2024-04-22T09:15:00+07:00", "15wd"),
        ("national_day_2026_3wd", "2026-08-28T18:00:00+07:00", "3wd"),
        ("calendar_days_rolled", "2026-02-06T10:00:00+07:00", "10cd"),
        ("proposed_year_2027", "2027-02-01T10:00:00+07:00", "10wd"),
    ] {
        let e = cal
            .explain(at(from), add.parse().expect("duration"))
            .expect("explain");
        insta::assert_snapshot!(name, e.to_string());
    }
}
