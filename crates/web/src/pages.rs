//! Server-rendered pages. Each page is a typed view struct rendered by askama; every string comes
//! from the translation catalogue through [`Page::t`]. Forms post back to the same server (the
//! cross-origin guard refuses others) and redirect after success.
use crate::AppState;
use crate::auth::{self, Ctx};
use crate::error::WebError;
use crate::i18n::{Lang, t};
use crate::ops;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use sunledger_core::department::Position;
use sunledger_core::{DepartmentKind, Permission, Role};
use sunledger_store::{AuthEvent, Department, GrantRow, Person, Region, User};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route("/lang/{code}", get(set_lang))
        .route("/regions", get(regions_root))
        .route("/regions/{code}", get(region_page))
        .route("/regions/{code}/departments", post(add_department))
        .route("/departments/{id}", get(department_page))
        .route("/departments/{id}/people", post(add_person))
        .route("/admin/users", get(users_page).post(add_user))
        .route("/admin/users/{id}", get(user_page))
        .route("/admin/users/{id}/grants", post(add_grant))
        .route(
            "/admin/users/{id}/grants/{grant_id}/revoke",
            post(revoke_grant),
        )
        .route("/admin/events", get(events_page))
        .route("/log", get(log_page))
        .route("/regions/{code}/ledger", get(ledger_page))
        .route("/regions/{code}/summary", get(summary_page))
        .route("/funds/{id}", get(fund_page))
        .route("/ledger/funds", post(ledger_fund))
        .route("/ledger/transfers", post(ledger_transfer))
        .route("/ledger/transfers/{id}/receipt", post(ledger_receipt))
        .route("/ledger/transfers/{id}/payment", post(ledger_payment))
        .route("/ledger/suspensions", post(ledger_suspend))
        .route("/ledger/suspensions/{id}/resume", post(ledger_resume))
        .route("/proofs/{table}/{id}", get(proof_page))
        .route("/static/style.css", get(style))
        .merge(auth::pages::router())
}

/// What every page needs: language, the signed-in user, navigation rights.
#[derive(Clone)]
pub struct Page {
    pub lang: Lang,
    pub user: Option<User>,
    pub is_admin: bool,
    pub can_see_events: bool,
    pub path: String,
    pub flash: Option<String>,
    /// The account must enrol a second factor before it gets its rights.
    pub must_enrol: bool,
}

pub trait AsTs {
    fn ts(&self) -> i64;
}
impl AsTs for i64 {
    fn ts(&self) -> i64 {
        *self
    }
}
impl<T: AsTs + ?Sized> AsTs for &T {
    fn ts(&self) -> i64 {
        (**self).ts()
    }
}

