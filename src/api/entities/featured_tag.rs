//! `FeaturedTag`.

use serde_json::{Value, json};

use crate::config::Config;
use crate::service::urls;
use crate::store::FeaturedTag;

/// `owner` is the featuring account's user name (for the link). Mastodon
/// sends the count as a string and the last use as a date.
pub fn featured_tag(f: &FeaturedTag, owner: &str, config: &Config) -> Value {
    json!({
        "id": f.id.to_string(),
        "name": f.name,
        "url": urls::account_tagged_url(config, owner, &f.name),
        "statuses_count": f.statuses_count.to_string(),
        "last_status_at": f.last_status_at.map(|t| t.to_datetime().date_naive().to_string()),
    })
}
