//! Jobs that one server at a time runs (the alerts, docs/notifications.md): a lease per job
//! in the database, so that every server sharing it agrees on who runs it; and the alerts
//! raised, each once, with its notice put in the outbox in the same transaction.

use chrono::{DateTime, Duration, Utc};

use motcua_core::dossier::Dossier;
use sqlx::Row;

use crate::{Store, StoreError, micros};

impl Store {
    /// Takes (or renews) the lease of job `name` for `holder` until `now + ttl`, if it is
    /// free, ended, or already the holder's; answers whether `holder` has it.
    pub async fn take_job(
        &self,
        name: &str,
        holder: &str,
        now: DateTime<Utc>,
        ttl: Duration,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO job_leases (name, holder, until_at) VALUES ($1, $2, $3)
             ON CONFLICT (name) DO UPDATE SET holder = $2, until_at = $3
               WHERE job_leases.until_at < $4 OR job_leases.holder = $2
             RETURNING name",
        )
        .bind(name)
        .bind(holder)
        .bind(micros(now + ttl))
        .bind(micros(now))
        .fetch_optional(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(row.is_some())
    }

    /// Raises the alert `key` once: records it and puts its notice (`payload`, about
    /// `subject_id`) in the outbox, in one transaction. Answers whether it was new.
    pub async fn raise_alert(
        &self,
        key: &str,
        subject_id: &str,
        payload: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let new = sqlx::query(
            "INSERT INTO alerts (key, raised_at) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
        )
        .bind(key)
        .bind(micros(now))
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if new {
            sqlx::query(
                "INSERT INTO outbox (dossier_id, event_seq, kind, payload, created_at)
                 VALUES ($1, 0, 'alert', $2, $3)",
            )
            .bind(subject_id)
            .bind(payload)
            .bind(micros(now))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(new)
    }

    /// An agency's dossiers waiting for a supplement, longest waiting first. Not indexed:
    /// it reads the agency's rows in that state (run by the alert job, not by requests).
    pub async fn awaiting_supplement(
        &self,
        agency: &str,
        limit: u32,
    ) -> Result<Vec<Dossier>, StoreError> {
        sqlx::query(
            "SELECT body FROM dossiers WHERE agency_id = $1 AND state = 'awaiting-supplement'
             ORDER BY updated_at, id LIMIT $2",
        )
        .bind(agency)
        .bind(i64::from(limit.max(1)))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            serde_json::from_str(&r.try_get::<String, _>(0)?)
                .map_err(|e| StoreError::Integrity(format!("dossier body: {e}")))
        })
        .collect()
    }
}
