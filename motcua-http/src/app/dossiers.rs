//! Dossiers: online submission and desk registration, reading with the timeline and what
//! the reader may do now, running any engine command, an applicant's list, staff queues and
//! search, and a dossier's files.

use motcua_core::calendar::to_local_rfc3339;
use motcua_core::dossier::{
    AgencyId, Applicant, Attachment, Available, Channel, Command, ComponentFile, Ctx, Dossier,
    RecordedEvent, State,
};
use motcua_core::procedure::Procedure;
use motcua_store::{DossierSummary, ExecuteRequest, NewAttachment, QueueFilter, StoreError};
use serde::Serialize;
use std::collections::BTreeMap;

use super::config::Config;
use super::{AppError, Code, Principal, policy};
use crate::AppState;

/// A file received with a request, its type already read from its content.
#[derive(Clone, Debug)]
pub struct Upload {
    /// Its cleaned name.
    pub name: String,
    /// Its type (PDF, JPEG or PNG).
    pub content_type: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// Component files for a command, and the bytes to store with it.
pub fn component_files(uploads: Vec<(String, Upload)>) -> (Vec<ComponentFile>, Vec<NewAttachment>) {
    uploads
        .into_iter()
        .map(|(component, u)| {
            (
                ComponentFile {
                    component,
                    attachment: Attachment {
                        name: u.name,
                        sha256: motcua_store::sha256_hex(&u.bytes),
                    },
                },
                NewAttachment {
                    bytes: u.bytes,
                    content_type: u.content_type,
                },
            )
        })
        .unzip()
}

/// What a submission says.
#[derive(Clone, Debug, Default)]
pub struct SubmitRequest {
    /// The dossier's id when the caller chose it (a draft's); a new one otherwise.
    pub id: Option<String>,
    /// The procedure's code (its newest version is followed).
    pub procedure: String,
    /// The receiving agency; the site's when absent.
    pub agency: Option<String>,
    /// Who applies.
    pub applicant: Applicant,
    /// The application form.
    pub form: BTreeMap<String, String>,
    /// Components supplied on paper (names).
    pub components: Vec<String>,
    /// Files already stored (a draft's), besides those uploaded with the request.
    pub files: Vec<ComponentFile>,
    /// `direct` or `post` when staff register a paper dossier; online for applicants.
    pub channel: Option<Channel>,
    /// The applicant's account, when staff register for them.
    pub owner: Option<String>,
}

/// A new dossier.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Submitted {
    /// Its identifier (its code comes with acceptance).
    pub id: String,
    /// When an online dossier must be accepted or returned (local RFC 3339).
    pub intake_due: Option<String>,
    /// Its version.
    pub version: u64,
}

/// The dossier if the principal may see it; anyone else is told it does not exist, so that
/// ids of other people's dossiers cannot be probed.
pub async fn visible(app: &AppState, p: &Principal, id: &str) -> Result<Dossier, AppError> {
    let hidden = || AppError::not_found("Không tìm thấy hồ sơ.");
    let d = match app.store.dossier(id).await {
        Ok(d) => d,
        Err(StoreError::NotFound(_)) => return Err(hidden()),
        Err(e) => return Err(e.into()),
    };
    let config = app.config().await?;
    if policy::may_read_dossier(p, d.owner.as_deref(), &d.agency, &config.directory) {
        Ok(d)
    } else {
        Err(hidden())
    }
}

fn procedure_of<'a>(config: &'a Config, d: &Dossier) -> Result<&'a Procedure, AppError> {
    config
        .version_of(&d.procedure, &d.procedure_version)
        .ok_or_else(|| {
            tracing::error!(
                code = %d.procedure,
                version = %d.procedure_version,
                "a stored dossier names a procedure version that is not loaded"
            );
            AppError::new(Code::Internal)
        })
}

