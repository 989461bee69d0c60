//! Conflict detection for planned sessions.
//!
//! A planned session conflicts when its teacher, an instructor or assistant,
//! its room or one of its students is already in an overlapping session
//! (a teacher's buffers included), when the teacher is outside their weekly
//! availability, on time off, teaching a booked 1-on-1 lesson then, or
//! lacks the offering's teaching role, or when the room holds fewer people
//! than the session's capacity. Every conflict names both sessions (or the
//! lesson or time off) and the resource.
//!
//! Overlaps are found with a sort-and-sweep per resource: O(n log n + k) for
//! n sessions and k overlapping pairs, instead of comparing every pair. The
//! rejected alternative, an interval tree per resource, gives the same bound
//! with more code; sessions arrive in batches, so sorting once is enough.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use kernel::{Availability, Booker, OfferingId, RoomId, SessionId, StudentId, TeacherId, TimeZone};

/// A session as conflict detection sees it: time, place and people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    /// Id of the session (for planned sessions, the id they will get).
    pub id: SessionId,
    /// Start instant (inclusive).
    pub starts_at: DateTime<Utc>,
    /// End instant (exclusive): back-to-back sessions do not overlap.
    pub ends_at: DateTime<Utc>,
    /// Zone the session's wall-clock times are in (for availability).
    pub zone: TimeZone,
    /// The teacher, if any.
    pub teacher: Option<TeacherId>,
    /// The room or booth, if any.
    pub room: Option<RoomId>,
    /// Students in it: a 1-on-1 series' student, booked and enrolled ones.
    pub students: Vec<StudentId>,
    /// Seats offered.
    pub capacity: u32,
    /// Instructors and assistants beside the teacher.
    pub staff: Vec<TeacherId>,
    /// What is taught (for the teaching role it requires).
    pub offering: Option<OfferingId>,
}

/// A resource two sessions can compete for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Resource {
    /// A teacher.
    Teacher(TeacherId),
    /// A room or booth.
    Room(RoomId),
    /// A student.
    Student(StudentId),
}

/// What kind of conflict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConflictKind {
    /// The teacher teaches another overlapping session.
    TeacherDoubleBooked,
    /// The room hosts another overlapping session.
    RoomDoubleBooked,
    /// The student attends another overlapping session.
    StudentDoubleBooked,
    /// The session is outside the teacher's availability windows.
    TeacherUnavailable,
    /// The room holds fewer people than the session's capacity.
    RoomTooSmall,
    /// An instructor or assistant is in another overlapping session.
    StaffDoubleBooked,
    /// The teacher is on time off then.
    TeacherOnTimeOff,
    /// The teacher has a booked 1-on-1 lesson then.
    TeacherHasLesson,
    /// Too little time between the teacher's lessons for their buffers.
    TeacherBuffer,
    /// The teacher lacks the offering's teaching role.
    TeacherNotQualified,
}

impl ConflictKind {
    /// Stable wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TeacherDoubleBooked => "TEACHER_DOUBLE_BOOKED",
            Self::RoomDoubleBooked => "ROOM_DOUBLE_BOOKED",
            Self::StudentDoubleBooked => "STUDENT_DOUBLE_BOOKED",
            Self::TeacherUnavailable => "TEACHER_UNAVAILABLE",
            Self::RoomTooSmall => "ROOM_TOO_SMALL",
            Self::StaffDoubleBooked => "STAFF_DOUBLE_BOOKED",
            Self::TeacherOnTimeOff => "TEACHER_ON_TIME_OFF",
            Self::TeacherHasLesson => "TEACHER_HAS_LESSON",
            Self::TeacherBuffer => "TEACHER_BUFFER",
            Self::TeacherNotQualified => "TEACHER_NOT_QUALIFIED",
        }
    }

    /// Inverse of [`ConflictKind::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::TeacherDoubleBooked,
            Self::RoomDoubleBooked,
            Self::StudentDoubleBooked,
            Self::TeacherUnavailable,
            Self::RoomTooSmall,
            Self::StaffDoubleBooked,
            Self::TeacherOnTimeOff,
            Self::TeacherHasLesson,
            Self::TeacherBuffer,
            Self::TeacherNotQualified,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// One conflict of a planned session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// What kind.
    pub kind: ConflictKind,
    /// The planned session that has the conflict.
    pub session: SessionId,
    /// The other session involved, for double bookings.
    pub other: Option<SessionId>,
    /// The contested resource.
    pub resource: Resource,
    /// A sentence for the office manager.
    pub message: String,
}

