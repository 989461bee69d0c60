//! Learning materials: storing a checked upload, grants, the facts that
//! decide who sees what (`resources::material::visible` decides), and
//! access tracking.

use std::collections::{HashMap, HashSet};

use ::booking::enrolment::EnrolmentStatus;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use kernel::{MaterialId, SchoolId, StudentId, TeacherId, UserId};
use resources::material::{CheckedFile, MaterialKind, NewMaterial, Reach};
use sea_orm::sea_query::{Condition, Expr, ExprTrait, OnConflict, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use uuid::Uuid;

use crate::entity::{
    booking, class_series, enrolment, material, material_access, material_grant, session,
};
use crate::files::FileStore;
use crate::{Result, new_id};

/// The store key of a material's file: ids only, never a client's name.
pub fn key(school: SchoolId, id: Uuid) -> String {
    format!("{}/{}", school.uuid(), id)
}

/// Why a material could not be saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// The series is not the school's.
    UnknownSeries,
}

/// A material to record: its description and its checked file, already
/// stored under [`key`]`(school, id)`.
#[derive(Debug, Clone)]
pub struct Upload {
    /// The id its file was stored under.
    pub id: Uuid,
    /// What it is and who sees it.
    pub material: NewMaterial,
    /// The file's checked facts.
    pub file: CheckedFile,
}

/// Stores a file under a material's key, before the material's
/// transaction opens: a write transaction (on SQLite, every writer) never
/// waits for a file to be written. A failed transaction leaves the file
/// behind, named by no row; the caller deletes it.
pub async fn store_file(files: &FileStore, school: SchoolId, id: Uuid, bytes: Bytes) -> Result<()> {
    files.put(&key(school, id), bytes).await?;
    Ok(())
}

/// Records a material whose file is stored.
pub async fn create(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    by: UserId,
    upload: Upload,
    now: DateTime<Utc>,
) -> Result<std::result::Result<material::Model, Refused>> {
    let Upload {
        id,
        material: new,
        file,
    } = upload;
    if let Some(series) = new.series
        && crate::repo::find::<class_series::Entity>(tx, school, series.uuid())
            .await?
            .is_none()
    {
        return Ok(Err(Refused::UnknownSeries));
    }
    Ok(Ok(material::ActiveModel {
        id: Set(id),
        school_id: Set(school.uuid()),
        title: Set(new.title),
        kind: Set(new.kind.as_str().to_owned()),
        visibility: Set(new.visibility.as_str().to_owned()),
        series_id: Set(new.series.map(|s| s.uuid())),
        file_name: Set(file.name),
        content_type: Set(file.content_type),
        size_bytes: Set(file.size as i64),
        storage_key: Set(key(school, id)),
        release_at: Set(new.release_at),
        expires_at: Set(new.expires_at),
        uploaded_by: Set(by.uuid()),
        created_at: Set(now),
    }
    .insert(tx)
    .await?))
}

/// Grants a material to students (granting twice is harmless). `Err(i)`
/// when the `i`th student is not the school's.
pub async fn grant(
    tx: &impl ConnectionTrait,
    school: SchoolId,
    material: MaterialId,
    students: &[StudentId],
    by: UserId,
    now: DateTime<Utc>,
) -> Result<std::result::Result<(), usize>> {
    let known = crate::repo::by_ids::<crate::entity::student::Entity>(
        tx,
        school,
        students.iter().map(|s| s.uuid()),
    )
    .await?;
    if let Some(i) = students.iter().position(|s| !known.contains_key(&s.uuid())) {
        return Ok(Err(i));
    }
    let rows: Vec<material_grant::ActiveModel> = students
        .iter()
        .collect::<HashSet<_>>()
        .into_iter()
        .map(|s| material_grant::ActiveModel {
            id: Set(new_id()),
            school_id: Set(school.uuid()),
            material_id: Set(material.uuid()),
            student_id: Set(s.uuid()),
            granted_by: Set(by.uuid()),
            granted_at: Set(now),
        })
        .collect();
    if rows.is_empty() {
        return Ok(Ok(()));
    }
    material_grant::Entity::insert_many(rows)
        .on_conflict_do_nothing_on([
            material_grant::Column::MaterialId,
            material_grant::Column::StudentId,
        ])
        .exec(tx)
        .await?;
    Ok(Ok(()))
}

/// Which filter a list of materials applies.
#[derive(Debug, Clone, Copy, Default)]
pub struct Filter {
    /// Only this series' materials.
    pub series: Option<Uuid>,
    /// Only this kind.
    pub kind: Option<MaterialKind>,
}

/// The school's materials, newest first.
pub async fn list(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    filter: Filter,
) -> Result<Vec<material::Model>> {
    let mut q = material::Entity::find().filter(material::Column::SchoolId.eq(school.uuid()));
    if let Some(s) = filter.series {
        q = q.filter(material::Column::SeriesId.eq(s));
    }
    if let Some(k) = filter.kind {
        q = q.filter(material::Column::Kind.eq(k.as_str()));
    }
    Ok(q.order_by_desc(material::Column::CreatedAt)
        .order_by_desc(material::Column::Id)
        .all(conn)
        .await?)
}

