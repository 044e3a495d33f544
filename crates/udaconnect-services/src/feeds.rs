//! Live feeds over a topic (contact episodes, recorded fixes) with resumable cursors.
//!
//! A feed reads every partition with a group-less reader. Each item carries a cursor: the
//! next offset of every partition right after that item (`p1.<o0>.<o1>…`). Resuming from a
//! cursor re-reads nothing before it and misses nothing after it that the log still retains
//! (Server-Sent Events' `Last-Event-ID`, gRPC `cursor`). Without a cursor a feed starts at
//! the end: only what happens next.

use std::{collections::VecDeque, sync::Arc};

use futures::stream::{self, BoxStream, StreamExt};
use udaconnect_bus::{EventLog, Record, Subscription};
use udaconnect_domain::{FeedItem, ValidationError};

use crate::ServiceError;

/// A stream of feed items; ends only on an error.
pub type Feed<T> = BoxStream<'static, Result<FeedItem<T>, ServiceError>>;

const PREFIX: &str = "p1";
/// Most partitions a cursor may name.
const MAX_PARTITIONS: usize = 10_000;

/// The cursor after a position: the next offset of every partition.
pub fn encode_cursor(next: &[u64]) -> String {
    let mut s = String::from(PREFIX);
    for o in next {
        s.push('.');
        s.push_str(&o.to_string());
    }
    s
}

/// Parses [`encode_cursor`]'s form; the error names `cursor`.
pub fn decode_cursor(s: &str) -> Result<Vec<u64>, ValidationError> {
    let bad = || ValidationError::new("cursor", "is not a cursor this feed returned");
    let mut parts = s.split('.');
    if parts.next() != Some(PREFIX) {
        return Err(bad());
    }
    let next: Vec<u64> = parts
        .map(|p| p.parse::<u64>().map_err(|_| bad()))
        .collect::<Result<_, _>>()?;
    if next.is_empty() || next.len() > MAX_PARTITIONS {
        return Err(bad());
    }
    Ok(next)
}

/// Opens a feed of `topic`: items that `select` decodes and keeps, from just after `cursor`
/// or from the end of the log.
pub async fn open<T, F>(
    log: Arc<dyn EventLog>,
    topic: &str,
    cursor: Option<&str>,
    select: F,
) -> Result<Feed<T>, ServiceError>
where
    T: Send + 'static,
    F: Fn(&Record) -> Option<T> + Send + Sync + 'static,
{
    let next = match cursor {
        Some(c) => decode_cursor(c)?,
        None => log.end_offsets(topic).await?,
    };
    let reader = log.read_from(topic, &next).await?;
    struct State<T, F> {
        reader: Box<dyn Subscription>,
        next: Vec<u64>,
        ready: VecDeque<FeedItem<T>>,
        select: F,
        _log: Arc<dyn EventLog>,
    }
    let state = State {
        reader,
        next,
        ready: VecDeque::new(),
        select,
        _log: log,
    };
    Ok(stream::unfold(state, |mut s| async move {
        loop {
            if let Some(item) = s.ready.pop_front() {
                return Some((Ok(item), s));
            }
            match s
                .reader
                .poll(1_000, udaconnect_bus::DEFAULT_POLL_WAIT)
                .await
            {
                Ok(batch) => {
                    for d in batch {
                        let p = d.position.partition as usize;
                        if s.next.len() <= p {
                            s.next.resize(p + 1, 0);
                        }
                        s.next[p] = d.position.offset + 1;
                        if let Some(item) = (s.select)(&d.record) {
                            s.ready.push_back(FeedItem {
                                cursor: encode_cursor(&s.next),
                                item,
                            });
                        }
                    }
                }
                Err(e) => return Some((Err(ServiceError::from(e)), s)),
            }
        }
    })
    .boxed())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        assert_eq!(
            decode_cursor(&encode_cursor(&[3, 0, 17])).unwrap(),
            vec![3, 0, 17]
        );
        for bad in ["", "p1", "p2.1", "p1.x", "p1.-1", "1.2", "p1..2"] {
            assert_eq!(decode_cursor(bad).unwrap_err().field, "cursor", "{bad:?}");
        }
    }
}
