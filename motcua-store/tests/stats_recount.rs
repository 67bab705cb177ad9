//! The statistics table recounted by a second, deliberately simple route: a few hundred
//! dossiers generated through the real engine and store at chosen instants, then every cell
//! of the table computed again from the event logs alone (a loop over events, no SQL) and
//! compared with `Store::statistics` for many periods, one of which ends after "now". Runs on
//! SQLite, and on PostgreSQL when configured (tests/support).

mod support;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use motcua_core::dossier::{
    Actor, ActorKind, AgencyId, Applicant, Attachment, Channel, Command, Dossier, Event, Outcome,
    RecordedEvent,
};
use motcua_core::evaluation::{self, Tally};
use motcua_core::procedure::Procedure;
use motcua_store::{Agency, ExecuteRequest, FieldStats, NewAttachment, Store, StoreError};
use std::collections::BTreeMap;
use support::{at, backends, calendar};

const PROVINCE: &str = "000.00.00.H53";
const DISTRICT_A: &str = "000.20.31.H53";
const COMMUNE_A1: &str = "000.31.12.H53";
const DISTRICT_B: &str = "000.21.32.H53";

/// Agencies as (id, level, parent).
const AGENCIES: [(&str, &str, Option<&str>); 4] = [
    (PROVINCE, "province", None),
    (DISTRICT_A, "district", Some(PROVINCE)),
    (COMMUNE_A1, "commune", Some(DISTRICT_A)),
    (DISTRICT_B, "district", Some(PROVINCE)),
];

/// The procedures, by file: a restart-on-supplement one (3 wd), a pause-on-supplement one with
/// a financial obligation (20 wd), and a provincial one (10 wd).
fn procedures() -> Vec<(String, Procedure)> {
    [
        (
            "ho-kinh-doanh.toml",
            include_str!("../../examples/procedures/ho-kinh-doanh.toml"),
        ),
        (
            "cap-giay-chung-nhan-dat.toml",
            include_str!("../../examples/procedures/cap-giay-chung-nhan-dat.toml"),
        ),
        (
            "ly-lich-tu-phap.toml",
            include_str!("../../examples/procedures/ly-lich-tu-phap.toml"),
        ),
    ]
    .into_iter()
    .map(|(name, text)| {
        let p = Procedure::load(name, text).expect("loads").0;
        (text.to_string(), p)
    })
    .collect()
}

/// "Now" for the whole test: every command happens before it.
fn now() -> DateTime<Utc> {
    at("2025-11-20T10:00:00+07:00")
}

fn system() -> Actor {
    Actor {
        id: "he-thong".into(),
        kind: ActorKind::System,
    }
}

/// A small deterministic generator (xorshift64*), so that a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[derive(Clone, Copy, Debug)]
enum Intent {
    Early,
    OnTime,
    Late,
    LateAfterApology,
    RejectedAfterProcessing,
    Open,
    Refused,
    ReturnedForCompletion,
    SupplementOnce,
    SupplementTwice,
    SupplementWaiting,
    Payment,
    Withdrawn,
    Stopped,
}

const INTENTS: [Intent; 14] = [
    Intent::Early,
    Intent::OnTime,
    Intent::Late,
    Intent::LateAfterApology,
    Intent::RejectedAfterProcessing,
    Intent::Open,
    Intent::Refused,
    Intent::ReturnedForCompletion,
    Intent::SupplementOnce,
    Intent::SupplementTwice,
    Intent::SupplementWaiting,
    Intent::Payment,
    Intent::Withdrawn,
    Intent::Stopped,
];

/// Runs commands on one dossier at increasing instants, stopping quietly at "now".
struct Driver<'a> {
    store: &'a Store,
    id: String,
    agency: &'static str,
    procedure: &'a Procedure,
    t: DateTime<Utc>,
    stopped: bool,
}

