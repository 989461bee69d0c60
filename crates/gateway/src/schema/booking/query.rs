//! Booking queries: free 1-on-1 slots and the policy that applies.

use async_graphql::{Context, ID, Object, Result};
use chrono::Duration;
use infra::booking::lesson::SlotSearch;
use kernel::policy::Action;
use kernel::{OfferingId, TeacherId, TimeZone};

use super::objects::{BookingPolicy, Slot};
use crate::context::app;
use crate::error::{Code, UserError, bad_input, internal};
use crate::ids::{Kind, decode};
use crate::scalars::DateTime;
use crate::schema::{Teacher, authorize};

use ::booking::slots::{GRID_MINUTES, MAX_SEARCH_DAYS};

/// A refusal of a query argument, as the transport error queries use.
fn refused(e: impl Into<UserError>) -> async_graphql::Error {
    let e: UserError = e.into();
    let field = e
        .field
        .as_ref()
        .and_then(|f| f.last())
        .cloned()
        .unwrap_or_default();
    bad_input(&field, e.code, e.message)
}

#[derive(Default)]
pub struct BookingQuery;

#[Object]
impl BookingQuery {
    /// Free 1-on-1 slots in `[from, to)` of a teacher, or of every teacher
    /// qualified for the offering (holding its required teaching role) when
    /// `teacherId` is omitted: published availability windows minus lessons
    /// and bookings (with buffers), minimum notice, horizon and full days,
    /// on a grid of 15 minutes. A teacher who published no availability
    /// windows offers no slots here (the office books them directly with
    /// `bookOneOnOne`). `localStart` is in `timezone` (default the school's).
    #[allow(clippy::too_many_arguments)]
    async fn available_slots(
        &self,
        ctx: &Context<'_>,
        teacher_id: Option<ID>,
        offering_id: Option<ID>,
        from: DateTime,
        to: DateTime,
        duration_minutes: i32,
        timezone: Option<String>,
    ) -> Result<Vec<Slot>> {
        let viewer = authorize(ctx, Action::ReadCatalogue)?;
        if to.0 <= from.0 {
            return Err(bad_input("to", Code::Invalid, "`to` must be after `from`"));
        }
        if to.0 - from.0 > Duration::days(MAX_SEARCH_DAYS) {
            return Err(bad_input(
                "to",
                Code::BeyondHorizon,
                format!("a slot search may span at most {MAX_SEARCH_DAYS} days; split the range"),
            ));
        }
        let duration =
            ::booking::lesson::parse_length(i64::from(duration_minutes)).map_err(refused)?;
        let display = match timezone.as_deref().map(TimeZone::parse).transpose() {
            Ok(tz) => tz,
            Err(e) => return Err(bad_input("timezone", Code::UnknownTimeZone, e.to_string())),
        };
        let not_found = |m| refused(::booking::BookingError::NotFound(m));
        let offering = match &offering_id {
            Some(id) => Some(
                decode(Kind::Offering, id)
                    .map(OfferingId::from_uuid)
                    .ok_or_else(|| not_found(::booking::Missing::Offering))?,
            ),
            None => None,
        };
        let teacher = match &teacher_id {
            Some(id) => Some(
                decode(Kind::Teacher, id)
                    .map(TeacherId::from_uuid)
                    .ok_or_else(|| not_found(::booking::Missing::Teacher))?,
            ),
            None => None,
        };
        let conn = app(ctx).db.conn();
        let teachers = infra::booking::slot_teachers(conn, viewer.school, teacher, offering)
            .await
            .map_err(internal)?
            .map_err(refused)?;
        let zone = infra::booking::school_zone(conn, viewer.school)
            .await
            .map_err(internal)?;
        let display = display.unwrap_or(zone);
        let search = SlotSearch {
            offering,
            from: from.0,
            to: to.0,
            duration,
            grid: Duration::minutes(GRID_MINUTES),
        };
        let now = app(ctx).clock.now();
        // Every qualified teacher's slots from one set of reads.
        let ids: Vec<TeacherId> = teachers
            .iter()
            .map(|t| TeacherId::from_uuid(t.id))
            .collect();
        let mut slots =
            infra::booking::available_slots_many(conn, viewer.school, &ids, search, now)
                .await
                .map_err(internal)?;
        let mut out = Vec::new();
        for t in teachers {
            let mine = slots
                .remove(&TeacherId::from_uuid(t.id))
                .unwrap_or_default();
            out.extend(mine.into_iter().map(|(s, e)| {
                Slot {
                    starts_at: DateTime(s),
                    ends_at: DateTime(e),
                    local_start: s
                        .with_timezone(&display.tz())
                        .format("%Y-%m-%dT%H:%M")
                        .to_string(),
                    teacher: Teacher(t.clone()),
                }
            }));
        }
        out.sort_by_key(|s| s.starts_at.0);
        Ok(out)
    }

    /// The booking policy that applies to a teacher (and offering), if one
    /// was saved: the offering's own, else the teacher's.
    async fn booking_policy(
        &self,
        ctx: &Context<'_>,
        teacher_id: ID,
        offering_id: Option<ID>,
    ) -> Result<Option<BookingPolicy>> {
        let viewer = authorize(ctx, Action::ReadCatalogue)?;
        let Some(teacher) = decode(Kind::Teacher, &teacher_id).map(TeacherId::from_uuid) else {
            return Ok(None);
        };
        let offering = match &offering_id {
            Some(id) => match decode(Kind::Offering, id) {
                Some(o) => Some(OfferingId::from_uuid(o)),
                None => return Ok(None),
            },
            None => None,
        };
        Ok(
            infra::booking::applicable_policy(app(ctx).db.conn(), viewer.school, teacher, offering)
                .await
                .map_err(internal)?
                .map(BookingPolicy),
        )
    }
}
