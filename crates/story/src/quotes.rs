//! Quotes and attribution: who said what, in their words or reported.
//!
//! Arabic news reports speech in a few fixed shapes, and this module reads
//! exactly those, token by token, with no model:
//!
//! - a speech cue (قال، أضاف، تابع، أكد، أشار …, with their clitic, gender,
//!   number and tense forms, see `data/speech-cues.ar.txt`), an optional
//!   subject, optional prepositional phrases («في بيان», «لرويترز»,
//!   «خلال مؤتمر صحفي»), then the content: an أن/إن clause (indirect), a
//!   colon, or text in quote marks (direct) — «…», “…”, "…", and the reversed
//!   ”…“ outlets often type;
//! - a participle after a main clause: «…، مضيفا أن …», «قائلا: "…"»;
//! - «نقلت وكالة … عن X قوله "…"»: the speaker is X, the agency the channel;
//! - «بحسب X، فإن …»: a statement attributed to X.
//!
//! The speaker is the subject after the cue («قال الرئيس الروسي»), or before it
//! («عكاشة، الذي قال إنه …», «إلا أن بوتين أكد أن …»), or, when the cue has no
//! subject («وأضاف», «وتابع»), the speaker of the previous quote. «بحسب ما
//! أفاد الكرملين» between cue and content names the channel, not the speaker.
//! Speakers that are entities take the caller's [`Mention`] span and key;
//! title phrases («الرئيس الروسي», «مصادر أمنية») work without any, and a later
//! shorter phrase («الرئيس الروسي» after «الرئيس الروسي فلاديمير بوتين»)
//! shares the key of the earlier one.

use crate::Mention;
use crate::lexicon::{CueKind, speech_cue};
use crate::terms::Prepared;
use khabar_core::{Span, TokenKind};
use serde::Serialize;

/// A quote: what was said, by whom, introduced how.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Quote {
    /// The speaker as written (an entity or a title phrase); for a cue without a
    /// subject, where the speaker was last named. `None` if nobody could be found.
    pub speaker: Option<Span>,
    /// Canonical key of the speaker: the mention's key for entities, else the
    /// normalized phrase, shared with an earlier longer phrase it is part of.
    pub speaker_key: Option<String>,
    /// The mention label (`PER`, `ORG` …) when the speaker is an entity.
    pub speaker_label: Option<String>,
    /// True when the speaker was carried over from the previous quote («وأضاف»).
    pub speaker_inherited: bool,
    /// The cue word as written («وأضاف»).
    pub cue: Span,
    /// The cue's lemma, search-normalized («اضاف»).
    pub cue_lemma: &'static str,
    /// What was said: inside the quote marks for direct quotes, the أن/إن clause for
    /// indirect ones.
    pub content: Span,
    /// True for the speaker's own words (quote marks), false for reported speech.
    pub direct: bool,
    /// Who passed the statement on («بحسب ما أفاد الكرملين», «نقلت وكالة …»).
    pub channel: Option<Span>,
}

/// Finds quotes in a prepared document. Stateless; share it freely.
#[derive(Clone, Debug)]
pub struct QuoteExtractor {
    /// Most tokens a subject noun phrase may have.
    pub max_subject_tokens: usize,
    /// Most tokens allowed between the cue and the start of the content.
    pub max_gap_tokens: usize,
}

impl Default for QuoteExtractor {
    fn default() -> Self {
        QuoteExtractor {
            max_subject_tokens: 8,
            max_gap_tokens: 24,
        }
    }
}

/// Complementizers that open an indirect-speech clause (search-normalized).
const COMPLEMENTIZERS: &[&str] = &[
    "ان",
    "انه",
    "انها",
    "انهم",
    "انهن",
    "انهما",
    "اننا",
    "انني",
    "اني",
    "انكم",
    "بان",
    "بانه",
    "بانها",
    "بانهم",
    "بانهما",
    "فان",
    "فانه",
    "فانها",
    "فانهم",
];

/// Prepositions that may open a phrase between cue and content («في بيان», «عبر تويتر»).
const PHRASE_PREPOSITIONS: &[&str] = &[
    "في",
    "خلال",
    "عبر",
    "امام",
    "لدي",
    "مع",
    "اثناء",
    "بعد",
    "قبل",
    "منذ",
    "عقب",
    "ل",
    "من",
    "عن",
];

/// Words whose أن is theirs, not the cue's («يمكن أن», «قبل أن», «من المقرر أن»).
const MODALS: &[&str] = &[
    "يمكن",
    "يجب",
    "ينبغي",
    "يمكنه",
    "يمكنها",
    "يجب",
    "بعد",
    "قبل",
    "منذ",
    "دون",
    "حتي",
    "بد",
    "المقرر",
    "المتوقع",
    "المفترض",
    "المرجح",
    "الممكن",
    "اجل",
    "مجرد",
    "عسي",
    "يريد",
    "تريد",
    "يحاول",
    "تحاول",
    "امل",
    "امله",
    "املها",
];

/// Title words that head a speaker phrase without «ال» («رئيس الوزراء», «وزير الخارجية»).
const TITLE_WORDS: &[&str] = &[
    "رئيس",
    "رئيسه",
    "وزير",
    "وزيره",
    "متحدث",
    "متحدثه",
    "ناطق",
    "ناطقه",
    "مسؤول",
    "مسؤوله",
    "سفير",
    "قائد",
    "مدير",
    "مديره",
    "زعيم",
    "زعيمه",
    "مستشار",
    "نائب",
    "امين",
    "عضو",
    "محافظ",
    "مراسل",
    "مراسله",
    "مبعوث",
    "ممثل",
    "سكرتير",
    "قاضي",
    "حاكم",
    "ملك",
    "امير",
    "ولي",
];

/// Words that end a subject noun phrase.
const NP_STOPS: &[&str] = &[
    "في",
    "خلال",
    "عبر",
    "علي",
    "الي",
    "عن",
    "امام",
    "بعد",
    "قبل",
    "اثناء",
    "حول",
    "من",
    "مع",
    "منذ",
    "عقب",
    "الذي",
    "التي",
    "الذين",
    "قد",
    "كان",
    "كانت",
    "كانوا",
    "ايضا",
    "كما",
    "و",
    "ان",
    "لكن",
    "ثم",
    "او",
    "اليوم",
    "امس",
    "الاثنين",
    "الثلاثاء",
    "الاربعاء",
    "الخميس",
    "الجمعه",
    "السبت",
    "الاحد",
    "صباح",
    "مساء",
    "ظهر",
    "الليله",
    "مساء",
    "اول",
    "يوم",
    "ل",
    "ب",
    "بينما",
    "فيما",
    "حيث",
    "لان",
    "هذا",
    "هذه",
    "ذلك",
    "تلك",
    "ما",
    "لا",
    "لم",
    "لن",
    "حسب",
    "بحسب",
    "وفق",
    "وفقا",
    "نقلا",
    "الا",
];

