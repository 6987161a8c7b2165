//! Flags and helpers shared by the subcommands: inputs, progress, reporting.

use anyhow::{Result, bail};
use indicatif::{ProgressBar, ProgressStyle};
use khabar::{DocumentReader, InputFormat, InputOptions, InputStats, Source};
use std::io::IsTerminal;

/// Where documents come from and how to read them.
#[derive(clap::Args, Debug, Clone)]
pub struct InputArgs {
    /// Files, folders (read recursively) or `-` for stdin. Default: stdin.
    #[arg(value_name = "PATH")]
    pub paths: Vec<String>,
    /// How to read inputs: `auto` (by extension; `.jsonl`/`.ndjson` are JSONL), `text` or `jsonl`.
    #[arg(long, value_name = "FORMAT", default_value = "auto", value_parser = ["auto", "text", "jsonl"])]
    pub input_format: String,
    /// JSONL field with the document id.
    #[arg(long, default_value = "id")]
    pub id_field: String,
    /// JSONL field with the document text.
    #[arg(long, default_value = "text")]
    pub text_field: String,
    /// Replace invalid UTF-8 with U+FFFD (and report how many) instead of failing.
    #[arg(long)]
    pub lossy: bool,
    /// Skip JSONL lines that are not valid documents (and report them) instead of failing.
    #[arg(long)]
    pub skip_bad: bool,
}

impl InputArgs {
    /// The sources, stdin if none were given (an error if stdin is a terminal).
    pub fn sources(&self) -> Result<Vec<Source>> {
        if self.paths.is_empty() {
            if std::io::stdin().is_terminal() {
                bail!(
                    "no input: give files or folders, or pipe text into stdin (use `-` for stdin)"
                );
            }
            return Ok(vec![Source::Stdin]);
        }
        Ok(self.paths.iter().map(|p| Source::parse(p)).collect())
    }

    /// Reader options from the flags.
    pub fn options(&self) -> InputOptions {
        InputOptions {
            format: match self.input_format.as_str() {
                "text" => InputFormat::Text,
                "jsonl" => InputFormat::Jsonl,
                _ => InputFormat::Auto,
            },
            id_field: self.id_field.clone(),
            text_field: self.text_field.clone(),
            lossy: self.lossy,
            skip_bad: self.skip_bad,
        }
    }

    /// A reader and a progress bar sized to the inputs.
    pub fn open(&self) -> Result<(DocumentReader, ProgressBar)> {
        let sources = self.sources()?;
        let total = DocumentReader::total_bytes(&sources);
        let reader = DocumentReader::new(&sources, self.options())?;
        Ok((reader, progress_bar(total)))
    }
}

/// A progress bar on stderr, hidden unless stderr is a terminal.
pub fn progress_bar(total_bytes: Option<u64>) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    match total_bytes {
        Some(t) => {
            let pb = ProgressBar::new(t);
            pb.set_style(
                ProgressStyle::with_template("{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} ({bytes_per_sec}, {eta}) {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            pb
        }
        None => {
            let pb = ProgressBar::new_spinner();
            pb.set_style(
                ProgressStyle::with_template(
                    "{spinner} [{elapsed_precise}] {bytes} ({bytes_per_sec}) {msg}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            pb
        }
    }
}

/// Reports on stderr what the reader replaced, skipped or ignored.
pub fn report_input(stats: &InputStats) {
    if stats.replaced > 0 {
        eprintln!(
            "khabar: replaced {} invalid UTF-8 sequence(s) with U+FFFD (--lossy)",
            stats.replaced
        );
    }
    if stats.skipped_lines > 0 {
        eprintln!(
            "khabar: skipped {} bad JSONL line(s) (--skip-bad):",
            stats.skipped_lines
        );
        for e in &stats.skipped_examples {
            eprintln!("  {e}");
        }
        if stats.skipped_lines > stats.skipped_examples.len() as u64 {
            eprintln!("  …");
        }
    }
    if !stats.ignored_files.is_empty() {
        eprintln!(
            "khabar: ignored {} file(s) in folders that are not .txt/.text/.jsonl/.ndjson, e.g. {}",
            stats.ignored_files.len(),
            stats.ignored_files[0].display()
        );
    }
}

/// True if the error chain is a broken pipe (the reader of our stdout went away).
pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// A buffered stdout.
pub fn stdout() -> std::io::BufWriter<std::io::StdoutLock<'static>> {
    std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock())
}
