//! Stories at ingest: `khabar-story`'s incremental clusterer behind the
//! [`StoryAssigner`] hook, with its state kept through the store and a digest
//! (summary lines with support and sources) for each story.
//!
//! **Assignment.** Each batch's documents are sorted by date (stable: input
//! order on ties and for undated documents) and added to a
//! [`StoryClusterer`] (TF-IDF of light stems, title and lead weighted, plus
//! the documents' entity keys as a bonus; 2-day window, 4-day span; see
//! `docs/DEDUP.md`). A document that starts a clusterer story starts a store
//! story with the next free id. Features are computed in the parallel part of
//! ingest; the clusterer itself runs on one thread, in input order.
//!
//! **Epochs.** The clusterer expects dates roughly in order. A document more
//! than [`EPOCH_GAP_SECS`] older than the newest one seen (loading an older
//! corpus after a newer one) starts a new epoch: every open story is closed
//! and clustering starts afresh (IDF included), instead of leaving each old
//! document alone in a story of its own.
//!
//! **State through the store.** The clusterer's state cannot be saved, but it
//! is a pure function of the documents it was given, in order. So every
//! [`StoryClusterer::add`] is also written to the store's journal
//! ([`Store::commit_batch_journaled`], same transaction as the batch): the
//! document id, its date, its features (terms as ids into a dictionary that
//! the journal itself builds up, weights as integers), its entity keys and
//! the store story it went to. [`StoryAssigner::resume`] replays the journal
//! into a fresh clusterer, which therefore reaches exactly the state the last
//! committed batch left: a killed ingest, resumed, assigns every later
//! document as an uninterrupted one would (a test checks the two archives are
//! identical). Within one process the replay happens once; later calls only
//! read journal entries written since. The price is a replay of the whole
//! journal when a process starts (measured in `docs/STORE.md`).
//!
//! **Digests.** A story is digested ([`build_digest_prepared`] over its first
//! [`MAX_DIGEST_MEMBERS`] members by date, with the mentions stored for them,
//! so no entity is tagged twice, and the body analyses ingest made for them
//! in this process, kept until then, so no member is analysed twice) when the
//! clusterer closes it, and at the end
//! of each ingest for the stories still open. A digest is written only if its
//! member set changed: a fingerprint of the member ids is kept as the story's
//! state. Stories of one document get no digest (their document is their
//! summary). The story's title becomes the digest's title.

use crate::hooks::{AssignInput, StoryAssigner, StoryChanges};
use crate::index::clip;
use khabar::story::Mention;
use khabar::story::cluster::{
    ArticleFeatures, ConfigError, Featurizer, StoryClusterer, StoryConfig, Term,
};
use khabar::story::digest::{
    DigestDocument, DigestOptions, PreparedDocument, build_digest_prepared,
};
use khabar::story::time::parse_date;
use khabar_core::{Analysis, TextAnalyzer};
use khabar_store::{
    EntityMention, JournalEntry, LineSource, NewDocument, Store, StoredDocument, StoryLine,
    StoryUpdate,
};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

/// Most members a story's digest reads (the earliest ones, by date): support counts
/// are out of these, and a story's digest stops changing once it has that many.
pub const MAX_DIGEST_MEMBERS: usize = 40;

/// A document this much older than the newest one seen starts a new clustering epoch.
pub const EPOCH_GAP_SECS: i64 = 30 * 86_400;

/// Version byte in front of every journal entry.
const JOURNAL_FORMAT: u8 = 1;

/// Journal entries read per store round trip while replaying.
const REPLAY_PAGE: usize = 2048;

/// Most body analyses kept for later digests (see the module docs): a bound on memory
/// (~20–40 KB an article), far above the members of the stories open at once on news.
pub const MAX_KEPT_ANALYSES: usize = 8192;

/// Seed of the digest fingerprints (fixed: they are persisted).
const FINGERPRINT_SEED: u64 = 0x6b68_6162_6172_0002;

/// Term weights of a journal entry: whole numbers (the default weights give
/// those), else the exact `f32` bits.
#[derive(Debug, Serialize, Deserialize)]
enum Weights {
    Whole(Vec<u32>),
    Bits(Vec<u32>),
}

/// One [`StoryClusterer::add`], as written to the journal.
#[derive(Debug, Serialize, Deserialize)]
struct Entry {
    doc: String,
    story: i64,
    time: Option<i64>,
    /// Terms first seen in this entry, in dictionary order (their ids follow the last).
    new_terms: Vec<String>,
    /// Term ids, in the features' order.
    terms: Vec<u32>,
    weights: Weights,
    new_entities: Vec<String>,
    entities: Vec<u32>,
}

