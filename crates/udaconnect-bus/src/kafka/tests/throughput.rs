//! 10,000 records from concurrent appenders, read back exactly once by a two-member group;
//! prints produce and consume rates (`-- --nocapture` shows them). Two shapes: one record
//! per append (as the ingest service appends each fix) and batches of 100.

use std::{
    collections::{BTreeSet, HashMap},
    time::{Duration, Instant},
};

use crate::{
    EventLog, Position, Record,
    conformance::{unique_name, wait_for_balance, within},
    group_lag,
};

const TOTAL: usize = 10_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a Kafka broker: scripts/kafka.sh start"]
async fn single_record_appends_read_back_exactly_once() {
    read_back_exactly_once(50, 1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a Kafka broker: scripts/kafka.sh start"]
async fn batched_appends_read_back_exactly_once() {
    read_back_exactly_once(10, 100).await;
}

/// `appenders` tasks append `TOTAL / appenders` records each, `batch` per call. Each task has
/// its own key, so its records must come back in its order.
async fn read_back_exactly_once(appenders: usize, batch: usize) {
    let log = super::connect();
    let (topic, group) = (unique_name("throughput"), unique_name("throughput"));
    log.ensure_topic(&topic, 4).await.expect("ensure_topic");
    let mut a = log.subscribe(&topic, &group).await.expect("subscribe a");
    let mut b = log.subscribe(&topic, &group).await.expect("subscribe b");
    wait_for_balance(&mut [&mut *a, &mut *b], 4).await;

    let per_appender = TOTAL / appenders;
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for task in 0..appenders {
        let (log, topic) = (log.clone(), topic.clone());
        tasks.spawn(async move {
            let mut positions = Vec::with_capacity(per_appender);
            for first in (0..per_appender).step_by(batch) {
                let records = (first..first + batch)
                    .map(|seq| Record::new(format!("appender-{task}"), format!("{task}:{seq}")))
                    .collect();
                positions.extend(log.append(&topic, records).await.expect("append"));
            }
            positions
        });
    }
    let mut appended = BTreeSet::new();
    while let Some(done) = within("appending", tasks.join_next()).await {
        appended.extend(done.expect("appender task"));
    }
    let produce = start.elapsed();
    assert_eq!(appended.len(), TOTAL, "distinct positions");

    let start = Instant::now();
    let mut seen: HashMap<String, Position> = HashMap::with_capacity(TOTAL);
    within("consuming", async {
        while seen.len() < TOTAL {
            for sub in [&mut a, &mut b] {
                let got = sub
                    .poll(1000, Duration::from_millis(20))
                    .await
                    .expect("poll");
                let done: Vec<Position> = got.iter().map(|d| d.position).collect();
                for d in got {
                    let value = String::from_utf8(d.record.value.to_vec()).expect("utf-8");
                    let before = seen.insert(value.clone(), d.position);
                    assert!(before.is_none(), "{value} delivered twice");
                }
                sub.commit(&done).await.expect("commit");
            }
        }
    })
    .await;
    let consume = start.elapsed();
    for sub in [&mut a, &mut b] {
        let extra = sub
            .poll(100, Duration::from_millis(300))
            .await
            .expect("poll");
        assert!(extra.is_empty(), "{} records delivered twice", extra.len());
    }
    let read: BTreeSet<Position> = seen.values().copied().collect();
    assert_eq!(read, appended, "every appended record read once");
    for task in 0..appenders {
        let positions: Vec<Position> = (0..per_appender)
            .map(|seq| seen[&format!("{task}:{seq}")])
            .collect();
        assert!(
            positions
                .windows(2)
                .all(|w| w[0].partition == w[1].partition && w[0].offset < w[1].offset),
            "appender {task} out of order: {positions:?}"
        );
    }
    assert_eq!(group_lag(&*log, &topic, &group).await.expect("lag"), 0);
    let rate = |elapsed: Duration| TOTAL as f64 / elapsed.as_secs_f64();
    eprintln!(
        "kafka throughput ({appenders} appenders, {batch} per append): produced {TOTAL} in \
         {produce:.2?} = {:.0}/s; consumed and committed in {consume:.2?} = {:.0}/s",
        rate(produce),
        rate(consume),
    );
}
