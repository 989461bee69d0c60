//! Prices from the catalogue (SPEC §3.6): what a registration costs,
//! computed before anything is booked so the family sees it before
//! confirming.
//!
//! A full course bought after it started is prorated by the sessions that
//! remain: `course × remaining ÷ total`, rounded half up to the minor unit.
//! Guests multiply every price (each seat pays).

use kernel::Money;

/// The prices an offering (or a hybrid series) sets, in minor units of
/// the school's currency. `None` = not sold that way.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PriceList {
    /// One session (or one 1-on-1 lesson), per seat.
    pub per_session: Option<i64>,
    /// The whole course (every session of the series), per seat.
    pub full_course: Option<i64>,
    /// One session picked as a drop-in, per seat; falls back to the
    /// per-session price.
    pub drop_in: Option<i64>,
    /// One hybrid 1-on-1 slot.
    pub hybrid_one_on_one: Option<i64>,
}

/// What is being bought.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purchase {
    /// One session.
    Single,
    /// Every remaining session of a series: `remaining` of `total`.
    FullCourse {
        /// Sessions of the whole course.
        total: u32,
        /// Sessions still ahead when the student joins.
        remaining: u32,
    },
    /// A chosen set of a series' sessions.
    DropIn {
        /// How many sessions were chosen.
        sessions: u32,
    },
    /// Hybrid 1-on-1 slots.
    HybridOneOnOne {
        /// How many slots.
        slots: u32,
    },
}

/// Why no price could be computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PriceError {
    /// A full course with more remaining sessions than it has, or none.
    #[error("a course of {total} sessions cannot have {remaining} remaining")]
    Remaining {
        /// Sessions of the course.
        total: u32,
        /// Sessions said to remain.
        remaining: u32,
    },
    /// The amount does not fit in 64 bits of minor units.
    #[error("the price is too large")]
    Overflow,
}

/// How a price was reached, line by line, for the family to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    /// The amount due, per seat, before guests.
    pub per_seat: Money,
    /// Seats (the student plus guests).
    pub seats: u32,
    /// The amount due.
    pub total: Money,
    /// How it was computed, e.g. "8 of 10 sessions of the course".
    pub basis: String,
}

/// A full-course price for a student joining with `remaining` of `total`
/// sessions left: never negative, never more than the course, exact when
/// nothing was missed.
pub fn prorate(course: i64, total: u32, remaining: u32) -> Result<i64, PriceError> {
    if total == 0 || remaining > total {
        return Err(PriceError::Remaining { total, remaining });
    }
    let course = i128::from(course.max(0));
    // Half up: (2·c·r + t) ÷ 2t.
    let num = 2 * course * i128::from(remaining) + i128::from(total);
    let v = num / (2 * i128::from(total));
    i64::try_from(v).map_err(|_| PriceError::Overflow)
}

