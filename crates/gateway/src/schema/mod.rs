//! The GraphQL schema: types, queries and mutations.
//!
//! Conventions (SPEC §4): Relay global ids and `node(id:)`; one input object
//! and one payload per mutation; expected failures as `userErrors` in the
//! payload; every query scoped to the viewer's school. Depth and complexity
//! are limited (introspection included, so the limits leave room for
//! GraphiQL's schema query).

pub(crate) mod billing;
mod booking;
mod crm;
mod idempotency;
mod identity;
mod node;
mod page;
mod resources;
mod scheduling;
mod school;
mod staff;

use async_graphql::dataloader::{DataLoader, HashMapCache};
use async_graphql::{EmptySubscription, MergedObject, Schema};
use infra::repo::Tenant;
use infra::repo::organisation::Viewer;
use kernel::policy::Action;
use kernel::{SchoolId, UserId};
use uuid::Uuid;

use crate::error::{forbidden, internal};
use crate::ids::Kind;
use crate::loader::ById;

pub use booking::{Booking, CalendarEntry, Enrolment, Registration, RosterEntry, WaitlistEntry};
pub use identity::users::{AuditEntry, Family, User};
pub use scheduling::objects::*;
pub use school::objects::*;
pub(crate) use school::setup::{find_in_school, find_usable, page_args};

/// Free-text notes as stored: trimmed, and absent when blank.
pub(crate) fn notes(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty())
}

/// Deepest query accepted. GraphiQL's introspection query needs 13.
pub const MAX_DEPTH: usize = 15;
/// Most complex query accepted (each field counts 1).
pub const MAX_COMPLEXITY: usize = 2_000;

/// All queries.
#[derive(MergedObject, Default)]
pub struct Query(
    identity::account::AccountQuery,
    billing::BillingQuery,
    billing::credits::CreditQuery,
    billing::monthly::MonthlyQuery,
    billing::quote::QuoteQuery,
    billing::payouts::PayoutQuery,
    booking::BookingQuery,
    booking::FamilyQuery,
    crm::LeadQuery,
    crm::SubscriptionQuery,
    identity::users::IdentityQuery,
    node::NodeQuery,
    resources::EquipmentQuery,
    resources::MaterialQuery,
    scheduling::calendar::CalendarQuery,
    scheduling::edit::EditQuery,
    scheduling::series::SeriesQuery,
    scheduling::term::TermQuery,
    school::setup::SetupQuery,
    school::profiles::ProfileQuery,
    staff::StaffQuery,
);

/// All mutations.
#[derive(MergedObject, Default)]
pub struct Mutation(
    identity::account::AccountMutation,
    billing::BillingMutation,
    billing::credits::CreditMutation,
    billing::installments::InstallmentMutation,
    billing::monthly::MonthlyMutation,
    billing::payouts::PayoutMutation,
    booking::BookingMutation,
    booking::FamilyMutation,
    crm::LeadMutation,
    crm::SubscriptionMutation,
    crm::CheckInMutation,
    crm::ProgressMutation,
    identity::users::IdentityMutation,
    resources::EquipmentMutation,
    resources::MaterialMutation,
    school::setup::SetupMutation,
    school::profiles::ProfileMutation,
    school::archive::ArchiveMutation,
    scheduling::series::SeriesMutation,
    scheduling::edit::EditMutation,
    scheduling::sessions::SessionMutation,
    scheduling::term::TermMutation,
    staff::StaffMutation,
);

/// The schema type.
pub type OstinatoSchema = Schema<Query, Mutation, EmptySubscription>;

/// Builds the schema with its limits and the default configuration.
pub fn build_schema() -> OstinatoSchema {
    build_schema_with(&crate::Config::default())
}

/// Builds the schema with its limits; introspection as configured.
pub fn build_schema_with(config: &crate::Config) -> OstinatoSchema {
    let builder = Schema::build(Query::default(), Mutation::default(), EmptySubscription)
        .limit_depth(MAX_DEPTH)
        .limit_complexity(MAX_COMPLEXITY)
        .extension(crate::panic_guard::PanicGuard)
        .extension(crate::text_guard::TextGuard);
    if config.introspection {
        builder.finish()
    } else {
        builder.disable_introspection().finish()
    }
}

/// The SDL, as committed in `schema.graphql`.
pub fn sdl() -> String {
    build_schema().sdl()
}

/// A mutation payload: whatever it returns, plus `userErrors`.
pub(crate) trait Payload: Default {
    /// The payload of a refused mutation: only its userErrors.
    fn refused(user_errors: Vec<crate::error::UserError>) -> Self;
}

/// Implements [`Payload`] for payload types with a `user_errors` field.
macro_rules! payloads {
    ($($t:ty),* $(,)?) => {$(
        impl $crate::schema::Payload for $t {
            fn refused(user_errors: Vec<$crate::error::UserError>) -> Self {
                Self { user_errors, ..Default::default() }
            }
        }
    )*};
}
pub(crate) use payloads;

