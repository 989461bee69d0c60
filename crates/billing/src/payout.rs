//! Teacher payouts (SPEC §3.6): per period ("2026-03"), from delivered
//! sessions and the teacher's pay rate. A session counts when it happened
//! (not cancelled, ended) and attendance was taken: each student whose
//! status says the teacher is paid is one payable student. Attendance is
//! what proves delivery, so a session nobody was marked in pays nothing.
//!
//! PENDING → PROCESSING → COMPLETED | FAILED; a failed payout may be
//! processed again; a pending one may be recomputed.

use chrono::{Datelike, NaiveDate};

/// What a pay rate is per.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PayBasis {
    /// Per delivered session.
    PerSession,
    /// Per hour taught.
    PerHour,
    /// Per payable student per session.
    PerStudent,
}

impl PayBasis {
    /// The basis with this stored name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "PER_SESSION" => Some(Self::PerSession),
            "PER_HOUR" => Some(Self::PerHour),
            "PER_STUDENT" => Some(Self::PerStudent),
            _ => None,
        }
    }
}

/// A pay period: one calendar month, in the school's zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Period {
    /// Year.
    pub year: i32,
    /// Month, 1–12.
    pub month: u32,
}

/// Why a period was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("period `{0}` must be a month written YYYY-MM, e.g. 2026-03")]
pub struct PeriodError(pub String);

impl Period {
    /// Parses `YYYY-MM`.
    pub fn parse(s: &str) -> Result<Self, PeriodError> {
        let bad = || PeriodError(s.to_owned());
        let (y, m) = s.trim().split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(bad());
        }
        let year: i32 = y.parse().map_err(|_| bad())?;
        let month: u32 = m.parse().map_err(|_| bad())?;
        NaiveDate::from_ymd_opt(year, month, 1).ok_or_else(bad)?;
        Ok(Self { year, month })
    }

    /// The first day, and the first day of the next period.
    pub fn days(self) -> (NaiveDate, NaiveDate) {
        let first = NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("validated");
        let next = if self.month == 12 {
            NaiveDate::from_ymd_opt(self.year + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(self.year, self.month + 1, 1)
        }
        .expect("a month after a valid month");
        (first, next)
    }

    /// `YYYY-MM`.
    pub fn label(self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }

    /// The period a date falls in.
    pub fn of(date: NaiveDate) -> Self {
        Self {
            year: date.year(),
            month: date.month(),
        }
    }
}

/// A session the teacher delivered in the period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivered {
    /// What it was ("Choir, 2 March").
    pub description: String,
    /// How long it lasted.
    pub minutes: i64,
    /// Students whose status says the teacher is paid.
    pub payable_students: u32,
}

/// One line of a payslip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayLine {
    /// What it is for.
    pub description: String,
    /// Sessions, hours (in minutes) or students, as the basis counts.
    pub quantity: i64,
    /// Amount in minor units.
    pub amount_minor: i64,
}

/// The payslip lines of delivered sessions at `rate` (minor units) per
/// `basis`: sessions without a payable student pay nothing and are left
/// out; per hour is rounded half up to the minor unit.
pub fn lines(rate: i64, basis: PayBasis, sessions: &[Delivered]) -> Vec<PayLine> {
    sessions
        .iter()
        .filter(|s| s.payable_students > 0)
        .map(|s| {
            let (quantity, amount) = match basis {
                PayBasis::PerSession => (1, rate),
                PayBasis::PerStudent => (
                    i64::from(s.payable_students),
                    rate.saturating_mul(i64::from(s.payable_students)),
                ),
                PayBasis::PerHour => {
                    let m = i128::from(rate) * i128::from(s.minutes.max(0));
                    (
                        s.minutes,
                        ((2 * m + 60) / 120).min(i128::from(i64::MAX)) as i64,
                    )
                }
            };
            PayLine {
                description: s.description.clone(),
                quantity,
                amount_minor: amount,
            }
        })
        .collect()
}

/// The payout's total: the sum of its lines (saturating).
pub fn total(lines: &[PayLine]) -> i64 {
    let sum: i128 = lines.iter().map(|l| i128::from(l.amount_minor)).sum();
    sum.clamp(0, i128::from(i64::MAX)) as i64
}

