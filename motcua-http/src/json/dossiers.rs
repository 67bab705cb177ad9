//! Dossier endpoints: submit online or register at the desk (JSON, or multipart with the
//! component files), read, list, queue, search, run engine commands (with files), download.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use motcua_core::dossier::{Applicant, Attachment, Channel, Command};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::BTreeMap;

use super::{Params, params};
use crate::app::dossiers::{self as uc, Upload};
use crate::app::{AppError, Code};
use crate::openapi::ErrorBody;
use crate::session::Session;
use crate::{AppState, Tenant};

/// The body of `POST /api/v1/dossiers`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SubmitBody {
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

impl From<SubmitBody> for uc::SubmitRequest {
    fn from(b: SubmitBody) -> uc::SubmitRequest {
        uc::SubmitRequest {
            id: None,
            procedure: b.procedure,
            agency: b.agency,
            applicant: b.applicant,
            form: b.form,
            components: b.components,
            files: Vec::new(),
            channel: b.channel,
            owner: b.owner,
        }
    }
}

fn bad_multipart(m: &str) -> AppError {
    AppError::with(Code::InvalidBody, m)
}

/// A submission with its files: the dossier's JSON in `dossier`, and a part
/// `component:<component name>` per file (PDF, JPEG or PNG).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub(crate) struct SubmitMultipart {
    /// `SubmitBody` as JSON.
    dossier: String,
}

/// A list of dossiers.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct DossierList {
    dossiers: Vec<motcua_store::DossierSummary>,
}

/// `POST /api/v1/dossiers`: an applicant submits online, or a reception officer registers a
/// dossier received at the desk or by post. A JSON body, or multipart with the same JSON in
/// a `dossier` part and a file part `component:<component name>` per file (PDF, JPEG, PNG).
#[utoipa::path(post, path = "/api/v1/dossiers", tag = "dossiers",
    summary = "Submit online (applicants) or register a desk or postal dossier (reception officers)",
    security(("bearer" = [])),
    request_body(content((SubmitBody = "application/json"), (SubmitMultipart = "multipart/form-data"))),
    responses((status = 201, body = uc::Submitted),
              (status = 400, description = "missing_agency, unknown_agency, unknown_procedure, not_handled_here, invalid_channel", body = ErrorBody),
              (status = 415, description = "unsupported_type, type_mismatch", body = ErrorBody),
              (status = 422, description = "incomplete (with `missing`), missing_field, unknown_component", body = ErrorBody),
              (status = 429, description = "too_many_submissions", body = ErrorBody)))]
pub(crate) async fn submit(
    State(s): State<AppState>,
    Tenant(tenant): Tenant,
    session: Session,
    req: axum::extract::Request,
) -> Result<(StatusCode, Json<uc::Submitted>), AppError> {
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
        let b: SubmitBody = crate::limits::parse(value, crate::limits::SUBMIT)?;
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
            .map_err(|_| {
                AppError::with(
                    Code::TooLarge,
                    format!(
                        "Hồ sơ không kèm tệp không được vượt quá {} byte.",
                        crate::limits::JSON_BYTES
                    ),
                )
            })?;
        let value: Value = serde_json::from_slice(&bytes).map_err(|_| {
            AppError::with(
                Code::InvalidBody,
                "Nội dung yêu cầu phải là JSON hợp lệ (Content-Type: application/json).",
            )
        })?;
        (
            crate::limits::parse(value, crate::limits::SUBMIT)?,
            Vec::new(),
        )
    };
    let done = uc::submit(&s, &session.principal, tenant.as_deref(), b.into(), uploads).await?;
    Ok((StatusCode::CREATED, Json(done)))
}

/// `GET /api/v1/dossiers/{id}`: the dossier, its timeline and what the reader may do now.
#[utoipa::path(get, path = "/api/v1/dossiers/{id}", tag = "dossiers",
    summary = "A dossier, its timeline and the commands its reader may run now",
    security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = uc::DossierView), (status = 404, body = ErrorBody)))]
