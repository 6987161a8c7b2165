//! `khabar ingest`, `search` and `show` end to end on the committed mini corpus,
//! including a crash test: an ingest killed with SIGKILL in the middle loses
//! nothing and doubles nothing when run again.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn khabar() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_khabar"));
    c.env_remove("KHABAR_HOME");
    c
}

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/corpus/mini-news.jsonl")
}

fn run(args: &[&str]) -> Output {
    khabar().args(args).output().expect("run khabar")
}

fn ok(args: &[&str]) -> String {
    let out = run(args);
    assert!(
        out.status.success(),
        "khabar {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn fails(args: &[&str]) -> String {
    let out = run(args);
    assert_eq!(out.status.code(), Some(1), "khabar {args:?} should fail");
    String::from_utf8(out.stderr).unwrap()
}

fn json(s: &str) -> serde_json::Value {
    serde_json::from_str(s.trim()).unwrap_or_else(|e| panic!("{e}: {s}"))
}

fn ingested(store: &str) -> tempfile::TempDir {
    let _ = store;
    let dir = tempfile::tempdir().unwrap();
    let s = dir.path().to_str().unwrap();
    let r = json(&ok(&[
        "ingest",
        "--store",
        s,
        corpus().to_str().unwrap(),
        "--format",
        "json",
    ]));
    assert_eq!(r["inserted"], 40);
    dir
}

/// The surfaces of a hit's snippet highlights.
fn marked(hit: &serde_json::Value) -> Vec<String> {
    let text = hit["snippet"]["text"].as_str().unwrap();
    let base = hit["snippet"]["start"].as_u64().unwrap() as usize;
    hit["snippet"]["highlights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            let (s, e) = (
                h["start"].as_u64().unwrap() as usize,
                h["end"].as_u64().unwrap() as usize,
            );
            text[s - base..e - base].to_string()
        })
        .collect()
}

