//! Dossiers: state, the legal clocks, the process-control slip, and the command → events cycle.
//!
//! `decide(&dossier, &command, &ctx)` checks a command and returns the events it causes, or
//! a [`Rejection`] saying why not (in Vietnamese and English) and changing nothing.
//! `Dossier::apply` folds a recorded event into the state without a calendar: events carry
//! every computed value. [`execute`] does both and seals the events in the hash chain.

mod apply;
mod available;
pub mod code;
mod command;
mod decide;
pub mod event;
pub mod migrate;
mod notice;
pub mod reproject;

pub use apply::ApplyError;
pub use available::{Available, Field, available, fields_of, label_vi};
pub use code::{AgencyId, DossierCode};
pub use command::Command;
pub use event::{ChainError, Deadline, Event, MovedDeadline, RecordedEvent, verify};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use crate::calendar::{Duration, Timeliness, WorkingCalendar, to_local_rfc3339};
use crate::procedure::{Procedure, Role};

/// How a dossier came in (national channel codes: 1 direct, 2 online, 3 post).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Channel {
    /// At the one-stop desk.
    Direct,
    /// By public post.
    Post,
    /// Online through the portal.
    Online,
}

impl Channel {
    /// The national channel code.
    pub fn national_code(self) -> u8 {
        match self {
            Channel::Direct => 1,
            Channel::Online => 2,
            Channel::Post => 3,
        }
    }
}

/// Who applies (tổ chức, cá nhân).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Applicant {
    /// Full name or organisation name.
    pub name: String,
    /// ID number (CCCD) or business code.
    #[serde(default)]
    pub id_number: String,
    /// Address.
    #[serde(default)]
    pub address: String,
    /// Phone.
    #[serde(default)]
    pub phone: String,
    /// Email.
    #[serde(default)]
    pub email: String,
}

/// Where the result is to be sent by public post (Điều 9.2; Decision 45/2016/QĐ-TTg).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PostalDelivery {
    /// The delivery address.
    pub address: String,
    /// The phone number the postman calls.
    pub phone: String,
}

/// An applicant's answers to the Circular 01/2018 indicators that an applicant can judge,
/// in the scoring tool's points (2, 1 or 0 each); absent when not answered.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RatingIndicators {
    /// Indicator 3, coming back to complete the dossier: 2 never, 1 once, 0 more than once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub came_back: Option<u8>,
    /// Indicator 4, bodies contacted: 2 only the one-stop desk, 1 the desk and those the law
    /// requires (site checks, councils), 0 more than one otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bodies_contacted: Option<u8>,
    /// Indicator 7, staff attitude: 2 helpful and early, 1 correct, 0 harassment or
    /// trouble.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attitude: Option<u8>,
}

impl RatingIndicators {
    /// Whether no indicator was answered.
    pub fn is_empty(&self) -> bool {
        self.came_back.is_none() && self.bodies_contacted.is_none() && self.attitude.is_none()
    }
}

/// A file attached to a dossier, by content hash (the store keeps the bytes).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Attachment {
    /// File name.
    pub name: String,
    /// SHA-256 of the content, hex.
    pub sha256: String,
}

/// A file supplied for one of the procedure's components (thành phần hồ sơ), at submission
/// or with a supplement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ComponentFile {
    /// The component's name, as in the procedure.
    pub component: String,
    /// The file.
    pub attachment: Attachment,
}

/// The result of processing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Outcome {
    /// The request is granted; the result document is issued.
    Granted,
    /// The request is rejected; a rejection notice is returned.
    Rejected {
        /// Why.
        reason: String,
    },
}

/// Who acts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Actor {
    /// Account identifier.
    pub id: String,
    /// Applicant, staff or the system itself.
    #[serde(flatten)]
    pub kind: ActorKind,
}

/// The kind of actor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ActorKind {
    /// A citizen or organisation.
    Applicant,
    /// A staff member of an agency with roles there.
    Staff {
        /// The agency identifier.
        agency: AgencyId,
        /// Roles at that agency.
        roles: Vec<Role>,
    },
    /// motcua itself (scheduled jobs, integrations).
    System,
}

