//! The scoring tool over HTTP: every example scenario replayed into the store, each
//! agency's tally recounted from the replayed dossiers by a second route (the engine's
//! score of each dossier, summed here) and compared with the report; feedback counted; the
//! service center's inputs and the rules entered, checked and refused; the workbook read
//! back; the page and its form.

use super::pages::{csrf_of, get_with, post_form};
use crate::support::*;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use motcua_core::evaluation::{Tally, score};
use motcua_http::{AppState, ManualClock};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;

const PROVINCE: &str = "000.00.00.H53";
const COMMUNE: &str = "000.31.12.H53";
const YEAR: &str = "from=2026-01-01&to=2026-12-31";

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).expect("instant").to_utc()
}

/// The demo on a clock stopped on Monday 7 December 2026, 09:00, with every example
/// scenario replayed; the tallies expected from the replayed dossiers, by agency.
async fn replayed() -> (
    AppState,
    BTreeMap<String, Tally>,
    Vec<(String, motcua_core::dossier::Dossier)>,
) {
    let clock = Arc::new(ManualClock::new(at("2026-12-07T09:00:00+07:00")));
    let st = state().await.with_clock(clock);
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/scenarios");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("scenarios")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let mut expected: BTreeMap<String, Tally> = BTreeMap::new();
    let mut dossiers = Vec::new();
    let (from, to) = (
        at("2026-01-01T00:00:00+07:00"),
        at("2027-01-01T00:00:00+07:00"),
    );
    for path in files {
        let text = std::fs::read_to_string(&path).expect("read");
        let scenario = motcua_core::scenario::parse(&text).expect("scenario");
        // Scenarios of several dossiers, calendars and versions are the engine's to run.
        if !scenario.is_one_dossiers_commands() {
            continue;
        }
        let proc_text =
            std::fs::read_to_string(path.parent().unwrap().join(&scenario.procedure)).expect("p");
        let (procedure, _) =
            motcua_core::procedure::Procedure::load("p.toml", &proc_text).expect("loads");
        let id = format!("ev-{}", path.file_stem().unwrap().to_string_lossy());
        let (d, unexpected) = st
            .store
            .replay(&scenario, &id, &procedure, &st.calendar)
            .await
            .expect("replay");
        assert!(unexpected.is_empty(), "{id}: {unexpected:?}");
        dossiers.push((id, d));
    }
    // The second route: every dossier the agencies received, folded again from its event
    // log with its procedure version, scored by the engine, summed here.
    let config = st.config().await.expect("config");
    for a in config.directory.all() {
        for stored in st
            .store
            .received(
                &a.id,
                at("2000-01-01T00:00:00Z"),
                at("2100-01-01T00:00:00Z"),
                100_000,
            )
            .await
            .expect("received")
        {
            let procedure = config
                .version_of(&stored.procedure, &stored.procedure_version)
                .expect("procedure version");
            let events = st.store.events(&stored.id).await.expect("events");
            let d = motcua_core::dossier::Dossier::replay(
                stored.id.clone(),
                stored.agency.clone(),
                &events,
                procedure,
            )
            .expect("the log replays");
            assert_eq!(d, stored, "the log folds into the stored projection");
            if let (Some(s), Some(closed)) = (score(&d), d.closed_at)
                && closed >= from
                && closed < to
            {
                expected
                    .entry(d.agency.to_string())
                    .or_default()
                    .add(&s, d.channel == Some(motcua_core::dossier::Channel::Online));
            }
        }
    }
    assert!(
        expected.values().map(|t| t.dossiers).sum::<u64>() >= 3,
        "several scenarios return a result in 2026"
    );
    (st, expected, dossiers)
}

