//! The Rhai sandbox: procedure scripts compile once, run with limits, and return decisions.
//!
//! Scripts are guards and effects on workflow transitions and the standard extension,
//! apology and supplement rules (`scripts/*.rhai`, overridable per procedure). The engine
//! has no modules, no clock, no I/O, no floating point; operations, call depth, expression
//! depth and string/array/map sizes are limited before anything compiles. A script that
//! fails or hits a limit turns the command into a refusal; nothing changes.

use chrono::{DateTime, NaiveDate, Utc};
use rhai::{AST, Dynamic, Engine, EvalAltResult, Map, Scope};
use serde::{Deserialize, Serialize};
use std::sync::{Arc, OnceLock};

use crate::calendar::{Duration, WorkingCalendar, to_local_rfc3339};
use crate::dossier::event::Notification;
#[cfg(doc)]
use crate::dossier::event::Recipient;

/// The standard extension rule.
pub const STANDARD_EXTENSION: &str = include_str!("../scripts/extension.rhai");
/// The standard apology rule.
pub const STANDARD_APOLOGY: &str = include_str!("../scripts/apology.rhai");
/// The standard supplement rule.
pub const STANDARD_SUPPLEMENT: &str = include_str!("../scripts/supplement.rhai");

/// Limits of the sandbox.
pub mod limits {
    /// Operations one script run may perform.
    pub const MAX_OPERATIONS: u64 = 100_000;
    /// Nested function calls.
    pub const MAX_CALL_LEVELS: usize = 16;
    /// Expression nesting (global, in functions).
    pub const MAX_EXPR_DEPTH: (usize, usize) = (64, 32);
    /// Bytes in one string.
    pub const MAX_STRING: usize = 16 * 1024;
    /// Items in one array.
    pub const MAX_ARRAY: usize = 1024;
    /// Entries in one map.
    pub const MAX_MAP: usize = 1024;
}

/// A script that failed to compile, with its position inside the script.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} (script line {line}, column {column})")]
pub struct CompileError {
    /// What is wrong.
    pub message: String,
    /// 1-based line inside the script.
    pub line: usize,
    /// 1-based column inside the script.
    pub column: usize,
}

/// A compiled script.
#[derive(Clone, Debug)]
pub struct Script {
    ast: Arc<AST>,
}

/// The calendar as scripts see it: `cal.add_working_days(now, 3)` and friends.
#[derive(Clone)]
pub struct CalendarHandle(pub Arc<WorkingCalendar>);

/// What a script decided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    /// Whether the command may go ahead (default true).
    pub allow: bool,
    /// Why it may not, or a note, in Vietnamese.
    pub reason: String,
    /// A new appointment (RFC 3339), for extensions and apologies.
    pub appointment: Option<String>,
    /// Notifications to emit: a script writes each as a map `#{ to: "applicant", channels:
    /// ["portal", "sms"], message: "…" }` (`to` as [`Recipient::from_text`] reads it).
    pub notify: Vec<Notification>,
    /// A flag to record on the dossier (e.g. `late-supplement-request`).
    pub flag: Option<String>,
}

impl Default for Decision {
    fn default() -> Decision {
        Decision {
            allow: true,
            reason: String::new(),
            appointment: None,
            notify: Vec::new(),
            flag: None,
        }
    }
}

/// A decision as a script writes it (a Rhai map).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Written {
    #[serde(default = "yes")]
    allow: bool,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    appointment: Option<String>,
    #[serde(default)]
    notify: Vec<WrittenNotification>,
    #[serde(default)]
    flag: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WrittenNotification {
    to: String,
    #[serde(default)]
    channels: Vec<String>,
    message: String,
}

impl Written {
    fn into_decision(self) -> Result<Decision, RunError> {
        let mut notify = Vec::with_capacity(self.notify.len());
        for n in self.notify {
            notify.push(
                Notification::from_text(&n.to, &n.channels, &n.message)
                    .map_err(|e| RunError(format!("the script's notification: {e}")))?,
            );
        }
        Ok(Decision {
            allow: self.allow,
            reason: self.reason,
            appointment: self.appointment,
            notify,
            flag: self.flag,
        })
    }
}

