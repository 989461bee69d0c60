//! Idempotency keys for creating mutations: the same key with the same
//! request returns the first result and creates nothing; the same key with
//! a different request is refused with `IDEMPOTENCY_KEY_REUSED`.
//!
//! The storage rules (claimed in the mutation's own transaction) are in
//! `infra::repo::idempotency`; this module turns a claim into what a
//! resolver does next.

use crate::error::{Code, FieldError};
use async_graphql::{Context, Result};
use infra::repo::idempotency::{self, Claim, MAX_KEY_LEN};
use infra::repo::organisation::Viewer;
use uuid::Uuid;

use crate::context::app;
use crate::error::internal;

/// What the resolver does next.
pub(crate) enum Next {
    /// No key, or a new one: perform the mutation, then [`complete`].
    Proceed(Option<String>),
    /// The key was used for this same request: answer with the row it
    /// created.
    Replay(Uuid),
}

/// The canonical form of a mutation's input: the input object as the
/// schema sees it (fields in declaration order, defaults filled in, the
/// client's own spelling and order forgotten), without its idempotency
/// key, as JSON. Two requests are "the same" exactly when these match.
pub(crate) fn canonical(input: &impl async_graphql::InputType) -> String {
    let mut value = input.to_value();
    if let async_graphql::Value::Object(fields) = &mut value {
        fields.retain(|name, _| name.as_str() != "idempotencyKey");
    }
    serde_json::to_string(&value).expect("BUG: a GraphQL value always serialises")
}

/// A key of 1 to [`MAX_KEY_LEN`] characters, not blank.
fn well_formed(key: &str) -> Result<(), FieldError> {
    if key.trim().is_empty() || key.len() > MAX_KEY_LEN {
        return Err(FieldError::invalid(
            "idempotencyKey",
            format!("an idempotency key has 1 to {MAX_KEY_LEN} characters; a UUID is ideal"),
        ));
    }
    Ok(())
}

/// Claims `key` for this request (`canonical` is the input with the key
/// left out, in a stable textual form).
pub(crate) async fn claim(
    ctx: &Context<'_>,
    tx: &infra::Tx,
    viewer: &Viewer,
    key: Option<String>,
    canonical: &str,
) -> Result<Result<Next, FieldError>> {
    let Some(key) = key else {
        return Ok(Ok(Next::Proceed(None)));
    };
    if let Err(e) = well_formed(&key) {
        return Ok(Err(e));
    }
    let operation = ctx.field().name();
    let hash = idempotency::request_hash(operation, canonical);
    let claim = idempotency::claim(
        tx,
        viewer.school,
        viewer.user,
        &key,
        operation,
        &hash,
        app(ctx).clock.now(),
    )
    .await
    .map_err(internal)?;
    Ok(match claim {
        Claim::Fresh => Ok(Next::Proceed(Some(key))),
        Claim::Replay(stored) => match Uuid::parse_str(&stored) {
            Ok(id) => Ok(Next::Replay(id)),
            Err(_) => return Err(internal(infra::InfraError::Corrupt {
                table: "idempotency_keys",
                detail: "response is not a row id".into(),
            })),
        },
        Claim::Mismatch => Err(FieldError {
            field: "idempotencyKey",
            code: Code::IdempotencyKeyReused,
            message: "this idempotency key was already used for a different request; use a new key for a new request".into(),
        }),
    })
}

/// Whether `key` was already used, read before the mutation's own
/// transaction (which still claims it): `Ok(true)` when this same request
/// was done before (its transaction will replay it), `Ok(false)` for a
/// new key or none, a refusal for a key used by another request.
pub(crate) async fn seen(
    ctx: &Context<'_>,
    viewer: &Viewer,
    key: Option<&str>,
    canonical: &str,
) -> Result<Result<bool, FieldError>> {
    let Some(key) = key else {
        return Ok(Ok(false));
    };
    if let Err(e) = well_formed(key) {
        return Ok(Err(e));
    }
    let operation = ctx.field().name();
    let hash = idempotency::request_hash(operation, canonical);
    let found = idempotency::peek(
        app(ctx).db.conn(),
        viewer.school,
        viewer.user,
        key,
        operation,
        &hash,
    )
    .await
    .map_err(internal)?;
    Ok(match found {
        None => Ok(false),
        Some(Claim::Mismatch) => Err(FieldError {
            field: "idempotencyKey",
            code: Code::IdempotencyKeyReused,
            message: "this idempotency key was already used for a different request; use a new key for a new request".into(),
        }),
        Some(_) => Ok(true),
    })
}

/// Stores the created row's id under the key, in the same transaction.
pub(crate) async fn complete(
    tx: &infra::Tx,
    viewer: &Viewer,
    key: Option<String>,
    created: Uuid,
) -> Result<()> {
    if let Some(key) = key {
        idempotency::complete(tx, viewer.school, viewer.user, &key, &created.to_string())
            .await
            .map_err(internal)?;
    }
    Ok(())
}
