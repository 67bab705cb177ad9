//! Events: what happened to a dossier, sealed in a hash chain.
//!
//! The event log is one of the two formats motcua serializes on purpose (the other is the
//! procedure file); [`EVENT_FORMAT`] versions it, and each [`RecordedEvent`] says which format
//! it was sealed in (the number is part of what its hash covers). Events carry every computed
//! value (codes, appointments, step dues), so applying them needs no calendar and replays
//! exactly.
//!
//! Formats:
//! - **1** (until motcua 0.1): a notification's recipient and channels were strings.
//! - **2**: notifications are typed ([`notification`]): a [`Recipient`] and
//!   [`DeliveryChannel`]s. Events of format 1 still read, and verify: a format-1 notification
//!   keeps the text it was read from and serializes to it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

use super::code::{AgencyId, DossierCode};
use super::{
    Actor, Applicant, Attachment, Channel, ComponentFile, Outcome, PostalDelivery, RatingIndicators,
};
use crate::calendar::{Timeliness, WorkingTime};
use crate::procedure::{Action, SupplementPolicy};

pub mod notification;

pub use notification::{DeliveryChannel, Notification, NotificationError, Recipient};

/// The version of the event format this build seals new events in. It reads every earlier one.
pub const EVENT_FORMAT: u32 = 2;

fn format_1() -> u32 {
    1
}

