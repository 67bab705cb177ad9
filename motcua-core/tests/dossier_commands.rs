//! Each command of the engine, accepted and refused. Refusals are checked to change nothing
//! (in `common::exec`).

mod common;

use common::{applicant, at, calendar, exec, load_example, staff};
use motcua_core::calendar::{Duration, Timeliness, to_local_rfc3339};
use motcua_core::dossier::{
    Applicant, ApplyError, Attachment, ChainError, Channel, Command, Dossier, Outcome, State,
    verify,
};
use motcua_core::procedure::{Procedure, Role};

fn file(name: &str) -> Attachment {
    Attachment {
        name: name.into(),
        sha256: "82fb29003e2a5a5320b35c50373df9909e266579cc7ab27ad02e7709ab6a4780".into(),
    }
}

/// An online submission of `p` listing its required components (an incomplete one is
/// refused: see `online_submission_names_everything_missing`).
fn submit_online_for(p: &Procedure) -> Command {
    match submit_online() {
        Command::Submit {
            channel,
            applicant,
            owner,
            form,
            files,
            ..
        } => Command::Submit {
            channel,
            applicant,
            owner,
            // Every field the procedure's form requires, besides what the sample has.
            form: {
                let mut form = form;
                for f in p.form_fields.iter().filter(|f| f.required) {
                    form.entry(f.key.clone()).or_insert_with(|| "x".into());
                }
                form
            },
            components: p.required_components(),
            files,
        },
        other => other,
    }
}

fn submit_online() -> Command {
    Command::Submit {
        channel: Channel::Online,
        applicant: Applicant {
            name: "Nguyễn Văn An".into(),
            ..Applicant::default()
        },
        owner: None,
        form: [("cong_trinh".to_string(), "Nhà xưởng".to_string())].into(),
        components: vec![],
        files: vec![],
    }
}

fn fwd(to: &str) -> Command {
    Command::Forward {
        to: to.into(),
        assignee: None,
    }
}

fn code(
    r: Result<Vec<motcua_core::dossier::RecordedEvent>, motcua_core::dossier::Rejection>,
) -> String {
    match r {
        Ok(_) => "ok".into(),
        Err(e) => e.code,
    }
}

/// A dossier of `p` submitted online on Monday 20 April 2026 at 09:00 and accepted at 10:00,
/// then moved along `path` (each hop by the role of its step).
fn accepted(p: &Procedure, path: &[&str]) -> Dossier {
    let mut d = Dossier::new("d1", common::agency());
    exec(
        &mut d,
        p,
        &applicant("owner"),
        "2026-04-20T09:00:00+07:00",
        submit_online_for(p),
    )
    .expect("submit");
    exec(
        &mut d,
        p,
        &staff("desk", Role::ReceptionOfficer),
        "2026-04-20T10:00:00+07:00",
        Command::Accept { sequence: 1 },
    )
    .expect("accept");
    for to in path {
        let role = p
            .step(d.step.as_deref().expect("at a step"))
            .expect("step")
            .role;
        exec(
            &mut d,
            p,
            &staff("x", role),
            "2026-04-20T10:30:00+07:00",
            fwd(to),
        )
        .expect("forward");
    }
    d
}

#[test]
fn submit_accept_and_intake() {
    let p = load_example("ho-kinh-doanh.toml");
    let desk = staff("desk", Role::ReceptionOfficer);
    let cases: Vec<(&str, Command, &str)> = vec![
        ("applicant online", submit_online_for(&p), "ok"),
        (
            "applicant at the desk",
            Command::Submit {
                channel: Channel::Direct,
                applicant: Applicant {
                    name: "A".into(),
                    ..Applicant::default()
                },
                owner: None,
                form: Default::default(),
                components: vec![],
                files: vec![],
            },
            "invalid_channel",
        ),
        (
            "no name",
            Command::Submit {
                channel: Channel::Online,
                applicant: Applicant::default(),
                owner: None,
                form: Default::default(),
                components: vec![],
                files: vec![],
            },
            "missing_field",
        ),
    ];
    for (what, cmd, want) in cases {
        let mut d = Dossier::new("d", common::agency());
        assert_eq!(
            code(exec(
                &mut d,
                &p,
                &applicant("owner"),
                "2026-04-20T09:00:00+07:00",
                cmd
            )),
            want,
            "{what}"
        );
    }
    let mut d = Dossier::new("d", common::agency());
    exec(
        &mut d,
        &p,
        &applicant("owner"),
        "2026-04-20T09:00:00+07:00",
        submit_online_for(&p),
    )
    .expect("submit");
    assert_eq!(d.national_status(), 1);
    assert_eq!(
        d.intake_due.map(to_local_rfc3339).as_deref(),
        Some("2026-04-21T09:00:00+07:00")
    );
    assert_eq!(
        code(exec(
            &mut d,
            &p,
            &applicant("owner"),
            "2026-04-20T09:01:00+07:00",
            submit_online_for(&p)
        )),
        "wrong_state"
    );
    let other_agency = motcua_core::dossier::Actor {
        id: "x".into(),
        kind: motcua_core::dossier::ActorKind::Staff {
            agency: motcua_core::dossier::AgencyId::parse("000.99.99.H53").expect("agency"),
            roles: vec![Role::ReceptionOfficer],
        },
    };
    assert_eq!(
        code(exec(
            &mut d,
            &p,
            &other_agency,
            "2026-04-21T10:00:00+07:00",
            Command::Accept { sequence: 1 }
        )),
        "forbidden"
    );
    assert_eq!(
        code(exec(
            &mut d,
            &p,
            &desk,
            "2026-04-21T10:00:00+07:00",
            Command::Accept { sequence: 0 }
        )),
        "invalid_sequence"
    );
    assert_eq!(
        code(exec(
            &mut d,
            &p,
            &applicant("owner"),
            "2026-04-21T10:00:00+07:00",
            Command::Accept { sequence: 1 }
        )),
        "forbidden"
    );
    // Accepted after the 8 working hours: the intake was late.
    exec(
        &mut d,
        &p,
        &desk,
        "2026-04-21T10:00:00+07:00",
        Command::Accept { sequence: 42 },
    )
    .expect("accept");
    assert_eq!(
        d.code.as_ref().map(ToString::to_string).as_deref(),
        Some("000.20.31.H53-260421-0042")
    );
    assert_eq!(d.intake_result, Some(Timeliness::Late));
    assert_eq!(d.national_status(), 2);
    // 3 working days from Tuesday 21 April 10:00: Wed, Thu, Fri → Friday 24 April 10:00.
    assert_eq!(
        d.clock.appointment.map(to_local_rfc3339).as_deref(),
        Some("2026-04-24T10:00:00+07:00")
    );
}

