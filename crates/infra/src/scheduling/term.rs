//! Generating a whole term at once (issue #15): every active ON_DEMAND series
//! of the school, or the listed ones, through one date, in one transaction.
//!
//! Reads do not grow with the number of series: the series, their
//! existing dates, staff and standing places are each one statement, and
//! the conflict context is one load for everyone involved
//! ([`super::context::load`]). Conflicts are found by one sweep over every
//! planned session (so two series of the term that clash find each other)
//! and each series' own policy then decides: SKIP and MARK as for one
//! series; FAIL refuses that series alone, which is reported and writes
//! nothing of it. Sessions are written with multi-row inserts, staff copied
//! in one batch, watermarks moved by one UPDATE.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use kernel::{ClassSeriesId, RoomId, SchoolId, SessionId, TeacherId};
use scheduling::conflict::{self, Conflict, Slot};
use scheduling::generation::{self, GenerationError};
use scheduling::{ConflictPolicy, Occurrence};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use uuid::Uuid;

use super::context::{self, Involved};
use super::{hybrid_of, policy_of, schedule_of, session_row, status_of};
use crate::entity::{class_series, enrolment, session, staff_assignment};
use crate::{Result, new_id};

/// What one series of the term got.
#[derive(Debug, Clone)]
pub struct TermSeries {
    /// The series (with its new watermark once generated).
    pub series: class_series::Model,
    /// Sessions planned (preview) or created (generation).
    pub sessions: Vec<session::Model>,
    /// Dates left out under SKIP.
    pub skipped: Vec<NaiveDate>,
    /// Why the series generated nothing (not active, beyond the horizon, a
    /// rule that cannot expand, conflicts under FAIL).
    pub refused: Option<GenerationError>,
    /// (session, student) pairs of enrolled students who found no seat.
    pub unplaced: Vec<(Uuid, Uuid)>,
}

/// A term's generation (or its preview).
#[derive(Debug, Clone, Default)]
pub struct Term {
    /// Per series, in id order.
    pub series: Vec<TermSeries>,
    /// Every conflict found.
    pub conflicts: Vec<Conflict>,
    /// Planned ids not stored (skipped, refused, or a preview's).
    pub not_stored: HashSet<SessionId>,
}

/// Which series a term covers.
#[derive(Debug, Clone)]
pub enum TermScope {
    /// Every ACTIVE series generated on demand.
    OnDemand,
    /// Every ACTIVE series kept generated ahead (the ADVANCE job).
    Advance,
    /// These series (checked to be the school's).
    Only(Vec<ClassSeriesId>),
}

