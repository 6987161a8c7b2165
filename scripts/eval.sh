#!/usr/bin/env bash
# Evaluations on the real gold data in ../shared/data (not needed by the tests).
# Usage: bash scripts/eval.sh   (from the repository root; KHABAR_SHARED overrides ../shared)
set -euo pipefail
cd "$(dirname "$0")/.."
shared="${KHABAR_SHARED:-../shared}"
cargo build --release --locked -p khabar-cli
echo "== clitic segmentation (WikiNews gold, clitic level)"
target/release/khabar eval segment --gold "$shared/data/wikinews_farasa/wikinews-shared.jsonl" --errors 20
echo "== NER: recipe on the dev cut (train dev_split/train.txt, clusters from ant_multisource, score dev_split/dev.txt)"
./target/release/khabar train ner --train "$shared/data/anercorp_camellab/dev_split/train.txt" \
  --dev "$shared/data/anercorp_camellab/dev_split/dev.txt" \
  --unlabeled "$shared"/data/ant_multisource/articles-2018-0{3,4,5}.jsonl --out target/ner-devcut.khner
echo "== Stories: pairwise P/R/F1 on testdata/stories/pairs.jsonl (tune and check splits), text only"
./target/release/khabar eval stories --pairs testdata/stories/pairs.jsonl --data "$shared/data/ant_multisource" "$shared/data/saudinewsnet"
echo "== Quotes: speaker and content spans against testdata/quotes (35 ANT articles)"
target/release/khabar eval quotes --gold testdata/quotes/ant-quotes.gold.jsonl --data "$shared/data/ant_multisource" --split all
echo "== Summaries: EASC ROUGE-1/2 of khabar, lead-k, sumy LexRank/TextRank at equal budgets"
KHABAR_BIN=target/release/khabar bash bench/summarize.sh "$shared"
echo "== search: known-item recall under spelling variation (khabar vs tantivy default vs SQLite FTS5)"
target/release/khabar eval search --data "$shared/data/ant_multisource" --queries 200 --seed 2018