/// A payload with one refusal, for checks made before any transaction is
/// opened.
pub(crate) fn refused<P: Payload>(
    e: impl Into<crate::error::UserError>,
) -> async_graphql::Result<P> {
    Ok(P::refused(vec![e.into()]))
}

/// How a mutation's body ends.
pub(crate) enum Done<P> {
    /// Commit (auditing these ids) and answer with the payload.
    Commit(P, Vec<(Kind, Uuid)>),
    /// Roll back and answer with this refusal.
    Refuse(crate::error::UserError),
    /// Roll back (nothing to keep) and answer with this payload: an
    /// idempotent replay, or a refusal that carries more than userErrors.
    Answer(P),
    /// Commit what happened on the way (e.g. lapsed offers expired) and
    /// still answer with this refusal.
    CommitRefusal(crate::error::UserError, Vec<(Kind, Uuid)>),
}

impl<P> Done<P> {
    /// A refusal from anything that maps to a userError.
    pub(crate) fn refuse(e: impl Into<crate::error::UserError>) -> Self {
        Self::Refuse(e.into())
    }
}

/// The shape every data-changing mutation shares: open one write
/// transaction, run `body` with it and the viewer (who must be logged in),
/// then commit with the audit entry, or roll back on a refusal. The body
/// authorises what it loads and calls infra; it never commits itself.
pub(crate) async fn mutation<P: Payload>(
    ctx: &async_graphql::Context<'_>,
    body: impl AsyncFnOnce(&infra::Tx, &Viewer) -> async_graphql::Result<Done<P>>,
) -> async_graphql::Result<P> {
    let viewer = crate::context::viewer(ctx)?;
    let app = crate::context::app(ctx);
    let tx = app.db.begin_write().await.map_err(internal)?;
    match body(&tx, viewer).await? {
        Done::Commit(payload, targets) => {
            commit(ctx, tx, viewer.school, Some(viewer.user), &targets).await?;
            Ok(payload)
        }
        // Dropping the transaction rolls it back.
        Done::Refuse(e) => Ok(P::refused(vec![e])),
        Done::Answer(payload) => Ok(payload),
        Done::CommitRefusal(e, targets) => {
            commit(ctx, tx, viewer.school, Some(viewer.user), &targets).await?;
            Ok(P::refused(vec![e]))
        }
    }
}

/// The viewer, if the policy (`kernel::policy`) lets them do `action`;
/// otherwise `UNAUTHENTICATED` or `FORBIDDEN`. Every resolver starts here.
pub(crate) fn authorize<'a>(
    ctx: &async_graphql::Context<'a>,
    action: Action,
) -> async_graphql::Result<&'a Viewer> {
    let viewer = crate::context::viewer(ctx)?;
    allow(viewer, action)?;
    Ok(viewer)
}

/// The policy decision for an action whose facts were loaded after
/// authentication (whose session, which student).
pub(crate) fn allow(viewer: &Viewer, action: Action) -> async_graphql::Result<()> {
    kernel::policy::authorize(viewer, action).map_err(|denied| forbidden(denied.0))
}

/// Ends a data-changing mutation: records the audit entry (the mutation's
/// field name, the user, the affected ids, now) and commits, so the entry
/// exists exactly when the change does.
pub(crate) async fn commit(
    ctx: &async_graphql::Context<'_>,
    tx: infra::Tx,
    school: SchoolId,
    user: Option<UserId>,
    targets: &[(Kind, Uuid)],
) -> async_graphql::Result<()> {
    let app = crate::context::app(ctx);
    let targets: Vec<String> = targets
        .iter()
        .map(|(kind, id)| crate::ids::encode(*kind, *id).0)
        .collect();
    infra::repo::audit::record(
        &tx,
        school,
        user,
        ctx.field().name(),
        &targets,
        app.clock.now(),
    )
    .await
    .map_err(internal)?;
    tx.commit().await.map_err(internal)
}

/// Loads one row through a request's loader, masking infra errors.
async fn load<E>(
    loader: &DataLoader<ById<E>, HashMapCache>,
    id: Uuid,
) -> async_graphql::Result<Option<E::Model>>
where
    E: Tenant + Send + Sync + 'static,
    E::Model: Clone + Send + Sync + 'static,
{
    loader.load_one(id).await.map_err(internal)
}

/// Loads an optional reference (a nullable foreign key) through a
/// request's loader: `None` without a query when there is none.
async fn load_opt<E>(
    loader: &DataLoader<ById<E>, HashMapCache>,
    id: Option<Uuid>,
) -> async_graphql::Result<Option<E::Model>>
where
    E: Tenant + Send + Sync + 'static,
    E::Model: Clone + Send + Sync + 'static,
{
    match id {
        Some(id) => load(loader, id).await,
        None => Ok(None),
    }
}
