//! Scenarios: a scripted sequence of timed steps run against a procedure in memory, printed as
//! a timeline. The format is documented in `docs/scenarios.md`.
//!
//! A step is an engine command on a dossier (several dossiers may share a scenario, each
//! named; codes are assigned per agency and local day when a step does not give a sequence);
//! or a change of the agency's calendar at an instant (previewed, or applied: every open
//! dossier reprojected); or a new version of the procedure published; or open dossiers
//! migrated to it; or a check of a dossier's state, deadlines and classification at an instant
//! when no command happens.
//!
//! Parsing and running are pure; reading files is the caller's job (a published version's
//! file is read through the `versions` the caller gives [`run_with`]).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::Arc;

use crate::calendar::{
    CalendarSpec, Exception, ExceptionKind, Layer, MonthDay, NationalHolidays, Period, Season,
    Timeliness, WeeklySchedule, WorkingCalendar, default_windows, parse_windows, to_local_rfc3339,
};
use crate::dossier::{
    self, Actor, ActorKind, AgencyId, Command, Ctx, Dossier, Event, RecordedEvent, SlipRow,
};
use crate::procedure::{Procedure, Role};

/// The name of the dossier of steps that name none.
pub const DEFAULT_DOSSIER: &str = "scenario";

/// A scenario file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// What it shows.
    pub title: String,
    /// The procedure file, relative to the scenario file.
    pub procedure: String,
    /// The agency identifier the dossiers are received at.
    pub agency: AgencyId,
    /// The agency's own calendar, laid over the national one.
    #[serde(default)]
    pub calendar: Option<AgencyCalendar>,
    /// Named actors.
    pub actors: BTreeMap<String, ActorSpec>,
    /// The steps, in time order.
    #[serde(rename = "do")]
    pub steps: Vec<ScenarioStep>,
}

/// An agency's own days, windows and seasons (`[calendar]`).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgencyCalendar {
    /// Monday-to-Friday windows, e.g. `07:30-11:30,13:00-17:00`.
    #[serde(default)]
    pub windows: Option<String>,
    /// Days off and make-up working days.
    #[serde(default, rename = "exception")]
    pub exceptions: Vec<DaySpec>,
    /// Seasons: other windows every year between two days.
    #[serde(default, rename = "season")]
    pub seasons: Vec<SeasonSpec>,
}

/// A day off or make-up working day.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DaySpec {
    /// The date, `YYYY-MM-DD`.
    pub date: String,
    /// `off` or `makeup`.
    pub kind: String,
    /// Its name.
    pub name: String,
    /// The decision it comes from.
    pub source: String,
}

/// A season of other windows.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeasonSpec {
    /// Its name.
    pub name: String,
    /// First day every year, `dd/mm`.
    pub from: String,
    /// Last day every year, `dd/mm`.
    pub to: String,
    /// Monday-to-Friday windows.
    pub windows: String,
}

/// An actor of a scenario.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActorSpec {
    /// `applicant`, `staff` or `system`.
    pub kind: String,
    /// Roles, for staff.
    #[serde(default)]
    pub roles: Vec<Role>,
    /// Agency, for staff; defaults to the scenario's agency.
    #[serde(default)]
    pub agency: Option<AgencyId>,
}

/// What a step expects.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Expect {
    /// The command is accepted (default).
    #[default]
    Ok,
    /// The command is refused.
    Refused,
}

/// One timed step.
#[derive(Clone, Debug)]
pub struct ScenarioStep {
    /// When.
    pub at: DateTime<Utc>,
    /// Which actor (empty for steps that are not commands).
    pub actor: String,
    /// Accepted or refused.
    pub expect: Expect,
    /// The dossier it concerns (`None`: [`DEFAULT_DOSSIER`], or, for a migration, every
    /// open dossier).
    pub dossier: Option<String>,
    /// What happens.
    pub action: Action,
}

/// What a step does.
#[derive(Clone, Debug)]
pub enum Action {
    /// An engine command (`command = "…"` and its fields).
    Command(Command),
    /// A change of the agency's calendar (`calendar = "preview"` or `"apply"`).
    Calendar(CalendarChange),
    /// A new version of the procedure published (`publish = "file"`): dossiers submitted
    /// after it follow it.
    Publish(String),
    /// Open dossiers migrated to a published version (`migrate = { to, map }`).
    Migrate(MigrateSpec),
    /// A check of a dossier at the step's instant (`check = { … }`).
    Check(CheckSpec),
}

/// A change of the agency's calendar at an instant.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarChange {
    /// Applied (every open dossier reprojected), or only previewed.
    #[serde(skip)]
    pub apply: bool,
    /// Days added (a day already there is replaced).
    #[serde(default, rename = "exception")]
    pub exceptions: Vec<DaySpec>,
    /// Monday-to-Friday windows from `from` (a season from that date on), or for every date.
    #[serde(default)]
    pub windows: Option<String>,
    /// The first day of the new windows, `YYYY-MM-DD`.
    #[serde(default)]
    pub from: Option<String>,
    /// A year of national holidays confirmed as announced: `exception` then lists the
    /// announced days off and make-up days of that year, which replace the rule-based
    /// proposal (the deployment's calendar, not the agency's).
    #[serde(default)]
    pub confirm: Option<i32>,
    /// The announcement a confirmation follows.
    #[serde(default)]
    pub announced: Option<String>,
}

/// A migration to a published version.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MigrateSpec {
    /// The version.
    pub to: String,
    /// Old step → new step.
    #[serde(default)]
    pub map: BTreeMap<String, String>,
}

