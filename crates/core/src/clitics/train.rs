//! Learning the clitic model from unlabeled news (`khabar train segmenter`).
//!
//! There is no segmented training data we may ship from, so the model is
//! learned from word counts alone, with the grammar of [`super::grammar`]
//! limiting what a split may look like. The idea: a split «P + s + E» of a
//! word is right when «s» is used as a stem by *other* words of the corpus,
//! and the word is one stem when it appears in contexts a split forbids
//! («الوزير» shows that «وزير» is not و+زير: the article cannot precede «و»).
//!
//! 1. Count words in segmentation form, and where they were written with a
//!    hamza alef (أ إ آ): «إلغاء» starts with a hamza, so its «ال» is no article.
//! 2. Start from the analysis with the most pieces, then repeat: for every
//!    word, score each split by the corpus mass of its stem outside the word's
//!    own family (the word with more clitics around it), without the mass
//!    that hangs on the same ambiguous letter (evidence for «يلومتر» from
//!    «كيلومترات» proves nothing about «كيلومتر»), plus a prior per clitic
//!    class; score the unsplit word by the family members a split forbids and
//!    the mass of its lemma-like siblings. Take the best; stop when nothing
//!    changes.
//! 3. From the decisions, estimate for unknown words how often a clitic letter
//!    followed (or an enclitic was preceded) by given letters was a clitic.
//! 4. Store the decision of every word seen at least `min_count` times (by
//!    default every word), and of rarer words where the unknown-word rule would
//!    decide otherwise; mark the most frequent ones for the small hot table.
//!
//! Deterministic: words are processed in byte order, hash maps are only used
//! for lookups, tables are written sorted.

use super::grammar::{
    Analysis, CliticClass, ENCLITICS, HamzaEvidence, STACKS, candidates, combine, enclitic,
    for_each_class, lemma_key, stem_keys,
};
use super::model::{
    HOT_WORD, ModelData, Params, after_first, before_suffix, ctx_key, fingerprint, key_of,
    may_have_clitic, quantize_logodds, quantize_mass,
};
use crate::analysis::SEGMENTATION_PROFILE;
use crate::normalize::Normalizer;
use crate::token::{RawToken, TokenKind, tokenize};
use std::collections::HashMap;

/// Word counts of a corpus in segmentation form, with hamza spellings.
#[derive(Debug)]
pub struct Vocabulary {
    words: HashMap<Box<str>, WordStat>,
    tokens: u64,
    documents: u64,
    normalizer: Normalizer,
    raw: Vec<RawToken>,
    word: String,
    one: String,
    hamza_at: Vec<u16>,
}

#[derive(Debug, Default)]
struct WordStat {
    count: u64,
    /// (character position, occurrences written with a hamza alef there)
    hamza: Vec<(u16, u32)>,
}

impl Default for Vocabulary {
    fn default() -> Self {
        Vocabulary::new()
    }
}

impl Vocabulary {
    /// An empty vocabulary.
    pub fn new() -> Vocabulary {
        Vocabulary {
            words: HashMap::new(),
            tokens: 0,
            documents: 0,
            normalizer: Normalizer::new(SEGMENTATION_PROFILE),
            raw: Vec::new(),
            word: String::new(),
            one: String::new(),
            hamza_at: Vec::new(),
        }
    }

    /// Counts the Arabic words of one document (its title, if any, and its text).
    pub fn add_document(&mut self, title: Option<&str>, text: &str) {
        self.documents += 1;
        if let Some(t) = title {
            self.add_text(t);
        }
        self.add_text(text);
    }

    /// Counts the Arabic words of a text (not counted as a document).
    pub fn add_text(&mut self, text: &str) {
        let mut raw = std::mem::take(&mut self.raw);
        raw.clear();
        tokenize(text, &mut raw);
        for t in &raw {
            if t.kind == TokenKind::Word {
                self.add_word(t.span.slice(text));
            }
        }
        self.raw = raw;
    }