pub(crate) async fn read(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Json<uc::DossierView>, AppError> {
    Ok(Json(uc::read(&s, &session.principal, &id).await?))
}

/// A command as a client sends it: the engine's command, except that an acceptance carries
/// no sequence (the store allocates the day's number; a client cannot choose it) and a file
/// command sent with its file needs no placeholder attachment.
pub(crate) fn command_from_client(mut value: Value, with_file: bool) -> Result<Command, AppError> {
    let name = value
        .get("command")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let name = name.as_str();
    if let Some(map) = value.as_object_mut() {
        if name == "accept" {
            if map.contains_key("sequence") {
                return Err(AppError::with(
                    Code::InvalidBody,
                    "Nội dung yêu cầu không hợp lệ: trường sequence không được dùng ở đây (hệ thống tự cấp số thứ tự của mã hồ sơ).",
                ));
            }
            map.insert("sequence".into(), json!(0));
        }
        if with_file
            && matches!(name, "attach-draft" | "attach-signed-result")
            && !map.contains_key("attachment")
        {
            map.insert("attachment".into(), json!({ "name": "", "sha256": "" }));
        }
    }
    crate::limits::parse(value, crate::limits::COMMAND)
}

#[derive(Deserialize)]
struct Expected {
    #[serde(default)]
    expected_version: Option<u64>,
}

/// `POST /api/v1/dossiers/{id}/commands`: any engine command, as the session's user.
#[utoipa::path(post, path = "/api/v1/dossiers/{id}/commands", tag = "dossiers",
    summary = "Run an engine command (docs/scenarios.md lists them); `expected_version` refuses a stale change",
    security(("bearer" = [])), params(("id" = String, Path)),
    request_body = crate::openapi::CommandRequest,
    responses((status = 200, body = uc::CommandDone),
              (status = 404, body = ErrorBody),
              (status = 409, description = "conflict", body = ErrorBody),
              (status = 422, description = "the engine's refusal (wrong_state, forbidden by the step's role, ...)", body = ErrorBody)))]
pub(crate) async fn command(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    b: Result<Json<Value>, JsonRejection>,
) -> Result<Json<uc::CommandDone>, AppError> {
    let mut value = crate::limits::json_value(b)?;
    crate::limits::check(&value, crate::limits::COMMAND)?;
    let expected: Expected = serde_json::from_value(value.clone()).unwrap_or(Expected {
        expected_version: None,
    });
    if let Some(m) = value.as_object_mut() {
        m.remove("expected_version");
    }
    let command = command_from_client(value, false)?;
    let done = uc::run(
        &s,
        &session.principal,
        &id,
        command,
        expected.expected_version,
        vec![],
    )
    .await?;
    Ok(Json(done))
}

/// `GET /api/v1/me/dossiers`: an applicant's own dossiers.
#[utoipa::path(get, path = "/api/v1/me/dossiers", tag = "dossiers", summary = "My dossiers, newest first",
    security(("bearer" = [])), responses((status = 200, body = DossierList)))]
pub(crate) async fn mine(
    State(s): State<AppState>,
    session: Session,
) -> Result<Json<DossierList>, AppError> {
    let dossiers = uc::mine(&s, &session.principal).await?;
    Ok(Json(DossierList { dossiers }))
}

/// `GET /api/v1/search?q=[&agency=]`.
#[utoipa::path(get, path = "/api/v1/search", tag = "dossiers",
    summary = "Staff search by applicant name, ID number or code, without regard to diacritics",
    security(("bearer" = [])),
    params(("q" = String, Query, min_length = 2, max_length = 100), ("agency" = Option<String>, Query)),
    responses((status = 200, body = DossierList), (status = 400, description = "invalid_query", body = ErrorBody)))]
pub(crate) async fn search(
    State(s): State<AppState>,
    session: Session,
    q: Params,
) -> Result<Json<DossierList>, AppError> {
    let q = params(q)?;
    let text = q.get("q").map_or("", String::as_str);
    let dossiers = uc::search(
        &s,
        &session.principal,
        text,
        q.get("agency").map(String::as_str),
    )
    .await?;
    Ok(Json(DossierList { dossiers }))
}

/// `GET /api/v1/queue?agency=&role=&assignee=&step=&due=overdue|due-soon&procedure=&field=&channel=`:
/// a staff queue, most urgent first.
#[utoipa::path(get, path = "/api/v1/queue", tag = "dossiers",
    summary = "A staff queue, most urgent first: each dossier due at its current step (the intake due while it waits)",
    security(("bearer" = [])),
    params(("agency" = Option<String>, Query), ("role" = Option<motcua_core::procedure::Role>, Query),
           ("assignee" = Option<String>, Query), ("step" = Option<String>, Query),
           ("due" = Option<String>, Query, pattern = "^(overdue|due-soon)$", description = "overdue, or due within a working day"),
           ("procedure" = Option<String>, Query, description = "only this procedure (code)"),
           ("field" = Option<String>, Query, description = "only this field (lĩnh vực), as the catalogue writes it"),
           ("channel" = Option<String>, Query, pattern = "^(direct|post|online)$", description = "only this channel")),
    responses((status = 200, body = DossierList), (status = 400, description = "invalid_query", body = ErrorBody)))]
