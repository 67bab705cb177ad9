//! Load generator and benchmark for motcua-store.
//!
//! Fills a fresh database with realistic dossiers (run through the real engine: five example
//! procedures, 51 agencies at three levels, acceptance dates over two years, most dossiers
//! carried to a returned result, some still in progress, some refused), then measures on the
//! same database:
//!
//! * committed transitions per second through `Store::execute`, next to a bare one-row
//!   insert-and-commit loop on the same database with the same durability settings;
//! * lookup by dossier code (p50, p99);
//! * a staff queue (p50, p99);
//! * a year's statistics for the province and everything below it.
//!
//! `--measure-only` skips the fill and measures an already filled database;
//! `--durability normal` runs SQLite with `synchronous=NORMAL` (default: full);
//! `--in-flight` fills with dossiers accepted on the working days of the twelve weeks before
//! today and left in progress at their first step (the re-projection benchmark's database,
//! scripts/reproject-bench.sh);
//! `--fill-only` stops after the fill.
//!
//! Run (release build!):
//!   cargo run --release -p motcua-store --example loadgen -- --database sqlite:///tmp/load.db --dossiers 1000000
//!   cargo run --release -p motcua-store --example loadgen -- --database postgres://... --dossiers 1000000

use chrono::{DateTime, Datelike, Days, NaiveDate, TimeDelta, Utc, Weekday};
use motcua_core::calendar::{CalendarSpec, NationalHolidays, WorkingCalendar, default_windows};
use motcua_core::dossier::{
    self, Actor, ActorKind, AgencyId, Applicant, Attachment, Channel, Command, Ctx, Dossier,
    Outcome, RecordedEvent,
};
use motcua_core::procedure::{Action, Procedure, Role};
use motcua_store::{Agency, ExecuteRequest, Generated, Options, QueueFilter, Store};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

const PROVINCE: &str = "000.00.00.H53";

fn agencies() -> Vec<Agency> {
    let mut v = vec![Agency {
        id: PROVINCE.into(),
        name: "UBND tỉnh Sóc Trăng".into(),
        level: "province".into(),
        parent_id: None,
        host_names: vec![],
        contact: Default::default(),
    }];
    for d in 0..10 {
        let district = format!("000.20.{d:02}.H53");
        v.push(Agency {
            id: district.clone(),
            name: format!("Huyện {d}"),
            level: "district".into(),
            parent_id: Some(PROVINCE.into()),
            host_names: vec![],
            contact: Default::default(),
        });
        for c in 0..4 {
            v.push(Agency {
                id: format!("000.31.{d}{c}.H53"),
                name: format!("Xã {d}-{c}"),
                level: "commune".into(),
                parent_id: Some(district.clone()),
                host_names: vec![],
                contact: Default::default(),
            });
        }
    }
    v
}

fn procedures() -> Vec<(String, Procedure)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/procedures");
    [
        "khai-sinh",
        "ho-kinh-doanh",
        "cap-giay-chung-nhan-dat",
        "cap-phep-xay-dung",
        "ly-lich-tu-phap",
    ]
    .iter()
    .map(|n| {
        let text = std::fs::read_to_string(format!("{dir}/{n}.toml")).expect("example procedure");
        let p = Procedure::load(n, &text).expect("loads").0;
        (text, p)
    })
    .collect()
}

fn staff(agency: &str) -> Actor {
    Actor::staff("officer", agency_id(agency), Role::ALL.to_vec())
}

/// The generator's agency ids are well formed by construction.
fn agency_id(agency: &str) -> AgencyId {
    AgencyId::parse(agency).expect("the generator's agency ids are valid")
}

