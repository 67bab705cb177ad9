//! SMS through a local fake of each gateway (eSMS, SpeedSMS), an HTTP server in the test
//! that implements their documented request and answer shapes and plays a script: HTTP 500,
//! a gateway that does not answer in time, a refusal, an acceptance. Retries with back-off,
//! the dead letter for a refusal, the idempotency key sent each time, no message sent twice
//! when a worker dies holding its lease.

use crate::support::*;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, TimeDelta, Utc};
use motcua_http::delivery::Worker;
use motcua_http::delivery::sms::Gateway;
use motcua_http::{AppState, ManualClock};
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

const COMMUNE: &str = "000.31.12.H53";

#[derive(Clone)]
enum Reply {
    Status(u16),
    Hang,
    Json(Value),
}

#[derive(Default)]
struct Fake {
    script: VecDeque<Reply>,
    /// (path, authorization header, body) of every request.
    seen: Vec<(String, Option<String>, Value)>,
}

type Shared = Arc<Mutex<Fake>>;

async fn answer(fake: Shared, path: &str, headers: HeaderMap, body: Value) -> Response {
    let reply = {
        let mut f = fake.lock().unwrap();
        f.seen.push((
            path.to_string(),
            headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
            body,
        ));
        f.script.pop_front().unwrap_or(Reply::Status(503))
    };
    match reply {
        Reply::Status(s) => StatusCode::from_u16(s).unwrap().into_response(),
        Reply::Hang => {
            tokio::time::sleep(std::time::Duration::from_secs(30)).await;
            StatusCode::OK.into_response()
        }
        Reply::Json(v) => Json(v).into_response(),
    }
}

/// Starts the fake gateways; answers their base address and the shared script.
async fn fake_gateway() -> (String, Shared) {
    let fake: Shared = Arc::default();
    let app = axum::Router::new()
        .route(
            "/MainService.svc/json/SendMultipleMessage_V4_post_json/",
            axum::routing::post(
                |State(f): State<Shared>, h: HeaderMap, Json(b): Json<Value>| async move {
                    answer(f, "esms", h, b).await
                },
            ),
        )
        .route(
            "/index.php/sms/send",
            axum::routing::post(
                |State(f): State<Shared>, h: HeaderMap, Json(b): Json<Value>| async move {
                    answer(f, "speedsms", h, b).await
                },
            ),
        )
        .with_state(fake.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (base, fake)
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).expect("instant").to_utc()
}

fn esms(base: &str) -> Gateway {
    Gateway::Esms {
        base: base.to_string(),
        api_key: "KEY".into(),
        secret_key: "SECRET".into(),
        brandname: "MOTCUA".into(),
    }
}

fn worker(name: &str, gateway: Gateway) -> Worker {
    let mut w = Worker::new(None, Some(gateway));
    w.name = name.to_string();
    w.sms_timeout = std::time::Duration::from_millis(500);
    w
}

/// The demo's own notices, dispatched out of the way (recorded as skipped by a worker with
/// no channel), so that a test sees only its own.
async fn demo_out_of_the_way(st: &AppState) {
    let quiet = Worker::new(None, None);
    while quiet.pass(st).await.expect("pass").0 > 0 {}
}

