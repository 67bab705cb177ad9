//! Administration, first part: procedures. A system administrator uploads a procedure file,
//! sees every problem with its line and column and the workflow drawn, publishes it as a new
//! version (a published version never changes) and assigns procedures to the agencies that
//! receive them. The rules are in `app::procedures`.

use askama::Template;
use axum::extract::{FromRequest, Multipart, Query, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_core::procedure::Procedure;
use std::collections::{HashMap, VecDeque};

use super::accounts::{forged, to_login};
use super::{Layout, Viewer, error_page, page_for, see_other, text};
use crate::app::procedures::{self as uc, Checked};
use crate::app::{AppError, Code, Principal};
use crate::{AppState, Tenant};

/// The largest procedure file accepted.
const MAX_SOURCE: usize = 256 * 1024;

/// The largest catalogue file accepted (some hundreds of procedures).
const MAX_CATALOGUE: usize = 4 * 1024 * 1024;

#[allow(clippy::result_large_err)] // an answer, built once, never propagated far
fn admin<'a>(viewer: &'a Viewer, here: &str) -> Result<&'a Principal, Option<Response>> {
    match &viewer.principal {
        None => Err(Some(to_login(here))),
        Some(p) if p.user.must_change_password => Err(Some(see_other("/doi-mat-khau", &[]))),
        Some(p) if uc::may_publish(p) => Ok(p),
        Some(_) => Err(None),
    }
}

async fn signed_in(
    app: &AppState,
    tenant: Option<&str>,
    viewer: &Viewer,
    here: &str,
) -> Result<Principal, Response> {
    match admin(viewer, here) {
        Ok(p) => Ok(p.clone()),
        Err(Some(r)) => Err(r),
        Err(None) => Err(error_page(
            app,
            tenant,
            viewer,
            AppError::forbidden("Trang này dành cho quản trị hệ thống."),
        )
        .await),
    }
}

/// The system administrator who sent a procedures form, once its form token is checked; or
/// the answer to give instead.
async fn posted_by_admin(
    app: &AppState,
    tenant: Option<&str>,
    viewer: &Viewer,
    form: &HashMap<String, String>,
) -> Result<Principal, Response> {
    let p = signed_in(app, tenant, viewer, "/can-bo/thu-tuc").await?;
    if !viewer.accepts(form.get("csrf").map(String::as_str)) {
        return Err(error_page(app, tenant, viewer, forged()).await);
    }
    Ok(p)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Splits a label into at most two lines of about `width` characters.
fn two_lines(s: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = vec![String::new()];
    for word in s.split_whitespace() {
        let last = lines.last_mut().expect("a line");
        if !last.is_empty() && last.chars().count() + 1 + word.chars().count() > width {
            if lines.len() == 2 {
                let l = lines.last_mut().expect("a line");
                l.push('…');
                return lines;
            }
            lines.push(word.to_string());
        } else {
            if !last.is_empty() {
                last.push(' ');
            }
            last.push_str(word);
        }
    }
    lines
}

/// The workflow as an SVG drawing: steps in layers by their distance from the first step,
/// hand-overs as arrows labelled with the action, steps that go back drawn as curves.
pub(crate) fn workflow_svg(p: &Procedure) -> String {
    const W: i64 = 270;
    const H: i64 = 64;
    const GAP_X: i64 = 110;
    const GAP_Y: i64 = 36;
    let index: HashMap<&str, usize> = p
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i))
        .collect();
    let mut layer = vec![usize::MAX; p.steps.len()];
    let mut queue = VecDeque::from([0usize]);
    layer[0] = 0;
    while let Some(i) = queue.pop_front() {
        for t in p.transitions.iter().filter(|t| t.from == p.steps[i].id) {
            if let Some(&j) = index.get(t.to.as_str())
                && layer[j] == usize::MAX
            {
                layer[j] = layer[i] + 1;
                queue.push_back(j);
            }
        }
    }
    let deepest = layer
        .iter()
        .filter(|l| **l != usize::MAX)
        .max()
        .copied()
        .unwrap_or(0);
    for l in &mut layer {
        if *l == usize::MAX {
            *l = deepest + 1;
        }
    }
    let mut row = vec![0usize; p.steps.len()];
    let mut per_layer: HashMap<usize, usize> = HashMap::new();
    for (i, l) in layer.iter().enumerate() {
        let n = per_layer.entry(*l).or_default();
        row[i] = *n;
        *n += 1;
    }
    let rows = per_layer.values().copied().max().unwrap_or(1) as i64;
    let layers = layer.iter().max().copied().unwrap_or(0) as i64 + 1;
    let pos = |i: usize| {
        (
            20 + layer[i] as i64 * (W + GAP_X),
            20 + row[i] as i64 * (H + GAP_Y),
        )
    };
    let width = 40 + layers * (W + GAP_X) - GAP_X;
    let back = p.transitions.iter().any(|t| {
        matches!((index.get(t.from.as_str()), index.get(t.to.as_str())), (Some(&a), Some(&b)) if layer[b] <= layer[a])
    });
    let height = 20 + rows * (H + GAP_Y) + if back { GAP_Y + 10 } else { 0 };
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-labelledby=\"quy-trinh-tieu-de\">\
         <title id=\"quy-trinh-tieu-de\">Sơ đồ quy trình: {} bước, {} cách chuyển</title>\
         <defs><marker id=\"mui-ten\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#1b1b1b\"/></marker></defs>",
        p.steps.len(),
        p.transitions.len()
    );
    for t in &p.transitions {
        let (Some(&a), Some(&b)) = (index.get(t.from.as_str()), index.get(t.to.as_str())) else {
            continue;
        };
        let ((x1, y1), (x2, y2)) = (pos(a), pos(b));
        let label = escape(motcua_core::dossier::label_vi(t.action.as_str()));
        if layer[b] > layer[a] {
            let (sx, sy, ex, ey) = (x1 + W, y1 + H / 2, x2, y2 + H / 2);
            out += &format!(
                "<line x1=\"{sx}\" y1=\"{sy}\" x2=\"{ex}\" y2=\"{ey}\" stroke=\"#1b1b1b\" stroke-width=\"1.5\" marker-end=\"url(#mui-ten)\"/>\
                 <text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\" fill=\"#1b1b1b\">{label}</text>",
                (sx + ex) / 2,
                (sy + ey) / 2 - 6
            );
        } else {
            // Back (or sideways): a curve under the boxes.
            let (sx, sy, ex, ey) = (x1 + W / 2, y1 + H, x2 + W / 2, y2 + H);
            let low = sy.max(ey) + GAP_Y;
            out += &format!(
                "<path d=\"M{sx},{sy} C{sx},{low} {ex},{low} {ex},{ey}\" fill=\"none\" stroke=\"#8a4b00\" stroke-width=\"1.5\" stroke-dasharray=\"5 3\" marker-end=\"url(#mui-ten)\"/>\
                 <text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\" fill=\"#8a4b00\">{label}</text>",
                (sx + ex) / 2,
                low + 2
            );
        }
    }
    for (i, s) in p.steps.iter().enumerate() {
        let (x, y) = pos(i);
        let stroke = if i == 0 || s.end {
            "#1d6b2f"
        } else {
            "#1b1b1b"
        };
        out += &format!(
            "<g><rect x=\"{x}\" y=\"{y}\" width=\"{W}\" height=\"{H}\" rx=\"6\" fill=\"#ffffff\" stroke=\"{stroke}\" stroke-width=\"2\"/>"
        );
        for (k, line) in two_lines(&s.name, 34).iter().enumerate() {
            out += &format!(
                "<text x=\"{}\" y=\"{}\" font-size=\"12\" font-weight=\"600\" fill=\"#1b1b1b\">{}</text>",
                x + 8,
                y + 18 + k as i64 * 15,
                escape(line)
            );
        }
        out += &format!(
            "<text x=\"{}\" y=\"{}\" font-size=\"11\" fill=\"#505a5f\">{} · {}</text></g>",
            x + 8,
            y + H - 9,
            escape(&text::capitalised(s.role.label_vi())),
            escape(&text::duration(&s.allowance))
        );
    }
    out += "</svg>";
    out
}