#[test]
fn searches_in_another_outlets_spelling() {
    let dir = ingested("");
    let s = dir.path().to_str().unwrap();
    // «سورية» (Yawmi's spelling) finds Mashreq's «سوريا».
    let r = json(&ok(&[
        "search",
        "--store",
        s,
        "سورية",
        "--format",
        "json",
        "--limit",
        "50",
    ]));
    let ids: Vec<&str> = r["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"mashreq-0414-09"), "{ids:?}");
    assert!(ids.contains(&"yawmi-0414-09"), "{ids:?}");
    // «الاسد» without hamza finds «والأسد», highlighted as written.
    let r = json(&ok(&[
        "search",
        "--store",
        s,
        "الاسد",
        "--format",
        "json",
        "--limit",
        "50",
    ]));
    let hit = r["hits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["id"] == "mashreq-0411-02")
        .expect("mashreq-0411-02 found");
    assert_eq!(marked(hit), ["والأسد"]);
    // Phrases and filters.
    let r = json(&ok(&[
        "search",
        "--store",
        s,
        "\"بشار الاسد\"",
        "--source",
        "Yawmi",
        "--format",
        "json",
    ]));
    assert!(
        r["hits"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["source"] == "Yawmi")
    );
    assert!(r["total"].as_u64().unwrap() >= 2);
    let r = json(&ok(&[
        "search",
        "--store",
        s,
        "الانتخابات",
        "--from",
        "2018-05-01",
        "--to",
        "2018-05-31",
        "--format",
        "json",
        "--limit",
        "50",
    ]));
    assert!(
        r["hits"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["date"].as_str().unwrap().starts_with("2018-05"))
    );
    assert!(r["total"].as_u64().unwrap() >= 4);
    let text = ok(&["search", "--store", s, "زوكربيرغ", "--limit", "1"]);
    assert!(text.contains("**زوكربيرغ**"), "{text}");
}

#[test]
fn reingest_is_a_no_op_and_new_content_replaces() {
    let dir = ingested("");
    let s = dir.path().to_str().unwrap();
    let r = json(&ok(&[
        "ingest",
        "--store",
        s,
        corpus().to_str().unwrap(),
        "--format",
        "json",
    ]));
    assert_eq!(
        (r["inserted"].as_u64(), r["unchanged"].as_u64()),
        (Some(0), Some(40))
    );
    let upd = dir.path().join("update.jsonl");
    std::fs::write(
        &upd,
        "{\"id\": \"mashreq-0420-10\", \"title\": \"عاصفة رملية\", \"text\": \"هدأت العاصفة الترابية في الكويت صباح اليوم.\"}\n",
    )
    .unwrap();
    let r = json(&ok(&[
        "ingest",
        "--store",
        s,
        upd.to_str().unwrap(),
        "--format",
        "json",
    ]));
    assert_eq!(r["replaced"], 1);
    let st = json(&ok(&["show", "--stats", "--store", s, "--format", "json"]));
    assert_eq!(st["stats"]["documents"], 40);
    assert_eq!(st["health"]["indexed"], 40);
    let r = json(&ok(&[
        "search",
        "--store",
        s,
        "الترابية",
        "--format",
        "json",
    ]));
    assert_eq!(r["total"], 1);
    let r = json(&ok(&["search", "--store", s, "الملاحة", "--format", "json"]));
    assert_eq!(r["total"], 0, "the old version left the index");
}

/// Ingest analyses batch N+1 while it stores batch N: an id that comes again in
/// the next batch must still be seen as unchanged (same content) or replaced
/// (new content), as if the batches ran one after the other.
#[test]
fn an_id_repeated_in_the_next_batch_is_unchanged_or_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s");
    let input = dir.path().join("in.jsonl");
    let line = |id: &str, text: &str| format!("{{\"id\": \"{id}\", \"text\": \"{text}\"}}\n");
    let a = "هدأت العاصفة الترابية في الكويت صباح اليوم.";
    let b = "عادت الملاحة في مطار الكويت بعد العاصفة.";
    std::fs::write(
        &input,
        [
            line("x", a),
            line("x", a),
            line("y", a),
            line("y", b),
            line("x", b),
        ]
        .concat(),
    )
    .unwrap();
    let r = json(&ok(&[
        "ingest",
        "--store",
        store.to_str().unwrap(),
        "--batch",
        "1",
        "--stories",
        "none",
        "--annotate",
        "none",
        input.to_str().unwrap(),
        "--format",
        "json",
    ]));
    assert_eq!(
        (
            r["inserted"].as_u64(),
            r["unchanged"].as_u64(),
            r["replaced"].as_u64()
        ),
        (Some(2), Some(1), Some(2)),
        "{r}"
    );
    let r = json(&ok(&[
        "search",
        "--store",
        store.to_str().unwrap(),
        "الملاحة",
        "--format",
        "json",
    ]));
    assert_eq!(r["total"], 2, "{r}");
}

/// Member sets of a store's stories, sorted.
fn stored_groups(store: &str) -> Vec<Vec<String>> {
    let mut g: Vec<Vec<String>> = stories_of(&["--store", store])
        .iter()
        .map(|st| {
            st["members"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m.as_str().unwrap().to_string())
                .collect()
        })
        .collect();
    g.sort();
    g
}

/// Member sets of `khabar stories` over `args`, sorted.
fn clustered_groups(args: &[&str]) -> Vec<Vec<String>> {
    let mut a = vec!["stories", "--min-size", "1"];
    a.extend(args);
    let mut g: Vec<Vec<String>> = ok(&a)
        .lines()
        .map(|l| {
            let mut m: Vec<String> = json(l)["members"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m.as_str().unwrap().to_string())
                .collect();
            m.sort();
            m
        })
        .collect();
    g.sort();
    g
}

/// Ingest's story assigner groups documents as `khabar stories` does on the same
/// input order: on input in date order, across batch boundaries (batches of 7);
/// on the mini corpus as it is (by outlet, not by date) in one batch, which
/// ingest adds in date order, as `--sort-by-date` does. Without annotation
/// neither side has entities.
#[test]
fn ingest_groups_stories_as_khabar_stories_does() {
    let dir = tempfile::tempdir().unwrap();
    let c = corpus();
    let mut lines: Vec<(String, String)> = std::fs::read_to_string(&c)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            (
                json(l)["date"].as_str().unwrap_or("").to_string(),
                l.to_string(),
            )
        })
        .collect();
    lines.sort_by(|a, b| a.0.cmp(&b.0));
    let by_date = dir.path().join("by-date.jsonl");
    let text: String = lines.iter().map(|(_, l)| format!("{l}\n")).collect();
    std::fs::write(&by_date, text).unwrap();
    let by_date = by_date.to_str().unwrap();

    let s = dir.path().join("batches");
    let s = s.to_str().unwrap();
    ok(&[
        "ingest",
        "--store",
        s,
        "--annotate",
        "none",
        "--batch",
        "7",
        by_date,
    ]);
    let clustered = clustered_groups(&[by_date]);
    assert!(clustered.iter().any(|m| m.len() >= 3), "{clustered:?}");
    assert_eq!(stored_groups(s), clustered);

    let s = dir.path().join("one-batch");
    let s = s.to_str().unwrap();
    let c = c.to_str().unwrap();
    ok(&["ingest", "--store", s, "--annotate", "none", c]);
    assert_eq!(stored_groups(s), clustered_groups(&["--sort-by-date", c]));
}

