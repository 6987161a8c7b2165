#!/usr/bin/env python3
"""Sample candidate article pairs for the story dev set (ids only; labels are added by hand).

Usage: python testdata/stories/sample_pairs.py --data ../shared/data --out candidates.jsonl

Similarity used for *sampling only* (deliberately not khabar's own features):
cosine of TF-IDF vectors over title + the first 400 characters of the body,
words folded with a tiny normalizer (no diacritics/tatweel, alef forms -> ا,
ى -> ي, ة -> ه) and cut to their first 5 letters as a crude stem; the 25
heaviest terms per article; document frequencies over the whole corpus.

Pairs are drawn per corpus from five strata of that cosine: high >= 0.5,
medium 0.25-0.5, low 0.1-0.25 (dates at most 4 days apart), random
(< 0.1, dates at most 2 days apart; same category for ANT) and far
(>= 0.2 but dates 4 to 10 days apart: same topic, usually another event). Pairs with
identical titles or identical bodies are skipped (trivial); 80% of pairs are
drawn across outlets; every article appears in at most one pair.
Deterministic: fixed seed, sorted inputs. Standard library only.
"""

import argparse
import glob
import hashlib
import json
import math
import os
import random
import re
from collections import Counter, defaultdict
from datetime import datetime

QUOTAS = {"ant": {"high": 45, "medium": 65, "low": 55, "random": 25},
          "snn": {"high": 30, "medium": 45, "low": 35, "random": 15}}
# Added after the first 315 pairs were labelled; drawn in a second pass with its own
# random stream so that the first pass (and its labels) stays exactly as it was.
FAR_QUOTAS = {"ant": 25, "snn": 15}
MARKS = re.compile("[\u0610-\u061A\u064B-\u065F\u0670\u0640]")
WORD = re.compile(r"[\u0621-\u064A\u0660-\u0669A-Za-z0-9]+")
STOP = set("""في من على الى إلى عن ان أن إن التي الذي مع هذا هذه كان قال وقال بعد قبل كما
او أو ما لا لم قد ثم حيث خلال بين عند منذ كل وفي ذلك تلك هو هي التى""".split())


def fold(w):
    w = MARKS.sub("", w)
    w = re.sub("[أإآٱ]", "ا", w).replace("ى", "ي").replace("ة", "ه")
    return w


def terms(art):
    text = (art.get("title") or "") + " " + (art.get("text") or "")[:400]
    out = Counter()
    for w in WORD.findall(text):
        if w in STOP:
            continue
        f = fold(w)
        if len(f) < 2 or f in STOP:
            continue
        out[f[:5]] += 1
    return out


def when(art):
    d = art.get("date") or ""
    return datetime.fromisoformat(d.replace("Z", "+00:00")).replace(tzinfo=None).timestamp()


def load(paths):
    arts = []
    for p in paths:
        with open(p, encoding="utf-8") as fh:
            for ln in fh:
                a = json.loads(ln)
                if (a.get("text") or "").strip() and a.get("date"):
                    arts.append(a)
    return arts


def vectors(arts):
    tfs = [terms(a) for a in arts]
    df = Counter()
    for tf in tfs:
        df.update(tf.keys())
    n = len(arts)
    vecs = []
    for tf in tfs:
        v = {t: (1 + math.log(c)) * math.log((n + 1) / (df[t] + 1)) for t, c in tf.items()}
        top = sorted(v.items(), key=lambda x: (-x[1], x[0]))[:25]
        norm = math.sqrt(sum(w * w for _, w in top)) or 1.0
        vecs.append({t: w / norm for t, w in top})
    return vecs


