#!/usr/bin/env bash
# EASC summaries: khabar, lead-k and sumy's LexRank/TextRank at each reference's length,
# all scored by `khabar eval summary` (same tokens, same ROUGE code for every system):
# first 5-fold cross-validation (khabar's scorer learned on the other folds only, with
# `khabar train summary`'s recipe), then all 102 articles with the built-in scorer
# (trained on all of them, so its row there is in-sample).
# Usage: bash bench/summarize.sh [SHARED_DIR] [PYTHON]
#   SHARED_DIR defaults to ../shared; PYTHON to /work/anchors-venv/bin/python (any Python
#   with sumy==0.13.0). Without sumy the table has khabar and lead only, and says so.
set -euo pipefail
cd "$(dirname "$0")/.."
shared="${1:-${KHABAR_SHARED:-../shared}}"
python="${2:-${KHABAR_PYTHON:-/work/anchors-venv/bin/python}}"
data="$shared/data/easc_taqyim"
khabar="${KHABAR_BIN:-target/release/khabar}"
[ -x "$khabar" ] || cargo build --release --locked -p khabar-cli
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
systems=()
if "$python" -c "import sumy" 2>/dev/null; then
    "$python" bench/easc_sumy.py "$data/easc.jsonl" "$out"
    systems=(--system "sumy-lexrank=$out/sumy-lexrank.jsonl" --system "sumy-textrank=$out/sumy-textrank.jsonl")
else
    echo "bench/summarize.sh: no sumy in $python; scoring khabar and lead only" >&2
fi
"$khabar" eval summary --data "$data" --folds 5 "${systems[@]}"
