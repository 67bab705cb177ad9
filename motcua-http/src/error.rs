//! How an [`AppError`] is answered over HTTP: its catalogue status and the JSON shape
//! `{code, message}` (plus `missing` for an incomplete dossier). Internal details are
//! logged, never returned.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

pub use crate::app::AppError;

/// The name the JSON API's errors had before the application layer (kept for callers).
pub type ApiError = AppError;

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut body = serde_json::json!({ "code": self.code.as_str(), "message": self.message });
        if !self.missing.is_empty() {
            body["missing"] = serde_json::json!(self.missing);
        }
        (status, Json(body)).into_response()
    }
}

/// A JSON body read as `T`, after every string, list and map in it was checked against
/// its limits (see [`crate::limits`]); a 4xx naming the field otherwise.
pub(crate) fn json_body<T: serde::de::DeserializeOwned>(
    body: Result<axum::Json<serde_json::Value>, axum::extract::rejection::JsonRejection>,
    table: &[crate::limits::Limit],
) -> Result<T, AppError> {
    crate::limits::parse(crate::limits::json_value(body)?, table)
}
