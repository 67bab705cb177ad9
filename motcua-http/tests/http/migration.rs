//! A procedure version published while a dossier is in flight, and the dossier moved to it
//! in the back office: the dry run says which step needs a mapping and changes nothing, the
//! mapping makes it migratable, the migration records one event and the workspace follows
//! the new version; an officer may not do it.

use super::pages::{csrf_of, get_with, post_form};
use crate::support::*;
use axum::http::StatusCode;
use serde_json::json;

const DISTRICT: &str = "000.20.31.H53";

fn cookie(token: &str) -> String {
    format!("motcua_session={token}")
}

#[tokio::test]
async fn a_dossier_in_flight_is_migrated_after_a_dry_run_with_its_mapping() {
    let st = state().await;
    let owner = applicant(&st, "nguoi-nop", "Người Nộp").await;
    let desk = staff(&st, "desk.m", DISTRICT, "reception-officer").await;
    let head = staff(&st, "head.m", DISTRICT, "department-head").await;
    let (s, v) = call(
        &st,
        "POST",
        "/api/v1/dossiers",
        Some(&owner),
        Some(json!({ "procedure": "HKD-DK-THANH-LAP", "agency": DISTRICT,
                     "applicant": { "name": "Hồ Văn Tám" },
                     "components": ["Giấy đề nghị đăng ký hộ kinh doanh"] })),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    let id = v["id"].as_str().expect("id").to_string();
    for (who, body) in [
        (&desk, json!({ "command": "accept" })),
        (&desk, json!({ "command": "forward", "to": "phan-cong" })),
        (&head, json!({ "command": "forward", "to": "tham-dinh" })),
    ] {
        let (s, v) = command(&st, who, &id, body).await;
        assert_eq!(s, 200, "{v}");
    }
    // Version 2025.1: the appraisal step is renamed.
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../examples/procedures/ho-kinh-doanh.toml"),
    )
    .expect("procedure")
    .replace("version = \"2024.1\"", "version = \"2025.1\"")
    .replace("\"tham-dinh\"", "\"xem-xet\"");
    let (p, _) = motcua_core::procedure::Procedure::load("v2.toml", &text).expect("loads");
    st.store.put_procedure(&text, &p).await.expect("published");
    st.config_changed().await.expect("reload");

    let admin = cookie(&staff(&st, "qt-mig", "000.00.00.H53", "system-admin").await);
    let (_, _, _, page) = get_with(&st, "/can-bo/thu-tuc", &admin).await;
    assert!(
        page.contains("Chuyển hồ sơ đang giải quyết sang phiên bản 2025.1"),
        "{page}"
    );
    let uri = "/can-bo/thu-tuc/chuyen?thu-tuc=HKD-DK-THANH-LAP&phien-ban=2025.1";
    let (s, _, _, page) = get_with(&st, uri, &admin).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert!(
        page.contains("Không chuyển được:")
            && page.contains("tham-dinh")
            && page.contains("0 chuyển được"),
        "{page}"
    );
    let (s, _, _, page) = get_with(&st, &format!("{uri}&anh-xa=tham-dinh%3Dxem-xet"), &admin).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert!(
        page.contains("tham-dinh → xem-xet") && page.contains("1 chuyển được"),
        "{page}"
    );
    let (s, _, _, page) = get_with(&st, &format!("{uri}&anh-xa=tham-dinh"), &admin).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    // Nothing changed yet.
    let (_, v) = call(
        &st,
        "GET",
        &format!("/api/v1/dossiers/{id}"),
        Some(&desk),
        None,
    )
    .await;
    assert_eq!(v["dossier"]["procedure_version"], "2024.1");
    // An officer may not migrate.
    let (s, _, _, _) = get_with(&st, uri, &cookie(&desk)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    let (_, _, _, page) = get_with(&st, &format!("{uri}&anh-xa=tham-dinh%3Dxem-xet"), &admin).await;
    let csrf = csrf_of(&page);
    let (s, location, _, page) = post_form(
        &st,
        "/can-bo/thu-tuc/chuyen",
        &admin,
        &[
            ("csrf", &csrf),
            ("thu-tuc", "HKD-DK-THANH-LAP"),
            ("phien-ban", "2025.1"),
            ("anh-xa", "tham-dinh=xem-xet"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{page}");
    let (_, _, _, page) = get_with(&st, &location, &admin).await;
    assert!(
        page.contains("Đã chuyển 1 hồ sơ sang phiên bản 2025.1")
            && page.contains("Không có hồ sơ đang giải quyết nào theo phiên bản khác"),
        "{page}"
    );
    let (_, v) = call(
        &st,
        "GET",
        &format!("/api/v1/dossiers/{id}"),
        Some(&desk),
        None,
    )
    .await;
    assert_eq!(v["dossier"]["procedure_version"], "2025.1");
    assert_eq!(v["dossier"]["step"], "xem-xet");
    assert!(
        v["events"]
            .as_array()
            .expect("events")
            .iter()
            .any(|e| e["event"]["type"] == "procedure-migrated"),
        "{v}"
    );
    // The workspace tells it in the timeline.
    let (_, _, _, page) = get_with(&st, &format!("/can-bo/ho-so/{id}"), &admin).await;
    assert!(
        page.contains("Chuyển sang quy trình mới của thủ tục"),
        "{page}"
    );
    let report = st.store.verify_all().await.expect("verify");
    assert!(report.problems.is_empty(), "{report:?}");
}
