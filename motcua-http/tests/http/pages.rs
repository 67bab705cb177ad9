//! The portal's pages through `router(state).oneshot(...)`: status, what each must show,
//! Vietnamese, hostile text escaped, the stable addresses, the stylesheet's caching.

use crate::support::*;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use motcua_http::router;
use tower::ServiceExt;

/// A page: status, content type and HTML.
pub(crate) async fn html(st: &motcua_http::AppState, uri: &str) -> (StatusCode, String, String) {
    let response = router(st.clone())
        .oneshot(Request::get(uri).body(Body::empty()).expect("request"))
        .await
        .expect("response");
    let status = response.status();
    let kind = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 22)
        .await
        .expect("body");
    (
        status,
        kind,
        String::from_utf8(bytes.to_vec()).expect("utf-8"),
    )
}

#[tokio::test]
async fn the_home_page_offers_search_lookup_agencies_and_procedures() {
    let st = state().await;
    let (s, kind, page) = html(&st, "/").await;
    assert_eq!(s, StatusCode::OK);
    assert!(kind.starts_with("text/html; charset=utf-8"), "{kind}");
    assert!(page.contains("<html lang=\"vi\">"));
    for want in [
        "Bỏ qua, đến nội dung chính",
        "action=\"/thu-tuc\"",
        "action=\"/tra-cuu\"",
        "Cấp tỉnh",
        "Cấp huyện",
        "Cấp xã",
        "UBND Phường 2",
        "Thủ tục đăng ký khai sinh",
        "Cách nộp hồ sơ",
        // How to reach the site's agency (Điều 18.1).
        "Đường dây nóng",
        "href=\"tel:029930000",
        "href=\"mailto:motcua@dichvucong.soctrang.gov.vn\"",
        "Giờ làm việc",
    ] {
        assert!(page.contains(want), "the home page lacks {want}");
    }
    // No script: every task works without JavaScript, and the policy forbids inline ones.
    assert!(!page.contains("<script"), "no script on the page");
}

#[tokio::test]
async fn the_catalogue_is_searched_without_diacritics_and_paginated() {
    let st = state().await;
    let (s, _, page) = html(&st, "/thu-tuc?q=dang+ky+khai+sinh").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Thủ tục đăng ký khai sinh"), "{page}");
    assert!(page.contains("Tìm thấy 1 thủ tục"), "{page}");
    assert!(!page.contains("Đăng ký thành lập hộ kinh doanh"));
    let (_, _, page) = html(&st, "/thu-tuc?q=khong+co+thu+tuc+nay").await;
    assert!(page.contains("Không tìm thấy thủ tục nào"), "{page}");
    // By agency: what it handles.
    let (_, _, page) = html(&st, "/thu-tuc?co-quan=000.31.12.H53").await;
    assert!(page.contains("Thủ tục đăng ký khai sinh"));
    assert!(!page.contains("Đăng ký thành lập hộ kinh doanh"));
    let (s, _, page) = html(&st, "/thu-tuc?co-quan=khong-co").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Không có cơ quan này"), "{page}");
    // On an agency's site, its own catalogue.
    let (_, _, page) = html(&st, "/t/000.31.12.H53/thu-tuc").await;
    assert!(
        page.contains("UBND Phường 2"),
        "the header names the site's agency"
    );
    assert!(!page.contains("Đăng ký thành lập hộ kinh doanh"));
}

#[tokio::test]
async fn the_catalogue_is_filtered_by_field_level_and_online_service() {
    let st = state().await;
    let (s, _, page) = html(&st, "/thu-tuc?linh-vuc=H%E1%BB%99+t%E1%BB%8Bch").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains("Thủ tục đăng ký khai sinh") && page.contains("1 thủ tục."),
        "{page}"
    );
    assert!(
        page.contains("<option value=\"Hộ tịch\" selected>"),
        "the choice is kept"
    );
    let (_, _, page) = html(&st, "/thu-tuc?cap=province").await;
    assert!(page.contains("Cấp giấy phép xây dựng") && page.contains("Lý lịch tư pháp"));
    assert!(!page.contains("Thủ tục đăng ký khai sinh"), "{page}");
    let (_, _, page) = html(&st, "/thu-tuc?muc-do=partial").await;
    assert!(
        page.contains("Cấp giấy phép xây dựng") && page.contains("2 thủ tục."),
        "{page}"
    );
    assert!(!page.contains("Thủ tục đăng ký khai sinh"));
    // Together, with the text: only what all of them allow.
    let (_, _, page) = html(&st, "/thu-tuc?q=giay&cap=province&muc-do=partial").await;
    assert!(page.contains("Tìm thấy 1 thủ tục"), "{page}");
    // Something not in the lists: said plainly, not a failure.
    let (s, _, page) = html(&st, "/thu-tuc?cap=hanh-tinh").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Lựa chọn không có trong danh sách"), "{page}");
}

