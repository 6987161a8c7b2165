//! Incremental story clustering: the same event covered independently by
//! several outlets over a few days becomes one story.
//!
//! **Features.** An article is a bag of light stems of its content words
//! (function words dropped): title words count `title_weight` times, the
//! first `lead_words` words of the body `lead_weight` times, the rest once.
//! Weights are `(1 + ln tf) · idf` with document frequencies counted over the
//! stream so far (one pass, no background corpus), the `max_terms` heaviest
//! kept and the vector normalized. Optional entity keys (canonical keys from
//! an entity tagger, one list per article) form a second, idf-weighted
//! vector.
//!
//! **Assignment.** A story is the sum of its members' vectors (its centroid,
//! truncated to `max_centroid_terms` terms) and its entity counts. An article
//! is scored against every open story sharing a term (inverted indexes over
//! centroid and member terms): `text = max(cos(centroid), member_weight ·
//! max cos(member))`, plus `entity_weight · cos(entities)` when both sides
//! have entities (a bonus: a tagger's miss never splits a story). It joins the
//! best story scoring at least `threshold`, else starts a story. The centroid
//! keeps a long chain of look-alike articles from gluing unrelated events
//! together; the member term lets a copy of one member find its story after
//! the centroid has drifted.
//!
//! **Time.** A story is open while its last article is at most `window_secs`
//! older than the newest article seen and it spans less than `max_span_secs`;
//! only open stories are candidates. Closed stories are handed out in the
//! order they close. Input should come roughly in date order; without dates
//! stories close only through `max_open`.
//!
//! **Memory.** Per open story: its centroid (≤ `max_centroid_terms` terms),
//! entity counts, member ids and dates; plus the stem and entity vocabularies
//! with their document frequencies (they grow with the vocabulary, not with
//! the number of articles).
//!
//! **Deterministic.** Terms are sorted before use, candidates are visited in
//! story order and ties go to the older story.

use crate::stopwords::is_stopword;
use crate::words::is_content;
use khabar_core::{Analysis, TextAnalyzer, TokenKind};
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

/// Settings of story clustering.
#[derive(Clone, Debug, PartialEq)]
pub struct StoryConfig {
    /// Smallest score for joining a story.
    pub threshold: f64,
    /// Weight of the entity cosine added to the text score when both the article and
    /// the story have entities.
    pub entity_weight: f64,
    /// Weight of the best single-member similarity: a story's text score is
    /// `max(cos(centroid), member_weight · max cos(member))`, so a copy of one member
    /// finds its story even when the story's centroid has drifted (0 disables).
    pub member_weight: f64,
    /// A story closes when its last article is this many seconds older than the newest.
    pub window_secs: i64,
    /// A story takes no article more than this many seconds after its first one.
    pub max_span_secs: i64,
    /// Most stories open at once (memory bound; the stalest close first).
    pub max_open: usize,
    /// Weight of a title word.
    pub title_weight: f32,
    /// Body words counted as the lead.
    pub lead_words: usize,
    /// Weight of a lead word.
    pub lead_weight: f32,
    /// Heaviest terms kept per article.
    pub max_terms: usize,
    /// Heaviest terms kept per story centroid.
    pub max_centroid_terms: usize,
}

impl Default for StoryConfig {
    fn default() -> Self {
        StoryConfig {
            threshold: 0.25,
            entity_weight: 0.1,
            member_weight: 0.8,
            window_secs: 2 * 86_400,
            max_span_secs: 4 * 86_400,
            max_open: 100_000,
            title_weight: 3.0,
            lead_words: 60,
            lead_weight: 2.0,
            max_terms: 60,
            max_centroid_terms: 200,
        }
    }
}

/// A story setting that cannot work.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("story setting {name} = {value} is out of range ({expected})")]
pub struct ConfigError {
    /// The setting.
    pub name: &'static str,
    /// Its value.
    pub value: String,
    /// What it must be.
    pub expected: &'static str,
}

impl StoryConfig {
    /// Checks the settings.
    ///
    /// # Errors
    /// A [`ConfigError`] naming the first bad setting.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let bad = |name, value: String, expected| {
            Err(ConfigError {
                name,
                value,
                expected,
            })
        };
        if !(self.threshold > 0.0 && self.threshold <= 1.0) {
            return bad("threshold", self.threshold.to_string(), "in (0, 1]");
        }
        if !(0.0..=1.0).contains(&self.entity_weight) {
            return bad("entity_weight", self.entity_weight.to_string(), "in [0, 1]");
        }
        if !(0.0..=1.0).contains(&self.member_weight) {
            return bad("member_weight", self.member_weight.to_string(), "in [0, 1]");
        }
        if self.window_secs <= 0 || self.max_span_secs <= 0 {
            return bad(
                "window_secs / max_span_secs",
                format!("{} / {}", self.window_secs, self.max_span_secs),
                "positive",
            );
        }
        if self.max_terms == 0 || self.max_centroid_terms == 0 || self.max_open == 0 {
            return bad(
                "max_terms / max_centroid_terms / max_open",
                format!(
                    "{} / {} / {}",
                    self.max_terms, self.max_centroid_terms, self.max_open
                ),
                "at least 1",
            );
        }
        if !(self.title_weight >= 0.0 && self.lead_weight >= 0.0) {
            return bad(
                "title_weight / lead_weight",
                format!("{} / {}", self.title_weight, self.lead_weight),
                "at least 0",
            );
        }
        Ok(())
    }
}

