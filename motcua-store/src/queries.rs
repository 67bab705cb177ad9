//! The hot read paths: lookup by id and code, an applicant's dossiers, staff queues,
//! search, a dossier's events, and the change feed.

use chrono::{DateTime, Utc};
use motcua_core::dossier::{Dossier, RecordedEvent};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use crate::{Store, StoreError, from_micros};

/// A dossier as lists show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DossierSummary {
    /// Identifier.
    pub id: String,
    /// Dossier code, once accepted.
    pub code: Option<String>,
    /// Agency.
    pub agency: String,
    /// Procedure code.
    pub procedure: String,
    /// Field.
    pub field: String,
    /// Internal state.
    pub state: String,
    /// National status code.
    pub national_status: i64,
    /// Applicant.
    pub applicant_name: String,
    /// Current step.
    pub step: Option<String>,
    /// Its role.
    pub step_role: Option<String>,
    /// Named officer.
    pub assignee: Option<String>,
    /// Current appointment.
    pub appointment: Option<DateTime<Utc>>,
    /// What the staff queue sorts by: the intake deadline while waiting for acceptance,
    /// else the due instant of the current step.
    pub due: Option<DateTime<Utc>>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// `queue_due` of a queued dossier that has no due instant (its clock paused, or a paper
/// dossier not yet accepted): it sorts last, and reads back as no due.
pub(crate) const NO_DUE: i64 = i64::MAX;

const SUMMARY: &str =
    "SELECT id, code, agency_id, procedure_code, field, state, national_status, applicant_name,
    step, step_role, assignee, appointment, updated_at, queue_due FROM dossiers";

fn summary(r: &AnyRow) -> Result<DossierSummary, StoreError> {
    Ok(DossierSummary {
        id: r.try_get(0)?,
        code: r.try_get(1)?,
        agency: r.try_get(2)?,
        procedure: r.try_get(3)?,
        field: r.try_get(4)?,
        state: r.try_get(5)?,
        national_status: r.try_get(6)?,
        applicant_name: r.try_get(7)?,
        step: r.try_get(8)?,
        step_role: r.try_get(9)?,
        assignee: r.try_get(10)?,
        appointment: r.try_get::<Option<i64>, _>(11)?.map(from_micros),
        updated_at: from_micros(r.try_get(12)?),
        due: r
            .try_get::<Option<i64>, _>(13)?
            .filter(|v| *v != NO_DUE)
            .map(from_micros),
    })
}

/// What the public lookup shows: status only, no personal data, read without the dossier body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicStatus {
    /// Procedure code.
    pub procedure: String,
    /// Procedure version.
    pub procedure_version: String,
    /// Internal state.
    pub state: motcua_core::dossier::State,
    /// National status code.
    pub national_status: i64,
    /// Accepted at.
    pub accepted_at: Option<DateTime<Utc>>,
    /// Current appointment.
    pub appointment: Option<DateTime<Utc>>,
    /// Current step id (open dossiers).
    pub step: Option<String>,
    /// Early / on time / late, once returned.
    pub timeliness: Option<motcua_core::calendar::Timeliness>,
}

/// Which staff queue to read.
#[derive(Clone, Debug, Default)]
pub struct QueueFilter {
    /// The agency.
    pub agency: String,
    /// Only dossiers at steps of this role.
    pub role: Option<String>,
    /// Only dossiers assigned to this officer.
    pub assignee: Option<String>,
    /// Only dossiers at this step.
    pub step: Option<String>,
    /// Only dossiers due at or before this instant (overdue: now; due soon: a working day
    /// ahead).
    pub due_before: Option<DateTime<Utc>>,
    /// Only dossiers of this procedure (code).
    pub procedure: Option<String>,
    /// Only dossiers of this field (lĩnh vực).
    pub field: Option<String>,
    /// Only dossiers that came by this channel (`direct`, `post`, `online`).
    pub channel: Option<String>,
    /// At most this many.
    pub limit: u32,
}

