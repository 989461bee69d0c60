//! Why a booking request is refused: one enum for the whole booking core.
//!
//! Variants are named for what the caller can do about them. They carry no
//! input field name and no client code: the gateway maps each variant to
//! `userErrors { field code message }` in one exhaustive match, so the wire
//! can change without touching a rule. (Messages are for people and may
//! point at the API operation that helps, e.g. `availableSlots`.)

use crate::capacity::SessionFull;
use crate::policy::PolicyViolation;
use crate::series_rule::RuleError;
use crate::status::TransitionError;

/// What a request named that does not exist in the school.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Missing {
    /// A session.
    Session,
    /// A teacher.
    Teacher,
    /// An offering.
    Offering,
    /// A class series.
    Series,
    /// A session of the named series (drop-in and single registrations).
    SessionOfSeries,
    /// A booking.
    Booking,
    /// A waitlist entry.
    WaitlistEntry,
    /// A confirmed booking of the student on the session (attendance).
    RosterPlace,
    /// An enrolment.
    Enrolment,
}

impl Missing {
    fn noun(self) -> &'static str {
        match self {
            Self::Session => "session",
            Self::Teacher => "teacher",
            Self::Offering => "offering",
            Self::Series => "class series",
            Self::SessionOfSeries => "session of this series",
            Self::Booking => "booking",
            Self::WaitlistEntry => "waitlist entry",
            Self::RosterPlace => "confirmed booking of this student on the session",
            Self::Enrolment => "enrolment",
        }
    }
}

impl std::fmt::Display for Missing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.noun())
    }
}

/// Why the student cannot have (another) place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AlreadyBooked {
    /// A place in this very session.
    #[error("the student already has a place in this session")]
    InSession,
    /// An entry on this session's waitlist.
    #[error("the student is already on this session's waitlist")]
    OnWaitlist,
    /// Another lesson at that time.
    #[error("the student already has a lesson at that time")]
    BusyElsewhere,
    /// Another lesson booked since the waitlist offer was made.
    #[error("the student has booked another lesson at that time since the offer; cancel it first")]
    BusySinceOffer,
    /// A 1-on-1 slot in this hybrid meeting.
    #[error("the student already has a 1-on-1 slot in this meeting")]
    HybridSlot,
}

/// Why a session cannot be booked at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NotBookable {
    /// It is cancelled.
    #[error("this session is cancelled; choose another one")]
    Cancelled,
    /// It belongs to one student's 1-on-1 series.
    #[error(
        "this session belongs to a student's 1-on-1 series; book a group session or a 1-on-1 slot"
    )]
    PrivateLesson,
    /// A hybrid meeting outside the cycle's 1-on-1 weeks.
    #[error("this meeting is a group lesson, not one of the cycle's 1-on-1 weeks")]
    GroupWeek,
    /// The series has nothing left to register for.
    #[error("the series has no remaining sessions to register for; generate its sessions first")]
    NothingLeft,
}

/// A registration request of the wrong shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RegistrationShape {
    /// SINGLE_SESSION names exactly one session.
    #[error("a single-session registration names exactly one session")]
    SingleNeedsOne,
    /// DROP_IN names at least one session, each once.
    #[error("a drop-in registration names at least one session, each once")]
    DropInNeedsSome,
}

/// Why a booking request was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BookingError {
    /// An id names nothing in the school.
    #[error("no {0} with this id exists in your school")]
    NotFound(Missing),
    /// A booking-policy rule.
    #[error("{0}")]
    Policy(#[from] PolicyViolation),
    /// Not enough seats.
    #[error("{0}")]
    Full(#[from] SessionFull),
    /// The student already has a place or a lesson then.
    #[error("{0}")]
    AlreadyBooked(AlreadyBooked),
    /// The session cannot be booked.
    #[error("{0}")]
    NotBookable(NotBookable),
    /// The teacher is busy then.
    #[error(
        "the teacher is not free at that time (another lesson or its buffer overlaps); pick a slot from availableSlots"
    )]
    SlotTaken,
    /// Outside the teacher's published availability.
    #[error("the teacher does not teach at that time; pick a slot from availableSlots")]
    OutsideAvailability,
    /// The teacher published no availability, so families cannot book them.
    #[error(
        "the teacher has not published any availability yet, so lessons with them are booked by the school; ask the office"
    )]
    NoPublishedAvailability,
    /// A move names the wrong target for the booking's kind.
    #[error("give startsAt to move a 1-on-1 lesson, or sessionId to move a group booking")]
    WrongMove,
    /// A lesson length out of range.
    #[error("a lesson lasts between 5 and 600 minutes")]
    LessonLength,
    /// A seat count out of range.
    #[error("book between 1 and 50 seats")]
    SeatCount,
    /// A 1-on-1 start outside the hybrid meeting's time.
    #[error("the lesson must lie inside the group meeting's time; pick a slot from hybridSlots")]
    OutsideMeeting,
    /// An illegal status change.
    #[error("{0}")]
    Transition(#[from] TransitionError),
    /// The waitlist offer is gone.
    #[error("this waitlist offer has expired or was already answered")]
    OfferClosed,
    /// An enrolment status change the lifecycle refuses.
    #[error(
        "an enrolment cannot go from {from} to {to}; a place is paused or resumed while active, and ends as UNENROLLED or DROPPED"
    )]
    EnrolmentStep {
        /// The current status.
        from: &'static str,
        /// The status asked for.
        to: &'static str,
    },
    /// The entry already left the line.
    #[error(
        "this waitlist entry is no longer in line: it was accepted, expired, withdrawn or its session was cancelled"
    )]
    NotInLine,
    /// Hybrid 1-on-1 slots are for the series' enrolled students.
    #[error(
        "the student is not enrolled in this series; register them for the full schedule first"
    )]
    NotEnrolled,
    /// A registration of the wrong shape.
    #[error("{0}")]
    Registration(RegistrationShape),
    /// A recurring booking rule that cannot be built.
    #[error("{0}")]
    Rule(#[from] RuleError),
    /// Not enough equipment free at that time for every seat.
    #[error("{0}; choose another session or fewer seats")]
    Equipment(#[from] resources::Shortage),
    /// The teacher or offering is archived: nothing new may use it.
    #[error("{0}")]
    Archived(#[from] kernel::ArchiveError),
}
