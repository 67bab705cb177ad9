//! The first system administrator of a deployment that has none (`motcua init`): an empty
//! system, or one whose agencies came from elsewhere (a scenario, an import).

use motcua_store::{Grant, Store, StoreError, User};

/// The role that administers everything below its agency.
pub const SYSTEM_ADMIN: &str = "system-admin";

/// Creates staff account `id` (named `name`) belonging to `agency` with `role` there and a
/// one-time password that must be changed at first login; returns that password (to be
/// shown once). The creation is audited as done by the server. An existing account with
/// that id is a [`StoreError::Conflict`].
pub async fn create_staff(
    store: &Store,
    agency: &str,
    id: &str,
    name: &str,
    role: &str,
) -> Result<String, StoreError> {
    let password = crate::password::random_hex(8);
    let user = User {
        id: id.into(),
        kind: "staff".into(),
        name: name.into(),
        email: None,
        phone: None,
        password_hash: crate::password::hash_password(&password)
            .map_err(|e| StoreError::Config(e.message))?,
        must_change_password: true,
        created_at: chrono::Utc::now(),
        home_agency: Some(agency.into()),
        deactivated_at: None,
    };
    let grant = Grant {
        agency_id: agency.into(),
        role: role.into(),
    };
    store.create_user(&user, &[grant], "system").await?;
    Ok(password)
}

/// Creates staff account `id` as system administrator at `agency` (see [`create_staff`]).
pub async fn create_first_admin(
    store: &Store,
    agency: &str,
    id: &str,
    name: &str,
) -> Result<String, StoreError> {
    create_staff(store, agency, id, name, SYSTEM_ADMIN).await
}
