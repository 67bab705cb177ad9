//! The crash test: a process committing transitions is killed with SIGKILL at varying
//! moments; after each restart every acknowledged transition is there, the hash chains
//! verify, and dossier codes continue without a gap.

mod support;

use motcua_core::dossier::State;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

async fn crash_rounds(url: &str, name: &str) {
    let mut acked: Vec<String> = Vec::new();
    for round in 0..6u64 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_crash-writer"))
            .args([url, &format!("r{round}")])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("helper starts");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        // Kill at a different moment each round, once it has committed something.
        let budget = Duration::from_millis(150 + round * 137 % 500);
        let start = Instant::now();
        let mut this_round = 0;
        while start.elapsed() < budget || this_round == 0 {
            if let Ok(line) = rx.recv_timeout(Duration::from_millis(20))
                && let Some(id) = line.strip_prefix("ack ")
            {
                acked.push(id.to_string());
                this_round += 1;
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "{name}: the helper never acknowledged"
            );
        }
        child.kill().expect("SIGKILL");
        child.wait().expect("reaped");
        // Lines already written before the kill were acknowledged too.
        reader.join().expect("reader");
        acked.extend(
            rx.try_iter()
                .filter_map(|l| l.strip_prefix("ack ").map(str::to_string)),
        );
    }
    let store = motcua_store::Store::connect(url, Default::default())
        .await
        .expect("reopens");
    for id in &acked {
        let d = store
            .dossier(id)
            .await
            .unwrap_or_else(|e| panic!("{name}: acknowledged {id} lost: {e}"));
        assert_eq!(d.state, State::InProgress, "{name}: {id}");
    }
    let report = store.verify_all().await.expect("verify");
    assert!(report.problems.is_empty(), "{name}: {:?}", report.problems);
    // Every accepted dossier (acknowledged or committed just before the kill) holds one of
    // 1..=N: no gap, no duplicate.
    let mut seqs = Vec::new();
    for round in 0..6 {
        for i in 0..5000 {
            match store.dossier(&format!("r{round}-{i}")).await {
                Ok(d) => seqs.extend(d.code.as_ref().map(|c| c.sequence())),
                Err(_) => break,
            }
        }
    }
    seqs.sort();
    assert!(seqs.len() >= acked.len());
    assert_eq!(
        seqs,
        (1..=seqs.len() as u32).collect::<Vec<_>>(),
        "{name}: codes have a gap or a duplicate"
    );
    store.close().await;
}

#[tokio::test]
async fn killed_writers_lose_nothing_acknowledged_sqlite() {
    let path = support::temp_path("crash");
    crash_rounds(&format!("sqlite://{}", path.display()), "sqlite").await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

#[tokio::test]
async fn killed_writers_lose_nothing_acknowledged_postgres() {
    let Some(t) = support::postgres().await else {
        eprintln!("MOTCUA_TEST_PG_URL is not set: the PostgreSQL crash test runs in .ci/run");
        return;
    };
    let url = t.url.clone();
    t.store.close().await;
    crash_rounds(&url, "postgres").await;
}
