//! The API's one error type: a stable snake_case code, an HTTP status, a Vietnamese message.
//! Internal details are logged, never returned.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use motcua_store::StoreError;

/// An error answer.
#[derive(Debug)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable machine-readable code.
    pub code: std::borrow::Cow<'static, str>,
    /// For people, in Vietnamese.
    pub message: String,
}

impl ApiError {
    /// A 400 with a code and a message.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            code: code.into(),
            message: message.into(),
        }
    }

    /// A 404.
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::NOT_FOUND,
            code: "not_found".into(),
            message: message.into(),
        }
    }
}

impl ApiError {
    /// A 403 with the given message.
    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::FORBIDDEN,
            code: "forbidden".into(),
            message: message.into(),
        }
    }
}

/// A JSON body read as `T`, after every string, list and map in it was checked against
/// its limits (see [`crate::limits`]); a 4xx naming the field otherwise.
pub(crate) fn json_body<T: serde::de::DeserializeOwned>(
    body: Result<axum::Json<serde_json::Value>, axum::extract::rejection::JsonRejection>,
    table: &[crate::limits::Limit],
) -> Result<T, ApiError> {
    crate::limits::parse(crate::limits::json_value(body)?, table)
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        match e {
            StoreError::NotFound(_) => ApiError::not_found("Không tìm thấy."),
            StoreError::Conflict(_) => ApiError {
                status: StatusCode::CONFLICT,
                code: "conflict".into(),
                message: "Dữ liệu vừa được thay đổi; vui lòng tải lại và thử lại.".into(),
            },
            // The engine's refusal codes are stable (`wrong_state`, `forbidden`, ...).
            StoreError::Rejected(r) => ApiError {
                status: if r.code == "forbidden" {
                    StatusCode::FORBIDDEN
                } else {
                    StatusCode::UNPROCESSABLE_ENTITY
                },
                code: r.code.into(),
                message: r.message_vi,
            },
            StoreError::TooLarge { limit, .. } => ApiError {
                status: StatusCode::PAYLOAD_TOO_LARGE,
                code: "too_large".into(),
                message: format!("Tệp vượt quá giới hạn {limit} byte."),
            },
            other => {
                tracing::error!(error = %other, "store failure");
                ApiError {
                    status: StatusCode::INTERNAL_SERVER_ERROR,
                    code: "internal".into(),
                    message: "Hệ thống gặp sự cố; vui lòng thử lại sau.".into(),
                }
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "code": self.code, "message": self.message });
        (self.status, Json(body)).into_response()
    }
}
