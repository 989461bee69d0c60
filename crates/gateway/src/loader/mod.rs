//! Dataloaders, built per request and scoped to the viewer's school, so a
//! calendar of 200 sessions asks for its teachers, rooms and series in one
//! statement each instead of one per session.

mod allocations;
mod availability;
mod by_id;
mod by_session;
mod credit_entries;
mod credits;
mod freezes;
mod installments;
mod invoices;
mod material_accesses;
mod material_grants;
mod outlook;
mod payout_lines;
mod replacements;
mod requirements;
mod roles_by_teacher;
mod rooms_by_location;
mod staff_by_series;
mod subscriptions;
mod time_off;

pub use allocations::AllocationsByBooking;
pub use availability::AvailabilityByTeacher;
pub use by_id::ById;
pub use by_session::BySession;
pub use credit_entries::EntriesByCredit;
pub use credits::CreditsByStudent;
pub use freezes::FreezesBySubscription;
pub use installments::InstallmentsBySubscription;
pub use invoices::{LinesByInvoice, PaymentsByInvoice};
pub use material_accesses::AccessesByMaterial;
pub use material_grants::GrantsByMaterial;
pub use outlook::EquipmentOutlook;
pub use payout_lines::LinesByPayout;
pub use replacements::Replacements;
pub use requirements::RequirementsByOffering;
pub use roles_by_teacher::RolesByTeacher;
pub use rooms_by_location::RoomsByLocation;
pub use staff_by_series::StaffBySeries;
pub use subscriptions::SubscriptionsByStudent;
pub use time_off::TimeOffByTeacher;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use infra::entity::{
    attendance, booking, class_series, equipment as equipment_row, family, invoice, lead, location,
    offering, programme, room, session, staff_assignment, student, teacher, teaching_role, user,
    waitlist_entry,
};
use infra::{Db, InfraError};
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
    /// Sessions by id.
    pub sessions: DataLoader<ById<session::Entity>, HashMapCache>,
    /// Users by id.
    pub users: DataLoader<ById<user::Entity>, HashMapCache>,
    /// Bookings by session (every status).
    pub bookings: DataLoader<BySession<booking::Entity>, HashMapCache>,
    /// Waitlist entries by session, in line order.
    pub waitlist: DataLoader<BySession<waitlist_entry::Entity>, HashMapCache>,
    /// Attendance marks by session.
    pub attendance: DataLoader<BySession<attendance::Entity>, HashMapCache>,
    /// Staff assignments by session.
    pub staff: DataLoader<BySession<staff_assignment::Entity>, HashMapCache>,
    /// Bookings by id.
    pub booking_by_id: DataLoader<ById<booking::Entity>, HashMapCache>,
    /// Availability windows by teacher.
    pub availability: DataLoader<AvailabilityByTeacher, HashMapCache>,
    /// Rooms by location.
    pub rooms_by_location: DataLoader<RoomsByLocation, HashMapCache>,
    /// Teaching roles by id.
    pub teaching_roles: DataLoader<ById<teaching_role::Entity>, HashMapCache>,
    /// Teaching roles held, by teacher.
    pub roles_by_teacher: DataLoader<RolesByTeacher, HashMapCache>,
    /// Upcoming time off, by teacher.
    pub time_off: DataLoader<TimeOffByTeacher, HashMapCache>,
    /// Staff assignments, by class series.
    pub staff_by_series: DataLoader<StaffBySeries, HashMapCache>,
    /// The booking that replaced a rescheduled one, by the old booking's id.
    pub replacements: DataLoader<Replacements, HashMapCache>,
    /// Equipment pools by id.
    pub equipment: DataLoader<ById<equipment_row::Entity>, HashMapCache>,
    /// Offerings' equipment requirements.
    pub requirements: DataLoader<RequirementsByOffering, HashMapCache>,
    /// Bookings' equipment allocations.
    pub allocations: DataLoader<AllocationsByBooking, HashMapCache>,
    /// Sessions' equipment needs and units left.
    pub outlook: DataLoader<EquipmentOutlook, HashMapCache>,
    /// Materials' access rows.
    pub material_accesses: DataLoader<AccessesByMaterial, HashMapCache>,
    /// Materials' grants.
    pub material_grants: DataLoader<GrantsByMaterial, HashMapCache>,
    /// Programmes by id.
    pub programmes: DataLoader<ById<programme::Entity>, HashMapCache>,
    /// Leads by id.
    pub leads: DataLoader<ById<lead::Entity>, HashMapCache>,
    /// Subscriptions' freezes.
    pub freezes: DataLoader<FreezesBySubscription, HashMapCache>,
    /// Students' subscriptions.
    pub subscriptions: DataLoader<SubscriptionsByStudent, HashMapCache>,
    /// Subscriptions' installments.
    pub installments: DataLoader<InstallmentsBySubscription, HashMapCache>,
    /// Families by id.
    pub families: DataLoader<ById<family::Entity>, HashMapCache>,
    /// Make-up credits' ledger entries.
    pub credit_entries: DataLoader<EntriesByCredit, HashMapCache>,
    /// Students' make-up credits.
    pub credits: DataLoader<CreditsByStudent, HashMapCache>,
    /// Payouts' lines.
    pub payout_lines: DataLoader<LinesByPayout, HashMapCache>,
    /// The school's time zone, read once per request.
    zone: tokio::sync::OnceCell<kernel::TimeZone>,
    db: Db,
    school: SchoolId,
    /// Invoices by id.
    pub invoices: DataLoader<ById<invoice::Entity>, HashMapCache>,
    /// Invoices' lines.
    pub invoice_lines: DataLoader<LinesByInvoice, HashMapCache>,
    /// Invoices' payments.
    pub invoice_payments: DataLoader<PaymentsByInvoice, HashMapCache>,
}

