//! Payments and the family account (SPEC §3.6).
//!
//! A payment is recorded against an invoice. It may be partial; it may not
//! pay more than is outstanding. Only COMPLETED money counts toward what
//! an invoice has been paid, net of what was refunded. A family's running
//! balance is a ledger: every invoice issued is a charge, every payment a
//! credit, every refund a charge again, and the balance is their sum.

/// How the money came.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaymentMethod {
    /// Card through Stripe.
    Stripe,
    /// A bank transfer.
    BankTransfer,
    /// Cash at the desk.
    Cash,
    /// A cheque.
    Check,
    /// Anything else.
    Other,
}

/// Where a payment is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaymentStatus {
    /// Created (e.g. a PaymentIntent), not yet paid.
    Pending,
    /// The provider is working on it.
    Processing,
    /// The money arrived.
    Completed,
    /// It did not.
    Failed,
    /// Fully refunded.
    Refunded,
    /// Disputed by the card holder.
    Disputed,
}

macro_rules! stored {
    ($ty:ident { $($v:ident => $n:literal),* $(,)? }) => {
        impl $ty {
            /// Every value.
            pub const ALL: &'static [Self] = &[$(Self::$v),*];
            /// Stable stored name.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$v => $n),* }
            }
            /// The value with this stored name.
            pub fn parse(s: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|x| x.as_str() == s)
            }
        }
    };
}

stored!(PaymentMethod { Stripe => "STRIPE", BankTransfer => "BANK_TRANSFER", Cash => "CASH", Check => "CHECK", Other => "OTHER" });
stored!(PaymentStatus { Pending => "PENDING", Processing => "PROCESSING", Completed => "COMPLETED", Failed => "FAILED", Refunded => "REFUNDED", Disputed => "DISPUTED" });

/// Why a payment or refund was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PaymentError {
    /// Zero or negative.
    #[error("a payment must be more than zero, got {0} (minor units)")]
    NotPositive(i64),
    /// More than the invoice still owes.
    #[error("the invoice only has {outstanding} (minor units) outstanding; record at most that")]
    Overpay {
        /// What is still owed.
        outstanding: i64,
    },
    /// The invoice is not open for payments.
    #[error(
        "only an issued, unpaid invoice takes payments; issue it first, or it is already paid or void"
    )]
    NotPayable,
    /// A card payment refunded without asking the card provider first.
    #[error(
        "a card payment is refunded through Stripe, which could not be asked this time; try again"
    )]
    CardRefundNotSent,
    /// A refund larger than what is left of the payment.
    #[error("at most {left} (minor units) of this payment can still be refunded")]
    RefundTooLarge {
        /// What is left to refund.
        left: i64,
    },
    /// A status change the lifecycle refuses.
    #[error("a payment cannot go from {} to {}", .from.as_str(), .to.as_str())]
    Transition {
        /// Current.
        from: PaymentStatus,
        /// Asked for.
        to: PaymentStatus,
    },
}

/// Checks a payment of `amount` against an invoice with `outstanding`
/// left to pay.
pub fn check_payment(amount: i64, outstanding: i64) -> Result<(), PaymentError> {
    if amount <= 0 {
        return Err(PaymentError::NotPositive(amount));
    }
    if amount > outstanding {
        return Err(PaymentError::Overpay { outstanding });
    }
    Ok(())
}

/// The lifecycle of a payment: PENDING → PROCESSING → COMPLETED | FAILED
/// (PENDING may skip to either); COMPLETED → REFUNDED | DISPUTED; a lost
/// dispute refunds, a won one completes again.
pub fn transition(from: PaymentStatus, to: PaymentStatus) -> Result<PaymentStatus, PaymentError> {
    use PaymentStatus as P;
    // A declined card leaves its PaymentIntent open: the family may try
    // again with another card, so FAILED may still become COMPLETED.
    let ok = matches!(
        (from, to),
        (P::Pending, P::Processing | P::Completed | P::Failed)
            | (P::Processing, P::Completed | P::Failed)
            | (P::Failed, P::Processing | P::Completed)
            | (P::Completed, P::Refunded | P::Disputed)
            | (P::Disputed, P::Completed | P::Refunded)
    );
    if ok {
        Ok(to)
    } else {
        Err(PaymentError::Transition { from, to })
    }
}

