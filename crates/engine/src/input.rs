//! Reading documents: plain-text files, folders (recursive), JSONL and stdin.
//!
//! Nothing is dropped silently. Invalid UTF-8 is an error naming the file and
//! the byte offset (or, in lossy mode, is replaced and counted); a JSONL line
//! that is not a JSON object with a string text field is an error naming the
//! file and line (or, with `skip_bad`, is counted and reported). A text file
//! keeps its BOM, so spans stay byte offsets into the file itself.

use serde_json::Value;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// Where a document came from, for error messages and ids.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Origin {
    /// The file, or `None` for standard input.
    pub path: Option<PathBuf>,
    /// 1-based line number for JSONL input.
    pub line: Option<u64>,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.path {
            Some(p) => write!(f, "{}", p.display())?,
            None => write!(f, "<stdin>")?,
        }
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
        }
        Ok(())
    }
}

/// One document to analyze.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document {
    /// Its id: the JSONL id field, or the file path for text files.
    pub id: String,
    /// The original text. Every span refers to it.
    pub text: String,
    /// Optional headline.
    pub title: Option<String>,
    /// Optional publication date (as given; ISO 8601 expected).
    pub date: Option<String>,
    /// Optional outlet name.
    pub source: Option<String>,
    /// Optional URL.
    pub url: Option<String>,
    /// Where it was read from.
    pub origin: Origin,
}

impl Document {
    /// A document from a string (for library users and tests).
    pub fn new(id: impl Into<String>, text: impl Into<String>) -> Document {
        Document {
            id: id.into(),
            text: text.into(),
            title: None,
            date: None,
            source: None,
            url: None,
            origin: Origin {
                path: None,
                line: None,
            },
        }
    }
}

/// How input files are interpreted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum InputFormat {
    /// By extension (`.jsonl`, `.ndjson` are JSONL; everything else text); stdin is
    /// JSONL if its first non-blank byte is `{`.
    #[default]
    Auto,
    /// Each file (or stdin) is one document.
    Text,
    /// One JSON object per line.
    Jsonl,
}

/// Options of a [`DocumentReader`].
#[derive(Clone, Debug)]
pub struct InputOptions {
    /// How to read files.
    pub format: InputFormat,
    /// JSONL field holding the id (default `id`).
    pub id_field: String,
    /// JSONL field holding the text (default `text`).
    pub text_field: String,
    /// Replace invalid UTF-8 with U+FFFD instead of failing, and count replacements.
    pub lossy: bool,
    /// Skip JSONL lines that are not valid documents instead of failing, and count them.
    pub skip_bad: bool,
}

impl Default for InputOptions {
    fn default() -> Self {
        InputOptions {
            format: InputFormat::Auto,
            id_field: "id".into(),
            text_field: "text".into(),
            lossy: false,
            skip_bad: false,
        }
    }
}

/// An input error: what went wrong and where. The CLI prints it and exits non-zero.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InputError {
    /// The path does not exist or cannot be read.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The bytes are not UTF-8.
    #[error(
        "{origin}: invalid UTF-8 at byte offset {offset} (use --lossy to replace invalid bytes)"
    )]
    InvalidUtf8 {
        /// File (and line).
        origin: Origin,
        /// Byte offset of the first invalid byte, from the start of the file.
        offset: u64,
    },
    /// A JSONL line that is not a valid document.
    #[error("{origin}: {message} (use --skip-bad to skip such lines)")]
    BadLine {
        /// File and line.
        origin: Origin,
        /// What is wrong.
        message: String,
    },
}

/// What a reader saw besides documents; the CLI reports it on stderr.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InputStats {
    /// Documents produced.
    pub documents: u64,
    /// Bytes of input read.
    pub bytes: u64,
    /// Invalid UTF-8 sequences replaced (lossy mode).
    pub replaced: u64,
    /// Lines skipped (skip-bad mode), with the first few reasons.
    pub skipped_lines: u64,
    /// Up to 20 skipped lines: where and why.
    pub skipped_examples: Vec<String>,
    /// Files in folders not read because of their extension.
    pub ignored_files: Vec<PathBuf>,
}

