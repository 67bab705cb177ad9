//! The scoring tool of Circular 01/2018 (docs/evaluation.md): a returned dossier's score,
//! each agency's score over a period from the system's data and what the service center
//! entered, and the configured thresholds and bands.

use chrono::{DateTime, Utc};
use motcua_core::evaluation::{
    self, AgencyScore, DossierScore, INDICATORS, Inputs, Level, Rules, Tally,
};
use serde::Serialize;

use super::reports::Period;
use super::{AppError, Code, Principal, dossiers, policy};
use crate::AppState;

/// One agency's evaluation over the period.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct AgencyEvaluation {
    /// The agency's identifier.
    pub agency: String,
    /// Its name.
    pub name: String,
    /// Its level.
    pub level: Level,
    /// What its data add up to.
    pub tally: Tally,
    /// What the service center entered for exactly this period (empty when nothing was).
    pub inputs: Inputs,
    /// Who entered them, and when.
    pub entered_by: Option<String>,
    /// When.
    pub entered_at: Option<DateTime<Utc>>,
    /// The score.
    pub score: AgencyScore,
}

/// The evaluation of an agency and each agency below it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct EvaluationReport {
    /// The period.
    pub period: Period,
    /// The agency asked for.
    pub agency: String,
    /// The rules applied.
    pub rules: Rules,
    /// The agency first, then those below it.
    pub agencies: Vec<AgencyEvaluation>,
}

/// A dossier's score, with the indicators' names.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct DossierEvaluation {
    /// The dossier's code.
    pub code: Option<String>,
    /// The six indicators read from the dossier, once its result is returned.
    pub score: Option<DossierScore>,
    /// The applicant's satisfaction, 1–5, when rated.
    pub satisfaction: Option<u8>,
}

fn level_of(level: &str) -> Level {
    match level {
        "province" => Level::Province,
        "district" => Level::District,
        _ => Level::Commune,
    }
}

/// The configured rules, or the defaults.
pub async fn rules(app: &AppState) -> Result<Rules, AppError> {
    match app.store.evaluation_rules().await? {
        Some(json) => serde_json::from_str(&json).map_err(|e| {
            AppError::from(motcua_store::StoreError::Integrity(format!(
                "evaluation rules: {e}"
            )))
        }),
        None => Ok(Rules::default()),
    }
}

fn invalid(problems: Vec<String>) -> AppError {
    AppError::with(Code::InvalidEvaluation, problems.join(" "))
}

/// Sets the rules: a system administrator at the top of the directory.
pub async fn set_rules(app: &AppState, p: &Principal, rules: Rules) -> Result<Rules, AppError> {
    let config = app.config().await?;
    if !policy::may_set_evaluation_rules(p, &config.directory) {
        return Err(AppError::new(Code::Forbidden));
    }
    let problems = rules.problems();
    if !problems.is_empty() {
        return Err(invalid(problems));
    }
    let json = serde_json::to_string(&rules)
        .map_err(|e| AppError::from(motcua_store::StoreError::Integrity(e.to_string())))?;
    app.store
        .put_evaluation_rules(&json, &p.user.id, app.now())
        .await?;
    Ok(rules)
}

/// Stores what the service center entered for `agency` and the period.
pub async fn enter(
    app: &AppState,
    p: &Principal,
    agency: &str,
    period: Period,
    inputs: Inputs,
) -> Result<(), AppError> {
    let config = app.config().await?;
    if config.directory.get(agency).is_none() {
        return Err(AppError::new(Code::UnknownAgency));
    }
    if !policy::may_appraise(p, agency, &config.directory) {
        return Err(AppError::new(Code::Forbidden));
    }
    let problems = inputs.problems();
    if !problems.is_empty() {
        return Err(invalid(problems));
    }
    let json = serde_json::to_string(&inputs)
        .map_err(|e| AppError::from(motcua_store::StoreError::Integrity(e.to_string())))?;
    app.store
        .put_evaluation_inputs(
            agency,
            &period.from.to_string(),
            &period.to.to_string(),
            &json,
            &p.user.id,
            app.now(),
        )
        .await?;
    Ok(())
}

/// The evaluation of `agency` and each agency below it over the period, for those who may
/// read its reports.
pub async fn report(
    app: &AppState,
    p: &Principal,
    agency: &str,
    period: Period,
) -> Result<EvaluationReport, AppError> {
    let config = app.config().await?;
    let Some(top) = config.directory.get(agency) else {
        return Err(AppError::new(Code::UnknownAgency));
    };
    if !policy::may_read_agency(p, agency, &config.directory) {
        return Err(AppError::new(Code::Forbidden));
    }
    let rules = rules(app).await?;
    let mut ids = vec![top.id.clone()];
    ids.extend(
        config
            .directory
            .all()
            .into_iter()
            .filter(|a| a.id != agency && config.directory.is_within(&a.id, agency))
            .map(|a| a.id.clone()),
    );
    let (from, to) = period.instants()?;
    let mut tallies = app
        .store
        .evaluation_tallies(&ids, from, to, app.now())
        .await?;
    let latest = config.latest();
    let mut agencies = Vec::with_capacity(ids.len());
    for id in ids {
        let a = config
            .directory
            .get(&id)
            .ok_or_else(|| AppError::new(Code::UnknownAgency))?;
        let mut tally = tallies.remove(&id).unwrap_or_default();
        for proc in latest
            .iter()
            .filter(|x| config.handles(&id, &x.catalogue.code))
        {
            tally.procedures += 1;
            if proc.accepts_online() {
                tally.procedures_online += 1;
            }
        }
        let entered = app
            .store
            .evaluation_inputs(&id, &period.from.to_string(), &period.to.to_string())
            .await?;
        let inputs: Inputs = match &entered {
            Some(e) => serde_json::from_str(&e.inputs).map_err(|e| {
                AppError::from(motcua_store::StoreError::Integrity(format!(
                    "evaluation inputs: {e}"
                )))
            })?,
            None => Inputs::default(),
        };
        let level = level_of(&a.level);
        agencies.push(AgencyEvaluation {
            score: evaluation::agency_score(level, &tally, &inputs, &rules),
            agency: id,
            name: a.name.clone(),
            level,
            tally,
            inputs,
            entered_by: entered.as_ref().map(|e| e.entered_by.clone()),
            entered_at: entered.map(|e| e.entered_at),
        });
    }
    Ok(EvaluationReport {
        period,
        agency: agency.to_string(),
        rules,
        agencies,
    })
}

/// A dossier's score, for whoever may read the dossier.
pub async fn of_dossier(
    app: &AppState,
    p: &Principal,
    id: &str,
) -> Result<DossierEvaluation, AppError> {
    let d = dossiers::visible(app, p, id).await?;
    Ok(DossierEvaluation {
        code: d.code.as_ref().map(ToString::to_string),
        score: evaluation::score(&d),
        satisfaction: d.rating,
    })
}

/// The indicators' names, in order.
pub fn names() -> &'static [&'static str; 9] {
    &INDICATORS
}

/// The report as an Excel workbook, with its file name.
pub async fn report_xlsx(
    app: &AppState,
    p: &Principal,
    agency: &str,
    period: Period,
) -> Result<(Vec<u8>, String), AppError> {
    let r = report(app, p, agency, period).await?;
    let bytes = super::spreadsheet::evaluation_workbook(&r)?;
    Ok((
        bytes,
        format!("danh-gia-{agency}-{}-{}.xlsx", period.from, period.to),
    ))
}
