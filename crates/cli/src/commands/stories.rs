//! `khabar stories`: articles grouped into stories, and `khabar eval stories`:
//! pairwise precision/recall of that grouping on labelled article pairs.
//!
//! Features (text layer, stems, weights) are computed in parallel batches;
//! clustering runs in input order on one thread, so output does not depend
//! on the number of threads. Stories are printed as they close (no article
//! for `--window-days`), the rest at the end.

use crate::common::{InputArgs, report_input, stdout};
use anyhow::{Context, Result, bail};
use khabar::batch::{BatchLimits, run_ordered};
use khabar::{Document, DocumentReader, InputOptions, Source};
use khabar_core::Analysis;
use khabar_story::cluster::{ArticleFeatures, Featurizer, Story, StoryClusterer, StoryConfig};
use khabar_story::time::{DateError, format_day, parse_date};
use std::cell::RefCell;
use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

/// Clustering flags shared by `khabar stories` and `khabar eval stories`.
#[derive(clap::Args, Debug, Clone)]
pub struct ClusterArgs {
    /// Score an article needs against a story to join it: cosine of TF-IDF stem vectors
    /// (title ×3, lead ×2) with the story's centroid or best member, plus the entity bonus.
    #[arg(long, default_value_t = 0.25)]
    threshold: f64,
    /// Weight of the entity cosine added to the score (when both sides have entities).
    #[arg(long, default_value_t = 0.1)]
    entity_weight: f64,
    /// Weight of the best similarity to a single member of a story (its text score is the
    /// larger of the centroid cosine and this times the best member cosine; 0 disables).
    #[arg(long, default_value_t = 0.8)]
    member_weight: f64,
    /// A story closes when it had no article for this many days (dates from `date`).
    #[arg(long, default_value_t = 2.0)]
    window_days: f64,
    /// A story takes no article more than this many days after its first one.
    #[arg(long, default_value_t = 4.0)]
    max_span_days: f64,
    /// Weight of title words (body words weigh 1).
    #[arg(long, default_value_t = 3.0)]
    title_weight: f32,
    /// How many first words of the body count as the lead.
    #[arg(long, default_value_t = 60)]
    lead_words: usize,
    /// Weight of lead words.
    #[arg(long, default_value_t = 2.0)]
    lead_weight: f32,
    /// Entity keys per article: JSONL with `id` and `entities` (strings, or objects with
    /// a `key`, as `khabar entities --format jsonl` prints). Articles not listed have none.
    #[arg(long, value_name = "FILE")]
    entities: Option<PathBuf>,
}

impl ClusterArgs {
    fn config(&self) -> Result<StoryConfig> {
        let days = |name: &str, d: f64| -> Result<i64> {
            if !(d.is_finite() && d > 0.0) {
                bail!("--{name} must be a positive number of days, not {d}");
            }
            Ok((d * 86_400.0).round() as i64)
        };
        let config = StoryConfig {
            threshold: self.threshold,
            entity_weight: self.entity_weight,
            member_weight: self.member_weight,
            window_secs: days("window-days", self.window_days)?,
            max_span_secs: days("max-span-days", self.max_span_days)?,
            title_weight: self.title_weight,
            lead_words: self.lead_words,
            lead_weight: self.lead_weight,
            ..StoryConfig::default()
        };
        config.validate()?;
        Ok(config)
    }
}

/// Flags of `khabar stories`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    cluster: ClusterArgs,
    /// Print stories with at least this many articles (1 prints every article's story).
    #[arg(long, default_value_t = 2)]
    min_size: usize,
    /// Read everything first and process articles in date order (not streaming:
    /// memory grows with the input). Without it, input must come in date order.
    #[arg(long)]
    sort_by_date: bool,
    /// Ignore the `date` field instead of failing on a date that is not ISO 8601.
    #[arg(long)]
    ignore_bad_dates: bool,
    /// Output format: one JSON object per story, or a line of ids per story.
    #[arg(long, default_value = "jsonl", value_parser = ["jsonl", "text"])]
    format: String,
}

/// An article ready for clustering.
struct Prepared {
    id: String,
    time: Option<i64>,
    source: Option<String>,
    title: Option<String>,
    features: ArticleFeatures,
}

