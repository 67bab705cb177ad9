//! Every example procedure checks clean and every example scenario runs as it expects;
//! the timelines are snapshots.

mod common;

use motcua_core::procedure::Procedure;
use motcua_core::scenario;

#[test]
fn every_example_procedure_checks_clean() {
    let dir = common::examples().join("procedures");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).expect("examples/procedures") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("readable");
        match Procedure::load(&path.display().to_string(), &text) {
            Ok((_, report)) => assert!(report.diagnostics.is_empty(), "{report}"),
            Err(report) => panic!("{report}"),
        }
        n += 1;
    }
    assert!(n >= 5, "at least five example procedures");
}

#[test]
fn every_example_scenario_runs_as_expected() {
    let dir = common::examples().join("scenarios");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("examples/scenarios")
        .map(|e| e.expect("entry").path())
        .collect();
    paths.sort();
    assert!(paths.len() >= 8);
    for path in paths {
        let name = path
            .file_stem()
            .expect("name")
            .to_string_lossy()
            .to_string();
        let s =
            scenario::parse(&std::fs::read_to_string(&path).expect("readable")).expect("parses");
        let procedure = common::load_example(
            std::path::Path::new(&s.procedure)
                .file_name()
                .expect("file")
                .to_str()
                .expect("utf-8"),
        );
        // A `publish` step names another version's file, relative to the scenario.
        let versions = |file: &str| {
            let path = dir.join(file);
            let text = std::fs::read_to_string(&path)
                .map_err(|e| scenario::ScenarioError(format!("{}: {e}", path.display())))?;
            Procedure::load(&path.display().to_string(), &text)
                .map(|(p, _)| p)
                .map_err(|r| scenario::ScenarioError(r.to_string()))
        };
        let timeline =
            scenario::run_with(&s, &procedure, common::calendar(), &versions).expect("runs");
        assert!(timeline.passed(), "{name}:\n{timeline}");
        insta::assert_snapshot!(name, timeline.to_string());
    }
}

/// What `available` lists is what the engine accepts: at every step of every example
/// scenario, for every actor of the scenario, the step's command is listed when the engine
/// accepts it from that actor, and not listed when the engine refuses it for who is asking
/// or the dossier's state (a refusal for what the command says — a missing reason, a step
/// the workflow does not have — leaves the command available with other arguments).
#[test]
fn available_commands_are_exactly_those_the_engine_accepts() {
    use motcua_core::dossier::{self, Ctx, Dossier, State, available};
    let not_now = [
        "wrong_state",
        "forbidden",
        "closed",
        "no_step",
        "nothing_pending",
        "not_an_end_step",
    ];
    let dir = common::examples().join("scenarios");
    let mut checked = (0, 0);
    for entry in std::fs::read_dir(&dir).expect("examples/scenarios") {
        let path = entry.expect("entry").path();
        let s =
            scenario::parse(&std::fs::read_to_string(&path).expect("readable")).expect("parses");
        let procedure = common::load_example(
            std::path::Path::new(&s.procedure)
                .file_name()
                .expect("file")
                .to_str()
                .expect("utf-8"),
        );
        // Scenarios of one dossier and commands only (the others change calendars and
        // versions, which `available` is not about).
        if !s.is_one_dossiers_commands() {
            continue;
        }
        let actors = s.actors().expect("actors");
        let mut d = Dossier::new("scenario", s.agency.clone());
        for (n, step) in s.steps.iter().enumerate() {
            let scenario::Action::Command(command) = &step.action else {
                continue;
            };
            if d.state != State::New {
                for (name, actor) in &actors {
                    let ctx = Ctx {
                        now: step.at,
                        actor,
                        procedure: &procedure,
                        calendar: common::calendar(),
                    };
                    let listed = available(&d, &ctx)
                        .iter()
                        .any(|a| a.command == command.name());
                    match dossier::decide(&d, command, &ctx) {
                        Ok(_) => {
                            assert!(
                                listed,
                                "{}: step {} `{}` as {name}: accepted but not listed",
                                path.display(),
                                n + 1,
                                command.name()
                            );
                            checked.0 += 1;
                        }
                        Err(r) if not_now.contains(&r.code.as_str()) => {
                            assert!(
                                !listed,
                                "{}: step {} `{}` as {name}: listed but refused ({})",
                                path.display(),
                                n + 1,
                                command.name(),
                                r.code
                            );
                            checked.1 += 1;
                        }
                        Err(_) => {}
                    }
                }
            }
            let actor = &actors[&step.actor];
            let ctx = Ctx {
                now: step.at,
                actor,
                procedure: &procedure,
                calendar: common::calendar(),
            };
            let _ = dossier::execute(&mut d, command, &ctx);
        }
    }
    assert!(
        checked.0 >= 30 && checked.1 >= 100,
        "enough cases: {checked:?}"
    );
}

/// A confirmation lists one year's days: a day of another year, or windows in the same step,
/// stop the run with the step named; nothing is half-applied.
#[test]
fn a_malformed_confirmation_stops_the_run() {
    let text = std::fs::read_to_string(common::examples().join("scenarios/xac-nhan-nam-2027.toml"))
        .expect("example");
    let procedure = common::load_example("ho-kinh-doanh.toml");
    let other_year = text.replacen(
        "{ date = \"2027-01-01\", kind = \"off\"",
        "{ date = \"2026-12-31\", kind = \"off\"",
        1,
    );
    let with_windows = text.replacen(
        "calendar = \"preview\"\nconfirm = 2027",
        "calendar = \"preview\"\nwindows = \"07:00-11:00\"\nconfirm = 2027",
        1,
    );
    for (bad, want) in [
        (
            other_year,
            "step 4: year 2027: invalid holiday data: 2026-12-31 is listed under year 2027",
        ),
        (with_windows, "step 4: a confirmation lists the year's days"),
    ] {
        assert_ne!(bad, text);
        let s = scenario::parse(&bad).expect("parses");
        let e = scenario::run(&s, &procedure, common::calendar()).expect_err("refused");
        assert!(e.0.contains(want), "{e}");
    }
}

/// A refused acceptance takes no number: the next acceptance that day is still 0001, as in
/// the store, where a refused command's transaction takes nothing.
#[test]
fn a_refused_acceptance_uses_no_number() {
    let text = r#"
title = "Tiếp nhận bị từ chối không lấy số"
procedure = "../procedures/ho-kinh-doanh.toml"
agency = "000.20.31.H53"

[actors.mot-cua]
kind = "staff"
roles = ["reception-officer"]
[actors.chuyen-vien]
kind = "staff"
roles = ["specialist"]

[[do]]
at = "2026-12-07T09:00:00+07:00"
as = "mot-cua"
command = "submit"
channel = "direct"
applicant = { name = "Nguyễn Văn An" }
components = ["Giấy đề nghị đăng ký hộ kinh doanh"]

[[do]]
at = "2026-12-07T09:10:00+07:00"
as = "chuyen-vien"
command = "accept"
expect = "refused"

[[do]]
at = "2026-12-07T09:20:00+07:00"
as = "mot-cua"
command = "accept"
"#;
    let s = scenario::parse(text).expect("parses");
    let procedure = common::load_example("ho-kinh-doanh.toml");
    let timeline = scenario::run(&s, &procedure, common::calendar()).expect("runs");
    assert!(timeline.passed(), "{timeline}");
    assert_eq!(
        timeline
            .dossier
            .code
            .as_ref()
            .map(ToString::to_string)
            .as_deref(),
        Some("000.20.31.H53-261207-0001"),
        "{timeline}"
    );
}
