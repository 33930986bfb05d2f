//! The plan as table rows, in the shapes Loggia's store writes them
//! (`store::accounts`, `users`, `oauth`, `follows`, `statuses`, `tags`,
//! `notifications`).

use std::collections::BTreeMap;

use anyhow::Result;
use loggia::crypto::{random_token, sha256_hex};
use loggia::text::{self, ResolvedMention};

use super::load::{Loader, Row, Value};
use super::plan::{Ids, Plan};
use super::words::Words;

const STATUS_CHUNK: usize = 20_000;
/// The scopes of every seeded token.
const SCOPES: &str = "read write follow";

const ACCOUNT_COLUMNS: &[&str] = &[
    "id",
    "username",
    "actor_type",
    "uri",
    "url",
    "inbox_url",
    "shared_inbox_url",
    "outbox_url",
    "followers_url",
    "following_url",
    "featured_url",
    "discoverable",
    "followers_count",
    "following_count",
    "statuses_count",
    "last_status_at",
    "wide_audience",
    "created_at",
    "updated_at",
];

const USER_COLUMNS: &[&str] = &[
    "id",
    "account_id",
    "email",
    "password_hash",
    "role_id",
    "confirmed_at",
    "approved",
    "password_changed_at",
    "created_at",
];

const STATUS_COLUMNS: &[&str] = &[
    "id",
    "uri",
    "url",
    "account_id",
    "in_reply_to_id",
    "in_reply_to_account_id",
    "reblog_of_id",
    "text",
    "content",
    "spoiler_text",
    "sensitive",
    "visibility",
    "local_only",
    "language",
    "local",
    "review_state",
    "app_id",
    "created_at",
    "conversation_id",
    "replies_count",
    "reblogs_count",
];

/// Accounts, users (all with the one password hash), the bench's OAuth
/// app with a token per user, and follows. Returns the plain tokens, one
/// per account.
pub async fn accounts_and_users(
    loader: &mut Loader,
    plan: &Plan,
    base_url: &str,
    password_hash: &str,
) -> Result<Vec<String>> {
    let at = plan.setup_ms;
    let accounts: Vec<Row> = plan
        .accounts
        .iter()
        .map(|a| {
            let uri = format!("{base_url}/users/{}", a.username);
            vec![
                a.id.into(),
                a.username.as_str().into(),
                "Person".into(),
                uri.clone().into(),
                format!("{base_url}/@{}", a.username).into(),
                format!("{uri}/inbox").into(),
                format!("{base_url}/inbox").into(),
                format!("{uri}/outbox").into(),
                format!("{uri}/followers").into(),
                format!("{uri}/following").into(),
                format!("{uri}/collections/featured").into(),
                true.into(),
                a.followers.into(),
                a.following.into(),
                a.statuses.into(),
                a.last_status_at.into(),
                a.wide_audience.into(),
                a.created.into(),
                a.created.into(),
            ]
        })
        .collect();
    loader
        .insert("accounts", ACCOUNT_COLUMNS, &accounts)
        .await?;

    let mut user_ids = Ids::default();
    let users: Vec<Row> = plan
        .accounts
        .iter()
        .map(|a| {
            vec![
                user_ids.at(at).into(),
                a.id.into(),
                format!("{}@bench.example", a.username).into(),
                password_hash.into(),
                1i64.into(),
                at.into(),
                true.into(),
                at.into(),
                at.into(),
            ]
        })
        .collect();
    loader.insert("users", USER_COLUMNS, &users).await?;

    let app = app_id(at);
    loader
        .insert(
            "oauth_apps",
            &[
                "id",
                "name",
                "redirect_uris",
                "scopes",
                "client_id",
                "client_secret_hash",
                "created_at",
            ],
            &[vec![
                app.into(),
                "loggia-bench".into(),
                "urn:ietf:wg:oauth:2.0:oob".into(),
                SCOPES.into(),
                random_token(32).into(),
                sha256_hex(&random_token(32)).into(),
                at.into(),
            ]],
        )
        .await?;
    let tokens: Vec<String> = (0..plan.accounts.len()).map(|_| random_token(32)).collect();
    let mut token_ids = Ids::default();
    let token_rows: Vec<Row> = tokens
        .iter()
        .zip(&users)
        .map(|(token, user)| {
            vec![
                token_ids.at(at).into(),
                sha256_hex(token).into(),
                app.into(),
                user[0].clone(),
                SCOPES.into(),
                at.into(),
            ]
        })
        .collect();
    loader
        .insert(
            "oauth_tokens",
            &[
                "id",
                "token_hash",
                "app_id",
                "user_id",
                "scopes",
                "created_at",
            ],
            &token_rows,
        )
        .await?;

    let mut follow_ids = Ids::default();
    let follows: Vec<Row> = plan
        .follows
        .iter()
        .map(|&(follower, followed)| {
            let id = follow_ids.at(at);
            vec![
                id.into(),
                plan.accounts[follower as usize].id.into(),
                plan.accounts[followed as usize].id.into(),
                (id >> 16).into(),
            ]
        })
        .collect();
    loader
        .insert(
            "follows",
            &["id", "account_id", "target_account_id", "created_at"],
            &follows,
        )
        .await?;
    Ok(tokens)
}

/// The one OAuth app's id (made with the accounts; ids only need to be
/// unique per table).
fn app_id(at: i64) -> i64 {
    at << 16
}

#[derive(Debug, Default)]
pub struct Loaded {
    pub mentions: usize,
    pub tagged: usize,
}

