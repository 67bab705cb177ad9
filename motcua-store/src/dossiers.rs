//! Executing commands: one transaction per command, with the version check, the dossier-code
//! counter, attachments, events, projection and outbox.

use chrono::{DateTime, Utc};
use motcua_core::calendar::{WorkingCalendar, vn_offset};
use motcua_core::dossier::{
    self, Actor, AgencyId, Command, Ctx, Dossier, Event, RecordedEvent, State,
};
use motcua_core::procedure::Procedure;
use sqlx::any::AnyArguments;
use sqlx::{Any, Arguments, Row, Transaction};
use std::collections::BTreeMap;
use std::sync::Arc;

use crate::legal_clock;
use crate::queries::NO_DUE;
use crate::{Backend, Store, StoreError, micros, sha256_hex};

/// A file uploaded with a command (e.g. the signed result).
#[derive(Clone, Debug)]
pub struct NewAttachment {
    /// The bytes.
    pub bytes: Vec<u8>,
    /// Its MIME type.
    pub content_type: String,
}

/// What [`Store::execute`] answers: the dossier as the command left it, and the events it
/// recorded.
#[derive(Clone, Debug)]
pub struct Executed {
    /// The dossier after the command.
    pub dossier: Dossier,
    /// The events the command recorded, in order.
    pub events: Vec<RecordedEvent>,
}

