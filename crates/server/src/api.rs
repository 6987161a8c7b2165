//! The JSON API (documented in `docs/API.md`).

use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use khabar::Document;
use khabar_core::Span;
use khabar_search::highlight::{Offsets, with_utf16};
use khabar_search::{Archive, Health, IngestOptions, IngestReport, SearchRequest, SearchResults};
use khabar_store::{DocumentSummary, Filters, StoredDocument, StorySummary};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Most members loaded for a story view.
const MAX_STORY_MEMBERS: usize = 200;
/// Most documents one POST may carry.
const MAX_POST_DOCUMENTS: usize = 1000;

/// Query string of `/api/search` and of the page.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct SearchParams {
    pub(crate) q: Option<String>,
    pub(crate) source: Option<String>,
    pub(crate) entity: Option<String>,
    pub(crate) from: Option<String>,
    pub(crate) to: Option<String>,
    pub(crate) limit: Option<usize>,
    pub(crate) offset: Option<usize>,
}

fn non_empty(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

impl SearchParams {
    pub(crate) fn request(&self, default_limit: usize) -> SearchRequest {
        SearchRequest {
            query: self.q.clone().unwrap_or_default(),
            filters: Filters {
                source: non_empty(&self.source),
                entity: non_empty(&self.entity),
                from: non_empty(&self.from),
                to: non_empty(&self.to),
            },
            limit: self.limit.unwrap_or(default_limit),
            offset: self.offset.unwrap_or(0).min(10_000),
        }
    }
}

#[derive(Serialize)]
pub(crate) struct HealthOut {
    status: &'static str,
    version: &'static str,
    #[serde(flatten)]
    health: Health,
}

pub(crate) async fn health(State(st): State<AppState>) -> Result<Json<HealthOut>, ApiError> {
    let h = st.read(|a| a.health()).await??;
    Ok(Json(HealthOut {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
        health: h,
    }))
}

pub(crate) async fn search(
    State(st): State<AppState>,
    Query(p): Query<SearchParams>,
) -> Result<Json<SearchResults>, ApiError> {
    if non_empty(&p.q).is_none() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "missing query: use /api/search?q=WORDS",
        ));
    }
    let req = p.request(10);
    Ok(Json(st.read(move |a| a.search(&req)).await??))
}

#[derive(Debug, Deserialize)]
pub(crate) struct Page {
    limit: Option<usize>,
    offset: Option<usize>,
}

pub(crate) async fn stories(
    State(st): State<AppState>,
    Query(p): Query<Page>,
) -> Result<Json<Vec<StorySummary>>, ApiError> {
    let limit = p.limit.unwrap_or(50).min(500);
    let offset = p.offset.unwrap_or(0);
    Ok(Json(
        st.read(move |a| a.store().stories(limit, offset)).await??,
    ))
}

/// An entity mention with offsets in bytes and UTF-16.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct MentionOut {
    label: String,
    key: String,
    #[serde(flatten)]
    offsets: Offsets,
}

/// A quote with offsets in bytes and UTF-16.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct QuoteOut {
    content: Offsets,
    speaker: Option<Offsets>,
    speaker_key: Option<String>,
    cue: Option<Offsets>,
}

/// A document as the API returns it.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct DocumentOut {
    id: String,
    seq: i64,
    title: Option<String>,
    date: Option<String>,
    source: Option<String>,
    url: Option<String>,
    story: Option<i64>,
    duplicate_of: Option<String>,
    text: String,
    sentences: Vec<Offsets>,
    mentions: Vec<MentionOut>,
    quotes: Vec<QuoteOut>,
}

fn one(text: &str, s: Span) -> Offsets {
    with_utf16(text, &[s])[0]
}

pub(crate) fn document_out(d: StoredDocument) -> DocumentOut {
    let text = &d.text;
    let mentions = d
        .mentions
        .iter()
        .map(|m| MentionOut {
            label: m.label.clone(),
            key: m.key.clone(),
            offsets: one(text, m.span),
        })
        .collect();
    let quotes = d
        .quotes
        .iter()
        .map(|q| QuoteOut {
            content: one(text, q.content),
            speaker: q.speaker.map(|s| one(text, s)),
            speaker_key: q.speaker_key.clone(),
            cue: q.cue.map(|s| one(text, s)),
        })
        .collect();
    DocumentOut {
        sentences: with_utf16(text, &d.sentences),
        mentions,
        quotes,
        id: d.id,
        seq: d.seq,
        title: d.title,
        date: d.date,
        source: d.source,
        url: d.url,
        story: d.story,
        duplicate_of: d.duplicate_of,
        text: d.text,
    }
}

