//! Paths and files the integration tests share.

use std::path::{Path, PathBuf};

/// The POC's sample dump, outside the repository: `None` (with a note) when absent.
pub fn poc_seed_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/poc-seed");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "note: {} is absent, skipping the POC sample checks",
            dir.display()
        );
        None
    }
}

/// The sample's `.sql` files, sorted by name.
pub fn poc_seed_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("reading the sample directory")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .collect();
    files.sort();
    files
}

pub fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo")
}

/// Writes `text` to `dir/name` and returns the path.
pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("writing a test file");
    path
}