/// What a dossier is expected to be at an instant; each given item is compared.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckSpec {
    /// Its state (`in-progress`, …).
    #[serde(default)]
    pub state: Option<String>,
    /// Its current step.
    #[serde(default)]
    pub step: Option<String>,
    /// The procedure version it follows.
    #[serde(default)]
    pub version: Option<String>,
    /// The legal regime (rule pack) of that version, e.g. `nd61-2018`, `nd118-2025`: the
    /// forms and status mapping it follows.
    #[serde(default)]
    pub rule_pack: Option<String>,
    /// The appointment (RFC 3339).
    #[serde(default)]
    pub appointment: Option<String>,
    /// The legal appointment.
    #[serde(default)]
    pub original_appointment: Option<String>,
    /// The current step's due.
    #[serde(default)]
    pub step_due: Option<String>,
    /// The intake due of an online dossier waiting for acceptance.
    #[serde(default)]
    pub intake_due: Option<String>,
    /// `early`, `on-time` or `late`: how it would be classified were its result returned at
    /// this instant (against the legal appointment).
    #[serde(default)]
    pub classification: Option<String>,
    /// Whether it is overdue at this instant.
    #[serde(default)]
    pub overdue: Option<bool>,
}

fn instant_of(v: &toml::Value, what: &str) -> Result<DateTime<Utc>, String> {
    let text = match v {
        toml::Value::String(s) => s.clone(),
        toml::Value::Datetime(d) => d.to_string(),
        _ => return Err(format!("`{what}` must be an RFC 3339 instant")),
    };
    DateTime::parse_from_rfc3339(&text)
        .map(|d| d.to_utc())
        .map_err(|e| format!("`{what}` = `{text}` is not an RFC 3339 instant: {e}"))
}

impl<'de> Deserialize<'de> for ScenarioStep {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let mut t = toml::Table::deserialize(d)?;
        let at = instant_of(
            &t.remove("at")
                .ok_or_else(|| D::Error::missing_field("at"))?,
            "at",
        )
        .map_err(D::Error::custom)?;
        let text = |t: &mut toml::Table, key: &str| -> Result<Option<String>, D::Error> {
            match t.remove(key) {
                None => Ok(None),
                Some(toml::Value::String(s)) => Ok(Some(s)),
                Some(_) => Err(D::Error::custom(format!("`{key}` must be text"))),
            }
        };
        let actor = text(&mut t, "as")?.unwrap_or_default();
        let dossier = text(&mut t, "dossier")?;
        let expect = match text(&mut t, "expect")?.as_deref() {
            None | Some("ok") => Expect::Ok,
            Some("refused") => Expect::Refused,
            Some(other) => {
                return Err(D::Error::custom(format!(
                    "`expect` is `ok` or `refused`, not `{other}`"
                )));
            }
        };
        let kinds = ["command", "calendar", "publish", "migrate", "check"]
            .into_iter()
            .filter(|k| t.contains_key(*k))
            .collect::<Vec<_>>();
        let action = match kinds.as_slice() {
            ["command"] => Action::Command(
                Command::deserialize(toml::Value::Table(t)).map_err(D::Error::custom)?,
            ),
            ["calendar"] => {
                let apply = match text(&mut t, "calendar")?.as_deref() {
                    Some("apply") => true,
                    Some("preview") => false,
                    _ => {
                        return Err(D::Error::custom("`calendar` is `preview` or `apply`"));
                    }
                };
                let mut change =
                    CalendarChange::deserialize(toml::Value::Table(t)).map_err(D::Error::custom)?;
                change.apply = apply;
                Action::Calendar(change)
            }
            ["publish"] => {
                let file = text(&mut t, "publish")?.unwrap_or_default();
                if let Some(k) = t.keys().next() {
                    return Err(D::Error::custom(format!(
                        "unknown field `{k}` in a publish step"
                    )));
                }
                Action::Publish(file)
            }
            ["migrate"] => Action::Migrate(
                MigrateSpec::deserialize(
                    t.remove("migrate")
                        .unwrap_or(toml::Value::Table(toml::Table::new())),
                )
                .map_err(D::Error::custom)?,
            ),
            ["check"] => Action::Check(
                CheckSpec::deserialize(
                    t.remove("check")
                        .unwrap_or(toml::Value::Table(toml::Table::new())),
                )
                .map_err(D::Error::custom)?,
            ),
            [] => {
                return Err(D::Error::custom(
                    "a step needs one of `command`, `calendar`, `publish`, `migrate`, `check`",
                ));
            }
            more => {
                return Err(D::Error::custom(format!(
                    "a step does one thing, not {}",
                    more.join(" and ")
                )));
            }
        };
        if matches!(action, Action::Command(_)) && actor.is_empty() {
            return Err(D::Error::missing_field("as"));
        }
        Ok(ScenarioStep {
            at,
            actor,
            expect,
            dossier,
            action,
        })
    }
}

/// Why a scenario cannot run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ScenarioError(pub String);

/// The result of one step.
#[derive(Clone, Debug, Serialize)]
pub struct Entry {
    /// Position, from 1.
    pub n: usize,
    /// When.
    pub at: DateTime<Utc>,
    /// Actor name (empty for steps that are not commands).
    pub actor: String,
    /// The dossier it concerned.
    pub dossier: String,
    /// Command name, or `calendar-preview`, `calendar-apply`, `publish`, `migrate`, `check`.
    pub command: String,
    /// Event summaries (or, for other steps, what they found), or empty when refused.
    pub events: Vec<String>,
    /// The refusal, if any: (code, Vietnamese, English).
    pub refused: Option<(String, String, String)>,
    /// Whether the outcome matched the expectation.
    pub as_expected: bool,
    /// State after the step.
    pub state: String,
    /// National status code after the step.
    pub national_status: u8,
    /// Current step after the step.
    pub step: Option<String>,
    /// Current appointment after the step.
    pub appointment: Option<DateTime<Utc>>,
}

