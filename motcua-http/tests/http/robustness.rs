//! Random bodies never cause a server error.

use crate::support::*;
use axum::body::Body;
use axum::http::Request;
use motcua_http::router;
use serde_json::Value;
use tower::ServiceExt;

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
