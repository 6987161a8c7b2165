//! The engine: the text layer, the embedded entity tagger and the story logic
//! behind one value that other programs build once and share across threads.

use crate::input::Document;
use khabar_core::{Analysis, AnalyzerOptions, TextAnalyzer};
use khabar_ner::{Entity, Recognizer};
use khabar_story::Mention;
use khabar_story::digest::{Digest, DigestDocument, DigestOptions, EntityTagger, build_digest};
use khabar_story::lexicon::DocFreq;
use khabar_story::quotes::{Quote, QuoteExtractor};
use khabar_story::terms::Prepared;

/// Errors of the engine.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    /// The embedded entity model could not be loaded (a corrupt build).
    #[error("the embedded named-entity model does not load: {0}")]
    Model(String),
    /// A text the text layer refuses (larger than spans can address).
    #[error(transparent)]
    Text(#[from] khabar_core::Error),
    /// The entity tagger failed on a text.
    #[error(transparent)]
    Ner(#[from] khabar_ner::Error),
    /// The story logic failed.
    #[error(transparent)]
    Story(#[from] khabar_story::Error),
}

/// Options of an [`Engine`].
#[derive(Clone, Debug)]
pub struct EngineOptions {
    /// Text-layer options (stemmer).
    pub analyzer: AnalyzerOptions,
    /// Find named entities with the embedded model (off: no entities, quotes still
    /// find title-phrase speakers).
    pub entities: bool,
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions {
            analyzer: AnalyzerOptions::default(),
            entities: true,
        }
    }
}

/// The whole pipeline, built once. `Send + Sync`: share one engine across threads.
///
/// ```
/// use khabar::{Document, Engine};
///
/// let engine = Engine::new(Default::default()).unwrap();
/// let text = "قال الرئيس الروسي فلاديمير بوتين إن “الخطوة التالية يجب ان تكون وقف اطلاق النار”.";
/// let entities = engine.entities(text).unwrap();
/// assert!(entities.iter().any(|e| &text[e.span.range()] == "فلاديمير بوتين"));
/// let quotes = engine.quotes(text).unwrap();
/// assert_eq!(quotes.len(), 1);
/// ```
pub struct Engine {
    analyzer: TextAnalyzer,
    recognizer: Option<&'static Recognizer>,
    quotes: QuoteExtractor,
}

impl Engine {
    /// Builds the engine (loads the embedded models).
    ///
    /// # Errors
    /// [`EngineError::Model`] if the embedded entity model does not load.
    pub fn new(options: EngineOptions) -> Result<Engine, EngineError> {
        let recognizer = if options.entities {
            Some(Recognizer::embedded().map_err(|e| EngineError::Model(e.to_string()))?)
        } else {
            None
        };
        Ok(Engine {
            analyzer: TextAnalyzer::new(options.analyzer),
            recognizer,
            quotes: QuoteExtractor::default(),
        })
    }

    /// The text layer.
    pub fn analyzer(&self) -> &TextAnalyzer {
        &self.analyzer
    }

    /// The entity tagger, if entities are on.
    pub fn recognizer(&self) -> Option<&'static Recognizer> {
        self.recognizer
    }

    /// Sentences, tokens, clitic segments and stems of `text`.
    ///
    /// # Errors
    /// [`EngineError::Text`] for a text larger than spans can address.
    pub fn analyze(&self, text: &str) -> Result<Analysis, EngineError> {
        Ok(self.analyzer.analyze(text)?)
    }

    /// Named entities of `text` with canonical keys (partial names linked within the text).
    /// Empty when entities are off.
    ///
    /// # Errors
    /// [`EngineError::Ner`] for a text larger than spans can address.
    pub fn entities(&self, text: &str) -> Result<Vec<Entity>, EngineError> {
        match self.recognizer {
            Some(r) => Ok(r.recognize_text(text)?),
            None => Ok(Vec::new()),
        }
    }

    /// Entity mentions of `text` in the form the story logic takes, sorted by span.
    ///
    /// # Errors
    /// As [`Engine::entities`].
    pub fn mentions(&self, text: &str) -> Result<Vec<Mention>, EngineError> {
        let mut m: Vec<Mention> = self.entities(text)?.into_iter().map(to_mention).collect();
        m.sort_by(|a, b| a.span.cmp(&b.span).then(a.key.cmp(&b.key)));
        Ok(m)
    }

    /// Quotes in `text`, with speakers resolved against its entity mentions.
    ///
    /// # Errors
    /// As [`Engine::entities`].
    pub fn quotes(&self, text: &str) -> Result<Vec<Quote>, EngineError> {
        let mentions = self.mentions(text)?;
        let analysis = self.analyze(text)?;
        Ok(self.quotes_with(text, analysis, &mentions))
    }

    /// Quotes in `text` given its analysis and mentions (when the caller has them already).
    pub fn quotes_with(&self, text: &str, analysis: Analysis, mentions: &[Mention]) -> Vec<Quote> {
        let prepared = Prepared::new(text, analysis, DocFreq::builtin());
        self.quotes.extract(&prepared, mentions)
    }

    /// The digest of a batch of documents: stories, summary lines with support,
    /// entities, quotes by speaker, statements several reports repeat.
    /// `stories` optionally gives the documents' grouping into stories (indices into `docs`).
    ///
    /// # Errors
    /// [`EngineError::Story`] for a text larger than spans can address.
    pub fn digest(
        &self,
        docs: &[Document],
        stories: Option<&[Vec<usize>]>,
        options: &DigestOptions,
    ) -> Result<Digest, EngineError> {
        Ok(build_digest(&digest_inputs(docs), self, stories, options)?)
    }
}

