//! Attendance that drives money, and make-up credits (SPEC §3.4, §3.6).
//!
//! Every attendance status says whether the student is billed, whether the
//! teacher is paid, and whether a make-up credit is granted. The four
//! built-in statuses have defaults a school may change; a school may add
//! its own (e.g. SICK, counting as ABSENT, granting a credit).
//!
//! A credit is a ledger, never a counter: GRANTED (+1); USED (−1) when it
//! books a make-up and RETURNED (+1) when that make-up is cancelled;
//! REVOKED (−1) when the mark that granted it is corrected, GRANTED again
//! if the absence is marked again; and at most one ending entry, EXPIRED
//! or REFUNDED (−1). A
//! student's balance is the sum of their entries; a credit's state is read
//! from its own entries ([`state`]), and [`change`] says which entry may
//! come next.

use booking::attendance::Mark;
use chrono::{Duration, NaiveDate};

/// What an attendance status does to money.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusRule {
    /// The student pays for the session.
    pub billed: bool,
    /// The teacher is paid for the student.
    pub teacher_paid: bool,
    /// The student gets a make-up credit.
    pub grants_credit: bool,
}

impl StatusRule {
    /// The defaults of a built-in mark: present and late are billed and
    /// paid; an absence is billed and paid (the seat was held); an excused
    /// absence is billed, not paid, and grants a make-up credit.
    pub fn default_for(mark: Mark) -> Self {
        match mark {
            Mark::Present | Mark::Late | Mark::Absent => Self {
                billed: true,
                teacher_paid: true,
                grants_credit: false,
            },
            Mark::Excused => Self {
                billed: true,
                teacher_paid: false,
                grants_credit: true,
            },
        }
    }
}

/// One attendance status of a school.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttendanceStatus {
    /// Its code: a built-in mark's name, or the school's own (`SICK`).
    pub code: String,
    /// What people read.
    pub label: String,
    /// The built-in mark it counts as (for the booking: attended or not).
    pub counts_as: Mark,
    /// What it does to money.
    pub rule: StatusRule,
}

/// A status as the office typed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusInput {
    /// Code.
    pub code: String,
    /// Label.
    pub label: String,
    /// The mark it counts as.
    pub counts_as: Mark,
    /// Rule.
    pub rule: StatusRule,
}

/// Why statuses, or a status used in a mark, were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatusError {
    /// A code that is not 1–32 of A–Z, 0–9 and `_`.
    #[error("status code `{0}` must be 1 to 32 capital letters, digits or underscores, e.g. SICK")]
    Code(String),
    /// The same code twice.
    #[error("status code {0} appears twice")]
    Duplicate(String),
    /// A built-in code counting as another mark.
    #[error("{0} is built in and counts as itself")]
    BuiltIn(String),
    /// A mark naming a status the school does not have.
    #[error("the school has no attendance status {0}; see attendanceStatuses")]
    Unknown(String),
    /// A school status used with a mark it does not count as.
    #[error("{code} counts as {}, not {}", .counts_as.as_str(), .given.as_str())]
    WrongMark {
        /// The school's code.
        code: String,
        /// What it counts as.
        counts_as: Mark,
        /// The mark sent with it.
        given: Mark,
    },
}

/// Validates a school's statuses (its own, and overrides of built-ins).
pub fn parse_statuses(input: Vec<StatusInput>) -> Result<Vec<AttendanceStatus>, StatusError> {
    let mut out: Vec<AttendanceStatus> = Vec::with_capacity(input.len());
    for s in input {
        let code = s.code.trim().to_owned();
        let valid = (1..=32).contains(&code.len())
            && code
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
        if !valid {
            return Err(StatusError::Code(code));
        }
        if out.iter().any(|o| o.code == code) {
            return Err(StatusError::Duplicate(code));
        }
        if let Some(m) = Mark::parse(&code)
            && m != s.counts_as
        {
            return Err(StatusError::BuiltIn(code));
        }
        let label = match s.label.trim() {
            "" => code.clone(),
            l => l.to_owned(),
        };
        out.push(AttendanceStatus {
            code,
            label,
            counts_as: s.counts_as,
            rule: s.rule,
        });
    }
    Ok(out)
}

