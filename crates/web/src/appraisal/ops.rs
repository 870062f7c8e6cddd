//! The household appraisal's operations: permission on the round's village (by the level of the
//! step), inputs parsed into core types, one store call each.
use crate::AppState;
use crate::app::ctx::Ctx;
use crate::app::error::WebError;
use crate::app::ops::{self, Named, actor, opt};
use serde::{Deserialize, Serialize};
use sunledger_core::appraisal::{HitDecision, RoundAction, RoundKind, Rules};
use sunledger_core::{Permission, Role};
use sunledger_store::{
    Applicant, CrosscheckList, NewApplicant, NewRound, Round, RoundRecord, StepInput,
};

/// The village's steps (applications, the cross-check decisions, the votes, the village check,
/// the first notice, answers to objections): those who work in the village and above.
pub const VILLAGE: &[Role] = sunledger_core::project::TRACKERS;
/// The township's review and second notice.
pub const TOWNSHIP: &[Role] = &[Role::TownshipOfficial];
/// The county's check and announcement.
pub const COUNTY: &[Role] = &[Role::PovertyBureau];

/// Who takes `action`.
pub fn roles_of(action: RoundAction) -> &'static [Role] {
    use RoundAction as A;
    match action {
        A::CloseApplications | A::Vote | A::VillageCheck | A::PostFirstNotice => VILLAGE,
        A::TownshipReview | A::PostSecondNotice => TOWNSHIP,
        A::CountyCheck | A::Announce => COUNTY,
        A::Return => &[Role::TownshipOfficial, Role::PovertyBureau],
    }
}

/// Who draws and checks the sample of `level`.
pub fn level_roles(level: &str) -> &'static [Role] {
    if level == "county" { COUNTY } else { TOWNSHIP }
}