/// Time words that may sit between cue and content («قال، الثلاثاء، إن»).
const TIME_WORDS: &[&str] = &[
    "اليوم",
    "امس",
    "الاثنين",
    "الثلاثاء",
    "الاربعاء",
    "الخميس",
    "الجمعه",
    "السبت",
    "الاحد",
    "صباح",
    "مساء",
    "ظهر",
    "الليله",
    "ايضا",
    "مجددا",
    "سابقا",
    "لاحقا",
    "كذلك",
    "بدوره",
    "بدورها",
    "اخيرا",
    "مؤخرا",
];

/// Heads after which a short quoted name belongs to the noun phrase
/// («وكالة "تسنيم" للأنباء», «شبكة "سي بي إس"»).
const NAME_HEADS: &[&str] = &[
    "وكاله",
    "شبكه",
    "قناه",
    "صحيفه",
    "موقع",
    "برنامج",
    "حزب",
    "تنظيم",
    "جماعه",
    "فصيل",
    "حركه",
    "مجله",
    "اذاعه",
    "هيئه",
    "منظمه",
    "شركه",
    "جمعيه",
    "تحالف",
    "ائتلاف",
    "مركز",
    "انباء",
    "صحيفتا",
    "قناتا",
];

/// Discourse openers skipped when looking for a sentence's main verb («إلى ذلك،», «من جهته،»).
const OPENERS: &[&str] = &[
    "الي",
    "ذلك",
    "من",
    "جهته",
    "جهتها",
    "جانبه",
    "جانبها",
    "جهتهم",
    "ناحيته",
    "ناحيتها",
    "في",
    "المقابل",
    "بالمقابل",
    "هذا",
    "السياق",
    "كما",
    "لكن",
    "ولكن",
    "اخري",
    "ناحيه",
    "جهه",
    "ثم",
    "بدوره",
    "بدورها",
];

fn is_complementizer(core: &str) -> bool {
    COMPLEMENTIZERS.contains(&core)
}

/// A quote mark token: `Some(true)` for «, `Some(false)` for », `None` for
/// symmetric marks (" “ ” …), absent for other tokens.
fn quote_mark(surface: &str) -> Option<Option<bool>> {
    match surface {
        "«" => Some(Some(true)),
        "»" => Some(Some(false)),
        "\"" | "“" | "”" | "„" | "‟" | "″" | "＂" => Some(None),
        _ => None,
    }
}

/// What follows a cue: where the content starts and how the cue is attached.
struct Opening {
    /// First token of the content (after أن/إن or a colon), or the opening quote mark.
    content_start: usize,
    subject: Option<(usize, usize)>,
    channel: Option<(usize, usize)>,
}

struct Scanner<'a, 'p> {
    /// `(phrase, key)` of every speaker phrase seen so far, for «الرئيس الروسي» → «بوتين».
    aliases: std::cell::RefCell<Vec<(String, String)>>,
    doc: &'a Prepared<'p>,
    mentions: &'a [Mention],
    opts: &'a QuoteExtractor,
    /// For each token that opens a quote pair, the index of the closing token.
    pair_close: Vec<Option<usize>>,
    /// For each token that closes a quote pair, the index of the opening token.
    pair_open: Vec<Option<usize>>,
    /// Sentence bounds per token: (first token, end token).
    sentence: Vec<(usize, usize)>,
}

impl QuoteExtractor {
    /// Quotes in `doc`, in text order. `mentions` are entity mentions of the same text
    /// (any order; may be empty).
    pub fn extract(&self, doc: &Prepared, mentions: &[Mention]) -> Vec<Quote> {
        let sc = Scanner::new(doc, mentions, self);
        sc.run()
    }
}

impl<'a, 'p> Scanner<'a, 'p> {
    fn new(doc: &'a Prepared<'p>, mentions: &'a [Mention], opts: &'a QuoteExtractor) -> Self {
        let a = &doc.analysis;
        let n = a.tokens.len();
        let mut pair_close = vec![None; n];
        let mut pair_open = vec![None; n];
        // Pair quote marks within each paragraph: « » by direction, the others by toggling.
        let mut angle: Vec<usize> = Vec::new();
        let mut sym: Option<usize> = None;
        let mut para = u32::MAX;
        for (i, t) in a.tokens.iter().enumerate() {
            if doc.views[i].paragraph != para {
                para = doc.views[i].paragraph;
                angle.clear();
                sym = None;
            }
            if t.kind != TokenKind::Punct {
                continue;
            }
            match quote_mark(t.span.slice(doc.text)) {
                Some(Some(true)) => angle.push(i),
                Some(Some(false)) => {
                    if let Some(o) = angle.pop() {
                        pair_close[o] = Some(i);
                        pair_open[i] = Some(o);
                    }
                }
                Some(None) => match sym.take() {
                    Some(o) => {
                        pair_close[o] = Some(i);
                        pair_open[i] = Some(o);
                    }
                    None => sym = Some(i),
                },
                _ => {}
            }
        }
        let mut sentence = vec![(0, 0); n];
        for s in &a.sentences {
            for x in &mut sentence[s.first_token as usize..s.end_token as usize] {
                *x = (s.first_token as usize, s.end_token as usize);
            }
        }
        Scanner {
            aliases: std::cell::RefCell::new(Vec::new()),
            doc,
            mentions,
            opts,
            pair_close,
            pair_open,
            sentence,
        }
    }

    fn n(&self) -> usize {
        self.doc.analysis.tokens.len()
    }

    fn core(&self, i: usize) -> &str {
        &self.doc.views[i].core
    }

    fn kind(&self, i: usize) -> TokenKind {
        self.doc.analysis.tokens[i].kind
    }

    fn span(&self, i: usize) -> Span {
        self.doc.analysis.tokens[i].span
    }

    fn surface(&self, i: usize) -> &str {
        self.span(i).slice(self.doc.text)
    }

    fn is_word(&self, i: usize) -> bool {
        matches!(
            self.kind(i),
            TokenKind::Word | TokenKind::Foreign | TokenKind::Hashtag | TokenKind::Number
        )
    }

    fn is_comma(&self, i: usize) -> bool {
        self.kind(i) == TokenKind::Punct && matches!(self.core(i), "," | "؛" | ";" | "-")
    }

    fn is_colon(&self, i: usize) -> bool {
        self.kind(i) == TokenKind::Punct && self.core(i) == ":"
    }

    fn is_terminator(&self, i: usize) -> bool {
        self.kind(i) == TokenKind::Punct
            && self
                .surface(i)
                .chars()
                .all(khabar_core::chars::is_terminator)
    }

    fn same_paragraph(&self, a: usize, b: usize) -> bool {
        self.doc.views[a].paragraph == self.doc.views[b].paragraph
    }

    fn cue(&self, i: usize) -> Option<crate::lexicon::Cue> {
        if self.kind(i) != TokenKind::Word {
            return None;
        }
        let c = speech_cue(self.core(i))?;
        // «يذكر أن» is the journalist's «it is worth noting that», not speech; a negated
        // verb («لم تذكر أسماءهم») reports nothing.
        if self.core(i) == "يذكر" || (i > 0 && matches!(self.core(i - 1), "لم" | "لا" | "لن"))
        {
            return None;
        }
        Some(c)
    }

