//! Counters that hold back repeated attempts (failed logins, registrations), in the
//! database so that every server sharing it counts together. The policy (how many, how
//! long) belongs to the server; the store counts and remembers.

use chrono::{DateTime, TimeDelta, Utc};
use sqlx::Row;

use crate::{Store, StoreError, from_micros, micros};

impl Store {
    /// The latest instant until which any of `keys` is held back, if it is after `now`.
    pub async fn throttled_until(
        &self,
        keys: &[String],
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        let mut latest = None;
        for key in keys {
            let row = sqlx::query("SELECT blocked_until FROM throttles WHERE key = $1")
                .bind(key)
                .fetch_optional(&self.pool)
                .await?;
            if let Some(r) = row {
                let until = from_micros(r.try_get(0)?);
                if until > now && latest.is_none_or(|l| until > l) {
                    latest = Some(until);
                }
            }
        }
        Ok(latest)
    }

    /// Counts one more attempt under `key` and returns how many there have been since the
    /// count last started: it starts again at 1 when the previous attempt is older than
    /// `window`.
    pub async fn throttle_count(
        &self,
        key: &str,
        now: DateTime<Utc>,
        window: TimeDelta,
    ) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "INSERT INTO throttles (key, count, last_at, blocked_until) VALUES ($1, 1, $2, 0)
             ON CONFLICT (key) DO UPDATE SET
               count = CASE WHEN throttles.last_at <= $3 THEN 1 ELSE throttles.count + 1 END,
               last_at = $2
             RETURNING count",
        )
        .bind(key)
        .bind(micros(now))
        .bind(micros(now - window))
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get(0)?)
    }

    /// Holds `key` back until `until`.
    pub async fn throttle_block(&self, key: &str, until: DateTime<Utc>) -> Result<(), StoreError> {
        sqlx::query("UPDATE throttles SET blocked_until = $1 WHERE key = $2")
            .bind(micros(until))
            .bind(key)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Forgets `key` (e.g. after a successful login).
    pub async fn throttle_clear(&self, key: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM throttles WHERE key = $1")
            .bind(key)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Removes counters whose last attempt is before `before` and that hold nothing back.
    pub async fn prune_throttles(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM throttles WHERE last_at < $1 AND blocked_until < $1")
            .bind(micros(before))
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }
}