struct Row {
    code: String,
    name: String,
    /// (version, retired), newest first.
    versions: Vec<(String, bool)>,
    /// The version new submissions use; `None` when every version is retired.
    in_force: Option<String>,
    agencies: String,
    default_workflow: bool,
}

#[derive(Template)]
#[template(path = "admin_procedures.html")]
struct ListPage {
    layout: Layout,
    notice: Option<String>,
    rows: Vec<Row>,
    codes: Vec<(String, String)>,
    agencies: Vec<(String, String)>,
}

/// `GET /can-bo/thu-tuc[?da-cong-bo=&da-giao=]`: the published procedures, the upload form
/// and the assignment form.
pub(crate) async fn list(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let t = tenant.as_deref();
    if let Err(r) = signed_in(&app, t, &viewer, "/can-bo/thu-tuc").await {
        return r;
    }
    let (config, stored) = match (app.config().await, app.store.procedures().await) {
        (Ok(c), Ok(s)) => (c, s),
        (Err(e), _) => return error_page(&app, t, &viewer, e).await,
        (_, Err(e)) => return error_page(&app, t, &viewer, e.into()).await,
    };
    let mut codes: Vec<&str> = stored.iter().map(|(c, _, _)| c.as_str()).collect();
    codes.dedup();
    let mut rows: Vec<Row> = codes
        .into_iter()
        .filter_map(|code| config.newest_of(code))
        .map(|x| {
            let c = &x.catalogue;
            let mut versions: Vec<(String, bool)> = stored
                .iter()
                .filter(|(code, _, _)| *code == c.code)
                .map(|(_, v, _)| (v.clone(), config.is_retired(&c.code, v)))
                .collect();
            versions.sort_by(|a, b| crate::app::config::compare_versions(&b.0, &a.0));
            let agencies: Vec<String> = config
                .agencies_of(&c.code)
                .into_iter()
                .map(|a| {
                    config
                        .directory
                        .get(a)
                        .map_or(a.to_string(), |x| x.name.clone())
                })
                .collect();
            Row {
                default_workflow: config
                    .latest_of(&c.code)
                    .is_some_and(|l| l.catalogue.default_workflow),
                in_force: config
                    .latest_of(&c.code)
                    .map(|l| l.catalogue.version.to_string()),
                code: c.code.clone(),
                name: c.name.clone(),
                versions,
                agencies: if agencies.is_empty() {
                    "Chưa giao cho cơ quan nào".into()
                } else {
                    agencies.join("; ")
                },
            }
        })
        .collect();
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    let notice = match (q.get("da-cong-bo"), q.get("da-giao")) {
        (Some(code), _) => Some(format!(
            "Đã công bố thủ tục {code}. Giao thủ tục cho cơ quan tiếp nhận ở mục bên dưới."
        )),
        (_, Some(code)) => Some(format!("Đã giao thủ tục {code}.")),
        _ if q.contains_key("da-ngung") => Some(format!(
            "Đã ngừng áp dụng phiên bản {}. Hồ sơ đã nhận theo phiên bản này vẫn giải quyết theo nó; hồ sơ mới dùng phiên bản mới nhất còn áp dụng.",
            q.get("da-ngung").map_or("", String::as_str)
        )),
        _ => q.get("da-nhap").map(|n| {
            format!("Đã nhập danh mục: {n}. Thủ tục có quy trình mặc định cần được thay bằng quy trình nội bộ của cơ quan.")
        }),
    };
    let view = ListPage {
        layout: Layout::new(&app, t, "office", &viewer).await,
        notice,
        codes: rows
            .iter()
            .map(|r| (r.code.clone(), r.name.clone()))
            .collect(),
        rows,
        agencies: config
            .directory
            .all()
            .into_iter()
            .map(|a| (a.id.clone(), a.name.clone()))
            .collect(),
    };
    page_for(&viewer, StatusCode::OK, &view)
}

