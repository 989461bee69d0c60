//! Calendar reads: the sessions of a location, teacher, room or student in
//! a time range. Related objects resolve through dataloaders, so the number
//! of SQL statements does not grow with the number of sessions.

use async_graphql::{Context, ID, InputObject, Object, Result};
use chrono::Duration;
use infra::scheduling::{self as service, CalendarFilter as Filter};
use kernel::{LocationId, RoomId, StudentId, TeacherId};

use super::Session;
use crate::context::{app, viewer};
use crate::error::{Code, bad_input, internal};
use crate::ids::{Kind, decode};
use crate::scalars::DateTime;

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
        let sessions = service::calendar(app(ctx).db.conn(), viewer.school, filter, from.0, to.0)
            .await
            .map_err(internal)?;
        Ok(sessions.into_iter().map(Session).collect())
    }
}
