//! The operations Loggia claims are listed once, in
//! `tests/conformance/operations.txt` (which the schemathesis run tests);
//! `docs/api-compatibility.md` carries the same list, generated from it.
//! `UPDATE_DOCS=1` rewrites the generated part.

use std::collections::BTreeSet;

const BEGIN: &str = "<!-- claimed-operations:begin (generated from tests/conformance/operations.txt; UPDATE_DOCS=1 cargo test --test it conformance) -->";
const END: &str = "<!-- claimed-operations:end -->";

fn root(path: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// (method, path, status) of every claimed operation, in file order.
fn claimed() -> Vec<(String, String, String)> {
    let text = std::fs::read_to_string(root("tests/conformance/operations.txt")).unwrap();
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let parts: Vec<&str> = l.split_whitespace().collect();
            assert_eq!(parts.len(), 3, "operations.txt: malformed line {l:?}");
            (
                parts[0].to_owned(),
                parts[1].to_owned(),
                parts[2].to_owned(),
            )
        })
        .collect()
}

fn generated(ops: &[(String, String, String)]) -> String {
    let mut out = String::from("| operation | status |\n|---|---|\n");
    for (method, path, status) in ops {
        out.push_str(&format!("| `{method} {path}` | {status} |\n"));
    }
    out
}

#[test]
fn claimed_operations_exist_in_the_schema_and_the_docs_list_them() {
    let ops = claimed();
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root("tests/fixtures/mastodon-openapi/schema.json")).unwrap(),
    )
    .unwrap();
    let mut seen = BTreeSet::new();
    for (method, path, status) in &ops {
        assert!(
            matches!(status.as_str(), "done" | "empty"),
            "{method} {path}: status {status:?} is not done or empty"
        );
        assert!(
            schema["paths"][path][method.to_lowercase()].is_object(),
            "{method} {path} is not an operation of Mastodon's schema"
        );
        assert!(
            seen.insert((method, path)),
            "{method} {path} is listed twice"
        );
    }

    let doc_path = root("docs/api-compatibility.md");
    let doc = std::fs::read_to_string(&doc_path).unwrap();
    let (Some(start), Some(end)) = (doc.find(BEGIN), doc.find(END)) else {
        panic!("docs/api-compatibility.md lacks the generated section markers");
    };
    let current = &doc[start + BEGIN.len()..end];
    let wanted = format!("\n{}", generated(&ops));
    if current != wanted {
        if std::env::var("UPDATE_DOCS").is_ok_and(|v| v == "1") {
            let updated = format!("{}{BEGIN}{wanted}{}", &doc[..start], &doc[end..]);
            std::fs::write(&doc_path, updated).unwrap();
        } else {
            panic!(
                "docs/api-compatibility.md is out of step with tests/conformance/operations.txt: \
                 run UPDATE_DOCS=1 cargo test --test it conformance"
            );
        }
    }
}
