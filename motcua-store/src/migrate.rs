//! Schema migrations, embedded in the binary: the same version numbers for both backends.

use sqlx::{Executor, Row};

use crate::{Backend, Store, StoreError, micros, sha256_hex};

struct Migration {
    version: i64,
    description: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        description: "init",
        sqlite: include_str!("../migrations/sqlite/0001_init.sql"),
        postgres: include_str!("../migrations/postgres/0001_init.sql"),
    },
    Migration {
        version: 2,
        description: "sessions",
        sqlite: include_str!("../migrations/sqlite/0002_sessions.sql"),
        postgres: include_str!("../migrations/postgres/0002_sessions.sql"),
    },
    Migration {
        version: 3,
        description: "write guard",
        sqlite: include_str!("../migrations/sqlite/0003_write_guard.sql"),
        postgres: include_str!("../migrations/postgres/0003_write_guard.sql"),
    },
    Migration {
        version: 4,
        description: "queue due",
        sqlite: include_str!("../migrations/sqlite/0004_queue_due.sql"),
        postgres: include_str!("../migrations/postgres/0004_queue_due.sql"),
    },
    Migration {
        version: 5,
        description: "legal clock",
        sqlite: include_str!("../migrations/sqlite/0005_legal_clock.sql"),
        postgres: include_str!("../migrations/postgres/0005_legal_clock.sql"),
    },
    Migration {
        version: 6,
        description: "throttles, audit log, home agencies",
        sqlite: include_str!("../migrations/sqlite/0006_throttles_audit.sql"),
        postgres: include_str!("../migrations/postgres/0006_throttles_audit.sql"),
    },
    Migration {
        version: 7,
        description: "procedure assignments, configuration version",
        sqlite: include_str!("../migrations/sqlite/0007_assignments_config.sql"),
        postgres: include_str!("../migrations/postgres/0007_assignments_config.sql"),
    },
    Migration {
        version: 8,
        description: "submission drafts, feedback contact",
        sqlite: include_str!("../migrations/sqlite/0008_drafts_contact.sql"),
        postgres: include_str!("../migrations/postgres/0008_drafts_contact.sql"),
    },
    Migration {
        version: 9,
        description: "agency contact details",
        sqlite: include_str!("../migrations/sqlite/0009_agency_contact.sql"),
        postgres: include_str!("../migrations/postgres/0009_agency_contact.sql"),
    },
    Migration {
        version: 10,
        description: "retired procedure versions, deactivated accounts",
        sqlite: include_str!("../migrations/sqlite/0010_retire_deactivate.sql"),
        postgres: include_str!("../migrations/postgres/0010_retire_deactivate.sql"),
    },
    Migration {
        version: 11,
        description: "trigram index for staff search",
        sqlite: include_str!("../migrations/sqlite/0011_search_index.sql"),
        postgres: include_str!("../migrations/postgres/0011_search_index.sql"),
    },
    Migration {
        version: 12,
        description: "an index for judging open dossiers in the statistics",
        sqlite: include_str!("../migrations/sqlite/0012_open_stats.sql"),
        postgres: include_str!("../migrations/postgres/0012_open_stats.sql"),
    },
    Migration {
        version: 13,
        description: "partial indexes for the monitoring lists",
        sqlite: include_str!("../migrations/sqlite/0013_monitoring.sql"),
        postgres: include_str!("../migrations/postgres/0013_monitoring.sql"),
    },
    Migration {
        version: 14,
        description: "the trigram index on the applicant's name and ID number only",
        sqlite: include_str!("../migrations/sqlite/0014_search_name.sql"),
        postgres: include_str!("../migrations/postgres/0014_search_name.sql"),
    },
    Migration {
        version: 15,
        description: "an agency's queue across roles in order",
        sqlite: include_str!("../migrations/sqlite/0015_queue_all_roles.sql"),
        postgres: include_str!("../migrations/postgres/0015_queue_all_roles.sql"),
    },
    Migration {
        version: 16,
        description: "the scoring tool: dossiers' scores, entered inputs, rules",
        sqlite: include_str!("../migrations/sqlite/0016_evaluation.sql"),
        postgres: include_str!("../migrations/postgres/0016_evaluation.sql"),
    },
    Migration {
        version: 17,
        description: "delivery of the outbox: deliveries, the portal inbox",
        sqlite: include_str!("../migrations/sqlite/0017_deliveries.sql"),
        postgres: include_str!("../migrations/postgres/0017_deliveries.sql"),
    },
    Migration {
        version: 18,
        description: "job leases, alerts raised",
        sqlite: include_str!("../migrations/sqlite/0018_alerts.sql"),
        postgres: include_str!("../migrations/postgres/0018_alerts.sql"),
    },
    Migration {
        version: 19,
        description: "the channels each account chose",
        sqlite: include_str!("../migrations/sqlite/0019_channel_choices.sql"),
        postgres: include_str!("../migrations/postgres/0019_channel_choices.sql"),
    },
    Migration {
        version: 20,
        description: "notice templates, versioned",
        sqlite: include_str!("../migrations/sqlite/0020_notice_templates.sql"),
        postgres: include_str!("../migrations/postgres/0020_notice_templates.sql"),
    },
    Migration {
        version: 21,
        description: "the event format of each event",
        sqlite: include_str!("../migrations/sqlite/0021_event_format.sql"),
        postgres: include_str!("../migrations/postgres/0021_event_format.sql"),
    },
    Migration {
        version: 22,
        description: "calendar versions pending and in force, calendar changes, dossiers' calendar version",
        sqlite: include_str!("../migrations/sqlite/0022_calendar_changes.sql"),
        postgres: include_str!("../migrations/postgres/0022_calendar_changes.sql"),
    },
];

