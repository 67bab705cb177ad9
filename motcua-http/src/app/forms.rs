//! The legal forms of a dossier (Điều 13): which pack it prints with, what each form says,
//! gathered from the dossier, its events, its procedure and its agency, and the PDF
//! (`motcua-forms`). A form exists once the dossier reached what it prints: no receipt before
//! acceptance, no refusal unless refused; asking earlier is `form_not_applicable`.

use chrono::{DateTime, NaiveDate, Utc};
use motcua_core::calendar::{Timeliness, vn_offset};
use motcua_core::dossier::{Channel, Dossier, Event, RecordedEvent};
use motcua_core::procedure::Procedure;
use motcua_forms::{
    AgencyHeader, ApplicantLines, ComponentRow, DossierLines, FormData, FormError, FormSpec,
    Letter, Pack, Refusal, RegisterLines, RegisterRow, SlipLine, Stop, SupplementRequest, words,
};
use std::collections::HashMap;

use super::config::Config;
use super::{AppError, Code, Principal, dossiers};
use crate::AppState;

/// A form offered for a dossier.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Offered {
    /// The key (`receipt`, `refusal`, …).
    pub key: String,
    /// Its number in the pack.
    pub number: String,
    /// Its title.
    pub title: String,
    /// Whether it is addressed to the applicant.
    pub to_applicant: bool,
}

/// A rendered form (or workbook).
pub struct Rendered {
    /// The file's bytes (PDF, or XLSX for the register's workbook).
    pub pdf: Vec<u8>,
    /// A file name: `<key>-<code>.pdf`.
    pub file_name: String,
}

fn local(t: DateTime<Utc>) -> chrono::NaiveDateTime {
    t.with_timezone(&vn_offset()).naive_local()
}

fn long(t: DateTime<Utc>) -> String {
    words::time_and_date(local(t))
}

fn short(t: DateTime<Utc>) -> String {
    words::short_time_and_date(local(t))
}

fn timeliness(t: Timeliness) -> &'static str {
    crate::pages::text::timeliness(t)
}

/// The day a dossier counts as received, for the choice of pack.
fn received_day(d: &Dossier) -> Option<NaiveDate> {
    d.accepted_at.or(d.submitted_at).map(|t| local(t).date())
}

/// The pack a dossier prints with.
pub fn pack_of(d: &Dossier, proc: &Procedure) -> &'static Pack {
    // The pack in force when it was received, unless it was migrated on purpose to another
    // version of its procedure: then the one in force that day, for the new version's rules.
    let received = received_day(d).unwrap_or(NaiveDate::MIN);
    let migrated = d
        .migrated_at
        .map(|t| (t + chrono::TimeDelta::hours(7)).date_naive());
    let day = migrated.map_or(received, |m| m.max(received));
    motcua_forms::pack_for(&proc.catalogue.rule_pack, day)
}

/// Which of the pack's forms apply to the dossier as it is.
fn applies(spec: &FormSpec, key: &str, d: &Dossier, events: &[RecordedEvent]) -> bool {
    let any = |f: &dyn Fn(&Event) -> bool| events.iter().any(|e| f(&e.event));
    match spec.template.as_deref().unwrap_or(&spec.key) {
        "receipt" | "control-slip" => d.code.is_some(),
        "supplement-request" => any(&|e| {
            matches!(
                e,
                Event::SupplementRequested { .. } | Event::ReturnedForCompletion { .. }
            )
        }),
        "refusal" => any(&|e| matches!(e, Event::Refused { .. })),
        "apology" if key == "extension-request" => {
            any(&|e| matches!(e, Event::ExtensionRequested { .. }))
        }
        "apology" => any(&|e| matches!(e, Event::Apologised { .. })),
        "stop-notice" => any(&|e| matches!(e, Event::Stopped { .. } | Event::Withdrawn)),
        _ => false,
    }
}