struct ProblemRow {
    line: usize,
    column: usize,
    kind: &'static str,
    message: String,
}

#[derive(Template)]
#[template(path = "admin_check.html")]
struct CheckPage {
    layout: Layout,
    file: String,
    source: String,
    problems: Vec<ProblemRow>,
    errors: usize,
    summary: Vec<(String, String)>,
    svg: String,
    publication: &'static str,
    versions: String,
}

fn check_page(
    viewer: &Viewer,
    layout: Layout,
    file: String,
    source: String,
    c: Checked,
) -> Response {
    let errors = c.problems.iter().filter(|p| p.error).count();
    let (summary, svg) = match &c.procedure {
        Some(p) => {
            let k = &p.catalogue;
            (
                vec![
                    (
                        "Mã thủ tục".to_string(),
                        format!("{} (phiên bản {})", k.code, k.version),
                    ),
                    ("Tên".into(), k.name.clone()),
                    ("Lĩnh vực".into(), k.field.clone()),
                    (
                        "Thời hạn".into(),
                        text::time_limit(&k.time_limit, k.immediate),
                    ),
                    ("Số bước".into(), p.steps.len().to_string()),
                    ("Thành phần hồ sơ".into(), p.components.len().to_string()),
                ],
                workflow_svg(p),
            )
        }
        None => (Vec::new(), String::new()),
    };
    let status = if errors > 0 {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let view = CheckPage {
        layout,
        file,
        source,
        problems: c
            .problems
            .into_iter()
            .map(|p| ProblemRow {
                line: p.line,
                column: p.column,
                kind: if p.error { "Lỗi" } else { "Cảnh báo" },
                message: p.message,
            })
            .collect(),
        errors,
        summary,
        svg,
        publication: c.publication,
        versions: c.versions.join(", "),
    };
    page_for(viewer, status, &view)
}

/// A form with one uploaded text file (`tep`) or its text (`noi-dung`): the form token, the
/// file's name, the text (`None` when neither was given), the other fields.
async fn read_upload(
    app: &AppState,
    req: Request,
    default_name: &str,
    max: usize,
) -> Result<
    (
        Option<String>,
        String,
        Option<String>,
        HashMap<String, String>,
    ),
    AppError,
> {
    let bad = |m: &str| AppError::with(Code::InvalidBody, m.to_string());
    let mut multipart = Multipart::from_request(req, app)
        .await
        .map_err(|_| bad("Không đọc được biểu mẫu đã gửi."))?;
    let (mut csrf, mut file, mut pasted, mut name) =
        (None, None, String::new(), default_name.to_string());
    let mut others = HashMap::new();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => return Err(bad("Không đọc được biểu mẫu đã gửi.")),
        };
        let part = field.name().unwrap_or_default().to_string();
        if let Some(n) = field.file_name().filter(|n| !n.is_empty()) {
            name = n
                .chars()
                .filter(|c| !c.is_control() && *c != '/' && *c != '\\')
                .take(100)
                .collect();
        }
        let bytes = match field.bytes().await {
            Ok(b) if b.len() <= max => b,
            Ok(_) => {
                return Err(bad(&format!("Tệp quá lớn (tối đa {} KB).", max / 1024)));
            }
            Err(_) => return Err(bad("Không đọc được biểu mẫu đã gửi.")),
        };
        match part.as_str() {
            "csrf" => csrf = Some(String::from_utf8_lossy(&bytes).to_string()),
            "tep" if !bytes.is_empty() => file = Some(bytes),
            "noi-dung" => pasted = String::from_utf8_lossy(&bytes).to_string(),
            _ => {
                others.insert(part, String::from_utf8_lossy(&bytes).to_string());
            }
        }
    }
    let source = match file {
        Some(b) => {
            Some(String::from_utf8(b.to_vec()).map_err(|_| bad("Tệp phải là văn bản UTF-8."))?)
        }
        None if !pasted.trim().is_empty() => Some(pasted),
        None => None,
    };
    Ok((csrf, name, source, others))
}