/// Something that happened to a dossier.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
#[non_exhaustive]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Event {
    /// The applicant (or a reception officer for them) submitted the dossier.
    Submitted {
        /// Procedure code and version it follows.
        procedure: String,
        /// Procedure version.
        version: String,
        /// The agency that receives it.
        agency: AgencyId,
        /// How it came in.
        channel: Channel,
        /// Who applies.
        applicant: Applicant,
        /// The applicant's account, for online submissions.
        owner: Option<String>,
        /// Form data.
        form: BTreeMap<String, String>,
        /// Components supplied (names).
        components: Vec<String>,
        /// Files supplied for components (absent from events without files, so that the
        /// hashes of events sealed before files existed still verify).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        files: Vec<ComponentFile>,
        /// When an online dossier must be accepted or returned.
        intake_due: Option<DateTime<Utc>>,
        /// The calendar version the instants were computed with (absent in events written
        /// before versions were recorded, so that their hashes still verify).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        calendar: Option<String>,
    },
    /// The applicant completed a returned online dossier and sent it again; it waits for
    /// acceptance with a new intake due.
    Resubmitted {
        /// The form as it now stands.
        form: BTreeMap<String, String>,
        /// The components as they now stand.
        components: Vec<String>,
        /// Files added now.
        files: Vec<ComponentFile>,
        /// When it must be accepted or returned.
        intake_due: DateTime<Utc>,
        /// The calendar version the instants were computed with (absent in events written
        /// before versions were recorded, so that their hashes still verify).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        calendar: Option<String>,
    },
    /// Returned before acceptance because it is incomplete (form 02).
    ReturnedForCompletion {
        /// What is missing.
        missing: Vec<String>,
        /// Guidance.
        note: String,
        /// Against the intake clock, for online dossiers.
        intake: Option<Timeliness>,
    },
    /// Refused at intake (form 03).
    Refused {
        /// Why.
        reason: String,
        /// Against the intake clock, for online dossiers.
        intake: Option<Timeliness>,
    },
    /// Accepted: code assigned, clock started.
    Accepted {
        /// The dossier code.
        code: DossierCode,
        /// When the processing clock starts counting (after a cut-off).
        counting_start: DateTime<Utc>,
        /// The appointment.
        appointment: DateTime<Utc>,
        /// The first step and its due instant.
        step: String,
        /// Due instant of the first step.
        step_due: DateTime<Utc>,
        /// Against the intake clock, for online dossiers.
        intake: Option<Timeliness>,
        /// The calendar version the instants were computed with (absent in events written
        /// before versions were recorded, so that their hashes still verify).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        calendar: Option<String>,
    },
    /// Handed over from one step to another.
    HandedOver {
        /// From step.
        from: String,
        /// To step.
        to: String,
        /// Forward, send back or approve.
        action: Action,
        /// Written instructions (send back).
        instructions: Option<String>,
        /// A named officer at the next step.
        assignee: Option<String>,
        /// Due instant of the next step.
        step_due: DateTime<Utc>,
        /// How the step left did against its allowance.
        result: Timeliness,
        /// The calendar version the instants were computed with (absent in events written
        /// before versions were recorded, so that their hashes still verify).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        calendar: Option<String>,
    },
    /// Assigned to a named officer within the step.
    Assigned {
        /// The officer.
        officer: String,
    },
    /// A draft result attached.
    DraftAttached {
        /// The file.
        attachment: Attachment,
    },
    /// The signed result attached by the clerk.
    SignedResultAttached {
        /// The file.
        attachment: Attachment,
    },
    /// The applicant must supplement the dossier; the clock stops.
    SupplementRequested {
        /// Why.
        reason: String,
        /// What to supply.
        items: Vec<String>,
        /// Round number, from 1.
        round: u32,
        /// Whether the need is the applicant's fault (absent when not, so that the hashes of
        /// earlier requests still verify).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        applicant_fault: bool,
    },
    /// The supplement arrived; the clock restarts or resumes.
    SupplementReceived {
        /// What came.
        items: Vec<String>,
        /// Restart or pause.
        policy: SupplementPolicy,
        /// Working time the dossier waited.
        waited: WorkingTime,
        /// New current appointment.
        appointment: DateTime<Utc>,
        /// New legal appointment (the one results are classified against).
        original_appointment: DateTime<Utc>,
        /// New due of the current step.
        step_due: DateTime<Utc>,
        /// Files that came with it (absent when none, see `Submitted`).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        files: Vec<ComponentFile>,
        /// The calendar version the instants were computed with (absent in events written
        /// before versions were recorded, so that their hashes still verify).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        calendar: Option<String>,
    },
    /// A consultation of other agencies opened.
    ConsultationOpened {
        /// Identifier within the dossier.
        id: String,
        /// Agencies consulted.
        agencies: Vec<String>,
        /// What is asked.
        content: String,
        /// Answer deadline.
        deadline: DateTime<Utc>,
    },
    /// A consulted agency answered.
    ConsultationAnswered {
        /// Consultation id.
        id: String,
        /// The agency.
        agency: String,
        /// The answer.
        answer: String,
        /// Whether it answered after the deadline (to be reported, Điều 14.3.c).
        late: bool,
    },
    /// A verification with the applicant scheduled (Điều 14.3.b).
    VerificationScheduled {
        /// When.
        time: DateTime<Utc>,
        /// Where.
        place: String,
        /// Who takes part.
        participants: Vec<String>,
        /// What is verified.
        content: String,
    },
    /// The handling step asked for an extension (Phiếu đề nghị gia hạn).
    ExtensionRequested {
        /// Why.
        reason: String,
        /// Extra time asked, if given as a duration.
        extra: Option<String>,
        /// New appointment asked, if given as an instant.
        new_appointment: Option<DateTime<Utc>>,
    },
    /// An extension granted: the appointment moves.
    ExtensionGranted {
        /// Who approved.
        approver: String,
        /// Appointment before.
        before: DateTime<Utc>,
        /// Appointment after.
        appointment: DateTime<Utc>,
        /// The calendar version the instants were computed with (absent in events written
        /// before versions were recorded, so that their hashes still verify).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        calendar: Option<String>,
    },
    /// Apology with a new appointment (form 04), only when overdue.
    Apologised {
        /// Why it is late.
        reason: String,
        /// Appointment before.
        before: DateTime<Utc>,
        /// New appointment.
        appointment: DateTime<Utc>,
    },
    /// The applicant must pay a financial obligation; the clock pauses.
    PaymentRequested {
        /// Amount in đồng.
        amount_vnd: u64,
        /// What it is for.
        reason: String,
    },
    /// The payment was recorded; the clock resumes.
    PaymentRecorded {
        /// Amount in đồng.
        amount_vnd: u64,
        /// Working time the dossier waited.
        waited: WorkingTime,
        /// New current appointment.
        appointment: DateTime<Utc>,
        /// New legal appointment.
        original_appointment: DateTime<Utc>,
        /// New due of the current step.
        step_due: DateTime<Utc>,
        /// The calendar version the instants were computed with (absent in events written
        /// before versions were recorded, so that their hashes still verify).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        calendar: Option<String>,
    },
    /// The applicant asked to withdraw.
    WithdrawalRequested {
        /// Why.
        reason: String,
    },
    /// An officer confirmed the withdrawal; the dossier is closed.
    Withdrawn,
    /// Processing stopped with a notice; the dossier is closed.
    Stopped {
        /// Why.
        reason: String,
    },
    /// Processing finished; the result waits at the desk.
    ProcessingFinished {
        /// Granted or rejected.
        outcome: Outcome,
        /// How the last step did against its allowance.
        result: Timeliness,
    },
    /// The result was returned to the applicant; the dossier is closed.
    ResultReturned {
        /// Against the original appointment.
        timeliness: Timeliness,
    },
    /// The applicant rated the service.
    Rated {
        /// 1 (very dissatisfied) to 5 (very satisfied).
        score: u8,
        /// Comment.
        comment: String,
        /// The Circular 01/2018 indicators the applicant answered (absent when none, so that
        /// the hashes of earlier ratings still verify).
        #[serde(default, skip_serializing_if = "RatingIndicators::is_empty")]
        indicators: RatingIndicators,
    },
    /// The applicant asked for the result to be sent by public post.
    PostalDeliveryRequested {
        /// Where to.
        delivery: PostalDelivery,
    },
    /// The applicant or staff are to be told something: a notice the law requires, or one a
    /// procedure's script asked for.
    Notified {
        /// The notification.
        notification: Notification,
    },
    /// Something to look at (e.g. a late supplement request).
    Flagged {
        /// The flag.
        flag: String,
    },
    /// A change of calendar came into force for the dossier: the deadlines it concerns moved
    /// (docs/calendar.md, "Calendar changes and deadlines in flight").
    DeadlinesReprojected {
        /// The calendar version the deadlines were computed with (absent: computed before
        /// versions were recorded).
        calendar_before: Option<String>,
        /// The calendar version now in force for the dossier.
        calendar_after: String,
        /// The instant the change counts from: working time before it stays as counted.
        effective_at: DateTime<Utc>,
        /// Each deadline that moved.
        moved: Vec<MovedDeadline>,
        /// The days that differ between the two calendars, one line each
        /// (`2026-12-24: nghỉ, Nghỉ lễ địa phương (Quyết định 12/QĐ-UBND)`).
        because: Vec<String>,
    },
    /// The dossier was moved on purpose to a new version of its procedure
    /// ([`crate::dossier::migrate`]).
    ProcedureMigrated {
        /// The version it followed.
        from_version: String,
        /// The version it follows now.
        to_version: String,
        /// The mapping of old steps to new ones the administrator gave.
        mapping: BTreeMap<String, String>,
        /// Its current step under the new version, if it has one.
        step: Option<String>,
        /// The current step's new due, when it moved.
        step_due: Option<DateTime<Utc>>,
        /// The new appointment, when it moved.
        appointment: Option<DateTime<Utc>>,
        /// The new legal appointment, when it moved.
        original_appointment: Option<DateTime<Utc>>,
        /// The calendar version the instants were computed with.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        calendar: Option<String>,
    },
}

