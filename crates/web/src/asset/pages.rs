//! Pages of project assets: the registers with their totals, one asset with its history and
//! its transfer and disposal forms, the registration form (a refused form comes back as typed,
//! with the reason), and each village's register in public.
use crate::AppState;
use crate::app::ctx::Ctx;
use crate::app::error::WebError;
use crate::app::forms::{Names, holds_any, is_access, opt_num, parse_id, region_filter, trimmed};
use crate::app::page::{Page, PageResult, Pager, fail, urlencode};
use crate::asset::ops::{self, AssetQuery, AssetStepInput, OwnerInput, Sum};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use std::collections::{BTreeMap, HashMap};
use sunledger_core::asset::{
    ASSET_DISPOSERS, ASSET_KEEPERS, AssetClass, AssetState, DecisionKind, DisposalKind, OwnerLevel,
    ShareHolder,
};
use sunledger_core::ledger::FundSource;
use sunledger_core::{Level, RegionCode};
use sunledger_store::{Asset, AssetEvent};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/assets", get(register_page).post(register_asset))
        .route("/assets/new", get(new_asset_form))
        .route("/assets/{id}", get(asset_page))
        .route("/assets/{id}/actions", post(asset_step))
        .route("/public/assets/{code}", get(public_register))
}

/// A total with its label.
pub(crate) struct Line {
    label: String,
    count: i64,
    value_fen: i64,
    link: String,
}

fn lines(page: &Page, prefix: &str, sums: &[Sum], q: &str, field: &str) -> Vec<Line> {
    sums.iter()
        .map(|s| Line {
            label: page.tp(prefix, &s.key),
            count: s.count,
            value_fen: s.value_fen,
            link: format!(
                "/assets?{q}{}{field}={}",
                if q.is_empty() { "" } else { "&" },
                s.key
            ),
        })
        .collect()
}

fn query_string(q: &AssetQuery) -> String {
    let mut parts = Vec::new();
    for (k, v) in [
        ("region", &q.region),
        ("class", &q.class),
        ("owner_level", &q.owner_level),
        ("state", &q.state),
        ("project", &q.project),
    ] {
        if let Some(v) = v.as_deref().and_then(trimmed) {
            parts.push(format!("{k}={}", urlencode(v)));
        }
    }
    parts.join("&")
}

pub(crate) struct Row {
    id: i64,
    number: String,
    name: String,
    class: String,
    state: String,
    quantity: String,
    unit: String,
    value_fen: i64,
    owner_level: String,
    owner: String,
    custodian: String,
    place: String,
}

async fn rows(state: &AppState, assets: Vec<Asset>) -> Result<Vec<Row>, WebError> {
    let mut names = Names::new(state);
    let mut out = Vec::new();
    for a in assets {
        let owner = match &a.household_head {
            Some(h) if a.owner_level == "household" => h.clone(),
            _ => names.name(&a.owner_region).await?,
        };
        out.push(Row {
            place: names.place(&a.village).await?,
            id: a.id,
            number: a.number,
            name: a.name,
            class: a.class,
            state: a.state,
            quantity: a.quantity,
            unit: a.unit,
            value_fen: a.value_total_fen,
            owner_level: a.owner_level,
            owner,
            custodian: a.custodian,
        });
    }
    Ok(out)
}

#[derive(Template, WebTemplate)]
#[template(path = "asset/register.html")]
struct RegisterView {
    page: Page,
    rows: Vec<Row>,
    pager: Pager,
    q: AssetQuery,
    query_string: String,
    by_class: Vec<Line>,
    by_owner_level: Vec<Line>,
    by_region: Vec<Line>,
    in_service: Sum,
    classes: Vec<&'static str>,
    owner_levels: Vec<&'static str>,
    states: Vec<&'static str>,
    can_register: bool,
    region: crate::app::forms::RegionFilter,
}

async fn register_page(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Query(q): Query<AssetQuery>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    ctx.require_user().map_err(&f)?;
    let page = Page::new(&ctx, &uri);
    let mut q = q;
    let region = region_filter(&state, &ctx, &mut q.region)
        .await
        .map_err(&f)?;
    let mut r = ops::register_view(&state, &ctx, &q).await.map_err(&f)?;
    if region.error.is_some() {
        r.assets.clear();
        r.total = 0;
    }
    let qs = query_string(&q);
    let mut names = Names::new(&state);
    let mut by_region = Vec::new();
    for s in &r.by_region {
        let code = RegionCode::parse(&s.key).map_err(|e| f(e.into()))?;
        let base = query_string(&AssetQuery {
            region: None,
            ..q.clone()
        });
        by_region.push(Line {
            label: names.name(&code).await.map_err(&f)?,
            count: s.count,
            value_fen: s.value_fen,
            link: format!(
                "/assets?{base}{}region={}",
                if base.is_empty() { "" } else { "&" },
                code.prefix()
            ),
        });
    }
    Ok(RegisterView {
        by_class: lines(&page, "asset.class.", &r.by_class, &qs, "class"),
        by_owner_level: lines(
            &page,
            "asset.owner_level.",
            &r.by_owner_level,
            &qs,
            "owner_level",
        ),
        by_region,
        in_service: r.in_service,
        rows: rows(&state, r.assets).await.map_err(&f)?,
        pager: Pager::new("/assets", &qs, r.page, ops::PAGE, r.total),
        query_string: qs,
        page,
        q,
        classes: AssetClass::ALL.iter().map(|c| c.key()).collect(),
        owner_levels: OwnerLevel::ALL.iter().map(|c| c.key()).collect(),
        states: AssetState::ALL.iter().map(|c| c.key()).collect(),
        can_register: holds_any(&ctx, ASSET_KEEPERS),
        region,
    }
    .into_response())
}

