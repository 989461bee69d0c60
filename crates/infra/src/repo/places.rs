//! Locations and rooms.

use chrono::{DateTime, Utc};
use kernel::{LocationId, RoomId, SchoolId, TimeZone};
use resources::RoomSpec;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};

use crate::entity::{location, room};
use crate::{Result, new_id};

/// Creates a location. `timezone` `None` means the school's zone applies.
pub async fn create_location(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    name: String,
    address: Option<String>,
    timezone: Option<TimeZone>,
    now: DateTime<Utc>,
) -> Result<location::Model> {
    let id: LocationId = new_id();
    Ok(location::ActiveModel {
        id: Set(id.uuid()),
        school_id: Set(school.uuid()),
        name: Set(name),
        address: Set(address),
        timezone: Set(timezone.map(|tz| tz.name().to_owned())),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(tx)
    .await?)
}

/// Creates a room at a location the caller has checked is in `school`.
pub async fn create_room(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    location: LocationId,
    spec: RoomSpec,
    now: DateTime<Utc>,
) -> Result<room::Model> {
    let id: RoomId = new_id();
    Ok(room::ActiveModel {
        id: Set(id.uuid()),
        school_id: Set(school.uuid()),
        location_id: Set(location.uuid()),
        name: Set(spec.name),
        capacity: Set(spec.capacity as i32),
        kind: Set(spec.kind.as_str().to_owned()),
        created_at: Set(now),
        archived_at: Set(None),
        archived_with_location: Set(false),
    }
    .insert(tx)
    .await?)
}

/// Replaces a room's name, capacity and kind with a validated spec.
pub async fn update_room(
    tx: &impl ConnectionTrait,
    r: &room::Model,
    spec: RoomSpec,
) -> Result<room::Model> {
    let mut row: room::ActiveModel = r.clone().into();
    row.name = Set(spec.name);
    row.capacity = Set(spec.capacity as i32);
    row.kind = Set(spec.kind.as_str().to_owned());
    Ok(row.update(tx).await?)
}

/// Rooms of these locations, grouped by location, in name order (one statement).
pub async fn rooms_by_location(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    locations: impl IntoIterator<Item = uuid::Uuid>,
) -> Result<std::collections::HashMap<uuid::Uuid, Vec<room::Model>>> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    let rows = room::Entity::find()
        .filter(room::Column::SchoolId.eq(school.uuid()))
        .filter(room::Column::LocationId.is_in(locations))
        .order_by_asc(room::Column::Name)
        .all(conn)
        .await?;
    let mut out: std::collections::HashMap<uuid::Uuid, Vec<room::Model>> = Default::default();
    for row in rows {
        out.entry(row.location_id).or_default().push(row);
    }
    Ok(out)
}
