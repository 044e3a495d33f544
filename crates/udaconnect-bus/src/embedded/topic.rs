//! A topic: `topics/<name>/` holding `topic.json` (partition count), one directory per
//! partition (`0`, `1`, …) and `groups/` (committed offsets). A new topic is built in
//! `tmp/<name>` and renamed into place, so a crash never leaves half a topic.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    sync::{
        Arc, Mutex, MutexGuard,
        atomic::{AtomicU32, Ordering},
    },
};

use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use super::{
    fsutil::{fsync_dir, write_atomic},
    group::Group,
    offsets,
    partition::Partition,
};
use crate::BusError;

const META: &str = "topic.json";
const GROUPS: &str = "groups";

#[derive(Debug, Serialize, Deserialize)]
struct TopicMeta {
    version: u32,
    partitions: u32,
}

#[derive(Debug)]
pub(crate) struct Topic {
    pub(crate) name: String,
    pub(crate) partitions: Vec<Partition>,
    groups_dir: PathBuf,
    groups: Mutex<HashMap<String, Arc<Group>>>,
    /// Bumped after every publish of new records, to wake pollers.
    appended: watch::Sender<u64>,
    round_robin: AtomicU32,
}

impl Topic {
    /// Creates topic `name` under `root` (blocking).
    pub(crate) fn create(root: &Path, name: &str, partitions: u32) -> Result<Topic, BusError> {
        let tmp = root.join("tmp").join(name);
        if tmp.exists() {
            std::fs::remove_dir_all(&tmp)?;
        }
        std::fs::create_dir_all(tmp.join(GROUPS))?;
        for p in 0..partitions {
            Partition::create(tmp.join(p.to_string()), p)?;
        }
        let meta = TopicMeta {
            version: 1,
            partitions,
        };
        let meta = serde_json::to_vec(&meta).map_err(std::io::Error::other)?;
        write_atomic(&tmp.join(META), &meta)?;
        let topics = root.join("topics");
        std::fs::rename(&tmp, topics.join(name))?;
        fsync_dir(&topics)?;
        tracing::info!(topic = name, partitions, "created topic");
        Topic::open(&topics.join(name), name)
    }

    /// Opens and checks an existing topic directory (blocking).
    pub(crate) fn open(dir: &Path, name: &str) -> Result<Topic, BusError> {
        let meta_path = dir.join(META);
        let meta: TopicMeta = serde_json::from_slice(&std::fs::read(&meta_path)?)
            .map_err(|e| BusError::Corrupt(format!("{}: {e}", meta_path.display())))?;
        let partitions = (0..meta.partitions)
            .map(|p| Partition::open(dir.join(p.to_string()), p))
            .collect::<Result<Vec<_>, _>>()?;
        let groups_dir = dir.join(GROUPS);
        let mut groups = HashMap::new();
        for entry in std::fs::read_dir(&groups_dir)? {
            let file_name = entry?.file_name();
            let Some(group) = file_name.to_str().and_then(offsets::group_of) else {
                continue;
            };
            let path = offsets::path(&groups_dir, group);
            let committed = offsets::load(&path, partitions.len())?;
            let group = Group::new(group, path, meta.partitions, Some(committed));
            groups.insert(group.name.clone(), Arc::new(group));
        }
        Ok(Topic {
            name: name.to_owned(),
            partitions,
            groups_dir,
            groups: Mutex::new(groups),
            appended: watch::Sender::new(0),
            round_robin: AtomicU32::new(0),
        })
    }

    /// The partition of `key`: FNV-1a (32 bit) of the key modulo the partition count, stable
    /// across restarts and versions. Empty keys go round-robin.
    pub(crate) fn partition_for(&self, key: &[u8]) -> u32 {
        let n = self.partitions.len() as u32;
        if key.is_empty() {
            return self.round_robin.fetch_add(1, Ordering::Relaxed) % n;
        }
        fnv1a(key) % n
    }

    fn groups(&self) -> MutexGuard<'_, HashMap<String, Arc<Group>>> {
        self.groups.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The group called `name`, created (in memory, without commits) if new.
    pub(crate) fn group(&self, name: &str) -> Arc<Group> {
        let path = offsets::path(&self.groups_dir, name);
        let n = self.partitions.len() as u32;
        let mut groups = self.groups();
        let group = groups.entry(name.to_owned());
        group
            .or_insert_with(|| Arc::new(Group::new(name, path, n, None)))
            .clone()
    }

    pub(crate) fn find_group(&self, name: &str) -> Option<Arc<Group>> {
        self.groups().get(name).cloned()
    }

    /// Per partition, the lowest committed offset over the groups that ever committed; `None`
    /// when no group has (retention then keeps everything).
    pub(crate) fn committed_floor(&self) -> Vec<Option<u64>> {
        let mut floor = vec![None; self.partitions.len()];
        for group in self.groups().values() {
            let (committed, has_committed) = group.committed();
            if has_committed {
                for (f, c) in floor.iter_mut().zip(committed) {
                    *f = Some(f.map_or(c, |f: u64| f.min(c)));
                }
            }
        }
        floor
    }

    pub(crate) fn notify_appended(&self) {
        self.appended.send_modify(|n| *n = n.wrapping_add(1));
    }

    pub(crate) fn watch_appended(&self) -> watch::Receiver<u64> {
        self.appended.subscribe()
    }
}

/// 32-bit FNV-1a.
pub(crate) fn fnv1a(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5, |h: u32, &b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}