/// `POST /can-bo/thu-tuc/kiem-tra` (multipart: the file, or its text pasted): the check.
pub(crate) async fn check(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    req: Request,
) -> Response {
    let t = tenant.as_deref();
    let p = match signed_in(&app, t, &viewer, "/can-bo/thu-tuc").await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let (csrf, name, source, _) = match read_upload(&app, req, "thu-tuc.toml", MAX_SOURCE).await {
        Ok(x) => x,
        Err(e) => return error_page(&app, t, &viewer, e).await,
    };
    if !viewer.accepts(csrf.as_deref()) {
        return error_page(&app, t, &viewer, forged()).await;
    }
    let Some(source) = source else {
        return error_page(
            &app,
            t,
            &viewer,
            AppError::with(
                Code::InvalidBody,
                "Chọn tệp thủ tục hoặc dán nội dung của nó.",
            ),
        )
        .await;
    };
    match uc::check(&app, &p, &name, &source).await {
        Ok(c) => {
            let layout = Layout::new(&app, t, "office", &viewer).await;
            check_page(&viewer, layout, name, source, c)
        }
        Err(e) => error_page(&app, t, &viewer, e).await,
    }
}

/// `POST /can-bo/thu-tuc/cong-bo`: publishes the checked text as a new version.
pub(crate) async fn publish(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    axum::Form(f): axum::Form<HashMap<String, String>>,
) -> Response {
    let t = tenant.as_deref();
    let p = match posted_by_admin(&app, t, &viewer, &f).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let source = f.get("noi-dung").cloned().unwrap_or_default();
    match uc::publish(&app, &p, &source).await {
        Ok(x) => see_other(
            &format!(
                "/can-bo/thu-tuc?da-cong-bo={}",
                super::public::encode(&x.catalogue.code)
            ),
            &[],
        ),
        Err(e) => error_page(&app, t, &viewer, e).await,
    }
}

/// `POST /can-bo/thu-tuc/giao`: assigns a procedure to an agency.
pub(crate) async fn assign(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    axum::Form(f): axum::Form<HashMap<String, String>>,
) -> Response {
    let t = tenant.as_deref();
    let p = match posted_by_admin(&app, t, &viewer, &f).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let code = get("thu-tuc");
    match uc::assign(&app, &p, &code, &get("co-quan")).await {
        Ok(_) => see_other(
            &format!("/can-bo/thu-tuc?da-giao={}", super::public::encode(&code)),
            &[],
        ),
        Err(e) => error_page(&app, t, &viewer, e).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_example_workflow_is_drawn_with_a_box_per_step_and_an_arrow_per_transition() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/procedures");
        for entry in std::fs::read_dir(dir).expect("examples") {
            let path = entry.expect("entry").path();
            let text = std::fs::read_to_string(&path).expect("read");
            let (p, _) = Procedure::load(&path.display().to_string(), &text).expect("loads");
            let svg = workflow_svg(&p);
            assert_eq!(
                svg.matches("<rect").count(),
                p.steps.len(),
                "{}",
                path.display()
            );
            assert_eq!(
                svg.matches("marker-end").count(),
                p.transitions.len(),
                "{}",
                path.display()
            );
            assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
            if let Ok(out) = std::env::var("MOTCUA_SVG_OUT") {
                let name = path
                    .file_stem()
                    .expect("stem")
                    .to_string_lossy()
                    .to_string();
                std::fs::write(format!("{out}/{name}.svg"), &svg).expect("write");
            }
        }
    }

    #[test]
    fn long_names_wrap_on_two_lines_at_most() {
        assert_eq!(two_lines("Tiếp nhận hồ sơ", 34), vec!["Tiếp nhận hồ sơ"]);
        let lines = two_lines(&"Lãnh đạo phòng xem xét ".repeat(6), 20);
        assert_eq!(lines.len(), 2);
        assert!(lines[1].ends_with('…'));
    }
}

/// The agency a page is about: the one asked for, else the officer's own.
pub(super) fn chosen_agency(asked: Option<&String>, p: &Principal, tenant: Option<&str>) -> String {
    asked
        .filter(|a| !a.is_empty())
        .cloned()
        .unwrap_or_else(|| super::office::agency_of(p, tenant))
}

