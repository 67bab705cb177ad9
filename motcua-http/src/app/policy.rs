//! Who may see and do what: the only place access is decided. Every face (JSON API, pages,
//! printed forms) asks here; the engine decides, in addition, who may act at each step of a
//! dossier's workflow.
//!
//! - A dossier is seen by its owner (the applicant who submitted it online, or for whom it
//!   was registered), by staff of its agency, and by holders of an oversight role
//!   (supervisor, agency leader, system administrator) at an agency above it. Anyone else
//!   is told it does not exist.
//! - An agency's queues and reports: its staff, and oversight roles above it.
//! - Staff accounts: the agency's administrator, or a system administrator at or above it;
//!   an account's roles only by those who administer the agency it belongs to.

use motcua_store::{Grant, User};

use super::Principal;
use super::config::Directory;

/// Roles that reach the agencies below the one where they are held (reading dossiers,
/// queues and reports; acting stays with the agency's own staff).
const OVERSIGHT: [&str; 3] = ["supervisor", "agency-leader", "system-admin"];

/// Whether the user is staff at `agency` (holds any role there).
pub fn is_staff_at(p: &Principal, agency: &str) -> bool {
    p.is_staff() && p.grants.iter().any(|g| g.agency_id == agency)
}

/// Whether the user may read `agency`'s dossiers, queues and reports.
pub fn may_read_agency(p: &Principal, agency: &str, dir: &Directory) -> bool {
    p.is_staff()
        && p.grants.iter().any(|g| {
            g.agency_id == agency
                || (OVERSIGHT.contains(&g.role.as_str()) && dir.is_within(agency, &g.agency_id))
        })
}

/// Whether the user may read a dossier of `agency` owned by `owner`.
pub fn may_read_dossier(p: &Principal, owner: Option<&str>, agency: &str, dir: &Directory) -> bool {
    let own = p.is_applicant() && owner == Some(p.user.id.as_str());
    own || may_read_agency(p, agency, dir)
}

/// The agencies whose dossiers the user may read.
pub fn readable_agencies(p: &Principal, dir: &Directory) -> Vec<String> {
    dir.ids()
        .into_iter()
        .filter(|a| may_read_agency(p, a, dir))
        .map(str::to_string)
        .collect()
}

/// Whether the user may answer feedback addressed to `agency`.
pub fn may_answer_feedback(p: &Principal, agency: &str) -> bool {
    is_staff_at(p, agency)
}

/// Whether the user may manage `agency`'s staff accounts.
pub fn may_administer(p: &Principal, agency: &str, dir: &Directory) -> bool {
    p.is_staff()
        && p.grants.iter().any(|g| {
            (g.role == "agency-admin" && g.agency_id == agency)
                || (g.role == "system-admin" && dir.is_within(agency, &g.agency_id))
        })
}

/// Whether the user is a system administrator at or above `agency`.
pub fn is_system_admin_for(p: &Principal, agency: &str, dir: &Directory) -> bool {
    p.is_staff()
        && p.grants
            .iter()
            .any(|g| g.role == "system-admin" && dir.is_within(agency, &g.agency_id))
}

/// Whether the user may give or take `role` at `agency` (which they administer): only a
/// system administrator grants or revokes `system-admin`.
pub fn may_grant(p: &Principal, agency: &str, role: &str, dir: &Directory) -> bool {
    role != "system-admin" || is_system_admin_for(p, agency, dir)
}

/// Whether the user may change the roles or password of `account`: it belongs to an agency
/// they administer (an account without one is a system administrator's to manage).
pub fn may_manage_account(p: &Principal, account: &User, dir: &Directory) -> bool {
    match account.home_agency.as_deref() {
        Some(home) => may_administer(p, home, dir),
        None => dir
            .ids()
            .into_iter()
            .any(|a| is_system_admin_for(p, a, dir)),
    }
}

/// Whether the user may reset the password of an account holding `grants`: whoever resets
/// a password can log in as that person, so only over an account whose every role is in
/// agencies they administer.
pub fn may_reset_password(p: &Principal, grants: &[Grant], dir: &Directory) -> bool {
    grants.iter().all(|g| may_administer(p, &g.agency_id, dir))
}

/// Whether the user may move a staff account from `from` to `to`: a system administrator
/// over both.
pub fn may_move_account(p: &Principal, from: Option<&str>, to: &str, dir: &Directory) -> bool {
    is_system_admin_for(p, to, dir) && from.is_none_or(|f| is_system_admin_for(p, f, dir))
}

/// Whether the user may enter the service center's inputs and appraisals of the scoring tool
/// for `agency`: a supervisor (the service center) or system administrator at or above it.
pub fn may_appraise(p: &Principal, agency: &str, dir: &Directory) -> bool {
    p.is_staff()
        && p.grants.iter().any(|g| {
            (g.role == "supervisor" || g.role == "system-admin")
                && dir.is_within(agency, &g.agency_id)
        })
}

/// Whether the user may change the scoring tool's thresholds and bands, which apply to the
/// whole deployment: a system administrator at an agency with nothing above it.
pub fn may_set_evaluation_rules(p: &Principal, dir: &Directory) -> bool {
    p.is_staff()
        && p.grants.iter().any(|g| {
            g.role == "system-admin" && dir.get(&g.agency_id).is_some_and(|a| a.parent_id.is_none())
        })
}
