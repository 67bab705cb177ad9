//! Publishing procedures: check a file, publish it as a new version (a published version
//! never changes), assign it to the agencies that receive and handle it. For system
//! administrators; the configuration every server holds follows the store.

use motcua_core::procedure::Procedure;

use super::{AppError, Code, Principal, policy};
use crate::AppState;

/// One problem of a procedure file, where it is.
#[derive(Clone, Debug)]
pub struct Problem {
    pub line: usize,
    pub column: usize,
    pub error: bool,
    /// In Vietnamese.
    pub message: String,
}

/// A checked file: the procedure when it loads, every problem either way, and what
/// publishing it would do.
pub struct Checked {
    pub procedure: Option<Procedure>,
    pub problems: Vec<Problem>,
    /// `new`, `same` (published already, identical) or `conflict` (that version is published
    /// with other content).
    pub publication: &'static str,
    /// Versions of the same code already published.
    pub versions: Vec<String>,
}

/// Whether the principal may publish and assign procedures: a system administrator.
pub fn may_publish(p: &Principal) -> bool {
    p.is_staff()
        && p.grants
            .iter()
            .any(|g| g.role == crate::bootstrap::SYSTEM_ADMIN)
}

fn forbidden() -> AppError {
    AppError::forbidden("Chỉ quản trị hệ thống được công bố và giao thủ tục.")
}

/// Checks a procedure file against the store.
pub async fn check(
    app: &AppState,
    p: &Principal,
    name: &str,
    source: &str,
) -> Result<Checked, AppError> {
    if !may_publish(p) {
        return Err(forbidden());
    }
    let (procedure, report) = match Procedure::load(name, source) {
        Ok((p, r)) => (Some(p), r),
        Err(r) => (None, r),
    };
    let problems = report
        .diagnostics
        .iter()
        .map(|d| Problem {
            line: d.line,
            column: d.column,
            error: d.severity == motcua_core::procedure::Severity::Error,
            message: d.message_vi.clone(),
        })
        .collect();
    let stored = app.store.procedures().await?;
    let (publication, versions) = match &procedure {
        None => ("", Vec::new()),
        Some(x) => {
            let c = &x.catalogue;
            let sha = motcua_store::sha256_hex(source.as_bytes());
            let same = stored
                .iter()
                .find(|(code, version, _)| *code == c.code && *version == c.version);
            let publication = match same {
                None => "new",
                Some((_, _, s)) if motcua_store::sha256_hex(s.as_bytes()) == sha => "same",
                Some(_) => "conflict",
            };
            let versions = stored
                .iter()
                .filter(|(code, _, _)| *code == c.code)
                .map(|(_, v, _)| v.clone())
                .collect();
            (publication, versions)
        }
    };
    Ok(Checked {
        procedure,
        problems,
        publication,
        versions,
    })
}

/// Publishes a file as a new version; answers the procedure.
pub async fn publish(app: &AppState, p: &Principal, source: &str) -> Result<Procedure, AppError> {
    let checked = check(app, p, "procedure.toml", source).await?;
    let Some(procedure) = checked.procedure else {
        return Err(AppError::with(
            Code::InvalidBody,
            "Tệp thủ tục còn lỗi; sửa các lỗi đã nêu rồi kiểm tra lại.",
        ));
    };
    if checked.publication == "conflict" {
        return Err(AppError::with(
            Code::Conflict,
            "Phiên bản này đã được công bố với nội dung khác; phiên bản đã công bố không thay đổi được, hãy đặt số phiên bản mới.",
        ));
    }
    app.store.put_procedure(source, &procedure).await?;
    app.config_changed().await?;
    Ok(procedure)
}

/// Makes `agency` receive and handle the procedure `code`; answers whether it was new.
pub async fn assign(
    app: &AppState,
    p: &Principal,
    code: &str,
    agency: &str,
) -> Result<bool, AppError> {
    let config = app.config().await?;
    if !may_publish(p) || !policy::is_system_admin_for(p, agency, &config.directory) {
        return Err(forbidden());
    }
    let added = app.store.assign_procedure(code, agency).await?;
    app.config_changed().await?;
    Ok(added)
}

/// Retires a procedure version: no new submission uses it (the newest version still in force
/// does; with none left, the procedure leaves the catalogue), dossiers received under it keep
/// it. Answers whether it was in force.
pub async fn retire(
    app: &AppState,
    p: &Principal,
    code: &str,
    version: &str,
) -> Result<bool, AppError> {
    if !may_publish(p) {
        return Err(forbidden());
    }
    let done = app.store.retire_procedure(code, version).await?;
    app.config_changed().await?;
    tracing::info!(admin = %p.user.id, %code, %version, "procedure version retired");
    Ok(done)
}