    /// Counts one word as written (any form; it is normalized here).
    pub fn add_word(&mut self, raw: &str) {
        self.word.clear();
        self.normalizer.normalize_into(raw, &mut self.word, None);
        if self.word.is_empty() || self.word.len() > 200 {
            return;
        }
        // Where the hamza alefs fall in the normalized word, by normalizing one
        // character at a time (composition of separate hamza marks is ignored).
        self.hamza_at.clear();
        let mut n = 0usize;
        for c in raw.chars() {
            if matches!(c, 'أ' | 'إ' | 'آ') {
                self.hamza_at.push(n as u16);
            }
            self.one.clear();
            let mut b = [0u8; 4];
            self.normalizer
                .normalize_into(c.encode_utf8(&mut b), &mut self.one, None);
            n += self.one.chars().count();
        }
        if n != self.word.chars().count() {
            self.hamza_at.clear();
        }
        self.tokens += 1;
        let stat = match self.words.get_mut(self.word.as_str()) {
            Some(s) => s,
            None => self
                .words
                .entry(self.word.clone().into_boxed_str())
                .or_default(),
        };
        stat.count += 1;
        for &p in &self.hamza_at {
            match stat.hamza.iter_mut().find(|(q, _)| *q == p) {
                Some((_, c)) => *c += 1,
                None => stat.hamza.push((p, 1)),
            }
        }
    }

    /// Number of distinct words.
    pub fn types(&self) -> usize {
        self.words.len()
    }

    /// Number of word tokens counted.
    pub fn tokens(&self) -> u64 {
        self.tokens
    }

    /// Number of documents given to [`Vocabulary::add_document`].
    pub fn documents(&self) -> u64 {
        self.documents
    }

    /// How often `word` (segmentation form) was seen.
    pub fn count(&self, word: &str) -> u64 {
        self.words.get(word).map_or(0, |s| s.count)
    }
}

impl HamzaEvidence for Vocabulary {
    fn hamza_rate(&self, word: &str, pos: usize) -> Option<f64> {
        let s = self.words.get(word)?;
        let h = s
            .hamza
            .iter()
            .find(|(p, _)| *p as usize == pos)
            .map_or(0, |x| x.1);
        Some(f64::from(h) / s.count as f64)
    }

    fn initial_hamza_rate(&self, word: &str) -> Option<f64> {
        let s = self.words.get(word)?;
        if s.count < 5 {
            return None;
        }
        self.hamza_rate(word, 0)
    }

    fn takes_article(&self, stem: &str) -> bool {
        let mut w = String::with_capacity(stem.len() + 4);
        w.push_str("ال");
        w.push_str(stem);
        self.count(&w) >= 2
    }
}

/// Log-priors of each clitic class against the unsplit reading, used when the
/// corpus evidence is even.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Biases {
    /// «و».
    pub waw: f64,
    /// «ف».
    pub fa: f64,
    /// «ب».
    pub ba: f64,
    /// «ك».
    pub kaf: f64,
    /// «ل».
    pub lam: f64,
    /// «س».
    pub future: f64,
    /// «ال».
    pub article: f64,
    /// ه ها هما هم هن.
    pub enclitic: f64,
    /// ي (rare in news: construct plurals and nisba adjectives end in ي too).
    pub enclitic_ya: f64,
    /// ك كما كم كن.
    pub enclitic_kaf: f64,
    /// ني نا (نا after a past verb is its subject, not a clitic).
    pub enclitic_nun: f64,
    /// The unsplit reading.
    pub unsplit: f64,
}

impl Default for Biases {
    /// Set by coordinate ascent on the tuning half of the WikiNews gold (see
    /// docs/CLITICS.md), starting from ±2 for every proclitic and enclitic class.
    fn default() -> Self {
        Biases {
            waw: -1.0,
            fa: -3.0,
            ba: -1.0,
            kaf: -3.0,
            lam: -2.0,
            future: -2.5,
            article: 3.0,
            enclitic: -2.0,
            enclitic_ya: -6.0,
            enclitic_kaf: -5.0,
            enclitic_nun: -4.0,
            unsplit: 0.0,
        }
    }
}

