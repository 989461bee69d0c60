//! Archiving locations, rooms, teachers, students and offerings
//! (`kernel::archive` decides; this module counts what still depends on a
//! row and writes `archived_at`).
//!
//! Usage is counted inside the archiving transaction after the row is
//! locked (`FOR UPDATE`); new use reads the row under the same lock
//! ([`find_for_use`]). So a booking racing an archive either locks the row
//! first (and its booking is counted, refusing the archive) or waits for
//! the archive to commit and then meets the archived row. The lock is
//! exclusive, not shared: a booking locks its student exclusively later
//! anyway (one student's bookings are serialised), and two shared locks
//! upgraded at once deadlock.

use chrono::{DateTime, Utc};
use kernel::SchoolId;
use kernel::archive::{self, Archivable, ArchiveError, Usage};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, QuerySelect, Set,
};
use uuid::Uuid;

use crate::Result;
use crate::entity::{
    booking, class_series, enrolment, location, offering, room, session, staff_assignment, student,
    teacher, waitlist_entry,
};
use crate::repo;
use ::booking::enrolment::EnrolmentStatus;
use ::booking::waitlist::EntryStatus;
use scheduling::{SeriesStatus, SessionStatus};

/// An archivable row, as stored.
#[derive(Debug, Clone)]
pub enum Row {
    /// A location.
    Location(location::Model),
    /// A room.
    Room(room::Model),
    /// A teacher.
    Teacher(teacher::Model),
    /// A student.
    Student(student::Model),
    /// An offering.
    Offering(offering::Model),
}

impl Row {
    /// What it is.
    pub fn kind(&self) -> Archivable {
        match self {
            Self::Location(_) => Archivable::Location,
            Self::Room(_) => Archivable::Room,
            Self::Teacher(_) => Archivable::Teacher,
            Self::Student(_) => Archivable::Student,
            Self::Offering(_) => Archivable::Offering,
        }
    }

    /// The name people know it by.
    pub fn name(&self) -> String {
        match self {
            Self::Location(l) => l.name.clone(),
            Self::Room(r) => r.name.clone(),
            Self::Teacher(t) => format!("{} {}", t.first_name, t.last_name),
            Self::Student(s) => format!("{} {}", s.first_name, s.last_name),
            Self::Offering(o) => o.title.clone(),
        }
    }

    /// When it was archived, if it is.
    pub fn archived_at(&self) -> Option<DateTime<Utc>> {
        match self {
            Self::Location(l) => l.archived_at,
            Self::Room(r) => r.archived_at,
            Self::Teacher(t) => t.archived_at,
            Self::Student(s) => s.archived_at,
            Self::Offering(o) => o.archived_at,
        }
    }

    /// Whether something new may use it.
    pub fn usable(&self) -> std::result::Result<(), ArchiveError> {
        archive::usable(self.kind(), &self.name(), self.archived_at())
    }
}

/// Loads and locks (`FOR UPDATE`) an archivable row of `school` for
/// archiving (`None` for another school's id).
pub async fn find(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    kind: Archivable,
    id: Uuid,
) -> Result<Option<Row>> {
    macro_rules! locked {
        ($module:ident, $variant:ident) => {
            $module::Entity::find()
                .filter($module::Column::SchoolId.eq(school.uuid()))
                .filter($module::Column::Id.eq(id))
                .lock_exclusive()
                .one(conn)
                .await?
                .map(Row::$variant)
        };
    }
    Ok(match kind {
        Archivable::Location => locked!(location, Location),
        Archivable::Room => locked!(room, Room),
        Archivable::Teacher => locked!(teacher, Teacher),
        Archivable::Student => locked!(student, Student),
        Archivable::Offering => locked!(offering, Offering),
    })
}

/// Loads and locks (`FOR UPDATE`; SQLite's single writer serialises
/// anyway) a row something new is about to use: an archive of the same
/// row waits for this transaction, and this one waits for an archive in
/// flight, then sees `archived_at`.
pub async fn find_for_use<E: repo::Tenant>(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    id: Uuid,
) -> Result<Option<E::Model>> {
    Ok(E::find()
        .filter(E::school_column().eq(school.uuid()))
        .filter(E::id_column().eq(id))
        .lock_exclusive()
        .one(conn)
        .await?)
}

/// Sessions that have not ended and are not cancelled.
fn upcoming_sessions(school: SchoolId, now: DateTime<Utc>) -> Condition {
    Condition::all()
        .add(session::Column::SchoolId.eq(school.uuid()))
        .add(session::Column::EndsAt.gt(now))
        .add(session::Column::Status.is_not_in(SessionStatus::cancelled_names()))
}

/// Series that may still generate sessions.
fn live_series(school: SchoolId) -> Condition {
    Condition::all()
        .add(class_series::Column::SchoolId.eq(school.uuid()))
        .add(
            class_series::Column::Status
                .is_in([SeriesStatus::Active.as_str(), SeriesStatus::Paused.as_str()]),
        )
}

