//! Tenants, oversight of agencies below, staff administration.

use crate::support::*;
use axum::http::StatusCode;
use serde_json::Value;

/// Tenants: the agency comes from the host name when it is an agency's, else from the
/// `/t/{agency}` prefix; the catalogue, submission and queue follow it.
#[tokio::test]
async fn tenants_by_host_name_and_by_path() {
    use serde_json::json;
    let st = state().await;
    let host = |h: &'static str| [("host", h)];
    let (s, _, v) = send(
        &st,
        "GET",
        "/api/v1/tenant",
        &host("motcua.tpsoctrang.soctrang.gov.vn"),
        None,
    )
    .await;
    assert_eq!(
        (s, v["agency"]["id"].as_str()),
        (StatusCode::OK, Some("000.20.31.H53"))
    );
    // Case and port do not matter.
    let (_, _, v) = send(
        &st,
        "GET",
        "/api/v1/tenant",
        &host("Phuong2.TPSocTrang.soctrang.gov.vn:8080"),
        None,
    )
    .await;
    assert_eq!(v["agency"]["id"], "000.31.12.H53");
    // An unknown host: no tenant, unless the path names one.
    let (s, _, v) = send(&st, "GET", "/api/v1/tenant", &host("localhost:8080"), None).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("no_tenant"))
    );
    let (s, _, v) = send(
        &st,
        "GET",
        "/t/000.00.04.H53/api/v1/tenant",
        &host("localhost"),
        None,
    )
    .await;
    assert_eq!(
        (s, v["agency"]["id"].as_str()),
        (StatusCode::OK, Some("000.00.04.H53"))
    );
    let (s, _, v) = send(&st, "GET", "/t/000.99.99.H53/api/v1/tenant", &[], None).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("unknown_tenant"))
    );
    let (s, _, v) = send(
        &st,
        "GET",
        "/t/000.00.04.H53/api/v1/tenant",
        &host("phuong2.tpsoctrang.soctrang.gov.vn"),
        None,
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("tenant_mismatch"))
    );

    // The catalogue of a commune's site lists the commune procedures; query strings survive
    // the prefix.
    let codes = |v: &Value| -> Vec<String> {
        v["procedures"]
            .as_array()
            .expect("list")
            .iter()
            .map(|p| p["code"].as_str().expect("code").to_string())
            .collect()
    };
    let (_, _, v) = send(
        &st,
        "GET",
        "/api/v1/procedures",
        &host("phuong2.tpsoctrang.soctrang.gov.vn"),
        None,
    )
    .await;
    assert_eq!(codes(&v), vec!["1.001193"]);
    let (_, _, v) = send(
        &st,
        "GET",
        "/t/000.20.31.H53/api/v1/procedures?q=ho%20kinh%20doanh",
        &[],
        None,
    )
    .await;
    assert_eq!(codes(&v), vec!["HKD-DK-THANH-LAP"]);
    let (_, _, v) = send(
        &st,
        "GET",
        "/api/v1/procedures?service_level=full",
        &[],
        None,
    )
    .await;
    assert!(!codes(&v).is_empty());
    let (s, _, v) = send(&st, "GET", "/api/v1/procedures?service_level=7", &[], None).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_service_level"))
    );

    // Submitting on a site without naming the agency files it there.
    call(
        &st,
        "POST",
        "/api/v1/accounts",
        None,
        Some(
            json!({ "id": "dan-phuong-2", "name": "Dân phường 2", "password": "mat-khau-dai-10" }),
        ),
    )
    .await;
    let token = login(&st, "dan-phuong-2", "mat-khau-dai-10").await;
    let bearer = format!("Bearer {token}");
    let body = json!({ "procedure": "1.001193", "applicant": { "name": "Lê Văn Dũng" },
                       "components": ["Tờ khai đăng ký khai sinh", "Giấy chứng sinh"],
                       "form": { "ten_tre": "Lê Gia Huy", "ngay_sinh": "01/12/2026" } });
    let (s, _, v) = send(
        &st,
        "POST",
        "/api/v1/dossiers",
        &[("authorization", &bearer)],
        Some(body.clone()),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("missing_agency"))
    );
    let (s, _, v) = send(
        &st,
        "POST",
        "/api/v1/dossiers",
        &[
            ("authorization", &bearer),
            ("host", "phuong2.tpsoctrang.soctrang.gov.vn"),
        ],
        Some(body),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let id = v["id"].as_str().expect("id");
    let (_, v) = call(
        &st,
        "GET",
        &format!("/api/v1/dossiers/{id}"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(v["dossier"]["agency"], "000.31.12.H53");
}

/// Oversight: a supervisor held at the province reads the dossiers, queues and reports of
/// the agencies below but cannot act on them; staff of one agency see nothing of another.
#[tokio::test]
async fn oversight_reaches_agencies_below_read_only() {
    use serde_json::json;
    let st = state().await;
    let supervisor = staff(&st, "giam-sat.test", "000.00.00.H53", "supervisor").await;
    let district_desk = staff(&st, "mot-cua.test", "000.20.31.H53", "reception-officer").await;
    let commune_desk = staff(&st, "mot-cua-p2.test", "000.31.12.H53", "reception-officer").await;
    let department = staff(&st, "chuyen-vien-sxd.test", "000.00.04.H53", "specialist").await;
    let owner = applicant(&st, "nguoi-nop-gs", "Người nộp").await;
    let (_, v) = call(&st, "POST", "/api/v1/dossiers", Some(&owner), Some(json!({
        "procedure": "HKD-DK-THANH-LAP", "agency": "000.20.31.H53", "applicant": { "name": "Chủ hộ" },
        "components": ["Giấy đề nghị đăng ký hộ kinh doanh"] }))).await;
    let id = v["id"].as_str().expect("id").to_string();
    let read = format!("/api/v1/dossiers/{id}");

    // Reads: the supervisor (province, above) yes; the commune (below) and a department
    // (a sibling) no.
    assert_eq!(
        call(&st, "GET", &read, Some(&supervisor), None).await.0,
        StatusCode::OK
    );
    assert_eq!(
        call(&st, "GET", &read, Some(&commune_desk), None).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        call(&st, "GET", &read, Some(&department), None).await.0,
        StatusCode::NOT_FOUND
    );
    let (s, v) = call(
        &st,
        "GET",
        "/api/v1/queue?agency=000.20.31.H53",
        Some(&supervisor),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    // Waiting for acceptance, it is in the reception officers' queue, due at the end of its
    // intake time.
    let queued = v["dossiers"]
        .as_array()
        .expect("queue")
        .iter()
        .find(|d| d["id"] == id.as_str())
        .expect("in the queue")
        .clone();
    assert_eq!(queued["step_role"], "reception-officer");
    let (_, full) = call(&st, "GET", &read, Some(&owner), None).await;
    assert_eq!(
        queued["due"]
            .as_str()
            .map(|t| t.parse::<chrono::DateTime<chrono::Utc>>().expect("instant")),
        full["dossier"]["intake_due"]
            .as_str()
            .map(|t| t.parse::<chrono::DateTime<chrono::Utc>>().expect("instant"))
    );
    assert_eq!(
        call(
            &st,
            "GET",
            "/api/v1/queue?agency=000.20.31.H53",
            Some(&commune_desk),
            None
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    let stats = "/api/v1/reports/statistics?agency=000.20.31.H53&from=2026-01-01&to=2026-12-31";
    assert_eq!(
        call(&st, "GET", stats, Some(&supervisor), None).await.0,
        StatusCode::OK
    );
    assert_eq!(
        call(&st, "GET", stats, Some(&commune_desk), None).await.0,
        StatusCode::FORBIDDEN
    );

    // Acting stays with the agency's own staff.
    let (s, v) = command(&st, &supervisor, &id, json!({ "command": "accept" })).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden")),
        "{v}"
    );
    let (_, v) = call(&st, "GET", &read, Some(&owner), None).await;
    assert_eq!(v["dossier"]["state"], "submitted");
    let (s, v) = command(&st, &district_desk, &id, json!({ "command": "accept" })).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // The desk's queue by step: now at the first step of the workflow.
    for (step, present) in [("tiep-nhan", true), ("phan-cong", false)] {
        let (_, v) = call(
            &st,
            "GET",
            &format!("/api/v1/queue?step={step}"),
            Some(&district_desk),
            None,
        )
        .await;
        let found = v["dossiers"]
            .as_array()
            .expect("queue")
            .iter()
            .any(|d| d["id"] == id.as_str());
        assert_eq!(found, present, "{step}");
    }
}

/// Administrators manage the staff of their own agency (a system administrator, those of
/// every agency below theirs): create with a one-time password, set roles, reset passwords.
#[tokio::test]
async fn administrators_manage_their_agency_staff() {
    use serde_json::json;
    let st = state().await;
    let admin = staff(&st, "quan-tri.sxd.test", "000.00.04.H53", "agency-admin").await;
    let system = staff(
        &st,
        "quan-tri.he-thong.test",
        "000.00.00.H53",
        "system-admin",
    )
    .await;
    let specialist = staff(&st, "chuyen-vien.sxd.test", "000.00.04.H53", "specialist").await;
    let users = "/api/v1/agencies/000.00.04.H53/users";
    let new =
        json!({ "id": "can-bo-moi.sxd", "name": "Cán bộ mới", "roles": ["specialist", "clerk"] });

    // Not an administrator, or another agency's: refused.
    assert_eq!(
        call(&st, "POST", users, Some(&specialist), Some(new.clone()))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        call(
            &st,
            "GET",
            "/api/v1/agencies/000.20.31.H53/users",
            Some(&admin),
            None
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        call(
            &st,
            "GET",
            "/api/v1/agencies/000.99.99.H53/users",
            Some(&admin),
            None
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    // Bad roles, and system-admin from an agency administrator: refused.
    let (s, v) = call(
        &st,
        "POST",
        users,
        Some(&admin),
        Some(json!({ "id": "x.sxd", "name": "X", "roles": ["captain"] })),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("unknown_role"))
    );
    let (s, _) = call(
        &st,
        "POST",
        users,
        Some(&admin),
        Some(json!({ "id": "x.sxd", "name": "X", "roles": ["system-admin"] })),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // Created with a one-time password that must be changed at first login.
    let (s, v) = call(&st, "POST", users, Some(&admin), Some(new.clone())).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let otp = v["one_time_password"]
        .as_str()
        .expect("password")
        .to_string();
    assert_eq!(
        call(&st, "POST", users, Some(&admin), Some(new)).await.0,
        StatusCode::CONFLICT
    );
    let fresh = login(&st, "can-bo-moi.sxd", &otp).await;
    let (s, v) = call(&st, "GET", "/api/v1/queue", Some(&fresh), None).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("password_change_required"))
    );
    let (_, v) = call(&st, "GET", users, Some(&admin), None).await;
    let listed = v["users"]
        .as_array()
        .expect("users")
        .iter()
        .find(|u| u["id"] == "can-bo-moi.sxd")
        .expect("listed")
        .clone();
    assert_eq!(listed["roles"], json!(["clerk", "specialist"]));

    // Roles replaced; then the system administrator (province, above) resets the password,
    // which ends the session.
    let roles = "/api/v1/agencies/000.00.04.H53/users/can-bo-moi.sxd/roles";
    let (s, v) = call(
        &st,
        "PUT",
        roles,
        Some(&admin),
        Some(json!({ "roles": ["department-head"] })),
    )
    .await;
    assert_eq!(
        (s, v["roles"].clone()),
        (StatusCode::OK, json!(["department-head"]))
    );
    let reset = "/api/v1/agencies/000.00.04.H53/users/can-bo-moi.sxd/password-reset";
    assert_eq!(
        call(&st, "POST", reset, Some(&specialist), None).await.0,
        StatusCode::FORBIDDEN
    );
    let (s, v) = call(&st, "POST", reset, Some(&system), None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        call(&st, "GET", "/api/v1/me", Some(&fresh), None).await.0,
        StatusCode::UNAUTHORIZED
    );
    let again = v["one_time_password"].as_str().expect("password");
    assert_ne!(again, otp);
    login(&st, "can-bo-moi.sxd", again).await;
    // Nor someone who also holds roles elsewhere (that would hand over those roles too).
    st.store
        .set_roles(
            "quan-tri.he-thong.test",
            "000.00.04.H53",
            &["specialist".into()],
            "test",
            chrono::Utc::now(),
        )
        .await
        .expect("role at the department");
    let wider = "/api/v1/agencies/000.00.04.H53/users/quan-tri.he-thong.test/password-reset";
    assert_eq!(
        call(&st, "POST", wider, Some(&admin), None).await.0,
        StatusCode::FORBIDDEN
    );
    st.store
        .set_roles(
            "quan-tri.he-thong.test",
            "000.00.04.H53",
            &[],
            "test",
            chrono::Utc::now(),
        )
        .await
        .expect("role removed");
    // An administrator cannot reset someone who does not work at the agency.
    let outside = "/api/v1/agencies/000.00.04.H53/users/quan-tri.he-thong.test/password-reset";
    assert_eq!(
        call(&st, "POST", outside, Some(&admin), None).await.0,
        StatusCode::NOT_FOUND
    );
}
