//! Calendar reads: the sessions of a location, teacher, room or student in
//! a time range. Related objects resolve through dataloaders, so the number
//! of SQL statements does not grow with the number of sessions.

use async_graphql::{Context, ID, InputObject, Object, Result};
use std::collections::HashSet;

use chrono::Duration;
use infra::scheduling::{self as service, CalendarFilter as Filter};
use kernel::{LocationId, RoomId, StudentId, TeacherId};

use crate::context::{app, viewer};
use crate::error::{Code, bad_input, internal};
use crate::ids::{Kind, decode};
use crate::scalars::DateTime;
use crate::schema::{Session, allow};
use kernel::policy::{Action, CalendarOf};

/// The longest range one calendar query may span.
pub const MAX_CALENDAR_DAYS: i64 = 92;

/// Whose calendar: exactly one of the ids.
#[derive(InputObject, Default)]
pub struct CalendarFilter {
    /// Everything at a location.
    pub location_id: Option<ID>,
    /// A teacher's sessions.
    pub teacher_id: Option<ID>,
    /// A room's sessions.
    pub room_id: Option<ID>,
    /// A student's sessions.
    pub student_id: Option<ID>,
}

#[derive(Default)]
pub struct CalendarQuery;

#[Object]
impl CalendarQuery {
    /// Sessions overlapping `[from, to)`, in start order, including
    /// cancelled and conflicted ones (their `status` says so). The range may
    /// span at most 92 days.
    async fn calendar(
        &self,
        ctx: &Context<'_>,
        filter: CalendarFilter,
        from: DateTime,
        to: DateTime,
    ) -> Result<Vec<Session>> {
        let viewer = viewer(ctx)?;
        if to.0 <= from.0 {
            return Err(bad_input("to", Code::Invalid, "`to` must be after `from`"));
        }
        if to.0 - from.0 > Duration::days(MAX_CALENDAR_DAYS) {
            return Err(bad_input(
                "to",
                Code::BeyondHorizon,
                format!(
                    "a calendar query may span at most {MAX_CALENDAR_DAYS} days; split the range"
                ),
            ));
        }
        let given = [
            &filter.location_id,
            &filter.teacher_id,
            &filter.room_id,
            &filter.student_id,
        ]
        .iter()
        .filter(|id| id.is_some())
        .count();
        if given != 1 {
            return Err(bad_input(
                "filter",
                Code::Invalid,
                "give exactly one of locationId, teacherId, roomId or studentId",
            ));
        }
        // An id of another type or another school matches nothing: the
        // query is filtered by the viewer's school, so it returns no rows.
        let pick =
            |id: &Option<ID>, kind| id.as_ref().map(|id| decode(kind, id).unwrap_or_default());
        let filter = if let Some(id) = pick(&filter.location_id, Kind::Location) {
            Filter::Location(LocationId::from_uuid(id))
        } else if let Some(id) = pick(&filter.teacher_id, Kind::Teacher) {
            Filter::Teacher(TeacherId::from_uuid(id))
        } else if let Some(id) = pick(&filter.room_id, Kind::Room) {
            Filter::Room(RoomId::from_uuid(id))
        } else {
            Filter::Student(StudentId::from_uuid(
                pick(&filter.student_id, Kind::Student).unwrap_or_default(),
            ))
        };
        let of = match filter {
            Filter::Location(_) => CalendarOf::Location,
            Filter::Room(_) => CalendarOf::Room,
            Filter::Teacher(t) => CalendarOf::Teacher(t),
            Filter::Student(s) => CalendarOf::Student(s),
        };
        allow(viewer, Action::ReadCalendar(of))?;
        let sessions = service::calendar(app(ctx).db.conn(), viewer.school, filter, from.0, to.0)
            .await
            .map_err(internal)?;
        prime(ctx, ctx.look_ahead(), &sessions).await?;
        Ok(sessions.into_iter().map(Session).collect())
    }
}