/// A time range `[start, end)` in UTC.
pub type Span = (DateTime<Utc>, DateTime<Utc>);

/// A weekly availability window of a teacher (the kernel's one type).
pub use kernel::availability::Window as AvailabilityWindow;

/// Loaded state conflict detection needs beyond the sessions.
#[derive(Debug, Clone, Default)]
pub struct ConflictContext {
    /// Teachers' weekly availability. A teacher with no entry is
    /// [`Availability::Unrestricted`]: the office may schedule them any time.
    pub availability: HashMap<TeacherId, Availability>,
    /// Capacity of each room.
    pub room_capacity: HashMap<RoomId, u32>,
    /// Teachers' time off (any overlap conflicts).
    pub time_off: HashMap<TeacherId, Vec<Span>>,
    /// Teachers' booked 1-on-1 lessons (they are not sessions).
    pub lessons: HashMap<TeacherId, Vec<Span>>,
    /// The free time a teacher's booking policy keeps around each lesson
    /// (before, after). Two lessons of the teacher need the larger of the
    /// two between them: a buffer may not overlap another lesson, but two
    /// buffers may overlap each other (as slot search reads them). Keyed by
    /// teacher and offering (an offering's own policy wins), with `None`
    /// for the teacher's general policy, which stored sessions use.
    pub buffers: HashMap<(TeacherId, Option<OfferingId>), (Duration, Duration)>,
    /// Teachers who lack the teaching role an offering requires.
    pub unqualified: HashSet<(TeacherId, OfferingId)>,
}

impl ConflictContext {
    /// The gap a teacher needs between two lessons.
    fn gap(&self, teacher: TeacherId, offering: Option<OfferingId>) -> Duration {
        offering
            .and_then(|o| self.buffers.get(&(teacher, Some(o))))
            .or_else(|| self.buffers.get(&(teacher, None)))
            .map_or(Duration::zero(), |(before, after)| (*before).max(*after))
    }
}