fn parse_time(doc: &Document, ignore_bad: bool) -> Result<Option<i64>, DateError> {
    match doc.date.as_deref() {
        None => Ok(None),
        Some(s) if s.trim().is_empty() => Ok(None),
        Some(s) => match parse_date(s) {
            Ok(t) => Ok(Some(t)),
            Err(_) if ignore_bad => Ok(None),
            Err(e) => Err(e),
        },
    }
}

thread_local!(static ANALYSIS: RefCell<Analysis> = RefCell::new(Analysis::default()));

/// Reads documents and computes their features in parallel ordered batches, calling
/// `sink` for each in input order.
fn prepare_all(
    reader: &mut DocumentReader,
    featurizer: &Featurizer,
    ignore_bad_dates: bool,
    mut sink: impl FnMut(Prepared, usize) -> Result<()>,
) -> Result<()> {
    let items = reader.by_ref().map(|d| d.map_err(anyhow::Error::from));
    run_ordered(
        items,
        BatchLimits::default(),
        |d| d.text.len(),
        |d| {
            let time = parse_time(d, ignore_bad_dates);
            let features = ANALYSIS
                .with(|a| featurizer.features(d.title.as_deref(), &d.text, &mut a.borrow_mut()));
            (time, features)
        },
        |d, (time, features)| {
            let time = time.with_context(|| {
                format!(
                    "{}: document {:?}: bad date (use --ignore-bad-dates to ignore dates)",
                    d.origin, d.id
                )
            })?;
            let len = d.text.len();
            sink(
                Prepared {
                    id: d.id,
                    time,
                    source: d.source,
                    title: d.title,
                    features,
                },
                len,
            )
        },
    )
}

/// Entity keys per article id from a side file.
fn load_entities(path: &Path) -> Result<HashMap<String, Vec<String>>> {
    let f = std::fs::File::open(path).with_context(|| format!("reading {}", path.display()))?;
    let mut map = HashMap::new();
    for (i, line) in std::io::BufReader::new(f).lines().enumerate() {
        let line = line.with_context(|| format!("reading {}", path.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        let where_ = || format!("{}:{}", path.display(), i + 1);
        let v: serde_json::Value =
            serde_json::from_str(&line).with_context(|| format!("{}: not JSON", where_()))?;
        let id = match v.get("id") {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(serde_json::Value::Number(n)) => n.to_string(),
            _ => bail!("{}: no string \"id\"", where_()),
        };
        let Some(list) = v.get("entities").and_then(|e| e.as_array()) else {
            bail!("{}: no \"entities\" array", where_());
        };
        let mut keys = Vec::with_capacity(list.len());
        for e in list {
            match e {
                serde_json::Value::String(s) => keys.push(s.clone()),
                serde_json::Value::Object(o) => match o.get("key").and_then(|k| k.as_str()) {
                    Some(k) => keys.push(k.to_string()),
                    None => bail!("{}: an entity object without a string \"key\"", where_()),
                },
                _ => bail!("{}: entities must be strings or objects", where_()),
            }
        }
        map.entry(id).or_insert_with(Vec::new).extend(keys);
    }
    Ok(map)
}

/// Clusters prepared articles in the given order, calling `emit` for each story.
fn cluster_all<'a>(
    config: &StoryConfig,
    articles: impl IntoIterator<Item = &'a Prepared>,
    entities: Option<&HashMap<String, Vec<String>>>,
    mut emit: impl FnMut(Story) -> Result<()>,
) -> Result<khabar_story::cluster::StoryStats> {
    let mut c = StoryClusterer::new(config.clone())?;
    let none = Vec::new();
    for p in articles {
        let ents = entities.and_then(|m| m.get(&p.id)).unwrap_or(&none);
        c.add(p.id.clone(), p.time, p.source.clone(), &p.features, ents);
        while let Some(s) = c.pop_closed() {
            emit(s)?;
        }
    }
    let stats = *c.stats();
    for s in c.finish() {
        emit(s)?;
    }
    Ok(stats)
}

/// Stable sort by date; undated articles keep their place before dated ones.
fn sort_by_date(articles: &mut [Prepared]) {
    articles.sort_by_key(|p| p.time.unwrap_or(i64::MIN));
}

/// One output line of `khabar stories` (fields in this order).
#[derive(serde::Serialize)]
struct StoryRecord<'a> {
    story: u64,
    size: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    first_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_date: Option<String>,
    sources: Vec<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    headline: Option<&'a str>,
    top_terms: &'a [String],
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    top_entities: &'a [String],
    members: Vec<&'a str>,
}

