//! Dossier endpoints for applicants and staff: submit online, read, list, queue, and every
//! engine command. Authorization is checked here (whose dossier, which agency) and again by
//! the engine (which role may act at the current step).

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::Utc;
use motcua_core::calendar::to_local_rfc3339;
use motcua_core::dossier::{Applicant, Attachment, Channel, Command, ComponentFile, Dossier};
use motcua_core::procedure::Procedure;
use motcua_store::{ExecuteRequest, QueueFilter, StoreError};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};

use crate::auth::{Session, random_hex};
use crate::error::json_body;
use crate::{ApiError, AppState, Tenant};

/// The dossier if the session may see it: its owner, staff of its agency, or an oversight
/// role above it. Anything else is a 404, so that codes and ids of other people's dossiers
/// cannot be probed.
async fn visible(s: &AppState, session: &Session, id: &str) -> Result<Dossier, ApiError> {
    let d = match s.store.dossier(id).await {
        Ok(d) => d,
        Err(StoreError::NotFound(_)) => return Err(ApiError::not_found("Không tìm thấy hồ sơ.")),
        Err(e) => return Err(e.into()),
    };
    let owner =
        d.owner.as_deref() == Some(session.user.id.as_str()) && session.user.kind == "applicant";
    if owner || session.can_read_at(&d.agency, &s.directory) {
        Ok(d)
    } else {
        Err(ApiError::not_found("Không tìm thấy hồ sơ."))
    }
}

fn procedure_of<'a>(s: &'a AppState, code: &str, version: &str) -> Result<&'a Procedure, ApiError> {
    s.procedures
        .iter()
        .find(|p| p.catalogue.code == code && p.catalogue.version == version)
        .ok_or_else(|| {
            tracing::error!(
                code,
                version,
                "a stored dossier names a procedure version that is not loaded"
            );
            ApiError::not_found("Không tìm thấy phiên bản thủ tục của hồ sơ.")
        })
}

#[derive(Deserialize)]
pub(crate) struct Submit {
    procedure: String,
    /// The receiving agency; the request's tenant (host name or `/t/{agency}`) when absent.
    #[serde(default)]
    agency: Option<String>,
    applicant: Applicant,
    #[serde(default)]
    form: BTreeMap<String, String>,
    #[serde(default)]
    components: Vec<String>,
    /// `direct` or `post` when staff register a paper dossier; online for applicants.
    #[serde(default)]
    channel: Option<Channel>,
    /// The applicant's account, when staff register for them.
    #[serde(default)]
    owner: Option<String>,
}

