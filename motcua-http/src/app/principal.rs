//! Who is asking: an authenticated account with its roles. Every face builds one from its
//! own credentials (a bearer token, a cookie) and hands it to the use cases.

use motcua_core::dossier::{Actor, ActorKind, AgencyId};
use motcua_core::procedure::Role;
use motcua_store::{Grant, User};

/// An authenticated user and the roles they hold.
#[derive(Clone, Debug)]
pub struct Principal {
    /// The account.
    pub user: User,
    /// Roles held, by agency.
    pub grants: Vec<Grant>,
}

impl Principal {
    /// The operator at the command line (`motcua calendar …`): whoever holds the database
    /// holds the system, so they act as a system administrator, recorded under `name`.
    pub fn operator(name: &str) -> Principal {
        Principal {
            user: motcua_store::User {
                id: name.to_string(),
                kind: "staff".into(),
                name: name.to_string(),
                email: None,
                phone: None,
                password_hash: String::new(),
                must_change_password: false,
                created_at: chrono::DateTime::UNIX_EPOCH,
                home_agency: None,
                deactivated_at: None,
            },
            grants: vec![motcua_store::Grant {
                agency_id: String::new(),
                role: crate::bootstrap::SYSTEM_ADMIN.to_string(),
            }],
        }
    }

    /// Whether the account is a staff account.
    pub fn is_staff(&self) -> bool {
        self.user.kind == "staff"
    }

    /// Whether the account is an applicant's.
    pub fn is_applicant(&self) -> bool {
        self.user.kind == "applicant"
    }

    /// The engine's actor for this user at `agency`: staff with the roles held there, or an
    /// applicant.
    pub fn actor_at(&self, agency: &AgencyId) -> Actor {
        let kind = if self.is_staff() {
            ActorKind::Staff {
                agency: agency.clone(),
                roles: self
                    .grants
                    .iter()
                    .filter(|g| g.agency_id == agency.as_str())
                    .filter_map(|g| Role::parse(&g.role))
                    .collect(),
            }
        } else {
            ActorKind::Applicant
        };
        Actor {
            id: self.user.id.clone(),
            kind,
        }
    }
}
