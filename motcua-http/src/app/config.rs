//! The live configuration: agencies (with host names and parents), every stored procedure
//! version, and which agencies each procedure is assigned to. Read from the store once, kept
//! in memory, and read again when the store's configuration version changes — no restart.

use motcua_core::calendar::{
    CalendarSpec, DEFAULT_YEARS, Layer, NationalHolidays, WorkingCalendar, default_windows,
};
use motcua_core::procedure::Procedure;
use motcua_store::{Agency, CalendarChange, Store, StoreError};
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, Ordering as AtomicOrdering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use super::AppError;

/// How often the stored configuration version is compared, at most.
const CHECK_EVERY: Duration = Duration::from_secs(1);

/// The agencies, with their host names and parents.
#[derive(Debug, Default)]
pub struct Directory {
    agencies: HashMap<String, Agency>,
    by_host: HashMap<String, String>,
}

impl Directory {
    /// Builds the directory; host names are matched case-insensitively.
    pub fn new(agencies: Vec<Agency>) -> Directory {
        let mut by_host = HashMap::new();
        for a in &agencies {
            for h in &a.host_names {
                by_host.insert(h.to_ascii_lowercase(), a.id.clone());
            }
        }
        Directory {
            agencies: agencies.into_iter().map(|a| (a.id.clone(), a)).collect(),
            by_host,
        }
    }

    /// Every agency id, sorted.
    pub fn ids(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.agencies.keys().map(String::as_str).collect();
        v.sort_unstable();
        v
    }

    /// Every agency, by id.
    pub fn all(&self) -> Vec<&Agency> {
        let mut v: Vec<&Agency> = self.agencies.values().collect();
        v.sort_by(|a, b| a.id.cmp(&b.id));
        v
    }

    /// The agency with this id.
    pub fn get(&self, id: &str) -> Option<&Agency> {
        self.agencies.get(id)
    }

    /// The agency whose site this host name is (a port is ignored).
    pub fn by_host(&self, host: &str) -> Option<&str> {
        let name = host.rsplit_once(':').map_or(host, |(name, port)| {
            if port.bytes().all(|b| b.is_ascii_digit()) {
                name
            } else {
                host
            }
        });
        self.by_host
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }

    /// The agency and those above it, the topmost first (bounded, as a stored cycle must not
    /// hang a request).
    pub fn chain(&self, agency: &str) -> Vec<&Agency> {
        let mut up = Vec::new();
        let mut current = self.get(agency);
        while let Some(a) = current {
            if up.len() >= 16 || up.iter().any(|x: &&Agency| x.id == a.id) {
                break;
            }
            up.push(a);
            current = a.parent_id.as_deref().and_then(|p| self.get(p));
        }
        up.reverse();
        up
    }

    /// Whether `agency` is `ancestor` or below it.
    pub fn is_within(&self, agency: &str, ancestor: &str) -> bool {
        let mut current = Some(agency);
        // The depth bound guards against a cycle in stored data.
        for _ in 0..16 {
            match current {
                Some(id) if id == ancestor => return true,
                Some(id) => current = self.get(id).and_then(|a| a.parent_id.as_deref()),
                None => return false,
            }
        }
        false
    }
}

/// Compares procedure versions as versions: dot-separated parts, numeric parts by value
/// (`2024.10` is newer than `2024.9`), others as text.
pub fn compare_versions(a: &str, b: &str) -> Ordering {
    let mut x = a.split('.');
    let mut y = b.split('.');
    loop {
        match (x.next(), y.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(p), Some(q)) => {
                let o = match (p.parse::<u64>(), q.parse::<u64>()) {
                    (Ok(m), Ok(n)) => m.cmp(&n),
                    _ => p.cmp(q),
                };
                if o != Ordering::Equal {
                    return o;
                }
            }
        }
    }
}

/// The name under which the working calendar's specification is stored.
pub const CALENDAR: &str = "national";

/// The name under which the years confirmed by administrators are stored (a JSON list of
/// [`ConfirmedYear`]); they add to, or replace, the years shipped with motcua.
pub const CONFIRMED_YEARS: &str = "confirmed-years";

/// The prefix of the stored calendars that are one agency's own layer (days off, make-up
/// days, windows, seasons), laid over the calendar of the agencies above it:
/// `agency:000.20.31.H53`.
pub const AGENCY_LAYER: &str = "agency:";