/// The price of `purchase` for `seats` seats, or `None` when the catalogue
/// does not sell it (free, or priced elsewhere).
pub fn quote(
    prices: PriceList,
    currency: kernel::Currency,
    purchase: Purchase,
    seats: u32,
) -> Result<Option<Quote>, PriceError> {
    let seats = seats.max(1);
    let (per_seat, basis) = match purchase {
        Purchase::Single => match prices.per_session {
            Some(p) => (p, "one session".to_owned()),
            None => return Ok(None),
        },
        Purchase::FullCourse { total, remaining } => match prices.full_course {
            Some(course) if remaining == total => (
                prorate(course, total, remaining)?,
                format!("the full course of {total} sessions"),
            ),
            Some(course) => (
                prorate(course, total, remaining)?,
                format!("{remaining} of {total} sessions of the course, prorated"),
            ),
            // No course price: each remaining session at its own price.
            None => match prices.per_session {
                Some(p) => (
                    p.checked_mul(i64::from(remaining))
                        .ok_or(PriceError::Overflow)?,
                    format!("{remaining} sessions at the session price"),
                ),
                None => return Ok(None),
            },
        },
        Purchase::DropIn { sessions } => match prices.drop_in.or(prices.per_session) {
            Some(p) => (
                p.checked_mul(i64::from(sessions))
                    .ok_or(PriceError::Overflow)?,
                format!("{sessions} drop-in sessions"),
            ),
            None => return Ok(None),
        },
        Purchase::HybridOneOnOne { slots } => match prices.hybrid_one_on_one {
            Some(p) => (
                p.checked_mul(i64::from(slots))
                    .ok_or(PriceError::Overflow)?,
                format!("{slots} 1-on-1 slots"),
            ),
            None => return Ok(None),
        },
    };
    let total = per_seat
        .checked_mul(i64::from(seats))
        .ok_or(PriceError::Overflow)?;
    Ok(Some(Quote {
        per_seat: Money {
            minor: per_seat,
            currency,
        },
        seats,
        total: Money {
            minor: total,
            currency,
        },
        basis,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use kernel::Currency;
    use proptest::prelude::*;

    fn gbp() -> Currency {
        Currency::parse("GBP").unwrap()
    }

    const LIST: PriceList = PriceList {
        per_session: Some(1500),
        full_course: Some(12000),
        drop_in: Some(1800),
        hybrid_one_on_one: Some(3000),
    };

    #[test]
    fn each_way_of_buying_has_its_price_and_guests_pay_too() {
        // (purchase, seats, total)
        let table = [
            (Purchase::Single, 1, 1500),
            (Purchase::Single, 3, 4500),
            (
                Purchase::FullCourse {
                    total: 10,
                    remaining: 10,
                },
                1,
                12000,
            ),
            (
                Purchase::FullCourse {
                    total: 10,
                    remaining: 7,
                },
                1,
                8400,
            ),
            (
                Purchase::FullCourse {
                    total: 10,
                    remaining: 7,
                },
                2,
                16800,
            ),
            (Purchase::DropIn { sessions: 3 }, 1, 5400),
            (Purchase::HybridOneOnOne { slots: 2 }, 1, 6000),
        ];
        for (purchase, seats, want) in table {
            let q = quote(LIST, gbp(), purchase, seats).unwrap().unwrap();
            assert_eq!(q.total.minor, want, "{purchase:?} × {seats}");
        }
    }

    #[test]
    fn missing_prices_fall_back_or_say_not_sold() {
        let only_session = PriceList {
            per_session: Some(1000),
            ..PriceList::default()
        };
        let course = Purchase::FullCourse {
            total: 10,
            remaining: 4,
        };
        let q = quote(only_session, gbp(), course, 1).unwrap().unwrap();
        assert_eq!(q.total.minor, 4000);
        assert_eq!(q.basis, "4 sessions at the session price");
        let drop = quote(only_session, gbp(), Purchase::DropIn { sessions: 2 }, 1)
            .unwrap()
            .unwrap();
        assert_eq!(drop.total.minor, 2000);
        assert_eq!(
            quote(PriceList::default(), gbp(), Purchase::Single, 1).unwrap(),
            None
        );
    }

    #[test]
    fn prorating_rounds_half_up_and_refuses_impossible_counts() {
        assert_eq!(prorate(1000, 3, 1), Ok(333));
        assert_eq!(prorate(1000, 3, 2), Ok(667));
        assert_eq!(prorate(1000, 10, 0), Ok(0));
        assert_eq!(
            prorate(1000, 3, 4),
            Err(PriceError::Remaining {
                total: 3,
                remaining: 4
            })
        );
        assert!(prorate(1000, 0, 0).is_err());
    }

    proptest! {
        #[test]
        fn prorating_is_never_negative_never_above_the_course_and_monotone(
            course in 0i64..10_000_000,
            total in 1u32..200,
            remaining in 0u32..200,
        ) {
            let remaining = remaining.min(total);
            let p = prorate(course, total, remaining).unwrap();
            prop_assert!(p >= 0);
            prop_assert!(p <= course);
            if remaining == total {
                prop_assert_eq!(p, course);
            }
            if remaining > 0 {
                prop_assert!(prorate(course, total, remaining - 1).unwrap() <= p);
            }
        }
    }
}

/// Splits a registration's `total` over its `n` bookings: equal parts,
/// the remainder one minor unit each to the first; the parts always sum
/// to the total (none when `n` is 0).
pub fn allocate(total: i64, n: usize) -> Vec<i64> {
    if n == 0 {
        return Vec::new();
    }
    let n_i = n as i64;
    let (each, rest) = (total.div_euclid(n_i), total.rem_euclid(n_i));
    (0..n_i).map(|i| each + i64::from(i < rest)).collect()
}

#[cfg(test)]
mod allocation_tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_course_is_spread_over_its_sessions() {
        assert_eq!(allocate(10000, 3), vec![3334, 3333, 3333]);
        assert_eq!(allocate(0, 2), vec![0, 0]);
        assert!(allocate(100, 0).is_empty());
    }

    proptest! {
        #[test]
        fn parts_sum_to_the_total_and_differ_by_at_most_one(total in 0i64..10_000_000, n in 1usize..60) {
            let parts = allocate(total, n);
            prop_assert_eq!(parts.len(), n);
            prop_assert_eq!(parts.iter().sum::<i64>(), total);
            let (lo, hi) = (parts.iter().min().unwrap(), parts.iter().max().unwrap());
            prop_assert!(hi - lo <= 1 && *lo >= 0);
        }
    }
}