/// Submits online (an applicant) or registers a paper dossier (a reception officer), with
/// the files of its components, in one transaction. The channel rule and what an online
/// dossier must carry are the engine's; which agency handles the procedure is the
/// configuration's.
pub async fn submit(
    app: &AppState,
    p: &Principal,
    tenant: Option<&str>,
    req: SubmitRequest,
    uploads: Vec<(String, Upload)>,
) -> Result<Submitted, AppError> {
    let agency = req
        .agency
        .or(tenant.map(str::to_string))
        .ok_or_else(|| AppError::new(Code::MissingAgency))?;
    let config = app.config().await?;
    if config.directory.get(&agency).is_none() {
        return Err(AppError::new(Code::UnknownAgency));
    }
    let agency = AgencyId::parse(&agency).map_err(|_| AppError::new(Code::UnknownAgency))?;
    let procedure = config
        .latest_of(&req.procedure)
        .ok_or_else(|| AppError::new(Code::UnknownProcedure))?;
    if !config.handles(&agency, &req.procedure) {
        let name = config
            .directory
            .get(&agency)
            .map_or(agency.as_str(), |a| a.name.as_str());
        return Err(AppError::with(
            Code::NotHandledHere,
            format!(
                "{name} không tiếp nhận thủ tục “{}”.",
                procedure.catalogue.name
            ),
        ));
    }
    // Applicants submit online; staff name the channel (the engine refuses anything else).
    let channel = req.channel.unwrap_or(Channel::Online);
    let now = app.now();
    if channel == Channel::Online
        && p.is_applicant()
        && !crate::throttle::submission_allowed(&app.store, &p.user.id, now).await?
    {
        return Err(AppError::with(
            Code::TooManySubmissions,
            format!(
                "Mỗi tài khoản nộp tối đa {} hồ sơ trực tuyến trong một giờ; vui lòng thử lại sau.",
                crate::throttle::SUBMISSIONS_PER_HOUR
            ),
        ));
    }
    let (uploaded, attachments) = component_files(uploads);
    let mut files = req.files;
    files.extend(uploaded);
    let id = req.id.unwrap_or_else(|| app.ids.next("hs"));
    let actor = p.actor_at(&agency);
    let done = app
        .store
        .execute(ExecuteRequest {
            dossier_id: &id,
            agency: &agency,
            command: Command::Submit {
                channel,
                applicant: req.applicant,
                owner: req.owner,
                form: req.form,
                components: req.components,
                files,
            },
            actor: &actor,
            now,
            procedure,
            // The agency's own calendar, whose version the submission records.
            calendar: &config.calendar_for(&agency)?,
            expected_version: None,
            attachments,
        })
        .await?;
    Ok(Submitted {
        id,
        intake_due: done.dossier.intake_due.map(to_local_rfc3339),
        version: done.dossier.version,
    })
}

/// What a command changed.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct CommandDone {
    /// The events recorded.
    pub events: Vec<RecordedEvent>,
    /// The state now.
    pub state: State,
    /// The national status now.
    pub national_status: u8,
    /// The step now.
    pub step: Option<String>,
    /// The code, once accepted.
    pub code: Option<String>,
    /// The appointment (local RFC 3339).
    pub appointment: Option<String>,
    /// The version now (send it back as `expected_version`).
    pub version: u64,
}

/// Runs an engine command on a dossier the principal may see, as the principal, with the
/// files it carries, in one transaction.
pub async fn run(
    app: &AppState,
    p: &Principal,
    id: &str,
    command: Command,
    expected_version: Option<u64>,
    attachments: Vec<NewAttachment>,
) -> Result<CommandDone, AppError> {
    let d = visible(app, p, id).await?;
    let config = app.config().await?;
    let procedure = procedure_of(&config, &d)?;
    let actor = p.actor_at(&d.agency);
    // A change of calendar applied since the dossier's deadlines were computed reaches it
    // first (its own event), so that the command computes under one calendar only. The
    // version the caller saw still stands for it: the change was not the caller's to see.
    let seen = d.version;
    let (d, calendar) = super::reprojection::bring_up_to_date(app, &config, d).await?;
    let expected_version = expected_version.map(|v| if v == seen { d.version } else { v });
    let done = app
        .store
        .execute(ExecuteRequest {
            dossier_id: id,
            agency: &d.agency,
            command,
            actor: &actor,
            now: app.now(),
            procedure,
            calendar: &calendar,
            expected_version,
            attachments,
        })
        .await?;
    let d = done.dossier;
    Ok(CommandDone {
        events: done.events,
        state: d.state,
        national_status: d.national_status(),
        step: d.step.clone(),
        code: d.code.as_ref().map(ToString::to_string),
        appointment: d.clock.appointment.map(to_local_rfc3339),
        version: d.version,
    })
}

