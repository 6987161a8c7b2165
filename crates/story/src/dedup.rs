//! Streaming near-duplicate groups: wire copies republished by many papers.
//!
//! Documents arrive one at a time with a [`Fingerprint`] (computed anywhere,
//! in parallel). The [`Deduplicator`] keeps an LSH index of *representatives*
//! only: the first document of each group. A new document looks up its band
//! keys, verifies every candidate representative on the exact shingle sets
//! (Jaccard) and joins the group of the most similar one if that similarity
//! reaches the threshold; otherwise it becomes the representative of a new
//! group.
//!
//! **No transitive closure.** Membership always means "verified similar to
//! the group's representative", never "similar to some member". A chain
//! A~B~C~D where A and D share little therefore gives {A, B} and {C, D}
//! instead of one group that keeps growing along the chain until it swallows
//! a whole outlet (see the `chain_does_not_merge` test). The price is that
//! B's own copies that differ too much from A start their own group.
//!
//! **Bounded memory, one pass.** Per representative the index keeps its
//! sorted 32-bit shingle hashes (4 bytes × distinct shingles, about 1 KB for a
//! 250-word article), its band keys (8 bytes × bands) and its group number;
//! per open group the member ids. Representatives leave the index, oldest
//! first, when more than `max_representatives` are live or when they are
//! older than the time window; their group is then closed and can be emitted.
//! Non-representative members keep nothing but their id in their open group.
//!
//! **Deterministic.** Candidates are sorted before verification and ties go
//! to the older group, so the same input in the same order gives the same
//! groups, whatever the number of threads that computed the fingerprints.

use crate::minhash::{Fingerprint, Fingerprinter, MinHashParams, ParamsError, intersection_size};
use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasherDefault, Hasher};

/// Settings of a [`Deduplicator`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DedupConfig {
    /// Fingerprint and LSH parameters (must match the fingerprints given to `add`).
    pub params: MinHashParams,
    /// Smallest exact Jaccard similarity to the representative for joining its group.
    pub threshold: f64,
    /// Most representatives kept in the index (memory bound); the oldest leave first.
    pub max_representatives: usize,
    /// Representatives older than this many seconds before the newest date seen leave
    /// the index (`None`: no time window).
    pub window_secs: Option<i64>,
}

impl Default for DedupConfig {
    fn default() -> Self {
        DedupConfig {
            params: MinHashParams {
                num_hashes: 128,
                bands: 32,
                shingle_words: 3,
                seed: crate::minhash::DEFAULT_SEED,
            },
            threshold: 0.5,
            max_representatives: 1_000_000,
            window_secs: None,
        }
    }
}

/// A document of a group.
#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    /// The caller's id.
    pub id: String,
    /// Exact Jaccard similarity to the representative (1 for the representative).
    pub similarity: f64,
    /// Its date (seconds since 1970), if it had one.
    pub time: Option<i64>,
}

/// A closed group: the representative first, then the members in arrival order.
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    /// Group number: the order of creation, from 0 (every document that starts a
    /// group, even one that stays alone, takes a number).
    pub id: u64,
    /// The members; `members[0]` is the representative.
    pub members: Vec<Member>,
}

/// Where [`Deduplicator::add`] put a document.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Assignment {
    /// The group number.
    pub group: u64,
    /// True if the document started the group (it is its representative).
    pub is_new: bool,
    /// Jaccard similarity to the representative (1 for a new group).
    pub similarity: f64,
    /// Candidates the LSH index proposed (before verification).
    pub candidates: usize,
}

/// Counters of a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DedupStats {
    /// Documents added.
    pub documents: u64,
    /// Documents without any content word (never grouped).
    pub empty: u64,
    /// Documents the index proposed at least one candidate for.
    pub with_candidates: u64,
    /// Candidate pairs verified on the shingle sets.
    pub verified_pairs: u64,
    /// Documents that joined an existing group.
    pub duplicates: u64,
    /// Groups created.
    pub groups: u64,
    /// Representatives evicted by the size bound.
    pub evicted_by_size: u64,
    /// Representatives evicted by the time window.
    pub evicted_by_time: u64,
}

