//! Importing the procedure catalogue: the catalogue fields of many procedures at once, as a
//! province copies them from the national procedure database (CSV with a header row, or a
//! JSON array of objects with the same keys; docs/procedure-format.md, "Importing the
//! catalogue"). Each row becomes a procedure file in the usual format, with a **default
//! linear workflow** (reception, specialist, leader's signature, clerk) marked
//! `default_workflow = true`, to be replaced by the agency's own. Every row is checked by the
//! same loader as a hand-written file; nothing is published unless every row is right.

use motcua_core::procedure::Procedure;

use super::{AppError, Principal, procedures};
use crate::AppState;

/// The columns, in the order of the documentation: (key, required, meaning).
pub const COLUMNS: [(&str, bool, &str); 15] = [
    (
        "ma_thu_tuc",
        true,
        "mã thủ tục (national code), e.g. 1.001193",
    ),
    ("ten_thu_tuc", true, "tên thủ tục"),
    ("linh_vuc", true, "lĩnh vực"),
    (
        "cap_thuc_hien",
        true,
        "cấp thực hiện: Cấp Tỉnh, Cấp Huyện, Cấp Xã, separated by ; or ,",
    ),
    (
        "thoi_han",
        true,
        "thời hạn giải quyết: “15 ngày làm việc”, “8 giờ làm việc”, “30 ngày”, “Trong ngày”, or 15wd",
    ),
    (
        "muc_do",
        false,
        "dịch vụ công trực tuyến: Toàn trình, Một phần, or empty (none)",
    ),
    ("phien_ban", false, "version; default 1"),
    (
        "doi_tuong",
        false,
        "đối tượng thực hiện; default Tổ chức, cá nhân",
    ),
    (
        "co_quan_thuc_hien",
        false,
        "cơ quan thực hiện; default from the level",
    ),
    ("ket_qua", false, "kết quả thực hiện"),
    (
        "le_phi",
        false,
        "phí, lệ phí in đồng: a number, or “Tên: số” items separated by |",
    ),
    (
        "thanh_phan",
        false,
        "thành phần hồ sơ, separated by | or line breaks",
    ),
    (
        "can_cu",
        false,
        "căn cứ pháp lý, separated by | or line breaks",
    ),
    (
        "trinh_tu",
        false,
        "trình tự thực hiện, separated by | or line breaks",
    ),
    (
        "giao_cho",
        false,
        "agencies that receive it (their ids), separated by ; or ,",
    ),
];

/// A problem of the imported file, where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportProblem {
    /// Line of the file (1-based) where the row starts; 0 for the whole file.
    pub line: usize,
    /// The column's key, when the problem is one cell's.
    pub column: Option<String>,
    /// In Vietnamese.
    pub message: String,
}

/// One imported row: the generated file and what will be done with it.
#[derive(Clone, Debug)]
pub struct Imported {
    pub line: usize,
    pub procedure: Procedure,
    pub source: String,
    /// `new` or `same` (already published identically).
    pub publication: &'static str,
    /// Agencies to assign it to.
    pub assign_to: Vec<String>,
}

type Row = Vec<(String, String)>;

fn at(line: usize, column: Option<&str>, message: impl Into<String>) -> ImportProblem {
    ImportProblem {
        line,
        column: column.map(str::to_string),
        message: message.into(),
    }
}

