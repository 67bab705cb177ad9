//! Calendar versions pending and in force, changes recorded, and the re-projection of
//! dossiers in flight written by the store, on every backend.

mod support;

use chrono::NaiveDate;
use motcua_core::calendar::{
    CalendarSpec, Exception, ExceptionKind, Layer, NationalHolidays, WorkingCalendar,
    default_windows,
};
use motcua_core::dossier::{Actor, Deadline, Event, verify};
use motcua_store::{CalendarShift, ReprojectRequest, StoreError};
use std::sync::Arc;
use support::*;

fn labelled(version: &str, days_off: &[NaiveDate]) -> Arc<WorkingCalendar> {
    let mut spec = CalendarSpec::national(default_windows());
    spec.layers.push(Layer {
        name: "UBND thành phố Sóc Trăng".into(),
        schedule: None,
        seasons: Vec::new(),
        national_holidays: false,
        exceptions: days_off
            .iter()
            .map(|&date| Exception {
                date,
                kind: ExceptionKind::DayOff,
                name: "Nghỉ lễ địa phương".into(),
                source: "Quyết định 12/QĐ-UBND".into(),
            })
            .collect(),
    });
    Arc::new(
        WorkingCalendar::compile(
            &spec,
            &NationalHolidays::builtin().expect("data"),
            2024..=2030,
        )
        .expect("compiles")
        .with_version(version),
    )
}

#[tokio::test]
async fn a_pending_version_comes_into_force_once_with_its_change_recorded() {
    for t in backends().await {
        let s = &t.store;
        let name = format!("agency:{AGENCY}");
        assert!(matches!(
            s.calendar(&name).await,
            Err(StoreError::NotFound(_))
        ));
        let v = s
            .propose_calendar(&name, "{\"a\":1}")
            .await
            .expect("proposed");
        assert_eq!(
            s.propose_calendar(&name, "{\"a\":1}").await.expect("same"),
            v,
            "{}: the same pending content is not stored twice",
            t.name
        );
        let pending = s.pending_calendars().await.expect("pending");
        assert_eq!(pending.len(), 1, "{}", t.name);
        assert_eq!((pending[0].0.as_str(), pending[0].1), (name.as_str(), v));
        assert!(
            matches!(s.calendar(&name).await, Err(StoreError::NotFound(_))),
            "{}: a pending version is not in force",
            t.name
        );
        let shift = CalendarShift {
            agency: AGENCY.into(),
            before: "national@0".into(),
            after: format!("national@0;{name}@{v}"),
        };
        let id = s
            .apply_calendars(
                &[(name.clone(), v)],
                at("2026-04-20T12:00:00+07:00"),
                "qtht",
                std::slice::from_ref(&shift),
                &[],
            )
            .await
            .expect("applied");
        assert!(matches!(
            s.apply_calendars(
                &[(name.clone(), v)],
                at("2026-04-20T12:00:00+07:00"),
                "qtht",
                &[],
                &[]
            )
            .await,
            Err(StoreError::Conflict(_))
        ));
        assert_eq!(s.calendar(&name).await.expect("in force").0, v);
        assert!(s.pending_calendars().await.expect("pending").is_empty());
        let changes = s.calendar_changes().await.expect("changes");
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].id, id);
        assert_eq!(changes[0].agencies, vec![shift]);
        assert_eq!(changes[0].calendars, vec![(name.clone(), v)]);
        assert_eq!(changes[0].done_at, None);
        s.finish_calendar_change(id, at("2026-04-20T12:05:00+07:00"))
            .await
            .expect("finished");
        assert!(
            s.calendar_changes().await.expect("changes")[0]
                .done_at
                .is_some()
        );
        // A pending version can be dropped; the one in force stays.
        let v2 = s
            .propose_calendar(&name, "{\"a\":2}")
            .await
            .expect("proposed");
        assert_eq!(v2, v + 1);
        assert!(s.discard_pending_calendar(&name).await.expect("discarded"));
        assert_eq!(s.calendar(&name).await.expect("in force").0, v);
        assert_eq!(
            s.calendar_version(&name, v).await.expect("kept"),
            "{\"a\":1}"
        );
    }
}

