//! The notifications the law requires (DOMAIN.md §8), from the outbox to the people they
//! are for (docs/notifications.md): who a notification reaches and through which channel,
//! its title and text for each channel, the applicant's portal inbox, and the dead letters
//! administrators see and retry. Sending is `crate::delivery`'s.

use motcua_core::dossier::Dossier;
use motcua_core::dossier::event::{DeliveryChannel, Notification, Recipient};
use motcua_store::{Delivery, InboxEntry, NewDelivery, NewInboxEntry, OutboxItem, StoreError};
use serde::Serialize;

use super::{AppError, Code, Principal, policy};
use crate::AppState;

/// The channels this server can send through.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Configured {
    /// A mail server is configured.
    pub email: bool,
    /// An SMS gateway is configured.
    pub sms: bool,
}

/// Where a notification goes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Recipients {
    /// Email addresses.
    pub email: Vec<String>,
    /// Phone numbers.
    pub sms: Vec<String>,
    /// Accounts whose portal inbox shows it.
    pub portal: Vec<String>,
}

fn looks_like_email(s: &str) -> bool {
    let s = s.trim();
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !s.chars().any(|c| c.is_whitespace() || c == ',' || c == ';')
        }
        None => false,
    }
}

/// A phone number's digits when it is one (8–15 digits, spaces, dots and dashes allowed, a
/// leading `+`).
fn phone(s: &str) -> Option<String> {
    let s = s.trim();
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    let clean = s
        .chars()
        .all(|c| c.is_ascii_digit() || " .-+()".contains(c));
    (clean && (8..=15).contains(&digits.len())).then(|| {
        if s.starts_with('+') {
            format!("+{digits}")
        } else {
            digits
        }
    })
}

/// The email and phone found in free text someone left as their contact.
fn in_contact(text: &str) -> (Option<String>, Option<String>) {
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .filter(|w| !w.is_empty())
        .collect();
    let email = words
        .iter()
        .map(|w| w.trim_matches(|c: char| "()<>.".contains(c)))
        .find(|w| looks_like_email(w))
        .map(str::to_string);
    let phone_no = words.iter().find_map(|w| phone(w)).or_else(|| {
        // A number written in groups ("0913 000 222").
        let digits: String = text.chars().filter(char::is_ascii_digit).collect();
        (email.is_none() && (8..=15).contains(&digits.len())).then_some(digits)
    });
    (email, phone_no)
}

fn push(v: &mut Vec<String>, x: Option<String>) {
    if let Some(x) = x.filter(|x| !x.trim().is_empty())
        && !v.contains(&x)
    {
        v.push(x);
    }
}