/// Statuses in chunks (texts drawn and rendered as they go), then tags,
/// mentions and the notifications mentions and boosts send.
pub async fn statuses(
    loader: &mut Loader,
    plan: &Plan,
    base_url: &str,
    seed: u64,
) -> Result<Loaded> {
    let mut words = Words::new(seed ^ 0x7e47);
    let app = app_id(plan.setup_ms);
    let mut tags: BTreeMap<String, (i64, String)> = BTreeMap::new();
    let mut tag_ids = Ids::default();
    let mut status_tags: Vec<Row> = Vec::new();
    let mut mentions: Vec<Row> = Vec::new();
    let mut notifications: Vec<Row> = Vec::new();
    let mut notification_ids = Ids::default();
    let mut loaded = Loaded::default();

    for chunk in plan.posts.chunks(STATUS_CHUNK) {
        let mut rows = Vec::with_capacity(chunk.len());
        for post in chunk {
            let author = &plan.accounts[post.author as usize];
            let uri = format!("{base_url}/users/{}/statuses/{}", author.username, post.id);
            let url = format!("{base_url}/@{}/{}", author.username, post.id);
            let mut notify = |to: i64, kind: &str, status: i64| {
                notifications.push(vec![
                    notification_ids.at(post.created).into(),
                    to.into(),
                    author.id.into(),
                    kind.into(),
                    status.into(),
                    post.created.into(),
                ]);
            };
            if let Some(original) = post.reblog_of {
                let original = &plan.posts[original as usize];
                notify(
                    plan.accounts[original.author as usize].id,
                    "reblog",
                    original.id,
                );
                let (text, content, spoiler) = (String::new(), String::new(), String::new());
                rows.push(status_row(
                    post,
                    plan,
                    format!("{uri}/activity"),
                    url,
                    [text, content, spoiler],
                    None,
                    String::new(),
                ));
                continue;
            }
            let names: Vec<&str> = post
                .mentions
                .iter()
                .map(|&m| plan.accounts[m as usize].username.as_str())
                .collect();
            let drawn = words.status(&names);
            let resolved: Vec<ResolvedMention> = names
                .iter()
                .map(|name| ResolvedMention {
                    username: (*name).to_owned(),
                    domain: None,
                    url: format!("{base_url}/@{name}"),
                    display_username: (*name).to_owned(),
                })
                .collect();
            let content = text::render(&drawn.text, &resolved, base_url);
            for &m in &post.mentions {
                let account = plan.accounts[m as usize].id;
                mentions.push(vec![post.id.into(), account.into()]);
                notify(account, "mention", post.id);
            }
            let hashtags = text::parse(&drawn.text).hashtags;
            loaded.tagged += usize::from(!hashtags.is_empty());
            for name in hashtags {
                let (tag_id, _) = tags
                    .entry(name.to_lowercase())
                    .or_insert_with(|| (tag_ids.at(post.created), name.clone()));
                status_tags.push(vec![post.id.into(), (*tag_id).into()]);
            }
            let folded = text::fold_for_search(&format!("{} {}", drawn.spoiler_text, drawn.text));
            rows.push(status_row(
                post,
                plan,
                uri,
                url,
                [drawn.text, content, drawn.spoiler_text],
                Some(app),
                folded,
            ));
        }
        loader.insert_statuses(STATUS_COLUMNS, &rows).await?;
    }

    let tag_rows: Vec<Row> = tags
        .iter()
        .map(|(lower, (id, name))| {
            vec![
                (*id).into(),
                name.as_str().into(),
                lower.as_str().into(),
                (id >> 16).into(),
            ]
        })
        .collect();
    loader
        .insert(
            "tags",
            &["id", "name", "name_lower", "created_at"],
            &tag_rows,
        )
        .await?;
    loader
        .insert("status_tags", &["status_id", "tag_id"], &status_tags)
        .await?;
    loader
        .insert("status_mentions", &["status_id", "account_id"], &mentions)
        .await?;
    loader
        .insert(
            "notifications",
            &[
                "id",
                "account_id",
                "from_account_id",
                "notification_type",
                "status_id",
                "created_at",
            ],
            &notifications,
        )
        .await?;
    loaded.mentions = mentions.len();
    Ok(loaded)
}

/// One `statuses` row (see `STATUS_COLUMNS`), plus the folded search text.
fn status_row(
    post: &super::plan::Post,
    plan: &Plan,
    uri: String,
    url: String,
    [text, content, spoiler_text]: [String; 3],
    app_id: Option<i64>,
    folded: String,
) -> Row {
    let parent = post.parent.map(|p| &plan.posts[p as usize]);
    let sensitive = !spoiler_text.is_empty();
    let boost = post.reblog_of.is_some();
    vec![
        post.id.into(),
        uri.into(),
        url.into(),
        plan.accounts[post.author as usize].id.into(),
        parent.map(|p| p.id).into(),
        parent.map(|p| plan.accounts[p.author as usize].id).into(),
        post.reblog_of.map(|o| plan.posts[o as usize].id).into(),
        text.into(),
        content.into(),
        spoiler_text.into(),
        sensitive.into(),
        post.visibility.as_str().into(),
        post.local_only.into(),
        if boost { Value::Null } else { "en".into() },
        true.into(),
        "published".into(),
        app_id.into(),
        post.created.into(),
        post.conversation.into(),
        post.replies.into(),
        post.reblogs.into(),
        folded.into(),
    ]
}
