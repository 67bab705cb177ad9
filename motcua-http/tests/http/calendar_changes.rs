//! A day off added to one agency's calendar while dossiers are in flight: stored as pending
//! (nothing moves), previewed (the dossier, its deadlines from what to what, and why), applied
//! (in force for new deadlines at once), and the dossier's deadlines reprojected with one
//! journaled event — by the job, or by the first command that reaches the dossier, whichever
//! comes first; a dossier of another agency is left alone.

use super::pages::{csrf_of, get_with, post_form};
use crate::support::*;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use motcua_http::ManualClock;
use serde_json::{Value, json};
use std::sync::Arc;

const DISTRICT: &str = "000.20.31.H53";
const HKD: &str = "HKD-DK-THANH-LAP";
const DON: &str = "Giấy đề nghị đăng ký hộ kinh doanh";

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).expect("instant").to_utc()
}

fn cookie(token: &str) -> String {
    format!("motcua_session={token}")
}

/// Submitted online and accepted on Monday 7 December 2026: appointment Thursday 10
/// December at 10:00 (3 working days).
async fn accepted(st: &motcua_http::AppState, owner: &str, desk: &str) -> String {
    let (s, v) = call(
        st,
        "POST",
        "/api/v1/dossiers",
        Some(owner),
        Some(json!({ "procedure": HKD, "agency": DISTRICT,
                     "applicant": { "name": "Hồ Văn Sáu" }, "components": [DON] })),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    let id = v["id"].as_str().expect("id").to_string();
    let (s, v) = command(st, desk, &id, json!({ "command": "accept" })).await;
    assert_eq!(s, 200, "{v}");
    id
}

async fn dossier(st: &motcua_http::AppState, token: &str, id: &str) -> Value {
    let (s, v) = call(
        st,
        "GET",
        &format!("/api/v1/dossiers/{id}"),
        Some(token),
        None,
    )
    .await;
    assert_eq!(s, 200, "{v}");
    v
}

fn reprojections(v: &Value) -> Vec<&Value> {
    v["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["event"]["type"] == "deadlines-reprojected")
        .collect()
}

#[tokio::test]
async fn a_day_off_is_previewed_applied_and_moves_the_dossiers_in_flight_once() {
    let clock = Arc::new(ManualClock::new(at("2026-12-07T09:00:00+07:00")));
    let st = state().await.with_clock(clock.clone());
    let owner = applicant(&st, "nguoi-nop", "Người Nộp").await;
    let desk = staff(&st, "desk.c", DISTRICT, "reception-officer").await;
    clock.set(at("2026-12-07T10:00:00+07:00"));
    let first = accepted(&st, &owner, &desk).await;
    let second = accepted(&st, &owner, &desk).await;
    // Two questions to the district the same hour, answer due Thursday 10:00; one is
    // answered before the change.
    let mut asked = Vec::new();
    for subject in ["Giờ làm việc", "Lệ phí"] {
        let (s, v) = call(
            &st,
            "POST",
            "/api/v1/feedback",
            Some(&owner),
            Some(json!({ "agency": DISTRICT, "subject": subject, "body": "Xin hỏi." })),
        )
        .await;
        assert_eq!(s, 201, "{v}");
        assert_eq!(v["answer_due"], "2026-12-10T10:00:00+07:00");
        asked.push(v["id"].as_str().expect("id").to_string());
    }
    let (s, v) = call(
        &st,
        "POST",
        &format!("/api/v1/feedback/{}/answer", asked[1]),
        Some(&desk),
        Some(json!({ "answer": "Không thu lệ phí." })),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let v = dossier(&st, &desk, &first).await;
    assert_eq!(v["dossier"]["clock"]["appointment"], "2026-12-10T03:00:00Z");
    let before = v["dossier"]["calendar_version"]
        .as_str()
        .expect("the version its deadlines were computed with")
        .to_string();

    // The district's administrator... the system administrator adds Wednesday 9 December as
    // a day off for the district only.
    let admin = cookie(&staff(&st, "qt-lich", "000.00.00.H53", "system-admin").await);
    let (_, _, _, page) = get_with(
        &st,
        &format!("/can-bo/lich?nam=2026&co-quan={DISTRICT}"),
        &admin,
    )
    .await;
    let csrf = csrf_of(&page);
    let (s, location, _, page) = post_form(
        &st,
        "/can-bo/lich",
        &admin,
        &[
            ("csrf", &csrf),
            ("viec", "them-ngay"),
            ("nam", "2026"),
            ("co-quan", DISTRICT),
            ("ngay-rieng", "2026-12-09"),
            ("loai", "nghi"),
            ("ten-ngay", "Nghỉ tổ chức lễ hội"),
            ("nguon", "Quyết định 99/QĐ-UBND"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{page}");
    let (_, _, _, page) = get_with(&st, &location, &admin).await;
    assert!(page.contains("Có thay đổi chờ áp dụng"), "{page}");
    assert!(page.contains("Lịch riêng của"), "{page}");

    // Pending: nothing moved, the district's calendar in force is the same.
    let config = st.config().await.expect("config");
    assert_eq!(
        config.calendar_for(DISTRICT).expect("calendar").version(),
        Some(before.as_str())
    );
    let v = dossier(&st, &desk, &first).await;
    assert_eq!(v["dossier"]["clock"]["appointment"], "2026-12-10T03:00:00Z");

    // The preview names both dossiers, the appointment from Thursday to Friday, and why.
    let (s, _, _, page) = get_with(&st, "/can-bo/lich/xem-truoc", &admin).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert!(page.contains("2 hồ sơ có thời hạn thay đổi"), "{page}");
    assert!(
        page.contains("Ngày hẹn trả kết quả")
            && page.contains("<td>10/12/2026 10:00</td><td>11/12/2026 10:00</td>"),
        "{page}"
    );
    assert!(
        page.contains("2026-12-09: nghỉ, Nghỉ tổ chức lễ hội (Quyết định 99/QĐ-UBND)"),
        "{page}"
    );
    // And the unanswered question's answer due, not the answered one's.
    assert!(
        page.contains("1 phản ánh, kiến nghị chưa trả lời có hạn trả lời thay đổi")
            && page.contains(&format!(
                "<a href=\"/can-bo/phan-anh#pa-{}\">Giờ làm việc</a></td><td>10/12/2026 10:00</td><td>11/12/2026 10:00</td>",
                asked[0]
            )),
        "{page}"
    );
    assert!(!page.contains("Lệ phí"), "{page}");
    // An officer may not see it.
    let (s, _, _, _) = get_with(&st, "/can-bo/lich/xem-truoc", &cookie(&desk)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // Applied (at the app layer here, so that the job runs when the test says).
    clock.set(at("2026-12-07T11:00:00+07:00"));
    let (user, grants) = st.store.user("qt-lich").await.expect("the administrator");
    let principal = motcua_http::app::Principal { user, grants };
    motcua_http::app::reprojection::apply(&st, &principal)
        .await
        .expect("applied");
    let config = st.config().await.expect("config");
    let after = config
        .calendar_for(DISTRICT)
        .expect("calendar")
        .version()
        .expect("labelled")
        .to_string();
    assert_ne!(after, before);
    // The feedback due moved with the change, at once; the answered one kept its due.
    let open = st.store.feedback(&asked[0]).await.expect("feedback");
    assert_eq!(open.due_at, at("2026-12-11T10:00:00+07:00"));
    let answered = st.store.feedback(&asked[1]).await.expect("feedback");
    assert_eq!(answered.due_at, at("2026-12-10T10:00:00+07:00"));
    assert_eq!(
        config
            .calendar_for("000.31.12.H53")
            .expect("commune")
            .version(),
        Some(after.as_str()),
        "a commune of the district has the district's days too"
    );
    assert_eq!(
        config
            .calendar_for("000.00.00.H53")
            .expect("province")
            .version(),
        Some(config.calendar.version().expect("labelled")),
        "the province above it keeps the deployment's calendar"
    );

    // The first command on the second dossier brings it under the new calendar first.
    let v = dossier(&st, &desk, &second).await;
    let version = v["dossier"]["version"].as_u64().expect("version");
    let (s, v) = command(
        &st,
        &desk,
        &second,
        json!({ "command": "forward", "to": "phan-cong", "expected_version": version }),
    )
    .await;
    assert_eq!(s, 200, "the version the officer saw still stands: {v}");
    let v = dossier(&st, &desk, &second).await;
    assert_eq!(reprojections(&v).len(), 1, "{v}");
    assert_eq!(v["dossier"]["clock"]["appointment"], "2026-12-11T03:00:00Z");
    assert_eq!(v["dossier"]["calendar_version"], after.as_str());

    // The job takes the rest; a second run finds nothing to do.
    let done = motcua_http::app::reprojection::run_pending(&st, &|_, _| {})
        .await
        .expect("job");
    assert_eq!(done.moved, 1, "the first dossier: {done:?}");
    let v = dossier(&st, &desk, &first).await;
    let moved = reprojections(&v);
    assert_eq!(moved.len(), 1, "{v}");
    assert_eq!(moved[0]["event"]["calendar_before"], before.as_str());
    assert_eq!(moved[0]["event"]["calendar_after"], after.as_str());
    assert_eq!(v["dossier"]["clock"]["appointment"], "2026-12-11T03:00:00Z");
    assert_eq!(
        v["dossier"]["clock"]["original_appointment"], "2026-12-11T03:00:00Z",
        "classified against the legal appointment under the calendar in force"
    );
    let again = motcua_http::app::reprojection::run_pending(&st, &|_, _| {})
        .await
        .expect("job");
    assert_eq!(again.moved, 0);
    assert_eq!(reprojections(&dossier(&st, &desk, &first).await).len(), 1);
    // The applicant was told the new appointment.
    let outbox = st.store.outbox_of(&first).await.expect("outbox");
    assert!(
        outbox
            .iter()
            .any(|(_, p)| p.contains("ngày hẹn trả kết quả mới") && p.contains("11/12/2026")),
        "{outbox:?}"
    );
    // Every chain still verifies.
    let report = st.store.verify_all().await.expect("verify");
    assert!(report.problems.is_empty(), "{report:?}");
    // The change is recorded as done, and nothing is pending.
    let config = st.config().await.expect("config");
    assert!(config.calendar_changes.iter().all(|c| c.done_at.is_some()));
    let (_, _, _, page) = get_with(&st, "/can-bo/lich/xem-truoc", &admin).await;
    assert!(page.contains("Không có thay đổi nào chờ áp dụng"), "{page}");
}

/// A job stopped half-way (one dossier of two reprojected, the change not finished) is
/// finished by the next pass: each dossier moved exactly once.
#[tokio::test]
async fn a_reprojection_stopped_half_way_is_finished_by_the_next_pass() {
    use motcua_core::dossier::Actor;
    use motcua_store::ReprojectRequest;
    let clock = Arc::new(ManualClock::new(at("2026-12-07T09:00:00+07:00")));
    let st = state().await.with_clock(clock.clone());
    let owner = applicant(&st, "nguoi-nop", "Người Nộp").await;
    let desk = staff(&st, "desk.r", DISTRICT, "reception-officer").await;
    clock.set(at("2026-12-07T10:00:00+07:00"));
    let first = accepted(&st, &owner, &desk).await;
    let second = accepted(&st, &owner, &desk).await;
    let (user, grants) = {
        staff(&st, "qt-lich2", "000.00.00.H53", "system-admin").await;
        st.store.user("qt-lich2").await.expect("the administrator")
    };
    let admin = motcua_http::app::Principal { user, grants };
    motcua_http::app::calendar::add_day(
        &st,
        &admin,
        Some(DISTRICT),
        "2026-12-09",
        "nghi",
        "Nghỉ tổ chức lễ hội",
        "Quyết định 99/QĐ-UBND",
    )
    .await
    .map_err(|_| "refused")
    .expect("pending");
    clock.set(at("2026-12-07T11:00:00+07:00"));
    motcua_http::app::reprojection::apply(&st, &admin)
        .await
        .expect("applied");
    // The job's first batch: the first dossier only, then the process stops.
    let config = st.config().await.expect("config");
    let current = config.calendar_for(DISTRICT).expect("calendar");
    let before = config.calendar_changes[0].agencies[0].before.clone();
    let old = motcua_http::app::reprojection::calendar_of_version(&st, &config, &before)
        .await
        .expect("the calendar before");
    let system = Actor::system("motcua-lich");
    let done = st
        .store
        .reproject(
            std::slice::from_ref(&first),
            &ReprojectRequest {
                calendar: &current,
                effective_at: config.calendar_changes[0].effective_at,
                actor: &system,
                now: st.now(),
            },
            &|_| Some(old.clone()),
            &|code, version| config.version_of(code, version).cloned(),
        )
        .await
        .expect("one batch");
    assert_eq!(done.moved, 1);
    assert!(
        st.config().await.expect("config").calendar_changes[0]
            .done_at
            .is_none(),
        "the change is not finished"
    );
    // The next pass finishes the rest, and only the rest.
    let rest = motcua_http::app::reprojection::run_pending(&st, &|_, _| {})
        .await
        .expect("resumed");
    assert_eq!((rest.examined, rest.moved), (1, 1), "{rest:?}");
    for id in [&first, &second] {
        let v = dossier(&st, &desk, id).await;
        assert_eq!(reprojections(&v).len(), 1, "{id}: {v}");
        assert_eq!(v["dossier"]["clock"]["appointment"], "2026-12-11T03:00:00Z");
    }
    assert!(
        st.config().await.expect("config").calendar_changes[0]
            .done_at
            .is_some()
    );
}
