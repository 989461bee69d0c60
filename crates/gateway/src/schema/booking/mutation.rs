//! Booking mutations. Each runs in [`mutation`]: one write transaction,
//! committed with its audit entry, or rolled back on a refusal.

use crate::error::FieldError;
use ::booking::policy::PolicyInput;
use ::booking::seats::Canceller;
use ::booking::series_rule::{Frequency, RuleInput};
use ::booking::{BookingError, Missing};
use async_graphql::{Context, ID, Object, Result};
use chrono::Duration;
use infra::booking::{
    self as service, BookingSeriesRequest, Change, GroupOutcome, LessonRequest, Move, SeatRequest,
};
use infra::entity::{booking as booking_row, offering, session, student, teacher, waitlist_entry};
use infra::repo::organisation::Viewer;
use kernel::policy::Action;
use kernel::{
    Booker, BookingId, ClassSeriesId, OfferingId, SessionId, StudentId, TeacherId, WaitlistEntryId,
};

use super::inputs::*;
use super::objects::{
    Booking, BookingPolicy, BookingSeries, CancelScope, OccurrenceConflict, Registration,
    WaitlistEntry,
};
use crate::error::{UserError, internal};
use crate::ids::{Kind, decode, encode};
use crate::scalars::DateTime;
use crate::schema::idempotency::{self, Next};
use crate::schema::{Done, Session, allow, mutation};
use crate::schema::{find_in_school, find_usable};

/// The student a booking request names, if they are in the viewer's school
/// (else NOT_FOUND on `studentId`), not archived (else ARCHIVED) and the
/// viewer may book for them (else FORBIDDEN): the one check every booking
/// mutation starts with.
pub(crate) async fn student_to_book(
    tx: &infra::Tx,
    viewer: &Viewer,
    id: &ID,
) -> Result<std::result::Result<StudentId, FieldError>> {
    let st = match find_usable::<student::Entity>(tx, viewer.school, Kind::Student, id, "studentId")
        .await?
    {
        Ok(st) => st,
        Err(e) => return Ok(Err(e)),
    };
    let student = StudentId::from_uuid(st.id);
    allow(viewer, Action::Book(student))?;
    Ok(Ok(student))
}

/// Loads a booking of the viewer's school by global id.
async fn find_booking(
    tx: &infra::Tx,
    viewer: &Viewer,
    id: &ID,
) -> Result<Option<booking_row::Model>> {
    let Some(uuid) = decode(Kind::Booking, id) else {
        return Ok(None);
    };
    infra::booking::rows::find_booking(tx, viewer.school, BookingId::from_uuid(uuid))
        .await
        .map_err(internal)
}

fn tid(id: Option<uuid::Uuid>) -> Option<TeacherId> {
    id.map(TeacherId::from_uuid)
}

/// Whether the viewer books as the office for this teacher (staff, or the
/// teacher themself): the office may use an unrestricted teacher's time.
fn booker(viewer: &Viewer, teacher: Option<TeacherId>) -> Booker {
    if kernel::policy::authorize(viewer, Action::DecideBooking(teacher)).is_ok() {
        Booker::Office
    } else {
        Booker::Family
    }
}

/// Whether the viewer may cancel inside the cancellation window.
fn canceller(viewer: &Viewer, teacher: Option<TeacherId>) -> Canceller {
    if kernel::policy::authorize(viewer, Action::CancelInsideWindow(teacher)).is_ok() {
        Canceller::Office
    } else {
        Canceller::Family
    }
}

fn lesson_length(minutes: i32) -> std::result::Result<Duration, BookingError> {
    ::booking::lesson::parse_length(i64::from(minutes))
}

fn seat_count(seats: i32) -> std::result::Result<u32, BookingError> {
    ::booking::seats::parse_seats(i64::from(seats))
}

