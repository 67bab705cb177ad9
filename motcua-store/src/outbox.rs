//! Delivery of the outbox (docs/notifications.md). The outbox is written in each command's
//! transaction; here it is read, fanned out and delivered:
//!
//! 1. [`Store::undispatched`] lists notifications not yet fanned out; the caller (who knows
//!    the accounts and the dossier) resolves the recipients and [`Store::dispatch`] writes
//!    one delivery per channel and recipient and the portal inbox entries, and marks the
//!    notification dispatched, in one transaction. Keys make a second dispatch of the same
//!    notification (another server, a crash) write nothing twice.
//! 2. [`Store::claim`] leases due deliveries to one worker: `FOR UPDATE SKIP LOCKED` on
//!    PostgreSQL, so that the workers of several servers take different rows; one writer at
//!    a time on SQLite. The worker sends outside any transaction.
//! 3. [`Store::delivered`] or [`Store::failed`] record the outcome, only while the lease is
//!    still the worker's. A worker that dies mid-lease leaves its rows to be claimed again
//!    when the lease ends: a message may then be sent once more, never lost.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use sqlx::{AssertSqlSafe, Row};

use crate::{Backend, Store, StoreError, from_micros, micros};

/// A notification of the outbox, as the command wrote it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboxItem {
    /// Its id.
    pub id: i64,
    /// The dossier it is about, or `feedback:<id>`.
    pub subject_id: String,
    /// The event that carries it (0 for a notice no event carries).
    pub event_seq: i64,
    /// `notification`, or `alert` for a reminder to staff.
    pub kind: String,
    /// `motcua_core::script::Notification` as JSON.
    pub payload: String,
    /// When it was written.
    pub created_at: DateTime<Utc>,
}

/// One delivery to write when dispatching.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewDelivery {
    /// `email` or `sms`.
    pub channel: String,
    /// The address or phone number.
    pub recipient: String,
    /// What caused it (`accepted`, `supplement-requested`, ...), for the sender.
    pub kind: String,
    /// Subject line (email).
    pub title: String,
    /// The text.
    pub body: String,
    /// `skipped` when the channel is not configured here (kept for the record), else
    /// `pending`.
    pub state: &'static str,
    /// Why it was skipped.
    pub note: Option<String>,
}

/// One portal inbox entry to write when dispatching.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewInboxEntry {
    /// The account.
    pub account: String,
    /// Title.
    pub title: String,
    /// Text.
    pub body: String,
}

/// A delivery as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Delivery {
    /// Its id.
    pub id: i64,
    /// The notification it delivers.
    pub outbox_id: i64,
    /// The dossier (or `feedback:<id>`) it is about.
    pub subject_id: String,
    /// What caused it.
    pub kind: String,
    /// `email` or `sms`.
    pub channel: String,
    /// The address or phone number.
    pub recipient: String,
    /// Subject line.
    pub title: String,
    /// Text.
    pub body: String,
    /// The key a gateway that honours keys uses to send it once (`<outbox id>:<channel>:<n>`).
    pub idempotency_key: String,
    /// `pending`, `sent`, `dead` or `skipped`.
    pub state: String,
    /// Attempts so far.
    pub attempts: i64,
    /// When it is next due.
    pub next_at: DateTime<Utc>,
    /// The last failure.
    pub last_error: Option<String>,
    /// When it was written.
    pub created_at: DateTime<Utc>,
    /// When it was sent.
    pub sent_at: Option<DateTime<Utc>>,
}

/// An entry of an account's portal inbox.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InboxEntry {
    /// Its id.
    pub id: i64,
    /// The dossier (or `feedback:<id>`) it is about.
    pub subject_id: String,
    /// Title.
    pub title: String,
    /// Text.
    pub body: String,
    /// When it arrived.
    pub created_at: DateTime<Utc>,
    /// When the account read it.
    pub read_at: Option<DateTime<Utc>>,
}

const DELIVERY_COLUMNS: &str = "id, outbox_id, subject_id, kind, channel, recipient, title, body,
    idempotency_key, state, attempts, next_at, last_error, created_at, sent_at";