/// Where a payout is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PayoutStatus {
    /// Computed, not yet sent.
    Pending,
    /// Being paid.
    Processing,
    /// Paid.
    Completed,
    /// The transfer failed.
    Failed,
}

impl PayoutStatus {
    /// Every status.
    pub const ALL: [Self; 4] = [
        Self::Pending,
        Self::Processing,
        Self::Completed,
        Self::Failed,
    ];

    /// Stable stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::Processing => "PROCESSING",
            Self::Completed => "COMPLETED",
            Self::Failed => "FAILED",
        }
    }

    /// The status with this stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Whether the payout may be recomputed (only before it is sent).
    pub fn recomputable(self) -> bool {
        self == Self::Pending
    }
}

/// A payout status change the lifecycle refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a payout cannot go from {} to {}", .from.as_str(), .to.as_str())]
pub struct PayoutTransition {
    /// Current.
    pub from: PayoutStatus,
    /// Asked for.
    pub to: PayoutStatus,
}

/// PENDING → PROCESSING → COMPLETED | FAILED; FAILED → PROCESSING.
pub fn transition(from: PayoutStatus, to: PayoutStatus) -> Result<PayoutStatus, PayoutTransition> {
    use PayoutStatus as P;
    if matches!(
        (from, to),
        (P::Pending, P::Processing)
            | (P::Processing, P::Completed | P::Failed)
            | (P::Failed, P::Processing)
    ) {
        Ok(to)
    } else {
        Err(PayoutTransition { from, to })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn delivered(minutes: i64, students: u32) -> Delivered {
        Delivered {
            description: "Choir".into(),
            minutes,
            payable_students: students,
        }
    }

    #[test]
    fn each_basis_pays_its_way_and_unproven_sessions_pay_nothing() {
        let sessions = [delivered(60, 3), delivered(45, 1), delivered(60, 0)];
        // (basis, total)
        let table = [
            (PayBasis::PerSession, 2 * 3000),
            (PayBasis::PerStudent, 4 * 3000),
            // 60 min + 45 min at 30.00 an hour = 30.00 + 22.50.
            (PayBasis::PerHour, 3000 + 2250),
        ];
        for (basis, want) in table {
            let ls = lines(3000, basis, &sessions);
            assert_eq!(ls.len(), 2, "{basis:?}");
            assert_eq!(total(&ls), want, "{basis:?}");
        }
    }

    #[test]
    fn periods_are_months() {
        let p = Period::parse("2026-12").unwrap();
        assert_eq!(p.label(), "2026-12");
        assert_eq!(
            p.days(),
            (
                NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
                NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()
            )
        );
        for bad in ["2026-13", "2026-3", "26-03", "March", ""] {
            assert!(Period::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_payout_lifecycle_table() {
        use PayoutStatus as P;
        let table = [
            (P::Pending, P::Processing, true),
            (P::Processing, P::Completed, true),
            (P::Processing, P::Failed, true),
            (P::Failed, P::Processing, true),
            (P::Pending, P::Completed, false),
            (P::Completed, P::Processing, false),
            (P::Completed, P::Failed, false),
        ];
        for (from, to, ok) in table {
            assert_eq!(transition(from, to).is_ok(), ok, "{from:?} → {to:?}");
        }
    }

    proptest! {
        #[test]
        fn a_payout_is_the_sum_of_its_lines_and_never_negative(
            rate in 0i64..100_000,
            sessions in proptest::collection::vec((0i64..600, 0u32..40), 0..40),
        ) {
            let sessions: Vec<Delivered> = sessions.iter().map(|(m, s)| delivered(*m, *s)).collect();
            for basis in [PayBasis::PerSession, PayBasis::PerHour, PayBasis::PerStudent] {
                let ls = lines(rate, basis, &sessions);
                prop_assert!(ls.iter().all(|l| l.amount_minor >= 0));
                prop_assert_eq!(total(&ls), ls.iter().map(|l| l.amount_minor).sum::<i64>());
            }
        }
    }
}