/// The whole run.
#[derive(Clone, Debug, Serialize)]
pub struct Timeline {
    /// Scenario title.
    pub title: String,
    /// Procedure code, name and version.
    pub procedure: String,
    /// One entry per step.
    pub entries: Vec<Entry>,
    /// The final dossier (the first one a step names).
    pub dossier: Dossier,
    /// Its event log.
    pub events: Vec<RecordedEvent>,
    /// The other dossiers, by name, with their logs.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub others: BTreeMap<String, (Dossier, Vec<RecordedEvent>)>,
    /// Whether every dossier's hash chain verifies.
    pub chain_ok: bool,
    /// The calendar used, for explanations.
    #[serde(skip)]
    pub calendar: Arc<WorkingCalendar>,
}

impl Timeline {
    /// Whether every step behaved as expected and the chains verify.
    pub fn passed(&self) -> bool {
        self.chain_ok && self.entries.iter().all(|e| e.as_expected)
    }
}

/// Parses a scenario file.
pub fn parse(text: &str) -> Result<Scenario, ScenarioError> {
    toml::from_str(text).map_err(|e| ScenarioError(e.to_string()))
}

impl Scenario {
    /// The scenario's actors, by name.
    pub fn actors(&self) -> Result<BTreeMap<String, Actor>, ScenarioError> {
        let scenario = self;
        let mut actors = BTreeMap::new();
        for (name, spec) in &scenario.actors {
            let kind = match spec.kind.as_str() {
                "applicant" => ActorKind::Applicant,
                "system" => ActorKind::System,
                "staff" => ActorKind::Staff {
                    agency: spec
                        .agency
                        .clone()
                        .unwrap_or_else(|| scenario.agency.clone()),
                    roles: spec.roles.clone(),
                },
                other => {
                    return Err(ScenarioError(format!(
                        "actor `{name}`: unknown kind `{other}` (applicant, staff, system)"
                    )));
                }
            };
            actors.insert(
                name.clone(),
                Actor {
                    id: name.clone(),
                    kind,
                },
            );
        }
        Ok(actors)
    }

    /// Whether the scenario is one dossier's commands only, on the national calendar: what a
    /// store can replay as real transactions (`motcua scenario load`).
    pub fn is_one_dossiers_commands(&self) -> bool {
        !self.has_own_calendar()
            && self
                .steps
                .iter()
                .all(|s| s.dossier.is_none() && matches!(s.action, Action::Command(_)))
    }

    /// Whether the scenario says anything of the agency's calendar (its own layer, or a
    /// change): it is then run on the national calendar with that layer, not the one given.
    pub fn has_own_calendar(&self) -> bool {
        self.calendar.is_some()
            || self
                .steps
                .iter()
                .any(|s| matches!(s.action, Action::Calendar(_)))
    }
}

fn date(text: &str, what: &str) -> Result<NaiveDate, ScenarioError> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| ScenarioError(format!("{what}: `{text}` is not a date YYYY-MM-DD")))
}

fn day_of(spec: &DaySpec, what: &str) -> Result<Exception, ScenarioError> {
    Ok(Exception {
        date: date(&spec.date, what)?,
        kind: match spec.kind.as_str() {
            "off" => ExceptionKind::DayOff,
            "makeup" => ExceptionKind::WorkingDay { windows: None },
            other => {
                return Err(ScenarioError(format!(
                    "{what}: kind `{other}` is `off` or `makeup`"
                )));
            }
        },
        name: spec.name.clone(),
        source: spec.source.clone(),
    })
}

fn windows_of(text: &str, what: &str) -> Result<WeeklySchedule, ScenarioError> {
    parse_windows(text)
        .map(WeeklySchedule::office_week)
        .map_err(|e| ScenarioError(format!("{what}: {e}")))
}

fn month_day(text: &str, what: &str) -> Result<MonthDay, ScenarioError> {
    let bad = || ScenarioError(format!("{what}: `{text}` is not a day dd/mm"));
    let (d, m) = text.trim().split_once('/').ok_or_else(bad)?;
    Ok(MonthDay {
        day: d.trim().parse().map_err(|_| bad())?,
        month: m.trim().parse().map_err(|_| bad())?,
    })
}

/// The agency's layer as the scenario's `[calendar]` describes it.
fn layer_of(c: &AgencyCalendar) -> Result<Layer, ScenarioError> {
    let mut layer = Layer {
        name: "Cơ quan (kịch bản)".into(),
        schedule: c
            .windows
            .as_deref()
            .map(|w| windows_of(w, "[calendar] windows"))
            .transpose()?,
        seasons: Vec::new(),
        national_holidays: false,
        exceptions: Vec::new(),
    };
    for (i, e) in c.exceptions.iter().enumerate() {
        layer
            .exceptions
            .push(day_of(e, &format!("[[calendar.exception]] {}", i + 1))?);
    }
    for s in &c.seasons {
        let what = format!("[[calendar.season]] {}", s.name);
        layer.seasons.push(Season {
            name: s.name.clone(),
            period: Period::Annual {
                from: month_day(&s.from, &what)?,
                to: month_day(&s.to, &what)?,
            },
            schedule: windows_of(&s.windows, &what)?,
        });
    }
    Ok(layer)
}