/// A term of an article: a light stem, its weighted count and how it is written.
#[derive(Clone, Debug, PartialEq)]
pub struct Term {
    /// The matching key (light stem of the search-normalized word).
    pub key: String,
    /// Weighted occurrences (title and lead words count more).
    pub tf: f32,
    /// The most frequent normalized word form of the key in the article (for display).
    pub form: String,
}

/// What clustering needs of an article, computed in parallel by [`Featurizer`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ArticleFeatures {
    /// Terms sorted by key.
    pub terms: Vec<Term>,
}

/// Turns title and body into [`ArticleFeatures`] with the core's text layer.
#[derive(Clone, Debug)]
pub struct Featurizer {
    analyzer: TextAnalyzer,
    title_weight: f32,
    lead_words: usize,
    lead_weight: f32,
}

impl Featurizer {
    /// A featurizer with the weights of `config`.
    pub fn new(config: &StoryConfig) -> Featurizer {
        Featurizer {
            analyzer: TextAnalyzer::default_analyzer(),
            title_weight: config.title_weight,
            lead_words: config.lead_words,
            lead_weight: config.lead_weight,
        }
    }

    /// Features of an article. Texts too large for the text layer keep what fits.
    pub fn features(
        &self,
        title: Option<&str>,
        text: &str,
        scratch: &mut Analysis,
    ) -> ArticleFeatures {
        // key -> (tf, form -> count)
        let mut acc: BTreeMap<String, (f32, BTreeMap<String, u32>)> = BTreeMap::new();
        let mut add = |a: &Analysis, weight: &mut dyn FnMut() -> f32| {
            for t in &a.tokens {
                if !is_content(t.kind) || t.kind == TokenKind::Number {
                    continue;
                }
                let norm = a.norm(t);
                if norm.chars().count() < 2 || is_stopword(norm) {
                    continue;
                }
                let stem = a.stem(t);
                let key = if stem.chars().count() >= 2 {
                    stem
                } else {
                    norm
                };
                let w = weight();
                let e = acc.entry(key.to_string()).or_default();
                e.0 += w;
                *e.1.entry(norm.to_string()).or_default() += 1;
            }
        };
        if let Some(title) = title
            && self.analyzer.analyze_into(title, scratch).is_ok()
        {
            let tw = self.title_weight;
            add(scratch, &mut || tw);
        }
        let body = &text[..floor_char_boundary(text, khabar_core::Span::MAX_TEXT_LEN)];
        if self.analyzer.analyze_into(body, scratch).is_ok() {
            let (lead, lw) = (self.lead_words, self.lead_weight);
            let mut seen = 0usize;
            add(scratch, &mut || {
                seen += 1;
                if seen <= lead { lw } else { 1.0 }
            });
        }
        let terms = acc
            .into_iter()
            .filter(|(_, (tf, _))| *tf > 0.0)
            .map(|(key, (tf, forms))| {
                let form = forms
                    .into_iter()
                    .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
                    .map(|(f, _)| f)
                    .unwrap_or_default();
                Term { key, tf, form }
            })
            .collect();
        ArticleFeatures { terms }
    }
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    if i >= text.len() {
        return text.len();
    }
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// An article of a story.
#[derive(Clone, Debug, PartialEq)]
pub struct StoryMember {
    /// The caller's id.
    pub id: String,
    /// Its date (seconds since 1970), if any.
    pub time: Option<i64>,
    /// Its outlet, if known.
    pub source: Option<String>,
    /// The score it joined with (1 for the article that started the story).
    pub score: f64,
}

/// A closed story.
#[derive(Clone, Debug, PartialEq)]
pub struct Story {
    /// Creation number (every article that starts a story takes one).
    pub id: u64,
    /// Members in arrival order.
    pub members: Vec<StoryMember>,
    /// The heaviest centroid terms, as their most frequent written forms.
    pub top_terms: Vec<String>,
    /// The most frequent entity keys, most frequent first.
    pub top_entities: Vec<String>,
    /// Index in `members` of the article closest to the story's centroid (a good
    /// headline); 0 when member vectors are not kept (`member_weight` = 0).
    pub central: usize,
}

impl Story {
    /// Earliest and latest member dates.
    pub fn date_range(&self) -> Option<(i64, i64)> {
        let mut it = self.members.iter().filter_map(|m| m.time);
        let first = it.next()?;
        Some(it.fold((first, first), |(a, b), t| (a.min(t), b.max(t))))
    }

