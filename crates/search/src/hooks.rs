//! Where other engines plug into ingest: entity and quote annotation, and
//! story assignment.
//!
//! - [`Annotator`]: called in parallel on each new document with its analysis.
//!   [`EngineAnnotator`] runs `khabar::Engine`'s embedded NER and quote
//!   attribution on the analysis ingest already made; [`NoAnnotations`] finds
//!   nothing (a bulk load that does not need them, `--annotate none`).
//! - [`StoryAssigner`]: called once per batch, in input order, with the store
//!   at hand. [`crate::stories::ClusterStories`] (the default) runs
//!   `khabar-story`'s incremental clustering and writes each story's digest;
//!   [`TermOverlapStories`] is the simple headline-overlap placeholder
//!   (`--stories simple`); [`NoStories`] assigns nothing.

use crate::terms::IndexToken;
use khabar::Document;
use khabar::Engine;
use khabar::story::cluster::{ArticleFeatures, Featurizer};
use khabar_core::{Analysis, TextAnalyzer};
use khabar_store::{EntityMention, JournalEntry, NewDocument, Quote, Store, StoryUpdate};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// What an annotator found in one document.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Annotations {
    /// Entity mentions (spans into the document text).
    pub mentions: Vec<EntityMention>,
    /// Quotes (spans into the document text).
    pub quotes: Vec<Quote>,
}

/// Finds entities and quotes in a document during ingest. Called in parallel
/// on many documents, so it must be `Sync`; it must not panic.
pub trait Annotator: Send + Sync {
    /// Annotates `doc`, whose text has already been analysed as `analysis`.
    fn annotate(&self, doc: &Document, analysis: &Analysis) -> Annotations;
}

/// Finds nothing (`khabar ingest --annotate none`).
#[derive(Clone, Copy, Debug, Default)]
pub struct NoAnnotations;

impl Annotator for NoAnnotations {
    fn annotate(&self, _doc: &Document, _analysis: &Analysis) -> Annotations {
        Annotations::default()
    }
}

impl<F> Annotator for F
where
    F: Fn(&Document, &Analysis) -> Annotations + Send + Sync,
{
    fn annotate(&self, doc: &Document, analysis: &Analysis) -> Annotations {
        self(doc, analysis)
    }
}

/// Entities and quotes from `khabar::Engine`: the embedded NER (canonical keys,
/// partial names linked within the document) and quote attribution (speaker,
/// cue, content, direct or reported, channel), both on the analysis ingest has
/// already made, so the text is analysed once.
pub struct EngineAnnotator {
    engine: Engine,
}

impl std::fmt::Debug for EngineAnnotator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EngineAnnotator").finish_non_exhaustive()
    }
}

impl EngineAnnotator {
    /// An annotator over `engine` (built with entities on, or quotes only).
    pub fn new(engine: Engine) -> EngineAnnotator {
        EngineAnnotator { engine }
    }

    /// An annotator over the default engine (embedded NER model).
    ///
    /// # Errors
    /// [`khabar::EngineError::Model`] if the embedded model does not load.
    pub fn standard() -> Result<EngineAnnotator, khabar::EngineError> {
        Ok(EngineAnnotator::new(Engine::new(Default::default())?))
    }

    /// The engine.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Entity mentions of `text` (analysed as `analysis`), sorted by span then key.
    pub fn mentions(&self, text: &str, analysis: &Analysis) -> Vec<khabar::story::Mention> {
        let entities = match self.engine.recognizer() {
            // The tagger's own entry point re-analyses; on a text of one chunk the
            // analysis in hand is the one it would make.
            Some(r) if text.len() <= khabar::ner::CHUNK_BYTES => {
                let mut e = r.recognize_analysis(analysis, 0);
                khabar::ner::keys::resolve_document(&mut e);
                e
            }
            Some(_) => self.engine.entities(text).unwrap_or_default(),
            None => Vec::new(),
        };
        let mut m: Vec<khabar::story::Mention> = entities
            .into_iter()
            .filter(|e| text.get(e.span.range()).is_some())
            .map(|e| khabar::story::Mention {
                span: e.span,
                label: e.ty.as_str().to_string(),
                key: e.key,
            })
            .collect();
        m.sort_by(|a, b| a.span.cmp(&b.span).then_with(|| a.key.cmp(&b.key)));
        m
    }
}

