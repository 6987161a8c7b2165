//! Entity types, BIO tags, and turning tag sequences into spans.
//!
//! Tags are small integers so the decoder works on dense arrays:
//! `0 = O`, then `B-X`, `I-X` for each [`EntityType`] in order. The text form
//! follows ANERcorp (`B-PERS`, `I-LOC`, …).
//!
//! **Stray `I-` tags.** ANERcorp has a few `I-X` tags after `O` or after another
//! type. Everywhere in khabar (training, scoring) such a tag *starts a new
//! span* of type X, the lenient CoNLL reading; the tagger itself never
//! produces them (its decoder only allows `I-X` after `B-X` or `I-X`).

use serde::{Deserialize, Serialize};

/// The four entity types of ANERcorp.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum EntityType {
    /// A person.
    Per,
    /// A location (country, city, region, geographic feature).
    Loc,
    /// An organization (government body, army, company, agency, team, party).
    Org,
    /// Anything else named (events, nationalities in ANERcorp's scheme, products…).
    Misc,
}

impl EntityType {
    /// All types, in tag order.
    pub const ALL: [EntityType; 4] = [
        EntityType::Per,
        EntityType::Loc,
        EntityType::Org,
        EntityType::Misc,
    ];

    /// Short label used in JSON output and [`Mention`](crate::Entity) labels: `PER`, `LOC`, `ORG`, `MISC`.
    pub fn as_str(self) -> &'static str {
        match self {
            EntityType::Per => "PER",
            EntityType::Loc => "LOC",
            EntityType::Org => "ORG",
            EntityType::Misc => "MISC",
        }
    }

    /// The suffix ANERcorp uses in tags: `PERS`, `LOC`, `ORG`, `MISC`.
    pub fn conll_name(self) -> &'static str {
        match self {
            EntityType::Per => "PERS",
            EntityType::Loc => "LOC",
            EntityType::Org => "ORG",
            EntityType::Misc => "MISC",
        }
    }

    /// Index 0..4.
    pub fn index(self) -> usize {
        self as usize
    }

    /// Parses `PERS`/`PER`, `LOC`, `ORG`, `MISC`.
    pub fn parse(s: &str) -> Option<EntityType> {
        match s {
            "PERS" | "PER" => Some(EntityType::Per),
            "LOC" => Some(EntityType::Loc),
            "ORG" => Some(EntityType::Org),
            "MISC" => Some(EntityType::Misc),
            _ => None,
        }
    }
}

/// Number of tags (`O` plus `B-`/`I-` for four types).
pub const N_TAGS: usize = 9;

/// A BIO tag as a small integer (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Tag(pub u8);

impl Tag {
    /// Outside any entity.
    pub const O: Tag = Tag(0);

    /// `B-ty`.
    pub fn begin(ty: EntityType) -> Tag {
        Tag(1 + 2 * ty as u8)
    }

    /// `I-ty`.
    pub fn inside(ty: EntityType) -> Tag {
        Tag(2 + 2 * ty as u8)
    }

    /// The entity type, `None` for `O`.
    pub fn entity_type(self) -> Option<EntityType> {
        if self.0 == 0 || self.0 as usize >= N_TAGS {
            None
        } else {
            Some(EntityType::ALL[((self.0 - 1) / 2) as usize])
        }
    }

    /// True for `B-X`.
    pub fn is_begin(self) -> bool {
        self.0 != 0 && self.0 % 2 == 1
    }

    /// True for `I-X`.
    pub fn is_inside(self) -> bool {
        self.0 != 0 && self.0.is_multiple_of(2)
    }

    /// Index into dense arrays.
    pub fn index(self) -> usize {
        self.0 as usize
    }

