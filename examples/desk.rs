//! A desk tool that embeds the engine and the store, without HTTP: it registers a dossier
//! brought to the one-stop desk on paper, accepts it (the store assigns the code), prints the
//! appointment with the engine's explanation, and verifies the dossier's hash chain.
//!
//! Run:
//!
//! ```sh
//! cargo run -p motcua-examples --example desk -- sqlite:///tmp/desk.db "Nguyễn Văn An" 2026-04-20T09:00:00+07:00
//! ```
//!
//! The arguments are the database (SQLite file or PostgreSQL URL; created and migrated if
//! new), the applicant's name, and the instant the dossier is received (default: now). Its
//! test (`cargo test -p motcua-examples --example desk`) runs it on a temporary SQLite file.

use chrono::{DateTime, Utc};
use motcua_core::calendar::{DayReason, Unit, WorkingCalendar, default_windows, to_local_vi};
use motcua_core::dossier::{Actor, AgencyId, Applicant, Channel, Command, verify};
use motcua_core::procedure::{Procedure, Role};
use motcua_store::{Agency, ExecuteRequest, Options, Store};
use std::fmt::Write as _;
use std::sync::Arc;

/// The agency this desk belongs to, and the procedure it receives.
const AGENCY: &str = "000.20.31.H53";
const PROCEDURE: &str = include_str!("procedures/ho-kinh-doanh.toml");

/// What the desk tool did, printed for the officer.
struct Receipt {
    code: String,
    text: String,
}

