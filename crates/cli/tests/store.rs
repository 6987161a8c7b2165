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

/// Synthetic reports, each with a unique marker word and a shared one.
fn synthetic(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            let marker: String = format!("{i:04}")
                .bytes()
                .map(|b| (b'a' + (b - b'0')) as char)
                .collect();
            format!(
                "{{\"id\": \"s{i:04}\", \"title\": \"تقرير رقم {i}\", \"date\": \"2018-04-{:02}\", \"text\": \"نص التقرير المشترك mark{marker} عن الأحداث في المدينة.\"}}",
                1 + i % 28
            )
        })
        .collect()
}

fn stats(s: &str) -> serde_json::Value {
    json(&ok(&["show", "--stats", "--store", s, "--format", "json"]))
}

#[test]
fn a_killed_ingest_loses_nothing_and_doubles_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let s = dir.path().to_str().unwrap();
    let docs = synthetic(400);
    let mut child = khabar()
        .args([
            "ingest",
            "--store",
            s,
            "--batch",
            "50",
            "--index-commit-secs",
            "3600",
            "-",
        ])
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
    // Five batches of 50 get committed; the other 10 wait in the reader's batch.
    let started = Instant::now();
    loop {
        if dir.path().join("khabar.sqlite3").exists() {
            let out = run(&["show", "--stats", "--store", s, "--format", "json"]);
            if out.status.success()
                && json(&String::from_utf8_lossy(&out.stdout))["stats"]["documents"] == 250
            {
                break;
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "ingest made no progress"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // While it runs, a second writer is refused with a clear message.
    let e = fails(&["ingest", "--store", s, corpus().to_str().unwrap()]);
    assert!(e.contains("locked by another writer"), "{e}");
    child.kill().unwrap(); // SIGKILL
    let _ = child.wait();
    drop(stdin);

    let st = stats(s);
    assert_eq!(
        st["stats"]["documents"], 250,
        "committed batches survive the kill"
    );
    let lag = st["health"]["index_lag"].as_i64().unwrap();
    assert!(
        lag > 0,
        "the index had not been committed when the process died: {st}"
    );

    let file = dir.path().join("all.jsonl");
    std::fs::write(&file, docs.join("\n") + "\n").unwrap();
    let r = json(&ok(&[
        "ingest",
        "--store",
        s,
        file.to_str().unwrap(),
        "--format",
        "json",
    ]));
    assert_eq!(r["unchanged"], 250);
    assert_eq!(r["inserted"], 150);
    assert_eq!(
        r["index_repaired"].as_i64(),
        Some(lag),
        "the repair re-indexed what the index lacked"
    );
    let st = stats(s);
    assert_eq!(st["stats"]["documents"], 400);
    assert_eq!(st["health"]["indexed"], 400);
    assert_eq!(st["health"]["index_lag"], 0);
    let r = json(&ok(&[
        "search",
        "--store",
        s,
        "المشترك",
        "--format",
        "json",
    ]));
    assert_eq!(r["total"], 400, "every report is in the index exactly once");
    for i in [0usize, 49, 50, 249, 250, 255, 399] {
        let marker: String = format!("{i:04}")
            .bytes()
            .map(|b| (b'a' + (b - b'0')) as char)
            .collect();
        let r = json(&ok(&[
            "search",
            "--store",
            s,
            &format!("mark{marker}"),
            "--format",
            "json",
        ]));
        assert_eq!(r["total"], 1, "s{i:04}");
        assert_eq!(r["hits"][0]["id"], format!("s{i:04}"));
    }
}

#[test]
fn postgres_store_behaves_the_same() {
    let url = match std::env::var("KHABAR_TEST_POSTGRES") {
        Ok(u) if !u.is_empty() => u,
        _ => {
            eprintln!(
                "skipping: KHABAR_TEST_POSTGRES is not set (eval \"$(bash scripts/postgres-test-server.sh)\")"
            );
            return;
        }
    };
    let schema = format!("t_cli_{}", std::process::id());
    struct DropSchema(String, String);
    impl Drop for DropSchema {
        fn drop(&mut self) {
            if let Ok(mut c) = postgres::Client::connect(&self.0, postgres::NoTls) {
                let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.1));
            }
        }
    }
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
