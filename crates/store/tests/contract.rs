//! The store contract, run against every backend: SQLite always, PostgreSQL
//! when the `postgres` feature is on and `KHABAR_TEST_POSTGRES` names a server
//! (`eval "$(bash scripts/postgres-test-server.sh)"` starts one; CI sets it).
//! Each PostgreSQL test works in a schema of its own, dropped afterwards.

use khabar_core::Span;
use khabar_store::*;

fn doc(id: &str, title: &str, text: &str) -> NewDocument {
    NewDocument {
        id: id.into(),
        title: Some(title.into()),
        text: text.into(),
        content_hash: content_hash(Some(title), text),
        ..Default::default()
    }
}

fn rich_doc() -> NewDocument {
    let text = "قال الرئيس بشار الأسد: «سنعيد الإعمار». وأكدت دمشق ذلك.";
    let find = |s: &str| {
        let i = text.find(s).unwrap();
        Span::from_usize(i, i + s.len())
    };
    let mut d = doc("sana-1", "الأسد يتحدث عن الإعمار", text);
    d.date = Some("2018-04-10T08:00:00Z".into());
    d.source = Some("SANA".into());
    d.url = Some("https://example.invalid/1".into());
    d.sentences = vec![
        find("قال الرئيس بشار الأسد: «سنعيد الإعمار»."),
        find("وأكدت دمشق ذلك."),
    ];
    d.mentions = vec![
        EntityMention {
            span: find("بشار الأسد"),
            label: "PER".into(),
            key: "بشار_الاسد".into(),
        },
        EntityMention {
            span: find("دمشق"),
            label: "LOC".into(),
            key: "دمشق".into(),
        },
    ];
    d.quotes = vec![Quote {
        content: find("سنعيد الإعمار"),
        speaker: Some(find("بشار الأسد")),
        speaker_key: Some("بشار_الاسد".into()),
        cue: Some(find("قال")),
    }];
    d
}

fn insert_and_read_back(s: &dyn Store) {
    let d = rich_doc();
    let out = s.commit_batch(std::slice::from_ref(&d), &[]).unwrap();
    assert!(matches!(out[..], [PutOutcome::Inserted(_)]));
    let seq = out[0].seq();
    let got = s.document("sana-1").unwrap().unwrap();
    assert_eq!(got.seq, seq);
    assert_eq!(got.text, d.text);
    assert_eq!(got.title, d.title);
    assert_eq!(got.date, d.date);
    assert_eq!(got.source, d.source);
    assert_eq!(got.url, d.url);
    assert_eq!(got.sentences, d.sentences);
    assert_eq!(got.mentions, d.mentions);
    assert_eq!(got.quotes, d.quotes);
    assert_eq!(got.story, None);
    assert_eq!(s.document_by_seq(seq).unwrap().unwrap(), got);
    assert!(s.document("nope").unwrap().is_none());
    let st = s.stats().unwrap();
    assert_eq!(
        (
            st.documents,
            st.sentences,
            st.mentions,
            st.quotes,
            st.max_seq
        ),
        (1, 2, 2, 1, seq)
    );
}

fn same_content_is_a_no_op_and_new_content_replaces(s: &dyn Store) {
    let a = rich_doc();
    let first = s.commit_batch(std::slice::from_ref(&a), &[]).unwrap()[0];
    assert_eq!(
        s.commit_batch(std::slice::from_ref(&a), &[]).unwrap(),
        [PutOutcome::Unchanged(first.seq())]
    );
    assert_eq!(
        s.content_hashes(&["sana-1", "x"]).unwrap(),
        [Some(a.content_hash.clone()), None]
    );
    let mut b = a.clone();
    b.text.push_str(" تحديث.");
    b.content_hash = content_hash(b.title.as_deref(), &b.text);
    b.mentions.truncate(1);
    let second = s.commit_batch(std::slice::from_ref(&b), &[]).unwrap()[0];
    assert!(matches!(second, PutOutcome::Replaced(_)));
    assert!(second.seq() > first.seq());
    assert!(s.document_by_seq(first.seq()).unwrap().is_none());
    let got = s.document("sana-1").unwrap().unwrap();
    assert_eq!(got.text, b.text);
    assert_eq!(got.mentions.len(), 1);
    let st = s.stats().unwrap();
    assert_eq!((st.documents, st.mentions), (1, 1));
    // The same content under another id is stored, marked as a copy.
    let mut copy = b.clone();
    copy.id = "copy".into();
    s.commit_batch(&[copy], &[]).unwrap();
    assert_eq!(
        s.document("copy").unwrap().unwrap().duplicate_of.as_deref(),
        Some("sana-1")
    );
    assert_eq!(s.stats().unwrap().exact_duplicates, 1);
}

