//! Durability of commits across a restart, and lag accounting.

use std::collections::{BTreeMap, BTreeSet};

use super::{
    LogFactory,
    support::{assert_quiet, poll_n, unique_name, within},
};
use crate::{Position, Record, group_lag};

/// For each partition, the position in the middle of its records (commit up to it).
fn middles(appended: &[Position]) -> Vec<Position> {
    let mut by_partition: BTreeMap<u32, Vec<Position>> = BTreeMap::new();
    for &p in appended {
        by_partition.entry(p.partition).or_default().push(p);
    }
    by_partition.into_values().map(|v| v[v.len() / 2]).collect()
}

/// After a restart, a member of the group gets exactly the records not committed before it,
/// and appends continue after the old end.
pub async fn restart_resumes_from_committed(factory: &dyn LogFactory) {
    let (topic, group) = (unique_name("restart"), unique_name("restart"));
    let records = |r: usize| -> Vec<Record> {
        (0..60)
            .map(|i| Record::new(format!("p{i}"), format!("{r}:{i}")))
            .collect()
    };
    let (appended, cuts, end) = {
        let log = factory.open().await;
        log.ensure_topic(&topic, 3).await.expect("ensure_topic");
        let appended = within("append", log.append(&topic, records(0)))
            .await
            .expect("append");
        let mut sub = log.subscribe(&topic, &group).await.expect("subscribe");
        poll_n(&mut *sub, 60).await;
        let cuts = middles(&appended);
        sub.commit(&cuts).await.expect("commit");
        let end = log.end_offsets(&topic).await.expect("end_offsets");
        (appended, cuts, end)
    };

    let log = factory.open().await;
    assert_eq!(
        log.end_offsets(&topic).await.expect("end_offsets"),
        end,
        "end after restart"
    );
    let committed = log
        .committed_offsets(&topic, &group)
        .await
        .expect("committed");
    for cut in &cuts {
        assert_eq!(
            committed[cut.partition as usize],
            cut.offset + 1,
            "committed {cut:?}"
        );
    }
    let expected: BTreeSet<Position> = appended
        .iter()
        .filter(|p| {
            cuts.iter()
                .any(|c| c.partition == p.partition && p.offset > c.offset)
        })
        .copied()
        .collect();
    let mut sub = log.subscribe(&topic, &group).await.expect("subscribe");
    let got = poll_n(&mut *sub, expected.len()).await;
    assert_eq!(
        got.iter().map(|d| d.position).collect::<BTreeSet<_>>(),
        expected
    );
    assert_quiet(&mut *sub).await;

    let more = within("append", log.append(&topic, records(1)))
        .await
        .expect("append");
    for p in &more {
        assert!(
            p.offset >= end[p.partition as usize],
            "offset {p:?} reused after restart"
        );
    }
    assert_eq!(
        poll_n(&mut *sub, 60).await.len(),
        60,
        "new records after restart"
    );
}

/// Lag is appended minus committed, before, during and after commits.
pub async fn lag_tracks_commits(factory: &dyn LogFactory) {
    let log = factory.open().await;
    let (topic, group) = (unique_name("lag"), unique_name("lag"));
    log.ensure_topic(&topic, 2).await.expect("ensure_topic");
    let batch: Vec<Record> = (0..30).map(|i| Record::new(format!("k{i}"), "v")).collect();
    let appended = within("append", log.append(&topic, batch))
        .await
        .expect("append");
    assert_eq!(
        group_lag(&*log, &topic, &group).await.expect("lag"),
        30,
        "nothing committed"
    );
    assert_eq!(
        log.committed_offsets(&topic, &group)
            .await
            .expect("committed"),
        vec![0, 0]
    );

    let mut sub = log.subscribe(&topic, &group).await.expect("subscribe");
    poll_n(&mut *sub, 30).await;
    let cuts = middles(&appended);
    sub.commit(&cuts).await.expect("commit");
    let committed: u64 = cuts.iter().map(|c| c.offset + 1).sum();
    assert_eq!(
        group_lag(&*log, &topic, &group).await.expect("lag"),
        30 - committed,
        "after a partial commit"
    );
    sub.commit(&appended).await.expect("commit all");
    assert_eq!(
        group_lag(&*log, &topic, &group).await.expect("lag"),
        0,
        "after committing everything"
    );
    let five: Vec<Record> = (0..5).map(|i| Record::new(format!("k{i}"), "v")).collect();
    within("append", log.append(&topic, five))
        .await
        .expect("append");
    assert_eq!(
        group_lag(&*log, &topic, &group).await.expect("lag"),
        5,
        "new records"
    );
}
