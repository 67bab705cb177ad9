//! The scoring tool's data: each agency's tally over a period (its returned dossiers' scores
//! and its feedback), what the service center entered, and the configured rules.

use chrono::{DateTime, Utc};
use motcua_core::dossier::Dossier;
use motcua_core::evaluation::{Tally, score};
use sqlx::{AssertSqlSafe, Row};
use std::collections::BTreeMap;

use crate::stats::{bound, placeholders};
use crate::{AuditEntry, Store, StoreError, from_micros, micros};

/// What the service center entered for an agency and a period, as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnteredInputs {
    /// `motcua_core::evaluation::Inputs` as JSON.
    pub inputs: String,
    /// Who entered them.
    pub entered_by: String,
    /// When.
    pub entered_at: DateTime<Utc>,
}

impl Store {
    /// Each of `agencies`' tally over `[from, to)`: the scores of the dossiers whose result
    /// was returned in it (a dossier returned before the scores were stored is scored from
    /// its body) and the feedback due in it; feedback is judged at the earlier of `to` and
    /// `now`. The procedure counts are left to the caller, who holds the catalogue.
    pub async fn evaluation_tallies(
        &self,
        agencies: &[String],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<BTreeMap<String, Tally>, StoreError> {
        let mut out: BTreeMap<String, Tally> = agencies
            .iter()
            .map(|a| (a.clone(), Tally::default()))
            .collect();
        if agencies.is_empty() {
            return Ok(out);
        }
        let n = agencies.len();
        let sql = format!(
            "SELECT agency_id, COUNT(*), CAST(SUM(score_total_time) AS BIGINT), CAST(SUM(score_unit_time) AS BIGINT),
               CAST(SUM(score_came_back) AS BIGINT), CAST(SUM(score_bodies) AS BIGINT), CAST(SUM(score_desk) AS BIGINT), CAST(SUM(score_attitude) AS BIGINT),
               COUNT(*) FILTER (WHERE score_desk = 2),
               COUNT(*) FILTER (WHERE channel = 'online'),
               COUNT(*) FILTER (WHERE channel = 'online' AND score_total_time = 0)
             FROM dossiers
             WHERE agency_id IN ({}) AND state = 'returned' AND closed_at >= $1 AND closed_at < $2
               AND score_total_time IS NOT NULL
             GROUP BY agency_id",
            placeholders(3, n)
        );
        for r in bound(sql, from, to, agencies).fetch_all(&self.pool).await? {
            let agency: String = r.try_get(0)?;
            let t = out.entry(agency).or_default();
            let get = |i: usize| -> Result<u64, StoreError> {
                Ok(r.try_get::<Option<i64>, _>(i)?.unwrap_or(0).max(0) as u64)
            };
            t.dossiers += get(1)?;
            for k in 0..6 {
                t.sums[k] += get(2 + k)?;
            }
            t.desk_decided += get(8)?;
            t.online += get(9)?;
            t.online_late += get(10)?;
        }

        // Returned before migration 0016 (or restored from an export without scores).
        let sql = format!(
            "SELECT agency_id, channel, body FROM dossiers
             WHERE agency_id IN ({}) AND state = 'returned' AND closed_at >= $1 AND closed_at < $2
               AND score_total_time IS NULL",
            placeholders(3, n)
        );
        for r in bound(sql, from, to, agencies).fetch_all(&self.pool).await? {
            let agency: String = r.try_get(0)?;
            let channel: Option<String> = r.try_get(1)?;
            let body: String = r.try_get(2)?;
            let d: Dossier = serde_json::from_str(&body)
                .map_err(|e| StoreError::Integrity(format!("dossier body: {e}")))?;
            if let Some(s) = score(&d) {
                out.entry(agency)
                    .or_default()
                    .add(&s, channel.as_deref() == Some("online"));
            }
        }

        // Feedback due in the period, answered by its due; and any past its due and still
        // unanswered when judged (whenever it was due: "left dragging").
        let judged = to.min(now);
        let sql = format!(
            "SELECT agency_id,
               COUNT(*) FILTER (WHERE due_at >= $1 AND due_at < $2),
               COUNT(*) FILTER (WHERE due_at >= $1 AND due_at < $2 AND answered_at IS NOT NULL
                                AND answered_at <= due_at),
               COUNT(*) FILTER (WHERE due_at < $3 AND created_at < $2
                                AND (answered_at IS NULL OR answered_at > $3))
             FROM feedback WHERE agency_id IN ({})
             GROUP BY agency_id",
            placeholders(4, n)
        );
        let q = sqlx::query(AssertSqlSafe(sql))
            .bind(micros(from))
            .bind(micros(to))
            .bind(micros(judged));
        let q = agencies.iter().fold(q, |q, a| q.bind(a));
        for r in q.fetch_all(&self.pool).await? {
            let agency: String = r.try_get(0)?;
            let t = out.entry(agency).or_default();
            t.feedback_due = r.try_get::<i64, _>(1)?.max(0) as u64;
            t.feedback_on_time = r.try_get::<i64, _>(2)?.max(0) as u64;
            t.feedback_overdue_open = r.try_get::<i64, _>(3)?.max(0) as u64;
        }
        Ok(out)
    }

    /// What was entered for `agency` and exactly this period (`YYYY-MM-DD` both included).
    pub async fn evaluation_inputs(
        &self,
        agency: &str,
        from: &str,
        to: &str,
    ) -> Result<Option<EnteredInputs>, StoreError> {
        let row = sqlx::query(
            "SELECT inputs, entered_by, entered_at FROM evaluation_inputs
             WHERE agency_id = $1 AND period_from = $2 AND period_to = $3",
        )
        .bind(agency)
        .bind(from)
        .bind(to)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(EnteredInputs {
                inputs: r.try_get(0)?,
                entered_by: r.try_get(1)?,
                entered_at: from_micros(r.try_get(2)?),
            })
        })
        .transpose()
    }

    /// Stores what the service center entered for `agency` and the period, replacing what
    /// was there, with an audit entry, in one transaction.
    pub async fn put_evaluation_inputs(
        &self,
        agency: &str,
        from: &str,
        to: &str,
        inputs_json: &str,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO evaluation_inputs (agency_id, period_from, period_to, inputs, entered_by, entered_at)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (agency_id, period_from, period_to)
             DO UPDATE SET inputs = $4, entered_by = $5, entered_at = $6",
        )
        .bind(agency)
        .bind(from)
        .bind(to)
        .bind(inputs_json)
        .bind(by)
        .bind(micros(now))
        .execute(&mut *tx)
        .await?;
        crate::audit::append(
            &mut tx,
            &AuditEntry {
                at: now,
                actor: by.to_string(),
                action: "evaluation_inputs_entered".to_string(),
                account: by.to_string(),
                agency: Some(agency.to_string()),
                address: None,
                detail: format!("{from}..{to}: {inputs_json}"),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The configured rules (`motcua_core::evaluation::Rules` as JSON), if any were set.
    pub async fn evaluation_rules(&self) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT rules FROM evaluation_rules WHERE id = 1")
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| Ok(r.try_get(0)?)).transpose()
    }

    /// Sets the rules, with an audit entry, in one transaction.
    pub async fn put_evaluation_rules(
        &self,
        rules_json: &str,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO evaluation_rules (id, rules, updated_by, updated_at) VALUES (1, $1, $2, $3)
             ON CONFLICT (id) DO UPDATE SET rules = $1, updated_by = $2, updated_at = $3",
        )
        .bind(rules_json)
        .bind(by)
        .bind(micros(now))
        .execute(&mut *tx)
        .await?;
        crate::audit::append(
            &mut tx,
            &AuditEntry {
                at: now,
                actor: by.to_string(),
                action: "evaluation_rules_changed".to_string(),
                account: by.to_string(),
                agency: None,
                address: None,
                detail: rules_json.to_string(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
