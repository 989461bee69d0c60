//! Staff assignment: teaching roles, who holds them, instructors and
//! assistants per series (copied to generated sessions) and per session,
//! and the eligible free staff of a session.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use kernel::{SchoolId, TeacherId, TeachingRoleId};
use scheduling::staff::{self, Staff};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

use crate::entity::{
    class_series, offering, session, staff_assignment, teacher, teacher_role, teaching_role,
};
use crate::{Result, new_id};

/// A `[start, end)` of busy time.
type Interval = (DateTime<Utc>, DateTime<Utc>);

/// Stored kinds of assignment.
pub const INSTRUCTOR: &str = "INSTRUCTOR";
/// See [`INSTRUCTOR`].
pub const ASSISTANT: &str = "ASSISTANT";

/// Creates a teaching role.
pub async fn create_role(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    name: String,
    now: DateTime<Utc>,
) -> Result<teaching_role::Model> {
    Ok(teaching_role::ActiveModel {
        id: Set(new_id()),
        school_id: Set(school.uuid()),
        name: Set(name),
        created_at: Set(now),
    }
    .insert(tx)
    .await?)
}

/// Gives a teacher a role (nothing if they hold it).
pub async fn grant_role(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    teacher: Uuid,
    role: Uuid,
) -> Result<()> {
    let held = teacher_role::Entity::find()
        .filter(teacher_role::Column::SchoolId.eq(school.uuid()))
        .filter(teacher_role::Column::TeacherId.eq(teacher))
        .filter(teacher_role::Column::RoleId.eq(role))
        .one(tx)
        .await?;
    if held.is_none() {
        teacher_role::ActiveModel {
            id: Set(new_id()),
            school_id: Set(school.uuid()),
            teacher_id: Set(teacher),
            role_id: Set(role),
        }
        .insert(tx)
        .await?;
    }
    Ok(())
}

/// Roles held, by teacher.
pub async fn roles_of(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    teachers: impl IntoIterator<Item = Uuid>,
) -> Result<HashMap<Uuid, Vec<Uuid>>> {
    let teachers: Vec<Uuid> = teachers.into_iter().collect();
    let mut out: HashMap<Uuid, Vec<Uuid>> = teachers.iter().map(|t| (*t, vec![])).collect();
    if teachers.is_empty() {
        return Ok(out);
    }
    for row in teacher_role::Entity::find()
        .filter(teacher_role::Column::SchoolId.eq(school.uuid()))
        .filter(teacher_role::Column::TeacherId.is_in(teachers))
        .all(conn)
        .await?
    {
        out.entry(row.teacher_id).or_default().push(row.role_id);
    }
    Ok(out)
}

/// The staff assignments of each of `series`, in the order they were made.
pub async fn assignments_by_series(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    series: impl IntoIterator<Item = Uuid>,
) -> Result<HashMap<Uuid, Vec<staff_assignment::Model>>> {
    let series: Vec<Uuid> = series.into_iter().collect();
    let mut out: HashMap<Uuid, Vec<staff_assignment::Model>> = HashMap::new();
    if series.is_empty() {
        return Ok(out);
    }
    for row in staff_assignment::Entity::find()
        .filter(staff_assignment::Column::SchoolId.eq(school.uuid()))
        .filter(staff_assignment::Column::SeriesId.is_in(series))
        .all(conn)
        .await?
    {
        if let Some(s) = row.series_id {
            out.entry(s).or_default().push(row);
        }
    }
    Ok(out)
}

/// What an assignment is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A series: its future sessions and every session generated later.
    Series(Uuid),
    /// One session.
    Session(Uuid),
}

async fn replace(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    series: Option<Uuid>,
    session_id: Option<Uuid>,
    instructors: &[Uuid],
    assistants: &[Uuid],
) -> Result<()> {
    let mut old = staff_assignment::Entity::delete_many()
        .filter(staff_assignment::Column::SchoolId.eq(school.uuid()));
    old = match (series, session_id) {
        (Some(s), _) => old.filter(staff_assignment::Column::SeriesId.eq(s)),
        (None, Some(s)) => old.filter(staff_assignment::Column::SessionId.eq(s)),
        (None, None) => return Ok(()),
    };
    old.exec(tx).await?;
    let rows: Vec<staff_assignment::ActiveModel> = instructors
        .iter()
        .map(|t| (t, INSTRUCTOR))
        .chain(assistants.iter().map(|t| (t, ASSISTANT)))
        .map(|(t, kind)| staff_assignment::ActiveModel {
            id: Set(new_id()),
            school_id: Set(school.uuid()),
            series_id: Set(series),
            session_id: Set(session_id),
            teacher_id: Set(*t),
            kind: Set(kind.to_owned()),
        })
        .collect();
    if !rows.is_empty() {
        staff_assignment::Entity::insert_many(rows).exec(tx).await?;
    }
    Ok(())
}

/// Sets the instructors and assistants of a series (and of its sessions
/// that have not started) or of one session.
pub async fn assign(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    target: Target,
    instructors: &[Uuid],
    assistants: &[Uuid],
    now: DateTime<Utc>,
) -> Result<()> {
    match target {
        Target::Session(s) => replace(tx, school, None, Some(s), instructors, assistants).await,
        Target::Series(series) => {
            replace(tx, school, Some(series), None, instructors, assistants).await?;
            let sessions = session::Entity::find()
                .filter(session::Column::SchoolId.eq(school.uuid()))
                .filter(session::Column::SeriesId.eq(series))
                .filter(session::Column::StartsAt.gt(now))
                .filter(session::Column::Detached.eq(false))
                .all(tx)
                .await?;
            for s in sessions {
                replace(tx, school, None, Some(s.id), instructors, assistants).await?;
            }
            Ok(())
        }
    }
}