fn stories_members_and_lines(s: &dyn Store) {
    let mut docs = Vec::new();
    for (i, day) in ["2018-04-11", "2018-04-10", "2018-04-12"]
        .iter()
        .enumerate()
    {
        let mut d = doc(
            &format!("d{i}"),
            &format!("عنوان {i}"),
            &format!("نص رقم {i}."),
        );
        d.date = Some(day.to_string());
        docs.push(d);
    }
    let line = StoryLine {
        text: "سيطر الجيش على المدينة.".into(),
        support: 2,
        sources: vec![LineSource {
            doc_id: "d0".into(),
            span: Span::new(0, 5),
        }],
    };
    let updates = vec![
        StoryUpdate {
            id: 7,
            title: "قصة أولى".into(),
            add_members: vec!["d0".into(), "d1".into()],
            lines: Some(vec![line.clone()]),
            state: Some(b"state-7".to_vec()),
        },
        StoryUpdate {
            id: 9,
            title: "قصة ثانية".into(),
            add_members: vec!["d2".into()],
            lines: None,
            state: None,
        },
    ];
    s.commit_batch(&docs, &updates).unwrap();
    assert_eq!(s.max_story_id().unwrap(), 9);
    let st = s.story(7).unwrap().unwrap();
    assert_eq!(st.summary.title, "قصة أولى");
    assert_eq!(st.summary.size, 2);
    assert_eq!(st.summary.first_date.as_deref(), Some("2018-04-10"));
    assert_eq!(st.summary.last_date.as_deref(), Some("2018-04-11"));
    let ids: Vec<&str> = st.members.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids, ["d1", "d0"], "members by date");
    assert_eq!(st.lines, [line]);
    assert_eq!(s.document("d0").unwrap().unwrap().story, Some(7));
    let list: Vec<i64> = s.stories(10, 0).unwrap().iter().map(|x| x.id).collect();
    assert_eq!(list, [9, 7], "most recent first");
    assert_eq!(s.stories(1, 1).unwrap()[0].id, 7);
    // A later update keeps the state unless it sends a new one, and can move members.
    s.commit_batch(
        &[],
        &[StoryUpdate {
            id: 9,
            title: "قصة ثانية".into(),
            add_members: vec!["d0".into()],
            lines: None,
            state: None,
        }],
    )
    .unwrap();
    assert_eq!(s.document("d0").unwrap().unwrap().story, Some(9));
    let states = s.story_states().unwrap();
    assert_eq!(
        states[0],
        (7, "قصة أولى".to_string(), Some(b"state-7".to_vec()))
    );
    assert_eq!(states[1].2, None);
    // Replacing a document drops its membership: the assigner sees it as new.
    let mut d2 = docs[2].clone();
    d2.text = "نص جديد.".into();
    d2.content_hash = content_hash(d2.title.as_deref(), &d2.text);
    s.commit_batch(&[d2], &[]).unwrap();
    assert_eq!(s.document("d2").unwrap().unwrap().story, None);
    assert!(s.story(12345).unwrap().is_none());
}

fn documents_after_pages_in_seq_order(s: &dyn Store) {
    let docs: Vec<NewDocument> = (0..25)
        .map(|i| doc(&format!("p{i:02}"), "ع", &format!("نص {i}")))
        .collect();
    let out = s.commit_batch(&docs, &[]).unwrap();
    let first = out[0].seq();
    let page = s.documents_after(first, 10).unwrap();
    assert_eq!(page.len(), 10);
    assert_eq!(page[0].id, "p01");
    assert!(page.windows(2).all(|w| w[0].seq < w[1].seq));
    let rest = s.documents_after(page[9].seq, 100).unwrap();
    assert_eq!(rest.len(), 14);
    assert!(s.documents_after(out[24].seq(), 10).unwrap().is_empty());
}