/// A dictionary of strings numbered in first-seen order.
#[derive(Debug, Default)]
struct Dictionary {
    /// Looked up for every term of every article: xxh3, not SipHash (never iterated).
    ids: HashMap<String, u32, xxhash_rust::xxh3::Xxh3DefaultBuilder>,
    words: Vec<String>,
}

impl Dictionary {
    fn id_or_add(&mut self, w: &str, added: &mut Vec<String>) -> u32 {
        if let Some(&id) = self.ids.get(w) {
            return id;
        }
        let id = self.words.len() as u32;
        self.ids.insert(w.to_string(), id);
        self.words.push(w.to_string());
        added.push(w.to_string());
        id
    }

    fn extend(&mut self, added: &[String]) {
        for w in added {
            let id = self.words.len() as u32;
            self.ids.entry(w.clone()).or_insert(id);
            self.words.push(w.clone());
        }
    }

    fn word(&self, id: u32) -> Option<&str> {
        self.words.get(id as usize).map(String::as_str)
    }
}

/// The story assigner of `khabar ingest` (see the module docs).
pub struct ClusterStories {
    config: StoryConfig,
    featurizer: Featurizer,
    digest: DigestOptions,
    clusterer: StoryClusterer,
    /// Journal position this state reflects; `None`: rebuild from the store.
    synced: Option<i64>,
    terms: Dictionary,
    entities: Dictionary,
    /// Clusterer story number → store story id, for the open stories of this epoch.
    open: HashMap<u64, i64>,
    next_id: i64,
    newest: Option<i64>,
    /// Analyses of documents whose story has not been digested yet.
    analyses: AnalysisCache,
    /// Analyses handed over for the next batch ([`StoryAssigner::keep_analyses`]).
    pending: Vec<Analysis>,
}

impl std::fmt::Debug for ClusterStories {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClusterStories")
            .field("synced", &self.synced)
            .field("open", &self.open.len())
            .field("next_id", &self.next_id)
            .finish_non_exhaustive()
    }
}

impl Default for ClusterStories {
    fn default() -> Self {
        Self::new()
    }
}

fn corrupt(store: &dyn Store, what: impl Into<String>) -> khabar_store::Error {
    khabar_store::Error::Corrupt {
        location: store.location().to_string(),
        what: what.into(),
    }
}

/// Seconds since 1970 of an ISO-8601 date; `None` for a missing or unreadable one.
fn time_of(date: Option<&str>) -> Option<i64> {
    date.and_then(|d| parse_date(d).ok())
}

/// Sorted, distinct entity keys of mentions.
fn entity_keys(mentions: &[EntityMention]) -> Vec<String> {
    let mut keys: Vec<String> = mentions.iter().map(|m| m.key.clone()).collect();
    keys.sort();
    keys.dedup();
    keys
}

/// Mentions as the digest takes them.
fn digest_mentions(mentions: &[EntityMention]) -> Vec<Mention> {
    mentions
        .iter()
        .map(|m| Mention {
            span: m.span,
            label: m.label.clone(),
            key: m.key.clone(),
        })
        .collect()
}

/// Hash of a text, to check a kept analysis is of the text at hand.
fn text_hash(text: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(text.as_bytes())
}

/// Body analyses ingest made in its parallel part, kept by document id until the
/// document's story is digested, so a digest analyses no member again. An entry
/// leaves when its story is digested (or found not to need a digest), and the oldest
/// go first beyond [`MAX_KEPT_ANALYSES`]; a member without one is analysed again.
#[derive(Debug, Default)]
struct AnalysisCache {
    by_id: HashMap<String, (u64, Analysis)>,
    /// Ids in insertion order (some already gone), for eviction.
    order: VecDeque<String>,
}

impl AnalysisCache {
    fn insert(&mut self, id: &str, text: &str, analysis: Analysis) {
        self.by_id
            .insert(id.to_string(), (text_hash(text), analysis));
        self.order.push_back(id.to_string());
        while self.by_id.len() > MAX_KEPT_ANALYSES {
            match self.order.pop_front() {
                Some(old) => {
                    self.by_id.remove(&old);
                }
                None => break,
            }
        }
        if self.order.len() > 2 * MAX_KEPT_ANALYSES {
            let by_id = &self.by_id;
            self.order.retain(|id| by_id.contains_key(id));
        }
    }

