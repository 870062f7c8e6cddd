//! The village affairs supervision committee (issue 18): terms elected at a village meeting with
//! their members, members who leave, members' signatures on the posting evidence of notices.
use crate::Result;
use async_trait::async_trait;
use serde::Serialize;
use sunledger_core::RegionCode;

/// The storage of supervision committees (part of [`crate::Store`]).
#[async_trait]
pub trait CommitteeStore: Send + Sync {
    /// Records a committee elected at a held, quorate villagers' or representatives' meeting of
    /// the village: the slate is checked by core `committee::check_slate` against the village
    /// committee's people and the cadre-relatives list. The new term supersedes the last.
    async fn elect_committee(
        &self,
        n: &NewTerm,
        actor: Option<i64>,
        now: i64,
    ) -> Result<CommitteeTerm>;
    /// Adds a member to a sitting term (a by-election at a meeting of the village).
    async fn add_committee_member(
        &self,
        term_id: i64,
        meeting_id: i64,
        m: &NewMember,
        actor: Option<i64>,
        now: i64,
    ) -> Result<CommitteeTerm>;
    /// Records that a member left (resigned, moved, removed) on a day.
    async fn end_committee_member(
        &self,
        member_id: i64,
        ended_on: &str,
        reason: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<CommitteeTerm>;
    /// A sitting member signs the posting evidence of a notice of the village, today.
    async fn sign_posting(
        &self,
        member_id: i64,
        posting_id: i64,
        actor: Option<i64>,
        now: i64,
    ) -> Result<CommitteeSignature>;
    async fn committee_term(&self, id: i64, today: i64) -> Result<Option<CommitteeTerm>>;
    /// The term a member was elected to.
    async fn committee_member_term(
        &self,
        member_id: i64,
        today: i64,
    ) -> Result<Option<CommitteeTerm>>;
    /// The village's terms, newest first.
    async fn committee_terms(&self, village: &RegionCode, today: i64)
    -> Result<Vec<CommitteeTerm>>;
    /// The latest term of each village in the scopes, and the number of villages with one.
    async fn committees(
        &self,
        scopes: &[RegionCode],
        today: i64,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<CommitteeTerm>, i64)>;
    /// The postings of the village's notices, newest first, with the members who signed each.
    async fn village_postings(
        &self,
        village: &RegionCode,
        limit: i64,
    ) -> Result<Vec<VillagePosting>>;
    /// The members' signatures on a notice's postings.
    async fn notice_signatures(&self, notice_id: i64) -> Result<Vec<CommitteeSignature>>;
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTerm {
    pub village: RegionCode,
    /// The meeting that elected it (its day is the term's first).
    pub meeting_id: i64,
    pub members: Vec<NewMember>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NewMember {
    pub name: String,
    /// A resident ID number, or empty.
    pub id_number: String,
    /// The member's record among the village's people (to sit on an acceptance team).
    pub person_id: Option<i64>,
    pub chair: bool,
    pub accounting: bool,
    /// What the accounting skills rest on.
    pub skills: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CommitteeTerm {
    pub id: i64,
    #[schema(value_type = String)]
    pub region: RegionCode,
    pub region_name: String,
    pub meeting_id: i64,
    pub meeting_title: String,
    pub elected_on: String,
    pub ends_on: String,
    /// Sitting today: the village's latest term, not yet over.
    pub current: bool,
    pub members: Vec<CommitteeMember>,
    /// What the sitting members lack (`committee_size`, `committee_chair`,
    /// `committee_without_accounting`).
    pub gaps: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CommitteeMember {
    pub id: i64,
    pub term_id: i64,
    pub position: i64,
    pub name: String,
    /// Masked (region prefix and check character).
    pub id_number_masked: Option<String>,
    pub person_id: Option<i64>,
    pub chair: bool,
    pub accounting: bool,
    pub skills: String,
    pub started_on: String,
    pub ended_on: Option<String>,
    pub end_reason: Option<String>,
    /// Sitting today.
    pub sitting: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CommitteeSignature {
    pub id: i64,
    pub member_id: i64,
    pub member_name: String,
    pub posting_id: i64,
    pub notice_id: i64,
    pub place: String,
    pub signed_on: String,
}

/// A posting of a notice of the village, with its signatures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct VillagePosting {
    pub posting_id: i64,
    pub notice_id: i64,
    pub notice_kind: String,
    pub place: String,
    pub posted_on: String,
    pub signatures: Vec<CommitteeSignature>,
}