fn filters_match(s: &dyn Store) {
    let d = rich_doc();
    let seq = s.commit_batch(&[d], &[]).unwrap()[0].seq();
    let f = |source: Option<&str>, entity: Option<&str>, from: Option<&str>, to: Option<&str>| {
        Filters {
            source: source.map(Into::into),
            entity: entity.map(Into::into),
            from: from.map(Into::into),
            to: to.map(Into::into),
        }
    };
    assert!(s.matches_filters(seq, &f(None, None, None, None)).unwrap());
    assert!(
        s.matches_filters(
            seq,
            &f(
                Some("SANA"),
                Some("دمشق"),
                Some("2018-04-10"),
                Some("2018-04-10")
            )
        )
        .unwrap()
    );
    assert!(
        !s.matches_filters(seq, &f(Some("BBC"), None, None, None))
            .unwrap()
    );
    assert!(
        !s.matches_filters(seq, &f(None, Some("موسكو"), None, None))
            .unwrap()
    );
    assert!(
        !s.matches_filters(seq, &f(None, None, Some("2018-04-11"), None))
            .unwrap()
    );
    assert!(
        !s.matches_filters(seq, &f(None, None, None, Some("2018-04-09")))
            .unwrap()
    );
}

fn hostile_text_is_stored_verbatim(s: &dyn Store) {
    let text = "<script>alert('x')</script> '; DROP TABLE documents; -- \\ \" ' نص";
    let mut d = doc("evil'; --", "<b>عنوان</b>", text);
    d.sentences = vec![Span::from_usize(0, text.len())];
    s.commit_batch(&[d], &[]).unwrap();
    let got = s.document("evil'; --").unwrap().unwrap();
    assert_eq!(got.text, text);
    assert_eq!(got.title.as_deref(), Some("<b>عنوان</b>"));
    assert_eq!(s.stats().unwrap().documents, 1);
}

fn full_text_where_the_backend_has_it(s: &dyn Store) {
    let q = |words: &[&[&str]], phrases: &[&[&str]], excluded: &[&[&str]]| TermQuery {
        words: words
            .iter()
            .map(|w| w.iter().map(|t| t.to_string()).collect())
            .collect(),
        phrases: phrases
            .iter()
            .map(|w| w.iter().map(|t| t.to_string()).collect())
            .collect(),
        excluded: excluded
            .iter()
            .map(|w| w.iter().map(|t| t.to_string()).collect())
            .collect(),
    };
    let term = |t: &str, position, in_title| IndexTerm {
        term: t.into(),
        position,
        in_title,
    };
    let mut a = doc("a", "عنوان", "نص");
    a.terms = vec![
        term("اسد", 1, true),
        term("بشار", 3, false),
        term("اسد", 4, false),
    ];
    a.source = Some("SANA".into());
    let mut b = doc("b", "عنوان", "نص آخر");
    b.terms = vec![
        term("اسد", 3, false),
        term("بشار", 5, false),
        term("روس", 6, false),
    ];
    let seqs: Vec<i64> = s
        .commit_batch(&[a, b], &[])
        .unwrap()
        .iter()
        .map(|o| o.seq())
        .collect();
    let run = |tq: &TermQuery, f: &Filters| -> Option<Vec<i64>> {
        s.full_text(tq, f, 10)
            .unwrap()
            .map(|v| v.iter().map(|h| h.seq).collect())
    };
    let none = Filters::default();
    match s.backend() {
        Backend::Sqlite => assert_eq!(run(&q(&[&["اسد"]], &[], &[]), &none), None),
        Backend::Postgres => {
            // Title match ranks first.
            assert_eq!(run(&q(&[&["اسد"]], &[], &[]), &none), Some(seqs.clone()));
            assert_eq!(
                run(&q(&[&["سد", "اسد"]], &[], &[&["روس"]]), &none),
                Some(vec![seqs[0]])
            );
            assert_eq!(
                run(&q(&[], &[&["بشار", "اسد"]], &[]), &none),
                Some(vec![seqs[0]])
            );
            assert_eq!(
                run(
                    &q(&[&["اسد"]], &[], &[]),
                    &Filters {
                        source: Some("SANA".into()),
                        ..none.clone()
                    }
                ),
                Some(vec![seqs[0]])
            );
            assert_eq!(run(&q(&[&["غير"]], &[], &[]), &none), Some(vec![]));
        }
    }
}

mod sqlite {
    use super::*;

    fn open() -> (tempfile::TempDir, SqliteStore) {
        let dir = tempfile::tempdir().unwrap();
        let s = SqliteStore::create(&dir.path().join("k.sqlite3")).unwrap();
        (dir, s)
    }

    macro_rules! sqlite_tests {
        ($($name:ident),*) => {$(
            #[test]
            fn $name() {
                let (_dir, s) = open();
                super::$name(&s);
            }
        )*};
    }
    sqlite_tests!(
        insert_and_read_back,
        same_content_is_a_no_op_and_new_content_replaces,
        stories_members_and_lines,
        documents_after_pages_in_seq_order,
        filters_match,
        hostile_text_is_stored_verbatim,
        full_text_where_the_backend_has_it
    );