/// Everything [`Store::execute`] needs.
pub struct ExecuteRequest<'a> {
    /// The dossier (created by a `submit`).
    pub dossier_id: &'a str,
    /// The receiving agency, used when the dossier is new.
    pub agency: &'a AgencyId,
    /// The command. For `accept`, the store allocates the sequence from the agency's counter
    /// for the day and ignores the one given (callers pass 0).
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
        Command::Submit { files, .. } | Command::ReceiveSupplement { files, .. } => {
            files.iter().map(|f| f.attachment.sha256.as_str()).collect()
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
    pub async fn execute(&self, req: ExecuteRequest<'_>) -> Result<Executed, StoreError> {
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
    ) -> Result<Executed, StoreError> {
        // Instants are stored to the microsecond: events are sealed at that precision, so
        // that their hashes still match when they are read back.
        let now = crate::from_micros(micros(req.now));
        if self.backend == Backend::Sqlite && req.attachments.is_empty() {
            self.execute_sqlite(req, known, now).await
        } else {
            self.execute_in_transaction(req, known, now).await
        }
    }

    /// The general path: a transaction, then one statement at a time.
    async fn execute_in_transaction(
        &self,
        req: &ExecuteRequest<'_>,
        known: Option<Option<Dossier>>,
        now: DateTime<Utc>,
    ) -> Result<Executed, StoreError> {
        let mut tx = self.begin_write().await?;
        let current = match known {
            Some(d) => d,
            None => load(&mut tx, req.dossier_id).await?,
        };
        let mut command = req.command.clone();
        if let Command::Accept { sequence } = &mut command
            && needs_counter(&req.command, current.as_ref())
        {
            let agency = current
                .as_ref()
                .map_or(req.agency.as_str(), |d| d.agency.as_str());
            // One counter per agency per local date; the row lock (PostgreSQL) or the write
            // lock (SQLite) serializes acceptances, and a refusal rolls the increment back.
            let row = sqlx::query(COUNTER_SQL)
                .bind(agency)
                .bind(local_day(now))
                .fetch_one(&mut *tx)
                .await?;
            let value: i64 = row.try_get(0)?;
            *sequence = u32::try_from(value).map_err(StoreError::internal)?;
        }
        let decided = decide(req, current, &command, now)?;

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

        let statements = decided.statements(req.procedure, now)?;
        for (i, st) in statements.into_iter().enumerate() {
            let done = st.query().execute(&mut *tx).await?;
            // The first statement writes the projection, guarded by the version read.
            if i == 0 && done.rows_affected() != 1 {
                return Err(StoreError::Conflict(format!(
                    "dossier {} changed concurrently",
                    decided.dossier.id
                )));
            }
        }
        tx.commit().await?;
        let Decided {
            dossier, events, ..
        } = decided;
        self.remember(dossier.clone());
        Ok(Executed { dossier, events })
    }

    /// The SQLite path for commands without uploads. sqlx hands every statement to the
    /// connection's worker thread and waits for the answer (~90 µs each), so statements are
    /// sent in as few batches as the decision allows: `BEGIN IMMEDIATE` with the read of the
    /// dossier (unless remembered) and the code counter (for an acceptance), then the
    /// projection, the guard, the events, the outbox and `COMMIT` as one batch. A command on
    /// a remembered dossier is a single batch.
    ///
    /// A stale copy cannot commit: the guard fails the batch when the projection's version
    /// did not match, and the events' `(dossier, seq)` key fails it when another writer
    /// appended first. A connection left inside a transaction (a failed batch, a caller that
    /// gave up half-way) is closed, never returned to the pool.
    async fn execute_sqlite(
        &self,
        req: &ExecuteRequest<'_>,
        known: Option<Option<Dossier>>,
        now: DateTime<Utc>,
    ) -> Result<Executed, StoreError> {
        let mut held = Held {
            conn: self.pool.acquire().await?,
            clean: false,
        };
        let mut began = false;
        let current = match known {
            Some(d) => d,
            None => {
                began = true;
                let rows = sqlx::query("BEGIN IMMEDIATE; SELECT body FROM dossiers WHERE id = $1")
                    .bind(req.dossier_id)
                    .fetch_all(&mut *held.conn)
                    .await?;
                match rows.first() {
                    None => None,
                    Some(r) => {
                        let body: String = r.try_get(0)?;
                        Some(serde_json::from_str(&body).map_err(StoreError::internal)?)
                    }
                }
            }
        };
        let mut command = req.command.clone();
        if let Command::Accept { sequence } = &mut command
            && let Some(d) = current.as_ref().filter(|d| d.state == State::Submitted)
        {
            let sql = if began {
                COUNTER_SQL.to_string()
            } else {
                format!("BEGIN IMMEDIATE; {COUNTER_SQL}")
            };
            began = true;
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(d.agency.as_str())
                .bind(local_day(now))
                .fetch_all(&mut *held.conn)
                .await?;
            let value: i64 = rows
                .first()
                .ok_or_else(|| StoreError::internal("the code counter returned no row"))?
                .try_get(0)?;
            *sequence = u32::try_from(value).map_err(StoreError::internal)?;
        }
        let decided = match decide(req, current, &command, now) {
            Ok(d) => d,
            Err(e) => return Err(held.give_up(began, e).await),
        };
        for sha in referenced(&command) {
            let found = sqlx::query("SELECT 1 FROM attachments WHERE sha256 = $1")
                .bind(sha)
                .fetch_optional(&mut *held.conn)
                .await?;
            if found.is_none() {
                let missing = StoreError::NotFound(format!("attachment {sha}"));
                return Err(held.give_up(began, missing).await);
            }
        }
        let mut batch = Batch::default();
        if !began {
            batch.raw("BEGIN IMMEDIATE");
        }
        for (i, st) in decided
            .statements(req.procedure, now)?
            .into_iter()
            .enumerate()
        {
            batch.push(st)?;
            if i == 0 {
                batch.raw("INSERT INTO write_guard (ok) SELECT 0 WHERE changes() <> 1");
            }
        }
        batch.raw("COMMIT");
        sqlx::query_with(sqlx::AssertSqlSafe(batch.sql), batch.args)
            .execute(&mut *held.conn)
            .await
            .map_err(|e| match StoreError::from(e) {
                StoreError::Db(m) if m.contains("stale_version") => StoreError::Conflict(format!(
                    "dossier {} changed concurrently",
                    decided.dossier.id
                )),
                other => other,
            })?;
        held.clean = true;
        let Decided {
            dossier, events, ..
        } = decided;
        self.remember(dossier.clone());
        Ok(Executed { dossier, events })
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

/// A change of calendar to bring into force for dossiers in flight ([`Store::reproject`]).
pub struct ReprojectRequest<'a> {
    /// The calendar now in force for the dossiers' agency, labelled with its version.
    pub calendar: &'a Arc<WorkingCalendar>,
    /// The instant the change counts from.
    pub effective_at: DateTime<Utc>,
    /// Who applies it (the system, for the job; the officer whose command finds the dossier
    /// behind).
    pub actor: &'a Actor,
    /// Now.
    pub now: DateTime<Utc>,
}

/// What [`Store::reproject`] did to each dossier.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reprojected {
    /// Dossiers read.
    pub examined: u64,
    /// Dossiers whose deadlines moved (one `deadlines reprojected` event each).
    pub moved: u64,
    /// Dossiers left as they were: nothing of theirs moved, or they were closed or changed
    /// by a command meanwhile (a later pass, or the command's own path, takes them).
    pub unchanged: u64,
}

