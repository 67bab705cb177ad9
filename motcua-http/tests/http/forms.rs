//! The legal forms of real dossiers through the API: who may print them, which apply when,
//! and what the PDF says (read back with poppler's `pdftotext` where it is installed; `.ci/run`
//! installs and requires it).

use crate::support::*;
use axum::http::StatusCode;
use serde_json::json;

const COMMUNE: &str = "000.31.12.H53";

async fn online(st: &motcua_http::AppState, account: &str, name: &str) -> (String, String) {
    let token = applicant(st, account, name).await;
    let (s, v) = call(
        st,
        "POST",
        "/api/v1/dossiers",
        Some(&token),
        Some(json!({
            "procedure": "1.001193", "agency": COMMUNE,
            "applicant": {"name": name, "phone": "0912000111", "id_number": "094190001234"},
            "form": {"ten_tre": "Lâm Gia Bảo", "ngay_sinh": "27/02/2026"},
            "components": ["Tờ khai đăng ký khai sinh", "Giấy chứng sinh"]
        })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    (token, v["id"].as_str().expect("id").to_string())
}

/// The text of a PDF as `pdftotext` reads it, words joined by single spaces; `None` when the
/// tool is not installed and not required.
fn text_of(pdf: &[u8]) -> Option<String> {
    let dir = std::env::temp_dir().join(format!("motcua-forms-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join(format!("{}.pdf", motcua_store::sha256_hex(pdf)));
    std::fs::write(&path, pdf).expect("write");
    match std::process::Command::new("pdftotext")
        .arg("-raw")
        .arg(&path)
        .arg("-")
        .output()
    {
        Ok(out) => {
            assert!(out.status.success(), "pdftotext failed");
            let text = String::from_utf8(out.stdout).expect("utf-8");
            Some(text.split_whitespace().collect::<Vec<_>>().join(" "))
        }
        Err(_) => {
            assert!(
                std::env::var("MOTCUA_REQUIRE_PDF_TOOLS").as_deref() != Ok("1"),
                "pdftotext is required (MOTCUA_REQUIRE_PDF_TOOLS=1) but not installed"
            );
            None
        }
    }
}

async fn pdf(st: &motcua_http::AppState, token: &str, id: &str, form: &str) -> Vec<u8> {
    let (s, headers, body) = fetch(st, &format!("/api/v1/dossiers/{id}/forms/{form}"), token).await;
    assert_eq!(
        s,
        StatusCode::OK,
        "{form}: {}",
        String::from_utf8_lossy(&body)
    );
    assert_eq!(headers["content-type"], "application/pdf");
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains(&format!("{form}-")),
        "{headers:?}"
    );
    assert!(body.starts_with(b"%PDF-"));
    body
}

#[tokio::test]
async fn an_accepted_dossier_prints_its_receipt_and_slip_for_those_who_may_read_it() {
    let st = state().await;
    let (citizen, id) = online(&st, "forms-an", "Phạm Thị Thu Hà").await;
    let desk = staff(&st, "mot-cua.forms", COMMUNE, "reception-officer").await;

    // Before acceptance there is no code, so no receipt.
    let (s, v) = call(
        &st,
        "GET",
        &format!("/api/v1/dossiers/{id}/forms/receipt"),
        Some(&desk),
        None,
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("form_not_applicable")),
        "{v}"
    );
    let (s, v) = call(
        &st,
        "GET",
        &format!("/api/v1/dossiers/{id}/forms"),
        Some(&desk),
        None,
    )
    .await;
    assert_eq!(
        (s, v.as_array().map(Vec::len)),
        (StatusCode::OK, Some(0)),
        "{v}"
    );

    let (s, v) = command(&st, &desk, &id, json!({ "command": "accept" })).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, read) = call(
        &st,
        "GET",
        &format!("/api/v1/dossiers/{id}"),
        Some(&desk),
        None,
    )
    .await;
    let code = read["dossier"]["code"].as_str().expect("code").to_string();

    let (_, list) = call(
        &st,
        "GET",
        &format!("/api/v1/dossiers/{id}/forms"),
        Some(&citizen),
        None,
    )
    .await;
    let keys: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["receipt", "control-slip"], "{list}");
    // The demo's birth registration follows Decree 61: the 2018 pack's numbers.
    assert_eq!(list[1]["number"], "05", "{list}");

    let receipt = pdf(&st, &citizen, &id, "receipt").await;
    assert_eq!(
        receipt,
        pdf(&st, &desk, &id, "receipt").await,
        "the same dossier prints the same bytes"
    );
    if let Some(text) = text_of(&receipt) {
        for needle in [
            "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
            "Mẫu số 01",
            code.as_str(),
            "Phạm Thị Thu Hà",
            "094190001234",
            "Giấy chứng sinh",
            "Thời gian trả kết quả giải quyết hồ sơ:",
            "UBND PHƯỜNG 2",
            "Phường 2, ngày",
            "mot-cua.forms",
        ] {
            assert!(
                text.contains(needle),
                "the receipt lacks {needle:?}: {text}"
            );
        }
        // The address may be broken across lines.
        assert!(
            text.replace(' ', "").contains(&format!("/tra-cuu/{code}")),
            "{text}"
        );
    }
    let slip = pdf(&st, &desk, &id, "control-slip").await;
    if let Some(text) = text_of(&slip) {
        assert!(
            text.contains("PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ"),
            "{text}"
        );
        assert!(text.contains("Mẫu số 05") && text.contains(&code), "{text}");
    }

    // Nobody else: another applicant, an officer of another agency (both told it is not there).
    let other = applicant(&st, "forms-binh", "Bình").await;
    let elsewhere = staff(
        &st,
        "mot-cua.forms.sxd",
        "000.00.04.H53",
        "reception-officer",
    )
    .await;
    for token in [&other, &elsewhere] {
        let (s, v) = call(
            &st,
            "GET",
            &format!("/api/v1/dossiers/{id}/forms/receipt"),
            Some(token),
            None,
        )
        .await;
        assert_eq!(
            (s, v["code"].as_str()),
            (StatusCode::NOT_FOUND, Some("not_found")),
            "{v}"
        );
    }
    let (s, _) = call(
        &st,
        "GET",
        &format!("/api/v1/dossiers/{id}/forms/receipt"),
        None,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);

    // Keys the pack lacks, and forms the dossier has not reached.
    for (form, status, code) in [
        ("giay-moi", StatusCode::NOT_FOUND, "unknown_form"),
        ("register", StatusCode::NOT_FOUND, "unknown_form"),
        ("refusal", StatusCode::CONFLICT, "form_not_applicable"),
        ("apology", StatusCode::CONFLICT, "form_not_applicable"),
        // The 2018 pack has neither the stop notice nor the extension request.
        ("stop-notice", StatusCode::NOT_FOUND, "unknown_form"),
        ("extension-request", StatusCode::NOT_FOUND, "unknown_form"),
    ] {
        let (s, v) = call(
            &st,
            "GET",
            &format!("/api/v1/dossiers/{id}/forms/{form}"),
            Some(&desk),
            None,
        )
        .await;
        assert_eq!((s, v["code"].as_str()), (status, Some(code)), "{form}: {v}");
        assert!(v["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
}

#[tokio::test]
async fn refusals_and_returns_print_what_the_officer_wrote() {
    let st = state().await;
    let desk = staff(&st, "mot-cua.forms2", COMMUNE, "reception-officer").await;

    let (citizen, refused) = online(&st, "forms-chi", "Lê Minh Chí").await;
    let reason = "Việc khai sinh thuộc thẩm quyền của UBND xã nơi cư trú của người mẹ.";
    let (s, v) = command(
        &st,
        &desk,
        &refused,
        json!({ "command": "refuse", "reason": reason }),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, list) = call(
        &st,
        "GET",
        &format!("/api/v1/dossiers/{refused}/forms"),
        Some(&citizen),
        None,
    )
    .await;
    assert_eq!(list[0]["key"], "refusal", "{list}");
    assert_eq!(list[0]["to_applicant"], true, "{list}");
    let refusal = pdf(&st, &citizen, &refused, "refusal").await;
    if let Some(text) = text_of(&refusal) {
        for needle in [
            "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
            "Mẫu số 03",
            reason,
            "Lê Minh Chí",
        ] {
            assert!(
                text.contains(needle),
                "the refusal lacks {needle:?}: {text}"
            );
        }
    }

    let (citizen, returned) = online(&st, "forms-dung", "Võ Thị Dung").await;
    let (s, v) = command(
        &st,
        &desk,
        &returned,
        json!({ "command": "return-for-completion",
                "missing": ["Giấy chứng sinh (bản chính)"],
                "note": "Giấy chứng sinh nộp kèm là bản chụp." }),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let request = pdf(&st, &citizen, &returned, "supplement-request").await;
    if let Some(text) = text_of(&request) {
        for needle in [
            "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
            "Mẫu số 02",
            "Giấy chứng sinh (bản chính)",
            "Giấy chứng sinh nộp kèm là bản chụp.",
            "Võ Thị Dung",
        ] {
            assert!(
                text.contains(needle),
                "the request lacks {needle:?}: {text}"
            );
        }
    }
}

/// The pages link to the forms: the workspace lists what the dossier can print and, after
/// an acceptance, offers the receipt first; the applicant's page offers the letters
/// addressed to them (not the internal slip).
#[tokio::test]
async fn the_pages_link_to_the_forms_they_produce() {
    use super::pages::get_with;
    let st = state().await;
    let (citizen, id) = online(&st, "forms-em", "Hồ Thị Em").await;
    let desk = staff(&st, "mot-cua.forms3", COMMUNE, "reception-officer").await;
    let (s, v) = command(&st, &desk, &id, json!({ "command": "accept" })).await;
    assert_eq!(s, StatusCode::OK, "{v}");

    let office = format!("motcua_session={desk}");
    let (s, _, _, page) = get_with(&st, &format!("/can-bo/ho-so/{id}?xong=accept"), &office).await;
    assert_eq!(s, StatusCode::OK);
    let receipt = format!("/can-bo/ho-so/{id}/bieu-mau/receipt");
    assert!(
        page.contains(&format!(
            "<a class=\"button\" href=\"{receipt}\">In Mẫu số 01 – Giấy tiếp nhận hồ sơ và hẹn trả kết quả</a>"
        )),
        "{page}"
    );
    assert!(
        page.contains(&format!("/can-bo/ho-so/{id}/bieu-mau/control-slip")),
        "{page}"
    );
    // Without an action just run, nothing is pressed on the officer.
    let (_, _, _, page) = get_with(&st, &format!("/can-bo/ho-so/{id}"), &office).await;
    assert!(
        !page.contains("class=\"button\" href=\"/can-bo/ho-so/"),
        "{page}"
    );
    let (s, _, _, body) = get_with(&st, &receipt, &office).await;
    assert_eq!(s, StatusCode::OK);
    assert!(body.starts_with("%PDF-"));

    let mine = format!("motcua_session={citizen}");
    let (s, _, _, page) = get_with(&st, &format!("/ho-so/{id}"), &mine).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Giấy tờ cơ quan gửi bạn"), "{page}");
    assert!(
        page.contains(&format!("/ho-so/{id}/bieu-mau/receipt")),
        "{page}"
    );
    assert!(!page.contains("bieu-mau/control-slip"), "{page}");
    let (s, _, _, body) = get_with(&st, &format!("/ho-so/{id}/bieu-mau/receipt"), &mine).await;
    assert_eq!(s, StatusCode::OK);
    assert!(body.starts_with("%PDF-"));

    // Someone else's dossier: not there, in the page's words.
    let other = format!(
        "motcua_session={}",
        applicant(&st, "forms-giang", "Giang").await
    );
    let (s, _, _, page) = get_with(&st, &format!("/ho-so/{id}/bieu-mau/receipt"), &other).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(page.contains("Không tìm thấy hồ sơ"), "{page}");
    // A citizen is not an officer.
    let (s, _, _, _) = get_with(&st, &receipt, &mine).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // The monitoring page prints the period's register.
    let (s, _, _, page) = get_with(&st, "/can-bo/theo-doi", &office).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains("/can-bo/theo-doi/so-theo-doi.pdf?co-quan="),
        "{page}"
    );
    let (s, _, _, body) = get_with(
        &st,
        &format!("/can-bo/theo-doi/so-theo-doi.pdf?co-quan={COMMUNE}&tu=2020-01-01&den=2030-12-31"),
        &office,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(body.starts_with("%PDF-"));
}

#[tokio::test]
async fn the_register_lists_what_the_agency_received_in_the_period() {
    let st = state().await;
    let (citizen, id) = online(&st, "forms-hau", "Nguyễn Thị Hậu").await;
    let desk = staff(&st, "mot-cua.forms4", COMMUNE, "reception-officer").await;
    let (s, v) = command(&st, &desk, &id, json!({ "command": "accept" })).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, read) = call(
        &st,
        "GET",
        &format!("/api/v1/dossiers/{id}"),
        Some(&desk),
        None,
    )
    .await;
    let code = read["dossier"]["code"].as_str().expect("code").to_string();
    let uri = format!("/api/v1/reports/register?agency={COMMUNE}&from=2020-01-01&to=2030-12-31");
    let (s, headers, body) = fetch(&st, &uri, &desk).await;
    assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    assert_eq!(headers["content-type"], "application/pdf");
    if let Some(text) = text_of(&body) {
        for needle in [
            "SỔ THEO DÕI HỒ SƠ",
            code.as_str(),
            "Nguyễn Thị Hậu",
            "Từ ngày 01/01/2020 đến ngày 31/12/2030",
        ] {
            assert!(
                text.contains(needle),
                "the register lacks {needle:?}: {text}"
            );
        }
    }
    // A period before it: the dossier is not in it.
    let (s, _, body) = fetch(
        &st,
        &format!("/api/v1/reports/register?agency={COMMUNE}&from=2020-01-01&to=2020-01-31"),
        &desk,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    if let Some(text) = text_of(&body) {
        assert!(!text.contains(&code), "{text}");
        assert!(text.contains("Không có hồ sơ nào"), "{text}");
    }
    for (uri, token, status, error) in [
        (
            format!("{uri}&format=docx"),
            &desk,
            StatusCode::BAD_REQUEST,
            "invalid_format",
        ),
        (
            format!("/api/v1/reports/register?agency={COMMUNE}&from=2026-13-01&to=2026-12-31"),
            &desk,
            StatusCode::BAD_REQUEST,
            "invalid_date",
        ),
        (
            format!("/api/v1/reports/register?agency={COMMUNE}&from=2026-12-31&to=2026-01-01"),
            &desk,
            StatusCode::BAD_REQUEST,
            "invalid_period",
        ),
        (
            "/api/v1/reports/register?agency=000.99.99.H53&from=2026-01-01&to=2026-01-31".into(),
            &desk,
            StatusCode::BAD_REQUEST,
            "unknown_agency",
        ),
        (uri.clone(), &citizen, StatusCode::FORBIDDEN, "forbidden"),
    ] {
        let (s, v) = call(&st, "GET", &uri, Some(token), None).await;
        assert_eq!((s, v["code"].as_str()), (status, Some(error)), "{uri}: {v}");
    }
}

/// Every example scenario (docs/scenarios.md) replayed into the store, and every form its
/// dossier can print then rendered through the API and read back: its title in capitals,
/// its number in the pack, the code and the applicant. Between them the scenarios reach
/// every kind of form a dossier prints.
#[tokio::test]
async fn every_form_the_example_scenarios_reach_prints() {
    let st = state().await;
    let reader = staff(&st, "lanh-dao.forms", "000.00.00.H53", "agency-leader").await;
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/scenarios");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("scenarios")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let mut printed = std::collections::BTreeSet::new();
    for path in files {
        let text = std::fs::read_to_string(&path).expect("read");
        let scenario = motcua_core::scenario::parse(&text).expect("scenario");
        // Scenarios of several dossiers, calendars and versions are the engine's to run.
        if !scenario.is_one_dossiers_commands() {
            continue;
        }
        let proc_path = path.parent().unwrap().join(&scenario.procedure);
        let proc_text = std::fs::read_to_string(&proc_path).expect("procedure");
        let (procedure, _) =
            motcua_core::procedure::Procedure::load("p.toml", &proc_text).expect("procedure loads");
        let stem = path.file_stem().unwrap().to_string_lossy().to_string();
        let id = format!("sc-{stem}");
        let (dossier, unexpected) = st
            .store
            .replay(&scenario, &id, &procedure, &st.calendar)
            .await
            .expect("replay");
        assert!(unexpected.is_empty(), "{stem}: {unexpected:?}");
        let (s, list) = call(
            &st,
            "GET",
            &format!("/api/v1/dossiers/{id}/forms"),
            Some(&reader),
            None,
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{stem}: {list}");
        for f in list.as_array().unwrap() {
            let key = f["key"].as_str().unwrap();
            let body = pdf(&st, &reader, &id, key).await;
            printed.insert(key.to_string());
            let Some(text) = text_of(&body) else { continue };
            let title = f["title"].as_str().unwrap().to_uppercase();
            let number = format!("Mẫu số {}", f["number"].as_str().unwrap());
            let code = dossier
                .code
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default();
            for needle in [
                title.as_str(),
                number.as_str(),
                code.as_str(),
                dossier.applicant.name.as_str(),
            ] {
                assert!(
                    text.contains(needle),
                    "{stem} {key} lacks {needle:?}: {text}"
                );
            }
        }
    }
    for key in [
        "receipt",
        "supplement-request",
        "refusal",
        "apology",
        "stop-notice",
        "control-slip",
    ] {
        assert!(
            printed.contains(key),
            "no scenario reaches {key}: {printed:?}"
        );
    }
}