    /// Distinct outlets, sorted.
    pub fn sources(&self) -> Vec<&str> {
        let set: BTreeSet<&str> = self
            .members
            .iter()
            .filter_map(|m| m.source.as_deref())
            .collect();
        set.into_iter().collect()
    }
}

/// Where [`StoryClusterer::add`] put an article.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StoryAssignment {
    /// Story creation number.
    pub story: u64,
    /// True if the article started the story.
    pub is_new: bool,
    /// Its score against the story (1 for a new story).
    pub score: f64,
}

/// Counters of a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StoryStats {
    /// Articles added.
    pub articles: u64,
    /// Stories created.
    pub stories: u64,
    /// Candidate stories scored.
    pub scored: u64,
    /// Most stories open at once.
    pub max_open: u64,
}

struct Vocab {
    ids: HashMap<String, u32>,
    keys: Vec<String>,
    df: Vec<u32>,
    /// Most frequent written form per term with its count, then candidates.
    forms: Vec<Vec<(String, u32)>>,
}

impl Vocab {
    fn new() -> Vocab {
        Vocab {
            ids: HashMap::new(),
            keys: Vec::new(),
            df: Vec::new(),
            forms: Vec::new(),
        }
    }

    fn id(&mut self, key: &str) -> u32 {
        if let Some(&id) = self.ids.get(key) {
            return id;
        }
        let id = self.df.len() as u32;
        self.ids.insert(key.to_string(), id);
        self.keys.push(key.to_string());
        self.df.push(0);
        self.forms.push(Vec::new());
        id
    }

    fn note_form(&mut self, id: u32, form: &str) {
        let forms = &mut self.forms[id as usize];
        if let Some(f) = forms.iter_mut().find(|f| f.0 == form) {
            f.1 += 1;
        } else if forms.len() < 4 {
            forms.push((form.to_string(), 1));
        }
    }

    fn form(&self, id: u32) -> &str {
        self.forms[id as usize]
            .iter()
            .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
            .map(|f| f.0.as_str())
            .unwrap_or("")
    }
}

/// The weight of `term` in a vector sorted by term.
#[inline]
fn weight_of(v: &[(u32, f32)], term: u32) -> Option<f32> {
    v.binary_search_by_key(&term, |x| x.0).ok().map(|i| v[i].1)
}

fn idf(n_docs: u64, df: u32) -> f32 {
    ((1.0 + n_docs as f64) / (1.0 + df as f64)).ln() as f32 + 1.0
}

/// A member's vector: its story's slot and its (term, weight) pairs.
type MemberVec = (u32, Vec<(u32, f32)>);

struct OpenStory {
    id: u64,
    /// Slots of its members' vectors in `StoryClusterer::member_vecs`.
    member_slots: Vec<u32>,
    /// (term, weight) sorted by term: sums run in one fixed order, so results do not
    /// depend on a hash map's iteration order.
    centroid: Vec<(u32, f32)>,
    norm: f32,
    entities: BTreeMap<u32, u32>,
    members: Vec<StoryMember>,
    first_time: Option<i64>,
    last_time: Option<i64>,
    last_seq: u64,
}

/// The incremental story clusterer (see the module docs).
pub struct StoryClusterer {
    config: StoryConfig,
    terms: Vocab,
    entities: Vocab,
    n_docs: u64,
    slots: Vec<Option<OpenStory>>,
    free: Vec<u32>,
    /// Term → open stories whose centroid has it.
    postings: Vec<Vec<u32>>,
    /// Member vectors of open stories: (story slot, terms).
    member_vecs: Vec<Option<MemberVec>>,
    member_free: Vec<u32>,
    /// Term → (member slot, weight) of open stories' members.
    member_postings: Vec<Vec<(u32, f32)>>,
    story_acc: Vec<f32>,
    story_touched: Vec<u32>,
    member_acc: Vec<f32>,
    member_touched: Vec<u32>,
    best_member: Vec<f32>,
    open: BTreeSet<u32>,
    closed: VecDeque<Story>,
    next_id: u64,
    newest: Option<i64>,
    seq: u64,
    stats: StoryStats,
}

