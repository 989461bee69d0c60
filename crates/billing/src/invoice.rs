//! Invoices (SPEC §3.6): lines, totals, and the status lifecycle.
//!
//! DRAFT → OPEN (issued: numbered amounts become a debt) → PAID when
//! payments cover the total; DRAFT or OPEN → VOID (only with nothing
//! paid). A refund re-opens a PAID invoice. OVERDUE is not stored by the
//! office's hand: an OPEN invoice past its due date *is* overdue
//! ([`InvoiceStatus::as_of`]), and the job that marks it only writes what
//! this function already says.

use chrono::NaiveDate;
use kernel::text::{TextError, required_text};

/// Where an invoice is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InvoiceStatus {
    /// Being prepared; not yet owed.
    Draft,
    /// Issued and owed.
    Open,
    /// Fully paid.
    Paid,
    /// Cancelled; owes nothing.
    Void,
    /// Issued, owed, and past its due date.
    Overdue,
}

impl InvoiceStatus {
    /// Every status.
    pub const ALL: [Self; 5] = [
        Self::Draft,
        Self::Open,
        Self::Paid,
        Self::Void,
        Self::Overdue,
    ];

    /// Stable stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "DRAFT",
            Self::Open => "OPEN",
            Self::Paid => "PAID",
            Self::Void => "VOID",
            Self::Overdue => "OVERDUE",
        }
    }

    /// The status with this stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Whether the invoice is owed (counts toward a balance).
    pub fn owed(self) -> bool {
        matches!(self, Self::Open | Self::Overdue | Self::Paid)
    }

    /// Whether it takes new payments (issued, not yet paid or void).
    pub fn takes_payments(self) -> bool {
        matches!(self, Self::Open | Self::Overdue)
    }

    /// The status as of `today`: an open invoice past its due date is
    /// overdue (and one re-dated into the future is open again).
    pub fn as_of(self, due: NaiveDate, today: NaiveDate) -> Self {
        match self {
            Self::Open | Self::Overdue if today > due => Self::Overdue,
            Self::Overdue => Self::Open,
            other => other,
        }
    }
}

/// A step the office (or a payment) asks of an invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Issue a draft.
    Issue,
    /// Cancel it.
    Void,
    /// Payments changed: `paid` of `total` is now covered.
    Settle {
        /// Amount paid so far (net of refunds), in minor units.
        paid: i64,
        /// The invoice total.
        total: i64,
    },
}

/// Why an invoice step was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum InvoiceError {
    /// The lifecycle does not allow this step from this status.
    #[error("an invoice that is {} cannot be {}", .from.as_str(), step_name(*.step))]
    Transition {
        /// The current status.
        from: InvoiceStatus,
        /// The step asked for.
        step: Step,
    },
    /// Voiding an invoice that has payments on it.
    #[error("this invoice has payments of {0} (minor units); refund them before voiding it")]
    HasPayments(i64),
    /// Voiding an invoice while a card payment on it is in progress.
    #[error("a card payment on this invoice is in progress; wait for it to complete or fail")]
    PaymentInProgress,
    /// A total of zero or less.
    #[error("an invoice's total must be more than zero, got {0} (minor units)")]
    NotPositive(i64),
    /// Too many lines.
    #[error("an invoice has at most {MAX_LINES} lines")]
    TooManyLines,
    /// A unit price beyond what any lesson costs.
    #[error("line {0}: unitMinor must be between -{MAX_UNIT} and {MAX_UNIT}")]
    Unit(usize),
    /// An invoice with no lines.
    #[error("an invoice needs at least one line")]
    NoLines,
    /// A line's description.
    #[error("line {0}: description: {1}")]
    Description(usize, TextError),
    /// A line's quantity.
    #[error("line {0}: quantity must be between 1 and 10000, got {1}")]
    Quantity(usize, i64),
    /// A line's amount overflows.
    #[error("line {0}: the amount is too large")]
    Overflow(usize),
    /// The due date is before the issue date.
    #[error("dueDate {due} is before the issue date {issued}; pick a later due date")]
    DueBeforeIssue {
        /// Issue date.
        issued: NaiveDate,
        /// Due date.
        due: NaiveDate,
    },
}

