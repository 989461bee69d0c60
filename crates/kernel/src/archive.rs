//! Archiving instead of deleting (SPEC §3.1–3.2): a location, room,
//! teacher, student or offering that history refers to is never deleted.
//! Archived, it stays readable wherever history points at it, drops out of
//! lists, and may not be used by anything new.
//!
//! Two decisions live here, both pure: whether a row may be archived now
//! (nothing upcoming still depends on it, so archiving never strands a
//! booked family), and whether a row may be used by something new.

use chrono::{DateTime, Utc};

/// What an archivable row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Archivable {
    /// A location (archiving it archives its rooms too).
    Location,
    /// A room.
    Room,
    /// A teacher.
    Teacher,
    /// A student.
    Student,
    /// An offering.
    Offering,
}

impl Archivable {
    /// The word people use for it.
    pub fn noun(self) -> &'static str {
        match self {
            Self::Location => "location",
            Self::Room => "room",
            Self::Teacher => "teacher",
            Self::Student => "student",
            Self::Offering => "offering",
        }
    }
}

/// What upcoming work still depends on a row, counted from now.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    /// Sessions not yet ended, not cancelled, that use it.
    pub upcoming_sessions: u64,
    /// Series still ACTIVE or PAUSED that would generate more of them
    /// (for a teacher: leading them or assigned to them as staff).
    pub live_series: u64,
    /// Bookings (seats or 1-on-1 lessons) that still hold a place ahead.
    pub upcoming_bookings: u64,
    /// Standing enrolments still ACTIVE or PAUSED (a paused place resumes).
    pub active_enrolments: u64,
    /// Places in a waitlist (waiting, or holding an offer).
    pub waitlist_places: u64,
}

impl Usage {
    fn parts(&self) -> Vec<String> {
        let counted = [
            (self.upcoming_sessions, "upcoming session"),
            (self.live_series, "active series"),
            (self.upcoming_bookings, "upcoming booking"),
            (self.active_enrolments, "active enrolment"),
            (self.waitlist_places, "waitlist place"),
        ];
        counted
            .into_iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, what)| {
                // "series" is its own plural.
                let plural = if n == 1 || what.ends_with("series") {
                    ""
                } else {
                    "s"
                };
                format!("{n} {what}{plural}")
            })
            .collect()
    }
}

/// Why archiving or using a row was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArchiveError {
    /// Upcoming work still depends on it.
    #[error(
        "{} {name} still has {}; cancel them or move them elsewhere first, then archive the {}",
        .kind.noun(), .usage.parts().join(", "), .kind.noun()
    )]
    InUse {
        /// What it is.
        kind: Archivable,
        /// Its name, as people know it.
        name: String,
        /// What depends on it.
        usage: Usage,
    },
    /// It is archived, so nothing new may use it.
    #[error("{} {name} is archived; restore it with unarchive, or choose another {}", .kind.noun(), .kind.noun())]
    Archived {
        /// What it is.
        kind: Archivable,
        /// Its name.
        name: String,
    },
}

/// Whether a row may be archived: only when nothing upcoming depends on it.
/// Archiving an archived row again is allowed (it changes nothing).
pub fn may_archive(kind: Archivable, name: &str, usage: Usage) -> Result<(), ArchiveError> {
    if usage == Usage::default() {
        Ok(())
    } else {
        Err(ArchiveError::InUse {
            kind,
            name: name.to_owned(),
            usage,
        })
    }
}

/// Whether something new may use a row archived at `archived_at`.
pub fn usable(
    kind: Archivable,
    name: &str,
    archived_at: Option<DateTime<Utc>>,
) -> Result<(), ArchiveError> {
    match archived_at {
        None => Ok(()),
        Some(_) => Err(ArchiveError::Archived {
            kind,
            name: name.to_owned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_row_nothing_upcoming_depends_on_may_be_archived() {
        let one = |f: fn(&mut Usage)| {
            let mut u = Usage::default();
            f(&mut u);
            u
        };
        // (usage, may archive)
        let table = [
            (Usage::default(), true),
            (one(|u| u.upcoming_sessions = 1), false),
            (one(|u| u.live_series = 1), false),
            (one(|u| u.upcoming_bookings = 2), false),
            (one(|u| u.active_enrolments = 1), false),
            (one(|u| u.waitlist_places = 1), false),
        ];
        for (usage, want) in table {
            assert_eq!(
                may_archive(Archivable::Room, "Studio A", usage).is_ok(),
                want,
                "{usage:?}"
            );
        }
    }

    #[test]
    fn the_refusal_says_what_still_depends_on_it_and_what_to_do() {
        let usage = Usage {
            upcoming_sessions: 12,
            live_series: 2,
            upcoming_bookings: 1,
            active_enrolments: 0,
            waitlist_places: 0,
        };
        let e = may_archive(Archivable::Teacher, "Ada Lovelace", usage).unwrap_err();
        assert_eq!(
            e.to_string(),
            "teacher Ada Lovelace still has 12 upcoming sessions, 2 active series, \
             1 upcoming booking; cancel them or move them elsewhere first, then archive the teacher"
        );
    }

    #[test]
    fn an_archived_row_refuses_new_use_with_the_way_back() {
        assert!(usable(Archivable::Student, "Lily", None).is_ok());
        let e = usable(Archivable::Student, "Lily", Some(DateTime::UNIX_EPOCH)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "student Lily is archived; restore it with unarchive, or choose another student"
        );
    }
}
