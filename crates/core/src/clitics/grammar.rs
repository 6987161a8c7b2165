//! What a clitic segmentation may look like: the proclitic stacks, the pronoun
//! enclitics, the orthographic constraints between them and the closed-class
//! function words. Shared by the trainer and the runtime, so both enumerate
//! exactly the same candidate analyses of a word.
//!
//! The order of [`STACKS`] and [`ENCLITICS`] is part of the model format: a
//! word's decision is stored as `(stack index, enclitic index)`.

/// One proclitic piece of a stack: its surface and, for the article written
/// «ل» after the preposition «ل» (للمرة = ل + ال + مرة), the restored form.
#[derive(Clone, Copy, Debug)]
pub(crate) struct StackPiece {
    /// The letters as written in the word.
    pub surface: &'static str,
    /// The underlying form when it differs from the surface.
    pub restored: Option<&'static str>,
}

impl StackPiece {
    /// The form of the piece (restored if the surface lost letters).
    pub fn form(&self) -> &'static str {
        self.restored.unwrap_or(self.surface)
    }
}

/// A valid sequence of proclitics: conjunction, then preposition or future
/// particle, then the article.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Stack {
    /// The letters the stack takes at the start of the word.
    pub surface: &'static str,
    /// Its pieces, outermost first.
    pub pieces: &'static [StackPiece],
}

const fn p(surface: &'static str) -> StackPiece {
    StackPiece {
        surface,
        restored: None,
    }
}

/// «ل» standing for the article after the preposition «ل».
const ELIDED_ARTICLE: StackPiece = StackPiece {
    surface: "ل",
    restored: Some("ال"),
};

/// Every proclitic stack, the empty one first. The index is stored in models.
pub(crate) const STACKS: [Stack; 27] = [
    Stack {
        surface: "",
        pieces: &[],
    },
    Stack {
        surface: "ال",
        pieces: &[p("ال")],
    },
    Stack {
        surface: "ب",
        pieces: &[p("ب")],
    },
    Stack {
        surface: "بال",
        pieces: &[p("ب"), p("ال")],
    },
    Stack {
        surface: "ك",
        pieces: &[p("ك")],
    },
    Stack {
        surface: "كال",
        pieces: &[p("ك"), p("ال")],
    },
    Stack {
        surface: "ل",
        pieces: &[p("ل")],
    },
    Stack {
        surface: "لل",
        pieces: &[p("ل"), ELIDED_ARTICLE],
    },
    Stack {
        surface: "س",
        pieces: &[p("س")],
    },
    Stack {
        surface: "و",
        pieces: &[p("و")],
    },
    Stack {
        surface: "وال",
        pieces: &[p("و"), p("ال")],
    },
    Stack {
        surface: "وب",
        pieces: &[p("و"), p("ب")],
    },
    Stack {
        surface: "وبال",
        pieces: &[p("و"), p("ب"), p("ال")],
    },
    Stack {
        surface: "وك",
        pieces: &[p("و"), p("ك")],
    },
    Stack {
        surface: "وكال",
        pieces: &[p("و"), p("ك"), p("ال")],
    },
    Stack {
        surface: "ول",
        pieces: &[p("و"), p("ل")],
    },
    Stack {
        surface: "ولل",
        pieces: &[p("و"), p("ل"), ELIDED_ARTICLE],
    },
    Stack {
        surface: "وس",
        pieces: &[p("و"), p("س")],
    },
    Stack {
        surface: "ف",
        pieces: &[p("ف")],
    },
    Stack {
        surface: "فال",
        pieces: &[p("ف"), p("ال")],
    },
    Stack {
        surface: "فب",
        pieces: &[p("ف"), p("ب")],
    },
    Stack {
        surface: "فبال",
        pieces: &[p("ف"), p("ب"), p("ال")],
    },
    Stack {
        surface: "فك",
        pieces: &[p("ف"), p("ك")],
    },
    Stack {
        surface: "فكال",
        pieces: &[p("ف"), p("ك"), p("ال")],
    },
    Stack {
        surface: "فل",
        pieces: &[p("ف"), p("ل")],
    },
    Stack {
        surface: "فلل",
        pieces: &[p("ف"), p("ل"), ELIDED_ARTICLE],
    },
    Stack {
        surface: "فس",
        pieces: &[p("ف"), p("س")],
    },
];

