//! The assessment's operations: who sees the live scores (the city's own people see every
//! county; a county's people see their own card), who books schemes, steps the round and
//! decides appeals (the municipal bureau), and who appeals (the county's government and bureau).
use crate::AppState;
use crate::app::ctx::Ctx;
use crate::app::error::WebError;
use crate::app::ops::{actor, parse_region};
use serde::{Deserialize, Serialize};
use sunledger_core::assessment::{
    self as core_a, APPELLANTS, ASSESSORS, Change, REVIEWERS, RoundAction, Scheme,
};
use sunledger_core::{Level, Permission, RegionCode};
use sunledger_store::{
    AssessmentAppeal, AssessmentRound, AssessmentScores, CountyScore, NewAssessmentAppeal,
    SchemeVersion,
};

/// The city a request is about: `city` as given (any region: its city), else the city of the
/// caller's first grant, else the first city of the tree.
pub async fn city(state: &AppState, ctx: &Ctx, city: Option<&str>) -> Result<RegionCode, WebError> {
    let code = match city.map(str::trim).filter(|s| !s.is_empty()) {
        Some(c) => parse_region(c)?,
        None => match ctx.actor.grants.first() {
            Some(g) => g.region,
            None => first_city(state).await?,
        },
    };
    let out = if code.level() == Level::City {
        Some(code)
    } else {
        code.ancestor_at(Level::City)
    };
    out.ok_or_else(|| WebError::invalid("city", "not_in_a_city", code.as_str()))
}

/// The first city of the tree (a root, or a root's first child).
async fn first_city(state: &AppState) -> Result<RegionCode, WebError> {
    for root in state.store.region_roots().await? {
        if root.code.level() >= Level::City {
            return Ok(root.code);
        }
        if let Some(c) = state
            .store
            .region_children(&root.code)
            .await?
            .into_iter()
            .find(|c| c.code.level() == Level::City)
        {
            return Ok(c.code);
        }
    }
    Err(WebError::NotFound)
}

/// The live scores and the round of a city's year, with what changed since the publication in
/// force. Only the city's own people see them all.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ScoresView {
    pub round: AssessmentRound,
    #[schema(value_type = Object)]
    pub scores: AssessmentScores,
    /// The ranking of the live totals.
    #[schema(value_type = Vec<Object>)]
    pub ranking: Vec<core_a::Ranked>,
    /// Lines of the published table that the live scores no longer agree with (empty when
    /// nothing changed or nothing is published).
    #[schema(value_type = Vec<Object>)]
    pub changed: Vec<Change>,
}

pub async fn scores(
    state: &AppState,
    ctx: &Ctx,
    city_code: Option<&str>,
    year: i32,
) -> Result<ScoresView, WebError> {
    ctx.require_user()?;
    let city = city(state, ctx, city_code).await?;
    ctx.require(Permission::ViewInternal, &city)?;
    view(state, &city, year).await
}

async fn view(state: &AppState, city: &RegionCode, year: i32) -> Result<ScoresView, WebError> {
    let scores = state
        .store
        .assessment_scores(city, year, state.now())
        .await?;
    let round = state.store.assessment_round(city, year).await?;
    let live = core_a::table_text(&scores.cards());
    let changed = match (round.state.as_str(), round.publications.first()) {
        ("published", Some(p)) => core_a::diff(&p.table, &live),
        _ => Vec::new(),
    };
    let ranking = core_a::rank(
        &scores
            .counties
            .iter()
            .map(|c| (c.code.clone(), c.card.total))
            .collect::<Vec<_>>(),
    );
    Ok(ScoresView {
        round,
        scores,
        ranking,
        changed,
    })
}

/// One county's card: live (to its own people and the city's), the published one when the round
/// is published, and its appeals.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CountyView {
    #[schema(value_type = Object)]
    pub live: CountyScore,
    #[schema(value_type = Object)]
    pub scheme: Scheme,
    pub round_state: String,
    #[schema(value_type = Option<Object>)]
    pub published: Option<CountyScore>,
    pub appeals: Vec<AssessmentAppeal>,
}

pub async fn county(
    state: &AppState,
    ctx: &Ctx,
    code: &str,
    year: i32,
) -> Result<CountyView, WebError> {
    let county = parse_region(code)?;
    if county.level() != Level::County {
        return Err(WebError::invalid("county", "county_only", code));
    }
    ctx.require_or_hide(Permission::ViewInternal, &county)?;
    let city = county.ancestor_at(Level::City).ok_or(WebError::NotFound)?;
    // One county's books only: the card the city's scores would show for it.
    let (scheme, card) = state
        .store
        .assessment_card(&county, year, state.now())
        .await?;
    let name = state
        .store
        .region(&county)
        .await?
        .map(|r| r.name)
        .ok_or(WebError::NotFound)?;
    let live = CountyScore {
        code: county.as_str().to_string(),
        name,
        card,
    };
    let round = state.store.assessment_round(&city, year).await?;
    let published = published_cards(&round)?
        .into_iter()
        .find(|c| c.code == county.as_str());
    let appeals = state.store.assessment_appeals(&county, year).await?;
    Ok(CountyView {
        live,
        scheme,
        round_state: round.state,
        published,
        appeals,
    })
}