impl StoryClusterer {
    /// A clusterer with checked settings.
    ///
    /// # Errors
    /// A [`ConfigError`] for a setting out of range.
    pub fn new(config: StoryConfig) -> Result<StoryClusterer, ConfigError> {
        config.validate()?;
        Ok(StoryClusterer {
            config,
            terms: Vocab::new(),
            entities: Vocab::new(),
            n_docs: 0,
            slots: Vec::new(),
            free: Vec::new(),
            postings: Vec::new(),
            member_vecs: Vec::new(),
            member_free: Vec::new(),
            member_postings: Vec::new(),
            story_acc: Vec::new(),
            story_touched: Vec::new(),
            member_acc: Vec::new(),
            member_touched: Vec::new(),
            best_member: Vec::new(),
            open: BTreeSet::new(),
            closed: VecDeque::new(),
            next_id: 0,
            newest: None,
            seq: 0,
            stats: StoryStats::default(),
        })
    }

    /// The settings.
    pub fn config(&self) -> &StoryConfig {
        &self.config
    }

    /// Counters so far.
    pub fn stats(&self) -> &StoryStats {
        &self.stats
    }

    /// Adds an article (in date order, roughly) and returns the story it joined.
    /// `entities` are canonical entity keys (repeats ignored); empty if unknown.
    pub fn add(
        &mut self,
        id: String,
        time: Option<i64>,
        source: Option<String>,
        features: &ArticleFeatures,
        entities: &[String],
    ) -> StoryAssignment {
        self.stats.articles += 1;
        self.seq += 1;
        self.n_docs += 1;
        if let Some(t) = time {
            self.newest = Some(self.newest.map_or(t, |n| n.max(t)));
        }
        self.close_stale();

        // The article's vectors, with document frequencies updated first.
        let mut vec: Vec<(u32, f32)> = Vec::with_capacity(features.terms.len());
        for t in &features.terms {
            let id = self.terms.id(&t.key);
            self.terms.df[id as usize] += 1;
            self.terms.note_form(id, &t.form);
            if self.postings.len() <= id as usize {
                self.postings.resize_with(id as usize + 1, Vec::new);
                self.member_postings.resize_with(id as usize + 1, Vec::new);
            }
            vec.push((
                id,
                (1.0 + t.tf.ln()) * idf(self.n_docs, self.terms.df[id as usize]),
            ));
        }
        // Heaviest terms first (ties by id), then normalized.
        vec.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        vec.truncate(self.config.max_terms);
        let norm = vec.iter().map(|x| x.1 * x.1).sum::<f32>().sqrt();
        if norm > 0.0 {
            vec.iter_mut().for_each(|x| x.1 /= norm);
        }
        let mut ents: Vec<u32> = entities.iter().map(|e| self.entities.id(e)).collect();
        ents.sort_unstable();
        ents.dedup();
        for &e in &ents {
            self.entities.df[e as usize] += 1;
        }
        let ent_vec: Vec<(u32, f32)> = ents
            .iter()
            .map(|&e| (e, idf(self.n_docs, self.entities.df[e as usize])))
            .collect();

        // Score the open stories that share a term: centroid dot products, and the
        // best dot product with a single member.
        self.story_acc.resize(self.slots.len(), 0.0);
        self.best_member.resize(self.slots.len(), 0.0);
        self.member_acc.resize(self.member_vecs.len(), 0.0);
        for &(t, w) in &vec {
            for &slot in &self.postings[t as usize] {
                if let Some(s) = &self.slots[slot as usize]
                    && let Some(c) = weight_of(&s.centroid, t)
                {
                    if self.story_acc[slot as usize] == 0.0 {
                        self.story_touched.push(slot);
                    }
                    self.story_acc[slot as usize] += w * c;
                }
            }
            if self.config.member_weight > 0.0 {
                for &(m, mw) in &self.member_postings[t as usize] {
                    if self.member_acc[m as usize] == 0.0 {
                        self.member_touched.push(m);
                    }
                    self.member_acc[m as usize] += w * mw;
                }
            }
        }
        for &m in &self.member_touched {
            if let Some((slot, _)) = &self.member_vecs[m as usize] {
                let b = &mut self.best_member[*slot as usize];
                if *b == 0.0 && self.story_acc[*slot as usize] == 0.0 {
                    self.story_touched.push(*slot);
                }
                *b = b.max(self.member_acc[m as usize]);
            }
            self.member_acc[m as usize] = 0.0;
        }
        self.member_touched.clear();
        // Visit candidates in slot order so that the result never depends on postings order.
        self.story_touched.sort_unstable();
        self.story_touched.dedup();
        let mut best: Option<(f64, u64, u32)> = None;
        for &slot in &self.story_touched {
            let dot = std::mem::take(&mut self.story_acc[slot as usize]);
            let member_dot = std::mem::take(&mut self.best_member[slot as usize]);
            let Some(s) = &self.slots[slot as usize] else {
                continue;
            };
            if !self.accepts(s, time) {
                continue;
            }
            self.stats.scored += 1;
            let centroid = if s.norm > 0.0 {
                f64::from(dot / s.norm)
            } else {
                0.0
            };
            let text = centroid.max(self.config.member_weight * f64::from(member_dot));
            let score = if ent_vec.is_empty() || s.entities.is_empty() {
                text
            } else {
                // A bonus, never a penalty: a tagger that misses an entity must not
                // split a story that the words already hold together.
                text + self.config.entity_weight * self.entity_cosine(&ent_vec, s)
            };
            if score >= self.config.threshold
                && best.is_none_or(|(bs, bid, _)| score > bs || (score == bs && s.id < bid))
            {
                best = Some((score, s.id, slot));
            }
        }
        self.story_touched.clear();
        let member = |score| StoryMember {
            id,
            time,
            source,
            score,
        };
        let (slot, assignment) = match best {
            Some((score, story, slot)) => (
                slot,
                StoryAssignment {
                    story,
                    is_new: false,
                    score,
                },
            ),
            None => {
                let story = self.next_id;
                self.next_id += 1;
                self.stats.stories += 1;
                let s = OpenStory {
                    id: story,
                    member_slots: Vec::new(),
                    centroid: Vec::new(),
                    norm: 0.0,
                    entities: BTreeMap::new(),
                    members: Vec::new(),
                    first_time: time,
                    last_time: time,
                    last_seq: self.seq,
                };
                let slot = match self.free.pop() {
                    Some(f) => {
                        self.slots[f as usize] = Some(s);
                        f
                    }
                    None => {
                        self.slots.push(Some(s));
                        (self.slots.len() - 1) as u32
                    }
                };
                self.open.insert(slot);
                self.stats.max_open = self.stats.max_open.max(self.open.len() as u64);
                (
                    slot,
                    StoryAssignment {
                        story,
                        is_new: true,
                        score: 1.0,
                    },
                )
            }
        };
        self.absorb(slot, &vec, &ents, member(assignment.score));
        if self.open.len() > self.config.max_open {
            self.close_stalest();
        }
        assignment
    }