pub fn run(args: Args) -> Result<()> {
    let config = args.cluster.config()?;
    let entities = match &args.cluster.entities {
        Some(p) => Some(load_entities(p)?),
        None => None,
    };
    let featurizer = Featurizer::new(&config);
    let (mut reader, pb) = args.input.open()?;
    let mut out = stdout();
    let mut titles: HashMap<String, String> = HashMap::new();
    let mut printed = 0u64;
    let (mut multi, mut in_multi) = (0u64, 0u64);
    let text_format = args.format == "text";
    let min_size = args.min_size.max(1);
    let mut emit = |s: Story, titles: &mut HashMap<String, String>, out: &mut dyn Write| {
        // The title of the article closest to the centroid, else the first one with a title.
        let central = s.members.get(s.central).map(|m| m.id.clone());
        let headline = central
            .and_then(|id| titles.get(&id).cloned())
            .or_else(|| s.members.iter().find_map(|m| titles.get(&m.id).cloned()));
        for m in &s.members {
            titles.remove(&m.id);
        }
        if s.members.len() >= 2 {
            multi += 1;
            in_multi += s.members.len() as u64;
        }
        if s.members.len() < min_size {
            return Ok(());
        }
        write_story(out, printed, &s, headline.as_deref(), text_format)?;
        printed += 1;
        anyhow::Ok(())
    };
    let stats = if args.sort_by_date {
        let mut all = Vec::new();
        prepare_all(&mut reader, &featurizer, args.ignore_bad_dates, |p, len| {
            pb.inc(len as u64);
            all.push(p);
            Ok(())
        })?;
        sort_by_date(&mut all);
        for p in &mut all {
            if let Some(t) = p.title.take() {
                titles.insert(p.id.clone(), t);
            }
        }
        cluster_all(&config, &all, entities.as_ref(), |s| {
            emit(s, &mut titles, &mut out)
        })?
    } else {
        let mut c = StoryClusterer::new(config.clone())?;
        let none = Vec::new();
        prepare_all(&mut reader, &featurizer, args.ignore_bad_dates, |p, len| {
            pb.inc(len as u64);
            if let Some(t) = p.title {
                titles.insert(p.id.clone(), t);
            }
            let ents = entities
                .as_ref()
                .and_then(|m| m.get(&p.id))
                .unwrap_or(&none);
            c.add(p.id, p.time, p.source, &p.features, ents);
            while let Some(s) = c.pop_closed() {
                emit(s, &mut titles, &mut out)?;
            }
            Ok(())
        })?;
        let stats = *c.stats();
        for s in c.finish() {
            emit(s, &mut titles, &mut out)?;
        }
        stats
    };
    out.flush()?;
    pb.finish_and_clear();
    report_input(reader.stats());
    eprintln!(
        "khabar stories: {} articles, {} stories, {multi} with 2 or more articles holding {in_multi} articles",
        stats.articles, stats.stories
    );
    Ok(())
}

fn write_story(
    out: &mut dyn Write,
    n: u64,
    s: &Story,
    headline: Option<&str>,
    text: bool,
) -> Result<()> {
    if text {
        let ids: Vec<&str> = s.members.iter().map(|m| m.id.as_str()).collect();
        writeln!(out, "{n}\t{}\t{}", headline.unwrap_or(""), ids.join(" "))?;
        return Ok(());
    }
    let range = s.date_range();
    let rec = StoryRecord {
        story: n,
        size: s.members.len(),
        first_date: range.map(|r| format_day(r.0)),
        last_date: range.map(|r| format_day(r.1)),
        sources: s.sources(),
        headline,
        top_terms: &s.top_terms,
        top_entities: &s.top_entities,
        members: s.members.iter().map(|m| m.id.as_str()).collect(),
    };
    serde_json::to_writer(&mut *out, &rec)?;
    out.write_all(b"\n")?;
    Ok(())
}

