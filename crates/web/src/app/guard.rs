//! Request hardening, applied to every response of the application:
//!
//! - **Origin check.** A state-changing request (anything but GET, HEAD and OPTIONS) is refused
//!   when the browser says it came from another origin: `Origin` differs from this server's own
//!   origin in scheme, host or port, or `Sec-Fetch-Site` is `cross-site`/`same-site`. Clients
//!   that send neither header (the CLI, curl) are not browsers and cannot be driven by another
//!   site, so they pass; session cookies are also `SameSite=Lax`.
//! - **The server's own origin.** The server speaks plain HTTP; behind a TLS-terminating proxy
//!   whose address is configured (`serve --trusted-proxy IP`), that proxy's `X-Forwarded-Proto`
//!   (and `X-Forwarded-Host`) say the scheme and host the browser used, and the client address
//!   it appends to `X-Forwarded-For` replaces the proxy's own as the request's client address
//!   (sign-in limits and the access record then see the real client). Those headers are ignored
//!   from anyone else, so a client cannot claim HTTPS or another address.
//! - **Headers.** Every response carries a Content-Security-Policy without inline script or
//!   style (`frame-ancestors 'none'`), `X-Frame-Options: DENY`, `X-Content-Type-Options:
//!   nosniff`, `Referrer-Policy: same-origin` and `Cross-Origin-Opener-Policy: same-origin`.
//!   The browsable API documentation (`/api/docs`) renders with inline styles and data: images,
//!   so its policy allows those two (still no inline script).
//! - **Cookies over HTTPS.** When the request came over HTTPS, every `Set-Cookie` is marked
//!   `Secure` and `Strict-Transport-Security` is sent.
use crate::AppState;
use crate::app::error::{ApiError, WebError};
use crate::app::{ctx, page};
use crate::i18n::Lang;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::{IpAddr, SocketAddr};

/// The policy of every page and response: nothing inline, nothing from elsewhere, no framing.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; \
     font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

/// The policy of the browsable API documentation (Swagger UI sets inline styles and uses
/// data: images; its scripts are files served by this binary).
pub const CSP_API_DOCS: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; \
     connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
     frame-ancestors 'none'";

/// The scheme, host and port the browser used to reach this server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub https: bool,
    /// Lower-case host name or address (IPv6 in brackets).
    pub host: String,
    pub port: u16,
}

impl Origin {
    /// Parses `scheme://host[:port]` (an `Origin` header); `None` for anything else (`null`,
    /// other schemes, paths).
    pub fn parse(origin: &str) -> Option<Origin> {
        let (scheme, rest) = origin.split_once("://")?;
        let https = match scheme.to_ascii_lowercase().as_str() {
            "https" => true,
            "http" => false,
            _ => return None,
        };
        Origin::from_authority(https, rest.strip_suffix('/').unwrap_or(rest))
    }

    /// `host[:port]` (a `Host` header) under the given scheme.
    pub fn from_authority(https: bool, authority: &str) -> Option<Origin> {
        if authority.is_empty() || authority.contains(['/', '@', '?', '#', ' ']) {
            return None;
        }
        let default_port = if https { 443 } else { 80 };
        let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
            let (h, after) = rest.split_once(']')?;
            let port = match after {
                "" => default_port,
                p => p.strip_prefix(':')?.parse().ok()?,
            };
            (format!("[{}]", h.to_ascii_lowercase()), port)
        } else {
            match authority.rsplit_once(':') {
                Some((h, p)) => (h.to_ascii_lowercase(), p.parse().ok()?),
                None => (authority.to_ascii_lowercase(), default_port),
            }
        };
        if host.is_empty() {
            return None;
        }
        Some(Origin { https, host, port })
    }
}

/// The peer's address when it is one of the configured proxies.
fn trusted_peer(req: &Request, proxies: &[IpAddr]) -> bool {
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .is_some_and(|c| proxies.contains(&c.0.ip()))
}

/// The first value of a comma-separated forwarding header.
fn forwarded(headers: &HeaderMap, name: &str) -> Option<String> {
    let v = headers.get(name)?.to_str().ok()?;
    let first = v.split(',').next()?.trim();
    (!first.is_empty()).then(|| first.to_string())
}

/// Whether the browser reached this server over HTTPS: only a trusted proxy can say so.
pub fn is_https(req: &Request, proxies: &[IpAddr]) -> bool {
    trusted_peer(req, proxies)
        && forwarded(req.headers(), "x-forwarded-proto").is_some_and(|p| p == "https")
}