/// Who `n`, about `subject` (a dossier, or `feedback:<id>`), reaches: the applicant of the
/// dossier (the contacts on the dossier, else the account's), an account, or the contact
/// someone without an account left; only through the channels it names.
pub async fn recipients(
    app: &AppState,
    n: &Notification,
    dossier: Option<&Dossier>,
) -> Result<Recipients, AppError> {
    let mut r = Recipients::default();
    let account = |id: String| async move {
        match app.store.user(&id).await {
            Ok((u, _)) => Ok(Some(u)),
            Err(StoreError::NotFound(_)) => Ok(None),
            Err(e) => Err(AppError::from(e)),
        }
    };
    match n.recipient() {
        Recipient::Applicant => {
            if let Some(d) = dossier {
                let owner = match &d.owner {
                    Some(o) => account(o.clone()).await?,
                    None => None,
                };
                let email = Some(d.applicant.email.clone())
                    .filter(|e| looks_like_email(e))
                    .or_else(|| owner.as_ref().and_then(|u| u.email.clone()));
                push(&mut r.email, email.filter(|e| looks_like_email(e)));
                let ph = phone(&d.applicant.phone).or_else(|| {
                    owner
                        .as_ref()
                        .and_then(|u| u.phone.as_deref().and_then(phone))
                });
                push(&mut r.sms, ph);
                if let Some(u) = owner {
                    // The owner's choice of channels applies to the dossier's contacts too.
                    let (email, sms) = app.store.channels(&u.id).await?;
                    if !email {
                        r.email.clear();
                    }
                    if !sms {
                        r.sms.clear();
                    }
                    push(&mut r.portal, Some(u.id));
                }
            }
        }
        Recipient::Staff { agency, role } | Recipient::Oversight { agency, role } => {
            // Staff holding `role` at the agency, or (oversight) at it or any agency above it.
            let config = app.config().await?;
            let mut at = vec![agency.to_string()];
            if matches!(n.recipient(), Recipient::Oversight { .. }) {
                let mut current = config
                    .directory
                    .get(agency)
                    .and_then(|a| a.parent_id.clone());
                while let Some(up) = current {
                    current = config.directory.get(&up).and_then(|a| a.parent_id.clone());
                    at.push(up);
                }
            }
            for a in at {
                for (u, grants) in app.store.users_at(&a).await? {
                    let holds = grants
                        .iter()
                        .any(|g| g.role == role.as_str() && g.agency_id == a);
                    if holds && u.deactivated_at.is_none() {
                        push(
                            &mut r.email,
                            u.email.clone().filter(|e| looks_like_email(e)),
                        );
                        push(&mut r.portal, Some(u.id));
                    }
                }
            }
        }
        Recipient::Contact { contact } => {
            let (email, ph) = in_contact(contact);
            push(&mut r.email, email);
            push(&mut r.sms, ph);
        }
        Recipient::Account { id } => {
            if let Some(u) = account(id.clone()).await? {
                push(
                    &mut r.email,
                    u.email.clone().filter(|e| looks_like_email(e)),
                );
                push(&mut r.sms, u.phone.as_deref().and_then(phone));
                push(&mut r.portal, Some(u.id));
            }
        }
    }
    if !n.goes_through(DeliveryChannel::Email) {
        r.email.clear();
    }
    if !n.goes_through(DeliveryChannel::Sms) {
        r.sms.clear();
    }
    if !n.goes_through(DeliveryChannel::Portal) {
        r.portal.clear();
    }
    Ok(r)
}

/// The title of a notification caused by an event of `kind`, for a dossier with `code`.
pub fn title(kind: &str, code: Option<&str>) -> String {
    let of = |what: &str| match code {
        Some(c) => format!("Hồ sơ {c} {what}"),
        None => format!("Hồ sơ của ông/bà {what}"),
    };
    match kind {
        "accepted" => of("đã được tiếp nhận"),
        "returned-for-completion" => of("cần hoàn thiện trước khi tiếp nhận"),
        "refused" => of("không được tiếp nhận"),
        "supplement-requested" => of("cần bổ sung"),
        "payment-requested" => of("cần thực hiện nghĩa vụ tài chính"),
        "extension-granted" => of("được gia hạn thời gian giải quyết"),
        "apologised" => of("có ngày hẹn trả kết quả mới"),
        "deadlines-reprojected" => of("có ngày hẹn trả kết quả mới do lịch làm việc thay đổi"),
        "procedure-migrated" => of("được giải quyết theo quy trình mới"),
        "processing-finished" => of("đã có kết quả"),
        "stopped" => of("đã dừng xử lý"),
        "feedback-answered" => "Phản ánh, kiến nghị của ông/bà đã được trả lời".to_string(),
        "sms-lookup" => "Trả lời tra cứu hồ sơ qua tin nhắn".to_string(),
        "alert" => "Nhắc việc từ Hệ thống thông tin một cửa điện tử".to_string(),
        _ => of("có thông báo mới"),
    }
}