impl Store {
    /// Brings a change of calendar into force for the dossiers `ids`, in one transaction:
    /// each dossier is read, the engine decides which of its deadlines move
    /// ([`motcua_core::dossier::reproject::apply_change`]) under the calendar its deadlines
    /// were computed with (`previous`, by the version the dossier records), and the dossiers
    /// whose deadlines move get their event, projection, legal-clock row and notice. Every
    /// dossier is either before or after the change, never between; running it again on the
    /// same dossiers changes nothing. `procedures` gives the procedure version of each
    /// dossier, `previous` the calendar of each version the dossiers record (`None`: the
    /// calendar for dossiers that record none).
    pub async fn reproject(
        &self,
        ids: &[String],
        req: &ReprojectRequest<'_>,
        previous: &(dyn Fn(Option<&str>) -> Option<Arc<WorkingCalendar>> + Sync),
        procedures: &(dyn Fn(&str, &str) -> Option<Procedure> + Sync),
    ) -> Result<Reprojected, StoreError> {
        let now = crate::from_micros(micros(req.now));
        let mut report = Reprojected::default();
        let mut tx = self.begin_write().await?;
        let mut written = Vec::new();
        for id in ids {
            report.examined += 1;
            let Some(mut d) = load(&mut tx, id).await? else {
                report.unchanged += 1;
                continue;
            };
            let (Some(old), Some(procedure)) = (
                previous(d.calendar_version.as_deref()),
                procedures(&d.procedure, &d.procedure_version),
            ) else {
                report.unchanged += 1;
                continue;
            };
            if d.state.is_closed() {
                report.unchanged += 1;
                continue;
            }
            let before = d.version;
            let legal_before = legal_clock::Legal {
                appointment: d.clock.original_appointment,
                paused: d.clock.paused.is_some(),
            };
            let ctx = Ctx {
                now,
                actor: req.actor,
                procedure: &procedure,
                calendar: req.calendar,
            };
            let events = dossier::reproject::apply_change(&mut d, &old, &ctx, req.effective_at)
                .map_err(StoreError::Rejected)?;
            if events.is_empty() {
                report.unchanged += 1;
                continue;
            }
            let decided = Decided {
                dossier: d,
                events,
                is_new: false,
                before,
                legal_before,
            };
            for (i, st) in decided.statements(&procedure, now)?.into_iter().enumerate() {
                let done = st.query().execute(&mut *tx).await?;
                if i == 0 && done.rows_affected() != 1 {
                    return Err(StoreError::Conflict(format!(
                        "dossier {} changed concurrently",
                        decided.dossier.id
                    )));
                }
            }
            report.moved += 1;
            written.push(decided.dossier);
        }
        tx.commit().await?;
        for d in written {
            self.remember(d);
        }
        Ok(report)
    }

