//! Embeds the motcua engine: load a procedure, carry a dossier through it, print its deadlines.
//!
//! Run: `cargo run -p motcua-examples --example lifecycle`

use chrono::{DateTime, Utc};
use motcua_core::calendar::{WorkingCalendar, default_windows, to_local_rfc3339};
use motcua_core::dossier::{
    Actor, AgencyId, Applicant, Channel, Command, Ctx, Dossier, RecordedEvent, execute,
};
use motcua_core::procedure::{Procedure, Role};
use std::sync::Arc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let text = include_str!("procedures/ho-kinh-doanh.toml");
    let (procedure, _warnings) = Procedure::load("ho-kinh-doanh.toml", text)?;
    let calendar = Arc::new(WorkingCalendar::national(default_windows())?);
    let agency = AgencyId::parse("000.20.31.H53")?;
    let staff = |role: Role| Actor::staff(role.as_str(), agency.clone(), vec![role]);
    let citizen = Actor::applicant("cong-dan");

    let mut dossier = Dossier::new("hs-1", agency.clone());
    let mut log: Vec<RecordedEvent> = Vec::new();
    let steps: Vec<(&str, Actor, Command)> = vec![
        (
            "2026-04-24T16:00:00+07:00",
            citizen.clone(),
            Command::Submit {
                channel: Channel::Online,
                applicant: Applicant {
                    name: "Nguyễn Văn An".into(),
                    ..Applicant::default()
                },
                owner: None,
                form: Default::default(),
                components: vec!["Giấy đề nghị đăng ký hộ kinh doanh".into()],
                files: vec![],
            },
        ),
        (
            "2026-04-28T08:00:00+07:00",
            staff(Role::ReceptionOfficer),
            Command::Accept { sequence: 1 },
        ),
        (
            "2026-04-28T08:30:00+07:00",
            staff(Role::ReceptionOfficer),
            Command::Forward {
                to: "phan-cong".into(),
                assignee: None,
            },
        ),
    ];
    for (when, actor, command) in steps {
        let now: DateTime<Utc> = when.parse()?;
        let ctx = Ctx {
            now,
            actor: &actor,
            procedure: &procedure,
            calendar: &calendar,
        };
        match execute(&mut dossier, &command, &ctx) {
            Ok(events) => log.extend(events),
            Err(refusal) => println!("refused: {} ({})", refusal.message_vi, refusal.code),
        }
    }

    println!(
        "procedure     {} ({})",
        procedure.catalogue.name, procedure.catalogue.time_limit
    );
    if let Some(code) = &dossier.code {
        println!("dossier code  {code}");
    }
    if let Some(due) = dossier.intake_due {
        println!(
            "accept by     {} (8 working hours from submission)",
            to_local_rfc3339(due)
        );
    }
    if let Some(a) = dossier.clock.appointment {
        println!("appointment   {}", to_local_rfc3339(a));
    }
    for row in &dossier.slip {
        println!("step {:<10} due {}", row.step, to_local_rfc3339(row.due));
    }
    println!(
        "national status {}, {} events, chain {:?}",
        dossier.national_status(),
        log.len(),
        motcua_core::dossier::verify(&log)
    );
    Ok(())
}
