//! motcua-http: the JSON API, the citizen portal and the staff back-office of motcua.
//!
//! Not built yet: this crate holds the place the workspace layout gives it. The work is
//! described by the `motcua serve` issue; nothing here is presented as done.
