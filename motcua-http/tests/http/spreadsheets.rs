//! The Excel workbooks read back by an independent reader: openpyxl, in the Python that
//! `MOTCUA_PYTHON` names (`.ci/run` makes a virtualenv with it and sets
//! `MOTCUA_REQUIRE_OPENPYXL=1`). Every cell of the statistics sheet equals the JSON report's;
//! the chart part exists; the register's rows are the dossiers received.

use crate::support::*;
use axum::http::StatusCode;
use serde_json::{Value, json};

const PROVINCE: &str = "000.00.00.H53";

/// What openpyxl reads from a workbook: each sheet's name and cell values (rows of
/// strings/numbers/null), its merged ranges, and whether the package has a chart part.
pub(crate) fn read_back(xlsx: &[u8]) -> Option<Value> {
    let python = std::env::var("MOTCUA_PYTHON").unwrap_or_else(|_| "python3".into());
    let dir = std::env::temp_dir().join(format!("motcua-xlsx-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join(format!("{}.xlsx", motcua_store::sha256_hex(xlsx)));
    std::fs::write(&path, xlsx).expect("write");
    const SCRIPT: &str = r#"
import json, sys, zipfile
try:
    import openpyxl
except ImportError:
    sys.exit(3)
wb = openpyxl.load_workbook(sys.argv[1])
out = {"sheets": [], "charts": [n for n in zipfile.ZipFile(sys.argv[1]).namelist() if n.startswith("xl/charts/chart")]}
for ws in wb.worksheets:
    out["sheets"].append({
        "name": ws.title,
        "rows": [list(r) for r in ws.iter_rows(values_only=True)],
        "merged": sorted(str(m) for m in ws.merged_cells.ranges),
    })
print(json.dumps(out, ensure_ascii=False))
"#;
    let out = std::process::Command::new(&python)
        .arg("-c")
        .arg(SCRIPT)
        .arg(&path)
        .output();
    let required = std::env::var("MOTCUA_REQUIRE_OPENPYXL").as_deref() == Ok("1");
    match out {
        Ok(o) if o.status.success() => Some(serde_json::from_slice(&o.stdout).expect("json")),
        Ok(o) if o.status.code() == Some(3) && !required => {
            eprintln!("openpyxl not installed in {python}: skipping the workbook checks");
            None
        }
        Err(_) if !required => {
            eprintln!("{python} not found: skipping the workbook checks");
            None
        }
        other => panic!("reading the workbook back failed: {other:?}"),
    }
}

fn num(v: &Value) -> i64 {
    v.as_f64().map_or(-1, |f| f as i64)
}

const KEYS: [&str; 16] = [
    "received",
    "carried_over",
    "new_online",
    "new_direct_or_post",
    "resolved",
    "resolved_early",
    "resolved_on_time",
    "resolved_late",
    "in_progress",
    "in_progress_within_time",
    "in_progress_overdue",
    "supplement_requested",
    "refused",
    "returned_for_completion",
    "withdrawn",
    "stopped",
];

fn expected(row: &Value, key: &str) -> i64 {
    let g = |k: &str| row[k].as_i64().unwrap_or_else(|| panic!("{k} in {row}"));
    match key {
        "received" => g("carried_over") + g("new_online") + g("new_direct_or_post"),
        "resolved" => g("resolved_early") + g("resolved_on_time") + g("resolved_late"),
        "in_progress" => g("in_progress_within_time") + g("in_progress_overdue"),
        k => g(k),
    }
}

#[tokio::test]
async fn the_statistics_workbook_says_what_the_json_report_says() {
    let st = state().await;
    let leader = staff(&st, "lanh-dao.xlsx", PROVINCE, "agency-leader").await;
    // The demo's dossiers, and a few more in the commune so that fields and outcomes vary.
    let citizen = applicant(&st, "xlsx-an", "An").await;
    let desk = staff(&st, "mot-cua.xlsx", "000.31.12.H53", "reception-officer").await;
    for (i, then) in ["accept", "refuse", "accept"].iter().enumerate() {
        let (s, v) = call(
            &st,
            "POST",
            "/api/v1/dossiers",
            Some(&citizen),
            Some(json!({
                "procedure": "1.001193", "agency": "000.31.12.H53",
                "applicant": {"name": format!("Người nộp {i}")},
                "form": {"ten_tre": "Bé", "ngay_sinh": "01/02/2026"},
                "components": ["Tờ khai đăng ký khai sinh", "Giấy chứng sinh"]
            })),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        let body = if *then == "refuse" {
            json!({ "command": "refuse", "reason": "Không thuộc thẩm quyền." })
        } else {
            json!({ "command": "accept" })
        };
        let (s, v) = command(&st, &desk, v["id"].as_str().unwrap(), body).await;
        assert_eq!(s, StatusCode::OK, "{v}");
    }
    let q = format!("agency={PROVINCE}&from=2026-01-01&to=2026-12-31");
    let (s, report) = call(
        &st,
        "GET",
        &format!("/api/v1/reports/statistics?{q}"),
        Some(&leader),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{report}");
    let (s, headers, xlsx) = fetch(
        &st,
        &format!("/api/v1/reports/statistics?{q}&format=xlsx&sheets=agency"),
        &leader,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&xlsx));
    assert_eq!(
        headers["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains(".xlsx")
    );
    assert!(xlsx.starts_with(b"PK"), "an XLSX is a zip");
    // Unknown formats and sheet choices are refused, never answered as JSON.
    for bad in ["&format=xls", "&format=xlsx&sheets=field"] {
        let (s, v) = call(
            &st,
            "GET",
            &format!("/api/v1/reports/statistics?{q}{bad}"),
            Some(&leader),
            None,
        )
        .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{bad}: {v}");
    }
    let Some(book) = read_back(&xlsx) else { return };

    assert!(
        !book["charts"].as_array().unwrap().is_empty(),
        "no chart part: {book}"
    );
    let sheets = book["sheets"].as_array().unwrap();
    let agencies = report["agencies"].as_array().unwrap();
    assert_eq!(
        sheets.len(),
        agencies.len(),
        "one sheet per agency in the subtree"
    );
    assert_eq!(sheets[0]["name"], "UBND tỉnh Sóc Trăng");
    let sheet = &sheets[0];
    let rows = sheet["rows"].as_array().unwrap();
    assert!(
        rows[0][0]
            .as_str()
            .unwrap()
            .starts_with("TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT")
    );
    assert_eq!(rows[4][2], "Tổng số");
    assert_eq!(rows[5][3], "Số kỳ trước chuyển qua");
    for merged in [
        "A4:A6", "B4:B6", "C4:F4", "C5:C6", "G4:M4", "G5:J5", "K5:M5",
    ] {
        assert!(
            sheet["merged"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m == merged),
            "{merged} not merged: {}",
            sheet["merged"]
        );
    }
    let by_field = report["by_field"].as_object().unwrap();
    assert!(by_field.len() >= 2, "{report}");
    for (i, (field, counts)) in by_field.iter().enumerate() {
        let row = &rows[6 + i];
        assert_eq!(row[1].as_str(), Some(field.as_str()), "{row:?}");
        for (c, key) in KEYS.iter().enumerate() {
            assert_eq!(num(&row[2 + c]), expected(counts, key), "{field} {key}");
        }
    }
    let total = &rows[6 + by_field.len()];
    assert_eq!(total[1], "Tổng cộng");
    for (c, key) in KEYS.iter().enumerate() {
        assert_eq!(
            num(&total[2 + c]),
            expected(&report["total"], key),
            "total {key}"
        );
    }
    let new =
        expected(&report["total"], "new_online") + expected(&report["total"], "new_direct_or_post");
    let rate = total[2 + KEYS.len()].as_f64().expect("online rate");
    assert!(
        (rate - expected(&report["total"], "new_online") as f64 / new as f64).abs() < 1e-9,
        "{rate}"
    );

    // The register's workbook: the commune's dossiers received, in order.
    let (s, _, reg) = fetch(
        &st,
        "/api/v1/reports/register?agency=000.31.12.H53&from=2020-01-01&to=2030-12-31&format=xlsx",
        &desk,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let book = read_back(&reg).expect("read back");
    let rows = book["sheets"][0]["rows"].as_array().unwrap();
    assert_eq!(rows[0][0], "SỔ THEO DÕI HỒ SƠ");
    assert_eq!(rows[3][1], "Mã hồ sơ");
    let names: Vec<&str> = rows[4..].iter().filter_map(|r| r[4].as_str()).collect();
    // The refused one was never received.
    assert!(
        names.contains(&"Người nộp 0") && names.contains(&"Người nộp 2"),
        "{names:?}"
    );
    assert!(!names.contains(&"Người nộp 1"), "{names:?}");
}
