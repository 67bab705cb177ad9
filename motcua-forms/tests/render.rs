//! Every form of every pack typeset for one sample dossier: the PDF's text as an independent
//! reader (poppler's `pdftotext`) extracts it, its QR code as `zbarimg` decodes it, and
//! decomposed (NFD) input printing the same text as composed (NFC).
//!
//! The tools come from Debian's poppler-utils and zbar-tools, which `.ci/run` installs and
//! requires (`MOTCUA_REQUIRE_PDF_TOOLS=1`); without them the checks that need them say so
//! and are skipped. The HTTP tests render the same forms from real dossiers.

use motcua_forms::*;
use std::path::{Path, PathBuf};
use std::process::Command;
use unicode_normalization::UnicodeNormalization;

fn sample() -> FormData {
    FormData {
        agency: AgencyHeader {
            name: "UBND xã Đại Ân 2".into(),
            parent: Some("UBND huyện Trần Đề".into()),
            address: Some("Ấp Chợ, xã Đại Ân 2, huyện Trần Đề, tỉnh Sóc Trăng".into()),
            hotline: Some("0299 3000 012".into()),
            email: Some("motcua@daian2.soctrang.gov.vn".into()),
        },
        place_date: words::place_date(
            "Đại Ân 2",
            chrono::NaiveDate::from_ymd_opt(2026, 12, 2).unwrap(),
        ),
        dossier: DossierLines {
            code: Some("000.31.12.H53-261202-0001".into()),
            procedure: "Đăng ký khai sinh".into(),
            procedure_url: Some("https://daian2.soctrang.gov.vn/thu-tuc/1.001193".into()),
            channel: "Trực tiếp".into(),
            at_desk: true,
            sets: "01".into(),
            time_limit: Some("Trong ngày làm việc".into()),
            submitted: Some("08 giờ 15 phút, ngày 02 tháng 12 năm 2026".into()),
            received: Some("08 giờ 20 phút, ngày 02 tháng 12 năm 2026".into()),
            received_date: Some("02 tháng 12 năm 2026".into()),
            appointment: Some("16 giờ 30 phút, ngày 02 tháng 12 năm 2026".into()),
            original_appointment: Some("16 giờ 30 phút, ngày 02 tháng 12 năm 2026".into()),
            collect_at: Some("Bộ phận Một cửa, UBND xã Đại Ân 2".into()),
            register_entry: None,
            fee: Some("Miễn lệ phí".into()),
            lookup_url: Some(
                "https://daian2.soctrang.gov.vn/tra-cuu/000.31.12.H53-261202-0001".into(),
            ),
        },
        applicant: ApplicantLines {
            name: "Trần Thị Hồng Nhung".into(),
            address: Some("Ấp Tiếp Nhựt, xã Đại Ân 2".into()),
            phone: Some("0912 345 678".into()),
            email: None,
            id_number: Some("094196001234".into()),
        },
        components: vec![
            ComponentRow {
                name: "Tờ khai đăng ký khai sinh".into(),
                originals: "1".into(),
                certified_copies: String::new(),
                photocopies: String::new(),
            },
            ComponentRow {
                name: "Giấy chứng sinh".into(),
                originals: "1".into(),
                certified_copies: String::new(),
                photocopies: String::new(),
            },
        ],
        officer: Some("Lê Văn Tâm".into()),
        request: Some(SupplementRequest {
            date: "02 tháng 12 năm 2026".into(),
            items: vec!["Giấy chứng sinh (bản chính)".into()],
            reason: "Giấy chứng sinh nộp kèm là bản chụp, không rõ dấu của cơ sở y tế.".into(),
        }),
        refusal: Some(Refusal {
            reason: "Việc khai sinh thuộc thẩm quyền của UBND xã nơi cư trú của người mẹ.".into(),
        }),
        letter: Some(Letter {
            number: Some("12/PXL-UBND".into()),
            statement: "chưa trả kết quả giải quyết hồ sơ cho ông/bà đúng hẹn.".into(),
            reason: "Cần xác minh thông tin hộ tịch tại địa phương khác.".into(),
            promise: "và sẽ trả kết quả giải quyết hồ sơ cho ông/bà vào".into(),
            new_appointment: "16 giờ 30 phút, ngày 04 tháng 12 năm 2026".into(),
            signer_role: "Chủ tịch".into(),
            signer: Some("Nguyễn Văn Bình".into()),
        }),
        stop: Some(Stop {
            at: "14 giờ 00 phút, ngày 03 tháng 12 năm 2026".into(),
            reason: "Ông/bà đề nghị rút hồ sơ.".into(),
            then: "Hồ sơ được trả lại cho ông/bà tại Bộ phận Một cửa.".into(),
        }),
        slip: vec![
            SlipLine {
                from: "Bộ phận Một cửa (Lê Văn Tâm)".into(),
                to: "Công chức Tư pháp - Hộ tịch".into(),
                handed: "08:25 02/12/2026".into(),
                received: "08:30 02/12/2026".into(),
                due: "11:00 02/12/2026".into(),
                result: "Trước hạn".into(),
                note: String::new(),
            },
            SlipLine {
                from: "Bộ phận Một cửa".into(),
                to: "Người nộp hồ sơ".into(),
                handed: "15:10 02/12/2026".into(),
                received: "15:10 02/12/2026".into(),
                due: "16:30 02/12/2026".into(),
                result: "Đúng hạn".into(),
                note: String::new(),
            },
        ],
        register: Some(RegisterLines {
            from: "01/12/2026".into(),
            to: "31/12/2026".into(),
            rows: vec![RegisterRow {
                code: "000.31.12.H53-261202-0001".into(),
                procedure: "Đăng ký khai sinh".into(),
                sets: "01".into(),
                applicant: "Trần Thị Hồng Nhung".into(),
                contact: "Ấp Tiếp Nhựt, xã Đại Ân 2 · 0912 345 678".into(),
                received: "08:20 02/12/2026".into(),
                appointment: "16:30 02/12/2026".into(),
                returned: "15:10 02/12/2026".into(),
                channel: "Trực tiếp".into(),
                note: String::new(),
            }],
        }),
    }
}