#[tokio::test]
async fn a_procedure_page_shows_every_catalogue_field() {
    let st = state().await;
    let (s, _, page) = html(&st, "/thu-tuc/HKD-DK-THANH-LAP").await;
    assert_eq!(s, StatusCode::OK);
    for want in [
        "Đăng ký thành lập hộ kinh doanh",
        "Thành lập và hoạt động của hộ kinh doanh",
        "3 ngày làm việc",
        "Giấy đề nghị đăng ký hộ kinh doanh",
        "Bản chính",
        "Lệ phí đăng ký hộ kinh doanh: 100.000 đồng",
        "Nghị định 01/2021/NĐ-CP",
        "UBND thành phố Sóc Trăng",
        "Mức độ 4; dịch vụ công trực tuyến toàn trình",
        "Cán bộ tiếp nhận và trả kết quả",
        "Giấy chứng nhận đăng ký hộ kinh doanh",
    ] {
        assert!(page.contains(want), "the procedure page lacks {want}");
    }
    let (s, _, page) = html(&st, "/thu-tuc/KHONG-CO").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(
        page.contains("Không tìm thấy trang") && page.contains("Về trang chủ"),
        "{page}"
    );
}

#[tokio::test]
async fn the_lookup_page_answers_a_code_without_personal_data() {
    let st = state().await;
    let d = st
        .store
        .dossier("demo-ho-kinh-doanh")
        .await
        .expect("demo dossier");
    let code = d.code.clone().expect("coded").to_string();
    for uri in [format!("/tra-cuu/{code}"), format!("/tra-cuu?ma={code}")] {
        let (s, _, page) = html(&st, &uri).await;
        assert_eq!(s, StatusCode::OK, "{uri}");
        assert!(page.contains(&code));
        assert!(page.contains("Đăng ký thành lập hộ kinh doanh"));
        assert!(page.contains("Tình trạng"));
        assert!(!page.contains(&d.applicant.name), "no applicant's name");
        assert!(!page.contains(&d.applicant.email), "no email");
    }
    let (s, _, page) = html(&st, "/tra-cuu?ma=abc").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(page.contains("error-summary") && page.contains("aria-invalid=\"true\""));
    assert!(page.contains("Mã hồ sơ không đúng dạng"));
    let (s, _, page) = html(&st, "/tra-cuu/000.20.31.H53-261207-9999").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(page.contains("Không tìm thấy hồ sơ có mã này"));
    let (s, _, page) = html(&st, "/tra-cuu").await;
    assert_eq!(s, StatusCode::OK);
    assert!(!page.contains("error-summary"));
}

#[tokio::test]
async fn hostile_text_is_escaped() {
    let st = state().await;
    let (_, _, page) = html(&st, "/thu-tuc?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E").await;
    assert!(!page.contains("<script>alert(1)</script>"), "escaped");
    assert!(page.contains("&#60;script&#62;alert(1)"), "{page}");
    let (_, _, page) = html(&st, "/tra-cuu?ma=%22%3E%3Cimg%20src%3Dx%3E").await;
    assert!(!page.contains("\"><img src=x>"), "escaped in an attribute");
}

#[tokio::test]
async fn unknown_addresses_get_a_page_and_the_api_keeps_json() {
    let st = state().await;
    let (s, kind, page) = html(&st, "/khong-co-trang-nay").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(kind.starts_with("text/html"));
    assert!(page.contains("Về trang chủ"));
    let (s, v) = get_from(&st, "/api/v1/khong-co").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(v["code"], "not_found");
}

#[tokio::test]
async fn the_stylesheet_has_a_hashed_name_and_is_cached_for_a_year() {
    let st = state().await;
    let (_, _, page) = html(&st, "/").await;
    let start = page.find("/assets/site.").expect("stylesheet link");
    let path: String = page[start..].chars().take_while(|c| *c != '"').collect();
    assert!(path.ends_with(".css") && path.len() > "/assets/site..css".len());
    let response = router(st.clone())
        .oneshot(
            Request::get(path.as_str())
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("response");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap_or("")
            .starts_with("text/css")
    );
    // Pages carry the strict policy.
    let response = router(st.clone())
        .oneshot(Request::get("/").body(Body::empty()).expect("request"))
        .await
        .expect("response");
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap_or("");
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
}