/// One change for the national portal feed.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = StoreFeedItem))]
pub struct FeedItem {
    /// The cursor: pass the last one back to continue.
    pub cursor: i64,
    /// The dossier.
    pub dossier_id: String,
    /// Its code, once accepted.
    pub code: Option<String>,
    /// The agency it is at.
    pub agency: String,
    /// Its procedure's code.
    pub procedure: String,
    /// National status after the change.
    pub national_status: i64,
    /// The event.
    pub event: RecordedEvent,
}

fn parse_body(body: &str) -> Result<Dossier, StoreError> {
    serde_json::from_str(body).map_err(StoreError::internal)
}

impl Store {
    /// How many dossiers each procedure has had, most first (for the portal's "most used").
    pub async fn procedure_counts(&self) -> Result<Vec<(String, i64)>, StoreError> {
        sqlx::query(
            "SELECT procedure_code, COUNT(*) AS n FROM dossiers GROUP BY procedure_code ORDER BY n DESC, procedure_code",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
    }

    /// A dossier by its identifier.
    pub async fn dossier(&self, id: &str) -> Result<Dossier, StoreError> {
        let row = sqlx::query("SELECT body FROM dossiers WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("dossier {id}")))?;
        parse_body(&row.try_get::<String, _>(0)?)
    }

    /// The dossiers `agency` accepted in `[from, to)`, in the order received, at most
    /// `limit`: the register (sổ theo dõi hồ sơ). Read through the statistics index
    /// (agency, accepted_at).
    pub async fn received(
        &self,
        agency: &str,
        from: chrono::DateTime<chrono::Utc>,
        to: chrono::DateTime<chrono::Utc>,
        limit: u32,
    ) -> Result<Vec<Dossier>, StoreError> {
        let rows = sqlx::query(
            "SELECT body FROM dossiers WHERE agency_id = $1 AND accepted_at >= $2 AND accepted_at < $3
             ORDER BY accepted_at, id LIMIT $4",
        )
        .bind(agency)
        .bind(crate::micros(from))
        .bind(crate::micros(to))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| parse_body(&r.try_get::<String, _>(0)?))
            .collect()
    }

    /// An agency's open dossiers whose applicant asked for the result by public post
    /// (Điều 9.2), those with a result waiting first, then by appointment. Not indexed: it
    /// reads the agency's open dossiers.
    pub async fn postal_requests(
        &self,
        agency: &str,
        limit: u32,
    ) -> Result<Vec<Dossier>, StoreError> {
        let rows = sqlx::query(
            "SELECT body FROM dossiers WHERE agency_id = $1
               AND state IN ('submitted', 'in-progress', 'awaiting-supplement', 'awaiting-payment', 'finished')
               AND body LIKE '%\"postal_delivery\":{%'
             ORDER BY CASE WHEN state = 'finished' THEN 0 ELSE 1 END, appointment, id
             LIMIT $2",
        )
        .bind(agency)
        .bind(i64::from(limit.max(1)))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| parse_body(&r.try_get::<String, _>(0)?))
            .collect()
    }

    /// How many of an agency's queued dossiers are due before each of the given instants,
    /// and how many are queued in all, counted in the queue's index: e.g. [now, end of
    /// today, end of the week] gives the overdue, and those due by the end of today and of
    /// the week.
    pub async fn queue_due_counts(
        &self,
        agency: &str,
        bounds: [DateTime<Utc>; 3],
    ) -> Result<[i64; 4], StoreError> {
        let r = sqlx::query(
            "SELECT COUNT(*) FILTER (WHERE queue_due < $2), COUNT(*) FILTER (WHERE queue_due < $3),
                    COUNT(*) FILTER (WHERE queue_due < $4), COUNT(*)
             FROM dossiers WHERE agency_id = $1 AND step_role IS NOT NULL",
        )
        .bind(agency)
        .bind(crate::micros(bounds[0]))
        .bind(crate::micros(bounds[1]))
        .bind(crate::micros(bounds[2]))
        .fetch_one(&self.pool)
        .await?;
        Ok([r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?])
    }

