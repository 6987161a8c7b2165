//! `analyze`: the text layer over documents, written as text, JSON, JSONL or CoNLL-U.
//!
//! Long documents are cut with [`khabar_core::chunk::chunk_ranges`] and each
//! piece analyzed alone, so a 200 MB line never needs 200 MB of tokens at once;
//! spans are shifted back to document offsets and sentence numbers continue
//! across pieces.

use crate::input::Document;
use khabar_core::{Analysis, SegmentKind, Span, TextAnalyzer, TokenKind};
use std::io::Write;
use std::sync::Arc;

/// Output formats of `analyze`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AnalyzeFormat {
    /// Human-readable: each sentence, then its words with clitics joined by `+`.
    Text,
    /// One JSON array of documents.
    Json,
    /// One JSON object per document per line.
    Jsonl,
    /// CoNLL-U with multiword-token lines for clitic-split words.
    Conllu,
}

/// Pieces longer than this are cut before analysis.
pub const CHUNK_BYTES: usize = 1 << 20;

/// A unit of work: one piece of one document.
pub struct Piece {
    /// The document (shared by all its pieces).
    pub doc: Arc<Document>,
    /// The byte range of the piece in the document text.
    pub range: std::ops::Range<usize>,
    /// True for the first piece of the document.
    pub first: bool,
    /// True for the last piece of the document.
    pub last: bool,
}

/// Splits a document into pieces of at most about [`CHUNK_BYTES`].
pub fn pieces(doc: Document) -> Vec<Piece> {
    pieces_of_size(doc, CHUNK_BYTES)
}

/// Splits a document into pieces of at most about `chunk_bytes`.
pub fn pieces_of_size(doc: Document, chunk_bytes: usize) -> Vec<Piece> {
    let doc = Arc::new(doc);
    let ranges = khabar_core::chunk::chunk_ranges(&doc.text, chunk_bytes);
    let n = ranges.len();
    ranges
        .into_iter()
        .enumerate()
        .map(|(i, range)| Piece {
            doc: doc.clone(),
            range,
            first: i == 0,
            last: i + 1 == n,
        })
        .collect()
}

/// The result of analyzing a piece: already formatted when it is a whole
/// document (sentence numbers known), else the analysis for the writer to format.
pub enum PieceResult {
    /// Formatted bytes of a whole document.
    Formatted(Vec<u8>),
    /// The analysis of a piece of a longer document.
    Analysis(Box<Analysis>),
}

/// Writes analyses in one format, keeping the state needed across pieces and documents.
pub struct AnalysisWriter {
    format: AnalyzeFormat,
    docs_written: u64,
    sentences_in_doc: u64,
}

impl AnalysisWriter {
    /// A writer for `format`.
    pub fn new(format: AnalyzeFormat) -> AnalysisWriter {
        AnalysisWriter {
            format,
            docs_written: 0,
            sentences_in_doc: 0,
        }
    }

    /// Analyzes a piece (the parallel part).
    pub fn work(&self, analyzer: &TextAnalyzer, piece: &Piece) -> PieceResult {
        let text = &piece.doc.text[piece.range.clone()];
        let analysis = analyzer.analyze(text).unwrap_or_default();
        if piece.first && piece.last {
            let mut buf = Vec::with_capacity(text.len() * 8);
            // Position in the run is not known here; `json` separators are added by `write`.
            let mut w = AnalysisWriter {
                format: self.format,
                docs_written: 1,
                sentences_in_doc: 0,
            };
            w.begin_doc(&mut buf, &piece.doc);
            w.write_sentences(&mut buf, &piece.doc, 0, &analysis);
            w.end_doc(&mut buf);
            PieceResult::Formatted(buf)
        } else {
            PieceResult::Analysis(Box::new(analysis))
        }
    }

    /// Writes the start of the run (`[` for JSON).
    pub fn begin_run(&mut self, out: &mut impl Write) -> std::io::Result<()> {
        if self.format == AnalyzeFormat::Json {
            out.write_all(b"[")?;
        }
        Ok(())
    }

    /// Writes the end of the run.
    pub fn end_run(&mut self, out: &mut impl Write) -> std::io::Result<()> {
        if self.format == AnalyzeFormat::Json {
            out.write_all(if self.docs_written == 0 {
                b"]\n"
            } else {
                b"\n]\n"
            })?;
        }
        Ok(())
    }