/// The cards of the publication in force (none unless the round is published).
pub fn published_cards(round: &AssessmentRound) -> Result<Vec<CountyScore>, WebError> {
    match (round.state.as_str(), round.publications.first()) {
        ("published", Some(p)) => serde_json::from_str(&p.cards)
            .map_err(|e| WebError::Internal(format!("assessment publication {}: {e}", p.id))),
        _ => Ok(Vec::new()),
    }
}

/// The published ranking of a city's year, for everyone: the totals of the publication in force.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicRanking {
    pub city: String,
    pub year: i32,
    /// Absent when nothing is published.
    #[schema(value_type = Option<Object>)]
    pub publication: Option<PublicPublication>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicPublication {
    pub at: i64,
    pub hash: String,
    pub log_size: i64,
    #[schema(value_type = Vec<Object>)]
    pub ranking: Vec<core_a::Ranked>,
    /// County code → name.
    pub names: std::collections::BTreeMap<String, String>,
}

pub async fn public_ranking(
    state: &AppState,
    ctx: &Ctx,
    city_code: Option<&str>,
    year: i32,
) -> Result<PublicRanking, WebError> {
    let city = city(state, ctx, city_code).await?;
    let round = state.store.assessment_round(&city, year).await?;
    let cards = published_cards(&round)?;
    let publication = round
        .publications
        .first()
        .filter(|_| !cards.is_empty())
        .map(|p| PublicPublication {
            at: p.at,
            hash: p.hash.clone(),
            log_size: p.log_size,
            ranking: core_a::rank(
                &cards
                    .iter()
                    .map(|c| (c.code.clone(), c.card.total))
                    .collect::<Vec<_>>(),
            ),
            names: cards
                .iter()
                .map(|c| (c.code.clone(), c.name.clone()))
                .collect(),
        });
    Ok(PublicRanking {
        city: city.as_str().to_string(),
        year,
        publication,
    })
}

/// The publication in force of a city's year, whole, for the printed notice (通报): the scheme
/// it was scored by, every county's published card in the ranking's order, and the appeals
/// decided by then. Public, as the published ranking is.
#[derive(Debug, Clone)]
pub struct Published {
    pub city: RegionCode,
    pub at: i64,
    pub as_of: i64,
    pub hash: String,
    pub log_size: i64,
    pub scheme: Scheme,
    pub ranking: Vec<core_a::Ranked>,
    pub cards: Vec<CountyScore>,
    /// Appeals decided by the publication: (upheld, dismissed).
    pub appeals: (usize, usize),
}

pub async fn published(
    state: &AppState,
    ctx: &Ctx,
    city_code: Option<&str>,
    year: i32,
) -> Result<Option<Published>, WebError> {
    let city = city(state, ctx, city_code).await?;
    let round = state.store.assessment_round(&city, year).await?;
    let cards = published_cards(&round)?;
    let Some(p) = round.publications.first().filter(|_| !cards.is_empty()) else {
        return Ok(None);
    };
    let body = state
        .store
        .assessment_schemes(&city, year)
        .await?
        .into_iter()
        .find(|v| v.id == p.scheme_id)
        .map(|v| v.body)
        .ok_or_else(|| WebError::Internal(format!("assessment scheme {}", p.scheme_id)))?;
    let scheme = Scheme::parse(&body)
        .map_err(|_| WebError::Internal(format!("assessment scheme {}", p.scheme_id)))?;
    let ranking = core_a::rank(
        &cards
            .iter()
            .map(|c| (c.code.clone(), c.card.total))
            .collect::<Vec<_>>(),
    );
    let decided: Vec<_> = state
        .store
        .assessment_appeals(&city, year)
        .await?
        .into_iter()
        .filter_map(|a| a.decision)
        .filter(|d| d.at <= p.at)
        .collect();
    let upheld = decided
        .iter()
        .filter(|d| d.action == core_a::AppealState::Upheld.key())
        .count();
    Ok(Some(Published {
        city,
        at: p.at,
        as_of: p.as_of,
        hash: p.hash.clone(),
        log_size: p.log_size,
        scheme,
        ranking,
        cards,
        appeals: (upheld, decided.len() - upheld),
    }))
}