/// Decodes an optional offering id (NOT_FOUND when malformed).
fn offering_id(id: &Option<ID>) -> std::result::Result<Option<OfferingId>, UserError> {
    match id {
        Some(id) => decode(Kind::Offering, id)
            .map(|o| Some(OfferingId::from_uuid(o)))
            .ok_or_else(|| BookingError::NotFound(Missing::Offering).into()),
        None => Ok(None),
    }
}

/// Ends a mutation with `e` unless it is `Ok`.
macro_rules! or_refuse {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(e) => return Ok(Done::refuse(e)),
        }
    };
}

#[derive(Default)]
pub struct BookingMutation;

#[Object]
impl BookingMutation {
    /// Saves a teacher's booking policy (or one for a teacher and an
    /// offering, which wins over the teacher's). Admins and staff, or the
    /// teacher.
    async fn set_booking_policy(
        &self,
        ctx: &Context<'_>,
        input: SetBookingPolicyInput,
    ) -> Result<SetBookingPolicyPayload> {
        let policy = PolicyInput {
            requires_approval_one_on_one: input.requires_approval_one_on_one,
            requires_approval_group: input.requires_approval_group,
            min_notice_hours: i64::from(input.min_notice_hours),
            cancel_window_hours: i64::from(input.cancel_window_hours),
            buffer_before_minutes: i64::from(input.buffer_before_minutes),
            buffer_after_minutes: i64::from(input.buffer_after_minutes),
            max_bookings_per_day: input.max_bookings_per_day.map(i64::from),
            horizon_days: input.horizon_days.map(i64::from),
            waitlist_offer_minutes: input.waitlist_offer_minutes.map(i64::from),
        };
        mutation(ctx, async |tx, viewer| {
            or_refuse!(::booking::BookingPolicy::parse(policy));
            let t = or_refuse!(
                find_in_school::<teacher::Entity>(
                    tx,
                    viewer.school,
                    Kind::Teacher,
                    &input.teacher_id
                )
                .await?
                .ok_or(BookingError::NotFound(Missing::Teacher))
            );
            let teacher = TeacherId::from_uuid(t.id);
            allow(viewer, Action::EditBookingPolicy(teacher))?;
            let offering = match &input.offering_id {
                Some(id) => Some(OfferingId::from_uuid(
                    or_refuse!(
                        find_in_school::<offering::Entity>(tx, viewer.school, Kind::Offering, id)
                            .await?
                            .ok_or(BookingError::NotFound(Missing::Offering))
                    )
                    .id,
                )),
                None => None,
            };
            let now = crate::context::app(ctx).clock.now();
            let saved = service::set_policy(tx, viewer.school, teacher, offering, policy, now)
                .await
                .map_err(internal)?;
            Ok(Done::Commit(
                SetBookingPolicyPayload {
                    policy: Some(BookingPolicy(saved)),
                    user_errors: vec![],
                },
                vec![(Kind::Teacher, t.id)],
            ))
        })
        .await
    }