    /// Open dossiers of `agency` whose deadlines were not computed with `version`, in id order
    /// after `after`, at most `limit`, each with the version it records: the dossiers a
    /// change of calendar may concern.
    pub async fn dossiers_behind_calendar(
        &self,
        agency: &str,
        version: &str,
        after: &str,
        limit: u32,
    ) -> Result<Vec<(String, Option<String>)>, StoreError> {
        sqlx::query(
            "SELECT id, calendar_version FROM dossiers
             WHERE agency_id = $1 AND id > $2
               AND state NOT IN ('returned-for-completion', 'refused', 'withdrawn', 'stopped', 'returned')
               AND (calendar_version IS NULL OR calendar_version <> $3)
             ORDER BY id LIMIT $4",
        )
        .bind(agency)
        .bind(after)
        .bind(version)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| Ok((r.try_get::<String, _>(0)?, r.try_get::<Option<String>, _>(1)?)))
        .collect()
    }

    /// How many open dossiers of `agency` were not computed with calendar `version`.
    pub async fn count_behind_calendar(
        &self,
        agency: &str,
        version: &str,
    ) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query(
            "SELECT COUNT(*) FROM dossiers
             WHERE agency_id = $1
               AND state NOT IN ('returned-for-completion', 'refused', 'withdrawn', 'stopped', 'returned')
               AND (calendar_version IS NULL OR calendar_version <> $2)",
        )
        .bind(agency)
        .bind(version)
        .fetch_one(&self.pool)
        .await?
        .try_get(0)?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// The open dossiers of `agency` in id order after `after`, at most `limit`.
    pub async fn open_dossiers_of(
        &self,
        agency: &str,
        after: &str,
        limit: u32,
    ) -> Result<Vec<Dossier>, StoreError> {
        sqlx::query(
            "SELECT body FROM dossiers
             WHERE agency_id = $1 AND id > $2
               AND state NOT IN ('returned-for-completion', 'refused', 'withdrawn', 'stopped', 'returned')
             ORDER BY id LIMIT $3",
        )
        .bind(agency)
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            let body: String = r.try_get(0)?;
            serde_json::from_str(&body).map_err(StoreError::internal)
        })
        .collect()
    }
}

/// Dossiers in flight moved on purpose to a new version of their procedure
/// ([`Store::migrate_dossiers`]).
pub struct MigrateRequest<'a> {
    /// The version each dossier is expected to follow now, by version (each dossier is
    /// migrated from the version it records).
    pub from: &'a (dyn Fn(&str) -> Option<Procedure> + Sync),
    /// The version to follow.
    pub to: &'a Procedure,
    /// Old step → new step.
    pub mapping: &'a BTreeMap<String, String>,
    /// The calendar of each dossier's agency, by agency.
    pub calendar: &'a (dyn Fn(&str) -> Option<Arc<WorkingCalendar>> + Sync),
    /// Who migrates them.
    pub actor: &'a Actor,
    /// Now.
    pub now: DateTime<Utc>,
}

/// What [`Store::migrate_dossiers`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Migrated {
    /// Dossiers read.
    pub examined: u64,
    /// Dossiers migrated (one `procedure-migrated` event each).
    pub migrated: u64,
    /// Dossiers the engine refused to migrate, with why (nothing of theirs changed).
    pub refused: Vec<(String, dossier::Rejection)>,
}

