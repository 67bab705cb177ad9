//! Engine benchmarks: one decide + apply (with and without a Rhai guard) and a whole
//! lifecycle of eleven commands.
//!
//! Run: `cargo bench -p motcua-core --bench engine`, then `scripts/bench-summary.py`.

use chrono::{DateTime, TimeDelta, Utc};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use motcua_core::calendar::{WorkingCalendar, default_windows};
use motcua_core::dossier::{
    Actor, ActorKind, AgencyId, Applicant, Attachment, Channel, Command, Ctx, Dossier, Outcome,
    execute,
};
use motcua_core::procedure::{Procedure, Role};
use std::hint::black_box;
use std::sync::Arc;

const AGENCY: &str = "000.00.04.H53";

fn procedure(name: &str) -> Procedure {
    let path = format!(
        "{}/../examples/procedures/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(path).expect("example procedure");
    Procedure::load(name, &text).expect("loads").0
}

fn actor(role: Option<Role>) -> Actor {
    match role {
        None => Actor {
            id: "owner".into(),
            kind: ActorKind::Applicant,
        },
        Some(r) => Actor {
            id: r.as_str().into(),
            kind: ActorKind::Staff {
                agency: AgencyId::parse(AGENCY).expect("agency"),
                roles: vec![r],
            },
        },
    }
}

fn file() -> Attachment {
    Attachment {
        name: "f.pdf".into(),
        sha256: "00".repeat(32),
    }
}

/// The eleven commands of a granted construction permit, with who sends each.
fn lifecycle() -> Vec<(Option<Role>, Command)> {
    let fwd = |to: &str| Command::Forward {
        to: to.into(),
        assignee: None,
    };
    vec![
        (
            None,
            Command::Submit {
                channel: Channel::Online,
                applicant: Applicant {
                    name: "Công ty Mekong".into(),
                    ..Applicant::default()
                },
                owner: None,
                form: [("cong_trinh".to_string(), "Nhà xưởng".to_string())].into(),
                components: vec![],
                files: vec![],
            },
        ),
        (
            Some(Role::ReceptionOfficer),
            Command::Accept { sequence: 1 },
        ),
        (Some(Role::ReceptionOfficer), fwd("phan-cong")),
        (Some(Role::DepartmentHead), fwd("tham-dinh")),
        (
            Some(Role::Specialist),
            Command::AttachDraft { attachment: file() },
        ),
        (Some(Role::Specialist), fwd("kiem-tra")),
        (
            Some(Role::DepartmentHead),
            Command::Approve {
                to: "ky-duyet".into(),
            },
        ),
        (
            Some(Role::AgencyLeader),
            Command::Approve {
                to: "van-thu".into(),
            },
        ),
        (
            Some(Role::Clerk),
            Command::AttachSignedResult { attachment: file() },
        ),
        (
            Some(Role::Clerk),
            Command::MarkFinished {
                outcome: Outcome::Granted,
            },
        ),
        (Some(Role::ReceptionOfficer), Command::ReturnResult),
    ]
}

fn run(
    d: &mut Dossier,
    p: &Procedure,
    cal: &Arc<WorkingCalendar>,
    steps: &[(Option<Role>, Command)],
    start: DateTime<Utc>,
) {
    for (i, (role, cmd)) in steps.iter().enumerate() {
        let a = actor(*role);
        let ctx = Ctx {
            now: start + TimeDelta::hours(i as i64 * 3),
            actor: &a,
            procedure: p,
            calendar: cal,
        };
        execute(d, cmd, &ctx).expect("lifecycle step");
    }
}

fn bench(c: &mut Criterion) {
    let cal = Arc::new(WorkingCalendar::national(default_windows()).expect("calendar"));
    let p = procedure("cap-phep-xay-dung.toml");
    let start: DateTime<Utc> = "2026-03-02T08:00:00+07:00".parse().expect("instant");
    let steps = lifecycle();

    // The dossier just before `forward tham-dinh → kiem-tra`, whose guard is a Rhai script.
    let mut before_guard = Dossier::new("d", AgencyId::parse(AGENCY).expect("agency"));
    run(&mut before_guard, &p, &cal, &steps[..5], start);
    let guarded = steps[5].clone();
    let at = start + TimeDelta::hours(15);
    c.bench_function("engine/decide+apply-with-rhai-guard", |b| {
        b.iter_batched(
            || before_guard.clone(),
            |mut d| {
                let a = actor(guarded.0);
                let ctx = Ctx {
                    now: at,
                    actor: &a,
                    procedure: &p,
                    calendar: &cal,
                };
                execute(&mut d, black_box(&guarded.1), &ctx).expect("ok");
                d
            },
            BatchSize::SmallInput,
        )
    });

    // The dossier just before `forward tiep-nhan → phan-cong`: no script.
    let mut before_plain = Dossier::new("d", AgencyId::parse(AGENCY).expect("agency"));
    run(&mut before_plain, &p, &cal, &steps[..2], start);
    let plain = steps[2].clone();
    c.bench_function("engine/decide+apply-no-script", |b| {
        b.iter_batched(
            || before_plain.clone(),
            |mut d| {
                let a = actor(plain.0);
                let ctx = Ctx {
                    now: start + TimeDelta::hours(6),
                    actor: &a,
                    procedure: &p,
                    calendar: &cal,
                };
                execute(&mut d, black_box(&plain.1), &ctx).expect("ok");
                d
            },
            BatchSize::SmallInput,
        )
    });

    c.bench_function("engine/lifecycle-11-commands", |b| {
        b.iter(|| {
            let mut d = Dossier::new("d", AgencyId::parse(AGENCY).expect("agency"));
            run(&mut d, &p, &cal, black_box(&steps), start);
            d
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
