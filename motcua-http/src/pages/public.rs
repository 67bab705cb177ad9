//! The public pages: home, catalogue and search, procedure detail, lookup by code.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use std::collections::HashMap;

use super::{Layout, Viewer, error_page, page_for, text};
use crate::app::{AppError, Code, catalogue};
use crate::{AppState, Tenant};

/// How many procedures a catalogue page lists.
const PER_PAGE: usize = 20;

/// A procedure as lists show it.
struct Item {
    code: String,
    name: String,
    field: String,
    time_limit: String,
    service: String,
}

/// Lists show the time limit in words; the catalogue item has its code form (`3wd`).
fn item(config: &crate::app::config::Config, p: &catalogue::ProcedureItem) -> Item {
    let limit = config
        .latest_of(&p.code)
        .map(|full| text::time_limit(&full.catalogue.time_limit, full.catalogue.immediate))
        .unwrap_or_else(|| p.time_limit.clone());
    Item {
        code: p.code.clone(),
        name: p.name.clone(),
        field: p.field.clone(),
        time_limit: limit,
        service: text::service(&p.service_level),
    }
}

struct AgencyLink {
    id: String,
    name: String,
}

struct Level {
    name: &'static str,
    agencies: Vec<AgencyLink>,
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    layout: Layout,
    popular: Vec<Item>,
    levels: Vec<Level>,
}

/// `/`: search, lookup, the most used procedures, agencies by level, how to submit.
pub(crate) async fn home(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
) -> Response {
    let t = tenant.as_deref();
    let built = async {
        let config = app.config().await?;
        let query = catalogue::CatalogueQuery {
            agency: tenant.clone(),
            ..Default::default()
        };
        let mut all = catalogue::procedures(&app, &query).await?;
        let used = catalogue::most_used(&app).await?;
        all.sort_by_key(|p| {
            std::cmp::Reverse(
                used.iter()
                    .find(|(c, _)| *c == p.code)
                    .map_or(0, |(_, n)| *n),
            )
        });
        let popular = all.iter().take(6).map(|p| item(&config, p)).collect();
        let levels = catalogue::LEVELS
            .iter()
            .map(|l| Level {
                name: text::level(l),
                agencies: config
                    .directory
                    .all()
                    .into_iter()
                    .filter(|a| a.level == *l)
                    .map(|a| AgencyLink {
                        id: a.id.clone(),
                        name: a.name.clone(),
                    })
                    .collect(),
            })
            .filter(|l| !l.agencies.is_empty())
            .collect();
        Ok::<_, AppError>(Home {
            layout: Layout::new(&app, t, "home", &viewer).await,
            popular,
            levels,
        })
    }
    .await;
    match built {
        Ok(h) => page_for(&viewer, StatusCode::OK, &h),
        Err(e) => error_page(&app, t, &viewer, e).await,
    }
}

struct AgencyChoice {
    id: String,
    name: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "catalogue.html")]
struct Catalogue {
    layout: Layout,
    q: String,
    agencies: Vec<AgencyChoice>,
    fields: Vec<Choice>,
    levels: Vec<Choice>,
    services: Vec<Choice>,
    summary: String,
    error: Option<String>,
    items: Vec<Item>,
    page: usize,
    pages: usize,
    prev: Option<String>,
    next: Option<String>,
}

/// The address of a catalogue page with the same search.
/// What the catalogue page was asked for, in its address's words.
#[derive(Clone, Default)]
struct Filters {
    q: String,
    agency: Option<String>,
    field: Option<String>,
    level: Option<String>,
    service: Option<String>,
}

fn catalogue_link(f: &Filters, page: usize) -> String {
    let mut parts = Vec::new();
    if !f.q.is_empty() {
        parts.push(format!("q={}", encode(&f.q)));
    }
    for (name, value) in [
        ("co-quan", &f.agency),
        ("linh-vuc", &f.field),
        ("cap", &f.level),
        ("muc-do", &f.service),
    ] {
        if let Some(v) = value {
            parts.push(format!("{name}={}", encode(v)));
        }
    }
    if page > 1 {
        parts.push(format!("trang={page}"));
    }
    if parts.is_empty() {
        "/thu-tuc".into()
    } else {
        format!("/thu-tuc?{}", parts.join("&"))
    }
}

