//! Accounts and sessions: first login, cookies and CSRF, profiles, login limits.

use crate::support::*;
use axum::http::StatusCode;
use motcua_http::AppState;
use std::sync::Arc;

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
        deactivated_at: None,
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
                          "applicant": { "name": "Lê Thị Cúc" }, "components": ["Tờ khai đăng ký khai sinh", "Giấy chứng sinh"],
                          "form": { "ten_tre": "Lê Gia Huy", "ngay_sinh": "01/12/2026" } });
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
