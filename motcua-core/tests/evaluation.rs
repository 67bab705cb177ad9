//! The Circular 01/2018 scoring tool: each example scenario's dossier scored, the
//! applicant's fault and answers taken into account, and the agency arithmetic checked by
//! properties.

mod common;

use motcua_core::evaluation::{Inputs, Level, Rules, Tally, agency_score, score};
use motcua_core::scenario;
use proptest::prelude::*;

fn run(text: &str) -> scenario::Timeline {
    let s = scenario::parse(text).expect("parses");
    let procedure = common::load_example(
        std::path::Path::new(&s.procedure)
            .file_name()
            .expect("file")
            .to_str()
            .expect("utf-8"),
    );
    let versions = |file: &str| {
        let path = common::examples().join("scenarios").join(file);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| scenario::ScenarioError(format!("{}: {e}", path.display())))?;
        motcua_core::procedure::Procedure::load(&path.display().to_string(), &text)
            .map(|(p, _)| p)
            .map_err(|r| scenario::ScenarioError(r.to_string()))
    };
    let t = scenario::run_with(&s, &procedure, common::calendar(), &versions).expect("runs");
    assert!(t.passed(), "{t}");
    t
}

fn scenario_text(name: &str) -> String {
    std::fs::read_to_string(common::examples().join("scenarios").join(name)).expect("readable")
}

/// Every example scenario's final dossier and its score (none unless the result was
/// returned), as one snapshot.
#[test]
fn every_example_scenario_is_scored() {
    let dir = common::examples().join("scenarios");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("examples/scenarios")
        .map(|e| e.expect("entry").file_name().to_string_lossy().to_string())
        .collect();
    names.sort();
    let mut out = String::new();
    let mut scored = 0;
    for name in names {
        let t = run(&scenario_text(&name));
        let s = score(&t.dossier);
        scored += usize::from(s.is_some());
        out.push_str(&format!(
            "{name}: state {}, timeliness {:?}, rounds {}, verifications {}\n  {s:?}\n",
            t.dossier.state,
            t.dossier.timeliness,
            t.dossier.supplement_rounds,
            t.dossier.verifications.len()
        ));
    }
    assert!(scored >= 3, "several scenarios return a result");
    insta::assert_snapshot!(out);
}

#[test]
fn rounds_that_are_the_applicants_fault_do_not_count_against_the_agency() {
    let text = scenario_text("ho-kinh-doanh-bo-sung.toml");
    let base = run(&text);
    let s = score(&base.dossier).expect("returned");
    assert_eq!(base.dossier.supplement_rounds, 2);
    assert_eq!(s.came_back, 0, "two rounds not the applicant's fault");

    // The same dossier with its second request marked as the applicant's fault.
    let second = text
        .match_indices("command = \"request-supplement\"")
        .nth(1)
        .expect("a second request")
        .0;
    let mut faulted = text.clone();
    faulted.insert_str(
        second + "command = \"request-supplement\"".len(),
        "\napplicant_fault = true",
    );
    let t = run(&faulted);
    assert_eq!(t.dossier.supplement_rounds, 2);
    assert_eq!(t.dossier.supplement_rounds_applicant_fault, 1);
    assert_eq!(score(&t.dossier).expect("returned").came_back, 1);
    // Everything else is the same.
    let f = score(&t.dossier).expect("returned");
    assert_eq!(
        (f.total_time, f.unit_time, f.bodies),
        (s.total_time, s.unit_time, s.bodies)
    );
}

#[test]
fn the_applicants_answers_lower_the_points_never_raise_them() {
    let text = scenario_text("ho-kinh-doanh-bo-sung.toml");
    let s = score(&run(&text).dossier).expect("returned");
    // The same dossier, rated with the indicators answered (through the `rate` command).
    let answered = text.replace(
        "command = \"rate\"\nscore = 5",
        "command = \"rate\"\nscore = 5\nindicators = { came_back = 2, attitude = 0, bodies_contacted = 1 }",
    );
    assert_ne!(answered, text, "the scenario ends with a rating");
    let d = run(&answered).dossier;
    assert_eq!(d.rating_indicators.attitude, Some(0));
    let r = score(&d).expect("returned");
    assert_eq!(
        r.came_back, s.came_back,
        "2 from the applicant does not lift a 0"
    );
    assert_eq!(r.attitude, 0, "harassment reported");
    assert_eq!(r.bodies, s.bodies.min(1));
}

