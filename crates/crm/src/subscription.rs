//! Subscriptions to a programme, and freezes.
//!
//! A subscription runs from `start` to `end` (local dates, inclusive) with
//! an allowance of freeze days. A freeze of N days from a date pauses it:
//! the end moves N days later, and so do the installments still unpaid
//! that fall due from that date on. Freezes never overlap and never exceed
//! the allowance; a freeze ended early gives back the days not used.
//!
//! An installment's due date is always recomputed from its original date
//! and the freezes as they stand ([`due_date`]), never shifted step by
//! step, so freezes made, shortened and ended in any order agree.

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
    /// The freeze as it now stands (0 days: gone).
    pub freeze: Freeze,
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
    })
}

/// Decides ending the freeze running on `on` (today or later) early: it
/// keeps the days before `on`, gives the rest back to the allowance, and
/// the end moves back by them. Returns the freeze's index in `terms`.
pub fn unfreeze(
    terms: &Terms,
    on: NaiveDate,
    today: NaiveDate,
) -> Result<(usize, Refrozen), FreezeError> {
    if on < today {
        return Err(FreezeError::InThePast(on));
    }
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
        },
    ))
}

/// The due date of an unpaid installment originally due on `original`,
/// given the subscription's freezes: taken in date order, each freeze
/// starting on or before the date reached so far pushes it by its days.
pub fn due_date(original: NaiveDate, freezes: &[Freeze]) -> NaiveDate {
    let mut sorted: Vec<&Freeze> = freezes.iter().filter(|f| f.days > 0).collect();
    sorted.sort_by_key(|f| f.from);
    sorted.iter().fold(original, |due, f| {
        if f.from <= due {
            due + Days::new(u64::from(f.days))
        } else {
            due
        }
    })
}

/// Why an installment plan was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum InstallmentError {
    /// A zero or negative amount.
    #[error("installment {index}: the amount must be positive")]
    Amount {
        /// Which one.
        index: usize,
    },
    /// Due outside the subscription.
    #[error("installment {index}: due dates fall between the subscription's start and end")]
    Outside {
        /// Which one.
        index: usize,
    },
}

/// Validates an installment plan against a subscription's dates: amounts
/// in minor units, positive; due dates within the subscription.
pub fn parse_installments(
    terms: &Terms,
    plan: &[(NaiveDate, i64)],
) -> Result<Vec<(NaiveDate, i64)>, InstallmentError> {
    for (index, (due, amount)) in plan.iter().enumerate() {
        if *amount <= 0 {
            return Err(InstallmentError::Amount { index });
        }
        if *due < terms.start || *due > terms.end {
            return Err(InstallmentError::Outside { index });
        }
    }
    Ok(plan.to_vec())
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
        assert_eq!(due_date(d(4, 15), &[f.freeze]), d(4, 25));
        assert_eq!(due_date(d(3, 15), &[f.freeze]), d(3, 15), "earlier stays");
        assert_eq!(
            due_date(d(4, 1), &[f.freeze]),
            d(4, 11),
            "due on the first frozen day"
        );
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
        let (i, u) = unfreeze(&t, d(4, 4), d(4, 2)).unwrap();
        assert_eq!(i, 0);
        assert_eq!(u.freeze.days, 3);
        assert_eq!(u.end, d(9, 3));
        assert_eq!(due_date(d(4, 15), &[u.freeze]), d(4, 18));
        assert_eq!(
            unfreeze(&t, d(5, 1), d(4, 2)),
            Err(FreezeError::NotFrozen(d(5, 1)))
        );
        assert_eq!(
            unfreeze(&t, d(4, 3), d(4, 4)),
            Err(FreezeError::InThePast(d(4, 3))),
            "days already frozen are not given back"
        );
    }

    #[test]
    fn due_dates_agree_whatever_order_freezes_come_in() {
        // A freeze from Apr 1 for 7 days moves Apr 5 to Apr 12, into a
        // freeze from Apr 10, which moves it on by its 3 days.
        let a = Freeze {
            from: d(4, 10),
            days: 3,
        };
        let b = Freeze {
            from: d(4, 1),
            days: 7,
        };
        assert_eq!(due_date(d(4, 5), &[a, b]), d(4, 15));
        assert_eq!(due_date(d(4, 5), &[b, a]), d(4, 15));
        // Ending A early with nothing kept gives its days back.
        let ended = Freeze { days: 0, ..a };
        assert_eq!(due_date(d(4, 5), &[ended, b]), d(4, 12));
        let plan = parse_installments(&terms(), &[(d(3, 1), 100), (d(8, 31), 100)]);
        assert!(plan.is_ok());
        assert_eq!(
            parse_installments(&terms(), &[(d(3, 1), 0)]),
            Err(InstallmentError::Amount { index: 0 })
        );
        assert_eq!(
            parse_installments(&terms(), &[(d(3, 1), 10), (d(9, 1), 10)]),
            Err(InstallmentError::Outside { index: 1 })
        );
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
            dues in proptest::collection::vec(0u32..180, 0..6),
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
                } else if let Ok((i, u)) = unfreeze(&t, day, d(3, 1)) {
                    t.end = u.end;
                    t.freezes[i] = u.freeze;
                }
                prop_assert_eq!(t.end, original.end + Days::new(u64::from(t.used())));
                // Installments move by at most the days frozen, never back
                // before their original date, and one due before every
                // freeze stays.
                for offset in &dues {
                    let original_due = d(3, 1) + Days::new(u64::from(*offset));
                    let due = due_date(original_due, &t.freezes);
                    prop_assert!(due >= original_due);
                    prop_assert!((due - original_due).num_days() <= i64::from(t.used()));
                    if t.freezes.iter().all(|f| f.days == 0 || f.from > original_due) {
                        prop_assert_eq!(due, original_due);
                    }
                }
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