    fn clear(&mut self) {
        self.by_id.clear();
        self.order.clear();
    }
}

/// A member document of a story to digest.
enum MemberDoc<'a> {
    Stored(Box<StoredDocument>),
    New(&'a NewDocument),
}

impl MemberDoc<'_> {
    fn id(&self) -> &str {
        match self {
            MemberDoc::Stored(d) => &d.id,
            MemberDoc::New(d) => &d.id,
        }
    }
    fn text(&self) -> &str {
        match self {
            MemberDoc::Stored(d) => &d.text,
            MemberDoc::New(d) => &d.text,
        }
    }
    fn title(&self) -> Option<&str> {
        match self {
            MemberDoc::Stored(d) => d.title.as_deref(),
            MemberDoc::New(d) => d.title.as_deref(),
        }
    }
    fn mentions(&self) -> &[EntityMention] {
        match self {
            MemberDoc::Stored(d) => &d.mentions,
            MemberDoc::New(d) => &d.mentions,
        }
    }
}

/// A story whose digest must be computed: its members, each with its kept analysis.
struct DigestJob<'a> {
    story: i64,
    members: Vec<(MemberDoc<'a>, Option<Analysis>)>,
    fingerprint: Vec<u8>,
}

impl ClusterStories {
    /// An assigner with the default clustering settings and an empty state.
    pub fn new() -> ClusterStories {
        match Self::with_config(StoryConfig::default()) {
            Ok(s) => s,
            Err(e) => unreachable!("the default story settings are valid: {e}"),
        }
    }

    /// An assigner with these clustering settings.
    ///
    /// # Errors
    /// A [`ConfigError`] for a setting out of range.
    pub fn with_config(config: StoryConfig) -> Result<ClusterStories, ConfigError> {
        let clusterer = StoryClusterer::new(config.clone())?;
        Ok(ClusterStories {
            featurizer: Featurizer::new(&config),
            digest: DigestOptions::documents_without_keyphrases(),
            config,
            clusterer,
            synced: None,
            terms: Dictionary::default(),
            entities: Dictionary::default(),
            open: HashMap::new(),
            next_id: 1,
            newest: None,
            analyses: AnalysisCache::default(),
            pending: Vec::new(),
        })
    }

    fn reset(&mut self) {
        self.clusterer = self.fresh_clusterer();
        self.synced = None;
        self.terms = Dictionary::default();
        self.entities = Dictionary::default();
        self.open.clear();
        self.next_id = 1;
        self.newest = None;
        self.analyses.clear();
    }

    fn fresh_clusterer(&self) -> StoryClusterer {
        match StoryClusterer::new(self.config.clone()) {
            Ok(c) => c,
            Err(e) => unreachable!("settings were validated when the assigner was built: {e}"),
        }
    }

    /// Starts a new epoch if `time` lies far before the newest date seen; returns the
    /// store ids of the stories that closed.
    fn maybe_new_epoch(&mut self, time: Option<i64>) -> Vec<i64> {
        let mut closed = Vec::new();
        if let (Some(t), Some(newest)) = (time, self.newest)
            && t < newest - EPOCH_GAP_SECS
        {
            let fresh = self.fresh_clusterer();
            let old = std::mem::replace(&mut self.clusterer, fresh);
            for s in old.finish() {
                if let Some(id) = self.open.remove(&s.id) {
                    closed.push(id);
                }
            }
            self.open.clear();
            self.newest = None;
        }
        if let Some(t) = time {
            self.newest = Some(self.newest.map_or(t, |n| n.max(t)));
        }
        closed
    }

    /// Adds one document to the clusterer; returns its store story id (allocating one
    /// for a new story unless `recorded` gives it, as in a replay) and the store ids of
    /// stories that closed.
    fn add(
        &mut self,
        doc: &str,
        time: Option<i64>,
        features: &ArticleFeatures,
        entities: &[String],
        recorded: Option<i64>,
    ) -> (i64, bool, Vec<i64>) {
        let mut closed = self.maybe_new_epoch(time);
        let a = self
            .clusterer
            .add(doc.to_string(), time, None, features, entities);
        let id = match (self.open.get(&a.story), recorded) {
            (Some(&id), _) => id,
            (None, Some(id)) => id,
            (None, None) => {
                let id = self.next_id;
                self.next_id += 1;
                id
            }
        };
        if let Some(r) = recorded {
            self.next_id = self.next_id.max(r + 1);
        }
        self.open.insert(a.story, id);
        while let Some(s) = self.clusterer.pop_closed() {
            if let Some(cid) = self.open.remove(&s.id) {
                closed.push(cid);
            }
        }
        (id, a.is_new, closed)
    }

