//! The application layer: every use case of motcua as a plain async function over an
//! [`AppState`](crate::AppState) and a [`Principal`], answering view types or an
//! [`AppError`]. It knows nothing of HTTP: the JSON API (`json/`) and the pages are
//! adapters that parse their input, call these functions and render what they answer.
//!
//! Invariants:
//! - **Handlers decide nothing.** A rule (who may, what is valid, what happens) lives here
//!   or in the engine, never in a face.
//! - **Only [`policy`] decides access**; the engine decides who may act at each step.
//! - **Every error is in the catalogue** ([`Code`]), with its status and Vietnamese text.

pub mod accounts;
pub mod agencies;
pub mod alerts;
pub mod calendar;
pub mod catalogue;
pub mod config;
pub mod dossiers;
pub mod drafts;
mod error;
pub mod evaluation;
pub mod feedback;
pub mod forms;
pub mod import;
pub mod migration;
pub mod monitoring;
pub mod notifications;
pub mod policy;
mod principal;
pub mod procedures;
pub mod reports;
pub mod reprojection;
pub mod spreadsheet;
pub mod staff;

pub use error::{AppError, Code};
pub use principal::Principal;
