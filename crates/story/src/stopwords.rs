//! Arabic function words that carry no story: prepositions, conjunctions,
//! pronouns, particles, auxiliaries and the reporting verbs every article uses.
//!
//! Forms are search-normalized ([`khabar_core::Profile::SEARCH`]: ا for
//! أ/إ/آ, ي for ى, ه for ة) and sorted, so lookups are a binary search.
//! Written for khabar from common knowledge of Arabic news prose; keep the
//! list sorted (a test checks it) and add only words that never identify a
//! story.

/// Sorted search-normalized function words.
pub const STOPWORDS: &[&str] = &[
    "اثناء",
    "اجل",
    "احد",
    "اخر",
    "اخري",
    "اذ",
    "اذا",
    "اضاف",
    "اضافت",
    "اعلن",
    "اعلنت",
    "اكد",
    "اكدت",
    "الا",
    "التي",
    "الذي",
    "الذين",
    "اللتان",
    "اللذان",
    "اللواتي",
    "الي",
    "اليوم",
    "ام",
    "اما",
    "امس",
    "ان",
    "انا",
    "انه",
    "انها",
    "او",
    "اول",
    "اي",
    "ايضا",
    "اين",
    "بان",
    "بانه",
    "بعد",
    "بعض",
    "بل",
    "به",
    "بها",
    "بين",
    "تحت",
    "تلك",
    "ثم",
    "جدا",
    "حتي",
    "حسب",
    "حول",
    "حيث",
    "حين",
    "خلال",
    "ذلك",
    "ذو",
    "سوف",
    "ضد",
    "ضمن",
    "عبر",
    "عدد",
    "عدم",
    "عشر",
    "علي",
    "عليه",
    "عليها",
    "عن",
    "عند",
    "عندما",
    "غير",
    "فان",
    "فقط",
    "في",
    "فيه",
    "فيها",
    "قال",
    "قالت",
    "قبل",
    "قد",
    "كان",
    "كانت",
    "كل",
    "كما",
    "كيف",
    "لا",
    "لان",
    "لدي",
    "لقد",
    "لكن",
    "لم",
    "لن",
    "له",
    "لها",
    "لهذا",
    "لو",
    "ما",
    "مثل",
    "مساء",
    "مع",
    "من",
    "منذ",
    "منه",
    "منها",
    "نحو",
    "نفس",
    "هذا",
    "هذه",
    "هل",
    "هم",
    "هما",
    "هناك",
    "هو",
    "هي",
    "واضاف",
    "واكد",
    "والتي",
    "والذي",
    "وان",
    "وذلك",
    "وفق",
    "وفي",
    "وقال",
    "وقالت",
    "وقد",
    "وكان",
    "وكانت",
    "ولا",
    "ولم",
    "ومن",
    "وهو",
    "وهي",
    "يتم",
    "يكون",
    "يمكن",
    "يوم",
];

/// True if `norm` (a search-normalized word) is a function word.
pub fn is_stopword(norm: &str) -> bool {
    STOPWORDS.binary_search(&norm).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use khabar_core::{Normalizer, Profile};

    #[test]
    fn sorted_normalized_and_unique() {
        assert!(
            STOPWORDS.windows(2).all(|w| w[0] < w[1]),
            "keep STOPWORDS sorted"
        );
        let n = Normalizer::new(Profile::SEARCH);
        for w in STOPWORDS {
            assert_eq!(n.normalize(w), *w, "{w} is not search-normalized");
        }
        assert!(is_stopword("في") && is_stopword("الذي") && !is_stopword("حلب"));
    }
}
