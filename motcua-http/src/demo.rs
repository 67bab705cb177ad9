//! The demo a new user gets on an empty database: Sóc Trăng province, its service center
//! and departments, one district, one commune, the example procedures, and the example
//! scenarios replayed as real dossiers.

use motcua_core::calendar::WorkingCalendar;
use motcua_core::procedure::Procedure;
use motcua_core::scenario;
use motcua_store::{Agency, AgencyContact, Store, StoreError};
use std::sync::Arc;

const PROCEDURES: [(&str, &str); 5] = [
    (
        "khai-sinh.toml",
        include_str!("../../examples/procedures/khai-sinh.toml"),
    ),
    (
        "ho-kinh-doanh.toml",
        include_str!("../../examples/procedures/ho-kinh-doanh.toml"),
    ),
    (
        "cap-giay-chung-nhan-dat.toml",
        include_str!("../../examples/procedures/cap-giay-chung-nhan-dat.toml"),
    ),
    (
        "cap-phep-xay-dung.toml",
        include_str!("../../examples/procedures/cap-phep-xay-dung.toml"),
    ),
    (
        "ly-lich-tu-phap.toml",
        include_str!("../../examples/procedures/ly-lich-tu-phap.toml"),
    ),
];

const SCENARIOS: [(&str, &str, &str); 4] = [
    (
        "demo-xay-dung",
        "cap-phep-xay-dung.toml",
        include_str!("../../examples/scenarios/xay-dung-gia-han-xin-loi.toml"),
    ),
    (
        "demo-ho-kinh-doanh",
        "ho-kinh-doanh.toml",
        include_str!("../../examples/scenarios/ho-kinh-doanh-bo-sung.toml"),
    ),
    (
        "demo-dat-dai",
        "cap-giay-chung-nhan-dat.toml",
        include_str!("../../examples/scenarios/dat-dai-nghia-vu-tai-chinh.toml"),
    ),
    (
        "demo-khai-sinh",
        "khai-sinh.toml",
        include_str!("../../examples/scenarios/khai-sinh-truc-tuyen.toml"),
    ),
];

/// The demo's contact details are made up (the hotlines are not real numbers); a province
/// enters its own through the administration.
fn agency(id: &str, name: &str, level: &str, parent: Option<&str>, host: &str) -> Agency {
    let (address, hotline) = match id {
        "000.00.00.H53" | "000.00.01.H53" => (
            "Số 1 Trần Hưng Đạo, Phường 2, thành phố Sóc Trăng",
            "0299 3000 001",
        ),
        "000.00.04.H53" => (
            "Số 6 Lê Lợi, Phường 6, thành phố Sóc Trăng",
            "0299 3000 004",
        ),
        "000.00.19.H53" => (
            "Số 2 Trần Hưng Đạo, Phường 2, thành phố Sóc Trăng",
            "0299 3000 019",
        ),
        "000.20.31.H53" | "000.35.31.H53" => (
            "Số 18 Hùng Vương, Phường 6, thành phố Sóc Trăng",
            "0299 3000 031",
        ),
        _ => (
            "Số 30 Lê Hồng Phong, Phường 2, thành phố Sóc Trăng",
            "0299 3000 012",
        ),
    };
    Agency {
        id: id.into(),
        name: name.into(),
        level: level.into(),
        parent_id: parent.map(str::to_string),
        host_names: vec![host.into()],
        contact: AgencyContact {
            address: Some(address.into()),
            hotline: Some(hotline.into()),
            email: Some(format!("motcua@{host}")),
            hours: Some(
                "Sáng 7 giờ 00 – 11 giờ 30, chiều 13 giờ 30 – 17 giờ 00, thứ Hai đến thứ Sáu (trừ ngày lễ, Tết)".into(),
            ),
        },
    }
}

/// Which agency receives and handles each demo procedure.
const ASSIGNMENTS: [(&str, &str); 5] = [
    ("1.001193", "000.31.12.H53"),
    ("HKD-DK-THANH-LAP", "000.20.31.H53"),
    ("DD-GCN-LAN-DAU", "000.35.31.H53"),
    ("XD-GPXD-MOI", "000.00.04.H53"),
    ("TP-LLTP-CONG-DAN", "000.00.19.H53"),
];

