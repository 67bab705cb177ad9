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

/// A JSON body, or a 400 `invalid_body` saying what is wrong with it.
pub(crate) fn json_body<T>(
    body: Result<axum::Json<T>, axum::extract::rejection::JsonRejection>,
) -> Result<T, ApiError> {
    body.map(|axum::Json(b)| b).map_err(|e| {
        ApiError::bad_request(
            "invalid_body",
            format!("Nội dung yêu cầu không hợp lệ: {}", e.body_text()),
        )
    })
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
