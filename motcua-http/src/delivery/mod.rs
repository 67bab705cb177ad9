//! The outbox worker (docs/notifications.md): dispatches the notifications commands wrote,
//! then sends the deliveries due, each outside any transaction, and records the outcome.
//! Runs inside `motcua serve` and alone as `motcua outbox run`; on several servers each runs
//! one, and the leases keep them from taking the same delivery.
//!
//! Mail goes over SMTP with lettre (STARTTLS or TLS with rustls): a plain-text and an HTML
//! part in Vietnamese, the receipt PDF attached to the acceptance, and a `Message-ID` made
//! from the delivery's idempotency key. A crash between the send and its record sends the
//! message once more when the lease ends (mail servers do not deduplicate); it is never lost.

use chrono::{DateTime, Duration, Utc};
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use motcua_store::Delivery;
use std::time::Duration as StdDuration;

use crate::AppState;
use crate::app::notifications::{self, Configured};

pub mod sms;

/// How long a claimed delivery is the worker's unless configured otherwise.
pub const LEASE: StdDuration = StdDuration::from_secs(120);
/// Attempts before a delivery goes to the dead letters.
pub const MAX_ATTEMPTS: i64 = 8;

/// A configured mail server.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    /// From an SMTP URL (`smtp://host:25` plain, `smtp://host:587?tls=required` STARTTLS,
    /// `smtps://host:465` TLS, credentials as `smtp://user:pass@host`) and the sender
    /// (`Một cửa Sóc Trăng <motcua@soctrang.gov.vn>`).
    pub fn new(url: &str, from: &str) -> Result<Mailer, String> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| format!("the SMTP URL is not usable: {e}"))?
            .timeout(Some(StdDuration::from_secs(20)))
            .build();
        let from: Mailbox = from
            .parse()
            .map_err(|e| format!("the sender address is not usable: {e}"))?;
        Ok(Mailer { transport, from })
    }

    /// Sends one delivery; `Err((why, permanent))` when it could not.
    async fn send(
        &self,
        d: &Delivery,
        receipt: Option<(String, Vec<u8>)>,
    ) -> Result<(), (String, bool)> {
        let to: Mailbox = d
            .recipient
            .parse()
            .map_err(|e| (format!("not an address: {e}"), true))?;
        let html = format!(
            "<!doctype html><html lang=\"vi\"><body style=\"font-family: 'Times New Roman', serif; font-size: 16px\">{}</body></html>",
            html_paragraphs(&d.body)
        );
        let text = SinglePart::plain(d.body.clone());
        let alternative = MultiPart::alternative()
            .singlepart(text)
            .singlepart(SinglePart::html(html));
        let body =
            match receipt {
                Some((name, pdf)) => MultiPart::mixed().multipart(alternative).singlepart(
                    Attachment::new(name).body(
                        pdf,
                        ContentType::parse("application/pdf").map_err(|e| (e.to_string(), true))?,
                    ),
                ),
                None => alternative,
            };
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(d.title.clone())
            .message_id(Some(format!(
                "<{}@motcua>",
                d.idempotency_key.replace(':', ".")
            )))
            .multipart(body)
            .map_err(|e| (format!("cannot build the message: {e}"), true))?;
        match self.transport.send(message).await {
            Ok(_) => Ok(()),
            Err(e) => Err((e.to_string(), e.is_permanent())),
        }
    }
}