/// A year confirmed during a run: (year, announcement, days).
type Confirmed = (i32, String, Vec<Exception>);

fn compile(
    layer: &Layer,
    version: usize,
    confirmed: &[Confirmed],
) -> Result<Arc<WorkingCalendar>, ScenarioError> {
    let mut spec = CalendarSpec::national(default_windows());
    spec.layers.push(layer.clone());
    let mut holidays = NationalHolidays::builtin().map_err(|e| ScenarioError(e.to_string()))?;
    for (year, announced, days) in confirmed {
        holidays
            .confirm(*year, announced.clone(), days.clone())
            .map_err(|e| ScenarioError(format!("year {year}: {e}")))?;
    }
    Ok(Arc::new(
        WorkingCalendar::compile(&spec, &holidays, crate::calendar::DEFAULT_YEARS)
            .map_err(|e| ScenarioError(e.to_string()))?
            .with_version(format!("scenario@{version}")),
    ))
}

/// Runs a scenario against a procedure and a calendar, in memory. A scenario that publishes
/// another version of its procedure needs [`run_with`].
pub fn run(
    scenario: &Scenario,
    procedure: &Procedure,
    calendar: &Arc<WorkingCalendar>,
) -> Result<Timeline, ScenarioError> {
    run_with(scenario, procedure, calendar, &|file| {
        Err(ScenarioError(format!(
            "the scenario publishes `{file}`: run it with the files at hand (motcua scenario run)"
        )))
    })
}

/// The state of a run.
struct Run<'a> {
    dossiers: BTreeMap<String, (Dossier, Vec<RecordedEvent>)>,
    order: Vec<String>,
    versions: BTreeMap<String, Procedure>,
    latest: String,
    calendar: Arc<WorkingCalendar>,
    layer: Option<Layer>,
    confirmed: Vec<Confirmed>,
    calendar_versions: usize,
    counters: HashMap<(String, NaiveDate), u32>,
    scenario: &'a Scenario,
}

impl Run<'_> {
    fn dossier_name(&self, step: &ScenarioStep) -> String {
        step.dossier
            .clone()
            .unwrap_or_else(|| DEFAULT_DOSSIER.to_string())
    }

    fn entry(&self, n: usize, step: &ScenarioStep, name: &str, command: String) -> Entry {
        let d = self.dossiers.get(name).map(|(d, _)| d);
        Entry {
            n,
            at: step.at,
            actor: step.actor.clone(),
            dossier: name.to_string(),
            command,
            events: Vec::new(),
            refused: None,
            as_expected: true,
            state: d.map_or_else(|| "new".to_string(), |d| d.state.to_string()),
            national_status: d.map_or(1, |d| d.national_status()),
            step: d.and_then(|d| d.step.clone()),
            appointment: d.and_then(|d| d.clock.appointment),
        }
    }

    fn open(&self) -> Vec<String> {
        self.order
            .iter()
            .filter(|n| {
                self.dossiers
                    .get(*n)
                    .is_some_and(|(d, _)| d.accepted_at.is_some() || d.submitted_at.is_some())
                    && self
                        .dossiers
                        .get(*n)
                        .is_some_and(|(d, _)| !d.state.is_closed())
            })
            .cloned()
            .collect()
    }
}

/// Runs a scenario; `versions` reads a procedure file a `publish` step names (a path
/// relative to the scenario file).
pub fn run_with(
    scenario: &Scenario,
    procedure: &Procedure,
    calendar: &Arc<WorkingCalendar>,
    versions: &dyn Fn(&str) -> Result<Procedure, ScenarioError>,
) -> Result<Timeline, ScenarioError> {
    let actors = scenario.actors()?;
    let system = Actor {
        id: "he-thong".into(),
        kind: ActorKind::System,
    };
    let layer = if scenario.has_own_calendar() {
        Some(match &scenario.calendar {
            Some(c) => layer_of(c)?,
            None => layer_of(&AgencyCalendar::default())?,
        })
    } else {
        None
    };
    let mut run = Run {
        dossiers: BTreeMap::new(),
        order: Vec::new(),
        versions: BTreeMap::from([(procedure.catalogue.version.to_string(), procedure.clone())]),
        latest: procedure.catalogue.version.to_string(),
        calendar: match &layer {
            Some(l) => compile(l, 1, &[])?,
            None => Arc::clone(calendar),
        },
        layer,
        confirmed: Vec::new(),
        calendar_versions: 1,
        counters: HashMap::new(),
        scenario,
    };
    let mut entries = Vec::new();
    let mut last = None;
    for (i, step) in scenario.steps.iter().enumerate() {
        let n = i + 1;
        if last.is_some_and(|l| step.at < l) {
            return Err(ScenarioError(format!("step {n}: time goes backwards")));
        }
        last = Some(step.at);
        let entry = match &step.action {
            Action::Command(command) => {
                let actor = actors.get(&step.actor).ok_or_else(|| {
                    ScenarioError(format!("step {n}: unknown actor `{}`", step.actor))
                })?;
                command_step(&mut run, n, step, actor, command)?
            }
            Action::Calendar(change) => calendar_step(&mut run, n, step, change, &system)?,
            Action::Publish(file) => {
                let p = versions(file)?;
                if p.catalogue.code != procedure.catalogue.code {
                    return Err(ScenarioError(format!(
                        "step {n}: `{file}` is procedure {}, not {}",
                        p.catalogue.code, procedure.catalogue.code
                    )));
                }
                let mut e = run.entry(n, step, "", "publish".into());
                e.events.push(format!(
                    "version {} published: dossiers submitted from now on follow it",
                    p.catalogue.version
                ));
                run.latest = p.catalogue.version.to_string();
                run.versions.insert(p.catalogue.version.to_string(), p);
                e
            }
            Action::Migrate(spec) => migrate_step(&mut run, n, step, spec, &system)?,
            Action::Check(spec) => check_step(&run, n, step, spec)?,
        };
        entries.push(entry);
    }
    let chain_ok = run
        .dossiers
        .values()
        .all(|(_, log)| dossier::verify(log).is_ok());
    let first = run
        .order
        .first()
        .cloned()
        .unwrap_or_else(|| DEFAULT_DOSSIER.to_string());
    let (dossier, events) = run.dossiers.remove(&first).unwrap_or_else(|| {
        (
            Dossier::new(DEFAULT_DOSSIER, scenario.agency.clone()),
            Vec::new(),
        )
    });
    Ok(Timeline {
        title: scenario.title.clone(),
        procedure: format!(
            "{} {} (version {}), time limit {}, supplement policy {:?}",
            procedure.catalogue.code,
            procedure.catalogue.name,
            procedure.catalogue.version,
            procedure.catalogue.time_limit,
            procedure.policy.supplement
        ),
        entries,
        dossier,
        events,
        others: run.dossiers,
        chain_ok,
        calendar: run.calendar,
    })
}

