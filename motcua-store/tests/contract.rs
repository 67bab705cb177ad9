//! The store's contract, run against every available backend: SQLite always, PostgreSQL when
//! `MOTCUA_TEST_PG_URL` is set (`.ci/run` starts a throwaway server and sets it).

mod support;

use motcua_core::dossier::{Attachment, Command, Outcome, State, verify};
use motcua_core::procedure::Role;
use motcua_store::{NewAttachment, QueueFilter, StoreError};
use support::*;

#[tokio::test]
async fn migrations_are_idempotent() {
    for t in backends().await {
        assert!(
            t.store.migrate().await.expect("again").is_empty(),
            "{}",
            t.name
        );
    }
}

#[tokio::test]
async fn a_whole_lifecycle_is_stored_and_read_back() {
    for t in backends().await {
        let s = &t.store;
        seed(s).await;
        let desk = staff(Role::ReceptionOfficer);
        run(
            s,
            "d1",
            &applicant("an"),
            "2026-04-20T09:00:00+07:00",
            submit("Nguyễn Văn An"),
        )
        .await
        .expect("submit");
        run(
            s,
            "d1",
            &desk,
            "2026-04-20T10:00:00+07:00",
            Command::Accept { sequence: 999 },
        )
        .await
        .expect("accept");
        let d = s.dossier("d1").await.expect("stored");
        let code = d.code.clone().expect("coded").to_string();
        assert_eq!(
            code, "000.20.31.H53-260420-0001",
            "{}: the store allocates the sequence",
            t.name
        );
        assert_eq!(s.dossier_by_code(&code).await.expect("by code"), d);
        run(
            s,
            "d1",
            &desk,
            "2026-04-20T10:30:00+07:00",
            forward("phan-cong"),
        )
        .await
        .expect("forward");
        run(
            s,
            "d1",
            &staff(Role::DepartmentHead),
            "2026-04-20T11:00:00+07:00",
            forward("tham-dinh"),
        )
        .await
        .expect("forward");
        let draft = b"%PDF-1.7 draft".to_vec();
        let sha = motcua_store::sha256_hex(&draft);
        run_with(
            s,
            "d1",
            &staff(Role::Specialist),
            "2026-04-21T09:00:00+07:00",
            Command::AttachDraft {
                attachment: Attachment {
                    name: "draft.pdf".into(),
                    sha256: sha.clone(),
                },
            },
            None,
            vec![NewAttachment {
                bytes: draft.clone(),
                content_type: "application/pdf".into(),
            }],
        )
        .await
        .expect("draft with its file");
        assert_eq!(s.attachment(&sha).await.expect("file").1, draft);
        run(
            s,
            "d1",
            &staff(Role::Specialist),
            "2026-04-21T09:30:00+07:00",
            forward("duyet"),
        )
        .await
        .expect("forward");
        run(
            s,
            "d1",
            &staff(Role::DepartmentHead),
            "2026-04-21T10:00:00+07:00",
            Command::Approve {
                to: "van-thu".into(),
            },
        )
        .await
        .expect("approve");
        // The signed result references a file already stored: no upload needed.
        run(
            s,
            "d1",
            &staff(Role::Clerk),
            "2026-04-21T10:10:00+07:00",
            Command::AttachSignedResult {
                attachment: Attachment {
                    name: "gcn.pdf".into(),
                    sha256: sha.clone(),
                },
            },
        )
        .await
        .expect("signed");
        run(
            s,
            "d1",
            &staff(Role::Clerk),
            "2026-04-21T10:20:00+07:00",
            Command::MarkFinished {
                outcome: Outcome::Granted,
            },
        )
        .await
        .expect("finished");
        run(
            s,
            "d1",
            &desk,
            "2026-04-22T08:00:00+07:00",
            Command::ReturnResult,
        )
        .await
        .expect("returned");
        run(
            s,
            "d1",
            &applicant("an"),
            "2026-04-22T09:00:00+07:00",
            Command::Rate {
                score: 5,
                comment: "Tốt".into(),
                indicators: Default::default(),
            },
        )
        .await
        .expect("rated");
        let d = s.dossier("d1").await.expect("stored");
        assert_eq!((d.state, d.national_status()), (State::Returned, 10));
        let events = s.events("d1").await.expect("events");
        assert_eq!(events.len() as u64, d.version);
        assert_eq!(verify(&events), Ok(()));
        assert_eq!(
            events.last().map(|e| e.hash.clone()),
            Some(d.last_hash.clone())
        );
        // The feed lists every change once, in order, with national status codes.
        let feed = s.feed(0, 100).await.expect("feed");
        assert_eq!(feed.len(), events.len());
        assert!(feed.windows(2).all(|w| w[0].cursor < w[1].cursor));
        let after = s.feed(feed[5].cursor, 100).await.expect("feed");
        assert_eq!(after.len(), events.len() - 6);
        assert_eq!(feed.last().map(|f| f.national_status), Some(10));
        assert_eq!(s.verify_all().await.expect("verify").problems, vec![]);
        assert_eq!(s.dossiers_of("an", 10).await.expect("mine").len(), 1);
        assert!(
            s.dossiers_of("someone-else", 10)
                .await
                .expect("theirs")
                .is_empty()
        );
    }
}

#[tokio::test]
async fn a_refusal_writes_nothing_and_stale_versions_conflict() {
    for t in backends().await {
        let s = &t.store;
        seed(s).await;
        run(
            s,
            "d1",
            &applicant("an"),
            "2026-04-20T09:00:00+07:00",
            submit("An"),
        )
        .await
        .expect("submit");
        let before = s.dossier("d1").await.expect("stored");
        let r = run(
            s,
            "d1",
            &staff(Role::Specialist),
            "2026-04-20T10:00:00+07:00",
            Command::Accept { sequence: 1 },
        )
        .await;
        assert!(
            matches!(r, Err(StoreError::Rejected(ref e)) if e.code == "forbidden"),
            "{}: {r:?}",
            t.name
        );
        assert_eq!(s.dossier("d1").await.expect("stored"), before);
        assert_eq!(s.events("d1").await.expect("events").len(), 1);
        // The refused acceptance did not consume a sequence number.
        run(
            s,
            "d1",
            &staff(Role::ReceptionOfficer),
            "2026-04-20T10:05:00+07:00",
            Command::Accept { sequence: 1 },
        )
        .await
        .expect("accept");
        assert_eq!(
            s.dossier("d1")
                .await
                .expect("stored")
                .code
                .clone()
                .expect("code")
                .sequence(),
            1
        );
        let stale = run_with(
            s,
            "d1",
            &staff(Role::ReceptionOfficer),
            "2026-04-20T10:10:00+07:00",
            forward("phan-cong"),
            Some(2),
            vec![],
        )
        .await;
        assert!(
            matches!(stale, Err(StoreError::Conflict(_))),
            "{}: {stale:?}",
            t.name
        );
        run_with(
            s,
            "d1",
            &staff(Role::ReceptionOfficer),
            "2026-04-20T10:10:00+07:00",
            // Submitted (1), accepted (2) and its notice to the applicant (3).
            forward("phan-cong"),
            Some(3),
            vec![],
        )
        .await
        .expect("current version");
    }
}

