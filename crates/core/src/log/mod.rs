//! The tamper-evident log: booked facts and their canonical bytes ([`fact`]), the Merkle tree
//! over them ([`merkle`]), signed checkpoints of its root ([`checkpoint`]) and the proof bundles
//! a citizen or auditor checks offline ([`proof`]).
pub mod checkpoint;
pub mod fact;
pub mod merkle;
pub mod proof;