    /// Writes a piece's result (the sequential part), in input order.
    pub fn write(
        &mut self,
        out: &mut impl Write,
        piece: &Piece,
        result: PieceResult,
    ) -> std::io::Result<()> {
        if piece.first && self.format == AnalyzeFormat::Json {
            out.write_all(if self.docs_written == 0 {
                b"\n"
            } else {
                b",\n"
            })?;
        }
        match result {
            PieceResult::Formatted(bytes) => {
                out.write_all(&bytes)?;
                self.docs_written += 1;
            }
            PieceResult::Analysis(a) => {
                let mut buf = Vec::new();
                if piece.first {
                    self.sentences_in_doc = 0;
                    self.begin_doc(&mut buf, &piece.doc);
                }
                self.write_sentences(&mut buf, &piece.doc, piece.range.start as u32, &a);
                if piece.last {
                    self.end_doc(&mut buf);
                    self.docs_written += 1;
                }
                out.write_all(&buf)?;
            }
        }
        Ok(())
    }

    fn begin_doc(&mut self, buf: &mut Vec<u8>, doc: &Document) {
        self.sentences_in_doc = 0;
        match self.format {
            AnalyzeFormat::Text => {
                let _ = writeln!(buf, "# {}", doc.id);
            }
            AnalyzeFormat::Json | AnalyzeFormat::Jsonl => {
                buf.extend_from_slice(b"{\"id\":");
                json_str(buf, &doc.id);
                buf.extend_from_slice(b",\"sentences\":[");
            }
            AnalyzeFormat::Conllu => {
                let _ = writeln!(buf, "# newdoc id = {}", one_line(&doc.id));
            }
        }
    }

    fn end_doc(&mut self, buf: &mut Vec<u8>) {
        match self.format {
            AnalyzeFormat::Text => buf.push(b'\n'),
            AnalyzeFormat::Json => buf.extend_from_slice(b"]}"),
            AnalyzeFormat::Jsonl => buf.extend_from_slice(b"]}\n"),
            AnalyzeFormat::Conllu => {}
        }
    }

