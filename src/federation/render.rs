//! Local accounts and statuses as ActivityStreams JSON, and the activities
//! that carry them. Company-only statuses are never rendered for others:
//! callers check `is_federated` first.

use serde_json::{Value, json};

use super::keys;
use super::protocol::{
    self, Activity, Actor, Endpoints, Note, OneOrMany, PUBLIC, PublicKey, Reference,
};
use crate::config::Config;
use crate::media::MediaStore;
use crate::model::{Account, Status, Timestamp, Visibility};
use crate::service::error::ServiceResult;
use crate::store::Store;

/// Whether a status may ever leave this instance.
pub fn is_federated(status: &Status) -> bool {
    !status.local_only && status.review_state == "published"
}

/// Whether anyone may fetch the status without being addressed.
pub fn is_public(status: &Status) -> bool {
    is_federated(status)
        && matches!(
            status.visibility(),
            Visibility::Public | Visibility::Unlisted
        )
}

pub fn followers_url(account: &Account) -> String {
    account
        .followers_url
        .clone()
        .unwrap_or_else(|| format!("{}/followers", account.uri))
}

/// A local account's actor document.
pub async fn actor(store: &Store, config: &Config, account: &Account) -> ServiceResult<Actor> {
    let (public_key_pem, _) = keys::ensure(store, account).await?;
    let base = config.base_url();
    let application = account.actor_type == "Application";
    let image = |url: &Option<String>| {
        url.as_ref()
            .map(|u| json!({ "type": "Image", "url": u, "mediaType": media_type_of(u) }))
    };
    let fields = account
        .profile_fields_html(&base)
        .into_iter()
        .map(|f| json!({ "type": "PropertyValue", "name": f.name, "value": f.value }))
        .collect::<Vec<_>>();
    Ok(Actor {
        context: Some(protocol::context()),
        id: account.uri.clone(),
        kind: account.actor_type.clone(),
        preferred_username: Some(account.username.clone()),
        name: Some(account.display_name.clone()),
        summary: Some(account.note.clone()),
        url: account.url.clone().map(Value::String),
        inbox: account
            .inbox_url
            .clone()
            .unwrap_or_else(|| format!("{}/inbox", account.uri)),
        outbox: (!application).then(|| format!("{}/outbox", account.uri)),
        followers: (!application).then(|| followers_url(account)),
        following: (!application).then(|| format!("{}/following", account.uri)),
        featured: (!application).then(|| format!("{}/collections/featured", account.uri)),
        endpoints: Some(Endpoints {
            shared_inbox: Some(format!("{base}/inbox")),
        }),
        public_key: Some(OneOrMany::One(PublicKey {
            id: keys::key_id(account),
            owner: Some(account.uri.clone()),
            public_key_pem,
        })),
        manually_approves_followers: Some(account.locked || application),
        discoverable: Some(account.discoverable && !application),
        indexable: Some(account.indexable),
        icon: image(&account.avatar_url),
        image: image(&account.header_url),
        attachment: fields.into(),
        tag: OneOrMany::default(),
        published: Some(account.created_at.to_rfc3339()),
        moved_to: None,
        also_known_as: OneOrMany::default(),
    })
}

fn media_type_of(url: &str) -> &'static str {
    match url.rsplit('.').next().unwrap_or_default() {
        "png" => "image/png",
        "gif" => "image/gif",
        "webp" => "image/webp",
        _ => "image/jpeg",
    }
}

/// `to` and `cc` of a status by `author`, given who it mentions.
pub fn addressing(
    status: &Status,
    author: &Account,
    mentioned: &[String],
) -> (Vec<String>, Vec<String>) {
    let followers = followers_url(author);
    let mut cc: Vec<String> = mentioned.to_vec();
    match status.visibility() {
        Visibility::Public => {
            cc.insert(0, followers);
            (vec![PUBLIC.into()], cc)
        }
        Visibility::Unlisted => {
            cc.insert(0, PUBLIC.into());
            (vec![followers], cc)
        }
        Visibility::Private => (vec![followers], cc),
        Visibility::Direct => (mentioned.to_vec(), Vec::new()),
    }
}

