//! The query language, kept small: words (any spelling, with or without
//! clitics), `"exact phrases"`, and `-excluded` words or phrases.
//!
//! Words are optional and ranked by BM25 (a document needs at least one);
//! phrases are required; excluded words drop documents. Every piece goes
//! through the same analysis as the documents ([`crate::terms`]), so «سورية»
//! finds «سوريا» and «الاسد» finds «والأسد». Filters (outlet, entity, dates)
//! are separate fields, not query syntax.

use crate::terms::{IndexToken, index_tokens};
use khabar_core::TextAnalyzer;
use khabar_store::TermQuery;

/// The longest query accepted, in bytes.
pub const MAX_QUERY_BYTES: usize = 2048;
/// The most searchable words a query may have.
pub const MAX_QUERY_WORDS: usize = 64;

/// Why a query was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum QueryError {
    /// Nothing to search for.
    #[error("the query has no searchable words (punctuation alone matches nothing)")]
    Empty,
    /// A `"` without its closing partner.
    #[error("unclosed quote: the phrase starting at character {at} has no closing \"")]
    UnclosedQuote {
        /// Character offset of the opening quote.
        at: usize,
    },
    /// Too long.
    #[error("the query is too long: at most {MAX_QUERY_BYTES} bytes and {MAX_QUERY_WORDS} words")]
    TooLong,
    /// Only exclusions: nothing to rank.
    #[error("the query only excludes words; add a word or phrase to search for")]
    OnlyExclusions,
    /// A filter value that cannot be used.
    #[error("bad filter {name}={value}: {why}")]
    BadFilter {
        /// Filter name.
        name: &'static str,
        /// Its value.
        value: String,
        /// What is expected.
        why: &'static str,
    },
}

/// A query word: the alternative terms at its position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryWord {
    /// Primary term first, then alternates.
    pub terms: Vec<String>,
}

/// A parsed query.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ParsedQuery {
    /// Optional words.
    pub words: Vec<QueryWord>,
    /// Required phrases (primary terms in order).
    pub phrases: Vec<Vec<String>>,
    /// Excluded words.
    pub excluded: Vec<QueryWord>,
}

impl ParsedQuery {
    /// Every term a match may show, for highlighting (sorted, unique).
    pub fn highlight_terms(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .words
            .iter()
            .flat_map(|w| w.terms.iter().cloned())
            .chain(self.phrases.iter().flatten().cloned())
            .collect();
        v.sort();
        v.dedup();
        v
    }

    /// The same query for backends that search on their own.
    pub fn to_term_query(&self) -> TermQuery {
        TermQuery {
            words: self.words.iter().map(|w| w.terms.clone()).collect(),
            phrases: self.phrases.clone(),
            excluded: self.excluded.iter().map(|w| w.terms.clone()).collect(),
        }
    }
}

/// Groups index tokens by position into query words.
fn words_of(tokens: &[IndexToken]) -> Vec<QueryWord> {
    let mut out: Vec<QueryWord> = Vec::new();
    let mut last = None;
    for t in tokens {
        if Some(t.position) == last {
            if let Some(w) = out.last_mut()
                && !w.terms.contains(&t.term)
            {
                w.terms.push(t.term.clone());
            }
        } else {
            out.push(QueryWord {
                terms: vec![t.term.clone()],
            });
            last = Some(t.position);
        }
    }
    out
}

