//! Resources over GraphQL: equipment pools, offerings' requirements,
//! maintenance, what sessions and bookings hold, and learning materials.

pub(crate) mod equipment;

pub use equipment::{
    Equipment, EquipmentAllocation, EquipmentMutation, EquipmentNeed, EquipmentQuery,
    OfferingRequirement,
};
