//! Equipment: pools at locations, offerings' requirements, maintenance
//! blocks, and the shell of the allocation decision.
//!
//! The shell locks the pools a booking needs in id order and last: after
//! the series, the session or teacher, and any booking being changed, so
//! nothing waits for another lock while holding a pool. It loads what holds them in a constant
//! number of statements, asks `resources::Stock` and writes the
//! allocations it decides. Nothing stores the units left: an allocation
//! holds units over its booking's time while its booking holds a place
//! (PENDING, CONFIRMED, ATTENDED, NO_SHOW), so a cancellation, a decline
//! or a reschedule frees them with no second write, and a session moved
//! in time moves its bookings' equipment with it.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use kernel::{EquipmentId, LocationId, SchoolId};
use resources::{
    Allocation, EquipmentSpec, Hold, MaintenanceBlock, Pool, Requirement, Shortage, Stock,
};
use sea_orm::sea_query::Condition;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QueryOrder,
    QuerySelect, RelationTrait, Set,
};
use uuid::Uuid;

use crate::entity::{
    booking, equipment, equipment_allocation as allocation, maintenance_block,
    offering_requirement as requirement,
};
use crate::{Result, new_id};

/// Stored booking statuses whose allocations hold units: a place that is
/// requested, confirmed or was used (clay used by a student who attended
/// is gone).
fn holding() -> Vec<&'static str> {
    crate::booking::rows::on_roster_or_pending()
}

/// Adds a pool of equipment at a location.
pub async fn create(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    location: LocationId,
    spec: EquipmentSpec,
    now: DateTime<Utc>,
) -> Result<equipment::Model> {
    Ok(equipment::ActiveModel {
        id: Set(new_id()),
        school_id: Set(school.uuid()),
        location_id: Set(location.uuid()),
        name: Set(spec.name),
        quantity: Set(spec.quantity as i32),
        consumable: Set(spec.consumable),
        unit: Set(spec.unit),
        created_at: Set(now),
    }
    .insert(tx)
    .await?)
}

/// Replaces an offering's requirements. `Err(i)` when the `i`th item names
/// equipment that is not the school's (nothing is written).
pub async fn set_requirements(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    offering: Uuid,
    items: &[Requirement],
) -> Result<std::result::Result<Vec<requirement::Model>, usize>> {
    let known = crate::repo::by_ids::<equipment::Entity>(
        tx,
        school,
        items.iter().map(|r| r.equipment.uuid()),
    )
    .await?;
    if let Some(i) = items
        .iter()
        .position(|r| !known.contains_key(&r.equipment.uuid()))
    {
        return Ok(Err(i));
    }
    requirement::Entity::delete_many()
        .filter(requirement::Column::SchoolId.eq(school.uuid()))
        .filter(requirement::Column::OfferingId.eq(offering))
        .exec(tx)
        .await?;
    let rows: Vec<requirement::Model> = items
        .iter()
        .map(|r| requirement::Model {
            id: new_id(),
            school_id: school.uuid(),
            offering_id: offering,
            equipment_id: r.equipment.uuid(),
            per_student: r.per_student as i32,
        })
        .collect();
    if !rows.is_empty() {
        requirement::Entity::insert_many(rows.iter().cloned().map(requirement::ActiveModel::from))
            .exec(tx)
            .await?;
    }
    Ok(Ok(rows))
}

/// The requirements of these offerings, each list in equipment id order.
pub async fn requirements_of(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    offerings: impl IntoIterator<Item = Uuid>,
) -> Result<HashMap<Uuid, Vec<requirement::Model>>> {
    crate::repo::grouped::<requirement::Entity>(
        conn,
        school,
        requirement::Column::OfferingId,
        |r| r.offering_id,
        offerings,
        (requirement::Column::EquipmentId, sea_orm::Order::Asc),
    )
    .await
}

/// The pools of a location (or of the school), by name.
pub async fn list(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    location: Option<LocationId>,
) -> Result<Vec<equipment::Model>> {
    let mut q = equipment::Entity::find().filter(equipment::Column::SchoolId.eq(school.uuid()));
    if let Some(l) = location {
        q = q.filter(equipment::Column::LocationId.eq(l.uuid()));
    }
    Ok(q.order_by_asc(equipment::Column::Name)
        .order_by_asc(equipment::Column::Id)
        .all(conn)
        .await?)
}

