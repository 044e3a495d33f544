//! Consumer groups: splitting partitions, redelivery after a member leaves, independence.

use std::{
    collections::{BTreeSet, HashSet},
    time::Duration,
};

use super::{
    LogFactory,
    support::{assert_quiet, poll_n, unique_name, wait_for_balance, within},
};
use crate::{Delivery, Position, Record, Subscription, group_lag};

fn records(n: usize) -> Vec<Record> {
    (0..n)
        .map(|i| Record::new(format!("person-{i}"), format!("fix-{i}")))
        .collect()
}

fn positions(got: &[Delivery]) -> BTreeSet<Position> {
    got.iter().map(|d| d.position).collect()
}

/// Two members split the partitions; each partition is read by exactly one of them; together
/// they receive every record exactly once, and after both commit the lag is zero.
pub async fn group_split(factory: &dyn LogFactory) {
    let log = factory.open().await;
    let (topic, group) = (unique_name("split"), unique_name("split"));
    log.ensure_topic(&topic, 4).await.expect("ensure_topic");
    let mut a = log.subscribe(&topic, &group).await.expect("subscribe a");
    let mut b = log.subscribe(&topic, &group).await.expect("subscribe b");
    wait_for_balance(&mut [&mut *a, &mut *b], 4).await;
    let n = 200;
    let appended = within("append", log.append(&topic, records(n)))
        .await
        .expect("append");

    let mut read_by: [BTreeSet<u32>; 2] = Default::default();
    let mut all = Vec::new();
    within("reading the split group", async {
        while all.len() < n {
            for (i, sub) in [&mut a, &mut b].into_iter().enumerate() {
                let batch = sub.poll(50, Duration::from_millis(50)).await.expect("poll");
                let owned = sub.assignment();
                for d in &batch {
                    let p = d.position.partition;
                    assert!(owned.contains(&p), "member {i} got {p}, owns {owned:?}");
                    read_by[i].insert(p);
                }
                let processed: Vec<Position> = batch.iter().map(|d| d.position).collect();
                sub.commit(&processed).await.expect("commit");
                all.extend(batch);
            }
        }
    })
    .await;
    assert_quiet(&mut *a).await;
    assert_quiet(&mut *b).await;
    assert!(
        read_by[0].is_disjoint(&read_by[1]),
        "a partition read by both: {read_by:?}"
    );
    assert_eq!(all.len(), n, "no duplicates");
    assert_eq!(
        positions(&all),
        appended.into_iter().collect(),
        "every record once"
    );
    let lag = group_lag(&*log, &topic, &group).await.expect("lag");
    assert_eq!(lag, 0, "everything committed");
}

/// Records a member polled but did not commit go to another member when it leaves: both to a
/// live member (rebalance on leave) and to one that joins later (from the committed offset).
pub async fn redelivery_after_member_leaves(factory: &dyn LogFactory) {
    let log = factory.open().await;
    let topic = unique_name("redeliver");
    log.ensure_topic(&topic, 2).await.expect("ensure_topic");

    // Live: a and b split the topic; a reads without committing and leaves.
    let group = unique_name("redeliver-live");
    let mut a = log.subscribe(&topic, &group).await.expect("subscribe a");
    let mut b = log.subscribe(&topic, &group).await.expect("subscribe b");
    wait_for_balance(&mut [&mut *a, &mut *b], 2).await;
    let appended = within("append", log.append(&topic, records(40)))
        .await
        .expect("append");
    let count = |p: u32| appended.iter().filter(|x| x.partition == p).count();
    assert!(
        count(0) > 0 && count(1) > 0,
        "40 keys should reach both partitions"
    );
    let (pa, pb) = (a.assignment()[0], b.assignment()[0]);
    let a_got = poll_n(&mut *a, count(pa)).await;
    let b_got = poll_n(&mut *b, count(pb)).await;
    let processed: Vec<Position> = b_got.iter().map(|d| d.position).collect();
    b.commit(&processed).await.expect("commit b");
    drop(a);
    let again = poll_n(&mut *b, count(pa)).await;
    assert_eq!(
        positions(&again),
        positions(&a_got),
        "a's uncommitted records go to b"
    );
    assert_quiet(&mut *b).await;
    drop(b);

    // Later: c reads everything, commits half of partition 0, leaves; d gets the rest.
    let group = unique_name("redeliver-later");
    let mut c = log.subscribe(&topic, &group).await.expect("subscribe c");
    let got = poll_n(&mut *c, 40).await;
    let p0: Vec<Position> = got
        .iter()
        .map(|d| d.position)
        .filter(|x| x.partition == 0)
        .collect();
    let cut = p0[p0.len() / 2];
    c.commit(&[cut]).await.expect("commit c");
    drop(c);
    let mut d = log.subscribe(&topic, &group).await.expect("subscribe d");
    let rest = poll_n(&mut *d, 40 - (p0.len() / 2 + 1)).await;
    let expected: BTreeSet<Position> = appended
        .iter()
        .filter(|x| x.partition == 1 || x.offset > cut.offset)
        .copied()
        .collect();
    assert_eq!(positions(&rest), expected, "only what c did not commit");
    assert_quiet(&mut *d).await;
}

/// Two groups each receive every record, and one group's commits do not affect the other.
pub async fn independent_groups(factory: &dyn LogFactory) {
    let log = factory.open().await;
    let topic = unique_name("groups");
    let (g1, g2) = (unique_name("groups-one"), unique_name("groups-two"));
    log.ensure_topic(&topic, 2).await.expect("ensure_topic");
    let appended: HashSet<Position> = within("append", log.append(&topic, records(50)))
        .await
        .expect("append")
        .into_iter()
        .collect();
    let mut s1 = log.subscribe(&topic, &g1).await.expect("subscribe g1");
    let mut s2 = log.subscribe(&topic, &g2).await.expect("subscribe g2");
    let got1 = poll_n(&mut *s1, 50).await;
    let got2 = poll_n(&mut *s2, 50).await;
    for got in [&got1, &got2] {
        let seen: HashSet<Position> = got.iter().map(|d| d.position).collect();
        assert_eq!(seen, appended, "each group gets every record");
    }
    let processed: Vec<Position> = got1.iter().map(|d| d.position).collect();
    s1.commit(&processed).await.expect("commit g1");
    assert_eq!(group_lag(&*log, &topic, &g1).await.expect("lag g1"), 0);
    assert_eq!(group_lag(&*log, &topic, &g2).await.expect("lag g2"), 50);
    drop(s2);
    let mut s2 = log.subscribe(&topic, &g2).await.expect("resubscribe g2");
    assert_eq!(
        poll_n(&mut *s2, 50).await.len(),
        50,
        "g2 committed nothing: all again"
    );
    close_quietly(s1, s2).await;
}

async fn close_quietly(mut s1: Box<dyn Subscription>, mut s2: Box<dyn Subscription>) {
    assert_quiet(&mut *s1).await;
    assert_quiet(&mut *s2).await;
}
