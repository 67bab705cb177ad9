//! Configuration: agencies, procedure versions and their assignment to agencies, calendars,
//! and the configuration version every change raises (so that each server knows to reload
//! what it caches).

use sqlx::Row;
use sqlx::any::AnyRow;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{Any, Transaction};

use crate::{Agency, AgencyContact, Store, StoreError, from_micros, micros, sha256_hex};

/// The PostgreSQL notification channel of configuration changes.
const CHANNEL: &str = "motcua_config";

/// Raises the configuration version in the transaction of a change; on PostgreSQL the
/// listeners of other servers are told when it commits.
async fn bump(tx: &mut Transaction<'static, Any>) -> Result<(), StoreError> {
    sqlx::query("UPDATE config_version SET version = version + 1 WHERE id = 1")
        .execute(&mut **tx)
        .await?;
    if tx.backend_name() == "PostgreSQL" {
        sqlx::query("SELECT pg_notify($1, '')")
            .bind(CHANNEL)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Notifications of configuration changes made by any server (PostgreSQL's LISTEN).
pub struct ConfigWatch(sqlx::postgres::PgListener);

impl ConfigWatch {
    /// Waits for the next change. An error means the connection was lost: callers fall back
    /// to comparing [`Store::config_version`].
    pub async fn changed(&mut self) -> Result<(), StoreError> {
        self.0.recv().await?;
        Ok(())
    }
}

impl Store {
    /// Adds or replaces an agency.
    pub async fn put_agency(&self, a: &Agency) -> Result<(), StoreError> {
        let hosts = serde_json::to_string(&a.host_names).map_err(StoreError::internal)?;
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO agencies (id, name, level, parent_id, host_names, address, hotline, email, hours)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, level = excluded.level,
               parent_id = excluded.parent_id, host_names = excluded.host_names,
               address = excluded.address, hotline = excluded.hotline, email = excluded.email,
               hours = excluded.hours",
        )
        .bind(&a.id)
        .bind(&a.name)
        .bind(&a.level)
        .bind(a.parent_id.as_deref())
        .bind(hosts)
        .bind(a.contact.address.as_deref())
        .bind(a.contact.hotline.as_deref())
        .bind(a.contact.email.as_deref())
        .bind(a.contact.hours.as_deref())
        .execute(&mut *tx)
        .await?;
        bump(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Creates an agency unless one with its id exists, which is left as it is; answers
    /// whether it was created.
    pub async fn ensure_agency(&self, a: &Agency) -> Result<bool, StoreError> {
        let hosts = serde_json::to_string(&a.host_names).map_err(StoreError::internal)?;
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "INSERT INTO agencies (id, name, level, parent_id, host_names, address, hotline, email, hours)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(&a.id)
        .bind(&a.name)
        .bind(&a.level)
        .bind(a.parent_id.as_deref())
        .bind(hosts)
        .bind(a.contact.address.as_deref())
        .bind(a.contact.hotline.as_deref())
        .bind(a.contact.email.as_deref())
        .bind(a.contact.hours.as_deref())
        .execute(&mut *tx)
        .await?;
        let created = done.rows_affected() == 1;
        if created {
            bump(&mut tx).await?;
        }
        tx.commit().await?;
        Ok(created)
    }

    /// All agencies, by id.
    pub async fn agencies(&self) -> Result<Vec<Agency>, StoreError> {
        let rows =
            sqlx::query("SELECT id, name, level, parent_id, host_names, address, hotline, email, hours FROM agencies ORDER BY id")
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(agency_from_row).collect()
    }

    /// An agency and every agency below it.
    pub async fn agency_subtree(&self, id: &str) -> Result<Vec<String>, StoreError> {
        let all = self.agencies().await?;
        if !all.iter().any(|a| a.id == id) {
            return Err(StoreError::NotFound(format!("agency {id}")));
        }
        let mut out = vec![id.to_string()];
        let mut i = 0;
        while i < out.len() {
            let parent = out[i].clone();
            out.extend(
                all.iter()
                    .filter(|a| a.parent_id.as_deref() == Some(&parent))
                    .map(|a| a.id.clone()),
            );
            i += 1;
        }
        Ok(out)
    }

    /// Records a procedure version with its source text and content hash. Loading the same
    /// version again with different text is a conflict: a published version never changes.
    pub async fn put_procedure(
        &self,
        source: &str,
        p: &motcua_core::procedure::Procedure,
    ) -> Result<String, StoreError> {
        let sha = sha256_hex(source.as_bytes());
        let c = &p.catalogue;
        let mut tx = self.begin_write().await?;
        let existing =
            sqlx::query("SELECT sha256 FROM procedures WHERE code = $1 AND version = $2")
                .bind(&c.code)
                .bind(c.version.as_str())
                .fetch_optional(&mut *tx)
                .await?;
        if let Some(row) = existing {
            let old: String = row.try_get(0)?;
            if old != sha {
                return Err(StoreError::Conflict(format!(
                    "procedure {} version {} is already stored with other content; publish a new version",
                    c.code, c.version
                )));
            }
            return Ok(sha);
        }
        sqlx::query(
            "INSERT INTO procedures (code, version, name, field, source, sha256, loaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&c.code)
        .bind(c.version.as_str())
        .bind(&c.name)
        .bind(&c.field)
        .bind(source)
        .bind(&sha)
        .bind(micros(chrono::Utc::now()))
        .execute(&mut *tx)
        .await?;
        bump(&mut tx).await?;
        tx.commit().await?;
        Ok(sha)
    }

    /// Withdraws a procedure version from new submissions (dossiers received under it keep
    /// it; a retired version is never deleted); answers whether it was in use until now.
    pub async fn retire_procedure(&self, code: &str, version: &str) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let known =
            sqlx::query("SELECT retired_at FROM procedures WHERE code = $1 AND version = $2")
                .bind(code)
                .bind(version)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| {
                    StoreError::NotFound(format!("procedure {code} version {version}"))
                })?;
        if known.try_get::<Option<i64>, _>(0)?.is_some() {
            return Ok(false);
        }
        sqlx::query("UPDATE procedures SET retired_at = $1 WHERE code = $2 AND version = $3")
            .bind(micros(Utc::now()))
            .bind(code)
            .bind(version)
            .execute(&mut *tx)
            .await?;
        bump(&mut tx).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The retired procedure versions: (code, version).
    pub async fn retired_procedures(&self) -> Result<Vec<(String, String)>, StoreError> {
        sqlx::query(
            "SELECT code, version FROM procedures WHERE retired_at IS NOT NULL ORDER BY code, version",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
    }

    /// Every stored procedure version: (code, version, source text).
    pub async fn procedures(&self) -> Result<Vec<(String, String, String)>, StoreError> {
        sqlx::query("SELECT code, version, source FROM procedures ORDER BY code, version")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
            .collect()
    }

    /// Assigns a procedure (every version of its code) to an agency, which then offers it and
    /// receives dossiers for it; answers whether it was not assigned there before.
    pub async fn assign_procedure(&self, code: &str, agency: &str) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let known = sqlx::query("SELECT 1 FROM procedures WHERE code = $1 LIMIT 1")
            .bind(code)
            .fetch_optional(&mut *tx)
            .await?;
        if known.is_none() {
            return Err(StoreError::NotFound(format!("procedure {code}")));
        }
        let known = sqlx::query("SELECT 1 FROM agencies WHERE id = $1")
            .bind(agency)
            .fetch_optional(&mut *tx)
            .await?;
        if known.is_none() {
            return Err(StoreError::NotFound(format!("agency {agency}")));
        }
        let done = sqlx::query(
            "INSERT INTO procedure_agencies (procedure_code, agency_id) VALUES ($1, $2)
             ON CONFLICT (procedure_code, agency_id) DO NOTHING",
        )
        .bind(code)
        .bind(agency)
        .execute(&mut *tx)
        .await?;
        let added = done.rows_affected() == 1;
        if added {
            bump(&mut tx).await?;
        }
        tx.commit().await?;
        Ok(added)
    }

    /// Withdraws a procedure from an agency; answers whether it was assigned there.
    pub async fn unassign_procedure(&self, code: &str, agency: &str) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "DELETE FROM procedure_agencies WHERE procedure_code = $1 AND agency_id = $2",
        )
        .bind(code)
        .bind(agency)
        .execute(&mut *tx)
        .await?;
        let removed = done.rows_affected() == 1;
        if removed {
            bump(&mut tx).await?;
        }
        tx.commit().await?;
        Ok(removed)
    }

    /// Every assignment: (procedure code, agency id), in that order.
    pub async fn assignments(&self) -> Result<Vec<(String, String)>, StoreError> {
        sqlx::query(
            "SELECT procedure_code, agency_id FROM procedure_agencies ORDER BY procedure_code, agency_id",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
    }

    /// A listener for configuration changes on PostgreSQL (`None` on SQLite, where a single
    /// file has one server and [`Store::config_version`] is compared instead).
    pub async fn watch_config(&self) -> Result<Option<ConfigWatch>, StoreError> {
        if self.backend != crate::Backend::Postgres {
            return Ok(None);
        }
        let mut l = sqlx::postgres::PgListener::connect(&self.url).await?;
        l.listen(CHANNEL).await?;
        Ok(Some(ConfigWatch(l)))
    }

    /// The configuration version: it changes with every change to agencies, procedures,
    /// assignments and calendars, made by any server on the database.
    pub async fn config_version(&self) -> Result<i64, StoreError> {
        let r = sqlx::query("SELECT version FROM config_version WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        Ok(r.try_get(0)?)
    }

    /// Assigns every stored procedure to every agency of a level it names (run once by the
    /// migration that introduced assignments; the demo uses it too).
    pub async fn assign_by_level(&self) -> Result<(), StoreError> {
        let agencies = self.agencies().await?;
        for (code, version, source) in self.procedures().await? {
            let Ok((p, _)) =
                motcua_core::procedure::Procedure::load(&format!("{code}@{version}"), &source)
            else {
                continue;
            };
            for a in &agencies {
                let level_named = p
                    .catalogue
                    .agency_levels
                    .iter()
                    .any(|l| l.as_str() == a.level);
                if level_named {
                    self.assign_procedure(&code, &a.id).await?;
                }
            }
        }
        Ok(())
    }

    /// The stored source text of a procedure version.
    pub async fn procedure_source(&self, code: &str, version: &str) -> Result<String, StoreError> {
        let row = sqlx::query("SELECT source FROM procedures WHERE code = $1 AND version = $2")
            .bind(code)
            .bind(version)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("procedure {code} version {version}")))?;
        Ok(row.try_get(0)?)
    }
    /// Stores a new version of a named calendar (its specification as JSON), in force at once,
    /// and returns the version number. The same content as the latest version in force is not
    /// stored again. Deadlines already computed for dossiers in flight stay as they are: a
    /// change meant for them goes through [`Store::propose_calendar`] and
    /// [`Store::apply_calendars`].
    pub async fn put_calendar(&self, name: &str, spec_json: &str) -> Result<i64, StoreError> {
        let version = self.propose_calendar(name, spec_json).await?;
        let mut tx = self.begin_write().await?;
        let now = micros(Utc::now());
        let done = sqlx::query(
            "UPDATE calendars SET in_force_at = $3, applied_by = 'motcua'
             WHERE name = $1 AND version = $2 AND in_force_at IS NULL",
        )
        .bind(name)
        .bind(version)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() > 0 {
            bump(&mut tx).await?;
        }
        tx.commit().await?;
        Ok(version)
    }

    /// Stores a new version of a named calendar as pending: previewed, then brought into force
    /// by [`Store::apply_calendars`]. Answers the version; content equal to the version in
    /// force, or to the latest pending one, is not stored again.
    pub async fn propose_calendar(&self, name: &str, spec_json: &str) -> Result<i64, StoreError> {
        let sha = sha256_hex(spec_json.as_bytes());
        let mut tx = self.begin_write().await?;
        let latest = sqlx::query(
            "SELECT version, sha256, in_force_at FROM calendars WHERE name = $1
             ORDER BY version DESC LIMIT 1",
        )
        .bind(name)
        .fetch_optional(&mut *tx)
        .await?;
        let in_force = sqlx::query(
            "SELECT version, sha256 FROM calendars WHERE name = $1 AND in_force_at IS NOT NULL
             ORDER BY version DESC LIMIT 1",
        )
        .bind(name)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(r) = &in_force {
            let (v, s): (i64, String) = (r.try_get(0)?, r.try_get(1)?);
            let newest: i64 = latest
                .as_ref()
                .map(|l| l.try_get(0))
                .transpose()?
                .unwrap_or(v);
            if s == sha && newest == v {
                return Ok(v);
            }
        }
        let next = match &latest {
            Some(r) => {
                let (v, s): (i64, String) = (r.try_get(0)?, r.try_get(1)?);
                let pending = r.try_get::<Option<i64>, _>(2)?.is_none();
                if pending && s == sha {
                    return Ok(v);
                }
                v + 1
            }
            None => 1,
        };
        sqlx::query("INSERT INTO calendars (name, version, spec, sha256, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(name)
            .bind(next)
            .bind(spec_json)
            .bind(&sha)
            .bind(micros(Utc::now()))
            .execute(&mut *tx)
            .await?;
        // A pending version changes no reading of the configuration in force, but the pages
        // that show what is pending read it through the same version.
        bump(&mut tx).await?;
        tx.commit().await?;
        Ok(next)
    }

    /// The version in force of a named calendar: (version, specification JSON).
    pub async fn calendar(&self, name: &str) -> Result<(i64, String), StoreError> {
        let r = sqlx::query(
            "SELECT version, spec FROM calendars WHERE name = $1 AND in_force_at IS NOT NULL
             ORDER BY version DESC LIMIT 1",
        )
        .bind(name)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("calendar {name}")))?;
        Ok((r.try_get(0)?, r.try_get(1)?))
    }

    /// One version of a named calendar, in force or not: its specification JSON.
    pub async fn calendar_version(&self, name: &str, version: i64) -> Result<String, StoreError> {
        let r = sqlx::query("SELECT spec FROM calendars WHERE name = $1 AND version = $2")
            .bind(name)
            .bind(version)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("calendar {name} version {version}")))?;
        Ok(r.try_get(0)?)
    }

    /// The version in force of every stored calendar whose name starts with `prefix`:
    /// (name, version, specification JSON).
    pub async fn calendars_named(
        &self,
        prefix: &str,
    ) -> Result<Vec<(String, i64, String)>, StoreError> {
        let rows = sqlx::query(
            "SELECT c.name, c.version, c.spec FROM calendars c
             WHERE c.name LIKE $1 AND c.in_force_at IS NOT NULL
               AND c.version = (SELECT MAX(x.version) FROM calendars x
                                WHERE x.name = c.name AND x.in_force_at IS NOT NULL)
             ORDER BY c.name",
        )
        .bind(format!("{prefix}%"))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
            .collect()
    }

    /// The pending calendars: for each name, its latest version when it is newer than the one
    /// in force and not in force itself: (name, version, specification JSON, stored at).
    pub async fn pending_calendars(
        &self,
    ) -> Result<Vec<(String, i64, String, DateTime<Utc>)>, StoreError> {
        let rows = sqlx::query(
            "SELECT c.name, c.version, c.spec, c.created_at FROM calendars c
             WHERE c.in_force_at IS NULL
               AND c.version = (SELECT MAX(x.version) FROM calendars x WHERE x.name = c.name)
             ORDER BY c.name",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get(0)?,
                    r.try_get(1)?,
                    r.try_get(2)?,
                    from_micros(r.try_get(3)?),
                ))
            })
            .collect()
    }

    /// Drops the pending version of a named calendar (never in force, so nothing used it).
    pub async fn discard_pending_calendar(&self, name: &str) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query("DELETE FROM calendars WHERE name = $1 AND in_force_at IS NULL")
            .bind(name)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() > 0 {
            bump(&mut tx).await?;
        }
        tx.commit().await?;
        Ok(done.rows_affected() > 0)
    }

    /// Brings pending calendar versions into force at `effective_at`, all at once, and records
    /// the change (with, for each agency concerned, the calendar version before and after, as
    /// the caller computed them) for the re-projection of dossiers in flight. A version no
    /// longer pending (applied meanwhile, by another server) makes it a conflict, and nothing
    /// changes. Answers the change's id.
    pub async fn apply_calendars(
        &self,
        versions: &[(String, i64)],
        effective_at: DateTime<Utc>,
        by: &str,
        agencies: &[CalendarShift],
        feedback: &[FeedbackDue],
    ) -> Result<i64, StoreError> {
        let mut tx = self.begin_write().await?;
        // Unanswered feedback whose due moves (few: an agency's open feedback), in the same
        // transaction: the change and these dues come into force together. A due no longer
        // as read (answered meanwhile) is left alone.
        for f in feedback {
            sqlx::query(
                "UPDATE feedback SET due_at = $3
                 WHERE id = $1 AND due_at = $2 AND answered_at IS NULL",
            )
            .bind(&f.id)
            .bind(micros(f.before))
            .bind(micros(f.after))
            .execute(&mut *tx)
            .await?;
        }
        for (name, version) in versions {
            let done = sqlx::query(
                "UPDATE calendars SET in_force_at = $3, applied_by = $4
                 WHERE name = $1 AND version = $2 AND in_force_at IS NULL",
            )
            .bind(name)
            .bind(version)
            .bind(micros(effective_at))
            .bind(by)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() != 1 {
                return Err(StoreError::Conflict(format!(
                    "calendar {name} version {version} is not pending"
                )));
            }
        }
        let row = sqlx::query(
            "INSERT INTO calendar_changes (effective_at, applied_by, calendars, agencies)
             VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(micros(effective_at))
        .bind(by)
        .bind(serde_json::to_string(versions).map_err(StoreError::internal)?)
        .bind(serde_json::to_string(agencies).map_err(StoreError::internal)?)
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get(0)?;
        bump(&mut tx).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The unanswered feedback sent to an agency, soonest due first.
    pub async fn unanswered_feedback_to(
        &self,
        agency: &str,
    ) -> Result<Vec<crate::Feedback>, StoreError> {
        crate::feedback::unanswered_to(&self.pool, agency).await
    }

    /// Every change of calendar brought into force, oldest first.
    pub async fn calendar_changes(&self) -> Result<Vec<CalendarChange>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, effective_at, applied_by, calendars, agencies, done_at
             FROM calendar_changes ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let calendars: String = r.try_get(3)?;
                let agencies: String = r.try_get(4)?;
                Ok(CalendarChange {
                    id: r.try_get(0)?,
                    effective_at: from_micros(r.try_get(1)?),
                    applied_by: r.try_get(2)?,
                    calendars: serde_json::from_str(&calendars).map_err(StoreError::internal)?,
                    agencies: serde_json::from_str(&agencies).map_err(StoreError::internal)?,
                    done_at: r.try_get::<Option<i64>, _>(5)?.map(from_micros),
                })
            })
            .collect()
    }

    /// Marks a change done: every open dossier it concerned is under the new calendar.
    pub async fn finish_calendar_change(
        &self,
        id: i64,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE calendar_changes SET done_at = $2 WHERE id = $1 AND done_at IS NULL")
            .bind(id)
            .bind(micros(at))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// For one agency concerned by a change of calendar: the version of its calendar before and
/// after (the composite versions the application layer computes, e.g.
/// `national@3;agency:000.20.31.H53@2`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarShift {
    /// The agency.
    pub agency: String,
    /// Its calendar's version before the change.
    pub before: String,
    /// After.
    pub after: String,
}

