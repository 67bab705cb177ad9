//! The portal's pages for applicants after logging in, through `router(state).oneshot(...)`:
//! online submission one thing per page with its server-side draft, My dossiers and the
//! answers to the agency's requests, feedback with and without an account, the Q&A; forged
//! posts refused, hostile text escaped, someone else's dossier out of reach; snapshots of
//! the pages that depend only on the catalogue.

use super::pages::{browse, csrf_of, get_with, html, post_form};
use crate::support::*;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::json;

const KHAI_SINH: &str = "1.001193";
const COMMUNE: &str = "000.31.12.H53";
pub(crate) const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0";

fn cookie(token: &str) -> String {
    format!("motcua_session={token}")
}

/// A page form with files, posted from a browser holding `cookies`.
pub(crate) async fn post_files(
    st: &motcua_http::AppState,
    uri: &str,
    cookies: &str,
    fields: &[(&str, &str)],
    files: &[(&str, &str, &str, &[u8])],
) -> (StatusCode, String, Vec<String>, String) {
    let boundary = "motcua-page-parts";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    for (part, file_name, kind, bytes) in files {
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{part}\"; filename=\"{file_name}\"\r\nContent-Type: {kind}\r\n\r\n").as_bytes());
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let req = Request::post(uri)
        .header("cookie", cookies)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .expect("request");
    browse(st, req).await
}

/// The draft id in a `/nop/{id}/...` address.
fn draft_of(location: &str) -> String {
    location
        .strip_prefix("/nop/")
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("not a draft address: {location}"))
        .to_string()
}

