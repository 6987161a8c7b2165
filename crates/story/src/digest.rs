//! The digest: many reports in, one readable account of each story out.
//!
//! For each story (by default the whole batch is one story; pass the groups of a story
//! clusterer to split it) the digest gives:
//!
//! - `summary`: a few lines, each a statement group's most central sentence, with how
//!   many reports carry it and the sentences it stands for;
//! - `entities`: who and what the reports name, from the caller's [`EntityTagger`];
//! - `quotes`: who said what ([`crate::quotes`]);
//! - `duplicates`: statements that several reports make in other words
//!   ([`crate::statements`]);
//! - `keyphrases` ([`crate::keyphrases`]).
//!
//! A *report* is a document, or, for a single text of paragraphs from several outlets
//! (a press review), a paragraph ([`Units`]). Spans always point into the document text
//! the caller gave, whatever the unit.

use crate::keyphrases::{Keyphrase, KeyphraseOptions, keyphrases};
use crate::lexicon::DocFreq;
use crate::quotes::{Quote, QuoteExtractor};
use crate::statements::{StatementOptions, Unit, group_statements, unit_vectors};
use crate::summary::{Length, SummaryOptions, summarize_story};
use crate::terms::{Prepared, TokenView};
use crate::vector::{SparseVec, Vocabulary};
use crate::{Error, Mention};
use khabar_core::{Analysis, Span, TextAnalyzer};
use serde::Serialize;
use std::collections::BTreeMap;

/// Finds entity mentions in a text. The digest does not depend on a particular tagger:
/// the `khabar` facade passes `khabar-ner`'s, tests a [`crate::gazetteer::Gazetteer`],
/// and a closure `|text, analysis| -> Vec<Mention>` works too.
pub trait EntityTagger: Sync {
    /// Mentions in `text` (any order), given its analysis.
    fn tag(&self, text: &str, analysis: &Analysis) -> Vec<Mention>;
}

impl<F> EntityTagger for F
where
    F: Fn(&str, &Analysis) -> Vec<Mention> + Sync,
{
    fn tag(&self, text: &str, analysis: &Analysis) -> Vec<Mention> {
        self(text, analysis)
    }
}

/// A tagger that finds nothing: quotes and title phrases still work without entities.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoEntities;

impl EntityTagger for NoEntities {
    fn tag(&self, _: &str, _: &Analysis) -> Vec<Mention> {
        Vec::new()
    }
}

/// One input document.
#[derive(Clone, Copy, Debug)]
pub struct DigestDocument<'a> {
    /// Its id, repeated in the output.
    pub id: &'a str,
    /// Its text; output spans point into it.
    pub text: &'a str,
    /// Its headline, if known.
    pub title: Option<&'a str>,
}

/// What counts as one report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Units {
    /// Paragraphs when the batch is a single document of several paragraphs, else documents.
    #[default]
    Auto,
    /// Each document is a report.
    Documents,
    /// Each paragraph (non-empty line) of each document is a report.
    Paragraphs,
}

/// Options of [`build_digest`].
#[derive(Clone, Debug)]
pub struct DigestOptions {
    /// What a report is.
    pub units: Units,
    /// Length of each story summary.
    pub summary_length: Length,
    /// Most entities listed per story.
    pub max_entities: usize,
    /// Keyphrase extraction.
    pub keyphrases: KeyphraseOptions,
    /// Statement grouping.
    pub statements: StatementOptions,
    /// Summary selection (its `length` is ignored: see `summary_length`).
    pub summary: SummaryOptions,
    /// Quote extraction.
    pub quotes: QuoteExtractor,
}

impl Default for DigestOptions {
    fn default() -> Self {
        DigestOptions {
            units: Units::Auto,
            summary_length: Length::Sentences(5),
            max_entities: 12,
            keyphrases: KeyphraseOptions::default(),
            statements: StatementOptions::default(),
            // Story lines are whole statement groups: keep them clearly apart.
            summary: SummaryOptions {
                max_redundancy: 0.35,
                ..SummaryOptions::default()
            },
            quotes: QuoteExtractor::default(),
        }
    }
}