// --- One asset ---------------------------------------------------------------------------------

pub(crate) struct EventRow {
    e: AssetEvent,
    owner: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "asset/asset.html")]
struct AssetView {
    page: Page,
    a: Asset,
    place: String,
    owner: String,
    first_owner: String,
    events: Vec<EventRow>,
    can_transfer: bool,
    can_dispose: bool,
    /// The step form as typed (after a refusal), and which form it was.
    i: AssetStepInput,
    error: Option<String>,
    owner_levels: Vec<&'static str>,
    decisions: Vec<&'static str>,
    disposals: Vec<&'static str>,
}

async fn asset_view(
    state: &AppState,
    ctx: &Ctx,
    page: Page,
    id: i64,
    i: AssetStepInput,
    error: Option<String>,
) -> Result<AssetView, WebError> {
    let rec = ops::record(state, ctx, id).await?;
    let a = rec.asset;
    let mut names = Names::new(state);
    let owner = match &a.household_head {
        Some(h) if a.owner_level == "household" => h.clone(),
        _ => names.place(&a.owner_region).await?,
    };
    let first_owner = names.place(&a.first_owner_region).await?;
    let mut events = Vec::new();
    for e in rec.events {
        let owner = match e.owner_region.as_deref().map(RegionCode::parse) {
            Some(Ok(r)) => names.place(&r).await?,
            _ => String::new(),
        };
        events.push(EventRow { e, owner });
    }
    let county = a.village.ancestor_at(Level::County).unwrap_or(a.village);
    let live = a.state != "disposed";
    Ok(AssetView {
        page,
        place: names.place(&a.village).await?,
        owner,
        first_owner,
        events,
        can_transfer: live && ctx.actor.has_role(ASSET_KEEPERS, &county),
        can_dispose: live && ctx.actor.has_role(ASSET_DISPOSERS, &county),
        i,
        error,
        owner_levels: OwnerLevel::ALL.iter().map(|c| c.key()).collect(),
        decisions: DecisionKind::ALL.iter().map(|c| c.key()).collect(),
        disposals: DisposalKind::ALL.iter().map(|c| c.key()).collect(),
        a,
    })
}

async fn asset_page(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id = parse_id(&f, &raw)?;
    let v = asset_view(
        &state,
        &ctx,
        Page::new(&ctx, &uri),
        id,
        AssetStepInput::default(),
        None,
    )
    .await
    .map_err(&f)?;
    Ok(v.into_response())
}

/// The step form as typed: the household number stays text until sent.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
struct StepForm {
    action: String,
    decision_kind: String,
    decision_on: String,
    decision_ref: String,
    reason: String,
    owner_level: String,
    owner: String,
    household_id: String,
    custodian: String,
    custodian_person: String,
    disposal_kind: String,
    proceeds: String,
}

impl StepForm {
    fn typed(&self) -> AssetStepInput {
        AssetStepInput {
            action: self.action.clone(),
            decision_kind: self.decision_kind.clone(),
            decision_on: self.decision_on.clone(),
            decision_ref: self.decision_ref.clone(),
            reason: self.reason.clone(),
            owner: OwnerInput {
                owner_level: self.owner_level.clone(),
                owner: Some(self.owner.clone()),
                household_id: None,
                custodian: self.custodian.clone(),
                custodian_person: self.custodian_person.clone(),
            },
            disposal_kind: Some(self.disposal_kind.clone()),
            proceeds: Some(self.proceeds.clone()),
        }
    }
    fn input(&self) -> Result<AssetStepInput, WebError> {
        let mut i = self.typed();
        i.owner.household_id = opt_num("household_id", &self.household_id)?;
        Ok(i)
    }
}

async fn asset_step(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
    Form(x): Form<StepForm>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    ctx.require_user().map_err(&f)?;
    let id = parse_id(&f, &raw)?;
    let r = match x.input() {
        Ok(i) => ops::step(&state, &ctx, id, &i).await,
        Err(e) => Err(e),
    };
    match r {
        Ok(_) => Ok(Redirect::to(&format!("/assets/{id}")).into_response()),
        Err(e) if is_access(&e) => Err(f(e)),
        Err(e) => {
            let mut page = Page::new(&ctx, &uri);
            page.path = format!("/assets/{id}");
            let msg = e.message(page.lang);
            let v = asset_view(&state, &ctx, page, id, x.typed(), Some(msg))
                .await
                .map_err(&f)?;
            Ok((e.status(), v).into_response())
        }
    }
}

