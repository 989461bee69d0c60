//! Booking policies: per teacher, optionally per offering (the
//! offering-specific one wins). Each rule refuses with its own
//! [`PolicyViolation`] variant.
//!
//! Rules are evaluated in one explicit zone (the session's for group
//! sessions, the school's for 1-on-1): "per day" is that zone's local day,
//! DST days included.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use kernel::{TimeZone, resolve_local};

use crate::status::{BookingKind, BookingStatus};

/// A teacher's (or teacher-and-offering's) booking rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BookingPolicy {
    /// 1-on-1 bookings start PENDING until approved.
    pub requires_approval_one_on_one: bool,
    /// Group bookings start PENDING until approved.
    pub requires_approval_group: bool,
    /// How long before the start a booking must be made.
    pub min_notice: Duration,
    /// How long before the start a booking may still be cancelled.
    pub cancel_window: Duration,
    /// Free time kept before each lesson.
    pub buffer_before: Duration,
    /// Free time kept after each lesson.
    pub buffer_after: Duration,
    /// Most bookings per local day, if limited.
    pub max_bookings_per_day: Option<u32>,
    /// How far ahead bookings may be made, if limited.
    pub horizon: Option<Duration>,
    /// How long a waitlist offer stays open.
    pub waitlist_offer: Duration,
}

impl Default for BookingPolicy {
    /// No approval, no notice, free cancellation, no buffers, no limits,
    /// waitlist offers open 24 hours.
    fn default() -> Self {
        Self {
            requires_approval_one_on_one: false,
            requires_approval_group: false,
            min_notice: Duration::zero(),
            cancel_window: Duration::zero(),
            buffer_before: Duration::zero(),
            buffer_after: Duration::zero(),
            max_bookings_per_day: None,
            horizon: None,
            waitlist_offer: Duration::hours(24),
        }
    }
}

/// A policy as a form sends it (whole hours, minutes and days).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PolicyInput {
    /// See [`BookingPolicy::requires_approval_one_on_one`].
    pub requires_approval_one_on_one: bool,
    /// See [`BookingPolicy::requires_approval_group`].
    pub requires_approval_group: bool,
    /// Hours.
    pub min_notice_hours: i64,
    /// Hours.
    pub cancel_window_hours: i64,
    /// Minutes.
    pub buffer_before_minutes: i64,
    /// Minutes.
    pub buffer_after_minutes: i64,
    /// Bookings per day; none = unlimited.
    pub max_bookings_per_day: Option<i64>,
    /// Days ahead; none = unlimited.
    pub horizon_days: Option<i64>,
    /// Minutes; none = 24 hours.
    pub waitlist_offer_minutes: Option<i64>,
}

/// Which rule of a policy form was refused (the gateway names the field).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PolicyRule {
    /// Minimum notice.
    MinNotice,
    /// Cancellation window.
    CancelWindow,
    /// Buffer before a lesson.
    BufferBefore,
    /// Buffer after a lesson (also: both buffers together).
    BufferAfter,
    /// Daily limit.
    MaxPerDay,
    /// Booking horizon.
    Horizon,
    /// How long a waitlist offer stays open.
    WaitlistOffer,
}

