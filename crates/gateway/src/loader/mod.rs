//! Dataloaders, built per request and scoped to the viewer's school, so a
//! calendar of 200 sessions asks for its teachers, rooms and series in one
//! statement each instead of one per session.

mod availability;
mod by_id;
mod rooms_by_location;

pub use availability::AvailabilityByTeacher;
pub use by_id::ById;
pub use rooms_by_location::RoomsByLocation;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use infra::Db;
use infra::entity::{class_series, location, offering, room, student, teacher, user};
use kernel::SchoolId;
use uuid::Uuid;

/// Every loader of one request.
pub struct Loaders {
    /// Teachers by id.
    pub teachers: DataLoader<ById<teacher::Entity>, HashMapCache>,
    /// Rooms by id.
    pub rooms: DataLoader<ById<room::Entity>, HashMapCache>,
    /// Locations by id.
    pub locations: DataLoader<ById<location::Entity>, HashMapCache>,
    /// Students by id.
    pub students: DataLoader<ById<student::Entity>, HashMapCache>,
    /// Offerings by id.
    pub offerings: DataLoader<ById<offering::Entity>, HashMapCache>,
    /// Class series by id.
    pub series: DataLoader<ById<class_series::Entity>, HashMapCache>,
    /// Users by id.
    pub users: DataLoader<ById<user::Entity>, HashMapCache>,
    /// Availability windows by teacher.
    pub availability: DataLoader<AvailabilityByTeacher, HashMapCache>,
    /// Rooms by location.
    pub rooms_by_location: DataLoader<RoomsByLocation, HashMapCache>,
}

impl Loaders {
    /// Fresh loaders for one request in `school`.
    pub fn new(db: &Db, school: SchoolId) -> Self {
        // Cached per request: a teacher of 50 sessions is loaded once, and
        // priming with `load_many` (see the calendar) fills the cache.
        fn dl<L: Loader<Uuid>>(loader: L) -> DataLoader<L, HashMapCache> {
            DataLoader::with_cache(loader, tokio::spawn, HashMapCache::default())
        }
        Self {
            teachers: dl(ById::new(db, school)),
            rooms: dl(ById::new(db, school)),
            locations: dl(ById::new(db, school)),
            students: dl(ById::new(db, school)),
            offerings: dl(ById::new(db, school)),
            series: dl(ById::new(db, school)),
            users: dl(ById::new(db, school)),
            availability: dl(AvailabilityByTeacher {
                db: db.clone(),
                school,
            }),
            rooms_by_location: dl(RoomsByLocation {
                db: db.clone(),
                school,
            }),
        }
    }
}