/// `POST /api/v1/dossiers`: an applicant submits online, or a reception officer registers a
/// dossier received at the desk or by post. A JSON body, or multipart with the same JSON in
/// a `dossier` part and a file part `component:<component name>` per file (PDF, JPEG, PNG);
/// the files are stored in the submission's transaction.
pub(crate) async fn submit(
    State(s): State<AppState>,
    Tenant(tenant): Tenant,
    session: Session,
    req: axum::extract::Request,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    use axum::extract::FromRequest;
    let (b, uploads) = if is_multipart(&req) {
        let parts = read_parts(
            axum::extract::Multipart::from_request(req, &s)
                .await
                .map_err(|_| bad_multipart("Không đọc được nội dung multipart."))?,
            "dossier",
        )
        .await?;
        let json = parts
            .json
            .ok_or_else(|| bad_multipart("Thiếu phần dossier (JSON của hồ sơ)."))?;
        let value: Value = serde_json::from_str(&json)
            .map_err(|_| bad_multipart("Phần dossier phải là JSON hợp lệ."))?;
        let b: Submit = crate::limits::parse(value, crate::limits::SUBMIT)?;
        if parts.file.is_some() {
            return Err(bad_multipart(
                "Tệp của hồ sơ gửi trong phần component:<tên thành phần>.",
            ));
        }
        (b, parts.components)
    } else {
        // The route accepts large bodies for files; a JSON submission has none.
        let bytes = axum::body::to_bytes(req.into_body(), crate::limits::JSON_BYTES)
            .await
            .map_err(|_| ApiError {
                status: StatusCode::PAYLOAD_TOO_LARGE,
                code: "too_large".into(),
                message: format!(
                    "Hồ sơ không kèm tệp không được vượt quá {} byte.",
                    crate::limits::JSON_BYTES
                ),
            })?;
        let value: Value = serde_json::from_slice(&bytes).map_err(|_| {
            ApiError::bad_request(
                "invalid_body",
                "Nội dung yêu cầu phải là JSON hợp lệ (Content-Type: application/json).",
            )
        })?;
        (
            crate::limits::parse(value, crate::limits::SUBMIT)?,
            Vec::new(),
        )
    };
    let (files, attachments) = component_files(uploads);
    let agency = b.agency.or(tenant).ok_or_else(|| {
        ApiError::bad_request(
            "missing_agency",
            "Cần chọn cơ quan tiếp nhận (trường agency).",
        )
    })?;
    // Applicants submit online; a reception officer registers a dossier received at the desk
    // or by post (the engine checks the role), optionally naming the applicant's account.
    let channel = match (session.user.kind.as_str(), b.channel) {
        ("applicant", None | Some(Channel::Online)) => Channel::Online,
        ("applicant", Some(_)) => {
            return Err(ApiError::bad_request(
                "invalid_channel",
                "Người nộp chỉ nộp trực tuyến; hồ sơ trực tiếp hoặc qua bưu chính do cán bộ tiếp nhận đăng ký.",
            ));
        }
        (_, Some(c @ (Channel::Direct | Channel::Post))) => c,
        _ => {
            return Err(ApiError::bad_request(
                "invalid_channel",
                "Cán bộ đăng ký hồ sơ nhận trực tiếp (direct) hoặc qua bưu chính (post).",
            ));
        }
    };
    if s.directory.get(&agency).is_none() {
        return Err(ApiError::bad_request(
            "unknown_agency",
            "Không có cơ quan này.",
        ));
    }
    if channel == Channel::Online
        && !crate::throttle::submission_allowed(&s.store, &session.user.id, Utc::now()).await?
    {
        return Err(ApiError {
            status: StatusCode::TOO_MANY_REQUESTS,
            code: "too_many_submissions".into(),
            message: format!(
                "Mỗi tài khoản nộp tối đa {} hồ sơ trực tuyến trong một giờ; vui lòng thử lại sau.",
                crate::throttle::SUBMISSIONS_PER_HOUR
            ),
        });
    }
    let p = crate::api::latest(&s)
        .into_iter()
        .find(|p| p.catalogue.code == b.procedure)
        .ok_or_else(|| ApiError::bad_request("unknown_procedure", "Không có thủ tục này."))?;
    let id = format!("hs-{}", random_hex(8));
    let actor = session.actor_at(&agency);
    s.store
        .execute(ExecuteRequest {
            dossier_id: &id,
            agency: &agency,
            command: Command::Submit {
                channel,
                applicant: b.applicant,
                owner: b.owner,
                form: b.form,
                components: b.components,
                files,
            },
            actor: &actor,
            now: Utc::now(),
            procedure: p,
            calendar: &s.calendar,
            expected_version: None,
            attachments,
        })
        .await?;
    let d = s.store.dossier(&id).await?;
    Ok((
        StatusCode::CREATED,
        Json(
            json!({ "id": id, "intake_due": d.intake_due.map(to_local_rfc3339), "version": d.version }),
        ),
    ))
}

/// `GET /api/v1/dossiers/{id}`: the dossier and its timeline.
pub(crate) async fn read(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let d = visible(&s, &session, &id).await?;
    let events = s.store.events(&id).await?;
    Ok(Json(
        json!({ "dossier": d, "national_status": d.national_status(), "events": events }),
    ))
}

/// Runs an engine command on a dossier the session may see, as the session's user.
async fn run(
    s: &AppState,
    session: &Session,
    id: &str,
    command: Command,
    expected_version: Option<u64>,
    attachments: Vec<motcua_store::NewAttachment>,
) -> Result<Vec<motcua_core::dossier::RecordedEvent>, ApiError> {
    let d = visible(s, session, id).await?;
    let p = procedure_of(s, &d.procedure, &d.procedure_version)?;
    let actor = session.actor_at(&d.agency);
    let events = s
        .store
        .execute(ExecuteRequest {
            dossier_id: id,
            agency: &d.agency,
            command,
            actor: &actor,
            now: Utc::now(),
            procedure: p,
            calendar: &s.calendar,
            expected_version,
            attachments,
        })
        .await?;
    Ok(events)
}

#[derive(Deserialize)]
pub(crate) struct CommandBody {
    #[serde(default)]
    expected_version: Option<u64>,
    #[serde(flatten)]
    command: Command,
}

/// `POST /api/v1/dossiers/{id}/commands`: any engine command, as the session's user.
pub(crate) async fn command(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    b: Result<Json<Value>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let b: CommandBody = json_body(b, crate::limits::COMMAND)?;
    let events = run(&s, &session, &id, b.command, b.expected_version, vec![]).await?;
    let d = s.store.dossier(&id).await?;
    Ok(Json(json!({
        "events": events,
        "state": d.state,
        "national_status": d.national_status(),
        "step": d.step,
        "code": d.code.map(|c| c.to_string()),
        "appointment": d.clock.appointment.map(to_local_rfc3339),
        "version": d.version,
    })))
}

