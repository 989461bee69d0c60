//! Attendance: marks per student on a session's roster, and the booking
//! status each implies (decided by `booking::attendance`).

use booking::attendance::{self, Mark, RosterPlace};
use chrono::{DateTime, Utc};
use kernel::{SchoolId, SessionId, StudentId, UserId};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use super::Outcome;
use super::rows;
use crate::entity::{attendance as attendance_row, booking as booking_row};
use crate::{Result, new_id};

/// One student's mark: the built-in mark, a note, and the school's own
/// status code refining it (validated by the caller against the school's
/// statuses).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkEntry {
    /// The student.
    pub student: StudentId,
    /// The mark.
    pub mark: Mark,
    /// A note.
    pub note: Option<String>,
    /// The school's status code, if one refines the mark.
    pub code: Option<String>,
}

/// Records attendance for students on a session's roster and marks their
/// bookings ATTENDED or NO_SHOW. A student not on the roster is refused
/// (and the caller rolls back every mark).
pub async fn record_attendance(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    session_id: SessionId,
    marks: &[MarkEntry],
    by: UserId,
    now: DateTime<Utc>,
) -> Result<Outcome<Vec<attendance_row::Model>>> {
    // The session's lock orders this after any booking change on it.
    rows::lock_session(tx, school, session_id).await?;
    let roster = booking_row::Entity::find()
        .filter(booking_row::Column::SchoolId.eq(school.uuid()))
        .filter(booking_row::Column::SessionId.eq(session_id.uuid()))
        .filter(booking_row::Column::Status.is_in(rows::on_roster()))
        .all(tx)
        .await?;
    let series_student = rows::session(tx, school, session_id)
        .await?
        .and_then(|s| s.student_id);
    let mut out = Vec::new();
    for MarkEntry {
        student,
        mark,
        note,
        code,
    } in marks
    {
        let booking = roster.iter().find(|b| b.student_id == student.uuid());
        let place = match booking {
            Some(b) => RosterPlace::Booking(rows::status_of(b)?),
            None if series_student == Some(student.uuid()) => RosterPlace::SeriesStudent,
            None => RosterPlace::Absent,
        };
        let change = match attendance::record(place, *mark) {
            Ok(c) => c,
            Err(e) => return Ok(Err(e)),
        };
        if let (Some(b), Some(to)) = (booking, change) {
            booking_row::Entity::update_many()
                .col_expr(booking_row::Column::Status, Expr::value(to.as_str()))
                .filter(booking_row::Column::Id.eq(b.id))
                .exec(tx)
                .await?;
        }
        attendance_row::Entity::delete_many()
            .filter(attendance_row::Column::SchoolId.eq(school.uuid()))
            .filter(attendance_row::Column::SessionId.eq(session_id.uuid()))
            .filter(attendance_row::Column::StudentId.eq(student.uuid()))
            .exec(tx)
            .await?;
        out.push(
            attendance_row::ActiveModel {
                id: Set(new_id()),
                school_id: Set(school.uuid()),
                session_id: Set(session_id.uuid()),
                student_id: Set(student.uuid()),
                status: Set(mark.as_str().to_owned()),
                note: Set(note.clone()),
                recorded_by: Set(by.uuid()),
                recorded_at: Set(now),
                code: Set(code.clone()),
            }
            .insert(tx)
            .await?,
        );
    }
    Ok(Ok(out))
}

/// Records attendance for a plain 1-on-1 lesson (a booking without a
/// session): the mark and note live on the booking, whose status becomes
/// ATTENDED or NO_SHOW by the same rule as on a session's roster.
pub async fn record_lesson_attendance(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    b: &booking_row::Model,
    mark: Mark,
    note: Option<String>,
) -> Result<Outcome<booking_row::Model>> {
    let b = rows::lock_booking(tx, school, b).await?;
    if b.session_id.is_some() {
        // A session's booking is marked on the session's roster.
        return Ok(Err(booking::BookingError::NotFound(
            booking::Missing::RosterPlace,
        )));
    }
    let change = match attendance::record(RosterPlace::Booking(rows::status_of(&b)?), mark) {
        Ok(c) => c,
        Err(e) => return Ok(Err(e)),
    };
    let mut row: booking_row::ActiveModel = b.clone().into();
    if let Some(to) = change {
        row.status = Set(to.as_str().to_owned());
    }
    row.attendance_mark = Set(Some(mark.as_str().to_owned()));
    row.attendance_note = Set(note);
    Ok(Ok(row.update(tx).await?))
}
