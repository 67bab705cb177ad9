//! Rebuilding every dossier's projection from its event log (`motcua migrate
//! --rebuild-projections`): after a change to how projections are derived (a new column, a
//! new queue rule), or to check that the stored projections are what the logs say.

use motcua_core::dossier::{AgencyId, Dossier, verify};
use motcua_core::procedure::Procedure;
use sqlx::Row;
use std::collections::HashMap;

use crate::dossiers::{projection, queue_of};
use crate::queries::event_from_row;
use crate::{Store, StoreError};

/// What a rebuild did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RebuildReport {
    /// Dossiers read.
    pub dossiers: u64,
    /// Dossiers whose projection (body or columns) was rewritten because it differed.
    pub changed: u64,
    /// (dossier id, problem) for every dossier left as it was: a broken chain, a procedure
    /// version that is not stored, a concurrent change.
    pub problems: Vec<(String, String)>,
}

impl Store {
    /// Replays every dossier's events (verifying the hash chain first) and rewrites its
    /// projection where it differs from what the events say. Running it again changes
    /// nothing. A dossier changed by a command while it runs is left to that command (its
    /// projection is current) and reported.
    pub async fn rebuild_projections(&self) -> Result<RebuildReport, StoreError> {
        let mut procedures: HashMap<(String, String), Procedure> = HashMap::new();
        for (code, version, source) in self.procedures().await? {
            if let Ok((p, _)) = Procedure::load(&format!("{code}@{version}"), &source) {
                procedures.insert((code, version), p);
            }
        }
        let ids: Vec<String> = sqlx::query("SELECT id FROM dossiers ORDER BY id")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| r.try_get(0))
            .collect::<Result<_, _>>()?;
        let mut report = RebuildReport::default();
        for id in ids {
            report.dossiers += 1;
            match self.rebuild_one(&id, &procedures).await {
                Ok(changed) => report.changed += u64::from(changed),
                Err(why) => report.problems.push((id, why)),
            }
        }
        self.forget_all();
        Ok(report)
    }

    /// Rebuilds one projection; answers whether it was rewritten, or why it was left.
    async fn rebuild_one(
        &self,
        id: &str,
        procedures: &HashMap<(String, String), Procedure>,
    ) -> Result<bool, String> {
        let fail = |e: StoreError| e.to_string();
        let row = sqlx::query(
            "SELECT body, version, agency_id, field, step_role, queue_due, updated_at, score_total_time
             FROM dossiers WHERE id = $1",
        )
        .bind(id)
        .fetch_one(&self.pool)
        .await
        .map_err(|e| StoreError::from(e).to_string())?;
        let body: String = row.try_get(0).map_err(|e| e.to_string())?;
        let version: i64 = row.try_get(1).map_err(|e| e.to_string())?;
        let agency: String = row.try_get(2).map_err(|e| e.to_string())?;
        let old_columns: (Option<String>, Option<String>, Option<i64>) = (
            row.try_get(3).map_err(|e| e.to_string())?,
            row.try_get(4).map_err(|e| e.to_string())?,
            row.try_get(5).map_err(|e| e.to_string())?,
        );
        let updated_at: i64 = row.try_get(6).map_err(|e| e.to_string())?;
        let scored: Option<i64> = row.try_get(7).map_err(|e| e.to_string())?;
        let events: Vec<_> = sqlx::query(
            "SELECT seq, at, actor, event, prev_hash, hash, format FROM events WHERE dossier_id = $1 ORDER BY seq",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| StoreError::from(e).to_string())?
        .iter()
        .map(event_from_row)
        .collect::<Result<_, _>>()
        .map_err(fail)?;
        verify(&events).map_err(|e| format!("the hash chain does not verify: {e}"))?;
        let stored: Dossier = serde_json::from_str(&body).map_err(|e| e.to_string())?;
        let key = (stored.procedure.clone(), stored.procedure_version.clone());
        let p = procedures
            .get(&key)
            .ok_or_else(|| format!("procedure {} version {} is not stored", key.0, key.1))?;
        let agency = AgencyId::parse(&agency).map_err(|e| e.to_string())?;
        // Each event with the version it was decided under (a dossier migrated on purpose
        // followed another before).
        let d = Dossier::replay_versions(id, agency, &events, &|v| {
            procedures.get(&(key.0.clone(), v.to_string()))
        })
        .map_err(|e| e.to_string())?;
        if d.version as i64 != version {
            return Err(format!(
                "the projection is at version {version}, the log at {}",
                d.version
            ));
        }
        let step_role = d
            .step
            .as_deref()
            .and_then(|s| p.step(s))
            .map(|s| s.role.as_str());
        // The time of the row stays what it was, so that a second run changes nothing.
        let statement = projection(
            &d,
            &p.catalogue.field,
            step_role,
            false,
            d.version,
            crate::from_micros(updated_at),
        )
        .map_err(fail)?;
        let rebuilt = serde_json::to_string(&d).map_err(|e| e.to_string())?;
        let (queue_role, queue_due) = queue_of(&d, step_role);
        let new_columns = (Some(p.catalogue.field.clone()), queue_role, queue_due);
        // A row returned before its score was stored (migration 0016) is rewritten with it.
        let score_written = scored.is_some() == motcua_core::evaluation::score(&d).is_some();
        if rebuilt == body && new_columns == old_columns && score_written {
            return Ok(false);
        }
        let done = statement
            .query()
            .execute(&self.pool)
            .await
            .map_err(|e| StoreError::from(e).to_string())?;
        if done.rows_affected() != 1 {
            return Err(
                "changed by a command while rebuilding; left as the command wrote it".into(),
            );
        }
        Ok(true)
    }
}