    /// Brings SQLite's trigram index of names (migration 0014) up to the newest dossiers, a
    /// batch at a time; answers how many were indexed. Outside the commands' transactions, so
    /// that a submission does not pay for it; dossiers not indexed yet are still found
    /// (read directly). A no-op on PostgreSQL, whose index is kept by the database.
    pub async fn index_search(&self, batch: u32) -> Result<u64, StoreError> {
        if self.backend != crate::Backend::Sqlite {
            return Ok(0);
        }
        let mut tx = self.begin_write().await?;
        let rows = sqlx::query(
            "SELECT rowid, search_name FROM dossiers
             WHERE rowid > (SELECT up_to FROM search_indexed) ORDER BY rowid LIMIT $1",
        )
        .bind(i64::from(batch.max(1)))
        .fetch_all(&mut *tx)
        .await?;
        let mut last = None;
        for r in &rows {
            let (rowid, name): (i64, String) = (r.try_get(0)?, r.try_get(1)?);
            sqlx::query("INSERT INTO dossiers_search (rowid, search_name) VALUES ($1, $2)")
                .bind(rowid)
                .bind(name)
                .execute(&mut *tx)
                .await?;
            last = Some(rowid);
        }
        if let Some(up_to) = last {
            sqlx::query("UPDATE search_indexed SET up_to = $1 WHERE id = 1")
                .bind(up_to)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(rows.len() as u64)
    }

    /// Indexes the newest dossiers' names when more than a thousand are not in the index yet
    /// (a search reads those directly).
    async fn index_search_if_behind(&self) -> Result<(), StoreError> {
        let r = sqlx::query(
            "SELECT (SELECT up_to FROM search_indexed), (SELECT COALESCE(MAX(rowid), 0) FROM dossiers)",
        )
        .fetch_one(&self.pool)
        .await?;
        let (up_to, max): (i64, i64) = (r.try_get(0)?, r.try_get(1)?);
        if max - up_to > 1000 {
            while self.index_search(5000).await? > 0 {}
        }
        Ok(())
    }

    /// Open dossiers of some agencies past their appointment at `now` (being processed, or
    /// finished with the result not yet returned; a dossier waiting for a supplement or a
    /// payment has its clock stopped and is not listed), the longest overdue first.
    pub async fn overdue(
        &self,
        agencies: &[String],
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<DossierSummary>, StoreError> {
        if agencies.is_empty() {
            return Ok(Vec::new());
        }
        let list: Vec<String> = (0..agencies.len()).map(|i| format!("${}", i + 3)).collect();
        // SQLite's planner, without statistics, prefers an index on agency_id and then
        // sorts every open dossier of the province; the partial index of migration 0013
        // gives the order directly and stops at the limit.
        let by = if self.backend == crate::Backend::Sqlite {
            " INDEXED BY dossiers_overdue"
        } else {
            ""
        };
        let sql = format!(
            "{SUMMARY}{by} WHERE agency_id IN ({}) AND state IN ('in-progress', 'finished')
               AND appointment IS NOT NULL AND appointment < $1
             ORDER BY appointment ASC, id ASC LIMIT $2",
            list.join(", ")
        );
        let mut q = sqlx::query(AssertSqlSafe(sql))
            .bind(crate::micros(now))
            .bind(i64::from(limit.max(1)));
        for a in agencies {
            q = q.bind(a);
        }
        q.fetch_all(&self.pool).await?.iter().map(summary).collect()
    }

    /// How many dossiers of some agencies are in each internal state, by state.
    pub async fn state_counts(
        &self,
        agencies: &[String],
    ) -> Result<Vec<(String, i64)>, StoreError> {
        if agencies.is_empty() {
            return Ok(Vec::new());
        }
        let list: Vec<String> = (0..agencies.len()).map(|i| format!("${}", i + 1)).collect();
        let sql = format!(
            "SELECT state, COUNT(*) FROM dossiers WHERE agency_id IN ({}) GROUP BY state ORDER BY state",
            list.join(", ")
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for a in agencies {
            q = q.bind(a);
        }
        q.fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect()
    }

    /// Open dossiers of some agencies that consulted other agencies (Điều 14.3.c), by
    /// appointment. Not indexed: it reads the agencies' open dossiers.
    pub async fn consulting(
        &self,
        agencies: &[String],
        limit: u32,
    ) -> Result<Vec<Dossier>, StoreError> {
        if agencies.is_empty() {
            return Ok(Vec::new());
        }
        let list: Vec<String> = (0..agencies.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "SELECT body FROM dossiers WHERE agency_id IN ({})
               AND state IN ('in-progress', 'awaiting-supplement', 'awaiting-payment')
               AND body LIKE '%\"consultations\":[{{%'
             ORDER BY appointment, id LIMIT $1",
            list.join(", ")
        );
        let mut q = sqlx::query(AssertSqlSafe(sql)).bind(i64::from(limit.max(1)));
        for a in agencies {
            q = q.bind(a);
        }
        q.fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| parse_body(&r.try_get::<String, _>(0)?))
            .collect()
    }

    /// A dossier by its code (what applicants type in).
    pub async fn dossier_by_code(&self, code: &str) -> Result<Dossier, StoreError> {
        let row = sqlx::query("SELECT body FROM dossiers WHERE code = $1")
            .bind(code)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("dossier code {code}")))?;
        parse_body(&row.try_get::<String, _>(0)?)
    }