/// The demo agencies, parents first.
pub fn agencies() -> Vec<Agency> {
    let p = Some("000.00.00.H53");
    vec![
        agency(
            "000.00.00.H53",
            "UBND tỉnh Sóc Trăng",
            "province",
            None,
            "dichvucong.soctrang.gov.vn",
        ),
        agency(
            "000.00.01.H53",
            "Trung tâm Phục vụ hành chính công tỉnh Sóc Trăng",
            "province",
            p,
            "motcua.soctrang.gov.vn",
        ),
        agency(
            "000.00.04.H53",
            "Sở Xây dựng",
            "province",
            p,
            "motcua.sxd.soctrang.gov.vn",
        ),
        agency(
            "000.00.19.H53",
            "Sở Tư pháp",
            "province",
            p,
            "motcua.stp.soctrang.gov.vn",
        ),
        agency(
            "000.20.31.H53",
            "UBND thành phố Sóc Trăng",
            "district",
            p,
            "motcua.tpsoctrang.soctrang.gov.vn",
        ),
        agency(
            "000.35.31.H53",
            "Chi nhánh Văn phòng đăng ký đất đai thành phố Sóc Trăng",
            "district",
            Some("000.20.31.H53"),
            "motcua.vpdk.tpsoctrang.soctrang.gov.vn",
        ),
        agency(
            "000.31.12.H53",
            "UBND Phường 2",
            "commune",
            Some("000.20.31.H53"),
            "phuong2.tpsoctrang.soctrang.gov.vn",
        ),
    ]
}

/// A demo staff account and its one-time password (to be changed at first login).
#[derive(Clone, Debug)]
pub struct DemoAccount {
    /// Login name.
    pub id: String,
    /// One-time password.
    pub password: String,
    /// The agency.
    pub agency: String,
    /// The role there.
    pub role: String,
}

/// One staff account per role: login, agency, role.
const STAFF: [(&str, &str, &str); 15] = [
    ("mot-cua.sxd", "000.00.04.H53", "reception-officer"),
    ("truong-phong.sxd", "000.00.04.H53", "department-head"),
    ("chuyen-vien.sxd", "000.00.04.H53", "specialist"),
    ("giam-doc.sxd", "000.00.04.H53", "agency-leader"),
    ("van-thu.sxd", "000.00.04.H53", "clerk"),
    ("mot-cua.tp", "000.20.31.H53", "reception-officer"),
    ("truong-phong.tp", "000.20.31.H53", "department-head"),
    ("chuyen-vien.tp", "000.20.31.H53", "specialist"),
    ("van-thu.tp", "000.20.31.H53", "clerk"),
    ("chu-tich.tp", "000.20.31.H53", "agency-leader"),
    ("mot-cua.p2", "000.31.12.H53", "reception-officer"),
    ("chu-tich.p2", "000.31.12.H53", "agency-leader"),
    // Held at the province, so that it reaches every agency below (oversight roles do).
    ("giam-sat.ttpvhcc", "000.00.00.H53", "supervisor"),
    ("quan-tri.tinh", "000.00.00.H53", "agency-admin"),
    ("quan-tri.he-thong", "000.00.00.H53", "system-admin"),
];

/// Seeds the demo if the database has no agencies. Returns the staff accounts created with
/// their one-time passwords (to be printed once), or `None` if the database was not empty.
pub async fn seed_if_empty(
    store: &Store,
    calendar: &Arc<WorkingCalendar>,
) -> Result<Option<Vec<DemoAccount>>, StoreError> {
    if !store.agencies().await?.is_empty() {
        return Ok(None);
    }
    for a in agencies() {
        store.put_agency(&a).await?;
    }
    let mut loaded = Vec::new();
    for (name, text) in PROCEDURES {
        let (p, _) = Procedure::load(name, text).map_err(|r| StoreError::Config(r.to_string()))?;
        store.put_procedure(text, &p).await?;
        loaded.push((name, p));
    }
    for (code, agency) in ASSIGNMENTS {
        store.assign_procedure(code, agency).await?;
    }
    for (id, procedure, text) in SCENARIOS {
        let s = scenario::parse(text).map_err(|e| StoreError::Config(e.to_string()))?;
        let Some((_, p)) = loaded.iter().find(|(n, _)| *n == procedure) else {
            continue;
        };
        let (_, unexpected) = store.replay(&s, id, p, calendar).await?;
        if !unexpected.is_empty() {
            return Err(StoreError::Config(format!(
                "demo scenario {id}: steps {unexpected:?} did not behave as expected"
            )));
        }
    }
    let mut accounts = Vec::new();
    for (id, agency, role) in STAFF {
        let name = format!("Cán bộ demo ({role})");
        let password = crate::bootstrap::create_staff(store, agency, id, &name, role).await?;
        accounts.push(DemoAccount {
            id: id.into(),
            password,
            agency: agency.into(),
            role: role.into(),
        });
    }
    Ok(Some(accounts))
}