impl Driver<'_> {
    /// Runs `command` at `t` (at least the last instant); false once past "now".
    async fn run_at(&mut self, t: DateTime<Utc>, command: Command) -> bool {
        self.run_with(t, command, vec![]).await
    }

    async fn run_with(
        &mut self,
        t: DateTime<Utc>,
        command: Command,
        attachments: Vec<NewAttachment>,
    ) -> bool {
        // An online dossier carries the procedure's required components (else it is refused).
        let command = match command {
            Command::Submit {
                channel,
                applicant,
                owner,
                form,
                files,
                ..
            } => Command::Submit {
                channel,
                applicant,
                owner,
                form,
                components: self.procedure.required_components(),
                files,
            },
            other => other,
        };
        let t = t.max(self.t + Duration::minutes(1));
        if self.stopped || t >= now() {
            self.stopped = true;
            return false;
        }
        self.t = t;
        let result = self
            .store
            .execute(ExecuteRequest {
                dossier_id: &self.id,
                agency: &AgencyId::parse(self.agency).expect("agency"),
                command: command.clone(),
                actor: &system(),
                now: t,
                procedure: self.procedure,
                calendar: calendar(),
                expected_version: None,
                attachments,
            })
            .await;
        match result {
            Ok(_) => true,
            Err(e) => panic!("{}: {} at {t}: {e}", self.id, command.name()),
        }
    }

    async fn after(&mut self, minutes: i64, command: Command) -> bool {
        let t = self.t + Duration::minutes(minutes);
        self.run_at(t, command).await
    }

    /// The legal appointment now in force.
    async fn legal(&self) -> DateTime<Utc> {
        let d = self.store.dossier(&self.id).await.expect("dossier");
        d.clock.original_appointment.expect("accepted")
    }

    /// Moves along the workflow (forward or approve) to the end step.
    async fn walk_to_end(&mut self, rng: &mut Rng) -> bool {
        loop {
            let d = self.store.dossier(&self.id).await.expect("dossier");
            let step = d.step.clone().expect("at a step");
            if self.procedure.step(&step).expect("step").end {
                return true;
            }
            let next = self
                .procedure
                .transitions
                .iter()
                .find(|tr| {
                    tr.from == step
                        && matches!(
                            tr.action,
                            motcua_core::procedure::Action::Forward
                                | motcua_core::procedure::Action::Approve
                        )
                })
                .expect("a way forward");
            let command = match next.action {
                motcua_core::procedure::Action::Approve => {
                    let (attachment, upload) = pdf(&format!("dự thảo {} {step}", self.id));
                    let draft = Command::AttachDraft { attachment };
                    if !self.run_with(self.t, draft, vec![upload]).await {
                        return false;
                    }
                    Command::Approve {
                        to: next.to.clone(),
                    }
                }
                _ => Command::Forward {
                    to: next.to.clone(),
                    assignee: None,
                },
            };
            if !self.after(10 + rng.below(90) as i64, command).await {
                return false;
            }
        }
    }

    /// Finishes (granted, with the signed result, or rejected) and returns the result at `t`.
    async fn finish_and_return(&mut self, t: DateTime<Utc>, granted: bool) {
        let t = t.max(self.t + Duration::minutes(30));
        let outcome = if granted {
            let (attachment, upload) = pdf(&format!("kết quả {}", self.id));
            if !self
                .run_with(
                    t - Duration::minutes(20),
                    Command::AttachSignedResult { attachment },
                    vec![upload],
                )
                .await
            {
                return;
            }
            Outcome::Granted
        } else {
            Outcome::Rejected {
                reason: "Không đủ điều kiện theo quy định".into(),
            }
        };
        if self
            .run_at(t - Duration::minutes(10), Command::MarkFinished { outcome })
            .await
        {
            self.run_at(t, Command::ReturnResult).await;
        }
    }

    async fn supplement_round(&mut self, rng: &mut Rng) -> bool {
        let asked = self
            .after(
                30 + rng.below(600) as i64,
                Command::RequestSupplement {
                    reason: "Thiếu giấy tờ".into(),
                    items: vec!["Bản sao giấy tờ tùy thân".into()],
                    applicant_fault: false,
                },
            )
            .await;
        asked
            && self
                .after(
                    60 * (2 + rng.below(24 * 20)) as i64,
                    Command::ReceiveSupplement {
                        items: vec!["Bản sao giấy tờ tùy thân".into()],
                        files: vec![],
                    },
                )
                .await
    }
}

