//! Results: one `Metric` list per (workload, backend, repetition); medians
//! over repetitions go to a Markdown and a JSON report.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use anyhow::Result;
use serde::Serialize;

use crate::backend::Kind;
use crate::stats::median;

#[derive(Clone, Debug, Serialize)]
pub struct Metric {
    pub name: String,
    pub value: f64,
    pub unit: &'static str,
}

impl Metric {
    pub fn new(name: impl Into<String>, value: f64, unit: &'static str) -> Self {
        Self {
            name: name.into(),
            value,
            unit,
        }
    }
}

/// A metric's name, unit, and median per backend.
pub type Row = (String, &'static str, BTreeMap<Kind, f64>);

#[derive(Clone, Debug, Serialize)]
pub struct Run {
    pub workload: String,
    pub backend: Kind,
    pub rep: usize,
    pub metrics: Vec<Metric>,
}

#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub machine: BTreeMap<String, String>,
    pub scale: serde_json::Value,
    pub calibration: Vec<Metric>,
    pub runs: Vec<Run>,
    /// Free text per workload: what was measured, and how.
    pub notes: BTreeMap<String, Vec<String>>,
}

impl Report {
    pub fn add(&mut self, workload: &str, backend: Kind, rep: usize, metrics: Vec<Metric>) {
        for m in &metrics {
            eprintln!(
                "    {workload} [{}] #{rep}: {} = {:.3} {}",
                backend.name(),
                m.name,
                m.value,
                m.unit
            );
        }
        self.runs.push(Run {
            workload: workload.into(),
            backend,
            rep,
            metrics,
        });
    }

    pub fn note(&mut self, workload: &str, text: impl Into<String>) {
        self.notes
            .entry(workload.into())
            .or_default()
            .push(text.into());
    }

    /// Median over repetitions of each (workload, metric, backend), in the
    /// order metrics first appeared.
    pub fn medians(&self) -> Vec<(String, Vec<Row>)> {
        let mut out: Vec<(String, Vec<Row>)> = Vec::new();
        for run in &self.runs {
            if !out.iter().any(|(w, _)| *w == run.workload) {
                out.push((run.workload.clone(), Vec::new()));
            }
            let rows = &mut out.iter_mut().find(|(w, _)| *w == run.workload).unwrap().1;
            for m in &run.metrics {
                if !rows.iter().any(|(n, _, _)| *n == m.name) {
                    rows.push((m.name.clone(), m.unit, BTreeMap::new()));
                }
            }
        }
        for (workload, rows) in &mut out {
            for (name, _, values) in rows.iter_mut() {
                for kind in [Kind::Sqlite, Kind::Postgres] {
                    let samples: Vec<f64> = self
                        .runs
                        .iter()
                        .filter(|r| r.workload == *workload && r.backend == kind)
                        .flat_map(|r| r.metrics.iter().filter(|m| m.name == *name))
                        .map(|m| m.value)
                        .collect();
                    if !samples.is_empty() {
                        values.insert(kind, median(&samples));
                    }
                }
            }
        }
        out
    }

    pub fn markdown(&self) -> String {
        let mut md = String::new();
        let _ = writeln!(md, "# Loggia benchmark report\n");
        for (key, value) in &self.machine {
            let _ = writeln!(md, "- {key}: {value}");
        }
        let _ = writeln!(
            md,
            "\n## Calibration\n\n| ceiling | value | unit |\n|---|---:|---|"
        );
        for m in &self.calibration {
            let _ = writeln!(md, "| {} | {} | {} |", m.name, fmt(m.value), m.unit);
        }
        for (workload, rows) in self.medians() {
            let _ = writeln!(
                md,
                "\n## {workload}\n\n| metric | SQLite | PostgreSQL | unit |\n|---|---:|---:|---|"
            );
            for (name, unit, values) in rows {
                let cell = |k| {
                    values
                        .get(&k)
                        .map(|v| fmt(*v))
                        .unwrap_or_else(|| "—".into())
                };
                let _ = writeln!(
                    md,
                    "| {name} | {} | {} | {unit} |",
                    cell(Kind::Sqlite),
                    cell(Kind::Postgres)
                );
            }
            for note in self.notes.get(&workload).into_iter().flatten() {
                let _ = writeln!(md, "\n{note}");
            }
        }
        md
    }

    pub fn write(&self, dir: &Path) -> Result<()> {
        std::fs::create_dir_all(dir)?;
        std::fs::write(dir.join("report.json"), serde_json::to_string_pretty(self)?)?;
        std::fs::write(dir.join("report.md"), self.markdown())?;
        Ok(())
    }
}

/// Three significant figures, thousands separated.
fn fmt(v: f64) -> String {
    if v.is_nan() {
        return "—".into();
    }
    let digits = if v.abs() >= 100.0 {
        0
    } else if v.abs() >= 10.0 {
        1
    } else if v.abs() >= 1.0 {
        2
    } else {
        3
    };
    let s = format!("{v:.digits$}");
    let (int, frac) = s
        .split_once('.')
        .map_or((s.as_str(), None), |(i, f)| (i, Some(f)));
    let (sign, int) = int.strip_prefix('-').map_or(("", int), |i| ("-", i));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_takes_medians() {
        assert_eq!(fmt(1234567.0), "1,234,567");
        assert_eq!(fmt(12.345), "12.3");
        assert_eq!(fmt(0.01234), "0.012");
        let mut r = Report::default();
        for (rep, v) in [(0, 3.0), (1, 1.0), (2, 2.0)] {
            r.add("w", Kind::Sqlite, rep, vec![Metric::new("x", v, "ms")]);
        }
        let m = r.medians();
        assert_eq!(m[0].1[0].2[&Kind::Sqlite], 2.0);
        assert!(r.markdown().contains("| x | 2.00 | — | ms |"));
    }
}