fn yes() -> bool {
    true
}

/// Why running a script failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct RunError(pub String);

fn instant(text: &str) -> Result<DateTime<Utc>, Box<EvalAltResult>> {
    DateTime::parse_from_rfc3339(text)
        .map(|d| d.to_utc())
        .map_err(|e| format!("`{text}` is not an RFC 3339 instant: {e}").into())
}

fn add(cal: &mut CalendarHandle, t: &str, d: Duration) -> Result<String, Box<EvalAltResult>> {
    let due = cal
        .0
        .due(instant(t)?, d)
        .map_err(|e| -> Box<EvalAltResult> { e.to_string().into() })?;
    Ok(to_local_rfc3339(due))
}

fn amount(n: i64) -> Result<u32, Box<EvalAltResult>> {
    u32::try_from(n).map_err(|_| format!("{n} is not a valid amount").into())
}

fn build_engine() -> Engine {
    let mut engine = Engine::new();
    engine.set_max_operations(limits::MAX_OPERATIONS);
    engine.set_max_call_levels(limits::MAX_CALL_LEVELS);
    engine.set_max_expr_depths(limits::MAX_EXPR_DEPTH.0, limits::MAX_EXPR_DEPTH.1);
    engine.set_max_string_size(limits::MAX_STRING);
    engine.set_max_array_size(limits::MAX_ARRAY);
    engine.set_max_map_size(limits::MAX_MAP);
    engine.disable_symbol("eval");
    // `print` and `debug` would be I/O; they do nothing here.
    engine.on_print(|_| {});
    engine.on_debug(|_, _, _| {});
    engine
        .register_type_with_name::<CalendarHandle>("Calendar")
        .register_fn(
            "add_working_days",
            |c: &mut CalendarHandle, t: &str, n: i64| add(c, t, Duration::working_days(amount(n)?)),
        )
        .register_fn(
            "add_working_hours",
            |c: &mut CalendarHandle, t: &str, n: i64| {
                add(c, t, Duration::working_hours(amount(n)?))
            },
        )
        .register_fn(
            "add_duration",
            |c: &mut CalendarHandle, t: &str, d: &str| -> Result<String, Box<EvalAltResult>> {
                let d: Duration = d.parse().map_err(
                    |e: crate::calendar::CalendarError| -> Box<EvalAltResult> {
                        e.to_string().into()
                    },
                )?;
                add(c, t, d)
            },
        )
        .register_fn(
            "is_working_day",
            |c: &mut CalendarHandle, d: &str| -> Result<bool, Box<EvalAltResult>> {
                let date: NaiveDate = d
                    .get(..10)
                    .unwrap_or(d)
                    .parse()
                    .map_err(|_| -> Box<EvalAltResult> { format!("`{d}` is not a date").into() })?;
                c.0.is_working_day(date)
                    .map_err(|e| -> Box<EvalAltResult> { e.to_string().into() })
            },
        )
        .register_fn(
            "working_minutes_between",
            |c: &mut CalendarHandle, a: &str, b: &str| -> Result<i64, Box<EvalAltResult>> {
                c.0.working_time(instant(a)?, instant(b)?)
                    .map(|w| w.minutes())
                    .map_err(|e| -> Box<EvalAltResult> { e.to_string().into() })
            },
        )
        .register_fn(
            "is_before",
            |a: &str, b: &str| -> Result<bool, Box<EvalAltResult>> {
                Ok(instant(a)? < instant(b)?)
            },
        );
    engine
}

/// The one sandboxed engine (Rhai engines are `Sync` with the `sync` feature).
fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(build_engine)
}

impl Script {
    /// Compiles a script in the sandbox.
    pub fn compile(source: &str) -> Result<Script, CompileError> {
        engine()
            .compile(source)
            .map(|ast| Script { ast: Arc::new(ast) })
            .map_err(|e| CompileError {
                message: e.err_type().to_string(),
                line: e.position().line().unwrap_or(1),
                column: e.position().position().unwrap_or(1),
            })
    }