/// One source of input: a path or stdin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// A file or folder.
    Path(PathBuf),
    /// Standard input.
    Stdin,
}

impl Source {
    /// `-` is stdin, anything else a path.
    pub fn parse(s: &str) -> Source {
        if s == "-" {
            Source::Stdin
        } else {
            Source::Path(PathBuf::from(s))
        }
    }
}

/// Extensions read when walking a folder.
const FOLDER_EXTENSIONS: &[&str] = &["txt", "text", "jsonl", "ndjson"];

/// Expands folders into their files (recursively, sorted by path), keeping files
/// and stdin as given. Files in folders with other extensions are returned as ignored.
pub fn expand_sources(sources: &[Source]) -> Result<(Vec<Source>, Vec<PathBuf>), InputError> {
    let mut out = Vec::new();
    let mut ignored = Vec::new();
    for s in sources {
        match s {
            Source::Stdin => out.push(Source::Stdin),
            Source::Path(p) => {
                let meta = std::fs::metadata(p).map_err(|e| InputError::Io {
                    path: p.display().to_string(),
                    source: e,
                })?;
                if meta.is_dir() {
                    let mut files = Vec::new();
                    walk(p, &mut files)?;
                    files.sort();
                    for f in files {
                        let ext = f
                            .extension()
                            .and_then(|e| e.to_str())
                            .unwrap_or("")
                            .to_ascii_lowercase();
                        if FOLDER_EXTENSIONS.contains(&ext.as_str()) {
                            out.push(Source::Path(f));
                        } else {
                            ignored.push(f);
                        }
                    }
                } else {
                    out.push(Source::Path(p.clone()));
                }
            }
        }
    }
    Ok((out, ignored))
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), InputError> {
    let rd = std::fs::read_dir(dir).map_err(|e| InputError::Io {
        path: dir.display().to_string(),
        source: e,
    })?;
    for entry in rd {
        let entry = entry.map_err(|e| InputError::Io {
            path: dir.display().to_string(),
            source: e,
        })?;
        let path = entry.path();
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let ft = entry.file_type().map_err(|e| InputError::Io {
            path: path.display().to_string(),
            source: e,
        })?;
        if ft.is_dir() {
            walk(&path, out)?;
        } else if ft.is_file() || ft.is_symlink() {
            out.push(path);
        }
    }
    Ok(())
}

/// Reads documents from sources, one at a time, so memory does not grow with
/// the number of documents.
pub struct DocumentReader {
    sources: std::vec::IntoIter<Source>,
    options: InputOptions,
    current: Option<Current>,
    stats: InputStats,
    failed: bool,
}

enum Current {
    Jsonl {
        reader: Box<dyn BufRead + Send>,
        path: Option<PathBuf>,
        line: u64,
        offset: u64,
    },
}

impl DocumentReader {
    /// A reader over `sources` (folders expanded first; see [`expand_sources`]).
    pub fn new(sources: &[Source], options: InputOptions) -> Result<DocumentReader, InputError> {
        let (expanded, ignored) = expand_sources(sources)?;
        let stats = InputStats {
            ignored_files: ignored,
            ..InputStats::default()
        };
        Ok(DocumentReader {
            sources: expanded.into_iter(),
            options,
            current: None,
            stats,
            failed: false,
        })
    }

    /// Sizes of the file sources in bytes (for a progress bar); `None` if stdin is among them.
    pub fn total_bytes(sources: &[Source]) -> Option<u64> {
        let (expanded, _) = expand_sources(sources).ok()?;
        let mut total = 0;
        for s in &expanded {
            match s {
                Source::Stdin => return None,
                Source::Path(p) => total += std::fs::metadata(p).ok()?.len(),
            }
        }
        Some(total)
    }

    /// What was read so far.
    pub fn stats(&self) -> &InputStats {
        &self.stats
    }