/// Finds the conflicts of `planned` sessions against each other and against
/// `existing` sessions (which should exclude cancelled ones). Conflicts among
/// existing sessions alone are not reported: they were decided earlier.
/// The result is grouped by planned session, in `planned` order.
pub fn detect(planned: &[Slot], existing: &[Slot], ctx: &ConflictContext) -> Vec<Vec<Conflict>> {
    let mut found: Vec<Vec<Conflict>> = vec![Vec::new(); planned.len()];

    for (i, slot) in planned.iter().enumerate() {
        if let Some(teacher) = slot.teacher
            && let Some(availability) = ctx.availability.get(&teacher)
            && !availability.admits(Booker::Office, slot.zone, slot.starts_at, slot.ends_at)
        {
            found[i].push(Conflict {
                kind: ConflictKind::TeacherUnavailable,
                session: slot.id,
                other: None,
                resource: Resource::Teacher(teacher),
                message: format!(
                    "the teacher is not available {} from {} to {} ({}); change the time or the teacher's availability",
                    slot.local_start().format("%A %Y-%m-%d"),
                    slot.local_start().format("%H:%M"),
                    slot.local_end().format("%H:%M"),
                    slot.zone
                ),
            });
        }
        if let Some(room) = slot.room
            && let Some(&room_capacity) = ctx.room_capacity.get(&room)
            && room_capacity < slot.capacity
        {
            found[i].push(Conflict {
                kind: ConflictKind::RoomTooSmall,
                session: slot.id,
                other: None,
                resource: Resource::Room(room),
                message: format!(
                    "the room holds {room_capacity} but the session offers {} seats; lower the capacity or pick a larger room",
                    slot.capacity
                ),
            });
        }
        let Some(teacher) = slot.teacher else {
            continue;
        };
        if slot
            .offering
            .is_some_and(|o| ctx.unqualified.contains(&(teacher, o)))
        {
            found[i].push(Conflict {
                kind: ConflictKind::TeacherNotQualified,
                session: slot.id,
                other: None,
                resource: Resource::Teacher(teacher),
                message: "the teacher does not hold the teaching role this offering requires; grant the role or pick a qualified teacher (eligibleStaff lists them)".into(),
            });
        }
        for &(from, to) in ctx.time_off.get(&teacher).into_iter().flatten() {
            if from < slot.ends_at && slot.starts_at < to {
                found[i].push(Conflict {
                    kind: ConflictKind::TeacherOnTimeOff,
                    session: slot.id,
                    other: None,
                    resource: Resource::Teacher(teacher),
                    message: format!(
                        "the teacher is on time off from {} to {} ({}); change the time or the teacher",
                        slot.zone.local(from).format("%Y-%m-%d %H:%M"),
                        slot.zone.local(to).format("%Y-%m-%d %H:%M"),
                        slot.zone
                    ),
                });
            }
        }
        let gap = ctx.gap(teacher, slot.offering);
        for &(from, to) in ctx.lessons.get(&teacher).into_iter().flatten() {
            if from < slot.ends_at + gap && slot.starts_at < to + gap {
                found[i].push(Conflict {
                    kind: ConflictKind::TeacherHasLesson,
                    session: slot.id,
                    other: None,
                    resource: Resource::Teacher(teacher),
                    message: format!(
                        "the teacher has a booked 1-on-1 lesson from {} to {} ({}){}; change the time or move the lesson",
                        slot.zone.local(from).format("%Y-%m-%d %H:%M"),
                        slot.zone.local(to).format("%H:%M"),
                        slot.zone,
                        if gap > Duration::zero() {
                            format!(" and keeps {} minutes free around lessons", gap.num_minutes())
                        } else {
                            String::new()
                        }
                    ),
                });
            }
        }
    }

    // Bucket every (resource, slot) pair, then sweep each bucket in start order.
    // `Side::Planned(i)` indexes `planned`; existing slots need no index. A
    // teacher's slots count as ending their buffer gap later, so lessons
    // closer than the gap overlap.
    type Entry<'a> = (Side, &'a Slot, DateTime<Utc>);
    let mut buckets: HashMap<Resource, Vec<Entry>> = HashMap::new();
    let sides = planned
        .iter()
        .enumerate()
        .map(|(i, s)| (Side::Planned(i), s))
        .chain(existing.iter().map(|s| (Side::Existing, s)));
    for (side, slot) in sides {
        for resource in slot.resources() {
            let end = match resource {
                Resource::Teacher(t) => slot.ends_at + ctx.gap(t, slot.offering),
                _ => slot.ends_at,
            };
            buckets.entry(resource).or_default().push((side, slot, end));
        }
    }
    for (resource, mut entries) in buckets {
        entries.sort_by_key(|(_, s, end)| (s.starts_at, *end));
        // Slots still running at the sweep position. Kept small: a slot
        // leaves as soon as a later start passes its (buffered) end.
        let mut active: Vec<Entry> = Vec::new();
        for (side, slot, end) in entries {
            active.retain(|(_, _, e)| *e > slot.starts_at);
            for &(other_side, other, _) in &active {
                if other.id == slot.id {
                    continue;
                }
                if let Side::Planned(i) = side {
                    found[i].push(double_booking(resource, slot, other, ctx));
                }
                if let Side::Planned(i) = other_side {
                    found[i].push(double_booking(resource, other, slot, ctx));
                }
            }
            active.push((side, slot, end));
        }
    }
    for conflicts in &mut found {
        // Deterministic order for callers and tests: HashMap iteration is not.
        conflicts.sort_by_key(|c| (c.kind as u8, c.resource, c.other));
    }
    found
}

