//! Public endpoints: health, catalogue, lookup, calendar, the OpenAPI document, metrics.

use crate::support::*;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use motcua_http::router;
use serde_json::Value;
use tower::ServiceExt;

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

/// The document is generated from the types: bodies and views have their real schemas with
/// the limits the server enforces; a command as a client sends it has no sequence; every
/// authenticated operation documents 401 and 403.
#[tokio::test]
async fn the_openapi_document_has_typed_schemas() {
    let st = state().await;
    let (_, doc) = get_from(&st, "/api/v1/openapi.json").await;
    assert!(
        doc["openapi"].as_str().unwrap_or("").starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    let schemas = &doc["components"]["schemas"];
    assert!(
        schemas["Deadline"]["properties"]["due"].is_object(),
        "{}",
        schemas["Deadline"]
    );
    let submit = &schemas["SubmitBody"];
    let required: Vec<&str> = submit["required"]
        .as_array()
        .expect("required")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(required.contains(&"procedure") && required.contains(&"applicant"));
    let limit = motcua_http::limits::SUBMIT
        .iter()
        .find(|l| l.path == "procedure")
        .expect("limit")
        .max;
    assert_eq!(submit["properties"]["procedure"]["maxLength"], limit);
    assert_eq!(
        schemas["Applicant"]["properties"]["name"]["maxLength"],
        motcua_http::limits::SUBMIT
            .iter()
            .find(|l| l.path == "applicant.name")
            .expect("limit")
            .max
    );
    let accept = schemas["CommandRequest"]["oneOf"]
        .as_array()
        .expect("variants")
        .iter()
        .find(|v| v["properties"]["command"]["enum"][0] == "accept")
        .cloned()
        .expect("accept");
    assert!(accept["properties"].get("sequence").is_none(), "{accept}");
    assert!(accept["properties"].get("expected_version").is_some());
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("operations") {
            let statuses: Vec<&String> = op["responses"]
                .as_object()
                .expect("responses")
                .keys()
                .collect();
            assert!(
                statuses.iter().any(|s| s.starts_with('2')),
                "{method} {path}: {statuses:?}"
            );
            if op.get("security").is_some() {
                for s in ["401", "403"] {
                    assert!(
                        statuses.iter().any(|x| *x == s),
                        "{method} {path} lacks {s}"
                    );
                }
            }
        }
    }
    // The dossier view is the engine's, field by field.
    assert!(
        schemas["Dossier"]["properties"]["clock"].is_object(),
        "{}",
        schemas["Dossier"]
    );
}

/// utoipa names a component after the type, so two types called the same in different crates
/// silently share one schema and the document lies about one of them (the engine's
/// `Deadline` once replaced the deadline calculator's answer). Every type deriving `ToSchema`
/// in the workspace has a distinct schema name.
#[test]
fn schema_names_are_unique_across_the_workspace() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut seen: std::collections::BTreeMap<String, String> = Default::default();
    let mut dups = Vec::new();
    let mut count = 0;
    for krate in ["motcua-core", "motcua-store", "motcua-http", "motcua-forms"] {
        let mut stack = vec![root.join(krate).join("src")];
        while let Some(dir) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                if path.extension().and_then(|e| e.to_str()) != Some("rs") {
                    continue;
                }
                let text = std::fs::read_to_string(&path).expect("source");
                let lines: Vec<&str> = text.lines().collect();
                for (i, line) in lines.iter().enumerate() {
                    if !(line.trim_start().starts_with("#[") && line.contains("ToSchema")) {
                        continue;
                    }
                    // The attributes up to the item, then the item's name.
                    let mut renamed = None;
                    let mut name = None;
                    for next in &lines[i..(i + 12).min(lines.len())] {
                        if let Some(at) = next.find("schema(as = ") {
                            let rest = &next[at + "schema(as = ".len()..];
                            renamed = Some(
                                rest.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                                    .next()
                                    .unwrap_or("")
                                    .to_string(),
                            );
                        }
                        let t = next.trim_start().trim_start_matches("pub ");
                        let t = t.trim_start_matches("(crate) ");
                        if let Some(rest) = t
                            .strip_prefix("struct ")
                            .or_else(|| t.strip_prefix("enum "))
                        {
                            name = rest
                                .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                                .next()
                                .map(str::to_string);
                            break;
                        }
                    }
                    let Some(name) = renamed.or(name) else {
                        continue;
                    };
                    count += 1;
                    let place = format!("{}:{}", path.display(), i + 1);
                    if let Some(first) = seen.insert(name.clone(), place.clone()) {
                        dups.push(format!("{name}: {first} and {place}"));
                    }
                }
            }
        }
    }
    assert!(count > 50, "found only {count} schemas: the scan is broken");
    assert!(dups.is_empty(), "schema names used twice: {dups:#?}");
}
