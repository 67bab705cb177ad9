//! What a new user found by trying the system (issue 9 §5), each with a test that failed
//! before its fix; the injected clock; live configuration across two servers on one
//! database; the error catalogue.

use crate::support::*;
use chrono::{DateTime, Utc};
use motcua_http::{AppState, Code, ManualClock};
use serde_json::{Value, json};
use std::sync::Arc;

const DISTRICT: &str = "000.20.31.H53";
const COMMUNE: &str = "000.31.12.H53";
const HKD: &str = "HKD-DK-THANH-LAP";
const DON: &str = "Giấy đề nghị đăng ký hộ kinh doanh";

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).expect("instant").to_utc()
}

fn codes(v: &Value) -> Vec<String> {
    v["procedures"]
        .as_array()
        .expect("procedures")
        .iter()
        .map(|p| p["code"].as_str().expect("code").to_string())
        .collect()
}

/// A server state on the same database as `st`, with its own configuration cache (what a
/// second server process holds).
async fn second_server(st: &AppState) -> AppState {
    AppState::load(st.store.clone(), st.calendar.clone())
        .await
        .expect("second state")
}

/// Waits up to 3 s for `check` to hold on `st` (another server's change arrives within
/// about a second).
async fn eventually(st: &AppState, uri: &str, check: impl Fn(&Value) -> bool) -> Value {
    let started = std::time::Instant::now();
    loop {
        let (_, v) = get_from(st, uri).await;
        if check(&v) || started.elapsed() > std::time::Duration::from_secs(3) {
            return v;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn procedures_are_offered_and_received_only_where_assigned() {
    let st = state().await;
    let other = second_server(&st).await;
    let uri = format!("/api/v1/procedures?agency={DISTRICT}");
    let (s, v) = get_from(&st, &uri).await;
    assert_eq!(s, 200);
    assert!(codes(&v).contains(&HKD.to_string()), "{v}");
    // Withdrawn from the district through one server: both stop offering it, without a
    // restart, and a submission there is refused.
    assert!(
        st.store
            .unassign_procedure(HKD, DISTRICT)
            .await
            .expect("unassign")
    );
    st.config_changed().await.expect("reload");
    let (_, v) = get_from(&st, &uri).await;
    assert!(!codes(&v).contains(&HKD.to_string()), "{v}");
    let v = eventually(&other, &uri, |v| !codes(v).contains(&HKD.to_string())).await;
    assert!(
        !codes(&v).contains(&HKD.to_string()),
        "the other server sees it: {v}"
    );
    let owner = applicant(&st, "nguoi-nop", "Người Nộp").await;
    let body = json!({ "procedure": HKD, "agency": DISTRICT, "applicant": { "name": "A" },
                       "components": [DON] });
    let (s, v) = call(
        &st,
        "POST",
        "/api/v1/dossiers",
        Some(&owner),
        Some(body.clone()),
    )
    .await;
    assert_eq!(
        (s.as_u16(), v["code"].as_str()),
        (400, Some("not_handled_here")),
        "{v}"
    );
    assert!(
        v["message"]
            .as_str()
            .unwrap_or("")
            .contains("không tiếp nhận"),
        "{v}"
    );
    // The commune does not handle it either (it never did: procedures of its level only).
    let (_, v) = get_from(&st, &format!("/api/v1/procedures?agency={COMMUNE}")).await;
    assert!(!codes(&v).contains(&HKD.to_string()), "{v}");
    // Assigned back through the other server: offered and received again.
    assert!(
        other
            .store
            .assign_procedure(HKD, DISTRICT)
            .await
            .expect("assign")
    );
    other.config_changed().await.expect("reload");
    let v = eventually(&st, &uri, |v| codes(v).contains(&HKD.to_string())).await;
    assert!(codes(&v).contains(&HKD.to_string()), "{v}");
    let (s, v) = call(&st, "POST", "/api/v1/dossiers", Some(&owner), Some(body)).await;
    assert_eq!(s, 201, "{v}");
    // The detail names where it is received.
    let (_, v) = get_from(&st, &format!("/api/v1/procedures/{HKD}")).await;
    let at: Vec<&str> = v["agencies"]
        .as_array()
        .expect("agencies")
        .iter()
        .map(|a| a["id"].as_str().expect("id"))
        .collect();
    assert_eq!(at, vec![DISTRICT], "{v}");
}

#[tokio::test]
async fn procedure_versions_compare_as_versions() {
    let st = state().await;
    let text = include_str!("../../../examples/procedures/ho-kinh-doanh.toml");
    for (version, name) in [("2024.9", "Chín"), ("2024.10", "Mười")] {
        let t = text
            .replace("version = \"2024.1\"", &format!("version = \"{version}\""))
            .replace(
                "name = \"Đăng ký thành lập hộ kinh doanh\"",
                &format!("name = \"Đăng ký thành lập hộ kinh doanh (bản {name})\""),
            );
        let (p, _) = motcua_core::procedure::Procedure::load("x.toml", &t).expect("loads");
        st.store.put_procedure(&t, &p).await.expect("stored");
    }
    st.config_changed().await.expect("reload");
    let (_, v) = get_from(&st, &format!("/api/v1/procedures/{HKD}")).await;
    assert_eq!(v["catalogue"]["version"], "2024.10", "{v}");
    let (_, v) = get_from(&st, "/api/v1/procedures?q=ho%20kinh%20doanh").await;
    let item = v["procedures"]
        .as_array()
        .expect("list")
        .iter()
        .find(|p| p["code"] == HKD)
        .cloned()
        .expect("listed");
    assert_eq!(item["version"], "2024.10", "{v}");
}

#[tokio::test]
async fn search_finds_names_without_diacritics_and_codes() {
    let st = state().await;
    let (_, v) = get_from(&st, "/api/v1/procedures?q=DANG%20KY%20thanh%20lap").await;
    assert_eq!(codes(&v), vec![HKD.to_string()], "{v}");
    let (_, v) = get_from(&st, "/api/v1/procedures?q=1.001193").await;
    assert_eq!(codes(&v), vec!["1.001193".to_string()], "by code: {v}");
}

/// An online submission at 09:00 on Monday 7 December 2026, on a server whose clock the
/// test sets.
async fn at_monday() -> (AppState, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(at("2026-12-07T09:00:00+07:00")));
    let st = state().await.with_clock(clock.clone());
    (st, clock)
}

async fn submit_online(st: &AppState, owner: &str) -> String {
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
    v["id"].as_str().expect("id").to_string()
}

#[tokio::test]
async fn the_queue_is_due_at_the_current_step_and_lists_overdue_and_due_soon() {
    let (st, clock) = at_monday().await;
    let owner = applicant(&st, "nguoi-nop", "Người Nộp").await;
    let id = submit_online(&st, &owner).await;
    let desk = staff(&st, "desk.q", DISTRICT, "reception-officer").await;
    let queue = |due: &str| format!("/api/v1/queue?agency={DISTRICT}&role=reception-officer{due}");
    let item = |v: &Value| {
        v["dossiers"]
            .as_array()
            .expect("list")
            .iter()
            .find(|d| d["id"] == id.as_str())
            .cloned()
    };
    let (_, v) = call(&st, "GET", &queue(""), Some(&desk), None).await;
    // While it waits for acceptance: the 8-working-hour intake due, Tuesday 09:00.
    assert_eq!(
        item(&v).expect("queued")["due"],
        "2026-12-08T02:00:00Z",
        "{v}"
    );
    let (_, v) = call(&st, "GET", &queue("&due=due-soon"), Some(&desk), None).await;
    assert!(item(&v).is_some(), "due within a working day: {v}");
    let (_, v) = call(&st, "GET", &queue("&due=overdue"), Some(&desk), None).await;
    assert!(item(&v).is_none(), "not overdue yet: {v}");
    let (s, v) = call(&st, "GET", &queue("&due=tomorrow"), Some(&desk), None).await;
    assert_eq!(
        (s.as_u16(), v["code"].as_str()),
        (400, Some("invalid_query"))
    );
    // Accepted at 10:00: in the reception step (2 working hours), due at 12:00, while the
    // appointment is three working days away.
    clock.set(at("2026-12-07T10:00:00+07:00"));
    let (s, v) = command(&st, &desk, &id, json!({ "command": "accept" })).await;
    assert_eq!(s, 200, "{v}");
    let (_, v) = call(&st, "GET", &queue(""), Some(&desk), None).await;
    let d = item(&v).expect("queued at its first step");
    // 10:00–11:30 and 13:30–14:00 (the afternoon window opens at 13:30).
    assert_eq!(d["due"], "2026-12-07T07:00:00Z", "the step's due: {v}");
    assert_eq!(d["appointment"], "2026-12-10T03:00:00Z", "{v}");
    // At 15:00 the step is overdue.
    clock.set(at("2026-12-07T15:00:00+07:00"));
    let desk = login(&st, "desk.q", "mat-khau-can-bo").await;
    let (_, v) = call(&st, "GET", &queue("&due=overdue"), Some(&desk), None).await;
    assert!(item(&v).is_some(), "overdue at its step: {v}");
}

#[tokio::test]
async fn an_overdue_dossier_gets_an_apology_at_the_injected_instant() {
    let (st, clock) = at_monday().await;
    let owner = applicant(&st, "nguoi-nop", "Người Nộp").await;
    let id = submit_online(&st, &owner).await;
    let desk = staff(&st, "desk.a", DISTRICT, "reception-officer").await;
    clock.set(at("2026-12-07T10:00:00+07:00"));
    let (s, v) = command(&st, &desk, &id, json!({ "command": "accept" })).await;
    assert_eq!(s, 200, "{v}");
    let apology = |new: &str| {
        json!({ "command": "apologise", "reason": "Chờ ý kiến thẩm định",
                                      "new_appointment": new })
    };
    // Before the appointment has passed: the rule refuses.
    let (s, v) = command(&st, &desk, &id, apology("2026-12-15T10:00:00+07:00")).await;
    assert_eq!(
        (s.as_u16(), v["code"].as_str()),
        (422, Some("denied_by_rule")),
        "{v}"
    );
    // The appointment was Thursday 10:00; on Friday it is overdue.
    clock.set(at("2026-12-11T09:00:00+07:00"));
    let desk = login(&st, "desk.a", "mat-khau-can-bo").await;
    let (_, v) = call(
        &st,
        "GET",
        &format!("/api/v1/dossiers/{id}"),
        Some(&desk),
        None,
    )
    .await;
    let offered: Vec<&str> = v["available"]
        .as_array()
        .expect("available")
        .iter()
        .map(|a| a["command"].as_str().expect("name"))
        .collect();
    assert!(offered.contains(&"apologise"), "{offered:?}");
    let (s, v) = command(&st, &desk, &id, apology("2026-12-15T10:00:00+07:00")).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["appointment"], "2026-12-15T10:00:00+07:00", "{v}");
    // The applicant is told, in Vietnamese, with the new appointment as people write it.
    let outbox = st.store.outbox_of(&id).await.expect("outbox");
    let last: Value = serde_json::from_str(&outbox.last().expect("notices").1).expect("json");
    let message = last["message"].as_str().expect("message");
    assert!(message.contains("xin lỗi"), "{message}");
    assert!(message.contains("15/12/2026 10:00"), "{message}");
}

#[tokio::test]
async fn the_notices_the_law_requires_are_queued_in_vietnamese() {
    let (st, clock) = at_monday().await;
    let owner = applicant(&st, "nguoi-nop", "Người Nộp").await;
    let desk = staff(&st, "desk.n", DISTRICT, "reception-officer").await;
    // Returned for completion: the notice lists what is missing, one per line.
    let id = submit_online(&st, &owner).await;
    let (s, v) = command(
        &st,
        &desk,
        &id,
        json!({ "command": "return-for-completion",
                "missing": ["Chữ ký của chủ hộ", "Bản sao căn cước"], "note": "" }),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let outbox = st.store.outbox_of(&id).await.expect("outbox");
    let notice: Value = serde_json::from_str(&outbox[0].1).expect("json");
    assert_eq!(notice["recipient"]["kind"], "applicant", "{notice}");
    let m = notice["message"].as_str().expect("message");
    assert!(
        m.contains("\n– Chữ ký của chủ hộ\n– Bản sao căn cước"),
        "{m}"
    );
    // Completed and sent again by its applicant, with a new intake clock.
    clock.set(at("2026-12-08T08:00:00+07:00"));
    let owner = login(&st, "nguoi-nop", "mat-khau-dai-10").await;
    let (s, v) = command(
        &st,
        &owner,
        &id,
        json!({ "command": "resubmit", "form": { "chu_ky": "đã ký" } }),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["state"], "submitted", "{v}");
    // Accepted: the notice carries the code, the appointment and the lookup address.
    let desk = login(&st, "desk.n", "mat-khau-can-bo").await;
    let (s, v) = command(&st, &desk, &id, json!({ "command": "accept" })).await;
    assert_eq!(s, 200, "{v}");
    let code = v["code"].as_str().expect("code").to_string();
    let outbox = st.store.outbox_of(&id).await.expect("outbox");
    let notice: Value = serde_json::from_str(&outbox.last().expect("notice").1).expect("json");
    let m = notice["message"].as_str().expect("message");
    assert!(
        m.contains(&code) && m.contains(&format!("/tra-cuu/{code}")),
        "{m}"
    );
    assert!(
        m.contains("11/12/2026 08:00"),
        "appointment dd/MM/yyyy HH:mm: {m}"
    );
    // A supplement request lists its items.
    let (s, v) = command(
        &st,
        &desk,
        &id,
        json!({ "command": "request-supplement", "reason": "Thiếu giấy tờ",
                "items": ["Hợp đồng thuê nhà"] }),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let outbox = st.store.outbox_of(&id).await.expect("outbox");
    let m: Value = serde_json::from_str(&outbox.last().expect("notice").1).expect("json");
    assert!(
        m["message"]
            .as_str()
            .unwrap_or("")
            .contains("\n– Hợp đồng thuê nhà"),
        "{m}"
    );
}

#[tokio::test]
async fn an_incomplete_online_dossier_is_refused_with_everything_missing() {
    let st = state().await;
    let owner = applicant(&st, "nguoi-nop", "Người Nộp").await;
    let (s, v) = call(
        &st,
        "POST",
        "/api/v1/dossiers",
        Some(&owner),
        Some(json!({ "procedure": "1.001193", "agency": COMMUNE, "applicant": { "name": "A" } })),
    )
    .await;
    assert_eq!(
        (s.as_u16(), v["code"].as_str()),
        (422, Some("incomplete")),
        "{v}"
    );
    assert_eq!(
        v["missing"],
        json!([
            "Họ, chữ đệm và tên của trẻ",
            "Ngày, tháng, năm sinh",
            "Tờ khai đăng ký khai sinh",
            "Giấy chứng sinh"
        ]),
        "{v}"
    );
    // Nothing was created.
    let (_, mine) = call(&st, "GET", "/api/v1/me/dossiers", Some(&owner), None).await;
    assert_eq!(mine["dossiers"], json!([]), "{mine}");
}

#[tokio::test]
async fn an_acceptance_cannot_choose_its_number() {
    let st = state().await;
    let owner = applicant(&st, "nguoi-nop", "Người Nộp").await;
    let id = submit_online(&st, &owner).await;
    let desk = staff(&st, "desk.s", DISTRICT, "reception-officer").await;
    let (s, v) = command(
        &st,
        &desk,
        &id,
        json!({ "command": "accept", "sequence": 9999 }),
    )
    .await;
    assert_eq!(
        (s.as_u16(), v["code"].as_str()),
        (400, Some("invalid_body")),
        "{v}"
    );
    assert!(
        v["message"].as_str().unwrap_or("").contains("sequence"),
        "{v}"
    );
    let (s, v) = command(&st, &desk, &id, json!({ "command": "accept" })).await;
    assert_eq!(s, 200, "{v}");
    assert!(v["code"].as_str().expect("code").ends_with("-0001"), "{v}");
}

#[tokio::test]
async fn a_malformed_body_is_answered_in_vietnamese_with_the_fields_path() {
    let st = state().await;
    let owner = applicant(&st, "nguoi-nop", "Người Nộp").await;
    let (s, v) = call(
        &st,
        "POST",
        "/api/v1/dossiers",
        Some(&owner),
        Some(json!({ "procedure": HKD, "agency": DISTRICT, "applicant": { "name": 5 } })),
    )
    .await;
    assert_eq!(
        (s.as_u16(), v["code"].as_str()),
        (400, Some("invalid_body")),
        "{v}"
    );
    let m = v["message"].as_str().expect("message");
    assert!(m.contains("applicant.name"), "{m}");
    assert!(
        !m.contains("invalid type") && !m.contains("expected"),
        "no English: {m}"
    );
    let (_, v) = call(
        &st,
        "POST",
        "/api/v1/dossiers",
        Some(&owner),
        Some(json!({ "procedure": HKD, "agency": DISTRICT, "applicant": {} })),
    )
    .await;
    assert!(
        v["message"]
            .as_str()
            .unwrap_or("")
            .contains("applicant.name"),
        "missing field named with its path: {v}"
    );
}

#[tokio::test]
async fn the_feed_names_the_dossier_before_it_has_a_code() {
    let mut st = state().await;
    st.feed_token = Some("bi-mat-tich-hop".into());
    let owner = applicant(&st, "nguoi-nop", "Người Nộp").await;
    let id = submit_online(&st, &owner).await;
    let req = axum::http::Request::get("/api/v1/integration/feed?cursor=0")
        .header("authorization", "Bearer bi-mat-tich-hop")
        .body(axum::body::Body::empty())
        .expect("request");
    let (s, v) = respond(&st, req).await;
    assert_eq!(s, 200, "{v}");
    let item = v["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["dossier_id"] == id.as_str())
        .cloned()
        .expect("the new dossier's submission is in the feed");
    assert_eq!(item["dossier_code"], Value::Null);
    assert_eq!(item["agency"], DISTRICT);
    assert_eq!(item["procedure"], HKD);
    assert_eq!(item["event"], "submitted");
}

#[tokio::test]
async fn ids_and_the_clock_are_the_states() {
    // Ids and the clock are the state's: a test names what it makes.
    let st = state()
        .await
        .with_ids(Arc::new(motcua_http::SequentialIds::default()))
        .with_clock(Arc::new(ManualClock::new(at("2026-12-07T09:00:00+07:00"))));
    let owner = applicant(&st, "nguoi-nop", "Người Nộp").await;
    let id = submit_online(&st, &owner).await;
    assert_eq!(id, "hs-000001");
    let (_, v) = call(
        &st,
        "GET",
        &format!("/api/v1/dossiers/{id}"),
        Some(&owner),
        None,
    )
    .await;
    assert_eq!(v["dossier"]["submitted_at"], "2026-12-07T02:00:00Z", "{v}");
}

/// docs/api.md lists every error of the catalogue with its status and message, and
/// nothing else.
#[test]
fn the_error_table_in_docs_is_the_catalogue() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/api.md"))
        .expect("docs/api.md");
    let rows: Vec<Vec<String>> = doc
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            l.trim_matches('|')
                .split(" | ")
                .map(|c| c.trim().to_string())
                .collect()
        })
        .collect();
    assert_eq!(rows.len(), Code::ALL.len(), "one row per code");
    for (row, code) in rows.iter().zip(Code::ALL) {
        assert_eq!(row[0], format!("`{}`", code.as_str()));
        assert_eq!(row[1], code.status().to_string(), "{}", code.as_str());
        assert_eq!(row[2], code.message_vi(), "{}", code.as_str());
        assert_eq!(row[3], code.meaning_en(), "{}", code.as_str());
    }
}

/// Every refusal code the engine can give is in the catalogue (so none reaches a client as
/// an unknown code): the engine's source is read for them.
#[test]
fn every_engine_refusal_is_in_the_catalogue() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../motcua-core/src");
    let mut found = 0;
    let mut stack = vec![std::path::PathBuf::from(dir)];
    while let Some(p) = stack.pop() {
        if p.is_dir() {
            stack.extend(
                std::fs::read_dir(&p)
                    .expect("dir")
                    .map(|e| e.expect("entry").path()),
            );
            continue;
        }
        let text = std::fs::read_to_string(&p).expect("source");
        for marker in ["reject(", "Rejection::new("] {
            for part in text.split(marker).skip(1) {
                let code = part.trim_start().trim_start_matches('"');
                let Some(end) = code.find('"') else { continue };
                let code = &code[..end];
                if code.is_empty() || !code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
                    continue;
                }
                found += 1;
                assert!(
                    Code::parse(code).is_some(),
                    "{}: `{code}` is not in the catalogue",
                    p.display()
                );
            }
        }
    }
    assert!(found > 40, "the engine's refusals were found: {found}");
}

