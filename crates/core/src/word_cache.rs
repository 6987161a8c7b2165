//! A per-thread memo of what the text layer decided for short words of plain
//! Arabic letters.
//!
//! News text repeats its words (the 4,096 most recent distinct words cover
//! most tokens of an article), and the analysis of a plain word is a pure
//! function of its letters and of the analyzer: its fold masks, its clitic
//! analysis (one hash and one table lookup in a table of 123k words, often a
//! cache miss) and its light stem. The memo keeps those, so a repeated word
//! costs one probe here instead; outputs are the same by construction (every
//! entry is what the full computation gave for exactly these bytes, under the
//! same analyzer).

/// Words longer than this many bytes (12 letters) are not memoized.
pub(crate) const MAX_WORD_BYTES: usize = 24;

/// log₂ of the number of entries.
const BITS: u32 = 12;

/// What the analysis of a plain word needs besides its letters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct WordFacts {
    /// Letters that fold to «ا» (bit k: letter k).
    pub alef: u64,
    /// Letters that fold for search only (ة, ى).
    pub search: u64,
    /// The clitic analysis: proclitic stack index.
    pub stack: u8,
    /// The clitic analysis: enclitic index (0 for none).
    pub enc: u8,
    /// The clitic analysis: byte range of the stem in the word.
    pub stem: (u16, u16),
    /// The light stem: byte range in the word.
    pub light: (u16, u16),
}

/// One memoized word: its bytes zero-padded to [`MAX_WORD_BYTES`], who computed it, and the facts.
#[derive(Clone, Copy, Debug, Default)]
struct Entry {
    words: [u64; 3],
    len: u8,
    /// The [`crate::TextAnalyzer`] identity the facts were computed under (0: empty).
    owner: u64,
    facts: WordFacts,
}

/// A direct-mapped memo of [`WordFacts`] by word bytes.
#[derive(Clone, Debug)]
pub(crate) struct WordCache {
    entries: Vec<Entry>,
}

impl Default for WordCache {
    fn default() -> Self {
        WordCache {
            entries: vec![Entry::default(); 1 << BITS],
        }
    }
}

/// The word's bytes as three little-endian words, zero-padded; `None` if too long.
#[inline]
fn padded(b: &[u8]) -> Option<[u64; 3]> {
    if b.len() > MAX_WORD_BYTES {
        return None;
    }
    let mut buf = [0u8; MAX_WORD_BYTES];
    buf[..b.len()].copy_from_slice(b);
    let w = |i: usize| {
        let mut x = [0u8; 8];
        x.copy_from_slice(&buf[8 * i..8 * i + 8]);
        u64::from_le_bytes(x)
    };
    Some([w(0), w(1), w(2)])
}

/// The slot of a padded word (a multiplicative hash; never persisted).
#[inline]
fn slot(w: &[u64; 3], len: usize) -> usize {
    let h = (w[0] ^ w[1].rotate_left(21) ^ w[2].rotate_left(42) ^ len as u64)
        .wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (h >> (64 - BITS)) as usize
}

impl WordCache {
    /// The facts memoized for `word` under analyzer `owner`.
    #[inline]
    pub fn get(&self, owner: u64, word: &[u8]) -> Option<WordFacts> {
        let w = padded(word)?;
        let e = self.entries.get(slot(&w, word.len()))?;
        (e.owner == owner && usize::from(e.len) == word.len() && e.words == w).then_some(e.facts)
    }

    /// Memoizes the facts of `word` under analyzer `owner` (nothing for a word too long).
    #[inline]
    pub fn put(&mut self, owner: u64, word: &[u8], facts: WordFacts) {
        let Some(w) = padded(word) else { return };
        if let Some(e) = self.entries.get_mut(slot(&w, word.len())) {
            *e = Entry {
                words: w,
                len: word.len() as u8,
                owner,
                facts,
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn returns_only_what_was_put_for_the_same_bytes_and_owner() {
        let mut c = WordCache::default();
        let f = WordFacts {
            alef: 1,
            stack: 3,
            stem: (6, 12),
            light: (6, 10),
            ..WordFacts::default()
        };
        let w = "بالكرملين".as_bytes();
        assert_eq!(c.get(1, w), None);
        c.put(1, w, f);
        assert_eq!(c.get(1, w), Some(f));
        assert_eq!(c.get(2, w), None);
        assert_eq!(c.get(1, &w[..w.len() - 2]), None);
        // A word that differs only past the first eight bytes.
        assert_eq!(c.get(1, "بالكرملون".as_bytes()), None);
        let long = "ا".repeat(13);
        c.put(1, long.as_bytes(), f);
        assert_eq!(c.get(1, long.as_bytes()), None);
    }
}
