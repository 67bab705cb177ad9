//! Alerts: computed by a job one server at a time runs, each raised once, delivered to the
//! portal inbox (and email) of the staff concerned: the intake due of an online dossier
//! near and past, a consultation past its deadline to the service center's supervisors
//! (Điều 14.3.c), feedback near its due (Điều 19), a dossier past its appointment to the
//! agency's leaders.

use crate::support::*;
use axum::http::StatusCode;
use chrono::{DateTime, TimeDelta, Utc};
use motcua_http::delivery::Worker;
use motcua_http::{AppState, ManualClock};
use serde_json::json;
use std::sync::Arc;

const PROVINCE: &str = "000.00.00.H53";
const COMMUNE: &str = "000.31.12.H53";

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).expect("instant").to_utc()
}

fn worker(name: &str) -> Worker {
    let mut w = Worker::new(None, None);
    w.name = name.to_string();
    w
}

/// The bodies in a staff account's inbox, newest first (logged in afresh: the test moves
/// the clock past sessions).
async fn inbox(st: &AppState, account: &str) -> Vec<String> {
    let token = login(st, account, "mat-khau-can-bo").await;
    let (s, v) = call(st, "GET", "/api/v1/me/notifications", Some(&token), None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["body"].as_str().unwrap().to_string())
        .collect()
}

/// Raises the alerts due now and delivers them; answers how many were new.
async fn alerts_now(st: &AppState, w: &Worker) -> usize {
    let n = w
        .alerts(st)
        .await
        .expect("alerts")
        .expect("the job is this worker's");
    while w.pass(st).await.expect("pass").0 > 0 {}
    n
}