// --- Registering an asset ----------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "asset/form.html")]
struct FormView {
    page: Page,
    /// The form as typed, by field name (`v.<source>` and `s.<holder>` for the value and shares).
    i: HashMap<String, String>,
    project: Option<String>,
    classes: Vec<&'static str>,
    owner_levels: Vec<&'static str>,
    sources: Vec<&'static str>,
    holders: Vec<&'static str>,
    error: Option<String>,
}

impl FormView {
    fn v(&self, k: &str) -> &str {
        self.i.get(k).map(String::as_str).unwrap_or_default()
    }
}

fn input(x: &HashMap<String, String>) -> Result<ops::AssetInput, WebError> {
    let get = |k: &str| x.get(k).cloned().unwrap_or_default();
    let mut value = BTreeMap::new();
    let mut distribution = BTreeMap::new();
    for (k, v) in x {
        if let Some(src) = k.strip_prefix("v.") {
            value.insert(src.to_string(), v.clone());
        }
        if let Some(h) = k.strip_prefix("s.")
            && let Some(p) = trimmed(v)
        {
            let p = p
                .parse::<i64>()
                .map_err(|_| WebError::invalid("distribution", "bad_format", p))?;
            distribution.insert(h.to_string(), p);
        }
    }
    Ok(ops::AssetInput {
        project_id: opt_num("project_id", &get("project_id"))?
            .ok_or_else(|| WebError::invalid("project_id", "required", ""))?,
        name: get("name"),
        class: get("class"),
        quantity: get("quantity"),
        unit: get("unit"),
        value,
        distribution,
        owner: OwnerInput {
            owner_level: get("owner_level"),
            owner: trimmed(&get("owner")).map(str::to_string),
            household_id: opt_num("household_id", &get("household_id"))?,
            custodian: get("custodian"),
            custodian_person: get("custodian_person"),
        },
    })
}

async fn form_view(
    state: &AppState,
    ctx: &Ctx,
    page: Page,
    i: HashMap<String, String>,
    error: Option<String>,
) -> FormView {
    let mut project = None;
    if let Some(Ok(Some(id))) = i.get("project_id").map(|p| opt_num::<i64>("project_id", p))
        && let Ok(p) = crate::project::ops::visible(state, ctx, id).await
    {
        project = Some(format!(
            "{} · {}",
            p.name,
            page.tp("project.status.", p.status.as_deref().unwrap_or("planned"))
        ));
    }
    FormView {
        page,
        i,
        project,
        classes: AssetClass::ALL.iter().map(|c| c.key()).collect(),
        owner_levels: OwnerLevel::ALL.iter().map(|c| c.key()).collect(),
        sources: FundSource::ALL.iter().map(|c| c.key()).collect(),
        holders: ShareHolder::ALL.iter().map(|c| c.key()).collect(),
        error,
    }
}

async fn new_asset_form(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    ctx.require_user().map_err(&f)?;
    if !holds_any(&ctx, ASSET_KEEPERS) {
        return Err(f(WebError::Forbidden));
    }
    let mut i = HashMap::new();
    if let Some(p) = q.get("project") {
        i.insert("project_id".to_string(), p.trim().to_string());
    }
    i.insert("class".into(), "public_welfare".into());
    i.insert("owner_level".into(), "village".into());
    Ok(form_view(&state, &ctx, Page::new(&ctx, &uri), i, None)
        .await
        .into_response())
}

async fn register_asset(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Form(x): Form<HashMap<String, String>>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    ctx.require_user().map_err(&f)?;
    let r = match input(&x) {
        Ok(i) => ops::register(&state, &ctx, &i).await,
        Err(e) => Err(e),
    };
    match r {
        Ok(a) => Ok(Redirect::to(&format!("/assets/{}", a.id)).into_response()),
        Err(e) if is_access(&e) => Err(f(e)),
        Err(e) => {
            let mut page = Page::new(&ctx, &uri);
            page.path = "/assets/new".into();
            let msg = e.message(page.lang);
            let v = form_view(&state, &ctx, page, x, Some(msg)).await;
            Ok((e.status(), v).into_response())
        }
    }
}

// --- The public village register ---------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "asset/public.html")]
struct PublicView {
    page: Page,
    village: String,
    code: String,
    rows: Vec<Row>,
    total: Sum,
}

/// A village's assets in service, without an account: number, name, class, quantity, value,
/// owner (a household by its head's name only), custodian. No ID number, phone or account.
async fn public_register(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(code): Path<String>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let r = crate::app::ops::existing_region(&state, &code)
        .await
        .map_err(&f)?;
    if r.code.level() != Level::Village {
        return Err(f(WebError::NotFound));
    }
    let (assets, total) = ops::public_register(&state, &r.code).await.map_err(&f)?;
    let mut names = Names::new(&state);
    Ok(PublicView {
        page: Page::new(&ctx, &uri),
        village: names.place(&r.code).await.map_err(&f)?,
        code: r.code.as_str().to_string(),
        rows: rows(&state, assets).await.map_err(&f)?,
        total,
    }
    .into_response())
}