    fn accepts(&self, s: &OpenStory, time: Option<i64>) -> bool {
        let Some(t) = time else {
            return true;
        };
        let w = self.config.window_secs;
        let near_last = s.last_time.is_none_or(|l| t - l <= w);
        let near_first = s
            .first_time
            .is_none_or(|f| t - f <= self.config.max_span_secs && f - t <= w);
        near_last && near_first
    }

    fn entity_cosine(&self, doc: &[(u32, f32)], s: &OpenStory) -> f64 {
        let size = s.members.len().max(1) as f32;
        let mut dot = 0.0f32;
        let mut story_norm = 0.0f32;
        for (&e, &c) in &s.entities {
            let w = idf(self.n_docs, self.entities.df[e as usize]) * c as f32 / size;
            story_norm += w * w;
            if let Ok(i) = doc.binary_search_by_key(&e, |x| x.0) {
                dot += w * doc[i].1;
            }
        }
        let doc_norm = doc.iter().map(|x| x.1 * x.1).sum::<f32>().sqrt();
        if story_norm <= 0.0 || doc_norm <= 0.0 {
            0.0
        } else {
            f64::from(dot / (story_norm.sqrt() * doc_norm))
        }
    }

    /// Adds an article's vectors to a story and keeps its centroid short.
    fn absorb(&mut self, slot: u32, vec: &[(u32, f32)], ents: &[u32], member: StoryMember) {
        let Some(s) = self.slots[slot as usize].as_mut() else {
            return;
        };
        // Merge the article's terms into the centroid (both sorted by term).
        let mut add: Vec<(u32, f32)> = vec.to_vec();
        add.sort_unstable_by_key(|x| x.0);
        let old = std::mem::take(&mut s.centroid);
        let mut merged = Vec::with_capacity(old.len() + add.len());
        let (mut i, mut j) = (0, 0);
        while i < old.len() || j < add.len() {
            if j == add.len() || (i < old.len() && old[i].0 < add[j].0) {
                merged.push(old[i]);
                i += 1;
            } else if i == old.len() || add[j].0 < old[i].0 {
                self.postings[add[j].0 as usize].push(slot);
                merged.push(add[j]);
                j += 1;
            } else {
                merged.push((old[i].0, old[i].1 + add[j].1));
                i += 1;
                j += 1;
            }
        }
        if merged.len() > self.config.max_centroid_terms {
            let mut by_weight = merged.clone();
            by_weight.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            for &(t, _) in &by_weight[self.config.max_centroid_terms..] {
                let p = &mut self.postings[t as usize];
                if let Some(i) = p.iter().position(|&x| x == slot) {
                    p.swap_remove(i);
                }
            }
            by_weight.truncate(self.config.max_centroid_terms);
            by_weight.sort_unstable_by_key(|x| x.0);
            merged = by_weight;
        }
        s.centroid = merged;
        s.norm = s.centroid.iter().map(|x| x.1 * x.1).sum::<f32>().sqrt();
        for &e in ents {
            *s.entities.entry(e).or_default() += 1;
        }
        if let Some(t) = member.time {
            s.first_time = Some(s.first_time.map_or(t, |f| f.min(t)));
            s.last_time = Some(s.last_time.map_or(t, |l| l.max(t)));
        }
        s.last_seq = self.seq;
        s.members.push(member);
        if self.config.member_weight > 0.0 {
            let m = match self.member_free.pop() {
                Some(m) => m,
                None => {
                    self.member_vecs.push(None);
                    (self.member_vecs.len() - 1) as u32
                }
            };
            for &(t, w) in vec {
                self.member_postings[t as usize].push((m, w));
            }
            self.member_vecs[m as usize] = Some((slot, vec.to_vec()));
            s.member_slots.push(m);
        }
    }

