//! What a request may carry: the one table of limits on every string, list and map of every
//! JSON body, and on files. Bodies are checked against it before they are turned into
//! commands (so nothing oversized is ever stored), the OpenAPI document publishes it
//! (`maxLength`, `maxItems`, `maxProperties`), and docs/operations.md lists it.
//!
//! A limit names a field by its path in the body: `applicant.name`, `form` (the map itself),
//! `form.*` (each of its values), `components[]` (each item). A field the table does not
//! name gets the default for its kind.

use axum::http::StatusCode;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::app::{AppError, Code};

/// What a limit bounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Characters of a string.
    Chars,
    /// Items of a list.
    Items,
    /// Keys of a map.
    Keys,
}

/// One limit.
#[derive(Clone, Copy, Debug)]
pub struct Limit {
    /// The field's path in the body.
    pub path: &'static str,
    /// What is bounded.
    pub kind: Kind,
    /// The maximum, included.
    pub max: usize,
}

const fn chars(path: &'static str, max: usize) -> Limit {
    Limit {
        path,
        kind: Kind::Chars,
        max,
    }
}

const fn items(path: &'static str, max: usize) -> Limit {
    Limit {
        path,
        kind: Kind::Items,
        max,
    }
}

const fn keys(path: &'static str, max: usize) -> Limit {
    Limit {
        path,
        kind: Kind::Keys,
        max,
    }
}

/// Any string the table does not name (reasons, notes, answers, ...).
pub const TEXT: usize = 2000;
/// Any list the table does not name.
pub const LIST: usize = 50;
/// Any map the table does not name.
pub const MAP: usize = 50;
/// Any key of a map.
pub const KEY: usize = 100;

/// One file (PDF, JPEG or PNG).
pub const FILE_BYTES: usize = 10 * 1024 * 1024;
/// Every file of one request together.
pub const REQUEST_BYTES: usize = 25 * 1024 * 1024;
/// Files in one request.
pub const FILES: usize = 20;
/// A JSON body (a request without files): room for every field at its limit even when
/// every character is sent as a `\uXXXX` escape (a submission's form alone can then take
/// 100 × 2 000 × 6 bytes).
pub const JSON_BYTES: usize = 2 * 1024 * 1024;
/// A file's name.
pub const FILE_NAME: usize = 200;
/// A password.
pub const PASSWORD_CHARS: usize = 128;

/// The applicant's details, in a submission and in a profile.
const APPLICANT: [Limit; 5] = [
    chars("applicant.name", 200),
    chars("applicant.id_number", 20),
    chars("applicant.address", 500),
    chars("applicant.phone", 20),
    chars("applicant.email", 254),
];

/// A submission (`POST /api/v1/dossiers`, JSON or the `dossier` part).
pub const SUBMIT: &[Limit] = &[
    chars("procedure", 64),
    chars("agency", 13),
    chars("channel", 10),
    chars("owner", 64),
    APPLICANT[0],
    APPLICANT[1],
    APPLICANT[2],
    APPLICANT[3],
    APPLICANT[4],
    keys("form", 100),
    chars("form.*", 2000),
    items("components", 50),
    chars("components[]", 300),
];

/// An engine command (`POST /api/v1/dossiers/{id}/commands`, the `command` part).
pub const COMMAND: &[Limit] = &[
    chars("command", 40),
    items("items", 50),
    chars("items[]", 300),
    items("missing", 50),
    chars("missing[]", 300),
    items("agencies", 20),
    chars("agencies[]", 200),
    items("participants", 20),
    chars("participants[]", 200),
    chars("comment", 2000),
];

/// Registration (`POST /api/v1/accounts`).
pub const ACCOUNT: &[Limit] = &[
    chars("id", 64),
    chars("name", 200),
    chars("password", PASSWORD_CHARS),
    chars("email", 254),
    chars("phone", 20),
];

/// Login (`POST /api/v1/sessions`).
pub const LOGIN: &[Limit] = &[chars("id", 64), chars("password", PASSWORD_CHARS)];

/// A password change (`POST /api/v1/me/password`).
pub const PASSWORD: &[Limit] = &[
    chars("current", PASSWORD_CHARS),
    chars("new", PASSWORD_CHARS),
];

/// A profile (`PUT /api/v1/me`).
pub const PROFILE: &[Limit] = &[chars("name", 200), chars("email", 254), chars("phone", 20)];

/// Feedback (`POST /api/v1/feedback`).
pub const FEEDBACK: &[Limit] = &[
    chars("agency", 13),
    chars("dossier_id", 64),
    chars("subject", 200),
    chars("body", 5000),
];