/// `GET /api/v1/me/dossiers`: an applicant's own dossiers.
pub(crate) async fn mine(
    State(s): State<AppState>,
    session: Session,
) -> Result<Json<Value>, ApiError> {
    let list = s.store.dossiers_of(&session.user.id, 200).await?;
    Ok(Json(json!({ "dossiers": list })))
}

/// `GET /api/v1/search?q=[&agency=]`: staff search the dossiers of the agencies they may
/// read (or one of them) by applicant name, ID number or code, without regard to diacritics
/// or case.
pub(crate) async fn search(
    State(s): State<AppState>,
    session: Session,
    q: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let q = q
        .map(|Query(m)| m)
        .map_err(|_| ApiError::bad_request("invalid_query", "Tham số truy vấn không hợp lệ."))?;
    let text = q.get("q").map(|t| t.trim()).unwrap_or("");
    if text.chars().count() < 2 || text.chars().count() > 100 {
        return Err(ApiError::bad_request(
            "invalid_query",
            "Nhập từ 2 đến 100 ký tự để tìm (họ tên, số giấy tờ hoặc mã hồ sơ).",
        ));
    }
    let agencies: Vec<String> = match q.get("agency") {
        Some(a) if session.can_read_at(a, &s.directory) => vec![a.clone()],
        Some(_) => return Err(ApiError::forbidden("Không có quyền truy cập hồ sơ này.")),
        None => s
            .directory
            .ids()
            .into_iter()
            .filter(|a| session.can_read_at(a, &s.directory))
            .map(str::to_string)
            .collect(),
    };
    if agencies.is_empty() {
        return Err(ApiError::forbidden("Không có quyền truy cập hồ sơ này."));
    }
    let list = s.store.search(&agencies, text, 100).await?;
    Ok(Json(json!({ "dossiers": list })))
}

/// `GET /api/v1/queue?agency=&role=`: a staff member's queue, most urgent first.
pub(crate) async fn queue(
    State(s): State<AppState>,
    Tenant(tenant): Tenant,
    session: Session,
    q: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let q = q
        .map(|Query(m)| m)
        .map_err(|_| ApiError::bad_request("invalid_query", "Tham số truy vấn không hợp lệ."))?;
    // The agency named, else the site's agency where the user works, else their first.
    let agency = match q.get("agency") {
        Some(a) => a.clone(),
        None => tenant
            .filter(|t| session.is_staff_at(t))
            .or_else(|| session.grants.first().map(|g| g.agency_id.clone()))
            .ok_or_else(|| ApiError::forbidden("Không có quyền truy cập hồ sơ này."))?,
    };
    if !session.can_read_at(&agency, &s.directory) {
        return Err(ApiError::forbidden("Không có quyền truy cập hồ sơ này."));
    }
    let list = s
        .store
        .queue(&QueueFilter {
            agency,
            role: q.get("role").cloned(),
            assignee: q.get("assignee").cloned(),
            step: q.get("step").cloned(),
            limit: 200,
        })
        .await?;
    Ok(Json(json!({ "dossiers": list })))
}

/// A file received in a multipart request.
pub(crate) struct Upload {
    name: String,
    content_type: String,
    bytes: Vec<u8>,
}

/// What a multipart request carried: the JSON part, a single `file` part, and the
/// `component:<name>` parts.
struct Parts {
    json: Option<String>,
    file: Option<Upload>,
    components: Vec<(String, Upload)>,
}

fn bad_multipart(m: &str) -> ApiError {
    ApiError::bad_request("invalid_body", m.to_string())
}

fn is_multipart(req: &axum::extract::Request) -> bool {
    req.headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"))
}

/// Reads every part; files must be PDF, JPEG or PNG (by their content), each at most
/// [`crate::limits::FILE_BYTES`], at most [`crate::limits::FILES`] of them.
async fn read_parts(
    mut multipart: axum::extract::Multipart,
    json_name: &str,
) -> Result<Parts, ApiError> {
    let mut parts = Parts {
        json: None,
        file: None,
        components: Vec::new(),
    };
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| bad_multipart("Không đọc được nội dung multipart (có thể tệp quá lớn)."))?
    {
        let part = field.name().unwrap_or("").to_string();
        if part == json_name {
            parts.json = Some(
                field
                    .text()
                    .await
                    .map_err(|_| bad_multipart("Phần JSON không đọc được."))?,
            );
            continue;
        }
        let component = part.strip_prefix("component:").map(str::trim);
        if part != "file" && component.is_none() {
            continue;
        }
        let name = crate::files::clean_name(field.file_name().unwrap_or(""));
        let declared = field.content_type().map(str::to_string);
        let bytes = field
            .bytes()
            .await
            .map_err(|_| bad_multipart("Tệp không đọc được hoặc quá lớn."))?
            .to_vec();
        if bytes.len() > crate::limits::FILE_BYTES {
            return Err(ApiError {
                status: StatusCode::PAYLOAD_TOO_LARGE,
                code: "file_too_large".into(),
                message: format!(
                    "Tệp {name} vượt quá {} MB.",
                    crate::limits::FILE_BYTES / (1024 * 1024)
                ),
            });
        }
        let content_type = crate::files::checked_type(declared.as_deref(), &bytes)?.to_string();
        if parts.components.len() + usize::from(parts.file.is_some()) >= crate::limits::FILES {
            return Err(ApiError::bad_request(
                "too_many_files",
                format!("Mỗi lần gửi tối đa {} tệp.", crate::limits::FILES),
            ));
        }
        let upload = Upload {
            name,
            content_type,
            bytes,
        };
        match component {
            Some("") => return Err(bad_multipart("Phần component: cần tên thành phần hồ sơ.")),
            Some(c) => parts.components.push((c.to_string(), upload)),
            None => parts.file = Some(upload),
        }
    }
    Ok(parts)
}

