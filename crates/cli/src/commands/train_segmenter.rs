//! `khabar train segmenter`: learn the clitic model from unlabeled news.

use anyhow::{Context, Result, bail};
use khabar::{DocumentReader, InputOptions, Source};
use khabar_core::clitics::train::{TrainOptions, Vocabulary, train};
use std::path::PathBuf;
use std::time::Instant;

/// Flags of `khabar train segmenter`.
#[derive(clap::Args, Debug)]
pub struct SegmenterArgs {
    /// Corpus files or folders (folders are read recursively, sorted by path).
    #[arg(long, required = true, num_args = 1.., value_name = "PATH")]
    corpus: Vec<String>,
    /// Where to write the model file.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Override a training option, NAME=VALUE (e.g. `bias.waw=-2.5`); see docs/CLITICS.md.
    #[arg(long = "set", value_name = "NAME=VALUE")]
    set: Vec<String>,
    /// Replace invalid UTF-8 with U+FFFD instead of failing.
    #[arg(long)]
    lossy: bool,
}

pub fn segmenter(args: SegmenterArgs) -> Result<()> {
    let mut opts = TrainOptions::default();
    for s in &args.set {
        let Some((k, v)) = s.split_once('=') else {
            bail!("--set {s:?}: expected NAME=VALUE");
        };
        opts.set(k.trim(), v.trim())
            .map_err(|e| anyhow::anyhow!("--set: {e}"))?;
    }
    // Folders contribute their JSONL files only (not READMEs or scripts); files given
    // by name are read whatever their extension.
    let mut files = Vec::new();
    for p in &args.corpus {
        let src = Source::parse(p);
        let from_folder = std::path::Path::new(p).is_dir();
        let (expanded, _) = khabar::input::expand_sources(std::slice::from_ref(&src))?;
        files.extend(expanded.into_iter().filter(|f| {
            !from_folder
                || matches!(f, Source::Path(q) if q
                    .extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("jsonl") || e.eq_ignore_ascii_case("ndjson")))
        }));
    }
    // The manifest names the corpus files (not their full paths, so the model
    // does not depend on where the corpus was checked out) and their sizes.
    let mut names = Vec::new();
    for f in &files {
        if let Source::Path(p) = f {
            let size = std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
            let parent = p
                .parent()
                .and_then(|d| d.file_name())
                .map(|d| d.to_string_lossy().into_owned())
                .unwrap_or_default();
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            names.push(format!("{parent}/{name} ({size} bytes)"));
        }
    }
    if names.is_empty() {
        bail!("no corpus files found in {}", args.corpus.join(", "));
    }
    opts.corpus = names.join(", ");
    let t0 = Instant::now();
    let options = InputOptions {
        lossy: args.lossy,
        ..InputOptions::default()
    };
    let mut reader = DocumentReader::new(&files, options)?;
    let mut vocab = Vocabulary::new();
    for doc in reader.by_ref() {
        let doc = doc?;
        vocab.add_document(doc.title.as_deref(), &doc.text);
    }
    crate::common::report_input(reader.stats());
    let t_count = t0.elapsed();
    let trained = train(&vocab, &opts);
    let t_train = t0.elapsed() - t_count;
    std::fs::write(&args.out, &trained.bytes)
        .with_context(|| format!("writing {}", args.out.display()))?;
    let r = &trained.report;
    eprintln!(
        "khabar: trained on {} documents, {} words ({} distinct, {} ambiguous); rounds changed {:?}",
        r.documents, r.tokens, r.types, r.ambiguous, r.changed
    );
    eprintln!(
        "khabar: wrote {} ({} bytes: {} words, {} stems, {} lemma keys); counting {:.1}s, training {:.1}s",
        args.out.display(),
        trained.bytes.len(),
        r.stored_words,
        r.stems,
        r.lemmas,
        t_count.as_secs_f64(),
        t_train.as_secs_f64()
    );
    Ok(())
}
