//! `khabar train summary` and `khabar eval summary` on a small made-up EASC folder (the
//! real data is only used by `bench/summarize.sh`).

use std::path::Path;
use std::process::Command;

fn khabar(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_khabar"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

const SENTENCES: &[&str] = &[
    "استعاد الجيش السوري مدينة حلب بالكامل بعد معارك عنيفة مع الفصائل المسلحة.",
    "وقالت الأمم المتحدة إن آلاف المدنيين غادروا المدينة خلال عملية الإجلاء الأخيرة.",
    "وأكدت روسيا أن المعارك انتهت وأن الجيش يسيطر على جميع أحياء المدينة الآن.",
    "وكان الطقس مشمسا في دمشق يوم الأحد مع رياح خفيفة وحرارة معتدلة.",
    "ويعيش في المدينة نحو مليوني شخص بحسب أرقام رسمية نشرت العام الماضي.",
    "وتعد حلب من أقدم المدن المأهولة في العالم وفيها قلعة تاريخية شهيرة.",
];

/// Twelve articles of six sentences (rotated), each summarized by its first two
/// sentences, written as `easc.jsonl` in `dir`.
fn write_easc(dir: &Path) {
    let mut lines = String::new();
    for k in 0..12 {
        let sents: Vec<&str> = (0..SENTENCES.len())
            .map(|i| SENTENCES[(i + k) % SENTENCES.len()])
            .collect();
        let article = format!("{}\n{}", sents[..3].join(" "), sents[3..].join(" "));
        let rec = serde_json::json!({
            "id": format!("easc-{k:03}"),
            "article": article,
            "summaries": [sents[..2].join(" ")],
        });
        lines.push_str(&rec.to_string());
        lines.push('\n');
    }
    std::fs::write(dir.join("easc.jsonl"), lines).unwrap();
}

#[test]
fn train_then_evaluate_with_cross_validation() {
    let dir = tempfile::tempdir().unwrap();
    write_easc(dir.path());
    let data = dir.path().to_str().unwrap();
    let model = dir.path().join("model.tsv");
    let model_s = model.to_str().unwrap();
    let (code, _, err) = khabar(&["train", "summary", "--data", data, "--out", model_s]);
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&model).unwrap();
    assert!(text.starts_with("khabar-summary-model\t1\n"), "{text}");
    assert!(text.contains("on 12 EASC articles"), "{text}");
    assert!(
        text.contains("features used (the others have weight 0): position_inverse\n"),
        "the default recipe weighs position only: {text}"
    );
    let full = dir.path().join("full.tsv");
    let (code, _, err) = khabar(&[
        "train",
        "summary",
        "--data",
        data,
        "--out",
        full.to_str().unwrap(),
        "--features",
        "all",
    ]);
    assert_eq!(code, 0, "{err}");
    let full_text = std::fs::read_to_string(&full).unwrap();
    assert!(
        full_text.contains("weight 0): first_sentence position_inverse"),
        "{full_text}"
    );
    // Training twice gives the same file, byte for byte.
    let again = dir.path().join("again.tsv");
    let (code, _, err) = khabar(&[
        "train",
        "summary",
        "--data",
        data,
        "--out",
        again.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(std::fs::read_to_string(&again).unwrap(), text);

    // The summaries are the first two sentences: a model that learned the position
    // scores them perfectly, like lead-k.
    let (code, out, err) = khabar(&[
        "eval", "summary", "--data", data, "--model", model_s, "--folds", "3", "--format", "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let recs: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let system = |name: &str| {
        recs.iter()
            .find(|r| r["system"] == name)
            .unwrap_or_else(|| panic!("no {name} in {out}"))
    };
    assert_eq!(system("lead")["articles"], 12);
    let f1 = |name: &str| system(name)["norm"]["rouge2"]["f1"].as_f64().unwrap();
    assert!(f1("lead") > 0.99, "{out}");
    assert!(f1("khabar") > 0.99, "{out}");
    assert!(f1("khabar-cv") > 0.99, "{out}");
    let folds: Vec<&serde_json::Value> = recs.iter().filter(|r| r["fold"].is_number()).collect();
    assert_eq!(folds.len(), 3);
    assert_eq!(
        folds
            .iter()
            .map(|r| r["articles"].as_u64().unwrap())
            .sum::<u64>(),
        12
    );

    // The text report has the fold table and the paired comparison.
    let (code, out, err) = khabar(&["eval", "summary", "--data", data, "--folds", "3"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Cross-validation: 3 folds"), "{out}");
    assert!(out.contains("khabar-cv − lead"), "{out}");
}

#[test]
fn bad_inputs_say_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    write_easc(dir.path());
    let data = dir.path().to_str().unwrap();
    let (code, _, err) = khabar(&["eval", "summary", "--data", data, "--folds", "1"]);
    assert_eq!(code, 1);
    assert!(err.contains("--folds 1"), "{err}");
    let out = dir.path().join("m.tsv");
    let (code, _, err) = khabar(&[
        "train",
        "summary",
        "--data",
        data,
        "--out",
        out.to_str().unwrap(),
        "--drop",
        "no_such_feature",
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("no_such_feature"), "{err}");
    let bad = dir.path().join("bad.tsv");
    std::fs::write(&bad, "not a model\n").unwrap();
    let (code, _, err) = khabar(&[
        "eval",
        "summary",
        "--data",
        data,
        "--model",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert!(
        err.contains("bad.tsv") && err.contains("summary model"),
        "{err}"
    );
    let (code, _, err) = khabar(&[
        "train",
        "summary",
        "--data",
        "/nonexistent/easc",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("easc.jsonl"), "{err}");
}