/// A policy that cannot be saved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct PolicyError {
    /// The rule at fault.
    pub rule: PolicyRule,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl BookingPolicy {
    /// Validates a policy: no negative values, and no policy that could
    /// never be satisfied (minimum notice beyond the horizon, buffers of a
    /// day or more).
    pub fn parse(input: PolicyInput) -> Result<Self, PolicyError> {
        let non_negative = |rule: PolicyRule, v: i64, max: i64| {
            if (0..=max).contains(&v) {
                Ok(v)
            } else {
                Err(PolicyError {
                    rule,
                    message: format!("must be between 0 and {max}"),
                })
            }
        };
        let min_notice = non_negative(PolicyRule::MinNotice, input.min_notice_hours, 24 * 366)?;
        let cancel = non_negative(
            PolicyRule::CancelWindow,
            input.cancel_window_hours,
            24 * 366,
        )?;
        let before = non_negative(
            PolicyRule::BufferBefore,
            input.buffer_before_minutes,
            24 * 60,
        )?;
        let after = non_negative(PolicyRule::BufferAfter, input.buffer_after_minutes, 24 * 60)?;
        if before + after >= 24 * 60 {
            return Err(PolicyError {
                rule: PolicyRule::BufferAfter,
                message: "buffers before and after add up to a day or more, so nothing could ever be booked; shorten them".into(),
            });
        }
        let per_day = input
            .max_bookings_per_day
            .map(|n| {
                if (1..=1000).contains(&n) {
                    Ok(n as u32)
                } else {
                    Err(PolicyError {
                        rule: PolicyRule::MaxPerDay,
                        message: "must be at least 1 (leave it empty for no limit)".into(),
                    })
                }
            })
            .transpose()?;
        let horizon = input
            .horizon_days
            .map(|d| {
                if (1..=732).contains(&d) {
                    Ok(Duration::days(d))
                } else {
                    Err(PolicyError {
                        rule: PolicyRule::Horizon,
                        message: "must be between 1 and 732 days (leave it empty for no limit)"
                            .into(),
                    })
                }
            })
            .transpose()?;
        if let Some(h) = horizon
            && Duration::hours(min_notice) >= h
        {
            return Err(PolicyError {
                rule: PolicyRule::MinNotice,
                message: "the minimum notice reaches past the booking horizon, so nothing could ever be booked; shorten the notice or lengthen the horizon".into(),
            });
        }
        let offer = match input.waitlist_offer_minutes {
            None => Duration::hours(24),
            Some(m) if (1..=60 * 24 * 14).contains(&m) => Duration::minutes(m),
            Some(_) => {
                return Err(PolicyError {
                    rule: PolicyRule::WaitlistOffer,
                    message: "must be between 1 minute and 14 days".into(),
                });
            }
        };
        Ok(Self {
            requires_approval_one_on_one: input.requires_approval_one_on_one,
            requires_approval_group: input.requires_approval_group,
            min_notice: Duration::hours(min_notice),
            cancel_window: Duration::hours(cancel),
            buffer_before: Duration::minutes(before),
            buffer_after: Duration::minutes(after),
            max_bookings_per_day: per_day,
            horizon,
            waitlist_offer: offer,
        })
    }

    /// The policy that applies: the offering-specific one, else the
    /// teacher's, else the default.
    pub fn resolve(teacher: Option<Self>, offering_specific: Option<Self>) -> Self {
        offering_specific.or(teacher).unwrap_or_default()
    }

    /// The status a new booking starts in.
    pub fn initial_status(&self, kind: BookingKind) -> BookingStatus {
        let approval = match kind {
            BookingKind::OneOnOne => self.requires_approval_one_on_one,
            BookingKind::GroupSession => self.requires_approval_group,
        };
        if approval {
            BookingStatus::Pending
        } else {
            BookingStatus::Confirmed
        }
    }

    /// Checks a new booking starting at `starts_at`, made at `now`, when the
    /// teacher already has `same_day` bookings on that local day.
    pub fn check_new(
        &self,
        now: DateTime<Utc>,
        starts_at: DateTime<Utc>,
        same_day: u32,
    ) -> Result<(), PolicyViolation> {
        if starts_at - now < self.min_notice || starts_at <= now {
            return Err(PolicyViolation::MinNotice {
                hours: self.min_notice.num_hours(),
            });
        }
        if let Some(h) = self.horizon
            && starts_at > now + h
        {
            return Err(PolicyViolation::BeyondHorizon { days: h.num_days() });
        }
        if let Some(max) = self.max_bookings_per_day
            && same_day >= max
        {
            return Err(PolicyViolation::DailyLimit { max });
        }
        Ok(())
    }

    /// Checks a cancellation at `now` of a booking starting at `starts_at`.
    pub fn check_cancel(
        &self,
        now: DateTime<Utc>,
        starts_at: DateTime<Utc>,
    ) -> Result<(), PolicyViolation> {
        if starts_at - now < self.cancel_window {
            Err(PolicyViolation::CancelWindowPassed {
                hours: self.cancel_window.num_hours(),
            })
        } else {
            Ok(())
        }
    }
}

/// Which of a teacher's saved policies applies to `offering`: the one for
/// that offering, else the teacher's general one (`offering_of` is `None`).
/// The one resolution rule, used for booking and for showing the policy.
pub fn pick<T, Id: PartialEq>(
    saved: &[T],
    offering: Option<Id>,
    offering_of: impl Fn(&T) -> Option<Id>,
) -> Option<&T> {
    offering
        .and_then(|o| saved.iter().find(|p| offering_of(p).as_ref() == Some(&o)))
        .or_else(|| saved.iter().find(|p| offering_of(p).is_none()))
}

/// The local day an instant falls on in `zone`.
pub fn local_day(zone: TimeZone, at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&zone.tz()).date_naive()
}

/// The instants `[start, end)` of a local day in `zone` (23 or 25 hours on
/// DST days).
pub fn day_bounds(zone: TimeZone, day: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
    let next = day.succ_opt().unwrap_or(day);
    (
        resolve_local(day, NaiveTime::MIN, zone),
        resolve_local(next, NaiveTime::MIN, zone),
    )
}

