//! Benchmark: expand one year of 1,000 weekly series of one school and
//! conflict-check every resulting session against all the others.
//!
//! Run with `just bench` (or `cargo bench -p scheduling`). A plain timing
//! harness, not criterion: the numbers worth watching are seconds per
//! school-year, and this keeps the dev build lean.

use std::collections::HashMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::{NaiveDate, NaiveTime};
use kernel::{RoomId, SessionId, StudentId, TeacherId, TimeZone, Weekday};
use scheduling::conflict::{self, AvailabilityWindow, ConflictContext, Slot};
use scheduling::{Schedule, ScheduleInput};
use uuid::Uuid;

const SERIES: usize = 1_000;
const TEACHERS: usize = 120;
const ROOMS: usize = 80;
const RUNS: usize = 5;

fn id<T: From<Uuid>>(n: usize) -> T {
    T::from(Uuid::from_u128(n as u128 + 1))
}

fn schedules() -> Vec<Schedule> {
    (0..SERIES)
        .map(|i| {
            Schedule::parse(ScheduleInput {
                start_date: NaiveDate::from_ymd_opt(2026, 1, 5),
                end_date: NaiveDate::from_ymd_opt(2026, 12, 31),
                // Afternoons 14:00–20:30 on a half-hour grid, six weekdays.
                start_time: NaiveTime::from_hms_opt(
                    14 + (i % 14) as u32 / 2,
                    30 * (i % 2) as u32,
                    0,
                ),
                duration_minutes: Some(45),
                timezone: "Europe/London".into(),
                days_of_week: Some(vec![1 + (i % 6) as u32]),
                ..Default::default()
            })
            .expect("valid schedule")
        })
        .collect()
}

fn main() {
    let schedules = schedules();
    let through = NaiveDate::from_ymd_opt(2026, 12, 31).unwrap();
    let zone = TimeZone::parse("Europe/London").unwrap();
    let ctx = ConflictContext {
        availability: (0..TEACHERS)
            .map(|t| {
                let windows = (1..=6)
                    .map(|d| {
                        AvailabilityWindow::weekly(
                            Weekday::from_iso(d).unwrap(),
                            NaiveTime::from_hms_opt(13, 0, 0).unwrap(),
                            NaiveTime::from_hms_opt(21, 0, 0).unwrap(),
                        )
                    })
                    .collect();
                (
                    id::<TeacherId>(t),
                    kernel::Availability::from_windows(windows),
                )
            })
            .collect::<HashMap<_, _>>(),
        room_capacity: (0..ROOMS).map(|r| (id::<RoomId>(r), 8)).collect(),
        ..Default::default()
    };

    let mut expand_times = Vec::new();
    let mut check_times = Vec::new();
    let mut sessions = 0;
    let mut conflicts = 0;
    for _ in 0..RUNS {
        let started = Instant::now();
        let occurrences: Vec<_> = schedules
            .iter()
            .map(|s| s.occurrences_through(through).unwrap())
            .collect();
        expand_times.push(started.elapsed());

        let mut n = 0;
        let slots: Vec<Slot> = occurrences
            .iter()
            .enumerate()
            .flat_map(|(i, occ)| occ.iter().map(move |o| (i, *o)))
            .map(|(i, o)| {
                n += 1;
                Slot {
                    id: id::<SessionId>(n),
                    starts_at: o.starts_at,
                    ends_at: o.ends_at,
                    zone,
                    teacher: Some(id::<TeacherId>(i % TEACHERS)),
                    room: Some(id::<RoomId>(i % ROOMS)),
                    students: vec![id::<StudentId>(i)],
                    capacity: 6,
                    staff: Vec::new(),
                    offering: None,
                }
            })
            .collect();
        let started = Instant::now();
        let found = conflict::detect(&slots, &[], &ctx);
        check_times.push(started.elapsed());
        sessions = slots.len();
        conflicts = found.iter().map(Vec::len).sum();
        black_box(found);
    }
    let median = |mut v: Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    println!(
        "expand_and_check: {SERIES} weekly series, one year, {sessions} sessions, {conflicts} conflicts found"
    );
    println!(
        "  expand (RRULE + DST resolution): median {:?} over {RUNS} runs",
        median(expand_times.clone())
    );
    println!(
        "  conflict check (sweep):          median {:?} over {RUNS} runs",
        median(check_times.clone())
    );
    println!(
        "  total:                           median {:?}",
        median(
            expand_times
                .iter()
                .zip(&check_times)
                .map(|(a, b)| *a + *b)
                .collect()
        )
    );
}