struct StaffRow {
    id: String,
    name: String,
    roles: String,
    pending: bool,
    active: bool,
}

#[derive(Template)]
#[template(path = "admin_staff.html")]
struct StaffPage {
    layout: Layout,
    /// The administrator's own login (not offered to deactivate).
    layout_user: String,
    notice: Option<String>,
    agency_id: String,
    /// The agencies whose staff the administrator manages: (id, name).
    administered: Vec<(String, String)>,
    agency: String,
    /// A one-time password just made, shown this once: (login, password).
    secret: Option<(String, String)>,
    problems: Vec<crate::app::drafts::Problem>,
    rows: Vec<StaffRow>,
    roles: Vec<(&'static str, String)>,
    form: HashMap<String, String>,
}

impl StaffPage {
    fn err(&self, field: &str) -> Option<&str> {
        super::submit::find(&self.problems, field)
    }

    fn value(&self, field: &str) -> &str {
        self.form.get(field).map_or("", String::as_str)
    }
}

#[allow(clippy::too_many_arguments)]
async fn staff_page(
    app: &AppState,
    tenant: Option<&str>,
    viewer: &Viewer,
    p: &Principal,
    agency_id: &str,
    notice: Option<String>,
    secret: Option<(String, String)>,
    problems: Vec<crate::app::drafts::Problem>,
    form: HashMap<String, String>,
) -> Response {
    let agency_id = agency_id.to_string();
    let accounts = match crate::app::staff::list(app, p, &agency_id).await {
        Ok(a) => a,
        Err(e) => return error_page(app, tenant, viewer, e).await,
    };
    let (agency, administered) = match app.config().await {
        Ok(c) => (
            super::office::agency_name(&c, &agency_id),
            c.directory
                .all()
                .into_iter()
                .filter(|a| crate::app::policy::may_administer(p, &a.id, &c.directory))
                .map(|a| (a.id.clone(), a.name.clone()))
                .collect::<Vec<_>>(),
        ),
        Err(e) => return error_page(app, tenant, viewer, e).await,
    };
    let role_name = |r: &str| {
        motcua_core::procedure::Role::parse(r)
            .map_or(r.to_string(), |x| text::capitalised(x.label_vi()))
    };
    let view = StaffPage {
        layout: Layout::new(app, tenant, "office", viewer).await,
        layout_user: p.user.id.clone(),
        notice,
        agency_id: agency_id.clone(),
        administered,
        agency,
        secret,
        rows: accounts
            .into_iter()
            .map(|a| StaffRow {
                roles: a
                    .roles
                    .iter()
                    .map(|r| role_name(r))
                    .collect::<Vec<_>>()
                    .join(", "),
                pending: a.must_change_password,
                active: a.active,
                id: a.id,
                name: a.name,
            })
            .collect(),
        roles: motcua_core::procedure::Role::ALL
            .iter()
            .map(|r| (r.as_str(), text::capitalised(r.label_vi())))
            .collect(),
        form,
        problems,
    };
    let mut response = page_for(viewer, super::submit::status_of(&view.problems), &view);
    // A one-time password is not kept by any cache.
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    response
}

/// `GET /can-bo/tai-khoan`: the agency's staff accounts, the form to create one.
pub(crate) async fn staff(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let t = tenant.as_deref();
    let Some(p) = viewer.principal.clone() else {
        return to_login("/can-bo/tai-khoan");
    };
    if p.user.must_change_password {
        return see_other("/doi-mat-khau", &[]);
    }
    let notice = match (q.get("da-ngung"), q.get("da-kich-hoat")) {
        (Some(id), _) => Some(format!(
            "Đã ngừng sử dụng tài khoản {id}: không đăng nhập được nữa, các phiên đang mở đã kết thúc. Lịch sử xử lý hồ sơ của tài khoản được giữ nguyên."
        )),
        (_, Some(id)) => Some(format!("Tài khoản {id} đăng nhập được trở lại.")),
        _ => None,
    };
    let agency = chosen_agency(q.get("co-quan"), &p, t);
    staff_page(
        &app,
        t,
        &viewer,
        &p,
        &agency,
        notice,
        None,
        Vec::new(),
        HashMap::new(),
    )
    .await
}

/// `POST /can-bo/tai-khoan`: a new staff account with its roles and a one-time password
/// (shown once), or a password reset (`dat-lai` = the login).
pub(crate) async fn staff_change(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    axum::Form(f): axum::Form<Vec<(String, String)>>,
) -> Response {
    let t = tenant.as_deref();
    let Some(p) = viewer.principal.clone() else {
        return to_login("/can-bo/tai-khoan");
    };
    let fields: HashMap<String, String> = f.iter().cloned().collect();
    if !viewer.accepts(fields.get("csrf").map(String::as_str)) {
        return error_page(&app, t, &viewer, forged()).await;
    }
    let agency = chosen_agency(fields.get("co-quan"), &p, t);
    let problem = |field: &str, message: String| {
        vec![crate::app::drafts::Problem {
            field: field.into(),
            message,
        }]
    };
    for (key, active) in [("ngung", false), ("kich-hoat", true)] {
        if let Some(login) = fields.get(key) {
            return match crate::app::staff::set_active(&app, &p, &agency, login, active).await {
                Ok(_) => see_other(
                    &format!(
                        "/can-bo/tai-khoan?co-quan={}&{}={}",
                        super::public::encode(&agency),
                        if active { "da-kich-hoat" } else { "da-ngung" },
                        super::public::encode(login)
                    ),
                    &[],
                ),
                Err(e) if e.status() < 500 => {
                    staff_page(
                        &app,
                        t,
                        &viewer,
                        &p,
                        &agency,
                        None,
                        None,
                        problem("loi-tieu-de", e.message),
                        HashMap::new(),
                    )
                    .await
                }
                Err(e) => error_page(&app, t, &viewer, e).await,
            };
        }
    }
    if let Some(login) = fields.get("dat-lai") {
        return match crate::app::staff::reset_password(&app, &p, &agency, login).await {
            Ok(once) => {
                staff_page(
                    &app,
                    t,
                    &viewer,
                    &p,
                    &agency,
                    None,
                    Some((login.clone(), once)),
                    Vec::new(),
                    HashMap::new(),
                )
                .await
            }
            Err(e) if e.status() < 500 => {
                staff_page(
                    &app,
                    t,
                    &viewer,
                    &p,
                    &agency,
                    None,
                    None,
                    problem("loi-tieu-de", e.message),
                    HashMap::new(),
                )
                .await
            }
            Err(e) => error_page(&app, t, &viewer, e).await,
        };
    }
    let get = |k: &str| {
        fields
            .get(k)
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    };
    let optional = |k: &str| Some(get(k)).filter(|v| !v.is_empty());
    let roles: Vec<String> = f
        .iter()
        .filter(|(k, _)| k == "vai-tro")
        .map(|(_, v)| v.clone())
        .collect();
    let new = crate::app::staff::NewStaff {
        id: get("id"),
        name: get("name"),
        email: optional("email"),
        phone: optional("phone"),
        roles,
    };
    match crate::app::staff::create(&app, &p, &agency, new).await {
        Ok(c) => {
            staff_page(
                &app,
                t,
                &viewer,
                &p,
                &agency,
                None,
                Some((c.id, c.one_time_password)),
                Vec::new(),
                HashMap::new(),
            )
            .await
        }
        Err(e) if e.status() < 500 => {
            let field = match e.code {
                Code::InvalidAccountId | Code::AccountExists => "id",
                _ => "loi-tieu-de",
            };
            staff_page(
                &app,
                t,
                &viewer,
                &p,
                &agency,
                None,
                None,
                problem(field, e.message),
                fields,
            )
            .await
        }
        Err(e) => error_page(&app, t, &viewer, e).await,
    }
}

struct ImportRow {
    line: usize,
    code: String,
    version: String,
    name: String,
    levels: String,
    limit: String,
    steps: String,
    publication: &'static str,
    assign: String,
}

#[derive(Template)]
#[template(path = "admin_import.html")]
struct ImportPage {
    layout: Layout,
    file: String,
    text: String,
    /// (line, column, message).
    problems: Vec<(String, String, String)>,
    rows: Vec<ImportRow>,
    new: usize,
}

/// `POST /can-bo/thu-tuc/nhap` (multipart: the catalogue file; with `xac-nhan`, its text
/// again): checks a catalogue import and shows every row or every problem; confirmed, imports
/// it.
pub(crate) async fn import(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    req: Request,
) -> Response {
    use crate::app::import as im;
    let t = tenant.as_deref();
    let p = match signed_in(&app, t, &viewer, "/can-bo/thu-tuc").await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let (csrf, name, text, others) =
        match read_upload(&app, req, "danh-muc.csv", MAX_CATALOGUE).await {
            Ok(x) => x,
            Err(e) => return error_page(&app, t, &viewer, e).await,
        };
    if !viewer.accepts(csrf.as_deref()) {
        return error_page(&app, t, &viewer, forged()).await;
    }
    let Some(text) = text else {
        return error_page(
            &app,
            t,
            &viewer,
            AppError::with(Code::InvalidBody, "Chọn tệp danh mục (CSV hoặc JSON)."),
        )
        .await;
    };
    let name = others.get("ten-tep").cloned().unwrap_or(name);
    let confirmed = others.contains_key("xac-nhan");
    let outcome = if confirmed {
        match im::import(&app, &p, &text).await {
            Ok(Ok(done)) => {
                return see_other(
                    &format!(
                        "/can-bo/thu-tuc?da-nhap={}",
                        super::public::encode(&format!(
                            "{} thủ tục mới, {} không đổi, {} lần giao",
                            done.published, done.unchanged, done.assigned
                        ))
                    ),
                    &[],
                );
            }
            Ok(Err(problems)) => Err(problems),
            Err(e) => return error_page(&app, t, &viewer, e).await,
        }
    } else {
        match im::check(&app, &p, &text).await {
            Ok(x) => x,
            Err(e) => return error_page(&app, t, &viewer, e).await,
        }
    };
    let layout = Layout::new(&app, t, "office", &viewer).await;
    let (problems, rows) = match outcome {
        Ok(rows) => (Vec::new(), rows),
        Err(problems) => (problems, Vec::new()),
    };
    let view = ImportPage {
        layout,
        file: name,
        problems: problems
            .into_iter()
            .map(|x| {
                (
                    if x.line == 0 {
                        "—".to_string()
                    } else {
                        x.line.to_string()
                    },
                    x.column.unwrap_or_else(|| "—".into()),
                    x.message,
                )
            })
            .collect(),
        new: rows.iter().filter(|r| r.publication == "new").count(),
        rows: rows
            .iter()
            .map(|r| {
                let c = &r.procedure.catalogue;
                ImportRow {
                    line: r.line,
                    code: c.code.clone(),
                    version: c.version.to_string(),
                    name: c.name.clone(),
                    levels: text::levels(&c.agency_levels),
                    limit: text::time_limit(&c.time_limit, c.immediate),
                    steps: if c.default_workflow {
                        format!("Mặc định, {} bước", r.procedure.steps.len())
                    } else {
                        format!("{} bước", r.procedure.steps.len())
                    },
                    publication: if r.publication == "new" {
                        "Mới"
                    } else {
                        "Đã có, không đổi"
                    },
                    assign: r.assign_to.join(", "),
                }
            })
            .collect(),
        text,
    };
    let status = if view.problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    page_for(&viewer, status, &view)
}

struct AuditRow {
    at: String,
    actor: String,
    action: &'static str,
    account: String,
    address: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "admin_audit.html")]
