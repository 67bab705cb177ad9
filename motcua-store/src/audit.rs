//! The audit log: staff logins, role grants and revocations, password resets and accounts
//! moved between agencies, each with who did it, when and from where. Append-only.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{Any, Row, Transaction};

use crate::{Store, StoreError, from_micros, micros};

/// One entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    /// When.
    pub at: DateTime<Utc>,
    /// Who did it (the account itself for a login, `system` for the server).
    pub actor: String,
    /// What: `login_succeeded`, `login_failed`, `role_granted`, `role_revoked`,
    /// `password_reset`, `account_created`, `account_moved`, `evaluation_inputs_entered`,
    /// `evaluation_rules_changed`.
    pub action: String,
    /// The account concerned.
    pub account: String,
    /// The agency concerned (the role's, or the account's).
    pub agency: Option<String>,
    /// The client address, when known.
    pub address: Option<String>,
    /// The role granted or revoked, the agencies of a move, ...
    pub detail: String,
}

pub(crate) async fn append(
    tx: &mut Transaction<'static, Any>,
    e: &AuditEntry,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor, action, account, agency, address, detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(micros(e.at))
    .bind(&e.actor)
    .bind(&e.action)
    .bind(&e.account)
    .bind(e.agency.as_deref())
    .bind(e.address.as_deref())
    .bind(&e.detail)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// Appends an entry.
    pub async fn audit(&self, e: &AuditEntry) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        append(&mut tx, e).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The newest entries about some agencies, newest first.
    pub async fn audit_of(
        &self,
        agencies: &[String],
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        if agencies.is_empty() {
            return Ok(Vec::new());
        }
        let list: Vec<String> = (0..agencies.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "SELECT at, actor, action, account, agency, address, detail FROM audit_log
             WHERE agency IN ({}) ORDER BY id DESC LIMIT $1",
            list.join(", ")
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(i64::from(limit.max(1)));
        for a in agencies {
            q = q.bind(a);
        }
        q.fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(AuditEntry {
                    at: from_micros(r.try_get(0)?),
                    actor: r.try_get(1)?,
                    action: r.try_get(2)?,
                    account: r.try_get(3)?,
                    agency: r.try_get(4)?,
                    address: r.try_get(5)?,
                    detail: r.try_get(6)?,
                })
            })
            .collect()
    }
}