/// The stored name of an agency's own calendar layer.
pub fn agency_layer(agency: &str) -> String {
    format!("{AGENCY_LAYER}{agency}")
}

/// The stored calendars an agency's working calendar is made of, each at a version: the
/// deployment's calendar (`national`, version 0 when none is stored and the national default
/// applies), the years confirmed here, and the layers of the agency and of those above it.
/// Its text (`national@2;confirmed-years@1;agency:000.00.00.H53@3`) is the calendar version
/// events record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CalendarParts {
    /// The deployment's calendar version (0: the national default).
    pub national: i64,
    /// The confirmed years' version (0: none).
    pub confirmed: i64,
    /// Each agency layer, the topmost first: (agency, version).
    pub layers: Vec<(String, i64)>,
}

impl std::fmt::Display for CalendarParts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{CALENDAR}@{};{CONFIRMED_YEARS}@{}",
            self.national, self.confirmed
        )?;
        for (agency, v) in &self.layers {
            write!(f, ";{AGENCY_LAYER}{agency}@{v}")?;
        }
        Ok(())
    }
}

impl CalendarParts {
    /// Reads a calendar version's text; `None` for text not written by [`CalendarParts`].
    pub fn parse(text: &str) -> Option<CalendarParts> {
        let mut parts = text.split(';');
        let num = |part: Option<&str>, name: &str| -> Option<i64> {
            part?.strip_prefix(name)?.strip_prefix('@')?.parse().ok()
        };
        let national = num(parts.next(), CALENDAR)?;
        let confirmed = num(parts.next(), CONFIRMED_YEARS)?;
        let mut layers = Vec::new();
        for p in parts {
            let (name, v) = p.strip_prefix(AGENCY_LAYER)?.rsplit_once('@')?;
            layers.push((name.to_string(), v.parse().ok()?));
        }
        Some(CalendarParts {
            national,
            confirmed,
            layers,
        })
    }
}

/// The calendars in force (or, for a preview, with pending versions laid over them), to make
/// each agency's working calendar from.
#[derive(Clone, Debug)]
pub struct CalendarSet {
    /// The deployment's calendar and its version (0: the national default).
    pub national: (i64, CalendarSpec),
    /// The confirmed years' version.
    pub confirmed: i64,
    /// The national holidays with the confirmed years laid over them.
    pub holidays: NationalHolidays,
    /// Each agency's own layer and its version.
    pub layers: BTreeMap<String, (i64, Layer)>,
}

impl CalendarSet {
    /// The parts of `agency`'s calendar.
    pub fn parts(&self, directory: &Directory, agency: &str) -> CalendarParts {
        CalendarParts {
            national: self.national.0,
            confirmed: self.confirmed,
            layers: directory
                .chain(agency)
                .iter()
                .filter_map(|a| self.layers.get(&a.id).map(|(v, _)| (a.id.clone(), *v)))
                .collect(),
        }
    }

    /// `agency`'s working calendar, labelled with its version.
    pub fn compile(
        &self,
        directory: &Directory,
        agency: &str,
    ) -> Result<WorkingCalendar, StoreError> {
        let parts = self.parts(directory, agency);
        let mut spec = self.national.1.clone();
        for (id, _) in &parts.layers {
            if let Some((_, layer)) = self.layers.get(id) {
                spec.layers.push(layer.clone());
            }
        }
        Ok(
            WorkingCalendar::compile(&spec, &self.holidays, DEFAULT_YEARS)
                .map_err(|e| StoreError::Config(format!("the calendar of {agency}: {e}")))?
                .with_version(parts.to_string()),
        )
    }
}

/// A year of national holidays as an administrator confirmed it against the announcement.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ConfirmedYear {
    /// The solar year.
    pub year: i32,
    /// The announcement (e.g. the Ministry of Home Affairs' notice).
    pub announced: String,
    /// Who confirmed it, and when (RFC 3339).
    pub confirmed_by: String,
    /// When.
    pub confirmed_at: String,
    /// Days off and make-up working days.
    pub days: Vec<motcua_core::calendar::Exception>,
}