/// Locks pools of the school in id order and reads them afresh.
async fn lock(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    ids: impl IntoIterator<Item = Uuid>,
) -> Result<Vec<equipment::Model>> {
    let ids: Vec<Uuid> = ids.into_iter().collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(equipment::Entity::find()
        .filter(equipment::Column::SchoolId.eq(school.uuid()))
        .filter(equipment::Column::Id.is_in(ids))
        .order_by_asc(equipment::Column::Id)
        .lock_exclusive()
        .all(tx)
        .await?)
}

/// What holds some pools around a time, as loaded: maintenance blocks
/// (their own span) and live bookings' units (their booking's span; the
/// pool decides how long a booking holds it).
#[derive(Debug, Default)]
struct Held {
    blocks: HashMap<Uuid, Vec<Hold>>,
    booked: HashMap<Uuid, Vec<BookedUnits>>,
}

/// A live booking's units of a pool: its start, end and quantity.
type BookedUnits = (DateTime<Utc>, DateTime<Utc>, u32);

/// What holds these pools from `from` to `to` (for consumable pools, from
/// `from` on), in two statements. The allocations of `except` (bookings
/// whose equipment is being changed) are left out.
async fn holds(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    pools: &[equipment::Model],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    except: &[Uuid],
) -> Result<Held> {
    let mut out = Held::default();
    if pools.is_empty() {
        return Ok(out);
    }
    let (used_up, returned): (Vec<&equipment::Model>, Vec<&equipment::Model>) =
        pools.iter().partition(|p| p.consumable);
    let used_up: Vec<Uuid> = used_up.iter().map(|p| p.id).collect();
    let returned: Vec<Uuid> = returned.iter().map(|p| p.id).collect();
    let blocks = maintenance_block::Entity::find()
        .filter(maintenance_block::Column::SchoolId.eq(school.uuid()))
        .filter(maintenance_block::Column::EquipmentId.is_in(pools.iter().map(|p| p.id)))
        .filter(maintenance_block::Column::EndsAt.gt(from))
        .filter(
            Condition::any()
                .add(maintenance_block::Column::EquipmentId.is_in(used_up.clone()))
                .add(maintenance_block::Column::StartsAt.lt(to)),
        )
        .all(conn)
        .await?;
    for b in blocks {
        out.blocks.entry(b.equipment_id).or_default().push(Hold {
            from: b.starts_at,
            to: Some(b.ends_at),
            quantity: b.quantity.max(0) as u32,
        });
    }
    let mut live = allocation::Entity::find()
        .select_only()
        .column(allocation::Column::EquipmentId)
        .column(allocation::Column::Quantity)
        .column_as(booking::Column::StartsAt, "starts_at")
        .column_as(booking::Column::EndsAt, "ends_at")
        .join(JoinType::InnerJoin, allocation::Relation::Booking.def())
        .filter(allocation::Column::SchoolId.eq(school.uuid()))
        .filter(booking::Column::Status.is_in(holding()))
        .filter(
            Condition::any()
                // A consumable used before `from` is still gone.
                .add(allocation::Column::EquipmentId.is_in(used_up))
                .add(
                    Condition::all()
                        .add(allocation::Column::EquipmentId.is_in(returned))
                        .add(booking::Column::StartsAt.lt(to))
                        .add(booking::Column::EndsAt.gt(from)),
                ),
        );
    if !except.is_empty() {
        live = live.filter(allocation::Column::BookingId.is_not_in(except.iter().copied()));
    }
    let rows: Vec<(Uuid, i32, DateTime<Utc>, DateTime<Utc>)> = live.into_tuple().all(conn).await?;
    for (pool, quantity, starts, ends) in rows {
        out.booked
            .entry(pool)
            .or_default()
            .push((starts, ends, quantity.max(0) as u32));
    }
    Ok(out)
}

fn pool(row: &equipment::Model, held: &mut Held) -> Pool {
    let mut p = Pool {
        id: EquipmentId::from_uuid(row.id),
        name: row.name.clone(),
        total: row.quantity.max(0) as u32,
        consumable: row.consumable,
        holds: held.blocks.remove(&row.id).unwrap_or_default(),
    };
    for (from, to, quantity) in held.booked.remove(&row.id).unwrap_or_default() {
        let h = p.booking_hold(from, to, quantity);
        p.holds.push(h);
    }
    p
}