    /// Closes the stories whose last article fell out of the window.
    fn close_stale(&mut self) {
        let Some(newest) = self.newest else {
            return;
        };
        let stale: Vec<u32> = self
            .open
            .iter()
            .copied()
            .filter(|&slot| {
                self.slots[slot as usize].as_ref().is_some_and(|s| {
                    s.last_time
                        .is_some_and(|l| newest - l > self.config.window_secs)
                })
            })
            .collect();
        for slot in stale {
            self.close(slot);
        }
    }

    fn close_stalest(&mut self) {
        let stalest = self
            .open
            .iter()
            .copied()
            .filter_map(|slot| {
                let s = self.slots[slot as usize].as_ref()?;
                Some((s.last_time.unwrap_or(i64::MIN), s.last_seq, slot))
            })
            .min();
        if let Some((_, _, slot)) = stalest {
            self.close(slot);
        }
    }

    fn close(&mut self, slot: u32) {
        self.open.remove(&slot);
        let Some(s) = self.slots[slot as usize].take() else {
            return;
        };
        self.free.push(slot);
        for &(t, _) in &s.centroid {
            let p = &mut self.postings[t as usize];
            if let Some(i) = p.iter().position(|&x| x == slot) {
                p.swap_remove(i);
            }
        }
        // The member closest to the final centroid (first one on ties).
        let mut central = (0usize, f32::MIN);
        for (i, &m) in s.member_slots.iter().enumerate() {
            if let Some((_, vec)) = &self.member_vecs[m as usize] {
                let dot: f32 = vec
                    .iter()
                    .filter_map(|&(t, w)| weight_of(&s.centroid, t).map(|c| c * w))
                    .sum();
                if dot > central.1 {
                    central = (i, dot);
                }
            }
        }
        for &m in &s.member_slots {
            if let Some((_, vec)) = self.member_vecs[m as usize].take() {
                for (t, _) in vec {
                    let p = &mut self.member_postings[t as usize];
                    if let Some(i) = p.iter().position(|x| x.0 == m) {
                        p.swap_remove(i);
                    }
                }
            }
            self.member_free.push(m);
        }
        let mut terms: Vec<(u32, f32)> = s.centroid.clone();
        terms.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let top_terms = terms
            .iter()
            .take(8)
            .map(|&(t, _)| self.terms.form(t).to_string())
            .collect();
        let mut ents: Vec<(u32, u32)> = s.entities.iter().map(|(&e, &c)| (e, c)).collect();
        ents.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let top_entities = ents
            .iter()
            .take(8)
            .map(|&(e, _)| self.entities.keys[e as usize].clone())
            .collect();
        self.closed.push_back(Story {
            central: central.0,
            id: s.id,
            members: s.members,
            top_terms,
            top_entities,
        });
    }

    /// The next closed story, in the order stories closed.
    pub fn pop_closed(&mut self) -> Option<Story> {
        self.closed.pop_front()
    }