/// Component files for a command, and the bytes to store with it.
fn component_files(
    uploads: Vec<(String, Upload)>,
) -> (Vec<ComponentFile>, Vec<motcua_store::NewAttachment>) {
    uploads
        .into_iter()
        .map(|(component, u)| {
            (
                ComponentFile {
                    component,
                    attachment: Attachment {
                        name: u.name,
                        sha256: motcua_store::sha256_hex(&u.bytes),
                    },
                },
                motcua_store::NewAttachment {
                    bytes: u.bytes,
                    content_type: u.content_type,
                },
            )
        })
        .unzip()
}

/// `POST /api/v1/dossiers/{id}/attachments`: multipart with a `command` part (JSON) and its
/// files: `attach-draft` or `attach-signed-result` with one `file` part; `receive-supplement`
/// with a `component:<component name>` part per file. Files are PDF, JPEG or PNG, stored
/// with the command's events in one transaction.
pub(crate) async fn upload(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Json<Value>, ApiError> {
    let multipart = multipart.map_err(|_| {
        bad_multipart("Cần gửi dạng multipart/form-data với phần command và các tệp.")
    })?;
    let parts = read_parts(multipart, "command").await?;
    let text = parts
        .json
        .ok_or_else(|| bad_multipart("Thiếu phần command."))?;
    let value: Value = serde_json::from_str(&text)
        .map_err(|_| bad_multipart("Phần command phải là JSON hợp lệ."))?;
    let mut command: Command = crate::limits::parse(value, crate::limits::COMMAND)?;
    let attachments = match &mut command {
        Command::AttachDraft { attachment } | Command::AttachSignedResult { attachment } => {
            let file = parts
                .file
                .ok_or_else(|| bad_multipart("Thiếu phần file."))?;
            attachment.sha256 = motcua_store::sha256_hex(&file.bytes);
            attachment.name = if attachment.name.trim().is_empty() {
                file.name
            } else {
                crate::files::clean_name(&attachment.name)
            };
            vec![motcua_store::NewAttachment {
                bytes: file.bytes,
                content_type: file.content_type,
            }]
        }
        Command::ReceiveSupplement { files, .. } => {
            if parts.components.is_empty() {
                return Err(bad_multipart(
                    "Thiếu tệp bổ sung (phần component:<tên thành phần>).",
                ));
            }
            let (f, attachments) = component_files(parts.components);
            *files = f;
            attachments
        }
        _ => {
            return Err(bad_multipart(
                "Chỉ gửi tệp với lệnh attach-draft, attach-signed-result hoặc receive-supplement.",
            ));
        }
    };
    let events = run(&s, &session, &id, command, None, attachments).await?;
    Ok(Json(json!({ "events": events })))
}

/// `GET /api/v1/dossiers/{id}/attachments/{sha256}[?inline=1]`: a file of a dossier the
/// session may see, as an attachment with its name (or shown in the page with `inline=1`).
pub(crate) async fn download(
    State(s): State<AppState>,
    session: Session,
    Path((id, sha)): Path<(String, String)>,
    q: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Result<axum::response::Response, ApiError> {
    let inline = q.is_ok_and(|Query(m)| m.get("inline").is_some_and(|v| v == "1"));
    let d = visible(&s, &session, &id).await?;
    let name = d
        .drafts
        .iter()
        .chain(d.signed_result.iter())
        .chain(d.files.iter().map(|f| &f.attachment))
        .find(|a| a.sha256 == sha)
        .map(|a| a.name.clone())
        .ok_or_else(|| ApiError::not_found("Hồ sơ không có tệp này."))?;
    let (content_type, bytes) = s.store.attachment(&sha).await?;
    Ok(crate::files::download(&name, &content_type, bytes, inline))
}
