//! `khabar eval segment`: clitic segmentation against Farasa-style gold.

use anyhow::{Context, Result, bail};
use khabar_core::analysis::SEGMENTATION_PROFILE;
use khabar_core::{CliticSegmenter, Normalizer};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::path::PathBuf;

/// Flags of `khabar eval segment`.
#[derive(clap::Args, Debug)]
pub struct SegmentArgs {
    /// Gold JSONL: one article per line with `id`, `tokens` (segments joined by `+`) and
    /// `pos` (tags joined by `+`), as in ../shared/data/wikinews_farasa.
    #[arg(long, value_name = "FILE")]
    gold: PathBuf,
    /// Evaluate this model file instead of the embedded one.
    #[arg(long, value_name = "FILE")]
    model: Option<PathBuf>,
    /// How many of the most frequent errors to list.
    #[arg(long, default_value_t = 25)]
    errors: usize,
    /// Which half's errors to list: `all`, `tune` or `heldback` (list only the tuning
    /// half's while developing, so the held-back half stays an honest test).
    #[arg(long, default_value = "all", value_parser = ["all", "tune", "heldback"])]
    errors_in: String,
    /// Output format.
    #[arg(long, default_value = "text", value_parser = ["text", "json"])]
    format: String,
}

#[derive(Deserialize)]
struct GoldArticle {
    id: String,
    tokens: Vec<String>,
    pos: Vec<String>,
}

/// Proclitic segments and the tags they carry in the gold.
const PROCLITICS: &[&str] = &["و", "ف", "ب", "ك", "ل", "س", "ال"];
const PROCLITIC_TAGS: &[&str] = &["CONJ", "PREP", "DET", "FUT_PART", "PART"];
/// Pronoun enclitics.
const ENCLITICS: &[&str] = &[
    "ه", "ها", "هما", "هم", "هن", "ك", "كما", "كم", "كن", "ي", "ني", "نا",
];
/// Forms a PRON segment right after a verb stem has when it is the verb's subject.
const SUBJECT_SUFFIXES: &[&str] = &[
    "ت", "تا", "تم", "تن", "تما", "وا", "و", "ون", "ان", "ا", "ين", "ن", "نا",
];

/// A gold word at the clitic level.
struct GoldWord {
    /// The surface the segments spell («للمرة» for ل+ال+مرة).
    surface: String,
    /// Proclitics (restored forms), the stem (surface), the enclitic.
    pieces: Vec<String>,
    /// Index of the stem in `pieces`.
    stem_at: usize,
}

/// Maps one Farasa token to the clitic scheme (see docs/CLITICS.md), or `None`
/// for tokens that are not plain segmented words (a lone `+`).
fn clitic_level(token: &str, pos: &str) -> Option<GoldWord> {
    let segs: Vec<&str> = token.split('+').collect();
    if segs.iter().any(|s| s.is_empty()) {
        return None;
    }
    let tags: Vec<Option<&str>> = {
        let t: Vec<&str> = pos.split('+').collect();
        if t.len() == segs.len() {
            t.into_iter().map(Some).collect()
        } else {
            vec![None; segs.len()]
        }
    };
    let n = segs.len();
    // Surfaces: the article after «ل» loses its alef (ل+ال → لل) and, before a stem
    // starting with «ل», its lam too (ل+ال+لغة → للغة); من/عن before ما/من lose their nun.
    let mut surf: Vec<String> = Vec::with_capacity(n);
    for k in 0..n {
        let s = segs[k];
        let s = if s == "ال" && k > 0 && segs[k - 1] == "ل" {
            if segs.get(k + 1).is_some_and(|x| x.starts_with('ل')) {
                ""
            } else {
                "ل"
            }
        } else if matches!(s, "من" | "عن")
            && segs.get(k + 1).is_some_and(|x| matches!(*x, "ما" | "من"))
        {
            &s[..s.len() - "ن".len()]
        } else {
            s
        };
        surf.push(s.to_string());
    }
    let mut i = 0;
    while i + 1 < n
        && PROCLITICS.contains(&segs[i])
        && tags[i].is_none_or(|t| PROCLITIC_TAGS.contains(&t))
    {
        i += 1;
    }
    let mut j = n;
    while j > i + 1 && tags[j - 1].is_none_or(|t| t == "PRON") && ENCLITICS.contains(&segs[j - 1]) {
        if tags[j - 1] == Some("PRON")
            && SUBJECT_SUFFIXES.contains(&segs[j - 1])
            && tags[j - 2] == Some("V")
        {
            break;
        }
        j -= 1;
    }
    let mut pieces: Vec<String> = segs[..i].iter().map(|s| s.to_string()).collect();
    pieces.push(surf[i..j].concat());
    pieces.extend(segs[j..].iter().map(|s| s.to_string()));
    // A preposition with a pronoun and nothing else (ل+ه, و+ب+ها): the preposition
    // is the stem and the pronoun the enclitic, as the segmenter reports them.
    let stem_at = if j == n
        && j == i + 1
        && i >= 1
        && tags[i].is_none_or(|t| t == "PRON")
        && ENCLITICS.contains(&segs[i])
        && matches!(segs[i - 1], "ب" | "ل" | "ك")
    {
        i - 1
    } else {
        i
    };
    Some(GoldWord {
        surface: surf.concat(),
        pieces,
        stem_at,
    })
}

