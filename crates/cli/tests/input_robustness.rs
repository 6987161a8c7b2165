//! The command line on bad and odd input: clear errors naming what and where,
//! non-zero exits where the user must act, nothing silently dropped, no panics.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn khabar(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_khabar"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run khabar");
    let mut sin = child.stdin.take().unwrap();
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = sin.write_all(&data);
    });
    let out = child.wait_with_output().expect("wait");
    writer.join().unwrap();
    out
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("stdout is UTF-8")
}
fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn file(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> String {
    let p = dir.path().join(name);
    std::fs::write(&p, bytes).unwrap();
    p.to_str().unwrap().to_string()
}

#[test]
fn invalid_utf8_fails_with_file_and_offset() {
    let d = tempfile::tempdir().unwrap();
    let p = file(&d, "bad.txt", b"\xd9\x82\xd8\xa7\xd9\x84 \xff\xfe x");
    let o = khabar(&["analyze", &p], b"");
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(
        e.contains("bad.txt") && e.contains("invalid UTF-8 at byte offset 7"),
        "{e}"
    );
    assert!(!e.contains("panicked"));
}

#[test]
fn lossy_replaces_and_reports() {
    let d = tempfile::tempdir().unwrap();
    let p = file(&d, "bad.txt", b"\xd9\x82\xd8\xa7\xd9\x84 \xff x");
    let o = khabar(&["analyze", "--lossy", "--format", "jsonl", &p], b"");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("replaced 1 invalid UTF-8 sequence"),
        "{}",
        stderr(&o)
    );
    assert!(stdout(&o).contains("\u{FFFD}"));
}

#[test]
fn empty_input_gives_empty_output_and_success() {
    let d = tempfile::tempdir().unwrap();
    let p = file(&d, "empty.txt", b"");
    for fmt in ["text", "jsonl", "conllu"] {
        let o = khabar(&["analyze", "--format", fmt, &p], b"");
        assert!(o.status.success());
        assert_eq!(stdout(&o), "");
    }
    let o = khabar(&["analyze", "--format", "json", &p], b"");
    assert_eq!(stdout(&o).trim(), "[]");
    let o = khabar(&["analyze", "-"], b"");
    assert!(o.status.success());
    assert_eq!(stdout(&o), "");
}

#[test]
fn bad_jsonl_line_names_file_and_line() {
    let d = tempfile::tempdir().unwrap();
    let p = file(
        &d,
        "docs.jsonl",
        "{\"id\":\"a\",\"text\":\"قال بوتين\"}\n{\"id\":\"b\",\"text\":\"truncated\n".as_bytes(),
    );
    let o = khabar(&["analyze", "--format", "jsonl", &p], b"");
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(
        e.contains("docs.jsonl:2") && e.contains("not valid JSON"),
        "{e}"
    );
    // The good line before the bad one was written: nothing is lost before the error.
    assert_eq!(stdout(&o).lines().count(), 1);

    let o = khabar(&["analyze", "--format", "jsonl", "--skip-bad", &p], b"");
    assert!(o.status.success());
    assert!(
        stderr(&o).contains("skipped 1 bad JSONL line") && stderr(&o).contains("docs.jsonl:2"),
        "{}",
        stderr(&o)
    );
    assert_eq!(stdout(&o).lines().count(), 1);
}

#[test]
fn stdin_jsonl_is_detected_and_fields_are_configurable() {
    let o = khabar(
        &[
            "analyze",
            "--format",
            "jsonl",
            "--id-field",
            "k",
            "--text-field",
            "body",
        ],
        "{\"k\":\"x1\",\"body\":\"حلب\"}\n".as_bytes(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(v["id"], "x1");
    assert_eq!(v["sentences"][0]["tokens"][0]["text"], "حلب");
}

#[test]
fn missing_path_fails_clearly() {
    let o = khabar(&["analyze", "/nonexistent/khabar/input.txt"], b"");
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("/nonexistent/khabar/input.txt"));
}

#[test]
fn control_bidi_and_mixed_scripts_keep_every_visible_character() {
    let text = "\u{FEFF}قال\u{200F} \u{0}بوتين\u{7} iPhoneالجديد ١٢٫٥٪ \u{202B}سوريا\u{202C}";
    let o = khabar(&["analyze", "--format", "jsonl", "-"], text.as_bytes());
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    let toks: Vec<String> = v["sentences"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| {
            s["tokens"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["text"].as_str().unwrap().to_string())
        })
        .collect();
    assert_eq!(toks, ["قال", "بوتين", "iPhone", "الجديد", "١٢٫٥٪", "سوريا"]);
    // Offsets index the original bytes, BOM included.
    let first = &v["sentences"][0]["tokens"][0];
    assert_eq!(first["start"], 3);
}

#[test]
fn long_single_line_is_analyzed_in_pieces_with_document_offsets() {
    // 3 MB on one line: more than one analysis piece.
    let text = "واعلن الكرملين استعادة حلب بالكامل. ".repeat(50_000);
    let d = tempfile::tempdir().unwrap();
    let p = file(&d, "long.txt", text.as_bytes());
    let o = khabar(&["analyze", "--format", "conllu", &p], b"");
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert_eq!(out.matches("# sent_id = ").count(), 50_000);
    let last_range = out
        .lines()
        .rev()
        .find(|l| l.contains("TokenRange="))
        .unwrap();
    assert!(
        last_range.ends_with(&format!(
            "TokenRange={}:{}|Norm=.|SpaceAfter=No",
            text.len() - 2,
            text.len() - 1
        )) || last_range.contains(&format!("TokenRange={}:{}", text.len() - 2, text.len() - 1)),
        "{last_range}"
    );
}

#[test]
fn normalize_profiles() {
    let o = khabar(&["normalize", "-"], "إعادة الأسد ١٢ مسـتشفى\n".as_bytes());
    assert_eq!(stdout(&o), "اعاده الاسد 12 مستشفي\n");
    let o = khabar(
        &["normalize", "--profile", "display", "-"],
        "إعادةُ\u{200F} مسـتشفى\n".as_bytes(),
    );
    assert_eq!(stdout(&o), "إعادةُ مستشفى\n");
    let o = khabar(
        &["normalize", "--input-format", "jsonl", "-"],
        "{\"id\":\"1\",\"text\":\"أستانة\"}\n".as_bytes(),
    );
    assert_eq!(stdout(&o), "{\"id\":\"1\",\"text\":\"استانه\"}\n");
}

#[test]
fn segment_prints_one_word_per_line_in_order() {
    let o = khabar(
        &["segment", "-"],
        "وبالكرملين\nللمرة الأسد\nبوتين\n".as_bytes(),
    );
    assert!(o.status.success());
    assert_eq!(stdout(&o), "و+ب+ال+كرملين\nل+ال+مرة\nال+أسد\nبوتين\n");
}

#[test]
fn analyze_formats_agree_on_the_example() {
    let example = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/multi-outlet-report.ar.txt"
    );
    let text = std::fs::read_to_string(example).unwrap();
    let o = khabar(&["analyze", "--format", "json", example], b"");
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let sents = v[0]["sentences"].as_array().unwrap();
    assert!(sents.len() >= 20, "{} sentences", sents.len());
    for s in sents {
        let (a, b) = (
            s["start"].as_u64().unwrap() as usize,
            s["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(&text[a..b], s["text"].as_str().unwrap());
    }
    let o = khabar(&["analyze", "--format", "conllu", example], b"");
    assert_eq!(stdout(&o).matches("# sent_id").count(), sents.len());
}