/// One reading of the configuration.
#[derive(Debug)]
pub struct Config {
    /// The store's configuration version this reading is of.
    pub version: i64,
    /// The working calendar: the one stored as [`CALENDAR`] (its latest version), or the
    /// server's default when none is stored; national holidays from the shipped data and the
    /// years confirmed in [`CONFIRMED_YEARS`].
    pub calendar: Arc<WorkingCalendar>,
    /// The stored calendar specification and its version (`None`: the server's default).
    pub calendar_spec: Option<(i64, CalendarSpec)>,
    /// The years confirmed by administrators, with the stored version of the list.
    pub confirmed_years: (i64, Vec<ConfirmedYear>),
    /// The national holidays the calendar was compiled with.
    pub holidays: NationalHolidays,
    /// The agencies.
    pub directory: Directory,
    /// Every stored procedure version.
    pub procedures: Vec<Procedure>,
    /// The calendars in force, to make each agency's calendar from.
    pub calendars: CalendarSet,
    /// Every change of calendar brought into force, oldest first.
    pub calendar_changes: Vec<CalendarChange>,
    /// Agencies' calendars made so far from this reading, by calendar version.
    compiled: Mutex<HashMap<String, Arc<WorkingCalendar>>>,
    /// Procedure codes by the agency they are assigned to.
    assigned: HashMap<String, BTreeSet<String>>,
    /// Retired versions: (code, version); kept for the dossiers received under them.
    retired: BTreeSet<(String, String)>,
}

/// The national holidays shipped with motcua, with `confirmed` laid over them.
pub fn holidays_with(confirmed: &[ConfirmedYear]) -> Result<NationalHolidays, StoreError> {
    let mut holidays = NationalHolidays::builtin()
        .map_err(|e| StoreError::Config(format!("the national holidays: {e}")))?;
    for y in confirmed {
        holidays
            .confirm(y.year, y.announced.clone(), y.days.clone())
            .map_err(|e| StoreError::Config(format!("confirmed year {}: {e}", y.year)))?;
    }
    Ok(holidays)
}

impl Config {
    /// Reads the configuration from the store; `default` is the calendar when none is stored.
    pub async fn read(store: &Store, default: &Arc<WorkingCalendar>) -> Result<Config, StoreError> {
        // The version first: a change committed while reading is read again next time.
        let version = store.config_version().await?;
        let confirmed_years = match store.calendar(CONFIRMED_YEARS).await {
            Ok((v, text)) => (
                v,
                serde_json::from_str::<Vec<ConfirmedYear>>(&text)
                    .map_err(|e| StoreError::Config(format!("the confirmed years: {e}")))?,
            ),
            Err(StoreError::NotFound(_)) => (0, Vec::new()),
            Err(e) => return Err(e),
        };
        let holidays = holidays_with(&confirmed_years.1)?;
        let calendar_spec = match store.calendar(CALENDAR).await {
            Ok((v, spec)) => Some((
                v,
                serde_json::from_str::<CalendarSpec>(&spec)
                    .map_err(|e| StoreError::Config(format!("the stored calendar: {e}")))?,
            )),
            Err(StoreError::NotFound(_)) => None,
            Err(e) => return Err(e),
        };
        let mut layers = BTreeMap::new();
        for (name, v, json) in store.calendars_named(AGENCY_LAYER).await? {
            let layer: Layer = serde_json::from_str(&json)
                .map_err(|e| StoreError::Config(format!("the stored calendar {name}: {e}")))?;
            layers.insert(name[AGENCY_LAYER.len()..].to_string(), (v, layer));
        }
        let calendars = CalendarSet {
            national: calendar_spec
                .clone()
                .unwrap_or_else(|| (0, CalendarSpec::national(default_windows()))),
            confirmed: confirmed_years.0,
            holidays: holidays.clone(),
            layers,
        };
        // The deployment's calendar, labelled like an agency's without a layer of its own.
        let base_version = CalendarParts {
            national: calendars.national.0,
            confirmed: calendars.confirmed,
            layers: Vec::new(),
        }
        .to_string();
        let calendar = match &calendar_spec {
            Some((_, spec)) => Arc::new(
                WorkingCalendar::compile(spec, &holidays, DEFAULT_YEARS)
                    .map_err(|e| StoreError::Config(format!("the stored calendar: {e}")))?
                    .with_version(base_version.clone()),
            ),
            None if confirmed_years.1.is_empty() => {
                Arc::new((**default).clone().with_version(base_version.clone()))
            }
            None => Arc::new(
                WorkingCalendar::compile(
                    &CalendarSpec::national(default_windows()),
                    &holidays,
                    DEFAULT_YEARS,
                )
                .map_err(|e| StoreError::Config(format!("the national calendar: {e}")))?
                .with_version(base_version.clone()),
            ),
        };
        let calendar_changes = store.calendar_changes().await?;
        let mut procedures = Vec::new();
        for (code, version, source) in store.procedures().await? {
            let (p, _) = Procedure::load(&format!("{code}@{version}"), &source)
                .map_err(|r| StoreError::Config(r.to_string()))?;
            procedures.push(p);
        }
        let mut assigned: HashMap<String, BTreeSet<String>> = HashMap::new();
        for (code, agency) in store.assignments().await? {
            assigned.entry(agency).or_default().insert(code);
        }
        let retired = store.retired_procedures().await?.into_iter().collect();
        Ok(Config {
            retired,
            version,
            compiled: Mutex::new(HashMap::from([(base_version, calendar.clone())])),
            calendars,
            calendar_changes,
            calendar,
            calendar_spec,
            confirmed_years,
            holidays,
            directory: Directory::new(store.agencies().await?),
            procedures,
            assigned,
        })
    }

