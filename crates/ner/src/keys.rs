//! Canonical entity keys: one key per entity, whatever the spelling.
//!
//! A key is built in three steps, from safest to boldest:
//!
//! 1. **Per mention** ([`mention_key`]): each token's lexical form (search
//!    normalization — hamza on alef, ى/ي, ة/ه, ک/ی, harakat, tatweel — with
//!    conjunction/preposition clitics removed when the news corpus says so:
//!    «وبوتين» → «بوتين», «للكرملين» → «الكرملين»), then [`fold_token`]:
//!    hamza carriers ؤ/ئ/ء, Persian letters and doubled vowel letters (اا → ا).
//!    Tokens join with a space.
//! 2. **Spelling variants in one run** ([`resolve_batch`]): keys of the same type
//!    whose tokens differ only by a final ة/ا (سورية/سوريا, أستانة/استانا) or by
//!    letters that transliterations swap
//!    (ق/ك/گ, ج/غ, ت/ط, س/ص/ث, ز/ذ/ظ, د/ض — قازاخستان/كازاخستان), or, in names
//!    of two or more tokens where every other token is equal, by vowel letters
//!    ا/و/ي (أنطونيو غوتيريش/أنطونيو غوتيرش), share the most frequent key.
//!    Single-token names never merge on vowel letters alone: حسن/حسين,
//!    سلمان/سليمان and محمد/محمود are different people.
//!    Then a place key followed by the relational adjective of another place
//!    of the run («حلب السورية» with «حلب» and «سوريا» in the run; the tagger
//!    sometimes takes the adjective into the span) becomes the first place's
//!    key; «كوريا الشمالية» stays apart, «الشمالية» being no place's adjective.
//! 3. **Partial names** (persons only): a mention whose tokens are a contiguous
//!    part of exactly one longer person name in the same document («بوتين»
//!    after «فلاديمير بوتين») takes that name's key; failing that, of exactly
//!    one longer person name in the whole run. Ambiguous parts (الأسد when
//!    both «بشار الأسد» and «حافظ الأسد» occur) keep their own key.

use crate::Entity;
use crate::lexicon::Lexicon;
use crate::tags::EntityType;
use std::collections::{BTreeMap, BTreeSet};

/// Folds one lexical form for keys (step 1 of the module docs).
pub fn fold_token(lex: &str) -> String {
    let mut out = String::with_capacity(lex.len());
    let mut prev: Option<char> = None;
    for c in lex.chars() {
        let c = match c {
            'ؤ' => 'و',
            'ئ' => 'ي',
            'ء' => continue,
            'أ' | 'إ' | 'آ' | 'ٱ' => 'ا',
            'ى' | 'ی' => 'ي',
            'ة' => 'ه',
            'ک' | 'گ' => 'ك',
            'ڤ' => 'ف',
            'پ' => 'ب',
            'چ' => 'ج',
            'ژ' => 'ز',
            _ => c,
        };
        if matches!(c, 'ا' | 'و' | 'ي') && prev == Some(c) {
            continue;
        }
        out.push(c);
        prev = Some(c);
    }
    out
}

/// A final ه (ة after search normalization) read as ا, for variant matching
/// only (سوريه/سوريا, استانه/استانا); «الله» and «عبدالله» keep theirs.
fn final_alef(tok: &str) -> std::borrow::Cow<'_, str> {
    if tok.chars().count() >= 3 && tok.ends_with('ه') && !tok.ends_with("له") {
        let stem = &tok[..tok.len() - 'ه'.len_utf8()];
        std::borrow::Cow::Owned(if stem.ends_with('ا') {
            stem.to_string()
        } else {
            format!("{stem}ا")
        })
    } else {
        std::borrow::Cow::Borrowed(tok)
    }
}

/// The key of one mention from its search-normalized tokens.
pub fn mention_key(lexicon: &Lexicon, norms: &[&str]) -> String {
    let mut key = String::new();
    let mut lex = String::new();
    for n in norms {
        lexicon.lex_form(n, &mut lex);
        let f = fold_token(&lex);
        if f.is_empty() {
            continue;
        }
        if !key.is_empty() {
            key.push(' ');
        }
        key.push_str(&f);
    }
    key
}

