//! Sunledger's integration tests: one test binary (one link step), every storage-touching test run
//! on both backends through `both!`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod access;
mod auth;
mod bench;
mod browser;
mod cli;
mod cross_county;
mod hardening;
mod households_io;
mod ledger;
mod ledger_day;
mod ledger_io;
mod log;
mod projects;
mod projects_io;
mod regions_import;
mod security;
mod snapshots;
mod storage;
mod supervision;
mod supervision_pages;
mod support;
mod web;
