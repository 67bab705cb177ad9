//! motcua-store: persistence for motcua (SQLite embedded by default, PostgreSQL for scale).
//!
//! Not built yet: this crate holds the place the workspace layout gives it. The work is
//! described by the persistence issue; nothing here is presented as done.
