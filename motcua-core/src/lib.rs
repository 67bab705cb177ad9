//! motcua-core: the embeddable engine of motcua, a one-stop administrative procedure system
//! for Vietnamese agencies.
//!
//! This crate is pure: it does no I/O and never reads the clock. Time, calendars and
//! identifiers come in as arguments.
//!
//! Today it holds the working-time [`calendar`]: Vietnamese lunar dates, national holidays
//! (announced years and rule-based proposals), working windows, and deadline arithmetic with
//! explicit units.
//!
//! ```
//! use motcua_core::calendar::{default_windows, Duration, WorkingCalendar};
//!
//! let calendar = WorkingCalendar::national(default_windows())?;
//! // An online dossier submitted on Friday 13 February 2026 at 16:00 must be accepted within
//! // 8 working hours; Tết closes offices from Monday 16 to Friday 20 February.
//! let submitted = "2026-02-13T16:00:00+07:00".parse::<chrono::DateTime<chrono::FixedOffset>>()?;
//! let due = calendar.due(submitted.to_utc(), Duration::working_hours(8))?;
//! assert_eq!(
//!     motcua_core::calendar::to_local_rfc3339(due),
//!     "2026-02-23T16:00:00+07:00"
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![warn(missing_docs)]

pub mod calendar;
pub mod dossier;
pub mod evaluation;
pub mod procedure;
pub mod scenario;
pub mod script;
pub mod text;