/// Letters transliterations of foreign names swap, mapped to one class letter.
fn swap_class(c: char) -> char {
    match c {
        'ق' | 'گ' => 'ك',
        'غ' => 'ج',
        'ط' => 'ت',
        'ص' | 'ث' => 'س',
        'ذ' | 'ظ' => 'ز',
        'ض' => 'د',
        _ => c,
    }
}

/// A token with swap classes applied and a final ه read as ا.
fn swapped(tok: &str) -> String {
    final_alef(tok).chars().map(swap_class).collect()
}

/// A token with swap classes applied and the vowel letters ا/و/ي removed
/// after the first letter.
fn consonants(tok: &str) -> String {
    final_alef(tok)
        .chars()
        .enumerate()
        .filter(|&(i, c)| i == 0 || !matches!(c, 'ا' | 'و' | 'ي'))
        .map(|(_, c)| swap_class(c))
        .collect()
}

/// The variant signature of a key: per token, the swapped form, except that in
/// names of two or more tokens one token (the one being compared) may be
/// reduced to consonants. Returns the signatures a key is reachable under.
fn signatures(key: &str) -> Vec<String> {
    let toks: Vec<&str> = key.split(' ').collect();
    let base: Vec<String> = toks.iter().map(|t| swapped(t)).collect();
    let mut out = vec![base.join(" ")];
    if toks.len() >= 2 {
        for i in 0..toks.len() {
            // Only tokens long enough to be transliterations reduce.
            if toks[i].chars().count() < 6 {
                continue;
            }
            let mut v = base.clone();
            v[i] = format!("#{}", consonants(toks[i]));
            out.push(v.join(" "));
        }
    }
    out
}

/// Maps each key of `keys` (with counts) to its representative: keys sharing a
/// signature are grouped (transitively) and take the most frequent key of the
/// group, ties broken by the smaller key.
fn variant_map(keys: &BTreeMap<String, usize>) -> BTreeMap<String, String> {
    // Union-find over the keys in sorted order.
    let list: Vec<&String> = keys.keys().collect();
    let mut parent: Vec<usize> = (0..list.len()).collect();
    fn find(p: &mut [usize], mut x: usize) -> usize {
        while p[x] != x {
            p[x] = p[p[x]];
            x = p[x];
        }
        x
    }
    let mut by_sig: BTreeMap<String, usize> = BTreeMap::new();
    for (i, k) in list.iter().enumerate() {
        for s in signatures(k) {
            match by_sig.get(&s) {
                Some(&j) => {
                    let (a, b) = (find(&mut parent, i), find(&mut parent, j));
                    if a != b {
                        parent[a.max(b)] = a.min(b);
                    }
                }
                None => {
                    by_sig.insert(s, i);
                }
            }
        }
    }
    let mut best: BTreeMap<usize, usize> = BTreeMap::new();
    for i in 0..list.len() {
        let r = find(&mut parent, i);
        let cur = best.entry(r).or_insert(i);
        let (ci, cc) = (*cur, keys[list[*cur]]);
        let c = keys[list[i]];
        if c > cc || (c == cc && list[i] < list[ci]) {
            *cur = i;
        }
    }
    (0..list.len())
        .map(|i| {
            let r = find(&mut parent, i);
            (list[i].clone(), list[best[&r]].clone())
        })
        .collect()
}

/// True if `part` is a contiguous run of tokens of `whole` and shorter than it.
fn is_part(part: &str, whole: &str) -> bool {
    let p: Vec<&str> = part.split(' ').collect();
    let w: Vec<&str> = whole.split(' ').collect();
    // A part right after «بن»/«ابن»/«بنت»/«ابو» is a father's name (سلمان in
    // «محمد بن سلمان»), a different person.
    p.len() < w.len()
        && w.windows(p.len()).enumerate().any(|(j, win)| {
            win == p.as_slice() && !(j > 0 && matches!(w[j - 1], "بن" | "ابن" | "بنت" | "ابو"))
        })
}

