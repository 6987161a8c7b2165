//! `khabar eval`: evaluations against gold data (run by `scripts/eval.sh`).

use anyhow::Result;

/// Evaluations.
#[derive(clap::Subcommand, Debug)]
pub enum EvalCommand {
    /// Quote attribution against a labelled set: precision and recall of speaker and
    /// content spans (exact and overlapping).
    Quotes(super::eval_quotes::Args),
    /// Extractive summaries on EASC: ROUGE-1/2 of khabar, lead-k and summaries from other
    /// systems, at each reference's word budget.
    Summary(super::eval_summary::Args),
}

pub fn run(cmd: EvalCommand) -> Result<()> {
    match cmd {
        EvalCommand::Quotes(a) => super::eval_quotes::run(a),
        EvalCommand::Summary(a) => super::eval_summary::run(a),
    }
}
