//! motcua-store: persistence for motcua. SQLite is the embedded default (one file, zero
//! setup); PostgreSQL serves provinces that run several motcua servers on one database.
//!
//! One implementation serves both through sqlx's `Any` driver with runtime-checked queries:
//! the SQL is written once in the dialect both accept (`$n` parameters, `ON CONFLICT`,
//! `RETURNING`), times are stored as microseconds since the Unix epoch and JSON as text.
//! Only the schema differs, in `migrations/sqlite` and `migrations/postgres`.
//!
//! The heart is [`Store::execute`]: load a dossier, let the engine decide, append the
//! events, update the projection and the outbox, and allocate dossier codes, all in one
//! transaction with an optimistic version check.

#![deny(missing_docs)]

mod accounts;
mod audit;
mod backup;
mod bulk;
mod config;
mod dossiers;
mod drafts;
mod error;
mod evaluation;
mod fastread;
mod feedback;
mod jobs;
mod legal_clock;
mod migrate;
mod outbox;
mod queries;
mod rebuild;
mod replay;
mod stats;
mod throttle;

pub use accounts::{Grant, User};
pub use audit::AuditEntry;
pub use backup::{ExportSummary, VerifyReport};
pub use bulk::Generated;
pub use config::{CalendarChange, CalendarShift, ConfigWatch, FeedbackDue};
pub use dossiers::{
    ExecuteRequest, Executed, MigrateRequest, Migrated, NewAttachment, ReprojectRequest,
    Reprojected,
};
pub use drafts::Draft;
pub use error::StoreError;
pub use evaluation::EnteredInputs;
pub use feedback::Feedback;
pub use outbox::{Delivery, InboxEntry, NewDelivery, NewInboxEntry, NoticeTemplate, OutboxItem};
pub use queries::{DossierSummary, FeedItem, PublicStatus, QueueFilter};
pub use rebuild::RebuildReport;
pub use stats::{COLUMNS, Column, FieldStats, Statistics};

use serde::{Deserialize, Serialize};
use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Executor};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Which database is behind a store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// SQLite, one file.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

/// How hard SQLite works to keep committed data through a power failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Durability {
    /// `synchronous=FULL`: every commit is on disk when acknowledged (the default).
    #[default]
    Full,
    /// `synchronous=NORMAL`: a power failure may lose the last commits (never corrupts).
    Normal,
}

/// Options for opening a store.
#[derive(Clone, Debug)]
pub struct Options {
    /// SQLite durability.
    pub durability: Durability,
    /// Pool size.
    pub max_connections: u32,
    /// Largest attachment accepted, in bytes.
    pub attachment_limit: u64,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            durability: Durability::Full,
            max_connections: 8,
            attachment_limit: 20 * 1024 * 1024,
        }
    }
}

/// An agency (cơ quan) at one of three levels.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Agency {
    /// Identifier, e.g. `000.00.12.H53`.
    pub id: String,
    /// Name.
    pub name: String,
    /// `province`, `district` or `commune`.
    pub level: String,
    /// The agency above it.
    pub parent_id: Option<String>,
    /// Host names of its one-stop site.
    pub host_names: Vec<String>,
    /// How the public reaches its one-stop desk (Điều 18.1).
    #[serde(default)]
    pub contact: AgencyContact,
}

/// An agency's public contact details; each may be unknown.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgencyContact {
    /// The one-stop desk's street address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// The hotline (đường dây nóng).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hotline: Option<String>,
    /// The email address for the public.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Opening hours, as told to the public.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<String>,
}

impl AgencyContact {
    /// Whether nothing is known.
    pub fn is_empty(&self) -> bool {
        self.address.is_none()
            && self.hotline.is_none()
            && self.email.is_none()
            && self.hours.is_none()
    }
}

/// A handle on the database; cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    attachment_limit: u64,
    /// Read-only connections for point reads on a SQLite file (see `fastread.rs`).
    readers: Option<Arc<fastread::Readers>>,
    /// Batched public-status reads on PostgreSQL (see `fastread.rs`).
    pg_reads: Option<Arc<fastread::PgStatus>>,
    /// Dossiers this process wrote last, by id (see [`Store::execute`]).
    recent: Arc<Mutex<Recent>>,
    /// The URL it was opened with (for a PostgreSQL listener).
    url: Arc<str>,
}

/// The dossiers [`Store::execute`] remembers, and about how many bytes they take.
#[derive(Debug, Default)]
struct Recent {
    dossiers: HashMap<String, (motcua_core::dossier::Dossier, usize)>,
    bytes: usize,
}

/// How many dossiers [`Store::execute`] remembers before it starts afresh...
const REMEMBERED: usize = 10_000;
/// ...or how many bytes of them: dossiers can be large (a form may hold 200 000
/// characters), and 10 000 large ones would take gigabytes.
const REMEMBERED_BYTES: usize = 32 * 1024 * 1024;

