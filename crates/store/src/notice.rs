//! Public notices: drafts, publication windows, objections from anyone, posting evidence, and the
//! notices that fall due.
use crate::Result;
use async_trait::async_trait;
use serde::Serialize;
use std::collections::BTreeMap;
use sunledger_core::RegionCode;
use sunledger_core::notice::NoticeAction;

/// The storage of public notices (part of [`crate::Store`]).
#[async_trait]
pub trait NoticeStore: Send + Sync {
    /// Writes a draft (its fields are checked against its kind; missing ones may come later).
    async fn draft_notice(&self, n: &NewNotice, actor: Option<i64>, now: i64) -> Result<Notice>;
    /// Rewrites a draft's fields (refused once published).
    async fn edit_notice(
        &self,
        id: i64,
        fields: &BTreeMap<String, String>,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Notice>;
    /// Publishes (refused when a required field is missing, naming it, or by its drafter) or
    /// closes (after the window, every objection answered).
    async fn notice_action(
        &self,
        id: i64,
        action: NoticeAction,
        actor: Option<i64>,
        now: i64,
    ) -> Result<Notice>;
    async fn notice(&self, id: i64) -> Result<Option<NoticeRecord>>;
    /// A page of notices, newest first, and the number matching.
    async fn notices(
        &self,
        f: &NoticeFilter,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<Notice>, i64)>;

    /// An objection from anyone, to a published notice in its window or to a project under its
    /// declaration notice; `receipt` is the code given back (made by the caller, random).
    async fn object(&self, o: &NewObjection, now: i64) -> Result<PublicObjection>;
    /// Answers an objection (once).
    async fn answer_public_objection(
        &self,
        id: i64,
        answer: &str,
        actor: Option<i64>,
        now: i64,
    ) -> Result<PublicObjection>;
    /// The objection with this receipt code.
    async fn objection_by_receipt(&self, receipt: &str) -> Result<Option<PublicObjection>>;
    async fn public_objection(&self, id: i64) -> Result<Option<PublicObjection>>;
    /// Objections raised in the scopes and not yet answered, oldest first.
    async fn objections_awaiting(&self, scopes: &[RegionCode]) -> Result<Vec<PublicObjection>>;

    /// Records that a published notice's paper copy was put up, with a photo.
    async fn record_posting(&self, p: &NewPosting, actor: Option<i64>, now: i64)
    -> Result<Posting>;
    /// A member of the village supervision committee confirms a posting (not its recorder).
    async fn confirm_posting(&self, id: i64, actor: Option<i64>, now: i64) -> Result<Posting>;
    /// A posting's photo: its media type and bytes.
    async fn posting_photo(&self, id: i64) -> Result<Option<(String, Vec<u8>)>>;

    /// The events in the scopes that call for a notice (allocations, approvals, acceptances), each
    /// with the notice that answers it, if any. Due days are counted by the caller's calendar.
    async fn notice_dues(&self, scopes: &[RegionCode]) -> Result<Vec<DueEvent>>;
    /// The same events counted by kind, event day and the day the answering notice was
    /// published (`None`: not published): what a dashboard's figures need, without reading the
    /// events' names or sorting them.
    async fn notice_due_tally(&self, scopes: &[RegionCode]) -> Result<Vec<DueTally>>;
    /// The events of `kind` in the scopes on or before `until` (`YYYY-MM-DD`) whose notice is not
    /// published, oldest first, at most `limit`.
    async fn notice_dues_open(
        &self,
        scopes: &[RegionCode],
        kind: &str,
        until: &str,
        limit: i64,
    ) -> Result<Vec<DueEvent>>;
}

/// A notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Notice {
    pub id: i64,
    #[schema(value_type = String)]
    pub region: RegionCode,
    pub region_name: String,
    pub kind: String,
    /// Field key → value (money in fen, days as `YYYY-MM-DD`).
    pub fields: BTreeMap<String, String>,
    pub corrects: Option<i64>,
    /// The notice that corrects this one, if any.
    pub corrected_by: Option<i64>,
    /// What the notice answers: `transfer:ID`, `project:ID`.
    pub source: Option<String>,
    /// draft, published, closed.
    pub state: String,
    pub published_on: Option<String>,
    pub window_days: Option<i64>,
    /// SHA-256 of the notice's content text (`sunledger_core::notice::content_text`).
    pub content_sha256: String,
    pub drafted_by: Option<i64>,
    pub drafted_at: i64,
}