/// An answer to feedback (`POST /api/v1/feedback/{id}/answer`).
pub const ANSWER: &[Limit] = &[chars("answer", 5000)];

/// A staff account (`POST /api/v1/agencies/{agency}/users`, and its roles).
pub const STAFF: &[Limit] = &[
    chars("id", 64),
    chars("name", 200),
    chars("email", 254),
    chars("phone", 20),
    items("roles", 10),
    chars("roles[]", 40),
];

/// Moving a staff account (`PUT /api/v1/users/{user}/agency`).
pub const MOVE: &[Limit] = &[chars("agency", 13)];

/// What the service center enters for the scoring tool
/// (`PUT /api/v1/reports/evaluation/inputs`).
pub const EVALUATION_INPUTS: &[Limit] = &[chars("note", 2000), keys("appraised", 9)];

/// The scoring tool's rules (`PUT /api/v1/reports/evaluation/rules`).
pub const EVALUATION_RULES: &[Limit] = &[items("bands", 10)];

/// A message to the SMS lookup number (`POST /api/v1/integration/sms/inbound`).
pub const SMS_INBOUND: &[Limit] = &[chars("from", 20), chars("text", 480)];

/// A notice's template (`PUT /api/v1/notification-templates/{kind}`).
pub const TEMPLATE: &[Limit] = &[chars("title", 200), chars("body", 2000)];

/// Every request body's table, by the name the OpenAPI document gives its schema.
pub const TABLES: &[(&str, &[Limit])] = &[
    ("Submit", SUBMIT),
    ("Command", COMMAND),
    ("Account", ACCOUNT),
    ("Login", LOGIN),
    ("PasswordChange", PASSWORD),
    ("Profile", PROFILE),
    ("Feedback", FEEDBACK),
    ("Answer", ANSWER),
    ("Staff", STAFF),
    ("Move", MOVE),
    ("EvaluationInputs", EVALUATION_INPUTS),
    ("EvaluationRules", EVALUATION_RULES),
    ("InboundSms", SMS_INBOUND),
    ("Template", TEMPLATE),
];

fn find(table: &[Limit], path: &str, kind: Kind) -> usize {
    table
        .iter()
        .find(|l| l.path == path && l.kind == kind)
        .map_or(
            match kind {
                Kind::Chars => TEXT,
                Kind::Items => LIST,
                Kind::Keys => MAP,
            },
            |l| l.max,
        )
}

fn refuse(code: Code, message: String) -> AppError {
    AppError::with(code, message)
}

/// Checks every string, list and map of `value` against `table`.
pub fn check(value: &Value, table: &[Limit]) -> Result<(), AppError> {
    walk(value, table, "", "")
}