#[test]
fn return_for_completion_and_refusal_close_the_dossier() {
    let p = load_example("ho-kinh-doanh.toml");
    let desk = staff("desk", Role::ReceptionOfficer);
    for (cmd, want, state) in [
        (
            Command::ReturnForCompletion {
                missing: vec![],
                note: String::new(),
            },
            "missing_field",
            State::Submitted,
        ),
        (
            Command::Refuse { reason: " ".into() },
            "missing_field",
            State::Submitted,
        ),
        (
            Command::ReturnForCompletion {
                missing: vec!["Giấy đề nghị".into()],
                note: "Mẫu mới".into(),
            },
            "ok",
            State::ReturnedForCompletion,
        ),
        (
            Command::Refuse {
                reason: "Không thuộc thẩm quyền".into(),
            },
            "ok",
            State::Refused,
        ),
    ] {
        let mut d = Dossier::new("d", common::agency());
        exec(
            &mut d,
            &p,
            &applicant("owner"),
            "2026-04-20T09:00:00+07:00",
            submit_online_for(&p),
        )
        .expect("submit");
        assert_eq!(
            code(exec(&mut d, &p, &desk, "2026-04-20T10:00:00+07:00", cmd)),
            want
        );
        assert_eq!(d.state, state);
        if d.state.is_closed() {
            assert_eq!(d.national_status(), 3);
            assert_eq!(
                code(exec(
                    &mut d,
                    &p,
                    &desk,
                    "2026-04-20T10:01:00+07:00",
                    Command::Accept { sequence: 1 }
                )),
                "closed"
            );
            assert_eq!(
                code(exec(
                    &mut d,
                    &p,
                    &applicant("owner"),
                    "2026-04-20T11:00:00+07:00",
                    Command::Rate {
                        score: 4,
                        comment: String::new(),
                        indicators: Default::default(),
                    }
                )),
                "ok"
            );
        }
    }
}

#[test]
fn workflow_moves_by_the_roles_and_transitions_of_the_procedure() {
    let p = load_example("ho-kinh-doanh.toml");
    let mut d = accepted(&p, &[]);
    let t = "2026-04-20T10:30:00+07:00";
    assert_eq!(
        code(exec(
            &mut d,
            &p,
            &staff("s", Role::Specialist),
            t,
            fwd("phan-cong")
        )),
        "forbidden"
    );
    assert_eq!(
        code(exec(
            &mut d,
            &p,
            &staff("r", Role::ReceptionOfficer),
            t,
            fwd("duyet")
        )),
        "no_such_transition"
    );
    assert_eq!(
        code(exec(
            &mut d,
            &p,
            &staff("r", Role::ReceptionOfficer),
            t,
            fwd("phan-cong")
        )),
        "ok"
    );
    assert_eq!(d.national_status(), 4);
    let head = staff("h", Role::DepartmentHead);
    assert_eq!(
        code(exec(
            &mut d,
            &p,
            &staff("c", Role::Clerk),
            t,
            Command::Assign {
                officer: "cv".into()
            }
        )),
        "forbidden"
    );
    assert_eq!(
        code(exec(
            &mut d,
            &p,
            &head,
            t,
            Command::Assign {
                officer: "cv".into()
            }
        )),
        "ok"
    );
    exec(
        &mut d,
        &p,
        &head,
        "2026-04-20T11:00:00+07:00",
        fwd("tham-dinh"),
    )
    .expect("forward");
    let spec = staff("cv", Role::Specialist);
    exec(&mut d, &p, &spec, "2026-04-21T09:00:00+07:00", fwd("duyet")).expect("forward");
    // Approve needs a draft.
    assert_eq!(
        code(exec(
            &mut d,
            &p,
            &head,
            "2026-04-21T10:00:00+07:00",
            Command::Approve {
                to: "van-thu".into()
            }
        )),
        "missing_result"
    );
    assert_eq!(
        code(exec(
            &mut d,
            &p,
            &head,
            "2026-04-21T10:00:00+07:00",
            Command::SendBack {
                to: "tham-dinh".into(),
                instructions: "".into()
            }
        )),
        "missing_field"
    );
    exec(
        &mut d,
        &p,
        &head,
        "2026-04-21T10:00:00+07:00",
        Command::SendBack {
            to: "tham-dinh".into(),
            instructions: "Ghi rõ ngành nghề".into(),
        },
    )
    .expect("send back");
    assert_eq!(d.step.as_deref(), Some("tham-dinh"));
    exec(
        &mut d,
        &p,
        &spec,
        "2026-04-21T11:00:00+07:00",
        Command::AttachDraft {
            attachment: file("draft.pdf"),
        },
    )
    .expect("draft");
    exec(&mut d, &p, &spec, "2026-04-21T11:10:00+07:00", fwd("duyet")).expect("forward");
    exec(
        &mut d,
        &p,
        &head,
        "2026-04-21T14:00:00+07:00",
        Command::Approve {
            to: "van-thu".into(),
        },
    )
    .expect("approve");
    let clerk = staff("vt", Role::Clerk);
    assert_eq!(
        code(exec(
            &mut d,
            &p,
            &clerk,
            "2026-04-21T15:00:00+07:00",
            Command::MarkFinished {
                outcome: Outcome::Granted
            }
        )),
        "missing_result"
    );
    assert_eq!(
        code(exec(
            &mut d,
            &p,
            &spec,
            "2026-04-21T15:00:00+07:00",
            Command::AttachSignedResult {
                attachment: file("gcn.pdf")
            }
        )),
        "forbidden"
    );
    exec(
        &mut d,
        &p,
        &clerk,
        "2026-04-21T15:00:00+07:00",
        Command::AttachSignedResult {
            attachment: file("gcn.pdf"),
        },
    )
    .expect("signed");
    exec(
        &mut d,
        &p,
        &clerk,
        "2026-04-21T15:10:00+07:00",
        Command::MarkFinished {
            outcome: Outcome::Granted,
        },
    )
    .expect("finish");
    assert_eq!(d.national_status(), 9);
    let desk = staff("desk", Role::ReceptionOfficer);
    exec(
        &mut d,
        &p,
        &desk,
        "2026-04-22T08:00:00+07:00",
        Command::ReturnResult,
    )
    .expect("return");
    assert_eq!(d.timeliness, Some(Timeliness::Early));
    assert_eq!(d.national_status(), 10);
    // One slip row per stay, the send-back included, all closed.
    let steps: Vec<&str> = d.slip.iter().map(|r| r.step.as_str()).collect();
    assert_eq!(
        steps,
        [
            "tiep-nhan",
            "phan-cong",
            "tham-dinh",
            "duyet",
            "tham-dinh",
            "duyet",
            "van-thu"
        ]
    );
    assert!(d.slip.iter().all(|r| r.result.is_some()));
}