/// A small PDF-looking file and its reference.
fn pdf(text: &str) -> (Attachment, NewAttachment) {
    let bytes = format!("%PDF-1.4 {text}").into_bytes();
    let attachment = Attachment {
        name: "tep.pdf".into(),
        sha256: motcua_store::sha256_hex(&bytes),
    };
    let upload = NewAttachment {
        bytes,
        content_type: "application/pdf".into(),
    };
    (attachment, upload)
}

fn submit(channel: Channel, n: usize) -> Command {
    Command::Submit {
        channel,
        applicant: Applicant {
            name: format!("Người nộp {n}"),
            id_number: format!("0940920{n:05}"),
            ..Applicant::default()
        },
        owner: None,
        form: Default::default(),
        components: vec![],
        files: vec![],
    }
}

/// Agencies and the procedures they handle: (agency, index into `procedures()`).
const HANDLES: [(&str, usize); 6] = [
    (PROVINCE, 2),
    (DISTRICT_A, 0),
    (DISTRICT_A, 1),
    (COMMUNE_A1, 0),
    (DISTRICT_B, 0),
    (DISTRICT_B, 1),
];

async fn seed(store: &Store, procedures: &[(String, Procedure)]) {
    for (id, level, parent) in AGENCIES {
        store
            .put_agency(&Agency {
                id: id.into(),
                name: format!("Cơ quan {id}"),
                level: level.into(),
                parent_id: parent.map(str::to_string),
                host_names: vec![],
                contact: Default::default(),
            })
            .await
            .expect("agency");
    }
    for (text, p) in procedures {
        store.put_procedure(text, p).await.expect("procedure");
    }
}

/// Generates `count` dossiers over 2025 up to "now", each towards one intent.
async fn generate(store: &Store, procedures: &[(String, Procedure)], count: usize) {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let first_day = NaiveDate::from_ymd_opt(2025, 1, 2).expect("date");
    for n in 0..count {
        let (agency, pi) = HANDLES[rng.below(HANDLES.len() as u64) as usize];
        let procedure = &procedures[pi].1;
        let channel = [Channel::Online, Channel::Direct, Channel::Post][rng.below(3) as usize];
        let intent = INTENTS[n % INTENTS.len()];
        let day = first_day + Duration::days(rng.below(318) as i64);
        let local = day
            .and_hms_opt(7 + rng.below(10) as u32, rng.below(60) as u32, 0)
            .expect("time");
        let t0 = (local - Duration::hours(7)).and_utc();
        let mut d = Driver {
            store,
            id: format!("d{n:04}"),
            agency,
            procedure,
            t: t0 - Duration::minutes(1),
            stopped: false,
        };
        if !d.run_at(t0, submit(channel, n)).await {
            continue;
        }
        let intake = 30 + rng.below(60 * 12) as i64;
        match intent {
            Intent::Refused => {
                d.after(
                    intake,
                    Command::Refuse {
                        reason: "Không thuộc thẩm quyền".into(),
                    },
                )
                .await;
                continue;
            }
            Intent::ReturnedForCompletion => {
                d.after(
                    intake,
                    Command::ReturnForCompletion {
                        missing: vec!["Tờ khai".into()],
                        note: "Bổ sung tờ khai có chữ ký".into(),
                    },
                )
                .await;
                continue;
            }
            _ => {}
        }
        if !d.after(intake, Command::Accept { sequence: 0 }).await {
            continue;
        }
        // Some dossiers wait for a supplement or a payment on the way.
        let rounds = match intent {
            Intent::SupplementOnce => 1,
            Intent::SupplementTwice => 2,
            _ => 0,
        };
        let mut on = true;
        for _ in 0..rounds {
            on = on && d.supplement_round(&mut rng).await;
        }
        if matches!(intent, Intent::SupplementWaiting) {
            d.after(
                60,
                Command::RequestSupplement {
                    reason: "Thiếu giấy tờ".into(),
                    items: vec!["Tờ khai".into()],
                    applicant_fault: false,
                },
            )
            .await;
            continue;
        }
        if matches!(intent, Intent::Payment) {
            on = on
                && d.after(
                    120,
                    Command::RequestPayment {
                        amount_vnd: 500_000,
                        reason: "Lệ phí".into(),
                    },
                )
                .await
                && d.after(60 * (1 + rng.below(24 * 15)) as i64, Command::RecordPayment)
                    .await;
        }
        if !on || !d.walk_to_end(&mut rng).await {
            continue;
        }
        let legal = d.legal().await;
        let hours = |h: u64| Duration::hours(h as i64);
        match intent {
            Intent::Open => {}
            Intent::Withdrawn => {
                if d.after(
                    60,
                    Command::RequestWithdrawal {
                        reason: "Không có nhu cầu nữa".into(),
                    },
                )
                .await
                {
                    d.after(90, Command::ConfirmWithdrawal).await;
                }
            }
            Intent::Stopped => {
                d.after(
                    60 * 24,
                    Command::Stop {
                        reason: "Có văn bản dừng của cơ quan có thẩm quyền".into(),
                    },
                )
                .await;
            }
            Intent::OnTime => {
                d.finish_and_return(legal - Duration::minutes(5), true)
                    .await
            }
            Intent::Late => {
                d.finish_and_return(legal + hours(1 + rng.below(24 * 10)), true)
                    .await
            }
            Intent::LateAfterApology => {
                let new = legal + Duration::days(5);
                if d.run_at(
                    legal + hours(2),
                    Command::Apologise {
                        reason: "Phải lấy thêm ý kiến".into(),
                        new_appointment: new,
                    },
                )
                .await
                {
                    d.finish_and_return(legal + Duration::days(2), true).await;
                }
            }
            Intent::RejectedAfterProcessing => {
                d.finish_and_return(d.t + hours(2 + rng.below(48)), false)
                    .await
            }
            // Early, and the dossiers that waited for a supplement or a payment: returned
            // at some point before or after the appointment.
            _ => {
                let back = legal - hours(24 * 3) + hours(rng.below(24 * 4));
                d.finish_and_return(back, true).await
            }
        }
    }
}