/// The lookup address of a dossier at its agency's site.
pub fn lookup_url(app_config: &super::config::Config, agency: &str, code: &str) -> Option<String> {
    // An agency without a site of its own (a commune set up without host names) is looked up
    // on the nearest site above it: the lookup by code answers for every agency.
    let mut at = app_config.directory.get(agency);
    while let Some(a) = at {
        if let Some(h) = a.host_names.first() {
            return Some(format!("https://{h}/tra-cuu/{code}"));
        }
        at = a
            .parent_id
            .as_deref()
            .and_then(|p| app_config.directory.get(p));
    }
    None
}

/// What to write for one notification: the kind of the event that caused it, the
/// deliveries and the inbox entries.
async fn fan_out(
    app: &AppState,
    item: &OutboxItem,
    configured: Configured,
) -> Result<(Vec<NewDelivery>, Vec<NewInboxEntry>), AppError> {
    let n: Notification = serde_json::from_str(&item.payload).map_err(|e| {
        AppError::from(StoreError::Integrity(format!(
            "outbox {}: not a notification: {e}",
            item.id
        )))
    })?;
    let alert = item.kind == "alert";
    let dossier =
        if alert || item.subject_id.starts_with("feedback:") || item.subject_id.starts_with("sms:")
        {
            None
        } else {
            match app.store.dossier(&item.subject_id).await {
                Ok(d) => Some(d),
                Err(StoreError::NotFound(_)) => None,
                Err(e) => return Err(e.into()),
            }
        };
    let (kind, code) = match &dossier {
        Some(d) => {
            // The notice follows the event that causes it (motcua_core::dossier::notice).
            let events = app.store.events(&d.id).await?;
            let kind = events
                .iter()
                .rev()
                .find(|e| (e.seq as i64) < item.event_seq)
                .and_then(|e| serde_json::to_value(&e.event).ok())
                .and_then(|v| v["type"].as_str().map(str::to_string))
                .unwrap_or_else(|| "feedback-answered".to_string());
            let kind = if item.event_seq == 0 {
                "feedback-answered".to_string()
            } else {
                kind
            };
            (kind, d.code.as_ref().map(ToString::to_string))
        }
        None if alert => ("alert".to_string(), None),
        None if item.subject_id.starts_with("sms:") => ("sms-lookup".to_string(), None),
        None => ("feedback-answered".to_string(), None),
    };
    let config = app.config().await?;
    let agency = dossier.as_ref().map(|d| d.agency.clone());
    let mut body = n.message().to_string();
    if let (Some(code), Some(agency)) = (&code, &agency)
        && let Some(url) = lookup_url(&config, agency, code)
    {
        body = body.replace(&format!("/tra-cuu/{code}"), &url);
        if !body.contains(&url) {
            body += &format!("\nTra cứu tình trạng hồ sơ: {url}");
        }
    }
    let signed = agency
        .as_deref()
        .and_then(|a| config.directory.get(a))
        .map(|a| a.name.clone());
    let mut title = title(&kind, code.as_deref());
    if let Some(t) = app.store.notice_template(&kind).await? {
        let values = Placeholders {
            code: code.clone().unwrap_or_default(),
            applicant: dossier
                .as_ref()
                .map(|d| d.applicant.name.clone())
                .unwrap_or_default(),
            agency: signed.clone().unwrap_or_default(),
            appointment: dossier
                .as_ref()
                .and_then(|d| d.clock.appointment)
                .map(motcua_core::calendar::to_local_vi)
                .unwrap_or_default(),
            lookup: match (&code, &agency) {
                (Some(c), Some(a)) => lookup_url(&config, a, c).unwrap_or_default(),
                _ => String::new(),
            },
            message: body.clone(),
        };
        title = values.fill(&t.title);
        body = values.fill(&t.body);
    }
    let to = recipients(app, &n, dossier.as_ref()).await?;
    let mut deliveries = Vec::new();
    for address in to.email {
        let text = match &signed {
            Some(name) => format!("{body}\n\n{name}"),
            None => body.clone(),
        };
        deliveries.push(NewDelivery {
            channel: "email".into(),
            recipient: address,
            kind: kind.clone(),
            title: title.clone(),
            body: text,
            state: if configured.email {
                "pending"
            } else {
                "skipped"
            },
            note: (!configured.email).then(|| "no mail server configured".to_string()),
        });
    }
    for number in to.sms {
        deliveries.push(NewDelivery {
            channel: "sms".into(),
            recipient: number,
            kind: kind.clone(),
            title: title.clone(),
            body: sms_text(&body, code.as_deref()),
            state: if configured.sms { "pending" } else { "skipped" },
            note: (!configured.sms).then(|| "no SMS gateway configured".to_string()),
        });
    }
    let inbox = to
        .portal
        .into_iter()
        .map(|account| NewInboxEntry {
            account,
            title: title.clone(),
            body: body.clone(),
        })
        .collect();
    Ok((deliveries, inbox))
}

