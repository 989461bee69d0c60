//! Idempotency keys: a repeated request with the same key returns the first
//! result and creates nothing.
//!
//! The key is claimed inside the mutation's own transaction, so it is stored
//! exactly when the mutation commits. Two racing requests with the same key
//! serialize on the unique index (PostgreSQL: the second insert waits for
//! the first transaction; SQLite: write transactions are serial), and the
//! second then sees the first's result.

use chrono::{DateTime, Utc};
use kernel::{SchoolId, UserId};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use sha2::{Digest, Sha256};

use crate::entity::idempotency_key;
use crate::{Result, new_id};

/// Longest key accepted.
pub const MAX_KEY_LEN: usize = 200;

/// What a claimed key means for this request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// First use: perform the mutation, then [`complete`].
    Fresh,
    /// Seen before with the same request: return this stored result.
    Replay(String),
    /// Seen before with a different request: refuse.
    Mismatch,
}

/// Hex SHA-256 of a request's canonical text.
pub fn request_hash(operation: &str, canonical_request: &str) -> String {
    let mut h = Sha256::new();
    h.update(operation.as_bytes());
    h.update([0]);
    h.update(canonical_request.as_bytes());
    hex::encode(h.finalize())
}

/// Claims `key` for this user and request inside the caller's transaction.
pub async fn claim(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    user: UserId,
    key: &str,
    operation: &str,
    request_hash: &str,
    now: DateTime<Utc>,
) -> Result<Claim> {
    let inserted = idempotency_key::Entity::insert(idempotency_key::ActiveModel {
        id: Set(new_id()),
        school_id: Set(school.uuid()),
        user_id: Set(user.uuid()),
        key: Set(key.to_owned()),
        operation: Set(operation.to_owned()),
        request_hash: Set(request_hash.to_owned()),
        response: Set(String::new()),
        created_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([
            idempotency_key::Column::SchoolId,
            idempotency_key::Column::UserId,
            idempotency_key::Column::Key,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(tx)
    .await?;
    if inserted == 1 {
        return Ok(Claim::Fresh);
    }
    let stored = find(tx, school, user, key).await?;
    Ok(match stored {
        Some(row) if row.operation == operation && row.request_hash == request_hash => {
            Claim::Replay(row.response)
        }
        _ => Claim::Mismatch,
    })
}

/// What `claim` would answer, read without claiming (for a request that
/// must decide before its transaction, e.g. before asking Stripe for
/// money back): `None` for a key not seen yet.
pub async fn peek(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    user: UserId,
    key: &str,
    operation: &str,
    request_hash: &str,
) -> Result<Option<Claim>> {
    Ok(find(conn, school, user, key).await?.map(|row| {
        if row.operation == operation && row.request_hash == request_hash {
            Claim::Replay(row.response)
        } else {
            Claim::Mismatch
        }
    }))
}

async fn find(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    user: UserId,
    key: &str,
) -> Result<Option<idempotency_key::Model>> {
    Ok(idempotency_key::Entity::find()
        .filter(idempotency_key::Column::SchoolId.eq(school.uuid()))
        .filter(idempotency_key::Column::UserId.eq(user.uuid()))
        .filter(idempotency_key::Column::Key.eq(key))
        .one(conn)
        .await?)
}

/// Stores the result of a fresh claim, in the same transaction.
pub async fn complete(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    user: UserId,
    key: &str,
    response: &str,
) -> Result<()> {
    idempotency_key::Entity::update_many()
        .col_expr(idempotency_key::Column::Response, Expr::value(response))
        .filter(idempotency_key::Column::SchoolId.eq(school.uuid()))
        .filter(idempotency_key::Column::UserId.eq(user.uuid()))
        .filter(idempotency_key::Column::Key.eq(key))
        .exec(tx)
        .await?;
    Ok(())
}