impl Annotator for EngineAnnotator {
    fn annotate(&self, doc: &Document, analysis: &Analysis) -> Annotations {
        let text = doc.text.as_str();
        let mentions = self.mentions(text, analysis);
        let quotes = self
            .engine
            .quotes_with(text, analysis.clone(), &mentions)
            .into_iter()
            .map(|q| Quote {
                content: q.content,
                speaker: q.speaker,
                speaker_key: q.speaker_key,
                cue: Some(q.cue),
                direct: q.direct,
                channel: q.channel,
            })
            .collect();
        Annotations {
            mentions: mentions
                .into_iter()
                .map(|m| EntityMention {
                    span: m.span,
                    label: m.label,
                    key: m.key,
                })
                .collect(),
            quotes,
        }
    }
}

/// One new or changed document, as a story assigner sees it.
#[derive(Clone, Copy, Debug)]
pub struct AssignInput<'a> {
    /// The document as it will be stored (text, title, date, mentions, quotes, sentences).
    pub doc: &'a NewDocument,
    /// Index terms of its title.
    pub title_terms: &'a [IndexToken],
    /// Index terms of its body.
    pub body_terms: &'a [IndexToken],
    /// Story-clustering features, computed in the parallel part of ingest when the
    /// assigner has a [`StoryAssigner::featurizer`].
    pub features: Option<&'a ArticleFeatures>,
}

/// What an assigner changed: story updates and its journal entries, stored in the
/// same transaction as the batch.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StoryChanges {
    /// Story changes.
    pub updates: Vec<StoryUpdate>,
    /// Entries for the assigner's journal (see [`Store::journal`]).
    pub journal: Vec<JournalEntry>,
}

impl StoryChanges {
    /// True if there is nothing to store.
    pub fn is_empty(&self) -> bool {
        self.updates.is_empty() && self.journal.is_empty()
    }
}

/// Puts new documents into stories, one batch at a time. The changes it
/// returns are stored in the same transaction as the batch, so the store never
/// holds a document whose story changes were lost, nor changes without their
/// documents.
pub trait StoryAssigner: Send {
    /// The featurizer whose [`ArticleFeatures`] `assign` wants for each document
    /// (computed in parallel before `assign`); `None` if it needs none.
    fn featurizer(&self) -> Option<&Featurizer> {
        None
    }

    /// True if it wants each new document's body analysis ([`StoryAssigner::keep_analyses`]):
    /// ingest then keeps the analysis it made in the parallel part instead of dropping it.
    fn wants_analyses(&self) -> bool {
        false
    }

    /// The body analyses (as `TextAnalyzer::default_analyzer()` makes them) of the
    /// documents of the next [`StoryAssigner::assign`] call, in its batch order; called
    /// just before it when [`StoryAssigner::wants_analyses`] says so.
    fn keep_analyses(&mut self, analyses: Vec<Analysis>) {
        let _ = analyses;
    }

    /// Brings its state up to what the store holds (called before each ingest; must
    /// be cheap when nothing changed since the last call).
    ///
    /// # Errors
    /// Store errors.
    fn resume(&mut self, store: &dyn Store) -> Result<(), khabar_store::Error>;

    /// Assigns a batch of new or changed documents, in input order; returns the
    /// changes. `store` holds everything before the batch.
    ///
    /// # Errors
    /// Store errors.
    fn assign(
        &mut self,
        store: &dyn Store,
        batch: &[AssignInput<'_>],
    ) -> Result<StoryChanges, khabar_store::Error>;

    /// Called once at the end of an ingest (after the last batch was stored): the
    /// changes that wait for the end (digests of stories still open).
    ///
    /// # Errors
    /// Store errors.
    fn finish(&mut self, store: &dyn Store) -> Result<StoryChanges, khabar_store::Error> {
        let _ = store;
        Ok(StoryChanges::default())
    }
}

/// Assigns nothing.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoStories;

impl StoryAssigner for NoStories {
    fn resume(&mut self, _store: &dyn Store) -> Result<(), khabar_store::Error> {
        Ok(())
    }