#[tokio::test]
async fn attachments_are_checked() {
    for t in backends().await {
        let s = &t.store;
        seed(s).await;
        let spec = staff(Role::Specialist);
        at_tham_dinh(s, "d1", "An").await;
        let ghost = Command::AttachDraft {
            attachment: Attachment {
                name: "x.pdf".into(),
                sha256: "ab".repeat(32),
            },
        };
        let r = run(s, "d1", &spec, "2026-04-20T11:00:00+07:00", ghost).await;
        assert!(
            matches!(r, Err(StoreError::NotFound(_))),
            "{}: {r:?}",
            t.name
        );
        let big = NewAttachment {
            bytes: vec![0; 21 * 1024 * 1024],
            content_type: "application/pdf".into(),
        };
        let sha = motcua_store::sha256_hex(&big.bytes);
        let r = run_with(
            s,
            "d1",
            &spec,
            "2026-04-20T11:00:00+07:00",
            Command::AttachDraft {
                attachment: Attachment {
                    name: "big.pdf".into(),
                    sha256: sha,
                },
            },
            None,
            vec![big],
        )
        .await;
        assert!(
            matches!(r, Err(StoreError::TooLarge { .. })),
            "{}: {r:?}",
            t.name
        );
        assert_eq!(
            s.events("d1").await.expect("events").len(),
            5,
            "nothing was written"
        );
        // A stored file whose bytes change is detected on read.
        let bytes = b"hello".to_vec();
        let sha = motcua_store::sha256_hex(&bytes);
        run_with(
            s,
            "d1",
            &spec,
            "2026-04-20T11:00:00+07:00",
            Command::AttachDraft {
                attachment: Attachment {
                    name: "h.txt".into(),
                    sha256: sha.clone(),
                },
            },
            None,
            vec![NewAttachment {
                bytes,
                content_type: "text/plain".into(),
            }],
        )
        .await
        .expect("stored");
        assert!(s.attachment(&sha).await.is_ok());
        let tamper = match s.backend() {
            motcua_store::Backend::Sqlite => {
                format!("UPDATE attachments SET bytes = X'00' WHERE sha256 = '{sha}'")
            }
            motcua_store::Backend::Postgres => {
                format!("UPDATE attachments SET bytes = '\\x00'::bytea WHERE sha256 = '{sha}'")
            }
        };
        s.raw_execute(&tamper).await.expect("tamper");
        assert!(matches!(
            s.attachment(&sha).await,
            Err(StoreError::Integrity(_))
        ));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_acceptance_gives_codes_without_gaps_or_duplicates() {
    for t in backends().await {
        let s = t.store.clone();
        seed(&s).await;
        let n = 40;
        for i in 0..n {
            run(
                &s,
                &format!("d{i}"),
                &applicant("an"),
                "2026-04-20T09:00:00+07:00",
                submit("An"),
            )
            .await
            .expect("submit");
        }
        let mut tasks = Vec::new();
        for i in 0..n {
            let s = s.clone();
            tasks.push(tokio::spawn(async move {
                run(
                    &s,
                    &format!("d{i}"),
                    &staff(Role::ReceptionOfficer),
                    "2026-04-20T10:00:00+07:00",
                    Command::Accept { sequence: 0 },
                )
                .await
            }));
        }
        for task in tasks {
            task.await
                .expect("task")
                .expect("every acceptance succeeds");
        }
        let mut seqs = Vec::new();
        for i in 0..n {
            seqs.push(
                s.dossier(&format!("d{i}"))
                    .await
                    .expect("d")
                    .code
                    .clone()
                    .expect("code")
                    .sequence(),
            );
        }
        seqs.sort();
        assert_eq!(seqs, (1..=n).collect::<Vec<u32>>(), "{}", t.name);
        // The next day starts again at 0001.
        run(
            &s,
            "next",
            &applicant("an"),
            "2026-04-20T16:00:00+07:00",
            submit("An"),
        )
        .await
        .expect("submit");
        run(
            &s,
            "next",
            &staff(Role::ReceptionOfficer),
            "2026-04-21T08:00:00+07:00",
            Command::Accept { sequence: 0 },
        )
        .await
        .expect("accept");
        assert_eq!(
            s.dossier("next")
                .await
                .expect("d")
                .code
                .clone()
                .expect("code")
                .to_string(),
            "000.20.31.H53-260421-0001"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conflicting_transitions_never_lose_an_update() {
    for t in backends().await {
        let s = t.store.clone();
        seed(&s).await;
        run(
            &s,
            "d",
            &applicant("an"),
            "2026-04-20T09:00:00+07:00",
            submit("An"),
        )
        .await
        .expect("submit");
        run(
            &s,
            "d",
            &staff(Role::ReceptionOfficer),
            "2026-04-20T10:00:00+07:00",
            Command::Accept { sequence: 0 },
        )
        .await
        .expect("accept");
        let version = s.dossier("d").await.expect("d").version;
        // Ten officers forward the same dossier at once, all having seen the same version.
        let mut tasks = Vec::new();
        for _ in 0..10 {
            let s = s.clone();
            tasks.push(tokio::spawn(async move {
                run_with(
                    &s,
                    "d",
                    &staff(Role::ReceptionOfficer),
                    "2026-04-20T10:30:00+07:00",
                    forward("phan-cong"),
                    Some(version),
                    vec![],
                )
                .await
            }));
        }
        let mut ok = 0;
        for task in tasks {
            match task.await.expect("task") {
                Ok(_) => ok += 1,
                Err(StoreError::Conflict(_)) => {}
                Err(e) => panic!("{}: unexpected {e}", t.name),
            }
        }
        assert_eq!(ok, 1, "{}: exactly one wins", t.name);
        let events = s.events("d").await.expect("events");
        assert_eq!(
            events.len(),
            4,
            "submitted, accepted, its notice, the winner"
        );
        assert_eq!(verify(&events), Ok(()));
    }
}

#[tokio::test]
async fn search_queue_and_statistics() {
    for t in backends().await {
        let s = &t.store;
        seed(s).await;
        let desk = staff(Role::ReceptionOfficer);
        for (id, name, accept_at) in [
            ("a", "Nguyễn Văn An", "2026-04-20T10:00:00+07:00"),
            ("b", "Trần Thị Bích", "2026-04-21T10:00:00+07:00"),
            ("c", "Đặng Văn Cường", "2026-04-22T10:00:00+07:00"),
        ] {
            run(
                s,
                id,
                &applicant(id),
                "2026-04-20T08:00:00+07:00",
                submit(name),
            )
            .await
            .expect("submit");
            run(s, id, &desk, accept_at, Command::Accept { sequence: 0 })
                .await
                .expect("accept");
        }
        // The names' index (SQLite) catches up outside the commands; 0 on PostgreSQL.
        let indexed = s.index_search(100).await.expect("index");
        assert!(indexed == 3 || indexed == 0, "{}: {indexed}", t.name);
        assert_eq!(s.index_search(100).await.expect("index"), 0, "nothing left");
        let agencies = vec![AGENCY.to_string()];
        let found = s
            .search(&agencies, "nguyen van an", 10)
            .await
            .expect("search");
        assert_eq!(
            found.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(),
            ["a"],
            "{}",
            t.name
        );
        assert_eq!(
            s.search(&agencies, "DANG van", 10).await.expect("search")[0].id,
            "c"
        );
        assert_eq!(
            s.search(&agencies, "094092003456", 10)
                .await
                .expect("search")
                .len(),
            3
        );
        let code = s
            .dossier("b")
            .await
            .expect("b")
            .code
            .clone()
            .expect("code")
            .to_string();
        assert_eq!(
            s.search(&agencies, &code, 10).await.expect("search")[0].id,
            "b"
        );
        // Part of a code (its date and number), and a code typed in lower case.
        let tail = &code[code.len() - 11..];
        assert_eq!(
            s.search(&agencies, tail, 10).await.expect("search")[0].id,
            "b",
            "{tail}"
        );
        assert_eq!(
            s.search(&agencies, &code.to_lowercase(), 10)
                .await
                .expect("search")[0]
                .id,
            "b"
        );
        // Quotes and FTS syntax in the needle are text, not a query.
        for odd in ["van \"an", "an\" OR \"b", "NEAR(an b)", "*"] {
            assert!(
                s.search(&agencies, odd, 10)
                    .await
                    .expect("search")
                    .is_empty(),
                "{}: {odd}",
                t.name
            );
        }
        // Two characters: below the trigram index, still found.
        assert_eq!(
            s.search(&agencies, "bi", 10).await.expect("search")[0].id,
            "b"
        );
        assert!(
            s.search(&["000.99.99.H53".to_string()], "an", 10)
                .await
                .expect("search")
                .is_empty()
        );
        // The desk's queue: earliest appointment (most urgent) first.
        let q = s
            .queue(&QueueFilter {
                agency: AGENCY.into(),
                role: Some("reception-officer".into()),
                limit: 10,
                ..QueueFilter::default()
            })
            .await
            .expect("queue");
        assert_eq!(
            q.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(),
            ["a", "b", "c"]
        );
        assert!(
            s.queue(&QueueFilter {
                agency: AGENCY.into(),
                role: Some("clerk".into()),
                limit: 10,
                ..QueueFilter::default()
            })
            .await
            .expect("queue")
            .is_empty()
        );
        // By step: all three are at the first step, none further on.
        for (step, expected) in [("tiep-nhan", 3), ("phan-cong", 0)] {
            let q = s
                .queue(&QueueFilter {
                    agency: AGENCY.into(),
                    step: Some(step.into()),
                    limit: 10,
                    ..QueueFilter::default()
                })
                .await
                .expect("queue");
            assert_eq!(q.len(), expected, "{}: {step}", t.name);
            assert!(q.iter().all(|d| d.step.as_deref() == Some(step)));
        }
        // Refuse one more, and count April 2026 for the province (the district is its child).
        run(
            s,
            "r",
            &applicant("r"),
            "2026-04-23T08:00:00+07:00",
            submit("Lý Văn R"),
        )
        .await
        .expect("submit");
        run(
            s,
            "r",
            &desk,
            "2026-04-23T09:00:00+07:00",
            Command::Refuse {
                reason: "Sai thẩm quyền".into(),
            },
        )
        .await
        .expect("refuse");
        let st = s
            .statistics(
                PROVINCE,
                at("2026-04-21T00:00:00+07:00"),
                at("2026-05-01T00:00:00+07:00"),
                at("2026-05-01T00:00:00+07:00"),
            )
            .await
            .expect("stats");
        let f = &st.by_field["Thành lập và hoạt động của hộ kinh doanh"];
        assert_eq!(
            (f.carried_over, f.new_online, f.new_direct_or_post),
            (1, 2, 0),
            "{}: {f:?}",
            t.name
        );
        assert_eq!(
            (f.in_progress_within_time + f.in_progress_overdue, f.refused),
            (3, 1)
        );
        assert_eq!(st.total.received(), 3);
        assert!(matches!(
            s.statistics(
                "000.99.99.H53",
                at("2026-04-01T00:00:00Z"),
                at("2026-05-01T00:00:00Z"),
                at("2026-05-01T00:00:00Z"),
            )
            .await,
            Err(StoreError::NotFound(_))
        ));
        // A dossier submitted after the index caught up is found before it is indexed.
        run(
            s,
            "d",
            &applicant("d"),
            "2026-04-23T08:00:00+07:00",
            submit("Võ Thị Tư"),
        )
        .await
        .expect("submit");
        assert_eq!(
            s.search(&agencies, "vo thi tu", 10).await.expect("search")[0].id,
            "d"
        );
        s.index_search(100).await.expect("index");
        assert_eq!(
            s.search(&agencies, "vo thi tu", 10).await.expect("search")[0].id,
            "d"
        );
    }
}

#[tokio::test]
async fn verify_finds_altered_and_missing_events() {
    for t in backends().await {
        let s = &t.store;
        seed(s).await;
        for id in ["x", "y", "z"] {
            run(
                s,
                id,
                &applicant("an"),
                "2026-04-20T09:00:00+07:00",
                submit("An"),
            )
            .await
            .expect("submit");
            run(
                s,
                id,
                &staff(Role::ReceptionOfficer),
                "2026-04-20T10:00:00+07:00",
                Command::Accept { sequence: 0 },
            )
            .await
            .expect("accept");
        }
        assert!(s.verify_all().await.expect("verify").problems.is_empty());
        s.raw_execute("UPDATE events SET at = at + 1 WHERE dossier_id = 'x' AND seq = 0")
            .await
            .expect("tamper");
        s.raw_execute("DELETE FROM events WHERE dossier_id = 'y' AND seq = 0")
            .await
            .expect("delete");
        let report = s.verify_all().await.expect("verify");
        assert_eq!(report.dossiers, 3);
        let problems: Vec<&str> = report.problems.iter().map(|p| p.0.as_str()).collect();
        assert_eq!(problems, ["x", "y"], "{}: {:?}", t.name, report.problems);
    }
}

#[tokio::test]
async fn export_import_round_trips_across_backends() {
    let mut sources = backends().await;
    for source in &mut sources {
        let s = &source.store;
        seed(s).await;
        at_tham_dinh(s, "d1", "Nguyễn Văn An").await;
        let file = b"%PDF".to_vec();
        let sha = motcua_store::sha256_hex(&file);
        run_with(
            s,
            "d1",
            &staff(Role::Specialist),
            "2026-04-20T11:00:00+07:00",
            Command::AttachDraft {
                attachment: Attachment {
                    name: "d.pdf".into(),
                    sha256: sha.clone(),
                },
            },
            None,
            vec![NewAttachment {
                bytes: file.clone(),
                content_type: "application/pdf".into(),
            }],
        )
        .await
        .expect("draft");
        let mut dump = Vec::new();
        let exported = s.export(&mut dump).await.expect("export");
        for target in backends().await {
            let imported = target
                .store
                .import(std::io::Cursor::new(&dump))
                .await
                .expect("import");
            assert_eq!(imported, exported, "{} → {}", source.name, target.name);
            assert_eq!(
                target.store.dossier("d1").await.expect("d1"),
                s.dossier("d1").await.expect("d1")
            );
            assert_eq!(target.store.attachment(&sha).await.expect("file").1, file);
            assert!(
                target
                    .store
                    .verify_all()
                    .await
                    .expect("verify")
                    .problems
                    .is_empty()
            );
            // Identity columns continue after the imported ones, and codes after the counter.
            run(
                &target.store,
                "d2",
                &applicant("b"),
                "2026-04-20T11:00:00+07:00",
                submit("B"),
            )
            .await
            .expect("submit after import");
            run(
                &target.store,
                "d2",
                &staff(Role::ReceptionOfficer),
                "2026-04-20T11:10:00+07:00",
                Command::Accept { sequence: 0 },
            )
            .await
            .expect("accept");
            assert_eq!(
                target
                    .store
                    .dossier("d2")
                    .await
                    .expect("d2")
                    .code
                    .clone()
                    .expect("c")
                    .sequence(),
                2
            );
            let feed = target.store.feed(0, 100).await.expect("feed");
            assert!(feed.windows(2).all(|w| w[0].cursor < w[1].cursor));
            // Importing twice is refused.
            assert!(matches!(
                target.store.import(std::io::Cursor::new(&dump)).await,
                Err(StoreError::Conflict(_))
            ));
        }
    }
}

#[tokio::test]
async fn sqlite_online_backup_is_a_working_database() {
    let t = sqlite().await;
    seed(&t.store).await;
    run(
        &t.store,
        "d1",
        &applicant("an"),
        "2026-04-20T09:00:00+07:00",
        submit("An"),
    )
    .await
    .expect("submit");
    let path = temp_path("backup");
    t.store.backup_sqlite(&path).await.expect("backup");
    assert!(
        t.store.backup_sqlite(&path).await.is_err(),
        "never overwrites"
    );
    let copy =
        motcua_store::Store::connect(&format!("sqlite://{}", path.display()), Default::default())
            .await
            .expect("opens");
    assert_eq!(
        copy.dossier("d1").await.expect("d1"),
        t.store.dossier("d1").await.expect("d1")
    );
    copy.close().await;
    let _ = std::fs::remove_file(&path);
}

#[tokio::test]
async fn users_calendars_and_feedback() {
    use motcua_store::{Feedback, Grant, User};
    for t in backends().await {
        let s = &t.store;
        seed(s).await;
        let u = User {
            id: "mot-cua-1".into(),
            kind: "staff".into(),
            name: "Lâm Thị Hoa".into(),
            email: Some("hoa@soctrang.gov.vn".into()),
            phone: None,
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
            must_change_password: true,
            created_at: at("2026-11-01T08:00:00+07:00"),
            home_agency: Some(AGENCY.into()),
            deactivated_at: None,
        };
        let grants = vec![Grant {
            agency_id: AGENCY.into(),
            role: "reception-officer".into(),
        }];
        s.create_user(&u, &grants, "quan-tri")
            .await
            .expect("created");
        assert!(
            matches!(
                s.create_user(&u, &grants, "quan-tri").await,
                Err(StoreError::Conflict(_))
            ),
            "{}",
            t.name
        );
        assert_eq!(
            s.user("mot-cua-1").await.expect("user"),
            (u.clone(), grants.clone())
        );
        s.set_password("mot-cua-1", "$argon2id$new", false)
            .await
            .expect("changed");
        let (after, _) = s.user("mot-cua-1").await.expect("user");
        assert!(!after.must_change_password);
        assert!(matches!(
            s.set_password("nobody", "x", false).await,
            Err(StoreError::NotFound(_))
        ));
        // Roles at one agency are replaced together; roles elsewhere stay.
        s.set_roles(
            "mot-cua-1",
            PROVINCE,
            &["supervisor".into()],
            "quan-tri",
            at("2026-11-02T08:00:00+07:00"),
        )
        .await
        .expect("province role");
        s.set_roles(
            "mot-cua-1",
            AGENCY,
            &["specialist".into(), "clerk".into()],
            "quan-tri",
            at("2026-11-02T08:00:00+07:00"),
        )
        .await
        .expect("roles replaced");
        let roles: Vec<(String, String)> = s
            .user("mot-cua-1")
            .await
            .expect("user")
            .1
            .into_iter()
            .map(|g| (g.agency_id, g.role))
            .collect();
        assert_eq!(
            roles,
            vec![
                (PROVINCE.to_string(), "supervisor".to_string()),
                (AGENCY.to_string(), "clerk".to_string()),
                (AGENCY.to_string(), "specialist".to_string()),
            ]
            .into_iter()
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect::<Vec<_>>(),
            "{}",
            t.name
        );
        let at_agency = s.users_at(AGENCY).await.expect("users");
        assert_eq!(at_agency.len(), 1);
        assert_eq!(at_agency[0].0.id, "mot-cua-1");
        assert!(s.users_at("000.99.99.H53").await.expect("none").is_empty());
        s.set_roles(
            "mot-cua-1",
            AGENCY,
            &[],
            "quan-tri",
            at("2026-11-02T08:00:00+07:00"),
        )
        .await
        .expect("removed");
        assert!(s.users_at(AGENCY).await.expect("users").is_empty());
        // Every creation, grant and revocation is in the audit log, with who did it.
        let log: Vec<(String, String, String)> = s
            .audit_of(&[AGENCY.to_string()], 100)
            .await
            .expect("audit")
            .into_iter()
            .rev()
            .map(|e| {
                assert_eq!(
                    (e.actor.as_str(), e.account.as_str()),
                    ("quan-tri", "mot-cua-1")
                );
                (e.action, e.agency.unwrap_or_default(), e.detail)
            })
            .collect();
        let entry = |a: &str, d: &str| (a.to_string(), AGENCY.to_string(), d.to_string());
        assert_eq!(
            log,
            vec![
                entry("account_created", ""),
                entry("role_granted", "reception-officer"),
                entry("role_granted", "specialist"),
                entry("role_granted", "clerk"),
                entry("role_revoked", "reception-officer"),
                entry("role_revoked", "clerk"),
                entry("role_revoked", "specialist"),
            ],
            "{}",
            t.name
        );
        // A grant at an agency that does not exist is refused (foreign key).
        let bad = User {
            id: "x".into(),
            ..u.clone()
        };
        assert!(
            s.create_user(
                &bad,
                &[Grant {
                    agency_id: "000.99.99.H53".into(),
                    role: "clerk".into()
                }],
                "quan-tri"
            )
            .await
            .is_err()
        );
        assert!(
            matches!(s.user("x").await, Err(StoreError::NotFound(_))),
            "nothing half-done"
        );

        assert_eq!(
            s.put_calendar("soc-trang", "{\"layers\":[]}")
                .await
                .expect("v1"),
            1
        );
        assert_eq!(
            s.put_calendar("soc-trang", "{\"layers\":[]}")
                .await
                .expect("same"),
            1
        );
        assert_eq!(
            s.put_calendar("soc-trang", "{\"layers\":[1]}")
                .await
                .expect("v2"),
            2
        );
        assert_eq!(
            s.calendar("soc-trang").await.expect("latest"),
            (2, "{\"layers\":[1]}".to_string())
        );

        let f = Feedback {
            id: "pa-1".into(),
            agency_id: AGENCY.into(),
            dossier_id: None,
            author: "an".into(),
            subject: "Thời gian tiếp nhận".into(),
            body: "Bộ phận một cửa mở cửa lúc mấy giờ?".into(),
            created_at: at("2026-11-02T09:00:00+07:00"),
            due_at: at("2026-11-05T09:00:00+07:00"),
            answer: None,
            answered_at: None,
            published: false,
            contact: None,
        };
        s.put_feedback(&f).await.expect("feedback");
        let anonymous = Feedback {
            id: "pa-anon".into(),
            author: String::new(),
            contact: Some("Bà Năm, 0912 345 678".into()),
            ..f.clone()
        };
        s.put_feedback(&anonymous)
            .await
            .expect("anonymous feedback");
        assert_eq!(
            s.feedback("pa-anon")
                .await
                .expect("read")
                .contact
                .as_deref(),
            Some("Bà Năm, 0912 345 678"),
            "{}",
            t.name
        );
        let mine = s.feedback_by("an", 10).await.expect("by author");
        assert_eq!(
            mine.iter().map(|f| f.id.as_str()).collect::<Vec<_>>(),
            ["pa-1"],
            "{}",
            t.name
        );
        assert!(
            s.published_feedback(10)
                .await
                .expect("published")
                .is_empty()
        );
        let notice = motcua_core::dossier::event::Notification::new(
            motcua_core::dossier::event::Recipient::Account { id: "an".into() },
            [motcua_core::dossier::event::DeliveryChannel::Portal],
            "Phản ánh của ông/bà đã được trả lời.",
        );
        s.answer_feedback(
            "pa-1",
            "Từ 7 giờ sáng các ngày làm việc.",
            at("2026-11-03T10:00:00+07:00"),
            true,
            Some(&notice),
        )
        .await
        .expect("answered");
        let outbox = s.outbox_of("feedback:pa-1").await.expect("outbox");
        assert_eq!(outbox.len(), 1, "{}: the answer's notice is queued", t.name);
        assert!(outbox[0].1.contains("đã được trả lời"), "{}", t.name);
        assert!(matches!(
            s.answer_feedback(
                "pa-1",
                "again",
                at("2026-11-03T11:00:00+07:00"),
                true,
                Some(&notice)
            )
            .await,
            Err(StoreError::Conflict(_))
        ));
        assert_eq!(
            s.outbox_of("feedback:pa-1").await.expect("outbox").len(),
            1,
            "{}: a refused answer queues nothing",
            t.name
        );
        assert!(matches!(
            s.answer_feedback("pa-2", "?", at("2026-11-03T11:00:00+07:00"), true, None)
                .await,
            Err(StoreError::NotFound(_))
        ));
        let published = s.published_feedback(10).await.expect("published");
        assert_eq!(published.len(), 1);
        assert_eq!(
            published[0].answer.as_deref(),
            Some("Từ 7 giờ sáng các ngày làm việc.")
        );
    }
}

/// Two servers on one database: each remembers the dossiers it wrote; a copy made stale by
/// the other is caught and the command decided again on what is stored.
#[tokio::test]
async fn a_second_server_never_acts_on_a_stale_copy() {
    for t in backends().await {
        let a = &t.store;
        seed(a).await;
        let b = motcua_store::Store::connect(&t.url, Default::default())
            .await
            .expect("second handle");
        at_tham_dinh(a, "d1", "An").await;
        // Server B moves the dossier on; server A still remembers it at tham-dinh.
        run(
            &b,
            "d1",
            &staff(Role::Specialist),
            "2026-04-21T09:00:00+07:00",
            forward("duyet"),
        )
        .await
        .expect("b forwards");
        // A specialist on server A tries the same move: decided on the stored state, it is
        // refused (the dossier is no longer at tham-dinh), not applied twice.
        let r = run(
            a,
            "d1",
            &staff(Role::Specialist),
            "2026-04-21T09:05:00+07:00",
            forward("duyet"),
        )
        .await;
        assert!(
            matches!(r, Err(StoreError::Rejected(ref e)) if e.code == "forbidden" || e.code == "no_such_transition"),
            "{}: {r:?}",
            t.name
        );
        // The head on server A acts on the current state.
        run(
            a,
            "d1",
            &staff(Role::DepartmentHead),
            "2026-04-21T10:00:00+07:00",
            Command::SendBack {
                to: "tham-dinh".into(),
                instructions: "Bổ sung".into(),
            },
        )
        .await
        .expect("a acts on the stored state");
        let events = a.events("d1").await.expect("events");
        // The acceptance's notice to the applicant is an event of its own.
        assert_eq!(events.len(), 7);
        assert_eq!(verify(&events), Ok(()));
        assert_eq!(
            b.dossier("d1").await.expect("d1").step.as_deref(),
            Some("tham-dinh")
        );
        // A submission for an id that exists elsewhere is refused, not duplicated.
        let r = run(
            &b,
            "d1",
            &applicant("x"),
            "2026-04-21T11:00:00+07:00",
            submit("X"),
        )
        .await;
        assert!(
            matches!(r, Err(StoreError::Rejected(ref e)) if e.code == "wrong_state"),
            "{}: {r:?}",
            t.name
        );
        b.close().await;
    }
}

/// The projection row's version is the guard of every write: when it no longer matches the
/// remembered copy (here changed behind the store's back), the command is a conflict and
/// neither an event nor the projection is written, on the fast SQLite batch as on the
/// general path.
#[tokio::test]
async fn a_projection_at_another_version_stops_the_write() {
    for t in backends().await {
        let s = &t.store;
        seed(s).await;
        at_tham_dinh(s, "d1", "An").await;
        let before = s.events("d1").await.expect("events").len();
        s.raw_execute("UPDATE dossiers SET version = version + 7 WHERE id = 'd1'")
            .await
            .expect("tamper");
        let r = run(
            s,
            "d1",
            &staff(Role::Specialist),
            "2026-04-21T09:00:00+07:00",
            forward("duyet"),
        )
        .await;
        assert!(
            matches!(r, Err(StoreError::Conflict(_))),
            "{}: {r:?}",
            t.name
        );
        assert_eq!(
            s.events("d1").await.expect("events").len(),
            before,
            "{}",
            t.name
        );
        assert_eq!(
            s.dossier("d1").await.expect("d1").step.as_deref(),
            Some("tham-dinh"),
            "{}",
            t.name
        );
        // The store still works afterwards (the failed batch's connection was not reused
        // inside an open transaction).
        for i in 0..10 {
            run(
                s,
                &format!("n{i}"),
                &applicant("x"),
                "2026-04-21T11:00:00+07:00",
                submit("X"),
            )
            .await
            .expect("later writes succeed");
        }
    }
}

/// A command at an instant with nanoseconds (as `Utc::now()` gives) is sealed at the
/// stored precision: the chain still verifies when read back.
#[tokio::test]
async fn instants_finer_than_storage_keep_the_chain_intact() {
    for t in backends().await {
        let s = &t.store;
        seed(s).await;
        let now = at("2026-04-20T09:00:00+07:00") + chrono::TimeDelta::nanoseconds(123_456_789);
        let returned = s
            .execute(motcua_store::ExecuteRequest {
                dossier_id: "n",
                agency: &motcua_core::dossier::AgencyId::parse(AGENCY).expect("agency"),
                command: submit("An"),
                actor: &applicant("an"),
                now,
                procedure: &procedure().1,
                calendar: calendar(),
                expected_version: None,
                attachments: vec![],
            })
            .await
            .expect("submit");
        let stored = s.events("n").await.expect("events");
        assert_eq!(stored, returned.events, "{}", t.name);
        assert_eq!(
            s.dossier("n").await.expect("dossier"),
            returned.dossier,
            "execute answers the dossier as stored: {}",
            t.name
        );
        assert!(
            s.verify_all().await.expect("verify").problems.is_empty(),
            "{}",
            t.name
        );
    }
}

/// A caller that stops waiting half-way (a client that hangs up) leaves nothing behind: no
/// connection stuck inside a transaction, no half-written command, no code taken for
/// nothing. Commands are cut off after growing delays, so some stop before, some inside and
/// some after their transaction.
#[tokio::test]
async fn callers_that_give_up_leave_nothing_half_done() {
    use std::time::Duration;
    for t in backends().await {
        let s = &t.store;
        seed(s).await;
        let desk = staff(Role::ReceptionOfficer);
        for i in 0..60u64 {
            let id = format!("c{i}");
            let cut = Duration::from_micros(25 * i);
            let _ = tokio::time::timeout(
                cut,
                run(
                    s,
                    &id,
                    &applicant("x"),
                    "2026-04-20T09:00:00+07:00",
                    submit("X"),
                ),
            )
            .await;
            let _ = tokio::time::timeout(
                cut,
                run(
                    s,
                    &id,
                    &desk,
                    "2026-04-20T10:00:00+07:00",
                    Command::Accept { sequence: 0 },
                ),
            )
            .await;
        }
        // Every dossier is whole: its projection matches its events and its chain verifies.
        let report = s.verify_all().await.expect("verify");
        assert!(
            report.problems.is_empty(),
            "{}: {:?}",
            t.name,
            report.problems
        );
        // Accepted dossiers hold the codes 1..=n of the day, without a gap.
        let mut seqs = Vec::new();
        for i in 0..60 {
            if let Ok(d) = s.dossier(&format!("c{i}")).await
                && let Some(code) = d.code.clone()
            {
                seqs.push(code.sequence());
            }
        }
        seqs.sort_unstable();
        let expected: Vec<u32> = (1..=seqs.len() as u32).collect();
        assert_eq!(seqs, expected, "{}", t.name);
        // And the store goes on: every connection of the pool is usable.
        for i in 0..20 {
            run(
                s,
                &format!("after{i}"),
                &applicant("x"),
                "2026-04-20T11:00:00+07:00",
                submit("X"),
            )
            .await
            .expect("later commands succeed");
            run(
                s,
                &format!("after{i}"),
                &desk,
                "2026-04-20T11:05:00+07:00",
                Command::Accept { sequence: 0 },
            )
            .await
            .expect("later acceptances succeed");
        }
    }
}

/// The feed never lets a reader move past an event that commits later with a lower number:
/// on PostgreSQL a transaction holds event number N uncommitted while another commits N+1;
/// the feed waits for the first and then gives both, in order.
#[tokio::test]
async fn the_feed_never_skips_an_event_committed_late() {
    let Some(t) = postgres().await else {
        return;
    };
    let s = &t.store;
    seed(s).await;
    at_tham_dinh(s, "d1", "An").await;
    let start = s
        .feed(0, 1000)
        .await
        .expect("feed")
        .last()
        .expect("events")
        .cursor;
    // A writer on its own connection takes the next event number and waits.
    let pool = sqlx::postgres::PgPool::connect(&t.url).await.expect("pg");
    let mut slow = pool.begin().await.expect("begin");
    let held: i64 = sqlx::query_scalar(
        "INSERT INTO events (dossier_id, seq, at, actor, event, prev_hash, hash, national_status)
         SELECT dossier_id, 99, at, actor, event, prev_hash, hash, national_status
         FROM events WHERE dossier_id = 'd1' AND seq = 0 RETURNING id",
    )
    .fetch_one(&mut *slow)
    .await
    .expect("slow insert");
    // Another writer commits the next number.
    run(
        s,
        "d2",
        &applicant("x"),
        "2026-04-21T09:00:00+07:00",
        submit("Bình"),
    )
    .await
    .expect("d2");
    let reader = {
        let s = s.clone();
        tokio::spawn(async move { s.feed(start, 1000).await })
    };
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(
        !reader.is_finished(),
        "the feed answered while an earlier number was in flight"
    );
    slow.commit().await.expect("commit");
    let items = reader.await.expect("join").expect("feed");
    let cursors: Vec<i64> = items.iter().map(|i| i.cursor).collect();
    assert_eq!(cursors.first(), Some(&held), "{cursors:?}");
    assert!(items.iter().any(|i| i.dossier_id == "d2"), "{cursors:?}");
    assert!(cursors.windows(2).all(|w| w[0] < w[1]));
}

/// The public lookup (on SQLite files read without sqlx, see fastread.rs) shows each
/// committed change at once and agrees with the full dossier.
#[tokio::test]
async fn the_public_status_follows_every_commit() {
    for t in backends().await {
        let s = &t.store;
        seed(s).await;
        assert!(matches!(
            s.public_status("000.20.31.H53-260420-0001").await,
            Err(StoreError::NotFound(_))
        ));
        let desk = staff(Role::ReceptionOfficer);
        run(
            s,
            "d1",
            &applicant("an"),
            "2026-04-20T09:00:00+07:00",
            submit("An"),
        )
        .await
        .expect("submit");
        run(
            s,
            "d1",
            &desk,
            "2026-04-20T10:00:00+07:00",
            Command::Accept { sequence: 0 },
        )
        .await
        .expect("accept");
        let code = s
            .dossier("d1")
            .await
            .expect("d1")
            .code
            .clone()
            .expect("code")
            .to_string();
        let steps = [
            (
                desk.clone(),
                "2026-04-20T10:10:00+07:00",
                forward("phan-cong"),
            ),
            (
                staff(Role::DepartmentHead),
                "2026-04-20T10:20:00+07:00",
                forward("tham-dinh"),
            ),
            (
                staff(Role::Specialist),
                "2026-04-21T10:20:00+07:00",
                forward("duyet"),
            ),
        ];
        for (actor, now, command) in steps {
            run(s, "d1", &actor, now, command).await.expect("step");
            let d = s.dossier("d1").await.expect("d1");
            let p = s.public_status(&code).await.expect("public status");
            assert_eq!(p.state, d.state, "{}", t.name);
            assert_eq!(
                p.national_status,
                i64::from(d.national_status()),
                "{}",
                t.name
            );
            assert_eq!(p.step, d.step, "{}", t.name);
            assert_eq!(p.appointment, d.clock.appointment, "{}", t.name);
            assert_eq!(p.accepted_at, d.accepted_at, "{}", t.name);
        }
    }
}

/// Lookups made together (on PostgreSQL they share statements, see fastread.rs) are each
/// answered with their own dossier, or not found, and a commit made between two waves is
/// seen by every lookup of the second.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lookups_made_together_each_get_their_own_answer() {
    for t in backends().await {
        let s = &t.store;
        seed(s).await;
        let desk = staff(Role::ReceptionOfficer);
        let mut codes = Vec::new();
        for (i, name) in ["An", "Bình", "Cúc", "Dũng", "Én"].iter().enumerate() {
            let id = format!("d{i}");
            run(
                s,
                &id,
                &applicant("an"),
                "2026-04-20T09:00:00+07:00",
                submit(name),
            )
            .await
            .expect("submit");
            run(
                s,
                &id,
                &desk,
                "2026-04-20T10:00:00+07:00",
                Command::Accept { sequence: 0 },
            )
            .await
            .expect("accept");
            let d = s.dossier(&id).await.expect("dossier");
            codes.push((d.code.clone().expect("code").to_string(), d.step.clone()));
        }
        let wave = |expect: Vec<(String, Option<String>)>| {
            let s = s.clone();
            async move {
                let mut asks = Vec::new();
                for round in 0..40 {
                    for (code, step) in &expect {
                        let s = s.clone();
                        let code = code.clone();
                        let step = step.clone();
                        asks.push(tokio::spawn(async move {
                            let got = s.public_status(&code).await.map(|p| p.step);
                            assert_eq!(got.expect("found"), step, "{code}");
                        }));
                    }
                    let s = s.clone();
                    let missing = format!("000.20.31.H53-260420-{:04}", 9000 + round);
                    asks.push(tokio::spawn(async move {
                        assert!(matches!(
                            s.public_status(&missing).await,
                            Err(StoreError::NotFound(_))
                        ));
                    }));
                }
                for a in asks {
                    a.await.expect("lookup");
                }
            }
        };
        wave(codes.clone()).await;
        run(
            s,
            "d2",
            &desk,
            "2026-04-20T10:10:00+07:00",
            forward("phan-cong"),
        )
        .await
        .expect("forward");
        codes[2].1 = Some("phan-cong".into());
        wave(codes).await;
        let _ = &t.name;
    }
}

/// A SQLite file whose path needs escaping in the URL (a space, Vietnamese letters) is the
/// same file for the sqlx pool and for the public lookup's readers.
#[tokio::test]
async fn a_sqlite_path_with_spaces_and_diacritics() {
    let dir = std::env::temp_dir().join(format!("motcua một cửa {}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("hồ sơ.db");
    let escaped: String = file
        .display()
        .to_string()
        .bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'/' | b'.' | b'-' | b'_' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect();
    let s = motcua_store::Store::connect(&format!("sqlite://{escaped}"), Default::default())
        .await
        .expect("opens");
    s.migrate().await.expect("migrates");
    seed(&s).await;
    run(
        &s,
        "d1",
        &applicant("an"),
        "2026-04-20T09:00:00+07:00",
        submit("An"),
    )
    .await
    .expect("submit");
    run(
        &s,
        "d1",
        &staff(Role::ReceptionOfficer),
        "2026-04-20T10:00:00+07:00",
        Command::Accept { sequence: 0 },
    )
    .await
    .expect("accept");
    let code = s
        .dossier("d1")
        .await
        .expect("d1")
        .code
        .clone()
        .expect("code")
        .to_string();
    assert_eq!(
        s.public_status(&code).await.expect("lookup").state,
        State::InProgress
    );
    assert!(file.exists());
    s.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// The reception queue holds dossiers waiting for acceptance: an online one is due at the
/// end of its intake time, a paper one registered at the desk has no due instant and comes
/// after every dossier that has one, on both backends.
#[tokio::test]
async fn the_reception_queue_puts_dossiers_without_a_due_last() {
    use motcua_core::dossier::{Applicant, Channel};
    for t in backends().await {
        let s = &t.store;
        seed(s).await;
        let desk = staff(Role::ReceptionOfficer);
        let paper = Command::Submit {
            channel: Channel::Direct,
            applicant: Applicant {
                name: "Giấy".into(),
                ..Applicant::default()
            },
            owner: None,
            form: Default::default(),
            components: vec![],
            files: vec![],
        };
        run(s, "giay", &desk, "2026-04-20T08:00:00+07:00", paper)
            .await
            .expect("desk registration");
        for (id, at) in [
            ("muon", "2026-04-20T10:00:00+07:00"),
            ("som", "2026-04-20T09:00:00+07:00"),
        ] {
            run(s, id, &applicant(id), at, submit(id))
                .await
                .expect("online");
        }
        let q = s
            .queue(&QueueFilter {
                agency: AGENCY.into(),
                role: Some("reception-officer".into()),
                limit: 10,
                ..QueueFilter::default()
            })
            .await
            .expect("queue");
        let order: Vec<(&str, bool)> = q.iter().map(|d| (d.id.as_str(), d.due.is_some())).collect();
        assert_eq!(
            order,
            [("som", true), ("muon", true), ("giay", false)],
            "{}",
            t.name
        );
    }
}

/// Procedures are offered where they are assigned; every change to the configuration raises
/// its version, so that other servers know to reload (a repeated change does not).
#[tokio::test]
async fn assignments_and_the_configuration_version() {
    for t in backends().await {
        let s = &t.store;
        assert_eq!(s.config_version().await.expect("version"), 0, "{}", t.name);
        seed(s).await;
        let code = &procedure().1.catalogue.code;
        let v0 = s.config_version().await.expect("version");
        assert!(v0 > 0, "seeding changed the configuration: {}", t.name);
        assert!(
            s.assignments().await.expect("list").is_empty(),
            "{}",
            t.name
        );
        assert!(
            s.assign_procedure(code, AGENCY).await.expect("assign"),
            "{}",
            t.name
        );
        let v1 = s.config_version().await.expect("version");
        assert!(v1 > v0, "{}", t.name);
        assert!(
            !s.assign_procedure(code, AGENCY).await.expect("again"),
            "{}",
            t.name
        );
        assert_eq!(
            s.config_version().await.expect("version"),
            v1,
            "no change: {}",
            t.name
        );
        assert_eq!(
            s.assignments().await.expect("list"),
            vec![(code.clone(), AGENCY.to_string())],
            "{}",
            t.name
        );
        assert!(matches!(
            s.assign_procedure("no-such-procedure", AGENCY).await,
            Err(StoreError::NotFound(_))
        ));
        assert!(matches!(
            s.assign_procedure(code, "000.00.99.H99").await,
            Err(StoreError::NotFound(_))
        ));
        assert!(
            s.unassign_procedure(code, AGENCY).await.expect("unassign"),
            "{}",
            t.name
        );
        assert!(
            s.config_version().await.expect("version") > v1,
            "{}",
            t.name
        );
        assert!(
            s.assignments().await.expect("list").is_empty(),
            "{}",
            t.name
        );
        // Re-storing the same procedure version changes nothing.
        let before = s.config_version().await.expect("version");
        let (text, p) = procedure();
        s.put_procedure(text, p).await.expect("same version");
        assert_eq!(
            s.config_version().await.expect("version"),
            before,
            "{}",
            t.name
        );
    }
}

/// `rebuild_projections` replays every log: a projection that lost what its events say is
/// rewritten, and a second run changes nothing (not even the rows' times).
#[tokio::test]
async fn projections_are_rebuilt_from_their_logs_and_a_second_run_changes_nothing() {
    for t in backends().await {
        let s = &t.store;
        seed(s).await;
        let desk = staff(Role::ReceptionOfficer);
        for (id, name) in [
            ("r1", "Lê Văn Một"),
            ("r2", "Trần Thị Hai"),
            ("r3", "Phạm Ba"),
        ] {
            run(
                s,
                id,
                &applicant("an"),
                "2026-04-20T09:00:00+07:00",
                submit(name),
            )
            .await
            .expect("submit");
        }
        for id in ["r1", "r2"] {
            run(
                s,
                id,
                &desk,
                "2026-04-20T10:00:00+07:00",
                Command::Accept { sequence: 0 },
            )
            .await
            .expect("accept");
        }
        let dump = || async {
            let mut rows = Vec::new();
            for id in ["r1", "r2", "r3"] {
                let d = s.dossier(id).await.expect("dossier");
                let q = s
                    .queue(&QueueFilter {
                        agency: AGENCY.into(),
                        limit: 10,
                        ..QueueFilter::default()
                    })
                    .await
                    .expect("queue");
                rows.push((serde_json::to_string(&d).expect("json"), format!("{q:?}")));
            }
            rows
        };
        let before = dump().await;
        let first = s.rebuild_projections().await.expect("rebuild");
        assert_eq!(first.dossiers, 3, "{}", t.name);
        assert!(
            first.problems.is_empty(),
            "{}: {:?}",
            t.name,
            first.problems
        );
        assert_eq!(
            first.changed, 0,
            "{}: projections written by commands are current",
            t.name
        );
        assert_eq!(dump().await, before, "{}", t.name);
        // Damage one projection's columns: the rebuild puts them back from the log.
        s.raw_execute("UPDATE dossiers SET step_role = NULL, queue_due = NULL WHERE id = 'r1'")
            .await
            .expect("damage");
        let repaired = s.rebuild_projections().await.expect("rebuild");
        assert_eq!(repaired.changed, 1, "{}", t.name);
        assert_eq!(dump().await, before, "{}", t.name);
        let again = s.rebuild_projections().await.expect("rebuild");
        assert_eq!(again.changed, 0, "{}: a second run changes nothing", t.name);
        assert_eq!(dump().await, before, "{}", t.name);
    }
}

#[tokio::test]
async fn drafts_are_their_owners_and_freeze_once_submitted() {
    for t in backends().await {
        let s = &t.store;
        let d = motcua_store::Draft {
            id: "hs-nhap-1".into(),
            owner: "an".into(),
            procedure: "1.001193".into(),
            agency: AGENCY.into(),
            data: "{\"page\":1}".into(),
            created_at: at("2026-11-02T09:00:00+07:00"),
            updated_at: at("2026-11-02T09:00:00+07:00"),
            submitted_at: None,
        };
        s.put_draft(&d).await.expect("draft");
        assert!(
            matches!(
                s.draft("hs-nhap-1", "binh").await,
                Err(StoreError::NotFound(_))
            ),
            "{}: another account's draft is not found",
            t.name
        );
        let later = at("2026-11-02T09:05:00+07:00");
        s.save_draft("hs-nhap-1", "an", "{\"page\":2}", later)
            .await
            .expect("saved");
        assert!(matches!(
            s.save_draft("hs-nhap-1", "binh", "{}", later).await,
            Err(StoreError::NotFound(_))
        ));
        let read = s.draft("hs-nhap-1", "an").await.expect("read");
        assert_eq!(
            (read.data.as_str(), read.updated_at),
            ("{\"page\":2}", later),
            "{}",
            t.name
        );
        assert_eq!(s.open_drafts("an", 10).await.expect("open").len(), 1);
        s.draft_submitted("hs-nhap-1", "an", later)
            .await
            .expect("submitted");
        s.draft_submitted("hs-nhap-1", "an", later)
            .await
            .expect("again is harmless");
        assert!(
            matches!(
                s.save_draft("hs-nhap-1", "an", "{\"page\":3}", later).await,
                Err(StoreError::Conflict(_))
            ),
            "{}: a submitted draft does not change",
            t.name
        );
        assert_eq!(
            s.draft("hs-nhap-1", "an").await.expect("read").data,
            "{\"page\":2}"
        );
        assert!(s.open_drafts("an", 10).await.expect("open").is_empty());

        let sha = s
            .put_attachment(b"%PDF-1.4 draft", "application/pdf", later)
            .await
            .expect("stored");
        let again = s
            .put_attachment(b"%PDF-1.4 draft", "application/pdf", later)
            .await
            .expect("stored once");
        assert_eq!(sha, again);
        assert_eq!(sha, motcua_store::sha256_hex(b"%PDF-1.4 draft"));
    }
}

#[tokio::test]
async fn an_agencys_contact_is_stored_replaced_and_exported() {
    for t in backends().await {
        let s = &t.store;
        seed(s).await;
        let v0 = s.config_version().await.expect("version");
        let mut a = s
            .agencies()
            .await
            .expect("agencies")
            .into_iter()
            .find(|a| a.id == AGENCY)
            .expect("the district");
        assert!(a.contact.is_empty(), "{}: none given yet", t.name);
        a.contact = motcua_store::AgencyContact {
            address: Some("Số 18 Hùng Vương, Phường 6".into()),
            hotline: Some("0299 3000 031".into()),
            email: Some("motcua@tpsoctrang.example.vn".into()),
            hours: None,
        };
        s.put_agency(&a).await.expect("put");
        let read = |list: Vec<motcua_store::Agency>| list.into_iter().find(|x| x.id == AGENCY);
        assert_eq!(
            read(s.agencies().await.expect("agencies")).as_ref(),
            Some(&a),
            "{}",
            t.name
        );
        assert!(
            s.config_version().await.expect("version") > v0,
            "{}",
            t.name
        );
        // Replaced, a detail removed is removed.
        a.contact.hotline = None;
        s.put_agency(&a).await.expect("put again");
        assert_eq!(
            read(s.agencies().await.expect("agencies")).as_ref(),
            Some(&a),
            "{}",
            t.name
        );
        let mut dump = Vec::new();
        s.export(&mut dump).await.expect("export");
        for target in backends().await {
            target
                .store
                .import(std::io::Cursor::new(&dump))
                .await
                .expect("import");
            assert_eq!(
                read(target.store.agencies().await.expect("agencies")).as_ref(),
                Some(&a),
                "{} → {}",
                t.name,
                target.name
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_while_commands_commit_sees_every_dossier_whole() {
    for t in backends().await {
        let s = t.store.clone();
        seed(&s).await;
        for i in 0..8 {
            run(
                &s,
                &format!("v{i}"),
                &applicant("x"),
                "2026-04-20T09:00:00+07:00",
                submit("X"),
            )
            .await
            .expect("submit");
        }
        // A writer keeps committing to the dossiers while verify reads them.
        let writer = {
            let s = s.clone();
            tokio::spawn(async move {
                for n in 0..400 {
                    let command = Command::RequestPostalDelivery {
                        address: format!("Số {n} Trần Hưng Đạo"),
                        phone: "0912000111".into(),
                    };
                    run(
                        &s,
                        &format!("v{}", n % 8),
                        &applicant("x"),
                        "2026-04-20T10:00:00+07:00",
                        command,
                    )
                    .await
                    .expect("postal request");
                }
            })
        };
        let mut rounds = 0;
        while !writer.is_finished() {
            let report = s.verify_all().await.expect("verify");
            assert!(
                report.problems.is_empty(),
                "{}: {:?}",
                t.name,
                report.problems
            );
            rounds += 1;
        }
        writer.await.expect("writer");
        assert!(rounds > 0, "{}: verified while writing", t.name);
    }
}

/// The monitoring's lists on both backends: states counted, the overdue ones by
/// appointment (not those whose clock is stopped), the dossiers that consulted others.
#[tokio::test]
async fn monitoring_lists_states_overdue_and_consultations() {
    for t in backends().await {
        let s = &t.store;
        seed(s).await;
        let desk = staff(Role::ReceptionOfficer);
        for (id, day) in [
            ("m1", "2026-04-20"),
            ("m2", "2026-04-21"),
            ("m3", "2026-04-22"),
        ] {
            run(
                s,
                id,
                &applicant(id),
                &format!("{day}T08:00:00+07:00"),
                submit("Lê Văn Tám"),
            )
            .await
            .expect("submit");
            run(
                s,
                id,
                &desk,
                &format!("{day}T09:00:00+07:00"),
                Command::Accept { sequence: 0 },
            )
            .await
            .expect("accept");
        }
        run(
            s,
            "m2",
            &desk,
            "2026-04-21T10:00:00+07:00",
            Command::OpenConsultation {
                id: "yk-1".into(),
                agencies: vec!["000.31.12.H53".into()],
                content: "Xác nhận".into(),
                deadline: at("2026-04-23T17:00:00+07:00"),
            },
        )
        .await
        .expect("consult");
        run(
            s,
            "m3",
            &desk,
            "2026-04-22T10:00:00+07:00",
            Command::RequestSupplement {
                reason: "Thiếu".into(),
                items: vec!["Giấy tờ".into()],
                applicant_fault: false,
            },
        )
        .await
        .expect("supplement");
        let scope = s.agency_subtree(PROVINCE).await.expect("subtree");
        let counts = s.state_counts(&scope).await.expect("counts");
        assert_eq!(
            counts,
            vec![
                ("awaiting-supplement".to_string(), 1),
                ("in-progress".to_string(), 2)
            ],
            "{}",
            t.name
        );
        let overdue = s
            .overdue(&scope, at("2026-06-01T09:00:00+07:00"), 10)
            .await
            .expect("overdue");
        assert_eq!(
            overdue.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(),
            ["m1", "m2"],
            "{}: the oldest appointment first, the stopped clock left out",
            t.name
        );
        assert!(
            s.overdue(&scope, at("2026-04-20T10:00:00+07:00"), 10)
                .await
                .expect("overdue")
                .is_empty()
        );
        let consulting = s.consulting(&scope, 10).await.expect("consulting");
        assert_eq!(
            consulting.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(),
            ["m2"],
            "{}",
            t.name
        );
        assert!(
            s.consulting(&["000.99.99.H53".into()], 10)
                .await
                .expect("none")
                .is_empty()
        );
    }
}

/// The outbox's deliveries: a notification is dispatched once however many servers try;
/// a claimed delivery is one worker's until its lease ends, then another's; only the lease
/// holder records the outcome; failures come back at their time or go to the dead letters.
#[tokio::test]
async fn deliveries_are_leased_to_one_worker_and_taken_back_when_the_lease_ends() {
    use chrono::Duration;
    use motcua_store::{NewDelivery, NewInboxEntry};
    for t in backends().await {
        let s = &t.store;
        let now = at("2026-12-07T09:00:00+07:00");
        s.raw_execute(
            "INSERT INTO outbox (dossier_id, event_seq, kind, payload, created_at)
             VALUES ('d1', 3, 'notification', '{\"to\":\"applicant\",\"channels\":[\"email\"],\"message\":\"x\"}', 0)",
        )
        .await
        .expect("outbox row");
        let items = s.undispatched(10).await.expect("undispatched");
        assert_eq!(items.len(), 1, "{}", t.name);
        let mail = NewDelivery {
            channel: "email".into(),
            recipient: "a@example.vn".into(),
            kind: "accepted".into(),
            title: "Hồ sơ đã được tiếp nhận".into(),
            body: "Nội dung".into(),
            state: "pending",
            note: None,
        };
        let inbox = NewInboxEntry {
            account: "owner".into(),
            title: "Hồ sơ đã được tiếp nhận".into(),
            body: "Nội dung".into(),
        };
        let id = items[0].id;
        assert!(
            s.dispatch(
                id,
                std::slice::from_ref(&mail),
                std::slice::from_ref(&inbox),
                now
            )
            .await
            .expect("dispatch")
        );
        assert!(
            !s.dispatch(id, &[mail], &[inbox], now).await.expect("again"),
            "{}: dispatched once",
            t.name
        );
        assert!(s.undispatched(10).await.expect("none").is_empty());
        assert_eq!(s.inbox("owner", 10).await.expect("inbox").1, 1);

        let lease = Duration::seconds(60);
        let a = s.claim("a", now, lease, 10).await.expect("claim");
        assert_eq!(a.len(), 1, "{}", t.name);
        assert!(
            s.claim("b", now, lease, 10).await.expect("b").is_empty(),
            "{}: held by a",
            t.name
        );
        // a dies; when its lease ends b takes the delivery, and a can no longer record it.
        let later = now + Duration::seconds(61);
        let b = s.claim("b", later, lease, 10).await.expect("b again");
        assert_eq!(b.len(), 1, "{}", t.name);
        assert!(
            !s.delivered(a[0].id, "a", later).await.expect("a"),
            "{}",
            t.name
        );
        // b fails once; not due again until its time.
        let retry = later + Duration::seconds(30);
        assert!(
            s.failed(b[0].id, "b", "connection refused", Some(retry))
                .await
                .expect("failed")
        );
        assert!(
            s.claim("a", later, lease, 10)
                .await
                .expect("early")
                .is_empty()
        );
        let again = s.claim("a", retry, lease, 10).await.expect("due");
        assert_eq!((again.len(), again[0].attempts), (1, 1), "{}", t.name);
        // A permanent failure: dead; a retry makes it pending from now, counted from zero.
        assert!(
            s.failed(again[0].id, "a", "550 no such user", None)
                .await
                .expect("dead")
        );
        assert_eq!(s.deliveries("dead", 10).await.expect("dead").len(), 1);
        assert!(s.retry_delivery(again[0].id, retry).await.expect("retry"));
        let last = s.claim("c", retry, lease, 10).await.expect("claim");
        assert_eq!((last.len(), last[0].attempts), (1, 0));
        assert!(s.delivered(last[0].id, "c", retry).await.expect("sent"));
        assert!(
            !s.delivered(last[0].id, "c", retry).await.expect("twice"),
            "{}: once",
            t.name
        );
        assert_eq!(
            s.delivery_counts().await.expect("counts"),
            vec![("sent".to_string(), 1)],
            "{}",
            t.name
        );
    }
}
