//! Commands: what actors ask the engine to do to a dossier.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::{Applicant, Attachment, Channel, ComponentFile, Outcome, RatingIndicators};
use crate::calendar::Duration;

/// A request to change a dossier. `decide` checks it against the actor, the state, the
/// current step and the procedure's rules, and answers with events or a refusal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "kebab-case", deny_unknown_fields)]
#[non_exhaustive]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Command {
    /// Submit a dossier (applicant online; reception officer at the desk or by post).
    Submit {
        /// Direct, post or online.
        channel: Channel,
        /// Who applies.
        applicant: Applicant,
        /// The applicant's account when a reception officer registers for them.
        #[serde(default)]
        owner: Option<String>,
        /// Form data.
        #[serde(default)]
        form: BTreeMap<String, String>,
        /// Components supplied (names from the procedure).
        #[serde(default)]
        components: Vec<String>,
        /// Files for components, stored with the submission.
        #[serde(default)]
        files: Vec<ComponentFile>,
    },
    /// The applicant completes an online dossier that was returned for completion and sends
    /// it again: the fields and files given are added to what was sent before.
    Resubmit {
        /// Form fields to add or change.
        #[serde(default)]
        form: BTreeMap<String, String>,
        /// Components now supplied.
        #[serde(default)]
        components: Vec<String>,
        /// Files now supplied.
        #[serde(default)]
        files: Vec<ComponentFile>,
    },
    /// Return before acceptance: incomplete (form 02).
    ReturnForCompletion {
        /// What is missing.
        missing: Vec<String>,
        /// Guidance.
        #[serde(default)]
        note: String,
    },
    /// Refuse at intake (form 03).
    Refuse {
        /// Why.
        reason: String,
    },
    /// Accept: assigns the dossier code from the day's sequence the caller supplies.
    Accept {
        /// The agency's next sequence number for the local acceptance date (the store and
        /// the scenario runner allocate it when it is 0 or absent).
        #[serde(default)]
        sequence: u32,
    },
    /// Hand over to the next step (optionally to a named officer).
    Forward {
        /// The next step.
        to: String,
        /// A named officer there.
        #[serde(default)]
        assignee: Option<String>,
    },
    /// Assign to a named officer within the current step.
    Assign {
        /// The officer.
        officer: String,
    },
    /// Attach a draft result.
    AttachDraft {
        /// The file.
        attachment: Attachment,
    },
    /// Send back to an earlier step with written instructions.
    SendBack {
        /// The earlier step.
        to: String,
        /// What to do.
        instructions: String,
    },
    /// Approve the draft and pass it on.
    Approve {
        /// The next step.
        to: String,
    },
    /// The clerk attaches the signed result.
    AttachSignedResult {
        /// The signed PDF.
        attachment: Attachment,
    },
    /// Ask the applicant to supplement the dossier.
    RequestSupplement {
        /// Why.
        reason: String,
        /// What to supply.
        items: Vec<String>,
        /// Whether the need is the applicant's fault (allows more rounds).
        #[serde(default)]
        applicant_fault: bool,
    },
    /// The supplement arrived.
    ReceiveSupplement {
        /// What came.
        #[serde(default)]
        items: Vec<String>,
        /// Files that came, stored with the supplement.
        #[serde(default)]
        files: Vec<ComponentFile>,
    },
    /// Consult other agencies.
    OpenConsultation {
        /// An identifier within the dossier.
        id: String,
        /// Agencies consulted.
        agencies: Vec<String>,
        /// What is asked.
        content: String,
        /// Answer deadline.
        deadline: DateTime<Utc>,
    },
    /// Record a consulted agency's answer.
    AnswerConsultation {
        /// Consultation id.
        id: String,
        /// The agency.
        agency: String,
        /// The answer.
        answer: String,
    },
    /// Schedule a verification with the applicant.
    ScheduleVerification {
        /// When.
        time: DateTime<Utc>,
        /// Where.
        place: String,
        /// Who takes part.
        participants: Vec<String>,
        /// What is verified.
        content: String,
    },
    /// Ask for an extension: extra time (e.g. `5wd`) or a new appointment.
    RequestExtension {
        /// Why.
        reason: String,
        /// Extra time, written `5wd` when serialized.
        #[serde(default, with = "crate::calendar::duration_text")]
        #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, pattern = r"^[0-9]+(m|wh|wd|cd)$", example = "5wd"))]
        extra: Option<Duration>,
        /// Or a new appointment.
        #[serde(default)]
        new_appointment: Option<DateTime<Utc>>,
    },
    /// Grant the pending extension (agency leader or service-center supervisor).
    GrantExtension,
    /// Apologise with a new appointment (only when overdue).
    Apologise {
        /// Why it is late.
        reason: String,
        /// The new appointment.
        new_appointment: DateTime<Utc>,
    },
    /// Ask the applicant to pay a financial obligation (e.g. land tax).
    RequestPayment {
        /// Amount in đồng.
        amount_vnd: u64,
        /// What for.
        reason: String,
    },
    /// Record the payment.
    RecordPayment,
    /// The applicant asks to withdraw.
    RequestWithdrawal {
        /// Why.
        #[serde(default)]
        reason: String,
    },
    /// An officer confirms the withdrawal.
    ConfirmWithdrawal,
    /// The applicant asks for the result to be sent by public post (Điều 9.2), or changes
    /// where to.
    RequestPostalDelivery {
        /// The delivery address.
        address: String,
        /// The phone number the postman calls.
        phone: String,
    },
    /// Stop processing with a notice.
    Stop {
        /// Why.
        reason: String,
    },
    /// Processing finished at an end step.
    MarkFinished {
        /// Granted or rejected.
        outcome: Outcome,
    },
    /// Return the result at the desk (now).
    ReturnResult,
    /// The applicant rates the service.
    Rate {
        /// 1 to 5.
        score: u8,
        /// Comment.
        #[serde(default)]
        comment: String,
        /// The Circular 01/2018 indicators the applicant answered.
        #[serde(default, skip_serializing_if = "RatingIndicators::is_empty")]
        indicators: RatingIndicators,
    },
}

