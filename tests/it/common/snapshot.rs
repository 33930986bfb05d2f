//! JSON snapshots with volatile values redacted: ids, times, random media
//! keys, blurhashes, secrets. `UPDATE_SNAPSHOTS=1` rewrites them; review
//! the diff against Mastodon's entity documentation before committing.

use std::path::PathBuf;

use regex::Regex;
use serde_json::Value;

fn redact_string(key: &str, s: &str) -> String {
    if matches!(
        key,
        "client_id" | "client_secret" | "access_token" | "refresh_token" | "blurhash" | "group_key"
    ) {
        return format!("<{key}>");
    }
    let rules = [
        (r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z", "<time>"),
        (
            r"/media/\d{4}/\d{2}/[A-Za-z0-9-]+\.(jpg|png)",
            "/media/<key>",
        ),
        (r"\d{12,}", "<id>"),
        (r"^\d{4}-\d{2}-\d{2}$", "<date>"),
        (r"Loggia \d+\.\d+\.\d+", "Loggia <version>"),
    ];
    let mut out = s.to_owned();
    for (pattern, replacement) in rules {
        let re = Regex::new(pattern).expect("valid pattern");
        out = re.replace_all(&out, replacement).into_owned();
    }
    out
}

pub fn redact(value: &Value) -> Value {
    fn walk(key: &str, v: &Value) -> Value {
        match v {
            Value::Object(map) => {
                Value::Object(map.iter().map(|(k, v)| (k.clone(), walk(k, v))).collect())
            }
            Value::Array(items) => Value::Array(items.iter().map(|v| walk(key, v)).collect()),
            Value::String(s) => Value::String(redact_string(key, s)),
            Value::Number(n) if key == "created_at" => Value::String(format!(
                "<{}>",
                if n.is_i64() { "unix-time" } else { "number" }
            )),
            other => other.clone(),
        }
    }
    walk("", value)
}

/// Compares `value` (redacted) with `tests/snapshots/<name>.json`.
#[track_caller]
pub fn assert_snapshot(name: &str, value: &Value) {
    let path: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "tests",
        "snapshots",
        &format!("{name}.json"),
    ]
    .iter()
    .collect();
    let actual = serde_json::to_string_pretty(&redact(value)).expect("serialize") + "\n";
    if std::env::var("UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &actual).expect("write snapshot");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "no snapshot {} yet: run with UPDATE_SNAPSHOTS=1 and review it",
            path.display()
        )
    });
    assert_eq!(
        actual, expected,
        "snapshot {name} changed (UPDATE_SNAPSHOTS=1 to accept, after review)"
    );
}
