//! Tenant-scoped repositories.
//!
//! Every function takes the viewer's [`SchoolId`] and filters by it, so an id
//! from a client that belongs to another school simply finds nothing. The
//! [`Tenant`] trait gives every entity its `school_id` column, which lets
//! [`by_ids`] and [`find`] serve all tables (and all dataloaders) with one
//! `WHERE school_id = ? AND id IN (…)` query each.

pub mod audit;
pub mod families;
pub mod idempotency;
pub mod list;
pub mod organisation;
pub mod people;
pub mod places;

use std::collections::HashMap;

use kernel::SchoolId;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::Result;
use crate::entity::*;

/// An entity whose rows belong to one school.
pub trait Tenant: EntityTrait {
    /// The `school_id` column.
    fn school_column() -> Self::Column;
    /// The `id` column.
    fn id_column() -> Self::Column;
    /// The row's id.
    fn row_id(model: &Self::Model) -> Uuid;
}

macro_rules! tenant {
    ($($module:ident),*) => {$(
        impl Tenant for $module::Entity {
            fn school_column() -> Self::Column {
                $module::Column::SchoolId
            }
            fn id_column() -> Self::Column {
                $module::Column::Id
            }
            fn row_id(model: &Self::Model) -> Uuid {
                model.id
            }
        }
    )*};
}

tenant!(
    user,
    family,
    audit_entry,
    booking,
    booking_policy,
    registration,
    waitlist_entry,
    attendance,
    teaching_role,
    teacher_role,
    staff_assignment,
    teacher_time_off,
    location,
    room,
    teacher,
    student,
    offering,
    class_series,
    session,
    session_cancellation,
    enrolment,
    equipment,
    equipment_allocation,
    maintenance_block,
    material,
    material_access,
    material_grant,
    lead,
    programme,
    subscription,
    subscription_freeze,
    subscription_installment,
    check_in,
    progression_award,
    exam_request,
    consent_change,
    offering_requirement,
    invoice,
    invoice_line,
    payment,
    payment_refund,
    attendance_status,
    makeup_credit,
    credit_entry,
    payout,
    payout_line
);

/// Rows of `E` with these ids in `school`, keyed by id. Ids of other
/// schools (or none) are absent from the map.
pub async fn by_ids<E: Tenant>(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    ids: impl IntoIterator<Item = Uuid>,
) -> Result<HashMap<Uuid, E::Model>> {
    let ids: Vec<Uuid> = ids.into_iter().collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(E::find()
        .filter(E::school_column().eq(school.uuid()))
        .filter(E::id_column().is_in(ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|m| (E::row_id(&m), m))
        .collect())
}

/// One row of `E` in `school`, or `None` (also for another school's id).
pub async fn find<E: Tenant>(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    id: Uuid,
) -> Result<Option<E::Model>> {
    Ok(E::find()
        .filter(E::school_column().eq(school.uuid()))
        .filter(E::id_column().eq(id))
        .one(conn)
        .await?)
}

/// The first `limit` rows of `E` in `school`, ordered by `order`.
pub async fn list<E: Tenant>(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    order: E::Column,
    limit: u64,
) -> Result<Vec<E::Model>> {
    use sea_orm::{QueryOrder, QuerySelect};
    Ok(E::find()
        .filter(E::school_column().eq(school.uuid()))
        .order_by_asc(order)
        .limit(limit)
        .all(conn)
        .await?)
}

/// How many rows of `E` in `school` match `extra`.
pub async fn count<E: Tenant>(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    extra: sea_orm::Condition,
) -> Result<u64>
where
    E::Model: Sync,
{
    use sea_orm::PaginatorTrait;
    Ok(E::find()
        .filter(E::school_column().eq(school.uuid()))
        .filter(extra)
        .count(conn)
        .await?)
}

/// Rows `offset..offset+limit` of `E` in `school` matching `extra`, ordered
/// by `order` and then id, so pages are stable.
pub async fn rows<E: Tenant>(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    extra: sea_orm::Condition,
    order: E::Column,
    descending: bool,
    offset: u64,
    limit: u64,
) -> Result<Vec<E::Model>> {
    use sea_orm::{Order, QueryOrder, QuerySelect};
    let direction = if descending { Order::Desc } else { Order::Asc };
    Ok(E::find()
        .filter(E::school_column().eq(school.uuid()))
        .filter(extra)
        .order_by(order, direction.clone())
        .order_by(E::id_column(), direction)
        .offset(offset)
        .limit(limit)
        .all(conn)
        .await?)
}

/// Rows of `E` in `school` whose `parent` column is one of `parents`,
/// listed by `order`, grouped by `parent_of` (one statement; none when
/// there are no parents). Parents without rows are absent from the map.
pub async fn grouped<E: Tenant>(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    parent: E::Column,
    parent_of: impl Fn(&E::Model) -> Uuid,
    parents: impl IntoIterator<Item = Uuid>,
    order: (E::Column, sea_orm::Order),
) -> Result<HashMap<Uuid, Vec<E::Model>>> {
    use sea_orm::QueryOrder;
    let parents: Vec<Uuid> = parents.into_iter().collect();
    let mut out: HashMap<Uuid, Vec<E::Model>> = HashMap::new();
    if parents.is_empty() {
        return Ok(out);
    }
    for row in E::find()
        .filter(E::school_column().eq(school.uuid()))
        .filter(parent.is_in(parents))
        .order_by(order.0, order.1)
        .all(conn)
        .await?
    {
        out.entry(parent_of(&row)).or_default().push(row);
    }
    Ok(out)
}

/// A row that belongs to a session (bookings, waitlist entries, attendance).
pub trait SessionChild: Tenant {
    /// The `session_id` column.
    fn session_column() -> Self::Column;
    /// The order rows are listed in (creation, or waitlist position).
    fn order_column() -> Self::Column;
    /// The row's session.
    fn session_of(model: &Self::Model) -> Option<Uuid>;
}

macro_rules! session_child {
    ($($module:ident => $order:ident),*) => {$(
        impl SessionChild for $module::Entity {
            fn session_column() -> Self::Column {
                $module::Column::SessionId
            }
            fn order_column() -> Self::Column {
                $module::Column::$order
            }
            fn session_of(model: &Self::Model) -> Option<Uuid> {
                model.session_id.into()
            }
        }
    )*};
}

session_child!(
    staff_assignment => Kind,
    booking => CreatedAt,
    waitlist_entry => Position,
    attendance => RecordedAt
);

/// Rows of `E` of these sessions in `school`, grouped by session (one
/// statement).
pub async fn by_sessions<E: SessionChild>(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    sessions: impl IntoIterator<Item = Uuid>,
) -> Result<HashMap<Uuid, Vec<E::Model>>> {
    use sea_orm::QueryOrder;
    let sessions: Vec<Uuid> = sessions.into_iter().collect();
    let mut out: HashMap<Uuid, Vec<E::Model>> = sessions.iter().map(|s| (*s, Vec::new())).collect();
    if sessions.is_empty() {
        return Ok(out);
    }
    let rows = E::find()
        .filter(E::school_column().eq(school.uuid()))
        .filter(E::session_column().is_in(sessions))
        .order_by_asc(E::order_column())
        .all(conn)
        .await?;
    for row in rows {
        if let Some(s) = E::session_of(&row) {
            out.entry(s).or_default().push(row);
        }
    }
    Ok(out)
}