async fn register(
    database: &str,
    name: &str,
    received: DateTime<Utc>,
) -> Result<Receipt, Box<dyn std::error::Error>> {
    let store = Store::connect(database, Options::default()).await?;
    store.migrate().await?;

    // The desk's agency and its procedure, stored once (a second run finds them there).
    let agency = AgencyId::parse(AGENCY)?;
    store
        .ensure_agency(&Agency {
            id: agency.to_string(),
            name: "Ủy ban nhân dân thành phố Sóc Trăng".into(),
            level: "district".into(),
            parent_id: None,
            host_names: vec![],
            contact: Default::default(),
        })
        .await?;
    let (procedure, _warnings) = Procedure::load("ho-kinh-doanh.toml", PROCEDURE)?;
    store.put_procedure(PROCEDURE, &procedure).await?;
    store
        .assign_procedure(&procedure.catalogue.code, agency.as_str())
        .await?;

    let calendar = Arc::new(WorkingCalendar::national(default_windows())?);
    let officer = Actor::staff(
        "can-bo-mot-cua",
        agency.clone(),
        vec![Role::ReceptionOfficer],
    );
    let id = format!("quay-{}", received.timestamp());
    let run = |command: Command, now: DateTime<Utc>, expected_version: Option<u64>| {
        let store = &store;
        let (agency, officer, procedure, calendar, id) =
            (&agency, &officer, &procedure, &calendar, &id);
        async move {
            store
                .execute(ExecuteRequest {
                    dossier_id: id,
                    agency,
                    command,
                    actor: officer,
                    now,
                    procedure,
                    calendar,
                    expected_version,
                    attachments: vec![],
                })
                .await
        }
    };

    // Registered as brought to the desk, with every component the procedure requires...
    let components = procedure
        .components
        .iter()
        .map(|c| c.name.clone())
        .collect();
    let submitted = run(
        Command::Submit {
            channel: Channel::Direct,
            applicant: Applicant {
                name: name.into(),
                ..Applicant::default()
            },
            owner: None,
            form: Default::default(),
            components,
            files: vec![],
        },
        received,
        None,
    )
    .await?;
    // ...and accepted: the store takes the day's next number for the code. The version
    // seen is given, so that a concurrent change would be a conflict, not a lost update.
    let accepted = run(
        Command::Accept { sequence: 0 },
        received,
        Some(submitted.dossier.version),
    )
    .await?;
    let d = &accepted.dossier;

    let code = d.code.as_ref().map(ToString::to_string).unwrap_or_default();
    let mut text = String::new();
    writeln!(text, "Mã hồ sơ:        {code}")?;
    writeln!(text, "Người nộp:       {}", d.applicant.name)?;
    writeln!(text, "Thủ tục:         {}", procedure.catalogue.name)?;
    writeln!(text, "Tiếp nhận lúc:   {}", to_local_vi(received))?;
    if let Some(appointment) = d.clock.appointment {
        writeln!(text, "Ngày hẹn trả:    {}", to_local_vi(appointment))?;
    }
    // Why that date: the limit counted from when counting started, and every day skipped
    // with its reason, from the engine's explanation (its fields are data; its `Display` is
    // an English text for logs).
    if let Some(start) = d.clock.counting_start {
        let why = calendar.explain(start, procedure.catalogue.time_limit)?;
        writeln!(
            text,
            "Vì sao ngày này: {} {} kể từ {}, không tính {} ngày nghỉ:",
            procedure.catalogue.time_limit.amount,
            match procedure.catalogue.time_limit.unit {
                Unit::WorkingMinutes => "phút làm việc",
                Unit::WorkingHours => "giờ làm việc",
                Unit::WorkingDays => "ngày làm việc",
                Unit::CalendarDays => "ngày",
            },
            to_local_vi(start),
            why.days.skipped.len()
        )?;
        for day in &why.days.skipped {
            let reason = match &day.reason {
                DayReason::WeeklyRest { .. } => "nghỉ hằng tuần".to_string(),
                DayReason::DayOff(info) => {
                    format!("{} ({})", info.exception.name, info.exception.source)
                }
            };
            writeln!(text, "  {}  {reason}", day.date.format("%d/%m/%Y"))?;
        }
    }

    // The chain, as stored: every event's hash covers the one before it.
    let events = store.events(&id).await?;
    verify(&events)?;
    writeln!(
        text,
        "Nhật ký: {} sự kiện, chuỗi băm toàn vẹn.",
        events.len()
    )?;
    store.close().await;
    Ok(Receipt { code, text })
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(database), Some(name)) = (args.first(), args.get(1)) else {
        eprintln!("usage: desk DATABASE_URL \"APPLICANT NAME\" [RECEIVED_AT_RFC3339]");
        std::process::exit(2);
    };
    let received = match args.get(2) {
        Some(t) => DateTime::parse_from_rfc3339(t)?.to_utc(),
        None => Utc::now(),
    };
    let receipt = register(database, name, received).await?;
    print!("{}", receipt.text);
    println!(
        "In phiếu tiếp nhận: motcua form render --database {database} --code {} --form receipt --out phieu.pdf",
        receipt.code
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_desk_registers_accepts_explains_and_verifies() {
        let path = std::env::temp_dir().join(format!("motcua-desk-{}.db", std::process::id()));
        let url = format!("sqlite://{}", path.display());
        // Friday 24 April 2026, 16:00: the 3-working-day limit skips the weekend, Hùng
        // Kings' day (Sunday 26 April, off on Monday 27), 30 April and 1 May.
        let at = |s: &str| DateTime::parse_from_rfc3339(s).expect("instant").to_utc();
        let first = register(&url, "Nguyễn Văn An", at("2026-04-24T16:00:00+07:00"))
            .await
            .expect("registers");
        assert_eq!(first.code, "000.20.31.H53-260424-0001", "{}", first.text);
        assert!(
            first.text.contains("Ngày hẹn trả:    04/05/2026 16:00"),
            "{}",
            first.text
        );
        assert!(
            first.text.contains("27/04/2026  Nghỉ bù Giỗ Tổ Hùng Vương"),
            "{}",
            first.text
        );
        assert!(first.text.contains("chuỗi băm toàn vẹn"), "{}", first.text);
        // A second dossier the same day takes the next number.
        let second = register(&url, "Trần Thị Bình", at("2026-04-24T16:05:00+07:00"))
            .await
            .expect("registers");
        assert_eq!(second.code, "000.20.31.H53-260424-0002");
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
}