    #[test]
    fn newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.sqlite3");
        let s = SqliteStore::create(&path).unwrap();
        assert_eq!(s.schema_version().unwrap(), SCHEMA_VERSION);
        s.force_schema_version(SCHEMA_VERSION + 1).unwrap();
        drop(s);
        match SqliteStore::open(&path) {
            Err(e @ Error::NewerSchema { .. }) => {
                assert!(e.to_string().contains("upgrade khabar"), "{e}");
            }
            other => panic!("expected NewerSchema, got {other:?}"),
        }
    }

    #[test]
    fn a_missing_store_says_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let e = SqliteStore::open(&dir.path().join("none/k.sqlite3")).unwrap_err();
        assert!(matches!(e, Error::NotFound { .. }));
        assert!(e.to_string().contains("khabar ingest"), "{e}");
    }
}

#[cfg(feature = "postgres")]
mod postgres {
    use super::*;

    /// A store in a fresh schema, dropped with it.
    pub(super) struct PgFixture {
        url: String,
        pub(super) schema: String,
        pub(super) store: Option<PostgresStore>,
    }

    impl Drop for PgFixture {
        fn drop(&mut self) {
            self.store.take();
            if let Ok(mut c) = ::postgres::Client::connect(&self.url, ::postgres::NoTls) {
                let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.schema));
            }
        }
    }

    pub(super) fn url() -> Option<String> {
        match std::env::var("KHABAR_TEST_POSTGRES") {
            Ok(u) if !u.is_empty() => Some(u),
            _ => {
                eprintln!(
                    "skipping PostgreSQL store test: KHABAR_TEST_POSTGRES is not set (eval \"$(bash scripts/postgres-test-server.sh)\")"
                );
                None
            }
        }
    }

    pub(super) fn fixture(name: &str) -> Option<PgFixture> {
        let url = url()?;
        let schema = format!("t_{}_{}", name, std::process::id());
        let mut c = ::postgres::Client::connect(&url, ::postgres::NoTls)
            .expect("connect to KHABAR_TEST_POSTGRES");
        c.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
            .unwrap();
        let store = PostgresStore::open(&url, &schema, PgMode::Write).unwrap();
        Some(PgFixture {
            url,
            schema,
            store: Some(store),
        })
    }

    macro_rules! pg_tests {
        ($($name:ident),*) => {$(
            #[test]
            fn $name() {
                let Some(f) = fixture(stringify!($name)) else { return };
                super::$name(f.store.as_ref().unwrap());
            }
        )*};
    }
    pg_tests!(
        insert_and_read_back,
        same_content_is_a_no_op_and_new_content_replaces,
        stories_members_and_lines,
        documents_after_pages_in_seq_order,
        filters_match,
        hostile_text_is_stored_verbatim,
        full_text_where_the_backend_has_it
    );

    #[test]
    fn newer_schema_is_refused() {
        let Some(f) = fixture("newer_schema") else {
            return;
        };
        f.store
            .as_ref()
            .unwrap()
            .force_schema_version(SCHEMA_VERSION + 1)
            .unwrap();
        match PostgresStore::open(&f.url, &f.schema, PgMode::Read) {
            Err(Error::NewerSchema { found, .. }) => assert_eq!(found, SCHEMA_VERSION + 1),
            other => panic!("expected NewerSchema, got {other:?}"),
        }
    }

    #[test]
    fn a_second_writer_is_refused_and_a_missing_schema_is_not_found() {
        let Some(f) = fixture("locks") else { return };
        match PostgresStore::open(&f.url, &f.schema, PgMode::Write) {
            Err(Error::Locked { .. }) => {}
            other => panic!("expected Locked, got {other:?}"),
        }
        // Readers are welcome while the writer holds the lock.
        assert!(PostgresStore::open(&f.url, &f.schema, PgMode::Read).is_ok());
        match PostgresStore::open(&f.url, "t_no_such_schema", PgMode::Read) {
            Err(Error::NotFound { .. }) => {}
            other => panic!("expected NotFound, got {other:?}"),
        }
    }

    #[test]
    fn nul_characters_keep_their_offsets() {
        let Some(f) = fixture("nul") else { return };
        let s = f.store.as_ref().unwrap();
        let text = "قبل\u{0}بعد";
        let mut d = doc("nul", "ع", text);
        d.sentences = vec![Span::from_usize(0, text.len())];
        s.commit_batch(&[d], &[]).unwrap();
        let got = s.document("nul").unwrap().unwrap();
        assert_eq!(got.text.len(), text.len());
        assert_eq!(got.text, "قبل بعد");
    }
}
