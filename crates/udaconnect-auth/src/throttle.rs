//! Login throttling: failed sign-ins counted per username and per client address over a
//! sliding window; past the limit, sign-ins are refused (even with the right password)
//! until the oldest failure leaves the window. In memory, per process.

use std::{
    collections::{HashMap, VecDeque},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

/// The limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Failures per username within `window` (default 5).
    pub per_username: usize,
    /// Failures per client address within `window` (default 20).
    pub per_client: usize,
    /// Default 15 minutes.
    pub window: Duration,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        Self {
            per_username: 5,
            per_client: 20,
            window: Duration::from_secs(15 * 60),
        }
    }
}

/// Keys tracked at most (a flood of distinct usernames cannot exhaust memory: the oldest
/// entries are dropped first).
const MAX_KEYS: usize = 100_000;

#[derive(Debug, Default)]
struct Failures {
    by_key: HashMap<String, VecDeque<Instant>>,
}

impl Failures {
    fn prune(&mut self, key: &str, now: Instant, window: Duration) -> usize {
        let Some(q) = self.by_key.get_mut(key) else {
            return 0;
        };
        while q.front().is_some_and(|t| now.duration_since(*t) >= window) {
            q.pop_front();
        }
        let n = q.len();
        if n == 0 {
            self.by_key.remove(key);
        }
        n
    }

    fn retry_after(&self, key: &str, now: Instant, window: Duration) -> Duration {
        self.by_key
            .get(key)
            .and_then(|q| q.front())
            .map(|t| window.saturating_sub(now.duration_since(*t)))
            .unwrap_or_default()
    }
}

/// Cheap to clone: clones share the counts.
#[derive(Debug, Clone, Default)]
pub struct LoginThrottle {
    policy: ThrottlePolicy,
    failures: Arc<Mutex<Failures>>,
}

impl LoginThrottle {
    pub fn new(policy: ThrottlePolicy) -> Self {
        Self {
            policy,
            failures: Arc::default(),
        }
    }

    fn keys(username: &str, client: &str) -> (String, String) {
        (
            format!("u:{}", username.to_lowercase()),
            format!("c:{client}"),
        )
    }

    /// `Err(retry_after)` when this username or client is over its limit.
    pub fn check(&self, username: &str, client: &str) -> Result<(), Duration> {
        let (u, c) = Self::keys(username, client);
        let now = Instant::now();
        let w = self.policy.window;
        let mut f = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let mut wait = Duration::ZERO;
        if f.prune(&u, now, w) >= self.policy.per_username {
            wait = wait.max(f.retry_after(&u, now, w));
        }
        if f.prune(&c, now, w) >= self.policy.per_client {
            wait = wait.max(f.retry_after(&c, now, w));
        }
        match wait.is_zero() {
            true => Ok(()),
            false => Err(wait.max(Duration::from_secs(1))),
        }
    }

    pub fn record_failure(&self, username: &str, client: &str) {
        let (u, c) = Self::keys(username, client);
        let now = Instant::now();
        let mut f = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if f.by_key.len() >= MAX_KEYS {
            let w = self.policy.window;
            f.by_key
                .retain(|_, q| q.back().is_some_and(|t| now.duration_since(*t) < w));
            if f.by_key.len() >= MAX_KEYS {
                f.by_key.clear();
            }
        }
        for key in [u, c] {
            f.by_key.entry(key).or_default().push_back(now);
        }
    }

    /// A successful sign-in clears the username's failures (not the client's).
    pub fn record_success(&self, username: &str, client: &str) {
        let (u, _) = Self::keys(username, client);
        let mut f = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        f.by_key.remove(&u);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_and_clients_are_limited_separately() {
        let t = LoginThrottle::new(ThrottlePolicy {
            per_username: 3,
            per_client: 5,
            window: Duration::from_secs(60),
        });
        for _ in 0..3 {
            assert!(t.check("pam", "1.2.3.4").is_ok());
            t.record_failure("Pam", "1.2.3.4");
        }
        let wait = t.check("pam", "9.9.9.9").unwrap_err();
        assert!(wait <= Duration::from_secs(60) && wait >= Duration::from_secs(1));
        assert!(t.check("paul", "1.2.3.4").is_ok(), "another username");
        t.record_failure("paul", "1.2.3.4");
        t.record_failure("paula", "1.2.3.4");
        assert!(
            t.check("pete", "1.2.3.4").is_err(),
            "the client is over its limit"
        );
        assert!(t.check("pete", "5.6.7.8").is_ok());
    }

    #[test]
    fn failures_age_out_and_success_clears_the_username() {
        let t = LoginThrottle::new(ThrottlePolicy {
            per_username: 2,
            per_client: 100,
            window: Duration::from_millis(50),
        });
        t.record_failure("pam", "c");
        t.record_failure("pam", "c");
        assert!(t.check("pam", "c").is_err());
        std::thread::sleep(Duration::from_millis(60));
        assert!(t.check("pam", "c").is_ok());
        t.record_failure("pam", "c");
        t.record_success("pam", "c");
        t.record_failure("pam", "c");
        assert!(t.check("pam", "c").is_ok());
    }
}