fn command_step(
    run: &mut Run<'_>,
    n: usize,
    step: &ScenarioStep,
    actor: &Actor,
    command: &Command,
) -> Result<Entry, ScenarioError> {
    let name = run.dossier_name(step);
    if !run.dossiers.contains_key(&name) {
        let id = if name == DEFAULT_DOSSIER {
            DEFAULT_DOSSIER.to_string()
        } else {
            name.clone()
        };
        run.dossiers.insert(
            name.clone(),
            (Dossier::new(id, run.scenario.agency.clone()), Vec::new()),
        );
        run.order.push(name.clone());
    }
    let mut command = command.clone();
    let (d, _) = run.dossiers.get(&name).expect("inserted");
    // A dossier not yet submitted follows the latest version; one submitted, its own.
    let version = if d.procedure_version.is_empty() {
        run.latest.clone()
    } else {
        d.procedure_version.clone()
    };
    // Codes are the system's: an acceptance without a sequence takes the agency's next
    // number for the local day, used up only if the acceptance is made (as in the store,
    // where a refused command's transaction takes nothing).
    let mut allocated = None;
    if let Command::Accept { sequence } = &mut command
        && *sequence == 0
        && d.state == dossier::State::Submitted
    {
        let day = (step.at + chrono::TimeDelta::hours(7)).date_naive();
        let key = (d.agency.to_string(), day);
        let next = run.counters.get(&key).copied().unwrap_or(0) + 1;
        *sequence = next;
        allocated = Some((key, next));
    }
    let procedure = run
        .versions
        .get(&version)
        .ok_or_else(|| ScenarioError(format!("step {n}: version {version} is not published")))?
        .clone();
    let calendar = Arc::clone(&run.calendar);
    let ctx = Ctx {
        now: step.at,
        actor,
        procedure: &procedure,
        calendar: &calendar,
    };
    let (d, log) = run.dossiers.get_mut(&name).expect("inserted");
    let (events, refused) = match dossier::execute(d, &command, &ctx) {
        Ok(recorded) => {
            let summaries = recorded.iter().map(|r| describe(&r.event)).collect();
            log.extend(recorded);
            if let Some((key, next)) = allocated {
                run.counters.insert(key, next);
            }
            (summaries, None)
        }
        Err(r) => (Vec::new(), Some((r.code, r.message_vi, r.message_en))),
    };
    let as_expected = match step.expect {
        Expect::Ok => refused.is_none(),
        Expect::Refused => refused.is_some(),
    };
    let mut e = run.entry(n, step, &name, command.name().to_string());
    e.events = events;
    e.refused = refused;
    e.as_expected = as_expected;
    Ok(e)
}