/// The digest's view of documents (id, text, title), borrowed: for callers that
/// build a digest with another [`EntityTagger`] than the engine.
pub fn digest_inputs(docs: &[Document]) -> Vec<DigestDocument<'_>> {
    docs.iter()
        .map(|d| DigestDocument {
            id: &d.id,
            text: &d.text,
            title: d.title.as_deref(),
        })
        .collect()
}

/// The engine tags entities for the digest with its embedded model.
impl EntityTagger for Engine {
    fn tag(&self, text: &str, _analysis: &Analysis) -> Vec<Mention> {
        // A text the tagger refuses has no entities; the digest reports the text error itself.
        self.mentions(text).unwrap_or_default()
    }
}

fn to_mention(e: Entity) -> Mention {
    Mention {
        span: e.span,
        label: e.ty.as_str().to_string(),
        key: e.key,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Engine>();
    }

    #[test]
    fn without_entities_quotes_still_find_title_speakers() {
        let engine = Engine::new(EngineOptions {
            entities: false,
            ..Default::default()
        })
        .unwrap();
        let text = "وقال الرئيس الروسي إن المحادثات ستعقد في أستانة.";
        assert!(engine.entities(text).unwrap().is_empty());
        let q = engine.quotes(text).unwrap();
        assert_eq!(q.len(), 1);
        assert_eq!(
            q[0].speaker.map(|s| &text[s.range()]),
            Some("الرئيس الروسي")
        );
    }

    #[test]
    fn digest_of_the_example_has_one_story_with_supported_lines() {
        let text = include_str!("../../../examples/multi-outlet-report.ar.txt");
        let engine = Engine::new(Default::default()).unwrap();
        let d = engine
            .digest(
                &[Document::new("example", text)],
                None,
                &DigestOptions::default(),
            )
            .unwrap();
        assert_eq!(d.stories.len(), 1);
        let s = &d.stories[0];
        assert!(
            s.summary.iter().any(|l| l.support >= 3),
            "a line carried by three reports"
        );
        assert!(s.quotes.iter().any(|q| q.speaker_key.contains("بوتين")));
    }
}