/// Pronoun enclitics; index `i` in a model is `ENCLITICS[i - 1]`, 0 is none.
pub(crate) const ENCLITICS: [&str; 12] = [
    "ه", "ها", "هما", "هم", "هن", "ك", "كما", "كم", "كن", "ي", "ني", "نا",
];

/// The enclitic with model index `e` (1-based), or `""` for 0.
#[inline]
pub(crate) fn enclitic(e: u8) -> &'static str {
    if e == 0 {
        ""
    } else {
        ENCLITICS.get(e as usize - 1).copied().unwrap_or("")
    }
}

impl Stack {
    /// True if the stack ends with the article (spelled «ال» or elided to «ل»).
    pub fn has_article(&self) -> bool {
        self.pieces.last().is_some_and(|p| p.form() == "ال")
    }

    /// The innermost piece when it is a single letter (و ف ب ك ل س), the letter
    /// whose clitic reading competes with a stem starting with it.
    pub fn inner_letter(&self) -> Option<char> {
        let last = self.pieces.last()?;
        let mut cs = last.surface.chars();
        match (cs.next(), cs.next(), last.restored) {
            (Some(c), None, None) => Some(c),
            _ => None,
        }
    }

    /// The outermost piece when it is a single letter.
    pub fn outer_letter(&self) -> Option<char> {
        let first = self.pieces.first()?;
        let mut cs = first.surface.chars();
        match (cs.next(), cs.next()) {
            (Some(c), None) => Some(c),
            _ => None,
        }
    }

    /// True for «لل»-type stacks whose article is elided.
    pub fn elided_article(&self) -> bool {
        self.pieces.last().is_some_and(|p| p.restored.is_some())
    }

    /// True if the innermost proclitic is the future particle «س».
    pub fn ends_with_future(&self) -> bool {
        self.pieces.last().is_some_and(|p| p.surface == "س")
    }

    /// True if the innermost proclitic is a preposition (ب ك ل) written in full.
    pub fn ends_with_preposition(&self) -> bool {
        self.pieces
            .last()
            .is_some_and(|p| p.restored.is_none() && matches!(p.surface, "ب" | "ك" | "ل"))
    }
}

/// The stack made of `outer`'s pieces followed by `inner`'s, if it is a valid stack.
pub(crate) fn combine(outer: usize, inner: usize) -> Option<usize> {
    let a = STACKS[outer].pieces;
    let b = STACKS[inner].pieces;
    STACKS.iter().position(|s| {
        s.pieces.len() == a.len() + b.len()
            && s.pieces
                .iter()
                .zip(a.iter().chain(b.iter()))
                .all(|(x, y)| x.surface == y.surface && x.restored == y.restored)
    })
}

/// Function words that are never split inside, though they start or end with
/// clitic-looking letters (كما is not ك+ما, الذي is not ال+ذي, بين is not ب+ين).
/// Segmentation form (alef folded; ة and ى kept). Sorted by bytes, unique.
pub(crate) const ATOMIC: &[&str] = &[
    "اذ",
    "اذا",
    "اذن",
    "ازاء",
    "الا",
    "التي",
    "الذي",
    "الذين",
    "اللائي",
    "اللاتي",
    "اللتان",
    "اللتين",
    "اللذان",
    "اللذين",
    "الله",
    "اللهم",
    "اللواتي",
    "الى",
    "الي",
    "ام",
    "اما",
    "امام",
    "ان",
    "انا",
    "انت",
    "انتم",
    "انتن",
    "انما",
    "او",
    "اولئك",
    "اي",
    "ايضا",
    "اين",
    "اينما",
    "بعد",
    "بعض",
    "بل",
    "بين",
    "بينما",
    "تجاه",
    "تحت",
    "تكون",
    "تلك",
    "ثم",
    "حتى",
    "حول",
    "حيال",
    "حيثما",
    "حينما",
    "خلال",
    "خلف",
    "دون",
    "ذاك",
    "ذلك",
    "ربما",
    "سوف",
    "سوى",
    "ضد",
    "ضمن",
    "طالما",
    "عبر",
    "على",
    "علي",
    "عما",
    "عن",
    "عند",
    "عندما",
    "غير",
    "فقط",
    "فوق",
    "في",
    "فيما",
    "قبل",
    "قد",
    "كان",
    "كانت",
    "كذا",
    "كل",
    "كلا",
    "كلما",
    "كم",
    "كما",
    "كي",
    "كيف",
    "لا",
    "لدن",
    "لدى",
    "لدي",
    "لذا",
    "لست",
    "لستم",
    "لسنا",
    "لعل",
    "لقد",
    "لكن",
    "لكي",
    "لم",
    "لما",
    "لماذا",
    "لن",
    "لو",
    "لولا",
    "ليت",
    "ليس",
    "ليسا",
    "ليست",
    "ليسوا",
    "ما",
    "ماذا",
    "متى",
    "مثل",
    "مذ",
    "مع",
    "مما",
    "من",
    "منذ",
    "مهما",
    "نحن",
    "نحو",
    "نعم",
    "هؤلاء",
    "هاتان",
    "هاتين",
    "هذا",
    "هذان",
    "هذه",
    "هذين",
    "هكذا",
    "هل",
    "هم",
    "هما",
    "هن",
    "هنا",
    "هناك",
    "هنالك",
    "هو",
    "هي",
    "وراء",
    "يكون",
];

