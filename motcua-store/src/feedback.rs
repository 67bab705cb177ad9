//! Feedback (phản ánh, kiến nghị) and its answers (Điều 18-19).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::{Store, StoreError, from_micros, micros};

/// A feedback item (phản ánh, kiến nghị) and its answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Feedback {
    /// Identifier.
    pub id: String,
    /// The agency it is addressed to.
    pub agency_id: String,
    /// The dossier it is about, if any.
    pub dossier_id: Option<String>,
    /// Who wrote it.
    pub author: String,
    /// Subject.
    pub subject: String,
    /// Text.
    pub body: String,
    /// Received at.
    pub created_at: DateTime<Utc>,
    /// The answer is due (3 working days, Điều 19).
    pub due_at: DateTime<Utc>,
    /// The answer.
    pub answer: Option<String>,
    /// Answered at.
    pub answered_at: Option<DateTime<Utc>>,
    /// Whether the answer is published on the portal.
    pub published: bool,
    /// How to reach an author without an account (name, phone or email).
    #[serde(default)]
    pub contact: Option<String>,
}

impl Store {
    /// Records a feedback item.
    pub async fn put_feedback(&self, f: &Feedback) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO feedback (id, agency_id, dossier_id, author, subject, body, created_at, due_at, answer, answered_at, published, contact)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(&f.id)
        .bind(&f.agency_id)
        .bind(f.dossier_id.as_deref())
        .bind(&f.author)
        .bind(&f.subject)
        .bind(&f.body)
        .bind(micros(f.created_at))
        .bind(micros(f.due_at))
        .bind(f.answer.as_deref())
        .bind(f.answered_at.map(micros))
        .bind(i64::from(f.published))
        .bind(f.contact.as_deref())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Answers a feedback item once; answering again is a conflict. `notice` (the message
    /// to its author) goes to the outbox in the same transaction, under the feedback's
    /// dossier or, for feedback about no dossier, `feedback:<id>`.
    pub async fn answer_feedback(
        &self,
        id: &str,
        answer: &str,
        at: DateTime<Utc>,
        publish: bool,
        notice: Option<&motcua_core::dossier::event::Notification>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query("UPDATE feedback SET answer = $1, answered_at = $2, published = $3 WHERE id = $4 AND answer IS NULL")
            .bind(answer)
            .bind(micros(at))
            .bind(i64::from(publish))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            drop(tx);
            self.feedback(id).await?;
            return Err(StoreError::Conflict(format!(
                "feedback {id} is already answered"
            )));
        }
        if let Some(n) = notice {
            let subject: Option<String> =
                sqlx::query("SELECT dossier_id FROM feedback WHERE id = $1")
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await?
                    .try_get(0)?;
            sqlx::query(
                "INSERT INTO outbox (dossier_id, event_seq, kind, payload, created_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(subject.unwrap_or_else(|| format!("feedback:{id}")))
            .bind(0i64)
            .bind("notification")
            .bind(serde_json::to_string(n).map_err(StoreError::internal)?)
            .bind(micros(at))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The notifications waiting in the outbox for a dossier (or `feedback:<id>`), oldest
    /// first: (event sequence, payload JSON). Delivery is the notifications issue's.
    pub async fn outbox_of(&self, subject: &str) -> Result<Vec<(i64, String)>, StoreError> {
        sqlx::query("SELECT event_seq, payload FROM outbox WHERE dossier_id = $1 ORDER BY id")
            .bind(subject)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect()
    }

    /// One feedback item.
    pub async fn feedback(&self, id: &str) -> Result<Feedback, StoreError> {
        let sql = "SELECT id, agency_id, dossier_id, author, subject, body, created_at, due_at, answer, answered_at, published, contact FROM feedback WHERE id = $1";
        let r = sqlx::query(sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("feedback {id}")))?;
        feedback_from_row(&r)
    }

    /// Published answers, newest first.
    pub async fn published_feedback(&self, limit: u32) -> Result<Vec<Feedback>, StoreError> {
        let sql = "SELECT id, agency_id, dossier_id, author, subject, body, created_at, due_at, answer, answered_at, published, contact
                   FROM feedback WHERE published = 1 ORDER BY answered_at DESC LIMIT $1";
        sqlx::query(sql)
            .bind(i64::from(limit.max(1)))
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(feedback_from_row)
            .collect()
    }

    /// The feedback sent to an agency: the unanswered first, soonest due first; then the
    /// answered, latest answer first.
    pub async fn feedback_to(&self, agency: &str, limit: u32) -> Result<Vec<Feedback>, StoreError> {
        let sql = "SELECT id, agency_id, dossier_id, author, subject, body, created_at, due_at, answer, answered_at, published, contact
                   FROM feedback WHERE agency_id = $1
                   ORDER BY CASE WHEN answer IS NULL THEN 0 ELSE 1 END, CASE WHEN answer IS NULL THEN due_at ELSE -answered_at END, id
                   LIMIT $2";
        sqlx::query(sql)
            .bind(agency)
            .bind(i64::from(limit.max(1)))
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(feedback_from_row)
            .collect()
    }

    /// An account's own feedback, newest first.
    pub async fn feedback_by(&self, author: &str, limit: u32) -> Result<Vec<Feedback>, StoreError> {
        let sql = "SELECT id, agency_id, dossier_id, author, subject, body, created_at, due_at, answer, answered_at, published, contact
                   FROM feedback WHERE author = $1 ORDER BY created_at DESC LIMIT $2";
        sqlx::query(sql)
            .bind(author)
            .bind(i64::from(limit.max(1)))
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(feedback_from_row)
            .collect()
    }
}

pub(crate) async fn unanswered_to(
    pool: &sqlx::AnyPool,
    agency: &str,
) -> Result<Vec<Feedback>, StoreError> {
    let sql = "SELECT id, agency_id, dossier_id, author, subject, body, created_at, due_at, answer, answered_at, published, contact
               FROM feedback WHERE agency_id = $1 AND answered_at IS NULL ORDER BY due_at, id";
    sqlx::query(sql)
        .bind(agency)
        .fetch_all(pool)
        .await?
        .iter()
        .map(feedback_from_row)
        .collect()
}

fn feedback_from_row(r: &sqlx::any::AnyRow) -> Result<Feedback, StoreError> {
    Ok(Feedback {
        id: r.try_get(0)?,
        agency_id: r.try_get(1)?,
        dossier_id: r.try_get(2)?,
        author: r.try_get(3)?,
        subject: r.try_get(4)?,
        body: r.try_get(5)?,
        created_at: from_micros(r.try_get(6)?),
        due_at: from_micros(r.try_get(7)?),
        answer: r.try_get(8)?,
        answered_at: r.try_get::<Option<i64>, _>(9)?.map(from_micros),
        published: r.try_get::<i64, _>(10)? != 0,
        contact: r.try_get(11)?,
    })
}