#[test]
fn mark_finished_only_at_an_end_step() {
    let p = load_example("ho-kinh-doanh.toml");
    let mut d = accepted(&p, &["phan-cong", "tham-dinh"]);
    let r = exec(
        &mut d,
        &p,
        &staff("cv", Role::Specialist),
        "2026-04-21T09:00:00+07:00",
        Command::MarkFinished {
            outcome: Outcome::Rejected { reason: "x".into() },
        },
    );
    assert_eq!(code(r), "not_an_end_step");
}

#[test]
fn supplement_restart_policy_restarts_the_clock_and_counts_rounds() {
    let p = load_example("ho-kinh-doanh.toml");
    let mut d = accepted(&p, &["phan-cong", "tham-dinh"]);
    let spec = staff("cv", Role::Specialist);
    let ask = |fault| Command::RequestSupplement {
        reason: "Thiếu".into(),
        items: vec!["Biên bản".into()],
        applicant_fault: fault,
    };
    exec(&mut d, &p, &spec, "2026-04-20T14:00:00+07:00", ask(false)).expect("round 1");
    assert_eq!(
        (d.state, d.national_status()),
        (State::AwaitingSupplement, 5)
    );
    assert_eq!(
        code(exec(
            &mut d,
            &p,
            &applicant("someone-else"),
            "2026-04-22T09:00:00+07:00",
            Command::ReceiveSupplement {
                items: vec![],
                files: vec![],
            }
        )),
        "forbidden"
    );
    exec(
        &mut d,
        &p,
        &applicant("owner"),
        "2026-04-22T09:00:00+07:00",
        Command::ReceiveSupplement {
            items: vec![],
            files: vec![],
        },
    )
    .expect("received");
    // Restart: 3 working days from Wednesday 22 April 09:00, over the Hùng Kings day off
    // (Monday 27 April): Thu, Fri, Tue → Tuesday 28 April 09:00.
    assert_eq!(
        d.clock.appointment.map(to_local_rfc3339).as_deref(),
        Some("2026-04-28T09:00:00+07:00")
    );
    assert_eq!(d.clock.appointment, d.clock.original_appointment);
    exec(&mut d, &p, &spec, "2026-04-22T10:00:00+07:00", ask(false)).expect("round 2");
    exec(
        &mut d,
        &p,
        &staff("desk", Role::ReceptionOfficer),
        "2026-04-22T11:00:00+07:00",
        Command::ReceiveSupplement {
            items: vec![],
            files: vec![],
        },
    )
    .expect("received");
    assert_eq!(
        code(exec(
            &mut d,
            &p,
            &spec,
            "2026-04-22T14:00:00+07:00",
            ask(false)
        )),
        "denied_by_rule"
    );
    assert_eq!(
        code(exec(
            &mut d,
            &p,
            &spec,
            "2026-04-22T14:00:00+07:00",
            ask(true)
        )),
        "ok"
    );
    assert_eq!(d.supplement_rounds, 3);
}

#[test]
fn supplement_pause_policy_adds_the_wait() {
    let p = load_example("cap-phep-xay-dung.toml");
    let mut d = accepted(&p, &["phan-cong", "tham-dinh"]);
    let before = d.clock.appointment.expect("appointment");
    let spec = staff("cv", Role::Specialist);
    exec(
        &mut d,
        &p,
        &spec,
        "2026-04-21T09:00:00+07:00",
        Command::RequestSupplement {
            reason: "r".into(),
            items: vec!["i".into()],
            applicant_fault: false,
        },
    )
    .expect("asked");
    exec(
        &mut d,
        &p,
        &applicant("owner"),
        "2026-04-23T09:00:00+07:00",
        Command::ReceiveSupplement {
            items: vec![],
            files: vec![],
        },
    )
    .expect("received");
    // Waited Tuesday 09:00 → Thursday 09:00 = 2 working days, added to the appointment.
    let want = calendar()
        .due(before, Duration::working_days(2))
        .expect("due");
    assert_eq!(d.clock.appointment, Some(want));
    assert_eq!(d.clock.original_appointment, Some(want));
}

