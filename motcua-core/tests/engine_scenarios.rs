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
        let timeline = scenario::run(&s, &procedure, common::calendar()).expect("runs");
        assert!(timeline.passed(), "{name}:\n{timeline}");
        insta::assert_snapshot!(name, timeline.to_string());
    }
}
