#!/usr/bin/env bash
# Robustness checks that are too big for unit tests: a 200 MB single line goes
# through `khabar analyze` in bounded memory. Prints time and peak memory;
# fails only if memory is not bounded (peak RSS > 3x the input), never on time.
# Usage: bash scripts/robustness.sh [MB]   (from the repository root)
set -euo pipefail
cd "$(dirname "$0")/.."
mb="${1:-200}"
profile="${KHABAR_PROFILE:-release}"
cargo build --profile "$profile" --locked -p khabar-cli >/dev/null 2>&1 || cargo build --profile "$profile" --locked -p khabar-cli
bin="target/$profile/khabar"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
python3 - "$tmp/line.txt" "$mb" <<'PY'
import sys
path, mb = sys.argv[1], int(sys.argv[2])
unit = "واعلن الكرملين في بيان، أن ١٢٫٥٪ من “القوات” انسحبت www.example.com. "
n = mb * 10**6 // len(unit.encode())
with open(path, "w", encoding="utf-8") as f:
    f.write(unit * n)   # one line, no newline at all
PY
size=$(stat -c %s "$tmp/line.txt")
for fmt in jsonl conllu; do
  /usr/bin/time -v "$bin" analyze --format "$fmt" "$tmp/line.txt" 2>"$tmp/time.txt" | wc -c >"$tmp/out_bytes"
  rss_kb=$(awk -F: '/Maximum resident set size/ {gsub(/ /,"",$2); print $2}' "$tmp/time.txt")
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$tmp/time.txt")
  status=$(awk -F': ' '/Exit status/ {print $2}' "$tmp/time.txt")
  echo "analyze --format $fmt on one ${mb} MB line: exit $status, wall $wall, peak RSS $((rss_kb / 1024)) MB, output $(( $(cat "$tmp/out_bytes") / 1000000 )) MB"
  if [ "$status" != 0 ]; then echo "FAIL: non-zero exit"; exit 1; fi
  if [ "$rss_kb" -gt $(( size * 3 / 1024 )) ]; then echo "FAIL: peak memory not bounded"; exit 1; fi
done
echo "ok"