/// A choice of a filter's list: its value, its words, whether it is the one asked for.
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

fn choices(options: &[(String, String)], chosen: Option<&str>) -> Vec<Choice> {
    options
        .iter()
        .map(|(value, label)| Choice {
            selected: chosen == Some(value.as_str()),
            value: value.clone(),
            label: label.clone(),
        })
        .collect()
}

/// Percent-encodes a query value.
pub(super) fn encode(v: &str) -> String {
    let mut out = String::new();
    for b in v.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `/thu-tuc?q=&co-quan=&linh-vuc=&cap=&muc-do=&trang=`: the catalogue, searched without
/// regard to diacritics, by agency (the site's by default), field, level and online service
/// level, 20 to a page.
pub(crate) async fn catalogue(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let t = tenant.as_deref();
    let text_q = q.get("q").map(|s| s.trim().to_string()).unwrap_or_default();
    let agency = match q.get("co-quan").map(String::as_str) {
        Some("") => None,
        Some(a) => Some(a.to_string()),
        None => tenant.clone(),
    };
    let page_no: usize = q
        .get("trang")
        .and_then(|p| p.parse().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1);
    let config = match app.config().await {
        Ok(c) => c,
        Err(e) => return error_page(&app, t, &viewer, e).await,
    };
    let chosen = |name: &str| q.get(name).filter(|v| !v.is_empty()).cloned();
    let filters = Filters {
        q: text_q.clone(),
        agency: agency.clone(),
        field: chosen("linh-vuc"),
        level: chosen("cap"),
        service: chosen("muc-do"),
    };
    let query = catalogue::CatalogueQuery {
        text: (!text_q.is_empty()).then(|| text_q.clone()),
        agency: agency.clone(),
        field: filters.field.clone(),
        level: filters.level.clone(),
        service_level: filters.service.clone(),
    };
    let (found, error) = match catalogue::procedures(&app, &query).await {
        Ok(list) => (list, None),
        Err(e) if e.code == Code::UnknownAgency => (
            Vec::new(),
            Some("Không có cơ quan này; hãy chọn cơ quan trong danh sách.".to_string()),
        ),
        Err(e) if matches!(e.code, Code::InvalidLevel | Code::InvalidServiceLevel) => (
            Vec::new(),
            Some("Lựa chọn không có trong danh sách; hãy chọn lại.".to_string()),
        ),
        Err(e) => return error_page(&app, t, &viewer, e).await,
    };
    let mut field_names: Vec<String> = config
        .latest()
        .into_iter()
        .map(|p| p.catalogue.field.clone())
        .collect();
    field_names.sort();
    field_names.dedup();
    let field_options: Vec<(String, String)> =
        field_names.into_iter().map(|f| (f.clone(), f)).collect();
    let level_options: Vec<(String, String)> = catalogue::LEVELS
        .iter()
        .map(|l| (l.to_string(), text::level(l).to_string()))
        .collect();
    let service_options: Vec<(String, String)> = [
        ("full", "Dịch vụ công trực tuyến toàn trình"),
        ("partial", "Dịch vụ công trực tuyến một phần"),
        ("none", "Chỉ nộp trực tiếp hoặc qua bưu chính"),
    ]
    .iter()
    .map(|(v, l)| (v.to_string(), l.to_string()))
    .collect();
    let pages = found.len().div_ceil(PER_PAGE).max(1);
    let page_no = page_no.min(pages);
    let items: Vec<Item> = found
        .iter()
        .skip((page_no - 1) * PER_PAGE)
        .take(PER_PAGE)
        .map(|p| item(&config, p))
        .collect();
    let summary = match (found.len(), text_q.is_empty()) {
        (0, false) => format!("Không tìm thấy thủ tục nào cho “{text_q}”."),
        (0, true) => "Chưa có thủ tục nào.".to_string(),
        (n, false) => format!("Tìm thấy {n} thủ tục cho “{text_q}”."),
        (n, true) => format!("{n} thủ tục."),
    };
    let agencies = config
        .directory
        .all()
        .into_iter()
        .map(|a| AgencyChoice {
            selected: agency.as_deref() == Some(a.id.as_str()),
            id: a.id.clone(),
            name: a.name.clone(),
        })
        .collect();
    let view = Catalogue {
        layout: Layout::new(&app, t, "catalogue", &viewer).await,
        prev: (page_no > 1).then(|| catalogue_link(&filters, page_no - 1)),
        next: (page_no < pages).then(|| catalogue_link(&filters, page_no + 1)),
        q: text_q,
        agencies,
        fields: choices(&field_options, filters.field.as_deref()),
        levels: choices(&level_options, filters.level.as_deref()),
        services: choices(&service_options, filters.service.as_deref()),
        summary,
        error,
        items,
        page: page_no,
        pages,
    };
    page_for(&viewer, StatusCode::OK, &view)
}

struct ComponentRow {
    /// Whether `form` is an address to download it from (else the form's name).
    form_link: bool,
    name: String,
    form: Option<String>,
    originals: u32,
    certified_copies: u32,
    photocopies: u32,
    required: bool,
}

struct StepRow {
    name: String,
    role: String,
    allowance: String,
}

struct ProcedureView {
    code: String,
    version: String,
    name: String,
    field: String,
    levels: String,
    agencies: Vec<String>,
    /// Where to submit it in person, and how to reach each desk.
    desks: Vec<(String, Vec<super::ContactLine>)>,
    handling_agency: String,
    time_limit: String,
    service: String,
    applicants: String,
    result: String,
    online: bool,
    steps_text: Vec<String>,
    components: Vec<ComponentRow>,
    steps: Vec<StepRow>,
    fees: Vec<String>,
    conditions: Vec<String>,
    legal_basis: Vec<String>,
}

#[derive(Template)]
#[template(path = "procedure.html")]
struct ProcedurePage {
    layout: Layout,
    p: ProcedureView,
}

/// `/thu-tuc/{code}`: every catalogue field of a procedure (DOMAIN.md §3).
pub(crate) async fn procedure(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    Path(code): Path<String>,
) -> Response {
    let t = tenant.as_deref();
    let d = match catalogue::procedure(&app, &code).await {
        Ok(d) => d,
        Err(e) => return error_page(&app, t, &viewer, e).await,
    };
    let config = match app.config().await {
        Ok(c) => c,
        Err(e) => return error_page(&app, t, &viewer, e).await,
    };
    let steps = config
        .latest_of(&code)
        .map(|p| {
            p.steps
                .iter()
                .map(|s| StepRow {
                    name: s.name.clone(),
                    role: text::capitalised(s.role.label_vi()),
                    // Within the working day a step has no time of its own.
                    allowance: if p.catalogue.immediate {
                        "Trong ngày làm việc".into()
                    } else {
                        text::duration(&s.allowance)
                    },
                })
                .collect()
        })
        .unwrap_or_default();
    let c = &d.catalogue;
    let view = ProcedureView {
        code: c.code.clone(),
        version: c.version.to_string(),
        name: c.name.clone(),
        field: c.field.clone(),
        levels: text::levels(&c.agency_levels),
        agencies: d.agencies.iter().map(|a| a.name.clone()).collect(),
        desks: d
            .agencies
            .iter()
            .map(|a| (a.name.clone(), super::contact_lines(&a.contact)))
            .collect(),
        handling_agency: c.handling_agency.clone(),
        time_limit: text::time_limit(&c.time_limit, c.immediate),
        service: text::service(&c.service_level),
        applicants: c.applicants.clone(),
        result: c.result.clone(),
        online: d.online,
        steps_text: c.steps_text.clone(),
        components: d
            .components
            .iter()
            .map(|x| ComponentRow {
                name: x.name.clone(),
                form: x.form.clone(),
                form_link: x.form.as_deref().is_some_and(is_address),
                originals: x.originals,
                certified_copies: x.certified_copies,
                photocopies: x.photocopies,
                required: x.required,
            })
            .collect(),
        steps,
        fees: c
            .fees
            .iter()
            .map(|f| match f.amount_vnd {
                0 => format!("{}: không thu", f.name),
                n => format!("{}: {}", f.name, text::money(n)),
            })
            .collect(),
        conditions: c.conditions.clone(),
        legal_basis: c.legal_basis.clone(),
    };
    page_for(
        &viewer,
        StatusCode::OK,
        &ProcedurePage {
            layout: Layout::new(&app, t, "catalogue", &viewer).await,
            p: view,
        },
    )
}

struct LookupView {
    code: String,
    procedure: String,
    state: String,
    national_status: i64,
    accepted_at: Option<String>,
    appointment: Option<String>,
    current_step: Option<String>,
    returned: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "lookup.html")]
