//! Editing a series after its sessions exist (SPEC §3.3): what a change
//! of pattern does to the sessions already generated.
//!
//! An edit has a scope. THIS changes one session by hand (it becomes
//! `detached`, see [`crate::session`]). THIS_AND_FOLLOWING splits the series
//! at a date into two linked series ([`Schedule::split_at`]); ALL changes the
//! whole series ([`Schedule::changed`]). In both, the sessions still to come
//! are regenerated under the new pattern by [`regenerate`]: free sessions
//! are moved onto the new occurrences, surplus ones cancelled, missing ones
//! created; a session someone booked, or one edited by hand, is kept where
//! it is and reported, never silently moved.
//!
//! Matching is by date first (a session whose date the new pattern keeps
//! stays on it, with the new time), then in time order. The rejected
//! alternative, cancelling every free session and creating the new pattern
//! afresh, would change every session id: links already shared (calendar
//! entries, staff assignments) would break for no reason.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Days, NaiveDate, NaiveTime, Utc};
use kernel::SessionId;

use crate::conflict::Conflict;
use crate::generation::GenerationError;
use crate::series::{ConflictPolicy, Occurrence, Schedule, ScheduleError, ScheduleInput};

/// How much of a series an edit changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// One session only; it becomes detached.
    This,
    /// The session and every later one: the series is split in two.
    ThisAndFollowing,
    /// The whole series (sessions still to come).
    All,
}

/// Changes to a schedule; `None` keeps what the series has.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScheduleChanges {
    /// New local start time.
    pub start_time: Option<NaiveTime>,
    /// New length in minutes.
    pub duration_minutes: Option<i64>,
    /// New local end time (instead of a length).
    pub end_time: Option<NaiveTime>,
    /// A new RRULE.
    pub rrule: Option<String>,
    /// New days of the simple weekly form.
    pub days_of_week: Option<Vec<u32>>,
    /// New interval of the simple weekly form (with `days_of_week`).
    pub interval_weeks: Option<u32>,
    /// A new last date.
    pub end_date: Option<NaiveDate>,
    /// A new occurrence count.
    pub count: Option<u32>,
    /// Replaces the excluded dates.
    pub exdates: Option<Vec<NaiveDate>>,
    /// Replaces the extra dates.
    pub rdates: Option<Vec<NaiveDate>>,
}

impl ScheduleChanges {
    /// Whether the changes touch when sessions happen (as opposed to who
    /// teaches or where).
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

impl Schedule {
    /// This schedule with `changes` applied; the result is validated like
    /// new input, so a bad rule or an end time before the start is refused
    /// with the same message.
    pub fn changed(&self, changes: ScheduleChanges) -> Result<Schedule, ScheduleError> {
        let mut input: ScheduleInput = self.to_input();
        if let Some(time) = changes.start_time {
            input.start_time = Some(time);
        }
        match (changes.duration_minutes, changes.end_time) {
            (None, None) => {}
            (minutes, end) => {
                input.duration_minutes = minutes;
                input.end_time = end;
            }
        }
        match (changes.rrule, changes.days_of_week) {
            (None, None) if changes.interval_weeks.is_some() => {
                return Err(ScheduleError::RecurrenceChoice);
            }
            (None, None) => {}
            (rule, days) => {
                // A count written inside the old rule bounds the series, not
                // the rule's shape: it carries over to a new rule that has
                // none of its own.
                let new_has_count = rule
                    .as_deref()
                    .and_then(|r| crate::Recurrence::parse_rrule(r).ok())
                    .is_some_and(|r| r.has_count());
                if input.count.is_none() && !new_has_count {
                    input.count = self.recurrence().count();
                }
                input.rrule = rule;
                input.days_of_week = days;
                input.interval_weeks = changes.interval_weeks;
            }
        }
        if let Some(end) = changes.end_date {
            input.end_date = Some(end);
        }
        if let Some(count) = changes.count {
            // A new count replaces the old one wherever it was written.
            match input.rrule.as_deref().map(crate::Recurrence::parse_rrule) {
                Some(Ok(rule)) if rule.has_count() => {
                    input.rrule = Some(rule.with_count(count).to_rrule_string());
                }
                _ => input.count = Some(count),
            }
        }
        if let Some(exdates) = changes.exdates {
            input.exdates = exdates;
        }
        if let Some(rdates) = changes.rdates {
            input.rdates = rdates;
        }
        Schedule::parse(input)
    }