    /// The working calendar of `agency`: the deployment's, with the layers of the agency and
    /// of those above it, labelled with its version (compiled once per reading).
    pub fn calendar_for(&self, agency: &str) -> Result<Arc<WorkingCalendar>, AppError> {
        let version = self.calendars.parts(&self.directory, agency).to_string();
        if let Ok(cache) = self.compiled.lock()
            && let Some(c) = cache.get(&version)
        {
            return Ok(c.clone());
        }
        let compiled = Arc::new(self.calendars.compile(&self.directory, agency)?);
        if let Ok(mut cache) = self.compiled.lock() {
            cache.insert(version, compiled.clone());
        }
        Ok(compiled)
    }

    /// A calendar compiled from this reading, by its version.
    pub fn compiled(&self, version: &str) -> Option<Arc<WorkingCalendar>> {
        self.compiled.lock().ok()?.get(version).cloned()
    }

    /// Keeps a calendar compiled for this reading.
    pub fn keep_compiled(&self, version: &str, calendar: Arc<WorkingCalendar>) {
        if let Ok(mut cache) = self.compiled.lock() {
            cache.insert(version.to_string(), calendar);
        }
    }

    /// Whether a version was retired (no new submissions under it).
    pub fn is_retired(&self, code: &str, version: &str) -> bool {
        self.retired
            .contains(&(code.to_string(), version.to_string()))
    }

    fn in_force(&self) -> impl Iterator<Item = &Procedure> {
        self.procedures
            .iter()
            .filter(|p| !self.is_retired(&p.catalogue.code, &p.catalogue.version))
    }

    /// The newest version in force of each procedure code, by code (a code whose every
    /// version is retired is not there).
    pub fn latest(&self) -> Vec<&Procedure> {
        let mut by_code: HashMap<&str, &Procedure> = HashMap::new();
        for p in self.in_force() {
            let e = by_code.entry(&p.catalogue.code).or_insert(p);
            if compare_versions(&p.catalogue.version, &e.catalogue.version) == Ordering::Greater {
                *e = p;
            }
        }
        let mut v: Vec<_> = by_code.into_values().collect();
        v.sort_by(|a, b| a.catalogue.code.cmp(&b.catalogue.code));
        v
    }

    /// The newest version of a procedure, retired or not: to name the procedure of a dossier.
    pub fn newest_of(&self, code: &str) -> Option<&Procedure> {
        self.procedures
            .iter()
            .filter(|p| p.catalogue.code == code)
            .max_by(|a, b| compare_versions(&a.catalogue.version, &b.catalogue.version))
    }

    /// The newest version in force of a procedure.
    pub fn latest_of(&self, code: &str) -> Option<&Procedure> {
        self.in_force()
            .filter(|p| p.catalogue.code == code)
            .max_by(|a, b| compare_versions(&a.catalogue.version, &b.catalogue.version))
    }

    /// A procedure version.
    pub fn version_of(&self, code: &str, version: &str) -> Option<&Procedure> {
        self.procedures
            .iter()
            .find(|p| p.catalogue.code == code && p.catalogue.version == version)
    }

    /// Whether `agency` receives and handles procedure `code`.
    pub fn handles(&self, agency: &str, code: &str) -> bool {
        self.assigned.get(agency).is_some_and(|c| c.contains(code))
    }

