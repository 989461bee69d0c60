//! Teachers (with weekly availability), students and offerings.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use kernel::{Availability, OfferingId, SchoolId, StudentId, TeacherId, Weekday};
use scheduling::{AvailabilityWindow, OfferingSpec};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

use crate::entity::{offering, student, teacher, teacher_availability};
use crate::{InfraError, Result, new_id};

/// A new teacher's details.
#[derive(Debug, Clone)]
pub struct NewTeacher {
    /// Contact email (lower-cased).
    pub email: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Weekly availability; empty means unrestricted.
    pub availability: Vec<AvailabilityWindow>,
}

/// Creates a teacher profile and their availability windows.
pub async fn create_teacher(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    input: NewTeacher,
    now: DateTime<Utc>,
) -> Result<teacher::Model> {
    let id: TeacherId = new_id();
    let model = teacher::ActiveModel {
        id: Set(id.uuid()),
        school_id: Set(school.uuid()),
        user_id: Set(None),
        email: Set(input.email),
        first_name: Set(input.first_name),
        last_name: Set(input.last_name),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(tx)
    .await?;
    insert_windows(tx, school, id, &input.availability).await?;
    Ok(model)
}

/// Inserts weekly windows for a teacher (one statement; none for no windows).
async fn insert_windows(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    teacher: TeacherId,
    windows: &[AvailabilityWindow],
) -> Result<()> {
    if windows.is_empty() {
        return Ok(());
    }
    teacher_availability::Entity::insert_many(windows.iter().map(|w| {
        teacher_availability::ActiveModel {
            id: Set(new_id()),
            school_id: Set(school.uuid()),
            teacher_id: Set(teacher.uuid()),
            weekday: Set(w.weekday.iso() as i16),
            start_time: Set(w.start),
            end_time: Set(w.end),
            valid_from: Set(w.valid_from),
            valid_until: Set(w.valid_until),
        }
    }))
    .exec(tx)
    .await?;
    Ok(())
}

/// Weekly windows of these teachers, keyed by teacher (one statement).
pub async fn availability(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    teachers: impl IntoIterator<Item = Uuid>,
) -> Result<HashMap<TeacherId, Vec<AvailabilityWindow>>> {
    let teachers: Vec<Uuid> = teachers.into_iter().collect();
    let mut out: HashMap<TeacherId, Vec<AvailabilityWindow>> = HashMap::new();
    if teachers.is_empty() {
        return Ok(out);
    }
    let rows = teacher_availability::Entity::find()
        .filter(teacher_availability::Column::SchoolId.eq(school.uuid()))
        .filter(teacher_availability::Column::TeacherId.is_in(teachers))
        .order_by_asc(teacher_availability::Column::Weekday)
        .order_by_asc(teacher_availability::Column::StartTime)
        .all(conn)
        .await?;
    for row in rows {
        let weekday = u32::try_from(row.weekday)
            .ok()
            .and_then(Weekday::from_iso)
            .ok_or_else(|| InfraError::Corrupt {
                table: "teacher_availability",
                detail: format!("weekday {}", row.weekday),
            })?;
        out.entry(TeacherId::from_uuid(row.teacher_id))
            .or_default()
            .push(AvailabilityWindow {
                weekday,
                start: row.start_time,
                end: row.end_time,
                valid_from: row.valid_from,
                valid_until: row.valid_until,
            });
    }
    Ok(out)
}

/// A new student's details.
#[derive(Debug, Clone)]
pub struct NewStudent {
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Email, if the student has one.
    pub email: Option<String>,
    /// Date of birth.
    pub date_of_birth: Option<NaiveDate>,
}

/// Creates a student.
pub async fn create_student(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    input: NewStudent,
    now: DateTime<Utc>,
) -> Result<student::Model> {
    let id: StudentId = new_id();
    Ok(student::ActiveModel {
        id: Set(id.uuid()),
        school_id: Set(school.uuid()),
        first_name: Set(input.first_name),
        last_name: Set(input.last_name),
        email: Set(input.email),
        date_of_birth: Set(input.date_of_birth),
        user_id: Set(None),
        qr_version: Set(0),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(tx)
    .await?)
}

/// Creates an offering; `price_minor` is the per-session price in the
/// school's currency, in minor units.
pub async fn create_offering(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    spec: OfferingSpec,
    price_minor: Option<i64>,
    required_role: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<offering::Model> {
    let id: OfferingId = new_id();
    Ok(offering::ActiveModel {
        id: Set(id.uuid()),
        school_id: Set(school.uuid()),
        title: Set(spec.title),
        kind: Set(spec.kind.as_str().to_owned()),
        default_duration_minutes: Set(spec.default_duration_minutes as i32),
        default_capacity: Set(spec.default_capacity as i32),
        price_minor: Set(price_minor),
        required_role_id: Set(required_role),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(tx)
    .await?)
}

/// The [`Availability`] of many teachers: the one type every check uses
/// (a teacher without windows is unrestricted).
pub async fn availabilities(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    teachers: impl IntoIterator<Item = Uuid>,
) -> Result<HashMap<TeacherId, Availability>> {
    let teachers: Vec<Uuid> = teachers.into_iter().collect();
    let mut windows = availability(conn, school, teachers.iter().copied()).await?;
    Ok(teachers
        .into_iter()
        .map(TeacherId::from_uuid)
        .map(|t| {
            let a = Availability::from_windows(windows.remove(&t).unwrap_or_default());
            (t, a)
        })
        .collect())
}

/// Replaces a teacher's weekly availability windows.
pub async fn replace_availability(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    teacher: TeacherId,
    windows: &[AvailabilityWindow],
) -> Result<()> {
    teacher_availability::Entity::delete_many()
        .filter(teacher_availability::Column::SchoolId.eq(school.uuid()))
        .filter(teacher_availability::Column::TeacherId.eq(teacher.uuid()))
        .exec(tx)
        .await?;
    insert_windows(tx, school, teacher, windows).await
}
