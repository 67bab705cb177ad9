//! Dossiers in flight migrated on purpose to a new version of their procedure, written by the
//! store on every backend: refused ones left as they were, migrated ones with one event each,
//! every chain verified, and the projections rebuilt from the logs unchanged (each event
//! replayed with the version it was decided under).

mod support;

use motcua_core::dossier::{Actor, Event};
use motcua_core::procedure::{Procedure, Role};
use motcua_store::MigrateRequest;
use std::collections::BTreeMap;
use support::*;

fn version_2025() -> (String, Procedure) {
    let text = procedure()
        .0
        .replace("version = \"2024.1\"", "version = \"2025.1\"")
        .replace("time_limit = \"3wd\"", "time_limit = \"5wd\"")
        .replace("\"tham-dinh\"", "\"xem-xet\"");
    let p = Procedure::load("ho-kinh-doanh-2025.toml", &text)
        .expect("loads")
        .0;
    (text, p)
}

#[tokio::test]
async fn open_dossiers_are_migrated_with_their_mapping_and_replay_unchanged() {
    for t in backends().await {
        let s = &t.store;
        seed(s).await;
        at_tham_dinh(s, "a", "Nguyễn Văn An").await;
        // "b" waits at the department head's step.
        let desk = staff(Role::ReceptionOfficer);
        run(
            s,
            "b",
            &applicant("binh"),
            "2026-04-20T09:00:00+07:00",
            submit("Trần Thị Bình"),
        )
        .await
        .expect("submitted");
        run(
            s,
            "b",
            &desk,
            "2026-04-20T10:00:00+07:00",
            motcua_core::dossier::Command::Accept { sequence: 0 },
        )
        .await
        .expect("accepted");
        run(
            s,
            "b",
            &desk,
            "2026-04-20T10:30:00+07:00",
            forward("phan-cong"),
        )
        .await
        .expect("forwarded");
        let (text, v2) = version_2025();
        s.put_procedure(&text, &v2).await.expect("published");

        let open = s
            .open_dossiers_of_procedure("HKD-DK-THANH-LAP", "2025.1", "", 100)
            .await
            .expect("open");
        let ids: Vec<String> = open.iter().map(|d| d.id.clone()).collect();
        assert_eq!(ids, ["a", "b"], "{}", t.name);
        let v1 = procedure().1.clone();
        let from = |v: &str| (v == "2024.1").then(|| v1.clone());
        let calendar = |_: &str| Some(calendar().clone());
        let admin = Actor::system("qt-ht");
        let none = BTreeMap::new();
        // Without a mapping, "a" (at a step 2025.1 no longer has) is refused and left alone.
        let done = s
            .migrate_dossiers(
                &ids,
                &MigrateRequest {
                    from: &from,
                    to: &v2,
                    mapping: &none,
                    calendar: &calendar,
                    actor: &admin,
                    now: at("2026-04-21T09:00:00+07:00"),
                },
            )
            .await
            .expect("migrated");
        assert_eq!(done.migrated, 1, "{}: {done:?}", t.name);
        assert_eq!(done.refused.len(), 1);
        assert_eq!(done.refused[0].0, "a");
        assert_eq!(done.refused[0].1.code, "unmapped_step");
        assert_eq!(s.dossier("a").await.expect("a").procedure_version, "2024.1");
        // With the mapping, "a" follows.
        let mapping: BTreeMap<String, String> = [("tham-dinh".into(), "xem-xet".into())].into();
        let done = s
            .migrate_dossiers(
                &["a".to_string()],
                &MigrateRequest {
                    from: &from,
                    to: &v2,
                    mapping: &mapping,
                    calendar: &calendar,
                    actor: &admin,
                    now: at("2026-04-21T09:00:00+07:00"),
                },
            )
            .await
            .expect("migrated");
        assert_eq!(done.migrated, 1, "{}", t.name);
        let a = s.dossier("a").await.expect("a");
        assert_eq!(
            (a.procedure_version.as_str(), a.step.as_deref()),
            ("2025.1", Some("xem-xet"))
        );
        let log = s.events("a").await.expect("events");
        assert!(log.iter().any(|e| matches!(
            &e.event,
            Event::ProcedureMigrated { mapping, .. } if mapping.get("tham-dinh").map(String::as_str) == Some("xem-xet")
        )));
        assert!(
            s.open_dossiers_of_procedure("HKD-DK-THANH-LAP", "2025.1", "", 100)
                .await
                .expect("open")
                .is_empty()
        );
        let report = s.verify_all().await.expect("verify");
        assert!(report.problems.is_empty(), "{}: {report:?}", t.name);
        let rebuilt = s.rebuild_projections().await.expect("rebuild");
        assert_eq!(
            (rebuilt.changed, rebuilt.problems.len()),
            (0, 0),
            "{}: {rebuilt:?}",
            t.name
        );
    }
}
