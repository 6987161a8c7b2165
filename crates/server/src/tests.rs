//! Router tests: the API and the page over an archive built in a temp folder.

use super::*;
use axum::body::Body;
use axum::http::Request;
use khabar::Document;
use khabar_search::hooks::{Annotations, NoStories};
use khabar_search::{IngestOptions, Location, Mode};
use khabar_store::{EntityMention, Quote};
use tower::ServiceExt;

const HOSTILE: &str = "مقال خبيث <script>alert('xss')</script> و<img src=x onerror=alert(1)> ثم <b>سوريا</b> & \"اقتباس\".";

fn annotate(doc: &Document, _a: &khabar_core::Analysis) -> Annotations {
    // A stand-in tagger: every «الأسد»/«الاسد» is PER, every «دمشق» is LOC, and a «…» after قال is a quote.
    let mut ann = Annotations::default();
    for (needle, label, key) in [
        ("الأسد", "PER", "بشار_الاسد"),
        ("الاسد", "PER", "بشار_الاسد"),
        ("دمشق", "LOC", "دمشق"),
    ] {
        for (i, _) in doc.text.match_indices(needle) {
            ann.mentions.push(EntityMention {
                span: khabar_core::Span::from_usize(i, i + needle.len()),
                label: label.into(),
                key: key.into(),
            });
        }
    }
    ann.mentions.sort_by_key(|m| m.span.start);
    if let (Some(o), Some(c)) = (doc.text.find('«'), doc.text.find('»')) {
        let speaker = doc
            .text
            .find("الأسد")
            .map(|i| khabar_core::Span::from_usize(i, i + "الأسد".len()));
        ann.quotes.push(Quote {
            content: khabar_core::Span::from_usize(o + '«'.len_utf8(), c),
            speaker,
            speaker_key: speaker.map(|_| "بشار_الاسد".to_string()),
            cue: None,
        });
    }
    ann
}

/// Puts a1 and a2 in story 1 (with a summary line) and anything else in story 2.
struct FixedStories;

impl khabar_search::hooks::StoryAssigner for FixedStories {
    fn resume(&mut self, _s: &dyn khabar_store::Store) -> Result<(), khabar_store::Error> {
        Ok(())
    }