impl Command {
    /// The command's name as written in scenarios and APIs.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Submit { .. } => "submit",
            Command::Resubmit { .. } => "resubmit",
            Command::ReturnForCompletion { .. } => "return-for-completion",
            Command::Refuse { .. } => "refuse",
            Command::Accept { .. } => "accept",
            Command::Forward { .. } => "forward",
            Command::Assign { .. } => "assign",
            Command::AttachDraft { .. } => "attach-draft",
            Command::SendBack { .. } => "send-back",
            Command::Approve { .. } => "approve",
            Command::AttachSignedResult { .. } => "attach-signed-result",
            Command::RequestSupplement { .. } => "request-supplement",
            Command::ReceiveSupplement { .. } => "receive-supplement",
            Command::OpenConsultation { .. } => "open-consultation",
            Command::AnswerConsultation { .. } => "answer-consultation",
            Command::ScheduleVerification { .. } => "schedule-verification",
            Command::RequestExtension { .. } => "request-extension",
            Command::GrantExtension => "grant-extension",
            Command::Apologise { .. } => "apologise",
            Command::RequestPayment { .. } => "request-payment",
            Command::RecordPayment => "record-payment",
            Command::RequestWithdrawal { .. } => "request-withdrawal",
            Command::ConfirmWithdrawal => "confirm-withdrawal",
            Command::RequestPostalDelivery { .. } => "request-postal-delivery",
            Command::Stop { .. } => "stop",
            Command::MarkFinished { .. } => "mark-finished",
            Command::ReturnResult => "return-result",
            Command::Rate { .. } => "rate",
        }
    }
}
