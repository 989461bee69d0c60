//! 1-on-1 lessons: booking with the teacher locked, slot search, recurring
//! booking series and teacher time off.

use std::collections::{BTreeMap, HashMap};

use booking::lesson::{self as core, LessonSnapshot};
use booking::policy::local_day;
use booking::series_rule::{self, RuleError, RuleInput};
use booking::{BookingError, BookingKind, Missing};
use chrono::{DateTime, Duration, Utc};
use kernel::{
    Booker, BookingId, BookingSeriesId, OfferingId, SchoolId, StudentId, TeacherId, TimeZone,
    UserId,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};

use super::Outcome;
use super::rows::{self, NewRow};
use crate::archive::Usable as _;
use crate::entity::{
    booking as booking_row, booking_series, offering, session, teacher, teacher_time_off,
};
use crate::repo::people;
use crate::{Result, new_id};
use uuid::Uuid;

/// A 1-on-1 lesson request.
#[derive(Debug, Clone)]
pub struct LessonRequest {
    /// The teacher.
    pub teacher: TeacherId,
    /// The student.
    pub student: StudentId,
    /// What is taught (for price and the offering-specific policy).
    pub offering: Option<OfferingId>,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// Length.
    pub duration: Duration,
    /// A note from the family.
    pub note: Option<String>,
    /// Who asks.
    pub by: UserId,
    /// The office may use an unrestricted teacher's time; families may not.
    pub booker: Booker,
    /// The booking series it belongs to.
    pub series: Option<BookingSeriesId>,
    /// The booking it replaces.
    pub rescheduled_from: Option<BookingId>,
}

