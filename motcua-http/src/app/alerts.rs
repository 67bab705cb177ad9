//! Alerts (docs/notifications.md): what staff must be reminded of, computed by a job that
//! one server at a time runs. Each alert has a key (what, which dossier or feedback, which
//! due), so that it is raised once however often the job runs; its notice goes through the
//! outbox to the portal inbox and the email of the staff concerned.
//!
//! - An online dossier not accepted within two hours of its 8-working-hour intake due, or
//!   past it (Điều 11.2): the agency's reception officers.
//! - A consultation past its deadline that a consulted agency has not answered
//!   (Điều 14.3.c): the supervisors of the service center, at the agency or above it.
//! - Feedback unanswered a day before its 3-working-day due, and past it (Điều 19): the
//!   agency's reception officers.
//! - A dossier past its appointment (Điều 16): the agency's leaders.
//! - A dossier waiting for a supplement longer than its procedure allows: the agency's
//!   reception officers.
//! - Each working day from 07:00, every officer with dossiers overdue or due that day at
//!   the steps of their roles: one digest with the counts and the most urgent.

use chrono::{DateTime, TimeDelta, Utc};
use motcua_core::calendar::to_local_vi;
use motcua_core::dossier::event::{DeliveryChannel, Notification, Recipient};
use motcua_store::QueueFilter;

use super::AppError;
use crate::AppState;

/// One alert to raise.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Alert {
    /// Raised once per key.
    pub key: String,
    /// The dossier (or `feedback:<id>`) it is about.
    pub subject: String,
    /// `staff:<agency>:<role>` or `oversight:<agency>:<role>` (the role at the agency or
    /// above it).
    pub to: String,
    /// The text.
    pub message: String,
}

fn named(code: &Option<String>, id: &str) -> String {
    code.clone().unwrap_or_else(|| format!("số {id}"))
}

/// Every alert due at `now`, for every agency.
pub async fn due(app: &AppState, now: DateTime<Utc>) -> Result<Vec<Alert>, AppError> {
    let config = app.config().await?;
    let mut out = Vec::new();
    let offset = TimeDelta::seconds(i64::from(motcua_core::calendar::VN_OFFSET_SECS));
    let local = now + offset;
    let today = local.date_naive();
    let digest_time = local.time() >= chrono::NaiveTime::from_hms_opt(7, 0, 0).unwrap_or_default()
        && config.calendar.is_working_day(today).unwrap_or(false);
    let end_of_today = (today + TimeDelta::days(1))
        .and_time(chrono::NaiveTime::MIN)
        .and_utc()
        - offset;
    for a in config.directory.all() {
        let agency = a.id.clone();
        if digest_time {
            out.extend(digests(app, &agency, &a.name, now, end_of_today, today).await?);
        }
        // Online submissions near or past their intake due.
        let waiting = app
            .store
            .queue(&QueueFilter {
                agency: agency.clone(),
                role: Some("reception-officer".into()),
                assignee: None,
                step: None,
                due_before: Some(now + TimeDelta::hours(2)),
                procedure: None,
                field: None,
                channel: Some("online".into()),
                limit: 500,
            })
            .await?;
        for d in waiting.iter().filter(|d| d.state == "submitted") {
            let Some(due) = d.due else { continue };
            let late = due < now;
            out.push(Alert {
                key: format!(
                    "intake:{}:{}:{}",
                    d.id,
                    due.timestamp(),
                    if late { "late" } else { "soon" }
                ),
                subject: d.id.clone(),
                to: format!("staff:{agency}:reception-officer"),
                message: format!(
                    "Hồ sơ trực tuyến số {} của {} {} hạn tiếp nhận lúc {} (8 giờ làm việc kể từ khi nộp). Đề nghị tiếp nhận hoặc trả lại với hướng dẫn.",
                    d.id,
                    d.applicant_name,
                    if late { "đã quá" } else { "sắp đến" },
                    to_local_vi(due)
                ),
            });
        }
        // Past the appointment.
        for d in app
            .store
            .overdue(std::slice::from_ref(&agency), now, 500)
            .await?
        {
            let Some(appointment) = d.appointment else {
                continue;
            };
            out.push(Alert {
                key: format!("overdue:{}:{}", d.id, appointment.timestamp()),
                subject: d.id.clone(),
                to: format!("staff:{agency}:agency-leader"),
                message: format!(
                    "Hồ sơ {} ({}) đã quá hẹn trả kết quả lúc {}. Đề nghị chỉ đạo giải quyết; nếu chậm, gửi văn bản xin lỗi và hẹn lại ngày trả kết quả.",
                    named(&d.code, &d.id),
                    d.applicant_name,
                    to_local_vi(appointment)
                ),
            });
        }
        // Consultations past their deadline, and supplements awaited too long.
        for d in app
            .store
            .consulting(std::slice::from_ref(&agency), 2000)
            .await?
        {
            for c in &d.consultations {
                let silent: Vec<String> = c
                    .agencies
                    .iter()
                    .filter(|x| !c.answers.contains_key(*x))
                    .map(|x| {
                        config
                            .directory
                            .get(x)
                            .map_or_else(|| x.clone(), |a| a.name.clone())
                    })
                    .collect();
                if c.deadline < now && !silent.is_empty() {
                    out.push(Alert {
                        key: format!("consultation:{}:{}", d.id, c.id),
                        subject: d.id.clone(),
                        to: format!("oversight:{agency}:supervisor"),
                        message: format!(
                            "Hồ sơ {}: {} chưa trả lời ý kiến về “{}”, hạn trả lời {} đã qua (Điều 14.3.c).",
                            named(&d.code.as_ref().map(ToString::to_string), &d.id),
                            silent.join(", "),
                            c.content,
                            to_local_vi(c.deadline)
                        ),
                    });
                }
            }
        }
        // Supplements awaited longer than the procedure allows.
        for d in app.store.awaiting_supplement(&agency, 1000).await? {
            let Some(p) = config.version_of(&d.procedure, &d.procedure_version) else {
                continue;
            };
            let calendar = config.calendar_for(&d.agency)?;
            if d.waiting_too_long(now, p, &calendar) {
                out.push(Alert {
                    key: format!("supplement-wait:{}:{}", d.id, d.supplement_rounds),
                    subject: d.id.clone(),
                    to: format!("staff:{agency}:reception-officer"),
                    message: format!(
                        "Hồ sơ {} ({}) chờ bổ sung lần {} đã quá thời gian theo dõi của thủ tục. Đề nghị liên hệ người nộp.",
                        named(&d.code.as_ref().map(ToString::to_string), &d.id),
                        d.applicant.name,
                        d.supplement_rounds
                    ),
                });
            }
        }
        // Feedback near or past its due.
        for f in app.store.feedback_to(&agency, 1000).await? {
            if f.answer.is_some() || f.due_at > now + TimeDelta::days(1) {
                continue;
            }
            let late = f.due_at < now;
            out.push(Alert {
                key: format!("feedback:{}:{}", f.id, if late { "late" } else { "soon" }),
                subject: format!("feedback:{}", f.id),
                to: format!("staff:{agency}:reception-officer"),
                message: format!(
                    "Phản ánh “{}” gửi lúc {} {} hạn trả lời lúc {} (3 ngày làm việc, Điều 19).",
                    f.subject,
                    to_local_vi(f.created_at),
                    if late { "đã quá" } else { "sắp đến" },
                    to_local_vi(f.due_at)
                ),
            });
        }
    }
    Ok(out)
}

