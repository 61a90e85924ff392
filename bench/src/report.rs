//! The figures of one bench run: printed as a table and written as
//! `bench/results.json`, an array of
//! `{"name", "value", "unit", "target", "better", "comparison"}`.

use serde::{Deserialize, Serialize};

/// Which direction is good for a figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Better {
    Lower,
    Higher,
}

/// One measured figure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    pub name: String,
    pub value: f64,
    pub unit: String,
    /// The target this figure is held to; `None` for figures reported for
    /// context (request counts, bytes, the official client's time).
    pub target: Option<f64>,
    pub better: Better,
    /// What the figure is measured against, with that figure.
    pub comparison: String,
}

impl Figure {
    pub fn new(name: &str, value: f64, unit: &str, better: Better) -> Figure {
        Figure {
            name: name.to_owned(),
            value,
            unit: unit.to_owned(),
            target: None,
            better,
            comparison: String::new(),
        }
    }

    pub fn target(mut self, target: f64) -> Figure {
        self.target = Some(target);
        self
    }

    pub fn compared_to(mut self, comparison: impl Into<String>) -> Figure {
        self.comparison = comparison.into();
        self
    }

    /// `Some(true)` when the target is met, `None` without a target.
    pub fn meets_target(&self) -> Option<bool> {
        let target = self.target?;
        Some(match self.better {
            Better::Lower => self.value <= target,
            Better::Higher => self.value >= target,
        })
    }
}

/// Numbers as a reader wants them: integers without decimals, small
/// values with enough digits to compare.
pub fn format_value(value: f64) -> String {
    if !value.is_finite() {
        return value.to_string();
    }
    if value.fract() == 0.0 && value.abs() < 1e15 {
        return format!("{value:.0}");
    }
    let magnitude = value.abs();
    if magnitude >= 100.0 {
        format!("{value:.0}")
    } else if magnitude >= 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    }
}

fn format_target(figure: &Figure) -> String {
    match figure.target {
        None => "-".to_owned(),
        Some(target) => {
            let sign = match figure.better {
                Better::Lower => "<=",
                Better::Higher => ">=",
            };
            format!("{sign} {}", format_value(target))
        }
    }
}

/// The table printed at the end of a run.
pub fn render_table(figures: &[Figure]) -> String {
    let rows: Vec<[String; 5]> = figures
        .iter()
        .map(|f| {
            let verdict = match f.meets_target() {
                None => "",
                Some(true) => "met",
                Some(false) => "MISSED",
            };
            [
                f.name.clone(),
                format!("{} {}", format_value(f.value), f.unit),
                format_target(f),
                verdict.to_owned(),
                f.comparison.clone(),
            ]
        })
        .collect();
    let header = ["figure", "value", "target", "", "compared with"];
    let mut widths = header.map(|h| h.chars().count());
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| -> String {
        let mut out = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                out.push_str(cell);
            } else {
                out.push_str(cell);
                let pad = widths[i] - cell.chars().count() + 2;
                out.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.trim_end().to_owned() + "\n"
    };
    let mut table = line(&header.map(str::to_owned));
    for row in &rows {
        table.push_str(&line(row));
    }
    table
}

/// The JSON written to `bench/results.json`.
pub fn to_json(figures: &[Figure]) -> anyhow::Result<String> {
    for figure in figures {
        anyhow::ensure!(
            figure.value.is_finite(),
            "figure {} is not a number ({})",
            figure.name,
            figure.value
        );
    }
    Ok(serde_json::to_string_pretty(figures)? + "\n")
}

/// `existing` with every figure that `fresh` has a figure of the same name
/// for replaced, and the new ones appended: a partial run (`--only`)
/// updates its own rows and keeps the rest.
pub fn merge(existing: Vec<Figure>, fresh: &[Figure]) -> Vec<Figure> {
    let mut merged: Vec<Figure> = existing
        .into_iter()
        .filter(|old| !fresh.iter().any(|new| new.name == old.name))
        .collect();
    merged.extend(fresh.iter().cloned());
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn sample() -> Vec<Figure> {
        vec![
            Figure::new("cold_start", 12.5, "ms", Better::Lower)
                .target(30.0)
                .compared_to("target 30 ms"),
            Figure::new("ingest", 15_000.0, "events/s", Better::Higher).target(20_000.0),
            Figure::new("first_sync_requests", 42.0, "requests", Better::Lower),
        ]
    }

    #[test]
    fn json_has_exactly_the_agreed_fields() {
        let json: Value = serde_json::from_str(&to_json(&sample()).unwrap()).unwrap();
        let array = json.as_array().unwrap();
        assert_eq!(array.len(), 3);
        for entry in array {
            let object = entry.as_object().unwrap();
            let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
            keys.sort_unstable();
            assert_eq!(
                keys,
                ["better", "comparison", "name", "target", "unit", "value"]
            );
            assert!(object["value"].is_number());
            assert!(object["name"].is_string());
            assert!(matches!(
                object["better"].as_str(),
                Some("lower" | "higher")
            ));
        }
        assert_eq!(array[0]["target"], 30.0);
        assert_eq!(array[1]["better"], "higher");
        assert!(array[2]["target"].is_null());
    }

    #[test]
    fn json_round_trips() {
        let figures = sample();
        let back: Vec<Figure> = serde_json::from_str(&to_json(&figures).unwrap()).unwrap();
        assert_eq!(back, figures);
    }

    #[test]
    fn a_partial_run_replaces_only_its_own_rows() {
        let existing = sample();
        let fresh = vec![
            Figure::new("ingest", 30_000.0, "events/s", Better::Higher),
            Figure::new("gateway_throughput", 2_000.0, "pushes/s", Better::Higher),
        ];
        let merged = merge(existing, &fresh);
        let names: Vec<&str> = merged.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "cold_start",
                "first_sync_requests",
                "ingest",
                "gateway_throughput"
            ]
        );
        assert_eq!(merged[2].value, 30_000.0);
    }

    #[test]
    fn a_non_finite_value_is_refused() {
        let figures = vec![Figure::new("broken", f64::NAN, "ms", Better::Lower)];
        assert!(to_json(&figures).is_err());
    }

    #[test]
    fn targets_are_judged_in_the_right_direction() {
        let figures = sample();
        assert_eq!(figures[0].meets_target(), Some(true));
        assert_eq!(figures[1].meets_target(), Some(false));
        assert_eq!(figures[2].meets_target(), None);
        let exact = Figure::new("x", 3.0, "", Better::Lower).target(3.0);
        assert_eq!(exact.meets_target(), Some(true));
    }

    #[test]
    fn table_shows_values_targets_and_misses() {
        let table = render_table(&sample());
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 4);
        assert!(
            lines[1].contains("12.5 ms") && lines[1].contains("<= 30") && lines[1].contains("met")
        );
        assert!(
            lines[2].contains("15000 events/s")
                && lines[2].contains(">= 20000")
                && lines[2].contains("MISSED")
        );
        assert!(lines[3].contains("42 requests"));
        assert!(lines[3].split_whitespace().any(|cell| cell == "-"));
    }

    #[test]
    fn values_are_formatted_for_reading() {
        assert_eq!(format_value(3.0), "3");
        assert_eq!(format_value(1.23456), "1.23");
        assert_eq!(format_value(12.345), "12.3");
        assert_eq!(format_value(1234.5), "1234");
    }
}
