//! Allocating equipment to a booking: the decision, taken over the pools
//! the shell loaded with their rows locked, in the same transaction as the
//! seat. The shell writes the allocations that come out, and a booking
//! that gives up its place (cancelled, declined, rescheduled) stops
//! holding them: availability is always recomputed from what holds units.

use chrono::{DateTime, Utc};
use kernel::EquipmentId;

use crate::availability::{Hold, Window, available};

/// One pool as a decision sees it, with everything that holds its units
/// around the booking's time (maintenance and other bookings).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pool {
    /// The pool.
    pub id: EquipmentId,
    /// Its name, for the refusal.
    pub name: String,
    /// Units in all.
    pub total: u32,
    /// Used up rather than handed back.
    pub consumable: bool,
    /// Maintenance blocks and live allocations.
    pub holds: Vec<Hold>,
}

impl Pool {
    /// The window a booking from `from` to `to` holds this pool: its time
    /// for a returnable pool; from its start on for a consumable one,
    /// since clay used on Saturday is not there on Sunday.
    pub fn window(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Window {
        Window {
            from,
            to: (!self.consumable).then_some(to),
        }
    }

    /// Units free over a booking's time.
    pub fn free(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> u32 {
        available(self.total, &self.holds, self.window(from, to))
    }

    /// What a booking from `from` to `to` holding `quantity` units holds
    /// of this pool (the shell builds stored allocations with it).
    pub fn booking_hold(&self, from: DateTime<Utc>, to: DateTime<Utc>, quantity: u32) -> Hold {
        let w = self.window(from, to);
        Hold {
            from: w.from,
            to: w.to,
            quantity,
        }
    }
}

/// Takes units out for maintenance, if nothing holds them over the
/// block's own time (a block ends, even on a consumable pool).
pub fn take_out(pool: &Pool, block: crate::MaintenanceBlock) -> Result<Hold, Shortage> {
    let free = available(pool.total, &pool.holds, Window::new(block.from, block.to));
    if block.quantity > free {
        return Err(Shortage {
            equipment: pool.id,
            name: pool.name.clone(),
            needed: block.quantity,
            available: free,
        });
    }
    Ok(Hold {
        from: block.from,
        to: Some(block.to),
        quantity: block.quantity,
    })
}

/// After a session moved, checks that what its bookings hold (`own`
/// units, already among the pool's holds at their new time) still fits:
/// at no instant of the new time may more than the pool be held.
pub fn still_fits(
    pool: &Pool,
    own: u32,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<(), Shortage> {
    let top = crate::availability::peak(&pool.holds, pool.window(from, to));
    if top <= pool.total {
        return Ok(());
    }
    Err(Shortage {
        equipment: pool.id,
        name: pool.name.clone(),
        needed: own,
        available: own.saturating_sub(top - pool.total),
    })
}

/// How many units a booking may hold of a pool when a family (not the
/// office) changes it: at most what its seats need, so a family can give
/// units back (they bring their own) and take them again, but never take
/// more than their share. The office may set any amount units permit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "this booking may hold at most {most} of {name} (what its seats need); ask the office for more"
)]
pub struct BeyondShare {
    /// The pool's name.
    pub name: String,
    /// The most allowed.
    pub most: u32,
}

/// Decides whether `who` may set a booking's units of a pool to
/// `quantity`, when its seats need `share` (0 if the offering does not
/// require the pool).
pub fn may_set(office: bool, name: &str, quantity: u32, share: u32) -> Result<(), BeyondShare> {
    if office || quantity <= share {
        Ok(())
    } else {
        Err(BeyondShare {
            name: name.to_owned(),
            most: share,
        })
    }
}

/// Units of one pool to hold for a booking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub struct Allocation {
    /// The pool.
    pub equipment: EquipmentId,
    /// Units.
    pub quantity: u32,
    /// The hold to write.
    pub hold: Hold,
}

/// Not enough units: the refusal a family reads.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not enough {name} at that time: {needed} needed, {available} available")]
pub struct Shortage {
    /// The pool.
    pub equipment: EquipmentId,
    /// Its name.
    pub name: String,
    /// Units the booking needs.
    pub needed: u32,
    /// Units free at that time.
    pub available: u32,
}

