//! Keyphrases of a story: the content phrases its reports keep repeating.
//!
//! Candidates are runs of one to three adjacent content words inside a sentence (stop
//! words, speech cues and punctuation end a run; the stop-word list is
//! `data/stopwords.ar.txt`). Variants meet on their terms — light stems of the words
//! without clitics — so «لوقف إطلاق النار», «وقف اطلاق النار» and «ووقف إطلاق النار» are
//! one phrase, shown in its most frequent normalized form without leading conjunctions
//! or prepositions («وقف اطلاق النار»). A phrase scores by how many reports use it, how
//! often, and how rare its words are in news (IDF from the built-in table); a phrase
//! inside a longer one that occurs about as often is dropped in favour of the longer one.

use crate::lexicon::DocFreq;
use crate::statements::Unit;
use crate::terms::{Prepared, strip_leading_clitics};
use khabar_core::{Normalizer, Profile};
use serde::Serialize;
use std::collections::BTreeMap;

/// A keyphrase of a set of reports.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Keyphrase {
    /// Its most frequent spelling as written, without leading clitics and harakat
    /// («وقف إطلاق النار»).
    pub text: String,
    /// Its search-normalized form («وقف اطلاق النار»).
    pub norm: String,
    /// How many times it occurs.
    pub count: usize,
    /// In how many reports.
    pub reports: usize,
    /// Its score (higher is more characteristic).
    pub score: f64,
}

/// Tuning of keyphrase extraction.
#[derive(Clone, Debug)]
pub struct KeyphraseOptions {
    /// Longest phrase, in words.
    pub max_words: usize,
    /// How many phrases to return.
    pub top: usize,
    /// Phrases seen fewer times than this are ignored (1 for a single short text).
    pub min_count: usize,
}

impl Default for KeyphraseOptions {
    fn default() -> Self {
        KeyphraseOptions {
            max_words: 3,
            top: 10,
            min_count: 2,
        }
    }
}

#[derive(Default)]
struct Cand {
    count: usize,
    reports: Vec<usize>,
    forms: BTreeMap<String, usize>,
    spellings: BTreeMap<String, usize>,
    words: usize,
    idf: f64,
}

/// Keyphrases of the sentences `units` (of `docs`), best first.
pub fn keyphrases<'t, P: std::borrow::Borrow<Prepared<'t>>>(
    docs: &[P],
    units: &[Unit],
    df: &DocFreq,
    opts: &KeyphraseOptions,
) -> Vec<Keyphrase> {
    let display = Normalizer::new(Profile {
        remove_diacritics: true,
        ..Profile::DISPLAY
    });
    let mut cands: BTreeMap<String, Cand> = BTreeMap::new();
    for u in units {
        let doc: &Prepared = docs[u.doc].borrow();
        // Runs of content words.
        let mut run: Vec<usize> = Vec::new();
        let mut flush = |run: &mut Vec<usize>| {
            for len in 1..=opts.max_words.min(run.len()) {
                for w in run.windows(len) {
                    let key: Vec<&str> = w.iter().map(|&k| doc.views[k].term.as_str()).collect();
                    let key = key.join(" ");
                    let form: Vec<&str> = w
                        .iter()
                        .enumerate()
                        .map(|(i, &k)| {
                            let core = doc.views[k].core.as_str();
                            if i == 0 {
                                strip_leading_clitics(core, df, false)
                            } else {
                                core
                            }
                        })
                        .collect();
                    // The spelling as written, minus the clitic letters stripped above.
                    let first = &doc.analysis.tokens[w[0]];
                    let norm_first = doc.analysis.norm(first);
                    let dropped = norm_first.chars().count() - form[0].chars().count();
                    let start = skip_letters(doc.text, first.span, dropped);
                    let end = doc.analysis.tokens[w[len - 1]].span.end;
                    let spelled: Vec<String> = doc.text[start as usize..end as usize]
                        .split_whitespace()
                        .map(|x| display.normalize(x).into_owned())
                        .collect();
                    let c = cands.entry(key).or_default();
                    *c.spellings.entry(spelled.join(" ")).or_default() += 1;
                    c.count += 1;
                    if c.reports.last() != Some(&u.report) && !c.reports.contains(&u.report) {
                        c.reports.push(u.report);
                    }
                    *c.forms.entry(form.join(" ")).or_default() += 1;
                    c.words = len;
                    c.idf = w.iter().map(|&k| df.idf(&doc.views[k].term)).sum::<f64>() / len as f64;
                }
            }
            run.clear();
        };
        for k in u.tokens.clone() {
            let v = &doc.views[k];
            let is_content = !v.term.is_empty()
                && doc.analysis.tokens[k].kind != khabar_core::TokenKind::Number
                && v.term.chars().count() >= 2;
            if is_content {
                run.push(k);
            } else {
                flush(&mut run);
            }
        }
        flush(&mut run);
    }
    let scored: Vec<(String, Keyphrase)> = cands
        .into_iter()
        .filter(|(_, c)| c.count >= opts.min_count)
        .map(|(key, c)| {
            let most = |m: &BTreeMap<String, usize>| {
                m.iter()
                    .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                    .map(|(f, _)| f.clone())
                    .unwrap_or_default()
            };
            let norm = most(&c.forms);
            let text = most(&c.spellings);
            let score = c.idf
                * (1.0 + c.reports.len() as f64).ln()
                * (1.0 + c.count as f64).ln()
                * (c.words as f64).sqrt();
            // Three decimals are plenty and keep the JSON stable to read.
            let score = (score * 1000.0).round() / 1000.0;
            (
                key,
                Keyphrase {
                    text,
                    norm,
                    count: c.count,
                    reports: c.reports.len(),
                    score,
                },
            )
        })
        .collect();
    // Drop phrases inside a longer phrase that occurs about as often («اطلاق النار» inside
    // «وقف اطلاق النار»): the longer one says more.
    let index: BTreeMap<&str, usize> = scored
        .iter()
        .enumerate()
        .map(|(i, (k, _))| (k.as_str(), i))
        .collect();
    let mut subsumed = vec![false; scored.len()];
    for (key, kp) in &scored {
        let words: Vec<&str> = key.split(' ').collect();
        for len in 1..words.len() {
            for w in words.windows(len) {
                if let Some(&i) = index.get(w.join(" ").as_str())
                    && kp.count * 3 >= scored[i].1.count * 2
                {
                    subsumed[i] = true;
                }
            }
        }
    }
    let mut kept: Vec<(String, Keyphrase)> = scored
        .into_iter()
        .zip(subsumed)
        .filter(|(_, s)| !s)
        .map(|(x, _)| x)
        .collect();
    kept.sort_by(|a, b| b.1.score.total_cmp(&a.1.score).then(a.0.cmp(&b.0)));
    let mut out: Vec<Keyphrase> = Vec::new();
    for (_, kp) in kept {
        if !out.iter().any(|p| p.norm == kp.norm) {
            out.push(kp);
        }
        if out.len() >= opts.top {
            break;
        }
    }
    out
}