/// The migration that creates `legal_clock`: its rows for dossiers already stored are
/// rebuilt from their event logs once it is applied.
const LEGAL_CLOCK: i64 = 5;
/// The migration that creates `procedure_agencies`: procedures already stored are assigned
/// to every agency of a level they name once it is applied.
const ASSIGNMENTS: i64 = 7;

impl Store {
    /// Applies the migrations not yet applied, each in its own transaction, and returns
    /// their versions. A migration whose text changed after it was applied is an error.
    pub async fn migrate(&self) -> Result<Vec<i64>, StoreError> {
        self.pool
            .execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (
                    version BIGINT PRIMARY KEY,
                    description TEXT NOT NULL,
                    sha256 TEXT NOT NULL,
                    applied_at BIGINT NOT NULL)",
            )
            .await?;
        let mut applied = Vec::new();
        for m in MIGRATIONS {
            let sql = match self.backend {
                Backend::Sqlite => m.sqlite,
                Backend::Postgres => m.postgres,
            };
            let sha = sha256_hex(sql.as_bytes());
            let mut tx = self.begin_write().await?;
            let done = sqlx::query("SELECT sha256 FROM schema_migrations WHERE version = $1")
                .bind(m.version)
                .fetch_optional(&mut *tx)
                .await?;
            if let Some(row) = done {
                let old: String = row.try_get(0)?;
                if old != sha {
                    return Err(StoreError::Integrity(format!(
                        "migration {} ({}) changed after it was applied",
                        m.version, m.description
                    )));
                }
                continue;
            }
            (&mut *tx).execute(sql).await?;
            sqlx::query("INSERT INTO schema_migrations (version, description, sha256, applied_at) VALUES ($1, $2, $3, $4)")
                .bind(m.version)
                .bind(m.description)
                .bind(&sha)
                .bind(micros(chrono::Utc::now()))
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            applied.push(m.version);
        }
        if applied.contains(&LEGAL_CLOCK) {
            self.rebuild_legal_clock().await?;
        }
        if applied.contains(&ASSIGNMENTS) {
            self.assign_by_level().await?;
            // The same migration moved the queue's due to the current step's.
            self.rebuild_projections().await?;
        }
        Ok(applied)
    }
}
