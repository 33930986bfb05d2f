//! Validation of JSON against Mastodon's OpenAPI entity schemas
//! (`tests/fixtures/mastodon-openapi/schema.json`).

use serde_json::{Value, json};

fn components() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/mastodon-openapi/schema.json"
    );
    let text = std::fs::read_to_string(path).expect("read the OpenAPI schema");
    let doc: Value = serde_json::from_str(&text).expect("parse the OpenAPI schema");
    doc["components"].clone()
}

/// Panics with every violation when `value` does not match `entity`.
#[track_caller]
pub fn assert_entity(entity: &str, value: &Value) {
    let schema = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": format!("#/components/schemas/{entity}"),
        "components": components(),
    });
    let validator = jsonschema::validator_for(&schema).expect("compile the schema");
    let errors: Vec<String> = validator
        .iter_errors(value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{entity} does not match Mastodon's schema:\n{}\n{value:#}",
        errors.join("\n")
    );
}

#[test]
#[should_panic(expected = "does not match Mastodon's schema")]
fn the_schema_check_can_fail() {
    // A Token without its required `created_at`, and a wrong type.
    assert_entity(
        "Token",
        &json!({"access_token": "x", "token_type": "Bearer", "scope": 5}),
    );
}