/// An SMS: without diacritics, at most 160 characters, keeping the dossier code.
pub fn sms_text(body: &str, code: Option<&str>) -> String {
    let flat = motcua_core::text::unaccent(&body.replace('\n', " "));
    let flat = flat.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= 160 {
        return flat;
    }
    let tail = code.map(|c| format!(" Ma ho so: {c}")).unwrap_or_default();
    let room = 160 - tail.chars().count() - 3;
    let head: String = flat.chars().take(room).collect();
    if code.is_some_and(|c| head.contains(c)) {
        format!("{}...", flat.chars().take(157).collect::<String>())
    } else {
        format!("{head}...{tail}")
    }
}

/// Fans out up to `limit` notifications not yet dispatched; answers how many this call
/// dispatched. A notification that cannot be read is logged and left for an operator.
pub async fn dispatch(
    app: &AppState,
    configured: Configured,
    limit: u32,
) -> Result<usize, AppError> {
    let mut done = 0;
    for item in app.store.undispatched(limit).await? {
        match fan_out(app, &item, configured).await {
            Ok((deliveries, inbox)) => {
                if app
                    .store
                    .dispatch(item.id, &deliveries, &inbox, app.now())
                    .await?
                {
                    done += 1;
                }
            }
            Err(e) => {
                tracing::error!(outbox = item.id, error = %e.message, "cannot dispatch a notification");
            }
        }
    }
    Ok(done)
}

/// The notices an administrator may write a template for: (kind, what causes it).
pub const TEMPLATE_KINDS: [(&str, &str); 11] = [
    (
        "accepted",
        "Hồ sơ được tiếp nhận (kèm ngày hẹn trả kết quả)",
    ),
    (
        "returned-for-completion",
        "Hồ sơ trực tuyến được trả lại để hoàn thiện",
    ),
    ("refused", "Hồ sơ bị từ chối tiếp nhận"),
    ("supplement-requested", "Yêu cầu bổ sung hồ sơ"),
    ("payment-requested", "Yêu cầu thực hiện nghĩa vụ tài chính"),
    ("extension-granted", "Gia hạn thời gian giải quyết"),
    ("apologised", "Xin lỗi và hẹn lại ngày trả kết quả"),
    (
        "deadlines-reprojected",
        "Ngày hẹn trả kết quả thay đổi do lịch làm việc thay đổi",
    ),
    (
        "processing-finished",
        "Đã có kết quả, mời nhận (hoặc gửi qua bưu chính)",
    ),
    ("stopped", "Dừng xử lý hồ sơ"),
    ("feedback-answered", "Phản ánh, kiến nghị đã được trả lời"),
];

/// The placeholders a template may use, with what each becomes.
pub const PLACEHOLDERS: [(&str, &str); 6] = [
    ("ma_ho_so", "mã hồ sơ"),
    ("nguoi_nop", "họ tên người nộp"),
    ("co_quan", "tên cơ quan tiếp nhận"),
    (
        "ngay_hen",
        "ngày hẹn trả kết quả hiện tại, dd/MM/yyyy HH:mm",
    ),
    ("tra_cuu", "địa chỉ tra cứu hồ sơ"),
    (
        "noi_dung",
        "nội dung thông báo do hệ thống soạn (lý do, nội dung cần bổ sung, ...)",
    ),
];