    /// Does the token carry a leading conjunction («وأضاف», «فقال»)?
    fn has_conjunction(&self, i: usize) -> bool {
        let norm = self.doc.analysis.norm(&self.doc.analysis.tokens[i]);
        norm.len() > self.core(i).len()
    }

    /// A word with a leading preposition the segmenter left on («لرويترز», «بتويتر»).
    fn has_preposition(&self, i: usize) -> bool {
        let core = self.core(i);
        if self.kind(i) != TokenKind::Word
            || !core.starts_with(['ل', 'ب'])
            || matches!(core, "باسم" | "لدي" | "بين" | "بعد")
        {
            return false;
        }
        let a = &self.doc.analysis;
        let by_segmenter = a.segments_of(&a.tokens[i]).iter().any(|s| {
            s.kind == khabar_core::SegmentKind::Proclitic && matches!(a.form(s), "ب" | "ل" | "ك")
        });
        by_segmenter || {
            let bare = crate::terms::strip_leading_clitics(
                core,
                crate::lexicon::DocFreq::builtin(),
                false,
            );
            bare.len() < core.len()
        }
    }

    fn mention_at(&self, i: usize) -> Option<&'a Mention> {
        let s = self.span(i);
        self.mentions
            .iter()
            .filter(|m| m.span.start < s.end && s.start < m.span.end)
            .max_by_key(|m| (m.span.len(), std::cmp::Reverse(m.span.start)))
    }

    fn run(&self) -> Vec<Quote> {
        let n = self.n();
        let mut quotes: Vec<Quote> = Vec::new();
        // Token index up to which tokens belong to an earlier quote's content.
        let mut covered_until = 0usize;
        let mut used_pairs = vec![false; n];
        let mut i = 0usize;
        while i < n {
            if i < covered_until && !self.starts_new_clause(i) {
                i += 1;
                continue;
            }
            let Some(cue) = self.cue(i) else {
                i += 1;
                continue;
            };
            let found = match cue.kind {
                CueKind::Verb => self.verb(i, cue.lemma),
                CueKind::Participle => self.participle(i),
                CueKind::Masdar => self.masdar(i),
                CueKind::Attribution => self.attribution(i),
            };
            let Some(open) = found else {
                // Postposed attribution: «"…"، قال بوتين».
                if cue.kind == CueKind::Verb
                    && let Some(q) = self.postposed(i, cue.lemma, &quotes, &used_pairs)
                {
                    let close = self.token_at_or_after(q.content.end);
                    if let Some(o) = self.pair_open[close] {
                        used_pairs[o] = true;
                    }
                    quotes.push(q);
                }
                i += 1;
                continue;
            };
            let (content, direct, end_tok, channel2) =
                self.content(open.content_start, &mut used_pairs);
            if content.is_empty() {
                i += 1;
                continue;
            }
            let channel = open
                .channel
                .or(channel2)
                .map(|(a, b)| self.tokens_span(a, b));
            let (speaker, inherited) = self.speaker(i, cue.kind, &open, &quotes);
            quotes.push(self.make_quote(
                i, cue.lemma, speaker, inherited, content, direct, channel, &quotes,
            ));
            covered_until = covered_until.max(end_tok);
            i += 1;
        }
        quotes.sort_by_key(|q| (q.content.start, q.cue.start));
        quotes
    }

    fn token_at_or_after(&self, offset: u32) -> usize {
        let toks = &self.doc.analysis.tokens;
        toks.partition_point(|t| t.span.start < offset)
            .min(toks.len().saturating_sub(1))
    }

    /// A cue inside an earlier quote's content starts a new quote only when it opens a
    /// new clause: after a comma, with a conjunction, or as a participle.
    fn starts_new_clause(&self, i: usize) -> bool {
        let Some(c) = self.cue(i) else { return false };
        c.kind == CueKind::Participle
            || self.has_conjunction(i)
            || (i > 0
                && (self.is_comma(i - 1)
                    || self.is_terminator(i - 1)
                    || matches!(
                        self.core(i - 1),
                        "لكن" | "لكنه" | "لكنها" | "لكنهم" | "ثم" | "كما" | "بينما" | "فيما"
                    )))
    }

    fn tokens_span(&self, a: usize, b: usize) -> Span {
        Span::new(self.span(a).start, self.span(b - 1).end)
    }

    /// A finite-verb cue: «قال [subject] [phrases] إن/: /"…"».
    fn verb(&self, i: usize, lemma: &str) -> Option<Opening> {
        let (_, mut s_end) = self.sentence[i];
        let n = self.n();
        let mut j = i + 1;
        let mut subject = None;
        let mut channel = None;
        if lemma == "جاء" || lemma == "ورد" {
            // «وجاء في البيان أن …»: the speaker is what follows «في».
            if j >= n || self.core(j) != "في" {
                return None;
            }
            let np = self.noun_phrase(j + 1)?;
            subject = Some(np);
            j = np.1;
        } else if lemma == "نقل" {
            // «نقلت الوكالة عن X أن …»: the agency is the channel, X the speaker.
            let ch = self.noun_phrase(j)?;
            let mut k = ch.1;
            while k < n && self.is_comma(k) {
                k += 1;
            }
            if k >= n || self.core(k) != "عن" {
                return None;
            }
            let sp = self.noun_phrase(k + 1)?;
            channel = Some(ch);
            subject = Some(sp);
            j = sp.1;
        } else if j < n && self.starts_subject(j) {
            subject = self.noun_phrase(j);
            if let Some(np) = subject {
                j = np.1;
                s_end = s_end.max(self.sentence[np.1 - 1].1);
            }
        }
        let limit = (i + 1 + self.opts.max_gap_tokens).min(n);
        let mut appositive: Option<(usize, usize)> = None;
        let mut after_comma = false;
        let done = |content_start: usize,
                    subject: Option<(usize, usize)>,
                    appositive: Option<(usize, usize)>,
                    channel| {
            Some(Opening {
                content_start,
                subject: self.prefer_name(subject, appositive),
                channel,
            })
        };
        while j < limit {
            if !self.same_paragraph(i, j) {
                return None;
            }
            let core = self.core(j);
            if self.kind(j) == TokenKind::Word && is_complementizer(core) {
                // «يمكن أن», «بعد أن»: the أن of a modal or a preposition, not of the cue.
                if j > 0 && MODALS.contains(&self.core(j - 1)) {
                    return None;
                }
                return done(j + 1, subject, appositive, channel);
            }
            if matches!(core, "الي" | "علي" | "عن" | "من")
                && j + 1 < n
                && is_complementizer(self.core(j + 1))
            {
                return done(j + 2, subject, appositive, channel);
            }
            if self.is_colon(j) {
                let mut c = j + 1;
                if c < n && is_complementizer(self.core(c)) {
                    c += 1;
                }
                return done(c, subject, appositive, channel);
            }
            if let Some(close) = self.pair_close[j] {
                // «دعا إلى "…"», «اعتبر X "…"»: a quoted object, not speech.
                if lemma == "دعا" || !self.is_speech_quote(j, close) {
                    return None;
                }
                return done(j, subject, appositive, channel);
            }
            if j >= s_end || self.is_terminator(j) {
                return None;
            }
            if self.kind(j) == TokenKind::Punct {
                let p = self.surface(j);
                if matches!(p, "(" | "[") {
                    // Parenthetical: skip to its closing bracket.
                    let close = if p == "(" { ")" } else { "]" };
                    j = (j + 1..limit.min(s_end))
                        .find(|&k| self.surface(k) == close)
                        .map_or(limit, |k| k + 1);
                    continue;
                }
                if matches!(p, "-" | "–" | "—") && subject.is_some() {
                    // «قال نتنياهو - الذي كان يتحدث … - إن»
                    if let Some(k) = (j + 1..limit.min(s_end))
                        .find(|&k| matches!(self.surface(k), "-" | "–" | "—"))
                    {
                        j = k + 1;
                        continue;
                    }
                }
                after_comma = self.is_comma(j);
                j += 1;
                continue;
            }
            if matches!(core, "بحسب" | "حسب" | "وفق" | "وفقا" | "حسبما" | "نقلا")
            {
                let (ch, next) = self.channel_phrase(j)?;
                if core == "نقلا" && subject.is_some() {
                    // «أفادت الوكالة نقلا عن بيان للوزارة أن»: the agency relays.
                    channel = subject;
                    subject = Some(ch);
                    appositive = None;
                } else {
                    channel = Some(ch);
                }
                j = next;
                continue;
            }
            if self.cue(j).is_some() {
                return None;
            }
            if TIME_WORDS.contains(&core) || self.kind(j) == TokenKind::Number {
                j += 1;
                continue;
            }
            if PHRASE_PREPOSITIONS.contains(&core)
                || self.has_preposition(j)
                || matches!(
                    core,
                    "الذي" | "التي" | "الذين" | "هو" | "هي" | "وهو" | "وهي"
                )
            {
                j = self.skip_phrase(j + 1, limit);
                continue;
            }
            if core == "علي" && j + 1 < n && is_platform(self.core(j + 1)) {
                j = self.skip_phrase(j + 1, limit);
                continue;
            }
            if subject.is_some() && after_comma && appositive.is_none() {
                // «قال داياسيري جاياسيكارا، المتحدث باسم الحكومة، …»
                let np = self.noun_phrase(j);
                appositive = np;
                j = np.map_or(j + 1, |np| np.1);
                continue;
            }
            return None;
        }
        None
    }

    /// Is the quoted span `open..=close` reached by scanning from a cue the speech itself?
    /// Short quoted words followed by more text are terms («جبهة "الملاحيظ" بمديرية»), and
    /// a quote that starts with a preposition is an object («اعترف "بالهجوم …"»).
    fn is_speech_quote(&self, open: usize, close: usize) -> bool {
        let words = (open + 1..close).filter(|&k| self.is_word(k)).count();
        if words == 0 || (open + 1 < close && self.has_preposition(open + 1)) {
            return false;
        }
        let ends_clause = close + 1 >= self.n()
            || !self.same_paragraph(open, close + 1)
            || self.is_terminator(close + 1)
            || self.is_comma(close + 1);
        words >= 3 || ends_clause
    }

    /// A title phrase with a name in apposition: the name is the speaker
    /// («رئيس الوزراء الإسرائيلي، بنيامين نتنياهو، إن» → «بنيامين نتنياهو»).
    fn prefer_name(
        &self,
        subject: Option<(usize, usize)>,
        appositive: Option<(usize, usize)>,
    ) -> Option<(usize, usize)> {
        match (subject, appositive) {
            (Some(s), Some(a))
                if self.looks_like_title(s.0) && !self.core(a.0).starts_with("ال") =>
            {
                Some(a)
            }
            _ => subject,
        }
    }

    /// Where a person's name starts when the tagger marked only its end: in an
    /// appositive set off by a comma («مستشار مجلس الأمن، مسرور البارزاني، قال») one or
    /// two bare words before the tagged family name belong to the name. Titles,
    /// definite nouns, stop words, cues and other entities never do, and without the
    /// comma (or the sentence start) in front nothing is added, so «مراسل بي بي سي
    /// جيمس روبينز» keeps its title out of the name. Returns `st` when nothing applies.
    fn appositive_name_start(&self, st: usize, floor: usize) -> usize {
        let mut j = st;
        while j > floor && st - j < 2 {
            let t = j - 1;
            let c = self.core(t);
            if !self.is_word(t)
                || self.kind(t) != TokenKind::Word
                || self.looks_like_title(t)
                || crate::lexicon::is_stop_word(c)
                || is_complementizer(c)
                || self.cue(t).is_some()
                || self.has_conjunction(t)
                || self.mention_at(t).is_some()
            {
                break;
            }
            j -= 1;
        }
        if j < st && (j == floor || self.is_comma(j - 1)) {
            j
        } else {
            st
        }
    }

    /// Does the phrase at `i` start with a definite noun or a title word?
    fn looks_like_title(&self, i: usize) -> bool {
        let c = self.core(i);
        c.starts_with("ال") || TITLE_WORDS.contains(&c)
    }

    /// Skips a prepositional phrase's words up to the next comma, complementizer,
    /// quote mark, colon, cue or sentence end.
    fn skip_phrase(&self, mut j: usize, limit: usize) -> usize {
        while j < limit {
            if self.kind(j) == TokenKind::Punct && matches!(self.surface(j), "/" | "(" | ")") {
                j += 1;
                continue;
            }
            if self.kind(j) == TokenKind::Punct {
                // A short quoted name inside the phrase («لصحيفة "لوبرزيان"») is skipped.
                if let Some(c) = self.pair_close[j]
                    && j > 0
                    && NAME_HEADS.contains(&strip_al(self.core(j - 1)))
                    && c - j <= 8
                {
                    j = c + 1;
                    continue;
                }
                return j;
            }
            let core = self.core(j);
            if is_complementizer(core)
                || self.cue(j).is_some()
                || matches!(core, "بحسب" | "حسب" | "وفق" | "وفقا" | "حسبما" | "نقلا")
            {
                return j;
            }
            j += 1;
        }
        j
    }

    /// Can a subject noun phrase start at `j`?
    fn starts_subject(&self, j: usize) -> bool {
        if !self.is_word(j) || self.kind(j) == TokenKind::Number {
            return false;
        }
        let core = self.core(j);
        !(NP_STOPS.contains(&core)
            || crate::lexicon::is_stop_word(core)
            || TIME_WORDS.contains(&core)
            || is_complementizer(core)
            || self.cue(j).is_some()
            || self.has_preposition(j))
            || self.mention_at(j).is_some()
    }

    /// The noun phrase starting at `j`: `(start, end)` token range.
    fn noun_phrase(&self, j: usize) -> Option<(usize, usize)> {
        let n = self.n();
        if j >= n || !self.starts_subject(j) {
            return None;
        }
        let (_, mut s_end) = self.sentence[j];
        let mut k = j;
        // Tokens of quoted names do not count against the length limit.
        let mut quoted = 0usize;
        while k < n && k < s_end && k - j < self.opts.max_subject_tokens + quoted {
            if let Some(m) = self.mention_at(k) {
                // Take the whole mention.
                while k < n && self.span(k).start < m.span.end {
                    k += 1;
                }
                continue;
            }
            if self.kind(k) == TokenKind::Punct {
                if let Some(c) = self.pair_close[k]
                    && k > j
                    && NAME_HEADS.contains(&strip_al(self.core(k - 1)))
                    && c - k <= 8
                {
                    // Initials inside the name («"سي.بي.إس نيوز"») may have ended a sentence.
                    quoted += c + 1 - k;
                    k = c + 1;
                    s_end = s_end.max(self.sentence[c].1);
                    continue;
                }
                break;
            }
            let core = self.core(k);
            if k > j
                && (NP_STOPS.contains(&core)
                    || TIME_WORDS.contains(&core)
                    || is_complementizer(core)
                    || self.cue(k).is_some()
                    || (self.has_preposition(k) && !core.starts_with("لل")))
            {
                break;
            }
            if k > j && self.kind(k) == TokenKind::Number {
                // «البالغ 19 عاما» keeps its number; a bare date does not.
                if !(k + 1 < n && self.is_word(k + 1) && self.kind(k + 1) != TokenKind::Number) {
                    break;
                }
            }
            k += 1;
        }
        (k > j).then_some((j, k))
    }

    /// «بحسب ما أفاد X» / «وفق X» / «نقلا عن X»: the channel X and the token after it.
    fn channel_phrase(&self, j: usize) -> Option<((usize, usize), usize)> {
        let n = self.n();
        let mut k = j + 1;
        if k < n && matches!(self.core(k), "ما" | "عن" | "ل") {
            k += 1;
        }
        if k < n && self.cue(k).is_some() {
            k += 1;
        }
        let np = self.quoted_name(k).or_else(|| self.noun_phrase(k))?;
        // A relative clause after the source («مسؤولين لم تذكر أسماءهم،») is skipped.
        let (_, s_end) = self.sentence[k.min(n - 1)];
        let mut next = np.1;
        while next < n
            && next < s_end
            && self.is_word(next)
            && !is_complementizer(self.core(next))
            && self.cue(next).is_none()
            && next < np.1 + 6
        {
            next += 1;
        }
        if next < n
            && self.is_word(next)
            && !is_complementizer(self.core(next))
            && self.cue(next).is_none()
        {
            next = np.1;
        }
        Some((np, next))
    }

    /// A short quoted name («"تسنيم"», «"مهر"») as a noun phrase: the tokens inside.
    fn quoted_name(&self, k: usize) -> Option<(usize, usize)> {
        let c = self.pair_close.get(k).copied().flatten()?;
        (c > k + 1 && c - k <= 8).then_some((k + 1, c))
    }

    /// A participle cue: «…، مضيفا أن …», «قائلا: "…"», «مشيرا إلى أن …».
    fn participle(&self, i: usize) -> Option<Opening> {
        let n = self.n();
        let limit = (i + 6).min(n);
        let mut j = i + 1;
        while j < limit && self.same_paragraph(i, j) {
            let core = self.core(j);
            if self.kind(j) == TokenKind::Word && is_complementizer(core) {
                return Some(Opening {
                    content_start: j + 1,
                    subject: None,
                    channel: None,
                });
            }
            if self.is_colon(j) || self.pair_close[j].is_some() {
                let start = if self.is_colon(j) { j + 1 } else { j };
                return Some(Opening {
                    content_start: start,
                    subject: None,
                    channel: None,
                });
            }
            if matches!(core, "الي" | "علي" | "عن" | "في") || self.is_comma(j) {
                j += 1;
                continue;
            }
            return None;
        }
        None
    }

    /// «نقلت الوكالة عن X قوله "…"», «ونسبت … لأحد المطاعم القول إنه …».
    fn masdar(&self, i: usize) -> Option<Opening> {
        let (s_start, _) = self.sentence[i];
        let n = self.n();
        // The speaker: the noun phrase after the last «عن» / «ل…» before the cue.
        let mut k = i;
        let mut subject = None;
        while k > s_start {
            k -= 1;
            if self.core(k) == "عن" {
                subject = self.noun_phrase(k + 1).filter(|np| np.1 <= i);
                break;
            }
            if self.has_preposition(k) {
                subject = Some((k, i));
                break;
            }
        }
        let mut j = i + 1;
        while j < n && j < i + 4 {
            if self.kind(j) == TokenKind::Word && is_complementizer(self.core(j)) {
                return Some(Opening {
                    content_start: j + 1,
                    subject,
                    channel: None,
                });
            }
            if self.is_colon(j) {
                j += 1;
                continue;
            }
            if self.pair_close[j].is_some() {
                return Some(Opening {
                    content_start: j,
                    subject,
                    channel: None,
                });
            }
            return None;
        }
        None
    }

    /// «بحسب X، فإن …» / «وفقا لـ X فإن …».
    fn attribution(&self, i: usize) -> Option<Opening> {
        let n = self.n();
        let mut j = i + 1;
        if j < n && self.core(j) == "ل" {
            j += 1;
        }
        let np = self.quoted_name(j).or_else(|| self.noun_phrase(j))?;
        let mut k = np.1;
        if self.pair_close.get(j).copied().flatten().is_some() {
            k = np.1 + 1;
        }
        while k < n && self.is_comma(k) {
            k += 1;
        }
        if k < n
            && matches!(
                self.doc.analysis.norm(&self.doc.analysis.tokens[k]),
                "فان" | "فانه" | "فانها" | "فانهم"
            )
        {
            return Some(Opening {
                content_start: k + 1,
                subject: Some(np),
                channel: None,
            });
        }
        None
    }

    /// «"…"، قال بوتين» or «"…" قال»: a quote pair right before a verb cue with no content.
    fn postposed(
        &self,
        i: usize,
        lemma: &'static str,
        quotes: &[Quote],
        used: &[bool],
    ) -> Option<Quote> {
        let mut k = i.checked_sub(1)?;
        if self.is_comma(k) {
            k = k.checked_sub(1)?;
        }
        let open = self.pair_open[k]?;
        if used[open] || k - open < 2 {
            return None;
        }
        let content = self.tokens_span(open + 1, k);
        let subject = if i + 1 < self.n() && self.starts_subject(i + 1) {
            self.noun_phrase(i + 1)
        } else {
            None
        };
        let open_info = Opening {
            content_start: open,
            subject,
            channel: None,
        };
        let (speaker, inherited) = self.speaker(i, CueKind::Verb, &open_info, quotes);
        Some(self.make_quote(i, lemma, speaker, inherited, content, true, None, quotes))
    }

    /// The content starting at token `s`: its span, whether it is direct, the token where
    /// the clause ends, and a channel named after it («، بحسب وكالة …»).
    fn content(
        &self,
        s: usize,
        used_pairs: &mut [bool],
    ) -> (Span, bool, usize, Option<(usize, usize)>) {
        let n = self.n();
        if s >= n {
            return (Span::default(), false, s, None);
        }
        // Clause end: sentence end (past it only inside quote marks), a new cue clause,
        // a trailing attribution, or the paragraph end.
        let mut e = s;
        let mut channel = None;
        let mut open_pair_end: Option<usize> = None;
        while e < n && self.same_paragraph(s, e) {
            if let Some(c) = self.pair_close[e] {
                open_pair_end = Some(open_pair_end.map_or(c, |x: usize| x.max(c)));
            }
            let inside_quote = open_pair_end.is_some_and(|c| e < c);
            if !inside_quote {
                if self.is_terminator(e) {
                    break;
                }
                if e > s && self.cue(e).is_some() && self.starts_new_clause(e) {
                    // Drop a comma or «و» before the new clause.
                    break;
                }
                if self.is_comma(e)
                    && e + 1 < n
                    && matches!(
                        self.core(e + 1),
                        "بحسب" | "حسب" | "وفق" | "وفقا" | "حسبما" | "نقلا"
                    )
                {
                    channel = self.channel_phrase(e + 1).map(|(c, _)| c);
                    break;
                }
                if e > s
                    && matches!(self.core(e), "بحسب" | "حسب" | "وفق" | "وفقا" | "حسبما")
                    && self.is_comma(e - 1)
                {
                    channel = self.channel_phrase(e).map(|(c, _)| c);
                    break;
                }
            }
            e += 1;
        }
        // Trim trailing punctuation and connectives («، لكنه» before «قال»), keeping a
        // closing quote mark whose opening is inside.
        let mut last = e;
        while last > s {
            let t = last - 1;
            if self.kind(t) == TokenKind::Word
                && matches!(
                    self.core(t),
                    "لكن" | "لكنه" | "لكنها" | "لكنهم" | "ثم" | "كما" | "بينما" | "فيما"
                )
            {
                last -= 1;
                continue;
            }
            if self.kind(t) != TokenKind::Punct {
                break;
            }
            if let Some(o) = self.pair_open[t]
                && o >= s
            {
                break;
            }
            last -= 1;
        }
        if last <= s {
            return (Span::default(), false, e, channel);
        }
        // Direct when the clause is (mostly) one quoted span starting at its first token.
        if let Some(c) = self.pair_close[s]
            && c < e
        {
            let inside = c.saturating_sub(s + 1);
            let clause = last - s;
            let after_words = (c + 1..last).filter(|&k| self.is_word(k)).count();
            if inside >= 1 && (inside * 10 >= clause * 6 || after_words <= 3) {
                used_pairs[s] = true;
                if c > s + 1 {
                    return (self.tokens_span(s + 1, c), true, e, channel);
                }
            }
        }
        (self.tokens_span(s, last), false, e, channel)
    }

    /// The speaker of the cue at `i`: `(start, end)` tokens or a span copied from an earlier
    /// quote, and whether it was inherited.
    fn speaker(
        &self,
        i: usize,
        kind: CueKind,
        open: &Opening,
        quotes: &[Quote],
    ) -> (Option<SpeakerRef>, bool) {
        if let Some(np) = open.subject {
            return (Some(SpeakerRef::Tokens(np)), false);
        }
        match kind {
            CueKind::Participle => {
                // The subject of the main clause: the previous quote in this sentence, or
                // the noun phrase after the sentence's first verb.
                let (s_start, _) = self.sentence[i];
                let s_span = self.span(s_start).start;
                if let Some(q) = quotes.iter().rev().find(|q| q.cue.start >= s_span) {
                    return (q.speaker.map(SpeakerRef::Copied), true);
                }
                if let Some(np) = self.main_subject(i) {
                    return (Some(SpeakerRef::Tokens(np)), false);
                }
            }
            CueKind::Verb => {
                if !self.has_conjunction(i)
                    && let Some(np) = self.subject_before(i, quotes)
                {
                    return (Some(SpeakerRef::Tokens(np)), false);
                }
                // «أيدت الإمارات القرار، وقالت …»: the subject of this sentence's main verb,
                // unless a quote of this sentence already named the speaker.
                let (s_start, _) = self.sentence[i];
                let s_span = self.span(s_start).start;
                if let Some(q) = quotes.iter().rev().find(|q| q.cue.start >= s_span) {
                    return (q.speaker.map(SpeakerRef::Copied), true);
                }
                if i > s_start
                    && self.cue(s_start).is_none()
                    && let Some(np) = self.main_subject(i)
                {
                    return (Some(SpeakerRef::Tokens(np)), false);
                }
            }
            _ => {}
        }
        let last = quotes.iter().rev().find(|q| q.speaker.is_some());
        // An entity that is the subject of the previous sentence, named after the last
        // quote, is the better antecedent («اتهم … محمد علوش … . وقال "…"»).
        let (s_start, _) = self.sentence[i];
        if s_start > 0 {
            let prev = s_start - 1;
            if let Some(np) = self.main_subject(prev)
                && (np.0..np.1).any(|k| self.mention_at(k).is_some())
                && last.is_none_or(|q| q.content.end <= self.span(np.0).start)
                && self.same_paragraph(np.0, i)
            {
                return (Some(SpeakerRef::Tokens(np)), true);
            }
        }
        match last {
            Some(q) => (q.speaker.map(SpeakerRef::Copied), true),
            None => (None, false),
        }
    }

    /// SVO subjects: «عكاشة، الذي قال», «إلا أن بوتين أكد», «… مسرور البارزاني، قد قال».
    fn subject_before(&self, i: usize, quotes: &[Quote]) -> Option<(usize, usize)> {
        let (s_start, _) = self.sentence[i];
        let floor = quotes
            .last()
            .map(|q| q.content.end)
            .filter(|&e| e > self.span(s_start).start);
        let mut k = i;
        let mut relative = false;
        while k > s_start {
            let c = self.core(k - 1);
            if matches!(c, "قد" | "كان" | "كانت" | "كانوا" | "ايضا") || self.is_comma(k - 1)
            {
                k -= 1;
            } else if matches!(c, "الذي" | "التي" | "الذين") {
                relative = true;
                k -= 1;
            } else {
                break;
            }
        }
        if k == s_start {
            return None;
        }
        let end = k;
        if floor.is_some_and(|f| self.span(end - 1).start < f) {
            return None;
        }
        if let Some(m) = self.mention_at(end - 1) {
            let mut st = end - 1;
            while st > s_start && self.span(st - 1).start >= m.span.start {
                st -= 1;
            }
            if m.label == "PER" {
                st = self.appositive_name_start(st, s_start);
            }
            return Some((st, end));
        }
        let mut st = end;
        while st > s_start && end - st < 6 {
            let t = st - 1;
            let c = self.core(t);
            if !self.is_word(t)
                || crate::lexicon::is_stop_word(c)
                || is_complementizer(c)
                || self.cue(t).is_some()
                || self.has_conjunction(t)
            {
                break;
            }
            st -= 1;
        }
        if st == end {
            // A conjunction-led word can still be the whole subject («وروسيا التي أكدت»).
            return None;
        }
        if relative {
            return Some((end - 1, end));
        }
        let left_ok = st == s_start
            || self.is_comma(st - 1)
            || matches!(
                self.core(st - 1),
                "ان" | "الا" | "لكن" | "كان" | "كانت" | "كانوا"
            )
            || self.has_conjunction(st);
        left_ok.then_some((st, end))
    }

    /// The subject after the first verb of the sentence containing `i`.
    fn main_subject(&self, i: usize) -> Option<(usize, usize)> {
        let (s_start, _) = self.sentence[i];
        let mut k = s_start;
        while k < i && (self.kind(k) == TokenKind::Punct || OPENERS.contains(&self.core(k))) {
            k += 1;
        }
        if k >= i {
            return None;
        }
        // A definite noun or an entity first: the sentence starts with its subject.
        let first_is_noun = self.core(k).starts_with("ال") || self.mention_at(k).is_some();
        let start = if first_is_noun { k } else { k + 1 };
        if start >= i || !self.starts_subject(start) {
            return None;
        }
        // Subject grammar: a head, then definite words, nisba adjectives, «باسم X», entities.
        let mut e = start + 1;
        if let Some(m) = self.mention_at(start) {
            while e < i && self.span(e).start < m.span.end {
                e += 1;
            }
        }
        while e < i {
            if let Some(m) = self.mention_at(e) {
                while e < i && self.span(e).start < m.span.end {
                    e += 1;
                }
                continue;
            }
            let c = self.core(e);
            if !self.is_word(e) || NP_STOPS.contains(&c) || self.cue(e).is_some() {
                break;
            }
            if c == "باسم" || c == "لدي" {
                e = (e + 2).min(i);
                continue;
            }
            if c.starts_with("ال") && c.chars().count() > 3 {
                e += 1;
                continue;
            }
            break;
        }
        Some((start, e))
    }

    #[allow(clippy::too_many_arguments)]
    fn make_quote(
        &self,
        cue_tok: usize,
        lemma: &'static str,
        speaker: Option<SpeakerRef>,
        inherited: bool,
        content: Span,
        direct: bool,
        channel: Option<Span>,
        quotes: &[Quote],
    ) -> Quote {
        let (span, key, label) = match speaker {
            None => (None, None, None),
            Some(SpeakerRef::Copied(sp)) => {
                let q = quotes.iter().rev().find(|q| q.speaker == Some(sp));
                (
                    Some(sp),
                    q.and_then(|q| q.speaker_key.clone()),
                    q.and_then(|q| q.speaker_label.clone()),
                )
            }
            Some(SpeakerRef::Tokens((a, b))) => {
                let np = self.tokens_span(a, b);
                // A person or organization inside the phrase is the speaker («مراسل بي بي
                // سي جيمس روبينز» → the person); a place only when it is the whole phrase
                // («قالت روسيا»), not in «سفير روسيا».
                let inside: Vec<&Mention> = self
                    .mentions
                    .iter()
                    .filter(|m| m.span.start < np.end && np.start < m.span.end)
                    .collect();
                let m = ["PER", "ORG"]
                    .iter()
                    .find_map(|l| inside.iter().find(|m| m.label == *l))
                    .or_else(|| inside.iter().find(|m| m.span.contains(np) || np == m.span))
                    .copied();
                let phrase = self.phrase_key(a, b);
                // A person whose first name the tagger missed (see
                // `appositive_name_start`): the whole name is the speaker.
                let m = m.filter(|m| {
                    !(m.label == "PER"
                        && m.span.end == np.end
                        && np.start < m.span.start
                        && self.appositive_name_start(self.token_at_or_after(m.span.start), a) == a)
                });
                let out = match m {
                    Some(m) => (Some(m.span), Some(m.key.clone()), Some(m.label.clone())),
                    None => {
                        let key =
                            corefer(&phrase, &self.aliases.borrow()).unwrap_or(phrase.clone());
                        (Some(np), Some(key), None)
                    }
                };
                if let Some(k) = &out.1 {
                    self.aliases.borrow_mut().push((phrase, k.clone()));
                }
                out
            }
        };
        Quote {
            speaker: span,
            speaker_key: key,
            speaker_label: label,
            speaker_inherited: inherited,
            cue: self.span(cue_tok),
            cue_lemma: lemma,
            content,
            direct,
            channel,
        }
    }

    /// A speaker phrase's key: its words' normalized forms without a leading
    /// conjunction or preposition, hashtags read as words.
    fn phrase_key(&self, a: usize, b: usize) -> String {
        let mut words: Vec<String> = Vec::new();
        for k in a..b {
            if !self.is_word(k) {
                continue;
            }
            let mut w = self.core(k);
            if k == a {
                w = crate::terms::strip_leading_clitics(
                    w,
                    crate::lexicon::DocFreq::builtin(),
                    false,
                );
            }
            let w = w.trim_start_matches('#').replace('_', " ");
            if !w.is_empty() {
                words.push(w);
            }
        }
        words.join(" ")
    }
}

