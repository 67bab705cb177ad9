//! Property tests of the deadline arithmetic on the national calendar, 2019–2030.

#[path = "oracle/naive.rs"]
mod naive;
use naive::naive_due;

use chrono::{DateTime, TimeDelta, Utc};
use motcua_core::calendar::{Duration, WorkingCalendar, WorkingTime, default_windows};
use proptest::prelude::*;
use std::sync::OnceLock;

fn calendar() -> &'static WorkingCalendar {
    static CAL: OnceLock<WorkingCalendar> = OnceLock::new();
    CAL.get_or_init(|| WorkingCalendar::national(default_windows()).expect("national calendar"))
}

/// 2019-01-01T00:00+07:00 .. 2030-12-31T23:59+07:00, as UTC seconds.
fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    let lo = 1_546_275_600i64; // 2019-01-01T00:00:00+07:00
    let hi = 1_924_966_740i64; // 2030-12-31T23:59:00+07:00
    prop_oneof![
        // Whole minutes, where most real instants are.
        (lo / 60..hi / 60).prop_map(|m| m * 60),
        // Any second.
        lo..hi,
    ]
    .prop_map(|s| DateTime::from_timestamp(s, 0).expect("in range"))
}

/// Up to 60 working days, in seconds; every unit the CLI offers maps onto this.
fn budget() -> impl Strategy<Value = WorkingTime> {
    prop_oneof![
        (0u32..=60).prop_map(|d| Duration::working_days(d).working_time()),
        (0u32..=480).prop_map(|h| Duration::working_hours(h).working_time()),
        (0u32..=28_800).prop_map(|m| Duration::working_minutes(m).working_time()),
        (0i64..=60 * 8 * 3600).prop_map(|s| Some(WorkingTime::from_secs(s))),
    ]
    .prop_map(|w| w.expect("working units"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn working_time_inverts_due(s in instant(), d in budget()) {
        let cal = calendar();
        let due = cal.add_working_time(s, d).unwrap();
        prop_assert_eq!(cal.working_time(s, due).unwrap(), d);
    }

    #[test]
    fn due_is_monotonic_in_start(a in instant(), b in instant(), d in budget()) {
        let cal = calendar();
        let (a, b) = if a <= b { (a, b) } else { (b, a) };
        prop_assert!(cal.add_working_time(a, d).unwrap() <= cal.add_working_time(b, d).unwrap());
    }

    #[test]
    fn due_is_monotonic_in_budget(s in instant(), x in budget(), y in budget()) {
        let cal = calendar();
        let (x, y) = if x <= y { (x, y) } else { (y, x) };
        prop_assert!(cal.add_working_time(s, x).unwrap() <= cal.add_working_time(s, y).unwrap());
    }

    #[test]
    fn due_is_additive(s in instant(), a in budget(), b in budget()) {
        let cal = calendar();
        let step = cal.add_working_time(cal.add_working_time(s, a).unwrap(), b).unwrap();
        prop_assert_eq!(step, cal.add_working_time(s, a + b).unwrap());
    }

    #[test]
    fn due_ends_a_working_second_on_a_working_day(s in instant(), d in budget()) {
        prop_assume!(d.secs() > 0);
        let cal = calendar();
        let due = cal.add_working_time(s, d).unwrap();
        // The second just before the due instant was worked: the due is inside working time
        // or exactly at the end of a window, never at the start of the next one.
        prop_assert!(cal.is_working_instant(due - TimeDelta::seconds(1)).unwrap());
        let local = due.with_timezone(&motcua_core::calendar::vn_offset()).date_naive();
        prop_assert!(cal.is_working_day(local).unwrap());
    }

    #[test]
    fn next_working_instant_is_working_and_accrues_nothing(s in instant()) {
        let cal = calendar();
        let n = cal.next_working_instant(s).unwrap();
        prop_assert!(n >= s);
        prop_assert!(cal.is_working_instant(n).unwrap());
        prop_assert_eq!(cal.working_time(s, n).unwrap().secs(), 0);
    }

    #[test]
    fn agrees_with_the_naive_day_walk(s in instant(), d in budget()) {
        let cal = calendar();
        prop_assert_eq!(cal.add_working_time(s, d).unwrap(), naive_due(cal, s, d).unwrap());
    }

    #[test]
    fn working_time_is_antisymmetric_and_additive(a in instant(), b in instant(), c in instant()) {
        let cal = calendar();
        let ab = cal.working_time(a, b).unwrap();
        prop_assert_eq!(cal.working_time(b, a).unwrap().secs(), -ab.secs());
        prop_assert_eq!(ab + cal.working_time(b, c).unwrap(), cal.working_time(a, c).unwrap());
    }

    #[test]
    fn calendar_days_never_end_on_a_non_working_day(s in instant(), n in 0u32..400) {
        let cal = calendar();
        let due = cal.due(s, Duration::calendar_days(n)).unwrap();
        prop_assert!(due >= s + TimeDelta::days(i64::from(n)));
        let local = due.with_timezone(&motcua_core::calendar::vn_offset()).date_naive();
        prop_assert!(cal.is_working_day(local).unwrap());
    }
}
