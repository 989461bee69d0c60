//! Seats: confirmed and pending seats never exceed capacity.
//!
//! The rule is stated here; `infra` enforces it under concurrency with one
//! conditional `UPDATE sessions SET seats_taken = seats_taken + n WHERE …
//! AND seats_taken + n <= capacity` in the booking's transaction.

/// Not enough seats left.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "the session is full: {left} seat(s) left, {requested} requested; join the waitlist or choose another session"
)]
pub struct SessionFull {
    /// Seats still free.
    pub left: u32,
    /// Seats asked for.
    pub requested: u32,
}

/// Seats left in a session.
pub fn seats_left(capacity: u32, taken: u32) -> u32 {
    capacity.saturating_sub(taken)
}

/// Whether `requested` more seats fit.
pub fn check_seats(capacity: u32, taken: u32, requested: u32) -> Result<(), SessionFull> {
    let left = seats_left(capacity, taken);
    if requested <= left {
        Ok(())
    } else {
        Err(SessionFull { left, requested })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Any sequence of book and cancel requests, each checked with
        /// `check_seats`, never takes more seats than the capacity.
        #[test]
        fn checked_requests_never_overbook(
            capacity in 1u32..20,
            ops in proptest::collection::vec((any::<bool>(), 1u32..4), 0..60),
        ) {
            let mut taken = 0u32;
            let mut held: Vec<u32> = Vec::new();
            for (book, seats) in ops {
                if book {
                    if check_seats(capacity, taken, seats).is_ok() {
                        taken += seats;
                        held.push(seats);
                    }
                } else if let Some(s) = held.pop() {
                    taken -= s;
                }
                prop_assert!(taken <= capacity);
                prop_assert_eq!(taken, held.iter().sum::<u32>());
            }
        }
    }

    #[test]
    fn full_sessions_say_how_many_are_left() {
        assert_eq!(
            check_seats(8, 7, 2),
            Err(SessionFull {
                left: 1,
                requested: 2
            })
        );
        assert!(check_seats(8, 7, 1).is_ok());
        assert_eq!(seats_left(3, 5), 0);
    }
}