/// The values of the placeholders for one notice.
struct Placeholders {
    code: String,
    applicant: String,
    agency: String,
    appointment: String,
    lookup: String,
    message: String,
}

impl Placeholders {
    fn fill(&self, text: &str) -> String {
        text.replace("{ma_ho_so}", &self.code)
            .replace("{nguoi_nop}", &self.applicant)
            .replace("{co_quan}", &self.agency)
            .replace("{ngay_hen}", &self.appointment)
            .replace("{tra_cuu}", &self.lookup)
            .replace("{noi_dung}", &self.message)
    }
}

/// The problems of a template, in Vietnamese: an unknown kind, empty or too long parts, a
/// placeholder that does not exist or a brace left open.
pub fn template_problems(kind: &str, title: &str, body: &str) -> Vec<String> {
    let mut v = Vec::new();
    if !TEMPLATE_KINDS.iter().any(|(k, _)| *k == kind) {
        v.push(format!("Không có loại thông báo “{kind}”."));
    }
    for (part, text, max) in [("Tiêu đề", title, 200), ("Nội dung", body, 2000)] {
        if text.trim().is_empty() {
            v.push(format!("{part} không được để trống."));
        }
        if text.chars().count() > max {
            v.push(format!("{part} dài quá {max} ký tự."));
        }
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            let after = &rest[open + 1..];
            match after.find('}') {
                Some(close) => {
                    let name = &after[..close];
                    if !PLACEHOLDERS.iter().any(|(p, _)| *p == name) {
                        v.push(format!(
                            "{part}: không có trường {{{name}}}; dùng {}.",
                            PLACEHOLDERS
                                .iter()
                                .map(|(p, _)| format!("{{{p}}}"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ));
                    }
                    rest = &after[close + 1..];
                }
                None => {
                    v.push(format!("{part}: dấu {{ chưa được đóng."));
                    break;
                }
            }
        }
    }
    v
}

/// A notice kind with its template versions.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct TemplateEntry {
    /// The event kind.
    pub kind: String,
    /// What causes it.
    pub description: String,
    /// The title used without a template.
    pub default_title: String,
    /// Every version, newest first (the first applies); empty: the system's own text.
    pub versions: Vec<motcua_store::NoticeTemplate>,
}

/// Every notice kind with its templates, for deployment administrators.
pub async fn templates(app: &AppState, p: &Principal) -> Result<Vec<TemplateEntry>, AppError> {
    may_operate(app, p).await?;
    let mut out = Vec::new();
    for (kind, description) in TEMPLATE_KINDS {
        out.push(TemplateEntry {
            kind: kind.to_string(),
            description: description.to_string(),
            default_title: title(kind, Some("{ma_ho_so}")),
            versions: app.store.notice_template_versions(kind).await?,
        });
    }
    Ok(out)
}

/// Stores a new version of the template of `kind`; answers it.
pub async fn set_template(
    app: &AppState,
    p: &Principal,
    kind: &str,
    title: &str,
    body: &str,
) -> Result<motcua_store::NoticeTemplate, AppError> {
    may_operate(app, p).await?;
    let problems = template_problems(kind, title, body);
    if !problems.is_empty() {
        return Err(AppError::with(Code::InvalidTemplate, problems.join(" ")));
    }
    let now = app.now();
    let version = app
        .store
        .put_notice_template(kind, title.trim(), body.trim(), &p.user.id, now)
        .await?;
    Ok(motcua_store::NoticeTemplate {
        kind: kind.to_string(),
        version,
        title: title.trim().to_string(),
        body: body.trim().to_string(),
        created_by: p.user.id.clone(),
        created_at: now,
    })
}

/// What an SMS lookup answered (the reply goes out through the outbox).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct SmsReply {
    /// The number it goes to.
    pub to: String,
    /// The reply, as it will be sent.
    pub reply: String,
}

