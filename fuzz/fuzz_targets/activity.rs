//! What the inbox does with a delivered body before anything touches the
//! database: the `Activity` envelope, the `Note` it carries (or that is
//! fetched for it) with its tags, attachments and poll, the sanitized
//! content, and `Actor` documents checked by `fetch::remote_account`.
//!
//! Properties: what parsed once is written out and re-read unchanged;
//! attachments, avatars and profile links are `http(s)` URLs only; an
//! actor's inbox and collections are on the actor's own server; limits on
//! names, languages and poll counts hold.
#![no_main]

use libfuzzer_sys::fuzz_target;
use loggia::federation::fetch::{authority_of, remote_account};
use loggia::federation::ingest::NOTE_KINDS;
use loggia::federation::protocol::{Activity, Actor, Note, Tag, is_web_url, single_id};
use loggia::federation::signatures::PublicKey;
use loggia::text::{parse, sanitize_html, strip_html};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// What `ingest` keeps of a note's HTML.
const MAX_CONTENT_BYTES: usize = 100_000;

fuzz_target!(|body: &[u8]| {
    // The inbox reads the body as an activity first.
    if let Ok(activity) = serde_json::from_slice::<Activity>(body) {
        round_trip(&activity);
        let _ = activity.actor.id().map(authority_of);
        if let Some(object) = &activity.object {
            let _ = single_id(object);
            read_object(object);
        }
    }
    // Fetched notes and actors are read from the document itself.
    if let Ok(document) = serde_json::from_slice::<Value>(body) {
        read_object(&document);
    }
});

fn read_object(object: &Value) {
    let kind = object
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if NOTE_KINDS.contains(&kind)
        && let Ok(note) = serde_json::from_value::<Note>(object.clone())
    {
        round_trip(&note);
        check_note(&note);
    }
    if let Ok(actor) = serde_json::from_value::<Actor>(object.clone()) {
        round_trip(&actor);
        check_actor(&actor);
    }
}

/// Writing out what was read and reading it again changes nothing.
fn round_trip<T: Serialize + DeserializeOwned>(value: &T) {
    let written = serde_json::to_value(value).expect("serializes");
    let again: T = serde_json::from_value(written.clone()).expect("re-reads what it wrote");
    assert_eq!(serde_json::to_value(&again).expect("serializes"), written);
}

fn check_note(note: &Note) {
    let _ = authority_of(&note.id);
    let _ = (note.author(), note.in_reply_to_id(), note.addresses());
    assert!(note.language().is_none_or(|l| l.len() <= 16));
    for tag in note.tags() {
        match tag {
            Tag::Hashtag { name } => assert!(!name.starts_with('#'), "{name:?}"),
            Tag::Emoji { name, .. } => {
                assert!(!name.starts_with(':') && !name.ends_with(':'), "{name:?}")
            }
            Tag::Mention { .. } => {}
        }
    }
    for attachment in note.attachments() {
        assert!(is_web_url(&attachment.url), "{:?}", attachment.url);
    }
    assert!(note.poll_choices().iter().all(|(_, votes)| *votes >= 0));
    // The content as `ingest` stores it, then as moderation reads it.
    let mut html = note.html();
    if html.len() > MAX_CONTENT_BYTES {
        let mut cut = MAX_CONTENT_BYTES;
        while !html.is_char_boundary(cut) {
            cut -= 1;
        }
        html.truncate(cut);
    }
    let content = sanitize_html(&html);
    let _ = parse(&strip_html(&content));
    let _ = strip_html(note.summary.as_deref().unwrap_or_default());
}

fn check_actor(actor: &Actor) {
    if let Some(key) = actor.key(None) {
        let _ = PublicKey::from_pem(&key.public_key_pem);
    }
    let Ok(account) = remote_account(actor) else {
        return;
    };
    let domain = Some(account.domain.clone());
    assert_eq!(authority_of(&account.uri), domain);
    assert_eq!(authority_of(&account.inbox_url), domain);
    for same_host in [
        &account.shared_inbox_url,
        &account.outbox_url,
        &account.followers_url,
        &account.following_url,
        &account.featured_url,
    ]
    .into_iter()
    .flatten()
    {
        assert_eq!(authority_of(same_host), domain, "{same_host:?}");
    }
    for web in [&account.url, &account.avatar_url, &account.header_url]
        .into_iter()
        .flatten()
    {
        assert!(is_web_url(web), "{web:?}");
    }
    let username = &account.username;
    assert!(
        !username.is_empty() && username.len() <= 100,
        "{username:?}"
    );
    assert!(!username.contains(['@', ' ', '/']), "{username:?}");
    assert!(account.display_name.chars().count() <= 100);
    let fields: Vec<Value> = serde_json::from_str(&account.fields).expect("fields are JSON");
    assert!(fields.len() <= 16);
}
