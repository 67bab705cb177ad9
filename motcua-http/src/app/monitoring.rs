//! Monitoring for leaders and the service center (Điều 24, 26.1): an agency and those below
//! it — dossiers by state, the overdue ones, consultations past their deadline that the
//! consulted agency has not answered (Điều 14.3.c), and the statistics table for a period.

use chrono::{DateTime, Utc};
use motcua_store::DossierSummary;

use super::reports::{self, Period, Report};
use super::{AppError, Code, Principal, policy};
use crate::AppState;

/// How many overdue dossiers and late consultations are listed, at most.
pub const LIST_LIMIT: u32 = 100;

/// A consultation past its deadline with agencies that have not answered.
#[derive(Clone, Debug)]
pub struct LateConsultation {
    pub dossier_id: String,
    pub code: Option<String>,
    /// The consulting agency.
    pub agency: String,
    /// Those that have not answered.
    pub silent: Vec<String>,
    pub content: String,
    pub deadline: DateTime<Utc>,
}

/// What the monitoring page shows.
pub struct Monitor {
    /// The agency and those below it that are counted.
    pub agencies: Vec<String>,
    /// Dossiers by internal state.
    pub by_state: Vec<(String, i64)>,
    pub overdue: Vec<DossierSummary>,
    pub late_consultations: Vec<LateConsultation>,
    pub report: Report,
}

/// The agencies whose monitoring the principal may see.
pub async fn agencies(app: &AppState, p: &Principal) -> Result<Vec<String>, AppError> {
    let config = app.config().await?;
    Ok(policy::readable_agencies(p, &config.directory))
}

/// The monitoring of `agency` and those below it over `period`.
pub async fn monitor(
    app: &AppState,
    p: &Principal,
    agency: &str,
    period: Period,
) -> Result<Monitor, AppError> {
    let config = app.config().await?;
    if config.directory.get(agency).is_none() {
        return Err(AppError::new(Code::UnknownAgency));
    }
    if !policy::may_read_agency(p, agency, &config.directory) {
        return Err(AppError::new(Code::Forbidden));
    }
    let agencies = app.store.agency_subtree(agency).await?;
    let now = app.now();
    let report = reports::statistics(app, p, agency, period).await?;
    let by_state = app.store.state_counts(&agencies).await?;
    let overdue = app.store.overdue(&agencies, now, LIST_LIMIT).await?;
    let mut late_consultations = Vec::new();
    for d in app.store.consulting(&agencies, 2000).await? {
        for c in &d.consultations {
            let silent: Vec<String> = c
                .agencies
                .iter()
                .filter(|a| !c.answers.contains_key(*a))
                .cloned()
                .collect();
            if c.deadline < now && !silent.is_empty() {
                late_consultations.push(LateConsultation {
                    dossier_id: d.id.clone(),
                    code: d.code.as_ref().map(|c| c.to_string()),
                    agency: d.agency.to_string(),
                    silent,
                    content: c.content.clone(),
                    deadline: c.deadline,
                });
            }
        }
    }
    late_consultations.sort_by_key(|c| c.deadline);
    late_consultations.truncate(LIST_LIMIT as usize);
    Ok(Monitor {
        agencies,
        by_state,
        overdue,
        late_consultations,
        report,
    })
}
