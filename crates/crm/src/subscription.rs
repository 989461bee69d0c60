//! Subscriptions to a programme, and freezes.
//!
//! A subscription runs from `start` to `end` (local dates, inclusive) with
//! an allowance of freeze days. A freeze of N days from a date pauses it:
//! the end moves N days later, and so do the installments still unpaid from
//! that date on. Freezes never overlap and never exceed the allowance; a
//! freeze ended early gives back the days not used.

use chrono::{Days, NaiveDate};

/// The longest subscription accepted, in days (ten years).
pub const MAX_SUBSCRIPTION_DAYS: i64 = 3660;

/// A freeze already on a subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Freeze {
    /// First frozen day.
    pub from: NaiveDate,
    /// Frozen days.
    pub days: u32,
}

impl Freeze {
    /// The day after the last frozen day.
    pub fn until(&self) -> NaiveDate {
        self.from + Days::new(u64::from(self.days))
    }

    fn overlaps(&self, other: &Freeze) -> bool {
        self.from < other.until() && other.from < self.until()
    }
}

/// A subscription as the freeze rules see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Terms {
    /// First day.
    pub start: NaiveDate,
    /// Last day.
    pub end: NaiveDate,
    /// Freeze days allowed in all.
    pub freeze_allowed: u32,
    /// Its freezes.
    pub freezes: Vec<Freeze>,
}

impl Terms {
    /// Freeze days used so far.
    pub fn used(&self) -> u32 {
        self.freezes.iter().map(|f| f.days).sum()
    }
}

/// Why a subscription was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SubscriptionError {
    /// It ends before it starts.
    #[error("endDate must be on or after startDate")]
    EndBeforeStart,
    /// Longer than allowed.
    #[error("a subscription lasts at most {MAX_SUBSCRIPTION_DAYS} days")]
    TooLong,
    /// A negative or absurd allowance.
    #[error("freezeDaysAllowed must be between 0 and 366")]
    Allowance,
}

/// Validates a new subscription's dates and allowance.
pub fn new_terms(
    start: NaiveDate,
    end: NaiveDate,
    freeze_allowed: i64,
) -> Result<Terms, SubscriptionError> {
    if end < start {
        return Err(SubscriptionError::EndBeforeStart);
    }
    if (end - start).num_days() > MAX_SUBSCRIPTION_DAYS {
        return Err(SubscriptionError::TooLong);
    }
    if !(0..=366).contains(&freeze_allowed) {
        return Err(SubscriptionError::Allowance);
    }
    Ok(Terms {
        start,
        end,
        freeze_allowed: freeze_allowed as u32,
        freezes: Vec::new(),
    })
}

/// Why a freeze was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FreezeError {
    /// Zero or negative days.
    #[error("a freeze lasts at least one day")]
    NoDays,
    /// More days than are left of the allowance.
    #[error(
        "only {left} freeze days are left of this subscription's {allowed}; freeze for fewer days"
    )]
    PastAllowance {
        /// Days left.
        left: u32,
        /// Days allowed in all.
        allowed: u32,
    },
    /// Starting in the past.
    #[error("a freeze starts today or later, not on {0}")]
    InThePast(NaiveDate),
    /// Outside the subscription.
    #[error("the freeze must start within the subscription ({start} to {end})")]
    Outside {
        /// First day.
        start: NaiveDate,
        /// Last day.
        end: NaiveDate,
    },
    /// Overlapping another freeze.
    #[error(
        "the subscription is already frozen from {from} for {days} days; pick dates outside that freeze"
    )]
    Overlaps {
        /// The other freeze's first day.
        from: NaiveDate,
        /// Its days.
        days: u32,
    },
    /// Ending a freeze that is not running on that day.
    #[error("no freeze of this subscription runs on {0}")]
    NotFrozen(NaiveDate),
}

/// What a freeze (or its early end) does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub struct Refrozen {
    /// The subscription's new last day.
    pub end: NaiveDate,
    /// The freeze as it now stands.
    pub freeze: Freeze,
    /// Days installments due on or after `shift_from` move (negative:
    /// earlier).
    pub shift_days: i64,
    /// Unpaid installments due on or after this day move.
    pub shift_from: NaiveDate,
}

/// Decides a freeze of `days` days from `from`, on `today`.
pub fn freeze(
    terms: &Terms,
    from: NaiveDate,
    days: i64,
    today: NaiveDate,
) -> Result<Refrozen, FreezeError> {
    if days < 1 {
        return Err(FreezeError::NoDays);
    }
    let left = terms.freeze_allowed.saturating_sub(terms.used());
    if days > i64::from(left) {
        return Err(FreezeError::PastAllowance {
            left,
            allowed: terms.freeze_allowed,
        });
    }
    if from < today {
        return Err(FreezeError::InThePast(from));
    }
    if from < terms.start || from > terms.end {
        return Err(FreezeError::Outside {
            start: terms.start,
            end: terms.end,
        });
    }
    let new = Freeze {
        from,
        days: days as u32,
    };
    if let Some(other) = terms.freezes.iter().find(|f| f.overlaps(&new)) {
        return Err(FreezeError::Overlaps {
            from: other.from,
            days: other.days,
        });
    }
    Ok(Refrozen {
        end: terms.end + Days::new(days as u64),
        freeze: new,
        shift_days: days,
        shift_from: from,
    })
}

