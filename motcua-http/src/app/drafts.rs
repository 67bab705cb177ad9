//! Online submission as a sequence of pages: a draft saved on the server at every page
//! (applicant, form, files, how to receive the result), then one submission. The draft's
//! id is the id its dossier will have, so submitting twice (a double click, a retry after
//! a dropped connection) finds the dossier already there and creates nothing more.
//!
//! What a page checks is what the engine will check at submission, said early: the
//! procedure's required fields and components (from its definition), the applicant's
//! name and contacts, the files' types and sizes. The engine decides again when the
//! dossier is submitted.

use motcua_core::dossier::{Applicant, Command, PostalDelivery};
use motcua_core::procedure::Procedure;
use motcua_store::{Draft, StoreError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::config::Config;
use super::dossiers::{SubmitRequest, Submitted, Upload};
use super::{AppError, Code, Principal, dossiers};
use crate::AppState;

/// A file uploaded into a draft (its bytes are stored).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftFile {
    /// The component it is for.
    pub component: String,
    /// Its cleaned name.
    pub name: String,
    /// Its content's SHA-256.
    pub sha256: String,
    /// PDF, JPEG or PNG.
    pub content_type: String,
    /// Bytes.
    pub size: u64,
}

/// How the applicant will receive the result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Delivery {
    /// At the one-stop desk.
    Desk,
    /// By public post (Điều 9.2).
    Post(PostalDelivery),
}

/// What a draft says so far.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftData {
    /// Who applies.
    pub applicant: Applicant,
    /// The procedure's form fields.
    #[serde(default)]
    pub form: BTreeMap<String, String>,
    /// Files uploaded, in order.
    #[serde(default)]
    pub files: Vec<DraftFile>,
    /// How the result is received, once chosen.
    #[serde(default)]
    pub delivery: Option<Delivery>,
    /// The pages completed (`applicant`, `form`, `files`, `delivery`).
    #[serde(default)]
    pub done: Vec<String>,
}

impl DraftData {
    fn mark(&mut self, page: &str) {
        if !self.done.iter().any(|d| d == page) {
            self.done.push(page.to_string());
        }
    }

    /// Whether a page was completed.
    pub fn has(&self, page: &str) -> bool {
        self.done.iter().any(|d| d == page)
    }
}

/// A draft with what it says and the procedure it is for.
#[derive(Clone, Debug)]
pub struct Loaded {
    /// The stored draft.
    pub draft: Draft,
    /// What it says.
    pub data: DraftData,
    /// The procedure (its newest version).
    pub procedure: Procedure,
    /// The receiving agency's name.
    pub agency_name: String,
}

/// A problem with one field of a page: the field's name and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The field (`name`, `form.ten_tre`, `component.0`, `address`).
    pub field: String,
    /// What is wrong, in Vietnamese.
    pub message: String,
}

/// Why a page was not saved: its problems, or an error of the whole request.
#[derive(Debug)]
pub enum Refused {
    /// What to correct, field by field (nothing was saved).
    Fields(Vec<Problem>),
    /// Anything else.
    App(AppError),
}

impl From<AppError> for Refused {
    fn from(e: AppError) -> Refused {
        Refused::App(e)
    }
}

impl From<StoreError> for Refused {
    fn from(e: StoreError) -> Refused {
        Refused::App(e.into())
    }
}

fn problem(field: impl Into<String>, message: impl Into<String>) -> Problem {
    Problem {
        field: field.into(),
        message: message.into(),
    }
}

/// The agencies that receive a procedure online, and whether the procedure may be submitted
/// online at all.
pub async fn where_to_submit(
    app: &AppState,
    code: &str,
) -> Result<(Procedure, Vec<(String, String)>), AppError> {
    let config = app.config().await?;
    let p = config
        .latest_of(code)
        .ok_or_else(|| AppError::not_found("Không có thủ tục này."))?
        .clone();
    if !p.accepts_online() {
        return Err(AppError::with(
            Code::InvalidChannel,
            "Thủ tục này chưa cung cấp dịch vụ công trực tuyến; vui lòng nộp tại Bộ phận Một cửa hoặc qua bưu chính.",
        ));
    }
    let agencies = config
        .directory
        .all()
        .into_iter()
        .filter(|a| config.handles(&a.id, code))
        .map(|a| (a.id.clone(), a.name.clone()))
        .collect();
    Ok((p, agencies))
}

fn applicant_only(p: &Principal) -> Result<(), AppError> {
    if p.is_applicant() {
        Ok(())
    } else {
        Err(AppError::forbidden(
            "Cán bộ đăng ký hồ sơ tại Bộ phận Một cửa; nộp trực tuyến dành cho người dân và doanh nghiệp.",
        ))
    }
}