    /// Splits the schedule at `date`: the part before it (ending the day
    /// before, `None` if nothing is left) and the part from it on (starting
    /// that day, with what is left of a count; `None` if the count is used
    /// up). Together they meet on exactly the dates this schedule meets,
    /// provided `date` is one of its occurrence dates, which keeps the
    /// phase of an every-N-weeks rule.
    pub fn split_at(&self, date: NaiveDate) -> (Option<Schedule>, Option<Schedule>) {
        let input = self.to_input();
        let before = date
            .checked_sub_days(Days::new(1))
            .filter(|last| *last >= self.start_date())
            .map(|last| {
                let mut before = input.clone();
                before.end_date = Some(self.end_date().map_or(last, |end| end.min(last)));
                before.exdates.retain(|d| *d <= last);
                before.rdates.retain(|d| *d <= last);
                Schedule::parse(before).expect("a shortened valid schedule is valid")
            });
        // How much of a count the part before used: every rule date before
        // `date`, excluded ones included (COUNT counts before EXDATEs).
        let used = before.as_ref().map_or(0, |b| {
            self.recurrence()
                .local_dates(
                    self.start_date(),
                    self.start_time(),
                    self.zone(),
                    b.end_date().unwrap_or(date),
                )
                .map_or(0, |dates| dates.len() as u32)
        });
        let mut after = input;
        after.start_date = Some(date.max(self.start_date()));
        after.exdates.retain(|d| *d >= date);
        after.rdates.retain(|d| *d >= date);
        if let Some(count) = self.count() {
            if count <= used {
                return (before, None);
            }
            after.count = Some(count - used);
        } else if let Some(count) = self.recurrence().count() {
            if count <= used {
                return (before, None);
            }
            after.rrule = Some(self.recurrence().with_count(count - used).to_rrule_string());
        }
        let after = Schedule::parse(after).expect("the rest of a valid schedule is valid");
        (before, Some(after))
    }
}

/// Why a series edit was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    /// The new schedule is invalid.
    #[error("{0}")]
    Schedule(#[from] ScheduleError),
    /// The regenerated sessions conflict and the series' policy is FAIL.
    #[error("{0}")]
    Generation(#[from] GenerationError),
    /// THIS or THIS_AND_FOLLOWING without the session to start from.
    #[error("give fromSessionId: the session the change starts from")]
    NoFromSession,
    /// The session to start from is not one of the series'.
    #[error("the session is not one of this series' sessions")]
    NotInSeries,
    /// The session to start from has already started.
    #[error("the session started at {0}; a change can only start from a session still to come")]
    Started(DateTime<Utc>),
    /// The series was ended.
    #[error("the series is ENDED, which is final; create a new series instead")]
    Ended,
    /// Nothing of the series is left from the chosen session on.
    #[error("the series has no occurrences left from that session on")]
    NothingAfter,
    /// THIS with a change of pattern.
    #[error(
        "THIS changes one session's time, teacher, room, capacity, notes or meeting; a new rule, end date, count, exdates or rdates need THIS_AND_FOLLOWING or ALL"
    )]
    PatternWithThis,
    /// A kept session would get a capacity below its seats taken.
    #[error("{0}")]
    Session(#[from] crate::session::SessionError),
}

/// A hand-edited session's new start and end; `None` where it keeps its own.
pub type NewTimes = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// The new start and end of one session edited by hand (scope THIS), from
/// schedule changes: a new local start time on the session's own local
/// date keeps its length unless a length or end time is given too. `None`
/// where nothing changes.
pub fn one_session(
    changes: &ScheduleChanges,
    zone: kernel::TimeZone,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
) -> Result<NewTimes, EditError> {
    let pattern = changes.rrule.is_some()
        || changes.days_of_week.is_some()
        || changes.interval_weeks.is_some()
        || changes.end_date.is_some()
        || changes.count.is_some()
        || changes.exdates.is_some()
        || changes.rdates.is_some();
    if pattern {
        return Err(EditError::PatternWithThis);
    }
    let date = zone.local_date(starts_at);
    let new_start = changes
        .start_time
        .map(|t| kernel::resolve_local(date, t, zone));
    let begins = new_start.unwrap_or(starts_at);
    let new_end = match (changes.duration_minutes, changes.end_time) {
        (Some(_), Some(_)) => return Err(ScheduleError::DurationTwice.into()),
        (Some(m), None) => Some(begins + chrono::Duration::minutes(m)),
        (None, Some(t)) => Some(kernel::resolve_local(date, t, zone)),
        // A moved start keeps the length.
        (None, None) => new_start.map(|s| s + (ends_at - starts_at)),
    };
    Ok((new_start, new_end))
}

/// Checks where an edit starts: a session of the series that has not
/// started yet (for THIS and THIS_AND_FOLLOWING).
pub fn check_from(
    scope: Scope,
    from: Option<(bool, DateTime<Utc>)>,
    now: DateTime<Utc>,
) -> Result<(), EditError> {
    if scope == Scope::All {
        return Ok(());
    }
    match from {
        None => Err(EditError::NoFromSession),
        Some((false, _)) => Err(EditError::NotInSeries),
        Some((true, starts_at)) if starts_at <= now => Err(EditError::Started(starts_at)),
        Some(_) => Ok(()),
    }
}

/// What holds a generated session where it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Hold {
    /// Nothing: regeneration may move or cancel it.
    Free,
    /// Someone holds a place in it (a booking or a waitlist entry).
    Booked,
    /// It was edited by hand.
    Detached,
    /// It was cancelled; its date stays taken.
    Cancelled,
    /// It has already started; its date stays taken.
    Past,
}