/// Runs one dossier through the engine in memory.
#[allow(clippy::too_many_arguments)]
fn generate(
    i: u64,
    rng: &mut Rng,
    agency: &str,
    p: &Procedure,
    cal: &Arc<WorkingCalendar>,
    day: NaiveDate,
    counters: &mut HashMap<(String, NaiveDate), u32>,
    in_flight: bool,
) -> Option<Generated> {
    let id = format!("g{i:08}");
    let mut d = Dossier::new(id.clone(), agency_id(agency));
    let mut log: Vec<RecordedEvent> = Vec::new();
    let officer = staff(agency);
    let citizen = Actor {
        id: format!("citizen{}", rng.below(200_000)),
        kind: ActorKind::Applicant,
    };
    let mut now: DateTime<Utc> =
        day.and_hms_opt(1, 0, 0)?.and_utc() + TimeDelta::minutes(rng.below(480) as i64);
    let mut run = |d: &mut Dossier, actor: &Actor, now: DateTime<Utc>, c: Command| -> bool {
        let ctx = Ctx {
            now,
            actor,
            procedure: p,
            calendar: cal,
        };
        match dossier::execute(d, &c, &ctx) {
            Ok(ev) => {
                log.extend(ev);
                true
            }
            Err(e) => {
                if std::env::var_os("LOADGEN_DEBUG").is_some() {
                    eprintln!("dossier {i}: {e:?}");
                }
                false
            }
        }
    };
    let online = rng.below(10) < 6;
    let names = [
        "Nguyễn Văn An",
        "Trần Thị Bích",
        "Lê Hoàng Cường",
        "Phạm Thu Dung",
        "Thạch Sô Phia",
        "Lâm Thị Mỹ",
    ];
    let applicant = Applicant {
        name: format!("{} {i}", names[(i % 6) as usize]),
        id_number: format!("094{i:09}"),
        ..Applicant::default()
    };
    let submit = Command::Submit {
        channel: if online {
            Channel::Online
        } else {
            Channel::Direct
        },
        applicant,
        owner: Some(citizen.id.clone()),
        // Every field the procedure's form asks for: an online dossier without its required
        // ones is refused as incomplete.
        // (The building permit's guard reads `cong_trinh`.)
        form: p
            .form_fields
            .iter()
            .map(|f| (f.key.clone(), format!("{} {i}", f.label)))
            .chain([("cong_trinh".to_string(), "Nhà ở".to_string())])
            .collect(),
        components: p.required_components(),
        files: vec![],
    };
    let submitter = if online { &citizen } else { &officer };
    if !run(&mut d, submitter, now, submit) {
        return None;
    }
    now += TimeDelta::minutes(30 + rng.below(300) as i64);
    if in_flight {
        let seq = counters.entry((agency.to_string(), day)).or_insert(0);
        *seq += 1;
        if !run(&mut d, &officer, now, Command::Accept { sequence: *seq }) {
            return None;
        }
    } else if rng.below(100) < 3 {
        run(
            &mut d,
            &officer,
            now,
            Command::Refuse {
                reason: "Không thuộc thẩm quyền".into(),
            },
        );
    } else {
        let seq = counters.entry((agency.to_string(), day)).or_insert(0);
        *seq += 1;
        if !run(&mut d, &officer, now, Command::Accept { sequence: *seq }) {
            return None;
        }
        let stop_early = rng.below(100) < 12;
        let mut hops = 0;
        let file = Attachment {
            name: "ket-qua.pdf".into(),
            sha256: "00".repeat(32),
        };
        while let Some(step) = d.step.as_deref().and_then(|s| p.step(s)).cloned() {
            now += TimeDelta::hours(1 + rng.below(30) as i64);
            if stop_early && hops > rng.below(3) {
                break;
            }
            if step.end {
                run(
                    &mut d,
                    &officer,
                    now,
                    Command::AttachSignedResult {
                        attachment: file.clone(),
                    },
                );
                run(
                    &mut d,
                    &officer,
                    now,
                    Command::MarkFinished {
                        outcome: Outcome::Granted,
                    },
                );
                now += TimeDelta::hours(2 + rng.below(40) as i64);
                run(&mut d, &officer, now, Command::ReturnResult);
                break;
            }
            let Some(t) = p
                .transitions
                .iter()
                .find(|t| t.from == step.id && t.action != Action::SendBack)
            else {
                break;
            };
            let c = match t.action {
                Action::Approve => {
                    if d.drafts.is_empty() {
                        run(
                            &mut d,
                            &officer,
                            now,
                            Command::AttachDraft {
                                attachment: file.clone(),
                            },
                        );
                    }
                    Command::Approve { to: t.to.clone() }
                }
                _ => Command::Forward {
                    to: t.to.clone(),
                    assignee: None,
                },
            };
            if !run(&mut d, &officer, now, c) {
                break;
            }
            hops += 1;
        }
    }
    let step_role = d
        .step
        .as_deref()
        .and_then(|s| p.step(s))
        .map(|s| s.role.as_str().to_string())
        .filter(|_| !d.state.is_closed());
    Some(Generated {
        dossier: d,
        events: log,
        field: p.catalogue.field.clone(),
        step_role,
    })
}