/// The teacher's sessions, active 1-on-1 bookings and time off
/// overlapping `[from, to)`.
pub async fn busy_of(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    teacher: TeacherId,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<(DateTime<Utc>, DateTime<Utc>)>> {
    Ok(busy_of_many(conn, school, &[teacher.uuid()], from, to)
        .await?
        .busy
        .remove(&teacher.uuid())
        .unwrap_or_default())
}

/// Busy time of many teachers, and their 1-on-1 lessons, in three
/// statements whatever the number of teachers.
pub struct Busy {
    /// Per teacher: sessions, lessons and time off overlapping the window.
    pub busy: HashMap<Uuid, Vec<scheduling::conflict::Span>>,
    /// Per teacher: the starts of their active 1-on-1 lessons in the window.
    pub lessons: HashMap<Uuid, Vec<DateTime<Utc>>>,
}

/// [`busy_of`] for many teachers at once.
pub async fn busy_of_many(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    teachers: &[Uuid],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Busy> {
    let mut out = Busy {
        busy: HashMap::new(),
        lessons: HashMap::new(),
    };
    if teachers.is_empty() {
        return Ok(out);
    }
    let sessions = session::Entity::find()
        .filter(session::Column::SchoolId.eq(school.uuid()))
        .filter(session::Column::TeacherId.is_in(teachers.to_vec()))
        .filter(session::Column::Status.is_not_in(rows::CANCELLED))
        .filter(session::Column::StartsAt.lt(to))
        .filter(session::Column::EndsAt.gt(from))
        .all(conn)
        .await?;
    let bookings = booking_row::Entity::find()
        .filter(booking_row::Column::SchoolId.eq(school.uuid()))
        .filter(booking_row::Column::TeacherId.is_in(teachers.to_vec()))
        .filter(booking_row::Column::Kind.eq(BookingKind::OneOnOne.as_str()))
        .filter(booking_row::Column::Status.is_in(rows::active()))
        .filter(booking_row::Column::StartsAt.lt(to))
        .filter(booking_row::Column::EndsAt.gt(from))
        .all(conn)
        .await?;
    let time_off = teacher_time_off::Entity::find()
        .filter(teacher_time_off::Column::SchoolId.eq(school.uuid()))
        .filter(teacher_time_off::Column::TeacherId.is_in(teachers.to_vec()))
        .filter(teacher_time_off::Column::StartsAt.lt(to))
        .filter(teacher_time_off::Column::EndsAt.gt(from))
        .all(conn)
        .await?;
    for s in &sessions {
        if let Some(t) = s.teacher_id {
            out.busy
                .entry(t)
                .or_default()
                .push((s.starts_at, s.ends_at));
        }
    }
    for b in &bookings {
        if let Some(t) = b.teacher_id {
            out.busy
                .entry(t)
                .or_default()
                .push((b.starts_at, b.ends_at));
            out.lessons.entry(t).or_default().push(b.starts_at);
        }
    }
    for o in &time_off {
        out.busy
            .entry(o.teacher_id)
            .or_default()
            .push((o.starts_at, o.ends_at));
    }
    Ok(out)
}

/// Books a 1-on-1 lesson after the core re-checked notice, horizon, the
/// daily limit, availability, busy time with buffers and the student's
/// other lessons, with the teacher's row locked.
pub async fn book_one_on_one(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    request: LessonRequest,
    now: DateTime<Utc>,
) -> Result<Outcome<booking_row::Model>> {
    match rows::lock_teacher(tx, school, request.teacher).await? {
        None => return Ok(Err(BookingError::NotFound(Missing::Teacher))),
        Some(t) => {
            if let Err(e) = t.usable() {
                return Ok(Err(e.into()));
            }
        }
    }
    let offering = match request.offering {
        Some(id) => match crate::repo::find::<offering::Entity>(tx, school, id.uuid()).await? {
            Some(o) => {
                if let Err(e) = o.usable() {
                    return Ok(Err(e.into()));
                }
                Some(o)
            }
            None => return Ok(Err(BookingError::NotFound(Missing::Offering))),
        },
        None => None,
    };
    let zone = rows::school_zone(tx, school).await?;
    let policy = super::policy_for(tx, school, Some(request.teacher), request.offering).await?;
    let start = request.starts_at;
    let end = start + request.duration;
    let snapshot = LessonSnapshot {
        availability: people::availabilities(tx, school, [request.teacher.uuid()])
            .await?
            .remove(&request.teacher)
            .unwrap_or_default(),
        zone,
        teacher_busy: busy_of(
            tx,
            school,
            request.teacher,
            start - policy.buffer_before,
            end + policy.buffer_after,
        )
        .await?,
        same_day: rows::same_day(
            tx,
            school,
            Some(request.teacher),
            BookingKind::OneOnOne,
            zone,
            start,
        )
        .await?,
        student_busy: rows::student_busy(tx, school, request.student, (start, end), None).await?,
        unit_price: rows::unit_price(tx, school, offering.and_then(|o| o.price_minor)).await?,
        policy,
    };
    let decided = match core::book_lesson(now, &snapshot, request.booker, start, request.duration) {
        Ok(d) => d,
        Err(e) => return Ok(Err(e)),
    };
    // A lesson has no location of its own: it needs every pool its
    // offering requires, wherever that pool is.
    let demand = crate::equipment::Demand {
        offering: request.offering.map(OfferingId::uuid),
        location: None,
    };
    let mut stock = crate::equipment::stock(tx, school, demand, start, end).await?;
    let held = match stock.take(decided.seats, start, end) {
        Ok(h) => h,
        Err(short) => return Ok(Err(short.into())),
    };
    let row = NewRow {
        session: None,
        teacher: Some(request.teacher),
        offering: request.offering,
        student: request.student,
        by: request.by,
        starts_at: start,
        ends_at: end,
        timezone: zone,
        note: request.note,
        registration: None,
        series: request.series,
        rescheduled_from: request.rescheduled_from,
    };
    let b = rows::insert_booking(tx, school, row, decided, now).await?;
    crate::equipment::write(tx, school, b.id, &held, now).await?;
    Ok(Ok(b))
}

/// The teachers a slot search covers: the one asked for, or every teacher
/// qualified for the offering (holding its required teaching role, if it
/// has one), by last name.
pub async fn slot_teachers(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    teacher: Option<TeacherId>,
    offering: Option<OfferingId>,
) -> Result<Outcome<Vec<teacher::Model>>> {
    let required = match offering {
        Some(o) => match crate::repo::find::<offering::Entity>(conn, school, o.uuid()).await? {
            Some(o) => o.required_role_id,
            None => return Ok(Err(BookingError::NotFound(Missing::Offering))),
        },
        None => None,
    };
    if let Some(t) = teacher {
        return Ok(
            match crate::repo::find::<teacher::Entity>(conn, school, t.uuid()).await? {
                Some(t) => match t.usable() {
                    Ok(()) => Ok(vec![t]),
                    Err(e) => Err(e.into()),
                },
                None => Err(BookingError::NotFound(Missing::Teacher)),
            },
        );
    }
    // Archived teachers offer no slots.
    let all = teacher::Entity::find()
        .filter(teacher::Column::SchoolId.eq(school.uuid()))
        .filter(teacher::Column::ArchivedAt.is_null())
        .order_by_asc(teacher::Column::LastName)
        .all(conn)
        .await?;
    Ok(Ok(match required {
        None => all,
        Some(role) => {
            let held = crate::staff::roles_of(conn, school, all.iter().map(|t| t.id)).await?;
            all.into_iter()
                .filter(|t| held.get(&t.id).is_some_and(|r| r.contains(&role)))
                .collect()
        }
    }))
}

/// What a slot search asks.
#[derive(Debug, Clone, Copy)]
pub struct SlotSearch {
    /// The offering (for its policy).
    pub offering: Option<OfferingId>,
    /// Range start.
    pub from: DateTime<Utc>,
    /// Range end.
    pub to: DateTime<Utc>,
    /// Lesson length.
    pub duration: Duration,
    /// Distance between candidate starts.
    pub grid: Duration,
}

/// Free 1-on-1 slots of a teacher in `[from, to)`: only inside published
/// availability windows (SPEC §3.1: an unrestricted teacher offers none).
pub async fn available_slots(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    teacher: TeacherId,
    search: SlotSearch,
    now: DateTime<Utc>,
) -> Result<Vec<(DateTime<Utc>, DateTime<Utc>)>> {
    Ok(available_slots_many(conn, school, &[teacher], search, now)
        .await?
        .remove(&teacher)
        .unwrap_or_default())
}

/// Free slots of many teachers (any qualified teacher): the same rules as
/// [`available_slots`], read in a constant number of statements (the
/// school's zone, the teachers' policies, availability, busy time and
/// lessons) whatever the number of teachers.
pub async fn available_slots_many(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    teachers: &[TeacherId],
    search: SlotSearch,
    now: DateTime<Utc>,
) -> Result<HashMap<TeacherId, Vec<(DateTime<Utc>, DateTime<Utc>)>>> {
    if teachers.is_empty() {
        return Ok(HashMap::new());
    }
    let ids: Vec<Uuid> = teachers.iter().map(|t| t.uuid()).collect();
    let zone = rows::school_zone(conn, school).await?;
    let policies = super::policy::policies_for(conn, school, &ids, search.offering).await?;
    let mut availability = people::availabilities(conn, school, ids.iter().copied()).await?;
    let (from, to) = (search.from, search.to);
    // One window for everyone: wide enough for the largest buffers.
    let widest = policies
        .values()
        .map(|p| p.buffer_before + p.buffer_after)
        .max()
        .unwrap_or_else(Duration::zero);
    let margin = widest + Duration::days(1);
    let mut busy = busy_of_many(conn, school, &ids, from - margin, to + margin).await?;
    let mut out = HashMap::new();
    for teacher in teachers {
        let mut per_day: BTreeMap<chrono::NaiveDate, u32> = BTreeMap::new();
        for start in busy.lessons.get(&teacher.uuid()).into_iter().flatten() {
            if *start >= from - Duration::days(1) && *start < to + Duration::days(1) {
                *per_day.entry(local_day(zone, *start)).or_default() += 1;
            }
        }
        let slots = booking::free_slots(&booking::SlotQuery {
            zone,
            from,
            to,
            duration: search.duration,
            grid: search.grid,
            availability: availability.remove(teacher).unwrap_or_default(),
            busy: busy.busy.remove(&teacher.uuid()).unwrap_or_default(),
            per_day,
            policy: policies.get(&teacher.uuid()).copied().unwrap_or_default(),
            now,
        });
        out.insert(*teacher, slots);
    }
    Ok(out)
}

/// A recurring 1-on-1 booking request.
#[derive(Debug, Clone)]
pub struct BookingSeriesRequest {
    /// The first lesson and everything but its time.
    pub first: LessonRequest,
    /// The recurrence form.
    pub rule: RuleInput,
}

/// What a booking series came to.
#[derive(Debug, Clone)]
pub struct SeriesOutcome {
    /// The series.
    pub id: BookingSeriesId,
    /// The lessons booked.
    pub booked: Vec<booking_row::Model>,
    /// The occurrences refused, with why.
    pub conflicts: Vec<(DateTime<Utc>, BookingError)>,
}

/// Books a recurring 1-on-1 lesson: the core writes the rule, `scheduling`
/// expands it in the school's zone (same DST rules as class series), and
/// every occurrence is booked or refused on its own.
pub async fn create_booking_series(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    request: BookingSeriesRequest,
    now: DateTime<Utc>,
) -> Result<Outcome<SeriesOutcome>> {
    let first = &request.first;
    match crate::repo::find::<teacher::Entity>(tx, school, first.teacher.uuid()).await? {
        None => return Ok(Err(BookingError::NotFound(Missing::Teacher))),
        Some(t) => {
            if let Err(e) = t.usable() {
                return Ok(Err(e.into()));
            }
        }
    }
    if let Some(o) = first.offering {
        match crate::repo::find::<offering::Entity>(tx, school, o.uuid()).await? {
            None => return Ok(Err(BookingError::NotFound(Missing::Offering))),
            Some(o) => {
                if let Err(e) = o.usable() {
                    return Ok(Err(e.into()));
                }
            }
        }
    }
    let zone: TimeZone = rows::school_zone(tx, school).await?;
    let local = first.starts_at.with_timezone(&zone.tz());
    let rule = match series_rule::rule(&request.rule, local.date_naive()) {
        Ok(r) => r,
        Err(e) => return Ok(Err(e.into())),
    };
    let schedule = scheduling::Schedule::parse(scheduling::ScheduleInput {
        start_date: Some(local.date_naive()),
        end_date: request.rule.until,
        count: request.rule.count.map(|c| c.max(0) as u32),
        start_time: Some(local.time()),
        duration_minutes: Some(first.duration.num_minutes()),
        timezone: zone.name().to_owned(),
        rrule: Some(rule.clone()),
        days_of_week: None,
        interval_weeks: None,
        ..Default::default()
    });
    // The rule was written by the core, so the only user-made ways for the
    // schedule to fail are an end before the start and a zero count.
    let schedule = match schedule {
        Ok(s) => s,
        Err(scheduling::ScheduleError::EndBeforeStart { .. }) => {
            return Ok(Err(RuleError::UntilBeforeStart.into()));
        }
        Err(scheduling::ScheduleError::ZeroCount) => return Ok(Err(RuleError::Count.into())),
        Err(_) => return Ok(Err(RuleError::Unexpandable.into())),
    };
    let occurrences = match schedule.occurrences_through(local.date_naive() + Duration::days(366)) {
        Ok(o) if !o.is_empty() => o,
        Ok(_) => return Ok(Err(RuleError::Empty.into())),
        Err(_) => return Ok(Err(RuleError::Unexpandable.into())),
    };
    let id: BookingSeriesId = new_id();
    booking_series::ActiveModel {
        id: Set(id.uuid()),
        school_id: Set(school.uuid()),
        teacher_id: Set(first.teacher.uuid()),
        student_id: Set(first.student.uuid()),
        offering_id: Set(first.offering.map(OfferingId::uuid)),
        rule: Set(rule),
        created_at: Set(now),
    }
    .insert(tx)
    .await?;
    let mut booked = Vec::new();
    let mut conflicts = Vec::new();
    for occ in occurrences {
        let lesson = LessonRequest {
            starts_at: occ.starts_at,
            note: None,
            series: Some(id),
            ..first.clone()
        };
        match book_one_on_one(tx, school, lesson, now).await? {
            Ok(b) => booked.push(b),
            Err(e) => conflicts.push((occ.starts_at, e)),
        }
    }
    Ok(Ok(SeriesOutcome {
        id,
        booked,
        conflicts,
    }))
}

/// Records a teacher's time off `[starts_at, ends_at)`.
pub async fn add_time_off(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    teacher: TeacherId,
    (starts_at, ends_at): (DateTime<Utc>, DateTime<Utc>),
    reason: Option<String>,
    now: DateTime<Utc>,
) -> Result<teacher_time_off::Model> {
    Ok(teacher_time_off::ActiveModel {
        id: Set(new_id()),
        school_id: Set(school.uuid()),
        teacher_id: Set(teacher.uuid()),
        starts_at: Set(starts_at),
        ends_at: Set(ends_at),
        reason: Set(reason),
        created_at: Set(now),
    }
    .insert(tx)
    .await?)
}
