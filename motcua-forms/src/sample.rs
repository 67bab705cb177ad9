//! A made-up dossier that fills every section of every form: for the tests, the benchmark
//! (`examples/render_bench.rs`) and the pictures in docs/documents.md.

use crate::*;

/// A birth registration at a commune, with every section filled.
pub fn birth_registration() -> FormData {
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
            chrono::NaiveDate::from_ymd_opt(2026, 12, 2).unwrap_or_default(),
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