fn calendar_step(
    run: &mut Run<'_>,
    n: usize,
    step: &ScenarioStep,
    change: &CalendarChange,
    system: &Actor,
) -> Result<Entry, ScenarioError> {
    let what = format!("step {n}");
    let mut layer = run.layer.clone().unwrap_or_else(|| Layer {
        name: "Cơ quan (kịch bản)".into(),
        schedule: None,
        seasons: Vec::new(),
        national_holidays: false,
        exceptions: Vec::new(),
    });
    let mut confirmed = run.confirmed.clone();
    if let Some(year) = change.confirm {
        if change.windows.is_some() || change.from.is_some() {
            return Err(ScenarioError(format!(
                "{what}: a confirmation lists the year's days; other windows are a step of their own"
            )));
        }
        let days = change
            .exceptions
            .iter()
            .map(|d| day_of(d, &what))
            .collect::<Result<Vec<_>, _>>()?;
        confirmed.retain(|(y, ..)| *y != year);
        confirmed.push((
            year,
            change
                .announced
                .clone()
                .unwrap_or_else(|| format!("năm {year}")),
            days,
        ));
    } else {
        for d in &change.exceptions {
            let day = day_of(d, &what)?;
            layer.exceptions.retain(|e| e.date != day.date);
            layer.exceptions.push(day);
        }
    }
    if let Some(w) = &change.windows {
        let week = windows_of(w, &what)?;
        match &change.from {
            None => layer.schedule = Some(week),
            Some(from) => {
                let from = date(from, &what)?;
                layer.seasons.insert(
                    0,
                    Season {
                        name: format!("Giờ làm việc từ {}", from.format("%d/%m/%Y")),
                        period: Period::Dates {
                            from,
                            to: NaiveDate::from_ymd_opt(2199, 12, 31).unwrap_or(from),
                        },
                        schedule: week,
                    },
                );
            }
        }
    }
    let new = compile(&layer, run.calendar_versions + 1, &confirmed)
        .map_err(|e| ScenarioError(format!("{what}: {}", e.0)))?;
    let mut e = run.entry(
        n,
        step,
        "",
        if change.apply {
            "calendar-apply"
        } else {
            "calendar-preview"
        }
        .into(),
    );
    if let Some((year, announced, days)) = change
        .confirm
        .and_then(|y| confirmed.iter().find(|(c, ..)| *c == y))
    {
        e.events.push(format!(
            "national holidays of {year} {} as announced ({announced}): {} day(s) listed",
            if change.apply {
                "confirmed"
            } else {
                "would be confirmed"
            },
            days.len()
        ));
    }
    for name in run.open() {
        let (d, _) = run.dossiers.get(&name).expect("open");
        let procedure = run
            .versions
            .get(&d.procedure_version)
            .cloned()
            .ok_or_else(|| {
                ScenarioError(format!("{what}: version {} unknown", d.procedure_version))
            })?;
        let ctx = Ctx {
            now: step.at,
            actor: system,
            procedure: &procedure,
            calendar: &new,
        };
        let old = Arc::clone(&run.calendar);
        if change.apply {
            let (d, log) = run.dossiers.get_mut(&name).expect("open");
            match dossier::reproject::apply_change(d, &old, &ctx, step.at) {
                Ok(recorded) => {
                    for r in &recorded {
                        e.events.push(format!("[{name}] {}", describe(&r.event)));
                    }
                    log.extend(recorded);
                }
                Err(r) => e
                    .events
                    .push(format!("[{name}] not reprojected: {}", r.message_en)),
            }
        } else {
            match dossier::reproject::preview(d, &old, &ctx, step.at) {
                Ok(r) if r.moved.is_empty() => {
                    e.events.push(format!("[{name}] nothing would move"));
                }
                Ok(r) => {
                    for m in &r.moved {
                        e.events.push(format!(
                            "[{name}] would move: {} {} → {}",
                            m.deadline.label_vi(),
                            t(m.before),
                            t(m.after)
                        ));
                    }
                    for b in &r.because {
                        e.events.push(format!("[{name}]   because {b}"));
                    }
                }
                Err(r) => e.events.push(format!("[{name}] {}", r.message_en)),
            }
        }
    }
    if change.apply {
        run.layer = Some(layer);
        run.confirmed = confirmed;
        run.calendar = new;
        run.calendar_versions += 1;
    }
    Ok(e)
}

fn migrate_step(
    run: &mut Run<'_>,
    n: usize,
    step: &ScenarioStep,
    spec: &MigrateSpec,
    system: &Actor,
) -> Result<Entry, ScenarioError> {
    let to =
        run.versions.get(&spec.to).cloned().ok_or_else(|| {
            ScenarioError(format!("step {n}: version {} is not published", spec.to))
        })?;
    let names = match &step.dossier {
        Some(one) => vec![one.clone()],
        None => run.open(),
    };
    let mut e = run.entry(
        n,
        step,
        step.dossier.as_deref().unwrap_or(""),
        "migrate".into(),
    );
    let mut refused = 0;
    for name in names {
        let Some((d, _)) = run.dossiers.get(&name) else {
            return Err(ScenarioError(format!("step {n}: no dossier `{name}`")));
        };
        if d.procedure_version == spec.to {
            continue;
        }
        let from = run
            .versions
            .get(&d.procedure_version)
            .cloned()
            .ok_or_else(|| {
                ScenarioError(format!("step {n}: version {} unknown", d.procedure_version))
            })?;
        let calendar = Arc::clone(&run.calendar);
        let ctx = Ctx {
            now: step.at,
            actor: system,
            procedure: &to,
            calendar: &calendar,
        };
        let (d, log) = run.dossiers.get_mut(&name).expect("known");
        match dossier::migrate::migrate(d, &from, &spec.map, &ctx) {
            Ok(recorded) => {
                for r in &recorded {
                    e.events.push(format!("[{name}] {}", describe(&r.event)));
                }
                log.extend(recorded);
            }
            Err(r) => {
                refused += 1;
                e.events
                    .push(format!("[{name}] refused [{}]: {}", r.code, r.message_en));
                e.refused = Some((r.code, r.message_vi, r.message_en));
            }
        }
    }
    e.as_expected = match step.expect {
        Expect::Ok => refused == 0,
        Expect::Refused => refused > 0,
    };
    if let Some(name) = &step.dossier
        && let Some((d, _)) = run.dossiers.get(name)
    {
        e.state = d.state.to_string();
        e.step = d.step.clone();
        e.appointment = d.clock.appointment;
    }
    Ok(e)
}

