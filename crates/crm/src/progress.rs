//! Progression awards and exam requests (seed 001's enums and flows).
//!
//! An award marks something a student achieved (a grade, a streak, a
//! performance). An exam request moves PENDING → APPROVED | REJECTED,
//! then APPROVED → SCHEDULED (with the exam's date) → COMPLETED →
//! RESULTS_RECEIVED (with the result); nothing else.

use chrono::{DateTime, Utc};
use kernel::text::{TextError, required_text};

/// What an award is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AwardType {
    /// A section of a method book or course.
    SectionComplete,
    /// A grade.
    GradeMilestone,
    /// Days of practice in a row.
    PracticeStreak,
    /// A concert or recital.
    Performance,
    /// An exam passed.
    ExaminationPass,
    /// Anything else.
    Custom,
}

impl AwardType {
    /// Every type.
    pub const ALL: [Self; 6] = [
        Self::SectionComplete,
        Self::GradeMilestone,
        Self::PracticeStreak,
        Self::Performance,
        Self::ExaminationPass,
        Self::Custom,
    ];

    /// Stable stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SectionComplete => "SECTION_COMPLETE",
            Self::GradeMilestone => "GRADE_MILESTONE",
            Self::PracticeStreak => "PRACTICE_STREAK",
            Self::Performance => "PERFORMANCE",
            Self::ExaminationPass => "EXAMINATION_PASS",
            Self::Custom => "CUSTOM",
        }
    }

    /// The type with this stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A validated new award.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAward {
    /// Title ("Completed Grade 1").
    pub title: String,
    /// What it is for.
    pub kind: AwardType,
    /// More words.
    pub description: Option<String>,
    /// A badge colour, `#rrggbb`.
    pub badge_color: Option<String>,
}

/// Why an award was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AwardError {
    /// The title.
    #[error("title: {0}")]
    Title(TextError),
    /// Not a colour.
    #[error("badgeColor must look like #1f8a70")]
    Color,
}

impl NewAward {
    /// Validates an award.
    pub fn parse(
        title: &str,
        kind: AwardType,
        description: Option<&str>,
        badge_color: Option<&str>,
    ) -> Result<Self, AwardError> {
        let badge_color = match badge_color.map(str::trim).filter(|c| !c.is_empty()) {
            Some(c)
                if c.len() == 7
                    && c.starts_with('#')
                    && c[1..].chars().all(|h| h.is_ascii_hexdigit()) =>
            {
                Some(c.to_ascii_lowercase())
            }
            Some(_) => return Err(AwardError::Color),
            None => None,
        };
        Ok(Self {
            title: required_text(title).map_err(AwardError::Title)?,
            kind,
            description: description
                .map(str::trim)
                .filter(|d| !d.is_empty())
                .map(str::to_owned),
            badge_color,
        })
    }
}

/// Where an exam request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExamStatus {
    /// Asked for.
    Pending,
    /// The teacher or office agreed.
    Approved,
    /// Turned down.
    Rejected,
    /// Has a date.
    Scheduled,
    /// Sat.
    Completed,
    /// The result is in.
    ResultsReceived,
}

impl ExamStatus {
    /// Every status.
    pub const ALL: [Self; 6] = [
        Self::Pending,
        Self::Approved,
        Self::Rejected,
        Self::Scheduled,
        Self::Completed,
        Self::ResultsReceived,
    ];

    /// Stable stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::Approved => "APPROVED",
            Self::Rejected => "REJECTED",
            Self::Scheduled => "SCHEDULED",
            Self::Completed => "COMPLETED",
            Self::ResultsReceived => "RESULTS_RECEIVED",
        }
    }

    /// The status with this stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    fn may_become(self, to: ExamStatus) -> bool {
        use ExamStatus::*;
        matches!(
            (self, to),
            (Pending, Approved | Rejected)
                | (Approved, Scheduled)
                | (Scheduled, Completed)
                | (Completed, ResultsReceived)
        )
    }
}

/// A step asked of an exam request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExamStep {
    /// The status to move to.
    pub to: ExamStatus,
    /// The exam's date (SCHEDULED).
    pub exam_date: Option<DateTime<Utc>>,
    /// The result (RESULTS_RECEIVED).
    pub result: Option<String>,
}