    /// Books seats in a group session for a student. A full session answers
    /// SESSION_FULL, or puts the student on the waitlist when
    /// `joinWaitlistIfFull` is set. Accepts an idempotency key.
    async fn book_session(
        &self,
        ctx: &Context<'_>,
        input: BookSessionInput,
    ) -> Result<BookSessionPayload> {
        let canonical = idempotency::canonical(&input);
        mutation(ctx, async |tx, viewer| {
            let seats = or_refuse!(seat_count(input.seats));
            let student = or_refuse!(student_to_book(tx, viewer, &input.student_id).await?);
            let session = or_refuse!(
                decode(Kind::Session, &input.session_id)
                    .map(SessionId::from_uuid)
                    .ok_or(BookingError::NotFound(Missing::Session))
            );
            let key = input.idempotency_key.clone();
            let key = match or_refuse!(idempotency::claim(ctx, tx, viewer, key, &canonical).await?)
            {
                Next::Replay(id) => {
                    let found = infra::booking::read::booking_or_entry(tx, viewer.school, id)
                        .await
                        .map_err(internal)?;
                    return Ok(Done::Answer(BookSessionPayload {
                        booking: found.0.map(Booking),
                        waitlist_entry: found.1.map(WaitlistEntry),
                        user_errors: vec![],
                    }));
                }
                Next::Proceed(key) => key,
            };
            let request = SeatRequest {
                session,
                student,
                by: viewer.user,
                seats,
                note: input.note.clone().filter(|n| !n.trim().is_empty()),
                join_waitlist: input.join_waitlist_if_full,
                registration: None,
                rescheduled_from: None,
            };
            let now = crate::context::app(ctx).clock.now();
            let outcome = service::book_session(tx, viewer.school, request, now)
                .await
                .map_err(internal)?;
            let (payload, id, kind) = match or_refuse!(outcome) {
                GroupOutcome::Booked(b) => (
                    BookSessionPayload {
                        booking: Some(Booking(b.clone())),
                        ..Default::default()
                    },
                    b.id,
                    Kind::Booking,
                ),
                GroupOutcome::Waitlisted(w) => (
                    BookSessionPayload {
                        waitlist_entry: Some(WaitlistEntry(w.clone())),
                        ..Default::default()
                    },
                    w.id,
                    Kind::WaitlistEntry,
                ),
            };
            idempotency::complete(tx, viewer, key, id).await?;
            Ok(Done::Commit(
                payload,
                vec![(kind, id), (Kind::Session, session.uuid())],
            ))
        })
        .await
    }

    /// Registers a student for a series: one session, every remaining
    /// session, or chosen ones; all or nothing. Accepts an idempotency key.
    async fn register(&self, ctx: &Context<'_>, input: RegisterInput) -> Result<RegisterPayload> {
        let canonical = idempotency::canonical(&input);
        mutation(ctx, async |tx, viewer| {
            let seats = or_refuse!(seat_count(input.seats));
            let student = or_refuse!(student_to_book(tx, viewer, &input.student_id).await?);
            let series = or_refuse!(
                decode(Kind::ClassSeries, &input.series_id)
                    .map(ClassSeriesId::from_uuid)
                    .ok_or(BookingError::NotFound(Missing::Series))
            );
            let mut sessions = Vec::new();
            for id in &input.session_ids {
                sessions.push(or_refuse!(
                    decode(Kind::Session, id)
                        .map(SessionId::from_uuid)
                        .ok_or(BookingError::NotFound(Missing::SessionOfSeries))
                ));
            }
            let key = input.idempotency_key.clone();
            let key = match or_refuse!(idempotency::claim(ctx, tx, viewer, key, &canonical).await?)
            {
                Next::Replay(id) => {
                    let found = infra::booking::read::registration(
                        tx,
                        viewer.school,
                        kernel::RegistrationId::from_uuid(id),
                    )
                    .await
                    .map_err(internal)?;
                    return Ok(Done::Answer(RegisterPayload {
                        registration: found
                            .map(|(model, bookings)| Registration { model, bookings }),
                        user_errors: vec![],
                    }));
                }
                Next::Proceed(key) => key,
            };
            let now = crate::context::app(ctx).clock.now();
            let (model, bookings) = or_refuse!(
                service::register(
                    tx,
                    viewer.school,
                    series,
                    student,
                    input.r#type.into(),
                    &sessions,
                    seats,
                    viewer.user,
                    now,
                )
                .await
                .map_err(internal)?
            );
            // Charged as quoted: the registration's price spread over its
            // bookings.
            let series_row = infra::repo::find::<infra::entity::class_series::Entity>(
                tx,
                viewer.school,
                series.uuid(),
            )
            .await
            .map_err(internal)?
            .ok_or_else(|| {
                internal(infra::InfraError::Corrupt {
                    table: "class_series",
                    detail: "a registered series vanished".into(),
                })
            })?;
            let bookings = infra::billing::price_registration(
                tx,
                viewer.school,
                &series_row,
                input.r#type.into(),
                bookings,
                seats,
                now,
            )
            .await
            .map_err(internal)?;
            idempotency::complete(tx, viewer, key, model.id).await?;
            let mut targets = vec![(Kind::Registration, model.id)];
            targets.extend(bookings.iter().map(|b| (Kind::Booking, b.id)));
            Ok(Done::Commit(
                RegisterPayload {
                    registration: Some(Registration { model, bookings }),
                    user_errors: vec![],
                },
                targets,
            ))
        })
        .await
    }