fn check_step(
    run: &Run<'_>,
    n: usize,
    step: &ScenarioStep,
    spec: &CheckSpec,
) -> Result<Entry, ScenarioError> {
    let name = run.dossier_name(step);
    let (d, _) = run
        .dossiers
        .get(&name)
        .ok_or_else(|| ScenarioError(format!("step {n}: no dossier `{name}`")))?;
    let mut e = run.entry(n, step, &name, "check".into());
    let mut ok = true;
    let mut compare = |what: &str, want: &Option<String>, got: String| {
        if let Some(want) = want {
            let same = want == &got
                || DateTime::parse_from_rfc3339(want)
                    .ok()
                    .map(|w| t(w.to_utc()))
                    .is_some_and(|w| w == got);
            ok &= same;
            e.events.push(format!(
                "{what} {got}{}",
                if same {
                    String::new()
                } else {
                    format!(" (expected {want})")
                }
            ));
        }
    };
    let opt = |x: Option<DateTime<Utc>>| x.map(t).unwrap_or_else(|| "-".into());
    compare("state", &spec.state, d.state.to_string());
    compare(
        "step",
        &spec.step,
        d.step.clone().unwrap_or_else(|| "-".into()),
    );
    compare("version", &spec.version, d.procedure_version.clone());
    compare(
        "rule pack",
        &spec.rule_pack,
        run.versions
            .get(&d.procedure_version)
            .map(|p| p.catalogue.rule_pack.clone())
            .unwrap_or_default(),
    );
    compare("appointment", &spec.appointment, opt(d.clock.appointment));
    compare(
        "original appointment",
        &spec.original_appointment,
        opt(d.clock.original_appointment),
    );
    compare(
        "step due",
        &spec.step_due,
        opt(d.slip.last().filter(|r| r.left_at.is_none()).map(|r| r.due)),
    );
    compare("intake due", &spec.intake_due, opt(d.intake_due));
    let legal = d.clock.original_appointment;
    compare(
        "classification",
        &spec.classification,
        legal
            .map(|a| match Timeliness::classify(step.at, a) {
                Timeliness::Early => "early",
                Timeliness::OnTime => "on-time",
                Timeliness::Late => "late",
            })
            .unwrap_or("-")
            .to_string(),
    );
    if let Some(want) = spec.overdue {
        let got = !d.state.is_closed() && legal.is_some_and(|a| step.at > a);
        ok &= got == want;
        e.events.push(format!(
            "overdue {got}{}",
            if got == want {
                String::new()
            } else {
                format!(" (expected {want})")
            }
        ));
    }
    e.as_expected = ok;
    Ok(e)
}

fn t(x: DateTime<Utc>) -> String {
    to_local_rfc3339(x)
}

fn tl(x: Option<Timeliness>) -> &'static str {
    match x {
        Some(Timeliness::Early) => "early",
        Some(Timeliness::OnTime) => "on time",
        Some(Timeliness::Late) => "late",
        None => "-",
    }
}

/// A one-line English summary of an event.
pub fn describe(e: &Event) -> String {
    match e {
        Event::Submitted {
            channel,
            intake_due,
            ..
        } => format!(
            "submitted ({channel:?}){}",
            intake_due
                .map(|d| format!("; accept or return by {}", t(d)))
                .unwrap_or_default()
        ),
        Event::Resubmitted { intake_due, .. } => {
            format!(
                "completed and sent again; accept or return by {}",
                t(*intake_due)
            )
        }
        Event::ReturnedForCompletion {
            missing, intake, ..
        } => {
            format!(
                "returned for completion: missing {}; intake {}",
                missing.join(", "),
                tl(*intake)
            )
        }
        Event::Refused { reason, intake } => {
            format!("refused at intake: {reason}; intake {}", tl(*intake))
        }
        Event::Accepted {
            code,
            appointment,
            step,
            step_due,
            intake,
            ..
        } => format!(
            "accepted as {code}; appointment {}; at step {step} due {}; intake {}",
            t(*appointment),
            t(*step_due),
            tl(*intake)
        ),
        Event::HandedOver {
            from,
            to,
            action,
            step_due,
            result,
            instructions,
            ..
        } => format!(
            "{} {from} → {to} (step {from} {}); {to} due {}{}",
            action.as_str(),
            tl(Some(*result)),
            t(*step_due),
            instructions
                .as_ref()
                .map(|i| format!("; instructions: {i}"))
                .unwrap_or_default()
        ),
        Event::Assigned { officer } => format!("assigned to {officer}"),
        Event::DraftAttached { attachment } => format!("draft attached: {}", attachment.name),
        Event::SignedResultAttached { attachment } => {
            format!("signed result attached: {}", attachment.name)
        }
        Event::SupplementRequested { items, round, .. } => {
            format!(
                "supplement round {round} requested: {}; clock stopped",
                items.join(", ")
            )
        }
        Event::SupplementReceived {
            policy,
            waited,
            appointment,
            original_appointment,
            ..
        } => format!(
            "supplement received ({policy:?}, waited {waited}); appointment {}; original {}",
            t(*appointment),
            t(*original_appointment)
        ),
        Event::ConsultationOpened {
            id,
            agencies,
            deadline,
            ..
        } => {
            format!(
                "consultation {id} opened with {} until {}",
                agencies.join(", "),
                t(*deadline)
            )
        }
        Event::ConsultationAnswered {
            id, agency, late, ..
        } => {
            format!(
                "{agency} answered consultation {id}{}",
                if *late { " LATE (to be reported)" } else { "" }
            )
        }
        Event::VerificationScheduled { time, place, .. } => {
            format!("verification scheduled {} at {place}", t(*time))
        }
        Event::ExtensionRequested {
            extra,
            new_appointment,
            ..
        } => format!(
            "extension requested: {}",
            extra.clone().or(new_appointment.map(t)).unwrap_or_default()
        ),
        Event::ExtensionGranted {
            approver,
            before,
            appointment,
            ..
        } => {
            format!(
                "extension granted by {approver}: {} → {}",
                t(*before),
                t(*appointment)
            )
        }
        Event::Apologised {
            before,
            appointment,
            ..
        } => {
            format!(
                "apology sent (form 04): {} → {}",
                t(*before),
                t(*appointment)
            )
        }
        Event::PaymentRequested { amount_vnd, .. } => {
            format!("financial obligation of {amount_vnd} đồng requested; clock paused")
        }
        Event::PaymentRecorded {
            waited,
            appointment,
            ..
        } => {
            format!(
                "payment recorded (waited {waited}); appointment {}",
                t(*appointment)
            )
        }
        Event::WithdrawalRequested { .. } => "withdrawal requested".into(),
        Event::PostalDeliveryRequested { .. } => "postal delivery requested".into(),
        Event::Withdrawn => "withdrawn; dossier closed".into(),
        Event::Stopped { reason } => format!("processing stopped: {reason}"),
        Event::ProcessingFinished { outcome, result } => {
            format!(
                "processing finished: {outcome:?}; last step {}",
                tl(Some(*result))
            )
        }
        Event::ResultReturned { timeliness } => {
            format!(
                "result returned; {} against the original appointment",
                tl(Some(*timeliness))
            )
        }
        Event::Rated { score, .. } => format!("rated {score}/5"),
        Event::Notified { notification } => {
            format!(
                "notify {} via {}",
                notification.recipient(),
                notification
                    .channels()
                    .iter()
                    .map(|c| c.as_str())
                    .collect::<Vec<_>>()
                    .join("+")
            )
        }
        Event::Flagged { flag } => format!("flagged: {flag}"),
        Event::ProcedureMigrated {
            from_version,
            to_version,
            step,
            ..
        } => format!(
            "migrated from version {from_version} to {to_version}{}",
            step.as_deref()
                .map(|s| format!(", at step {s}"))
                .unwrap_or_default()
        ),
        Event::DeadlinesReprojected {
            calendar_after,
            moved,
            ..
        } => format!(
            "deadlines reprojected under calendar {calendar_after}: {}",
            moved
                .iter()
                .map(|m| format!(
                    "{} {} → {}",
                    m.deadline.label_vi(),
                    to_local_rfc3339(m.before),
                    to_local_rfc3339(m.after)
                ))
                .collect::<Vec<_>>()
                .join("; ")
        ),
    }
}

