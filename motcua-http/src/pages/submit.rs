//! Online submission, one thing per page (GOV.UK style): a start page on the procedure,
//! then the applicant, the procedure's form, the files of each component, how to receive
//! the result, a check of every answer, and the confirmation. Every page saves the draft
//! on the server (`app::drafts`); the pages only parse forms and show what the use cases
//! answer.
//!
//! Addresses: `/thu-tuc/{code}/nop` (start), `/nop/{draft}/nguoi-nop`, `/to-khai`,
//! `/giay-to`, `/nhan-ket-qua`, `/kiem-tra`, `/da-nop`.

use askama::Template;
use axum::Form;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_core::dossier::{Applicant, PostalDelivery};
use std::collections::{BTreeMap, HashMap};

use super::accounts::{Input, forged, to_login};
use super::{Layout, Viewer, error_page, page_for, see_other, text};
use crate::app::drafts::{self, Delivery, Loaded, Problem, Refused};
use crate::app::{AppError, Principal};
use crate::{AppState, Tenant};

pub(crate) fn find<'a>(problems: &'a [Problem], field: &str) -> Option<&'a str> {
    problems
        .iter()
        .find(|p| p.field == field)
        .map(|p| p.message.as_str())
}

/// The pages of the sequence, in order, with their addresses.
const PAGES: [(&str, &str); 5] = [
    ("applicant", "nguoi-nop"),
    ("form", "to-khai"),
    ("files", "giay-to"),
    ("delivery", "nhan-ket-qua"),
    ("check", "kiem-tra"),
];

/// What the header of each page of the sequence shows.
pub(crate) struct Step {
    id: String,
    procedure: String,
    agency: String,
    step: usize,
    steps: usize,
    back: String,
}

fn pages_of(l: &Loaded) -> Vec<(&'static str, &'static str)> {
    PAGES
        .into_iter()
        .filter(|(p, _)| *p != "form" || !l.procedure.form_fields.is_empty())
        .collect()
}

fn step_of(l: &Loaded, page: &str) -> Step {
    let pages = pages_of(l);
    let i = pages.iter().position(|(p, _)| *p == page).unwrap_or(0);
    let back = if i == 0 {
        format!("/thu-tuc/{}/nop", l.draft.procedure)
    } else {
        format!("/nop/{}/{}", l.draft.id, pages[i - 1].1)
    };
    Step {
        id: l.draft.id.clone(),
        procedure: l.procedure.catalogue.name.clone(),
        agency: l.agency_name.clone(),
        step: i + 1,
        steps: pages.len(),
        back,
    }
}

/// Where to go after `page`: the next page not yet completed, else the check page.
fn after(l: &Loaded, page: &str) -> String {
    let pages = pages_of(l);
    let i = pages.iter().position(|(p, _)| *p == page).unwrap_or(0);
    let next = pages
        .iter()
        .skip(i + 1)
        .find(|(p, _)| *p == "check" || !l.data.has(p))
        .map_or("kiem-tra", |(_, slug)| *slug);
    format!("/nop/{}/{next}", l.draft.id)
}

struct Ctx {
    app: AppState,
    tenant: Option<String>,
}

impl Ctx {
    async fn layout(&self, viewer: &Viewer) -> Layout {
        Layout::new(&self.app, self.tenant.as_deref(), "account", viewer).await
    }

    async fn error(&self, viewer: &Viewer, e: AppError) -> Response {
        error_page(&self.app, self.tenant.as_deref(), viewer, e).await
    }

    /// The poster of a form of `here`: logged in (else the login page, coming back) and
    /// sending the page's token (else the refusal, nothing changed).
    async fn poster<'v>(
        &self,
        viewer: &'v Viewer,
        here: &str,
        f: &HashMap<String, String>,
    ) -> Result<&'v Principal, Response> {
        let p = principal(viewer, here)?;
        if !viewer.accepts(f.get("csrf").map(String::as_str)) {
            return Err(self.error(viewer, forged()).await);
        }
        Ok(p)
    }
}