/// The unique longest person name among `names` that contains `part`, if the
/// containing names are all parts of that one.
fn unique_container<'a>(part: &str, names: &'a BTreeSet<String>) -> Option<&'a String> {
    let cands: Vec<&String> = names.iter().filter(|n| is_part(part, n)).collect();
    let longest = cands.iter().copied().max_by(|a, b| {
        a.split(' ')
            .count()
            .cmp(&b.split(' ').count())
            .then(b.cmp(a))
    })?;
    if cands.iter().all(|c| *c == longest || is_part(c, longest)) {
        Some(longest)
    } else {
        None
    }
}

/// Common nouns that begin names of seas, gulfs, deserts, regions: with an
/// adjective they name another place («الخليج الفارسي», «المحيط الهادي»,
/// «شبه الجزيرة الكورية», «الصحراء المغربية»), so they never lose it.
fn starts_with_generic_place_noun(key: &str) -> bool {
    const GENERIC: &[&str] = &[
        "خليج",
        "محيط",
        "بحر",
        "صحرا",
        "جزيره",
        "جزر",
        "شبه",
        "ساحل",
        "هضبه",
        "قرن",
        "نهر",
        "جبل",
        "جبال",
        "سهل",
        "وادي",
        "مضيق",
        "قناه",
        "منطقه",
        "اقليم",
        "بلاد",
        "دول",
        "دوله",
        "مدينه",
        "قطاع",
        "ضفه",
        "شرق",
        "غرب",
        "شمال",
        "جنوب",
        "وسط",
        "ريف",
        "حوض",
        "اراضي",
    ];
    let first = key.split(' ').next().unwrap_or(key);
    let first = first.strip_prefix("ال").unwrap_or(first);
    GENERIC.contains(&first)
}

/// The single-token place keys whose relational adjective `adj` (a key
/// token) can be: «السوريه» → سوريا, «العراقيه» → العراق, «الامريكيه» → امريكا,
/// «المصري» → مصر, «السعودي» → السعوديه (with and without «ال»). Empty if
/// `adj` is not shaped like one.
fn adjective_places(adj: &str) -> Vec<String> {
    let a = adj.strip_prefix("ال").unwrap_or(adj);
    let a = a.strip_suffix('ه').unwrap_or(a);
    let Some(stem) = a.strip_suffix('ي') else {
        return Vec::new();
    };
    if stem.chars().count() < 2 {
        return Vec::new();
    }
    let mut out = Vec::with_capacity(12);
    for base in [stem, a] {
        for end in ["", "ا", "ه"] {
            for article in ["", "ال"] {
                out.push(format!("{article}{base}{end}"));
            }
        }
    }
    out
}

/// True if `adj` (a key token) is the relational adjective of the place `place`.
#[cfg(test)]
fn is_adjective_of(adj: &str, place: &str) -> bool {
    adjective_places(adj).iter().any(|p| p == place)
}

/// Links the keys of one document's mentions (variants and partial names).
pub fn resolve_document(entities: &mut [Entity]) {
    let mut docs = [entities.to_vec()];
    resolve_batch(&mut docs);
    for (e, r) in entities.iter_mut().zip(docs[0].drain(..)) {
        e.key = r.key;
    }
}

