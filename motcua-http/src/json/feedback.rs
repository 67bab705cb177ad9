//! Feedback over JSON: file, answer, published answers.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::AppState;
use crate::app::{AppError, feedback as uc};
use crate::error::json_body;
use crate::openapi::ErrorBody;
use crate::session::Session;

/// New feedback.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewFeedback {
    agency: String,
    #[serde(default)]
    dossier_id: Option<String>,
    subject: String,
    body: String,
}

/// `POST /api/v1/feedback`: the answer is due in 3 working days (Điều 19).
#[utoipa::path(post, path = "/api/v1/feedback", tag = "feedback",
    summary = "File feedback (about a dossier or in general); the answer is due in 3 working days",
    security(("bearer" = [])), request_body = NewFeedback,
    responses((status = 201, body = uc::Filed),
              (status = 400, description = "unknown_agency, unknown_dossier", body = ErrorBody),
              (status = 422, description = "missing_field", body = ErrorBody)))]
pub(crate) async fn file(
    State(s): State<AppState>,
    session: Session,
    b: Result<Json<Value>, JsonRejection>,
) -> Result<(StatusCode, Json<uc::Filed>), AppError> {
    let b: NewFeedback = json_body(b, crate::limits::FEEDBACK)?;
    let filed = uc::file(
        &s,
        Some(&session.principal),
        uc::NewFeedback {
            agency: b.agency,
            dossier_id: b.dossier_id,
            subject: b.subject,
            body: b.body,
            contact: None,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(filed)))
}

/// An answer, published on the portal unless `publish` is false.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Answer {
    answer: String,
    #[serde(default = "yes")]
    publish: bool,
}

fn yes() -> bool {
    true
}

/// `POST /api/v1/feedback/{id}/answer`: staff of the addressed agency answer once.
#[utoipa::path(post, path = "/api/v1/feedback/{id}/answer", tag = "feedback",
    summary = "Staff of the addressed agency answer once (the author is told)",
    security(("bearer" = [])), params(("id" = String, Path)), request_body = Answer,
    responses((status = 200, body = uc::Answered),
              (status = 404, body = ErrorBody),
              (status = 409, description = "already_answered", body = ErrorBody),
              (status = 422, description = "missing_field", body = ErrorBody)))]
pub(crate) async fn answer(
    State(s): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    b: Result<Json<Value>, JsonRejection>,
) -> Result<Json<uc::Answered>, AppError> {
    let b: Answer = json_body(b, crate::limits::ANSWER)?;
    Ok(Json(
        uc::answer(&s, &session.principal, &id, &b.answer, b.publish).await?,
    ))
}

/// Published answers.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct PublishedList {
    feedback: Vec<uc::Published>,
}

/// `GET /api/v1/feedback`: published answers (public).
#[utoipa::path(get, path = "/api/v1/feedback", tag = "feedback", summary = "Published answers, newest first",
    responses((status = 200, body = PublishedList)))]
pub(crate) async fn published(State(s): State<AppState>) -> Result<Json<PublishedList>, AppError> {
    Ok(Json(PublishedList {
        feedback: uc::published(&s).await?,
    }))
}