/// What an offering's bookings need, and where: requirements whose pool is
/// at `location` (a group session's), or all of them for a 1-on-1 lesson,
/// which has no location of its own.
#[derive(Debug, Clone, Copy)]
pub struct Demand {
    /// The offering taught.
    pub offering: Option<Uuid>,
    /// Where, if known.
    pub location: Option<Uuid>,
}

/// Locks the pools `demand` needs and loads what holds them from `from`
/// to `to`: the stock every booking of the transaction is decided against.
/// One statement when the offering requires nothing; four otherwise.
pub async fn stock(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    demand: Demand,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Stock> {
    let Some(offering) = demand.offering else {
        return Ok(Stock::default());
    };
    let needs = requirements_of(tx, school, [offering])
        .await?
        .remove(&offering)
        .unwrap_or_default();
    if needs.is_empty() {
        return Ok(Stock::default());
    }
    let pools: Vec<equipment::Model> = lock(tx, school, needs.iter().map(|r| r.equipment_id))
        .await?
        .into_iter()
        .filter(|p| demand.location.is_none_or(|l| p.location_id == l))
        .collect();
    let mut held = holds(tx, school, &pools, from, to, &[]).await?;
    Ok(Stock::new(
        pools
            .iter()
            .filter_map(|p| {
                let per = needs.iter().find(|r| r.equipment_id == p.id)?.per_student;
                Some((pool(p, &mut held), per.max(0) as u32))
            })
            .collect(),
    ))
}

/// Writes the allocations decided for a booking (one statement).
pub async fn write(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    booking: Uuid,
    decided: &[Allocation],
    now: DateTime<Utc>,
) -> Result<()> {
    let rows: Vec<allocation::ActiveModel> = decided
        .iter()
        .filter(|a| a.quantity > 0)
        .map(|a| allocation::ActiveModel {
            id: Set(new_id()),
            school_id: Set(school.uuid()),
            equipment_id: Set(a.equipment.uuid()),
            booking_id: Set(booking),
            quantity: Set(a.quantity as i32),
            created_at: Set(now),
        })
        .collect();
    if !rows.is_empty() {
        allocation::Entity::insert_many(rows).exec(tx).await?;
    }
    Ok(())
}

/// Locks a pool of the school.
pub async fn lock_one(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    id: EquipmentId,
) -> Result<Option<equipment::Model>> {
    Ok(lock(tx, school, [id.uuid()]).await?.pop())
}

/// Takes units out for maintenance, if they are free then (a block never
/// takes units a booking holds); the pool is locked by the caller.
pub async fn add_maintenance(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    row: &equipment::Model,
    block: MaintenanceBlock,
    note: Option<String>,
    by: kernel::UserId,
    now: DateTime<Utc>,
) -> Result<std::result::Result<maintenance_block::Model, Shortage>> {
    let mut held = holds(
        tx,
        school,
        std::slice::from_ref(row),
        block.from,
        block.to,
        &[],
    )
    .await?;
    if let Err(e) = resources::allocation::take_out(&pool(row, &mut held), block) {
        return Ok(Err(e));
    }
    Ok(Ok(maintenance_block::ActiveModel {
        id: Set(new_id()),
        school_id: Set(school.uuid()),
        equipment_id: Set(row.id),
        quantity: Set(block.quantity as i32),
        starts_at: Set(block.from),
        ends_at: Set(block.to),
        note: Set(note),
        created_by: Set(Some(by.uuid())),
        created_at: Set(now),
    }
    .insert(tx)
    .await?))
}

/// Why a booking's equipment could not be changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeRefused {
    /// The booking no longer holds a place (cancelled, declined, moved or
    /// already over).
    NotLive,
    /// The `i`th item names a pool that is not the school's, or not at the
    /// booking's location.
    Unknown(usize),
    /// A family asked for more than the booking's seats need.
    BeyondShare(resources::allocation::BeyondShare),
    /// Not enough units free.
    Short(Shortage),
}

