//! `motcua calendar`: a year's holidays, lunar ↔ solar conversion.

use anyhow::Context;
use chrono::{Datelike, NaiveDate};
use clap::Subcommand;
use motcua_core::calendar::{
    DayInfo, WorkingCalendar, YearReport, YearStatus, lunar, lunar::LunarDate, parse_windows,
};

use crate::{CliError, bad_input};

#[derive(Subcommand)]
pub enum CalendarCommand {
    /// Lists the non-working days and make-up working days of a year, with names and sources.
    Show {
        /// The solar year.
        year: i32,
        /// Working windows, Monday to Friday.
        #[arg(long, default_value = "07:00-11:30,13:30-17:00")]
        windows: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Converts a solar date (YYYY-MM-DD) to the Vietnamese lunar date, as JSON.
    Lunar {
        /// The solar date, YYYY-MM-DD.
        date: String,
    },
    /// Converts a Vietnamese lunar date to the solar date (YYYY-MM-DD).
    Solar {
        /// Lunar year.
        year: i32,
        /// Lunar month, 1..=12.
        month: u32,
        /// Lunar day, 1..=30.
        day: u32,
        /// The leap month of that number.
        #[arg(long)]
        leap: bool,
    },
    /// Confirms a year's national days against the government's announcement (pending
    /// until applied).
    Confirm(crate::calendar_change_cmd::ConfirmArgs),
    /// Sets the Monday-to-Friday working windows of the deployment or of an agency, from a
    /// date or for every date (pending until applied).
    Set(crate::calendar_change_cmd::SetArgs),
    /// Adds a day off or a make-up working day, with its source, to the deployment's or an
    /// agency's calendar (pending until applied).
    Except(crate::calendar_change_cmd::ExceptArgs),
    /// Shows what applying the pending calendar changes now would do to the deadlines of the
    /// dossiers in flight.
    Preview {
        /// How many dossiers to list per agency (all are counted).
        #[arg(long, default_value_t = 20)]
        limit: usize,
        #[command(flatten)]
        db: crate::store_cmd::DatabaseArg,
    },
    /// Applies the pending calendar changes and reprojects the deadlines of the dossiers in
    /// flight they concern, with a progress bar.
    Apply {
        #[command(flatten)]
        db: crate::store_cmd::DatabaseArg,
    },
    /// Finishes reprojecting the dossiers of the changes applied (after a crash, or in a
    /// process of its own); running it again changes nothing.
    Reproject {
        #[command(flatten)]
        db: crate::store_cmd::DatabaseArg,
    },
}

pub fn run(cmd: CalendarCommand) -> Result<(), CliError> {
    use crate::calendar_change_cmd as change;
    match cmd {
        CalendarCommand::Confirm(a) => change::confirm(a),
        CalendarCommand::Set(a) => change::set(a),
        CalendarCommand::Except(a) => change::except(a),
        CalendarCommand::Preview { limit, db } => change::preview(db, limit),
        CalendarCommand::Apply { db } => change::apply(db),
        CalendarCommand::Reproject { db } => change::reproject(db),
        CalendarCommand::Show {
            year,
            windows,
            json,
        } => {
            let windows = parse_windows(&windows).map_err(bad_input)?;
            let calendar = WorkingCalendar::national(windows.clone())
                .context("building the national calendar")?;
            let report = calendar.year_report(year).map_err(bad_input)?;
            if json {
                let text = serde_json::to_string_pretty(&report).context("writing JSON")?;
                println!("{text}");
            } else {
                let windows: Vec<String> = windows.iter().map(ToString::to_string).collect();
                print!("{}", render_year(&report, &windows.join(", ")));
            }
            Ok(())
        }
        CalendarCommand::Lunar { date } => {
            let date = NaiveDate::parse_from_str(&date, "%Y-%m-%d")
                .map_err(|_| bad_input(anyhow::anyhow!("`{date}` is not a date YYYY-MM-DD")))?;
            let l = lunar::to_lunar(date).map_err(bad_input)?;
            println!(
                "{}",
                serde_json::json!({"year": l.year, "month": l.month, "day": l.day, "leap": l.leap})
            );
            Ok(())
        }
        CalendarCommand::Solar {
            year,
            month,
            day,
            leap,
        } => {
            let d = lunar::to_solar(LunarDate {
                year,
                month,
                day,
                leap,
            })
            .map_err(bad_input)?;
            println!("{}", d.format("%Y-%m-%d"));
            Ok(())
        }
    }
}

const WEEKDAYS_VI: [&str; 7] = ["T2", "T3", "T4", "T5", "T6", "T7", "CN"];

fn line(i: &DayInfo, proposed_mark: bool) -> String {
    let d = i.exception.date;
    let weekend = matches!(d.weekday(), chrono::Weekday::Sat | chrono::Weekday::Sun);
    format!(
        "  {} {:<2}  {}{}{}\n      nguồn / source: {}\n",
        d.format("%Y-%m-%d"),
        WEEKDAYS_VI[d.weekday().num_days_from_monday() as usize],
        i.exception.name,
        if weekend
            && matches!(
                i.exception.kind,
                motcua_core::calendar::ExceptionKind::DayOff
            )
        {
            " (trùng ngày nghỉ cuối tuần)"
        } else {
            ""
        },
        if proposed_mark && i.proposed {
            " [ĐỀ XUẤT]"
        } else {
            ""
        },
        i.exception.source
    )
}

/// The text of `motcua calendar show`.
pub fn render_year(r: &YearReport, windows: &str) -> String {
    let mut out = format!("Lịch nghỉ lễ, Tết năm {} (khu vực nhà nước)\n", r.year);
    match &r.status {
        YearStatus::Confirmed { announced } => {
            out += &format!("trạng thái: ĐÃ CÔNG BỐ (confirmed): {announced}\n");
        }
        YearStatus::Proposed => {
            out += "trạng thái: ĐỀ XUẤT (proposed): tính theo quy tắc của Bộ luật Lao động 2019, \
                    chưa có thông báo chính thức; quản trị viên cần xác nhận trước khi sử dụng\n";
        }
    }
    out += &format!("giờ làm việc / windows: thứ Hai – thứ Sáu, {windows}\n");
    out += &format!("ngày nghỉ / days off ({}):\n", r.days_off.len());
    for i in &r.days_off {
        out += &line(i, true);
    }
    out += &format!(
        "ngày làm bù / make-up working days ({}):\n",
        r.working_days.len()
    );
    for i in &r.working_days {
        out += &line(i, true);
    }
    out += &format!(
        "số ngày làm việc / working days: {}; thời gian làm việc / working hours: {}\n",
        r.working_day_count,
        r.working_time.secs() / 3600
    );
    out
}