impl Actor {
    /// An applicant with the account `id`.
    pub fn applicant(id: impl Into<String>) -> Actor {
        Actor {
            id: id.into(),
            kind: ActorKind::Applicant,
        }
    }

    /// A staff member with the account `id`, holding `roles` at `agency`.
    pub fn staff(id: impl Into<String>, agency: AgencyId, roles: Vec<Role>) -> Actor {
        Actor {
            id: id.into(),
            kind: ActorKind::Staff { agency, roles },
        }
    }

    /// motcua itself (scheduled jobs, integrations), named `id` in the log.
    pub fn system(id: impl Into<String>) -> Actor {
        Actor {
            id: id.into(),
            kind: ActorKind::System,
        }
    }

    /// Whether the actor is staff of `agency` with `role`.
    pub fn has_role(&self, agency: &str, role: Role) -> bool {
        match &self.kind {
            ActorKind::Staff { agency: a, roles } => a == agency && roles.contains(&role),
            _ => false,
        }
    }
}

/// Why the clock is paused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum PauseReason {
    /// Waiting for a supplement (pause policy; under the restart policy the clock also stops).
    Supplement,
    /// Waiting for a financial obligation to be paid.
    Payment,
}

impl PauseReason {
    /// Vietnamese label.
    pub fn label_vi(self) -> &'static str {
        match self {
            PauseReason::Supplement => "chờ bổ sung hồ sơ",
            PauseReason::Payment => "chờ thực hiện nghĩa vụ tài chính",
        }
    }
}

/// The internal state of a dossier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum State {
    /// Nothing submitted yet.
    New,
    /// Submitted, not yet accepted.
    Submitted,
    /// Returned before acceptance for completion (closed; a new submission starts over).
    ReturnedForCompletion,
    /// Refused at intake (closed).
    Refused,
    /// Accepted and moving through the workflow.
    InProgress,
    /// Waiting for the applicant's supplement.
    AwaitingSupplement,
    /// Waiting for a financial obligation.
    AwaitingPayment,
    /// Withdrawn at the applicant's request (closed).
    Withdrawn,
    /// Processing stopped (closed).
    Stopped,
    /// Processing finished; result waiting at the desk.
    Finished,
    /// Result returned (closed).
    Returned,
}

impl State {
    /// Whether the dossier is closed: it then accepts nothing but a rating.
    pub fn is_closed(self) -> bool {
        matches!(
            self,
            State::ReturnedForCompletion
                | State::Refused
                | State::Withdrawn
                | State::Stopped
                | State::Returned
        )
    }

    /// Vietnamese label.
    pub fn label_vi(self) -> &'static str {
        match self {
            State::New => "chưa nộp",
            State::Submitted => "mới đăng ký",
            State::ReturnedForCompletion => "trả lại để hoàn thiện",
            State::Refused => "từ chối tiếp nhận",
            State::InProgress => "đang xử lý",
            State::AwaitingSupplement => "chờ bổ sung",
            State::AwaitingPayment => "chờ thực hiện nghĩa vụ tài chính",
            State::Withdrawn => "đã rút hồ sơ",
            State::Stopped => "dừng xử lý",
            State::Finished => "đã có kết quả, chờ trả",
            State::Returned => "đã trả kết quả",
        }
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        f.write_str(&s)
    }
}

/// One change of the dossier clock, for explanations.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClockEntry {
    /// When.
    pub at: DateTime<Utc>,
    /// What, in English.
    pub what: String,
    /// The current appointment after it.
    pub appointment: Option<DateTime<Utc>>,
    /// The legal (original) appointment after it.
    pub original_appointment: Option<DateTime<Utc>>,
}