/// The forms that apply to a dossier now, in the pack's order (the register is not a
/// dossier's form). An alias is offered under its own key when it is what applies.
pub fn offered(d: &Dossier, proc: &Procedure, events: &[RecordedEvent]) -> Vec<Offered> {
    let pack = pack_of(d, proc);
    let mut out = Vec::new();
    for spec in &pack.forms {
        for key in std::iter::once(&spec.key).chain(&spec.also) {
            if applies(spec, key, d, events) {
                out.push(Offered {
                    key: key.clone(),
                    number: spec.number.clone(),
                    title: spec.title.clone(),
                    to_applicant: spec.to_applicant,
                });
            }
        }
    }
    out
}

/// The forms a dossier the principal may read can print now.
pub async fn list(app: &AppState, p: &Principal, id: &str) -> Result<Vec<Offered>, AppError> {
    let d = dossiers::visible(app, p, id).await?;
    let events = app.store.events(id).await?;
    let config = app.config().await?;
    let proc = config
        .version_of(&d.procedure, &d.procedure_version)
        .ok_or_else(|| AppError::new(Code::Internal))?;
    Ok(offered(&d, proc, &events))
}

/// The form an engine command produces, to print right after it: the receipt after an
/// acceptance, the refusal after a refusal, and so on; the process-control slip follows
/// every hand-over.
pub fn produced_by(command: &str) -> Option<&'static str> {
    Some(match command {
        "accept" => "receipt",
        "refuse" => "refusal",
        "return-for-completion" | "request-supplement" => "supplement-request",
        "apologise" => "apology",
        "request-extension" => "extension-request",
        "stop" | "confirm-withdrawal" => "stop-notice",
        "forward" | "send-back" | "approve" | "finish" | "return-result" => "control-slip",
        _ => return None,
    })
}

/// Form `key` of a dossier the principal may read, as a PDF.
pub async fn render(
    app: &AppState,
    p: &Principal,
    id: &str,
    key: &str,
) -> Result<Rendered, AppError> {
    let d = dossiers::visible(app, p, id).await?;
    render_dossier(app, d, key).await
}

async fn render_dossier(app: &AppState, d: Dossier, key: &str) -> Result<Rendered, AppError> {
    let events = app.store.events(&d.id).await?;
    let config = app.config().await?;
    let proc = config
        .version_of(&d.procedure, &d.procedure_version)
        .ok_or_else(|| AppError::new(Code::Internal))?;
    let pack = pack_of(&d, proc);
    let spec = pack.form(key).ok_or_else(|| {
        AppError::with(
            Code::UnknownForm,
            format!(
                "Bộ biểu mẫu theo {} (áp dụng cho hồ sơ này) không có biểu mẫu “{key}”.",
                pack.name
            ),
        )
    })?;
    if spec.key == "register" {
        return Err(AppError::with(
            Code::UnknownForm,
            "Sổ theo dõi hồ sơ in theo cơ quan và khoảng thời gian (/api/v1/reports/register).",
        ));
    }
    if !applies(spec, key, &d, &events) {
        return Err(AppError::new(Code::FormNotApplicable));
    }
    let names = officer_names(app, &events).await;
    let data = form_data(&config, &d, proc, &events, key, &names, app.clock.now());
    let code = d.code.as_ref().map_or(d.id.clone(), ToString::to_string);
    let pdf = typeset(pack, key, data).await?;
    Ok(Rendered {
        pdf,
        file_name: format!("{key}-{code}.pdf"),
    })
}

/// Typesets off the async threads (a form takes milliseconds of CPU).
pub(crate) async fn typeset(
    pack: &'static Pack,
    key: &str,
    data: FormData,
) -> Result<Vec<u8>, AppError> {
    let key = key.to_string();
    let done = tokio::task::spawn_blocking(move || motcua_forms::render(pack, &key, &data))
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "the form renderer panicked");
            AppError::new(Code::Internal)
        })?;
    done.map_err(|e| match e {
        FormError::UnknownForm { .. } => AppError::new(Code::UnknownForm),
        FormError::Missing { .. } => AppError::new(Code::FormNotApplicable),
        FormError::Typeset { .. } => {
            tracing::error!(error = %e, "a form template failed");
            AppError::new(Code::Internal)
        }
    })
}

