//! Sunledger's integration tests: one test binary (one link step), every storage-touching test run
//! on both backends through `both!`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod acceptance;
mod access;
mod access_matrix;
mod appraisal;
mod assessment;
mod asset;
mod bench;
mod bounds;
mod browser;
mod cli;
mod committee;
mod complaint;
mod cross_county;
mod duty;
mod escalation;
mod evaluation;
mod flag;
mod hardening;
mod inspection;
mod ledger;
mod lists;
mod log;
mod meeting;
mod notice;
mod openness;
mod pages;
mod portal;
mod problem;
mod project;
mod region;
mod replica;
mod security;
mod snapshots;
mod storage;
mod summary;
mod support;
mod web;
