//! The statistics table of DOMAIN.md section 9 (form 06/VPCP/KSTT), by field.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{AssertSqlSafe, Row};
use std::collections::BTreeMap;

use crate::{Store, StoreError, micros};

/// One field's row of the table.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct FieldStats {
    /// Accepted before the period and still open at its start.
    pub carried_over: i64,
    /// Accepted in the period, submitted online.
    pub new_online: i64,
    /// Accepted in the period, at the desk or by post.
    pub new_direct_or_post: i64,
    /// Result returned in the period before the original appointment's date.
    pub resolved_early: i64,
    /// Returned in the period on the appointment's date, not after it.
    pub resolved_on_time: i64,
    /// Returned in the period after the original appointment.
    pub resolved_late: i64,
    /// Open at the end of the period, original appointment not passed.
    pub in_progress_within_time: i64,
    /// Open at the end of the period, original appointment passed.
    pub in_progress_overdue: i64,
    /// Of those received, how many were asked to supplement at least once.
    pub supplement_requested: i64,
    /// Refused at intake in the period.
    pub refused: i64,
}

impl FieldStats {
    /// Received in total.
    pub fn received(&self) -> i64 {
        self.carried_over + self.new_online + self.new_direct_or_post
    }

    /// Resolved in total.
    pub fn resolved(&self) -> i64 {
        self.resolved_early + self.resolved_on_time + self.resolved_late
    }

    fn add(&mut self, o: &FieldStats) {
        self.carried_over += o.carried_over;
        self.new_online += o.new_online;
        self.new_direct_or_post += o.new_direct_or_post;
        self.resolved_early += o.resolved_early;
        self.resolved_on_time += o.resolved_on_time;
        self.resolved_late += o.resolved_late;
        self.in_progress_within_time += o.in_progress_within_time;
        self.in_progress_overdue += o.in_progress_overdue;
        self.supplement_requested += o.supplement_requested;
        self.refused += o.refused;
    }
}

/// The table for an agency and its children over `[from, to)`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Statistics {
    /// Agencies counted.
    pub agencies: Vec<String>,
    /// Period start (inclusive).
    pub from: DateTime<Utc>,
    /// Period end (exclusive).
    pub to: DateTime<Utc>,
    /// By field.
    pub by_field: BTreeMap<String, FieldStats>,
    /// All fields.
    pub total: FieldStats,
}

impl Store {
    /// Counts received, resolved and in-progress dossiers for `agency` and the agencies below
    /// it, over `[from, to)`, by field, in one pass over the index of accepted dossiers.
    pub async fn statistics(
        &self,
        agency: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Statistics, StoreError> {
        let agencies = self.agency_subtree(agency).await?;
        let placeholders: Vec<String> =
            (0..agencies.len()).map(|i| format!("${}", i + 3)).collect();
        let list = placeholders.join(", ");
        // Dossiers accepted before the end of the period and not closed before its start,
        // plus refusals in the period. `FILTER` clauses do the classification in SQL.
        let sql = format!(
            "SELECT field,
               COUNT(*) FILTER (WHERE accepted_at < $1 AND (closed_at IS NULL OR closed_at >= $1)),
               COUNT(*) FILTER (WHERE accepted_at >= $1 AND accepted_at < $2 AND channel = 'online'),
               COUNT(*) FILTER (WHERE accepted_at >= $1 AND accepted_at < $2 AND channel <> 'online'),
               COUNT(*) FILTER (WHERE state = 'returned' AND closed_at >= $1 AND closed_at < $2 AND timeliness = 'early'),
               COUNT(*) FILTER (WHERE state = 'returned' AND closed_at >= $1 AND closed_at < $2 AND timeliness = 'ontime'),
               COUNT(*) FILTER (WHERE state = 'returned' AND closed_at >= $1 AND closed_at < $2 AND timeliness = 'late'),
               COUNT(*) FILTER (WHERE accepted_at < $2 AND (closed_at IS NULL OR closed_at >= $2)
                        AND original_appointment >= $2),
               COUNT(*) FILTER (WHERE accepted_at < $2 AND (closed_at IS NULL OR closed_at >= $2)
                        AND original_appointment < $2),
               COUNT(*) FILTER (WHERE accepted_at < $2 AND (closed_at IS NULL OR closed_at >= $1) AND supplement_rounds > 0),
               COUNT(*) FILTER (WHERE state = 'refused' AND closed_at >= $1 AND closed_at < $2)
             FROM dossiers
             WHERE agency_id IN ({list})
               AND ((accepted_at IS NOT NULL AND accepted_at < $2 AND (closed_at IS NULL OR closed_at >= $1))
                    OR (state = 'refused' AND closed_at >= $1 AND closed_at < $2))
             GROUP BY field"
        );
        let mut q = sqlx::query(AssertSqlSafe(sql))
            .bind(micros(from))
            .bind(micros(to));
        for a in &agencies {
            q = q.bind(a);
        }
        let rows = q.fetch_all(&self.pool).await?;
        let mut stats = Statistics {
            agencies,
            from,
            to,
            ..Statistics::default()
        };
        for r in rows {
            let get = |i: usize| -> Result<i64, StoreError> { Ok(r.try_get::<i64, _>(i)?) };
            let f = FieldStats {
                carried_over: get(1)?,
                new_online: get(2)?,
                new_direct_or_post: get(3)?,
                resolved_early: get(4)?,
                resolved_on_time: get(5)?,
                resolved_late: get(6)?,
                in_progress_within_time: get(7)?,
                in_progress_overdue: get(8)?,
                supplement_requested: get(9)?,
                refused: get(10)?,
            };
            stats.total.add(&f);
            stats.by_field.insert(r.try_get(0)?, f);
        }
        Ok(stats)
    }
}
