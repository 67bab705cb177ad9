//! A change of calendar brought into force for a dossier in flight: the deadlines still
//! running move, with one journaled event, a notice to the applicant when the appointment
//! moves, the calendar versions before and after, and the days that made them move; nothing
//! else moves, a closed dossier is refused, and applying the change twice changes nothing.

mod common;

use chrono::NaiveDate;
use common::{applicant, at, load_example, staff};
use motcua_core::calendar::{
    CalendarSpec, Exception, ExceptionKind, Layer, NationalHolidays, WorkingCalendar,
    default_windows,
};
use motcua_core::dossier::reproject::{apply_change, preview};
use motcua_core::dossier::{
    Applicant, Channel, Command, Ctx, Deadline, Dossier, Event, State, execute, verify,
};
use motcua_core::procedure::{Procedure, Role};
use std::sync::Arc;

/// The national calendar, with an agency layer of days off, labelled `version`.
fn calendar(version: &str, days_off: &[(i32, u32, u32)]) -> Arc<WorkingCalendar> {
    let mut spec = CalendarSpec::national(default_windows());
    spec.layers.push(Layer {
        name: "UBND thành phố Sóc Trăng".into(),
        schedule: None,
        seasons: Vec::new(),
        national_holidays: false,
        exceptions: days_off
            .iter()
            .map(|&(y, m, d)| Exception {
                date: NaiveDate::from_ymd_opt(y, m, d).expect("date"),
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
            2025..=2028,
        )
        .expect("compiles")
        .with_version(version),
    )
}

fn run(
    d: &mut Dossier,
    p: &Procedure,
    cal: &Arc<WorkingCalendar>,
    actor: &motcua_core::dossier::Actor,
    now: &str,
    command: Command,
) -> Vec<motcua_core::dossier::RecordedEvent> {
    let ctx = Ctx {
        now: at(now),
        actor,
        procedure: p,
        calendar: cal,
    };
    execute(d, &command, &ctx).expect("accepted")
}

/// Received at the desk on Monday 20 April 2026, accepted at 10:00 (3 working days: due
/// Thursday 23 April 10:00), handed to the department head.
fn in_flight(
    p: &Procedure,
    cal: &Arc<WorkingCalendar>,
) -> (Dossier, Vec<motcua_core::dossier::RecordedEvent>) {
    let desk = staff("desk", Role::ReceptionOfficer);
    let mut d = Dossier::new("hs-1", common::agency());
    let mut log = run(
        &mut d,
        p,
        cal,
        &desk,
        "2026-04-20T09:00:00+07:00",
        Command::Submit {
            channel: Channel::Direct,
            applicant: Applicant {
                name: "Nguyễn Văn An".into(),
                phone: "0912345678".into(),
                ..Applicant::default()
            },
            owner: None,
            form: Default::default(),
            components: p.components.iter().map(|c| c.name.clone()).collect(),
            files: vec![],
        },
    );
    log.extend(run(
        &mut d,
        p,
        cal,
        &desk,
        "2026-04-20T10:00:00+07:00",
        Command::Accept { sequence: 1 },
    ));
    log.extend(run(
        &mut d,
        p,
        cal,
        &desk,
        "2026-04-20T10:30:00+07:00",
        Command::Forward {
            to: "phan-cong".into(),
            assignee: None,
        },
    ));
    (d, log)
}

#[test]
fn a_day_off_moves_the_deadlines_still_running_with_one_event() {
    let p = load_example("ho-kinh-doanh.toml");
    let v1 = calendar("co-quan@1", &[]);
    let (mut d, mut log) = in_flight(&p, &v1);
    assert_eq!(d.calendar_version.as_deref(), Some("co-quan@1"));
    assert_eq!(d.clock.appointment, Some(at("2026-04-23T10:00:00+07:00")));
    let first_row_due = d.slip[0].due;

    // Wednesday 22 April becomes a day off; the change counts from Monday 12:00.
    let v2 = calendar("co-quan@2", &[(2026, 4, 22)]);
    let system = motcua_core::dossier::Actor::system("lich");
    let ctx = Ctx {
        now: at("2026-04-20T12:00:00+07:00"),
        actor: &system,
        procedure: &p,
        calendar: &v2,
    };
    let effective = at("2026-04-20T12:00:00+07:00");
    let seen = preview(&d, &v1, &ctx, effective).expect("previewed");
    assert_eq!(d.version, log.len() as u64, "a preview changes nothing");
    let kinds: Vec<&Deadline> = seen.moved.iter().map(|m| &m.deadline).collect();
    assert!(kinds.contains(&&Deadline::Appointment), "{kinds:?}");
    assert!(kinds.contains(&&Deadline::OriginalAppointment), "{kinds:?}");
    assert_eq!(
        seen.because,
        ["2026-04-22: nghỉ, Nghỉ lễ địa phương (Quyết định 12/QĐ-UBND)"]
    );

    let events = apply_change(&mut d, &v1, &ctx, effective).expect("applied");
    assert_eq!(events.len(), 2, "the change and the applicant's notice");
    match &events[0].event {
        Event::DeadlinesReprojected {
            calendar_before,
            calendar_after,
            effective_at,
            moved,
            because,
        } => {
            assert_eq!(calendar_before.as_deref(), Some("co-quan@1"));
            assert_eq!(calendar_after, "co-quan@2");
            assert_eq!(*effective_at, effective);
            assert_eq!(moved, &seen.moved);
            assert_eq!(because, &seen.because);
        }
        other => panic!("{other:?}"),
    }
    match &events[1].event {
        Event::Notified { notification } => {
            assert!(
                notification.message().contains("24/04/2026 10:00")
                    && notification
                        .message()
                        .contains("trước đây 23/04/2026 10:00"),
                "{}",
                notification.message()
            );
        }
        other => panic!("{other:?}"),
    }
    log.extend(events);
    // One working day later; the step already left keeps its due; the version is recorded.
    assert_eq!(d.clock.appointment, Some(at("2026-04-24T10:00:00+07:00")));
    assert_eq!(d.clock.original_appointment, d.clock.appointment);
    assert_eq!(d.slip[0].due, first_row_due);
    assert_eq!(d.calendar_version.as_deref(), Some("co-quan@2"));
    verify(&log).expect("the chain holds");

    // Applied again: nothing to do.
    let again = apply_change(&mut d, &v1, &ctx, effective).expect("idempotent");
    assert!(again.is_empty());

    // Reverting the change restores the appointment.
    let v3 = calendar("co-quan@3", &[]);
    let revert = Ctx {
        calendar: &v3,
        ..ctx
    };
    log.extend(apply_change(&mut d, &v2, &revert, effective).expect("reverted"));
    assert_eq!(d.clock.appointment, Some(at("2026-04-23T10:00:00+07:00")));
    verify(&log).expect("the chain holds");
    // The log replays into the same dossier.
    assert_eq!(
        Dossier::replay("hs-1", common::agency(), &log, &p).expect("replays"),
        d
    );
}

#[test]
fn nothing_moves_for_a_day_off_after_every_deadline_and_closed_dossiers_are_refused() {
    let p = load_example("ho-kinh-doanh.toml");
    let v1 = calendar("co-quan@1", &[]);
    let (mut d, _) = in_flight(&p, &v1);
    let later = calendar("co-quan@2", &[(2026, 5, 20)]);
    let system = motcua_core::dossier::Actor::system("lich");
    let ctx = Ctx {
        now: at("2026-04-20T12:00:00+07:00"),
        actor: &system,
        procedure: &p,
        calendar: &later,
    };
    let version = d.version;
    let events = apply_change(&mut d, &v1, &ctx, at("2026-04-20T12:00:00+07:00")).expect("applied");
    assert!(events.is_empty(), "nothing moved, nothing recorded");
    assert_eq!(d.version, version);

    // An online dossier waiting for acceptance: its intake due moves.
    let mut online = Dossier::new("hs-2", common::agency());
    let submit = Command::Submit {
        channel: Channel::Online,
        applicant: Applicant {
            name: "Trần Thị Bình".into(),
            ..Applicant::default()
        },
        owner: None,
        form: [
            ("ten_ho_kinh_doanh".to_string(), "Tạp hóa Bình".to_string()),
            ("nganh_nghe".to_string(), "Bán lẻ".to_string()),
        ]
        .into(),
        components: p.components.iter().map(|c| c.name.clone()).collect(),
        files: vec![],
    };
    run(
        &mut online,
        &p,
        &v1,
        &applicant("binh"),
        "2026-04-21T16:00:00+07:00",
        submit,
    );
    assert_eq!(online.intake_due, Some(at("2026-04-22T16:00:00+07:00")));
    let v2 = calendar("co-quan@2", &[(2026, 4, 22)]);
    let ctx2 = Ctx {
        calendar: &v2,
        now: at("2026-04-21T17:00:00+07:00"),
        ..ctx
    };
    apply_change(&mut online, &v1, &ctx2, at("2026-04-21T17:00:00+07:00")).expect("applied");
    assert_eq!(online.intake_due, Some(at("2026-04-23T16:00:00+07:00")));

    // Closed: refused, unchanged.
    let desk = staff("desk", Role::ReceptionOfficer);
    run(
        &mut online,
        &p,
        &v2,
        &desk,
        "2026-04-22T08:00:00+07:00",
        Command::Refuse {
            reason: "Không thuộc thẩm quyền".into(),
        },
    );
    assert_eq!(online.state, State::Refused);
    let before = online.clone();
    let v3 = calendar("co-quan@3", &[(2026, 4, 22), (2026, 4, 23)]);
    let ctx3 = Ctx {
        calendar: &v3,
        ..ctx2
    };
    let refused =
        apply_change(&mut online, &v2, &ctx3, at("2026-04-22T09:00:00+07:00")).expect_err("closed");
    assert_eq!(refused.code, "closed");
    assert_eq!(online, before);
}
