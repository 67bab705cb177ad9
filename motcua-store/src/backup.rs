//! Backups and integrity: SQLite's consistent online copy, a portable export/import that
//! also moves data between SQLite and PostgreSQL, and verification of every hash chain.

use futures_util::TryStreamExt;
use serde::Serialize;
use serde_json::{Value, json};
use sqlx::{AssertSqlSafe, Row};
use std::io::{BufRead, Write};

use crate::queries::event_from_row;
use crate::{Backend, Store, StoreError};

#[derive(Clone, Copy)]
enum Kind {
    Text,
    Int,
    Bytes,
}

use Kind::{Bytes, Int, Text};

/// A table as export and import see it.
struct Table {
    name: &'static str,
    columns: &'static [(&'static str, Kind)],
    /// Key order for a stable export.
    order: &'static str,
    /// Whether its `id` column is an identity (PostgreSQL needs `OVERRIDING SYSTEM VALUE`).
    identity: bool,
}

const fn table(
    name: &'static str,
    columns: &'static [(&'static str, Kind)],
    order: &'static str,
    identity: bool,
) -> Table {
    Table {
        name,
        columns,
        order,
        identity,
    }
}

/// What a column added since the first export holds in an older export's shorter rows.
enum Padded {
    /// This number.
    Int(i64),
    /// The value of another column of the row.
    SameAs(&'static str),
}

/// Columns added since the first export whose value, in an older export's shorter rows, is
/// not empty: every event exported before formats were recorded is of event format 1; every
/// calendar version exported before versions could be pending was in force from its creation.
const PADDED_DEFAULTS: &[(&str, &str, Padded)] = &[
    ("events", "format", Padded::Int(1)),
    ("calendars", "in_force_at", Padded::SameAs("created_at")),
];

/// Every table, parents before children. Sessions are left out on purpose: a restored
/// database starts with everybody logged out.
const TABLES: &[Table] = &[
    table(
        "agencies",
        &[
            ("id", Text),
            ("name", Text),
            ("level", Text),
            ("parent_id", Text),
            ("host_names", Text),
            ("address", Text),
            ("hotline", Text),
            ("email", Text),
            ("hours", Text),
        ],
        "id",
        false,
    ),
    table(
        "users",
        &[
            ("id", Text),
            ("kind", Text),
            ("name", Text),
            ("email", Text),
            ("phone", Text),
            ("password_hash", Text),
            ("must_change_password", Int),
            ("created_at", Int),
            ("home_agency", Text),
        ],
        "id",
        false,
    ),
    table(
        "user_roles",
        &[("user_id", Text), ("agency_id", Text), ("role", Text)],
        "user_id, agency_id, role",
        false,
    ),
    table(
        "procedures",
        &[
            ("code", Text),
            ("version", Text),
            ("name", Text),
            ("field", Text),
            ("source", Text),
            ("sha256", Text),
            ("loaded_at", Int),
        ],
        "code, version",
        false,
    ),
    table(
        "procedure_agencies",
        &[("procedure_code", Text), ("agency_id", Text)],
        "procedure_code, agency_id",
        false,
    ),
    table(
        "calendars",
        &[
            ("name", Text),
            ("version", Int),
            ("spec", Text),
            ("sha256", Text),
            ("created_at", Int),
            ("in_force_at", Int),
            ("applied_by", Text),
        ],
        "name, version",
        false,
    ),
    table(
        "calendar_changes",
        &[
            ("id", Int),
            ("effective_at", Int),
            ("applied_by", Text),
            ("calendars", Text),
            ("agencies", Text),
            ("done_at", Int),
        ],
        "id",
        true,
    ),
    table(
        "dossiers",
        &[
            ("id", Text),
            ("agency_id", Text),
            ("procedure_code", Text),
            ("procedure_version", Text),
            ("field", Text),
            ("version", Int),
            ("state", Text),
            ("national_status", Int),
            ("code", Text),
            ("owner", Text),
            ("channel", Text),
            ("applicant_name", Text),
            ("search_text", Text),
            ("step", Text),
            ("step_role", Text),
            ("assignee", Text),
            ("submitted_at", Int),
            ("accepted_at", Int),
            ("appointment", Int),
            ("original_appointment", Int),
            ("finished_at", Int),
            ("closed_at", Int),
            ("timeliness", Text),
            ("supplement_rounds", Int),
            ("queue_due", Int),
            ("updated_at", Int),
            ("body", Text),
            ("score_total_time", Int),
            ("score_unit_time", Int),
            ("score_came_back", Int),
            ("score_bodies", Int),
            ("score_desk", Int),
            ("score_attitude", Int),
            ("calendar_version", Text),
        ],
        "id",
        false,
    ),
    table(
        "events",
        &[
            ("id", Int),
            ("dossier_id", Text),
            ("seq", Int),
            ("at", Int),
            ("actor", Text),
            ("event", Text),
            ("prev_hash", Text),
            ("hash", Text),
            ("national_status", Int),
            ("format", Int),
        ],
        "id",
        true,
    ),
    table(
        "legal_clock",
        &[
            ("dossier_id", Text),
            ("seq", Int),
            ("agency_id", Text),
            ("field", Text),
            ("at", Int),
            ("kind", Text),
            ("overdue_after", Int),
        ],
        "dossier_id, seq",
        false,
    ),
    table(
        "audit_log",
        &[
            ("id", Int),
            ("at", Int),
            ("actor", Text),
            ("action", Text),
            ("account", Text),
            ("agency", Text),
            ("address", Text),
            ("detail", Text),
        ],
        "id",
        true,
    ),
    table(
        "code_counters",
        &[("agency_id", Text), ("day", Text), ("value", Int)],
        "agency_id, day",
        false,
    ),
    table(
        "attachments",
        &[
            ("sha256", Text),
            ("size", Int),
            ("content_type", Text),
            ("bytes", Bytes),
            ("created_at", Int),
        ],
        "sha256",
        false,
    ),
    table(
        "outbox",
        &[
            ("id", Int),
            ("dossier_id", Text),
            ("event_seq", Int),
            ("kind", Text),
            ("payload", Text),
            ("created_at", Int),
            ("sent_at", Int),
            ("dispatched_at", Int),
        ],
        "id",
        true,
    ),
    table(
        "deliveries",
        &[
            ("id", Int),
            ("outbox_id", Int),
            ("subject_id", Text),
            ("kind", Text),
            ("channel", Text),
            ("recipient", Text),
            ("title", Text),
            ("body", Text),
            ("idempotency_key", Text),
            ("state", Text),
            ("attempts", Int),
            ("next_at", Int),
            ("lease_until", Int),
            ("leased_by", Text),
            ("last_error", Text),
            ("created_at", Int),
            ("sent_at", Int),
        ],
        "id",
        true,
    ),
    table(
        "inbox",
        &[
            ("id", Int),
            ("account", Text),
            ("outbox_id", Int),
            ("subject_id", Text),
            ("title", Text),
            ("body", Text),
            ("created_at", Int),
            ("read_at", Int),
        ],
        "id",
        true,
    ),
    table(
        "feedback",
        &[
            ("id", Text),
            ("agency_id", Text),
            ("dossier_id", Text),
            ("author", Text),
            ("subject", Text),
            ("body", Text),
            ("created_at", Int),
            ("due_at", Int),
            ("answer", Text),
            ("answered_at", Int),
            ("published", Int),
            ("contact", Text),
        ],
        "id",
        false,
    ),
    table(
        "drafts",
        &[
            ("id", Text),
            ("owner", Text),
            ("procedure_code", Text),
            ("agency_id", Text),
            ("data", Text),
            ("created_at", Int),
            ("updated_at", Int),
            ("submitted_at", Int),
        ],
        "id",
        false,
    ),
    table(
        "ratings",
        &[
            ("dossier_id", Text),
            ("score", Int),
            ("comment", Text),
            ("created_at", Int),
        ],
        "dossier_id",
        false,
    ),
    table("alerts", &[("key", Text), ("raised_at", Int)], "key", false),
    table(
        "evaluation_inputs",
        &[
            ("agency_id", Text),
            ("period_from", Text),
            ("period_to", Text),
            ("inputs", Text),
            ("entered_by", Text),
            ("entered_at", Int),
        ],
        "agency_id, period_from, period_to",
        false,
    ),
    table(
        "evaluation_rules",
        &[
            ("id", Int),
            ("rules", Text),
            ("updated_by", Text),
            ("updated_at", Int),
        ],
        "id",
        false,
    ),
];

/// How many rows of each table an export or import moved.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ExportSummary {
    /// (table, rows).
    pub tables: Vec<(String, u64)>,
}