impl DigestOptions {
    /// The options of an archive's stories: documents are the reports, and no
    /// keyphrases (an archive keeps a digest's title and summary lines only;
    /// keyphrases, a tenth of a digest's CPU, would be computed and dropped —
    /// phrases of zero words make none, and nothing else reads them).
    pub fn documents_without_keyphrases() -> DigestOptions {
        DigestOptions {
            units: Units::Documents,
            keyphrases: KeyphraseOptions {
                max_words: 0,
                top: 0,
                ..KeyphraseOptions::default()
            },
            ..DigestOptions::default()
        }
    }
}

/// A place in the input: document id and byte range in its text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Source {
    /// Document id.
    pub doc: String,
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

/// A report of a story.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Report {
    /// `doc` for a whole document, `doc#n` for its n-th paragraph (1-based).
    pub id: String,
    /// Where it is.
    #[serde(flatten)]
    pub source: Source,
}

/// A summary line.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SummaryLine {
    /// The sentence shown, as written.
    pub text: String,
    /// How many reports carry this statement.
    pub support: usize,
    /// Every sentence that makes it, the shown one included.
    pub sources: Vec<Source>,
}

/// An entity of a story.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EntityCount {
    /// The tagger's canonical key.
    pub key: String,
    /// `PER`, `LOC`, `ORG` or `MISC` (the most frequent label of its mentions).
    pub label: String,
    /// Spellings as written, most frequent first.
    pub forms: Vec<String>,
    /// Number of mentions.
    pub count: usize,
}

/// A quote of a story.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StoryQuote {
    /// The speaker as written (empty if unknown).
    pub speaker: String,
    /// The speaker's canonical key (empty if unknown).
    pub speaker_key: String,
    /// Lemma of the speech cue («قال», «اضاف»).
    pub cue: String,
    /// What was said.
    pub text: String,
    /// Own words (quote marks) or reported speech.
    pub direct: bool,
    /// Who relayed it («الكرملين» in «بحسب ما افاد الكرملين»), empty if nobody.
    pub channel: String,
    /// Document id.
    pub doc: String,
    /// Start of the content in the document.
    pub start: u32,
    /// End of the content in the document.
    pub end: u32,
}

/// A sentence of a duplicate group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DuplicateSentence {
    /// Document id.
    pub doc: String,
    /// First byte in the document.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
    /// The sentence as written.
    pub text: String,
}

/// One story of the digest.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Story {
    /// A headline: the most central document title, else the start of the first summary line.
    pub title: String,
    /// Its reports.
    pub reports: Vec<Report>,
    /// Summary lines, most supported and central first.
    pub summary: Vec<SummaryLine>,
    /// Entities, most mentioned first.
    pub entities: Vec<EntityCount>,
    /// Quotes in input order.
    pub quotes: Vec<StoryQuote>,
    /// Statements made by two or more reports: groups of sentences, largest first.
    pub duplicates: Vec<Vec<DuplicateSentence>>,
    /// Keyphrases, best first.
    pub keyphrases: Vec<Keyphrase>,
}

/// The digest of a batch.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Digest {
    /// Stories, in the order given (or one story for the whole batch).
    pub stories: Vec<Story>,
}

/// Everything computed per document before stories are assembled (index = document).
struct Work<'t> {
    prepared: Vec<Prepared<'t>>,
    mentions: Vec<Vec<Mention>>,
    quotes: Vec<Vec<Quote>>,
}

/// One document made ready for a digest: its text-layer analysis with the per-token
/// views, its entity mentions (sorted) and its quotes. [`build_digest`] makes these
/// itself; a caller that already holds a document's analysis and mentions (ingest, which
/// analysed and tagged it once) makes them with [`PreparedDocument::new`] and calls
/// [`build_digest_prepared`], so no document is analysed or tagged twice. Owns no text:
/// the text is given again, as the [`DigestDocument`], when the digest is built.
#[derive(Clone, Debug)]
pub struct PreparedDocument {
    analysis: Analysis,
    views: Vec<TokenView>,
    paragraphs: Vec<Span>,
    mentions: Vec<Mention>,
    quotes: Vec<Quote>,
    /// Length of the text it was made from (checked when the digest is built).
    text_len: usize,
}

