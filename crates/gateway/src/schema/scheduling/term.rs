//! A whole term at once: `previewTerm` and `generateTerm` over every active
//! ON_DEMAND series of the school, or the listed ones
//! (`infra::scheduling::term`).

use std::collections::HashSet;

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use infra::scheduling::term::{self as service, Term, TermScope};
use kernel::ClassSeriesId;
use kernel::policy::Action;

use super::series::to_conflicts;
use crate::context::app;
use crate::error::{FieldError, UserError, bad_input, internal};
use crate::ids::{Kind, decode};
use crate::scalars::LocalDate;
use crate::schema::{ClassSeries, Conflict, Done, authorize, mutation, payloads, refused};

/// Input of `generateTerm`.
#[derive(InputObject, Debug)]
pub struct GenerateTermInput {
    /// Generate occurrences up to and including this local date.
    pub through: LocalDate,
    /// Only these series (default: every ACTIVE series generated on demand).
    pub series_ids: Option<Vec<ID>>,
}

/// What one series of the term got (or would get).
#[derive(SimpleObject)]
pub struct TermSeries {
    /// The series, with its new `lastGeneratedThrough` once generated.
    pub series: ClassSeries,
    /// Sessions created (or, in a preview, that would be).
    pub session_count: i32,
    /// Dates left out under SKIP.
    pub skipped_dates: Vec<LocalDate>,
    /// Why this series generated nothing (its other series still did).
    pub refusal: Option<UserError>,
    /// Enrolled students its new sessions had no seat left for.
    pub unplaced: Vec<super::series::Unplaced>,
}

/// Result of `generateTerm`.
#[derive(SimpleObject, Default)]
pub struct GenerateTermPayload {
    /// Per series, in id order.
    pub series: Vec<TermSeries>,
    /// Sessions created in all.
    pub session_count: i32,
    /// Every conflict found.
    pub conflicts: Vec<Conflict>,
    /// What was wrong.
    pub user_errors: Vec<UserError>,
}

payloads!(GenerateTermPayload);

/// What `generateTerm` would do. Nothing is written.
#[derive(SimpleObject)]
pub struct TermPreview {
    /// Per series, in id order.
    pub series: Vec<TermSeries>,
    /// Sessions that would be created in all.
    pub session_count: i32,
    /// Every conflict found.
    pub conflicts: Vec<Conflict>,
}

/// The series ids asked for, or which one names nothing.
fn scope(ids: Option<&Vec<ID>>) -> std::result::Result<TermScope, UserError> {
    let Some(ids) = ids else {
        return Ok(TermScope::OnDemand);
    };
    ids.iter()
        .map(|id| {
            decode(Kind::ClassSeries, id)
                .map(ClassSeriesId::from_uuid)
                .ok_or_else(unknown_series)
        })
        .collect::<std::result::Result<_, _>>()
        .map(TermScope::Only)
}

fn unknown_series() -> UserError {
    FieldError::not_found("seriesIds", "class series").into()
}

fn per_series(term: &Term) -> (Vec<TermSeries>, i32, Vec<Conflict>) {
    let ghosts: HashSet<uuid::Uuid> = term.not_stored.iter().map(|id| id.uuid()).collect();
    let series = term
        .series
        .iter()
        .map(|s| TermSeries {
            series: ClassSeries(s.series.clone()),
            session_count: i32::try_from(s.sessions.len()).unwrap_or(i32::MAX),
            skipped_dates: s.skipped.iter().copied().map(LocalDate).collect(),
            refusal: s.refused.clone().map(UserError::from),
            unplaced: s
                .unplaced
                .iter()
                .map(|(session, student)| super::series::Unplaced {
                    session_id: crate::ids::encode(Kind::Session, *session),
                    student_id: crate::ids::encode(Kind::Student, *student),
                })
                .collect(),
        })
        .collect();
    let total = term.series.iter().map(|s| s.sessions.len()).sum::<usize>();
    (
        series,
        i32::try_from(total).unwrap_or(i32::MAX),
        to_conflicts(&term.conflicts, &ghosts, true),
    )
}

#[derive(Default)]
pub struct TermMutation;

#[Object]
impl TermMutation {
    /// Generates a whole term in one transaction: every ACTIVE series
    /// generated on demand (or `seriesIds`) through `through`, checked for
    /// conflicts against everything stored and against each other. Each
    /// series' conflict policy applies; a series refused (FAIL, not
    /// active, beyond the horizon) is reported and the others are written.
    /// Idempotent like `generateSessions`.
    async fn generate_term(
        &self,
        ctx: &Context<'_>,
        input: GenerateTermInput,
    ) -> Result<GenerateTermPayload> {
        authorize(ctx, Action::ManageSchool)?;
        let asked = match scope(input.series_ids.as_ref()) {
            Ok(s) => s,
            Err(e) => return refused(e),
        };
        mutation(ctx, async |tx, viewer| {
            let now = app(ctx).clock.now();
            let term = match service::generate_term(
                tx,
                viewer.school,
                asked.clone(),
                input.through.0,
                now,
            )
            .await
            {
                Ok(Some(term)) => term,
                Ok(None) => return Ok(Done::Refuse(unknown_series())),
                Err(e) if e.is_overlap() => {
                    return Ok(Done::refuse(scheduling::SessionError::Overlap));
                }
                Err(e) => return Err(internal(e)),
            };
            let (series, session_count, conflicts) = per_series(&term);
            let targets = term
                .series
                .iter()
                .filter(|s| !s.sessions.is_empty())
                .map(|s| (Kind::ClassSeries, s.series.id))
                .collect();
            Ok(Done::Commit(
                GenerateTermPayload {
                    series,
                    session_count,
                    conflicts,
                    user_errors: vec![],
                },
                targets,
            ))
        })
        .await
    }
}

#[derive(Default)]
pub struct TermQuery;

#[Object]
impl TermQuery {
    /// What `generateTerm` would create, with every conflict. Writes nothing.
    async fn preview_term(
        &self,
        ctx: &Context<'_>,
        through: LocalDate,
        series_ids: Option<Vec<ID>>,
    ) -> Result<TermPreview> {
        let viewer = authorize(ctx, Action::PreviewSchedule)?;
        let refusal = |e: UserError| bad_input("seriesIds", e.code, e.message);
        let asked = scope(series_ids.as_ref()).map_err(refusal)?;
        let app = app(ctx);
        let term = service::preview_term(
            app.db.conn(),
            viewer.school,
            asked.clone(),
            through.0,
            app.clock.now(),
        )
        .await
        .map_err(internal)?
        .ok_or_else(|| refusal(unknown_series()))?;
        let (series, session_count, conflicts) = per_series(&term);
        Ok(TermPreview {
            series,
            session_count,
            conflicts,
        })
    }
}