impl Store {
    /// Migrates the dossiers `ids` to `req.to`, in one transaction: each is read, the engine
    /// decides ([`motcua_core::dossier::migrate::migrate`]), and those it accepts get their
    /// event, projection, legal-clock row and notice; those it refuses are listed with the
    /// reason and left as they were.
    pub async fn migrate_dossiers(
        &self,
        ids: &[String],
        req: &MigrateRequest<'_>,
    ) -> Result<Migrated, StoreError> {
        let now = crate::from_micros(micros(req.now));
        let mut report = Migrated::default();
        let mut tx = self.begin_write().await?;
        let mut written = Vec::new();
        for id in ids {
            report.examined += 1;
            let Some(mut d) = load(&mut tx, id).await? else {
                continue;
            };
            let (Some(from), Some(calendar)) =
                ((req.from)(&d.procedure_version), (req.calendar)(&d.agency))
            else {
                report.refused.push((
                    d.id.clone(),
                    dossier::Rejection {
                        code: "unknown_version".into(),
                        message_vi: "Không có phiên bản thủ tục hoặc lịch làm việc của hồ sơ."
                            .into(),
                        message_en: format!(
                            "version {} of {} or the calendar of {} is not known",
                            d.procedure_version, d.procedure, d.agency
                        ),
                        missing: Vec::new(),
                    },
                ));
                continue;
            };
            let before = d.version;
            let legal_before = legal_clock::Legal {
                appointment: d.clock.original_appointment,
                paused: d.clock.paused.is_some(),
            };
            let ctx = Ctx {
                now,
                actor: req.actor,
                procedure: req.to,
                calendar: &calendar,
            };
            match dossier::migrate::migrate(&mut d, &from, req.mapping, &ctx) {
                Ok(events) => {
                    let decided = Decided {
                        dossier: d,
                        events,
                        is_new: false,
                        before,
                        legal_before,
                    };
                    for (i, st) in decided.statements(req.to, now)?.into_iter().enumerate() {
                        let done = st.query().execute(&mut *tx).await?;
                        if i == 0 && done.rows_affected() != 1 {
                            return Err(StoreError::Conflict(format!(
                                "dossier {} changed concurrently",
                                decided.dossier.id
                            )));
                        }
                    }
                    report.migrated += 1;
                    written.push(decided.dossier);
                }
                Err(why) => report.refused.push((d.id.clone(), why)),
            }
        }
        tx.commit().await?;
        for d in written {
            self.remember(d);
        }
        Ok(report)
    }

    /// Open dossiers of procedure `code` not at `version`, in id order after `after`, at most
    /// `limit`: the dossiers a migration to `version` may concern.
    pub async fn open_dossiers_of_procedure(
        &self,
        code: &str,
        version: &str,
        after: &str,
        limit: u32,
    ) -> Result<Vec<Dossier>, StoreError> {
        sqlx::query(
            "SELECT body FROM dossiers
             WHERE procedure_code = $1 AND procedure_version <> $2 AND id > $3
               AND state NOT IN ('returned-for-completion', 'refused', 'withdrawn', 'stopped', 'returned')
             ORDER BY id LIMIT $4",
        )
        .bind(code)
        .bind(version)
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            let body: String = r.try_get(0)?;
            serde_json::from_str(&body).map_err(StoreError::internal)
        })
        .collect()
    }
}

/// Takes the next number of an agency's counter for a local date.
const COUNTER_SQL: &str = "INSERT INTO code_counters (agency_id, day, value) VALUES ($1, $2, 1)
     ON CONFLICT (agency_id, day) DO UPDATE SET value = code_counters.value + 1
     RETURNING value";

/// The local (Vietnam) date of an instant, the key of the code counters.
fn local_day(now: DateTime<Utc>) -> String {
    now.with_timezone(&vn_offset())
        .format("%Y-%m-%d")
        .to_string()
}

/// A pooled connection that is closed on drop unless marked clean: one dropped inside a
/// transaction (an error, or a caller that stopped waiting) must not go back to the pool.
struct Held {
    conn: sqlx::pool::PoolConnection<Any>,
    clean: bool,
}

impl Held {
    /// Ends a refused command: rolls back the transaction if one was begun, so that the
    /// connection can go back to the pool, and answers `why` (or the rollback's failure).
    async fn give_up(&mut self, began: bool, why: StoreError) -> StoreError {
        if began && let Err(e) = sqlx::query("ROLLBACK").execute(&mut *self.conn).await {
            return e.into();
        }
        self.clean = true;
        why
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        if !self.clean {
            self.conn.close_on_drop();
        }
    }
}