/// The names of the staff who acted on the dossier, by account.
async fn officer_names(app: &AppState, events: &[RecordedEvent]) -> HashMap<String, String> {
    let mut names = HashMap::new();
    for e in events {
        if matches!(e.actor.kind, motcua_core::dossier::ActorKind::Staff { .. })
            && !names.contains_key(&e.actor.id)
            && let Ok((u, _)) = app.store.user(&e.actor.id).await
        {
            names.insert(e.actor.id.clone(), u.name);
        }
    }
    names
}

fn opt(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

fn count(n: u32) -> String {
    if n == 0 { String::new() } else { n.to_string() }
}

/// The place a document of the agency is dated at: the unit named last in its name, else
/// in its parents' names, else its name.
fn place(config: &Config, agency: &str) -> String {
    let mut id = Some(agency.to_string());
    while let Some(a) = id.as_deref().and_then(|i| config.directory.get(i)) {
        if let Some(place) = words::place_in_name(&a.name) {
            return place;
        }
        id = a.parent_id.clone();
    }
    config
        .directory
        .get(agency)
        .map_or_else(String::new, |a| a.name.clone())
}

/// Everything the forms print for this dossier; `key` chooses between the apology and the
/// extension request where one template serves both.
pub(crate) fn form_data(
    config: &Config,
    d: &Dossier,
    proc: &Procedure,
    events: &[RecordedEvent],
    key: &str,
    names: &HashMap<String, String>,
    now: DateTime<Utc>,
) -> FormData {
    let agency = config.directory.get(&d.agency);
    let parent = agency
        .and_then(|a| a.parent_id.as_deref())
        .and_then(|p| config.directory.get(p));
    let code = d.code.as_ref().map(ToString::to_string);
    let name_of = |e: &RecordedEvent| names.get(&e.actor.id).cloned();
    let last = |f: &dyn Fn(&Event) -> bool| events.iter().rev().find(|e| f(&e.event));
    let accepted = last(&|e| matches!(e, Event::Accepted { .. }));
    let today = events.last().map_or(now, |e| e.at);
    let cat = &proc.catalogue;
    let agency_name = agency.map_or_else(|| d.agency.to_string(), |a| a.name.clone());
    let supplied: Vec<&str> = d
        .components
        .iter()
        .map(String::as_str)
        .chain(d.files.iter().map(|f| f.component.as_str()))
        .collect();
    let components = proc
        .components
        .iter()
        .filter(|c| supplied.contains(&c.name.as_str()))
        .map(|c| ComponentRow {
            name: c.name.clone(),
            originals: count(c.originals),
            certified_copies: count(c.certified_copies),
            photocopies: count(c.photocopies),
        })
        .collect();
    let fee = (!cat.fees.is_empty()).then(|| {
        cat.fees
            .iter()
            .map(|f| {
                if f.amount_vnd == 0 {
                    format!("{}: miễn", f.name)
                } else {
                    format!("{}: {}", f.name, crate::pages::text::money(f.amount_vnd))
                }
            })
            .collect::<Vec<_>>()
            .join("; ")
    });
    let collect_at = match &d.postal_delivery {
        Some(p) => format!("Qua bưu chính: {}", p.address),
        None => format!("Bộ phận Một cửa, {agency_name}"),
    };
    let mut data = FormData {
        agency: AgencyHeader {
            name: agency_name.clone(),
            parent: parent.map(|a| a.name.clone()),
            address: agency.and_then(|a| a.contact.address.clone()),
            hotline: agency.and_then(|a| a.contact.hotline.clone()),
            email: agency.and_then(|a| a.contact.email.clone()),
        },
        place_date: String::new(),
        dossier: DossierLines {
            code: code.clone(),
            procedure: cat.name.clone(),
            procedure_url: agency
                .and_then(|a| a.host_names.first())
                .map(|h| format!("https://{h}/thu-tuc/{}", cat.code)),
            channel: d
                .channel
                .map_or("", crate::pages::timeline::channel_vi)
                .to_string(),
            at_desk: d.channel == Some(Channel::Direct),
            sets: "01".into(),
            time_limit: Some(crate::pages::text::time_limit(
                &cat.time_limit,
                cat.immediate,
            )),
            submitted: d.submitted_at.map(long),
            received: d.accepted_at.map(long),
            received_date: received_day(d).map(words::day_month_year),
            appointment: d.clock.appointment.map(long),
            original_appointment: d.clock.original_appointment.map(long),
            collect_at: Some(collect_at),
            register_entry: None,
            fee,
            lookup_url: code
                .as_deref()
                .and_then(|c| super::notifications::lookup_url(config, &d.agency, c)),
        },
        applicant: ApplicantLines {
            name: d.applicant.name.clone(),
            address: opt(&d.applicant.address),
            phone: opt(&d.applicant.phone),
            email: opt(&d.applicant.email),
            id_number: opt(&d.applicant.id_number),
        },
        components,
        officer: accepted.and_then(name_of),
        ..FormData::default()
    };
    let mut dated = accepted.map_or(today, |e| e.at);
    match key {
        "supplement-request" => {
            if let Some(e) = last(&|e| {
                matches!(
                    e,
                    Event::SupplementRequested { .. } | Event::ReturnedForCompletion { .. }
                )
            }) {
                let (items, reason) = match &e.event {
                    Event::SupplementRequested { items, reason, .. } => {
                        (items.clone(), reason.clone())
                    }
                    Event::ReturnedForCompletion { missing, note, .. } => {
                        (missing.clone(), note.clone())
                    }
                    _ => (Vec::new(), String::new()),
                };
                data.request = Some(SupplementRequest {
                    date: words::day_month_year(local(e.at).date()),
                    items,
                    reason,
                });
                data.officer = name_of(e);
                dated = e.at;
            }
        }
        "refusal" => {
            if let Some(e) = last(&|e| matches!(e, Event::Refused { .. })) {
                if let Event::Refused { reason, .. } = &e.event {
                    data.refusal = Some(Refusal {
                        reason: reason.clone(),
                    });
                }
                data.officer = name_of(e);
                dated = e.at;
            }
        }
        "apology" | "extension-request" => {
            let head = "Thủ trưởng cơ quan".to_string();
            if key == "extension-request" {
                if let Some(e) = last(&|e| matches!(e, Event::ExtensionRequested { .. }))
                    && let Event::ExtensionRequested {
                        reason,
                        new_appointment,
                        ..
                    } = &e.event
                {
                    data.letter = Some(Letter {
                        number: None,
                        statement:
                            "dự kiến không trả kết quả giải quyết hồ sơ cho ông/bà đúng hẹn.".into(),
                        reason: reason.clone(),
                        promise: "và đề nghị ông/bà đồng ý gia hạn thời gian giải quyết hồ sơ đến"
                            .into(),
                        new_appointment: new_appointment.map(long).unwrap_or_default(),
                        signer_role: head,
                        signer: None,
                    });
                    dated = e.at;
                }
            } else if let Some(e) = last(&|e| matches!(e, Event::Apologised { .. }))
                && let Event::Apologised {
                    reason,
                    appointment,
                    ..
                } = &e.event
            {
                data.letter = Some(Letter {
                    number: None,
                    statement: "chưa trả kết quả giải quyết hồ sơ cho ông/bà đúng hẹn.".into(),
                    reason: reason.clone(),
                    promise: "và sẽ trả kết quả giải quyết hồ sơ cho ông/bà vào".into(),
                    new_appointment: long(*appointment),
                    signer_role: head,
                    signer: None,
                });
                dated = e.at;
            }
        }
        "stop-notice" => {
            if let Some(e) = last(&|e| matches!(e, Event::Stopped { .. } | Event::Withdrawn)) {
                let (reason, then) = match &e.event {
                    Event::Stopped { reason } => (
                        reason.clone(),
                        "Ông/bà liên hệ Bộ phận Một cửa để được hướng dẫn và nhận lại hồ sơ.",
                    ),
                    _ => (
                        last(&|e| matches!(e, Event::WithdrawalRequested { .. }))
                            .and_then(|w| match &w.event {
                                Event::WithdrawalRequested { reason } => {
                                    Some(format!("Theo đề nghị rút hồ sơ của ông/bà: {reason}"))
                                }
                                _ => None,
                            })
                            .unwrap_or_else(|| "Theo đề nghị rút hồ sơ của ông/bà.".into()),
                        "Hồ sơ được trả lại cho ông/bà tại Bộ phận Một cửa.",
                    ),
                };
                data.stop = Some(Stop {
                    at: long(e.at),
                    reason,
                    then: then.into(),
                });
                data.letter = Some(Letter {
                    signer_role: "Thủ trưởng cơ quan".into(),
                    ..Letter::default()
                });
                dated = e.at;
            }
        }
        _ => {}
    }
    data.slip = slip(d, proc, events, names);
    data.place_date = words::place_date(&place(config, &d.agency), local(dated).date());
    data
}

/// The process-control slip: one row per step's stay, handed over from the step before
/// (the applicant's hands for the first), and the result handed back to the applicant.
fn slip(
    d: &Dossier,
    proc: &Procedure,
    events: &[RecordedEvent],
    names: &HashMap<String, String>,
) -> Vec<SlipLine> {
    let step_name = |id: &str| proc.step(id).map_or(id.to_string(), |s| s.name.clone());
    let who = |step: &str, assignee: &Option<String>| match assignee
        .as_ref()
        .map(|a| names.get(a).cloned().unwrap_or_else(|| a.clone()))
    {
        Some(n) => format!("{} ({n})", step_name(step)),
        None => step_name(step),
    };
    let mut rows: Vec<SlipLine> = d
        .slip
        .iter()
        .enumerate()
        .map(|(i, r)| SlipLine {
            from: if i == 0 {
                "Người nộp hồ sơ".into()
            } else {
                let prev = &d.slip[i - 1];
                who(&prev.step, &prev.assignee)
            },
            to: who(&r.step, &r.assignee),
            handed: short(r.received_at),
            received: short(r.received_at),
            due: short(r.due),
            result: r.result.map_or("Đang xử lý", timeliness).to_string(),
            note: String::new(),
        })
        .collect();
    if let Some(e) = events
        .iter()
        .rev()
        .find(|e| matches!(e.event, Event::ResultReturned { .. }))
        && let Event::ResultReturned { timeliness: t } = &e.event
    {
        rows.push(SlipLine {
            from: "Bộ phận Một cửa".into(),
            to: "Người nộp hồ sơ".into(),
            handed: short(e.at),
            received: short(e.at),
            due: d.clock.original_appointment.map(short).unwrap_or_default(),
            result: timeliness(*t).to_string(),
            note: String::new(),
        });
    }
    rows
}

/// The most rows one register prints; a longer period is refused with the advice to split it.
pub const REGISTER_ROWS: u32 = 5000;

/// The register (sổ theo dõi hồ sơ) of `agency` for a period, as PDF: every dossier it
/// accepted, in order, with the pack in force on the period's last day. For staff who may
/// read the agency's dossiers.
pub async fn register(
    app: &AppState,
    p: &Principal,
    agency: &str,
    period: super::reports::Period,
) -> Result<Rendered, AppError> {
    let (data, stem) = register_data(app, p, agency, period).await?;
    // The pack of the period's end: the register is one book, kept in the form then in force.
    let pack = motcua_forms::pack_for("", period.to);
    let pdf = typeset(pack, "register", data).await?;
    Ok(Rendered {
        pdf,
        file_name: format!("{stem}.pdf"),
    })
}

/// The register as an Excel workbook (the same rows).
pub async fn register_xlsx(
    app: &AppState,
    p: &Principal,
    agency: &str,
    period: super::reports::Period,
) -> Result<Rendered, AppError> {
    let (data, stem) = register_data(app, p, agency, period).await?;
    let register = data.register.unwrap_or_default();
    Ok(Rendered {
        pdf: super::spreadsheet::register_workbook(&data.agency.name, &register)?,
        file_name: format!("{stem}.xlsx"),
    })
}

async fn register_data(
    app: &AppState,
    p: &Principal,
    agency: &str,
    period: super::reports::Period,
) -> Result<(FormData, String), AppError> {
    let config = app.config().await?;
    let Some(a) = config.directory.get(agency) else {
        return Err(AppError::new(Code::UnknownAgency));
    };
    if !super::policy::may_read_agency(p, agency, &config.directory) {
        return Err(AppError::new(Code::Forbidden));
    }
    let (from, to) = period.instants()?;
    let dossiers = app
        .store
        .received(agency, from, to, REGISTER_ROWS + 1)
        .await?;
    if dossiers.len() > REGISTER_ROWS as usize {
        return Err(AppError::with(
            Code::TooManyItems,
            format!(
                "Sổ theo dõi in tối đa {REGISTER_ROWS} hồ sơ; hãy chọn khoảng thời gian ngắn hơn."
            ),
        ));
    }
    let parent = a.parent_id.as_deref().and_then(|p| config.directory.get(p));
    let rows = dossiers
        .iter()
        .map(|d| {
            let proc = config.version_of(&d.procedure, &d.procedure_version);
            let contact = [d.applicant.address.trim(), d.applicant.phone.trim()]
                .into_iter()
                .filter(|x| !x.is_empty())
                .collect::<Vec<_>>()
                .join(" · ");
            RegisterRow {
                code: d.code.as_ref().map(ToString::to_string).unwrap_or_default(),
                procedure: proc.map_or_else(|| d.procedure.clone(), |p| p.catalogue.name.clone()),
                sets: "01".into(),
                applicant: d.applicant.name.clone(),
                contact,
                received: d.accepted_at.map(short).unwrap_or_default(),
                appointment: d.clock.original_appointment.map(short).unwrap_or_default(),
                returned: if d.timeliness.is_some() {
                    d.closed_at.map(short).unwrap_or_default()
                } else {
                    String::new()
                },
                channel: d
                    .channel
                    .map_or("", crate::pages::timeline::channel_vi)
                    .to_string(),
                note: if d.clock.appointment != d.clock.original_appointment {
                    d.clock
                        .appointment
                        .map(|t| format!("Hẹn lại {}", short(t)))
                        .unwrap_or_default()
                } else {
                    String::new()
                },
            }
        })
        .collect();
    let data = FormData {
        agency: AgencyHeader {
            name: a.name.clone(),
            parent: parent.map(|p| p.name.clone()),
            address: a.contact.address.clone(),
            hotline: a.contact.hotline.clone(),
            email: a.contact.email.clone(),
        },
        place_date: words::place_date(&place(&config, agency), local(app.now()).date()),
        register: Some(RegisterLines {
            from: words::short_date(period.from),
            to: words::short_date(period.to),
            rows,
        }),
        ..FormData::default()
    };
    Ok((
        data,
        format!("so-theo-doi-{agency}-{}-{}", period.from, period.to),
    ))
}

/// Every pack with its forms (for `motcua form list` and the API).
pub fn packs() -> &'static [Pack] {
    motcua_forms::packs()
}

/// Form `key` of the dossier with this code, for the CLI: no principal (whoever runs it holds
/// the database).
pub async fn render_by_code(app: &AppState, code: &str, key: &str) -> Result<Rendered, AppError> {
    let d = match app.store.dossier_by_code(code).await {
        Ok(d) => d,
        Err(motcua_store::StoreError::NotFound(_)) => {
            return Err(AppError::not_found("Không tìm thấy hồ sơ."));
        }
        Err(e) => return Err(e.into()),
    };
    render_dossier(app, d, key).await
}