impl Page {
    pub fn new(ctx: &Ctx, uri: &Uri) -> Page {
        Page {
            lang: ctx.lang,
            user: ctx.user.clone(),
            is_admin: !ctx.actor.scopes(Permission::ManageUsers).is_empty(),
            can_see_events: !ctx.actor.scopes(Permission::ViewAuthEvents).is_empty(),
            path: uri.path().to_string(),
            flash: None,
            must_enrol: ctx.must_enrol,
        }
    }
    fn public(lang: Lang) -> Page {
        Page {
            lang,
            user: None,
            is_admin: false,
            can_see_events: false,
            path: "/".into(),
            flash: None,
            must_enrol: false,
        }
    }
    pub fn t(&self, key: &str) -> String {
        t(self.lang, key)
    }
    /// Translates an enum value stored as text, e.g. `tp("role.", "finance")`.
    pub fn tp(&self, prefix: &str, value: &str) -> String {
        t(self.lang, &format!("{prefix}{value}"))
    }
    /// Yuan with thousands separators: `1,234,567.89`.
    pub fn yuan(&self, m: &sunledger_core::money::Money) -> String {
        let s = m.to_string();
        let (sign, rest) = s
            .strip_prefix('-')
            .map(|r| ("-", r))
            .unwrap_or(("", s.as_str()));
        let (int, frac) = rest.split_once('.').unwrap_or((rest, "00"));
        let mut out = String::new();
        for (i, c) in int.chars().enumerate() {
            if i > 0 && (int.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        format!("{sign}{out}.{frac}")
    }

    /// Fen as yuan with thousands separators.
    pub fn fen<T: std::borrow::Borrow<i64>>(&self, fen: T) -> String {
        self.yuan(&sunledger_core::money::Money::from_fen(*fen.borrow()))
    }

    /// A Unix time as Beijing time, `YYYY-MM-DD HH:MM`.
    pub fn time(&self, ts: impl AsTs) -> String {
        let offset = time::UtcOffset::from_hms(8, 0, 0).unwrap_or(time::UtcOffset::UTC);
        match time::OffsetDateTime::from_unix_timestamp(ts.ts()) {
            Ok(t) => {
                let t = t.to_offset(offset);
                format!(
                    "{:04}-{:02}-{:02} {:02}:{:02}",
                    t.year(),
                    u8::from(t.month()),
                    t.day(),
                    t.hour(),
                    t.minute()
                )
            }
            Err(_) => ts.ts().to_string(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
struct ErrorView {
    page: Page,
    message: String,
}

/// An error as a page in the user's language, with its status, for a request without context.
pub fn error_page(e: WebError, lang: Lang) -> Response {
    render_error(e, Page::public(lang))
}

fn render_error(e: WebError, page: Page) -> Response {
    let status = e.status();
    let view = ErrorView {
        message: e.message(page.lang),
        page,
    };
    (status, view).into_response()
}

/// A page handler's error: sign-in needed goes to the sign-in page, the rest render in the
/// user's language with the usual header (who is signed in, where the language switch leads).
pub struct PageError(pub(crate) WebError, pub(crate) Box<Page>);

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self.0 {
            WebError::Unauthorized => {
                Redirect::to(&format!("/login?next={}", urlencode(&self.1.path))).into_response()
            }
            e => render_error(e, *self.1),
        }
    }
}

pub(crate) fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub(crate) type PageResult = Result<Response, PageError>;

pub(crate) fn fail(ctx: &Ctx, uri: &Uri) -> impl Fn(WebError) -> PageError {
    let page = Page::new(ctx, uri);
    move |e| PageError(e, Box::new(page.clone()))
}

pub async fn no_route(ctx: Ctx, uri: Uri) -> Response {
    if uri.path().starts_with("/api/") {
        return crate::error::ApiError(WebError::NoRoute, ctx.lang).into_response();
    }
    render_error(WebError::NoRoute, Page::new(&ctx, &uri))
}

async fn style() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../static/style.css"),
    )
        .into_response()
}

struct ScopeCard {
    region_code: String,
    region_name: String,
    role: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
struct HomeView {
    page: Page,
    grants: Vec<ScopeCard>,
}

async fn home(State(state): State<AppState>, ctx: Ctx, uri: Uri) -> PageResult {
    let mut grants = Vec::new();
    for g in &ctx.actor.grants {
        let name = state
            .store
            .region(&g.region)
            .await
            .map_err(|e| fail(&ctx, &uri)(e.into()))?
            .map(|r| r.name)
            .unwrap_or_default();
        grants.push(ScopeCard {
            region_code: g.region.to_string(),
            region_name: name,
            role: g.role.key().into(),
        });
    }
    Ok(HomeView {
        page: Page::new(&ctx, &uri),
        grants,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
struct LoginView {
    page: Page,
    next: String,
    username: String,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

/// Only same-site paths are followed after sign-in or a language switch.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/".to_string(),
    }
}

async fn login_form(ctx: Ctx, uri: Uri, Query(q): Query<NextQuery>) -> Response {
    LoginView {
        page: Page::new(&ctx, &uri),
        next: safe_next(q.next.as_deref()),
        username: String::new(),
    }
    .into_response()
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

async fn login(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Form(f): Form<LoginForm>,
) -> Response {
    match auth::sign_in(&state, &ctx, &f.username, &f.password).await {
        Ok(signed) => auth::pages::after_password(&state, &signed, f.next.as_deref()),
        Err(e) => {
            let status = e.status();
            let mut page = Page::new(&ctx, &uri);
            page.flash = Some(e.message(ctx.lang));
            let view = LoginView {
                page,
                next: safe_next(f.next.as_deref()),
                username: f.username,
            };
            (status, view).into_response()
        }
    }
}

async fn logout(State(state): State<AppState>, ctx: Ctx, uri: Uri) -> PageResult {
    auth::sign_out(&state, &ctx)
        .await
        .map_err(fail(&ctx, &uri))?;
    Ok((
        StatusCode::SEE_OTHER,
        [
            (header::SET_COOKIE, auth::clear_session_cookie(&state)),
            (header::LOCATION, "/".to_string()),
        ],
    )
        .into_response())
}

async fn set_lang(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(q): Query<NextQuery>,
) -> Response {
    let lang = Lang::parse(&code).unwrap_or_default();
    if let Some(u) = &ctx.user
        && let Err(e) = state.store.set_locale(u.id, Some(lang.code())).await
    {
        tracing::error!(error = %e, "saving the language choice");
    }
    (
        StatusCode::SEE_OTHER,
        [
            (header::SET_COOKIE, auth::lang_cookie(lang)),
            (header::LOCATION, safe_next(q.next.as_deref())),
        ],
    )
        .into_response()
}

#[derive(Template, WebTemplate)]
#[template(path = "region.html")]
struct RegionView {
    page: Page,
    code: String,
    region: Option<Region>,
    ancestors: Vec<Region>,
    children: Vec<Region>,
    show_departments: bool,
    can_manage: bool,
    departments: Vec<Department>,
    kinds: Vec<&'static str>,
}

async fn regions_root(State(state): State<AppState>, ctx: Ctx, uri: Uri) -> PageResult {
    let children = state
        .store
        .region_roots()
        .await
        .map_err(|e| fail(&ctx, &uri)(e.into()))?;
    Ok(RegionView {
        page: Page::new(&ctx, &uri),
        code: String::new(),
        region: None,
        ancestors: vec![],
        children,
        show_departments: false,
        can_manage: false,
        departments: vec![],
        kinds: vec![],
    }
    .into_response())
}

async fn region_page(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(code): Path<String>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let region = ops::existing_region(&state, &code).await.map_err(&f)?;
    let ancestors = ops::ancestors(&state, &region).await.map_err(&f)?;
    let children = state
        .store
        .region_children(&region.code)
        .await
        .map_err(|e| f(e.into()))?;
    let show_departments = ctx.actor.can(Permission::ViewInternal, &region.code);
    let departments = if show_departments {
        state
            .store
            .departments_in(&region.code)
            .await
            .map_err(|e| f(e.into()))?
    } else {
        vec![]
    };
    let kinds = DepartmentKind::ALL
        .into_iter()
        .filter(|k| k.allowed_at(region.level))
        .map(|k| k.key())
        .collect();
    Ok(RegionView {
        page: Page::new(&ctx, &uri),
        code: region.code.to_string(),
        can_manage: ctx.actor.can(Permission::ManageOrganisation, &region.code),
        region: Some(region),
        ancestors,
        children,
        show_departments,
        departments,
        kinds,
    }
    .into_response())
}

#[derive(Deserialize)]
struct DepartmentForm {
    kind: String,
    name: String,
    credit_code: Option<String>,
    stationed_by: Option<String>,
}

async fn add_department(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(code): Path<String>,
    Form(f): Form<DepartmentForm>,
) -> PageResult {
    let input = ops::DepartmentInput {
        kind: f.kind,
        name: f.name,
        credit_code: f.credit_code,
        stationed_by: f.stationed_by,
    };
    let d = ops::create_department(&state, &ctx, &code, input)
        .await
        .map_err(fail(&ctx, &uri))?;
    Ok(Redirect::to(&format!("/departments/{}", d.id)).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "department.html")]
struct DepartmentView {
    page: Page,
    department: Department,
    region_name: String,
    people: Vec<Person>,
    can_manage: bool,
    positions: Vec<&'static str>,
}

async fn department_page(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id: i64 = raw.parse().map_err(|_| f(WebError::NotFound))?;
    if ctx.user.is_none() {
        return Err(f(WebError::Unauthorized));
    }
    let department = ops::visible_department(&state, &ctx, id)
        .await
        .map_err(&f)?;
    let people = state
        .store
        .people_in_department(id)
        .await
        .map_err(|e| f(e.into()))?;
    let region_name = state
        .store
        .region(&department.region)
        .await
        .map_err(|e| f(e.into()))?
        .map(|r| r.name)
        .unwrap_or_default();
    let positions = DepartmentKind::parse(&department.kind)
        .map(|k| k.positions().iter().map(|p: &Position| p.key()).collect())
        .unwrap_or_default();
    Ok(DepartmentView {
        page: Page::new(&ctx, &uri),
        can_manage: ctx
            .actor
            .can(Permission::ManageOrganisation, &department.region),
        department,
        region_name,
        people,
        positions,
    }
    .into_response())
}

#[derive(Deserialize)]
struct PersonForm {
    name: String,
    position: String,
    phone: Option<String>,
}

async fn add_person(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
    Form(f): Form<PersonForm>,
) -> PageResult {
    let id: i64 = raw
        .parse()
        .map_err(|_| fail(&ctx, &uri)(WebError::NotFound))?;
    ops::create_person(&state, &ctx, id, &f.name, &f.position, f.phone)
        .await
        .map_err(fail(&ctx, &uri))?;
    Ok(Redirect::to(&format!("/departments/{id}")).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "users.html")]
struct UsersView {
    page: Page,
    users: Vec<User>,
    default_region: String,
}

async fn users_page(State(state): State<AppState>, ctx: Ctx, uri: Uri) -> PageResult {
    let users = ops::users(&state, &ctx).await.map_err(fail(&ctx, &uri))?;
    let default_region = ctx
        .actor
        .scopes(Permission::ManageUsers)
        .first()
        .map(|c| c.to_string())
        .unwrap_or_default();
    Ok(UsersView {
        page: Page::new(&ctx, &uri),
        users,
        default_region,
    }
    .into_response())
}

#[derive(Deserialize)]
struct UserForm {
    username: String,
    display_name: String,
    password: String,
    region: String,
}

async fn add_user(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Form(f): Form<UserForm>,
) -> PageResult {
    let input = ops::UserInput {
        username: f.username,
        display_name: f.display_name,
        password: f.password,
        region: f.region,
    };
    let u = ops::create_user(&state, &ctx, input)
        .await
        .map_err(fail(&ctx, &uri))?;
    Ok(Redirect::to(&format!("/admin/users/{}", u.id)).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "user.html")]
struct UserView {
    page: Page,
    user: User,
    grants: Vec<GrantRow>,
    roles: Vec<&'static str>,
}

async fn user_page(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id: i64 = raw.parse().map_err(|_| f(WebError::NotFound))?;
    let user = ops::managed_user(&state, &ctx, id).await.map_err(&f)?;
    let grants = state
        .store
        .grants_of(id, true)
        .await
        .map_err(|e| f(e.into()))?;
    Ok(UserView {
        page: Page::new(&ctx, &uri),
        user,
        grants,
        roles: Role::ALL.iter().map(|r| r.key()).collect(),
    }
    .into_response())
}

#[derive(Deserialize)]
struct GrantForm {
    role: String,
    region: String,
}

async fn add_grant(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
    Form(f): Form<GrantForm>,
) -> PageResult {
    let id: i64 = raw
        .parse()
        .map_err(|_| fail(&ctx, &uri)(WebError::NotFound))?;
    ops::add_grant(&state, &ctx, id, &f.role, &f.region)
        .await
        .map_err(fail(&ctx, &uri))?;
    Ok(Redirect::to(&format!("/admin/users/{id}")).into_response())
}

async fn revoke_grant(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path((raw, raw_grant)): Path<(String, String)>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id: i64 = raw.parse().map_err(|_| f(WebError::NotFound))?;
    let gid: i64 = raw_grant.parse().map_err(|_| f(WebError::NotFound))?;
    ops::revoke_grant(&state, &ctx, id, gid).await.map_err(&f)?;
    Ok(Redirect::to(&format!("/admin/users/{id}")).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "events.html")]
struct EventsView {
    page: Page,
    events: Vec<AuthEvent>,
}

async fn events_page(State(state): State<AppState>, ctx: Ctx, uri: Uri) -> PageResult {
    let events = ops::auth_events(&state, &ctx, 500)
        .await
        .map_err(fail(&ctx, &uri))?;
    Ok(EventsView {
        page: Page::new(&ctx, &uri),
        events,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "proof.html")]
struct ProofView {
    page: Page,
    bundle: sunledger_core::proof::ProofBundle,
    file_stem: String,
    key_hint: String,
}

async fn proof_page(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path((table, raw)): Path<(String, String)>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id: i64 = raw.parse().map_err(|_| f(WebError::NotFound))?;
    let bundle = crate::proofs::bundle(&state, &ctx, &table, id)
        .await
        .map_err(&f)?;
    let key_hint = bundle.verifier_keys.last().cloned().unwrap_or_default();
    Ok(ProofView {
        page: Page::new(&ctx, &uri),
        bundle,
        file_stem: format!("{table}-{id}"),
        key_hint,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "log.html")]
struct LogView {
    page: Page,
    size: u64,
    root: String,
    note: Option<String>,
    keys: Vec<String>,
}

async fn log_page(State(state): State<AppState>, ctx: Ctx, uri: Uri) -> PageResult {
    let f = fail(&ctx, &uri);
    let size = state.store.log_size().await.map_err(|e| f(e.into()))?;
    let root = sunledger_store::log::root(state.store.as_ref(), size)
        .await
        .map_err(|e| f(e.into()))?;
    let note = state
        .store
        .latest_checkpoint()
        .await
        .map_err(|e| f(e.into()))?
        .map(|c| c.note);
    Ok(LogView {
        page: Page::new(&ctx, &uri),
        size,
        root: sunledger_store::hex(&root),
        note,
        keys: state.verifier_keys.as_ref().clone(),
    }
    .into_response())
}

// --- Book 1 pages -----------------------------------------------------------------------------

struct TransferRow {
    transfer: sunledger_store::Transfer,
    from: String,
    to: String,
    /// A later reversal corrected this transfer: no more steps on it.
    reversed: bool,
    can_confirm: bool,
    payment_actions: Vec<&'static str>,
}

/// Labels for accounts: a region's name or a project's name.
async fn account_label(
    state: &AppState,
    cache: &mut std::collections::HashMap<i64, (String, sunledger_core::RegionCode)>,
    id: Option<i64>,
    lang: Lang,
) -> Result<(String, Option<sunledger_core::RegionCode>), WebError> {
    let Some(id) = id else {
        return Ok((t(lang, "ledger.external"), None));
    };
    if let Some((l, r)) = cache.get(&id) {
        return Ok((l.clone(), Some(*r)));
    }
    let a = state.store.account(id).await?.ok_or(WebError::NotFound)?;
    let label = match a.project_id {
        Some(p) => state
            .store
            .project(p)
            .await?
            .map(|p| format!("P{} {}", p.id, p.name))
            .unwrap_or_default(),
        None => state
            .store
            .region(&a.region)
            .await?
            .map(|r| r.name)
            .unwrap_or_else(|| a.region.to_string()),
    };
    cache.insert(id, (label.clone(), a.region));
    Ok((label, Some(a.region)))
}

#[derive(Template, WebTemplate)]
#[template(path = "ledger.html")]
struct LedgerView {
    page: Page,
    l: crate::ledger::RegionLedger,
    rows: Vec<TransferRow>,
    can_manage: bool,
    client_id: String,
    month_start: String,
    year: String,
    sources: Vec<&'static str>,
    kinds: Vec<&'static str>,
    fund_choices: Vec<(i64, String)>,
}

async fn ledger_page(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(code): Path<String>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    if ctx.user.is_none() {
        return Err(f(WebError::Unauthorized));
    }
    let l = crate::ledger::region_ledger(&state, &ctx, &code)
        .await
        .map_err(&f)?;
    let can_manage = ctx.actor.can(Permission::ManageFunds, &l.region.code);
    let mut cache = std::collections::HashMap::new();
    let mut rows = Vec::new();
    let reversed: std::collections::HashSet<i64> =
        l.transfers.iter().filter_map(|t| t.reverses).collect();
    for tr in &l.transfers {
        let is_reversed = reversed.contains(&tr.id);
        let (from, from_region) = account_label(&state, &mut cache, tr.from_account, ctx.lang)
            .await
            .map_err(&f)?;
        let (to, to_region) = match (&tr.payee, tr.to_account) {
            (Some(p), None) => (p.clone(), None),
            _ => account_label(&state, &mut cache, tr.to_account, ctx.lang)
                .await
                .map_err(&f)?,
        };
        let can_confirm = !is_reversed
            && tr.kind == "appropriate"
            && tr.state.as_deref() == Some("dispatched")
            && to_region.is_some_and(|r| ctx.actor.can(Permission::ManageFunds, &r));
        let payment_actions = if !is_reversed
            && tr.kind == "disburse"
            && from_region.is_some_and(|r| ctx.actor.can(Permission::ManageFunds, &r))
        {
            match tr.state.as_deref() {
                Some("approved") => vec!["pay", "hold", "void"],
                Some("held") => vec!["release", "void"],
                _ => vec![],
            }
        } else {
            vec![]
        };
        rows.push(TransferRow {
            transfer: tr.clone(),
            from,
            to,
            reversed: is_reversed,
            can_confirm,
            payment_actions,
        });
    }
    let mut fund_choices: Vec<(i64, String)> = l
        .accounts
        .iter()
        .map(|a| (a.fund.id, a.fund.name.clone()))
        .collect();
    fund_choices.dedup();
    let token: [u8; 8] = rand::random();
    let client_id = token.iter().map(|b| format!("{b:02x}")).collect::<String>();
    let month_start = format!("{}01", l.today.get(..8).unwrap_or("2026-01-"));
    let year = l.today.get(..4).unwrap_or("2026").to_string();
    Ok(LedgerView {
        page: Page::new(&ctx, &uri),
        rows,
        can_manage,
        client_id,
        month_start,
        year,
        sources: sunledger_core::ledger::FundSource::ALL
            .iter()
            .map(|s| s.key())
            .collect(),
        kinds: vec!["appropriate", "arrange", "disburse", "refund"],
        fund_choices,
        l,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "summary.html")]
struct SummaryView {
    page: Page,
    name: String,
    /// (label key, totals)
    money: Vec<(&'static str, sunledger_store::MoneyTotals)>,
    s: sunledger_store::RegionSummary,
}

/// A region's dashboard (the county's overview): its subtree summed.
async fn summary_page(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(code): Path<String>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    if ctx.user.is_none() {
        return Err(f(WebError::Unauthorized));
    }
    let s = crate::ledger::region_summary(&state, &ctx, &code)
        .await
        .map_err(&f)?;
    let name = state
        .store
        .region(&s.region)
        .await
        .map_err(|e| f(e.into()))?
        .map(|r| r.name)
        .unwrap_or_default();
    Ok(SummaryView {
        page: Page::new(&ctx, &uri),
        name,
        money: vec![
            ("summary.own", s.own),
            ("summary.below", s.below),
            ("summary.projects", s.projects),
        ],
        s,
    }
    .into_response())
}

struct FlowRow {
    transfer: sunledger_store::Transfer,
    from: String,
    to: String,
    depth: usize,
}

#[derive(Template, WebTemplate)]
#[template(path = "fund.html")]
struct FundView {
    page: Page,
    fund: sunledger_store::Fund,
    rows: Vec<FlowRow>,
}

/// A fund's flow from its receipt to payees, limited to the caller's areas: what lies outside them
/// is left out without a trace (not even a count).
async fn fund_page(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    if ctx.user.is_none() {
        return Err(f(WebError::Unauthorized));
    }
    let id: i64 = raw.parse().map_err(|_| f(WebError::NotFound))?;
    let fund = state
        .store
        .fund(id)
        .await
        .map_err(|e| f(e.into()))?
        .ok_or_else(|| f(WebError::NotFound))?;
    let mut cache = std::collections::HashMap::new();
    let mut rows = Vec::new();
    for tr in state
        .store
        .transfers_of_fund(id)
        .await
        .map_err(|e| f(e.into()))?
    {
        let (from, fr) = account_label(&state, &mut cache, tr.from_account, ctx.lang)
            .await
            .map_err(&f)?;
        let (to, tr_region) = match (&tr.payee, tr.to_account) {
            (Some(p), None) => (p.clone(), None),
            _ => account_label(&state, &mut cache, tr.to_account, ctx.lang)
                .await
                .map_err(&f)?,
        };
        let visible = [fr, tr_region]
            .into_iter()
            .flatten()
            .any(|r| ctx.actor.can(Permission::ViewInternal, &r));
        if !visible {
            continue;
        }
        let depth = fr
            .or(tr_region)
            .map(|r| (r.level().as_i64() - fund.region.level().as_i64()).max(0) as usize)
            .unwrap_or(0);
        rows.push(FlowRow {
            transfer: tr,
            from,
            to,
            depth: depth.min(4),
        });
    }
    if rows.is_empty() {
        return Err(f(WebError::NotFound));
    }
    Ok(FundView {
        page: Page::new(&ctx, &uri),
        fund,
        rows,
    }
    .into_response())
}

#[derive(Deserialize)]
struct FundForm {
    client_id: String,
    region: String,
    source: String,
    name: String,
    fiscal_year: String,
    document_no: String,
    amount: String,
    booked_on: String,
    detention_days: Option<String>,
}

fn back_to_ledger(code: &str) -> Response {
    let code = code
        .chars()
        .filter(char::is_ascii_digit)
        .collect::<String>();
    Redirect::to(&format!("/regions/{code}/ledger")).into_response()
}

async fn ledger_fund(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Form(x): Form<FundForm>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let fiscal_year = x.fiscal_year.trim().parse().map_err(|_| {
        f(WebError::invalid(
            "fiscal_year",
            "not_a_number",
            &x.fiscal_year,
        ))
    })?;
    let detention_days = match x
        .detention_days
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(d) => Some(
            d.parse()
                .map_err(|_| f(WebError::invalid("detention_days", "not_a_number", d)))?,
        ),
        None => None,
    };
    let region = x.region.clone();
    let input = crate::ledger::FundInput {
        client_id: x.client_id,
        region: x.region,
        source: x.source,
        fiscal_year,
        document_no: x.document_no,
        name: x.name,
        amount: x.amount,
        booked_on: x.booked_on,
        detention_days,
    };
    crate::ledger::create_fund(&state, &ctx, input)
        .await
        .map_err(&f)?;
    Ok(back_to_ledger(&region))
}

#[derive(Deserialize)]
struct TransferForm {
    client_id: String,
    back: String,
    kind: String,
    fund_id: String,
    from: String,
    to: Option<String>,
    payee: Option<String>,
    amount: String,
    booked_on: String,
    document_no: String,
    purpose: String,
}

/// `529121`, `P12` or empty.
fn owner_ref(s: &str) -> Option<crate::ledger::OwnerRef> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    match s
        .strip_prefix('P')
        .or_else(|| s.strip_prefix('p'))
        .map(str::parse::<i64>)
    {
        Some(Ok(p)) => Some(crate::ledger::OwnerRef {
            region: None,
            project: Some(p),
        }),
        _ => Some(crate::ledger::OwnerRef {
            region: Some(s.to_string()),
            project: None,
        }),
    }
}

async fn ledger_transfer(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Form(x): Form<TransferForm>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let fund_id = x
        .fund_id
        .trim()
        .parse()
        .map_err(|_| f(WebError::invalid("fund", "not_a_number", &x.fund_id)))?;
    let input = crate::ledger::TransferInput {
        client_id: x.client_id,
        fund_id,
        kind: x.kind,
        from: owner_ref(&x.from),
        to: x.to.as_deref().and_then(owner_ref),
        payee: x.payee.filter(|p| !p.trim().is_empty()),
        amount: x.amount,
        booked_on: x.booked_on,
        document_no: x.document_no,
        purpose: x.purpose,
        reverses: None,
    };
    crate::ledger::book(&state, &ctx, input).await.map_err(&f)?;
    Ok(back_to_ledger(&x.back))
}

#[derive(Deserialize)]
struct StepForm {
    back: String,
    on: String,
    action: Option<String>,
    #[serde(default)]
    document_no: String,
}

async fn ledger_receipt(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
    Form(x): Form<StepForm>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id: i64 = raw.parse().map_err(|_| f(WebError::NotFound))?;
    crate::ledger::confirm_receipt(&state, &ctx, id, &x.on)
        .await
        .map_err(&f)?;
    Ok(back_to_ledger(&x.back))
}

async fn ledger_payment(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
    Form(x): Form<StepForm>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id: i64 = raw.parse().map_err(|_| f(WebError::NotFound))?;
    let action = x.action.unwrap_or_default();
    crate::ledger::payment(&state, &ctx, id, &action, &x.on, &x.document_no)
        .await
        .map_err(&f)?;
    Ok(back_to_ledger(&x.back))
}

#[derive(Deserialize)]
struct SuspendForm {
    back: String,
    target_kind: String,
    target: String,
    reason: String,
    document_no: String,
}

async fn ledger_suspend(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Form(x): Form<SuspendForm>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let input = crate::ledger::SuspensionInput {
        target_kind: x.target_kind,
        target: x.target,
        reason: x.reason,
        document_no: x.document_no,
        region: None,
    };
    crate::ledger::suspend(&state, &ctx, input)
        .await
        .map_err(&f)?;
    Ok(back_to_ledger(&x.back))
}

#[derive(Deserialize)]
struct ResumeForm {
    back: String,
    document_no: String,
}

async fn ledger_resume(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path(raw): Path<String>,
    Form(x): Form<ResumeForm>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id: i64 = raw.parse().map_err(|_| f(WebError::NotFound))?;
    crate::ledger::resume(&state, &ctx, id, &x.document_no)
        .await
        .map_err(&f)?;
    Ok(back_to_ledger(&x.back))
}