    /// Books a 1-on-1 lesson, re-checking availability, other lessons and
    /// buffers, notice, horizon and the daily limit in the same
    /// transaction. Families book inside the teacher's published
    /// availability windows; the office (and the teacher) may book a
    /// teacher who published none at any time. Accepts an idempotency key.
    async fn book_one_on_one(
        &self,
        ctx: &Context<'_>,
        input: BookOneOnOneInput,
    ) -> Result<BookingPayload> {
        let canonical = idempotency::canonical(&input);
        mutation(ctx, async |tx, viewer| {
            let duration = or_refuse!(lesson_length(input.duration_minutes));
            let student = or_refuse!(student_to_book(tx, viewer, &input.student_id).await?);
            let teacher = or_refuse!(
                decode(Kind::Teacher, &input.teacher_id)
                    .map(TeacherId::from_uuid)
                    .ok_or(BookingError::NotFound(Missing::Teacher))
            );
            let offering = or_refuse!(offering_id(&input.offering_id));
            let key = input.idempotency_key.clone();
            let key = match or_refuse!(idempotency::claim(ctx, tx, viewer, key, &canonical).await?)
            {
                Next::Replay(id) => {
                    let b = infra::booking::rows::find_booking(
                        tx,
                        viewer.school,
                        BookingId::from_uuid(id),
                    )
                    .await
                    .map_err(internal)?;
                    return Ok(Done::Answer(BookingPayload {
                        booking: b.map(Booking),
                        user_errors: vec![],
                    }));
                }
                Next::Proceed(key) => key,
            };
            let request = LessonRequest {
                teacher,
                student,
                offering,
                starts_at: input.starts_at.0,
                duration,
                note: input.note.clone().filter(|n| !n.trim().is_empty()),
                by: viewer.user,
                booker: booker(viewer, Some(teacher)),
                series: None,
                rescheduled_from: None,
            };
            let now = crate::context::app(ctx).clock.now();
            let b = or_refuse!(
                service::book_one_on_one(tx, viewer.school, request, now)
                    .await
                    .map_err(internal)?
            );
            idempotency::complete(tx, viewer, key, b.id).await?;
            let id = b.id;
            Ok(Done::Commit(
                BookingPayload {
                    booking: Some(Booking(b)),
                    user_errors: vec![],
                },
                vec![(Kind::Booking, id)],
            ))
        })
        .await
    }