struct AuditPage {
    layout: Layout,
    agency: String,
    rows: Vec<AuditRow>,
}

fn audit_action_vi(action: &str) -> &'static str {
    match action {
        "login_succeeded" => "Đăng nhập",
        "login_failed" => "Đăng nhập sai mật khẩu",
        "login_refused_deactivated" => "Đăng nhập bị từ chối (tài khoản đã ngừng)",
        "role_granted" => "Cấp vai trò",
        "role_revoked" => "Thu hồi vai trò",
        "password_reset" => "Đặt lại mật khẩu",
        "account_created" => "Tạo tài khoản",
        "account_moved" => "Chuyển cơ quan",
        "account_deactivated" => "Ngừng sử dụng tài khoản",
        "account_reactivated" => "Cho dùng lại tài khoản",
        _ => "Thay đổi khác",
    }
}

/// `GET /can-bo/tai-khoan/nhat-ky`: the newest logins and account changes of the agency.
pub(crate) async fn audit(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let t = tenant.as_deref();
    let p = match super::office::signed_in(&app, t, &viewer, "/can-bo/tai-khoan/nhat-ky").await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let agency_id = chosen_agency(q.get("co-quan"), &p, t);
    let entries = match crate::app::staff::audit(&app, &p, &agency_id).await {
        Ok(e) => e,
        Err(e) => return error_page(&app, t, &viewer, e).await,
    };
    let agency = match app.config().await {
        Ok(c) => super::office::agency_name(&c, &agency_id),
        Err(e) => return error_page(&app, t, &viewer, e).await,
    };
    let view = AuditPage {
        layout: Layout::new(&app, t, "office", &viewer).await,
        agency,
        rows: entries
            .into_iter()
            .map(|e| AuditRow {
                at: text::instant(&e.at.to_rfc3339()),
                actor: e.actor,
                action: audit_action_vi(&e.action),
                account: e.account,
                address: e.address.unwrap_or_default(),
                detail: e.detail,
            })
            .collect(),
    };
    page_for(&viewer, StatusCode::OK, &view)
}