fn tools_required() -> bool {
    std::env::var("MOTCUA_REQUIRE_PDF_TOOLS").is_ok_and(|v| v == "1")
}

fn have(tool: &str) -> bool {
    let found = Command::new(tool).arg("-v").output().is_ok();
    if !found {
        assert!(
            !tools_required(),
            "{tool} is required (MOTCUA_REQUIRE_PDF_TOOLS=1) but not installed"
        );
        eprintln!("{tool} not installed: skipping the checks that need it");
    }
    found
}

fn out_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("forms");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The text `pdftotext` extracts: in reading order (`raw`), or laid out as on the page.
fn pdftotext(pdf: &[u8], name: &str, mode: &str) -> String {
    let path = out_dir().join(format!("{name}.pdf"));
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new("pdftotext")
        .args([mode, "-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    assert!(out.status.success(), "pdftotext failed on {name}");
    // Trailing spaces on a line depend on the layout's column widths, not on the text.
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_form_of_every_pack_prints_its_fields_and_title() {
    let data = sample();
    let check_text = have("pdftotext");
    for pack in packs() {
        for spec in &pack.forms {
            let pdf = render(pack, &spec.key, &data)
                .unwrap_or_else(|e| panic!("{} {}: {e}", pack.key, spec.key));
            assert!(pdf.starts_with(b"%PDF-"), "{} {}", pack.key, spec.key);
            // The same data gives the same bytes (no timestamp).
            assert_eq!(pdf, render(pack, &spec.key, &data).unwrap());
            if !check_text {
                continue;
            }
            let name = format!("{}-{}", pack.key, spec.key);
            let text = pdftotext(&pdf, &name, "-layout");
            let flat = pdftotext(&pdf, &name, "-raw");
            let flat = flat.split_whitespace().collect::<Vec<_>>().join(" ");
            for needle in [
                spec.title.to_uppercase().as_str(),
                format!("Mẫu số {}", spec.number).as_str(),
                "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                "Độc lập - Tự do - Hạnh phúc",
                "UBND XÃ ĐẠI ÂN 2",
                "000.31.12.H53-261202-0001",
                "Trần Thị Hồng Nhung",
            ] {
                assert!(flat.contains(needle), "{name} lacks {needle:?}:\n{text}");
            }
            let appointment = match spec.template.as_deref().unwrap_or(&spec.key) {
                "receipt" | "control-slip" => Some("16 giờ 30 phút, ngày 02 tháng 12 năm 2026"),
                "apology" => Some("16 giờ 30 phút, ngày 04 tháng 12 năm 2026"),
                _ => None,
            };
            if let Some(a) = appointment {
                assert!(flat.contains(a), "{name} lacks the appointment {a:?}");
            }
            insta::assert_snapshot!(name, text);
        }
    }
}

#[test]
fn decomposed_input_prints_the_same_text_as_composed() {
    let nfc = sample();
    let mut nfd = sample();
    nfd.applicant.name = nfd.applicant.name.nfd().collect();
    nfd.agency.name = nfd.agency.name.nfd().collect();
    nfd.dossier.procedure = nfd.dossier.procedure.nfd().collect();
    assert_ne!(nfd.applicant.name, nfc.applicant.name);
    let pack = &packs()[1];
    let a = render(pack, "receipt", &nfc).unwrap();
    let b = render(pack, "receipt", &nfd).unwrap();
    assert_eq!(a, b, "NFD and NFC input give different PDFs");
}

#[test]
fn the_receipts_qr_code_decodes_to_the_lookup_address() {
    if !have("pdftoppm") || !have("zbarimg") {
        return;
    }
    let pdf = render(&packs()[1], "receipt", &sample()).unwrap();
    let dir = out_dir();
    let path = dir.join("qr-receipt.pdf");
    std::fs::write(&path, pdf).unwrap();
    let png = dir.join("qr-receipt");
    let ok = Command::new("pdftoppm")
        .args(["-r", "150", "-png", "-singlefile"])
        .arg(&path)
        .arg(&png)
        .status()
        .unwrap();
    assert!(ok.success());
    let out = Command::new("zbarimg")
        .args(["--quiet", "--raw"])
        .arg(png.with_extension("png"))
        .output()
        .unwrap();
    assert!(out.status.success(), "zbarimg found no code");
    assert_eq!(
        String::from_utf8(out.stdout).unwrap().trim(),
        "https://daian2.soctrang.gov.vn/tra-cuu/000.31.12.H53-261202-0001"
    );
}

#[test]
fn packs_are_chosen_by_rule_pack_and_date_received() {
    let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
    assert_eq!(pack_for("nd118-2025", day(2025, 7, 1)).key, "tt03-2025");
    assert_eq!(pack_for("nd118-2025", day(2025, 6, 30)).key, "tt01-2018");
    assert_eq!(pack_for("nd61-2018", day(2026, 12, 2)).key, "tt01-2018");
    assert_eq!(pack_for("unknown", day(2026, 12, 2)).key, "tt03-2025");
    // Numbers move between the packs; keys do not.
    assert_eq!(packs()[0].form("control-slip").unwrap().number, "05");
    assert_eq!(packs()[1].form("control-slip").unwrap().number, "06");
    assert_eq!(packs()[1].form("extension-request").unwrap().number, "04");
    assert!(packs()[0].form("stop-notice").is_none());
    assert!(matches!(
        render(&packs()[0], "stop-notice", &sample()),
        Err(FormError::UnknownForm { .. })
    ));
    let mut no_reason = sample();
    no_reason.refusal = None;
    assert!(matches!(
        render(&packs()[1], "refusal", &no_reason),
        Err(FormError::Missing {
            section: "refusal",
            ..
        })
    ));
}
