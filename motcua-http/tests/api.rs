//! The public API through `router(state).oneshot(...)`, on a real SQLite database seeded
//! with the demo; and one request over a real socket.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use motcua_http::{AppState, router};
use serde_json::Value;
use std::sync::Arc;
use support::*;
use tower::ServiceExt;

async fn get(uri: &str) -> (StatusCode, Value) {
    get_from(&state().await, uri).await
}

#[tokio::test]
async fn health_and_readiness() {
    assert_eq!(
        get("/healthz").await,
        (StatusCode::OK, Value::String("ok".into()))
    );
    assert_eq!(
        get("/readyz").await,
        (StatusCode::OK, Value::String("ready".into()))
    );
}

#[tokio::test]
async fn catalogue() {
    let st = state().await;
    let get = |uri: &'static str| get_from(&st, uri);
    let (s, v) = get("/api/v1/agencies?level=district").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["agencies"].as_array().expect("list").len(), 2);
    let (s, v) = get("/api/v1/agencies?level=planet").await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_level"))
    );
    // Search ignores diacritics and case.
    let (_, v) = get("/api/v1/procedures?q=GIAY%20PHEP%20xay").await;
    let codes: Vec<&str> = v["procedures"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|p| p["code"].as_str())
        .collect();
    assert_eq!(codes, ["XD-GPXD-MOI"]);
    let (_, v) = get("/api/v1/procedures?level=commune").await;
    assert_eq!(v["procedures"][0]["code"], "1.001193");
    let (_, v) = get("/api/v1/procedures").await;
    assert_eq!(v["procedures"].as_array().expect("list").len(), 5);
    let (s, v) = get("/api/v1/procedures/1.001193").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["catalogue"]["name"], "Thủ tục đăng ký khai sinh");
    assert_eq!(v["components"].as_array().expect("components").len(), 2);
    assert_eq!(v["steps"][1]["role"], "agency-leader");
    assert_eq!(
        get("/api/v1/procedures/9.999999").await.0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn public_lookup_shows_status_and_no_personal_data() {
    let st = state().await;
    let get = |uri: &'static str| get_from(&st, uri);
    let (s, v) = get("/api/v1/lookup/000.00.04.H53-260302-0001").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["national_status"], 10);
    assert_eq!(v["returned"], "late");
    let text = v.to_string();
    assert!(
        !text.contains("Mekong") && !text.contains("2200123456"),
        "no applicant data: {text}"
    );
    let (s, v) = get("/api/v1/lookup/000.20.31.H53-260420-0001").await;
    assert_eq!((s, v["state"].as_str()), (StatusCode::OK, Some("returned")));
    let (s, v) = get("/api/v1/lookup/not-a-code").await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_code"))
    );
    let (s, v) = get("/api/v1/lookup/000.00.04.H53-260302-0099").await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
}