impl Loaders {
    /// The school's date at `now`, in its own zone (the zone is read once
    /// per request): what "overdue" and "today" mean to the school.
    pub async fn school_today(
        &self,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<chrono::NaiveDate, InfraError> {
        let zone = self
            .zone
            .get_or_try_init(|| infra::booking::school_zone(self.db.conn(), self.school))
            .await?;
        Ok(zone.local_date(now))
    }

    /// Fresh loaders for one request in `school`, at `now`.
    pub fn new(db: &Db, school: SchoolId, now: chrono::DateTime<chrono::Utc>) -> Self {
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
            sessions: dl(ById::new(db, school)),
            bookings: dl(BySession::new(db, school)),
            staff: dl(BySession::new(db, school)),
            waitlist: dl(BySession::new(db, school)),
            attendance: dl(BySession::new(db, school)),
            booking_by_id: dl(ById::new(db, school)),
            availability: dl(AvailabilityByTeacher {
                db: db.clone(),
                school,
            }),
            rooms_by_location: dl(RoomsByLocation {
                db: db.clone(),
                school,
            }),
            teaching_roles: dl(ById::new(db, school)),
            roles_by_teacher: dl(RolesByTeacher {
                db: db.clone(),
                school,
            }),
            time_off: dl(TimeOffByTeacher {
                db: db.clone(),
                school,
                now,
            }),
            staff_by_series: dl(StaffBySeries {
                db: db.clone(),
                school,
            }),
            replacements: dl(Replacements {
                db: db.clone(),
                school,
            }),
            equipment: dl(ById::new(db, school)),
            requirements: dl(RequirementsByOffering {
                db: db.clone(),
                school,
            }),
            allocations: dl(AllocationsByBooking {
                db: db.clone(),
                school,
            }),
            material_accesses: dl(AccessesByMaterial {
                db: db.clone(),
                school,
            }),
            material_grants: dl(GrantsByMaterial {
                db: db.clone(),
                school,
            }),
            programmes: dl(ById::new(db, school)),
            leads: dl(ById::new(db, school)),
            freezes: dl(FreezesBySubscription {
                db: db.clone(),
                school,
            }),
            subscriptions: dl(SubscriptionsByStudent {
                db: db.clone(),
                school,
            }),
            installments: dl(InstallmentsBySubscription {
                db: db.clone(),
                school,
            }),
            families: dl(ById::new(db, school)),
            credit_entries: dl(EntriesByCredit {
                db: db.clone(),
                school,
            }),
            credits: dl(CreditsByStudent {
                db: db.clone(),
                school,
            }),
            payout_lines: dl(LinesByPayout {
                db: db.clone(),
                school,
            }),
            zone: tokio::sync::OnceCell::new(),
            db: db.clone(),
            school,
            invoices: dl(ById::new(db, school)),
            invoice_lines: dl(LinesByInvoice {
                db: db.clone(),
                school,
            }),
            invoice_payments: dl(PaymentsByInvoice {
                db: db.clone(),
                school,
            }),
            outlook: DataLoader::with_cache(
                EquipmentOutlook {
                    db: db.clone(),
                    school,
                },
                tokio::spawn,
                HashMapCache::default(),
            ),
        }
    }
}
