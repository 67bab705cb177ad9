//! Feedback over JSON: file, answer, published answers.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::app::{AppError, feedback as uc};
use crate::error::json_body;
use crate::session::Session;

#[derive(Deserialize)]
pub(crate) struct NewFeedback {
    agency: String,
    #[serde(default)]
    dossier_id: Option<String>,
    subject: String,
    body: String,
}

/// `POST /api/v1/feedback`: the answer is due in 3 working days (Điều 19).
pub(crate) async fn file(
    State(s): State<AppState>,
    session: Session,
    b: Result<Json<Value>, JsonRejection>,
) -> Result<(StatusCode, Json<uc::Filed>), AppError> {
    let b: NewFeedback = json_body(b, crate::limits::FEEDBACK)?;
    let filed = uc::file(
        &s,
        &session.principal,
        uc::NewFeedback {
            agency: b.agency,
            dossier_id: b.dossier_id,
            subject: b.subject,
            body: b.body,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(filed)))
}

#[derive(Deserialize)]
pub(crate) struct Answer {
    answer: String,
    #[serde(default = "yes")]
    publish: bool,
}

fn yes() -> bool {
    true
}

/// `POST /api/v1/feedback/{id}/answer`: staff of the addressed agency answer once.
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

/// `GET /api/v1/feedback`: published answers (public).
pub(crate) async fn published(State(s): State<AppState>) -> Result<Json<Value>, AppError> {
    Ok(Json(json!({ "feedback": uc::published(&s).await? })))
}
