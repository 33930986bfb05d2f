//! Keyword and status filters applied to what a viewer reads: `hide`
//! filters drop statuses, `warn` filters mark them (`filtered`).

use super::error::{ServiceError, ServiceResult};
use crate::model::{AccountId, Status, StatusId, Timestamp};
use crate::store::{Filter, FilterKeyword, Store};
use crate::text;

pub const CONTEXTS: [&str; 5] = ["home", "notifications", "public", "thread", "account"];

/// A viewer's active filters for one context.
#[derive(Debug, Default)]
pub struct ActiveFilters {
    filters: Vec<(Filter, Vec<FilterKeyword>, Vec<StatusId>)>,
}

/// Why a status matched a filter.
#[derive(Debug, Clone)]
pub struct Match {
    pub filter: Filter,
    pub keywords: Vec<FilterKeyword>,
    pub statuses: Vec<StatusId>,
    pub keyword_matches: Vec<String>,
    pub status_matched: bool,
}

/// Whether `keyword` occurs in `haystack` (both lower-cased), on word
/// boundaries when `whole_word`.
pub fn keyword_matches(haystack: &str, keyword: &str, whole_word: bool) -> bool {
    if keyword.is_empty() {
        return false;
    }
    if !whole_word {
        return haystack.contains(keyword);
    }
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    haystack.match_indices(keyword).any(|(i, _)| {
        let before = haystack[..i].chars().next_back();
        let after = haystack[i + keyword.len()..].chars().next();
        // A boundary is needed only where the keyword itself starts or ends
        // with a word character.
        let starts_word = keyword.chars().next().is_some_and(is_word);
        let ends_word = keyword.chars().next_back().is_some_and(is_word);
        (!starts_word || !before.is_some_and(is_word))
            && (!ends_word || !after.is_some_and(is_word))
    })
}

impl ActiveFilters {
    pub async fn load(
        store: &Store,
        viewer: Option<AccountId>,
        context: &str,
    ) -> ServiceResult<Self> {
        let Some(owner) = viewer else {
            return Ok(Self::default());
        };
        let now = Timestamp::now();
        let mut filters = Vec::new();
        for filter in store.filters().all(owner).await? {
            if !filter.is_active(now) || !filter.contexts().iter().any(|c| c == context) {
                continue;
            }
            let keywords = store.filters().keywords(filter.id).await?;
            let statuses = store
                .filters()
                .statuses(filter.id)
                .await?
                .into_iter()
                .map(|s| s.status_id)
                .collect();
            filters.push((filter, keywords, statuses));
        }
        Ok(Self { filters })
    }

    pub fn is_empty(&self) -> bool {
        self.filters.is_empty()
    }

    /// The filters a status matches (by its text, or the status itself).
    pub fn check(&self, status: &Status) -> Vec<Match> {
        if self.filters.is_empty() {
            return Vec::new();
        }
        let haystack = format!(
            "{}\n{}",
            status.spoiler_text,
            text::strip_html(&status.content)
        )
        .to_lowercase();
        let mut out = Vec::new();
        for (filter, keywords, statuses) in &self.filters {
            let keyword_matches: Vec<String> = keywords
                .iter()
                .filter(|k| keyword_matches(&haystack, &k.keyword.to_lowercase(), k.whole_word))
                .map(|k| k.keyword.clone())
                .collect();
            let status_matched = statuses.contains(&status.id);
            if !keyword_matches.is_empty() || status_matched {
                out.push(Match {
                    filter: filter.clone(),
                    keywords: keywords.clone(),
                    statuses: statuses.clone(),
                    keyword_matches,
                    status_matched,
                });
            }
        }
        out
    }
}

/// Parses `context[]` values, refusing unknown ones.
pub fn parse_contexts(values: &[String]) -> ServiceResult<String> {
    if values.is_empty() {
        return Err(ServiceError::Invalid("Context can't be blank".into()));
    }
    for v in values {
        if !CONTEXTS.contains(&v.as_str()) {
            return Err(ServiceError::Invalid(format!(
                "Context {v:?} is not one of home, notifications, public, thread, account"
            )));
        }
    }
    Ok(values.join(","))
}

/// `expires_in` seconds → an expiry time (empty or 0: never).
pub fn expiry(expires_in: Option<&str>) -> ServiceResult<Option<Option<Timestamp>>> {
    match expires_in.map(str::trim) {
        None => Ok(None),
        Some("") | Some("0") => Ok(Some(None)),
        Some(raw) => {
            let secs: i64 = raw.parse().map_err(|_| {
                ServiceError::Invalid("expires_in must be a number of seconds".into())
            })?;
            if !(0..=super::MAX_DURATION_SECS).contains(&secs) {
                return Err(ServiceError::Invalid(
                    "expires_in must be between 0 and ten years, in seconds".into(),
                ));
            }
            Ok(Some(Some(Timestamp::now().plus_seconds(secs))))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_words_respect_boundaries() {
        assert!(keyword_matches("the project nebula launch", "nebula", true));
        assert!(!keyword_matches("nebulas everywhere", "nebula", true));
        assert!(keyword_matches("nebulas everywhere", "nebula", false));
        assert!(keyword_matches("price: #sale!", "#sale", true));
        assert!(!keyword_matches("anything", "", false));
    }
}
