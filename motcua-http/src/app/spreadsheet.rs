//! Workbooks for Excel (Điều 26.1: what agencies ask for): the statistics table laid out as
//! form 06/VPCP/KSTT (Circular 01/2020/TT-VPCP) with its merged headers, totals, number
//! formats and a chart of timeliness by field, one sheet per agency when asked; and the
//! register of dossiers received. Written with rust_xlsxwriter; no file on disk.

use motcua_forms::RegisterLines;
use motcua_store::{FieldStats, Statistics};
use rust_xlsxwriter::{
    Chart, ChartType, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};

use super::{AppError, Code};

/// The table's columns after STT and the field, in the form's order: (group, header, value).
/// A group's total comes before its parts, as on the form.
type Cell = fn(&FieldStats) -> f64;

const TABLE: [(&str, &str, Cell); 11] = [
    ("received", "Tổng số", |f| f.received() as f64),
    ("received", "Số kỳ trước chuyển qua", |f| {
        f.carried_over as f64
    }),
    ("received", "Số mới tiếp nhận trực tuyến", |f| {
        f.new_online as f64
    }),
    (
        "received",
        "Số mới tiếp nhận (trực tiếp hoặc dịch vụ bưu chính)",
        |f| f.new_direct_or_post as f64,
    ),
    ("resolved", "Tổng số", |f| f.resolved() as f64),
    ("resolved", "Trước hạn", |f| f.resolved_early as f64),
    ("resolved", "Đúng hạn", |f| f.resolved_on_time as f64),
    ("resolved", "Quá hạn", |f| f.resolved_late as f64),
    ("in_progress", "Tổng số", |f| f.in_progress() as f64),
    ("in_progress", "Trong hạn", |f| {
        f.in_progress_within_time as f64
    }),
    ("in_progress", "Quá hạn", |f| {
        f.in_progress_overdue as f64
    }),
];

/// After the form's columns: the counts users also ask for (DOCUMENTS.md §4).
const MORE: [(&str, Cell); 5] = [
    ("Số hồ sơ yêu cầu bổ sung", |f| {
        f.supplement_requested as f64
    }),
    ("Số hồ sơ từ chối tiếp nhận", |f| {
        f.refused as f64
    }),
    ("Số hồ sơ trả lại để hoàn thiện", |f| {
        f.returned_for_completion as f64
    }),
    ("Số hồ sơ rút", |f| f.withdrawn as f64),
    ("Số hồ sơ dừng xử lý", |f| f.stopped as f64),
];

/// The title of form 06/VPCP/KSTT.
pub const STATISTICS_TITLE: &str = "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH TẠI CƠ QUAN, ĐƠN VỊ TRỰC TIẾP GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH";

fn failed(e: XlsxError) -> AppError {
    tracing::error!(error = %e, "writing a workbook failed");
    AppError::new(Code::Internal)
}

struct Formats {
    title: Format,
    header: Format,
    text: Format,
    number: Format,
    total_text: Format,
    total_number: Format,
    percent: Format,
    total_percent: Format,
    note: Format,
}

fn formats() -> Formats {
    let base = Format::new()
        .set_font_name("Times New Roman")
        .set_font_size(12);
    let cell = base.clone().set_border(FormatBorder::Thin);
    Formats {
        title: base
            .clone()
            .set_bold()
            .set_font_size(13)
            .set_align(FormatAlign::Center)
            .set_align(FormatAlign::VerticalCenter)
            .set_text_wrap(),
        header: cell
            .clone()
            .set_bold()
            .set_align(FormatAlign::Center)
            .set_align(FormatAlign::VerticalCenter)
            .set_text_wrap(),
        text: cell.clone().set_text_wrap(),
        number: cell.clone().set_num_format("#,##0"),
        total_text: cell.clone().set_bold(),
        total_number: cell.clone().set_bold().set_num_format("#,##0"),
        percent: cell.clone().set_num_format("0.0%"),
        total_percent: cell.set_bold().set_num_format("0.0%"),
        note: base.set_italic().set_text_wrap(),
    }
}

/// The online share of newly received dossiers, if any were received.
fn online_rate(f: &FieldStats) -> Option<f64> {
    let new = f.new_online + f.new_direct_or_post;
    (new > 0).then(|| f.new_online as f64 / new as f64)
}