pub(crate) async fn document(
    State(st): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<DocumentOut>, ApiError> {
    let d = st
        .read(move |a| a.store().document(&id))
        .await??
        .ok_or_else(|| ApiError::not_found("document"))?;
    Ok(Json(document_out(d)))
}

/// An entity of a story: how often it is mentioned across the members.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct EntityCount {
    pub(crate) key: String,
    pub(crate) label: String,
    /// The most frequent spelling.
    pub(crate) name: String,
    pub(crate) count: u32,
}

/// A quote of a story.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct StoryQuote {
    pub(crate) doc_id: String,
    pub(crate) source: Option<String>,
    pub(crate) text: String,
    #[serde(flatten)]
    pub(crate) offsets: Offsets,
}

/// Quotes of one speaker.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct QuoteGroup {
    pub(crate) speaker_key: Option<String>,
    pub(crate) speaker: String,
    pub(crate) quotes: Vec<StoryQuote>,
}

/// A summary line's source, with offsets into that document's text.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct LineSourceOut {
    pub(crate) doc_id: String,
    #[serde(flatten)]
    pub(crate) offsets: Option<Offsets>,
}

/// A summary line.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct LineOut {
    pub(crate) text: String,
    pub(crate) support: u32,
    pub(crate) sources: Vec<LineSourceOut>,
}

/// A story with its digest, as the API and the story page use it.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct StoryOut {
    #[serde(flatten)]
    pub(crate) summary: StorySummary,
    pub(crate) members: Vec<DocumentSummary>,
    pub(crate) lines: Vec<LineOut>,
    pub(crate) entities: Vec<EntityCount>,
    pub(crate) quotes: Vec<QuoteGroup>,
    /// The earliest member, in full (the page shows it with entities highlighted).
    #[serde(skip)]
    pub(crate) lead: Option<StoredDocument>,
}

/// Loads a story with its members' entities and quotes.
pub(crate) fn story_out(a: &Archive, id: i64) -> Result<Option<StoryOut>, khabar_store::Error> {
    let store = a.store();
    let Some(story) = store.story(id)? else {
        return Ok(None);
    };
    let mut docs: BTreeMap<String, StoredDocument> = BTreeMap::new();
    for m in story.members.iter().take(MAX_STORY_MEMBERS) {
        if let Some(d) = store.document_by_seq(m.seq)? {
            docs.insert(d.id.clone(), d);
        }
    }
    // Entities: counts per key, the commonest spelling as the name.
    let mut ents: BTreeMap<String, (String, u32, BTreeMap<String, u32>)> = BTreeMap::new();
    let mut groups: BTreeMap<Option<String>, QuoteGroup> = BTreeMap::new();
    for m in &story.members {
        let Some(d) = docs.get(&m.id) else { continue };
        for e in &d.mentions {
            let entry = ents
                .entry(e.key.clone())
                .or_insert_with(|| (e.label.clone(), 0, BTreeMap::new()));
            entry.1 += 1;
            *entry
                .2
                .entry(e.span.slice(&d.text).to_string())
                .or_default() += 1;
        }
        for q in &d.quotes {
            let speaker = q
                .speaker
                .map(|s| s.slice(&d.text).to_string())
                .or_else(|| q.speaker_key.clone())
                .unwrap_or_else(|| "غير منسوب".to_string());
            let g = groups
                .entry(q.speaker_key.clone())
                .or_insert_with(|| QuoteGroup {
                    speaker_key: q.speaker_key.clone(),
                    speaker,
                    quotes: Vec::new(),
                });
            g.quotes.push(StoryQuote {
                doc_id: d.id.clone(),
                source: d.source.clone(),
                text: q.content.slice(&d.text).to_string(),
                offsets: one(&d.text, q.content),
            });
        }
    }
    let mut entities: Vec<EntityCount> = ents
        .into_iter()
        .map(|(key, (label, count, names))| {
            let name = names
                .into_iter()
                .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
                .map(|(n, _)| n)
                .unwrap_or_else(|| key.clone());
            EntityCount {
                key,
                label,
                name,
                count,
            }
        })
        .collect();
    entities.sort_by(|a, b| b.count.cmp(&a.count).then(a.key.cmp(&b.key)));
    let mut quotes: Vec<QuoteGroup> = groups.into_values().collect();
    quotes.sort_by(|a, b| {
        b.quotes
            .len()
            .cmp(&a.quotes.len())
            .then(a.speaker_key.cmp(&b.speaker_key))
    });
    let lines = story
        .lines
        .iter()
        .map(|l| LineOut {
            text: l.text.clone(),
            support: l.support,
            sources: l
                .sources
                .iter()
                .map(|s| LineSourceOut {
                    doc_id: s.doc_id.clone(),
                    offsets: docs
                        .get(&s.doc_id)
                        .and_then(|d| d.text.get(s.span.range()).map(|_| one(&d.text, s.span))),
                })
                .collect(),
        })
        .collect();
    let lead = story.members.first().and_then(|m| docs.get(&m.id).cloned());
    Ok(Some(StoryOut {
        summary: story.summary,
        members: story.members,
        lines,
        entities,
        quotes,
        lead,
    }))
}

