//! Keyset pagination: the `WHERE … ORDER BY … LIMIT` tail shared by every
//! paged query. Never `OFFSET`.

use crate::model::Page;

/// Appends the keyset bounds on `column` to `sql`, using placeholders
/// `$first`, `$first+1`, `$first+2` for the upper bound, lower bound and
/// limit. With `min_id` the rows right after it are taken (ascending);
/// callers then reverse them so that pages always come newest first.
pub fn keyset(sql: &str, column: &str, first: usize, page: &Page) -> String {
    let (upper, lower, limit) = (first, first + 1, first + 2);
    let order = if page.min_id.is_some() { "ASC" } else { "DESC" };
    format!(
        "{sql} AND (${upper} IS NULL OR {column} < ${upper}) \
         AND (${lower} IS NULL OR {column} > ${lower}) \
         ORDER BY {column} {order} LIMIT +${limit}"
    )
}

/// The values for the placeholders of `keyset`.
pub fn bounds(page: &Page) -> (Option<i64>, Option<i64>, i64) {
    (page.max_id, page.min_id.or(page.since_id), page.limit)
}

/// Puts ascending results (from `min_id`) back to newest first.
pub fn newest_first<T>(mut rows: Vec<T>, page: &Page) -> Vec<T> {
    if page.min_id.is_some() {
        rows.reverse();
    }
    rows
}