/// A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(name: &str, taken: &[String]) -> String {
    let clean: String = name
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '-' } else { c })
        .take(28)
        .collect::<String>()
        .trim_end()
        .to_string();
    let mut candidate = clean.clone();
    let mut n = 2;
    while taken.iter().any(|t| t.eq_ignore_ascii_case(&candidate)) {
        candidate = format!("{clean} {n}");
        n += 1;
    }
    candidate
}

fn table_sheet(
    ws: &mut Worksheet,
    agency: &str,
    period: &str,
    st: &Statistics,
    f: &Formats,
) -> Result<(), XlsxError> {
    let last_col = (2 + TABLE.len() + MORE.len()) as u16; // the online rate's column
    ws.set_landscape();
    ws.set_paper_size(9); // A4
    ws.merge_range(0, 0, 0, last_col, STATISTICS_TITLE, &f.title)?;
    ws.set_row_height(0, 36)?;
    ws.merge_range(1, 0, 1, last_col, &format!("{agency} · {period}"), &f.title)?;
    ws.merge_range(2, 0, 2, last_col, "Đơn vị tính: Số hồ sơ TTHC", &f.note)?;
    // Three header rows (3–5), merged as on the form.
    ws.merge_range(3, 0, 5, 0, "STT", &f.header)?;
    ws.merge_range(3, 1, 5, 1, "Lĩnh vực giải quyết", &f.header)?;
    ws.merge_range(3, 2, 3, 5, "Số hồ sơ nhận giải quyết", &f.header)?;
    ws.merge_range(4, 2, 5, 2, "Tổng số", &f.header)?;
    ws.merge_range(4, 3, 4, 5, "Trong đó", &f.header)?;
    ws.merge_range(3, 6, 3, 12, "Kết quả giải quyết", &f.header)?;
    ws.merge_range(4, 6, 4, 9, "Số hồ sơ đã giải quyết", &f.header)?;
    ws.merge_range(4, 10, 4, 12, "Số hồ sơ đang giải quyết", &f.header)?;
    for (i, (_, header, _)) in TABLE.iter().enumerate().skip(1) {
        ws.write_string_with_format(5, (2 + i) as u16, *header, &f.header)?;
    }
    let more_at = (2 + TABLE.len()) as u16;
    for (i, (header, _)) in MORE.iter().enumerate() {
        ws.merge_range(
            3,
            more_at + i as u16,
            5,
            more_at + i as u16,
            header,
            &f.header,
        )?;
    }
    ws.merge_range(
        3,
        last_col,
        5,
        last_col,
        "Tỷ lệ tiếp nhận trực tuyến",
        &f.header,
    )?;
    ws.set_row_height(5, 66)?;
    ws.set_column_width(0, 5)?;
    ws.set_column_width(1, 34)?;
    for c in 2..=last_col {
        ws.set_column_width(c, 12)?;
    }
    ws.set_freeze_panes(6, 2)?;

    let write_row = |ws: &mut Worksheet,
                     row: u32,
                     n: &str,
                     field: &str,
                     s: &FieldStats,
                     total: bool|
     -> Result<(), XlsxError> {
        let (t, num, pct) = if total {
            (&f.total_text, &f.total_number, &f.total_percent)
        } else {
            (&f.text, &f.number, &f.percent)
        };
        ws.write_string_with_format(row, 0, n, t)?;
        ws.write_string_with_format(row, 1, field, t)?;
        for (i, (_, _, value)) in TABLE.iter().enumerate() {
            ws.write_number_with_format(row, (2 + i) as u16, value(s), num)?;
        }
        for (i, (_, value)) in MORE.iter().enumerate() {
            ws.write_number_with_format(row, more_at + i as u16, value(s), num)?;
        }
        match online_rate(s) {
            Some(r) => ws.write_number_with_format(row, last_col, r, pct)?,
            None => ws.write_string_with_format(row, last_col, "", pct)?,
        };
        Ok(())
    };
    let mut row = 6u32;
    for (i, (field, s)) in st.by_field.iter().enumerate() {
        write_row(ws, row, &(i + 1).to_string(), field, s, false)?;
        row += 1;
    }
    write_row(ws, row, "", "Tổng cộng", &st.total, true)?;
    let total_row = row;

    if !st.by_field.is_empty() {
        let name = ws.name();
        let mut chart = Chart::new(ChartType::ColumnStacked);
        for (col, label) in [(7u16, "Trước hạn"), (8, "Đúng hạn"), (9, "Quá hạn")] {
            chart
                .add_series()
                .set_name(label)
                .set_categories((name.as_str(), 6, 1, total_row - 1, 1))
                .set_values((name.as_str(), 6, col, total_row - 1, col));
        }
        chart
            .title()
            .set_name("Hồ sơ đã giải quyết theo lĩnh vực: trước hạn, đúng hạn, quá hạn");
        chart.y_axis().set_name("Số hồ sơ");
        ws.insert_chart(total_row + 2, 1, &chart)?;
    }
    Ok(())
}

