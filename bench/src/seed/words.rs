//! Status texts: 50–300 characters of workplace chatter from a fixed
//! vocabulary (a few accented words, so search folding has work to do),
//! with the mentions the plan decided, sometimes hashtags and a link.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const WORDS: &[&str] = &[
    "the",
    "a",
    "we",
    "our",
    "team",
    "is",
    "are",
    "shipping",
    "release",
    "today",
    "tomorrow",
    "meeting",
    "notes",
    "from",
    "with",
    "for",
    "about",
    "roadmap",
    "quarter",
    "planning",
    "review",
    "design",
    "draft",
    "feedback",
    "welcome",
    "new",
    "colleague",
    "office",
    "kitchen",
    "coffee",
    "lunch",
    "piazza",
    "loggia",
    "garden",
    "terrace",
    "build",
    "deploy",
    "pipeline",
    "green",
    "again",
    "finally",
    "thanks",
    "everyone",
    "who",
    "helped",
    "question",
    "anyone",
    "knows",
    "how",
    "to",
    "fix",
    "this",
    "bug",
    "in",
    "the",
    "printer",
    "third",
    "floor",
    "wiki",
    "page",
    "updated",
    "security",
    "training",
    "reminder",
    "deadline",
    "friday",
    "monday",
    "sprint",
    "retro",
    "went",
    "well",
    "customer",
    "call",
    "was",
    "great",
    "demo",
    "slides",
    "attached",
    "please",
    "read",
    "before",
    "standup",
    "café",
    "crème",
    "brûlée",
    "naïve",
    "résumé",
    "façade",
    "über",
    "jalapeño",
    "smörgåsbord",
    "onboarding",
    "mentor",
    "handbook",
    "policy",
    "budget",
    "travel",
    "conference",
    "talk",
    "accepted",
    "proud",
    "of",
    "small",
    "big",
    "win",
    "metrics",
    "dashboard",
    "latency",
    "dropped",
    "after",
    "cache",
    "change",
    "incident",
    "postmortem",
    "published",
    "learned",
    "lot",
    "parking",
    "bikes",
    "rain",
    "sunny",
    "weekend",
    "plans",
    "hiking",
    "board",
    "games",
    "tonight",
    "pizza",
    "cake",
    "birthday",
    "congrats",
    "promotion",
    "hiring",
    "interview",
    "candidates",
    "open",
    "role",
    "backend",
    "frontend",
    "mobile",
    "app",
    "beta",
    "testers",
    "needed",
    "sign",
    "up",
    "here",
    "link",
    "below",
];

/// Hashtags, most popular first (picked with a bias to the front).
const TAGS: &[&str] = &[
    "TeamLunch",
    "release",
    "hiring",
    "onboarding",
    "TIL",
    "security",
    "design",
    "rust",
    "coffee",
    "FridayFeeling",
    "incident",
    "roadmap",
    "wellbeing",
    "bikeToWork",
    "books",
    "music",
    "recipes",
    "garden",
    "travel",
    "conference",
    "mentoring",
    "accessibility",
    "sustainability",
    "office",
    "remote",
    "meetup",
    "hackathon",
    "quiz",
    "photography",
    "dogs",
];

pub struct Words {
    rng: StdRng,
}

/// One status's text and content warning.
pub struct Drawn {
    pub text: String,
    pub spoiler_text: String,
}

impl Words {
    pub fn new(seed: u64) -> Self {
        Self {
            rng: StdRng::seed_from_u64(seed),
        }
    }

    /// A text opening with `@name` for each of `mentions`; 15 % end with
    /// one or two hashtags (some of the 30 popular ones, or `topicN` of
    /// 200 others), 5 % carry a link, 2 % a content warning.
    pub fn status(&mut self, mentions: &[&str]) -> Drawn {
        let rng = &mut self.rng;
        let target = rng.random_range(50..=300);
        let mut text = String::with_capacity(target + 40);
        for name in mentions {
            text.push('@');
            text.push_str(name);
            text.push(' ');
        }
        let mut first = true;
        while text.len() < target {
            let word = WORDS[rng.random_range(0..WORDS.len())];
            if !text.is_empty() && !text.ends_with(' ') {
                text.push(' ');
            }
            if first {
                let mut chars = word.chars();
                if let Some(c) = chars.next() {
                    text.extend(c.to_uppercase());
                    text.push_str(chars.as_str());
                }
            } else {
                text.push_str(word);
            }
            first = false;
            if rng.random_bool(0.08) {
                text.push(if rng.random_bool(0.8) { '.' } else { '!' });
                first = true;
            }
        }
        text.push('.');
        if rng.random_bool(0.05) {
            let n: u32 = rng.random_range(0..10_000);
            text.push_str(&format!(" https://intranet.example.com/wiki/page-{n}"));
        }
        if rng.random_bool(0.15) {
            for _ in 0..rng.random_range(1..=2) {
                text.push_str(" #");
                if rng.random_bool(0.7) {
                    let u: f64 = rng.random();
                    text.push_str(TAGS[((u * u) * TAGS.len() as f64) as usize % TAGS.len()]);
                } else {
                    text.push_str(&format!("topic{}", rng.random_range(0..200)));
                }
            }
        }
        let spoiler_text = if rng.random_bool(0.02) {
            "work talk".to_owned()
        } else {
            String::new()
        };
        Drawn { text, spoiler_text }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_have_the_promised_shape() {
        let mut words = Words::new(1);
        let mut tagged = 0;
        for _ in 0..1_000 {
            let drawn = words.status(&["user7"]);
            assert!(drawn.text.starts_with("@user7 "));
            assert!((50..420).contains(&drawn.text.len()), "{}", drawn.text);
            let parsed = loggia::text::parse(&drawn.text);
            assert_eq!(parsed.mentions.len(), 1);
            tagged += usize::from(!parsed.hashtags.is_empty());
        }
        assert!((80..230).contains(&tagged), "{tagged} tagged");
    }
}
