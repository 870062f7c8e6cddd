//! Reads from a read replica (`serve --read-replica URL`), and the writer's own writes.
//!
//! With a replica configured, a GET or HEAD runs inside [`sunledger_store::replica::allowed`], so
//! the store's dashboard, public page and search reads go to the replica, unless the request
//! carries [`WAL_COOKIE`] and the replica has not yet replayed up to the position it names: then
//! everything it reads comes from the primary. Every state-changing request (not GET, HEAD or
//! OPTIONS; even one refused, which may have booked an attempt) gets that cookie, holding the
//! primary's WAL position after it, for [`MAX_AGE`] seconds. Without a replica this layer does
//! nothing.
use crate::AppState;
use crate::app::ctx::cookie_value;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::Response;

/// The cookie holding the primary's WAL position after the reader's last write.
pub const WAL_COOKIE: &str = "sunledger_wal";
/// How long after a write its writer's reads wait for the replica (seconds); a replica further
/// behind than that is someone's alert to act on, not something each page should wait for.
pub const MAX_AGE: u32 = 60;

/// The middleware (see the module's comment).
pub async fn route_reads(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if !state.store.has_replica() {
        return next.run(req).await;
    }
    let method = req.method().clone();
    if method == Method::GET || method == Method::HEAD {
        let replica = match cookie_value(req.headers(), WAL_COOKIE) {
            None => true,
            Some(position) => match state.store.replica_has(position).await {
                Ok(has) => has,
                Err(e) => {
                    tracing::warn!(error = %e, "asking the read replica where it is");
                    false
                }
            },
        };
        return if replica {
            sunledger_store::replica::allowed(next.run(req)).await
        } else {
            next.run(req).await
        };
    }
    if method == Method::OPTIONS {
        return next.run(req).await;
    }
    let mut resp = next.run(req).await;
    match state.store.write_position().await {
        Ok(Some(position)) => {
            let cookie = format!(
                "{WAL_COOKIE}={position}; Path=/; Max-Age={MAX_AGE}; HttpOnly; SameSite=Lax"
            );
            match HeaderValue::from_str(&cookie) {
                Ok(v) => {
                    resp.headers_mut().append(header::SET_COOKIE, v);
                }
                Err(e) => tracing::warn!(error = %e, "the WAL position cookie"),
            }
        }
        Ok(None) => {}
        Err(e) => tracing::warn!(error = %e, "reading the primary's WAL position"),
    }
    resp
}