/// The result of checking every dossier's hash chain.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    /// Dossiers checked.
    pub dossiers: u64,
    /// Events checked.
    pub events: u64,
    /// (dossier id, problem) for every dossier that fails.
    pub problems: Vec<(String, String)>,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Result<Vec<u8>, StoreError> {
    if !s.len().is_multiple_of(2) {
        return Err(StoreError::Integrity("odd-length hex in export".into()));
    }
    (0..s.len())
        .step_by(2)
        .map(|i| {
            u8::from_str_radix(&s[i..i + 2], 16)
                .map_err(|_| StoreError::Integrity("bad hex in export".into()))
        })
        .collect()
}

impl Store {
    /// A consistent copy of a SQLite database into a new file, while it is in use
    /// (`VACUUM INTO`). PostgreSQL deployments use `pg_dump` or [`Store::export`].
    pub async fn backup_sqlite(&self, path: &std::path::Path) -> Result<(), StoreError> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::Config(
                "online file backup is for SQLite; use export for PostgreSQL".into(),
            ));
        }
        if path.exists() {
            return Err(StoreError::Config(format!(
                "{} already exists; choose a new file",
                path.display()
            )));
        }
        let target = path.display().to_string().replace('\'', "''");
        sqlx::query(AssertSqlSafe(format!("VACUUM INTO '{target}'")))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Writes every table as JSON lines, portable between SQLite and PostgreSQL.
    pub async fn export(&self, out: &mut impl Write) -> Result<ExportSummary, StoreError> {
        let io = |e: std::io::Error| StoreError::Db(format!("writing the export: {e}"));
        writeln!(out, "{}", json!({"motcua_export": 1})).map_err(io)?;
        let mut summary = ExportSummary::default();
        for t in TABLES {
            let (table, cols, order) = (t.name, t.columns, t.order);
            let names: Vec<&str> = cols.iter().map(|c| c.0).collect();
            // Agencies go parents first so that the import satisfies the foreign key.
            let order = if table == "agencies" {
                "CASE level WHEN 'province' THEN 0 WHEN 'district' THEN 1 ELSE 2 END, id"
            } else {
                order
            };
            let sql = format!("SELECT {} FROM {table} ORDER BY {order}", names.join(", "));
            let mut rows = sqlx::query(AssertSqlSafe(sql)).fetch(&self.pool);
            let mut n = 0u64;
            while let Some(r) = rows.try_next().await? {
                let mut values = Vec::with_capacity(cols.len());
                for (i, (_, kind)) in cols.iter().enumerate() {
                    values.push(match kind {
                        Text => r
                            .try_get::<Option<String>, _>(i)?
                            .map_or(Value::Null, Value::from),
                        Int => r
                            .try_get::<Option<i64>, _>(i)?
                            .map_or(Value::Null, Value::from),
                        Bytes => r
                            .try_get::<Option<Vec<u8>>, _>(i)?
                            .map_or(Value::Null, |b| Value::from(hex(&b))),
                    });
                }
                writeln!(out, "{}", json!({"table": table, "row": values})).map_err(io)?;
                n += 1;
            }
            summary.tables.push((table.to_string(), n));
        }
        out.flush().map_err(io)?;
        Ok(summary)
    }

    /// Reads an export into an empty, migrated database, in one transaction.
    pub async fn import(&self, input: impl BufRead) -> Result<ExportSummary, StoreError> {
        let existing: i64 = sqlx::query("SELECT COUNT(*) FROM dossiers")
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?;
        if existing > 0 {
            return Err(StoreError::Conflict(
                "the target database already holds dossiers; import needs an empty one".into(),
            ));
        }
        let mut tx = self.begin_write().await?;
        let mut lines = input.lines();
        let header = lines
            .next()
            .transpose()
            .map_err(|e| StoreError::Integrity(e.to_string()))?
            .unwrap_or_default();
        if serde_json::from_str::<Value>(&header)
            .ok()
            .and_then(|v| v.get("motcua_export").cloned())
            != Some(json!(1))
        {
            return Err(StoreError::Integrity(
                "not a motcua export (format 1)".into(),
            ));
        }
        let mut counts: Vec<(String, u64)> =
            TABLES.iter().map(|t| (t.name.to_string(), 0)).collect();
        for line in lines {
            let line = line.map_err(|e| StoreError::Integrity(e.to_string()))?;
            let v: Value =
                serde_json::from_str(&line).map_err(|e| StoreError::Integrity(e.to_string()))?;
            let table = v["table"].as_str().unwrap_or_default();
            let Some(ti) = TABLES.iter().position(|t| t.name == table) else {
                return Err(StoreError::Integrity(format!(
                    "unknown table `{table}` in export"
                )));
            };
            let (cols, identity) = (TABLES[ti].columns, TABLES[ti].identity);
            let mut row = v["row"].as_array().cloned().unwrap_or_default();
            // Columns added since an export was written come last and may be empty: an
            // older export's shorter rows are read with those left empty.
            if row.len() < cols.len() {
                let given = row.len();
                row.resize(cols.len(), Value::Null);
                for (i, (name, _)) in cols.iter().enumerate().skip(given) {
                    match PADDED_DEFAULTS
                        .iter()
                        .find(|(t, c, _)| *t == table && c == name)
                    {
                        Some((_, _, Padded::Int(value))) => row[i] = json!(value),
                        Some((_, _, Padded::SameAs(other))) => {
                            if let Some(j) = cols.iter().position(|(n, _)| n == other) {
                                row[i] = row[j].clone();
                            }
                        }
                        None => {}
                    }
                }
            }
            if row.len() != cols.len() {
                return Err(StoreError::Integrity(format!(
                    "row of `{table}` has {} values, expected {}",
                    row.len(),
                    cols.len()
                )));
            }
            let names: Vec<&str> = cols.iter().map(|c| c.0).collect();
            let params: Vec<String> = (1..=cols.len()).map(|i| format!("${i}")).collect();
            let overriding = if identity && self.backend == Backend::Postgres {
                " OVERRIDING SYSTEM VALUE"
            } else {
                ""
            };
            let sql = format!(
                "INSERT INTO {table} ({}){overriding} VALUES ({})",
                names.join(", "),
                params.join(", ")
            );
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for ((_, kind), value) in cols.iter().zip(&row) {
                q = match (kind, value) {
                    (Text, Value::Null) => q.bind(None::<String>),
                    (Int, Value::Null) => q.bind(None::<i64>),
                    (Bytes, Value::Null) => q.bind(None::<Vec<u8>>),
                    (Text, Value::String(s)) => q.bind(s.clone()),
                    (Int, Value::Number(n)) => q.bind(
                        n.as_i64()
                            .ok_or_else(|| StoreError::Integrity("bad integer".into()))?,
                    ),
                    (Bytes, Value::String(s)) => q.bind(unhex(s)?),
                    _ => return Err(StoreError::Integrity(format!("bad value in `{table}`"))),
                };
            }
            q.execute(&mut *tx).await?;
            counts[ti].1 += 1;
        }
        if self.backend == Backend::Postgres {
            for t in TABLES.iter().filter(|t| t.identity) {
                let table = t.name;
                {
                    sqlx::query(AssertSqlSafe(format!(
                        "SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
                    )))
                    .execute(&mut *tx)
                    .await?;
                }
            }
        }
        // search_name is not exported (it is derived): the name and ID number, search_text
        // without the code (as migration 0014 fills it). On SQLite the trigram index follows
        // below.
        sqlx::query(
            "UPDATE dossiers SET search_name = CASE WHEN code IS NULL THEN search_text
                ELSE rtrim(substr(search_text, 1, length(search_text) - length(code))) END",
        )
        .execute(&mut *tx)
        .await?;
        if self.backend == Backend::Sqlite {
            // The names' trigram index, from the restored rows.
            sqlx::query("INSERT INTO dossiers_search (dossiers_search) VALUES ('rebuild')")
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "UPDATE search_indexed SET up_to = (SELECT COALESCE(MAX(rowid), 0) FROM dossiers)",
            )
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        // An export written before the legal clock's history existed has none: it is derived
        // from the events, so rebuild it.
        let has = |name: &str| counts.iter().any(|(t, n)| t == name && *n > 0);
        if has("events") && !has("legal_clock") {
            self.rebuild_legal_clock().await?;
        }
        // One written before procedures were assigned to agencies: assign them as the
        // catalogue showed them then, by level.
        if has("procedures") && !has("procedure_agencies") {
            self.assign_by_level().await?;
        }
        // What every server caches changed.
        sqlx::query("UPDATE config_version SET version = version + 1 WHERE id = 1")
            .execute(&self.pool)
            .await?;
        Ok(ExportSummary { tables: counts })
    }

    /// Checks every dossier's hash chain, and that its projection ends where its log ends.
    pub async fn verify_all(&self) -> Result<VerifyReport, StoreError> {
        let mut report = VerifyReport::default();
        let ids: Vec<String> = sqlx::query("SELECT id FROM dossiers ORDER BY id")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Ok(r.try_get(0)?))
            .collect::<Result<_, StoreError>>()?;
        for id in ids {
            // The projection and the events from one statement, so one snapshot on both
            // backends: a command committing meanwhile (the server still writing) would
            // otherwise look like a projection that does not end at its last event.
            let rows = sqlx::query(
                "SELECT e.seq, e.at, e.actor, e.event, e.prev_hash, e.hash, d.body, e.format
                 FROM dossiers d JOIN events e ON e.dossier_id = d.id
                 WHERE d.id = $1 ORDER BY e.id",
            )
            .bind(&id)
            .fetch_all(&self.pool)
            .await?;
            let body: String = match rows.first() {
                Some(r) => r.try_get(6)?,
                None => {
                    // No event at all: only the projection to compare with nothing.
                    match sqlx::query("SELECT body FROM dossiers WHERE id = $1")
                        .bind(&id)
                        .fetch_optional(&self.pool)
                        .await?
                    {
                        Some(r) => r.try_get(0)?,
                        None => continue,
                    }
                }
            };
            report.dossiers += 1;
            let mut events = Vec::with_capacity(rows.len());
            for r in &rows {
                match event_from_row(r) {
                    Ok(e) => events.push(e),
                    Err(e) => {
                        report
                            .problems
                            .push((id.clone(), format!("unreadable event: {e}")));
                        continue;
                    }
                }
            }
            report.events += events.len() as u64;
            if let Err(e) = motcua_core::dossier::verify(&events) {
                report.problems.push((id.clone(), e.to_string()));
                continue;
            }
            let projected: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
            let last = events.last().map(|e| e.hash.as_str()).unwrap_or("");
            if projected["last_hash"].as_str() != Some(last) {
                report.problems.push((
                    id.clone(),
                    "the projection does not end at the last event".into(),
                ));
            }
        }
        Ok(report)
    }
}