/// The viewer's principal, or the answer that sends them to log in and back.
#[allow(clippy::result_large_err)] // an answer, built once, never propagated far
fn principal<'a>(viewer: &'a Viewer, here: &str) -> Result<&'a Principal, Response> {
    match &viewer.principal {
        Some(p) if p.user.must_change_password => Err(see_other("/doi-mat-khau", &[])),
        Some(p) => Ok(p),
        None => Err(to_login(here)),
    }
}

pub(super) fn status_of(problems: &[Problem]) -> StatusCode {
    if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

// ---- start ----

#[derive(Template)]
#[template(path = "submit_start.html")]
struct StartPage {
    layout: Layout,
    code: String,
    name: String,
    components: Vec<String>,
    time_limit: String,
    max_mb: usize,
    agencies: Vec<(String, String)>,
    chosen: String,
    logged_in: bool,
    problems: Vec<Problem>,
}

impl StartPage {
    fn err(&self, field: &str) -> Option<&str> {
        find(&self.problems, field)
    }
}

async fn start_page(
    cx: &Ctx,
    viewer: &Viewer,
    code: &str,
    chosen: String,
    problems: Vec<Problem>,
) -> Response {
    let (p, mut agencies) = match drafts::where_to_submit(&cx.app, code).await {
        Ok(x) => x,
        Err(e) => return cx.error(viewer, e).await,
    };
    // On an agency's site, that agency is the one offered first.
    if let Some(t) = &cx.tenant
        && let Some(i) = agencies.iter().position(|(id, _)| id == t)
    {
        let own = agencies.remove(i);
        agencies.insert(0, own);
    }
    let chosen = if chosen.is_empty() {
        cx.tenant
            .clone()
            .filter(|t| agencies.iter().any(|(id, _)| id == t))
            .unwrap_or_default()
    } else {
        chosen
    };
    let c = &p.catalogue;
    let view = StartPage {
        layout: cx.layout(viewer).await,
        code: code.to_string(),
        name: c.name.clone(),
        components: p
            .components
            .iter()
            .map(|x| {
                if x.required {
                    x.name.clone()
                } else {
                    format!("{} (không bắt buộc)", x.name)
                }
            })
            .collect(),
        time_limit: text::time_limit(&c.time_limit, c.immediate),
        max_mb: crate::limits::FILE_BYTES / (1024 * 1024),
        agencies,
        chosen,
        logged_in: viewer.principal.is_some(),
        problems,
    };
    page_for(viewer, status_of(&view.problems), &view)
}

/// `GET /thu-tuc/{code}/nop`: what to prepare, where to submit, and the start button.
pub(crate) async fn start_form(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    Path(code): Path<String>,
) -> Response {
    let cx = Ctx { app, tenant };
    start_page(&cx, &viewer, &code, String::new(), Vec::new()).await
}

/// `POST /thu-tuc/{code}/nop`: a new draft, then its first page.
pub(crate) async fn start(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    Path(code): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let cx = Ctx { app, tenant };
    let p = match cx
        .poster(&viewer, &format!("/thu-tuc/{code}/nop"), &f)
        .await
    {
        Ok(p) => p,
        Err(r) => return r,
    };
    let agency = f.get("agency").cloned().unwrap_or_default();
    if agency.is_empty() {
        let problems = vec![Problem {
            field: "agency".into(),
            message: "Chọn cơ quan nộp hồ sơ.".into(),
        }];
        return start_page(&cx, &viewer, &code, agency, problems).await;
    }
    match drafts::start(&cx.app, p, &code, &agency).await {
        Ok(id) => see_other(&format!("/nop/{id}/nguoi-nop"), &[]),
        Err(e) => cx.error(&viewer, e).await,
    }
}

/// Loads the viewer's draft for a page of the sequence; a submitted one goes to its
/// confirmation.
#[allow(clippy::result_large_err)]
async fn loaded(cx: &Ctx, viewer: &Viewer, id: &str, slug: &str) -> Result<Loaded, Response> {
    let p = principal(viewer, &format!("/nop/{id}/{slug}"))?;
    match drafts::load(&cx.app, p, id).await {
        Ok(l) if l.draft.submitted_at.is_some() && slug != "da-nop" => {
            Err(see_other(&format!("/nop/{id}/da-nop"), &[]))
        }
        Ok(l) => Ok(l),
        Err(e) => Err(cx.error(viewer, e).await),
    }
}

/// What a saved page answers: the next page, or the page again with its problems.
async fn saved<F>(
    cx: &Ctx,
    viewer: &Viewer,
    id: &str,
    page: &str,
    result: Result<(), Refused>,
    again: F,
) -> Response
where
    F: AsyncFnOnce(Loaded, Vec<Problem>) -> Response,
{
    let slug = PAGES
        .iter()
        .find(|(p, _)| *p == page)
        .map_or("kiem-tra", |(_, s)| *s);
    let l = match loaded(cx, viewer, id, slug).await {
        Ok(l) => l,
        Err(r) => return r,
    };
    match result {
        Ok(()) => see_other(&after(&l, page), &[]),
        Err(Refused::Fields(problems)) => again(l, problems).await,
        Err(Refused::App(e)) => cx.error(viewer, e).await,
    }
}

// ---- applicant ----

#[derive(Template)]
#[template(path = "submit_applicant.html")]
struct ApplicantPage {
    layout: Layout,
    s: Step,
    problems: Vec<Problem>,
    fields: Vec<Input>,
}

impl ApplicantPage {
    fn err(&self, field: &str) -> Option<&str> {
        find(&self.problems, field)
    }
}

fn input(
    name: &str,
    label: &str,
    hint: &str,
    kind: &'static str,
    auto: &'static str,
    value: &str,
) -> Input {
    Input {
        name: name.into(),
        label: label.into(),
        hint: hint.into(),
        kind,
        autocomplete: auto,
        value: value.into(),
    }
}

fn applicant_fields(a: &Applicant) -> Vec<Input> {
    vec![
        input("name", "Họ và tên", "", "text", "name", &a.name),
        input(
            "id_number",
            "Số định danh cá nhân (CCCD) (không bắt buộc)",
            "12 chữ số, in trên căn cước công dân",
            "text",
            "off",
            &a.id_number,
        ),
        input(
            "address",
            "Địa chỉ thường trú (không bắt buộc)",
            "",
            "text",
            "street-address",
            &a.address,
        ),
        input(
            "phone",
            "Số điện thoại",
            "Để cơ quan liên hệ khi cần; cần số điện thoại hoặc thư điện tử",
            "tel",
            "tel",
            &a.phone,
        ),
        input(
            "email",
            "Thư điện tử (không bắt buộc)",
            "",
            "email",
            "email",
            &a.email,
        ),
    ]
}

async fn applicant_page(
    cx: &Ctx,
    viewer: &Viewer,
    l: &Loaded,
    a: &Applicant,
    problems: Vec<Problem>,
) -> Response {
    let view = ApplicantPage {
        layout: cx.layout(viewer).await,
        s: step_of(l, "applicant"),
        fields: applicant_fields(a),
        problems,
    };
    page_for(viewer, status_of(&view.problems), &view)
}

/// `GET /nop/{id}/nguoi-nop`.
pub(crate) async fn applicant_form(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Response {
    let cx = Ctx { app, tenant };
    match loaded(&cx, &viewer, &id, "nguoi-nop").await {
        Ok(l) => applicant_page(&cx, &viewer, &l, &l.data.applicant, Vec::new()).await,
        Err(r) => r,
    }
}

/// `POST /nop/{id}/nguoi-nop`.
pub(crate) async fn save_applicant(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let cx = Ctx { app, tenant };
    let p = match cx
        .poster(&viewer, &format!("/nop/{id}/nguoi-nop"), &f)
        .await
    {
        Ok(p) => p,
        Err(r) => return r,
    };
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let a = Applicant {
        name: get("name"),
        id_number: get("id_number"),
        address: get("address"),
        phone: get("phone"),
        email: get("email"),
    };
    let result = drafts::save_applicant(&cx.app, p, &id, a.clone()).await;
    saved(
        &cx,
        &viewer,
        &id,
        "applicant",
        result,
        async |l, problems| applicant_page(&cx, &viewer, &l, &a, problems).await,
    )
    .await
}

// ---- form ----

#[derive(Template)]
#[template(path = "submit_form.html")]
struct FormPage {
    layout: Layout,
    s: Step,
    problems: Vec<Problem>,
    fields: Vec<Input>,
}

impl FormPage {
    fn err(&self, field: &str) -> Option<&str> {
        find(&self.problems, field)
    }
}

async fn form_page(
    cx: &Ctx,
    viewer: &Viewer,
    l: &Loaded,
    values: &BTreeMap<String, String>,
    problems: Vec<Problem>,
) -> Response {
    let fields = l
        .procedure
        .form_fields
        .iter()
        .map(|f| {
            let label = if f.required {
                f.label.clone()
            } else {
                format!("{} (không bắt buộc)", f.label)
            };
            input(
                &format!("form.{}", f.key),
                &label,
                &f.hint,
                "text",
                "off",
                values.get(&f.key).map_or("", String::as_str),
            )
        })
        .collect();
    let view = FormPage {
        layout: cx.layout(viewer).await,
        s: step_of(l, "form"),
        fields,
        problems,
    };
    page_for(viewer, status_of(&view.problems), &view)
}

/// `GET /nop/{id}/to-khai`.
pub(crate) async fn form_form(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Response {
    let cx = Ctx { app, tenant };
    match loaded(&cx, &viewer, &id, "to-khai").await {
        Ok(l) => form_page(&cx, &viewer, &l, &l.data.form, Vec::new()).await,
        Err(r) => r,
    }
}

/// `POST /nop/{id}/to-khai`.
pub(crate) async fn save_form(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let cx = Ctx { app, tenant };
    let p = match cx.poster(&viewer, &format!("/nop/{id}/to-khai"), &f).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let values: BTreeMap<String, String> = f
        .iter()
        .filter_map(|(k, v)| k.strip_prefix("form.").map(|k| (k.to_string(), v.clone())))
        .collect();
    let result = drafts::save_form(&cx.app, p, &id, values.clone()).await;
    saved(&cx, &viewer, &id, "form", result, async |l, problems| {
        form_page(&cx, &viewer, &l, &values, problems).await
    })
    .await
}

// ---- files ----

struct ComponentView {
    index: usize,
    field: String,
    name: String,
    required: bool,
    copies: String,
    /// (position in the draft, name, size in words)
    files: Vec<(usize, String, String)>,
}

#[derive(Template)]
#[template(path = "submit_files.html")]
struct FilesPage {
    layout: Layout,
    s: Step,
    problems: Vec<Problem>,
    components: Vec<ComponentView>,
    max_mb: usize,
    max_files: usize,
}

impl FilesPage {
    fn err(&self, field: &str) -> Option<&str> {
        find(&self.problems, field)
    }
}

/// How many originals and copies of a component the paper dossier holds, in words (empty
/// when the catalogue says none).
pub(super) fn copies_of(c: &motcua_core::procedure::Component) -> String {
    let mut parts = Vec::new();
    if c.originals > 0 {
        parts.push(format!("{} bản chính", c.originals));
    }
    if c.certified_copies > 0 {
        parts.push(format!("{} bản sao chứng thực", c.certified_copies));
    }
    if c.photocopies > 0 {
        parts.push(format!("{} bản photo", c.photocopies));
    }
    parts.join(", ")
}

fn copies(c: &motcua_core::procedure::Component) -> String {
    match copies_of(c) {
        none if none.is_empty() => "Tải lên bản chụp hoặc bản quét".into(),
        parts => format!("Hồ sơ giấy gồm {parts}; ở đây tải lên bản chụp hoặc bản quét"),
    }
}

async fn files_page(cx: &Ctx, viewer: &Viewer, l: &Loaded, problems: Vec<Problem>) -> Response {
    let components = l
        .procedure
        .components
        .iter()
        .enumerate()
        .map(|(i, c)| ComponentView {
            index: i,
            field: format!("component.{i}"),
            name: c.name.clone(),
            required: c.required,
            copies: copies(c),
            files: l
                .data
                .files
                .iter()
                .enumerate()
                .filter(|(_, f)| f.component == c.name)
                .map(|(j, f)| (j, f.name.clone(), text::size(f.size)))
                .collect(),
        })
        .collect();
    let view = FilesPage {
        layout: cx.layout(viewer).await,
        s: step_of(l, "files"),
        problems,
        components,
        max_mb: crate::limits::FILE_BYTES / (1024 * 1024),
        max_files: crate::limits::FILES,
    };
    page_for(viewer, status_of(&view.problems), &view)
}

/// `GET /nop/{id}/giay-to`.
pub(crate) async fn files_form(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Response {
    let cx = Ctx { app, tenant };
    match loaded(&cx, &viewer, &id, "giay-to").await {
        Ok(l) => files_page(&cx, &viewer, &l, Vec::new()).await,
        Err(r) => r,
    }
}

/// `POST /nop/{id}/giay-to` (multipart): uploads the chosen files; removes one (`xoa`);
/// or, with `hanh-dong=tiep`, uploads and goes on when every required component has a file.
pub(crate) async fn save_files(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    Path(id): Path<String>,
    req: Request,
) -> Response {
    let cx = Ctx { app, tenant };
    let p = match principal(&viewer, &format!("/nop/{id}/giay-to")) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let read = match Multipart::from_request(req, &cx.app).await {
        Ok(m) => crate::files::read_form(m).await,
        Err(_) => Err(AppError::with(
            crate::app::Code::InvalidBody,
            "Không đọc được biểu mẫu đã gửi; vui lòng thử lại.",
        )),
    };
    let (fields, uploads) = match read {
        Ok(x) => x,
        Err(e) if e.status() < 500 && e.code != crate::app::Code::InvalidBody => {
            // The files page again, the problem beside the files.
            let problems = vec![Problem {
                field: "component.0".into(),
                message: e.message,
            }];
            return match loaded(&cx, &viewer, &id, "giay-to").await {
                Ok(l) => files_page(&cx, &viewer, &l, problems).await,
                Err(r) => r,
            };
        }
        Err(e) => return cx.error(&viewer, e).await,
    };
    if !viewer.accepts(fields.get("csrf").map(String::as_str)) {
        return cx.error(&viewer, forged()).await;
    }
    if let Some(index) = fields.get("xoa").and_then(|v| v.parse::<usize>().ok()) {
        return match drafts::remove_file(&cx.app, p, &id, index).await {
            Ok(()) => see_other(&format!("/nop/{id}/giay-to"), &[]),
            Err(e) => cx.error(&viewer, e).await,
        };
    }
    let mut by_component = Vec::new();
    for (input, upload) in uploads {
        match input
            .strip_prefix("component.")
            .and_then(|i| i.parse::<usize>().ok())
        {
            Some(i) => by_component.push((i, upload)),
            None => continue,
        }
    }
    let uploaded = if by_component.is_empty() {
        Ok(())
    } else {
        drafts::add_files(&cx.app, p, &id, by_component).await
    };
    let go_on = fields.get("hanh-dong").is_some_and(|v| v == "tiep");
    let result = match uploaded {
        Ok(()) if go_on => drafts::files_done(&cx.app, p, &id).await,
        Ok(()) => return see_other(&format!("/nop/{id}/giay-to"), &[]),
        Err(e) => Err(e),
    };
    saved(&cx, &viewer, &id, "files", result, async |l, problems| {
        files_page(&cx, &viewer, &l, problems).await
    })
    .await
}

// ---- delivery ----

#[derive(Template)]
#[template(path = "submit_delivery.html")]
struct DeliveryPage {
    layout: Layout,
    s: Step,
    problems: Vec<Problem>,
    choice: String,
    address: String,
    phone: String,
}

impl DeliveryPage {
    fn err(&self, field: &str) -> Option<&str> {
        find(&self.problems, field)
    }
}

async fn delivery_page(
    cx: &Ctx,
    viewer: &Viewer,
    l: &Loaded,
    (choice, address, phone): (String, String, String),
    problems: Vec<Problem>,
) -> Response {
    let view = DeliveryPage {
        layout: cx.layout(viewer).await,
        s: step_of(l, "delivery"),
        problems,
        choice,
        address,
        phone,
    };
    page_for(viewer, status_of(&view.problems), &view)
}

/// `GET /nop/{id}/nhan-ket-qua`.
pub(crate) async fn delivery_form(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Response {
    let cx = Ctx { app, tenant };
    let l = match loaded(&cx, &viewer, &id, "nhan-ket-qua").await {
        Ok(l) => l,
        Err(r) => return r,
    };
    let a = &l.data.applicant;
    let values = match &l.data.delivery {
        Some(Delivery::Post(d)) => ("post".into(), d.address.clone(), d.phone.clone()),
        Some(Delivery::Desk) => ("desk".into(), a.address.clone(), a.phone.clone()),
        None => (String::new(), a.address.clone(), a.phone.clone()),
    };
    delivery_page(&cx, &viewer, &l, values, Vec::new()).await
}

/// `POST /nop/{id}/nhan-ket-qua`.
pub(crate) async fn save_delivery(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let cx = Ctx { app, tenant };
    let p = match cx
        .poster(&viewer, &format!("/nop/{id}/nhan-ket-qua"), &f)
        .await
    {
        Ok(p) => p,
        Err(r) => return r,
    };
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let choice = get("delivery");
    let delivery = match choice.as_str() {
        "desk" => Some(Delivery::Desk),
        "post" => Some(Delivery::Post(PostalDelivery {
            address: get("address"),
            phone: get("post_phone"),
        })),
        _ => None,
    };
    let result = drafts::save_delivery(&cx.app, p, &id, delivery).await;
    let values = (choice, get("address"), get("post_phone"));
    saved(
        &cx,
        &viewer,
        &id,
        "delivery",
        result,
        async |l, problems| delivery_page(&cx, &viewer, &l, values, problems).await,
    )
    .await
}

// ---- check and submit ----

#[derive(Template)]
#[template(path = "submit_check.html")]
struct CheckPage {
    layout: Layout,
    s: Step,
    problems: Vec<Problem>,
    applicant: Vec<(String, String)>,
    form: Vec<(String, String)>,
    files: Vec<(String, String)>,
    delivery: String,
}

async fn check_page(cx: &Ctx, viewer: &Viewer, l: &Loaded, problems: Vec<Problem>) -> Response {
    let a = &l.data.applicant;
    let or_none = |v: &str| {
        if v.is_empty() {
            "Không khai".to_string()
        } else {
            v.to_string()
        }
    };
    let applicant = vec![
        ("Họ và tên".into(), a.name.clone()),
        ("Số định danh cá nhân".into(), or_none(&a.id_number)),
        ("Địa chỉ".into(), or_none(&a.address)),
        ("Số điện thoại".into(), or_none(&a.phone)),
        ("Thư điện tử".into(), or_none(&a.email)),
    ];
    let form = l
        .procedure
        .form_fields
        .iter()
        .map(|f| {
            (
                f.label.clone(),
                or_none(l.data.form.get(&f.key).map_or("", String::as_str)),
            )
        })
        .collect();
    let files = l
        .procedure
        .components
        .iter()
        .map(|c| {
            let names: Vec<String> = l
                .data
                .files
                .iter()
                .filter(|f| f.component == c.name)
                .map(|f| f.name.clone())
                .collect();
            let shown = if names.is_empty() {
                "Chưa tải lên".to_string()
            } else {
                names.join(", ")
            };
            (c.name.clone(), shown)
        })
        .collect();
    let delivery = match &l.data.delivery {
        Some(Delivery::Post(d)) => format!("Qua bưu chính: {}, điện thoại {}", d.address, d.phone),
        Some(Delivery::Desk) => "Tại Bộ phận Một cửa".into(),
        None => "Chưa chọn".into(),
    };
    let view = CheckPage {
        layout: cx.layout(viewer).await,
        s: step_of(l, "check"),
        problems,
        applicant,
        form,
        files,
        delivery,
    };
    page_for(viewer, status_of(&view.problems), &view)
}

/// `GET /nop/{id}/kiem-tra`: every answer with a link to change it; an unfinished page
/// comes first.
pub(crate) async fn check(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Response {
    let cx = Ctx { app, tenant };
    let l = match loaded(&cx, &viewer, &id, "kiem-tra").await {
        Ok(l) => l,
        Err(r) => return r,
    };
    if let Some(page) = drafts::next_page(&l) {
        let slug = PAGES
            .iter()
            .find(|(p, _)| *p == page)
            .map_or("nguoi-nop", |(_, s)| *s);
        return see_other(&format!("/nop/{id}/{slug}"), &[]);
    }
    check_page(&cx, &viewer, &l, Vec::new()).await
}

/// `POST /nop/{id}/kiem-tra`: submits, once.
pub(crate) async fn submit(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let cx = Ctx { app, tenant };
    let p = match cx.poster(&viewer, &format!("/nop/{id}/kiem-tra"), &f).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    match drafts::submit(&cx.app, p, &id).await {
        Ok(_) => see_other(&format!("/nop/{id}/da-nop"), &[]),
        Err(e) if e.status() < 500 && e.status() != 404 => {
            // The engine's refusal (incomplete, too many submissions): shown on the check page.
            let mut message = e.message.clone();
            if !e.missing.is_empty() {
                message = format!("Hồ sơ còn thiếu: {}.", e.missing.join("; "));
            }
            let problems = vec![Problem {
                field: "loi-tieu-de".into(),
                message,
            }];
            match drafts::load(&cx.app, p, &id).await {
                Ok(l) if l.draft.submitted_at.is_none() => {
                    check_page(&cx, &viewer, &l, problems).await
                }
                _ => cx.error(&viewer, e).await,
            }
        }
        Err(e) => cx.error(&viewer, e).await,
    }
}

#[derive(Template)]
#[template(path = "submit_done.html")]
struct DonePage {
    layout: Layout,
    id: String,
    procedure: String,
    agency: String,
    intake_due: Option<String>,
    postal: Option<String>,
}

/// `GET /nop/{id}/da-nop`: the confirmation, with the intake deadline.
pub(crate) async fn done(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Response {
    let cx = Ctx { app, tenant };
    let l = match loaded(&cx, &viewer, &id, "da-nop").await {
        Ok(l) => l,
        Err(r) => return r,
    };
    if l.draft.submitted_at.is_none() {
        return see_other(&format!("/nop/{id}/kiem-tra"), &[]);
    }
    let Some(p) = &viewer.principal else {
        return to_login(&format!("/nop/{id}/da-nop"));
    };
    let d = match crate::app::dossiers::visible(&cx.app, p, &id).await {
        Ok(d) => d,
        Err(e) => return cx.error(&viewer, e).await,
    };
    let view = DonePage {
        layout: cx.layout(&viewer).await,
        id: d.id.clone(),
        procedure: l.procedure.catalogue.name.clone(),
        agency: l.agency_name.clone(),
        intake_due: d.intake_due.map(motcua_core::calendar::to_local_vi),
        postal: d
            .postal_delivery
            .as_ref()
            .map(|x| format!("{} (điện thoại {})", x.address, x.phone)),
    };
    page_for(&viewer, StatusCode::OK, &view)
}
