//! How the pages write values in Vietnamese.

use motcua_core::calendar::{Duration, Timeliness, Unit, to_local_vi};
use motcua_core::procedure::{AgencyLevel, ServiceLevel};

/// `3 ngày làm việc`, `8 giờ làm việc`.
pub(crate) fn duration(d: &Duration) -> String {
    let unit = match d.unit {
        Unit::WorkingMinutes => "phút làm việc",
        Unit::WorkingHours => "giờ làm việc",
        Unit::WorkingDays => "ngày làm việc",
        Unit::CalendarDays => "ngày",
    };
    format!("{} {unit}", d.amount)
}

/// A procedure's time limit: in words, or the same day.
pub(crate) fn time_limit(d: &Duration, immediate: bool) -> String {
    if immediate {
        "Trả kết quả ngay trong ngày".into()
    } else {
        duration(d)
    }
}

/// Both service-level schemes in words.
pub(crate) fn service(sl: &ServiceLevel) -> String {
    let online = match sl.online.as_str() {
        "full" => "dịch vụ công trực tuyến toàn trình",
        "partial" => "dịch vụ công trực tuyến một phần",
        _ => "không có dịch vụ công trực tuyến",
    };
    format!("Mức độ {}; {online}", sl.legacy)
}

/// An agency level in words.
pub(crate) fn level(l: &str) -> &'static str {
    match l {
        "province" => "Cấp tỉnh",
        "district" => "Cấp huyện",
        "commune" => "Cấp xã",
        _ => "Cấp khác",
    }
}

/// Several levels in words.
pub(crate) fn levels(ls: &[AgencyLevel]) -> String {
    ls.iter()
        .map(|l| level(l.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A local RFC 3339 instant (as the application layer answers) as `dd/MM/yyyy HH:mm`.
pub(crate) fn instant(rfc3339: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| to_local_vi(t.to_utc()))
        .unwrap_or_else(|_| rfc3339.to_string())
}

/// `s` with its first letter in capitals (labels written for the middle of a sentence).
pub(crate) fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The local time of day of an instant, e.g. `16:05`.
pub(crate) fn clock_time(t: chrono::DateTime<chrono::Utc>) -> String {
    (t + chrono::TimeDelta::seconds(i64::from(motcua_core::calendar::VN_OFFSET_SECS)))
        .format("%H:%M")
        .to_string()
}

/// Early, on time or late, in words.
pub(crate) fn timeliness(t: Timeliness) -> &'static str {
    match t {
        Timeliness::Early => "Trước hạn",
        Timeliness::OnTime => "Đúng hạn",
        Timeliness::Late => "Quá hạn",
    }
}

/// A file's size: `850 KB`, `2,4 MB`.
pub(crate) fn size(bytes: u64) -> String {
    if bytes < 1024 * 1024 {
        format!("{} KB", bytes.div_ceil(1024))
    } else {
        let tenths = (bytes * 10).div_ceil(1024 * 1024);
        format!("{},{} MB", tenths / 10, tenths % 10)
    }
}

/// The national status code (1–10) in words.
pub(crate) fn national_status(n: i64) -> &'static str {
    match n {
        1 => "Mới đăng ký, chờ tiếp nhận",
        2 => "Đã tiếp nhận",
        3 => "Không được tiếp nhận",
        4 => "Đang xử lý",
        5 => "Chờ bổ sung hồ sơ",
        6 => "Chờ thực hiện nghĩa vụ tài chính",
        7 => "Người nộp xin rút hồ sơ",
        8 => "Đã dừng xử lý hoặc đã rút",
        9 => "Đã có kết quả, chờ trả",
        10 => "Đã trả kết quả",
        _ => "Không xác định",
    }
}

/// `100000` as `100.000 đồng`.
pub(crate) fn money(vnd: u64) -> String {
    format!("{} đồng", motcua_core::text::thousands(vnd))
}

/// A dossier's internal state in Vietnamese, capitalised (the stored kebab-case name when it
/// is not one the engine knows).
pub(crate) fn state(s: &str) -> String {
    serde_json::from_value::<motcua_core::dossier::State>(serde_json::Value::String(s.to_string()))
        .map(|s| capitalised(s.label_vi()))
        .unwrap_or_else(|_| s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_written_as_people_read_them() {
        assert_eq!(duration(&Duration::working_days(3)), "3 ngày làm việc");
        assert_eq!(money(100_000), "100.000 đồng");
        assert_eq!(money(0), "0 đồng");
        assert_eq!(instant("2026-12-10T10:00:00+07:00"), "10/12/2026 10:00");
        assert_eq!(level("commune"), "Cấp xã");
        assert_eq!(size(1), "1 KB");
        assert_eq!(size(850 * 1024), "850 KB");
        assert_eq!(size(2_400_000), "2,3 MB");
        assert_eq!(national_status(5), "Chờ bổ sung hồ sơ");
    }
}