#[test]
fn show_documents_stories_and_the_story_list() {
    let dir = ingested("");
    let s = dir.path().to_str().unwrap();
    let doc = ok(&["show", "--store", s, "mashreq-0410-01"]);
    assert!(
        doc.starts_with("الجيش السوري يعلن السيطرة الكاملة"),
        "{doc}"
    );
    let d = json(&ok(&[
        "show",
        "--store",
        s,
        "mashreq-0410-01",
        "--format",
        "json",
    ]));
    let story = d["story"].as_i64().expect("every document is in a story");
    let st = ok(&["show", "--store", s, &format!("story:{story}")]);
    assert!(st.contains("mashreq-0410-01"), "{st}");
    let list = ok(&["show", "--stories", "--store", s]);
    assert!(
        list.lines().count() >= 10 && list.lines().all(|l| l.starts_with("story:")),
        "{list}"
    );
    let e = fails(&["show", "--store", s, "no-such-doc"]);
    assert!(e.contains("khabar show --stories"), "{e}");

    // `khabar stories --store` lists the same stories, in the same words.
    assert_eq!(ok(&["stories", "--store", s]), list);
    assert_eq!(
        ok(&["stories", "--store", s, "--format", "json", "--limit", "5"]),
        ok(&[
            "show",
            "--stories",
            "--store",
            s,
            "--format",
            "json",
            "--limit",
            "5"
        ])
    );
    let jsonl = ok(&["stories", "--store", s, "--format", "jsonl"]);
    assert_eq!(jsonl.lines().count(), list.lines().count());
    let e = fails(&["stories", "--store", s, corpus().to_str().unwrap()]);
    assert!(e.contains("takes no input"), "{e}");

    // The real hooks ran: entities and quotes on the document, a digest on its story.
    assert!(
        d["mentions"].as_array().is_some_and(|m| !m.is_empty()),
        "entities: {d}"
    );
    let stories = json(&ok(&[
        "show",
        "--stories",
        "--store",
        s,
        "--format",
        "json",
        "--limit",
        "100",
    ]));
    let digested = stories
        .as_array()
        .unwrap()
        .iter()
        .filter(|st| st["size"].as_u64().unwrap() >= 2)
        .map(|st| {
            json(&ok(&[
                "show",
                "--store",
                s,
                &format!("story:{}", st["id"]),
                "--format",
                "json",
            ]))
        })
        .find(|st| {
            st["lines"]
                .as_array()
                .is_some_and(|ls| ls.iter().any(|l| l["support"].as_u64().unwrap() >= 2))
        })
        .expect("a story of several reports has a summary line that several support");
    let line = digested["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["support"].as_u64().unwrap() >= 2)
        .unwrap();
    assert!(line["sources"].as_array().unwrap().len() >= 2, "{line}");
    let st = stats(s);
    assert!(
        st["stats"]["quotes"].as_u64().unwrap() > 0
            && st["stats"]["mentions"].as_u64().unwrap() > 0,
        "{st}"
    );
}

#[test]
fn hook_flags_choose_what_ingest_derives() {
    let corpus = corpus();
    let ingest = |extra: &[&str]| {
        let dir = tempfile::tempdir().unwrap();
        let s = dir.path().to_str().unwrap().to_string();
        let mut a = vec!["ingest", "--store", s.as_str(), corpus.to_str().unwrap()];
        a.extend(extra);
        ok(&a);
        let st = stats(&s);
        let lines: u64 = json(&ok(&[
            "show",
            "--stories",
            "--store",
            &s,
            "--format",
            "json",
            "--limit",
            "1000",
        ]))
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            json(&ok(&[
                "show",
                "--store",
                &s,
                &format!("story:{}", x["id"]),
                "--format",
                "json",
            ]))["lines"]
                .as_array()
                .unwrap()
                .len() as u64
        })
        .sum();
        (dir, st["stats"].clone(), lines)
    };
    let (_a, full, full_lines) = ingest(&[]);
    assert!(full["mentions"].as_u64().unwrap() > 0 && full["quotes"].as_u64().unwrap() > 0);
    assert!(full["stories"].as_u64().unwrap() > 0 && full_lines > 0);
    let (_b, bare, bare_lines) = ingest(&["--annotate", "none"]);
    assert_eq!(
        (bare["mentions"].as_u64(), bare["quotes"].as_u64()),
        (Some(0), Some(0))
    );
    assert!(
        bare["stories"].as_u64().unwrap() > 0 && bare_lines > 0,
        "stories and digests without entities"
    );
    let (_c, simple, simple_lines) = ingest(&["--annotate", "none", "--stories", "simple"]);
    assert!(simple["stories"].as_u64().unwrap() > 0);
    assert_eq!(simple_lines, 0, "the placeholder writes no digest");
    let (_d, none, _) = ingest(&["--annotate", "none", "--stories", "none"]);
    assert_eq!(none["stories"].as_u64(), Some(0));
    assert_eq!(none["documents"].as_u64(), Some(40));
}

