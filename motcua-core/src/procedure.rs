//! Procedures: the catalogue entry and the internal workflow, loaded from a versioned TOML file.
//!
//! `Procedure::load(file_name, text)` parses and validates a procedure file and reports every
//! problem at once with its line and column (see [`Report`]). The format is documented in
//! `docs/procedure-format.md`.

mod graph;
mod load;
mod version;

pub use load::{Diagnostic, Report, Severity};
pub use version::{ProcedureVersion, VersionError};

use chrono::NaiveTime;
use serde::{Deserialize, Serialize};
use std::fmt;

use crate::calendar::Duration;
use crate::script::Script;

/// The procedure file format version this build reads.
pub const FORMAT: u32 = 1;

/// A role of a staff member within an agency (DOMAIN.md section 10).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Role {
    /// Cán bộ tiếp nhận và trả kết quả.
    ReceptionOfficer,
    /// Lãnh đạo phòng.
    DepartmentHead,
    /// Chuyên viên.
    Specialist,
    /// Lãnh đạo cơ quan.
    AgencyLeader,
    /// Văn thư.
    Clerk,
    /// Giám sát của Trung tâm Phục vụ hành chính công.
    Supervisor,
    /// Quản trị của cơ quan.
    AgencyAdmin,
    /// Quản trị hệ thống.
    SystemAdmin,
}

impl Role {
    /// Every role, for parsing and messages.
    pub const ALL: [Role; 8] = [
        Role::ReceptionOfficer,
        Role::DepartmentHead,
        Role::Specialist,
        Role::AgencyLeader,
        Role::Clerk,
        Role::Supervisor,
        Role::AgencyAdmin,
        Role::SystemAdmin,
    ];

    /// The kebab-case name used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::ReceptionOfficer => "reception-officer",
            Role::DepartmentHead => "department-head",
            Role::Specialist => "specialist",
            Role::AgencyLeader => "agency-leader",
            Role::Clerk => "clerk",
            Role::Supervisor => "supervisor",
            Role::AgencyAdmin => "agency-admin",
            Role::SystemAdmin => "system-admin",
        }
    }

    /// The Vietnamese name.
    pub fn label_vi(self) -> &'static str {
        match self {
            Role::ReceptionOfficer => "cán bộ tiếp nhận và trả kết quả",
            Role::DepartmentHead => "lãnh đạo phòng",
            Role::Specialist => "chuyên viên",
            Role::AgencyLeader => "lãnh đạo cơ quan",
            Role::Clerk => "văn thư",
            Role::Supervisor => "giám sát trung tâm",
            Role::AgencyAdmin => "quản trị cơ quan",
            Role::SystemAdmin => "quản trị hệ thống",
        }
    }

    /// Parses the kebab-case name.
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Whether this role may approve a draft result.
    pub fn can_approve(self) -> bool {
        matches!(self, Role::DepartmentHead | Role::AgencyLeader)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a workflow transition does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Action {
    /// Hand the dossier over to the next step.
    Forward,
    /// Return it to an earlier step with written instructions.
    SendBack,
    /// Approve the draft result and pass it on.
    Approve,
}

impl Action {
    /// The name used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Forward => "forward",
            Action::SendBack => "send-back",
            Action::Approve => "approve",
        }
    }

    fn parse(s: &str) -> Option<Action> {
        [Action::Forward, Action::SendBack, Action::Approve]
            .into_iter()
            .find(|a| a.as_str() == s)
    }
}

/// Agency levels (DOMAIN.md section 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum AgencyLevel {
    /// Cấp tỉnh.
    Province,
    /// Cấp huyện.
    District,
    /// Cấp xã.
    Commune,
}

impl AgencyLevel {
    /// The level as written in files and APIs: `province`, `district` or `commune`.
    pub fn as_str(self) -> &'static str {
        match self {
            AgencyLevel::Province => "province",
            AgencyLevel::District => "district",
            AgencyLevel::Commune => "commune",
        }
    }
}

/// Service level under Decree 43/2011 (1–4) and Decree 42/2022 (fully / partly online).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceLevel {
    /// 1 information, 2 downloadable forms, 3 online submission, 4 online payment and result.
    pub legacy: u8,
    /// `full` (toàn trình), `partial` (một phần) or `none`.
    pub online: String,
}

/// One dossier component (thành phần hồ sơ).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Component {
    /// Its name, Vietnamese.
    pub name: String,
    /// Number of originals (bản chính).
    #[serde(default)]
    pub originals: u32,
    /// Number of certified copies (bản sao chứng thực).
    #[serde(default)]
    pub certified_copies: u32,
    /// Number of photocopies (bản photo).
    #[serde(default)]
    pub photocopies: u32,
    /// Downloadable form, if any.
    #[serde(default)]
    pub form: Option<String>,
    /// Whether the dossier is incomplete without it.
    #[serde(default = "yes")]
    pub required: bool,
}

fn yes() -> bool {
    true
}

/// A field of the procedure's application form (tờ khai), filled in online.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FormField {
    /// The key in the dossier's form data: a-z, 0-9, `_`.
    pub key: String,
    /// The label, Vietnamese.
    pub label: String,
    /// A hint shown under the label.
    #[serde(default)]
    pub hint: String,
    /// Whether an online dossier is incomplete without it.
    #[serde(default = "yes")]
    pub required: bool,
}

/// A fee or charge (phí, lệ phí).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Fee {
    /// What it is.
    pub name: String,
    /// Amount in đồng.
    pub amount_vnd: u64,
}

