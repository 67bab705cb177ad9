//! Files people upload and download: the type is read from the content (PDF, JPEG, PNG by
//! their magic bytes), never taken from the request; names are cleaned; downloads say what
//! they are and are never rendered by the browser as something else.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::app::{AppError, Code};

/// The types a dossier file may have, with the magic bytes that identify each.
const TYPES: [(&str, &[u8]); 3] = [
    ("application/pdf", b"%PDF-"),
    ("image/jpeg", &[0xFF, 0xD8, 0xFF]),
    (
        "image/png",
        &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A],
    ),
];

/// The type of a file from its first bytes, if it is one the system accepts.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    TYPES
        .iter()
        .find(|(_, magic)| bytes.starts_with(magic))
        .map(|(t, _)| *t)
}

/// The type a file is stored with: sniffed from its content, and the type the client
/// declared (if any) must agree.
pub fn checked_type(declared: Option<&str>, bytes: &[u8]) -> Result<&'static str, AppError> {
    let unsupported = || AppError::new(Code::UnsupportedType);
    let sniffed = sniff(bytes).ok_or_else(unsupported)?;
    let declared = declared
        .map(|d| {
            d.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .filter(|d| !d.is_empty() && d != "application/octet-stream");
    match declared.as_deref() {
        None => Ok(sniffed),
        Some(d) if d == sniffed || (d == "image/jpg" && sniffed == "image/jpeg") => Ok(sniffed),
        Some(d) if TYPES.iter().any(|(t, _)| *t == d) || d == "image/jpg" => Err(AppError::with(
            Code::TypeMismatch,
            "Nội dung tệp không khớp với loại tệp đã khai (PDF, JPEG hoặc PNG).",
        )),
        Some(_) => Err(unsupported()),
    }
}

/// A file name as it may be stored and shown: no control characters, no bidirectional
/// overrides (which can disguise `gpj.exe` as `exe.jpg`), no path separators, at most
/// [`crate::limits::FILE_NAME`] characters; empty names become `tep-dinh-kem`.
pub fn clean_name(name: &str) -> String {
    let bidi = |c: char| matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    let kept: String = name
        .chars()
        .filter(|c| !c.is_control() && !bidi(*c))
        .map(|c| if matches!(c, '/' | '\\') { '_' } else { c })
        .collect();
    let trimmed = kept.trim().trim_start_matches('.').trim();
    let short: String = trimmed.chars().take(crate::limits::FILE_NAME).collect();
    if short.is_empty() {
        "tep-dinh-kem".into()
    } else {
        short
    }
}

/// `Content-Disposition` for a download: an ASCII fallback name (diacritics removed) and the
/// exact name in RFC 5987 form.
fn disposition(kind: &str, name: &str) -> String {
    let clean = clean_name(name);
    let ascii: String = motcua_core::text::fold(&clean)
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '-'
            }
        })
        .collect();
    let encoded: String = clean
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("{kind}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// The type of an Excel workbook.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A file the server made (a report), as an attachment with its name.
pub fn attachment(content_type: &str, name: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, disposition("attachment", name)),
        ],
        bytes,
    )
        .into_response()
}

/// A stored file as a download. `inline` shows a PDF or an image in the page (the back
/// office's preview), sandboxed so that nothing in it runs with the site's rights.
pub fn download(name: &str, content_type: &str, bytes: Vec<u8>, inline: bool) -> Response {
    // Files stored before types were sniffed may carry what the client declared.
    let stored = sniff(&bytes).unwrap_or("application/octet-stream");
    let kind = if inline && stored != "application/octet-stream" {
        "inline"
    } else {
        "attachment"
    };
    if stored != content_type {
        tracing::warn!(
            declared = content_type,
            sniffed = stored,
            "a stored file's type differs from its content; serving what the content is"
        );
    }
    let mut response = (
        [
            (header::CONTENT_TYPE, stored.to_string()),
            (header::CONTENT_DISPOSITION, disposition(kind, name)),
        ],
        bytes,
    )
        .into_response();
    if kind == "inline" {
        response.headers_mut().insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("sandbox"),
        );
    }
    response
}

