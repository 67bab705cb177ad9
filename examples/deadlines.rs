//! Embeds the motcua calendar: the legal clocks of one online dossier.
//!
//! Run: `cargo run -p motcua-examples --example deadlines`

use chrono::{DateTime, NaiveTime, Utc};
use motcua_core::calendar::{
    CalendarSpec, Duration, Layer, MonthDay, NationalHolidays, Period, Season, Timeliness,
    WeeklySchedule, WorkingCalendar, default_windows, parse_windows, to_local_rfc3339,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // A province that works 07:30-12:00, 13:00-16:30 in winter (October to March).
    let winter = Season {
        name: "Giờ làm việc mùa đông".into(),
        period: Period::Annual {
            from: MonthDay { month: 10, day: 1 },
            to: MonthDay { month: 3, day: 31 },
        },
        schedule: WeeklySchedule::office_week(parse_windows("07:30-12:00,13:00-16:30")?),
    };
    let spec = CalendarSpec::national(default_windows()).with_layer(Layer {
        name: "UBND tỉnh Sóc Trăng".into(),
        schedule: None,
        seasons: vec![winter],
        national_holidays: false,
        exceptions: Vec::new(),
    });
    let calendar = WorkingCalendar::compile(&spec, &NationalHolidays::builtin()?, 2025..=2028)?;

    // Submitted online on Friday 13 February 2026 at 16:10, just before Tết.
    let submitted: DateTime<Utc> = "2026-02-13T16:10:00+07:00".parse()?;
    let intake_due = calendar.due(submitted, Duration::working_hours(8))?;
    println!("submitted         {}", to_local_rfc3339(submitted));
    println!(
        "accept by         {} (8 working hours)",
        to_local_rfc3339(intake_due)
    );

    // Accepted on Monday 23 February at 09:00: the 15-working-day clock starts then.
    let accepted: DateTime<Utc> = "2026-02-23T09:00:00+07:00".parse()?;
    let appointment = calendar.due(accepted, Duration::working_days(15))?;
    println!("accepted          {}", to_local_rfc3339(accepted));
    println!(
        "appointment       {} (15 working days)",
        to_local_rfc3339(appointment)
    );

    // Paper received after the 15:00 cut-off counts from the next working day.
    let paper: DateTime<Utc> = "2026-02-23T15:20:00+07:00".parse()?;
    let start = calendar.counting_start(paper, NaiveTime::from_hms_opt(15, 0, 0))?;
    println!("paper at 15:20    counts from {}", to_local_rfc3339(start));

    // Returned on the Friday before the appointment.
    let returned = appointment - chrono::TimeDelta::days(3);
    let verdict = Timeliness::classify(returned, appointment);
    println!(
        "returned          {} ({})",
        to_local_rfc3339(returned),
        verdict.label_vi()
    );

    println!("\nhow the appointment was computed:");
    print!(
        "{}",
        calendar.explain(accepted, Duration::working_days(15))?
    );
    Ok(())
}