#[test]
fn clear_errors_for_missing_stores_bad_queries_and_newer_schemas() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nothing");
    let e = fails(&["search", "--store", missing.to_str().unwrap(), "سوريا"]);
    assert!(
        e.contains("no khabar store") && e.contains("khabar ingest"),
        "{e}"
    );
    let store = ingested("");
    let s = store.path().to_str().unwrap();
    let e = fails(&["search", "--store", s, "\"بشار الأسد"]);
    assert!(e.contains("unclosed quote"), "{e}");
    let e = fails(&["search", "--store", s, "سوريا", "--from", "أمس"]);
    assert!(e.contains("YYYY-MM-DD"), "{e}");
    khabar_store::SqliteStore::open(&store.path().join("khabar.sqlite3"))
        .unwrap()
        .force_schema_version(khabar_store::SCHEMA_VERSION + 1)
        .unwrap();
    let e = fails(&["search", "--store", s, "سوريا"]);
    assert!(
        e.contains("schema version") && e.contains("upgrade khabar"),
        "{e}"
    );
    let e = fails(&["ingest", "--store", s, corpus().to_str().unwrap()]);
    assert!(e.contains("upgrade khabar"), "{e}");
}

/// Synthetic reports, each with a unique marker word and a shared one, about one
/// of five events (one quoted official each), 20 a day in date order: stories
/// open, grow and close while the ingest runs, so the real assigner digests some
/// of them mid-ingest.
fn synthetic(n: usize) -> Vec<String> {
    const EVENTS: [(&str, &str); 5] = [
        (
            "وزير الخارجية الروسي سيرغي لافروف يبحث في دمشق الوضع في الغوطة",
            "وقال وزير الخارجية الروسي سيرغي لافروف إن المحادثات في دمشق كانت بناءة ومفيدة.",
        ),
        (
            "ارتفاع أسعار النفط في الأسواق العالمية بعد قرار منظمة أوبك",
            "وقال الأمين العام لمنظمة أوبك محمد باركيندو إن السوق تتجه نحو التوازن.",
        ),
        (
            "الأمم المتحدة تدعو إلى هدنة إنسانية في مدينة الحديدة اليمنية",
            "وقال المبعوث الأممي مارتن غريفيث إن الهدنة ضرورية لإيصال المساعدات.",
        ),
        (
            "البنك المركزي المصري يبقي أسعار الفائدة دون تغيير في القاهرة",
            "وقال محافظ البنك المركزي المصري طارق عامر إن التضخم يتراجع بثبات.",
        ),
        (
            "الرئيس الفرنسي إيمانويل ماكرون يستقبل ولي العهد السعودي في باريس",
            "وقال الرئيس الفرنسي إيمانويل ماكرون إن البلدين يعملان معا من أجل الاستقرار.",
        ),
    ];
    (0..n)
        .map(|i| {
            let marker: String = format!("{i:04}")
                .bytes()
                .map(|b| (b'a' + (b - b'0')) as char)
                .collect();
            let (title, quote) = EVENTS[i % EVENTS.len()];
            serde_json::json!({
                "id": format!("s{i:04}"),
                "title": format!("{title} ({i})"),
                "date": format!("2018-04-{:02}T{:02}:00:00Z", 1 + i / 20, i % 20),
                "text": format!(
                    "{title}. {quote} نص التقرير المشترك mark{marker} عن الأحداث في المدينة."
                ),
            })
            .to_string()
        })
        .collect()
}