impl Notice {
    pub fn title(&self) -> &str {
        self.fields.get("title").map(String::as_str).unwrap_or("")
    }
    /// The window, once published.
    pub fn window(&self) -> Option<sunledger_core::notice::Window> {
        let from = sunledger_core::day::number(self.published_on.as_deref()?)?;
        Some(sunledger_core::notice::Window {
            from,
            days: self.window_days?,
        })
    }
    pub fn is_public(&self) -> bool {
        self.state != "draft"
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNotice {
    pub region: RegionCode,
    pub kind: String,
    pub fields: BTreeMap<String, String>,
    pub corrects: Option<i64>,
    pub source: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct NoticeEvent {
    pub id: i64,
    pub notice_id: i64,
    pub action: String,
    pub from_state: String,
    pub to_state: String,
    pub on_date: String,
    pub window_days: Option<i64>,
    pub actor_id: Option<i64>,
    pub at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct NoticeRecord {
    pub notice: Notice,
    pub events: Vec<NoticeEvent>,
    pub objections: Vec<PublicObjection>,
    pub postings: Vec<Posting>,
}

/// Which notices to list. Empty fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NoticeFilter {
    /// Regions whose subtrees are listed (an empty list lists nothing).
    pub scopes: Vec<RegionCode>,
    pub kind: Option<String>,
    pub state: Option<String>,
    /// Published and closed notices only (the public's view).
    pub public_only: bool,
    /// Every region (the public search), whatever `scopes` says.
    pub everywhere: bool,
    /// Words in the title or document number.
    pub q: Option<String>,
}

/// An objection raised by anyone. Name and phone stay internal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PublicObjection {
    pub id: i64,
    pub receipt: String,
    /// `notices` or `projects`.
    pub subject_table: String,
    pub subject_id: i64,
    /// The notice's title or the project's name.
    pub subject_title: String,
    #[schema(value_type = String)]
    pub region: RegionCode,
    pub content: String,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub received_on: String,
    pub received_at: i64,
    pub answer: Option<String>,
    pub answered_by: Option<i64>,
    pub answered_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewObjection {
    pub subject_table: String,
    pub subject_id: i64,
    pub content: String,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub receipt: String,
}

/// A paper notice put up (the photo is read apart).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Posting {
    pub id: i64,
    pub notice_id: i64,
    pub place: String,
    pub posted_on: String,
    pub posted_by: String,
    pub photo_type: String,
    pub photo_sha256: String,
    pub recorded_by: Option<i64>,
    pub recorded_at: i64,
    pub confirmed_by: Option<i64>,
    pub confirmed_by_name: Option<String>,
    pub confirmed_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPosting {
    pub notice_id: i64,
    pub place: String,
    pub posted_on: String,
    pub posted_by: String,
    pub photo: Vec<u8>,
}

/// An event that calls for a notice of `kind`, and the notice answering it (by its `source`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DueEvent {
    pub kind: String,
    /// `transfer:ID` or `project:ID`: what the notice must publish.
    pub source: String,
    #[schema(value_type = String)]
    pub region: RegionCode,
    pub region_name: String,
    /// The day of the event (the allocation booked, the approval, the acceptance).
    pub event_on: String,
    /// What it is about: a fund's or a project's name.
    pub label: String,
    pub amount_fen: Option<i64>,
    /// The notice answering it, its state and the day it was published.
    pub notice_id: Option<i64>,
    pub notice_state: Option<String>,
    pub published_on: Option<String>,
}

/// How many events of a kind, on one day, had their notice published on one day (or not at all).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DueTally {
    pub kind: String,
    pub event_on: String,
    pub published_on: Option<String>,
    pub count: i64,
}
