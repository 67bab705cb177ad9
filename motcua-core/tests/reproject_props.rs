//! Property tests of re-projection (docs/calendar.md, "Calendar changes and deadlines in
//! flight"): a change of calendar made of days off, make-up working days and a season of other
//! windows, at a random instant, over dues the engine computed under the calendar before.
//!
//! - re-projecting a due and then reverting the change restores it;
//! - re-projection never moves a due to before the instant of the change;
//! - for a change that leaves the days before it as they were, a re-projected due equals the
//!   due computed from scratch under the new calendar.

use chrono::{DateTime, Days, NaiveDate, TimeDelta, Utc};
use motcua_core::calendar::{
    CalendarSpec, Duration, Exception, ExceptionKind, Layer, NationalHolidays, Period, Season,
    WeeklySchedule, WorkingCalendar, WorkingTime, date_of, default_windows, parse_windows,
    reproject,
};
use proptest::prelude::*;
use std::sync::OnceLock;

fn holidays() -> &'static NationalHolidays {
    static H: OnceLock<NationalHolidays> = OnceLock::new();
    H.get_or_init(|| NationalHolidays::builtin().expect("shipped holidays"))
}

fn old() -> &'static WorkingCalendar {
    static C: OnceLock<WorkingCalendar> = OnceLock::new();
    C.get_or_init(|| compile(Vec::new(), None))
}

/// The national calendar with an agency layer of `days` (date, off?) and, from a date, other
/// windows for sixty days.
fn compile(days: Vec<(NaiveDate, bool)>, season_from: Option<NaiveDate>) -> WorkingCalendar {
    let mut spec = CalendarSpec::national(default_windows());
    let mut exceptions: Vec<Exception> = Vec::new();
    for (date, off) in days {
        if exceptions.iter().any(|e| e.date == date) {
            continue;
        }
        exceptions.push(Exception {
            date,
            kind: if off {
                ExceptionKind::DayOff
            } else {
                ExceptionKind::WorkingDay { windows: None }
            },
            name: if off { "Nghỉ" } else { "Làm bù" }.into(),
            source: "Quyết định thử".into(),
        });
    }
    let seasons = season_from
        .map(|from| {
            vec![Season {
                name: "Giờ mùa đông".into(),
                period: Period::Dates {
                    from,
                    to: from + Days::new(60),
                },
                schedule: WeeklySchedule::office_week(
                    parse_windows("07:30-12:00,13:00-16:30").expect("windows"),
                ),
            }]
        })
        .unwrap_or_default();
    spec.layers.push(Layer {
        name: "Cơ quan".into(),
        schedule: None,
        seasons,
        national_holidays: false,
        exceptions,
    });
    WorkingCalendar::compile(&spec, holidays(), 2025..=2028).expect("compiles")
}

/// 2026-01-01T00:00+07:00 .. 2026-12-31, whole minutes.
fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    (1_767_200_400i64 / 60..1_798_736_400i64 / 60)
        .prop_map(|m| DateTime::from_timestamp(m * 60, 0).expect("in range"))
}

fn budget() -> impl Strategy<Value = WorkingTime> {
    prop_oneof![
        (0u32..=30).prop_map(|d| Duration::working_days(d).working_time()),
        (0u32..=120).prop_map(|h| Duration::working_hours(h).working_time()),
        (0i64..=20 * 8 * 3600).prop_map(|s| Some(WorkingTime::from_secs(s))),
    ]
    .prop_map(|w| w.expect("working units"))
}

/// A change: up to six days (offset in days from a reference date, day off or make-up day),
/// and maybe a season of other windows starting some days after it.
fn change() -> impl Strategy<Value = (Vec<(u64, bool)>, Option<u64>)> {
    (
        prop::collection::vec((0u64..60, any::<bool>()), 0..6),
        prop::option::of(0u64..40),
    )
}

