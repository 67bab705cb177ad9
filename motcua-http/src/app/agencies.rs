//! Agencies: a system administrator creates agencies below their own (three levels: province,
//! district, commune) and edits those in their scope — name, level, parent, the host names of
//! their one-stop site and the contact details the public sees. An agency administrator edits
//! the contact details of their own agency. The first agency of a deployment comes from
//! `motcua init`.

use motcua_store::{Agency, AgencyContact};

use super::drafts::{Problem, Refused};
use super::{AppError, Principal, policy};
use crate::AppState;

/// The levels, from the top.
pub const LEVELS: [&str; 3] = ["province", "district", "commune"];

/// A level's name in Vietnamese.
pub fn level_vi(level: &str) -> &'static str {
    match level {
        "province" => "cấp tỉnh",
        "district" => "cấp huyện",
        "commune" => "cấp xã",
        _ => "cấp không rõ",
    }
}

fn rank(level: &str) -> Option<usize> {
    LEVELS.iter().position(|l| *l == level)
}

/// What an administrator typed for an agency; empty strings mean "none".
#[derive(Clone, Debug, Default)]
pub struct AgencyInput {
    pub id: String,
    pub name: String,
    pub level: String,
    pub parent_id: String,
    /// Host names, separated by commas, spaces or lines.
    pub host_names: String,
    pub address: String,
    pub hotline: String,
    pub email: String,
    pub hours: String,
}

impl AgencyInput {
    /// The form of an existing agency.
    pub fn of(a: &Agency) -> AgencyInput {
        AgencyInput {
            id: a.id.clone(),
            name: a.name.clone(),
            level: a.level.clone(),
            parent_id: a.parent_id.clone().unwrap_or_default(),
            host_names: a.host_names.join(", "),
            address: a.contact.address.clone().unwrap_or_default(),
            hotline: a.contact.hotline.clone().unwrap_or_default(),
            email: a.contact.email.clone().unwrap_or_default(),
            hours: a.contact.hours.clone().unwrap_or_default(),
        }
    }
}

/// Whether the principal may create agencies below `parent` and edit everything of an agency
/// there: a system administrator at or above it.
pub fn may_configure(p: &Principal, agency: &str, dir: &super::config::Directory) -> bool {
    policy::is_system_admin_for(p, agency, dir)
}

/// Whether the principal may edit the contact details of `agency`.
pub fn may_edit_contact(p: &Principal, agency: &str, dir: &super::config::Directory) -> bool {
    policy::may_administer(p, agency, dir)
}

/// The agencies the principal may see on the agencies page, in tree order (each followed by
/// those below it), with their depth.
pub async fn in_scope(app: &AppState, p: &Principal) -> Result<Vec<(usize, Agency)>, AppError> {
    let config = app.config().await?;
    let dir = &config.directory;
    let all = dir.all();
    let mut out = Vec::new();
    fn walk(
        all: &[&Agency],
        id: &str,
        depth: usize,
        out: &mut Vec<(usize, Agency)>,
        seen: &mut Vec<String>,
    ) {
        if seen.iter().any(|s| s == id) || depth > 8 {
            return;
        }
        seen.push(id.to_string());
        if let Some(a) = all.iter().find(|a| a.id == id) {
            out.push((depth, (*a).clone()));
        }
        for child in all.iter().filter(|a| a.parent_id.as_deref() == Some(id)) {
            walk(all, &child.id, depth + 1, out, seen);
        }
    }
    let mut seen = Vec::new();
    // The top of each administrator's scope: an agency they administer whose parent they do
    // not.
    for a in &all {
        let mine = may_edit_contact(p, &a.id, dir);
        let parent_mine = a
            .parent_id
            .as_deref()
            .is_some_and(|parent| may_edit_contact(p, parent, dir));
        if mine && !parent_mine {
            walk(&all, &a.id, 0, &mut out, &mut seen);
        }
    }
    if out.is_empty() {
        return Err(AppError::forbidden(
            "Trang này dành cho quản trị cơ quan và quản trị hệ thống.",
        ));
    }
    Ok(out)
}

fn problem(field: &str, message: impl Into<String>) -> Problem {
    Problem {
        field: field.into(),
        message: message.into(),
    }
}

fn optional(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|t| !t.is_empty())
}

/// Splits and checks host names: letters, digits, hyphens and dots, lower-cased.
fn hosts(text: &str) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for h in text
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|h| !h.is_empty())
    {
        let h = h.to_ascii_lowercase();
        let labels_ok = h.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
        if !labels_ok || h.len() > 253 {
            return Err(format!(
                "“{h}” không phải tên miền (ví dụ motcua.soctrang.gov.vn)."
            ));
        }
        if !out.contains(&h) {
            out.push(h);
        }
    }
    Ok(out)
}

