//! Feedback (phản ánh, kiến nghị, Điều 18-19): filed by a user about a dossier or in
//! general, answered by the addressed agency within 3 working days, published on the portal.

use motcua_core::calendar::{Duration, to_local_rfc3339, to_local_vi};
use motcua_core::dossier::event::{DeliveryChannel, Notification, Recipient};
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
    /// How to reach an author without an account (required then).
    pub contact: Option<String>,
}

/// Feedback received.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Filed {
    /// Its identifier.
    pub id: String,
    /// When the answer is due (local RFC 3339).
    pub answer_due: String,
}

/// Files feedback, from an account or (`p` absent) from someone who leaves a contact;
/// the answer is due in 3 working days. Feedback without an account is about no dossier:
/// whose dossier it is cannot be checked.
pub async fn file(
    app: &AppState,
    p: Option<&Principal>,
    f: NewFeedback,
) -> Result<Filed, AppError> {
    if f.subject.trim().is_empty() || f.body.trim().is_empty() {
        return Err(AppError::with(
            Code::MissingField,
            "Cần nêu tiêu đề và nội dung phản ánh.",
        ));
    }
    let contact = f
        .contact
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_string);
    if p.is_none() {
        if contact.is_none() {
            return Err(AppError::with(
                Code::MissingField,
                "Cần để lại họ tên và số điện thoại hoặc thư điện tử để cơ quan trả lời.",
            ));
        }
        if f.dossier_id.is_some() {
            return Err(AppError::with(
                Code::Unauthenticated,
                "Đăng nhập để phản ánh về một hồ sơ của mình.",
            ));
        }
    }
    let config = app.config().await?;
    if config.directory.get(&f.agency).is_none() {
        return Err(AppError::new(Code::UnknownAgency));
    }
    // Feedback about a dossier names one the author may see.
    if let (Some(id), Some(p)) = (&f.dossier_id, p) {
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
    // Three working days on the calendar of the agency that answers.
    let calendar = match config.directory.get(&f.agency) {
        Some(_) => config.calendar_for(&f.agency)?,
        None => config.calendar.clone(),
    };
    let due = calendar
        .due(now, Duration::working_days(3))
        .map_err(|_| AppError::new(Code::OutOfRange))?;
    let item = Feedback {
        id: app.ids.next("pa"),
        agency_id: f.agency,
        dossier_id: f.dossier_id,
        author: p.map(|p| p.user.id.clone()).unwrap_or_default(),
        subject: f.subject.trim().to_string(),
        body: f.body.trim().to_string(),
        created_at: now,
        due_at: due,
        answer: None,
        answered_at: None,
        published: false,
        contact,
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
    // Someone without an account is reached at the contact they left.
    let to = match (&f.author, &f.contact) {
        (a, Some(c)) if a.is_empty() => Recipient::Contact { contact: c.clone() },
        (a, _) => Recipient::Account { id: a.clone() },
    };
    let notice = Notification::new(
        to,
        [DeliveryChannel::Portal, DeliveryChannel::Email],
        format!(
            "Phản ánh “{}” gửi lúc {} đã được trả lời:\n{}",
            f.subject,
            to_local_vi(f.created_at),
            answer.trim()
        ),
    );
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

fn published_view(f: Feedback) -> Published {
    Published {
        id: f.id,
        agency: f.agency_id,
        subject: f.subject,
        body: f.body,
        answer: f.answer,
        answered_at: f.answered_at.map(to_local_rfc3339),
    }
}

/// Published answers, newest first.
pub async fn published(app: &AppState) -> Result<Vec<Published>, AppError> {
    Ok(app
        .store
        .published_feedback(100)
        .await?
        .into_iter()
        .map(published_view)
        .collect())
}

/// Published answers whose subject, question or answer contain every word of `q`,
/// insensitive to diacritics and case; newest first.
pub async fn search_published(app: &AppState, q: &str) -> Result<Vec<Published>, AppError> {
    let words: Vec<String> = motcua_core::text::fold(q)
        .split_whitespace()
        .map(str::to_string)
        .collect();
    Ok(app
        .store
        .published_feedback(1000)
        .await?
        .into_iter()
        .filter(|f| {
            let text = motcua_core::text::fold(&format!(
                "{} {} {}",
                f.subject,
                f.body,
                f.answer.as_deref().unwrap_or("")
            ));
            words.iter().all(|w| text.contains(w.as_str()))
        })
        .map(published_view)
        .collect())
}

/// The principal's own feedback, newest first.
pub async fn mine(app: &AppState, p: &Principal) -> Result<Vec<Feedback>, AppError> {
    Ok(app.store.feedback_by(&p.user.id, 200).await?)
}

/// One feedback item as its author follows it: an account's to that account; one filed
/// without an account to whoever holds its address (its id is random and unpublished).
/// The contact left with it is never shown.
pub async fn follow(app: &AppState, p: Option<&Principal>, id: &str) -> Result<Feedback, AppError> {
    let hidden = || AppError::not_found("Không tìm thấy phản ánh này.");
    let f = match app.store.feedback(id).await {
        Ok(f) => f,
        Err(StoreError::NotFound(_)) => return Err(hidden()),
        Err(e) => return Err(e.into()),
    };
    let mine = p.is_some_and(|p| p.user.id == f.author);
    if !(mine || f.author.is_empty()) {
        return Err(hidden());
    }
    Ok(Feedback { contact: None, ..f })
}

/// The feedback sent to an agency, for its staff (Điều 19): unanswered first, soonest due
/// first, with the contact left by someone without an account (to answer them).
pub async fn inbox(app: &AppState, p: &Principal, agency: &str) -> Result<Vec<Feedback>, AppError> {
    if !policy::may_answer_feedback(p, agency) {
        return Err(AppError::new(Code::Forbidden));
    }
    Ok(app.store.feedback_to(agency, 200).await?)
}
