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

/// The engine stays light to depend on (docs/embedding.md, "What it costs"): its normal
/// dependencies are these, and a new one fails here until it is added to this list and to the
/// table in docs/embedding.md, with the reason.
#[test]
fn the_core_depends_on_what_docs_embedding_md_lists() {
    let manifest =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
            .expect("Cargo.toml");
    let section = manifest
        .split("\n[dependencies]\n")
        .nth(1)
        .expect("a [dependencies] section");
    let section = section.split("\n[").next().unwrap_or(section);
    let mut names: Vec<&str> = section
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .filter_map(|l| l.split(['.', ' ', '=']).next())
        .collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "chrono",
            "petgraph",
            "rhai",
            "serde",
            "serde_json",
            "sha2",
            "thiserror",
            "toml",
            "unicode-normalization",
            "utoipa",
        ],
        "motcua-core's dependencies changed: update this list and docs/embedding.md"
    );
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/embedding.md"))
            .expect("docs/embedding.md");
    for name in names {
        assert!(
            doc.contains(&format!("`{name}`")),
            "docs/embedding.md does not say why motcua-core depends on `{name}`"
        );
    }
}
