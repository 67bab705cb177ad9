//! Text helpers: folding Vietnamese for diacritic- and case-insensitive search, and
//! removing its diacritics for SMS.

use unicode_normalization::UnicodeNormalization;

/// Folds text for search: removes diacritics (so "Nguyễn" → "nguyen"), maps đ/Đ to d,
/// lower-cases, and collapses runs of whitespace into one space.
pub fn fold(text: &str) -> String {
    let stripped: String = text
        .nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .map(|c| match c {
            'đ' | 'Đ' => 'd',
            c => c,
        })
        .collect::<String>()
        .to_lowercase();
    stripped.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Vietnamese without its diacritics, case and spacing kept ("Đã tiếp nhận" → "Da tiep
/// nhan"): for SMS gateways and handsets that show only ASCII.
pub fn unaccent(text: &str) -> String {
    text.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .map(|c| match c {
            'đ' => 'd',
            'Đ' => 'D',
            c => c,
        })
        .collect()
}

/// A whole number with its thousands grouped as Vietnamese writes them: `1500000` as
/// `1.500.000`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::fold;

    #[test]
    fn folds_vietnamese() {
        for (a, b) in [
            ("Nguyễn Văn An", "nguyen van an"),
            ("ĐẶNG  Thị   Ánh", "dang thi anh"),
            ("Giấy phép xây dựng", "giay phep xay dung"),
            (
                "Hồ sơ 000.00.12.H53-260302-0001",
                "ho so 000.00.12.h53-260302-0001",
            ),
            ("", ""),
        ] {
            assert_eq!(fold(a), b);
        }
    }
}
