//! The booking shell: each function locks the rows its decision depends
//! on, loads a snapshot, asks the pure core in the `booking` crate, and
//! writes what it decided, inside the caller's write transaction.
//!
//! Concurrency: every operation on a session first locks its row (`FOR
//! UPDATE` on PostgreSQL; SQLite's write transactions are already serial),
//! and seats are taken with one conditional `UPDATE … SET seats_taken =
//! seats_taken + n WHERE seats_taken + n <= capacity`, so confirmed seats
//! never exceed capacity whatever the interleaving. 1-on-1 bookings lock
//! the teacher's row the same way; group and 1-on-1 bookings lock the
//! student's row, so two requests cannot both pass an overlap check. A
//! change to an existing booking (decide, cancel, reschedule) locks its
//! session (or teacher) and then the booking itself, and decides on the
//! booking as re-read under those locks (`rows::lock_booking`).
//!
//! `sessions.seats_taken` counts seats held by PENDING and CONFIRMED
//! bookings and by open waitlist offers: a freed seat goes to the waitlist
//! before anyone else can take it.
//!
//! Modules by concern: [`rows`] (typed reads of stored strings, locks, the
//! seat counter, inserts), [`policy`], [`seats`] (group seats, decisions,
//! cancellation, rescheduling, registrations), [`waitlist`], [`lesson`]
//! (1-on-1 lessons, slot search, booking series, time off), [`hybrid`],
//! [`attendance`] and [`read`] (what the API shows).

pub mod attendance;
pub mod enrolment;
pub mod hybrid;
pub mod lesson;
pub mod policy;
pub mod read;
pub mod rows;
pub mod seats;
pub mod waitlist;

pub use ::booking::BookingError;
pub use attendance::{MarkEntry, record_attendance, record_lesson_attendance};
pub use hybrid::{book_hybrid_slot, hybrid_slots};
pub use lesson::{
    BookingSeriesRequest, LessonRequest, SeriesOutcome, add_time_off, available_slots,
    available_slots_many, book_one_on_one, busy_of, create_booking_series, slot_teachers,
};
pub use policy::{applicable_policy, policy_for, set_policy};
pub use rows::{school_zone, status_of};
pub use seats::{
    Change, GroupOutcome, Move, SeatRequest, book_session, cancel, decide, register, reschedule,
};
pub use waitlist::{accept_offer, expire_due_offers, join_waitlist, leave_waitlist};

/// A decision of the booking core: done, or refused for a reason the
/// client can act on. The outer `infra::Result` carries database failures.
pub type Outcome<T> = std::result::Result<T, BookingError>;