#[tokio::test]
async fn calendar_and_deadlines() {
    let st = state().await;
    let get = |uri: &'static str| get_from(&st, uri);
    let (s, v) = get("/api/v1/calendar/2026").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["status"]["status"], "confirmed");
    assert_eq!(v["working_days"][0]["date"], "2026-08-22");
    let (_, v) = get("/api/v1/calendar/2027").await;
    assert_eq!(v["status"]["status"], "proposed");
    for (uri, code) in [
        ("/api/v1/calendar/2500", "year_out_of_range"),
        ("/api/v1/calendar/abc", "invalid_year"),
        (
            "/api/v1/deadline?from=2026-02-13T16:00:00%2B07:00&add=8xx",
            "invalid_duration",
        ),
        ("/api/v1/deadline?from=yesterday&add=8wh", "invalid_instant"),
        ("/api/v1/deadline?add=8wh", "invalid_query"),
        (
            "/api/v1/deadline?from=2026-02-13T16:00:00%2B07:00&add=8wh&cutoff=3pm",
            "invalid_cutoff",
        ),
    ] {
        let (s, v) = get(uri).await;
        assert_eq!(
            (s, v["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some(code)),
            "{uri}"
        );
        assert!(v["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    let (s, v) = get("/api/v1/deadline?from=2026-02-13T16:00:00%2B07:00&add=8wh").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["due"], "2026-02-23T16:00:00+07:00");
    let (_, v) =
        get("/api/v1/deadline?from=2026-03-02T15:30:00%2B07:00&add=1wh&cutoff=15:00").await;
    assert_eq!(
        (v["counting_start"].as_str(), v["due"].as_str()),
        (
            Some("2026-03-03T07:00:00+07:00"),
            Some("2026-03-03T08:00:00+07:00")
        )
    );
}

#[tokio::test]
async fn unknown_paths_get_a_json_404() {
    let (s, v) = get("/api/v1/nothing-here").await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
}

/// Every path in the OpenAPI document is routed (not the fallback) and every routed path
/// is in the document.
#[tokio::test]
async fn the_openapi_document_describes_exactly_the_routes() {
    let st = state().await;
    let (s, doc) = get_from(&st, "/api/v1/openapi.json").await;
    assert_eq!(s, StatusCode::OK);
    let mut paths: Vec<String> = doc["paths"]
        .as_object()
        .expect("paths")
        .keys()
        .cloned()
        .collect();
    paths.sort();
    let mut routed = motcua_http::route_paths();
    routed.sort();
    assert_eq!(paths, routed);
    for p in paths {
        let uri = p
            .replace("{year}", "2026")
            .replace("{code}", "x")
            .replace("{id}", "x")
            .replace("{sha256}", "x")
            .replace("{agency}", "000.20.31.H53")
            .replace("{user}", "x");
        let ops = doc["paths"][&p].as_object().expect("operations").clone();
        for method in ops.keys() {
            let (s, v) = call(&st, &method.to_uppercase(), &uri, None, None).await;
            assert!(
                !(s == StatusCode::NOT_FOUND && v["message"] == "Không có địa chỉ này."),
                "{method} {p} is not routed"
            );
            assert_ne!(s, StatusCode::METHOD_NOT_ALLOWED, "{method} {p}");
        }
    }
}

#[tokio::test]
async fn a_real_socket() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let server = tokio::spawn(motcua_http::serve(listener, state().await));
    let mut conn = tokio::net::TcpStream::connect(addr).await.expect("connect");
    conn.write_all(b"GET /api/v1/lookup/000.31.12.H53-260303-0001 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .expect("write");
    let mut response = String::new();
    conn.read_to_string(&mut response).await.expect("read");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("\"national_status\":10"), "{response}");
    server.abort();
}

/// An applicant registers and submits online; staff of the district accept it and move it
/// through the workflow; it ends in a withdrawal; the public lookup follows; negative cases
/// on the way. (A granted result with uploads is the next test.)
#[tokio::test]
async fn an_online_dossier_in_staff_hands_with_the_negative_cases() {
    use serde_json::json;
    let st = state().await;
    let (s, v) = call(
        &st,
        "POST",
        "/api/v1/accounts",
        None,
        Some(json!({ "id": "an-an", "name": "An", "password": "short" })),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("weak_password"))
    );
    let (s, _) = call(
        &st,
        "POST",
        "/api/v1/accounts",
        None,
        Some(
            json!({ "id": "nguyenvanan", "name": "Nguyễn Văn An", "password": "mat-khau-dai-10" }),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, v) = call(
        &st,
        "POST",
        "/api/v1/accounts",
        None,
        Some(json!({ "id": "nguyenvanan", "name": "X", "password": "mat-khau-dai-10" })),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("account_exists"))
    );
    let (s, v) = call(&st, "POST", "/api/v1/dossiers", None, Some(json!({}))).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unauthenticated"))
    );
    let an = login(&st, "nguyenvanan", "mat-khau-dai-10").await;
    let (s, v) = call(
        &st,
        "POST",
        "/api/v1/dossiers",
        Some(&an),
        Some(json!({
            "procedure": "HKD-DK-THANH-LAP", "agency": "000.20.31.H53",
            "applicant": { "name": "Nguyễn Văn An", "id_number": "094092003456" },
            "components": ["Giấy đề nghị đăng ký hộ kinh doanh"]
        })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let id = v["id"].as_str().expect("id").to_string();

    // Another applicant cannot see it; staff of another agency cannot either.
    let binh = applicant(&st, "binh", "Bình").await;
    assert_eq!(
        call(
            &st,
            "GET",
            &format!("/api/v1/dossiers/{id}"),
            Some(&binh),
            None
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    let other = staff(
        &st,
        "mot-cua.sxd.test",
        "000.00.04.H53",
        "reception-officer",
    )
    .await;
    let (s, _) = command(&st, &other, &id, json!({ "command": "accept" })).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // The applicant cannot accept their own dossier.
    let (s, v) = command(&st, &an, &id, json!({ "command": "accept" })).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden"))
    );

    let desk = staff(&st, "mot-cua.tp.test", "000.20.31.H53", "reception-officer").await;
    let head = staff(
        &st,
        "truong-phong.tp.test",
        "000.20.31.H53",
        "department-head",
    )
    .await;
    let spec = staff(&st, "chuyen-vien.tp.test", "000.20.31.H53", "specialist").await;
    let clerk = staff(&st, "van-thu.tp.test", "000.20.31.H53", "clerk").await;
    let (_, q) = call(&st, "GET", "/api/v1/queue", Some(&desk), None).await;
    assert!(
        q["dossiers"]
            .as_array()
            .expect("queue")
            .iter()
            .all(|d| d["agency"] == "000.20.31.H53")
    );
    let steps: Vec<(&str, Value)> = vec![
        (&desk, json!({ "command": "accept" })),
        (&desk, json!({ "command": "forward", "to": "phan-cong" })),
        (&head, json!({ "command": "forward", "to": "tham-dinh" })),
        (
            &spec,
            json!({ "command": "attach-draft", "attachment": { "name": "x.pdf", "sha256": "00" } }),
        ),
    ];
    let mut last = Value::Null;
    for (token, body) in steps {
        let (s, v) = command(&st, token, &id, body.clone()).await;
        if body["command"] == "attach-draft" {
            // A file that was never uploaded is refused (files go up through /attachments).
            assert_eq!(
                (s, v["code"].as_str()),
                (StatusCode::NOT_FOUND, Some("not_found")),
                "{v}"
            );
            continue;
        }
        assert_eq!(s, StatusCode::OK, "{body}: {v}");
        last = v;
    }
    assert_eq!(last["step"], "tham-dinh");
    // The wrong role at a step is refused by the engine, with its stable code.
    let (s, v) = command(
        &st,
        &clerk,
        &id,
        json!({ "command": "forward", "to": "duyet" }),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden"))
    );
    // A stale version is a conflict.
    let (s, v) = command(
        &st,
        &spec,
        &id,
        json!({ "command": "forward", "to": "duyet", "expected_version": 1 }),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("conflict"))
    );
    let (s, v) = call(
        &st,
        "POST",
        &format!("/api/v1/dossiers/{id}/commands"),
        Some(&spec),
        Some(
            json!({ "command": "mark-finished", "outcome": { "kind": "rejected", "reason": "x" } }),
        ),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("not_an_end_step"))
    );
    // Not eligible: the specialist forwards, the head sends it on, the clerk finishes it as rejected.
    for (token, body) in [
        (&spec, json!({ "command": "forward", "to": "duyet" })),
        (
            &head,
            json!({ "command": "send-back", "to": "tham-dinh", "instructions": "Ghi rõ ngành nghề" }),
        ),
        (&spec, json!({ "command": "forward", "to": "duyet" })),
    ] {
        let (s, v) = command(&st, token, &id, body.clone()).await;
        assert_eq!(s, StatusCode::OK, "{body}: {v}");
    }
    let (s, v) = call(
        &st,
        "GET",
        &format!("/api/v1/dossiers/{id}"),
        Some(&an),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["national_status"], 4);
    let code = v["dossier"]["code"].as_str().expect("code").to_string();
    let (_, public) = get_from(&st, &format!("/api/v1/lookup/{code}")).await;
    assert_eq!(public["current_step"], "Lãnh đạo phòng xem xét, ký");
    let (_, mine) = call(&st, "GET", "/api/v1/me/dossiers", Some(&an), None).await;
    assert_eq!(mine["dossiers"].as_array().expect("mine").len(), 1);
    // The applicant withdraws; the desk confirms; only a rating is accepted afterwards.
    let (s, _) = command(
        &st,
        &an,
        &id,
        json!({ "command": "request-withdrawal", "reason": "Đổi địa điểm" }),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = command(&st, &desk, &id, json!({ "command": "confirm-withdrawal" })).await;
    assert_eq!(
        (s, v["national_status"].as_i64()),
        (StatusCode::OK, Some(8))
    );
    let (s, v) = command(
        &st,
        &head,
        &id,
        json!({ "command": "approve", "to": "van-thu" }),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("closed"))
    );
    let (s, _) = command(&st, &an, &id, json!({ "command": "rate", "score": 4 })).await;
    assert_eq!(s, StatusCode::OK);
    // Everything the API wrote (at real clock times) verifies.
    assert!(
        st.store
            .verify_all()
            .await
            .expect("verify")
            .problems
            .is_empty()
    );
    // Logging out ends the token.
    assert_eq!(
        call(&st, "DELETE", "/api/v1/sessions/current", Some(&an), None)
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        call(&st, "GET", "/api/v1/me", Some(&an), None).await.0,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn first_login_password_change_and_lockout() {
    use serde_json::json;
    let st = state().await;
    let user = motcua_store::User {
        id: "moi".into(),
        kind: "staff".into(),
        name: "Cán bộ mới".into(),
        email: None,
        phone: None,
        password_hash: motcua_http::hash_password("mot-lan-duy-nhat").expect("hash"),
        must_change_password: true,
        created_at: chrono::Utc::now(),
        home_agency: Some("000.20.31.H53".into()),
    };
    st.store
        .create_user(
            &user,
            &[motcua_store::Grant {
                agency_id: "000.20.31.H53".into(),
                role: "clerk".into(),
            }],
            "test",
        )
        .await
        .expect("user");
    let t = login(&st, "moi", "mot-lan-duy-nhat").await;
    let (s, v) = call(&st, "GET", "/api/v1/queue", Some(&t), None).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("password_change_required"))
    );
    assert_eq!(
        call(&st, "GET", "/api/v1/me", Some(&t), None).await.0,
        StatusCode::OK
    );
    let (s, v) = call(
        &st,
        "POST",
        "/api/v1/me/password",
        Some(&t),
        Some(json!({ "current": "sai", "new": "hoa-sen-no-muon-7" })),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("wrong_password"))
    );
    let (s, _) = call(
        &st,
        "POST",
        "/api/v1/me/password",
        Some(&t),
        Some(json!({ "current": "mot-lan-duy-nhat", "new": "hoa-sen-no-muon-7" })),
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(
        call(&st, "GET", "/api/v1/me", Some(&t), None).await.0,
        StatusCode::UNAUTHORIZED,
        "old sessions end"
    );
    let t = login(&st, "moi", "hoa-sen-no-muon-7").await;
    assert_eq!(
        call(&st, "GET", "/api/v1/queue", Some(&t), None).await.0,
        StatusCode::OK
    );
    // Five wrong passwords hold back that account from that client (here a client whose
    // address the server does not know), even with the right one.
    for _ in 0..5 {
        let (s, _) = call(
            &st,
            "POST",
            "/api/v1/sessions",
            None,
            Some(json!({ "id": "moi", "password": "sai-mat-khau" })),
        )
        .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
    let (s, v) = call(
        &st,
        "POST",
        "/api/v1/sessions",
        None,
        Some(json!({ "id": "moi", "password": "hoa-sen-no-muon-7" })),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("too_many_attempts"))
    );
    let (s, v) = call(
        &st,
        "POST",
        "/api/v1/sessions",
        None,
        Some(json!({ "id": "moi" })),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_body"))
    );
}

async fn upload(
    state: &AppState,
    token: &str,
    id: &str,
    command: Value,
    file: &[u8],
    content_type: &str,
) -> (StatusCode, Value) {
    multipart(
        state,
        token,
        &format!("/api/v1/dossiers/{id}/attachments"),
        ("command", command),
        &[("file", "ket-qua.pdf", content_type, file)],
    )
    .await
}

/// A procedure that needs a signed result: files go up with their commands, the dossier is
/// granted and returned, and its owner and staff can download the result.
#[tokio::test]
async fn uploads_carry_a_dossier_to_a_granted_result() {
    use serde_json::json;
    let st = state().await;
    let owner = applicant(&st, "chu-ho", "Chủ hộ").await;
    let (_, v) = call(&st, "POST", "/api/v1/dossiers", Some(&owner), Some(json!({
        "procedure": "HKD-DK-THANH-LAP", "agency": "000.20.31.H53", "applicant": { "name": "Chủ hộ" },
        "components": ["Giấy đề nghị đăng ký hộ kinh doanh"] }))).await;
    let id = v["id"].as_str().expect("id").to_string();
    let desk = staff(&st, "desk.u", "000.20.31.H53", "reception-officer").await;
    let head = staff(&st, "head.u", "000.20.31.H53", "department-head").await;
    let spec = staff(&st, "spec.u", "000.20.31.H53", "specialist").await;
    let clerk = staff(&st, "clerk.u", "000.20.31.H53", "clerk").await;
    let uri = format!("/api/v1/dossiers/{id}/commands");
    for (token, body) in [
        (&desk, json!({ "command": "accept" })),
        (&desk, json!({ "command": "forward", "to": "phan-cong" })),
        (&head, json!({ "command": "forward", "to": "tham-dinh" })),
    ] {
        assert_eq!(
            call(&st, "POST", &uri, Some(token), Some(body)).await.0,
            StatusCode::OK
        );
    }
    let draft = b"%PDF-1.7 du thao";
    let attach =
        |kind: &str| json!({ "command": kind, "attachment": { "name": "", "sha256": "" } });
    let (s, v) = upload(&st, &spec, &id, attach("attach-draft"), draft, "text/html").await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::UNSUPPORTED_MEDIA_TYPE, Some("unsupported_type"))
    );
    let (s, v) = upload(
        &st,
        &spec,
        &id,
        json!({ "command": "accept" }),
        draft,
        "application/pdf",
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_body"))
    );
    let (s, v) = upload(
        &st,
        &spec,
        &id,
        attach("attach-draft"),
        draft,
        "application/pdf",
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    for (token, body) in [
        (&spec, json!({ "command": "forward", "to": "duyet" })),
        (&head, json!({ "command": "approve", "to": "van-thu" })),
    ] {
        assert_eq!(
            call(&st, "POST", &uri, Some(token), Some(body)).await.0,
            StatusCode::OK
        );
    }
    let signed = b"%PDF-1.7 giay chung nhan da ky";
    let (s, v) = upload(
        &st,
        &clerk,
        &id,
        attach("attach-signed-result"),
        signed,
        "application/pdf",
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    for (token, body) in [
        (
            &clerk,
            json!({ "command": "mark-finished", "outcome": { "kind": "granted" } }),
        ),
        (&desk, json!({ "command": "return-result" })),
    ] {
        let (s, v) = call(&st, "POST", &uri, Some(token), Some(body)).await;
        assert_eq!(s, StatusCode::OK, "{v}");
    }
    let (_, v) = call(
        &st,
        "GET",
        &format!("/api/v1/dossiers/{id}"),
        Some(&owner),
        None,
    )
    .await;
    assert_eq!(v["national_status"], 10);
    let sha = v["dossier"]["signed_result"]["sha256"]
        .as_str()
        .expect("sha")
        .to_string();
    assert_eq!(v["dossier"]["signed_result"]["name"], "ket-qua.pdf");
    for token in [&owner, &desk] {
        let req = Request::get(format!("/api/v1/dossiers/{id}/attachments/{sha}"))
            .header("authorization", format!("Bearer {token}"))
            .body(Body::empty())
            .expect("request");
        let response = router(st.clone()).oneshot(req).await.expect("response");
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["content-type"], "application/pdf");
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .expect("body");
        assert_eq!(&bytes[..], signed);
    }
    let stranger = applicant(&st, "nguoi-la", "Người lạ").await;
    assert_eq!(
        call(
            &st,
            "GET",
            &format!("/api/v1/dossiers/{id}/attachments/{sha}"),
            Some(&stranger),
            None
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    assert!(
        st.store
            .verify_all()
            .await
            .expect("verify")
            .problems
            .is_empty()
    );
}

#[tokio::test]
async fn feedback_statistics_and_the_national_feed() {
    use serde_json::json;
    let mut st = state().await;
    let citizen = applicant(&st, "cong-dan", "Công dân").await;
    let (s, v) = call(&st, "POST", "/api/v1/feedback", Some(&citizen), Some(json!({
        "agency": "000.20.31.H53", "subject": "Giờ làm việc", "body": "Bộ phận một cửa mở lúc mấy giờ?" }))).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let id = v["id"].as_str().expect("id").to_string();
    assert!(v["answer_due"].as_str().is_some());
    let other = staff(&st, "other.f", "000.00.04.H53", "reception-officer").await;
    let desk = staff(&st, "desk.f", "000.20.31.H53", "reception-officer").await;
    let answer = json!({ "answer": "Từ 7 giờ các ngày làm việc." });
    assert_eq!(
        call(
            &st,
            "POST",
            &format!("/api/v1/feedback/{id}/answer"),
            Some(&other),
            Some(answer.clone())
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    let (s, v) = call(
        &st,
        "POST",
        &format!("/api/v1/feedback/{id}/answer"),
        Some(&desk),
        Some(answer.clone()),
    )
    .await;
    assert_eq!((s, v["on_time"].as_bool()), (StatusCode::OK, Some(true)));
    let (s, v) = call(
        &st,
        "POST",
        &format!("/api/v1/feedback/{id}/answer"),
        Some(&desk),
        Some(answer),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("already_answered"))
    );
    let (_, v) = get_from(&st, "/api/v1/feedback").await;
    assert_eq!(v["feedback"][0]["answer"], "Từ 7 giờ các ngày làm việc.");

    // Statistics of the district (with its commune and land office) for April 2026: the
    // demo's household-business dossier was accepted and returned then.
    let uri = "/api/v1/reports/statistics?agency=000.20.31.H53&from=2026-04-01&to=2026-04-30";
    assert_eq!(
        call(&st, "GET", uri, Some(&other), None).await.0,
        StatusCode::FORBIDDEN
    );
    let (s, v) = call(&st, "GET", uri, Some(&desk), None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        v["by_field"]["Thành lập và hoạt động của hộ kinh doanh"]["new_online"],
        1
    );
    assert_eq!(
        v["by_field"]["Thành lập và hoạt động của hộ kinh doanh"]["resolved_early"],
        1
    );
    let req = Request::get(format!("{uri}&format=csv"))
        .header("authorization", format!("Bearer {desk}"))
        .body(Body::empty())
        .expect("request");
    let response = router(st.clone()).oneshot(req).await.expect("response");
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    assert_eq!(
        response.headers()["content-disposition"],
        "attachment; filename=\"thong-ke-000.20.31.H53-2026-04-01-2026-04-30.csv\""
    );
    let csv = String::from_utf8(
        axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .expect("body")
            .to_vec(),
    )
    .expect("utf-8");
    // A byte-order mark, then the form's Vietnamese headers, each group's total first.
    assert!(
        csv.starts_with("\u{feff}\"Lĩnh vực\",\"Số hồ sơ nhận giải quyết - Tổng số\",\"Số hồ sơ nhận giải quyết - Kỳ trước chuyển qua\","),
        "{csv}"
    );
    // Received 1 (online), resolved 1 (early), nothing open; one supplement request.
    assert!(
        csv.contains(
            "\"Thành lập và hoạt động của hộ kinh doanh\",1,0,1,0,1,1,0,0,0,0,0,1,0,0,0,0\r\n"
        ),
        "{csv}"
    );
    assert!(csv.contains("\"Ghi chú\""), "{csv}");
    // The JSON carries the same definitions, and an unknown format is refused.
    let (_, v) = call(&st, "GET", uri, Some(&desk), None).await;
    assert_eq!(v["columns"].as_array().map(Vec::len), Some(13), "{v}");
    assert_eq!(v["period"]["to"], "2026-04-30");
    let (s, v) = call(&st, "GET", &format!("{uri}&format=xlsx"), Some(&desk), None).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_format"))
    );
    let (s, v) = call(
        &st,
        "GET",
        "/api/v1/reports/statistics?agency=000.20.31.H53&from=2026-05-01&to=2026-04-01",
        Some(&desk),
        None,
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_period"))
    );

    // The feed is off without a token, refuses a wrong one, and pages by cursor.
    assert_eq!(
        get_from(&st, "/api/v1/integration/feed").await.0,
        StatusCode::NOT_FOUND
    );
    st.feed_token = Some("bi-mat".into());
    let feed = |token: &'static str, cursor: i64| {
        let st = st.clone();
        async move {
            let req = Request::get(format!("/api/v1/integration/feed?cursor={cursor}"))
                .header("authorization", format!("Bearer {token}"))
                .body(Body::empty())
                .expect("request");
            let response = router(st).oneshot(req).await.expect("response");
            let status = response.status();
            let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
                .await
                .expect("body");
            (
                status,
                serde_json::from_slice::<Value>(&bytes).unwrap_or(Value::Null),
            )
        }
    };
    assert_eq!(feed("sai", 0).await.0, StatusCode::UNAUTHORIZED);
    let (s, v) = feed("bi-mat", 0).await;
    assert_eq!(s, StatusCode::OK);
    let items = v["items"].as_array().expect("items");
    assert!(items.len() > 20);
    let time = items[0]["time"].as_str().expect("time");
    assert!(
        time.len() == 14 && time.chars().all(|c| c.is_ascii_digit()),
        "{time}"
    );
    let next = v["next_cursor"].as_i64().expect("cursor");
    assert!(
        feed("bi-mat", next).await.1["items"]
            .as_array()
            .expect("items")
            .is_empty()
    );
}

/// A reception officer registers a paper dossier for an applicant, who then sees it.
#[tokio::test]
async fn staff_register_desk_and_post_dossiers() {
    use serde_json::json;
    let st = state().await;
    let lan = applicant(&st, "ba-lan", "Bà Lan").await;
    let desk = staff(&st, "desk.p", "000.31.12.H53", "reception-officer").await;
    let clerk = staff(&st, "clerk.p", "000.31.12.H53", "clerk").await;
    let paper = json!({ "procedure": "1.001193", "agency": "000.31.12.H53", "channel": "direct", "owner": "ba-lan",
                        "applicant": { "name": "Sơn Thị Lan" } });
    let (s, v) = call(
        &st,
        "POST",
        "/api/v1/dossiers",
        Some(&lan),
        Some(paper.clone()),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_channel"))
    );
    let (s, v) = call(
        &st,
        "POST",
        "/api/v1/dossiers",
        Some(&clerk),
        Some(paper.clone()),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden")),
        "only reception officers register"
    );
    let (s, v) = call(&st, "POST", "/api/v1/dossiers", Some(&desk), Some(paper)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert!(
        v["intake_due"].is_null(),
        "no 8-hour intake clock for paper"
    );
    let (_, mine) = call(&st, "GET", "/api/v1/me/dossiers", Some(&lan), None).await;
    assert_eq!(mine["dossiers"].as_array().expect("mine").len(), 1);
}

#[tokio::test]
async fn request_ids_and_metrics() {
    let st = state().await;
    let req = Request::get("/api/v1/lookup/000.00.04.H53-260302-0001")
        .header("x-request-id", "from-the-caller-1")
        .body(Body::empty())
        .expect("request");
    let response = router(st.clone()).oneshot(req).await.expect("response");
    assert_eq!(response.headers()["x-request-id"], "from-the-caller-1");
    let bad = Request::get("/healthz")
        .header("x-request-id", "<script>")
        .body(Body::empty())
        .expect("request");
    let response = router(st.clone()).oneshot(bad).await.expect("response");
    let id = response.headers()["x-request-id"]
        .to_str()
        .expect("id")
        .to_string();
    assert!(id.len() == 16 && id != "<script>", "{id}");
    get_from(&st, "/api/v1/lookup/not-a-code").await;
    let response = router(st.clone())
        .oneshot(
            Request::get("/metrics")
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("response");
    let text = String::from_utf8(
        axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .expect("body")
            .to_vec(),
    )
    .expect("utf-8");
    assert!(
        text.contains("motcua_http_requests_total{method=\"GET\",route=\"/api/v1/lookup/{code}\",status=\"200\"} 1"),
        "{text}"
    );
    assert!(
        text.contains("route=\"/api/v1/lookup/{code}\",status=\"400\"} 1"),
        "{text}"
    );
    assert!(
        !text.contains("not-a-code"),
        "raw paths never become labels"
    );
}

/// Sends a request with the given headers; answers status, headers and JSON (or Null).
async fn send(
    state: &AppState,
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> (StatusCode, axum::http::HeaderMap, Value) {
    let mut req = Request::builder().method(method).uri(uri);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let req = match body {
        Some(b) => req
            .header("content-type", "application/json")
            .body(Body::from(b.to_string())),
        None => req.body(Body::empty()),
    }
    .expect("request");
    let response = router(state.clone()).oneshot(req).await.expect("response");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .expect("body");
    (
        status,
        headers,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// Browser sessions: the token lives in an HttpOnly cookie; every change needs the CSRF
/// token; bearer requests do not; logging out clears the cookie and ends the session.
#[tokio::test]
async fn cookie_sessions_need_the_csrf_token_for_changes() {
    use serde_json::json;
    let st = state().await;
    call(
        &st,
        "POST",
        "/api/v1/accounts",
        None,
        Some(json!({ "id": "trinh-duyet", "name": "Người dùng trình duyệt", "password": "mat-khau-dai-10" })),
    )
    .await;
    let (s, h, v) = send(
        &st,
        "POST",
        "/api/v1/sessions",
        &[],
        Some(json!({ "id": "trinh-duyet", "password": "mat-khau-dai-10", "cookie": true })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert!(
        v.get("token").is_none(),
        "a cookie session does not show its token: {v}"
    );
    let csrf = v["csrf_token"].as_str().expect("csrf token").to_string();
    let set = h["set-cookie"].to_str().expect("cookie").to_string();
    for attribute in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/"] {
        assert!(set.contains(attribute), "{set}");
    }
    let pair = set.split(';').next().expect("name=value").to_string();
    assert!(pair.starts_with("motcua_session="));
    let cookie = [("cookie", pair.as_str())];

    // Reading needs no CSRF token, and shows it again (for a page that reloads).
    let (s, _, me) = send(&st, "GET", "/api/v1/me", &cookie, None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(me["csrf_token"], csrf.as_str());

    // A change without the token, or with a wrong one, is refused and changes nothing.
    let dossier = json!({ "procedure": "1.001193", "agency": "000.31.12.H53",
                          "applicant": { "name": "Lê Thị Cúc" }, "components": ["Tờ khai đăng ký khai sinh", "Giấy chứng sinh"] });
    let (s, _, v) = send(
        &st,
        "POST",
        "/api/v1/dossiers",
        &cookie,
        Some(dossier.clone()),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("csrf_token_missing"))
    );
    let wrong = [cookie[0], ("x-csrf-token", "0000")];
    let (s, _, v) = send(
        &st,
        "POST",
        "/api/v1/dossiers",
        &wrong,
        Some(dossier.clone()),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("csrf_token_invalid"))
    );
    let (_, _, mine) = send(&st, "GET", "/api/v1/me/dossiers", &cookie, None).await;
    assert_eq!(mine["dossiers"].as_array().map(Vec::len), Some(0));

    // With the token it goes through.
    let good = [cookie[0], ("x-csrf-token", csrf.as_str())];
    let (s, _, v) = send(
        &st,
        "POST",
        "/api/v1/dossiers",
        &good,
        Some(dossier.clone()),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    // The token of one session does not work for another.
    let (_, h2, v2) = send(
        &st,
        "POST",
        "/api/v1/sessions",
        &[],
        Some(json!({ "id": "trinh-duyet", "password": "mat-khau-dai-10", "cookie": true })),
    )
    .await;
    let other = h2["set-cookie"]
        .to_str()
        .expect("cookie")
        .split(';')
        .next()
        .expect("pair")
        .to_string();
    assert_ne!(v2["csrf_token"], csrf.as_str());
    let crossed = [("cookie", other.as_str()), ("x-csrf-token", csrf.as_str())];
    let (s, _, _) = send(
        &st,
        "POST",
        "/api/v1/dossiers",
        &crossed,
        Some(dossier.clone()),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // Programs with a bearer token need no CSRF token.
    let token = login(&st, "trinh-duyet", "mat-khau-dai-10").await;
    let (s, v) = call(&st, "POST", "/api/v1/dossiers", Some(&token), Some(dossier)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");

    // Logging out needs the token too, clears the cookie and ends the session.
    let (s, _, _) = send(&st, "DELETE", "/api/v1/sessions/current", &cookie, None).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, h, _) = send(&st, "DELETE", "/api/v1/sessions/current", &good, None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert!(
        h["set-cookie"]
            .to_str()
            .expect("cookie")
            .contains("Max-Age=0")
    );
    let (s, _, _) = send(&st, "GET", "/api/v1/me", &cookie, None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

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
                       "components": ["Tờ khai đăng ký khai sinh", "Giấy chứng sinh"] });
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

/// The profile: name and contact details, checked.
#[tokio::test]
async fn applicants_edit_their_profile() {
    use serde_json::json;
    let st = state().await;
    let token = applicant(&st, "ho-so-ca-nhan", "Tên cũ").await;
    let (s, v) = call(
        &st,
        "PUT",
        "/api/v1/me",
        Some(&token),
        Some(json!({ "name": "", "email": "x@y.vn" })),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("missing_name"))
    );
    let (s, v) = call(
        &st,
        "PUT",
        "/api/v1/me",
        Some(&token),
        Some(json!({ "name": "Tên mới", "email": "khong-hop-le" })),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_email"))
    );
    let (s, _) = call(
        &st,
        "PUT",
        "/api/v1/me",
        Some(&token),
        Some(json!({ "name": "Tên mới", "email": "an@example.vn", "phone": "0912345678" })),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (_, me) = call(&st, "GET", "/api/v1/me", Some(&token), None).await;
    assert_eq!(
        (
            me["name"].as_str(),
            me["email"].as_str(),
            me["phone"].as_str()
        ),
        (Some("Tên mới"), Some("an@example.vn"), Some("0912345678"))
    );
}

/// The whole life of a dossier over a real socket, as a browser and programs would drive
/// it: an applicant with a cookie session (and its CSRF token) registers and submits
/// online; staff with bearer tokens accept it, carry it through the workflow, upload the
/// draft and the signed result as multipart, and return it; the public lookup shows
/// national status 10; the applicant rates it.
#[tokio::test]
async fn a_whole_dossier_over_a_real_socket() {
    use serde_json::json;
    let st = state().await;
    let desk = staff(&st, "desk.sock", "000.20.31.H53", "reception-officer").await;
    let head = staff(&st, "head.sock", "000.20.31.H53", "department-head").await;
    let spec = staff(&st, "spec.sock", "000.20.31.H53", "specialist").await;
    let clerk = staff(&st, "clerk.sock", "000.20.31.H53", "clerk").await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let server = tokio::spawn(motcua_http::serve(listener, st.clone()));
    let json_body = |v: Value| Some(("application/json", v.to_string().into_bytes()));

    // The applicant, as a browser.
    let (s, _, _) = over_socket(
        addr,
        "POST",
        "/api/v1/accounts",
        &[],
        json_body(
            json!({ "id": "dan.socket", "name": "Trần Văn Em", "password": "mat-khau-dai-10" }),
        ),
    )
    .await;
    assert_eq!(s, 201);
    let (s, h, v) = over_socket(
        addr,
        "POST",
        "/api/v1/sessions",
        &[],
        json_body(json!({ "id": "dan.socket", "password": "mat-khau-dai-10", "cookie": true })),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    let cookie = h
        .iter()
        .find(|(k, _)| k == "set-cookie")
        .expect("cookie")
        .1
        .split(';')
        .next()
        .expect("pair")
        .to_string();
    let csrf = v["csrf_token"].as_str().expect("csrf").to_string();
    let browser = [("Cookie", cookie.as_str()), ("X-CSRF-Token", csrf.as_str())];
    let (s, _, v) = over_socket(
        addr,
        "POST",
        "/t/000.20.31.H53/api/v1/dossiers",
        &browser,
        json_body(
            json!({ "procedure": "HKD-DK-THANH-LAP", "applicant": { "name": "Trần Văn Em" },
                    "components": ["Giấy đề nghị đăng ký hộ kinh doanh"] }),
        ),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    let id = v["id"].as_str().expect("id").to_string();

    // Staff, as programs.
    let commands = format!("/api/v1/dossiers/{id}/commands");
    let bearer = |t: &str| format!("Bearer {t}");
    let step = |token: String, body: Value| {
        let commands = commands.clone();
        async move {
            let auth = bearer(&token);
            let (s, _, v) = over_socket(
                addr,
                "POST",
                &commands,
                &[("Authorization", &auth)],
                Some(("application/json", body.to_string().into_bytes())),
            )
            .await;
            assert_eq!(s, 200, "{body}: {v}");
            v
        }
    };
    let accepted = step(desk.clone(), json!({ "command": "accept" })).await;
    let code = accepted["code"].as_str().expect("code").to_string();
    step(
        desk.clone(),
        json!({ "command": "forward", "to": "phan-cong" }),
    )
    .await;
    step(
        head.clone(),
        json!({ "command": "forward", "to": "tham-dinh" }),
    )
    .await;
    let upload = |token: String, kind: &'static str, file: &'static [u8]| {
        let path = format!("/api/v1/dossiers/{id}/attachments");
        async move {
            let boundary = "socket-boundary";
            let mut body = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"command\"\r\n\r\n{{\"command\":\"{kind}\",\"attachment\":{{\"name\":\"\",\"sha256\":\"\"}}}}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"giay-to.pdf\"\r\nContent-Type: application/pdf\r\n\r\n").into_bytes();
            body.extend_from_slice(file);
            body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
            let auth = bearer(&token);
            let content_type = format!("multipart/form-data; boundary={boundary}");
            let (s, _, v) = over_socket(
                addr,
                "POST",
                &path,
                &[("Authorization", &auth)],
                Some((&content_type, body)),
            )
            .await;
            assert_eq!(s, 200, "{kind}: {v}");
        }
    };
    upload(spec.clone(), "attach-draft", b"%PDF-1.7 du thao").await;
    step(spec.clone(), json!({ "command": "forward", "to": "duyet" })).await;
    step(
        head.clone(),
        json!({ "command": "approve", "to": "van-thu" }),
    )
    .await;
    upload(
        clerk.clone(),
        "attach-signed-result",
        b"%PDF-1.7 giay chung nhan",
    )
    .await;
    step(
        clerk.clone(),
        json!({ "command": "mark-finished", "outcome": { "kind": "granted" } }),
    )
    .await;
    let returned = step(desk.clone(), json!({ "command": "return-result" })).await;
    assert_eq!(returned["national_status"], 10);

    // Anyone can look it up by code; the applicant sees the whole timeline and rates it.
    let (s, _, v) = over_socket(addr, "GET", &format!("/api/v1/lookup/{code}"), &[], None).await;
    assert_eq!((s, v["national_status"].as_i64()), (200, Some(10)), "{v}");
    let (s, _, v) = over_socket(
        addr,
        "GET",
        &format!("/api/v1/dossiers/{id}"),
        &browser[..1],
        None,
    )
    .await;
    assert_eq!(s, 200);
    let timeline: Vec<&str> = v["events"]
        .as_array()
        .expect("timeline")
        .iter()
        .map(|e| e["event"]["type"].as_str().expect("type"))
        .collect();
    assert_eq!(timeline.first(), Some(&"submitted"));
    assert_eq!(timeline.last(), Some(&"result-returned"));
    // Ten steps, and the notices of the acceptance and of the result.
    assert_eq!(timeline.len(), 12, "{timeline:?}");
    assert_eq!(
        timeline.iter().filter(|t| **t == "notified").count(),
        2,
        "{timeline:?}"
    );
    let (s, _, v) = over_socket(
        addr,
        "POST",
        &commands,
        &browser,
        json_body(json!({ "command": "rate", "score": 5, "comment": "Nhanh" })),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    server.abort();
    assert!(
        st.store
            .verify_all()
            .await
            .expect("verify")
            .problems
            .is_empty()
    );
}

/// Failed logins are limited per client address (30 in 5 minutes), whatever the account:
/// guessing across many accounts is stopped too, not only repeated failures on one.
/// Successful logins do not count.
#[tokio::test]
async fn logins_are_rate_limited_per_address() {
    /// One login over the socket, as `id`, from behind `forwarded` if given: status and code.
    async fn attempt(
        addr: std::net::SocketAddr,
        id: &str,
        password: &str,
        forwarded: Option<&str>,
    ) -> (u16, Option<String>) {
        let headers: Vec<(&str, &str)> = forwarded
            .map(|f| ("X-Forwarded-For", f))
            .into_iter()
            .collect();
        let body = serde_json::json!({ "id": id, "password": password }).to_string();
        let (s, _, v) = over_socket(
            addr,
            "POST",
            "/api/v1/sessions",
            &headers,
            Some(("application/json", body.into_bytes())),
        )
        .await;
        (s, v["code"].as_str().map(str::to_string))
    }
    async fn serve(
        st: AppState,
    ) -> (
        std::net::SocketAddr,
        tokio::task::JoinHandle<std::io::Result<()>>,
    ) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        (addr, tokio::spawn(motcua_http::serve(listener, st)))
    }
    let st = state().await;
    staff(&st, "dung-mat-khau", "000.20.31.H53", "clerk").await;
    let right = "mat-khau-can-bo";
    let (addr, server) = serve(st.clone()).await;
    for _ in 0..40 {
        assert_eq!(attempt(addr, "dung-mat-khau", right, None).await.0, 201);
    }
    for i in 0..30 {
        let (s, code) = attempt(addr, &format!("doan-{i}"), "sai-mat-khau", None).await;
        assert_eq!(
            (s, code.as_deref()),
            (401, Some("wrong_credentials")),
            "attempt {i}"
        );
    }
    let (s, code) = attempt(addr, "doan-30", "sai-mat-khau", None).await;
    assert_eq!((s, code.as_deref()), (429, Some("too_many_attempts")));
    // Now even a right password from that address waits, and a forwarded-for header from a
    // peer that is not a trusted proxy changes nothing.
    assert_eq!(attempt(addr, "dung-mat-khau", right, None).await.0, 429);
    assert_eq!(
        attempt(addr, "dung-mat-khau", right, Some("203.0.113.9"))
            .await
            .0,
        429
    );
    server.abort();

    // Behind a trusted proxy, each client behind it is counted on its own.
    let mut proxied = st.clone();
    proxied.trusted_proxies = Arc::new(vec!["127.0.0.1".parse().expect("ip")]);
    let (addr, server) = serve(proxied).await;
    for i in 0..30 {
        let from = Some("198.51.100.1, 203.0.113.7");
        let (s, _) = attempt(addr, &format!("doan-proxy-{i}"), "sai-mat-khau", from).await;
        assert_ne!(s, 429);
    }
    let (s, _) = attempt(addr, "dung-mat-khau", right, Some("203.0.113.7")).await;
    assert_eq!(s, 429, "the client behind the proxy is over its limit");
    let (s, _) = attempt(addr, "dung-mat-khau", right, Some("203.0.113.8")).await;
    assert_ne!(s, 429, "another client behind the same proxy is not");
    server.abort();
}

/// Online submission with the components' files, and a supplement with files: each set of
/// files is stored with its command, listed on the dossier by component, and downloadable
/// by the owner and the agency's staff only. A wrong file type stores nothing.
#[tokio::test]
async fn component_files_at_submission_and_with_a_supplement() {
    use serde_json::json;
    let st = state().await;
    let owner = applicant(&st, "nop-tep", "Người nộp tệp").await;
    let dossier = json!({ "procedure": "HKD-DK-THANH-LAP", "agency": "000.20.31.H53",
        "applicant": { "name": "Người nộp tệp" }, "components": ["Giấy đề nghị đăng ký hộ kinh doanh"] });
    let form = b"%PDF-1.7 giay de nghi";
    let id_card = b"\x89PNG\r\n\x1a\n can cuoc";

    // A file of a type not accepted: refused, nothing created.
    let (s, v) = multipart(
        &st,
        &owner,
        "/api/v1/dossiers",
        ("dossier", dossier.clone()),
        &[(
            "component:Giấy đề nghị đăng ký hộ kinh doanh",
            "de-nghi.docx",
            "application/msword",
            b"x",
        )],
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::UNSUPPORTED_MEDIA_TYPE, Some("unsupported_type"))
    );
    let (s, v) = multipart(
        &st,
        &owner,
        "/api/v1/dossiers",
        ("dossier", dossier.clone()),
        &[("component:", "x.pdf", "application/pdf", b"%PDF-1.4")],
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_body"))
    );
    let (_, mine) = call(&st, "GET", "/api/v1/me/dossiers", Some(&owner), None).await;
    assert_eq!(mine["dossiers"].as_array().map(Vec::len), Some(0));

    let (s, v) = multipart(
        &st,
        &owner,
        "/api/v1/dossiers",
        ("dossier", dossier),
        &[
            (
                "component:Giấy đề nghị đăng ký hộ kinh doanh",
                "de-nghi.pdf",
                "application/pdf",
                form,
            ),
            (
                "component:Bản sao biên bản họp thành viên hộ gia đình (nếu có)",
                "cccd.png",
                "image/png",
                id_card,
            ),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let id = v["id"].as_str().expect("id").to_string();
    let read = format!("/api/v1/dossiers/{id}");
    let (_, v) = call(&st, "GET", &read, Some(&owner), None).await;
    let files = v["dossier"]["files"].as_array().expect("files").clone();
    assert_eq!(files.len(), 2);
    assert_eq!(files[0]["component"], "Giấy đề nghị đăng ký hộ kinh doanh");
    assert_eq!(files[1]["attachment"]["name"], "cccd.png");

    // Staff take it to the specialist, who asks for a supplement.
    let desk = staff(&st, "desk.tep", "000.20.31.H53", "reception-officer").await;
    let head = staff(&st, "head.tep", "000.20.31.H53", "department-head").await;
    let spec = staff(&st, "spec.tep", "000.20.31.H53", "specialist").await;
    for (token, body) in [
        (&desk, json!({ "command": "accept" })),
        (&desk, json!({ "command": "forward", "to": "phan-cong" })),
        (&head, json!({ "command": "forward", "to": "tham-dinh" })),
        (
            &spec,
            json!({ "command": "request-supplement", "reason": "Ảnh CCCD mờ", "items": ["CCCD"] }),
        ),
    ] {
        let (s, v) = command(&st, token, &id, body).await;
        assert_eq!(s, StatusCode::OK, "{v}");
    }
    // The applicant sends the new file with the supplement.
    let uri = format!("/api/v1/dossiers/{id}/attachments");
    let supplement = json!({ "command": "receive-supplement", "items": ["CCCD"] });
    let (s, _) = multipart(&st, &owner, &uri, ("command", supplement.clone()), &[]).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let sharper = b"\x89PNG\r\n\x1a\n can cuoc ro net";
    let (s, v) = multipart(
        &st,
        &owner,
        &uri,
        ("command", supplement),
        &[(
            "component:Bản sao biên bản họp thành viên hộ gia đình (nếu có)",
            "cccd-moi.png",
            "image/png",
            sharper,
        )],
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, v) = call(&st, "GET", &read, Some(&spec), None).await;
    assert_eq!(v["dossier"]["state"], "in-progress");
    let files = v["dossier"]["files"].as_array().expect("files").clone();
    assert_eq!(files.len(), 3);
    assert_eq!(files[2]["attachment"]["name"], "cccd-moi.png");

    // Downloads: the owner and the agency's staff; not another agency's staff.
    let sha = files[2]["attachment"]["sha256"]
        .as_str()
        .expect("sha")
        .to_string();
    let other = staff(&st, "khac.tep", "000.00.04.H53", "specialist").await;
    for (token, expected) in [
        (&owner, StatusCode::OK),
        (&spec, StatusCode::OK),
        (&other, StatusCode::NOT_FOUND),
    ] {
        let req = Request::get(format!("/api/v1/dossiers/{id}/attachments/{sha}"))
            .header("authorization", format!("Bearer {token}"))
            .body(Body::empty())
            .expect("request");
        let response = router(st.clone()).oneshot(req).await.expect("response");
        assert_eq!(response.status(), expected);
        if expected == StatusCode::OK {
            let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
                .await
                .expect("body");
            assert_eq!(&bytes[..], sharper);
        }
    }
    assert!(
        st.store
            .verify_all()
            .await
            .expect("verify")
            .problems
            .is_empty()
    );
}

/// Bad input never causes a 500: random bodies (bytes, and JSON built from the API's own
/// field names with values of every type) to every endpoint that takes a body, as an
/// applicant, a reception officer and an administrator. Each answer is a 2xx or a 4xx with
/// a code.
#[tokio::test]
async fn random_bodies_never_cause_a_server_error() {
    use serde_json::json;
    let st = state().await;
    let owner = applicant(&st, "ngau-nhien", "Ngẫu nhiên").await;
    let desk = staff(&st, "desk.ngau", "000.20.31.H53", "reception-officer").await;
    let admin = staff(&st, "admin.ngau", "000.20.31.H53", "agency-admin").await;
    let (_, v) = call(
        &st,
        "POST",
        "/api/v1/dossiers",
        Some(&owner),
        Some(json!({
        "procedure": "HKD-DK-THANH-LAP", "agency": "000.20.31.H53", "applicant": { "name": "A" },
        "components": ["Giấy đề nghị đăng ký hộ kinh doanh"] })),
    )
    .await;
    let id = v["id"].as_str().expect("id").to_string();
    let targets = [
        ("POST", "/api/v1/accounts".to_string()),
        ("POST", "/api/v1/sessions".to_string()),
        ("PUT", "/api/v1/me".to_string()),
        ("POST", "/api/v1/me/password".to_string()),
        ("POST", "/api/v1/dossiers".to_string()),
        ("POST", format!("/api/v1/dossiers/{id}/commands")),
        ("POST", format!("/api/v1/dossiers/{id}/attachments")),
        ("POST", "/api/v1/feedback".to_string()),
        ("POST", "/api/v1/feedback/pa-x/answer".to_string()),
        ("POST", "/api/v1/agencies/000.20.31.H53/users".to_string()),
        (
            "PUT",
            "/api/v1/agencies/000.20.31.H53/users/desk.ngau/roles".to_string(),
        ),
    ];
    let words = [
        "command",
        "procedure",
        "agency",
        "applicant",
        "name",
        "id",
        "password",
        "roles",
        "sequence",
        "to",
        "reason",
        "items",
        "files",
        "component",
        "attachment",
        "sha256",
        "outcome",
        "kind",
        "score",
        "channel",
        "owner",
        "form",
        "components",
        "current",
        "new",
        "subject",
        "body",
        "answer",
        "email",
        "phone",
        "accept",
        "forward",
        "submit",
        "rate",
        "receive-supplement",
        "request-extension",
        "online",
        "direct",
        "granted",
        "specialist",
        "expected_version",
        "cookie",
        "000.20.31.H53",
        "HKD-DK-THANH-LAP",
        "",
        "Nguyễn Văn An",
    ];
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    fn value(next: &mut dyn FnMut() -> u64, words: &[&str], depth: u32) -> Value {
        let pick = |n: u64, len: usize| (n % len as u64) as usize;
        match next() % if depth > 2 { 5 } else { 7 } {
            0 => Value::Null,
            1 => Value::Bool(next().is_multiple_of(2)),
            2 => json!((next() % 20_000) as i64 - 10_000),
            3 => json!(u64::MAX - next() % 3),
            4 => Value::String(words[pick(next(), words.len())].to_string()),
            5 => Value::Array(
                (0..next() % 4)
                    .map(|_| value(next, words, depth + 1))
                    .collect(),
            ),
            _ => Value::Object(
                (0..next() % 6)
                    .map(|_| {
                        (
                            words[pick(next(), words.len())].to_string(),
                            value(next, words, depth + 1),
                        )
                    })
                    .collect(),
            ),
        }
    }
    let mut checked = 0;
    for round in 0..12u64 {
        for (method, uri) in &targets {
            for token in [&owner, &desk, &admin] {
                let body = if round % 4 == 0 {
                    let bytes: Vec<u8> = (0..next() % 64).map(|_| (next() % 256) as u8).collect();
                    Body::from(bytes)
                } else {
                    let mut v = value(&mut next, &words, 0);
                    if round % 2 == 1
                        && let Value::Object(m) = &mut v
                    {
                        m.insert("command".into(), json!(words[(next() % 40) as usize]));
                    }
                    Body::from(v.to_string())
                };
                let content_type = if round % 6 == 5 {
                    "multipart/form-data; boundary=x"
                } else {
                    "application/json"
                };
                let req = Request::builder()
                    .method(*method)
                    .uri(uri)
                    .header("authorization", format!("Bearer {token}"))
                    .header("content-type", content_type)
                    .body(body)
                    .expect("request");
                let response = router(st.clone()).oneshot(req).await.expect("response");
                let status = response.status();
                let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
                    .await
                    .expect("body");
                assert!(
                    status.as_u16() < 500,
                    "{method} {uri}: {status} {}",
                    String::from_utf8_lossy(&bytes)
                );
                if status.is_client_error() {
                    let v: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
                    assert!(
                        v["code"].is_string(),
                        "{method} {uri}: {status} without a code: {v}"
                    );
                }
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 12 * 11 * 3);
    assert!(
        st.store
            .verify_all()
            .await
            .expect("verify")
            .problems
            .is_empty()
    );
}

/// Staff search their agencies' dossiers without diacritics; feedback may name only a
/// dossier its author can see.
#[tokio::test]
async fn staff_search_and_feedback_about_a_dossier() {
    use serde_json::json;
    let st = state().await;
    for who in ["chu-nha", "hang-xom"] {
        call(
            &st,
            "POST",
            "/api/v1/accounts",
            None,
            Some(json!({ "id": who, "name": who, "password": "mat-khau-dai-10" })),
        )
        .await;
    }
    let owner = login(&st, "chu-nha", "mat-khau-dai-10").await;
    let neighbour = login(&st, "hang-xom", "mat-khau-dai-10").await;
    let (_, v) = call(
        &st,
        "POST",
        "/api/v1/dossiers",
        Some(&owner),
        Some(json!({
        "procedure": "HKD-DK-THANH-LAP", "agency": "000.20.31.H53",
        "applicant": { "name": "Đặng Thị Hương", "id_number": "094190001234" },
        "components": ["Giấy đề nghị đăng ký hộ kinh doanh"] })),
    )
    .await;
    let id = v["id"].as_str().expect("id").to_string();
    let desk = staff(&st, "desk.tim", "000.20.31.H53", "reception-officer").await;
    let commune = staff(&st, "desk.p2.tim", "000.31.12.H53", "reception-officer").await;
    let supervisor = staff(&st, "giam-sat.tim", "000.00.00.H53", "supervisor").await;

    let found = |v: &Value| {
        v["dossiers"]
            .as_array()
            .expect("list")
            .iter()
            .any(|d| d["id"] == id.as_str())
    };
    let (s, v) = call(
        &st,
        "GET",
        "/api/v1/search?q=dang%20thi%20huong",
        Some(&desk),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(found(&v), "{v}");
    let (_, v) = call(
        &st,
        "GET",
        "/api/v1/search?q=0941900",
        Some(&supervisor),
        None,
    )
    .await;
    assert!(
        found(&v),
        "an oversight role searches the agencies below: {v}"
    );
    let (_, v) = call(
        &st,
        "GET",
        "/api/v1/search?q=dang%20thi%20huong",
        Some(&commune),
        None,
    )
    .await;
    assert!(!found(&v), "another agency's staff do not find it");
    assert_eq!(
        call(
            &st,
            "GET",
            "/api/v1/search?q=dang&agency=000.20.31.H53",
            Some(&commune),
            None
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        call(&st, "GET", "/api/v1/search?q=d", Some(&desk), None)
            .await
            .0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        call(&st, "GET", "/api/v1/search?q=dang", Some(&owner), None)
            .await
            .0,
        StatusCode::FORBIDDEN
    );

    let feedback = |dossier: &str| {
        json!({ "agency": "000.20.31.H53", "dossier_id": dossier,
        "subject": "Chậm", "body": "Hồ sơ của tôi chưa được tiếp nhận." })
    };
    let (s, v) = call(
        &st,
        "POST",
        "/api/v1/feedback",
        Some(&neighbour),
        Some(feedback(&id)),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("unknown_dossier"))
    );
    let (s, _) = call(
        &st,
        "POST",
        "/api/v1/feedback",
        Some(&owner),
        Some(feedback("hs-khong-co")),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, v) = call(
        &st,
        "POST",
        "/api/v1/feedback",
        Some(&owner),
        Some(feedback(&id)),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
}