def candidate_pairs(arts, vecs, max_days):
    order = sorted(range(len(arts)), key=lambda i: (when(arts[i]), arts[i]["id"]))
    post = defaultdict(list)
    times = [when(a) for a in arts]
    pairs = {}
    for i in order:
        acc = defaultdict(float)
        for t, w in vecs[i].items():
            for j in post[t]:
                if times[i] - times[j] <= max_days * 86400:
                    acc[j] += w * vecs[j][t]
        for j, c in acc.items():
            pairs[(min(i, j), max(i, j))] = c
        for t in vecs[i]:
            post[t].append(i)
    return pairs


def stratum(c):
    return "high" if c >= 0.5 else "medium" if c >= 0.25 else "low" if c >= 0.1 else None


def draw(corpus, arts, candidates, used, s, quota, rng, out):
    """Draws `quota` pairs of stratum `s`, 80% across outlets, each article used once."""
    pool = candidates[:]
    rng.shuffle(pool)
    taken = 0
    want_cross = round(quota * 0.8)
    for cross_pass in (True, False):
        for i, j, c in pool:
            if taken >= (want_cross if cross_pass else quota):
                break
            if i in used or j in used:
                continue
            cross = arts[i]["source"] != arts[j]["source"]
            if cross_pass and not cross:
                continue
            used.update((i, j))
            taken += 1
            ai, aj = arts[i], arts[j]
            if when(ai) > when(aj) or (when(ai) == when(aj) and ai["id"] > aj["id"]):
                ai, aj = aj, ai
            h = hashlib.sha256((ai["id"] + "|" + aj["id"]).encode()).digest()[0]
            out.append({"a": ai["id"], "b": aj["id"], "corpus": corpus, "stratum": s,
                        "split": "tune" if h % 2 == 0 else "check",
                        "sample_cosine": round(c, 3)})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="../shared/data")
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=20260529)
    a = ap.parse_args()
    corpora = {"ant": sorted(glob.glob(os.path.join(a.data, "ant_multisource", "*.jsonl"))),
               "snn": sorted(glob.glob(os.path.join(a.data, "saudinewsnet", "*.jsonl")))}
    rng = random.Random(a.seed)
    out = []
    state = {}
    for corpus, files in corpora.items():
        arts = load(files)
        vecs = vectors(arts)
        pairs = candidate_pairs(arts, vecs, 10)
        times = [when(x) for x in arts]
        by = defaultdict(list)
        for (i, j), c in sorted(pairs.items()):
            ai, aj = arts[i], arts[j]
            if ai["title"].strip() == aj["title"].strip() or ai["text"].strip() == aj["text"].strip():
                continue
            gap = abs(times[i] - times[j])
            s = stratum(c)
            if s and gap <= 4 * 86400:
                by[s].append((i, j, c))
            elif c >= 0.2 and gap > 4 * 86400:
                by["far"].append((i, j, c))
        # random stratum: close in time, same category (ANT), low similarity
        rand = []
        idx = list(range(len(arts)))
        for _ in range(200000):
            i, j = rng.sample(idx, 2)
            if abs(times[i] - times[j]) > 2 * 86400:
                continue
            if corpus == "ant" and arts[i].get("category") != arts[j].get("category"):
                continue
            c = pairs.get((min(i, j), max(i, j)), 0.0)
            if c < 0.1:
                rand.append((min(i, j), max(i, j), c))
            if len(rand) > 2000:
                break
        by["random"] = sorted(set(rand))
        used = set()
        state[corpus] = (arts, by, used)
        for s, quota in QUOTAS[corpus].items():
            draw(corpus, arts, by[s], used, s, quota, rng, out)
    rng_far = random.Random(a.seed + 1)
    for corpus in corpora:
        arts, by, used = state[corpus]
        draw(corpus, arts, by["far"], used, "far", FAR_QUOTAS[corpus], rng_far, out)
    with open(a.out, "w", encoding="utf-8") as fh:
        for r in out:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(json.dumps({"pairs": len(out), "by": Counter((r["corpus"], r["stratum"]) for r in out).most_common()},
                     ensure_ascii=False, default=str))


if __name__ == "__main__":
    main()
