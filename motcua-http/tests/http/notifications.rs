//! Notifications delivered: a real SMTP server (aiosmtpd, in the Python that `MOTCUA_PYTHON`
//! names; `.ci/run` installs it and sets `MOTCUA_REQUIRE_SMTP=1`) receives the mail of an
//! acceptance, read back by Python's own email parser: the subject with the code, the
//! appointment in `dd/MM/yyyy HH:mm`, the lookup address, the receipt attached. The
//! applicant's portal inbox has it; a server that does not answer gets retries with
//! back-off, then the dead letters, from which an administrator sends it again; two workers
//! never send the same delivery twice.

use crate::support::*;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use motcua_http::delivery::{Mailer, Worker};
use motcua_http::{AppState, ManualClock};
use serde_json::{Value, json};
use std::sync::Arc;

const COMMUNE: &str = "000.31.12.H53";

/// An aiosmtpd server writing a Maildir, stopped when dropped.
struct Smtp {
    child: std::process::Child,
    port: u16,
    dir: std::path::PathBuf,
    python: String,
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// Starts aiosmtpd on `port` (a free one when `None`), or answers `None` (skipping) when it
/// is not installed and not required.
fn smtp(port: Option<u16>) -> Option<Smtp> {
    let python = std::env::var("MOTCUA_PYTHON").unwrap_or_else(|_| "python3".into());
    let required = std::env::var("MOTCUA_REQUIRE_SMTP").as_deref() == Ok("1");
    let has = std::process::Command::new(&python)
        .args(["-c", "import aiosmtpd"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has {
        assert!(
            !required,
            "aiosmtpd is required (MOTCUA_REQUIRE_SMTP=1) but not in {python}"
        );
        eprintln!("aiosmtpd not installed in {python}: skipping the mail checks");
        return None;
    }
    let port = port.unwrap_or_else(free_port);
    let dir = std::env::temp_dir().join(format!("motcua-mail-{}-{port}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let child = std::process::Command::new(&python)
        .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
        .args(["-c", "aiosmtpd.handlers.Mailbox"])
        .arg(&dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("aiosmtpd starts");
    // Stopped (killed and waited for) when dropped, listening or not.
    let server = Smtp {
        child,
        port,
        dir,
        python,
    };
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Some(server);
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    drop(server);
    panic!("aiosmtpd did not listen on {port}");
}

impl Smtp {
    fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message received, decoded by Python's email package.
    fn messages(&self) -> Vec<Value> {
        const SCRIPT: &str = r#"
import json, mailbox, sys
from email import policy
from email.parser import BytesParser
out = []
box = mailbox.Maildir(sys.argv[1], create=False)
for key in sorted(box.keys()):
    msg = BytesParser(policy=policy.default).parsebytes(box.get_bytes(key))
    text = msg.get_body(preferencelist=("plain",))
    html = msg.get_body(preferencelist=("html",))
    out.append({
        "subject": str(msg["subject"]), "to": str(msg["to"]), "from": str(msg["from"]),
        "message_id": str(msg["message-id"]),
        "text": text.get_content() if text else None,
        "html": html.get_content() if html else None,
        "attachments": [[a.get_filename(), a.get_content_type(), a.get_content()[:5].decode("latin-1")]
                        for a in msg.iter_attachments()],
    })
print(json.dumps(out, ensure_ascii=False))
"#;
        if !self.dir.exists() {
            return Vec::new();
        }
        let out = std::process::Command::new(&self.python)
            .args(["-c", SCRIPT])
            .arg(&self.dir)
            .output()
            .expect("python");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("json")
    }
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).expect("instant").to_utc()
}

/// An online birth registration by a citizen who gave an email address, accepted by the
/// desk: (citizen's token, dossier id, code).
async fn accepted(st: &AppState, login: &str, email: &str) -> (String, String, String) {
    let citizen = applicant(st, login, "Lâm Thị Hồng").await;
    let (s, v) = call(
        st,
        "POST",
        "/api/v1/dossiers",
        Some(&citizen),
        Some(json!({
            "procedure": "1.001193", "agency": COMMUNE,
            "applicant": {"name": "Lâm Thị Hồng", "email": email, "phone": "0912 000 111"},
            "form": {"ten_tre": "Lâm Gia Bảo", "ngay_sinh": "27/02/2026"},
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
    let (_, v) = call(
        st,
        "GET",
        &format!("/api/v1/dossiers/{id}"),
        Some(&citizen),
        None,
    )
    .await;
    let code = v["dossier"]["code"].as_str().expect("code").to_string();
    (citizen, id, code)
}

/// The demo's own dossiers wrote notices too: dispatched here by a worker without a mail
/// server (recorded as skipped), so that a test sees only its own.
async fn demo_notices_out_of_the_way(st: &AppState) {
    let quiet = Worker::new(None, None);
    while quiet.pass(st).await.expect("pass").0 > 0 {}
}

fn worker(name: &str, url: &str) -> Worker {
    let mut w = Worker::new(
        Some(Mailer::new(url, "Một cửa Phường 2 <motcua@phuong2.example.vn>").expect("mailer")),
        None,
    );
    w.name = name.to_string();
    w
}

#[tokio::test]
async fn an_acceptance_mails_the_applicant_with_the_receipt_and_fills_the_inbox() {
    let Some(server) = smtp(None) else { return };
    let clock = Arc::new(ManualClock::new(at("2026-12-07T09:00:00+07:00")));
    let st = state().await.with_clock(clock.clone());
    demo_notices_out_of_the_way(&st).await;
    let (citizen, id, code) = accepted(&st, "lam-thi-hong", "hong@example.vn").await;
    let w = worker("w1", &server.url());
    let (dispatched, sent, failed) = w.pass(&st).await.expect("pass");
    assert!(dispatched >= 1, "the acceptance's notice is dispatched");
    assert_eq!((sent, failed), (1, 0), "one mail: the applicant's address");
    // A second pass finds nothing to do: nothing is sent twice.
    assert_eq!(w.pass(&st).await.expect("pass"), (0, 0, 0));

    let mails = server.messages();
    assert_eq!(mails.len(), 1, "{mails:?}");
    let m = &mails[0];
    assert_eq!(m["subject"], format!("Hồ sơ {code} đã được tiếp nhận"));
    assert_eq!(m["to"], "hong@example.vn");
    assert!(
        m["from"]
            .as_str()
            .unwrap()
            .contains("motcua@phuong2.example.vn")
    );
    let text = m["text"].as_str().expect("a plain-text part");
    let html = m["html"].as_str().expect("an HTML part");
    let lookup = format!("https://phuong2.tpsoctrang.soctrang.gov.vn/tra-cuu/{code}");
    for needle in [
        code.as_str(),
        "Ngày hẹn trả kết quả: ",
        lookup.as_str(),
        "UBND Phường 2",
    ] {
        assert!(text.contains(needle), "{needle:?} in {text}");
    }
    assert!(html.contains(&format!("<a href=\"{lookup}\">")), "{html}");
    // The appointment as dd/MM/yyyy HH:mm.
    let when = text.split("Ngày hẹn trả kết quả: ").nth(1).unwrap();
    let when: String = when.chars().take(16).collect();
    assert!(
        chrono::NaiveDateTime::parse_from_str(&when, "%d/%m/%Y %H:%M").is_ok(),
        "{when}"
    );
    let attachments = m["attachments"].as_array().unwrap();
    assert_eq!(attachments.len(), 1, "{attachments:?}");
    assert_eq!(attachments[0][1], "application/pdf");
    assert_eq!(attachments[0][2], "%PDF-");
    assert!(attachments[0][0].as_str().unwrap().starts_with("receipt-"));

    // The portal inbox has it, unread; only its owner can mark it read.
    let (s, inbox) = call(&st, "GET", "/api/v1/me/notifications", Some(&citizen), None).await;
    assert_eq!(s, StatusCode::OK, "{inbox}");
    assert_eq!(inbox["unread"], 1, "{inbox}");
    let entry = &inbox["entries"][0];
    assert_eq!(entry["subject_id"], id.as_str());
    assert_eq!(entry["title"], format!("Hồ sơ {code} đã được tiếp nhận"));
    let read = format!("/api/v1/me/notifications/{}/read", entry["id"]);
    let other = applicant(&st, "nguoi-khac.tb", "Người Khác").await;
    let (s, _) = call(&st, "POST", &read, Some(&other), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = call(&st, "POST", &read, Some(&citizen), None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, inbox) = call(&st, "GET", "/api/v1/me/notifications", Some(&citizen), None).await;
    assert_eq!(inbox["unread"], 0);

    // The SMS has no gateway here: recorded as skipped, with the code, without diacritics.
    let d = st.store.deliveries_of(&id).await.expect("deliveries");
    let sms: Vec<_> = d.iter().filter(|x| x.channel == "sms").collect();
    assert_eq!(sms.len(), 1, "{d:?}");
    assert_eq!(sms[0].state, "skipped");
    assert_eq!(sms[0].recipient, "0912000111");
    assert!(
        sms[0].body.is_ascii() && sms[0].body.contains(&code),
        "{}",
        sms[0].body
    );
    let mail: Vec<_> = d.iter().filter(|x| x.channel == "email").collect();
    assert_eq!((mail[0].state.as_str(), mail[0].attempts), ("sent", 1));
    assert!(
        m["message_id"]
            .as_str()
            .unwrap()
            .contains(&mail[0].idempotency_key.replace(':', "."))
    );
}

#[tokio::test]
async fn a_mail_server_that_does_not_answer_gets_retries_then_the_dead_letters() {
    let port = free_port();
    let url = format!("smtp://127.0.0.1:{port}");
    let clock = Arc::new(ManualClock::new(at("2026-12-07T09:00:00+07:00")));
    let st = state().await.with_clock(clock.clone());
    demo_notices_out_of_the_way(&st).await;
    let (_, id, _) = accepted(&st, "tran-van-ba", "ba@example.vn").await;
    let w = worker("w1", &url);
    // Nobody listens: each attempt fails and is tried again later, later each time.
    let mut waits = Vec::new();
    for attempt in 1..=motcua_http::delivery::MAX_ATTEMPTS {
        let (_, sent, failed) = w.pass(&st).await.expect("pass");
        assert_eq!((sent, failed), (0, 1), "attempt {attempt}");
        let mail = st
            .store
            .deliveries_of(&id)
            .await
            .expect("deliveries")
            .into_iter()
            .find(|d| d.channel == "email")
            .expect("the mail");
        assert_eq!(mail.attempts, attempt);
        assert!(mail.last_error.is_some());
        if attempt < motcua_http::delivery::MAX_ATTEMPTS {
            assert_eq!(mail.state, "pending");
            let wait = mail.next_at - st.clock.now();
            waits.push(wait.num_seconds());
            // Not due before its time.
            assert_eq!(w.pass(&st).await.expect("pass"), (0, 0, 0));
            clock.advance(wait + chrono::TimeDelta::seconds(1));
        } else {
            assert_eq!(mail.state, "dead", "the attempts are used up");
        }
    }
    assert!(
        waits.windows(2).all(|p| p[1] > p[0]),
        "back-off grows: {waits:?}"
    );
    assert!(waits[0] >= 22 && waits[0] <= 38, "{waits:?}");

    // The administrator sees it among the dead letters and sends it again, to a server that
    // now answers.
    let admin = staff(&st, "quan-tri.tb", "000.00.00.H53", "system-admin").await;
    let desk = staff(&st, "mot-cua.tb2", COMMUNE, "reception-officer").await;
    let (s, _) = call(
        &st,
        "GET",
        "/api/v1/deliveries?state=dead",
        Some(&desk),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, dead) = call(
        &st,
        "GET",
        "/api/v1/deliveries?state=dead",
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{dead}");
    let dead_id = dead[0]["id"].as_i64().expect("a dead letter");
    assert_eq!(dead[0]["subject_id"], id.as_str());
    let (s, v) = call(
        &st,
        "GET",
        "/api/v1/deliveries?state=lost",
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_query"))
    );
    // The same in the back office: the administrator's page lists it with its error and a
    // button; an officer is refused; an unknown state is a 400.
    use super::pages::{csrf_of, get_with, post_form};
    let (s, _, _, _) = get_with(
        &st,
        "/can-bo/gui-thong-bao",
        &format!("motcua_session={desk}"),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let admin_cookie = format!("motcua_session={admin}");
    let (s, _, _, page) = get_with(&st, "/can-bo/gui-thong-bao", &admin_cookie).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert!(
        page.contains("ba@example.vn")
            && page.contains(&format!("/can-bo/gui-thong-bao/{dead_id}/gui-lai")),
        "{page}"
    );
    let (s, _, _, _) = get_with(&st, "/can-bo/gui-thong-bao?trang-thai=mat", &admin_cookie).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let page_retry = format!("/can-bo/gui-thong-bao/{dead_id}/gui-lai");
    let (s, _, _, _) = post_form(&st, &page_retry, &admin_cookie, &[("csrf", "forged")]).await;
    assert_eq!(
        s,
        StatusCode::FORBIDDEN,
        "a form without the session's token"
    );
    assert_eq!(
        st.store.deliveries("dead", 10).await.expect("dead").len(),
        1,
        "the forged form changed nothing"
    );
    let Some(server) = smtp(Some(port)) else {
        return;
    };
    let csrf = csrf_of(&page);
    let (s, to, _, _) = post_form(&st, &page_retry, &admin_cookie, &[("csrf", &csrf)]).await;
    assert_eq!(
        (s, to.as_str()),
        (
            StatusCode::SEE_OTHER,
            format!("/can-bo/gui-thong-bao?da-gui-lai={dead_id}").as_str()
        )
    );
    let retry = format!("/api/v1/deliveries/{dead_id}/retry");
    let (s, _) = call(&st, "POST", &retry, Some(&admin), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "no longer dead");
    let (_, sent, _) = w.pass(&st).await.expect("pass");
    assert_eq!(sent, 1);
    assert_eq!(server.messages().len(), 1);
}

#[tokio::test]
async fn two_workers_never_send_the_same_delivery() {
    let Some(server) = smtp(None) else { return };
    let st = state().await;
    demo_notices_out_of_the_way(&st).await;
    for i in 0..6 {
        accepted(&st, &format!("nguoi-nop-{i}"), &format!("n{i}@example.vn")).await;
    }
    let (a, b) = (worker("a", &server.url()), worker("b", &server.url()));
    let mut total = 0;
    for _ in 0..5 {
        let (ra, rb) = tokio::join!(a.pass(&st), b.pass(&st));
        total += ra.expect("a").1 + rb.expect("b").1;
    }
    let mails = server.messages();
    assert_eq!(total, 6, "each acceptance mailed once");
    assert_eq!(mails.len(), 6);
    let mut ids: Vec<&str> = mails
        .iter()
        .map(|m| m["message_id"].as_str().unwrap())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 6, "no message twice");
}

#[tokio::test]
async fn an_applicant_who_declines_email_gets_none_and_keeps_the_inbox() {
    let st = state().await;
    demo_notices_out_of_the_way(&st).await;
    let citizen = applicant(&st, "khong-thu", "Không Thư").await;
    let (s, v) = call(&st, "GET", "/api/v1/me/channels", Some(&citizen), None).await;
    assert_eq!(
        (s, v.clone()),
        (StatusCode::OK, json!({"email": true, "sms": true})),
        "{v}"
    );
    let (s, v) = call(
        &st,
        "PUT",
        "/api/v1/me/channels",
        Some(&citizen),
        Some(json!({"email": false, "sms": true})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = call(
        &st,
        "PUT",
        "/api/v1/me/channels",
        Some(&citizen),
        Some(json!({"email": "no"})),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_body"))
    );
    // Through the page too: the form with only SMS ticked.
    let cookie = format!("motcua_session={citizen}");
    let (_, _, _, page) = super::pages::get_with(&st, "/thong-bao", &cookie).await;
    assert!(
        page.contains("id=\"kenh-sms\" name=\"sms\" value=\"1\" checked"),
        "{page}"
    );
    assert!(!page.contains("id=\"kenh-email\" name=\"email\" value=\"1\" checked"));

    let (s, v) = call(
        &st,
        "POST",
        "/api/v1/dossiers",
        Some(&citizen),
        Some(json!({
            "procedure": "1.001193", "agency": COMMUNE,
            "applicant": {"name": "Không Thư", "email": "khong@example.vn", "phone": "0912000999"},
            "form": {"ten_tre": "Bé", "ngay_sinh": "27/02/2026"},
            "components": ["Tờ khai đăng ký khai sinh", "Giấy chứng sinh"]
        })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let id = v["id"].as_str().unwrap().to_string();
    let desk = staff(&st, "mot-cua.khong-thu", COMMUNE, "reception-officer").await;
    let (s, _) = command(&st, &desk, &id, json!({"command": "accept"})).await;
    assert_eq!(s, StatusCode::OK);
    Worker::new(None, None).pass(&st).await.expect("pass");
    let d = st.store.deliveries_of(&id).await.expect("deliveries");
    assert!(d.iter().all(|x| x.channel != "email"), "no mail: {d:?}");
    assert!(d.iter().any(|x| x.channel == "sms"), "the SMS still: {d:?}");
    let (_, inbox) = call(&st, "GET", "/api/v1/me/notifications", Some(&citizen), None).await;
    assert_eq!(inbox["unread"], 1, "the portal inbox always");
}

#[tokio::test]
async fn an_administrators_template_writes_the_notices_dispatched_after_it() {
    let st = state().await;
    demo_notices_out_of_the_way(&st).await;
    let admin = staff(&st, "quan-tri.mau", "000.00.00.H53", "system-admin").await;
    let desk = staff(&st, "mot-cua.mau", COMMUNE, "reception-officer").await;
    let uri = "/api/v1/notification-templates/accepted";
    let body = json!({
        "title": "[{co_quan}] Đã tiếp nhận hồ sơ {ma_ho_so}",
        "body": "Kính gửi {nguoi_nop},\nhồ sơ {ma_ho_so} đã được tiếp nhận; hẹn trả kết quả {ngay_hen}.\nTra cứu: {tra_cuu}"
    });
    let (s, _) = call(&st, "PUT", uri, Some(&desk), Some(body.clone())).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    for (bad, why) in [
        (
            json!({"title": "Hồ sơ {ma}", "body": "x"}),
            "invalid_template",
        ),
        (
            json!({"title": "Hồ sơ", "body": "hẹn {ngay_hen"}),
            "invalid_template",
        ),
        (json!({"title": "", "body": "x"}), "invalid_template"),
        (json!({"title": "x"}), "invalid_body"),
    ] {
        let (s, v) = call(&st, "PUT", uri, Some(&admin), Some(bad.clone())).await;
        assert_eq!(
            (s, v["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some(why)),
            "{bad}: {v}"
        );
    }
    let (s, v) = call(
        &st,
        "PUT",
        "/api/v1/notification-templates/no-such-kind",
        Some(&admin),
        Some(body.clone()),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_template"))
    );
    let (s, v) = call(&st, "PUT", uri, Some(&admin), Some(body.clone())).await;
    assert_eq!((s, v["version"].as_i64()), (StatusCode::OK, Some(1)), "{v}");
    let (_, v) = call(&st, "PUT", uri, Some(&admin), Some(body)).await;
    assert_eq!(v["version"], 2, "every change is a new version");
    let (s, list) = call(
        &st,
        "GET",
        "/api/v1/notification-templates",
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let entry = list
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["kind"] == "accepted")
        .unwrap();
    assert_eq!(entry["versions"].as_array().unwrap().len(), 2);
    assert_eq!(entry["versions"][0]["created_by"], "quan-tri.mau");

    let (_, id, code) = accepted(&st, "co-mau", "mau@example.vn").await;
    Worker::new(None, None).pass(&st).await.expect("pass");
    let d = st.store.deliveries_of(&id).await.expect("deliveries");
    let mail = d.iter().find(|x| x.channel == "email").expect("mail");
    assert_eq!(
        mail.title,
        format!("[UBND Phường 2] Đã tiếp nhận hồ sơ {code}")
    );
    assert!(
        mail.body.starts_with("Kính gửi Lâm Thị Hồng,\nhồ sơ "),
        "{}",
        mail.body
    );
    assert!(
        mail.body.contains(&format!(
            "Tra cứu: https://phuong2.tpsoctrang.soctrang.gov.vn/tra-cuu/{code}"
        )),
        "{}",
        mail.body
    );
    let when = mail.body.split("hẹn trả kết quả ").nth(1).unwrap();
    assert!(
        chrono::NaiveDateTime::parse_from_str(&when[..16], "%d/%m/%Y %H:%M").is_ok(),
        "{when}"
    );
}

#[tokio::test]
async fn templates_are_written_in_the_back_office_with_their_mistakes_named() {
    use super::pages::{csrf_of, get_with, post_form};
    let st = state().await;
    let admin = format!(
        "motcua_session={}",
        staff(&st, "quan-tri.mau", "000.00.00.H53", "system-admin").await
    );
    let desk = format!(
        "motcua_session={}",
        staff(&st, "mot-cua.mau", COMMUNE, "reception-officer").await
    );
    let (s, _, _, _) = get_with(&st, "/can-bo/mau-thong-bao", &desk).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _, _, page) = get_with(&st, "/can-bo/mau-thong-bao", &admin).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert!(
        page.contains("id=\"mau-accepted\"") && page.contains("{ngay_hen}"),
        "{page}"
    );
    let csrf = csrf_of(&page);
    let (s, _, _, page) = post_form(
        &st,
        "/can-bo/mau-thong-bao",
        &admin,
        &[
            ("csrf", &csrf),
            ("loai", "accepted"),
            ("tieu-de", "Hồ sơ {ma_hs} đã được tiếp nhận"),
            ("noi-dung", "Hẹn trả {ngay_hen}."),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(
        page.contains("error-summary")
            && page.contains("href=\"#tieu-de-accepted\"")
            && page.contains("{ma_hs}"),
        "the mistake named at the top and kept in the field: {page}"
    );
    assert!(
        st.store
            .notice_template_versions("accepted")
            .await
            .expect("versions")
            .is_empty(),
        "nothing stored"
    );
    let (s, to, _, _) = post_form(
        &st,
        "/can-bo/mau-thong-bao",
        &admin,
        &[
            ("csrf", &csrf),
            ("loai", "accepted"),
            ("tieu-de", "Hồ sơ {ma_ho_so} đã được tiếp nhận"),
            ("noi-dung", "Hẹn trả {ngay_hen}."),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, _, _, page) = get_with(&st, &to, &admin).await;
    assert!(
        page.contains("Đã lưu phiên bản mới") && page.contains("Đang dùng phiên bản 1"),
        "{page}"
    );
    let v = st
        .store
        .notice_template_versions("accepted")
        .await
        .expect("versions");
    assert_eq!(
        (v.len(), v[0].title.as_str(), v[0].created_by.as_str()),
        (1, "Hồ sơ {ma_ho_so} đã được tiếp nhận", "quan-tri.mau")
    );
}