#[test]
fn extension_and_apology_move_only_the_current_appointment() {
    let p = load_example("cap-phep-xay-dung.toml");
    let mut d = accepted(&p, &["phan-cong", "tham-dinh"]);
    let original = d.clock.original_appointment;
    let spec = staff("cv", Role::Specialist);
    let leader = staff("gd", Role::AgencyLeader);
    let t = "2026-05-04T09:00:00+07:00";
    assert_eq!(
        code(exec(&mut d, &p, &leader, t, Command::GrantExtension)),
        "nothing_pending"
    );
    let both = Command::RequestExtension {
        reason: "r".into(),
        extra: Some(Duration::working_days(5)),
        new_appointment: Some(at("2026-06-01T17:00:00+07:00")),
    };
    assert_eq!(code(exec(&mut d, &p, &spec, t, both)), "missing_field");
    // A duration is a type: text that is not one does not become a command.
    let bad = serde_json::from_value::<Command>(serde_json::json!({
        "command": "request-extension", "reason": "r", "extra": "5 days"
    }));
    assert!(bad.is_err(), "{bad:?}");
    let good: Command = serde_json::from_value(serde_json::json!({
        "command": "request-extension", "reason": "r", "extra": "5wd"
    }))
    .expect("5wd is a duration");
    assert_eq!(
        serde_json::to_value(&good).expect("writes")["extra"],
        serde_json::json!("5wd")
    );
    exec(
        &mut d,
        &p,
        &spec,
        t,
        Command::RequestExtension {
            reason: "r".into(),
            extra: Some(Duration::working_days(5)),
            new_appointment: None,
        },
    )
    .expect("request");
    assert_eq!(
        code(exec(&mut d, &p, &spec, t, Command::GrantExtension)),
        "forbidden"
    );
    let before = d.clock.appointment.expect("appointment");
    exec(&mut d, &p, &leader, t, Command::GrantExtension).expect("granted");
    assert_eq!(
        d.clock.appointment,
        Some(
            calendar()
                .due(before, Duration::working_days(5))
                .expect("due")
        )
    );
    assert_eq!(d.clock.original_appointment, original);
    exec(
        &mut d,
        &p,
        &spec,
        t,
        Command::RequestExtension {
            reason: "r".into(),
            extra: Some(Duration::working_days(1)),
            new_appointment: None,
        },
    )
    .expect("request");
    assert_eq!(
        code(exec(&mut d, &p, &leader, t, Command::GrantExtension)),
        "denied_by_rule"
    );
    // Apology: refused before the appointment passes, accepted after.
    let desk = staff("desk", Role::ReceptionOfficer);
    let apologise = |when: &str| Command::Apologise {
        reason: "Chậm".into(),
        new_appointment: at(when),
    };
    assert_eq!(
        code(exec(
            &mut d,
            &p,
            &desk,
            "2026-05-05T09:00:00+07:00",
            apologise("2026-06-30T17:00:00+07:00")
        )),
        "denied_by_rule"
    );
    let late = to_local_rfc3339(d.clock.appointment.expect("a") + chrono::TimeDelta::days(1));
    assert_eq!(
        code(exec(
            &mut d,
            &p,
            &desk,
            &late,
            apologise("2026-01-01T17:00:00+07:00")
        )),
        "denied_by_rule"
    );
    exec(
        &mut d,
        &p,
        &desk,
        &late,
        apologise("2026-07-30T17:00:00+07:00"),
    )
    .expect("apology");
    assert_eq!(d.clock.appointment, Some(at("2026-07-30T17:00:00+07:00")));
    assert_eq!(d.clock.original_appointment, original);
}

#[test]
fn consultation_and_verification() {
    let p = load_example("cap-phep-xay-dung.toml");
    let mut d = accepted(&p, &["phan-cong", "tham-dinh"]);
    let spec = staff("cv", Role::Specialist);
    let open = |deadline: &str| Command::OpenConsultation {
        id: "yk".into(),
        agencies: vec!["PCCC".into(), "Môi trường".into()],
        content: "Ý kiến".into(),
        deadline: at(deadline),
    };
    assert_eq!(
        code(exec(
            &mut d,
            &p,
            &spec,
            "2026-04-21T09:00:00+07:00",
            open("2026-04-20T09:00:00+07:00")
        )),
        "invalid_deadline"
    );
    exec(
        &mut d,
        &p,
        &spec,
        "2026-04-21T09:00:00+07:00",
        open("2026-04-24T17:00:00+07:00"),
    )
    .expect("open");
    assert_eq!(
        code(exec(
            &mut d,
            &p,
            &spec,
            "2026-04-21T09:00:00+07:00",
            open("2026-04-24T17:00:00+07:00")
        )),
        "duplicate"
    );
    let answer = |agency: &str| Command::AnswerConsultation {
        id: "yk".into(),
        agency: agency.into(),
        answer: "Đồng ý".into(),
    };
    assert_eq!(
        code(exec(
            &mut d,
            &p,
            &spec,
            "2026-04-22T09:00:00+07:00",
            answer("Thuế")
        )),
        "unknown_consultation"
    );
    exec(
        &mut d,
        &p,
        &spec,
        "2026-04-22T09:00:00+07:00",
        answer("PCCC"),
    )
    .expect("answer");
    assert_eq!(
        code(exec(
            &mut d,
            &p,
            &spec,
            "2026-04-22T09:30:00+07:00",
            answer("PCCC")
        )),
        "duplicate"
    );
    exec(
        &mut d,
        &p,
        &spec,
        "2026-04-28T09:00:00+07:00",
        answer("Môi trường"),
    )
    .expect("answer");
    let c = &d.consultations[0];
    assert!(!c.answers["PCCC"].1, "answered in time");
    assert!(c.answers["Môi trường"].1, "answered after the deadline");
    let verify_cmd = |who: Vec<String>| Command::ScheduleVerification {
        time: at("2026-04-29T08:00:00+07:00"),
        place: "Công trường".into(),
        participants: who,
        content: "Hiện trạng".into(),
    };
    assert_eq!(
        code(exec(
            &mut d,
            &p,
            &spec,
            "2026-04-28T10:00:00+07:00",
            verify_cmd(vec![])
        )),
        "missing_field"
    );
    exec(
        &mut d,
        &p,
        &spec,
        "2026-04-28T10:00:00+07:00",
        verify_cmd(vec!["Chủ đầu tư".into()]),
    )
    .expect("verification");
    assert_eq!(d.verifications.len(), 1);
}

#[test]
fn payment_pauses_the_clock() {
    let p = load_example("cap-giay-chung-nhan-dat.toml");
    let mut d = accepted(&p, &["tham-dinh"]);
    let spec = staff("cv", Role::Specialist);
    assert_eq!(
        code(exec(
            &mut d,
            &p,
            &spec,
            "2026-04-21T09:00:00+07:00",
            Command::RequestPayment {
                amount_vnd: 0,
                reason: "Thuế".into()
            }
        )),
        "invalid_amount"
    );
    let before = d.clock.appointment.expect("a");
    exec(
        &mut d,
        &p,
        &spec,
        "2026-04-21T09:00:00+07:00",
        Command::RequestPayment {
            amount_vnd: 1_000_000,
            reason: "Thuế".into(),
        },
    )
    .expect("request");
    assert_eq!(d.national_status(), 6);
    assert_eq!(
        code(exec(
            &mut d,
            &p,
            &spec,
            "2026-04-21T10:00:00+07:00",
            fwd("duyet")
        )),
        "wrong_state"
    );
    exec(
        &mut d,
        &p,
        &staff("desk", Role::ReceptionOfficer),
        "2026-04-22T09:00:00+07:00",
        Command::RecordPayment,
    )
    .expect("paid");
    assert_eq!(
        d.clock.appointment,
        Some(
            calendar()
                .due(before, Duration::working_days(1))
                .expect("due")
        )
    );
}