/// Most lines on one invoice.
pub const MAX_LINES: usize = 500;
/// Largest unit price, in minor units (ten million of the currency). With
/// [`MAX_LINES`] and 10,000 per line, no invoice total can overflow.
pub const MAX_UNIT: i64 = 1_000_000_000;

fn step_name(step: Step) -> &'static str {
    match step {
        Step::Issue => "issued (only drafts are)",
        Step::Void => "voided",
        Step::Settle { .. } => "paid",
    }
}

/// The status after `step`, or why not. `paid` is what has been paid so
/// far (for voiding).
pub fn step(from: InvoiceStatus, step: Step, paid: i64) -> Result<InvoiceStatus, InvoiceError> {
    use InvoiceStatus as S;
    let refuse = Err(InvoiceError::Transition { from, step });
    match (from, step) {
        (S::Draft, Step::Issue) => Ok(S::Open),
        (S::Draft | S::Open | S::Overdue, Step::Void) if paid != 0 => {
            Err(InvoiceError::HasPayments(paid))
        }
        (S::Draft | S::Open | S::Overdue, Step::Void) => Ok(S::Void),
        // Money that arrives for a voided invoice (a card payment that
        // completes after the office voided it) is recorded; the invoice
        // stays void and the office refunds it.
        (S::Void, Step::Settle { .. }) => Ok(S::Void),
        (S::Open | S::Overdue | S::Paid, Step::Settle { paid, total }) => Ok(if paid >= total {
            S::Paid
        } else if from == S::Overdue {
            S::Overdue
        } else {
            S::Open
        }),
        _ => refuse,
    }
}

/// One validated invoice line: `quantity × unit`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// What it is for ("Piano, 4 lessons in March").
    pub description: String,
    /// How many.
    pub quantity: u32,
    /// Price of one, in minor units (negative for a discount or credit).
    pub unit_minor: i64,
    /// `quantity × unit_minor`.
    pub amount_minor: i64,
}

/// A line as the office typed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineInput {
    /// Description.
    pub description: String,
    /// Quantity.
    pub quantity: i64,
    /// Unit price in minor units.
    pub unit_minor: i64,
}

/// Validates lines (at least one, each with a description and a sane
/// quantity) and computes their amounts.
pub fn lines(input: &[LineInput]) -> Result<Vec<Line>, InvoiceError> {
    if input.is_empty() {
        return Err(InvoiceError::NoLines);
    }
    if input.len() > MAX_LINES {
        return Err(InvoiceError::TooManyLines);
    }
    input
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let n = i + 1;
            let description =
                required_text(&l.description).map_err(|e| InvoiceError::Description(n, e))?;
            if !(1..=10_000).contains(&l.quantity) {
                return Err(InvoiceError::Quantity(n, l.quantity));
            }
            if !(-MAX_UNIT..=MAX_UNIT).contains(&l.unit_minor) {
                return Err(InvoiceError::Unit(n));
            }
            let amount_minor = l
                .unit_minor
                .checked_mul(l.quantity)
                .ok_or(InvoiceError::Overflow(n))?;
            Ok(Line {
                description,
                quantity: l.quantity as u32,
                unit_minor: l.unit_minor,
                amount_minor,
            })
        })
        .collect()
}

/// The total of validated lines; `None` on overflow.
pub fn total(lines: &[Line]) -> Option<i64> {
    lines
        .iter()
        .try_fold(0i64, |sum, l| sum.checked_add(l.amount_minor))
}

/// The total an invoice may be created with: more than zero (a discount
/// larger than the charges is a credit note, not an invoice).
pub fn billable_total(lines: &[Line]) -> Result<i64, InvoiceError> {
    match total(lines) {
        Some(t) if t > 0 => Ok(t),
        Some(t) => Err(InvoiceError::NotPositive(t)),
        None => Err(InvoiceError::Overflow(lines.len())),
    }
}

