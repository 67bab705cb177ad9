//! Setting up a deployment in the pages: agencies (scope, validation, the tree kept a tree,
//! contact details only for an agency administrator) and the calendar.

use super::pages::{csrf_of, get_with, post_form};
use crate::support::*;
use axum::http::StatusCode;

fn cookie(token: &str) -> String {
    format!("motcua_session={token}")
}

#[tokio::test]
async fn a_system_administrator_creates_and_edits_agencies_in_scope() {
    let st = state().await;
    let admin = cookie(&staff(&st, "qt-ht", "000.00.00.H53", "system-admin").await);
    let (s, _, _, page) = get_with(&st, "/can-bo/co-quan", &admin).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert!(
        page.contains("UBND phường 2") || page.contains("000.31.12.H53"),
        "{page}"
    );
    let csrf = csrf_of(&page);
    // Everything wrong at once: each said at its field, nothing saved.
    let (s, _, _, page) = post_form(
        &st,
        "/can-bo/co-quan",
        &admin,
        &[
            ("csrf", &csrf),
            ("id", "000 31/99"),
            ("name", ""),
            ("level", "commune"),
            ("parent_id", "000.31.12.H53"),
            ("host_names", "motcua.tpsoctrang.soctrang.gov.vn, bad_host!"),
            ("email", "khong-phai-thu"),
            ("hotline", "abc"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    for said in [
        "href=\"#id\"",
        "href=\"#name\"",
        "href=\"#level\"",
        "href=\"#host_names\"",
        "href=\"#email\"",
        "href=\"#hotline\"",
    ] {
        assert!(page.contains(said), "{said}: {page}");
    }
    assert!(
        page.contains("value=\"khong-phai-thu\""),
        "what was typed is kept"
    );
    // A commune under the city.
    let (s, location, _, page) = post_form(
        &st,
        "/can-bo/co-quan",
        &admin,
        &[
            ("csrf", &csrf),
            ("id", "000.31.99.H53"),
            ("name", "UBND phường Mới"),
            ("level", "commune"),
            ("parent_id", "000.20.31.H53"),
            ("host_names", "Motcua.PhuongMoi.soctrang.gov.vn"),
            ("address", "1 Đường Mới"),
            ("hotline", "0299 3822 000"),
            ("email", "phuongmoi@soctrang.gov.vn"),
            ("hours", "Thứ Hai – Thứ Sáu"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{page}");
    assert_eq!(location, "/can-bo/co-quan?da-luu=000.31.99.H53");
    let a = st.store.agencies().await.expect("agencies");
    let new = a.iter().find(|a| a.id == "000.31.99.H53").expect("created");
    assert_eq!(new.host_names, vec!["motcua.phuongmoi.soctrang.gov.vn"]);
    assert_eq!(new.contact.hotline.as_deref(), Some("0299 3822 000"));
    // The same id again is refused; so is making the province a child of its commune.
    let (s, _, _, page) = post_form(
        &st,
        "/can-bo/co-quan",
        &admin,
        &[
            ("csrf", &csrf),
            ("id", "000.31.99.H53"),
            ("name", "X"),
            ("level", "commune"),
            ("parent_id", "000.20.31.H53"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Đã có cơ quan mã 000.31.99.H53"), "{page}");
    let (s, _, _, page) = post_form(
        &st,
        "/can-bo/co-quan",
        &admin,
        &[
            ("csrf", &csrf),
            ("sua", "1"),
            ("id", "000.20.31.H53"),
            ("name", "UBND TP"),
            ("level", "district"),
            ("parent_id", "000.31.99.H53"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("trực thuộc nó"), "{page}");
    // The new agency's site answers by its host name at once.
    let (s, _, v) = send(
        &st,
        "GET",
        "/api/v1/tenant",
        &[("host", "motcua.phuongmoi.soctrang.gov.vn")],
        None,
    )
    .await;
    assert_eq!(
        (s, v["agency"]["id"].as_str()),
        (StatusCode::OK, Some("000.31.99.H53"))
    );
    // Without the form token nothing changes.
    let (s, _, _, _) = post_form(
        &st,
        "/can-bo/co-quan",
        &admin,
        &[
            ("sua", "1"),
            ("id", "000.31.99.H53"),
            ("name", "Đổi"),
            ("level", "commune"),
            ("parent_id", "000.20.31.H53"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_agency_administrator_edits_only_their_agencys_contact() {
    let st = state().await;
    let local = cookie(&staff(&st, "qt-p2", "000.31.12.H53", "agency-admin").await);
    let (s, _, _, page) = get_with(&st, "/can-bo/co-quan/000.31.12.H53", &local).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert!(
        !page.contains("id=\"host_names\"") && page.contains("id=\"hotline\""),
        "{page}"
    );
    let (s, _, _, _) = get_with(&st, "/can-bo/co-quan/000.00.04.H53", &local).await;
    assert_eq!(
        s,
        StatusCode::NOT_FOUND,
        "another agency is not theirs to see"
    );
    let csrf = csrf_of(&page);
    let (s, _, _, page) = post_form(
        &st,
        "/can-bo/co-quan",
        &local,
        &[
            ("csrf", &csrf),
            ("sua", "1"),
            ("id", "000.31.12.H53"),
            ("name", "Đổi tên"),
            ("level", "province"),
            ("hotline", "1022"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{page}");
    let a = st.store.agencies().await.expect("agencies");
    let p2 = a.iter().find(|a| a.id == "000.31.12.H53").expect("there");
    assert_eq!(p2.contact.hotline.as_deref(), Some("1022"));
    assert_eq!(p2.level, "commune", "the level is not theirs to change");
    assert_ne!(p2.name, "Đổi tên");
    // Nor can they add an agency.
    let (s, _, _, _) = post_form(
        &st,
        "/can-bo/co-quan",
        &local,
        &[
            ("csrf", &csrf),
            ("id", "000.31.98.H53"),
            ("name", "X"),
            ("level", "commune"),
            ("parent_id", "000.31.12.H53"),
        ],
    )
    .await;
    assert!(
        s == StatusCode::FORBIDDEN || s == StatusCode::UNPROCESSABLE_ENTITY,
        "{s}"
    );
    assert!(
        !st.store
            .agencies()
            .await
            .expect("agencies")
            .iter()
            .any(|a| a.id == "000.31.98.H53")
    );
    // An officer without an administrator's role is refused the page.
    let desk = cookie(&staff(&st, "tn-p2", "000.31.12.H53", "reception-officer").await);
    let (s, _, _, _) = get_with(&st, "/can-bo/co-quan", &desk).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_proposed_year_is_compared_with_the_announcement_then_confirmed() {
    let st = state().await;
    let desk = cookie(&staff(&st, "tn-p2", "000.31.12.H53", "reception-officer").await);
    let (s, _, _, _) = get_with(&st, "/can-bo/lich?nam=2027", &desk).await;
    assert_eq!(
        s,
        StatusCode::FORBIDDEN,
        "an officer does not keep the calendar"
    );
    let admin = cookie(&staff(&st, "qt-ht", "000.00.00.H53", "system-admin").await);
    let (s, _, _, page) = get_with(&st, "/can-bo/lich?nam=2027", &admin).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert!(
        page.contains("Đề xuất, chưa có thông báo chính thức"),
        "{page}"
    );
    // The proposal is offered in the form, one line a day.
    assert!(page.contains("2027-02-05; nghỉ; Tết Nguyên đán"), "{page}");
    let csrf = csrf_of(&page);
    let start = &page[page.find("name=\"ngay\"").expect("textarea")..];
    let start = &start[start.find('>').expect("tag") + 1..];
    let proposal = start[..start.find("</textarea>").expect("end")].replace("&#59;", ";");
    // The announcement moves one day and adds a make-up Saturday.
    let announced = format!(
        "{}\n2027-02-20; làm bù; Làm bù cho ngày 12/02/2027",
        proposal
            .lines()
            .filter(|l| !l.starts_with("2027-02-10"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    let (s, _, _, page) = post_form(
        &st,
        "/can-bo/lich",
        &admin,
        &[
            ("csrf", &csrf),
            ("viec", "so-sanh"),
            ("nam", "2027"),
            ("thong-bao", ""),
            ("ngay", "2027-13-01; nghỉ; X"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(
        page.contains("href=\"#thong-bao\"") && page.contains("Dòng 1"),
        "{page}"
    );
    let notice = "Thông báo số 9999/TB-BNV";
    let (s, _, _, page) = post_form(
        &st,
        "/can-bo/lich",
        &admin,
        &[
            ("csrf", &csrf),
            ("viec", "so-sanh"),
            ("nam", "2027"),
            ("thong-bao", notice),
            ("ngay", &announced),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert!(page.contains("So sánh với lịch đang dùng"), "{page}");
    assert!(
        page.contains("<td>Thứ Bảy 20/02/2027</td><td>—</td><td>Làm bù: Làm bù")
            && page.contains(
                "<td>Thứ Tư 10/02/2027</td><td>Nghỉ: Nghỉ bù Tết Nguyên đán</td><td>—</td>"
            ),
        "{page}"
    );
    // Nothing changed yet.
    let cal = st.config().await.expect("config").calendar.clone();
    let sat = chrono::NaiveDate::from_ymd_opt(2027, 2, 20).expect("date");
    assert!(!cal.is_working_day(sat).expect("in range"));
    let (s, location, _, page) = post_form(
        &st,
        "/can-bo/lich",
        &admin,
        &[
            ("csrf", &csrf),
            ("viec", "xac-nhan"),
            ("nam", "2027"),
            ("thong-bao", notice),
            ("ngay", &announced),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{page}");
    let (_, _, _, page) = get_with(&st, &location, &admin).await;
    assert!(
        page.contains("Đã lưu lịch nghỉ lễ năm 2027 theo thông báo, chờ áp dụng"),
        "{page}"
    );
    // Pending until applied: the calendar in force has not changed.
    assert!(page.contains("Đề xuất, chưa có"), "{page}");
    let cal = st.config().await.expect("config").calendar.clone();
    assert!(!cal.is_working_day(sat).expect("in range"));
    let apply = |csrf: String| {
        let st = st.clone();
        let admin = admin.clone();
        async move {
            let (s, location, _, page) = post_form(
                &st,
                "/can-bo/lich/ap-dung",
                &admin,
                &[("csrf", &csrf), ("viec", "ap-dung")],
            )
            .await;
            assert_eq!(s, StatusCode::SEE_OTHER, "{page}");
            let (_, _, _, page) = get_with(&st, &location, &admin).await;
            assert!(page.contains("Đã áp dụng thay đổi lịch làm việc"), "{page}");
            page
        }
    };
    apply(csrf.clone()).await;
    let (_, _, _, page) = get_with(&st, "/can-bo/lich?nam=2027", &admin).await;
    assert!(
        page.contains(notice) && !page.contains("Đề xuất, chưa có"),
        "{page}"
    );
    let cal = st.config().await.expect("config").calendar.clone();
    assert!(
        cal.is_working_day(sat).expect("in range"),
        "the make-up Saturday is worked"
    );
    let wed = chrono::NaiveDate::from_ymd_opt(2027, 2, 10).expect("date");
    assert!(
        cal.is_working_day(wed).expect("in range"),
        "the day the announcement left out"
    );
    assert!(cal.year_status(2027).expect("year").is_confirmed());
    // A local day off with its source, then a new window: each a new calendar version.
    let (s, _, _, page) = post_form(
        &st,
        "/can-bo/lich",
        &admin,
        &[
            ("csrf", &csrf),
            ("viec", "them-ngay"),
            ("nam", "2027"),
            ("ngay-rieng", "2027-11-10"),
            ("loai", "nghi"),
            ("ten-ngay", "Lễ hội Oóc Om Bóc"),
            ("nguon", ""),
        ],
    )
    .await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a day without its source: {page}"
    );
    let (s, _, _, _) = post_form(
        &st,
        "/can-bo/lich",
        &admin,
        &[
            ("csrf", &csrf),
            ("viec", "them-ngay"),
            ("nam", "2027"),
            ("ngay-rieng", "2027-11-10"),
            ("loai", "nghi"),
            ("ten-ngay", "Lễ hội Oóc Om Bóc"),
            ("nguon", "Quyết định 1/QĐ-UBND"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, _, _, page) = post_form(
        &st,
        "/can-bo/lich",
        &admin,
        &[
            ("csrf", &csrf),
            ("viec", "gio-lam"),
            ("nam", "2027"),
            ("gio-lam", "13:00-11:00"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    let (s, _, _, _) = post_form(
        &st,
        "/can-bo/lich",
        &admin,
        &[
            ("csrf", &csrf),
            ("viec", "gio-lam"),
            ("nam", "2027"),
            ("gio-lam", "07:30-11:30, 13:00-17:00"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    // Both changes wait together and are applied together.
    let (_, _, _, page) = get_with(&st, "/can-bo/lich?nam=2027", &admin).await;
    assert!(page.contains("Có thay đổi chờ áp dụng"), "{page}");
    apply(csrf.clone()).await;
    let cal = st.config().await.expect("config").calendar.clone();
    let local = chrono::NaiveDate::from_ymd_opt(2027, 11, 10).expect("date");
    assert!(!cal.is_working_day(local).expect("in range"));
    let (_, _, _, page) = get_with(&st, "/can-bo/lich?nam=2027", &admin).await;
    assert!(
        page.contains("Quyết định 1/QĐ-UBND") && page.contains("07:30-11:30, 13:00-17:00"),
        "{page}"
    );
    assert!(
        page.contains("Phiên bản lịch <code>national@2;confirmed-years@1</code>"),
        "{page}"
    );
    // The year's days were confirmed in the calendar the public API answers with, too.
    let (_, _, v) = send(&st, "GET", "/api/v1/calendar/2027", &[], None).await;
    assert_eq!(v["status"]["status"].as_str(), Some("confirmed"), "{v}");
}

#[tokio::test]
async fn a_catalogue_is_checked_imported_and_a_version_retired_in_the_pages() {
    use super::portal::post_files;
    let st = state().await;
    let admin = cookie(&staff(&st, "qt-ht", "000.00.00.H53", "system-admin").await);
    let (_, _, _, page) = get_with(&st, "/can-bo/thu-tuc", &admin).await;
    let csrf = csrf_of(&page);
    let csv = super::admin::file("examples/catalogue/danh-muc-mau.csv");
    let broken = format!("{csv}9.9,Tên,Lĩnh vực,Cấp Xã,mười ngày,,,,,\n");
    let (s, _, _, page) = post_files(
        &st,
        "/can-bo/thu-tuc/nhap",
        &admin,
        &[("csrf", &csrf)],
        &[("tep", "danh-muc.csv", "text/csv", broken.as_bytes())],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("<td>5</td><td>thoi_han</td>"), "{page}");
    assert!(page.contains("Không thủ tục nào được nhập") && !page.contains("name=\"xac-nhan\""));
    let (s, _, _, page) = post_files(
        &st,
        "/can-bo/thu-tuc/nhap",
        &admin,
        &[("csrf", &csrf)],
        &[("tep", "danh-muc.csv", "text/csv", csv.as_bytes())],
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert!(
        page.contains("3 thủ tục: 3 mới") && page.contains("Mặc định, 4 bước"),
        "{page}"
    );
    let before = st.store.procedures().await.expect("list").len();
    let (s, location, _, page) = post_files(
        &st,
        "/can-bo/thu-tuc/nhap",
        &admin,
        &[("csrf", &csrf), ("xac-nhan", "1"), ("noi-dung", &csv)],
        &[],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{page}");
    assert_eq!(st.store.procedures().await.expect("list").len(), before + 3);
    let (_, _, _, page) = get_with(&st, &location, &admin).await;
    assert!(page.contains("Đã nhập danh mục: 3 thủ tục mới"), "{page}");
    assert!(page.contains("Quy trình mặc định"), "{page}");
    // The imported procedure is in the public catalogue once assigned.
    let (s, _, _, _) = post_form(
        &st,
        "/can-bo/thu-tuc/giao",
        &admin,
        &[
            ("csrf", &csrf),
            ("thu-tuc", "1.001022"),
            ("co-quan", "000.31.12.H53"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, _, _, page) = get_with(&st, "/t/000.31.12.H53/thu-tuc/1.001022", "").await;
    assert_eq!(s, StatusCode::OK, "{page}");
    // Retiring its only version takes it out of new submissions; the page says so.
    let (s, location, _, _) = post_form(
        &st,
        "/can-bo/thu-tuc/ngung",
        &admin,
        &[("csrf", &csrf), ("thu-tuc", "1.001022"), ("phien-ban", "1")],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, _, _, page) = get_with(&st, &location, &admin).await;
    assert!(
        page.contains("Đã ngừng áp dụng phiên bản 1 của thủ tục 1.001022"),
        "{page}"
    );
    assert!(page.contains("Không còn phiên bản áp dụng"), "{page}");
    let (s, _, _, _) = get_with(&st, "/t/000.31.12.H53/thu-tuc/1.001022", "").await;
    assert_eq!(s, StatusCode::NOT_FOUND, "no longer offered");
    // An officer cannot import.
    let desk = cookie(&staff(&st, "tn-p2", "000.31.12.H53", "reception-officer").await);
    let (s, _, _, _) = post_files(
        &st,
        "/can-bo/thu-tuc/nhap",
        &desk,
        &[("csrf", &csrf)],
        &[("tep", "danh-muc.csv", "text/csv", csv.as_bytes())],
    )
    .await;
    assert!(s == StatusCode::FORBIDDEN, "{s}");
}

#[tokio::test]
async fn a_deactivated_account_cannot_log_in_and_the_audit_shows_it() {
    let st = state().await;
    let local = cookie(&staff(&st, "qt-p2", "000.31.12.H53", "agency-admin").await);
    let desk_token = staff(&st, "tn-p2", "000.31.12.H53", "reception-officer").await;
    let (_, _, _, page) = get_with(&st, "/can-bo/tai-khoan", &local).await;
    assert!(page.contains("name=\"ngung\" value=\"tn-p2\""), "{page}");
    assert!(
        !page.contains("name=\"ngung\" value=\"qt-p2\""),
        "not oneself"
    );
    let csrf = csrf_of(&page);
    let (s, location, _, page) = post_form(
        &st,
        "/can-bo/tai-khoan",
        &local,
        &[("csrf", &csrf), ("ngung", "tn-p2")],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{page}");
    let (_, _, _, page) = get_with(&st, &location, &local).await;
    assert!(
        page.contains("Đã ngừng sử dụng tài khoản tn-p2") && page.contains("Cho dùng lại"),
        "{page}"
    );
    // Their session ended; the right password is now refused with its reason.
    let (s, _) = call(&st, "GET", "/api/v1/me", Some(&desk_token), None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, v) = call(
        &st,
        "POST",
        "/api/v1/sessions",
        None,
        Some(serde_json::json!({ "id": "tn-p2", "password": "mat-khau-can-bo" })),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("account_deactivated"))
    );
    let (s, v) = call(
        &st,
        "POST",
        "/api/v1/sessions",
        None,
        Some(serde_json::json!({ "id": "tn-p2", "password": "sai" })),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("wrong_credentials")),
        "a wrong password says nothing more"
    );
    // Reactivated: logs in again. The audit page lists it all.
    let (s, _, _, _) = post_form(
        &st,
        "/can-bo/tai-khoan",
        &local,
        &[("csrf", &csrf), ("kich-hoat", "tn-p2")],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    login(&st, "tn-p2", "mat-khau-can-bo").await;
    let (s, _, _, page) = get_with(&st, "/can-bo/tai-khoan/nhat-ky", &local).await;
    assert_eq!(s, StatusCode::OK);
    for said in [
        "Ngừng sử dụng tài khoản",
        "Cho dùng lại tài khoản",
        "Đăng nhập bị từ chối (tài khoản đã ngừng)",
        "Đăng nhập sai mật khẩu",
    ] {
        assert!(page.contains(said), "{said}: {page}");
    }
    // Another agency's administrator cannot touch the account.
    let other = staff(&st, "qt-sxd", "000.00.04.H53", "agency-admin").await;
    let (s, _) = call(
        &st,
        "PUT",
        "/api/v1/agencies/000.31.12.H53/users/tn-p2/active",
        Some(&other),
        Some(serde_json::json!({ "active": false })),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let desk = cookie(&login(&st, "tn-p2", "mat-khau-can-bo").await);
    let (s, _, _, _) = get_with(&st, "/can-bo/tai-khoan/nhat-ky", &desk).await;
    assert_eq!(
        s,
        StatusCode::FORBIDDEN,
        "an officer does not read the audit"
    );
}

#[tokio::test]
async fn monitoring_shows_the_overdue_and_the_table_and_exports_csv() {
    use chrono::{DateTime, Utc};
    use std::sync::Arc;
    let at = |s: &str| {
        DateTime::parse_from_rfc3339(s)
            .expect("instant")
            .with_timezone(&Utc)
    };
    let clock = Arc::new(motcua_http::ManualClock::new(at(
        "2026-12-07T09:00:00+07:00",
    )));
    let st = state().await.with_clock(clock.clone());
    let district = "000.20.31.H53";
    let owner = applicant(&st, "nguoi-nop", "Người Nộp").await;
    let (s, v) = call(
        &st,
        "POST",
        "/api/v1/dossiers",
        Some(&owner),
        Some(serde_json::json!({ "procedure": "HKD-DK-THANH-LAP", "agency": district,
                     "applicant": { "name": "Hồ Văn Sáu" }, "components": ["Giấy đề nghị đăng ký hộ kinh doanh"] })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let id = v["id"].as_str().expect("id").to_string();
    let desk = staff(&st, "desk.m", district, "reception-officer").await;
    let (s, v) = command(&st, &desk, &id, serde_json::json!({ "command": "accept" })).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let code = v["code"].as_str().expect("code").to_string();
    let (s, v) = command(
        &st,
        &desk,
        &id,
        serde_json::json!({ "command": "open-consultation", "id": "yk-1",
            "agencies": ["000.31.12.H53"], "content": "Xác nhận địa điểm kinh doanh",
            "deadline": "2026-12-09T17:00:00+07:00" }),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // A week later it is past its appointment (three working days).
    clock.set(at("2026-12-14T09:00:00+07:00"));
    let leader = cookie(&staff(&st, "ld.tp", district, "agency-leader").await);
    let (s, _, _, page) = get_with(
        &st,
        "/can-bo/theo-doi?tu=2026-12-01&den=2026-12-14",
        &leader,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert!(
        page.contains(&format!(">{code}</a>")),
        "in the overdue list: {page}"
    );
    assert!(
        page.contains("<svg") && page.contains("Biểu đồ hồ sơ theo lĩnh vực"),
        "{page}"
    );
    assert!(page.contains("<th scope=\"row\">Tổng cộng</th>"), "{page}");
    let late = &page[page.find("Lấy ý kiến quá hạn").expect("section")..];
    assert!(
        late.contains("Xác nhận địa điểm kinh doanh") && late.contains("UBND Phường 2"),
        "{late}"
    );
    let desk_page = cookie(&login(&st, "desk.m", "mat-khau-can-bo").await);
    let (_, _, _, ws) = get_with(&st, &format!("/can-bo/ho-so/{id}"), &desk_page).await;
    assert!(
        ws.contains("Lấy ý kiến yk-1: quá hạn, còn cơ quan chưa trả lời")
            && ws.contains("Chưa trả lời"),
        "{ws}"
    );
    assert!(
        page.contains("Đang xử lý") || page.contains("Đang giải quyết"),
        "{page}"
    );
    // The CSV opens in Excel with its Vietnamese headers.
    let (s, _, _, body) = get_with(
        &st,
        &format!("/can-bo/theo-doi/thong-ke.csv?co-quan={district}&tu=2026-12-01&den=2026-12-14"),
        &leader,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        body.starts_with('\u{feff}') && body.contains("Số hồ sơ đang giải quyết - Quá hạn"),
        "{body}"
    );
    // The commune's officer cannot look at the district's monitoring.
    let commune = cookie(&staff(&st, "tn.p2", "000.31.12.H53", "reception-officer").await);
    let (s, _, _, _) = get_with(
        &st,
        &format!("/can-bo/theo-doi?co-quan={district}"),
        &commune,
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _, _, _) = get_with(
        &st,
        "/can-bo/theo-doi?tu=2026-12-09&den=2026-12-01",
        &leader,
    )
    .await;
    assert_eq!(
        s,
        StatusCode::BAD_REQUEST,
        "a period ending before it starts"
    );
}
