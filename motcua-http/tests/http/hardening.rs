//! The holes found by probing the server as an attacker would, one test each: every one
//! reproduces the attack and asserts the refusal (each passed, i.e. was accepted, before
//! the hardening).

use crate::support::*;
use axum::http::StatusCode;
use serde_json::{Value, json};

const DISTRICT: &str = "000.20.31.H53";
const DON: &str = "Giấy đề nghị đăng ký hộ kinh doanh";

fn submission(name: &str) -> Value {
    json!({ "procedure": "HKD-DK-THANH-LAP", "agency": DISTRICT,
            "applicant": { "name": name }, "components": [DON] })
}

async fn my_dossiers(st: &motcua_http::AppState, token: &str) -> usize {
    let (_, v) = call(st, "GET", "/api/v1/me/dossiers", Some(token), None).await;
    v["dossiers"].as_array().map_or(0, Vec::len)
}

/// 1. A 24 MB applicant name, a form with 100,000 keys and a 100,000-item component list
/// were each accepted; now each is refused before anything is stored, naming the field.
/// Every field at its limit is still accepted.
#[tokio::test]
async fn unbounded_fields_are_refused_before_anything_is_stored() {
    let st = state().await;
    let t = applicant(&st, "nguoi-nop-lon", "Người Nộp Lớn").await;

    // As JSON: a body over 2 MiB is refused whole.
    let mut huge = submission("x");
    huge["applicant"]["name"] = json!("A".repeat(24 * 1024 * 1024));
    let (s, v) = post_raw(&st, "/api/v1/dossiers", &t, huge.to_string().into_bytes()).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("too_large"))
    );

    // In a multipart `dossier` part (where files may make the request large), each field.
    let form: serde_json::Map<String, Value> = (0..100_000)
        .map(|i| (format!("truong-{i}"), json!("v")))
        .collect();
    let components: Vec<Value> = (0..100_000).map(|i| json!(format!("tp-{i}"))).collect();
    let cases = [
        ("applicant.name", "too_long", {
            let mut b = submission("x");
            b["applicant"]["name"] = json!("A".repeat(24 * 1024 * 1024));
            b
        }),
        ("form", "too_many_keys", {
            let mut b = submission("x");
            b["form"] = Value::Object(form);
            b
        }),
        ("components", "too_many_items", {
            let mut b = submission("x");
            b["components"] = Value::Array(components);
            b
        }),
    ];
    for (field, code, body) in cases {
        let (s, v) = multipart(&st, &t, "/api/v1/dossiers", ("dossier", body), &[]).await;
        assert_eq!(
            (s, v["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some(code)),
            "{field}"
        );
        let message = v["message"].as_str().unwrap_or_default();
        assert!(message.contains(field), "{field}: {message}");
    }
    assert_eq!(my_dossiers(&st, &t).await, 0, "nothing was stored");

    // At every limit of a submission: accepted. One character more: refused.
    let form: serde_json::Map<String, Value> = (0..100)
        .map(|i| (format!("truong-{i}"), json!("ư".repeat(2000))))
        .collect();
    let full = json!({
        "procedure": "HKD-DK-THANH-LAP", "agency": DISTRICT,
        "applicant": { "name": "Ạ".repeat(200), "id_number": "0".repeat(20),
                       "address": "Đ".repeat(500), "phone": "0".repeat(20),
                       "email": format!("{}@x.vn", "a".repeat(249)) },
        "form": form, "components": [DON] });
    let (s, v) = call(
        &st,
        "POST",
        "/api/v1/dossiers",
        Some(&t),
        Some(full.clone()),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    for (path, longer) in [
        ("applicant.name", json!("Ạ".repeat(201))),
        ("applicant.id_number", json!("0".repeat(21))),
        ("applicant.address", json!("Đ".repeat(501))),
        ("applicant.phone", json!("0".repeat(21))),
        (
            "applicant.email",
            json!(format!("{}@x.vn", "a".repeat(250))),
        ),
    ] {
        let mut b = full.clone();
        let field = path.trim_start_matches("applicant.");
        b["applicant"][field] = longer;
        let (s, v) = call(&st, "POST", "/api/v1/dossiers", Some(&t), Some(b)).await;
        assert_eq!(
            (s, v["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("too_long")),
            "{path}"
        );
        assert!(
            v["message"].as_str().unwrap_or_default().contains(path),
            "{v}"
        );
    }
    let mut b = full.clone();
    b["form"]["truong-0"] = json!("ư".repeat(2001));
    let (s, v) = call(&st, "POST", "/api/v1/dossiers", Some(&t), Some(b)).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("too_long"))
    );
    assert!(
        v["message"]
            .as_str()
            .unwrap_or_default()
            .contains("form.truong-0"),
        "{v}"
    );
    assert_eq!(my_dossiers(&st, &t).await, 1);

    // Feedback and engine commands are bounded the same way.
    let (s, v) = call(
        &st,
        "POST",
        "/api/v1/feedback",
        Some(&t),
        Some(json!({ "agency": DISTRICT, "subject": "Hỏi", "body": "ý".repeat(5001) })),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("too_long")),
        "{v}"
    );
    let (s, v) = call(
        &st,
        "POST",
        "/api/v1/feedback",
        Some(&t),
        Some(json!({ "agency": DISTRICT, "subject": "Hỏi", "body": "ý".repeat(5000) })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
}

/// 2. Five wrong passwords from any address locked any account for 15 minutes, even for its
/// owner elsewhere. Now the stranger is held back and the owner is not; the counters are in
/// the database (another server state on it sees them), and staff logins are audited.
#[tokio::test]
async fn a_stranger_cannot_lock_out_the_owner() {
    let st = state().await;
    staff(&st, "ke-toan.tp", DISTRICT, "specialist").await;
    let admin = staff(&st, "quan-tri.tp", DISTRICT, "agency-admin").await;
    let attacker = "198.51.100.66";
    let owner = "203.0.113.10";
    let try_login = |ip: &'static str, password: &'static str| {
        let st = st.clone();
        async move {
            call_from(
                &st,
                ip,
                "POST",
                "/api/v1/sessions",
                None,
                Some(json!({ "id": "ke-toan.tp", "password": password })),
            )
            .await
        }
    };
    for i in 0..5 {
        let (s, _) = try_login(attacker, "doan-mo-mat-khau").await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    for _ in 0..3 {
        let (s, v) = try_login(attacker, "doan-mo-mat-khau").await;
        assert_eq!(
            (s, v["code"].as_str()),
            (StatusCode::TOO_MANY_REQUESTS, Some("too_many_attempts"))
        );
    }
    // Even with the right password, that address waits: the guesser learns nothing.
    let (s, _) = try_login(attacker, "mat-khau-can-bo").await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    // The owner, from an address that has not been failing, logs in.
    let (s, v) = try_login(owner, "mat-khau-can-bo").await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    // Another server on the same database holds the attacker back too.
    let other = motcua_http::AppState::load(st.store.clone(), st.calendar.clone())
        .await
        .expect("second server");
    let (s, _) = call_from(
        &other,
        attacker,
        "POST",
        "/api/v1/sessions",
        None,
        Some(json!({ "id": "ke-toan.tp", "password": "doan-mo-mat-khau" })),
    )
    .await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    // The administrator sees who tried, when and from where.
    let (s, v) = call(
        &st,
        "GET",
        &format!("/api/v1/agencies/{DISTRICT}/audit"),
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let entries = v["entries"].as_array().expect("entries");
    let of = |action: &str, ip: &str| {
        entries
            .iter()
            .filter(|e| e["account"] == "ke-toan.tp" && e["action"] == action && e["address"] == ip)
            .count()
    };
    assert_eq!(of("login_failed", attacker), 5);
    assert_eq!(of("login_succeeded", owner), 1);
    // Not for someone who does not administer the agency.
    let clerk = staff(&st, "van-thu-2.tp", DISTRICT, "clerk").await;
    let (s, _) = call(
        &st,
        "GET",
        &format!("/api/v1/agencies/{DISTRICT}/audit"),
        Some(&clerk),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

/// 3. Weak passwords were accepted and 100 registrations from one address took 3 s.
#[tokio::test]
async fn weak_passwords_and_mass_registration_are_refused() {
    let st = state().await;
    let register = |ip: String, id: String, name: &'static str, password: &'static str| {
        let st = st.clone();
        async move {
            call_from(
                &st,
                &ip,
                "POST",
                "/api/v1/accounts",
                None,
                Some(json!({ "id": id, "name": name, "password": password })),
            )
            .await
        }
    };
    let weak = [
        ("tranthimai", "aaaaaaaaaa"),
        ("tranthimai", "1234567890"),
        ("tranthimai", "password123"),
        ("tranthimai", "tranthimai"),
        ("tranthimai", "          "),
        ("tranthimai", "\0\0\0\0\0\0\0\0\0\0"),
        // Containing the person's name, even without diacritics.
        ("mai-tran", "TranThiMai-1990"),
    ];
    for (i, (id, password)) in weak.into_iter().enumerate() {
        let (s, v) = register(
            format!("192.0.2.{}", 10 + i),
            id.into(),
            "Trần Thị Mai",
            password,
        )
        .await;
        assert_eq!(
            (s, v["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("weak_password")),
            "{password:?}"
        );
        assert!(
            v["message"]
                .as_str()
                .unwrap_or_default()
                .contains("10 ký tự"),
            "{v}"
        );
    }
    for i in 0..10 {
        let (s, v) = register(
            "192.0.2.50".into(),
            format!("hang-loat-{i}"),
            "Người Thử",
            "hoa-sen-no-muon-7",
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{i}: {v}");
    }
    let (s, v) = register(
        "192.0.2.50".into(),
        "hang-loat-10".into(),
        "Người Thử",
        "hoa-sen-no-muon-7",
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (
            StatusCode::TOO_MANY_REQUESTS,
            Some("too_many_registrations")
        )
    );
    let (s, _) = register(
        "192.0.2.51".into(),
        "nguoi-khac".into(),
        "Người Khác",
        "hoa-sen-no-muon-7",
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "another address registers");
}

/// 4. An agency administrator gave `agency-admin` at its own agency to another agency's
/// specialist and to the province's system administrator. Now roles are granted only to
/// the agency's own accounts; a system administrator moves accounts between agencies; every
/// grant is audited with who made it.
#[tokio::test]
async fn roles_stay_in_their_agency() {
    let st = state().await;
    let admin = staff(&st, "quan-tri.tp", DISTRICT, "agency-admin").await;
    staff(&st, "chuyen-vien-2.sxd", "000.00.04.H53", "specialist").await;
    let system = staff(&st, "quan-tri-2.he-thong", "000.00.00.H53", "system-admin").await;
    staff(&st, "chuyen-vien-2.tp", DISTRICT, "specialist").await;
    let grant = |who: &'static str, token: String| {
        let st = st.clone();
        async move {
            call(
                &st,
                "PUT",
                &format!("/api/v1/agencies/{DISTRICT}/users/{who}/roles"),
                Some(&token),
                Some(json!({ "roles": ["agency-admin"] })),
            )
            .await
        }
    };
    for outsider in ["chuyen-vien-2.sxd", "quan-tri-2.he-thong"] {
        let (s, v) = grant(outsider, admin.clone()).await;
        assert_eq!(
            (s, v["code"].as_str()),
            (StatusCode::FORBIDDEN, Some("account_of_another_agency")),
            "{outsider}"
        );
    }
    let (s, v) = grant("chuyen-vien-2.tp", admin.clone()).await;
    assert_eq!(s, StatusCode::OK, "the agency's own staff: {v}");
    // Nor may the agency administrator reset another agency's account.
    let (s, _) = call(
        &st,
        "POST",
        "/api/v1/agencies/000.00.04.H53/users/chuyen-vien-2.sxd/password-reset",
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // Only a system administrator moves an account; then the district may grant it roles.
    let (s, _) = call(
        &st,
        "PUT",
        "/api/v1/users/chuyen-vien-2.sxd/agency",
        Some(&admin),
        Some(json!({ "agency": DISTRICT })),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = call(
        &st,
        "PUT",
        "/api/v1/users/chuyen-vien-2.sxd/agency",
        Some(&system),
        Some(json!({ "agency": DISTRICT })),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = grant("chuyen-vien-2.sxd", admin.clone()).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, v) = call(
        &st,
        "GET",
        &format!("/api/v1/agencies/{DISTRICT}/audit"),
        Some(&admin),
        None,
    )
    .await;
    let entries = v["entries"].as_array().expect("entries");
    let granted: Vec<(&str, &str)> = entries
        .iter()
        .filter(|e| {
            e["action"] == "role_granted" && e["detail"] == "agency-admin" && e["actor"] != "test"
        })
        .map(|e| {
            (
                e["account"].as_str().unwrap_or(""),
                e["actor"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        granted,
        [
            ("chuyen-vien-2.sxd", "quan-tri.tp"),
            ("chuyen-vien-2.tp", "quan-tri.tp")
        ]
    );
    assert!(entries.iter().any(|e| e["action"] == "account_moved"
        && e["account"] == "chuyen-vien-2.sxd"
        && e["actor"] == "quan-tri-2.he-thong"));
}

/// 5. `q=%%` or `q=__` matched every dossier in scope.
#[tokio::test]
async fn search_wildcards_match_literally() {
    let st = state().await;
    let desk = staff(&st, "tim-kiem.tp", DISTRICT, "reception-officer").await;
    let (s, v) = call(&st, "GET", "/api/v1/search?q=nguyen", Some(&desk), None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    for q in ["%25%25", "__", "%25_", "%5C%5C"] {
        let (s, v) = call(
            &st,
            "GET",
            &format!("/api/v1/search?q={q}"),
            Some(&desk),
            None,
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{q}: {v}");
        assert_eq!(
            v["dossiers"].as_array().map(Vec::len),
            Some(0),
            "{q} matches nothing: {v}"
        );
    }
    let (s, v) = call(&st, "GET", "/api/v1/search?q=%20a%20", Some(&desk), None).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_query"))
    );
}

/// 6. An HTML file uploaded as `image/png` was stored and served back as `application/pdf`
/// without `Content-Disposition` or `nosniff`; a part for a component the procedure does
/// not have was accepted. Now types come from the content, names are cleaned, and downloads
/// say what they are.
#[tokio::test]
async fn files_are_what_they_claim() {
    let st = state().await;
    let t = applicant(&st, "nop-anh", "Người Nộp Ảnh").await;
    let part = format!("component:{DON}");
    let html = b"<html><script>alert(document.cookie)</script></html>";
    let refusals: [(&str, &str, &[u8], &str); 3] = [
        (part.as_str(), "image/png", html, "unsupported_type"),
        (
            part.as_str(),
            "image/png",
            b"%PDF-1.7 a pdf",
            "type_mismatch",
        ),
        (
            "component:Đơn xin việc",
            "application/pdf",
            b"%PDF-1.7 a pdf",
            "unknown_component",
        ),
    ];
    for (name, declared, bytes, code) in refusals {
        let (s, v) = multipart(
            &st,
            &t,
            "/api/v1/dossiers",
            ("dossier", submission("Người Nộp Ảnh")),
            &[(name, "anh.png", declared, bytes)],
        )
        .await;
        assert_eq!(v["code"].as_str(), Some(code), "{code}: {s} {v}");
        assert!(s.is_client_error());
    }
    assert_eq!(my_dossiers(&st, &t).await, 0);

    // A phone photo (JPEG) with a name built to mislead: accepted, the name cleaned.
    let photo = [&[0xFF, 0xD8, 0xFF, 0xE0][..], b"anh chup giay de nghi"].concat();
    let (s, v) = multipart(
        &st,
        &t,
        "/api/v1/dossiers",
        ("dossier", submission("Người Nộp Ảnh")),
        &[(part.as_str(), "../ảnh\u{202E}gpj.exe", "image/jpeg", &photo)],
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let id = v["id"].as_str().expect("id").to_string();
    let (_, v) = call(
        &st,
        "GET",
        &format!("/api/v1/dossiers/{id}"),
        Some(&t),
        None,
    )
    .await;
    let file = &v["dossier"]["files"][0]["attachment"];
    assert_eq!(file["name"], "_ảnhgpj.exe".trim_start_matches('.'));
    let sha = file["sha256"].as_str().expect("sha").to_string();
    let uri = format!("/api/v1/dossiers/{id}/attachments/{sha}");
    let (s, h, bytes) = fetch(&st, &uri, &t).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(bytes, photo);
    assert_eq!(h["content-type"], "image/jpeg");
    assert_eq!(h["x-content-type-options"], "nosniff");
    let disposition = h["content-disposition"].to_str().expect("ascii");
    assert!(
        disposition.starts_with("attachment; filename=\"_anhgpj.exe\""),
        "{disposition}"
    );
    let (_, h, _) = fetch(&st, &format!("{uri}?inline=1"), &t).await;
    assert!(
        h["content-disposition"]
            .to_str()
            .expect("ascii")
            .starts_with("inline;")
    );
    assert_eq!(h["content-security-policy"], "sandbox");
    // Too many files, or one too large, are refused too.
    let many: Vec<(&str, &str, &str, &[u8])> = (0..21)
        .map(|_| (part.as_str(), "a.pdf", "application/pdf", &b"%PDF-1.7"[..]))
        .collect();
    let (s, v) = multipart(
        &st,
        &t,
        "/api/v1/dossiers",
        ("dossier", submission("X")),
        &many,
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("too_many_files"))
    );
    let big = [b"%PDF-1.7 ".as_slice(), &vec![b'x'; 10 * 1024 * 1024]].concat();
    let (s, v) = multipart(
        &st,
        &t,
        "/api/v1/dossiers",
        ("dossier", submission("X")),
        &[(part.as_str(), "big.pdf", "application/pdf", &big)],
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("file_too_large"))
    );
    assert_eq!(my_dossiers(&st, &t).await, 1);
}

/// Every answer carries the basic security headers.
#[tokio::test]
async fn every_answer_says_do_not_sniff_and_keep_the_referrer() {
    let st = state().await;
    let t = applicant(&st, "xem-dau", "Người Xem").await;
    for uri in [
        "/healthz",
        "/api/v1/procedures",
        "/api/v1/khong-co",
        "/api/v1/me",
    ] {
        let (_, h, _) = fetch(&st, uri, &t).await;
        assert_eq!(h["x-content-type-options"], "nosniff", "{uri}");
        assert_eq!(h["referrer-policy"], "same-origin", "{uri}");
        assert!(h.get("strict-transport-security").is_none());
    }
    let mut tls = st.clone();
    tls.behind_tls = true;
    let (_, h, _) = fetch(&tls, "/healthz", &t).await;
    assert!(h.contains_key("strict-transport-security"));
}

/// With every field bounded, one account could still fill the disk by volume (about 160
/// largest submissions a second, 800 KiB each, on this machine): online submissions are
/// limited per applicant account. Staff registering desk dossiers are not.
#[tokio::test]
async fn one_account_cannot_flood_online_submissions() {
    let st = state().await;
    let t = applicant(&st, "nop-nhieu", "Người Nộp Nhiều").await;
    for i in 0..20 {
        let (s, v) = call(
            &st,
            "POST",
            "/api/v1/dossiers",
            Some(&t),
            Some(submission("Người Nộp Nhiều")),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{i}: {v}");
    }
    let (s, v) = call(
        &st,
        "POST",
        "/api/v1/dossiers",
        Some(&t),
        Some(submission("Người Nộp Nhiều")),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("too_many_submissions"))
    );
    assert_eq!(my_dossiers(&st, &t).await, 20);
    let desk = staff(&st, "mot-cua-2.tp", DISTRICT, "reception-officer").await;
    for _ in 0..25 {
        let mut b = submission("Người Nộp Tại Quầy");
        b["channel"] = json!("direct");
        let (s, v) = call(&st, "POST", "/api/v1/dossiers", Some(&desk), Some(b)).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
    }
}