fn is_arabic_word(s: &str) -> bool {
    !s.is_empty()
        && s.chars().all(|c| {
            matches!(
                khabar_core::chars::class(c),
                khabar_core::chars::CharClass::ArabicLetter
                    | khabar_core::chars::CharClass::ArabicMark
                    | khabar_core::chars::CharClass::Tatweel
            )
        })
}

#[derive(Default, Clone, Copy)]
struct Tally {
    words: u64,
    correct: u64,
    clitic_words: u64,
    clitic_correct: u64,
    over: u64,
    under: u64,
    boundary: u64,
}

impl Tally {
    fn acc(&self) -> f64 {
        self.correct as f64 / self.words.max(1) as f64
    }
    fn clitic_acc(&self) -> f64 {
        self.clitic_correct as f64 / self.clitic_words.max(1) as f64
    }
    fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "words": self.words, "correct": self.correct, "accuracy": self.acc(),
            "clitic_words": self.clitic_words, "clitic_correct": self.clitic_correct,
            "clitic_accuracy": self.clitic_acc(),
            "over_split": self.over, "under_split": self.under, "wrong_boundary": self.boundary,
        })
    }
}

/// The clitics of a segmentation (`P:و`, `E:ه`), for per-clitic precision and recall.
fn clitics_of(pieces: &[String], stem_at: usize) -> Vec<String> {
    let mut v = Vec::new();
    for (k, p) in pieces.iter().enumerate() {
        if k < stem_at {
            v.push(format!("P:{p}"));
        } else if k > stem_at {
            v.push(format!("E:{p}"));
        }
    }
    v
}