    fn encode(
        &mut self,
        doc: &str,
        story: i64,
        time: Option<i64>,
        f: &ArticleFeatures,
        ents: &[String],
    ) -> Vec<u8> {
        let mut new_terms = Vec::new();
        let terms: Vec<u32> = f
            .terms
            .iter()
            .map(|t| self.terms.id_or_add(&t.key, &mut new_terms))
            .collect();
        let whole = f
            .terms
            .iter()
            .all(|t| t.tf >= 0.0 && t.tf <= 16_777_216.0 && t.tf.fract() == 0.0);
        let weights = if whole {
            Weights::Whole(f.terms.iter().map(|t| t.tf as u32).collect())
        } else {
            Weights::Bits(f.terms.iter().map(|t| t.tf.to_bits()).collect())
        };
        let mut new_entities = Vec::new();
        let entities: Vec<u32> = ents
            .iter()
            .map(|e| self.entities.id_or_add(e, &mut new_entities))
            .collect();
        let entry = Entry {
            doc: doc.to_string(),
            story,
            time,
            new_terms,
            terms,
            weights,
            new_entities,
            entities,
        };
        let mut out = vec![JOURNAL_FORMAT];
        // Serializing plain vectors and strings into memory cannot fail.
        if let Ok(b) = postcard::to_stdvec(&entry) {
            out.extend_from_slice(&b);
        }
        out
    }

