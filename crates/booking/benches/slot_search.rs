//! Benchmark: 1-on-1 slot search for 50 teachers over 4 weeks.
//!
//! Each teacher teaches Monday to Friday 09:00–19:00 (Europe/London, across
//! the March DST change) with 25 lessons a week already booked, buffers of
//! 10 minutes, a 15-minute grid and 30-minute lessons. Run with
//! `just bench` (or `cargo bench -p booking --bench slot_search`). A plain
//! timing harness: the number worth watching is milliseconds per search.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::{Duration as Std, Instant};

use booking::{BookingPolicy, SlotQuery, free_slots};
use chrono::{Duration, NaiveTime, TimeZone as _, Utc};
use kernel::TimeZone;
use kernel::{Availability, Weekday, Window};

const TEACHERS: usize = 50;
const RUNS: usize = 7;

fn queries() -> Vec<SlotQuery> {
    let zone = TimeZone::parse("Europe/London").unwrap();
    let from = Utc.with_ymd_and_hms(2026, 3, 16, 0, 0, 0).unwrap();
    let to = from + Duration::weeks(4);
    (0..TEACHERS)
        .map(|t| {
            let busy = (0..4 * 25)
                .map(|i| {
                    let day = (i / 5) as i64;
                    let start = from
                        + Duration::days(day / 5 * 7 + day % 5)
                        + Duration::hours(9 + ((i % 5) * 2) as i64)
                        + Duration::minutes(((t * 7) % 60) as i64);
                    (start, start + Duration::minutes(45))
                })
                .collect();
            SlotQuery {
                zone,
                from,
                to,
                duration: Duration::minutes(30),
                grid: Duration::minutes(15),
                availability: Availability::from_windows(
                    (1..=5)
                        .map(|d| {
                            Window::weekly(
                                Weekday::from_iso(d).unwrap(),
                                NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
                                NaiveTime::from_hms_opt(19, 0, 0).unwrap(),
                            )
                        })
                        .collect(),
                ),
                busy,
                per_day: BTreeMap::new(),
                policy: BookingPolicy {
                    buffer_before: Duration::minutes(10),
                    buffer_after: Duration::minutes(10),
                    min_notice: Duration::hours(12),
                    max_bookings_per_day: Some(8),
                    ..BookingPolicy::default()
                },
                now: from - Duration::days(1),
            }
        })
        .collect()
}

fn main() {
    let queries = queries();
    let mut times: Vec<Std> = Vec::new();
    let mut slots = 0;
    for _ in 0..RUNS {
        let start = Instant::now();
        slots = queries
            .iter()
            .map(|q| black_box(free_slots(q)).len())
            .sum::<usize>();
        times.push(start.elapsed());
    }
    times.sort();
    println!(
        "slot search: {TEACHERS} teachers x 4 weeks, {slots} free slots: median {:.2} ms (min {:.2} ms, {RUNS} runs)",
        times[RUNS / 2].as_secs_f64() * 1e3,
        times[0].as_secs_f64() * 1e3,
    );
}
