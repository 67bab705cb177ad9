//! SMS through the brandname gateways Vietnamese agencies use, each behind the same call:
//! eSMS (`SendMultipleMessage_V4_post_json`: JSON with `ApiKey`, `SecretKey`, `Brandname`,
//! `SmsType` 2 for customer care, `RequestId` to refuse duplicates; `CodeResult` 100 is
//! accepted) and SpeedSMS (`/index.php/sms/send`: the access token as the Basic user, JSON
//! with `to`, `content`, `sms_type`, `sender`; `status` `success`). Shapes from their
//! public documentation (developers.esms.vn, speedsms.vn). Credentials come from the
//! environment (docs/notifications.md).

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};
use std::time::Duration;

/// An HTTPS (or, for a local test gateway, HTTP) client.
pub type HttpClient = Client<hyper_rustls::HttpsConnector<HttpConnector>, Full<Bytes>>;

/// A client with Mozilla's roots.
pub fn client() -> HttpClient {
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_webpki_roots()
        .https_or_http()
        .enable_http1()
        .build();
    Client::builder(TokioExecutor::new()).build(https)
}

/// A configured gateway.
#[derive(Clone, Debug)]
pub enum Gateway {
    /// eSMS.vn.
    Esms {
        /// Base address (`https://rest.esms.vn`).
        base: String,
        /// `ApiKey`.
        api_key: String,
        /// `SecretKey`.
        secret_key: String,
        /// The registered brandname.
        brandname: String,
    },
    /// SpeedSMS.vn.
    SpeedSms {
        /// Base address (`https://api.speedsms.vn`).
        base: String,
        /// The access token.
        token: String,
        /// The registered sender (brandname).
        sender: String,
    },
}

fn env(name: &str) -> Result<String, String> {
    std::env::var(name)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| format!("{name} is not set"))
}

fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

impl Gateway {
    /// The gateway named `kind` (`esms`, `speedsms`) at `base` (its public address when
    /// `None`), with its credentials from the environment: `MOTCUA_ESMS_API_KEY`,
    /// `MOTCUA_ESMS_SECRET_KEY`, `MOTCUA_ESMS_BRANDNAME`; `MOTCUA_SPEEDSMS_TOKEN`,
    /// `MOTCUA_SPEEDSMS_SENDER`.
    pub fn from_env(kind: &str, base: Option<&str>) -> Result<Gateway, String> {
        let base = |default: &str| base.unwrap_or(default).trim_end_matches('/').to_string();
        match kind {
            "esms" => Ok(Gateway::Esms {
                base: base("https://rest.esms.vn"),
                api_key: env("MOTCUA_ESMS_API_KEY")?,
                secret_key: env("MOTCUA_ESMS_SECRET_KEY")?,
                brandname: env("MOTCUA_ESMS_BRANDNAME")?,
            }),
            "speedsms" => Ok(Gateway::SpeedSms {
                base: base("https://api.speedsms.vn"),
                token: env("MOTCUA_SPEEDSMS_TOKEN")?,
                sender: env("MOTCUA_SPEEDSMS_SENDER")?,
            }),
            other => Err(format!("unknown SMS gateway `{other}` (esms or speedsms)")),
        }
    }

    /// The gateway's name.
    pub fn name(&self) -> &'static str {
        match self {
            Gateway::Esms { .. } => "esms",
            Gateway::SpeedSms { .. } => "speedsms",
        }
    }

    /// Sends `text` to `phone`; `key` is the delivery's idempotency key (eSMS refuses a
    /// second request with the same `RequestId`; SpeedSMS has no such field). `Err((why,
    /// permanent))` when it was not accepted: a gateway's refusal of the request itself
    /// (credentials, brandname, number, balance) is permanent; an error of the gateway
    /// (HTTP 5xx, its "unknown error", a timeout) is tried again.
    pub async fn send(
        &self,
        http: &HttpClient,
        phone: &str,
        text: &str,
        key: &str,
        timeout: Duration,
    ) -> Result<(), (String, bool)> {
        let (uri, auth, body) = match self {
            Gateway::Esms {
                base,
                api_key,
                secret_key,
                brandname,
            } => (
                format!("{base}/MainService.svc/json/SendMultipleMessage_V4_post_json/"),
                None,
                json!({
                    "ApiKey": api_key, "SecretKey": secret_key, "Brandname": brandname,
                    "Phone": phone, "Content": text, "SmsType": "2", "IsUnicode": "0",
                    "RequestId": key,
                }),
            ),
            Gateway::SpeedSms {
                base,
                token,
                sender,
            } => (
                format!("{base}/index.php/sms/send"),
                Some(format!("Basic {}", base64(format!("{token}:x").as_bytes()))),
                json!({ "to": [phone], "content": text, "sms_type": 2, "sender": sender }),
            ),
        };
        let mut req = hyper::Request::post(&uri).header("content-type", "application/json");
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        let req = req
            .body(Full::new(Bytes::from(body.to_string())))
            .map_err(|e| (format!("cannot build the request: {e}"), true))?;
        let exchange = async {
            let resp = http
                .request(req)
                .await
                .map_err(|e| (format!("{e}"), false))?;
            let status = resp.status();
            let bytes = resp
                .into_body()
                .collect()
                .await
                .map_err(|e| (format!("reading the answer: {e}"), false))?
                .to_bytes();
            Ok::<_, (String, bool)>((status, bytes))
        };
        let (status, bytes) = tokio::time::timeout(timeout, exchange)
            .await
            .map_err(|_| {
                (
                    format!("{} did not answer in {timeout:?}", self.name()),
                    false,
                )
            })??;
        if status.is_server_error() || status.as_u16() == 429 {
            return Err((format!("{} answered HTTP {status}", self.name()), false));
        }
        let answer: Value = serde_json::from_slice(&bytes).map_err(|_| {
            (
                format!("{} answered HTTP {status} without JSON", self.name()),
                !status.is_success(),
            )
        })?;
        match self {
            Gateway::Esms { .. } => match answer["CodeResult"].as_str() {
                Some("100") => Ok(()),
                // 99: the gateway's own unknown error.
                Some("99") | None => Err((format!("eSMS: {answer}"), false)),
                Some(code) => Err((
                    format!(
                        "eSMS refused it (CodeResult {code}): {}",
                        answer["ErrorMessage"].as_str().unwrap_or("")
                    ),
                    true,
                )),
            },
            Gateway::SpeedSms { .. } => {
                match (answer["status"].as_str(), answer["code"].as_str()) {
                    (Some("success"), _) => Ok(()),
                    // 500: its internal error, "please try again".
                    (_, Some("500")) | (None, _) => Err((format!("SpeedSMS: {answer}"), false)),
                    (_, code) => Err((
                        format!(
                            "SpeedSMS refused it (code {}): {}",
                            code.unwrap_or("?"),
                            answer["message"].as_str().unwrap_or("")
                        ),
                        true,
                    )),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_as_the_rfc_says() {
        for (plain, coded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foobar", "Zm9vYmFy"),
            ("token:x", "dG9rZW46eA=="),
        ] {
            assert_eq!(super::base64(plain.as_bytes()), coded);
        }
    }
}