/// Reads rows from CSV (a header row naming the columns; a BOM and `;` separators as Excel
/// writes them are accepted) or JSON (an array of objects).
fn rows(text: &str) -> Result<Vec<(usize, Row)>, Vec<ImportProblem>> {
    let text = text.trim_start_matches('\u{feff}');
    if text.trim_start().starts_with('[') {
        return json_rows(text);
    }
    let first = text.lines().next().unwrap_or_default();
    let delimiter = if first.matches(';').count() > first.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(false)
        .from_reader(text.as_bytes());
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|c| c.trim().to_lowercase()).collect(),
        Err(e) => {
            return Err(vec![at(
                1,
                None,
                format!("Không đọc được dòng tiêu đề: {e}"),
            )]);
        }
    };
    let mut problems = Vec::new();
    for h in &header {
        if !COLUMNS.iter().any(|(k, _, _)| k == h) {
            problems.push(at(
                1,
                Some(h),
                format!("Cột “{h}” không có trong mẫu nhập (xem docs/procedure-format.md)."),
            ));
        }
    }
    let mut out = Vec::new();
    for record in reader.records() {
        match record {
            Ok(r) => {
                let line = r.position().map_or(0, |p| p.line() as usize);
                out.push((
                    line,
                    header
                        .iter()
                        .cloned()
                        .zip(r.iter().map(|v| v.trim().to_string()))
                        .collect(),
                ));
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                problems.push(at(line, None, format!("Dòng không đọc được: {e}")));
            }
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

fn json_rows(text: &str) -> Result<Vec<(usize, Row)>, Vec<ImportProblem>> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        vec![at(
            e.line(),
            None,
            format!("JSON không hợp lệ (cột {}): {e}", e.column()),
        )]
    })?;
    let Some(items) = value.as_array() else {
        return Err(vec![at(1, None, "Tệp JSON phải là một mảng các thủ tục.")]);
    };
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for (i, item) in items.iter().enumerate() {
        // JSON rows are numbered by their place in the array.
        let n = i + 1;
        let Some(obj) = item.as_object() else {
            problems.push(at(
                n,
                None,
                format!("Thủ tục thứ {n} không phải một đối tượng."),
            ));
            continue;
        };
        let mut row = Vec::new();
        for (k, v) in obj {
            if !COLUMNS.iter().any(|(c, _, _)| c == k) {
                problems.push(at(
                    n,
                    Some(k),
                    format!("Khóa “{k}” không có trong mẫu nhập."),
                ));
                continue;
            }
            let text = match v {
                serde_json::Value::String(s) => s.trim().to_string(),
                serde_json::Value::Number(x) => x.to_string(),
                serde_json::Value::Null => String::new(),
                serde_json::Value::Array(a) => a
                    .iter()
                    .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_string))
                    .collect::<Vec<_>>()
                    .join("|"),
                _ => {
                    problems.push(at(
                        n,
                        Some(k),
                        format!("“{k}” phải là chuỗi hoặc mảng chuỗi."),
                    ));
                    continue;
                }
            };
            row.push((k.clone(), text));
        }
        out.push((n, row));
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

fn get<'a>(row: &'a Row, key: &str) -> &'a str {
    row.iter()
        .find(|(k, _)| k == key)
        .map_or("", |(_, v)| v.as_str())
}