/// The rule of a mark (and the school's own code, if one was given),
/// over the school's statuses (built-ins not listed keep their defaults).
pub fn rule_for(
    statuses: &[AttendanceStatus],
    mark: Mark,
    code: Option<&str>,
) -> Result<StatusRule, StatusError> {
    let code = code.unwrap_or(mark.as_str());
    match statuses.iter().find(|s| s.code == code) {
        Some(s) if s.counts_as == mark => Ok(s.rule),
        Some(s) => Err(StatusError::WrongMark {
            code: code.to_owned(),
            counts_as: s.counts_as,
            given: mark,
        }),
        None if code == mark.as_str() => Ok(StatusRule::default_for(mark)),
        None => Err(StatusError::Unknown(code.to_owned())),
    }
}

/// A school's make-up policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CreditPolicy {
    /// Days a credit may be used after it is granted.
    pub expiry_days: u32,
    /// Most credits one student gets in one term (one series' sessions).
    pub max_per_term: Option<u32>,
    /// Whether a session cancelled by the school or teacher grants one.
    pub on_cancellation: bool,
}

impl Default for CreditPolicy {
    fn default() -> Self {
        Self {
            expiry_days: 60,
            max_per_term: None,
            on_cancellation: true,
        }
    }
}

/// Why a credit was not granted or not usable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CreditError {
    /// The term's maximum is reached.
    #[error("the student already has {0} make-up credits this term, the school's maximum")]
    TermMax(u32),
    /// Not in the state the step needs (e.g. used, expired, refunded).
    #[error("this credit is {}; only an available credit can be used, refunded or revoked, and only a used one returned", .0.as_str())]
    NotAvailable(CreditState),
    /// Past its expiry.
    #[error("this credit expired on {0}")]
    Expired(NaiveDate),
    /// A session of another offering.
    #[error("a make-up credit books a session of the same offering as the one missed")]
    OtherOffering,
    /// Expiry days out of range.
    #[error("creditExpiryDays must be between 1 and 730, got {0}")]
    ExpiryDays(i64),
}

/// Grants a credit on `today` if the term allows: its expiry date.
pub fn grant(
    policy: CreditPolicy,
    granted_this_term: u32,
    today: NaiveDate,
) -> Result<NaiveDate, CreditError> {
    if let Some(max) = policy.max_per_term
        && granted_this_term >= max
    {
        return Err(CreditError::TermMax(max));
    }
    Ok(expires_on(policy, today))
}

/// The last day a credit granted on `today` may be used.
pub fn expires_on(policy: CreditPolicy, today: NaiveDate) -> NaiveDate {
    today + Duration::days(i64::from(policy.expiry_days))
}

/// Validates a policy's expiry.
pub fn expiry_days(days: i64) -> Result<u32, CreditError> {
    if (1..=730).contains(&days) {
        Ok(days as u32)
    } else {
        Err(CreditError::ExpiryDays(days))
    }
}

/// A ledger entry's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntryKind {
    /// A credit was granted (+1).
    Granted,
    /// It booked a make-up (−1).
    Used,
    /// The make-up it booked was cancelled or declined: usable again (+1).
    Returned,
    /// It lapsed unused (−1).
    Expired,
    /// The school paid the missed lesson back instead (−1).
    Refunded,
    /// The mark that granted it was corrected (−1).
    Revoked,
}

impl EntryKind {
    /// Every kind.
    pub const ALL: [Self; 6] = [
        Self::Granted,
        Self::Used,
        Self::Returned,
        Self::Expired,
        Self::Refunded,
        Self::Revoked,
    ];

