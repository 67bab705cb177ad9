//! Test support: a fresh store per test on SQLite always, and on PostgreSQL when
//! `MOTCUA_TEST_PG_URL` is set (each test in its own schema). Nothing is mocked.
#![allow(dead_code)]

use chrono::{DateTime, Utc};
use motcua_core::calendar::{CalendarSpec, NationalHolidays, WorkingCalendar, default_windows};
use motcua_core::dossier::{
    Actor, ActorKind, AgencyId, Applicant, Channel, Command, RecordedEvent,
};
use motcua_core::procedure::{Procedure, Role};
use motcua_store::{Agency, ExecuteRequest, NewAttachment, Options, Store, StoreError};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, OnceLock};

pub const AGENCY: &str = "000.20.31.H53";
pub const PROVINCE: &str = "000.00.00.H53";

static COUNTER: AtomicU32 = AtomicU32::new(0);

pub struct TestStore {
    pub name: &'static str,
    pub store: Store,
    pub url: String,
    cleanup: Option<std::path::PathBuf>,
}

impl Drop for TestStore {
    fn drop(&mut self) {
        if let Some(p) = &self.cleanup {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", p.display()));
            }
        }
    }
}

pub fn temp_path(tag: &str) -> std::path::PathBuf {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    std::env::temp_dir().join(format!("motcua-store-{}-{tag}-{n}.db", std::process::id()))
}

pub async fn sqlite() -> TestStore {
    let path = temp_path("t");
    let url = format!("sqlite://{}", path.display());
    let store = Store::connect(&url, Options::default())
        .await
        .expect("sqlite opens");
    store.migrate().await.expect("migrates");
    TestStore {
        name: "sqlite",
        store,
        url,
        cleanup: Some(path),
    }
}

pub async fn postgres() -> Option<TestStore> {
    let Ok(base) = std::env::var("MOTCUA_TEST_PG_URL") else {
        // CI sets MOTCUA_REQUIRE_PG so that a missing server fails instead of skipping.
        assert!(
            std::env::var_os("MOTCUA_REQUIRE_PG").is_none(),
            "MOTCUA_REQUIRE_PG is set but MOTCUA_TEST_PG_URL is not"
        );
        return None;
    };
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let schema = format!("t_{}_{}", std::process::id(), n);
    let admin = Store::connect(
        &base,
        Options {
            max_connections: 1,
            ..Options::default()
        },
    )
    .await
    .expect("postgres opens");
    admin
        .raw_execute(&format!("CREATE SCHEMA {schema}"))
        .await
        .expect("schema");
    admin.close().await;
    let sep = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
    let store = Store::connect(&url, Options::default())
        .await
        .expect("postgres opens in schema");
    store.migrate().await.expect("migrates");
    Some(TestStore {
        name: "postgres",
        store,
        url,
        cleanup: None,
    })
}

/// Every backend available: SQLite always, PostgreSQL when configured.
pub async fn backends() -> Vec<TestStore> {
    let mut v = vec![sqlite().await];
    v.extend(postgres().await);
    v
}

pub fn calendar() -> &'static Arc<WorkingCalendar> {
    static CAL: OnceLock<Arc<WorkingCalendar>> = OnceLock::new();
    CAL.get_or_init(|| {
        Arc::new(
            WorkingCalendar::compile(
                &CalendarSpec::national(default_windows()),
                &NationalHolidays::builtin().expect("data"),
                2024..=2030,
            )
            .expect("compiles"),
        )
    })
}

pub fn procedure() -> &'static (String, Procedure) {
    static P: OnceLock<(String, Procedure)> = OnceLock::new();
    P.get_or_init(|| {
        let text = include_str!("../../../examples/procedures/ho-kinh-doanh.toml").to_string();
        let p = Procedure::load("ho-kinh-doanh.toml", &text)
            .expect("loads")
            .0;
        (text, p)
    })
}

pub fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).expect("instant").to_utc()
}

pub fn applicant(id: &str) -> Actor {
    Actor {
        id: id.into(),
        kind: ActorKind::Applicant,
    }
}

pub fn staff(role: Role) -> Actor {
    Actor {
        id: role.as_str().into(),
        kind: ActorKind::Staff {
            agency: AgencyId::parse(AGENCY).expect("agency"),
            roles: vec![role],
        },
    }
}

pub async fn seed(store: &Store) {
    store
        .put_agency(&Agency {
            id: PROVINCE.into(),
            name: "UBND tỉnh Sóc Trăng".into(),
            level: "province".into(),
            parent_id: None,
            host_names: vec![],
            contact: Default::default(),
        })
        .await
        .expect("province");
    store
        .put_agency(&Agency {
            id: AGENCY.into(),
            name: "UBND thành phố Sóc Trăng".into(),
            level: "district".into(),
            parent_id: Some(PROVINCE.into()),
            host_names: vec!["motcua.tpsoctrang.soctrang.gov.vn".into()],
            contact: Default::default(),
        })
        .await
        .expect("district");
    let (text, p) = procedure();
    store.put_procedure(text, p).await.expect("procedure");
}

pub async fn run(
    store: &Store,
    id: &str,
    actor: &Actor,
    now: &str,
    command: Command,
) -> Result<Vec<RecordedEvent>, StoreError> {
    run_with(store, id, actor, now, command, None, vec![]).await
}

pub async fn run_with(
    store: &Store,
    id: &str,
    actor: &Actor,
    now: &str,
    command: Command,
    expected_version: Option<u64>,
    attachments: Vec<NewAttachment>,
) -> Result<Vec<RecordedEvent>, StoreError> {
    store
        .execute(ExecuteRequest {
            dossier_id: id,
            agency: &AgencyId::parse(AGENCY).expect("agency"),
            command,
            actor,
            now: at(now),
            procedure: &procedure().1,
            calendar: calendar(),
            expected_version,
            attachments,
        })
        .await
        .map(|done| done.events)
}

pub fn submit(name: &str) -> Command {
    Command::Submit {
        channel: Channel::Online,
        applicant: Applicant {
            name: name.into(),
            id_number: "094092003456".into(),
            ..Applicant::default()
        },
        owner: None,
        form: Default::default(),
        components: vec!["Giấy đề nghị đăng ký hộ kinh doanh".into()],
        files: vec![],
    }
}

pub fn forward(to: &str) -> Command {
    Command::Forward {
        to: to.into(),
        assignee: None,
    }
}

/// Submits dossier `id` online on 20 April 2026 and carries it to the `tham-dinh` step.
pub async fn at_tham_dinh(store: &Store, id: &str, name: &str) {
    let desk = staff(Role::ReceptionOfficer);
    let steps = [
        (applicant("an"), "2026-04-20T09:00:00+07:00", submit(name)),
        (
            desk.clone(),
            "2026-04-20T10:00:00+07:00",
            Command::Accept { sequence: 0 },
        ),
        (desk, "2026-04-20T10:10:00+07:00", forward("phan-cong")),
        (
            staff(Role::DepartmentHead),
            "2026-04-20T10:20:00+07:00",
            forward("tham-dinh"),
        ),
    ];
    for (actor, now, command) in steps {
        run(store, id, &actor, now, command)
            .await
            .expect("step to tham-dinh");
    }
}
