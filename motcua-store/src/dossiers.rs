//! Executing commands: one transaction per command, with the version check, the dossier-code
//! counter, attachments, events, projection and outbox.

use chrono::{DateTime, Utc};
use motcua_core::calendar::{WorkingCalendar, vn_offset};
use motcua_core::dossier::{self, Actor, Command, Ctx, Dossier, Event, RecordedEvent, State};
use motcua_core::procedure::Procedure;
use sqlx::{Any, Row, Transaction};
use std::sync::Arc;

use crate::{Store, StoreError, micros, sha256_hex};

/// A file uploaded with a command (e.g. the signed result).
#[derive(Clone, Debug)]
pub struct NewAttachment {
    /// The bytes.
    pub bytes: Vec<u8>,
    /// Its MIME type.
    pub content_type: String,
}

/// Everything [`Store::execute`] needs.
pub struct ExecuteRequest<'a> {
    /// The dossier (created by a `submit`).
    pub dossier_id: &'a str,
    /// The receiving agency, used when the dossier is new.
    pub agency: &'a str,
    /// The command. For `accept`, the store allocates the sequence and ignores the one given.
    pub command: Command,
    /// Who acts.
    pub actor: &'a Actor,
    /// Now.
    pub now: DateTime<Utc>,
    /// The procedure version the dossier follows.
    pub procedure: &'a Procedure,
    /// The agency's calendar.
    pub calendar: &'a Arc<WorkingCalendar>,
    /// The version the caller saw; a different current version is a conflict.
    pub expected_version: Option<u64>,
    /// Files referenced by the command, stored atomically with its events.
    pub attachments: Vec<NewAttachment>,
}

fn referenced(command: &Command) -> Vec<&str> {
    match command {
        Command::AttachDraft { attachment } | Command::AttachSignedResult { attachment } => {
            vec![attachment.sha256.as_str()]
        }
        _ => Vec::new(),
    }
}

fn json<T: serde::Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(StoreError::internal)
}

pub(crate) async fn load(
    tx: &mut Transaction<'static, Any>,
    id: &str,
) -> Result<Option<Dossier>, StoreError> {
    let row = sqlx::query("SELECT body FROM dossiers WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    match row {
        None => Ok(None),
        Some(r) => {
            let body: String = r.try_get(0)?;
            serde_json::from_str(&body)
                .map(Some)
                .map_err(StoreError::internal)
        }
    }
}

impl Store {
    /// Loads the dossier, lets the engine decide, and writes the events, the projection, the
    /// outbox and any attachments in one transaction. A refusal writes nothing; a concurrent
    /// change is a [`StoreError::Conflict`], never a lost update.
    ///
    /// Dossiers this store wrote recently are kept in memory, which saves reading them back
    /// at the start of the next command; the `WHERE version = ...` guard and the event
    /// sequence key catch a copy that another process made stale, and any failure on a
    /// remembered copy is decided again on what is stored.
    pub async fn execute(&self, req: ExecuteRequest<'_>) -> Result<Vec<RecordedEvent>, StoreError> {
        for a in &req.attachments {
            let size = a.bytes.len() as u64;
            if size > self.attachment_limit {
                return Err(StoreError::TooLarge {
                    size,
                    limit: self.attachment_limit,
                });
            }
        }
        let remembered = self.remembered(req.dossier_id);
        let known = match (remembered, &req.command) {
            (Some(d), _) => Some(Some(d)),
            // A submission names a new dossier: if it exists after all, the inserts conflict.
            (None, Command::Submit { .. }) => Some(None),
            (None, _) => None,
        };
        if let Some(known) = known {
            match self.execute_once(&req, Some(known)).await {
                Ok(events) => return Ok(events),
                Err(StoreError::TooLarge { size, limit }) => {
                    return Err(StoreError::TooLarge { size, limit });
                }
                Err(_) => self.forget(req.dossier_id),
            }
        }
        self.execute_once(&req, None).await
    }

