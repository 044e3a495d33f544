//! Inputs (part of the deploy manifest checks).

use super::*;

/// The files under `deploy/`, by path relative to it (`/`-separated).
#[derive(Clone)]
pub(crate) struct Deploy {
    pub(crate) files: BTreeMap<String, String>,
}

impl Deploy {
    pub(crate) fn load() -> Self {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy");
        let mut files = BTreeMap::new();
        let mut dirs = vec![root.clone()];
        while let Some(dir) = dirs.pop() {
            for entry in fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
                let path: PathBuf = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else {
                    let rel = path.strip_prefix(&root).unwrap().to_string_lossy();
                    let text = fs::read_to_string(&path)
                        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                    files.insert(rel.replace('\\', "/"), text);
                }
            }
        }
        Self { files }
    }

    /// A copy with `from` replaced by `to` in `file` (which must contain it).
    pub(crate) fn edit(&self, file: &str, from: &str, to: &str) -> Self {
        let mut d = self.clone();
        let text = d.files.get_mut(file).unwrap_or_else(|| panic!("no {file}"));
        assert!(text.contains(from), "{file} does not contain {from:?}");
        *text = text.replacen(from, to, 1);
        d
    }
}

/// Every problem found, as `where: what`.
#[derive(Default)]
pub(crate) struct Problems(pub(crate) Vec<String>);

impl Problems {
    pub(crate) fn add(&mut self, at: &str, what: impl std::fmt::Display) {
        self.0.push(format!("{at}: {what}"));
    }
}

pub(crate) fn yaml_docs(file: &str, text: &str, p: &mut Problems) -> Vec<Value> {
    let mut docs = Vec::new();
    for (i, de) in serde_norway::Deserializer::from_str(text).enumerate() {
        match Value::deserialize(de) {
            Ok(mut v) => {
                if let Err(e) = v.apply_merge() {
                    p.add(&format!("{file} document {}", i + 1), e);
                }
                if !v.is_null() {
                    docs.push(v);
                }
            }
            Err(e) => {
                p.add(&format!("{file} document {}", i + 1), e);
                break;
            }
        }
    }
    docs
}
