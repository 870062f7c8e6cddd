//! Sunledger domain core.
//!
//! Types and rules of the supervision domain, validated on construction. Nothing in this crate
//! does I/O: no SQL, no HTTP and no clock. Functions that depend on time take it as a parameter.
#![deny(clippy::indexing_slicing)]

pub mod access;
pub mod checkpoint;
pub mod day;
pub mod department;
pub mod error;
pub mod fact;
pub mod ids;
pub mod ledger;
pub mod merkle;
pub mod money;
pub mod project;
pub mod proof;
pub mod region;
pub mod supervision;

pub use access::{Actor, Grant, Permission, Role};
pub use department::DepartmentKind;
pub use error::DomainError;
pub use ids::{CreditCode, IdNumber};
pub use money::Money;
pub use region::{Level, RegionCode};
