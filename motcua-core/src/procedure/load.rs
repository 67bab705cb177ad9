//! Loading a procedure file: parse with spans, then check everything and report every problem
//! with its line and column.

use chrono::NaiveTime;
use serde::Deserialize;
use std::collections::HashMap;
use std::fmt;
use std::ops::Range;
use toml::Spanned;

use super::graph;
use super::{
    Action, AgencyLevel, Catalogue, Component, FORMAT, Fee, Policy, Procedure, ProcedureVersion,
    Role, Rules, ServiceLevel, Step, SupplementPolicy, Transition,
};
use crate::calendar::Duration;
use crate::script::{self, Script};

/// How bad a problem is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The procedure cannot be used.
    Error,
    /// Probably a mistake, but usable.
    Warning,
}

/// One problem in a procedure file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters).
    pub column: usize,
    /// What is wrong, in English (logs, the command line).
    pub message: String,
    /// What is wrong, in Vietnamese (for staff: the back office, the API).
    pub message_vi: String,
}

/// Every problem found in one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// The file name as given.
    pub file: String,
    /// Problems in file order.
    pub diagnostics: Vec<Diagnostic>,
}

impl Report {
    /// The problems that make the procedure unusable, in file order.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
    }

    /// Whether any problem is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.diagnostics {
            let sev = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            writeln!(
                f,
                "{}:{}:{}: {sev}: {}",
                self.file, d.line, d.column, d.message
            )?;
        }
        let errors = self
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        writeln!(
            f,
            "{}: {} error(s), {} warning(s)",
            self.file,
            errors,
            self.diagnostics.len() - errors
        )
    }
}