/// Sets the units a live booking holds of some pools (0 gives them back),
/// if they are free over its time apart from what it holds now; a family
/// (`office` false) up to what its seats need. Locks the booking's session
/// (or teacher) and the booking, then the pools.
pub async fn change_booking(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    b: &booking::Model,
    items: &[(EquipmentId, u32)],
    office: bool,
    now: DateTime<Utc>,
) -> Result<std::result::Result<Vec<allocation::Model>, ChangeRefused>> {
    let b = crate::booking::rows::lock_booking(tx, school, b).await?;
    if !crate::booking::rows::status_of(&b)?.holds_seats() {
        return Ok(Err(ChangeRefused::NotLive));
    }
    let location = match b.session_id {
        Some(sid) => crate::repo::find::<crate::entity::session::Entity>(tx, school, sid)
            .await?
            .map(|s| s.location_id),
        None => None,
    };
    let pools = lock(tx, school, items.iter().map(|(id, _)| id.uuid())).await?;
    for (i, (id, _)) in items.iter().enumerate() {
        let at_place = pools
            .iter()
            .any(|p| p.id == id.uuid() && location.is_none_or(|l| l == p.location_id));
        if !at_place {
            return Ok(Err(ChangeRefused::Unknown(i)));
        }
    }
    let needs = match b.offering_id {
        Some(o) => requirements_of(tx, school, [o])
            .await?
            .remove(&o)
            .unwrap_or_default(),
        None => Vec::new(),
    };
    let mut held = holds(tx, school, &pools, b.starts_at, b.ends_at, &[b.id]).await?;
    let mut decided = Vec::with_capacity(items.len());
    for (id, quantity) in items {
        let row = pools
            .iter()
            .find(|p| p.id == id.uuid())
            .expect("every item was found above");
        let per = needs
            .iter()
            .find(|r| r.equipment_id == row.id)
            .map_or(0, |r| r.per_student.max(0) as u32);
        let share = per.saturating_mul(b.seats.max(0) as u32);
        if let Err(e) = resources::allocation::may_set(office, &row.name, *quantity, share) {
            return Ok(Err(ChangeRefused::BeyondShare(e)));
        }
        match resources::allocation::hold(&pool(row, &mut held), *quantity, b.starts_at, b.ends_at)
        {
            Ok(a) => decided.push(a),
            Err(e) => return Ok(Err(ChangeRefused::Short(e))),
        }
    }
    allocation::Entity::delete_many()
        .filter(allocation::Column::SchoolId.eq(school.uuid()))
        .filter(allocation::Column::BookingId.eq(b.id))
        .filter(allocation::Column::EquipmentId.is_in(items.iter().map(|(id, _)| id.uuid())))
        .exec(tx)
        .await?;
    write(tx, school, b.id, &decided, now).await?;
    Ok(Ok(of_bookings(tx, school, [b.id])
        .await?
        .remove(&b.id)
        .unwrap_or_default()))
}

/// After sessions moved (their bookings already carry the new times),
/// checks that what those bookings hold still fits at the new times; the
/// caller rolls back on a shortage. Locks the pools involved, last.
pub async fn recheck_moved(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    moved: &[crate::entity::session::Model],
) -> Result<std::result::Result<(), Shortage>> {
    if moved.is_empty() {
        return Ok(Ok(()));
    }
    // (session, pool, units) held by the moved sessions' live bookings.
    let own: Vec<(Option<Uuid>, Uuid, i32)> = allocation::Entity::find()
        .select_only()
        .column(booking::Column::SessionId)
        .column(allocation::Column::EquipmentId)
        .column(allocation::Column::Quantity)
        .join(JoinType::InnerJoin, allocation::Relation::Booking.def())
        .filter(allocation::Column::SchoolId.eq(school.uuid()))
        .filter(booking::Column::Status.is_in(holding()))
        .filter(booking::Column::SessionId.is_in(moved.iter().map(|s| s.id)))
        .into_tuple()
        .all(tx)
        .await?;
    if own.is_empty() {
        return Ok(Ok(()));
    }
    let rows = lock(tx, school, own.iter().map(|(_, p, _)| *p)).await?;
    let from = moved.iter().map(|s| s.starts_at).min().expect("not empty");
    let to = moved.iter().map(|s| s.ends_at).max().expect("not empty");
    let mut held = holds(tx, school, &rows, from, to, &[]).await?;
    let pools: Vec<Pool> = rows.iter().map(|row| pool(row, &mut held)).collect();
    for s in moved {
        for p in &pools {
            let units: u32 = own
                .iter()
                .filter(|(sid, pid, _)| *sid == Some(s.id) && *pid == p.id.uuid())
                .map(|(.., q)| (*q).max(0) as u32)
                .sum();
            if units == 0 {
                continue;
            }
            if let Err(e) = resources::allocation::still_fits(p, units, s.starts_at, s.ends_at) {
                return Ok(Err(e));
            }
        }
    }
    Ok(Ok(()))
}