fn build(
    reference: NaiveDate,
    (days, season): &(Vec<(u64, bool)>, Option<u64>),
) -> WorkingCalendar {
    compile(
        days.iter()
            .map(|(d, off)| (reference + Days::new(*d), *off))
            .collect(),
        season.map(|d| reference + Days::new(d)),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn reverting_a_change_restores_every_due(
        start in instant(),
        elapsed in 0i64..(30 * 24 * 3600),
        b in budget(),
        c in change(),
    ) {
        let at = start + TimeDelta::seconds(elapsed);
        let new = build(date_of(at), &c);
        let due = old().add_working_time(start, b).unwrap();
        let moved = reproject(old(), &new, at, due).unwrap().unwrap_or(due);
        let back = reproject(&new, old(), at, moved).unwrap().unwrap_or(moved);
        prop_assert_eq!(back, due, "moved to {}", moved);
    }

    #[test]
    fn nothing_moves_to_before_the_change(
        start in instant(),
        elapsed in 0i64..(30 * 24 * 3600),
        b in budget(),
        c in change(),
        from_before in 0u64..20,
    ) {
        let at = start + TimeDelta::seconds(elapsed);
        // Changes may also touch the days before the change: those are never re-counted.
        let new = build(date_of(at) - Days::new(from_before), &c);
        let due = old().add_working_time(start, b).unwrap();
        if let Some(moved) = reproject(old(), &new, at, due).unwrap() {
            prop_assert!(moved >= at, "{} moved to {} before the change at {}", due, moved, at);
            prop_assert!(due > at, "a due that had passed moved");
        }
    }

    #[test]
    fn a_reprojected_due_is_the_due_computed_under_the_new_calendar(
        start in instant(),
        elapsed in 0i64..(30 * 24 * 3600),
        b in budget(),
        c in change(),
    ) {
        let at = start + TimeDelta::seconds(elapsed);
        // The change starts the day after the instant it comes into force.
        let new = build(date_of(at) + Days::new(1), &c);
        let due = old().add_working_time(start, b).unwrap();
        let moved = reproject(old(), &new, at, due).unwrap().unwrap_or(due);
        prop_assert_eq!(moved, new.add_working_time(start, b).unwrap());
    }
}

#[test]
fn a_day_off_moves_a_due_by_a_working_day_and_says_which_day() {
    // Due Thursday 10 December 2026 at 10:00; Wednesday 9 December becomes a day off.
    let at: DateTime<Utc> = "2026-12-07T09:00:00+07:00".parse().unwrap();
    let due: DateTime<Utc> = "2026-12-10T10:00:00+07:00".parse().unwrap();
    let new = compile(
        vec![(NaiveDate::from_ymd_opt(2026, 12, 9).unwrap(), true)],
        None,
    );
    let moved = reproject(old(), &new, at, due).unwrap();
    assert_eq!(
        moved,
        Some("2026-12-11T10:00:00+07:00".parse().unwrap()),
        "one working day later"
    );
    let days =
        motcua_core::calendar::changed_days(old(), &new, date_of(at), date_of(moved.unwrap()))
            .unwrap();
    assert_eq!(days.len(), 1);
    assert_eq!(
        days[0].describe(),
        "2026-12-09: nghỉ, Nghỉ (Quyết định thử)"
    );
    // A due before the day off does not move, nor one that had passed.
    let before: DateTime<Utc> = "2026-12-08T16:00:00+07:00".parse().unwrap();
    assert_eq!(reproject(old(), &new, at, before).unwrap(), None);
    let passed: DateTime<Utc> = "2026-12-04T16:00:00+07:00".parse().unwrap();
    assert_eq!(reproject(old(), &new, at, passed).unwrap(), None);
    // An instant a person chose outside working hours stays as chosen when the change does
    // not concern it.
    let chosen: DateTime<Utc> = "2026-12-08T17:30:00+07:00".parse().unwrap();
    assert_eq!(reproject(old(), &new, at, chosen).unwrap(), None);
}