#[test]
fn withdrawal_stop_and_closed_dossiers() {
    let p = load_example("ho-kinh-doanh.toml");
    let mut d = accepted(&p, &["phan-cong"]);
    let t = "2026-04-21T09:00:00+07:00";
    let ask = || Command::RequestWithdrawal {
        reason: "Không còn nhu cầu".into(),
    };
    assert_eq!(
        code(exec(&mut d, &p, &applicant("stranger"), t, ask())),
        "forbidden"
    );
    exec(&mut d, &p, &applicant("owner"), t, ask()).expect("asked");
    assert_eq!(d.national_status(), 7);
    assert_eq!(
        code(exec(&mut d, &p, &applicant("owner"), t, ask())),
        "duplicate"
    );
    assert_eq!(
        code(exec(
            &mut d,
            &p,
            &staff("h", Role::DepartmentHead),
            t,
            Command::ConfirmWithdrawal
        )),
        "forbidden"
    );
    exec(
        &mut d,
        &p,
        &staff("desk", Role::ReceptionOfficer),
        t,
        Command::ConfirmWithdrawal,
    )
    .expect("withdrawn");
    assert_eq!((d.state, d.national_status()), (State::Withdrawn, 8));
    assert_eq!(
        code(exec(
            &mut d,
            &p,
            &staff("h", Role::DepartmentHead),
            t,
            fwd("tham-dinh")
        )),
        "closed"
    );
    assert_eq!(
        code(exec(
            &mut d,
            &p,
            &applicant("owner"),
            t,
            Command::Rate {
                score: 6,
                comment: String::new(),
                indicators: Default::default(),
            }
        )),
        "invalid_score"
    );
    assert_eq!(
        code(exec(
            &mut d,
            &p,
            &applicant("owner"),
            t,
            Command::Rate {
                score: 3,
                comment: String::new(),
                indicators: Default::default(),
            }
        )),
        "ok"
    );
    assert_eq!(
        code(exec(
            &mut d,
            &p,
            &applicant("owner"),
            t,
            Command::Rate {
                score: 3,
                comment: String::new(),
                indicators: Default::default(),
            }
        )),
        "duplicate"
    );

    let mut d = accepted(&p, &["phan-cong"]);
    assert_eq!(
        code(exec(
            &mut d,
            &p,
            &applicant("owner"),
            t,
            Command::Rate {
                score: 5,
                comment: String::new(),
                indicators: Default::default(),
            }
        )),
        "wrong_state"
    );
    assert_eq!(
        code(exec(
            &mut d,
            &p,
            &staff("h", Role::DepartmentHead),
            t,
            Command::Stop { reason: "x".into() }
        )),
        "forbidden"
    );
    exec(
        &mut d,
        &p,
        &staff("gd", Role::AgencyLeader),
        t,
        Command::Stop {
            reason: "Tranh chấp".into(),
        },
    )
    .expect("stopped");
    assert_eq!((d.state, d.national_status()), (State::Stopped, 8));
}

#[test]
fn a_script_that_hits_a_limit_refuses_and_changes_nothing() {
    let text = std::fs::read_to_string(common::examples().join("procedures/ho-kinh-doanh.toml"))
        .expect("file");
    let text = text.replace(
        "[policy]",
        "[scripts]\nsupplement = \"let x = 0; loop { x += 1; }\"\n\n[policy]",
    );
    let (p, _) = Procedure::load("spin.toml", &text).expect("loads");
    let mut d = accepted(&p, &["phan-cong", "tham-dinh"]);
    let r = exec(
        &mut d,
        &p,
        &staff("cv", Role::Specialist),
        "2026-04-21T09:00:00+07:00",
        Command::RequestSupplement {
            reason: "r".into(),
            items: vec!["i".into()],
            applicant_fault: false,
        },
    );
    let e = r.expect_err("refused");
    assert_eq!(e.code, "script_failed");
    assert!(e.message_en.contains("operations"), "{}", e.message_en);
}

/// A dossier submitted, accepted, forwarded and assigned, with its log.
fn early_log(p: &Procedure) -> (Dossier, Vec<motcua_core::dossier::RecordedEvent>) {
    let mut d = Dossier::new("d1", common::agency());
    let desk = staff("desk", Role::ReceptionOfficer);
    let steps = [
        (
            applicant("owner"),
            "2026-04-20T09:00:00+07:00",
            submit_online_for(p),
        ),
        (
            desk.clone(),
            "2026-04-20T10:00:00+07:00",
            Command::Accept { sequence: 1 },
        ),
        (desk, "2026-04-20T10:30:00+07:00", fwd("phan-cong")),
        (
            staff("h", Role::DepartmentHead),
            "2026-04-20T11:00:00+07:00",
            Command::Assign {
                officer: "cv".into(),
            },
        ),
    ];
    let mut log = Vec::new();
    for (actor, now, command) in steps {
        log.extend(exec(&mut d, p, &actor, now, command).expect("step"));
    }
    (d, log)
}

#[test]
fn the_hash_chain_reveals_altered_missing_and_reordered_events() {
    let p = load_example("ho-kinh-doanh.toml");
    let (_, log) = early_log(&p);
    assert_eq!(verify(&log), Ok(()));

    let mut altered = log.clone();
    altered[1].at += chrono::TimeDelta::hours(1);
    assert_eq!(
        verify(&altered),
        Err(ChainError::Altered { index: 1, seq: 1 })
    );

    let mut missing = log.clone();
    missing.remove(2);
    assert_eq!(
        verify(&missing),
        Err(ChainError::Missing {
            index: 2,
            expected: 2,
            found: 3
        })
    );

    let mut reordered = log.clone();
    reordered.swap(1, 2);
    assert!(matches!(
        verify(&reordered),
        Err(ChainError::Missing { index: 1, .. }) | Err(ChainError::Reordered { .. })
    ));

    // An intact event sealed in another chain does not fit this one: the link is broken.
    let mut grafted = log.clone();
    grafted[1] = other_chain_event(&p);
    assert!(grafted[1].is_intact());
    assert_eq!(
        verify(&grafted),
        Err(ChainError::Broken { index: 1, seq: 1 })
    );
}

