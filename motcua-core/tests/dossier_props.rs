//! State-machine property test: random command sequences from random actors never panic and
//! keep the dossier's invariants.

mod common;

use chrono::{DateTime, TimeDelta, Utc};
use common::{AGENCY, applicant, calendar, load_example, staff};
use motcua_core::dossier::{
    self, Actor, ActorKind, Applicant, Attachment, Channel, Command, Ctx, Dossier, Event, Outcome,
    State,
};
use motcua_core::procedure::{Procedure, Role};
use proptest::prelude::*;

fn actors() -> Vec<Actor> {
    let mut v = vec![applicant("owner"), applicant("stranger")];
    for r in [
        Role::ReceptionOfficer,
        Role::DepartmentHead,
        Role::Specialist,
        Role::AgencyLeader,
        Role::Clerk,
    ] {
        v.push(staff(r.as_str(), r));
    }
    v.push(Actor {
        id: "elsewhere".into(),
        kind: ActorKind::Staff {
            agency: motcua_core::dossier::AgencyId::parse("000.99.99.H53").expect("agency"),
            roles: Role::ALL.to_vec(),
        },
    });
    v
}

fn command(choice: u8, param: u8, now: DateTime<Utc>, p: &Procedure) -> Command {
    let step = |i: u8| p.steps[usize::from(i) % p.steps.len()].id.clone();
    let file = Attachment {
        name: "f.pdf".into(),
        sha256: "00".repeat(32),
    };
    let later = now + TimeDelta::hours(i64::from(param) * 5);
    match choice % 28 {
        0 | 1 => Command::Submit {
            channel: if choice.is_multiple_of(27) {
                Channel::Online
            } else {
                Channel::Direct
            },
            applicant: Applicant {
                name: "Nguyễn Văn An".into(),
                ..Applicant::default()
            },
            owner: Some("owner".into()),
            form: [("cong_trinh".to_string(), "x".to_string())].into(),
            components: vec![],
            files: vec![],
        },
        2 => Command::ReturnForCompletion {
            missing: vec!["x".into()],
            note: String::new(),
        },
        3 => Command::Refuse { reason: "r".into() },
        4 => Command::Accept {
            sequence: u32::from(param % 4),
        },
        5 => Command::Forward {
            to: step(param),
            assignee: None,
        },
        6 => Command::SendBack {
            to: step(param),
            instructions: "lại".into(),
        },
        7 => Command::Approve { to: step(param) },
        8 => Command::Assign {
            officer: "cv".into(),
        },
        9 => Command::AttachDraft { attachment: file },
        10 => Command::AttachSignedResult { attachment: file },
        11 => Command::RequestSupplement {
            reason: "r".into(),
            items: vec!["i".into()],
            applicant_fault: param.is_multiple_of(2),
        },
        12 => Command::ReceiveSupplement {
            items: vec![],
            files: vec![],
        },
        13 => Command::OpenConsultation {
            id: format!("c{}", param % 2),
            agencies: vec!["A".into(), "B".into()],
            content: "c".into(),
            deadline: later,
        },
        14 => Command::AnswerConsultation {
            id: format!("c{}", param % 2),
            agency: if param.is_multiple_of(3) { "A" } else { "B" }.into(),
            answer: "ok".into(),
        },
        15 => Command::ScheduleVerification {
            time: later,
            place: "p".into(),
            participants: vec!["a".into()],
            content: "c".into(),
        },
        16 => Command::RequestExtension {
            reason: "r".into(),
            extra: Some(motcua_core::calendar::Duration::working_days(u32::from(
                param % 6,
            ))),
            new_appointment: None,
        },
        17 => Command::GrantExtension,
        18 => Command::Apologise {
            reason: "r".into(),
            new_appointment: later,
        },
        19 => Command::RequestPayment {
            amount_vnd: u64::from(param) * 1000,
            reason: "thuế".into(),
        },
        20 => Command::RecordPayment,
        21 => Command::RequestWithdrawal { reason: "r".into() },
        22 => Command::ConfirmWithdrawal,
        23 => Command::Stop { reason: "r".into() },
        24 => Command::MarkFinished {
            outcome: if param.is_multiple_of(2) {
                Outcome::Granted
            } else {
                Outcome::Rejected { reason: "r".into() }
            },
        },
        25 => Command::ReturnResult,
        26 => Command::RequestPostalDelivery {
            address: if param.is_multiple_of(3) {
                String::new()
            } else {
                format!("Số {param}, đường 30/4")
            },
            phone: "0912 345 678".into(),
        },
        _ => Command::Rate {
            score: param % 7,
            comment: String::new(),
            indicators: motcua_core::dossier::RatingIndicators {
                came_back: Some(param % 4),
                ..Default::default()
            },
        },
    }
}