/// Loads every related object the query selects, one statement per kind,
/// before the session fields resolve.
///
/// Why not leave it to the dataloaders' batching alone: a loader collects
/// keys for a short delay and then flushes, so when resolving hundreds of
/// sessions takes longer than that delay the keys split over several
/// batches, and the statement count grows with the result after all.
/// Priming with `load_many` makes it one batch per kind by construction;
/// the field resolvers then read the loaders' caches.
pub(crate) async fn prime(
    ctx: &Context<'_>,
    wants: async_graphql::Lookahead<'_>,
    sessions: &[infra::entity::session::Model],
) -> Result<()> {
    let loaders = crate::context::loaders(ctx)?;
    let teacher = wants.field("teacher");
    let room = wants.field("room");
    let series = wants.field("series");
    let ids = |f: fn(&infra::entity::session::Model) -> Option<uuid::Uuid>| -> HashSet<uuid::Uuid> {
        sessions.iter().filter_map(f).collect()
    };
    if teacher.exists() {
        let teachers = ids(|s| s.teacher_id);
        loaders
            .teachers
            .load_many(teachers.iter().copied())
            .await
            .map_err(internal)?;
        if teacher.field("availability").exists() {
            loaders
                .availability
                .load_many(teachers)
                .await
                .map_err(internal)?;
        }
    }
    let mut locations = if wants.field("location").exists() {
        ids(|s| Some(s.location_id))
    } else {
        HashSet::new()
    };
    if room.exists() {
        let rooms = loaders
            .rooms
            .load_many(ids(|s| s.room_id))
            .await
            .map_err(internal)?;
        if room.field("location").exists() {
            locations.extend(rooms.values().map(|r| r.location_id));
        }
    }
    if !locations.is_empty() {
        loaders
            .locations
            .load_many(locations)
            .await
            .map_err(internal)?;
    }
    if wants.field("student").exists() {
        loaders
            .students
            .load_many(ids(|s| s.student_id))
            .await
            .map_err(internal)?;
    }
    // Bookings, attendance and waitlists of every session, and the
    // students they name, one statement each.
    let roster = wants.field("roster");
    let waitlist = wants.field("waitlist");
    let mut students = HashSet::new();
    if roster.exists() || wants.field("pendingBookings").exists() {
        let all: Vec<uuid::Uuid> = sessions.iter().map(|s| s.id).collect();
        let bookings = loaders
            .bookings
            .load_many(all.iter().copied())
            .await
            .map_err(internal)?;
        if roster.field("student").exists() {
            students.extend(bookings.values().flatten().map(|b| b.student_id));
            students.extend(sessions.iter().filter_map(|s| s.student_id));
        }
        if roster.field("attendance").exists() || roster.field("attendanceNote").exists() {
            loaders.attendance.load_many(all).await.map_err(internal)?;
        }
    }
    let instructors = wants.field("instructors");
    let assistants = wants.field("assistants");
    if instructors.exists() || assistants.exists() {
        let staff = loaders
            .staff
            .load_many(sessions.iter().map(|s| s.id))
            .await
            .map_err(internal)?;
        loaders
            .teachers
            .load_many(staff.values().flatten().map(|a| a.teacher_id))
            .await
            .map_err(internal)?;
    }
    if waitlist.exists() {
        let entries = loaders
            .waitlist
            .load_many(sessions.iter().map(|s| s.id))
            .await
            .map_err(internal)?;
        if waitlist.field("student").exists() {
            students.extend(entries.values().flatten().map(|e| e.student_id));
        }
    }
    if !students.is_empty() {
        loaders
            .students
            .load_many(students)
            .await
            .map_err(internal)?;
    }
    let offering = wants.field("offering");
    if series.exists() || offering.exists() {
        let found = loaders
            .series
            .load_many(ids(|s| s.series_id))
            .await
            .map_err(internal)?;
        let mut offerings: HashSet<uuid::Uuid> = HashSet::new();
        if series.field("offering").exists() {
            offerings.extend(found.values().map(|s| s.offering_id));
        }
        if offering.exists() {
            offerings.extend(ids(|s| s.offering_id));
            offerings.extend(found.values().map(|s| s.offering_id));
        }
        if !offerings.is_empty() {
            loaders
                .offerings
                .load_many(offerings)
                .await
                .map_err(internal)?;
        }
    }
    Ok(())
}
