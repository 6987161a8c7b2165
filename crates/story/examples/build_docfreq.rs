//! Builds `data/docfreq.ant.tsv`, the document-frequency table compiled into the crate.
//!
//! ```sh
//! cargo run --release -p khabar-story --example build_docfreq -- \
//!     ../shared/data/ant_multisource/articles-2018-0{3,4,5}.jsonl > crates/story/data/docfreq.ant.tsv
//! ```
//!
//! Pass 1 counts, per article (title + body), the search-normalized clitic-stem forms;
//! pass 2 counts content terms using the pass-1 table to decide which leading «و»/«ب»/«ل»
//! are clitics. Rows seen in fewer than `MIN_DF` articles are dropped to keep the file small
//! (forms: only those that start with a possible clitic letter, and their remainders).
use khabar_core::TextAnalyzer;
use khabar_story::lexicon::DocFreq;
use khabar_story::terms::Prepared;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, Write};

const MIN_FORM_DF: u32 = 80;
const MIN_TERM_DF: u32 = 50;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut texts = Vec::new();
    for path in std::env::args().skip(1) {
        let f = std::io::BufReader::new(std::fs::File::open(&path)?);
        for line in f.lines() {
            let v: serde_json::Value = serde_json::from_str(&line?)?;
            let title = v["title"].as_str().unwrap_or("");
            let body = v["text"].as_str().unwrap_or("");
            texts.push(format!("{title}\n{body}"));
        }
    }
    let analyzer = TextAnalyzer::default_analyzer();
    let analyses: Vec<_> = texts
        .iter()
        .map(|t| analyzer.analyze(t))
        .collect::<Result<_, _>>()?;
    let mut forms: BTreeMap<String, u32> = BTreeMap::new();
    for a in &analyses {
        let mut seen = BTreeSet::new();
        for t in &a.tokens {
            if t.kind != khabar_core::TokenKind::Word {
                continue;
            }
            seen.insert(a.norm(t).to_string());
            if let Some(s) = a.stem_segment(t) {
                seen.insert(a.form(s).to_string());
            }
        }
        for f in seen {
            *forms.entry(f).or_default() += 1;
        }
    }
    forms.retain(|_, n| *n >= MIN_FORM_DF);
    // Only clitic decisions read the form table: keep forms that start with a letter that
    // can be a clitic, and what is left of them without it.
    let mut keep = BTreeSet::new();
    for f in forms.keys() {
        if f.starts_with(['و', 'ف', 'ب', 'ل', 'ك']) {
            keep.insert(f.clone());
            let mut rest = f.chars();
            rest.next();
            keep.insert(rest.as_str().to_string());
            rest.next();
            keep.insert(rest.as_str().to_string());
        }
    }
    forms.retain(|f, _| keep.contains(f));
    let mut table = format!("n\t{}\nm\t{MIN_TERM_DF}\n", texts.len());
    for (f, n) in &forms {
        table.push_str(&format!("f\t{f}\t{n}\n"));
    }
    let df = DocFreq::parse(Box::leak(table.clone().into_boxed_str()));
    let mut terms: BTreeMap<String, u32> = BTreeMap::new();
    for (text, a) in texts.iter().zip(analyses) {
        let p = Prepared::new(text, a, &df);
        let seen: BTreeSet<&str> = p
            .views
            .iter()
            .map(|v| v.term.as_str())
            .filter(|t| !t.is_empty())
            .collect();
        for t in seen {
            *terms.entry(t.to_string()).or_default() += 1;
        }
    }
    terms.retain(|t, n| *n >= MIN_TERM_DF && !t.chars().all(|c| c.is_ascii_digit()));
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "# Document frequencies over ANT Corpus v2.1 articles of 2018-03..05 (title + body)."
    )?;
    writeln!(
        out,
        "# Built by crates/story/examples/build_docfreq.rs; see data/README.md."
    )?;
    write!(out, "{table}")?;
    for (t, n) in &terms {
        writeln!(out, "t\t{t}\t{n}")?;
    }
    Ok(())
}