/// Lookups one phone number may send in an hour.
pub const SMS_LOOKUPS_PER_HOUR: i64 = 10;

/// A message sent to the lookup number (Điều 17.1.b): `<keyword> <dossier code>` answered
/// with the status, the national status and the appointment in one SMS, through the outbox;
/// anything else with how to write it. At most [`SMS_LOOKUPS_PER_HOUR`] a number.
pub async fn sms_lookup(app: &AppState, from: &str, text: &str) -> Result<SmsReply, AppError> {
    let Some(to) = phone(from) else {
        return Err(AppError::new(Code::InvalidPhone));
    };
    let now = app.now();
    let count = app
        .store
        .throttle_count(
            &format!("sms-lookup:{to}"),
            now,
            chrono::TimeDelta::hours(1),
        )
        .await?;
    if count > SMS_LOOKUPS_PER_HOUR {
        return Err(AppError::new(Code::TooManyLookups));
    }
    let keyword = app.sms_keyword.as_str();
    let example = format!("{keyword} 000.00.04.H53-261202-0001");
    let mut words = text.split_whitespace();
    let first = words.next().unwrap_or_default();
    let reply = match (first.eq_ignore_ascii_case(keyword), words.next()) {
        (true, Some(code)) => match super::catalogue::lookup(app, code).await {
            Ok(l) => {
                let appointment = l
                    .appointment
                    .as_deref()
                    .and_then(|a| chrono::DateTime::parse_from_rfc3339(a).ok())
                    .map(|a| a.format("%d/%m/%Y %H:%M").to_string());
                let config = app.config().await?;
                let agency = code.split('-').next().unwrap_or_default();
                let mut r = format!(
                    "Ho so {code}: {}. {}.",
                    l.state_vi,
                    crate::pages::text::national_status(l.national_status)
                );
                if let Some(a) = appointment {
                    r += &format!(" Hen tra: {a}.");
                }
                if let Some(url) = lookup_url(&config, agency, code) {
                    r += &format!(" {url}");
                }
                r
            }
            Err(e) if e.code == Code::InvalidCode => format!(
                "Ma ho so \"{code}\" khong dung dang. Soan: {example} (ma tren giay tiep nhan)."
            ),
            Err(e) if e.code == Code::NotFound => format!(
                "Khong tim thay ho so {code}. Kiem tra lai ma tren giay tiep nhan va ho tro tai Bo phan Mot cua."
            ),
            Err(e) => return Err(e),
        },
        _ => format!("De tra cuu ho so, soan: {example} (ma ho so tren giay tiep nhan)."),
    };
    let reply = sms_text(&reply, None);
    let n = Notification::new(
        Recipient::Contact {
            contact: to.clone(),
        },
        [DeliveryChannel::Sms],
        reply.clone(),
    );
    let payload = serde_json::to_string(&n)
        .map_err(|e| AppError::from(StoreError::Integrity(e.to_string())))?;
    app.store
        .enqueue(&format!("sms:{to}"), &payload, now)
        .await?;
    Ok(SmsReply { to, reply })
}

/// An account's portal inbox.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Inbox {
    /// Newest first.
    pub entries: Vec<InboxEntry>,
    /// How many are unread.
    pub unread: i64,
}

/// The user's portal inbox (the newest 100).
pub async fn inbox(app: &AppState, p: &Principal) -> Result<Inbox, AppError> {
    let (entries, unread) = app.store.inbox(&p.user.id, 100).await?;
    Ok(Inbox { entries, unread })
}

/// The channels an account receives its notifications through, besides the portal inbox.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Channels {
    /// By email (to the address on the dossier, else the account's).
    pub email: bool,
    /// By SMS (to the phone on the dossier, else the account's).
    pub sms: bool,
}

/// The user's channels.
pub async fn channels(app: &AppState, p: &Principal) -> Result<Channels, AppError> {
    let (email, sms) = app.store.channels(&p.user.id).await?;
    Ok(Channels { email, sms })
}

