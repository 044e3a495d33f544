//! SQLite-specific tests; the shared suite runs in `suite_cases`.

mod boxes;
mod cells;
mod concurrency;
mod reopen;
mod suite_cases;
