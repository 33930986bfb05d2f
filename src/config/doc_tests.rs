/// Every key of the default file is documented, with its variable.
#[test]
fn every_key_is_documented() {
    let docs = include_str!("../../docs/configuration.md");
    let table: toml::Table = toml::from_str(super::DEFAULT_CONFIG_TOML).expect("parses");
    assert_eq!(
        table.len(),
        51,
        "update this test and the docs when adding keys"
    );
    for key in table.keys() {
        assert!(
            docs.contains(&format!("| `{key}` |")),
            "docs/configuration.md lacks {key}"
        );
        let var = format!("`LOGGIA_{}`", key.to_ascii_uppercase());
        assert!(docs.contains(&var), "docs/configuration.md lacks {var}");
        assert!(
            super::kind_of(key).is_some(),
            "{key} cannot be set from the environment"
        );
    }
}