/// Flags of `khabar eval stories`.
#[derive(clap::Args, Debug)]
pub struct EvalArgs {
    /// Labelled pairs: JSONL with `a`, `b` (article ids) and `label` (`same` or `different`);
    /// optional `split`, `stratum` and `corpus` are reported separately.
    #[arg(long, value_name = "FILE")]
    pairs: PathBuf,
    /// Article files or folders (their `.jsonl` files are read), e.g.
    /// `../shared/data/ant_multisource ../shared/data/saudinewsnet`.
    #[arg(long, value_name = "PATH", num_args = 1.., required = true)]
    data: Vec<PathBuf>,
    #[command(flatten)]
    cluster: ClusterArgs,
    /// Comma-separated thresholds to evaluate in one run (features are computed once).
    #[arg(long, value_name = "T,T,…")]
    sweep: Option<String>,
    /// Output format.
    #[arg(long, default_value = "text", value_parser = ["text", "jsonl"])]
    format: String,
    /// Also write each pair with its prediction (JSONL: the pair's fields plus `threshold`
    /// and `predicted`) to this file, for error analysis.
    #[arg(long, value_name = "FILE")]
    predictions: Option<PathBuf>,
}

#[derive(serde::Deserialize, serde::Serialize)]
struct Pair {
    a: String,
    b: String,
    label: String,
    #[serde(default)]
    split: Option<String>,
    #[serde(default)]
    stratum: Option<String>,
    #[serde(default)]
    corpus: Option<String>,
    #[serde(flatten)]
    rest: serde_json::Map<String, serde_json::Value>,
}

#[derive(Default, Clone, Copy, serde::Serialize)]
struct Counts {
    tp: u64,
    fp: u64,
    fn_: u64,
    tn: u64,
}

impl Counts {
    fn add(&mut self, gold: bool, pred: bool) {
        match (gold, pred) {
            (true, true) => self.tp += 1,
            (false, true) => self.fp += 1,
            (true, false) => self.fn_ += 1,
            (false, false) => self.tn += 1,
        }
    }
    fn prf(&self) -> (f64, f64, f64) {
        let p = ratio(self.tp, self.tp + self.fp);
        let r = ratio(self.tp, self.tp + self.fn_);
        let f = if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        };
        (p, r, f)
    }
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

fn jsonl_files(paths: &[PathBuf]) -> Result<Vec<Source>> {
    let mut out = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).with_context(|| format!("{}", p.display()))?;
        if meta.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(p)
                .with_context(|| format!("{}", p.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.extension().is_some_and(|e| e == "jsonl"))
                .collect();
            files.sort();
            if files.is_empty() {
                bail!("{}: no .jsonl files in this folder", p.display());
            }
            out.extend(files.into_iter().map(Source::Path));
        } else {
            out.push(Source::Path(p.clone()));
        }
    }
    Ok(out)
}