/// Copies a series' staff to sessions just generated from it.
pub async fn copy_series_staff(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    series: Uuid,
    created: &[session::Model],
) -> Result<()> {
    if created.is_empty() {
        return Ok(());
    }
    let staff = staff_assignment::Entity::find()
        .filter(staff_assignment::Column::SchoolId.eq(school.uuid()))
        .filter(staff_assignment::Column::SeriesId.eq(series))
        .all(tx)
        .await?;
    if staff.is_empty() {
        return Ok(());
    }
    let rows: Vec<staff_assignment::ActiveModel> = created
        .iter()
        .flat_map(|s| {
            staff.iter().map(move |a| staff_assignment::ActiveModel {
                id: Set(new_id()),
                school_id: Set(school.uuid()),
                series_id: Set(None),
                session_id: Set(Some(s.id)),
                teacher_id: Set(a.teacher_id),
                kind: Set(a.kind.clone()),
            })
        })
        .collect();
    for chunk in rows.chunks(500) {
        staff_assignment::Entity::insert_many(chunk.to_vec())
            .exec(tx)
            .await?;
    }
    Ok(())
}

/// The teaching role a session's offering requires, if any.
pub async fn required_role(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    s: &session::Model,
) -> Result<Option<Uuid>> {
    let Some(series_id) = s.series_id else {
        return Ok(None);
    };
    let Some(series) = crate::repo::find::<class_series::Entity>(conn, school, series_id).await?
    else {
        return Ok(None);
    };
    Ok(
        crate::repo::find::<offering::Entity>(conn, school, series.offering_id)
            .await?
            .and_then(|o| o.required_role_id),
    )
}

/// Whether a teacher holds the role (true when none is required).
pub async fn holds(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    teacher: Uuid,
    role: Option<Uuid>,
) -> Result<bool> {
    let Some(role) = role else { return Ok(true) };
    Ok(roles_of(conn, school, [teacher])
        .await?
        .get(&teacher)
        .is_some_and(|r| r.contains(&role)))
}

/// Staff who hold the session's required role and are free for it, by
/// last name.
pub async fn eligible_for(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    s: &session::Model,
) -> Result<Vec<teacher::Model>> {
    let required = required_role(conn, school, s).await?;
    // Archived staff are never offered.
    let teachers = teacher::Entity::find()
        .filter(teacher::Column::SchoolId.eq(school.uuid()))
        .filter(teacher::Column::ArchivedAt.is_null())
        .order_by_asc(teacher::Column::LastName)
        .all(conn)
        .await?;
    let ids: Vec<Uuid> = teachers.iter().map(|t| t.id).collect();
    let roles = roles_of(conn, school, ids.iter().copied()).await?;
    let availability =
        crate::repo::people::availabilities(conn, school, ids.iter().copied()).await?;
    // Everything overlapping the session, other than the session itself.
    let overlapping = session::Entity::find()
        .filter(session::Column::SchoolId.eq(school.uuid()))
        .filter(session::Column::Id.ne(s.id))
        .filter(session::Column::Status.is_not_in(["CANCELLED", "CANCELLED_BY_TEACHER"]))
        .filter(session::Column::StartsAt.lt(s.ends_at))
        .filter(session::Column::EndsAt.gt(s.starts_at))
        .all(conn)
        .await?;
    let overlapping_ids: Vec<Uuid> = overlapping.iter().map(|o| o.id).collect();
    let mut busy: HashMap<Uuid, Vec<Interval>> = HashMap::new();
    for o in &overlapping {
        if let Some(t) = o.teacher_id {
            busy.entry(t).or_default().push((o.starts_at, o.ends_at));
        }
    }
    if !overlapping_ids.is_empty() {
        for a in staff_assignment::Entity::find()
            .filter(staff_assignment::Column::SchoolId.eq(school.uuid()))
            .filter(staff_assignment::Column::SessionId.is_in(overlapping_ids))
            .all(conn)
            .await?
        {
            busy.entry(a.teacher_id)
                .or_default()
                .push((s.starts_at, s.ends_at));
        }
    }
    for t in &ids {
        let lessons = crate::booking::busy_of(
            conn,
            school,
            TeacherId::from_uuid(*t),
            s.starts_at,
            s.ends_at,
        )
        .await?;
        // `busy_of` includes sessions the teacher leads, this one too.
        busy.entry(*t).or_default().extend(
            lessons.into_iter().filter(|(a, b)| {
                !(*a == s.starts_at && *b == s.ends_at && s.teacher_id == Some(*t))
            }),
        );
    }
    let zone = crate::booking::rows::session_zone(s)?;
    let staff: Vec<Staff> = teachers
        .iter()
        .map(|t| Staff {
            id: TeacherId::from_uuid(t.id),
            roles: roles
                .get(&t.id)
                .map(|r| r.iter().copied().map(TeachingRoleId::from_uuid).collect())
                .unwrap_or_else(BTreeSet::new),
            availability: availability
                .get(&TeacherId::from_uuid(t.id))
                .cloned()
                .unwrap_or_default(),
            busy: busy.remove(&t.id).unwrap_or_default(),
        })
        .collect();
    let free: BTreeSet<Uuid> = staff::eligible(
        &staff,
        required.map(TeachingRoleId::from_uuid),
        s.starts_at,
        s.ends_at,
        zone,
    )
    .into_iter()
    .map(TeacherId::uuid)
    .collect();
    Ok(teachers
        .into_iter()
        .filter(|t| free.contains(&t.id))
        .collect())
}
