//! The public catalogue: agencies, procedures (list, search, detail), the public lookup of a
//! dossier by its code, the working calendar and deadlines. Nobody needs to log in.

use chrono::{DateTime, NaiveTime, Utc};
use motcua_core::calendar::{Duration, Timeliness, YearReport, to_local_rfc3339};
use motcua_core::dossier::{DossierCode, State};
use motcua_core::procedure::{Catalogue, Component, FormField, Procedure, ServiceLevel};
use motcua_core::text::fold;
use motcua_store::{Agency, StoreError};
use serde::Serialize;

use super::{AppError, Code};
use crate::AppState;

/// Levels of agencies, as written in APIs.
pub const LEVELS: [&str; 3] = ["province", "district", "commune"];

/// Agencies, optionally of one level.
pub async fn agencies(app: &AppState, level: Option<&str>) -> Result<Vec<Agency>, AppError> {
    if let Some(l) = level
        && !LEVELS.contains(&l)
    {
        return Err(AppError::new(Code::InvalidLevel));
    }
    let config = app.config().await?;
    Ok(config
        .directory
        .all()
        .into_iter()
        .filter(|a| level.is_none_or(|l| a.level == l))
        .cloned()
        .collect())
}

/// What the catalogue can be filtered by.
#[derive(Clone, Debug, Default)]
pub struct CatalogueQuery {
    /// Words of the name or the code, without regard to diacritics or case.
    pub text: Option<String>,
    /// The field (lĩnh vực).
    pub field: Option<String>,
    /// The agency level.
    pub level: Option<String>,
    /// The agency: only what it handles.
    pub agency: Option<String>,
    /// A legacy service level (1–4) or an online scheme (full, partial, none).
    pub service_level: Option<String>,
}

/// A procedure as the catalogue lists it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ProcedureItem {
    /// National code.
    pub code: String,
    /// Version.
    pub version: String,
    /// Name.
    pub name: String,
    /// Field.
    pub field: String,
    /// Levels that handle it.
    pub agency_levels: Vec<motcua_core::procedure::AgencyLevel>,
    /// Service level in both schemes.
    pub service_level: ServiceLevel,
    /// Time limit (`15wd`).
    pub time_limit: String,
}

impl ProcedureItem {
    fn of(p: &Procedure) -> ProcedureItem {
        ProcedureItem {
            code: p.catalogue.code.clone(),
            version: p.catalogue.version.to_string(),
            name: p.catalogue.name.clone(),
            field: p.catalogue.field.clone(),
            agency_levels: p.catalogue.agency_levels.clone(),
            service_level: p.catalogue.service_level.clone(),
            time_limit: p.catalogue.time_limit.to_string(),
        }
    }
}

/// The catalogue, newest version of each procedure, by code. With an agency, what that
/// agency handles (procedures are assigned to agencies).
pub async fn procedures(
    app: &AppState,
    q: &CatalogueQuery,
) -> Result<Vec<ProcedureItem>, AppError> {
    let config = app.config().await?;
    if let Some(l) = &q.level
        && !LEVELS.contains(&l.as_str())
    {
        return Err(AppError::new(Code::InvalidLevel));
    }
    if let Some(v) = &q.service_level
        && !["1", "2", "3", "4", "full", "partial", "none"].contains(&v.as_str())
    {
        return Err(AppError::new(Code::InvalidServiceLevel));
    }
    if let Some(a) = &q.agency
        && config.directory.get(a).is_none()
    {
        return Err(AppError::new(Code::UnknownAgency));
    }
    let needle = q.text.as_deref().map(fold).filter(|n| !n.trim().is_empty());
    let field = q.field.as_deref().map(fold);
    Ok(config
        .latest()
        .into_iter()
        .filter(|p| {
            needle.as_ref().is_none_or(|n| {
                fold(&p.catalogue.name).contains(n.trim())
                    || fold(&p.catalogue.code).contains(n.trim())
            })
        })
        .filter(|p| {
            field
                .as_ref()
                .is_none_or(|f| fold(&p.catalogue.field) == *f)
        })
        .filter(|p| {
            q.level
                .as_ref()
                .is_none_or(|l| p.catalogue.agency_levels.iter().any(|a| a.as_str() == l))
        })
        .filter(|p| {
            q.agency
                .as_ref()
                .is_none_or(|a| config.handles(a, &p.catalogue.code))
        })
        .filter(|p| {
            q.service_level.as_ref().is_none_or(|want| {
                let sl = &p.catalogue.service_level;
                *want == sl.legacy.to_string() || *want == sl.online
            })
        })
        .map(ProcedureItem::of)
        .collect())
}