fn delivery(r: &sqlx::any::AnyRow) -> Result<Delivery, StoreError> {
    Ok(Delivery {
        id: r.try_get(0)?,
        outbox_id: r.try_get(1)?,
        subject_id: r.try_get(2)?,
        kind: r.try_get(3)?,
        channel: r.try_get(4)?,
        recipient: r.try_get(5)?,
        title: r.try_get(6)?,
        body: r.try_get(7)?,
        idempotency_key: r.try_get(8)?,
        state: r.try_get(9)?,
        attempts: r.try_get(10)?,
        next_at: from_micros(r.try_get(11)?),
        last_error: r.try_get(12)?,
        created_at: from_micros(r.try_get(13)?),
        sent_at: r.try_get::<Option<i64>, _>(14)?.map(from_micros),
    })
}

impl Store {
    /// Puts a notification that no command causes (an answer to an SMS lookup) in the
    /// outbox, about `subject_id`.
    pub async fn enqueue(
        &self,
        subject_id: &str,
        payload: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO outbox (dossier_id, event_seq, kind, payload, created_at) VALUES ($1, 0, 'notification', $2, $3)",
        )
        .bind(subject_id)
        .bind(payload)
        .bind(micros(now))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Notifications not yet dispatched, oldest first.
    pub async fn undispatched(&self, limit: u32) -> Result<Vec<OutboxItem>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, dossier_id, event_seq, payload, created_at, kind FROM outbox
             WHERE dispatched_at IS NULL ORDER BY id LIMIT $1",
        )
        .bind(i64::from(limit.max(1)))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(OutboxItem {
                    id: r.try_get(0)?,
                    subject_id: r.try_get(1)?,
                    event_seq: r.try_get(2)?,
                    payload: r.try_get(3)?,
                    created_at: from_micros(r.try_get(4)?),
                    kind: r.try_get(5)?,
                })
            })
            .collect()
    }

    /// Fans a notification out, in one transaction: its deliveries and inbox entries, and
    /// the notification marked dispatched. Answers whether this call dispatched it (another
    /// server may have done it first; then nothing is written).
    pub async fn dispatch(
        &self,
        outbox_id: i64,
        deliveries: &[NewDelivery],
        inbox: &[NewInboxEntry],
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query("SELECT dossier_id, dispatched_at FROM outbox WHERE id = $1")
            .bind(outbox_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("outbox {outbox_id}")))?;
        let subject: String = row.try_get(0)?;
        if row.try_get::<Option<i64>, _>(1)?.is_some() {
            return Ok(false);
        }
        let claimed = sqlx::query(
            "UPDATE outbox SET dispatched_at = $1 WHERE id = $2 AND dispatched_at IS NULL",
        )
        .bind(micros(now))
        .bind(outbox_id)
        .execute(&mut *tx)
        .await?;
        if claimed.rows_affected() != 1 {
            return Ok(false);
        }
        for (n, d) in deliveries.iter().enumerate() {
            sqlx::query(
                "INSERT INTO deliveries (outbox_id, subject_id, kind, channel, recipient, title, body,
                   idempotency_key, state, attempts, next_at, last_error, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10, $11, $10)
                 ON CONFLICT (idempotency_key) DO NOTHING",
            )
            .bind(outbox_id)
            .bind(&subject)
            .bind(&d.kind)
            .bind(&d.channel)
            .bind(&d.recipient)
            .bind(&d.title)
            .bind(&d.body)
            .bind(format!("{outbox_id}:{}:{n}", d.channel))
            .bind(d.state)
            .bind(micros(now))
            .bind(d.note.as_deref())
            .execute(&mut *tx)
            .await?;
        }
        for e in inbox {
            sqlx::query(
                "INSERT INTO inbox (account, outbox_id, subject_id, title, body, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (outbox_id, account) DO NOTHING",
            )
            .bind(&e.account)
            .bind(outbox_id)
            .bind(&subject)
            .bind(&e.title)
            .bind(&e.body)
            .bind(micros(now))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Leases up to `limit` due deliveries to `worker` until `now + lease`: those pending
    /// whose time has come and whose earlier lease, if any, has ended.
    pub async fn claim(
        &self,
        worker: &str,
        now: DateTime<Utc>,
        lease: Duration,
        limit: u32,
    ) -> Result<Vec<Delivery>, StoreError> {
        let skip = match self.backend {
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let sql = format!(
            "UPDATE deliveries SET lease_until = $1, leased_by = $2
             WHERE id IN (SELECT id FROM deliveries
                          WHERE state = 'pending' AND next_at <= $3
                            AND (lease_until IS NULL OR lease_until < $3)
                          ORDER BY next_at, id LIMIT $4{skip})
             RETURNING {DELIVERY_COLUMNS}"
        );
        // One writer at a time on SQLite (BEGIN IMMEDIATE), so two workers never take the
        // same row; on PostgreSQL the row locks do it.
        let mut tx = self.begin_write().await?;
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(micros(now + lease))
            .bind(worker)
            .bind(micros(now))
            .bind(i64::from(limit.max(1)))
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
        let mut out: Vec<Delivery> = rows.iter().map(delivery).collect::<Result<_, _>>()?;
        out.sort_by_key(|d| (d.next_at, d.id));
        Ok(out)
    }

    /// Records a delivery sent, if `worker` still holds its lease; answers whether it did.
    pub async fn delivered(
        &self,
        id: i64,
        worker: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE deliveries SET state = 'sent', sent_at = $1, attempts = attempts + 1,
               lease_until = NULL, last_error = NULL
             WHERE id = $2 AND leased_by = $3 AND state = 'pending'",
        )
        .bind(micros(now))
        .bind(id)
        .bind(worker)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records a failed attempt, if `worker` still holds the lease: the delivery is tried
    /// again at `retry_at`, or, with `None` (a permanent failure, or the attempts used up),
    /// goes to the dead letters.
    pub async fn failed(
        &self,
        id: i64,
        worker: &str,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE deliveries SET attempts = attempts + 1, lease_until = NULL, last_error = $1,
               state = CASE WHEN $2 IS NULL THEN 'dead' ELSE 'pending' END,
               next_at = COALESCE($2, next_at)
             WHERE id = $3 AND leased_by = $4 AND state = 'pending'",
        )
        .bind(error)
        .bind(retry_at.map(micros))
        .bind(id)
        .bind(worker)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Deliveries in a state (`pending`, `sent`, `dead`, `skipped`), newest first.
    pub async fn deliveries(&self, state: &str, limit: u32) -> Result<Vec<Delivery>, StoreError> {
        let sql = format!(
            "SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE state = $1 ORDER BY id DESC LIMIT $2"
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(state)
            .bind(i64::from(limit.max(1)))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(delivery).collect()
    }

    /// The deliveries of a dossier (or `feedback:<id>`), oldest first.
    pub async fn deliveries_of(&self, subject_id: &str) -> Result<Vec<Delivery>, StoreError> {
        let sql =
            format!("SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE subject_id = $1 ORDER BY id");
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(subject_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(delivery).collect()
    }

    /// Sends a dead delivery again: pending from `now`, its attempts counted from zero.
    /// Answers whether it was dead.
    pub async fn retry_delivery(&self, id: i64, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE deliveries SET state = 'pending', attempts = 0, next_at = $1, lease_until = NULL,
               leased_by = NULL
             WHERE id = $2 AND state = 'dead'",
        )
        .bind(micros(now))
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// How many deliveries are in each state.
    pub async fn delivery_counts(&self) -> Result<Vec<(String, i64)>, StoreError> {
        sqlx::query("SELECT state, COUNT(*) FROM deliveries GROUP BY state ORDER BY state")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect()
    }

    /// An account's portal inbox, newest first, with the number unread.
    pub async fn inbox(
        &self,
        account: &str,
        limit: u32,
    ) -> Result<(Vec<InboxEntry>, i64), StoreError> {
        let rows = sqlx::query(
            "SELECT id, subject_id, title, body, created_at, read_at FROM inbox
             WHERE account = $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(account)
        .bind(i64::from(limit.max(1)))
        .fetch_all(&self.pool)
        .await?;
        let entries = rows
            .iter()
            .map(|r| {
                Ok(InboxEntry {
                    id: r.try_get(0)?,
                    subject_id: r.try_get(1)?,
                    title: r.try_get(2)?,
                    body: r.try_get(3)?,
                    created_at: from_micros(r.try_get(4)?),
                    read_at: r.try_get::<Option<i64>, _>(5)?.map(from_micros),
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok((entries, self.unread(account).await?))
    }

    /// How many entries of an account's portal inbox are unread.
    pub async fn unread(&self, account: &str) -> Result<i64, StoreError> {
        Ok(
            sqlx::query("SELECT COUNT(*) FROM inbox WHERE account = $1 AND read_at IS NULL")
                .bind(account)
                .fetch_one(&self.pool)
                .await?
                .try_get(0)?,
        )
    }

    /// Marks an inbox entry read (only the account's own); answers whether there was one.
    pub async fn read_inbox(
        &self,
        account: &str,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE inbox SET read_at = COALESCE(read_at, $1) WHERE id = $2 AND account = $3",
        )
        .bind(micros(now))
        .bind(id)
        .bind(account)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The channels `account` chose: (email, SMS); both when it never chose.
    pub async fn channels(&self, account: &str) -> Result<(bool, bool), StoreError> {
        let row = sqlx::query("SELECT email, sms FROM notification_prefs WHERE account = $1")
            .bind(account)
            .fetch_optional(&self.pool)
            .await?;
        Ok(match row {
            Some(r) => (r.try_get::<i64, _>(0)? != 0, r.try_get::<i64, _>(1)? != 0),
            None => (true, true),
        })
    }

    /// Records the channels `account` chose.
    pub async fn set_channels(
        &self,
        account: &str,
        email: bool,
        sms: bool,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO notification_prefs (account, email, sms, updated_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (account) DO UPDATE SET email = $2, sms = $3, updated_at = $4",
        )
        .bind(account)
        .bind(i64::from(email))
        .bind(i64::from(sms))
        .bind(micros(now))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The newest template of the notices of `kind`, if an administrator wrote one.
    pub async fn notice_template(&self, kind: &str) -> Result<Option<NoticeTemplate>, StoreError> {
        let row = sqlx::query(
            "SELECT kind, version, title, body, created_by, created_at FROM notice_templates
             WHERE kind = $1 ORDER BY version DESC LIMIT 1",
        )
        .bind(kind)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(template).transpose()
    }

    /// Every version of the templates of `kind`, newest first.
    pub async fn notice_template_versions(
        &self,
        kind: &str,
    ) -> Result<Vec<NoticeTemplate>, StoreError> {
        sqlx::query(
            "SELECT kind, version, title, body, created_by, created_at FROM notice_templates
             WHERE kind = $1 ORDER BY version DESC",
        )
        .bind(kind)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(template)
        .collect()
    }

    /// Stores a new version of the template of `kind`; answers its version.
    pub async fn put_notice_template(
        &self,
        kind: &str,
        title: &str,
        body: &str,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let mut tx = self.begin_write().await?;
        let version: i64 = sqlx::query(
            "SELECT COALESCE(MAX(version), 0) + 1 FROM notice_templates WHERE kind = $1",
        )
        .bind(kind)
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
        sqlx::query(
            "INSERT INTO notice_templates (kind, version, title, body, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(kind)
        .bind(version)
        .bind(title)
        .bind(body)
        .bind(by)
        .bind(micros(now))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(version)
    }
}

/// A version of an administrator's template of a notice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NoticeTemplate {
    /// The event kind (`accepted`, `supplement-requested`, ...).
    pub kind: String,
    /// Its version, from 1.
    pub version: i64,
    /// The title (the mail's subject), with placeholders.
    pub title: String,
    /// The text, with placeholders.
    pub body: String,
    /// Who wrote it.
    pub created_by: String,
    /// When.
    pub created_at: DateTime<Utc>,
}

fn template(r: &sqlx::any::AnyRow) -> Result<NoticeTemplate, StoreError> {
    Ok(NoticeTemplate {
        kind: r.try_get(0)?,
        version: r.try_get(1)?,
        title: r.try_get(2)?,
        body: r.try_get(3)?,
        created_by: r.try_get(4)?,
        created_at: from_micros(r.try_get(5)?),
    })
}