/// Whether a command takes a new number from the dossier-code counter.
fn needs_counter(command: &Command, current: Option<&Dossier>) -> bool {
    matches!(command, Command::Accept { .. })
        && current.is_some_and(|d| d.state == State::Submitted)
}

/// A dossier after the engine's decision, with what it takes to write it.
struct Decided {
    dossier: Dossier,
    events: Vec<RecordedEvent>,
    is_new: bool,
    before: u64,
    /// The legal appointment in force before the command (for the legal clock's history).
    legal_before: legal_clock::Legal,
}

/// Checks the expected version and lets the engine decide.
fn decide(
    req: &ExecuteRequest<'_>,
    current: Option<Dossier>,
    command: &Command,
    now: DateTime<Utc>,
) -> Result<Decided, StoreError> {
    let is_new = current.is_none();
    let mut d = current.unwrap_or_else(|| Dossier::new(req.dossier_id, req.agency.clone()));
    if let Some(v) = req.expected_version
        && d.version != v
    {
        return Err(StoreError::Conflict(format!(
            "dossier {} is at version {}, not {v}",
            d.id, d.version
        )));
    }
    let before = d.version;
    let legal_before = legal_clock::Legal {
        appointment: d.clock.original_appointment,
        paused: d.clock.paused.is_some(),
    };
    let ctx = Ctx {
        now,
        actor: req.actor,
        procedure: req.procedure,
        calendar: req.calendar,
    };
    let events = dossier::execute(&mut d, command, &ctx).map_err(StoreError::Rejected)?;
    Ok(Decided {
        dossier: d,
        events,
        is_new,
        before,
        legal_before,
    })
}

impl Decided {
    /// The statements that write the decision: the projection first, then each event with
    /// its rating, outbox or legal-clock row.
    fn statements(
        &self,
        procedure: &Procedure,
        now: DateTime<Utc>,
    ) -> Result<Vec<Statement>, StoreError> {
        let d = &self.dossier;
        let step_role = d
            .step
            .as_deref()
            .and_then(|st| procedure.step(st))
            .map(|st| st.role.as_str());
        let mut out = vec![projection(
            d,
            &procedure.catalogue.field,
            step_role,
            self.is_new,
            self.before,
            now,
        )?];
        let status = i64::from(d.national_status());
        let field = &procedure.catalogue.field;
        let mut legal = self.legal_before;
        for e in &self.events {
            out.push(Statement::new(
                "INSERT INTO events (dossier_id, seq, at, actor, event, prev_hash, hash, national_status, format)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                vec![
                    d.id.clone().into(),
                    (e.seq as i64).into(),
                    micros(e.at).into(),
                    json(&e.actor)?.into(),
                    json(&e.event)?.into(),
                    e.prev_hash.clone().into(),
                    e.hash.clone().into(),
                    status.into(),
                    i64::from(e.format).into(),
                ],
            ));
            match &e.event {
                Event::Notified { notification } => out.push(Statement::new(
                    "INSERT INTO outbox (dossier_id, event_seq, kind, payload, created_at) VALUES ($1, $2, $3, $4, $5)",
                    vec![
                        d.id.clone().into(),
                        (e.seq as i64).into(),
                        "notification".to_string().into(),
                        json(notification)?.into(),
                        micros(e.at).into(),
                    ],
                )),
                Event::Rated { score, comment, .. } => out.push(Statement::new(
                    "INSERT INTO ratings (dossier_id, score, comment, created_at) VALUES ($1, $2, $3, $4)",
                    vec![
                        d.id.clone().into(),
                        i64::from(*score).into(),
                        comment.clone().into(),
                        micros(e.at).into(),
                    ],
                )),
                _ => {}
            }
            if let Some((row, after)) = legal_clock::row_for(&e.event, e.at, legal) {
                legal = after;
                out.push(legal_clock::insert(
                    &d.id, e.seq, &d.agency, field, e.at, &row,
                ));
            }
        }
        Ok(out)
    }
}