    fn decode(
        &mut self,
        bytes: Vec<u8>,
        origin: &Origin,
        base_offset: u64,
    ) -> Result<String, InputError> {
        match String::from_utf8(bytes) {
            Ok(s) => Ok(s),
            Err(e) => {
                if self.options.lossy {
                    let bytes = e.into_bytes();
                    let s = String::from_utf8_lossy(&bytes);
                    // Count replaced sequences: U+FFFD in the result that were not in the input.
                    let in_input = count_replacement_chars(&bytes);
                    let out = s.matches('\u{FFFD}').count() as u64;
                    self.stats.replaced += out.saturating_sub(in_input);
                    Ok(s.into_owned())
                } else {
                    let offset = base_offset + e.utf8_error().valid_up_to() as u64;
                    Err(InputError::InvalidUtf8 {
                        origin: origin.clone(),
                        offset,
                    })
                }
            }
        }
    }

    fn open_next(&mut self) -> Result<Option<Document>, InputError> {
        let Some(src) = self.sources.next() else {
            return Ok(None);
        };
        let (path, mut reader): (Option<PathBuf>, Box<dyn BufRead + Send>) = match &src {
            Source::Stdin => (
                None,
                Box::new(BufReader::with_capacity(1 << 20, std::io::stdin())),
            ),
            Source::Path(p) => {
                let f = File::open(p).map_err(|e| InputError::Io {
                    path: p.display().to_string(),
                    source: e,
                })?;
                (
                    Some(p.clone()),
                    Box::new(BufReader::with_capacity(1 << 20, f)),
                )
            }
        };
        let is_jsonl = match self.options.format {
            InputFormat::Jsonl => true,
            InputFormat::Text => false,
            InputFormat::Auto => match &path {
                Some(p) => matches!(
                    p.extension()
                        .and_then(|e| e.to_str())
                        .map(|e| e.to_ascii_lowercase())
                        .as_deref(),
                    Some("jsonl" | "ndjson")
                ),
                None => {
                    let buf = reader.fill_buf().map_err(|e| InputError::Io {
                        path: "<stdin>".into(),
                        source: e,
                    })?;
                    let first = buf
                        .iter()
                        .copied()
                        .skip_while(|b| b.is_ascii_whitespace())
                        .find(|_| true);
                    // Also skip a BOM.
                    let first = if buf.starts_with(b"\xEF\xBB\xBF") {
                        buf[3..].iter().copied().find(|b| !b.is_ascii_whitespace())
                    } else {
                        first
                    };
                    first == Some(b'{')
                }
            },
        };
        if is_jsonl {
            self.current = Some(Current::Jsonl {
                reader,
                path,
                line: 0,
                offset: 0,
            });
            return self.next_jsonl();
        }
        // A whole text file (or stdin) is one document.
        let mut bytes = Vec::new();
        let pname = path
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "<stdin>".into());
        reader.read_to_end(&mut bytes).map_err(|e| InputError::Io {
            path: pname.clone(),
            source: e,
        })?;
        self.stats.bytes += bytes.len() as u64;
        if bytes.is_empty() {
            // An empty file has no document; go on with the next source.
            return self.open_next();
        }
        let origin = Origin {
            path: path.clone(),
            line: None,
        };
        let text = self.decode(bytes, &origin, 0)?;
        self.stats.documents += 1;
        Ok(Some(Document {
            id: pname,
            text,
            title: None,
            date: None,
            source: None,
            url: None,
            origin,
        }))
    }

    fn next_jsonl(&mut self) -> Result<Option<Document>, InputError> {
        loop {
            let Some(Current::Jsonl {
                reader,
                path,
                line,
                offset,
            }) = self.current.as_mut()
            else {
                return self.open_next();
            };
            let mut buf = Vec::new();
            let pname = path
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| "<stdin>".into());
            let n = reader
                .read_until(b'\n', &mut buf)
                .map_err(|e| InputError::Io {
                    path: pname,
                    source: e,
                })?;
            if n == 0 {
                self.current = None;
                return self.open_next();
            }
            *line += 1;
            let line_no = *line;
            let line_offset = *offset;
            *offset += n as u64;
            let origin = Origin {
                path: path.clone(),
                line: Some(line_no),
            };
            self.stats.bytes += n as u64;
            // Strip the line end and a BOM on the first line.
            while buf.last().is_some_and(|&b| b == b'\n' || b == b'\r') {
                buf.pop();
            }
            let mut start = 0usize;
            if line_no == 1 && buf.starts_with(b"\xEF\xBB\xBF") {
                start = 3;
            }
            if buf[start..].iter().all(|b| b.is_ascii_whitespace()) {
                continue;
            }
            let json_bytes = buf.split_off(start);
            let text = self.decode(json_bytes, &origin, line_offset + start as u64)?;
            match self.parse_line(&text, &origin) {
                Ok(doc) => {
                    self.stats.documents += 1;
                    return Ok(Some(doc));
                }
                Err(message) => {
                    if self.options.skip_bad {
                        self.stats.skipped_lines += 1;
                        if self.stats.skipped_examples.len() < 20 {
                            self.stats
                                .skipped_examples
                                .push(format!("{origin}: {message}"));
                        }
                        continue;
                    }
                    return Err(InputError::BadLine { origin, message });
                }
            }
        }
    }

    fn parse_line(&self, line: &str, origin: &Origin) -> Result<Document, String> {
        let v: Value = serde_json::from_str(line).map_err(|e| format!("not valid JSON ({e})"))?;
        let Value::Object(mut obj) = v else {
            return Err("not a JSON object".into());
        };
        let text = match obj.remove(&self.options.text_field) {
            Some(Value::String(s)) => s,
            Some(Value::Null) | None => {
                return Err(format!("no \"{}\" field", self.options.text_field));
            }
            Some(_) => {
                return Err(format!(
                    "field \"{}\" is not a string",
                    self.options.text_field
                ));
            }
        };
        let id = match obj.remove(&self.options.id_field) {
            Some(Value::String(s)) => s,
            Some(Value::Number(n)) => n.to_string(),
            Some(Value::Null) | None => origin.to_string(),
            Some(_) => {
                return Err(format!(
                    "field \"{}\" is not a string or number",
                    self.options.id_field
                ));
            }
        };
        let mut take = |k: &str| match obj.remove(k) {
            Some(Value::String(s)) => Some(s),
            _ => None,
        };
        Ok(Document {
            id,
            text,
            title: take("title"),
            date: take("date"),
            source: take("source"),
            url: take("url"),
            origin: origin.clone(),
        })
    }
}