    /// Closes every open story (oldest first) and returns all stories not yet popped.
    pub fn finish(mut self) -> Vec<Story> {
        let mut open: Vec<(u64, u32)> = self
            .open
            .iter()
            .filter_map(|&slot| self.slots[slot as usize].as_ref().map(|s| (s.id, slot)))
            .collect();
        open.sort_unstable();
        for (_, slot) in open {
            self.close(slot);
        }
        self.closed.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const DAY: i64 = 86_400;

    fn run(config: StoryConfig, docs: &[(&str, i64, &str, &str)]) -> Vec<Vec<String>> {
        let f = Featurizer::new(&config);
        let mut c = StoryClusterer::new(config).unwrap();
        let mut a = Analysis::default();
        let mut out = Vec::new();
        for (id, t, title, text) in docs {
            let feats = f.features(Some(title), text, &mut a);
            c.add(id.to_string(), Some(*t), None, &feats, &[]);
            while let Some(s) = c.pop_closed() {
                out.push(s);
            }
        }
        out.extend(c.finish());
        out.sort_by_key(|s| s.id);
        out.into_iter()
            .map(|s| s.members.into_iter().map(|m| m.id).collect())
            .collect()
    }

    const ALEPPO_1: (&str, &str) = (
        "الجيش السوري يعلن استعادة حلب بالكامل",
        "أعلن الجيش السوري مساء الخميس استعادة مدينة حلب بالكامل بعد انسحاب آخر مقاتلي الفصائل المعارضة من الأحياء الشرقية للمدينة.",
    );
    const ALEPPO_2: (&str, &str) = (
        "بوتين: تحرير حلب خطوة مهمة نحو السلام في سوريا",
        "قال الرئيس الروسي فلاديمير بوتين إن استعادة الجيش السوري مدينة حلب من الفصائل المعارضة خطوة مهمة جدا، وإن المعارك في حلب انتهت.",
    );
    const OIL: (&str, &str) = (
        "أسعار النفط ترتفع بعد قرار أوبك",
        "ارتفعت أسعار النفط في الأسواق العالمية بعد قرار منظمة أوبك خفض الإنتاج، وقال محللون إن الأسعار قد تواصل الصعود.",
    );

    #[test]
    fn same_event_joins_other_events_do_not() {
        let docs = [
            ("a1", 0, ALEPPO_1.0, ALEPPO_1.1),
            ("o1", 3600, OIL.0, OIL.1),
            ("a2", 7200, ALEPPO_2.0, ALEPPO_2.1),
        ];
        let got = run(
            StoryConfig {
                threshold: 0.2,
                ..StoryConfig::default()
            },
            &docs,
        );
        assert_eq!(got, [vec!["a1", "a2"], vec!["o1"]]);
    }

    #[test]
    fn the_window_closes_stories() {
        let docs = [
            ("a1", 0, ALEPPO_1.0, ALEPPO_1.1),
            // Ten days later the same words are another story.
            ("a2", 10 * DAY, ALEPPO_2.0, ALEPPO_2.1),
        ];
        let got = run(
            StoryConfig {
                threshold: 0.2,
                ..StoryConfig::default()
            },
            &docs,
        );
        assert_eq!(got, [vec!["a1"], vec!["a2"]]);
    }

    #[test]
    fn shared_entities_lift_the_score_and_missing_ones_do_not_lower_it() {
        let base = StoryConfig {
            threshold: 0.05,
            entity_weight: 0.5,
            ..StoryConfig::default()
        };
        let f = Featurizer::new(&base);
        let mut a = Analysis::default();
        let f1 = f.features(Some(ALEPPO_1.0), ALEPPO_1.1, &mut a);
        let f2 = f.features(Some(ALEPPO_2.0), ALEPPO_2.1, &mut a);
        let ents = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let second = |config: &StoryConfig, e1: &[String], e2: &[String]| {
            let mut c = StoryClusterer::new(config.clone()).unwrap();
            c.add("a1".into(), Some(0), None, &f1, e1);
            c.add("a2".into(), Some(60), None, &f2, e2)
        };
        let text_only = second(&base, &[], &[]);
        assert!(!text_only.is_new);
        let shared = second(
            &base,
            &ents(&["حلب", "الجيش_السوري"]),
            &ents(&["حلب", "بوتين"]),
        );
        let disjoint = second(&base, &ents(&["حلب"]), &ents(&["الموصل"]));
        assert!(
            shared.score > text_only.score + 0.1,
            "{shared:?} vs {text_only:?}"
        );
        assert_eq!(disjoint.score, text_only.score);
        // Just above the text score: only shared entities get the article in.
        let strict = StoryConfig {
            threshold: text_only.score + 0.01,
            ..base
        };
        assert!(!second(&strict, &ents(&["حلب"]), &ents(&["حلب"])).is_new);
        assert!(second(&strict, &ents(&["حلب"]), &ents(&["الموصل"])).is_new);
    }

    #[test]
    fn scores_are_bit_identical_across_runs() {
        // Five topics of made-up words, articles mixing a topic with noise: many
        // stories, centroid truncation (max 20 terms) and member scoring all exercised.
        let letters: Vec<char> = "بتثجحخدذرزسشصضطظعغفقكلمنهوي".chars().collect();
        let word = |i: usize| {
            format!(
                "{}{}{}",
                letters[i % 27],
                letters[(i / 27) % 27],
                letters[(i / 729) % 27]
            )
        };
        let mut seed = 7u64;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize
        };
        let docs: Vec<(String, i64, String)> = (0..300)
            .map(|i| {
                let topic = next() % 5;
                let words: Vec<String> = (0..40)
                    .map(|_| {
                        if next() % 3 == 0 {
                            word(next() % 5000)
                        } else {
                            word(topic * 100 + next() % 60)
                        }
                    })
                    .collect();
                (format!("d{i}"), i as i64 * 600, words.join(" "))
            })
            .collect();
        let run = || {
            let config = StoryConfig {
                max_centroid_terms: 20,
                ..StoryConfig::default()
            };
            let f = Featurizer::new(&config);
            let mut c = StoryClusterer::new(config).unwrap();
            let mut a = Analysis::default();
            docs.iter()
                .map(|(id, t, text)| {
                    let r = c.add(
                        id.clone(),
                        Some(*t),
                        None,
                        &f.features(None, text, &mut a),
                        &[],
                    );
                    (r.story, r.is_new, r.score.to_bits())
                })
                .collect::<Vec<_>>()
        };
        let first = run();
        assert!(first.iter().filter(|r| r.1).count() > 5);
        assert!(first.iter().filter(|r| !r.1).count() > 100);
        for _ in 0..3 {
            assert_eq!(run(), first);
        }
    }

