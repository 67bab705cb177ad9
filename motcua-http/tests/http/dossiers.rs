//! Dossiers through the JSON API: submission, staff commands, files, search.

use crate::support::*;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use motcua_http::router;
use serde_json::Value;
use tower::ServiceExt;

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