    /// The public status of a dossier by its code, from the projection's columns only.
    pub async fn public_status(&self, code: &str) -> Result<PublicStatus, StoreError> {
        // On a SQLite file the row is read on this thread (see fastread.rs).
        let row = match (&self.readers, &self.pg_reads) {
            (Some(readers), _) => readers.with(|c| crate::fastread::status_row(c, code))?,
            (None, Some(pg)) => pg.get(code).await?,
            (None, None) => sqlx::query(crate::fastread::STATUS_SQL)
                .bind(code)
                .fetch_optional(&self.pool)
                .await?
                .map(|r| -> Result<_, StoreError> {
                    Ok((
                        r.try_get(0)?,
                        r.try_get(1)?,
                        r.try_get(2)?,
                        r.try_get(3)?,
                        r.try_get(4)?,
                        r.try_get(5)?,
                        r.try_get(6)?,
                        r.try_get(7)?,
                    ))
                })
                .transpose()?,
        };
        let (
            procedure,
            procedure_version,
            state,
            national_status,
            accepted_at,
            appointment,
            step,
            timeliness,
        ) = row.ok_or_else(|| StoreError::NotFound(format!("dossier code {code}")))?;
        Ok(PublicStatus {
            procedure,
            procedure_version,
            state: serde_json::from_value(serde_json::Value::String(state))
                .map_err(StoreError::internal)?,
            national_status,
            accepted_at: accepted_at.map(from_micros),
            appointment: appointment.map(from_micros),
            step,
            timeliness: timeliness.and_then(|t| match t.as_str() {
                "early" => Some(motcua_core::calendar::Timeliness::Early),
                "ontime" => Some(motcua_core::calendar::Timeliness::OnTime),
                "late" => Some(motcua_core::calendar::Timeliness::Late),
                _ => None,
            }),
        })
    }

    /// An applicant's dossiers, newest change first.
    pub async fn dossiers_of(
        &self,
        owner: &str,
        limit: u32,
    ) -> Result<Vec<DossierSummary>, StoreError> {
        let sql = format!("{SUMMARY} WHERE owner = $1 ORDER BY updated_at DESC LIMIT $2");
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(owner)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(summary).collect()
    }