struct LookupPage {
    layout: Layout,
    code: String,
    error: Option<String>,
    result: Option<LookupView>,
}

async fn lookup_page(
    app: &AppState,
    tenant: Option<&str>,
    viewer: &Viewer,
    code: String,
) -> Response {
    let layout = Layout::new(app, tenant, "lookup", viewer).await;
    if code.is_empty() {
        return page_for(
            viewer,
            StatusCode::OK,
            &LookupPage {
                layout,
                code,
                error: None,
                result: None,
            },
        );
    }
    match catalogue::lookup(app, &code).await {
        Ok(l) => {
            let result = LookupView {
                code: l.code.clone(),
                procedure: l.procedure_name.clone().unwrap_or(l.procedure.clone()),
                state: text::capitalised(l.state_vi),
                national_status: l.national_status,
                accepted_at: l.accepted_at.as_deref().map(text::instant),
                appointment: l.appointment.as_deref().map(text::instant),
                current_step: l.current_step.clone(),
                returned: l.returned.map(text::timeliness),
            };
            page_for(
                viewer,
                StatusCode::OK,
                &LookupPage {
                    layout,
                    code,
                    error: None,
                    result: Some(result),
                },
            )
        }
        Err(e) if matches!(e.code, Code::InvalidCode | Code::NotFound) => {
            let (status, message) = if e.code == Code::InvalidCode {
                (
                    StatusCode::BAD_REQUEST,
                    "Mã hồ sơ không đúng dạng. Mã gồm mã cơ quan, ngày tiếp nhận và số thứ tự, ví dụ 000.20.31.H53-261207-0001.",
                )
            } else {
                (
                    StatusCode::NOT_FOUND,
                    "Không tìm thấy hồ sơ có mã này. Hãy kiểm tra lại mã trên giấy tiếp nhận.",
                )
            };
            page_for(
                viewer,
                status,
                &LookupPage {
                    layout,
                    code,
                    error: Some(message.into()),
                    result: None,
                },
            )
        }
        Err(e) => error_page(app, tenant, viewer, e).await,
    }
}

/// `/tra-cuu?ma=`: the lookup form, and its answer when a code is given.
pub(crate) async fn lookup_form(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let code = q
        .get("ma")
        .map(|c| c.trim().to_string())
        .unwrap_or_default();
    lookup_page(&app, tenant.as_deref(), &viewer, code).await
}

/// `/tra-cuu/{code}`: a dossier's public status (the address the receipt's QR code
/// carries).
pub(crate) async fn lookup(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    Path(code): Path<String>,
) -> Response {
    lookup_page(&app, tenant.as_deref(), &viewer, code.trim().to_string()).await
}

/// Whether a component's form is given as an address (of this site or another) rather than
/// by its number.
fn is_address(form: &str) -> bool {
    form.starts_with("https://") || form.starts_with("http://") || form.starts_with('/')
}
