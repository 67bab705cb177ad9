//! What the HTTP tests share: a fresh, demo-seeded server state per test on SQLite (or
//! PostgreSQL with `MOTCUA_HTTP_TEST_PG_URL`), and one helper per way of calling it.
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use motcua_core::calendar::{WorkingCalendar, default_windows};
use motcua_http::{AppState, demo, router};
use motcua_store::{Options, Store};
use serde_json::Value;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use tower::ServiceExt;

/// A fresh database per test (a pool must not outlive the test's runtime), seeded with the
/// demo: a SQLite file, or, when `MOTCUA_HTTP_TEST_PG_URL` is set (`.ci/run` does), a new
/// schema on that PostgreSQL server.
pub async fn state() -> AppState {
    static N: AtomicU32 = AtomicU32::new(0);
    let n = N.fetch_add(1, Ordering::SeqCst);
    let url = match std::env::var("MOTCUA_HTTP_TEST_PG_URL") {
        Ok(base) => {
            let schema = format!("http_{}_{n}", std::process::id());
            let admin = Store::connect(&base, Options::default())
                .await
                .expect("postgres");
            admin
                .raw_execute(&format!("CREATE SCHEMA {schema}"))
                .await
                .expect("schema");
            admin.close().await;
            let sep = if base.contains('?') { '&' } else { '?' };
            format!("{base}{sep}options=-c%20search_path%3D{schema}")
        }
        Err(_) => {
            let path =
                std::env::temp_dir().join(format!("motcua-http-{}-{n}.db", std::process::id()));
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
            format!("sqlite://{}", path.display())
        }
    };
    let store = Store::connect(&url, Options::default())
        .await
        .expect("opens");
    store.migrate().await.expect("migrates");
    let calendar = Arc::new(WorkingCalendar::national(default_windows()).expect("calendar"));
    let accounts = demo::seed_if_empty(&store, &calendar)
        .await
        .expect("demo")
        .expect("seeded");
    assert_eq!(accounts.len(), 15, "one staff account per role and site");
    assert!(
        demo::seed_if_empty(&store, &calendar)
            .await
            .expect("demo")
            .is_none(),
        "seeds once"
    );
    AppState::load(store, calendar).await.expect("state")
}

pub async fn get_from(state: &AppState, uri: &str) -> (StatusCode, Value) {
    let response = router(state.clone())
        .oneshot(Request::get(uri).body(Body::empty()).expect("request"))
        .await
        .expect("response");
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .expect("body");
    let value = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
    (status, value)
}