/// Identity hasher: LSH keys are already uniform 64-bit hashes.
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

const NIL: u32 = u32::MAX;

/// Band key → representative slots, as linked lists in one arena: no allocation
/// per key, and a key's list is usually one slot long.
#[derive(Default)]
struct Buckets {
    heads: HashMap<u64, u32, BuildHasherDefault<KeyHasher>>,
    /// `(slot, next node)`.
    nodes: Vec<(u32, u32)>,
    free: Vec<u32>,
}

impl Buckets {
    fn insert(&mut self, key: u64, slot: u32) {
        let head = self.heads.get(&key).copied().unwrap_or(NIL);
        let node = (slot, head);
        let at = match self.free.pop() {
            Some(i) => {
                self.nodes[i as usize] = node;
                i
            }
            None => {
                self.nodes.push(node);
                (self.nodes.len() - 1) as u32
            }
        };
        self.heads.insert(key, at);
    }

    fn for_each(&self, key: u64, mut f: impl FnMut(u32)) {
        let mut at = self.heads.get(&key).copied().unwrap_or(NIL);
        while at != NIL {
            let (slot, next) = self.nodes[at as usize];
            f(slot);
            at = next;
        }
    }

    fn remove(&mut self, key: u64, slot: u32) {
        let Some(&head) = self.heads.get(&key) else {
            return;
        };
        let (mut prev, mut at) = (NIL, head);
        while at != NIL {
            let (s, next) = self.nodes[at as usize];
            if s == slot {
                if prev == NIL {
                    if next == NIL {
                        self.heads.remove(&key);
                    } else {
                        self.heads.insert(key, next);
                    }
                } else {
                    self.nodes[prev as usize].1 = next;
                }
                self.free.push(at);
                return;
            }
            prev = at;
            at = next;
        }
    }
}

struct Rep {
    group: u64,
    fp: Fingerprint,
    time: Option<i64>,
}

struct OpenGroup {
    members: Vec<Member>,
    closed: bool,
}

/// The streaming near-duplicate grouper (see the module docs).
pub struct Deduplicator {
    config: DedupConfig,
    fingerprinter: Fingerprinter,
    reps: Vec<Option<Rep>>,
    free: Vec<u32>,
    /// Live representative slots, oldest first.
    order: VecDeque<u32>,
    buckets: Buckets,
    /// Groups not yet emitted; `groups[0]` has number `first_group`.
    groups: VecDeque<OpenGroup>,
    first_group: u64,
    newest: Option<i64>,
    stats: DedupStats,
    candidates: Vec<u32>,
}

impl Deduplicator {
    /// A deduplicator with checked settings.
    ///
    /// # Errors
    /// A [`ParamsError`] for bad MinHash parameters or a threshold outside (0, 1].
    pub fn new(config: DedupConfig) -> Result<Deduplicator, ParamsError> {
        if !(config.threshold > 0.0 && config.threshold <= 1.0) {
            return Err(ParamsError::Threshold(config.threshold));
        }
        Ok(Deduplicator {
            fingerprinter: Fingerprinter::new(config.params)?,
            config,
            reps: Vec::new(),
            free: Vec::new(),
            order: VecDeque::new(),
            buckets: Buckets::default(),
            groups: VecDeque::new(),
            first_group: 0,
            newest: None,
            stats: DedupStats::default(),
            candidates: Vec::new(),
        })
    }

    /// Makes room in the LSH index for about `representatives` more documents.
    pub fn reserve(&mut self, representatives: usize) {
        let keys = representatives.saturating_mul(self.config.params.bands);
        self.buckets.heads.reserve(keys);
        self.buckets.nodes.reserve(keys);
        self.reps.reserve(representatives);
    }

    /// The fingerprinter matching this deduplicator's parameters.
    pub fn fingerprinter(&self) -> &Fingerprinter {
        &self.fingerprinter
    }

    /// Counters so far.
    pub fn stats(&self) -> &DedupStats {
        &self.stats
    }

    /// Representatives currently in the index.
    pub fn live_representatives(&self) -> usize {
        self.order.len()
    }