/// A report is the error [`Procedure::load`](super::Procedure::load) answers when a file
/// has errors; its [`Display`](fmt::Display) lists every problem as `file:line:column:
/// severity: message`, and [`Report::diagnostics`] has them as data.
impl std::error::Error for Report {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    format: Spanned<u32>,
    procedure: RawCatalogue,
    #[serde(default)]
    component: Vec<Component>,
    #[serde(default)]
    form_field: Vec<RawFormField>,
    #[serde(default)]
    policy: RawPolicy,
    #[serde(default)]
    step: Vec<RawStep>,
    #[serde(default)]
    transition: Vec<RawTransition>,
    #[serde(default)]
    scripts: RawScripts,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFormField {
    key: Spanned<String>,
    label: String,
    #[serde(default)]
    hint: String,
    #[serde(default)]
    required: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalogue {
    code: Spanned<String>,
    version: Spanned<String>,
    name: String,
    field: String,
    agency_levels: Vec<Spanned<String>>,
    service_level: Spanned<RawServiceLevel>,
    rule_pack: Spanned<String>,
    time_limit: Spanned<String>,
    #[serde(default)]
    immediate: bool,
    applicants: String,
    handling_agency: String,
    result: String,
    #[serde(default)]
    fees: Vec<Fee>,
    #[serde(default)]
    conditions: Vec<String>,
    #[serde(default)]
    legal_basis: Vec<String>,
    #[serde(default)]
    steps_text: Vec<String>,
    #[serde(default)]
    default_workflow: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawServiceLevel {
    legacy: u8,
    online: String,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    supplement: Option<Spanned<String>>,
    max_supplement_rounds: Option<u32>,
    max_extensions: Option<u32>,
    cutoff: Option<Spanned<String>>,
    intake_limit: Option<Spanned<String>>,
    supplement_wait_flag: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    id: Spanned<String>,
    name: String,
    role: Option<Spanned<String>>,
    allowance: Spanned<String>,
    #[serde(default)]
    end: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTransition {
    from: Spanned<String>,
    to: Spanned<String>,
    action: Spanned<String>,
    guard: Option<Spanned<String>>,
    effect: Option<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawScripts {
    extension: Option<Spanned<String>>,
    apology: Option<Spanned<String>>,
    supplement: Option<Spanned<String>>,
}

/// Turns byte offsets into 1-based line and column.
struct Lines<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Lines<'a> {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines { text, starts }
    }

    fn at(&self, offset: usize) -> (usize, usize) {
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts[line - 1];
        let col = self
            .text
            .get(start..offset.min(self.text.len()))
            .map_or(1, |s| s.chars().count() + 1);
        (line, col)
    }
}

struct Checker<'a> {
    lines: Lines<'a>,
    diagnostics: Vec<Diagnostic>,
}

impl Checker<'_> {
    fn push(
        &mut self,
        severity: Severity,
        span: Range<usize>,
        message: String,
        message_vi: String,
    ) {
        let (line, column) = self.lines.at(span.start);
        self.diagnostics.push(Diagnostic {
            severity,
            line,
            column,
            message,
            message_vi,
        });
    }

    fn error(&mut self, span: Range<usize>, message: String, message_vi: String) {
        self.push(Severity::Error, span, message, message_vi);
    }

    /// `what`: (English, Vietnamese).
    fn duration(&mut self, s: &Spanned<String>, what: (&str, &str)) -> Option<Duration> {
        match s.get_ref().parse::<Duration>() {
            Ok(d) => Some(d),
            Err(e) => {
                self.error(
                    s.span(),
                    format!("{}: {e}", what.0),
                    format!(
                        "{}: “{}” không phải một thời hạn (một số từ 1 và đơn vị: wd ngày làm việc, wh giờ làm việc, cd ngày, m phút; ví dụ 15wd)",
                        what.1,
                        s.get_ref()
                    ),
                );
                None
            }
        }
    }

    /// Compiles a script held in a TOML string, placing its errors in the file.
    fn script(&mut self, s: &Spanned<String>, what: (&str, &str)) -> Option<Script> {
        match Script::compile(s.get_ref()) {
            Ok(script) => Some(script),
            Err(e) => {
                let (line, col) = self.lines.at(s.span().start);
                // A multi-line string starts its content on the line after the quotes.
                let multi = self
                    .lines
                    .text
                    .get(s.span())
                    .is_some_and(|t| t.starts_with("\"\"\"\n") || t.starts_with("'''\n"));
                let (line, column) = if multi {
                    (line + e.line, e.column)
                } else {
                    (line, col + e.column)
                };
                self.diagnostics.push(Diagnostic {
                    severity: Severity::Error,
                    line,
                    column,
                    message: format!("{} does not compile: {}", what.0, e.message),
                    message_vi: format!(
                        "{} có lỗi, không biên dịch được (thông báo của Rhai: {})",
                        what.1, e.message
                    ),
                });
                None
            }
        }
    }
}

pub(super) fn load(file: &str, text: &str) -> Result<(Procedure, Report), Report> {
    let mut c = Checker {
        lines: Lines::new(text),
        diagnostics: Vec::new(),
    };
    let raw: RawFile = match toml::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            let first = e
                .message()
                .lines()
                .next()
                .unwrap_or("malformed TOML")
                .to_string();
            let vi = format!("Tệp không đúng cú pháp TOML (thông báo gốc: {first})");
            c.error(span, first, vi);
            return Err(Report {
                file: file.to_string(),
                diagnostics: c.diagnostics,
            });
        }
    };
    if *raw.format.get_ref() != FORMAT {
        c.error(
            raw.format.span(),
            format!(
                "format {} is not supported; this version reads format {FORMAT}",
                raw.format.get_ref()
            ),
            format!(
                "Định dạng {} không được hỗ trợ; phiên bản này đọc định dạng {FORMAT}",
                raw.format.get_ref()
            ),
        );
    }

    // Catalogue.
    let p = &raw.procedure;
    if p.code.get_ref().trim().is_empty() {
        c.error(
            p.code.span(),
            "the national code is empty".into(),
            "Mã thủ tục hành chính (code) đang để trống".into(),
        );
    }
    let version = match ProcedureVersion::parse(p.version.get_ref()) {
        Ok(v) => Some(v),
        Err(e) => {
            c.error(
                p.version.span(),
                e.to_string(),
                format!(
                    "Phiên bản “{}” không hợp lệ: gồm 1 đến 32 ký tự chữ không dấu, số, “.”, “_” hoặc “-”, bắt đầu bằng chữ hoặc số (ví dụ 2025.1)",
                    p.version.get_ref()
                ),
            );
            None
        }
    };
    let mut levels = Vec::new();
    for l in &p.agency_levels {
        match l.get_ref().as_str() {
            "province" => levels.push(AgencyLevel::Province),
            "district" => levels.push(AgencyLevel::District),
            "commune" => levels.push(AgencyLevel::Commune),
            other => c.error(
                l.span(),
                format!("unknown agency level `{other}` (province, district, commune)"),
                format!("Cấp “{other}” không có (province: tỉnh, district: huyện, commune: xã)"),
            ),
        }
    }
    let sl = p.service_level.get_ref();
    if !(2..=4).contains(&sl.legacy) {
        c.error(
            p.service_level.span(),
            format!(
                "service level {} is not allowed: every procedure must be at least level 2 and at most 4 (Điều 10.3)",
                sl.legacy
            ),
            format!(
                "Mức độ dịch vụ {} không được phép: mỗi thủ tục ở mức 2 đến 4 (Điều 10.3)",
                sl.legacy
            ),
        );
    }
    if !["full", "partial", "none"].contains(&sl.online.as_str()) {
        c.error(
            p.service_level.span(),
            format!(
                "online service class `{}` must be full, partial or none",
                sl.online
            ),
            format!(
                "Dịch vụ công trực tuyến “{}” phải là full (toàn trình), partial (một phần) hoặc none",
                sl.online
            ),
        );
    }
    if !["nd61-2018", "nd118-2025"].contains(&p.rule_pack.get_ref().as_str()) {
        c.error(
            p.rule_pack.span(),
            format!(
                "unknown rule pack `{}` (nd61-2018, nd118-2025)",
                p.rule_pack.get_ref()
            ),
            format!(
                "Bộ quy định “{}” không có (nd61-2018, nd118-2025)",
                p.rule_pack.get_ref()
            ),
        );
    }
    let time_limit = c.duration(&p.time_limit, ("time limit", "Thời hạn giải quyết"));

    // Form fields: keys a-z, 0-9, `_`, each once.
    let mut form_fields: Vec<crate::procedure::FormField> = Vec::new();
    for f in &raw.form_field {
        let key = f.key.get_ref();
        let well_formed = !key.is_empty()
            && key.len() <= 64
            && key
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !well_formed {
            c.error(
                f.key.span(),
                format!("form field key `{key}` must be 1-64 characters a-z, 0-9 or _"),
                format!("Khóa trường “{key}” phải gồm 1 đến 64 ký tự a-z, 0-9 hoặc _"),
            );
        } else if form_fields.iter().any(|x| x.key == *key) {
            c.error(
                f.key.span(),
                format!("duplicate form field `{key}`"),
                format!("Trường “{key}” khai báo hai lần"),
            );
        }
        form_fields.push(crate::procedure::FormField {
            key: key.clone(),
            label: f.label.clone(),
            hint: f.hint.clone(),
            required: f.required.unwrap_or(true),
        });
    }

    // Policy.
    let pol = &raw.policy;
    let supplement = match pol
        .supplement
        .as_ref()
        .map(|s| (s.get_ref().as_str(), s.span()))
    {
        None | Some(("restart", _)) => SupplementPolicy::Restart,
        Some(("pause", _)) => SupplementPolicy::Pause,
        Some((other, span)) => {
            c.error(
                span,
                format!("supplement policy `{other}` must be restart or pause"),
                format!(
                    "Cách tính thời hạn khi bổ sung “{other}” phải là restart (tính lại) hoặc pause (tạm dừng)"
                ),
            );
            SupplementPolicy::Restart
        }
    };
    let cutoff = pol.cutoff.as_ref().and_then(|s| {
        NaiveTime::parse_from_str(s.get_ref(), "%H:%M")
            .map_err(|_| {
                c.error(
                    s.span(),
                    format!("cut-off `{}` is not a time HH:MM", s.get_ref()),
                    format!("Giờ chốt “{}” không phải giờ dạng HH:MM", s.get_ref()),
                )
            })
            .ok()
    });
    let intake_limit = match &pol.intake_limit {
        Some(s) => c.duration(s, ("intake limit", "Thời hạn tiếp nhận")),
        None => Some(Duration::working_hours(8)),
    };
    let supplement_wait_flag = match &pol.supplement_wait_flag {
        Some(s) => c.duration(s, ("supplement wait flag", "Thời gian chờ bổ sung")),
        None => Some(Duration::working_days(30)),
    };

    // Steps.
    let mut steps = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    // Steps whose role is missing or unknown: already reported, skip role-based checks.
    let mut roleless = std::collections::HashSet::new();
    if raw.step.is_empty() {
        c.error(
            0..0,
            "the workflow has no [[step]]".into(),
            "Quy trình chưa có bước nào ([[step]])".into(),
        );
    }
    for s in &raw.step {
        let id = s.id.get_ref().clone();
        if id.trim().is_empty() {
            c.error(
                s.id.span(),
                "a step id is empty".into(),
                "Mã bước (id) đang để trống".into(),
            );
        }
        if index.contains_key(&id) {
            c.error(
                s.id.span(),
                format!("duplicate step `{id}`"),
                format!("Bước “{id}” khai báo hai lần"),
            );
            continue;
        }
        let role = match &s.role {
            None => {
                c.error(
                    s.id.span(),
                    format!("step `{id}` has no role"),
                    format!("Bước “{id}” chưa có vai trò (role)"),
                );
                None
            }
            Some(r) => {
                let parsed = Role::parse(r.get_ref());
                if parsed.is_none() {
                    let all: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
                    c.error(
                        r.span(),
                        format!("unknown role `{}` ({})", r.get_ref(), all.join(", ")),
                        format!("Vai trò “{}” không có ({})", r.get_ref(), all.join(", ")),
                    );
                }
                parsed
            }
        };
        let allowance = c.duration(
            &s.allowance,
            (
                &format!("allowance of step `{id}`"),
                &format!("Thời gian của bước “{id}”"),
            ),
        );
        index.insert(id.clone(), steps.len());
        if role.is_none() {
            roleless.insert(id.clone());
        }
        steps.push((
            s,
            Step {
                id,
                name: s.name.clone(),
                role: role.unwrap_or(Role::ReceptionOfficer),
                allowance: allowance.unwrap_or(Duration::working_hours(0)),
                end: s.end,
            },
        ));
    }
    if !raw.step.is_empty() && !steps.iter().any(|(_, s)| s.end) {
        c.error(
            raw.step[0].id.span(),
            "no step is marked `end = true`: processing could never finish".into(),
            "Không bước nào có `end = true`: hồ sơ không bao giờ xử lý xong".into(),
        );
    }

    // Transitions.
    let mut transitions = Vec::new();
    for t in &raw.transition {
        let mut ok = true;
        for end in [&t.from, &t.to] {
            if !index.contains_key(end.get_ref()) {
                c.error(
                    end.span(),
                    format!("unknown step `{}`", end.get_ref()),
                    format!("Bước “{}” không có", end.get_ref()),
                );
                ok = false;
            }
        }
        let action = Action::parse(t.action.get_ref());
        if action.is_none() {
            c.error(
                t.action.span(),
                format!(
                    "unknown action `{}` (forward, send-back, approve)",
                    t.action.get_ref()
                ),
                format!(
                    "Thao tác “{}” không có (forward: chuyển, send-back: trả lại, approve: phê duyệt)",
                    t.action.get_ref()
                ),
            );
            ok = false;
        }
        if t.from.get_ref() == t.to.get_ref() {
            c.error(
                t.to.span(),
                format!(
                    "a transition from `{}` to itself makes no sense",
                    t.to.get_ref()
                ),
                format!(
                    "Chuyển từ bước “{}” sang chính nó là vô nghĩa",
                    t.to.get_ref()
                ),
            );
            ok = false;
        }
        let guard = t
            .guard
            .as_ref()
            .and_then(|g| c.script(g, ("guard", "Điều kiện (guard)")));
        let effect = t
            .effect
            .as_ref()
            .and_then(|g| c.script(g, ("effect", "Tác động (effect)")));
        if t.guard.is_some() && guard.is_none() || t.effect.is_some() && effect.is_none() {
            ok = false;
        }
        if let (true, Some(action)) = (ok, action) {
            let from = &steps[index[t.from.get_ref()]].1;
            if action == Action::Approve && !roleless.contains(&from.id) && !from.role.can_approve()
            {
                c.error(
                    t.action.span(),
                    format!(
                        "`approve` from step `{}` makes no sense: its role {} cannot approve (department-head or agency-leader)",
                        from.id, from.role
                    ),
                    format!(
                        "Phê duyệt (approve) từ bước “{}” là vô nghĩa: vai trò {} không phê duyệt được (department-head hoặc agency-leader)",
                        from.id, from.role
                    ),
                );
            }
            transitions.push((
                t,
                Transition {
                    from: t.from.get_ref().clone(),
                    to: t.to.get_ref().clone(),
                    action,
                    guard,
                    effect,
                },
            ));
        }
    }

    // The graph: reachability, ends, send-backs that go forward.
    if !steps.is_empty() {
        let plain_steps: Vec<Step> = steps.iter().map(|(_, s)| s.clone()).collect();
        let plain_transitions: Vec<(&str, &str, Action)> = transitions
            .iter()
            .map(|(_, t)| (t.from.as_str(), t.to.as_str(), t.action))
            .collect();
        let g = graph::Workflow::new(&plain_steps, &plain_transitions);
        for i in g.unreachable() {
            c.error(
                steps[i].0.id.span(),
                format!(
                    "step `{}` cannot be reached from the first step `{}`",
                    steps[i].1.id, steps[0].1.id
                ),
                format!(
                    "Từ bước đầu “{}” không đi tới được bước “{}”",
                    steps[0].1.id, steps[i].1.id
                ),
            );
        }
        for i in g.no_path_to_end() {
            c.error(
                steps[i].0.id.span(),
                format!(
                    "step `{}` has no path to a step marked `end = true`",
                    steps[i].1.id
                ),
                format!(
                    "Từ bước “{}” không đi tới được bước kết thúc (`end = true`)",
                    steps[i].1.id
                ),
            );
        }
        for (raw_t, t) in &transitions {
            if t.action == Action::SendBack && !g.is_ahead(&t.to, &t.from) {
                c.error(
                    raw_t.action.span(),
                    format!(
                        "`send-back` from `{}` to `{}` makes no sense: `{}` does not come before `{}`",
                        t.from, t.to, t.to, t.from
                    ),
                    format!(
                        "Trả lại (send-back) từ “{}” về “{}” là vô nghĩa: “{}” không đứng trước “{}”",
                        t.from, t.to, t.to, t.from
                    ),
                );
            }
        }
        if let (Some(limit), Some(longest)) = (
            time_limit.and_then(|d| d.working_time()),
            g.longest_allowance(),
        ) && longest != limit
        {
            c.push(
                Severity::Warning,
                p.time_limit.span(),
                format!(
                    "step allowances along the longest path add up to {longest}, but the time limit is {limit}"
                ),
                format!(
                    "Tổng thời gian các bước theo đường dài nhất là {longest}, nhưng thời hạn giải quyết là {limit}"
                ),
            );
        }
    }

    // Standard rules, overridable.
    let mut rule = |s: &Option<Spanned<String>>, standard: &str, what: (&str, &str)| match s {
        Some(s) => c.script(s, what),
        None => Script::compile(standard).ok(),
    };
    let extension = rule(
        &raw.scripts.extension,
        script::STANDARD_EXTENSION,
        ("extension script", "Quy tắc gia hạn"),
    );
    let apology = rule(
        &raw.scripts.apology,
        script::STANDARD_APOLOGY,
        ("apology script", "Quy tắc xin lỗi"),
    );
    let supplement_rule = rule(
        &raw.scripts.supplement,
        script::STANDARD_SUPPLEMENT,
        ("supplement script", "Quy tắc bổ sung"),
    );

    c.diagnostics.sort_by_key(|d| (d.line, d.column));
    let report = Report {
        file: file.to_string(),
        diagnostics: c.diagnostics,
    };
    if report.has_errors() {
        return Err(report);
    }
    let (
        Some(version),
        Some(time_limit),
        Some(intake_limit),
        Some(supplement_wait_flag),
        Some(extension),
        Some(apology),
        Some(supplement_rule),
    ) = (
        version,
        time_limit,
        intake_limit,
        supplement_wait_flag,
        extension,
        apology,
        supplement_rule,
    )
    else {
        return Err(report);
    };
    let procedure = Procedure {
        catalogue: Catalogue {
            code: p.code.get_ref().clone(),
            version,
            name: p.name.clone(),
            field: p.field.clone(),
            agency_levels: levels,
            service_level: ServiceLevel {
                legacy: sl.legacy,
                online: sl.online.clone(),
            },
            rule_pack: p.rule_pack.get_ref().clone(),
            time_limit,
            immediate: p.immediate,
            applicants: p.applicants.clone(),
            handling_agency: p.handling_agency.clone(),
            result: p.result.clone(),
            fees: p.fees.clone(),
            conditions: p.conditions.clone(),
            legal_basis: p.legal_basis.clone(),
            steps_text: p.steps_text.clone(),
            default_workflow: p.default_workflow,
        },
        components: raw.component.clone(),
        form_fields,
        policy: Policy {
            supplement,
            max_supplement_rounds: pol.max_supplement_rounds.unwrap_or(2),
            max_extensions: pol.max_extensions.unwrap_or(1),
            cutoff,
            intake_limit,
            supplement_wait_flag,
        },
        steps: steps.into_iter().map(|(_, s)| s).collect(),
        transitions: transitions.into_iter().map(|(_, t)| t).collect(),
        rules: Rules {
            extension,
            apology,
            supplement: supplement_rule,
        },
    };
    Ok((procedure, report))
}