/// `pattern` is the path as the table names it; `shown` the path with list positions.
fn walk(value: &Value, table: &[Limit], pattern: &str, shown: &str) -> Result<(), AppError> {
    let join = |base: &str, key: &str| {
        if base.is_empty() {
            key.to_string()
        } else {
            format!("{base}.{key}")
        }
    };
    match value {
        Value::String(s) => {
            let max = find(table, pattern, Kind::Chars);
            let n = s.chars().count();
            if n > max {
                return Err(refuse(
                    Code::TooLong,
                    format!("Trường {shown} dài {n} ký tự, vượt quá giới hạn {max} ký tự."),
                ));
            }
        }
        Value::Array(list) => {
            let max = find(table, pattern, Kind::Items);
            if list.len() > max {
                return Err(refuse(
                    Code::TooManyItems,
                    format!(
                        "Trường {shown} có {} mục, vượt quá giới hạn {max} mục.",
                        list.len()
                    ),
                ));
            }
            let item = format!("{pattern}[]");
            for (i, v) in list.iter().enumerate() {
                walk(v, table, &item, &format!("{shown}[{i}]"))?;
            }
        }
        Value::Object(map) => {
            // A map the table bounds by its keys (e.g. `form`) has free keys: its values
            // are named `path.*`. Other objects have fixed fields.
            let is_map = table
                .iter()
                .any(|l| l.path == pattern && l.kind == Kind::Keys);
            let max = find(table, pattern, Kind::Keys);
            if map.len() > max {
                let name = if shown.is_empty() { "(gốc)" } else { shown };
                return Err(refuse(
                    Code::TooManyKeys,
                    format!(
                        "Trường {name} có {} khóa, vượt quá giới hạn {max} khóa.",
                        map.len()
                    ),
                ));
            }
            for (k, v) in map {
                if k.chars().count() > KEY {
                    return Err(refuse(
                        Code::TooLong,
                        format!("Tên khóa trong {shown} vượt quá giới hạn {KEY} ký tự."),
                    ));
                }
                let child = if is_map {
                    join(pattern, "*")
                } else {
                    join(pattern, k)
                };
                walk(v, table, &child, &join(shown, k))?;
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
    Ok(())
}

/// Reads a body as `T` after checking it against `table`; a body that is not `T` gets a
/// Vietnamese message naming the field where it went wrong (`applicant.name`), and the
/// English detail goes to the log.
pub fn parse<T: DeserializeOwned>(value: Value, table: &[Limit]) -> Result<T, AppError> {
    check(&value, table)?;
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner().to_string();
        tracing::info!(error = %inner, field = %path, "body does not match its schema");
        refuse(Code::InvalidBody, vietnamese(&path, &inner))
    })
}

/// Why a body is not what it must be, in Vietnamese, with the field's path.
fn vietnamese(path: &str, e: &str) -> String {
    let quoted = |s: &str| s.split('`').nth(1).map(str::to_string);
    let at = |field: &str| {
        if path.is_empty() || path == "." {
            field.to_string()
        } else if field.is_empty() {
            path.to_string()
        } else {
            format!("{path}.{field}")
        }
    };
    let gist = if e.starts_with("missing field") {
        format!("thiếu trường {}.", at(&quoted(e).unwrap_or_default()))
    } else if e.starts_with("unknown field") {
        format!(
            "trường {} không được dùng ở đây.",
            at(&quoted(e).unwrap_or_default())
        )
    } else if e.starts_with("unknown variant") {
        format!(
            "trường {} không nhận giá trị {}.",
            at(""),
            quoted(e).unwrap_or_default()
        )
    } else if e.starts_with("invalid type") || e.starts_with("invalid value") {
        format!("trường {} có kiểu dữ liệu không đúng.", at(""))
    } else {
        format!("trường {} không đúng định dạng.", at(""))
    };
    format!("Nội dung yêu cầu không hợp lệ: {gist}")
}

/// A JSON body, read as a value (for [`parse`]); a body that is not JSON is refused.
pub fn json_value(
    body: Result<axum::Json<Value>, axum::extract::rejection::JsonRejection>,
) -> Result<Value, AppError> {
    body.map(|axum::Json(v)| v).map_err(|e| {
        tracing::debug!(error = %e.body_text(), "body is not JSON");
        let status = e.status();
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::with(
                Code::TooLarge,
                format!("Nội dung yêu cầu vượt quá {} byte.", JSON_BYTES),
            )
        } else {
            AppError::with(
                Code::InvalidBody,
                "Nội dung yêu cầu phải là JSON hợp lệ (Content-Type: application/json).",
            )
        }
    })
}

