//! The annual county assessment (issue 21). Seed §4: "Municipal supervision and inspection will
//! be included in the county (district) Party committee and government annual work assessment";
//! §3A and §4: units that do not rectify after repeated urging, and informed criticism, have "the
//! annual assessment score notified and deducted within the city".
//!
//! A scheme is data: a tree of items, each leaf scoring one [`Measure`] by a [`ScoreRule`].
//! Scores are computed from the rows the measures counted, so every point lost or gained names
//! the record behind it.
mod measure;
mod scheme;
mod score;
mod workflow;

pub use measure::*;
pub use scheme::*;
pub use score::*;
pub use workflow::*;

#[cfg(test)]
mod tests;

use crate::access::Role;

/// Who books schemes, reviews, publishes and decides appeals: the municipal bureau (seed §4:
/// "municipal supervision and inspection will be included in the ... annual work assessment").
pub const ASSESSORS: &[Role] = &[Role::MunicipalBureau];

/// Who reviews a round before the bureau publishes it: the bureau, or the city's discipline
/// inspection commission, which supervises the bureau's work (seed §4).
pub const REVIEWERS: &[Role] = &[Role::MunicipalBureau, Role::Discipline];

/// Who appeals a deduction for a county: its Party committee and government, and its bureau.
pub const APPELLANTS: &[Role] = &[Role::PartyGovernment, Role::PovertyBureau];