/// A dossier as its reader sees it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct DossierView {
    /// The dossier.
    pub dossier: Dossier,
    /// Its national status.
    pub national_status: u8,
    /// Its timeline.
    pub events: Vec<RecordedEvent>,
    /// What the reader may do now.
    pub available: Vec<Available>,
}

/// The commands the principal may run on `d` now.
pub fn available_to(app: &AppState, config: &Config, p: &Principal, d: &Dossier) -> Vec<Available> {
    let Some(procedure) = config.version_of(&d.procedure, &d.procedure_version) else {
        return Vec::new();
    };
    let actor = p.actor_at(&d.agency);
    let Ok(calendar) = config.calendar_for(&d.agency) else {
        return Vec::new();
    };
    motcua_core::dossier::available(
        d,
        &Ctx {
            now: app.now(),
            actor: &actor,
            procedure,
            calendar: &calendar,
        },
    )
}

/// A dossier, its timeline and what the reader may do now.
pub async fn read(app: &AppState, p: &Principal, id: &str) -> Result<DossierView, AppError> {
    let d = visible(app, p, id).await?;
    let events = app.store.events(id).await?;
    let config = app.config().await?;
    Ok(DossierView {
        national_status: d.national_status(),
        available: available_to(app, &config, p, &d),
        dossier: d,
        events,
    })
}

/// An applicant's own dossiers, newest first.
pub async fn mine(app: &AppState, p: &Principal) -> Result<Vec<DossierSummary>, AppError> {
    Ok(app.store.dossiers_of(&p.user.id, 200).await?)
}

/// Which queue to read.
#[derive(Clone, Debug, Default)]
pub struct QueueQuery {
    /// The agency; the site's where the user works, else the first where they hold a role.
    pub agency: Option<String>,
    /// Only steps of this role.
    pub role: Option<String>,
    /// Only dossiers assigned to this officer.
    pub assignee: Option<String>,
    /// Only this step.
    pub step: Option<String>,
    /// `overdue` (due before now) or `due-soon` (due within a working day).
    pub due: Option<String>,
    /// Only this procedure (code).
    pub procedure: Option<String>,
    /// Only this field.
    pub field: Option<String>,
    /// Only this channel: `direct`, `post` or `online`.
    pub channel: Option<String>,
    /// At most this many (and never more than 200, the default).
    pub limit: Option<u32>,
}

/// The most a queue answers at once.
pub const QUEUE_LIMIT: u32 = 200;

/// A staff queue, most urgent first: each dossier due at its current step (the intake due
/// while it waits for acceptance).
pub async fn queue(
    app: &AppState,
    p: &Principal,
    tenant: Option<&str>,
    q: QueueQuery,
) -> Result<Vec<DossierSummary>, AppError> {
    let config = app.config().await?;
    let agency = match q.agency {
        Some(a) => a,
        None => tenant
            .filter(|t| policy::is_staff_at(p, t))
            .map(str::to_string)
            .or_else(|| p.grants.first().map(|g| g.agency_id.clone()))
            .ok_or_else(|| AppError::forbidden("Không có quyền truy cập hồ sơ này."))?,
    };
    if !policy::may_read_agency(p, &agency, &config.directory) {
        return Err(AppError::forbidden("Không có quyền truy cập hồ sơ này."));
    }
    if q.role
        .as_deref()
        .is_some_and(|r| motcua_core::procedure::Role::parse(r).is_none())
    {
        return Err(AppError::with(
            Code::InvalidQuery,
            "Tham số role phải là một vai trò của quy trình (ví dụ reception-officer).",
        ));
    }
    if q.channel
        .as_deref()
        .is_some_and(|c| !["direct", "post", "online"].contains(&c))
    {
        return Err(AppError::with(
            Code::InvalidQuery,
            "Tham số channel là direct (trực tiếp), post (bưu chính) hoặc online (trực tuyến).",
        ));
    }
    let now = app.now();
    let due_before = match q.due.as_deref() {
        None => None,
        Some("overdue") => Some(now),
        Some("due-soon") => Some(
            config
                .calendar
                .due(now, motcua_core::calendar::Duration::working_days(1))
                .map_err(|_| AppError::new(Code::OutOfRange))?,
        ),
        Some(_) => {
            return Err(AppError::with(
                Code::InvalidQuery,
                "Tham số due là overdue (quá hạn) hoặc due-soon (đến hạn trong một ngày làm việc).",
            ));
        }
    };
    Ok(app
        .store
        .queue(&QueueFilter {
            agency,
            role: q.role,
            assignee: q.assignee,
            step: q.step,
            due_before,
            procedure: q.procedure,
            field: q.field,
            channel: q.channel,
            limit: q.limit.unwrap_or(QUEUE_LIMIT).min(QUEUE_LIMIT),
        })
        .await?)
}