/// Checks the dates of an invoice being issued.
pub fn check_dates(issued: NaiveDate, due: NaiveDate) -> Result<(), InvoiceError> {
    if due < issued {
        Err(InvoiceError::DueBeforeIssue { issued, due })
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use InvoiceStatus as S;
    use proptest::prelude::*;

    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, day).unwrap()
    }

    #[test]
    fn the_lifecycle_table() {
        let settle = |paid| Step::Settle { paid, total: 100 };
        // (from, step, paid so far, result)
        let table = [
            (S::Draft, Step::Issue, 0, Ok(S::Open)),
            (S::Open, Step::Issue, 0, Err(())),
            (S::Paid, Step::Issue, 0, Err(())),
            (S::Draft, Step::Void, 0, Ok(S::Void)),
            (S::Open, Step::Void, 0, Ok(S::Void)),
            (S::Overdue, Step::Void, 0, Ok(S::Void)),
            (S::Open, Step::Void, 40, Err(())),
            (S::Paid, Step::Void, 100, Err(())),
            (S::Void, settle(100), 0, Ok(S::Void)),
            (S::Void, Step::Void, 0, Err(())),
            (S::Draft, settle(100), 0, Err(())),
            (S::Open, settle(40), 0, Ok(S::Open)),
            (S::Open, settle(100), 40, Ok(S::Paid)),
            (S::Overdue, settle(40), 0, Ok(S::Overdue)),
            (S::Overdue, settle(100), 40, Ok(S::Paid)),
            // A refund re-opens a paid invoice.
            (S::Paid, settle(60), 100, Ok(S::Open)),
        ];
        for (from, s, paid, want) in table {
            let got = step(from, s, paid).map_err(|_| ());
            assert_eq!(got, want, "{from:?} {s:?} paid {paid}");
        }
    }

    #[test]
    fn overdue_is_read_from_the_date() {
        assert_eq!(S::Open.as_of(d(10), d(10)), S::Open);
        assert_eq!(S::Open.as_of(d(10), d(11)), S::Overdue);
        assert_eq!(S::Overdue.as_of(d(20), d(11)), S::Open);
        assert_eq!(S::Paid.as_of(d(10), d(30)), S::Paid);
        assert_eq!(S::Draft.as_of(d(10), d(30)), S::Draft);
    }

    #[test]
    fn lines_are_validated_with_their_position() {
        let line = |description: &str, quantity, unit_minor| LineInput {
            description: description.into(),
            quantity,
            unit_minor,
        };
        assert_eq!(lines(&[]), Err(InvoiceError::NoLines));
        let e = lines(&[line("Piano", 1, 100), line("Theory", 0, 100)]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "line 2: quantity must be between 1 and 10000, got 0"
        );
        let ok = lines(&[line(" Piano ", 4, 2500), line("Sibling discount", 1, -1000)]).unwrap();
        assert_eq!(ok[0].description, "Piano");
        assert_eq!(total(&ok), Some(9000));
        assert!(lines(&[line("Huge", 10_000, i64::MAX)]).is_err());
        let free = lines(&[line("Piano", 1, 1000), line("Scholarship", 1, -1000)]).unwrap();
        assert_eq!(billable_total(&free), Err(InvoiceError::NotPositive(0)));
        assert_eq!(
            check_dates(d(10), d(9)).unwrap_err().to_string(),
            "dueDate 2026-03-09 is before the issue date 2026-03-10; pick a later due date"
        );
    }

    proptest! {
        #[test]
        fn an_invoice_total_is_the_sum_of_its_lines(
            raw in proptest::collection::vec((1i64..100, -100_000i64..1_000_000), 1..30)
        ) {
            let input: Vec<LineInput> = raw
                .iter()
                .map(|(q, u)| LineInput { description: "x".into(), quantity: *q, unit_minor: *u })
                .collect();
            let ls = lines(&input).unwrap();
            let expected: i64 = raw.iter().map(|(q, u)| q * u).sum();
            prop_assert_eq!(total(&ls), Some(expected));
            for (l, (q, u)) in ls.iter().zip(&raw) {
                prop_assert_eq!(l.amount_minor, q * u);
            }
        }
    }
}