fn slip_row(r: &SlipRow) -> String {
    format!(
        "  {:<18} {:<18} {}  due {}  left {}  {}",
        r.step,
        r.role.as_str(),
        t(r.received_at),
        t(r.due),
        r.left_at.map(t).unwrap_or_else(|| "-".into()),
        tl(r.result)
    )
}

impl fmt::Display for Timeline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "scenario: {}", self.title)?;
        writeln!(f, "procedure: {}", self.procedure)?;
        let several = !self.others.is_empty();
        for e in &self.entries {
            if several && !e.dossier.is_empty() {
                writeln!(
                    f,
                    "#{} {}  {}  {}  [{}]",
                    e.n,
                    t(e.at),
                    e.actor,
                    e.command,
                    e.dossier
                )?;
            } else {
                writeln!(f, "#{} {}  {}  {}", e.n, t(e.at), e.actor, e.command)?;
            }
            for ev in &e.events {
                writeln!(f, "   → {ev}")?;
            }
            if let Some((code, vi, en)) = &e.refused {
                writeln!(f, "   ✗ refused [{code}]: {vi} / {en}")?;
            }
            if !e.as_expected {
                writeln!(
                    f,
                    "   !! UNEXPECTED: this step did not behave as the scenario expects"
                )?;
            }
            // Steps of no one dossier (a calendar change, a version published) have no state.
            if !several || !e.dossier.is_empty() {
                writeln!(
                    f,
                    "   state {} · national status {} · step {} · appointment {}",
                    e.state,
                    e.national_status,
                    e.step.as_deref().unwrap_or("-"),
                    e.appointment.map(t).unwrap_or_else(|| "-".into())
                )?;
            }
        }
        let mut all = vec![(None, &self.dossier)];
        all.extend(self.others.iter().map(|(name, (d, _))| (Some(name), d)));
        for (name, d) in all {
            if let Some(name) = name {
                writeln!(f, "dossier {name}:")?;
            }
            writeln!(f, "process-control slip:")?;
            for r in &d.slip {
                writeln!(f, "{}", slip_row(r))?;
            }
            writeln!(f, "clock:")?;
            for line in d.explain_appointment(&self.calendar).lines() {
                writeln!(f, "  {line}")?;
            }
            if let Some(x) = d.timeliness {
                writeln!(f, "result returned: {}", tl(Some(x)))?;
            }
            if !d.flags.is_empty() {
                writeln!(f, "flags: {}", d.flags.join(", "))?;
            }
        }
        let events = self.events.len()
            + self
                .others
                .values()
                .map(|(_, log)| log.len())
                .sum::<usize>();
        writeln!(
            f,
            "hash chain: {} events, {}",
            events,
            if self.chain_ok { "verified" } else { "BROKEN" }
        )?;
        let bad = self.entries.iter().filter(|e| !e.as_expected).count();
        writeln!(
            f,
            "{}",
            if bad == 0 {
                "every step behaved as expected".to_string()
            } else {
                format!("{bad} step(s) did not behave as expected")
            }
        )
    }
}