/// What a viewer is to the school's materials: the materials granted to
/// one of their students, the series one of those students is in (an
/// active or paused place, a booking in one of its sessions, or its 1-on-1
/// lessons), and the series they teach. At most four statements.
#[derive(Debug, Clone, Default)]
pub struct Relations {
    /// Materials granted to one of the students.
    pub granted: HashSet<Uuid>,
    /// Series one of the students is in.
    pub groups: HashSet<Uuid>,
    /// Series the viewer teaches.
    pub taught: HashSet<Uuid>,
}

impl Relations {
    /// The viewer's reach to one material (`office`: admin or staff;
    /// `user`: the viewer, who may have uploaded it).
    pub fn reach(&self, office: bool, user: UserId, m: &material::Model) -> Reach {
        Reach {
            office,
            uploader: m.uploaded_by == user.uuid(),
            teaches: m.series_id.is_some_and(|s| self.taught.contains(&s)),
            granted: self.granted.contains(&m.id),
            in_group: m.series_id.is_some_and(|s| self.groups.contains(&s)),
        }
    }
}

/// Loads [`Relations`] for these students.
pub async fn relations(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    students: &[StudentId],
    teacher: Option<TeacherId>,
) -> Result<Relations> {
    let taught: HashSet<Uuid> = match teacher {
        Some(t) => class_series::Entity::find()
            .select_only()
            .column(class_series::Column::Id)
            .filter(class_series::Column::SchoolId.eq(school.uuid()))
            .filter(class_series::Column::TeacherId.eq(t.uuid()))
            .into_tuple::<Uuid>()
            .all(conn)
            .await?
            .into_iter()
            .collect(),
        None => HashSet::new(),
    };
    if students.is_empty() {
        return Ok(Relations {
            taught,
            ..Relations::default()
        });
    }
    let ids = || students.iter().map(|s| s.uuid());
    let granted: Vec<Uuid> = material_grant::Entity::find()
        .select_only()
        .column(material_grant::Column::MaterialId)
        .filter(material_grant::Column::SchoolId.eq(school.uuid()))
        .filter(material_grant::Column::StudentId.is_in(ids()))
        .into_tuple()
        .all(conn)
        .await?;
    let enrolled: Vec<Uuid> = enrolment::Entity::find()
        .select_only()
        .column(enrolment::Column::SeriesId)
        .filter(enrolment::Column::SchoolId.eq(school.uuid()))
        .filter(enrolment::Column::StudentId.is_in(ids()))
        .filter(enrolment::Column::Status.is_in([
            EnrolmentStatus::Active.as_str(),
            EnrolmentStatus::Paused.as_str(),
        ]))
        .into_tuple()
        .all(conn)
        .await?;
    let booked_sessions = Query::select()
        .column(booking::Column::SessionId)
        .from(booking::Entity)
        .and_where(booking::Column::SchoolId.eq(school.uuid()))
        .and_where(booking::Column::StudentId.is_in(ids()))
        .and_where(booking::Column::Status.is_in(crate::booking::rows::on_roster_or_pending()))
        .and_where(booking::Column::SessionId.is_not_null())
        .to_owned();
    let booked: Vec<Option<Uuid>> = session::Entity::find()
        .select_only()
        .column(session::Column::SeriesId)
        .distinct()
        .filter(session::Column::SchoolId.eq(school.uuid()))
        .filter(
            Condition::any()
                .add(session::Column::Id.in_subquery(booked_sessions))
                // A 1-on-1 series' lessons belong to their student.
                .add(session::Column::StudentId.is_in(ids())),
        )
        .into_tuple()
        .all(conn)
        .await?;
    Ok(Relations {
        taught,
        granted: granted.into_iter().collect(),
        groups: enrolled
            .into_iter()
            .chain(booked.into_iter().flatten())
            .collect(),
    })
}

/// Counts one access of a student to a material (an atomic upsert: two
/// downloads at once count two).
pub async fn record_access(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    material: Uuid,
    student: StudentId,
    now: DateTime<Utc>,
) -> Result<()> {
    material_access::Entity::insert(material_access::ActiveModel {
        id: Set(new_id()),
        school_id: Set(school.uuid()),
        material_id: Set(material),
        student_id: Set(student.uuid()),
        access_count: Set(1),
        first_accessed_at: Set(now),
        last_accessed_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([
            material_access::Column::MaterialId,
            material_access::Column::StudentId,
        ])
        .value(
            material_access::Column::AccessCount,
            Expr::col((
                material_access::Entity,
                material_access::Column::AccessCount,
            ))
            .add(1),
        )
        .value(material_access::Column::LastAccessedAt, now)
        .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// Access rows of these materials, most recent first, by material.
pub async fn accesses(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    materials: impl IntoIterator<Item = Uuid>,
) -> Result<HashMap<Uuid, Vec<material_access::Model>>> {
    crate::repo::grouped::<material_access::Entity>(
        conn,
        school,
        material_access::Column::MaterialId,
        |r| r.material_id,
        materials,
        (
            material_access::Column::LastAccessedAt,
            sea_orm::Order::Desc,
        ),
    )
    .await
}

/// Grants of these materials, by material.
pub async fn grants(
    conn: &impl ConnectionTrait,
    school: SchoolId,
    materials: impl IntoIterator<Item = Uuid>,
) -> Result<HashMap<Uuid, Vec<material_grant::Model>>> {
    crate::repo::grouped::<material_grant::Entity>(
        conn,
        school,
        material_grant::Column::MaterialId,
        |r| r.material_id,
        materials,
        (material_grant::Column::GrantedAt, sea_orm::Order::Asc),
    )
    .await
}
