//! Resources over GraphQL: equipment pools, offerings' requirements,
//! maintenance, what sessions and bookings hold, and learning materials.

pub(crate) mod equipment;
pub(crate) mod materials;

pub use equipment::{
    Equipment, EquipmentAllocation, EquipmentMutation, EquipmentNeed, EquipmentQuery,
    OfferingRequirement,
};
pub use materials::{Material, MaterialMutation, MaterialQuery};