/// Locks every pool these offerings require, in id order, before a run
/// of placements for several series (a term): each series then re-locks
/// pools it already holds, so the run never takes pools out of order
/// against a concurrent booking.
pub async fn lock_for_offerings(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    offerings: impl IntoIterator<Item = Uuid>,
) -> Result<()> {
    let needs = requirements_of(tx, school, offerings).await?;
    let ids: std::collections::BTreeSet<Uuid> =
        needs.values().flatten().map(|r| r.equipment_id).collect();
    lock(tx, school, ids).await?;
    Ok(())
}

/// The most seats a session's equipment allows one more booking.
pub fn seats_allowed(outlook: &[Outlook]) -> Option<u32> {
    resources::allocation::seats_from(outlook.iter().map(|o| (o.available, o.per_student)))
}

/// The allocations of these bookings, by booking.
pub async fn of_bookings(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    bookings: impl IntoIterator<Item = Uuid>,
) -> Result<HashMap<Uuid, Vec<allocation::Model>>> {
    crate::repo::grouped::<allocation::Entity>(
        conn,
        school,
        allocation::Column::BookingId,
        |r| r.booking_id,
        bookings,
        (allocation::Column::EquipmentId, sea_orm::Order::Asc),
    )
    .await
}

/// A session (or anything booked) whose equipment outlook is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Booked {
    /// The offering taught.
    pub offering: Uuid,
    /// Where.
    pub location: Uuid,
    /// Start.
    pub from: DateTime<Utc>,
    /// End.
    pub to: DateTime<Utc>,
}

/// One requirement of a session as its page shows it.
#[derive(Debug, Clone)]
pub struct Outlook {
    /// The pool.
    pub equipment: equipment::Model,
    /// Units one student needs.
    pub per_student: u32,
    /// Units free over the session's time.
    pub available: u32,
}

/// The equipment outlook of many sessions at once, in at most four
/// statements whatever their number (requirements, pools, maintenance,
/// allocations): what rosters, calendars and the class browser show.
pub async fn outlook(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    asked: &[Booked],
) -> Result<HashMap<Booked, Vec<Outlook>>> {
    let mut out: HashMap<Booked, Vec<Outlook>> = HashMap::new();
    let needs = requirements_of(conn, school, asked.iter().map(|b| b.offering)).await?;
    if needs.is_empty() {
        return Ok(out);
    }
    let pools = crate::repo::by_ids::<equipment::Entity>(
        conn,
        school,
        needs.values().flatten().map(|r| r.equipment_id),
    )
    .await?;
    let relevant: Vec<&Booked> = asked
        .iter()
        .filter(|b| needs.contains_key(&b.offering))
        .collect();
    let (Some(from), Some(to)) = (
        relevant.iter().map(|b| b.from).min(),
        relevant.iter().map(|b| b.to).max(),
    ) else {
        return Ok(out);
    };
    let pool_rows: Vec<equipment::Model> = pools.values().cloned().collect();
    let mut held = holds(conn, school, &pool_rows, from, to, &[]).await?;
    let by_id: BTreeMap<Uuid, Pool> = pool_rows
        .iter()
        .map(|row| (row.id, pool(row, &mut held)))
        .collect();
    for b in relevant {
        let list = needs[&b.offering]
            .iter()
            .filter_map(|r| {
                let p = by_id.get(&r.equipment_id)?;
                let row = &pools[&r.equipment_id];
                (row.location_id == b.location).then(|| Outlook {
                    equipment: row.clone(),
                    per_student: r.per_student.max(0) as u32,
                    available: p.free(b.from, b.to),
                })
            })
            .collect();
        out.insert(*b, list);
    }
    Ok(out)
}

/// The free units of each pool of a location over `[from, to)`, as spans.
pub async fn timelines(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    location: LocationId,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<(equipment::Model, Vec<resources::Span>)>> {
    let pools = list(conn, school, Some(location)).await?;
    let mut held = holds(conn, school, &pools, from, to, &[]).await?;
    Ok(pools
        .into_iter()
        .map(|row| {
            let p = pool(&row, &mut held);
            let spans = resources::availability::timeline(p.total, &p.holds, from, to);
            (row, spans)
        })
        .collect())
}
