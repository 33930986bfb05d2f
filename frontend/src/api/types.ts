// Mastodon's entities as Loggia sends them, with Loggia's additive fields.
// Only what the UI reads is typed; the server may send more.

export type Visibility = 'public' | 'unlisted' | 'private' | 'direct';

export interface Emoji {
  shortcode: string;
  url: string;
  static_url: string;
}

export interface Field {
  name: string;
  value: string;
  verified_at: string | null;
}

export interface Account {
  id: string;
  username: string;
  acct: string;
  display_name: string;
  locked: boolean;
  bot: boolean;
  note: string;
  url: string;
  avatar: string;
  avatar_static: string;
  header: string;
  header_static: string;
  followers_count: number;
  following_count: number;
  statuses_count: number;
  last_status_at: string | null;
  created_at: string;
  fields: Field[];
  emojis: Emoji[];
  /** Shown in the directory and suggestions (Mastodon 4.x). */
  discoverable?: boolean | null;
}

export interface Role {
  id: string;
  name: string;
  permissions: string;
}

export interface CredentialAccount extends Account {
  source: {
    privacy: Visibility;
    sensitive: boolean;
    language: string | null;
    note: string;
    fields: Field[];
    /** Loggia: new posts are company-only by default. */
    local_only?: boolean;
    follow_requests_count?: number;
    discoverable?: boolean | null;
  };
  role?: Role;
}

export interface MediaAttachment {
  id: string;
  type: 'image' | 'gifv' | 'video' | 'audio' | 'unknown';
  url: string | null;
  preview_url: string | null;
  remote_url: string | null;
  description: string | null;
  blurhash: string | null;
  meta?: { original?: { width?: number; height?: number } } | null;
}

export interface Mention {
  id: string;
  username: string;
  acct: string;
  url: string;
}

export interface Tag {
  name: string;
  url: string;
  history?: { day: string; uses: string; accounts: string }[];
  following?: boolean;
}

export interface PollOption {
  title: string;
  votes_count: number | null;
}

export interface Poll {
  id: string;
  expires_at: string | null;
  expired: boolean;
  multiple: boolean;
  votes_count: number;
  options: PollOption[];
  voted?: boolean;
  own_votes?: number[];
}

/** Loggia: the review state of a held or rejected post (absent once published). */
export interface LoggiaReview {
  state: 'pending' | 'rejected';
  reason: string | null;
  company_preview: boolean;
}

export interface Status {
  id: string;
  uri: string;
  url: string | null;
  created_at: string;
  edited_at: string | null;
  account: Account;
  content: string;
  visibility: Visibility;
  /** Loggia: company-only (never leaves this server). */
  local_only?: boolean;
  sensitive: boolean;
  spoiler_text: string;
  media_attachments: MediaAttachment[];
  mentions: Mention[];
  tags: Tag[];
  emojis: Emoji[];
  reblogs_count: number;
  favourites_count: number;
  replies_count: number;
  in_reply_to_id: string | null;
  in_reply_to_account_id: string | null;
  reblog: Status | null;
  poll: Poll | null;
  language: string | null;
  favourited?: boolean;
  reblogged?: boolean;
  bookmarked?: boolean;
  pinned?: boolean;
  muted?: boolean;
  loggia_review?: LoggiaReview | null;
}

export interface StatusSource {
  id: string;
  text: string;
  spoiler_text: string;
}

export interface Context {
  ancestors: Status[];
  descendants: Status[];
}

export type NotificationType =
  | 'mention'
  | 'status'
  | 'reblog'
  | 'follow'
  | 'follow_request'
  | 'favourite'
  | 'poll'
  | 'update'
  | 'admin.sign_up'
  | 'admin.report'
  | 'loggia.review_requested'
  | 'loggia.review_approved'
  | 'loggia.review_rejected';

export interface Notification {
  id: string;
  type: NotificationType | string;
  created_at: string;
  account: Account;
  status?: Status | null;
  report?: { id: string; comment: string } | null;
}

export interface Relationship {
  id: string;
  following: boolean;
  showing_reblogs: boolean;
  notifying: boolean;
  followed_by: boolean;
  blocking: boolean;
  blocked_by: boolean;
  muting: boolean;
  requested: boolean;
  requested_by?: boolean;
  domain_blocking: boolean;
  endorsed: boolean;
  note: string;
}

export interface SearchResults {
  accounts: Account[];
  statuses: Status[];
  hashtags: Tag[];
}

export interface Instance {
  domain: string;
  title: string;
  version: string;
  description: string;
  configuration: {
    urls: { streaming: string | null };
    statuses: { max_characters: number; max_media_attachments: number; characters_reserved_per_url: number };
    media_attachments: { supported_mime_types: string[]; image_size_limit: number; description_limit?: number };
    polls: { max_options: number; max_characters_per_option: number };
  };
  registrations: { enabled: boolean; approval_required: boolean };
  languages?: string[];
}

export interface Preferences {
  'posting:default:visibility': Visibility;
  'posting:default:sensitive': boolean;
  'posting:default:language': string | null;
  /** Loggia: new posts are company-only unless changed. */
  'posting:default:local_only'?: boolean;
  /** Loggia: this user's posts that leave the company go to a reviewer first. */
  'loggia:posting:external_review'?: boolean;
  /** Loggia: this user has followers on other servers. */
  'loggia:followers:remote'?: boolean;
  'reading:expand:media'?: string;
  'reading:expand:spoilers'?: boolean;
}

export interface Application {
  id?: string;
  name: string;
  client_id: string;
  client_secret: string;
}

export interface Token {
  access_token: string;
  token_type: string;
  scope: string;
  created_at: number;
}
