//! Drafts of online submissions: what an applicant has filled in so far, saved at every
//! page of the portal's submission sequence. The store keeps `data` as given (the
//! application layer's JSON); files are stored as attachments when they are uploaded and
//! named in `data` by their hash.

use chrono::{DateTime, Utc};
use sqlx::Row;

use crate::{Store, StoreError, from_micros, micros, sha256_hex};

/// A draft.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Draft {
    /// Its id: the id its dossier will have.
    pub id: String,
    /// The applicant's account.
    pub owner: String,
    /// The procedure's code.
    pub procedure: String,
    /// The receiving agency.
    pub agency: String,
    /// What has been filled in (JSON).
    pub data: String,
    /// Started at.
    pub created_at: DateTime<Utc>,
    /// Last saved at.
    pub updated_at: DateTime<Utc>,
    /// When it was submitted as its dossier, if it was.
    pub submitted_at: Option<DateTime<Utc>>,
}

impl Store {
    /// Starts a draft.
    pub async fn put_draft(&self, d: &Draft) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO drafts (id, owner, procedure_code, agency_id, data, created_at, updated_at, submitted_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&d.id)
        .bind(&d.owner)
        .bind(&d.procedure)
        .bind(&d.agency)
        .bind(&d.data)
        .bind(micros(d.created_at))
        .bind(micros(d.updated_at))
        .bind(d.submitted_at.map(micros))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// One draft of `owner` (anyone else's is not found).
    pub async fn draft(&self, id: &str, owner: &str) -> Result<Draft, StoreError> {
        sqlx::query("SELECT id, owner, procedure_code, agency_id, data, created_at, updated_at, submitted_at FROM drafts WHERE id = $1 AND owner = $2")
        .bind(id)
        .bind(owner)
        .fetch_optional(&self.pool)
        .await?
        .map(|r| draft_from_row(&r))
        .transpose()?
        .ok_or_else(|| StoreError::NotFound(format!("draft {id}")))
    }

    /// Saves what a draft says now. A draft already submitted is not changed: that is a
    /// conflict.
    pub async fn save_draft(
        &self,
        id: &str,
        owner: &str,
        data: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let done = sqlx::query(
            "UPDATE drafts SET data = $1, updated_at = $2 WHERE id = $3 AND owner = $4 AND submitted_at IS NULL",
        )
        .bind(data)
        .bind(micros(at))
        .bind(id)
        .bind(owner)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 1 {
            return Ok(());
        }
        self.draft(id, owner).await?;
        Err(StoreError::Conflict(format!(
            "draft {id} is already submitted"
        )))
    }

    /// Marks a draft submitted (again is harmless).
    pub async fn draft_submitted(
        &self,
        id: &str,
        owner: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE drafts SET submitted_at = $1 WHERE id = $2 AND owner = $3 AND submitted_at IS NULL",
        )
        .bind(micros(at))
        .bind(id)
        .bind(owner)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// An account's drafts not yet submitted, last saved first.
    pub async fn open_drafts(&self, owner: &str, limit: u32) -> Result<Vec<Draft>, StoreError> {
        sqlx::query(
            "SELECT id, owner, procedure_code, agency_id, data, created_at, updated_at, submitted_at FROM drafts WHERE owner = $1 AND submitted_at IS NULL ORDER BY updated_at DESC LIMIT $2",
        )
        .bind(owner)
        .bind(i64::from(limit.max(1)))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(draft_from_row)
        .collect()
    }

    /// Stores a file's bytes (once per content) and answers its SHA-256.
    pub async fn put_attachment(
        &self,
        bytes: &[u8],
        content_type: &str,
        at: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        let size = bytes.len() as u64;
        if size > self.attachment_limit {
            return Err(StoreError::TooLarge {
                size,
                limit: self.attachment_limit,
            });
        }
        let sha = sha256_hex(bytes);
        sqlx::query(
            "INSERT INTO attachments (sha256, size, content_type, bytes, created_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (sha256) DO NOTHING",
        )
        .bind(&sha)
        .bind(bytes.len() as i64)
        .bind(content_type)
        .bind(bytes.to_vec())
        .bind(micros(at))
        .execute(&self.pool)
        .await?;
        Ok(sha)
    }
}

fn draft_from_row(r: &sqlx::any::AnyRow) -> Result<Draft, StoreError> {
    Ok(Draft {
        id: r.try_get(0)?,
        owner: r.try_get(1)?,
        procedure: r.try_get(2)?,
        agency: r.try_get(3)?,
        data: r.try_get(4)?,
        created_at: from_micros(r.try_get(5)?),
        updated_at: from_micros(r.try_get(6)?),
        submitted_at: r.try_get::<Option<i64>, _>(7)?.map(from_micros),
    })
}
