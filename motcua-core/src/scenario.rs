//! Scenarios: a scripted sequence of timed commands run against a procedure in memory,
//! printed as a timeline. The format is documented in `docs/scenarios.md`.
//!
//! Parsing and running are pure; reading the files is the caller's job.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use crate::calendar::{Timeliness, WorkingCalendar, to_local_rfc3339};
use crate::dossier::{
    self, Actor, ActorKind, AgencyId, Command, Ctx, Dossier, Event, RecordedEvent, SlipRow,
};
use crate::procedure::{Procedure, Role};

/// A scenario file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// What it shows.
    pub title: String,
    /// The procedure file, relative to the scenario file.
    pub procedure: String,
    /// The agency identifier the dossier is received at.
    pub agency: AgencyId,
    /// Named actors.
    pub actors: BTreeMap<String, ActorSpec>,
    /// The commands, in time order.
    #[serde(rename = "do")]
    pub steps: Vec<ScenarioStep>,
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

/// One timed command.
#[derive(Clone, Debug, Deserialize)]
pub struct ScenarioStep {
    /// When (RFC 3339).
    pub at: DateTime<Utc>,
    /// Which actor.
    #[serde(rename = "as")]
    pub actor: String,
    /// Accepted or refused.
    #[serde(default)]
    pub expect: Expect,
    /// The command and its fields.
    #[serde(flatten)]
    pub command: Command,
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
    /// Actor name.
    pub actor: String,
    /// Command name.
    pub command: String,
    /// Event summaries, or empty when refused.
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
    /// The final dossier.
    pub dossier: Dossier,
    /// The event log.
    pub events: Vec<RecordedEvent>,
    /// Whether the hash chain verifies.
    pub chain_ok: bool,
    /// The calendar used, for explanations.
    #[serde(skip)]
    pub calendar: Arc<WorkingCalendar>,
}

impl Timeline {
    /// Whether every step behaved as expected and the chain verifies.
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
}

/// Runs a scenario against a procedure and a calendar, in memory.
pub fn run(
    scenario: &Scenario,
    procedure: &Procedure,
    calendar: &Arc<WorkingCalendar>,
) -> Result<Timeline, ScenarioError> {
    let actors = scenario.actors()?;
    let mut dossier = Dossier::new("scenario", scenario.agency.clone());
    let mut log = Vec::new();
    let mut entries = Vec::new();
    let mut last = None;
    for (i, step) in scenario.steps.iter().enumerate() {
        if last.is_some_and(|l| step.at < l) {
            return Err(ScenarioError(format!(
                "step {}: time goes backwards",
                i + 1
            )));
        }
        last = Some(step.at);
        let actor = actors.get(&step.actor).ok_or_else(|| {
            ScenarioError(format!("step {}: unknown actor `{}`", i + 1, step.actor))
        })?;
        let ctx = Ctx {
            now: step.at,
            actor,
            procedure,
            calendar,
        };
        let (events, refused) = match dossier::execute(&mut dossier, &step.command, &ctx) {
            Ok(recorded) => {
                let summaries = recorded.iter().map(|r| describe(&r.event)).collect();
                log.extend(recorded);
                (summaries, None)
            }
            Err(r) => (Vec::new(), Some((r.code, r.message_vi, r.message_en))),
        };
        let as_expected = match step.expect {
            Expect::Ok => refused.is_none(),
            Expect::Refused => refused.is_some(),
        };
        entries.push(Entry {
            n: i + 1,
            at: step.at,
            actor: step.actor.clone(),
            command: step.command.name().to_string(),
            events,
            refused,
            as_expected,
            state: dossier.state.to_string(),
            national_status: dossier.national_status(),
            step: dossier.step.clone(),
            appointment: dossier.clock.appointment,
        });
    }
    let chain_ok = dossier::verify(&log).is_ok();
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
        events: log,
        chain_ok,
        calendar: Arc::clone(calendar),
    })
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
        for e in &self.entries {
            writeln!(f, "#{} {}  {}  {}", e.n, t(e.at), e.actor, e.command)?;
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
            writeln!(
                f,
                "   state {} · national status {} · step {} · appointment {}",
                e.state,
                e.national_status,
                e.step.as_deref().unwrap_or("-"),
                e.appointment.map(t).unwrap_or_else(|| "-".into())
            )?;
        }
        let d = &self.dossier;
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
        writeln!(
            f,
            "hash chain: {} events, {}",
            self.events.len(),
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
