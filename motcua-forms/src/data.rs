//! What a form prints, every value already text in Vietnamese. The templates read it as
//! `/data.json`; a missing value prints as a dotted line to fill in by hand.

use serde::Serialize;
use unicode_normalization::UnicodeNormalization;

use crate::{FormSpec, Pack};

/// The agency in the header.
#[derive(Clone, Debug, Default, Serialize)]
pub struct AgencyHeader {
    /// Its name ("UBND xã Đại Ân 2").
    pub name: String,
    /// Its parent's name, printed above it.
    pub parent: Option<String>,
    /// Address.
    pub address: Option<String>,
    /// Hotline.
    pub hotline: Option<String>,
    /// Email.
    pub email: Option<String>,
}

/// The applicant's lines.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ApplicantLines {
    /// Name.
    pub name: String,
    /// Address.
    pub address: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Email.
    pub email: Option<String>,
    /// ID number.
    pub id_number: Option<String>,
}

/// The dossier's lines.
#[derive(Clone, Debug, Default, Serialize)]
pub struct DossierLines {
    /// Its code (none before acceptance).
    pub code: Option<String>,
    /// The procedure's name (the requested matter).
    pub procedure: String,
    /// Where its rules are published.
    pub procedure_url: Option<String>,
    /// The channel in words.
    pub channel: String,
    /// Whether it was brought to the desk (the submitter signs there).
    pub at_desk: bool,
    /// Number of sets ("01").
    pub sets: String,
    /// The time limit in words.
    pub time_limit: Option<String>,
    /// When it was submitted, in words.
    pub submitted: Option<String>,
    /// When it was received (accepted), in words: "10 giờ 05 phút, ngày 02 tháng 12 năm 2026".
    pub received: Option<String>,
    /// The day it was received, in words: "02 tháng 12 năm 2026".
    pub received_date: Option<String>,
    /// The appointment now promised, in words.
    pub appointment: Option<String>,
    /// The original appointment, in words.
    pub original_appointment: Option<String>,
    /// Where the result is collected.
    pub collect_at: Option<String>,
    /// The register's entry.
    pub register_entry: Option<String>,
    /// Fees.
    pub fee: Option<String>,
    /// The public lookup address (the receipt's QR code).
    pub lookup_url: Option<String>,
}

/// A component row.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ComponentRow {
    /// Name.
    pub name: String,
    /// Originals, certified copies, photocopies: numbers, or empty.
    pub originals: String,
    /// Certified copies.
    pub certified_copies: String,
    /// Photocopies.
    pub photocopies: String,
}

/// A request to supplement or complete.
#[derive(Clone, Debug, Default, Serialize)]
pub struct SupplementRequest {
    /// The day it was asked, in words.
    pub date: String,
    /// What must be added or completed.
    pub items: Vec<String>,
    /// Why.
    pub reason: String,
}

/// A refusal.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Refusal {
    /// The specific reason.
    pub reason: String,
}

/// A letter from the head of the agency (the apology, the stop notice).
#[derive(Clone, Debug, Default, Serialize)]
pub struct Letter {
    /// Its document number, if the agency keeps one.
    pub number: Option<String>,
    /// What happened ("chưa trả kết quả … đúng hẹn").
    pub statement: String,
    /// Why.
    pub reason: String,
    /// What is promised before the new appointment.
    pub promise: String,
    /// The new appointment, in words.
    pub new_appointment: String,
    /// Who signs ("Thủ trưởng cơ quan").
    pub signer_role: String,
    /// Their name, if known.
    pub signer: Option<String>,
}

/// A stop of processing.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Stop {
    /// Since when, in words.
    pub at: String,
    /// Why.
    pub reason: String,
    /// What becomes of the dossier.
    pub then: String,
}

/// A row of the process-control slip.
#[derive(Clone, Debug, Default, Serialize)]
pub struct SlipLine {
    /// Who handed over.
    pub from: String,
    /// Who received.
    pub to: String,
    /// When handed over, in words.
    pub handed: String,
    /// When received.
    pub received: String,
    /// The step's due.
    pub due: String,
    /// Early, on time, late (empty while there).
    pub result: String,
    /// Notes.
    pub note: String,
}