    /// The tag as ANERcorp writes it.
    pub fn as_str(self) -> &'static str {
        const NAMES: [&str; N_TAGS] = [
            "O", "B-PERS", "I-PERS", "B-LOC", "I-LOC", "B-ORG", "I-ORG", "B-MISC", "I-MISC",
        ];
        NAMES.get(self.0 as usize).copied().unwrap_or("O")
    }

    /// Parses an ANERcorp tag (`PER` is accepted for `PERS`).
    pub fn parse(s: &str) -> Option<Tag> {
        if s == "O" {
            return Some(Tag::O);
        }
        let (bi, ty) = s.split_once('-')?;
        let ty = EntityType::parse(ty)?;
        match bi {
            "B" => Some(Tag::begin(ty)),
            "I" => Some(Tag::inside(ty)),
            _ => None,
        }
    }

    /// True if `self` may follow `prev` in a well-formed IOB2 sequence
    /// (`prev = None` at the start of a sentence).
    pub fn may_follow(self, prev: Option<Tag>) -> bool {
        if !self.is_inside() {
            return true;
        }
        match prev {
            Some(p) => p.0 != 0 && p.entity_type() == self.entity_type(),
            None => false,
        }
    }
}

/// Number of internal labels: `O` plus `B-`, `I-`, `L-` (last) and `U-` (unit,
/// a one-token entity) for each of the four types.
pub const N_LABELS: usize = 17;

/// The tagger's internal label (BILOU). Telling the last token of a name and
/// one-token names apart from the rest gives the model features for where
/// names end, which plain BIO cannot express; input and output stay BIO
/// ([`to_labels`], [`to_tags`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Label(pub u8);

impl Label {
    /// Outside any entity.
    pub const O: Label = Label(0);

    fn new(ty: EntityType, part: u8) -> Label {
        Label(1 + 4 * ty as u8 + part)
    }

    /// The entity type, `None` for `O`.
    pub fn entity_type(self) -> Option<EntityType> {
        if self.0 == 0 || self.0 as usize >= N_LABELS {
            None
        } else {
            Some(EntityType::ALL[((self.0 - 1) / 4) as usize])
        }
    }

    /// 0 = B, 1 = I, 2 = L, 3 = U (meaningless for `O`).
    fn part(self) -> u8 {
        (self.0.max(1) - 1) % 4
    }

    /// True if the label continues an entity (I or L).
    fn continues(self) -> bool {
        self.0 != 0 && matches!(self.part(), 1 | 2)
    }

    /// True if an entity is open after this label (B or I).
    fn open(self) -> bool {
        self.0 != 0 && matches!(self.part(), 0 | 1)
    }

    /// Index into dense arrays.
    pub fn index(self) -> usize {
        self.0 as usize
    }

    /// True if `self` may follow `prev` (`None` = sentence start).
    pub fn may_follow(self, prev: Option<Label>) -> bool {
        let open = prev.filter(|p| p.open());
        if self.continues() {
            open.is_some_and(|p| p.entity_type() == self.entity_type())
        } else {
            open.is_none()
        }
    }

    /// True if a sentence may end on this label (no entity left open).
    pub fn may_end(self) -> bool {
        !self.open()
    }

    /// The label's name (`O`, `B-PERS`, `L-LOC`, `U-ORG`, …).
    pub fn as_str(self) -> &'static str {
        const NAMES: [&str; N_LABELS] = [
            "O", "B-PERS", "I-PERS", "L-PERS", "U-PERS", "B-LOC", "I-LOC", "L-LOC", "U-LOC",
            "B-ORG", "I-ORG", "L-ORG", "U-ORG", "B-MISC", "I-MISC", "L-MISC", "U-MISC",
        ];
        NAMES.get(self.0 as usize).copied().unwrap_or("O")
    }
}

/// BIO tags (stray `I-` read leniently, see [`spans`]) to BILOU labels.
pub fn to_labels(tags: &[Tag]) -> Vec<Label> {
    let mut out = vec![Label::O; tags.len()];
    for sp in spans(tags) {
        if sp.end - sp.start == 1 {
            out[sp.start] = Label::new(sp.ty, 3);
        } else {
            out[sp.start] = Label::new(sp.ty, 0);
            for l in &mut out[sp.start + 1..sp.end - 1] {
                *l = Label::new(sp.ty, 1);
            }
            out[sp.end - 1] = Label::new(sp.ty, 2);
        }
    }
    out
}

/// BILOU labels to BIO tags (B and U start an entity, I and L continue it).
pub fn to_tags(labels: &[Label]) -> Vec<Tag> {
    labels
        .iter()
        .map(|l| match l.entity_type() {
            None => Tag::O,
            Some(ty) if l.continues() => Tag::inside(ty),
            Some(ty) => Tag::begin(ty),
        })
        .collect()
}