/// Holds `quantity` units of `pool` from `from` to `to`, or refuses.
pub fn hold(
    pool: &Pool,
    quantity: u32,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Allocation, Shortage> {
    let free = pool.free(from, to);
    if quantity > free {
        return Err(Shortage {
            equipment: pool.id,
            name: pool.name.clone(),
            needed: quantity,
            available: free,
        });
    }
    Ok(Allocation {
        equipment: pool.id,
        quantity,
        hold: pool.booking_hold(from, to, quantity),
    })
}

/// Decides the equipment of a booking of `seats` seats from `from` to
/// `to`: for each requirement (`per_student` units of a pool per seat) the
/// units to hold, or the first pool that falls short and nothing at all.
pub fn allocate(
    needs: &[(&Pool, u32)],
    seats: u32,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Allocation>, Shortage> {
    needs
        .iter()
        .map(|(pool, per_student)| hold(pool, per_student.saturating_mul(seats), from, to))
        .collect()
}

/// The most seats the equipment allows one more booking over its time:
/// the least, over its requirements, of free units ÷ units per student;
/// `None` when it requires nothing.
pub fn seats_allowed(
    needs: &[(&Pool, u32)],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Option<u32> {
    seats_from(needs.iter().map(|(pool, per)| (pool.free(from, to), *per)))
}

/// The most seats some (units free, units per student) levels allow: the
/// least quotient; `None` when nothing is required.
pub fn seats_from(levels: impl IntoIterator<Item = (u32, u32)>) -> Option<u32> {
    levels
        .into_iter()
        .filter(|(_, per)| *per > 0)
        .map(|(free, per)| free / per)
        .min()
}

/// An offering's requirements at a location, over the pools they name as
/// loaded: several bookings decided one after another (a registration's
/// sessions, the enrolled students of new sessions) each see the units
/// the earlier ones took, so ten sessions of 2 kg of clay need 20 kg.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stock {
    needs: Vec<(Pool, u32)>,
}

impl Stock {
    /// The pools (with their holds) and the units per student of each.
    pub fn new(needs: Vec<(Pool, u32)>) -> Self {
        Self { needs }
    }

    /// Whether nothing is required (the common case: no query, no lock).
    pub fn is_empty(&self) -> bool {
        self.needs.is_empty()
    }

    fn refs(&self) -> Vec<(&Pool, u32)> {
        self.needs.iter().map(|(p, per)| (p, *per)).collect()
    }

    /// Decides a booking of `seats` seats from `from` to `to`, and counts
    /// what it takes for the next decision.
    pub fn take(
        &mut self,
        seats: u32,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Allocation>, Shortage> {
        let got = allocate(&self.refs(), seats, from, to)?;
        for a in &got {
            if let Some((pool, _)) = self.needs.iter_mut().find(|(p, _)| p.id == a.equipment) {
                pool.holds.push(a.hold);
            }
        }
        Ok(got)
    }

    /// The most seats one more booking from `from` to `to` could have.
    pub fn seats_allowed(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Option<u32> {
        seats_allowed(&self.refs(), from, to)
    }

    /// Each requirement with the units it needs per student and the units
    /// free over `from`–`to` (what a session's page shows).
    pub fn outlook(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<(&Pool, u32, u32)> {
        self.needs
            .iter()
            .map(|(p, per)| (p, *per, p.free(from, to)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone as _};
    use proptest::prelude::*;
    use uuid::Uuid;

    fn at(min: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 7, 8, 0, 0).unwrap() + Duration::minutes(min)
    }

    fn pool(n: u128, total: u32, consumable: bool) -> Pool {
        Pool {
            id: EquipmentId::from_uuid(Uuid::from_u128(n)),
            name: if consumable {
                "clay"
            } else {
                "potter's wheels"
            }
            .into(),
            total,
            consumable,
            holds: vec![],
        }
    }

    #[test]
    fn a_booking_takes_per_student_units_for_every_seat() {
        let wheels = pool(1, 8, false);
        let clay = pool(2, 10, true);
        let got = allocate(&[(&wheels, 1), (&clay, 2)], 3, at(0), at(120)).unwrap();
        assert_eq!(
            got.iter().map(|a| a.quantity).collect::<Vec<_>>(),
            vec![3, 6]
        );
        assert_eq!(got[0].hold.to, Some(at(120)));
        assert_eq!(got[1].hold.to, None, "clay is used up");
    }

    #[test]
    fn the_refusal_names_the_pool_and_both_numbers() {
        let mut wheels = pool(1, 8, false);
        wheels.holds.push(Hold {
            from: at(60),
            to: Some(at(180)),
            quantity: 6,
        });
        let e = allocate(&[(&wheels, 1)], 3, at(0), at(120)).unwrap_err();
        assert_eq!((e.needed, e.available), (3, 2));
        assert_eq!(
            e.to_string(),
            "not enough potter's wheels at that time: 3 needed, 2 available"
        );
        assert!(allocate(&[(&wheels, 1)], 3, at(180), at(240)).is_ok());
    }

    #[test]
    fn a_registration_counts_what_its_earlier_sessions_took() {
        let clay = pool(2, 10, true);
        let mut stock = Stock::new(vec![(clay, 2)]);
        for week in 0..5 {
            let from = at(week * 7 * 24 * 60);
            assert!(stock.take(1, from, from + Duration::hours(2)).is_ok());
        }
        let sixth = at(35 * 24 * 60);
        let e = stock
            .take(1, sixth, sixth + Duration::hours(2))
            .unwrap_err();
        assert_eq!((e.needed, e.available), (2, 0));
        assert_eq!(
            stock.seats_allowed(sixth, sixth + Duration::hours(2)),
            Some(0)
        );
    }

    #[test]
    fn seats_allowed_is_the_tightest_requirement() {
        let mut wheels = pool(1, 8, false);
        wheels.holds.push(Hold {
            from: at(0),
            to: Some(at(60)),
            quantity: 3,
        });
        let clay = pool(2, 9, true);
        assert_eq!(
            seats_allowed(&[(&wheels, 1), (&clay, 2)], at(0), at(60)),
            Some(4)
        );
        assert_eq!(seats_allowed(&[], at(0), at(60)), None);
    }

    /// A step of the property test: book a window, or free a booking.
    #[derive(Debug, Clone)]
    enum Step {
        Book { start: i64, len: i64, seats: u32 },
        Free(usize),
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            (0i64..48, 1i64..12, 1u32..4).prop_map(|(s, l, seats)| Step::Book {
                start: s * 15,
                len: l * 15,
                seats
            }),
            (0usize..64).prop_map(Step::Free),
        ]
    }

    fn held_at(pool: &Pool, t: DateTime<Utc>) -> u32 {
        pool.holds
            .iter()
            .filter(|h| h.from <= t && h.to.is_none_or(|e| e > t))
            .map(|h| h.quantity)
            .sum()
    }

    proptest! {
        /// For any run of bookings and cancellations over overlapping
        /// times and maintenance, each decided on what the previous ones
        /// left: the units held at any instant never exceed the pool; a
        /// booking takes exactly its units from its whole window and a
        /// refusal says what was free; freeing a booking gives back
        /// exactly its units over its window.
        #[test]
        fn allocations_never_exceed_the_pool_and_freeing_restores(
            total in 1u32..10,
            per in 1u32..3,
            consumable in any::<bool>(),
            maintenance in proptest::collection::vec((0i64..48, 1i64..12, 1u32..4), 0..3),
            steps in proptest::collection::vec(step(), 1..60),
        ) {
            let mut p = pool(1, total, consumable);
            for (s, l, q) in maintenance {
                let from = at(s * 15);
                let block = crate::MaintenanceBlock { quantity: q.min(total), from, to: from + Duration::minutes(l * 15) };
                if let Ok(h) = take_out(&p, block) {
                    p.holds.push(h);
                }
            }
            let fixed = p.holds.len();
            for s in steps {
                match s {
                    Step::Book { start, len, seats } => {
                        let (from, to) = (at(start), at(start + len));
                        let before = p.free(from, to);
                        match allocate(&[(&p, per)], seats, from, to) {
                            Ok(got) => {
                                prop_assert!(per * seats <= before);
                                p.holds.extend(got.iter().map(|a| a.hold));
                                prop_assert_eq!(p.free(from, to), before - per * seats);
                            }
                            Err(e) => {
                                prop_assert_eq!(e.available, before);
                                prop_assert!(e.needed > before);
                            }
                        }
                    }
                    Step::Free(i) if p.holds.len() > fixed => {
                        let i = fixed + i % (p.holds.len() - fixed);
                        let gone = p.holds[i];
                        let end = gone.to.unwrap_or(gone.from + Duration::hours(1));
                        let before = p.free(gone.from, end);
                        p.holds.remove(i);
                        prop_assert_eq!(p.free(gone.from, end), before + gone.quantity);
                    }
                    Step::Free(_) => {}
                }
                for minute in (0..(60 * 16)).step_by(15) {
                    prop_assert!(held_at(&p, at(minute)) <= total);
                }
            }
        }
    }
}