/// The working calendar is configuration too: a day off stored through one server moves the
/// deadlines the other computes, without a restart.
#[tokio::test]
async fn a_calendar_change_reaches_the_other_server() {
    use motcua_core::calendar::{CalendarSpec, Exception, ExceptionKind, Layer, default_windows};
    let st = state().await;
    let other = second_server(&st).await;
    let uri = "/api/v1/deadline?from=2026-12-07T09:00:00%2B07:00&add=1wd";
    let (_, v) = get_from(&other, uri).await;
    assert_eq!(v["due"], "2026-12-08T09:00:00+07:00", "{v}");
    let spec = CalendarSpec::national(default_windows()).with_layer(Layer {
        name: "UBND tỉnh Sóc Trăng".into(),
        schedule: None,
        seasons: Vec::new(),
        national_holidays: false,
        exceptions: vec![Exception {
            date: chrono::NaiveDate::from_ymd_opt(2026, 12, 8).expect("date"),
            kind: ExceptionKind::DayOff,
            name: "Nghỉ theo quyết định của tỉnh".into(),
            source: "Quyết định thử nghiệm".into(),
        }],
    });
    st.store
        .put_calendar(
            motcua_http::app::config::CALENDAR,
            &serde_json::to_string(&spec).expect("json"),
        )
        .await
        .expect("stored");
    st.config_changed().await.expect("reload");
    let (_, v) = get_from(&st, uri).await;
    assert_eq!(v["due"], "2026-12-09T09:00:00+07:00", "this server: {v}");
    let v = eventually(&other, uri, |v| v["due"] == "2026-12-09T09:00:00+07:00").await;
    assert_eq!(
        v["due"], "2026-12-09T09:00:00+07:00",
        "the other server: {v}"
    );
}