/// What the recount knows of a dossier, from its events alone.
#[derive(Default)]
struct Facts {
    agency: String,
    field: String,
    online: bool,
    accepted: Option<DateTime<Utc>>,
    /// How it closed, and when.
    closed: Option<(DateTime<Utc>, Closed)>,
    /// Changes of the legal clock: when, and whether it then runs towards an appointment or
    /// is paused (with the appointment in force and the pause's start).
    clock: Vec<(DateTime<Utc>, Legal)>,
    supplement_requests: Vec<DateTime<Utc>>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Closed {
    Refused,
    ReturnedForCompletion,
    Withdrawn,
    Stopped,
    Returned(When),
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum When {
    Early,
    OnTime,
    Late,
}

#[derive(Clone, Copy, Debug)]
enum Legal {
    Running(DateTime<Utc>),
    Paused(DateTime<Utc>),
}

/// The local (UTC+7) date, computed here rather than by the engine.
fn vn_date(t: DateTime<Utc>) -> NaiveDate {
    (t + Duration::hours(7)).date_naive()
}

fn facts(events: &[RecordedEvent], field_of: &BTreeMap<String, String>) -> Facts {
    let mut f = Facts::default();
    let mut legal: Option<DateTime<Utc>> = None;
    for e in events {
        match &e.event {
            Event::Submitted {
                procedure,
                agency,
                channel,
                ..
            } => {
                f.agency = agency.to_string();
                f.field = field_of[procedure].clone();
                f.online = *channel == Channel::Online;
            }
            Event::Accepted { appointment, .. } => {
                f.accepted = Some(e.at);
                legal = Some(*appointment);
                f.clock.push((e.at, Legal::Running(*appointment)));
            }
            Event::SupplementRequested { .. } | Event::PaymentRequested { .. } => {
                if matches!(e.event, Event::SupplementRequested { .. }) {
                    f.supplement_requests.push(e.at);
                }
                let a = legal.expect("accepted before a pause");
                // Overdue while paused only if the appointment had passed when it began.
                f.clock.push((
                    e.at,
                    Legal::Paused(if a < e.at {
                        a
                    } else {
                        DateTime::<Utc>::MAX_UTC
                    }),
                ));
            }
            Event::SupplementReceived {
                original_appointment,
                ..
            }
            | Event::PaymentRecorded {
                original_appointment,
                ..
            } => {
                legal = Some(*original_appointment);
                f.clock.push((e.at, Legal::Running(*original_appointment)));
            }
            Event::Refused { .. } => f.closed = Some((e.at, Closed::Refused)),
            Event::ReturnedForCompletion { .. } => {
                f.closed = Some((e.at, Closed::ReturnedForCompletion))
            }
            Event::Withdrawn => f.closed = Some((e.at, Closed::Withdrawn)),
            Event::Stopped { .. } => f.closed = Some((e.at, Closed::Stopped)),
            Event::ResultReturned { .. } => {
                let due = legal.expect("accepted before a return");
                let when = if e.at > due {
                    When::Late
                } else if vn_date(e.at) < vn_date(due) {
                    When::Early
                } else {
                    When::OnTime
                };
                f.closed = Some((e.at, Closed::Returned(when)));
            }
            _ => {}
        }
    }
    f
}

/// Every cell of the table for the agencies `scope` over `[from, to)`, judged at `judged`.
fn recount(
    all: &[Facts],
    scope: &[&str],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    judged: DateTime<Utc>,
) -> BTreeMap<String, FieldStats> {
    let mut table: BTreeMap<String, FieldStats> = BTreeMap::new();
    let within = |t: DateTime<Utc>| from <= t && t < to;
    for f in all.iter().filter(|f| scope.contains(&f.agency.as_str())) {
        let row = table.entry(f.field.clone()).or_default();
        let closed_at = f.closed.map(|(t, _)| t);
        match (f.accepted, f.closed) {
            (None, Some((t, Closed::Refused))) if within(t) => row.refused += 1,
            (None, Some((t, Closed::ReturnedForCompletion))) if within(t) => {
                row.returned_for_completion += 1
            }
            _ => {}
        }
        let Some(accepted) = f.accepted else { continue };
        if accepted < from && closed_at.is_none_or(|c| c >= from) {
            row.carried_over += 1;
        }
        if within(accepted) {
            if f.online {
                row.new_online += 1;
            } else {
                row.new_direct_or_post += 1;
            }
        }
        match f.closed {
            Some((t, Closed::Returned(w))) if within(t) => match w {
                When::Early => row.resolved_early += 1,
                When::OnTime => row.resolved_on_time += 1,
                When::Late => row.resolved_late += 1,
            },
            Some((t, Closed::Withdrawn)) if within(t) => row.withdrawn += 1,
            Some((t, Closed::Stopped)) if within(t) => row.stopped += 1,
            _ => {}
        }
        if accepted < to && closed_at.is_none_or(|c| c >= to) {
            let in_force = f.clock.iter().rev().find(|(t, _)| *t <= judged);
            let overdue = match in_force {
                Some((_, Legal::Running(a))) => judged > *a,
                Some((_, Legal::Paused(a))) => judged > *a,
                None => false,
            };
            if overdue {
                row.in_progress_overdue += 1;
            } else {
                row.in_progress_within_time += 1;
            }
        }
        if f.supplement_requests.iter().any(|t| within(*t)) {
            row.supplement_requested += 1;
        }
    }
    table.retain(|_, r| *r != FieldStats::default());
    table
}

/// The agencies at and below `agency`, from the test's own tree.
fn subtree(agency: &str) -> Vec<&'static str> {
    let mut out = vec![];
    let mut frontier = vec![agency.to_string()];
    while let Some(a) = frontier.pop() {
        for (id, _, parent) in AGENCIES {
            if id == a {
                out.push(id);
            }
            if parent == Some(a.as_str()) {
                frontier.push(id.to_string());
            }
        }
    }
    out
}

fn local_midnight(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    (NaiveDate::from_ymd_opt(y, m, d)
        .expect("date")
        .and_hms_opt(0, 0, 0)
        .expect("midnight")
        - Duration::hours(7))
    .and_utc()
}

/// Months, quarters, six and nine months, the year, and periods cut on the 15th; the
/// year, November and December end after "now".
fn periods() -> Vec<(String, DateTime<Utc>, DateTime<Utc>)> {
    let mut p = vec![];
    for m in 1..=12 {
        let end = if m == 12 {
            local_midnight(2026, 1, 1)
        } else {
            local_midnight(2025, m + 1, 1)
        };
        p.push((format!("2025-{m:02}"), local_midnight(2025, m, 1), end));
    }
    for q in 0..4 {
        let end = if q == 3 {
            local_midnight(2026, 1, 1)
        } else {
            local_midnight(2025, 3 * q + 4, 1)
        };
        p.push((
            format!("Q{}", q + 1),
            local_midnight(2025, 3 * q + 1, 1),
            end,
        ));
    }
    p.push((
        "6 months".into(),
        local_midnight(2025, 1, 1),
        local_midnight(2025, 7, 1),
    ));
    p.push((
        "9 months".into(),
        local_midnight(2025, 1, 1),
        local_midnight(2025, 10, 1),
    ));
    p.push((
        "year".into(),
        local_midnight(2025, 1, 1),
        local_midnight(2026, 1, 1),
    ));
    for m in [3, 6, 10] {
        p.push((
            format!("15/{m} to 14/{}", m + 1),
            local_midnight(2025, m, 15),
            local_midnight(2025, m + 1, 15),
        ));
    }
    p
}

async fn all_facts(store: &Store, count: usize, field_of: &BTreeMap<String, String>) -> Vec<Facts> {
    let mut out = vec![];
    for n in 0..count {
        let id = format!("d{n:04}");
        match store.events(&id).await {
            Ok(events) if !events.is_empty() => out.push(facts(&events, field_of)),
            Ok(_) | Err(StoreError::NotFound(_)) => {}
            Err(e) => panic!("{id}: {e}"),
        }
    }
    out
}

/// Every report the test compares, as (agency, period, table).
async fn reports(store: &Store) -> Vec<(String, String, motcua_store::Statistics)> {
    let mut out = vec![];
    for (agency, _, _) in AGENCIES {
        for (name, from, to) in periods() {
            let st = store
                .statistics(agency, from, to, now())
                .await
                .expect("statistics");
            out.push((agency.to_string(), name, st));
        }
    }
    out
}

#[tokio::test]
async fn every_cell_agrees_with_a_recount_from_the_event_logs() {
    const COUNT: usize = 336;
    let procedures = procedures();
    let field_of: BTreeMap<String, String> = procedures
        .iter()
        .map(|(_, p)| (p.catalogue.code.clone(), p.catalogue.field.clone()))
        .collect();
    for t in backends().await {
        let s = &t.store;
        seed(s, &procedures).await;
        generate(s, &procedures, COUNT).await;
        let all = all_facts(s, COUNT, &field_of).await;
        assert!(all.len() > 300, "{}: {} dossiers", t.name, all.len());

        let mut compared = 0;
        let mut coverage: BTreeMap<&str, i64> = BTreeMap::new();
        for (agency, name, st) in reports(s).await {
            let scope = subtree(&agency);
            let judged = st.to.min(now());
            assert_eq!(st.judged_at, judged);
            let expected = recount(&all, &scope, st.from, st.to, judged);
            let mut got = st.by_field.clone();
            got.retain(|_, r| *r != FieldStats::default());
            assert_eq!(got, expected, "{}: {agency}, {name}", t.name);
            for (field, r) in &got {
                assert_eq!(
                    r.received(),
                    r.resolved() + r.withdrawn + r.stopped + r.in_progress(),
                    "{}: {agency}, {name}, {field}: the table does not balance",
                    t.name
                );
            }
            for k in motcua_store::COLUMNS {
                let v = st.total.get(k.key).expect("column");
                let c = coverage.entry(k.key).or_default();
                *c = (*c).max(v);
            }
            compared += 1;
        }
        assert_eq!(compared, AGENCIES.len() * periods().len());
        // The dataset reaches every cell: a recount of zeros would prove nothing.
        for k in motcua_store::COLUMNS {
            assert!(
                coverage.get(k.key).copied().unwrap_or(0) > 0,
                "{}: no report counts any `{}`",
                t.name,
                k.key
            );
        }

        // The scoring tool's tallies (docs/evaluation.md): each dossier folded again from its
        // event log, scored by the engine and summed here, against the store's aggregate;
        // then again with the stored scores erased (rows written before migration 0016 are
        // scored from their bodies), and after the projections are rebuilt.
        let ids: Vec<String> = AGENCIES.iter().map(|a| a.0.to_string()).collect();
        let mut want_all = Vec::new();
        let mut returned = 0;
        for (name, from, to) in periods() {
            let mut want: BTreeMap<String, Tally> =
                ids.iter().map(|a| (a.clone(), Tally::default())).collect();
            for n in 0..COUNT {
                let id = format!("d{n:04}");
                let Ok(stored) = s.dossier(&id).await else {
                    continue;
                };
                let procedure = procedures
                    .iter()
                    .map(|(_, p)| p)
                    .find(|p| {
                        p.catalogue.code == stored.procedure
                            && p.catalogue.version == stored.procedure_version
                    })
                    .expect("procedure");
                let events = s.events(&id).await.expect("events");
                let d = Dossier::replay(id.clone(), stored.agency.clone(), &events, procedure)
                    .expect("the log replays");
                assert_eq!(d, stored, "{id} folds into its projection");
                if let (Some(sc), Some(closed)) = (evaluation::score(&d), d.closed_at)
                    && closed >= from
                    && closed < to
                {
                    want.get_mut(d.agency.as_str())
                        .expect("agency")
                        .add(&sc, d.channel == Some(Channel::Online));
                    returned += 1;
                }
            }
            let got = s
                .evaluation_tallies(&ids, from, to, now())
                .await
                .expect("tallies");
            assert_eq!(got, want, "{}: scores in {name}", t.name);
            want_all.push(want);
        }
        assert!(
            returned > 100,
            "{}: {returned} returned dossiers scored",
            t.name
        );
        let returned_rows = s
            .raw_execute("UPDATE dossiers SET field = field WHERE state = 'returned'")
            .await
            .expect("count");
        s.raw_execute(
            "UPDATE dossiers SET score_total_time = NULL, score_unit_time = NULL,
               score_came_back = NULL, score_bodies = NULL, score_desk = NULL,
               score_attitude = NULL",
        )
        .await
        .expect("erase");
        for round in ["erased", "rebuilt"] {
            for ((name, from, to), want) in periods().into_iter().zip(&want_all) {
                let got = s
                    .evaluation_tallies(&ids, from, to, now())
                    .await
                    .expect("tallies");
                assert_eq!(&got, want, "{}: scores in {name}, {round}", t.name);
            }
            let r = s.rebuild_projections().await.expect("rebuild");
            if round == "erased" {
                assert!(
                    r.changed >= returned_rows,
                    "{}: the rebuild writes the erased scores back ({} rows)",
                    t.name,
                    r.changed
                );
            } else {
                assert_eq!(r.changed, 0, "{}: a second rebuild changes nothing", t.name);
            }
        }

        // The legal clock's history is derived from the events: rebuilt, it gives the same
        // rows and the same reports; rebuilt twice, still the same.
        let before = reports(s).await;
        let deleted = s
            .raw_execute("DELETE FROM legal_clock")
            .await
            .expect("delete");
        assert!(deleted > COUNT as u64 / 2, "{deleted} rows");
        assert_eq!(s.rebuild_legal_clock().await.expect("rebuild"), deleted);
        assert_eq!(s.rebuild_legal_clock().await.expect("rebuild"), deleted);
        let after = reports(s).await;
        assert!(
            before == after,
            "{}: reports changed after a rebuild",
            t.name
        );
    }
}

/// The defect an independent recount found: a supplement request was counted in the period
/// in which its dossier was resolved (and in each period the dossier was open), not in the
/// period in which it was made.
#[tokio::test]
async fn a_supplement_request_counts_in_the_period_it_was_made() {
    let procedures = procedures();
    for t in backends().await {
        let s = &t.store;
        seed(s, &procedures).await;
        let mut d = Driver {
            store: s,
            id: "bo-sung".into(),
            agency: DISTRICT_A,
            procedure: &procedures[0].1,
            t: at("2025-03-10T08:00:00+07:00"),
            stopped: false,
        };
        let steps = [
            ("2025-03-10T09:00:00+07:00", submit(Channel::Direct, 1)),
            ("2025-03-10T09:30:00+07:00", Command::Accept { sequence: 0 }),
            (
                "2025-03-13T09:00:00+07:00",
                Command::RequestSupplement {
                    reason: "Thiếu giấy tờ".into(),
                    items: vec!["Tờ khai".into()],
                    applicant_fault: false,
                },
            ),
            (
                "2025-04-14T09:00:00+07:00",
                Command::ReceiveSupplement {
                    items: vec!["Tờ khai".into()],
                    files: vec![],
                },
            ),
        ];
        for (when, command) in steps {
            assert!(d.run_at(at(when), command).await);
        }
        let mut rng = Rng(7);
        assert!(d.walk_to_end(&mut rng).await);
        d.finish_and_return(at("2025-04-17T10:00:00+07:00"), false)
            .await;
        let count = |from: DateTime<Utc>, to: DateTime<Utc>| async move {
            s.statistics(PROVINCE, from, to, now())
                .await
                .expect("statistics")
                .total
        };
        let march = count(local_midnight(2025, 3, 1), local_midnight(2025, 4, 1)).await;
        let april = count(local_midnight(2025, 4, 1), local_midnight(2025, 5, 1)).await;
        let q1 = count(local_midnight(2025, 1, 1), local_midnight(2025, 4, 1)).await;
        let q2 = count(local_midnight(2025, 4, 1), local_midnight(2025, 7, 1)).await;
        assert_eq!(
            (march.supplement_requested, q1.supplement_requested),
            (1, 1),
            "{}",
            t.name
        );
        assert_eq!(
            (april.supplement_requested, q2.supplement_requested),
            (0, 0),
            "{}",
            t.name
        );
        // It was open at the end of March and returned (rejected after processing) in April.
        assert_eq!(
            (march.in_progress(), april.resolved()),
            (1, 1),
            "{}",
            t.name
        );
    }
}

/// Overdue is judged at the earlier of the period's end and the time of the report: a
/// dossier due on 25 November is within time in a November report made on the 20th.
#[tokio::test]
async fn a_period_that_has_not_ended_is_judged_now() {
    let procedures = procedures();
    for t in backends().await {
        let s = &t.store;
        seed(s, &procedures).await;
        let mut d = Driver {
            store: s,
            id: "dang-xu-ly".into(),
            agency: DISTRICT_A,
            procedure: &procedures[0].1,
            t: at("2025-11-19T08:00:00+07:00"),
            stopped: false,
        };
        assert!(
            d.run_at(at("2025-11-19T09:00:00+07:00"), submit(Channel::Online, 2))
                .await
        );
        assert!(
            d.run_at(
                at("2025-11-19T09:30:00+07:00"),
                Command::Accept { sequence: 0 }
            )
            .await
        );
        let legal = d.legal().await;
        assert!(legal > now(), "due {legal}");
        let november = s
            .statistics(
                PROVINCE,
                local_midnight(2025, 11, 1),
                local_midnight(2025, 12, 1),
                now(),
            )
            .await
            .expect("statistics");
        assert_eq!(november.judged_at, now());
        assert_eq!(
            (
                november.total.in_progress_within_time,
                november.total.in_progress_overdue
            ),
            (1, 0),
            "{}",
            t.name
        );
        // The same report made in December sees it overdue.
        let later = s
            .statistics(
                PROVINCE,
                local_midnight(2025, 11, 1),
                local_midnight(2025, 12, 1),
                at("2025-12-15T00:00:00+07:00"),
            )
            .await
            .expect("statistics");
        assert_eq!(
            (
                later.total.in_progress_within_time,
                later.total.in_progress_overdue
            ),
            (0, 1),
            "{}",
            t.name
        );
    }
}

/// docs/statistics.md defines every column the report has, under its key and header.
#[test]
fn the_guide_defines_every_column() {
    let guide = include_str!("../../docs/statistics.md");
    for c in motcua_store::COLUMNS {
        assert!(
            guide.contains(&format!("| `{}` | {} |", c.key, c.header_vi)),
            "docs/statistics.md does not define `{}`",
            c.key
        );
    }
}
