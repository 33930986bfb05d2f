//! `Instance` (v2) and `V1Instance`. Limits are the ones Loggia enforces;
//! features not built yet are advertised as absent (no media types, no
//! polls, no translation, API version 1 = no grouped notifications).

use serde_json::{Value, json};

use crate::config::{Config, Registrations};
use crate::service::featured_tags::MAX_FEATURED_TAGS;
use crate::service::polls;
use crate::store::InstanceStats;

/// The version clients parse to decide which features to use.
pub const MASTODON_COMPAT_VERSION: &str = "4.2.0";

pub fn version_string() -> String {
    format!(
        "{MASTODON_COMPAT_VERSION} (compatible; Loggia {})",
        env!("CARGO_PKG_VERSION")
    )
}

pub const SOURCE_URL: &str = "https://example.invalid/loggia";

/// Characters a URL counts for in a post, whatever its length (as Mastodon).
pub const CHARACTERS_RESERVED_PER_URL: u32 = 23;

fn thumbnail_url(config: &Config) -> String {
    format!("{}/headers/original/missing.png", config.base_url())
}

fn statuses(config: &Config) -> Value {
    json!({
        "max_characters": config.max_status_chars,
        "max_media_attachments": crate::service::media::MAX_ATTACHMENTS,
        "characters_reserved_per_url": CHARACTERS_RESERVED_PER_URL,
    })
}

fn media_attachments() -> Value {
    use crate::media::{process, video};
    let types: Vec<&str> = process::SUPPORTED_TYPES
        .iter()
        .chain(video::SUPPORTED_TYPES)
        .copied()
        .collect();
    json!({
        "supported_mime_types": types,
        "image_size_limit": process::MAX_UPLOAD_BYTES,
        "image_matrix_limit": process::MAX_DECODE_PIXELS,
        // Videos need ffmpeg on the server (the packages install it).
        "video_size_limit": video::MAX_VIDEO_BYTES,
        "video_frame_rate_limit": video::MAX_FRAME_RATE as u64,
        "video_matrix_limit": video::MAX_MATRIX,
        "description_limit": crate::service::media::MAX_DESCRIPTION,
    })
}

fn polls() -> Value {
    json!({
        "max_options": polls::MAX_OPTIONS,
        "max_characters_per_option": polls::MAX_OPTION_CHARS,
        "min_expiration": polls::MIN_EXPIRATION_SECS,
        "max_expiration": polls::MAX_EXPIRATION_SECS,
    })
}

/// `GET /api/v2/instance`.
pub fn v2(config: &Config, stats: &InstanceStats) -> Value {
    json!({
        "domain": config.domain(),
        "title": config.instance_title,
        "version": version_string(),
        "source_url": SOURCE_URL,
        "description": config.instance_description,
        "usage": { "users": { "active_month": stats.active_month } },
        "thumbnail": { "url": thumbnail_url(config) },
        "icon": [],
        "languages": ["en"],
        "configuration": {
            "urls": {
                "streaming": streaming_url(config),
                "status": null,
                "about": null,
                "privacy_policy": null,
                "terms_of_service": null,
            },
            "accounts": { "max_featured_tags": MAX_FEATURED_TAGS, "max_pinned_statuses": 5 },
            "statuses": statuses(config),
            "media_attachments": media_attachments(),
            "polls": polls(),
            "translation": { "enabled": false },
        },
        "registrations": {
            "enabled": self_sign_up(config),
            "approval_required": config.registrations == Registrations::Approval,
            "message": registrations_message(config),
            "url": (config.registrations != Registrations::Closed)
                .then(|| format!("{}/auth/sign_up", config.base_url())),
        },
        "api_versions": { "mastodon": 1 },
        "contact": { "email": config.contact_email, "account": null },
        "rules": [],
    })
}

/// Whether anyone (with an allowed address) may sign up without an invite.
fn self_sign_up(config: &Config) -> bool {
    matches!(
        config.registrations,
        Registrations::Open | Registrations::Approval
    )
}

/// What the sign-up rules are, in a sentence apps can show.
fn registrations_message(config: &Config) -> Option<String> {
    let domains = &config.registration_email_domains;
    match config.registrations {
        Registrations::Closed => None,
        Registrations::Invite => Some("Sign-up needs an invite link.".into()),
        Registrations::Approval | Registrations::Open if !domains.is_empty() => Some(format!(
            "Open to e-mail addresses at {}.",
            domains.join(", ")
        )),
        Registrations::Approval | Registrations::Open => None,
    }
}

/// `GET /api/v1/instance` (the shape Mastodon 4.x still serves).
pub fn v1(config: &Config, stats: &InstanceStats) -> Value {
    json!({
        "uri": config.domain(),
        "title": config.instance_title,
        "short_description": config.instance_description,
        "description": config.instance_description,
        "email": config.contact_email,
        "version": version_string(),
        "urls": { "streaming_api": streaming_url(config) },
        "stats": {
            "user_count": stats.users,
            "status_count": stats.local_statuses,
            "domain_count": stats.domains,
        },
        "thumbnail": thumbnail_url(config),
        "languages": ["en"],
        "registrations": self_sign_up(config),
        "approval_required": config.registrations == Registrations::Approval,
        "invites_enabled": config.registrations != Registrations::Closed,
        "configuration": {
            "accounts": { "max_featured_tags": MAX_FEATURED_TAGS },
            "statuses": statuses(config),
            "media_attachments": media_attachments(),
            "polls": polls(),
        },
        "contact_account": null,
        "rules": [],
    })
}

/// Where apps open the streaming API: the same host, as a WebSocket origin
/// (apps append `/api/v1/streaming`, as with Mastodon).
pub fn streaming_url(config: &Config) -> String {
    let scheme = match config.protocol {
        crate::config::Protocol::Https => "wss",
        crate::config::Protocol::Http => "ws",
    };
    format!("{scheme}://{}", config.domain())
}