impl Biases {
    fn of(&self, c: CliticClass) -> f64 {
        match c {
            CliticClass::Waw => self.waw,
            CliticClass::Fa => self.fa,
            CliticClass::Ba => self.ba,
            CliticClass::Kaf => self.kaf,
            CliticClass::Lam => self.lam,
            CliticClass::Future => self.future,
            CliticClass::Article => self.article,
            CliticClass::Enclitic => self.enclitic,
            CliticClass::EncliticYa => self.enclitic_ya,
            CliticClass::EncliticKaf => self.enclitic_kaf,
            CliticClass::EncliticNun => self.enclitic_nun,
        }
    }

    fn sum(&self, a: &Analysis) -> f64 {
        let mut s = 0.0;
        for_each_class(a, |c| s += self.of(c));
        s
    }
}

/// Settings of the trainer.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainOptions {
    /// Priors per clitic class.
    pub biases: Biases,
    /// Smoothing added to every evidence mass before the logarithm.
    pub delta: f64,
    /// Weight of the lemma-key mass in a split stem's evidence.
    pub lemma_weight: f64,
    /// Weight of the siblings' mass in the unsplit word's evidence.
    pub sibling_weight: f64,
    /// Exponent of word counts (1 = tokens, 0 = types).
    pub count_exponent: f64,
    /// Most decision rounds.
    pub iterations: usize,
    /// Words seen at least this often are stored whatever the unknown-word rule says
    /// (rarer words only where the rule decides otherwise). 1 stores every word: the
    /// corpus' own words then never take the slower unknown-word path.
    pub min_count: u64,
    /// How many of the most frequent words go to the small table that stays in cache.
    pub hot_words: usize,
    /// Run-time weight of the stem evidence for unknown words.
    pub gamma: f64,
    /// Run-time smoothing of the stem evidence for unknown words.
    pub eps: f64,
    /// Free text saying where the corpus came from, stored in the manifest.
    pub corpus: String,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            biases: Biases::default(),
            delta: 1.0,
            lemma_weight: 0.18,
            sibling_weight: 0.3,
            count_exponent: 1.0,
            iterations: 8,
            min_count: 1,
            hot_words: 8192,
            gamma: 1.0,
            eps: 0.5,
            corpus: String::new(),
        }
    }
}

impl TrainOptions {
    /// Sets a numeric option by name (`delta`, `lemma_weight`, `bias.waw`, …), for experiments.
    ///
    /// # Errors
    /// The name is unknown or the value is not a number.
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), String> {
        let v: f64 = value
            .parse()
            .map_err(|_| format!("{name}: {value:?} is not a number"))?;
        let b = &mut self.biases;
        let slot: &mut f64 = match name {
            "delta" => &mut self.delta,
            "lemma_weight" => &mut self.lemma_weight,
            "sibling_weight" => &mut self.sibling_weight,
            "count_exponent" => &mut self.count_exponent,
            "gamma" => &mut self.gamma,
            "eps" => &mut self.eps,
            "iterations" => {
                self.iterations = v.max(0.0) as usize;
                return Ok(());
            }
            "min_count" => {
                self.min_count = v.max(1.0) as u64;
                return Ok(());
            }
            "hot_words" => {
                self.hot_words = v.max(0.0) as usize;
                return Ok(());
            }
            "bias.waw" => &mut b.waw,
            "bias.fa" => &mut b.fa,
            "bias.ba" => &mut b.ba,
            "bias.kaf" => &mut b.kaf,
            "bias.lam" => &mut b.lam,
            "bias.future" => &mut b.future,
            "bias.article" => &mut b.article,
            "bias.enclitic" => &mut b.enclitic,
            "bias.enclitic_ya" => &mut b.enclitic_ya,
            "bias.enclitic_kaf" => &mut b.enclitic_kaf,
            "bias.enclitic_nun" => &mut b.enclitic_nun,
            "bias.unsplit" => &mut b.unsplit,
            _ => return Err(format!("unknown option {name:?}")),
        };
        *slot = v;
        Ok(())
    }
}