    /// One attempt: `known` is the dossier as remembered (`Some(None)`: known not to exist),
    /// or `None` to read it in the transaction.
    async fn execute_once(
        &self,
        req: &ExecuteRequest<'_>,
        known: Option<Option<Dossier>>,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        // Instants are stored to the microsecond: events are sealed at that precision, so
        // that their hashes still match when they are read back.
        let now = crate::from_micros(micros(req.now));
        let mut tx = self.begin_write().await?;
        let current = match known {
            Some(d) => d,
            None => load(&mut tx, req.dossier_id).await?,
        };
        let is_new = current.is_none();
        let mut d = current.unwrap_or_else(|| Dossier::new(req.dossier_id, req.agency));
        if let Some(v) = req.expected_version
            && d.version != v
        {
            return Err(StoreError::Conflict(format!(
                "dossier {} is at version {}, not {v}",
                d.id, d.version
            )));
        }
        let before = d.version;
        let mut command = req.command.clone();
        if let Command::Accept { sequence } = &mut command
            && d.state == State::Submitted
        {
            // One counter per agency per local date; the row lock (PostgreSQL) or the write
            // lock (SQLite) serializes acceptances, and a refusal rolls the increment back.
            let day = now
                .with_timezone(&vn_offset())
                .format("%Y-%m-%d")
                .to_string();
            let row = sqlx::query(
                "INSERT INTO code_counters (agency_id, day, value) VALUES ($1, $2, 1)
                     ON CONFLICT (agency_id, day) DO UPDATE SET value = code_counters.value + 1
                     RETURNING value",
            )
            .bind(&d.agency)
            .bind(&day)
            .fetch_one(&mut *tx)
            .await?;
            let value: i64 = row.try_get(0)?;
            *sequence = u32::try_from(value).map_err(StoreError::internal)?;
        }
        let ctx = Ctx {
            now,
            actor: req.actor,
            procedure: req.procedure,
            calendar: req.calendar,
        };
        let events = dossier::execute(&mut d, &command, &ctx).map_err(StoreError::Rejected)?;

        // Attachments: those uploaded now are stored; those referenced must exist.
        let mut uploaded = Vec::new();
        for a in &req.attachments {
            let sha = sha256_hex(&a.bytes);
            sqlx::query(
                "INSERT INTO attachments (sha256, size, content_type, bytes, created_at) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (sha256) DO NOTHING",
            )
            .bind(&sha)
            .bind(a.bytes.len() as i64)
            .bind(&a.content_type)
            .bind(a.bytes.clone())
            .bind(micros(now))
            .execute(&mut *tx)
            .await?;
            uploaded.push(sha);
        }
        for sha in referenced(&command) {
            if !uploaded.iter().any(|u| u == sha) {
                let found = sqlx::query("SELECT 1 FROM attachments WHERE sha256 = $1")
                    .bind(sha)
                    .fetch_optional(&mut *tx)
                    .await?;
                if found.is_none() {
                    return Err(StoreError::NotFound(format!("attachment {sha}")));
                }
            }
        }

        let status = i64::from(d.national_status());
        for e in &events {
            sqlx::query(
                "INSERT INTO events (dossier_id, seq, at, actor, event, prev_hash, hash, national_status)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(&d.id)
            .bind(e.seq as i64)
            .bind(micros(e.at))
            .bind(json(&e.actor)?)
            .bind(json(&e.event)?)
            .bind(&e.prev_hash)
            .bind(&e.hash)
            .bind(status)
            .execute(&mut *tx)
            .await?;
            let outbox = match &e.event {
                Event::Notified { notification } => Some(("notification", json(notification)?)),
                Event::Rated { score, comment } => {
                    sqlx::query("INSERT INTO ratings (dossier_id, score, comment, created_at) VALUES ($1, $2, $3, $4)")
                        .bind(&d.id)
                        .bind(i64::from(*score))
                        .bind(comment)
                        .bind(micros(e.at))
                        .execute(&mut *tx)
                        .await?;
                    None
                }
                _ => None,
            };
            if let Some((kind, payload)) = outbox {
                sqlx::query("INSERT INTO outbox (dossier_id, event_seq, kind, payload, created_at) VALUES ($1, $2, $3, $4, $5)")
                    .bind(&d.id)
                    .bind(e.seq as i64)
                    .bind(kind)
                    .bind(payload)
                    .bind(micros(e.at))
                    .execute(&mut *tx)
                    .await?;
            }
        }
        let step_role = d
            .step
            .as_deref()
            .and_then(|st| req.procedure.step(st))
            .map(|st| st.role.as_str());
        write_projection(
            &mut tx,
            &d,
            &req.procedure.catalogue.field,
            step_role,
            is_new,
            before,
            now,
        )
        .await?;
        tx.commit().await?;
        self.remember(d);
        Ok(events)
    }

    /// An attachment's bytes, checked against their SHA-256.
    pub async fn attachment(&self, sha256: &str) -> Result<(String, Vec<u8>), StoreError> {
        let row = sqlx::query("SELECT content_type, bytes FROM attachments WHERE sha256 = $1")
            .bind(sha256)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("attachment {sha256}")))?;
        let content_type: String = row.try_get(0)?;
        let bytes: Vec<u8> = row.try_get(1)?;
        if sha256_hex(&bytes) != sha256 {
            return Err(StoreError::Integrity(format!(
                "attachment {sha256} does not match its checksum"
            )));
        }
        Ok((content_type, bytes))
    }
}

