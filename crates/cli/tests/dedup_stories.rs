//! `khabar dedup`, `khabar stories`, `khabar eval stories` and `khabar bench dedup`
//! end to end on small made-up documents. Needs no `../shared`.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn khabar_env(args: &[&str], stdin: &[u8], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_khabar"));
    cmd.args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("run khabar");
    let _ = child.stdin.take().expect("stdin").write_all(stdin);
    child.wait_with_output().expect("wait")
}

fn khabar(args: &[&str], stdin: &[u8]) -> Output {
    khabar_env(args, stdin, &[])
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).expect("utf-8")
}

fn lines(s: &str) -> Vec<serde_json::Value> {
    s.lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect()
}

const ALEPPO: &str = "أعلن الجيش السوري مساء الخميس استعادة مدينة حلب بالكامل محققا أكبر نصر له على الفصائل المعارضة منذ اندلاع النزاع في 2011 بفضل الدعم العسكري الروسي والإيراني، وقال الرئيس الروسي فلاديمير بوتين إن تحرير حلب خطوة مهمة جدا نحو إعادة الوضع إلى طبيعته في سوريا.";
const OIL: &str = "ارتفعت أسعار النفط في الأسواق العالمية اليوم بعد قرار منظمة أوبك خفض الإنتاج، وقال محللون إن الأسعار قد تواصل الصعود خلال الأسابيع المقبلة مع تراجع المخزونات الأمريكية وتزايد الطلب في آسيا.";

fn doc(id: &str, date: &str, source: &str, title: &str, text: &str) -> String {
    serde_json::json!({"id": id, "date": date, "source": source, "title": title, "text": text})
        .to_string()
}

/// Two outlets' copies of one wire (other spellings, one word added), another story.
fn dedup_input() -> String {
    let copy = ALEPPO
        .replace(['أ', 'إ'], "ا")
        .replace("مساء الخميس", "مساء يوم الخميس");
    [
        doc("a", "2016-12-22T18:00:00Z", "x", "", ALEPPO),
        doc("o", "2016-12-22T19:00:00Z", "y", "", OIL),
        doc("b", "2016-12-22T20:00:00+03:00", "z", "", &copy),
    ]
    .join("\n")
        + "\n"
}

#[test]
fn dedup_groups_copies_and_prints_jsonl() {
    let out = ok(&khabar(&["dedup", "-"], dedup_input().as_bytes()));
    let groups = lines(&out);
    assert_eq!(groups.len(), 1, "{out}");
    let g = &groups[0];
    assert_eq!(g["group"], 0);
    assert_eq!(g["members"], serde_json::json!(["a", "b"]));
    assert_eq!(g["representative"], "a");
    assert_eq!(g["first_date"], "2016-12-22");
    let sim = g["similarity"][1].as_f64().unwrap();
    assert!(sim > 0.5 && sim < 1.0, "{sim}");
    // Singletons on request; text format is one line per group.
    let all = ok(&khabar(
        &["dedup", "--singletons", "-"],
        dedup_input().as_bytes(),
    ));
    assert_eq!(lines(&all).len(), 2);
    let text = ok(&khabar(
        &["dedup", "--format", "text", "-"],
        dedup_input().as_bytes(),
    ));
    assert_eq!(text, "0\ta b\n");
    // A threshold above the copies' similarity separates them.
    let strict = ok(&khabar(
        &["dedup", "--threshold", "0.99", "-"],
        dedup_input().as_bytes(),
    ));
    assert!(strict.is_empty(), "{strict}");
}

#[test]
fn dedup_output_does_not_depend_on_threads() {
    let mut input = String::new();
    for i in 0..300 {
        let text = if i % 3 == 0 { ALEPPO } else { OIL };
        let text = format!("{text} رقم {i}");
        input.push_str(&doc(&format!("d{i}"), "2016-12-22", "x", "", &text));
        input.push('\n');
    }
    let one = ok(&khabar_env(
        &["dedup", "-"],
        input.as_bytes(),
        &[("RAYON_NUM_THREADS", "1")],
    ));
    let two = ok(&khabar_env(
        &["dedup", "-"],
        input.as_bytes(),
        &[("RAYON_NUM_THREADS", "2")],
    ));
    assert_eq!(one, two);
    assert!(!one.is_empty());
}

#[test]
fn bad_dates_are_errors_that_say_where() {
    let input = dedup_input() + &doc("bad", "22/12/2016", "x", "", OIL) + "\n";
    for cmd in ["dedup", "stories"] {
        let out = khabar(&[cmd, "-"], input.as_bytes());
        assert_eq!(out.status.code(), Some(1), "{cmd}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("<stdin>:4") && err.contains("\"bad\"") && err.contains("22/12/2016"),
            "{cmd}: {err}"
        );
        assert!(err.contains("--ignore-bad-dates"), "{err}");
        ok(&khabar(&[cmd, "--ignore-bad-dates", "-"], input.as_bytes()));
    }
    let out = khabar(
        &["dedup", "--threshold", "1.5", "-"],
        dedup_input().as_bytes(),
    );
    assert_eq!(out.status.code(), Some(1));
}

const ALEPPO_2: &str = "قال الرئيس الروسي فلاديمير بوتين إن استعادة الجيش السوري مدينة حلب من الفصائل المعارضة خطوة مهمة جدا، وإن المعارك في حلب انتهت بمشاركة الجنود الروس.";