/// A command that makes sense in the dossier's state, and who would send it: drives random
/// runs deep into the lifecycle, where the random commands then probe every corner.
fn sensible(d: &Dossier, p: &Procedure, param: u8, now: DateTime<Utc>) -> (Command, Option<Role>) {
    let pick = |n: usize| usize::from(param) % n.max(1);
    match d.state {
        State::New => (command(0, param, now, p), None),
        State::Submitted => (
            Command::Accept { sequence: 1 },
            Some(Role::ReceptionOfficer),
        ),
        State::AwaitingSupplement => (
            Command::ReceiveSupplement {
                items: vec![],
                files: vec![],
            },
            Some(Role::ReceptionOfficer),
        ),
        State::AwaitingPayment => (Command::RecordPayment, Some(Role::ReceptionOfficer)),
        State::Finished => (Command::ReturnResult, Some(Role::ReceptionOfficer)),
        State::InProgress => {
            let here = d.step.clone().unwrap_or_default();
            let role = p.step(&here).map(|s| s.role);
            let outs: Vec<_> = p.transitions.iter().filter(|t| t.from == here).collect();
            match param % 8 {
                0 => (command(9, param, now, p), role),
                1 => (command(10, param, now, p), Some(Role::Clerk)),
                2 if p.step(&here).is_some_and(|s| s.end) => (command(24, param, now, p), role),
                3 => (command(16, param, now, p), role),
                4 => (Command::GrantExtension, Some(Role::AgencyLeader)),
                _ if !outs.is_empty() => {
                    let t = outs[pick(outs.len())];
                    let cmd = match t.action {
                        motcua_core::procedure::Action::Forward => Command::Forward {
                            to: t.to.clone(),
                            assignee: None,
                        },
                        motcua_core::procedure::Action::SendBack => Command::SendBack {
                            to: t.to.clone(),
                            instructions: "lại".into(),
                        },
                        motcua_core::procedure::Action::Approve => {
                            Command::Approve { to: t.to.clone() }
                        }
                    };
                    (cmd, role)
                }
                _ => (command(24, param, now, p), role),
            }
        }
        _ => (command(26, param, now, p), None),
    }
}

