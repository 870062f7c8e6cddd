//! Cross-origin protection: a state-changing request (anything but GET, HEAD and OPTIONS) is
//! refused when the browser says it came from another origin (`Origin` differs from `Host`, or
//! `Sec-Fetch-Site` is `cross-site`/`same-site`). Clients that send neither header (the CLI, curl)
//! are not browsers and cannot be driven by another site, so they pass; session cookies are also
//! `SameSite=Lax`.
use crate::error::{ApiError, WebError};
use crate::i18n::Lang;
use crate::pages;
use axum::extract::Request;
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub fn is_cross_origin(req: &Request) -> bool {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return false;
    }
    let headers = req.headers();
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("null");
        let origin_host = origin
            .split_once("://")
            .map(|(_, h)| h.trim_end_matches('/'))
            .unwrap_or("");
        return origin_host.is_empty() || !origin_host.eq_ignore_ascii_case(host);
    }
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return !matches!(site, "same-origin" | "none");
    }
    false
}

pub async fn same_origin(req: Request, next: Next) -> Response {
    if is_cross_origin(&req) {
        let lang = crate::auth::lang_hint(req.uri(), req.headers()).unwrap_or(Lang::Zh);
        tracing::warn!(path = %req.uri().path(), "refused cross-origin request");
        if req.uri().path().starts_with("/api/") {
            return ApiError(WebError::CrossOrigin, lang).into_response();
        }
        return pages::error_page(WebError::CrossOrigin, lang);
    }
    next.run(req).await
}