/// Function words that take clitics as a stem: فيه = في+ه, لكنه = لكن+ه,
/// عليه = علي+ه (على before a suffix), وهو = و+هو. When one of them can be the
/// stem of a word, only analyses with the longest such stem are considered.
/// Sorted by bytes, unique.
pub(crate) const PROTECTED: &[&str] = &[
    "اذ",
    "اذا",
    "التي",
    "الذي",
    "الذين",
    "الي",
    "امام",
    "ان",
    "انا",
    "انت",
    "انتم",
    "او",
    "اين",
    "بعد",
    "بعض",
    "بين",
    "تجاه",
    "تحت",
    "تلك",
    "ثم",
    "حول",
    "خلال",
    "دون",
    "ذلك",
    "ضد",
    "ضمن",
    "عبر",
    "علي",
    "عن",
    "عند",
    "غير",
    "فوق",
    "في",
    "قبل",
    "قد",
    "كل",
    "كم",
    "كيف",
    "لا",
    "لدي",
    "لعل",
    "لكن",
    "لم",
    "لن",
    "لو",
    "ليت",
    "ما",
    "متى",
    "مثل",
    "مع",
    "من",
    "نحن",
    "نحو",
    "نفس",
    "هؤلاء",
    "هذا",
    "هذه",
    "هم",
    "هما",
    "هن",
    "هو",
    "هي",
];

#[inline]
pub(crate) fn is_atomic(w: &str) -> bool {
    ATOMIC.binary_search(&w).is_ok()
}

#[inline]
pub(crate) fn is_protected(w: &str) -> bool {
    PROTECTED.binary_search(&w).is_ok()
}

/// Letters an imperfect verb starts with; «س» is the future particle only before them.
const IMPERFECT_PREFIXES: [char; 4] = ['ي', 'ت', 'ن', 'ا'];

/// Inflectional endings stripped to group stems that share a lemma-like key
/// («يضربون», «يضرب»; «كبيرا», «كبير»), longest first.
const LEMMA_SUFFIXES: [&str; 13] = [
    "تين", "تان", "يات", "ات", "ون", "ين", "وا", "ان", "ية", "ة", "ت", "ي", "ا",
];

/// The lemma-like key of a stem: one inflectional ending removed when at least
/// three letters remain.
pub(crate) fn lemma_key(stem: &str) -> &str {
    let n = stem.chars().count();
    for suf in LEMMA_SUFFIXES {
        if stem.ends_with(suf) && n >= suf.chars().count() + 3 {
            return &stem[..stem.len() - suf.len()];
        }
    }
    stem
}

/// One way to read a word: a proclitic stack, a stem (a byte range of the
/// word) and an enclitic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Analysis {
    /// Index into [`STACKS`].
    pub stack: u8,
    /// 0 or 1 + index into [`ENCLITICS`].
    pub enc: u8,
    /// First byte of the stem in the word.
    pub stem_start: u16,
    /// One past its last byte.
    pub stem_end: u16,
}

impl Analysis {
    /// The whole word as the stem.
    pub fn unsplit(word: &str) -> Analysis {
        Analysis {
            stack: 0,
            enc: 0,
            stem_start: 0,
            stem_end: word.len().min(u16::MAX as usize) as u16,
        }
    }

    /// True if the analysis has no clitic.
    pub fn is_unsplit(&self) -> bool {
        self.stack == 0 && self.enc == 0
    }

