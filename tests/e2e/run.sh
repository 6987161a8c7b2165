#!/usr/bin/env bash
# End-to-end test of `khabar serve` in headless Chromium.
#
#   bash tests/e2e/run.sh [KHABAR_BIN]
#
# Ingests the mini corpus and a hostile article into a fresh store, starts the
# server on a free loopback port, drives Debian's Chromium with playwright-core
# (npm, no browser download), and saves screenshots under target/e2e/.
# Needs: /usr/bin/chromium (apt-get install -y chromium), node + npm.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin="${1:-${KHABAR_BIN:-target/debug/khabar}}"
out="target/e2e"
mkdir -p "$out"
work="$(mktemp -d /tmp/khabar-e2e-store.XXXXXX)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

"$bin" ingest --store "$work/store" testdata/corpus/mini-news.jsonl tests/e2e/hostile.jsonl
(cd tests/e2e && npm ci --no-audit --no-fund --silent)

"$bin" serve --store "$work/store" --addr 127.0.0.1:0 --rate-limit 0 > "$work/serve.out" 2> "$work/serve.err" &
server_pid=$!
url=""
for _ in $(seq 1 100); do
  url="$(grep -o 'http://127\.0\.0\.1:[0-9]*/' "$work/serve.out" 2>/dev/null | head -1 || true)"
  [ -n "$url" ] && break
  sleep 0.1
done
if [ -z "$url" ]; then
  echo "e2e: the server did not start:" >&2
  cat "$work/serve.err" >&2
  exit 1
fi
echo "e2e: server at $url"
node tests/e2e/e2e.mjs "$url" "$out"