    fn assign(
        &mut self,
        batch: &[khabar_search::hooks::AssignInput<'_>],
    ) -> Vec<khabar_store::StoryUpdate> {
        let (mut one, mut two) = (Vec::new(), Vec::new());
        for i in batch {
            if i.doc.id.starts_with('a') {
                one.push(i.doc.id.clone())
            } else {
                two.push(i.doc.id.clone())
            }
        }
        vec![
            khabar_store::StoryUpdate {
                id: 1,
                title: "الأسد وإعادة الإعمار".into(),
                add_members: one,
                lines: Some(vec![khabar_store::StoryLine {
                    text: "<i>الأسد</i> يعد بإعادة الإعمار.".into(),
                    support: 2,
                    sources: vec![khabar_store::LineSource {
                        doc_id: "a1".into(),
                        span: khabar_core::Span::new(0, 6),
                    }],
                }]),
                state: None,
            },
            khabar_store::StoryUpdate {
                id: 2,
                title: "<script>alert('story')</script>".into(),
                add_members: two,
                lines: None,
                state: None,
            },
        ]
    }
}

fn archive() -> (tempfile::TempDir, Arc<RwLock<Archive>>) {
    let dir = tempfile::tempdir().unwrap();
    let mut a = Archive::open(&Location::Dir(dir.path().into()), Mode::Write).unwrap();
    let mut d1 = Document::new("a1", "قال الرئيس بشار الأسد في دمشق: «سنعيد بناء سوريا».");
    d1.title = Some("الأسد يتحدث من دمشق".into());
    d1.source = Some("Mashreq".into());
    d1.date = Some("2018-04-10".into());
    let mut d2 = Document::new("a2", "اعلن الاسد اليوم ان سورية ستعيد الاعمار.");
    d2.title = Some("الاسد والاعمار".into());
    d2.source = Some("Yawmi".into());
    d2.date = Some("2018-04-11".into());
    let mut evil = Document::new("evil", HOSTILE);
    evil.title = Some("<script>alert('title')</script>".into());
    evil.url = Some("javascript:alert(1)".into());
    let mut stories = FixedStories;
    let _ = NoStories;
    a.ingest(
        vec![Ok(d1), Ok(d2), Ok(evil)],
        IngestOptions::default(),
        &annotate,
        &mut stories,
        |_| {},
    )
    .unwrap();
    (dir, Arc::new(RwLock::new(a)))
}

async fn get(app: &Router, uri: &str) -> (StatusCode, String, axum::http::HeaderMap) {
    let res = app
        .clone()
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let body = axum::body::to_bytes(res.into_body(), 1 << 24)
        .await
        .unwrap();
    (status, String::from_utf8(body.to_vec()).unwrap(), headers)
}

fn enc(s: &str) -> String {
    encode_segment(s)
}

#[tokio::test]
async fn search_api_finds_other_spellings_with_utf16_highlights() {
    let (_d, a) = archive();
    let app = router(a, &ServerConfig::default(), Hooks::default());
    let (status, body, _) = get(&app, &format!("/api/search?q={}", enc("سورية الأسد"))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let hits = v["hits"].as_array().unwrap();
    let ids: Vec<&str> = hits.iter().map(|h| h["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"a1") && ids.contains(&"a2"), "{ids:?}");
    for h in hits {
        let snip = h["snippet"]["text"].as_str().unwrap();
        let base16 = h["snippet"]["start_utf16"].as_u64().unwrap() as usize;
        let units: Vec<u16> = snip.encode_utf16().collect();
        for hl in h["snippet"]["highlights"].as_array().unwrap() {
            let s = hl["start_utf16"].as_u64().unwrap() as usize - base16;
            let e = hl["end_utf16"].as_u64().unwrap() as usize - base16;
            let word = String::from_utf16(&units[s..e]).unwrap();
            assert!(
                ["الأسد", "الاسد", "سوريا", "سورية"].contains(&word.as_str()),
                "{word}"
            );
        }
    }
}

#[tokio::test]
async fn filters_and_bad_queries() {
    let (_d, a) = archive();
    let app = router(a, &ServerConfig::default(), Hooks::default());
    let (_, body, _) = get(&app, &format!("/api/search?q={}&source=Yawmi", enc("الاسد"))).await;
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["total"], 1);
    assert_eq!(v["hits"][0]["id"], "a2");
    let (_, body, _) = get(
        &app,
        &format!("/api/search?q={}&entity={}", enc("سوريا"), enc("دمشق")),
    )
    .await;
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["hits"][0]["id"], "a1");
    assert_eq!(v["total"], 1);
    let (status, body, _) = get(
        &app,
        &format!("/api/search?q={}&from=2018-04-11", enc("الاسد")),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("\"a2\"") && !body.contains("\"a1\""),
        "{body}"
    );
    let (status, body, _) = get(&app, &format!("/api/search?q={}", enc("\"بشار"))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("unclosed quote"), "{body}");
    let (status, body, _) = get(&app, "/api/search?q=x&from=yesterday").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("YYYY-MM-DD"), "{body}");
    let (status, _, _) = get(&app, "/api/search").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn documents_stories_and_health() {
    let (_d, a) = archive();
    let app = router(a, &ServerConfig::default(), Hooks::default());
    let (status, body, _) = get(&app, "/api/documents/a1").await;
    assert_eq!(status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let text = v["text"].as_str().unwrap();
    let m = &v["mentions"][0];
    assert_eq!(m["key"], "بشار_الاسد");
    let units: Vec<u16> = text.encode_utf16().collect();
    let (s, e) = (
        m["start_utf16"].as_u64().unwrap() as usize,
        m["end_utf16"].as_u64().unwrap() as usize,
    );
    assert_eq!(String::from_utf16(&units[s..e]).unwrap(), "الأسد");
    assert_eq!(
        &text[m["start"].as_u64().unwrap() as usize..m["end"].as_u64().unwrap() as usize],
        "الأسد"
    );
    assert_eq!(
        get(&app, "/api/documents/nope").await.0,
        StatusCode::NOT_FOUND
    );

    let (_, body, _) = get(&app, "/api/stories").await;
    let stories: serde_json::Value = serde_json::from_str(&body).unwrap();
    let id = stories
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["size"] == 2)
        .expect("a1 and a2 share a story")["id"]
        .as_i64()
        .unwrap();
    assert_eq!(id, 1);
    let (status, body, _) = get(&app, &format!("/api/stories/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    let st: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(st["members"].as_array().unwrap().len(), 2);
    assert_eq!(st["entities"][0]["key"], "بشار_الاسد");
    assert_eq!(st["entities"][0]["count"], 2);
    assert_eq!(st["quotes"][0]["quotes"][0]["text"], "سنعيد بناء سوريا");
    assert_eq!(st["lines"][0]["support"], 2);
    assert_eq!(st["lines"][0]["sources"][0]["doc_id"], "a1");
    assert_eq!(st["lines"][0]["sources"][0]["end_utf16"], 3);
    assert_eq!(
        get(&app, "/api/stories/abc").await.0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(get(&app, "/api/stories/999").await.0, StatusCode::NOT_FOUND);

    let (status, body, _) = get(&app, "/api/health").await;
    assert_eq!(status, StatusCode::OK);
    let h: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(h["documents"], 3);
    assert_eq!(h["indexed"], 3);
    assert_eq!(h["index_lag"], 0);
}

#[tokio::test]
async fn the_page_is_rtl_and_escapes_hostile_articles() {
    let (_d, a) = archive();
    let app = router(a, &ServerConfig::default(), Hooks::default());
    let (status, html, headers) = get(&app, &format!("/?q={}", enc("سوريا"))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<html dir=\"rtl\" lang=\"ar\">"));
    assert!(
        html.contains("<mark class=\"hit\">"),
        "highlights are marked"
    );
    assert!(
        !html.contains("<script"),
        "no script tag reaches the page: {html}"
    );
    assert!(
        html.contains("&#60;b&#62;"),
        "the article's markup is shown as text: {html}"
    );
    let csp = headers
        .get(header::CONTENT_SECURITY_POLICY)
        .unwrap()
        .to_str()
        .unwrap();
    assert!(csp.contains("default-src 'none'"));
    let (_, html, _) = get(&app, "/documents/evil").await;
    assert!(
        !html.contains("<script") && !html.contains("<img"),
        "{html}"
    );
    assert!(
        html.contains("&#60;img src=x onerror=alert(1)&#62;"),
        "{html}"
    );
    assert!(!html.contains("javascript:"), "non-http links are dropped");
    let (_, html, _) = get(&app, "/documents/a1").await;
    assert!(
        html.contains("<mark class=\"ent ent-PER\">الأسد</mark>"),
        "{html}"
    );
    assert!(
        html.contains("<mark class=\"ent ent-LOC\">دمشق</mark>"),
        "{html}"
    );
    let (status, html, _) = get(&app, "/stories/1").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"digest\"") && html.contains("id=\"members\""));
    assert!(
        html.contains("&#60;i&#62;الأسد&#60;/i&#62; يعد"),
        "summary lines are escaped: {html}"
    );
    assert!(
        html.contains("<span class=\"support\""),
        "support counts are shown"
    );
    assert!(
        html.contains("<mark class=\"ent ent-PER\">الأسد</mark>"),
        "the lead report has its entities marked"
    );
    assert!(html.contains("سنعيد بناء سوريا"), "quotes by speaker");
    let (_, html, _) = get(&app, "/").await;
    assert!(
        html.contains("&#60;script&#62;alert(&#39;story&#39;)&#60;/script&#62;"),
        "{html}"
    );
    assert!(!html.contains("<script"));
    let (status, html, _) = get(&app, &format!("/?q={}", enc("\"غير مغلق"))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("unclosed quote"));
    let (status, _, headers) = get(&app, "/static/style.css").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers
            .get(header::CONTENT_TYPE)
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
}

async fn post(app: &Router, token: Option<&str>, body: &str) -> (StatusCode, String) {
    let mut req = Request::post("/api/documents").header(header::CONTENT_TYPE, "application/json");
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let res = app
        .clone()
        .oneshot(req.body(Body::from(body.to_string())).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let b = axum::body::to_bytes(res.into_body(), 1 << 20)
        .await
        .unwrap();
    (status, String::from_utf8(b.to_vec()).unwrap())
}

#[tokio::test]
async fn writes_need_the_token_and_bodies_are_capped() {
    let (_d, a) = archive();
    let doc = r#"{"id": "n1", "text": "خبر جديد عن دمشق.", "title": "جديد"}"#;
    let ro = router(a.clone(), &ServerConfig::default(), Hooks::default());
    assert_eq!(post(&ro, Some("t"), doc).await.0, StatusCode::FORBIDDEN);
    let cfg = ServerConfig {
        write_token: Some("s3cret".into()),
        max_body_bytes: 4096,
        ..ServerConfig::default()
    };
    let rw = router(a.clone(), &cfg, Hooks::default());
    assert_eq!(post(&rw, None, doc).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        post(&rw, Some("wrong"), doc).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (status, body) = post(&rw, Some("s3cret"), doc).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("\"inserted\":1"), "{body}");
    let (status, _, _) = get(&rw, "/api/documents/n1").await;
    assert_eq!(status, StatusCode::OK);
    let (_, body, _) = get(&rw, &format!("/api/search?q={}", enc("جديد"))).await;
    assert!(
        body.contains("\"n1\""),
        "posted documents are searchable at once: {body}"
    );
    let big = format!(r#"{{"id": "big", "text": "{}"}}"#, "ا".repeat(5000));
    assert_eq!(
        post(&rw, Some("s3cret"), &big).await.0,
        StatusCode::PAYLOAD_TOO_LARGE
    );
    assert_eq!(
        post(&rw, Some("s3cret"), "{nope").await.0,
        StatusCode::BAD_REQUEST
    );
}