    /// The stem in `word`.
    pub fn stem<'w>(&self, word: &'w str) -> &'w str {
        word.get(self.stem_start as usize..self.stem_end as usize)
            .unwrap_or("")
    }

    /// Number of segments (proclitics + stem + enclitic).
    pub fn n_pieces(&self) -> usize {
        STACKS[self.stack as usize].pieces.len() + 1 + usize::from(self.enc != 0)
    }

    /// The model code of the analysis: stack × 16 + enclitic.
    pub fn code(&self) -> u16 {
        u16::from(self.stack) * 16 + u16::from(self.enc)
    }

    /// The analysis of `word` a model code stands for, if the code fits the word.
    pub fn from_code(word: &str, code: u16) -> Option<Analysis> {
        let stack = (code / 16) as usize;
        let enc = (code % 16) as u8;
        let s = STACKS.get(stack)?;
        if enc as usize > ENCLITICS.len() {
            return None;
        }
        let e = enclitic(enc);
        let (w, p, q) = (word.as_bytes(), s.surface.as_bytes(), e.as_bytes());
        if w.len() < p.len() + q.len()
            || !w.iter().zip(p).all(|(x, y)| x == y)
            || !w[w.len() - q.len()..].iter().zip(q).all(|(x, y)| x == y)
        {
            return None;
        }
        let start = s.surface.len();
        let end = word.len().checked_sub(e.len())?;
        if end <= start || end > u16::MAX as usize {
            return None;
        }
        Some(Analysis {
            stack: stack as u8,
            enc,
            stem_start: start as u16,
            stem_end: end as u16,
        })
    }
}

/// What the corpus says about how a word is written, for the constraints that
/// need it. The runtime (out-of-vocabulary words) has no such evidence.
pub(crate) trait HamzaEvidence {
    /// Fraction of the word's occurrences written with a hamza alef (أ إ آ) at
    /// character `pos`, or `None` without evidence.
    fn hamza_rate(&self, word: &str, pos: usize) -> Option<f64>;
    /// Fraction of the bare word's occurrences written with a hamza alef first,
    /// if the word was seen often enough to tell.
    fn initial_hamza_rate(&self, word: &str) -> Option<f64>;
    /// True if `stem` (starting with «ال») was seen after the article, as in
    /// «الالتزام»: then its «ال» is part of the stem (التزام, التقى).
    fn takes_article(&self, stem: &str) -> bool;
}

/// No corpus evidence (out-of-vocabulary words at run time).
pub(crate) struct NoEvidence;

impl HamzaEvidence for NoEvidence {
    fn hamza_rate(&self, _: &str, _: usize) -> Option<f64> {
        None
    }
    fn initial_hamza_rate(&self, _: &str) -> Option<f64> {
        None
    }
    fn takes_article(&self, _: &str) -> bool {
        false
    }
}

/// Above this rate of hamza spellings at a position, «ا» there is a hamza
/// alef: it cannot be the article's alef, and a stem may start with «ال».
const HAMZA_RATE: f64 = 0.3;