/// A deadline of a dossier that a change of calendar can move.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "deadline", rename_all = "kebab-case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = DossierDeadline))]
pub enum Deadline {
    /// When an online dossier must be accepted or returned (8 working hours).
    IntakeDue,
    /// The appointment currently promised.
    Appointment,
    /// The appointment results are classified against.
    OriginalAppointment,
    /// The due of the current step of the internal workflow.
    StepDue {
        /// The step.
        step: String,
    },
    /// A consultation's answer deadline.
    ConsultationDeadline {
        /// The consultation.
        id: String,
    },
}

impl Event {
    /// The calendar version the event's instants were computed with, if it computed any and
    /// recorded it.
    pub fn calendar(&self) -> Option<&str> {
        match self {
            Event::Submitted { calendar, .. }
            | Event::Resubmitted { calendar, .. }
            | Event::Accepted { calendar, .. }
            | Event::HandedOver { calendar, .. }
            | Event::SupplementReceived { calendar, .. }
            | Event::PaymentRecorded { calendar, .. }
            | Event::ExtensionGranted { calendar, .. }
            | Event::ProcedureMigrated { calendar, .. } => calendar.as_deref(),
            Event::DeadlinesReprojected { calendar_after, .. } => Some(calendar_after),
            _ => None,
        }
    }
}

impl Deadline {
    /// How the deadline is called, in Vietnamese.
    pub fn label_vi(&self) -> String {
        match self {
            Deadline::IntakeDue => "Hạn tiếp nhận hồ sơ trực tuyến".into(),
            Deadline::Appointment => "Ngày hẹn trả kết quả".into(),
            Deadline::OriginalAppointment => "Hạn giải quyết theo quy định".into(),
            Deadline::StepDue { step } => format!("Hạn của bước {step}"),
            Deadline::ConsultationDeadline { id } => format!("Hạn trả lời lấy ý kiến {id}"),
        }
    }
}

/// One deadline moved by a change of calendar.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MovedDeadline {
    /// Which.
    pub deadline: Deadline,
    /// Under the calendar before.
    pub before: DateTime<Utc>,
    /// Under the calendar now in force.
    pub after: DateTime<Utc>,
}

/// An event as stored: numbered, timed, attributed and chained.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordedEvent {
    /// The event format it was sealed in (1 when absent: logs written before formats were
    /// recorded per event).
    #[serde(default = "format_1")]
    pub format: u32,
    /// Position in the dossier's log, from 0.
    pub seq: u64,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// Who did it.
    pub actor: Actor,
    /// What happened.
    pub event: Event,
    /// Hash of the previous event (hex), empty for the first.
    pub prev_hash: String,
    /// SHA-256 of this event's content and `prev_hash` (hex).
    pub hash: String,
}

