//! Repository rules checked as an ordinary test: motcua-core does no I/O and never reads the
//! clock (ARCHITECTURE.md), and every source file opens with a `//!` line.

use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable source tree") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn the_core_does_no_io_and_reads_no_clock() {
    let mut files = Vec::new();
    rust_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    assert!(files.len() > 10);
    let forbidden = [
        "Utc::now",
        "Local::now",
        "SystemTime",
        "Instant::now",
        "std::fs",
        "std::net",
        "std::process",
        "std::env",
        "std::io::stdin",
        "println!",
        "eprintln!",
    ];
    for f in &files {
        let text = std::fs::read_to_string(f).expect("readable");
        for word in forbidden {
            assert!(!text.contains(word), "{} uses `{word}`", f.display());
        }
        assert!(
            text.starts_with("//!"),
            "{} must open with a //! line",
            f.display()
        );
    }
}
