//! The procedures' administration pages through `router(state).oneshot(...)`: only system
//! administrators; a file with errors shown by line and column and not publishable; a new
//! version checked, drawn, published and followed by the catalogue; a published version
//! never changed; an assignment.

use super::pages::{csrf_of, get_with, post_form};
use super::portal::post_files;
use crate::support::*;
use axum::http::StatusCode;

fn cookie(token: &str) -> String {
    format!("motcua_session={token}")
}

pub(crate) fn file(rel: &str) -> String {
    std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join(rel),
    )
    .expect("read")
}

#[tokio::test]
async fn a_system_administrator_checks_publishes_and_assigns_procedures() {
    let st = state().await;
    let desk = cookie(&staff(&st, "tn-p2", "000.31.12.H53", "reception-officer").await);
    let (s, _, _, _) = get_with(&st, "/can-bo/thu-tuc", &desk).await;
    assert_eq!(
        s,
        StatusCode::FORBIDDEN,
        "an officer is not an administrator"
    );
    let admin = cookie(&staff(&st, "qt-ht", "000.00.00.H53", "system-admin").await);
    let (s, _, _, page) = get_with(&st, "/can-bo/thu-tuc", &admin).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains("Thủ tục đăng ký khai sinh") && page.contains("2024.1"),
        "{page}"
    );
    let csrf = csrf_of(&page);
    let broken = file("motcua-core/tests/data/procedures/broken.toml");
    let (s, _, _, page) = post_files(
        &st,
        "/can-bo/thu-tuc/kiem-tra",
        &admin,
        &[("csrf", &csrf), ("noi-dung", &broken)],
        &[],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("chưa công bố được") && page.contains("<td>28</td><td>6</td>"),
        "{page}"
    );
    assert!(
        page.contains("Bước “b” chưa có vai trò (role)") && !page.contains("has no role"),
        "the checker's problems in Vietnamese: {page}"
    );
    assert!(!page.contains("Công bố phiên bản này"));
    // A new version: checked, drawn, published.
    let text = file("examples/procedures/khai-sinh.toml")
        .replace("version = \"2024.1\"", "version = \"2026.1\"")
        .replace(
            "Chủ tịch UBND xã ký Giấy khai sinh",
            "Chủ tịch <UBND> xã ký",
        );
    let (s, _, _, page) = post_files(
        &st,
        "/can-bo/thu-tuc/kiem-tra",
        &admin,
        &[("csrf", &csrf)],
        &[("tep", "khai-sinh.toml", "text/plain", text.as_bytes())],
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert!(
        page.contains("<svg") && page.contains("Sơ đồ quy trình: 2 bước"),
        "{page}"
    );
    assert!(
        page.contains("Chủ tịch &lt;UBND&gt; xã ký") && !page.contains("<UBND>"),
        "escaped in the drawing"
    );
    assert!(
        page.contains("Đây là phiên bản mới") && page.contains("2024.1"),
        "{page}"
    );
    let (s, location, _, _) = post_form(
        &st,
        "/can-bo/thu-tuc/cong-bo",
        &admin,
        &[("csrf", &csrf), ("noi-dung", &text)],
    )
    .await;
    assert_eq!(
        (s, location.as_str()),
        (StatusCode::SEE_OTHER, "/can-bo/thu-tuc?da-cong-bo=1.001193")
    );
    let config = st.config().await.expect("config");
    assert_eq!(
        config
            .latest_of("1.001193")
            .expect("latest")
            .catalogue
            .version,
        "2026.1"
    );
    // That version again with other content: shown as not publishable, and refused.
    let changed = text.replace("Nơi sinh", "Nơi sinh của trẻ");
    let (_, _, _, page) = post_files(
        &st,
        "/can-bo/thu-tuc/kiem-tra",
        &admin,
        &[("csrf", &csrf), ("noi-dung", &changed)],
        &[],
    )
    .await;
    assert!(page.contains("Không công bố được"), "{page}");
    let (s, _, _, _) = post_form(
        &st,
        "/can-bo/thu-tuc/cong-bo",
        &admin,
        &[("csrf", &csrf), ("noi-dung", &changed)],
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let stored = st.store.procedures().await.expect("list");
    assert!(
        stored
            .iter()
            .any(|(c, v, src)| c == "1.001193" && v == "2026.1" && *src == text)
    );
    // Forged: refused.
    let (s, _, _, _) = post_form(
        &st,
        "/can-bo/thu-tuc/cong-bo",
        &admin,
        &[("noi-dung", &text)],
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // Assign the household business registration to the commune as well.
    assert!(!config.handles("000.31.12.H53", "HKD-DK-THANH-LAP"));
    let (s, _, _, _) = post_form(
        &st,
        "/can-bo/thu-tuc/giao",
        &admin,
        &[
            ("csrf", &csrf),
            ("thu-tuc", "HKD-DK-THANH-LAP"),
            ("co-quan", "000.31.12.H53"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert!(
        st.config()
            .await
            .expect("config")
            .handles("000.31.12.H53", "HKD-DK-THANH-LAP")
    );
}

#[tokio::test]
async fn an_agency_administrator_creates_staff_with_a_one_time_password_shown_once() {
    let st = state().await;
    let desk = cookie(&staff(&st, "tn-p2", "000.31.12.H53", "reception-officer").await);
    let (_, _, _, page) = get_with(&st, "/can-bo/tai-khoan", &desk).await;
    assert!(
        page.contains("Chỉ quản trị của cơ quan"),
        "an officer cannot: {page}"
    );
    let admin = cookie(&staff(&st, "qt-p2", "000.31.12.H53", "agency-admin").await);
    let (s, _, _, page) = get_with(&st, "/can-bo/tai-khoan", &admin).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains("tn-p2") && page.contains("Cán bộ tiếp nhận"),
        "{page}"
    );
    let csrf = csrf_of(&page);
    let fields = [
        ("csrf", csrf.as_str()),
        ("id", "Sai Ten"),
        ("name", "Nguyễn Văn Bình"),
        ("vai-tro", "specialist"),
    ];
    let (s, _, _, page) = post_form(&st, "/can-bo/tai-khoan", &admin, &fields).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("href=\"#id\"") && page.contains("value=\"Nguyễn Văn Bình\""),
        "{page}"
    );
    let mut good = fields.to_vec();
    good[1] = ("id", "chuyen-vien.binh");
    let (s, _, _, page) = post_form(&st, "/can-bo/tai-khoan", &admin, &good).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    let at = page.find("<code>").expect("the one-time password") + 6;
    let once: String = page[at..].chars().take_while(|c| *c != '<').collect();
    assert!(once.len() >= 10, "{once}");
    let token = login(&st, "chuyen-vien.binh", &once).await;
    let (_, v) = call(&st, "GET", "/api/v1/me", Some(&token), None).await;
    assert_eq!(v["must_change_password"], true, "{v}");
    let (_, _, _, page) = get_with(&st, "/can-bo/tai-khoan", &admin).await;
    assert!(!page.contains(&once), "shown once only");
    assert!(page.contains("chuyen-vien.binh") && page.contains("Chờ đổi ở lần đăng nhập đầu"));
    // Reset: a new one-time password, the old one no longer works.
    let (s, _, _, page) = post_form(
        &st,
        "/can-bo/tai-khoan",
        &admin,
        &[("csrf", &csrf), ("dat-lai", "chuyen-vien.binh")],
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let at = page.find("<code>").expect("a new password") + 6;
    let again: String = page[at..].chars().take_while(|c| *c != '<').collect();
    assert_ne!(again, once);
    login(&st, "chuyen-vien.binh", &again).await;
}