    fn assign(
        &mut self,
        _store: &dyn Store,
        _batch: &[AssignInput<'_>],
    ) -> Result<StoryChanges, khabar_store::Error> {
        Ok(StoryChanges::default())
    }
}

/// Frequent news words that say nothing about the event (surface forms; their
/// index terms are what is filtered).
pub(crate) const STOP_WORDS: &[&str] = &[
    "في",
    "من",
    "على",
    "إلى",
    "عن",
    "أن",
    "إن",
    "مع",
    "بعد",
    "قبل",
    "هذا",
    "هذه",
    "التي",
    "الذي",
    "الذين",
    "كان",
    "كانت",
    "قال",
    "قالت",
    "بين",
    "حول",
    "خلال",
    "اليوم",
    "أمس",
    "عام",
    "منذ",
    "ضد",
    "أو",
    "ثم",
    "حتى",
    "لدى",
    "عند",
    "كما",
    "وفق",
    "أكثر",
    "أمام",
    "بشأن",
    "جديد",
    "جديدة",
    "يوم",
    "الأحد",
    "الاثنين",
    "الثلاثاء",
    "الأربعاء",
    "الخميس",
    "الجمعة",
    "السبت",
    "عاجل",
    "فيديو",
    "صور",
    "تقرير",
    "لا",
    "لم",
    "لن",
    "ما",
    "هل",
    "كل",
    "غير",
    "بعض",
    "أي",
    "إثر",
    "وسط",
    "تحت",
    "فوق",
];

/// Days since 1970-01-01 of a `YYYYMMDD` number (proleptic Gregorian).
fn days_from_yyyymmdd(d: i64) -> i64 {
    let (y, m, day) = (d / 10_000, (d / 100) % 100, d % 100);
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
struct OverlapState {
    terms: BTreeMap<String, u32>,
    last_day: Option<i64>,
    size: u32,
}

#[derive(Clone, Debug)]
struct OverlapStory {
    title: String,
    state: OverlapState,
    top: BTreeSet<String>,
}

/// Placeholder story assignment (`--stories simple`): a report joins the story whose most frequent
/// words (from members' headlines and lead sentences) share at least four
/// words and 30% of the smaller word set with the report's own headline and
/// lead, among stories active within [`TermOverlapStories::WINDOW_DAYS`]
/// days; otherwise it starts a story. Deterministic; writes no summary lines.
/// [`crate::stories::ClusterStories`] is the real one.
#[derive(Debug)]
pub struct TermOverlapStories {
    stories: BTreeMap<i64, OverlapStory>,
    by_term: HashMap<String, BTreeSet<i64>>,
    next_id: i64,
    stop: BTreeSet<String>,
}

impl Default for TermOverlapStories {
    fn default() -> Self {
        Self::new()
    }
}

impl TermOverlapStories {
    /// Stories more than this many days older than a report are not candidates.
    pub const WINDOW_DAYS: i64 = 2;
    /// A story is matched on its most frequent words, this many.
    const TOP_TERMS: usize = 40;
    /// Words a report must share with a story's top words to join it…
    const MIN_SHARED: usize = 4;
    /// …and the share of the smaller word set they must make up.
    const MIN_OVERLAP: f64 = 0.3;
    /// Words among the top words of more active stories than this do not propose candidates.
    const MAX_STORIES_PER_WORD: usize = 50;
    /// Candidate stories whose overlap is counted exactly, per report.
    const MAX_CANDIDATES: usize = 16;

    /// An assigner with no stories yet.
    pub fn new() -> TermOverlapStories {
        let analyzer = TextAnalyzer::default_analyzer();
        let mut stop = BTreeSet::new();
        for w in STOP_WORDS {
            if let Ok(a) = analyzer.analyze(w) {
                let mut out = Vec::new();
                crate::terms::index_tokens(w, &a, 0, &mut out);
                stop.extend(out.into_iter().map(|t| t.term));
            }
        }
        TermOverlapStories {
            stories: BTreeMap::new(),
            by_term: HashMap::new(),
            next_id: 1,
            stop,
        }
    }

    /// Headline words plus the words of the lead sentence: what the report is about.
    fn key_terms(&self, input: &AssignInput<'_>) -> Vec<String> {
        let lead_end = input.doc.sentences.first().map_or(u32::MAX, |s| s.end);
        let lead = input
            .body_terms
            .iter()
            .take_while(|t| t.span.end <= lead_end)
            .take(40);
        let mut out: Vec<String> = input
            .title_terms
            .iter()
            .chain(lead)
            .filter(|t| !t.alternate && t.term.chars().count() >= 3 && !self.stop.contains(&t.term))
            .map(|t| t.term.clone())
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// Stops matching stories that went quiet more than the window before the
    /// earliest dated report of the batch: they cannot take it, and dropping them
    /// from the word index keeps assignment fast on a long archive (reports are
    /// expected roughly in date order; an older report arriving late starts a
    /// new story).
    fn expire(&mut self, batch: &[AssignInput<'_>]) {
        let Some(earliest) = batch
            .iter()
            .filter_map(|i| i.doc.date.as_deref().and_then(crate::query::day_of))
            .map(days_from_yyyymmdd)
            .min()
        else {
            return;
        };
        let cutoff = earliest - Self::WINDOW_DAYS;
        let stale: Vec<i64> = self
            .stories
            .iter()
            .filter(|(_, s)| !s.top.is_empty() && s.state.last_day.is_some_and(|d| d < cutoff))
            .map(|(id, _)| *id)
            .collect();
        for id in stale {
            if let Some(s) = self.stories.get_mut(&id) {
                for t in std::mem::take(&mut s.top) {
                    if let Some(set) = self.by_term.get_mut(&t) {
                        set.remove(&id);
                    }
                }
                // Its word counts are no longer needed in memory either.
                s.state.terms.clear();
            }
        }
    }

    fn refresh_top(&mut self, id: i64) {
        let Some(s) = self.stories.get_mut(&id) else {
            return;
        };
        let mut by_count: Vec<(&String, &u32)> = s.state.terms.iter().collect();
        by_count.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let top: BTreeSet<String> = by_count
            .into_iter()
            .take(Self::TOP_TERMS)
            .map(|(t, _)| t.clone())
            .collect();
        for t in s.top.difference(&top) {
            if let Some(set) = self.by_term.get_mut(t) {
                set.remove(&id);
            }
        }
        for t in top.difference(&s.top) {
            self.by_term.entry(t.clone()).or_default().insert(id);
        }
        s.top = top;
    }
}

impl StoryAssigner for TermOverlapStories {
    fn resume(&mut self, store: &dyn Store) -> Result<(), khabar_store::Error> {
        // Start from what the store holds, whatever was in memory before.
        self.stories.clear();
        self.by_term.clear();
        self.next_id = 1;
        for (id, title, state) in store.story_states()? {
            let state: OverlapState = state
                .and_then(|b| serde_json::from_slice(&b).ok())
                .unwrap_or_default();
            self.stories.insert(
                id,
                OverlapStory {
                    title,
                    state,
                    top: BTreeSet::new(),
                },
            );
            self.refresh_top(id);
            self.next_id = self.next_id.max(id + 1);
        }
        self.next_id = self.next_id.max(store.max_story_id()? + 1);
        Ok(())
    }

    fn assign(
        &mut self,
        _store: &dyn Store,
        batch: &[AssignInput<'_>],
    ) -> Result<StoryChanges, khabar_store::Error> {
        self.expire(batch);
        let mut touched: BTreeMap<i64, Vec<String>> = BTreeMap::new();
        for input in batch {
            let keys = self.key_terms(input);
            let day = input
                .doc
                .date
                .as_deref()
                .and_then(crate::query::day_of)
                .map(days_from_yyyymmdd);
            // Candidates come through the words few stories share; a word in the top
            // words of hundreds of stories («المملكة» in a Saudi paper) finds nothing
            // useful and would make assignment quadratic. Overlap is then counted exactly.
            let mut rare_shared: HashMap<i64, usize> = HashMap::new();
            for k in &keys {
                if let Some(ids) = self.by_term.get(k)
                    && ids.len() <= Self::MAX_STORIES_PER_WORD
                {
                    for id in ids {
                        *rare_shared.entry(*id).or_default() += 1;
                    }
                }
            }
            // The few stories sharing the most rare words, ties by id (deterministic).
            let in_window =
                |id: &i64| match (day, self.stories.get(id).and_then(|s| s.state.last_day)) {
                    (Some(d), Some(last)) => (d - last).abs() <= Self::WINDOW_DAYS,
                    _ => true,
                };
            let mut candidates: Vec<(usize, i64)> = rare_shared
                .into_iter()
                .filter(|(id, n)| *n >= 2 && in_window(id))
                .map(|(id, n)| (n, id))
                .collect();
            candidates.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            candidates.truncate(Self::MAX_CANDIDATES);
            let mut best: Option<(f64, i64)> = None;
            for (_, id) in candidates {
                let Some(s) = self.stories.get(&id) else {
                    continue;
                };
                let n = keys.iter().filter(|k| s.top.contains(*k)).count();
                let score = n as f64 / keys.len().min(s.top.len()).max(1) as f64;
                if n >= Self::MIN_SHARED
                    && score >= Self::MIN_OVERLAP
                    && best.is_none_or(|(b, _)| score > b)
                {
                    best = Some((score, id));
                }
            }
            let id = match best {
                Some((_, id)) => id,
                None => {
                    let id = self.next_id;
                    self.next_id += 1;
                    let title =
                        input.doc.title.clone().unwrap_or_else(|| {
                            crate::index::clip(&input.doc.text, 160).to_string()
                        });
                    self.stories.insert(
                        id,
                        OverlapStory {
                            title,
                            state: OverlapState::default(),
                            top: BTreeSet::new(),
                        },
                    );
                    id
                }
            };
            if let Some(s) = self.stories.get_mut(&id) {
                for k in &keys {
                    *s.state.terms.entry(k.clone()).or_default() += 1;
                }
                s.state.size += 1;
                s.state.last_day = match (s.state.last_day, day) {
                    (Some(a), Some(b)) => Some(a.max(b)),
                    (a, b) => a.or(b),
                };
            }
            self.refresh_top(id);
            touched.entry(id).or_default().push(input.doc.id.clone());
        }
        let updates = touched
            .into_iter()
            .filter_map(|(id, members)| {
                let s = self.stories.get(&id)?;
                Some(StoryUpdate {
                    id,
                    title: Some(s.title.clone()),
                    add_members: members,
                    lines: None,
                    state: serde_json::to_vec(&s.state).ok(),
                })
            })
            .collect();
        Ok(StoryChanges {
            updates,
            journal: Vec::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::terms::index_tokens;

    fn input_terms(text: &str) -> Vec<IndexToken> {
        let a = TextAnalyzer::default_analyzer().analyze(text).unwrap();
        let mut out = Vec::new();
        index_tokens(text, &a, 0, &mut out);
        out
    }

    fn doc(id: &str, title: &str, date: &str) -> NewDocument {
        NewDocument {
            id: id.into(),
            title: Some(title.into()),
            date: Some(date.into()),
            text: "نص".into(),
            ..Default::default()
        }
    }

    #[test]
    fn headlines_about_one_event_share_a_story_and_others_do_not() {
        let mut s = TermOverlapStories::new();
        let docs = [
            doc(
                "a",
                "الجيش السوري يسيطر على مدينة دوما في الغوطة الشرقية",
                "2018-04-10",
            ),
            doc(
                "b",
                "الجيش السوري يعلن السيطرة على دوما بالغوطة الشرقية",
                "2018-04-11",
            ),
            doc("c", "ارتفاع أسعار النفط في الأسواق العالمية", "2018-04-11"),
            doc("d", "الجيش السوري يسيطر على دوما في الغوطة", "2018-05-20"),
        ];
        let terms: Vec<Vec<IndexToken>> = docs
            .iter()
            .map(|d| input_terms(d.title.as_deref().unwrap()))
            .collect();
        let inputs: Vec<AssignInput<'_>> = docs
            .iter()
            .zip(&terms)
            .map(|(d, t)| AssignInput {
                doc: d,
                title_terms: t,
                body_terms: &[],
                features: None,
            })
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let store = khabar_store::SqliteStore::create(&dir.path().join("k.sqlite3")).unwrap();
        let updates = s.assign(&store, &inputs).unwrap().updates;
        let story_of = |id: &str| {
            updates
                .iter()
                .find(|u| u.add_members.iter().any(|m| m == id))
                .map(|u| u.id)
        };
        assert_eq!(story_of("a"), story_of("b"));
        assert_ne!(story_of("a"), story_of("c"));
        // Same words, but five weeks later: a new story.
        assert_ne!(story_of("a"), story_of("d"));
        assert_eq!(updates.len(), 3);
    }

    #[test]
    fn day_numbers() {
        assert_eq!(days_from_yyyymmdd(19700101), 0);
        assert_eq!(
            days_from_yyyymmdd(20180301) - days_from_yyyymmdd(20180228),
            1
        );
        assert_eq!(
            days_from_yyyymmdd(20000301) - days_from_yyyymmdd(20000228),
            2
        );
    }
}