    /// A staff queue: open dossiers at an agency's steps, due soonest (overdue) first.
    pub async fn queue(&self, f: &QueueFilter) -> Result<Vec<DossierSummary>, StoreError> {
        let mut sql = format!("{SUMMARY} WHERE agency_id = $1 AND step_role IS NOT NULL");
        let mut n = 1;
        if f.role.is_some() {
            n += 1;
            sql += &format!(" AND step_role = ${n}");
        }
        if f.assignee.is_some() {
            n += 1;
            sql += &format!(" AND assignee = ${n}");
        }
        if f.step.is_some() {
            n += 1;
            sql += &format!(" AND step = ${n}");
        }
        if f.due_before.is_some() {
            n += 1;
            sql += &format!(" AND queue_due <= ${n}");
        }
        for (column, value) in [
            ("procedure_code", &f.procedure),
            ("field", &f.field),
            ("channel", &f.channel),
        ] {
            if value.is_some() {
                n += 1;
                sql += &format!(" AND {column} = ${n}");
            }
        }
        // Soonest due first (overdue ones are the soonest); one without a due instant is
        // stored as NO_DUE and comes last. The order comes from the dossiers_queue_due index.
        sql += &format!(" ORDER BY queue_due ASC, id ASC LIMIT ${}", n + 1);
        let mut q = sqlx::query(AssertSqlSafe(sql)).bind(&f.agency);
        if let Some(r) = &f.role {
            q = q.bind(r);
        }
        if let Some(a) = &f.assignee {
            q = q.bind(a);
        }
        if let Some(st) = &f.step {
            q = q.bind(st);
        }
        if let Some(t) = f.due_before {
            q = q.bind(crate::micros(t));
        }
        for v in [&f.procedure, &f.field, &f.channel].into_iter().flatten() {
            q = q.bind(v);
        }
        let rows = q
            .bind(i64::from(f.limit.max(1)))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(summary).collect()
    }

