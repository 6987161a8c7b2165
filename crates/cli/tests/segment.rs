//! `khabar segment`, `khabar eval segment` and `khabar train segmenter` as a user runs them.

use std::io::Write;
use std::process::{Command, Stdio};

fn khabar(args: &[&str], stdin: &str) -> (String, String, i32) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_khabar"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("khabar runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    let out = child.wait_with_output().expect("khabar exits");
    (
        String::from_utf8(out.stdout).expect("UTF-8 stdout"),
        String::from_utf8(out.stderr).expect("UTF-8 stderr"),
        out.status.code().unwrap_or(-1),
    )
}

#[test]
fn one_word_per_line_in_input_order() {
    let (one, _, code) = khabar(&["segment", "-"], "وبالكرملين\nللمرة\nبوتين\n");
    assert_eq!(code, 0);
    assert_eq!(one, "و+ب+ال+كرملين\nل+ال+مرة\nبوتين\n");
    // Several words per line give the same lines, in the same order.
    let (several, _, _) = khabar(&["segment", "-"], "وبالكرملين للمرة،\tبوتين");
    assert_eq!(several, one);
}

#[test]
fn surface_keeps_harakat_and_norm_folds() {
    let (s, _, _) = khabar(&["segment", "-"], "وَبِالكرملين لِلمرةِ");
    assert_eq!(s, "وَ+بِ+ال+كرملين\nلِ+ال+مرةِ\n");
    let (n, _, _) = khabar(&["segment", "--form", "norm", "-"], "وَبِالكرملين لِلمرةِ");
    assert_eq!(n, "و+ب+ال+كرملين\nل+ال+مره\n");
}

#[test]
fn all_tokens_prints_numbers_and_punctuation() {
    let (s, _, _) = khabar(&["segment", "--all-tokens", "-"], "عام 2018.");
    assert_eq!(s, "عام\n2018\n.\n");
}

#[test]
fn eval_segment_reads_farasa_gold() {
    let dir = tempfile::tempdir().unwrap();
    let gold = dir.path().join("gold.jsonl");
    std::fs::write(
        &gold,
        concat!(
            r#"{"id":"wikinews-politics-2","tokens":["و+ال+تلفزيون","أعلن+ت","ل+ال+مر+ة","بوتين","."],"pos":["CONJ+DET+NOUN","V+PRON","PREP+DET+NOUN+NSUFF","NOUN","PUNC"]}"#,
            "\n"
        ),
    )
    .unwrap();
    let (out, err, code) = khabar(
        &[
            "eval",
            "segment",
            "--gold",
            gold.to_str().unwrap(),
            "--format",
            "json",
        ],
        "",
    );
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["all"]["words"], 4);
    assert_eq!(v["all"]["correct"], 4, "{out}");
    assert_eq!(v["tune"]["words"], 4);
    assert_eq!(v["skipped_tokens"], 1);
}

#[test]
fn eval_segment_says_what_is_wrong_with_the_gold() {
    let dir = tempfile::tempdir().unwrap();
    let gold = dir.path().join("gold.jsonl");
    std::fs::write(&gold, "{\"id\": 3}\n").unwrap();
    let (_, err, code) = khabar(&["eval", "segment", "--gold", gold.to_str().unwrap()], "");
    assert_eq!(code, 1);
    assert!(err.contains("line 1"), "{err}");
}

#[test]
fn train_segmenter_writes_a_loadable_model() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("news.jsonl");
    let mut lines = String::new();
    for i in 0..20 {
        lines.push_str(&format!(
            "{{\"id\":\"{i}\",\"title\":\"قال الوزير\",\"text\":\"وقال وزير الخارجية للحكومة إن الحكومة وافقت وحكومته قالت\"}}\n"
        ));
    }
    std::fs::write(&corpus, lines).unwrap();
    let model = dir.path().join("m.khabar");
    let (_, err, code) = khabar(
        &[
            "train",
            "segmenter",
            "--corpus",
            corpus.to_str().unwrap(),
            "--out",
            model.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(code, 0, "{err}");
    let bytes = std::fs::read(&model).unwrap();
    let seg = khabar_core::CliticSegmenter::from_bytes(&bytes).expect("the model loads");
    assert!(seg.manifest().contains("news.jsonl"));
    // A bad option is a usage error with a message.
    let (_, err, code) = khabar(
        &[
            "train",
            "segmenter",
            "--corpus",
            corpus.to_str().unwrap(),
            "--out",
            model.to_str().unwrap(),
            "--set",
            "nonsense=1",
        ],
        "",
    );
    assert_eq!(code, 1);
    assert!(err.contains("nonsense"), "{err}");
}