/// The daily digests of an agency's officers: for each active account, the dossiers at the
/// steps of its processing roles that are overdue or due by the end of today.
async fn digests(
    app: &AppState,
    agency: &str,
    agency_name: &str,
    now: DateTime<Utc>,
    end_of_today: DateTime<Utc>,
    today: chrono::NaiveDate,
) -> Result<Vec<Alert>, AppError> {
    const PROCESSING: [&str; 5] = [
        "reception-officer",
        "department-head",
        "specialist",
        "agency-leader",
        "clerk",
    ];
    let mut out = Vec::new();
    for (u, grants) in app.store.users_at(agency).await? {
        if u.deactivated_at.is_some() {
            continue;
        }
        let mut due: Vec<motcua_store::DossierSummary> = Vec::new();
        for g in grants
            .iter()
            .filter(|g| g.agency_id == agency && PROCESSING.contains(&g.role.as_str()))
        {
            let list = app
                .store
                .queue(&QueueFilter {
                    agency: agency.to_string(),
                    role: Some(g.role.clone()),
                    assignee: None,
                    step: None,
                    due_before: Some(end_of_today),
                    procedure: None,
                    field: None,
                    channel: None,
                    limit: 500,
                })
                .await?;
            for d in list {
                // A named officer's dossier is theirs alone.
                if d.assignee.as_ref().is_none_or(|a| a == &u.id)
                    && !due.iter().any(|x| x.id == d.id)
                {
                    due.push(d);
                }
            }
        }
        if due.is_empty() {
            continue;
        }
        due.sort_by_key(|d| d.due);
        let overdue = due
            .iter()
            .filter(|d| d.due.is_some_and(|t| t < now))
            .count();
        let first: Vec<String> = due
            .iter()
            .take(5)
            .map(|d| {
                format!(
                    "– {} ({}), hạn {}",
                    named(&d.code, &d.id),
                    d.applicant_name,
                    d.due.map(to_local_vi).unwrap_or_default()
                )
            })
            .collect();
        out.push(Alert {
            key: format!("digest:{}:{agency}:{today}", u.id),
            subject: format!("digest:{}", u.id),
            to: u.id.clone(),
            message: format!(
                "Ngày {}, {agency_name}: {overdue} hồ sơ quá hạn, {} hồ sơ đến hạn trong ngày ở các bước của ông/bà.\n{}",
                today.format("%d/%m/%Y"),
                due.len() - overdue,
                first.join("\n")
            ),
        });
    }
    Ok(out)
}

/// Raises every alert due at `now` not raised before; answers how many were new.
pub async fn raise(app: &AppState, now: DateTime<Utc>) -> Result<usize, AppError> {
    let mut new = 0;
    for a in due(app, now).await? {
        let n = Notification::new(
            Recipient::from_text(&a.to),
            [DeliveryChannel::Portal, DeliveryChannel::Email],
            a.message.clone(),
        );
        let payload = serde_json::to_string(&n)
            .map_err(|e| AppError::from(motcua_store::StoreError::Integrity(e.to_string())))?;
        if app
            .store
            .raise_alert(&a.key, &a.subject, &payload, now)
            .await?
        {
            new += 1;
        }
    }
    Ok(new)
}
