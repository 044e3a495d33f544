use std::ops::Range;

use tokio::sync::Mutex;
use udaconnect_domain::LocationId;
use udaconnect_store::DynStore;

use crate::ServiceError;

/// Hands out location ids from blocks reserved in the store (hi/lo), so that accepting a fix
/// costs no database round trip and ids stay unique across restarts, replicas and imports.
/// Ids of a block not used up before a restart are skipped, never reused.
#[derive(Debug)]
pub struct IdAllocator {
    store: DynStore,
    block_size: u32,
    block: Mutex<Range<i64>>,
}

impl IdAllocator {
    pub const DEFAULT_BLOCK: u32 = 1024;

    pub fn new(store: DynStore, block_size: u32) -> Self {
        Self {
            store,
            block_size: block_size.max(1),
            block: Mutex::new(0..0),
        }
    }

    /// `n` fresh ids (not necessarily contiguous).
    pub async fn next_ids(&self, n: usize) -> Result<Vec<LocationId>, ServiceError> {
        let mut out = Vec::with_capacity(n);
        let mut block = self.block.lock().await;
        while out.len() < n {
            if block.is_empty() {
                let want = self.block_size.max((n - out.len()).min(1 << 20) as u32);
                *block = self.store.reserve_location_ids(want).await?;
                if block.is_empty() {
                    return Err(ServiceError::Internal("store reserved no ids".into()));
                }
            }
            let id = block.start;
            block.start += 1;
            out.push(LocationId::new(id)?);
        }
        Ok(out)
    }
}