/// About how much memory a dossier takes: its free text, plus a flat allowance for the rest.
fn approximate_size(d: &motcua_core::dossier::Dossier) -> usize {
    let form: usize = d.form.iter().map(|(k, v)| k.len() + v.len() + 48).sum();
    let components: usize = d.components.iter().map(|c| c.len() + 24).sum();
    let a = &d.applicant;
    let applicant =
        a.name.len() + a.id_number.len() + a.address.len() + a.phone.len() + a.email.len();
    4096 + form + components + applicant
}

/// Microseconds since the Unix epoch.
pub(crate) fn micros(t: chrono::DateTime<chrono::Utc>) -> i64 {
    t.timestamp_micros()
}

/// Back from microseconds.
pub(crate) fn from_micros(m: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_micros(m).unwrap_or_default()
}

/// A URL with any password replaced, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let userinfo = &url[s + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

impl Store {
    /// Opens a store: `sqlite://path/to/file.db` (created if missing) or `postgres://...`.
    pub async fn connect(url: &str, options: Options) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(StoreError::Config(format!(
                "unsupported database URL `{}`: use sqlite://FILE or postgres://...",
                redact(url)
            )));
        };
        let url = match backend {
            Backend::Sqlite if !url.contains("mode=") => {
                let sep = if url.contains('?') { '&' } else { '?' };
                format!("{url}{sep}mode=rwc")
            }
            _ => url.to_string(),
        };
        let sync = match options.durability {
            Durability::Full => "PRAGMA synchronous = FULL",
            Durability::Normal => "PRAGMA synchronous = NORMAL",
        };
        let pool = AnyPoolOptions::new()
            .max_connections(options.max_connections)
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        conn.execute("PRAGMA journal_mode = WAL").await?;
                        conn.execute(sync).await?;
                        conn.execute("PRAGMA busy_timeout = 10000").await?;
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                        // 64 MiB of page cache per connection (the default is 2 MiB): the
                        // indexes of a province's database stay in memory.
                        conn.execute("PRAGMA cache_size = -65536").await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await
            .map_err(|e| StoreError::Config(format!("cannot open {}: {e}", redact(&url))))?;
        let (readers, pg_reads) = match backend {
            Backend::Sqlite => (
                fastread::sqlite_path(&url).map(|p| Arc::new(fastread::Readers::new(p))),
                None,
            ),
            Backend::Postgres => (
                None,
                Some(Arc::new(fastread::PgStatus::new(
                    &url,
                    options.max_connections,
                )?)),
            ),
        };
        Ok(Store {
            pool,
            readers,
            pg_reads,
            backend,
            attachment_limit: options.attachment_limit,
            recent: Arc::default(),
            url: url.into(),
        })
    }

    pub(crate) fn remembered(&self, id: &str) -> Option<motcua_core::dossier::Dossier> {
        self.recent
            .lock()
            .ok()?
            .dossiers
            .get(id)
            .map(|(d, _)| d.clone())
    }

    pub(crate) fn remember(&self, d: motcua_core::dossier::Dossier) {
        let size = approximate_size(&d);
        if let Ok(mut recent) = self.recent.lock() {
            if let Some((_, old)) = recent.dossiers.remove(&d.id) {
                recent.bytes -= old;
            }
            if recent.dossiers.len() >= REMEMBERED || recent.bytes + size > REMEMBERED_BYTES {
                recent.dossiers.clear();
                recent.bytes = 0;
            }
            recent.bytes += size;
            recent.dossiers.insert(d.id.clone(), (d, size));
        }
    }

    pub(crate) fn forget_all(&self) {
        if let Ok(mut recent) = self.recent.lock() {
            recent.dossiers.clear();
            recent.bytes = 0;
        }
    }

    pub(crate) fn forget(&self, id: &str) {
        if let Ok(mut recent) = self.recent.lock()
            && let Some((_, size)) = recent.dossiers.remove(id)
        {
            recent.bytes -= size;
        }
    }

    /// Runs one SQL statement as given. Only with the `testing` feature, for tests and
    /// benchmarks (creating a schema, simulating tampering, a bare-insert baseline);
    /// everything else uses the typed methods.
    #[cfg(feature = "testing")]
    pub async fn raw_execute(&self, sql: &str) -> Result<u64, StoreError> {
        let done = sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Closes the pool, waiting for connections to finish.
    pub async fn close(&self) {
        self.pool.close().await;
        if let Some(pg) = &self.pg_reads {
            pg.close().await;
        }
    }

    /// Starts a write transaction. SQLite's write lock is taken up front (`BEGIN IMMEDIATE`):
    /// a deferred transaction that reads and then writes would fail when another connection
    /// committed in between, even with a busy timeout.
    pub(crate) async fn begin_write(
        &self,
    ) -> Result<sqlx::Transaction<'static, sqlx::Any>, StoreError> {
        let tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.pool.begin().await,
        };
        tx.map_err(StoreError::from)
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").fetch_one(&self.pool).await?;
        Ok(())
    }
}

/// SHA-256 in lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn redacts_passwords() {
        assert_eq!(
            super::redact("postgres://u:secret@h:5/db"),
            "postgres://u:***@h:5/db"
        );
        assert_eq!(super::redact("sqlite://x.db"), "sqlite://x.db");
    }
}
