//! Point reads on SQLite without a thread hand-off, for the public lookup.
//!
//! sqlx runs every SQLite connection on a worker thread and hands each statement to it; for a
//! one-row read through an index the hand-off (two thread wake-ups) costs several times the
//! read itself, and under load most of the server's CPU goes to context switches (measured:
//! docs/benchmarks.md). Here a small set of read-only connections (rusqlite, the same SQLite
//! library as sqlx) answers such reads on the calling thread. They never write, so the
//! write path keeps all its guarantees; in WAL mode a reader sees the last committed state
//! and never waits for a writer.

use rusqlite::{Connection, OpenFlags, OptionalExtension};
use std::sync::Mutex;
use std::time::Duration;

use crate::StoreError;

/// Idle connections kept for reuse; more are opened when needed and closed after use.
const KEEP: usize = 16;

/// Read-only SQLite connections on one database file.
#[derive(Debug)]
pub(crate) struct Readers {
    path: String,
    idle: Mutex<Vec<Connection>>,
}

/// The file of a `sqlite:` URL read the way sqlx reads it (scheme removed, path up to `?`,
/// percent-decoded), or `None` for an in-memory database.
pub(crate) fn sqlite_path(url: &str) -> Option<String> {
    if !url.starts_with("sqlite:") {
        return None;
    }
    let rest = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path.is_empty() || path == ":memory:" || query.contains("mode=memory") {
        return None;
    }
    percent_decode(path)
}

/// `%XX` escapes decoded; `None` if they do not make UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

impl Readers {
    pub(crate) fn new(path: String) -> Readers {
        Readers {
            path,
            idle: Mutex::new(Vec::new()),
        }
    }

    fn open(&self) -> Result<Connection, StoreError> {
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| StoreError::Db(format!("cannot open {} for reading: {e}", self.path)))?;
        conn.busy_timeout(Duration::from_secs(10))
            .map_err(StoreError::internal)?;
        Ok(conn)
    }

    /// Runs `f` on an idle connection (opening one if none is idle).
    pub(crate) fn with<T>(
        &self,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> Result<T, StoreError> {
        let conn = match self.idle.lock().ok().and_then(|mut v| v.pop()) {
            Some(c) => c,
            None => self.open()?,
        };
        let out = f(&conn).map_err(|e| StoreError::Db(e.to_string()));
        if let Ok(mut idle) = self.idle.lock()
            && idle.len() < KEEP
        {
            idle.push(conn);
        }
        out
    }
}

/// The public-status row of a dossier code, as the sqlx path reads it.
pub(crate) type StatusRow = (
    String,
    String,
    String,
    i64,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<String>,
);

pub(crate) const STATUS_SQL: &str = "SELECT procedure_code, procedure_version, state, national_status, accepted_at, appointment, step, timeliness
     FROM dossiers WHERE code = $1";

/// Public-status reads on PostgreSQL, batched.
///
/// Each read is a round trip to a PostgreSQL backend process; on a small machine the cost
/// of one is mostly the two context switches it causes, not the query (measured:
/// docs/benchmarks.md). Reads that arrive together are therefore answered together: up to
/// [`PG_WORKERS`] workers each take every code waiting (at most [`PG_BATCH`]) and ask for
/// them in one statement (`code = ANY($1)`). A read is only ever answered by a statement
/// sent after the read arrived, so it sees every commit acknowledged before it was made,
/// exactly as a statement of its own would; no answer is kept for later.
#[derive(Debug)]
pub(crate) struct PgStatus {
    pool: sqlx::PgPool,
    queue: std::sync::Mutex<Option<tokio::sync::mpsc::Sender<Ask>>>,
}

type Ask = (
    String,
    tokio::sync::oneshot::Sender<Result<Option<StatusRow>, String>>,
);

/// Workers, each with at most one statement in flight.
const PG_WORKERS: usize = 4;
/// Codes asked in one statement at most.
const PG_BATCH: usize = 128;

const STATUS_MANY_SQL: &str = "SELECT code, procedure_code, procedure_version, state, national_status, accepted_at, appointment, step, timeliness
     FROM dossiers WHERE code = ANY($1)";

impl PgStatus {
    /// A lazily connected pool of the PostgreSQL driver (connections are opened only when a
    /// read needs one, up to `max`): its rows decode straight into Rust values.
    pub(crate) fn new(url: &str, max: u32) -> Result<PgStatus, StoreError> {
        let pool = sqlx::postgres::PgPoolOptions::new()
            .max_connections(max)
            .acquire_timeout(Duration::from_secs(30))
            .connect_lazy(url)
            .map_err(|e| StoreError::Config(format!("cannot read the PostgreSQL URL: {e}")))?;
        Ok(PgStatus {
            pool,
            queue: std::sync::Mutex::new(None),
        })
    }