/// The dossier clock: budget, pauses, restarts, extensions; original and current appointment.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Clock {
    /// The processing time limit.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::calendar::Duration::schema_or_null))]
    pub limit: Option<Duration>,
    /// When counting started (acceptance, after any cut-off).
    pub counting_start: Option<DateTime<Utc>>,
    /// The appointment results are classified against: set at acceptance and moved only by
    /// the applicant's waits (supplement, financial obligation), never by extensions or apologies.
    pub original_appointment: Option<DateTime<Utc>>,
    /// The appointment currently promised (extensions and apologies move it).
    pub appointment: Option<DateTime<Utc>>,
    /// Paused since, and why.
    pub paused: Option<(DateTime<Utc>, PauseReason)>,
    /// Every change, in order.
    pub history: Vec<ClockEntry>,
}

/// One row of the process-control slip: a step's stay, from hand-over to hand-over.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SlipRow {
    /// The step.
    pub step: String,
    /// Its role.
    pub role: Role,
    /// Handed over to it at.
    pub received_at: DateTime<Utc>,
    /// Its allowance.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::calendar::Duration::schema))]
    pub allowance: Duration,
    /// Its due instant.
    pub due: DateTime<Utc>,
    /// Named officer.
    pub assignee: Option<String>,
    /// Left at.
    pub left_at: Option<DateTime<Utc>>,
    /// Early, on time or late.
    pub result: Option<Timeliness>,
    /// Handed over to (step id), and how.
    pub handed_to: Option<String>,
}

/// A consultation of other agencies.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Consultation {
    /// Identifier.
    pub id: String,
    /// Agencies consulted.
    pub agencies: Vec<String>,
    /// What was asked.
    pub content: String,
    /// Deadline.
    pub deadline: DateTime<Utc>,
    /// Answers by agency: (answer, late).
    pub answers: BTreeMap<String, (String, bool)>,
}

/// A dossier: the projection of its events.
///
/// Every field is readable through [`DossierView`] (a `Dossier` dereferences to it), and
/// none can be written from outside the engine: a dossier changes only by [`execute`] (a
/// command decided and sealed into the hash chain) or [`Dossier::apply`] (a sealed event that
/// follows the dossier's last one). So the version and the last hash always describe the
/// events the dossier was built from.
///
/// ```compile_fail
/// # use motcua_core::dossier::{AgencyId, Dossier};
/// let mut dossier = Dossier::new("hs-1", AgencyId::parse("000.00.12.H53").unwrap());
/// dossier.version = 7; // error[E0594]: cannot assign to data in dereference of `Dossier`
/// ```
///
/// ```compile_fail
/// # use motcua_core::dossier::{AgencyId, Dossier, State};
/// let mut dossier = Dossier::new("hs-1", AgencyId::parse("000.00.12.H53").unwrap());
/// dossier.state = State::Returned; // the state moves only through commands and events
/// ```
///
/// A snapshot serialized by [`serde`] (as the store keeps it) deserializes as it was written;
/// [`Dossier::replay`] rebuilds a dossier from its log instead, checking the chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Dossier(DossierView);