impl PreparedDocument {
    /// Prepares `text` from its analysis (as `TextAnalyzer::default_analyzer()` makes
    /// it) and its entity mentions (any order; those outside the text are dropped).
    pub fn new(
        text: &str,
        analysis: Analysis,
        mentions: Vec<Mention>,
        opts: &DigestOptions,
    ) -> PreparedDocument {
        let (prepared, mentions, quotes) = prepare(text, analysis, mentions, opts);
        let Prepared {
            analysis,
            views,
            paragraphs,
            ..
        } = prepared;
        PreparedDocument {
            analysis,
            views,
            paragraphs,
            mentions,
            quotes,
            text_len: text.len(),
        }
    }

    /// Analyses `text` and tags it with `tagger`: what [`build_digest`] does per document.
    ///
    /// # Errors
    /// [`Error::Text`] if the text is too large for the text layer.
    pub fn analyze(
        text: &str,
        tagger: &dyn EntityTagger,
        opts: &DigestOptions,
    ) -> Result<PreparedDocument, Error> {
        let analysis = TextAnalyzer::default_analyzer().analyze(text)?;
        let mentions = tagger.tag(text, &analysis);
        Ok(PreparedDocument::new(text, analysis, mentions, opts))
    }

    /// The analysis it was made from.
    pub fn analysis(&self) -> &Analysis {
        &self.analysis
    }

    /// Its entity mentions, sorted by span then key.
    pub fn mentions(&self) -> &[Mention] {
        &self.mentions
    }

    /// Its quotes.
    pub fn quotes(&self) -> &[Quote] {
        &self.quotes
    }

    /// Gives the text back: a [`Prepared`] pointing into it. `None` if `text` is not the
    /// length of the text it was made from, or a token or sentence lies outside it.
    fn attach(self, text: &str) -> Option<Prepared<'_>> {
        let fits = |s: Span| text.get(s.range()).is_some();
        if text.len() != self.text_len
            || !self.analysis.tokens.iter().all(|t| fits(t.span))
            || !self.analysis.sentences.iter().all(|s| fits(s.span))
        {
            return None;
        }
        Some(Prepared {
            text,
            analysis: self.analysis,
            views: self.views,
            paragraphs: self.paragraphs,
        })
    }
}

/// Per-document work of a digest: views, mentions (those in the text, sorted), quotes.
fn prepare<'t>(
    text: &'t str,
    analysis: Analysis,
    mut mentions: Vec<Mention>,
    opts: &DigestOptions,
) -> (Prepared<'t>, Vec<Mention>, Vec<Quote>) {
    mentions.retain(|m| text.get(m.span.range()).is_some());
    mentions.sort_by(|a, b| a.span.cmp(&b.span).then(a.key.cmp(&b.key)));
    let prepared = Prepared::new(text, analysis, DocFreq::builtin());
    let quotes = opts.quotes.extract(&prepared, &mentions);
    (prepared, mentions, quotes)
}

/// Builds the digest of `docs`. `stories` lists the documents of each story (indices into
/// `docs`, e.g. from a story clusterer); `None` makes the whole batch one story.
///
/// # Errors
/// [`Error::Text`] if a document is too large for the text layer.
pub fn build_digest(
    docs: &[DigestDocument],
    tagger: &dyn EntityTagger,
    stories: Option<&[Vec<usize>]>,
    opts: &DigestOptions,
) -> Result<Digest, Error> {
    let prepared = docs
        .iter()
        .map(|d| PreparedDocument::analyze(d.text, tagger, opts))
        .collect::<Result<Vec<_>, _>>()?;
    build_digest_prepared(docs, prepared, stories, opts)
}