/// A refund of `ask` (all that is left if `None`) from a completed payment
/// of `amount` that already had `refunded` given back: the new refunded
/// total, and the status (REFUNDED once all of it is back).
pub fn refund(
    status: PaymentStatus,
    amount: i64,
    refunded: i64,
    ask: Option<i64>,
) -> Result<(i64, PaymentStatus), PaymentError> {
    let ask = ask.unwrap_or(amount - refunded);
    if status != PaymentStatus::Completed {
        return Err(PaymentError::Transition {
            from: status,
            to: PaymentStatus::Refunded,
        });
    }
    if ask <= 0 {
        return Err(PaymentError::NotPositive(ask));
    }
    let left = amount - refunded;
    if ask > left {
        return Err(PaymentError::RefundTooLarge { left });
    }
    let now = refunded + ask;
    let status = if now == amount {
        PaymentStatus::Refunded
    } else {
        PaymentStatus::Completed
    };
    Ok((now, status))
}

/// What a card payment of an invoice should charge now: what is owed,
/// net of payments already completed, when the invoice takes payments.
pub fn card_charge(takes_payments: bool, total: i64, paid: i64) -> Result<i64, PaymentError> {
    let owed = total - paid;
    if !takes_payments || owed <= 0 {
        return Err(PaymentError::NotPayable);
    }
    Ok(owed)
}

/// What a payment contributes to its invoice: completed (or refunded)
/// money, net of refunds; nothing while pending, failed or disputed.
pub fn counted(status: PaymentStatus, amount: i64, refunded: i64) -> i64 {
    match status {
        PaymentStatus::Completed | PaymentStatus::Refunded => amount - refunded,
        _ => 0,
    }
}

/// One entry of a family's account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    /// An issued invoice: owed.
    Charge(i64),
    /// Money received.
    Payment(i64),
    /// Money given back.
    Refund(i64),
}

impl Entry {
    /// The entry's effect on the balance (what the family owes).
    pub fn signed(self) -> i64 {
        match self {
            Self::Charge(m) | Self::Refund(m) => m,
            Self::Payment(m) => -m,
        }
    }
}

/// What the family owes (negative: in credit): the sum of its entries,
/// saturating rather than wrapping (no real account comes near).
pub fn balance(entries: &[Entry]) -> i64 {
    let sum: i128 = entries.iter().map(|e| i128::from(e.signed())).sum();
    sum.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
}

