//! The audit log: who changed what, when, and which rows.
//!
//! Every data-changing mutation writes one entry inside its own
//! transaction, so an entry exists exactly when the change committed.

use chrono::{DateTime, Utc};
use kernel::{SchoolId, UserId};
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};

use crate::entity::audit_entry;
use crate::{Result, new_id};

/// Records that `user` (None: the system) performed `action` on `targets`
/// (ids in the caller's form: the gateway stores global ids).
pub async fn record(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    user: Option<UserId>,
    action: &str,
    targets: &[String],
    at: DateTime<Utc>,
) -> Result<()> {
    let targets = serde_json::to_string(targets).expect("a list of UUIDs serializes");
    audit_entry::ActiveModel {
        id: Set(new_id()),
        school_id: Set(school.uuid()),
        user_id: Set(user.map(UserId::uuid)),
        action: Set(action.to_owned()),
        targets: Set(targets),
        at: Set(at),
    }
    .insert(tx)
    .await?;
    Ok(())
}

/// The ids an entry names, as the caller recorded them.
pub fn targets(entry: &audit_entry::Model) -> Vec<String> {
    serde_json::from_str(&entry.targets).unwrap_or_default()
}