/// Event 1 of a dossier submitted at another time: intact, but sealed after another event 0.
fn other_chain_event(p: &Procedure) -> motcua_core::dossier::RecordedEvent {
    let mut d = Dossier::new("d2", common::agency());
    exec(
        &mut d,
        p,
        &applicant("someone"),
        "2026-04-20T09:05:00+07:00",
        submit_online_for(p),
    )
    .expect("submitted");
    let accepted = exec(
        &mut d,
        p,
        &staff("desk", Role::ReceptionOfficer),
        "2026-04-20T10:00:00+07:00",
        Command::Accept { sequence: 1 },
    )
    .expect("accepted");
    accepted[0].clone()
}

#[test]
fn a_dossier_takes_only_the_next_link_of_its_chain() {
    let p = load_example("ho-kinh-doanh.toml");
    let (d, log) = early_log(&p);
    let mut fresh = Dossier::new("d1", common::agency());
    // Out of order: the second event first.
    assert_eq!(
        fresh.apply(&log[1], &p),
        Err(ApplyError::OutOfSequence {
            expected: 0,
            found: 1
        })
    );
    fresh.apply(&log[0], &p).expect("the first event");
    // Seq 1, intact, but sealed after another dossier's first event.
    assert_eq!(
        fresh.apply(&other_chain_event(&p), &p),
        Err(ApplyError::NotChained { seq: 1 })
    );
    // Changed after it was sealed.
    let mut altered = log[1].clone();
    altered.at += chrono::TimeDelta::seconds(1);
    assert_eq!(
        fresh.apply(&altered, &p),
        Err(ApplyError::Altered { seq: 1 })
    );
    // A format from a newer build.
    let mut newer = log[1].clone();
    newer.format = motcua_core::dossier::event::EVENT_FORMAT + 1;
    assert!(matches!(
        fresh.apply(&newer, &p),
        Err(ApplyError::UnknownFormat { seq: 1, .. })
    ));
    // Nothing refused changed anything; the real log then rebuilds the dossier.
    assert_eq!(fresh.version, 1);
    for e in &log[1..] {
        fresh.apply(e, &p).expect("next link");
    }
    assert_eq!(fresh, d);
    assert_eq!(
        Dossier::replay("d1", common::agency(), &log, &p).expect("replays"),
        d
    );
}

#[test]
fn replaying_the_log_rebuilds_the_dossier() {
    let p = load_example("ho-kinh-doanh.toml");
    let (mut d, mut log) = early_log(&p);
    log.extend(
        exec(
            &mut d,
            &p,
            &staff("h", Role::DepartmentHead),
            "2026-04-20T14:00:00+07:00",
            Command::RequestSupplement {
                reason: "r".into(),
                items: vec!["i".into()],
                applicant_fault: false,
            },
        )
        .expect("asked"),
    );
    // The log survives serialization and folds back into the same dossier.
    let json = serde_json::to_string(&log).expect("serialize");
    let back: Vec<motcua_core::dossier::RecordedEvent> =
        serde_json::from_str(&json).expect("deserialize");
    assert_eq!(verify(&back), Ok(()));
    let mut fresh = Dossier::new("d1", common::agency());
    for e in &back {
        fresh.apply(e, &p).expect("the next link");
    }
    assert_eq!(fresh, d);
}

#[test]
fn waiting_too_long_for_a_supplement() {
    let p = load_example("ho-kinh-doanh.toml");
    let mut d = accepted(&p, &["phan-cong", "tham-dinh"]);
    exec(
        &mut d,
        &p,
        &staff("cv", Role::Specialist),
        "2026-04-20T14:00:00+07:00",
        Command::RequestSupplement {
            reason: "r".into(),
            items: vec!["i".into()],
            applicant_fault: false,
        },
    )
    .expect("asked");
    // The default flag is 30 working days.
    assert!(!d.waiting_too_long(at("2026-05-29T17:00:00+07:00"), &p, calendar()));
    assert!(d.waiting_too_long(at("2026-06-10T17:00:00+07:00"), &p, calendar()));
}

/// The override example of docs/scripting.md, run as written.
#[test]
fn the_documented_extension_override_works() {
    let doc = include_str!("../../docs/scripting.md");
    let start = doc
        .find("[policy]\nmax_extensions = 2")
        .expect("example in the doc");
    let end = start + doc[start..].find("```").expect("end of example");
    let text =
        std::fs::read_to_string(common::examples().join("procedures/cap-phep-xay-dung.toml"))
            .expect("file")
            .replace(
                "[policy]\nsupplement = \"pause\"\nmax_supplement_rounds = 2\nmax_extensions = 1\n",
                "",
            )
            + "\n"
            + &doc[start..end];
    let (p, _) = Procedure::load("override.toml", &text).expect("loads");
    let mut d = accepted(&p, &["phan-cong", "tham-dinh"]);
    let spec = staff("cv", Role::Specialist);
    let leader = staff("gd", Role::AgencyLeader);
    let t = "2026-05-04T09:00:00+07:00";
    let ask = |extra: &str| Command::RequestExtension {
        reason: "r".into(),
        extra: Some(extra.parse().expect("a duration")),
        new_appointment: None,
    };
    exec(&mut d, &p, &spec, t, ask("15wd")).expect("request");
    assert_eq!(
        code(exec(&mut d, &p, &leader, t, Command::GrantExtension)),
        "denied_by_rule"
    );
    let mut d = accepted(&p, &["phan-cong", "tham-dinh"]);
    for _ in 0..2 {
        exec(&mut d, &p, &spec, t, ask("5wd")).expect("request");
        exec(&mut d, &p, &leader, t, Command::GrantExtension).expect("granted");
    }
    exec(&mut d, &p, &spec, t, ask("5wd")).expect("request");
    assert_eq!(
        code(exec(&mut d, &p, &leader, t, Command::GrantExtension)),
        "denied_by_rule"
    );
    assert_eq!(d.extensions_used, 2);
}

