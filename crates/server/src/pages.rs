//! The reader's page, rendered on the server (askama escapes every value;
//! the page has no script).

use crate::api::{SearchParams, StoryOut, parse_story_id, story_out};
use crate::{ApiError, AppState, encode_segment};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use khabar_core::Span;
use khabar_search::highlight::highlight_spans;
use khabar_search::{Hit, SearchResults};
use khabar_store::{StoredDocument, StorySummary};

/// A run of text, marked (`class` non-empty) or not.
pub(crate) struct Piece {
    pub(crate) text: String,
    pub(crate) class: String,
}

/// Splits `text` at `marks` (sorted by start; overlapping or invalid marks are dropped).
pub(crate) fn pieces(text: &str, marks: &[(Span, String)]) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut at = 0usize;
    for (span, class) in marks {
        let (s, e) = (span.start as usize, span.end as usize);
        if s < at || e <= s || text.get(s..e).is_none() || text.get(at..s).is_none() {
            continue;
        }
        if s > at {
            out.push(Piece {
                text: text[at..s].to_string(),
                class: String::new(),
            });
        }
        out.push(Piece {
            text: text[s..e].to_string(),
            class: class.clone(),
        });
        at = e;
    }
    if at < text.len() {
        out.push(Piece {
            text: text[at..].to_string(),
            class: String::new(),
        });
    }
    out
}

fn meta(source: Option<&str>, date: Option<&str>, extra: Option<&str>) -> String {
    let date = date.map(|d| d.get(..10).unwrap_or(d));
    [source, date, extra]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" · ")
}

pub(crate) struct HitView {
    href: String,
    title: Vec<Piece>,
    meta: String,
    snippet: Vec<Piece>,
    story_href: Option<String>,
}

pub(crate) struct ResultsView {
    summary: String,
    hits: Vec<HitView>,
}

pub(crate) struct StoryItem {
    href: String,
    title: String,
    meta: String,
}

#[derive(Template)]
#[template(path = "index.html")]
struct IndexPage {
    q: String,
    error: Option<String>,
    results: Option<ResultsView>,
    stories: Vec<StoryItem>,
}

fn hit_view(h: &Hit, q: &str) -> HitView {
    let title_text = h.title.clone().unwrap_or_else(|| h.id.clone());
    let title_marks: Vec<(Span, String)> = h
        .title_highlights
        .iter()
        .map(|o| (Span::new(o.start, o.end), "hit".to_string()))
        .collect();
    let base = h.snippet.offsets.start;
    let snippet_marks: Vec<(Span, String)> = h
        .snippet
        .highlights
        .iter()
        .map(|o| (Span::new(o.start - base, o.end - base), "hit".to_string()))
        .collect();
    HitView {
        href: format!(
            "/documents/{}?q={}",
            encode_segment(&h.id),
            encode_segment(q)
        ),
        title: pieces(&title_text, &title_marks),
        meta: meta(h.source.as_deref(), h.date.as_deref(), None),
        snippet: pieces(&h.snippet.text, &snippet_marks),
        story_href: h.story.map(|s| format!("/stories/{s}")),
    }
}

fn story_items(stories: Vec<StorySummary>) -> Vec<StoryItem> {
    stories
        .into_iter()
        .map(|s| StoryItem {
            href: format!("/stories/{}", s.id),
            meta: meta(
                None,
                s.last_date.as_deref(),
                Some(&format!("{} تقرير", s.size)),
            ),
            title: s.title,
        })
        .collect()
}

fn render(t: &impl Template, status: StatusCode) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => ApiError::internal(format!("page rendering failed: {e}")).into_response(),
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    q: String,
    status: u16,
    message: String,
}

fn error_page(e: ApiError) -> Response {
    render(
        &ErrorPage {
            q: String::new(),
            status: e.status.as_u16(),
            message: e.message,
        },
        e.status,
    )
}

pub(crate) async fn index(State(st): State<AppState>, Query(p): Query<SearchParams>) -> Response {
    let q = p.q.clone().unwrap_or_default();
    let want_search = !q.trim().is_empty();
    let req = p.request(20);
    let result = st
        .read(move |a| {
            let stories = a.store().stories(30, 0)?;
            let search: Option<Result<SearchResults, khabar_search::Error>> =
                want_search.then(|| a.search(&req));
            Ok::<_, khabar_store::Error>((stories, search))
        })
        .await;
    let (stories, search) = match result {
        Ok(Ok(v)) => v,
        Ok(Err(e)) => return error_page(e.into()),
        Err(e) => return error_page(e),
    };
    let mut status = StatusCode::OK;
    let (results, error) = match search {
        None => (None, None),
        Some(Ok(r)) => {
            let summary = match r.total {
                Some(0) | None if r.hits.is_empty() => format!("لا نتائج لـ «{}».", r.query),
                Some(t) => format!("{t} نتيجة لـ «{}»", r.query),
                None => format!("نتائج «{}»", r.query),
            };
            let hits = r.hits.iter().map(|h| hit_view(h, &q)).collect();
            (Some(ResultsView { summary, hits }), None)
        }
        Some(Err(e)) => {
            let e: ApiError = e.into();
            status = e.status;
            (None, Some(e.message))
        }
    };
    render(
        &IndexPage {
            q,
            error,
            results,
            stories: story_items(stories),
        },
        status,
    )
}

pub(crate) struct LineView {
    text: String,
    support: u32,
    sources: String,
}

pub(crate) struct EntityView {
    name: String,
    label: String,
    count: u32,
}

pub(crate) struct QuoteView {
    text: String,
    source: String,
    href: String,
}

pub(crate) struct QuoteGroupView {
    speaker: String,
    quotes: Vec<QuoteView>,
}