    /// Dossiers of some agencies whose applicant name, ID number or code contains `text`,
    /// ignoring Vietnamese diacritics and case ("nguyen van an" finds "Nguyễn Văn An").
    pub async fn search(
        &self,
        agencies: &[String],
        text: &str,
        limit: u32,
    ) -> Result<Vec<DossierSummary>, StoreError> {
        let needle = motcua_core::text::fold(text);
        if needle.is_empty() || agencies.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders: Vec<String> =
            (0..agencies.len()).map(|i| format!("${}", i + 3)).collect();
        // On SQLite a needle of three characters or more is looked up in the trigram index
        // (migration 0011) first; LIKE keeps the exact meaning. PostgreSQL's planner uses
        // its trigram index for the LIKE itself.
        // A whole dossier code is looked up by the code's own index.
        if let Ok(code) = motcua_core::dossier::DossierCode::parse(&text.trim().to_uppercase()) {
            let sql = format!(
                "{SUMMARY} WHERE code = $1 AND agency_id IN ({}) LIMIT $2",
                placeholders.join(", ")
            );
            let mut q = sqlx::query(AssertSqlSafe(sql))
                .bind(code.to_string())
                .bind(i64::from(limit.max(1)));
            for a in agencies {
                q = q.bind(a);
            }
            return q.fetch_all(&self.pool).await?.iter().map(summary).collect();
        }
        // The trigram index holds names and ID numbers; a needle with a code's dots or
        // dashes (part of a code) reads the agencies' dossiers.
        let indexed = self.backend == crate::Backend::Sqlite
            && needle.chars().count() >= 3
            && !needle.contains(['.', '-']);
        if indexed {
            self.index_search_if_behind().await?;
        }
        let sql = if indexed {
            format!(
                "{SUMMARY} WHERE rowid IN (SELECT rowid FROM dossiers_search WHERE dossiers_search MATCH ${}
                     UNION ALL SELECT rowid FROM dossiers WHERE rowid > (SELECT up_to FROM search_indexed))
                   AND search_text LIKE $1 ESCAPE '\\' AND agency_id IN ({}) ORDER BY updated_at DESC LIMIT $2",
                agencies.len() + 3,
                placeholders.join(", ")
            )
        } else {
            format!(
                "{SUMMARY} WHERE search_text LIKE $1 ESCAPE '\\' AND agency_id IN ({}) ORDER BY updated_at DESC LIMIT $2",
                placeholders.join(", ")
            )
        };
        // The needle is matched literally: LIKE's wildcards in it are escaped (they once made
        // `%%` match every dossier in scope).
        let escaped = needle
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        let pattern = format!("%{escaped}%");
        let mut q = sqlx::query(AssertSqlSafe(sql))
            .bind(pattern)
            .bind(i64::from(limit.max(1)));
        for a in agencies {
            q = q.bind(a);
        }
        if indexed {
            // An FTS5 phrase: the whole needle as one substring, quotes doubled.
            q = q.bind(format!("\"{}\"", needle.replace('"', "\"\"")));
        }
        let rows = q.fetch_all(&self.pool).await?;
        rows.iter().map(summary).collect()
    }

    /// A dossier's event log, in order.
    pub async fn events(&self, dossier_id: &str) -> Result<Vec<RecordedEvent>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, at, actor, event, prev_hash, hash, format FROM events WHERE dossier_id = $1 ORDER BY seq",
        )
        .bind(dossier_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(event_from_row).collect()
    }

    /// Changes after `cursor` (0 for the beginning), oldest first: for the national portal
    /// and for notifications.
    ///
    /// A reader that moves its cursor past an event must never see an older-numbered one
    /// appear later. On SQLite writers are serialized, so events are numbered in commit
    /// order. On PostgreSQL two transactions can take numbers in one order and commit in the
    /// other; the read therefore takes the events table in SHARE mode, which waits for every
    /// transaction that is writing events to finish and holds new ones back for the length of
    /// the read.
    pub async fn feed(&self, cursor: i64, limit: u32) -> Result<Vec<FeedItem>, StoreError> {
        let mut tx = self.pool.begin().await?;
        if self.backend == crate::Backend::Postgres {
            sqlx::query("LOCK TABLE events IN SHARE MODE")
                .execute(&mut *tx)
                .await?;
        }
        let rows = sqlx::query(
            "SELECT e.seq, e.at, e.actor, e.event, e.prev_hash, e.hash, e.id, e.dossier_id, d.code, e.national_status,
               d.agency_id, d.procedure_code, e.format
             FROM events e JOIN dossiers d ON d.id = e.dossier_id
             WHERE e.id > $1 ORDER BY e.id LIMIT $2",
        )
        .bind(cursor)
        .bind(i64::from(limit.max(1)))
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        rows.iter()
            .map(|r| {
                Ok(FeedItem {
                    event: event_from_row(r)?,
                    cursor: r.try_get(6)?,
                    dossier_id: r.try_get(7)?,
                    code: r.try_get(8)?,
                    national_status: r.try_get(9)?,
                    agency: r.try_get(10)?,
                    procedure: r.try_get(11)?,
                })
            })
            .collect()
    }
}

/// An event from a row whose first six columns are `seq, at, actor, event, prev_hash, hash`
/// and which has a `format` column.
pub(crate) fn event_from_row(r: &AnyRow) -> Result<RecordedEvent, StoreError> {
    let seq: i64 = r.try_get(0)?;
    let actor: String = r.try_get(2)?;
    let event: String = r.try_get(3)?;
    let format: i64 = r.try_get("format")?;
    Ok(RecordedEvent {
        format: u32::try_from(format).map_err(StoreError::internal)?,
        seq: u64::try_from(seq).map_err(StoreError::internal)?,
        at: from_micros(r.try_get(1)?),
        actor: serde_json::from_str(&actor).map_err(StoreError::internal)?,
        event: serde_json::from_str(&event).map_err(StoreError::internal)?,
        prev_hash: r.try_get(4)?,
        hash: r.try_get(5)?,
    })
}