fn html_paragraphs(text: &str) -> String {
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    text.split("\n\n")
        .map(|p| {
            let lines: Vec<String> = p
                .lines()
                .map(|l| {
                    let l = escape(l);
                    // Addresses become links.
                    l.split(' ')
                        .map(|w| {
                            if w.starts_with("https://") || w.starts_with("http://") {
                                let bare = w.trim_end_matches(['.', ',', ')']);
                                format!("<a href=\"{bare}\">{bare}</a>{}", &w[bare.len()..])
                            } else {
                                w.to_string()
                            }
                        })
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .collect();
            format!("<p>{}</p>", lines.join("<br>"))
        })
        .collect()
}

/// The worker's configuration.
#[derive(Clone)]
pub struct Worker {
    /// Its name in the leases (host and process).
    pub name: String,
    /// The mail server, if any.
    pub mailer: Option<Mailer>,
    /// The SMS gateway, if any.
    pub sms: Option<sms::Gateway>,
    /// How long a gateway may take to answer.
    pub sms_timeout: StdDuration,
    /// How long a claimed delivery stays this worker's: after a crash, another worker sends
    /// it when the lease ends. Longer than the slowest send (the SMTP and SMS timeouts).
    pub lease: StdDuration,
    http: sms::HttpClient,
}

/// When to try again after `attempts` failed ones: 30 s doubling each time, at most 6 h,
/// with ±25 % jitter so that servers that failed together do not retry together.
pub fn backoff(now: DateTime<Utc>, attempts: i64, jitter: f64) -> DateTime<Utc> {
    let base = (30_i64 << attempts.clamp(0, 20)).min(6 * 3600) as f64;
    let factor = 0.75 + 0.5 * jitter.clamp(0.0, 1.0);
    now + Duration::milliseconds((base * factor * 1000.0) as i64)
}

impl Worker {
    /// A worker named after this host and process.
    pub fn new(mailer: Option<Mailer>, sms: Option<sms::Gateway>) -> Worker {
        let host = std::fs::read_to_string("/etc/hostname")
            .map(|h| h.trim().to_string())
            .unwrap_or_else(|_| "motcua".into());
        Worker {
            name: format!("{host}:{}", std::process::id()),
            mailer,
            sms,
            sms_timeout: StdDuration::from_secs(15),
            lease: LEASE,
            http: sms::client(),
        }
    }

    fn configured(&self) -> Configured {
        Configured {
            email: self.mailer.is_some(),
            sms: self.sms.is_some(),
        }
    }

    /// One pass: dispatch what is new, send what is due. Answers (dispatched, sent, failed).
    pub async fn pass(&self, app: &AppState) -> Result<(usize, usize, usize), String> {
        let dispatched = notifications::dispatch(app, self.configured(), 200)
            .await
            .map_err(|e| e.message)?;
        let now = app.now();
        let due = app
            .store
            .claim(
                &self.name,
                now,
                Duration::milliseconds(self.lease.as_millis() as i64),
                20,
            )
            .await
            .map_err(|e| e.to_string())?;
        let (mut sent, mut failed) = (0, 0);
        for d in due {
            let outcome = match (d.channel.as_str(), &self.mailer, &self.sms) {
                ("email", Some(m), _) => {
                    let receipt = self.receipt(app, &d).await;
                    m.send(&d, receipt).await
                }
                ("sms", _, Some(g)) => {
                    g.send(
                        &self.http,
                        &d.recipient,
                        &d.body,
                        &d.idempotency_key,
                        self.sms_timeout,
                    )
                    .await
                }
                (channel, _, _) => Err((format!("no {channel} channel configured here"), false)),
            };
            let now = app.now();
            let recorded = match outcome {
                Ok(()) => {
                    sent += 1;
                    tracing::info!(delivery = d.id, channel = %d.channel, "notification sent");
                    app.store.delivered(d.id, &self.name, now).await
                }
                Err((why, permanent)) => {
                    failed += 1;
                    let last = permanent || d.attempts + 1 >= MAX_ATTEMPTS;
                    tracing::warn!(delivery = d.id, channel = %d.channel, error = %why, dead = last, "notification not sent");
                    let jitter = (d.id.wrapping_mul(2_654_435_761) % 1000) as f64 / 1000.0;
                    let retry = (!last).then(|| backoff(now, d.attempts, jitter));
                    app.store.failed(d.id, &self.name, &why, retry).await
                }
            };
            match recorded {
                Ok(true) => {}
                Ok(false) => tracing::warn!(
                    delivery = d.id,
                    "the lease ended before the outcome was recorded; another worker may send it again"
                ),
                Err(e) => tracing::error!(delivery = d.id, error = %e, "cannot record a delivery"),
            }
        }
        Ok((dispatched, sent, failed))
    }

    /// Raises the alerts due (`crate::app::alerts`) if this worker holds the `alerts` job,
    /// which one server at a time holds (a lease in the database, renewed by its holder,
    /// taken over 10 minutes after the holder stops). Answers how many were new, or `None`
    /// when another server holds the job.
    pub async fn alerts(&self, app: &AppState) -> Result<Option<usize>, String> {
        let now = app.now();
        let mine = app
            .store
            .take_job("alerts", &self.name, now, Duration::minutes(10))
            .await
            .map_err(|e| e.to_string())?;
        if !mine {
            return Ok(None);
        }
        tracing::info!(worker = %self.name, "running the alerts job");
        crate::app::alerts::raise(app, now)
            .await
            .map(Some)
            .map_err(|e| e.message)
    }

    /// Reprojects the dossiers in flight of the calendar changes applied and not finished
    /// (`crate::app::reprojection`), if this worker holds the `calendar` job (one server at a
    /// time). Answers how many dossiers' deadlines moved, or `None` when there was nothing to
    /// do or another server holds the job.
    pub async fn calendar_changes(&self, app: &AppState) -> Result<Option<u64>, String> {
        let config = app.config().await.map_err(|e| e.message)?;
        if config.calendar_changes.iter().all(|c| c.done_at.is_some()) {
            return Ok(None);
        }
        let mine = app
            .store
            .take_job("calendar", &self.name, app.now(), Duration::minutes(10))
            .await
            .map_err(|e| e.to_string())?;
        if !mine {
            return Ok(None);
        }
        tracing::info!(worker = %self.name, "reprojecting the dossiers a calendar change concerns");
        crate::app::reprojection::run_pending(app, &|_, _| {})
            .await
            .map(|r| Some(r.moved))
            .map_err(|e| e.message)
    }

    /// The receipt to attach to the mail of an acceptance.
    async fn receipt(&self, app: &AppState, d: &Delivery) -> Option<(String, Vec<u8>)> {
        if d.kind != "accepted" {
            return None;
        }
        let dossier = app.store.dossier(&d.subject_id).await.ok()?;
        let code = dossier.code.as_ref()?.to_string();
        match crate::app::forms::render_by_code(app, &code, "receipt").await {
            Ok(r) => Some((r.file_name, r.pdf)),
            Err(e) => {
                tracing::warn!(delivery = d.id, error = %e.message, "sending the acceptance without its receipt");
                None
            }
        }
    }

    /// Runs passes until the process ends, one a second (at once again when a pass found
    /// work), and the alerts every five minutes.
    pub async fn run(self, app: AppState) {
        let mut alerts_at = std::time::Instant::now();
        let mut first = true;
        tracing::info!(
            worker = %self.name,
            email = self.mailer.is_some(),
            sms = self.sms.as_ref().map(sms::Gateway::name),
            "outbox worker started"
        );
        loop {
            if first || alerts_at.elapsed() >= StdDuration::from_secs(300) {
                first = false;
                alerts_at = std::time::Instant::now();
                match self.alerts(&app).await {
                    Ok(Some(n)) if n > 0 => tracing::info!(raised = n, "alerts raised"),
                    Ok(_) => {}
                    Err(e) => tracing::error!(error = %e, "alerts failed"),
                }
            }
            match self.calendar_changes(&app).await {
                Ok(Some(n)) => tracing::info!(moved = n, "dossiers reprojected"),
                Ok(None) => {}
                Err(e) => tracing::error!(error = %e, "re-projection failed"),
            }
            let busy = match self.pass(&app).await {
                Ok((d, s, f)) => d + s + f > 0,
                Err(e) => {
                    tracing::error!(error = %e, "outbox pass failed");
                    false
                }
            };
            if !busy {
                tokio::time::sleep(StdDuration::from_secs(1)).await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_off_doubles_with_jitter_and_stops_growing() {
        let now = Utc::now();
        let secs = |a, j| (backoff(now, a, j) - now).num_milliseconds() as f64 / 1000.0;
        assert_eq!(secs(0, 0.5), 30.0);
        assert_eq!(secs(1, 0.5), 60.0);
        assert_eq!(secs(3, 0.5), 240.0);
        assert_eq!(secs(30, 0.5), 21_600.0, "at most 6 hours");
        assert_eq!(secs(0, 0.0), 22.5);
        assert_eq!(secs(0, 1.0), 37.5);
    }

    #[test]
    fn mail_html_escapes_and_links() {
        let h =
            html_paragraphs("Hồ sơ <A> đã tiếp nhận.\nTra cứu: https://x.vn/tra-cuu/1.\n\nUBND");
        assert_eq!(
            h,
            "<p>Hồ sơ &lt;A&gt; đã tiếp nhận.<br>Tra cứu: <a href=\"https://x.vn/tra-cuu/1\">https://x.vn/tra-cuu/1</a>.</p><p>UBND</p>"
        );
    }
}
