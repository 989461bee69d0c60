//! Equipment pools, what offerings require of them, and maintenance:
//! validated at the edge of the domain (parse, don't validate).

use chrono::{DateTime, Utc};
use kernel::EquipmentId;
use kernel::text::{TextError, required_text};

/// The most units one pool may hold; beyond it, input is a typo.
pub const MAX_QUANTITY: i64 = 1_000_000;
/// The most units one student may need of one pool.
pub const MAX_PER_STUDENT: i64 = 10_000;
/// The most pools one offering may require.
pub const MAX_REQUIREMENTS: usize = 20;

/// A validated new pool of identical equipment at a location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EquipmentSpec {
    /// Display name ("Potter's wheel").
    pub name: String,
    /// Units in all.
    pub quantity: u32,
    /// Used up by a booking (clay) rather than handed back (a wheel).
    pub consumable: bool,
    /// The unit a quantity counts ("kg"), if not pieces.
    pub unit: Option<String>,
}

/// Why equipment was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EquipmentError {
    /// The name.
    #[error("{0}")]
    Name(TextError),
    /// The unit's name.
    #[error("unit: {0}")]
    Unit(TextError),
    /// The quantity is out of range.
    #[error("quantity must be between 1 and {MAX_QUANTITY}, got {0}")]
    Quantity(i64),
}

impl EquipmentSpec {
    /// Validates a pool: a name and at least one unit.
    pub fn parse(
        name: &str,
        quantity: i64,
        consumable: bool,
        unit: Option<&str>,
    ) -> Result<Self, EquipmentError> {
        let name = required_text(name).map_err(EquipmentError::Name)?;
        let unit = match unit.map(str::trim).filter(|u| !u.is_empty()) {
            Some(u) => Some(required_text(u).map_err(EquipmentError::Unit)?),
            None => None,
        };
        if !(1..=MAX_QUANTITY).contains(&quantity) {
            return Err(EquipmentError::Quantity(quantity));
        }
        Ok(Self {
            name,
            quantity: quantity as u32,
            consumable,
            unit,
        })
    }
}

/// What one student of an offering needs of one pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Requirement {
    /// The pool.
    pub equipment: EquipmentId,
    /// Units per student (per seat: guests need theirs too).
    pub per_student: u32,
}

/// Why an offering's requirements were refused; `index` is the item's
/// place in the list given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RequirementError {
    /// A quantity out of range.
    #[error("the quantity must be between {least} and {MAX_PER_STUDENT}, got {got}")]
    PerStudent {
        /// The item.
        index: usize,
        /// What was given.
        got: i64,
        /// The least allowed (1 per student; 0 for a booking's own units).
        least: i64,
    },
    /// The same equipment named twice.
    #[error("each equipment may be named once; give one item with the total per student")]
    Repeated {
        /// The second mention.
        index: usize,
    },
    /// Too many items.
    #[error("an offering may require at most {MAX_REQUIREMENTS} kinds of equipment")]
    TooMany,
}

/// Validates an offering's requirements (the whole list replaces the old
/// one; an empty list requires nothing).
pub fn parse_requirements(
    items: &[(EquipmentId, i64)],
) -> Result<Vec<Requirement>, RequirementError> {
    Ok(quantities(items, 1)?
        .into_iter()
        .map(|(equipment, per_student)| Requirement {
            equipment,
            per_student,
        })
        .collect())
}

/// Validates the units a booking should hold of some pools (0 gives a
/// pool back: a student who brings their own tools).
pub fn parse_booking_quantities(
    items: &[(EquipmentId, i64)],
) -> Result<Vec<(EquipmentId, u32)>, RequirementError> {
    quantities(items, 0)
}