/// The statistics workbook: one sheet per `(agency name, table)`, the first being the
/// agency asked for (with those below it), then each agency below when asked.
pub fn statistics_workbook(
    sheets: &[(String, Statistics)],
    period: &str,
) -> Result<Vec<u8>, AppError> {
    let f = formats();
    let mut wb = Workbook::new();
    let mut names: Vec<String> = Vec::new();
    for (agency, st) in sheets {
        let name = sheet_name(agency, &names);
        names.push(name.clone());
        let ws = wb.add_worksheet();
        ws.set_name(&name).map_err(failed)?;
        table_sheet(ws, agency, period, st, &f).map_err(failed)?;
    }
    wb.save_to_buffer().map_err(failed)
}

/// The register as a workbook: the same columns as the printed register.
pub fn register_workbook(agency: &str, reg: &RegisterLines) -> Result<Vec<u8>, AppError> {
    let f = formats();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let write = |ws: &mut Worksheet| -> Result<(), XlsxError> {
        ws.set_name("Sổ theo dõi hồ sơ")?;
        ws.set_landscape();
        ws.set_paper_size(9);
        let headers = [
            "STT",
            "Mã hồ sơ",
            "Tên thủ tục",
            "Số bộ",
            "Tên người nộp",
            "Địa chỉ, điện thoại",
            "Nhận hồ sơ",
            "Hẹn trả",
            "Trả kết quả",
            "Nơi nộp",
            "Ghi chú",
        ];
        let last = (headers.len() - 1) as u16;
        ws.merge_range(0, 0, 0, last, "SỔ THEO DÕI HỒ SƠ", &f.title)?;
        ws.merge_range(
            1,
            0,
            1,
            last,
            &format!("{agency} · Từ ngày {} đến ngày {}", reg.from, reg.to),
            &f.title,
        )?;
        for (i, h) in headers.iter().enumerate() {
            ws.write_string_with_format(3, i as u16, *h, &f.header)?;
        }
        for (c, w) in [5, 26, 34, 6, 22, 28, 16, 16, 16, 16, 18]
            .iter()
            .enumerate()
        {
            ws.set_column_width(c as u16, *w)?;
        }
        ws.set_freeze_panes(4, 0)?;
        for (i, r) in reg.rows.iter().enumerate() {
            let row = 4 + i as u32;
            ws.write_number_with_format(row, 0, (i + 1) as f64, &f.number)?;
            for (c, v) in [
                &r.code,
                &r.procedure,
                &r.sets,
                &r.applicant,
                &r.contact,
                &r.received,
                &r.appointment,
                &r.returned,
                &r.channel,
                &r.note,
            ]
            .iter()
            .enumerate()
            {
                ws.write_string_with_format(row, (c + 1) as u16, v.as_str(), &f.text)?;
            }
        }
        Ok(())
    };
    write(ws).map_err(failed)?;
    wb.save_to_buffer().map_err(failed)
}

/// The title of the evaluation workbook.
pub const EVALUATION_TITLE: &str = "KẾT QUẢ ĐÁNH GIÁ VIỆC GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH";