    /// Adds a document: joins the most similar verified group or starts a new one.
    /// The fingerprint must come from [`Self::fingerprinter`] (or the same parameters).
    pub fn add(&mut self, id: String, time: Option<i64>, mut fp: Fingerprint) -> Assignment {
        self.stats.documents += 1;
        if let Some(t) = time {
            self.newest = Some(self.newest.map_or(t, |n| n.max(t)));
            self.evict_by_time();
        }
        if fp.is_empty() || fp.bands.len() != self.config.params.bands {
            self.stats.empty += 1;
            let group = self.open_group(id, time, true);
            return Assignment {
                group,
                is_new: true,
                similarity: 1.0,
                candidates: 0,
            };
        }
        self.candidates.clear();
        for &k in &fp.bands {
            let c = &mut self.candidates;
            self.buckets.for_each(k, |slot| c.push(slot));
        }
        self.candidates.sort_unstable();
        self.candidates.dedup();
        let n_candidates = self.candidates.len();
        if n_candidates > 0 {
            self.stats.with_candidates += 1;
        }
        // The best verified representative: highest Jaccard, then the older group.
        let mut best: Option<(f64, u64)> = None;
        for &slot in &self.candidates {
            let Some(rep) = self.reps[slot as usize].as_mut() else {
                continue;
            };
            let (a, b) = (fp.shingle_set(), rep.fp.shingle_set());
            let (n, m) = (a.len(), b.len());
            // Jaccard can't exceed min/max: skip hopeless pairs without merging.
            if (n.min(m) as f64) < self.config.threshold * n.max(m) as f64 {
                continue;
            }
            self.stats.verified_pairs += 1;
            let inter = intersection_size(a, b);
            let j = inter as f64 / (n + m - inter) as f64;
            if j >= self.config.threshold
                && best.is_none_or(|(bj, bg)| j > bj || (j == bj && rep.group < bg))
            {
                best = Some((j, rep.group));
            }
        }
        if let Some((similarity, group)) = best {
            self.stats.duplicates += 1;
            let g = &mut self.groups[(group - self.first_group) as usize];
            g.members.push(Member {
                id,
                similarity,
                time,
            });
            return Assignment {
                group,
                is_new: false,
                similarity,
                candidates: n_candidates,
            };
        }
        let group = self.open_group(id, time, false);
        let slot = match self.free.pop() {
            Some(s) => s,
            None => {
                self.reps.push(None);
                (self.reps.len() - 1) as u32
            }
        };
        for &k in &fp.bands {
            self.buckets.insert(k, slot);
        }
        self.reps[slot as usize] = Some(Rep { group, fp, time });
        self.order.push_back(slot);
        while self.order.len() > self.config.max_representatives {
            self.evict_front();
            self.stats.evicted_by_size += 1;
        }
        Assignment {
            group,
            is_new: true,
            similarity: 1.0,
            candidates: n_candidates,
        }
    }

    fn open_group(&mut self, id: String, time: Option<i64>, closed: bool) -> u64 {
        let group = self.first_group + self.groups.len() as u64;
        self.stats.groups += 1;
        self.groups.push_back(OpenGroup {
            members: vec![Member {
                id,
                similarity: 1.0,
                time,
            }],
            closed,
        });
        group
    }

    fn evict_by_time(&mut self) {
        let (Some(window), Some(newest)) = (self.config.window_secs, self.newest) else {
            return;
        };
        while let Some(&slot) = self.order.front() {
            let old = self.reps[slot as usize]
                .as_ref()
                .and_then(|r| r.time)
                .is_some_and(|t| t < newest.saturating_sub(window));
            if !old {
                break;
            }
            self.evict_front();
            self.stats.evicted_by_time += 1;
        }
    }

    fn evict_front(&mut self) {
        let Some(slot) = self.order.pop_front() else {
            return;
        };
        let Some(rep) = self.reps[slot as usize].take() else {
            return;
        };
        for &k in &rep.fp.bands {
            self.buckets.remove(k, slot);
        }
        self.free.push(slot);
        if let Some(g) = self.groups.get_mut((rep.group - self.first_group) as usize) {
            g.closed = true;
        }
    }