fn stories_input() -> String {
    [
        doc(
            "a1",
            "2016-12-22T10:00:00Z",
            "bbc",
            "الجيش السوري يستعيد حلب",
            ALEPPO,
        ),
        doc(
            "o1",
            "2016-12-22T11:00:00Z",
            "cnn",
            "النفط يرتفع بعد قرار أوبك",
            OIL,
        ),
        doc(
            "a2",
            "2016-12-22T15:00:00Z",
            "sky",
            "بوتين: تحرير حلب خطوة مهمة",
            ALEPPO_2,
        ),
        // Three weeks later the same words are another story.
        doc(
            "a3",
            "2017-01-12T10:00:00Z",
            "bbc",
            "حلب بعد ثلاثة أسابيع",
            ALEPPO_2,
        ),
    ]
    .join("\n")
        + "\n"
}

#[test]
fn stories_group_one_event_within_its_window() {
    let out = ok(&khabar(&["stories", "-"], stories_input().as_bytes()));
    let stories = lines(&out);
    assert_eq!(stories.len(), 1, "{out}");
    let s = &stories[0];
    assert_eq!(s["members"], serde_json::json!(["a1", "a2"]));
    assert_eq!(s["size"], 2);
    assert_eq!(s["sources"], serde_json::json!(["bbc", "sky"]));
    assert_eq!(s["headline"], "الجيش السوري يستعيد حلب");
    assert_eq!(s["first_date"], "2016-12-22");
    let terms: Vec<&str> = s["top_terms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert!(terms.contains(&"حلب"), "{terms:?}");
    let all = ok(&khabar(
        &["stories", "--min-size", "1", "-"],
        stories_input().as_bytes(),
    ));
    assert_eq!(lines(&all).len(), 3);
    // Sorting by date gives the same stories for shuffled input.
    let input = stories_input();
    let mut shuffled: Vec<&str> = input.lines().collect();
    shuffled.reverse();
    let shuffled = shuffled.join("\n") + "\n";
    let sorted = ok(&khabar(
        &["stories", "--sort-by-date", "-"],
        shuffled.as_bytes(),
    ));
    assert_eq!(
        lines(&sorted)[0]["members"],
        serde_json::json!(["a1", "a2"])
    );
}

#[test]
fn stories_read_entity_keys_from_a_side_file() {
    let dir = tempfile::tempdir().unwrap();
    let ents = dir.path().join("ents.jsonl");
    std::fs::write(
        &ents,
        "{\"id\":\"a1\",\"entities\":[{\"key\":\"حلب\",\"label\":\"LOC\"}]}\n{\"id\":\"a2\",\"entities\":[\"حلب\",\"بوتين\"]}\n",
    )
    .unwrap();
    let out = ok(&khabar(
        &["stories", "--entities", ents.to_str().unwrap(), "-"],
        stories_input().as_bytes(),
    ));
    let s = &lines(&out)[0];
    assert_eq!(s["top_entities"], serde_json::json!(["حلب", "بوتين"]));
    std::fs::write(&ents, "{\"id\":\"a1\"}\n").unwrap();
    let out = khabar(
        &["stories", "--entities", ents.to_str().unwrap(), "-"],
        stories_input().as_bytes(),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("ents.jsonl:1"));
}

#[test]
fn eval_stories_scores_labelled_pairs() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    std::fs::write(data.join("articles.jsonl"), stories_input()).unwrap();
    std::fs::write(data.join("README.md"), "not read").unwrap();
    let pairs = dir.path().join("pairs.jsonl");
    std::fs::write(
        &pairs,
        "{\"a\":\"a1\",\"b\":\"a2\",\"label\":\"same\",\"split\":\"tune\"}\n{\"a\":\"a1\",\"b\":\"o1\",\"label\":\"different\",\"split\":\"check\"}\n{\"a\":\"a2\",\"b\":\"a3\",\"label\":\"same\",\"split\":\"check\"}\n",
    )
    .unwrap();
    let args = [
        "eval",
        "stories",
        "--pairs",
        pairs.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
        "--format",
        "jsonl",
    ];
    let out = ok(&khabar(&args, b""));
    let recs = lines(&out);
    let all = recs.iter().find(|r| r["group"] == "all").unwrap();
    // a1~a2 found (TP), a1/o1 apart (TN), a2/a3 split by the window (FN).
    assert_eq!(
        all["counts"],
        serde_json::json!({"tp": 1, "fp": 0, "fn_": 1, "tn": 1})
    );
    assert_eq!(all["precision"], 1.0);
    assert_eq!(all["recall"], 0.5);
    assert!(recs.iter().any(|r| r["group"] == "split=check"));
    // An id that is not in the data is an error.
    std::fs::write(&pairs, "{\"a\":\"a1\",\"b\":\"zz\",\"label\":\"same\"}\n").unwrap();
    let out = khabar(&args, b"");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("zz"));
}

#[test]
fn bench_dedup_prints_a_json_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("lines.txt");
    std::fs::write(&file, format!("{ALEPPO}\n{OIL}\n\n{ALEPPO}\n")).unwrap();
    let out = ok(&khabar(
        &["bench", "dedup", file.to_str().unwrap(), "--runs", "1"],
        b"",
    ));
    let r = &lines(&out)[0];
    assert_eq!(r["bench"], "dedup");
    assert_eq!(r["tool"], "khabar");
    assert_eq!(r["docs"], 3);
    assert_eq!(r["duplicates"], 1);
    assert!(r["mb_s"].as_f64().unwrap() > 0.0);
}