/// A dossier is serialized as its view, field by field.
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Dossier {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        <DossierView as utoipa::PartialSchema>::schema()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Dossier {
    fn schemas(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        <DossierView as utoipa::ToSchema>::schemas(schemas);
    }
}

impl Dossier {
    /// The dossier's data, owned: for taking fields by value. A view cannot become a
    /// dossier again.
    pub fn into_view(self) -> DossierView {
        self.0
    }
}

impl std::ops::Deref for Dossier {
    type Target = DossierView;
    fn deref(&self) -> &DossierView {
        &self.0
    }
}

/// What a dossier holds, to read: the projection of its events. Reached through a
/// [`Dossier`], which dereferences to it; it cannot be built or changed outside the engine.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
// Named after what it is read through: the HTTP layer has a `DossierView` of its own.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = Dossier))]
pub struct DossierView {
    /// Identifier (assigned by the caller).
    pub id: String,
    /// Procedure code.
    pub procedure: String,
    /// Procedure version.
    pub procedure_version: String,
    /// Receiving agency.
    pub agency: AgencyId,
    /// State.
    pub state: State,
    /// Channel.
    pub channel: Option<Channel>,
    /// Applicant.
    pub applicant: Applicant,
    /// The applicant's account.
    pub owner: Option<String>,
    /// Form data.
    pub form: BTreeMap<String, String>,
    /// Components supplied.
    pub components: Vec<String>,
    /// Files supplied for components, at submission and with supplements, in order.
    #[serde(default)]
    pub files: Vec<ComponentFile>,
    /// Submitted at.
    pub submitted_at: Option<DateTime<Utc>>,
    /// Intake deadline (online).
    pub intake_due: Option<DateTime<Utc>>,
    /// Intake result (online).
    pub intake_result: Option<Timeliness>,
    /// Accepted at.
    pub accepted_at: Option<DateTime<Utc>>,
    /// The dossier code.
    pub code: Option<DossierCode>,
    /// Current step.
    pub step: Option<String>,
    /// Named officer at the current step.
    pub assignee: Option<String>,
    /// The dossier clock.
    pub clock: Clock,
    /// The process-control slip.
    pub slip: Vec<SlipRow>,
    /// Supplement rounds so far.
    pub supplement_rounds: u32,
    /// Of them, those asked because of the applicant's fault (not counted against the
    /// agency by indicator 3 of the scoring tool).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub supplement_rounds_applicant_fault: u32,
    /// Extensions granted so far.
    pub extensions_used: u32,
    /// A pending extension request: (reason, extra, new appointment).
    pub pending_extension: Option<(String, Option<String>, Option<DateTime<Utc>>)>,
    /// Consultations.
    pub consultations: Vec<Consultation>,
    /// Verifications scheduled: (time, place).
    pub verifications: Vec<(DateTime<Utc>, String)>,
    /// Draft results.
    pub drafts: Vec<Attachment>,
    /// The signed result.
    pub signed_result: Option<Attachment>,
    /// Outcome of processing.
    pub outcome: Option<Outcome>,
    /// When it was closed.
    pub closed_at: Option<DateTime<Utc>>,
    /// Result returned at, and how it did against the original appointment.
    pub timeliness: Option<Timeliness>,
    /// Where the applicant asked the result to be sent by public post, if they did.
    #[serde(default)]
    pub postal_delivery: Option<PostalDelivery>,
    /// A pending withdrawal request and its reason.
    pub withdrawal_requested: Option<String>,
    /// Amount of the pending financial obligation.
    pub payment_due: Option<u64>,
    /// Flags.
    pub flags: Vec<String>,
    /// Rating.
    pub rating: Option<u8>,
    /// The scoring tool's indicators the applicant answered with the rating.
    #[serde(default, skip_serializing_if = "RatingIndicators::is_empty")]
    pub rating_indicators: RatingIndicators,
    /// When it was last migrated on purpose to another version of its procedure (its rule
    /// pack is then the one in force that day, not the one on the day it was received).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub migrated_at: Option<DateTime<Utc>>,
    /// The calendar version its deadlines were last computed with (absent: before versions
    /// were recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar_version: Option<String>,
    /// Number of events applied.
    pub version: u64,
    /// Hash of the last event applied.
    pub last_hash: String,
}

impl Dossier {
    /// An empty dossier waiting for its `Submit`.
    pub fn new(id: impl Into<String>, agency: AgencyId) -> Dossier {
        Dossier(DossierView {
            id: id.into(),
            procedure: String::new(),
            procedure_version: String::new(),
            agency,
            state: State::New,
            channel: None,
            applicant: Applicant::default(),
            owner: None,
            form: BTreeMap::new(),
            components: Vec::new(),
            files: Vec::new(),
            submitted_at: None,
            intake_due: None,
            intake_result: None,
            accepted_at: None,
            code: None,
            step: None,
            assignee: None,
            clock: Clock::default(),
            slip: Vec::new(),
            supplement_rounds: 0,
            supplement_rounds_applicant_fault: 0,
            extensions_used: 0,
            pending_extension: None,
            consultations: Vec::new(),
            verifications: Vec::new(),
            drafts: Vec::new(),
            signed_result: None,
            outcome: None,
            closed_at: None,
            timeliness: None,
            postal_delivery: None,
            withdrawal_requested: None,
            payment_due: None,
            flags: Vec::new(),
            rating: None,
            rating_indicators: RatingIndicators::default(),
            migrated_at: None,
            calendar_version: None,
            version: 0,
            last_hash: String::new(),
        })
    }
}

impl DossierView {
    /// The national status code (1–10, DOMAIN.md section 4).
    pub fn national_status(&self) -> u8 {
        if self.withdrawal_requested.is_some() && !self.state.is_closed() {
            return 7;
        }
        match self.state {
            State::New | State::Submitted => 1,
            State::InProgress if self.slip.len() <= 1 => 2,
            State::InProgress => 4,
            State::ReturnedForCompletion | State::Refused => 3,
            State::AwaitingSupplement => 5,
            State::AwaitingPayment => 6,
            State::Withdrawn | State::Stopped => 8,
            State::Finished => 9,
            State::Returned => 10,
        }
    }

    pub(super) fn open_row(
        &mut self,
        step: &str,
        role: Role,
        allowance: Duration,
        at: DateTime<Utc>,
        due: DateTime<Utc>,
        assignee: Option<String>,
    ) {
        self.slip.push(SlipRow {
            step: step.to_string(),
            role,
            received_at: at,
            allowance,
            due,
            assignee,
            left_at: None,
            result: None,
            handed_to: None,
        });
    }

    pub(super) fn close_row(&mut self, at: DateTime<Utc>, result: Timeliness, to: Option<String>) {
        if let Some(row) = self.slip.last_mut() {
            row.left_at = Some(at);
            row.result = Some(result);
            row.handed_to = to;
        }
    }

    /// The clock runs again after a wait: the appointments and the current step's due as
    /// the event computed them.
    pub(super) fn resume(
        &mut self,
        appointment: DateTime<Utc>,
        original: DateTime<Utc>,
        step_due: DateTime<Utc>,
    ) {
        self.clock.paused = None;
        self.clock.appointment = Some(appointment);
        self.clock.original_appointment = Some(original);
        if let Some(row) = self.slip.last_mut() {
            row.due = step_due;
        }
        self.state = State::InProgress;
    }

    pub(super) fn clock_entry(&mut self, at: DateTime<Utc>, what: String) {
        self.clock.history.push(ClockEntry {
            at,
            what,
            appointment: self.clock.appointment,
            original_appointment: self.clock.original_appointment,
        });
    }

    /// Whether the dossier has waited for a supplement longer than the procedure's
    /// `supplement_wait_flag`: such dossiers are to be flagged to staff.
    pub fn waiting_too_long(
        &self,
        now: DateTime<Utc>,
        procedure: &Procedure,
        calendar: &WorkingCalendar,
    ) -> bool {
        let Some((since, PauseReason::Supplement)) = self.clock.paused else {
            return false;
        };
        let Some(limit) = procedure.policy.supplement_wait_flag.working_time() else {
            // A calendar-day limit: compare elapsed days.
            let days = i64::from(procedure.policy.supplement_wait_flag.amount);
            return now - since > chrono::TimeDelta::days(days);
        };
        calendar
            .working_time(since, now)
            .is_ok_and(|waited| waited > limit)
    }

    /// Explains the appointment: the limit, when counting started, every pause, restart,
    /// extension and apology, the current and original appointments, and the non-working days
    /// between counting start and the current appointment with their sources.
    pub fn explain_appointment(&self, calendar: &WorkingCalendar) -> String {
        let mut out = String::new();
        let Some(limit) = self.clock.limit else {
            return "not accepted yet: no appointment\n".into();
        };
        out += &format!("time limit: {limit}\n");
        for e in &self.clock.history {
            out += &format!(
                "  {}  {}{}\n",
                to_local_rfc3339(e.at),
                e.what,
                e.appointment
                    .map(|a| format!(" → appointment {}", to_local_rfc3339(a)))
                    .unwrap_or_default()
            );
        }
        if let Some(a) = self.clock.appointment {
            out += &format!("current appointment: {}\n", to_local_rfc3339(a));
        }
        if let Some(a) = self.clock.original_appointment {
            out += &format!(
                "original appointment (results are classified against it): {}\n",
                to_local_rfc3339(a)
            );
        }
        if let Some((since, why)) = self.clock.paused {
            out += &format!(
                "paused since {} ({})\n",
                to_local_rfc3339(since),
                why.label_vi()
            );
        }
        if let (Some(start), Some(end)) = (self.clock.counting_start, self.clock.appointment)
            && let Ok(days) = calendar.days_between(start, end.max(start))
        {
            let mut text = String::new();
            if days
                .render(&mut text, "between counting start and the appointment")
                .is_ok()
            {
                out += &text;
            }
        }
        out
    }
}

/// Why a command was refused: a stable code and a reason people can read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{code}: {message_en}")]
pub struct Rejection {
    /// Stable snake_case code, e.g. `wrong_state`.
    pub code: String,
    /// For applicants and staff, in Vietnamese.
    pub message_vi: String,
    /// For logs, in English.
    pub message_en: String,
    /// What is missing, one item each (for `incomplete`), so that a form can mark each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
}

impl Rejection {
    pub(crate) fn new(code: &str, vi: impl Into<String>, en: impl Into<String>) -> Rejection {
        Rejection {
            code: code.to_string(),
            message_vi: vi.into(),
            message_en: en.into(),
            missing: Vec::new(),
        }
    }

    pub(crate) fn with_missing(mut self, missing: Vec<String>) -> Rejection {
        self.missing = missing;
        self
    }
}

/// Everything `decide` needs from outside: the time, the actor, the procedure, the calendar.
pub struct Ctx<'a> {
    /// Now (the engine never reads the clock).
    pub now: DateTime<Utc>,
    /// Who acts.
    pub actor: &'a Actor,
    /// The procedure version the dossier follows.
    pub procedure: &'a Procedure,
    /// The agency's compiled calendar.
    pub calendar: &'a Arc<WorkingCalendar>,
}