/// This server's origin as the browser sees it; `None` without a usable `Host`.
pub fn own_origin(req: &Request, proxies: &[IpAddr]) -> Option<Origin> {
    let https = is_https(req, proxies);
    let host = if trusted_peer(req, proxies) {
        forwarded(req.headers(), "x-forwarded-host")
    } else {
        None
    };
    let host = match host {
        Some(h) => h,
        None => req
            .headers()
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .or_else(|| req.uri().authority().map(|a| a.as_str()))?
            .to_string(),
    };
    Origin::from_authority(https, &host)
}

/// The client a trusted proxy forwarded for: the right-most `X-Forwarded-For` address that is
/// not itself a trusted proxy.
fn forwarded_client(req: &Request, proxies: &[IpAddr]) -> Option<IpAddr> {
    if !trusted_peer(req, proxies) {
        return None;
    }
    let all: Vec<IpAddr> = req
        .headers()
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|s| s.trim().parse::<IpAddr>())
        .collect::<Result<_, _>>()
        .ok()?;
    all.into_iter().rev().find(|ip| !proxies.contains(ip))
}

/// Whether `req` changes state on behalf of another site.
pub fn is_cross_origin(req: &Request, proxies: &[IpAddr]) -> bool {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return false;
    }
    let headers = req.headers();
    if let Some(origin) = headers.get(header::ORIGIN) {
        let claimed = origin.to_str().ok().and_then(Origin::parse);
        return match (claimed, own_origin(req, proxies)) {
            (Some(claimed), Some(own)) => claimed != own,
            _ => true,
        };
    }
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return !matches!(site, "same-origin" | "none");
    }
    false
}

/// The middleware: refuses cross-origin changes, and sets the security headers (and `Secure`
/// cookies over HTTPS) on every response.
pub async fn same_origin(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let proxies = &state.config.trusted_proxies;
    let https = is_https(&req, proxies);
    let docs = req.uri().path().starts_with("/api/docs");
    let mut resp = if is_cross_origin(&req, proxies) {
        let lang = ctx::lang_hint(req.uri(), req.headers()).unwrap_or(Lang::Zh);
        tracing::warn!(path = %req.uri().path(), "refused cross-origin request");
        if req.uri().path().starts_with("/api/") {
            ApiError(WebError::CrossOrigin, lang).into_response()
        } else {
            page::error_page(WebError::CrossOrigin, lang)
        }
    } else {
        if let Some(client) = forwarded_client(&req, proxies) {
            let port = req
                .extensions()
                .get::<ConnectInfo<SocketAddr>>()
                .map_or(0, |c| c.0.port());
            req.extensions_mut()
                .insert(ConnectInfo(SocketAddr::new(client, port)));
        }
        next.run(req).await
    };
    set_headers(resp.headers_mut(), https, docs);
    resp
}

fn set_headers(h: &mut HeaderMap, https: bool, docs: bool) {
    let csp = if docs { CSP_API_DOCS } else { CSP };
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(csp),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    if https {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
        let cookies: Vec<HeaderValue> = h
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| {
                let secure = v.to_str().is_ok_and(|s| {
                    s.split(';')
                        .any(|a| a.trim().eq_ignore_ascii_case("secure"))
                });
                if secure {
                    v.clone()
                } else {
                    let mut b = v.as_bytes().to_vec();
                    b.extend_from_slice(b"; Secure");
                    HeaderValue::from_bytes(&b).unwrap_or_else(|_| v.clone())
                }
            })
            .collect();
        h.remove(header::SET_COOKIE);
        for c in cookies {
            h.append(header::SET_COOKIE, c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_compare_scheme_host_and_port() {
        let own = Origin::from_authority(false, "Example.test:8080").unwrap();
        assert_eq!(Origin::parse("http://example.test:8080"), Some(own.clone()));
        assert_ne!(
            Origin::parse("https://example.test:8080"),
            Some(own.clone())
        );
        assert_ne!(Origin::parse("http://example.test:8081"), Some(own.clone()));
        assert_ne!(Origin::parse("http://example.test"), Some(own));
        assert_eq!(
            Origin::parse("https://example.test"),
            Origin::from_authority(true, "example.test:443")
        );
        assert_eq!(
            Origin::parse("http://[::1]:8080/"),
            Origin::from_authority(false, "[::1]:8080")
        );
        assert_eq!(Origin::parse("null"), None);
        assert_eq!(Origin::parse("file://"), None);
        assert_eq!(Origin::parse("http://a@b"), None);
        assert_eq!(Origin::parse("http://h:notaport"), None);
    }
}
