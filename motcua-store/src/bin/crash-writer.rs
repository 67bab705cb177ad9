//! Test helper for the crash test: commits dossier transitions in a loop and prints
//! `ack <dossier id>` after each acknowledged commit, until it is killed.
//!
//! Usage: crash-writer DATABASE_URL PREFIX

use motcua_core::calendar::{CalendarSpec, NationalHolidays, WorkingCalendar, default_windows};
use motcua_core::dossier::{Actor, ActorKind, AgencyId, Applicant, Channel, Command};
use motcua_core::procedure::{Procedure, Role};
use motcua_store::{Agency, ExecuteRequest, Options, Store};
use std::io::Write;
use std::sync::Arc;

const AGENCY: &str = "000.20.31.H53";

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(url), Some(prefix)) = (args.next(), args.next()) else {
        eprintln!("usage: crash-writer DATABASE_URL PREFIX");
        std::process::exit(2);
    };
    let store = Store::connect(&url, Options::default()).await?;
    store.migrate().await?;
    store
        .put_agency(&Agency {
            id: AGENCY.into(),
            name: "UBND thành phố Sóc Trăng".into(),
            level: "district".into(),
            parent_id: None,
            host_names: vec![],
            contact: Default::default(),
        })
        .await?;
    let text = include_str!("../../../examples/procedures/ho-kinh-doanh.toml");
    let (procedure, _) = Procedure::load("ho-kinh-doanh.toml", text)?;
    store.put_procedure(text, &procedure).await?;
    let calendar = Arc::new(WorkingCalendar::compile(
        &CalendarSpec::national(default_windows()),
        &NationalHolidays::builtin()?,
        2026..=2026,
    )?);
    let citizen = Actor {
        id: "citizen".into(),
        kind: ActorKind::Applicant,
    };
    let desk = Actor {
        id: "desk".into(),
        kind: ActorKind::Staff {
            agency: AgencyId::parse(AGENCY).expect("agency"),
            roles: vec![Role::ReceptionOfficer],
        },
    };
    let now = "2026-04-20T10:00:00+07:00".parse()?;
    let mut out = std::io::stdout().lock();
    for i in 0..5000 {
        let id = format!("{prefix}-{i}");
        let commands = [
            (
                &citizen,
                Command::Submit {
                    channel: Channel::Online,
                    applicant: Applicant {
                        name: format!("Người nộp {i}"),
                        ..Applicant::default()
                    },
                    owner: None,
                    form: Default::default(),
                    components: procedure.required_components(),
                    files: vec![],
                },
            ),
            (&desk, Command::Accept { sequence: 0 }),
        ];
        for (actor, command) in commands {
            store
                .execute(ExecuteRequest {
                    dossier_id: &id,
                    agency: &AgencyId::parse(AGENCY).expect("agency"),
                    command,
                    actor,
                    now,
                    procedure: &procedure,
                    calendar: &calendar,
                    expected_version: None,
                    attachments: vec![],
                })
                .await?;
        }
        writeln!(out, "ack {id}")?;
        out.flush()?;
    }
    Ok(())
}