fn tally() -> impl Strategy<Value = Tally> {
    (
        0u64..200,
        any::<[u8; 6]>(),
        0u64..50,
        0u64..50,
        0u64..30,
        0u64..30,
    )
        .prop_flat_map(|(n, seeds, fb_due, fb_open, procs, procs_online)| {
            let sums = seeds.map(|s| u64::from(s) * n * 2 / 255);
            (
                Just((n, sums, fb_due, fb_open, procs, procs_online.min(procs))),
                0..=n,
                0..=n,
                0..=fb_due,
            )
        })
        .prop_flat_map(
            |((n, sums, fb_due, fb_open, procs, procs_online), desk, online, on_time)| {
                (
                    Just(Tally {
                        dossiers: n,
                        sums,
                        desk_decided: desk,
                        online,
                        online_late: 0,
                        feedback_due: fb_due,
                        feedback_on_time: on_time,
                        feedback_overdue_open: fb_open,
                        procedures: procs,
                        procedures_online: procs_online,
                    }),
                    0..=online,
                )
            },
        )
        .prop_map(|(mut t, late)| {
            t.online_late = late;
            t
        })
}

fn inputs() -> impl Strategy<Value = Inputs> {
    (
        proptest::option::of(0u8..=2),
        proptest::option::of(0u32..3),
        proptest::collection::btree_map(1u8..=9, 0u8..=2, 0..4),
    )
        .prop_map(|(publicity, attitude_complaints, appraised)| Inputs {
            publicity,
            attitude_complaints,
            appraised,
            note: String::new(),
        })
}

fn level() -> impl Strategy<Value = Level> {
    prop_oneof![
        Just(Level::Province),
        Just(Level::District),
        Just(Level::Commune)
    ]
}

proptest! {
    /// Every indicator is within 0–2, the total is the sum of the counted points (the
    /// appraisal where entered) and exists exactly when none is missing, and its band is the
    /// configured one.
    #[test]
    fn agency_scores_add_up(t in tally(), i in inputs(), l in level()) {
        let rules = Rules::default();
        let s = agency_score(l, &t, &i, &rules);
        prop_assert_eq!(s.indicators.len(), 9);
        for ind in &s.indicators {
            for p in [ind.points, ind.appraised].into_iter().flatten() {
                prop_assert!((0.0..=2.0).contains(&p), "{} has {}", ind.number, p);
            }
            prop_assert_eq!(ind.appraised, i.appraised.get(&ind.number).map(|p| f64::from(*p)));
        }
        let counted: Vec<Option<f64>> = s.indicators.iter().map(|x| x.appraised.or(x.points)).collect();
        let missing: Vec<u8> = (1..=9u8).filter(|n| counted[usize::from(*n) - 1].is_none()).collect();
        prop_assert_eq!(&s.missing, &missing);
        match s.total {
            Some(total) => {
                prop_assert!(missing.is_empty());
                let sum: f64 = counted.iter().flatten().sum();
                prop_assert!((total - sum).abs() < 0.006);
                prop_assert!((0.0..=18.0).contains(&total));
                prop_assert_eq!(s.classification.as_deref(), rules.classify(total));
            }
            None => {
                prop_assert!(!missing.is_empty());
                prop_assert!(s.classification.is_none());
            }
        }
        // A dossier-level indicator is the mean of the dossiers' points.
        if t.dossiers > 0 && !i.appraised.contains_key(&1) {
            let mean = t.sums[0] as f64 / t.dossiers as f64;
            prop_assert!((s.indicators[0].points.expect("points") - mean).abs() < 0.006);
        }
        // Any complaint found true makes indicator 7 zero; a late online dossier makes 9 zero.
        if i.attitude_complaints.is_some_and(|c| c > 0) {
            prop_assert_eq!(s.indicators[6].points, Some(0.0));
        }
        if t.online_late > 0 {
            prop_assert_eq!(s.indicators[8].points, Some(0.0));
        }
    }

    /// A higher total never falls in a lower band.
    #[test]
    fn classification_is_monotone(a in 0.0f64..=18.0, b in 0.0f64..=18.0) {
        let rules = Rules::default();
        let rank = |t: f64| rules.bands.iter().position(|x| Some(x.label.as_str()) == rules.classify(t));
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        prop_assert!(rank(hi) <= rank(lo));
    }
}

#[test]
fn band_edges_follow_the_configuration() {
    let r = Rules::default();
    assert_eq!(r.classify(15.0), Some("Tốt"));
    assert_eq!(r.classify(15.01), Some("Xuất sắc"));
    assert_eq!(r.classify(12.0), Some("Tốt"));
    assert_eq!(r.classify(11.99), Some("Khá"));
    assert_eq!(r.classify(0.0), Some("Yếu"));
    assert!(r.problems().is_empty());
    let mut bad = r.clone();
    bad.bands.swap(0, 4);
    bad.desk_share[2] = 120.0;
    assert_eq!(bad.problems().len(), 3, "{:?}", bad.problems());
}
