//! Installments of a subscription's plan (SPEC §3.6): an amount, a due
//! date, what has been paid, and PENDING / PAID / OVERDUE.
//!
//! An installment is paid through an invoice, so its money is in the
//! payments ledger like every other cent: the paid amount is the invoice's
//! (completed payments net of refunds), and the installment follows it.
//! Like an invoice, OVERDUE is read from the date ([`InstallmentStatus::as_of`])
//! and the job that marks it writes only what that function says; a
//! freeze that moves the due date later makes it PENDING again.

use chrono::NaiveDate;

/// Where an installment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InstallmentStatus {
    /// Not yet fully paid, not yet past due.
    Pending,
    /// Paid in full.
    Paid,
    /// Not fully paid, and past its due date.
    Overdue,
}

impl InstallmentStatus {
    /// Every status.
    pub const ALL: [Self; 3] = [Self::Pending, Self::Paid, Self::Overdue];

    /// Stable stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::Paid => "PAID",
            Self::Overdue => "OVERDUE",
        }
    }

    /// The status with this stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The status once `paid` of `amount` is covered: paid in full is
    /// PAID; otherwise an overdue installment stays overdue, and one paid
    /// before (then refunded) is pending until the date says otherwise.
    pub fn settle(self, paid: i64, amount: i64) -> Self {
        if paid >= amount {
            Self::Paid
        } else if self == Self::Overdue {
            Self::Overdue
        } else {
            Self::Pending
        }
    }

    /// The status as of `today`: an unpaid installment past its due date
    /// is overdue, and one whose date moved later (a freeze) is pending.
    pub fn as_of(self, due: NaiveDate, today: NaiveDate) -> Self {
        match self {
            Self::Paid => Self::Paid,
            _ if today > due => Self::Overdue,
            _ => Self::Pending,
        }
    }
}

/// Why an installment was not invoiced.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InstallmentError {
    /// Paid in full already.
    #[error("this installment is paid in full; there is nothing to invoice")]
    Paid,
    /// Its amount does not make an invoice line.
    #[error("{0}")]
    Invoice(#[from] crate::InvoiceError),
}

/// What asking to invoice an installment does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Invoicing {
    /// Its live invoice already collects it: answer with that one.
    Existing,
    /// Issue a new invoice (the first, or after the last was voided).
    New,
}

/// Decides an invoicing request: an installment is collected by one live
/// invoice at a time, and one paid in full needs none.
pub fn invoicing(
    status: InstallmentStatus,
    has_live_invoice: bool,
) -> Result<Invoicing, InstallmentError> {
    match (has_live_invoice, status) {
        (true, _) => Ok(Invoicing::Existing),
        (false, InstallmentStatus::Paid) => Err(InstallmentError::Paid),
        (false, _) => Ok(Invoicing::New),
    }
}

/// The due date of the invoice that collects an installment issued on
/// `today`: the installment's own date, or today for one already late (an
/// invoice is never due before it is issued).
pub fn invoice_due(due: NaiveDate, today: NaiveDate) -> NaiveDate {
    due.max(today)
}

/// The invoice line that collects an installment.
pub fn line(programme: &str, due: NaiveDate, amount_minor: i64) -> crate::LineInput {
    crate::LineInput {
        description: format!("{programme}: installment due {due}"),
        quantity: 1,
        unit_minor: amount_minor,
    }
}

#[cfg(test)]
mod tests {
    use super::InstallmentStatus::*;
    use super::*;
    use proptest::prelude::*;

    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, day).unwrap()
    }

    #[test]
    fn the_status_table() {
        // (stored, paid, amount, due, today, after settling, as of today)
        let table = [
            (Pending, 0, 100, d(10), d(1), Pending, Pending),
            (Pending, 40, 100, d(10), d(1), Pending, Pending),
            (Pending, 100, 100, d(10), d(1), Paid, Paid),
            (Pending, 0, 100, d(10), d(10), Pending, Pending), // due today: not late
            (Pending, 0, 100, d(10), d(11), Pending, Overdue),
            (Overdue, 40, 100, d(10), d(11), Overdue, Overdue),
            (Overdue, 100, 100, d(10), d(11), Paid, Paid),
            (Overdue, 0, 100, d(20), d(11), Overdue, Pending), // a freeze moved it
            (Paid, 60, 100, d(10), d(1), Pending, Pending),    // refunded in part
            (Paid, 100, 100, d(10), d(30), Paid, Paid),
        ];
        for (stored, paid, amount, due, today, settled, read) in table {
            assert_eq!(stored.settle(paid, amount), settled, "{stored:?} {paid}");
            assert_eq!(settled.as_of(due, today), read, "{stored:?} {due} {today}");
        }
        for s in InstallmentStatus::ALL {
            assert_eq!(InstallmentStatus::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn an_installment_has_one_live_invoice() {
        let table = [
            (Pending, false, Ok(Invoicing::New)),
            (Overdue, false, Ok(Invoicing::New)),
            (Pending, true, Ok(Invoicing::Existing)),
            (Paid, true, Ok(Invoicing::Existing)),
            (Paid, false, Err(InstallmentError::Paid)),
        ];
        for (status, live, want) in table {
            assert_eq!(invoicing(status, live), want, "{status:?} {live}");
        }
    }

    #[test]
    fn a_late_installment_is_invoiced_due_today() {
        assert_eq!(invoice_due(d(10), d(1)), d(10));
        assert_eq!(invoice_due(d(10), d(15)), d(15));
        let l = line("Little Mozarts", d(10), 4500);
        assert_eq!(l.description, "Little Mozarts: installment due 2026-03-10");
        assert_eq!((l.quantity, l.unit_minor), (1, 4500));
    }

    proptest! {
        /// Paid in full is PAID whatever the date; never paid in full is
        /// never PAID.
        #[test]
        fn paid_means_covered(
            paid in 0i64..1_000,
            amount in 1i64..1_000,
            due in 1u32..28,
            today in 1u32..28,
            from in 0usize..3,
        ) {
            let s = InstallmentStatus::ALL[from].settle(paid, amount).as_of(d(due), d(today));
            prop_assert_eq!(s == Paid, paid >= amount);
            if s == Overdue {
                prop_assert!(d(today) > d(due));
            }
        }
    }
}
