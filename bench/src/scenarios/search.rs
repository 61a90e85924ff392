//! Figure 6: Offline search over the whole cached history: words people
//! look for, taken from cached posts, typed whole, as two words, or half
//! typed (the last word is a prefix).

use std::path::Path;
use std::time::Instant;

use anyhow::ensure;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::SeedableRng;

use crate::account;
use crate::report::{Better, Figure};
use crate::stats::{millis, percentile};

/// Hits a search screen shows at first.
const HITS: usize = 50;

/// Search terms: every third query a single word, a two-word query or the
/// first letters of a word.
pub fn queries(messages: &[String], count: usize, seed: u64) -> Vec<String> {
    let words: Vec<&str> = messages
        .iter()
        .flat_map(|m| m.split(|c: char| !c.is_alphanumeric()))
        .filter(|w| w.chars().count() >= 4)
        .collect();
    if words.is_empty() {
        return Vec::new();
    }
    let mut rng = StdRng::seed_from_u64(seed);
    (0..count)
        .filter_map(|i| {
            let word = *words.choose(&mut rng)?;
            Some(match i % 3 {
                0 => word.to_owned(),
                1 => format!("{word} {}", words.choose(&mut rng)?),
                _ => word.chars().take(3).collect(),
            })
        })
        .collect()
}

pub async fn measure(dir: &Path, cached_posts: u64, count: usize) -> anyhow::Result<Vec<Figure>> {
    let client = account::restore(dir).await?;
    let lists = account::channel_lists(&client).await?;
    let mut messages = Vec::new();
    for channel in account::all_channel_ids(&lists).iter().step_by(7) {
        let timeline = client.timeline(channel, 20).await?;
        messages.extend(timeline.posts.into_iter().map(|p| p.message));
    }
    let queries = queries(&messages, count, 7);
    ensure!(
        queries.len() == count,
        "not enough cached text for search terms"
    );
    // Warm-up: the first queries pay for opening reader connections.
    for query in queries.iter().take(10) {
        client.search_offline(query, None, HITS).await?;
    }
    let mut latencies = Vec::with_capacity(count);
    let mut hits = 0usize;
    for query in &queries {
        let started = Instant::now();
        let found = client.search_offline(query, None, HITS).await?;
        latencies.push(millis(started.elapsed()));
        hits += found.len();
    }
    ensure!(hits > 0, "no query found anything");
    let p50 = percentile(&latencies, 50.0).unwrap_or(f64::NAN);
    let p99 = percentile(&latencies, 99.0).unwrap_or(f64::NAN);
    let worst = latencies.iter().copied().fold(0.0, f64::max);
    let context = format!(
        "{count} queries (words, word pairs, 3-letter prefixes) over {cached_posts} cached posts, first {HITS} hits, {:.1} hits on average",
        hits as f64 / count as f64
    );
    Ok(vec![
        Figure::new("search_p50", p50, "ms", Better::Lower).compared_to(context.clone()),
        Figure::new("search_p99", p99, "ms", Better::Lower)
            .target(20.0)
            .compared_to(format!("{context}; slowest {worst:.1} ms")),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_mix_words_pairs_and_prefixes() {
        let messages = vec![
            "Hausaufgaben für Mathe".to_owned(),
            "Wandertag am".to_owned(),
        ];
        let q = queries(&messages, 9, 1);
        assert_eq!(q.len(), 9);
        let known = ["Hausaufgaben", "Mathe", "Wandertag"];
        assert!(known.contains(&q[0].as_str()), "{q:?}");
        assert_eq!(q[1].split(' ').count(), 2);
        assert_eq!(q[2].chars().count(), 3);
        // Short words ("für", "am") are never search terms.
        assert!(q
            .iter()
            .all(|s| !s.split(' ').any(|w| w == "am" || w == "für")));
        // The same seed gives the same queries.
        assert_eq!(queries(&messages, 9, 1), q);
        assert!(queries(&[], 5, 1).is_empty());
    }
}
