//! Feedback, statistics and the national feed.

use crate::support::*;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use motcua_http::router;
use serde_json::Value;
use tower::ServiceExt;

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
    let (s, v) = call(&st, "GET", &format!("{uri}&format=xls"), Some(&desk), None).await;
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

    // The feed asks for its token first; it is off on a server without one, refuses a
    // wrong one, and pages by cursor.
    assert_eq!(
        get_from(&st, "/api/v1/integration/feed").await.0,
        StatusCode::UNAUTHORIZED
    );
    let off = Request::get("/api/v1/integration/feed")
        .header("authorization", "Bearer bi-mat")
        .body(Body::empty())
        .expect("request");
    let (s, v) = respond(&st, off).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("feed_disabled"))
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
