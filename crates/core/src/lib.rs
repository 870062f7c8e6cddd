//! Sunledger domain core.
//!
//! Types and rules of the supervision domain, validated on construction, one module per feature.
//! Nothing in this crate does I/O: no SQL, no HTTP and no clock. Functions that depend on time
//! take it as a parameter.
#![deny(clippy::indexing_slicing)]

mod keyed;

pub mod acceptance;
pub mod access;
pub mod appraisal;
pub mod assessment;
pub mod asset;
pub mod committee;
pub mod complaint;
pub mod day;
pub mod duty;
pub mod error;
pub mod escalation;
pub mod evaluation;
pub mod flag;
pub mod ids;
pub mod inspection;
pub mod ledger;
pub mod log;
pub mod meeting;
pub mod money;
pub mod notice;
pub mod org;
pub mod problem;
pub mod project;
pub mod region;
pub mod responsibility;
pub mod text;

pub use access::{Actor, Grant, Permission, Role};
pub use error::DomainError;
pub use ids::{CreditCode, IdNumber};
pub use money::Money;
pub use org::DepartmentKind;
pub use region::{Level, RegionCode};