/// Sets the user's channels.
pub async fn set_channels(
    app: &AppState,
    p: &Principal,
    c: Channels,
) -> Result<Channels, AppError> {
    app.store
        .set_channels(&p.user.id, c.email, c.sms, app.now())
        .await?;
    Ok(c)
}

/// How many of the user's inbox entries are unread (for the links to the inbox).
pub async fn unread(app: &AppState, p: &Principal) -> Result<i64, AppError> {
    Ok(app.store.unread(&p.user.id).await?)
}

/// Marks one of the user's inbox entries read.
pub async fn read(app: &AppState, p: &Principal, id: i64) -> Result<(), AppError> {
    if app.store.read_inbox(&p.user.id, id, app.now()).await? {
        Ok(())
    } else {
        Err(AppError::new(Code::NotFound))
    }
}

/// Deliveries in a state, for system administrators.
pub async fn deliveries(
    app: &AppState,
    p: &Principal,
    state: &str,
) -> Result<Vec<Delivery>, AppError> {
    may_operate(app, p).await?;
    if !matches!(state, "pending" | "sent" | "dead" | "skipped") {
        return Err(AppError::with(
            Code::InvalidQuery,
            "Trạng thái phải là pending, sent, dead hoặc skipped.",
        ));
    }
    Ok(app.store.deliveries(state, 200).await?)
}

/// Sends a dead delivery again, for system administrators.
pub async fn retry(app: &AppState, p: &Principal, id: i64) -> Result<(), AppError> {
    may_operate(app, p).await?;
    if app.store.retry_delivery(id, app.now()).await? {
        Ok(())
    } else {
        Err(AppError::with(
            Code::NotFound,
            "Không có thư, tin nhắn gửi không thành công nào có mã này.",
        ))
    }
}

async fn may_operate(app: &AppState, p: &Principal) -> Result<(), AppError> {
    let config = app.config().await?;
    if policy::may_set_evaluation_rules(p, &config.directory) {
        Ok(())
    } else {
        Err(AppError::new(Code::Forbidden))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contacts_left_as_free_text_are_read() {
        assert_eq!(
            in_contact("Danh Sơn, 0913000222"),
            (None, Some("0913000222".into()))
        );
        assert_eq!(
            in_contact("son@example.vn"),
            (Some("son@example.vn".into()), None)
        );
        assert_eq!(
            in_contact("Danh Sơn (son@example.vn), 0913 000 222"),
            (Some("son@example.vn".into()), None)
        );
        assert_eq!(in_contact("gọi giờ hành chính"), (None, None));
    }

    #[test]
    fn templates_name_only_known_placeholders() {
        assert!(
            template_problems("accepted", "Hồ sơ {ma_ho_so}", "Hẹn {ngay_hen}. {tra_cuu}")
                .is_empty()
        );
        let p = template_problems("accepted", "Hồ sơ {ma}", "Hẹn {ngay_hen");
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(
            p[0].contains("{ma}") && p[1].contains("chưa được đóng"),
            "{p:?}"
        );
        assert_eq!(template_problems("nope", "a", "b").len(), 1);
        assert_eq!(template_problems("accepted", " ", "b").len(), 1);
    }

    #[test]
    fn an_sms_is_ascii_within_160_characters_and_keeps_the_code() {
        let long = format!(
            "Hồ sơ 000.00.04.H53-261202-0001 cần bổ sung (lần 1). Lý do: {}",
            "thiếu giấy tờ ".repeat(20)
        );
        let s = sms_text(&long, Some("000.00.04.H53-261202-0001"));
        assert!(s.is_ascii(), "{s}");
        assert!(s.chars().count() <= 160, "{}", s.len());
        assert!(s.contains("000.00.04.H53-261202-0001"));
        assert!(s.starts_with("Ho so 000.00.04.H53"));
        let short = sms_text("Hồ sơ đã được tiếp nhận.", None);
        assert_eq!(short, "Ho so da duoc tiep nhan.");
    }
}
