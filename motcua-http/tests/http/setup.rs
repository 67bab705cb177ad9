//! Setting up a deployment in the pages: agencies (scope, validation, the tree kept a tree,
//! contact details only for an agency administrator) and the calendar.

use super::pages::{csrf_of, get_with, post_form};
use crate::support::*;
use axum::http::StatusCode;

fn cookie(token: &str) -> String {
    format!("motcua_session={token}")
}

#[tokio::test]
async fn a_system_administrator_creates_and_edits_agencies_in_scope() {
    let st = state().await;
    let admin = cookie(&staff(&st, "qt-ht", "000.00.00.H53", "system-admin").await);
    let (s, _, _, page) = get_with(&st, "/can-bo/co-quan", &admin).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert!(
        page.contains("UBND phường 2") || page.contains("000.31.12.H53"),
        "{page}"
    );
    let csrf = csrf_of(&page);
    // Everything wrong at once: each said at its field, nothing saved.
    let (s, _, _, page) = post_form(
        &st,
        "/can-bo/co-quan",
        &admin,
        &[
            ("csrf", &csrf),
            ("id", "000 31/99"),
            ("name", ""),
            ("level", "commune"),
            ("parent_id", "000.31.12.H53"),
            ("host_names", "motcua.tpsoctrang.soctrang.gov.vn, bad_host!"),
            ("email", "khong-phai-thu"),
            ("hotline", "abc"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    for said in [
        "href=\"#id\"",
        "href=\"#name\"",
        "href=\"#level\"",
        "href=\"#host_names\"",
        "href=\"#email\"",
        "href=\"#hotline\"",
    ] {
        assert!(page.contains(said), "{said}: {page}");
    }
    assert!(
        page.contains("value=\"khong-phai-thu\""),
        "what was typed is kept"
    );
    // A commune under the city.
    let (s, location, _, page) = post_form(
        &st,
        "/can-bo/co-quan",
        &admin,
        &[
            ("csrf", &csrf),
            ("id", "000.31.99.H53"),
            ("name", "UBND phường Mới"),
            ("level", "commune"),
            ("parent_id", "000.20.31.H53"),
            ("host_names", "Motcua.PhuongMoi.soctrang.gov.vn"),
            ("address", "1 Đường Mới"),
            ("hotline", "0299 3822 000"),
            ("email", "phuongmoi@soctrang.gov.vn"),
            ("hours", "Thứ Hai – Thứ Sáu"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{page}");
    assert_eq!(location, "/can-bo/co-quan?da-luu=000.31.99.H53");
    let a = st.store.agencies().await.expect("agencies");
    let new = a.iter().find(|a| a.id == "000.31.99.H53").expect("created");
    assert_eq!(new.host_names, vec!["motcua.phuongmoi.soctrang.gov.vn"]);
    assert_eq!(new.contact.hotline.as_deref(), Some("0299 3822 000"));
    // The same id again is refused; so is making the province a child of its commune.
    let (s, _, _, page) = post_form(
        &st,
        "/can-bo/co-quan",
        &admin,
        &[
            ("csrf", &csrf),
            ("id", "000.31.99.H53"),
            ("name", "X"),
            ("level", "commune"),
            ("parent_id", "000.20.31.H53"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Đã có cơ quan mã 000.31.99.H53"), "{page}");
    let (s, _, _, page) = post_form(
        &st,
        "/can-bo/co-quan",
        &admin,
        &[
            ("csrf", &csrf),
            ("sua", "1"),
            ("id", "000.20.31.H53"),
            ("name", "UBND TP"),
            ("level", "district"),
            ("parent_id", "000.31.99.H53"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("trực thuộc nó"), "{page}");
    // The new agency's site answers by its host name at once.
    let (s, _, v) = send(
        &st,
        "GET",
        "/api/v1/tenant",
        &[("host", "motcua.phuongmoi.soctrang.gov.vn")],
        None,
    )
    .await;
    assert_eq!(
        (s, v["agency"]["id"].as_str()),
        (StatusCode::OK, Some("000.31.99.H53"))
    );
    // Without the form token nothing changes.
    let (s, _, _, _) = post_form(
        &st,
        "/can-bo/co-quan",
        &admin,
        &[
            ("sua", "1"),
            ("id", "000.31.99.H53"),
            ("name", "Đổi"),
            ("level", "commune"),
            ("parent_id", "000.20.31.H53"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_agency_administrator_edits_only_their_agencys_contact() {
    let st = state().await;
    let local = cookie(&staff(&st, "qt-p2", "000.31.12.H53", "agency-admin").await);
    let (s, _, _, page) = get_with(&st, "/can-bo/co-quan/000.31.12.H53", &local).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert!(
        !page.contains("id=\"host_names\"") && page.contains("id=\"hotline\""),
        "{page}"
    );
    let (s, _, _, _) = get_with(&st, "/can-bo/co-quan/000.00.04.H53", &local).await;
    assert_eq!(
        s,
        StatusCode::NOT_FOUND,
        "another agency is not theirs to see"
    );
    let csrf = csrf_of(&page);
    let (s, _, _, page) = post_form(
        &st,
        "/can-bo/co-quan",
        &local,
        &[
            ("csrf", &csrf),
            ("sua", "1"),
            ("id", "000.31.12.H53"),
            ("name", "Đổi tên"),
            ("level", "province"),
            ("hotline", "1022"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{page}");
    let a = st.store.agencies().await.expect("agencies");
    let p2 = a.iter().find(|a| a.id == "000.31.12.H53").expect("there");
    assert_eq!(p2.contact.hotline.as_deref(), Some("1022"));
    assert_eq!(p2.level, "commune", "the level is not theirs to change");
    assert_ne!(p2.name, "Đổi tên");
    // Nor can they add an agency.
    let (s, _, _, _) = post_form(
        &st,
        "/can-bo/co-quan",
        &local,
        &[
            ("csrf", &csrf),
            ("id", "000.31.98.H53"),
            ("name", "X"),
            ("level", "commune"),
            ("parent_id", "000.31.12.H53"),
        ],
    )
    .await;
    assert!(
        s == StatusCode::FORBIDDEN || s == StatusCode::UNPROCESSABLE_ENTITY,
        "{s}"
    );
    assert!(
        !st.store
            .agencies()
            .await
            .expect("agencies")
            .iter()
            .any(|a| a.id == "000.31.98.H53")
    );
    // An officer without an administrator's role is refused the page.
    let desk = cookie(&staff(&st, "tn-p2", "000.31.12.H53", "reception-officer").await);
    let (s, _, _, _) = get_with(&st, "/can-bo/co-quan", &desk).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}
