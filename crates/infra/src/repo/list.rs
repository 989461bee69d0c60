//! The lists the API pages through: each function names one list (its
//! filter and its stable order), so callers page through it without
//! building queries. [`count`] and [`rows`] run a [`Listing`].

use kernel::{FamilyId, StudentId, TeacherId};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait};

use super::Tenant;
use crate::Result;
use crate::entity::{
    audit_entry, booking, class_series, invoice, location, offering, student, teacher,
    teaching_role, user,
};

/// One list of `E` rows: which rows, in which order (then by id).
#[derive(Debug, Clone)]
pub struct Listing<E: Tenant> {
    filter: Condition,
    order: E::Column,
    descending: bool,
}

impl<E: Tenant> Listing<E> {
    fn new(filter: Condition, order: E::Column, descending: bool) -> Self {
        Self {
            filter,
            order,
            descending,
        }
    }
}

/// Only rows not archived, unless `include` says otherwise.
fn archived(column: impl ColumnTrait, include: bool) -> Condition {
    if include {
        Condition::all()
    } else {
        Condition::all().add(column.is_null())
    }
}

/// The school's locations, by name (archived ones only if asked).
pub fn locations(include_archived: bool) -> Listing<location::Entity> {
    let filter = archived(location::Column::ArchivedAt, include_archived);
    Listing::new(filter, location::Column::Name, false)
}

/// The school's teachers, by last name (archived ones only if asked).
pub fn teachers(include_archived: bool) -> Listing<teacher::Entity> {
    let filter = archived(teacher::Column::ArchivedAt, include_archived);
    Listing::new(filter, teacher::Column::LastName, false)
}

/// Students by last name: all of them (`None`) or only these (archived
/// ones only if asked).
pub fn students(only: Option<Vec<StudentId>>, include_archived: bool) -> Listing<student::Entity> {
    let mut filter = archived(student::Column::ArchivedAt, include_archived);
    if let Some(ids) = only {
        filter = filter.add(student::Column::Id.is_in(ids.into_iter().map(|s| s.uuid())));
    }
    Listing::new(filter, student::Column::LastName, false)
}

/// The catalogue, by title (archived offerings only if asked).
pub fn offerings(include_archived: bool) -> Listing<offering::Entity> {
    let filter = archived(offering::Column::ArchivedAt, include_archived);
    Listing::new(filter, offering::Column::Title, false)
}

/// Invoices, newest number first: the school's, or one family's.
pub fn invoices(family: Option<FamilyId>) -> Listing<invoice::Entity> {
    let mut filter = Condition::all();
    if let Some(f) = family {
        filter = filter.add(invoice::Column::FamilyId.eq(f.uuid()));
    }
    Listing::new(filter, invoice::Column::Number, true)
}

/// The school's teaching roles, by name.
pub fn teaching_roles() -> Listing<teaching_role::Entity> {
    Listing::new(Condition::all(), teaching_role::Column::Name, false)
}

/// The school's users, by email.
pub fn users() -> Listing<user::Entity> {
    Listing::new(Condition::all(), user::Column::Email, false)
}

/// The audit log, newest first, optionally of one action.
pub fn audit_entries(action: Option<String>) -> Listing<audit_entry::Entity> {
    let mut filter = Condition::all();
    if let Some(action) = action {
        filter = filter.add(audit_entry::Column::Action.eq(action));
    }
    Listing::new(filter, audit_entry::Column::At, true)
}

/// Booking requests waiting for a decision, soonest lesson first: a
/// teacher's inbox (group seats and 1-on-1 lessons alike), or the whole
/// school's for the office (`None`).
pub fn pending_bookings(teacher: Option<TeacherId>) -> Listing<booking::Entity> {
    let mut filter = Condition::all().add(booking::Column::Status.eq("PENDING"));
    if let Some(t) = teacher {
        filter = filter.add(booking::Column::TeacherId.eq(t.uuid()));
    }
    Listing::new(filter, booking::Column::StartsAt, false)
}

/// A student's bookings by lesson time: optionally only these statuses
/// (stored names) and only lessons overlapping `[from, to)`.
pub fn student_bookings(
    student: StudentId,
    statuses: Option<Vec<&'static str>>,
    from: Option<chrono::DateTime<chrono::Utc>>,
    to: Option<chrono::DateTime<chrono::Utc>>,
) -> Listing<booking::Entity> {
    let mut filter = Condition::all().add(booking::Column::StudentId.eq(student.uuid()));
    if let Some(statuses) = statuses {
        filter = filter.add(booking::Column::Status.is_in(statuses));
    }
    if let Some(from) = from {
        filter = filter.add(booking::Column::EndsAt.gt(from));
    }
    if let Some(to) = to {
        filter = filter.add(booking::Column::StartsAt.lt(to));
    }
    Listing::new(filter, booking::Column::StartsAt, false)
}

/// Which class series a viewer sees.
#[derive(Debug, Clone, Default)]
pub struct SeriesScope {
    /// Every series of the school (the office).
    pub all: bool,
    /// Series this teacher teaches.
    pub teacher: Option<TeacherId>,
    /// 1-on-1 series of these students.
    pub students: Vec<StudentId>,
}

/// Class series by creation, as far as `scope` reaches.
pub fn class_series(scope: SeriesScope) -> Listing<class_series::Entity> {
    let filter = if scope.all {
        Condition::all()
    } else {
        // Starts with a clause that matches nothing (`IN ()` renders as
        // `1 = 2`), so a viewer with no relationships sees no series.
        let mut any =
            Condition::any().add(class_series::Column::Id.is_in(Vec::<uuid::Uuid>::new()));
        if let Some(t) = scope.teacher {
            any = any.add(class_series::Column::TeacherId.eq(t.uuid()));
        }
        if !scope.students.is_empty() {
            any = any.add(
                class_series::Column::StudentId.is_in(scope.students.iter().map(|s| s.uuid())),
            );
        }
        any
    };
    Listing::new(filter, class_series::Column::CreatedAt, false)
}

/// How many rows of the school the list holds.
pub async fn count<E: Tenant>(
    conn: &impl ConnectionTrait,
    school: kernel::SchoolId,
    list: &Listing<E>,
) -> Result<u64>
where
    E::Model: Sync,
{
    super::count::<E>(conn, school, list.filter.clone()).await
}

/// Rows `offset..offset+limit` of the list.
pub async fn rows<E: Tenant>(
    conn: &impl ConnectionTrait,
    school: kernel::SchoolId,
    list: &Listing<E>,
    offset: u64,
    limit: u64,
) -> Result<Vec<E::Model>> {
    super::rows::<E>(
        conn,
        school,
        list.filter.clone(),
        list.order,
        list.descending,
        offset,
        limit,
    )
    .await
}
