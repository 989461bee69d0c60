//! Monthly invoicing of lessons: a month's bookings become one draft
//! invoice per payer (the student's family, or the student), one line per
//! booking, each booking billed at most once. What is billable was decided
//! before: booked and not cancelled, priced above zero, and an attendance
//! status that bills (or not yet marked: lessons are billed in advance).

use uuid::Uuid;

use crate::invoice::Line;

/// A booking that may be billed this month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Billable {
    /// The booking.
    pub booking: Uuid,
    /// Its student.
    pub student: Uuid,
    /// The student's family, if they have one.
    pub family: Option<Uuid>,
    /// "2026-03-02 14:00 Choir".
    pub description: String,
    /// Its price, in minor units.
    pub amount_minor: i64,
    /// Whether its attendance status bills (true while unmarked).
    pub billed: bool,
}

/// Who a draft is addressed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Payer {
    /// A family group.
    Family(Uuid),
    /// A student without a family.
    Student(Uuid),
}

/// One payer's draft: lines (each with its booking) and their total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    /// Who pays.
    pub payer: Payer,
    /// One line per booking, in the order given (by time).
    pub lines: Vec<(Uuid, Line)>,
    /// The sum of the lines.
    pub total_minor: i64,
}

/// Groups billable bookings into one draft per payer (payers in order of
/// their first booking). Unbilled and free bookings are left out.
pub fn drafts(items: Vec<Billable>) -> Vec<Draft> {
    let mut out: Vec<Draft> = Vec::new();
    for b in items {
        if !b.billed || b.amount_minor <= 0 {
            continue;
        }
        let payer = match b.family {
            Some(f) => Payer::Family(f),
            None => Payer::Student(b.student),
        };
        let line = Line {
            description: b.description,
            quantity: 1,
            unit_minor: b.amount_minor,
            amount_minor: b.amount_minor,
        };
        match out.iter_mut().find(|d| d.payer == payer) {
            Some(d) => {
                d.total_minor = d.total_minor.saturating_add(line.amount_minor);
                d.lines.push((b.booking, line));
            }
            None => out.push(Draft {
                payer,
                total_minor: line.amount_minor,
                lines: vec![(b.booking, line)],
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    #[test]
    fn a_family_gets_one_draft_for_its_students_and_unbilled_lessons_are_left_out() {
        let b = |n, student, family, amount, billed| Billable {
            booking: id(n),
            student: id(student),
            family,
            description: format!("lesson {n}"),
            amount_minor: amount,
            billed,
        };
        let chen = Some(id(100));
        let d = drafts(vec![
            b(1, 10, chen, 1500, true),
            b(2, 20, None, 2000, true),
            b(3, 11, chen, 1500, true),
            b(4, 10, chen, 1500, false), // excused, not billed
            b(5, 10, chen, 0, true),     // a make-up
        ]);
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].payer, Payer::Family(id(100)));
        assert_eq!(d[0].total_minor, 3000);
        assert_eq!(
            d[0].lines.iter().map(|(b, _)| *b).collect::<Vec<_>>(),
            [id(1), id(3)]
        );
        assert_eq!(d[1].payer, Payer::Student(id(20)));
    }

    proptest! {
        #[test]
        fn every_billed_booking_is_on_exactly_one_draft_and_totals_add_up(
            raw in proptest::collection::vec((0u128..5, proptest::option::of(0u128..3), 0i64..5000, any::<bool>()), 0..60)
        ) {
            let items: Vec<Billable> = raw.iter().enumerate().map(|(i, (s, f, a, billed))| Billable {
                booking: id(1000 + i as u128),
                student: id(*s),
                family: f.map(|f| id(500 + f)),
                description: String::new(),
                amount_minor: *a,
                billed: *billed,
            }).collect();
            let want: i64 = items.iter().filter(|b| b.billed && b.amount_minor > 0).map(|b| b.amount_minor).sum();
            let d = drafts(items.clone());
            prop_assert_eq!(d.iter().map(|d| d.total_minor).sum::<i64>(), want);
            let mut seen: Vec<Uuid> = d.iter().flat_map(|d| d.lines.iter().map(|(b, _)| *b)).collect();
            let n = seen.len();
            seen.sort();
            seen.dedup();
            prop_assert_eq!(seen.len(), n, "no booking twice");
            for draft in &d {
                prop_assert_eq!(draft.total_minor, draft.lines.iter().map(|(_, l)| l.amount_minor).sum::<i64>());
            }
        }
    }
}
