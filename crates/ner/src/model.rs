//! The model file: a versioned, checksummed container.
//!
//! ```text
//! offset  size  what
//! 0       8     magic  b"KHABARNR"
//! 8       2     container format version (u16 LE) = FORMAT_VERSION
//! 10      4     manifest length M (u32 LE)
//! 14      M     manifest (postcard)
//! 14+M    8     payload length P (u64 LE)
//! 22+M    P     payload (postcard): weights, lexicon, gazetteers
//! 22+M+P  8     xxh3-64 (seed 0) of every byte before it (u64 LE)
//! ```
//!
//! The manifest can be read without decoding the payload (`khabar` prints it),
//! and the loader refuses, with a typed [`ModelError`], a file with another
//! magic, container version or feature schema, or a bad checksum.

use crate::features::FEATURE_SCHEMA;
use crate::lexicon::{CorpusTagsData, GazetteerData, LexiconData};
use crate::perceptron::WeightsData;
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_64;

/// The first 8 bytes of every model file.
pub const MAGIC: &[u8; 8] = b"KHABARNR";
/// Version of the container layout above.
pub const FORMAT_VERSION: u16 = 1;

/// Why a model could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
    /// The bytes do not start with [`MAGIC`].
    #[error("not a khabar NER model (bad magic bytes)")]
    BadMagic,
    /// The container version is not the one this build reads.
    #[error("model container version {found}, this build reads version {expected}")]
    FormatVersion {
        /// Version in the file.
        found: u16,
        /// Version this build reads.
        expected: u16,
    },
    /// The model was trained with another feature schema.
    #[error(
        "model feature schema {found}, this build extracts schema {expected}: retrain with `khabar train ner`"
    )]
    FeatureSchema {
        /// Schema in the manifest.
        found: u32,
        /// Schema of this build.
        expected: u32,
    },
    /// The file ends early.
    #[error("model file truncated")]
    Truncated,
    /// The checksum does not match.
    #[error("model checksum mismatch (file corrupted)")]
    Checksum,
    /// A section could not be decoded.
    #[error("model {section} could not be decoded: {source}")]
    Decode {
        /// Which section.
        section: &'static str,
        /// The postcard error.
        source: postcard::Error,
    },
    /// The payload is internally inconsistent.
    #[error("model payload is inconsistent: {0}")]
    Inconsistent(&'static str),
}

/// Scores of one entity type (or of all, micro-averaged), in percent.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TypeScore {
    /// `PER`, `LOC`, `ORG`, `MISC` or `micro`.
    pub label: String,
    /// Precision, %.
    pub precision: f64,
    /// Recall, %.
    pub recall: f64,
    /// F1, %.
    pub f1: f64,
    /// Number of gold entities.
    pub support: u64,
}

/// What a model is, how it was made and how well it did.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Feature schema the weights were trained with ([`FEATURE_SCHEMA`]).
    pub feature_schema: u32,
    /// Tags in index order (`O`, `B-PERS`, …).
    pub labels: Vec<String>,
    /// xxh3-64 (hex) of the labelled training file(s), as read.
    pub train_data_hash: String,
    /// Name of the labelled training file(s).
    pub train_data: String,
    /// xxh3-64 (hex) of the unlabeled corpus the clusters and bootstrap gazetteer came from.
    pub unlabeled_data_hash: String,
    /// Name of the unlabeled corpus.
    pub unlabeled_data: String,
    /// License of the model (that of its training data).
    pub license: String,
    /// Training settings, `key=value` pairs, for the record.
    pub settings: Vec<(String, String)>,
    /// Scores on the dev file given at training, if any.
    pub dev_scores: Vec<TypeScore>,
    /// Name of the dev file.
    pub dev_data: String,
    /// Version of khabar that trained it.
    pub created_by: String,
}

/// Everything the tagger needs at run time.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Payload {
    /// Perceptron weights.
    pub weights: WeightsData,
    /// Word clusters and counts.
    pub lexicon: LexiconData,
    /// Names from the labelled data.
    pub gazetteer: GazetteerData,
    /// Names bootstrapped from unlabeled news.
    pub bootstrap: GazetteerData,
    /// How a model tagged the words of the unlabeled news.
    pub corpus_tags: CorpusTagsData,
    /// How a context-only model tagged the words of the unlabeled news.
    pub context_tags: CorpusTagsData,
    /// Types of the nearest known names in the embedding space ([`crate::knn`]).
    pub neighbors: crate::knn::NeighborData,
    /// Sentences each side that the second, document-consistency pass looks
    /// at ([`crate::doc`]); 0 = one pass only.
    pub doc_window: u32,
    /// How often each word of the unlabeled news sat in a text where a model
    /// tagged it (somewhere) as a name.
    pub doc_tags: CorpusTagsData,
    /// Adjacent word pairs that stick together in the unlabeled news.
    pub collocations: crate::collocations::CollocationData,
}

