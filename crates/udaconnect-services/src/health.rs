use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex, PoisonError},
};

/// Readiness of the process: each component reports whether it can serve, and the process
/// is ready when every registered component is and no shutdown has begun.
#[derive(Clone, Debug, Default)]
pub struct Readiness {
    inner: Arc<Mutex<State>>,
}

#[derive(Debug, Default)]
struct State {
    components: BTreeMap<&'static str, bool>,
    shutting_down: bool,
}

impl Readiness {
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers or updates a component.
    pub fn set(&self, component: &'static str, ready: bool) {
        self.lock().components.insert(component, ready);
    }

    /// From now on the process reports not ready (load balancers stop sending traffic).
    pub fn begin_shutdown(&self) {
        self.lock().shutting_down = true;
    }

    pub fn is_ready(&self) -> bool {
        let s = self.lock();
        !s.shutting_down && s.components.values().all(|ok| *ok)
    }

    /// Each component and its state, plus `shutting_down`.
    pub fn report(&self) -> (Vec<(&'static str, bool)>, bool) {
        let s = self.lock();
        (
            s.components.iter().map(|(k, v)| (*k, *v)).collect(),
            s.shutting_down,
        )
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ready_only_when_all_components_are_and_not_shutting_down() {
        let r = Readiness::new();
        assert!(r.is_ready());
        r.set("store", true);
        r.set("writer", false);
        assert!(!r.is_ready());
        r.set("writer", true);
        assert!(r.is_ready());
        r.begin_shutdown();
        assert!(!r.is_ready());
    }
}