/// Why a session was kept by an edit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeptReason {
    /// Someone holds a place in it.
    Booked,
    /// It was edited by hand.
    Detached,
}

impl KeptReason {
    /// Stable wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Booked => "BOOKED",
            Self::Detached => "DETACHED",
        }
    }
}

/// A generated session as an edit sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    /// Its id.
    pub id: SessionId,
    /// Its occurrence date.
    pub date: NaiveDate,
    /// When it starts.
    pub starts_at: DateTime<Utc>,
    /// What holds it.
    pub hold: Hold,
}

/// A free session moved onto a new occurrence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Move {
    /// The session.
    pub id: SessionId,
    /// Where it goes.
    pub to: Occurrence,
}

/// What regenerating sessions under a new pattern does.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct Regeneration {
    /// Free sessions moved onto new occurrences (a session that keeps its
    /// date gets the new time, teacher and room all the same).
    pub moved: Vec<Move>,
    /// New occurrences no free session could take.
    pub created: Vec<Occurrence>,
    /// Free sessions the new pattern has no place for.
    pub cancelled: Vec<SessionId>,
    /// Sessions left where they are, and why.
    pub kept: Vec<(SessionId, KeptReason)>,
}

/// Regenerates `standing` sessions (those still to come in the edited
/// range) under the `new` occurrences of the same range. A new occurrence
/// on a date a kept or cancelled session already holds is not created: that
/// day's lesson is the kept one (or was cancelled).
pub fn regenerate(standing: &[Standing], new: Vec<Occurrence>) -> Regeneration {
    let mut out = Regeneration::default();
    let mut taken = BTreeSet::new();
    let mut free: Vec<&Standing> = Vec::new();
    for s in standing {
        match s.hold {
            Hold::Free => free.push(s),
            Hold::Booked => out.kept.push((s.id, KeptReason::Booked)),
            Hold::Detached => out.kept.push((s.id, KeptReason::Detached)),
            Hold::Cancelled | Hold::Past => {}
        }
        if s.hold != Hold::Free {
            taken.insert(s.date);
        }
    }
    let mut wanted: BTreeMap<NaiveDate, Occurrence> = new
        .into_iter()
        .filter(|o| !taken.contains(&o.date))
        .map(|o| (o.date, o))
        .collect();
    free.sort_by_key(|s| (s.starts_at, s.id));
    // Same date first, then the rest in time order.
    let mut unmatched = Vec::new();
    for s in free {
        match wanted.remove(&s.date) {
            Some(to) => out.moved.push(Move { id: s.id, to }),
            None => unmatched.push(s),
        }
    }
    let mut rest = wanted.into_values();
    for s in unmatched {
        match rest.next() {
            Some(to) => out.moved.push(Move { id: s.id, to }),
            None => out.cancelled.push(s.id),
        }
    }
    out.created.extend(rest);
    out.moved.sort_by_key(|m| m.to.starts_at);
    out
}