/// Parses `query` with `analyzer`.
///
/// # Errors
/// [`QueryError`] for an empty, too long or unbalanced query.
pub fn parse_query(analyzer: &TextAnalyzer, query: &str) -> Result<ParsedQuery, QueryError> {
    if query.len() > MAX_QUERY_BYTES {
        return Err(QueryError::TooLong);
    }
    // Split into (excluded, is_phrase, text) pieces.
    let mut pieces: Vec<(bool, bool, String)> = Vec::new();
    let mut chars = query.char_indices().peekable();
    let mut current = String::new();
    let mut negate_next = false;
    let mut char_no = 0usize;
    let flush =
        |current: &mut String, negate: &mut bool, pieces: &mut Vec<(bool, bool, String)>| {
            if !current.trim().is_empty() {
                pieces.push((*negate, false, std::mem::take(current)));
            }
            current.clear();
            *negate = false;
        };
    while let Some((_, c)) = chars.next() {
        char_no += 1;
        if c == '"' || c == '«' || c == '»' || c == '“' || c == '”' {
            if c == '»' || c == '”' {
                // A closing mark outside a phrase is just punctuation.
                continue;
            }
            flush(&mut current, &mut negate_next, &mut pieces);
            let at = char_no - 1;
            let close: &[char] = match c {
                '«' => &['»'],
                '“' => &['”', '"'],
                _ => &['"', '”'],
            };
            let mut phrase = String::new();
            let mut closed = false;
            for (_, c2) in chars.by_ref() {
                char_no += 1;
                if close.contains(&c2) {
                    closed = true;
                    break;
                }
                phrase.push(c2);
            }
            if !closed {
                return Err(QueryError::UnclosedQuote { at });
            }
            let negate = std::mem::take(&mut negate_next);
            pieces.push((negate, true, phrase));
        } else if c == '-' && current.trim().is_empty() {
            negate_next = true;
        } else if c.is_whitespace() {
            // Each whitespace-separated word is its own piece so a `-` binds to one word.
            if !current.trim().is_empty() {
                flush(&mut current, &mut negate_next, &mut pieces);
            }
        } else {
            current.push(c);
        }
    }
    flush(&mut current, &mut negate_next, &mut pieces);

    let mut parsed = ParsedQuery::default();
    let mut tokens = Vec::new();
    let mut n_words = 0usize;
    for (negate, phrase, text) in pieces {
        // The analyzer accepts any text of this size; an error cannot happen here.
        let Ok(analysis) = analyzer.analyze(&text) else {
            return Err(QueryError::TooLong);
        };
        tokens.clear();
        index_tokens(&text, &analysis, 0, &mut tokens);
        let words = words_of(&tokens);
        n_words += words.len();
        if n_words > MAX_QUERY_WORDS {
            return Err(QueryError::TooLong);
        }
        match (negate, phrase) {
            (true, _) => parsed.excluded.extend(words),
            (false, true) if words.len() > 1 => parsed.phrases.push(
                words
                    .into_iter()
                    .map(|mut w| w.terms.swap_remove(0))
                    .collect(),
            ),
            (false, _) => parsed.words.extend(words),
        }
    }
    if parsed.words.is_empty() && parsed.phrases.is_empty() {
        return Err(if parsed.excluded.is_empty() {
            QueryError::Empty
        } else {
            QueryError::OnlyExclusions
        });
    }
    Ok(parsed)
}

/// Checks a `YYYY-MM-DD` date filter and returns it as the number `YYYYMMDD`.
///
/// # Errors
/// [`QueryError::BadFilter`] if it is not such a date.
pub fn parse_day(name: &'static str, value: &str) -> Result<i64, QueryError> {
    let bad = || QueryError::BadFilter {
        name,
        value: value.to_string(),
        why: "expected a date as YYYY-MM-DD",
    };
    let b = value.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return Err(bad());
    }
    let num = |r: std::ops::Range<usize>| -> Result<i64, QueryError> {
        value[r].parse::<i64>().map_err(|_| bad())
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return Err(bad());
    }
    Ok(y * 10_000 + m * 100 + d)
}

/// The `YYYYMMDD` day of an ISO-8601 date string, if it starts with one.
pub fn day_of(date: &str) -> Option<i64> {
    date.get(..10).and_then(|d| parse_day("date", d).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(q: &str) -> Result<ParsedQuery, QueryError> {
        parse_query(&TextAnalyzer::default_analyzer(), q)
    }

    #[test]
    fn words_phrases_and_exclusions() {
        let q = parse("سورية \"بشار الأسد\" -روسيا").unwrap();
        assert_eq!(q.words.len(), 1);
        assert_eq!(q.phrases.len(), 1);
        assert_eq!(q.phrases[0].len(), 2);
        assert_eq!(q.excluded.len(), 1);
        let q2 = parse("سوريا «بشار الاسد» -روسية").unwrap();
        assert_eq!(q.words[0].terms[0], q2.words[0].terms[0]);
        assert_eq!(q.phrases, q2.phrases);
        assert_eq!(q.excluded[0].terms[0], q2.excluded[0].terms[0]);
    }

    #[test]
    fn a_one_word_phrase_is_a_word() {
        let q = parse("\"الأسد\"").unwrap();
        assert_eq!(q.words.len(), 1);
        assert!(q.phrases.is_empty());
    }

    #[test]
    fn bad_queries_say_why() {
        assert_eq!(parse("  ،.! "), Err(QueryError::Empty));
        assert_eq!(
            parse("سوريا \"بشار"),
            Err(QueryError::UnclosedQuote { at: 6 })
        );
        assert_eq!(parse("-روسيا"), Err(QueryError::OnlyExclusions));
        assert_eq!(parse(&"ا".repeat(3000)), Err(QueryError::TooLong));
        assert_eq!(
            parse(&"كلمة ".repeat(MAX_QUERY_WORDS + 1)),
            Err(QueryError::TooLong)
        );
    }

    #[test]
    fn a_hyphen_inside_a_word_is_not_an_exclusion() {
        let q = parse("كوريا-الشمالية").unwrap();
        assert!(q.excluded.is_empty());
        assert!(!q.words.is_empty());
    }

    #[test]
    fn days() {
        assert_eq!(parse_day("from", "2018-03-05"), Ok(20180305));
        assert!(parse_day("from", "2018-3-5").is_err());
        assert!(parse_day("from", "2018-13-01").is_err());
        assert_eq!(day_of("2018-02-23T10:37:34Z"), Some(20180223));
        assert_eq!(day_of("أمس"), None);
    }
}