/// Byte offset in `text` after the first `n` Arabic letters of `span` (and marks on them).
fn skip_letters(text: &str, span: khabar_core::Span, n: usize) -> u32 {
    if n == 0 {
        return span.start;
    }
    let mut seen = 0;
    for (i, c) in span.slice(text).char_indices() {
        if khabar_core::chars::class(c) == khabar_core::chars::CharClass::ArabicLetter {
            if seen == n {
                return span.start + i as u32;
            }
            seen += 1;
        }
    }
    span.start
}

#[cfg(test)]
mod tests {
    use super::*;
    use khabar_core::TextAnalyzer;

    #[test]
    fn variants_meet_and_stop_words_never_lead() {
        let texts = [
            "دعا بوتين إلى وقف إطلاق النار في سوريا.",
            "وقال إن الخطوة التالية هي التوصل لوقف اطلاق النار.",
            "ورحبت تركيا بوقف إطلاق النار في جميع الأراضي السورية.",
        ];
        let a = TextAnalyzer::default_analyzer();
        let docs: Vec<Prepared> = texts
            .iter()
            .map(|t| Prepared::new(t, a.analyze(t).unwrap(), DocFreq::builtin()))
            .collect();
        let units: Vec<Unit> = docs
            .iter()
            .enumerate()
            .map(|(i, d)| Unit {
                report: i,
                doc: i,
                tokens: 0..d.analysis.tokens.len(),
                span: khabar_core::Span::from_usize(0, d.text.len()),
                position: 0,
            })
            .collect();
        let k = keyphrases(
            &docs,
            &units,
            DocFreq::builtin(),
            &KeyphraseOptions::default(),
        );
        assert_eq!(k[0].norm, "وقف اطلاق النار");
        assert_eq!(k[0].text, "وقف إطلاق النار");
        assert_eq!(k[0].reports, 3);
        for p in &k {
            let first = p.text.split(' ').next().unwrap();
            assert!(!crate::lexicon::is_stop_word(first), "{p:?}");
        }
        // «اطلاق النار» is inside «وقف اطلاق النار» with the same count: dropped.
        assert!(!k.iter().any(|p| p.text == "اطلاق النار"));
    }
}