    /// Stable stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Granted => "GRANTED",
            Self::Used => "USED",
            Self::Returned => "RETURNED",
            Self::Expired => "EXPIRED",
            Self::Refunded => "REFUNDED",
            Self::Revoked => "REVOKED",
        }
    }

    /// The kind with this stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The entry's effect on the balance.
    pub fn amount(self) -> i64 {
        match self {
            Self::Granted | Self::Returned => 1,
            Self::Used | Self::Expired | Self::Refunded | Self::Revoked => -1,
        }
    }
}

/// Where one credit stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CreditState {
    /// Granted (or returned), not in use.
    Available,
    /// Booked a make-up.
    Used,
    /// Lapsed.
    Expired,
    /// Paid back as money.
    Refunded,
    /// Withdrawn: the mark that granted it was corrected.
    Revoked,
}

impl CreditState {
    /// Stable wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Available => "AVAILABLE",
            Self::Used => "USED",
            Self::Expired => "EXPIRED",
            Self::Refunded => "REFUNDED",
            Self::Revoked => "REVOKED",
        }
    }
}

/// A credit's state from its own entries, whatever their order (entries
/// written in one instant have no order): EXPIRED or REFUNDED ends it;
/// it is revoked while revoked as often as granted (a corrected mark,
/// until the absence is marked again); otherwise it is in use while it
/// has booked more make-ups than were returned.
pub fn state(entries: &[EntryKind]) -> CreditState {
    let ended = entries.iter().find_map(|e| match e {
        EntryKind::Expired => Some(CreditState::Expired),
        EntryKind::Refunded => Some(CreditState::Refunded),
        _ => None,
    });
    if let Some(s) = ended {
        return s;
    }
    let count = |k| entries.iter().filter(|e| **e == k).count();
    if count(EntryKind::Revoked) >= count(EntryKind::Granted) {
        CreditState::Revoked
    } else if count(EntryKind::Used) > count(EntryKind::Returned) {
        CreditState::Used
    } else {
        CreditState::Available
    }
}

/// A student's balance: the sum of their entries.
pub fn balance(entries: &[EntryKind]) -> i64 {
    entries.iter().map(|e| e.amount()).sum()
}

/// What may happen to a credit next, and the entry it writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// It pays for a make-up (the booking's checks are `may_use`'s).
    Use,
    /// Its make-up was cancelled or declined.
    Return,
    /// The school pays the missed lesson back.
    Refund,
    /// The mark that granted it was corrected.
    Revoke,
    /// It lapsed.
    Expire,
    /// The absence that a corrected mark took back is marked again.
    Regrant,
}

/// The entry `change` writes to a credit with these entries, or why it
/// may not: only a credit in use comes back; only an available one is
/// refunded, revoked or expired (a credit that already booked a make-up
/// keeps it: the lesson was given); only a revoked one is granted again.
pub fn change(entries: &[EntryKind], change: Change) -> Result<EntryKind, CreditError> {
    match (state(entries), change) {
        (CreditState::Available, Change::Use) => Ok(EntryKind::Used),
        (CreditState::Used, Change::Return) => Ok(EntryKind::Returned),
        (CreditState::Available, Change::Refund) => Ok(EntryKind::Refunded),
        (CreditState::Available, Change::Revoke) => Ok(EntryKind::Revoked),
        (CreditState::Available, Change::Expire) => Ok(EntryKind::Expired),
        (CreditState::Revoked, Change::Regrant) => Ok(EntryKind::Granted),
        (other, _) => Err(CreditError::NotAvailable(other)),
    }
}