pub(crate) fn parse_story_id(id: &str) -> Result<i64, ApiError> {
    id.parse::<i64>().map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("bad story id {id:?}: story ids are numbers"),
        )
    })
}

pub(crate) async fn story(
    State(st): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<StoryOut>, ApiError> {
    let id = parse_story_id(&id)?;
    let s = st
        .read(move |a| story_out(a, id))
        .await??
        .ok_or_else(|| ApiError::not_found("story"))?;
    Ok(Json(s))
}

/// A document in a POST body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PostDocument {
    id: String,
    text: String,
    title: Option<String>,
    date: Option<String>,
    source: Option<String>,
    url: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum PostBody {
    Many(Vec<PostDocument>),
    One(PostDocument),
}

/// Compares tokens without an early exit on the first differing byte.
fn same_token(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub(crate) async fn post_documents(
    State(st): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Json<IngestReport>, ApiError> {
    let Some(token) = st.write_token.clone() else {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "this server is read-only: start it with --write-token (or KHABAR_WRITE_TOKEN) to accept documents",
        ));
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    if !same_token(given.as_bytes(), token.as_bytes()) {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "missing or wrong token: send Authorization: Bearer TOKEN",
        ));
    }
    let parsed: PostBody = serde_json::from_slice(&body).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("body must be a document {{\"id\", \"text\", …}} or a list of them: {e}"),
        )
    })?;
    let docs = match parsed {
        PostBody::Many(v) => v,
        PostBody::One(d) => vec![d],
    };
    if docs.len() > MAX_POST_DOCUMENTS {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("at most {MAX_POST_DOCUMENTS} documents per request"),
        ));
    }
    if let Some(d) = docs.iter().find(|d| d.id.trim().is_empty()) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            format!(
                "a document has an empty id (text starts {:?})",
                d.text.chars().take(20).collect::<String>()
            ),
        ));
    }
    let docs: Vec<Document> = docs
        .into_iter()
        .map(|p| {
            let mut d = Document::new(p.id, p.text);
            d.title = p.title;
            d.date = p.date;
            d.source = p.source;
            d.url = p.url;
            d
        })
        .collect();
    let archive = st.archive.clone();
    let hooks = st.hooks.clone();
    let report = tokio::task::spawn_blocking(move || {
        let mut guard = archive.write().unwrap_or_else(|p| p.into_inner());
        let mut hooks = hooks.lock().unwrap_or_else(|p| p.into_inner());
        let hooks = &mut *hooks;
        guard.ingest(
            docs.into_iter().map(Ok),
            IngestOptions::default(),
            hooks.annotator.as_ref(),
            hooks.assigner.as_mut(),
            |_| {},
        )
    })
    .await
    .map_err(|_| ApiError::internal("the ingest failed"))??;
    Ok(Json(report))
}
