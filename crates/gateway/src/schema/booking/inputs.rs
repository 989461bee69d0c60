//! Inputs and payloads of the booking mutations.

use async_graphql::{Enum, ID, InputObject, SimpleObject};

use super::objects::{
    AttendanceStatus, Booking, BookingPolicy, BookingSeries, CancelScope, OccurrenceConflict,
    Registration, RegistrationType, WaitlistEntry,
};
use crate::error::UserError;
use crate::scalars::DateTime;
use crate::schema::{Session, payloads};

/// Input of `setBookingPolicy`.
#[derive(InputObject)]
pub struct SetBookingPolicyInput {
    /// The teacher.
    pub teacher_id: ID,
    /// For an offering-specific policy (it wins over the teacher's).
    pub offering_id: Option<ID>,
    /// 1-on-1 bookings wait for approval.
    #[graphql(default)]
    pub requires_approval_one_on_one: bool,
    /// Group bookings wait for approval.
    #[graphql(default)]
    pub requires_approval_group: bool,
    /// Hours of notice a booking needs.
    #[graphql(default)]
    pub min_notice_hours: i32,
    /// Hours before the start after which families cannot cancel.
    #[graphql(default)]
    pub cancel_window_hours: i32,
    /// Minutes kept free before a lesson.
    #[graphql(default)]
    pub buffer_before_minutes: i32,
    /// Minutes kept free after a lesson.
    #[graphql(default)]
    pub buffer_after_minutes: i32,
    /// Most 1-on-1 bookings per local day (empty: no limit).
    pub max_bookings_per_day: Option<i32>,
    /// How many days ahead bookings may be made (empty: no limit).
    pub horizon_days: Option<i32>,
    /// Minutes a waitlist offer stays open (default 1440).
    pub waitlist_offer_minutes: Option<i32>,
}

/// Result of `setBookingPolicy`.
#[derive(SimpleObject, Default)]
pub struct SetBookingPolicyPayload {
    /// The saved policy.
    pub policy: Option<BookingPolicy>,
    /// What was wrong.
    pub user_errors: Vec<UserError>,
}

/// Input of `bookSession`.
#[derive(InputObject, Debug)]
pub struct BookSessionInput {
    /// The group session.
    pub session_id: ID,
    /// Who the seats are for.
    pub student_id: ID,
    /// Seats including guests (default 1).
    #[graphql(default = 1)]
    pub seats: i32,
    /// A note for the teacher.
    pub note: Option<String>,
    /// When full, join the waitlist instead of failing with SESSION_FULL.
    #[graphql(default)]
    pub join_waitlist_if_full: bool,
    /// Makes the request safe to retry.
    pub idempotency_key: Option<String>,
}

/// Result of `bookSession`.
#[derive(SimpleObject, Default)]
pub struct BookSessionPayload {
    /// The booking, when seats were free.
    pub booking: Option<Booking>,
    /// The waitlist entry, when the session was full and
    /// `joinWaitlistIfFull` was set.
    pub waitlist_entry: Option<WaitlistEntry>,
    /// What was wrong.
    pub user_errors: Vec<UserError>,
}

/// Input of `register`.
#[derive(InputObject, Debug)]
pub struct RegisterInput {
    /// The class series.
    pub series_id: ID,
    /// The student.
    pub student_id: ID,
    /// SINGLE_SESSION, FULL_SCHEDULE or DROP_IN.
    pub r#type: RegistrationType,
    /// The sessions (one for SINGLE_SESSION, the chosen ones for DROP_IN).
    #[graphql(default)]
    pub session_ids: Vec<ID>,
    /// Seats per session (default 1).
    #[graphql(default = 1)]
    pub seats: i32,
    /// Makes the request safe to retry.
    pub idempotency_key: Option<String>,
}

/// Result of `register`.
#[derive(SimpleObject, Default)]
pub struct RegisterPayload {
    /// The registration and its bookings.
    pub registration: Option<Registration>,
    /// What was wrong (nothing is booked then).
    pub user_errors: Vec<UserError>,
}

/// Input of `bookOneOnOne`.
#[derive(InputObject, Debug)]
pub struct BookOneOnOneInput {
    /// The teacher.
    pub teacher_id: ID,
    /// The student.
    pub student_id: ID,
    /// What is taught (price and offering-specific policy).
    pub offering_id: Option<ID>,
    /// Start (a slot from `availableSlots`).
    pub starts_at: DateTime,
    /// Length in minutes.
    pub duration_minutes: i32,
    /// A note for the teacher.
    pub note: Option<String>,
    /// Makes the request safe to retry.
    pub idempotency_key: Option<String>,
}

/// Result of `bookOneOnOne`, `approveBooking`, `declineBooking`,
/// `acceptWaitlistOffer` and `rescheduleBooking`.
#[derive(SimpleObject, Default)]
pub struct BookingPayload {
    /// The booking.
    pub booking: Option<Booking>,
    /// What was wrong.
    pub user_errors: Vec<UserError>,
}

