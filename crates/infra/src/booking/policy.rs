//! Booking policies: saving one per teacher (and offering), and resolving
//! the one that applies through the core's single rule
//! (`booking::policy::pick`).

use booking::BookingPolicy;
use booking::policy::{PolicyInput, pick};
use chrono::{DateTime, Duration, Utc};
use kernel::{OfferingId, SchoolId, TeacherId};
use sea_orm::{
    ActiveModelTrait, ActiveValue, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set,
};

use super::rows::lock_teacher;
use crate::entity::booking_policy;
use crate::{Result, new_id};

fn policy_of(row: &booking_policy::Model) -> BookingPolicy {
    BookingPolicy {
        requires_approval_one_on_one: row.requires_approval_one_on_one,
        requires_approval_group: row.requires_approval_group,
        min_notice: Duration::hours(i64::from(row.min_notice_hours)),
        cancel_window: Duration::hours(i64::from(row.cancel_window_hours)),
        buffer_before: Duration::minutes(i64::from(row.buffer_before_minutes)),
        buffer_after: Duration::minutes(i64::from(row.buffer_after_minutes)),
        max_bookings_per_day: row.max_bookings_per_day.map(|n| n.max(0) as u32),
        horizon: row.horizon_days.map(|d| Duration::days(i64::from(d))),
        waitlist_offer: Duration::minutes(i64::from(row.waitlist_offer_minutes)),
    }
}

async fn saved(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    teacher: TeacherId,
) -> Result<Vec<booking_policy::Model>> {
    Ok(booking_policy::Entity::find()
        .filter(booking_policy::Column::SchoolId.eq(school.uuid()))
        .filter(booking_policy::Column::TeacherId.eq(teacher.uuid()))
        .all(conn)
        .await?)
}

/// The policy that applies to each of `teachers` (with `offering`), from
/// one statement; the default for a teacher without a saved one.
pub async fn policies_for(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    teachers: &[uuid::Uuid],
    offering: Option<OfferingId>,
) -> Result<std::collections::HashMap<uuid::Uuid, BookingPolicy>> {
    let rows = if teachers.is_empty() {
        Vec::new()
    } else {
        booking_policy::Entity::find()
            .filter(booking_policy::Column::SchoolId.eq(school.uuid()))
            .filter(booking_policy::Column::TeacherId.is_in(teachers.to_vec()))
            .all(conn)
            .await?
    };
    Ok(teachers
        .iter()
        .map(|t| {
            let mine: Vec<&booking_policy::Model> =
                rows.iter().filter(|r| r.teacher_id == *t).collect();
            let policy = pick(&mine, offering.map(OfferingId::uuid), |r| r.offering_id)
                .map_or_else(BookingPolicy::default, |r| policy_of(r));
            (*t, policy)
        })
        .collect())
}

/// The buffers (before, after) of each (teacher, offering) of `pairs`, and
/// of each teacher's general policy (offering `None`, what their stored
/// sessions are held to), from one statement. Pairs without buffers are
/// left out.
pub async fn buffers_of(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    pairs: &[(uuid::Uuid, Option<uuid::Uuid>)],
) -> Result<std::collections::HashMap<(uuid::Uuid, Option<uuid::Uuid>), (Duration, Duration)>> {
    let mut out = std::collections::HashMap::new();
    if pairs.is_empty() {
        return Ok(out);
    }
    let rows = booking_policy::Entity::find()
        .filter(booking_policy::Column::SchoolId.eq(school.uuid()))
        .filter(booking_policy::Column::TeacherId.is_in(pairs.iter().map(|(t, _)| *t)))
        .all(conn)
        .await?;
    let general = pairs.iter().map(|(t, _)| (*t, None));
    for (teacher, offering) in pairs.iter().copied().chain(general) {
        let mine: Vec<&booking_policy::Model> =
            rows.iter().filter(|r| r.teacher_id == teacher).collect();
        let Some(row) = pick(&mine, offering, |r| r.offering_id) else {
            continue;
        };
        let p = policy_of(row);
        if !(p.buffer_before.is_zero() && p.buffer_after.is_zero()) {
            out.insert((teacher, offering), (p.buffer_before, p.buffer_after));
        }
    }
    Ok(out)
}

/// The saved policy row that applies to a teacher (and offering), if any.
pub async fn applicable_policy(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    teacher: TeacherId,
    offering: Option<OfferingId>,
) -> Result<Option<booking_policy::Model>> {
    let rows = saved(conn, school, teacher).await?;
    Ok(pick(&rows, offering.map(OfferingId::uuid), |r| r.offering_id).cloned())
}

/// The policy that applies to a teacher (and offering); the default when
/// none was saved or there is no teacher.
pub async fn policy_for(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    teacher: Option<TeacherId>,
    offering: Option<OfferingId>,
) -> Result<BookingPolicy> {
    let Some(teacher) = teacher else {
        return Ok(BookingPolicy::default());
    };
    Ok(applicable_policy(conn, school, teacher, offering)
        .await?
        .as_ref()
        .map(policy_of)
        .unwrap_or_default())
}

/// Saves a teacher's (or teacher-and-offering's) policy, replacing the
/// old. The teacher's row is locked first, so two concurrent saves update
/// one row in turn; the partial unique indexes are the backstop.
pub async fn set_policy(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    teacher: TeacherId,
    offering: Option<OfferingId>,
    input: PolicyInput,
    now: DateTime<Utc>,
) -> Result<booking_policy::Model> {
    lock_teacher(tx, school, teacher).await?;
    let offering = offering.map(OfferingId::uuid);
    let found = saved(tx, school, teacher)
        .await?
        .into_iter()
        .find(|r| r.offering_id == offering);
    let row = booking_policy::ActiveModel {
        id: match &found {
            Some(f) => ActiveValue::Unchanged(f.id),
            None => Set(new_id()),
        },
        school_id: Set(school.uuid()),
        teacher_id: Set(teacher.uuid()),
        offering_id: Set(offering),
        requires_approval_one_on_one: Set(input.requires_approval_one_on_one),
        requires_approval_group: Set(input.requires_approval_group),
        min_notice_hours: Set(input.min_notice_hours as i32),
        cancel_window_hours: Set(input.cancel_window_hours as i32),
        buffer_before_minutes: Set(input.buffer_before_minutes as i32),
        buffer_after_minutes: Set(input.buffer_after_minutes as i32),
        max_bookings_per_day: Set(input.max_bookings_per_day.map(|n| n as i32)),
        horizon_days: Set(input.horizon_days.map(|n| n as i32)),
        waitlist_offer_minutes: Set(input
            .waitlist_offer_minutes
            .unwrap_or_else(|| BookingPolicy::default().waitlist_offer.num_minutes())
            as i32),
        updated_at: Set(now),
    };
    Ok(if found.is_some() {
        row.update(tx).await?
    } else {
        row.insert(tx).await?
    })
}
