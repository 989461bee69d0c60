//! Reads the API shows: bookings of a registration, replacements of
//! rescheduled bookings, teachers' time off, and whether a family's student
//! is in a session. Batched by key where a field of many rows needs them.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use kernel::{RegistrationId, SchoolId, SessionId, StudentId};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::Result;
use crate::entity::{booking as booking_row, registration, teacher_time_off, waitlist_entry};

/// A registration and its bookings in start order.
pub async fn registration(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    id: RegistrationId,
) -> Result<Option<(registration::Model, Vec<booking_row::Model>)>> {
    let Some(model) = crate::repo::find::<registration::Entity>(conn, school, id.uuid()).await?
    else {
        return Ok(None);
    };
    let bookings = booking_row::Entity::find()
        .filter(booking_row::Column::SchoolId.eq(school.uuid()))
        .filter(booking_row::Column::RegistrationId.eq(model.id))
        .order_by_asc(booking_row::Column::StartsAt)
        .all(conn)
        .await?;
    Ok(Some((model, bookings)))
}

/// The booking or waitlist entry with this id (what a replayed
/// `bookSession` created).
pub async fn booking_or_entry(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    id: Uuid,
) -> Result<(Option<booking_row::Model>, Option<waitlist_entry::Model>)> {
    if let Some(b) = crate::repo::find::<booking_row::Entity>(conn, school, id).await? {
        return Ok((Some(b), None));
    }
    Ok((
        None,
        crate::repo::find::<waitlist_entry::Entity>(conn, school, id).await?,
    ))
}

/// The bookings that replaced each of `ids` (by `rescheduled_from`).
pub async fn replacements(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    ids: impl IntoIterator<Item = Uuid>,
) -> Result<HashMap<Uuid, booking_row::Model>> {
    let ids: Vec<Uuid> = ids.into_iter().collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(booking_row::Entity::find()
        .filter(booking_row::Column::SchoolId.eq(school.uuid()))
        .filter(booking_row::Column::RescheduledFromId.is_in(ids))
        .all(conn)
        .await?
        .into_iter()
        .filter_map(|b| Some((b.rescheduled_from_id?, b)))
        .collect())
}

/// Time off of each of `teachers` that ends after `after`, in start order.
pub async fn time_off(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    teachers: impl IntoIterator<Item = Uuid>,
    after: DateTime<Utc>,
) -> Result<HashMap<Uuid, Vec<teacher_time_off::Model>>> {
    let teachers: Vec<Uuid> = teachers.into_iter().collect();
    let mut out: HashMap<Uuid, Vec<teacher_time_off::Model>> = HashMap::new();
    if teachers.is_empty() {
        return Ok(out);
    }
    for row in teacher_time_off::Entity::find()
        .filter(teacher_time_off::Column::SchoolId.eq(school.uuid()))
        .filter(teacher_time_off::Column::TeacherId.is_in(teachers))
        .filter(teacher_time_off::Column::EndsAt.gt(after))
        .order_by_asc(teacher_time_off::Column::StartsAt)
        .all(conn)
        .await?
    {
        out.entry(row.teacher_id).or_default().push(row);
    }
    Ok(out)
}

/// Which of `students` is booked (any status) or waiting in a session, if
/// any: a group session is "for" them too when deciding who may see it.
pub async fn student_in_session(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    session: SessionId,
    students: &[StudentId],
) -> Result<Option<StudentId>> {
    if students.is_empty() {
        return Ok(None);
    }
    let ids = || students.iter().map(|s| s.uuid());
    if let Some(b) = booking_row::Entity::find()
        .filter(booking_row::Column::SchoolId.eq(school.uuid()))
        .filter(booking_row::Column::SessionId.eq(session.uuid()))
        .filter(booking_row::Column::StudentId.is_in(ids()))
        .one(conn)
        .await?
    {
        return Ok(Some(StudentId::from_uuid(b.student_id)));
    }
    Ok(waitlist_entry::Entity::find()
        .filter(waitlist_entry::Column::SchoolId.eq(school.uuid()))
        .filter(waitlist_entry::Column::SessionId.eq(session.uuid()))
        .filter(waitlist_entry::Column::StudentId.is_in(ids()))
        .one(conn)
        .await?
        .map(|w| StudentId::from_uuid(w.student_id)))
}