pub fn segment(args: SegmentArgs) -> Result<()> {
    let seg = match &args.model {
        Some(p) => {
            let bytes = std::fs::read(p).with_context(|| format!("reading {}", p.display()))?;
            CliticSegmenter::from_bytes(&bytes)
                .with_context(|| format!("loading {}", p.display()))?
        }
        None => CliticSegmenter::new(),
    };
    let norm = Normalizer::new(SEGMENTATION_PROFILE);
    let file = std::fs::File::open(&args.gold)
        .with_context(|| format!("opening {}", args.gold.display()))?;
    // Halves: articles whose index (the number ending the id) is 2 mod 4 form the
    // tuning half; the others the held-back half.
    let mut tallies: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut errors: BTreeMap<(String, String, String), u64> = BTreeMap::new();
    let mut per_clitic: BTreeMap<String, [u64; 3]> = BTreeMap::new(); // gold, predicted, both
    let mut skipped = 0u64;
    let mut pieces = Vec::new();
    for (ln, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.with_context(|| format!("{}: line {}", args.gold.display(), ln + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let art: GoldArticle = serde_json::from_str(&line).with_context(|| {
            format!(
                "{}: line {}: expected {{\"id\", \"tokens\", \"pos\"}}",
                args.gold.display(),
                ln + 1
            )
        })?;
        if art.tokens.len() != art.pos.len() {
            bail!(
                "{}: line {} ({}): {} tokens but {} tags",
                args.gold.display(),
                ln + 1,
                art.id,
                art.tokens.len(),
                art.pos.len()
            );
        }
        let k: u64 = art
            .id
            .rsplit('-')
            .next()
            .and_then(|x| x.parse().ok())
            .unwrap_or(0);
        let half = if k % 4 == 2 { "tune" } else { "heldback" };
        for (tok, pos) in art.tokens.iter().zip(&art.pos) {
            let Some(g) = clitic_level(tok, pos) else {
                skipped += 1;
                continue;
            };
            if !is_arabic_word(&g.surface) {
                skipped += 1;
                continue;
            }
            let word = norm.normalize(&g.surface).into_owned();
            let gold_pieces: Vec<String> = g
                .pieces
                .iter()
                .map(|p| norm.normalize(p).into_owned())
                .collect();
            pieces.clear();
            seg.segment(&word, &mut pieces);
            let pred: Vec<String> = pieces
                .iter()
                .map(|p| {
                    p.restored
                        .unwrap_or(&word[p.start as usize..p.end as usize])
                        .to_string()
                })
                .collect();
            let ok = pred == gold_pieces;
            let has_clitic = gold_pieces.len() > 1;
            for name in ["all", half] {
                let t = tallies.entry(name).or_default();
                t.words += 1;
                t.correct += u64::from(ok);
                t.clitic_words += u64::from(has_clitic);
                t.clitic_correct += u64::from(ok && has_clitic);
                if !ok {
                    match pred.len().cmp(&gold_pieces.len()) {
                        std::cmp::Ordering::Greater => t.over += 1,
                        std::cmp::Ordering::Less => t.under += 1,
                        std::cmp::Ordering::Equal => t.boundary += 1,
                    }
                }
            }
            let pred_stem = pieces
                .iter()
                .position(|p| p.kind == khabar_core::SegmentKind::Stem)
                .unwrap_or(0);
            let gc = clitics_of(&gold_pieces, g.stem_at);
            let pc = clitics_of(&pred, pred_stem);
            for c in &gc {
                per_clitic.entry(c.clone()).or_default()[0] += 1;
            }
            let mut rest = gc.clone();
            for c in &pc {
                let e = per_clitic.entry(c.clone()).or_default();
                e[1] += 1;
                if let Some(i) = rest.iter().position(|x| x == c) {
                    rest.swap_remove(i);
                    e[2] += 1;
                }
            }
            if !ok && (args.errors_in == "all" || args.errors_in == half) {
                *errors
                    .entry((word.clone(), gold_pieces.join("+"), pred.join("+")))
                    .or_default() += 1;
            }
        }
    }
    let mut errs: Vec<(&(String, String, String), &u64)> = errors.iter().collect();
    errs.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
    let mut out = crate::common::stdout();
    let get = |n: &str| tallies.get(n).copied().unwrap_or_default();
    if args.format == "json" {
        let clitics: serde_json::Map<String, serde_json::Value> = per_clitic
            .iter()
            .map(|(k, [g, p, both])| {
                (
                    k.clone(),
                    serde_json::json!({"gold": g, "predicted": p, "correct": both}),
                )
            })
            .collect();
        let rec = serde_json::json!({
            "eval": "segment", "gold": args.gold.display().to_string(),
            "all": get("all").json(), "tune": get("tune").json(), "heldback": get("heldback").json(),
            "skipped_tokens": skipped, "clitics": clitics,
            "top_errors": errs.iter().take(args.errors).map(|((w, g, p), c)| serde_json::json!({"word": w, "gold": g, "predicted": p, "count": c})).collect::<Vec<_>>(),
        });
        writeln!(out, "{rec}")?;
        out.flush()?;
        return Ok(());
    }
    writeln!(
        out,
        "clitic-level segmentation, {} (Arabic words only; {} other tokens skipped)",
        args.gold.display(),
        skipped
    )?;
    writeln!(
        out,
        "{:<10} {:>7} {:>9} {:>13} {:>11} {:>6} {:>6} {:>9}",
        "part", "words", "accuracy", "clitic words", "clitic acc", "over", "under", "boundary"
    )?;
    for name in ["all", "tune", "heldback"] {
        let t = get(name);
        writeln!(
            out,
            "{:<10} {:>7} {:>8.2}% {:>13} {:>10.2}% {:>6} {:>6} {:>9}",
            name,
            t.words,
            100.0 * t.acc(),
            t.clitic_words,
            100.0 * t.clitic_acc(),
            t.over,
            t.under,
            t.boundary
        )?;
    }
    writeln!(
        out,
        "(tune = articles with index 2 mod 4, used to set the trainer's priors; heldback = the others)"
    )?;
    writeln!(
        out,
        "\nper clitic: gold / predicted / correct, precision, recall"
    )?;
    for (k, [g, p, both]) in &per_clitic {
        writeln!(
            out,
            "  {k:<6} {g:>5} {p:>5} {both:>5}  P {:>6.2}%  R {:>6.2}%",
            100.0 * *both as f64 / (*p).max(1) as f64,
            100.0 * *both as f64 / (*g).max(1) as f64
        )?;
    }
    writeln!(
        out,
        "\nmost frequent errors in {} (count, word, gold, predicted):",
        args.errors_in
    )?;
    for ((w, g, p), c) in errs.iter().take(args.errors) {
        writeln!(out, "  {c:>3}  {w}  gold {g}  got {p}")?;
    }
    out.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cl(tok: &str, pos: &str) -> (String, String) {
        let g = clitic_level(tok, pos).unwrap();
        (g.surface, g.pieces.join("+"))
    }

    #[test]
    fn farasa_to_clitic_scheme() {
        assert_eq!(
            cl("و+ال+تلفزيون", "CONJ+DET+NOUN"),
            ("والتلفزيون".into(), "و+ال+تلفزيون".into())
        );
        assert_eq!(
            cl("ترشيح+ات+ها", "NOUN+NSUFF+PRON"),
            ("ترشيحاتها".into(), "ترشيحات+ها".into())
        );
        assert_eq!(cl("أعلن+ت", "V+PRON"), ("أعلنت".into(), "أعلنت".into()));
        assert_eq!(
            cl("جمع+و+ها", "V+PRON+PRON"),
            ("جمعوها".into(), "جمعو+ها".into())
        );
        assert_eq!(cl("بدأ+نا", "V+PRON"), ("بدأنا".into(), "بدأنا".into()));
        assert_eq!(cl("ل+نا", "PREP+PRON"), ("لنا".into(), "ل+نا".into()));
        assert_eq!(
            cl("ل+ال+مر+ة", "PREP+DET+NOUN+NSUFF"),
            ("للمرة".into(), "ل+ال+مرة".into())
        );
        assert_eq!(
            cl("ترشيح+ا", "NOUN+CASE"),
            ("ترشيحا".into(), "ترشيحا".into())
        );
        assert_eq!(cl("من+ما", "PREP+PART"), ("مما".into(), "مما".into()));
        assert_eq!(
            cl("و+س+يقام", "CONJ+FUT_PART+V"),
            ("وسيقام".into(), "و+س+يقام".into())
        );
        assert!(clitic_level("+", "PUNC").is_none());
        assert_eq!(clitic_level("و+ل+ها", "CONJ+PREP+PRON").unwrap().stem_at, 1);
        assert_eq!(
            clitic_level("ل+ال+مر+ة", "PREP+DET+NOUN+NSUFF")
                .unwrap()
                .stem_at,
            2
        );
    }
}
