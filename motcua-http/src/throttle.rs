//! How failed logins and registrations are held back. The aim is to slow whoever is
//! guessing, never to lock out the account's owner: counters are kept per account *and*
//! client address, and per address, never per account alone, so that a stranger failing
//! against an account does not stop its owner logging in from elsewhere. Counters live in
//! the database (`Store::throttle_*`), shared by every server.
//!
//! - An account at one address: 5 failures are free; after that each failure holds that
//!   pair back for 30 s, doubling with each further failure, at most 15 minutes.
//! - One address, whatever the accounts: 30 failures free, then 1 minute, doubling, at most
//!   15 minutes (an office behind one address is not held back by its staff's successes,
//!   which do not count).
//! - Counts start again after 15 minutes without a failure; a successful login clears the
//!   account's count at that address.
//! - Registrations: 10 an hour from one address.
//! - Online submissions: 20 an hour per applicant account (a person files a few dossiers;
//!   without a bound one account could fill the disk at the largest size the field limits
//!   allow). Desk and post registrations by staff are not counted.

use chrono::{DateTime, TimeDelta, Utc};
use motcua_store::{Store, StoreError};
use std::net::IpAddr;

/// Free failures of one account at one address.
pub const FREE_PER_ACCOUNT: i64 = 5;
/// Free failures from one address.
pub const FREE_PER_ADDRESS: i64 = 30;
/// Registrations an hour from one address.
pub const REGISTRATIONS_PER_HOUR: i64 = 10;
/// Online submissions an hour per applicant account.
pub const SUBMISSIONS_PER_HOUR: i64 = 20;

fn window() -> TimeDelta {
    TimeDelta::minutes(15)
}

/// The hold after `failures`, given `free` failures and the first hold.
fn hold(failures: i64, free: i64, first: TimeDelta) -> Option<TimeDelta> {
    let over = failures - free;
    if over < 0 {
        return None;
    }
    let factor = 1_i32 << over.min(20);
    Some((first * factor).min(window()))
}

fn pair_key(id: &str, address: Option<IpAddr>) -> String {
    match address {
        Some(ip) => format!("login:{id}@{ip}"),
        None => format!("login:{id}@-"),
    }
}

fn address_key(ip: IpAddr) -> String {
    format!("login-from:{ip}")
}

/// Until when a login as `id` from `address` must wait, if it must.
pub async fn login_held_until(
    store: &Store,
    id: &str,
    address: Option<IpAddr>,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    let mut keys = vec![pair_key(id, address)];
    keys.extend(address.map(address_key));
    store.throttled_until(&keys, now).await
}

/// Counts a failed login and holds back what has failed too often.
pub async fn login_failed(
    store: &Store,
    id: &str,
    address: Option<IpAddr>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let key = pair_key(id, address);
    let n = store.throttle_count(&key, now, window()).await?;
    if let Some(h) = hold(n, FREE_PER_ACCOUNT, TimeDelta::seconds(30)) {
        store.throttle_block(&key, now + h).await?;
    }
    if let Some(ip) = address {
        let key = address_key(ip);
        let n = store.throttle_count(&key, now, window()).await?;
        if let Some(h) = hold(n, FREE_PER_ADDRESS, TimeDelta::minutes(1)) {
            store.throttle_block(&key, now + h).await?;
        }
    }
    // Now and then, forget counters nobody has touched for a day.
    static FAILURES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    if FAILURES.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % 1000 == 999 {
        store.prune_throttles(now - TimeDelta::days(1)).await?;
    }
    Ok(())
}

/// A successful login clears the account's count at that address.
pub async fn login_succeeded(
    store: &Store,
    id: &str,
    address: Option<IpAddr>,
) -> Result<(), StoreError> {
    store.throttle_clear(&pair_key(id, address)).await
}

/// Counts a registration from `address`; false when it is over the hourly limit.
pub async fn registration_allowed(
    store: &Store,
    address: Option<IpAddr>,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let key = match address {
        Some(ip) => format!("register-from:{ip}"),
        None => "register-from:-".to_string(),
    };
    let n = store.throttle_count(&key, now, TimeDelta::hours(1)).await?;
    Ok(n <= REGISTRATIONS_PER_HOUR)
}

/// Counts an online submission by applicant `id`; false when over the hourly limit.
pub async fn submission_allowed(
    store: &Store,
    id: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let n = store
        .throttle_count(&format!("submit:{id}"), now, TimeDelta::hours(1))
        .await?;
    Ok(n <= SUBMISSIONS_PER_HOUR)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_double_up_to_fifteen_minutes() {
        let s = TimeDelta::seconds;
        assert_eq!(hold(4, 5, s(30)), None);
        assert_eq!(hold(5, 5, s(30)), Some(s(30)));
        assert_eq!(hold(6, 5, s(30)), Some(s(60)));
        assert_eq!(hold(9, 5, s(30)), Some(s(480)));
        assert_eq!(hold(10, 5, s(30)), Some(s(900)));
        assert_eq!(hold(10_000, 5, s(30)), Some(s(900)));
    }
}
