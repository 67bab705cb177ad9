//! The back office's queue and dossier workspace through `router(state).oneshot(...)`: who
//! may see them, the forms the engine allows each officer, a dossier carried from online
//! submission to the returned result in the pages, refusals shown beside the form, forged
//! posts refused.

use super::pages::{browse, csrf_of, get_with};
use crate::support::*;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::json;

const COMMUNE: &str = "000.31.12.H53";

fn cookie(token: &str) -> String {
    format!("motcua_session={token}")
}

/// A workspace form posted (multipart, no files) from a browser holding `cookies`.
async fn act(
    st: &motcua_http::AppState,
    id: &str,
    cookies: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, String, Vec<String>, String) {
    super::portal::post_files(
        st,
        &format!("/can-bo/ho-so/{id}/lenh"),
        cookies,
        fields,
        &[],
    )
    .await
}

async fn online_birth_registration(st: &motcua_http::AppState, name: &str) -> String {
    let token = applicant(st, &format!("nguoi-nop-{}", name.len()), name).await;
    let (s, v) = call(
        st,
        "POST",
        "/api/v1/dossiers",
        Some(&token),
        Some(json!({
            "procedure": "1.001193", "agency": COMMUNE, "applicant": {"name": name, "phone": "0912000111"},
            "form": {"ten_tre": "Lâm Gia Bảo", "ngay_sinh": "27/02/2026"},
            "components": ["Tờ khai đăng ký khai sinh", "Giấy chứng sinh"]
        })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v["id"].as_str().expect("id").to_string()
}

async fn state_of(st: &motcua_http::AppState, token: &str, id: &str) -> String {
    let (_, v) = call(
        st,
        "GET",
        &format!("/api/v1/dossiers/{id}"),
        Some(token),
        None,
    )
    .await;
    v["dossier"]["state"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn only_officers_of_the_agency_reach_the_queue_and_the_workspace() {
    let st = state().await;
    let id = online_birth_registration(&st, "Đinh Thị Xuân Hương").await;
    let (s, location, _, _) = get_with(&st, "/can-bo", "").await;
    assert_eq!(
        (s, location.as_str()),
        (StatusCode::SEE_OTHER, "/dang-nhap?tiep=/can-bo")
    );
    let citizen = cookie(&applicant(&st, "cong-dan", "Công Dân").await);
    let (s, _, _, page) = get_with(&st, "/can-bo", &citizen).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(page.contains("dành cho cán bộ"), "{page}");
    let elsewhere = cookie(
        &staff(
            &st,
            "mot-cua-noi-khac",
            "000.00.04.H53",
            "reception-officer",
        )
        .await,
    );
    let (s, _, _, page) = get_with(&st, &format!("/can-bo/ho-so/{id}"), &elsewhere).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "another agency's officer: {page}");
    assert!(!page.contains("Đinh Thị Xuân Hương"));
    let desk = cookie(&staff(&st, "tn-p2", COMMUNE, "reception-officer").await);
    let (s, _, _, page) = get_with(&st, "/can-bo", &desk).await;
    assert_eq!(s, StatusCode::OK);
    for want in [
        "UBND Phường 2",
        "Đinh Thị Xuân Hương",
        "(chưa tiếp nhận)",
        &format!("/can-bo/ho-so/{id}"),
    ] {
        assert!(page.contains(want), "the queue lacks {want}: {page}");
    }
    assert!(
        page.contains("Hồ sơ cần xử lý"),
        "the staff's entry in the header"
    );
    // Search without diacritics, by name.
    let (_, _, _, page) = get_with(&st, "/can-bo?q=DINH+thi+xuan+huong", &desk).await;
    assert!(
        page.contains("Tìm thấy 1 hồ sơ") && page.contains("Đinh Thị Xuân Hương"),
        "{page}"
    );
    let (_, _, _, page) = get_with(&st, "/can-bo?q=x", &desk).await;
    assert!(
        page.contains("error-summary"),
        "too short a search is said: {page}"
    );
}

#[tokio::test]
async fn a_dossier_goes_from_online_submission_to_the_returned_result_in_the_workspace() {
    let st = state().await;
    let id = online_birth_registration(&st, "Lý Văn Nam").await;
    let desk_token = staff(&st, "tn-p2", COMMUNE, "reception-officer").await;
    let desk = cookie(&desk_token);
    let leader = cookie(&staff(&st, "ct-p2", COMMUNE, "agency-leader").await);
    let page_uri = format!("/can-bo/ho-so/{id}");
    let (s, _, _, page) = get_with(&st, &page_uri, &desk).await;
    assert_eq!(s, StatusCode::OK);
    for want in [
        "Lý Văn Nam",
        "0912000111",
        "Lâm Gia Bảo",
        "Hạn tiếp nhận (8 giờ làm việc)",
        "value=\"accept\"",
    ] {
        assert!(page.contains(want), "the workspace lacks {want}");
    }
    assert!(
        !page.contains("value=\"mark-finished\""),
        "the leader's action is not the desk's"
    );
    let csrf = csrf_of(&page);
    // Forged: refused, nothing changes.
    let (s, _, _, _) = act(&st, &id, &desk, &[("lenh", "accept")]).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(state_of(&st, &desk_token, &id).await, "submitted");
    let (s, _, _, page) = act(&st, &id, &desk, &[("csrf", &csrf), ("lenh", "accept")]).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{page}");
    let (_, _, _, page) = get_with(&st, &format!("{page_uri}?xong=accept"), &desk).await;
    assert!(page.contains("Đã thực hiện: Tiếp nhận hồ sơ"), "{page}");
    assert!(
        page.contains("000.31.12.H53-"),
        "the code the system assigned"
    );
    // A supplement asked for without its reason: said, nothing changes.
    let (s, _, _, page) = act(
        &st,
        &id,
        &desk,
        &[
            ("csrf", &csrf),
            ("lenh", "request-supplement"),
            ("f.reason", ""),
            ("f.items", "Giấy chứng sinh bản rõ"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("error-summary"), "{page}");
    assert_eq!(state_of(&st, &desk_token, &id).await, "in-progress");
    // Forward to the leader's step, chosen in the list the engine gives.
    let (_, _, _, page) = get_with(&st, &page_uri, &desk).await;
    assert!(
        page.contains("<option value=\"ky\">Chủ tịch UBND xã ký Giấy khai sinh</option>"),
        "{page}"
    );
    let (s, _, _, _) = act(
        &st,
        &id,
        &desk,
        &[("csrf", &csrf), ("lenh", "forward"), ("f.to", "ky")],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    // The leader: the finish form, with its outcome.
    let (_, _, _, page) = get_with(&st, &page_uri, &leader).await;
    assert!(
        page.contains("value=\"mark-finished\"") && page.contains("Không giải quyết"),
        "{page}"
    );
    let leader_csrf = csrf_of(&page);
    // A duration that is not one ("5 ngày") is said at its field; nothing reaches the engine.
    let (s, _, _, page) = act(
        &st,
        &id,
        &leader,
        &[
            ("csrf", &leader_csrf),
            ("lenh", "request-extension"),
            ("f.reason", "Chờ xác minh"),
            ("f.extra", "5 ngày"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(
        page.contains("nhập một số kèm đơn vị: wd (ngày làm việc)"),
        "{page}"
    );
    assert_eq!(state_of(&st, &desk_token, &id).await, "in-progress");
    let (s, _, _, page) = act(
        &st,
        &id,
        &leader,
        &[
            ("csrf", &leader_csrf),
            ("lenh", "mark-finished"),
            ("f.outcome", "granted"),
            ("f.reason", ""),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{page}");
    assert_eq!(state_of(&st, &desk_token, &id).await, "finished");
    // Back at the desk: return the result.
    let (_, _, _, page) = get_with(&st, &page_uri, &desk).await;
    assert!(page.contains("value=\"return-result\""), "{page}");
    let (s, _, _, _) = act(
        &st,
        &id,
        &desk,
        &[("csrf", &csrf), ("lenh", "return-result")],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(state_of(&st, &desk_token, &id).await, "returned");
    let (_, _, _, page) = get_with(&st, &page_uri, &desk).await;
    assert!(
        page.contains("Đã trả kết quả") && page.contains("Phiếu kiểm soát"),
        "{page}"
    );
    // A stale form (an older version) is refused and says why.
    let (s, _, _, page) = act(
        &st,
        &id,
        &desk,
        &[
            ("csrf", &csrf),
            ("lenh", "return-result"),
            ("phien-ban", "1"),
        ],
    )
    .await;
    assert!(s.is_client_error(), "{s}");
    assert!(page.contains("error-summary"), "{page}");
}

#[tokio::test]
async fn the_feedback_inbox_lists_what_is_due_and_answers_it() {
    let st = state().await;
    let citizen = applicant(&st, "hoi-le-phi", "Người Hỏi").await;
    let (s, v) = call(
        &st,
        "POST",
        "/api/v1/feedback",
        Some(&citizen),
        Some(json!({"agency": COMMUNE, "subject": "Lệ phí <b>khai sinh</b>", "body": "Có mất lệ phí không?"})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let desk = cookie(&staff(&st, "tn-p2", COMMUNE, "reception-officer").await);
    let (s, _, _, page) = get_with(&st, "/can-bo/phan-anh", &desk).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains("Chưa trả lời (1)") && page.contains("Hạn trả lời"),
        "{page}"
    );
    assert!(
        page.contains("Lệ phí &#60;b&#62;khai sinh&#60;/b&#62;"),
        "escaped: {page}"
    );
    let elsewhere = cookie(&staff(&st, "sxd", "000.00.04.H53", "reception-officer").await);
    let (_, _, _, page) = get_with(&st, "/can-bo/phan-anh", &elsewhere).await;
    assert!(!page.contains("Lệ phí"), "another agency's inbox");
    let id = v["id"].as_str().expect("id");
    let csrf = csrf_of(&get_with(&st, "/can-bo/phan-anh", &desk).await.3);
    let form = |answer: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("answer", answer.to_string()),
            ("publish", "1".to_string()),
        ]
    };
    let post = |fields: Vec<(&'static str, String)>| {
        let body: Vec<String> = fields
            .iter()
            .map(|(k, v)| format!("{k}={}", v.replace(' ', "+")))
            .collect();
        Request::post(format!("/can-bo/phan-anh/{id}"))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", &desk)
            .body(Body::from(body.join("&")))
            .expect("request")
    };
    let (s, _, _, page) = browse(&st, post(form(""))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("error-summary"), "{page}");
    let (s, location, _, _) = browse(&st, post(form("Khong thu le phi dang ky dung han."))).await;
    assert_eq!(
        (s, location.as_str()),
        (StatusCode::SEE_OTHER, "/can-bo/phan-anh?da-tra-loi=1")
    );
    let (_, _, _, page) = get_with(&st, "/hoi-dap?q=le+phi", "").await;
    assert!(page.contains("Khong thu le phi"), "published: {page}");
}

#[tokio::test]
async fn desk_intake_registers_a_paper_dossier_once_and_accepts_or_returns_it() {
    use super::portal::{PDF, post_files};
    let st = state().await;
    let desk_token = staff(&st, "tn-p2", COMMUNE, "reception-officer").await;
    let desk = cookie(&desk_token);
    let (s, _, _, page) = get_with(&st, "/can-bo/tiep-nhan", &desk).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains("<option value=\"1.001193\">Thủ tục đăng ký khai sinh</option>"),
        "{page}"
    );
    assert!(
        !page.contains("Cấp giấy phép xây dựng"),
        "only what the agency receives"
    );
    let (_, _, _, page) = get_with(&st, "/can-bo/tiep-nhan?thu-tuc=1.001193", &desk).await;
    assert!(
        page.contains("name=\"co.0\"") && page.contains("Giấy chứng sinh — 1 bản chính"),
        "{page}"
    );
    let csrf = csrf_of(&page);
    let at = page.find("name=\"ma\" value=\"").expect("the dossier's id") + 17;
    let id: String = page[at..].chars().take_while(|c| *c != '"').collect();
    let base = [
        ("csrf", csrf.as_str()),
        ("thu-tuc", "1.001193"),
        ("ma", id.as_str()),
        ("kenh", "direct"),
        ("form.ten_tre", "Lâm Gia Bảo"),
        ("form.ngay_sinh", "27/02/2026"),
        ("co.0", "1"),
        ("co.1", "1"),
        ("quyet-dinh", "tiep-nhan"),
    ];
    // Without the applicant's name: said, nothing registered.
    let (s, _, _, page) = post_files(&st, "/can-bo/tiep-nhan", &desk, &base, &[]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("href=\"#name\"") && page.contains("value=\"Lâm Gia Bảo\""),
        "{page}"
    );
    let mut named = base.to_vec();
    named.push(("name", "Thạch Sa Ra"));
    let scan = [("component.0", "to-khai.pdf", "application/pdf", PDF)];
    for _ in 0..2 {
        let (s, location, _, _) = post_files(&st, "/can-bo/tiep-nhan", &desk, &named, &scan).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        assert!(
            location.starts_with(&format!("/can-bo/ho-so/{id}")),
            "{location}"
        );
    }
    let (_, v) = call(
        &st,
        "GET",
        &format!("/api/v1/dossiers/{id}"),
        Some(&desk_token),
        None,
    )
    .await;
    assert_eq!(v["dossier"]["state"], "in-progress", "{v}");
    assert_eq!(v["dossier"]["channel"], "direct");
    assert_eq!(
        v["dossier"]["files"].as_array().map(Vec::len),
        Some(1),
        "the scan kept"
    );
    let found = st
        .store
        .search(&[COMMUNE.to_string()], "thach sa ra", 10)
        .await
        .expect("search");
    assert_eq!(found.len(), 1, "registered once");
    // Returned for completion: what is not ticked is what is missing.
    let (_, _, _, page) = get_with(&st, "/can-bo/tiep-nhan?thu-tuc=1.001193", &desk).await;
    let at = page.find("name=\"ma\" value=\"").expect("id") + 17;
    let second: String = page[at..].chars().take_while(|c| *c != '"').collect();
    assert_ne!(second, id, "a new page, a new dossier");
    let returned = [
        ("csrf", csrf.as_str()),
        ("thu-tuc", "1.001193"),
        ("ma", second.as_str()),
        ("kenh", "post"),
        ("name", "Danh Sơn"),
        ("co.0", "1"),
        ("note", "Bổ sung Giấy chứng sinh bản chính."),
        ("quyet-dinh", "tra-lai"),
    ];
    let (s, _, _, _) = post_files(&st, "/can-bo/tiep-nhan", &desk, &returned, &[]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, v) = call(
        &st,
        "GET",
        &format!("/api/v1/dossiers/{second}"),
        Some(&desk_token),
        None,
    )
    .await;
    assert_eq!(v["dossier"]["state"], "returned-for-completion", "{v}");
    assert_eq!(v["dossier"]["channel"], "post");
}

#[tokio::test]
async fn the_workspace_says_why_the_appointment_is_that_date() {
    let st = state().await;
    let officer = cookie(&staff(&st, "sxd-tn", "000.00.04.H53", "reception-officer").await);
    let (s, _, _, page) = get_with(&st, "/can-bo/ho-so/demo-xay-dung", &officer).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    let at = page
        .find("Vì sao là ngày hẹn này?")
        .expect("the explanation");
    let why = &page[at..page[at..].find("</details>").map_or(page.len(), |e| at + e)];
    for want in [
        "Thời hạn giải quyết: 20 ngày làm việc",
        "Bắt đầu tính từ",
        "ngày nghỉ hằng tuần",
        "Đã gia hạn 1 lần",
    ] {
        assert!(why.contains(want), "the explanation lacks {want}: {why}");
    }
}

#[tokio::test]
async fn postal_requests_are_listed_for_the_agency_ready_ones_first() {
    let st = state().await;
    let waiting = online_birth_registration(&st, "Người Chờ").await;
    let ready = online_birth_registration(&st, "Người Đã Có Kết Quả").await;
    let none = online_birth_registration(&st, "Người Nhận Tại Quầy").await;
    let desk_token = staff(&st, "tn-p2", COMMUNE, "reception-officer").await;
    let leader = staff(&st, "ct-p2", COMMUNE, "agency-leader").await;
    for (id, n) in [(&waiting, 1), (&ready, 2)] {
        let owner = login(
            &st,
            &format!(
                "nguoi-nop-{}",
                st.store.dossier(id).await.expect("d").applicant.name.len()
            ),
            "mat-khau-dai-10",
        )
        .await;
        let (s, v) = command(
            &st,
            &owner,
            id,
            json!({"command": "request-postal-delivery", "address": format!("Số {n} Lê Lợi, Phường 6"), "phone": "0912000111"}),
        )
        .await;
        assert!(s.is_success(), "{v}");
    }
    for (who, body) in [
        (&desk_token, json!({"command": "accept"})),
        (&desk_token, json!({"command": "forward", "to": "ky"})),
        (
            &leader,
            json!({"command": "mark-finished", "outcome": {"kind": "granted"}}),
        ),
    ] {
        let (s, v) = command(&st, who, &ready, body).await;
        assert!(s.is_success(), "{v}");
    }
    let (s, _, _, page) = get_with(&st, "/can-bo/buu-chinh", &cookie(&desk_token)).await;
    assert_eq!(s, StatusCode::OK);
    let (first, second) = (
        page.find("Số 2 Lê Lợi").expect("the ready one"),
        page.find("Số 1 Lê Lợi").expect("the waiting one"),
    );
    assert!(first < second, "the ready one first");
    assert!(page.contains("Gửi bưu chính"), "{page}");
    assert!(
        !page.contains(&none),
        "a result collected at the desk is not listed"
    );
    let elsewhere = cookie(&staff(&st, "sxd", "000.00.04.H53", "reception-officer").await);
    let (_, _, _, page) = get_with(&st, "/can-bo/buu-chinh", &elsewhere).await;
    assert!(!page.contains("Lê Lợi, Phường 6"), "another agency's list");
}

#[tokio::test]
async fn the_queue_is_filtered_by_procedure_field_and_channel() {
    let st = state().await;
    let id = online_birth_registration(&st, "Người Lọc Hàng Đợi").await;
    let desk_token = staff(&st, "tn-p2", COMMUNE, "reception-officer").await;
    let desk = cookie(&desk_token);
    for (query, listed) in [
        ("kenh=online", true),
        ("kenh=direct", false),
        ("thu-tuc=1.001193", true),
        ("thu-tuc=HKD-DK-THANH-LAP", false),
        ("linh-vuc=H%E1%BB%99+t%E1%BB%8Bch", true),
        ("linh-vuc=%C4%90%E1%BA%A5t+%C4%91ai", false),
        ("kenh=online&thu-tuc=1.001193&han=qua-han", false),
    ] {
        let (s, _, _, page) = get_with(&st, &format!("/can-bo?{query}"), &desk).await;
        assert_eq!(s, StatusCode::OK, "{query}");
        assert_eq!(
            page.contains(&format!("/can-bo/ho-so/{id}")),
            listed,
            "{query}: {page}"
        );
    }
    let (_, _, _, page) = get_with(&st, "/can-bo?kenh=online", &desk).await;
    assert!(
        page.contains("<option value=\"online\" selected>"),
        "the choice is kept"
    );
    let (s, v) = call(
        &st,
        "GET",
        "/api/v1/queue?channel=fax",
        Some(&desk_token),
        None,
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_query")),
        "{v}"
    );
    let (s, v) = call(
        &st,
        "GET",
        "/api/v1/queue?channel=online&procedure=1.001193",
        Some(&desk_token),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        v["dossiers"]
            .as_array()
            .expect("list")
            .iter()
            .any(|d| d["id"] == id.as_str()),
        "{v}"
    );
}