    pub(crate) async fn close(&self) {
        if let Ok(mut q) = self.queue.lock() {
            *q = None;
        }
        self.pool.close().await;
    }

    /// The public-status row of `code`.
    pub(crate) async fn get(&self, code: &str) -> Result<Option<StatusRow>, StoreError> {
        use tokio::sync::mpsc::error::TrySendError;
        let (tx, rx) = tokio::sync::oneshot::channel();
        let gone = match self.sender().try_send((code.to_string(), tx)) {
            Ok(()) => match rx.await {
                Ok(answer) => return answer.map_err(StoreError::Db),
                Err(_) => true,
            },
            Err(TrySendError::Closed(_)) => true,
            // Swamped: this one reads on its own.
            Err(TrySendError::Full(_)) => false,
        };
        if gone {
            // The workers ended with the runtime that ran them: the next read starts others.
            if let Ok(mut q) = self.queue.lock() {
                *q = None;
            }
        }
        self.one(code).await
    }

    async fn one(&self, code: &str) -> Result<Option<StatusRow>, StoreError> {
        Ok(sqlx::query_as::<_, StatusRow>(STATUS_SQL)
            .bind(code)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// The queue the workers read, starting them (on the current runtime) if none runs.
    fn sender(&self) -> tokio::sync::mpsc::Sender<Ask> {
        let mut q = match self.queue.lock() {
            Ok(q) => q,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Some(tx) = q.as_ref().filter(|tx| !tx.is_closed()) {
            return tx.clone();
        }
        let (tx, rx) = tokio::sync::mpsc::channel::<Ask>(4096);
        let rx = std::sync::Arc::new(tokio::sync::Mutex::new(rx));
        for _ in 0..PG_WORKERS {
            tokio::spawn(work(self.pool.clone(), rx.clone()));
        }
        *q = Some(tx.clone());
        tx
    }
}

/// One worker: takes what waits, asks for it in one statement, answers each.
async fn work(
    pool: sqlx::PgPool,
    rx: std::sync::Arc<tokio::sync::Mutex<tokio::sync::mpsc::Receiver<Ask>>>,
) {
    loop {
        let mut batch = Vec::new();
        {
            let mut rx = rx.lock().await;
            let Some(first) = rx.recv().await else {
                return;
            };
            batch.push(first);
            while batch.len() < PG_BATCH {
                match rx.try_recv() {
                    Ok(ask) => batch.push(ask),
                    Err(_) => break,
                }
            }
        }
        let mut codes: Vec<String> = batch.iter().map(|(c, _)| c.clone()).collect();
        codes.sort();
        codes.dedup();
        let rows = sqlx::query_as::<
            _,
            (
                String,
                String,
                String,
                String,
                i64,
                Option<i64>,
                Option<i64>,
                Option<String>,
                Option<String>,
            ),
        >(STATUS_MANY_SQL)
        .bind(&codes)
        .fetch_all(&pool)
        .await;
        match rows {
            Ok(rows) => {
                let found: std::collections::HashMap<String, StatusRow> = rows
                    .into_iter()
                    .map(|(code, a, b, c, d, e, f, g, h)| (code, (a, b, c, d, e, f, g, h)))
                    .collect();
                for (code, answer) in batch {
                    let _ = answer.send(Ok(found.get(&code).cloned()));
                }
            }
            Err(e) => {
                let e = e.to_string();
                for (_, answer) in batch {
                    let _ = answer.send(Err(e.clone()));
                }
            }
        }
    }
}

pub(crate) fn status_row(conn: &Connection, code: &str) -> rusqlite::Result<Option<StatusRow>> {
    conn.prepare_cached(STATUS_SQL)?
        .query_row([code], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
            ))
        })
        .optional()
}

#[cfg(test)]
mod tests {
    use super::sqlite_path;

    #[test]
    fn paths_of_sqlite_urls() {
        assert_eq!(
            sqlite_path("sqlite://motcua.db").as_deref(),
            Some("motcua.db")
        );
        assert_eq!(
            sqlite_path("sqlite:///tmp/x.db?mode=rwc").as_deref(),
            Some("/tmp/x.db")
        );
        assert_eq!(
            sqlite_path("sqlite:data/x.db").as_deref(),
            Some("data/x.db")
        );
        assert_eq!(sqlite_path("sqlite::memory:"), None);
        assert_eq!(sqlite_path("sqlite://x.db?mode=memory"), None);
        assert_eq!(sqlite_path("postgres://h/db"), None);
        assert_eq!(
            sqlite_path("sqlite:///srv/m%E1%BB%99t%20c%E1%BB%ADa/x.db").as_deref(),
            Some("/srv/một cửa/x.db")
        );
        assert_eq!(sqlite_path("sqlite://50%25.db").as_deref(), Some("50%.db"));
    }
}
