#!/usr/bin/env python3
"""Merge dedup benchmark results (khabar + Python anchors) into one Markdown table.

Usage: python bench/dedup_report.py [--corpus corpus.json] [--rev REV] [--load load.txt]
                                    [--md OUT.md] [--jsonl OUT.jsonl] RESULT.jsonl ...

Each RESULT.jsonl holds JSON lines from `khabar bench dedup` or from the anchors'
bench_dedup.py; a sibling RESULT.time (`/usr/bin/time -v`) gives the peak RSS.
A file name ending in `.r<K>.jsonl` belongs to interleaved round K: a tool's MB/s
is its median over rounds, and the ratio khabar (1 thread) / tool is the median
of the per-round ratios (paired: both measured minutes apart, so load drift
between rounds cancels). Tools measured once get the ratio of the medians.
Standard library only.
"""

import argparse
import json
import os
import re
import statistics

RSS_RE = re.compile(r"Maximum resident set size \(kbytes\):\s*(\d+)")
ROUND_RE = re.compile(r"\.r(\d+)\.jsonl$")


def peak_rss_mb(path):
    try:
        with open(os.path.splitext(path)[0] + ".time", encoding="utf-8") as fh:
            m = RSS_RE.search(fh.read())
    except OSError:
        return None
    return int(m.group(1)) * 1024 / 1e6 if m else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results", nargs="+")
    ap.add_argument("--corpus")
    ap.add_argument("--rev", default="?")
    ap.add_argument("--load")
    ap.add_argument("--md")
    ap.add_argument("--jsonl")
    a = ap.parse_args()
    rows = []
    for p in sorted(a.results):
        rss = peak_rss_mb(p)
        m = ROUND_RE.search(p)
        with open(p, encoding="utf-8") as fh:
            for ln in fh:
                if ln.strip():
                    r = json.loads(ln)
                    r["peak_rss_mb"] = rss
                    r["round"] = int(m.group(1)) if m else None
                    rows.append(r)
    key = lambda r: (r.get("tool"), r.get("threads", 1))
    ok = [r for r in rows if r.get("status") == "ok"]
    groups = {}
    for r in ok:
        groups.setdefault(key(r), []).append(r)
    khabar1 = {r["round"]: r["mb_s"] for r in groups.get(("khabar", 1), [])}

    def ratio(rs):
        paired = [khabar1[r["round"]] / r["mb_s"] for r in rs
                  if r["round"] is not None and r["round"] in khabar1 and r["mb_s"]]
        if paired:
            return statistics.median(paired), len(paired)
        if khabar1 and rs:
            return statistics.median(khabar1.values()) / statistics.median(r["mb_s"] for r in rs), 0
        return None, 0

    out = []
    if a.corpus:
        c = json.load(open(a.corpus, encoding="utf-8"))
        out.append(f"Corpus: {c.get('articles')} articles, {c.get('bytes'):,} bytes "
                   f"(from {', '.join(c.get('sources', []))}); khabar revision `{a.rev}`.")
    if a.load:
        loads = [ln.split("load average:")[-1].strip() for ln in open(a.load, encoding="utf-8")]
        out.append(f"Load average before / after: {' / '.join(loads)} (2 shared cores: figures move with the load).")
    out.append("")
    out.append("128 hashes, 16 bands x 8 rows, word 3-shingles; each measurement is the median of its timed runs. "
               "MB = 10^6 input bytes. The anchors build shingles before timing; "
               "khabar times normalization + tokenization + shingling too and verifies candidates exactly.")
    out.append("")
    out.append("| tool | version | threads | what is timed | MB/s (median over rounds) | per round | docs/s | flagged | verified dups | peak RSS MB | khabar 1-thread / tool |")
    out.append("|---|---|--:|---|--:|---|--:|--:|--:|--:|--:|")
    order = sorted(groups, key=lambda k: (k[0] != "khabar", k[0], k[1]))
    for k in order:
        rs = sorted(groups[k], key=lambda r: r["round"] or 0)
        r0 = rs[0]
        khabar = k[0] == "khabar"
        med = statistics.median(r["mb_s"] for r in rs)
        per = ", ".join(f"{r['mb_s']:.1f}" for r in rs) if len(rs) > 1 else ""
        flagged = r0.get("flagged") if khabar else r0.get("duplicates")
        dups = r0.get("duplicates") if khabar else "–"
        rss = max((r["peak_rss_mb"] or 0) for r in rs)
        if khabar:
            rt = "–"
        else:
            v, n = ratio(rs)
            rt = "–" if v is None else (f"{v:.2f} (paired ×{n})" if n else f"{v:.2f}")
        what = r0.get("what", "")
        if r0.get("sampled"):
            what += f" (sampled {r0.get('measured_bytes', 0) / 1e6:.1f} MB)"
        docs_s = statistics.median(r.get("docs_s") or 0 for r in rs)
        out.append(f"| {k[0]} | {r0.get('version') or ''} | {k[1]} | {what} | {med:.1f} | {per} | "
                   f"{docs_s:,.0f} | {flagged} | {dups} | {rss:.0f} | {rt} |")
    for r in rows:
        if r.get("status") != "ok":
            out.append(f"| {r.get('tool')} | | | {r.get('status')}: {r.get('error', '')} | | | | | | | |")
    md = "\n".join(out) + "\n"
    if a.md:
        open(a.md, "w", encoding="utf-8").write(md)
    else:
        print(md)
    if a.jsonl:
        with open(a.jsonl, "w", encoding="utf-8") as fh:
            for r in rows:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
