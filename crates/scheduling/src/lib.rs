//! Scheduling: class series, recurrence expansion, session generation and
//! conflict detection (SPEC §3.3). Pure: no database, no clock, no I/O.
//!
//! The flow a caller follows: [`series::Schedule::parse`] validates input;
//! [`generation::plan`] lists the occurrences to create (it uses
//! [`recurrence`] for the RRULE and `kernel::resolve_local` for DST);
//! [`conflict::detect`] finds clashes with loaded sessions; and
//! [`generation::apply_policy`] turns those into sessions to write, skipped
//! dates, or a refusal. Once sessions exist, [`edit`] says what a change of
//! pattern does to them and [`session`] rules one session's lifecycle.

#![warn(missing_docs)]

pub mod catalog;
pub mod conflict;
pub mod edit;
pub mod generation;
pub mod hybrid;
pub mod meeting;
pub mod new_series;
pub mod recurrence;
pub mod series;
pub mod session;
pub mod staff;

pub use catalog::{
    CapacityError, OfferingError, OfferingKind, OfferingSpec, Validity, WindowError, parse_window,
};
pub use conflict::{AvailabilityWindow, Conflict, ConflictContext, ConflictKind, Resource, Slot};
pub use edit::{EditError, Hold, KeptReason, Regeneration, ScheduleChanges, Scope, Standing};
pub use generation::{GenerationError, Outcome};
pub use meeting::{Meeting, MeetingError, MeetingProvider};
pub use new_series::{SeriesContext, SeriesError, SeriesRequest, SeriesSpec, parse_series};
pub use recurrence::{Recurrence, RecurrenceError};
pub use series::{
    ConflictPolicy, GenerationMode, Occurrence, Schedule, ScheduleError, ScheduleInput,
    SchedulePart, SeriesStatus, SessionStatus, StatusChange, StatusError,
};
pub use session::SessionError;