/// [`build_digest`] over documents already prepared: `prepared[i]` was made from
/// `docs[i].text` (with the same `opts`). The output is byte for byte what
/// [`build_digest`] gives for the same documents, analysis and mentions. A prepared
/// document that does not fit its text (another length) is prepared again from the text,
/// with its mentions; a document without one (`prepared` too short), without entities.
///
/// # Errors
/// [`Error::Text`] if a document that must be prepared again is too large for the text
/// layer.
pub fn build_digest_prepared(
    docs: &[DigestDocument],
    prepared: Vec<PreparedDocument>,
    stories: Option<&[Vec<usize>]>,
    opts: &DigestOptions,
) -> Result<Digest, Error> {
    let df = DocFreq::builtin();
    let mut work = Work {
        prepared: Vec::with_capacity(docs.len()),
        mentions: Vec::with_capacity(docs.len()),
        quotes: Vec::with_capacity(docs.len()),
    };
    let mut prepared = prepared.into_iter();
    for d in docs {
        let p = match prepared.next() {
            Some(p) => p,
            None => PreparedDocument::analyze(d.text, &NoEntities, opts)?,
        };
        let mut p = p;
        let mentions = std::mem::take(&mut p.mentions);
        let quotes = std::mem::take(&mut p.quotes);
        let (p, mentions, quotes) = match p.attach(d.text) {
            Some(p) => (p, mentions, quotes),
            None => {
                let analysis = TextAnalyzer::default_analyzer().analyze(d.text)?;
                prepare(d.text, analysis, mentions, opts)
            }
        };
        work.prepared.push(p);
        work.mentions.push(mentions);
        work.quotes.push(quotes);
    }
    let paragraphs = match opts.units {
        Units::Documents => false,
        Units::Paragraphs => true,
        Units::Auto => docs.len() == 1 && work.prepared[0].paragraphs.len() > 1,
    };
    let all: Vec<usize> = (0..docs.len()).collect();
    let groups: Vec<Vec<usize>> = match stories {
        Some(s) => s
            .iter()
            .map(|g| g.iter().copied().filter(|&d| d < docs.len()).collect())
            .collect(),
        None => vec![all],
    };
    let stories = groups
        .iter()
        .filter(|g| !g.is_empty())
        .map(|g| build_story(docs, &work, g, paragraphs, opts, df))
        .collect();
    Ok(Digest { stories })
}

fn build_story(
    docs: &[DigestDocument],
    work: &Work,
    members: &[usize],
    paragraphs: bool,
    opts: &DigestOptions,
    df: &DocFreq,
) -> Story {
    // Reports and their sentences (units).
    let mut reports: Vec<Report> = Vec::new();
    let mut units: Vec<Unit> = Vec::new();
    for &d in members {
        let p = &work.prepared[d];
        let spans: Vec<Span> = if paragraphs {
            p.paragraphs.clone()
        } else {
            vec![Span::from_usize(0, p.text.len())]
        };
        for (pi, span) in spans.iter().enumerate() {
            let r = reports.len();
            reports.push(Report {
                id: if paragraphs {
                    format!("{}#{}", docs[d].id, pi + 1)
                } else {
                    docs[d].id.to_string()
                },
                source: source(docs[d].id, *span),
            });
            let mut position = 0;
            for s in &p.analysis.sentences {
                if s.span.start >= span.start && s.span.start < span.end {
                    units.push(Unit {
                        report: r,
                        doc: d,
                        tokens: s.first_token as usize..s.end_token as usize,
                        span: s.span,
                        position,
                    });
                    position += 1;
                }
            }
        }
    }
    // Statement vectors (unit `doc` fields index all documents).
    let mut vocab = Vocabulary::default();
    let vectors = unit_vectors(
        &work.prepared,
        &units,
        &work.quotes,
        &work.mentions,
        &mut vocab,
        df,
        &opts.statements,
    );
    let groups = group_statements(&work.prepared, &units, &vectors, &opts.statements);
    let vectors = vectors.full;
    // Group vectors and centrality against the story centroid.
    let centroid = SparseVec::sum(vectors.iter().map(|v| (v, 1.0)));
    let group_vectors: Vec<SparseVec> = groups
        .iter()
        .map(|g| {
            let scale = 1.0 / g.members.len() as f64;
            SparseVec::sum(g.members.iter().map(|&m| (&vectors[m], scale)))
        })
        .collect();
    let centroid_norm = centroid.norm();
    let centrality: Vec<f64> = group_vectors
        .iter()
        .map(|v| {
            let d = v.norm() * centroid_norm;
            if d == 0.0 { 0.0 } else { v.dot(&centroid) / d }
        })
        .collect();
    let lines = summarize_story(
        &groups,
        &group_vectors,
        &centrality,
        opts.summary_length,
        &opts.summary,
    );
    let summary: Vec<SummaryLine> = lines
        .iter()
        .map(|l| {
            let u = &units[l.shown.0];
            SummaryLine {
                text: without_dateline(l.shown.1.slice(docs[u.doc].text)).to_string(),
                support: l.support,
                sources: groups[l.group]
                    .members
                    .iter()
                    .map(|&m| source(docs[units[m].doc].id, units[m].span))
                    .collect(),
            }
        })
        .collect();
    let mut duplicates: Vec<Vec<DuplicateSentence>> = groups
        .iter()
        .filter(|g| g.support >= 2)
        .map(|g| {
            g.members
                .iter()
                .map(|&m| {
                    let u = &units[m];
                    DuplicateSentence {
                        doc: docs[u.doc].id.to_string(),
                        start: u.span.start,
                        end: u.span.end,
                        text: u.span.slice(docs[u.doc].text).to_string(),
                    }
                })
                .collect()
        })
        .collect();
    duplicates.sort_by_key(|g| std::cmp::Reverse(g.len()));
    let story_quotes: Vec<StoryQuote> = members
        .iter()
        .flat_map(|&d| {
            let text = docs[d].text;
            work.quotes[d].iter().map(move |q| StoryQuote {
                speaker: q
                    .speaker
                    .map_or(String::new(), |s| s.slice(text).to_string()),
                speaker_key: q.speaker_key.clone().unwrap_or_default(),
                cue: q.cue_lemma.to_string(),
                text: q.content.slice(text).to_string(),
                direct: q.direct,
                channel: q
                    .channel
                    .map_or(String::new(), |s| s.slice(text).to_string()),
                doc: docs[d].id.to_string(),
                start: q.content.start,
                end: q.content.end,
            })
        })
        .collect();
    let entities = entity_counts(docs, work, members, opts.max_entities);
    let kp = keyphrases(&work.prepared, &units, df, &opts.keyphrases);
    // A quote that makes up most of the first line gives the title «speaker: words».
    let quoted = lines.first().and_then(|l| {
        let u = &units[l.shown.0];
        work.quotes[u.doc]
            .iter()
            .find(|q| u.span.contains(q.content) && q.content.len() * 2 >= u.span.len())
            .map(|q| {
                let text = docs[u.doc].text;
                let who = match (&q.speaker_label, &q.speaker_key, q.speaker) {
                    (Some(_), Some(k), _) => k.clone(),
                    (_, _, Some(s)) => s.slice(text).to_string(),
                    _ => String::new(),
                };
                (who, q.content.slice(text).to_string())
            })
    });
    let title = story_title(docs, members, &summary, quoted, &mut vocab, df);
    Story {
        title,
        reports,
        summary,
        entities,
        quotes: story_quotes,
        duplicates,
        keyphrases: kp,
    }
}

