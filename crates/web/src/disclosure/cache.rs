//! Cache-friendly public pages: every successful GET under `/public` gets a strong `ETag` (the
//! SHA-256 of its body, so it differs by language as the body does), `Cache-Control` and a
//! `Last-Modified` (the time of the newest log entry: nothing a page shows changes without one),
//! and a request whose `If-None-Match` names the current tag gets `304 Not Modified` with no body.
//!
//! A response that sets a cookie is left alone. A request carrying a session cookie is answered
//! `private` (its page names who is signed in); the body depends on the cookies (language,
//! session), hence `Vary: Cookie`.
use crate::AppState;
use crate::app::ctx::{SESSION_COOKIE, cookie_value};
use crate::app::error::WebError;
use crate::app::page::error_page;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// The largest page body hashed (public pages are a few hundred kilobytes at most).
const MAX_BODY: usize = 16 * 1024 * 1024;

/// Public pages may be kept this long by any cache.
const PUBLIC: &str = "public, max-age=60";
/// A signed-in reader's copy of a public page: theirs only, revalidated each time.
const PRIVATE: &str = "private, no-cache";

/// The middleware (see the module's comment).
pub async fn conditional(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.method() != Method::GET {
        return next.run(req).await;
    }
    let wanted = req.headers().get(header::IF_NONE_MATCH).cloned();
    let signed_in = cookie_value(req.headers(), SESSION_COOKIE).is_some_and(|v| !v.is_empty());
    let lang = crate::app::ctx::lang_hint(req.uri(), req.headers()).unwrap_or_default();
    let resp = next.run(req).await;
    if resp.status() != StatusCode::OK || resp.headers().contains_key(header::SET_COOKIE) {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY).await else {
        return error_page(WebError::Internal("public page body".into()), lang);
    };
    let tag = etag(&bytes);
    let h = &mut parts.headers;
    set(h, header::ETAG, &tag);
    set(
        h,
        header::CACHE_CONTROL,
        if signed_in { PRIVATE } else { PUBLIC },
    );
    set(h, header::VARY, "Cookie");
    if let Some(at) = newest_entry(&state).await {
        set(h, header::LAST_MODIFIED, &http_date(at));
    }
    if wanted.as_ref().is_some_and(|w| matches(w, &tag)) {
        let mut not_modified = StatusCode::NOT_MODIFIED.into_response();
        for name in [
            header::ETAG,
            header::CACHE_CONTROL,
            header::VARY,
            header::LAST_MODIFIED,
        ] {
            if let Some(v) = parts.headers.get(&name) {
                not_modified.headers_mut().insert(name, v.clone());
            }
        }
        return not_modified;
    }
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(bytes))
}

fn set(h: &mut HeaderMap, name: header::HeaderName, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        h.insert(name, v);
    }
}

/// The strong entity tag of a body: its SHA-256, quoted.
pub fn etag(body: &[u8]) -> String {
    format!("\"{}\"", sunledger_store::hex(&Sha256::digest(body)))
}

/// Whether an `If-None-Match` value names `tag` (weak comparison, as RFC 9110 asks for it).
pub fn matches(header: &HeaderValue, tag: &str) -> bool {
    let Ok(s) = header.to_str() else {
        return false;
    };
    s.split(',').map(str::trim).any(|t| {
        let t = t.strip_prefix("W/").unwrap_or(t);
        t == "*" || t == tag
    })
}

/// The time of the newest log entry (Unix seconds), when the store answers.
async fn newest_entry(state: &AppState) -> Option<i64> {
    let size = state.store.log_size().await.ok()?;
    let last = size.checked_sub(1)?;
    state
        .store
        .log_leaf(last)
        .await
        .ok()
        .flatten()
        .map(|l| l.at)
}

/// A Unix time as an HTTP date (`Sun, 06 Nov 1994 08:49:37 GMT`).
pub fn http_date(ts: i64) -> String {
    let Ok(t) = time::OffsetDateTime::from_unix_timestamp(ts) else {
        return String::new();
    };
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let day = DAYS
        .get(usize::from(t.weekday().number_days_from_monday()))
        .unwrap_or(&"Mon");
    let month = MONTHS
        .get(usize::from(u8::from(t.month())).saturating_sub(1))
        .unwrap_or(&"Jan");
    format!(
        "{day}, {:02} {month} {:04} {:02}:{:02}:{:02} GMT",
        t.day(),
        t.year(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_tags() {
        assert_eq!(http_date(784_111_777), "Sun, 06 Nov 1994 08:49:37 GMT");
        let tag = etag(b"x");
        assert!(tag.starts_with('"') && tag.len() == 66);
        let h = |s: &str| HeaderValue::from_str(s).unwrap();
        assert!(matches(&h(&tag), &tag));
        assert!(matches(&h(&format!("\"a\", W/{tag}")), &tag));
        assert!(matches(&h("*"), &tag));
        assert!(!matches(&h("\"a\""), &tag));
    }
}