/// Enumerates the candidate analyses of `word` (segmentation form) into `out`
/// (cleared first). Never empty: a word with no valid split is one stem.
pub(crate) fn candidates(word: &str, ev: &dyn HamzaEvidence, out: &mut Vec<Analysis>) {
    out.clear();
    if word.is_empty() || word.len() > u16::MAX as usize {
        out.push(Analysis::unsplit(word));
        return;
    }
    if is_atomic(word) {
        out.push(Analysis::unsplit(word));
        return;
    }
    // The enclitics the word ends with (none first), at most four.
    let mut encs = [0u8; 4];
    let mut n_encs = 1usize;
    for (i, e) in ENCLITICS.iter().enumerate() {
        if n_encs < encs.len() && word.len() > e.len() && word.ends_with(e) {
            encs[n_encs] = i as u8 + 1;
            n_encs += 1;
        }
    }
    let lead = word.as_bytes().get(..2);
    for (si, st) in STACKS.iter().enumerate() {
        // Every stack starts with a two-byte letter: compare those first.
        if si != 0 && st.surface.as_bytes().get(..2) != lead {
            continue;
        }
        let Some(rest) = word.strip_prefix(st.surface) else {
            continue;
        };
        let stack_chars = st.surface.chars().count();
        let has_art = st.has_article();
        if has_art && !st.elided_article() {
            let pos = stack_chars - 2;
            if ev.hamza_rate(word, pos).is_some_and(|r| r >= HAMZA_RATE) {
                continue;
            }
        }
        for &ei in &encs[..n_encs] {
            let ei = ei as usize;
            let e = enclitic(ei as u8);
            if ei > 0 && (has_art || !rest.ends_with(e)) {
                continue;
            }
            let stem = &rest[..rest.len() - e.len()];
            if stem.is_empty() {
                continue;
            }
            let split = si != 0 || ei != 0;
            // «لهم» is ل (stem) + هم (enclitic), not ل + هم (stem).
            if ei == 0 && st.ends_with_preposition() && ENCLITICS.contains(&stem) {
                continue;
            }
            let mut stem_chars = stem.chars();
            let first = stem_chars.next();
            let one_letter = stem_chars.next().is_none();
            if split && one_letter {
                // Only a preposition takes an enclitic as its stem: به، لها، وله.
                let ok = ei != 0
                    && matches!(first, Some('ب' | 'ل'))
                    && matches!(st.surface, "" | "و" | "ف");
                if !ok {
                    continue;
                }
            }
            if st.ends_with_future() && !first.is_some_and(|c| IMPERFECT_PREFIXES.contains(&c)) {
                continue;
            }
            if split {
                // ة only ends a stem, and never before a suffix; nor does ى.
                let body = &stem[..stem.len() - stem.chars().next_back().map_or(0, char::len_utf8)];
                if body.contains('ة') {
                    continue;
                }
                if ei != 0 && stem.ends_with(['ة', 'ى']) {
                    continue;
                }
            }
            if stem.starts_with("ال") && !is_atomic(stem) && !is_protected(stem) {
                // A stem starting with «ال» must be a hamza word (ألم، إلغاء) or one the
                // corpus shows after the article (الالتزام).
                let ok = ev
                    .hamza_rate(word, stack_chars)
                    .is_some_and(|r| r >= HAMZA_RATE)
                    || ev.takes_article(stem);
                if !ok {
                    continue;
                }
            }
            if has_art && one_letter {
                continue;
            }
            let start = st.surface.len();
            out.push(Analysis {
                stack: si as u8,
                enc: ei as u8,
                stem_start: start as u16,
                stem_end: (start + stem.len()) as u16,
            });
        }
    }
    if out.is_empty() {
        out.push(Analysis::unsplit(word));
        return;
    }
    // A stem usually written with a hamza alef («أحد») does not follow a
    // proclitic in a word whose alef is plain («واحد» is not و+أحد).
    if out.len() > 1 {
        let before = out.len();
        let blocked = |a: &Analysis| -> bool {
            let st = &STACKS[a.stack as usize];
            if a.stack == 0 || st.elided_article() {
                return false;
            }
            let stem = a.stem(word);
            if !stem.starts_with('ا') {
                return false;
            }
            let Some(fs) = ev.initial_hamza_rate(stem) else {
                return false;
            };
            let pos = st.surface.chars().count();
            let fw = ev.hamza_rate(word, pos).unwrap_or(0.0);
            fs >= 0.5 && fw < 0.2 * fs
        };
        let kept: Vec<Analysis> = out.iter().copied().filter(|a| !blocked(a)).collect();
        if !kept.is_empty() && kept.len() < before {
            *out = kept;
        }
    }
    // Function words as stems: only the analyses with the longest one.
    let prot = |a: &Analysis| -> bool {
        let stem = a.stem(word);
        (a.enc != 0 && is_protected(stem))
            || (a.stack != 0 && a.enc == 0 && (is_atomic(stem) || is_protected(stem)))
    };
    if out.iter().any(prot) {
        let longest = out
            .iter()
            .filter(|a| prot(a))
            .map(|a| a.stem(word).chars().count())
            .max()
            .unwrap_or(0);
        out.retain(|a| prot(a) && a.stem(word).chars().count() == longest);
    }
}

/// The class of a clitic, each with its own prior in the model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CliticClass {
    /// «و».
    Waw,
    /// «ف».
    Fa,
    /// «ب».
    Ba,
    /// «ك» (preposition).
    Kaf,
    /// «ل».
    Lam,
    /// «س» (future).
    Future,
    /// «ال».
    Article,
    /// ه ها هما هم هن.
    Enclitic,
    /// ي.
    EncliticYa,
    /// ك كما كم كن.
    EncliticKaf,
    /// ني نا.
    EncliticNun,
}

