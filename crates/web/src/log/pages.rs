//! Pages of the tamper-evident log and of proofs.
use crate::AppState;
use crate::app::ctx::Ctx;
use crate::app::error::WebError;
use crate::app::page::{Page, PageResult, fail};
use crate::log::proof;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::IntoResponse;
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/log", get(log_page))
        .route("/proofs/{table}/{id}", get(proof_page))
}

#[derive(Template, WebTemplate)]
#[template(path = "log/proof.html")]
struct ProofView {
    page: Page,
    bundle: sunledger_core::log::proof::ProofBundle,
    file_stem: String,
    key_hint: String,
    /// What the record is, in words (`项目 #12`).
    record: String,
}

async fn proof_page(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    Path((table, raw)): Path<(String, String)>,
) -> PageResult {
    let f = fail(&ctx, &uri);
    let id: i64 = raw.parse().map_err(|_| f(WebError::NotFound))?;
    let bundle = proof::bundle(&state, &ctx, &table, id).await.map_err(&f)?;
    let key_hint = bundle.verifier_keys.last().cloned().unwrap_or_default();
    let page = Page::new(&ctx, &uri);
    let what = crate::i18n::lookup(page.lang, &format!("proof.record.{table}"))
        .map_or_else(|| page.t("proof.record"), str::to_string);
    let record = format!("{what} #{id}");
    Ok(ProofView {
        page,
        record,
        bundle,
        file_stem: format!("{table}-{id}"),
        key_hint,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "log/log.html")]
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