    /// The next closed group in group-number order, if the oldest open group is closed.
    pub fn pop_closed(&mut self) -> Option<Group> {
        if !self.groups.front()?.closed {
            return None;
        }
        let g = self.groups.pop_front()?;
        let id = self.first_group;
        self.first_group += 1;
        Some(Group {
            id,
            members: g.members,
        })
    }

    /// Closes every group and returns those not yet emitted, in group-number order.
    pub fn finish(mut self) -> Vec<Group> {
        let first = self.first_group;
        self.groups
            .drain(..)
            .enumerate()
            .map(|(i, g)| Group {
                id: first + i as u64,
                members: g.members,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::minhash::FingerprintScratch;
    use proptest::prelude::*;

    fn words(range: std::ops::Range<usize>) -> String {
        range
            .map(|i| format!("كلمة{i}"))
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn run(config: DedupConfig, docs: &[(&str, String, Option<i64>)]) -> Vec<Vec<String>> {
        let mut d = Deduplicator::new(config).unwrap();
        let mut scratch = FingerprintScratch::default();
        let mut groups = Vec::new();
        for (id, text, time) in docs {
            let fp = d.fingerprinter().fingerprint(text, &mut scratch);
            d.add(id.to_string(), *time, fp);
            while let Some(g) = d.pop_closed() {
                groups.push(g);
            }
        }
        groups.extend(d.finish());
        groups
            .into_iter()
            .map(|g| g.members.into_iter().map(|m| m.id).collect())
            .collect()
    }

    #[test]
    fn chain_does_not_merge() {
        // A~B~C~D: 300-word windows shifted by 60 words. Neighbours have shingle
        // Jaccard ≈ 0.66, A–C ≈ 0.43, A–D ≈ 0.25.
        let a = words(0..300);
        let b = words(60..360);
        let c = words(120..420);
        let d = words(180..480);
        let config = DedupConfig {
            threshold: 0.6,
            ..DedupConfig::default()
        };
        let f = Fingerprinter::new(config.params).unwrap();
        let mut s = FingerprintScratch::default();
        let mut fps: Vec<Fingerprint> = [&a, &b, &c, &d]
            .iter()
            .map(|t| f.fingerprint(t, &mut s))
            .collect();
        let mut j = |x: usize, y: usize| {
            let mut fx = fps[x].clone();
            fx.jaccard(&mut fps[y])
        };
        // Every link of the chain passes the threshold, so a union of verified pairs
        // (transitive closure) would make one group of four…
        assert!(j(0, 1) >= 0.6 && j(1, 2) >= 0.6 && j(2, 3) >= 0.6);
        assert!(j(0, 2) < 0.6 && j(0, 3) < 0.3);
        // …but groups form around their representative.
        let docs = [
            ("A", a, None),
            ("B", b, None),
            ("C", c, None),
            ("D", d, None),
        ];
        let got = run(config, &docs);
        assert_eq!(got, [vec!["A", "B"], vec!["C", "D"]]);
    }

    #[test]
    fn copies_with_other_spellings_and_edits_are_grouped() {
        let base = "أعلن الجيش السوري مساء الخميس استعادة مدينة حلب بالكامل محققا أكبر نصر له على الفصائل المعارضة منذ اندلاع النزاع في 2011 بفضل الدعم العسكري الروسي والإيراني وقال الرئيس الروسي إن تحرير حلب خطوة مهمة جدا نحو إعادة الوضع إلى طبيعته";
        let copy = base
            .replace(['أ', 'إ'], "ا")
            .replace("مساء الخميس", "مساء يوم الخميس");
        let other = "ارتفعت أسعار النفط في الأسواق العالمية اليوم بعد قرار منظمة أوبك خفض الإنتاج وقال محللون إن الأسعار قد تواصل الصعود خلال الأسابيع المقبلة مع تراجع المخزونات الأمريكية";
        let docs = [
            ("a", base.to_string(), None),
            ("x", other.to_string(), None),
            ("b", copy, None),
        ];
        let got = run(DedupConfig::default(), &docs);
        assert_eq!(got, [vec!["a", "b"], vec!["x"]]);
    }

    #[test]
    fn time_window_and_size_bound_close_groups_in_order() {
        let day = 86_400;
        let doc = words(0..200);
        let config = DedupConfig {
            window_secs: Some(2 * day),
            ..DedupConfig::default()
        };
        let docs = [
            ("d0", doc.clone(), Some(0)),
            ("d1", doc.clone(), Some(day)),
            ("other", words(500..700), Some(day)),
            // Three days after d0: d0 has left the index, so this copy starts a new group.
            ("d3", doc.clone(), Some(3 * day)),
        ];
        assert_eq!(
            run(config, &docs),
            [vec!["d0", "d1"], vec!["other"], vec!["d3"]]
        );
        let config = DedupConfig {
            max_representatives: 1,
            ..DedupConfig::default()
        };
        let docs = [
            ("a", doc.clone(), None),
            ("x", words(500..700), None),
            ("b", doc.clone(), None),
        ];
        assert_eq!(run(config, &docs), [vec!["a"], vec!["x"], vec!["b"]]);
    }

    #[test]
    fn empty_documents_stay_alone() {
        let docs = [
            ("e1", "...".to_string(), None),
            ("e2", "...".to_string(), None),
        ];
        assert_eq!(run(DedupConfig::default(), &docs), [vec!["e1"], vec!["e2"]]);
    }

    #[test]
    fn best_representative_wins_and_ties_go_to_the_older_group() {
        let a = words(0..300);
        let b = words(1000..1300);
        let near_b = words(1000..1290);
        let docs = [
            ("A", a.clone(), None),
            ("B", b, None),
            ("A2", a, None),
            ("B2", near_b, None),
        ];
        assert_eq!(
            run(DedupConfig::default(), &docs),
            [vec!["A", "A2"], vec!["B", "B2"]]
        );
    }

    #[test]
    fn bad_threshold_is_an_error() {
        for t in [0.0, -1.0, 1.5, f64::NAN] {
            let c = DedupConfig {
                threshold: t,
                ..DedupConfig::default()
            };
            assert!(Deduplicator::new(c).is_err());
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Whatever the input: groups partition the documents, the representative
        /// comes first, and every member's stored similarity is its exact Jaccard
        /// with the representative and reaches the threshold.
        #[test]
        fn groups_partition_and_members_are_verified(
            docs in prop::collection::vec(prop::collection::vec(0usize..40, 0..60), 1..40),
            threshold in 0.2f64..0.9,
            max_reps in 1usize..50,
        ) {
            let letters: Vec<char> = "بتثجحخدذرزسشصضطظعغفق".chars().collect();
            let texts: Vec<String> = docs
                .iter()
                .map(|d| d.iter().map(|&w| format!("{}{}", letters[w % 20], letters[w / 20])).collect::<Vec<_>>().join(" "))
                .collect();
            let config = DedupConfig { threshold, max_representatives: max_reps, ..DedupConfig::default() };
            let mut d = Deduplicator::new(config).unwrap();
            let f = d.fingerprinter().clone();
            let mut scratch = FingerprintScratch::default();
            let mut groups = Vec::new();
            for (i, t) in texts.iter().enumerate() {
                d.add(i.to_string(), None, f.fingerprint(t, &mut scratch));
                while let Some(g) = d.pop_closed() {
                    groups.push(g);
                }
            }
            groups.extend(d.finish());
            let mut seen: Vec<usize> = groups
                .iter()
                .flat_map(|g| g.members.iter().map(|m| m.id.parse::<usize>().unwrap()))
                .collect();
            seen.sort_unstable();
            prop_assert_eq!(seen, (0..texts.len()).collect::<Vec<_>>());
            for (k, g) in groups.iter().enumerate() {
                prop_assert_eq!(g.id, k as u64);
                let rep: usize = g.members[0].id.parse().unwrap();
                prop_assert_eq!(g.members[0].similarity, 1.0);
                for m in &g.members[1..] {
                    let i: usize = m.id.parse().unwrap();
                    prop_assert!(i > rep);
                    let exact = f.fingerprint(&texts[rep], &mut scratch).jaccard(&mut f.fingerprint(&texts[i], &mut scratch));
                    prop_assert_eq!(m.similarity, exact);
                    prop_assert!(exact >= threshold);
                }
            }
        }
    }
}
