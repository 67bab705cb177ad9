//! The dossier code: `{agency identifier}-{yyMMdd}-{sequence}` (DOMAIN.md section 7).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;

/// An agency identifier in the QCVN 102:2016 style, e.g. `000.00.12.H53`: an opaque string of
/// at most 13 characters from `[0-9A-Za-z.]`. It reads as the text it is (`&*id`,
/// `id.len()`, passing `&id` where a `&str` is expected); it can only be made by
/// [`AgencyId::parse`].
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AgencyId(String);

/// Why an agency identifier or a dossier code is malformed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CodeError(String);

impl AgencyId {
    /// Checks and wraps an agency identifier.
    pub fn parse(s: &str) -> Result<AgencyId, CodeError> {
        if s.is_empty() || s.chars().count() > 13 {
            return Err(CodeError(format!(
                "agency identifier `{s}` must have 1 to 13 characters"
            )));
        }
        if !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '.') {
            return Err(CodeError(format!(
                "agency identifier `{s}` may contain only letters, digits and dots"
            )));
        }
        Ok(AgencyId(s.to_string()))
    }

    /// The identifier.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

crate::newtype::text_newtype!(AgencyId, CodeError);

/// A dossier code, well formed by construction: made only by [`DossierCode::new`] or
/// [`DossierCode::parse`].
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DossierCode {
    agency: AgencyId,
    date: NaiveDate,
    sequence: u32,
}

impl DossierCode {
    /// The accepting agency.
    pub fn agency(&self) -> &AgencyId {
        &self.agency
    }

    /// The local acceptance date.
    pub fn date(&self) -> NaiveDate {
        self.date
    }

    /// The day's sequence at that agency, from 1.
    pub fn sequence(&self) -> u32 {
        self.sequence
    }

    /// Builds a code; the sequence must be 1..=9999.
    pub fn new(agency: AgencyId, date: NaiveDate, sequence: u32) -> Result<DossierCode, CodeError> {
        if !(1..=9999).contains(&sequence) {
            return Err(CodeError(format!(
                "sequence {sequence} is outside 1..=9999"
            )));
        }
        Ok(DossierCode {
            agency,
            date,
            sequence,
        })
    }

    /// Parses `000.00.12.H53-260302-0001`.
    pub fn parse(s: &str) -> Result<DossierCode, CodeError> {
        let bad = || {
            CodeError(format!(
                "`{s}` is not a dossier code like 000.00.12.H53-260302-0001"
            ))
        };
        let mut parts = s.rsplitn(3, '-');
        let (seq, date, agency) = (
            parts.next().ok_or_else(bad)?,
            parts.next().ok_or_else(bad)?,
            parts.next().ok_or_else(bad)?,
        );
        if seq.len() != 4 || date.len() != 6 {
            return Err(bad());
        }
        let sequence: u32 = seq.parse().map_err(|_| bad())?;
        let date = NaiveDate::parse_from_str(&format!("20{date}"), "%Y%m%d").map_err(|_| bad())?;
        DossierCode::new(AgencyId::parse(agency)?, date, sequence)
    }
}

impl fmt::Display for DossierCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}-{}-{:04}",
            self.agency,
            self.date.format("%y%m%d"),
            self.sequence
        )
    }
}

impl TryFrom<String> for DossierCode {
    type Error = CodeError;
    fn try_from(s: String) -> Result<Self, CodeError> {
        DossierCode::parse(&s)
    }
}

impl From<DossierCode> for String {
    fn from(c: DossierCode) -> String {
        c.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_rejections() {
        let c = DossierCode::parse("000.00.12.H53-260302-0001").expect("valid");
        assert_eq!(c.sequence, 1);
        assert_eq!(c.to_string(), "000.00.12.H53-260302-0001");
        for bad in [
            "000.00.12.H53-260302-1",
            "000.00.12.H53-261302-0001",
            "-260302-0001",
            "000.00.12.H53.XYZW-260302-0001",
            "000 00-260302-0001",
            "000.00.12.H53-260302-0000",
        ] {
            assert!(DossierCode::parse(bad).is_err(), "{bad}");
        }
    }
}

/// Both identifiers are written as strings (`000.00.12.H53`, `000.00.12.H53-260302-0001`).
#[cfg(feature = "openapi")]
mod schema {
    use super::{AgencyId, DossierCode};
    use utoipa::openapi::RefOr;
    use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};

    fn text(pattern: &str, example: &str) -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(pattern))
            .examples([serde_json::json!(example)])
            .into()
    }

    impl utoipa::PartialSchema for AgencyId {
        fn schema() -> RefOr<Schema> {
            text(r"^[A-Za-z0-9.]{1,13}$", "000.20.31.H53")
        }
    }

    impl utoipa::ToSchema for AgencyId {}

    impl utoipa::PartialSchema for DossierCode {
        fn schema() -> RefOr<Schema> {
            text(
                r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}-\d{6}-\d{4}$",
                "000.20.31.H53-261207-0001",
            )
        }
    }

    impl utoipa::ToSchema for DossierCode {}
}
