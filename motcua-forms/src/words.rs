//! Dates and times in words as administrative documents write them (Decree 30/2020, annex I):
//! days below 10 and the months January and February take a leading zero
//! ("ngày 05 tháng 3 năm 2026", "ngày 15 tháng 01 năm 2027").

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};

/// "ngày 02 tháng 12 năm 2026".
pub fn date(d: NaiveDate) -> String {
    format!("ngày {}", day_month_year(d))
}

/// "02 tháng 12 năm 2026" (after "Ngày" written by the template).
pub fn day_month_year(d: NaiveDate) -> String {
    let month = if d.month() < 3 {
        format!("{:02}", d.month())
    } else {
        d.month().to_string()
    };
    format!("{:02} tháng {month} năm {}", d.day(), d.year())
}

/// "Sóc Trăng, ngày 02 tháng 12 năm 2026".
pub fn place_date(place: &str, d: NaiveDate) -> String {
    format!("{place}, {}", date(d))
}

/// "10 giờ 05 phút, ngày 02 tháng 12 năm 2026".
pub fn time_and_date(t: NaiveDateTime) -> String {
    format!(
        "{:02} giờ {:02} phút, {}",
        t.hour(),
        t.minute(),
        date(t.date())
    )
}

/// "02/12/2026".
pub fn short_date(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// "10:05 02/12/2026", for tables.
pub fn short_time_and_date(t: NaiveDateTime) -> String {
    t.format("%H:%M %d/%m/%Y").to_string()
}

/// The place name a document of an agency is dated at (Decree 30: the administrative unit
/// where it sits), read from its name: what follows the last word naming a unit ("UBND tỉnh
/// Sóc Trăng" → "Sóc Trăng", "UBND xã Đại Ân 2" → "Đại Ân 2"). `None` when the name has none.
pub fn place_in_name(name: &str) -> Option<String> {
    const UNITS: [&str; 8] = [
        "thành phố ",
        "thị trấn ",
        "thị xã ",
        "phường ",
        "huyện ",
        "quận ",
        "tỉnh ",
        "xã ",
    ];
    let lower = name.to_lowercase();
    // Byte offsets agree between the name and its lower case only when lowering keeps every
    // character's length, which holds for Vietnamese letters; otherwise give up.
    if lower.len() != name.len() {
        return None;
    }
    let (at, unit) = UNITS
        .iter()
        .filter_map(|u| {
            lower
                .rmatch_indices(u)
                .find(|(i, _)| *i == 0 || lower[..*i].ends_with(' '))
                .map(|(i, _)| (i, *u))
        })
        .max_by_key(|(i, _)| *i)?;
    let place = name[at + unit.len()..].trim();
    if place.is_empty() {
        return None;
    }
    // A unit named by a number keeps its word ("Phường 2, ngày …").
    if place.starts_with(|c: char| c.is_ascii_digit()) {
        let mut word = name[at..at + unit.len()].trim().to_string();
        if let Some(first) = word.get(..1) {
            word = first.to_uppercase() + &word[1..];
        }
        return Some(format!("{word} {place}"));
    }
    Some(place.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn dates_take_the_leading_zeros_of_decree_30() {
        assert_eq!(date(d(2026, 12, 2)), "ngày 02 tháng 12 năm 2026");
        assert_eq!(date(d(2026, 3, 5)), "ngày 05 tháng 3 năm 2026");
        assert_eq!(date(d(2027, 1, 15)), "ngày 15 tháng 01 năm 2027");
        assert_eq!(date(d(2027, 2, 28)), "ngày 28 tháng 02 năm 2027");
        assert_eq!(
            place_date("Sóc Trăng", d(2026, 12, 2)),
            "Sóc Trăng, ngày 02 tháng 12 năm 2026"
        );
        let t = d(2026, 12, 2).and_hms_opt(7, 5, 0).unwrap();
        assert_eq!(
            time_and_date(t),
            "07 giờ 05 phút, ngày 02 tháng 12 năm 2026"
        );
    }

    #[test]
    fn the_place_is_the_unit_named_last() {
        assert_eq!(
            place_in_name("UBND tỉnh Sóc Trăng").as_deref(),
            Some("Sóc Trăng")
        );
        assert_eq!(
            place_in_name("UBND xã Đại Ân 2").as_deref(),
            Some("Đại Ân 2")
        );
        assert_eq!(
            place_in_name("UBND thành phố Sóc Trăng").as_deref(),
            Some("Sóc Trăng")
        );
        assert_eq!(
            place_in_name("Sở Tư pháp tỉnh Sóc Trăng").as_deref(),
            Some("Sóc Trăng")
        );
        assert_eq!(
            place_in_name("UBND Phường 2, thành phố Sóc Trăng").as_deref(),
            Some("Sóc Trăng")
        );
        // "xã" inside "thị xã" is the same unit, not a later one.
        assert_eq!(
            place_in_name("UBND thị xã Vĩnh Châu").as_deref(),
            Some("Vĩnh Châu")
        );
        assert_eq!(place_in_name("UBND Phường 2").as_deref(), Some("Phường 2"));
        assert_eq!(place_in_name("Văn phòng đăng ký đất đai"), None);
        assert_eq!(place_in_name("UBND tỉnh "), None);
    }
}
