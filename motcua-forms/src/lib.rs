//! The legal forms motcua prints, as PDF, from versioned rule packs.
//!
//! A pack (`templates/<rule pack>/pack.toml`) says which forms a circular defines, their
//! keys, numbers and titles; each form is a typst template (`templates/<key>.typ`, shared by
//! the packs whose field lists are the same) laid out from a [`FormData`] given to it as
//! JSON. Nothing about a form's number or title is in the code. The fonts (Liberation Serif,
//! SIL Open Font License) are compiled into the crate, so a server prints with nothing
//! installed and no browser.
//!
//! The crate does no I/O and reads no clock: the caller gives the data, dates already in
//! words ([`words`]), and gets the PDF's bytes.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::sync::LazyLock;

mod data;
pub mod sample;
pub mod words;
mod world;

pub use data::{
    AgencyHeader, ApplicantLines, ComponentRow, DossierLines, FormData, Letter, Refusal,
    RegisterLines, RegisterRow, SlipLine, Stop, SupplementRequest,
};

/// A form of a pack.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FormSpec {
    /// Its key, stable across packs (`receipt`, `refusal`, …): the API's and the CLI's name.
    pub key: String,
    /// Other keys the same form answers to (the 2025 apology is also the extension request).
    #[serde(default)]
    pub also: Vec<String>,
    /// Its number in the circular ("01").
    pub number: String,
    /// Its title, as the circular writes it (sentence case; printed in capitals).
    pub title: String,
    /// Its template (`templates/<template>.typ`); the key when absent.
    #[serde(default)]
    pub template: Option<String>,
    /// Whether it is addressed to the applicant (offered in their My dossiers).
    #[serde(default)]
    pub to_applicant: bool,
}

impl FormSpec {
    /// Whether `key` names this form.
    pub fn answers_to(&self, key: &str) -> bool {
        self.key == key || self.also.iter().any(|k| k == key)
    }

    fn template(&self) -> &str {
        self.template.as_deref().unwrap_or(&self.key)
    }
}

/// A pack of forms: the forms of one circular.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Pack {
    /// Its key (`tt01-2018`).
    pub key: String,
    /// The circular ("Thông tư số 01/2018/TT-VPCP").
    pub name: String,
    /// The line printed under each form's number.
    pub basis: String,
    /// The procedures' rule packs it prints for.
    pub rule_packs: Vec<String>,
    /// The first day it applies to dossiers received.
    pub in_force_from: NaiveDate,
    /// Its forms.
    pub forms: Vec<FormSpec>,
}

impl Pack {
    /// The form `key` names, if the pack has it.
    pub fn form(&self, key: &str) -> Option<&FormSpec> {
        self.forms.iter().find(|f| f.answers_to(key))
    }
}

const PACK_FILES: [(&str, &str); 2] = [
    (
        "nd61-2018",
        include_str!("../templates/nd61-2018/pack.toml"),
    ),
    (
        "nd118-2025",
        include_str!("../templates/nd118-2025/pack.toml"),
    ),
];

static PACKS: LazyLock<Vec<Pack>> = LazyLock::new(|| {
    let mut packs: Vec<Pack> = PACK_FILES
        .iter()
        .map(|(dir, text)| {
            // The packs are compiled in and checked by the tests; a broken one is a build
            // defect, not input.
            toml::from_str(text).unwrap_or_else(|e| panic!("templates/{dir}/pack.toml: {e}"))
        })
        .collect();
    packs.sort_by_key(|p| p.in_force_from);
    packs
});

/// Every pack, oldest first.
pub fn packs() -> &'static [Pack] {
    &PACKS
}

/// The pack a dossier prints with: among the packs in force on the day it was received,
/// the newest that prints for its procedure's rule pack, else the newest in force (a
/// dossier received before 1 July 2025 keeps the 2018 forms whatever its procedure says
/// now).
pub fn pack_for(rule_pack: &str, received: NaiveDate) -> &'static Pack {
    let in_force: Vec<&Pack> = PACKS
        .iter()
        .filter(|p| p.in_force_from <= received)
        .collect();
    in_force
        .iter()
        .rev()
        .find(|p| p.rule_packs.iter().any(|r| r == rule_pack))
        .or(in_force.last())
        .copied()
        .unwrap_or(&PACKS[0])
}

/// Why a form could not be printed.
#[derive(Debug, thiserror::Error)]
pub enum FormError {
    /// The pack has no such form.
    #[error("the pack {pack} has no form {key}")]
    UnknownForm {
        /// The pack.
        pack: String,
        /// The key asked for.
        key: String,
    },
    /// The data lacks what the form prints (e.g. a refusal without a reason).
    #[error("the form {key} needs the data's {section}")]
    Missing {
        /// The form.
        key: String,
        /// The missing part of [`FormData`].
        section: &'static str,
    },
    /// The typesetter failed: a defect of a template.
    #[error("typesetting {template} failed: {message}")]
    Typeset {
        /// The template.
        template: String,
        /// Typst's diagnostics.
        message: String,
    },
}

/// Renders form `key` of `pack` for `data` as a PDF. Every text is normalised to NFC first,
/// so decomposed input prints the same; the receipt's QR code carries the dossier's lookup
/// address. The output depends only on the arguments (no timestamp, a fixed identifier).
pub fn render(pack: &Pack, key: &str, data: &FormData) -> Result<Vec<u8>, FormError> {
    let spec = pack.form(key).ok_or_else(|| FormError::UnknownForm {
        pack: pack.key.clone(),
        key: key.to_string(),
    })?;
    if let Some(section) = data.missing_for(spec.template()) {
        return Err(FormError::Missing {
            key: spec.key.clone(),
            section,
        });
    }
    let json = data.to_json(pack, spec);
    let qr = data.dossier.lookup_url.as_deref().map(qr_svg);
    let ident = format!(
        "motcua-{}-{}-{}",
        pack.key,
        spec.key,
        data.dossier.code.as_deref().unwrap_or("register")
    );
    world::typeset(spec.template(), json, qr, ident).map_err(|message| FormError::Typeset {
        template: spec.template().to_string(),
        message,
    })
}

/// A QR code for `text` as SVG (medium error correction, with its quiet zone).
fn qr_svg(text: &str) -> Vec<u8> {
    use qrcode::{EcLevel, QrCode, render::svg};
    match QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M) {
        Ok(code) => code
            .render::<svg::Color<'_>>()
            .min_dimensions(200, 200)
            .build()
            .into_bytes(),
        // Only data beyond a version-40 code fails; a lookup address is far shorter, and a
        // form without its QR code still prints the address in words.
        Err(_) => br#"<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>"#.to_vec(),
    }
}