pub(crate) async fn queue(
    State(s): State<AppState>,
    Tenant(tenant): Tenant,
    session: Session,
    q: Params,
) -> Result<Json<DossierList>, AppError> {
    let mut q = params(q)?;
    let query = uc::QueueQuery {
        agency: q.remove("agency"),
        role: q.remove("role"),
        assignee: q.remove("assignee"),
        step: q.remove("step"),
        due: q.remove("due"),
        procedure: q.remove("procedure"),
        field: q.remove("field"),
        channel: q.remove("channel"),
        limit: None,
    };
    let dossiers = uc::queue(&s, &session.principal, tenant.as_deref(), query).await?;
    Ok(Json(DossierList { dossiers }))
}

/// What a multipart request carried: the JSON part, a single `file` part, and the
/// `component:<name>` parts.
struct Parts {
    json: Option<String>,
    file: Option<Upload>,
    components: Vec<(String, Upload)>,
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
) -> Result<Parts, AppError> {
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
            return Err(AppError::with(
                Code::FileTooLarge,
                format!(
                    "Tệp {name} vượt quá {} MB.",
                    crate::limits::FILE_BYTES / (1024 * 1024)
                ),
            ));
        }
        let content_type = crate::files::checked_type(declared.as_deref(), &bytes)?.to_string();
        if parts.components.len() + usize::from(parts.file.is_some()) >= crate::limits::FILES {
            return Err(AppError::with(
                Code::TooManyFiles,
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

/// A command with its files: the command's JSON in `command`; one `file` part for
/// `attach-draft` and `attach-signed-result`, a `component:<component name>` part per file
/// for `receive-supplement` and `resubmit`.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub(crate) struct CommandMultipart {
    /// The command as JSON.
    command: String,
    /// The file of a draft or a signed result.
    #[schema(value_type = Option<String>, format = Binary)]
    file: Option<Vec<u8>>,
}

/// `POST /api/v1/dossiers/{id}/attachments`: multipart with a `command` part (JSON) and its
/// files: `attach-draft` or `attach-signed-result` with one `file` part; `receive-supplement`
/// or `resubmit` with a `component:<component name>` part per file.
#[utoipa::path(post, path = "/api/v1/dossiers/{id}/attachments", tag = "dossiers",
    summary = "Run a command that carries files (drafts, the signed result, supplements), in one transaction",
    security(("bearer" = [])), params(("id" = String, Path)),
    request_body(content((CommandMultipart = "multipart/form-data"))),
    responses((status = 200, body = uc::CommandDone),
              (status = 404, body = ErrorBody),
              (status = 409, description = "conflict", body = ErrorBody),
              (status = 415, description = "unsupported_type, type_mismatch", body = ErrorBody),
              (status = 422, description = "the engine's refusal", body = ErrorBody)))]
pub(crate) async fn upload(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Json<uc::CommandDone>, AppError> {
    let multipart = multipart.map_err(|_| {
        bad_multipart("Cần gửi dạng multipart/form-data với phần command và các tệp.")
    })?;
    let parts = read_parts(multipart, "command").await?;
    let text = parts
        .json
        .ok_or_else(|| bad_multipart("Thiếu phần command."))?;
    let value: Value = serde_json::from_str(&text)
        .map_err(|_| bad_multipart("Phần command phải là JSON hợp lệ."))?;
    let mut command = command_from_client(value, true)?;
    let is_supplement = matches!(command, Command::ReceiveSupplement { .. });
    let attachments = match &mut command {
        Command::AttachDraft { attachment } | Command::AttachSignedResult { attachment } => {
            let file = parts
                .file
                .ok_or_else(|| bad_multipart("Thiếu phần file."))?;
            *attachment = Attachment {
                sha256: motcua_store::sha256_hex(&file.bytes),
                name: if attachment.name.trim().is_empty() {
                    file.name
                } else {
                    crate::files::clean_name(&attachment.name)
                },
            };
            vec![motcua_store::NewAttachment {
                bytes: file.bytes,
                content_type: file.content_type,
            }]
        }
        Command::ReceiveSupplement { files, .. } | Command::Resubmit { files, .. } => {
            let (f, attachments) = uc::component_files(parts.components);
            if f.is_empty() && is_supplement {
                return Err(bad_multipart(
                    "Thiếu tệp bổ sung (phần component:<tên thành phần>).",
                ));
            }
            *files = f;
            attachments
        }
        _ => {
            return Err(bad_multipart(
                "Chỉ gửi tệp với lệnh attach-draft, attach-signed-result, receive-supplement hoặc resubmit.",
            ));
        }
    };
    Ok(Json(
        uc::run(&s, &session.principal, &id, command, None, attachments).await?,
    ))
}

/// `GET /api/v1/dossiers/{id}/attachments/{sha256}[?inline=1]`: a file of a dossier the
/// session may see, as an attachment with its name (or shown in the page with `inline=1`).
#[utoipa::path(get, path = "/api/v1/dossiers/{id}/attachments/{sha256}", tag = "dossiers",
    summary = "A file of a dossier (inline=1 to show it in the page)",
    security(("bearer" = [])),
    params(("id" = String, Path), ("sha256" = String, Path, pattern = "^[0-9a-f]{64}$"),
           ("inline" = Option<String>, Query)),
    responses((status = 200, description = "the file", content(
                  (Vec<u8> = "application/pdf"), (Vec<u8> = "image/jpeg"), (Vec<u8> = "image/png"),
                  (Vec<u8> = "application/octet-stream"))),
              (status = 404, body = ErrorBody)))]