/// `POST /can-bo/thu-tuc/ngung`: retires a procedure version.
pub(crate) async fn retire(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    axum::Form(f): axum::Form<HashMap<String, String>>,
) -> Response {
    let t = tenant.as_deref();
    let p = match posted_by_admin(&app, t, &viewer, &f).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let (code, version) = (get("thu-tuc"), get("phien-ban"));
    match uc::retire(&app, &p, &code, &version).await {
        Ok(_) => see_other(
            &format!(
                "/can-bo/thu-tuc?da-ngung={}",
                super::public::encode(&format!("{version} của thủ tục {code}"))
            ),
            &[],
        ),
        Err(e) => error_page(&app, t, &viewer, e).await,
    }
}

/// One dossier of the dry run, as the page shows it.
struct PlannedRow {
    id: String,
    name: String,
    applicant: String,
    /// `tham-dinh → xem-xet`, or empty before acceptance.
    step: String,
    /// (deadline, before, after).
    moved: Vec<(String, String, String)>,
    /// Why it cannot be migrated.
    refused: Option<String>,
}

#[derive(Template)]
#[template(path = "admin_migrate.html")]
struct MigratePage {
    layout: Layout,
    code: String,
    name: String,
    version: String,
    mapping: String,
    rows: Vec<PlannedRow>,
    migratable: usize,
    done: Option<String>,
    problem: Option<String>,
}