/// The catalogue fields, as published by the competent authority.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Catalogue {
    /// National code (mã TTHC), e.g. `1.001193`.
    pub code: String,
    /// Version of this procedure definition, e.g. `2024.1`.
    pub version: ProcedureVersion,
    /// Official Vietnamese name.
    pub name: String,
    /// Field / sector (lĩnh vực).
    pub field: String,
    /// Levels that handle it.
    pub agency_levels: Vec<AgencyLevel>,
    /// Service level.
    pub service_level: ServiceLevel,
    /// Rule pack (legal regime): `nd61-2018` or `nd118-2025`.
    pub rule_pack: String,
    /// Processing time limit.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::calendar::Duration::schema))]
    pub time_limit: Duration,
    /// Whether the result is given immediately (no appointment slip).
    pub immediate: bool,
    /// Who may apply.
    pub applicants: String,
    /// The handling agency.
    pub handling_agency: String,
    /// The result (document type).
    pub result: String,
    /// Fees and charges.
    pub fees: Vec<Fee>,
    /// Conditions.
    pub conditions: Vec<String>,
    /// Legal basis.
    pub legal_basis: Vec<String>,
    /// How to perform it (trình tự, cách thức).
    pub steps_text: Vec<String>,
    /// Whether the workflow is the default one the catalogue import gives a procedure that
    /// came without its own (reception, specialist, leader's signature): to be replaced by
    /// the agency's real internal workflow.
    pub default_workflow: bool,
}

/// What happens to the clock when a complete supplement arrives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum SupplementPolicy {
    /// The processing time restarts from zero (Decree 61 reading).
    Restart,
    /// The clock pauses while waiting; the wait is added to the appointment.
    Pause,
}

/// Per-procedure rules of the clock.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Policy {
    /// Restart or pause on supplement.
    pub supplement: SupplementPolicy,
    /// Supplement rounds before the applicant-fault rule applies (Decree 63/2010: 2).
    pub max_supplement_rounds: u32,
    /// Extensions allowed.
    pub max_extensions: u32,
    /// Paper received at or after this local time counts from the next working day.
    pub cutoff: Option<NaiveTime>,
    /// Time to accept or return an online dossier (8 working hours).
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::calendar::Duration::schema))]
    pub intake_limit: Duration,
    /// Working days of waiting for a supplement after which the dossier is flagged.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::calendar::Duration::schema))]
    pub supplement_wait_flag: Duration,
}

/// One step of the internal workflow.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Step {
    /// Identifier, unique in the procedure.
    pub id: String,
    /// Vietnamese name.
    pub name: String,
    /// Who handles it.
    pub role: Role,
    /// Its time allowance.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::calendar::Duration::schema))]
    pub allowance: Duration,
    /// Whether processing may be marked finished at this step.
    pub end: bool,
}

/// A transition of the workflow.
#[derive(Clone, Debug)]
pub struct Transition {
    /// From step id.
    pub from: String,
    /// To step id.
    pub to: String,
    /// What it does.
    pub action: Action,
    /// A guard: must allow the transition.
    pub guard: Option<Script>,
    /// An effect: notifications to emit.
    pub effect: Option<Script>,
}

/// The three standard rules, possibly overridden by the procedure.
#[derive(Clone, Debug)]
pub struct Rules {
    /// Extension (gia hạn).
    pub extension: Script,
    /// Apology (xin lỗi và hẹn lại).
    pub apology: Script,
    /// Supplement (bổ sung).
    pub supplement: Script,
}

/// A loaded, validated procedure version.
#[derive(Clone, Debug)]
pub struct Procedure {
    /// Catalogue fields.
    pub catalogue: Catalogue,
    /// Dossier components.
    pub components: Vec<Component>,
    /// Fields of the application form.
    pub form_fields: Vec<FormField>,
    /// Clock rules.
    pub policy: Policy,
    /// Workflow steps; the first is where an accepted dossier starts.
    pub steps: Vec<Step>,
    /// Workflow transitions.
    pub transitions: Vec<Transition>,
    /// Extension, apology and supplement rules.
    pub rules: Rules,
}

impl Procedure {
    /// Loads and validates a procedure file. `file` is only used in the report.
    pub fn load(file: &str, text: &str) -> Result<(Procedure, Report), Report> {
        load::load(file, text)
    }

    /// Whether it may be submitted online: service level 3 or 4 (Decree 43/2011), or an
    /// online scheme, full or partial (Decree 42/2022).
    pub fn accepts_online(&self) -> bool {
        let sl = &self.catalogue.service_level;
        sl.legacy >= 3 || sl.online == "full" || sl.online == "partial"
    }

    /// The names of the components a dossier is incomplete without, in order.
    pub fn required_components(&self) -> Vec<String> {
        self.components
            .iter()
            .filter(|c| c.required)
            .map(|c| c.name.clone())
            .collect()
    }

    /// The step with this id.
    pub fn step(&self, id: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.id == id)
    }

    /// The first step.
    pub fn start(&self) -> &Step {
        // Loading guarantees at least one step.
        &self.steps[0]
    }

    /// The transition from `from` to `to` with `action`, if the workflow has it.
    pub fn transition(&self, from: &str, to: &str, action: Action) -> Option<&Transition> {
        self.transitions
            .iter()
            .find(|t| t.from == from && t.to == to && t.action == action)
    }

    /// The workflow as Graphviz dot.
    pub fn to_dot(&self) -> String {
        graph::to_dot(self)
    }

    /// The workflow as a Mermaid flowchart.
    pub fn to_mermaid(&self) -> String {
        graph::to_mermaid(self)
    }
}
