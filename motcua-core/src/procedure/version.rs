//! The version of a procedure definition.

use serde::{Deserialize, Serialize};

/// The version of a procedure definition, e.g. `2024.1`: 1 to 32 characters from
/// `[0-9A-Za-z._-]`, beginning with a letter or digit. Made only by
/// [`ProcedureVersion::parse`] (or by deserializing, which checks the same); reads as the text
/// it is.
///
/// ```
/// use motcua_core::procedure::ProcedureVersion;
/// let v: ProcedureVersion = "2025.1".parse().unwrap();
/// assert_eq!(v, "2025.1");
/// assert!(ProcedureVersion::parse("2025 bản 1").is_err());
/// assert!(ProcedureVersion::parse("").is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ProcedureVersion(String);

/// Why a text is not a procedure version.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "procedure version `{0}` must be 1 to 32 characters from A-Z, a-z, 0-9, `.`, `_` and `-`, beginning with a letter or digit"
)]
pub struct VersionError(String);

impl ProcedureVersion {
    /// Checks and wraps a version.
    pub fn parse(s: &str) -> Result<ProcedureVersion, VersionError> {
        let ok = (1..=32).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-')
            && s.as_bytes()[0].is_ascii_alphanumeric();
        if ok {
            Ok(ProcedureVersion(s.to_string()))
        } else {
            Err(VersionError(s.to_string()))
        }
    }

    /// The version's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

crate::newtype::text_newtype!(ProcedureVersion, VersionError);

#[cfg(feature = "openapi")]
mod schema {
    use super::ProcedureVersion;
    use utoipa::openapi::RefOr;
    use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};

    impl utoipa::PartialSchema for ProcedureVersion {
        fn schema() -> RefOr<Schema> {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$"))
                .examples([serde_json::json!("2024.1")])
                .into()
        }
    }

    impl utoipa::ToSchema for ProcedureVersion {}
}

#[cfg(test)]
mod tests {
    use super::ProcedureVersion;

    #[test]
    fn versions_are_checked() {
        for ok in ["2024.1", "1", "v2", "2025.1-rc_2", &"9".repeat(32)] {
            assert_eq!(ProcedureVersion::parse(ok).expect(ok).as_str(), ok);
        }
        for bad in [
            "",
            ".1",
            "-1",
            "2024 1",
            "2024/1",
            "phiên-bản",
            &"9".repeat(33),
        ] {
            assert!(ProcedureVersion::parse(bad).is_err(), "{bad}");
        }
        let v: ProcedureVersion = serde_json::from_str("\"2024.1\"").expect("json");
        assert_eq!(serde_json::to_string(&v).expect("json"), "\"2024.1\"");
        assert!(serde_json::from_str::<ProcedureVersion>("\"a b\"").is_err());
    }
}