    /// Books a recurring 1-on-1 lesson: every occurrence is checked on its
    /// own; the free ones are booked, the others are listed in `conflicts`.
    async fn create_booking_series(
        &self,
        ctx: &Context<'_>,
        input: CreateBookingSeriesInput,
    ) -> Result<CreateBookingSeriesPayload> {
        mutation(ctx, async |tx, viewer| {
            let student = or_refuse!(student_to_book(tx, viewer, &input.student_id).await?);
            let teacher = or_refuse!(
                decode(Kind::Teacher, &input.teacher_id)
                    .map(TeacherId::from_uuid)
                    .ok_or(BookingError::NotFound(Missing::Teacher))
            );
            let offering = or_refuse!(offering_id(&input.offering_id));
            let duration = or_refuse!(lesson_length(input.duration_minutes));
            let request = BookingSeriesRequest {
                first: LessonRequest {
                    teacher,
                    student,
                    offering,
                    starts_at: input.first_starts_at.0,
                    duration,
                    note: None,
                    by: viewer.user,
                    booker: booker(viewer, Some(teacher)),
                    series: None,
                    rescheduled_from: None,
                },
                rule: RuleInput {
                    frequency: match input.frequency {
                        BookingFrequency::Daily => Frequency::Daily,
                        BookingFrequency::Weekly => Frequency::Weekly,
                        BookingFrequency::Monthly => Frequency::Monthly,
                    },
                    interval: i64::from(input.interval),
                    days_of_week: input.days_of_week.iter().map(|d| i64::from(*d)).collect(),
                    count: input.count.map(i64::from),
                    until: input.until.map(|d| d.0),
                },
            };
            let now = crate::context::app(ctx).clock.now();
            let made = or_refuse!(
                service::create_booking_series(tx, viewer.school, request, now)
                    .await
                    .map_err(internal)?
            );
            let mut targets = vec![(Kind::BookingSeries, made.id.uuid())];
            targets.extend(made.booked.iter().map(|b| (Kind::Booking, b.id)));
            Ok(Done::Commit(
                CreateBookingSeriesPayload {
                    series: Some(BookingSeries {
                        id: encode(Kind::BookingSeries, made.id.uuid()),
                    }),
                    booked: made.booked.into_iter().map(Booking).collect(),
                    conflicts: made
                        .conflicts
                        .into_iter()
                        .map(|(at, e)| {
                            let e = UserError::from(e);
                            OccurrenceConflict {
                                starts_at: DateTime(at),
                                reason: e.message,
                                code: e.code,
                            }
                        })
                        .collect(),
                    user_errors: vec![],
                },
                targets,
            ))
        })
        .await
    }

    /// Approves a pending booking. The lesson's teacher or the office.
    async fn approve_booking(
        &self,
        ctx: &Context<'_>,
        input: ApproveBookingInput,
    ) -> Result<BookingPayload> {
        decide(ctx, &input.booking_id, true, None).await
    }

    /// Declines a pending booking, freeing its seats for the waitlist. The
    /// lesson's teacher or the office.
    async fn decline_booking(
        &self,
        ctx: &Context<'_>,
        input: DeclineBookingInput,
    ) -> Result<BookingPayload> {
        decide(ctx, &input.booking_id, false, input.reason).await
    }

    /// Cancels a booking (or it and every later one of its series or
    /// registration). Families are held to the cancellation window; the
    /// office and the teacher are not. Freed seats go to the waitlist.
    async fn cancel_booking(
        &self,
        ctx: &Context<'_>,
        input: CancelBookingInput,
    ) -> Result<CancelBookingPayload> {
        mutation(ctx, async |tx, viewer| {
            let b = or_refuse!(
                find_booking(tx, viewer, &input.booking_id)
                    .await?
                    .ok_or(BookingError::NotFound(Missing::Booking))
            );
            let teacher = tid(b.teacher_id);
            let student = StudentId::from_uuid(b.student_id);
            allow(viewer, Action::ManageBooking { teacher, student })?;
            let change = Change {
                by: viewer.user,
                who: canceller(viewer, teacher),
            };
            let following = input.scope == CancelScope::ThisAndFollowing;
            let now = crate::context::app(ctx).clock.now();
            let done = or_refuse!(
                service::cancel(
                    tx,
                    viewer.school,
                    &b,
                    following,
                    input.reason.clone(),
                    change,
                    now
                )
                .await
                .map_err(internal)?
            );
            let targets = done.iter().map(|b| (Kind::Booking, b.id)).collect();
            Ok(Done::Commit(
                CancelBookingPayload {
                    cancelled: done.into_iter().map(Booking).collect(),
                    user_errors: vec![],
                },
                targets,
            ))
        })
        .await
    }