/// Checks a command and returns the events it causes, or why it is refused. Changes nothing.
pub fn decide(
    dossier: &Dossier,
    command: &Command,
    ctx: &Ctx<'_>,
) -> Result<Vec<Event>, Rejection> {
    decide::decide(dossier, command, ctx)
}

/// Decides, seals the events after the dossier's last hash, applies them, and returns them.
/// On a refusal the dossier is untouched.
pub fn execute(
    dossier: &mut Dossier,
    command: &Command,
    ctx: &Ctx<'_>,
) -> Result<Vec<RecordedEvent>, Rejection> {
    let events = decide(dossier, command, ctx)?;
    Ok(seal_all(dossier, events, ctx))
}

/// Seals decided events after the dossier's last hash and applies them, each followed by the
/// notice the law requires for it, if any.
pub(crate) fn seal_all(
    dossier: &mut Dossier,
    events: Vec<Event>,
    ctx: &Ctx<'_>,
) -> Vec<RecordedEvent> {
    let mut recorded: Vec<RecordedEvent> = Vec::with_capacity(events.len() + 1);
    for event in events {
        let r = RecordedEvent::seal(
            dossier.version,
            ctx.now,
            ctx.actor.clone(),
            event,
            dossier.last_hash.clone(),
        );
        dossier.apply_sealed(&r, ctx.procedure);
        // The notice the law requires follows the event that causes it, written from the
        // dossier as the event left it (so an acceptance's notice carries the new code).
        let required = notice::notice(dossier, &r.event);
        recorded.push(r);
        if let Some(notification) = required {
            let n = RecordedEvent::seal(
                dossier.version,
                ctx.now,
                ctx.actor.clone(),
                Event::Notified { notification },
                dossier.last_hash.clone(),
            );
            dossier.apply_sealed(&n, ctx.procedure);
            recorded.push(n);
        }
    }
    recorded
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}