    fn write_sentences(&mut self, buf: &mut Vec<u8>, doc: &Document, offset: u32, a: &Analysis) {
        let text = &doc.text;
        for s in &a.sentences {
            self.sentences_in_doc += 1;
            let n = self.sentences_in_doc;
            let sspan = s.span.shifted(offset);
            match self.format {
                AnalyzeFormat::Text => {
                    let _ = writeln!(buf, "[{n}] {}", one_line(sspan.slice(text)));
                    buf.extend_from_slice(b"    ");
                    for (i, t) in a.tokens_of(s).iter().enumerate() {
                        if i > 0 {
                            buf.push(b' ');
                        }
                        let segs = a.segments_of(t);
                        if segs.len() > 1 {
                            for (j, sg) in segs.iter().enumerate() {
                                if j > 0 {
                                    buf.push(b'+');
                                }
                                let surface = sg.span.shifted(offset).slice(text);
                                buf.extend_from_slice(
                                    segment_display(a.form(sg), surface).as_bytes(),
                                );
                            }
                        } else {
                            buf.extend_from_slice(t.span.shifted(offset).slice(text).as_bytes());
                        }
                    }
                    buf.push(b'\n');
                }
                AnalyzeFormat::Json | AnalyzeFormat::Jsonl => {
                    if n > 1 {
                        buf.push(b',');
                    }
                    buf.extend_from_slice(b"{");
                    span_fields(buf, sspan);
                    buf.extend_from_slice(b",\"text\":");
                    json_str(buf, sspan.slice(text));
                    buf.extend_from_slice(b",\"tokens\":[");
                    for (i, t) in a.tokens_of(s).iter().enumerate() {
                        if i > 0 {
                            buf.push(b',');
                        }
                        let tspan = t.span.shifted(offset);
                        buf.extend_from_slice(b"{");
                        span_fields(buf, tspan);
                        buf.extend_from_slice(b",\"text\":");
                        json_str(buf, tspan.slice(text));
                        buf.extend_from_slice(b",\"kind\":\"");
                        buf.extend_from_slice(t.kind.as_str().as_bytes());
                        buf.extend_from_slice(b"\",\"norm\":");
                        json_str(buf, a.norm(t));
                        if t.kind.is_wordlike() {
                            buf.extend_from_slice(b",\"stem\":");
                            json_str(buf, a.stem(t));
                        }
                        let segs = a.segments_of(t);
                        if !segs.is_empty() {
                            buf.extend_from_slice(b",\"segments\":[");
                            for (j, sg) in segs.iter().enumerate() {
                                if j > 0 {
                                    buf.push(b',');
                                }
                                let gspan = sg.span.shifted(offset);
                                buf.extend_from_slice(b"{");
                                span_fields(buf, gspan);
                                buf.extend_from_slice(b",\"text\":");
                                json_str(buf, gspan.slice(text));
                                buf.extend_from_slice(b",\"form\":");
                                json_str(buf, a.form(sg));
                                buf.extend_from_slice(b",\"kind\":\"");
                                buf.extend_from_slice(segment_kind(sg.kind).as_bytes());
                                buf.extend_from_slice(b"\"}");
                            }
                            buf.push(b']');
                        }
                        buf.push(b'}');
                    }
                    buf.extend_from_slice(b"]}");
                }
                AnalyzeFormat::Conllu => {
                    let _ = writeln!(buf, "# sent_id = {}-{n}", one_line(&doc.id));
                    let _ = writeln!(buf, "# text = {}", one_line(sspan.slice(text)));
                    let toks = a.tokens_of(s);
                    let mut id = 0u32;
                    for (i, t) in toks.iter().enumerate() {
                        let tspan = t.span.shifted(offset);
                        let space_after =
                            toks.get(i + 1).is_none_or(|nx| nx.span.start > t.span.end);
                        let misc_tail = if space_after { "" } else { "|SpaceAfter=No" };
                        let segs = a.segments_of(t);
                        let form = conllu_field(tspan.slice(text));
                        if segs.len() > 1 {
                            let _ = writeln!(
                                buf,
                                "{}-{}\t{form}\t_\t_\t_\t_\t_\t_\t_\tTokenRange={}:{}{misc_tail}",
                                id + 1,
                                id + segs.len() as u32,
                                tspan.start,
                                tspan.end
                            );
                            for sg in segs {
                                id += 1;
                                let gspan = sg.span.shifted(offset);
                                let _ = writeln!(
                                    buf,
                                    "{id}\t{}\t_\t_\t_\t_\t_\t_\t_\tTokenRange={}:{}|Norm={}",
                                    conllu_field(gspan.slice(text)),
                                    gspan.start,
                                    gspan.end,
                                    conllu_field(a.form(sg))
                                );
                            }
                        } else {
                            id += 1;
                            let upos = match t.kind {
                                TokenKind::Punct => "PUNCT",
                                TokenKind::Number => "NUM",
                                TokenKind::Symbol => "SYM",
                                _ => "_",
                            };
                            let _ = writeln!(
                                buf,
                                "{id}\t{form}\t_\t{upos}\t_\t_\t_\t_\t_\tTokenRange={}:{}|Norm={}{misc_tail}",
                                tspan.start,
                                tspan.end,
                                conllu_field(a.norm(t))
                            );
                        }
                    }
                    buf.push(b'\n');
                }
            }
        }
    }
}

/// How a segment is shown to a reader: as written, except the article that
/// «للـ» elides, which is shown restored («ل+ال+مرة»).
pub fn segment_display<'a>(form: &'a str, surface: &'a str) -> &'a str {
    if form == "ال" && !surface.starts_with('ا') && !surface.starts_with(['أ', 'إ', 'آ', 'ٱ'])
    {
        form
    } else {
        surface
    }
}

fn segment_kind(k: SegmentKind) -> &'static str {
    match k {
        SegmentKind::Proclitic => "proclitic",
        SegmentKind::Stem => "stem",
        SegmentKind::Enclitic => "enclitic",
    }
}

fn span_fields(buf: &mut Vec<u8>, s: Span) {
    let _ = write!(buf, "\"start\":{},\"end\":{}", s.start, s.end);
}

/// Appends `s` as a JSON string.
pub fn json_str(buf: &mut Vec<u8>, s: &str) {
    // serde_json's escaping, written straight into the buffer.
    let _ = serde_json::to_writer(&mut *buf, s);
}