pub fn run_eval(args: EvalArgs) -> Result<()> {
    let started = std::time::Instant::now();
    let pairs_text = std::fs::read_to_string(&args.pairs)
        .with_context(|| format!("reading {}", args.pairs.display()))?;
    let mut pairs = Vec::new();
    for (i, line) in pairs_text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let p: Pair = serde_json::from_str(line)
            .with_context(|| format!("{}:{}: not a pair", args.pairs.display(), i + 1))?;
        if p.label != "same" && p.label != "different" {
            bail!(
                "{}:{}: label must be \"same\" or \"different\", not {:?}",
                args.pairs.display(),
                i + 1,
                p.label
            );
        }
        pairs.push(p);
    }
    let base = args.cluster.config()?;
    let entities = match &args.cluster.entities {
        Some(p) => Some(load_entities(p)?),
        None => None,
    };
    let sources = jsonl_files(&args.data)?;
    let mut reader = DocumentReader::new(&sources, InputOptions::default())?;
    let featurizer = Featurizer::new(&base);
    let mut all = Vec::new();
    prepare_all(&mut reader, &featurizer, false, |p, _| {
        all.push(p);
        Ok(())
    })?;
    sort_by_date(&mut all);
    let known: HashMap<&str, ()> = all.iter().map(|p| (p.id.as_str(), ())).collect();
    let missing: Vec<&str> = pairs
        .iter()
        .flat_map(|p| [p.a.as_str(), p.b.as_str()])
        .filter(|id| !known.contains_key(id))
        .collect();
    if !missing.is_empty() {
        bail!(
            "{} labelled article id(s) are not in the --data files (first: {}); give the folders the pairs were drawn from",
            missing.len(),
            missing[0]
        );
    }
    let prep_s = started.elapsed().as_secs_f64();
    let thresholds: Vec<f64> = match &args.sweep {
        None => vec![base.threshold],
        Some(s) => s
            .split(',')
            .map(|t| {
                t.trim()
                    .parse::<f64>()
                    .with_context(|| format!("--sweep: {t:?} is not a number"))
            })
            .collect::<Result<_>>()?,
    };
    let mut out = stdout();
    let mut predictions = match &args.predictions {
        Some(p) => Some(std::io::BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("creating {}", p.display()))?,
        )),
        None => None,
    };
    if args.format == "text" {
        writeln!(
            out,
            "{} articles, {} labelled pairs ({} same), features in {prep_s:.1} s{}",
            all.len(),
            pairs.len(),
            pairs.iter().filter(|p| p.label == "same").count(),
            if entities.is_some() {
                ", with entities"
            } else {
                ""
            }
        )?;
        writeln!(
            out,
            "{:<9}  {:<22} {:>5}  {:<5}  {:<5}  {:<5}  | {:>7}  {:>5}  {:>7}  {:>9}",
            "threshold",
            "group",
            "pairs",
            "P",
            "R",
            "F1",
            "stories",
            "multi",
            "largest",
            "cluster_s"
        )?;
    }
    for t in thresholds {
        let config = StoryConfig {
            threshold: t,
            ..base.clone()
        };
        config.validate()?;
        let t0 = std::time::Instant::now();
        let mut story_of: HashMap<String, u64> = HashMap::with_capacity(all.len());
        let (mut n_stories, mut multi, mut largest) = (0u64, 0u64, 0usize);
        cluster_all(&config, &all, entities.as_ref(), |s| {
            n_stories += 1;
            if s.members.len() >= 2 {
                multi += 1;
            }
            largest = largest.max(s.members.len());
            for m in s.members {
                story_of.insert(m.id, s.id);
            }
            Ok(())
        })?;
        let cluster_s = t0.elapsed().as_secs_f64();
        // Counts per group: all, then by split, stratum and corpus (sorted names).
        let mut groups: std::collections::BTreeMap<String, Counts> = Default::default();
        for p in &pairs {
            let gold = p.label == "same";
            let pred = story_of.get(&p.a) == story_of.get(&p.b);
            if let Some(w) = predictions.as_mut() {
                let mut v = serde_json::to_value(p)?;
                v["threshold"] = t.into();
                v["predicted"] = (if pred { "same" } else { "different" }).into();
                serde_json::to_writer(&mut *w, &v)?;
                w.write_all(b"\n")?;
            }
            let mut keys = vec!["all".to_string()];
            if let Some(s) = &p.split {
                keys.push(format!("split={s}"));
            }
            if let Some(s) = &p.stratum {
                keys.push(format!("stratum={s}"));
            }
            if let Some(s) = &p.corpus {
                keys.push(format!("corpus={s}"));
            }
            for k in keys {
                groups.entry(k).or_default().add(gold, pred);
            }
        }
        for (k, c) in &groups {
            let (p, r, f) = c.prf();
            if args.format == "text" {
                writeln!(
                    out,
                    "{t:<9}  {k:<22} {:>5}  {p:.3}  {r:.3}  {f:.3}  | {n_stories:>7}  {multi:>5}  {largest:>7}  {cluster_s:>9.2}",
                    c.tp + c.fp + c.fn_ + c.tn
                )?;
            } else {
                let rec = serde_json::json!({
                    "eval": "stories", "threshold": t, "group": k, "counts": c,
                    "precision": p, "recall": r, "f1": f,
                    "entities": entities.is_some(), "entity_weight": config.entity_weight, "member_weight": config.member_weight,
                    "window_days": args.cluster.window_days, "max_span_days": args.cluster.max_span_days,
                    "title_weight": config.title_weight, "lead_words": config.lead_words, "lead_weight": config.lead_weight,
                    "articles": all.len(), "stories": n_stories, "multi_article_stories": multi,
                    "largest_story": largest, "cluster_s": cluster_s, "features_s": prep_s,
                });
                writeln!(out, "{rec}")?;
            }
        }
    }
    out.flush()?;
    if let Some(mut w) = predictions {
        w.flush()?;
    }
    Ok(())
}
