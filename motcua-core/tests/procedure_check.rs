//! Loading procedure files: every problem reported with its location.

use motcua_core::procedure::{Procedure, Severity};

fn report(text: &str) -> String {
    match Procedure::load("test.toml", text) {
        Ok((_, r)) | Err(r) => r.to_string(),
    }
}

#[test]
fn a_broken_file_gets_every_problem_with_its_location() {
    let text = include_str!("data/procedures/broken.toml");
    let Err(r) = Procedure::load("broken.toml", text) else {
        panic!("broken.toml must not load");
    };
    assert!(
        r.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
            >= 15
    );
    insta::assert_snapshot!("broken_procedure_report", r.to_string());
    // The same problems in Vietnamese, for the back office.
    let vi: Vec<String> = r
        .diagnostics
        .iter()
        .map(|d| format!("{}:{}: {}", d.line, d.column, d.message_vi))
        .collect();
    assert!(r.diagnostics.iter().all(|d| d.message_vi != d.message));
    insta::assert_snapshot!("broken_procedure_report_vi", vi.join("\n"));
}

const MINIMAL: &str = r#"
format = 1
[procedure]
code = "T-1"
version = "1"
name = "Thủ tục thử"
field = "Thử"
agency_levels = ["commune"]
service_level = { legacy = 2, online = "none" }
rule_pack = "nd61-2018"
time_limit = "2wd"
applicants = "Công dân"
handling_agency = "UBND xã"
result = "Văn bản"

[[step]]
id = "a"
name = "A"
role = "reception-officer"
allowance = "1wd"

[[step]]
id = "b"
name = "B"
role = "agency-leader"
allowance = "1wd"
end = true

[[transition]]
from = "a"
to = "b"
action = "forward"
"#;

/// Table of (edit to MINIMAL, expected fragment of the report).
#[test]
fn single_problems() {
    let cases: &[(&str, &str, &str)] = &[
        ("", "", "0 error(s), 0 warning(s)"),
        (
            "time_limit = \"2wd\"",
            "time_limit = \"3wd\"",
            "warning: step allowances along the longest path add up to 2wd, but the time limit is 3wd",
        ),
        (
            "format = 1",
            "format = 2",
            "test.toml:2:10: error: format 2 is not supported",
        ),
        (
            "action = \"forward\"",
            "action = \"approve\"",
            "`approve` from step `a` makes no sense",
        ),
        (
            "end = true",
            "end = false",
            "no step is marked `end = true`",
        ),
        (
            "to = \"b\"\naction",
            "to = \"a\"\naction",
            "a transition from `a` to itself makes no sense",
        ),
        (
            "version = \"1\"",
            "version = \"bản 1\"",
            "test.toml:5:11: error: procedure version `bản 1` must be 1 to 32 characters",
        ),
        (
            "rule_pack = \"nd61-2018\"",
            "rule_pack = \"nd43\"",
            "unknown rule pack `nd43`",
        ),
        (
            "result = \"Văn bản\"",
            "result = \"Văn bản\"\ncolour = \"red\"",
            "unknown field `colour`",
        ),
        (
            "[[step]]\nid = \"a\"",
            "[[step]]\nid = \"a\"\n[[step]]\nid = \"z\"",
            "missing field",
        ),
        (
            "action = \"forward\"",
            "action = \"forward\"\nguard = \"loop {\"",
            "guard does not compile",
        ),
    ];
    for (from, to, want) in cases {
        let text = if from.is_empty() {
            MINIMAL.to_string()
        } else {
            MINIMAL.replacen(from, to, 1)
        };
        if !from.is_empty() {
            assert_ne!(text, MINIMAL, "the edit {from:?} applies");
        }
        let got = report(&text);
        assert!(
            got.contains(want),
            "edit {from:?} → {to:?}: expected {want:?} in\n{got}"
        );
    }
}

#[test]
fn graphs_draw_every_step_and_transition() {
    let (p, _) = Procedure::load("t", MINIMAL).expect("loads");
    let dot = p.to_dot();
    assert!(dot.contains("\"a\" -> \"b\" [label=\"forward\"]"), "{dot}");
    assert!(p.to_mermaid().contains("s0 -->|forward| s1"));
}
