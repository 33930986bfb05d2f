//! `Filter`, `FilterKeyword`, `FilterStatus`, `FilterResult`, `V1Filter`.

use serde_json::{Value, json};

use crate::model::StatusId;
use crate::service::filters::Match;
use crate::store::{Filter, FilterKeyword, FilterStatus};

pub fn keyword(k: &FilterKeyword) -> Value {
    json!({ "id": k.id.to_string(), "keyword": k.keyword, "whole_word": k.whole_word })
}

pub fn status_entry(s: &FilterStatus) -> Value {
    json!({ "id": s.id.to_string(), "status_id": s.status_id.to_string() })
}

pub fn filter(f: &Filter, keywords: &[FilterKeyword], statuses: &[Value]) -> Value {
    json!({
        "id": f.id.to_string(),
        "title": f.title,
        "context": f.contexts(),
        "expires_at": f.expires_at.map(|t| t.to_rfc3339()),
        "filter_action": f.filter_action,
        "keywords": keywords.iter().map(keyword).collect::<Vec<_>>(),
        "statuses": statuses,
    })
}

/// The `filtered` entry of a status that matched.
pub fn result(m: &Match) -> Value {
    let statuses: Vec<Value> = m
        .statuses
        .iter()
        .map(|id: &StatusId| json!({ "id": format!("{}-{id}", m.filter.id), "status_id": id.to_string() }))
        .collect();
    json!({
        "filter": filter(&m.filter, &m.keywords, &statuses),
        "keyword_matches": if m.keyword_matches.is_empty() { Value::Null } else { json!(m.keyword_matches) },
        "status_matches": if m.status_matched { json!(m.statuses.iter().map(ToString::to_string).collect::<Vec<_>>()) } else { Value::Null },
    })
}

/// A v1 filter: one keyword of a filter.
pub fn v1(f: &Filter, k: &FilterKeyword) -> Value {
    json!({
        "id": k.id.to_string(),
        "phrase": k.keyword,
        "context": f.contexts(),
        "whole_word": k.whole_word,
        "expires_at": f.expires_at.map(|t| t.to_rfc3339()),
        "irreversible": f.filter_action == "hide",
    })
}