/// Writes a dossier's projection row: inserts it when new, else updates it if its version is
/// still `before`.
pub(crate) async fn write_projection(
    tx: &mut Transaction<'static, Any>,
    d: &Dossier,
    field: &str,
    step_role: Option<&str>,
    is_new: bool,
    before: u64,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let code = d.code.as_ref().map(ToString::to_string);
    let search = motcua_core::text::fold(&format!(
        "{} {} {}",
        d.applicant.name,
        d.applicant.id_number,
        code.as_deref().unwrap_or("")
    ));
    let open = !d.state.is_closed() && d.state != State::Finished;
    let finished_at = match d.state {
        State::Finished | State::Returned => d.slip.last().and_then(|r| r.left_at),
        _ => None,
    };
    let sql = if is_new {
        "INSERT INTO dossiers (agency_id, procedure_code, procedure_version, field, version, state,
           national_status, code, owner, channel, applicant_name, search_text, step, step_role, assignee,
           submitted_at, accepted_at, appointment, original_appointment, finished_at, closed_at, timeliness,
           updated_at, body, supplement_rounds, id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
           $21, $22, $23, $24, $25, $26)"
    } else {
        "UPDATE dossiers SET agency_id = $1, procedure_code = $2, procedure_version = $3, field = $4,
           version = $5, state = $6, national_status = $7, code = $8, owner = $9, channel = $10,
           applicant_name = $11, search_text = $12, step = $13, step_role = $14, assignee = $15,
           submitted_at = $16, accepted_at = $17, appointment = $18, original_appointment = $19,
           finished_at = $20, closed_at = $21, timeliness = $22, updated_at = $23, body = $24,
           supplement_rounds = $25
         WHERE id = $26 AND version = $27"
    };
    let mut q = sqlx::query(sql)
        .bind(&d.agency)
        .bind(&d.procedure)
        .bind(&d.procedure_version)
        .bind(field)
        .bind(d.version as i64)
        .bind(d.state.to_string())
        .bind(i64::from(d.national_status()))
        .bind(code)
        .bind(d.owner.as_deref())
        .bind(d.channel.map(|c| format!("{c:?}").to_lowercase()))
        .bind(&d.applicant.name)
        .bind(search)
        .bind(d.step.as_deref().filter(|_| open))
        .bind(step_role.filter(|_| open))
        .bind(d.assignee.as_deref())
        .bind(d.submitted_at.map(micros))
        .bind(d.accepted_at.map(micros))
        .bind(d.clock.appointment.map(micros))
        .bind(d.clock.original_appointment.map(micros))
        .bind(finished_at.map(micros))
        .bind(d.closed_at.map(micros))
        .bind(d.timeliness.map(|t| format!("{t:?}").to_lowercase()))
        .bind(micros(now))
        .bind(json(d)?)
        .bind(i64::from(d.supplement_rounds))
        .bind(&d.id);
    if !is_new {
        q = q.bind(before as i64);
    }
    let done = q.execute(&mut **tx).await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Conflict(format!(
            "dossier {} changed concurrently",
            d.id
        )));
    }
    Ok(())
}