/// Plans the term without writing (or locking): what `generate_term` would
/// create. `Ok(None)` when a listed series is not the school's.
pub async fn preview_term(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    scope: TermScope,
    through: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Option<Term>> {
    let Some((mut term, _)) = plan(conn, school, scope, through, now, false).await? else {
        return Ok(None);
    };
    for s in &term.series {
        term.not_stored
            .extend(s.sessions.iter().map(|x| SessionId::from_uuid(x.id)));
    }
    Ok(Some(term))
}

/// Generates the term in `tx`; the series rows are locked (PostgreSQL), in
/// id order, like every other generation. `Ok(None)` when a listed series
/// is not the school's (nothing is planned then).
pub async fn generate_term(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    scope: TermScope,
    through: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Option<Term>> {
    let Some((mut term, places)) = plan(tx, school, scope, through, now, true).await? else {
        return Ok(None);
    };
    let created: Vec<session::Model> = term
        .series
        .iter()
        .flat_map(|s| s.sessions.iter().cloned())
        .collect();
    // Rows a statement within the backend's bound-parameter limit (32,766
    // on SQLite, 65,535 on PostgreSQL) at up to 40 columns a row (27 now).
    let per_statement = match tx.get_database_backend() {
        sea_orm::DatabaseBackend::Postgres => 1_600,
        _ => 800,
    };
    for chunk in created.chunks(per_statement) {
        session::Entity::insert_many(
            chunk
                .iter()
                .cloned()
                .map(IntoActiveModel::into_active_model),
        )
        .exec(tx)
        .await?;
    }
    // The series' staff, copied to their new sessions in one batch.
    let generated: Vec<Uuid> = term
        .series
        .iter()
        .filter(|s| s.refused.is_none())
        .map(|s| s.series.id)
        .collect();
    let staff = series_staff(tx, school, &generated).await?;
    let rows: Vec<staff_assignment::ActiveModel> = created
        .iter()
        .flat_map(|s| {
            staff
                .get(&s.series_id.unwrap_or_default())
                .into_iter()
                .flatten()
                .map(move |(teacher, kind)| staff_assignment::ActiveModel {
                    id: Set(new_id()),
                    school_id: Set(school.uuid()),
                    series_id: Set(None),
                    session_id: Set(Some(s.id)),
                    teacher_id: Set(*teacher),
                    kind: Set(kind.clone()),
                })
        })
        .collect();
    for chunk in rows.chunks(500) {
        staff_assignment::Entity::insert_many(chunk.to_vec())
            .exec(tx)
            .await?;
    }
    // Standing places fill the new sessions (only where someone is
    // enrolled). Every pool they may take is locked first, in one id
    // order, so placing series after series never takes pools out of order
    // against a concurrent booking.
    let enrolled: std::collections::HashSet<uuid::Uuid> =
        places.iter().map(|e| e.series_id).collect();
    let offerings: std::collections::BTreeSet<uuid::Uuid> = term
        .series
        .iter()
        .filter(|s| enrolled.contains(&s.series.id) && !s.sessions.is_empty())
        .map(|s| s.series.offering_id)
        .collect();
    if !offerings.is_empty() {
        crate::equipment::lock_for_offerings(tx, school, offerings).await?;
    }
    for s in &mut term.series {
        let placed =
            crate::booking::enrolment::place(tx, school, &s.series, &s.sessions, &places, now)
                .await?;
        s.unplaced = placed.unplaced.clone();
        for session in &mut s.sessions {
            session.seats_taken += placed
                .booked
                .iter()
                .filter(|b| b.session_id == Some(session.id))
                .map(|b| b.seats)
                .sum::<i32>();
        }
    }
    // One UPDATE moves every generated series' watermark (never back).
    if !generated.is_empty() {
        for chunk in generated.chunks(500) {
            class_series::Entity::update_many()
                .col_expr(
                    class_series::Column::LastGeneratedThrough,
                    Expr::value(through),
                )
                .filter(class_series::Column::Id.is_in(chunk.to_vec()))
                .filter(
                    Condition::any()
                        .add(class_series::Column::LastGeneratedThrough.is_null())
                        .add(class_series::Column::LastGeneratedThrough.lt(through)),
                )
                .exec(tx)
                .await?;
        }
        for s in &mut term.series {
            if s.refused.is_none() {
                s.series.last_generated_through = Some(
                    s.series
                        .last_generated_through
                        .map_or(through, |w| w.max(through)),
                );
            }
        }
    }
    Ok(Some(term))
}

/// Loads and decides the term; returns it with the standing places read.
async fn plan(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    scope: TermScope,
    through: NaiveDate,
    now: DateTime<Utc>,
    lock: bool,
) -> Result<Option<(Term, Vec<enrolment::Model>)>> {
    let mut find =
        class_series::Entity::find().filter(class_series::Column::SchoolId.eq(school.uuid()));
    find = match &scope {
        TermScope::OnDemand | TermScope::Advance => find
            .filter(class_series::Column::Status.eq(scheduling::SeriesStatus::Active.as_str()))
            .filter(class_series::Column::GenerationMode.eq(match scope {
                TermScope::Advance => scheduling::GenerationMode::Advance.as_str(),
                _ => scheduling::GenerationMode::OnDemand.as_str(),
            })),
        TermScope::Only(ids) => {
            find.filter(class_series::Column::Id.is_in(ids.iter().map(|i| i.uuid())))
        }
    };
    let find = find.order_by_asc(class_series::Column::Id);
    let found: Vec<class_series::Model> = if lock {
        find.lock_exclusive().all(conn).await?
    } else {
        find.all(conn).await?
    };
    if let TermScope::Only(ids) = &scope {
        let got: HashSet<Uuid> = found.iter().map(|s| s.id).collect();
        if ids.iter().any(|id| !got.contains(&id.uuid())) {
            return Ok(None);
        }
    }
    // A series whose stored row does not parse is left out and logged, so
    // one corrupt row does not stop the school's whole term.
    let mut all = Vec::with_capacity(found.len());
    for series in found {
        let ok = schedule_of(&series)
            .and_then(|_| status_of(&series))
            .and_then(|_| policy_of(&series))
            .and_then(|_| hybrid_of(&series));
        match ok {
            Ok(_) => all.push(series),
            Err(e) => {
                tracing::error!(series = %series.id, error = %e, "series with a corrupt row left out of the term")
            }
        }
    }
    let ids: Vec<Uuid> = all.iter().map(|s| s.id).collect();
    let existing = existing_dates(conn, school, &ids).await?;
    let places = crate::booking::enrolment::active_places(conn, school, &ids).await?;
    let staff = series_staff(conn, school, &ids).await?;

    // Each series' new occurrences, or why it has none.
    let mut term = Term::default();
    let mut planned: Vec<(usize, SessionId, Occurrence)> = Vec::new();
    let mut whos: Vec<Involved> = Vec::new();
    let mut zones: Vec<kernel::TimeZone> = Vec::new();
    for (i, series) in all.iter().enumerate() {
        let schedule = schedule_of(series)?;
        zones.push(schedule.zone());
        let today = schedule.zone().local_date(now);
        let dates = existing.get(&series.id).cloned().unwrap_or_default();
        let mut students: Vec<Uuid> = series.student_id.into_iter().collect();
        students.extend(
            places
                .iter()
                .filter(|e| e.series_id == series.id)
                .map(|e| e.student_id),
        );
        whos.push(Involved {
            teacher: series.teacher_id,
            staff: staff
                .get(&series.id)
                .into_iter()
                .flatten()
                .map(|(t, _)| *t)
                .collect(),
            room: series.room_id,
            students,
            offering: Some(series.offering_id),
        });
        let refused = match generation::plan(
            &schedule,
            status_of(series)?,
            series.last_generated_through,
            &dates,
            through,
            today,
        ) {
            Ok(occurrences) => {
                planned.extend(occurrences.into_iter().map(|o| (i, new_id(), o)));
                None
            }
            Err(e) => Some(e),
        };
        term.series.push(TermSeries {
            series: series.clone(),
            sessions: Vec::new(),
            skipped: Vec::new(),
            refused,
            unplaced: Vec::new(),
        });
    }
    if planned.is_empty() {
        return Ok(Some((term, places)));
    }

    // One sweep over every planned session of the term.
    let window = (
        planned
            .iter()
            .map(|(_, _, o)| o.starts_at)
            .min()
            .expect("non-empty"),
        planned
            .iter()
            .map(|(_, _, o)| o.ends_at)
            .max()
            .expect("non-empty"),
    );
    let (stored, ctx) = context::load(conn, school, &whos, window, &HashSet::new()).await?;
    let slots: Vec<Slot> = planned
        .iter()
        .map(|(i, id, o)| {
            let series = &all[*i];
            let mut slot = Slot {
                id: *id,
                starts_at: o.starts_at,
                ends_at: o.ends_at,
                zone: zones[*i],
                teacher: series.teacher_id.map(TeacherId::from_uuid),
                room: series.room_id.map(RoomId::from_uuid),
                students: Vec::new(),
                capacity: series.capacity.max(0) as u32,
                staff: Vec::new(),
                offering: None,
            };
            whos[*i].fill(&mut slot);
            slot
        })
        .collect();
    let found = conflict::detect(&slots, &stored, &ctx);

    // Each series' policy decides over its own occurrences, in id order, as
    // if the series were generated one after another: a series sees the
    // sessions earlier series of the term created, never ones they left out
    // or later series may still leave out (so nothing stored names a
    // session that will not exist).
    let owner: HashMap<SessionId, usize> = planned.iter().map(|(i, id, _)| (*id, *i)).collect();
    type Planned = (Vec<(SessionId, Occurrence)>, Vec<Vec<Conflict>>);
    let mut by_series: Vec<Planned> = vec![(Vec::new(), Vec::new()); all.len()];
    for ((i, id, o), conflicts) in planned.into_iter().zip(found) {
        term.not_stored.insert(id);
        by_series[i].0.push((id, o));
        by_series[i].1.push(conflicts);
    }
    let mut accepted: HashSet<SessionId> = HashSet::new();
    for (i, (occurrences, conflicts)) in by_series.into_iter().enumerate() {
        let entry = &mut term.series[i];
        if entry.refused.is_some() || occurrences.is_empty() {
            continue;
        }
        let conflicts: Vec<Vec<Conflict>> = conflicts
            .into_iter()
            .map(|found| {
                found
                    .into_iter()
                    .filter(
                        |c| match c.other.and_then(|o| owner.get(&o).map(|j| (o, *j))) {
                            None => true,
                            Some((_, j)) if j == i => true,
                            Some((o, j)) => j < i && accepted.contains(&o),
                        },
                    )
                    .collect()
            })
            .collect();
        let policy: ConflictPolicy = policy_of(&entry.series)?;
        match generation::apply_policy(policy, occurrences, conflicts) {
            Err(e) => {
                if let GenerationError::Conflicts(found) = &e {
                    term.conflicts.extend(found.iter().cloned());
                }
                entry.refused = Some(e);
            }
            Ok(outcome) => {
                term.conflicts.extend(outcome.conflicts);
                entry.skipped = outcome.skipped;
                let hybrid = hybrid_of(&entry.series)?;
                for decided in outcome.create {
                    term.not_stored.remove(&decided.id);
                    accepted.insert(decided.id);
                    entry.sessions.push(session_row(
                        &entry.series,
                        decided.id,
                        &decided.occurrence,
                        &decided.conflicts,
                        hybrid.as_ref(),
                        now,
                    ));
                }
            }
        }
    }
    Ok(Some((term, places)))
}

/// The occurrence dates each series already has: one statement.
async fn existing_dates(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    series: &[Uuid],
) -> Result<HashMap<Uuid, BTreeSet<NaiveDate>>> {
    let mut out: HashMap<Uuid, BTreeSet<NaiveDate>> = HashMap::new();
    for chunk in series.chunks(1000) {
        let rows: Vec<(Option<Uuid>, NaiveDate)> = session::Entity::find()
            .select_only()
            .column(session::Column::SeriesId)
            .column(session::Column::OccurrenceDate)
            .filter(session::Column::SchoolId.eq(school.uuid()))
            .filter(session::Column::SeriesId.is_in(chunk.to_vec()))
            .into_tuple()
            .all(conn)
            .await?;
        for (s, d) in rows {
            if let Some(s) = s {
                out.entry(s).or_default().insert(d);
            }
        }
    }
    Ok(out)
}

/// Each series' own staff (teacher, kind): one statement.
async fn series_staff(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    series: &[Uuid],
) -> Result<HashMap<Uuid, Vec<(Uuid, String)>>> {
    let mut out: HashMap<Uuid, Vec<(Uuid, String)>> = HashMap::new();
    if series.is_empty() {
        return Ok(out);
    }
    for chunk in series.chunks(1000) {
        let rows: Vec<(Option<Uuid>, Uuid, String)> = staff_assignment::Entity::find()
            .select_only()
            .column(staff_assignment::Column::SeriesId)
            .column(staff_assignment::Column::TeacherId)
            .column(staff_assignment::Column::Kind)
            .filter(staff_assignment::Column::SchoolId.eq(school.uuid()))
            .filter(staff_assignment::Column::SeriesId.is_in(chunk.to_vec()))
            .into_tuple()
            .all(conn)
            .await?;
        for (s, t, k) in rows {
            if let Some(s) = s {
                out.entry(s).or_default().push((t, k));
            }
        }
    }
    Ok(out)
}
