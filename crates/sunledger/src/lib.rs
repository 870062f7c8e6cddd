//! The `sunledger` program: command-line interface, the demo city and the import paths.
//! The binary (`main.rs`) only calls [`cli::main`].
#![deny(clippy::indexing_slicing)]

pub mod backup;
pub mod bench;
pub mod bench_province;
pub mod cli;
pub mod demo;
pub mod demo_supervision;
pub mod file_read;
pub mod households_io;
pub mod keys;
pub mod ledger_io;
pub mod projects_io;
pub mod province;
pub mod regions_import;
pub mod synthetic;
pub mod verify;
