//! Document consistency: what the first pass said about the same word
//! elsewhere in the text.
//!
//! A name is usually written the same way several times in an article, and
//! at least one of those mentions tends to sit in a clear context («شركة
//! فولكسفاغن», «قال بوين»). The tagger therefore runs twice: the first pass
//! tags every sentence on its own; the second adds, for each token, features
//! saying how the *other* occurrences of its lexical form within
//! [`WINDOW`] sentences either side were tagged (and how many there are).
//! The window stands for "the same article" in sentence streams that have no
//! article boundaries (ANERcorp), and bounds the work on long texts.
//!
//! In training the first-pass tags of the labelled sentences come from
//! models that did not see them (jackknifed), so the features are as noisy
//! as at run time.

use crate::perceptron::FeatureMap;
use crate::tags::Tag;

/// Sentences on each side whose first-pass tags count.
pub const WINDOW: usize = 20;

/// How the other occurrences of a token's lexical form were tagged.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Evidence {
    /// Other occurrences in the window.
    pub others: u16,
    /// Of those, how many were inside a predicted entity of each type.
    pub typed: [u16; 4],
    /// Of those, how many began their entity.
    pub begins: [u16; 4],
}

#[derive(Clone, Copy, Default)]
struct Tally {
    total: u32,
    typed: [u32; 4],
    begins: [u32; 4],
}

impl Tally {
    fn add(&mut self, tag: Tag, sign: i64) {
        let upd = |v: &mut u32| *v = (*v as i64 + sign).max(0) as u32;
        upd(&mut self.total);
        if let Some(ty) = tag.entity_type() {
            upd(&mut self.typed[ty.index()]);
            if tag.is_begin() {
                upd(&mut self.begins[ty.index()]);
            }
        }
    }
}

/// Evidence for every token of `sentences` (lexical forms as
/// [`str_hash`](crate::lexicon::str_hash)es, with their first-pass tags), over a sliding window of `window` sentences each side.
/// Tokens that are not words (`is_word` false) get no evidence and are not counted.
pub fn evidence<L, T, W>(lex: &[L], tags: &[T], is_word: &[W], window: usize) -> Vec<Vec<Evidence>>
where
    L: AsRef<[u64]>,
    T: AsRef<[Tag]>,
    W: AsRef<[bool]>,
{
    let n = lex.len();
    let mut map: FeatureMap<Tally> = FeatureMap::default();
    let apply = |map: &mut FeatureMap<Tally>, k: usize, sign: i64| {
        for ((w, t), &word) in lex[k]
            .as_ref()
            .iter()
            .zip(tags[k].as_ref())
            .zip(is_word[k].as_ref())
        {
            if word {
                map.entry(*w).or_default().add(*t, sign);
            }
        }
    };
    let mut out = Vec::with_capacity(n);
    let mut hi = 0; // sentences [lo, hi) are in the map
    let mut lo = 0;
    for k in 0..n {
        while hi < n && hi <= k + window {
            apply(&mut map, hi, 1);
            hi += 1;
        }
        while lo + window < k {
            apply(&mut map, lo, -1);
            lo += 1;
        }
        let ev = lex[k]
            .as_ref()
            .iter()
            .zip(tags[k].as_ref())
            .zip(is_word[k].as_ref())
            .map(|((w, t), &word)| {
                if !word {
                    return Evidence::default();
                }
                let mut tally = map.get(w).copied().unwrap_or_default();
                tally.add(*t, -1);
                let c = |v: u32| v.min(u16::MAX as u32) as u16;
                Evidence {
                    others: c(tally.total),
                    typed: tally.typed.map(c),
                    begins: tally.begins.map(c),
                }
            })
            .collect();
        out.push(ev);
    }
    out
}

/// A coarse bucket of a count: 0, 1, 2, 3–4, 5+.
pub fn count_bucket(c: u16) -> u8 {
    match c {
        0 => 0,
        1 => 1,
        2 => 2,
        3 | 4 => 3,
        _ => 4,
    }
}

/// A coarse bucket of a share `part / whole` (`whole > 0`): ≤ 1/3, < 2/3, < 1, all.
pub fn share_bucket(part: u16, whole: u16) -> u8 {
    let (p, w) = (part as u32 * 3, whole.max(1) as u32);
    if part >= whole {
        3
    } else if p >= 2 * w {
        2
    } else if p > w {
        1
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tags::EntityType;

    #[test]
    fn counts_other_occurrences_in_the_window() {
        let b = Tag::begin(EntityType::Org);
        let h = crate::lexicon::str_hash;
        let lex = vec![
            vec![h("شركه"), h("فولكسفاغن")],
            vec![h("باعت"), h("فولكسفاغن")],
            vec![h("x")],
            vec![h("فولكسفاغن")],
        ];
        let tags = vec![
            vec![Tag::O, b],
            vec![Tag::O, Tag::O],
            vec![Tag::O],
            vec![Tag::O],
        ];
        let words: Vec<Vec<bool>> = lex.iter().map(|s| vec![true; s.len()]).collect();
        let ev = evidence(&lex, &tags, &words, 1);
        // Sentence 1 sees sentence 0 (tagged ORG), not sentence 3 (out of the window).
        assert_eq!(ev[1][1].others, 1);
        assert_eq!(ev[1][1].typed[EntityType::Org.index()], 1);
        assert_eq!(ev[1][1].begins[EntityType::Org.index()], 1);
        // Its own tag never counts.
        assert_eq!(ev[0][1].others, 1);
        assert_eq!(ev[0][1].typed, [0; 4]);
        // Sentence 3 sees only sentence 2 and itself: nothing else.
        assert_eq!(ev[3][0], Evidence::default());
        let ev = evidence(&lex, &tags, &words, 5);
        assert_eq!(ev[3][0].others, 2);
        assert_eq!(ev[3][0].typed[EntityType::Org.index()], 1);
    }

    #[test]
    fn buckets() {
        assert_eq!(share_bucket(1, 1), 3);
        assert_eq!(share_bucket(2, 3), 2);
        assert_eq!(share_bucket(1, 2), 1);
        assert_eq!(share_bucket(1, 3), 0);
        assert_eq!(count_bucket(7), 4);
    }
}