    /// Runs the script with `dossier`, `request` and `now` in scope, plus `cal`, and reads its
    /// result: `true`/`false`, or a map with `allow`, `reason`, `appointment`, `notify`, `flag`.
    pub fn run(
        &self,
        dossier: &impl Serialize,
        request: &impl Serialize,
        now: DateTime<Utc>,
        calendar: &Arc<WorkingCalendar>,
    ) -> Result<Decision, RunError> {
        let err = |e: Box<EvalAltResult>| RunError(e.to_string());
        let mut scope = Scope::new();
        scope.push_constant("dossier", rhai::serde::to_dynamic(dossier).map_err(err)?);
        scope.push_constant("request", rhai::serde::to_dynamic(request).map_err(err)?);
        scope.push_constant("now", to_local_rfc3339(now));
        scope.push_constant("cal", CalendarHandle(Arc::clone(calendar)));
        let out: Dynamic = engine()
            .eval_ast_with_scope(&mut scope, &self.ast)
            .map_err(|e| RunError(describe(&e)))?;
        if let Some(b) = out.clone().try_cast::<bool>() {
            return Ok(Decision {
                allow: b,
                ..Decision::default()
            });
        }
        if out.is_map() {
            let map: Map = out.cast();
            let written: Written = rhai::serde::from_dynamic(&Dynamic::from_map(map))
                .map_err(|e| RunError(format!("the script returned an unexpected map: {e}")))?;
            return written.into_decision();
        }
        Err(RunError(format!(
            "the script must return true, false or a map, not {}",
            out.type_name()
        )))
    }
}

fn describe(e: &EvalAltResult) -> String {
    match e {
        EvalAltResult::ErrorTooManyOperations(_) => {
            format!(
                "the script exceeded its limit of {} operations",
                limits::MAX_OPERATIONS
            )
        }
        EvalAltResult::ErrorStackOverflow(_) => "the script nested calls too deeply".into(),
        EvalAltResult::ErrorDataTooLarge(what, _) => format!("the script built a {what} too large"),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::default_windows;

    fn cal() -> Arc<WorkingCalendar> {
        Arc::new(
            WorkingCalendar::compile(
                &crate::calendar::CalendarSpec::national(default_windows()),
                &crate::calendar::NationalHolidays::builtin().expect("data"),
                2025..=2027,
            )
            .expect("compiles"),
        )
    }

    fn now() -> DateTime<Utc> {
        "2026-03-02T08:00:00+07:00".parse().expect("instant")
    }

    #[test]
    fn standard_scripts_compile() {
        for s in [STANDARD_EXTENSION, STANDARD_APOLOGY, STANDARD_SUPPLEMENT] {
            Script::compile(s).expect("standard script compiles");
        }
    }

    #[test]
    fn limits_turn_into_errors_not_hangs() {
        let c = cal();
        let spin = Script::compile("let x = 0; loop { x += 1; }").expect("compiles");
        let e = spin
            .run(&(), &(), now(), &c)
            .expect_err("hits the operation limit");
        assert!(e.0.contains("operations"), "{e}");
        let big = Script::compile(r#"let s = "x"; loop { s += s; }"#).expect("compiles");
        assert!(big.run(&(), &(), now(), &c).is_err());
        let deep = Script::compile("fn f(n) { f(n + 1) } f(0)").expect("compiles");
        assert!(deep.run(&(), &(), now(), &c).is_err());
        assert!(Script::compile("eval(\"1\")").is_err(), "eval is disabled");
    }

    #[test]
    fn calendar_functions_and_map_results() {
        let c = cal();
        let s = Script::compile(
            r#"#{ allow: cal.is_working_day("2026-02-17") == false,
                 appointment: cal.add_working_days(now, 3),
                 reason: `${request.x}` }"#,
        )
        .expect("compiles");
        let d = s
            .run(&(), &serde_json::json!({"x": 5}), now(), &c)
            .expect("runs");
        assert!(d.allow);
        assert_eq!(d.appointment.as_deref(), Some("2026-03-05T08:00:00+07:00"));
        assert_eq!(d.reason, "5");
    }

    #[test]
    fn compile_errors_have_positions() {
        let e = Script::compile("let x = ;\n").expect_err("syntax error");
        assert_eq!(e.line, 1);
        assert!(e.column > 1);
    }
}
