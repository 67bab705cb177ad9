//! The `motcua` binary's calendar and deadline commands, run as a user runs them.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn motcua(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_motcua"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("motcua runs");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write stdin");
    } else {
        drop(child.stdin.take());
    }
    child.wait_with_output().expect("motcua finishes")
}

fn ok(args: &[&str]) -> String {
    let out = motcua(args, None);
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn deadline_prints_local_rfc3339() {
    let cases = [
        (
            ["--from", "2026-02-13T16:00:00+07:00", "--add", "8wh"],
            "2026-02-23T16:00:00+07:00",
        ),
        (
            ["--from", "2026-03-02T07:00:00+07:00", "--add", "270m"],
            "2026-03-02T11:30:00+07:00",
        ),
        (
            ["--from", "2026-03-02T00:00:00Z", "--add", "15wd"],
            "2026-03-20T17:00:00+07:00",
        ),
        (
            ["--from", "2026-02-06T10:00:00+07:00", "--add", "10cd"],
            "2026-02-23T07:00:00+07:00",
        ),
    ];
    for (args, want) in cases {
        let mut a = vec!["deadline"];
        a.extend(args);
        assert_eq!(ok(&a).trim(), want, "{a:?}");
    }
}

#[test]
fn deadline_windows_and_cutoff_flags() {
    let a = ok(&[
        "deadline",
        "--from",
        "2026-03-02T07:00:00+07:00",
        "--add",
        "4wh",
        "--windows",
        "07:00-11:00,13:00-17:00",
    ]);
    assert_eq!(a.trim(), "2026-03-02T11:00:00+07:00");
    let b = ok(&[
        "deadline",
        "--from",
        "2026-03-02T15:30:00+07:00",
        "--add",
        "1wh",
        "--cutoff",
        "15:00",
    ]);
    assert_eq!(b.trim(), "2026-03-03T08:00:00+07:00");
}

#[test]
fn deadline_json_and_explain() {
    let out = ok(&[
        "deadline",
        "--from",
        "2026-08-28T18:00:00+07:00",
        "--add",
        "3wd",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(v["due"], "2026-09-07T17:00:00+07:00");
    assert_eq!(v["working_minutes"], 1440);
    let text = ok(&[
        "deadline",
        "--from",
        "2026-08-28T18:00:00+07:00",
        "--add",
        "3wd",
        "--explain",
    ]);
    insta::assert_snapshot!("deadline_explain_national_day_2026", text);
}

#[test]
fn batch_answers_every_line_in_order() {
    let input = concat!(
        r#"{"from": "2026-02-13T16:00:00+07:00", "add": "8wh"}"#,
        "\n",
        r#"{"from": "2026-02-13T16:00:00+07:00", "add": "8xx"}"#,
        "\n",
        "not json\n",
        r#"{"from": "yesterday", "add": "1wd"}"#,
        "\n",
        r#"{"from": "2024-04-22T09:15:00+07:00", "add": "15wd"}"#,
        "\n",
    );
    let out = motcua(&["deadline", "--batch"], Some(input));
    assert!(out.status.success());
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .expect("utf-8")
        .lines()
        .map(|l| serde_json::from_str(l).expect("each output line is JSON"))
        .collect();
    assert_eq!(lines.len(), 5);
    assert_eq!(lines[0]["due"], "2026-02-23T16:00:00+07:00");
    assert!(lines[1]["error"].as_str().expect("error").contains("8xx"));
    assert!(lines[2]["error"].is_string());
    assert!(
        lines[3]["error"]
            .as_str()
            .expect("error")
            .contains("yesterday")
    );
    assert_eq!(lines[4]["due"], "2024-05-15T09:15:00+07:00");
}

#[test]
fn lunar_and_solar() {
    let v: serde_json::Value =
        serde_json::from_str(&ok(&["calendar", "lunar", "2023-03-22"])).expect("JSON");
    assert_eq!(
        v,
        serde_json::json!({"year": 2023, "month": 2, "day": 1, "leap": true})
    );
    assert_eq!(
        ok(&["calendar", "solar", "2030", "1", "1"]).trim(),
        "2030-02-02"
    );
    assert_eq!(
        ok(&["calendar", "solar", "2023", "2", "1", "--leap"]).trim(),
        "2023-03-22"
    );
}

#[test]
fn calendar_show_snapshots() {
    insta::assert_snapshot!("calendar_show_2026", ok(&["calendar", "show", "2026"]));
    insta::assert_snapshot!(
        "calendar_show_2027_proposed",
        ok(&["calendar", "show", "2027"])
    );
    let v: serde_json::Value =
        serde_json::from_str(&ok(&["calendar", "show", "2024", "--json"])).expect("JSON");
    assert_eq!(v["status"]["status"], "confirmed");
    assert_eq!(v["working_days"][0]["date"], "2024-05-04");
}

#[test]
fn bad_input_exits_2_with_a_message() {
    let cases: &[&[&str]] = &[
        &[
            "deadline",
            "--from",
            "2026-02-13T16:00:00+07:00",
            "--add",
            "15wk",
        ],
        &["deadline", "--from", "2026-02-13 16:00", "--add", "15wd"],
        &[
            "deadline",
            "--from",
            "2026-02-30T16:00:00+07:00",
            "--add",
            "15wd",
        ],
        &["deadline", "--add", "15wd"],
        &[
            "deadline",
            "--from",
            "2026-02-13T16:00:00+07:00",
            "--add",
            "1wd",
            "--windows",
            "17:00-07:00",
        ],
        &[
            "deadline",
            "--from",
            "2230-01-01T10:00:00+07:00",
            "--add",
            "1wd",
        ],
        &["calendar", "lunar", "2026-02-30"],
        &["calendar", "solar", "2024", "2", "1", "--leap"],
        &["calendar", "solar", "2024", "13", "1"],
        &["calendar", "show", "2500"],
    ];
    for args in cases {
        let out = motcua(args, None);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?} printed a result");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("error"), "{args:?}: {err}");
    }
}

#[test]
fn a_due_in_a_proposed_year_warns_on_stderr() {
    let out = motcua(
        &[
            "deadline",
            "--from",
            "2027-03-01T08:00:00+07:00",
            "--add",
            "1wd",
        ],
        None,
    );
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("2027 is a rule-based proposal"));
    let out = motcua(
        &[
            "deadline",
            "--from",
            "2026-03-02T08:00:00+07:00",
            "--add",
            "1wd",
        ],
        None,
    );
    assert!(out.stderr.is_empty());
}

fn root() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn path(rel: &str) -> String {
    root().join(rel).display().to_string()
}

#[test]
fn procedure_check_reports_and_exits_1_on_errors() {
    let out = motcua(
        &[
            "procedure",
            "check",
            &path("motcua-core/tests/data/procedures/broken.toml"),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(":28:6: error: step `b` has no role"),
        "{text}"
    );
    assert!(text.contains("16 error(s), 1 warning(s)"), "{text}");
    let examples: Vec<String> = std::fs::read_dir(root().join("examples/procedures"))
        .expect("examples")
        .map(|e| e.expect("entry").path().display().to_string())
        .collect();
    let mut args = vec!["procedure", "check"];
    args.extend(examples.iter().map(String::as_str));
    let out = motcua(&args, None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout)
            .matches("0 error(s), 0 warning(s)")
            .count(),
        examples.len()
    );
}

#[test]
fn procedure_graph_draws_dot_and_mermaid() {
    let file = path("examples/procedures/ly-lich-tu-phap.toml");
    let dot = ok(&["procedure", "graph", &file, "--format", "dot"]);
    insta::assert_snapshot!("graph_ly_lich_tu_phap_dot", dot);
    let mermaid = ok(&["procedure", "graph", &file, "--format", "mermaid"]);
    assert!(mermaid.starts_with("flowchart TD"));
    let out = motcua(
        &[
            "procedure",
            "graph",
            &path("motcua-core/tests/data/procedures/broken.toml"),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn scenario_run_text_json_and_failures() {
    let file = path("examples/scenarios/khai-sinh-truc-tuyen.toml");
    let text = ok(&["scenario", "run", &file]);
    assert!(text.contains("every step behaved as expected"));
    let v: serde_json::Value =
        serde_json::from_str(&ok(&["scenario", "run", &file, "--json"])).expect("JSON");
    assert_eq!(v["entries"].as_array().expect("entries").len(), 6);
    assert_eq!(v["dossier"]["state"], "returned");
    assert_eq!(v["chain_ok"], true);

    // A scenario whose expectation is wrong fails with exit code 1 and says which step.
    let dir = std::env::temp_dir().join(format!("motcua-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let original = std::fs::read_to_string(&file).expect("scenario");
    let wrong = original
        .replacen("sequence = 3", "sequence = 3\nexpect = \"refused\"", 1)
        .replace(
            "../procedures/khai-sinh.toml",
            &path("examples/procedures/khai-sinh.toml"),
        );
    std::fs::write(dir.join("wrong.toml"), wrong).expect("write");
    let out = motcua(
        &[
            "scenario",
            "run",
            &dir.join("wrong.toml").display().to_string(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("UNEXPECTED"));
    std::fs::write(dir.join("bad.toml"), "title = 1").expect("write");
    let out = motcua(
        &[
            "scenario",
            "run",
            &dir.join("bad.toml").display().to_string(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn database_commands_round_trip() {
    let dir = std::env::temp_dir().join(format!("motcua-cli-db-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let db = format!("sqlite://{}", dir.join("a.db").display());
    assert!(ok(&["migrate", "--database", &db]).contains(
        "applied migrations [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22]"
    ));
    assert!(ok(&["migrate", "--database", &db]).contains("up to date"));
    for s in [
        "xay-dung-gia-han-xin-loi",
        "khai-sinh-tu-choi",
        "ho-kinh-doanh-bo-sung",
    ] {
        let out = ok(&[
            "scenario",
            "load",
            &path(&format!("examples/scenarios/{s}.toml")),
            "--database",
            &db,
        ]);
        assert!(
            out.lines().any(|l| l.starts_with(&format!("{s}: "))),
            "{out}"
        );
    }
    assert!(
        ok(&["verify", "--database", &db]).contains("verified 3 dossiers, 52 events: 0 problem(s)")
    );
    // Rebuilding the projections from the logs changes nothing, twice.
    for _ in 0..2 {
        assert!(
            ok(&["migrate", "--rebuild-projections", "--database", &db])
                .contains("rebuilt projections: 3 dossiers read, 0 rewritten, 0 problem(s)")
        );
    }
    let copy = dir.join("copy.db");
    ok(&[
        "backup",
        "--database",
        &db,
        "--to",
        &copy.display().to_string(),
    ]);
    assert!(
        ok(&[
            "verify",
            "--database",
            &format!("sqlite://{}", copy.display())
        ])
        .contains("verified 3 dossiers")
    );
    let dump = dir.join("dump.jsonl");
    assert!(
        ok(&[
            "backup",
            "--database",
            &db,
            "--to",
            &dump.display().to_string(),
            "--export"
        ])
        .contains("events: 52")
    );
    // (SQLite ↔ PostgreSQL restores are covered by the store's contract suite.)
    let targets = [format!("sqlite://{}", dir.join("b.db").display())];
    let out = ok(&[
        "restore",
        "--database",
        &targets[0],
        "--from",
        &dump.display().to_string(),
    ]);
    assert!(
        out.contains("verified 3 dossiers, 52 events: 0 problem(s)"),
        "{out}"
    );
    // Restoring twice, or a file that is not an export, is refused with exit code 2.
    let again = motcua(
        &[
            "restore",
            "--database",
            &targets[0],
            "--from",
            &dump.display().to_string(),
        ],
        None,
    );
    assert_eq!(again.status.code(), Some(2));
    let bogus = dir.join("bogus.jsonl");
    std::fs::write(&bogus, "{}\n").expect("write");
    let out = motcua(
        &[
            "restore",
            "--database",
            &format!("sqlite://{}", dir.join("c.db").display()),
            "--from",
            &bogus.display().to_string(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    // An unsupported database URL is bad input.
    let out = motcua(&["verify", "--database", "mysql://nowhere"], None);
    assert_eq!(out.status.code(), Some(2));
    std::fs::remove_dir_all(&dir).ok();
}

fn store_at(db: &str) -> (tokio::runtime::Runtime, motcua_store::Store) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let store = rt.block_on(async {
        let s = motcua_store::Store::connect(db, motcua_store::Options::default())
            .await
            .expect("opens");
        s.migrate().await.expect("migrates");
        s
    });
    (rt, store)
}

/// `scenario load` into a database that is already set up (here the demo) keeps the
/// agencies it finds: the city stays the province's child with its wards below it. It once
/// rewrote them (named by id, district level, no parent), which cut them out of the
/// province's reports and oversight.
#[test]
fn scenario_load_keeps_the_agencies_it_finds() {
    let dir = std::env::temp_dir().join(format!("motcua-cli-keep-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let db = format!("sqlite://{}", dir.join("demo.db").display());
    let (rt, store) = store_at(&db);
    let calendar = std::sync::Arc::new(
        motcua_core::calendar::WorkingCalendar::national(motcua_core::calendar::default_windows())
            .expect("calendar"),
    );
    rt.block_on(motcua_http::demo::seed_if_empty(&store, &calendar))
        .expect("demo")
        .expect("seeded");
    let before = rt.block_on(store.agencies()).expect("agencies");
    let out = ok(&[
        "scenario",
        "load",
        &path("examples/scenarios/ho-kinh-doanh-rut-ho-so.toml"),
        "--database",
        &db,
    ]);
    assert!(out.starts_with("ho-kinh-doanh-rut-ho-so: "), "{out}");
    assert!(!out.contains("was not in the database"), "{out}");
    assert!(!out.contains("no staff account"), "{out}");
    let after = rt.block_on(store.agencies()).expect("agencies");
    assert_eq!(before, after);
    let below = rt
        .block_on(store.agency_subtree("000.00.00.H53"))
        .expect("subtree");
    assert!(
        below.iter().any(|a| a == "000.31.12.H53"),
        "the ward is below the province: {below:?}"
    );
    rt.block_on(store.close());
    let _ = std::fs::remove_dir_all(&dir);
}

/// A database that has agencies but no staff (a scenario loaded into an empty file) is made
/// reachable by `motcua init`, which creates one system administrator with a one-time
/// password, once.
#[test]
fn init_creates_the_first_administrator_once() {
    let dir = std::env::temp_dir().join(format!("motcua-cli-init-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let empty = format!("sqlite://{}", dir.join("empty.db").display());
    // Nothing to attach an administrator to: bad input, with what to give.
    let out = motcua(&["init", "--database", &empty], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--agency-name"));
    let out = motcua(
        &[
            "init",
            "--database",
            &empty,
            "--agency",
            "not an id at all",
            "--agency-name",
            "X",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2), "{out:?}");

    let db = format!("sqlite://{}", dir.join("loaded.db").display());
    let out = ok(&[
        "scenario",
        "load",
        &path("examples/scenarios/ho-kinh-doanh-bo-sung.toml"),
        "--database",
        &db,
    ]);
    assert!(
        out.contains("agency 000.20.31.H53 was not in the database: created it at district level"),
        "{out}"
    );
    assert!(out.contains("no staff account"), "{out}");
    let out = ok(&["init", "--database", &db]);
    assert!(
        out.contains("System administrator `quantri` at 000.20.31.H53"),
        "{out}"
    );
    let password = out
        .split("shown only now: ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .expect("a password");
    assert_eq!(password.len(), 16, "{out}");
    let again = motcua(&["init", "--database", &db], None);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already has a system administrator"));
    let (rt, store) = store_at(&db);
    let (user, grants) = rt.block_on(store.user("quantri")).expect("account");
    assert!(user.must_change_password);
    assert_eq!(grants.len(), 1);
    assert_eq!(
        (grants[0].agency_id.as_str(), grants[0].role.as_str()),
        ("000.20.31.H53", "system-admin")
    );
    rt.block_on(store.close());

    // On an empty database, init creates the agency it is given.
    let out = ok(&[
        "init",
        "--database",
        &empty,
        "--agency",
        "000.00.00.H53",
        "--agency-name",
        "UBND tỉnh Sóc Trăng",
    ]);
    assert!(
        out.contains("Created agency 000.00.00.H53 (UBND tỉnh Sóc Trăng, province level)"),
        "{out}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// One `GET` over a socket; the status line and body, or `None` if nothing listens yet.
fn http_get(port: u16, path: &str) -> Option<String> {
    use std::io::Read;
    let mut conn = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    write!(
        conn,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut out = String::new();
    conn.read_to_string(&mut out).ok()?;
    Some(out)
}

/// `motcua serve` as a new user runs it: a data directory, migrations and the demo on the
/// empty database, the one-time passwords printed once, ready, and a clean stop on SIGTERM.
/// A second start on the same directory seeds nothing.
#[test]
fn serve_starts_with_the_demo_and_stops_cleanly() {
    let dir = std::env::temp_dir().join(format!("motcua-serve-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let data = dir.join("data");
    for round in 0..2 {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let child = Command::new(env!("CARGO_BIN_EXE_motcua"))
            .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
            .args(["--data-dir", data.to_str().expect("path")])
            .env_remove("MOTCUA_DATABASE_URL")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("serve starts");
        let mut ready = None;
        for _ in 0..300 {
            if let Some(r) = http_get(port, "/readyz") {
                ready = Some(r);
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        let ready = ready.expect("the server answers within 30 s");
        assert!(ready.starts_with("HTTP/1.1 200"), "{ready}");
        let lookup = http_get(port, "/api/v1/lookup/000.31.12.H53-260303-0001").expect("lookup");
        assert!(lookup.contains("\"national_status\":10"), "{lookup}");
        assert!(data.join("motcua.db").exists());
        let stopped = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(stopped.success());
        let out = child.wait_with_output().expect("serve stops");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("shutting down"), "{stderr}");
        if round == 0 {
            assert!(stdout.contains("one-time passwords"), "{stdout}");
            assert_eq!(
                stdout.lines().filter(|l| l.contains("000.")).count(),
                15,
                "{stdout}"
            );
        } else {
            assert!(
                !stdout.contains("one-time passwords"),
                "seeds once: {stdout}"
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The README's walkthrough (`scripts/curl-walkthrough.sh`, curl only) against the real
/// binary on a fresh database: an applicant submits online, staff log in for the first time
/// with the printed one-time passwords, and the dossier ends returned (national status 10).
#[test]
fn the_readme_curl_walkthrough_reaches_a_returned_result() {
    assert!(
        Command::new("curl").arg("--version").output().is_ok(),
        "this test runs the README's walkthrough, which needs curl"
    );
    let dir = std::env::temp_dir().join(format!("motcua-walkthrough-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let serve_out = dir.join("serve.out");
    let mut child = Command::new(env!("CARGO_BIN_EXE_motcua"))
        .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
        .args(["--data-dir", dir.to_str().expect("path")])
        .env_remove("MOTCUA_DATABASE_URL")
        .stdout(std::fs::File::create(&serve_out).expect("serve.out"))
        .stderr(Stdio::null())
        .spawn()
        .expect("serve starts");
    for _ in 0..300 {
        if http_get(port, "/readyz").is_some_and(|r| r.starts_with("HTTP/1.1 200")) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../scripts/curl-walkthrough.sh"
    );
    let out = Command::new("bash")
        .arg(script)
        .env("MOTCUA_API", format!("http://127.0.0.1:{port}/api/v1"))
        .env("SERVE_OUT", &serve_out)
        .output()
        .expect("bash runs");
    let _ = child.kill();
    let _ = child.wait();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("processing finished: national status 9"),
        "{stdout}"
    );
    assert!(stdout.contains("\"national_status\":10"), "{stdout}");
    assert!(stdout.contains("\"state\":\"returned\""), "{stdout}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `procedure publish` checks, publishes a new version once, never changes a published one;
/// `procedure assign` names what does not exist.
#[test]
fn procedures_are_published_once_and_assigned() {
    let dir = tempfile_dir("publish");
    let db = format!("sqlite://{}/p.db", dir.display());
    let file = path("examples/procedures/khai-sinh.toml");
    let dry = ok(&[
        "procedure",
        "publish",
        &file,
        "--database",
        &db,
        "--dry-run",
    ]);
    assert!(
        dry.contains("would publish 1.001193 version 2024.1"),
        "{dry}"
    );
    let (rt, store) = store_at(&db);
    assert!(
        rt.block_on(store.procedures()).expect("list").is_empty(),
        "a dry run stores nothing"
    );
    let done = ok(&["procedure", "publish", &file, "--database", &db]);
    assert!(done.contains("published 1.001193 version 2024.1"), "{done}");
    let again = ok(&["procedure", "publish", &file, "--database", &db]);
    assert!(again.contains("already published, identical"), "{again}");
    // The same version with other content: refused (exit 2), the stored one kept.
    let changed = dir.join("khai-sinh-sua.toml");
    let text = std::fs::read_to_string(&file).expect("read");
    std::fs::write(&changed, text.replace("Nơi sinh", "Nơi sinh của trẻ")).expect("write");
    let out = motcua(
        &[
            "procedure",
            "publish",
            &changed.display().to_string(),
            "--database",
            &db,
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("a published version never changes"));
    let stored = rt.block_on(store.procedures()).expect("list");
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].2, text, "the published version unchanged");
    // A file with errors: exit 2 with each problem's line and column, nothing stored.
    let out = motcua(
        &[
            "procedure",
            "publish",
            &path("motcua-core/tests/data/procedures/broken.toml"),
            "--database",
            &db,
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(":28:6: error"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Assign: an unknown agency and an unknown procedure are named; then assigned once.
    let out = motcua(
        &[
            "procedure",
            "assign",
            "1.001193",
            "--agency",
            "000.31.12.H53",
            "--database",
            &db,
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("agency 000.31.12.H53 does not exist"));
    rt.block_on(store.put_agency(&motcua_store::Agency {
        id: "000.31.12.H53".into(),
        name: "UBND Phường 2".into(),
        level: "commune".into(),
        parent_id: None,
        host_names: vec![],
        contact: Default::default(),
    }))
    .expect("agency");
    let out = motcua(
        &[
            "procedure",
            "assign",
            "9.999999",
            "--agency",
            "000.31.12.H53",
            "--database",
            &db,
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("procedure 9.999999 does not exist"));
    let done = ok(&[
        "procedure",
        "assign",
        "1.001193",
        "--agency",
        "000.31.12.H53",
        "--database",
        &db,
    ]);
    assert!(
        done.contains("now received and handled by 000.31.12.H53"),
        "{done}"
    );
    let again = ok(&[
        "procedure",
        "assign",
        "1.001193",
        "--agency",
        "000.31.12.H53",
        "--database",
        &db,
    ]);
    assert!(again.contains("already assigned"), "{again}");
    assert_eq!(
        rt.block_on(store.assignments()).expect("assignments"),
        vec![("1.001193".to_string(), "000.31.12.H53".to_string())]
    );
}

fn tempfile_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("motcua-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// `procedure import` turns a catalogue into procedures with the default workflow, all or
/// nothing; `procedure retire` takes a version out of new submissions.
#[test]
fn a_catalogue_is_imported_then_a_version_retired() {
    let dir = tempfile_dir("import");
    let db = format!("sqlite://{}/i.db", dir.display());
    let file = path("examples/catalogue/danh-muc-mau.csv");
    let dry = ok(&["procedure", "import", &file, "--database", &db, "--dry-run"]);
    assert!(
        dry.contains("2.000815 1 (new)") && dry.contains("nothing changed"),
        "{dry}"
    );
    let (rt, store) = store_at(&db);
    assert!(rt.block_on(store.procedures()).expect("list").is_empty());
    let done = ok(&["procedure", "import", &file, "--database", &db]);
    assert!(done.contains("3 published, 0 unchanged"), "{done}");
    let stored = rt.block_on(store.procedures()).expect("list");
    assert_eq!(stored.len(), 3);
    assert!(
        stored
            .iter()
            .all(|(_, _, s)| s.contains("default_workflow = true"))
    );
    let again = ok(&["procedure", "import", &file, "--database", &db]);
    assert!(again.contains("0 published, 3 unchanged"), "{again}");
    // A broken row: exit 2, its line and column named, nothing else imported either.
    let broken = dir.join("hong.csv");
    let text = std::fs::read_to_string(&file).expect("read");
    std::fs::write(
        &broken,
        format!("{text}9.999999,Thủ tục mới,Lĩnh vực,Cấp Thôn,10 ngày làm việc,,,,,\n"),
    )
    .expect("write");
    let out = motcua(
        &[
            "procedure",
            "import",
            &broken.display().to_string(),
            "--database",
            &db,
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("hong.csv:5 [cap_thuc_hien]: error"), "{err}");
    assert_eq!(rt.block_on(store.procedures()).expect("list").len(), 3);
    // Retire: once, then nothing to do; an unknown version is named.
    let r = ok(&[
        "procedure",
        "retire",
        "1.001022",
        "--version",
        "1",
        "--database",
        &db,
    ]);
    assert!(r.contains("retired"), "{r}");
    let r = ok(&[
        "procedure",
        "retire",
        "1.001022",
        "--version",
        "1",
        "--database",
        &db,
    ]);
    assert!(r.contains("already retired"), "{r}");
    let out = motcua(
        &[
            "procedure",
            "retire",
            "1.001022",
            "--version",
            "7",
            "--database",
            &db,
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        rt.block_on(store.retired_procedures()).expect("list"),
        vec![("1.001022".to_string(), "1".to_string())]
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A day off for one agency, from the command line: stored as pending (nothing moves), the
/// preview names the dossier in flight and the deadlines that would move, `apply` brings it
/// into force and reprojects the dossier (once: a second apply has nothing to apply), and
/// bad input is refused with exit code 2. The dossier is in 2099, so that "now" is before it.
#[test]
fn a_calendar_change_is_previewed_and_applied_from_the_command_line() {
    let dir = std::env::temp_dir().join(format!("motcua-cli-cal-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let db = format!("sqlite://{}", dir.join("c.db").display());
    ok(&["migrate", "--database", &db]);
    // The first four steps of a scenario, moved to Monday 20 April 2099: accepted at 10:00,
    // in progress.
    let text = std::fs::read_to_string(path("examples/scenarios/ho-kinh-doanh-bo-sung.toml"))
        .expect("scenario");
    let four: Vec<&str> = text.split("[[do]]").take(5).collect();
    let scenario = four
        .join("[[do]]")
        .replace("2026-04-20T", "2099-04-20T")
        .replace(
            "../procedures/ho-kinh-doanh.toml",
            &path("examples/procedures/ho-kinh-doanh.toml"),
        );
    std::fs::write(dir.join("s.toml"), scenario).expect("write");
    let loaded = ok(&[
        "scenario",
        "load",
        &dir.join("s.toml").display().to_string(),
        "--id",
        "hs-2099",
        "--database",
        &db,
    ]);
    assert!(loaded.contains("state in-progress"), "{loaded}");

    let out = ok(&[
        "calendar",
        "except",
        "--agency",
        "000.20.31.H53",
        "--date",
        "2099-04-22",
        "--kind",
        "off",
        "--name",
        "Nghỉ lễ hội",
        "--source",
        "Quyết định 1/QĐ-UBND",
        "--database",
        &db,
    ]);
    assert!(out.contains("stored as pending"), "{out}");
    let preview = ok(&["calendar", "preview", "--database", &db]);
    assert!(
        preview.contains("pending: agency:000.20.31.H53 version 1")
            && preview.contains("1 with deadlines that would move")
            && preview.contains("Ngày hẹn trả kết quả")
            && preview.contains("vì 2099-04-22: nghỉ, Nghỉ lễ hội (Quyết định 1/QĐ-UBND)"),
        "{preview}"
    );
    let applied = ok(&["calendar", "apply", "--database", &db]);
    assert!(
        applied.contains("calendar change 1 applied") && applied.contains("1 moved"),
        "{applied}"
    );
    // Nothing pending any more; the job has nothing left either.
    let again = motcua(&["calendar", "apply", "--database", &db], None);
    assert_eq!(again.status.code(), Some(2));
    let rest = ok(&["calendar", "reproject", "--database", &db]);
    assert!(rest.contains("0 moved"), "{rest}");
    assert!(ok(&["verify", "--database", &db]).contains("0 problem(s)"));
    // Bad input changes nothing and exits with 2.
    for args in [
        &[
            "calendar",
            "except",
            "--date",
            "2099-13-01",
            "--kind",
            "off",
            "--name",
            "x",
            "--source",
            "y",
        ][..],
        &[
            "calendar",
            "except",
            "--date",
            "2099-04-23",
            "--kind",
            "holiday",
            "--name",
            "x",
            "--source",
            "y",
        ][..],
        &[
            "calendar",
            "set",
            "--agency",
            "000.99.99.H53",
            "--windows",
            "07:00-11:00",
        ][..],
        &["calendar", "set", "--windows", "13:00-11:00"][..],
    ] {
        let mut a = args.to_vec();
        a.extend(["--database", &db]);
        let out = motcua(&a, None);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let preview = ok(&["calendar", "preview", "--database", &db]);
    assert!(
        preview.contains("no calendar change is pending"),
        "{preview}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// A new version of a procedure and a dossier in flight moved to it from the command line:
/// the dry run names the step that needs a mapping, and changes nothing; with the mapping the
/// dossier is migrated; the log still verifies.
#[test]
fn a_procedure_migration_runs_dry_then_for_real() {
    let dir = std::env::temp_dir().join(format!("motcua-cli-mig-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let db = format!("sqlite://{}", dir.join("m.db").display());
    ok(&["migrate", "--database", &db]);
    // Five steps of a scenario: the dossier waits at the appraisal step (tham-dinh).
    let text = std::fs::read_to_string(path("examples/scenarios/ho-kinh-doanh-bo-sung.toml"))
        .expect("scenario");
    let five: Vec<&str> = text.split("[[do]]").take(5).collect();
    let scenario = five
        .join("[[do]]")
        .replace("2026-04-20T", "2099-04-20T")
        .replace(
            "../procedures/ho-kinh-doanh.toml",
            &path("examples/procedures/ho-kinh-doanh.toml"),
        );
    std::fs::write(dir.join("s.toml"), scenario).expect("write");
    ok(&[
        "scenario",
        "load",
        &dir.join("s.toml").display().to_string(),
        "--id",
        "hs-mig",
        "--database",
        &db,
    ]);
    let v2 = std::fs::read_to_string(path("examples/procedures/ho-kinh-doanh.toml"))
        .expect("procedure")
        .replace("version = \"2024.1\"", "version = \"2025.1\"")
        .replace("\"tham-dinh\"", "\"xem-xet\"");
    std::fs::write(dir.join("v2.toml"), v2).expect("write");
    ok(&[
        "procedure",
        "publish",
        &dir.join("v2.toml").display().to_string(),
        "--database",
        &db,
    ]);
    let dry = ok(&[
        "procedure",
        "migrate",
        "HKD-DK-THANH-LAP",
        "--to",
        "2025.1",
        "--dry-run",
        "--database",
        &db,
    ]);
    assert!(
        dry.contains("cannot be migrated")
            && dry.contains("tham-dinh")
            && dry.contains("0 can be migrated, 1 cannot"),
        "{dry}"
    );
    let dry = ok(&[
        "procedure",
        "migrate",
        "HKD-DK-THANH-LAP",
        "--to",
        "2025.1",
        "--map",
        "tham-dinh=xem-xet",
        "--dry-run",
        "--database",
        &db,
    ]);
    assert!(
        dry.contains("step tham-dinh → xem-xet") && dry.contains("1 can be migrated, 0 cannot"),
        "{dry}"
    );
    let done = ok(&[
        "procedure",
        "migrate",
        "HKD-DK-THANH-LAP",
        "--to",
        "2025.1",
        "--map",
        "tham-dinh=xem-xet",
        "--database",
        &db,
    ]);
    assert!(
        done.contains("migrated 1 dossier(s) to version 2025.1"),
        "{done}"
    );
    let again = ok(&[
        "procedure",
        "migrate",
        "HKD-DK-THANH-LAP",
        "--to",
        "2025.1",
        "--dry-run",
        "--database",
        &db,
    ]);
    assert!(
        again.contains("0 open dossier(s) of other versions"),
        "{again}"
    );
    assert!(ok(&["verify", "--database", &db]).contains("0 problem(s)"));
    // Bad input: an unknown version, a mapping that is not old=new.
    for args in [
        &["procedure", "migrate", "HKD-DK-THANH-LAP", "--to", "9.9"][..],
        &[
            "procedure",
            "migrate",
            "HKD-DK-THANH-LAP",
            "--to",
            "2025.1",
            "--map",
            "tham-dinh",
        ][..],
    ] {
        let mut a = args.to_vec();
        a.extend(["--database", &db]);
        let out = motcua(&a, None);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// The scenarios of several dossiers, calendar changes and versions run from the command line
/// (a `publish` step's file is read relative to the scenario), and are refused by `scenario
/// load` with exit code 2: a database takes one dossier's commands.
#[test]
fn scenarios_with_calendars_and_versions_run_and_are_not_loaded() {
    for name in ["lich-co-quan-ngay-nghi", "phien-ban-moi-chuyen-ho-so"] {
        let file = path(&format!("examples/scenarios/{name}.toml"));
        let out = ok(&["scenario", "run", &file]);
        assert!(
            out.contains("every step behaved as expected"),
            "{name}: {out}"
        );
        let dir = std::env::temp_dir().join(format!("motcua-cli-sc-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let db = format!("sqlite://{}", dir.join("s.db").display());
        let out = motcua(&["scenario", "load", &file, "--database", &db], None);
        assert_eq!(out.status.code(), Some(2), "{name}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("only a scenario of one dossier"),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::fs::remove_dir_all(&dir).ok();
    }
    // A check that does not hold fails the run.
    let text = std::fs::read_to_string(path("examples/scenarios/lich-co-quan-ngay-nghi.toml"))
        .expect("scenario")
        .replace(
            "overdue = true, classification = \"late\"",
            "overdue = false",
        )
        .replace(
            "../procedures/",
            &format!("{}/", path("examples/procedures")),
        );
    let dir = std::env::temp_dir().join(format!("motcua-cli-sc-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(dir.join("bad.toml"), text).expect("write");
    let out = motcua(
        &[
            "scenario",
            "run",
            &dir.join("bad.toml").display().to_string(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("overdue true (expected false)"));
    std::fs::remove_dir_all(&dir).ok();
}
