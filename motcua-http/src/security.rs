//! Headers every response carries so that browsers treat it as what it is: no type
//! sniffing, no referrer sent to other sites (lookup addresses carry dossier codes), no
//! framing, a strict Content-Security-Policy on pages (no inline scripts), and HSTS when the
//! server is told it sits behind TLS.

use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// The policy for every HTML page: everything from this site only, no inline scripts or
/// styles, no plugins, no framing, forms only to this site.
pub const PAGE_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Adds the headers to every response (`behind_tls`: clients use HTTPS).
pub async fn headers(behind_tls: bool, req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    let h = response.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    let html = h
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if html && !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(PAGE_POLICY),
        );
    }
    if behind_tls {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use axum::Router;
    use axum::body::Body;
    use axum::http::Request;
    use axum::response::Html;
    use axum::routing::get;
    use tower::ServiceExt;

    async fn answer(behind_tls: bool, path: &str) -> axum::http::HeaderMap {
        let app = Router::new()
            .route("/page", get(|| async { Html("<p>trang</p>") }))
            .route("/data", get(|| async { "{}" }))
            .layer(axum::middleware::from_fn(move |req, next| {
                super::headers(behind_tls, req, next)
            }));
        let req = Request::get(path).body(Body::empty()).expect("request");
        app.oneshot(req).await.expect("response").headers().clone()
    }

    #[tokio::test]
    async fn pages_get_a_strict_policy_and_every_answer_the_basics() {
        let page = answer(false, "/page").await;
        assert_eq!(page["content-security-policy"], super::PAGE_POLICY);
        assert!(!super::PAGE_POLICY.contains("unsafe-inline"));
        assert!(super::PAGE_POLICY.contains("frame-ancestors 'none'"));
        let data = answer(false, "/data").await;
        assert!(data.get("content-security-policy").is_none());
        for h in [&page, &data] {
            assert_eq!(h["x-content-type-options"], "nosniff");
            assert_eq!(h["referrer-policy"], "same-origin");
            assert!(h.get("strict-transport-security").is_none());
        }
        let tls = answer(true, "/data").await;
        assert!(
            tls["strict-transport-security"]
                .to_str()
                .expect("ascii")
                .starts_with("max-age=")
        );
    }
}