pub(crate) struct MemberView {
    href: String,
    title: String,
    meta: String,
}

pub(crate) struct DocView {
    title: String,
    meta: String,
    pieces: Vec<Piece>,
}

#[derive(Template)]
#[template(path = "story.html")]
struct StoryPage {
    q: String,
    title: String,
    meta: String,
    lines: Vec<LineView>,
    entities: Vec<EntityView>,
    quote_groups: Vec<QuoteGroupView>,
    members: Vec<MemberView>,
    lead: Option<DocView>,
}

/// Entity marks of a document (class `ent ent-LABEL`), sorted.
fn entity_marks(d: &StoredDocument) -> Vec<(Span, String)> {
    let mut m: Vec<(Span, String)> = d
        .mentions
        .iter()
        .map(|e| {
            let label: String = e
                .label
                .chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .collect();
            (e.span, format!("ent ent-{label}"))
        })
        .collect();
    m.sort_by_key(|(s, _)| (s.start, std::cmp::Reverse(s.end)));
    m
}

fn doc_view(d: &StoredDocument, marks: &[(Span, String)]) -> DocView {
    DocView {
        title: d.title.clone().unwrap_or_else(|| d.id.clone()),
        meta: meta(d.source.as_deref(), d.date.as_deref(), Some(&d.id)),
        pieces: pieces(&d.text, marks),
    }
}

fn story_page(s: StoryOut) -> StoryPage {
    let meta_line = meta(
        None,
        s.summary.first_date.as_deref(),
        Some(&format!("{} تقرير", s.summary.size)),
    );
    StoryPage {
        q: String::new(),
        title: s.summary.title.clone(),
        meta: meta_line,
        lines: s
            .lines
            .iter()
            .map(|l| LineView {
                text: l.text.clone(),
                support: l.support,
                sources: l
                    .sources
                    .iter()
                    .map(|x| x.doc_id.as_str())
                    .collect::<Vec<_>>()
                    .join("، "),
            })
            .collect(),
        entities: s
            .entities
            .iter()
            .map(|e| EntityView {
                name: e.name.clone(),
                label: e
                    .label
                    .chars()
                    .filter(|c| c.is_ascii_alphanumeric())
                    .collect(),
                count: e.count,
            })
            .collect(),
        quote_groups: s
            .quotes
            .iter()
            .map(|g| QuoteGroupView {
                speaker: g.speaker.clone(),
                quotes: g
                    .quotes
                    .iter()
                    .map(|q| QuoteView {
                        text: q.text.clone(),
                        source: q.source.clone().unwrap_or_else(|| q.doc_id.clone()),
                        href: format!("/documents/{}", encode_segment(&q.doc_id)),
                    })
                    .collect(),
            })
            .collect(),
        members: s
            .members
            .iter()
            .map(|m| MemberView {
                href: format!("/documents/{}", encode_segment(&m.id)),
                title: m.title.clone().unwrap_or_else(|| m.id.clone()),
                meta: meta(m.source.as_deref(), m.date.as_deref(), None),
            })
            .collect(),
        lead: s.lead.as_ref().map(|d| doc_view(d, &entity_marks(d))),
    }
}

pub(crate) async fn story(State(st): State<AppState>, Path(id): Path<String>) -> Response {
    let id = match parse_story_id(&id) {
        Ok(id) => id,
        Err(e) => return error_page(e),
    };
    match st.read(move |a| story_out(a, id)).await {
        Ok(Ok(Some(s))) => render(&story_page(s), StatusCode::OK),
        Ok(Ok(None)) => error_page(ApiError::not_found("story")),
        Ok(Err(e)) => error_page(e.into()),
        Err(e) => error_page(e),
    }
}

#[derive(Template)]
#[template(path = "document.html")]
struct DocumentPage {
    q: String,
    doc: DocView,
    story_href: Option<String>,
    link: Option<String>,
}

#[derive(Debug, serde::Deserialize)]
pub(crate) struct DocParams {
    q: Option<String>,
}

pub(crate) async fn document(
    State(st): State<AppState>,
    Path(id): Path<String>,
    Query(p): Query<DocParams>,
) -> Response {
    let q = p.q.unwrap_or_default();
    let q2 = q.clone();
    let loaded = st
        .read(
            move |a| -> Result<Option<(StoredDocument, Vec<Span>)>, khabar_store::Error> {
                let Some(d) = a.store().document(&id)? else {
                    return Ok(None);
                };
                // Search highlights when the reader came from a search.
                let mut hits = Vec::new();
                if !q2.trim().is_empty()
                    && let Ok(parsed) = a.parse(&q2)
                    && let Ok(analysis) = a.analyzer().analyze(&d.text)
                {
                    hits = highlight_spans(&analysis, &d.text, &parsed.highlight_terms());
                }
                Ok(Some((d, hits)))
            },
        )
        .await;
    let (d, hits) = match loaded {
        Ok(Ok(Some(v))) => v,
        Ok(Ok(None)) => return error_page(ApiError::not_found("document")),
        Ok(Err(e)) => return error_page(e.into()),
        Err(e) => return error_page(e),
    };
    let mut marks = entity_marks(&d);
    marks.extend(hits.into_iter().map(|s| (s, "hit".to_string())));
    marks.sort_by_key(|(s, _)| (s.start, std::cmp::Reverse(s.end)));
    let link = d
        .url
        .clone()
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"));
    render(
        &DocumentPage {
            q,
            story_href: d.story.map(|s| format!("/stories/{s}")),
            doc: doc_view(&d, &marks),
            link,
        },
        StatusCode::OK,
    )
}

pub(crate) async fn style() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../static/style.css"),
    )
        .into_response()
}