fn stats(s: &str) -> serde_json::Value {
    json(&ok(&["show", "--stats", "--store", s, "--format", "json"]))
}

/// Every story of a store as plain values that do not depend on the backend: id,
/// title, sorted member ids, and summary lines with support and sources.
fn stories_of(base: &[&str]) -> Vec<serde_json::Value> {
    let mut a = vec!["show", "--stories", "--format", "json", "--limit", "100000"];
    a.extend(base);
    let list = json(&ok(&a));
    list.as_array()
        .unwrap()
        .iter()
        .map(|st| {
            let id = format!("story:{}", st["id"]);
            let mut a = vec!["show", id.as_str(), "--format", "json"];
            a.extend(base);
            let full = json(&ok(&a));
            let mut members: Vec<String> = full["members"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["id"].as_str().unwrap().to_string())
                .collect();
            members.sort();
            serde_json::json!({
                "id": full["id"],
                "title": full["title"],
                "members": members,
                "lines": full["lines"],
            })
        })
        .collect()
}

/// Kills an ingest with SIGKILL after five committed batches of 50, re-runs it,
/// and checks that nothing was lost or doubled and that the stories (clustered
/// by the real assigner, resumed from the store's journal) and their digests are
/// exactly those of an uninterrupted ingest into `reference`. `base` names the
/// store (`--store …` and maybe `--pg-schema …`); `embedded` says whether it has
/// a search index whose lag can be checked.
fn kill_and_resume(base: &[&str], reference: &[&str], embedded: bool, work: &std::path::Path) {
    let docs = synthetic(400);
    let mut args = vec!["ingest", "--batch", "50", "--index-commit-secs", "3600"];
    args.extend(base);
    args.push("-");
    let mut child = khabar()
        .args(&args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    for d in &docs[..260] {
        writeln!(stdin, "{d}").unwrap();
    }
    stdin.flush().unwrap();
    let stats = || {
        let mut a = vec!["show", "--stats", "--format", "json"];
        a.extend(base);
        json(&ok(&a))
    };
    // Five batches of 50 get committed; the other 10 wait in the reader's batch.
    let started = Instant::now();
    loop {
        let mut a = vec!["show", "--stats", "--format", "json"];
        a.extend(base);
        let out = run(&a);
        if out.status.success()
            && json(&String::from_utf8_lossy(&out.stdout))["stats"]["documents"] == 250
        {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "ingest made no progress"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // While it runs, a second writer is refused with a clear message.
    let mut a = vec!["ingest"];
    a.extend(base);
    let corpus = corpus();
    a.push(corpus.to_str().unwrap());
    let e = fails(&a);
    assert!(e.contains("locked by another writer"), "{e}");
    child.kill().unwrap(); // SIGKILL
    let _ = child.wait();
    drop(stdin);

    let st = stats();
    assert_eq!(
        st["stats"]["documents"], 250,
        "committed batches survive the kill"
    );
    let lag = st["health"]["index_lag"].as_i64();
    if embedded {
        assert!(
            lag.unwrap() > 0,
            "the index had not been committed when the process died: {st}"
        );
    }

    let file = work.join("all.jsonl");
    std::fs::write(&file, docs.join("\n") + "\n").unwrap();
    let mut a = vec!["ingest", "--batch", "50", "--format", "json"];
    a.extend(base);
    a.push(file.to_str().unwrap());
    let r = json(&ok(&a));
    assert_eq!(r["unchanged"], 250);
    assert_eq!(r["inserted"], 150);
    if embedded {
        assert_eq!(
            r["index_repaired"].as_i64(),
            lag,
            "the repair re-indexed what the index lacked"
        );
    }
    let st = stats();
    assert_eq!(st["stats"]["documents"], 400);
    if embedded {
        assert_eq!(st["health"]["indexed"], 400);
        assert_eq!(st["health"]["index_lag"], 0);
    }
    let search = |q: &str, offset: usize| {
        let offset = offset.to_string();
        let mut a = vec![
            "search", q, "--format", "json", "--limit", "100", "--offset", &offset,
        ];
        a.extend(base);
        json(&ok(&a))
    };
    // Every report is found exactly once (pages of 100; PostgreSQL gives no total).
    let mut found = Vec::new();
    for page in 0..5 {
        let r = search("المشترك", page * 100);
        if embedded {
            assert_eq!(r["total"], 400);
        }
        found.extend(
            r["hits"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| h["id"].as_str().unwrap().to_string()),
        );
    }
    let n = found.len();
    found.sort();
    found.dedup();
    assert_eq!(
        (n, found.len()),
        (400, 400),
        "every report found exactly once"
    );
    for i in [0usize, 49, 50, 249, 250, 255, 399] {
        let marker: String = format!("{i:04}")
            .bytes()
            .map(|b| (b'a' + (b - b'0')) as char)
            .collect();
        let r = search(&format!("mark{marker}"), 0);
        assert_eq!(r["hits"].as_array().unwrap().len(), 1, "s{i:04}");
        assert_eq!(r["hits"][0]["id"], format!("s{i:04}"));
    }

    // The same reports ingested without a kill (same batches) give the same stories.
    let mut a = vec!["ingest", "--batch", "50"];
    a.extend(reference);
    a.push(file.to_str().unwrap());
    ok(&a);
    let resumed = stories_of(base);
    let uninterrupted = stories_of(reference);
    assert_eq!(resumed, uninterrupted);
    let members: usize = resumed
        .iter()
        .map(|s| s["members"].as_array().unwrap().len())
        .sum();
    assert_eq!(members, 400, "every report is in exactly one story");
    assert!(
        resumed.len() >= 5 && resumed.len() < 100,
        "stories: {}",
        resumed.len()
    );
    assert!(
        resumed.iter().any(|s| s["lines"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["support"].as_u64().unwrap() >= 2)),
        "some story has a digest line that several reports support"
    );
    let st = stats();
    assert!(
        st["stats"]["mentions"].as_u64().unwrap() > 0
            && st["stats"]["quotes"].as_u64().unwrap() > 0,
        "the real annotator ran: {st}"
    );
}

#[test]
fn a_killed_ingest_loses_nothing_and_doubles_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let s = dir.path().join("store");
    let r = dir.path().join("reference");
    kill_and_resume(
        &["--store", s.to_str().unwrap()],
        &["--store", r.to_str().unwrap()],
        true,
        dir.path(),
    );
}

/// Drops a PostgreSQL schema when the test ends, passed or not.
struct DropSchema(String, String);

impl Drop for DropSchema {
    fn drop(&mut self) {
        if let Ok(mut c) = postgres::Client::connect(&self.0, postgres::NoTls) {
            let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.1));
        }
    }
}

