//! # khabar-server: the archive over HTTP
//!
//! A read-only JSON API (`/api/search`, `/api/stories`, `/api/stories/{id}`,
//! `/api/documents/{id}`, `/api/health`; see `docs/API.md`) and one
//! right-to-left page for readers: a search box with highlighted results, the
//! story list, a story view with its digest (summary lines with support
//! counts, entities, quotes grouped by speaker) and an article view with
//! entities highlighted in the text.
//!
//! **Safety.** Everything is read-only unless a write token is configured;
//! then `POST /api/documents` ingests documents sent with
//! `Authorization: Bearer TOKEN`. Request bodies are capped, requests time
//! out, and each client IP gets a token bucket. Article text is treated as
//! hostile: pages are rendered by askama with HTML escaping, carry no script
//! at all, and are served with a `Content-Security-Policy` that forbids
//! scripts, so markup inside an article is shown as text.
//!
//! Offsets in the API: `start`/`end` are byte offsets into the UTF-8 string
//! they refer to; `start_utf16`/`end_utf16` are UTF-16 code units into the
//! same string, ready for JavaScript's `String.prototype.slice`.
//!
//! ## Should I use this crate?
//! Use it to serve an archive built with `khabar ingest`; `khabar serve` is a
//! thin wrapper around [`serve`].
#![deny(missing_docs)]

mod api;
mod pages;
mod ratelimit;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use khabar_search::Archive;
use khabar_search::hooks::{Annotator, NoAnnotations, StoryAssigner, TermOverlapStories};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

/// Server settings.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// Token that unlocks `POST /api/documents`; `None` keeps the server read-only.
    pub write_token: Option<String>,
    /// Requests per second each client IP may make (bursts up to twice that); 0 turns the limit off.
    pub rate_limit_per_sec: u32,
    /// Largest request body, in bytes.
    pub max_body_bytes: usize,
    /// Requests taking longer are answered with 503.
    pub timeout: Duration,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            write_token: None,
            rate_limit_per_sec: 50,
            max_body_bytes: 2 << 20,
            timeout: Duration::from_secs(15),
        }
    }
}

/// Errors of the server.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Binding or serving failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// What `POST /api/documents` runs on new documents (the same hooks as `khabar ingest`).
pub struct Hooks {
    /// Entity and quote annotation.
    pub annotator: Box<dyn Annotator>,
    /// Story assignment.
    pub assigner: Box<dyn StoryAssigner>,
}

impl Default for Hooks {
    /// No annotations (until the NER and quote engines are wired) and the placeholder story assigner.
    fn default() -> Self {
        Hooks {
            annotator: Box::new(NoAnnotations),
            assigner: Box::new(TermOverlapStories::new()),
        }
    }
}

/// Shared state of the handlers.
#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) archive: Arc<RwLock<Archive>>,
    pub(crate) write_token: Option<Arc<str>>,
    pub(crate) hooks: Arc<Mutex<Hooks>>,
}

impl AppState {
    /// Runs `f` with the archive on the blocking pool (store and index calls block).
    pub(crate) async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Archive) -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        let archive = self.archive.clone();
        tokio::task::spawn_blocking(move || {
            let guard = archive.read().unwrap_or_else(|p| p.into_inner());
            f(&guard)
        })
        .await
        .map_err(|_| ApiError::internal("the request handler failed"))
    }
}

/// An error answer: JSON for the API, a page for the site.
#[derive(Debug)]
pub(crate) struct ApiError {
    pub(crate) status: StatusCode,
    pub(crate) message: String,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
        }
    }

    pub(crate) fn internal(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, message)
    }

    pub(crate) fn not_found(what: &str) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, format!("{what} not found"))
    }
}

impl From<khabar_search::Error> for ApiError {
    fn from(e: khabar_search::Error) -> ApiError {
        match e {
            khabar_search::Error::Query(q) => ApiError::new(StatusCode::BAD_REQUEST, q.to_string()),
            e => ApiError::internal(e.to_string()),
        }
    }
}

impl From<khabar_store::Error> for ApiError {
    fn from(e: khabar_store::Error) -> ApiError {
        ApiError::internal(e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error": self.message });
        (self.status, axum::Json(body)).into_response()
    }
}

/// The router: API, pages and static files, with the safety layers.
pub fn router(archive: Arc<RwLock<Archive>>, config: &ServerConfig, hooks: Hooks) -> Router {
    let state = AppState {
        archive,
        hooks: Arc::new(Mutex::new(hooks)),
        write_token: config
            .write_token
            .as_deref()
            .filter(|t| !t.is_empty())
            .map(Arc::from),
    };
    let limiter = ratelimit::RateLimiter::new(config.rate_limit_per_sec);
    Router::new()
        .route("/", get(pages::index))
        .route("/stories/{id}", get(pages::story))
        .route("/documents/{id}", get(pages::document))
        .route("/static/style.css", get(pages::style))
        .route("/api/health", get(api::health))
        .route("/api/search", get(api::search))
        .route("/api/stories", get(api::stories))
        .route("/api/stories/{id}", get(api::story))
        .route("/api/documents", post(api::post_documents))
        .route("/api/documents/{id}", get(api::document))
        .fallback(|| async { ApiError::not_found("page") })
        .with_state(state)
        .layer(DefaultBodyLimit::max(config.max_body_bytes))
        .layer(axum::middleware::from_fn_with_state(
            limiter,
            ratelimit::limit,
        ))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            config.timeout,
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'none'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
            ),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
}

/// Serves `archive` on `listener` until Ctrl-C (or SIGTERM).
///
/// # Errors
/// I/O errors of the listener.
pub async fn serve(
    listener: tokio::net::TcpListener,
    archive: Arc<RwLock<Archive>>,
    config: ServerConfig,
    hooks: Hooks,
) -> Result<(), Error> {
    let app = router(archive, &config, hooks);
    // Responses go out in more than one write; without TCP_NODELAY, Nagle's algorithm and
    // the client's delayed ACK hold each keep-alive response back by tens of milliseconds.
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown())
    .await?;
    Ok(())
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

/// Percent-encodes a path segment (ids may hold any character).
pub(crate) fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests;