/// A page request as a browser sends it: status, `Location`, the cookies set, the HTML.
pub(crate) async fn browse(
    st: &motcua_http::AppState,
    req: Request<Body>,
) -> (StatusCode, String, Vec<String>, String) {
    let response = router(st.clone()).oneshot(req).await.expect("response");
    let status = response.status();
    let header = |name: &str| {
        response
            .headers()
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    let location = header("location").pop().unwrap_or_default();
    let set: Vec<String> = header("set-cookie")
        .iter()
        .map(|v| v.split(';').next().unwrap_or("").to_string())
        .collect();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 22)
        .await
        .expect("body");
    (
        status,
        location,
        set,
        String::from_utf8_lossy(&bytes).to_string(),
    )
}

/// A form posted from a browser holding `cookies`.
pub(crate) async fn post_form(
    st: &motcua_http::AppState,
    uri: &str,
    cookies: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, String, Vec<String>, String) {
    let body: Vec<String> = fields
        .iter()
        .map(|(k, v)| format!("{k}={}", urlencode(v)))
        .collect();
    let req = Request::post(uri)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", cookies)
        .body(Body::from(body.join("&")))
        .expect("request");
    browse(st, req).await
}

fn urlencode(v: &str) -> String {
    v.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A page fetched by a browser holding `cookies`.
pub(crate) async fn get_with(
    st: &motcua_http::AppState,
    uri: &str,
    cookies: &str,
) -> (StatusCode, String, Vec<String>, String) {
    let req = Request::get(uri)
        .header("cookie", cookies)
        .body(Body::empty())
        .expect("request");
    browse(st, req).await
}

/// The value of the hidden `csrf` field of a page.
pub(crate) fn csrf_of(page: &str) -> String {
    let at = page.find("name=\"csrf\" value=\"").expect("a csrf field") + 19;
    page[at..].chars().take_while(|c| *c != '"').collect()
}

#[tokio::test]
async fn an_applicant_registers_edits_the_profile_and_logs_out_in_pages() {
    let st = state().await;
    // The form page gives the browser its form token, in a cookie and in the form.
    let (s, _, set, page) = get_with(&st, "/dang-ky", "").await;
    assert_eq!(s, StatusCode::OK);
    let form_cookie = set
        .iter()
        .find(|c| c.starts_with("motcua_form="))
        .cloned()
        .expect("a form cookie");
    let token = csrf_of(&page);
    assert_eq!(form_cookie, format!("motcua_form={token}"));
    // Without the token (a forged post): refused, nothing created.
    let fields = [
        ("name", "Lê Thị Hồng"),
        ("id", "le-thi-hong"),
        ("email", ""),
        ("phone", ""),
        ("password", "song-hau-phu-sa-42"),
    ];
    let (s, _, set, _) = post_form(&st, "/dang-ky", &form_cookie, &fields).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(set.iter().all(|c| !c.starts_with("motcua_session=")));
    assert!(
        st.store.user("le-thi-hong").await.is_err(),
        "nothing created"
    );
    // A weak password: the error beside the field, the name kept, the password not.
    let mut weak = fields.to_vec();
    weak.push(("csrf", &token));
    weak[4] = ("password", "12345678901");
    let (s, _, _, page) = post_form(&st, "/dang-ky", &form_cookie, &weak).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(
        page.contains("error-summary") && page.contains("href=\"#password\""),
        "{page}"
    );
    assert!(page.contains("value=\"Lê Thị Hồng\""));
    assert!(
        !page.contains("12345678901"),
        "the password is not sent back"
    );
    // Right: an account, a session, the profile.
    let mut good = fields.to_vec();
    good.push(("csrf", &token));
    let (s, location, set, _) = post_form(&st, "/dang-ky", &form_cookie, &good).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(location, "/tai-khoan?moi=1");
    let session = set
        .iter()
        .find(|c| c.starts_with("motcua_session="))
        .cloned()
        .expect("a session cookie");
    let (s, _, _, page) = get_with(&st, "/tai-khoan?moi=1", &session).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("le-thi-hong") && page.contains("Đã tạo tài khoản"));
    assert!(
        page.contains("Tài khoản (Lê Thị Hồng)"),
        "the header names the user"
    );
    // The profile's forms carry the session's token.
    let token = csrf_of(&page);
    let (s, _, _, page) = post_form(
        &st,
        "/tai-khoan",
        &session,
        &[
            ("csrf", &token),
            ("name", "Lê Thị Hồng"),
            ("email", "khong-hop-le"),
            ("phone", ""),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(page.contains("href=\"#email\"") && page.contains("aria-invalid=\"true\""));
    let (s, _, _, page) = post_form(
        &st,
        "/tai-khoan",
        &session,
        &[
            ("csrf", &token),
            ("name", "Lê Thị Hồng Nhung"),
            ("email", "hong@example.vn"),
            ("phone", "0912345678"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Đã lưu."));
    let (u, _) = st.store.user("le-thi-hong").await.expect("user");
    assert_eq!(u.name, "Lê Thị Hồng Nhung");
    assert_eq!(u.email.as_deref(), Some("hong@example.vn"));
    // Log out: the session ends.
    let (s, location, set, _) = post_form(&st, "/dang-xuat", &session, &[("csrf", &token)]).await;
    assert_eq!((s, location.as_str()), (StatusCode::SEE_OTHER, "/"));
    assert!(set.iter().any(|c| c == "motcua_session="), "{set:?}");
    let response = router(st.clone())
        .oneshot(
            Request::get("/tai-khoan")
                .header("cookie", &session)
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("response");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()["location"], "/dang-nhap?tiep=/tai-khoan");
}

#[tokio::test]
async fn logging_in_in_pages_follows_only_local_addresses_and_enforces_the_first_change() {
    let st = state().await;
    applicant(&st, "nguoi-nop", "Người Nộp").await;
    let (_, _, set, page) = get_with(&st, "/dang-nhap?tiep=//evil.example", "").await;
    let form_cookie = set[0].clone();
    let token = csrf_of(&page);
    assert!(
        page.contains("name=\"tiep\" value=\"/tai-khoan\""),
        "a foreign address is not kept"
    );
    let (s, _, _, page) = post_form(
        &st,
        "/dang-nhap",
        &form_cookie,
        &[
            ("csrf", &token),
            ("id", "nguoi-nop"),
            ("password", "sai-mat-khau-roi"),
            ("tiep", "/tra-cuu"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert!(page.contains("Tên đăng nhập hoặc mật khẩu không đúng"));
    let (s, location, _, _) = post_form(
        &st,
        "/dang-nhap",
        &form_cookie,
        &[
            ("csrf", &token),
            ("id", "nguoi-nop"),
            ("password", "mat-khau-dai-10"),
            ("tiep", "https://evil.example/"),
        ],
    )
    .await;
    assert_eq!(
        (s, location.as_str()),
        (StatusCode::SEE_OTHER, "/tai-khoan")
    );
    // A staff account with a one-time password goes to the password change first.
    let once = motcua_http::bootstrap::create_staff(
        &st.store,
        "000.20.31.H53",
        "can-bo.moi",
        "Cán bộ mới",
        "reception-officer",
    )
    .await
    .expect("staff");
    let (s, location, set, _) = post_form(
        &st,
        "/dang-nhap",
        &form_cookie,
        &[
            ("csrf", &token),
            ("id", "can-bo.moi"),
            ("password", &once),
            ("tiep", "/tra-cuu"),
        ],
    )
    .await;
    assert_eq!(
        (s, location.as_str()),
        (StatusCode::SEE_OTHER, "/doi-mat-khau")
    );
    let session = set
        .iter()
        .find(|c| c.starts_with("motcua_session="))
        .cloned()
        .expect("session");
    let (_, _, _, page) = get_with(&st, "/doi-mat-khau", &session).await;
    assert!(page.contains("lần đăng nhập đầu tiên"));
    let token = csrf_of(&page);
    let (s, location, _, _) = post_form(
        &st,
        "/doi-mat-khau",
        &session,
        &[
            ("csrf", &token),
            ("current", &once),
            ("new", "ben-ninh-kieu-17"),
        ],
    )
    .await;
    assert_eq!(
        (s, location.as_str()),
        (StatusCode::SEE_OTHER, "/dang-nhap?da-doi=1")
    );
    let (u, _) = st.store.user("can-bo.moi").await.expect("user");
    assert!(!u.must_change_password);
}

#[tokio::test]
async fn pages_are_compressed_for_browsers_that_ask() {
    let st = state().await;
    let response = router(st.clone())
        .oneshot(
            Request::get("/thu-tuc")
                .header("accept-encoding", "gzip")
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("response");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-encoding"], "gzip");
    let (_, _, plain) = html(&st, "/thu-tuc").await;
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 22)
        .await
        .expect("body");
    assert!(
        bytes.len() * 2 < plain.len(),
        "{} of {}",
        bytes.len(),
        plain.len()
    );
    assert_eq!(&bytes[..2], &[0x1f, 0x8b], "a gzip stream");
    let mut unpacked = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut unpacked)
        .expect("it decompresses");
    assert_eq!(unpacked, plain, "to the page itself");
    // A browser that refuses gzip gets the page as it is.
    let response = router(st.clone())
        .oneshot(
            Request::get("/thu-tuc")
                .header("accept-encoding", "gzip;q=0, identity")
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("response");
    assert!(response.headers().get("content-encoding").is_none());
}
