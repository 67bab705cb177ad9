//! The HTTP server's tests, one binary: every endpoint through `router(state).oneshot(...)`
//! on a real database seeded with the demo (SQLite, or PostgreSQL with
//! `MOTCUA_HTTP_TEST_PG_URL`), and a few over a real socket. The helpers are in
//! `tests/support`.

#[path = "../support/mod.rs"]
mod support;

mod accounts;
mod admin;
mod agencies;
mod alerts;
mod calendar_changes;
mod dossiers;
mod evaluation;
mod findings;
mod forms;
mod hardening;
mod migration;
mod notifications;
mod office;
mod pages;
mod portal;
mod public;
mod reports;
mod robustness;
mod setup;
mod sms;
mod spreadsheets;