/// A scheme document as typed, and a note on the version.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct SchemeInput {
    /// The city (any region code inside it); default: the caller's.
    #[serde(default)]
    pub city: Option<String>,
    /// The JSON document (see `GET /api/v1/assessment/{year}/scheme`).
    pub body: String,
    #[serde(default)]
    pub note: String,
}

/// The scheme of a city's year: the versions booked (newest first) and the document in force
/// (the built-in default when none is booked). Public: how a county is scored is published
/// policy.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SchemeView {
    pub versions: Vec<SchemeVersion>,
    #[schema(value_type = Object)]
    pub scheme: Scheme,
    pub document: String,
    pub is_default: bool,
}

pub async fn scheme(
    state: &AppState,
    ctx: &Ctx,
    city_code: Option<&str>,
    year: i32,
) -> Result<SchemeView, WebError> {
    let city = city(state, ctx, city_code).await?;
    let versions = state.store.assessment_schemes(&city, year).await?;
    let (scheme, is_default) = match versions.first() {
        Some(v) => (
            Scheme::parse(&v.body)
                .map_err(|e| WebError::Internal(format!("scheme {}: {e:?}", v.id)))?,
            false,
        ),
        None => (Scheme::default_for(year), true),
    };
    Ok(SchemeView {
        versions,
        document: scheme.to_document(),
        scheme,
        is_default,
    })
}

/// Every error of a scheme document, each naming its item and field (for the form).
pub fn scheme_errors(body: &str) -> Vec<core_a::SchemeError> {
    Scheme::parse(body).err().unwrap_or_default()
}

pub async fn set_scheme(
    state: &AppState,
    ctx: &Ctx,
    i: &SchemeInput,
) -> Result<SchemeVersion, WebError> {
    let city = city(state, ctx, i.city.as_deref()).await?;
    ctx.require_role(ASSESSORS, &city)?;
    Ok(state
        .store
        .set_assessment_scheme(&city, &i.body, &i.note, actor(ctx), state.now())
        .await?)
}

/// A step of the round as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct RoundInput {
    #[serde(default)]
    pub city: Option<String>,
    /// review, reopen, publish or unpublish (which needs a reason).
    pub action: String,
    #[serde(default)]
    pub reason: String,
}

pub async fn round_step(
    state: &AppState,
    ctx: &Ctx,
    year: i32,
    i: &RoundInput,
) -> Result<AssessmentRound, WebError> {
    let city = city(state, ctx, i.city.as_deref()).await?;
    let action = RoundAction::parse(&i.action)?;
    let who = match action {
        RoundAction::Review | RoundAction::Reopen => REVIEWERS,
        RoundAction::Publish | RoundAction::Unpublish => ASSESSORS,
    };
    ctx.require_role(who, &city)?;
    Ok(state
        .store
        .assessment_round_step(&city, year, action, &i.reason, actor(ctx), state.now())
        .await?)
}

/// An appeal as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct AppealInput {
    pub county: String,
    /// The item's code.
    pub item: String,
    /// The row's key (`source:id`) as the card shows it.
    pub row_key: String,
    pub reason: String,
    #[serde(default)]
    pub evidence: String,
}

pub async fn appeal(
    state: &AppState,
    ctx: &Ctx,
    year: i32,
    i: &AppealInput,
) -> Result<AssessmentAppeal, WebError> {
    let county = parse_region(&i.county)?;
    ctx.require_role(APPELLANTS, &county)?;
    Ok(state
        .store
        .file_assessment_appeal(
            &NewAssessmentAppeal {
                county,
                year,
                item: i.item.clone(),
                row_key: i.row_key.clone(),
                reason: i.reason.clone(),
                evidence: i.evidence.clone(),
                actor: actor(ctx),
            },
            state.now(),
        )
        .await?)
}

/// The bureau's decision as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct DecisionInput {
    /// true: the appeal is upheld and the points restored; false: the deduction stands.
    pub uphold: bool,
    pub reason: String,
}

pub async fn decide(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    year: i32,
    i: &DecisionInput,
) -> Result<AssessmentAppeal, WebError> {
    ctx.require_user()?;
    let mine = ctx
        .actor
        .grants
        .iter()
        .map(|g| g.region)
        .collect::<Vec<_>>();
    // Find the appeal among those the caller can see.
    let mut found = None;
    for scope in &mine {
        if let Some(a) = state
            .store
            .assessment_appeals(scope, year)
            .await?
            .into_iter()
            .find(|a| a.id == id)
        {
            found = Some(a);
            break;
        }
    }
    let a = found.ok_or(WebError::NotFound)?;
    let city = a
        .county
        .ancestor_at(Level::City)
        .ok_or(WebError::NotFound)?;
    ctx.require_role(ASSESSORS, &city)?;
    Ok(state
        .store
        .decide_assessment_appeal(id, i.uphold, &i.reason, actor(ctx), state.now())
        .await?)
}