#[tokio::test]
async fn staff_are_reminded_once_of_each_due_and_one_server_runs_the_job() {
    let clock = Arc::new(ManualClock::new(at("2026-12-07T09:00:00+07:00")));
    let st = state().await.with_clock(clock.clone());
    let desk = staff(&st, "mot-cua.al", COMMUNE, "reception-officer").await;
    let (desk_id, leader, center) = ("mot-cua.al", "chu-tich.al", "giam-sat.al");
    staff(&st, leader, COMMUNE, "agency-leader").await;
    staff(&st, center, PROVINCE, "supervisor").await;
    let citizen = applicant(&st, "nguoi-nop.al", "Trần Thị Mai").await;
    let w = worker("a");
    alerts_now(&st, &w).await;
    let before = inbox(&st, desk_id).await.len();

    let (s, v) = call(
        &st,
        "POST",
        "/api/v1/dossiers",
        Some(&citizen),
        Some(json!({
            "procedure": "1.001193", "agency": COMMUNE, "applicant": {"name": "Trần Thị Mai"},
            "form": {"ten_tre": "Trần Minh Khang", "ngay_sinh": "01/12/2026"},
            "components": ["Tờ khai đăng ký khai sinh", "Giấy chứng sinh"]
        })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let id = v["id"].as_str().unwrap().to_string();
    let (_, q) = call(
        &st,
        "GET",
        &format!("/api/v1/queue?agency={COMMUNE}&role=reception-officer"),
        Some(&desk),
        None,
    )
    .await;
    let due = q["dossiers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == id.as_str())
        .and_then(|d| d["due"].as_str())
        .map(|d| DateTime::parse_from_rfc3339(d).unwrap().to_utc())
        .expect("the intake due in the queue");
    assert_eq!(
        alerts_now(&st, &w).await,
        0,
        "hours before the intake due: nothing"
    );

    // An hour before the intake due, then after it: one reminder each, however often the
    // job runs.
    clock.set(due - TimeDelta::hours(1));
    // The intake reminder and, it being a working day after 07:00 with a dossier due today
    // at the desk's step, the daily digest of each reception officer of the commune (the
    // demo has one too).
    assert_eq!(alerts_now(&st, &w).await, 3);
    assert_eq!(alerts_now(&st, &w).await, 0, "raised once");
    let got = inbox(&st, desk_id).await;
    assert_eq!(got.len(), before + 2, "{got:?}");
    assert!(
        got.iter()
            .any(|m| m.contains(&id) && m.contains("sắp đến hạn tiếp nhận")),
        "{got:?}"
    );
    assert!(
        got.iter()
            .any(|m| m.contains("0 hồ sơ quá hạn, 1 hồ sơ đến hạn trong ngày")),
        "{got:?}"
    );
    clock.set(due + TimeDelta::minutes(1));
    assert_eq!(
        alerts_now(&st, &w).await,
        1,
        "the intake is late; the same day, no second digest"
    );
    assert!(inbox(&st, desk_id).await[0].contains("đã quá hạn tiếp nhận"));

    // Accepted, a consultation opened with a deadline that passes unanswered: the
    // service center's supervisor is told.
    let desk = login(&st, desk_id, "mat-khau-can-bo").await;
    let (s, v) = command(&st, &desk, &id, json!({"command": "accept"})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let deadline = (clock_now(&st) + TimeDelta::hours(1)).to_rfc3339();
    let (s, v) = command(
        &st,
        &desk,
        &id,
        json!({"command": "open-consultation", "id": "c1", "agencies": ["000.00.04.H53"],
               "content": "Xác nhận nơi cư trú của người mẹ", "deadline": deadline}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    clock.advance(TimeDelta::hours(2));
    assert!(alerts_now(&st, &w).await >= 1);
    let center_got = inbox(&st, center).await;
    assert!(
        center_got
            .iter()
            .any(|m| m.contains("chưa trả lời ý kiến") && m.contains("Điều 14.3.c")),
        "{center_got:?}"
    );

    // Feedback a day before its due.
    let citizen = login(&st, "nguoi-nop.al", "mat-khau-dai-10").await;
    let (s, v) = call(
        &st,
        "POST",
        "/api/v1/feedback",
        Some(&citizen),
        Some(json!({"agency": COMMUNE, "subject": "Hỏi về lệ phí", "body": "Xin hỏi."})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let f_due = DateTime::parse_from_rfc3339(v["answer_due"].as_str().unwrap())
        .unwrap()
        .to_utc();
    clock.set(f_due - TimeDelta::hours(12));
    alerts_now(&st, &w).await;
    assert!(
        inbox(&st, desk_id)
            .await
            .iter()
            .any(|m| m.contains("Hỏi về lệ phí") && m.contains("sắp đến hạn trả lời")),
    );

    // Days later the dossier is past its appointment: the leader is told.
    clock.advance(TimeDelta::days(10));
    alerts_now(&st, &w).await;
    let leader_got = inbox(&st, leader).await;
    assert!(
        leader_got
            .iter()
            .any(|m| m.contains("đã quá hẹn trả kết quả")),
        "{leader_got:?}"
    );

    // The desk officer's queue links to the inbox with the count unread.
    let desk = login(&st, desk_id, "mat-khau-can-bo").await;
    let cookie = format!("motcua_session={desk}");
    let unread = inbox(&st, desk_id).await.len();
    let (_, _, _, page) = super::pages::get_with(&st, "/can-bo", &cookie).await;
    assert!(
        page.contains(&format!("Thông báo, nhắc việc ({unread} chưa đọc)")),
        "{page}"
    );
    let (_, _, _, page) = super::pages::get_with(&st, "/thong-bao", &cookie).await;
    assert!(
        page.contains("href=\"/can-bo\" class=\"back\""),
        "back to the queue"
    );

    // One server runs the job: b is refused while a holds it, and takes it over when a has
    // not renewed it for ten minutes.
    let b = worker("b");
    assert_eq!(b.alerts(&st).await.expect("b"), None);
    clock.advance(TimeDelta::minutes(11));
    assert!(b.alerts(&st).await.expect("b").is_some());
    assert_eq!(w.alerts(&st).await.expect("a"), None, "now b's");
}

fn clock_now(st: &AppState) -> DateTime<Utc> {
    st.clock.now()
}