#[tokio::test]
async fn dossiers_in_flight_are_reprojected_once_each_and_verify() {
    for t in backends().await {
        let s = &t.store;
        seed(s).await;
        // Accepted Monday 20 April 2026 at 10:00: due Thursday 23 April at 10:00 (3 working
        // days), computed before calendars had versions.
        at_tham_dinh(s, "a", "Nguyễn Văn An").await;
        at_tham_dinh(s, "b", "Trần Thị Bình").await;
        let before = s.dossier("a").await.expect("a");
        assert_eq!(before.calendar_version, None);
        let appointment = before.clock.appointment.expect("appointment");

        let v1 = labelled("national@1", &[]);
        let v2 = labelled(
            &format!("national@1;agency:{AGENCY}@1"),
            &[NaiveDate::from_ymd_opt(2026, 4, 22).expect("date")],
        );
        let version = v2.version().expect("label").to_string();
        let behind = s
            .dossiers_behind_calendar(AGENCY, &version, "", 100)
            .await
            .expect("behind");
        assert_eq!(
            behind,
            [("a".to_string(), None), ("b".to_string(), None)],
            "{}",
            t.name
        );
        assert_eq!(
            s.count_behind_calendar(AGENCY, &version)
                .await
                .expect("count"),
            2
        );
        let behind: Vec<String> = behind.into_iter().map(|(id, _)| id).collect();
        let system = Actor::system("lich");
        let req = ReprojectRequest {
            calendar: &v2,
            effective_at: at("2026-04-20T12:00:00+07:00"),
            actor: &system,
            now: at("2026-04-20T12:01:00+07:00"),
        };
        let previous = |v: Option<&str>| v.is_none().then(|| v1.clone());
        let procedures = |_: &str, _: &str| Some(procedure().1.clone());
        let done = s
            .reproject(&behind, &req, &previous, &procedures)
            .await
            .expect("reprojected");
        assert_eq!(
            (done.examined, done.moved, done.unchanged),
            (2, 2, 0),
            "{}",
            t.name
        );

        let after = s.dossier("a").await.expect("a");
        assert_eq!(after.calendar_version.as_deref(), Some(version.as_str()));
        assert_eq!(
            after.clock.appointment,
            Some(appointment + chrono::TimeDelta::days(1)),
            "{}: one working day later",
            t.name
        );
        let log = s.events("a").await.expect("events");
        verify(&log).expect("the chain holds");
        let n = log.len();
        assert!(matches!(
            &log[n - 2].event,
            Event::DeadlinesReprojected { moved, .. }
                if moved.iter().any(|m| m.deadline == Deadline::Appointment)
        ));
        assert!(matches!(&log[n - 1].event, Event::Notified { .. }));
        let outbox = s.outbox_of("a").await.expect("outbox");
        assert!(
            outbox
                .iter()
                .any(|(_, payload)| payload.contains("ngày hẹn trả kết quả mới")),
            "{}: {outbox:?}",
            t.name
        );

        // Nothing is behind any more; a second pass changes nothing.
        assert!(
            s.dossiers_behind_calendar(AGENCY, &version, "", 100)
                .await
                .expect("behind")
                .is_empty()
        );
        let again = s
            .reproject(&behind, &req, &|_| Some(v1.clone()), &procedures)
            .await
            .expect("again");
        assert_eq!((again.moved, again.unchanged), (0, 2), "{}", t.name);
        assert_eq!(s.events("a").await.expect("events").len(), n);

        let report = s.verify_all().await.expect("verify");
        assert!(report.problems.is_empty(), "{}: {report:?}", t.name);
        let rebuilt = s.rebuild_projections().await.expect("rebuild");
        assert_eq!(rebuilt.changed, 0, "{}: {rebuilt:?}", t.name);
    }
}