/// Decides ending the freeze running on `on` early: it keeps the days
/// before `on`, gives the rest back to the allowance, and the end and the
/// installments move back by them.
pub fn unfreeze(terms: &Terms, on: NaiveDate) -> Result<(usize, Refrozen), FreezeError> {
    let Some((i, f)) = terms
        .freezes
        .iter()
        .enumerate()
        .find(|(_, f)| f.from <= on && on < f.until())
    else {
        return Err(FreezeError::NotFrozen(on));
    };
    let kept = (on - f.from).num_days() as u32;
    let returned = f.days - kept;
    Ok((
        i,
        Refrozen {
            end: terms.end - Days::new(u64::from(returned)),
            freeze: Freeze {
                from: f.from,
                days: kept,
            },
            shift_days: -i64::from(returned),
            shift_from: f.from,
        },
    ))
}

/// The new due date of an unpaid installment due on `due` after a
/// (un)freeze, or `None` when it does not move.
pub fn shifted(due: NaiveDate, paid: bool, change: &Refrozen) -> Option<NaiveDate> {
    if paid || due < change.shift_from || change.shift_days == 0 {
        return None;
    }
    if change.shift_days > 0 {
        due.checked_add_days(Days::new(change.shift_days as u64))
    } else {
        due.checked_sub_days(Days::new(change.shift_days.unsigned_abs()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    fn terms() -> Terms {
        new_terms(d(3, 1), d(8, 31), 20).unwrap()
    }

    #[test]
    fn a_freeze_moves_the_end_and_later_unpaid_installments() {
        let t = terms();
        let f = freeze(&t, d(4, 1), 10, d(3, 15)).unwrap();
        assert_eq!(f.end, d(9, 10));
        assert_eq!(shifted(d(4, 15), false, &f), Some(d(4, 25)));
        assert_eq!(shifted(d(4, 15), true, &f), None, "paid stays");
        assert_eq!(shifted(d(3, 15), false, &f), None, "earlier stays");
    }

    #[test]
    fn freezes_are_refused_past_the_allowance_overlapping_or_outside() {
        let mut t = terms();
        t.freezes.push(Freeze {
            from: d(4, 1),
            days: 15,
        });
        assert_eq!(
            freeze(&t, d(6, 1), 6, d(3, 15)),
            Err(FreezeError::PastAllowance {
                left: 5,
                allowed: 20
            })
        );
        assert_eq!(
            freeze(&t, d(4, 10), 3, d(3, 15)),
            Err(FreezeError::Overlaps {
                from: d(4, 1),
                days: 15
            })
        );
        assert!(freeze(&t, d(4, 16), 3, d(3, 15)).is_ok(), "back to back");
        assert_eq!(
            freeze(&t, d(3, 10), 3, d(3, 15)),
            Err(FreezeError::InThePast(d(3, 10)))
        );
        assert!(matches!(
            freeze(&t, d(9, 10), 3, d(3, 15)),
            Err(FreezeError::Outside { .. })
        ));
        assert_eq!(freeze(&t, d(6, 1), 0, d(3, 15)), Err(FreezeError::NoDays));
        assert_eq!(
            new_terms(d(3, 2), d(3, 1), 0),
            Err(SubscriptionError::EndBeforeStart)
        );
    }

    #[test]
    fn unfreezing_early_gives_the_unused_days_back() {
        let mut t = terms();
        let f = freeze(&t, d(4, 1), 10, d(3, 15)).unwrap();
        t.end = f.end;
        t.freezes.push(f.freeze);
        let (i, u) = unfreeze(&t, d(4, 4)).unwrap();
        assert_eq!(i, 0);
        assert_eq!(u.freeze.days, 3);
        assert_eq!(u.end, d(9, 3));
        assert_eq!(shifted(d(4, 25), false, &u), Some(d(4, 18)));
        assert_eq!(unfreeze(&t, d(5, 1)), Err(FreezeError::NotFrozen(d(5, 1))));
    }

    proptest! {
        /// Any run of freezes and early ends keeps the arithmetic exact:
        /// the end is always the original end plus the days still frozen,
        /// the days used never exceed the allowance, and no two freezes
        /// overlap.
        #[test]
        fn freeze_arithmetic_holds(
            allowed in 0i64..40,
            steps in proptest::collection::vec((any::<bool>(), 0u32..150, 0i64..15), 0..30),
        ) {
            let original = new_terms(d(3, 1), d(8, 31), allowed).unwrap();
            let mut t = original.clone();
            for (freezing, offset, days) in steps {
                let day = d(3, 1) + Days::new(u64::from(offset));
                if freezing {
                    if let Ok(f) = freeze(&t, day, days, d(3, 1)) {
                        t.end = f.end;
                        t.freezes.push(f.freeze);
                    }
                } else if let Ok((i, u)) = unfreeze(&t, day) {
                    t.end = u.end;
                    t.freezes[i] = u.freeze;
                }
                prop_assert_eq!(t.end, original.end + Days::new(u64::from(t.used())));
                prop_assert!(t.used() <= t.freeze_allowed);
                for (i, a) in t.freezes.iter().enumerate() {
                    for b in &t.freezes[i + 1..] {
                        prop_assert!(a.days == 0 || b.days == 0 || !a.overlaps(b));
                    }
                }
            }
        }
    }
}
