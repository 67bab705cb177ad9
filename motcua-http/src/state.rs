//! What every request can reach: the store, the calendar, the live configuration, the clock
//! and the identifier generator. Nothing here names HTTP: the application layer
//! (`app/`) takes an `AppState` and every face (JSON API, pages) hands it in.

use chrono::{DateTime, Utc};
use motcua_core::calendar::WorkingCalendar;
use motcua_store::Store;
use std::sync::{Arc, Mutex};

use crate::app::config::{Config, Live};

/// Where the application reads the time. The server uses [`SystemClock`]; tests and a
/// training deployment use [`ManualClock`] to run at a chosen instant.
pub trait Clock: Send + Sync {
    /// Now.
    fn now(&self) -> DateTime<Utc>;
}

/// The system's clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that says what it is told (and moves only when told).
#[derive(Debug)]
pub struct ManualClock(Mutex<DateTime<Utc>>);

impl ManualClock {
    /// A clock stopped at `at`.
    pub fn new(at: DateTime<Utc>) -> ManualClock {
        ManualClock(Mutex::new(at))
    }

    /// Sets the time.
    pub fn set(&self, at: DateTime<Utc>) {
        if let Ok(mut t) = self.0.lock() {
            *t = at;
        }
    }

    /// Moves the time forward.
    pub fn advance(&self, by: chrono::TimeDelta) {
        if let Ok(mut t) = self.0.lock() {
            *t += by;
        }
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
            .lock()
            .map(|t| *t)
            .unwrap_or_else(|e| *e.into_inner())
    }
}

/// The system's clock moved to start at a chosen instant: a training or demonstration
/// server runs from there at the speed of real time (so a dossier can be made overdue
/// without waiting for weeks).
#[derive(Debug)]
pub struct OffsetClock(chrono::TimeDelta);

impl OffsetClock {
    /// A clock that reads `start` now and runs on from it.
    pub fn starting_at(start: DateTime<Utc>) -> OffsetClock {
        OffsetClock(start - Utc::now())
    }
}

impl Clock for OffsetClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.0
    }
}

/// Where new identifiers (dossiers, feedback, passwords' salts aside) come from.
pub trait Ids: Send + Sync {
    /// A new identifier starting with `prefix` (`hs`, `pa`), unique in the database.
    fn next(&self, prefix: &str) -> String;
}

/// Random identifiers: the prefix and 16 hex digits from the operating system's generator.
#[derive(Clone, Copy, Debug, Default)]
pub struct RandomIds;

impl Ids for RandomIds {
    fn next(&self, prefix: &str) -> String {
        format!("{prefix}-{}", crate::password::random_hex(8))
    }
}

/// Identifiers counted from 1 (`hs-000001`, ...), for tests and demonstrations that want
/// to name what they make.
#[derive(Debug, Default)]
pub struct SequentialIds(std::sync::atomic::AtomicU64);

impl Ids for SequentialIds {
    fn next(&self, prefix: &str) -> String {
        let n = self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        format!("{prefix}-{n:06}")
    }
}

/// When dossiers per procedure were last counted (or the count started), and the count.
pub(crate) type Usage = (Option<std::time::Instant>, Vec<(String, i64)>);

/// What every request can reach.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// The working calendar used when the store holds none (the live one is
    /// `config().calendar`; agency calendars come with the time-and-change issue).
    pub calendar: Arc<WorkingCalendar>,
    /// Agencies, procedures and their assignments, read from the store and reloaded when
    /// they change (see [`AppState::config`]).
    pub(crate) live: Arc<Live>,
    /// The time.
    pub clock: Arc<dyn Clock>,
    /// New identifiers.
    pub ids: Arc<dyn Ids>,
    /// The national-portal feed's token; the feed is off without one.
    pub feed_token: Option<String>,
    /// The token the SMS gateway presents to deliver messages sent to the lookup number
    /// (`/api/v1/integration/sms/inbound`); off without one.
    pub sms_inbound_token: Option<String>,
    /// The keyword of an SMS lookup (`MC <code>`).
    pub sms_keyword: String,
    /// Reverse proxies whose `X-Forwarded-For` names the client (for the login limit).
    pub trusted_proxies: Arc<Vec<std::net::IpAddr>>,
    /// Request metrics.
    pub(crate) metrics: Arc<crate::observe::Metrics>,
    /// Dossiers per procedure, and when they were counted (see `catalogue::most_used`).
    pub(crate) usage: Arc<Mutex<Usage>>,
    /// Whether clients reach the server over TLS (through a proxy): responses then carry
    /// `Strict-Transport-Security`.
    pub behind_tls: bool,
}

impl AppState {
    /// Reads the configuration (every stored procedure version, parsed; agencies;
    /// assignments). A stored file that no longer loads is an error: the server does not
    /// start on a catalogue it cannot read.
    pub async fn load(store: Store, calendar: Arc<WorkingCalendar>) -> Result<AppState, String> {
        let live = Live::load(&store, calendar.clone())
            .await
            .map_err(|e| e.to_string())?;
        let live = Arc::new(live);
        Live::listen(&live, &store);
        Ok(AppState {
            store,
            calendar,
            live,
            clock: Arc::new(SystemClock),
            ids: Arc::new(RandomIds),
            feed_token: None,
            sms_inbound_token: None,
            sms_keyword: "MC".to_string(),
            trusted_proxies: Arc::default(),
            metrics: Arc::default(),
            usage: Arc::default(),
            behind_tls: false,
        })
    }

    /// Runs the application on `clock` (tests, training).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> AppState {
        self.clock = clock;
        self
    }

    /// Takes new identifiers from `ids`.
    pub fn with_ids(mut self, ids: Arc<dyn Ids>) -> AppState {
        self.ids = ids;
        self
    }

    /// Now, by the state's clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// The configuration as it now stands. A change made by this server is seen at once
    /// (it calls [`AppState::config_changed`]); one made by another server on the database
    /// within about a second: the stored version is compared at most once a second, and on
    /// PostgreSQL a notification makes the next read compare at once.
    pub async fn config(&self) -> Result<Arc<Config>, crate::app::AppError> {
        self.live.current(&self.store).await
    }

    /// Reloads the configuration after this server changed it.
    pub async fn config_changed(&self) -> Result<Arc<Config>, crate::app::AppError> {
        self.live.reload(&self.store).await
    }
}