/// The clitic classes of an analysis, calling `f` for each.
pub(crate) fn for_each_class(a: &Analysis, mut f: impl FnMut(CliticClass)) {
    for piece in STACKS[a.stack as usize].pieces {
        f(match piece.form() {
            "و" => CliticClass::Waw,
            "ف" => CliticClass::Fa,
            "ب" => CliticClass::Ba,
            "ك" => CliticClass::Kaf,
            "ل" => CliticClass::Lam,
            "س" => CliticClass::Future,
            _ => CliticClass::Article,
        });
    }
    if a.enc != 0 {
        f(match enclitic(a.enc) {
            "ي" => CliticClass::EncliticYa,
            "ك" | "كما" | "كم" | "كن" => CliticClass::EncliticKaf,
            "ني" | "نا" => CliticClass::EncliticNun,
            _ => CliticClass::Enclitic,
        });
    }
}

/// The stem identities an analysis may stand for: the stem itself and, before
/// an enclitic, the form it has at the end of a word (حكومت+ه is حكومة, مستوا+ه
/// and علي+ه are مستوى and على, ابناؤ+ه is ابناء).
pub(crate) fn stem_keys(a: &Analysis, word: &str, mut f: impl FnMut(&str)) {
    let stem = a.stem(word);
    f(stem);
    if a.enc == 0 {
        return;
    }
    let Some(last) = stem.chars().next_back() else {
        return;
    };
    let n = stem.chars().count();
    let body = &stem[..stem.len() - last.len_utf8()];
    let mut buf = String::with_capacity(stem.len() + 2);
    let mut alt = |c: char| {
        buf.clear();
        buf.push_str(body);
        buf.push(c);
        f(&buf);
    };
    match last {
        'ت' => alt('ة'),
        'ا' if n > 2 => alt('ى'),
        'ي' if n > 2 => alt('ى'),
        'ؤ' | 'ئ' => alt('ء'),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(word: &str, a: &Analysis) -> String {
        let mut v: Vec<&str> = STACKS[a.stack as usize]
            .pieces
            .iter()
            .map(|p| p.form())
            .collect();
        v.push(a.stem(word));
        if a.enc != 0 {
            v.push(enclitic(a.enc));
        }
        v.join("+")
    }

    fn cands(word: &str) -> Vec<String> {
        let mut out = Vec::new();
        candidates(word, &NoEvidence, &mut out);
        out.iter().map(|a| render(word, a)).collect()
    }

    #[test]
    fn word_lists_are_sorted_and_unique() {
        for list in [ATOMIC, PROTECTED] {
            assert!(list.windows(2).all(|w| w[0].as_bytes() < w[1].as_bytes()));
        }
    }

    #[test]
    fn candidate_analyses() {
        assert_eq!(
            cands("وبالكرملين"),
            ["وبالكرملين", "و+بالكرملين", "و+ب+ال+كرملين"]
        );
        assert_eq!(cands("للمرة"), ["للمرة", "ل+لمرة", "ل+ال+مرة"]);
        assert_eq!(cands("عليه"), ["علي+ه"]);
        assert_eq!(cands("كما"), ["كما"]);
        assert_eq!(cands("وكان"), ["و+كان"]);
        assert_eq!(cands("لهم"), ["لهم", "ل+هم"]);
        assert_eq!(cands("اليه"), ["الي+ه"]);
        // The article never takes an enclitic, a stem never starts with «ال» without
        // corpus evidence of a hamza.
        assert_eq!(cands("الكتابه"), ["ال+كتابه"]);
        // «س» only before an imperfect verb.
        assert_eq!(cands("سبب"), ["سبب"]);
        assert_eq!(cands("وسيقام"), ["وسيقام", "و+سيقام", "و+س+يقام"]);
    }

    #[test]
    fn codes_round_trip() {
        let w = "وبالكرملين";
        for a in {
            let mut v = Vec::new();
            candidates(w, &NoEvidence, &mut v);
            v
        } {
            assert_eq!(Analysis::from_code(w, a.code()), Some(a));
        }
        assert_eq!(Analysis::from_code("بوتين", 12 * 16), None);
        assert_eq!(combine(9, 3), Some(12));
        assert_eq!(combine(2, 9), None);
        assert_eq!(combine(6, 1), None);
    }

    #[test]
    fn lemma_keys() {
        assert_eq!(lemma_key("يضربون"), "يضرب");
        assert_eq!(lemma_key("كبيرا"), "كبير");
        assert_eq!(lemma_key("بيت"), "بيت");
    }
}
