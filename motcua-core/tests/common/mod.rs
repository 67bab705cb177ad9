//! Helpers shared by the engine's integration tests.
#![allow(dead_code)]

use chrono::{DateTime, Utc};
use motcua_core::calendar::{CalendarSpec, NationalHolidays, WorkingCalendar, default_windows};
use motcua_core::dossier::{
    self, Actor, ActorKind, AgencyId, Command, Ctx, Dossier, RecordedEvent, Rejection,
};
use motcua_core::procedure::{Procedure, Role};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

pub const AGENCY: &str = "000.20.31.H53";

/// The agency the tests' dossiers are received at.
#[allow(dead_code)]
pub fn agency() -> AgencyId {
    AgencyId::parse(AGENCY).expect("agency")
}

pub fn calendar() -> &'static Arc<WorkingCalendar> {
    static CAL: OnceLock<Arc<WorkingCalendar>> = OnceLock::new();
    CAL.get_or_init(|| {
        Arc::new(
            WorkingCalendar::compile(
                &CalendarSpec::national(default_windows()),
                &NationalHolidays::builtin().expect("data"),
                2025..=2030,
            )
            .expect("compiles"),
        )
    })
}

pub fn examples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples")
}

pub fn load_example(name: &str) -> Procedure {
    let path = examples().join("procedures").join(name);
    let text = std::fs::read_to_string(&path).expect("example procedure exists");
    match Procedure::load(name, &text) {
        Ok((p, _)) => p,
        Err(report) => panic!("{report}"),
    }
}

pub fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("valid instant")
        .to_utc()
}

pub fn applicant(id: &str) -> Actor {
    Actor {
        id: id.into(),
        kind: ActorKind::Applicant,
    }
}

pub fn staff(id: &str, role: Role) -> Actor {
    Actor {
        id: id.into(),
        kind: ActorKind::Staff {
            agency: AgencyId::parse(AGENCY).expect("agency"),
            roles: vec![role],
        },
    }
}

/// Runs a command; on refusal checks that nothing changed.
pub fn exec(
    d: &mut Dossier,
    p: &Procedure,
    actor: &Actor,
    now: &str,
    cmd: Command,
) -> Result<Vec<RecordedEvent>, Rejection> {
    let before = d.clone();
    let ctx = Ctx {
        now: at(now),
        actor,
        procedure: p,
        calendar: calendar(),
    };
    let r = dossier::execute(d, &cmd, &ctx);
    if r.is_err() {
        assert_eq!(*d, before, "a refused command changed the dossier");
    }
    r
}
