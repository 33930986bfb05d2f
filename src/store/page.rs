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
    // `+$n`: a bare bound LIMIT makes SQLite compile the statement again at
    // every run.
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

#[cfg(test)]
mod limit_tests {
    /// SQLite compiles a statement again at every run when its `LIMIT` is a
    /// bare bound parameter (docs/architecture.md, *SQLite tuning*).
    #[test]
    fn no_statement_binds_a_bare_limit() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/store");
        // Spelled apart, or this file would find itself.
        let needle = ["LIMIT", " $"].concat();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            let bare = text
                .lines()
                .filter(|line| !line.trim_start().starts_with("//"))
                .any(|line| line.contains(&needle));
            assert!(!bare, "{}: write `LIMIT +$n`", path.display());
        }
    }
}