pub(crate) async fn download(
    State(s): State<AppState>,
    session: Session,
    Path((id, sha)): Path<(String, String)>,
    q: Params,
) -> Result<axum::response::Response, AppError> {
    let inline = q.is_ok_and(|axum::extract::Query(m)| m.get("inline").is_some_and(|v| v == "1"));
    let (name, content_type, bytes) = uc::attachment(&s, &session.principal, &id, &sha).await?;
    Ok(crate::files::download(&name, &content_type, bytes, inline))
}

/// `GET /api/v1/dossiers/{id}/forms`: the legal forms that apply to the dossier now, in its
/// pack (the one in force when it was received).
#[utoipa::path(get, path = "/api/v1/dossiers/{id}/forms", tag = "dossiers",
    summary = "The forms a dossier can print now",
    security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Vec<crate::app::forms::Offered>),
              (status = 404, body = ErrorBody)))]
pub(crate) async fn forms(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Json<Vec<crate::app::forms::Offered>>, AppError> {
    Ok(Json(
        crate::app::forms::list(&s, &session.principal, &id).await?,
    ))
}

/// `GET /api/v1/dossiers/{id}/forms/{form}[?inline=1]`: a legal form of the dossier as PDF
/// (`receipt`, `supplement-request`, `refusal`, `apology`, `extension-request`,
/// `stop-notice`, `control-slip`), for whoever may read the dossier.
#[utoipa::path(get, path = "/api/v1/dossiers/{id}/forms/{form}", tag = "dossiers",
    summary = "A legal form of a dossier, as PDF",
    security(("bearer" = [])),
    params(("id" = String, Path), ("form" = String, Path), ("inline" = Option<String>, Query)),
    responses((status = 200, description = "the form", content((Vec<u8> = "application/pdf"))),
              (status = 404, description = "no such dossier, or no such form in its pack", body = ErrorBody),
              (status = 409, description = "the dossier has not reached what the form prints", body = ErrorBody)))]
pub(crate) async fn form(
    State(s): State<AppState>,
    session: Session,
    Path((id, form)): Path<(String, String)>,
    q: Params,
) -> Result<axum::response::Response, AppError> {
    let inline = q.is_ok_and(|axum::extract::Query(m)| m.get("inline").is_some_and(|v| v == "1"));
    let r = crate::app::forms::render(&s, &session.principal, &id, &form).await?;
    Ok(crate::files::download(
        &r.file_name,
        "application/pdf",
        r.pdf,
        inline,
    ))
}

/// `GET /api/v1/dossiers/{id}/evaluation`: the dossier's score by the Circular 01/2018 tool
/// (the six indicators read from it, once its result is returned), for whoever may read it.
#[utoipa::path(get, path = "/api/v1/dossiers/{id}/evaluation", tag = "dossiers",
    summary = "A dossier's score by the scoring tool",
    security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = crate::app::evaluation::DossierEvaluation),
              (status = 404, body = ErrorBody)))]
pub(crate) async fn evaluation(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Json<crate::app::evaluation::DossierEvaluation>, AppError> {
    Ok(Json(
        crate::app::evaluation::of_dossier(&s, &session.principal, &id).await?,
    ))
}