fn percentile(v: &mut [Duration], q: f64) -> Duration {
    v.sort();
    v[((v.len() as f64 - 1.0) * q).round() as usize]
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut url = "sqlite:///tmp/motcua-load.db".to_string();
    let mut n: u64 = 100_000;
    let mut measure_only = false;
    let (mut in_flight, mut fill_only) = (false, false);
    let mut options = Options::default();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--database" => url = args.next().ok_or("--database URL")?,
            "--dossiers" => n = args.next().ok_or("--dossiers N")?.parse()?,
            "--measure-only" => measure_only = true,
            "--in-flight" => in_flight = true,
            "--fill-only" => fill_only = true,
            "--durability" => {
                options.durability = match args.next().as_deref() {
                    Some("full") => motcua_store::Durability::Full,
                    Some("normal") => motcua_store::Durability::Normal,
                    _ => return Err("--durability full|normal".into()),
                }
            }
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let store = Store::connect(&url, options).await?;
    store.migrate().await?;
    let all = agencies();
    for a in &all {
        store.put_agency(a).await?;
    }
    let procs = procedures();
    for (text, p) in &procs {
        store.put_procedure(text, p).await?;
    }
    let cal = Arc::new(WorkingCalendar::compile(
        &CalendarSpec::national(default_windows()),
        &NationalHolidays::builtin()?,
        2024..=2028,
    )?);
    let days: Vec<NaiveDate> = {
        let mut v = Vec::new();
        let (mut d, end) = if in_flight {
            let today = (Utc::now() + TimeDelta::hours(7)).date_naive();
            // Twelve weeks: the busiest agency (a fifth of the dossiers) stays under the 9 999
            // codes a day the dossier code allows.
            (today - Days::new(84), today - Days::new(1))
        } else {
            (
                NaiveDate::from_ymd_opt(2025, 1, 2).ok_or("date")?,
                NaiveDate::from_ymd_opt(2026, 11, 27).ok_or("date")?,
            )
        };
        while d <= end {
            if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && cal.is_working_day(d)? {
                v.push(d);
            }
            d = d + Days::new(1);
        }
        v
    };

    // Fill.
    let started = Instant::now();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut counters = HashMap::new();
    let mut batch = Vec::with_capacity(2000);
    let mut sample_codes = Vec::new();
    let mut events = 0u64;
    if measure_only {
        n = 0;
        let mut seen = std::collections::BTreeSet::new();
        for item in store.feed(0, 50_000).await? {
            if let Some(code) = item.code
                && seen.insert(code.clone())
            {
                sample_codes.push(code);
            }
        }
    }
    for i in 0..n {
        let roll = rng.below(100);
        let (agency, pi) = if roll < 20 {
            (PROVINCE.to_string(), 3 + rng.below(2) as usize)
        } else if roll < 60 {
            (
                format!("000.20.{:02}.H53", rng.below(10)),
                1 + rng.below(2) as usize,
            )
        } else {
            (format!("000.31.{}{}.H53", rng.below(10), rng.below(4)), 0)
        };
        let day = days[rng.below(days.len() as u64) as usize];
        // A history the engine refuses is a broken generator, not a smaller database.
        let g = generate(
            i,
            &mut rng,
            &agency,
            &procs[pi].1,
            &cal,
            day,
            &mut counters,
            in_flight,
        )
        .ok_or_else(|| format!("dossier {i}: the engine refused a step of its history"))?;
        if let Some(code) = &g.dossier.code
            && rng.below(100) < 2
        {
            sample_codes.push(code.to_string());
        }
        events += g.events.len() as u64;
        batch.push(g);
        if batch.len() == 2000 || i + 1 == n {
            store.bulk_insert(&batch).await?;
            batch.clear();
            eprint!("\rfilled {}/{n}", i + 1);
        }
    }
    eprintln!();
    let fill = started.elapsed();
    println!("database: {}", motcua_store::redact(&url));
    if !measure_only {
        println!(
            "filled {n} dossiers, {events} events in {:.1} s",
            fill.as_secs_f64()
        );
    }

    if fill_only {
        return Ok(());
    }

    // Committed transitions per second, next to a bare insert-and-commit loop.
    let k = 3000u64;
    let officer = staff("000.20.00.H53");
    let citizen = Actor {
        id: "bench-citizen".into(),
        kind: ActorKind::Applicant,
    };
    let (_, hkd) = &procs[1];
    let t0 = Instant::now();
    let run_id = std::process::id();
    // A day after the generated data, different from run to run: the code counter allows
    // 9 999 acceptances per agency per day, and each run accepts 1 000.
    let bench_day: DateTime<Utc> = "2027-01-01T08:00:00+07:00".parse::<DateTime<Utc>>()?
        + chrono::Duration::days(i64::from(run_id % 700));
    for j in 0..k / 3 {
        let id = format!("bench-{run_id}-{j}");
        let cmds = [
            (
                &citizen,
                Command::Submit {
                    channel: Channel::Online,
                    applicant: Applicant {
                        name: "Bench".into(),
                        ..Applicant::default()
                    },
                    owner: None,
                    form: Default::default(),
                    components: hkd.required_components(),
                    files: vec![],
                },
            ),
            (&officer, Command::Accept { sequence: 0 }),
            (
                &officer,
                Command::Forward {
                    to: "phan-cong".into(),
                    assignee: None,
                },
            ),
        ];
        for (actor, command) in cmds {
            store
                .execute(ExecuteRequest {
                    dossier_id: &id,
                    agency: &agency_id("000.20.00.H53"),
                    command,
                    actor,
                    now: bench_day,
                    procedure: hkd,
                    calendar: &cal,
                    expected_version: None,
                    attachments: vec![],
                })
                .await?;
        }
    }
    let tps = k as f64 / t0.elapsed().as_secs_f64();
    store
        .raw_execute(
            "CREATE TABLE IF NOT EXISTS bench_bare (id BIGINT PRIMARY KEY, v TEXT NOT NULL)",
        )
        .await?;
    store.raw_execute("DELETE FROM bench_bare").await?;
    let t0 = Instant::now();
    for j in 0..k {
        store
            .raw_execute(&format!("INSERT INTO bench_bare (id, v) VALUES ({j}, 'x')"))
            .await?;
    }
    let bare = k as f64 / t0.elapsed().as_secs_f64();
    println!(
        "committed transitions: {tps:.0}/s; bare one-row insert-and-commit: {bare:.0}/s; ratio {:.2}",
        tps / bare
    );

    // Lookup by code.
    let mut lat = Vec::new();
    for code in sample_codes.iter().cycle().take(5000) {
        let t = Instant::now();
        store.dossier_by_code(code).await?;
        lat.push(t.elapsed());
    }
    println!(
        "lookup by code ({} samples): p50 {}, p99 {}",
        lat.len(),
        ms(percentile(&mut lat, 0.5)),
        ms(percentile(&mut lat, 0.99))
    );

    // Staff queues.
    let mut lat = Vec::new();
    for j in 0..400u64 {
        let f = QueueFilter {
            agency: format!("000.20.{:02}.H53", j % 10),
            role: Some(
                [
                    "specialist",
                    "department-head",
                    "reception-officer",
                    "clerk",
                ][(j % 4) as usize]
                    .into(),
            ),
            limit: 50,
            ..QueueFilter::default()
        };
        let t = Instant::now();
        store.queue(&f).await?;
        lat.push(t.elapsed());
    }
    println!(
        "staff queue (400 queries, 50 rows): p50 {}, p99 {}",
        ms(percentile(&mut lat, 0.5)),
        ms(percentile(&mut lat, 0.99))
    );

    // Staff search by name without diacritics: across the whole province (every agency),
    // and within one district; a full name with its number, and a name with the start of
    // a number (many matches, 20 rows shown).
    let everywhere = store.agency_subtree(PROVINCE).await?;
    for (scope, agencies) in [
        ("province", everywhere.clone()),
        ("one district", vec!["000.20.03.H53".to_string()]),
    ] {
        let full: Vec<String> = (0..200u64)
            .map(|j| format!("nguyen van an {}", 6 * (j * 7919 % (n / 6).max(1))))
            .collect();
        let partial: Vec<String> = (0..200u64)
            .map(|j| format!("lam thi my {}", j % 90 + 10))
            .collect();
        for (what, needles) in [
            ("full name", &full),
            ("name and a number's start", &partial),
        ] {
            let mut lat = Vec::new();
            let mut found = 0;
            for needle in needles {
                let t = Instant::now();
                found += store.search(&agencies, needle, 20).await?.len();
                lat.push(t.elapsed());
            }
            println!(
                "staff search, {scope}, {what} (200 queries, {found} rows): p50 {}, p99 {}",
                ms(percentile(&mut lat, 0.5)),
                ms(percentile(&mut lat, 0.99))
            );
        }
    }

    // A year's statistics for the province and its 50 agencies.
    for _ in 0..3 {
        let t = Instant::now();
        let s = store
            .statistics(
                PROVINCE,
                "2025-01-01T00:00:00+07:00".parse()?,
                "2026-01-01T00:00:00+07:00".parse()?,
                chrono::Utc::now(),
            )
            .await?;
        println!(
            "statistics 2025, province subtree: {} ({} received, {} resolved)",
            ms(t.elapsed()),
            s.total.received(),
            s.total.resolved()
        );
    }
    store.close().await;
    Ok(())
}