/// A labelled span of tokens: `[start, end)` token indices.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TokenSpan {
    /// First token.
    pub start: usize,
    /// One past the last token.
    pub end: usize,
    /// Its type.
    pub ty: EntityType,
}

/// Entity spans of a tag sequence with the lenient CoNLL reading: a span
/// starts at every `B-X` and at every `I-X` that does not continue a span of
/// type X; it continues over `I-X`.
pub fn spans(tags: &[Tag]) -> Vec<TokenSpan> {
    let mut out = Vec::new();
    let mut cur: Option<TokenSpan> = None;
    for (i, &t) in tags.iter().enumerate() {
        let ty = t.entity_type();
        let continues = t.is_inside() && cur.is_some_and(|c| Some(c.ty) == ty);
        if continues {
            if let Some(c) = cur.as_mut() {
                c.end = i + 1;
            }
            continue;
        }
        if let Some(c) = cur.take() {
            out.push(c);
        }
        if let Some(ty) = ty {
            cur = Some(TokenSpan {
                start: i,
                end: i + 1,
                ty,
            });
        }
    }
    out.extend(cur);
    out
}

/// Rewrites stray `I-X` tags as `B-X` (the same spans, in strict IOB2).
pub fn repair(tags: &mut [Tag]) {
    let mut prev: Option<Tag> = None;
    for t in tags.iter_mut() {
        if !t.may_follow(prev)
            && let Some(ty) = t.entity_type()
        {
            *t = Tag::begin(ty);
        }
        prev = Some(*t);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(s: &str) -> Vec<Tag> {
        s.split_whitespace()
            .map(|t| Tag::parse(t).unwrap())
            .collect()
    }

    #[test]
    fn tag_names_round_trip() {
        for i in 0..N_TAGS as u8 {
            assert_eq!(Tag::parse(Tag(i).as_str()), Some(Tag(i)));
        }
        assert_eq!(Tag::parse("B-PER"), Some(Tag::begin(EntityType::Per)));
        assert_eq!(Tag::parse("X-PERS"), None);
        assert_eq!(Tag::parse("B-FOO"), None);
    }

    #[test]
    fn stray_inside_starts_a_span() {
        let t = tags("O I-ORG I-ORG B-PERS I-LOC O B-LOC I-LOC");
        let s = spans(&t);
        assert_eq!(
            s,
            vec![
                TokenSpan {
                    start: 1,
                    end: 3,
                    ty: EntityType::Org
                },
                TokenSpan {
                    start: 3,
                    end: 4,
                    ty: EntityType::Per
                },
                TokenSpan {
                    start: 4,
                    end: 5,
                    ty: EntityType::Loc
                },
                TokenSpan {
                    start: 6,
                    end: 8,
                    ty: EntityType::Loc
                },
            ]
        );
        let mut r = t.clone();
        repair(&mut r);
        assert_eq!(spans(&r), s);
        assert_eq!(r[1], Tag::begin(EntityType::Org));
        assert_eq!(r[4], Tag::begin(EntityType::Loc));
    }

    #[test]
    fn bilou_round_trip_and_constraints() {
        let t = tags("B-PERS I-PERS I-PERS O B-LOC B-LOC I-ORG");
        let l = to_labels(&t);
        let names: Vec<&str> = l.iter().map(|x| x.as_str()).collect();
        assert_eq!(
            names,
            ["B-PERS", "I-PERS", "L-PERS", "O", "U-LOC", "U-LOC", "U-ORG"]
        );
        let mut r = t.clone();
        repair(&mut r);
        assert_eq!(to_tags(&l), r);
        for w in l.windows(2) {
            assert!(w[1].may_follow(Some(w[0])));
        }
        assert!(l[0].may_follow(None));
        assert!(!l[1].may_follow(None));
        assert!(!l[0].may_end() && l[2].may_end() && Label::O.may_end());
        // L-LOC cannot follow B-PERS; O cannot follow an open entity.
        assert!(!l[4].may_follow(Some(l[0])));
        assert!(!Label::O.may_follow(Some(l[1])));
        for i in 0..N_LABELS as u8 {
            assert_ne!(Label(i).as_str(), "");
        }
    }

    #[test]
    fn adjacent_begins_are_two_spans() {
        assert_eq!(spans(&tags("B-LOC B-LOC I-LOC")).len(), 2);
    }
}