/// Files for components come with the submission and with supplements, in order; a file
/// without a component or with a malformed checksum is refused. Events without files seal
/// exactly as before files existed (no `files` key), so older chains still verify.
#[test]
fn component_files_come_with_submission_and_supplements() {
    use motcua_core::dossier::ComponentFile;
    let p = load_example("ho-kinh-doanh.toml");
    const DON: &str = "Giấy đề nghị đăng ký hộ kinh doanh";
    const BIEN_BAN: &str = "Bản sao biên bản họp thành viên hộ gia đình (nếu có)";
    let cf = |component: &str, name: &str| ComponentFile {
        component: component.into(),
        attachment: file(name),
    };
    let with_files = |files: Vec<ComponentFile>| match submit_online() {
        Command::Submit {
            channel,
            applicant,
            owner,
            form,
            components,
            ..
        } => Command::Submit {
            channel,
            applicant,
            owner,
            form,
            components,
            files,
        },
        other => other,
    };
    let at9 = "2026-04-20T09:00:00+07:00";
    let mut d = Dossier::new("d1", common::agency());
    assert_eq!(
        code(exec(
            &mut d,
            &p,
            &applicant("owner"),
            at9,
            with_files(vec![cf(" ", "a.pdf")])
        )),
        "missing_field"
    );
    let mut bad = cf(DON, "a.pdf");
    bad.attachment.sha256 = "not-hex".into();
    assert_eq!(
        code(exec(
            &mut d,
            &p,
            &applicant("owner"),
            at9,
            with_files(vec![bad])
        )),
        "invalid_attachment"
    );
    // A file (or a component listed) that the procedure does not have is refused.
    assert_eq!(
        code(exec(
            &mut d,
            &p,
            &applicant("owner"),
            at9,
            with_files(vec![cf("Đơn xin việc", "a.pdf")])
        )),
        "unknown_component"
    );
    let events = exec(
        &mut d,
        &p,
        &applicant("owner"),
        at9,
        with_files(vec![cf(DON, "don.pdf"), cf(BIEN_BAN, "bien-ban.png")]),
    )
    .expect("submitted with files");
    assert!(
        serde_json::to_string(&events[0].event)
            .expect("json")
            .contains("\"files\"")
    );
    assert_eq!(d.files.len(), 2);

    let mut d = accepted(&p, &["phan-cong", "tham-dinh"]);
    assert!(d.files.is_empty());
    let spec = staff("cv", Role::Specialist);
    exec(
        &mut d,
        &p,
        &spec,
        "2026-04-20T14:00:00+07:00",
        Command::RequestSupplement {
            reason: "Thiếu".into(),
            items: vec!["CCCD".into()],
            applicant_fault: false,
        },
    )
    .expect("asked");
    let events = exec(
        &mut d,
        &p,
        &applicant("owner"),
        "2026-04-22T09:00:00+07:00",
        Command::ReceiveSupplement {
            items: vec!["CCCD".into()],
            files: vec![cf(BIEN_BAN, "bien-ban-moi.png")],
        },
    )
    .expect("received");
    assert_eq!(d.files, vec![cf(BIEN_BAN, "bien-ban-moi.png")]);
    assert!(
        serde_json::to_string(&events[0].event)
            .expect("json")
            .contains("bien-ban-moi.png")
    );
    // The submission of `accepted` had no files: its event has no `files` key.
    let mut first = Dossier::new("d2", common::agency());
    let events = exec(
        &mut first,
        &p,
        &applicant("owner"),
        at9,
        submit_online_for(&p),
    )
    .expect("submitted");
    assert!(
        !serde_json::to_string(&events[0].event)
            .expect("json")
            .contains("files")
    );
}

#[test]
fn online_submission_names_everything_missing() {
    let p = load_example("cap-phep-xay-dung.toml");
    let mut d = Dossier::new("d", common::agency());
    let at9 = "2026-04-20T09:00:00+07:00";
    let refused = exec(&mut d, &p, &applicant("owner"), at9, submit_online()).unwrap_err();
    assert_eq!(refused.code, "incomplete");
    let required: Vec<String> = p.required_components();
    assert!(
        required.len() >= 2,
        "the example has several required components"
    );
    assert_eq!(refused.missing, required, "every missing component at once");
    for name in &required {
        assert!(refused.message_vi.contains(name.as_str()), "{name} named");
    }
    // Staff do not submit online, and applicants do not register desk dossiers.
    let desk = staff("desk", Role::ReceptionOfficer);
    let mut d = Dossier::new("d", common::agency());
    assert_eq!(
        code(exec(&mut d, &p, &desk, at9, submit_online_for(&p))),
        "invalid_channel"
    );
}

#[test]
fn a_returned_online_dossier_is_completed_and_sent_again_by_its_applicant() {
    let p = load_example("ho-kinh-doanh.toml");
    let owner = applicant("owner");
    let desk = staff("desk", Role::ReceptionOfficer);
    let mut d = Dossier::new("d", common::agency());
    exec(
        &mut d,
        &p,
        &owner,
        "2026-04-20T09:00:00+07:00",
        submit_online_for(&p),
    )
    .expect("sent");
    let returned = exec(
        &mut d,
        &p,
        &desk,
        "2026-04-20T10:00:00+07:00",
        Command::ReturnForCompletion {
            missing: vec!["Bản sao biên bản họp".into(), "Chữ ký".into()],
            note: "Ký vào tờ khai.".into(),
        },
    )
    .expect("returned");
    // The notice names what is missing, one line each.
    let notice = returned
        .iter()
        .find_map(|e| match &e.event {
            motcua_core::dossier::Event::Notified { notification } => Some(notification.clone()),
            _ => None,
        })
        .expect("the return is notified");
    assert_eq!(
        notice.recipient(),
        &motcua_core::dossier::event::Recipient::Applicant
    );
    assert!(
        notice
            .message()
            .contains("\n– Bản sao biên bản họp\n– Chữ ký"),
        "{}",
        notice.message()
    );
    assert_eq!(d.state, State::ReturnedForCompletion);
    let resubmit = Command::Resubmit {
        form: [("ghi_chu".to_string(), "Đã ký".to_string())].into(),
        components: vec![],
        files: vec![],
    };
    // Only its applicant sends it again.
    assert_eq!(
        code(exec(
            &mut d,
            &p,
            &applicant("other"),
            "2026-04-21T09:00:00+07:00",
            resubmit.clone()
        )),
        "forbidden"
    );
    exec(&mut d, &p, &owner, "2026-04-21T09:00:00+07:00", resubmit).expect("sent again");
    assert_eq!(d.state, State::Submitted);
    assert_eq!(d.closed_at, None);
    assert_eq!(
        d.form.get("cong_trinh").map(String::as_str),
        Some("Nhà xưởng"),
        "kept"
    );
    assert_eq!(
        d.form.get("ghi_chu").map(String::as_str),
        Some("Đã ký"),
        "added"
    );
    // A new intake clock: 8 working hours from Tuesday 09:00.
    assert_eq!(d.intake_due, Some(at("2026-04-22T09:00:00+07:00")));
    let accepted = exec(
        &mut d,
        &p,
        &desk,
        "2026-04-21T10:00:00+07:00",
        Command::Accept { sequence: 7 },
    )
    .expect("accepted");
    let message = accepted
        .iter()
        .find_map(|e| match &e.event {
            motcua_core::dossier::Event::Notified { notification } => {
                Some(notification.message().to_string())
            }
            _ => None,
        })
        .expect("the acceptance is notified");
    let code = d.code.as_ref().expect("code").to_string();
    assert!(message.contains(&code), "{message}");
    assert!(
        message.contains("24/04/2026 10:00"),
        "appointment as dd/MM/yyyy HH:mm: {message}"
    );
    assert!(message.contains(&format!("/tra-cuu/{code}")), "{message}");
}

