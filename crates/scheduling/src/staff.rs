//! Staff assignment: who may teach or assist a session.
//!
//! A member of staff is eligible for a session when they hold the
//! offering's required teaching role (any staff when none is required),
//! the session lies inside their weekly availability (when they declared
//! any), and nothing they already teach, assist or give overlaps it.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use kernel::{Availability, Booker, TeacherId, TeachingRoleId, TimeZone};

/// One member of staff, as loaded for an eligibility check.
#[derive(Debug, Clone)]
pub struct Staff {
    /// Their teacher profile.
    pub id: TeacherId,
    /// Teaching roles held.
    pub roles: BTreeSet<TeachingRoleId>,
    /// Weekly availability (unrestricted: any time, for the office).
    pub availability: Availability,
    /// What they already do: `[start, end)` of lessons taught, assisted or
    /// booked.
    pub busy: Vec<(DateTime<Utc>, DateTime<Utc>)>,
}

/// Why someone is not eligible.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ineligible {
    /// Lacks the required teaching role.
    NotQualified,
    /// Outside their weekly availability.
    Unavailable,
    /// Already busy then.
    Busy,
}

/// Whether `staff` holds the role `required` (none required: everyone).
pub fn qualified(staff: &Staff, required: Option<TeachingRoleId>) -> bool {
    required.is_none_or(|r| staff.roles.contains(&r))
}

/// Checks one member of staff for `[start, end)` in `zone`.
pub fn check(
    staff: &Staff,
    required: Option<TeachingRoleId>,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    zone: TimeZone,
) -> Result<(), Ineligible> {
    if !qualified(staff, required) {
        return Err(Ineligible::NotQualified);
    }
    if !staff.availability.admits(Booker::Office, zone, start, end) {
        return Err(Ineligible::Unavailable);
    }
    if staff.busy.iter().any(|(s, e)| *s < end && start < *e) {
        return Err(Ineligible::Busy);
    }
    Ok(())
}

/// The eligible, free staff for `[start, end)`, in the given order.
pub fn eligible(
    staff: &[Staff],
    required: Option<TeachingRoleId>,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    zone: TimeZone,
) -> Vec<TeacherId> {
    staff
        .iter()
        .filter(|s| check(s, required, start, end, zone).is_ok())
        .map(|s| s.id)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, NaiveTime, TimeZone as _};
    use kernel::Weekday;
    use proptest::prelude::*;
    use uuid::Uuid;

    fn london() -> TimeZone {
        TimeZone::parse("Europe/London").unwrap()
    }

    fn at(h: u32) -> DateTime<Utc> {
        // Monday 2 March 2026, London = UTC.
        Utc.with_ymd_and_hms(2026, 3, 2, h, 0, 0).unwrap()
    }

    fn staff(n: u128, roles: &[u128], busy: Vec<(DateTime<Utc>, DateTime<Utc>)>) -> Staff {
        Staff {
            id: TeacherId::from_uuid(Uuid::from_u128(n)),
            roles: roles
                .iter()
                .map(|r| TeachingRoleId::from_uuid(Uuid::from_u128(*r)))
                .collect(),
            availability: Availability::Unrestricted,
            busy,
        }
    }

    #[test]
    fn only_qualified_free_staff_are_eligible() {
        let wheel = TeachingRoleId::from_uuid(Uuid::from_u128(100));
        let team = vec![
            staff(1, &[100], vec![]),
            staff(2, &[200], vec![]),
            staff(3, &[100, 200], vec![(at(9), at(11))]),
            staff(4, &[100], vec![(at(11), at(12))]),
        ];
        let ids: Vec<u128> = eligible(&team, Some(wheel), at(10), at(11), london())
            .into_iter()
            .map(|t| t.uuid().as_u128())
            .collect();
        // 3 is busy until 11; 4 starts at 11 (back to back is fine).
        assert_eq!(ids, vec![1, 4]);
        assert_eq!(eligible(&team, None, at(10), at(11), london()).len(), 3);
        assert_eq!(
            check(&team[1], Some(wheel), at(10), at(11), london()),
            Err(Ineligible::NotQualified)
        );
    }

    #[test]
    fn availability_is_read_in_local_time() {
        let mut s = staff(1, &[], vec![]);
        s.availability = Availability::from_windows(vec![kernel::Window::weekly(
            Weekday::from_iso(1).unwrap(),
            NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
            NaiveTime::from_hms_opt(12, 0, 0).unwrap(),
        )]);
        assert!(check(&s, None, at(10), at(11), london()).is_ok());
        assert_eq!(
            check(&s, None, at(11), at(13), london()),
            Err(Ineligible::Unavailable)
        );
    }

    proptest! {
        /// Everyone listed holds the role and has nothing overlapping.
        #[test]
        fn eligible_staff_are_qualified_and_free(
            people in proptest::collection::vec(
                (any::<bool>(), proptest::collection::vec((0i64..48, 1i64..8), 0..6)), 1..12),
            start in 0i64..48, len in 1i64..8,
        ) {
            let role = TeachingRoleId::from_uuid(Uuid::from_u128(7));
            let base = at(0);
            let q = |n: i64| base + Duration::minutes(30 * n);
            let team: Vec<Staff> = people.iter().enumerate().map(|(i, (holds, busy))| {
                staff(i as u128 + 1, if *holds { &[7] } else { &[] },
                      busy.iter().map(|(s, l)| (q(*s), q(s + l))).collect())
            }).collect();
            let (s, e) = (q(start), q(start + len));
            for id in eligible(&team, Some(role), s, e, london()) {
                let m = team.iter().find(|m| m.id == id).unwrap();
                prop_assert!(m.roles.contains(&role));
                prop_assert!(m.busy.iter().all(|(bs, be)| !(*bs < e && s < *be)));
            }
        }
    }
}
