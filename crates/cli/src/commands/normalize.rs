//! `khabar normalize`: normalized text out.

use crate::common::{InputArgs, report_input, stdout};
use anyhow::{Result, anyhow};
use khabar_core::{Normalizer, Profile};
use std::io::Write;

/// Flags of `khabar normalize`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    input: InputArgs,
    /// `search` folds every orthographic variant (hamza on alef, ى, ة, harakat, tatweel, digits,
    /// Persian letters, quotes…); `display` only removes what never carries meaning.
    #[arg(long, default_value = "search", value_parser = ["search", "display"])]
    profile: String,
}

pub fn run(args: Args) -> Result<()> {
    let profile = Profile::by_name(&args.profile)
        .ok_or_else(|| anyhow!("unknown profile {}", args.profile))?;
    let normalizer = Normalizer::new(profile);
    let (mut reader, pb) = args.input.open()?;
    let mut out = stdout();
    for doc in reader.by_ref() {
        let doc = doc?;
        let norm = normalizer.normalize(&doc.text);
        if doc.origin.line.is_some() {
            // JSONL in, JSONL out: the same id with the normalized text.
            serde_json::to_writer(&mut out, &serde_json::json!({ "id": doc.id, "text": norm }))?;
            out.write_all(b"\n")?;
        } else {
            out.write_all(norm.as_bytes())?;
        }
        pb.inc(doc.text.len() as u64);
    }
    out.flush()?;
    pb.finish_and_clear();
    report_input(reader.stats());
    Ok(())
}