/// A step of a procedure's workflow as the public sees it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct StepView {
    /// Identifier.
    pub id: String,
    /// Name.
    pub name: String,
    /// Who handles it.
    pub role: motcua_core::procedure::Role,
    /// Its time allowance.
    pub allowance: String,
}

/// Everything the catalogue publishes about a procedure (DOMAIN.md §3).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ProcedureDetail {
    /// The catalogue fields.
    pub catalogue: Catalogue,
    /// Time limit (`15wd`).
    pub time_limit: String,
    /// Components.
    pub components: Vec<Component>,
    /// Fields of the application form.
    pub form_fields: Vec<FormField>,
    /// The workflow.
    pub steps: Vec<StepView>,
    /// Agencies that receive and handle it.
    pub agencies: Vec<Agency>,
    /// Whether it can be submitted online (service level 3 or 4, or an online scheme).
    pub online: bool,
}

/// Whether a procedure can be submitted online.
pub fn online(p: &Procedure) -> bool {
    p.accepts_online()
}

/// A procedure's newest version, in full.
pub async fn procedure(app: &AppState, code: &str) -> Result<ProcedureDetail, AppError> {
    let config = app.config().await?;
    let p = config
        .latest_of(code)
        .ok_or_else(|| AppError::not_found(format!("Không có thủ tục mã {code}.")))?;
    Ok(ProcedureDetail {
        catalogue: p.catalogue.clone(),
        time_limit: p.catalogue.time_limit.to_string(),
        components: p.components.clone(),
        form_fields: p.form_fields.clone(),
        steps: p
            .steps
            .iter()
            .map(|st| StepView {
                id: st.id.clone(),
                name: st.name.clone(),
                role: st.role,
                allowance: st.allowance.to_string(),
            })
            .collect(),
        agencies: config
            .agencies_of(code)
            .into_iter()
            .filter_map(|a| config.directory.get(a).cloned())
            .collect(),
        online: online(p),
    })
}

/// The public lookup (Điều 17): status only, no personal data.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Lookup {
    /// The dossier code.
    pub code: String,
    /// Procedure code.
    pub procedure: String,
    /// Procedure name.
    pub procedure_name: Option<String>,
    /// Internal state.
    pub state: State,
    /// The state, in Vietnamese.
    pub state_vi: &'static str,
    /// National status code.
    pub national_status: i64,
    /// Accepted at (local RFC 3339).
    pub accepted_at: Option<String>,
    /// Current appointment (local RFC 3339).
    pub appointment: Option<String>,
    /// The step it is at, while open.
    pub current_step: Option<String>,
    /// Early / on time / late, once returned.
    pub returned: Option<Timeliness>,
}

/// Looks a dossier up by its code.
pub async fn lookup(app: &AppState, code: &str) -> Result<Lookup, AppError> {
    if DossierCode::parse(code).is_err() {
        // Written as a code is written, but no code can be so (a day that does not exist, a
        // sequence of 0): there is no such dossier.
        return Err(if shaped_like_a_code(code) {
            AppError::not_found("Không tìm thấy hồ sơ có mã này.")
        } else {
            AppError::new(Code::InvalidCode)
        });
    }
    // Columns only, no dossier body: the hot public path.
    let d = app.store.public_status(code).await.map_err(|e| match e {
        StoreError::NotFound(_) => AppError::not_found("Không tìm thấy hồ sơ có mã này."),
        other => other.into(),
    })?;
    let config = app.config().await?;
    let p = config.version_of(&d.procedure, &d.procedure_version);
    let step_name = p
        .and_then(|p| d.step.as_deref().and_then(|st| p.step(st)))
        .map(|st| st.name.clone());
    Ok(Lookup {
        code: code.to_string(),
        procedure_name: p.map(|p| p.catalogue.name.clone()),
        procedure: d.procedure,
        state: d.state,
        state_vi: d.state.label_vi(),
        national_status: d.national_status,
        accepted_at: d.accepted_at.map(to_local_rfc3339),
        appointment: d.appointment.map(to_local_rfc3339),
        current_step: if d.state.is_closed() { None } else { step_name },
        returned: d.timeliness,
    })
}