fn test_postgres() -> Option<String> {
    match std::env::var("KHABAR_TEST_POSTGRES") {
        Ok(u) if !u.is_empty() => Some(u),
        _ => {
            eprintln!(
                "skipping: KHABAR_TEST_POSTGRES is not set (eval \"$(bash scripts/postgres-test-server.sh)\")"
            );
            None
        }
    }
}

#[test]
fn a_killed_postgres_ingest_loses_nothing_and_doubles_nothing() {
    let Some(url) = test_postgres() else {
        return;
    };
    let schema = format!("t_kill_{}", std::process::id());
    let _guard = DropSchema(url.clone(), schema.clone());
    let dir = tempfile::tempdir().unwrap();
    // The reference is an embedded store: both backends must cluster alike.
    let r = dir.path().join("reference");
    kill_and_resume(
        &["--store", url.as_str(), "--pg-schema", schema.as_str()],
        &["--store", r.to_str().unwrap()],
        false,
        dir.path(),
    );
}

#[test]
fn postgres_store_behaves_the_same() {
    let Some(url) = test_postgres() else {
        return;
    };
    let schema = format!("t_cli_{}", std::process::id());
    let _guard = DropSchema(url.clone(), schema.clone());
    let base = ["--store", url.as_str(), "--pg-schema", schema.as_str()];
    let e = fails(&["search", base[0], base[1], base[2], base[3], "سوريا"]);
    assert!(e.contains("no khabar store"), "{e}");
    let corpus = corpus();
    let mut a = vec!["ingest"];
    a.extend(base);
    a.extend([corpus.to_str().unwrap(), "--format", "json"]);
    let r = json(&ok(&a));
    assert_eq!(r["inserted"], 40);
    let r = json(&ok(&a));
    assert_eq!(r["unchanged"], 40);
    let search = |q: &str, extra: &[&str]| {
        let mut v = vec!["search"];
        v.extend(base);
        v.extend([q, "--format", "json", "--limit", "50"]);
        v.extend(extra);
        json(&ok(&v))
    };
    let r = search("سورية", &[]);
    let ids: Vec<&str> = r["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&"mashreq-0414-09") && ids.contains(&"yawmi-0414-09"),
        "{ids:?}"
    );
    let r = search("الاسد", &[]);
    let hit = r["hits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["id"] == "mashreq-0411-02")
        .expect("found");
    assert_eq!(marked(hit), ["والأسد"]);
    let r = search("\"بشار الاسد\"", &["--source", "Yawmi"]);
    assert!(!r["hits"].as_array().unwrap().is_empty());
    assert!(
        r["hits"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["source"] == "Yawmi")
    );
    let mut v = vec!["show", "--stories"];
    v.extend(base);
    assert!(ok(&v).lines().count() >= 10);
    let mut v = vec!["show", "mashreq-0410-01"];
    v.extend(base);
    assert!(ok(&v).starts_with("الجيش السوري"));
}