fn check_invariants(
    d: &Dossier,
    p: &Procedure,
    log: &[dossier::RecordedEvent],
) -> Result<(), TestCaseError> {
    prop_assert!(dossier::verify(log).is_ok(), "hash chain broken");
    prop_assert!((1..=10).contains(&d.national_status()));
    let open_rows = d.slip.iter().filter(|r| r.left_at.is_none()).count();
    match d.state {
        State::InProgress | State::AwaitingSupplement | State::AwaitingPayment => {
            prop_assert_eq!(open_rows, 1, "one current step");
            prop_assert!(d.step.is_some());
        }
        State::Finished | State::Returned => prop_assert_eq!(open_rows, 0),
        _ => prop_assert!(open_rows <= 1),
    }
    if let (Some(accepted), Some(a), Some(o)) = (
        d.accepted_at,
        d.clock.appointment,
        d.clock.original_appointment,
    ) {
        prop_assert!(a >= accepted, "appointment before acceptance");
        prop_assert!(o >= accepted, "original appointment before acceptance");
        let start = d.clock.counting_start.expect("counting start");
        prop_assert!(calendar().working_time(start, o).expect("in range").secs() >= 0);
    }
    for r in &d.slip {
        prop_assert!(
            r.due >= r.received_at || p.step(&r.step).is_some_and(|s| s.allowance.amount == 0)
        );
        if let Some(left) = r.left_at {
            prop_assert!(left >= r.received_at);
        }
    }
    for e in log {
        match &e.event {
            Event::SupplementReceived { waited, .. } | Event::PaymentRecorded { waited, .. } => {
                prop_assert!(waited.secs() >= 0, "negative wait");
            }
            _ => {}
        }
    }
    Ok(())
}

fn run(p: &Procedure, ops: &[(u8, u8, u8, u16)]) -> Result<(), TestCaseError> {
    let actors = actors();
    let mut d = Dossier::new("d", common::agency());
    let mut log = Vec::new();
    let mut now: DateTime<Utc> = common::at("2026-03-02T08:00:00+07:00");
    for &(who, choice, param, minutes) in ops {
        now += TimeDelta::minutes(i64::from(minutes));
        // Half the time, the actor is the one the current step expects, to get deep into flows.
        let actor = if who % 2 == 0 {
            let role = d.step.as_deref().and_then(|s| p.step(s)).map(|s| s.role);
            match role {
                Some(r) => actors
                    .iter()
                    .find(|a| a.has_role(AGENCY, r))
                    .unwrap_or(&actors[0]),
                None => &actors[usize::from(who / 2) % actors.len()],
            }
        } else {
            &actors[usize::from(who / 2) % actors.len()]
        };
        let (cmd, actor) = if choice < 150 {
            let (cmd, role) = sensible(&d, p, param, now);
            let actor = match role {
                Some(r) => actors
                    .iter()
                    .find(|a| a.has_role(AGENCY, r))
                    .unwrap_or(&actors[0]),
                None => &actors[0],
            };
            (cmd, actor)
        } else {
            (command(choice, param, now, p), actor)
        };
        let before = d.clone();
        let was_closed = d.state.is_closed();
        let ctx = Ctx {
            now,
            actor,
            procedure: p,
            calendar: calendar(),
        };
        match dossier::execute(&mut d, &cmd, &ctx) {
            Ok(events) => {
                prop_assert!(
                    !was_closed || matches!(cmd, Command::Rate { .. }),
                    "a closed dossier accepted {}",
                    cmd.name()
                );
                log.extend(events);
            }
            Err(r) => {
                prop_assert_eq!(&d, &before, "a refusal changed the dossier");
                prop_assert!(!r.message_vi.is_empty() && !r.message_en.is_empty());
                if was_closed && !matches!(cmd, Command::Rate { .. }) {
                    prop_assert_eq!(r.code, "closed");
                }
            }
        }
        check_invariants(&d, p, &log)?;
    }
    let mut replay = Dossier::new("d", common::agency());
    for e in &log {
        replay.apply(e, p).expect("the next link");
    }
    prop_assert_eq!(replay, d, "replaying the log rebuilds the dossier");
    Ok(())
}

fn ops() -> impl Strategy<Value = Vec<(u8, u8, u8, u16)>> {
    prop::collection::vec((any::<u8>(), any::<u8>(), any::<u8>(), 0u16..3000), 1..80)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn restart_policy_procedure(ops in ops()) {
        run(&load_example("ho-kinh-doanh.toml"), &ops)?;
    }

    #[test]
    fn pause_policy_procedure_with_scripts(ops in ops()) {
        run(&load_example("cap-phep-xay-dung.toml"), &ops)?;
    }
}
