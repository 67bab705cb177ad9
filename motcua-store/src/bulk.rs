//! Bulk loading: dossiers decided elsewhere (a load generator, a migration from another
//! system) written many per transaction. Every log must verify; codes advance the counters.

use motcua_core::dossier::{Dossier, RecordedEvent, verify};
use std::collections::BTreeMap;

use crate::dossiers::write_projection;
use crate::legal_clock;
use crate::{Store, StoreError, micros};

/// A dossier with its sealed event log, ready to be stored as it is.
#[derive(Clone, Debug)]
pub struct Generated {
    /// The dossier as its events leave it.
    pub dossier: Dossier,
    /// Its whole log.
    pub events: Vec<RecordedEvent>,
    /// The procedure's field (for statistics).
    pub field: String,
    /// The role of its current step, if open.
    pub step_role: Option<String>,
}

impl Store {
    /// Writes new dossiers and their logs in one transaction. A log that does not verify or
    /// does not end at its dossier's state refuses the whole batch.
    pub async fn bulk_insert(&self, items: &[Generated]) -> Result<(), StoreError> {
        let mut counters: BTreeMap<(String, String), u32> = BTreeMap::new();
        for g in items {
            verify(&g.events)
                .map_err(|e| StoreError::Integrity(format!("{}: {e}", g.dossier.id)))?;
            // Times are stored to the microsecond; a finer one would break the hash on reading.
            if g.events
                .iter()
                .any(|e| e.at.timestamp_subsec_nanos() % 1000 != 0)
            {
                return Err(StoreError::Integrity(format!(
                    "{}: an event time is finer than a microsecond",
                    g.dossier.id
                )));
            }
            if g.events.last().map(|e| e.hash.as_str()).unwrap_or("") != g.dossier.last_hash {
                return Err(StoreError::Integrity(format!(
                    "{}: the log does not end at the dossier's state",
                    g.dossier.id
                )));
            }
            if let Some(code) = &g.dossier.code {
                let key = (
                    code.agency().to_string(),
                    code.date().format("%Y-%m-%d").to_string(),
                );
                let max = counters.entry(key).or_default();
                *max = (*max).max(code.sequence());
            }
        }
        let mut tx = self.begin_write().await?;
        for g in items {
            let status = i64::from(g.dossier.national_status());
            let mut legal = legal_clock::Legal::default();
            for e in &g.events {
                if let Some((row, after)) = legal_clock::row_for(&e.event, e.at, legal) {
                    legal = after;
                    legal_clock::insert(
                        &g.dossier.id,
                        e.seq,
                        &g.dossier.agency,
                        &g.field,
                        e.at,
                        &row,
                    )
                    .query()
                    .execute(&mut *tx)
                    .await?;
                }
                sqlx::query(
                    "INSERT INTO events (dossier_id, seq, at, actor, event, prev_hash, hash, national_status, format)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(&g.dossier.id)
                .bind(e.seq as i64)
                .bind(micros(e.at))
                .bind(serde_json::to_string(&e.actor).map_err(StoreError::internal)?)
                .bind(serde_json::to_string(&e.event).map_err(StoreError::internal)?)
                .bind(&e.prev_hash)
                .bind(&e.hash)
                .bind(status)
                .bind(i64::from(e.format))
                .execute(&mut *tx)
                .await?;
            }
            let updated = g.events.last().map(|e| e.at).unwrap_or_default();
            write_projection(
                &mut tx,
                &g.dossier,
                &g.field,
                g.step_role.as_deref(),
                true,
                0,
                updated,
            )
            .await?;
        }
        for ((agency, day), value) in counters {
            sqlx::query(
                "INSERT INTO code_counters (agency_id, day, value) VALUES ($1, $2, $3)
                 ON CONFLICT (agency_id, day) DO UPDATE SET value =
                   CASE WHEN excluded.value > code_counters.value THEN excluded.value ELSE code_counters.value END",
            )
            .bind(agency)
            .bind(day)
            .bind(i64::from(value))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