/// A value bound to a statement.
pub(crate) enum Value {
    Int(Option<i64>),
    Text(Option<String>),
}

impl From<i64> for Value {
    fn from(v: i64) -> Value {
        Value::Int(Some(v))
    }
}

impl From<Option<i64>> for Value {
    fn from(v: Option<i64>) -> Value {
        Value::Int(v)
    }
}

impl From<String> for Value {
    fn from(v: String) -> Value {
        Value::Text(Some(v))
    }
}

impl From<Option<String>> for Value {
    fn from(v: Option<String>) -> Value {
        Value::Text(v)
    }
}

/// One SQL statement (numbered `$n` parameters) with its values.
pub(crate) struct Statement {
    sql: &'static str,
    values: Vec<Value>,
}

impl Statement {
    pub(crate) fn new(sql: &'static str, values: Vec<Value>) -> Statement {
        Statement { sql, values }
    }

    /// The statement as a query, ready to run on either backend.
    pub(crate) fn query(self) -> sqlx::query::Query<'static, Any, AnyArguments> {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(self.sql));
        for v in self.values {
            q = match v {
                Value::Int(i) => q.bind(i),
                Value::Text(t) => q.bind(t),
            };
        }
        q
    }
}

/// Statements joined into one SQLite batch: each statement's `$n` parameters are renumbered
/// after those of the statements before it (SQLite numbers them across the whole batch).
#[derive(Default)]
struct Batch {
    sql: String,
    args: AnyArguments,
}

impl Batch {
    /// A statement without parameters.
    fn raw(&mut self, sql: &str) {
        self.sql.push_str(sql);
        self.sql.push_str(";\n");
    }

    fn push(&mut self, st: Statement) -> Result<(), StoreError> {
        let offset = self.args.len();
        let mut rest = st.sql;
        while let Some(at) = rest.find('$') {
            self.sql.push_str(&rest[..=at]);
            rest = &rest[at + 1..];
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            let n: usize = rest[..digits].parse().map_err(StoreError::internal)?;
            self.sql.push_str(&(n + offset).to_string());
            rest = &rest[digits..];
        }
        self.sql.push_str(rest);
        self.sql.push_str(";\n");
        for v in st.values {
            match v {
                Value::Int(i) => self.args.add(i),
                Value::Text(t) => self.args.add(t),
            }
            .map_err(StoreError::internal)?;
        }
        Ok(())
    }
}

/// Which staff queue a dossier is in, and what it is due by there (stored as microseconds;
/// queued without a due instant: last, see migration 0004). A dossier waiting for acceptance
/// is in the reception officers' queue, due at the end of its intake time; one in
/// processing, in its step's role's queue, due when its current step is due (DOMAIN.md §5:
/// each step has its allowance); a closed or finished one in none.
pub(crate) fn queue_of(d: &Dossier, step_role: Option<&str>) -> (Option<String>, Option<i64>) {
    let open = !d.state.is_closed() && d.state != State::Finished;
    let (role, due) = if d.state == State::Submitted {
        (
            Some(
                motcua_core::procedure::Role::ReceptionOfficer
                    .as_str()
                    .to_string(),
            ),
            d.intake_due,
        )
    } else if open {
        (
            step_role.map(str::to_string),
            d.slip.last().map(|r| r.due).or(d.clock.appointment),
        )
    } else {
        (None, None)
    };
    let due = role.as_ref().map(|_| due.map_or(NO_DUE, micros));
    (role, due)
}

