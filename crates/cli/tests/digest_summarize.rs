//! `khabar digest`, `khabar summarize` and `khabar eval` from the outside.

use std::io::Write;
use std::process::{Command, Stdio};

const EXAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../examples/multi-outlet-report.ar.txt"
);
/// A hand-written TEST list of the example's names (a lookup, not NER).
const TEST_GAZETTEER: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../story/tests/data/test-gazetteer.tsv"
);

fn khabar(args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_khabar"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        let mut sin = child.stdin.take().unwrap();
        if let Some(s) = stdin {
            sin.write_all(s.as_bytes()).unwrap();
        }
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn digest_json_of_the_example() {
    let (code, out, err) = khabar(
        &[
            "digest",
            EXAMPLE,
            "--format",
            "json",
            "--gazetteer",
            TEST_GAZETTEER,
        ],
        None,
    );
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let stories = v["stories"].as_array().unwrap();
    assert_eq!(stories.len(), 1);
    let s = &stories[0];
    let summary = s["summary"].as_array().unwrap();
    assert!(summary.len() <= 5);
    let ceasefire = summary
        .iter()
        .find(|l| l["text"].as_str().unwrap().contains("الخطوة التالية"))
        .unwrap();
    assert!(ceasefire["support"].as_u64().unwrap() >= 3);
    let src = &ceasefire["sources"][0];
    assert!(
        src["doc"]
            .as_str()
            .unwrap()
            .ends_with("multi-outlet-report.ar.txt")
    );
    assert!(src["end"].as_u64() > src["start"].as_u64());
    for field in [
        "speaker",
        "speaker_key",
        "cue",
        "text",
        "direct",
        "doc",
        "start",
        "end",
    ] {
        assert!(!s["quotes"][0][field].is_null(), "quotes[].{field}");
    }
    for field in ["key", "label", "forms", "count"] {
        assert!(!s["entities"][0][field].is_null(), "entities[].{field}");
    }
    let dup = &s["duplicates"][0][0];
    for field in ["doc", "start", "end", "text"] {
        assert!(!dup[field].is_null(), "duplicates[][].{field}");
    }
}

#[test]
fn digest_text_reads_like_a_digest() {
    let (code, out, err) = khabar(&["digest", EXAMPLE], None);
    assert_eq!(code, 0, "{err}");
    for heading in [
        "Story 1",
        "Summary",
        "Quotes by speaker",
        "Same statement in several reports",
    ] {
        assert!(out.contains(heading), "{heading} missing:\n{out}");
    }
    assert!(out.contains("[3 reports]"), "{out}");
}

#[test]
fn digest_of_jsonl_documents_from_stdin() {
    let input = concat!(
        "{\"id\":\"a\",\"text\":\"قال الرئيس إن الخطوة التالية يجب أن تكون وقف إطلاق النار في سوريا.\"}\n",
        "{\"id\":\"b\",\"text\":\"وأكد الرئيس أن الخطوة التالية هي وقف إطلاق النار في جميع أنحاء سوريا.\"}\n"
    );
    let (code, out, err) = khabar(&["digest", "-", "--format", "json"], Some(input));
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let s = &v["stories"][0];
    assert_eq!(
        s["reports"].as_array().unwrap().len(),
        2,
        "documents are the reports"
    );
    assert_eq!(s["summary"][0]["support"], 2);
}

#[test]
fn bad_gazetteer_is_an_error_that_says_where() {
    let dir = tempfile::tempdir().unwrap();
    let g = dir.path().join("g.tsv");
    std::fs::write(&g, "بوتين\tPER\n").unwrap();
    let (code, _, err) = khabar(
        &["digest", EXAMPLE, "--gazetteer", g.to_str().unwrap()],
        None,
    );
    assert_eq!(code, 1);
    assert!(err.contains("g.tsv") && err.contains("line 1"), "{err}");
}

#[test]
fn summarize_jsonl_in_jsonl_out() {
    let input = concat!(
        "{\"id\":\"x\",\"text\":\"استعاد الجيش السوري مدينة حلب بالكامل بعد معارك عنيفة. وقالت الأمم المتحدة إن آلاف المدنيين غادروا المدينة. الطقس كان مشمسا.\"}\n",
        "{\"id\":\"y\",\"text\":\"\"}\n"
    );
    let (code, out, err) = khabar(&["summarize", "--sentences", "1"], Some(input));
    assert_eq!(code, 0, "{err}");
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["id"], "x");
    assert_eq!(lines[0]["summary"].as_array().unwrap().len(), 1);
    assert_eq!(lines[1]["summary"].as_array().unwrap().len(), 0);
}

#[test]
fn summarize_text_by_words() {
    let (code, out, err) = khabar(&["summarize", EXAMPLE, "--words", "40"], None);
    assert_eq!(code, 0, "{err}");
    let words = out.split_whitespace().count();
    assert!(words >= 40, "{out}");
    assert!(out.lines().count() <= 3, "{out}");
    let (code, _, err) = khabar(
        &["summarize", EXAMPLE, "--words", "5", "--sentences", "2"],
        None,
    );
    assert_eq!(code, 2, "conflicting lengths are a usage error: {err}");
}

#[test]
fn eval_without_data_says_what_is_missing() {
    let (code, _, err) = khabar(&["eval", "summary", "--data", "/nonexistent/easc"], None);
    assert_eq!(code, 1);
    assert!(err.contains("easc.jsonl"), "{err}");
}

#[test]
fn digest_with_the_embedded_ner_meets_the_issue() {
    let (code, out, err) = khabar(&["digest", EXAMPLE, "--format", "json"], None);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let s = &v["stories"][0];
    let summary = s["summary"].as_array().unwrap();
    assert!(summary.len() <= 5);
    let support_of = |needles: &[&str]| {
        summary
            .iter()
            .find(|l| {
                needles
                    .iter()
                    .any(|n| l["text"].as_str().unwrap().contains(n))
            })
            .map(|l| l["support"].as_u64().unwrap())
    };
    assert!(support_of(&["الخطوة التالية"]).unwrap() >= 3);
    assert_eq!(support_of(&["استانا", "أستانة"]), Some(2));
    assert!(support_of(&["طرطوس"]).is_some());
    assert!(support_of(&["حلب"]).is_some());
    let keys: Vec<&str> = s["quotes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["speaker_key"].as_str().unwrap())
        .collect();
    for who in ["بوتين", "الكرملين", "مسرور البارزاني"] {
        assert!(
            keys.iter().any(|k| k.contains(who)),
            "{who} not in {keys:?}"
        );
    }
    assert!(
        !s["entities"].as_array().unwrap().is_empty(),
        "the tagger found entities"
    );
}
