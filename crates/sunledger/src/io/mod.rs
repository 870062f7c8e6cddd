//! Import and export files, one module per feature, all read by the one strict reader
//! ([`read`], see `docs/IMPORT.md`).
pub mod appraisal;
pub mod inspection;
pub mod ledger;
pub mod project;
pub mod read;
pub mod region;