#[derive(Debug, Clone, Copy)]
enum Side {
    Planned(usize),
    Existing,
}

impl Slot {
    fn resources(&self) -> impl Iterator<Item = Resource> + '_ {
        let mut teachers: Vec<TeacherId> = self.teacher.into_iter().collect();
        for t in &self.staff {
            if !teachers.contains(t) {
                teachers.push(*t);
            }
        }
        let mut students = self.students.clone();
        students.sort();
        students.dedup();
        teachers
            .into_iter()
            .map(Resource::Teacher)
            .chain(self.room.map(Resource::Room))
            .chain(students.into_iter().map(Resource::Student))
    }

    fn local_start(&self) -> chrono::NaiveDateTime {
        self.zone.local(self.starts_at)
    }

    fn local_end(&self) -> chrono::NaiveDateTime {
        self.zone.local(self.ends_at)
    }
}

fn double_booking(
    resource: Resource,
    slot: &Slot,
    other: &Slot,
    ctx: &ConflictContext,
) -> Conflict {
    let overlaps = slot.starts_at < other.ends_at && other.starts_at < slot.ends_at;
    let (kind, who) = match resource {
        // Only a buffer between them: not a double booking, too close.
        Resource::Teacher(_) if !overlaps => (ConflictKind::TeacherBuffer, "the teacher"),
        Resource::Teacher(t) if slot.teacher == Some(t) && other.teacher == Some(t) => {
            (ConflictKind::TeacherDoubleBooked, "the teacher")
        }
        Resource::Teacher(_) => (
            ConflictKind::StaffDoubleBooked,
            "an instructor or assistant of this session",
        ),
        Resource::Room(_) => (ConflictKind::RoomDoubleBooked, "the room"),
        Resource::Student(_) => (ConflictKind::StudentDoubleBooked, "the student"),
    };
    let mut message = format!(
        "{who} is already in session {} from {} to {} ({}) on {}",
        other.id,
        other.zone.local(other.starts_at).format("%H:%M"),
        other.zone.local(other.ends_at).format("%H:%M"),
        other.zone,
        other.zone.local(other.starts_at).format("%Y-%m-%d"),
    );
    if kind == ConflictKind::TeacherBuffer
        && let Resource::Teacher(t) = resource
    {
        message = format!(
            "the teacher keeps {} minutes free between lessons (booking policy), and session {} runs from {} to {} ({}) on {}",
            ctx.gap(t, slot.offering).num_minutes(),
            other.id,
            other.zone.local(other.starts_at).format("%H:%M"),
            other.zone.local(other.ends_at).format("%H:%M"),
            other.zone,
            other.zone.local(other.starts_at).format("%Y-%m-%d"),
        );
    }
    Conflict {
        kind,
        session: slot.id,
        other: Some(other.id),
        resource,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, NaiveTime, TimeZone as _};
    use kernel::Weekday;
    use proptest::prelude::*;
    use uuid_like::id;

    /// Deterministic ids for tests without pulling a UUID generator in.
    mod uuid_like {
        pub fn id<T: From<uuid::Uuid>>(n: u128) -> T {
            T::from(uuid::Uuid::from_u128(n))
        }
    }

    fn at(hour: u32, minute: u32) -> DateTime<Utc> {
        // Monday 2 March 2026.
        Utc.with_ymd_and_hms(2026, 3, 2, hour, minute, 0).unwrap()
    }

    fn slot(n: u128, from: (u32, u32), to: (u32, u32)) -> Slot {
        Slot {
            id: id(n),
            starts_at: at(from.0, from.1),
            ends_at: at(to.0, to.1),
            zone: TimeZone::UTC,
            teacher: Some(id(100)),
            room: None,
            students: vec![],
            capacity: 4,
            staff: vec![],
            offering: None,
        }
    }

    fn kinds(found: &[Conflict]) -> Vec<(&'static str, Option<SessionId>)> {
        found.iter().map(|c| (c.kind.as_str(), c.other)).collect()
    }

    #[test]
    fn each_conflict_kind_names_both_sessions_and_the_resource() {
        let existing = Slot {
            room: Some(id(200)),
            students: vec![id(300)],
            ..slot(1, (17, 0), (18, 0))
        };
        let planned = Slot {
            room: Some(id(200)),
            students: vec![id(300)],
            capacity: 12,
            ..slot(2, (17, 30), (18, 30))
        };
        let ctx = ConflictContext {
            availability: HashMap::from([(
                id(100),
                Availability::from_windows(vec![AvailabilityWindow::weekly(
                    Weekday::from_iso(1).unwrap(),
                    NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
                    NaiveTime::from_hms_opt(18, 0, 0).unwrap(),
                )]),
            )]),
            room_capacity: HashMap::from([(id(200), 8)]),
            ..Default::default()
        };
        let found = detect(&[planned], &[existing], &ctx);
        assert_eq!(
            kinds(&found[0]),
            vec![
                ("TEACHER_DOUBLE_BOOKED", Some(id(1))),
                ("ROOM_DOUBLE_BOOKED", Some(id(1))),
                ("STUDENT_DOUBLE_BOOKED", Some(id(1))),
                ("TEACHER_UNAVAILABLE", None),
                ("ROOM_TOO_SMALL", None),
            ]
        );
        assert!(found[0].iter().all(|c| c.session == id(2)));
        assert_eq!(found[0][1].resource, Resource::Room(id(200)));
        assert!(
            found[0][4].message.contains("holds 8"),
            "{}",
            found[0][4].message
        );
        assert!(
            found[0][3].message.contains("not available"),
            "{}",
            found[0][3].message
        );
    }

    #[test]
    fn back_to_back_sessions_and_other_teachers_do_not_conflict() {
        let existing = [
            slot(1, (17, 0), (18, 0)),
            Slot {
                teacher: Some(id(101)),
                ..slot(3, (18, 0), (19, 0))
            },
        ];
        let planned = [slot(2, (18, 0), (19, 0))];
        assert!(detect(&planned, &existing, &ConflictContext::default())[0].is_empty());
    }

    #[test]
    fn planned_sessions_conflict_with_each_other_both_ways() {
        let planned = [slot(1, (17, 0), (18, 0)), slot(2, (17, 30), (18, 30))];
        let found = detect(&planned, &[], &ConflictContext::default());
        assert_eq!(
            kinds(&found[0]),
            vec![("TEACHER_DOUBLE_BOOKED", Some(id(2)))]
        );
        assert_eq!(
            kinds(&found[1]),
            vec![("TEACHER_DOUBLE_BOOKED", Some(id(1)))]
        );
    }

    #[test]
    fn availability_is_checked_in_the_sessions_own_zone() {
        // 16:00Z on Monday 2 March is 17:00 in Berlin: inside a 17:00–18:00 window.
        let berlin = TimeZone::parse("Europe/Berlin").unwrap();
        let planned = Slot {
            zone: berlin,
            ..slot(1, (16, 0), (17, 0))
        };
        let window = |h| {
            AvailabilityWindow::weekly(
                Weekday::from_iso(1).unwrap(),
                NaiveTime::from_hms_opt(h, 0, 0).unwrap(),
                NaiveTime::from_hms_opt(h + 1, 0, 0).unwrap(),
            )
        };
        let ctx = |h| ConflictContext {
            availability: HashMap::from([(id(100), Availability::from_windows(vec![window(h)]))]),
            ..Default::default()
        };
        assert!(detect(std::slice::from_ref(&planned), &[], &ctx(17))[0].is_empty());
        assert_eq!(
            kinds(&detect(&[planned], &[], &ctx(16))[0]),
            vec![("TEACHER_UNAVAILABLE", None)]
        );
    }

    #[test]
    fn staff_time_off_lessons_buffers_and_roles_are_conflicts_too() {
        // Bob (101) assists the planned 17:00 session and teaches another
        // at 17:30; the teacher (100) is off from 16:00, has a 1-on-1 at
        // 18:10 and keeps 15 minutes between lessons, and lacks the role.
        let planned = Slot {
            staff: vec![id(101)],
            offering: Some(id(500)),
            ..slot(2, (17, 0), (18, 0))
        };
        let bobs = Slot {
            teacher: Some(id(101)),
            ..slot(1, (17, 30), (18, 30))
        };
        let earlier = slot(3, (15, 0), (16, 50));
        let ctx = ConflictContext {
            time_off: HashMap::from([(id(100), vec![(at(16, 0), at(17, 15))])]),
            lessons: HashMap::from([(id(100), vec![(at(18, 10), at(18, 40))])]),
            buffers: HashMap::from([(
                (id(100), None),
                (Duration::minutes(15), Duration::minutes(5)),
            )]),
            unqualified: HashSet::from([(id(100), id(500))]),
            ..Default::default()
        };
        let found = detect(&[planned], &[bobs, earlier], &ctx);
        assert_eq!(
            kinds(&found[0]),
            vec![
                ("STAFF_DOUBLE_BOOKED", Some(id(1))),
                ("TEACHER_ON_TIME_OFF", None),
                ("TEACHER_HAS_LESSON", None),
                ("TEACHER_BUFFER", Some(id(3))),
                ("TEACHER_NOT_QUALIFIED", None),
            ]
        );
        let buffer = found[0]
            .iter()
            .find(|c| c.kind == ConflictKind::TeacherBuffer)
            .unwrap();
        assert!(buffer.message.contains("15 minutes"), "{}", buffer.message);
        // With no buffer, 10 minutes apart is fine.
        let ctx = ConflictContext::default();
        let found = detect(
            &[slot(2, (17, 0), (18, 0))],
            &[slot(3, (15, 0), (16, 50))],
            &ctx,
        );
        assert!(found[0].is_empty());
    }

    #[test]
    fn a_student_booked_elsewhere_conflicts_once_per_clash() {
        let planned = Slot {
            teacher: None,
            students: vec![id(300), id(300), id(301)],
            ..slot(2, (17, 0), (18, 0))
        };
        let existing = Slot {
            teacher: Some(id(101)),
            students: vec![id(300)],
            ..slot(1, (17, 30), (18, 30))
        };
        let found = detect(&[planned], &[existing], &ConflictContext::default());
        assert_eq!(
            kinds(&found[0]),
            vec![("STUDENT_DOUBLE_BOOKED", Some(id(1)))]
        );
    }

    proptest! {
        /// The sweep finds exactly the pairs a brute-force comparison finds.
        #[test]
        fn sweep_matches_brute_force(
            raw in proptest::collection::vec((0i64..600, 1i64..120, 0u8..3, any::<bool>()), 1..60),
        ) {
            let base = at(0, 0);
            let slots: Vec<(Slot, bool)> = raw.iter().enumerate().map(|(i, (start, len, teacher, planned))| {
                (Slot {
                    id: id(i as u128 + 1),
                    starts_at: base + Duration::minutes(*start),
                    ends_at: base + Duration::minutes(start + len),
                    zone: TimeZone::UTC,
                    teacher: Some(id(u128::from(*teacher) + 1000)),
                    room: None,
                    students: vec![],
                    capacity: 1,
                    staff: vec![],
                    offering: None,
                }, *planned)
            }).collect();
            let planned: Vec<Slot> = slots.iter().filter(|(_, p)| *p).map(|(s, _)| s.clone()).collect();
            let existing: Vec<Slot> = slots.iter().filter(|(_, p)| !*p).map(|(s, _)| s.clone()).collect();
            let found = detect(&planned, &existing, &ConflictContext::default());
            for (p, conflicts) in planned.iter().zip(&found) {
                let mut got: Vec<SessionId> = conflicts.iter().filter_map(|c| c.other).collect();
                got.sort();
                let mut expect: Vec<SessionId> = slots.iter().map(|(s, _)| s)
                    .filter(|o| o.id != p.id && o.teacher == p.teacher && o.starts_at < p.ends_at && p.starts_at < o.ends_at)
                    .map(|o| o.id).collect();
                expect.sort();
                prop_assert_eq!(got, expect);
            }
        }
    }
}
