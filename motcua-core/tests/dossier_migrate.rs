//! A dossier in flight migrated on purpose to a new version of its procedure: a dry run that
//! changes nothing, the current step mapped (by name when the new version keeps it, else
//! only by an explicit mapping), the deadlines moved by the difference of the limits, one
//! journaled event, and the log replayed with the version each event was decided under.

mod common;

use common::{at, calendar, exec, load_example, staff};
use motcua_core::dossier::migrate::{migrate, preview};
use motcua_core::dossier::{Actor, Applicant, Channel, Command, Ctx, Dossier, Event, verify};
use motcua_core::procedure::{Procedure, Role};
use std::collections::BTreeMap;

/// Version 2025.1: the appraisal step renamed `xem-xet`, 5 working days instead of 3, the
/// appraisal's allowance 22 working hours instead of 14.
fn version_2025() -> Procedure {
    let text = std::fs::read_to_string(common::examples().join("procedures/ho-kinh-doanh.toml"))
        .expect("example");
    let text = text
        .replace("version = \"2024.1\"", "version = \"2025.1\"")
        .replace("time_limit = \"3wd\"", "time_limit = \"5wd\"")
        .replace("\"tham-dinh\"", "\"xem-xet\"")
        .replace("allowance = \"14wh\"", "allowance = \"22wh\"");
    Procedure::load("ho-kinh-doanh-2025.toml", &text)
        .expect("version 2025.1 loads")
        .0
}

/// Brought to the desk on Monday 20 April 2026, accepted at 10:00 (due Thursday 23 April
/// 10:00), then handed along `path`.
fn in_flight(
    p: &Procedure,
    path: &[(&str, Role)],
) -> (Dossier, Vec<motcua_core::dossier::RecordedEvent>) {
    let desk = staff("desk", Role::ReceptionOfficer);
    let mut d = Dossier::new("hs-1", common::agency());
    let mut log = exec(
        &mut d,
        p,
        &desk,
        "2026-04-20T09:00:00+07:00",
        Command::Submit {
            channel: Channel::Direct,
            applicant: Applicant {
                name: "Nguyễn Văn An".into(),
                ..Applicant::default()
            },
            owner: None,
            form: Default::default(),
            components: p.components.iter().map(|c| c.name.clone()).collect(),
            files: vec![],
        },
    )
    .expect("submitted");
    log.extend(
        exec(
            &mut d,
            p,
            &desk,
            "2026-04-20T10:00:00+07:00",
            Command::Accept { sequence: 1 },
        )
        .expect("accepted"),
    );
    for (i, (to, role)) in path.iter().enumerate() {
        let who = if i == 0 {
            desk.clone()
        } else {
            staff("next", path[i - 1].1)
        };
        log.extend(
            exec(
                &mut d,
                p,
                &who,
                &format!("2026-04-20T1{}:00:00+07:00", i + 1),
                Command::Forward {
                    to: (*to).into(),
                    assignee: None,
                },
            )
            .expect("forwarded"),
        );
        let _ = role;
    }
    (d, log)
}

fn ctx<'a>(p: &'a Procedure, actor: &'a Actor) -> Ctx<'a> {
    Ctx {
        now: at("2026-04-21T09:00:00+07:00"),
        actor,
        procedure: p,
        calendar: calendar(),
    }
}