/// Input of `approveBooking`.
#[derive(InputObject)]
pub struct ApproveBookingInput {
    /// The pending booking.
    pub booking_id: ID,
}

/// Input of `declineBooking`.
#[derive(InputObject)]
pub struct DeclineBookingInput {
    /// The pending booking.
    pub booking_id: ID,
    /// Why (shown to the family).
    pub reason: Option<String>,
}

/// Input of `cancelBooking`.
#[derive(InputObject)]
pub struct CancelBookingInput {
    /// The booking.
    pub booking_id: ID,
    /// Why.
    pub reason: Option<String>,
    /// This booking only, or also every later one of its series.
    #[graphql(default)]
    pub scope: CancelScope,
}

/// Result of `cancelBooking`.
#[derive(SimpleObject, Default)]
pub struct CancelBookingPayload {
    /// Every booking cancelled.
    pub cancelled: Vec<Booking>,
    /// What was wrong.
    pub user_errors: Vec<UserError>,
}

/// Input of `rescheduleBooking`: a new time (1-on-1) or a new session
/// (group).
#[derive(InputObject)]
pub struct RescheduleBookingInput {
    /// The booking to move.
    pub booking_id: ID,
    /// The new start of a 1-on-1 lesson.
    pub starts_at: Option<DateTime>,
    /// The new session of a group booking.
    pub session_id: Option<ID>,
}

/// Input of `joinWaitlist`.
#[derive(InputObject)]
pub struct JoinWaitlistInput {
    /// The session.
    pub session_id: ID,
    /// The student.
    pub student_id: ID,
}

/// Result of `joinWaitlist`.
#[derive(SimpleObject, Default)]
pub struct JoinWaitlistPayload {
    /// The entry.
    pub waitlist_entry: Option<WaitlistEntry>,
    /// What was wrong.
    pub user_errors: Vec<UserError>,
}

/// Input of `acceptWaitlistOffer`.
#[derive(InputObject)]
pub struct AcceptWaitlistOfferInput {
    /// The entry holding an offer.
    pub entry_id: ID,
}

/// One attendance mark.
#[derive(InputObject)]
pub struct AttendanceInput {
    /// The student (on the roster).
    pub student_id: ID,
    /// The mark.
    pub status: AttendanceStatus,
    /// The school's own status refining the mark (e.g. SICK, counting as
    /// ABSENT): see `attendanceStatuses`.
    pub code: Option<String>,
    /// A note.
    pub note: Option<String>,
}

/// Input of `recordAttendance`.
#[derive(InputObject)]
pub struct RecordAttendanceInput {
    /// The session.
    pub session_id: ID,
    /// Marks, one per student.
    pub entries: Vec<AttendanceInput>,
}

/// Result of `recordAttendance`.
#[derive(SimpleObject, Default)]
pub struct RecordAttendancePayload {
    /// The session, with its roster.
    pub session: Option<Session>,
    /// What was wrong (nothing is recorded then).
    pub user_errors: Vec<UserError>,
}

/// How often a booking series repeats.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum BookingFrequency {
    /// Every `interval` days.
    Daily,
    /// Every `interval` weeks (on `daysOfWeek`, default the first's day).
    Weekly,
    /// Every `interval` months on the first's day of month.
    Monthly,
}

/// Input of `createBookingSeries`.
#[derive(InputObject, Debug)]
pub struct CreateBookingSeriesInput {
    /// The teacher.
    pub teacher_id: ID,
    /// The student.
    pub student_id: ID,
    /// What is taught.
    pub offering_id: Option<ID>,
    /// The first lesson's start.
    pub first_starts_at: DateTime,
    /// Length in minutes.
    pub duration_minutes: i32,
    /// DAILY, WEEKLY (2 = biweekly with `interval`) or MONTHLY.
    pub frequency: BookingFrequency,
    /// Every N units (default 1).
    #[graphql(default = 1)]
    pub interval: i32,
    /// ISO weekdays (1 = Monday) for WEEKLY.
    #[graphql(default)]
    pub days_of_week: Vec<i32>,
    /// How many lessons.
    pub count: Option<i32>,
    /// Last possible date (inclusive), in the school's zone.
    pub until: Option<crate::scalars::LocalDate>,
}

/// Result of `createBookingSeries`.
#[derive(SimpleObject, Default)]
pub struct CreateBookingSeriesPayload {
    /// The series.
    pub series: Option<BookingSeries>,
    /// The lessons booked.
    pub booked: Vec<Booking>,
    /// The occurrences that could not be booked, and why.
    pub conflicts: Vec<OccurrenceConflict>,
    /// What was wrong.
    pub user_errors: Vec<UserError>,
}

payloads!(
    SetBookingPolicyPayload,
    BookSessionPayload,
    RegisterPayload,
    BookingPayload,
    CancelBookingPayload,
    JoinWaitlistPayload,
    RecordAttendancePayload,
    CreateBookingSeriesPayload,
);
