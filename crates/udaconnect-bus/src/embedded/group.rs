//! A consumer group on one topic: its live members, the partition assignment, and its
//! committed offsets.
//!
//! Assignment is by range over members in join order (Kafka's range assignor): with `P`
//! partitions and `M` members, member `i` gets a contiguous run of `P / M` partitions, the
//! first `P % M` members one more. Every join or leave is a rebalance: the generation goes up
//! and members are woken. A partition whose owner changes gets a new epoch, so its new owner
//! (and a former owner that gets it back) restarts from the committed offset, and records
//! delivered but not committed are delivered again.

use std::{
    path::PathBuf,
    sync::{
        Mutex, MutexGuard,
        atomic::{AtomicU64, Ordering},
    },
};

use tokio::sync::watch;

use super::offsets;
use crate::BusError;

static NEXT_MEMBER: AtomicU64 = AtomicU64::new(1);

#[derive(Debug)]
pub(crate) struct Group {
    pub(crate) name: String,
    path: PathBuf,
    state: Mutex<GroupState>,
    /// Serialises offset-file writes; held on a blocking thread, never across an await.
    persist: Mutex<()>,
    generation: watch::Sender<u64>,
}

#[derive(Debug)]
struct GroupState {
    members: Vec<u64>,
    owners: Vec<Option<u64>>,
    epochs: Vec<u64>,
    committed: Vec<u64>,
    has_committed: bool,
}

/// A partition assigned to a member: `(partition, epoch, committed offset)`.
pub(crate) type Assigned = (u32, u64, u64);

impl Group {
    pub(crate) fn new(
        name: &str,
        path: PathBuf,
        partitions: u32,
        committed: Option<Vec<u64>>,
    ) -> Group {
        let n = partitions as usize;
        let state = GroupState {
            members: Vec::new(),
            owners: vec![None; n],
            epochs: vec![0; n],
            has_committed: committed.is_some(),
            committed: committed.unwrap_or_else(|| vec![0; n]),
        };
        Group {
            name: name.to_owned(),
            path,
            state: Mutex::new(state),
            persist: Mutex::new(()),
            generation: watch::Sender::new(0),
        }
    }

    fn state(&self) -> MutexGuard<'_, GroupState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds a member and rebalances; returns its id.
    pub(crate) fn join(&self) -> u64 {
        let member = NEXT_MEMBER.fetch_add(1, Ordering::Relaxed);
        let mut state = self.state();
        state.members.push(member);
        self.rebalance(&mut state);
        member
    }

    /// Removes a member and rebalances.
    pub(crate) fn leave(&self, member: u64) {
        let mut state = self.state();
        state.members.retain(|&m| m != member);
        self.rebalance(&mut state);
    }

    fn rebalance(&self, state: &mut GroupState) {
        let partitions = state.owners.len();
        let members = state.members.len();
        for p in 0..partitions {
            let owner = owner_index(partitions, members, p).map(|i| state.members[i]);
            if state.owners[p] != owner {
                state.owners[p] = owner;
                state.epochs[p] += 1;
            }
        }
        self.generation.send_modify(|g| *g += 1);
        tracing::debug!(group = %self.name, members, "consumer group rebalanced");
    }

    /// Wakes on every rebalance.
    pub(crate) fn watch(&self) -> watch::Receiver<u64> {
        self.generation.subscribe()
    }

    /// The partitions `member` owns now.
    pub(crate) fn assignment(&self, member: u64) -> Vec<Assigned> {
        let state = self.state();
        (0..state.owners.len())
            .filter(|&p| state.owners[p] == Some(member))
            .map(|p| (p as u32, state.epochs[p], state.committed[p]))
            .collect()
    }

    /// Committed offsets, and whether the group ever committed.
    pub(crate) fn committed(&self) -> (Vec<u64>, bool) {
        let state = self.state();
        (state.committed.clone(), state.has_committed)
    }

    /// Durably raises the committed offsets of the partitions `member` owns to the given next
    /// offsets (never lowers them). Blocking: run it on a blocking thread. Returns whether
    /// anything changed.
    pub(crate) fn commit(&self, member: u64, next: &[(u32, u64)]) -> Result<bool, BusError> {
        let _persist = self.persist.lock().unwrap_or_else(|e| e.into_inner());
        let merged = {
            let state = self.state();
            let mut merged = state.committed.clone();
            let mut accepted = false;
            for &(p, offset) in next {
                let p = p as usize;
                if state.owners.get(p) == Some(&Some(member)) {
                    merged[p] = merged[p].max(offset);
                    accepted = true;
                }
            }
            if !accepted || (merged == state.committed && state.has_committed) {
                return Ok(false);
            }
            merged
        };
        offsets::store(&self.path, &merged)?;
        let mut state = self.state();
        state.committed = merged;
        state.has_committed = true;
        Ok(true)
    }
}

/// Range assignment: which member (by join order) owns partition `p`, if any.
pub(crate) fn owner_index(partitions: usize, members: usize, p: usize) -> Option<usize> {
    if members == 0 {
        return None;
    }
    let (per, extra) = (partitions / members, partitions % members);
    // The first `extra` members own `per + 1` partitions each.
    let big = extra * (per + 1);
    Some(if p < big {
        p / (per + 1)
    } else {
        extra + (p - big) / per.max(1)
    })
    .filter(|&i| i < members)
}