/// The statement that writes a dossier's projection row: an insert when new, else an update
/// that matches only if the stored version is still `before`.
pub(crate) fn projection(
    d: &Dossier,
    field: &str,
    step_role: Option<&str>,
    is_new: bool,
    before: u64,
    now: DateTime<Utc>,
) -> Result<Statement, StoreError> {
    let code = d.code.as_ref().map(ToString::to_string);
    // What staff search by: name and ID number (search_name, indexed by trigrams on
    // SQLite; it does not change after submission) and the same with the code
    // (search_text).
    let name = motcua_core::text::fold(&format!("{} {}", d.applicant.name, d.applicant.id_number));
    let search = match &code {
        Some(c) => format!("{name} {}", motcua_core::text::fold(c)),
        None => format!("{name} "),
    };
    let open = !d.state.is_closed() && d.state != State::Finished;
    let finished_at = match d.state {
        State::Finished | State::Returned => d.slip.last().and_then(|r| r.left_at),
        _ => None,
    };
    let (queue_role, queue_due) = queue_of(d, step_role);
    let sql = if is_new {
        "INSERT INTO dossiers (agency_id, procedure_code, procedure_version, field, version, state,
           national_status, code, owner, channel, applicant_name, search_text, step, step_role, assignee,
           submitted_at, accepted_at, appointment, original_appointment, finished_at, closed_at, timeliness,
           updated_at, body, supplement_rounds, queue_due, search_name, score_total_time,
           score_unit_time, score_came_back, score_bodies, score_desk, score_attitude,
           calendar_version, id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
           $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34, $35)"
    } else {
        "UPDATE dossiers SET agency_id = $1, procedure_code = $2, procedure_version = $3, field = $4,
           version = $5, state = $6, national_status = $7, code = $8, owner = $9, channel = $10,
           applicant_name = $11, search_text = $12, step = $13, step_role = $14, assignee = $15,
           submitted_at = $16, accepted_at = $17, appointment = $18, original_appointment = $19,
           finished_at = $20, closed_at = $21, timeliness = $22, updated_at = $23, body = $24,
           supplement_rounds = $25, queue_due = $26, search_name = $27, score_total_time = $28,
           score_unit_time = $29, score_came_back = $30, score_bodies = $31, score_desk = $32,
           score_attitude = $33, calendar_version = $34
         WHERE id = $35 AND version = $36"
    };
    let mut values: Vec<Value> = vec![
        d.agency.to_string().into(),
        d.procedure.clone().into(),
        d.procedure_version.clone().into(),
        field.to_string().into(),
        (d.version as i64).into(),
        d.state.to_string().into(),
        i64::from(d.national_status()).into(),
        code.into(),
        d.owner.clone().into(),
        d.channel.map(|c| format!("{c:?}").to_lowercase()).into(),
        d.applicant.name.clone().into(),
        search.into(),
        d.step.clone().filter(|_| open).into(),
        queue_role.clone().into(),
        d.assignee.clone().into(),
        d.submitted_at.map(micros).into(),
        d.accepted_at.map(micros).into(),
        d.clock.appointment.map(micros).into(),
        d.clock.original_appointment.map(micros).into(),
        finished_at.map(micros).into(),
        d.closed_at.map(micros).into(),
        d.timeliness.map(|t| format!("{t:?}").to_lowercase()).into(),
        micros(now).into(),
        json(d)?.into(),
        i64::from(d.supplement_rounds).into(),
        queue_due.into(),
        name.into(),
    ];
    // The scoring tool's indicators read from the dossier, once its result is returned.
    let score = motcua_core::evaluation::score(d);
    for i in 0..6 {
        values.push(score.map(|s| i64::from(s.values()[i])).into());
    }
    values.push(d.calendar_version.clone().into());
    values.push(d.id.clone().into());
    if !is_new {
        values.push((before as i64).into());
    }
    Ok(Statement::new(sql, values))
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
    let done = projection(d, field, step_role, is_new, before, now)?
        .query()
        .execute(&mut **tx)
        .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Conflict(format!(
            "dossier {} changed concurrently",
            d.id
        )));
    }
    Ok(())
}
