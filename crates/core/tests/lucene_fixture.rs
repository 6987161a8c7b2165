//! The Lucene-identical stemmer against the cases of Lucene's own tests
//! (`testdata/lucene_arabic.tsv`; see its header for the sources).

use khabar_core::stem::lucene;

#[test]
fn lucene_arabic_fixture() {
    let fixture = include_str!("../testdata/lucene_arabic.tsv");
    let mut checked = 0;
    let mut failures = Vec::new();
    for (n, line) in fixture.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(
            cols.len(),
            4,
            "line {}: expected 4 tab-separated columns",
            n + 1
        );
        let (stage, test, input, expected) = (cols[0], cols[1], cols[2], cols[3]);
        let got = match stage {
            "normalize" => lucene::normalize(input),
            "stem" => lucene::stem(input),
            "analyze" => lucene::analyze(input),
            other => panic!("line {}: unknown stage {other:?}", n + 1),
        };
        if got != expected {
            failures.push(format!(
                "{test} ({stage}): {input:?} → {got:?}, Lucene gives {expected:?}"
            ));
        }
        checked += 1;
    }
    assert!(checked >= 40, "only {checked} cases read");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