/// Whether a credit books a make-up in a session of `offering` on `today`.
pub fn may_use(
    entries: &[EntryKind],
    expires_on: NaiveDate,
    credit_offering: Option<uuid::Uuid>,
    offering: Option<uuid::Uuid>,
    today: NaiveDate,
) -> Result<(), CreditError> {
    match state(entries) {
        CreditState::Available => {}
        other => return Err(CreditError::NotAvailable(other)),
    }
    if today > expires_on {
        return Err(CreditError::Expired(expires_on));
    }
    if credit_offering != offering {
        return Err(CreditError::OtherOffering);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use EntryKind::*;
    use proptest::prelude::*;

    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, day).unwrap()
    }

    fn status(code: &str, counts_as: Mark, credit: bool) -> StatusInput {
        StatusInput {
            code: code.into(),
            label: String::new(),
            counts_as,
            rule: StatusRule {
                billed: false,
                teacher_paid: false,
                grants_credit: credit,
            },
        }
    }

    #[test]
    fn each_mark_finds_its_rule() {
        let school = parse_statuses(vec![
            status("SICK", Mark::Absent, true),
            status("EXCUSED", Mark::Excused, false),
        ])
        .unwrap();
        assert_eq!(school[0].label, "SICK", "a blank label is the code");
        // (mark, code, grants a credit?)
        let table = [
            (Mark::Present, None, Ok(false)),
            (Mark::Absent, None, Ok(false)),
            (Mark::Absent, Some("SICK"), Ok(true)),
            (Mark::Excused, None, Ok(false)), // overridden by the school
            (Mark::Present, Some("SICK"), Err(())),
            (Mark::Absent, Some("HOLIDAY"), Err(())),
        ];
        for (mark, code, want) in table {
            let got = rule_for(&school, mark, code)
                .map(|r| r.grants_credit)
                .map_err(|_| ());
            assert_eq!(got, want, "{mark:?} {code:?}");
        }
        assert_eq!(
            rule_for(&[], Mark::Excused, None).unwrap(),
            StatusRule::default_for(Mark::Excused)
        );
    }

    #[test]
    fn statuses_are_validated() {
        let e = |input| parse_statuses(input).unwrap_err().to_string();
        assert_eq!(
            e(vec![status("sick", Mark::Absent, true)]),
            "status code `sick` must be 1 to 32 capital letters, digits or underscores, e.g. SICK"
        );
        assert_eq!(
            e(vec![
                status("SICK", Mark::Absent, true),
                status("SICK", Mark::Absent, false)
            ]),
            "status code SICK appears twice"
        );
        assert_eq!(
            e(vec![status("PRESENT", Mark::Absent, false)]),
            "PRESENT is built in and counts as itself"
        );
    }

    #[test]
    fn the_credit_table() {
        let open = [Granted];
        // (entries, expires, credit's offering, session's offering, today, ok)
        let a = Some(uuid::Uuid::from_u128(1));
        let b = Some(uuid::Uuid::from_u128(2));
        let table: [(&[EntryKind], _, _, _, _, bool); 6] = [
            (&open, d(20), a, a, d(10), true),
            (&open, d(20), a, a, d(20), true),
            (&open, d(20), a, a, d(21), false),
            (&open, d(20), a, b, d(10), false),
            (&[Granted, Used], d(20), a, a, d(10), false),
            (&[Granted, Expired], d(20), a, a, d(10), false),
        ];
        for (entries, expires, co, so, today, ok) in table {
            assert_eq!(
                may_use(entries, expires, co, so, today).is_ok(),
                ok,
                "{entries:?} {today}"
            );
        }
        assert_eq!(state(&[Granted, Refunded]), CreditState::Refunded);
    }

    #[test]
    fn the_change_table() {
        use Change::*;
        // (entries so far, change, the entry written or the state refusing)
        let table: [(&[EntryKind], Change, Result<EntryKind, CreditState>); 17] = [
            (&[Granted], Use, Ok(Used)),
            (&[Granted, Used], Use, Err(CreditState::Used)),
            (&[Granted], Return, Err(CreditState::Available)),
            (&[Granted], Refund, Ok(Refunded)),
            (&[Granted], Revoke, Ok(Revoked)),
            (&[Granted], Expire, Ok(Expired)),
            (&[Granted, Used], Return, Ok(Returned)),
            (&[Granted, Used], Revoke, Err(CreditState::Used)),
            (&[Granted, Used], Refund, Err(CreditState::Used)),
            (&[Granted, Used, Returned], Revoke, Ok(Revoked)),
            (
                &[Granted, Used, Returned],
                Return,
                Err(CreditState::Available),
            ),
            (
                &[Granted, Returned, Used],
                Return,
                Err(CreditState::Available),
            ), // any order
            (&[Granted, Revoked], Return, Err(CreditState::Revoked)),
            (&[Granted, Revoked], Regrant, Ok(Granted)),
            (&[Granted, Revoked, Granted], Revoke, Ok(Revoked)),
            (&[Granted], Regrant, Err(CreditState::Available)),
            (&[Granted, Expired], Refund, Err(CreditState::Expired)),
        ];
        for (entries, step, want) in table {
            let got = change(entries, step).map_err(|e| match e {
                CreditError::NotAvailable(s) => s,
                other => panic!("{other}"),
            });
            assert_eq!(got, want, "{entries:?} {step:?}");
        }
        let returned = [Granted, Used, Returned];
        assert_eq!(state(&returned), CreditState::Available);
        let a = Some(uuid::Uuid::from_u128(1));
        assert!(
            may_use(&returned, d(20), a, a, d(10)).is_ok(),
            "usable again"
        );
    }

    #[test]
    fn grants_respect_the_term_maximum_and_expire_after_the_policy() {
        let policy = CreditPolicy {
            expiry_days: 30,
            max_per_term: Some(2),
            on_cancellation: true,
        };
        assert_eq!(grant(policy, 1, d(1)), Ok(d(31)));
        assert_eq!(grant(policy, 2, d(1)), Err(CreditError::TermMax(2)));
        assert_eq!(
            grant(CreditPolicy::default(), 99, d(1)).unwrap(),
            d(1) + Duration::days(60)
        );
        assert!(expiry_days(0).is_err() && expiry_days(731).is_err() && expiry_days(30).is_ok());
    }

    /// One credit's history, driven by `steps` through the rules of
    /// [`change`] (a step the rules refuse is skipped, as the API would).
    fn history(steps: &[usize]) -> Vec<EntryKind> {
        let mut entries = vec![Granted];
        for s in steps {
            let next = match s {
                0 => change(&entries, Change::Use).ok(),
                1 => change(&entries, Change::Return).ok(),
                2 => change(&entries, Change::Refund).ok(),
                3 => change(&entries, Change::Revoke).ok(),
                4 => change(&entries, Change::Regrant).ok(),
                _ => change(&entries, Change::Expire).ok(),
            };
            if let Some(e) = next {
                assert!(
                    !matches!(
                        state(&entries),
                        CreditState::Expired | CreditState::Refunded
                    ),
                    "nothing follows an ending: {entries:?} then {e:?}"
                );
                entries.push(e);
            }
        }
        entries
    }

    proptest! {
        /// However each credit's history goes, a student's balance (the
        /// sum of all their entries, in any interleaving) is the number of
        /// their credits that are available, and each credit's own sum is
        /// 1 exactly while it is available.
        #[test]
        fn a_balance_counts_the_available_credits(
            credits in proptest::collection::vec(proptest::collection::vec(0usize..6, 0..20), 0..8),
            seed in any::<u64>(),
        ) {
            let histories: Vec<Vec<EntryKind>> = credits.iter().map(|c| history(c)).collect();
            for h in &histories {
                prop_assert_eq!(balance(h), i64::from(state(h) == CreditState::Available), "{:?}", h);
            }
            let available = histories
                .iter()
                .filter(|h| state(h) == CreditState::Available)
                .count() as i64;
            // Interleave the ledgers as a student's entries arrive.
            let mut all: Vec<EntryKind> = histories.concat();
            let n = all.len();
            if n > 1 {
                all.rotate_left((seed as usize) % n);
            }
            prop_assert_eq!(balance(&all), available);
        }
    }
}
