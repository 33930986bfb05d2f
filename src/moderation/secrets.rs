//! Detectors for secrets that must never leave the company: payment card
//! numbers (Luhn-checked, so order numbers do not trip it), private keys
//! and well-known API token formats.

use std::sync::LazyLock;

use regex::Regex;

static PRIVATE_KEY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"-----BEGIN [A-Z ]*PRIVATE KEY( BLOCK)?-----").expect("valid"));
static AWS_ACCESS_KEY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b").expect("valid"));
static GITHUB_TOKEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})\b").expect("valid")
});
static SLACK_TOKEN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\bxox[abposr]-[A-Za-z0-9-]{10,}").expect("valid"));
/// 13 to 19 digits, optionally grouped by single spaces or dashes.
static CARD_CANDIDATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b\d(?:[ -]?\d){12,18}\b").expect("valid"));

/// Whether `text` contains a secret of `kind` (one of `SECRET_KINDS`).
pub fn detect(kind: &str, text: &str) -> bool {
    match kind {
        "card_number" => CARD_CANDIDATE.find_iter(text).any(|m| {
            let digits: Vec<u32> = m.as_str().chars().filter_map(|c| c.to_digit(10)).collect();
            (13..=19).contains(&digits.len()) && luhn(&digits)
        }),
        "private_key" => PRIVATE_KEY.is_match(text),
        "aws_access_key" => AWS_ACCESS_KEY.is_match(text),
        "github_token" => GITHUB_TOKEN.is_match(text),
        "slack_token" => SLACK_TOKEN.is_match(text),
        _ => false,
    }
}

fn luhn(digits: &[u32]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 1 {
                let d = d * 2;
                if d > 9 { d - 9 } else { d }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

#[cfg(test)]
mod tests {
    use super::detect;

    #[test]
    fn card_numbers_need_a_valid_checksum() {
        assert!(detect("card_number", "card 4111 1111 1111 1111 exp 12/29"));
        assert!(detect("card_number", "5500-0000-0000-0004"));
        assert!(!detect("card_number", "order 4111 1111 1111 1112"));
        assert!(!detect("card_number", "call +39 02 1234 5678"));
    }

    #[test]
    fn keys_and_tokens() {
        assert!(detect(
            "private_key",
            "-----BEGIN RSA PRIVATE KEY-----\nMII"
        ));
        assert!(detect("private_key", "-----BEGIN OPENSSH PRIVATE KEY-----"));
        assert!(!detect("private_key", "-----BEGIN PUBLIC KEY-----"));
        assert!(detect("aws_access_key", "key=AKIAIOSFODNN7EXAMPLE"));
        assert!(detect(
            "github_token",
            "ghp_abcdefghijklmnopqrstuvwxyz0123456789"
        ));
        assert!(detect("slack_token", "xoxb-1234567890-abcdef"));
        assert!(!detect("aws_access_key", "AKIA short"));
    }
}