/// A local status as a `Note`.
pub async fn note(
    store: &Store,
    config: &Config,
    media: &MediaStore,
    status: &Status,
) -> ServiceResult<Note> {
    let author = store
        .accounts()
        .by_id(status.account_id)
        .await?
        .ok_or(crate::service::error::ServiceError::NotFound)?;
    let mut mentioned = Vec::new();
    let mut tags = Vec::new();
    for (_, account_id) in store.statuses().mentions(&[status.id]).await? {
        if let Some(account) = store.accounts().by_id(account_id).await? {
            let handle = match &account.domain {
                Some(domain) => format!("@{}@{domain}", account.username),
                None => format!("@{}@{}", account.username, config.domain()),
            };
            tags.push(json!({ "type": "Mention", "href": account.uri, "name": handle }));
            mentioned.push(account.uri);
        }
    }
    for name in store.statuses().tags(status.id).await? {
        tags.push(json!({
            "type": "Hashtag",
            "href": crate::service::urls::tag_url(config, &name),
            "name": format!("#{name}"),
        }));
    }
    let attachments = store
        .media()
        .for_status(status.id)
        .await?
        .iter()
        .map(|m| {
            json!({
                "type": "Document",
                "mediaType": m.content_type,
                "url": m.remote_url.clone().unwrap_or_else(|| media.url(&m.file_key)),
                "name": if m.description.is_empty() { Value::Null } else { json!(m.description) },
                "blurhash": m.blurhash,
                "focalPoint": [m.focus_x, m.focus_y],
                "width": m.width,
                "height": m.height,
            })
        })
        .collect::<Vec<_>>();
    let in_reply_to = match status.in_reply_to_id {
        Some(parent) => store.statuses().by_id(parent).await?.map(|p| p.uri),
        None => status.in_reply_to_uri.clone(),
    };
    let (to, cc) = addressing(status, &author, &mentioned);
    let conversation = status.conversation_id.unwrap_or(status.id.0);
    let poll = store.polls().by_status(status.id).await?;
    let (mut one_of, mut any_of, mut end_time, mut closed, mut voters_count) =
        (None, None, None, None, None);
    if let Some(poll) = &poll {
        let counts = if poll.is_remote() {
            poll.remote_counts()
        } else {
            voters_count = Some(store.polls().voters_count(poll.id).await?);
            store.polls().tallies(poll).await?
        };
        // Hidden totals stay hidden until the end, here too (as Mastodon).
        let show = !poll.hide_totals || poll.is_expired(Timestamp::now());
        let options: Vec<Value> = poll
            .titles()
            .iter()
            .enumerate()
            .map(|(i, title)| {
                let mut option = json!({ "type": "Note", "name": title });
                if show {
                    option["replies"] = json!({
                        "type": "Collection",
                        "totalItems": counts.get(i).copied().unwrap_or(0),
                    });
                }
                option
            })
            .collect();
        if poll.multiple {
            any_of = Some(options);
        } else {
            one_of = Some(options);
        }
        end_time = poll.expires_at.map(Timestamp::to_rfc3339);
        if poll.is_expired(Timestamp::now()) {
            closed = end_time.clone().map(Value::String);
        }
    }
    Ok(Note {
        context: None,
        id: status.uri.clone(),
        kind: if poll.is_some() { "Question" } else { "Note" }.into(),
        attributed_to: Some(json!(author.uri)),
        summary: Some(status.spoiler_text.clone()).filter(|s| !s.is_empty()),
        content: Some(status.content.clone()),
        content_map: status.language.as_ref().map(|l| {
            let mut map = serde_json::Map::new();
            map.insert(l.clone(), json!(status.content));
            map
        }),
        source: None,
        in_reply_to: in_reply_to.map(Value::String),
        published: Some(status.created_at.to_rfc3339()),
        updated: status.edited_at.map(Timestamp::to_rfc3339),
        url: status.url.clone().map(Value::String),
        to: to.into_iter().map(Value::String).collect::<Vec<_>>().into(),
        cc: cc.into_iter().map(Value::String).collect::<Vec<_>>().into(),
        sensitive: Some(status.sensitive),
        tag: tags.into(),
        attachment: attachments.into(),
        conversation: Some(format!("{}/contexts/{conversation}", config.base_url())),
        one_of,
        any_of,
        replies: None,
        end_time,
        closed,
        voters_count,
        name: None,
    })
}

/// Wraps an object or reference in an activity by `actor`.
pub fn activity(
    kind: &str,
    id: String,
    actor: &Account,
    object: Value,
    to: Vec<String>,
    cc: Vec<String>,
) -> Activity {
    Activity {
        context: Some(protocol::context()),
        id: Some(id),
        kind: kind.into(),
        actor: Reference::Id(actor.uri.clone()),
        object: Some(object),
        target: None,
        to: to.into(),
        cc: cc.into(),
        published: Some(Timestamp::now().to_rfc3339()),
        content: None,
    }
}

/// `Create` (or `Update`, after an edit) of a local status.
pub async fn create_or_update(
    store: &Store,
    config: &Config,
    media: &MediaStore,
    status: &Status,
    author: &Account,
    update: bool,
) -> ServiceResult<Activity> {
    let note = note(store, config, media, status).await?;
    let to = note
        .to
        .iter()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    let cc = note
        .cc
        .iter()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    let (kind, id) = if update {
        let at = status.edited_at.unwrap_or_else(Timestamp::now).millis();
        ("Update", format!("{}#updates/{at}", status.uri))
    } else {
        ("Create", format!("{}/activity", status.uri))
    };
    let mut activity = activity(
        kind,
        id,
        author,
        serde_json::to_value(note).unwrap_or_default(),
        to,
        cc,
    );
    activity.published = Some(status.created_at.to_rfc3339());
    Ok(activity)
}

/// `Undo` of an activity we sent earlier.
pub fn undo(actor: &Account, inner: Activity) -> Activity {
    let id = format!("{}/undo", inner.id.clone().unwrap_or_default());
    let to = inner.to.clone().into_vec();
    let cc = inner.cc.clone().into_vec();
    let mut inner = inner;
    inner.context = None;
    activity(
        "Undo",
        id,
        actor,
        serde_json::to_value(inner).unwrap_or_default(),
        to,
        cc,
    )
}