/// The sentence without a leading dateline such as «لندن، المملكة المتحدة (CNN)--».
pub fn without_dateline(sentence: &str) -> &str {
    let head_end = sentence
        .char_indices()
        .nth(80)
        .map_or(sentence.len(), |(i, _)| i);
    let head = &sentence[..head_end];
    for marker in [")--", ") --", ")—", ") —", ")–", ") –", ")-", ") -"] {
        if let Some(p) = head.find(marker) {
            let rest = sentence[p + marker.len()..].trim_start();
            if !rest.is_empty() {
                return rest;
            }
        }
    }
    sentence
}

fn source(doc: &str, span: Span) -> Source {
    Source {
        doc: doc.to_string(),
        start: span.start,
        end: span.end,
    }
}

/// Entities of the story's documents by key: label by majority, spellings by frequency.
fn entity_counts(
    docs: &[DigestDocument],
    work: &Work,
    members: &[usize],
    max: usize,
) -> Vec<EntityCount> {
    #[derive(Default)]
    struct Acc {
        count: usize,
        labels: BTreeMap<String, usize>,
        forms: BTreeMap<String, usize>,
    }
    let mut by_key: BTreeMap<String, Acc> = BTreeMap::new();
    for &d in members {
        for m in &work.mentions[d] {
            let a = by_key.entry(m.key.clone()).or_default();
            a.count += 1;
            *a.labels.entry(m.label.clone()).or_default() += 1;
            *a.forms
                .entry(m.span.slice(docs[d].text).to_string())
                .or_default() += 1;
        }
    }
    let mut out: Vec<EntityCount> = by_key
        .into_iter()
        .map(|(key, a)| {
            let label = a
                .labels
                .iter()
                .max_by(|x, y| x.1.cmp(y.1).then(y.0.cmp(x.0)))
                .map(|(l, _)| l.clone())
                .unwrap_or_default();
            let mut forms: Vec<(String, usize)> = a.forms.into_iter().collect();
            forms.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
            EntityCount {
                key,
                label,
                forms: forms.into_iter().map(|f| f.0).collect(),
                count: a.count,
            }
        })
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then(a.key.cmp(&b.key)));
    out.truncate(max);
    out
}