#[tokio::test]
async fn each_agencys_tally_is_the_sum_of_its_returned_dossiers_scores() {
    let (st, expected, dossiers) = replayed().await;
    let leader = staff(&st, "lanh-dao.ev", PROVINCE, "agency-leader").await;
    let (s, report) = call(
        &st,
        "GET",
        &format!("/api/v1/reports/evaluation?agency={PROVINCE}&{YEAR}"),
        Some(&leader),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{report}");
    assert_eq!(
        report["agencies"][0]["agency"], PROVINCE,
        "the agency first"
    );
    let rows = report["agencies"].as_array().unwrap();
    assert!(rows.len() > 3, "and every agency below it");
    for row in rows {
        let id = row["agency"].as_str().unwrap();
        let want = expected.get(id).cloned().unwrap_or_default();
        let t = &row["tally"];
        assert_eq!(t["dossiers"], json!(want.dossiers), "{id}: {t}");
        assert_eq!(t["sums"], json!(want.sums), "{id}: {t}");
        assert_eq!(t["desk_decided"], json!(want.desk_decided), "{id}");
        assert_eq!(t["online"], json!(want.online), "{id}");
        assert_eq!(t["online_late"], json!(want.online_late), "{id}");
        let ind = row["score"]["indicators"].as_array().unwrap();
        assert_eq!(ind.len(), 9);
        if want.dossiers > 0 {
            let mean = want.sums[0] as f64 / want.dossiers as f64;
            let got = ind[0]["points"].as_f64().unwrap();
            assert!((got - mean).abs() < 0.006, "{id}: {got} vs {mean}");
        } else {
            assert!(ind[0]["points"].is_null(), "{id}: no dossier, no points");
        }
        // Publicity is the service center's to enter: nothing entered, no total.
        assert!(ind[5]["points"].is_null());
        assert!(row["score"]["total"].is_null());
        assert_eq!(
            row["score"]["missing"].as_array().unwrap()[0],
            1 + usize::from(want.dossiers > 0) * 5
        );
    }
    // Each returned dossier's own score, as the engine computes it.
    for (id, d) in &dossiers {
        let (s, v) = call(
            &st,
            "GET",
            &format!("/api/v1/dossiers/{id}/evaluation"),
            Some(&leader),
            None,
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["score"], json!(score(d)), "{id}");
    }
    // The applicant of another dossier does not see this one's.
    let stranger = applicant(&st, "nguoi-la.ev", "Người Lạ").await;
    let (s, _) = call(
        &st,
        "GET",
        &format!("/api/v1/dossiers/{}/evaluation", dossiers[0].0),
        Some(&stranger),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn feedback_inputs_appraisals_and_rules_make_the_total_and_its_band() {
    let (st, expected, _) = replayed().await;
    let scored = expected
        .iter()
        .find(|(_, t)| t.dossiers > 0)
        .map(|(a, _)| a.clone())
        .expect("an agency with returned dossiers");
    let leader = staff(&st, "lanh-dao.ev2", PROVINCE, "agency-leader").await;
    let center = staff(&st, "giam-sat.ev2", PROVINCE, "supervisor").await;
    let desk = staff(&st, "mot-cua.ev2", &scored, "reception-officer").await;
    let report = |token: String| {
        let st = st.clone();
        let scored = scored.clone();
        async move {
            let (s, v) = call(
                &st,
                "GET",
                &format!("/api/v1/reports/evaluation?agency={scored}&{YEAR}"),
                Some(&token),
                None,
            )
            .await;
            assert_eq!(s, StatusCode::OK, "{v}");
            v["agencies"][0].clone()
        }
    };

    // Two feedback items due in December: one answered at once, one not yet (not overdue
    // on 7 December): half answered on time gives 0 points for indicator 8.
    let citizen = applicant(&st, "phan-anh.ev", "Người Phản Ánh").await;
    let mut ids = Vec::new();
    for subject in ["Hỏi về lệ phí", "Hỏi về thời hạn"] {
        let (s, v) = call(
            &st,
            "POST",
            "/api/v1/feedback",
            Some(&citizen),
            Some(json!({"agency": scored, "subject": subject, "body": "Xin hỏi."})),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        ids.push(v["id"].as_str().unwrap().to_string());
    }
    let (s, v) = call(
        &st,
        "POST",
        &format!("/api/v1/feedback/{}/answer", ids[0]),
        Some(&desk),
        Some(json!({"answer": "Không thu lệ phí.", "publish": false})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let row = report(leader.clone()).await;
    assert_eq!(row["tally"]["feedback_due"], 2, "{row}");
    assert_eq!(row["tally"]["feedback_on_time"], 1);
    assert_eq!(row["tally"]["feedback_overdue_open"], 0);
    assert_eq!(row["score"]["indicators"][7]["points"], 0.0);

    // The service center enters publicity and appraises indicator 8; nobody else may.
    let put = |token: String, body: Value| {
        let st = st.clone();
        let scored = scored.clone();
        async move {
            call(
                &st,
                "PUT",
                &format!("/api/v1/reports/evaluation/inputs?agency={scored}&{YEAR}"),
                Some(&token),
                Some(body),
            )
            .await
        }
    };
    let inputs = json!({"publicity": 2, "attitude_complaints": 0, "appraised": {"8": 1}, "note": "Niêm yết đủ."});
    for token in [&desk, &leader] {
        let (s, v) = put(token.clone(), inputs.clone()).await;
        assert_eq!(
            (s, v["code"].as_str()),
            (StatusCode::FORBIDDEN, Some("forbidden"))
        );
    }
    for (bad, why) in [
        (json!({"publicity": 3}), "invalid_evaluation"),
        (json!({"appraised": {"10": 1}}), "invalid_evaluation"),
        (json!({"appraised": {"2": 5}}), "invalid_evaluation"),
        (json!({"publicity": "hai"}), "invalid_body"),
        (json!({"unknown": 1}), "invalid_body"),
    ] {
        let (s, v) = put(center.clone(), bad.clone()).await;
        assert_eq!(
            (s, v["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some(why)),
            "{bad}: {v}"
        );
        assert!(
            v["message"].as_str().unwrap().chars().any(|c| c > '\u{7f}'),
            "Vietnamese: {v}"
        );
    }
    assert!(
        report(leader.clone()).await["inputs"]["publicity"].is_null(),
        "refusals change nothing"
    );
    let (s, v) = put(center.clone(), inputs.clone()).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
    let row = report(leader.clone()).await;
    let ind = row["score"]["indicators"].as_array().unwrap();
    assert_eq!(ind[5]["points"], 2.0);
    assert_eq!(ind[7]["points"], 0.0, "self-assessed");
    assert_eq!(ind[7]["appraised"], 1.0, "appraised");
    assert_eq!(row["entered_by"], "giam-sat.ev2");
    let counted: f64 = ind
        .iter()
        .map(|i| i["appraised"].as_f64().or(i["points"].as_f64()).unwrap())
        .sum();
    let total = row["score"]["total"]
        .as_f64()
        .expect("a total once publicity is entered");
    assert!((total - counted).abs() < 0.006, "{total} vs {counted}");
    let band = row["score"]["classification"].as_str().unwrap().to_string();

    // Rules: the province's system administrator moves every band above this total.
    let admin = staff(&st, "quan-tri.ev2", PROVINCE, "system-admin").await;
    let (s, rules) = call(
        &st,
        "GET",
        "/api/v1/reports/evaluation/rules",
        Some(&leader),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{rules}");
    assert_eq!(rules["bands"][0]["label"], "Xuất sắc");
    let mut strict = rules.clone();
    strict["bands"] = json!([
        {"label": "Đạt", "min": (total + 0.5).min(18.0)},
        {"label": "Chưa đạt", "min": 0.0}
    ]);
    let (s, v) = call(
        &st,
        "PUT",
        "/api/v1/reports/evaluation/rules",
        Some(&leader),
        Some(strict.clone()),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    let district_admin = staff(&st, "quan-tri.huyen.ev2", "000.20.31.H53", "system-admin").await;
    let (s, _) = call(
        &st,
        "PUT",
        "/api/v1/reports/evaluation/rules",
        Some(&district_admin),
        Some(strict.clone()),
    )
    .await;
    assert_eq!(
        s,
        StatusCode::FORBIDDEN,
        "rules are the deployment's, set at the top"
    );
    let mut unordered = strict.clone();
    unordered["bands"] = json!([{"label": "A", "min": 1.0}, {"label": "B", "min": 5.0}]);
    let (s, v) = call(
        &st,
        "PUT",
        "/api/v1/reports/evaluation/rules",
        Some(&admin),
        Some(unordered),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_evaluation")),
        "{v}"
    );
    let (s, v) = call(
        &st,
        "PUT",
        "/api/v1/reports/evaluation/rules",
        Some(&admin),
        Some(strict),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let row = report(leader.clone()).await;
    assert_eq!(row["score"]["classification"], "Chưa đạt", "was {band}");

    // The workbook says what the JSON says.
    let (s, _, xlsx) = fetch(
        &st,
        &format!("/api/v1/reports/evaluation?agency={scored}&{YEAR}&format=xlsx"),
        &leader,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = call(
        &st,
        "GET",
        &format!("/api/v1/reports/evaluation?agency={scored}&{YEAR}&format=csv"),
        Some(&leader),
        None,
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_format"))
    );
    let Some(book) = super::spreadsheets::read_back(&xlsx) else {
        return;
    };
    let sheet = &book["sheets"][0];
    let rows = sheet["rows"].as_array().unwrap();
    assert!(rows[0][0].as_str().unwrap().starts_with("KẾT QUẢ ĐÁNH GIÁ"));
    let first = &rows[5];
    assert_eq!(first[1], row["name"]);
    assert_eq!(first[2].as_f64(), row["tally"]["dossiers"].as_f64());
    for i in 0..9 {
        let ind = &row["score"]["indicators"][i];
        for (col, key) in [(3 + 2 * i, "points"), (4 + 2 * i, "appraised")] {
            assert_eq!(
                first[col].as_f64(),
                ind[key].as_f64(),
                "indicator {} {key}",
                i + 1
            );
        }
    }
    assert_eq!(first[21].as_f64(), row["score"]["total"].as_f64());
    assert_eq!(first[22], "Chưa đạt");
    assert!(
        sheet["merged"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m == "D4:E4"),
        "each indicator's two columns under one header: {}",
        sheet["merged"]
    );
    assert_eq!(book["sheets"][1]["name"], "Căn cứ chấm điểm");
}

#[tokio::test]
async fn the_evaluation_page_shows_the_scores_and_takes_the_centers_inputs() {
    let (st, expected, dossiers) = replayed().await;
    let scored = expected
        .iter()
        .find(|(_, t)| t.dossiers > 0)
        .map(|(a, _)| a.clone())
        .expect("an agency with returned dossiers");
    let cookie = |t: &str| format!("motcua_session={t}");
    let center = staff(&st, "giam-sat.page", PROVINCE, "supervisor").await;
    let uri = format!("/can-bo/theo-doi/danh-gia?co-quan={scored}&tu=2026-01-01&den=2026-12-31");
    let (s, _, _, page) = get_with(&st, &uri, &cookie(&center)).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    for needle in [
        "Đánh giá giải quyết thủ tục hành chính",
        "Tổng thời gian giải quyết so với thời gian quy định",
        "Chưa nhập: Trung tâm Phục vụ hành chính công đánh giá việc công khai.",
        "Thiếu chỉ số 6",
        "danh-gia.xlsx",
        "Trung tâm nhập cho kỳ này",
    ] {
        assert!(page.contains(needle), "{needle}");
    }
    let csrf = csrf_of(&page);
    // The form for the commune and the year, as the page sends it.
    let send = |fields: Vec<(&'static str, &'static str)>, token: &str| {
        let (st, scored, session) = (st.clone(), scored.clone(), cookie(&center));
        let token = token.to_string();
        async move {
            let mut all: Vec<(&str, &str)> = vec![
                ("csrf", token.as_str()),
                ("co-quan", scored.as_str()),
                ("tu", "2026-01-01"),
                ("den", "2026-12-31"),
            ];
            all.extend(fields);
            post_form(&st, "/can-bo/theo-doi/danh-gia", &session, &all).await
        }
    };
    // A bad number is shown beside its field, and nothing is stored.
    let (s, _, _, back) = send(
        vec![("cong-khai", "2"), ("phan-anh-thai-do", "mười")],
        &csrf,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        back.contains("Số phản ánh về thái độ phải là số nguyên không âm."),
        "{back}"
    );
    assert!(back.contains("value=\"mười\""), "what was typed is kept");
    let (s, _, _, _) = send(vec![("cong-khai", "2")], "forged").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, location, _, _) = send(
        vec![
            ("cong-khai", "2"),
            ("phan-anh-thai-do", "0"),
            ("tham-dinh-3", "1"),
            ("ghi-chu", "Đã kiểm tra."),
        ],
        &csrf,
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{location}");
    let (_, _, _, page) = get_with(&st, &location, &cookie(&center)).await;
    assert!(page.contains("Đã lưu nội dung Trung tâm nhập cho kỳ này."));
    assert!(
        !page.contains("Thiếu chỉ số"),
        "every indicator has points now"
    );
    assert!(page.contains("Đã kiểm tra."));
    // A returned dossier's workspace shows its own indicators; an open one has none yet.
    for (id, d) in &dossiers {
        let (s, _, _, page) = get_with(&st, &format!("/can-bo/ho-so/{id}"), &cookie(&center)).await;
        assert_eq!(s, StatusCode::OK, "{id}");
        let shown = page.contains("Đánh giá theo Bộ chỉ số");
        assert_eq!(shown, score(d).is_some(), "{id}");
        if let Some(sc) = score(d) {
            assert!(page.contains(&format!("1. Tổng thời gian giải quyết so với thời gian quy định</th><td class=\"num\">{}</td>", sc.total_time)), "{id}");
        }
    }
    // A reception officer sees the scores of the agency but not the form.
    let desk = staff(&st, "mot-cua.page", &scored, "reception-officer").await;
    let (s, _, _, page) = get_with(&st, &uri, &cookie(&desk)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(!page.contains("Trung tâm nhập cho kỳ này"));
    let (s, _, _, _) = get_with(
        &st,
        &format!("/can-bo/theo-doi/danh-gia?co-quan={COMMUNE}&tu=2026-01-01&den=2026-12-31"),
        &cookie(&desk),
    )
    .await;
    assert!(
        s == StatusCode::FORBIDDEN || scored == COMMUNE,
        "another agency's scores: {s}"
    );
}
