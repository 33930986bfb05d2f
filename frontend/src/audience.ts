// Who a post reaches. Loggia adds "company-only" to Mastodon's four
// visibilities (the `local_only` flag): such a post never leaves this server.
// The composer shows which audiences leave the company and, where the
// organisation sends external posts to a reviewer, that this one will wait.

import type { Preferences, Status, Visibility } from './api/types';

export type Audience = 'company' | 'public' | 'unlisted' | 'followers' | 'direct';

export const AUDIENCES: readonly Audience[] = ['company', 'public', 'unlisted', 'followers', 'direct'];

/** The parameters of POST /api/v1/statuses for an audience. */
export function audienceParams(audience: Audience): { visibility: Visibility; local_only: boolean } {
  switch (audience) {
    case 'company':
      return { visibility: 'public', local_only: true };
    case 'public':
      return { visibility: 'public', local_only: false };
    case 'unlisted':
      return { visibility: 'unlisted', local_only: false };
    case 'followers':
      return { visibility: 'private', local_only: false };
    case 'direct':
      return { visibility: 'direct', local_only: false };
  }
}

/** The audience a status was posted to. */
export function audienceOf(status: Pick<Status, 'visibility' | 'local_only'>): Audience {
  if (status.local_only && status.visibility !== 'direct') return 'company';
  switch (status.visibility) {
    case 'public':
      return 'public';
    case 'unlisted':
      return 'unlisted';
    case 'private':
      return 'followers';
    case 'direct':
      return 'direct';
  }
}

/** The audience a new post starts with: the user's preferences. */
export function defaultAudience(preferences: Preferences | null): Audience {
  if (!preferences) return 'company';
  if (preferences['posting:default:local_only']) return 'company';
  return audienceOf({ visibility: preferences['posting:default:visibility'] ?? 'public', local_only: false });
}

/**
 * A reply starts with the narrower of the user's default and the parent's
 * audience. A reply to a company-only post is company-only whatever the
 * default (the server keeps such replies on this server anyway); a direct
 * one stays direct.
 */
export function replyAudience(parent: Pick<Status, 'visibility' | 'local_only'>, preferred: Audience): Audience {
  const parentAudience = audienceOf(parent);
  if (parent.local_only) return parentAudience === 'direct' ? 'direct' : 'company';
  const rank: Record<Audience, number> = { public: 0, unlisted: 1, company: 2, followers: 3, direct: 4 };
  return rank[parentAudience] > rank[preferred] ? parentAudience : preferred;
}

/** Accounts mentioned in `text` that live on another server (`@user@other.example`). */
export function remoteMentions(text: string, localDomain: string): string[] {
  const found = new Set<string>();
  const pattern = /(?:^|[^\w@/])@([a-z0-9_]+(?:[.-][a-z0-9_]+)*)@([a-z0-9.-]+\.[a-z]{2,}(?::\d+)?|localhost(?::\d+)?|[a-z0-9.-]+:\d+)/gi;
  for (const match of text.matchAll(pattern)) {
    const domain = match[2].toLowerCase();
    if (domain !== localDomain.toLowerCase()) found.add(`${match[1]}@${domain}`);
  }
  return [...found];
}

export type Reach =
  /** Stays on this server. */
  | 'internal'
  /** Goes to other servers. */
  | 'external';

export interface AudienceInfo {
  reach: Reach;
  /** Whether a reviewer must approve it before it leaves. */
  reviewed: boolean;
}

/**
 * Whether a post leaves the company, and whether it is reviewed first.
 * Public and unlisted posts are federated; followers-only posts when the
 * author has followers elsewhere; direct posts when they mention someone
 * elsewhere; company-only posts never. (A reply to someone elsewhere also
 * reaches them, hence `replyToRemote`.)
 */
export function describeAudience(
  audience: Audience,
  context: {
    text: string;
    localDomain: string;
    preferences: Preferences | null;
    replyToRemote?: boolean;
    /** Answers a company-only post: the server keeps the reply here, whatever its audience. */
    replyToLocalOnly?: boolean;
  },
): AudienceInfo {
  const prefs = context.preferences;
  const remoteMentioned = remoteMentions(context.text, context.localDomain).length > 0 || !!context.replyToRemote;
  let external: boolean;
  switch (context.replyToLocalOnly ? 'company' : audience) {
    case 'company':
      external = false;
      break;
    case 'public':
    case 'unlisted':
      external = true;
      break;
    case 'followers':
      external = !!prefs?.['loggia:followers:remote'] || remoteMentioned;
      break;
    case 'direct':
      external = remoteMentioned;
      break;
  }
  return {
    reach: external ? 'external' : 'internal',
    reviewed: external && !!prefs?.['loggia:posting:external_review'],
  };
}