/// A request with an optional bearer token and JSON body.
pub fn json_request(
    method: &str,
    uri: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> Request<Body> {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    match body {
        Some(b) => req
            .header("content-type", "application/json")
            .body(Body::from(b.to_string())),
        None => req.body(Body::empty()),
    }
    .expect("request")
}

/// Sends a request through the router: the status and the JSON answer (or `Null`).
pub async fn respond(state: &AppState, req: Request<Body>) -> (StatusCode, Value) {
    let response = router(state.clone()).oneshot(req).await.expect("response");
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .expect("body");
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

pub async fn call(
    state: &AppState,
    method: &str,
    uri: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    respond(state, json_request(method, uri, token, body)).await
}

pub async fn login(state: &AppState, id: &str, password: &str) -> String {
    let (s, v) = call(
        state,
        "POST",
        "/api/v1/sessions",
        None,
        Some(serde_json::json!({ "id": id, "password": password })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{id}: {v}");
    v["token"].as_str().expect("token").to_string()
}

/// Creates a staff account with a known password and no pending change.
pub async fn staff(state: &AppState, id: &str, agency: &str, role: &str) -> String {
    let user = motcua_store::User {
        id: id.into(),
        kind: "staff".into(),
        name: id.into(),
        email: None,
        phone: None,
        password_hash: motcua_http::hash_password("mat-khau-can-bo").expect("hash"),
        must_change_password: false,
        created_at: chrono::Utc::now(),
        home_agency: Some(agency.into()),
        deactivated_at: None,
    };
    state
        .store
        .create_user(
            &user,
            &[motcua_store::Grant {
                agency_id: agency.into(),
                role: role.into(),
            }],
            "test",
        )
        .await
        .expect("staff");
    login(state, id, "mat-khau-can-bo").await
}

/// Sends one engine command on dossier `id` as `token`.
pub async fn command(state: &AppState, token: &str, id: &str, body: Value) -> (StatusCode, Value) {
    call(
        state,
        "POST",
        &format!("/api/v1/dossiers/{id}/commands"),
        Some(token),
        Some(body),
    )
    .await
}

/// One HTTP/1.1 exchange over a real TCP connection (`Connection: close`): status, headers
/// (lower-case names) and the body as JSON (or Null).
pub async fn over_socket(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<(&str, Vec<u8>)>,
) -> (u16, Vec<(String, String)>, Value) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut conn = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
    for (k, v) in headers {
        head += &format!("{k}: {v}\r\n");
    }
    let payload = match body {
        Some((content_type, bytes)) => {
            head += &format!(
                "Content-Type: {content_type}\r\nContent-Length: {}\r\n",
                bytes.len()
            );
            bytes
        }
        None => Vec::new(),
    };
    head += "\r\n";
    conn.write_all(head.as_bytes()).await.expect("write head");
    conn.write_all(&payload).await.expect("write body");
    let mut raw = Vec::new();
    conn.read_to_end(&mut raw).await.expect("read");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("end of head");
    let head = String::from_utf8(raw[..split].to_vec()).expect("head is text");
    let mut body = raw[split + 4..].to_vec();
    let mut lines = head.lines();
    let status: u16 = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .expect("status line");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    if headers
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v.contains("chunked"))
    {
        let mut decoded = Vec::new();
        let mut rest = &body[..];
        loop {
            let end = rest
                .windows(2)
                .position(|w| w == b"\r\n")
                .expect("chunk size");
            let size =
                usize::from_str_radix(std::str::from_utf8(&rest[..end]).expect("hex").trim(), 16)
                    .expect("chunk size");
            if size == 0 {
                break;
            }
            decoded.extend_from_slice(&rest[end + 2..end + 2 + size]);
            rest = &rest[end + 2 + size + 2..];
        }
        body = decoded;
    }
    (
        status,
        headers,
        serde_json::from_slice(&body).unwrap_or(Value::Null),
    )
}

/// A multipart request: one JSON part and file parts `(part name, file name, type, bytes)`.
pub async fn multipart(
    state: &AppState,
    token: &str,
    uri: &str,
    json_part: (&str, Value),
    files: &[(&str, &str, &str, &[u8])],
) -> (StatusCode, Value) {
    let boundary = "motcua-parts";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"\r\n\r\n{}\r\n",
        json_part.0, json_part.1
    )
    .into_bytes();
    for (part, file_name, content_type, bytes) in files {
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{part}\"; filename=\"{file_name}\"\r\nContent-Type: {content_type}\r\n\r\n").as_bytes());
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let req = Request::post(uri)
        .header("authorization", format!("Bearer {token}"))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .expect("request");
    respond(state, req).await
}

/// Registers an applicant account (password `mat-khau-dai-10`) and logs it in.
pub async fn applicant(state: &AppState, id: &str, name: &str) -> String {
    let (s, v) = call(
        state,
        "POST",
        "/api/v1/accounts",
        None,
        Some(serde_json::json!({ "id": id, "name": name, "password": "mat-khau-dai-10" })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{id}: {v}");
    login(state, id, "mat-khau-dai-10").await
}

/// A request from a client at `ip` (as the server would see the TCP peer): status, headers
/// and JSON body (or `Null`).
pub async fn call_from(
    state: &AppState,
    ip: &str,
    method: &str,
    uri: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = json_request(method, uri, token, body);
    let peer: std::net::SocketAddr = format!("{ip}:40000").parse().expect("address");
    req.extensions_mut()
        .insert(axum::extract::ConnectInfo(peer));
    respond(state, req).await
}

/// A `GET` with a bearer token: status, headers and the raw body.
pub async fn fetch(
    state: &AppState,
    uri: &str,
    token: &str,
) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let req = Request::get(uri)
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .expect("request");
    let response = router(state.clone()).oneshot(req).await.expect("response");
    let (status, headers) = (response.status(), response.headers().clone());
    let bytes = axum::body::to_bytes(response.into_body(), 64 << 20)
        .await
        .expect("body");
    (status, headers, bytes.to_vec())
}

/// A `POST` of raw bytes as JSON (for bodies too large to build as a `Value` cheaply).
pub async fn post_raw(
    state: &AppState,
    uri: &str,
    token: &str,
    body: Vec<u8>,
) -> (StatusCode, Value) {
    let req = Request::post(uri)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .body(Body::from(body))
        .expect("request");
    respond(state, req).await
}

pub async fn get(uri: &str) -> (StatusCode, Value) {
    get_from(&state().await, uri).await
}

pub async fn upload(
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

/// Sends a request with the given headers; answers status, headers and JSON (or Null).
pub async fn send(
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