/// Bookings that still hold a place ahead.
fn upcoming_bookings(school: SchoolId, now: DateTime<Utc>) -> Condition {
    Condition::all()
        .add(booking::Column::SchoolId.eq(school.uuid()))
        .add(booking::Column::EndsAt.gt(now))
        .add(booking::Column::Status.is_in(crate::booking::rows::active()))
}

/// What upcoming work depends on `row` (a few counting statements).
pub async fn usage(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    row: &Row,
    now: DateTime<Utc>,
) -> Result<Usage> {
    let sessions = |c: Condition| {
        session::Entity::find()
            .filter(upcoming_sessions(school, now))
            .filter(c)
            .count(conn)
    };
    let series = |c: Condition| {
        class_series::Entity::find()
            .filter(live_series(school))
            .filter(c)
            .count(conn)
    };
    let bookings = |c: Condition| {
        booking::Entity::find()
            .filter(upcoming_bookings(school, now))
            .filter(c)
            .count(conn)
    };
    let one = |c: sea_orm::sea_query::SimpleExpr| Condition::all().add(c);
    Ok(match row {
        Row::Location(l) => Usage {
            upcoming_sessions: sessions(one(session::Column::LocationId.eq(l.id))).await?,
            live_series: series(one(class_series::Column::LocationId.eq(l.id))).await?,
            ..Usage::default()
        },
        Row::Room(r) => Usage {
            upcoming_sessions: sessions(one(session::Column::RoomId.eq(r.id))).await?,
            live_series: series(one(class_series::Column::RoomId.eq(r.id))).await?,
            ..Usage::default()
        },
        Row::Teacher(t) => {
            // Leading a session, or assisting in one.
            let assisting = Query::select()
                .column(staff_assignment::Column::SessionId)
                .from(staff_assignment::Entity)
                .and_where(staff_assignment::Column::SchoolId.eq(school.uuid()))
                .and_where(staff_assignment::Column::TeacherId.eq(t.id))
                .and_where(staff_assignment::Column::SessionId.is_not_null())
                .to_owned();
            let teaching = Condition::any()
                .add(session::Column::TeacherId.eq(t.id))
                .add(session::Column::Id.in_subquery(assisting));
            // Leading a series, or assigned to it as staff (copied onto
            // every session it generates).
            let staffing = Query::select()
                .column(staff_assignment::Column::SeriesId)
                .from(staff_assignment::Entity)
                .and_where(staff_assignment::Column::SchoolId.eq(school.uuid()))
                .and_where(staff_assignment::Column::TeacherId.eq(t.id))
                .and_where(staff_assignment::Column::SeriesId.is_not_null())
                .to_owned();
            let leading = Condition::any()
                .add(class_series::Column::TeacherId.eq(t.id))
                .add(class_series::Column::Id.in_subquery(staffing));
            Usage {
                upcoming_sessions: sessions(teaching).await?,
                live_series: series(leading).await?,
                // 1-on-1 lessons booked outside sessions.
                upcoming_bookings: bookings(
                    Condition::all()
                        .add(booking::Column::TeacherId.eq(t.id))
                        .add(booking::Column::SessionId.is_null()),
                )
                .await?,
                ..Usage::default()
            }
        }
        Row::Student(s) => Usage {
            upcoming_bookings: bookings(one(booking::Column::StudentId.eq(s.id))).await?,
            live_series: series(one(class_series::Column::StudentId.eq(s.id))).await?,
            active_enrolments: enrolment::Entity::find()
                .filter(enrolment::Column::SchoolId.eq(school.uuid()))
                .filter(enrolment::Column::StudentId.eq(s.id))
                .filter(enrolment::Column::Status.is_in([
                    EnrolmentStatus::Active.as_str(),
                    EnrolmentStatus::Paused.as_str(),
                ]))
                .count(conn)
                .await?,
            waitlist_places: waitlist_entry::Entity::find()
                .filter(waitlist_entry::Column::SchoolId.eq(school.uuid()))
                .filter(waitlist_entry::Column::StudentId.eq(s.id))
                .filter(
                    waitlist_entry::Column::Status
                        .is_in([EntryStatus::Waiting.as_str(), EntryStatus::Offered.as_str()]),
                )
                .count(conn)
                .await?,
            ..Usage::default()
        },
        Row::Offering(o) => Usage {
            upcoming_sessions: sessions(one(session::Column::OfferingId.eq(o.id))).await?,
            live_series: series(one(class_series::Column::OfferingId.eq(o.id))).await?,
            upcoming_bookings: bookings(
                Condition::all()
                    .add(booking::Column::OfferingId.eq(o.id))
                    .add(booking::Column::SessionId.is_null()),
            )
            .await?,
            ..Usage::default()
        },
    })
}