/// A regeneration after the series' conflict policy was applied.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct Settled {
    /// Moves to make, each with its conflicts (non-empty only under MARK).
    pub moved: Vec<(Move, Vec<Conflict>)>,
    /// Sessions to create, with their ids and conflicts.
    pub created: Vec<(SessionId, Occurrence, Vec<Conflict>)>,
    /// Sessions to cancel (surplus, or conflicting moves under SKIP).
    pub cancelled: Vec<SessionId>,
    /// Sessions kept.
    pub kept: Vec<(SessionId, KeptReason)>,
    /// Every conflict found.
    pub conflicts: Vec<Conflict>,
}

/// Applies the conflict policy to a regeneration, given the conflicts of
/// each move (in `regen.moved` order) and of each created occurrence (with
/// the ids they would get, in `regen.created` order). SKIP leaves a
/// conflicting occurrence out (a conflicting move cancels its session);
/// MARK keeps it with its conflicts; FAIL refuses the whole edit.
pub fn settle(
    policy: ConflictPolicy,
    regen: Regeneration,
    move_conflicts: Vec<Vec<Conflict>>,
    created: Vec<(SessionId, Vec<Conflict>)>,
) -> Result<Settled, GenerationError> {
    let mut out = Settled {
        cancelled: regen.cancelled,
        kept: regen.kept,
        ..Settled::default()
    };
    let keep = |found: Vec<Conflict>| match policy {
        ConflictPolicy::Mark => found,
        _ => Vec::new(),
    };
    for (m, found) in regen.moved.into_iter().zip(move_conflicts) {
        out.conflicts.extend(found.iter().cloned());
        if policy == ConflictPolicy::Skip && !found.is_empty() {
            out.cancelled.push(m.id);
        } else {
            out.moved.push((m, keep(found)));
        }
    }
    for (occurrence, (id, found)) in regen.created.into_iter().zip(created) {
        out.conflicts.extend(found.iter().cloned());
        if policy != ConflictPolicy::Skip || found.is_empty() {
            out.created.push((id, occurrence, keep(found)));
        }
    }
    if policy == ConflictPolicy::Fail && !out.conflicts.is_empty() {
        return Err(GenerationError::Conflicts(out.conflicts));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::series::ScheduleInput;
    use chrono::NaiveTime;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn t(s: &str) -> NaiveTime {
        NaiveTime::parse_from_str(s, "%H:%M").unwrap()
    }

    fn id(n: u128) -> SessionId {
        SessionId::from_uuid(uuid::Uuid::from_u128(n))
    }

    fn weekly(zone: &str, start: &str, time: &str, days: Vec<u32>, interval: u32) -> Schedule {
        Schedule::parse(ScheduleInput {
            start_date: Some(d(start)),
            start_time: Some(t(time)),
            duration_minutes: Some(60),
            timezone: zone.into(),
            days_of_week: Some(days),
            interval_weeks: Some(interval),
            ..Default::default()
        })
        .unwrap()
    }

    /// Every session of `schedule` through `through`, as free standing sessions.
    fn generated(schedule: &Schedule, through: NaiveDate, first_id: u128) -> Vec<Standing> {
        schedule
            .occurrences_through(through)
            .unwrap()
            .into_iter()
            .enumerate()
            .map(|(i, o)| Standing {
                id: id(first_id + i as u128),
                date: o.date,
                starts_at: o.starts_at,
                hold: Hold::Free,
            })
            .collect()
    }

    /// The start instants after applying `regen` to `standing`.
    fn applied(standing: &[Standing], regen: &Regeneration) -> Vec<DateTime<Utc>> {
        let cancelled: BTreeSet<_> = regen.cancelled.iter().collect();
        let moved: BTreeMap<_, _> = regen.moved.iter().map(|m| (m.id, m.to)).collect();
        let mut instants: Vec<_> = standing
            .iter()
            .filter(|s| !cancelled.contains(&s.id) && s.hold != Hold::Cancelled)
            .map(|s| moved.get(&s.id).map_or(s.starts_at, |o| o.starts_at))
            .chain(regen.created.iter().map(|o| o.starts_at))
            .collect();
        instants.sort();
        instants
    }

    proptest! {
        /// Splitting at an occurrence keeps every earlier session, and the
        /// sessions from the split on are exactly what the new pattern
        /// generates alone.
        #[test]
        fn a_split_keeps_the_past_and_generates_the_new_pattern_alone(
            days in proptest::collection::btree_set(1u32..=7, 1..=3),
            interval in 1u32..=3,
            split_at in 0usize..20,
            new_days in proptest::collection::btree_set(1u32..=7, 1..=3),
            new_hour in 8u32..=20,
            zone in proptest::sample::select(vec!["Europe/London", "America/New_York", "Australia/Sydney", "Asia/Kolkata"]),
        ) {
            let through = d("2026-12-31");
            let old = weekly(zone, "2026-01-05", "17:00", days.into_iter().collect(), interval);
            let standing = generated(&old, through, 1);
            let split = standing[split_at.min(standing.len() - 1)].date;
            let (before, after) = old.split_at(split);
            let new = after.unwrap().changed(ScheduleChanges {
                days_of_week: Some(new_days.into_iter().collect()),
                start_time: NaiveTime::from_hms_opt(new_hour, 30, 0),
                ..Default::default()
            }).unwrap();
            let later: Vec<Standing> = standing.iter().copied().filter(|s| s.date >= split).collect();
            let regen = regenerate(&later, new.occurrences_through(through).unwrap());
            // Earlier sessions: untouched, and exactly the first part's.
            let earlier: Vec<_> = standing.iter().filter(|s| s.date < split).map(|s| s.starts_at).collect();
            let first_part: Vec<_> = before.map_or(Vec::new(), |b| {
                b.occurrences_through(through).unwrap().iter().map(|o| o.starts_at).collect()
            });
            prop_assert_eq!(earlier, first_part);
            for m in &regen.moved {
                prop_assert!(later.iter().any(|s| s.id == m.id), "only later sessions move");
            }
            // Later sessions: the new pattern's instants, no more, no fewer.
            let alone: Vec<_> = new.occurrences_through(through).unwrap().iter().map(|o| o.starts_at).collect();
            prop_assert_eq!(applied(&later, &regen), alone);
        }

        /// Splitting without changes gives back the same occurrences, a
        /// count included.
        #[test]
        fn a_split_without_changes_meets_on_the_same_dates(
            days in proptest::collection::btree_set(1u32..=7, 1..=3),
            interval in 1u32..=3,
            count in 1u32..=40,
            split_at in 0usize..40,
        ) {
            let mut input = weekly("Europe/London", "2026-01-05", "17:00", days.into_iter().collect(), interval).to_input();
            input.count = Some(count);
            input.exdates = vec![d("2026-02-10"), d("2026-02-11")];
            let old = Schedule::parse(input).unwrap();
            let through = d("2027-12-31");
            let all = old.occurrences_through(through).unwrap();
            let split = all[split_at.min(all.len() - 1)].date;
            let (before, after) = old.split_at(split);
            let mut rejoined: Vec<_> = before.iter().chain(after.iter())
                .flat_map(|s| s.occurrences_through(through).unwrap())
                .map(|o| o.starts_at)
                .collect();
            rejoined.sort();
            prop_assert_eq!(rejoined, all.iter().map(|o| o.starts_at).collect::<Vec<_>>());
        }
    }

    #[test]
    fn a_new_rule_keeps_the_old_count_unless_it_has_its_own() {
        let counted = Schedule::parse(ScheduleInput {
            start_date: Some(d("2026-03-03")),
            start_time: Some(t("17:00")),
            duration_minutes: Some(60),
            timezone: "Europe/London".into(),
            rrule: Some("FREQ=WEEKLY;BYDAY=TU;COUNT=3".into()),
            ..Default::default()
        })
        .unwrap();
        let moved = counted
            .changed(ScheduleChanges {
                days_of_week: Some(vec![3]),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(moved.occurrences_through(d("2026-12-31")).unwrap().len(), 3);
        let own = counted
            .changed(ScheduleChanges {
                rrule: Some("FREQ=WEEKLY;BYDAY=WE;COUNT=5".into()),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(own.occurrences_through(d("2026-12-31")).unwrap().len(), 5);
    }

    #[test]
    fn one_session_edits_keep_the_length_and_refuse_pattern_changes() {
        let zone = kernel::TimeZone::parse("Europe/London").unwrap();
        let start = DateTime::parse_from_rfc3339("2026-03-30T16:00:00Z")
            .unwrap()
            .to_utc();
        let end = start + chrono::Duration::minutes(45);
        let at = |c: ScheduleChanges| one_session(&c, zone, start, end);
        // 17:00 BST on 30 March is 16:00Z; 18:00 local keeps 45 minutes.
        assert_eq!(
            at(ScheduleChanges {
                start_time: Some(t("18:00")),
                ..Default::default()
            })
            .unwrap(),
            (
                Some(
                    DateTime::parse_from_rfc3339("2026-03-30T17:00:00Z")
                        .unwrap()
                        .to_utc()
                ),
                Some(
                    DateTime::parse_from_rfc3339("2026-03-30T17:45:00Z")
                        .unwrap()
                        .to_utc()
                ),
            )
        );
        assert_eq!(
            at(ScheduleChanges {
                end_time: Some(t("17:30")),
                ..Default::default()
            })
            .unwrap(),
            (
                None,
                Some(
                    DateTime::parse_from_rfc3339("2026-03-30T16:30:00Z")
                        .unwrap()
                        .to_utc()
                )
            )
        );
        assert_eq!(
            at(ScheduleChanges {
                days_of_week: Some(vec![3]),
                ..Default::default()
            }),
            Err(EditError::PatternWithThis)
        );
        assert_eq!(
            at(ScheduleChanges {
                duration_minutes: Some(30),
                end_time: Some(t("17:30")),
                ..Default::default()
            }),
            Err(EditError::Schedule(ScheduleError::DurationTwice))
        );
    }

    #[test]
    fn a_count_inside_the_rule_is_shared_between_the_two_parts() {
        let old = Schedule::parse(ScheduleInput {
            start_date: Some(d("2026-03-03")),
            start_time: Some(t("17:00")),
            duration_minutes: Some(60),
            timezone: "Europe/London".into(),
            rrule: Some("FREQ=WEEKLY;BYDAY=TU;COUNT=5".into()),
            ..Default::default()
        })
        .unwrap();
        let (before, after) = old.split_at(d("2026-03-17"));
        assert_eq!(before.unwrap().end_date(), Some(d("2026-03-16")));
        let after = after.unwrap();
        assert_eq!(after.rrule(), "FREQ=WEEKLY;BYDAY=TU;COUNT=3");
        let dates: Vec<_> = after
            .occurrences_through(d("2026-12-31"))
            .unwrap()
            .iter()
            .map(|o| o.date.to_string())
            .collect();
        assert_eq!(dates, ["2026-03-17", "2026-03-24", "2026-03-31"]);
        // Splitting after the last occurrence leaves nothing after.
        assert_eq!(old.split_at(d("2026-04-07")).1, None);
    }

    /// An edit across a DST change keeps the local wall-clock time on both
    /// sides of it, in both hemispheres and at a half-hour offset.
    #[test]
    fn edits_across_dst_keep_local_wall_clock_times() {
        for (zone, start, day, through, expect_utc) in [
            // London springs forward on 29 March 2026: 16:30 GMT, then 16:30 BST.
            (
                "Europe/London",
                "2026-03-18",
                3,
                "2026-04-08",
                vec!["16:30", "16:30", "15:30", "15:30"],
            ),
            // New York springs forward on 8 March 2026.
            (
                "America/New_York",
                "2026-03-04",
                3,
                "2026-03-18",
                vec!["21:30", "20:30", "20:30"],
            ),
            // Sydney falls back on 5 April 2026 (AEDT +11 to AEST +10).
            (
                "Australia/Sydney",
                "2026-04-01",
                3,
                "2026-04-15",
                vec!["05:30", "06:30", "06:30"],
            ),
            // Kolkata has no DST: +05:30 all year.
            (
                "Asia/Kolkata",
                "2026-03-18",
                3,
                "2026-04-01",
                vec!["11:00", "11:00", "11:00"],
            ),
        ] {
            let old = weekly(zone, start, "17:00", vec![2], 1);
            let new = old
                .changed(ScheduleChanges {
                    days_of_week: Some(vec![day]),
                    start_time: Some(t("16:30")),
                    ..Default::default()
                })
                .unwrap();
            let occurrences = new.occurrences_through(d(through)).unwrap();
            let local: Vec<_> = occurrences
                .iter()
                .map(|o| new.zone().local(o.starts_at).format("%H:%M").to_string())
                .collect();
            assert!(local.iter().all(|l| l == "16:30"), "{zone}: {local:?}");
            let utc: Vec<_> = occurrences
                .iter()
                .map(|o| o.starts_at.format("%H:%M").to_string())
                .collect();
            assert_eq!(utc, expect_utc, "{zone}");
            // Regenerating the old sessions lands them on the same instants.
            let standing = generated(&old, d(through), 1);
            let regen = regenerate(&standing, occurrences.clone());
            assert_eq!(
                applied(&standing, &regen),
                occurrences.iter().map(|o| o.starts_at).collect::<Vec<_>>()
            );
        }
    }

    /// RDATE adds a date and EXDATE removes one, on the days the clocks
    /// change: a gap time moves forward by the gap, a fold time takes the
    /// earlier offset (SPEC §3.3).
    #[test]
    fn rdates_and_exdates_on_dst_gap_and_fold_days() {
        for (zone, time, rdate, exdate, expect) in [
            // London: 01:30 on 29 March does not exist (gap) → 02:30 BST = 01:30Z.
            (
                "Europe/London",
                "01:30",
                "2026-03-29",
                "2026-03-31",
                vec!["2026-03-24 01:30Z", "2026-03-29 01:30Z"],
            ),
            // London: 01:30 on 25 October happens twice (fold) → BST, 00:30Z.
            (
                "Europe/London",
                "01:30",
                "2026-10-25",
                "2026-10-27",
                vec!["2026-10-20 00:30Z", "2026-10-25 00:30Z"],
            ),
            // New York: 02:30 on 8 March is in the gap → 03:30 EDT = 07:30Z.
            (
                "America/New_York",
                "02:30",
                "2026-03-08",
                "2026-03-10",
                vec!["2026-03-03 07:30Z", "2026-03-08 07:30Z"],
            ),
            // New York: 01:30 on 1 November is in the fold → EDT, 05:30Z.
            (
                "America/New_York",
                "01:30",
                "2026-11-01",
                "2026-11-03",
                vec!["2026-10-27 05:30Z", "2026-11-01 05:30Z"],
            ),
        ] {
            let rdate = d(rdate);
            let exdate = d(exdate);
            // A Tuesday class the week before and the week of the change;
            // the change day's Tuesday is excluded, the Sunday added.
            let start = rdate - Days::new(5);
            let input = ScheduleInput {
                start_date: Some(start),
                end_date: Some(exdate),
                start_time: Some(t(time)),
                duration_minutes: Some(60),
                timezone: zone.into(),
                days_of_week: Some(vec![2]),
                exdates: vec![exdate],
                rdates: vec![rdate],
                ..Default::default()
            };
            let schedule = Schedule::parse(input).unwrap();
            let got: Vec<_> = schedule
                .occurrences_through(d("2026-12-31"))
                .unwrap()
                .iter()
                .map(|o| o.starts_at.format("%Y-%m-%d %H:%MZ").to_string())
                .collect();
            assert_eq!(got, expect, "{zone} {rdate}");
        }
    }

    /// EXDATE on the very days the clocks change: a Sunday class loses
    /// exactly that Sunday, and its neighbours keep their wall-clock time
    /// on either side of the change.
    #[test]
    fn exdates_on_dst_gap_and_fold_days_remove_exactly_that_day() {
        for (zone, change_day, expect) in [
            (
                "Europe/London",
                "2026-03-29",
                vec!["2026-03-22 01:30Z", "2026-04-05 00:30Z"],
            ),
            (
                "Europe/London",
                "2026-10-25",
                vec!["2026-10-18 00:30Z", "2026-11-01 01:30Z"],
            ),
            (
                "Australia/Sydney",
                "2026-04-05",
                vec!["2026-03-28 14:30Z", "2026-04-11 15:30Z"],
            ),
        ] {
            let day = d(change_day);
            let schedule = Schedule::parse(ScheduleInput {
                start_date: Some(day - Days::new(7)),
                end_date: Some(day + Days::new(7)),
                start_time: Some(t("01:30")),
                duration_minutes: Some(60),
                timezone: zone.into(),
                days_of_week: Some(vec![7]),
                exdates: vec![day],
                ..Default::default()
            })
            .unwrap();
            let got: Vec<_> = schedule
                .occurrences_through(d("2026-12-31"))
                .unwrap()
                .iter()
                .map(|o| o.starts_at.format("%Y-%m-%d %H:%MZ").to_string())
                .collect();
            assert_eq!(got, expect, "{zone} {change_day}");
        }
    }

    #[test]
    fn booked_and_hand_edited_sessions_are_kept_and_their_dates_stay_taken() {
        let old = weekly("Europe/London", "2026-03-03", "17:00", vec![2], 1);
        let mut standing = generated(&old, d("2026-03-31"), 1);
        standing[1].hold = Hold::Booked; // 10 March
        standing[2].hold = Hold::Detached; // 17 March
        standing[3].hold = Hold::Cancelled; // 24 March
        // Same day, new time: the free sessions keep their dates.
        let new = old
            .changed(ScheduleChanges {
                start_time: Some(t("16:30")),
                ..Default::default()
            })
            .unwrap();
        let regen = regenerate(&standing, new.occurrences_through(d("2026-03-31")).unwrap());
        assert_eq!(
            regen.kept,
            vec![(id(2), KeptReason::Booked), (id(3), KeptReason::Detached)]
        );
        let moved: Vec<_> = regen.moved.iter().map(|m| (m.id, m.to.date)).collect();
        assert_eq!(
            moved,
            vec![(id(1), d("2026-03-03")), (id(5), d("2026-03-31"))]
        );
        assert!(regen.created.is_empty() && regen.cancelled.is_empty());
        // Fewer dates: the surplus free session is cancelled.
        let shorter = old
            .changed(ScheduleChanges {
                end_date: Some(d("2026-03-17")),
                ..Default::default()
            })
            .unwrap();
        let regen = regenerate(
            &standing,
            shorter.occurrences_through(d("2026-03-31")).unwrap(),
        );
        assert_eq!(regen.cancelled, vec![id(5)]);
    }

    #[test]
    fn settling_applies_the_conflict_policy() {
        use crate::conflict::{ConflictKind, Resource};
        let old = weekly("Europe/London", "2026-03-03", "17:00", vec![2], 1);
        let standing = generated(&old, d("2026-03-10"), 1);
        let occurrences = old.occurrences_through(d("2026-03-17")).unwrap();
        let regen = regenerate(&standing, occurrences);
        assert_eq!((regen.moved.len(), regen.created.len()), (2, 1));
        let clash = Conflict {
            kind: ConflictKind::RoomDoubleBooked,
            session: id(1),
            other: Some(id(99)),
            resource: Resource::Room(kernel::RoomId::from_uuid(uuid::Uuid::from_u128(7))),
            message: "the room is taken".into(),
        };
        let moves = vec![vec![clash.clone()], vec![]];
        let created = vec![(id(50), vec![])];
        let skip = settle(
            ConflictPolicy::Skip,
            regen.clone(),
            moves.clone(),
            created.clone(),
        )
        .unwrap();
        assert_eq!(skip.cancelled, vec![id(1)]);
        assert_eq!(skip.moved.len(), 1);
        let mark = settle(
            ConflictPolicy::Mark,
            regen.clone(),
            moves.clone(),
            created.clone(),
        )
        .unwrap();
        assert_eq!(mark.moved[0].1, vec![clash]);
        assert!(matches!(
            settle(ConflictPolicy::Fail, regen, moves, created),
            Err(GenerationError::Conflicts(c)) if c.len() == 1
        ));
    }
}
