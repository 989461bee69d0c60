//! Loads everything stored that planned sessions may conflict with (SPEC
//! §3.3), for generation, series edits and hand edits alike: overlapping
//! sessions of the teacher, instructors, assistants, room and students,
//! with their own staff and booked students; the teachers' availability,
//! time off, booked 1-on-1 lessons, buffers and teaching roles; the room's
//! size. A constant number of statements whatever the number of sessions.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use kernel::{OfferingId, RoomId, SchoolId, StudentId, TeacherId};
use scheduling::SessionStatus;
use scheduling::conflict::{ConflictContext, Slot};
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::slot_of;
use crate::Result;
use crate::entity::{
    booking as booking_row, enrolment, offering, room, session, staff_assignment, teacher_time_off,
};
use crate::repo::{self, people};

/// Who and what planned sessions involve.
#[derive(Debug, Clone, Default)]
pub(crate) struct Involved {
    /// The teacher.
    pub teacher: Option<Uuid>,
    /// Instructors and assistants.
    pub staff: Vec<Uuid>,
    /// The room.
    pub room: Option<Uuid>,
    /// Students: a 1-on-1 student, enrolled and booked ones.
    pub students: Vec<Uuid>,
    /// The offering taught (for its required role and the policy).
    pub offering: Option<Uuid>,
}

impl Involved {
    /// Teachers, instructors and assistants, once each.
    fn teachers(&self) -> Vec<Uuid> {
        let mut all: Vec<Uuid> = self.teacher.into_iter().chain(self.staff.clone()).collect();
        all.sort();
        all.dedup();
        all
    }

    /// The planned-slot fields these people fill.
    pub fn fill(&self, slot: &mut Slot) {
        slot.offering = self.offering.map(OfferingId::from_uuid);
        slot.staff = self
            .staff
            .iter()
            .copied()
            .map(TeacherId::from_uuid)
            .collect();
        slot.students = self
            .students
            .iter()
            .copied()
            .map(StudentId::from_uuid)
            .collect();
    }
}