/// An online dossier by an applicant who left a phone number, accepted: (dossier id, code).
async fn accepted(st: &AppState, phone: &str) -> (String, String) {
    let login: String = phone.chars().filter(char::is_ascii_digit).collect();
    let citizen = applicant(st, &format!("nguoi-nop-{login}"), "Danh Sơn").await;
    let (s, v) = call(
        st,
        "POST",
        "/api/v1/dossiers",
        Some(&citizen),
        Some(json!({
            "procedure": "1.001193", "agency": COMMUNE,
            "applicant": {"name": "Danh Sơn", "phone": phone},
            "form": {"ten_tre": "Danh Minh", "ngay_sinh": "27/02/2026"},
            "components": ["Tờ khai đăng ký khai sinh", "Giấy chứng sinh"]
        })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let id = v["id"].as_str().unwrap().to_string();
    let desk = staff(
        st,
        &format!("mot-cua.{login}"),
        COMMUNE,
        "reception-officer",
    )
    .await;
    let (s, v) = command(st, &desk, &id, json!({"command": "accept"})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let code = st
        .store
        .dossier(&id)
        .await
        .unwrap()
        .code
        .clone()
        .unwrap()
        .to_string();
    (id, code)
}

fn sms_of(st: &AppState, id: &str) -> impl std::future::Future<Output = motcua_store::Delivery> {
    let (st, id) = (st.clone(), id.to_string());
    async move {
        st.store
            .deliveries_of(&id)
            .await
            .unwrap()
            .into_iter()
            .find(|d| d.channel == "sms")
            .expect("an SMS delivery")
    }
}

#[tokio::test]
async fn esms_errors_and_timeouts_are_retried_with_the_same_request_id() {
    let (base, fake) = fake_gateway().await;
    fake.lock().unwrap().script = VecDeque::from([
        Reply::Status(500),
        Reply::Hang,
        Reply::Json(json!({"CodeResult": "99", "ErrorMessage": "Unknown error"})),
        Reply::Json(json!({"CodeResult": "100", "SMSID": "a1b2"})),
    ]);
    let clock = Arc::new(ManualClock::new(at("2026-12-07T09:00:00+07:00")));
    let st = state().await.with_clock(clock.clone());
    demo_out_of_the_way(&st).await;
    let (id, code) = accepted(&st, "0913 000 222").await;
    let w = worker("w1", esms(&base));
    for attempt in 1..=4 {
        let (_, sent, failed) = w.pass(&st).await.expect("pass");
        let d = sms_of(&st, &id).await;
        if attempt < 4 {
            assert_eq!(
                (sent, failed),
                (0, 1),
                "attempt {attempt}: {:?}",
                d.last_error
            );
            assert_eq!(d.state, "pending");
            clock.advance(d.next_at - st.clock.now() + TimeDelta::seconds(1));
        } else {
            assert_eq!((sent, failed), (1, 0), "attempt {attempt}");
            assert_eq!((d.state.as_str(), d.attempts), ("sent", 4));
        }
    }
    assert_eq!(w.pass(&st).await.expect("pass"), (0, 0, 0), "nothing more");
    let seen = fake.lock().unwrap().seen.clone();
    assert_eq!(seen.len(), 4);
    let key = &seen[0].2["RequestId"];
    for (path, _, body) in &seen {
        assert_eq!(path, "esms");
        assert_eq!(
            &body["RequestId"], key,
            "the same idempotency key every time"
        );
        assert_eq!(body["Phone"], "0913000222");
        assert_eq!(body["ApiKey"], "KEY");
        assert_eq!(body["Brandname"], "MOTCUA");
        assert_eq!(body["SmsType"], "2");
        let text = body["Content"].as_str().unwrap();
        assert!(
            text.is_ascii() && text.len() <= 160 && text.contains(&code),
            "{text}"
        );
        assert!(text.starts_with("Ho so "), "{text}");
    }
}

#[tokio::test]
async fn a_refusal_goes_to_the_dead_letters_at_once_and_speedsms_is_spoken_too() {
    let (base, fake) = fake_gateway().await;
    fake.lock().unwrap().script = VecDeque::from([Reply::Json(
        json!({"CodeResult": "104", "ErrorMessage": "Brandname chưa đăng ký"}),
    )]);
    let st = state().await;
    demo_out_of_the_way(&st).await;
    let (id, _) = accepted(&st, "0913000333").await;
    let (_, sent, failed) = worker("w1", esms(&base)).pass(&st).await.expect("pass");
    assert_eq!((sent, failed), (0, 1));
    let d = sms_of(&st, &id).await;
    assert_eq!((d.state.as_str(), d.attempts), ("dead", 1));
    assert!(d.last_error.unwrap().contains("CodeResult 104"));

    // SpeedSMS: the token as the Basic user; an invalid number is refused for good, an
    // acceptance is sent.
    let speed = Gateway::SpeedSms {
        base: base.clone(),
        token: "TOKEN".into(),
        sender: "MOTCUA".into(),
    };
    fake.lock().unwrap().script = VecDeque::from([
        Reply::Json(json!({"status": "error", "code": "500", "message": "Internal error"})),
        Reply::Json(json!({"status": "success", "code": "00", "data": {"tranId": 1}})),
    ]);
    let clock = Arc::new(ManualClock::new(st.clock.now()));
    let st = st.with_clock(clock.clone());
    let (id, code) = accepted(&st, "0913000444").await;
    let w = worker("w2", speed);
    assert_eq!(w.pass(&st).await.expect("pass").2, 1, "500 is tried again");
    clock.advance(TimeDelta::hours(1));
    assert_eq!(w.pass(&st).await.expect("pass").1, 1);
    assert_eq!(sms_of(&st, &id).await.state, "sent");
    let seen = fake.lock().unwrap().seen.clone();
    let (path, auth, body) = seen.last().unwrap();
    assert_eq!(path, "speedsms");
    assert_eq!(auth.as_deref(), Some("Basic VE9LRU46eA=="), "TOKEN:x");
    assert_eq!(body["to"], json!(["0913000444"]));
    assert_eq!(body["sender"], "MOTCUA");
    assert!(body["content"].as_str().unwrap().contains(&code));
}

#[tokio::test]
async fn a_worker_that_dies_holding_its_lease_loses_nothing_and_sends_nothing_twice() {
    let (base, fake) = fake_gateway().await;
    fake.lock().unwrap().script =
        VecDeque::from(vec![Reply::Json(json!({"CodeResult": "100"})); 10]);
    let clock = Arc::new(ManualClock::new(at("2026-12-07T09:00:00+07:00")));
    let st = state().await.with_clock(clock.clone());
    demo_out_of_the_way(&st).await;
    let mut ids = Vec::new();
    for n in 0..3 {
        ids.push(accepted(&st, &format!("091300055{n}")).await.0);
    }
    // Worker "a" dispatches and claims everything, then dies before sending.
    let sms_only = motcua_http::app::notifications::Configured {
        email: false,
        sms: true,
    };
    let dispatched = motcua_http::app::notifications::dispatch(&st, sms_only, 100)
        .await
        .expect("dispatch");
    assert_eq!(dispatched, 3);
    let claimed = st
        .store
        .claim("a", st.clock.now(), chrono::Duration::seconds(120), 20)
        .await
        .expect("claim");
    assert_eq!(claimed.len(), 3);
    // "b" finds them leased, and takes them when the lease has ended.
    let b = worker("b", esms(&base));
    assert_eq!(b.pass(&st).await.expect("pass"), (0, 0, 0));
    clock.advance(TimeDelta::seconds(121));
    assert_eq!(b.pass(&st).await.expect("pass").1, 3);
    assert_eq!(b.pass(&st).await.expect("pass"), (0, 0, 0));
    for id in &ids {
        assert_eq!(sms_of(&st, id).await.state, "sent");
    }
    assert_eq!(fake.lock().unwrap().seen.len(), 3, "each sent once");
}

/// A POST to the inbound endpoint as the gateway makes it.
async fn inbound(
    st: &AppState,
    token: Option<&str>,
    from: &str,
    text: &str,
) -> (StatusCode, Value) {
    let mut req = axum::http::Request::post("/api/v1/integration/sms/inbound")
        .header("content-type", "application/json");
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    let req = req
        .body(axum::body::Body::from(
            json!({"from": from, "text": text}).to_string(),
        ))
        .unwrap();
    respond(st, req).await
}

#[tokio::test]
async fn an_sms_lookup_is_answered_by_sms_and_held_back_when_repeated() {
    let (base, fake) = fake_gateway().await;
    fake.lock().unwrap().script =
        VecDeque::from(vec![Reply::Json(json!({"CodeResult": "100"})); 20]);
    let st = state().await;
    demo_out_of_the_way(&st).await;
    let (_, code) = accepted(&st, "0913000666").await;
    // Off without a token; with one, only the gateway that presents it.
    let (s, v) = inbound(&st, Some("x"), "0913000777", &format!("MC {code}")).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("sms_inbound_disabled"))
    );
    let mut st = st;
    st.sms_inbound_token = Some("gateway-secret".into());
    let (s, _) = inbound(&st, Some("wrong"), "0913000777", &format!("MC {code}")).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _) = inbound(&st, None, "0913000777", &format!("MC {code}")).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);

    let ask = |text: String| {
        let st = st.clone();
        async move { inbound(&st, Some("gateway-secret"), "0913 000 777", &text).await }
    };
    let (s, v) = ask(format!("mc {code}")).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    let reply = v["reply"].as_str().unwrap().to_string();
    assert_eq!(v["to"], "0913000777");
    assert!(reply.is_ascii() && reply.chars().count() <= 160, "{reply}");
    for needle in [code.as_str(), "Da tiep nhan", "Hen tra: "] {
        assert!(reply.contains(needle), "{needle} in {reply}");
    }
    let (_, v) = ask("MC 12345".into()).await;
    assert!(
        v["reply"].as_str().unwrap().contains("khong dung dang"),
        "{v}"
    );
    let (_, v) = ask("MC 000.31.12.H53-261207-9999".into()).await;
    assert!(
        v["reply"]
            .as_str()
            .unwrap()
            .starts_with("Khong tim thay ho so"),
        "{v}"
    );
    let (_, v) = ask("xin chao".into()).await;
    assert!(
        v["reply"]
            .as_str()
            .unwrap()
            .contains("soan: MC 000.00.04.H53-261202-0001"),
        "{v}"
    );
    let (s, v) = inbound(&st, Some("gateway-secret"), "not a phone", "MC x").await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_phone"))
    );

    // The replies go out through the outbox to the number that asked.
    let w = worker("w1", esms(&base));
    let (_, sent, _) = w.pass(&st).await.expect("pass");
    assert_eq!(sent, 4 + 1, "four replies and the acceptance's SMS");
    let seen = fake.lock().unwrap().seen.clone();
    let to_asker: Vec<&Value> = seen
        .iter()
        .map(|x| &x.2)
        .filter(|b| b["Phone"] == "0913000777")
        .collect();
    assert_eq!(to_asker.len(), 4);
    assert_eq!(to_asker[0]["Content"], reply.as_str());

    // Ten lookups an hour a number; the eleventh is held back and costs nothing.
    for _ in 0..6 {
        assert_eq!(ask("xin chao".into()).await.0, StatusCode::ACCEPTED);
    }
    let (s, v) = ask("xin chao".into()).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("too_many_lookups"))
    );
    let (s, _) = inbound(&st, Some("gateway-secret"), "0913000888", "xin chao").await;
    assert_eq!(s, StatusCode::ACCEPTED, "another number is not held back");
}