/// Starts a draft of `code` at `agency`, the applicant's details taken from the profile.
pub async fn start(
    app: &AppState,
    p: &Principal,
    code: &str,
    agency: &str,
) -> Result<String, AppError> {
    applicant_only(p)?;
    let (procedure, agencies) = where_to_submit(app, code).await?;
    if !agencies.iter().any(|(id, _)| id == agency) {
        return Err(AppError::with(
            Code::NotHandledHere,
            format!(
                "Cơ quan đã chọn không tiếp nhận thủ tục “{}”.",
                procedure.catalogue.name
            ),
        ));
    }
    let data = DraftData {
        applicant: Applicant {
            name: p.user.name.clone(),
            phone: p.user.phone.clone().unwrap_or_default(),
            email: p.user.email.clone().unwrap_or_default(),
            ..Applicant::default()
        },
        ..DraftData::default()
    };
    let now = app.now();
    let id = app.ids.next("hs");
    app.store
        .put_draft(&Draft {
            id: id.clone(),
            owner: p.user.id.clone(),
            procedure: code.to_string(),
            agency: agency.to_string(),
            data: encode(&data)?,
            created_at: now,
            updated_at: now,
            submitted_at: None,
        })
        .await?;
    Ok(id)
}

fn encode(data: &DraftData) -> Result<String, AppError> {
    serde_json::to_string(data).map_err(|e| {
        tracing::error!(error = %e, "a draft did not serialize");
        AppError::new(Code::Internal)
    })
}

fn not_found() -> AppError {
    AppError::not_found("Không tìm thấy hồ sơ đang soạn.")
}

fn procedure_of(config: &Config, code: &str) -> Result<Procedure, AppError> {
    config.latest_of(code).cloned().ok_or_else(|| {
        tracing::error!(code, "a draft names a procedure that is not loaded");
        AppError::new(Code::Internal)
    })
}

/// One of the principal's drafts.
pub async fn load(app: &AppState, p: &Principal, id: &str) -> Result<Loaded, AppError> {
    let draft = match app.store.draft(id, &p.user.id).await {
        Ok(d) => d,
        Err(StoreError::NotFound(_)) => return Err(not_found()),
        Err(e) => return Err(e.into()),
    };
    let data: DraftData = serde_json::from_str(&draft.data).map_err(|e| {
        tracing::error!(draft = id, error = %e, "a stored draft does not parse");
        AppError::new(Code::Internal)
    })?;
    let config = app.config().await?;
    let procedure = procedure_of(&config, &draft.procedure)?;
    let agency_name = config
        .directory
        .get(&draft.agency)
        .map_or_else(|| draft.agency.clone(), |a| a.name.clone());
    Ok(Loaded {
        draft,
        data,
        procedure,
        agency_name,
    })
}

async fn save(app: &AppState, p: &Principal, l: &Loaded) -> Result<(), AppError> {
    match app
        .store
        .save_draft(&l.draft.id, &p.user.id, &encode(&l.data)?, app.now())
        .await
    {
        Ok(()) => Ok(()),
        Err(StoreError::Conflict(_)) => Err(AppError::with(
            Code::Conflict,
            "Hồ sơ này đã được nộp; không sửa được nữa.",
        )),
        Err(e) => Err(e.into()),
    }
}

fn editable(l: &Loaded) -> Result<(), AppError> {
    if l.draft.submitted_at.is_some() {
        return Err(AppError::with(
            Code::Conflict,
            "Hồ sơ này đã được nộp; không sửa được nữa.",
        ));
    }
    Ok(())
}

/// Saves the applicant's details: a name, and contacts that are well formed.
pub async fn save_applicant(
    app: &AppState,
    p: &Principal,
    id: &str,
    applicant: Applicant,
) -> Result<(), Refused> {
    let mut l = load(app, p, id).await?;
    editable(&l)?;
    let a = Applicant {
        name: applicant.name.trim().to_string(),
        id_number: applicant.id_number.trim().to_string(),
        address: applicant.address.trim().to_string(),
        phone: applicant.phone.trim().to_string(),
        email: applicant.email.trim().to_string(),
    };
    let mut problems = Vec::new();
    if a.name.is_empty() {
        problems.push(problem("name", "Nhập họ và tên người nộp hồ sơ."));
    }
    if !a.id_number.is_empty()
        && !(a.id_number.len() == 9 || a.id_number.len() == 12)
            | !a.id_number.bytes().all(|b| b.is_ascii_digit())
    {
        problems.push(problem(
            "id_number",
            "Số định danh cá nhân (CCCD) gồm 12 chữ số, hoặc CMND 9 chữ số.",
        ));
    }
    if let Err(e) = super::accounts::contacts(Some(a.email.clone()), None) {
        problems.push(problem("email", e.message));
    }
    if let Err(e) = super::accounts::contacts(None, Some(a.phone.clone())) {
        problems.push(problem("phone", e.message));
    }
    if a.phone.is_empty() && a.email.is_empty() {
        problems.push(problem(
            "phone",
            "Nhập số điện thoại hoặc thư điện tử để cơ quan liên hệ khi cần.",
        ));
    }
    for (field, value, max) in [
        ("name", &a.name, 200),
        ("address", &a.address, 500),
        ("email", &a.email, 254),
    ] {
        if value.chars().count() > max {
            problems.push(problem(field, format!("Tối đa {max} ký tự.")));
        }
    }
    if !problems.is_empty() {
        return Err(Refused::Fields(problems));
    }
    l.data.applicant = a;
    l.data.mark("applicant");
    Ok(save(app, p, &l).await?)
}

