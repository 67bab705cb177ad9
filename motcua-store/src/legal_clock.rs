//! The history of each dossier's legal clock (table `legal_clock`): one row per event that
//! sets, pauses or resumes the appointment results are classified against. Derived from the
//! events alone, written in the command's transaction, rebuilt from the logs when needed.
//! The statistics read it to judge an open dossier at a past instant and to count
//! supplement requests in the period in which they were made.

use chrono::{DateTime, Utc};
use motcua_core::dossier::{Deadline, Event};
use sqlx::Row;

use crate::dossiers::Statement;
use crate::{Store, StoreError, from_micros, micros};

/// One row of the history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ClockRow {
    /// What changed the clock (`accepted`, `supplement-requested`, ...).
    pub kind: &'static str,
    /// While this row is in force, the dossier is overdue at any instant after this one;
    /// `None` while it cannot be (its clock paused before the legal appointment passed).
    pub overdue_after: Option<DateTime<Utc>>,
}

/// The legal clock as the events so far left it: the appointment results are classified
/// against, and whether the clock is paused.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Legal {
    /// The legal appointment in force.
    pub appointment: Option<DateTime<Utc>>,
    /// Whether the clock is paused (a supplement or a payment asked of the applicant).
    pub paused: bool,
}

/// The row `event` (at `at`) adds, given the legal clock before it, and the legal clock after
/// it. Events that leave the legal clock alone add none.
///
/// Pauses (a supplement or a financial obligation asked of the applicant) keep the legal
/// appointment: the applicant's wait is added to it when the pause ends. While paused, a
/// dossier is overdue only if its appointment had already passed when the pause began. A
/// change of calendar that moves the legal appointment sets it anew; during a pause the
/// appointment it moves had not passed (re-projection never moves a passed instant), so the
/// dossier stays not overdue until the pause ends.
pub(crate) fn row_for(event: &Event, at: DateTime<Utc>, legal: Legal) -> Option<(ClockRow, Legal)> {
    let in_force = legal.appointment;
    let set = |kind, appointment: DateTime<Utc>| {
        Some((
            ClockRow {
                kind,
                overdue_after: Some(appointment),
            },
            Legal {
                appointment: Some(appointment),
                paused: false,
            },
        ))
    };
    let pause = |kind| {
        Some((
            ClockRow {
                kind,
                overdue_after: in_force.filter(|a| *a < at),
            },
            Legal {
                appointment: in_force,
                paused: true,
            },
        ))
    };
    match event {
        Event::DeadlinesReprojected { moved, .. } => {
            let after = moved
                .iter()
                .find(|m| m.deadline == Deadline::OriginalAppointment)?
                .after;
            if legal.paused {
                Some((
                    ClockRow {
                        kind: "reprojected",
                        overdue_after: None,
                    },
                    Legal {
                        appointment: Some(after),
                        paused: true,
                    },
                ))
            } else {
                set("reprojected", after)
            }
        }
        Event::Accepted { appointment, .. } => set("accepted", *appointment),
        Event::SupplementReceived {
            original_appointment,
            ..
        } => set("supplement-received", *original_appointment),
        Event::PaymentRecorded {
            original_appointment,
            ..
        } => set("payment-recorded", *original_appointment),
        Event::SupplementRequested { .. } => pause("supplement-requested"),
        Event::PaymentRequested { .. } => pause("payment-requested"),
        _ => None,
    }
}

const INSERT: &str =
    "INSERT INTO legal_clock (dossier_id, seq, agency_id, field, at, kind, overdue_after)
     VALUES ($1, $2, $3, $4, $5, $6, $7)";

/// The insert of one row.
pub(crate) fn insert(
    dossier: &str,
    seq: u64,
    agency: &str,
    field: &str,
    at: DateTime<Utc>,
    row: &ClockRow,
) -> Statement {
    Statement::new(
        INSERT,
        vec![
            dossier.to_string().into(),
            (seq as i64).into(),
            agency.to_string().into(),
            field.to_string().into(),
            micros(at).into(),
            row.kind.to_string().into(),
            row.overdue_after.map(micros).into(),
        ],
    )
}

impl Store {
    /// Rebuilds the whole `legal_clock` table from the event logs, in one transaction, and
    /// returns the number of rows written. Run by [`Store::migrate`] when the table is first
    /// created on a database that already holds dossiers; running it again changes nothing.
    pub async fn rebuild_legal_clock(&self) -> Result<u64, StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM legal_clock")
            .execute(&mut *tx)
            .await?;
        // Read in pages along the events' (dossier, seq) key, so that a large database is
        // never held in memory at once.
        let mut written = 0;
        let (mut last_dossier, mut last_seq) = (String::new(), -1_i64);
        let mut in_force = Legal::default();
        loop {
            let rows = sqlx::query(
                "SELECT e.dossier_id, e.seq, e.at, e.event, d.agency_id, d.field
                 FROM events e JOIN dossiers d ON d.id = e.dossier_id
                 WHERE (e.dossier_id, e.seq) > ($1, $2)
                 ORDER BY e.dossier_id, e.seq
                 LIMIT 5000",
            )
            .bind(&last_dossier)
            .bind(last_seq)
            .fetch_all(&mut *tx)
            .await?;
            if rows.is_empty() {
                break;
            }
            for r in rows {
                let dossier: String = r.try_get(0)?;
                if dossier != last_dossier {
                    in_force = Legal::default();
                }
                let seq: i64 = r.try_get(1)?;
                (last_dossier, last_seq) = (dossier, seq);
                let at = from_micros(r.try_get(2)?);
                let event: Event = serde_json::from_str(&r.try_get::<String, _>(3)?)
                    .map_err(StoreError::internal)?;
                let Some((row, after)) = row_for(&event, at, in_force) else {
                    continue;
                };
                in_force = after;
                let agency: String = r.try_get(4)?;
                let field: String = r.try_get(5)?;
                insert(&last_dossier, seq as u64, &agency, &field, at, &row)
                    .query()
                    .execute(&mut *tx)
                    .await?;
                written += 1;
            }
        }
        tx.commit().await?;
        Ok(written)
    }
}