fn mapping_lines(f: &HashMap<String, String>) -> Vec<String> {
    f.get("anh-xa")
        .map(|m| m.lines().map(str::to_string).collect())
        .unwrap_or_default()
}

#[allow(clippy::too_many_arguments)]
async fn migrate_page(
    app: &AppState,
    tenant: Option<&str>,
    viewer: &Viewer,
    p: &Principal,
    code: &str,
    version: &str,
    mapping_text: &str,
    done: Option<String>,
) -> Response {
    let config = match app.config().await {
        Ok(c) => c,
        Err(e) => return error_page(app, tenant, viewer, e).await,
    };
    let Some(target) = config.version_of(code, version) else {
        return error_page(app, tenant, viewer, AppError::new(Code::UnknownProcedure)).await;
    };
    let lines: Vec<String> = mapping_text.lines().map(str::to_string).collect();
    let (plan, problem) = match crate::app::migration::parse_mapping(&lines) {
        Ok(mapping) => {
            match crate::app::migration::dry_run(app, p, code, version, &mapping).await {
                Ok(plan) => (Some(plan), None),
                Err(e) if e.status() < 500 => (None, Some(e.message)),
                Err(e) => return error_page(app, tenant, viewer, e).await,
            }
        }
        Err(e) => (None, Some(e.message)),
    };
    let rows: Vec<PlannedRow> = plan
        .as_ref()
        .map(|plan| {
            plan.dossiers
                .iter()
                .map(|d| {
                    let name = d.code.clone().unwrap_or_else(|| d.id.clone());
                    match &d.outcome {
                        Ok(m) => PlannedRow {
                            id: d.id.clone(),
                            name,
                            applicant: d.applicant.clone(),
                            step: m
                                .step
                                .as_ref()
                                .map(|(a, b)| format!("{a} → {b}"))
                                .unwrap_or_default(),
                            moved: [
                                ("Hạn của bước hiện tại", m.step_due),
                                ("Ngày hẹn trả kết quả", m.appointment),
                                ("Hạn giải quyết theo quy định", m.original_appointment),
                            ]
                            .into_iter()
                            .filter_map(|(what, moved)| {
                                moved.map(|(a, b)| {
                                    (
                                        what.to_string(),
                                        text::instant(&a.to_rfc3339()),
                                        text::instant(&b.to_rfc3339()),
                                    )
                                })
                            })
                            .collect(),
                            refused: None,
                        },
                        Err(why) => PlannedRow {
                            id: d.id.clone(),
                            name,
                            applicant: d.applicant.clone(),
                            step: String::new(),
                            moved: Vec::new(),
                            refused: Some(why.clone()),
                        },
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let view = MigratePage {
        layout: Layout::new(app, tenant, "office", viewer).await,
        code: code.to_string(),
        name: target.catalogue.name.clone(),
        version: version.to_string(),
        mapping: mapping_text.to_string(),
        migratable: plan.as_ref().map_or(0, |p| p.migratable()),
        rows,
        done,
        problem,
    };
    let status = if view.problem.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    page_for(viewer, status, &view)
}

/// `GET /can-bo/thu-tuc/chuyen?thu-tuc=&phien-ban=[&anh-xa=]`: the dry run of migrating the
/// open dossiers of a procedure's other versions to a version, with the mapping of steps.
pub(crate) async fn migration(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let t = tenant.as_deref();
    let p = match signed_in(&app, t, &viewer, "/can-bo/thu-tuc").await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let get = |k: &str| q.get(k).cloned().unwrap_or_default();
    let done = q.get("da-chuyen").cloned();
    migrate_page(
        &app,
        t,
        &viewer,
        &p,
        &get("thu-tuc"),
        &get("phien-ban"),
        &get("anh-xa"),
        done,
    )
    .await
}

/// `POST /can-bo/thu-tuc/chuyen`: migrates them (what the dry run showed).
pub(crate) async fn migrate(
    State(app): State<AppState>,
    Tenant(tenant): Tenant,
    viewer: Viewer,
    axum::Form(f): axum::Form<HashMap<String, String>>,
) -> Response {
    let t = tenant.as_deref();
    let p = match posted_by_admin(&app, t, &viewer, &f).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let (code, version) = (get("thu-tuc"), get("phien-ban"));
    let mapping = match crate::app::migration::parse_mapping(&mapping_lines(&f)) {
        Ok(m) => m,
        Err(e) => return error_page(&app, t, &viewer, e).await,
    };
    match crate::app::migration::apply(&app, &p, &code, &version, &mapping).await {
        Ok(done) => see_other(
            &format!(
                "/can-bo/thu-tuc/chuyen?thu-tuc={}&phien-ban={}&anh-xa={}&da-chuyen={}",
                super::public::encode(&code),
                super::public::encode(&version),
                super::public::encode(&get("anh-xa")),
                super::public::encode(&format!(
                    "Đã chuyển {} hồ sơ sang phiên bản {version}; {} hồ sơ giữ nguyên.",
                    done.migrated,
                    done.refused.len()
                ))
            ),
            &[],
        ),
        Err(e) => error_page(&app, t, &viewer, e).await,
    }
}