/// Saves the procedure's form fields; the required ones must be filled in.
pub async fn save_form(
    app: &AppState,
    p: &Principal,
    id: &str,
    values: BTreeMap<String, String>,
) -> Result<(), Refused> {
    let mut l = load(app, p, id).await?;
    editable(&l)?;
    let mut form = BTreeMap::new();
    let mut problems = Vec::new();
    for f in &l.procedure.form_fields {
        let v = values
            .get(&f.key)
            .map(|v| v.trim().to_string())
            .unwrap_or_default();
        if f.required && v.is_empty() {
            problems.push(problem(
                format!("form.{}", f.key),
                format!("Nhập {}.", lower_first(&f.label)),
            ));
        } else if v.chars().count() > crate::limits::TEXT {
            problems.push(problem(
                format!("form.{}", f.key),
                format!("Tối đa {} ký tự.", crate::limits::TEXT),
            ));
        }
        if !v.is_empty() {
            form.insert(f.key.clone(), v);
        }
    }
    if !problems.is_empty() {
        return Err(Refused::Fields(problems));
    }
    l.data.form = form;
    l.data.mark("form");
    Ok(save(app, p, &l).await?)
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Adds files to components (by the component's index in the procedure). The bytes are
/// stored at once: a dropped connection afterwards loses nothing.
pub async fn add_files(
    app: &AppState,
    p: &Principal,
    id: &str,
    uploads: Vec<(usize, Upload)>,
) -> Result<(), Refused> {
    let mut l = load(app, p, id).await?;
    editable(&l)?;
    if l.data.files.len() + uploads.len() > crate::limits::FILES {
        return Err(Refused::Fields(vec![problem(
            "component.0",
            format!("Một hồ sơ có tối đa {} tệp.", crate::limits::FILES),
        )]));
    }
    let now = app.now();
    for (index, u) in uploads {
        let Some(c) = l.procedure.components.get(index) else {
            return Err(Refused::App(AppError::new(Code::UnknownComponent)));
        };
        let component = c.name.clone();
        let sha256 = app
            .store
            .put_attachment(&u.bytes, &u.content_type, now)
            .await?;
        if l.data
            .files
            .iter()
            .any(|f| f.component == component && f.sha256 == sha256)
        {
            continue;
        }
        l.data.files.push(DraftFile {
            component,
            name: u.name,
            sha256,
            content_type: u.content_type,
            size: u.bytes.len() as u64,
        });
    }
    Ok(save(app, p, &l).await?)
}

/// Removes a file (by its position in the draft).
pub async fn remove_file(
    app: &AppState,
    p: &Principal,
    id: &str,
    index: usize,
) -> Result<(), AppError> {
    let mut l = load(app, p, id).await?;
    editable(&l)?;
    if index >= l.data.files.len() {
        return Err(AppError::not_found("Không có tệp này trong hồ sơ."));
    }
    l.data.files.remove(index);
    save(app, p, &l).await
}

/// The required components that have no file yet.
pub fn missing_components(l: &Loaded) -> Vec<String> {
    l.procedure
        .required_components()
        .into_iter()
        .filter(|c| !l.data.files.iter().any(|f| &f.component == c))
        .collect()
}

/// Completes the files page: every required component has a file.
pub async fn files_done(app: &AppState, p: &Principal, id: &str) -> Result<(), Refused> {
    let mut l = load(app, p, id).await?;
    editable(&l)?;
    let problems: Vec<Problem> = l
        .procedure
        .components
        .iter()
        .enumerate()
        .filter(|(_, c)| c.required && !l.data.files.iter().any(|f| f.component == c.name))
        .map(|(i, c)| {
            problem(
                format!("component.{i}"),
                format!("Tải lên tệp “{}”.", c.name),
            )
        })
        .collect();
    if !problems.is_empty() {
        return Err(Refused::Fields(problems));
    }
    l.data.mark("files");
    Ok(save(app, p, &l).await?)
}

/// Saves how the result is received; by post needs an address and a phone number.
pub async fn save_delivery(
    app: &AppState,
    p: &Principal,
    id: &str,
    delivery: Option<Delivery>,
) -> Result<(), Refused> {
    let mut l = load(app, p, id).await?;
    editable(&l)?;
    let delivery = match delivery {
        None => {
            return Err(Refused::Fields(vec![problem(
                "delivery",
                "Chọn cách nhận kết quả.",
            )]));
        }
        Some(Delivery::Post(d)) => {
            let d = PostalDelivery {
                address: d.address.trim().to_string(),
                phone: d.phone.trim().to_string(),
            };
            let mut problems = Vec::new();
            if d.address.is_empty() {
                problems.push(problem("address", "Nhập địa chỉ nhận kết quả."));
            } else if d.address.chars().count() > 500 {
                problems.push(problem("address", "Tối đa 500 ký tự."));
            }
            if d.phone.is_empty() {
                problems.push(problem("post_phone", "Nhập số điện thoại người nhận."));
            } else if let Err(e) = super::accounts::contacts(None, Some(d.phone.clone())) {
                problems.push(problem("post_phone", e.message));
            }
            if !problems.is_empty() {
                return Err(Refused::Fields(problems));
            }
            Delivery::Post(d)
        }
        Some(Delivery::Desk) => Delivery::Desk,
    };
    l.data.delivery = Some(delivery);
    l.data.mark("delivery");
    Ok(save(app, p, &l).await?)
}

/// The first page still to complete, if any (`applicant`, `form`, `files`, `delivery`).
pub fn next_page(l: &Loaded) -> Option<&'static str> {
    let pages: [&'static str; 4] = ["applicant", "form", "files", "delivery"];
    pages
        .into_iter()
        .find(|page| !(l.data.has(page) || *page == "form" && l.procedure.form_fields.is_empty()))
}

/// Submits the draft as its dossier, once. Submitting again answers the dossier submitted
/// the first time; a postal delivery chosen in the draft is asked for right after (and
/// again on a retry if that step did not happen).
pub async fn submit(app: &AppState, p: &Principal, id: &str) -> Result<Submitted, AppError> {
    applicant_only(p)?;
    let l = load(app, p, id).await?;
    if let Some(page) = next_page(&l) {
        return Err(AppError::with(
            Code::Incomplete,
            match page {
                "applicant" => "Chưa có thông tin người nộp hồ sơ.",
                "form" => "Chưa điền tờ khai.",
                "files" => "Chưa tải lên đủ giấy tờ.",
                _ => "Chưa chọn cách nhận kết quả.",
            },
        ));
    }
    let existing = match app.store.dossier(id).await {
        Ok(d) if d.owner.as_deref() == Some(p.user.id.as_str()) => Some(d),
        Ok(_) => return Err(AppError::new(Code::Internal)),
        Err(StoreError::NotFound(_)) => None,
        Err(e) => return Err(e.into()),
    };
    let submitted = match existing {
        Some(d) => Submitted {
            id: d.id.clone(),
            intake_due: d.intake_due.map(motcua_core::calendar::to_local_rfc3339),
            version: d.version,
        },
        None => {
            let request = SubmitRequest {
                id: Some(id.to_string()),
                procedure: l.draft.procedure.clone(),
                agency: Some(l.draft.agency.clone()),
                applicant: l.data.applicant.clone(),
                form: l.data.form.clone(),
                components: Vec::new(),
                files: l
                    .data
                    .files
                    .iter()
                    .map(|f| motcua_core::dossier::ComponentFile {
                        component: f.component.clone(),
                        attachment: motcua_core::dossier::Attachment {
                            name: f.name.clone(),
                            sha256: f.sha256.clone(),
                        },
                    })
                    .collect(),
                channel: None,
                owner: None,
            };
            match dossiers::submit(app, p, None, request, Vec::new()).await {
                Ok(s) => s,
                // Another request may have submitted it a moment ago.
                Err(e) => match app.store.dossier(id).await {
                    Ok(d) if d.owner.as_deref() == Some(p.user.id.as_str()) => Submitted {
                        id: d.id.clone(),
                        intake_due: d.intake_due.map(motcua_core::calendar::to_local_rfc3339),
                        version: d.version,
                    },
                    _ => return Err(e),
                },
            }
        }
    };
    if let Some(Delivery::Post(post)) = &l.data.delivery {
        let d = app.store.dossier(id).await?;
        if d.postal_delivery.as_ref() != Some(post) {
            dossiers::run(
                app,
                p,
                id,
                Command::RequestPostalDelivery {
                    address: post.address.clone(),
                    phone: post.phone.clone(),
                },
                None,
                Vec::new(),
            )
            .await?;
        }
    }
    app.store.draft_submitted(id, &p.user.id, app.now()).await?;
    Ok(submitted)
}
