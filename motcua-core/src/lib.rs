//! motcua-core: the embeddable engine of motcua, a one-stop administrative procedure system
//! ("một cửa điện tử") for Vietnamese agencies.
//!
//! This crate is pure: it does no I/O and never reads the clock. Time, calendars, actors and
//! identifiers come in as arguments, so the same inputs always give the same answers, in a
//! server, a desk tool or a test. Storage is `motcua-store`'s job (SQLite or PostgreSQL);
//! `docs/embedding.md` walks through embedding the engine alone and with the store.
//!
//! The guide below goes through the four parts an embedder meets, each with an example that
//! compiles and runs as a test: the [`calendar`] (working time and deadlines), [procedures]
//! (a procedure's catalogue entry and internal workflow, loaded from a file), [dossiers]
//! (commands in, events out, a hash chain) and [scripts] (a procedure's own rules, in a
//! sandbox).
//!
//! [procedures]: procedure
//! [dossiers]: dossier
//! [scripts]: script
//!
//! # 1. Working time and deadlines
//!
//! State agencies work Monday to Friday in two windows; holidays (Tết by the lunar calendar,
//! reckoned at UTC+7) and swapped days come from the announced calendars shipped with the
//! crate, or a rule-based proposal for years not yet announced. Limits have explicit units
//! (`8wh`, `15wd`, `30cd`), and a deadline explains itself.
//!
//! ```
//! use motcua_core::calendar::{default_windows, to_local_rfc3339, Duration, WorkingCalendar};
//!
//! let calendar = WorkingCalendar::national(default_windows())?;
//! // An online dossier submitted on Friday 13 February 2026 at 16:00 must be accepted within
//! // 8 working hours; Tết closes offices from Monday 16 to Friday 20 February.
//! let submitted = "2026-02-13T16:00:00+07:00".parse::<chrono::DateTime<chrono::FixedOffset>>()?;
//! let due = calendar.due(submitted.to_utc(), Duration::working_hours(8))?;
//! assert_eq!(to_local_rfc3339(due), "2026-02-23T16:00:00+07:00");
//!
//! // Why that instant: the days skipped, each with its source.
//! let why = calendar.explain(submitted.to_utc(), "8wh".parse()?)?;
//! assert_eq!(why.due, due);
//! assert!(why.to_string().contains("Tết"), "{why}");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A province or an agency lays its own exceptions and windows over the national calendar
//! ([`calendar::CalendarSpec`], national → province → agency) and compiles it once
//! ([`calendar::WorkingCalendar::compile`]); `due` and `working_time` are then binary searches.
//!
//! # 2. Procedures
//!
//! A procedure version is a TOML file (`docs/procedure-format.md`): the catalogue entry as
//! the authority published it, and the internal workflow as a graph of steps, each with a
//! role and an allowance. [`procedure::Procedure::load`] checks everything at once and reports
//! every problem with its line and column; the report is an ordinary error.
//!
//! ```
//! use motcua_core::procedure::Procedure;
//!
//! const FILE: &str = r#"
//! format = 1
//!
//! [procedure]
//! code = "1.000001"
//! version = "2026.1"
//! name = "Thủ tục chứng thực bản sao"
//! field = "Chứng thực"
//! agency_levels = ["commune"]
//! service_level = { legacy = 2, online = "none" }
//! rule_pack = "nd118-2025"
//! time_limit = "2wd"
//! applicants = "Cá nhân, tổ chức"
//! handling_agency = "Ủy ban nhân dân cấp xã"
//! result = "Bản sao được chứng thực"
//!
//! [[component]]
//! name = "Bản chính giấy tờ"
//! originals = 1
//!
//! [[step]]
//! id = "tiep-nhan"
//! name = "Tiếp nhận"
//! role = "reception-officer"
//! allowance = "4wh"
//!
//! [[step]]
//! id = "ky"
//! name = "Lãnh đạo ký chứng thực"
//! role = "agency-leader"
//! allowance = "12wh"
//! end = true
//!
//! [[transition]]
//! from = "tiep-nhan"
//! to = "ky"
//! action = "forward"
//! "#;
//!
//! let (procedure, warnings) = Procedure::load("chung-thuc.toml", FILE)?;
//! assert_eq!(procedure.catalogue.time_limit.to_string(), "2wd");
//! assert_eq!(procedure.start().id, "tiep-nhan");
//! assert!(!warnings.has_errors());
//!
//! // A mistake is reported where it is, with everything it breaks: the transition names a
//! // step that does not exist, so the first step has no way to the end and `ky` cannot be
//! // reached.
//! let broken = FILE.replace(r#"to = "ky""#, r#"to = "phe-duyet""#);
//! let report = Procedure::load("chung-thuc.toml", &broken).unwrap_err();
//! assert_eq!(report.errors().count(), 3);
//! let line = broken.lines().position(|l| l.contains("phe-duyet")).unwrap() + 1;
//! assert!(report.errors().any(|d| d.line == line && d.message.contains("phe-duyet")));
//! // `Report` is a `std::error::Error`: `?` takes it into any error type.
//! let as_error: Box<dyn std::error::Error> = Box::new(report);
//! assert!(as_error.to_string().starts_with("chung-thuc.toml:"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # 3. Dossiers: commands in, events out
//!
//! A [`dossier::Dossier`] changes only through [`dossier::execute`]: the engine decides a
//! [`dossier::Command`] against the actor, the state, the current step and the procedure's
//! rules, and answers with sealed [`dossier::RecordedEvent`]s, or a [`dossier::Rejection`]
//! (a stable code and a reason in Vietnamese and English) that changed nothing. Every field
//! of a dossier is readable; none is writable from outside (the compile-fail example on
//! [`dossier::Dossier`]). Events carry every computed value, so a log replays into the same
//! dossier without a calendar, and each event's SHA-256 hash covers the one before it.
//!
//! ```
//! use motcua_core::calendar::{default_windows, WorkingCalendar};
//! use motcua_core::dossier::{
//!     execute, verify, Actor, AgencyId, Applicant, Channel, Command, Ctx, Dossier, State,
//! };
//! use motcua_core::procedure::{Procedure, Role};
//! use std::sync::Arc;
//! # let file = include_str!("../../examples/procedures/ho-kinh-doanh.toml");
//! let (procedure, _) = Procedure::load("ho-kinh-doanh.toml", file)?;
//! let calendar = Arc::new(WorkingCalendar::national(default_windows())?);
//! let agency = AgencyId::parse("000.20.31.H53")?;
//! let desk = Actor::staff("can-bo-mot-cua", agency.clone(), vec![Role::ReceptionOfficer]);
//! let ctx = |now: &str, actor| -> Result<_, Box<dyn std::error::Error>> {
//!     Ok(Ctx { now: now.parse()?, actor, procedure: &procedure, calendar: &calendar })
//! };
//!
//! let mut dossier = Dossier::new("hs-1", agency.clone());
//! let mut log = Vec::new();
//! // Brought to the desk on Monday 20 April 2026 at 09:00, and accepted.
//! let submit = Command::Submit {
//!     channel: Channel::Direct,
//!     applicant: Applicant { name: "Nguyễn Văn An".into(), ..Applicant::default() },
//!     owner: None,
//!     form: Default::default(),
//!     components: vec!["Giấy đề nghị đăng ký hộ kinh doanh".into()],
//!     files: vec![],
//! };
//! log.extend(execute(&mut dossier, &submit, &ctx("2026-04-20T09:00:00+07:00", &desk)?)?);
//! log.extend(execute(
//!     &mut dossier,
//!     &Command::Accept { sequence: 1 },
//!     &ctx("2026-04-20T09:05:00+07:00", &desk)?,
//! )?);
//! assert_eq!(dossier.state, State::InProgress);
//! assert_eq!(dossier.code.as_ref().map(ToString::to_string).as_deref(),
//!            Some("000.20.31.H53-260420-0001"));
//! let appointment = dossier.clock.appointment.expect("an appointment");
//!
//! // A command the actor may not run is refused, and nothing changes.
//! let citizen = Actor::applicant("cong-dan");
//! let refused = execute(
//!     &mut dossier,
//!     &Command::Stop { reason: "?".into() },
//!     &ctx("2026-04-20T10:00:00+07:00", &citizen)?,
//! )
//! .unwrap_err();
//! assert_eq!(refused.code, "forbidden");
//! assert_eq!(dossier.version, log.len() as u64);
//!
//! // The log verifies, and replays into the same dossier.
//! verify(&log)?;
//! assert_eq!(Dossier::replay("hs-1", agency, &log, &procedure)?, dossier);
//! assert_eq!(dossier.clock.appointment, Some(appointment));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! [`dossier::available`] lists the commands an actor may run now, with the fields each needs,
//! so that a page or a form offers exactly those. [`dossier::Dossier::apply`] folds an event
//! read from storage into a dossier, and only if it is the next link of its chain.
//!
//! # 4. Scripts: a procedure's own rules
//!
//! Extensions, apologies and supplement requests follow standard rules written in Rhai
//! ([`script::STANDARD_EXTENSION`] and friends), which a procedure file may replace, and a
//! workflow transition may carry a guard or an effect. Scripts run in a sandbox: no modules,
//! no clock, no I/O, limits on operations, depth and sizes; they see the dossier, the
//! request, `now` and the agency's calendar as `cal`. A failing script is a refusal, never
//! a panic.
//!
//! ```
//! use motcua_core::calendar::{default_windows, WorkingCalendar};
//! use motcua_core::script::Script;
//! use std::sync::Arc;
//!
//! let calendar = Arc::new(WorkingCalendar::national(default_windows())?);
//! let rule = Script::compile(
//!     r#"if request.days > 10 {
//!            #{ allow: false, reason: "Gia hạn tối đa 10 ngày làm việc." }
//!        } else {
//!            #{ appointment: cal.add_working_days(now, request.days),
//!               notify: [#{ to: "applicant", channels: ["portal", "sms"],
//!                           message: "Hồ sơ được gia hạn." }] }
//!        }"#,
//! )?;
//! let now = "2026-04-24T16:00:00+07:00".parse()?;
//! let granted = rule.run(&(), &serde_json::json!({ "days": 3 }), now, &calendar)?;
//! // Monday 27 April (Hùng Kings' day, moved from Sunday), Thursday 30 April and Friday
//! // 1 May are days off: three working days later is Monday 4 May.
//! assert_eq!(granted.appointment.as_deref(), Some("2026-05-04T16:00:00+07:00"));
//! assert_eq!(granted.notify[0].message(), "Hồ sơ được gia hạn.");
//! let refused = rule.run(&(), &serde_json::json!({ "days": 30 }), now, &calendar)?;
//! assert!(!refused.allow);
//!
//! // Limits turn a runaway script into an error.
//! let spin = Script::compile("loop { }")?;
//! assert!(spin.run(&(), &(), now, &calendar).is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Formats and stability
//!
//! Two formats are serialized on purpose and versioned: the procedure file
//! ([`procedure::FORMAT`]) and the event log ([`dossier::event::EVENT_FORMAT`]; each event
//! records the format it was sealed in, and every earlier format still reads and verifies).
//! The public API of this crate is listed in `motcua-core/public-api.txt`, checked by CI, so
//! that a change to it shows in review; `CHANGELOG.md` says what changed and why.

#![deny(missing_docs)]

pub mod calendar;
pub mod dossier;
pub mod evaluation;
mod newtype;
pub mod procedure;
pub mod scenario;
pub mod script;
pub mod text;