#[test]
fn postal_delivery_is_the_owners_until_the_result_is_handed_over() {
    let p = load_example("ho-kinh-doanh.toml");
    let mut d = accepted(&p, &["phan-cong"]);
    let t = "2026-04-21T09:00:00+07:00";
    let ask = |address: &str, phone: &str| Command::RequestPostalDelivery {
        address: address.into(),
        phone: phone.into(),
    };
    let home = "Số 12, đường Trần Hưng Đạo, phường An Cư, quận Ninh Kiều";
    assert_eq!(
        code(exec(
            &mut d,
            &p,
            &applicant("stranger"),
            t,
            ask(home, "0912345678")
        )),
        "forbidden"
    );
    assert_eq!(
        code(exec(
            &mut d,
            &p,
            &applicant("owner"),
            t,
            ask("  ", "0912345678")
        )),
        "missing_field"
    );
    assert_eq!(
        code(exec(&mut d, &p, &applicant("owner"), t, ask(home, "12ab"))),
        "invalid_phone"
    );
    assert_eq!(d.postal_delivery, None, "a refusal changes nothing");
    exec(
        &mut d,
        &p,
        &applicant("owner"),
        t,
        ask(home, " 0912 345 678 "),
    )
    .expect("asked");
    let asked = d.postal_delivery.clone().expect("recorded");
    assert_eq!(
        (asked.address.as_str(), asked.phone.as_str()),
        (home, "0912 345 678")
    );
    assert_eq!(
        code(exec(
            &mut d,
            &p,
            &applicant("owner"),
            t,
            ask(home, "0912 345 678")
        )),
        "duplicate"
    );
    // A new address replaces the old one.
    exec(
        &mut d,
        &p,
        &applicant("owner"),
        t,
        ask("Số 3, đường 30/4", "0912345678"),
    )
    .expect("changed");
    assert_eq!(
        d.postal_delivery.as_ref().map(|x| x.address.as_str()),
        Some("Số 3, đường 30/4")
    );
}

#[test]
fn a_rating_carries_the_indicators_the_applicant_answered() {
    let p = load_example("ho-kinh-doanh.toml");
    let mut d = accepted(&p, &["phan-cong"]);
    let t = "2026-04-21T09:00:00+07:00";
    exec(
        &mut d,
        &p,
        &applicant("owner"),
        t,
        Command::RequestWithdrawal {
            reason: String::new(),
        },
    )
    .expect("asked");
    exec(
        &mut d,
        &p,
        &staff("desk", Role::ReceptionOfficer),
        t,
        Command::ConfirmWithdrawal,
    )
    .expect("withdrawn");
    let rate = |came_back: u8| Command::Rate {
        score: 4,
        comment: "Cán bộ hướng dẫn tận tình".into(),
        indicators: motcua_core::dossier::RatingIndicators {
            came_back: Some(came_back),
            bodies_contacted: Some(2),
            attitude: None,
        },
    };
    assert_eq!(
        code(exec(&mut d, &p, &applicant("owner"), t, rate(3))),
        "invalid_score"
    );
    assert_eq!(d.rating, None);
    let events = exec(&mut d, &p, &applicant("owner"), t, rate(1)).expect("rated");
    assert_eq!(d.rating, Some(4));
    match &events[0].event {
        motcua_core::dossier::Event::Rated { indicators, .. } => {
            assert_eq!(
                (
                    indicators.came_back,
                    indicators.bodies_contacted,
                    indicators.attitude
                ),
                (Some(1), Some(2), None)
            );
        }
        other => panic!("expected a rating, got {other:?}"),
    }
}

/// A within-the-day procedure restarted by a supplement is due at the close of the new
/// counting day, every step with it: it was once due the instant the supplement came, so a
/// supplement answered at night made every later step late.
#[test]
fn a_same_day_procedure_restarted_by_a_supplement_is_due_at_the_close_of_the_day() {
    let p = load_example("khai-sinh.toml");
    let mut d = accepted(&p, &[]);
    let desk = staff("desk", Role::ReceptionOfficer);
    exec(
        &mut d,
        &p,
        &desk,
        "2026-04-20T10:30:00+07:00",
        Command::RequestSupplement {
            reason: "Giấy chứng sinh bị mờ".into(),
            items: vec!["Giấy chứng sinh".into()],
            applicant_fault: false,
        },
    )
    .expect("asked");
    exec(
        &mut d,
        &p,
        &applicant("owner"),
        "2026-04-21T00:05:00+07:00",
        Command::ReceiveSupplement {
            items: vec![],
            files: vec![],
        },
    )
    .expect("received");
    let day_end = at("2026-04-21T17:00:00+07:00");
    assert_eq!(d.clock.appointment, Some(day_end));
    assert_eq!(d.slip.last().map(|r| r.due), Some(day_end));
    exec(&mut d, &p, &desk, "2026-04-21T08:00:00+07:00", fwd("ky")).expect("forward");
    assert_eq!(
        d.slip.iter().rev().nth(1).and_then(|r| r.result),
        Some(motcua_core::calendar::Timeliness::OnTime),
        "handed over on time"
    );
}