    /// Moves a booking: a 1-on-1 lesson to a new start, a group booking to
    /// another session. The old booking becomes RESCHEDULED (only a
    /// CONFIRMED booking can move) and links to the new one
    /// (`rescheduledTo`), whose seats or time are checked like any
    /// booking; the old session's waitlist is offered the freed seats. All
    /// or nothing.
    async fn reschedule_booking(
        &self,
        ctx: &Context<'_>,
        input: RescheduleBookingInput,
    ) -> Result<BookingPayload> {
        mutation(ctx, async |tx, viewer| {
            let old = or_refuse!(
                find_booking(tx, viewer, &input.booking_id)
                    .await?
                    .ok_or(BookingError::NotFound(Missing::Booking))
            );
            let teacher = tid(old.teacher_id);
            let student = StudentId::from_uuid(old.student_id);
            allow(viewer, Action::ManageBooking { teacher, student })?;
            let to = match (&input.starts_at, &input.session_id) {
                (Some(at), None) => Move::To(at.0),
                (None, Some(sid)) => Move::ToSession(or_refuse!(
                    decode(Kind::Session, sid)
                        .map(SessionId::from_uuid)
                        .ok_or(BookingError::NotFound(Missing::Session))
                )),
                _ => return Ok(Done::refuse(BookingError::WrongMove)),
            };
            let change = Change {
                by: viewer.user,
                who: canceller(viewer, teacher),
            };
            let now = crate::context::app(ctx).clock.now();
            let (moved, new) = or_refuse!(
                service::reschedule(tx, viewer.school, &old, to, change, now)
                    .await
                    .map_err(internal)?
            );
            let targets = vec![(Kind::Booking, moved.id), (Kind::Booking, new.id)];
            Ok(Done::Commit(
                BookingPayload {
                    booking: Some(Booking(new)),
                    user_errors: vec![],
                },
                targets,
            ))
        })
        .await
    }

    /// Puts a student on a session's waitlist (strictly first come, first
    /// served; one entry per student).
    async fn join_waitlist(
        &self,
        ctx: &Context<'_>,
        input: JoinWaitlistInput,
    ) -> Result<JoinWaitlistPayload> {
        mutation(ctx, async |tx, viewer| {
            let student = or_refuse!(student_to_book(tx, viewer, &input.student_id).await?);
            let session = or_refuse!(
                decode(Kind::Session, &input.session_id)
                    .map(SessionId::from_uuid)
                    .ok_or(BookingError::NotFound(Missing::Session))
            );
            let now = crate::context::app(ctx).clock.now();
            let w = or_refuse!(
                service::join_waitlist(tx, viewer.school, session, student, now)
                    .await
                    .map_err(internal)?
            );
            let id = w.id;
            Ok(Done::Commit(
                JoinWaitlistPayload {
                    waitlist_entry: Some(WaitlistEntry(w)),
                    user_errors: vec![],
                },
                vec![(Kind::WaitlistEntry, id)],
            ))
        })
        .await
    }

    /// Accepts an open waitlist offer: a confirmed booking on the held seat.
    async fn accept_waitlist_offer(
        &self,
        ctx: &Context<'_>,
        input: AcceptWaitlistOfferInput,
    ) -> Result<BookingPayload> {
        mutation(ctx, async |tx, viewer| {
            let entry = or_refuse!(
                find_in_school::<waitlist_entry::Entity>(
                    tx,
                    viewer.school,
                    Kind::WaitlistEntry,
                    &input.entry_id,
                )
                .await?
                .ok_or(BookingError::NotFound(Missing::WaitlistEntry))
            );
            allow(viewer, Action::Book(StudentId::from_uuid(entry.student_id)))?;
            let now = crate::context::app(ctx).clock.now();
            let id = WaitlistEntryId::from_uuid(entry.id);
            match service::accept_offer(tx, viewer.school, id, viewer.user, now)
                .await
                .map_err(internal)?
            {
                // Expiring lapsed offers is itself a change worth keeping.
                Err(e) => Ok(Done::CommitRefusal(
                    e.into(),
                    vec![(Kind::WaitlistEntry, entry.id)],
                )),
                Ok(b) => {
                    let targets = vec![(Kind::WaitlistEntry, entry.id), (Kind::Booking, b.id)];
                    Ok(Done::Commit(
                        BookingPayload {
                            booking: Some(Booking(b)),
                            user_errors: vec![],
                        },
                        targets,
                    ))
                }
            }
        })
        .await
    }

