//! The JSON API: thin adapters over the application layer. Each handler reads its request
//! (path, query, body checked against `limits.rs`), calls one use case with the session's
//! principal, and answers what it returns as JSON. Nothing is decided here.

pub(crate) mod accounts;
pub(crate) mod dossiers;
pub(crate) mod feedback;
pub(crate) mod public;
pub(crate) mod reports;
pub(crate) mod staff;

use axum::extract::Query;
use axum::extract::rejection::QueryRejection;
use std::collections::HashMap;

use crate::app::{AppError, Code};

/// Query parameters as a map.
pub(crate) type Params = Result<Query<HashMap<String, String>>, QueryRejection>;

/// The query's parameters, or a 400.
pub(crate) fn params(q: Params) -> Result<HashMap<String, String>, AppError> {
    q.map(|Query(m)| m)
        .map_err(|_| AppError::new(Code::InvalidQuery))
}
