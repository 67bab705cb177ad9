//! Every form of every pack typeset for one sample dossier: the PDF's text as an independent
//! reader (poppler's `pdftotext`) extracts it, its QR code as `zbarimg` decodes it, and
//! decomposed (NFD) input printing the same text as composed (NFC).
//!
//! The tools come from Debian's poppler-utils and zbar-tools, which `.ci/run` installs and
//! requires (`MOTCUA_REQUIRE_PDF_TOOLS=1`); without them the checks that need them say so
//! and are skipped. The HTTP tests render the same forms from real dossiers.

use motcua_forms::sample::birth_registration as sample;
use motcua_forms::*;
use std::path::{Path, PathBuf};
use std::process::Command;
use unicode_normalization::UnicodeNormalization;

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

/// An agency with no site configured, itself or above it, has no lookup address to print:
/// the receipt still prints, saying where to look the dossier up instead of a QR code
/// (before, typesetting failed on the missing image and no receipt could be printed).
#[test]
fn a_receipt_without_a_lookup_address_prints_without_a_qr_code() {
    let mut data = sample();
    data.dossier.lookup_url = None;
    for pack in packs() {
        let pdf = render(pack, "receipt", &data)
            .unwrap_or_else(|e| panic!("{}: the receipt prints: {e}", pack.key));
        if have("pdftotext") {
            let text = pdftotext(&pdf, &format!("no-url-{}", pack.key), "-raw");
            assert!(
                text.contains("Tra cứu tình trạng hồ sơ tại Bộ phận Một cửa bằng mã hồ sơ"),
                "{text}"
            );
            assert!(!text.contains("bằng mã QR"), "{text}");
        }
    }
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