#[tokio::test]
async fn online_submission_saves_a_draft_at_each_page_and_submits_once() {
    let st = state().await;
    // Not logged in: the start page says what to prepare and offers both ways in, back here.
    let (s, _, _, page) = get_with(&st, &format!("/thu-tuc/{KHAI_SINH}/nop"), "").await;
    assert_eq!(s, StatusCode::OK);
    for want in [
        "Giấy chứng sinh",
        "8 giờ làm việc",
        "href=\"/dang-nhap?tiep=/thu-tuc/1.001193/nop\"",
        "href=\"/dang-ky?tiep=/thu-tuc/1.001193/nop\"",
    ] {
        assert!(page.contains(want), "the start page lacks {want}");
    }
    let token = applicant(&st, "lam-hong", "Lâm Thị Hồng").await;
    let me = cookie(&token);
    let (_, _, _, page) = get_with(&st, &format!("/thu-tuc/{KHAI_SINH}/nop"), &me).await;
    let csrf = csrf_of(&page);
    // A forged post starts nothing.
    let start = format!("/thu-tuc/{KHAI_SINH}/nop");
    let (s, _, _, _) = post_form(&st, &start, &me, &[("agency", COMMUNE)]).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(
        st.store
            .open_drafts("lam-hong", 10)
            .await
            .expect("drafts")
            .is_empty()
    );
    let (s, location, _, _) =
        post_form(&st, &start, &me, &[("csrf", &csrf), ("agency", COMMUNE)]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert!(location.ends_with("/nguoi-nop"), "{location}");
    let id = draft_of(&location);

    // Applicant: prefilled from the profile; without a way to reach them, an error.
    let (s, _, _, page) = get_with(&st, &location, &me).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("value=\"Lâm Thị Hồng\""), "prefilled");
    assert!(
        page.contains("Bước 1 trên 5"),
        "says where the applicant is"
    );
    let applicant_page = format!("/nop/{id}/nguoi-nop");
    let hostile = "<script>alert(1)</script> Hồng";
    let (s, _, _, page) = post_form(
        &st,
        &applicant_page,
        &me,
        &[
            ("csrf", &csrf),
            ("name", hostile),
            ("phone", ""),
            ("email", ""),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("error-summary") && page.contains("href=\"#phone\""),
        "{page}"
    );
    assert!(!page.contains("<script>alert"), "hostile text escaped");
    assert!(
        page.contains("&#60;script&#62;alert(1)&#60;/script&#62; Hồng"),
        "and kept"
    );
    let (s, location, _, _) = post_form(
        &st,
        &applicant_page,
        &me,
        &[
            ("csrf", &csrf),
            ("name", "Lâm Thị Hồng"),
            ("id_number", "094190001234"),
            ("phone", "0912000111"),
        ],
    )
    .await;
    assert_eq!(
        (s, location.as_str()),
        (StatusCode::SEE_OTHER, &*format!("/nop/{id}/to-khai"))
    );

    // The form: a required field missing is named, linked, and what was typed is kept.
    let form_page = format!("/nop/{id}/to-khai");
    let (s, _, _, page) = post_form(
        &st,
        &form_page,
        &me,
        &[("csrf", &csrf), ("form.ten_tre", "Lâm Gia Bảo")],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("href=\"#form.ngay_sinh\""), "{page}");
    assert!(page.contains("value=\"Lâm Gia Bảo\""));
    let (s, location, _, _) = post_form(
        &st,
        &form_page,
        &me,
        &[
            ("csrf", &csrf),
            ("form.ten_tre", "Lâm Gia Bảo"),
            ("form.ngay_sinh", "27/02/2026"),
        ],
    )
    .await;
    assert_eq!(
        (s, location.as_str()),
        (StatusCode::SEE_OTHER, &*format!("/nop/{id}/giay-to"))
    );

    // Files: going on without the required ones is refused; a file that is not what it
    // claims is refused; a PDF and a photo are kept with the draft.
    let files_page = format!("/nop/{id}/giay-to");
    let (s, _, _, page) = get_with(&st, &files_page, &me).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("mỗi tệp không quá") && page.contains("enctype=\"multipart/form-data\""));
    let go_on = [("csrf", csrf.as_str()), ("hanh-dong", "tiep")];
    let (s, _, _, page) = post_files(&st, &files_page, &me, &go_on, &[]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("href=\"#component.0\""), "{page}");
    let (s, _, _, page) = post_files(
        &st,
        &files_page,
        &me,
        &go_on,
        &[(
            "component.0",
            "to-khai.pdf",
            "application/pdf",
            b"not a pdf at all",
        )],
    )
    .await;
    assert!(s.is_client_error(), "{s}");
    assert!(page.contains("PDF, JPEG hoặc PNG"), "{page}");
    let (s, location, _, _) = post_files(
        &st,
        &files_page,
        &me,
        &go_on,
        &[
            ("component.0", "to-khai.pdf", "application/pdf", PDF),
            ("component.1", "giay-chung-sinh.png", "image/png", PNG),
        ],
    )
    .await;
    assert_eq!(
        (s, location.as_str()),
        (StatusCode::SEE_OTHER, &*format!("/nop/{id}/nhan-ket-qua"))
    );

    // A dropped connection loses nothing: the draft is listed, its answers are there.
    let (_, _, _, page) = get_with(&st, "/ho-so", &me).await;
    assert!(page.contains("Đang soạn, chưa nộp") && page.contains(&format!("/nop/{id}/")));
    let (_, _, _, page) = get_with(&st, &files_page, &me).await;
    assert!(page.contains("to-khai.pdf") && page.contains("giay-chung-sinh.png"));

    // Delivery by post needs an address.
    let delivery = format!("/nop/{id}/nhan-ket-qua");
    let (s, _, _, page) = post_form(
        &st,
        &delivery,
        &me,
        &[
            ("csrf", &csrf),
            ("delivery", "post"),
            ("address", ""),
            ("post_phone", ""),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("href=\"#address\""), "{page}");
    let (s, location, _, _) = post_form(
        &st,
        &delivery,
        &me,
        &[
            ("csrf", &csrf),
            ("delivery", "post"),
            ("address", "12 Trần Hưng Đạo, Phường 2, Sóc Trăng"),
            ("post_phone", "0912000111"),
        ],
    )
    .await;
    assert_eq!(
        (s, location.as_str()),
        (StatusCode::SEE_OTHER, &*format!("/nop/{id}/kiem-tra"))
    );

    // Check your answers, then submit; twice makes one dossier.
    let check = format!("/nop/{id}/kiem-tra");
    let (s, _, _, page) = get_with(&st, &check, &me).await;
    assert_eq!(s, StatusCode::OK);
    for want in [
        "Lâm Gia Bảo",
        "27/02/2026",
        "to-khai.pdf",
        "12 Trần Hưng Đạo",
        "094190001234",
    ] {
        assert!(page.contains(want), "the check page lacks {want}");
    }
    assert!(
        st.store
            .dossiers_of("lam-hong", 10)
            .await
            .expect("dossiers")
            .is_empty()
    );
    for _ in 0..2 {
        let (s, location, _, _) = post_form(&st, &check, &me, &[("csrf", &csrf)]).await;
        assert_eq!(
            (s, location.as_str()),
            (StatusCode::SEE_OTHER, &*format!("/nop/{id}/da-nop"))
        );
    }
    let mine = st
        .store
        .dossiers_of("lam-hong", 10)
        .await
        .expect("dossiers");
    assert_eq!(mine.len(), 1, "one dossier however often it is submitted");
    assert_eq!(mine[0].id, id, "the draft's id is the dossier's");
    let (s, _, _, page) = get_with(&st, &format!("/nop/{id}/da-nop"), &me).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Đã nộp hồ sơ") && page.contains(&id) && page.contains("8 giờ làm việc"));
    // A submitted draft cannot be changed any more.
    let (s, _, _, _) = post_form(
        &st,
        &form_page,
        &me,
        &[
            ("csrf", &csrf),
            ("form.ten_tre", "Tên khác"),
            ("form.ngay_sinh", "01/01/2026"),
        ],
    )
    .await;
    assert!(s.is_client_error() || s == StatusCode::SEE_OTHER, "{s}");
    let (_, v) = call(
        &st,
        "GET",
        &format!("/api/v1/dossiers/{id}"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(v["dossier"]["form"]["ten_tre"], "Lâm Gia Bảo", "{v}");
    assert_eq!(
        v["dossier"]["postal_delivery"]["address"], "12 Trần Hưng Đạo, Phường 2, Sóc Trăng",
        "the postal request was made with the submission"
    );

    // My dossiers, and the dossier's page.
    let (_, _, _, page) = get_with(&st, "/ho-so", &me).await;
    assert!(
        page.contains(&format!("href=\"/ho-so/{id}\"")) && !page.contains("Đang soạn, chưa nộp")
    );
    let (s, _, _, page) = get_with(&st, &format!("/ho-so/{id}"), &me).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains("Hạn tiếp nhận hồ sơ") && page.contains("bưu chính"),
        "{page}"
    );

    // Someone else sees neither the draft nor the dossier, nor its files.
    let other = cookie(&applicant(&st, "nguoi-khac", "Người Khác").await);
    for uri in [check.clone(), format!("/ho-so/{id}"), files_page.clone()] {
        let (s, _, _, page) = get_with(&st, &uri, &other).await;
        assert!(
            s == StatusCode::NOT_FOUND || s == StatusCode::FORBIDDEN,
            "{uri}: {s}"
        );
        assert!(!page.contains("Lâm Gia Bảo"), "{uri}");
    }
}

#[tokio::test]
async fn the_dossier_page_answers_a_supplement_and_rates_after_return() {
    let st = state().await;
    let token = applicant(&st, "tran-mai", "Trần Thị Mai").await;
    let me = cookie(&token);
    let (s, v) = call(
        &st,
        "POST",
        "/api/v1/dossiers",
        Some(&token),
        Some(json!({
            "procedure": KHAI_SINH, "agency": COMMUNE, "applicant": {"name": "Trần Thị Mai"},
            "form": {"ten_tre": "Lâm Gia Bảo", "ngay_sinh": "27/02/2026"},
            "components": ["Tờ khai đăng ký khai sinh", "Giấy chứng sinh"]
        })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let id = v["id"].as_str().expect("id").to_string();
    let desk = staff(&st, "tn-p2", COMMUNE, "reception-officer").await;
    let leader = staff(&st, "ct-p2", COMMUNE, "agency-leader").await;
    let ok = |(s, v): (StatusCode, serde_json::Value)| assert!(s.is_success(), "{v}");
    ok(command(&st, &desk, &id, json!({"command": "accept"})).await);
    ok(command(
        &st,
        &desk,
        &id,
        json!({"command": "request-supplement", "reason": "Giấy chứng sinh <b>bị mờ</b>.",
               "items": ["Giấy chứng sinh (bản rõ nét)"]}),
    )
    .await);
    let page_uri = format!("/ho-so/{id}");
    let (s, _, _, page) = get_with(&st, &page_uri, &me).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Giấy chứng sinh (bản rõ nét)"), "{page}");
    assert!(
        page.contains("&#60;b&#62;bị mờ&#60;/b&#62;"),
        "the agency's text is escaped"
    );
    assert!(
        page.contains("value=\"receive-supplement\""),
        "the answer form is offered"
    );
    let csrf = csrf_of(&page);
    let action = format!("/ho-so/{id}/thao-tac");
    let file = [("component.1", "giay-chung-sinh.pdf", "application/pdf", PDF)];
    // Forged: refused, nothing changes.
    let (s, _, _, _) =
        post_files(&st, &action, &me, &[("lenh", "receive-supplement")], &file).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (_, v) = call(
        &st,
        "GET",
        &format!("/api/v1/dossiers/{id}"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(v["dossier"]["state"], "awaiting-supplement");
    let (s, location, _, _) = post_files(
        &st,
        &action,
        &me,
        &[("csrf", &csrf), ("lenh", "receive-supplement")],
        &file,
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert!(location.starts_with(&page_uri), "{location}");
    let (_, v) = call(
        &st,
        "GET",
        &format!("/api/v1/dossiers/{id}"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(v["dossier"]["state"], "in-progress", "{v}");
    // A command the engine does not offer now is refused with a message, nothing changes.
    let (s, _, _, page) = post_files(
        &st,
        &action,
        &me,
        &[("csrf", &csrf), ("lenh", "rate"), ("score", "5")],
        &[],
    )
    .await;
    assert!(s.is_client_error(), "{s}");
    assert!(page.contains("error-summary"), "{page}");

    ok(command(&st, &desk, &id, json!({"command": "forward", "to": "ky"})).await);
    ok(command(
        &st,
        &leader,
        &id,
        json!({"command": "mark-finished", "outcome": {"kind": "granted"}}),
    )
    .await);
    ok(command(&st, &desk, &id, json!({"command": "return-result"})).await);
    let (_, _, _, page) = get_with(&st, &page_uri, &me).await;
    assert!(
        page.contains("value=\"rate\"") && page.contains("Rất hài lòng"),
        "{page}"
    );
    // The control slip: a within-the-day procedure's steps are due with the day.
    assert!(
        !page.contains("Quá hạn"),
        "handled within the day, nothing is late: {page}"
    );
    let (s, _, _, _) = post_files(
        &st,
        &action,
        &me,
        &[
            ("csrf", &csrf),
            ("lenh", "rate"),
            ("score", "5"),
            ("came_back", "0"),
            ("comment", "Nhanh, đúng hẹn."),
        ],
        &[],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, v) = call(
        &st,
        "GET",
        &format!("/api/v1/dossiers/{id}"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(v["dossier"]["rating"], 5, "{v}");
}

#[tokio::test]
async fn feedback_without_an_account_needs_a_contact_and_its_published_answer_is_found() {
    let st = state().await;
    let (s, _, set, page) = get_with(&st, "/phan-anh", "").await;
    assert_eq!(s, StatusCode::OK);
    let form_cookie = set
        .iter()
        .find(|c| c.starts_with("motcua_form="))
        .cloned()
        .expect("a form cookie");
    let csrf = csrf_of(&page);
    let fields = [
        ("csrf", csrf.as_str()),
        ("agency", COMMUNE),
        ("dossier", ""),
        ("subject", "Giờ làm việc <i>thứ Bảy</i>"),
        ("body", "Bộ phận Một cửa có làm việc sáng thứ Bảy không?"),
    ];
    let (s, _, _, page) = post_form(&st, "/phan-anh", &form_cookie, &fields).await;
    assert!(s.is_client_error(), "{s}");
    assert!(page.contains("href=\"#contact\""), "{page}");
    assert!(
        page.contains("Giờ làm việc &#60;i&#62;thứ Bảy&#60;/i&#62;"),
        "kept and escaped"
    );
    let mut with_contact = fields.to_vec();
    with_contact.push(("contact", "Danh Sơn, 0913000222"));
    let (s, location, _, _) = post_form(&st, "/phan-anh", &form_cookie, &with_contact).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let id = location
        .strip_prefix("/phan-anh/")
        .and_then(|r| r.split('?').next())
        .expect("the feedback's page")
        .to_string();
    let (s, _, page) = html(&st, &location).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains("Đã gửi phản ánh") && page.contains("3 ngày làm việc"),
        "{page}"
    );
    assert!(
        !page.contains("0913000222"),
        "the contact is not shown back on a public page"
    );
    // Unanswered, nothing is published.
    let (_, _, page) = html(&st, "/hoi-dap?q=thu+bay").await;
    assert!(!page.contains("sáng thứ Bảy"), "{page}");
    let desk = staff(&st, "tn-p2", COMMUNE, "reception-officer").await;
    let (s, v) = call(
        &st,
        "POST",
        &format!("/api/v1/feedback/{id}/answer"),
        Some(&desk),
        Some(
            json!({"answer": "Làm việc sáng thứ Bảy từ 7 giờ 30 đến 11 giờ 30.", "publish": true}),
        ),
    )
    .await;
    assert!(s.is_success(), "{v}");
    let (s, _, page) = html(&st, "/hoi-dap?q=THU+BAY").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains("sáng thứ Bảy từ 7 giờ 30"),
        "found without diacritics: {page}"
    );
    assert!(
        !page.contains("0913000222") && !page.contains("Danh Sơn"),
        "no contact in the Q&A"
    );
    let (_, _, page) = html(&st, "/hoi-dap?q=khong+co+cau+nay").await;
    assert!(!page.contains("sáng thứ Bảy từ 7 giờ 30"));
    // Logged in, the feedback is the author's and listed under "my feedback".
    let token = applicant(&st, "danh-son", "Danh Sơn").await;
    let me = cookie(&token);
    let (_, _, _, page) = get_with(&st, "/phan-anh", &me).await;
    let csrf = csrf_of(&page);
    let (s, location, _, _) = post_form(
        &st,
        "/phan-anh",
        &me,
        &[
            ("csrf", &csrf),
            ("agency", COMMUNE),
            ("dossier", ""),
            ("subject", "Hỏi về lệ phí"),
            ("body", "Đăng ký khai sinh có mất lệ phí không?"),
        ],
    )
    .await;
    assert_eq!(
        s,
        StatusCode::SEE_OTHER,
        "no contact needed with an account"
    );
    let (_, _, _, page) = get_with(&st, "/phan-anh/cua-toi", &me).await;
    assert!(page.contains("Hỏi về lệ phí"), "{page}");
    assert!(location.starts_with("/phan-anh/"));
}

#[tokio::test]
async fn pages_that_depend_only_on_the_catalogue_are_snapshotted() {
    let st = state().await;
    // The per-browser form token and the stylesheet's hash change; nothing else may.
    let stable = |page: String| {
        let mut out = String::new();
        for line in page.lines() {
            let line = if line.contains("name=\"csrf\"") {
                "  <input type=\"hidden\" name=\"csrf\" value=\"[token]\">".to_string()
            } else if line.contains("/assets/site.") {
                "  <link rel=\"stylesheet\" href=\"/assets/site.[hash].css\">".to_string()
            } else {
                line.to_string()
            };
            out.push_str(&line);
            out.push('\n');
        }
        out
    };
    let (_, _, page) = html(&st, &format!("/thu-tuc/{KHAI_SINH}")).await;
    insta::assert_snapshot!("procedure_khai_sinh", stable(page));
    let (_, _, page) = html(&st, &format!("/thu-tuc/{KHAI_SINH}/nop")).await;
    insta::assert_snapshot!("submission_start_logged_out", stable(page));
}

#[tokio::test]
async fn a_session_that_ends_soon_warns_and_an_ended_one_says_so_at_login() {
    let st = state().await;
    applicant(&st, "sap-het-han", "Sắp Hết Hạn").await;
    let now = chrono::Utc::now();
    // A long way off: no warning.
    let (s, _, _, page) = get_with(
        &st,
        "/ho-so",
        &cookie(&applicant(&st, "con-lau", "Còn Lâu").await),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(!page.contains("sẽ hết hạn lúc"), "{page}");
    // Twenty minutes left: every page says when, before a form is lost to it.
    st.store
        .create_session(
            "phien-sap-het",
            "sap-het-han",
            now,
            now + chrono::TimeDelta::minutes(20),
        )
        .await
        .expect("session");
    let (s, _, _, page) = get_with(&st, "/thu-tuc/1.001193/nop", &cookie("phien-sap-het")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains("Phiên đăng nhập của bạn sẽ hết hạn lúc"),
        "{page}"
    );
    assert!(
        page.contains("còn khoảng 19 phút") || page.contains("còn khoảng 20 phút"),
        "{page}"
    );
    // Ended: a page that needs a login sends there, and the login page says what happened.
    st.store
        .create_session(
            "phien-het",
            "sap-het-han",
            now - chrono::TimeDelta::hours(13),
            now - chrono::TimeDelta::hours(1),
        )
        .await
        .expect("session");
    let (s, location, _, _) = get_with(&st, "/ho-so", &cookie("phien-het")).await;
    assert_eq!(
        (s, location.as_str()),
        (StatusCode::SEE_OTHER, "/dang-nhap?tiep=/ho-so")
    );
    let (_, _, _, page) = get_with(&st, "/dang-nhap?tiep=/ho-so", &cookie("phien-het")).await;
    assert!(page.contains("Phiên đăng nhập đã hết hạn"), "{page}");
    assert!(page.contains("name=\"tiep\" value=\"/ho-so\""));
    // Someone who never logged in is not told a session ended.
    let (_, _, _, page) = get_with(&st, "/dang-nhap", "").await;
    assert!(!page.contains("Phiên đăng nhập đã hết hạn"));
}
