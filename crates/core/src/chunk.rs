//! Cutting very long texts into pieces that can be analyzed one at a time.
//!
//! A 200 MB line must not need 200 MB of tokens in memory at once. The text
//! layer has no context across sentences, so a text can be cut where a
//! sentence surely ends and each piece analyzed alone, with its spans shifted
//! by the piece's start. Cuts are chosen, in order of preference, at a line
//! break, at whitespace after a sentence terminator, at any whitespace, and
//! only for text with no whitespace at all (a single 200 MB "word") at a
//! character boundary.

use crate::chars::{CharClass, class, is_terminator};

/// Byte ranges covering `text` in order, each at most about `target` bytes
/// (longer only when no character boundary lies closer).
pub fn chunk_ranges(text: &str, target: usize) -> Vec<std::ops::Range<usize>> {
    let target = target.max(64);
    let mut out = Vec::new();
    let mut start = 0usize;
    while text.len() - start > target {
        let window_end = floor_char_boundary(text, start + target);
        let cut = best_cut(text, start, window_end);
        out.push(start..cut);
        start = cut;
    }
    if start < text.len() || out.is_empty() {
        out.push(start..text.len());
    }
    out
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The best cut in `(start, end]`, searching backwards from `end` over the last half of the window.
fn best_cut(text: &str, start: usize, end: usize) -> usize {
    let min = floor_char_boundary(text, start + (end - start) / 2);
    let window = &text[min..end];
    // 1. After the last line break.
    if let Some(p) = window.rfind('\n') {
        return min + p + 1;
    }
    // 2. After whitespace that follows a terminator; 3. after any whitespace.
    let mut any_space = None;
    for (i, c) in window.char_indices().rev() {
        let is_space = matches!(class(c), CharClass::Space | CharClass::LineBreak);
        if is_space {
            if any_space.is_none() {
                any_space = Some(min + i + c.len_utf8());
            }
            let before = window[..i].chars().next_back();
            if before.is_some_and(is_terminator) {
                return min + i + c.len_utf8();
            }
        }
    }
    if let Some(s) = any_space {
        return s;
    }
    // 4. No whitespace at all: a character boundary (never inside a char).
    if end > start {
        end
    } else {
        start + text[start..].chars().next().map_or(1, |c| c.len_utf8())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_tile_the_text() {
        let text = "جملة أولى. جملة ثانية\nسطر ".repeat(50);
        for target in [64, 100, 333, 10_000] {
            let ch = chunk_ranges(&text, target);
            assert_eq!(ch.first().unwrap().start, 0);
            assert_eq!(ch.last().unwrap().end, text.len());
            for w in ch.windows(2) {
                assert_eq!(w[0].end, w[1].start);
            }
            for r in &ch {
                assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
                assert!(r.len() <= target.max(64));
            }
        }
    }

    #[test]
    fn prefers_line_breaks_then_sentence_ends() {
        let text = format!("{}\n{}", "ا ".repeat(40), "ب ".repeat(40));
        let ch = chunk_ranges(&text, 130);
        assert!(text[ch[0].clone()].ends_with('\n'));
        let text = format!("{}. {}", "كلمة ".repeat(10), "كلمة ".repeat(10));
        let ch = chunk_ranges(&text, 80);
        assert!(text[ch[0].clone()].ends_with(". ") || text[ch[0].clone()].ends_with(' '));
    }

    #[test]
    fn text_without_spaces_is_cut_on_char_boundaries() {
        let text = "ب".repeat(1000);
        let ch = chunk_ranges(&text, 101);
        for r in &ch {
            assert!(
                text.is_char_boundary(r.start) && text.is_char_boundary(r.end) && !r.is_empty()
            );
        }
    }
}