/// What training did, for the report.
#[derive(Clone, Debug, Default)]
pub struct TrainReport {
    /// Documents, tokens and distinct words of the corpus.
    pub documents: u64,
    /// Word tokens.
    pub tokens: u64,
    /// Distinct words.
    pub types: usize,
    /// Words with more than one candidate analysis.
    pub ambiguous: usize,
    /// Decisions changed per round.
    pub changed: Vec<usize>,
    /// Words stored in the model.
    pub stored_words: usize,
    /// Stems and lemma keys stored for unknown words.
    pub stems: usize,
    /// Lemma keys stored.
    pub lemmas: usize,
    /// Words (types) decided with at least one clitic.
    pub split_types: usize,
}

/// A trained model: the file bytes and a report.
#[derive(Clone, Debug)]
pub struct Trained {
    /// The model file (load with `CliticSegmenter::from_bytes`).
    pub bytes: Vec<u8>,
    /// What happened.
    pub report: TrainReport,
}

#[derive(Clone, Copy, Debug)]
struct Cand {
    a: Analysis,
    key: u32,
}

/// Index of a single-letter proclitic, for the per-letter masses.
fn letter_index(c: char) -> Option<usize> {
    match c {
        'و' => Some(0),
        'ف' => Some(1),
        'ب' => Some(2),
        'ك' => Some(3),
        'ل' => Some(4),
        'س' => Some(5),
        _ => None,
    }
}

fn inner_index(a: &Analysis) -> Option<usize> {
    STACKS[a.stack as usize]
        .inner_letter()
        .and_then(letter_index)
}