/// The answer due of an unanswered feedback item moved by a change of calendar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeedbackDue {
    /// The feedback.
    pub id: String,
    /// Its due before the change (the update is skipped if it no longer is).
    pub before: DateTime<Utc>,
    /// After.
    pub after: DateTime<Utc>,
}

/// A change of calendar brought into force.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CalendarChange {
    /// Its number.
    pub id: i64,
    /// The instant it counts from.
    pub effective_at: DateTime<Utc>,
    /// Who applied it.
    pub applied_by: String,
    /// The calendar versions it brought into force: (name, version).
    pub calendars: Vec<(String, i64)>,
    /// The agencies concerned, each with its calendar version before and after.
    pub agencies: Vec<CalendarShift>,
    /// When every open dossier it concerned was reprojected.
    pub done_at: Option<DateTime<Utc>>,
}

fn agency_from_row(r: &AnyRow) -> Result<Agency, StoreError> {
    let hosts: String = r.try_get(4)?;
    Ok(Agency {
        id: r.try_get(0)?,
        name: r.try_get(1)?,
        level: r.try_get(2)?,
        parent_id: r.try_get(3)?,
        host_names: serde_json::from_str(&hosts).map_err(StoreError::internal)?,
        contact: AgencyContact {
            address: r.try_get(5)?,
            hotline: r.try_get(6)?,
            email: r.try_get(7)?,
            hours: r.try_get(8)?,
        },
    })
}