/// Where a speaker comes from: tokens of this document or an earlier quote's span.
#[derive(Clone, Copy)]
enum SpeakerRef {
    Tokens((usize, usize)),
    Copied(Span),
}

/// The key of an earlier speaker phrase that contains `phrase` as whole words, or is
/// contained in it («الرئيس الروسي» ⊂ «الرئيس الروسي فلاديمير بوتين» → that speaker's key).
fn corefer(phrase: &str, aliases: &[(String, String)]) -> Option<String> {
    if phrase.is_empty() {
        return None;
    }
    let padded = format!(" {phrase} ");
    aliases.iter().find_map(|(p, k)| {
        let pp = format!(" {p} ");
        (pp.contains(&padded) || padded.contains(&pp)).then(|| k.clone())
    })
}

fn strip_al(w: &str) -> &str {
    w.strip_prefix("ال")
        .filter(|r| r.chars().count() >= 2)
        .unwrap_or(w)
}

/// Nouns after «على» that name where something was posted («على تويتر», «على حسابه»).
fn is_platform(w: &str) -> bool {
    matches!(
        w,
        "حسابه"
            | "حسابها"
            | "حسابهم"
            | "موقع"
            | "موقعه"
            | "موقعها"
            | "صفحته"
            | "صفحتها"
            | "تويتر"
            | "فيسبوك"
            | "هامش"
            | "الهواء"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexicon::DocFreq;
    use khabar_core::TextAnalyzer;

    struct Q {
        speaker: String,
        key: String,
        cue: String,
        content: String,
        direct: bool,
        channel: String,
    }

    fn quotes(text: &str, mentions: &[Mention]) -> Vec<Q> {
        let a = TextAnalyzer::default_analyzer().analyze(text).unwrap();
        let p = Prepared::new(text, a, DocFreq::builtin());
        QuoteExtractor::default()
            .extract(&p, mentions)
            .into_iter()
            .map(|q| Q {
                speaker: q
                    .speaker
                    .map_or(String::new(), |s| s.slice(text).to_string()),
                key: q.speaker_key.unwrap_or_default(),
                cue: q.cue.slice(text).to_string(),
                content: q.content.slice(text).to_string(),
                direct: q.direct,
                channel: q
                    .channel
                    .map_or(String::new(), |s| s.slice(text).to_string()),
            })
            .collect()
    }

    fn mention(text: &str, surface: &str, label: &str, key: &str) -> Mention {
        let start = text.find(surface).unwrap();
        Mention {
            span: Span::from_usize(start, start + surface.len()),
            label: label.into(),
            key: key.into(),
        }
    }

    #[test]
    fn indirect_speech_with_title_speaker() {
        let q = quotes(
            "قال الرئيس الروسي إن الخطوة التالية يجب أن تكون وقف إطلاق النار.",
            &[],
        );
        assert_eq!(q.len(), 1);
        assert_eq!(q[0].speaker, "الرئيس الروسي");
        assert_eq!(q[0].cue, "قال");
        assert_eq!(q[0].content, "الخطوة التالية يجب أن تكون وقف إطلاق النار");
        assert!(!q[0].direct);
    }

    #[test]
    fn direct_quote_over_two_sentences_and_inherited_speaker() {
        let text = "وقال الرئيس الروسي فلاديمير بوتين خلال اجتماع ان “تحرير حلب خطوة مهمة”.\n\
                    واضاف بحسب ما افاد الكرملين ان “هذه العملية انتهت”.\n\
                    وتابع “يجب القيام بكل شيء. هذا ما نسعى اليه”.";
        let m = [mention(text, "فلاديمير بوتين", "PER", "بوتين")];
        let q = quotes(text, &m);
        assert_eq!(
            q.len(),
            3,
            "{:?}",
            q.iter().map(|q| &q.content).collect::<Vec<_>>()
        );
        assert_eq!(q[0].speaker, "فلاديمير بوتين");
        assert_eq!(q[0].key, "بوتين");
        assert_eq!(q[0].content, "تحرير حلب خطوة مهمة");
        assert!(q[0].direct);
        assert_eq!(q[1].speaker, "فلاديمير بوتين");
        assert_eq!(q[1].channel, "الكرملين");
        assert_eq!(q[1].content, "هذه العملية انتهت");
        assert_eq!(q[2].content, "يجب القيام بكل شيء. هذا ما نسعى اليه");
        assert_eq!(q[2].key, "بوتين");
    }

    #[test]
    fn shorter_title_phrase_shares_the_key() {
        let text = "قال الرئيس الروسي فلاديمير بوتين إن المعارك انتهت. وتابع الرئيس الروسي “يجب وقف المعارك”.";
        let q = quotes(text, &[]);
        assert_eq!(q.len(), 2);
        assert_eq!(q[0].key, "الرئيس الروسي فلاديمير بوتين");
        assert_eq!(q[1].speaker, "الرئيس الروسي");
        assert_eq!(q[1].key, q[0].key);
        assert!(q[1].direct);
    }

    #[test]
    fn subject_before_the_cue_and_reversed_marks() {
        let text = "كان مستشار مجلس أمن إقليم كردستان، مسرور البارزاني، قد قال في وقت سابق، إن” الثقة باتت منعدمة بيننا”، مشيراً الى انه من المفترض النظر لاستقلال كردستان.";
        let q = quotes(text, &[]);
        assert_eq!(q.len(), 2);
        assert_eq!(q[0].speaker, "مسرور البارزاني");
        assert_eq!(q[0].content, "الثقة باتت منعدمة بيننا");
        assert!(q[0].direct);
        assert_eq!(q[1].cue, "مشيراً");
        assert_eq!(q[1].speaker, "مسرور البارزاني");
        assert_eq!(q[1].content, "من المفترض النظر لاستقلال كردستان");
        assert!(!q[1].direct);
    }

    #[test]
    fn appositive_name_completes_a_partly_tagged_person() {
        let text =
            "كان مستشار مجلس أمن إقليم كردستان، مسرور البارزاني، قد قال إن الثقة باتت منعدمة.";
        // The tagger found only the family name.
        let m = [mention(text, "البارزاني", "PER", "البارزاني")];
        let q = quotes(text, &m);
        assert_eq!(q.len(), 1);
        assert_eq!(q[0].speaker, "مسرور البارزاني");
        assert!(q[0].key.contains("مسرور البارزاني"), "{}", q[0].key);
        // A title before the name is not part of it: the tagged person stays the speaker.
        let text = "وقال الرئيس بوتين إن العملية انتهت.";
        let m = [mention(text, "بوتين", "PER", "بوتين")];
        let q = quotes(text, &m);
        assert_eq!(q[0].speaker, "بوتين");
        assert_eq!(q[0].key, "بوتين");
    }

    #[test]
    fn participle_takes_the_main_clause_subject() {
        let text =
            "الى ذلك أدان الرئيس الروسي حادث قتل السفير، قائلا إنها كانت محاولة لتدمير العلاقات.";
        let q = quotes(text, &[]);
        assert_eq!(q.len(), 1);
        assert_eq!(q[0].speaker, "الرئيس الروسي");
        assert_eq!(q[0].content, "كانت محاولة لتدمير العلاقات");
    }

    #[test]
    fn noun_objects_and_scare_quotes_are_not_quotes() {
        let text = "وأعلن الجيش السوري استعادة مدينة حلب. وحارب تنظيم “الدولة الاسلامية” في العراق. ودعا السفير إلى وجود \"رؤساء أكثر هدوء\".";
        assert!(quotes(text, &[]).is_empty());
    }

    #[test]
    fn agency_relays_a_named_speaker() {
        let text = "ونقلت وكالة فرانس برس عن متحدث رسمي باسم الحكومة قوله \"لقد قدمنا طلبا\".";
        let q = quotes(text, &[]);
        assert_eq!(q.len(), 1);
        assert_eq!(q[0].speaker, "متحدث رسمي باسم الحكومة");
        assert_eq!(q[0].content, "لقد قدمنا طلبا");
        assert!(q[0].direct);
    }

    #[test]
    fn postposed_attribution() {
        let text = "\"لن نقبل بهذا الاتفاق أبدا\"، قال وزير الخارجية.";
        let q = quotes(text, &[]);
        assert_eq!(q.len(), 1);
        assert_eq!(q[0].speaker, "وزير الخارجية");
        assert_eq!(q[0].content, "لن نقبل بهذا الاتفاق أبدا");
    }

    #[test]
    fn never_panics_on_odd_input() {
        for t in [
            "",
            "قال",
            "قال إن",
            "«",
            "قال: «",
            "\" قال \"",
            "قال إن \"\"",
            "مضيفا",
            "قوله",
        ] {
            let _ = quotes(t, &[]);
        }
    }
}
