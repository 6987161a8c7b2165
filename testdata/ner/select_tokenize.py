#!/usr/bin/env python3
"""Deterministic sentence selection + ANERcorp-style tokenization for the khabar
modern NER check set.  Reads the ANT multi-source JSONL files (2018-03..05) and
writes  sentences.tsv  (sentence number, article id, sentence index, tokens joined
by single spaces) to stdout.  See README.md for the rule in words.

Usage: python3 select_tokenize.py ../shared/data/ant_multisource > sentences.tsv
"""
import json, re, sys

DATA = sys.argv[1] if len(sys.argv) > 1 else '../shared/data/ant_multisource'
CATS = ['internationalNews', 'middleEast', 'sport', 'economy', 'technology', 'culture']
ARTICLES_PER_CAT = 17        # spread round-robin over the sources present in the category
SENTS_PER_ARTICLE = 2        # first 2 qualifying body sentences
MIN_TOK, MAX_TOK = 6, 45     # a sentence qualifies if its token count is in this range

# punctuation split off words into tokens of their own
PUNCT = '،,.:؛;!?؟«»"\'()[]\u2026\u2013\u2014-'
PUNCT_RE = re.compile('(' + '|'.join(re.escape(p) for p in PUNCT) + ')')
NUM_RE = re.compile(r'^\d+([.,]\d+)*%?$')

def tokenize(s):
    toks = []
    for w in s.split():
        if NUM_RE.match(w):              # 18,5 / 2.5 / 70% stay whole
            toks.append(w); continue
        # keep decimal numbers whole, split every listed punctuation char off
        for p in PUNCT_RE.split(w):
            if p:
                toks.append(p)
    # re-join digit.digit / digit,digit split by the previous step (e.g. "2.5" inside "(2.5")
    out = []
    for t in toks:
        if len(out) >= 2 and out[-1] in '.,' and out[-2].isdigit() and t[:1].isdigit():
            sep = out.pop(); out[-1] = out[-1] + sep + t
        else:
            out.append(t)
    return out

BOILER = re.compile(r'^(اقرأ|إقرأ|اقرا|شاهد|\*|\*\*|المصدر|نقلا|نقلاً|تابعونا|للمزيد|فرانس ?24|فرانس24/)')

def sentences(text):
    for para in text.split('\n'):
        para = para.strip()
        if not para or BOILER.match(para) or len(para.split()) < MIN_TOK:
            continue
        # sentence ends at . ! ? ؟ followed by whitespace (or end of paragraph)
        for s in re.split(r'(?<=[.!?؟])\s+', para):
            s = s.strip()
            if s:
                yield s

def main():
    arts = []
    for m in ('03', '04', '05'):
        with open(f'{DATA}/articles-2018-{m}.jsonl', encoding='utf-8') as f:
            arts.extend(json.loads(l) for l in f)          # file order = (date, id)
    seen_bodies = set()
    n = 0
    for cat in CATS:
        srcs = sorted({a['source'] for a in arts if a['category'] == cat})
        cells = {s: [a for a in arts if a['category'] == cat and a['source'] == s] for s in srcs}
        quota = {s: 0 for s in srcs}
        for i in range(ARTICLES_PER_CAT):
            quota[srcs[i % len(srcs)]] += 1
        for s in srcs:
            cell, m = cells[s], quota[s]
            for j in range(m):
                k = int((j + 0.5) * len(cell) / m)      # evenly spaced positions
                # skip exact-duplicate bodies / articles without 2 qualifying sentences
                while k < len(cell):
                    a = cell[k]
                    qs = []
                    if a['text'] not in seen_bodies:
                        for si, sent in enumerate(sentences(a['text'])):
                            t = tokenize(sent)
                            if MIN_TOK <= len(t) <= MAX_TOK:
                                qs.append((si, t))
                            if len(qs) == SENTS_PER_ARTICLE or si >= 5:
                                break
                    if len(qs) == SENTS_PER_ARTICLE:
                        break
                    k += 1
                if k >= len(cell):
                    continue
                seen_bodies.add(a['text'])
                for si, t in qs:
                    n += 1
                    print(f"{n}\t{a['id']}\t{si}\t{' '.join(t)}")

if __name__ == '__main__':
    main()
