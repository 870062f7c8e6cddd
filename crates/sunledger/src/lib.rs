//! The `sunledger` program: command-line interface, the demo city and the import paths.
//! The binary (`main.rs`) only calls [`cli::main`].
#![deny(clippy::indexing_slicing)]

pub mod backup;
pub mod bench;
pub mod cli;
pub mod demo;
pub mod io;
pub mod keys;
pub mod verify;