/// Links keys across all documents of a run: spelling variants across the
/// run, then partial person names within each document, then across the run.
/// Deterministic: the result does not depend on anything but the mentions and
/// their order.
pub fn resolve_batch(docs: &mut [Vec<Entity>]) {
    // 1. Spelling variants, per type.
    for ty in EntityType::ALL {
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for e in docs.iter().flatten().filter(|e| e.ty == ty) {
            *counts.entry(e.key.clone()).or_default() += 1;
        }
        if counts.len() < 2 {
            continue;
        }
        let map = variant_map(&counts);
        for e in docs.iter_mut().flatten().filter(|e| e.ty == ty) {
            if let Some(r) = map.get(&e.key) {
                e.key.clone_from(r);
            }
        }
    }
    // 1b. A place followed by the adjective of another place of the run
    //     («حلب السورية» with «حلب» and «سوريا» in the run) is that place.
    let places: BTreeSet<String> = docs
        .iter()
        .flatten()
        .filter(|e| e.ty == EntityType::Loc)
        .map(|e| e.key.clone())
        .collect();
    for e in docs
        .iter_mut()
        .flatten()
        .filter(|e| e.ty == EntityType::Loc)
    {
        if let Some((head, last)) = e.key.rsplit_once(' ')
            && places.contains(head)
            && !starts_with_generic_place_noun(head)
            && adjective_places(last).iter().any(|p| places.contains(p))
        {
            e.key = head.to_string();
        }
    }
    // 2. Partial person names within each document.
    let mut all_names: BTreeSet<String> = BTreeSet::new();
    for doc in docs.iter_mut() {
        let names: BTreeSet<String> = doc
            .iter()
            .filter(|e| e.ty == EntityType::Per && e.key.contains(' '))
            .map(|e| e.key.clone())
            .collect();
        for e in doc.iter_mut().filter(|e| e.ty == EntityType::Per) {
            if let Some(full) = unique_container(&e.key, &names) {
                e.key.clone_from(full);
            }
        }
        all_names.extend(names);
    }
    // 3. Partial names left over, across the run.
    for e in docs
        .iter_mut()
        .flatten()
        .filter(|e| e.ty == EntityType::Per)
    {
        if let Some(full) = unique_container(&e.key, &all_names) {
            e.key.clone_from(full);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexicon::LexiconData;
    use khabar_core::Span;

    fn ent(ty: EntityType, key: &str) -> Entity {
        Entity {
            span: Span::new(0, 0),
            ty,
            score: 1.0,
            key: key.to_string(),
        }
    }

    #[test]
    fn orthographic_variants_share_a_key() {
        let lx = Lexicon::new(&LexiconData::default());
        let k = |s: &str| {
            let n = khabar_core::Normalizer::new(khabar_core::Profile::SEARCH);
            let norms: Vec<String> = s.split(' ').map(|t| n.normalize(t).into_owned()).collect();
            let r: Vec<&str> = norms.iter().map(|s| s.as_str()).collect();
            mention_key(&lx, &r)
        };
        assert_eq!(k("الأسد"), k("الاسد"));
        assert_eq!(k("بالأسد"), k("الاسد"));
        assert_eq!(k("أستانة"), "استانه");
        assert_eq!(k("اسطنبول"), k("إسطنبول"));
        assert_eq!(k("للكرملين"), k("الكرملين"));
        assert_eq!(k("مُسْتَشفى"), k("مستشفي"));
        assert_eq!(k("کرمان"), k("كرمان"));
        assert_eq!(k("عبدالله"), "عبدالله");
        assert_ne!(k("حسن"), k("حسين"));
        assert_ne!(k("محمد"), k("محمود"));
    }

    #[test]
    fn transliteration_swaps_merge_in_a_run() {
        let mut docs = vec![
            vec![
                ent(EntityType::Loc, "كازاخستان"),
                ent(EntityType::Loc, "كازاخستان"),
                ent(EntityType::Loc, "استانه"),
                ent(EntityType::Loc, "استانا"),
                ent(EntityType::Loc, "سوريا"),
                ent(EntityType::Loc, "سوريه"),
                ent(EntityType::Loc, "سوريا"),
            ],
            vec![ent(EntityType::Loc, "قازاخستان")],
            vec![
                ent(EntityType::Per, "حسن"),
                ent(EntityType::Per, "حسين"),
                ent(EntityType::Per, "سلمان"),
                ent(EntityType::Per, "سليمان"),
            ],
            vec![
                ent(EntityType::Per, "انطونيو جوتيريش"),
                ent(EntityType::Per, "انطونيو غوتيرش"),
                ent(EntityType::Per, "انطونيو غوتيريس"),
            ],
        ];
        resolve_batch(&mut docs);
        assert_eq!(docs[1][0].key, "كازاخستان");
        assert_eq!(docs[0][2].key, docs[0][3].key);
        assert_eq!(docs[0][5].key, "سوريا");
        let keys: BTreeSet<&str> = docs[2].iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys.len(), 4);
        assert_eq!(docs[3][0].key, docs[3][1].key);
        // ش and س are different letters, not a transliteration swap.
        assert_ne!(docs[3][0].key, docs[3][2].key);
    }

    #[test]
    fn a_place_with_the_adjective_of_another_place_is_that_place() {
        let mut docs = vec![
            vec![
                ent(EntityType::Loc, "حلب"),
                ent(EntityType::Loc, "حلب السوريه"),
                ent(EntityType::Loc, "سوريا"),
                ent(EntityType::Loc, "كوريا"),
                ent(EntityType::Loc, "كوريا الشماليه"),
            ],
            vec![
                ent(EntityType::Loc, "الولايات المتحده"),
                ent(EntityType::Loc, "الولايات المتحده الامريكيه"),
                ent(EntityType::Loc, "امريكا"),
                ent(EntityType::Loc, "بغداد العراقيه"),
                ent(EntityType::Loc, "العراق"),
            ],
        ];
        resolve_batch(&mut docs);
        let keys: Vec<&str> = docs.iter().flatten().map(|e| e.key.as_str()).collect();
        assert_eq!(keys[1], "حلب");
        // «الشمالية» is no place's adjective: North Korea stays apart.
        assert_eq!(keys[4], "كوريا الشماليه");
        assert_eq!(keys[6], "الولايات المتحده");
        // «بغداد» alone is not in the run: the longer key stays.
        assert_eq!(keys[8], "بغداد العراقيه");
        // A sea, gulf or peninsula with an adjective is another place.
        let mut docs = vec![vec![
            ent(EntityType::Loc, "الخليج"),
            ent(EntityType::Loc, "الخليج الفارسي"),
            ent(EntityType::Loc, "فارس"),
            ent(EntityType::Loc, "شبه الجزيره"),
            ent(EntityType::Loc, "شبه الجزيره الكوريه"),
            ent(EntityType::Loc, "كوريا"),
        ]];
        resolve_batch(&mut docs);
        assert_eq!(docs[0][1].key, "الخليج الفارسي");
        assert_eq!(docs[0][4].key, "شبه الجزيره الكوريه");
        assert!(is_adjective_of("العراقيه", "العراق"));
        assert!(is_adjective_of("المصري", "مصر"));
        assert!(is_adjective_of("الروسيه", "روسيا"));
        assert!(is_adjective_of("السعودي", "السعوديه"));
        assert!(is_adjective_of("اللبنانيه", "لبنان"));
        assert!(!is_adjective_of("الكبري", "كوريا"));
        assert!(!is_adjective_of("ي", "ي"));
    }

    #[test]
    fn partial_names() {
        let mut docs = vec![
            vec![
                ent(EntityType::Per, "بوتين"),
                ent(EntityType::Per, "فلاديمير بوتين"),
                ent(EntityType::Per, "الاسد"),
                ent(EntityType::Per, "بشار الاسد"),
                ent(EntityType::Per, "حافظ الاسد"),
            ],
            vec![ent(EntityType::Per, "بوتين"), ent(EntityType::Loc, "بوتين")],
        ];
        resolve_batch(&mut docs);
        assert_eq!(docs[0][0].key, "فلاديمير بوتين");
        assert_eq!(docs[0][2].key, "الاسد");
        assert_eq!(docs[1][0].key, "فلاديمير بوتين");
        assert_eq!(docs[1][1].key, "بوتين");
        let mut docs = vec![vec![
            ent(EntityType::Per, "محمد بن سلمان"),
            ent(EntityType::Per, "سلمان"),
            ent(EntityType::Per, "بن سلمان"),
        ]];
        resolve_batch(&mut docs);
        assert_eq!(docs[0][1].key, "سلمان");
        assert_eq!(docs[0][2].key, "محمد بن سلمان");
    }
}