/// The OpenAPI schema of a body with `table`'s bounds: `maxLength` on strings, `maxItems` on
/// lists, `maxProperties` on maps, nested along each limit's path.
pub fn schema(table: &[Limit]) -> Value {
    let mut root = serde_json::json!({ "type": "object" });
    for l in table {
        let mut node = &mut root;
        let segments: Vec<&str> = l.path.split('.').collect();
        for (i, seg) in segments.iter().enumerate() {
            let last = i + 1 == segments.len();
            node = if *seg == "*" {
                &mut node["additionalProperties"]
            } else if let Some(name) = seg.strip_suffix("[]") {
                let list = &mut node["properties"][name];
                list["type"] = "array".into();
                &mut list["items"]
            } else {
                &mut node["properties"][*seg]
            };
            if !last && node.get("type").is_none() {
                node["type"] = "object".into();
            }
        }
        match l.kind {
            Kind::Chars => {
                node["type"] = "string".into();
                node["maxLength"] = l.max.into();
            }
            Kind::Items => {
                node["type"] = "array".into();
                node["maxItems"] = l.max.into();
            }
            Kind::Keys => {
                node["type"] = "object".into();
                node["maxProperties"] = l.max.into();
            }
        }
    }
    root
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_the_field_and_its_position() {
        let body = json!({"applicant": {"name": "a".repeat(201)}});
        let e = check(&body, SUBMIT).expect_err("too long");
        assert_eq!(e.code, "too_long");
        assert!(e.message.contains("applicant.name"), "{}", e.message);
        let body = json!({"components": ["ok", "x".repeat(301)]});
        let e = check(&body, SUBMIT).expect_err("too long");
        assert!(e.message.contains("components[1]"), "{}", e.message);
        let form: serde_json::Map<String, Value> =
            (0..101).map(|i| (format!("k{i}"), json!("v"))).collect();
        let e = check(&json!({ "form": form }), SUBMIT).expect_err("too many");
        assert_eq!(e.code, "too_many_keys");
        assert!(e.message.contains("form"), "{}", e.message);
    }

    #[test]
    fn unnamed_fields_get_the_defaults() {
        assert!(check(&json!({"reason": "a".repeat(TEXT)}), COMMAND).is_ok());
        assert_eq!(
            check(&json!({"reason": "a".repeat(TEXT + 1)}), COMMAND)
                .expect_err("default")
                .code,
            "too_long"
        );
        let list: Vec<Value> = (0..=LIST).map(|_| json!(1)).collect();
        assert_eq!(
            check(&json!({ "other": list }), COMMAND)
                .expect_err("default")
                .code,
            "too_many_items"
        );
    }

    /// A body with a value of size `n` at `path` (and nothing else).
    fn body_at(path: &str, kind: Kind, n: usize) -> Value {
        let leaf = match kind {
            Kind::Chars => json!("ả".repeat(n)),
            Kind::Items => Value::Array((0..n).map(|_| json!("x")).collect()),
            Kind::Keys => Value::Object((0..n).map(|i| (format!("k{i}"), json!("x"))).collect()),
        };
        let mut value = leaf;
        for seg in path.split('.').rev() {
            value = if seg == "*" {
                json!({ "k": value })
            } else if let Some(name) = seg.strip_suffix("[]") {
                json!({ name: [value] })
            } else {
                json!({ seg: value })
            };
        }
        // `form.*`: the map itself is the step before the `*`.
        value
    }

    /// Every limit of every body: its maximum passes, one more is refused with the field's
    /// path in the message.
    #[test]
    fn every_limit_holds_at_its_maximum_and_refuses_one_more() {
        for (name, table) in TABLES {
            for l in *table {
                let at_max = body_at(l.path, l.kind, l.max);
                assert!(
                    check(&at_max, table).is_ok(),
                    "{name}: {} at its maximum",
                    l.path
                );
                let over = body_at(l.path, l.kind, l.max + 1);
                let e = check(&over, table).expect_err(l.path);
                let expected = match l.kind {
                    Kind::Chars => "too_long",
                    Kind::Items => "too_many_items",
                    Kind::Keys => "too_many_keys",
                };
                assert_eq!(e.code, expected, "{name}: {}", l.path);
                let shown = l.path.replace("[]", "[0]").replace('*', "k");
                let shown = shown.split('.').next().unwrap_or_default().to_string();
                assert!(
                    e.message.contains(&shown),
                    "{name}: {}: {}",
                    l.path,
                    e.message
                );
            }
        }
    }

    /// docs/operations.md lists every limit as the code has it.
    #[test]
    fn the_operations_guide_lists_every_limit() {
        let guide = include_str!("../../docs/operations.md");
        let mut listed = 0;
        for (name, table) in TABLES {
            for l in *table {
                let unit = match l.kind {
                    Kind::Chars => "characters",
                    Kind::Items => "items",
                    Kind::Keys => "keys",
                };
                let row = format!("| {name} | `{}` | {} {unit} |", l.path, l.max);
                assert!(guide.contains(&row), "docs/operations.md lacks {row}");
                listed += 1;
            }
        }
        let rows = guide
            .lines()
            .filter(|l| {
                l.contains(" characters |") || l.contains(" items |") || l.contains(" keys |")
            })
            .count();
        assert_eq!(
            rows, listed,
            "docs/operations.md lists a limit the code does not have"
        );
    }

    #[test]
    fn the_schema_carries_every_bound() {
        let s = schema(SUBMIT);
        assert_eq!(
            s["properties"]["applicant"]["properties"]["name"]["maxLength"],
            200
        );
        assert_eq!(s["properties"]["form"]["maxProperties"], 100);
        assert_eq!(
            s["properties"]["form"]["additionalProperties"]["maxLength"],
            2000
        );
        assert_eq!(s["properties"]["components"]["maxItems"], 50);
        assert_eq!(s["properties"]["components"]["items"]["maxLength"], 300);
    }

    #[test]
    fn serde_messages_become_vietnamese() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct T {
            name: String,
        }
        let e = parse::<T>(json!({}), ACCOUNT).expect_err("missing");
        assert_eq!(
            e.message,
            "Nội dung yêu cầu không hợp lệ: thiếu trường name."
        );
    }
}