/// Writes a model file.
///
/// # Errors
/// Only if postcard cannot serialize (it cannot fail for these types in practice).
pub fn to_bytes(manifest: &Manifest, payload: &Payload) -> Result<Vec<u8>, ModelError> {
    let m = postcard::to_stdvec(manifest).map_err(|source| ModelError::Decode {
        section: "manifest",
        source,
    })?;
    let p = postcard::to_stdvec(payload).map_err(|source| ModelError::Decode {
        section: "payload",
        source,
    })?;
    let mut out = Vec::with_capacity(m.len() + p.len() + 32);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(m.len() as u32).to_le_bytes());
    out.extend_from_slice(&m);
    out.extend_from_slice(&(p.len() as u64).to_le_bytes());
    out.extend_from_slice(&p);
    let sum = xxh3_64(&out);
    out.extend_from_slice(&sum.to_le_bytes());
    Ok(out)
}

fn take<'a>(b: &mut &'a [u8], n: usize) -> Result<&'a [u8], ModelError> {
    if b.len() < n {
        return Err(ModelError::Truncated);
    }
    let (h, t) = b.split_at(n);
    *b = t;
    Ok(h)
}

/// Splits a model file into its manifest and payload bytes, checking magic,
/// version, lengths and checksum.
fn sections(bytes: &[u8]) -> Result<(&[u8], &[u8]), ModelError> {
    let mut b = bytes;
    if take(&mut b, 8).map_err(|_| ModelError::BadMagic)? != MAGIC {
        return Err(ModelError::BadMagic);
    }
    let v = u16::from_le_bytes(
        take(&mut b, 2)?
            .try_into()
            .map_err(|_| ModelError::Truncated)?,
    );
    if v != FORMAT_VERSION {
        return Err(ModelError::FormatVersion {
            found: v,
            expected: FORMAT_VERSION,
        });
    }
    let ml = u32::from_le_bytes(
        take(&mut b, 4)?
            .try_into()
            .map_err(|_| ModelError::Truncated)?,
    );
    let m = take(&mut b, ml as usize)?;
    let pl = u64::from_le_bytes(
        take(&mut b, 8)?
            .try_into()
            .map_err(|_| ModelError::Truncated)?,
    );
    let pl = usize::try_from(pl).map_err(|_| ModelError::Truncated)?;
    let p = take(&mut b, pl)?;
    let body_len = bytes.len() - b.len();
    let sum = u64::from_le_bytes(
        take(&mut b, 8)?
            .try_into()
            .map_err(|_| ModelError::Truncated)?,
    );
    if !b.is_empty() {
        return Err(ModelError::Inconsistent(
            "trailing bytes after the checksum",
        ));
    }
    if xxh3_64(&bytes[..body_len]) != sum {
        return Err(ModelError::Checksum);
    }
    Ok((m, p))
}

/// Reads only the manifest (checks the whole container, but does not decode the payload).
///
/// # Errors
/// See [`ModelError`].
pub fn read_manifest(bytes: &[u8]) -> Result<Manifest, ModelError> {
    let (m, _) = sections(bytes)?;
    postcard::from_bytes(m).map_err(|source| ModelError::Decode {
        section: "manifest",
        source,
    })
}

/// Reads a whole model, refusing another feature schema.
///
/// # Errors
/// See [`ModelError`].
pub fn from_bytes(bytes: &[u8]) -> Result<(Manifest, Payload), ModelError> {
    let (m, p) = sections(bytes)?;
    let manifest: Manifest = postcard::from_bytes(m).map_err(|source| ModelError::Decode {
        section: "manifest",
        source,
    })?;
    if manifest.feature_schema != FEATURE_SCHEMA {
        return Err(ModelError::FeatureSchema {
            found: manifest.feature_schema,
            expected: FEATURE_SCHEMA,
        });
    }
    let payload: Payload = postcard::from_bytes(p).map_err(|source| ModelError::Decode {
        section: "payload",
        source,
    })?;
    Ok((manifest, payload))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<u8> {
        let manifest = Manifest {
            feature_schema: FEATURE_SCHEMA,
            labels: vec!["O".into()],
            license: "CC BY-SA 4.0".into(),
            ..Default::default()
        };
        to_bytes(&manifest, &Payload::default()).unwrap()
    }

    #[test]
    fn round_trip() {
        let b = sample();
        let (m, p) = from_bytes(&b).unwrap();
        assert_eq!(m.license, "CC BY-SA 4.0");
        assert_eq!(p, Payload::default());
        assert_eq!(read_manifest(&b).unwrap(), m);
    }

    #[test]
    fn typed_errors() {
        let b = sample();
        assert!(matches!(from_bytes(b"nope"), Err(ModelError::BadMagic)));
        let mut v = b.clone();
        v[8] = 9;
        assert!(matches!(
            from_bytes(&v),
            Err(ModelError::FormatVersion { found: 9, .. })
        ));
        let mut v = b.clone();
        let last = v.len() - 9;
        v[last] ^= 1;
        assert!(matches!(from_bytes(&v), Err(ModelError::Checksum)));
        assert!(matches!(
            from_bytes(&b[..b.len() - 3]),
            Err(ModelError::Truncated)
        ));
        let manifest = Manifest {
            feature_schema: FEATURE_SCHEMA + 1,
            ..Default::default()
        };
        let v = to_bytes(&manifest, &Payload::default()).unwrap();
        assert!(matches!(
            from_bytes(&v),
            Err(ModelError::FeatureSchema { .. })
        ));
    }

    #[test]
    fn every_prefix_is_rejected_without_panic() {
        let b = sample();
        for k in 0..b.len() {
            assert!(from_bytes(&b[..k]).is_err());
        }
    }
}