/// The scoring tool's report as a workbook: one row per agency with each indicator's
/// self-assessed and appraised points, the total and the classification; then a sheet with
/// how each indicator was found.
pub fn evaluation_workbook(r: &super::evaluation::EvaluationReport) -> Result<Vec<u8>, AppError> {
    let f = formats();
    let points = Format::new()
        .set_font_name("Times New Roman")
        .set_font_size(12)
        .set_border(FormatBorder::Thin)
        .set_num_format("0.00");
    let total = points.clone().set_bold();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let write = |ws: &mut Worksheet| -> Result<(), XlsxError> {
        ws.set_name("Đánh giá")?;
        ws.set_landscape();
        ws.set_paper_size(9);
        let last = (3 + 2 * 9 + 1) as u16;
        ws.merge_range(0, 0, 0, last, EVALUATION_TITLE, &f.title)?;
        ws.merge_range(
            1,
            0,
            1,
            last,
            &format!(
                "(Bộ chỉ số theo Thông tư 01/2018/TT-VPCP; từ ngày {} đến ngày {})",
                r.period.from.format("%d/%m/%Y"),
                r.period.to.format("%d/%m/%Y")
            ),
            &f.title,
        )?;
        for (c, h) in ["STT", "Cơ quan, đơn vị", "Số hồ sơ đã trả kết quả"]
            .iter()
            .enumerate()
        {
            ws.merge_range(3, c as u16, 4, c as u16, h, &f.header)?;
        }
        for (i, name) in super::evaluation::names().iter().enumerate() {
            let c = 3 + 2 * i as u16;
            ws.merge_range(3, c, 3, c + 1, &format!("{}. {name}", i + 1), &f.header)?;
            ws.write_string_with_format(4, c, "Tự đánh giá", &f.header)?;
            ws.write_string_with_format(4, c + 1, "Thẩm định", &f.header)?;
            ws.set_column_width(c, 11)?;
            ws.set_column_width(c + 1, 11)?;
        }
        ws.merge_range(3, last - 1, 4, last - 1, "Tổng điểm (tối đa 18)", &f.header)?;
        ws.merge_range(3, last, 4, last, "Xếp loại", &f.header)?;
        ws.set_row_height(3, 96)?;
        ws.set_column_width(0, 5)?;
        ws.set_column_width(1, 34)?;
        ws.set_column_width(2, 10)?;
        ws.set_column_width(last - 1, 11)?;
        ws.set_column_width(last, 14)?;
        ws.set_freeze_panes(5, 2)?;
        for (n, a) in r.agencies.iter().enumerate() {
            let row = 5 + n as u32;
            ws.write_number_with_format(row, 0, (n + 1) as f64, &f.number)?;
            ws.write_string_with_format(row, 1, &a.name, &f.text)?;
            ws.write_number_with_format(row, 2, a.tally.dossiers as f64, &f.number)?;
            for (i, ind) in a.score.indicators.iter().enumerate() {
                let c = 3 + 2 * i as u16;
                for (col, v) in [(c, ind.points), (c + 1, ind.appraised)] {
                    match v {
                        Some(v) => ws.write_number_with_format(row, col, v, &points)?,
                        None => ws.write_blank(row, col, &f.text)?,
                    };
                }
            }
            match a.score.total {
                Some(t) => ws.write_number_with_format(row, last - 1, t, &total)?,
                None => ws.write_string_with_format(row, last - 1, "Chưa đủ", &f.text)?,
            };
            let class = a.score.classification.clone().unwrap_or_else(|| {
                format!(
                    "Thiếu chỉ số {}",
                    a.score
                        .missing
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            });
            ws.write_string_with_format(row, last, &class, &f.text)?;
        }
        let note_row = 6 + r.agencies.len() as u32;
        let bands: Vec<String> = r
            .rules
            .bands
            .iter()
            .map(|b| {
                format!(
                    "{} {} {}",
                    b.label,
                    if b.exclusive { "trên" } else { "từ" },
                    b.min
                )
            })
            .collect();
        ws.merge_range(
            note_row,
            0,
            note_row,
            last,
            &format!(
                "Xếp loại theo tổng điểm: {}. Tổng điểm dùng điểm thẩm định khi đã có, nếu không dùng điểm tự đánh giá.",
                bands.join("; ")
            ),
            &f.note,
        )?;
        Ok(())
    };
    write(ws).map_err(failed)?;

    let ws = wb.add_worksheet();
    let basis = |ws: &mut Worksheet| -> Result<(), XlsxError> {
        ws.set_name("Căn cứ chấm điểm")?;
        for (c, h) in ["Cơ quan, đơn vị", "Chỉ số", "Căn cứ"].iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &f.header)?;
        }
        ws.set_column_width(0, 34)?;
        ws.set_column_width(1, 40)?;
        ws.set_column_width(2, 90)?;
        let mut row = 1;
        for a in &r.agencies {
            for ind in &a.score.indicators {
                ws.write_string_with_format(row, 0, &a.name, &f.text)?;
                ws.write_string_with_format(
                    row,
                    1,
                    format!("{}. {}", ind.number, ind.name),
                    &f.text,
                )?;
                ws.write_string_with_format(row, 2, &ind.basis, &f.text)?;
                row += 1;
            }
        }
        Ok(())
    };
    basis(ws).map_err(failed)?;
    wb.save_to_buffer().map_err(failed)
}