/// Archives `row` at `now` if nothing upcoming depends on it. A location's
/// rooms are archived with it (and marked so), so restoring the location
/// restores exactly them. Archiving twice keeps the first time.
pub async fn archive(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    row: Row,
    now: DateTime<Utc>,
) -> Result<std::result::Result<Row, ArchiveError>> {
    if row.archived_at().is_some() {
        return Ok(Ok(row));
    }
    let usage = usage(tx, school, &row, now).await?;
    if let Err(e) = archive::may_archive(row.kind(), &row.name(), usage) {
        return Ok(Err(e));
    }
    set(tx, school, row, Some(now)).await.map(Ok)
}

/// Restores an archived row (and a location's rooms archived with it). A
/// room of an archived location stays archived until its location is
/// restored.
pub async fn unarchive(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    row: Row,
) -> Result<std::result::Result<Row, ArchiveError>> {
    if row.archived_at().is_none() {
        return Ok(Ok(row));
    }
    if let Row::Room(r) = &row
        && let Some(l) = repo::find::<location::Entity>(tx, school, r.location_id).await?
        && let Err(e) = l.usable()
    {
        return Ok(Err(e));
    }
    set(tx, school, row, None).await.map(Ok)
}

/// The first archived row a series names (offering, location, teacher,
/// room, student, or staff assigned to it), if any: a series that names
/// one may not be re-activated or resumed, since it would generate new
/// sessions for it.
pub async fn archived_reference(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    series: &class_series::Model,
) -> Result<Option<ArchiveError>> {
    fn first<M: Usable>(rows: impl IntoIterator<Item = M>) -> Option<ArchiveError> {
        rows.into_iter().find_map(|r| r.usable().err())
    }
    let staff: Vec<Uuid> = staff_assignment::Entity::find()
        .filter(staff_assignment::Column::SchoolId.eq(school.uuid()))
        .filter(staff_assignment::Column::SeriesId.eq(series.id))
        .all(conn)
        .await?
        .into_iter()
        .map(|a| a.teacher_id)
        .collect();
    let teachers = series.teacher_id.into_iter().chain(staff);
    let found = first(
        repo::by_ids::<offering::Entity>(conn, school, [series.offering_id])
            .await?
            .into_values(),
    )
    .or(first(
        repo::by_ids::<location::Entity>(conn, school, [series.location_id])
            .await?
            .into_values(),
    ))
    .or(first(
        repo::by_ids::<teacher::Entity>(conn, school, teachers)
            .await?
            .into_values(),
    ))
    .or(first(
        repo::by_ids::<room::Entity>(conn, school, series.room_id)
            .await?
            .into_values(),
    ))
    .or(first(
        repo::by_ids::<student::Entity>(conn, school, series.student_id)
            .await?
            .into_values(),
    ));
    Ok(found)
}

async fn set(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    row: Row,
    at: Option<DateTime<Utc>>,
) -> Result<Row> {
    Ok(match row {
        Row::Location(l) => {
            // Rooms follow their location: archived with it now (marked
            // so), or restored if they were archived with it, not on
            // their own.
            let (rooms_now, with_location) = match at {
                Some(_) => (room::Column::ArchivedAt.is_null(), true),
                None => (room::Column::ArchivedWithLocation.eq(true), false),
            };
            room::Entity::update_many()
                .col_expr(room::Column::ArchivedAt, Expr::value(at))
                .col_expr(
                    room::Column::ArchivedWithLocation,
                    Expr::value(with_location),
                )
                .filter(room::Column::SchoolId.eq(school.uuid()))
                .filter(room::Column::LocationId.eq(l.id))
                .filter(rooms_now)
                .exec(tx)
                .await?;
            let mut m = l.into_active_model();
            m.archived_at = Set(at);
            Row::Location(m.update(tx).await?)
        }
        Row::Room(r) => {
            let mut m = r.into_active_model();
            m.archived_at = Set(at);
            m.archived_with_location = Set(false);
            Row::Room(m.update(tx).await?)
        }
        Row::Teacher(t) => {
            let mut m = t.into_active_model();
            m.archived_at = Set(at);
            Row::Teacher(m.update(tx).await?)
        }
        Row::Student(s) => {
            let mut m = s.into_active_model();
            m.archived_at = Set(at);
            Row::Student(m.update(tx).await?)
        }
        Row::Offering(o) => {
            let mut m = o.into_active_model();
            m.archived_at = Set(at);
            Row::Offering(m.update(tx).await?)
        }
    })
}

/// A row that may be archived, asked before something new uses it.
pub trait Usable {
    /// `Ok` unless the row is archived.
    fn usable(&self) -> std::result::Result<(), ArchiveError>;
}

macro_rules! usable {
    ($($module:ident => $variant:ident),*) => {$(
        impl Usable for $module::Model {
            fn usable(&self) -> std::result::Result<(), ArchiveError> {
                // Cloning the row only on the (rare) refusal path.
                match self.archived_at {
                    None => Ok(()),
                    Some(_) => Row::$variant(self.clone()).usable(),
                }
            }
        }
    )*};
}

usable!(
    location => Location,
    room => Room,
    teacher => Teacher,
    student => Student,
    offering => Offering
);