/// The entries an account is made of: each owed invoice's total is a
/// charge; each payment that arrived is a credit, and what was refunded of
/// it a charge again.
pub fn entries(
    invoices: impl IntoIterator<Item = (bool, i64)>,
    payments: impl IntoIterator<Item = (PaymentStatus, i64, i64)>,
) -> Vec<Entry> {
    let mut out: Vec<Entry> = invoices
        .into_iter()
        .filter(|(owed, _)| *owed)
        .map(|(_, total)| Entry::Charge(total))
        .collect();
    for (status, amount, refunded) in payments {
        if matches!(status, PaymentStatus::Completed | PaymentStatus::Refunded) {
            out.push(Entry::Payment(amount));
            if refunded > 0 {
                out.push(Entry::Refund(refunded));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use PaymentStatus as P;
    use proptest::prelude::*;

    #[test]
    fn payments_are_positive_and_never_overpay() {
        assert_eq!(check_payment(500, 1000), Ok(()));
        assert_eq!(check_payment(1000, 1000), Ok(()));
        assert_eq!(check_payment(0, 1000), Err(PaymentError::NotPositive(0)));
        assert_eq!(
            check_payment(1001, 1000).unwrap_err().to_string(),
            "the invoice only has 1000 (minor units) outstanding; record at most that"
        );
    }

    #[test]
    fn the_payment_lifecycle_table() {
        // (from, to, allowed)
        let table = [
            (P::Pending, P::Processing, true),
            (P::Pending, P::Completed, true),
            (P::Pending, P::Failed, true),
            (P::Processing, P::Completed, true),
            (P::Processing, P::Failed, true),
            (P::Completed, P::Refunded, true),
            (P::Completed, P::Disputed, true),
            (P::Disputed, P::Completed, true),
            (P::Disputed, P::Refunded, true),
            (P::Completed, P::Pending, false),
            (P::Failed, P::Completed, true),
            (P::Failed, P::Pending, false),
            (P::Completed, P::Processing, false),
            (P::Refunded, P::Completed, false),
            (P::Completed, P::Completed, false),
        ];
        for (from, to, allowed) in table {
            assert_eq!(transition(from, to).is_ok(), allowed, "{from:?} → {to:?}");
        }
    }

    #[test]
    fn refunds_are_partial_until_everything_is_back() {
        assert_eq!(
            refund(P::Completed, 1000, 0, Some(400)),
            Ok((400, P::Completed))
        );
        assert_eq!(
            refund(P::Completed, 1000, 400, Some(600)),
            Ok((1000, P::Refunded))
        );
        assert_eq!(
            refund(P::Completed, 1000, 400, None),
            Ok((1000, P::Refunded))
        );
        assert_eq!(
            refund(P::Completed, 1000, 400, Some(700)),
            Err(PaymentError::RefundTooLarge { left: 600 })
        );
        assert!(refund(P::Pending, 1000, 0, Some(100)).is_err());
        assert_eq!(counted(P::Completed, 1000, 400), 600);
        assert_eq!(counted(P::Refunded, 1000, 1000), 0);
        assert_eq!(counted(P::Pending, 1000, 0), 0);
    }

    #[test]
    fn an_account_is_its_owed_invoices_and_the_money_that_arrived() {
        let e = entries(
            [(true, 9000), (false, 5000)],
            [
                (P::Completed, 4000, 0),
                (P::Completed, 5000, 1500),
                (P::Pending, 9000, 0),
                (P::Failed, 9000, 0),
            ],
        );
        // 9000 owed (the draft is not), 9000 paid, 1500 refunded.
        assert_eq!(balance(&e), 1500);
        assert_eq!(card_charge(true, 9000, 4000), Ok(5000));
        assert_eq!(card_charge(true, 9000, 9000), Err(PaymentError::NotPayable));
        assert_eq!(card_charge(false, 9000, 0), Err(PaymentError::NotPayable));
    }

    fn entry() -> impl Strategy<Value = Entry> {
        prop_oneof![
            (0i64..1_000_000).prop_map(Entry::Charge),
            (0i64..1_000_000).prop_map(Entry::Payment),
            (0i64..1_000_000).prop_map(Entry::Refund),
        ]
    }

    proptest! {
        #[test]
        fn the_balance_is_the_sum_of_the_entries_in_any_order(
            entries in proptest::collection::vec(entry(), 0..50)
        ) {
            // Adding entries one by one moves the balance by each one's
            // effect: the balance is the running sum.
            let mut running = 0i64;
            for (i, e) in entries.iter().enumerate() {
                prop_assert_eq!(balance(&entries[..i]), running);
                running += match e { Entry::Charge(m) | Entry::Refund(m) => *m, Entry::Payment(m) => -*m };
            }
            prop_assert_eq!(balance(&entries), running);
            let mut reversed = entries.clone();
            reversed.reverse();
            prop_assert_eq!(balance(&reversed), balance(&entries));
        }
    }
}
