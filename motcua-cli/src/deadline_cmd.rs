//! `motcua deadline`: due instants in working time, one at a time or in batches.

use anyhow::Context;
use chrono::{DateTime, NaiveTime, Utc};
use clap::Args;
use motcua_core::calendar::{Duration, WorkingCalendar, parse_windows, to_local_rfc3339};
use serde::Deserialize;
use std::io::{BufRead, Write};

use crate::{CliError, bad_input};

#[derive(Args)]
pub struct DeadlineArgs {
    /// The start instant, RFC 3339 (e.g. 2026-02-13T16:00:00+07:00).
    #[arg(long, required_unless_present = "batch")]
    from: Option<String>,
    /// The time limit: a whole number and a unit: m (working minutes), wh (working hours),
    /// wd (working days of 8 hours), cd (calendar days). E.g. 15wd.
    #[arg(long, required_unless_present = "batch")]
    add: Option<String>,
    /// Print how the due instant was computed.
    #[arg(long)]
    explain: bool,
    /// Print JSON: {"due": "..."} and details.
    #[arg(long)]
    json: bool,
    /// Read JSON lines {"from": "...", "add": "15wd"} on standard input; write one JSON line
    /// {"due": "..."} or {"error": "..."} per input line, in order.
    #[arg(long, conflicts_with_all = ["from", "add", "explain"])]
    batch: bool,
    /// Working windows, Monday to Friday.
    #[arg(long, default_value = "07:00-11:30,13:30-17:00")]
    windows: String,
    /// Cut-off time: a start at or after it counts from the next working day (e.g. 15:00).
    #[arg(long)]
    cutoff: Option<String>,
}

fn parse_instant(text: &str) -> anyhow::Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text.trim())
        .map(|d| d.to_utc())
        .map_err(|e| {
            anyhow::anyhow!(
                "`{text}` is not an RFC 3339 instant ({e}); e.g. 2026-02-13T16:00:00+07:00"
            )
        })
}

fn parse_duration(text: &str) -> anyhow::Result<Duration> {
    text.parse::<Duration>().map_err(anyhow::Error::from)
}

struct Job {
    calendar: WorkingCalendar,
    cutoff: Option<NaiveTime>,
}

impl Job {
    fn due(
        &self,
        from: DateTime<Utc>,
        add: Duration,
    ) -> anyhow::Result<(DateTime<Utc>, DateTime<Utc>)> {
        let start = self.calendar.counting_start(from, self.cutoff)?;
        Ok((start, self.calendar.due(start, add)?))
    }
}

pub fn run(args: DeadlineArgs) -> Result<(), CliError> {
    let windows = parse_windows(&args.windows).map_err(bad_input)?;
    let cutoff = match &args.cutoff {
        Some(c) => Some(
            NaiveTime::parse_from_str(c, "%H:%M")
                .map_err(|_| bad_input(anyhow::anyhow!("`{c}` is not a time HH:MM")))?,
        ),
        None => None,
    };
    let job = Job {
        calendar: WorkingCalendar::national(windows).context("building the national calendar")?,
        cutoff,
    };
    if args.batch {
        return batch(&job).map_err(CliError::Failure);
    }
    // clap guarantees both are present without --batch.
    let (from, add) = (args.from.unwrap_or_default(), args.add.unwrap_or_default());
    let from = parse_instant(&from).map_err(CliError::BadInput)?;
    let add = parse_duration(&add).map_err(CliError::BadInput)?;
    let (start, due) = job.due(from, add).map_err(CliError::BadInput)?;
    if args.json {
        let explanation = job.calendar.explain(start, add).map_err(bad_input)?;
        let mut value = serde_json::json!({
            "due": to_local_rfc3339(due),
            "from": to_local_rfc3339(from),
            "add": add.to_string(),
            "working_minutes": explanation.working_time.minutes(),
            "proposed_years": explanation.days.proposed_years,
        });
        if start != from {
            value["counting_start"] = to_local_rfc3339(start).into();
        }
        if args.explain {
            value["explanation"] = serde_json::to_value(&explanation).context("writing JSON")?;
        }
        println!("{value}");
    } else {
        println!("{}", to_local_rfc3339(due));
        let explanation = job.calendar.explain(start, add).map_err(bad_input)?;
        for y in &explanation.days.proposed_years {
            eprintln!(
                "warning: the national calendar of {y} is a rule-based proposal, not yet announced; this due may change"
            );
        }
        if args.explain {
            if start != from {
                println!(
                    "cut-off: received {} at or after the cut-off, counting from {}",
                    to_local_rfc3339(from),
                    to_local_rfc3339(start)
                );
            }
            print!("{explanation}");
        }
    }
    Ok(())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BatchLine {
    from: String,
    add: String,
}

fn batch(job: &Job) -> anyhow::Result<()> {
    let stdin = std::io::stdin().lock();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for line in stdin.lines() {
        let line = line.context("reading standard input")?;
        if line.trim().is_empty() {
            continue;
        }
        let answer = serde_json::from_str::<BatchLine>(&line)
            .map_err(|e| anyhow::anyhow!("malformed line: {e}"))
            .and_then(|l| {
                let from = parse_instant(&l.from)?;
                let add = parse_duration(&l.add)?;
                job.due(from, add)
            });
        let value = match answer {
            Ok((_, due)) => serde_json::json!({"due": to_local_rfc3339(due)}),
            Err(e) => serde_json::json!({"error": format!("{e:#}")}),
        };
        writeln!(out, "{value}").context("writing standard output")?;
    }
    out.flush().context("writing standard output")?;
    Ok(())
}
