//! The first system administrator of a deployment that has none (`motcua init`): an empty
//! system, or one whose agencies came from elsewhere (a scenario, an import).

use motcua_store::{Grant, Store, StoreError, User};

/// The role that administers everything below its agency.
pub const SYSTEM_ADMIN: &str = "system-admin";

/// Creates staff account `id` as system administrator at `agency`, with a one-time password
/// that must be changed at first login, and returns that password (to be shown once). An
/// existing account with that id is a [`StoreError::Conflict`].
pub async fn create_first_admin(
    store: &Store,
    agency: &str,
    id: &str,
    name: &str,
) -> Result<String, StoreError> {
    let password = crate::auth::random_hex(8);
    let user = User {
        id: id.into(),
        kind: "staff".into(),
        name: name.into(),
        email: None,
        phone: None,
        password_hash: crate::auth::hash_password(&password)
            .map_err(|e| StoreError::Config(e.message))?,
        must_change_password: true,
        created_at: chrono::Utc::now(),
        home_agency: Some(agency.into()),
    };
    let grant = Grant {
        agency_id: agency.into(),
        role: SYSTEM_ADMIN.into(),
    };
    store.create_user(&user, &[grant], "system").await?;
    Ok(password)
}