/// A row of the register.
#[derive(Clone, Debug, Default, Serialize)]
pub struct RegisterRow {
    /// Code.
    pub code: String,
    /// Procedure.
    pub procedure: String,
    /// Sets.
    pub sets: String,
    /// Applicant.
    pub applicant: String,
    /// Address and phone.
    pub contact: String,
    /// Received.
    pub received: String,
    /// Appointment.
    pub appointment: String,
    /// Returned.
    pub returned: String,
    /// Channel.
    pub channel: String,
    /// Notes.
    pub note: String,
}

/// The register's period and rows.
#[derive(Clone, Debug, Default, Serialize)]
pub struct RegisterLines {
    /// First day, "01/12/2026".
    pub from: String,
    /// Last day.
    pub to: String,
    /// Rows.
    pub rows: Vec<RegisterRow>,
}

/// Everything a form may print. Sections a form does not use stay empty.
#[derive(Clone, Debug, Default, Serialize)]
pub struct FormData {
    /// The header's agency.
    pub agency: AgencyHeader,
    /// "Sóc Trăng, ngày 02 tháng 12 năm 2026".
    pub place_date: String,
    /// The dossier.
    pub dossier: DossierLines,
    /// The applicant.
    pub applicant: ApplicantLines,
    /// Components.
    pub components: Vec<ComponentRow>,
    /// The officer who received, refused or guided.
    pub officer: Option<String>,
    /// The supplement request.
    pub request: Option<SupplementRequest>,
    /// The refusal.
    pub refusal: Option<Refusal>,
    /// The letter (apology, stop notice).
    pub letter: Option<Letter>,
    /// The stop.
    pub stop: Option<Stop>,
    /// The process-control slip.
    pub slip: Vec<SlipLine>,
    /// The register.
    pub register: Option<RegisterLines>,
}

#[derive(Serialize)]
struct FormHeader<'a> {
    key: &'a str,
    number: &'a str,
    title: &'a str,
    basis: &'a str,
    pack: &'a str,
}

impl FormData {
    /// The section a template needs that the data lacks.
    pub(crate) fn missing_for(&self, template: &str) -> Option<&'static str> {
        let d = &self.dossier;
        match template {
            "receipt" if d.code.is_none() => Some("dossier.code"),
            "receipt" if d.appointment.is_none() && d.time_limit.is_none() => {
                Some("dossier.appointment")
            }
            "supplement-request" if self.request.is_none() => Some("request"),
            "refusal" if self.refusal.is_none() => Some("refusal"),
            "apology" | "stop-notice" if d.code.is_none() => Some("dossier.code"),
            "apology" if self.letter.is_none() => Some("letter"),
            "stop-notice" if self.letter.is_none() => Some("letter"),
            "stop-notice" if self.stop.is_none() => Some("stop"),
            "control-slip" if d.code.is_none() => Some("dossier.code"),
            "register" if self.register.is_none() => Some("register"),
            _ => None,
        }
    }

    /// The JSON the template reads: the data with the form's header, every string in NFC.
    pub(crate) fn to_json(&self, pack: &Pack, spec: &FormSpec) -> Vec<u8> {
        let mut value = serde_json::to_value(self).unwrap_or_default();
        if let serde_json::Value::Object(map) = &mut value {
            let header = FormHeader {
                key: &spec.key,
                number: &spec.number,
                title: &spec.title,
                basis: &pack.basis,
                pack: &pack.key,
            };
            map.insert(
                "form".into(),
                serde_json::to_value(header).unwrap_or_default(),
            );
        }
        nfc(&mut value);
        serde_json::to_vec(&value).unwrap_or_default()
    }
}

fn nfc(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::String(s) => *s = s.nfc().collect(),
        serde_json::Value::Array(a) => a.iter_mut().for_each(nfc),
        serde_json::Value::Object(m) => m.values_mut().for_each(nfc),
        _ => {}
    }
}
