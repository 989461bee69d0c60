//! Learning materials: the file's facts and where it is stored (the bytes
//! live in the object store, never in the database), release and expiry,
//! visibility; grants to students (PRIVATE); and access tracking, one row
//! per material and student, counted by an atomic upsert.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Schools {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Students {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Materials {
    Table,
    Id,
    SchoolId,
    Title,
    Kind,
    Visibility,
    SeriesId,
    FileName,
    ContentType,
    SizeBytes,
    StorageKey,
    ReleaseAt,
    ExpiresAt,
    UploadedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum MaterialGrants {
    Table,
    Id,
    SchoolId,
    MaterialId,
    StudentId,
    GrantedBy,
    GrantedAt,
}

#[derive(DeriveIden)]
enum MaterialAccesses {
    Table,
    Id,
    SchoolId,
    MaterialId,
    StudentId,
    AccessCount,
    FirstAccessedAt,
    LastAccessedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Materials::Table)
                    .col(pk_uuid(Materials::Id))
                    .col(uuid(Materials::SchoolId))
                    .col(string(Materials::Title))
                    .col(string(Materials::Kind))
                    .col(string(Materials::Visibility))
                    .col(uuid_null(Materials::SeriesId))
                    .col(string(Materials::FileName))
                    .col(string(Materials::ContentType))
                    .col(big_integer(Materials::SizeBytes))
                    .col(string(Materials::StorageKey))
                    .col(timestamp_with_time_zone_null(Materials::ReleaseAt))
                    .col(timestamp_with_time_zone_null(Materials::ExpiresAt))
                    .col(uuid(Materials::UploadedBy))
                    .col(timestamp_with_time_zone(Materials::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Materials::Table, Materials::SchoolId)
                            .to(Schools::Table, Schools::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_materials_school_created")
                    .table(Materials::Table)
                    .col(Materials::SchoolId)
                    .col(Materials::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(MaterialGrants::Table)
                    .col(pk_uuid(MaterialGrants::Id))
                    .col(uuid(MaterialGrants::SchoolId))
                    .col(uuid(MaterialGrants::MaterialId))
                    .col(uuid(MaterialGrants::StudentId))
                    .col(uuid(MaterialGrants::GrantedBy))
                    .col(timestamp_with_time_zone(MaterialGrants::GrantedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(MaterialGrants::Table, MaterialGrants::MaterialId)
                            .to(Materials::Table, Materials::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(MaterialGrants::Table, MaterialGrants::StudentId)
                            .to(Students::Table, Students::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_material_grants")
                    .table(MaterialGrants::Table)
                    .col(MaterialGrants::MaterialId)
                    .col(MaterialGrants::StudentId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(MaterialAccesses::Table)
                    .col(pk_uuid(MaterialAccesses::Id))
                    .col(uuid(MaterialAccesses::SchoolId))
                    .col(uuid(MaterialAccesses::MaterialId))
                    .col(uuid(MaterialAccesses::StudentId))
                    .col(integer(MaterialAccesses::AccessCount))
                    .col(timestamp_with_time_zone(MaterialAccesses::FirstAccessedAt))
                    .col(timestamp_with_time_zone(MaterialAccesses::LastAccessedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(MaterialAccesses::Table, MaterialAccesses::MaterialId)
                            .to(Materials::Table, Materials::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // The upsert that counts an access conflicts on this key.
        manager
            .create_index(
                Index::create()
                    .name("uq_material_accesses")
                    .table(MaterialAccesses::Table)
                    .col(MaterialAccesses::MaterialId)
                    .col(MaterialAccesses::StudentId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(MaterialAccesses::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(MaterialGrants::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Materials::Table).to_owned())
            .await?;
        Ok(())
    }
}