    #[test]
    fn features_weigh_titles_and_skip_function_words() {
        let config = StoryConfig::default();
        let f = Featurizer::new(&config);
        let feats = f.features(Some("حلب"), "قال إن حلب في سوريا", &mut Analysis::default());
        // حلب: 3 (title) + 2 (lead); سوريا: 2 (lead); قال, إن, في are function words.
        let got: Vec<(&str, f32)> = feats
            .terms
            .iter()
            .map(|t| (t.form.as_str(), t.tf))
            .collect();
        assert_eq!(got, [("حلب", 5.0), ("سوريا", 2.0)]);
    }

    #[test]
    fn deterministic_and_config_checked() {
        let docs = [
            ("a1", 0, ALEPPO_1.0, ALEPPO_1.1),
            ("o1", 3600, OIL.0, OIL.1),
            ("a2", 7200, ALEPPO_2.0, ALEPPO_2.1),
        ];
        let c = StoryConfig::default();
        assert_eq!(run(c.clone(), &docs), run(c, &docs));
        assert!(
            StoryClusterer::new(StoryConfig {
                threshold: 0.0,
                ..StoryConfig::default()
            })
            .is_err()
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        /// Whatever the input and settings: stories partition the articles, members keep
        /// arrival order, and a story never spans more than its window allows.
        #[test]
        fn stories_partition_the_articles(
            docs in prop::collection::vec((prop::collection::vec(0usize..60, 0..30), 0i64..20), 1..40),
            threshold in 0.05f64..0.9,
            member_weight in 0.0f64..1.0,
            max_open in 1usize..10,
        ) {
            let letters: Vec<char> = "بتثجحخدذرزسشصضطظعغفق".chars().collect();
            let config = StoryConfig { threshold, member_weight, max_open, max_centroid_terms: 8, ..StoryConfig::default() };
            let f = Featurizer::new(&config);
            let mut c = StoryClusterer::new(config.clone()).unwrap();
            let mut a = Analysis::default();
            let mut stories = Vec::new();
            let mut t = 0i64;
            for (i, (words, hours)) in docs.iter().enumerate() {
                t += hours * 3600;
                let text: Vec<String> = words.iter().map(|&w| format!("{}{}{}", letters[w % 20], letters[w / 20], letters[(w * 7) % 20])).collect();
                let feats = f.features(None, &text.join(" "), &mut a);
                c.add(i.to_string(), Some(t), None, &feats, &[]);
                while let Some(s) = c.pop_closed() {
                    stories.push(s);
                }
            }
            stories.extend(c.finish());
            let mut seen: Vec<usize> = stories
                .iter()
                .flat_map(|s| s.members.iter().map(|m| m.id.parse::<usize>().unwrap()))
                .collect();
            seen.sort_unstable();
            prop_assert_eq!(seen, (0..docs.len()).collect::<Vec<_>>());
            for s in &stories {
                let ids: Vec<usize> = s.members.iter().map(|m| m.id.parse().unwrap()).collect();
                prop_assert!(ids.windows(2).all(|w| w[0] < w[1]));
                prop_assert!(s.central < s.members.len());
                if let Some((first, last)) = s.date_range() {
                    prop_assert!(last - first <= config.max_span_secs);
                }
            }
        }
    }
}