/// Learns a clitic model from `vocab`.
pub fn train(vocab: &Vocabulary, opts: &TrainOptions) -> Trained {
    let mut words: Vec<(&str, u64)> = vocab.words.iter().map(|(w, s)| (&**w, s.count)).collect();
    words.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let n = words.len();
    let index: HashMap<&str, u32> = words
        .iter()
        .enumerate()
        .map(|(i, (w, _))| (*w, i as u32))
        .collect();
    let wt: Vec<f64> = words
        .iter()
        .map(|&(_, c)| (c as f64).powf(opts.count_exponent))
        .collect();

    // Candidates and interned stem keys.
    let mut key_ids: HashMap<String, u32> = HashMap::new();
    let mut key_str: Vec<String> = Vec::new();
    let mut intern = |s: &str, key_ids: &mut HashMap<String, u32>| -> u32 {
        if let Some(&id) = key_ids.get(s) {
            return id;
        }
        let id = key_str.len() as u32;
        key_str.push(s.to_string());
        key_ids.insert(s.to_string(), id);
        id
    };
    let mut cands: Vec<Cand> = Vec::new();
    let mut off: Vec<u32> = Vec::with_capacity(n + 1);
    let mut unsplit_at: Vec<Option<u32>> = Vec::with_capacity(n);
    let mut scratch = Vec::new();
    for &(w, _) in &words {
        off.push(cands.len() as u32);
        candidates(w, vocab, &mut scratch);
        let mut u = None;
        for a in &scratch {
            if a.is_unsplit() {
                u = Some((cands.len() - *off.last().unwrap_or(&0) as usize) as u32);
            }
            stem_keys(a, w, |k| {
                let key = intern(k, &mut key_ids);
                cands.push(Cand { a: *a, key });
            });
        }
        unsplit_at.push(u);
    }
    off.push(cands.len() as u32);
    let n_keys = key_str.len();
    let mut lemma_ids: HashMap<&str, u32> = HashMap::new();
    let mut lemma_str: Vec<&str> = Vec::new();
    let lemma_of: Vec<u32> = key_str
        .iter()
        .map(|k| {
            let l = lemma_key(k);
            *lemma_ids.entry(l).or_insert_with(|| {
                lemma_str.push(l);
                (lemma_str.len() - 1) as u32
            })
        })
        .collect();
    let n_lemmas = lemma_str.len();
    let word_key: Vec<Option<u32>> = words
        .iter()
        .map(|(w, _)| key_ids.get(*w).copied())
        .collect();
    let cands_of = |w: usize| &cands[off[w] as usize..off[w + 1] as usize];

    // Families: the word with more clitics around it.
    let mut fam_off: Vec<u32> = vec![0; n + 1];
    let mut fam: Vec<(u32, u8, u8)> = Vec::new();
    let mut buf = String::new();
    for (wi, &(w, _)) in words.iter().enumerate() {
        fam_off[wi] = fam.len() as u32;
        if cands_of(wi).len() < 2 {
            continue;
        }
        for (si, st) in STACKS.iter().enumerate() {
            for ei in 0..=ENCLITICS.len() {
                if si == 0 && ei == 0 {
                    continue;
                }
                buf.clear();
                buf.push_str(st.surface);
                buf.push_str(w);
                buf.push_str(enclitic(ei as u8));
                if let Some(&w2) = index.get(buf.as_str()) {
                    fam.push((w2, si as u8, ei as u8));
                }
            }
        }
    }
    fam_off[n] = fam.len() as u32;
    let mut combos = [[false; STACKS.len()]; STACKS.len()];
    for (i, row) in combos.iter_mut().enumerate() {
        for (j, ok) in row.iter_mut().enumerate() {
            *ok = combine(i, j).is_some();
        }
    }

    // Start from the analysis with the most pieces.
    let mut decision: Vec<u32> = (0..n)
        .map(|w| {
            let cs = cands_of(w);
            let mut best = 0usize;
            for (i, c) in cs.iter().enumerate() {
                if c.a.n_pieces() > cs[best].a.n_pieces() {
                    best = i;
                }
            }
            best as u32
        })
        .collect();
    let ambiguous = (0..n).filter(|&w| cands_of(w).len() > 1).count();

    let mut tot = vec![0f64; n_keys];
    let mut totl = vec![0f64; n_lemmas];
    let mut byin = vec![[0f64; 6]; n_keys];
    let mut byinl = vec![[0f64; 6]; n_lemmas];
    let mut byenc = vec![0f64; n_keys];
    let mut byencl = vec![0f64; n_lemmas];
    let masses = |decision: &[u32],
                  tot: &mut [f64],
                  totl: &mut [f64],
                  byin: &mut [[f64; 6]],
                  byinl: &mut [[f64; 6]],
                  byenc: &mut [f64],
                  byencl: &mut [f64]| {
        tot.fill(0.0);
        totl.fill(0.0);
        byin.fill([0.0; 6]);
        byinl.fill([0.0; 6]);
        byenc.fill(0.0);
        byencl.fill(0.0);
        for w in 0..n {
            let c = cands_of(w)[decision[w] as usize];
            let k = c.key as usize;
            let l = lemma_of[k] as usize;
            let m = wt[w];
            tot[k] += m;
            totl[l] += m;
            if let Some(x) = inner_index(&c.a) {
                byin[k][x] += m;
                byinl[l][x] += m;
            }
            if c.a.enc != 0 {
                byenc[k] += m;
                byencl[l] += m;
            }
        }
    };
    let b = &opts.biases;
    let mut changed_log = Vec::new();
    let mut next = decision.clone();
    let mut famd: Vec<(usize, u8, u8, Cand)> = Vec::new();
    for _round in 0..opts.iterations {
        masses(
            &decision,
            &mut tot,
            &mut totl,
            &mut byin,
            &mut byinl,
            &mut byenc,
            &mut byencl,
        );
        let mut changed = 0usize;
        for w in 0..n {
            let cs = cands_of(w);
            if cs.len() < 2 {
                next[w] = 0;
                continue;
            }
            famd.clear();
            for &(w2, ps, e) in &fam[fam_off[w] as usize..fam_off[w + 1] as usize] {
                let w2 = w2 as usize;
                famd.push((w2, ps, e, cands_of(w2)[decision[w2] as usize]));
            }
            let cur = cs[decision[w] as usize];
            let mut best: Option<(f64, usize)> = None;
            for (i, c) in cs.iter().enumerate() {
                if c.a.is_unsplit() {
                    continue;
                }
                let k = c.key as usize;
                let lk = lemma_of[k] as usize;
                let mut out = tot[k];
                let mut outl = totl[lk];
                let x = inner_index(&c.a);
                if let Some(x) = x {
                    out -= byin[k][x];
                    outl -= byinl[lk][x];
                }
                let enc_only = c.a.enc != 0 && c.a.stack == 0;
                if enc_only {
                    out -= byenc[k];
                    outl -= byencl[lk];
                }
                let mut remove = |d: &Cand, m: f64| {
                    let already =
                        (x.is_some() && inner_index(&d.a) == x) || (enc_only && d.a.enc != 0);
                    if already {
                        return;
                    }
                    if d.key as usize == k {
                        out -= m;
                    }
                    if lemma_of[d.key as usize] as usize == lk {
                        outl -= m;
                    }
                };
                remove(&cur, wt[w]);
                for (w2, _, _, d) in &famd {
                    remove(d, wt[*w2]);
                }
                let s = b.sum(&c.a)
                    + (out.max(0.0) + opts.lemma_weight * outl.max(0.0) + opts.delta).ln();
                if best.is_none_or(|(bs, _)| s >= bs) {
                    best = Some((s, i));
                }
            }
            let Some((sbest, ibest)) = best else {
                next[w] = unsplit_at[w].unwrap_or(0);
                continue;
            };
            next[w] = ibest as u32;
            if let (Some(ui), Some(wk)) = (unsplit_at[w], word_key[w]) {
                let a = cs[ibest].a;
                let split_article = STACKS[a.stack as usize].has_article();
                let mut diag = 0.0;
                for &(w2, ps, e, d) in &famd {
                    if d.key != wk {
                        continue;
                    }
                    let ps = ps as usize;
                    let mut ok = true;
                    if ps != 0 && !combos[ps][a.stack as usize] {
                        ok = false;
                    }
                    if e != 0 && (a.enc != 0 || split_article) {
                        ok = false;
                    }
                    if ps != 0 && STACKS[ps].has_article() && a.enc != 0 {
                        ok = false;
                    }
                    if !ok {
                        diag += wt[w2];
                    }
                }
                let wk = wk as usize;
                let lw = lemma_of[wk];
                let mut sib = totl[lw as usize] - tot[wk];
                if cur.key as usize != wk && lemma_of[cur.key as usize] == lw {
                    sib -= wt[w];
                }
                for &(w2, _, _, d) in &famd {
                    if d.key as usize != wk && lemma_of[d.key as usize] == lw {
                        sib -= wt[w2];
                    }
                }
                let su = b.unsplit + (diag + opts.sibling_weight * sib.max(0.0) + opts.delta).ln();
                if su >= sbest {
                    next[w] = ui;
                }
            }
            if next[w] != decision[w] {
                changed += 1;
            }
        }
        std::mem::swap(&mut decision, &mut next);
        changed_log.push(changed);
        if changed == 0 {
            break;
        }
    }
    masses(
        &decision,
        &mut tot,
        &mut totl,
        &mut byin,
        &mut byinl,
        &mut byenc,
        &mut byencl,
    );

    // Context log-odds from the decisions of words seen at least twice.
    let mut pre: HashMap<u64, [f64; 2]> = HashMap::new();
    let mut suf: HashMap<u64, [f64; 2]> = HashMap::new();
    for (w, &(word, count)) in words.iter().enumerate() {
        let cs = cands_of(w);
        if count < 2 || cs.len() < 2 {
            continue;
        }
        let d = cs[decision[w] as usize].a;
        let dst = STACKS[d.stack as usize].surface;
        if let Some(first) = word.chars().next()
            && letter_index(first).is_some()
        {
            let mut b4 = [0u8; 4];
            let x = first.encode_utf8(&mut b4);
            let k = ctx_key(x, 0, after_first(word));
            pre.entry(k).or_default()[usize::from(dst.starts_with(&*x))] += 1.0;
        }
        let n_chars = word.chars().count();
        for (ei, e) in ENCLITICS.iter().enumerate() {
            if word.ends_with(e) && n_chars > e.chars().count() + 1 {
                let k = ctx_key(e, 1, before_suffix(word, e.len()));
                suf.entry(k).or_default()[usize::from(d.enc as usize == ei + 1)] += 1.0;
            }
        }
    }
    // Tables keep 48 bits of each key: drop the (astronomically rare) later keys
    // whose fingerprint repeats an earlier one's.
    fn unique_fingerprints<V>(v: &mut Vec<(u64, V)>) {
        let mut seen = std::collections::HashSet::new();
        v.retain(|(k, _)| seen.insert(fingerprint(*k)));
    }
    let logodds = |m: HashMap<u64, [f64; 2]>| -> Vec<(u64, i8)> {
        let mut v: Vec<(u64, i8)> = m
            .into_iter()
            .map(|(k, [no, yes])| (k, quantize_logodds(((yes + 0.5) / (no + 0.5)).ln())))
            .collect();
        v.sort_unstable();
        unique_fingerprints(&mut v);
        v
    };
    let mut stems: Vec<(u64, u8)> = (0..n_keys)
        .filter(|&k| tot[k] > 0.0)
        .map(|k| (key_of(key_str[k].as_bytes()), quantize_mass(tot[k])))
        .filter(|x| x.1 > 0)
        .collect();
    stems.sort_unstable();
    unique_fingerprints(&mut stems);
    let mut lemmas: Vec<(u64, u8)> = (0..n_lemmas)
        .filter(|&l| totl[l] > 0.0)
        .map(|l| (key_of(lemma_str[l].as_bytes()), quantize_mass(totl[l])))
        .filter(|x| x.1 > 0)
        .collect();
    lemmas.sort_unstable();
    unique_fingerprints(&mut lemmas);
    let params = Params {
        gamma: opts.gamma,
        eps: opts.eps,
        lam: opts.lemma_weight,
        art_bias: opts.biases.article,
    };
    let mut data = ModelData {
        params,
        words: Vec::new(),
        stems,
        lemmas,
        prefix_ctx: logodds(pre),
        suffix_ctx: logodds(suf),
        manifest: String::new(),
    };

    // Which decisions to store.
    let unknown_rule = data.build();
    // The most frequent words also go to the small table that stays in cache.
    let mut by_count: Vec<usize> = (0..n).filter(|&w| may_have_clitic(words[w].0)).collect();
    by_count.sort_by(|&a, &b| words[b].1.cmp(&words[a].1).then(words[a].0.cmp(words[b].0)));
    let mut hot = vec![false; n];
    for &w in by_count.iter().take(opts.hot_words) {
        hot[w] = true;
    }
    let mut stored: Vec<(u64, u16)> = Vec::new();
    let mut split_types = 0usize;
    for (w, &(word, count)) in words.iter().enumerate() {
        let a = cands_of(w)[decision[w] as usize].a;
        if !a.is_unsplit() {
            split_types += 1;
        }
        if !may_have_clitic(word) {
            continue;
        }
        if hot[w] {
            stored.push((key_of(word.as_bytes()), a.code() | HOT_WORD));
        } else if count >= opts.min_count || unknown_rule.analyze_unknown(word, &mut scratch) != a {
            stored.push((key_of(word.as_bytes()), a.code()));
        }
    }
    stored.sort_unstable();
    unique_fingerprints(&mut stored);
    data.words = stored;

    let report = TrainReport {
        documents: vocab.documents,
        tokens: vocab.tokens,
        types: n,
        ambiguous,
        changed: changed_log,
        stored_words: data.words.len(),
        stems: data.stems.len(),
        lemmas: data.lemmas.len(),
        split_types,
    };
    data.manifest = format!(
        "khabar clitic model, format {fmt}\ncorpus: {corpus}\ndocuments: {docs}\ntokens: {toks}\ntypes: {types}\nstored words: {stored}\nstems: {stems}\nlemma keys: {lemmas}\nrounds (decisions changed): {changed:?}\noptions: {opts:?}\n",
        fmt = super::model::FORMAT_VERSION,
        corpus = opts.corpus,
        docs = report.documents,
        toks = report.tokens,
        types = report.types,
        stored = report.stored_words,
        stems = report.stems,
        lemmas = report.lemmas,
        changed = report.changed,
        opts = TrainOptions {
            corpus: String::new(),
            ..opts.clone()
        },
    );
    Trained {
        bytes: data.to_bytes(),
        report,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CliticSegmenter;

    fn seg(s: &CliticSegmenter, w: &str) -> String {
        let mut v = Vec::new();
        s.segment(w, &mut v);
        v.iter()
            .map(|p| p.restored.unwrap_or(&w[p.start as usize..p.end as usize]))
            .collect::<Vec<_>>()
            .join("+")
    }

    #[test]
    fn learns_from_a_toy_corpus_deterministically() {
        let text = "قال الوزير إن الحكومة وافقت. وقال وزير آخر للحكومة وبالحكومة. \
                    وزير الخارجية وحكومته قالت. وزير الدفاع. الكتاب كتاب وكتابه. بوتين ولبوتين وبوتين. \
                    قال الرئيس ثم قال الوزير وقد قال إنه قال ما قال.";
        let mut v = Vocabulary::new();
        for _ in 0..3 {
            v.add_document(None, text);
        }
        let opts = TrainOptions {
            min_count: 1,
            ..TrainOptions::default()
        };
        let a = train(&v, &opts);
        let b = train(&v, &opts);
        assert_eq!(a.bytes, b.bytes, "training is deterministic");
        let s = CliticSegmenter::from_bytes(&a.bytes).unwrap();
        assert_eq!(seg(&s, "وقال"), "و+قال");
        assert_eq!(seg(&s, "وزير"), "وزير");
        assert_eq!(seg(&s, "للحكومة"), "ل+ال+حكومة");
        assert_eq!(seg(&s, "حكومته"), "حكومت+ه");
        assert_eq!(seg(&s, "بوتين"), "بوتين");
        assert!(s.manifest().contains("documents: 3"));
    }

    #[test]
    fn a_stem_seen_after_the_article_keeps_its_alef_lam() {
        let mut v = Vocabulary::new();
        for _ in 0..10 {
            v.add_document(None, "الالتزام بالالتزام والالتزام التزام الكتاب كتاب للكتاب");
        }
        let t = train(&v, &TrainOptions::default());
        let s = CliticSegmenter::from_bytes(&t.bytes).unwrap();
        assert_eq!(seg(&s, "التزام"), "التزام");
        assert_eq!(seg(&s, "والالتزام"), "و+ال+التزام");
        assert_eq!(seg(&s, "الكتاب"), "ال+كتاب");
    }

    #[test]
    fn hamza_spelling_is_recorded() {
        let mut v = Vocabulary::new();
        v.add_text("إلغاء الإلغاء");
        assert_eq!(v.hamza_rate("الغاء", 0), Some(1.0));
        assert_eq!(v.hamza_rate("الالغاء", 2), Some(1.0));
        assert_eq!(v.hamza_rate("الالغاء", 0), Some(0.0));
        assert_eq!(v.count("الغاء"), 1);
    }
}