/// The stored sessions (as slots, without `exclude`) and the context that
/// planned sessions within `(from, to)` involving any of `whos` are checked
/// against: one set of statements however many series or sessions.
pub(crate) async fn load(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    whos: &[Involved],
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    exclude: &HashSet<Uuid>,
) -> Result<(Vec<Slot>, ConflictContext)> {
    let union = |f: &dyn Fn(&Involved) -> Vec<Uuid>| -> Vec<Uuid> {
        let mut all: Vec<Uuid> = whos.iter().flat_map(f).collect();
        all.sort();
        all.dedup();
        all
    };
    let teachers = union(&|w| w.teachers());
    let mains = union(&|w| w.teacher.into_iter().collect());
    let rooms = union(&|w| w.room.into_iter().collect());
    let students = union(&|w| w.students.clone());
    // 1. Overlapping live sessions that share a teacher (as teacher or
    //    staff), the room or a student (1-on-1 or booked).
    let mut shares = Condition::any();
    if !teachers.is_empty() {
        shares = shares
            .add(session::Column::TeacherId.is_in(teachers.clone()))
            .add(
                session::Column::Id.in_subquery(
                    Query::select()
                        .column(staff_assignment::Column::SessionId)
                        .from(staff_assignment::Entity)
                        .and_where(staff_assignment::Column::SchoolId.eq(school.uuid()))
                        .and_where(staff_assignment::Column::TeacherId.is_in(teachers.clone()))
                        .and_where(staff_assignment::Column::SessionId.is_not_null())
                        .to_owned(),
                ),
            );
    }
    if !rooms.is_empty() {
        shares = shares.add(session::Column::RoomId.is_in(rooms.clone()));
    }
    if !students.is_empty() {
        shares = shares
            .add(session::Column::StudentId.is_in(students.clone()))
            .add(
                session::Column::Id.in_subquery(
                    Query::select()
                        .column(booking_row::Column::SessionId)
                        .from(booking_row::Entity)
                        .and_where(booking_row::Column::SchoolId.eq(school.uuid()))
                        .and_where(booking_row::Column::StudentId.is_in(students.clone()))
                        .and_where(
                            booking_row::Column::Status.is_in(crate::booking::rows::active()),
                        )
                        .and_where(booking_row::Column::StartsAt.lt(to))
                        .and_where(booking_row::Column::EndsAt.gt(from))
                        .to_owned(),
                ),
            );
    }
    let sessions: Vec<session::Model> = if shares.is_empty() {
        Vec::new()
    } else {
        // Widened by a day so buffers around lessons just outside count.
        let pad = chrono::Duration::days(1);
        session::Entity::find()
            .filter(session::Column::SchoolId.eq(school.uuid()))
            .filter(session::Column::StartsAt.lt(to + pad))
            .filter(session::Column::EndsAt.gt(from - pad))
            .filter(session::Column::Status.is_not_in(SessionStatus::cancelled_names()))
            .filter(shares)
            .all(conn)
            .await?
            .into_iter()
            .filter(|s| !exclude.contains(&s.id))
            .collect()
    };
    let ids: Vec<Uuid> = sessions.iter().map(|s| s.id).collect();
    // 2–3. Their staff and booked students.
    let mut staff_of: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    let mut students_of: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for chunk in ids.chunks(500) {
        let staff: Vec<(Option<Uuid>, Uuid)> = staff_assignment::Entity::find()
            .select_only()
            .column(staff_assignment::Column::SessionId)
            .column(staff_assignment::Column::TeacherId)
            .filter(staff_assignment::Column::SchoolId.eq(school.uuid()))
            .filter(staff_assignment::Column::SessionId.is_in(chunk.to_vec()))
            .into_tuple()
            .all(conn)
            .await?;
        for (s, t) in staff {
            if let Some(s) = s {
                staff_of.entry(s).or_default().push(t);
            }
        }
        let booked: Vec<(Option<Uuid>, Uuid)> = booking_row::Entity::find()
            .select_only()
            .column(booking_row::Column::SessionId)
            .column(booking_row::Column::StudentId)
            .filter(booking_row::Column::SchoolId.eq(school.uuid()))
            .filter(booking_row::Column::SessionId.is_in(chunk.to_vec()))
            .filter(booking_row::Column::Status.is_in(crate::booking::rows::active()))
            .into_tuple()
            .all(conn)
            .await?;
        for (s, st) in booked {
            if let Some(s) = s {
                students_of.entry(s).or_default().push(st);
            }
        }
    }
    let mut existing = Vec::with_capacity(sessions.len());
    for s in &sessions {
        let mut slot = slot_of(s)?;
        slot.staff = staff_of
            .remove(&s.id)
            .unwrap_or_default()
            .into_iter()
            .map(TeacherId::from_uuid)
            .collect();
        slot.students.extend(
            students_of
                .remove(&s.id)
                .unwrap_or_default()
                .into_iter()
                .map(StudentId::from_uuid),
        );
        existing.push(slot);
    }

    let mut ctx = ConflictContext {
        availability: people::availabilities(conn, school, mains.clone()).await?,
        room_capacity: if rooms.is_empty() {
            HashMap::new()
        } else {
            repo::by_ids::<room::Entity>(conn, school, rooms.clone())
                .await?
                .into_values()
                .map(|r| (RoomId::from_uuid(r.id), r.capacity.max(0) as u32))
                .collect()
        },
        ..ConflictContext::default()
    };
    if teachers.is_empty() {
        return Ok((existing, ctx));
    }
    // Time off and 1-on-1 lessons of every teacher involved.
    let off: Vec<teacher_time_off::Model> = teacher_time_off::Entity::find()
        .filter(teacher_time_off::Column::SchoolId.eq(school.uuid()))
        .filter(teacher_time_off::Column::TeacherId.is_in(teachers.clone()))
        .filter(teacher_time_off::Column::StartsAt.lt(to))
        .filter(teacher_time_off::Column::EndsAt.gt(from))
        .all(conn)
        .await?;
    for o in off {
        ctx.time_off
            .entry(TeacherId::from_uuid(o.teacher_id))
            .or_default()
            .push((o.starts_at, o.ends_at));
    }
    let pad = chrono::Duration::days(1);
    let lessons: Vec<(Option<Uuid>, DateTime<Utc>, DateTime<Utc>)> = booking_row::Entity::find()
        .select_only()
        .column(booking_row::Column::TeacherId)
        .column(booking_row::Column::StartsAt)
        .column(booking_row::Column::EndsAt)
        .filter(booking_row::Column::SchoolId.eq(school.uuid()))
        .filter(booking_row::Column::TeacherId.is_in(teachers.clone()))
        .filter(booking_row::Column::SessionId.is_null())
        .filter(booking_row::Column::Status.is_in(crate::booking::rows::active()))
        .filter(booking_row::Column::StartsAt.lt(to + pad))
        .filter(booking_row::Column::EndsAt.gt(from - pad))
        .into_tuple()
        .all(conn)
        .await?;
    for (t, s, e) in lessons {
        if let Some(t) = t {
            ctx.lessons
                .entry(TeacherId::from_uuid(t))
                .or_default()
                .push((s, e));
        }
    }
    // Buffers of each teacher's policy for each offering (the offering's
    // own, if it has one), and their general one for stored sessions.
    let pairs: Vec<(Uuid, Option<Uuid>)> = whos
        .iter()
        .filter_map(|w| w.teacher.map(|t| (t, w.offering)))
        .collect();
    for ((t, o), gap) in crate::booking::policy::buffers_of(conn, school, &pairs).await? {
        ctx.buffers
            .insert((TeacherId::from_uuid(t), o.map(OfferingId::from_uuid)), gap);
    }
    // The offerings' teaching roles, held or not.
    let offerings = union(&|w| w.offering.into_iter().collect());
    let required: HashMap<Uuid, Uuid> = if offerings.is_empty() {
        HashMap::new()
    } else {
        repo::by_ids::<offering::Entity>(conn, school, offerings)
            .await?
            .into_values()
            .filter_map(|o| o.required_role_id.map(|r| (o.id, r)))
            .collect()
    };
    if !required.is_empty() {
        let held = crate::staff::roles_of(conn, school, mains.clone()).await?;
        for w in whos {
            let (Some(t), Some(o)) = (w.teacher, w.offering) else {
                continue;
            };
            if let Some(role) = required.get(&o)
                && !held.get(&t).is_some_and(|r| r.contains(role))
            {
                ctx.unqualified
                    .insert((TeacherId::from_uuid(t), OfferingId::from_uuid(o)));
            }
        }
    }
    Ok((existing, ctx))
}

/// Students with an ACTIVE standing place in the series: sessions created
/// for it will include them.
pub(crate) async fn enrolled(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    series: Uuid,
) -> Result<Vec<Uuid>> {
    Ok(enrolment::Entity::find()
        .select_only()
        .column(enrolment::Column::StudentId)
        .filter(enrolment::Column::SchoolId.eq(school.uuid()))
        .filter(enrolment::Column::SeriesId.eq(series))
        .filter(enrolment::Column::Status.eq(booking::enrolment::EnrolmentStatus::Active.as_str()))
        .into_tuple()
        .all(conn)
        .await?)
}

/// The series' own staff (instructors and assistants), copied to every
/// session it generates.
pub(crate) async fn series_staff(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    series: Uuid,
) -> Result<Vec<Uuid>> {
    Ok(staff_assignment::Entity::find()
        .select_only()
        .column(staff_assignment::Column::TeacherId)
        .filter(staff_assignment::Column::SchoolId.eq(school.uuid()))
        .filter(staff_assignment::Column::SeriesId.eq(series))
        .into_tuple()
        .all(conn)
        .await?)
}