/// Why an exam request step was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ExamError {
    /// Not a legal step.
    #[error(
        "an exam request cannot go from {} to {}; it moves PENDING → APPROVED or REJECTED, then SCHEDULED → COMPLETED → RESULTS_RECEIVED",
        from.as_str(),
        to.as_str()
    )]
    Step {
        /// The current status.
        from: ExamStatus,
        /// The status asked for.
        to: ExamStatus,
    },
    /// Scheduling needs the date.
    #[error("give examDate to schedule the exam")]
    NeedsDate,
    /// Results need the result.
    #[error("give the result (e.g. Pass, Merit, Distinction)")]
    NeedsResult,
}

/// What a step writes.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct ExamChange {
    /// The new status.
    pub status: ExamStatus,
    /// A decision (approval or rejection) was taken now.
    pub decided: bool,
    /// The exam's date, if this step sets it.
    pub exam_date: Option<DateTime<Utc>>,
    /// The result, if this step sets it.
    pub result: Option<String>,
}

/// Decides a step of an exam request.
pub fn advance(from: ExamStatus, step: ExamStep) -> Result<ExamChange, ExamError> {
    if !from.may_become(step.to) {
        return Err(ExamError::Step { from, to: step.to });
    }
    let result = step
        .result
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty());
    match step.to {
        ExamStatus::Scheduled if step.exam_date.is_none() => Err(ExamError::NeedsDate),
        ExamStatus::ResultsReceived if result.is_none() => Err(ExamError::NeedsResult),
        to => Ok(ExamChange {
            status: to,
            decided: matches!(to, ExamStatus::Approved | ExamStatus::Rejected),
            exam_date: (to == ExamStatus::Scheduled)
                .then_some(step.exam_date)
                .flatten(),
            result: (to == ExamStatus::ResultsReceived)
                .then_some(result)
                .flatten(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    fn step(to: ExamStatus) -> ExamStep {
        ExamStep {
            to,
            exam_date: Some(Utc.with_ymd_and_hms(2026, 6, 1, 9, 0, 0).unwrap()),
            result: Some("Merit".into()),
        }
    }

    #[test]
    fn exam_request_table() {
        use ExamStatus::*;
        let table: [(ExamStatus, &[ExamStatus]); 6] = [
            (Pending, &[Approved, Rejected]),
            (Approved, &[Scheduled]),
            (Rejected, &[]),
            (Scheduled, &[Completed]),
            (Completed, &[ResultsReceived]),
            (ResultsReceived, &[]),
        ];
        for (from, legal) in table {
            for to in ExamStatus::ALL {
                let got = advance(from, step(to));
                if legal.contains(&to) {
                    assert_eq!(got.map(|c| c.status), Ok(to), "{from:?} → {to:?}");
                } else {
                    assert_eq!(got, Err(ExamError::Step { from, to }), "{from:?} → {to:?}");
                }
            }
        }
        for s in ExamStatus::ALL {
            assert_eq!(ExamStatus::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn scheduling_needs_a_date_and_results_a_result() {
        let no_date = ExamStep {
            exam_date: None,
            ..step(ExamStatus::Scheduled)
        };
        assert_eq!(
            advance(ExamStatus::Approved, no_date),
            Err(ExamError::NeedsDate)
        );
        let blank = ExamStep {
            result: Some("  ".into()),
            ..step(ExamStatus::ResultsReceived)
        };
        assert_eq!(
            advance(ExamStatus::Completed, blank),
            Err(ExamError::NeedsResult)
        );
        let done = advance(ExamStatus::Completed, step(ExamStatus::ResultsReceived)).unwrap();
        assert_eq!(done.result.as_deref(), Some("Merit"));
        assert_eq!(done.exam_date, None, "only scheduling sets the date");
        assert!(
            advance(ExamStatus::Pending, step(ExamStatus::Approved))
                .unwrap()
                .decided
        );
    }

    #[test]
    fn awards_need_a_title_and_a_real_colour() {
        assert_eq!(
            NewAward::parse(" ", AwardType::Custom, None, None),
            Err(AwardError::Title(TextError::Empty))
        );
        assert_eq!(
            NewAward::parse("Grade 1", AwardType::GradeMilestone, None, Some("red")),
            Err(AwardError::Color)
        );
        let ok = NewAward::parse(
            "Grade 1",
            AwardType::GradeMilestone,
            Some(""),
            Some("#1F8A70"),
        )
        .unwrap();
        assert_eq!(ok.badge_color.as_deref(), Some("#1f8a70"));
        assert_eq!(ok.description, None);
        for t in AwardType::ALL {
            assert_eq!(AwardType::parse(t.as_str()), Some(t));
        }
    }
}