    /// The agencies a procedure is assigned to.
    pub fn agencies_of(&self, code: &str) -> Vec<&str> {
        let mut v: Vec<&str> = self
            .assigned
            .iter()
            .filter(|(_, codes)| codes.contains(code))
            .map(|(a, _)| a.as_str())
            .collect();
        v.sort_unstable();
        v
    }
}

/// The configuration a server holds, and when it last compared it with the store.
#[derive(Debug)]
pub(crate) struct Live {
    current: RwLock<Arc<Config>>,
    /// The calendar when the store has none.
    default_calendar: Arc<WorkingCalendar>,
    checked: Mutex<Instant>,
    /// Set by the PostgreSQL listener: compare at the next read.
    stale: AtomicBool,
}

impl Live {
    pub(crate) async fn load(
        store: &Store,
        default_calendar: Arc<WorkingCalendar>,
    ) -> Result<Live, StoreError> {
        Ok(Live {
            current: RwLock::new(Arc::new(Config::read(store, &default_calendar).await?)),
            default_calendar,
            checked: Mutex::new(Instant::now()),
            stale: AtomicBool::new(false),
        })
    }

    /// On PostgreSQL, a task that marks the configuration stale when any server changes it
    /// (and, when the connection is lost, every second until it is back).
    pub(crate) fn listen(live: &Arc<Live>, store: &Store) {
        if store.backend() != motcua_store::Backend::Postgres {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let weak = Arc::downgrade(live);
        let store = store.clone();
        runtime.spawn(async move {
            loop {
                match store.watch_config().await {
                    Ok(Some(mut watch)) => {
                        while watch.changed().await.is_ok() {
                            match weak.upgrade() {
                                Some(live) => live.stale.store(true, AtomicOrdering::SeqCst),
                                None => return,
                            }
                        }
                        tracing::warn!("configuration listener lost its connection; comparing versions every second");
                    }
                    Ok(None) => return,
                    Err(e) => tracing::warn!(error = %e, "cannot listen for configuration changes"),
                }
                if weak.strong_count() == 0 {
                    return;
                }
                tokio::time::sleep(CHECK_EVERY).await;
            }
        });
    }

    fn get(&self) -> Arc<Config> {
        match self.current.read() {
            Ok(c) => c.clone(),
            Err(e) => e.into_inner().clone(),
        }
    }

    /// The configuration, compared with the store's version when a second has passed since
    /// the last comparison (or a notification came); one request compares, the others use
    /// what is held.
    pub(crate) async fn current(&self, store: &Store) -> Result<Arc<Config>, AppError> {
        let due = {
            let Ok(mut checked) = self.checked.try_lock() else {
                return Ok(self.get());
            };
            let due =
                self.stale.swap(false, AtomicOrdering::SeqCst) || checked.elapsed() >= CHECK_EVERY;
            if due {
                *checked = Instant::now();
            }
            due
        };
        if !due {
            return Ok(self.get());
        }
        let held = self.get();
        match store.config_version().await {
            Ok(v) if v == held.version => Ok(held),
            Ok(_) => self.reload(store).await,
            Err(e) => {
                // A database that does not answer now: serve what is held.
                tracing::warn!(error = %e, "cannot compare the configuration version");
                Ok(held)
            }
        }
    }

    /// Reads the configuration again.
    pub(crate) async fn reload(&self, store: &Store) -> Result<Arc<Config>, AppError> {
        let fresh = Arc::new(Config::read(store, &self.default_calendar).await?);
        if let Ok(mut c) = self.current.write() {
            *c = fresh.clone();
        }
        if let Ok(mut checked) = self.checked.lock() {
            *checked = Instant::now();
        }
        tracing::info!(version = fresh.version, "configuration loaded");
        Ok(fresh)
    }
}

#[cfg(test)]
mod tests {
    use super::compare_versions;
    use std::cmp::Ordering::*;

    #[test]
    fn versions_compare_as_versions() {
        assert_eq!(compare_versions("2024.10", "2024.9"), Greater);
        assert_eq!(compare_versions("2024.9", "2024.10"), Less);
        assert_eq!(compare_versions("2024.1", "2024.1"), Equal);
        assert_eq!(compare_versions("2025", "2024.12"), Greater);
        assert_eq!(compare_versions("2024.1.1", "2024.1"), Greater);
        assert_eq!(compare_versions("2024.b", "2024.a"), Greater);
    }
}
