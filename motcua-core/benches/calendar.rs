//! Calendar benchmarks: `due` and `working_time` from random starts in 2019–2030, lunar
//! conversion, and a naive day-walking `due` as the baseline, all in one run.
//!
//! Run: `cargo bench -p motcua-core --bench calendar`, then `scripts/bench-summary.py` for
//! the table in docs/benchmarks.md (medians and the naive/compiled ratio).

#[path = "../tests/oracle/naive.rs"]
mod naive;
use naive::naive_due;

use chrono::{DateTime, NaiveDate, Utc};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use motcua_core::calendar::{Duration, WorkingCalendar, default_windows, lunar};
use std::hint::black_box;

/// A small deterministic generator, so every run measures the same starts.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn instant(&mut self) -> DateTime<Utc> {
        let lo = 1_546_275_600u64; // 2019-01-01T00:00:00+07:00
        let hi = 1_924_966_740u64; // 2030-12-31T23:59:00+07:00
        let s = lo + self.next() % (hi - lo);
        DateTime::from_timestamp((s - s % 60) as i64, 0).expect("in range")
    }
}

const N: usize = 4096;

fn random_starts(seed: u64) -> Vec<DateTime<Utc>> {
    let mut g = SplitMix(seed);
    (0..N).map(|_| g.instant()).collect()
}

fn bench(c: &mut Criterion) {
    let cal = WorkingCalendar::national(default_windows()).expect("national calendar");
    let starts = random_starts(1);
    let others = random_starts(2);

    let mut group = c.benchmark_group("due");
    for d in [
        Duration::working_hours(8),
        Duration::working_days(15),
        Duration::working_days(60),
    ] {
        group.bench_with_input(BenchmarkId::new("compiled", d), &d, |b, &d| {
            let mut i = 0;
            b.iter(|| {
                i = (i + 1) % N;
                cal.due(black_box(starts[i]), d).expect("in range")
            })
        });
        let budget = d.working_time().expect("working unit");
        group.bench_with_input(BenchmarkId::new("naive-day-walk", d), &d, |b, _| {
            let mut i = 0;
            b.iter(|| {
                i = (i + 1) % N;
                naive_due(&cal, black_box(starts[i]), budget).expect("in range")
            })
        });
    }
    group.finish();

    c.bench_function("working_time/random-pairs", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % N;
            cal.working_time(black_box(starts[i]), black_box(others[i]))
                .expect("in range")
        })
    });

    let mut g = SplitMix(3);
    let base = NaiveDate::from_ymd_opt(1900, 1, 1).expect("valid");
    let dates: Vec<NaiveDate> = (0..N)
        .map(|_| base + chrono::Days::new(g.next() % 73_000))
        .collect();
    let lunars: Vec<lunar::LunarDate> = dates
        .iter()
        .map(|d| lunar::to_lunar(*d).expect("in range"))
        .collect();
    c.bench_function("lunar/solar-to-lunar", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % N;
            lunar::to_lunar(black_box(dates[i])).expect("in range")
        })
    });
    c.bench_function("lunar/lunar-to-solar", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % N;
            lunar::to_solar(black_box(lunars[i])).expect("exists")
        })
    });

    let mut slow = c.benchmark_group("compile");
    slow.sample_size(10);
    slow.bench_function("national-1970-2199", |b| {
        b.iter(|| WorkingCalendar::national(default_windows()).expect("compiles"))
    });
    slow.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