    /// Replays one journal entry.
    fn replay(&mut self, store: &dyn Store, e: &JournalEntry) -> Result<(), khabar_store::Error> {
        let bad = |what: &str| corrupt(store, format!("story journal entry {}: {what}", e.pos));
        let Some((&format, body)) = e.data.split_first() else {
            return Err(bad("empty"));
        };
        if format != JOURNAL_FORMAT {
            return Err(bad(&format!(
                "format {format} is not one this khabar knows ({JOURNAL_FORMAT}): upgrade khabar"
            )));
        }
        let entry: Entry = postcard::from_bytes(body).map_err(|err| bad(&err.to_string()))?;
        self.terms.extend(&entry.new_terms);
        self.entities.extend(&entry.new_entities);
        let tfs: Vec<f32> = match &entry.weights {
            Weights::Whole(v) => v.iter().map(|&w| w as f32).collect(),
            Weights::Bits(v) => v.iter().map(|&b| f32::from_bits(b)).collect(),
        };
        if tfs.len() != entry.terms.len() {
            return Err(bad("term and weight counts differ"));
        }
        let mut terms = Vec::with_capacity(entry.terms.len());
        for (&id, tf) in entry.terms.iter().zip(tfs) {
            let key = self.terms.word(id).ok_or_else(|| bad("unknown term id"))?;
            terms.push(Term {
                key: key.to_string(),
                tf,
                form: key.to_string(),
            });
        }
        let entities = entry
            .entities
            .iter()
            .map(|&id| {
                self.entities
                    .word(id)
                    .map(str::to_string)
                    .ok_or_else(|| bad("unknown entity id"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        self.add(
            &entry.doc,
            entry.time,
            &ArticleFeatures { terms },
            &entities,
            Some(entry.story),
        );
        Ok(())
    }

    /// The members a digest of `story` reads, or `None` if no digest is due: fewer than
    /// two members, or the same members as the stored digest.
    fn digest_job<'a>(
        &mut self,
        store: &dyn Store,
        story: i64,
        batch: &[(&'a NewDocument, i64)],
        in_batch: &BTreeSet<&str>,
    ) -> Result<Option<DigestJob<'a>>, khabar_store::Error> {
        // (date, order, source): stored members keep their seq as order; the batch's
        // documents come after every stored one, in input order.
        enum Src<'a> {
            Seq(i64),
            New(&'a NewDocument),
        }
        let mut members: Vec<(Option<String>, i64, String, Src<'a>)> = Vec::new();
        if let Some(s) = store.story(story)? {
            for m in s.members {
                // A document of this batch is a new version: its stored one goes.
                if !in_batch.contains(m.id.as_str()) {
                    members.push((m.date, m.seq, m.id, Src::Seq(m.seq)));
                }
            }
        }
        for (i, (d, s)) in batch.iter().enumerate() {
            if *s == story {
                members.push((
                    d.date.clone(),
                    i64::MAX / 2 + i as i64,
                    d.id.clone(),
                    Src::New(d),
                ));
            }
        }
        members.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
        // An id given twice in one batch counts once (its first place).
        let mut seen = BTreeSet::new();
        members.retain(|m| seen.insert(m.2.clone()));
        // The story is digested now (or needs no digest): the kept analyses of the
        // members a digest reads are taken, the others' are not needed any more.
        let mut kept: HashMap<String, (u64, Analysis)> = HashMap::new();
        for (i, m) in members.iter().enumerate() {
            if let Some(e) = self.analyses.by_id.remove(&m.2)
                && i < MAX_DIGEST_MEMBERS
            {
                kept.insert(m.2.clone(), e);
            }
        }
        members.truncate(MAX_DIGEST_MEMBERS);
        if members.len() < 2 {
            return Ok(None);
        }
        let mut h = xxhash_rust::xxh3::Xxh3::with_seed(FINGERPRINT_SEED);
        for (_, _, id, _) in &members {
            h.update(id.as_bytes());
            h.update(&[0]);
        }
        let fingerprint = h.digest().to_le_bytes().to_vec();
        if store
            .story_state(story)?
            .and_then(|(_, _, state)| state)
            .is_some_and(|s| s == fingerprint)
        {
            return Ok(None);
        }
        let mut docs = Vec::with_capacity(members.len());
        for (_, _, id, src) in members {
            let doc = match src {
                Src::New(d) => MemberDoc::New(d),
                Src::Seq(seq) => match store.document_by_seq(seq)? {
                    Some(d) => MemberDoc::Stored(Box::new(d)),
                    None => continue,
                },
            };
            let analysis = kept
                .remove(&id)
                .and_then(|(hash, a)| (hash == text_hash(doc.text())).then_some(a));
            docs.push((doc, analysis));
        }
        Ok(Some(DigestJob {
            story,
            members: docs,
            fingerprint,
        }))
    }

    /// Digests of these stories, computed in parallel, as story updates.
    fn digests(
        &mut self,
        store: &dyn Store,
        stories: &BTreeSet<i64>,
        batch: &[(&NewDocument, i64)],
    ) -> Result<Vec<StoryUpdate>, khabar_store::Error> {
        let in_batch: BTreeSet<&str> = batch.iter().map(|(d, _)| d.id.as_str()).collect();
        let mut jobs = Vec::new();
        for &s in stories {
            if let Some(job) = self.digest_job(store, s, batch, &in_batch)? {
                jobs.push(job);
            }
        }
        let options = &self.digest;
        Ok(jobs
            .into_par_iter()
            .map(|job| {
                let DigestJob {
                    story: story_id,
                    members,
                    fingerprint,
                } = job;
                let (members, analyses): (Vec<MemberDoc>, Vec<Option<Analysis>>) =
                    members.into_iter().unzip();
                let mut docs: Vec<DigestDocument> = Vec::with_capacity(members.len());
                let mut prepared = Vec::with_capacity(members.len());
                let mut failed = false;
                for (m, analysis) in members.iter().zip(analyses) {
                    docs.push(DigestDocument {
                        id: m.id(),
                        text: m.text(),
                        title: m.title(),
                    });
                    let analysis = match analysis {
                        Some(a) => a,
                        None => match TextAnalyzer::default_analyzer().analyze(m.text()) {
                            Ok(a) => a,
                            Err(_) => {
                                failed = true;
                                break;
                            }
                        },
                    };
                    prepared.push(PreparedDocument::new(
                        m.text(),
                        analysis,
                        digest_mentions(m.mentions()),
                        options,
                    ));
                }
                let digest = if failed {
                    None
                } else {
                    build_digest_prepared(&docs, prepared, None, options).ok()
                };
                let story = digest.and_then(|d| d.stories.into_iter().next());
                let (title, lines) = match story {
                    Some(s) => (
                        Some(s.title).filter(|t| !t.trim().is_empty()),
                        s.summary
                            .into_iter()
                            .map(|l| StoryLine {
                                text: l.text,
                                support: u32::try_from(l.support).unwrap_or(u32::MAX),
                                sources: l
                                    .sources
                                    .into_iter()
                                    .map(|src| LineSource {
                                        doc_id: src.doc,
                                        span: khabar_core::Span::new(src.start, src.end),
                                    })
                                    .collect(),
                            })
                            .collect(),
                    ),
                    None => (None, Vec::new()),
                };
                StoryUpdate {
                    id: story_id,
                    title,
                    add_members: Vec::new(),
                    lines: Some(lines),
                    state: Some(fingerprint),
                }
            })
            .collect())
    }
}

impl StoryAssigner for ClusterStories {
    fn featurizer(&self) -> Option<&Featurizer> {
        Some(&self.featurizer)
    }

    fn wants_analyses(&self) -> bool {
        true
    }

    fn keep_analyses(&mut self, analyses: Vec<Analysis>) {
        self.pending = analyses;
    }

    fn resume(&mut self, store: &dyn Store) -> Result<(), khabar_store::Error> {
        let end = store.journal_end()?;
        match self.synced {
            Some(s) if s == end => {}
            // Entries were written since (by this process, or by one before it).
            Some(s) if s < end => {}
            // In-memory state ran ahead of the store (a batch that failed to commit) or
            // there is none yet: rebuild from the whole journal.
            _ => self.reset(),
        }
        let mut after = self.synced.unwrap_or(0);
        while after < end {
            let page = store.journal(after, REPLAY_PAGE)?;
            let Some(last) = page.last() else { break };
            let last = last.pos;
            for e in &page {
                self.replay(store, e)?;
            }
            after = last;
        }
        self.synced = Some(after);
        self.next_id = self.next_id.max(store.max_story_id()? + 1);
        Ok(())
    }

    fn assign(
        &mut self,
        store: &dyn Store,
        batch: &[AssignInput<'_>],
    ) -> Result<StoryChanges, khabar_store::Error> {
        if self.synced.is_none() {
            self.resume(store)?;
        }
        let mut pos = self.synced.unwrap_or(0);
        // A failure below leaves the state ahead of the store: the next resume rebuilds.
        self.synced = None;
        let pending = std::mem::take(&mut self.pending);
        if pending.len() == batch.len() {
            for (input, analysis) in batch.iter().zip(pending) {
                self.analyses
                    .insert(&input.doc.id, &input.doc.text, analysis);
            }
        }
        let times: Vec<Option<i64>> = batch
            .iter()
            .map(|i| time_of(i.doc.date.as_deref()))
            .collect();
        let mut order: Vec<usize> = (0..batch.len()).collect();
        // Undated documents first (they do not move the window), then by date; stable.
        order.sort_by_key(|&i| times[i]);
        let mut journal = Vec::with_capacity(batch.len());
        let mut assigned: Vec<(&NewDocument, i64)> = Vec::with_capacity(batch.len());
        let mut members: BTreeMap<i64, (Option<String>, Vec<String>)> = BTreeMap::new();
        let mut to_digest: BTreeSet<i64> = BTreeSet::new();
        let mut scratch = Analysis::default();
        for i in order {
            let input = &batch[i];
            let doc = input.doc;
            let computed;
            let features = match input.features {
                Some(f) => f,
                None => {
                    computed =
                        self.featurizer
                            .features(doc.title.as_deref(), &doc.text, &mut scratch);
                    &computed
                }
            };
            let ents = entity_keys(&doc.mentions);
            let (story, is_new, closed) = self.add(&doc.id, times[i], features, &ents, None);
            to_digest.extend(closed);
            pos += 1;
            journal.push(JournalEntry {
                pos,
                data: self.encode(&doc.id, story, times[i], features, &ents),
            });
            let entry = members.entry(story).or_default();
            if is_new {
                let title = doc
                    .title
                    .clone()
                    .filter(|t| !t.trim().is_empty())
                    .unwrap_or_else(|| clip(doc.text.trim(), 160).to_string());
                entry.0 = Some(title);
            }
            entry.1.push(doc.id.clone());
            assigned.push((doc, story));
        }
        let mut updates: Vec<StoryUpdate> = members
            .into_iter()
            .map(|(id, (title, add_members))| StoryUpdate {
                id,
                title,
                add_members,
                lines: None,
                state: None,
            })
            .collect();
        updates.extend(self.digests(store, &to_digest, &assigned)?);
        self.synced = Some(pos);
        Ok(StoryChanges { updates, journal })
    }

    fn finish(&mut self, store: &dyn Store) -> Result<StoryChanges, khabar_store::Error> {
        let open: BTreeSet<i64> = self.open.values().copied().collect();
        Ok(StoryChanges {
            updates: self.digests(store, &open, &[])?,
            journal: Vec::new(),
        })
    }
}

#[cfg(test)]
mod tests {}
