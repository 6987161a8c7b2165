#!/usr/bin/env python3
"""Sanity check of ant-ner-check.conll: every line is TOKEN<TAB>TAG or empty, tags in
the allowed set, no I-X without a preceding B-X/I-X of the same type; prints counts."""
import sys
from collections import Counter
path = sys.argv[1] if len(sys.argv) > 1 else 'ant-ner-check.conll'
ALLOWED = {'O'} | {f'{p}-{t}' for p in 'BI' for t in ('PERS', 'LOC', 'ORG', 'MISC')}
errors, sents, toks, prev = 0, 0, 0, 'O'
ents, tags = Counter(), Counter()
in_sent = False
raw = open(path, 'rb').read()
raw.decode('utf-8')                      # raises if not UTF-8
for ln, line in enumerate(raw.decode('utf-8').split('\n'), 1):
    if line == '':
        if in_sent:
            sents += 1
        in_sent, prev = False, 'O'
        continue
    f = line.split('\t')
    if len(f) != 2 or not f[0] or f[0] != f[0].strip():
        print(f'line {ln}: not TOKEN<TAB>TAG: {line!r}'); errors += 1; continue
    tok, tag = f
    if tag not in ALLOWED:
        print(f'line {ln}: bad tag {tag!r}'); errors += 1
    if tag.startswith('I-') and prev[2:] != tag[2:]:
        print(f'line {ln}: {tag} after {prev}'); errors += 1
    if tag.startswith('B-'):
        ents[tag[2:]] += 1
    tags[tag] += 1
    toks += 1; in_sent = True; prev = tag
if in_sent:
    sents += 1
print(f'sentences {sents}  tokens {toks}  entities {sum(ents.values())} {dict(ents)}')
print('tags', dict(sorted(tags.items())))
print('errors', errors)
sys.exit(1 if errors else 0)