fn list(s: &str) -> Vec<String> {
    s.split(['|', '\n'])
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

/// A TOML basic string.
fn quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn quoted_list(items: &[String]) -> String {
    format!(
        "[{}]",
        items
            .iter()
            .map(|s| quoted(s))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

fn fold(s: &str) -> String {
    motcua_core::text::fold(s)
}

/// Levels named like the national database (`Cấp Tỉnh`, `Cấp Xã`) or in English.
fn levels(s: &str) -> Result<Vec<&'static str>, String> {
    let mut out = Vec::new();
    for part in s
        .split([';', ',', '|'])
        .map(str::trim)
        .filter(|x| !x.is_empty())
    {
        let f = fold(part);
        let level = if f.contains("tinh") || f == "province" {
            "province"
        } else if f.contains("huyen") || f == "district" {
            "district"
        } else if f.contains("xa") || f.contains("phuong") || f == "commune" {
            "commune"
        } else {
            return Err(format!("“{part}” không phải cấp tỉnh, huyện hoặc xã."));
        };
        if !out.contains(&level) {
            out.push(level);
        }
    }
    if out.is_empty() {
        return Err("Cần cấp thực hiện (Cấp Tỉnh, Cấp Huyện, Cấp Xã).".into());
    }
    Ok(out)
}

/// The time limit as the format writes it, and whether the result is given within the day.
fn time_limit(s: &str) -> Result<(String, bool), String> {
    let f = fold(s);
    if f.is_empty() {
        return Err("Cần thời hạn giải quyết (ví dụ 15 ngày làm việc).".into());
    }
    if f.contains("trong ngay") || f == "ngay" {
        return Ok(("0wh".into(), true));
    }
    if s.trim().parse::<motcua_core::calendar::Duration>().is_ok() {
        return Ok((s.trim().to_string(), false));
    }
    let number: String = f.chars().take_while(|c| c.is_ascii_digit()).collect();
    let Ok(n) = number.parse::<u32>() else {
        return Err(format!(
            "“{s}” không phải thời hạn (ví dụ 15 ngày làm việc, 8 giờ làm việc, 30 ngày)."
        ));
    };
    let unit = if f.contains("gio") {
        "wh"
    } else if f.contains("lam viec") {
        "wd"
    } else if f.contains("ngay") {
        "cd"
    } else {
        return Err(format!(
            "“{s}”: cần đơn vị ngày làm việc, giờ làm việc hoặc ngày."
        ));
    };
    Ok((format!("{n}{unit}"), false))
}

fn service_level(s: &str) -> Result<(u8, &'static str), String> {
    let f = fold(s);
    Ok(match f.as_str() {
        "" | "khong" | "none" | "2" | "muc do 2" | "cung cap thong tin" => (2, "none"),
        "mot phan" | "partial" | "3" | "muc do 3" => (3, "partial"),
        "toan trinh" | "full" | "4" | "muc do 4" => (4, "full"),
        _ => {
            return Err(format!(
                "“{s}”: dịch vụ công trực tuyến là Toàn trình, Một phần hoặc để trống."
            ));
        }
    })
}

fn fees(s: &str) -> Result<Vec<(String, u64)>, String> {
    let mut out = Vec::new();
    for item in list(s) {
        let (name, amount) = match item.rsplit_once(':') {
            Some((n, a)) => (n.trim().to_string(), a.trim()),
            None => ("Lệ phí".to_string(), item.as_str()),
        };
        let digits: String = amount
            .chars()
            .filter(|c| !matches!(c, '.' | ',' | ' ' | 'đ'))
            .collect();
        let digits = digits
            .trim_end_matches("dong")
            .trim_end_matches("VND")
            .trim();
        if fold(amount) == "khong" || fold(amount) == "mien" {
            continue;
        }
        let n: u64 = digits
            .parse()
            .map_err(|_| format!("“{item}”: phí, lệ phí là số đồng, ví dụ “Lệ phí: 50.000”."))?;
        out.push((name, n));
    }
    Ok(out)
}

/// The allowances of the default workflow, in working hours, adding up to `total`.
fn allowances(total: u32) -> [u32; 4] {
    if total < 4 {
        // Too short to share out: everything within the limit, step by step.
        return [0, total, 0, 0];
    }
    let reception = (total / 10).max(1);
    let leader = (total / 5).max(1);
    let clerk = (total / 10).max(1);
    [reception, total - reception - leader - clerk, leader, clerk]
}

/// The procedure file of one row (or the problems of its cells).
fn source_of(row: &Row, line: usize) -> Result<String, Vec<ImportProblem>> {
    let mut problems = Vec::new();
    let mut cell = |key: &'static str| -> String {
        let v = get(row, key).to_string();
        if v.is_empty() && COLUMNS.iter().any(|(k, req, _)| *k == key && *req) {
            problems.push(at(line, Some(key), format!("Thiếu “{key}”.")));
        }
        v
    };
    let (code, name, field, level_text, limit_text) = (
        cell("ma_thu_tuc"),
        cell("ten_thu_tuc"),
        cell("linh_vuc"),
        cell("cap_thuc_hien"),
        cell("thoi_han"),
    );
    let levels = match levels(&level_text) {
        Ok(l) => l,
        Err(m) => {
            if !level_text.is_empty() {
                problems.push(at(line, Some("cap_thuc_hien"), m));
            }
            Vec::new()
        }
    };
    let limit = match time_limit(&limit_text) {
        Ok(l) => Some(l),
        Err(m) => {
            if !limit_text.is_empty() {
                problems.push(at(line, Some("thoi_han"), m));
            }
            None
        }
    };
    let service = service_level(get(row, "muc_do"))
        .map_err(|m| problems.push(at(line, Some("muc_do"), m)))
        .ok();
    let fee_items = fees(get(row, "le_phi"))
        .map_err(|m| problems.push(at(line, Some("le_phi"), m)))
        .ok();
    let version_text = get(row, "phien_ban");
    if !version_text.is_empty()
        && motcua_core::procedure::ProcedureVersion::parse(version_text).is_err()
    {
        problems.push(at(
            line,
            Some("phien_ban"),
            format!(
                "“{version_text}”: phiên bản gồm 1 đến 32 ký tự chữ không dấu, số, “.”, “_” hoặc “-”, bắt đầu bằng chữ hoặc số (ví dụ 2025.1)."
            ),
        ));
    }
    let (Some((limit, immediate)), Some((legacy, online)), Some(fee_items), true) =
        (limit, service, fee_items, problems.is_empty())
    else {
        return Err(problems);
    };
    let version = Some(get(row, "phien_ban"))
        .filter(|v| !v.is_empty())
        .unwrap_or("1");
    let lowest = levels.last().copied().unwrap_or("commune");
    let handling = Some(get(row, "co_quan_thuc_hien"))
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| {
            match lowest {
                "province" => "Cơ quan chuyên môn thuộc UBND cấp tỉnh",
                "district" => "Ủy ban nhân dân cấp huyện",
                _ => "Ủy ban nhân dân cấp xã",
            }
            .to_string()
        });
    let hours = match limit.parse::<motcua_core::calendar::Duration>() {
        _ if immediate => 0,
        Ok(d) => match d.unit {
            motcua_core::calendar::Unit::WorkingMinutes => d.amount / 60,
            motcua_core::calendar::Unit::WorkingHours => d.amount,
            // Calendar days are shared out as if they were working days; the loader warns
            // that the allowances do not add up to the limit, which stays in calendar days.
            _ => d.amount.saturating_mul(8),
        },
        Err(_) => 0,
    };
    let [a, b, c, d] = allowances(hours);
    let mut out = format!(
        "# Imported from the procedure catalogue. The workflow below is the DEFAULT one\n\
         # (default_workflow = true): replace it with the agency's own internal workflow.\n\
         format = 1\n\n[procedure]\ncode = {}\nversion = {}\nname = {}\nfield = {}\n\
         agency_levels = {}\nservice_level = {{ legacy = {legacy}, online = \"{online}\" }}\n\
         rule_pack = \"nd118-2025\"\ntime_limit = \"{limit}\"\nimmediate = {immediate}\n\
         applicants = {}\nhandling_agency = {}\nresult = {}\n",
        quoted(&code),
        quoted(version),
        quoted(&name),
        quoted(&field),
        quoted_list(&levels.iter().map(|l| l.to_string()).collect::<Vec<_>>()),
        quoted(
            Some(get(row, "doi_tuong"))
                .filter(|v| !v.is_empty())
                .unwrap_or("Tổ chức, cá nhân")
        ),
        quoted(&handling),
        quoted(
            Some(get(row, "ket_qua"))
                .filter(|v| !v.is_empty())
                .unwrap_or("Kết quả giải quyết thủ tục hành chính")
        ),
    );
    if !fee_items.is_empty() {
        out += &format!(
            "fees = [{}]\n",
            fee_items
                .iter()
                .map(|(n, a)| format!("{{ name = {}, amount_vnd = {a} }}", quoted(n)))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    out += &format!(
        "legal_basis = {}\nsteps_text = {}\ndefault_workflow = true\n",
        quoted_list(&list(get(row, "can_cu"))),
        quoted_list(&list(get(row, "trinh_tu")))
    );
    for c in list(get(row, "thanh_phan")) {
        out += &format!("\n[[component]]\nname = {}\noriginals = 1\n", quoted(&c));
    }
    let unit = |h: u32| format!("{h}wh");
    out += &format!(
        "\n[[step]]\nid = \"tiep-nhan\"\nname = \"Tiếp nhận, chuyển hồ sơ\"\nrole = \"reception-officer\"\nallowance = \"{}\"\n\
         \n[[step]]\nid = \"xu-ly\"\nname = \"Chuyên viên thẩm định, dự thảo kết quả\"\nrole = \"specialist\"\nallowance = \"{}\"\n\
         \n[[step]]\nid = \"ky\"\nname = \"Lãnh đạo xem xét, ký kết quả\"\nrole = \"agency-leader\"\nallowance = \"{}\"\n\
         \n[[step]]\nid = \"van-thu\"\nname = \"Văn thư vào sổ, đóng dấu, chuyển Bộ phận một cửa\"\nrole = \"clerk\"\nallowance = \"{}\"\nend = true\n\
         \n[[transition]]\nfrom = \"tiep-nhan\"\nto = \"xu-ly\"\naction = \"forward\"\n\
         \n[[transition]]\nfrom = \"xu-ly\"\nto = \"ky\"\naction = \"forward\"\n\
         \n[[transition]]\nfrom = \"ky\"\nto = \"xu-ly\"\naction = \"send-back\"\n\
         \n[[transition]]\nfrom = \"ky\"\nto = \"van-thu\"\naction = \"approve\"\n",
        unit(a),
        unit(b),
        unit(c),
        unit(d)
    );
    Ok(out)
}

/// Checks a catalogue file: every row turned into a procedure and loaded, every problem with
/// its line and column; nothing is stored.
pub async fn check(
    app: &AppState,
    p: &Principal,
    text: &str,
) -> Result<Result<Vec<Imported>, Vec<ImportProblem>>, AppError> {
    if !procedures::may_publish(p) {
        return Err(AppError::forbidden(
            "Chỉ quản trị hệ thống được nhập danh mục thủ tục.",
        ));
    }
    let config = app.config().await?;
    let stored = app.store.procedures().await?;
    let dir = &config.directory;
    Ok(check_with(text, &stored, |id| {
        dir.get(id).is_some() && super::policy::is_system_admin_for(p, id, dir)
    }))
}

/// [`check`] without the store: `stored` are the published (code, version, source) and
/// `agency_exists` says which agency ids exist.
pub fn check_with(
    text: &str,
    stored: &[(String, String, String)],
    agency_exists: impl Fn(&str) -> bool,
) -> Result<Vec<Imported>, Vec<ImportProblem>> {
    let rows = rows(text)?;
    if rows.is_empty() {
        return Err(vec![at(0, None, "Tệp không có thủ tục nào.")]);
    }
    let mut problems = Vec::new();
    let mut out: Vec<Imported> = Vec::new();
    for (line, row) in rows {
        let source = match source_of(&row, line) {
            Ok(s) => s,
            Err(mut p) => {
                problems.append(&mut p);
                continue;
            }
        };
        let procedure = match Procedure::load(&format!("dòng {line}"), &source) {
            Ok((p, _)) => p,
            Err(report) => {
                for d in report
                    .diagnostics
                    .iter()
                    .filter(|d| d.severity == motcua_core::procedure::Severity::Error)
                {
                    problems.push(at(line, None, d.message_vi.clone()));
                }
                continue;
            }
        };
        let c = &procedure.catalogue;
        if out.iter().any(|o| {
            o.procedure.catalogue.code == c.code && o.procedure.catalogue.version == c.version
        }) {
            problems.push(at(
                line,
                Some("ma_thu_tuc"),
                format!(
                    "Thủ tục {} phiên bản {} có hai dòng trong tệp.",
                    c.code, c.version
                ),
            ));
            continue;
        }
        let sha = motcua_store::sha256_hex(source.as_bytes());
        let publication = match stored
            .iter()
            .find(|(code, version, _)| *code == c.code && *version == c.version)
        {
            None => "new",
            Some((_, _, s)) if motcua_store::sha256_hex(s.as_bytes()) == sha => "same",
            Some(_) => {
                problems.push(at(
                    line,
                    Some("phien_ban"),
                    format!(
                        "Thủ tục {} phiên bản {} đã được công bố với nội dung khác; đặt phiên bản mới (cột phien_ban).",
                        c.code, c.version
                    ),
                ));
                continue;
            }
        };
        let mut assign_to = Vec::new();
        for id in get(&row, "giao_cho")
            .split([';', ',', '|'])
            .map(str::trim)
            .filter(|x| !x.is_empty())
        {
            if agency_exists(id) {
                assign_to.push(id.to_string());
            } else {
                problems.push(at(
                    line,
                    Some("giao_cho"),
                    format!("Không có cơ quan {id} trong phạm vi quản trị của bạn."),
                ));
            }
        }
        out.push(Imported {
            line,
            procedure,
            source,
            publication,
            assign_to,
        });
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// What an import did.
#[derive(Debug, Default)]
pub struct Done {
    pub published: usize,
    pub unchanged: usize,
    pub assigned: usize,
}

/// Publishes every row of a catalogue file (all or nothing at the check) and assigns them.
pub async fn import(
    app: &AppState,
    p: &Principal,
    text: &str,
) -> Result<Result<Done, Vec<ImportProblem>>, AppError> {
    let rows = match check(app, p, text).await? {
        Ok(r) => r,
        Err(problems) => return Ok(Err(problems)),
    };
    let mut done = Done::default();
    for r in &rows {
        if r.publication == "new" {
            app.store.put_procedure(&r.source, &r.procedure).await?;
            done.published += 1;
        } else {
            done.unchanged += 1;
        }
        for a in &r.assign_to {
            if app
                .store
                .assign_procedure(&r.procedure.catalogue.code, a)
                .await?
            {
                done.assigned += 1;
            }
        }
    }
    app.config_changed().await?;
    Ok(Ok(done))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: &str = "\u{feff}ma_thu_tuc,ten_thu_tuc,linh_vuc,cap_thuc_hien,thoi_han,muc_do,le_phi,thanh_phan,can_cu,giao_cho\n\
1.004227,Thủ tục chứng thực bản sao từ bản chính,Chứng thực,Cấp Huyện; Cấp Xã,Trong ngày,Một phần,\"Phí chứng thực: 2.000\",\"Bản chính giấy tờ\nBản sao cần chứng thực\",Nghị định 23/2015/NĐ-CP,000.31.12.H53\n\
2.000488,\"Thủ tục đăng ký kết hôn, có \"\"yếu tố\"\" nước ngoài\",Hộ tịch,Cấp Tỉnh,15 ngày làm việc,Toàn trình,Lệ phí: 1.000.000,Tờ khai đăng ký kết hôn,Luật Hộ tịch 2014,\n";

    #[test]
    fn every_row_becomes_a_procedure_with_the_default_workflow() {
        let rows = check_with(CSV, &[], |id| id == "000.31.12.H53").expect("imports");
        assert_eq!(rows.len(), 2);
        let a = &rows[0].procedure;
        assert_eq!(a.catalogue.code, "1.004227");
        assert!(a.catalogue.immediate && a.catalogue.default_workflow);
        assert_eq!(
            a.components.len(),
            2,
            "a line break inside quotes separates components"
        );
        assert_eq!(a.catalogue.fees[0].amount_vnd, 2000);
        assert_eq!(rows[0].assign_to, vec!["000.31.12.H53"]);
        let b = &rows[1].procedure;
        assert_eq!(
            b.catalogue.name,
            "Thủ tục đăng ký kết hôn, có \"yếu tố\" nước ngoài"
        );
        assert_eq!(b.catalogue.time_limit.to_string(), "15wd");
        assert_eq!(b.catalogue.fees[0].amount_vnd, 1_000_000);
        assert_eq!(b.steps.len(), 4);
        // The allowances share out the limit: no warning from the loader.
        let (_, report) = Procedure::load("b", &rows[1].source).expect("loads");
        assert!(report.diagnostics.is_empty(), "{:?}", report.diagnostics);
        assert_eq!(
            rows[1].line, 4,
            "the record starts after the two lines of the first"
        );
    }

    #[test]
    fn the_same_file_twice_changes_nothing_and_another_content_needs_a_new_version() {
        let first = check_with(CSV, &[], |_| true).expect("imports");
        let stored: Vec<(String, String, String)> = first
            .iter()
            .map(|r| {
                let c = &r.procedure.catalogue;
                (c.code.clone(), c.version.to_string(), r.source.clone())
            })
            .collect();
        let again = check_with(CSV, &stored, |_| true).expect("imports");
        assert!(again.iter().all(|r| r.publication == "same"));
        let changed = CSV.replace("15 ngày làm việc", "20 ngày làm việc");
        let problems = check_with(&changed, &stored, |_| true).expect_err("a conflict");
        assert_eq!(problems.len(), 1);
        assert_eq!(
            (problems[0].line, problems[0].column.as_deref()),
            (4, Some("phien_ban"))
        );
    }

    #[test]
    fn problems_name_their_line_and_column_and_nothing_is_taken() {
        let bad = "ma_thu_tuc;ten_thu_tuc;linh_vuc;cap_thuc_hien;thoi_han;mau_la\n\
                   1.1;Tên;Lĩnh vực;Cấp Xã;15 ngày làm việc;x\n";
        let p = check_with(bad, &[], |_| true).expect_err("unknown column");
        assert_eq!((p[0].line, p[0].column.as_deref()), (1, Some("mau_la")));
        let bad = "ma_thu_tuc;ten_thu_tuc;linh_vuc;cap_thuc_hien;thoi_han;giao_cho\n\
                   1.1;Tên;Lĩnh vực;Cấp Thôn;mười lăm ngày;000.99.99.H53\n\
                   ;Tên 2;Lĩnh vực;Cấp Xã;3 ngày làm việc;\n";
        let p = check_with(bad, &[], |_| false).expect_err("bad cells");
        let said: Vec<(usize, Option<&str>)> =
            p.iter().map(|x| (x.line, x.column.as_deref())).collect();
        assert_eq!(
            said,
            vec![
                (2, Some("cap_thuc_hien")),
                (2, Some("thoi_han")),
                (3, Some("ma_thu_tuc"))
            ]
        );
        let json = r#"[{"ma_thu_tuc": "1.2", "ten_thu_tuc": "T", "linh_vuc": "L",
            "cap_thuc_hien": ["Cấp Xã"], "thoi_han": "8 giờ làm việc", "thanh_phan": ["A", "B"]},
            {"ma_thu_tuc": "1.3", "ten_thu_tuc": "T", "linh_vuc": "L", "cap_thuc_hien": "Cấp Xã", "thoi_han": 5}]"#;
        let p = check_with(json, &[], |_| true).expect_err("a number without a unit");
        assert_eq!((p[0].line, p[0].column.as_deref()), (2, Some("thoi_han")));
        let ok = json.replace("\"thoi_han\": 5", "\"thoi_han\": \"5wd\"");
        let rows = check_with(&ok, &[], |_| true).expect("imports");
        assert_eq!(rows[0].procedure.components.len(), 2);
        assert_eq!(rows[0].procedure.catalogue.time_limit.to_string(), "8wh");
        let bad = "ma_thu_tuc;ten_thu_tuc;linh_vuc;cap_thuc_hien;thoi_han;phien_ban\n\
                   1.1;Tên;Lĩnh vực;Cấp Xã;15 ngày làm việc;bản 2025\n";
        let p = check_with(bad, &[], |_| true).expect_err("a version with a space");
        assert_eq!((p[0].line, p[0].column.as_deref()), (2, Some("phien_ban")));
    }

    #[test]
    fn allowances_add_up_to_the_limit() {
        for total in 0..500 {
            assert_eq!(allowances(total).iter().sum::<u32>(), total, "{total}");
        }
    }
}