/// A broken booking rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PolicyViolation {
    /// Too close to the start.
    #[error(
        "bookings must be made at least {hours} hour(s) before the lesson starts; choose a later time"
    )]
    MinNotice {
        /// The policy's notice.
        hours: i64,
    },
    /// Too far ahead.
    #[error("bookings may be made at most {days} day(s) ahead; choose an earlier date")]
    BeyondHorizon {
        /// The policy's horizon.
        days: i64,
    },
    /// The teacher's day is full.
    #[error(
        "the teacher takes at most {max} booking(s) a day and that day is full; choose another day"
    )]
    DailyLimit {
        /// The policy's limit.
        max: u32,
    },
    /// Too late to cancel.
    #[error(
        "bookings can only be cancelled up to {hours} hour(s) before the lesson; contact the school"
    )]
    CancelWindowPassed {
        /// The policy's window.
        hours: i64,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    fn at(d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, d, h, 0, 0).unwrap()
    }

    fn policy() -> BookingPolicy {
        BookingPolicy::parse(PolicyInput {
            requires_approval_one_on_one: true,
            min_notice_hours: 24,
            cancel_window_hours: 48,
            max_bookings_per_day: Some(2),
            horizon_days: Some(14),
            ..Default::default()
        })
        .unwrap()
    }

    #[test]
    fn each_rule_has_its_own_violation() {
        let p = policy();
        let now = at(1, 12);
        assert_eq!(
            p.check_new(now, at(2, 11), 0),
            Err(PolicyViolation::MinNotice { hours: 24 })
        );
        assert!(p.check_new(now, at(2, 12), 0).is_ok());
        assert_eq!(
            p.check_new(now, at(1, 11), 0),
            Err(PolicyViolation::MinNotice { hours: 24 })
        );
        assert_eq!(
            p.check_new(now, at(16, 13), 0),
            Err(PolicyViolation::BeyondHorizon { days: 14 })
        );
        assert_eq!(
            p.check_new(now, at(5, 12), 2),
            Err(PolicyViolation::DailyLimit { max: 2 })
        );
        assert!(p.check_new(now, at(5, 12), 1).is_ok());
        assert_eq!(
            p.check_cancel(now, at(3, 11)),
            Err(PolicyViolation::CancelWindowPassed { hours: 48 })
        );
        assert!(p.check_cancel(now, at(3, 12)).is_ok());
    }

    #[test]
    fn approval_is_per_kind() {
        let p = policy();
        assert_eq!(
            p.initial_status(BookingKind::OneOnOne),
            BookingStatus::Pending
        );
        assert_eq!(
            p.initial_status(BookingKind::GroupSession),
            BookingStatus::Confirmed
        );
    }

    #[test]
    fn the_offering_specific_policy_wins() {
        let teacher = policy();
        let offering = BookingPolicy::default();
        assert_eq!(
            BookingPolicy::resolve(Some(teacher), Some(offering)),
            offering
        );
        assert_eq!(BookingPolicy::resolve(Some(teacher), None), teacher);
        assert_eq!(BookingPolicy::resolve(None, None), BookingPolicy::default());
        // Saved rows: (offering, label); `None` is the teacher's own.
        let saved = [(Some(7), "guitar"), (None, "general"), (Some(9), "piano")];
        let label = |o: Option<i32>| pick(&saved, o, |r| r.0).map(|r| r.1);
        assert_eq!(label(Some(9)), Some("piano"));
        assert_eq!(label(Some(8)), Some("general"));
        assert_eq!(label(None), Some("general"));
        assert_eq!(pick(&saved[..1], Some(8), |r| r.0), None);
    }

    #[test]
    fn unsatisfiable_policies_are_refused_when_saved() {
        let bad = |input: PolicyInput| BookingPolicy::parse(input).unwrap_err().rule;
        assert_eq!(
            bad(PolicyInput {
                min_notice_hours: 24 * 15,
                horizon_days: Some(14),
                ..Default::default()
            }),
            PolicyRule::MinNotice
        );
        assert_eq!(
            bad(PolicyInput {
                buffer_before_minutes: 720,
                buffer_after_minutes: 720,
                ..Default::default()
            }),
            PolicyRule::BufferAfter
        );
        assert_eq!(
            bad(PolicyInput {
                min_notice_hours: -1,
                ..Default::default()
            }),
            PolicyRule::MinNotice
        );
        assert_eq!(
            bad(PolicyInput {
                max_bookings_per_day: Some(0),
                ..Default::default()
            }),
            PolicyRule::MaxPerDay
        );
        assert_eq!(
            bad(PolicyInput {
                waitlist_offer_minutes: Some(0),
                ..Default::default()
            }),
            PolicyRule::WaitlistOffer
        );
    }

    #[test]
    fn local_days_follow_the_zone_across_dst() {
        let london = TimeZone::parse("Europe/London").unwrap();
        // 29 March 2026: clocks go forward, the day has 23 hours.
        let day = NaiveDate::from_ymd_opt(2026, 3, 29).unwrap();
        let (start, end) = day_bounds(london, day);
        assert_eq!(end - start, Duration::hours(23));
        // 25 October 2026: back, 25 hours.
        let (start, end) = day_bounds(london, NaiveDate::from_ymd_opt(2026, 10, 25).unwrap());
        assert_eq!(end - start, Duration::hours(25));
        // 23:30 UTC on 28 March is still the 28th in London (UTC+0).
        let late = Utc.with_ymd_and_hms(2026, 3, 28, 23, 30, 0).unwrap();
        assert_eq!(
            local_day(london, late),
            NaiveDate::from_ymd_opt(2026, 3, 28).unwrap()
        );
        let sydney = TimeZone::parse("Australia/Sydney").unwrap();
        assert_eq!(
            local_day(sydney, late),
            NaiveDate::from_ymd_opt(2026, 3, 29).unwrap()
        );
    }
}
