//! Feedback (phản ánh, kiến nghị, Điều 18-19): filed by a user about a dossier or in
//! general, answered by the addressed agency within 3 working days, published on the portal.

use motcua_core::calendar::{Duration, to_local_rfc3339, to_local_vi};
use motcua_core::script::Notification;
use motcua_store::{Feedback, StoreError};
use serde::Serialize;

use super::{AppError, Code, Principal, policy};
use crate::AppState;

/// What a new feedback item says.
#[derive(Clone, Debug, Default)]
pub struct NewFeedback {
    /// The agency it is addressed to.
    pub agency: String,
    /// The dossier it is about, if any.
    pub dossier_id: Option<String>,
    /// Subject.
    pub subject: String,
    /// Text.
    pub body: String,
}

/// Feedback received.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Filed {
    /// Its identifier.
    pub id: String,
    /// When the answer is due (local RFC 3339).
    pub answer_due: String,
}

/// Files feedback; the answer is due in 3 working days.
pub async fn file(app: &AppState, p: &Principal, f: NewFeedback) -> Result<Filed, AppError> {
    if f.subject.trim().is_empty() || f.body.trim().is_empty() {
        return Err(AppError::with(
            Code::MissingField,
            "Cần nêu tiêu đề và nội dung phản ánh.",
        ));
    }
    let config = app.config().await?;
    if config.directory.get(&f.agency).is_none() {
        return Err(AppError::new(Code::UnknownAgency));
    }
    // Feedback about a dossier names one the author may see.
    if let Some(id) = &f.dossier_id {
        let visible = match app.store.dossier(id).await {
            Ok(d) => policy::may_read_dossier(p, d.owner.as_deref(), &d.agency, &config.directory),
            Err(StoreError::NotFound(_)) => false,
            Err(e) => return Err(e.into()),
        };
        if !visible {
            return Err(AppError::new(Code::UnknownDossier));
        }
    }
    let now = app.now();
    let due = config
        .calendar
        .due(now, Duration::working_days(3))
        .map_err(|_| AppError::new(Code::OutOfRange))?;
    let item = Feedback {
        id: app.ids.next("pa"),
        agency_id: f.agency,
        dossier_id: f.dossier_id,
        author: p.user.id.clone(),
        subject: f.subject,
        body: f.body,
        created_at: now,
        due_at: due,
        answer: None,
        answered_at: None,
        published: false,
    };
    app.store.put_feedback(&item).await?;
    Ok(Filed {
        id: item.id,
        answer_due: to_local_rfc3339(due),
    })
}

/// An answer given.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Answered {
    /// The feedback.
    pub id: String,
    /// Whether it was answered within its 3 working days.
    pub on_time: bool,
}

/// Staff of the addressed agency answer once; the author is told (through the outbox).
pub async fn answer(
    app: &AppState,
    p: &Principal,
    id: &str,
    answer: &str,
    publish: bool,
) -> Result<Answered, AppError> {
    let f = app.store.feedback(id).await?;
    if !policy::may_answer_feedback(p, &f.agency_id) {
        return Err(AppError::new(Code::Forbidden));
    }
    if answer.trim().is_empty() {
        return Err(AppError::with(Code::MissingField, "Cần nội dung trả lời."));
    }
    let now = app.now();
    let notice = Notification {
        to: f.author.clone(),
        channels: vec!["portal".into(), "email".into()],
        message: format!(
            "Phản ánh “{}” gửi lúc {} đã được trả lời:\n{}",
            f.subject,
            to_local_vi(f.created_at),
            answer.trim()
        ),
    };
    app.store
        .answer_feedback(id, answer, now, publish, Some(&notice))
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => AppError::new(Code::AlreadyAnswered),
            other => other.into(),
        })?;
    Ok(Answered {
        id: id.to_string(),
        on_time: now <= f.due_at,
    })
}

/// A published answer.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Published {
    /// The feedback.
    pub id: String,
    /// The agency that answered.
    pub agency: String,
    /// Subject.
    pub subject: String,
    /// Text.
    pub body: String,
    /// The answer.
    pub answer: Option<String>,
    /// When (local RFC 3339).
    pub answered_at: Option<String>,
}

/// Published answers, newest first.
pub async fn published(app: &AppState) -> Result<Vec<Published>, AppError> {
    Ok(app
        .store
        .published_feedback(100)
        .await?
        .into_iter()
        .map(|f| Published {
            id: f.id,
            agency: f.agency_id,
            subject: f.subject,
            body: f.body,
            answer: f.answer,
            answered_at: f.answered_at.map(to_local_rfc3339),
        })
        .collect())
}