    /// Takes attendance: PRESENT and LATE mark bookings ATTENDED, ABSENT and
    /// EXCUSED mark them NO_SHOW. The lesson's teacher or the office.
    async fn record_attendance(
        &self,
        ctx: &Context<'_>,
        input: RecordAttendanceInput,
    ) -> Result<RecordAttendancePayload> {
        mutation(ctx, async |tx, viewer| {
            let s = or_refuse!(
                find_in_school::<session::Entity>(
                    tx,
                    viewer.school,
                    Kind::Session,
                    &input.session_id
                )
                .await?
                .ok_or(BookingError::NotFound(Missing::Session))
            );
            allow(viewer, Action::RecordAttendance(tid(s.teacher_id)))?;
            // Each mark's rule (billed, teacher paid, credit) from the
            // school's statuses; an unknown or mismatched code refuses all.
            let statuses = infra::credits::statuses(tx, viewer.school)
                .await
                .map_err(internal)?;
            let mut marks = Vec::new();
            let mut credited = Vec::new();
            let mut uncredited = Vec::new();
            for e in &input.entries {
                let student = or_refuse!(
                    decode(Kind::Student, &e.student_id)
                        .map(StudentId::from_uuid)
                        .ok_or(BookingError::NotFound(Missing::RosterPlace))
                );
                let code = crate::schema::notes(e.code.clone());
                let rule =
                    match billing::credit::rule_for(&statuses, e.status.into(), code.as_deref()) {
                        Ok(r) => r,
                        Err(err) => {
                            return Ok(Done::refuse(FieldError::invalid(
                                "entries",
                                err.to_string(),
                            )));
                        }
                    };
                if rule.grants_credit {
                    credited.push(student);
                } else {
                    uncredited.push(student);
                }
                marks.push(service::MarkEntry {
                    student,
                    mark: e.status.into(),
                    note: e.note.clone(),
                    code,
                });
            }
            let now = crate::context::app(ctx).clock.now();
            let id = SessionId::from_uuid(s.id);
            or_refuse!(
                service::record_attendance(tx, viewer.school, id, &marks, viewer.user, now)
                    .await
                    .map_err(internal)?
            );
            infra::credits::grant(
                tx,
                viewer.school,
                &s,
                &credited,
                infra::credits::Reason::Attendance,
                now,
            )
            .await
            .map_err(internal)?;
            // A corrected mark takes back the credit the old one granted
            // (unless it already booked a make-up).
            infra::credits::revoke(tx, viewer.school, &s, &uncredited, now)
                .await
                .map_err(internal)?;
            let sid = s.id;
            Ok(Done::Commit(
                RecordAttendancePayload {
                    session: Some(Session(s)),
                    user_errors: vec![],
                },
                vec![(Kind::Session, sid)],
            ))
        })
        .await
    }
}

async fn decide(
    ctx: &Context<'_>,
    id: &ID,
    approve: bool,
    reason: Option<String>,
) -> Result<BookingPayload> {
    mutation(ctx, async |tx, viewer| {
        let b = or_refuse!(
            find_booking(tx, viewer, id)
                .await?
                .ok_or(BookingError::NotFound(Missing::Booking))
        );
        allow(viewer, Action::DecideBooking(tid(b.teacher_id)))?;
        let now = crate::context::app(ctx).clock.now();
        let decided = or_refuse!(
            service::decide(tx, viewer.school, &b, approve, reason, viewer.user, now)
                .await
                .map_err(internal)?
        );
        let id = decided.id;
        Ok(Done::Commit(
            BookingPayload {
                booking: Some(Booking(decided)),
                user_errors: vec![],
            },
            vec![(Kind::Booking, id)],
        ))
    })
    .await
}
