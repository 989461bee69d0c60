//! Login throttling: failed logins counted per account and per client
//! address, in memory (one process; a restart forgets, which only helps
//! legitimate users). The window arithmetic is `kernel::throttle`.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use kernel::throttle::{Failures, Limit};

/// Keys with failures; pruned when it grows past this many.
const PRUNE_ABOVE: usize = 10_000;

/// Failed-login counters.
#[derive(Debug)]
pub struct LoginThrottle {
    per_account: Limit,
    per_address: Limit,
    accounts: Mutex<HashMap<String, Failures>>,
    addresses: Mutex<HashMap<IpAddr, Failures>>,
}

impl LoginThrottle {
    /// Counters with these limits.
    pub fn new(per_account: Limit, per_address: Limit) -> Self {
        Self {
            per_account,
            per_address,
            accounts: Mutex::default(),
            addresses: Mutex::default(),
        }
    }

    /// When this account or address may try again, if either is blocked.
    pub fn blocked_until(
        &self,
        account: &str,
        address: Option<IpAddr>,
        now: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        let by_account = lock(&self.accounts)
            .get(account)
            .and_then(|f| f.blocked_until(self.per_account, now));
        let by_address = address.and_then(|a| {
            lock(&self.addresses)
                .get(&a)
                .and_then(|f| f.blocked_until(self.per_address, now))
        });
        by_account.max(by_address)
    }

    /// Counts a failed login.
    pub fn record_failure(&self, account: &str, address: Option<IpAddr>, now: DateTime<Utc>) {
        record(&self.accounts, account.to_owned(), self.per_account, now);
        if let Some(a) = address {
            record(&self.addresses, a, self.per_address, now);
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A poisoned counter map is still a valid map.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn record<K: std::hash::Hash + Eq>(
    map: &Mutex<HashMap<K, Failures>>,
    key: K,
    limit: Limit,
    now: DateTime<Utc>,
) {
    let mut map = lock(map);
    if map.len() > PRUNE_ABOVE {
        map.retain(|_, f| !f.is_stale(limit, now));
    }
    map.entry(key).or_default().record(limit, now);
}
