//! The caller's access token, carried with the work done for them, so that a call to a
//! remote service (gRPC) is made with the caller's rights rather than the process's.
//!
//! The REST middleware and the gRPC layer run each request inside [`scope`]; the gRPC
//! clients read [`current`] when they build a request.

use std::future::Future;

tokio::task_local! {
    static CALLER_TOKEN: Option<String>;
}

/// Runs `f` with `token` as the caller's token.
pub async fn scope<F: Future>(token: Option<String>, f: F) -> F::Output {
    CALLER_TOKEN.scope(token, f).await
}

/// The token of the caller whose work is running, if any.
pub fn current() -> Option<String> {
    CALLER_TOKEN.try_with(Clone::clone).ok().flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_token_is_visible_inside_the_scope_only() {
        assert_eq!(current(), None);
        let inside = scope(Some("t".into()), async { current() }).await;
        assert_eq!(inside.as_deref(), Some("t"));
        assert_eq!(current(), None);
    }
}