#[derive(Serialize)]
struct Sealed<'a> {
    format: u32,
    seq: u64,
    at: &'a DateTime<Utc>,
    actor: &'a Actor,
    event: &'a Event,
    prev_hash: &'a str,
}

fn digest(
    format: u32,
    seq: u64,
    at: &DateTime<Utc>,
    actor: &Actor,
    event: &Event,
    prev_hash: &str,
) -> String {
    let content = Sealed {
        format,
        seq,
        at,
        actor,
        event,
        prev_hash,
    };
    // serde_json of plain data (no maps with non-string keys, no floats) cannot fail, and
    // field order is fixed by the struct definitions, so the bytes are canonical.
    let bytes = serde_json::to_vec(&content).unwrap_or_default();
    let hash = Sha256::digest(&bytes);
    hash.iter().map(|b| format!("{b:02x}")).collect()
}

impl RecordedEvent {
    /// Numbers, attributes and seals an event after `prev_hash`, in [`EVENT_FORMAT`]. Only
    /// the engine seals events (in `execute`): a dossier takes an event only when it is the
    /// next link of its chain.
    pub(crate) fn seal(
        seq: u64,
        at: DateTime<Utc>,
        actor: Actor,
        event: Event,
        prev_hash: String,
    ) -> RecordedEvent {
        let hash = digest(EVENT_FORMAT, seq, &at, &actor, &event, &prev_hash);
        RecordedEvent {
            format: EVENT_FORMAT,
            seq,
            at,
            actor,
            event,
            prev_hash,
            hash,
        }
    }

    /// Whether the stored hash matches the content.
    pub fn is_intact(&self) -> bool {
        digest(
            self.format,
            self.seq,
            &self.at,
            &self.actor,
            &self.event,
            &self.prev_hash,
        ) == self.hash
    }
}

/// The first problem found in an event log.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChainError {
    /// An event's content no longer matches its hash.
    #[error("event {index} (seq {seq}) was altered: its content does not match its hash")]
    Altered {
        /// Position in the given slice.
        index: usize,
        /// Its sequence number.
        seq: u64,
    },
    /// An event is missing before this one.
    #[error("event(s) missing before position {index}: expected seq {expected}, found {found}")]
    Missing {
        /// Position in the given slice.
        index: usize,
        /// The sequence number that should be there.
        expected: u64,
        /// The one that is.
        found: u64,
    },
    /// Events are out of order at this position.
    #[error("events out of order at position {index}: seq {found} after seq {previous}")]
    Reordered {
        /// Position in the given slice.
        index: usize,
        /// The sequence number before.
        previous: u64,
        /// The one found.
        found: u64,
    },
    /// An event sealed in a format this build does not know (written by a newer motcua).
    #[error(
        "event {index} (seq {seq}) is in event format {format}; this build reads formats 1 to {EVENT_FORMAT}"
    )]
    UnknownFormat {
        /// Position in the given slice.
        index: usize,
        /// Its sequence number.
        seq: u64,
        /// Its format.
        format: u32,
    },
    /// The link to the previous event is broken (an event was replaced or removed).
    #[error(
        "the chain is broken at position {index} (seq {seq}): it does not follow the previous event"
    )]
    Broken {
        /// Position in the given slice.
        index: usize,
        /// Its sequence number.
        seq: u64,
    },
}

/// Checks a dossier's whole log and reports the first altered, missing or reordered event.
pub fn verify(events: &[RecordedEvent]) -> Result<(), ChainError> {
    let mut prev_hash = "";
    let mut prev_seq: Option<u64> = None;
    for (index, e) in events.iter().enumerate() {
        let expected = prev_seq.map_or(0, |s| s + 1);
        if e.seq != expected {
            return Err(match prev_seq {
                Some(p) if e.seq <= p => ChainError::Reordered {
                    index,
                    previous: p,
                    found: e.seq,
                },
                _ if e.seq > expected => ChainError::Missing {
                    index,
                    expected,
                    found: e.seq,
                },
                _ => ChainError::Reordered {
                    index,
                    previous: expected,
                    found: e.seq,
                },
            });
        }
        if !(1..=EVENT_FORMAT).contains(&e.format) {
            return Err(ChainError::UnknownFormat {
                index,
                seq: e.seq,
                format: e.format,
            });
        }
        if !e.is_intact() {
            return Err(ChainError::Altered { index, seq: e.seq });
        }
        if e.prev_hash != prev_hash {
            return Err(ChainError::Broken { index, seq: e.seq });
        }
        prev_hash = &e.hash;
        prev_seq = Some(e.seq);
    }
    Ok(())
}
