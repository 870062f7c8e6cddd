//! The public portal (信息公开): read-only queries anyone may see without signing in, for the
//! region pages and the search of `/public`.
//!
//! Only what a notice board may show is returned: region names, projects past the township's
//! approval (under public notice, or in the county library), and the money that reached a region
//! with its document numbers. No person is named: no payee (payees of disbursements are often
//! households), no beneficiary, no ID number, phone or bank account.
use crate::Result;
use async_trait::async_trait;
use serde::Serialize;
use sunledger_core::{Level, RegionCode};

/// The storage of the public portal (part of [`crate::Store`]).
#[async_trait]
pub trait DisclosureStore: Send + Sync {
    /// A region with its ancestors (for breadcrumbs) and direct children; `None` when unknown.
    async fn public_region(&self, code: &RegionCode) -> Result<Option<PublicRegion>>;
    /// Publicly visible projects of `code`'s subtree (under notice or in the county library),
    /// newest first, at most `limit`.
    async fn public_projects(&self, code: &RegionCode, limit: i64) -> Result<Vec<PublicProject>>;
    /// The appropriations and arrangements that reached `code`'s subtree (newest first, at most
    /// `limit`) and the subtree's totals.
    async fn public_funds(&self, code: &RegionCode, limit: i64) -> Result<PublicFunds>;
    /// Regions (county and below) and public projects by name, Book 1 funds and transfers by
    /// document number; `q` is matched literally (LIKE wildcards escaped), at most `limit` of each.
    async fn public_search(&self, q: &str, limit: i64) -> Result<PublicSearch>;
}

/// The project stages the public sees: under the township's public notice, or approved by the
/// county into the library.
pub const PUBLIC_STAGES: [&str; 3] = ["noticed", "approved", "recorded"];

/// A region named for the public.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Place {
    pub code: RegionCode,
    pub name: String,
    pub level: Level,
}

/// A region's public page header: itself, its ancestors top down, its direct children.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicRegion {
    pub region: Place,
    /// The ancestors that exist, top down, without the region itself.
    pub ancestors: Vec<Place>,
    pub children: Vec<Place>,
}

/// A publicly visible project with its money (fen).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicProject {
    pub id: i64,
    pub name: String,
    /// Where it is: the township and the village (or the region it is recorded in).
    pub place: String,
    pub stage: String,
    pub status: Option<String>,
    pub progress: i64,
    /// First day of the public notice (`YYYY-MM-DD`).
    pub notice_from: Option<String>,
    /// Planned investment, all sources.
    pub budget_fen: i64,
    /// Arranged to the project's ledger accounts.
    pub arranged_fen: i64,
    /// Paid out of them (disbursements paid, not reversed).
    pub paid_fen: i64,
}

/// One appropriation or arrangement that reached a region of the subtree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicTransfer {
    pub id: i64,
    /// `appropriate` or `arrange`.
    pub kind: String,
    pub fund_name: String,
    /// The fund's source (`central_special`, ...).
    pub source: String,
    pub document_no: String,
    pub amount_fen: i64,
    pub booked_on: String,
    /// The region that received it.
    pub to_region: RegionCode,
    pub to_region_name: String,
    /// The project it was arranged to (publicly visible projects only).
    pub to_project: Option<(i64, String)>,
}

/// The money of a subtree for the public (fen).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicFunds {
    pub transfers: Vec<PublicTransfer>,
    /// Appropriations and arrangements received from outside the subtree (from the levels above).
    pub received_fen: i64,
    /// Arranged to projects of the subtree.
    pub arranged_fen: i64,
    /// Paid out of the subtree's project accounts (disbursements paid, not reversed).
    pub paid_fen: i64,
}

/// A fund or transfer found by its document number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicDocument {
    pub document_no: String,
    pub fund_name: String,
    /// `fund` for a fund's own document, else the transfer's kind.
    pub kind: String,
    /// The transfer's amount (0 for a fund).
    pub amount_fen: i64,
    pub booked_on: Option<String>,
    /// Where the fund is held or the transfer went.
    pub region: RegionCode,
    pub region_name: String,
}

/// A project found by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicProjectHit {
    pub id: i64,
    pub name: String,
    pub place: String,
    pub stage: String,
}

/// What a search found, by kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PublicSearch {
    pub regions: Vec<Place>,
    pub projects: Vec<PublicProjectHit>,
    pub documents: Vec<PublicDocument>,
}

/// `q` as a LIKE pattern matching it anywhere, with `!` as the escape character.
pub fn like_pattern(q: &str) -> String {
    let mut p = String::with_capacity(q.len() + 2);
    p.push('%');
    for c in q.chars() {
        if matches!(c, '!' | '%' | '_') {
            p.push('!');
        }
        p.push(c);
    }
    p.push('%');
    p
}

#[cfg(test)]
mod tests {
    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(super::like_pattern("a%b_c!"), "%a!%b!_c!!%");
        assert_eq!(super::like_pattern("金坪"), "%金坪%");
    }
}