/// A one-line version of `s` for comment lines: line breaks and tabs become spaces.
pub fn one_line(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains([
        '\n', '\r', '\t', '\u{2028}', '\u{2029}', '\u{85}', '\u{0B}', '\u{0C}',
    ]) {
        std::borrow::Cow::Owned(
            s.chars()
                .map(|c| {
                    if matches!(
                        c,
                        '\n' | '\r'
                            | '\t'
                            | '\u{2028}'
                            | '\u{2029}'
                            | '\u{85}'
                            | '\u{0B}'
                            | '\u{0C}'
                    ) {
                        ' '
                    } else {
                        c
                    }
                })
                .collect(),
        )
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// A CoNLL-U field: no tabs or line breaks, never empty.
fn conllu_field(s: &str) -> std::borrow::Cow<'_, str> {
    if s.is_empty() {
        return std::borrow::Cow::Borrowed("_");
    }
    if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        std::borrow::Cow::Owned(
            s.chars()
                .map(|c| {
                    if c.is_whitespace() || c.is_control() {
                        '_'
                    } else {
                        c
                    }
                })
                .collect(),
        )
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(format: AnalyzeFormat, docs: Vec<Document>) -> String {
        run_chunked(format, docs, CHUNK_BYTES)
    }

    fn run_chunked(format: AnalyzeFormat, docs: Vec<Document>, chunk: usize) -> String {
        let analyzer = TextAnalyzer::default_analyzer();
        let mut w = AnalysisWriter::new(format);
        let mut out = Vec::new();
        w.begin_run(&mut out).unwrap();
        for d in docs {
            for p in pieces_of_size(d, chunk) {
                let r = w.work(&analyzer, &p);
                w.write(&mut out, &p, r).unwrap();
            }
        }
        w.end_run(&mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn json_is_valid_and_spans_slice_the_text() {
        let text = "واعلن الكرملين استعادة حلب. وقال بوتين “انتهت”.";
        let out = run(
            AnalyzeFormat::Json,
            vec![Document::new("a", text), Document::new("b", "")],
        );
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v.as_array().unwrap().len(), 2);
        let sents = v[0]["sentences"].as_array().unwrap();
        assert_eq!(sents.len(), 2);
        for s in sents {
            for t in s["tokens"].as_array().unwrap() {
                let (a, b) = (
                    t["start"].as_u64().unwrap() as usize,
                    t["end"].as_u64().unwrap() as usize,
                );
                assert_eq!(&text[a..b], t["text"].as_str().unwrap());
            }
        }
        assert_eq!(sents[0]["tokens"][1]["segments"][1]["form"], "كرملين");
    }

    #[test]
    fn conllu_has_multiword_tokens_and_ranges() {
        let out = run(
            AnalyzeFormat::Conllu,
            vec![Document::new("d", "وبالكرملين قال.")],
        );
        assert!(
            out.contains("# sent_id = d-1\n# text = وبالكرملين قال.\n"),
            "{out}"
        );
        assert!(
            out.contains("1-4\tوبالكرملين\t_\t_\t_\t_\t_\t_\t_\tTokenRange=0:20\n"),
            "{out}"
        );
        assert!(
            out.contains("4\tكرملين\t_\t_\t_\t_\t_\t_\t_\tTokenRange=8:20|Norm=كرملين\n"),
            "{out}"
        );
        assert!(
            out.contains("5\tقال\t_\t_\t_\t_\t_\t_\t_\tTokenRange=21:27|Norm=قال|SpaceAfter=No\n"),
            "{out}"
        );
        assert!(out.contains("6\t.\t_\tPUNCT"), "{out}");
    }

    #[test]
    fn chunked_documents_number_sentences_on() {
        let text = "جملة قصيرة هنا. ".repeat(2_000);
        let out = run_chunked(
            AnalyzeFormat::Jsonl,
            vec![Document::new("big", text.clone())],
            1000,
        );
        assert_eq!(out.lines().count(), 1);
        let v: serde_json::Value = serde_json::from_str(out.trim_end()).unwrap();
        let sents = v["sentences"].as_array().unwrap();
        assert_eq!(sents.len(), 2_000);
        let whole = run(
            AnalyzeFormat::Jsonl,
            vec![Document::new("big", text.clone())],
        );
        assert_eq!(out, whole);
        let last = sents.last().unwrap();
        let (a, b) = (
            last["start"].as_u64().unwrap() as usize,
            last["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(&text[a..b], "جملة قصيرة هنا.");
    }
}