#[test]
fn a_step_the_new_version_keeps_migrates_by_name_and_the_deadlines_move() {
    let v1 = load_example("ho-kinh-doanh.toml");
    let v2 = version_2025();
    let (mut d, mut log) = in_flight(&v1, &[("phan-cong", Role::DepartmentHead)]);
    assert_eq!(d.clock.appointment, Some(at("2026-04-23T10:00:00+07:00")));
    let admin = Actor::system("qt-ht");
    let none = BTreeMap::new();
    let dry = preview(&d, &v1, &none, &ctx(&v2, &admin)).expect("migratable");
    assert_eq!(dry.step, Some(("phan-cong".into(), "phan-cong".into())));
    assert_eq!(dry.step_due, None, "the step's allowance did not change");
    assert_eq!(
        dry.appointment,
        Some((
            at("2026-04-23T10:00:00+07:00"),
            at("2026-04-28T10:00:00+07:00")
        )),
        "two working days more, over the weekend and Hùng Kings' day (Monday 27 April)"
    );
    assert_eq!(d.procedure_version, "2024.1", "a dry run changes nothing");

    let events = migrate(&mut d, &v1, &none, &ctx(&v2, &admin)).expect("migrated");
    assert!(matches!(
        &events[0].event,
        Event::ProcedureMigrated { from_version, to_version, .. }
            if from_version == "2024.1" && to_version == "2025.1"
    ));
    assert!(
        matches!(&events[1].event, Event::Notified { notification }
            if notification.message().contains("28/04/2026 10:00")),
        "the applicant is told the new appointment"
    );
    log.extend(events);
    assert_eq!(d.procedure_version, "2025.1");
    assert_eq!(
        d.clock.original_appointment,
        Some(at("2026-04-28T10:00:00+07:00"))
    );
    assert_eq!(d.clock.limit.map(|l| l.to_string()).as_deref(), Some("5wd"));
    verify(&log).expect("the chain holds");
    // Replayed, each event with the version it was decided under.
    let replayed = Dossier::replay_versions("hs-1", common::agency(), &log, &|v| match v {
        "2024.1" => Some(&v1),
        "2025.1" => Some(&v2),
        _ => None,
    })
    .expect("replays");
    assert_eq!(replayed, d);
    // The new version's workflow applies from now on: the renamed step is the next one.
    exec(
        &mut d,
        &v2,
        &staff("head", Role::DepartmentHead),
        "2026-04-21T10:00:00+07:00",
        Command::Forward {
            to: "xem-xet".into(),
            assignee: None,
        },
    )
    .expect("the new version's step");
    // Migrating again to the same version is refused.
    let again = preview(&d, &v2, &none, &ctx(&v2, &admin)).expect_err("same version");
    assert_eq!(again.code, "same_version");
}

#[test]
fn a_step_the_new_version_lacks_needs_a_mapping_and_a_mapping_needs_a_real_step() {
    let v1 = load_example("ho-kinh-doanh.toml");
    let v2 = version_2025();
    let (mut d, _) = in_flight(
        &v1,
        &[
            ("phan-cong", Role::DepartmentHead),
            ("tham-dinh", Role::Specialist),
        ],
    );
    let admin = Actor::system("qt-ht");
    let unmapped = preview(&d, &v1, &BTreeMap::new(), &ctx(&v2, &admin)).expect_err("no mapping");
    assert_eq!(unmapped.code, "unmapped_step");
    assert!(
        unmapped.message_vi.contains("tham-dinh"),
        "{}",
        unmapped.message_vi
    );
    let wrong: BTreeMap<String, String> = [("tham-dinh".into(), "tham-tra".into())].into();
    assert_eq!(
        preview(&d, &v1, &wrong, &ctx(&v2, &admin))
            .expect_err("no such step")
            .code,
        "unknown_step"
    );
    let right: BTreeMap<String, String> = [("tham-dinh".into(), "xem-xet".into())].into();
    let before = d.clone();
    let dry = preview(&d, &v1, &right, &ctx(&v2, &admin)).expect("mapped");
    assert_eq!(d, before);
    // The appraisal step's allowance grows by 8 working hours, counted from when it began.
    let row = d.slip.last().expect("row");
    let (was, now) = dry.step_due.expect("the step's due moves");
    assert_eq!(was, row.due);
    assert_eq!(
        calendar()
            .working_time(was, now)
            .expect("in range")
            .minutes(),
        8 * 60
    );
    migrate(&mut d, &v1, &right, &ctx(&v2, &admin)).expect("migrated");
    assert_eq!(d.step.as_deref(), Some("xem-xet"));
    assert_eq!(d.slip.last().map(|r| r.step.as_str()), Some("xem-xet"));
    assert_eq!(d.slip.last().map(|r| r.due), Some(now));
}