/// Creates (`create`) or changes an agency. Nothing is saved unless everything is right;
/// the problems name their fields (`id`, `name`, `level`, `parent_id`, `host_names`,
/// `email`, `hotline`).
pub async fn save(
    app: &AppState,
    p: &Principal,
    create: bool,
    input: &AgencyInput,
) -> Result<Agency, Refused> {
    let config = app.config().await?;
    let dir = &config.directory;
    let id = input.id.trim();
    let existing = dir.get(id).cloned();
    let mut problems = Vec::new();
    // Who may do what, before anything else is said.
    let full = match (&existing, create) {
        (Some(_), true) => {
            problems.push(problem(
                "id",
                format!("Đã có cơ quan mã {id}; mỗi cơ quan một mã."),
            ));
            true
        }
        (None, false) => return Err(AppError::not_found("Không có cơ quan này.").into()),
        (Some(a), false) => {
            if may_configure(p, &a.id, dir) {
                true
            } else if may_edit_contact(p, &a.id, dir) {
                false
            } else {
                return Err(AppError::not_found("Không có cơ quan này.").into());
            }
        }
        (None, true) => {
            let parent = input.parent_id.trim();
            if parent.is_empty() || dir.get(parent).is_none() {
                problems.push(problem(
                    "parent_id",
                    "Chọn cơ quan cấp trên (cơ quan cấp tỉnh đầu tiên được tạo bằng lệnh motcua init).",
                ));
            } else if !may_configure(p, parent, dir) {
                return Err(AppError::forbidden(
                    "Chỉ quản trị hệ thống của cơ quan cấp trên được tạo cơ quan.",
                )
                .into());
            }
            true
        }
    };
    if create && motcua_core::dossier::AgencyId::parse(id).is_err() {
        problems.push(problem(
            "id",
            "Mã cơ quan gồm 1–13 ký tự chữ, số và dấu chấm, theo mã định danh (ví dụ 000.31.12.H53).",
        ));
    }
    let email = optional(&input.email);
    if email
        .as_deref()
        .is_some_and(|e| !e.contains('@') || e.len() > 254 || e.contains(char::is_whitespace))
    {
        problems.push(problem(
            "email",
            "Địa chỉ thư điện tử không hợp lệ (ví dụ motcua@soctrang.gov.vn).",
        ));
    }
    let hotline = optional(&input.hotline);
    if hotline.as_deref().is_some_and(|t| {
        let digits = t.bytes().filter(u8::is_ascii_digit).count();
        !(3..=15).contains(&digits)
            || !t
                .bytes()
                .all(|b| b.is_ascii_digit() || b" .+-()".contains(&b))
    }) {
        problems.push(problem(
            "hotline",
            "Đường dây nóng gồm 3–15 chữ số (có thể có dấu cách, chấm, gạch ngang).",
        ));
    }
    let mut agency = existing.clone().unwrap_or(Agency {
        id: id.to_string(),
        name: String::new(),
        level: String::new(),
        parent_id: None,
        host_names: Vec::new(),
        contact: AgencyContact::default(),
    });
    agency.contact = AgencyContact {
        address: optional(&input.address),
        hotline,
        email,
        hours: optional(&input.hours),
    };
    if full {
        let name = input.name.trim();
        if name.is_empty() {
            problems.push(problem("name", "Cần nhập tên cơ quan."));
        } else if name.chars().count() > 200 {
            problems.push(problem("name", "Tên cơ quan dài tối đa 200 ký tự."));
        }
        let level = input.level.trim();
        let Some(level_rank) = rank(level) else {
            problems.push(problem("level", "Chọn cấp của cơ quan."));
            return Err(Refused::Fields(problems));
        };
        let parent = optional(&input.parent_id);
        // A change of parent or level keeps the tree a tree and each level below its parent.
        match parent.as_deref().and_then(|x| dir.get(x)) {
            Some(up) => {
                if dir.is_within(&up.id, id) {
                    problems.push(problem(
                        "parent_id",
                        "Cơ quan cấp trên không được là chính cơ quan này hoặc cơ quan trực thuộc nó.",
                    ));
                } else if rank(&up.level).is_none_or(|r| r >= level_rank) {
                    problems.push(problem(
                        "level",
                        format!(
                            "Cơ quan {} phải ở cấp thấp hơn cơ quan cấp trên ({}).",
                            level_vi(level),
                            level_vi(&up.level)
                        ),
                    ));
                } else if existing.as_ref().and_then(|a| a.parent_id.as_deref())
                    != Some(up.id.as_str())
                    && !may_configure(p, &up.id, dir)
                {
                    problems.push(problem(
                        "parent_id",
                        "Chỉ chuyển được sang cơ quan cấp trên trong phạm vi quản trị của bạn.",
                    ));
                }
            }
            None if parent.is_some() => {
                problems.push(problem("parent_id", "Không có cơ quan cấp trên này."));
            }
            None if existing.as_ref().is_some_and(|a| a.parent_id.is_some()) => {
                problems.push(problem(
                    "parent_id",
                    "Chọn cơ quan cấp trên; chỉ cơ quan đầu tiên của hệ thống không có cấp trên.",
                ));
            }
            None => {}
        }
        for child in dir
            .all()
            .into_iter()
            .filter(|c| c.parent_id.as_deref() == Some(id))
        {
            if rank(&child.level).is_none_or(|r| r <= level_rank) {
                problems.push(problem(
                    "level",
                    format!(
                        "{} trực thuộc ở {}; cơ quan này phải ở cấp cao hơn.",
                        child.name,
                        level_vi(&child.level)
                    ),
                ));
                break;
            }
        }
        match hosts(&input.host_names) {
            Ok(h) => {
                if let Some((other, host)) = h.iter().find_map(|host| {
                    dir.by_host(host)
                        .filter(|owner| *owner != id)
                        .map(|owner| (owner.to_string(), host.clone()))
                }) {
                    problems.push(problem(
                        "host_names",
                        format!("Tên miền {host} đang là của cơ quan {other}."),
                    ));
                }
                agency.host_names = h;
            }
            Err(m) => problems.push(problem("host_names", m)),
        }
        agency.name = name.to_string();
        agency.level = level.to_string();
        agency.parent_id = parent;
    }
    if !problems.is_empty() {
        return Err(Refused::Fields(problems));
    }
    app.store.put_agency(&agency).await?;
    app.config_changed().await?;
    Ok(agency)
}