fn count_replacement_chars(bytes: &[u8]) -> u64 {
    memchr::memmem::find_iter(bytes, "\u{FFFD}".as_bytes()).count() as u64
}

impl Iterator for DocumentReader {
    type Item = Result<Document, InputError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let r = if self.current.is_some() {
            self.next_jsonl()
        } else {
            self.open_next()
        };
        match r {
            Ok(Some(d)) => Some(Ok(d)),
            Ok(None) => None,
            Err(e) => {
                self.failed = true;
                Some(Err(e))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
        let p = dir.join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::File::create(&p).unwrap().write_all(bytes).unwrap();
        p
    }

    fn read_all(
        sources: &[Source],
        opts: InputOptions,
    ) -> (Vec<Result<Document, String>>, InputStats) {
        let mut r = DocumentReader::new(sources, opts).unwrap();
        let docs: Vec<_> = r.by_ref().map(|d| d.map_err(|e| e.to_string())).collect();
        (docs, r.stats().clone())
    }

    #[test]
    fn folders_are_walked_in_path_order() {
        let d = tempfile::tempdir().unwrap();
        write(d.path(), "b.txt", "بوتين".as_bytes());
        write(d.path(), "a/c.txt", "حلب".as_bytes());
        write(d.path(), "a/x.bin", b"\x00\x01");
        write(
            d.path(),
            "z.jsonl",
            br#"{"id":"j1","text":"t1"}
{"id":"j2","text":"t2","source":"bbc"}
"#,
        );
        let (docs, stats) = read_all(
            &[Source::Path(d.path().to_path_buf())],
            InputOptions::default(),
        );
        let ids: Vec<String> = docs
            .iter()
            .map(|d| d.as_ref().unwrap().text.clone())
            .collect();
        assert_eq!(ids, ["حلب", "بوتين", "t1", "t2"]);
        assert_eq!(stats.ignored_files.len(), 1);
        assert_eq!(docs[3].as_ref().unwrap().source.as_deref(), Some("bbc"));
    }

    #[test]
    fn invalid_utf8_names_file_and_offset() {
        let d = tempfile::tempdir().unwrap();
        let p = write(d.path(), "bad.txt", b"abc\xFFdef");
        let (docs, _) = read_all(&[Source::Path(p.clone())], InputOptions::default());
        let e = docs[0].as_ref().unwrap_err();
        assert!(e.contains("bad.txt") && e.contains("byte offset 3"), "{e}");
        let (docs, stats) = read_all(
            &[Source::Path(p)],
            InputOptions {
                lossy: true,
                ..Default::default()
            },
        );
        assert_eq!(docs[0].as_ref().unwrap().text, "abc\u{FFFD}def");
        assert_eq!(stats.replaced, 1);
    }

    #[test]
    fn invalid_utf8_in_jsonl_names_line_and_file_offset() {
        let d = tempfile::tempdir().unwrap();
        let p = write(
            d.path(),
            "bad.jsonl",
            b"{\"text\":\"a\"}\n{\"text\":\"\xC3\"}\n",
        );
        let (docs, _) = read_all(&[Source::Path(p)], InputOptions::default());
        let e = docs[1].as_ref().unwrap_err();
        assert!(
            e.contains("bad.jsonl:2") && e.contains("byte offset 22"),
            "{e}"
        );
    }

    #[test]
    fn bad_jsonl_lines_fail_or_are_counted() {
        let d = tempfile::tempdir().unwrap();
        let p = write(d.path(), "x.jsonl", b"{\"id\":1,\"text\":\"a\"}\nnot json\n[1]\n{\"id\":\"n\"}\n{\"text\":5}\n{\"id\":\"last\",\"text\":\"trunc");
        let (docs, _) = read_all(&[Source::Path(p.clone())], InputOptions::default());
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].as_ref().unwrap().id, "1");
        let e = docs[1].as_ref().unwrap_err();
        assert!(
            e.contains("x.jsonl:2") && e.contains("not valid JSON"),
            "{e}"
        );
        let (docs, stats) = read_all(
            &[Source::Path(p)],
            InputOptions {
                skip_bad: true,
                ..Default::default()
            },
        );
        assert_eq!(docs.len(), 1);
        assert_eq!(stats.skipped_lines, 5);
        assert!(
            stats.skipped_examples[4].contains(":6"),
            "{:?}",
            stats.skipped_examples
        );
    }

    #[test]
    fn configurable_fields_and_bom() {
        let d = tempfile::tempdir().unwrap();
        let p = write(
            d.path(),
            "x.jsonl",
            "\u{FEFF}{\"key\":\"k\",\"body\":\"نص\"}\n\n".as_bytes(),
        );
        let opts = InputOptions {
            id_field: "key".into(),
            text_field: "body".into(),
            ..Default::default()
        };
        let (docs, _) = read_all(&[Source::Path(p)], opts);
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0].as_ref().unwrap().id, "k");
        // A text file keeps its BOM so offsets are file offsets.
        let t = write(d.path(), "bom.txt", "\u{FEFF}نص".as_bytes());
        let (docs, _) = read_all(&[Source::Path(t)], InputOptions::default());
        assert_eq!(docs[0].as_ref().unwrap().text, "\u{FEFF}نص");
    }

    #[test]
    fn empty_files_give_no_documents() {
        let d = tempfile::tempdir().unwrap();
        let a = write(d.path(), "e.txt", b"");
        let b = write(d.path(), "e.jsonl", b"");
        let (docs, _) = read_all(&[Source::Path(a), Source::Path(b)], InputOptions::default());
        assert!(docs.is_empty());
    }

    #[test]
    fn missing_path_is_an_error() {
        let e = DocumentReader::new(
            &[Source::Path("/nonexistent/khabar".into())],
            InputOptions::default(),
        )
        .err()
        .unwrap();
        assert!(e.to_string().contains("/nonexistent/khabar"));
    }
}
