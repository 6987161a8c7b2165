#!/usr/bin/env bash
# Evaluations on the real gold data in ../shared/data (not needed by the tests).
# Usage: bash scripts/eval.sh   (from the repository root; KHABAR_SHARED overrides ../shared)
set -euo pipefail
cd "$(dirname "$0")/.."
shared="${KHABAR_SHARED:-../shared}"
# KHABAR_PROFILE picks the cargo profile (CI uses `ci`: optimized, no LTO, quicker to build).
profile="${KHABAR_PROFILE:-release}"
cargo build --profile "$profile" --locked -p khabar-cli
bin="target/$profile/khabar"
echo "== clitic segmentation (WikiNews gold, clitic level)"
"$bin" eval segment --gold "$shared/data/wikinews_farasa/wikinews-shared.jsonl" --errors 20
echo "== NER: recipe on the dev cut (train dev_split/train.txt, clusters from ant_multisource, score dev_split/dev.txt)"
"$bin" train ner --train "$shared/data/anercorp_camellab/dev_split/train.txt" \
  --dev "$shared/data/anercorp_camellab/dev_split/dev.txt" \
  --unlabeled "$shared"/data/ant_multisource/articles-2018-0{3,4,5}.jsonl --out target/ner-devcut.khner
echo "== NER: 2018 news check set (testdata/ner, 202 hand-labelled ANT sentences): embedded model, then the dev-cut model"
mkdir -p target/ner-check
python3 testdata/ner/select_tokenize.py "$shared/data/ant_multisource" > target/ner-check/sentences.tsv
python3 testdata/ner/build_conll.py target/ner-check/sentences.tsv testdata/ner/annotations.tsv target/ner-check
python3 testdata/ner/check_conll.py target/ner-check/ant-ner-check.conll | tail -1
"$bin" eval ner --gold target/ner-check/ant-ner-check.conll
"$bin" eval ner --gold target/ner-check/ant-ner-check.conll --model target/ner-devcut.khner
echo "== Stories: pairwise P/R/F1 on testdata/stories/pairs.jsonl (tune and check splits), text only"
"$bin" eval stories --pairs testdata/stories/pairs.jsonl --data "$shared/data/ant_multisource" "$shared/data/saudinewsnet"
echo "== Quotes: speaker and content spans against testdata/quotes (35 ANT articles)"
"$bin" eval quotes --gold testdata/quotes/ant-quotes.gold.jsonl --data "$shared/data/ant_multisource" --split all
echo "== Summaries: EASC ROUGE-1/2 of khabar, lead-k, sumy LexRank/TextRank at equal budgets"
# sumy runs from a Python venv made here on first use (KHABAR_PYTHON overrides it).
python="${KHABAR_PYTHON:-}"
if [ -z "$python" ]; then
  venv="target/eval-venv"
  if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import sumy, pyarabic, numpy" 2>/dev/null; then
    python3 -m venv "$venv" && "$venv/bin/pip" install -q sumy==0.13.0 pyarabic==0.6.15 numpy \
      || echo "eval.sh: could not install sumy; the summary table will lack LexRank/TextRank" >&2
  fi
  python="$venv/bin/python"
fi
KHABAR_BIN="$bin" bash bench/summarize.sh "$shared" "$python"
echo "== search: known-item recall under spelling variation (khabar vs tantivy default vs SQLite FTS5)"
"$bin" eval search --data "$shared/data/ant_multisource" --queries 200 --seed 2018