/// Whether `code` has the shape of a dossier code: an agency identifier, six digits and
/// four digits, separated by hyphens.
fn shaped_like_a_code(code: &str) -> bool {
    let mut parts = code.split('-');
    let (Some(agency), Some(day), Some(n), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    motcua_core::dossier::AgencyId::parse(agency).is_ok()
        && day.len() == 6
        && day.bytes().all(|b| b.is_ascii_digit())
        && n.len() == 4
        && n.bytes().all(|b| b.is_ascii_digit())
}

/// How many dossiers each procedure has had, most first. The count reads every dossier, so
/// it is never made while a request waits: a request answers the last count (none at
/// first) and, when that is ten minutes old, starts a new one in the background.
pub async fn most_used(app: &AppState) -> Result<Vec<(String, i64)>, AppError> {
    const EVERY: std::time::Duration = std::time::Duration::from_secs(600);
    let (held, stale) = match app.usage.lock() {
        Ok(mut usage) => {
            let stale = usage.0.is_none_or(|at| at.elapsed() >= EVERY);
            if stale {
                // Whoever finds it stale starts the count; the others keep answering.
                usage.0 = Some(std::time::Instant::now());
            }
            (usage.1.clone(), stale)
        }
        Err(_) => (Vec::new(), false),
    };
    if stale {
        let (store, usage) = (app.store.clone(), app.usage.clone());
        tokio::spawn(async move {
            match store.procedure_counts().await {
                Ok(counts) => {
                    if let Ok(mut u) = usage.lock() {
                        u.1 = counts;
                    }
                }
                Err(e) => tracing::warn!(error = %e, "cannot count dossiers per procedure"),
            }
        });
    }
    Ok(held)
}

/// A year of the working calendar.
pub async fn calendar_year(app: &AppState, year: &str) -> Result<YearReport, AppError> {
    let year: i32 = year.parse().map_err(|_| AppError::new(Code::InvalidYear))?;
    app.config()
        .await?
        .calendar
        .year_report(year)
        .map_err(|_| AppError::new(Code::YearOutOfRange))
}

/// A deadline and where its count starts.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Deadline {
    /// The due instant (local RFC 3339).
    pub due: String,
    /// Where the count starts (local RFC 3339).
    pub counting_start: String,
    /// Years whose holidays are proposed, not announced, that the count crossed.
    pub proposed_years: Vec<i32>,
}

/// The deadline `add` after `from`, with an optional cut-off time for paper dossiers.
pub async fn deadline(
    app: &AppState,
    from: &str,
    add: &str,
    cutoff: Option<&str>,
) -> Result<Deadline, AppError> {
    let from = DateTime::parse_from_rfc3339(from)
        .map_err(|_| AppError::new(Code::InvalidInstant))?
        .to_utc();
    let add: Duration = add
        .parse()
        .map_err(|_| AppError::new(Code::InvalidDuration))?;
    let cutoff = match cutoff {
        Some(c) => Some(
            NaiveTime::parse_from_str(c, "%H:%M")
                .map_err(|_| AppError::new(Code::InvalidCutoff))?,
        ),
        None => None,
    };
    let out_of_range = |_| AppError::new(Code::OutOfRange);
    let config = app.config().await?;
    let calendar = &config.calendar;
    let start: DateTime<Utc> = calendar
        .counting_start(from, cutoff)
        .map_err(out_of_range)?;
    let due = calendar.due(start, add).map_err(out_of_range)?;
    let explanation = calendar.explain(start, add).map_err(out_of_range)?;
    Ok(Deadline {
        due: to_local_rfc3339(due),
        counting_start: to_local_rfc3339(start),
        proposed_years: explanation.days.proposed_years,
    })
}