fn quantities(
    items: &[(EquipmentId, i64)],
    least: i64,
) -> Result<Vec<(EquipmentId, u32)>, RequirementError> {
    if items.len() > MAX_REQUIREMENTS {
        return Err(RequirementError::TooMany);
    }
    let mut out: Vec<(EquipmentId, u32)> = Vec::with_capacity(items.len());
    for (index, &(equipment, n)) in items.iter().enumerate() {
        if !(least..=MAX_PER_STUDENT).contains(&n) {
            return Err(RequirementError::PerStudent {
                index,
                got: n,
                least,
            });
        }
        if out.iter().any(|(e, _)| *e == equipment) {
            return Err(RequirementError::Repeated { index });
        }
        out.push((equipment, n as u32));
    }
    Ok(out)
}

/// A validated maintenance block: units out of use over a time range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MaintenanceBlock {
    /// Units out.
    pub quantity: u32,
    /// From.
    pub from: DateTime<Utc>,
    /// Until.
    pub to: DateTime<Utc>,
}

/// Why a maintenance block was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MaintenanceError {
    /// Quantity out of range for the pool.
    #[error("quantity must be between 1 and the pool's {total} units, got {got}")]
    Quantity {
        /// The pool's units.
        total: u32,
        /// What was given.
        got: i64,
    },
    /// The range ends before it starts.
    #[error("the block must end after it starts")]
    EndsBeforeStart,
}

impl MaintenanceBlock {
    /// Validates a block against its pool's size.
    pub fn parse(
        total: u32,
        quantity: i64,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Self, MaintenanceError> {
        if !(1..=i64::from(total)).contains(&quantity) {
            return Err(MaintenanceError::Quantity {
                total,
                got: quantity,
            });
        }
        if to <= from {
            return Err(MaintenanceError::EndsBeforeStart);
        }
        Ok(Self {
            quantity: quantity as u32,
            from,
            to,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;
    use uuid::Uuid;

    fn id(n: u128) -> EquipmentId {
        EquipmentId::from_uuid(Uuid::from_u128(n))
    }

    #[test]
    fn pools_need_a_name_and_a_unit_at_least() {
        let clay = EquipmentSpec::parse("Clay", 50, true, Some(" kg ")).unwrap();
        assert_eq!((clay.quantity, clay.unit.as_deref()), (50, Some("kg")));
        assert_eq!(
            EquipmentSpec::parse("Wheel", 0, false, None),
            Err(EquipmentError::Quantity(0))
        );
        assert_eq!(
            EquipmentSpec::parse(" ", 3, false, None),
            Err(EquipmentError::Name(TextError::Empty))
        );
        assert_eq!(
            EquipmentSpec::parse("Wheel", 8, false, Some(""))
                .unwrap()
                .unit,
            None
        );
    }

    #[test]
    fn requirements_are_positive_and_name_each_pool_once() {
        assert_eq!(
            parse_requirements(&[(id(1), 1), (id(2), 2)]).unwrap().len(),
            2
        );
        assert_eq!(
            parse_requirements(&[(id(1), 1), (id(2), 0)]),
            Err(RequirementError::PerStudent {
                index: 1,
                got: 0,
                least: 1
            })
        );
        assert_eq!(
            parse_requirements(&[(id(1), -3)]),
            Err(RequirementError::PerStudent {
                index: 0,
                got: -3,
                least: 1
            })
        );
        assert_eq!(
            parse_requirements(&[(id(1), 1), (id(1), 2)]),
            Err(RequirementError::Repeated { index: 1 })
        );
        assert_eq!(parse_requirements(&[]), Ok(vec![]));
        assert_eq!(
            parse_booking_quantities(&[(id(1), 0)]),
            Ok(vec![(id(1), 0)])
        );
    }

    #[test]
    fn maintenance_takes_out_some_units_for_a_while() {
        let t = |h| Utc.with_ymd_and_hms(2026, 3, 7, h, 0, 0).unwrap();
        assert!(MaintenanceBlock::parse(8, 2, t(9), t(12)).is_ok());
        assert_eq!(
            MaintenanceBlock::parse(8, 9, t(9), t(12)),
            Err(MaintenanceError::Quantity { total: 8, got: 9 })
        );
        assert_eq!(
            MaintenanceBlock::parse(8, 1, t(12), t(12)),
            Err(MaintenanceError::EndsBeforeStart)
        );
    }
}
