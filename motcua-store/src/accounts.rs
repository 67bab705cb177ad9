//! Accounts: users, their roles at agencies, sessions.
//!
//! Password hashing belongs to the server; the store keeps the hash and the first-login flag.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::{AuditEntry, Store, StoreError, from_micros, micros, sha256_hex};

/// A user account: an applicant or a staff member.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct User {
    /// Login name.
    pub id: String,
    /// `applicant` or `staff`.
    pub kind: String,
    /// Full name.
    pub name: String,
    /// Email.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// The password hash (argon2 PHC string), never the password.
    pub password_hash: String,
    /// Staff must change the password at first login.
    pub must_change_password: bool,
    /// When the account was created.
    pub created_at: DateTime<Utc>,
    /// The agency a staff account belongs to (only there, or by a system administrator
    /// above it, can it be given roles); `None` for applicants.
    pub home_agency: Option<String>,
    /// When the account was deactivated (it cannot log in); `None` while it is active.
    #[serde(default)]
    pub deactivated_at: Option<DateTime<Utc>>,
}

/// A role a user holds at an agency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Grant {
    /// The agency.
    pub agency_id: String,
    /// The role (kebab-case, as in procedure files).
    pub role: String,
}

/// Gives a user a role at an agency, in a transaction.
async fn grant(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    user_id: &str,
    agency: &str,
    role: &str,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO user_roles (user_id, agency_id, role) VALUES ($1, $2, $3)")
        .bind(user_id)
        .bind(agency)
        .bind(role)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// An audit entry without a client address (changes made by administrators).
fn change(
    at: DateTime<Utc>,
    actor: &str,
    action: &str,
    account: &str,
    agency: Option<String>,
    detail: String,
) -> AuditEntry {
    AuditEntry {
        at,
        actor: actor.into(),
        action: action.into(),
        account: account.into(),
        agency,
        address: None,
        detail,
    }
}

impl Store {
    /// Creates a user with roles; an existing id is a conflict. For a staff account, the
    /// creation and each role are audited as done by `actor`.
    pub async fn create_user(
        &self,
        u: &User,
        grants: &[Grant],
        actor: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO users (id, kind, name, email, phone, password_hash, must_change_password, created_at, home_agency)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&u.id)
        .bind(&u.kind)
        .bind(&u.name)
        .bind(u.email.as_deref())
        .bind(u.phone.as_deref())
        .bind(&u.password_hash)
        .bind(i64::from(u.must_change_password))
        .bind(micros(u.created_at))
        .bind(u.home_agency.as_deref())
        .execute(&mut *tx)
        .await?;
        let entry = |action: &str, agency: Option<&str>, detail: &str| {
            change(
                u.created_at,
                actor,
                action,
                &u.id,
                agency.map(str::to_string),
                detail.into(),
            )
        };
        if u.kind == "staff" {
            let e = entry("account_created", u.home_agency.as_deref(), "");
            crate::audit::append(&mut tx, &e).await?;
        }
        for g in grants {
            grant(&mut tx, &u.id, &g.agency_id, &g.role).await?;
            let e = entry("role_granted", Some(&g.agency_id), &g.role);
            crate::audit::append(&mut tx, &e).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The accounts that hold `role` at some agency, by id.
    pub async fn holders_of(&self, role: &str) -> Result<Vec<String>, StoreError> {
        let rows =
            sqlx::query("SELECT DISTINCT user_id FROM user_roles WHERE role = $1 ORDER BY user_id")
                .bind(role)
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|r| Ok(r.try_get::<String, _>(0)?))
            .collect()
    }

    /// The number of staff accounts.
    pub async fn staff_count(&self) -> Result<i64, StoreError> {
        Ok(
            sqlx::query("SELECT COUNT(*) FROM users WHERE kind = 'staff'")
                .fetch_one(&self.pool)
                .await?
                .try_get(0)?,
        )
    }

    /// A user and the roles they hold.
    pub async fn user(&self, id: &str) -> Result<(User, Vec<Grant>), StoreError> {
        let r = sqlx::query(
            "SELECT id, kind, name, email, phone, password_hash, must_change_password, created_at, home_agency, deactivated_at
             FROM users WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("user {id}")))?;
        let user = User {
            id: r.try_get(0)?,
            kind: r.try_get(1)?,
            name: r.try_get(2)?,
            email: r.try_get(3)?,
            phone: r.try_get(4)?,
            password_hash: r.try_get(5)?,
            must_change_password: r.try_get::<i64, _>(6)? != 0,
            created_at: from_micros(r.try_get(7)?),
            home_agency: r.try_get(8)?,
            deactivated_at: r.try_get::<Option<i64>, _>(9)?.map(from_micros),
        };
        let grants = sqlx::query(
            "SELECT agency_id, role FROM user_roles WHERE user_id = $1 ORDER BY agency_id, role",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(Grant {
                agency_id: r.try_get(0)?,
                role: r.try_get(1)?,
            })
        })
        .collect::<Result<_, StoreError>>()?;
        Ok((user, grants))
    }

    /// The staff who hold at least one role at `agency`, with all their roles, by id.
    pub async fn users_at(&self, agency: &str) -> Result<Vec<(User, Vec<Grant>)>, StoreError> {
        let ids: Vec<String> = sqlx::query(
            "SELECT DISTINCT user_id FROM user_roles WHERE agency_id = $1 ORDER BY user_id",
        )
        .bind(agency)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.push(self.user(&id).await?);
        }
        Ok(out)
    }

    /// Replaces the roles a user holds at one agency (their roles elsewhere stay); each role
    /// granted or revoked is audited as done by `actor`, in the same transaction.
    pub async fn set_roles(
        &self,
        user_id: &str,
        agency: &str,
        roles: &[String],
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let before: Vec<String> =
            sqlx::query("SELECT role FROM user_roles WHERE user_id = $1 AND agency_id = $2")
                .bind(user_id)
                .bind(agency)
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|r| r.try_get(0))
                .collect::<Result<_, _>>()?;
        sqlx::query("DELETE FROM user_roles WHERE user_id = $1 AND agency_id = $2")
            .bind(user_id)
            .bind(agency)
            .execute(&mut *tx)
            .await?;
        for role in roles {
            grant(&mut tx, user_id, agency, role).await?;
        }
        let changes = roles
            .iter()
            .filter(|r| !before.contains(r))
            .map(|r| ("role_granted", r))
            .chain(
                before
                    .iter()
                    .filter(|r| !roles.contains(r))
                    .map(|r| ("role_revoked", r)),
            );
        for (action, role) in changes {
            let e = change(
                now,
                actor,
                action,
                user_id,
                Some(agency.into()),
                role.clone(),
            );
            crate::audit::append(&mut tx, &e).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Moves a staff account to another agency (its home); its roles stay where they are.
    /// Audited at both agencies.
    pub async fn move_user(
        &self,
        user_id: &str,
        to: &str,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let from: Option<String> = sqlx::query("SELECT home_agency FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("user {user_id}")))?
            .try_get(0)?;
        sqlx::query("UPDATE users SET home_agency = $1 WHERE id = $2")
            .bind(to)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        let detail = format!("{} -> {to}", from.as_deref().unwrap_or("-"));
        for agency in from.iter().map(String::as_str).chain([to]) {
            let e = change(
                now,
                actor,
                "account_moved",
                user_id,
                Some(agency.into()),
                detail.clone(),
            );
            crate::audit::append(&mut tx, &e).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Deactivates (`active = false`) or reactivates an account, audited at its agency; a
    /// deactivated account's sessions end. Answers whether anything changed.
    pub async fn set_active(
        &self,
        user_id: &str,
        active: bool,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query("SELECT home_agency, deactivated_at FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("user {user_id}")))?;
        let (home, was): (Option<String>, Option<i64>) = (row.try_get(0)?, row.try_get(1)?);
        if was.is_none() == active {
            return Ok(false);
        }
        sqlx::query("UPDATE users SET deactivated_at = $1 WHERE id = $2")
            .bind((!active).then(|| micros(now)))
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        if !active {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
        }
        let action = if active {
            "account_reactivated"
        } else {
            "account_deactivated"
        };
        let e = change(now, actor, action, user_id, home, String::new());
        crate::audit::append(&mut tx, &e).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// An administrator resets a password: the new hash must be changed at next login; the
    /// reset is audited at the account's agency.
    pub async fn reset_password(
        &self,
        user_id: &str,
        hash: &str,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "UPDATE users SET password_hash = $1, must_change_password = 1 WHERE id = $2 RETURNING home_agency",
        )
        .bind(hash)
        .bind(user_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("user {user_id}")))?;
        let e = change(
            now,
            actor,
            "password_reset",
            user_id,
            row.try_get(0)?,
            String::new(),
        );
        crate::audit::append(&mut tx, &e).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Changes a user's name and contact details.
    pub async fn update_profile(
        &self,
        id: &str,
        name: &str,
        email: Option<&str>,
        phone: Option<&str>,
    ) -> Result<(), StoreError> {
        let done = sqlx::query("UPDATE users SET name = $1, email = $2, phone = $3 WHERE id = $4")
            .bind(name)
            .bind(email)
            .bind(phone)
            .bind(id)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("user {id}")));
        }
        Ok(())
    }

    /// Replaces a user's password hash and clears (or sets) the first-login flag.
    pub async fn set_password(
        &self,
        id: &str,
        hash: &str,
        must_change: bool,
    ) -> Result<(), StoreError> {
        let done = sqlx::query(
            "UPDATE users SET password_hash = $1, must_change_password = $2 WHERE id = $3",
        )
        .bind(hash)
        .bind(i64::from(must_change))
        .bind(id)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("user {id}")));
        }
        Ok(())
    }

    /// Opens a session for a bearer token (stored only as its SHA-256).
    pub async fn create_session(
        &self,
        token: &str,
        user_id: &str,
        now: DateTime<Utc>,
        expires: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO sessions (token_sha256, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(sha256_hex(token.as_bytes()))
            .bind(user_id)
            .bind(micros(now))
            .bind(micros(expires))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The user of a live session and when it ends, or `NotFound`.
    pub async fn session_user(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<(String, DateTime<Utc>), StoreError> {
        let r = sqlx::query(
            "SELECT user_id, expires_at FROM sessions WHERE token_sha256 = $1 AND expires_at > $2",
        )
        .bind(sha256_hex(token.as_bytes()))
        .bind(micros(now))
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::NotFound("session".into()))?;
        Ok((r.try_get(0)?, from_micros(r.try_get(1)?)))
    }

    /// Ends a session.
    pub async fn end_session(&self, token: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE token_sha256 = $1")
            .bind(sha256_hex(token.as_bytes()))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Ends every session of a user (after a password change).
    pub async fn end_sessions_of(&self, user_id: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