/// The most central document title, else the first summary line cut at its first comma
/// or twelve words.
fn story_title(
    docs: &[DigestDocument],
    members: &[usize],
    summary: &[SummaryLine],
    quoted: Option<(String, String)>,
    vocab: &mut Vocabulary,
    df: &DocFreq,
) -> String {
    let titled: Vec<usize> = members
        .iter()
        .copied()
        .filter(|&d| docs[d].title.is_some_and(|t| !t.trim().is_empty()))
        .collect();
    if !titled.is_empty() {
        let analyzer = TextAnalyzer::default_analyzer();
        let vecs: Vec<(usize, SparseVec)> = titled
            .iter()
            .filter_map(|&d| {
                let t = docs[d].title?;
                let a = analyzer.analyze(t).ok()?;
                let p = Prepared::new(t, a, df);
                let n = p.analysis.tokens.len();
                Some((d, crate::vector::tfidf(&p, 0..n, vocab, df, |_| 1.0)))
            })
            .collect();
        let best = vecs
            .iter()
            .map(|(d, v)| {
                let s: f64 = vecs.iter().map(|(_, o)| v.cosine(o)).sum();
                (*d, s)
            })
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
        if let Some((d, _)) = best {
            return docs[d].title.unwrap_or("").trim().to_string();
        }
    }
    let (who, text) = match quoted {
        Some((who, content)) => (who, content),
        None => match summary.first() {
            Some(first) => (String::new(), first.text.clone()),
            None => return String::new(),
        },
    };
    let full = without_dateline(text.trim()).trim_end_matches(['.', '۔']);
    let clause = full.split(['،', ',', '؛', ';']).next().unwrap_or("").trim();
    let words: Vec<&str> = clause.split_whitespace().collect();
    let head = if words.len() > 12 {
        format!("{}…", words[..12].join(" "))
    } else if clause.len() < full.len() {
        format!("{clause}…")
    } else {
        clause.to_string()
    };
    if who.is_empty() {
        head
    } else {
        format!("{who}: {head}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datelines_are_dropped_from_display_text() {
        assert_eq!(
            without_dateline(
                "لندن، المملكة المتحدة (CNN)-- قررت الحكومة البريطانية طرد 23 دبلوماسيا."
            ),
            "قررت الحكومة البريطانية طرد 23 دبلوماسيا."
        );
        let plain = "قال بوتين (الرئيس الروسي) - في مؤتمره - إن المعارك انتهت وأن الخطوة التالية يجب أن تكون وقف إطلاق النار في سوريا.";
        assert_eq!(
            without_dateline("قررت الحكومة طرد الدبلوماسيين."),
            "قررت الحكومة طرد الدبلوماسيين."
        );
        assert_ne!(without_dateline(plain), "");
    }

    #[test]
    fn closures_are_entity_taggers_and_stories_can_be_given() {
        let docs = [
            DigestDocument {
                id: "a",
                text: "قال الرئيس إن حلب تحررت بالكامل.",
                title: None,
            },
            DigestDocument {
                id: "b",
                text: "أعلنت الحكومة موازنة جديدة للتعليم.",
                title: None,
            },
        ];
        let tagger = |text: &str, _: &Analysis| -> Vec<Mention> {
            text.find("حلب")
                .map(|i| Mention {
                    span: Span::from_usize(i, i + "حلب".len()),
                    label: "LOC".into(),
                    key: "حلب".into(),
                })
                .into_iter()
                .collect()
        };
        let stories = [vec![0], vec![1]];
        let d = build_digest(&docs, &tagger, Some(&stories), &DigestOptions::default()).unwrap();
        assert_eq!(d.stories.len(), 2);
        assert_eq!(d.stories[0].entities[0].key, "حلب");
        assert!(d.stories[1].entities.is_empty());
        assert_eq!(d.stories[1].reports[0].id, "b");
    }
}