/// How many of an agency's queued dossiers are overdue, due by the end of today (and not
/// overdue), due by the end of the week (and not sooner), local time; and queued in all.
pub async fn queue_counts(
    app: &AppState,
    p: &Principal,
    agency: &str,
) -> Result<(i64, i64, i64, i64), AppError> {
    use chrono::Datelike;
    let config = app.config().await?;
    if !policy::may_read_agency(p, agency, &config.directory) {
        return Err(AppError::forbidden("Không có quyền truy cập hồ sơ này."));
    }
    let now = app.now();
    let offset = chrono::TimeDelta::seconds(i64::from(motcua_core::calendar::VN_OFFSET_SECS));
    let today = (now + offset).date_naive();
    let week_end =
        today + chrono::TimeDelta::days(i64::from(7 - today.weekday().num_days_from_monday()));
    let start_of = |d: chrono::NaiveDate| d.and_time(chrono::NaiveTime::MIN).and_utc() - offset;
    let [late, by_today, by_week, all] = app
        .store
        .queue_due_counts(
            agency,
            [
                now,
                start_of(today + chrono::TimeDelta::days(1)),
                start_of(week_end),
            ],
        )
        .await?;
    Ok((late, by_today - late, by_week - by_today, all))
}

/// Staff search the dossiers of the agencies they may read (or one of them) by applicant
/// name, ID number or code, without regard to diacritics or case.
pub async fn search(
    app: &AppState,
    p: &Principal,
    text: &str,
    agency: Option<&str>,
) -> Result<Vec<DossierSummary>, AppError> {
    let text = text.trim();
    if text.chars().count() < 2 || text.chars().count() > 100 {
        return Err(AppError::with(
            Code::InvalidQuery,
            "Nhập từ 2 đến 100 ký tự để tìm (họ tên, số giấy tờ hoặc mã hồ sơ).",
        ));
    }
    let config = app.config().await?;
    let agencies: Vec<String> = match agency {
        Some(a) if policy::may_read_agency(p, a, &config.directory) => vec![a.to_string()],
        Some(_) => return Err(AppError::forbidden("Không có quyền truy cập hồ sơ này.")),
        None => policy::readable_agencies(p, &config.directory),
    };
    if agencies.is_empty() {
        return Err(AppError::forbidden("Không có quyền truy cập hồ sơ này."));
    }
    Ok(app.store.search(&agencies, text, 100).await?)
}

/// A file of a dossier the principal may see: (name, type, bytes).
pub async fn attachment(
    app: &AppState,
    p: &Principal,
    id: &str,
    sha256: &str,
) -> Result<(String, String, Vec<u8>), AppError> {
    let d = visible(app, p, id).await?;
    // An applicant sees what they sent and the signed result once processing has finished;
    // draft results are the agency's.
    let (drafts, result): (&[Attachment], Option<&Attachment>) = if p.is_staff() {
        (&d.drafts, d.signed_result.as_ref())
    } else {
        let issued = matches!(d.state, State::Finished | State::Returned);
        (&[], d.signed_result.as_ref().filter(|_| issued))
    };
    let name = drafts
        .iter()
        .chain(result)
        .chain(d.files.iter().map(|f| &f.attachment))
        .find(|a| a.sha256 == sha256)
        .map(|a| a.name.clone())
        .ok_or_else(|| AppError::not_found("Hồ sơ không có tệp này."))?;
    let (content_type, bytes) = app.store.attachment(sha256).await?;
    Ok((name, content_type, bytes))
}

/// The dossiers of `agency` whose results are to be sent by public post (Điều 9.2), for
/// its staff: those with a result waiting first.
pub async fn postal_requests(
    app: &AppState,
    p: &Principal,
    agency: &str,
) -> Result<Vec<Dossier>, AppError> {
    let config = app.config().await?;
    if !p.is_staff() || !policy::may_read_agency(p, agency, &config.directory) {
        return Err(AppError::forbidden("Không có quyền truy cập hồ sơ này."));
    }
    Ok(app.store.postal_requests(agency, 500).await?)
}
