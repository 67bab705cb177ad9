//! Procedure versions in flight (issue 15 §3, DOMAIN.md §3): a new version of a procedure
//! applies to dossiers received after it is published; an administrator may move the open
//! dossiers of older versions to it on purpose, with an explicit mapping of steps. First a
//! dry run (each dossier: its version, its step and the step it maps to, the deadlines that
//! move; those that cannot be migrated and why), then the migration itself, one journaled
//! event per dossier ([`motcua_core::dossier::migrate`]).

use motcua_core::dossier::migrate::{Migration, preview};
use motcua_core::dossier::{Actor, Ctx};
use motcua_core::procedure::Procedure;
use motcua_store::{MigrateRequest, Migrated};
use std::collections::BTreeMap;

use super::{AppError, Code, Principal};
use crate::AppState;

/// One open dossier in a dry run.
#[derive(Clone, Debug)]
pub struct PlannedDossier {
    /// The dossier.
    pub id: String,
    /// Its code, once accepted.
    pub code: Option<String>,
    /// The applicant's name.
    pub applicant: String,
    /// What migrating it would do, or why it cannot be migrated (Vietnamese).
    pub outcome: Result<Migration, String>,
}

/// A dry run: the version to migrate to and each open dossier of older versions.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The procedure's code.
    pub code: String,
    /// The version to migrate to.
    pub to_version: String,
    /// Each open dossier of an older version.
    pub dossiers: Vec<PlannedDossier>,
}

impl Plan {
    /// How many can be migrated.
    pub fn migratable(&self) -> usize {
        self.dossiers.iter().filter(|d| d.outcome.is_ok()).count()
    }
}

/// Reads `old=new` pairs (`tham-dinh=xem-xet`); every problem named.
pub fn parse_mapping(pairs: &[String]) -> Result<BTreeMap<String, String>, AppError> {
    let mut mapping = BTreeMap::new();
    for p in pairs {
        for pair in p
            .split([',', '\n'])
            .map(str::trim)
            .filter(|x| !x.is_empty())
        {
            let Some((old, new)) = pair.split_once('=') else {
                return Err(AppError::with(
                    Code::InvalidBody,
                    format!("“{pair}” không có dạng bước-cũ=bước-mới."),
                ));
            };
            let (old, new) = (old.trim(), new.trim());
            if old.is_empty() || new.is_empty() || mapping.contains_key(old) {
                return Err(AppError::with(
                    Code::InvalidBody,
                    format!("“{pair}”: mỗi bước cũ được ánh xạ đúng một lần, sang một bước mới."),
                ));
            }
            mapping.insert(old.to_string(), new.to_string());
        }
    }
    Ok(mapping)
}

fn target<'c>(
    config: &'c super::config::Config,
    p: &Principal,
    code: &str,
    version: &str,
) -> Result<&'c Procedure, AppError> {
    if !super::procedures::may_publish(p) {
        return Err(AppError::forbidden(
            "Chỉ quản trị hệ thống được chuyển hồ sơ sang phiên bản thủ tục khác.",
        ));
    }
    config
        .version_of(code, version)
        .ok_or_else(|| AppError::new(Code::UnknownProcedure))
}

/// The dry run: nothing is stored.
pub async fn dry_run(
    app: &AppState,
    p: &Principal,
    code: &str,
    to_version: &str,
    mapping: &BTreeMap<String, String>,
) -> Result<Plan, AppError> {
    let config = app.config().await?;
    let to = target(&config, p, code, to_version)?;
    let system = Actor::system(super::reprojection::SYSTEM_ACTOR);
    let mut plan = Plan {
        code: code.to_string(),
        to_version: to_version.to_string(),
        dossiers: Vec::new(),
    };
    let mut cursor = String::new();
    loop {
        let batch = app
            .store
            .open_dossiers_of_procedure(code, to_version, &cursor, 500)
            .await?;
        let Some(last) = batch.last() else { break };
        cursor = last.id.clone();
        for d in batch {
            let outcome = match (
                config.version_of(&d.procedure, &d.procedure_version),
                config.calendar_for(&d.agency),
            ) {
                (Some(from), Ok(calendar)) => {
                    let ctx = Ctx {
                        now: app.now(),
                        actor: &system,
                        procedure: to,
                        calendar: &calendar,
                    };
                    preview(&d, from, mapping, &ctx).map_err(|r| r.message_vi)
                }
                _ => Err(format!(
                    "Không có phiên bản {} của thủ tục, hoặc lịch làm việc của cơ quan.",
                    d.procedure_version
                )),
            };
            plan.dossiers.push(PlannedDossier {
                id: d.id.clone(),
                code: d.code.as_ref().map(ToString::to_string),
                applicant: d.applicant.name.clone(),
                outcome,
            });
        }
    }
    Ok(plan)
}

/// Migrates every open dossier of older versions that can be (each brought under its
/// agency's calendar first, should a change of calendar not have reached it yet); those that
/// cannot are left as they were and listed with why.
pub async fn apply(
    app: &AppState,
    p: &Principal,
    code: &str,
    to_version: &str,
    mapping: &BTreeMap<String, String>,
) -> Result<Migrated, AppError> {
    let config = app.config().await?;
    let to = target(&config, p, code, to_version)?.clone();
    let system = Actor::system(&p.user.id);
    let mut total = Migrated::default();
    let mut cursor = String::new();
    loop {
        let batch = app
            .store
            .open_dossiers_of_procedure(code, to_version, &cursor, 200)
            .await?;
        let Some(last) = batch.last() else { break };
        cursor = last.id.clone();
        let mut ids = Vec::with_capacity(batch.len());
        for d in batch {
            let (d, _) = super::reprojection::bring_up_to_date(app, &config, d).await?;
            ids.push(d.id.clone());
        }
        let from = |version: &str| config.version_of(code, version).cloned();
        let calendar = |agency: &str| config.calendar_for(agency).ok();
        let done = app
            .store
            .migrate_dossiers(
                &ids,
                &MigrateRequest {
                    from: &from,
                    to: &to,
                    mapping,
                    calendar: &calendar,
                    actor: &system,
                    now: app.now(),
                },
            )
            .await?;
        total.examined += done.examined;
        total.migrated += done.migrated;
        total.refused.extend(done.refused);
    }
    Ok(total)
}