/// A page's multipart form: its text fields, and its files by input name. An input left
/// empty (no file chosen) is skipped. Files are checked like the API's: PDF, JPEG or PNG by
/// content, at most [`crate::limits::FILE_BYTES`] each, at most [`crate::limits::FILES`].
pub async fn read_form(
    mut multipart: axum::extract::Multipart,
) -> Result<
    (
        std::collections::HashMap<String, String>,
        Vec<(String, crate::app::dossiers::Upload)>,
    ),
    AppError,
> {
    let unreadable = || {
        AppError::with(
            Code::InvalidBody,
            "Không đọc được biểu mẫu đã gửi (có thể tệp quá lớn); vui lòng thử lại.",
        )
    };
    let mut fields = std::collections::HashMap::new();
    let mut files = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(|_| unreadable())? {
        let input = field.name().unwrap_or("").to_string();
        let Some(file_name) = field.file_name().map(str::to_string) else {
            let value = field.text().await.map_err(|_| unreadable())?;
            if value.chars().count() > crate::limits::TEXT {
                return Err(AppError::with(
                    Code::TooLong,
                    format!("Mỗi trường tối đa {} ký tự.", crate::limits::TEXT),
                ));
            }
            fields.insert(input, value);
            continue;
        };
        let declared = field.content_type().map(str::to_string);
        let bytes = field.bytes().await.map_err(|_| unreadable())?.to_vec();
        if file_name.is_empty() && bytes.is_empty() {
            continue;
        }
        let name = clean_name(&file_name);
        if bytes.len() > crate::limits::FILE_BYTES {
            return Err(AppError::with(
                Code::FileTooLarge,
                format!(
                    "Tệp {name} vượt quá {} MB.",
                    crate::limits::FILE_BYTES / (1024 * 1024)
                ),
            ));
        }
        let content_type = checked_type(declared.as_deref(), &bytes)
            .map_err(|e| AppError::with(e.code, format!("Tệp {name}: {}", e.message)))?
            .to_string();
        if files.len() >= crate::limits::FILES {
            return Err(AppError::with(
                Code::TooManyFiles,
                format!("Mỗi lần gửi tối đa {} tệp.", crate::limits::FILES),
            ));
        }
        files.push((
            input,
            crate::app::dossiers::Upload {
                name,
                content_type,
                bytes,
            },
        ));
    }
    Ok((fields, files))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_come_from_the_content() {
        assert_eq!(sniff(b"%PDF-1.7 ..."), Some("application/pdf"));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(sniff(b"<html><script>"), None);
        assert_eq!(
            checked_type(Some("image/png"), b"<html>").map_err(|e| e.code),
            Err(Code::UnsupportedType)
        );
        assert_eq!(
            checked_type(Some("image/png"), b"%PDF-1.4").map_err(|e| e.code),
            Err(Code::TypeMismatch)
        );
        assert_eq!(
            checked_type(Some("image/jpg"), &[0xFF, 0xD8, 0xFF]).ok(),
            Some("image/jpeg")
        );
        assert_eq!(checked_type(None, b"%PDF-").ok(), Some("application/pdf"));
    }

    #[test]
    fn names_lose_what_could_mislead_or_escape() {
        assert_eq!(clean_name("../../etc/passwd"), "_.._etc_passwd");
        assert_eq!(clean_name("ảnh\u{202E}gpj.exe"), "ảnhgpj.exe");
        assert_eq!(clean_name("tờ\u{0000}khai\n.pdf"), "tờkhai.pdf");
        assert_eq!(clean_name("  "), "tep-dinh-kem");
        assert_eq!(clean_name(&"a".repeat(500)).chars().count(), 200);
        assert_eq!(
            disposition("attachment", "Tờ khai.pdf"),
            "attachment; filename=\"to-khai.pdf\"; filename*=UTF-8''T%E1%BB%9D%20khai.pdf"
        );
    }
}