pub async fn visible(state: &AppState, ctx: &Ctx, id: i64) -> Result<RoundRecord, WebError> {
    let r = state
        .store
        .round(id, state.now())
        .await?
        .ok_or(WebError::NotFound)?;
    ctx.require_or_hide(Permission::ViewInternal, &r.round.region)?;
    Ok(r)
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RoundQuery {
    pub region: Option<String>,
}

pub async fn list(state: &AppState, ctx: &Ctx, q: &RoundQuery) -> Result<Vec<Round>, WebError> {
    ctx.require_user()?;
    let scopes = ops::scopes(ctx, opt(&q.region))?;
    Ok(state.store.rounds(&scopes).await?)
}

pub async fn lists(
    state: &AppState,
    ctx: &Ctx,
    q: &RoundQuery,
) -> Result<Vec<CrosscheckList>, WebError> {
    ctx.require_user()?;
    let scopes = ops::scopes(ctx, opt(&q.region))?;
    Ok(state.store.crosscheck_lists(&scopes).await?)
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct OpenInput {
    /// The village's 12-digit code.
    pub village: String,
    pub year: String,
    /// identify or exit.
    pub kind: String,
    /// Days each notice stays up (default 7).
    #[serde(default)]
    pub notice_days: Option<String>,
}

pub async fn open(state: &AppState, ctx: &Ctx, i: &OpenInput) -> Result<Round, WebError> {
    let region = ops::own_ref(state, ctx, "village", Named::Region(i.village.trim())).await?;
    ctx.require_role(VILLAGE, &region)?;
    let year = i
        .year
        .trim()
        .parse::<i64>()
        .map_err(|_| WebError::invalid("year", "out_of_range", i.year.as_str()))?;
    let kind = RoundKind::parse(i.kind.trim())?;
    let mut rules = Rules::default();
    if let Some(d) = opt(&i.notice_days) {
        rules.notice_days = d
            .parse::<i64>()
            .map_err(|_| WebError::invalid("notice_days", "out_of_range", d))?;
    }
    Ok(state
        .store
        .open_round(
            &NewRound {
                village: region,
                year,
                kind,
                rules,
            },
            actor(ctx),
            state.now(),
        )
        .await?)
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ApplyInput {
    pub household_id: String,
    pub reason: String,
    pub income_evidence: String,
}

pub async fn apply(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    i: &ApplyInput,
) -> Result<Applicant, WebError> {
    let r = visible(state, ctx, id).await?;
    ctx.require_role(VILLAGE, &r.round.region)?;
    let household = i.household_id.trim().parse::<i64>().map_err(|_| {
        WebError::invalid("household_id", "unknown_reference", i.household_id.as_str())
    })?;
    ops::own_ref(state, ctx, "household_id", Named::Household(household)).await?;
    Ok(state
        .store
        .apply(
            &NewApplicant {
                round_id: id,
                household_id: household,
                reason: i.reason.clone(),
                income_evidence: i.income_evidence.clone(),
            },
            actor(ctx),
            state.now(),
        )
        .await?)
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct StepBody {
    /// close_applications, vote, village_check, post_first_notice, township_review,
    /// post_second_notice, county_check, announce or return.
    pub action: String,
    /// The document the step rests on (minutes, a check report, a notice's number).
    pub document: String,
    #[serde(default)]
    pub comment: String,
}

pub async fn step(state: &AppState, ctx: &Ctx, id: i64, i: &StepBody) -> Result<Round, WebError> {
    let r = visible(state, ctx, id).await?;
    let action = RoundAction::parse(i.action.trim())?;
    ctx.require_role(roles_of(action), &r.round.region)?;
    Ok(state
        .store
        .round_step(
            id,
            action,
            &StepInput {
                document: i.document.clone(),
                comment: i.comment.clone(),
            },
            actor(ctx),
            state.now(),
        )
        .await?)
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct DecideInput {
    /// cleared or excluded.
    pub decision: String,
    pub reason: String,
}

pub async fn decide(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    hit: i64,
    i: &DecideInput,
) -> Result<Round, WebError> {
    let r = visible(state, ctx, id).await?;
    ctx.require_role(VILLAGE, &r.round.region)?;
    if !r.hits.iter().any(|h| h.id == hit) {
        return Err(WebError::NotFound);
    }
    let decision = HitDecision::parse(i.decision.trim())?;
    Ok(state
        .store
        .decide_hit(hit, decision, &i.reason, actor(ctx), state.now())
        .await?)
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct VoteInput {
    /// The decision item of the village's representatives' meeting.
    pub item_id: String,
}

pub async fn vote(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    applicant: i64,
    i: &VoteInput,
) -> Result<Round, WebError> {
    let r = visible(state, ctx, id).await?;
    ctx.require_role(VILLAGE, &r.round.region)?;
    if !r.applicants.iter().any(|a| a.id == applicant) {
        return Err(WebError::NotFound);
    }
    let item = i
        .item_id
        .trim()
        .parse::<i64>()
        .map_err(|_| WebError::invalid("item_id", "unknown_reference", i.item_id.as_str()))?;
    Ok(state
        .store
        .record_vote(applicant, item, actor(ctx), state.now())
        .await?)
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct SampleInput {
    /// township or county.
    pub level: String,
    /// The seed, typed by the checker (published with the sample).
    pub seed: String,
}

pub async fn draw(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    i: &SampleInput,
) -> Result<Round, WebError> {
    let r = visible(state, ctx, id).await?;
    let level = i.level.trim();
    ctx.require_role(level_roles(level), &r.round.region)?;
    Ok(state
        .store
        .draw_round_sample(id, level, &i.seed, actor(ctx), state.now())
        .await?)
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct CheckInput {
    pub applicant_id: String,
    /// `true`: the applicant's situation is confirmed; `false` removes the applicant.
    pub passed: bool,
    pub note: String,
}

pub async fn check(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    i: &CheckInput,
) -> Result<Round, WebError> {
    let r = visible(state, ctx, id).await?;
    let level = match r.round.state.as_str() {
        "second_notice" => "county",
        _ => "township",
    };
    ctx.require_role(level_roles(level), &r.round.region)?;
    let applicant = i.applicant_id.trim().parse::<i64>().map_err(|_| {
        WebError::invalid("applicant_id", "unknown_reference", i.applicant_id.as_str())
    })?;
    if !r.applicants.iter().any(|a| a.id == applicant) {
        return Err(WebError::invalid(
            "applicant_id",
            "unknown_reference",
            i.applicant_id.as_str(),
        ));
    }
    Ok(state
        .store
        .check_sampled(id, applicant, i.passed, &i.note, actor(ctx), state.now())
        .await?)
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct AnswerInput {
    pub answer: String,
    /// When the objection is upheld: the applicant it removes.
    #[serde(default)]
    pub remove_applicant: Option<String>,
}

pub async fn answer(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    objection: i64,
    i: &AnswerInput,
) -> Result<Round, WebError> {
    let r = visible(state, ctx, id).await?;
    ctx.require_role(VILLAGE, &r.round.region)?;
    if !r.objections.iter().any(|o| o.id == objection) {
        return Err(WebError::NotFound);
    }
    let remove = match opt(&i.remove_applicant) {
        Some(s) => {
            let a = s
                .parse::<i64>()
                .map_err(|_| WebError::invalid("remove", "unknown_reference", s))?;
            if !r.applicants.iter().any(|x| x.id == a) {
                return Err(WebError::invalid("remove", "unknown_reference", s));
            }
            Some(a)
        }
        None => None,
    };
    Ok(state
        .store
        .answer_round_objection(objection, &i.answer, remove, actor(ctx), state.now())
        .await?)
}

/// What blocks the round's next step, as catalogue keys with their values (`{n}`, `{day}`).
pub fn blocks(r: &RoundRecord) -> Vec<(&'static str, String)> {
    let g = &r.gate;
    let mut out = Vec::new();
    match r.round.state.as_str() {
        "cross_checking" => {
            if g.undecided_hits > 0 {
                out.push((
                    "appraisal.block.undecided_hits",
                    g.undecided_hits.to_string(),
                ));
            }
            if g.unvoted > 0 {
                out.push(("appraisal.block.unvoted", g.unvoted.to_string()));
            }
        }
        "first_notice" | "second_notice" => {
            if !g.window_over {
                out.push((
                    "appraisal.block.window",
                    g.window_last_day.clone().unwrap_or_default(),
                ));
            }
            if g.unanswered > 0 {
                out.push(("appraisal.block.unanswered", g.unanswered.to_string()));
            }
            if !g.sample_drawn {
                out.push(("appraisal.block.sample", String::new()));
            } else if g.unchecked_sample > 0 {
                out.push(("appraisal.block.unchecked", g.unchecked_sample.to_string()));
            }
        }
        _ => {}
    }
    out
}

/// The next step of a round in its state (besides returning it).
pub fn next_action(state: &str) -> Option<RoundAction> {
    use RoundAction as A;
    Some(match state {
        "open" => A::CloseApplications,
        "cross_checking" => A::Vote,
        "voted" => A::VillageCheck,
        "village_checked" => A::PostFirstNotice,
        "first_notice" => A::TownshipReview,
        "township_reviewed" => A::PostSecondNotice,
        "second_notice" => A::CountyCheck,
        "county_checked" => A::Announce,
        _ => return None,
    })
}
