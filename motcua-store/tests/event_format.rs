//! Logs written before event format 2 still load, verify and take new events, on every
//! backend. The fixture `tests/data/event-format-1.jsonl` was exported by the last build that
//! sealed events in format 1 (tests/data/README.md says how); it is never regenerated.

mod support;

use motcua_core::dossier::event::{DeliveryChannel, EVENT_FORMAT, Recipient};
use motcua_core::dossier::{Command, Event, State, verify};
use motcua_store::ExecuteRequest;
use std::io::Cursor;

const FORMAT_1: &[u8] = include_bytes!("data/event-format-1.jsonl");

#[tokio::test]
async fn a_log_of_event_format_1_verifies_and_continues_in_the_current_format() {
    for t in support::backends().await {
        let s = &t.store;
        s.import(Cursor::new(FORMAT_1))
            .await
            .unwrap_or_else(|e| panic!("{}: the format-1 export imports: {e}", t.name));

        // Every chain verifies as it was sealed.
        let report = s.verify_all().await.expect("verify");
        assert_eq!(
            (report.dossiers, report.events),
            (9, 113),
            "{}: {report:?}",
            t.name
        );
        assert!(report.problems.is_empty(), "{}: {report:?}", t.name);

        // The events read as format 1, their notifications typed.
        let events = s.events("xay-dung-gia-han-xin-loi").await.expect("events");
        assert!(events.iter().all(|e| e.format == 1), "{}", t.name);
        let notified: Vec<_> = events
            .iter()
            .filter_map(|e| match &e.event {
                Event::Notified { notification } => Some(notification),
                _ => None,
            })
            .collect();
        assert!(notified.len() >= 5, "{}: {}", t.name, notified.len());
        assert!(
            notified
                .iter()
                .all(|n| n.recipient() == &Recipient::Applicant && n.is_format_1()),
            "{}",
            t.name
        );
        // The script's notice went through the portal and SMS only.
        assert!(
            notified.iter().any(|n| n.channels()
                == [DeliveryChannel::Portal, DeliveryChannel::Sms]
                && n.message().contains("đã được ký")),
            "{}: {notified:?}",
            t.name
        );

        // The projections the old build wrote are what the log replays to.
        let rebuilt = s.rebuild_projections().await.expect("rebuild");
        assert_eq!(
            (rebuilt.dossiers, rebuilt.changed),
            (9, 0),
            "{}: {rebuilt:?}",
            t.name
        );
        assert!(rebuilt.problems.is_empty(), "{}: {rebuilt:?}", t.name);

        // The dossier left in progress takes a new command: its events are sealed in the
        // current format after the format-1 ones, and the mixed chain verifies.
        let open = s.dossier("dang-xu-ly").await.expect("the open dossier");
        assert_eq!(open.state, State::InProgress);
        let (_, procedure) = support::procedure();
        let actor = motcua_core::dossier::Actor::staff(
            "chuyen-vien",
            open.agency.clone(),
            vec![motcua_core::procedure::Role::Specialist],
        );
        let done = s
            .execute(ExecuteRequest {
                dossier_id: "dang-xu-ly",
                agency: &open.agency,
                command: Command::RequestSupplement {
                    reason: "Thiếu biên bản họp thành viên hộ gia đình.".into(),
                    items: vec!["Bản sao biên bản họp thành viên hộ gia đình".into()],
                    applicant_fault: false,
                },
                actor: &actor,
                now: support::at("2026-04-20T14:00:00+07:00"),
                procedure,
                calendar: support::calendar(),
                expected_version: Some(open.version),
                attachments: vec![],
            })
            .await
            .unwrap_or_else(|e| panic!("{}: the open dossier goes on: {e}", t.name));
        assert_eq!(done.dossier.state, State::AwaitingSupplement);
        let log = s.events("dang-xu-ly").await.expect("events");
        let formats: Vec<u32> = log.iter().map(|e| e.format).collect();
        assert_eq!(
            formats,
            [1, 1, 1, 1, 1, EVENT_FORMAT, EVENT_FORMAT],
            "{}: five old events, the request and its notice",
            t.name
        );
        assert_eq!(verify(&log), Ok(()), "{}", t.name);
        let notice = log
            .iter()
            .rev()
            .find_map(|e| match &e.event {
                Event::Notified { notification } => Some(notification),
                _ => None,
            })
            .expect("the request is notified");
        assert!(!notice.is_format_1(), "{}", t.name);
        let report = s.verify_all().await.expect("verify");
        assert!(report.problems.is_empty(), "{}: {report:?}", t.name);
    }
}
